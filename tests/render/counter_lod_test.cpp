// Tests of render/counter_lod.cpp: the min/max pyramid and per-pixel columns of a counter, against
// brute force over the samples (NaN skipped, step-function semantics), merging columns into runs,
// how many series a stacked counter draws, and stacking.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "render/counter_lod.h"

using namespace vz;

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();

void brute(const std::vector<double>& v, size_t lo, size_t hi, double* mn, double* mx) {
  *mn = *mx = kNaN;
  for (size_t i = lo; i < hi; ++i) {
    *mn = std::fmin(*mn, v[i]);
    *mx = std::fmax(*mx, v[i]);
  }
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }
}  // namespace

TEST_CASE("pyramid min/max equals brute force on every range") {
  std::mt19937_64 rng(3);
  for (int iter = 0; iter < 60; ++iter) {
    std::vector<double> v(size_t(rng() % 300));
    for (double& x : v) x = rng() % 7 == 0 ? kNaN : double(int64_t(rng() % 2001) - 1000) / 8.0;
    MinMaxPyramid p(v);
    CHECK(p.size() == v.size());
    for (size_t lo = 0; lo <= v.size(); lo += 1 + rng() % 5) {
      for (size_t hi = lo; hi <= v.size(); hi += 1 + rng() % 7) {
        double a, b, c, d;
        p.query(lo, hi, &a, &b);
        brute(v, lo, hi, &c, &d);
        CHECK(same(a, c));
        CHECK(same(b, d));
      }
    }
    double c, d;
    brute(v, 0, v.size(), &c, &d);
    CHECK(same(p.min(), c));
    CHECK(same(p.max(), d));
  }
}

TEST_CASE("pyramid: the finite extremes leave infinities out (a counter's scale spans those)") {
  const double inf = std::numeric_limits<double>::infinity();
  MinMaxPyramid p(std::vector<double>{});
  CHECK(std::isnan(p.finite_min()));
  std::vector<double> v = {3, inf, -2, kNaN, -inf, 7};
  MinMaxPyramid q(v);
  CHECK(q.min() == -inf);
  CHECK(q.max() == inf);
  CHECK(q.finite_min() == -2);
  CHECK(q.finite_max() == 7);
  std::vector<double> only = {inf, kNaN};
  MinMaxPyramid r(only);
  CHECK(r.max() == inf);
  CHECK(std::isnan(r.finite_min()));
  CHECK(std::isnan(r.finite_max()));
}

TEST_CASE("columns see the value in effect and every sample inside") {
  std::mt19937_64 rng(9);
  for (int iter = 0; iter < 100; ++iter) {
    const size_t n = 1 + rng() % 2000;
    std::vector<Time> ts(n);
    std::vector<double> v(n);
    Time t = Time(rng() % 100);
    for (size_t i = 0; i < n; ++i) {
      t += Time(rng() % 50);
      ts[i] = t;
      v[i] = double(rng() % 1000);
    }
    MinMaxPyramid p(v);
    TimeView view;
    view.fit(ts.front() - 10, ts.back() + 100, 300);
    const Time end = ts.back() + 50;
    const auto cols = counter_columns(ts, v, p, end, view, 1.0);
    REQUIRE(!cols.empty());
    for (const CounterColumn& c : cols) {
      const Time ta = view.time_at(c.x), tb = std::max(view.time_at(c.x + 1.0), ta + 1);
      // Brute force: the value in effect at ta, plus every sample in (ta, tb).
      double mn = kNaN, mx = kNaN;
      size_t in_effect = n;
      for (size_t i = 0; i < n; ++i) {
        if (ts[i] <= ta) in_effect = i;
        if (ts[i] > ta && ts[i] < tb) {
          mn = std::fmin(mn, v[i]);
          mx = std::fmax(mx, v[i]);
        }
      }
      if (in_effect < n) {
        mn = std::fmin(mn, v[in_effect]);
        mx = std::fmax(mx, v[in_effect]);
      } else {
        // Before the first sample the column starts at the first sample inside it.
        for (size_t i = 0; i < n && ts[i] < tb; ++i) {
          mn = std::fmin(mn, v[i]);
          mx = std::fmax(mx, v[i]);
        }
      }
      CHECK(same(c.mn, mn));
      CHECK(same(c.mx, mx));
    }
  }
}

TEST_CASE("stacked values are cumulative sums with NaN as zero") {
  Counter c;
  c.ts = {0, 10, 20};
  c.series.resize(3);
  c.series[0].values = {1, 2, kNaN};
  c.series[1].values = {10, kNaN, 30};
  c.series[2].values = {100, 200, 300};
  const auto s = stacked_values(c);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == std::vector<double>{1, 2, 0});
  CHECK(s[1] == std::vector<double>{11, 2, 30});
  CHECK(s[2] == std::vector<double>{111, 202, 330});
}

