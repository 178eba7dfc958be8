// Tests of render/track_layout.cpp and render/view_index.cpp: tracks in display order (sort
// indexes, then pid/tid), collapsed groups, async lanes, the lane cap (kLaneCap rows above it,
// every lane when lifted, the union of the hidden lanes against brute force), and y hit-testing
// against brute force.
#include <doctest/doctest.h>

#include <random>
#include <string>

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
  std::vector<LaidTrack> tracks = layout_tracks(index, {}, {}, m);
  float total = layout_height(tracks, m);
};

}  // namespace

TEST_CASE("tracks follow sort indexes, then pid and tid") {
  auto t = load_text(kTrace);
  ViewIndex index(*t);
  LayoutMetrics m;
  const auto tracks = layout_tracks(index, {}, {}, m);
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

TEST_CASE("collapsed groups keep only their header") {
  auto t = load_text(kTrace);
  ViewIndex index(*t);
  LayoutMetrics m;
  const auto tracks = layout_tracks(index, {1, 0}, {}, m);
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

const LaidTrack& find_track(const Trace& t, const std::vector<LaidTrack>& tracks, TrackKind kind, const char* pid) {
  for (const LaidTrack& lt : tracks)
    if (lt.kind == kind && t.str(t.processes[lt.id].pid) == pid) return lt;
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
  const auto capped_layout = layout_tracks(index, {}, {}, m);
  for (const auto& [pid, lanes] : procs) {
    for (TrackKind kind : {TrackKind::Async, TrackKind::Objects}) {
      CAPTURE(pid);
      const LaidTrack& lt = find_track(*t, capped_layout, kind, pid);
      CHECK(lt.lanes == lanes);
      CHECK(lt.rows == std::min(lanes, kLaneCap));  // capped by default, and never more than there are
      CHECK(lt.h == m.row_h * float(lt.rows));
      CHECK(capped(lt) == (lanes > kLaneCap));
    }
  }
  // Groups in display order: by pid here. Group 0 shows all its async lanes only, group 1 asks
  // for both (it has nothing to lift), group 2 all its object lanes.
  REQUIRE(t->str(t->processes[index.processes()[0].process].pid) == "1");
  const auto some = layout_tracks(index, {}, {kAllAsyncLanes, kAllAsyncLanes | kAllObjectLanes, kAllObjectLanes}, m);
  CHECK(find_track(*t, some, TrackKind::Async, "1").rows == kLaneCap + 5);
  CHECK(find_track(*t, some, TrackKind::Objects, "1").rows == kLaneCap);
  CHECK(find_track(*t, some, TrackKind::Async, "2").rows == kLaneCap);
  CHECK(find_track(*t, some, TrackKind::Objects, "2").rows == kLaneCap);
  CHECK(find_track(*t, some, TrackKind::Async, "3").rows == kLaneCap);
  CHECK_FALSE(capped(find_track(*t, some, TrackKind::Objects, "3")));
  CHECK(find_track(*t, some, TrackKind::Objects, "3").h == m.row_h * float(kLaneCap + 1));
  // What follows moves down by the rows shown.
  CHECK(find_track(*t, some, TrackKind::Objects, "1").y == find_track(*t, capped_layout, TrackKind::Objects, "1").y + 5 * m.row_h);
  CHECK(find_track(*t, some, TrackKind::Objects, "3").y == find_track(*t, capped_layout, TrackKind::Objects, "3").y + 5 * m.row_h);
  for (size_t i = 1; i < some.size(); ++i) CHECK(some[i].y == some[i - 1].y + some[i - 1].h + m.gap);

  // The row of each lane: the hidden ones share the summary row; shown, each has its own.
  const LaidTrack& capped1 = find_track(*t, capped_layout, TrackKind::Async, "1");
  const LaidTrack& all1 = find_track(*t, some, TrackKind::Async, "1");
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
    // Brute force: per half microsecond (every end point is a whole one), whether an item of a
    // hidden lane covers it.
    std::vector<TimeSpan> async_items, object_items;
    for (uint32_t l = kLaneCap - 1; l < p.async_lanes.size(); ++l)
      for (uint32_t i : p.async_lanes[l]) {
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
    check(async_items, p.async_hidden, uint32_t(p.async_lanes.size()));
    check(object_items, p.objects_hidden, p.objects.lanes());
    capped_async += p.async_lanes.size() > kLaneCap;
    capped_objects += p.objects.lanes() > kLaneCap;
  }
  // Both cases came up.
  CHECK(capped_async > 5);
  CHECK(capped_async < 25);
  CHECK(capped_objects > 5);
  CHECK(capped_objects < 25);
}
