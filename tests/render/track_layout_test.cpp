// Tests of render/track_layout.cpp and render/view_index.cpp: tracks in display order (sort
// indexes, then pid/tid), collapsed groups, async tracks by name and their lanes, the lane cap (kLaneCap rows above it,
// every lane when lifted, the union of the hidden lanes against brute force), and y hit-testing
// against brute force.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>

#include "formats/builder.h"
#include "formats/loader.h"
#include "render/track_layout.h"
#include "tests/load_text.h"

using namespace vz;

namespace {

using vz::test::load_text;

const char* kTrace = R"({"traceEvents":[
 {"ph":"X","pid":2,"tid":7,"ts":0,"dur":10,"name":"a"},
 {"ph":"X","pid":2,"tid":7,"ts":1,"dur":5,"name":"b"},
 {"ph":"X","pid":2,"tid":3,"ts":0,"dur":10,"name":"c"},
 {"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"d"},
 {"ph":"X","pid":1,"tid":1,"ts":5,"dur":10,"name":"overlaps"},
 {"ph":"C","pid":1,"ts":0,"name":"mem","args":{"a":1,"b":2}},
 {"ph":"b","pid":1,"ts":0,"id":"1","cat":"c","name":"req"},
 {"ph":"b","pid":1,"ts":1,"id":"2","cat":"c","name":"req"},
 {"ph":"e","pid":1,"ts":5,"id":"1","cat":"c","name":"req"},
 {"ph":"e","pid":1,"ts":6,"id":"2","cat":"c","name":"req"},
 {"ph":"M","pid":2,"name":"process_sort_index","args":{"sort_index":-5}},
 {"ph":"M","pid":2,"tid":7,"name":"thread_sort_index","args":{"sort_index":-1}}
]})";

// kTrace laid out with small rows and gaps, for checks against a linear scan.
struct SmallRows {
  std::unique_ptr<Trace> t = load_text(kTrace);
  ViewIndex index{*t};
  LayoutMetrics m = [] {
    LayoutMetrics lm;
    lm.row_h = 7;
    lm.gap = 3;
    return lm;
  }();
  std::vector<LaidTrack> tracks = layout_tracks(index, {}, {}, {}, m);
  float total = layout_height(tracks, m);
};

}  // namespace

TEST_CASE("tracks follow sort indexes, then pid and tid") {
  auto t = load_text(kTrace);
  ViewIndex index(*t);
  LayoutMetrics m;
  const auto tracks = layout_tracks(index, {}, {}, {}, m);
  std::vector<std::string> names;
  for (const LaidTrack& lt : tracks) {
    switch (lt.kind) {
      case TrackKind::Header: names.push_back("P" + std::string(t->str(t->processes[lt.id].pid))); break;
      case TrackKind::Counter: names.push_back("C" + std::string(t->str(t->counters[lt.id].name))); break;
      case TrackKind::Async: names.push_back("A" + std::to_string(lt.rows)); break;
      case TrackKind::Thread: names.push_back("T" + std::string(t->str(t->threads[lt.id].tid)) + ":" + std::to_string(lt.rows)); break;
      case TrackKind::Objects: names.push_back("O" + std::to_string(lt.rows)); break;
    }
  }
  // pid 2 first (sort index -5), its tid 7 first (sort index -1); pid 1 has a counter, two
  // overlapping async slices in two lanes, and one nested row plus one overflow lane.
  CHECK(names == std::vector<std::string>{"P2", "T7:2", "T3:1", "P1", "Cmem", "A2", "T1:2"});
  for (size_t i = 1; i < tracks.size(); ++i) CHECK(tracks[i].y >= tracks[i - 1].y + tracks[i - 1].h);
}

TEST_CASE("a process with nothing to show gets no header") {
  // pid 5 only named itself; pid "Traces" only gave a global instant (the global row shows it);
  // pid 6 gave a process instant, drawn on its header.
  auto t = load_text(R"([{"ph":"M","name":"process_name","pid":5,"args":{"name":"idle"}},
    {"ph":"i","s":"g","name":"g","pid":"Traces","tid":1,"ts":1},
    {"ph":"i","s":"p","name":"p","pid":6,"tid":1,"ts":1},
    {"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":5}])");
  ViewIndex index(*t);
  const auto tracks = layout_tracks(index, {}, {}, {}, LayoutMetrics{});
  std::vector<std::string> headers;
  for (const LaidTrack& lt : tracks)
    if (lt.kind == TrackKind::Header) headers.emplace_back(t->str(t->processes[lt.id].pid));
  std::sort(headers.begin(), headers.end());
  CHECK(headers == std::vector<std::string>{"1", "6"});
}

TEST_CASE("collapsed groups keep only their header") {
  auto t = load_text(kTrace);
  ViewIndex index(*t);
  LayoutMetrics m;
  const auto tracks = layout_tracks(index, {1, 0}, {}, {}, m);
  REQUIRE(tracks.size() == 5);
  CHECK(tracks[0].kind == TrackKind::Header);
  CHECK(tracks[1].kind == TrackKind::Header);
}

