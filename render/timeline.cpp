// The timeline panel: frame layout, input, time axis, scrollbars, overlays. See timeline.h.
#include "render/timeline.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/name_lookup.h"
#include "render/stats_panel.h"
#include "render/theme.h"
#include "render/timeline_internal.h"

namespace vz {

// ---------------------------------------------------------------------------------------------
// Colours
// ---------------------------------------------------------------------------------------------

uint32_t label_color(const ViewIndex& index, uint32_t label) {
  if (const uint8_t c = index.trace().labels[label].color) return chrome_color_u32(c);
  return hash_color(index.label_hue(label));
}

uint32_t chrome_color_u32(uint8_t color) {
  const uint32_t rgb = chrome_color_rgb(color);
  return IM_COL32(rgb >> 16, (rgb >> 8) & 0xff, rgb & 0xff, 255);
}

uint32_t hash_color(uint32_t h) {
  const bool dark = current_theme() == ThemeKind::Dark;
  const float hue = float(h & 0xffff) / 65536.0f;
  const float sat = (dark ? 0.42f : 0.38f) + float((h >> 16) & 0xff) / 255.0f * 0.22f;
  const float val = (dark ? 0.70f : 0.86f) + float((h >> 24) & 0xff) / 255.0f * 0.14f;
  float r, g, b;
  ImGui::ColorConvertHSVtoRGB(hue, sat, val, r, g, b);
  return ImGui::ColorConvertFloat4ToU32(ImVec4(r, g, b, 1.0f));
}

namespace tl {

uint32_t dim_color(uint32_t c) {
  ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  const float grey = (v.x + v.y + v.z) / 3.0f;
  const float bg = current_theme() == ThemeKind::Dark ? 0.18f : 0.9f;
  v.x = v.y = v.z = grey * 0.3f + bg * 0.7f;
  return ImGui::ColorConvertFloat4ToU32(v);
}

uint32_t darker(uint32_t c, float k) {
  ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  v.x *= k;
  v.y *= k;
  v.z *= k;
  return ImGui::ColorConvertFloat4ToU32(v);
}

uint32_t text_on(uint32_t c) {
  const ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
  const float lum = 0.299f * v.x + 0.587f * v.y + 0.114f * v.z;
  return lum > 0.55f ? IM_COL32(16, 16, 20, 255) : IM_COL32(245, 245, 245, 255);
}

uint32_t fold_color() {
  return current_theme() == ThemeKind::Dark ? IM_COL32(96, 104, 122, 255) : IM_COL32(150, 158, 175, 255);
}

uint32_t series_color(uint32_t k) {
  static const ImU32 kSeries[] = {IM_COL32(86, 156, 214, 255),  IM_COL32(220, 140, 60, 255),
                                  IM_COL32(106, 190, 110, 255), IM_COL32(200, 90, 140, 255),
                                  IM_COL32(170, 140, 220, 255), IM_COL32(90, 190, 190, 255),
                                  IM_COL32(210, 200, 90, 255),  IM_COL32(160, 120, 90, 255)};
  return kSeries[k % (sizeof(kSeries) / sizeof(kSeries[0]))];
}

}  // namespace tl

// ---------------------------------------------------------------------------------------------
// View helpers
// ---------------------------------------------------------------------------------------------

void fit_timeline(const Trace& trace, TimelineState& st, float width_px) {
  const Time t0 = st.has_bounds ? st.bound_t0 : trace.start;
  const Time t1 = st.has_bounds ? st.bound_t1 : trace.end;
  const Time span = std::max<Time>(t1 - t0, 1000);
  const Time pad = span / 50;
  st.view.fit(t0 - pad, t0 + span + pad, std::max(width_px, 1.0f));
  st.fitted = true;
}

Time timeline_origin(const Trace& trace, const TimelineState& st) {
  return st.has_axis_origin ? st.axis_origin : trace.start;
}

void zoom_timeline_to(TimelineState& st, Time t0, Time t1) {
  if (t1 < t0) std::swap(t0, t1);
  Time span = std::max<Time>(t1 - t0, 1);
  const Time pad = std::max<Time>(span / 12, 1);
  st.view.fit(t0 - pad, t1 + pad, std::max(st.view.width(), 1.0));
}

Pick object_pick(const ViewIndex& index, uint32_t group, uint32_t instance) {
  const ObjectInstance& o = index.processes()[group].objects.instances[instance];
  Pick p;
  p.kind = PickKind::Object;
  p.group = group;
  p.index = instance;
  p.count = 1;
  p.t0 = o.start;
  p.t1 = o.end;
  return p;
}

Pick snapshot_pick(const ViewIndex& index, uint32_t group, uint32_t snap) {
  const Trace& tr = index.trace();
  Pick p;
  p.kind = PickKind::Snapshot;
  p.group = group;
  p.index = snap;
  p.count = 1;
  p.t0 = p.t1 = tr.objects[index.processes()[group].objects.snapshots[snap]].ts;
  return p;
}

// The longest slice named `name` (nested sets of every thread), else the longest async slice so
// named, or an empty pick.
Pick longest_named(const Trace& t, std::string_view name) {
  const std::vector<uint8_t> mark = labels_named(t, name);
  Pick best;
  if (mark.empty()) return best;
  Time best_dur = -1;
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    const SliceSet& s = t.threads[th].slices;
    for (uint32_t i = 0; i < s.size(); ++i) {
      if (mark[s.label[i]] && s.dur[i] > best_dur) {
        best_dur = s.dur[i];
        best = Pick{PickKind::Slice, th, 0, i};
      }
    }
  }
  for (uint32_t i = 0; best.kind != PickKind::Slice && i < t.async_slices.size(); ++i) {
    const AsyncSlice& a = t.async_slices[i];
    if (a.label < mark.size() && mark[a.label] && a.dur > best_dur) {
      best_dur = a.dur;
      best = Pick{PickKind::Async, kNone, 0, i};
    }
  }
  return best;
}

