// Tests of render/flame_layout.cpp: a hand-worked tree, then random call trees (filled directly,
// and built from random traces) against a brute-force recursive layout and the rules in
// flame_layout.h: widths are shares of the focused node, children sit inside their parent in
// tree order without overlapping, narrow frames go with their subtrees, ancestors get full-width
// negative rows, and flame_path walks from the root.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "analysis/analysis_test_util.h"
#include "analysis/call_tree.h"
#include "render/flame_layout.h"

using namespace vz;

namespace {

constexpr double kEps = 1e-6;

// A random call tree laid out as build_call_tree lays one out: breadth-first, each node's
// children contiguous. Children's totals never sum past their parent's; some are zero, some tiny.
CallTree random_tree(std::mt19937_64& rng) {
  struct Proto {
    Time total;
    int depth;
    std::vector<Time> kids;  // totals of the children, in order
  };
  CallTree t;
  t.nodes.push_back(CallNode{});
  t.nodes[0].total = rng() % 8 == 0 ? 0 : Time(1 + rng() % 100000);
  std::vector<size_t> queue{0};
  for (size_t q = 0; q < queue.size(); ++q) {
    const uint32_t n = uint32_t(queue[q]);
    const Time total = t.nodes[n].total;
    const int kids = t.nodes[n].depth >= 6 || total == 0 ? 0 : int(rng() % 5);
    Time left = total;
    t.nodes[n].first_child = uint32_t(t.nodes.size());
    t.nodes[n].child_count = uint32_t(kids);
    for (int k = 0; k < kids; ++k) {
      CallNode c;
      c.parent = n;
      c.depth = t.nodes[n].depth + 1;
      c.name = StrId(rng() % 7);
      switch (rng() % 4) {
        case 0: c.total = 0; break;
        case 1: c.total = std::min<Time>(left, Time(rng() % 3)); break;  // tiny
        default: c.total = left > 0 ? Time(rng() % uint64_t(left + 1)) : 0; break;
      }
      left -= c.total;
      c.self = 0;
      t.nodes.push_back(c);
      queue.push_back(t.nodes.size() - 1);
    }
  }
  return t;
}

// Brute force: the frames of the subtree under `n` (which sits at [x, ...) on `row`), parents
// before children; each child's left edge recomputed from the totals of the siblings before it.
void reference_subtree(const CallTree& t, uint32_t n, double x, int row, double scale, double min_px,
                       std::vector<FlameFrame>& out) {
  const CallNode& node = t.nodes[n];
  for (uint32_t c = node.first_child; c < node.first_child + node.child_count; ++c) {
    Time before = 0;
    for (uint32_t s = node.first_child; s < c; ++s) before += t.nodes[s].total;
    const double x0 = x + double(before) * scale, w = double(t.nodes[c].total) * scale;
    if (w < min_px) continue;
    out.push_back({c, x0, x0 + w, row + 1});
    reference_subtree(t, c, x0, row + 1, scale, min_px, out);
  }
}

std::vector<FlameFrame> reference_layout(const CallTree& t, uint32_t focus, double width, double min_px) {
  std::vector<FlameFrame> out;
  if (focus >= t.nodes.size()) focus = 0;
  std::vector<uint32_t> up;  // focus's ancestors, nearest first
  for (uint32_t p = t.nodes[focus].parent; p != kNone; p = t.nodes[p].parent) up.push_back(p);
  for (size_t k = up.size(); k-- > 0;) out.push_back({up[k], 0.0, width, -int(k) - 1});
  out.push_back({focus, 0.0, width, 0});
  if (t.nodes[focus].total > 0)
    reference_subtree(t, focus, 0.0, 0, width / double(t.nodes[focus].total), min_px, out);
  return out;
}

// Whether `n` lies in the subtree of `root` (inclusive).
bool under(const CallTree& t, uint32_t n, uint32_t root) {
  for (; n != kNone; n = t.nodes[n].parent)
    if (n == root) return true;
  return false;
}

// Checks one layout against the reference and against the rules, one by one.
void check_layout(const CallTree& t, uint32_t focus, double width, double min_px) {
  INFO("focus " << focus << " of " << t.nodes.size() << " nodes, width " << width << ", min_px " << min_px);
  const std::vector<FlameFrame> got = layout_flamegraph(t, focus, width, min_px);
  // The same frames as the reference; the order is checked by the rules below (the layout emits
  // a node's children together, so it need not match the reference's pre-order).
  std::vector<FlameFrame> by_node = got, want = reference_layout(t, focus, width, min_px);
  auto node_order = [](const FlameFrame& a, const FlameFrame& b) { return a.node < b.node; };
  std::sort(by_node.begin(), by_node.end(), node_order);
  std::sort(want.begin(), want.end(), node_order);
  REQUIRE(by_node.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(by_node[i].node == want[i].node);
    CHECK(by_node[i].row == want[i].row);
    CHECK(std::fabs(by_node[i].x0 - want[i].x0) <= kEps);
    CHECK(std::fabs(by_node[i].x1 - want[i].x1) <= kEps);
  }
  if (focus >= t.nodes.size()) focus = 0;

  // Ancestors first, root at the top, at full width on rows -k..-1; then the focus on row 0.
  const std::vector<uint32_t> path = flame_path(t, focus);
  REQUIRE(got.size() >= path.size());
  for (size_t k = 0; k < path.size(); ++k) {
    CHECK(got[k].node == path[k]);
    CHECK(got[k].row == int(k) - int(path.size() - 1));
    CHECK(got[k].x0 == 0.0);
    CHECK(got[k].x1 == width);
  }

  const double total = double(t.nodes[focus].total);
  std::vector<int> pos(t.nodes.size(), -1);  // position of each node's frame in `got`
  for (size_t i = 0; i < got.size(); ++i) {
    const FlameFrame& f = got[i];
    REQUIRE(pos[f.node] == -1);  // each node at most once
    pos[f.node] = int(i);
    if (f.row <= 0) continue;
    // Below the focus: in its subtree, as wide as the node's share, at least min_px.
    REQUIRE(total > 0);
    CHECK(under(t, f.node, focus));
    CHECK(f.row == int(t.nodes[f.node].depth - t.nodes[focus].depth));
    CHECK(std::fabs((f.x1 - f.x0) - double(t.nodes[f.node].total) / total * width) <= kEps);
    CHECK(f.x1 - f.x0 >= min_px);
    // Inside its parent, which was emitted earlier.
    const int p = pos[t.nodes[f.node].parent];
    REQUIRE(p >= 0);
    CHECK(f.x0 >= got[size_t(p)].x0 - kEps);
    CHECK(f.x1 <= got[size_t(p)].x1 + kEps);
  }
  // Siblings: left to right in tree order, not overlapping.
  for (uint32_t n = 0; n < t.nodes.size(); ++n) {
    const CallNode& node = t.nodes[n];
    int prev = -1;
    for (uint32_t c = node.first_child; c < node.first_child + node.child_count; ++c) {
      if (pos[c] < 0 || got[size_t(pos[c])].row <= 0) continue;
      if (prev >= 0) {
        CHECK(pos[c] > prev);
        CHECK(got[size_t(pos[c])].x0 >= got[size_t(prev)].x1 - kEps);
      }
      prev = pos[c];
    }
  }
  // Dropped: a node under the focus is missing only when it or an ancestor below the focus is
  // narrower than min_px (then its whole subtree is missing).
  for (uint32_t n = 0; n < t.nodes.size(); ++n) {
    if (n == focus || !under(t, n, focus) || pos[n] >= 0) continue;
    bool narrow = !(total > 0);
    for (uint32_t a = n; a != focus && !narrow; a = t.nodes[a].parent)
      narrow = double(t.nodes[a].total) / total * width < min_px;
    CHECK_MESSAGE(narrow, "node " << n << " missing but wide enough");
  }
}

}  // namespace

