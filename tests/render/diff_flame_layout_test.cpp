// Tests of render/diff_flame_layout.cpp: the merged tree's children lists, the frame layout and
// the colour values of the differential flamegraph. Random merged trees (DiffResult rows filled
// directly, and path diffs of random trace pairs) are laid out against a brute-force recursive
// layout that finds each node's children by scanning every row; the typical ratio against a
// brute-force weighted median; colour values on hand-worked runs (one function 3x slower, one 2x
// faster, a uniformly 2x slower run) on each scale, and against the rules in the header.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "analysis/analysis_test_util.h"
#include "analysis/diff.h"
#include "formats/loader.h"
#include "render/diff_flame_layout.h"
#include "tests/load_text.h"

using namespace vz;

namespace {

constexpr double kEps = 1e-6;

// Appends a random subtree of rows under `parent` (depth-first, as diff_traces emits them) whose
// top-level totals fit in `room_a` / `room_b`, and returns the totals used. Rows below an added
// (removed) row are added (removed) too and have no time on the other side.
std::pair<Time, Time> random_rows(std::mt19937_64& rng, DiffResult& r, uint32_t parent, uint32_t depth,
                                  DiffStatus status, Time room_a, Time room_b) {
  static const char* names[] = {"main", "a", "b", "slow", "", "c"};
  Time used_a = 0, used_b = 0;
  const int kids = depth > 5 ? 0 : int(rng() % 5);
  for (int k = 0; k < kids; ++k) {
    DiffStatus s = status;
    if (s == DiffStatus::Both) s = rng() % 5 == 0 ? DiffStatus::Added : rng() % 5 == 0 ? DiffStatus::Removed : s;
    auto pick = [&](Time left) -> Time {
      switch (rng() % 5) {
        case 0: return 0;
        case 1: return std::min<Time>(left, Time(rng() % 3));  // tiny
        default: return Time(rng() % uint64_t(left + 1));
      }
    };
    const Time ta = s == DiffStatus::Added ? 0 : pick(room_a - used_a);
    const Time tb = s == DiffStatus::Removed ? 0 : pick(room_b - used_b);
    const uint32_t row = uint32_t(r.rows.size());
    r.rows.push_back(DiffRow{});
    r.rows[row].name = names[rng() % 6];
    r.rows[row].depth = depth;
    r.rows[row].parent = parent;
    r.rows[row].status = s;
    r.rows[row].a = {s == DiffStatus::Added ? 0 : 1 + rng() % 9, ta, 0};
    r.rows[row].b = {s == DiffStatus::Removed ? 0 : 1 + rng() % 9, tb, 0};
    const auto [ka, kb] = random_rows(rng, r, row, depth + 1, s, ta, tb);
    r.rows[row].a.self = ta - ka;
    r.rows[row].b.self = tb - kb;
    used_a += ta;
    used_b += tb;
  }
  return {used_a, used_b};
}

DiffResult random_result(std::mt19937_64& rng) {
  DiffResult r;
  r.by = DiffBy::Path;
  const Time room_a = rng() % 8 == 0 ? 0 : Time(1 + rng() % 100000);
  const Time room_b = rng() % 8 == 0 ? 0 : Time(1 + rng() % 100000);
  const auto [a, b] = random_rows(rng, r, kNone, 1, DiffStatus::Both, room_a, room_b);
  r.total_a = a;
  r.total_b = b;
  return r;
}

// Width-side total of a node, straight from the rows.
Time ref_total(const DiffResult& r, uint32_t node, bool b) {
  if (node == 0) return b ? r.total_b : r.total_a;
  return b ? r.rows[node - 1].b.total : r.rows[node - 1].a.total;
}

uint32_t ref_parent(const DiffResult& r, uint32_t node) {
  return r.rows[node - 1].parent == kNone ? 0 : r.rows[node - 1].parent + 1;
}

// Brute force: the children of `node` by scanning every row, in drawing order.
std::vector<uint32_t> ref_children(const DiffResult& r, uint32_t node, bool b) {
  std::vector<uint32_t> kids;
  for (uint32_t n = 1; n <= r.rows.size(); ++n)
    if (ref_parent(r, n) == node) kids.push_back(n);
  std::stable_sort(kids.begin(), kids.end(), [&](uint32_t x, uint32_t y) {
    if (ref_total(r, x, b) != ref_total(r, y, b)) return ref_total(r, x, b) > ref_total(r, y, b);
    return r.rows[x - 1].name < r.rows[y - 1].name;
  });
  return kids;
}

// Brute force layout of the subtree under `node` at [x, ...) on `row`; each child's left edge
// recomputed from the siblings before it, all of which are at least as wide.
void ref_subtree(const DiffResult& r, bool b, uint32_t node, double x, int row, double scale, double min_px,
                 std::vector<DiffFlameFrame>& out) {
  const std::vector<uint32_t> kids = ref_children(r, node, b);
  for (size_t k = 0; k < kids.size(); ++k) {
    Time before = 0;
    for (size_t s = 0; s < k; ++s) before += ref_total(r, kids[s], b);
    const double w = double(ref_total(r, kids[k], b)) * scale;
    if (w < min_px || w <= 0) continue;
    const double x0 = x + double(before) * scale;
    out.push_back({kids[k], x0, x0 + w, row + 1});
    ref_subtree(r, b, kids[k], x0, row + 1, scale, min_px, out);
  }
}

std::vector<DiffFlameFrame> ref_layout(const DiffResult& r, bool b, uint32_t focus, double width, double min_px) {
  std::vector<DiffFlameFrame> out;
  if (focus > r.rows.size()) focus = 0;
  std::vector<uint32_t> up;
  for (uint32_t p = focus; p != 0;) up.push_back(p = ref_parent(r, p));
  for (size_t k = up.size(); k-- > 0;) out.push_back({up[k], 0.0, width, -int(k) - 1});
  out.push_back({focus, 0.0, width, 0});
  const Time total = ref_total(r, focus, b);
  if (total > 0) ref_subtree(r, b, focus, 0.0, 0, width / double(total), min_px, out);
  return out;
}

bool under(const DiffResult& r, uint32_t n, uint32_t root) {
  for (;; n = ref_parent(r, n)) {
    if (n == root) return true;
    if (n == 0) return false;
  }
}

// Checks the index and one layout against the brute force and the rules.
void check_layout(const DiffResult& r, bool b, uint32_t focus, double width, double min_px) {
  INFO("focus " << focus << " of " << r.rows.size() << " rows, width " << width << ", min_px " << min_px
                << ", widths from " << (b ? "B" : "A"));
  const DiffFlameIndex ix = build_diff_flame_index(r, b);
  REQUIRE(ix.nodes() == r.rows.size() + 1);
  for (uint32_t n = 0; n < ix.nodes(); ++n) {
    const std::vector<uint32_t> kids(ix.kids.begin() + ix.first[n], ix.kids.begin() + ix.first[n + 1]);
    CHECK(kids == ref_children(r, n, b));
    CHECK(ix.parent[n] == (n == 0 ? kNone : ref_parent(r, n)));
  }
  const std::vector<DiffFlameFrame> got = layout_diff_flamegraph(r, ix, focus, width, min_px);
  std::vector<DiffFlameFrame> sorted = got, want = ref_layout(r, b, focus, width, min_px);
  auto by_node = [](const DiffFlameFrame& x, const DiffFlameFrame& y) { return x.node < y.node; };
  std::sort(sorted.begin(), sorted.end(), by_node);
  std::sort(want.begin(), want.end(), by_node);
  REQUIRE(sorted.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(sorted[i].node == want[i].node);
    CHECK(sorted[i].row == want[i].row);
    CHECK(std::fabs(sorted[i].x0 - want[i].x0) <= kEps);
    CHECK(std::fabs(sorted[i].x1 - want[i].x1) <= kEps);
  }
  if (focus > r.rows.size()) focus = 0;
  // Ancestors first at full width, then the focus.
  const std::vector<uint32_t> path = diff_flame_path(ix, focus);
  REQUIRE(got.size() >= path.size());
  for (size_t k = 0; k < path.size(); ++k) {
    CHECK(got[k].node == path[k]);
    CHECK(got[k].row == int(k) - int(path.size() - 1));
    CHECK((got[k].x0 == 0.0 && got[k].x1 == width));
  }
  // Below the focus: inside the parent (emitted earlier), as wide as the width-side share, and
  // children of one parent side by side summing to no more than the parent.
  const double total = double(ref_total(r, focus, b));
  std::vector<int> pos(ix.nodes(), -1);
  std::vector<double> kids_width(ix.nodes(), 0.0);
  for (size_t i = 0; i < got.size(); ++i) {
    const DiffFlameFrame& f = got[i];
    REQUIRE(pos[f.node] == -1);
    pos[f.node] = int(i);
    if (f.row <= 0) continue;
    CHECK(under(r, f.node, focus));
    CHECK(f.row == int(r.rows[f.node - 1].depth) - int(focus == 0 ? 0 : r.rows[focus - 1].depth));
    CHECK(std::fabs((f.x1 - f.x0) - double(ref_total(r, f.node, b)) / total * width) <= kEps);
    CHECK(f.x1 - f.x0 >= min_px);
    CHECK(f.x1 > f.x0);
    const int p = pos[ref_parent(r, f.node)];
    REQUIRE(p >= 0);
    CHECK(f.x0 >= got[size_t(p)].x0 - kEps);
    CHECK(f.x1 <= got[size_t(p)].x1 + kEps);
    kids_width[ref_parent(r, f.node)] += f.x1 - f.x0;
  }
  for (uint32_t n = 0; n < ix.nodes(); ++n)
    if (pos[n] >= 0) CHECK(kids_width[n] <= got[size_t(pos[n])].x1 - got[size_t(pos[n])].x0 + kEps);
  // A node under the focus is missing only when it or an ancestor below the focus has no width
  // on the width side or is narrower than min_px.
  for (uint32_t n = 1; n < ix.nodes(); ++n) {
    if (n == focus || !under(r, n, focus) || pos[n] >= 0) continue;
    bool narrow = !(total > 0);
    for (uint32_t a = n; a != focus && !narrow; a = ref_parent(r, a)) {
      const double w = double(ref_total(r, a, b)) / total * width;
      narrow = w < min_px || w <= 0;
    }
    CHECK_MESSAGE(narrow, "node " << n << " missing but wide enough");
  }
}

using vz::test::load_text;

// A one-thread trace: main over [0, 1000 · f] µs calling steady, slow and quick one after another
// with the given durations (µs), main's own time being the rest.
std::unique_ptr<Trace> run_trace(int main_us, int steady_us, int slow_us, int quick_us) {
  char json[512];
  std::snprintf(json, sizeof json, R"({"traceEvents":[
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":%d,"name":"main"},
   {"ph":"X","pid":1,"tid":1,"ts":0,"dur":%d,"name":"steady"},
   {"ph":"X","pid":1,"tid":1,"ts":%d,"dur":%d,"name":"slow"},
   {"ph":"X","pid":1,"tid":1,"ts":%d,"dur":%d,"name":"quick"}
  ]})",
                main_us, steady_us, steady_us, slow_us, steady_us + slow_us, quick_us);
  return load_text(json);
}

