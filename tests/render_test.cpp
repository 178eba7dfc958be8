// Pixel tests of render/: the timeline (slice colours by row, folded runs, counters, highlight,
// tracks capped at kLaneCap lanes), the flamegraph (frame widths) and the differential flamegraph (colours of slower, faster and
// unchanged functions, a uniformly slower run, the width toggle), drawn by the real panels through ImGui's OpenGL3 backend into
// an offscreen framebuffer (tests/render_harness.h) and read back.
//
// Positions come from the panels' own state (TimelineState's view, plot_x, tracks_y, metrics;
// the flamegraph fills the window), expected colours from the same functions the panels call
// (label_color, hash_color, the timeline's fold/dim/series colours, diff_flame_color; the
// differential flamegraph's frames from layout_diff_flamegraph and its state), so the tests pin what is drawn
// where without hard-coding pixel values. Also the widgets that show a name as it is (render/theme.h:
// text after "##" and a NUL byte drawn, where an ImGui label hides it) and the flamegraph's
// breadcrumb made of them. Needs a display: ctest runs it under xvfb-run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/call_tree.h"
#include "analysis/diff.h"
#include "analysis/search.h"
#include "formats/loader.h"
#include "render/details_panel.h"
#include "render/diff_flame_view.h"
#include "render/diff_table.h"
#include "render/flame_draw.h"
#include "render/text_fit.h"
#include "render/flamegraph_view.h"
#include "render/timeline.h"
#include "render/timeline_internal.h"
#include "render/timeline_sync.h"
#include "render/track_layout.h"
#include "render/theme.h"
#include "render/view_index.h"
#include "render_harness.h"
#include "tests/analysis/analysis_test_util.h"
#include "tests/load_text.h"

using namespace vz;
using vz::testing::Image;
using vz::testing::RenderHarness;
using vz::testing::colors_near;
using vz::testing::rgb_str;

namespace {

constexpr int kWidth = 1200, kHeight = 700;
RenderHarness* g_harness = nullptr;  // created by main() around the test run

using vz::test::load_text;

// Index of the label named `name` (the tests' traces give each name one category).
uint32_t label_named(const Trace& tr, std::string_view name) {
  for (uint32_t i = 0; i < tr.labels.size(); ++i)
    if (tr.name_of(i) == name) return i;
  FAIL("no label " << name);
  return kNone;
}

uint32_t background() { return ImGui::GetColorU32(ImGuiCol_WindowBg); }

// Checks the pixel at (x, y), moved sideways off any grid line, against colour `want`.
void check_color_at(const Image& img, double x, double y, uint32_t want, const char* what) {
  const int cx = img.clear_x(int(x), int(y));
  REQUIRE_MESSAGE(cx >= 0, what << ": no clear pixel near x=" << x);
  const vz::testing::Rgb got = img.at(cx, int(y));
  CHECK_MESSAGE(got.near(want), what << " at (" << cx << ", " << int(y) << "): got " << got.str() << ", want "
                                      << rgb_str(want));
}

// A timeline with its index and state, drawn into the harness.
struct TimelineFixture {
  std::unique_ptr<Trace> trace;
  std::unique_ptr<ViewIndex> index;
  TimelineState state;

  explicit TimelineFixture(const std::string& json) : trace(load_text(json)), index(std::make_unique<ViewIndex>(*trace)) {}

  // Draws a first frame (which sizes the plot), fits the whole trace to it, and renders.
  Image draw(const TimelineHighlight& hl = {}) {
    g_harness->render([&] { draw_timeline(*index, state, hl); }, 1);
    REQUIRE(state.plot_width > 100);
    fit_timeline(*trace, state, state.plot_width);
    return g_harness->render([&] { draw_timeline(*index, state, hl); });
  }
  // A left click at (x, y), then frames with the mouse still there; returns the last.
  Image click(float x, float y) {
    vz::testing::MouseInput mouse;
    mouse.x = x;
    mouse.y = y;
    mouse.click = ImGuiMouseButton_Left;
    g_harness->render([&] { draw_timeline(*index, state, {}); }, 3, &mouse);
    mouse.click = -1;
    return g_harness->render([&] { draw_timeline(*index, state, {}); }, 2, &mouse);
  }
  // Screen x of model time t (ns) in the last frame.
  double x_at(Time t) const { return state.plot_x + state.view.x_of(t); }
  // Screen x of the middle of slice `slice` of thread `thread`.
  double x_mid(uint32_t thread, uint32_t slice) const {
    const SliceSet& s = trace->threads[thread].slices;
    return x_at(s.start[slice] + s.dur[slice] / 2);
  }
  // The laid-out track of a kind and id (the first with that kind when id is kNone).
  LaidTrack track(TrackKind kind, uint32_t id = kNone) const {
    for (const LaidTrack& t : layout_tracks(*index, state.collapsed, state.all_object_lanes, state.all_async_lanes,
                                             state.metrics, state.folded_threads))
      if (t.kind == kind && (id == kNone || t.id == id)) return t;
    FAIL("track not laid out");
    return {};
  }
  // Screen y of the middle of row `row` of thread `thread`.
  double row_mid_y(uint32_t thread, uint32_t row) const {
    return state.tracks_y + row_y(track(TrackKind::Thread, thread), row, state.metrics) + state.metrics.row_h / 2;
  }
  // The slice of thread 0 labelled `name` (the first one).
  uint32_t slice_named(std::string_view name) const {
    const SliceSet& s = trace->threads[0].slices;
    for (uint32_t i = 0; i < s.size(); ++i)
      if (trace->name_of(s.label[i]) == name) return i;
    FAIL("no slice " << name);
    return kNone;
  }
};

// One thread: alpha over the first half and beta over the second at depth 0, gamma inside alpha.
const char* kThreeSlices = R"({"traceEvents":[
 {"ph":"X","pid":1,"tid":1,"ts":0,"dur":500,"name":"alpha"},
 {"ph":"X","pid":1,"tid":1,"ts":100,"dur":300,"name":"gamma"},
 {"ph":"X","pid":1,"tid":1,"ts":500,"dur":500,"name":"beta"}
]})";

}  // namespace

TEST_CASE("timeline: each slice is drawn in its label's colour on its depth's row") {
  TimelineFixture fx(kThreeSlices);
  const Image img = fx.draw();
  const Trace& tr = *fx.trace;
  const uint32_t alpha = label_named(tr, "alpha"), beta = label_named(tr, "beta"), gamma = label_named(tr, "gamma");
  const uint32_t c_alpha = label_color(*fx.index, alpha), c_beta = label_color(*fx.index, beta),
                 c_gamma = label_color(*fx.index, gamma);
  // The colours must differ, or swapping slices would go unnoticed.
  REQUIRE_FALSE(colors_near(c_alpha, c_beta, 8));
  REQUIRE_FALSE(colors_near(c_alpha, c_gamma, 8));
  REQUIRE_FALSE(colors_near(c_beta, background(), 8));

  const SliceSet& s = tr.threads[0].slices;
  REQUIRE(s.depth_of(fx.slice_named("alpha")) == 0);
  REQUIRE(s.depth_of(fx.slice_named("beta")) == 0);
  REQUIRE(s.depth_of(fx.slice_named("gamma")) == 1);
  const double row0 = fx.row_mid_y(0, 0), row1 = fx.row_mid_y(0, 1);
  check_color_at(img, fx.x_mid(0, fx.slice_named("alpha")), row0, c_alpha, "alpha");
  check_color_at(img, fx.x_mid(0, fx.slice_named("beta")), row0, c_beta, "beta");
  check_color_at(img, fx.x_mid(0, fx.slice_named("gamma")), row1, c_gamma, "gamma");
  // Depth 1 outside gamma (under beta) is empty.
  check_color_at(img, fx.x_mid(0, fx.slice_named("beta")), row1, background(), "depth 1 under beta");
  // Before the first slice and after the last: background, not a slice colour.
  check_color_at(img, fx.x_at(tr.start) - 8, row0, background(), "before the trace");
  check_color_at(img, fx.x_at(tr.end) + 8, row0, background(), "after the trace");
}

