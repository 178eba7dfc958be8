// The flamegraph panel: a call tree (analysis/call_tree.h) drawn as an icicle, root at the top.
//
// Frame width is the node's total time relative to the focused node, which spans the full width;
// the focused node's ancestors are drawn above it at full width so the path back is visible, and
// a breadcrumb above the graph goes back with one click. Frames narrower than half a pixel are
// skipped with their subtrees (their time is still inside their parent's width), so a frame costs
// O(visible frames). Hover shows total, self, count and the share of the root; a click focuses a
// frame; matching names (search) are emphasised and the rest dimmed.
//
// The panel reads a built CallTree and keeps only its own small state.
//
// Usage
//   vz::FlamegraphState fg;                               // one per tree shown
//   vz::draw_flamegraph(trace, tree, fg, search_text);    // inside a window
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "analysis/call_tree.h"
#include "formats/model.h"
#include "render/flame_layout.h"

namespace vz {

// What the panel remembers: the focused node and what the mouse is over.
struct FlamegraphState {
  uint32_t focus = 0;          // node spanning the full width (0 = root)
  uint32_t hovered = kNone;    // node under the mouse last frame
  const CallTree* tree = nullptr;  // the tree `focus` belongs to (focus resets when it changes)
  size_t frames_drawn = 0;     // frames drawn last frame
  // Per node, the name its colour was hashed from and the hash (names may be megabytes long).
  std::vector<std::pair<StrId, uint32_t>> hues;
};

// Draws the breadcrumb and the graph into the rest of the current window. Frames whose name
// contains `highlight` (case-insensitive; empty = none) are emphasised.
void draw_flamegraph(const Trace& trace, const CallTree& tree, FlamegraphState& state,
                     const std::string& highlight);

}  // namespace vz
