// Tests of render/track_layout.cpp and render/view_index.cpp: tracks in display order (sort
// indexes, then pid/tid), collapsed groups, async lanes, and y hit-testing against brute force.
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
  std::vector<LaidTrack> tracks = layout_tracks(index, {}, m);
  float total = layout_height(tracks, m);
};

}  // namespace

TEST_CASE("tracks follow sort indexes, then pid and tid") {
  auto t = load_text(kTrace);
  ViewIndex index(*t);
  LayoutMetrics m;
  const auto tracks = layout_tracks(index, {}, m);
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
  const auto tracks = layout_tracks(index, {1, 0}, m);
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