TEST_CASE("timeline: a slice with a Chrome \"cname\" is drawn in that colour, others in their name's") {
  TimelineFixture fx(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":500,"name":"alpha","cname":"good"},
   {"ph":"X","pid":1,"tid":1,"ts":100,"dur":300,"name":"gamma","cname":"thread_state_iowait"},
   {"ph":"X","pid":1,"tid":1,"ts":500,"dur":500,"name":"beta"},
   {"ph":"X","pid":1,"tid":1,"ts":600,"dur":300,"name":"alpha"}
  ]})");
  const Image img = fx.draw();
  const Trace& tr = *fx.trace;
  // catapult's colours for "good" and "thread_state_iowait".
  const uint32_t good = IM_COL32(0, 125, 0, 255), iowait = IM_COL32(255, 140, 0, 255);
  CHECK(chrome_color_u32(chrome_color("good")) == good);
  CHECK(chrome_color_u32(chrome_color("thread_state_iowait")) == iowait);
  const SliceSet& s = tr.threads[0].slices;
  const double row0 = fx.row_mid_y(0, 0), row1 = fx.row_mid_y(0, 1);
  check_color_at(img, fx.x_mid(0, fx.slice_named("alpha")), row0, good, "alpha, cname good");
  check_color_at(img, fx.x_mid(0, fx.slice_named("gamma")), row1, iowait, "gamma, cname thread_state_iowait");
  check_color_at(img, fx.x_mid(0, fx.slice_named("beta")), row0, label_color(*fx.index, label_named(tr, "beta")),
                 "beta, no cname");
  // The second alpha has no cname: a label of its own, in its name's colour (not green).
  uint32_t plain = kNone;
  for (uint32_t i = 0; i < s.size(); ++i)
    if (tr.name_of(s.label[i]) == "alpha" && tr.labels[s.label[i]].color == 0) plain = i;
  REQUIRE(plain != kNone);
  const uint32_t c_plain = label_color(*fx.index, s.label[plain]);
  CHECK_FALSE(colors_near(c_plain, good, 8));
  check_color_at(img, fx.x_mid(0, plain), row1, c_plain, "alpha without cname");
}

TEST_CASE("timeline: a zoomed-out run of 100000 tiny slices is drawn as a fold") {
  std::string json = R"({"traceEvents":[)";
  constexpr int kSlices = 100000;
  for (int i = 0; i < kSlices; ++i) {
    char ev[96];
    std::snprintf(ev, sizeof ev, R"(%s{"ph":"X","pid":1,"tid":1,"ts":%d,"dur":5,"name":"tiny"})", i ? "," : "", i * 10);
    json += ev;
  }
  json += "]}";
  TimelineFixture fx(json);
  const Image img = fx.draw();
  const Trace& tr = *fx.trace;
  CHECK(fx.state.stats.slices_folded == kSlices);
  const uint32_t fold = tl::fold_color();
  const uint32_t slice = label_color(*fx.index, label_named(tr, "tiny"));
  REQUIRE_FALSE(colors_near(fold, slice, 8));
  REQUIRE_FALSE(colors_near(fold, background(), 8));
  const double y = fx.row_mid_y(0, 0);
  const double x0 = fx.x_at(tr.start), x1 = fx.x_at(tr.end);
  REQUIRE(x1 - x0 > 500);
  // Across the run (past the count printed at its left end): the fold colour, not the slices'.
  for (double k : {0.2, 0.4, 0.6, 0.8, 0.97}) {
    const double x = x0 + (x1 - x0) * k;
    check_color_at(img, x, y, fold, "fold");
    CHECK_FALSE(img.at(int(x), int(y)).near(slice, 8));
  }
  check_color_at(img, x1 + 8, y, background(), "after the run");
}

TEST_CASE("timeline: object instances are bars in their label's colour; hover and click pick a snapshot or the instance") {
  TimelineFixture fx(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":1000,"name":"main"},
   {"ph":"N","pid":1,"tid":1,"ts":100,"name":"cc::Layer","id":"0x1"},
   {"ph":"O","pid":1,"tid":1,"ts":500,"name":"cc::Layer","id":"0x1","args":{"snapshot":{"w":1}}},
   {"ph":"D","pid":1,"tid":1,"ts":900,"name":"cc::Layer","id":"0x1"}
  ]})");
  const Image img = fx.draw();
  const Trace& tr = *fx.trace;
  const LaidTrack ob = fx.track(TrackKind::Objects);
  CHECK(ob.rows == 1);
  const ObjectTracks& ot = fx.index->processes()[0].objects;
  REQUIRE(ot.instances.size() == 1);
  const uint32_t bar = label_color(*fx.index, label_named(tr, "cc::Layer"));
  const double y = fx.state.tracks_y + row_y(ob, 0, fx.state.metrics) + fx.state.metrics.row_h / 2;
  // Right of the name and id, left of the snapshot: the bar's colour; before creation: background.
  check_color_at(img, fx.x_at(800000), y, bar, "instance bar");
  check_color_at(img, fx.x_at(50000), y, background(), "before creation");
  // The snapshot's diamond is not the bar's colour.
  CHECK_FALSE(img.at(int(fx.x_at(500000)), int(y)).near(bar, 8));

  vz::testing::MouseInput m;
  m.y = float(y);
  auto draw = [&] { draw_timeline(*fx.index, fx.state, {}); };
  auto hover = [&](Time t) {  // the mouse over time t of the row
    m.x = float(fx.x_at(t));
    g_harness->render(draw, 3, &m);
  };
  auto click = [&] {  // a left click where the mouse is, then frames without one
    m.click = ImGuiMouseButton_Left;
    g_harness->render(draw, 3, &m);
    m.click = -1;
    g_harness->render(draw, 2, &m);
  };
  hover(500000);
  CHECK(fx.state.hovered.kind == PickKind::Snapshot);
  CHECK(fx.state.hovered.index == 0);
  click();
  CHECK(fx.state.selected.kind == PickKind::Snapshot);
  CHECK(fx.state.selected.t0 == 500000);

  hover(800000);
  CHECK(fx.state.hovered.kind == PickKind::Object);
  CHECK(fx.state.hovered.group == 0);
  click();
  CHECK(fx.state.selected.kind == PickKind::Object);
  CHECK(fx.state.selected.t0 == 100000);
  CHECK(fx.state.selected.t1 == 900000);
}