TEST_CASE("flame layout: a hand-worked tree") {
  // root 100 -> A 75 (-> C 60), B 25 (-> D 1); 400 px wide, frames under 5 px dropped (D: 4 px).
  CallTree t;
  t.nodes.resize(5);
  t.nodes[0] = {kNone, kNoStr, 1, 2, 0, 1, 100, 0};
  t.nodes[1] = {0, 1, 3, 1, 1, 1, 75, 15};
  t.nodes[2] = {0, 2, 4, 1, 1, 1, 25, 24};
  t.nodes[3] = {1, 3, 0, 0, 2, 1, 60, 60};
  t.nodes[4] = {2, 4, 0, 0, 2, 1, 1, 1};
  const std::vector<FlameFrame> f = layout_flamegraph(t, 0, 400.0, 5.0);
  REQUIRE(f.size() == 4);  // root, A, B, C; D dropped
  auto frame_of = [&](uint32_t node) {
    for (const FlameFrame& x : f)
      if (x.node == node) return x;
    FAIL("no frame for node " << node);
    return FlameFrame{};
  };
  CHECK(f[0].node == 0);  // the focus first
  const FlameFrame root = frame_of(0), a = frame_of(1), b = frame_of(2), c = frame_of(3);
  CHECK((root.row == 0 && root.x0 == 0.0 && root.x1 == 400.0));
  CHECK((a.row == 1 && a.x0 == 0.0 && a.x1 == doctest::Approx(300.0)));
  CHECK((b.row == 1 && b.x0 == doctest::Approx(300.0) && b.x1 == doctest::Approx(400.0)));
  CHECK((c.row == 2 && c.x0 == 0.0 && c.x1 == doctest::Approx(240.0)));
}

