// Tests of render/timeline_sync.cpp: two timelines kept on one axis through an alignment (origins
// and a manual offset), whichever side moves; cursors and bounds in each side's own clock.
#include <doctest/doctest.h>

#include <random>

#include "formats/builder.h"
#include "render/timeline_sync.h"

using namespace vz;

namespace {

// A trace with one slice spanning [t0, t1].
std::unique_ptr<Trace> span_trace(Time t0, Time t1) {
  auto t = std::make_unique<Trace>();
  TraceBuilder b(*t);
  const uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  b.add_complete(th, t0, t1 - t0, b.label(b.intern("f"), kNoStr), {}, {});
  b.finish(1);
  return t;
}

// The B time shown at screen x must be the A time shown there plus a_to_b().
void check_aligned(const TimelineState& ta, const TimelineState& tb, const RunAlignment& al) {
  for (double x : {0.0, 123.5, 400.0}) {
    CHECK(tb.view.time_at(x) == ta.view.time_at(x) + al.a_to_b());
  }
}

}  // namespace

TEST_CASE("timeline sync: the alignment arithmetic") {
  RunAlignment al;
  al.origin_a = 1000;
  al.origin_b = 5000;
  CHECK(al.a_to_b() == 4000);
  al.offset = 300;  // B drawn 300 ns later: at a given x B shows an earlier time
  CHECK(al.a_to_b() == 3700);
  auto a = span_trace(1000, 2000);
  auto b = span_trace(5000, 8000);
  Time t0, t1;
  aligned_bounds(*a, *b, al, &t0, &t1);
  CHECK(t0 == 1000);          // A's start; B's start maps to 5000 - 3700 = 1300
  CHECK(t1 == 8000 - 3700);   // B's end in A's clock
}

TEST_CASE("timeline sync: A's zoom moves B, B's pan moves A, labels agree") {
  auto a = span_trace(1000, 2000);
  auto b = span_trace(1'000'000'000, 1'000'004'000);
  TimelineSync sync;
  sync.align.origin_a = a->start;
  sync.align.origin_b = b->start;
  TimelineState ta, tb;
  ta.view.fit(0, 4000, 400);
  tb.view.fit(0, 10, 400);  // anything: B never keeps its own view
  sync.prepare(*a, *b, ta, tb);
  CHECK(ta.has_bounds);
  CHECK(ta.bound_t0 == 1000);
  CHECK(ta.bound_t1 == 5000);  // B is 4000 ns long: the union reaches A start + 4000
  CHECK(tb.bound_t0 == b->start);
  CHECK(tb.bound_t1 == b->end);
  CHECK(ta.axis_origin == a->start);
  CHECK(tb.axis_origin == b->start);
  CHECK(tb.fitted);
  sync.after_a(ta, tb);  // first frame: B takes A's view
  check_aligned(ta, tb, sync.align);

  // The user zooms A: B follows at once.
  ta.view.zoom_at(100, 0.5);
  sync.after_a(ta, tb);
  check_aligned(ta, tb, sync.align);
  sync.after_b(ta, tb);  // B did not move on its own: A stays
  check_aligned(ta, tb, sync.align);

  // The user pans B: A follows.
  sync.prepare(*a, *b, ta, tb);
  sync.after_a(ta, tb);
  const TimeView before = ta.view;
  tb.view.pan_px(37.25);
  sync.after_b(ta, tb);
  CHECK_FALSE(same_mapping(ta.view, before));
  check_aligned(ta, tb, sync.align);
  // ...and on the next frame A's (unchanged since) view does not push B back.
  const TimeView b_now = tb.view;
  sync.prepare(*a, *b, ta, tb);
  sync.after_a(ta, tb);
  CHECK(same_mapping(tb.view, b_now));
}

TEST_CASE("timeline sync: changing the alignment re-syncs B; cursors cross in each clock") {
  auto a = span_trace(0, 10'000);
  auto b = span_trace(50'000, 70'000);
  TimelineSync sync;
  sync.align.origin_a = 0;
  sync.align.origin_b = 50'000;
  TimelineState ta, tb;
  ta.view.fit(0, 10'000, 500);
  sync.prepare(*a, *b, ta, tb);
  sync.after_a(ta, tb);
  sync.after_b(ta, tb);
  check_aligned(ta, tb, sync.align);

  std::mt19937_64 rng(3);
  for (int i = 0; i < 50; ++i) {
    sync.align.offset = Time(rng() % 20'001) - 10'000;
    sync.align.origin_b = 50'000 + Time(rng() % 1000);
    sync.prepare(*a, *b, ta, tb);  // the new alignment moves B before anything is drawn
    check_aligned(ta, tb, sync.align);
    CHECK(tb.axis_origin == sync.align.origin_b - sync.align.offset);
    // The labels (time minus axis origin) agree at every x.
    CHECK(ta.view.time_at(250) - ta.axis_origin == tb.view.time_at(250) - tb.axis_origin);
    sync.after_a(ta, tb);
    sync.after_b(ta, tb);
    check_aligned(ta, tb, sync.align);
  }

  // A hovered at t shows a cursor on B at t + a_to_b() on the next frame, and the reverse.
  ta.hover_valid = true;
  ta.hover_t = 1234;
  tb.hover_valid = false;
  sync.prepare(*a, *b, ta, tb);
  CHECK(tb.has_cursor);
  CHECK(tb.cursor_t == 1234 + sync.align.a_to_b());
  CHECK_FALSE(ta.has_cursor);
  ta.hover_valid = false;
  tb.hover_valid = true;
  tb.hover_t = 60'000;
  sync.prepare(*a, *b, ta, tb);
  CHECK(ta.has_cursor);
  CHECK(ta.cursor_t == 60'000 - sync.align.a_to_b());
  CHECK_FALSE(tb.has_cursor);
}
