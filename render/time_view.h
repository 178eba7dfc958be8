// The timeline's horizontal mapping between trace time and screen pixels, and its axis ticks.
//
// Why a class of its own: zoom must reach single nanoseconds on traces that start near 1e18 µs
// without losing precision, and the same arithmetic serves drawing, hit-testing, the time axis,
// keyboard zoom and the headless modes. The left edge is kept as an exact int64 nanosecond plus a
// fraction in [0, 1), the scale as nanoseconds per pixel in a double, so `x_of(t)` is an exact
// integer subtraction followed by one division, and panning never accumulates rounding.
//
// Nothing here depends on ImGui: the unit tests exercise it directly.
//
// Usage
//   vz::TimeView v;
//   v.fit(trace.start, trace.end, width_px);          // whole trace
//   v.zoom_at(mouse_x, 0.8);                          // wheel: 20% closer around the cursor
//   float x = v.x_of(slice_start);                    // pixels from the left edge
//   vz::Time t = v.time_at(mouse_x);                  // back to time (rounded down)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/model.h"

namespace vz {

class TimeView {
 public:
  // The smallest scale: this many nanoseconds per pixel (1 ns spans 200 px).
  static constexpr double kMinNsPerPx = 1.0 / 200.0;

  // Shows [t0, t1] across `width_px` pixels (an empty range shows 1 µs around t0).
  void fit(Time t0, Time t1, double width_px);
  // Sets the width in pixels, keeping the left edge and the scale.
  void set_width(double width_px) { width_ = width_px > 1 ? width_px : 1; }
  // Multiplies the scale by `factor` (< 1 zooms in) keeping the time under pixel `x` in place.
  void zoom_at(double x, double factor);
  // Moves the view by `dx` pixels (positive: later times come into view).
  void pan_px(double dx);
  // Moves the view by exactly `dt` nanoseconds (a synchronized view shows the same span of
  // another trace whose clock is offset by dt).
  void shift(Time dt) { set_left_exact(left_ + dt, frac_); }
  // Keeps the view inside [t0 - margin, t1 + margin] where margin is a tenth of the span, and
  // the scale between kMinNsPerPx and the whole span (+20%) across the width.
  void clamp_to(Time t0, Time t1);

  // Screen x (pixels from the left edge) of time t; may be far outside [0, width].
  double x_of(Time t) const { return (double(t - left_) - frac_) / ns_per_px_; }
  // The time at pixel x, rounded down to a whole nanosecond.
  Time time_at(double x) const;
  // The time at pixel x with its fractional nanoseconds (for sub-pixel decisions).
  double time_at_exact(double x) const;

  Time left() const { return left_; }          // whole nanoseconds of the left edge
  double left_frac() const { return frac_; }   // the left edge's fraction of a nanosecond
  Time right() const { return time_at(width_); }  // the time at the right edge (rounded down)
  double ns_per_px() const { return ns_per_px_; }
  double width() const { return width_; }
  // The visible span in nanoseconds.
  double span() const { return ns_per_px_ * width_; }

 private:
  void set_left_exact(Time whole, double frac);

  Time left_ = 0;
  double frac_ = 0;          // in [0, 1)
  double ns_per_px_ = 1000;  // > 0
  double width_ = 1000;      // > 0
};

// One tick of the time axis.
struct AxisTick {
  Time t = 0;          // time of the tick
  double x = 0;        // its screen x
  bool major = false;  // major ticks carry a label
  std::string label;   // relative to the origin passed to axis_ticks, e.g. "1.25 ms"
};

// Tick step for a view: the smallest 1, 2 or 5 × 10^k nanoseconds that keeps major ticks at
// least `min_px` apart.
Time axis_step(double ns_per_px, double min_px);

// Major ticks (every step, labelled relative to `origin`) and minor ticks (a fifth of a step when
// the step is 1 or 5 × 10^k, half a step when 2 × 10^k), for the visible part of the view.
std::vector<AxisTick> axis_ticks(const TimeView& view, Time origin, double min_px);

// "12.5 ms" style label of a time `t` relative to zero, with exactly as many decimals as `step`
// needs to tell neighbouring ticks apart (step 100 ns at 5.1234567 s -> "5.1234567 s").
std::string format_tick(Time t, Time step);

// A duration with a readable unit and up to `digits` significant digits: "950 ns", "1.25 µs".
std::string format_time_span(double ns, int digits = 3);

// A signed change of duration: "+1.25 ms", "-950 ns", "0".
std::string format_time_delta(Time ns);

}  // namespace vz
