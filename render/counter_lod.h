// Exact per-pixel minimum and maximum of a counter series, at any zoom, in O(log n) per pixel.
//
// A counter is a step function: each sample's value holds until the next sample. A pixel column
// covering [ta, tb) therefore sees the value in effect at ta plus every sample inside the column.
// MinMaxPyramid answers min/max over any index range in O(log n) from blocks of 2^k samples
// (about one extra value per sample in all), so drawing a counter costs O(pixels × log n) and
// never hides a spike the way sampling one value per pixel would. NaN (a sample without this
// series' key) is skipped.
//
// Nothing here depends on ImGui.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "formats/model.h"
#include "render/time_view.h"

namespace vz {

// Min/max over index ranges of one array of values.
class MinMaxPyramid {
 public:
  // Builds the blocks over `values`, which must outlive the pyramid (they are level 0; not copied).
  explicit MinMaxPyramid(std::span<const double> values = {});
  // Min and max over [lo, hi); both NaN when the range is empty or holds only NaN.
  void query(size_t lo, size_t hi, double* mn, double* mx) const;
  size_t size() const { return values_.size(); }
  // Min and max over every value (NaN when none).
  double min() const { return all_min_; }
  double max() const { return all_max_; }
  // The same over the finite values (an infinity, 1e999 in JSON, has no place on a scale).
  double finite_min() const { return finite_min_; }
  double finite_max() const { return finite_max_; }
  size_t memory_bytes() const;

 private:
  struct Level {
    std::vector<double> mn, mx;
  };
  std::span<const double> values_;  // level 0
  std::vector<Level> levels_;       // levels_[k-1]: blocks of 2^k values
  double all_min_ = 0, all_max_ = 0;
  double finite_min_ = 0, finite_max_ = 0;
};

// One pixel column of a counter series.
struct CounterColumn {
  double x = 0;          // left edge of the column (screen x)
  double mn = 0, mx = 0;  // min/max of the step function over the column (NaN: no value there)
  double last = 0;       // the value in effect at the column's right edge
};

// Per-pixel columns of the step function `values` at `ts` (sorted), for columns of `px` pixels
// across the view. Columns before the first sample are skipped; after the last sample, the last
// value holds until `end` (the trace's end), and nothing is drawn past it.
std::vector<CounterColumn> counter_columns(std::span<const Time> ts, std::span<const double> values,
                                           const MinMaxPyramid& pyramid, Time end, const TimeView& view,
                                           double px);

// Adjacent columns with the same min and max: one rectangle instead of one per pixel. A counter
// sampled more coarsely than the pixels holds each value over many columns.
struct CounterRun {
  double x0 = 0, x1 = 0;  // screen extent: from the first column's left edge to the last one's right
  double mn = 0, mx = 0;  // the columns' min and max (never NaN)
};

// `cols` (as counter_columns() makes them, `px` wide) merged into runs of equal min and max that
// touch; columns without a value (NaN) are left out. Drawing the runs covers the pixels the
// columns cover, and nothing else.
std::vector<CounterRun> merge_counter_columns(std::span<const CounterColumn> cols, double px);

// The series a counter with many draws in their own colours: all of them when there are at most
// `max_bands`, else the `max_bands - 1` of largest magnitude (|value| over all samples), in index
// order. Each series costs a pass over the pixels, and with thousands most bands are thinner than a
// pixel; a stacked counter draws the rest as grey bands in their places ("others").
std::vector<uint32_t> counter_bands_shown(std::span<const MinMaxPyramid> series, size_t max_bands);
// The bands the timeline draws per counter (and legend lines it shows): 15 series and the others.
constexpr size_t kMaxCounterBands = 16;

// The values a stacked counter draws for series k: the sum of series 0..k per sample (NaN
// counts as 0), so series k's band lies between stacked[k-1] and stacked[k].
std::vector<std::vector<double>> stacked_values(const Counter& c);

// Index of the sample in effect at t (the last one with ts <= t), or kNone before the first.
uint32_t counter_sample_at(std::span<const Time> ts, Time t);

}  // namespace vz
