// Tests of render/time_view.cpp: exact time <-> pixel mapping at every zoom (including traces far
// from zero), zoom around a fixed point, clamping, tick steps and tick labels.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "formats/numbers.h"
#include "render/time_view.h"

using namespace vz;

TEST_CASE("fit maps the range onto the width") {
  TimeView v;
  v.fit(1000, 3000, 200);
  CHECK(v.x_of(1000) == doctest::Approx(0));
  CHECK(v.x_of(3000) == doctest::Approx(200));
  CHECK(v.time_at(100) == 2000);
  CHECK(v.ns_per_px() == doctest::Approx(10));
}

TEST_CASE("single nanoseconds stay exact far from zero") {
  const Time base = kMaxAbsTime - 1000000;  // near the largest representable time
  TimeView v;
  v.fit(base, base + 10, 1000);  // 100 px per nanosecond
  for (Time k = 0; k <= 10; ++k) {
    CHECK(v.x_of(base + k) == doctest::Approx(double(k) * 100.0));
    CHECK(v.time_at(double(k) * 100.0 + 50.0) == base + k);
  }
  // Panning by sub-nanosecond steps does not drift: 400 moves of 0.25 px are 100 px = 1 ns.
  for (int i = 0; i < 400; ++i) v.pan_px(0.25);
  CHECK(double(v.left() - base) + v.left_frac() == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(v.left_frac() >= 0.0);
  CHECK(v.left_frac() < 1.0);
}

TEST_CASE("zoom keeps the time under the cursor in place") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    TimeView v;
    const Time t0 = Time(rng() % 1000000000000ull) - 500000000000ll;
    const Time span = 1 + Time(rng() % 10000000000ull);
    v.fit(t0, t0 + span, 1600);
    const double x = double(rng() % 1600);
    const double before = v.time_at_exact(x);
    const double factor = std::pow(2.0, double(int(rng() % 21) - 10));
    v.zoom_at(x, factor);
    const double after = v.time_at_exact(x);
    CHECK(std::fabs(after - before) <= std::max(1e-6 * std::fabs(before) * 1e-6, 0.01 + v.ns_per_px() * 1e-6));
    CHECK(v.ns_per_px() >= TimeView::kMinNsPerPx);
  }
}

TEST_CASE("zoom stops at the smallest scale") {
  TimeView v;
  v.fit(0, 1000, 1000);
  for (int i = 0; i < 100; ++i) v.zoom_at(500, 0.5);
  CHECK(v.ns_per_px() == doctest::Approx(TimeView::kMinNsPerPx));
}

TEST_CASE("clamp keeps the trace in view") {
  TimeView v;
  v.fit(0, 1000000, 1000);
  v.pan_px(1e9);  // far past the end
  v.clamp_to(0, 1000000);
  CHECK(v.time_at(v.width()) <= 1000000 + 100000 + 1);
  v.pan_px(-1e12);
  v.clamp_to(0, 1000000);
  CHECK(v.left() >= -100000 - 1);
  v.zoom_at(0, 1e6);  // far out
  v.clamp_to(0, 1000000);
  CHECK(v.span() <= 1000000 * 1.2 + 1);
}

TEST_CASE("axis step is 1, 2 or 5 times a power of ten and keeps labels apart") {
  for (double npp : {0.005, 0.01, 0.3, 1.0, 7.0, 130.0, 4e4, 9e7, 3e10}) {
    const Time step = axis_step(npp, 80);
    CHECK(double(step) >= npp * 80 - 1e-9);
    Time m = step;
    while (m % 10 == 0) m /= 10;
    CHECK((m == 1 || m == 2 || m == 5));
    // The next smaller candidate would be too close.
    const Time smaller = m == 1 ? step / 2 : (m == 2 ? step / 2 : step * 2 / 5);
    if (smaller >= 1) CHECK(double(smaller) < npp * 80);
  }
}

TEST_CASE("axis ticks are evenly spaced, cover the view and label majors") {
  TimeView v;
  v.fit(123456789, 123456789 + 5000000, 1000);
  const auto ticks = axis_ticks(v, 123456789, 80);
  REQUIRE(ticks.size() > 5);
  const Time step = axis_step(v.ns_per_px(), 80);
  int majors = 0;
  for (size_t i = 0; i < ticks.size(); ++i) {
    CHECK(ticks[i].x >= -1.0);
    CHECK(ticks[i].x <= 1001.0);
    CHECK(ticks[i].x == doctest::Approx(v.x_of(ticks[i].t)));
    if (ticks[i].major) {
      ++majors;
      CHECK((ticks[i].t - 123456789) % step == 0);
      CHECK(!ticks[i].label.empty());
    }
    if (i > 0) CHECK(ticks[i].t > ticks[i - 1].t);
  }
  CHECK(majors >= 3);
}

TEST_CASE("tick labels use the unit and decimals the step needs") {
  CHECK(format_tick(0, 1000) == "0");
  CHECK(format_tick(5000000, 1000000) == "5 ms");
  CHECK(format_tick(1500000, 500000) == "1.5 ms");
  CHECK(format_tick(5123456700, 100) == "5.1234567 s");
  CHECK(format_tick(250000, 50000) == "250 \xc2\xb5s");
  CHECK(format_tick(-2000, 1000) == "-2 \xc2\xb5s");
  CHECK(format_tick(7, 1) == "7 ns");
  CHECK(format_tick(2000000000, 1000000000) == "2 s");
}

TEST_CASE("durations print with three significant digits") {
  CHECK(format_time_span(950) == "950 ns");
  CHECK(format_time_span(1250) == "1.25 \xc2\xb5s");
  CHECK(format_time_span(12345678) == "12.3 ms");
  CHECK(format_time_span(4.56e9) == "4.56 s");
  CHECK(format_time_span(0.5) == "0.50 ns");
}