TEST_CASE("timeline: tracks with more lanes than the cap summarise the rest in one row; a click on the name shows them all") {
  // 15 async slices and 15 objects over [0, 1] us, then 25 of each over [2, 3]: 25 lanes, of
  // which lanes 15..24 (hidden: kLaneCap - 1 and up) hold only late ones.
  static_assert(kLaneCap == 16, "the trace is made for a cap of 16");
  std::string json = R"({"traceEvents":[{"ph":"X","pid":1,"tid":1,"ts":0,"dur":4,"name":"main"})";
  auto add = [&](const char* name, int i, int t0, int t1) {
    const std::string common = std::string(R"(,"pid":1,"tid":1,"name":")") + name + R"(","id":")" + name + std::to_string(i) + "\"}";
    json += R"(,{"ph":"b","cat":"c","ts":)" + std::to_string(t0) + common;
    json += R"(,{"ph":"e","cat":"c","ts":)" + std::to_string(t1) + common;
    json += R"(,{"ph":"N","ts":)" + std::to_string(t0) + common;
    json += R"(,{"ph":"D","ts":)" + std::to_string(t1) + common;
  };
  for (int i = 0; i < 15; ++i) add("early", i, 0, 1);
  for (int i = 0; i < 25; ++i) add("late", i, 2, 3);
  json += "]}";
  TimelineFixture fx(json);
  const ProcessTracks& p = fx.index->processes()[0];
  // Async slices get a track per name: "early" (15 lanes, none hidden) above "late" (25).
  REQUIRE(p.async_end - p.async_begin == 2);
  const AsyncTrack& early_track = fx.index->async_tracks()[p.async_begin];
  const uint32_t late_id = p.async_begin + 1;
  const AsyncTrack& late_track = fx.index->async_tracks()[late_id];
  CHECK(fx.trace->str(early_track.name) == "early");
  CHECK(early_track.lanes.size() == 15);
  CHECK(early_track.hidden.empty());
  CHECK(fx.trace->str(late_track.name) == "late");
  REQUIRE(late_track.lanes.size() == 25);
  REQUIRE(p.objects.lanes() == 25);
  CHECK(late_track.hidden == std::vector<TimeSpan>{{2000, 3000}});
  CHECK(p.objects_hidden == std::vector<TimeSpan>{{2000, 3000}});
  Image img = fx.draw();
  TimelineState& st = fx.state;
  const LayoutMetrics& m = st.metrics;
  const uint32_t early = label_color(*fx.index, label_named(*fx.trace, "early"));
  const uint32_t late = label_color(*fx.index, label_named(*fx.trace, "late"));
  auto mid_y = [&](const LaidTrack& t, uint32_t row) { return st.tracks_y + row_y(t, row, m) + m.row_h / 2; };
  CHECK(fx.track(TrackKind::Async).rows == 15);  // "early": all its lanes, nothing to cap
  for (TrackKind kind : {TrackKind::Async, TrackKind::Objects}) {
    CAPTURE(int(kind));
    const LaidTrack t = fx.track(kind, kind == TrackKind::Async ? late_id : kNone);
    CHECK(t.lanes == 25);
    CHECK(t.rows == kLaneCap);
    st.scroll_y = t.y;  // the track at the top (both do not fit the window)
    img = g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
    const double sy = mid_y(t, kLaneCap - 1);
    REQUIRE(sy < kHeight - 20);
    // A shown lane as before; the summary row grey where the hidden lanes have something, empty
    // where they have nothing (lanes 0..14 hold the early ones, the hidden lanes do not).
    if (kind == TrackKind::Async) check_color_at(img, fx.x_at(2500), mid_y(t, 0), late, "lane 0, late");
    else check_color_at(img, fx.x_at(500), mid_y(t, 0), early, "lane 0, early");
    check_color_at(img, fx.x_at(2500), sy, tl::fold_color(), "summary row over the late ones");
    check_color_at(img, fx.x_at(500), sy, background(), "summary row where the hidden lanes are empty");
    // Hovered: how many lanes it stands for and how many items are under the mouse.
    vz::testing::MouseInput mouse;
    mouse.x = float(fx.x_at(2300));
    mouse.y = float(sy);
    g_harness->render([&] { draw_timeline(*fx.index, st, {}); }, 3, &mouse);
    CHECK(st.hovered.kind == PickKind::Lanes);
    CHECK(st.hovered.set == (kind == TrackKind::Async ? 0 : 1));
    CHECK(st.hovered.index == 10);
    CHECK(st.hovered.count == 10);
    mouse.x = float(fx.x_at(1500));
    g_harness->render([&] { draw_timeline(*fx.index, st, {}); }, 3, &mouse);
    CHECK(st.hovered.kind == PickKind::Lanes);
    CHECK(st.hovered.count == 0);
  }

  // A click on the "late" track's name shows its 25 lanes; the hidden ones are drawn as lanes.
  auto click = [&](float x, float y) { return fx.click(x, y); };
  st.scroll_y = 0;
  const LaidTrack async = fx.track(TrackKind::Async, late_id);
  st.scroll_y = async.y;
  g_harness->render([&] { draw_timeline(*fx.index, st, {}); }, 2);
  click(st.plot_x - 30, float(mid_y(async, 0)));
  CHECK(st.all_async_lanes.size() > late_id);
  const LaidTrack shown = fx.track(TrackKind::Async, late_id);
  CHECK(shown.rows == 25);
  CHECK(fx.track(TrackKind::Async).rows == 15);  // the "early" track is as it was
  CHECK(fx.track(TrackKind::Objects).rows == kLaneCap);  // the other track keeps its cap
  img = g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  check_color_at(img, fx.x_at(2500), mid_y(shown, kLaneCap - 1), late, "lane 15, shown");
  check_color_at(img, fx.x_at(2500), mid_y(shown, 24), late, "lane 24, shown");
  // Again: capped.
  click(st.plot_x - 30, float(mid_y(shown, 0)));
  CHECK(fx.track(TrackKind::Async, late_id).rows == kLaneCap);

  // Selecting an async slice in a hidden lane shows its track's lanes and scrolls to its row.
  st.scroll_y = 0;
  st.selected = Pick{};
  st.selected.kind = PickKind::Async;
  st.selected.index = late_track.lanes[24][0];
  REQUIRE(fx.index->async_place(st.selected.index).track == late_id);
  img = g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  const LaidTrack revealed = fx.track(TrackKind::Async, late_id);
  CHECK(revealed.rows == 25);
  const double lane24 = mid_y(revealed, 24);
  CHECK(lane24 > st.tracks_y);
  CHECK(lane24 < kHeight - 20);
  check_color_at(img, fx.x_at(2500), lane24, late, "the selected async slice's lane");
  st.all_async_lanes.assign(st.all_async_lanes.size(), 0);  // capped again for what follows
  st.selected = Pick{};

  // Selecting an object in a hidden lane (as --select or the details panel do) shows its
  // track's lanes and scrolls its row into view, outlined.
  uint32_t hidden = kNone;
  for (uint32_t i = 0; i < p.objects.instances.size() && hidden == kNone; ++i)
    if (p.objects.instances[i].lane == 24) hidden = i;
  REQUIRE(hidden != kNone);
  st.selected = object_pick(*fx.index, 0, hidden);
  img = g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  const LaidTrack objects = fx.track(TrackKind::Objects);
  CHECK(objects.rows == 25);
  const double row24 = mid_y(objects, 24);
  CHECK(row24 > st.tracks_y);
  CHECK(row24 < kHeight - 20);
  check_color_at(img, fx.x_at(2500), row24, late, "the selected object's row");
  // Capped again by the user, the selection stays and the track stays capped.
  click(st.plot_x - 30, float(row24));  // anywhere in the track's part of the gutter
  img = g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  const LaidTrack recapped = fx.track(TrackKind::Objects);
  CHECK(recapped.rows == kLaneCap);
  CHECK(st.selected.kind == PickKind::Object);
  CHECK(st.selected.index == hidden);
  // Its outline (white on the dark theme) is on the summary row, at the object's start.
  bool outlined = false;
  const int ox = int(std::lround(fx.x_at(2000))), oy = int(mid_y(recapped, kLaneCap - 1));
  for (int x = ox - 3; x <= ox + 2; ++x) outlined = outlined || img.at(x, oy).near(IM_COL32(255, 255, 255, 255), 40);
  CHECK(outlined);
  for (int x = ox - 3; x <= ox + 2; ++x) CHECK_FALSE(img.at(x, int(mid_y(recapped, 0))).near(IM_COL32(255, 255, 255, 255), 40));
}

TEST_CASE("timeline: a click on a thread's name folds its track to the top row, and unfolds it") {
  // Thread 1: five nested calls; thread 2 below it: one call.
  TimelineFixture fx(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"d0"},
   {"ph":"X","pid":1,"tid":1,"ts":10,"dur":80,"name":"d1"},
   {"ph":"X","pid":1,"tid":1,"ts":20,"dur":60,"name":"d2"},
   {"ph":"X","pid":1,"tid":1,"ts":30,"dur":40,"name":"d3"},
   {"ph":"X","pid":1,"tid":1,"ts":40,"dur":20,"name":"d4"},
   {"ph":"X","pid":1,"tid":2,"ts":0,"dur":100,"name":"other"}
  ]})");
  Image img = fx.draw();
  TimelineState& st = fx.state;
  const LayoutMetrics& m = st.metrics;
  const Trace& tr = *fx.trace;
  uint32_t deep = kNone, other = kNone;
  for (uint32_t i = 0; i < tr.threads.size(); ++i) (tr.threads[i].slices.depths() == 5 ? deep : other) = i;
  REQUIRE(deep != kNone);
  REQUIRE(other != kNone);
  const LaidTrack before = fx.track(TrackKind::Thread, deep);
  CHECK(before.rows == 5);
  CHECK(before.all_rows == 5);
  const float other_y = fx.track(TrackKind::Thread, other).y;
  auto click = [&](float x, float y) { return fx.click(x, y); };
  click(st.plot_x - 30, float(st.tracks_y + before.y + m.row_h / 2));
  const LaidTrack folded = fx.track(TrackKind::Thread, deep);
  CHECK(folded.rows == 1);
  CHECK(folded.all_rows == 5);
  CHECK(fx.track(TrackKind::Thread, other).y == doctest::Approx(other_y - 4 * m.row_h));  // moved up
  img = g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  const uint32_t c_d0 = label_color(*fx.index, label_named(tr, "d0"));
  const uint32_t c_other = label_color(*fx.index, label_named(tr, "other"));
  const double row0 = st.tracks_y + row_y(folded, 0, m) + m.row_h / 2;
  check_color_at(img, fx.x_at(50000), row0, c_d0, "the folded track's top row");
  const LaidTrack o = fx.track(TrackKind::Thread, other);
  check_color_at(img, fx.x_at(50000), st.tracks_y + row_y(o, 0, m) + m.row_h / 2, c_other,
                 "the next thread right under it");
  // Selecting a slice in a row the fold hides unfolds the track.
  st.selected = Pick{PickKind::Slice, deep, 0, fx.slice_named("d0")};
  for (uint32_t i = 0; i < tr.threads[deep].slices.size(); ++i)
    if (tr.name_of(tr.threads[deep].slices.label[i]) == "d4") st.selected.index = i;
  g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  CHECK(fx.track(TrackKind::Thread, deep).rows == 5);
  // Folded again by a click: the selection stays.
  click(st.plot_x - 30, float(st.tracks_y + fx.track(TrackKind::Thread, deep).y + m.row_h / 2));
  CHECK(fx.track(TrackKind::Thread, deep).rows == 1);
  CHECK(st.selected.kind == PickKind::Slice);
}

TEST_CASE("timeline: a counter ramp rises from left to right with background above it") {
  std::string json = R"({"traceEvents":[)";
  for (int i = 0; i <= 100; ++i) {
    char ev[96];
    std::snprintf(ev, sizeof ev, R"(%s{"ph":"C","pid":1,"ts":%d,"name":"ramp","args":{"v":%d}})", i ? "," : "", i * 10, i);
    json += ev;
  }
  json += "]}";
  TimelineFixture fx(json);
  const Image img = fx.draw();
  const Trace& tr = *fx.trace;
  REQUIRE(tr.counters.size() == 1);
  const LaidTrack t = fx.track(TrackKind::Counter, 0);
  const int top = int(fx.state.tracks_y + t.y), bottom = int(fx.state.tracks_y + t.y + t.h);
  const uint32_t line = tl::series_color(0);
  // Topmost pixel of the line's colour in the column at time `at`, checking that everything above
  // it in the track is background; -1 when the column has no line.
  auto line_top = [&](Time at) {
    const int x = img.clear_x(int(fx.x_at(at)), top + 1);
    REQUIRE(x >= 0);
    for (int y = top; y < bottom; ++y) {
      if (img.at(x, y).near(line)) return y;
      INFO("column at t=" << at << ", y=" << y << " of track " << top << ".." << bottom);
      CHECK_MESSAGE(img.at(x, y).near(background()), "above the line: got " << img.at(x, y).str());
    }
    return -1;
  };
  const Time span = tr.end - tr.start;
  const int y_start = line_top(tr.start + span / 50), y_mid = line_top(tr.start + span / 2),
            y_end = line_top(tr.end - span / 50);
  REQUIRE(y_start >= 0);
  REQUIRE(y_mid >= 0);
  REQUIRE(y_end >= 0);
  // Up the screen is up the value axis: a ramp's line climbs most of the track's height.
  CHECK(y_mid < y_start);
  CHECK(y_end < y_mid);
  CHECK(y_start - y_end > t.h / 2);
}

