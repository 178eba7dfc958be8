// The comparison's diff table: one row per function name (or call path) of two runs, A and B,
// from analysis/diff.h, with count, total and self time on each side, Δ total, Δ% and Δ self.
//
// Rows are tinted by the size and sign of the change (red: B slower, blue: B faster, stronger for
// larger changes), names found in one run only are marked "added" / "removed", every column
// sorts, and a filter box narrows the names. A click on a row selects its name (the caller can
// highlight it on both timelines).
//
// Usage
//   vz::DiffTableState st;                                      // one per comparison
//   if (vz::draw_diff_table(diff, st)) highlight(st.selected);  // inside a window
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "analysis/diff.h"

namespace vz {

// Sort order, filter and selection of the table.
struct DiffTableState {
  std::vector<uint32_t> order;          // rows in display order (indices into DiffResult::rows)
  const DiffResult* sorted_for = nullptr;
  int sort_column = 5;                  // 0 name, 1 count A, 2 count B, 3 total A, 4 total B,
                                        // 5 Δ total (signed), 6 Δ%, 7 self A, 8 self B, 9 Δ self
  bool ascending = false;
  char filter[128] = {};
  bool dirty = true;
  std::string selected;                 // the selected row's key ("" = none)
};

// Draws the table into the rest of the current window. Returns true when the selection changed.
bool draw_diff_table(const DiffResult& diff, DiffTableState& state);

// The tint of a row: red-ish when B is slower, blue-ish when faster, transparent when equal or
// when its Δ total is under 0.1 % of the larger traced total (`run_total`: noise, as in the
// differential flamegraph); alpha grows with |Δ%| up to 100 % and with |Δ total| up to 1 % of the
// run (ImU32 as uint32_t). Added rows count as slower, removed rows as faster.
uint32_t diff_row_tint(const DiffRow& row, Time run_total);

// A row's name as the table's cell shows it in `room` pixels (current font). By name: the name,
// cut with "…". By path (the rows are a flat sorted list, so indenting by depth would suggest
// callers that are not there): the innermost frames that fit, "caller › callee", without the
// files' directories (short_frame), the leaf whole as far as it can be.
std::string diff_row_label(const DiffResult& diff, uint32_t row, float room);

// A Δ% as the table shows it: "+12.5%", or "-" when there is no percentage (NaN).
std::string format_delta_pct(double pct);

}  // namespace vz