DiffResult path_diff(const Trace& a, const Trace& b) {
  DiffQuery q;
  q.by = DiffBy::Path;
  return diff_traces(a, b, q, 1);
}

// The node of the row named `name` (the tests' runs have one row per name).
uint32_t node_named(const DiffResult& r, const std::string& name) {
  for (uint32_t i = 0; i < r.rows.size(); ++i)
    if (r.rows[i].name == name) return diff_flame_node(i);
  FAIL("no row " << name);
  return 0;
}

}  // namespace

TEST_CASE("diff flame: random merged trees against a brute-force layout") {
  std::mt19937_64 rng(424242);
  const double min_pxs[] = {0.0, 0.5, 3.0, 40.0};
  for (int iter = 0; iter < 300; ++iter) {
    const DiffResult r = random_result(rng);
    const double width = 50.0 + double(rng() % 2000), min_px = min_pxs[rng() % 4];
    for (bool b : {true, false}) {
      check_layout(r, b, 0, width, min_px);
      check_layout(r, b, uint32_t(rng() % (r.rows.size() + 1)), width, min_px);
      check_layout(r, b, uint32_t(r.rows.size() + 1 + rng() % 3), width, min_px);  // out of range
    }
  }
}

TEST_CASE("diff flame: path diffs of random trace pairs against a brute-force layout") {
  std::mt19937_64 rng(99);
  for (int iter = 0; iter < 40; ++iter) {
    auto ta = vz::testing::random_trace(rng), tb = vz::testing::random_trace(rng);
    const DiffResult r = path_diff(*ta, *tb);
    const double width = 100.0 + double(rng() % 1500);
    for (bool b : {true, false}) {
      check_layout(r, b, 0, width, 0.5);
      check_layout(r, b, uint32_t(rng() % (r.rows.size() + 1)), width, 3.0);
    }
    // The root's numbers are the traced totals and the top-level calls.
    const DiffFlameIndex ix = build_diff_flame_index(r, true);
    uint64_t calls_a = 0, calls_b = 0;
    for (const DiffRow& row : r.rows)
      if (row.parent == kNone) calls_a += row.a.count, calls_b += row.b.count;
    CHECK(diff_flame_sums(r, ix, 0, false).total == r.total_a);
    CHECK(diff_flame_sums(r, ix, 0, true).total == r.total_b);
    CHECK(diff_flame_sums(r, ix, 0, false).count == calls_a);
    CHECK(diff_flame_sums(r, ix, 0, true).count == calls_b);
  }
}

