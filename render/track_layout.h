// Vertical layout of the timeline: which track sits at which y, and what is under a given y.
//
// Tracks come from a ViewIndex in display order: per process group a header, then its counters,
// its async tracks (one per name, a row per lane), its object lanes (one track, a row per lane)
// and its threads (nested depths first, then overflow lanes). A collapsed group keeps only its
// header. An Async or Objects track with more than kLaneCap lanes (view_index.h) shows kLaneCap
// rows unless it is marked to show them all: lanes 0 .. kLaneCap - 2, then a summary row
// standing for the rest. The timeline keeps the last layout and makes a new one
// (O(tracks)) when a group is collapsed or expanded, a track's lanes are capped or shown, the
// metrics change (a new font size) or the index does; a frame then draws only the tracks in view
// (tracks_between). Nothing here depends on ImGui: hit-testing a y position is unit-tested.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "render/view_index.h"

namespace vz {

// Pixel sizes of the layout (already multiplied by the UI scale).
struct LayoutMetrics {
  float row_h = 18;      // one slice row (a depth, a lane)
  float header_h = 22;   // a process group's header
  float counter_h = 54;  // a counter track
  float gap = 6;         // space after each track
};

enum class TrackKind : uint8_t { Header, Counter, Async, Thread, Objects };

// One track placed on the vertical axis.
struct LaidTrack {
  TrackKind kind = TrackKind::Header;
  uint32_t group = 0;   // position in ViewIndex::processes()
  uint32_t id = 0;      // Counter: Trace::counters index; Thread: Trace::threads index;
                        // Async: ViewIndex::async_tracks() index; Header, Objects: Trace::processes index
  uint32_t rows = 0;    // rows shown. Thread: nested depths + overflow lanes (>= 1), 1 when
                        // folded; Async, Objects: lanes, or kLaneCap when capped (see lanes)
  uint32_t nested = 0;  // Thread: how many of `rows` are nested depths (the rest are overflow)
  uint32_t lanes = 0;   // Async, Objects: lanes in the track. rows < lanes when capped: then the
                        // last row summarises lanes rows - 1 .. lanes - 1 (lane_row())
  uint32_t all_rows = 0;  // Thread: its rows unfolded
  float y = 0, h = 0;   // top and height, relative to the top of the track area
};

// Places every track. `collapsed[g]` (missing = expanded) hides group g's tracks; a nonzero
// `all_object_lanes[g]` lifts the lane cap of group g's Objects track and `all_async_lanes[k]`
// that of async track k (a ViewIndex::async_tracks() index); missing entries keep the cap. A
// nonzero `folded_threads[th]` (a Trace::threads index) gives thread th's track one row, its
// top-level slices (its first overflow lane when it has no nested slices). A non-empty `filter`
// keeps the tracks whose name contains it, ignoring case (track_matches), and the whole of a process
// whose name or pid does; a process with none of them is left out, header and all.
std::vector<LaidTrack> layout_tracks(const ViewIndex& index, const std::vector<uint8_t>& collapsed,
                                     const std::vector<uint8_t>& all_object_lanes,
                                     const std::vector<uint8_t>& all_async_lanes, const LayoutMetrics& m,
                                     const std::vector<uint8_t>& folded_threads = {},
                                     std::string_view filter = {});

// Whether `filter` (a case-insensitive substring; empty: everything) names a track: a thread by
// its name or tid, a counter or async track by its name, an Objects track by "objects", a
// process (its Header) by its name or pid.
bool track_matches(const ViewIndex& index, TrackKind kind, uint32_t id, std::string_view filter);
// Whether layout_tracks() with `filter` lays out track (kind, id) of Trace::processes index
// `process` (folding and collapsing aside): the track or its process matches.
inline bool track_shown(const ViewIndex& index, TrackKind kind, uint32_t id, uint32_t process, std::string_view filter) {
  return track_matches(index, TrackKind::Header, process, filter) || track_matches(index, kind, id, filter);
}

// Rows shown for a track of `lanes` lanes: all of them when `all` or when they fit the cap.
inline uint32_t lane_rows(uint32_t lanes, bool all) { return all || lanes <= kLaneCap ? lanes : kLaneCap; }

// Whether an Async or Objects track hides lanes in its last row.
inline bool capped(const LaidTrack& t) { return t.rows < t.lanes; }

// The row of an Async or Objects track that lane `lane` is drawn in: its own, or the summary row
// when the cap hides it.
inline uint32_t lane_row(const LaidTrack& t, uint32_t lane) { return lane < t.rows ? lane : t.rows - 1; }

inline bool operator==(const LayoutMetrics& a, const LayoutMetrics& b) {
  return a.row_h == b.row_h && a.header_h == b.header_h && a.counter_h == b.counter_h && a.gap == b.gap;
}

// The tracks that overlap the band [y0, y1) of layout y: indexes [first, second).
std::pair<size_t, size_t> tracks_between(const std::vector<LaidTrack>& tracks, float y0, float y1);

// Total height of a layout (the bottom of the last track plus its gap).
float layout_height(const std::vector<LaidTrack>& tracks, const LayoutMetrics& m);

// What is at a y position: a track and, for thread, async and object tracks, a row.
struct TrackHit {
  int track = -1;  // index into the layout, -1 for none (a gap or past the end)
  int row = -1;    // slice row within the track, -1 for none
};
TrackHit hit_track(const std::vector<LaidTrack>& tracks, float y, const LayoutMetrics& m);

// Top y of row `row` of a track.
inline float row_y(const LaidTrack& t, uint32_t row, const LayoutMetrics& m) { return t.y + float(row) * m.row_h; }

}  // namespace vz
