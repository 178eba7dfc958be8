// Shared by the timeline's source files (timeline.cpp: frame, input, axis; timeline_tracks.cpp:
// thread, async, counter and object tracks; timeline_marks.cpp: instants, flows, tooltips, selection
// outline). Not part of the public interface.
#pragma once

#include <imgui.h>

#include "render/timeline.h"

namespace vz::tl {

// Everything a track drawer needs for one frame.
struct Frame {
  ImDrawList* dl = nullptr;
  ViewIndex* index = nullptr;
  const Trace* trace = nullptr;
  TimelineState* st = nullptr;
  const TimelineHighlight* hl = nullptr;
  LayoutMetrics m;
  float plot_x = 0;       // screen x of time-area's left edge (x_of() == 0)
  float plot_w = 0;       // its width
  float tracks_y = 0;     // screen y of the layout's y == 0 (scroll applied)
  float clip_y0 = 0, clip_y1 = 0;  // visible screen y range of the track area
  ImVec2 mouse;
  bool mouse_in_plot = false;  // the mouse is over the time area of the tracks
  Pick hover;                  // filled while drawing
  float hover_row_y = 0;       // top of the hovered row (for the outline)
  float text_h = 0;            // font size
  TimelineFrameStats stats;
  std::vector<const ThreadMatches*> matches;  // search matches by thread index (empty: none)

  float sx(double x) const { return plot_x + float(x); }  // view x -> screen x
  bool row_visible(float y, float h) const { return y + h >= clip_y0 && y <= clip_y1; }
};

// Colour helpers (ImU32).
uint32_t dim_color(uint32_t c);                 // a highlight is active and this is not part of it
uint32_t darker(uint32_t c, float k = 0.55f);   // outlines
uint32_t text_on(uint32_t c);                   // black or white, whichever reads better on c
uint32_t fold_color();                          // folded runs of sub-pixel slices; a counter's "others"
uint32_t series_color(uint32_t k);              // counter series k

// Track drawers (timeline_tracks.cpp).
void draw_thread_track(Frame& f, const LaidTrack& t);
void draw_async_track(Frame& f, const LaidTrack& t);
void draw_counter_track(Frame& f, const LaidTrack& t);
void draw_objects_track(Frame& f, const LaidTrack& t);
// Half the width of a snapshot marker on an object track, pixels.
float snapshot_half_width(const Frame& f);

// Marks (timeline_marks.cpp).
void draw_thread_instants(Frame& f, const LaidTrack& t);
// "Async instant (n)", "Async step into (T)", "Async step past (p)".
inline const char* async_mark_kind(char phase) {
  return phase == 'n' ? "Async instant (n)" : phase == 'T' ? "Async step into (T)" : "Async step past (p)";
}
// The async marks (n, T, p) on async slice `slice`, drawn in its row at y (ViewIndex::async_marks_on).
void draw_async_marks(Frame& f, uint32_t slice, float y);
void draw_process_instants(Frame& f, const LaidTrack& header, float group_bottom);
void draw_global_instants(Frame& f, float y0, float y1);
void draw_flows(Frame& f, const std::vector<LaidTrack>& tracks);
void draw_hover_tooltip(Frame& f);

// Screen y of row `row` of thread `thread` in this frame's layout, or false when not laid out.
bool thread_row_screen_y(const Frame& f, const std::vector<LaidTrack>& tracks, uint32_t thread,
                         uint32_t row, float* y);

// Row of slice `index` of `set` in a thread track (nested depth, or nested + lane).
uint32_t slice_row(const Thread& th, uint8_t set, uint32_t index);

}  // namespace vz::tl