Pick first_object_named(const ViewIndex& index, std::string_view name) {
  const auto& groups = index.processes();
  for (uint32_t g = 0; g < groups.size(); ++g) {
    const ObjectTracks& ot = groups[g].objects;
    for (uint32_t i = 0; i < ot.instances.size(); ++i) {
      const ObjectInstance& o = ot.instances[i];
      if (index.trace().name_of(o.label) != name) continue;
      return o.snap_count > 0 ? snapshot_pick(index, g, o.snap_begin) : object_pick(index, g, i);
    }
  }
  // Else the first async mark so named that is drawn (on a slice).
  const auto& marks = index.trace().async_marks;
  for (uint32_t m = 0; m < marks.size(); ++m) {
    if (index.async_mark_slice(m) == kNone || index.trace().name_of(marks[m].label) != name) continue;
    Pick p;
    p.kind = PickKind::AsyncMark;
    p.index = m;
    return p;
  }
  return Pick{};
}

bool pick_range(const Trace& tr, const Pick& p, Time* t0, Time* t1) {
  switch (p.kind) {
    case PickKind::Slice: {
      const SliceSet& s = p.set == 0 ? tr.threads[p.thread].slices : tr.threads[p.thread].overflow;
      *t0 = s.start[p.index];
      *t1 = s.end(p.index);
      return true;
    }
    case PickKind::Async:
      *t0 = tr.async_slices[p.index].start;
      *t1 = *t0 + tr.async_slices[p.index].dur;
      return true;
    case PickKind::Fold:
    case PickKind::Object:
    case PickKind::Snapshot:
      *t0 = p.t0;
      *t1 = p.t1;
      return true;
    case PickKind::Instant: {
      const Instant& in = p.scope == Scope::Thread ? tr.threads[p.thread].instants[p.index]
                          : p.scope == Scope::Process ? tr.process_instants[p.index]
                                                      : tr.global_instants[p.index];
      *t0 = *t1 = in.ts;
      return true;
    }
    case PickKind::AsyncMark:
      *t0 = *t1 = tr.async_marks[p.index].ts;
      return true;
    default: return false;
  }
}

namespace {

using tl::Frame;

// Pixel sizes of the panel's chrome.
struct Chrome {
  float gutter = 0, axis = 0, hbar = 0, vbar = 0;
};

// Keyboard shortcuts of the panel.
void handle_keys(TimelineState& st, double mouse_x, bool mouse_in) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput || io.KeyCtrl || io.KeyAlt) return;
  const double anchor = mouse_in ? mouse_x : st.view.width() / 2;
  const float dt = std::min(io.DeltaTime, 0.1f);
  auto down = [](int c) { return ImGui::IsKeyDown(c); };
  auto pressed = [](int c) { return ImGui::IsKeyPressed(c, false); };
  if (down('W')) st.view.zoom_at(anchor, std::pow(0.02, dt));
  if (down('S')) st.view.zoom_at(anchor, std::pow(50.0, dt));
  if (down('A')) st.view.pan_px(-st.view.width() * 1.2 * dt);
  if (down('D')) st.view.pan_px(st.view.width() * 1.2 * dt);
  if (pressed('0') || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) st.want_fit = true;
  if (pressed('F')) st.want_zoom_selection = true;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false)) {
    if (st.selected.kind != PickKind::None) {
      st.selected = Pick{};
      st.selection_changed = true;
    } else if (st.has_range) {
      st.has_range = false;
      st.range_changed = true;
    }
  }
}

// Applies requests made from outside the panel or by keys (fit, zoom to selection, focus).
void apply_requests(const Trace& tr, TimelineState& st) {
  if (st.want_fit) fit_timeline(tr, st, float(st.view.width()));
  st.want_fit = false;
  if (st.want_zoom_selection) {
    Time t0, t1;
    if (st.selected.kind != PickKind::None && pick_range(tr, st.selected, &t0, &t1)) {
      zoom_timeline_to(st, t0, t1);
    } else if (st.has_range) {
      zoom_timeline_to(st, st.range_t0, st.range_t1);
    }
  }
  st.want_zoom_selection = false;
  if (st.focus_t1 > st.focus_t0 || (st.focus_t1 == st.focus_t0 && st.focus_t0 != 0)) {
    zoom_timeline_to(st, st.focus_t0, st.focus_t1);
    st.focus_t0 = st.focus_t1 = 0;
  }
}

void draw_axis(Frame& f, const Chrome& c, float top) {
  const Trace& tr = *f.trace;
  const Palette& p = palette();
  const float bottom = top + c.axis;
  f.dl->AddRectFilled(ImVec2(f.plot_x - c.gutter, top), ImVec2(f.plot_x + f.plot_w + c.vbar, bottom),
                      to_u32(p.status_bg));
  const ImU32 line = to_u32(p.text_dim);
  // A label reaching past the plot's right edge ends at the edge instead, unless that would
  // touch the label before it.
  const float right = f.plot_x + f.plot_w - 2;
  float last_end = -1e30f;
  for (const AxisTick& t : axis_ticks(f.st->view, timeline_origin(tr, *f.st), f.text_h * 7.0f)) {
    const float x = f.sx(t.x);
    if (t.major) {
      f.dl->AddLine(ImVec2(x, top + c.axis * 0.45f), ImVec2(x, bottom), line);
      const float w = ImGui::CalcTextSize(t.label.c_str()).x;
      float lx = x + 3;
      if (lx + w > right) lx = right - w;
      if (lx > last_end + 4) {
        f.dl->AddText(ImVec2(lx, top + 2), to_u32(p.text), t.label.c_str());
        last_end = lx + w;
      }
      f.dl->AddLine(ImVec2(x, bottom), ImVec2(x, f.clip_y1), (line & 0x00ffffffu) | 0x22000000u);
    } else {
      f.dl->AddLine(ImVec2(x, bottom - c.axis * 0.22f), ImVec2(x, bottom), line);
    }
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, "%s / px", format_time_span(f.st->view.ns_per_px(), 3).c_str());
  f.dl->AddText(ImVec2(f.plot_x - c.gutter + f.text_h * 0.5f, top + 2), to_u32(p.text_dim), buf);
}

