// Level of detail for one row of non-overlapping intervals: what to draw at the current zoom.
//
// A row (one depth of a thread, one overflow lane, one async lane) holds intervals sorted by start
// whose ends are sorted too. Drawing every interval costs O(events) per frame, which is hopeless
// at 100 M events. Instead, intervals at least `min_px` wide are drawn one by one, and runs of
// narrower ones that follow each other within `gap_px` are folded into one block. Each step of a
// fold jumps over everything that starts inside the next `gap_px` pixels with a binary search, so
// a fold costs O(log n) per `gap_px` pixels it covers: a row costs O(pixels × log n), whatever
// the number of events. A fold keeps its count and range so the renderer can show that work is
// there (and say how much) instead of hiding it.
//
// The interval data is reached through two callables, so the same code serves SliceSet columns
// and async lanes (index lists). Nothing here depends on ImGui.
//
// Usage
//   vz::fold_row(first, last, start_of, end_of, view, 3.0, 1.0, [&](const vz::RowItem& it) {...});
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "render/fold_index.h"
#include "render/time_view.h"

namespace vz {

// One thing to draw in a row: a single interval (count == 1) or a folded run.
struct RowItem {
  uint32_t first = 0;  // position of the first interval in the row's sequence
  uint32_t count = 0;  // intervals covered; 1 = a single interval drawn on its own
  double x0 = 0, x1 = 0;  // screen extent, x1 >= x0 (not clipped to the view)
  Time t0 = 0, t1 = 0;    // time extent (start of the first, end of the last)
};

// First position in [first, last) whose key is >= t, for a key sorted along the row.
template <class KeyOf>
uint32_t row_lower_bound(uint32_t first, uint32_t last, Time t, KeyOf&& key_of) {
  uint32_t lo = first, hi = last;
  while (lo < hi) {
    const uint32_t mid = lo + (hi - lo) / 2;
    if (key_of(mid) < t) lo = mid + 1; else hi = mid;
  }
  return lo;
}

// First position in [first, last) whose end is >= t (ends are sorted in a row).
template <class EndOf>
uint32_t row_first_ending_at_or_after(uint32_t first, uint32_t last, Time t, EndOf&& end_of) {
  return row_lower_bound(first, last, t, end_of);
}

// First position in [first, last) whose start is >= t.
template <class StartOf>
uint32_t row_first_starting_at_or_after(uint32_t first, uint32_t last, Time t, StartOf&& start_of) {
  return row_lower_bound(first, last, t, start_of);
}

// Like row_first_starting_at_or_after, but searches outwards from `first` (1, 2, 4, ... ahead)
// before bisecting: O(log k) for an answer k positions away, touching memory near `first` first.
// Folding asks for the next pixel's first interval, which is usually close.
template <class StartOf>
uint32_t row_gallop_starting_at_or_after(uint32_t first, uint32_t last, Time t, StartOf&& start_of) {
  if (first >= last || start_of(first) >= t) return first;
  uint32_t lo = first + 1, step = 1;  // start_of(lo - 1) < t
  while (lo < last) {
    const uint32_t probe = last - lo > step ? lo + step : last;
    if (probe == last || start_of(probe) >= t) return row_first_starting_at_or_after(lo, probe, t, start_of);
    lo = probe + 1;
    step *= 2;
  }
  return last;
}

// Emits the row items visible in `view` (x in [0, width]) in left-to-right order.
// `min_px`: narrower intervals are folded; `gap_px`: a fold swallows the next interval when it
// starts within this many pixels of the fold's end. `index` (optional, built over the same row
// with min_px == FoldIndex::kRatio * gap_px) lets a fold jump to its end in one query.
// Returns the number of items emitted.
template <class StartOf, class EndOf, class Emit>
size_t fold_row(uint32_t first, uint32_t last, StartOf&& start_of, EndOf&& end_of, const TimeView& view,
                double min_px, double gap_px, Emit&& emit, const FoldIndex* index = nullptr) {
  const Time t_left = view.left();
  const Time t_right = view.right() + 1;
  const Time threshold = Time(std::max(1.0, min_px * view.ns_per_px()));
  uint32_t i = row_first_ending_at_or_after(first, last, t_left, end_of);
  size_t emitted = 0;
  while (i < last) {
    const Time s = start_of(i);
    if (s > t_right) break;
    const Time e = end_of(i);
    const double x0 = view.x_of(s), x1 = view.x_of(e);
    if (x1 - x0 >= min_px) {
      emit(RowItem{i, 1, x0, x1, s, e});
      ++emitted;
      ++i;
      continue;
    }
    RowItem fold{i, 1, x0, x1, s, e};
    ++i;
    if (index) {
      // Everything before the next break is narrow and follows its neighbour closely.
      const uint32_t j = index->first_break(i, threshold);
      if (j > i) {
        fold.count += j - i;
        fold.t1 = end_of(j - 1);
        i = j;
      }
    } else {
      // Swallow following narrow intervals that start within gap_px of the fold's end.
      while (i < last) {
        const Time limit = view.time_at(view.x_of(fold.t1) + gap_px) + 1;
        const uint32_t j = row_gallop_starting_at_or_after(i, last, limit, start_of);
        if (j == i) break;  // the next interval starts too far away
        const uint32_t tail = j - 1;  // the last candidate may be wide: keep it on its own
        if (view.x_of(end_of(tail)) - view.x_of(start_of(tail)) >= min_px) {
          if (tail > i) {
            fold.count += tail - i;
            fold.t1 = end_of(tail - 1);
          }
          i = tail;
          break;
        }
        fold.count += j - i;
        fold.t1 = end_of(tail);
        i = j;
        if (fold.t1 > t_right) break;
      }
    }
    fold.x1 = view.x_of(fold.t1);
    emit(fold);
    ++emitted;
  }
  return emitted;
}

// A stretch of pixels where a row has something, for rows drawn as coverage only (the summary
// row of a capped track): view x [x0, x1], at least 1 px wide.
struct PixelRun {
  double x0 = 0, x1 = 0;
};

// The runs of pixels covered by a row's intervals in `view` (x in [0, width]), left to right:
// each interval drawn at least 1 px wide, and an interval starting within `gap_px` pixels of
// a run's end (start <= view.time_at(x1 + gap_px)) joins that run. Runs are clipped to
// [-gap_px, width + gap_px]. As with fold_row, each run costs O(log n) per `gap_px` pixels it
// covers, so a row of the union of 20 000 lanes costs what a row of one does.
template <class StartOf, class EndOf>
std::vector<PixelRun> row_cover_runs(uint32_t first, uint32_t last, StartOf&& start_of, EndOf&& end_of,
                                     const TimeView& view, double gap_px) {
  std::vector<PixelRun> out;
  const Time t_right = view.right() + 1;
  const double lo = -gap_px, hi = view.width() + gap_px;
  auto drawn_end = [&](uint32_t i) { return std::max(view.x_of(end_of(i)), view.x_of(start_of(i)) + 1.0); };
  uint32_t i = row_first_ending_at_or_after(first, last, view.left(), end_of);
  while (i < last && start_of(i) <= t_right) {
    PixelRun run{view.x_of(start_of(i)), drawn_end(i)};
    ++i;
    // Ends are sorted too, so of the intervals that join the run the last one ends last.
    while (i < last && run.x1 <= hi) {
      const Time limit = std::min(view.time_at(run.x1 + gap_px), t_right) + 1;  // what starts before joins
      const uint32_t j = row_gallop_starting_at_or_after(i, last, limit, start_of);
      if (j == i) break;
      run.x1 = std::max(run.x1, drawn_end(j - 1));
      i = j;
    }
    const bool to_the_edge = run.x1 > hi;  // whatever follows is under this run
    run.x0 = std::max(run.x0, lo);
    run.x1 = std::max(std::min(run.x1, hi), run.x0 + 1.0);
    out.push_back(run);
    if (to_the_edge) break;
  }
  return out;
}

// How many of a row's intervals overlap [t0, t1] (two binary searches).
template <class StartOf, class EndOf>
uint32_t row_count_overlapping(uint32_t first, uint32_t last, StartOf&& start_of, EndOf&& end_of, Time t0, Time t1) {
  const uint32_t a = row_first_ending_at_or_after(first, last, t0, end_of);
  const uint32_t b = t1 == INT64_MAX ? last : row_first_starting_at_or_after(a, last, t1 + 1, start_of);
  return b > a ? b - a : 0;
}

// Whether screen x (view pixels) falls on an item as drawn: at least 1 px wide, plus `tol` pixels
// of slack on both sides so that thin items can still be pointed at.
inline bool item_contains(const RowItem& it, double x, double tol) {
  const double x1 = std::max(it.x1, it.x0 + 1.0);
  return x >= it.x0 - tol && x <= x1 + tol;
}

// The item of a row under screen x, as the renderer draws the row: the item whose drawn extent
// contains x exactly (the later one, drawn on top, when two do), else the nearest one within
// `tol` pixels. Returns false when none.
template <class StartOf, class EndOf>
bool row_item_at(uint32_t first, uint32_t last, StartOf&& start_of, EndOf&& end_of, const TimeView& view,
                 double min_px, double gap_px, const FoldIndex* index, double x, double tol, RowItem* out) {
  bool found = false;
  double best = 0;
  fold_row(first, last, start_of, end_of, view, min_px, gap_px, [&](const RowItem& it) {
    if (!item_contains(it, x, tol)) return;
    const double x1 = std::max(it.x1, it.x0 + 1.0);
    const double dist = x < it.x0 ? it.x0 - x : (x > x1 ? x - x1 : 0.0);
    if (!found || dist <= best) {
      *out = it;
      best = dist;
      found = true;
    }
  }, index);
  return found;
}

}  // namespace vz
