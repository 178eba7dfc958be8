// Counter min/max pyramid and per-pixel columns. See counter_lod.h.
#include "render/counter_lod.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace vz {

MinMaxPyramid::MinMaxPyramid(std::span<const double> values) : values_(values) {
  all_min_ = all_max_ = finite_min_ = finite_max_ = std::numeric_limits<double>::quiet_NaN();
  for (double v : values) {
    all_min_ = std::fmin(all_min_, v);
    all_max_ = std::fmax(all_max_, v);
    if (std::isfinite(v)) {
      finite_min_ = std::fmin(finite_min_, v);
      finite_max_ = std::fmax(finite_max_, v);
    }
  }
  size_t n = values.size() / 2;
  for (size_t k = 1; n >= 1; ++k, n /= 2) {
    Level l;
    l.mn.resize(n);
    l.mx.resize(n);
    for (size_t i = 0; i < n; ++i) {
      double a0, a1, b0, b1;
      if (k == 1) {
        a0 = b0 = values[2 * i];
        a1 = b1 = values[2 * i + 1];
      } else {
        const Level& p = levels_.back();
        a0 = p.mn[2 * i];
        a1 = p.mn[2 * i + 1];
        b0 = p.mx[2 * i];
        b1 = p.mx[2 * i + 1];
      }
      l.mn[i] = std::fmin(a0, a1);
      l.mx[i] = std::fmax(b0, b1);
    }
    levels_.push_back(std::move(l));
    if (n < 2) break;
  }
}

void MinMaxPyramid::query(size_t lo, size_t hi, double* mn, double* mx) const {
  double a = std::numeric_limits<double>::quiet_NaN(), b = a;
  hi = std::min(hi, values_.size());
  while (lo < hi) {
    // The largest block aligned at lo that fits in [lo, hi).
    size_t k = 0;
    while (k < levels_.size() && (lo & ((size_t(2) << k) - 1)) == 0 && lo + (size_t(2) << k) <= hi) ++k;
    if (k == 0) {
      a = std::fmin(a, values_[lo]);
      b = std::fmax(b, values_[lo]);
      ++lo;
    } else {
      const Level& l = levels_[k - 1];
      a = std::fmin(a, l.mn[lo >> k]);
      b = std::fmax(b, l.mx[lo >> k]);
      lo += size_t(1) << k;
    }
  }
  *mn = a;
  *mx = b;
}

size_t MinMaxPyramid::memory_bytes() const {
  size_t n = 0;
  for (const Level& l : levels_) n += (l.mn.capacity() + l.mx.capacity()) * sizeof(double);
  return n;
}

uint32_t counter_sample_at(std::span<const Time> ts, Time t) {
  const size_t i = size_t(std::upper_bound(ts.begin(), ts.end(), t) - ts.begin());
  return i == 0 ? kNone : uint32_t(i - 1);
}

std::vector<CounterColumn> counter_columns(std::span<const Time> ts, std::span<const double> values,
                                           const MinMaxPyramid& pyramid, Time end, const TimeView& view,
                                           double px) {
  std::vector<CounterColumn> out;
  if (ts.empty() || values.size() != ts.size() || !(px > 0)) return out;
  const double first_x = std::max(0.0, std::floor(view.x_of(ts.front())));
  const Time last_t = std::max(end, ts.back());
  size_t from = 0;  // lower bound for the searches: columns move right
  for (double x = first_x; x < view.width(); x += px) {
    const Time ta = view.time_at(x);
    const Time tb = std::max(view.time_at(x + px), ta + 1);
    if (ta > last_t) break;
    if (tb <= ts.front()) continue;  // the column ends before the first sample
    size_t a = size_t(std::upper_bound(ts.begin() + from, ts.end(), ta) - ts.begin());
    a = a == 0 ? 0 : a - 1;  // the sample in effect at ta (or the first one, inside the column)
    size_t b = size_t(std::lower_bound(ts.begin() + a, ts.end(), tb) - ts.begin());
    if (b <= a) b = a + 1;
    from = a;
    CounterColumn c;
    c.x = x;
    pyramid.query(a, b, &c.mn, &c.mx);
    c.last = values[b - 1];
    out.push_back(c);
  }
  return out;
}

std::vector<CounterRun> merge_counter_columns(std::span<const CounterColumn> cols, double px) {
  std::vector<CounterRun> out;
  for (const CounterColumn& c : cols) {
    if (std::isnan(c.mx) || std::isnan(c.mn)) continue;
    if (!out.empty() && out.back().x1 == c.x && out.back().mn == c.mn && out.back().mx == c.mx) {
      out.back().x1 = c.x + px;
    } else {
      out.push_back(CounterRun{c.x, c.x + px, c.mn, c.mx});
    }
  }
  return out;
}

std::vector<uint32_t> counter_bands_shown(std::span<const MinMaxPyramid> series, size_t max_bands) {
  std::vector<uint32_t> out(series.size());
  for (uint32_t k = 0; k < out.size(); ++k) out[k] = k;
  if (series.size() <= max_bands) return out;
  auto size = [&](uint32_t k) {
    const double a = std::fabs(series[k].min()), b = std::fabs(series[k].max());
    return std::isnan(a) ? 0.0 : std::max(a, b);  // NaN: the series has no value at all
  };
  const size_t keep = max_bands > 1 ? max_bands - 1 : 0;  // one band is the others'
  std::stable_sort(out.begin(), out.end(), [&](uint32_t x, uint32_t y) { return size(x) > size(y); });
  out.resize(keep);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::vector<double>> stacked_values(const Counter& c) {
  std::vector<std::vector<double>> out(c.series.size());
  const size_t n = c.ts.size();
  for (size_t k = 0; k < c.series.size(); ++k) {
    const std::vector<double>& v = c.series[k].values;
    out[k].resize(n);
    for (size_t i = 0; i < n; ++i) {
      const double below = k == 0 ? 0.0 : out[k - 1][i];
      const double mine = i < v.size() && !std::isnan(v[i]) ? v[i] : 0.0;
      out[k][i] = below + mine;
    }
  }
  return out;
}

}  // namespace vz
