// Drawing pieces shared by the two flamegraph panels, the single-run one (render/flamegraph_view.h)
// and the differential one (render/diff_flame_view.h): the breadcrumb, the scrolling area the
// icicle is drawn in, and one frame (box, clipped label, hover outline).
//
// Both panels lay frames out first (render/flame_layout.h, render/diff_flame_layout.h) and then
// only choose each frame's colour and label, so what a frame looks like is decided here once.
//
// Usage
//   if (int k = flame_breadcrumb(labels); k >= 0) state.focus = path[k];
//   FlameArea area = begin_flame_area(width, min_row, max_row);
//   for (const auto& f : frames)
//     if (area.visible(f.row) && draw_flame_frame(area, f.x0, f.x1, f.row, colour, label)) hover = f.node;
//   end_flame_area();
#pragma once

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace vz {

// `c` moved a fraction k towards the window background (fades frames that are context, not content).
ImU32 blend_to_background(ImU32 c, float k);

// Dark or light text, whichever reads better on `fill`.
ImU32 text_color_on(ImU32 fill);

// The row height of an icicle at the current font size.
float flame_row_height();

// Draws the breadcrumb: the labels separated by '›', the last in bold, the others buttons, each
// shown as it is ("##" and NUL bytes too) and cut to 48 bytes (elide_bytes).
// Returns the index of the label clicked this frame, or -1.
int flame_breadcrumb(const std::vector<std::string>& labels);

// The icicle's scrolling child window and the geometry of its rows, valid until end_flame_area().
struct FlameArea {
  ImDrawList* dl = nullptr;
  ImVec2 origin;            // screen position of the left edge of row `min_row`'s top
  float row_h = 0, em = 0;  // row height and font size (px)
  int min_row = 0;          // the topmost row (ancestors of the focus are negative)
  bool hovered = false;     // the mouse is over the area
  ImVec2 mouse;             // the mouse position (screen px)
  float clip_top = 0, clip_bottom = 0;
  // Screen y of the top of `row`.
  float y_of(int row) const { return origin.y + float(row - min_row) * row_h; }
  // Whether any of `row` is inside the child window.
  bool visible(int row) const { return y_of(row) + row_h >= clip_top && y_of(row) <= clip_bottom; }
};

// Opens the child window "##flame" holding rows min_row..max_row, `width` px wide, behind an
// invisible button that takes the clicks.
FlameArea begin_flame_area(float width, int min_row, int max_row);

// Closes the child window begun by begin_flame_area().
void end_flame_area();

// Draws the frame [x0, x1) (px from the area's left edge) on `row` filled with `fill`, `label`
// inside it when it is wide enough. Returns true when the mouse is over it (and outlines it).
bool draw_flame_frame(const FlameArea& area, double x0, double x1, int row, ImU32 fill, std::string_view label);

}  // namespace vz
