// Time <-> pixel mapping and axis ticks. See time_view.h.
#include "render/time_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "formats/numbers.h"

namespace vz {
namespace {

// Floor division for a possibly negative numerator and a positive divisor.
Time floor_div(Time a, Time b) {
  Time q = a / b;
  if ((a % b != 0) && (a < 0)) --q;
  return q;
}

// Nanoseconds per unit and the unit's symbol, largest first.
struct Unit {
  Time ns;
  const char* name;
};
constexpr Unit kUnits[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "\xc2\xb5s"}, {1, "ns"}};

}  // namespace

void TimeView::set_left_exact(Time whole, double frac) {
  if (!std::isfinite(frac)) frac = 0;
  // Keep the left edge inside twice the model's time range: far enough for any margin, and
  // integer arithmetic on it never overflows.
  const double limit = 2.0 * double(kMaxAbsTime);
  double f = std::floor(frac);
  f = std::clamp(f, -2.0 * limit, 2.0 * limit);
  double rest = frac - f;
  Time w = whole + Time(f);
  if (rest >= 1.0) {  // frac just below an integer can round up to it
    rest -= 1.0;
    w += 1;
  }
  if (!(rest >= 0.0 && rest < 1.0)) rest = 0.0;
  const Time lim = Time(limit);
  if (w < -lim || w > lim) {
    w = std::clamp(w, -lim, lim);
    rest = 0.0;
  }
  left_ = w;
  frac_ = rest;
}

void TimeView::fit(Time t0, Time t1, double width_px) {
  set_width(width_px);
  if (t1 <= t0) {
    t0 -= 500;
    t1 = t0 + 1000;
  }
  ns_per_px_ = std::max(double(t1 - t0) / width_, kMinNsPerPx);
  left_ = t0;
  frac_ = 0;
}

void TimeView::zoom_at(double x, double factor) {
  if (!(factor > 0) || !std::isfinite(factor)) return;
  const double anchor = frac_ + x * ns_per_px_;  // ns from left_ to the time under x
  const double scale = std::clamp(ns_per_px_ * factor, kMinNsPerPx, double(kMaxAbsTime) / width_);
  ns_per_px_ = scale;
  set_left_exact(left_, anchor - x * scale);
}

void TimeView::pan_px(double dx) {
  if (!std::isfinite(dx)) return;
  set_left_exact(left_, frac_ + dx * ns_per_px_);
}

void TimeView::clamp_to(Time t0, Time t1) {
  const double span = std::max(double(t1) - double(t0), 1000.0);
  ns_per_px_ = std::clamp(ns_per_px_, kMinNsPerPx, span * 1.2 / width_);
  const double margin = span / 10;
  const double view = ns_per_px_ * width_;
  const double lo = double(t0) - margin;  // earliest allowed left edge
  const double hi = double(t1) + margin;  // latest allowed right edge
  const double left = double(left_) + frac_;
  if (view >= hi - lo) {
    // Wider than the allowed window: centre the trace.
    const double centre_off = (double(t0) + double(t1)) / 2 - view / 2 - double(t0);
    set_left_exact(t0, centre_off);
  } else if (left < lo) {
    set_left_exact(t0, -margin);
  } else if (left + view > hi) {
    set_left_exact(t1, margin - view);
  }
}

Time TimeView::time_at(double x) const {
  return left_ + Time(std::floor(frac_ + x * ns_per_px_));
}

double TimeView::time_at_exact(double x) const { return double(left_) + frac_ + x * ns_per_px_; }

Time axis_step(double ns_per_px, double min_px) {
  const double raw = std::max(ns_per_px * min_px, 1.0);
  Time p = 1;
  while (true) {
    for (Time m : {Time(1), Time(2), Time(5)}) {
      if (double(p * m) >= raw) return p * m;
    }
    if (p > kMaxAbsTime / 10) return p * 10;
    p *= 10;
  }
}

std::vector<AxisTick> axis_ticks(const TimeView& view, Time origin, double min_px) {
  std::vector<AxisTick> out;
  const Time step = axis_step(view.ns_per_px(), min_px);
  Time mantissa = step;
  while (mantissa % 10 == 0) mantissa /= 10;
  const Time minor = (mantissa == 2) ? step / 2 : step / 5;
  const Time sub = minor >= 1 ? minor : step;
  const Time left = view.left() - origin;
  const Time right = view.right() - origin;
  for (Time k = floor_div(left, sub); k * sub <= right + sub; ++k) {
    const Time rel = k * sub;
    AxisTick tick;
    tick.t = rel + origin;
    tick.x = view.x_of(tick.t);
    tick.major = rel % step == 0;
    if (tick.major) tick.label = format_tick(rel, step);
    if (tick.x >= -1 && tick.x <= view.width() + 1) out.push_back(std::move(tick));
    if (out.size() > 4096) break;  // a tiny min_px: never run away
  }
  return out;
}

std::string format_tick(Time t, Time step) {
  if (t == 0) return "0";
  const Time mag = std::max<Time>(t < 0 ? -t : t, step);
  const Unit* unit = &kUnits[3];
  for (const Unit& u : kUnits) {
    if (mag >= u.ns) {
      unit = &u;
      break;
    }
  }
  // Decimals: how many digits of the unit the step reaches down to.
  int decimals = 0;
  for (Time d = unit->ns; d > 1 && step % d != 0; d /= 10) ++decimals;
  const Time abs = t < 0 ? -t : t;
  const Time whole = abs / unit->ns;
  Time rem = abs % unit->ns;
  int unit_digits = 0;
  for (Time d = unit->ns; d > 1; d /= 10) ++unit_digits;
  for (int i = decimals; i < unit_digits; ++i) rem /= 10;
  char buf[96];
  decimals = std::min(decimals, 9);
  if (decimals > 0) {
    std::snprintf(buf, sizeof buf, "%s%lld.%0*lld %s", t < 0 ? "-" : "", (long long)whole, decimals,
                  (long long)rem, unit->name);
  } else {
    std::snprintf(buf, sizeof buf, "%s%lld %s", t < 0 ? "-" : "", (long long)whole, unit->name);
  }
  return buf;
}

std::string format_time_span(double ns, int digits) {
  char buf[64];
  const double a = std::fabs(ns);
  const char* unit = "ns";
  double v = ns;
  if (a >= 1e9) {
    v = ns / 1e9;
    unit = "s";
  } else if (a >= 1e6) {
    v = ns / 1e6;
    unit = "ms";
  } else if (a >= 1e3) {
    v = ns / 1e3;
    unit = "\xc2\xb5s";
  }
  const double av = std::fabs(v);
  int decimals = digits - (av >= 100 ? 3 : av >= 10 ? 2 : 1);
  if (a < 1e3 && std::fabs(ns - std::round(ns)) < 1e-9) decimals = 0;  // whole nanoseconds
  std::snprintf(buf, sizeof buf, "%.*f %s", std::max(decimals, 0), v, unit);
  return buf;
}

std::string format_time_delta(Time ns) {
  if (ns == 0) return "0";
  return (ns > 0 ? "+" : "-") + format_time_span(std::fabs(double(ns)));
}

}  // namespace vz
