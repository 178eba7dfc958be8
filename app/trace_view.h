// One loaded trace on screen: the tab bar (Timeline, Trace info) and what each tab shows.
//
// The Viewer (window.cpp) owns the LoadedTrace and the platform; a TraceView owns the per-trace UI
// state (timeline view and selection, details, panel sizes) and draws the tabs. It is created
// when a load finishes and destroyed with the trace.
#pragma once

#include <string>

#include "app/load_job.h"
#include "render/details_panel.h"
#include "render/stats_panel.h"
#include "render/timeline.h"

namespace vz {

enum class ViewTab { Timeline, Flamegraph, Stats, Info };

// What the command line asks the first frames to show (headless screenshots use it).
struct ViewRequest {
  ViewTab tab = ViewTab::Timeline;
  bool has_range = false;        // --range START:END (relative to the trace start, ns)
  Time range_t0 = 0, range_t1 = 0;
  std::string select;            // --select NAME: select the longest slice with this name
};

class TraceView {
 public:
  explicit TraceView(LoadedTrace& trace);

  // Draws the tab bar and the current tab into the current window.
  void draw();
  // Applies a request (tab, range, selection) from the command line.
  void apply(const ViewRequest& r);
  // Status bar text: zoom level and what the last frame drew.
  std::string status() const;

 private:
  void draw_timeline_tab();
  void draw_bottom_panel(float height);

  LoadedTrace& t_;
  ViewTab tab_ = ViewTab::Timeline;
  ViewTab want_tab_ = ViewTab::Timeline;
  bool tab_requested_ = true;
  TimelineState timeline_;
  DetailsState details_;
  TraceInfoState info_;
  float bottom_h_ = 0;  // height of the details panel (0 = default)
};

}  // namespace vz