TEST_CASE("hit testing agrees with a linear scan") {
  const SmallRows f;
  const std::vector<LaidTrack>& tracks = f.tracks;
  const LayoutMetrics& m = f.m;
  const float total = f.total;
  for (float y = -5; y < total + 5; y += 0.5f) {
    int expect = -1, row = -1;
    for (size_t i = 0; i < tracks.size(); ++i) {
      if (y >= tracks[i].y && y < tracks[i].y + tracks[i].h) {
        expect = int(i);
        if (tracks[i].kind == TrackKind::Thread || tracks[i].kind == TrackKind::Async) {
          row = int((y - tracks[i].y) / m.row_h);
        }
      }
    }
    const TrackHit h = hit_track(tracks, y, m);
    CHECK(h.track == expect);
    CHECK(h.row == row);
  }
}

TEST_CASE("the tracks in a band agree with a linear scan") {
  const SmallRows f;
  const std::vector<LaidTrack>& tracks = f.tracks;
  const float total = f.total;
  for (float y0 = -10; y0 < total + 5; y0 += 1.5f)
    for (float h : {0.5f, 3.0f, 11.0f, 40.0f, 1000.0f}) {
      CAPTURE(y0);
      CAPTURE(h);
      size_t first = tracks.size(), last = 0;
      for (size_t i = 0; i < tracks.size(); ++i)
        if (tracks[i].y < y0 + h && tracks[i].y + tracks[i].h > y0) first = std::min(first, i), last = i + 1;
      const auto [b, e] = tracks_between(tracks, y0, y0 + h);
      if (first == tracks.size()) {
        CHECK(b == e);  // nothing but a gap in the band
      } else {
        CHECK(b == first);
        CHECK(e == last);
      }
    }
}

TEST_CASE("same name, same hue; different names, usually different hues") {
  CHECK(name_hash("parse") == name_hash("parse"));
  CHECK(name_hash("parse") != name_hash("parsf"));
  auto t = load_text(kTrace);
  ViewIndex index(*t);
  CHECK(index.thread_rows(0) >= 1);
}

namespace {

// `n` async slices and `n` objects of process `pid`, all alive over [start, start + len] µs (ids
// unique per process), so each track has n lanes.
void add_overlapping(std::string& json, int pid, uint32_t n, int start = 0, int len = 10) {
  for (uint32_t i = 0; i < n; ++i) {
    const std::string common = ",\"pid\":" + std::to_string(pid) + ",\"tid\":1,\"id\":\"" + std::to_string(i) + "\"";
    json += R"({"ph":"b","cat":"c","name":"op","ts":)" + std::to_string(start) + common + "},";
    json += R"({"ph":"e","cat":"c","name":"op","ts":)" + std::to_string(start + len) + common + "},";
    json += R"({"ph":"N","name":"obj","ts":)" + std::to_string(start) + common + "},";
    json += R"({"ph":"D","name":"obj","ts":)" + std::to_string(start + len) + common + "},";
  }
  json += R"({"ph":"X","name":"work","ts":0,"dur":20,"tid":1,"pid":)" + std::to_string(pid) + "},";
}

const LaidTrack& find_track(const ViewIndex& index, const std::vector<LaidTrack>& tracks, TrackKind kind,
                            const char* pid) {
  const Trace& t = index.trace();
  for (const LaidTrack& lt : tracks)
    if (lt.kind == kind && t.str(t.processes[index.processes()[lt.group].process].pid) == pid) return lt;
  FAIL("no such track");
  return tracks.front();
}

}  // namespace

TEST_CASE("async and object tracks above the lane cap show kLaneCap rows until all their lanes are shown") {
  // pid 1: kLaneCap + 5 lanes of each kind; pid 2: exactly kLaneCap; pid 3: kLaneCap + 1.
  std::string json = "[";
  add_overlapping(json, 1, kLaneCap + 5);
  add_overlapping(json, 2, kLaneCap);
  add_overlapping(json, 3, kLaneCap + 1);
  json.back() = ']';
  auto t = load_text(json);
  ViewIndex index(*t);
  LayoutMetrics m;
  m.row_h = 10;
  m.gap = 4;
  const std::pair<const char*, uint32_t> procs[] = {{"1", kLaneCap + 5}, {"2", kLaneCap}, {"3", kLaneCap + 1}};
  const auto capped_layout = layout_tracks(index, {}, {}, {}, m);
  for (const auto& [pid, lanes] : procs) {
    for (TrackKind kind : {TrackKind::Async, TrackKind::Objects}) {
      CAPTURE(pid);
      const LaidTrack& lt = find_track(index, capped_layout, kind, pid);
      CHECK(lt.lanes == lanes);
      CHECK(lt.rows == std::min(lanes, kLaneCap));  // capped by default, and never more than there are
      CHECK(lt.h == m.row_h * float(lt.rows));
      CHECK(capped(lt) == (lanes > kLaneCap));
    }
  }
  // Groups in display order: by pid here, one async track each. Group 0 shows all its async
  // lanes only, group 1 asks for both (it has nothing to lift), group 2 all its object lanes.
  REQUIRE(t->str(t->processes[index.processes()[0].process].pid) == "1");
  for (uint32_t g = 0; g < 3; ++g) REQUIRE(index.processes()[g].async_end == g + 1);
  const auto some = layout_tracks(index, {}, {0, 1, 1}, {1, 1, 0}, m);
  CHECK(find_track(index, some, TrackKind::Async, "1").rows == kLaneCap + 5);
  CHECK(find_track(index, some, TrackKind::Objects, "1").rows == kLaneCap);
  CHECK(find_track(index, some, TrackKind::Async, "2").rows == kLaneCap);
  CHECK(find_track(index, some, TrackKind::Objects, "2").rows == kLaneCap);
  CHECK(find_track(index, some, TrackKind::Async, "3").rows == kLaneCap);
  CHECK_FALSE(capped(find_track(index, some, TrackKind::Objects, "3")));
  CHECK(find_track(index, some, TrackKind::Objects, "3").h == m.row_h * float(kLaneCap + 1));
  // What follows moves down by the rows shown.
  CHECK(find_track(index, some, TrackKind::Objects, "1").y == find_track(index, capped_layout, TrackKind::Objects, "1").y + 5 * m.row_h);
  CHECK(find_track(index, some, TrackKind::Objects, "3").y == find_track(index, capped_layout, TrackKind::Objects, "3").y + 5 * m.row_h);
  for (size_t i = 1; i < some.size(); ++i) CHECK(some[i].y == some[i - 1].y + some[i - 1].h + m.gap);

  // The row of each lane: the hidden ones share the summary row; shown, each has its own.
  const LaidTrack& capped1 = find_track(index, capped_layout, TrackKind::Async, "1");
  const LaidTrack& all1 = find_track(index, some, TrackKind::Async, "1");
  for (uint32_t l = 0; l < kLaneCap + 5; ++l) {
    CAPTURE(l);
    CHECK(lane_row(capped1, l) == (l < kLaneCap - 1 ? l : kLaneCap - 1));
    CHECK(lane_row(all1, l) == l);
  }
  // Hit testing stops at the summary row.
  CHECK(hit_track(capped_layout, capped1.y + capped1.h - 1, m).row == int(kLaneCap - 1));
  CHECK(hit_track(capped_layout, capped1.y + capped1.h + 1, m).track == -1);
  CHECK(hit_track(some, all1.y + all1.h - 1, m).row == int(kLaneCap + 4));
}

