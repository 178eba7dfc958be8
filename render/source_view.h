// The Python source of a selected viztracer slice, with the function's line highlighted: the
// widget the details panel draws under a slice when the trace carries viztracer's file_info.
//
// Why: viztracer stores every traced file's text in the trace, so the viewer can show the code
// behind a slice without the files being present on this machine. The lookup and line splitting
// live in render/source_lookup (no ImGui); this file only draws. Only the visible lines are drawn
// (ImGuiListClipper), so a 100k-line file costs what a 30-line one does.
//
// The state keeps one decoded copy of each file shown (per trace) and the location on display;
// when the slice name changes, the function's line is scrolled into view once.
//
// Usage
//   vz::SourceViewState source;                       // one per loaded trace; reset() on reload
//   ...every frame, inside a window, for the selected slice:
//   if (vz::has_file_info(trace)) vz::draw_source(trace, trace.name_of(label), source);
#pragma once

#include <string>
#include <string_view>

#include "formats/model.h"
#include "render/source_lookup.h"

namespace vz {

// What the source widget remembers between frames.
struct SourceViewState {
  SourceCache cache;              // decoded files of the current trace
  const Trace* trace = nullptr;   // the trace `location` was looked up in
  std::string name;               // the slice name `location` belongs to
  SourceLocation location;        // where that function is defined
  int scroll_frames = 0;          // frames left in which to scroll the line into view

  // Forgets the decoded files and the location (call when a trace is loaded or closed).
  void reset();
};

// Draws "path:line" and the source around it into the current window, for the function named
// `slice_name`. `height` is the code area's height in pixels; 0 picks up to 24 lines. Traces
// without file_info draw nothing; a function the trace cannot place draws a dim note.
void draw_source(const Trace& trace, std::string_view slice_name, SourceViewState& state,
                 float height = 0.0f);

}  // namespace vz