// The selected range: a band over the tracks and its length on the axis.
void draw_range(Frame& f, const Chrome& c, float axis_top) {
  const TimelineState& st = *f.st;
  if (!st.has_range) return;
  const float x0 = f.sx(std::clamp(st.view.x_of(st.range_t0), -2.0, double(f.plot_w) + 2));
  const float x1 = f.sx(std::clamp(st.view.x_of(st.range_t1), -2.0, double(f.plot_w) + 2));
  const ImU32 acc = to_u32(palette().accent);
  f.dl->AddRectFilled(ImVec2(x0, axis_top), ImVec2(std::max(x1, x0 + 1), f.clip_y1), (acc & 0x00ffffffu) | 0x26000000u);
  f.dl->AddLine(ImVec2(x0, axis_top), ImVec2(x0, f.clip_y1), acc);
  f.dl->AddLine(ImVec2(x1, axis_top), ImVec2(x1, f.clip_y1), acc);
  const std::string len = format_time_span(double(st.range_t1 - st.range_t0), 4);
  const ImVec2 sz = ImGui::CalcTextSize(len.c_str());
  const float cx = std::clamp((x0 + x1) * 0.5f - sz.x * 0.5f, f.plot_x, f.plot_x + f.plot_w - sz.x);
  const float y = axis_top + c.axis - sz.y - 2;
  f.dl->AddRectFilled(ImVec2(cx - 4, y - 1), ImVec2(cx + sz.x + 4, y + sz.y + 1), acc, 3.0f);
  f.dl->AddText(ImVec2(cx, y), tl::text_on(acc), len.c_str());
}

// The hover cursor: a line over the tracks and the time (relative and absolute) on the axis.
void draw_cursor(Frame& f, const Chrome& c, float axis_top) {
  TimelineState& st = *f.st;
  st.hover_valid = false;
  if (!f.mouse_in_plot && !(f.mouse.y >= axis_top && f.mouse.y < axis_top + c.axis && f.mouse.x >= f.plot_x &&
                            f.mouse.x < f.plot_x + f.plot_w)) {
    // Not hovered: the other run's cursor, when a synchronized view passes one in.
    if (st.has_cursor) {
      const double x = st.view.x_of(st.cursor_t);
      if (x >= 0 && x <= f.plot_w) {
        const ImU32 col = to_u32(palette().accent) & 0xb0ffffffu;
        f.dl->AddLine(ImVec2(f.sx(x), axis_top), ImVec2(f.sx(x), f.clip_y1), col, 1.5f);
      }
    }
    return;
  }
  const Trace& tr = *f.trace;
  const double vx = f.mouse.x - f.plot_x;
  const Time t = st.view.time_at(vx);
  st.hover_valid = true;
  st.hover_t = t;
  f.dl->AddLine(ImVec2(f.mouse.x, axis_top), ImVec2(f.mouse.x, f.clip_y1), to_u32(palette().text_dim) & 0x80ffffffu);
  const Time step = std::max<Time>(1, axis_step(f.st->view.ns_per_px(), 1.0) / 10);
  const Time abs_ns = t;  // relative to origin_us
  const long long us_whole = (long long)(tr.origin_us + abs_ns / 1000 - (abs_ns % 1000 < 0 ? 1 : 0));
  const long long ns_frac = (long long)(((abs_ns % 1000) + 1000) % 1000);
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s   ts %lld.%03lld \xc2\xb5s", format_tick(t - timeline_origin(tr, *f.st), step).c_str(), us_whole,
                ns_frac);
  const ImVec2 sz = ImGui::CalcTextSize(buf);
  const float x = std::clamp(f.mouse.x + 8, f.plot_x, f.plot_x + f.plot_w - sz.x - 6);
  const float y = axis_top + c.axis * 0.5f - 1;
  f.dl->AddRectFilled(ImVec2(x - 3, y), ImVec2(x + sz.x + 3, y + sz.y + 1), to_u32(palette().card_bg), 3.0f);
  f.dl->AddText(ImVec2(x, y), to_u32(palette().text), buf);
}

// Horizontal scrollbar over the trace's extent; returns true while it is being dragged.
void draw_hscrollbar(Frame& f, const Chrome& c, float y) {
  TimelineState& st = *f.st;
  const Trace& tr = *f.trace;
  const Time b0 = st.has_bounds ? st.bound_t0 : tr.start, b1 = st.has_bounds ? st.bound_t1 : tr.end;
  const double span = std::max<double>(double(b1 - b0), 1000.0);
  const double lo = double(b0) - span * 0.1, hi = double(b1) + span * 0.1;
  const float w = f.plot_w;
  ImGui::SetCursorScreenPos(ImVec2(f.plot_x, y));
  ImGui::InvisibleButton("##hbar", ImVec2(std::max(w, 1.0f), c.hbar));
  const double vl = double(st.view.left()) + st.view.left_frac();
  const double vr = vl + st.view.span();
  const float tx0 = f.plot_x + float((std::max(vl, lo) - lo) / (hi - lo)) * w;
  const float tx1 = std::max(tx0 + 8.0f, f.plot_x + float((std::min(vr, hi) - lo) / (hi - lo)) * w);
  if (ImGui::IsItemActive() && ImGui::GetIO().MouseDelta.x != 0) {
    st.view.pan_px(ImGui::GetIO().MouseDelta.x * (hi - lo) / w / st.view.ns_per_px());
  } else if (ImGui::IsItemClicked() && (f.mouse.x < tx0 || f.mouse.x > tx1)) {
    st.view.pan_px(f.mouse.x < tx0 ? -st.view.width() * 0.9 : st.view.width() * 0.9);
  }
  const ImU32 bg = ImGui::GetColorU32(ImGuiCol_ScrollbarBg);
  const ImU32 grab = ImGui::GetColorU32(ImGui::IsItemActive()    ? ImGuiCol_ScrollbarGrabActive
                                        : ImGui::IsItemHovered() ? ImGuiCol_ScrollbarGrabHovered
                                                                 : ImGuiCol_ScrollbarGrab);
  f.dl->AddRectFilled(ImVec2(f.plot_x, y), ImVec2(f.plot_x + w, y + c.hbar), bg);
  f.dl->AddRectFilled(ImVec2(tx0, y + 2), ImVec2(tx1, y + c.hbar - 2), grab, c.hbar * 0.5f);
}