TEST_CASE("merge_spans is the union of the spans, against a per-nanosecond scan") {
  std::mt19937_64 rng(31);
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<TimeSpan> spans(rng() % 40);
    for (TimeSpan& s : spans) {
      s.t0 = Time(rng() % 200);
      s.t1 = s.t0 + (rng() % 3 == 0 ? 0 : Time(rng() % 30));
    }
    const std::vector<TimeSpan> merged = merge_spans(spans);
    for (size_t k = 1; k < merged.size(); ++k) CHECK(merged[k].t0 > merged[k - 1].t1);  // apart, in order
    for (const TimeSpan& s : merged) CHECK(s.t0 <= s.t1);
    for (Time x = -1; x < 240; ++x) {
      bool want = false, got = false;
      for (const TimeSpan& s : spans) want = want || (s.t0 <= x && x <= s.t1);
      for (const TimeSpan& s : merged) got = got || (s.t0 <= x && x <= s.t1);
      CHECK_MESSAGE(got == want, "t=" << x);
    }
  }
}

TEST_CASE("the summary rows hold the union of the hidden lanes' items, only above the cap") {
  std::mt19937_64 rng(37);
  int capped_async = 0, capped_objects = 0;
  for (int iter = 0; iter < 30; ++iter) {
    // Random async slices and objects (starts and lengths in µs); many at once, sometimes.
    std::string json = "[";
    const int n = 1 + int(rng() % 80);
    const int spread = 1 + int(rng() % 400);
    for (int i = 0; i < n; ++i) {
      const int s = int(rng() % uint64_t(spread)), len = int(rng() % 60);
      const std::string common = ",\"pid\":1,\"tid\":1,\"id\":\"" + std::to_string(i) + "\"";
      json += R"({"ph":"b","cat":"c","name":"op","ts":)" + std::to_string(s) + common + "},";
      json += R"({"ph":"e","cat":"c","name":"op","ts":)" + std::to_string(s + len) + common + "},";
      const int os = int(rng() % uint64_t(spread)), olen = int(rng() % 60);
      json += R"({"ph":"N","name":"obj","ts":)" + std::to_string(os) + common + "},";
      json += R"({"ph":"D","name":"obj","ts":)" + std::to_string(os + olen) + common + "},";
    }
    json.back() = ']';
    auto t = load_text(json);
    ViewIndex index(*t);
    REQUIRE(index.processes().size() == 1);
    const ProcessTracks& p = index.processes()[0];
    REQUIRE(p.async_end == p.async_begin + 1);  // one name
    const AsyncTrack& at = index.async_tracks()[p.async_begin];
    // Brute force: per half microsecond (every end point is a whole one), whether an item of a
    // hidden lane covers it.
    std::vector<TimeSpan> async_items, object_items;
    for (uint32_t l = kLaneCap - 1; l < at.lanes.size(); ++l)
      for (uint32_t i : at.lanes[l]) {
        const AsyncSlice& a = t->async_slices[i];
        async_items.push_back({a.start, a.start + a.dur});
      }
    for (const ObjectInstance& o : p.objects.instances)
      if (o.lane >= kLaneCap - 1) object_items.push_back({o.start, o.end});
    auto check = [&](const std::vector<TimeSpan>& items, const std::vector<TimeSpan>& hidden, uint32_t lanes) {
      CAPTURE(lanes);
      if (lanes <= kLaneCap) {
        CHECK(hidden.empty());  // nothing hidden: no summary row
        return;
      }
      REQUIRE_FALSE(hidden.empty());
      for (size_t k = 1; k < hidden.size(); ++k) CHECK(hidden[k].t0 > hidden[k - 1].t1);
      for (Time x = t->start - 1000; x <= t->end + 1000; x += 500) {
        bool want = false, got = false;
        for (const TimeSpan& s : items) want = want || (s.t0 <= x && x <= s.t1);
        for (const TimeSpan& s : hidden) got = got || (s.t0 <= x && x <= s.t1);
        CHECK_MESSAGE(got == want, "t=" << x);
      }
    };
    check(async_items, at.hidden, uint32_t(at.lanes.size()));
    check(object_items, p.objects_hidden, p.objects.lanes());
    capped_async += at.lanes.size() > kLaneCap;
    capped_objects += p.objects.lanes() > kLaneCap;
  }
  // Both cases came up.
  CHECK(capped_async > 5);
  CHECK(capped_async < 25);
  CHECK(capped_objects > 5);
  CHECK(capped_objects < 25);
}

