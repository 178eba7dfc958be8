// One loaded trace on screen: the search bar, the tabs (Timeline, Flamegraph, Statistics, Trace
// info) and the panels inside them.
//
// The Viewer (window.cpp) owns the LoadedTrace and the platform; a TraceView owns the per-trace UI
// state (timeline view and selection, details, table orders, flamegraph focus) and the background
// work behind the panels (search, range statistics, call trees), each a Task the panels poll. It is
// created when a load finishes and destroyed with the trace.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/call_tree.h"
#include "analysis/range_stats.h"
#include "analysis/search.h"
#include "app/compare_view.h"
#include "app/load_job.h"
#include "app/split_panel.h"
#include "app/task.h"
#include "render/details_panel.h"
#include "render/flamegraph_view.h"
#include "render/stats_panel.h"
#include "render/stats_table.h"
#include "render/timeline.h"

namespace vz {

enum class ViewTab { Timeline, Flamegraph, Stats, Info, Compare };

// What the command line asks the first frames to show (headless screenshots use it).
struct ViewRequest {
  ViewTab tab = ViewTab::Timeline;
  bool tab_set = false;          // --tab given: the view stays there when run B loads
  bool has_range = false;        // --range START:END (relative to the trace start, ns)
  Time range_t0 = 0, range_t1 = 0;
  std::string select;            // --select NAME: select the longest slice with this name
  std::string search;            // --search TEXT: run a name search
  std::string tracks;            // --tracks TEXT: only the timeline tracks it names
  bool shortcuts = false;        // --shortcuts: open the keyboard-shortcut overlay
  CompareSetup compare;          // --align, --select, --tab diff-flamegraph in the Compare tab
};

class TraceView {
 public:
  explicit TraceView(LoadedTrace& trace);
  ~TraceView();

  // Draws the search bar, the tab bar and the current tab into the current window.
  void draw();
  // Applies a request (tab, range, selection, search) from the command line.
  void apply(const ViewRequest& r);
  // Status bar text on the Timeline tab: the zoom level and what the last frame drew (empty on
  // the other tabs, which that does not describe).
  std::string status() const;
  // True while background work a screenshot should wait for is running.
  bool busy() const;
  // Switches to a tab on the next frame.
  void show_tab(ViewTab t) {
    want_tab_ = t;
    tab_requested_ = true;
  }
  // Opens the keyboard-shortcut overlay.
  void show_shortcuts() { want_shortcuts_ = true; }
  // Compares this trace (A) with `b` (null: no comparison) in the Compare tab; `b` must outlive
  // the comparison (the Viewer clears it before dropping B).
  void set_compare(LoadedTrace* b);
  // Run B being loaded (null: none): the Compare tab shows its progress and a Cancel button.
  void set_compare_job(LoadJob* job) { compare_job_ = job; }
  // What the Compare tab asked of the Viewer since the last call.
  CompareRequest take_compare_request() {
    return compare_view_ ? compare_view_->take_request() : std::exchange(compare_request_, CompareRequest::None);
  }

 private:
  // A call tree being built or built, for one scope.
  struct TreeSlot {
    CallTreeQuery query;
    bool inverted = false;
    std::unique_ptr<WorkProgress> progress;
    std::unique_ptr<Task<CallTree>> task;
  };

  void draw_toolbar();
  void draw_timeline_tab();
  void draw_bottom_panel(float height);
  void draw_flamegraph_tab();
  void draw_stats_tab();
  void draw_shortcuts();
  void draw_compare_tab();
  void draw_compare_loading();
  void draw_export_popup();
  void handle_keys();

  void start_search(const std::string& text);
  void poll_search();
  void jump_to_match(bool forward);
  void update_highlight();
  void start_range_stats();
  const CallTree* call_tree(const CallTreeQuery& q, bool inverted, float* progress);

  LoadedTrace& t_;
  const Trace& trace_;
  ViewTab tab_ = ViewTab::Timeline;
  ViewTab want_tab_ = ViewTab::Timeline;
  bool tab_requested_ = true;

  TimelineState timeline_;
  DetailsState details_;
  TraceInfoState info_;
  SplitPanel bottom_{0.3f, 4.0f, 10.0f};  // the panel under the timeline

  // Search
  char search_text_[256] = {};
  char track_filter_[128] = {};  // the timeline's track filter as typed
  bool focus_search_ = false;
  std::unique_ptr<Task<bool>> search_task_;
  std::unique_ptr<SearchJob> search_job_;
  SearchResults search_results_;
  MatchRef current_match_;
  std::vector<uint8_t> search_labels_;   // per label: name matches the search text
  std::vector<uint8_t> highlight_;       // per label: what the timeline emphasises
  StrId highlight_name_ = kNoStr;        // from a statistics row

  // Range statistics (bottom panel) and whole-trace statistics (Statistics tab)
  std::unique_ptr<Task<RangeStats>> range_task_;
  StatsTableState range_table_;
  std::unique_ptr<Task<RangeStats>> all_task_;
  StatsTableState all_table_;

  // Flamegraph
  std::vector<TreeSlot> trees_;          // cached trees, newest last
  int flame_scope_ = 0;                  // 0 whole trace, 1 range selection, 2 one thread
  uint32_t flame_thread_ = kNone;
  bool flame_inverted_ = false;
  FlamegraphState flame_;
  char export_path_[1024] = {};
  bool want_export_ = false;
  std::string export_message_;

  bool want_shortcuts_ = false;

  // Comparison with a second trace (B)
  std::unique_ptr<CompareView> compare_view_;  // while B is loaded
  LoadJob* compare_job_ = nullptr;             // while B is loading
  CompareSetup compare_setup_;                 // from the command line, for the first comparison
  CompareRequest compare_request_ = CompareRequest::None;  // from the loading panel
};

}  // namespace vz