// Vertical scrollbar of the track area.
void draw_vscrollbar(Frame& f, const Chrome& c, float total_h) {
  TimelineState& st = *f.st;
  const float x = f.plot_x + f.plot_w, y0 = f.clip_y0, h = f.clip_y1 - f.clip_y0;
  ImGui::SetCursorScreenPos(ImVec2(x, y0));
  ImGui::InvisibleButton("##vbar", ImVec2(c.vbar, std::max(h, 1.0f)));
  const ImU32 bg = ImGui::GetColorU32(ImGuiCol_ScrollbarBg);
  f.dl->AddRectFilled(ImVec2(x, y0), ImVec2(x + c.vbar, y0 + h), bg);
  if (total_h <= h) return;
  const float ty0 = y0 + st.scroll_y / total_h * h;
  const float ty1 = std::max(ty0 + 12.0f, y0 + (st.scroll_y + h) / total_h * h);
  if (ImGui::IsItemActive() && ImGui::GetIO().MouseDelta.y != 0) {
    st.scroll_y += ImGui::GetIO().MouseDelta.y * total_h / h;
  } else if (ImGui::IsItemClicked() && (f.mouse.y < ty0 || f.mouse.y > ty1)) {
    st.scroll_y += (f.mouse.y < ty0 ? -h : h) * 0.9f;
  }
  const ImU32 grab = ImGui::GetColorU32(ImGui::IsItemActive()    ? ImGuiCol_ScrollbarGrabActive
                                        : ImGui::IsItemHovered() ? ImGuiCol_ScrollbarGrabHovered
                                                                 : ImGuiCol_ScrollbarGrab);
  f.dl->AddRectFilled(ImVec2(x + 2, ty0), ImVec2(x + c.vbar - 2, ty1), grab, c.vbar * 0.5f);
}

// Names in the gutter, process headers across the full width, and the group toggles.
void draw_gutter_and_headers(Frame& f, const Chrome& c, const std::vector<LaidTrack>& tracks, size_t from,
                             size_t to) {
  const Trace& tr = *f.trace;
  const Palette& p = palette();
  const float gx = f.plot_x - c.gutter;
  const float pad = f.text_h * 0.5f;
  for (size_t i = from; i < to; ++i) {
    const LaidTrack& t = tracks[i];
    const float y = f.tracks_y + t.y;
    if (!f.row_visible(y, t.h)) continue;
    std::string label;
    if (t.kind == TrackKind::Header) {
      const Process& pr = tr.processes[t.id];
      const bool collapsed = t.group < f.st->collapsed.size() && f.st->collapsed[t.group];
      f.dl->AddRectFilled(ImVec2(gx, y), ImVec2(f.plot_x + f.plot_w, y + t.h), to_u32(p.card_bg));
      const float r = t.h * 0.22f, cx = gx + pad + r, cy = y + t.h * 0.5f;
      if (collapsed) {
        f.dl->AddTriangleFilled(ImVec2(cx - r * 0.6f, cy - r), ImVec2(cx + r, cy), ImVec2(cx - r * 0.6f, cy + r), to_u32(p.text_dim));
      } else {
        f.dl->AddTriangleFilled(ImVec2(cx - r, cy - r * 0.6f), ImVec2(cx + r, cy - r * 0.6f), ImVec2(cx, cy + r), to_u32(p.text_dim));
      }
      FontScope bold(fonts().bold);
      // Names and ids are cut to what can show before the row's right edge (a 1 MB process name).
      const float lx = cx + r + pad, room = f.plot_x + f.plot_w - lx;
      label = pr.name ? std::string(fit_text(tr.str(pr.name), room)) + "  (pid " + std::string(fit_text(tr.str(pr.pid), room)) + ")"
                      : "Process " + std::string(fit_text(tr.str(pr.pid), room));
      const size_t nthreads = f.index->processes()[t.group].threads.size();
      size_t listed = nthreads;  // filtered: the threads laid out after this header
      if (!f.st->track_filter.empty() && !collapsed) {
        listed = 0;
        for (size_t j = i + 1; j < tracks.size() && tracks[j].kind != TrackKind::Header; ++j)
          listed += tracks[j].kind == TrackKind::Thread;
      }
      label += "   " + (listed < nthreads ? std::to_string(listed) + " of " : std::string()) + std::to_string(nthreads) +
               (nthreads == 1 ? " thread" : " threads");
      const std::string_view shown = fit_text(label, room);
      f.dl->AddText(ImVec2(lx, y + (t.h - f.text_h) * 0.5f - 1), to_u32(p.text), shown.data(), shown.data() + shown.size());
      continue;
    }
    const ImVec4 clip(gx, y, f.plot_x - 2, y + t.h);
    const float room = f.plot_x - 2 - (gx + pad);  // names are cut to what the gutter can show
    auto fit = [&](StrId id) { return std::string(fit_text(tr.str(id), room, f.text_h)); };
    ImU32 col = to_u32(p.text);
    if (t.kind == TrackKind::Thread) {
      // A folded track says so, and keeps room for that when a long name is cut.
      const Thread& th = tr.threads[t.id];
      const std::string fold = t.rows < t.all_rows ? "  folded, " + format_count(t.all_rows) + " rows" : "";
      const float fold_w = ImGui::CalcTextSize(fold.c_str()).x * f.text_h / ImGui::GetFontSize();
      const float name_room = std::max(room * 0.4f, room - fold_w);
      // A named track whose tid is no OS thread's (over 10 digits: an asyncio task's track,
      // numbered by the task's address) shows its name alone; the details panel has the tid.
      const std::string_view tid = tr.str(th.tid);
      const bool pseudo = tid.size() > 10 && tid.find_first_not_of("0123456789") == std::string_view::npos;
      label = th.name ? fit(th.name) + (pseudo ? std::string() : " " + fit(th.tid)) : "Thread " + fit(th.tid);
      label = std::string(fit_text(label, name_room, f.text_h)) + fold;
    } else if (t.kind == TrackKind::Async || t.kind == TrackKind::Objects) {
      // A click on the name caps the lanes or shows them all: the count says so, and keeps its
      // room when a long name is cut.
      std::string lanes;
      if (t.lanes > kLaneCap) {
        lanes = capped(t) ? "  " + std::to_string(t.rows) + " of " + format_count(t.lanes) + " lanes"
                          : "  " + format_count(t.lanes) + " lanes";
      }
      const float lanes_w = ImGui::CalcTextSize(lanes.c_str()).x * f.text_h / ImGui::GetFontSize();
      const float name_room = std::max(room * 0.4f, room - lanes_w);
      if (t.kind == TrackKind::Objects) {
        label = "Objects";
      } else {  // a name's track, or the one of the names without their own
        const ProcessTracks& pt = f.index->processes()[t.group];
        const StrId name = f.index->async_tracks()[t.id].name;
        label = name != kNoStr ? std::string(fit_text(tr.str(name), name_room, f.text_h))
                : pt.async_end - pt.async_begin > 1 ? "Other async" : "Async";
      }
      col = to_u32(p.text_dim);
      label += lanes;
      // The name stays at the top of the view while the track fills it (thousands of lanes shown):
      // it says what the rows are and is what to click to cap them again.
      const float ly = std::clamp(f.clip_y0, y, std::max(y, y + t.h - f.m.row_h));
      const std::string_view shown = fit_text(label, room, f.text_h);
      f.dl->AddText(ImGui::GetFont(), f.text_h, ImVec2(gx + pad, ly + 1), col, shown.data(),
                    shown.data() + shown.size(), 0, &clip);
      continue;
    } else {
      const Counter& cn = tr.counters[t.id];
      label = fit_text(counter_name(tr, cn), room, f.text_h);
      if (cn.split && !cn.series.empty()) label += " " + fit(cn.series[0].key);
      if (cn.series.size() > 1) {
        const bool overlaid = t.id < f.st->overlaid.size() && f.st->overlaid[t.id];
        const size_t n = cn.series.size();
        const CounterIndex& ci = f.index->counter(t.id);
        const std::vector<uint32_t>& bands = ci.bands;
        if (bands.size() == n) {
          label += overlaid ? "  (overlaid)" : "  (stacked)";
        } else {  // the largest series only: the legend says how many others there are
          label += (overlaid ? "  (overlaid: " : "  (stacked: ") + std::to_string(bands.size()) + " of " +
                   std::to_string(n) + ")";
        }
        // Legend: one swatch per series drawn under the name, then the others' (grey bands, stacked).
        float ly = y + f.text_h + 4;
        for (size_t j = 0; j <= bands.size() && ly + f.text_h <= y + t.h + 2; ++j, ly += f.text_h) {
          const bool rest = j == bands.size();
          if (rest && bands.size() == n) break;
          const uint32_t k = rest ? 0 : bands[j];
          f.dl->AddRectFilled(ImVec2(gx + pad, ly + 3), ImVec2(gx + pad + f.text_h * 0.6f, ly + f.text_h - 3),
                              rest ? tl::fold_color() : tl::series_color(k));
          if (rest) {
            const std::string others = std::to_string(n - bands.size()) + (overlaid ? " others, not drawn" : " others");
            f.dl->AddText(ImGui::GetFont(), f.text_h * 0.9f, ImVec2(gx + pad + f.text_h, ly), to_u32(p.text_dim),
                          others.data(), others.data() + others.size(), 0, &clip);
            break;
          }
          const std::string_view key = fit_text(tr.str(cn.series[k].key), room - f.text_h, f.text_h * 0.9f);
          f.dl->AddText(ImGui::GetFont(), f.text_h * 0.9f, ImVec2(gx + pad + f.text_h, ly), to_u32(p.text_dim),
                        key.data(), key.data() + key.size(), 0, &clip);
        }
      }
    }
    const std::string_view shown = fit_text(label, room, f.text_h);
    f.dl->AddText(ImGui::GetFont(), f.text_h, ImVec2(gx + pad, y + 1), col, shown.data(), shown.data() + shown.size(),
                  0, &clip);
  }
}