TEST_CASE("diff flame: the typical ratio is the lower median over function names of the self-time ratios") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    const DiffResult r = random_result(rng);
    // Brute force: per distinct name, the summed self times; the qualifying ratios sorted; the
    // lower middle one.
    std::vector<std::string> names;
    for (const DiffRow& row : r.rows)
      if (std::find(names.begin(), names.end(), row.name) == names.end()) names.push_back(row.name);
    const double floor = 0.001 * double(std::max(r.total_a, r.total_b));
    std::vector<double> ratios;
    for (const std::string& n : names) {
      Time a = 0, b = 0;
      for (const DiffRow& row : r.rows)
        if (row.name == n) a += std::max<Time>(row.a.self, 0), b += std::max<Time>(row.b.self, 0);
      if (a > 0 && b > 0 && double(std::max(a, b)) >= floor) ratios.push_back(double(b) / double(a));
    }
    std::sort(ratios.begin(), ratios.end());
    const double want = ratios.empty() ? 1.0 : ratios[(ratios.size() - 1) / 2];
    CHECK(diff_typical_ratio(r) == doctest::Approx(want));
  }
}

TEST_CASE("diff flame: one dominant function slower is red, not the typical change") {
  // hot holds 90% of A's self time and is 2x slower in B; three small functions are unchanged.
  DiffResult r;
  r.by = DiffBy::Path;
  auto row = [&](const char* name, Time a, Time b) { vz::testing::add_flat_row(r, name, a, b); };
  row("hot", 900, 1800);
  row("x", 40, 40);
  row("y", 30, 30);
  row("z", 30, 30);
  CHECK(diff_typical_ratio(r) == doctest::Approx(1.0));
  const DiffFlameIndex ix = build_diff_flame_index(r, true);
  const DiffFlameOptions o;
  CHECK(diff_flame_value(r, ix, diff_flame_node(0), o) > 0.9f);   // hot: red
  CHECK(diff_flame_value(r, ix, diff_flame_node(1), o) == 0.0f);  // the rest: neutral
  CHECK(diff_flame_value(r, ix, diff_flame_node(3), o) == 0.0f);
}