namespace {

// Checks the async tracks of `index` against brute force, for slices that each have an id of their
// own (so none nest in another and every slice is a group): each of a process's names with at least
// two slices, up to kMaxAsyncTracks of the most used (ties: the first to start), has a track of
// exactly its slices; every other slice is in the one track left (name kNoStr); tracks come in
// the order their first slices start; lanes are by start, never overlap and are as many as the
// most slices in flight as one begins. Returns how many pooled tracks there were.
int check_async_tracks(const ViewIndex& index) {
  const Trace& t = index.trace();
  const auto& tracks = index.async_tracks();
  std::vector<int> seen(t.async_slices.size(), 0);
  int pools = 0;
  for (uint32_t g = 0; g < index.processes().size(); ++g) {
    const ProcessTracks& p = index.processes()[g];
    // The names that should have a track.
    std::map<StrId, std::pair<uint32_t, Time>> uses;  // name -> (slices, first start)
    for (const AsyncSlice& a : t.async_slices) {
      if (a.process != p.process) continue;
      auto [it, fresh] = uses.try_emplace(t.labels[a.label].name, 0, a.start);
      it->second.first++;
      it->second.second = std::min(it->second.second, a.start);
    }
    std::vector<std::pair<StrId, std::pair<uint32_t, Time>>> ranked;
    for (const auto& u : uses)
      if (u.second.first >= 2) ranked.push_back(u);
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.second.first != b.second.first ? a.second.first > b.second.first : a.second.second < b.second.second;
    });
    std::set<StrId> own;
    for (size_t k = 0; k < ranked.size() && k < kMaxAsyncTracks; ++k) own.insert(ranked[k].first);
    // Ties at the cut could go either way; none of the inputs here have any.
    if (ranked.size() > kMaxAsyncTracks) {
      REQUIRE(ranked[kMaxAsyncTracks].second.first < ranked[kMaxAsyncTracks - 1].second.first);
    }
    const bool want_pool = own.size() < uses.size();
    std::set<StrId> got;
    Time prev_first = std::numeric_limits<Time>::min();
    for (uint32_t k = p.async_begin; k < p.async_end; ++k) {
      const AsyncTrack& tk = tracks[k];
      CHECK(tk.process == p.process);
      if (tk.name == kNoStr) pools++;
      else CHECK(got.insert(tk.name).second);  // one track per name
      REQUIRE_FALSE(tk.lanes.empty());
      Time first = std::numeric_limits<Time>::max();
      std::vector<TimeSpan> items;
      for (uint32_t l = 0; l < tk.lanes.size(); ++l) {
        CHECK_FALSE(tk.lanes[l].empty());  // lanes are as many as needed
        for (size_t j = 0; j < tk.lanes[l].size(); ++j) {
          const uint32_t i = tk.lanes[l][j];
          const AsyncSlice& a = t.async_slices[i];
          seen[i]++;
          CHECK(a.process == p.process);
          const StrId name = t.labels[a.label].name;  // every category of the name
          if (tk.name == kNoStr) CHECK(own.count(name) == 0);
          else CHECK(name == tk.name);
          CHECK(index.async_place(i).track == k);
          CHECK(index.async_place(i).lane == l);
          if (j > 0) {  // in a lane by start, never overlapping (touching is fine)
            const AsyncSlice& b = t.async_slices[tk.lanes[l][j - 1]];
            CHECK(b.start + b.dur <= a.start);
          }
          first = std::min(first, a.start);
          items.push_back({a.start, a.start + a.dur});
        }
      }
      CHECK(first >= prev_first);  // tracks in the order their first slices start
      prev_first = first;
      // As many lanes as the most slices in flight as one begins: those before it by start
      // (longer first) that end after its start, and itself.
      std::sort(items.begin(), items.end(), [](const TimeSpan& a, const TimeSpan& b) {
        return a.t0 != b.t0 ? a.t0 < b.t0 : a.t1 > b.t1;
      });
      uint32_t most = 0;
      for (size_t j = 0; j < items.size(); ++j) {
        uint32_t alive = 1;
        for (size_t o = 0; o < j; ++o) alive += items[o].t1 > items[j].t0;
        most = std::max(most, alive);
      }
      CHECK(tk.lanes.size() == most);
    }
    CHECK(got == own);
    CHECK(p.async_end - p.async_begin == own.size() + (want_pool ? 1 : 0));
  }
  for (int c : seen) CHECK(c == 1);  // every async slice in exactly one lane
  return pools;
}

}  // namespace

