#include "render/timeline_sync.h"

#include <algorithm>

namespace vz {

bool same_mapping(const TimeView& x, const TimeView& y) {
  return x.left() == y.left() && x.left_frac() == y.left_frac() && x.ns_per_px() == y.ns_per_px();
}

void aligned_bounds(const Trace& a, const Trace& b, const RunAlignment& al, Time* t0, Time* t1) {
  const Time shift = al.a_to_b();  // B time = A time + shift
  *t0 = std::min(a.start, b.start - shift);
  *t1 = std::max(a.end, b.end - shift);
}

namespace {

// `to` shows what `from` shows, its clock `dt` later (keeping its own width).
void copy_view(const TimeView& from, Time dt, TimeView& to) {
  const double width = to.width();
  to = from;
  to.shift(dt);
  to.set_width(width);
}

}  // namespace

void TimelineSync::prepare(const Trace& a, const Trace& b, TimelineState& ta, TimelineState& tb) {
  Time t0, t1;
  aligned_bounds(a, b, align, &t0, &t1);
  const Time shift = align.a_to_b();
  ta.has_bounds = tb.has_bounds = true;
  ta.bound_t0 = t0;
  ta.bound_t1 = t1;
  tb.bound_t0 = t0 + shift;
  tb.bound_t1 = t1 + shift;
  ta.has_axis_origin = tb.has_axis_origin = true;
  ta.axis_origin = align.origin_a;
  tb.axis_origin = align.origin_b - align.offset;
  // Each side shows the other's hover of the last frame.
  ta.has_cursor = tb.hover_valid;
  ta.cursor_t = tb.hover_t - shift;
  tb.has_cursor = ta.hover_valid;
  tb.cursor_t = ta.hover_t + shift;
  tb.fitted = true;  // B never fits itself: it takes A's view
  if (synced_ && !(applied_ == align)) {
    copy_view(ta.view, shift, tb.view);
    last_a_ = ta.view;
    last_b_ = tb.view;
    applied_ = align;
  }
}

void TimelineSync::after_a(TimelineState& ta, TimelineState& tb) {
  if (synced_ && same_mapping(ta.view, last_a_)) return;
  copy_view(ta.view, align.a_to_b(), tb.view);
  last_a_ = ta.view;
  last_b_ = tb.view;
  applied_ = align;
  synced_ = true;
}

void TimelineSync::after_b(TimelineState& ta, TimelineState& tb) {
  if (!synced_ || same_mapping(tb.view, last_b_)) return;
  copy_view(tb.view, -align.a_to_b(), ta.view);
  last_a_ = ta.view;
  last_b_ = tb.view;
}

}  // namespace vz