TEST_CASE("diff flame: a hand-worked merged tree and the width toggle") {
  // A: main 100 → { keep 60, gone 30 };  B: main 100 → { keep 70, new 20 }.
  DiffResult r;
  r.by = DiffBy::Path;
  r.rows.resize(4);
  r.rows[0] = {"main", 1, kNone, {1, 100, 10}, {1, 100, 10}};
  r.rows[1] = {"keep", 2, 0, {1, 60, 60}, {1, 70, 70}};
  r.rows[2] = {"gone", 2, 0, {1, 30, 30}, {}};
  r.rows[2].status = DiffStatus::Removed;
  r.rows[3] = {"new", 2, 0, {}, {1, 20, 20}};
  r.rows[3].status = DiffStatus::Added;
  r.total_a = r.total_b = 100;
  auto frames = [&](bool b) {
    const DiffFlameIndex ix = build_diff_flame_index(r, b);
    std::vector<std::pair<std::string, double>> out;  // name and width of the callees of main
    for (const DiffFlameFrame& f : layout_diff_flamegraph(r, ix, 0, 1000.0, 0.5))
      if (f.row == 2) out.emplace_back(diff_flame_name(r, f.node), f.x1 - f.x0);
    return out;
  };
  // Widths from B: keep 700 px, new 200 px; the removed function has no width.
  const auto fb = frames(true);
  REQUIRE(fb.size() == 2);
  CHECK((fb[0].first == "keep" && fb[0].second == doctest::Approx(700)));
  CHECK((fb[1].first == "new" && fb[1].second == doctest::Approx(200)));
  // Widths from A: keep 600 px, gone 300 px; the added one has none.
  const auto fa = frames(false);
  REQUIRE(fa.size() == 2);
  CHECK((fa[0].first == "keep" && fa[0].second == doctest::Approx(600)));
  CHECK((fa[1].first == "gone" && fa[1].second == doctest::Approx(300)));
  // Added and removed are full colour on every scale.
  const DiffFlameIndex ix = build_diff_flame_index(r, true);
  for (DiffScale s : {DiffScale::Normalised, DiffScale::Absolute, DiffScale::Share}) {
    DiffFlameOptions o;
    o.scale = s;
    CHECK(diff_flame_value(r, ix, diff_flame_node(3), o) == 1.0f);
    CHECK(diff_flame_value(r, ix, diff_flame_node(2), o) == -1.0f);
  }
  CHECK(diff_flame_path(ix, diff_flame_node(3)) == std::vector<uint32_t>{0, 1, 4});
  CHECK(diff_flame_name(r, 0) == "all");
  // A row whose parent is not an earlier row (a damaged result) hangs from the root.
  r.rows[1].parent = 1;
  r.rows[2].parent = 7;
  const DiffFlameIndex bad = build_diff_flame_index(r, true);
  CHECK(bad.parent[diff_flame_node(1)] == 0);
  CHECK(bad.parent[diff_flame_node(2)] == 0);
  CHECK(bad.parent[diff_flame_node(3)] == diff_flame_node(0));
}