// Where an async slice, object or snapshot pick lies: its track's kind, group and lane.
struct PickLane {
  TrackKind kind = TrackKind::Async;
  uint32_t group = kNone;  // kNone: not such a pick
  uint32_t track = 0;      // Async: the ViewIndex::async_tracks() index
  uint32_t lane = 0;
};
PickLane pick_lane(const ViewIndex& index, const Pick& pk) {
  PickLane out;
  if (pk.kind == PickKind::Async || pk.kind == PickKind::AsyncMark) {  // (a mark: its slice's)
    const uint32_t slice = pk.kind == PickKind::Async ? pk.index : index.async_mark_slice(pk.index);
    if (slice == kNone) return out;
    const ViewIndex::AsyncPlace ap = index.async_place(slice);
    if (ap.track == kNone) return out;
    out.group = index.group_of_process(index.async_tracks()[ap.track].process);
    out.track = ap.track;
    out.lane = ap.lane;
  } else if (pk.kind == PickKind::Object || pk.kind == PickKind::Snapshot) {
    if (pk.group >= index.processes().size()) return out;
    const ObjectTracks& ot = index.processes()[pk.group].objects;
    const uint32_t inst = pk.kind == PickKind::Object ? pk.index : ot.instance_of_snapshot(pk.index);
    if (inst >= ot.instances.size()) return out;
    out.kind = TrackKind::Objects;
    out.group = pk.group;
    out.lane = ot.instances[inst].lane;
  }
  return out;
}

// The laid-out track a PickLane is in, or null (its group is collapsed).
const LaidTrack* lane_track(const std::vector<LaidTrack>& tracks, const PickLane& pl) {
  auto it = std::find_if(tracks.begin(), tracks.end(), [&](const LaidTrack& l) {
    return l.kind == pl.kind && l.group == pl.group && (l.kind != TrackKind::Async || l.id == pl.track);
  });
  return it == tracks.end() ? nullptr : &*it;
}

// The entry of `st` that lifts the lane cap of an Async track (key: its ViewIndex::async_tracks()
// index) or an Objects track (key: its group), made (0, capped) when missing.
uint8_t& all_lanes_entry(TimelineState& st, TrackKind kind, uint32_t key) {
  std::vector<uint8_t>& all = kind == TrackKind::Async ? st.all_async_lanes : st.all_object_lanes;
  if (all.size() <= key) all.resize(key + 1, 0);
  return all[key];
}