TEST_CASE("async slices get a track per name (one-off names share one), lanes that never overlap, against brute force") {
  std::mt19937_64 rng(41);
  const char* names[] = {"PROMISE", "FILEHANDLE", "ZLIB", "request 1", "request 2", "request 3"};
  int pools = 0;
  for (int iter = 0; iter < 40; ++iter) {
    std::string json = "[";
    const int n = 1 + int(rng() % 60), spread = 1 + int(rng() % 300);
    for (int i = 0; i < n; ++i) {
      const int s = int(rng() % uint64_t(spread)), len = int(rng() % 50);
      // The "request" names are rarer: often once, sometimes more.
      const char* name = names[rng() % 4 == 0 ? 3 + rng() % 3 : rng() % 3];
      const std::string common = std::string(",\"cat\":\"c") + std::to_string(rng() % 2) + "\",\"name\":\"" + name +
                                 "\",\"pid\":" + std::to_string(1 + rng() % 2) + ",\"tid\":1,\"id\":\"" +
                                 std::to_string(i) + "\"";
      json += R"({"ph":"b","ts":)" + std::to_string(s) + common + "},";
      json += R"({"ph":"e","ts":)" + std::to_string(s + len) + common + "},";
    }
    json.back() = ']';
    auto t = load_text(json);
    ViewIndex index(*t);
    pools += check_async_tracks(index);
  }
  CHECK(pools > 5);  // both kinds of track came up
}

TEST_CASE("past kMaxAsyncTracks names, the less used ones share the other names' track") {
  // Name k has k + 2 slices (k = 0 .. kMaxAsyncTracks + 7), each a microsecond after the last.
  std::string json = "[";
  int id = 0;
  for (uint32_t k = 0; k < kMaxAsyncTracks + 8; ++k)
    for (uint32_t j = 0; j < k + 2; ++j, ++id) {
      const std::string common = ",\"cat\":\"c\",\"name\":\"op" + std::to_string(k) + "\",\"pid\":1,\"tid\":1,\"id\":\"" +
                                 std::to_string(id) + "\"";
      json += R"({"ph":"b","ts":)" + std::to_string(id) + common + "},";
      json += R"({"ph":"e","ts":)" + std::to_string(id + 3) + common + "},";
    }
  json.back() = ']';
  auto t = load_text(json);
  ViewIndex index(*t);
  CHECK(check_async_tracks(index) == 1);
  const ProcessTracks& p = index.processes()[0];
  CHECK(p.async_end - p.async_begin == kMaxAsyncTracks + 1);
  // op0 .. op7 (the fewest slices) start first and share the first track.
  CHECK(index.async_tracks()[p.async_begin].name == kNoStr);
  CHECK(t->str(index.async_tracks()[p.async_begin + 1].name) == "op8");
}

TEST_CASE("nested async slices of one category and id are drawn in rows under the one they nest in, in its track") {
  // Two PipelineReporter groups (ids 1 and 2) with their stages; group 1 has a stage inside a
  // stage. Group 2 begins while group 1's three rows are busy, so it takes the next two lanes.
  // Id 3: a Frame whose stage begins and ends with it (nested all the same: the first begun is
  // the outer one). Draw is a group once (id 4) and a stage once: one group, no track of its own.
  auto ev = [](const char* ph, int ts, const char* id, const char* name) {
    return std::string(R"({"ph":")") + ph + R"(","ts":)" + std::to_string(ts) + R"(,"pid":1,"tid":1,"cat":"cc","id":")" +
           id + R"(","name":")" + name + "\"},";
  };
  std::string json = "[";
  json += ev("b", 0, "1", "PipelineReporter") + ev("b", 0, "1", "BeginImpl") + ev("e", 30, "1", "BeginImpl");
  json += ev("b", 30, "1", "Submit") + ev("b", 40, "1", "Draw") + ev("e", 60, "1", "Draw");
  json += ev("e", 100, "1", "Submit") + ev("e", 100, "1", "PipelineReporter");
  json += ev("b", 50, "2", "PipelineReporter") + ev("b", 60, "2", "BeginImpl") + ev("e", 90, "2", "BeginImpl");
  json += ev("e", 150, "2", "PipelineReporter");
  json += ev("b", 200, "3", "Frame") + ev("b", 200, "3", "Stage") + ev("e", 300, "3", "Stage") + ev("e", 300, "3", "Frame");
  json += ev("b", 210, "4", "Draw") + ev("e", 220, "4", "Draw");
  json.back() = ']';
  auto t = load_text(json);
  ViewIndex index(*t);
  REQUIRE(index.processes().size() == 1);
  const ProcessTracks& p = index.processes()[0];
  auto slice = [&](const char* name, Time start_us) {
    for (uint32_t i = 0; i < t->async_slices.size(); ++i)
      if (t->name_of(t->async_slices[i].label) == name && t->async_slices[i].start == start_us * 1000) return i;
    FAIL("no such async slice: " << name);
    return kNone;
  };
  // PipelineReporter has two groups: a track of its own, holding its groups' stages too. Frame
  // and Draw have one group each: the other track.
  REQUIRE(p.async_end - p.async_begin == 2);
  const uint32_t reporter = p.async_begin, other = p.async_begin + 1;
  CHECK(t->str(index.async_tracks()[reporter].name) == "PipelineReporter");
  CHECK(index.async_tracks()[other].name == kNoStr);
  auto at = [&](const char* name, Time start_us) { return index.async_place(slice(name, start_us)); };
  auto check_at = [&](const char* name, Time start_us, uint32_t track, uint32_t lane) {
    CAPTURE(name);
    CAPTURE(start_us);
    CHECK(at(name, start_us).track == track);
    CHECK(at(name, start_us).lane == lane);
  };
  check_at("PipelineReporter", 0, reporter, 0);
  check_at("BeginImpl", 0, reporter, 1);
  check_at("Submit", 30, reporter, 1);
  check_at("Draw", 40, reporter, 2);
  check_at("PipelineReporter", 50, reporter, 3);  // lanes 0..2 are busy at 50
  check_at("BeginImpl", 60, reporter, 4);
  CHECK(index.async_tracks()[reporter].lanes.size() == 5);
  check_at("Frame", 200, other, 0);
  check_at("Stage", 200, other, 1);
  check_at("Draw", 210, other, 2);  // the Frame group's two rows are busy
  // Every lane's slices by start and apart.
  for (const AsyncTrack& tk : index.async_tracks())
    for (const auto& lane : tk.lanes)
      for (size_t j = 1; j < lane.size(); ++j) {
        const AsyncSlice &a = t->async_slices[lane[j - 1]], &b = t->async_slices[lane[j]];
        CHECK(a.start + a.dur <= b.start);
      }

  // Laid out: one Async track per async_tracks() entry, in order; lifting the cap of one changes
  // only that one (the second of the group here, so a track/group mix-up shows).
  LayoutMetrics m;
  const auto tracks = layout_tracks(index, {}, {}, {0, 1}, m);
  std::vector<uint32_t> ids;
  for (const LaidTrack& lt : tracks)
    if (lt.kind == TrackKind::Async) {
      ids.push_back(lt.id);
      CHECK(lt.group == 0);
      CHECK(lt.lanes == index.async_tracks()[lt.id].lanes.size());
    }
  CHECK(ids == std::vector<uint32_t>{reporter, other});
}

