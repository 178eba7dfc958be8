// Range statistics: what the per-function statistics panel shows for a selected time range.
//
// For a half-open range [t0, t1) and a scope (every thread, or one), one row per slice name over
// every slice in the range (start < t1 and end > t0, or a zero-length slice at t0: see in_range in
// analysis/scope_walk.h), from both the nested slices and the overflow lanes. A slice that only
// touches the range, ending at t0 or starting at t1 (the calls either side of a range drawn around
// one call), is not in it:
//   count  slices in the range
//   total  summed clipped durations of the slices not inside a slice of the same name: the time
//          the name's calls spend inside the range, a recursive call's counted once (its
//          outermost call holds the inner ones' time), so no total exceeds the scope's time
//   self   summed clipped self time: a slice's clipped duration minus its children's clipped
//          durations, i.e. the time inside the range not spent in a child. Overflow-lane slices
//          have no children here: their self time is their clipped duration
//   mean   every slice's clipped duration summed, / count (a recursive call's inner calls are
//          calls too); min, max over the slices' clipped durations
// Rows group by name (Label::name), so labels that differ only in category share a row. Labels are
// accumulated in flat per-label arrays (one set per worker) and folded into names at the end; the
// walk visits each depth's visible range contiguously and finds parents with a two-pointer merge
// against the depth above (branch-free, four runs of it interleaved), over pieces of threads spread
// across workers (analysis/scope_walk.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

#include "formats/model.h"

namespace vz {

// Which slices the statistics cover.
struct RangeQuery {
  Time t0 = 0;              // half-open range [t0, t1); t1 <= t0 selects nothing
  Time t1 = 0;
  uint32_t thread = kNone;  // Trace::threads index, or kNone for every thread
};

// One row: the statistics of every slice named `name` in the range.
struct NameStats {
  StrId name = kNoStr;  // Trace::strings id
  uint64_t count = 0;   // slices overlapping the range
  Time total = 0;       // summed clipped durations of the calls not inside one of this name (ns)
  Time self = 0;        // summed clipped self times (ns)
  Time min = 0;         // smallest clipped duration
  Time max = 0;         // largest clipped duration
  double mean = 0;      // mean clipped duration of all `count` calls
};

// The result: rows by total descending, ties by name text (then id), so equal input gives
// equal output.
struct RangeStats {
  std::vector<NameStats> rows;  // one per name with at least one slice in the range
  uint64_t slices = 0;          // slices visited (sum of the rows' counts)
  bool complete = true;         // false when cancelled (rows then cover part of the scope)
};

// Computes the statistics on up to `workers` threads (0 = hardware concurrency). When `cancel`
// becomes true the walk stops early and returns what it has with complete = false.
RangeStats range_stats(const Trace& t, const RangeQuery& q, unsigned workers = 0,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace vz
