// Two timelines on one time axis: the comparison view's runs A and B, zoomed and panned together.
//
// Each run keeps its own clock. An alignment says which instant of each run shows as time zero:
// by default each run's start, or the first occurrence of a name in each, or a selected event in
// each; a manual offset then moves B right (positive) or left. Then
//   B time = A time + a_to_b(),   a_to_b() = (origin_b − offset) − origin_a
// so the same screen x shows A time t and B time t + a_to_b(), and both axes are labelled relative
// to their own origin: the labels agree at every x.
//
// The sync works on the TimelineStates alone (no ImGui), once per frame:
//   sync.prepare(a, b, ta, tb);   // bounds (both runs' union), axis origins, each other's cursor
//   draw_timeline(ia, ta, ...);   sync.after_a(ta, tb);   // A's zoom/pan moves B at once
//   draw_timeline(ib, tb, ...);   sync.after_b(ta, tb);   // B's zoom/pan moves A next frame
// Whichever side the user moved becomes the view of both; vertical scroll stays per side.
#pragma once

#include "formats/model.h"
#include "render/timeline.h"

namespace vz {

// Which instants of runs A and B are lined up.
struct RunAlignment {
  Time origin_a = 0;  // A time shown as 0
  Time origin_b = 0;  // B time shown as 0 before the offset
  Time offset = 0;    // B drawn this much later (ns; negative: earlier)
  Time a_to_b() const { return origin_b - offset - origin_a; }
  bool operator==(const RunAlignment& o) const {
    return origin_a == o.origin_a && origin_b == o.origin_b && offset == o.offset;
  }
};

// The union of both runs' extents in A's clock, for fitting and clamping both views.
void aligned_bounds(const Trace& a, const Trace& b, const RunAlignment& al, Time* t0, Time* t1);

class TimelineSync {
 public:
  RunAlignment align;  // set by the caller; a change re-syncs B to A on the next prepare()

  // Before drawing either side: bounds and axis origins from the alignment, each side's cursor
  // from the other's hover of the last frame; after an alignment change B takes A's view.
  void prepare(const Trace& a, const Trace& b, TimelineState& ta, TimelineState& tb);
  // After drawing A: when A's view moved (or on the first frame), B follows.
  void after_a(TimelineState& ta, TimelineState& tb);
  // After drawing B: when B's view moved, A follows.
  void after_b(TimelineState& ta, TimelineState& tb);

 private:
  bool synced_ = false;         // B's view was set from A's at least once
  RunAlignment applied_;        // the alignment the views were last synced with
  TimeView last_a_, last_b_;    // the views as last synced
};

// True when the two views map time to pixels the same way (left edge and scale; not width).
bool same_mapping(const TimeView& x, const TimeView& y);

}  // namespace vz
