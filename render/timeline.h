// The timeline panel: time axis, process groups, thread/async/counter tracks, instants, flows,
// hover, selection, range selection, and the mouse and keyboard that drive them.
//
// It reads a const model through a ViewIndex and keeps its own state in a TimelineState; it owns
// no trace data. Drawing follows DESIGN.md's level-of-detail rule (render/lod.h): per visible row
// the first slice is found by binary search and runs of sub-pixel slices are folded, so a frame
// costs O(visible rows × pixels × log n) whatever the trace size. Frame cost is reported through
// TimelineFrameStats for `--bench-frames`.
//
// Input (when the panel is hovered or focused)
//   wheel            zoom around the cursor          Shift+wheel / wheel on names: scroll tracks
//   drag             pan (both axes)                 drag on the time axis: select a time range
//   W / S            zoom in / out                   A / D: pan left / right
//   F                zoom to the selection           0 / Home: fit the whole trace
//   click            select a slice, object or snapshot (a folded block zooms into it)  Esc: clear
//   click a name     process header: collapse/expand; counter: stacked/overlaid series;
//                    Async / Objects with more than kLaneCap lanes: all lanes / kLaneCap rows
//
// Usage
//   vz::TimelineState tl;                         // one per loaded trace
//   ...every frame, inside a window:  vz::draw_timeline(index, tl, highlight);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/search.h"
#include "render/time_view.h"
#include "render/track_layout.h"
#include "render/view_index.h"

