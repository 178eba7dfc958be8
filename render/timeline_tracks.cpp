// Thread, async and counter tracks of the timeline. See timeline.h for the rules they follow.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "render/counter_lod.h"
#include "render/lod.h"
#include "render/stats_panel.h"
#include "render/theme.h"
#include "render/timeline_internal.h"

namespace vz::tl {
namespace {

constexpr double kMinPx = 3.0;  // narrower slices are folded with their neighbours
constexpr double kGapPx = 1.0;  // a fold swallows slices starting within this many pixels
static_assert(kMinPx == double(FoldIndex::kRatio) * kGapPx, "the fold indexes are built for this ratio");

// Draws a name (or fold count) inside [x0, x1] of a row when there is room for a few glyphs.
void row_text(Frame& f, float x0, float x1, float y, std::string_view s, uint32_t bg) {
  const float pad = f.text_h * 0.3f;
  if (x1 - x0 < f.text_h * 1.6f || s.empty()) return;
  const float left = std::max(x0, f.plot_x) + pad;
  const float right = std::min(x1, f.plot_x + f.plot_w) - pad;
  if (right - left < f.text_h) return;
  const ImVec4 clip(left, y, right, y + f.m.row_h);
  const float ty = y + (f.m.row_h - f.text_h) * 0.5f - 1.0f;
  s = fit_text(s, right - left, f.text_h);
  f.dl->AddText(ImGui::GetFont(), f.text_h, ImVec2(left, ty), text_on(bg), s.data(), s.data() + s.size(), 0.0f,
                &clip);
}

// A folded run of `count` items drawn in [x0, x1]: counted in the frame's stats, its count
// written in it when there is room.
void draw_fold(Frame& f, float x0, float x1, float y, uint32_t count, uint32_t bg) {
  f.stats.folds++;
  f.stats.slices_folded += count;
  if (x1 - x0 > f.text_h * 3.0f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%u", count);
    row_text(f, x0, x1, y, buf, bg);
  }
}

// A small right-pointing triangle: "this slice never ended".
void open_marker(Frame& f, float x, float y) {
  const float h = f.m.row_h;
  const float w = h * 0.45f;
  const ImU32 c = to_u32(palette().warning);
  f.dl->AddTriangleFilled(ImVec2(x - w, y + 2), ImVec2(x, y + h * 0.5f), ImVec2(x - w, y + h - 2), c);
}

// Common drawing of one row item; `label` is the single slice's label (unused for folds).
// Returns true when the mouse is over it.
bool draw_item(Frame& f, const RowItem& it, float y, uint32_t label, bool open, bool mouse_row) {
  const float x0 = f.sx(std::max(it.x0, -4.0));
  float x1 = f.sx(std::min(it.x1, double(f.plot_w) + 4.0));
  if (x1 - x0 < 1.0f) x1 = x0 + 1.0f;
  const bool active = f.hl->active();
  ImU32 col;
  if (it.count == 1) {
    col = label_color(*f.index, label);
    if (active && !(*f.hl->mark)[label]) col = dim_color(col);
  } else {
    col = fold_color();
    if (active) col = dim_color(col);
  }
  f.dl->AddRectFilled(ImVec2(x0, y + 1), ImVec2(x1, y + f.m.row_h - 1), col);
  if (it.count == 1) {
    if (x1 - x0 >= 3.0f) f.dl->AddLine(ImVec2(x0, y + 1), ImVec2(x0, y + f.m.row_h - 1), darker(col, 0.8f));
    row_text(f, x0, x1, y, f.trace->name_of(label), col);
    if (open && it.x1 <= f.plot_w + 4.0) open_marker(f, x1, y);
  } else {
    draw_fold(f, x0, x1, y, it.count, col);
  }
  f.stats.items++;
  return mouse_row && item_contains(it, double(f.mouse.x - f.plot_x), 1.0);
}

// Search matches of one row drawn in their own colour, at most one per 2 pixels, on top of
// whatever the row drew (folded runs included), with their names where they are wide enough.
// After one, the next drawn is the first ending a pixel past it: one that starts under that
// pixel and goes on is drawn too. `list` holds the set's matching indices, sorted.
void draw_match_ticks(Frame& f, const SliceSet& s, const std::vector<uint32_t>& list, uint32_t d, float y) {
  const auto lo = std::lower_bound(list.begin(), list.end(), s.depth_begin[d]);
  const auto hi = std::lower_bound(lo, list.end(), s.depth_begin[d + 1]);
  if (lo == hi) return;
  const TimeView& v = f.st->view;
  const uint32_t n = uint32_t(hi - lo);
  auto start_of = [&](uint32_t k) { return s.start[lo[k]]; };
  auto end_of = [&](uint32_t k) { return s.end(lo[k]); };
  uint32_t k = row_first_ending_at_or_after(0, n, v.left(), end_of);
  const Time right = v.right();
  while (k < n && start_of(k) <= right) {
    const double x0 = std::max(v.x_of(start_of(k)), -2.0);
    const double x1 = std::min(std::max(v.x_of(end_of(k)), x0 + 2.0), double(f.plot_w) + 2.0);
    const uint32_t label = s.label[lo[k]];
    const ImU32 col = label_color(*f.index, label);
    const float sx0 = f.sx(x0), sx1 = f.sx(x1);
    f.dl->AddRectFilled(ImVec2(sx0, y + 1), ImVec2(sx1, y + f.m.row_h - 1), col);
    if (sx1 - sx0 >= 3.0f) f.dl->AddLine(ImVec2(sx0, y + 1), ImVec2(sx0, y + f.m.row_h - 1), darker(col, 0.8f));
    row_text(f, sx0, sx1, y, f.trace->name_of(label), col);
    k = row_first_ending_at_or_after(k + 1, n, v.time_at(x1 + 1.0), end_of);
  }
}

// Draws the first `rows` rows of one SliceSet starting at row `row0` of a thread track at screen
// y `top`.
void draw_slice_rows(Frame& f, const SliceSet& s, uint32_t thread, uint8_t set, float top, uint32_t row0,
                     uint32_t rows) {
  const TimeView& v = f.st->view;
  const ThreadMatches* tm = thread < f.matches.size() ? f.matches[thread] : nullptr;
  const std::vector<uint32_t>* match_list = tm ? (set == 0 ? &tm->slices : &tm->overflow) : nullptr;
  for (uint32_t d = 0; d < std::min(s.depths(), rows); ++d) {
    const float y = top + float(row0 + d) * f.m.row_h;
    if (!f.row_visible(y, f.m.row_h)) continue;
    f.stats.rows++;
    const bool mouse_row = f.mouse_in_plot && f.mouse.y >= y && f.mouse.y < y + f.m.row_h;
    auto start_of = [&](uint32_t i) { return s.start[i]; };
    auto end_of = [&](uint32_t i) { return s.start[i] + s.dur[i]; };
    fold_row(s.depth_begin[d], s.depth_begin[d + 1], start_of, end_of, v, kMinPx, kGapPx, [&](const RowItem& it) {
      const uint32_t label = s.label[it.first];
      const bool open = it.count == 1 && (s.flags[it.first] & kSliceOpen);
      if (draw_item(f, it, y, label, open, mouse_row)) {
        f.hover = Pick{};
        f.hover.kind = it.count == 1 ? PickKind::Slice : PickKind::Fold;
        f.hover.thread = thread;
        f.hover.set = set;
        f.hover.index = it.first;
        f.hover.count = it.count;
        f.hover.t0 = it.t0;
        f.hover.t1 = it.t1;
        f.hover_row_y = y;
      }
    }, f.index->fold_index(thread, set, d));
    if (match_list && !match_list->empty()) draw_match_ticks(f, s, *match_list, d, y);
  }
}

// The rows [first, second) of a track whose top is at screen y `top` that overlap the visible
// band: a track may have as many rows as items alive at once.
std::pair<uint32_t, uint32_t> rows_in_view(const Frame& f, float top, uint32_t rows) {
  const uint32_t r0 = f.clip_y0 > top ? uint32_t(std::min(double(rows), double((f.clip_y0 - top) / f.m.row_h))) : 0;
  const uint32_t r1 = uint32_t(std::min(double(rows), std::max(0.0, double((f.clip_y1 - top) / f.m.row_h)) + 1.0));
  return {r0, std::max(r0, r1)};
}

// The summary row of a capped Async or Objects track (set 0 / 1): grey runs where any lane it
// stands for has something, drawn from the union of their items (AsyncTrack::hidden,
// ProcessTracks::objects_hidden), so its cost does not grow with the lanes. Under the mouse it is a Lanes pick
// whose count, `count_at(t0, t1)`, is the items there: a binary search per lane, only while hovered.
template <class CountAt>
void draw_hidden_lanes(Frame& f, const LaidTrack& t, const std::vector<TimeSpan>& hidden, uint8_t set,
                       CountAt&& count_at) {
  const float y = f.tracks_y + row_y(t, t.rows - 1, f.m);
  if (!f.row_visible(y, f.m.row_h)) return;
  f.stats.rows++;
  const TimeView& v = f.st->view;
  f.dl->AddLine(ImVec2(f.plot_x, y), ImVec2(f.plot_x + f.plot_w, y), to_u32(palette().text_dim) & 0x60ffffffu);
  const ImU32 col = f.hl->active() ? dim_color(fold_color()) : fold_color();
  const uint32_t lanes = t.lanes - (t.rows - 1);
  const std::string text = format_count(lanes) + " more lanes";
  const float text_w = ImGui::CalcTextSize(text.c_str()).x + f.text_h;
  bool labelled = false;
  const auto runs = row_cover_runs(0, uint32_t(hidden.size()), [&](uint32_t i) { return hidden[i].t0; },
                                   [&](uint32_t i) { return hidden[i].t1; }, v, kGapPx);
  for (const PixelRun& r : runs) {
    const float x0 = f.sx(r.x0), x1 = f.sx(r.x1);
    f.dl->AddRectFilled(ImVec2(x0, y + 1), ImVec2(x1, y + f.m.row_h - 1), col);
    // Said once, in the first run with room for it (the tooltip says it anywhere).
    const float shown0 = std::max(x0, f.plot_x), shown1 = std::min(x1, f.plot_x + f.plot_w);
    if (!labelled && shown1 - shown0 >= text_w) {
      row_text(f, shown0, shown1, y, text, col);
      labelled = true;
    }
    f.stats.items++;
  }
  if (f.mouse_in_plot && f.mouse.y >= y && f.mouse.y < y + f.m.row_h) {
    const double mx = double(f.mouse.x - f.plot_x);
    f.hover = Pick{};
    f.hover.kind = PickKind::Lanes;
    f.hover.group = t.group;
    f.hover.set = set;
    f.hover.index = lanes;
    f.hover.t0 = v.time_at(mx - 1.0);  // the pixel under the mouse, give or take one (as items are picked)
    f.hover.t1 = v.time_at(mx + 1.0);
    f.hover.count = count_at(f.hover.t0, f.hover.t1);
    f.hover_row_y = y;
  }
}

// Value -> screen y inside a counter track.
struct ValueScale {
  double lo = 0, hi = 1;
  float top = 0, bottom = 0;
  float y(double v) const {
    const double k = (v - lo) / (hi - lo);
    return bottom - float(std::clamp(k, 0.0, 1.0)) * (bottom - top);
  }
};

}  // namespace

uint32_t slice_row(const Thread& th, uint8_t set, uint32_t index) {
  return set == 0 ? th.slices.depth_of(index) : th.slices.depths() + th.overflow.depth_of(index);
}

void draw_thread_track(Frame& f, const LaidTrack& t) {
  const float top = f.tracks_y + t.y;
  if (!f.row_visible(top, t.h)) return;
  const Thread& th = f.trace->threads[t.id];
  draw_slice_rows(f, th.slices, t.id, 0, top, 0, t.nested);
  if (th.overflow.size() > 0 && t.rows > t.nested) {
    const float y = top + float(t.nested) * f.m.row_h;
    f.dl->AddLine(ImVec2(f.plot_x, y), ImVec2(f.plot_x + f.plot_w, y), to_u32(palette().warning), 1.0f);
    draw_slice_rows(f, th.overflow, t.id, 1, top, t.nested, t.rows - t.nested);
  }
  draw_thread_instants(f, t);
}

void draw_async_track(Frame& f, const LaidTrack& t) {
  const float top = f.tracks_y + t.y;
  if (!f.row_visible(top, t.h)) return;
  const AsyncTrack& tk = f.index->async_tracks()[t.id];
  const auto& lanes = tk.lanes;
  const auto& all = f.trace->async_slices;
  // Only the lanes in view; a capped track's last row stands for the others.
  const uint32_t shown = capped(t) ? t.rows - 1 : t.rows;
  const auto [r0, r1] = rows_in_view(f, top, t.rows);
  for (uint32_t l = r0; l < std::min(r1, shown); ++l) {
    const float y = top + float(l) * f.m.row_h;
    if (!f.row_visible(y, f.m.row_h)) continue;
    f.stats.rows++;
    const std::vector<uint32_t>& lane = lanes[l];
    const bool mouse_row = f.mouse_in_plot && f.mouse.y >= y && f.mouse.y < y + f.m.row_h;
    auto start_of = [&](uint32_t p) { return all[lane[p]].start; };
    auto end_of = [&](uint32_t p) { return all[lane[p]].start + all[lane[p]].dur; };
    fold_row(0, uint32_t(lane.size()), start_of, end_of, f.st->view, kMinPx, kGapPx, [&](const RowItem& it) {
      const AsyncSlice& a = all[lane[it.first]];
      if (draw_item(f, it, y, a.label, it.count == 1 && (a.flags & kSliceOpen), mouse_row)) {
        f.hover = Pick{};
        f.hover.kind = it.count == 1 ? PickKind::Async : PickKind::Fold;
        f.hover.index = it.count == 1 ? lane[it.first] : kNone;
        f.hover.count = it.count;
        f.hover.t0 = it.t0;
        f.hover.t1 = it.t1;
        f.hover_row_y = y;
      }
      if (it.count == 1) draw_async_marks(f, lane[it.first], y);
    });
  }
  if (capped(t) && r1 == t.rows) {
    draw_hidden_lanes(f, t, tk.hidden, 0, [&](Time t0, Time t1) {
      uint32_t n = 0;
      for (uint32_t l = shown; l < lanes.size(); ++l) {
        const std::vector<uint32_t>& lane = lanes[l];
        n += row_count_overlapping(0, uint32_t(lane.size()), [&](uint32_t i) { return all[lane[i]].start; },
                                   [&](uint32_t i) { return saturating_end(all[lane[i]].start, all[lane[i]].dur); },
                                   t0, t1);
      }
      return n;
    });
  }
}

float snapshot_half_width(const Frame& f) { return std::max(3.0f, std::round(f.m.row_h * 0.3f)); }

// Object instances as bars, one row per lane, with their snapshots as diamonds on top. Bars fold
// like async slices; snapshots closer than a pixel share one marker (its pick counts them), so a
// row costs O(pixels × log n) however many events it holds.
void draw_objects_track(Frame& f, const LaidTrack& t) {
  const float top = f.tracks_y + t.y;
  if (!f.row_visible(top, t.h)) return;
  const ProcessTracks& p = f.index->processes()[t.group];
  const ObjectTracks& ot = p.objects;
  const std::vector<ObjectInstance>& inst = ot.instances;
  const TimeView& v = f.st->view;
  // Only the lanes in view: a process may have as many lanes as objects alive at once. A capped
  // track's last row stands for the lanes from there on.
  const uint32_t shown = capped(t) ? t.rows - 1 : t.rows;
  const auto [r0, r1] = rows_in_view(f, top, t.rows);
  const uint32_t l0 = r0, l1 = std::min(r1, shown);
  const bool active = f.hl->active();
  const float hw = snapshot_half_width(f);
  const ImU32 marker_fill = IM_COL32(28, 28, 34, 255), marker_edge = IM_COL32(250, 250, 250, 220);
  for (uint32_t l = l0; l < l1; ++l) {
    const float y = top + float(l) * f.m.row_h;
    if (!f.row_visible(y, f.m.row_h)) continue;
    f.stats.rows++;
    const bool mouse_row = f.mouse_in_plot && f.mouse.y >= y && f.mouse.y < y + f.m.row_h;
    auto start_of = [&](uint32_t p) { return inst[p].start; };
    auto end_of = [&](uint32_t p) { return inst[p].end; };
    fold_row(ot.lane_begin[l], ot.lane_begin[l + 1], start_of, end_of, v, kMinPx, kGapPx, [&](const RowItem& it) {
      const float x0 = f.sx(std::max(it.x0, -4.0));
      float x1 = f.sx(std::min(it.x1, double(f.plot_w) + 4.0));
      if (x1 - x0 < 1.0f) x1 = x0 + 1.0f;
      const ObjectInstance& o = inst[it.first];
      ImU32 col = it.count == 1 ? label_color(*f.index, o.label) : fold_color();
      if (active && (it.count != 1 || !(*f.hl->mark)[o.label])) col = dim_color(col);
      f.dl->AddRectFilled(ImVec2(x0, y + 2), ImVec2(x1, y + f.m.row_h - 2), col, 2.0f);
      if (it.count == 1) {
        if (x1 - x0 >= f.text_h * 1.6f) {
          // "name  id", or "name  scope:id", each cut to what can show (a name may be megabytes,
          // or hold "##" or NUL).
          const float room = x1 - x0;
          const std::string_view name = f.trace->name_of(o.label), id = f.trace->str(o.id);
          const std::string_view shown = fit_text(name, room, f.text_h);
          std::string text(shown);
          if (shown.size() == name.size() && !id.empty()) {
            text += "  ";
            bool whole = true;  // the scope, when there is one, showed whole: the id follows
            if (o.scope != kNoStr) {
              const std::string_view scope = f.trace->str(o.scope);
              const std::string_view fitted = fit_text(scope, room, f.text_h);
              text += fitted;
              whole = fitted.size() == scope.size();
              if (whole) text += ":";
            }
            if (whole) text += fit_text(id, room, f.text_h);
          }
          row_text(f, x0, x1, y, text, col);
        }
      } else {
        draw_fold(f, x0, x1, y, it.count, col);
      }
      f.stats.items++;
      if (mouse_row && item_contains(it, double(f.mouse.x - f.plot_x), 1.0)) {
        f.hover = it.count == 1 ? object_pick(*f.index, t.group, it.first) : Pick{};
        if (it.count != 1) {
          f.hover.kind = PickKind::Fold;
          f.hover.group = t.group;  // a fold of objects, not of slices
          f.hover.count = it.count;
          f.hover.t0 = it.t0;
          f.hover.t1 = it.t1;
        }
        f.hover_row_y = y;
      }
    });
    // Snapshots: one marker per pixel column at most; the mouse picks the nearest marker.
    const auto [s0, s1] = ot.lane_snapshots(l);
    if (s0 == s1) continue;
    auto ts_of = [&](uint32_t k) { return f.trace->objects[ot.snapshots[k]].ts; };
    const double margin = double(hw) + 1.0;
    uint32_t k = row_first_starting_at_or_after(s0, s1, v.time_at(-margin), ts_of);
    const Time right = v.time_at(double(f.plot_w) + margin) + 1;
    const double mx = double(f.mouse.x - f.plot_x);
    double best = double(hw) + 0.5;
    while (k < s1) {
      const Time ts = ts_of(k);
      if (ts > right) break;
      const double x = v.x_of(ts);
      const uint32_t next = row_gallop_starting_at_or_after(k + 1, s1, v.time_at(std::floor(x) + 1.0) + 1, ts_of);
      const float sx = f.sx(x), cy = y + f.m.row_h * 0.5f, r = f.m.row_h * 0.5f - 2.0f;
      f.dl->AddQuadFilled(ImVec2(sx, cy - r), ImVec2(sx + hw, cy), ImVec2(sx, cy + r), ImVec2(sx - hw, cy),
                          active ? dim_color(marker_fill) : marker_fill);
      f.dl->AddQuad(ImVec2(sx, cy - r), ImVec2(sx + hw, cy), ImVec2(sx, cy + r), ImVec2(sx - hw, cy), marker_edge, 1.0f);
      f.stats.items++;
      if (mouse_row && std::fabs(mx - x) <= best) {
        best = std::fabs(mx - x);
        f.hover = snapshot_pick(*f.index, t.group, k);
        f.hover.count = next - k;
        f.hover.t1 = ts_of(next - 1);
        f.hover_row_y = y;
      }
      k = next;
    }
  }
  if (capped(t) && r1 == t.rows) {
    draw_hidden_lanes(f, t, p.objects_hidden, 1, [&](Time t0, Time t1) {
      uint32_t n = 0;
      for (uint32_t l = shown; l < ot.lanes(); ++l) {
        n += row_count_overlapping(ot.lane_begin[l], ot.lane_begin[l + 1], [&](uint32_t i) { return inst[i].start; },
                                   [&](uint32_t i) { return inst[i].end; }, t0, t1);
      }
      return n;
    });
  }
}

void draw_counter_track(Frame& f, const LaidTrack& t) {
  const float top = f.tracks_y + t.y;
  if (!f.row_visible(top, t.h)) return;
  const Counter& c = f.trace->counters[t.id];
  if (c.series.empty() || c.ts.empty()) return;
  const bool stacked = c.series.size() > 1 && !(t.id < f.st->overlaid.size() && f.st->overlaid[t.id]);
  if (stacked) f.index->ensure_stacked(t.id);
  const CounterIndex& ci = f.index->counter(t.id);
  const auto& pyr = stacked ? ci.stacked_series : ci.series;
  ValueScale sc;
  sc.top = top + 2;
  sc.bottom = top + t.h - 1;
  // The scale spans the finite values; an infinite one is drawn at the track's edge.
  double lo = 0, hi = 0;
  for (const MinMaxPyramid& p : pyr) {
    if (!std::isnan(p.finite_min())) lo = std::min(lo, p.finite_min());
    if (!std::isnan(p.finite_max())) hi = std::max(hi, p.finite_max());
  }
  sc.lo = lo;
  sc.hi = hi > lo ? hi : lo + 1;
  f.dl->AddLine(ImVec2(f.plot_x, sc.y(0)), ImVec2(f.plot_x + f.plot_w, sc.y(0)), to_u32(palette().text_dim) & 0x40ffffffu);
  // Each series costs a pass over the pixels, so a counter with many draws kMaxCounterBands - 1
  // of them (the largest; see counter_bands_shown). Stacked, the others are grey bands in their
  // places; overlaid, they are not drawn. The gutter's label says so.
  const std::vector<uint32_t>& shown = ci.bands;
  const float base = sc.y(0);
  auto draw_band = [&](size_t k, ImU32 col) {
    std::span<const double> vals = stacked ? std::span<const double>(ci.stacked[k]) : std::span<const double>(c.series[k].values);
    const ImU32 fill = (col & 0x00ffffffu) | (stacked ? 0xd0000000u : 0x50000000u);
    // Adjacent columns of equal min and max are one rectangle (a counter sampled more coarsely
    // than the pixels): the same pixels as one rectangle per column.
    const std::vector<CounterColumn> cols = counter_columns(c.ts, vals, pyr[k], f.trace->end, f.st->view, 1.0);
    for (const CounterRun& r : merge_counter_columns(cols, 1.0)) {
      const float x0 = f.sx(r.x0), x1 = f.sx(r.x1);
      const float ymx = sc.y(r.mx), ymn = sc.y(r.mn);
      f.dl->AddRectFilled(ImVec2(x0, std::min(ymx, base)), ImVec2(x1, std::max(ymx, base)), fill);
      f.dl->AddRectFilled(ImVec2(x0, ymx - 1), ImVec2(x1, std::max(ymn, ymx) + 1), col);
    }
  };
  if (!stacked) {
    for (uint32_t k : shown) draw_band(k, series_color(k));
  } else {
    // From the top band down, each painting over the ones above it: series k's band lies between
    // stacked[k-1] and stacked[k]. A run of series not shown is one grey band, painted from the
    // top of its highest series.
    const size_t n = pyr.size();
    if (shown.empty() || shown.back() != n - 1) draw_band(n - 1, fold_color());
    for (size_t j = shown.size(); j-- > 0;) {
      const uint32_t k = shown[j];
      draw_band(k, series_color(k));
      const bool below_hidden = k > 0 && (j == 0 || shown[j - 1] != k - 1);
      if (below_hidden) draw_band(k - 1, fold_color());
    }
  }
  // The scale: the largest value drawn, at the top left of the track.
  // On a backing of the window's colour: over a band's fill the dim text would not read.
  char scale[48];
  std::snprintf(scale, sizeof scale, "%.4g", sc.hi);
  const float scale_h = f.text_h * 0.85f;
  const float scale_w = ImGui::CalcTextSize(scale).x * scale_h / ImGui::GetFontSize();
  f.dl->AddRectFilled(ImVec2(f.plot_x + 2, top + 1), ImVec2(f.plot_x + 6 + scale_w, top + 1 + scale_h),
                      ImGui::GetColorU32(ImGuiCol_WindowBg, 0.8f), 2.0f);
  f.dl->AddText(ImGui::GetFont(), scale_h, ImVec2(f.plot_x + 4, top + 1), to_u32(palette().text_dim), scale);
  f.stats.rows++;
  if (f.mouse_in_plot && f.mouse.y >= top && f.mouse.y < top + t.h) {
    f.hover = Pick{};
    f.hover.kind = PickKind::Counter;
    f.hover.index = t.id;
    f.hover_row_y = top;
  }
}

}  // namespace vz::tl