// Once per new selection of an async slice, object or snapshot: returns where it is (scrolled
// into view when it is off screen), and when it lies in a lane its track's cap hides, lifts the
// cap. Only once, so that the user can cap the track again while it stays selected (its outline
// is then on the summary row). Else returns a PickLane with no group.
PickLane reveal_selection(const ViewIndex& index, TimelineState& st) {
  if (st.revealed == st.selected) return {};
  st.revealed = st.selected;
  if (st.selected.kind == PickKind::Slice && st.selected.thread < st.folded_threads.size() &&
      st.folded_threads[st.selected.thread] &&
      tl::slice_row(index.trace().threads[st.selected.thread], st.selected.set, st.selected.index) > 0)
    st.folded_threads[st.selected.thread] = 0;  // a slice in a row its folded thread hides
  PickLane pl = pick_lane(index, st.selected);
  // A selection on a track the filter hides (a search match, --select): the filter goes.
  if (st.selected.kind == PickKind::Slice && st.selected.thread < index.trace().threads.size()) {
    const uint32_t th = st.selected.thread;
    if (!track_shown(index, TrackKind::Thread, th, index.trace().threads[th].process, st.track_filter))
      st.track_filter.clear();
  } else if (pl.group != kNone) {  // an async slice or object, by its lane's track
    const uint32_t process = index.processes()[pl.group].process;
    if (!track_shown(index, pl.kind, pl.kind == TrackKind::Async ? pl.track : process, process, st.track_filter))
      st.track_filter.clear();
  }
  if (pl.group == kNone) return pl;
  const bool async = pl.kind == TrackKind::Async;
  const uint32_t lanes = async ? uint32_t(index.async_tracks()[pl.track].lanes.size())
                               : index.processes()[pl.group].objects.lanes();
  uint8_t& all = all_lanes_entry(st, pl.kind, async ? pl.track : pl.group);
  const uint32_t rows = lane_rows(lanes, all);
  if (rows == lanes || pl.lane < rows - 1) return pl;  // in a lane shown
  all = 1;
  return pl;
}

// The outline of the selected thing and of the hovered slice.
void draw_outlines(Frame& f, const std::vector<LaidTrack>& tracks) {
  const Trace& tr = *f.trace;
  auto outline = [&](const Pick& pk, ImU32 col, float th) {
    float y = 0;
    if (pk.kind == PickKind::Slice) {
      const Thread& t = tr.threads[pk.thread];
      if (!tl::thread_row_screen_y(f, tracks, pk.thread, tl::slice_row(t, pk.set, pk.index), &y)) return;
    } else if (PickLane pl = pick_lane(*f.index, pk); pl.group != kNone) {
      // In a lane the cap hides (the user capped the track again after it was revealed): the
      // summary row, where the item is one of the things drawn.
      const LaidTrack* t = lane_track(tracks, pl);
      if (!t) return;
      y = f.tracks_y + row_y(*t, lane_row(*t, pl.lane), f.m);
    } else {
      return;
    }
    Time t0, t1;
    pick_range(tr, pk, &t0, &t1);
    float x0 = f.sx(std::clamp(f.st->view.x_of(t0), -4.0, double(f.plot_w) + 4));
    float x1 = std::max(x0 + 1, f.sx(std::clamp(f.st->view.x_of(t1), -4.0, double(f.plot_w) + 4)));
    if (pk.kind == PickKind::Snapshot || pk.kind == PickKind::AsyncMark) {  // around the marker
      const float w = tl::snapshot_half_width(f);
      x0 -= w;
      x1 = std::max(x1, x0 + 2 * w);
    }
    f.dl->AddRect(ImVec2(x0 - th * 0.5f, y + 1 - th * 0.5f), ImVec2(x1 + th * 0.5f, y + f.m.row_h - 1 + th * 0.5f), col,
                  0, 0, th);
  };
  if (f.hover.kind == PickKind::Object || f.hover.kind == PickKind::Snapshot) {
    outline(f.hover, to_u32(palette().text_dim), 1.5f);
  } else if (f.hover.kind == PickKind::Slice || f.hover.kind == PickKind::Async) {
    outline(f.hover, tl::darker(label_color(*f.index, f.hover.kind == PickKind::Slice
                                                         ? (f.hover.set == 0 ? tr.threads[f.hover.thread].slices
                                                                             : tr.threads[f.hover.thread].overflow)
                                                               .label[f.hover.index]
                                                         : tr.async_slices[f.hover.index].label),
                                0.45f),
            2.0f);
  }
  outline(f.st->selected, current_theme() == ThemeKind::Dark ? IM_COL32(255, 255, 255, 255) : IM_COL32(0, 0, 0, 255), 2.0f);
}