TEST_CASE("timeline: a counter sample's tooltip lists its C event's other fields") {
  // Two samples: the first plain, the second with fields the model does not name.
  TimelineFixture fx(R"({"traceEvents":[
    {"ph":"C","pid":1,"ts":0,"name":"mem","args":{"v":1}},
    {"ph":"C","pid":1,"ts":500,"name":"mem","args":{"v":2},"tts":7,"cname":"good","note":"a long note"},
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":1000,"name":"span"}]})");
  fx.draw();
  const Trace& tr = *fx.trace;
  REQUIRE(tr.counters.size() == 1);
  REQUIRE(tr.counters[0].extras.size() == 1);
  const LaidTrack t = fx.track(TrackKind::Counter, 0);
  vz::testing::MouseInput m;
  m.y = float(fx.state.tracks_y + t.y + t.h / 2);
  const uint32_t popup = ImGui::GetColorU32(ImGuiCol_PopupBg);
  // Rows of tooltip background in a column right of the mouse: the tooltip's height.
  auto popup_rows = [&](Time at) {
    m.x = float(fx.x_at(at));
    const Image img = g_harness->render([&] { draw_timeline(*fx.index, fx.state, {}); }, 3, &m);
    CHECK(fx.state.hovered.kind == PickKind::Counter);
    int rows = 0;
    for (int y = int(m.y); y < img.height; ++y) rows += img.at(int(m.x) + 40, y).near(popup);
    return rows;
  };
  const int plain = popup_rows(250000), with_fields = popup_rows(750000);
  CHECK(plain > 0);
  CHECK(with_fields >= plain + int(ImGui::GetTextLineHeight()));  // one more line at least
}

TEST_CASE("timeline: a highlight keeps the marked label's colour and dims the others") {
  TimelineFixture fx(kThreeSlices);
  const Trace& tr = *fx.trace;
  const uint32_t alpha = label_named(tr, "alpha"), beta = label_named(tr, "beta"), gamma = label_named(tr, "gamma");
  std::vector<uint8_t> mark(tr.labels.size(), 0);
  mark[beta] = 1;
  TimelineHighlight hl;
  hl.mark = &mark;
  const Image img = fx.draw(hl);
  const double row0 = fx.row_mid_y(0, 0), row1 = fx.row_mid_y(0, 1);
  const double xa = fx.x_mid(0, fx.slice_named("alpha"));
  const int cx = img.clear_x(int(xa), int(row0));
  REQUIRE(cx >= 0);
  CHECK_FALSE(img.at(cx, int(row0)).near(label_color(*fx.index, alpha), 8));
  check_color_at(img, xa, row0, tl::dim_color(label_color(*fx.index, alpha)), "dimmed alpha");
  check_color_at(img, fx.x_mid(0, fx.slice_named("gamma")), row1, tl::dim_color(label_color(*fx.index, gamma)),
                 "dimmed gamma");
  check_color_at(img, fx.x_mid(0, fx.slice_named("beta")), row0, label_color(*fx.index, beta), "highlighted beta");
}

TEST_CASE("timeline: a search match keeps its colour and name; one starting within a pixel of the last is drawn too") {
  // "hit" twice at depth 0: the second begins 0.1 us after the first ends (far under a pixel of
  // this 10 ms view) and lasts 4 ms. "miss" slices pad the row around them.
  TimelineFixture fx(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":2000,"name":"miss"},
   {"ph":"X","pid":1,"tid":1,"ts":2000,"dur":3000,"name":"hit"},
   {"ph":"X","pid":1,"tid":1,"ts":5000.1,"dur":4000,"name":"hit"},
   {"ph":"X","pid":1,"tid":1,"ts":9000.1,"dur":999,"name":"miss"}
  ]})");
  const Trace& tr = *fx.trace;
  const uint32_t hit = label_named(tr, "hit");
  std::vector<uint8_t> mark(tr.labels.size(), 0);
  auto m = std::make_shared<ThreadMatches>();
  const SliceSet& s = tr.threads[0].slices;
  for (uint32_t i = 0; i < s.size(); ++i)
    if (s.label[i] == hit) m->slices.push_back(i);
  REQUIRE(m->slices.size() == 2);
  SearchResults results{m};
  TimelineHighlight hl;
  hl.mark = &mark;  // as a search draws: everything dimmed, the matches drawn over it
  hl.matches = &results;
  const Image img = fx.draw(hl);
  const double row0 = fx.row_mid_y(0, 0);
  const uint32_t c_hit = label_color(*fx.index, hit);
  check_color_at(img, fx.x_mid(0, m->slices[0]), row0 + 4, c_hit, "first match");
  check_color_at(img, fx.x_mid(0, m->slices[1]), row0 + 4, c_hit, "second match, a pixel after");
  // The name is written on the match: text pixels, not only the fill, across its middle row.
  const SliceSet& set = tr.threads[0].slices;
  const int x0 = int(fx.x_at(set.start[m->slices[1]])) + 4, x1 = int(fx.x_at(set.end(m->slices[1]))) - 4;
  int other = 0;
  for (int x = x0; x < x1; ++x)
    for (int y = int(row0) - 4; y <= int(row0) + 2; ++y) other += !img.at(x, y).near(c_hit, 24);
  CHECK_MESSAGE(other > 20, "no text on the second match: " << other << " pixels differ from its fill");
}

TEST_CASE("compare: two synchronized timelines line up the aligned slice and show B's longer one") {
  // In A, "step" runs at 1000 µs for 500 µs; in B it starts at 7000 µs and takes 1000 µs. Aligned
  // on the first "step", both begin at the same x and B's ends twice as far right.
  TimelineFixture a(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"setup"},
   {"ph":"X","pid":1,"tid":1,"ts":1000,"dur":500,"name":"step"}]})");
  TimelineFixture b(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"setup"},
   {"ph":"X","pid":1,"tid":1,"ts":7000,"dur":1000,"name":"step"}]})");
  TimelineSync sync;
  sync.align.origin_a = a.trace->threads[0].slices.start[a.slice_named("step")];
  sync.align.origin_b = b.trace->threads[0].slices.start[b.slice_named("step")];
  const TimelineHighlight hl;
  auto panel = [&] {
    const float h = std::floor(ImGui::GetContentRegionAvail().y * 0.5f) - 4;
    sync.prepare(*a.trace, *b.trace, a.state, b.state);
    ImGui::BeginChild("##a", ImVec2(0, h));
    draw_timeline(*a.index, a.state, hl);
    ImGui::EndChild();
    sync.after_a(a.state, b.state);
    ImGui::BeginChild("##b", ImVec2(0, h));
    draw_timeline(*b.index, b.state, hl);
    ImGui::EndChild();
    sync.after_b(a.state, b.state);
  };
  g_harness->render(panel, 2);
  // Zoom A onto [step - 200 µs, step + 1200 µs] (the first 1.4 ms after the aligned start):
  // B must follow without being touched.
  zoom_timeline_to(a.state, sync.align.origin_a - 200'000, sync.align.origin_a + 1'200'000);
  const Image img = g_harness->render(panel);
  CHECK(same_mapping(b.state.view, [&] {
    TimeView v = a.state.view;
    v.shift(sync.align.a_to_b());
    return v;
  }()));
  const uint32_t c_step = label_color(*a.index, label_named(*a.trace, "step"));
  REQUIRE(c_step == label_color(*b.index, label_named(*b.trace, "step")));  // same name, same colour
  const double ya = a.row_mid_y(0, 0), yb = b.row_mid_y(0, 0);
  REQUIRE(yb > ya + 20);  // B's timeline is below A's
  const double x0 = a.x_at(sync.align.origin_a);
  CHECK(std::abs(b.x_at(sync.align.origin_b) - x0) < 0.01);  // the aligned starts share an x
  const double x_end_a = a.x_at(sync.align.origin_a + 500'000), x_end_b = b.x_at(sync.align.origin_b + 1'000'000);
  REQUIRE(x_end_b - x_end_a > 100);
  // Both steps are drawn from x0; A's ends at x_end_a, B's continues to x_end_b.
  const double mid_a = (x0 + x_end_a) / 2;  // clear of the label text at the left end
  check_color_at(img, mid_a, ya, c_step, "A's step after the aligned start");
  check_color_at(img, mid_a, yb, c_step, "B's step after the aligned start");
  check_color_at(img, x0 - 6, ya, background(), "A before its step");
  check_color_at(img, x0 - 6, yb, background(), "B before its step");
  const double between = (x_end_a + x_end_b) / 2;
  check_color_at(img, between, ya, background(), "A after its (shorter) step");
  check_color_at(img, between, yb, c_step, "B's (longer) step past A's end");
  check_color_at(img, x_end_b + 8, yb, background(), "B after its step");
  // The axis labels count from each run's aligned origin.
  CHECK(a.state.axis_origin == sync.align.origin_a);
  CHECK(b.state.axis_origin == sync.align.origin_b);
}

TEST_CASE("flamegraph: hovering a frame outlines it and shows its tooltip") {
  auto tr = load_text(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":1000,"name":"main"},
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":750,"name":"a"}
  ]})");
  const CallTree tree = build_call_tree(*tr, CallTreeQuery{}, 1);
  FlamegraphState fg;
  const Image plain = g_harness->render([&] { draw_flamegraph(*tr, tree, fg, ""); });
  const uint32_t c_a = hash_color(name_hash("a"));
  int ay = -1;
  for (int y = 0; y < plain.height && ay < 0; ++y)
    if (plain.at(plain.width / 4, y).near(c_a)) ay = y;
  REQUIRE(ay >= 0);
  vz::testing::MouseInput m;
  m.x = float(plain.width / 4);
  m.y = float(ay + 4);
  const Image hovered = g_harness->render([&] { draw_flamegraph(*tr, tree, fg, ""); }, 3, &m);
  REQUIRE(fg.hovered != kNone);
  CHECK(tr->str(tree.nodes[fg.hovered].name) == "a");
  const uint32_t popup = ImGui::GetColorU32(ImGuiCol_PopupBg);
  int n = 0;
  for (int y = int(m.y) + 8; y < int(m.y) + 80 && y < hovered.height; ++y)
    for (int x = int(m.x) + 16; x < int(m.x) + 200 && x < hovered.width; ++x) n += hovered.at(x, y).near(popup);
  CHECK(n > 1000);
}

