// Instants, flow arrows and the hover tooltip of the timeline.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "formats/json_event.h"
#include "render/counter_lod.h"
#include "render/stats_panel.h"
#include "render/theme.h"
#include "render/timeline_internal.h"

namespace vz::tl {
namespace {

// Walks instants sorted by ts in the visible range, at most one per `px` pixels; calls
// fn(index, screen_x) for the first instant of each pixel bucket.
template <class Ts, class Fn>
void walk_instants(const Frame& f, size_t n, Ts&& ts_of, Fn&& fn, double px = 2.0) {
  const TimeView& v = f.st->view;
  auto lower = [&](size_t from, Time t) {
    size_t lo = from, hi = n;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (ts_of(mid) < t) lo = mid + 1; else hi = mid;
    }
    return lo;
  };
  size_t i = lower(0, v.left());
  const Time right = v.right();
  while (i < n && ts_of(i) <= right) {
    const double x = v.x_of(ts_of(i));
    fn(i, f.sx(x));
    i = lower(i + 1, v.time_at(x + px) + 1);
  }
}

// A diamond marker centred at (x, y).
void diamond(ImDrawList* dl, float x, float y, float r, ImU32 c) {
  dl->AddQuadFilled(ImVec2(x, y - r), ImVec2(x + r, y), ImVec2(x, y + r), ImVec2(x - r, y), c);
}

// The slice a flow event binds to on its thread (set 0), or kNone.
uint32_t flow_bound_slice(const Trace& trace, const FlowEvent& fe) {
  if (fe.thread >= trace.threads.size()) return kNone;
  const SliceSet& s = trace.threads[fe.thread].slices;
  if (fe.phase == 'f' && !fe.bind_enclosing) {
    // The next slice to begin at or after ts, at any depth (shallowest on ties).
    uint32_t best = kNone;
    for (uint32_t d = 0; d < s.depths(); ++d) {
      const auto b = s.start.begin() + s.depth_begin[d], e = s.start.begin() + s.depth_begin[d + 1];
      const auto it = std::lower_bound(b, e, fe.ts);
      if (it != e && (best == kNone || *it < s.start[best])) best = uint32_t(it - s.start.begin());
    }
    return best;
  }
  std::vector<uint32_t> under;
  s.stab(fe.ts, under);
  if (under.empty()) return kNone;
  if (fe.phase == 'X') {
    for (uint32_t i : under) {
      if (s.start[i] == fe.ts) return i;  // the slice carrying bind_id starts there
    }
  }
  return under.back();
}

void arrow(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 c, float th) {
  const float dx = std::max(std::fabs(b.x - a.x) * 0.5f, 20.0f);
  dl->AddBezierCubic(a, ImVec2(a.x + dx, a.y), ImVec2(b.x - dx, b.y), b, c, th);
  const float s = th * 4.0f;
  dl->AddTriangleFilled(ImVec2(b.x, b.y), ImVec2(b.x - s * 1.6f, b.y - s), ImVec2(b.x - s * 1.6f, b.y + s), c);
}

// An instant's marker colour: its label's Chrome colour ("cname") when it has one, else the
// colour of its scope.
ImU32 instant_color(const Frame& f, uint32_t label, ImU32 scope_color) {
  const uint8_t c = label < f.trace->labels.size() ? f.trace->labels[label].color : 0;
  return c ? chrome_color_u32(c) : scope_color;
}

}  // namespace