// Pans, selects ranges and handles clicks for the panel's main button.
void handle_mouse(Frame& f, const Chrome& c, float axis_top, const std::vector<LaidTrack>& tracks) {
  TimelineState& st = *f.st;
  ImGuiIO& io = ImGui::GetIO();
  const double vx = f.mouse.x - f.plot_x;
  if (ImGui::IsItemActivated()) {
    const bool on_axis = f.mouse.y < axis_top + c.axis;
    st.drag = on_axis ? TimelineState::Drag::Range : TimelineState::Drag::Pan;
    st.drag_x = f.mouse.x;
    st.drag_y = f.mouse.y;
    st.drag_anchor = st.view.time_at(vx);
    st.drag_moved = false;
  }
  if (ImGui::IsItemActive()) {
    if (std::fabs(f.mouse.x - st.drag_x) + std::fabs(f.mouse.y - st.drag_y) > 3.0) st.drag_moved = true;
    if (st.drag == TimelineState::Drag::Pan && st.drag_moved) {
      st.view.pan_px(-io.MouseDelta.x);
      st.scroll_y -= io.MouseDelta.y;
    } else if (st.drag == TimelineState::Drag::Range && st.drag_moved) {
      const Time t = st.view.time_at(std::clamp(vx, 0.0, double(f.plot_w)));
      st.has_range = true;
      st.range_t0 = std::min(st.drag_anchor, t);
      st.range_t1 = std::max(st.drag_anchor, t);
      st.range_changed = true;
    }
  }
  if (!ImGui::IsItemDeactivated()) return;
  const bool was_click = !st.drag_moved;
  st.drag = TimelineState::Drag::None;
  if (!was_click) return;
  if (f.mouse.y < axis_top + c.axis) {
    if (st.has_range) {
      st.has_range = false;
      st.range_changed = true;
    }
    return;
  }
  const TrackHit hit = hit_track(tracks, f.mouse.y - f.tracks_y, f.m);
  if (hit.track >= 0 && tracks[size_t(hit.track)].kind == TrackKind::Header) {
    const uint32_t g = tracks[size_t(hit.track)].group;
    if (st.collapsed.size() <= g) st.collapsed.resize(g + 1, 0);
    st.collapsed[g] ^= 1;
    return;
  }
  if (hit.track >= 0 && f.mouse.x < f.plot_x && tracks[size_t(hit.track)].lanes > kLaneCap) {
    // A click on an Async or Objects track's name shows all its lanes, or caps them again.
    const LaidTrack& t = tracks[size_t(hit.track)];
    all_lanes_entry(st, t.kind, t.kind == TrackKind::Async ? t.id : t.group) ^= 1;
    // Capped from somewhere down its lanes (the name stays in view): the track's top goes to the
    // top of the view, not thousands of rows further down.
    if (!capped(t)) st.scroll_y = std::min(st.scroll_y, t.y);
    return;
  }
  if (hit.track >= 0 && f.mouse.x < f.plot_x && tracks[size_t(hit.track)].kind == TrackKind::Thread &&
      tracks[size_t(hit.track)].all_rows > 1) {
    // A click on a thread's name folds its track to the top row (a deep call stack's rows push
    // the other threads down), or unfolds it.
    const LaidTrack& t = tracks[size_t(hit.track)];
    if (st.folded_threads.size() <= t.id) st.folded_threads.resize(t.id + 1, 0);
    st.folded_threads[t.id] ^= 1;
    if (st.folded_threads[t.id]) st.scroll_y = std::min(st.scroll_y, t.y);
    return;
  }
  if (hit.track >= 0 && tracks[size_t(hit.track)].kind == TrackKind::Counter && f.mouse.x < f.plot_x) {
    // A click on a counter's name switches its series between stacked and overlaid.
    const uint32_t c = tracks[size_t(hit.track)].id;
    if (st.overlaid.size() <= c) st.overlaid.resize(c + 1, 0);
    st.overlaid[c] ^= 1;
    return;
  }
  if (f.hover.kind == PickKind::Fold || (f.hover.kind == PickKind::Snapshot && f.hover.count > 1)) {
    zoom_timeline_to(st, f.hover.t0, f.hover.t1);
    return;
  }
  if (f.hover.kind == PickKind::Counter && f.mouse.x < f.plot_x) return;
  // Counters and the summary of hidden lanes are hovered for their tooltips, not selected.
  const Pick next = f.hover.kind == PickKind::Counter || f.hover.kind == PickKind::Lanes ? Pick{} : f.hover;
  if (!(next == st.selected)) {
    st.selected = next;
    st.selection_changed = true;
  }
}

// Wheel: zoom around the cursor; with Shift, or over the names, scroll the tracks.
void handle_wheel(Frame& f, bool hovered) {
  TimelineState& st = *f.st;
  ImGuiIO& io = ImGui::GetIO();
  if (!hovered || io.MouseWheel == 0) return;
  const bool over_names = f.mouse.x < f.plot_x;
  if (io.KeyShift || over_names) {
    st.scroll_y -= io.MouseWheel * f.m.row_h * 3.0f;
  } else {
    st.view.zoom_at(f.mouse.x - f.plot_x, std::pow(0.8, double(io.MouseWheel)));
  }
}

}  // namespace