TEST_CASE("flamegraph: frames are as wide as their share of the focused node") {
  // main (1000 µs) calls a for 3/4 of its time and then b for 1/4.
  auto tr = load_text(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":1000,"name":"main"},
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":750,"name":"a"},
   {"ph":"X","pid":1,"tid":1,"ts":750,"dur":250,"name":"b"}
  ]})");
  const CallTree tree = build_call_tree(*tr, CallTreeQuery{}, 1);
  REQUIRE(tree.nodes.size() == 4);  // all, main, a, b
  FlamegraphState fg;
  const Image img = g_harness->render([&] { draw_flamegraph(*tr, tree, fg, ""); });
  CHECK(fg.frames_drawn == 4);
  const uint32_t c_main = hash_color(name_hash("main")), c_a = hash_color(name_hash("a")),
                 c_b = hash_color(name_hash("b"));
  REQUIRE_FALSE(colors_near(c_a, c_b, 8));
  REQUIRE_FALSE(colors_near(c_a, c_main, 8));
  const int w = img.width;

  // First row (from the top) of colour c in column x, or -1.
  auto first_row = [&](int x, uint32_t c) {
    for (int y = 0; y < img.height; ++y)
      if (img.at(x, y).near(c)) return y;
    return -1;
  };
  // The window holds no padding, so the graph spans x in [0, w).
  const int y_main = first_row(w / 2, c_main);
  REQUIRE(y_main >= 0);
  const int y_main_row = y_main + 1;  // inside the frame, above its text
  CHECK_MESSAGE(img.at(2, y_main_row).near(c_main), "main at x=2: " << img.at(2, y_main_row).str());
  CHECK_MESSAGE(img.at(w - 3, y_main_row).near(c_main), "main at x=w-3: " << img.at(w - 3, y_main_row).str());

  const int y_a = first_row(w * 3 / 8, c_a);
  REQUIRE(y_a > y_main);  // the callees' row is below main's
  const int y_row = y_a + 1;
  CHECK(img.at(w * 7 / 8, y_row).near(c_b));
  // The a | b boundary: the last pixel of a and the first of b sit at 3/4 of the width.
  int last_a = -1, first_b = -1;
  for (int x = 0; x < w; ++x) {
    if (img.at(x, y_row).near(c_a)) last_a = x;
    if (first_b < 0 && img.at(x, y_row).near(c_b)) first_b = x;
  }
  const double boundary = 0.75 * w;
  CHECK_MESSAGE(std::abs(last_a + 1 - boundary) <= 2.0, "a ends at " << last_a);
  CHECK_MESSAGE(std::abs(first_b - boundary) <= 2.0, "b starts at " << first_b);
}

namespace {

// A one-thread run: main over `main_us` µs calling the named children one after another with the
// given durations (µs); main's own time is the rest.
std::unique_ptr<Trace> run_of(int main_us, const std::vector<std::pair<std::string, int>>& calls) {
  std::string json = R"({"traceEvents":[{"ph":"X","pid":1,"tid":1,"ts":0,"dur":)" + std::to_string(main_us) +
                     R"(,"name":"main"})";
  int at = 0;
  for (const auto& [name, us] : calls) {
    json += R"(,{"ph":"X","pid":1,"tid":1,"ts":)" + std::to_string(at) + R"(,"dur":)" + std::to_string(us) +
            R"(,"name":")" + name + R"("})";
    at += us;
  }
  return load_text(json + "]}");
}

// Two runs compared by call path and drawn by the differential flamegraph panel.
struct DiffFlameFixture {
  std::unique_ptr<Trace> a, b;
  DiffResult diff;
  DiffFlameState state;

  DiffFlameFixture(std::unique_ptr<Trace> ta, std::unique_ptr<Trace> tb) : a(std::move(ta)), b(std::move(tb)) {
    DiffQuery q;
    q.by = DiffBy::Path;
    diff = diff_traces(*a, *b, q, 1);
    REQUIRE(diff.by == DiffBy::Path);
  }
  Image draw() { return g_harness->render([&] { draw_diff_flamegraph(diff, state, ""); }); }
  // The node of the row named `name` (one row per name in these runs).
  uint32_t node(const std::string& name) const {
    for (uint32_t i = 0; i < diff.rows.size(); ++i)
      if (diff.rows[i].name == name) return diff_flame_node(i);
    FAIL("no row " << name);
    return 0;
  }
  // The frames of the last drawing, laid out as the panel laid them out.
  std::vector<DiffFlameFrame> frames() const {
    return layout_diff_flamegraph(diff, state.index, state.focus, state.graph_w, 0.5);
  }
  // The pixel three quarters across `node`'s frame (clear of its label), at mid-row; fails when the
  // node has no frame.
  vz::testing::Rgb pixel(const Image& img, uint32_t node) const {
    for (const DiffFlameFrame& f : frames()) {
      if (f.node != node) continue;
      const double x = state.graph_x + f.x0 + 0.75 * (f.x1 - f.x0);
      const double y = state.graph_y + double(f.row - state.min_row) * state.row_h + state.row_h / 2;
      const int cx = img.clear_x(int(x), int(y));
      REQUIRE_MESSAGE(cx >= 0, "no clear pixel in the frame of " << diff_flame_name(diff, node));
      return img.at(cx, int(y));
    }
    FAIL("no frame for " << diff_flame_name(diff, node));
    return {};
  }
};

// Red clearly above blue (and green): a slower frame.
bool reddish(const vz::testing::Rgb& c) { return c.r > c.b + 80 && c.r > c.g + 80; }
// Blue clearly above red: a faster frame.
bool bluish(const vz::testing::Rgb& c) { return c.b > c.r + 80; }
// Neither: red and blue within a few steps of each other.
bool greyish(const vz::testing::Rgb& c) { return std::abs(int(c.r) - int(c.b)) < 20; }

}  // namespace