namespace vz {

// Something on the timeline the mouse can point at or the user can select.
enum class PickKind : uint8_t { None, Slice, Async, Instant, Fold, Counter, Object, Snapshot, Lanes, AsyncMark };
struct Pick {
  PickKind kind = PickKind::None;
  uint32_t thread = kNone;  // Slice, Fold (thread rows), Instant with thread scope
  uint8_t set = 0;          // Slice/Fold: 0 = Thread::slices, 1 = Thread::overflow
  uint32_t index = kNone;   // Slice: slice index; Async: async_slices index; Instant: see scope;
                            // AsyncMark: async_marks index;
                            // Counter: counters index; Object: position in the group's
                            // ObjectTracks::instances; Snapshot: in its ObjectTracks::snapshots
  Scope scope = Scope::Thread;  // Instant: which list `index` points into
  uint32_t count = 0;       // Fold: how many slices it covers; Snapshot: how many snapshots share
                            // its pixel (a click on more than one zooms in)
  Time t0 = 0, t1 = 0;      // Fold: its time extent; Object: its lifetime; Snapshot: its time
                            // (to the last one sharing its pixel)
  uint32_t group = kNone;   // Object, Snapshot, Fold of objects, Lanes: position in ViewIndex::processes()
  // Lanes (the summary row of a capped Async or Objects track; hovered, never selected): set is
  // 0 for Async, 1 for Objects; index = lanes it stands for; count = their items under the mouse.
  bool operator==(const Pick& o) const {
    return kind == o.kind && thread == o.thread && set == o.set && index == o.index && scope == o.scope &&
           group == o.group;
  }
};

// Labels to emphasise (search matches, a statistics row): mark[label] != 0. Everything else is
// drawn dimmed while a highlight is active. `matches` (optional, a search's per-thread results)
// are also drawn as ticks over folded runs, so matches stay visible when zoomed out.
struct TimelineHighlight {
  const std::vector<uint8_t>* mark = nullptr;
  const SearchResults* matches = nullptr;
  bool active() const { return mark && !mark->empty(); }
};

// Work done by the last frame, for the status bar and --bench-frames.
struct TimelineFrameStats {
  size_t rows = 0;        // slice rows visited
  size_t items = 0;       // slices and folds drawn
  size_t folds = 0;       // of which folded blocks
  size_t slices_folded = 0;  // slices hidden inside folds
};

// The panel's state: view, scroll, collapsed groups, capped tracks, selection, range, drags.
struct TimelineState {
  TimeView view;
  bool fitted = false;              // the view was fitted to the trace once
  float scroll_y = 0;               // vertical scroll of the track area, pixels
  std::vector<uint8_t> collapsed;   // per process group
  std::vector<uint8_t> overlaid;    // per counter: 1 = series overlaid, 0 = stacked
  std::vector<uint8_t> all_object_lanes;  // per process group: 1 when its Objects track shows
                                          // every lane instead of kLaneCap rows
  std::vector<uint8_t> all_async_lanes;   // the same per ViewIndex::async_tracks() index
  std::vector<uint8_t> folded_threads;    // per Trace::threads index: 1 when its track shows
                                          // only its top row (a click on its name folds it)
  std::string track_filter;         // only the tracks it names (track_matches); empty: all
  Pick hovered;                     // under the mouse this frame
  Pick selected;                    // clicked
  bool has_range = false;           // a time range is selected
  Time range_t0 = 0, range_t1 = 0;  // the range (t0 <= t1)
  bool range_changed = false;       // set when the range was (re)selected this frame
  bool selection_changed = false;   // set when `selected` changed this frame
  // Requests from outside the panel, applied on the next frame.
  bool want_fit = false;            // fit the whole trace
  bool want_zoom_selection = false; // zoom to the selected slice or range
  Time focus_t0 = 0, focus_t1 = 0;  // zoom to this range when focus_t1 > focus_t0
  uint32_t focus_thread = kNone;    // and scroll this thread into view
  // Drag state (internal).
  enum class Drag : uint8_t { None, Pan, Range } drag = Drag::None;
  double drag_x = 0, drag_y = 0;
  Time drag_anchor = 0;
  bool drag_moved = false;
  TimelineFrameStats stats;
  float plot_width = 0;             // width of the time area last frame (for outside zooms)
  // Where the last frame put things on screen (for tests and overlays that sample the panel).
  float plot_x = 0;                 // screen x of the time area's left edge (view.x_of() == 0)
  float tracks_y = 0;               // screen y of the track layout's y == 0 (scroll applied)
  LayoutMetrics metrics;            // row and track heights used (derived from the font size)
  // The flow arrows of the selected slice (internal), found when the selection changes: each
  // end as (thread, row, time), placed on screen every frame.
  struct FlowArrow {
    uint32_t thread[2], row[2];
    Time t[2];
  };
  std::vector<FlowArrow> flow_arrows;
  Pick flow_arrows_for;
  uint64_t flow_arrows_index = 0;  // ViewIndex::generation() they were found in
  // The selection last checked for a lane the cap hides (internal): a new one there shows all of
  // its track's lanes and scrolls to it, once, so a later click on the name caps the track again.
  Pick revealed;
  // The last track layout and what it was made from (internal): remade when any of them changes.
  std::vector<LaidTrack> layout;
  std::vector<uint32_t> track_of_thread;  // per Trace::threads index: its track, kNone if hidden
  std::vector<uint8_t> layout_collapsed;
  std::vector<uint8_t> layout_all_object_lanes, layout_all_async_lanes, layout_folded_threads;
  std::string layout_track_filter;
  LayoutMetrics layout_metrics;
  uint64_t layout_index = 0;              // ViewIndex::generation() it was made for
  // Synchronizing with another timeline (the comparison view). Set by the caller; defaults keep
  // the single-trace behaviour.
  bool has_bounds = false;          // fit and clamp the view to [bound_t0, bound_t1] instead of
  Time bound_t0 = 0, bound_t1 = 0;  //   the trace's extent (e.g. the union of two aligned runs)
  bool has_axis_origin = false;     // label the axis and times relative to axis_origin instead
  Time axis_origin = 0;             //   of the trace start (both runs show the same labels)
  bool has_cursor = false;          // draw a cursor line at cursor_t (the other run's hover)
  Time cursor_t = 0;
  // Out: the time under the mouse this frame, when it is over the time area.
  bool hover_valid = false;
  Time hover_t = 0;
};

// Draws the timeline into the rest of the current window.
void draw_timeline(ViewIndex& index, TimelineState& state, const TimelineHighlight& highlight);

// Fits the view to the whole trace (or the state's bounds, when set) for a plot `width_px` wide.
void fit_timeline(const Trace& trace, TimelineState& state, float width_px);

// Zooms the view to [t0, t1] with a small margin (at least 1 µs shown).
void zoom_timeline_to(TimelineState& state, Time t0, Time t1);

// The time the axis labels count from: the state's axis origin when set, else the trace start.
Time timeline_origin(const Trace& trace, const TimelineState& state);

// The pick of object instance `instance` (a position in ObjectTracks::instances) of group `group`,
// and of snapshot `snap` (a position in ObjectTracks::snapshots).
Pick object_pick(const ViewIndex& index, uint32_t group, uint32_t instance);
Pick snapshot_pick(const ViewIndex& index, uint32_t group, uint32_t snap);
// The longest slice named `name` (nested sets of every thread), else the longest async slice so
// named; an empty pick when there is neither.
Pick longest_named(const Trace& t, std::string_view name);
// The first object named `name` (in display order, then by lane and start): its first snapshot
// when it has one, else the instance; an empty pick when there is none.
Pick first_object_named(const ViewIndex& index, std::string_view name);  // else an async mark

// Start and end of a pick (a slice, async slice, instant, fold, object or snapshot).
bool pick_range(const Trace& trace, const Pick& p, Time* t0, Time* t1);

// The colour of a label's slices for the current theme (ImU32 as uint32_t): the Chrome colour
// its events named ("cname"), else one from its name.
uint32_t label_color(const ViewIndex& index, uint32_t label);
// A Chrome reserved colour (Label::color) as an opaque ImU32.
uint32_t chrome_color_u32(uint8_t color);
// The colour for a name hash (name_hash()): what label_color() gives a label with that name.
uint32_t hash_color(uint32_t hash);

}  // namespace vz