void draw_timeline(ViewIndex& index, TimelineState& st, const TimelineHighlight& highlight) {
  const Trace& tr = index.trace();
  const float em = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  Chrome c;
  c.gutter = std::min(em * 14.0f, std::max(avail.x * 0.3f, 40.0f));
  c.axis = em * 2.1f;
  c.hbar = em * 0.75f;
  c.vbar = em * 0.75f;
  Frame f;
  f.dl = ImGui::GetWindowDrawList();
  f.index = &index;
  f.trace = &tr;
  f.st = &st;
  f.hl = &highlight;
  f.text_h = em;
  f.m.row_h = std::round(em * 1.3f);
  f.m.header_h = std::round(em * 1.6f);
  f.m.counter_h = std::round(em * 3.6f);
  f.m.gap = std::round(em * 0.3f);
  f.plot_x = origin.x + c.gutter;
  f.plot_w = std::max(avail.x - c.gutter - c.vbar, 16.0f);
  st.view.set_width(f.plot_w);
  st.plot_width = f.plot_w;
  st.selection_changed = st.range_changed = false;
  if (!st.fitted) fit_timeline(tr, st, f.plot_w);
  if (st.collapsed.size() < index.processes().size()) st.collapsed.resize(index.processes().size(), 0);
  if (highlight.matches && highlight.active()) {
    f.matches.assign(tr.threads.size(), nullptr);
    for (const auto& m : *highlight.matches) {
      if (m && m->thread < f.matches.size()) f.matches[m->thread] = m.get();
    }
  }

  const float axis_top = origin.y;
  f.clip_y0 = origin.y + c.axis;
  f.clip_y1 = origin.y + std::max(avail.y - c.hbar, c.axis + 1);
  // A new selection in a lane the cap hides (--select, the details panel): its track shows all
  // its lanes, and the view scrolls to it below, once the layout has its row.
  const PickLane reveal = reveal_selection(index, st);
  if (st.layout_index != index.generation() || !(st.layout_metrics == f.m) || st.layout_collapsed != st.collapsed ||
      st.layout_all_object_lanes != st.all_object_lanes || st.layout_all_async_lanes != st.all_async_lanes ||
      st.layout_folded_threads != st.folded_threads || st.layout_track_filter != st.track_filter) {
    st.layout = layout_tracks(index, st.collapsed, st.all_object_lanes, st.all_async_lanes, f.m, st.folded_threads,
                              st.track_filter);
    st.track_of_thread.assign(tr.threads.size(), kNone);
    for (uint32_t i = 0; i < st.layout.size(); ++i)
      if (st.layout[i].kind == TrackKind::Thread) st.track_of_thread[st.layout[i].id] = i;
    st.layout_index = index.generation();
    st.layout_metrics = f.m;
    st.layout_collapsed = st.collapsed;
    st.layout_all_object_lanes = st.all_object_lanes;
    st.layout_all_async_lanes = st.all_async_lanes;
    st.layout_folded_threads = st.folded_threads;
    st.layout_track_filter = st.track_filter;
  }
  const std::vector<LaidTrack>& tracks = st.layout;
  const float total_h = layout_height(tracks, f.m);

  // Input first, so that this frame draws the view the input asked for.
  ImGui::SetCursorScreenPos(origin);
  ImGui::InvisibleButton("##timeline", ImVec2(std::max(avail.x - c.vbar, 1.0f), std::max(avail.y - c.hbar, 1.0f)));
  const bool hovered = ImGui::IsItemHovered();
  f.mouse = ImGui::GetIO().MousePos;
  f.mouse_in_plot = hovered && f.mouse.x >= f.plot_x && f.mouse.y >= f.clip_y0;
  handle_wheel(f, hovered);
  if (hovered || ImGui::IsWindowFocused()) handle_keys(st, f.mouse.x - f.plot_x, f.mouse_in_plot);
  apply_requests(tr, st);
  if (st.focus_thread != kNone) {
    if (st.focus_thread < st.track_of_thread.size() && st.track_of_thread[st.focus_thread] != kNone) {
      const LaidTrack& t = tracks[st.track_of_thread[st.focus_thread]];
      const float area = f.clip_y1 - f.clip_y0;
      // The selected slice's row when it is on this thread (else the track's first row): in
      // view with the track's top where both fit, else the row 30% down the area.
      float y = t.y;
      const Pick& sel = st.selected;
      if (sel.kind == PickKind::Slice && sel.thread == st.focus_thread && t.rows > 1) {
        const Thread& th = tr.threads[sel.thread];
        if (sel.index < (sel.set == 0 ? th.slices : th.overflow).size())
          y = row_y(t, std::min(tl::slice_row(th, sel.set, sel.index), t.rows - 1), f.m);
      }
      if (y < st.scroll_y || y + f.m.row_h > st.scroll_y + area)
        st.scroll_y = y + f.m.row_h - t.y <= area * 0.7f ? t.y - area * 0.3f : y - area * 0.3f;
    }
    st.focus_thread = kNone;
  }
  if (reveal.group != kNone) {
    if (const LaidTrack* t = lane_track(tracks, reveal)) {
      const float y = row_y(*t, lane_row(*t, reveal.lane), f.m), area = f.clip_y1 - f.clip_y0;
      if (y < st.scroll_y || y + f.m.row_h > st.scroll_y + area) st.scroll_y = y - area * 0.3f;
    }
  }
  const float area_h = f.clip_y1 - f.clip_y0;
  st.scroll_y = std::clamp(st.scroll_y, 0.0f, std::max(0.0f, total_h - area_h));
  if (st.has_bounds) st.view.clamp_to(st.bound_t0, st.bound_t1);
  else st.view.clamp_to(tr.start, tr.end);
  f.tracks_y = f.clip_y0 - st.scroll_y;
  st.plot_x = f.plot_x;
  st.tracks_y = f.tracks_y;
  st.metrics = f.m;

  // Tracks, clipped to the track area.
  f.dl->PushClipRect(ImVec2(origin.x, f.clip_y0), ImVec2(f.plot_x + f.plot_w, f.clip_y1), true);
  f.dl->PushClipRect(ImVec2(f.plot_x, f.clip_y0), ImVec2(f.plot_x + f.plot_w, f.clip_y1), true);
  const auto [vis0, vis1] = tracks_between(tracks, f.clip_y0 - f.tracks_y, f.clip_y1 - f.tracks_y);
  for (size_t i = vis0; i < vis1; ++i) {
    const LaidTrack& t = tracks[i];
    switch (t.kind) {
      case TrackKind::Thread: tl::draw_thread_track(f, t); break;
      case TrackKind::Async: tl::draw_async_track(f, t); break;
      case TrackKind::Counter: tl::draw_counter_track(f, t); break;
      case TrackKind::Objects: tl::draw_objects_track(f, t); break;
      case TrackKind::Header: break;
    }
  }
  f.dl->PopClipRect();
  draw_gutter_and_headers(f, c, tracks, vis0, vis1);
  f.dl->PushClipRect(ImVec2(f.plot_x, f.clip_y0), ImVec2(f.plot_x + f.plot_w, f.clip_y1), true);
  // Process instants span their group (its header first, in group order): the groups in view.
  for (size_t i = vis0; i < vis1;) {
    const uint32_t g = tracks[i].group;
    auto in_group = [&](size_t from, size_t to, bool before) {
      return size_t(std::partition_point(tracks.begin() + from, tracks.begin() + to, [&](const LaidTrack& t) {
                      return before ? t.group < g : t.group <= g;
                    }) - tracks.begin());
    };
    const size_t head = in_group(0, i, true), end = in_group(i, tracks.size(), false);
    tl::draw_process_instants(f, tracks[head], f.tracks_y + tracks[end - 1].y + tracks[end - 1].h);
    i = end;
  }
  tl::draw_flows(f, tracks);
  draw_outlines(f, tracks);
  f.dl->PopClipRect();
  f.dl->PopClipRect();

  // Axis, range, cursor, global instants over everything.
  f.dl->PushClipRect(ImVec2(origin.x, axis_top), ImVec2(f.plot_x + f.plot_w + c.vbar, f.clip_y1 + c.hbar), true);
  draw_axis(f, c, axis_top);
  f.dl->PushClipRect(ImVec2(f.plot_x, axis_top), ImVec2(f.plot_x + f.plot_w, f.clip_y1), true);
  tl::draw_global_instants(f, axis_top + c.axis * 0.45f, f.clip_y1);
  draw_range(f, c, axis_top);
  draw_cursor(f, c, axis_top);
  f.dl->PopClipRect();
  f.dl->PopClipRect();

  if (tracks.empty()) {
    const std::string msg = st.track_filter.empty()
                                ? "This trace has no events to draw: see the Trace info tab."
                                : "No track's name contains \"" + std::string(fit_text(st.track_filter, f.plot_w * 0.5f)) +
                                      "\" (the filter right of the search box)";
    const ImVec2 sz = ImGui::CalcTextSize(msg.c_str());
    f.dl->AddText(ImVec2(f.plot_x + (f.plot_w - sz.x) * 0.5f, (f.clip_y0 + f.clip_y1 - sz.y) * 0.5f),
                  to_u32(palette().text_dim), msg.c_str());
  }
  handle_mouse(f, c, axis_top, tracks);
  draw_hscrollbar(f, c, f.clip_y1);
  draw_vscrollbar(f, c, total_h);
  if (hovered && st.drag == TimelineState::Drag::None) tl::draw_hover_tooltip(f);
  st.hovered = f.hover;
  st.stats = f.stats;
}

}  // namespace vz
