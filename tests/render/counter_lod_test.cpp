// Tests of render/counter_lod.cpp: the min/max pyramid and per-pixel columns of a counter, against
// brute force over the samples (NaN skipped, step-function semantics), and stacking.
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