TEST_CASE("diff flame: one function 3x slower is red, one 2x faster blue, the rest neutral") {
  // A: main 1000 µs → steady 400, slow 100, quick 400.  B: steady 400, slow 300, quick 200.
  auto ta = run_trace(1000, 400, 100, 400), tb = run_trace(1000, 400, 300, 200);
  const DiffResult r = path_diff(*ta, *tb);
  const DiffFlameIndex ix = build_diff_flame_index(r, true);
  // Self-time ratios: main 1 (weight 100), steady 1 (400), slow 3 (100), quick 0.5 (400).
  CHECK(ix.typical_ratio == doctest::Approx(1.0));
  const uint32_t main = node_named(r, "main"), steady = node_named(r, "steady"), slow = node_named(r, "slow"),
                 quick = node_named(r, "quick");
  DiffFlameOptions o;
  CHECK(diff_flame_value(r, ix, slow, o) == 1.0f);  // 3x: past full colour
  CHECK(diff_flame_value(r, ix, quick, o) == -1.0f);
  CHECK(diff_flame_value(r, ix, steady, o) == 0.0f);
  CHECK(diff_flame_value(r, ix, main, o) == 0.0f);
  CHECK(diff_flame_value(r, ix, 0, o) == 0.0f);
  // By total: main's total did not change either; slow's did.
  o.by_self = false;
  CHECK(diff_flame_value(r, ix, main, o) == 0.0f);
  CHECK(diff_flame_value(r, ix, slow, o) == 1.0f);
  // Absolute: the same here (no run-wide change).
  o.scale = DiffScale::Absolute;
  CHECK(diff_flame_value(r, ix, slow, o) == 1.0f);
  CHECK(diff_flame_value(r, ix, steady, o) == 0.0f);
  // Share: slow 10 % → 30 % of the run (+20 points: full), quick 40 % → 20 % (−20), steady 40 % → 40 %.
  o.scale = DiffScale::Share;
  CHECK(diff_flame_value(r, ix, slow, o) == 1.0f);
  CHECK(diff_flame_value(r, ix, quick, o) == -1.0f);
  CHECK(diff_flame_value(r, ix, steady, o) == 0.0f);
  // Widths follow B: steady 400, slow 300, quick 200 of 1000.
  for (const DiffFlameFrame& f : layout_diff_flamegraph(r, ix, main, 1000.0, 0.5)) {
    if (f.node == steady) CHECK(f.x1 - f.x0 == doctest::Approx(400));
    if (f.node == slow) CHECK(f.x1 - f.x0 == doctest::Approx(300));
    if (f.node == quick) CHECK(f.x1 - f.x0 == doctest::Approx(200));
  }
}