TEST_CASE("an async slice that begins inside another of its key but ends after it stands alone") {
  // Not from JSON (pairing per key is last in, first out, so those always nest), but a merged or
  // .vzt trace can hold it: A [210, 250] and B [240, 280] of one id inside Frame [200, 300].
  Trace t;
  TraceBuilder b(t);
  b.process(b.intern("1"));
  const StrId cat = b.intern("cc"), id = b.intern("3");
  auto add = [&](const char* name, Time start, Time end, StrId with_id) {
    AsyncSlice a;
    a.start = start;
    a.dur = end - start;
    a.label = b.label(b.intern(name), cat);
    a.process = 0;
    a.id = with_id;
    b.add_async_slice_raw(a);
  };
  add("Frame", 200, 300, id);
  add("A", 210, 250, id);
  add("B", 240, 280, id);
  add("D", 285, 290, b.intern("4"));  // a one-row group (another id) that comes after
  b.finish(1);
  ViewIndex index(t);
  const ProcessTracks& p = index.processes()[0];
  REQUIRE(p.async_end - p.async_begin == 1);  // every name once: one track
  auto lane_of = [&](const char* name) {
    for (uint32_t i = 0; i < t.async_slices.size(); ++i)
      if (t.name_of(t.async_slices[i].label) == name) return index.async_place(i).lane;
    FAIL("no " << name);
    return kNone;
  };
  CHECK(lane_of("Frame") == 0);
  CHECK(lane_of("A") == 1);
  CHECK(lane_of("B") == 2);  // its own group: Frame's group is two rows (Frame, A), not three
  CHECK(lane_of("D") == 2);  // B ended at 280: lane 2 is free again
}

TEST_CASE("an async slice inside another of its id but another key (category, scope, b/e vs S/F) does not nest in it") {
  // "Inner" [10, 20] lies inside "Outer" [0, 100], both id 1, their keys apart in one way. Not
  // nested, Inner is a group of its own: with the second Inner, its name has two groups and a
  // track, Inner is in it. Nested, it would be in Outer's track and Inner's name would be pooled.
  auto ev = [](const char* ph, const char* cat, const char* id, const char* name, int ts, const char* more) {
    return std::string(R"({"ph":")") + ph + R"(","cat":")" + cat + R"(","id":")" + id + R"(","name":")" + name +
           R"(","ts":)" + std::to_string(ts) + R"(,"pid":1,"tid":1)" + more + "},";
  };
  struct Case {
    const char *why, *inner_cat, *inner_b, *inner_e, *inner_more;
  };
  for (const Case& c : {Case{"category", "b", "b", "e", ""}, Case{"phase", "a", "S", "F", ""},
                        Case{"scope", "a", "b", "e", R"(,"scope":"x")"}}) {
    CAPTURE(c.why);
    std::string json = "[";
    json += ev("b", "a", "1", "Outer", 0, "") + ev("e", "a", "1", "Outer", 100, "");
    json += ev(c.inner_b, c.inner_cat, "1", "Inner", 10, c.inner_more) + ev(c.inner_e, c.inner_cat, "1", "Inner", 20, c.inner_more);
    json += ev("b", "a", "2", "Inner", 30, "") + ev("e", "a", "2", "Inner", 40, "");
    json += ev("b", "a", "3", "Outer", 200, "") + ev("e", "a", "3", "Outer", 300, "");
    json.back() = ']';
    auto t = load_text(json);
    REQUIRE(t->async_slices.size() == 4);
    ViewIndex index(*t);
    for (uint32_t i = 0; i < t->async_slices.size(); ++i) {
      const AsyncSlice& a = t->async_slices[i];
      const uint32_t track = index.async_place(i).track;
      REQUIRE(track < index.async_tracks().size());
      CHECK(index.async_tracks()[track].name == t->labels[a.label].name);  // each in its name's track
      CHECK(index.async_place(i).lane == 0);  // nothing nests, nothing overlaps within a name
    }
  }
}

