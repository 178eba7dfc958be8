// Where each frame of a flamegraph goes: the ImGui-free half of render/flamegraph_view.
//
// The focused node spans [0, width]; its children are laid left to right in the tree's order
// (total descending), each as wide as its share of the focused node's total, and so on down.
// Ancestors of the focused node get full-width rows above it (negative rows). Frames narrower
// than `min_px` are dropped with their subtrees: their time stays visible inside the parent.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/call_tree.h"

namespace vz {

// One frame to draw.
struct FlameFrame {
  uint32_t node = 0;      // CallTree::nodes index
  double x0 = 0, x1 = 0;  // horizontal extent in pixels from the graph's left edge
  int row = 0;            // 0 = the focused node; ancestors above are negative
};

// The frames of `tree` with `focus` spanning `width` pixels: ancestors first, then the focused
// node, then each laid-out node's children together in tree order (parents before children).
// `focus` out of range is treated as the root.
std::vector<FlameFrame> layout_flamegraph(const CallTree& tree, uint32_t focus, double width, double min_px);

// The nodes from the root to `node`, root first (the breadcrumb).
std::vector<uint32_t> flame_path(const CallTree& tree, uint32_t node);

}  // namespace vz