TEST_CASE("diff flame: a uniformly 2x slower run is neutral unless compared absolutely") {
  auto ta = run_trace(1000, 400, 100, 400), tb = run_trace(2000, 800, 200, 800);
  const DiffResult r = path_diff(*ta, *tb);
  const DiffFlameIndex ix = build_diff_flame_index(r, true);
  CHECK(ix.typical_ratio == doctest::Approx(2.0));
  for (bool by_self : {true, false}) {
    for (uint32_t n = 0; n < ix.nodes(); ++n) {
      DiffFlameOptions o;
      o.by_self = by_self;
      INFO("node " << diff_flame_name(r, n) << (by_self ? " by self" : " by total"));
      CHECK(diff_flame_value(r, ix, n, o) == 0.0f);
      o.scale = DiffScale::Share;
      CHECK(diff_flame_value(r, ix, n, o) == 0.0f);
      o.scale = DiffScale::Absolute;
      const DiffSums a = diff_flame_sums(r, ix, n, false);
      if ((by_self ? a.self : a.total) > 0) CHECK(diff_flame_value(r, ix, n, o) == 1.0f);  // 2x: full red
    }
  }
  // Random runs made uniformly 2x slower: neutral everywhere under the default.
  std::mt19937_64 rng(3);
  for (int iter = 0; iter < 100; ++iter) {
    DiffResult d = random_result(rng);
    for (DiffRow& row : d.rows) {
      row.status = DiffStatus::Both;
      row.b = {row.a.count, row.a.total * 2, row.a.self * 2};
    }
    d.total_b = d.total_a * 2;
    const DiffFlameIndex dx = build_diff_flame_index(d, true);
    for (uint32_t n = 0; n < dx.nodes(); ++n) {
      for (bool by_self : {true, false}) {
        DiffFlameOptions o;
        o.by_self = by_self;
        CHECK(diff_flame_value(d, dx, n, o) == 0.0f);
        o.scale = DiffScale::Share;
        CHECK(diff_flame_value(d, dx, n, o) == 0.0f);
      }
    }
  }
}

