// An index that lets the level-of-detail fold jump over whole runs of tiny slices at once.
//
// Folding (render/lod.h) swallows the next slice of a row while it is narrower than `min_px` and
// starts within `gap_px` of the previous one's end. With the ratio r = min_px / gap_px fixed, both
// tests are one comparison against the zoom: slice j continues a fold exactly when
//   key(j) = max(r * gap_before(j), dur(j)) < min_px * ns_per_px
// So a fold starting at slice i ends at the first j > i whose key reaches that threshold: a
// "first element >= T" query. FoldIndex answers it from a 64-ary tree of maxima over blocks of 64
// keys (the keys themselves are recomputed from the columns inside a block), so a fold costs
// O(64 · log64 n) sequential reads instead of one binary search per pixel it covers. It takes about
// 0.13 bytes per slice and is built once per trace on the load worker.
//
// Nothing here depends on ImGui.
#pragma once

#include <cstdint>
#include <vector>

#include "formats/model.h"

namespace vz {

// One row's index: built over positions [first, last) of a start column and a duration column.
class FoldIndex {
 public:
  // The fold ratio r = min_px / gap_px the keys are built for.
  static constexpr int64_t kRatio = 3;

  FoldIndex() = default;
  // Builds the index over slices [first, last) (sorted, non-overlapping) of the given columns.
  FoldIndex(const Time* start, const Time* dur, uint32_t first, uint32_t last);

  // The first position j in [from, last) with key(j) >= threshold, or last when there is none.
  uint32_t first_break(uint32_t from, Time threshold) const;
  // The key of position j (from the columns): max(kRatio * gap before j, dur j), saturated.
  Time key(uint32_t j) const;
  bool empty() const { return last_ <= first_; }
  size_t memory_bytes() const;

 private:
  const Time* start_ = nullptr;
  const Time* dur_ = nullptr;
  uint32_t first_ = 0, last_ = 0;
  std::vector<std::vector<Time>> levels_;  // levels_[0]: max key per 64 positions, then per 64 of those
};

// Fold indexes for every depth of a SliceSet (one per depth, in order).
std::vector<FoldIndex> build_fold_indexes(const SliceSet& s);

}  // namespace vz
