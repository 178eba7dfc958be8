// Comparing two runs: per-function (or per-call-path) time in trace A against trace B.
//
// This is what `vizviewer --diff A B` prints and what a comparison view shows. Each side has its
// own scope (one thread or all, over a range or the whole trace), so one can compare whole traces,
// one thread of each, or two range selections. Two traces never share a string table, so rows are
// matched by name *text*, never by StrId.
//
//   by name  each side's range statistics (analysis/range_stats.h): count, total and self per
//            name, clipped to the side's range; a recursive function's total counts its
//            outermost calls (the inner ones' time is inside them)
//   by path  each side's top-down call tree (analysis/call_tree.h), merged by walking both trees
//            together and matching children by name text; a node on one side only makes a row
//            (and so do all its descendants)
//
// Per row: Δ total = total B − total A, Δ self = self B − self A, and
//   Δ% = NaN ("no percentage")                  for added rows (nothing in A to compare with)
//        100 · (total B − total A) / total A    when total A > 0 (removed rows: −100)
//        0                                      when both totals are 0
//        NaN                                    when total A is 0 and total B is not
// The traced totals are the summed clipped durations of each side's top-level slices (depth 0
// and overflow lanes): the call tree's root total, i.e. the time the scope spent inside slices.
//
// Rows come out in a fixed order (by name: name text; by path: depth-first, children in A's tree
// order, then B-only children in B's tree order), so equal inputs give equal results.
// `order_by_delta` gives the display order; `diff_gate` is the CI check behind --fail-if-slower.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/scope_walk.h"
#include "formats/model.h"

namespace vz {

// How rows are keyed.
enum class DiffBy : uint8_t {
  Name,  // one row per slice name
  Path,  // one row per call path of names (top-down call tree node)
};

// One side's scope: a thread (or every thread) over a half-open range (or the whole trace).
struct DiffSide {
  uint32_t thread = kNone;  // Trace::threads index of that side's trace, or kNone for all
  Time t0 = kTimeMin;       // half-open range [t0, t1) (analysis/scope_walk.h); t1 <= t0 selects nothing
  Time t1 = kTimeMax;
};

// What to compare.
struct DiffQuery {
  DiffBy by = DiffBy::Name;
  DiffSide a;  // scope in trace A
  DiffSide b;  // scope in trace B
  // Names are matched as loose_name() gives them: a viztracer function is the same function
  // after its lines moved or its checkout did. Rows then carry the loose names.
  bool loose = false;
};

// A viztracer name "qualname (/dir/file.py:LINE)" as "qualname (file.py)": without the directory
// and line, which move between two versions of a program. Other names come back unchanged.
std::string loose_name(std::string_view name);
// A viztracer name "qualname (/dir/file.py:LINE)" as "qualname (file.py:LINE)", for display where
// room is short (the directory is what a reader needs least); other names unchanged.
std::string short_frame(std::string_view name);

// Whether a row's key occurs on both sides.
enum class DiffStatus : uint8_t {
  Both,     // in A and in B
  Added,    // only in B
  Removed,  // only in A
};

// One side's numbers for a row (all zero on the side where the key is absent).
struct DiffSums {
  uint64_t count = 0;  // slices
  Time total = 0;      // summed clipped durations (ns)
  Time self = 0;       // summed clipped self times (ns)
};

// One row of the comparison.
struct DiffRow {
  std::string name;           // by name: the name; by path: the path's last frame (see diff_key);
                              // loose_name()s with DiffQuery::loose
  uint32_t depth = 0;         // by path: 1 for top-level frames; by name: 0
  uint32_t parent = kNone;    // by path: row index of the caller's row; kNone at top level / by name
  DiffSums a, b;              // the two sides
  Time delta_total = 0;       // b.total - a.total
  Time delta_self = 0;        // b.self - a.self
  double delta_pct = 0;       // see the header comment; NaN when there is no percentage
  DiffStatus status = DiffStatus::Both;
  StrId name_a = kNone;       // the name's id in A's string table; kNone when absent in A (loose:
                              // the first of the names it stands for)
  StrId name_b = kNone;       // the name's id in B's string table; kNone when absent in B
};

// The comparison.
struct DiffResult {
  DiffBy by = DiffBy::Name;
  std::vector<DiffRow> rows;  // fixed order (see the header comment)
  Time total_a = 0;           // A's traced total: summed clipped top-level durations (ns)
  Time total_b = 0;           // B's traced total
  Time delta_total = 0;       // total_b - total_a
  double delta_pct = 0;       // like a row's Δ%
  bool complete = true;       // false when cancelled
};

// Compares trace A against trace B on up to `workers` threads per side (0 = hardware
// concurrency). When `cancel` becomes true the result is partial with complete = false.
DiffResult diff_traces(const Trace& a, const Trace& b, const DiffQuery& q, unsigned workers = 0,
                       const std::atomic<bool>* cancel = nullptr);

// Δ% of a change from `a` to `b` ns (see the header comment); `in_a` false marks an added row.
double diff_pct(Time a, Time b, bool in_a = true);

// A row's key text: by name, the name; by path, the frames from the top-level one down, joined
// by ';' with folded-stack escaping (';' in a name becomes ':', line breaks spaces; an empty
// name "(unnamed)"). Built on demand: a path diff can have a million rows.
std::string diff_key(const DiffResult& r, uint32_t row);

// Row indices by |Δ total| descending, ties by key (by path: the paths compared frame by frame).
std::vector<uint32_t> order_by_delta(const DiffResult& r);

// The outcome of a "slower by more than PCT%" check.
struct DiffGate {
  bool total_tripped = false;  // the traced total grew by more than pct
  std::vector<uint32_t> rows;  // rows that grew by more than pct, in order_by_delta order
  bool tripped() const { return total_tripped || !rows.empty(); }
};

// The CI check: B's traced total grew by more than `pct` percent over A's, or a row present on
// both sides did (Δ% > pct; rows with no percentage never trip). Rows whose totals are below
// `min_time` ns on both sides are noise and skipped. pct may be negative (then any
// non-improvement beyond it trips).
DiffGate diff_gate(const DiffResult& r, double pct, Time min_time = 0);

// "both", "added" or "removed".
const char* diff_status_name(DiffStatus s);

}  // namespace vz