TEST_CASE("diff flame: values follow the rules of the header on random numbers") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int iter = 0; iter < 20000; ++iter) {
    const double total_a = 1000.0 + 1e6 * u(rng), total_b = 1000.0 + 1e6 * u(rng);
    const double a = rng() % 6 == 0 ? 0.0 : total_a * u(rng), b = rng() % 6 == 0 ? 0.0 : total_b * u(rng);
    const double k = 0.25 + 4 * u(rng);
    DiffFlameOptions o;
    o.scale = DiffScale(rng() % 3);
    INFO("a " << a << " b " << b << " totals " << total_a << " " << total_b << " k " << k << " scale " << int(o.scale));
    const float v = diff_value(a, b, total_a, total_b, k, DiffStatus::Both, o);
    REQUIRE((v >= -1.0f && v <= 1.0f));
    if (o.scale == DiffScale::Share) {
      const double d = b / total_b - a / total_a;
      if (std::fabs(d) < o.noise_share || std::fabs(d) <= o.min_change * a / total_a) CHECK(v == 0.0f);
      else CHECK(v == doctest::Approx(std::clamp(d / o.share_full, -1.0, 1.0)));
      continue;
    }
    const double e = o.scale == DiffScale::Normalised ? a * k : a;
    const double floor = o.noise_share * std::max(o.scale == DiffScale::Normalised ? total_a * k : total_a, total_b);
    const double ratio = b / e;
    if (std::fabs(b - e) < floor || (ratio <= 1.05 && ratio >= 1 / 1.05)) CHECK(v == 0.0f);
    else if (b > e) CHECK(v > 0.0f);
    else CHECK(v < 0.0f);
    if (std::fabs(b - e) >= floor && (ratio >= 2.0 || ratio <= 0.5)) CHECK(std::fabs(v) == 1.0f);
    // More time in B never lowers the value.
    const float v2 = diff_value(a, b * 1.3 + 1, total_a, total_b, k, DiffStatus::Both, o);
    CHECK(v2 >= v);
  }
}

TEST_CASE("diff flame: colours run from the faster colour through grey to the slower one") {
  for (bool dark : {true, false}) {
    auto rgb = [&](float v) {
      const uint32_t c = diff_flame_color(v, dark);
      return std::array<int, 3>{int(c & 0xFF), int((c >> 8) & 0xFF), int((c >> 16) & 0xFF)};
    };
    const auto slow = rgb(1), fast = rgb(-1), grey = rgb(0);
    for (int c = 0; c < 3; ++c) {
      CHECK(slow[size_t(c)] == kDiffSlower[c]);
      CHECK(fast[size_t(c)] == kDiffFaster[c]);
    }
    CHECK(std::abs(grey[0] - grey[2]) < 20);  // grey: neither red nor blue
    CHECK((diff_flame_color(0.0f, dark) >> 24) == 0xFFu);
    // Redder (and less blue) as the value grows.
    for (float v = -1.0f; v < 1.0f; v += 0.125f) {
      CHECK(rgb(v + 0.125f)[0] - rgb(v + 0.125f)[2] > rgb(v)[0] - rgb(v)[2]);
    }
    CHECK(diff_flame_color(std::nanf(""), dark) == diff_flame_color(0.0f, dark));
  }
}
