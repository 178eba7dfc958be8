// Splitting a scope (threads x time range) into independent pieces of work, shared by range
// statistics and the call tree. Internal to analysis/.
//
// A piece is either the subtrees of a run of consecutive depth-0 slices of one thread's nested set,
// or a run of consecutive slices of one overflow lane. Subtrees of different roots are disjoint in
// time and a child starts at or after its root, so the slices of a piece at depth d are one
// contiguous index range: those whose start lies in [start of its first root, start of the next
// piece's first root). Pieces therefore run on any worker in any order, and inside a piece a walk
// visits each depth's range contiguously and finds parents with a two-pointer merge against the
// depth above.
#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "formats/model.h"

namespace vz {

constexpr Time kTimeMin = std::numeric_limits<Time>::min();
constexpr Time kTimeMax = std::numeric_limits<Time>::max();

// One unit of work over one SliceSet.
struct WalkPiece {
  uint32_t thread = 0;     // Trace::threads index
  bool overflow = false;   // Thread::overflow (one lane) rather than Thread::slices
  uint32_t depth = 0;      // the overflow lane; 0 for a nested piece
  uint32_t first = 0;      // first root (nested) or first slice of the lane (overflow)
  uint32_t last = 0;       // one past the last root / slice
  bool open_end = false;   // nested: the piece holds every root after `first` (no next piece)
};

// A scope's range is half-open, [t0, t1): a slice is in it when it starts before t1 and ends after
// t0, or, lasting 0 ns, starts at t0. So a slice that starts at t1 or ends at t0 (a call just
// before or after a range drawn around one call) is not in it, and t1 <= t0 selects nothing.
inline bool in_range(Time start, Time end, Time t0, Time t1) {
  return start < t1 && (end > t0 || start >= t0);
}

// The index range of the slices at `depth` of `s` in [t0, t1) (see in_range); empty when none. At
// one depth starts and ends are both sorted, so it is contiguous.
std::pair<uint32_t, uint32_t> range_at_depth(const SliceSet& s, uint32_t depth, Time t0, Time t1);

// The pieces covering every slice in [t0, t1) on `thread` (kNone: all threads), each holding about
// `target` slices or fewer roots' worth. Deterministic for equal inputs.
std::vector<WalkPiece> make_walk_pieces(const Trace& t, uint32_t thread, Time t0, Time t1,
                                        size_t target);

// The index range at `depth` of a nested piece's slices in [t0, t1); empty when none.
std::pair<uint32_t, uint32_t> piece_range(const SliceSet& s, const WalkPiece& p, uint32_t depth,
                                          Time t0, Time t1);

// The part of slice i's duration that lies inside [t0, t1] (0 for a zero-length slice).
inline Time clipped_dur(const SliceSet& s, uint32_t i, Time t0, Time t1) {
  Time a = s.start[i] > t0 ? s.start[i] : t0;
  Time e = s.start[i] + s.dur[i];
  Time b = e < t1 ? e : t1;
  return b > a ? b - a : 0;
}

}  // namespace vz
