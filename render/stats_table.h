// The per-function statistics table: one row per name with count, total, self, mean, min and max
// (analysis/range_stats.h), sortable by any column, filterable by name, with the share of the
// largest total as a bar. A click on a row selects that name (the timeline then highlights its
// slices); a second click clears it.
//
// Usage
//   vz::StatsTableState st;                            // one per table
//   if (vz::draw_stats_table(trace, stats, st)) highlight(st.selected);
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/range_stats.h"
#include "formats/model.h"

namespace vz {

// Sort order, filter and selection of one table.
struct StatsTableState {
  std::vector<uint32_t> order;       // rows in display order (indices into RangeStats::rows)
  const RangeStats* sorted_for = nullptr;
  int sort_column = 2;               // 0 name, 1 count, 2 total, 3 self, 4 mean, 5 min, 6 max
  bool ascending = false;
  char filter[128] = {};
  bool filter_dirty = true;
  StrId selected = kNoStr;           // highlighted name (kNoStr: none)
};

// Draws the table filling the current region. Returns true when the selected name changed this
// frame (read it from state.selected).
bool draw_stats_table(const Trace& trace, const RangeStats& stats, StatsTableState& state);

}  // namespace vz
