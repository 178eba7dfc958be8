// Tests of the object instances in render/view_index.cpp (build_object_tracks): how N / O / D events
// pair into instances, their lanes (never overlapping, as few as the most alive at once), their
// snapshots, determinism and hostile inputs; and of the objects track in render/track_layout.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>

#include "formats/loader.h"
#include "render/track_layout.h"
#include "tests/load_text.h"

using namespace vz;

namespace {

using vz::test::load_text;

std::string obj(char ph, const std::string& name, const std::string& id, double ts_us, int pid = 1,
                const std::string& args = "") {
  std::string e = "{\"ph\":\"" + std::string(1, ph) + "\",\"pid\":" + std::to_string(pid) + ",\"tid\":1,\"ts\":" +
                  std::to_string(ts_us) + ",\"name\":\"" + name + "\",\"id\":" + id;
  if (!args.empty()) e += ",\"args\":" + args;
  return e + "}";
}

std::string trace_of(const std::vector<std::string>& events) {
  std::string s = "{\"traceEvents\":[";
  for (size_t i = 0; i < events.size(); ++i) s += (i ? ",\n" : "") + events[i];
  return s + "]}";
}

// Every instance of a group, by "name id" (several with the same key in lane-major order).
std::multimap<std::string, const ObjectInstance*> by_key(const Trace& t, const ObjectTracks& ot) {
  std::multimap<std::string, const ObjectInstance*> m;
  for (const ObjectInstance& o : ot.instances) m.emplace(std::string(t.name_of(o.label)) + " " + std::string(t.str(o.id)), &o);
  return m;
}

// Lanes hold instances by start that never overlap (touching is allowed); snapshots lie inside
// their instance, by ts within a lane; every O event of the group is someone's snapshot.
void check_invariants(const Trace& t, const ObjectTracks& ot) {
  REQUIRE(ot.lane_begin.size() == ot.lanes() + 1);
  CHECK(ot.lane_begin.front() == 0);
  CHECK(ot.lane_begin.back() == ot.instances.size());
  uint32_t snaps = 0;
  for (uint32_t l = 0; l < ot.lanes(); ++l) {
    CHECK(ot.lane_begin[l] < ot.lane_begin[l + 1]);  // no empty lane
    for (uint32_t i = ot.lane_begin[l]; i < ot.lane_begin[l + 1]; ++i) {
      const ObjectInstance& o = ot.instances[i];
      CHECK(o.lane == l);
      CHECK(o.start <= o.end);
      if (i > ot.lane_begin[l]) CHECK(ot.instances[i - 1].end <= o.start);
      CHECK(o.snap_begin == snaps);
      for (uint32_t k = o.snap_begin; k < o.snap_begin + o.snap_count; ++k) {
        const ObjectEvent& e = t.objects[ot.snapshots[k]];
        CHECK(e.phase == 'O');
        CHECK(e.ts >= o.start);
        CHECK(e.ts <= o.end);
        CHECK(ot.instance_of_snapshot(k) == i);
      }
      snaps += o.snap_count;
    }
    const auto [s0, s1] = ot.lane_snapshots(l);
    for (uint32_t k = s0 + 1; k < s1; ++k) CHECK(t.objects[ot.snapshots[k - 1]].ts <= t.objects[ot.snapshots[k]].ts);
  }
  CHECK(snaps == ot.snapshots.size());
}

// The most instances alive at once (an end at t frees its lane for a start at t).
uint32_t max_alive(const ObjectTracks& ot) {
  std::vector<std::pair<Time, int>> ev;
  for (const ObjectInstance& o : ot.instances) {
    ev.emplace_back(o.start, 1);
    ev.emplace_back(o.end, -1);
  }
  std::sort(ev.begin(), ev.end(), [](auto a, auto b) { return a.first != b.first ? a.first < b.first : a.second < b.second; });
  int alive = 0, most = 0;
  for (auto [t, d] : ev) most = std::max(most, alive += d);
  return uint32_t(most);
}

}  // namespace