TEST_CASE("diff flamegraph: a 3x slower function is red, a 2x faster one blue, unchanged ones grey") {
  // A: main 1000 µs → steady 400, slow 100, quick 400.  B: steady 400, slow 300, quick 200.
  DiffFlameFixture fx(run_of(1000, {{"steady", 400}, {"slow", 100}, {"quick", 400}}),
                      run_of(1000, {{"steady", 400}, {"slow", 300}, {"quick", 200}}));
  const Image img = fx.draw();
  REQUIRE(fx.state.graph_w > 500);
  CHECK(fx.state.frames_drawn == 5);  // all, main, steady, slow, quick
  CHECK(fx.frames().size() == 5);
  const uint32_t slow = fx.node("slow"), quick = fx.node("quick"), steady = fx.node("steady"), main = fx.node("main");
  const vz::testing::Rgb c_slow = fx.pixel(img, slow), c_quick = fx.pixel(img, quick), c_steady = fx.pixel(img, steady),
                         c_main = fx.pixel(img, main), c_all = fx.pixel(img, 0);
  CHECK_MESSAGE(reddish(c_slow), "slow: " << c_slow.str());
  CHECK_MESSAGE(bluish(c_quick), "quick: " << c_quick.str());
  for (const auto& [what, c] : {std::pair{"steady", c_steady}, std::pair{"main", c_main}, std::pair{"all", c_all}}) {
    CHECK_MESSAGE(greyish(c), what << ": " << c.str());
    CHECK_MESSAGE(c.near(diff_flame_color(0, true)), what << ": " << c.str() << ", want " << rgb_str(diff_flame_color(0, true)));
  }
  // Exactly the colours of the values: full red and full blue.
  CHECK_MESSAGE(c_slow.near(diff_flame_color(1, true)), "slow: " << c_slow.str());
  CHECK_MESSAGE(c_quick.near(diff_flame_color(-1, true)), "quick: " << c_quick.str());
  // Widths from B: steady, slow, quick take 40 %, 30 % and 20 % of the width, left to right.
  for (const DiffFlameFrame& f : fx.frames()) {
    const double share = (f.x1 - f.x0) / fx.state.graph_w;
    if (f.node == steady) CHECK((share == doctest::Approx(0.4) && f.x0 == 0.0));
    if (f.node == slow) CHECK((share == doctest::Approx(0.3) && f.x0 == doctest::Approx(0.4 * fx.state.graph_w)));
    if (f.node == quick) CHECK(share == doctest::Approx(0.2));
  }
}

TEST_CASE("diff flamegraph: a uniformly 2x slower run is grey unless compared absolutely") {
  DiffFlameFixture fx(run_of(1000, {{"steady", 400}, {"slow", 100}, {"quick", 400}}),
                      run_of(2000, {{"steady", 800}, {"slow", 200}, {"quick", 800}}));
  const Image img = fx.draw();
  REQUIRE(fx.frames().size() == 5);
  for (const DiffFlameFrame& f : fx.frames()) {
    const vz::testing::Rgb c = fx.pixel(img, f.node);
    CHECK_MESSAGE(greyish(c), diff_flame_name(fx.diff, f.node) << ": " << c.str());
    CHECK_FALSE(reddish(c));
  }
  // Without the normalisation every frame with time of its own turns red.
  fx.state.options.scale = DiffScale::Absolute;
  const Image abs = fx.draw();
  for (const char* name : {"main", "steady", "slow", "quick"}) {
    const vz::testing::Rgb c = fx.pixel(abs, fx.node(name));
    CHECK_MESSAGE(reddish(c), name << " (absolute): " << c.str());
  }
  // By total, the root (2x) turns red too.
  fx.state.options.by_self = false;
  const Image by_total = fx.draw();
  CHECK(reddish(fx.pixel(by_total, 0)));
}

TEST_CASE("diff flamegraph: widths from B show the added function, widths from A the removed one") {
  // main calls keep in both runs; gone only in A, fresh only in B, each taking 30 % of main.
  DiffFlameFixture fx(run_of(1000, {{"keep", 600}, {"gone", 300}}), run_of(1000, {{"keep", 600}, {"fresh", 300}}));
  const uint32_t fresh = fx.node("fresh"), gone = fx.node("gone"), keep = fx.node("keep");
  const Image from_b = fx.draw();
  auto has_frame = [&](uint32_t n) {
    for (const DiffFlameFrame& f : fx.frames())
      if (f.node == n) return true;
    return false;
  };
  CHECK(has_frame(fresh));
  CHECK_FALSE(has_frame(gone));
  CHECK(reddish(fx.pixel(from_b, fresh)));
  CHECK(greyish(fx.pixel(from_b, keep)));
  fx.state.options.width_from_b = false;
  const Image from_a = fx.draw();
  CHECK(has_frame(gone));
  CHECK_FALSE(has_frame(fresh));
  CHECK(bluish(fx.pixel(from_a, gone)));
  CHECK(greyish(fx.pixel(from_a, keep)));
  // The same place on screen: the added frame in B's widths, the removed one in A's.
  for (const DiffFlameFrame& f : fx.frames())
    if (f.node == gone) CHECK((f.x0 == doctest::Approx(0.6 * fx.state.graph_w) && f.x1 == doctest::Approx(0.9 * fx.state.graph_w)));
}

TEST_CASE("diff flamegraph: hover shows a tooltip, a click zooms, a right click backs up") {
  DiffFlameFixture fx(run_of(1000, {{"steady", 400}, {"slow", 100}, {"quick", 400}}),
                      run_of(1000, {{"steady", 400}, {"slow", 300}, {"quick", 200}}));
  const Image plain = fx.draw();
  const uint32_t slow = fx.node("slow"), main = fx.node("main");
  // The middle of slow's frame.
  vz::testing::MouseInput m;
  for (const DiffFlameFrame& f : fx.frames()) {
    if (f.node != slow) continue;
    m.x = float(fx.state.graph_x + (f.x0 + f.x1) / 2);
    m.y = float(fx.state.graph_y + double(f.row - fx.state.min_row) * fx.state.row_h + fx.state.row_h / 2);
  }
  REQUIRE(m.x > 0);
  // Pixels of the tooltip's background below and right of the mouse.
  const uint32_t popup = ImGui::GetColorU32(ImGuiCol_PopupBg);
  REQUIRE_FALSE(colors_near(popup, background(), 2));
  auto popup_pixels = [&](const Image& img) {
    int n = 0;
    for (int y = int(m.y) + 8; y < int(m.y) + 108 && y < img.height; ++y)
      for (int x = int(m.x) + 16; x < int(m.x) + 216 && x < img.width; ++x) n += img.at(x, y).near(popup);
    return n;
  };
  CHECK(popup_pixels(plain) == 0);
  const Image hovered = g_harness->render([&] { draw_diff_flamegraph(fx.diff, fx.state, ""); }, 3, &m);
  CHECK(fx.state.hovered == slow);
  CHECK(popup_pixels(hovered) > 2000);
  CHECK(fx.state.focus == 0);
  // A click focuses slow: it spans the width, with all and main above it.
  m.click = ImGuiMouseButton_Left;
  g_harness->render([&] { draw_diff_flamegraph(fx.diff, fx.state, ""); }, 3, &m);
  CHECK(fx.state.focus == slow);
  fx.draw();
  const std::vector<DiffFlameFrame> zoomed = fx.frames();
  REQUIRE(zoomed.size() == 3);
  CHECK((zoomed[0].node == 0 && zoomed[1].node == main && zoomed[2].node == slow));
  CHECK((zoomed[2].row == 0 && zoomed[2].x0 == 0.0 && zoomed[2].x1 == fx.state.graph_w));
  // A right click anywhere on the graph goes back to the caller.
  m.click = ImGuiMouseButton_Right;
  g_harness->render([&] { draw_diff_flamegraph(fx.diff, fx.state, ""); }, 3, &m);
  CHECK(fx.state.focus == main);
}

namespace {

// Pixels in the box [x0, x1) x [y0, y1) close to the text colour: the solid parts of glyphs.
int text_pixels(const Image& img, float x0, float y0, float x1, float y1) {
  const uint32_t text = ImGui::GetColorU32(ImGuiCol_Text);
  int n = 0;
  for (int y = std::max(0, int(y0)); y < std::min(img.height, int(y1)); ++y)
    for (int x = std::max(0, int(x0)); x < std::min(img.width, int(x1)); ++x) n += img.at(x, y).near(text, 60);
  return n;
}

float text_width(std::string_view s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; }

// A name as traces may hold it: "##" (an ImGui label hides what follows) and a NUL byte.
const std::string kHashName("ab##cd\0ef", 9);

}  // namespace

TEST_CASE("name widgets: a button, small button, selectable and combo preview show what follows '##' and a NUL") {
  struct Case {
    const char* what;
    std::function<void(std::string_view)> draw;
    bool framed;  // text inside FramePadding
  };
  const std::vector<Case> cases = {
      {"button_text", [](std::string_view t) { button_text(t); }, true},
      {"small_button_text", [](std::string_view t) { small_button_text(t); }, true},
      {"selectable_text", [](std::string_view t) { selectable_text(t, false); }, false},
      {"begin_combo_text",
       [](std::string_view t) {
         ImGui::SetNextItemWidth(400);
         if (begin_combo_text("##combo", t)) ImGui::EndCombo();
       },
       true},
  };
  for (const Case& c : cases) {
    CAPTURE(c.what);
    ImVec2 at, item_min, item_max, pad;
    float ab = 0, whole = 0;
    const Image img = g_harness->render([&] {
      ImGui::SetCursorPos(ImVec2(20, 20));
      at = ImGui::GetCursorScreenPos();
      pad = c.framed ? ImGui::GetStyle().FramePadding : ImVec2(0, 0);
      ab = text_width("ab");
      whole = text_width(kHashName);
      c.draw(kHashName);
      item_min = ImGui::GetItemRectMin();
      item_max = ImGui::GetItemRectMax();
    });
    REQUIRE(whole > ab + text_width("##cd") * 0.9f);  // "##", the NUL and all are measured
    // The glyphs after "ab" ("##cd", the NUL's fallback glyph, "ef") are drawn.
    const float x0 = at.x + pad.x + ab + 1, x1 = at.x + pad.x + whole;
    CHECK(text_pixels(img, x0, item_min.y, x1, item_max.y) > 20);
    if (std::string_view(c.what).find("button") != std::string_view::npos) {
      CHECK(item_max.x - item_min.x == doctest::Approx(whole + pad.x * 2));  // sized to the whole text
    }
  }
  // What an ImGui label shows of the same name: nothing after "ab" (the measure above is sound).
  ImVec2 at;
  const Image plain = g_harness->render([&] {
    ImGui::SetCursorPos(ImVec2(20, 20));
    at = ImGui::GetCursorScreenPos();
    ImGui::Button(kHashName.c_str());
  });
  const ImVec2 pad = ImGui::GetStyle().FramePadding;
  CHECK(text_pixels(plain, at.x + pad.x + text_width("ab") + 1, at.y, at.x + pad.x + text_width(kHashName), at.y + 40) == 0);
}

