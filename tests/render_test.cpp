// Pixel tests of render/: the timeline (slice colours by row, folded runs, counters, highlight)
// and the flamegraph (frame widths), drawn by the real panels through ImGui's OpenGL3 backend into
// an offscreen framebuffer (tests/render_harness.h) and read back.
//
// Positions come from the panels' own state (TimelineState's view, plot_x, tracks_y, metrics;
// the flamegraph fills the window), expected colours from the same functions the panels call
// (label_color, hash_color, the timeline's fold/dim/series colours), so the tests pin what is drawn
// where without hard-coding pixel values. Needs a display: ctest runs it under xvfb-run.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <imgui.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "analysis/call_tree.h"
#include "formats/loader.h"
#include "render/flamegraph_view.h"
#include "render/timeline.h"
#include "render/timeline_internal.h"
#include "render/timeline_sync.h"
#include "render/track_layout.h"
#include "render/view_index.h"
#include "render_harness.h"

using namespace vz;
using vz::testing::Image;
using vz::testing::RenderHarness;
using vz::testing::colors_near;
using vz::testing::rgb_str;

namespace {

constexpr int kWidth = 1200, kHeight = 700;
RenderHarness* g_harness = nullptr;  // created by main() around the test run

std::unique_ptr<Trace> load_text(const std::string& s) {
  LoadResult r = load_bytes(s);
  REQUIRE_MESSAGE(r.ok, r.error);
  return std::move(r.trace);
}

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
  // Screen x of model time t (ns) in the last frame.
  double x_at(Time t) const { return state.plot_x + state.view.x_of(t); }
  // Screen x of the middle of slice `slice` of thread `thread`.
  double x_mid(uint32_t thread, uint32_t slice) const {
    const SliceSet& s = trace->threads[thread].slices;
    return x_at(s.start[slice] + s.dur[slice] / 2);
  }
  // The laid-out track of a kind and id (the first with that kind when id is kNone).
  LaidTrack track(TrackKind kind, uint32_t id = kNone) const {
    for (const LaidTrack& t : layout_tracks(*index, state.collapsed, state.metrics))
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
