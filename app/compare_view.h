// The Compare tab: two runs, A (the trace on screen) and B, side by side.
//
//   ┌ A: before.json  vs  B: after.json          [Replace A…] [Replace B…] [Swap] [Close] ┐
//   │ Layout (A above B | side by side)  Align (start | first "name" | selected)  Offset B │
//   │ A's timeline                                                                        │
//   │ B's timeline            (one time axis: zoom, pan and hover move both)              │
//   ├─ splitter ──────────────────────────────────────────────────────────────────────────┤
//   │ [Diff table] [Differential flamegraph]   scope: thread of A, thread of B, ranges    │
//   └─────────────────────────────────────────────────────────────────────────────────────┘
//
// Each run keeps its own TimelineState; a TimelineSync (render/timeline_sync.h) keeps them on one
// axis through the alignment. Selecting a slice in either run, or clicking a row of the diff
// table, highlights every slice of that name in both. The diffs (analysis/diff.h) run as Tasks
// keyed by their query and are cached, so switching between the table and the flamegraph, or
// back to an earlier scope, is instant.
//
// The CompareView reads both LoadedTraces; the Viewer owns them and destroys the view first.
// Requests that need the Viewer (open a file as A or B, swap, close) are handed out through
// take_request().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analysis/diff.h"
#include "app/load_job.h"
#include "app/split_panel.h"
#include "app/task.h"
#include "render/diff_flame_view.h"
#include "render/diff_table.h"
#include "render/timeline.h"
#include "render/timeline_sync.h"

namespace vz {

// What the Compare tab asks of the Viewer.
enum class CompareRequest { None, ReplaceA, ReplaceB, Swap, Close };

// What the command line asks the comparison to show (headless screenshots use it).
struct CompareSetup {
  bool flamegraph = false;   // open the differential flamegraph instead of the table
  std::string align;         // align both runs on the first event of this name
  std::string select;        // select the longest slice of this name in both runs
  bool by_path = false;      // the table by call path
  bool side_by_side = false; // A left of B instead of above it
  bool loose = false;        // match viztracer names without directory and line (loose_name)
  bool has_range = false;    // --range: selected on both timelines (each relative to its run's
  Time range_t0 = 0, range_t1 = 0;  // start) and compared ("Range selections" ticked)
};

class CompareView {
 public:
  CompareView(LoadedTrace& a, LoadedTrace& b);
  ~CompareView();
  CompareView(const CompareView&) = delete;
  CompareView& operator=(const CompareView&) = delete;

  // Draws the tab's content into the rest of the current window.
  void draw();
  // Applies what the command line asked for.
  void setup(const CompareSetup& s);
  // True while a diff a screenshot should wait for is running.
  bool busy() const;
  // The last request from the tab's buttons (None when there is none); clears it.
  CompareRequest take_request() { return std::exchange(request_, CompareRequest::None); }

 private:
  // A diff being computed or computed, for one query.
  struct DiffSlot {
    DiffQuery query;
    std::unique_ptr<Task<DiffResult>> task;
  };

  void draw_header();
  void draw_controls();
  void draw_timelines(float height);
  void draw_one_timeline(int side, const char* id, float width, float height);
  void draw_bottom();
  void draw_scope_row();
  void update_alignment();
  void set_highlight(const std::string& name);
  DiffQuery current_query(DiffBy by) const;
  // The by-name diff row of the highlighted name (null while computing or when absent).
  const DiffRow* highlighted_row();
  // The diff for `q`: null (and a task started) while it is computed.
  const DiffResult* diff(const DiffQuery& q);

  LoadedTrace& a_;
  LoadedTrace& b_;
  const Trace& ta_;
  const Trace& tb_;
  CompareRequest request_ = CompareRequest::None;

  // Timelines
  TimelineState tl_[2];
  TimelineSync sync_;
  bool side_by_side_ = false;     // A left of B instead of above it
  SplitPanel bottom_{0.42f, 6.0f, 12.0f};  // the panel under the timelines
  int align_mode_ = 0;            // 0 trace start, 1 first event of a name, 2 selected events
  char align_name_[256] = {};
  std::string align_error_;       // why the chosen alignment could not be applied
  double offset_us_ = 0;          // manual offset of B, µs (positive: B later)

  // Cross-highlight: slices named highlight_ in both runs.
  std::string highlight_;
  std::vector<uint8_t> mark_[2];
  const DiffResult* row_for_ = nullptr;  // highlighted_row()'s cache: the result and name looked up
  std::string row_name_;
  uint32_t row_ = kNone;

  // Diff table / differential flamegraph
  bool show_flame_ = false;
  bool want_flame_tab_ = false;
  int by_ = 0;                    // table: 0 by name, 1 by call path
  uint32_t thread_[2] = {kNone, kNone};  // scope: one thread of each run (kNone: all)
  bool use_ranges_ = false;       // scope: each run's range selection
  bool loose_ = false;            // names matched as loose_name() gives them
  struct Range {
    bool on = false;
    Time t0 = 0, t1 = 0;
  } range_[2];                    // each run's range selection once its drag ended
  std::vector<DiffSlot> diffs_;   // cached diffs, newest last
  const DiffResult* table_for_ = nullptr;
  DiffTableState table_;
  DiffFlameState flame_;
  bool waiting_ = false;          // the last frame drew "Comparing…" instead of a result
};

}  // namespace vz