TEST_CASE("async slices sharing ids: every slice in one lane, lanes apart, nested ones below what they nest in") {
  std::mt19937_64 rng(59);
  for (int iter = 0; iter < 60; ++iter) {
    // Random begins and ends over a few ids and names: per id, ends close the latest open begin.
    std::string json = "[";
    const int n = 1 + int(rng() % 80);
    std::vector<int> open(4, 0);
    int ts = 0;
    for (int i = 0; i < n; ++i) {
      ts += int(rng() % 3);  // equal timestamps now and then
      const int id = int(rng() % 4);
      const bool end = open[size_t(id)] > 0 && rng() % 2;
      open[size_t(id)] += end ? -1 : 1;
      json += std::string(R"({"ph":")") + (end ? "e" : "b") + R"(","ts":)" + std::to_string(ts) +
              R"(,"pid":1,"tid":1,"cat":"c","id":")" + std::to_string(id) + R"(","name":"n)" +
              std::to_string(rng() % 3) + "\"},";
    }
    json.back() = ']';
    auto t = load_text(json);
    ViewIndex index(*t);
    const auto& all = t->async_slices;
    std::vector<int> seen(all.size(), 0);
    for (const AsyncTrack& tk : index.async_tracks())
      for (uint32_t l = 0; l < tk.lanes.size(); ++l)
        for (size_t j = 0; j < tk.lanes[l].size(); ++j) {
          const uint32_t i = tk.lanes[l][j];
          seen[i]++;
          CHECK(index.async_place(i).lane == l);
          if (j > 0) {
            const AsyncSlice& prev = all[tk.lanes[l][j - 1]];
            CHECK(saturating_end(prev.start, prev.dur) <= all[i].start);
          }
        }
    for (int c : seen) CHECK(c == 1);
    // A slice inside another of its id (which begun no later, and is not the same interval
    // listed later) is in the same track, in a lane below it.
    for (uint32_t i = 0; i < all.size(); ++i)
      for (uint32_t o = 0; o < all.size(); ++o) {
        if (o == i || all[o].id != all[i].id) continue;
        const Time ie = saturating_end(all[i].start, all[i].dur), oe = saturating_end(all[o].start, all[o].dur);
        const bool inside = all[o].start <= all[i].start && ie <= oe && all[i].start < oe;
        if (!inside || (all[o].start == all[i].start && oe == ie && o > i)) continue;
        CAPTURE(json);
        CHECK(index.async_place(i).track == index.async_place(o).track);
        CHECK(index.async_place(i).lane > index.async_place(o).lane);
      }
  }
}

