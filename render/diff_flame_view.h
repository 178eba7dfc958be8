// The differential flamegraph panel: two runs' call trees merged by call path (a DiffBy::Path
// result of analysis/diff.h) drawn as one icicle, root at the top.
//
// Frame width is the node's total in B (or A, a toolbar toggle) relative to the focused node;
// frame colour runs from red (slower in B) through grey (no change worth noting) to blue (faster),
// by Δ self or Δ total, on the scale chosen in the toolbar: normalised to the run's typical change
// (the default, so that a uniformly slower run is not all red), absolute, or by share of the run.
// render/diff_flame_layout.h defines widths and colours. Functions only in B are labelled "+",
// only in A "−" (they have no width on the side that lacks them). Hover shows both runs' numbers,
// a click focuses a frame, a right click or the breadcrumb goes back up; matching names (search)
// are emphasised and the rest dimmed.
//
// The panel reads the DiffResult and keeps the merged tree's children index in its state, built
// once per result (and width side), so a frame costs O(visible frames) even for a million rows.
//
// Usage
//   vz::DiffFlameState st;                           // one per comparison shown
//   ImGui::BeginChild("flame");
//   vz::draw_diff_flamegraph(path_diff, st, search);  // path_diff.by == DiffBy::Path
//   ImGui::EndChild();
#pragma once

#include <cstdint>
#include <string>

#include "analysis/diff.h"
#include "render/diff_flame_layout.h"

namespace vz {

// What the panel remembers: focus, hover, the toolbar's options, and the cached index.
struct DiffFlameState {
  uint32_t focus = 0;                 // node spanning the full width (0 = root, else row + 1)
  uint32_t hovered = kNone;           // node under the mouse last frame
  DiffFlameOptions options;           // width side, colour measure and scale
  size_t frames_drawn = 0;            // frames drawn last frame
  // The merged tree of the result drawn last (focus resets when the result changes).
  const DiffResult* indexed = nullptr;
  size_t indexed_rows = 0;
  DiffFlameIndex index;
  // Where the graph went last frame (screen px): frame f of layout_diff_flamegraph(..., graph_w, ...)
  // covers x in graph_x + [f.x0, f.x1) and y in graph_y + (f.row - min_row) · row_h + [0, row_h).
  float graph_x = 0, graph_y = 0, graph_w = 0, row_h = 0;
  int min_row = 0;
};

// Draws the toolbar, the breadcrumb and the graph into the rest of the current window. Frames
// whose name contains `highlight` (case-insensitive; empty = none) are emphasised. A by-name
// result is not drawn (a note says a call-path comparison is needed).
void draw_diff_flamegraph(const DiffResult& r, DiffFlameState& state, const std::string& highlight);

}  // namespace vz