TEST_CASE("object events pair into instances by (id, name) within a process") {
  auto t = load_text(trace_of({
      R"({"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"frame"})",
      obj('N', "Layer", "\"0x1\"", 10, 1, R"({"kind":"root"})"),
      obj('O', "Layer", "\"0x1\"", 20, 1, R"({"snapshot":{"w":1}})"),
      obj('O', "Layer", "\"0x1\"", 30, 1, R"({"snapshot":{"w":2}})"),
      obj('D', "Layer", "\"0x1\"", 40),
      obj('D', "Orphan", "5", 35),                   // no N: from the trace's start
      obj('N', "Leak", "7", 50),                     // no D: to the trace's end
      obj('O', "Seen", "\"s\"", 60),                 // O only: from its first snapshot
      obj('O', "Seen", "\"s\"", 70),
      obj('N', "Again", "1", 15),                    // a second N replaces the first
      obj('N', "Again", "1", 25),
      obj('D', "Again", "1", 45),
      obj('N', "Other", "\"0x1\"", 12),              // same id, other name: another instance
      obj('N', "Layer", "\"0x1\"", 11, 2),           // same id and name in another process
      obj('D', "Layer", "\"0x1\"", 80, 2),
  }));
  ViewIndex index(*t);
  REQUIRE(index.processes().size() == 2);
  const ObjectTracks& ot = index.processes()[0].objects;
  check_invariants(*t, ot);
  auto m = by_key(*t, ot);
  CHECK(m.size() == 7);

  REQUIRE(m.count("Layer 0x1") == 1);
  const ObjectInstance& layer = *m.find("Layer 0x1")->second;
  CHECK(layer.start == 10000);
  CHECK(layer.end == 40000);
  CHECK(layer.created != kNone);
  CHECK(t->objects[layer.created].phase == 'N');
  CHECK(layer.destroyed != kNone);
  CHECK(layer.snap_count == 2);
  CHECK(t->view(t->objects[ot.snapshots[layer.snap_begin]].args).find("\"w\":1") != std::string_view::npos);
  CHECK(!layer.replaced);

  const ObjectInstance& orphan = *m.find("Orphan 5")->second;
  CHECK(orphan.start == t->start);
  CHECK(orphan.end == 35000);
  CHECK(orphan.created == kNone);
  CHECK(orphan.destroyed != kNone);

  const ObjectInstance& leak = *m.find("Leak 7")->second;
  CHECK(leak.start == 50000);
  CHECK(leak.end == t->end);
  CHECK(leak.destroyed == kNone);

  const ObjectInstance& seen = *m.find("Seen s")->second;
  CHECK(seen.start == 60000);
  CHECK(seen.end == t->end);
  CHECK(seen.created == kNone);
  CHECK(seen.snap_count == 2);

  REQUIRE(m.count("Again 1") == 2);
  std::vector<const ObjectInstance*> again;
  for (auto [it, end] = m.equal_range("Again 1"); it != end; ++it) again.push_back(it->second);
  std::sort(again.begin(), again.end(), [](auto a, auto b) { return a->start < b->start; });
  CHECK(again[0]->start == 15000);
  CHECK(again[0]->end == 25000);
  CHECK(again[0]->replaced);
  CHECK(again[0]->destroyed == kNone);
  CHECK(again[1]->start == 25000);
  CHECK(again[1]->end == 45000);
  CHECK(again[1]->destroyed != kNone);

  CHECK(m.count("Other 0x1") == 1);
  CHECK(ot.lanes() == max_alive(ot));

  const ObjectTracks& p2 = index.processes()[1].objects;
  check_invariants(*t, p2);
  REQUIRE(p2.instances.size() == 1);
  CHECK(p2.instances[0].start == 11000);
  CHECK(p2.instances[0].end == 80000);
}

TEST_CASE("object lanes: greedy by start, a lane freed at t takes a start at t") {
  auto t = load_text(trace_of({
      obj('N', "a", "1", 0), obj('D', "a", "1", 10),
      obj('N', "b", "2", 5), obj('D', "b", "2", 20),
      obj('N', "c", "3", 10), obj('D', "c", "3", 15),  // starts where a ends: a's lane
      obj('N', "d", "4", 12), obj('D', "d", "4", 30),  // a's lane is busy (c), b's too: a new lane
      obj('N', "e", "5", 20), obj('D', "e", "5", 25),  // b ended at 20 and c at 15: c's lane (freed first)
  }));
  ViewIndex index(*t);
  const ObjectTracks& ot = index.processes()[0].objects;
  check_invariants(*t, ot);
  std::map<std::string, uint32_t> lane;
  for (const ObjectInstance& o : ot.instances) lane[std::string(t->name_of(o.label))] = o.lane;
  CHECK(lane["a"] == 0);
  CHECK(lane["b"] == 1);
  CHECK(lane["c"] == 0);
  CHECK(lane["d"] == 2);
  CHECK(lane["e"] == 0);
  CHECK(ot.lanes() == 3);
}

TEST_CASE("object lanes agree with the most alive at once on random traces, deterministically") {
  std::mt19937 rng(7);
  for (int round = 0; round < 30; ++round) {
    std::vector<std::string> ev;
    const int n = 50 + int(rng() % 300);
    for (int i = 0; i < n; ++i) {
      const char ph = "NNOOD"[rng() % 5];
      const std::string id = rng() % 2 ? std::to_string(rng() % 20) : "\"" + std::to_string(rng() % 20) + "\"";
      ev.push_back(obj(ph, rng() % 2 ? "A" : "B", id, double(rng() % 1000), 1 + int(rng() % 2)));
    }
    auto t = load_text(trace_of(ev));
    ViewIndex a(*t), b(*t);
    for (uint32_t g = 0; g < a.processes().size(); ++g) {
      const ObjectTracks& ot = a.processes()[g].objects;
      check_invariants(*t, ot);
      CHECK(ot.lanes() == max_alive(ot));
      const ObjectTracks& again = b.processes()[g].objects;
      REQUIRE(again.instances.size() == ot.instances.size());
      CHECK(again.snapshots == ot.snapshots);
      CHECK(again.lane_begin == ot.lane_begin);
      for (size_t i = 0; i < ot.instances.size(); ++i) {
        CHECK(again.instances[i].start == ot.instances[i].start);
        CHECK(again.instances[i].end == ot.instances[i].end);
        CHECK(again.instances[i].created == ot.instances[i].created);
      }
      // Every event is in exactly one instance (as its N, a snapshot or its D).
      size_t used = ot.snapshots.size();
      for (const ObjectInstance& o : ot.instances) used += (o.created != kNone) + (o.destroyed != kNone);
      size_t mine = 0;
      for (const ObjectEvent& e : t->objects) mine += a.group_of_process(e.process) == g;
      CHECK(used == mine);
    }
  }
}