TEST_CASE("row layout: same_line_if_fits keeps a control on the row while it fits, else starts a new line") {
  ImVec2 button_min, button_max, check_min, check_max, fits_min, exact_min, wraps_min, wraps_max;
  float bw = 0, cw = 0, right = 0;
  bool flag = false;
  g_harness->render([&] {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    bw = button_width("Swap A/B");
    cw = check_width("Loose names");
    ImGui::Button("Swap A/B");
    button_min = ImGui::GetItemRectMin(), button_max = ImGui::GetItemRectMax();
    same_line_if_fits(cw);
    ImGui::Checkbox("Loose names", &flag);
    check_min = ImGui::GetItemRectMin(), check_max = ImGui::GetItemRectMax();
    same_line_if_fits(bw);
    ImGui::Button("Swap A/B##2");
    fits_min = ImGui::GetItemRectMin();
    const float rest = right - ImGui::GetItemRectMax().x - spacing;  // exactly the rest of the row
    same_line_if_fits(rest);
    ImGui::Button("rest", ImVec2(rest, 0));
    exact_min = ImGui::GetItemRectMin();
    same_line_if_fits(1.0f);  // nothing is left on the row
    ImGui::Button("next", ImVec2(bw, 0));
    wraps_min = ImGui::GetItemRectMin(), wraps_max = ImGui::GetItemRectMax();
  });
  // The widths are the ones ImGui lays the widgets out with.
  CHECK(button_max.x - button_min.x == doctest::Approx(bw));
  CHECK(check_max.x - check_min.x == doctest::Approx(cw));
  // Three controls and one exactly as wide as the rest share the first row...
  CHECK(check_min.y == button_min.y);
  CHECK(fits_min.y == button_min.y);
  CHECK(exact_min.y == button_min.y);
  CHECK(fits_min.x > check_max.x);
  // ...and the next starts the second row at the left, inside the window.
  CHECK(wraps_min.y > button_max.y - 1);
  CHECK(wraps_min.x == doctest::Approx(button_min.x));
  CHECK(wraps_max.x <= right);
}

TEST_CASE("name widgets: a selectable with a width cuts the text to it; labels of equal text keep their own IDs") {
  ImVec2 at;
  float em = 0;
  const std::string long_name = "x##" + std::string(400, 'w');
  const Image img = g_harness->render([&] {
    ImGui::SetCursorPos(ImVec2(20, 20));
    at = ImGui::GetCursorScreenPos();
    em = ImGui::GetFontSize();
    selectable_text(long_name, false, 0, ImVec2(em * 12.0f, 0));
  });
  CHECK(text_pixels(img, at.x + text_width("x") + 1, at.y, at.x + em * 12.0f, at.y + em) > 20);
  CHECK(text_pixels(img, at.x + em * 12.0f + 1, at.y, float(img.width), at.y + em * 2) == 0);  // clipped
  // Two buttons showing the same text in distinct ID scopes: the mouse over the second hovers only it.
  ImVec2 second_min, second_max;
  bool hovered[2] = {false, false};
  auto draw = [&] {
    for (int i = 0; i < 2; ++i) {
      ImGui::PushID(i);
      button_text("same##name");
      hovered[i] = ImGui::IsItemHovered();
      if (i == 1) second_min = ImGui::GetItemRectMin(), second_max = ImGui::GetItemRectMax();
      ImGui::PopID();
    }
  };
  g_harness->render(draw, 2);
  vz::testing::MouseInput m;
  m.x = (second_min.x + second_max.x) / 2;
  m.y = (second_min.y + second_max.y) / 2;
  g_harness->render(draw, 3, &m);
  CHECK_FALSE(hovered[0]);
  CHECK(hovered[1]);
}

TEST_CASE("name widgets: a menu item widens its menu to the whole name and draws it") {
  const std::string name = "recent##" + std::string(60, 'r') + ".json";
  float popup_w = 0;
  ImVec2 item_min, item_max;
  const Image img = g_harness->render(
      [&] {
        if (!ImGui::IsPopupOpen("##menu")) ImGui::OpenPopup("##menu");
        ImGui::SetNextWindowPos(ImVec2(10, 10));
        if (ImGui::BeginPopup("##menu")) {
          ImGui::MenuItem("Short");
          menu_item_text(name);
          item_min = ImGui::GetItemRectMin();
          item_max = ImGui::GetItemRectMax();
          popup_w = ImGui::GetWindowWidth();
          ImGui::EndPopup();
        }
      },
      4);
  CHECK(popup_w > text_width(name));
  CHECK(text_pixels(img, item_min.x + text_width("recent") + 1, item_min.y, item_min.x + text_width(name), item_max.y) > 20);
}

TEST_CASE("flamegraph breadcrumb: names are shown whole, '##' and NUL bytes included") {
  const std::vector<std::string> names = {"a##bcdefg", std::string("h\0ijklmn", 8), "o##pqrstu"};
  const std::vector<std::string> shown_by_labels = {"a", "h", "o"};  // what ImGui labels would show
  auto right_edge = [&](const std::vector<std::string>& labels) {
    const Image img = g_harness->render([&] { flame_breadcrumb(labels); });
    int right = -1;
    for (int y = 0; y < int(ImGui::GetFontSize() * 1.5f); ++y)
      for (int x = 0; x < img.width; ++x)
        if (img.at(x, y).near(ImGui::GetColorU32(ImGuiCol_Text), 60)) right = std::max(right, x);
    return right;
  };
  const int whole = right_edge(names), cut = right_edge(shown_by_labels);
  REQUIRE(cut > 0);
  // Each name adds its 7 bytes after the first one's glyph: well over 2 x "bcdefg" wide.
  CHECK(whole - cut > int(2 * text_width("bcdefg")));
  CHECK(elide_bytes(names[0], 48) == names[0]);
}

int main(int argc, char** argv) {
  RenderHarness harness(kWidth, kHeight);
  if (!harness.ok()) {
    std::fprintf(stderr, "vz_render_tests: %s\n", harness.error().c_str());
    return 1;
  }
  g_harness = &harness;
  doctest::Context ctx(argc, argv);
  const int rc = ctx.run();
  g_harness = nullptr;
  return rc;
}

TEST_CASE("details: an object lists a page of its snapshots; a click on one selects it") {
  std::string json = R"({"traceEvents":[{"ph":"N","pid":1,"tid":1,"ts":0,"name":"cc::Layer","id":"0x1"})";
  for (int i = 0; i < 150; ++i)
    json += R"(,{"ph":"O","pid":1,"tid":1,"ts":)" + std::to_string(i + 1) + R"(,"name":"cc::Layer","id":"0x1","args":{"snapshot":{"i":)" +
            std::to_string(i) + "}}}";
  json += "]}";
  TimelineFixture fx(json);
  const ObjectTracks& ot = fx.index->processes()[0].objects;
  REQUIRE(ot.instances.size() == 1);
  REQUIRE(ot.instances[0].snap_count == 150);
  DetailsState details;
  TimelineState& st = fx.state;
  st.selected = object_pick(*fx.index, 0, 0);
  // Tall enough for the title, the table and the whole first page of snapshots.
  const Image img = g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); });
  CHECK(details.snapshots_shown == kSnapshotPage);
  CHECK(text_pixels(img, 0, 0, float(img.width), float(img.height)) > 500);
  // The first snapshot row follows the table: find it by clicking down the panel until a
  // snapshot is selected.
  bool picked = false;
  for (float y = 60; y < float(img.height) && !picked; y += 6) {
    vz::testing::MouseInput m;
    m.x = 60;
    m.y = y;
    m.click = ImGuiMouseButton_Left;
    g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); }, 2, &m);
    if (st.selected.kind == PickKind::Snapshot) picked = true;
  }
  REQUIRE(picked);
  CHECK(st.selection_changed);
  CHECK(st.selected.group == 0);
  CHECK(st.selected.index < 150);
  CHECK(ot.instance_of_snapshot(st.selected.index) == 0);
  // A snapshot's details: its args parsed.
  g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); });
  CHECK(details.args.parsed);
  // With two snapshots listed, the button under them shows another page.
  bool more = false;
  for (float y = 60; y < float(img.height) && !more; y += 6) {
    st.selected = object_pick(*fx.index, 0, 0);
    g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); }, 1);
    details.snapshots_shown = 2;
    vz::testing::MouseInput m;
    m.x = 40;
    m.y = y;
    m.click = ImGuiMouseButton_Left;
    g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); }, 2, &m);
    m.click = -1;  // released where it was pressed
    g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); }, 1, &m);
    if (st.selected.kind == PickKind::Object && details.snapshots_shown == 2 + kSnapshotPage) more = true;
  }
  CHECK(more);
}