void draw_thread_instants(Frame& f, const LaidTrack& t) {
  const auto& list = f.trace->threads[t.id].instants;
  if (list.empty()) return;
  const float top = f.tracks_y + t.y;
  const ImU32 c = to_u32(palette().info);
  const float r = f.m.row_h * 0.3f;
  walk_instants(f, list.size(), [&](size_t i) { return list[i].ts; }, [&](size_t i, float x) {
    const ImU32 ci = instant_color(f, list[i].label, c);
    f.dl->AddLine(ImVec2(x, top), ImVec2(x, top + t.h), (ci & 0x00ffffffu) | 0x90000000u);
    diamond(f.dl, x, top + r, r, ci);
    if (f.mouse_in_plot && std::fabs(f.mouse.x - x) <= r + 1 && f.mouse.y >= top && f.mouse.y < top + t.h) {
      f.hover = Pick{};
      f.hover.kind = PickKind::Instant;
      f.hover.thread = t.id;
      f.hover.index = uint32_t(i);
      f.hover.scope = Scope::Thread;
    }
  });
}

void draw_async_marks(Frame& f, uint32_t slice, float y) {
  const auto [first, last] = f.index->async_marks_on(slice);
  if (first == last) return;
  const auto& all = f.trace->async_marks;
  // White with a dark rim: seen on a slice of any hue, in either theme.
  const ImU32 c = IM_COL32(255, 255, 255, 235), edge = IM_COL32(0, 0, 0, 190);
  const float r = std::max(3.0f, f.m.row_h * 0.22f), cy = y + f.m.row_h * 0.5f;
  walk_instants(f, size_t(last - first), [&](size_t i) { return all[first[i]].ts; }, [&](size_t i, float x) {
    diamond(f.dl, x, cy, r + 1.0f, edge);
    diamond(f.dl, x, cy, r, c);
    if (f.mouse_in_plot && std::fabs(f.mouse.x - x) <= r + 1 && f.mouse.y >= y && f.mouse.y < y + f.m.row_h) {
      f.hover = Pick{};
      f.hover.kind = PickKind::AsyncMark;
      f.hover.index = first[i];
      f.hover_row_y = y;
    }
  });
}

void draw_process_instants(Frame& f, const LaidTrack& header, float group_bottom) {
  const auto& ids = f.index->processes()[header.group].instants;
  if (ids.empty()) return;
  const auto& all = f.trace->process_instants;
  const float top = f.tracks_y + header.y;
  const ImU32 c = to_u32(palette().accent);
  const float r = header.h * 0.25f;
  walk_instants(f, ids.size(), [&](size_t i) { return all[ids[i]].ts; }, [&](size_t i, float x) {
    const ImU32 ci = instant_color(f, all[ids[i]].label, c);
    f.dl->AddLine(ImVec2(x, top), ImVec2(x, group_bottom), (ci & 0x00ffffffu) | 0x70000000u);
    diamond(f.dl, x, top + header.h * 0.5f, r, ci);
    if (f.mouse_in_plot && std::fabs(f.mouse.x - x) <= r + 1 && f.mouse.y >= top && f.mouse.y < top + header.h) {
      f.hover = Pick{};
      f.hover.kind = PickKind::Instant;
      f.hover.index = ids[i];
      f.hover.scope = Scope::Process;
    }
  });
}

void draw_global_instants(Frame& f, float y0, float y1) {
  const auto& all = f.trace->global_instants;
  const ImU32 c = to_u32(palette().error);
  walk_instants(f, all.size(), [&](size_t i) { return all[i].ts; }, [&](size_t i, float x) {
    const ImU32 ci = instant_color(f, all[i].label, c);
    f.dl->AddLine(ImVec2(x, y0), ImVec2(x, y1), (ci & 0x00ffffffu) | 0xa0000000u, 1.0f);
    diamond(f.dl, x, y0 + 5, 5, ci);
    if (f.mouse.x >= x - 3 && f.mouse.x <= x + 3 && f.mouse.y >= y0 && f.mouse.y < y0 + 12) {
      f.hover = Pick{};
      f.hover.kind = PickKind::Instant;
      f.hover.index = uint32_t(i);
      f.hover.scope = Scope::Global;
    }
  });
}

