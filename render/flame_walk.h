// The flamegraph layout walk, written once for the two trees laid out as flamegraphs: the call tree
// (render/flame_layout.h) and the merged tree of a differential flamegraph
// (render/diff_flame_layout.h). Internal to those two; callers use their public functions.
//
// A tree is read through a small accessor (FlameTree below), so neither tree is copied or
// converted. The rules are those of flame_layout.h: the focused node spans [0, width], its
// children are laid left to right in the accessor's order, each as wide as its share of the
// focused node's total, and so on down; ancestors get full-width negative rows above it.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/model.h"

namespace vz {

// What the walk reads of a tree. Node 0 is the root.
template <class T>
concept FlameTree = requires(const T& t, uint32_t n) {
  { t.size() } -> std::convertible_to<size_t>;            // number of nodes
  { t.parent(n) } -> std::convertible_to<uint32_t>;       // n's parent; kNone for the root
  { t.total(n) } -> std::convertible_to<double>;          // the time that sets n's width
  { t.child_begin(n) } -> std::convertible_to<uint32_t>;  // n's children are child(k) for
  { t.child_end(n) } -> std::convertible_to<uint32_t>;    // k in [child_begin, child_end),
  { t.child(n) } -> std::convertible_to<uint32_t>;        // left to right
};

// What a child too narrow to draw means for the siblings after it.
enum class NarrowChild : uint8_t {
  Skip,      // narrower than min_px: dropped with its subtree; later siblings are still tried
  EndsList,  // children come widest first: the first one narrower than min_px, or of no width,
             // ends the list with everything after it (a layout costs O(frames returned))
};

// The nodes from the root to `node`, root first; `node` out of range is the root.
template <FlameTree Tree>
std::vector<uint32_t> flame_tree_path(const Tree& t, uint32_t node) {
  std::vector<uint32_t> path;
  if (node >= t.size()) node = 0;
  for (uint32_t n = node; n != kNone && path.size() <= t.size(); n = t.parent(n)) path.push_back(n);
  return {path.rbegin(), path.rend()};
}

// The frames of `t` with `focus` spanning `width` pixels: ancestors first, then the focus, then
// each laid-out node's children together, left to right (parents before children). `Frame` is an
// aggregate {node, x0, x1, row}. `focus` out of range is the root.
template <class Frame, NarrowChild narrow, FlameTree Tree>
std::vector<Frame> layout_flame_tree(const Tree& t, uint32_t focus, double width, double min_px) {
  std::vector<Frame> out;
  if (t.size() == 0) return out;
  if (focus >= t.size()) focus = 0;
  const std::vector<uint32_t> path = flame_tree_path(t, focus);
  const int above = int(path.size()) - 1;
  for (size_t k = 0; k + 1 < path.size(); ++k) out.push_back(Frame{path[k], 0.0, width, int(k) - above});
  out.push_back(Frame{focus, 0.0, width, 0});
  const double total = double(t.total(focus));
  if (!(total > 0)) return out;
  const double scale = width / total;
  // Depth-first with an explicit stack: (node, left x, row).
  struct Item {
    uint32_t node;
    double x;
    int row;
  };
  std::vector<Item> stack{{focus, 0.0, 0}};
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    double x = it.x;
    const size_t mark = stack.size();
    for (uint32_t k = t.child_begin(it.node), end = t.child_end(it.node); k < end; ++k) {
      const uint32_t c = t.child(k);
      const double w = double(t.total(c)) * scale;
      const bool keep = narrow == NarrowChild::EndsList ? w >= min_px && w > 0 : w >= min_px;
      if (keep) {
        out.push_back(Frame{c, x, x + w, it.row + 1});
        stack.push_back({c, x, it.row + 1});
      } else if constexpr (narrow == NarrowChild::EndsList) {
        break;  // the rest are narrower still
      }
      x += w;
    }
    std::reverse(stack.begin() + long(mark), stack.end());  // leftmost visited first
  }
  return out;
}

}  // namespace vz
