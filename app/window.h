// The vizviewer desktop window: GLFW + OpenGL 3.3 + Dear ImGui.
//
// This window shows a trace's statistics (the Trace info panel); the timeline comes later.
// It owns the platform side (window, GL context, ImGui backends, drag-and-drop, the frame loop)
// and the viewer's screens: a start screen when no file is open, a progress screen while a
// LoadJob runs (the window keeps drawing; Cancel works), an error screen when a file cannot be
// loaded, and the panel once it is loaded. It never blocks the UI thread on loading.
//
// `screenshot` makes the run headless-friendly: frames are drawn until loading finished and a few
// more frames were drawn, the framebuffer is written as a PNG, and the function returns. This is
// how CI and reviewers look at the window under `xvfb-run`.
#pragma once

#include <string>

#include "app/trace_view.h"

namespace vz {

// What the command line asked the window to do.
struct WindowOptions {
  std::string file;        // opened at start; empty shows the start screen
  std::string compare;     // a second file: compared with `file` in the Compare tab
  std::string screenshot;  // when set: write a PNG of the window here once loaded, then return
  int width = 1600;        // initial window size in screen coordinates
  int height = 900;
  bool size_set = false;   // --size given: it wins over the size remembered in the settings
  float mouse_x = -1, mouse_y = -1;  // --mouse X,Y: with a screenshot, the pointer there (hover
                                     // tooltips show); none without it
  ViewRequest request;     // tab, range and selection to show once loaded
  bool bench_frames = false;  // time timeline frames headlessly instead of opening the window
};

// Opens the window and runs it until it is closed (or the screenshot is written).
// Returns the process exit code: 0 normally, 1 when the window could not be created or the
// screenshot could not be written.
int run_window(const WindowOptions& options);

}  // namespace vz