bool thread_row_screen_y(const Frame& f, const std::vector<LaidTrack>& tracks, uint32_t thread, uint32_t row,
                         float* y) {
  const std::vector<uint32_t>& at = f.st->track_of_thread;  // made with the layout
  if (thread >= at.size() || at[thread] == kNone || at[thread] >= tracks.size()) return false;
  const LaidTrack& t = tracks[at[thread]];
  *y = f.tracks_y + row_y(t, std::min(row, t.rows - 1), f.m);
  return true;
}

// The arrows of the selected slice's flow events: to the previous and the next step of each
// flow. Found once per selection; a slice holding tens of thousands of flow steps stays cheap.
void find_flow_arrows(const Frame& f, std::vector<TimelineState::FlowArrow>& out) {
  out.clear();
  const Pick& sel = f.st->selected;
  if (sel.kind != PickKind::Slice || sel.set != 0) return;
  const Trace& tr = *f.trace;
  const SliceSet& s = tr.threads[sel.thread].slices;
  const Time s0 = s.start[sel.index], s1 = s.end(sel.index);
  const auto& on_thread = f.index->flows_on_thread(sel.thread);
  // Flow events of this thread near the slice: inside it, or just before it for 'f' events
  // that bind to the next slice.
  auto first = std::lower_bound(on_thread.begin(), on_thread.end(), s0,
                                [&](uint32_t i, Time t) { return tr.flows[i].ts < t; });
  auto from = first - std::min<ptrdiff_t>(first - on_thread.begin(), 64);
  // An end of an arrow: the row of slice `b` (the one flow event `fe` binds to), at the event's time.
  auto end_at = [&](const FlowEvent& fe, uint32_t b, uint32_t* thread, uint32_t* row, Time* t) {
    const SliceSet& bs = tr.threads[fe.thread].slices;
    *thread = fe.thread;
    *row = bs.depth_of(b);
    *t = std::max(fe.ts, bs.start[b]);
  };
  auto end_of = [&](uint32_t fi, uint32_t* thread, uint32_t* row, Time* t) {
    const FlowEvent& fe = tr.flows[fi];
    const uint32_t b = flow_bound_slice(tr, fe);
    if (b != kNone) end_at(fe, b, thread, row, t);
    return b != kNone;
  };
  for (auto it = from; it != on_thread.end() && tr.flows[*it].ts <= s1; ++it) {
    const FlowEvent& fe = tr.flows[*it];
    if (flow_bound_slice(tr, fe) != sel.index) continue;
    TimelineState::FlowArrow here;
    end_at(fe, sel.index, &here.thread[0], &here.row[0], &here.t[0]);
    for (int side : {0, 1}) {  // from the previous step to here, from here to the next
      const uint32_t other = side == 0 ? f.index->flow_prev(*it) : f.index->flow_next(*it);
      if (other == kNone) continue;
      TimelineState::FlowArrow a = here;
      if (!end_of(other, &a.thread[1], &a.row[1], &a.t[1])) continue;
      if (side == 0) std::swap(a.thread[0], a.thread[1]), std::swap(a.row[0], a.row[1]), std::swap(a.t[0], a.t[1]);
      out.push_back(a);
    }
  }
}