TEST_CASE("details: a deep slice's call chain shows its ends after the args; a click shows it all") {
  const int kDepth = 60;
  std::string json = R"({"traceEvents":[)";
  for (int i = 0; i < kDepth; ++i)
    json += std::string(i ? "," : "") + R"({"ph":"X","pid":1,"tid":1,"ts":)" + std::to_string(i) + R"(,"dur":)" +
            std::to_string(1000 - 2 * i) + R"(,"name":"f)" + std::to_string(i) + R"(","args":{"k":1}})";
  json += "]}";
  TimelineFixture fx(json);
  const SliceSet& s = fx.trace->threads[0].slices;
  REQUIRE(s.depths() == size_t(kDepth));
  DetailsState details;
  TimelineState& st = fx.state;
  st.selected = Pick{PickKind::Slice, 0, 0, s.depth_begin[kDepth - 1]};
  // The lowest row with text on it.
  auto bottom = [](const Image& img) {
    int last = -1;
    for (int y = 0; y < img.height; ++y)
      if (text_pixels(img, 0, float(y), float(img.width), float(y + 1)) > 0) last = y;
    return last;
  };
  const Image cut = g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); });
  CHECK(details.args.parsed);  // the args come before the chain
  CHECK_FALSE(details.all_parents);
  const int cut_bottom = bottom(cut);
  // 3 + 12 callers and the line between them: the panel ends well inside the image.
  CHECK(cut_bottom < kHeight - 5 * int(ImGui::GetFontSize()));
  // Clicking down the panel finds that line, which shows the whole chain.
  bool all = false;
  for (float y = 40; y < float(cut_bottom) && !all; y += 4) {
    vz::testing::MouseInput m;
    m.x = 60;
    m.y = y;
    m.click = ImGuiMouseButton_Left;
    g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); }, 2, &m);
    m.click = -1;
    g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); }, 1, &m);
    all = details.all_parents;
    if (!all) st.selected = Pick{PickKind::Slice, 0, 0, s.depth_begin[kDepth - 1]};  // a row click selects a caller
  }
  REQUIRE(all);
  CHECK(st.selected.index == s.depth_begin[kDepth - 1]);
  const Image whole = g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); });
  CHECK(bottom(whole) > cut_bottom + 4 * int(ImGui::GetFontSize()));  // 44 more rows: past the image
  CHECK(bottom(whole) > kHeight - int(ImGui::GetFontSize()) * 2);
  // Another selection starts cut again.
  st.selected = Pick{PickKind::Slice, 0, 0, s.depth_begin[kDepth - 2]};
  g_harness->render([&] { draw_details(*fx.index, st.selected, details, &st); });
  CHECK_FALSE(details.all_parents);
}

TEST_CASE("timeline: focusing a thread scrolls its selected slice's row into view, not only its top") {
  // Two threads 45 calls deep: thread 1's deepest row lies far below the window's bottom.
  std::string json = R"({"traceEvents":[)";
  for (int tid = 1; tid <= 2; ++tid)
    for (int i = 0; i < 45; ++i)
      json += std::string(tid == 1 && i == 0 ? "" : ",") + R"({"ph":"X","pid":1,"tid":)" + std::to_string(tid) +
              R"(,"ts":)" + std::to_string(i) + R"(,"dur":)" + std::to_string(1000 - 2 * i) + R"(,"name":"d)" +
              std::to_string(i) + R"("})";
  json += "]}";
  TimelineFixture fx(json);
  fx.draw();
  TimelineState& st = fx.state;
  const uint32_t th = 0;
  const SliceSet& s = fx.trace->threads[th].slices;
  REQUIRE(s.depths() == 45u);
  for (uint32_t depth : {44u, 1u, 30u}) {
    CAPTURE(depth);
    st.scroll_y = 0;
    st.selected = Pick{PickKind::Slice, th, 0, s.depth_begin[depth]};
    st.focus_thread = th;
    g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
    const double y = fx.row_mid_y(th, depth);
    CHECK(y > st.tracks_y);
    CHECK(y < kHeight - fx.state.metrics.row_h);
    CHECK(st.focus_thread == kNone);
  }
}

TEST_CASE("timeline: the track filter hides what it does not name; selecting a slice it hides clears it") {
  TimelineFixture fx(R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"kept"},
   {"ph":"X","pid":1,"tid":2,"ts":0,"dur":100,"name":"hidden"},
   {"ph":"M","pid":1,"tid":1,"name":"thread_name","args":{"name":"Worker"}},
   {"ph":"M","pid":1,"tid":2,"name":"thread_name","args":{"name":"Main"}}]})");
  TimelineState& st = fx.state;
  st.track_filter = "work";
  fx.draw();
  CHECK(st.track_of_thread[0] != kNone);
  CHECK(st.track_of_thread[1] == kNone);  // "Main" is not laid out
  // A selection on the shown thread keeps the filter; one on the hidden thread clears it.
  st.selected = Pick{PickKind::Slice, 0, 0, 0};
  g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  CHECK(st.track_filter == "work");
  st.selected = Pick{PickKind::Slice, 1, 0, 0};
  g_harness->render([&] { draw_timeline(*fx.index, st, {}); });
  CHECK(st.track_filter.empty());
  CHECK(st.track_of_thread[1] != kNone);
}

TEST_CASE("diff table: sorted by signed Δ total, biggest slowdown first; tints scale with the change's share of the run") {
  DiffResult d;
  auto row = [&](const char* name, Time a, Time b) { vz::testing::add_flat_row(d, name, a, b); };
  row("faster", 60'000'000, 20'000'000);  // -40 ms
  row("slower", 10'000'000, 15'000'000);  // +5 ms
  row("tiny", 700, 1'900);                // +1.2 us, +171%
  row("small", 1'000'000, 1'400'000);     // +0.4 ms: 0.5 % of the run
  DiffTableState st;
  g_harness->render([&] { draw_diff_table(d, st); });
  REQUIRE(st.order.size() == 4);
  std::vector<std::string> names;
  for (uint32_t i : st.order) names.push_back(std::string(d.rows[i].name));
  CHECK(names == std::vector<std::string>{"slower", "small", "tiny", "faster"});
  const Time run = std::max(d.total_a, d.total_b);
  CHECK(diff_row_tint(d.rows[2], run) == 0);  // +171 % of microseconds: noise, untinted
  const uint32_t small = diff_row_tint(d.rows[3], run), slower = diff_row_tint(d.rows[1], run);
  REQUIRE(small != 0);
  REQUIRE(slower != 0);
  CHECK((small >> IM_COL32_A_SHIFT & 0xff) < (slower >> IM_COL32_A_SHIFT & 0xff));  // fainter
  CHECK(diff_row_tint(d.rows[0], run) != 0);
}

TEST_CASE("diff table: a path row shows its innermost callers that fit, without directories; a long name ends in an ellipsis") {
  DiffResult d;
  d.by = DiffBy::Path;
  const char* names[] = {"main (/home/u/project/src/app.py:1)", "load (/home/u/project/src/io.py:20)",
                         "parse_record (/home/u/project/src/records.py:12)"};
  for (uint32_t i = 0; i < 3; ++i) {
    DiffRow r;
    r.name = names[i];
    r.depth = i + 1;
    r.parent = i == 0 ? kNone : i - 1;
    d.rows.push_back(r);
  }
  std::string wide, narrow, by_name;
  g_harness->render([&] {
    wide = diff_row_label(d, 2, 2000.0f);
    narrow = diff_row_label(d, 2, ImGui::CalcTextSize("... > load (io.py:20) > parse_record (records.py:12)").x);
    DiffResult n = d;
    n.by = DiffBy::Name;
    by_name = diff_row_label(n, 2, ImGui::CalcTextSize("parse_record (/home/u").x);
  });
  CHECK(wide == "main (app.py:1) \xe2\x80\xba load (io.py:20) \xe2\x80\xba parse_record (records.py:12)");
  CHECK(narrow == "\xe2\x80\xa6 \xe2\x80\xba load (io.py:20) \xe2\x80\xba parse_record (records.py:12)");
  CHECK(by_name.rfind("parse_record (", 0) == 0);
  CHECK(by_name.size() > 3);
  CHECK(by_name.substr(by_name.size() - 3) == "\xe2\x80\xa6");
}