TEST_CASE("sample in effect") {
  const std::vector<Time> ts = {5, 10, 10, 20};
  CHECK(counter_sample_at(ts, 4) == kNone);
  CHECK(counter_sample_at(ts, 5) == 0);
  CHECK(counter_sample_at(ts, 10) == 2);
  CHECK(counter_sample_at(ts, 19) == 2);
  CHECK(counter_sample_at(ts, 1000) == 3);
}

TEST_CASE("merged runs cover exactly the columns with a value, with their min and max") {
  std::mt19937_64 rng(21);
  for (int iter = 0; iter < 100; ++iter) {
    const double px = iter % 2 ? 1.0 : 0.75;
    std::vector<CounterColumn> cols;
    double x = double(rng() % 5);
    for (size_t i = 0, n = rng() % 400; i < n; ++i, x += px) {
      if (rng() % 9 == 0) continue;  // a column counter_columns() skipped
      CounterColumn c;
      c.x = x;
      const int kind = int(rng() % 4);  // few distinct values, so runs form
      c.mn = kind == 0 ? kNaN : double(kind);
      c.mx = kind == 0 ? kNaN : double(kind + int(rng() % 2));
      cols.push_back(c);
    }
    const std::vector<CounterRun> runs = merge_counter_columns(cols, px);
    // Every column with a value lies in exactly one run with its min and max; runs do not overlap.
    size_t r = 0, covered = 0;
    for (const CounterColumn& c : cols) {
      if (std::isnan(c.mx)) continue;
      while (r < runs.size() && runs[r].x1 <= c.x) ++r;
      REQUIRE(r < runs.size());
      CHECK(runs[r].x0 <= c.x);
      CHECK(c.x + px <= runs[r].x1);
      CHECK(runs[r].mn == c.mn);
      CHECK(runs[r].mx == c.mx);
      covered += 1;
    }
    double width = 0;
    for (size_t k = 0; k < runs.size(); ++k) {
      width += runs[k].x1 - runs[k].x0;
      if (k > 0) {
        CHECK(runs[k - 1].x1 <= runs[k].x0);
        // Neighbours that touch differ, or they would have been merged.
        if (runs[k - 1].x1 == runs[k].x0) CHECK((runs[k - 1].mn != runs[k].mn || runs[k - 1].mx != runs[k].mx));
      }
    }
    CHECK(width == doctest::Approx(double(covered) * px));  // nothing but those columns
  }
}

TEST_CASE("a constant stretch of columns is one run") {
  std::vector<CounterColumn> cols;
  for (int i = 0; i < 100; ++i) cols.push_back(CounterColumn{double(i), 2.0, 3.0, 3.0});
  cols[50].mx = 4.0;
  const std::vector<CounterRun> runs = merge_counter_columns(cols, 1.0);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].x0 == 0.0);
  CHECK(runs[0].x1 == 50.0);
  CHECK(runs[1].x1 == 51.0);
  CHECK(runs[2].x1 == 100.0);
}

TEST_CASE("a counter draws every series up to the band limit, then the largest ones") {
  // Series k holds values of magnitude k % 37 (series 5 negative, series 9 without values).
  std::vector<std::vector<double>> values(1000);
  for (size_t k = 0; k < values.size(); ++k) {
    const double m = double(k % 37);
    values[k] = {0.0, k == 5 ? -1000.0 : m, m / 2, 0.0};
    if (k == 9) values[k] = {kNaN, kNaN};
  }
  std::vector<MinMaxPyramid> pyr;
  for (const auto& v : values) pyr.emplace_back(v);
  auto first = [&](size_t n) { return std::span<const MinMaxPyramid>(pyr.data(), n); };
  CHECK(counter_bands_shown(first(1), 16) == std::vector<uint32_t>{0});
  CHECK(counter_bands_shown(first(16), 16).size() == 16);  // all of them: no "others"
  CHECK(counter_bands_shown(first(0), 16).empty());
  // 17 series: the 15 largest in index order, and 2 others (series 0 and the one without values).
  CHECK(counter_bands_shown(first(17), 16) ==
        std::vector<uint32_t>{1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16});
  // 1000: series 5 (|-1000|) and 14 of the series with magnitude 36 (the first ones on ties).
  const std::vector<uint32_t> many = counter_bands_shown(pyr, 16);
  REQUIRE(many.size() == 15);
  CHECK(many[0] == 5);
  for (size_t j = 1; j < many.size(); ++j) {
    CHECK(many[j] % 37 == 36);
    CHECK(many[j - 1] < many[j]);
  }
  CHECK(counter_bands_shown(first(5), 1).empty());  // everything in the others' band
}