void draw_flows(Frame& f, const std::vector<LaidTrack>& tracks) {
  TimelineState& st = *f.st;
  if (!(st.flow_arrows_for == st.selected) || st.flow_arrows_index != f.index->generation()) {
    find_flow_arrows(f, st.flow_arrows);
    st.flow_arrows_for = st.selected;
    st.flow_arrows_index = f.index->generation();
  }
  const ImU32 col = to_u32(palette().accent);
  // Arrows that land on the same pixels are drawn once (a flow of 100 000 steps at one time is
  // one arrow on screen), and a frame draws at most kMaxArrows.
  constexpr size_t kMaxArrows = 20000;
  std::unordered_set<uint64_t> drawn;
  for (const TimelineState::FlowArrow& a : st.flow_arrows) {
    if (drawn.size() >= kMaxArrows) break;
    ImVec2 p[2];
    bool placed = true;
    for (int k = 0; k < 2 && placed; ++k) {
      float y;
      placed = thread_row_screen_y(f, tracks, a.thread[k], a.row[k], &y);
      const double x = std::clamp(st.view.x_of(a.t[k]), -1e6, 1e6);  // far off screen: clipped
      p[k] = ImVec2(f.sx(x), y + f.m.row_h * 0.5f);
    }
    if (!placed) continue;
    const float lo = std::min(p[0].x, p[1].x), hi = std::max(p[0].x, p[1].x);
    if (hi < f.plot_x || lo > f.plot_x + f.plot_w) continue;  // wholly left or right of the view
    if (std::max(p[0].y, p[1].y) < f.clip_y0 || std::min(p[0].y, p[1].y) > f.clip_y1) continue;
    auto px = [&](float v) { return uint64_t(uint16_t(std::clamp(v, -30000.0f, 30000.0f) + 32768.0f)); };
    if (!drawn.insert(px(p[0].x) << 48 | px(p[0].y) << 32 | px(p[1].x) << 16 | px(p[1].y)).second) continue;
    arrow(f.dl, p[0], p[1], col, 2.0f);
  }
}