TEST_CASE("hostile object inputs stay linear: an O storm, many ids alive, an N storm") {
  std::vector<std::string> ev;
  ev.push_back(obj('N', "storm", "1", 0));
  for (int i = 0; i < 100000; ++i) ev.push_back(obj('O', "storm", "1", 1 + i * 0.001));
  for (int i = 0; i < 20000; ++i) ev.push_back(obj('N', "many", std::to_string(i), 200 + i * 0.001, 2));
  for (int i = 0; i < 20000; ++i) ev.push_back(obj('N', "renew", "9", 300 + i * 0.001, 3));
  auto t = load_text(trace_of(ev));
  ViewIndex index(*t);
  REQUIRE(index.processes().size() == 3);
  const ObjectTracks& storm = index.processes()[0].objects;
  CHECK(storm.instances.size() == 1);
  CHECK(storm.lanes() == 1);
  CHECK(storm.snapshots.size() == 100000);
  const ObjectTracks& many = index.processes()[1].objects;
  CHECK(many.instances.size() == 20000);
  CHECK(many.lanes() == 20000);
  // Never destroyed: the hidden lanes (15 and up) are alive from the 16th N to the trace's end,
  // one span for the summary row of a track laid out with kLaneCap rows.
  REQUIRE(index.processes()[1].objects_hidden.size() == 1);
  CHECK(index.processes()[1].objects_hidden[0].t0 == many.instances[many.lane_begin[kLaneCap - 1]].start);
  CHECK(index.processes()[1].objects_hidden[0].t1 == t->end);
  CHECK(index.processes()[0].objects_hidden.empty());
  for (const LaidTrack& lt : layout_tracks(index, {}, {}, {}, LayoutMetrics{})) {
    if (lt.kind == TrackKind::Objects) CHECK(lt.rows == (lt.group == 1 ? kLaneCap : 1));
  }
  const ObjectTracks& renew = index.processes()[2].objects;
  CHECK(renew.instances.size() == 20000);
  CHECK(renew.lanes() == 1);  // each N ends the one before it at the same time
  for (uint32_t g = 0; g < 3; ++g) check_invariants(*t, index.processes()[g].objects);
  CHECK(index.memory_bytes() > 20000 * sizeof(ObjectInstance));
}

TEST_CASE("the objects track sits after the async lanes and before the threads, a row per lane") {
  auto t = load_text(trace_of({
      R"({"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"frame"})",
      R"({"ph":"b","pid":1,"ts":0,"id":"1","cat":"c","name":"req"})",
      R"({"ph":"e","pid":1,"ts":5,"id":"1","cat":"c","name":"req"})",
      obj('N', "a", "1", 0), obj('N', "b", "2", 1), obj('D', "a", "1", 50),
      R"({"ph":"X","pid":2,"tid":1,"ts":0,"dur":100,"name":"frame"})",
  }));
  ViewIndex index(*t);
  LayoutMetrics m;
  m.row_h = 10;
  m.gap = 4;
  const auto tracks = layout_tracks(index, {}, {}, {}, m);
  std::vector<TrackKind> kinds;
  for (const LaidTrack& lt : tracks) kinds.push_back(lt.kind);
  CHECK(kinds == std::vector<TrackKind>{TrackKind::Header, TrackKind::Async, TrackKind::Objects, TrackKind::Thread,
                                        TrackKind::Header, TrackKind::Thread});
  const LaidTrack& ob = tracks[2];
  CHECK(ob.rows == 2);
  CHECK(ob.lanes == 2);
  CHECK_FALSE(capped(ob));
  CHECK(ob.h == 20);
  CHECK(ob.group == 0);
  CHECK(hit_track(tracks, ob.y + 1, m).track == 2);
  CHECK(hit_track(tracks, ob.y + 1, m).row == 0);
  CHECK(hit_track(tracks, ob.y + 15, m).row == 1);
  CHECK(hit_track(tracks, ob.y + ob.h + 1, m).track == -1);  // the gap below it
  const auto [a, b] = tracks_between(tracks, ob.y + 5, ob.y + 6);
  CHECK(a == 2);
  CHECK(b == 3);
  // Collapsed with its group.
  const auto folded = layout_tracks(index, {1}, {}, {}, m);
  CHECK(folded.size() == 3);
  CHECK(std::none_of(folded.begin(), folded.end(), [](const LaidTrack& l) { return l.kind == TrackKind::Objects; }));
}