TEST_CASE("flame layout: focusing a node puts its ancestors on full-width rows above it") {
  CallTree t;
  t.nodes.resize(3);
  t.nodes[0] = {kNone, kNoStr, 1, 1, 0, 1, 10, 0};
  t.nodes[1] = {0, 1, 2, 1, 1, 1, 10, 6};
  t.nodes[2] = {1, 2, 0, 0, 2, 1, 4, 4};
  const std::vector<FlameFrame> f = layout_flamegraph(t, 2, 200.0, 0.5);
  REQUIRE(f.size() == 3);
  CHECK((f[0].node == 0 && f[0].row == -2 && f[0].x0 == 0.0 && f[0].x1 == 200.0));
  CHECK((f[1].node == 1 && f[1].row == -1 && f[1].x1 == 200.0));
  CHECK((f[2].node == 2 && f[2].row == 0 && f[2].x1 == 200.0));
  CHECK(flame_path(t, 2) == std::vector<uint32_t>{0, 1, 2});
  CHECK(flame_path(t, 0) == std::vector<uint32_t>{0});
  CHECK(flame_path(t, 99) == std::vector<uint32_t>{0});  // out of range: the root
}

TEST_CASE("flame layout: random trees against a brute-force layout") {
  std::mt19937_64 rng(20240611);
  const double min_pxs[] = {0.0, 0.5, 3.0, 40.0};
  for (int iter = 0; iter < 300; ++iter) {
    const CallTree t = random_tree(rng);
    const double width = 50.0 + double(rng() % 2000);
    const double min_px = min_pxs[rng() % 4];
    check_layout(t, 0, width, min_px);
    check_layout(t, uint32_t(rng() % t.nodes.size()), width, min_px);
    check_layout(t, uint32_t(t.nodes.size() + rng() % 3), width, min_px);  // out of range
  }
}

TEST_CASE("flame layout: call trees of random traces") {
  std::mt19937_64 rng(77);
  for (int iter = 0; iter < 60; ++iter) {
    auto trace = vz::testing::random_trace(rng);
    const CallTree t = build_call_tree(*trace, CallTreeQuery{}, 1);
    const double width = 100.0 + double(rng() % 1500);
    for (double min_px : {0.5, 3.0}) {
      check_layout(t, 0, width, min_px);
      check_layout(t, uint32_t(rng() % t.nodes.size()), width, min_px);
    }
  }
}

TEST_CASE("flame layout: flame_path walks parent links from the root") {
  std::mt19937_64 rng(5);
  for (int iter = 0; iter < 100; ++iter) {
    const CallTree t = random_tree(rng);
    const uint32_t n = uint32_t(rng() % t.nodes.size());
    const std::vector<uint32_t> path = flame_path(t, n);
    REQUIRE(!path.empty());
    CHECK(path.front() == 0);
    CHECK(path.back() == n);
    CHECK(path.size() == t.nodes[n].depth + 1);
    for (size_t k = 1; k < path.size(); ++k) CHECK(t.nodes[path[k]].parent == path[k - 1]);
  }
}