// The names a folded run of slices holds most, with how many of it each: the first three (their
// share of the run when it is larger than what is counted, every 1 in k slices past 2^18).
void fold_names(const Trace& tr, const Pick& h, float wrap) {
  const Thread& th = tr.threads[h.thread];
  const SliceSet& s = h.set == 0 ? th.slices : th.overflow;
  if (h.index >= s.size()) return;
  const uint32_t end = uint32_t(std::min<uint64_t>(s.size(), uint64_t(h.index) + h.count));
  const uint32_t step = std::max<uint32_t>(1, (end - h.index) >> 18);
  std::unordered_map<StrId, uint32_t> by_name;
  uint32_t seen = 0;
  for (uint32_t i = h.index; i < end; i += step, ++seen) ++by_name[tr.labels[s.label[i]].name];
  std::vector<std::pair<uint32_t, StrId>> top;
  for (const auto& [name, n] : by_name) top.emplace_back(n, name);
  const size_t shown = std::min<size_t>(3, top.size());
  std::partial_sort(top.begin(), top.begin() + long(shown), top.end(),
                    [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (size_t k = 0; k < shown; ++k) {
    const int pct = int(100.0 * top[k].first / seen + 0.5);
    const std::string n = step == 1 ? std::to_string(top[k].first) + " \xc3\x97 "
                          : pct == 0 ? std::string("<1% ") : std::to_string(pct) + "% ";
    ImGui::TextColored(palette().text_dim, "%s", n.c_str());
    ImGui::SameLine(0, 0);
    text_long(fit_text(tr.str(top[k].second), wrap * 2.0f), wrap);
  }
  if (top.size() > shown) ImGui::TextColored(palette().text_dim, "and %zu other names", top.size() - shown);
}

void draw_hover_tooltip(Frame& f) {
  const Trace& tr = *f.trace;
  const Pick& h = f.hover;
  if (h.kind == PickKind::None) return;
  // The timeline's child window has no padding; the tooltip, a window of its own, takes the
  // style's while it is begun, so it gets a padding of its own back.
  const float em_pad = ImGui::GetFontSize();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em_pad * 0.6f, em_pad * 0.45f));
  ImGui::BeginTooltip();
  ImGui::PopStyleVar();
  auto dim = [](const char* s) { ImGui::TextColored(palette().text_dim, "%s", s); ImGui::SameLine(); };
  const float wrap = ImGui::GetFontSize() * 40.0f;  // for names too long to show on one line
  auto title = [&](std::string_view name) {
    FontScope b(fonts().bold);
    text_long(name, wrap);
  };
  auto args_preview = [&](ByteRange r) {
    std::string_view a = tr.view(r);
    if (a.empty()) return;
    if (a.size() > 300) a = a.substr(0, 300);
    FontScope mono(fonts().mono);
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 35.0f);
    ImGui::TextUnformatted(a.data(), a.data() + a.size());
    ImGui::PopTextWrapPos();
  };
  switch (h.kind) {
    case PickKind::Slice: {
      const SliceSet& s = h.set == 0 ? tr.threads[h.thread].slices : tr.threads[h.thread].overflow;
      const std::string_view name = tr.name_of(s.label[h.index]);
      title(name);
      dim("Duration");
      ImGui::TextUnformatted(format_time_span(double(s.dur[h.index])).c_str());
      dim("Start");
      ImGui::TextUnformatted(format_tick(s.start[h.index] - timeline_origin(tr, *f.st), 1).c_str());
      if (s.flags[h.index] & kSliceOpen) ImGui::TextColored(palette().warning, "Never ended (B without E)");
      if (h.set == 1) ImGui::TextColored(palette().warning, "Overflow lane: overlaps a sibling without nesting");
      break;
    }
    case PickKind::Async: {
      const AsyncSlice& a = tr.async_slices[h.index];
      title(tr.name_of(a.label));
      dim("Duration");
      ImGui::TextUnformatted(format_time_span(double(a.dur)).c_str());
      dim("Id");
      text_long(tr.str(a.id), wrap);
      if (a.scope != kNoStr) {
        dim("Scope");
        text_long(tr.str(a.scope), wrap);
      }
      break;
    }
    case PickKind::Fold:
      ImGui::Text("%u %s, each under 3 pixels wide", h.count, h.group == kNone ? "slices" : "objects");
      dim("Span");
      ImGui::TextUnformatted(format_time_span(double(h.t1 - h.t0)).c_str());
      if (h.group == kNone && h.thread < tr.threads.size()) fold_names(tr, h, wrap);
      ImGui::TextColored(palette().text_dim, "Click to zoom in");
      break;
    case PickKind::Instant: {
      const Instant& in = h.scope == Scope::Thread ? tr.threads[h.thread].instants[h.index]
                          : h.scope == Scope::Process ? tr.process_instants[h.index]
                                                      : tr.global_instants[h.index];
      title(tr.name_of(in.label));
      const char* scope = h.scope == Scope::Thread ? "thread" : h.scope == Scope::Process ? "process" : "global";
      ImGui::TextColored(palette().text_dim, "Instant (%s) at %s", scope, format_tick(in.ts - timeline_origin(tr, *f.st), 1).c_str());
      args_preview(in.args);
      break;
    }
    case PickKind::Counter: {
      const Counter& c = tr.counters[h.index];
      const Time t = f.st->view.time_at(f.mouse.x - f.plot_x);
      title(counter_name(tr, c));
      const uint32_t i = counter_sample_at(c.ts, t);
      if (i == kNone) {
        ImGui::TextColored(palette().text_dim, "no sample yet");
        break;
      }
      ImGui::TextColored(palette().text_dim, "at %s", format_tick(c.ts[i] - timeline_origin(tr, *f.st), 1).c_str());
      if (i < c.tid_of_sample.size() && c.tid_of_sample[i] < tr.threads.size())  // who wrote it
        ImGui::TextColored(palette().text_dim, "by %s",
                           std::string(fit_text(thread_title(tr, c.tid_of_sample[i]), wrap)).c_str());
      // At most a screenful of series (a counter may have thousands); keys cut to the tooltip's width.
      constexpr size_t kMaxSeries = 32;
      const size_t shown = c.series.size() <= kMaxSeries + 1 ? c.series.size() : kMaxSeries;
      for (size_t k = 0; k < shown; ++k) {
        const ImVec2 p = ImGui::GetCursorScreenPos();
        const float sz = ImGui::GetTextLineHeight();
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + sz * 0.2f), ImVec2(p.x + sz * 0.6f, p.y + sz * 0.8f),
                                                  series_color(uint32_t(k)));
        ImGui::Dummy(ImVec2(sz * 0.7f, sz));
        ImGui::SameLine();
        const std::string_view key = fit_text(tr.str(c.series[k].key), wrap);
        ImGui::Text("%.*s: %.6g", int(key.size()), key.data(), c.series[k].values[i]);
      }
      if (shown < c.series.size()) {
        ImGui::TextColored(palette().text_dim, "\xe2\x80\xa6 and %zu more series", c.series.size() - shown);
      }
      // The sample's C event's fields the model does not name (tts, cname, ...), on one line.
      if (const ByteRange extra = c.extra_of(i); !extra.empty()) {
        std::string other;
        if (json::append_members_except(other, tr.view(extra), json::id_event_keys(false, json::id_text_is_id2(tr.str(c.id)))) > 0) {
          dim("Other fields");
          text_long(std::string_view(other).substr(1), wrap);
        }
      }
      break;
    }
    case PickKind::Object:
    case PickKind::Snapshot: {
      const ObjectTracks& ot = f.index->processes()[h.group].objects;
      const uint32_t i = h.kind == PickKind::Object ? h.index : ot.instance_of_snapshot(h.index);
      if (i >= ot.instances.size()) break;
      const ObjectInstance& o = ot.instances[i];
      const Time origin = timeline_origin(tr, *f.st);
      title(tr.name_of(o.label));
      dim("Id");
      text_long(tr.str(o.id), wrap);
      if (o.scope != kNoStr) {
        dim("Scope");
        text_long(tr.str(o.scope), wrap);
      }
      if (h.kind == PickKind::Snapshot) {
        if (h.count > 1) {
          ImGui::Text("%u snapshots within a pixel, from %s", h.count, format_tick(h.t0 - origin, 1).c_str());
          ImGui::TextColored(palette().text_dim, "Click to zoom in");
        } else {
          dim("Snapshot at");
          ImGui::TextUnformatted(format_tick(h.t0 - origin, 1).c_str());
          args_preview(tr.objects[ot.snapshots[h.index]].args);
        }
        break;
      }
      dim("Created");
      ImGui::TextUnformatted(o.created != kNone ? format_tick(o.start - origin, 1).c_str()
                                                : (format_tick(o.start - origin, 1) + " (no N event)").c_str());
      dim("Destroyed");
      ImGui::TextUnformatted(o.destroyed != kNone ? format_tick(o.end - origin, 1).c_str()
                             : o.replaced         ? (format_tick(o.end - origin, 1) + " (replaced by a new N)").c_str()
                                                  : "never (no D event)");
      dim("Lifetime");
      ImGui::TextUnformatted(format_time_span(double(o.end - o.start)).c_str());
      dim("Snapshots");
      ImGui::Text("%u", o.snap_count);
      break;
    }
    case PickKind::Lanes: {
      title(format_count(h.index) + " more lanes");
      ImGui::Text("%s %s here", format_count(h.count).c_str(),
                  h.set == 0 ? (h.count == 1 ? "async slice" : "async slices") : (h.count == 1 ? "object" : "objects"));
      ImGui::TextColored(palette().text_dim, "Grey where any of these lanes has something");
      ImGui::TextColored(palette().text_dim, "Click the track's name to show all %s lanes",
                         format_count(h.index + kLaneCap - 1).c_str());
      break;
    }
    case PickKind::AsyncMark: {
      const AsyncMark& m = tr.async_marks[h.index];
      title(tr.name_of(m.label));
      ImGui::TextColored(palette().text_dim, "%s at %s", async_mark_kind(m.phase),
                         format_tick(m.ts - timeline_origin(tr, *f.st), 1).c_str());
      dim("Id");
      text_long(tr.str(m.id), wrap);
      args_preview(m.args);
      break;
    }
    case PickKind::None: break;
  }
  ImGui::EndTooltip();
}

}  // namespace vz::tl