TEST_CASE("async marks sit on the innermost slice of their key that spans them, against brute force") {
  std::mt19937 rng(11);
  for (int round = 0; round < 20; ++round) {
    CAPTURE(round);
    std::string s = "[";
    auto ev = [&](const std::string& e) { s += (s.size() > 1 ? ",\n" : "") + e; };
    auto pick = [&](int n) { return int(rng() % unsigned(n)); };
    // b/e and S/F slices of a few keys, each key's intervals nested or apart (so pairing makes
    // exactly them), then n/T/p marks at random times, some of keys with no slice.
    for (int k = 0; k < 12; ++k) {
      const std::string pid = std::to_string(1 + pick(2)), cat = pick(2) ? "a" : "b", id = std::to_string(pick(4));
      const bool legacy = pick(3) == 0;
      const std::string name = legacy ? (pick(2) ? "load" : "boot") : "op" + std::to_string(pick(3));
      int t = pick(50);
      for (int r = 0; r < 1 + pick(4); ++r) {
        const int depth = 1 + pick(3), len = 40 + pick(200);
        for (int d = 0; d < depth; ++d)
          ev(std::string("{\"ph\":\"") + (legacy ? "S" : "b") + "\",\"pid\":" + pid + ",\"tid\":1,\"ts\":" +
             std::to_string(t + d * 5) + ",\"cat\":\"" + cat + "\",\"id\":" + id + ",\"name\":\"" + name + "\"}");
        for (int d = depth; d-- > 0;)
          ev(std::string("{\"ph\":\"") + (legacy ? "F" : "e") + "\",\"pid\":" + pid + ",\"tid\":1,\"ts\":" +
             std::to_string(t + len - d * 5) + ",\"cat\":\"" + cat + "\",\"id\":" + id + ",\"name\":\"" + name + "\"}");
        t += len + pick(30);
      }
    }
    for (int m = 0; m < 60; ++m) {
      const char ph = "nnTp"[pick(4)];
      ev(std::string("{\"ph\":\"") + ph + "\",\"pid\":" + std::to_string(1 + pick(2)) + ",\"tid\":1,\"ts\":" +
         std::to_string(pick(900)) + ",\"cat\":\"" + (pick(2) ? "a" : "b") + "\",\"id\":" + std::to_string(pick(5)) +
         ",\"name\":\"" + (ph == 'n' ? "mark" : pick(2) ? "load" : "boot") + "\"}");
    }
    auto t = load_text(s + "]");
    REQUIRE(t);
    REQUIRE(t->async_marks.size() == 60);
    ViewIndex index(*t);
    const auto& sl = t->async_slices;
    std::vector<std::vector<uint32_t>> on(sl.size());
    size_t placed = 0;
    for (uint32_t m = 0; m < t->async_marks.size(); ++m) {
      const AsyncMark& mk = t->async_marks[m];
      const Label& ml = t->labels[mk.label];
      uint32_t best = kNone;
      for (uint32_t i = 0; i < sl.size(); ++i) {
        const AsyncSlice& a = sl[i];
        const Label& al = t->labels[a.label];
        const bool legacy = mk.phase != 'n';
        if (a.process != mk.process || al.cat != ml.cat || a.id != mk.id || a.scope != mk.scope ||
            (a.phase == 'S') != legacy || (legacy && al.name != ml.name))
          continue;
        if (a.start > mk.ts || a.start + a.dur < mk.ts) continue;
        if (best == kNone || a.start > sl[best].start || (a.start == sl[best].start && a.dur < sl[best].dur))
          best = i;
      }
      CHECK(index.async_mark_slice(m) == best);
      if (best != kNone) on[best].push_back(m), ++placed;
    }
    CHECK(placed > 0);
    for (uint32_t i = 0; i < sl.size(); ++i) {
      std::stable_sort(on[i].begin(), on[i].end(),
                       [&](uint32_t x, uint32_t y) { return t->async_marks[x].ts < t->async_marks[y].ts; });
      const auto [b, e] = index.async_marks_on(i);
      CHECK(std::vector<uint32_t>(b, e) == on[i]);
    }
  }
}

TEST_CASE("a track filter keeps the tracks it names, or a whole process its name or pid names") {
  auto t = load_text(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":11,"ts":0,"dur":10,"name":"a"},
   {"ph":"X","pid":1,"tid":12,"ts":0,"dur":10,"name":"b"},
   {"ph":"X","pid":2,"tid":21,"ts":0,"dur":10,"name":"c"},
   {"ph":"C","pid":1,"ts":0,"name":"Memory","args":{"rss":1}},
   {"ph":"b","pid":2,"ts":0,"id":"1","cat":"c","name":"request"},
   {"ph":"e","pid":2,"ts":5,"id":"1","cat":"c","name":"request"},
   {"ph":"M","pid":1,"tid":11,"name":"thread_name","args":{"name":"Worker-A"}},
   {"ph":"M","pid":1,"tid":12,"name":"thread_name","args":{"name":"main"}},
   {"ph":"M","pid":2,"name":"process_name","args":{"name":"Renderer"}},
   {"ph":"M","pid":2,"tid":21,"name":"thread_name","args":{"name":"io"}}
  ]})");
  ViewIndex index(*t);
  LayoutMetrics m;
  // What each filter lays out: kind and the thread's tid, counter's or async track's name, or
  // process's pid.
  auto shown = [&](std::string_view filter) {
    std::vector<std::string> out;
    for (const LaidTrack& lt : layout_tracks(index, {}, {}, {}, m, {}, filter)) {
      switch (lt.kind) {
        case TrackKind::Header: out.push_back("P" + std::string(t->str(t->processes[lt.id].pid))); break;
        case TrackKind::Thread: out.push_back("T" + std::string(t->str(t->threads[lt.id].tid))); break;
        case TrackKind::Counter: out.push_back("C" + std::string(t->str(t->counters[lt.id].name))); break;
        case TrackKind::Async: out.push_back("A" + std::string(t->str(index.async_tracks()[lt.id].name))); break;
        case TrackKind::Objects: out.push_back("O"); break;
      }
    }
    return out;
  };
  using V = std::vector<std::string>;
  const V all = shown("");
  // (one async name: the process's "Async" track, named so on screen)
  CHECK(all == V{"P1", "CMemory", "T11", "T12", "P2", "A", "T21"});
  CHECK(shown("worker") == V{"P1", "T11"});              // a thread by name, any case
  CHECK(shown("12") == V{"P1", "T12"});                  // by tid
  CHECK(shown("memory") == V{"P1", "CMemory"});          // a counter
  CHECK(shown("ASYNC") == V{"P2", "A"});                 // an async track
  CHECK(shown("render") == V{"P2", "A", "T21"});  // a process by name: all of it
  CHECK(shown("2") == V{"P1", "T12", "P2", "A", "T21"});  // tid 12; pid 2: all of it
  CHECK(shown("nothing here").empty());
  // A collapsed process that has a match keeps its header only.
  std::vector<uint8_t> collapsed(index.processes().size(), 0);
  collapsed[0] = 1;
  CHECK(layout_tracks(index, collapsed, {}, {}, m, {}, "worker").size() == 1);
}
