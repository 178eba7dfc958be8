// The details panel. See details_panel.h.
#include "render/details_panel.h"

#include <algorithm>
#include <cstdio>

#include <imgui.h>

#include "analysis/slice_query.h"
#include "formats/json_event.h"
#include "formats/numbers.h"
#include "render/source_lookup.h"
#include "render/text_fit.h"
#include "render/theme.h"
#include "render/timeline.h"

namespace vz {
namespace {

// A two-column key/value table row. Values of trace text (a category, an id) may be of any
// length: text_long() wraps them at the panel's edge and cuts them.
void row(const char* key, std::string_view value, const ImVec4* color = nullptr) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(palette().text_dim, "%s", key);
  ImGui::TableNextColumn();
  if (color) ImGui::PushStyleColor(ImGuiCol_Text, *color);
  text_long(value, ImGui::GetWindowContentRegionMax().x);  // the panel's edge, whatever the column's width
  if (color) ImGui::PopStyleColor();
}

// A label's Chrome colour (its events' "cname"): a swatch and the colour's name. Nothing when
// the label has none.
void color_row(const Label& lab) {
  if (!lab.color) return;
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(palette().text_dim, "Colour");
  ImGui::TableNextColumn();
  const float h = ImGui::GetTextLineHeight();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + h, p.y + h), chrome_color_u32(lab.color));
  ImGui::GetWindowDrawList()->AddRect(p, ImVec2(p.x + h, p.y + h), ImGui::GetColorU32(ImGuiCol_Border));
  ImGui::Dummy(ImVec2(h, h));
  ImGui::SameLine();
  const std::string_view name = chrome_color_name(lab.color);
  ImGui::TextUnformatted(name.data(), name.data() + name.size());
}

// The name at the top of the panel, in the large font.
void title(std::string_view name) {
  FontScope bold(fonts().large);
  text_long(name, 0.0f);
}

std::string abs_time(const Trace& tr, Time t) {
  const Time ns = ((t % 1000) + 1000) % 1000;
  const long long us = (long long)(tr.origin_us + (t - ns) / 1000);
  char buf[64];
  std::snprintf(buf, sizeof buf, "ts %lld.%03lld \xc2\xb5s", us, (long long)ns);
  return buf;
}

// "thread (tid)  ·  process (pid)", each name and id cut at a quarter of what text_long() shows,
// with its size when cut, so all four show.
std::string thread_label(const Trace& tr, uint32_t th) {
  const Thread& t = tr.threads[th];
  const Process& p = tr.processes[t.process];
  auto str = [&](StrId id) {
    const std::string_view all = tr.str(id);
    std::string s(utf8_prefix(all, kLongTextMaxBytes / 4));
    if (s.size() < all.size()) s += "\xe2\x80\xa6 (" + std::to_string(all.size()) + " bytes)";
    return s;
  };
  std::string s = t.name ? str(t.name) + " (" + str(t.tid) + ")" : "tid " + str(t.tid);
  s += "  \xc2\xb7  ";
  s += p.name ? str(p.name) + " (" + str(p.pid) + ")" : "pid " + str(p.pid);
  return s;
}

void args_section(const Trace& tr, ByteRange r, ArgsViewState& st, const char* title) {
  const std::string_view a = tr.view(r);
  if (a.empty()) return;
  ImGui::Spacing();
  {
    FontScope bold(fonts().bold);
    ImGui::TextUnformatted(title);
  }
  draw_args(a, st);
}

// The fields of a raw event that the model does not name (`skip`), as a tree; nothing when it has
// none. The object text is made once per selection.
void other_fields_section(const Trace& tr, ByteRange raw, std::initializer_list<std::string_view> skip,
                          DetailsState::Other& o, const char* title, std::string_view also = {}) {
  if (!o.made) {
    o.made = true;
    o.text.clear();
    if (!raw.empty() && json::append_members_except(o.text, tr.view(raw), skip, also) > 0) {
      o.text[0] = '{';  // the first member's leading ','
      o.text += '}';
    } else {
      o.text.clear();
    }
  }
  if (o.text.empty()) return;
  ImGui::Spacing();
  {
    FontScope bold(fonts().bold);
    ImGui::TextUnformatted(title);
  }
  draw_args(o.text, o.view);
}

// Member `key` of a raw event, a number of µs, in ns; -1 when it has none, it is not a number
// or it is negative. Chrome records a slice's thread (i.e. CPU) time beside its wall time: "tdur"
// on an X event, "tts" (the thread's clock) on every event.
Time thread_time(std::string_view event, std::string_view key) {
  if (event.empty() || event[0] != '{') return -1;
  Time ns = -1;
  json::Tok obj{event.data(), uint32_t(event.size()), '{', false};
  json::for_each_member(obj, [&](std::string_view k, const json::Tok& v) {
    Time t;
    if (k == key && v.kind == 'n' && parse_us(v.sv(), 0, &t) == NumStatus::Ok && t >= 0) ns = t;
  });
  return ns;
}

// The CPU time of slice i: its "tdur", or for a B/E slice the "tts" of its E minus its B's; -1
// without one.
Time slice_cpu_time(const Trace& tr, const SliceSet& s, uint32_t i) {
  if (!(s.flags[i] & kSliceHasExtra)) return -1;
  const std::string_view own = tr.view(s.extra_of(i));
  const Time tdur = thread_time(own, "tdur");
  if (tdur >= 0 || !(s.flags[i] & kSliceEndEvent)) return tdur;
  const Time t0 = thread_time(own, "tts"), t1 = thread_time(tr.view(s.end_of(i)), "tts");
  return t0 >= 0 && t1 >= t0 ? t1 - t0 : -1;
}

// The range of member `key`'s value inside the raw object at `obj` (empty when it has none).
ByteRange member_range(const Trace& tr, ByteRange obj, std::string_view key) {
  const std::string_view text = tr.view(obj);
  if (text.empty() || text[0] != '{') return {};
  json::Tok v;
  if (!json::find_member(json::Tok{text.data(), uint32_t(text.size()), '{', false}, key, &v)) return {};
  return ByteRange{obj.offset + uint64_t(v.p - text.data()), v.len};
}

// A call chain longer than kParentsHead + kParentsTail + 1 shows its ends until asked for all.
constexpr size_t kParentsHead = 3, kParentsTail = 12;

void draw_slice(const ViewIndex& index, const Pick& pk, DetailsState& st, TimelineState* timeline) {
  const Trace& tr = index.trace();
  const Thread& th = tr.threads[pk.thread];
  const SliceSet& s = pk.set == 0 ? th.slices : th.overflow;
  const uint32_t i = pk.index;
  const Label& lab = tr.labels[s.label[i]];
  title(tr.str(lab.name));
  if (!ImGui::BeginTable("##slice", 2, ImGuiTableFlags_SizingFixedFit)) return;
  row("Category", lab.cat ? tr.str(lab.cat) : "-");
  color_row(lab);
  row("Thread", thread_label(tr, pk.thread));
  row("Start", format_tick(s.start[i] - tr.start, 1) + "   (" + abs_time(tr, s.start[i]) + ")");
  row("Duration", format_time_span(double(s.dur[i]), 4) + "   (" + std::to_string(s.dur[i]) + " ns)");
  if (!st.cpu_time_read) {
    st.cpu_time_read = true;
    st.cpu_time = slice_cpu_time(tr, s, i);
  }
  if (st.cpu_time >= 0) {
    char pct[48] = "";
    if (s.dur[i] > 0) std::snprintf(pct, sizeof pct, "  (%.1f%% of its duration)", 100.0 * double(st.cpu_time) / double(s.dur[i]));
    row("CPU time", format_time_span(double(st.cpu_time), 4) + pct);
  }
  if (pk.set == 0) {
    const Time self = slice_self_time(s, i);
    char pct[32];
    std::snprintf(pct, sizeof pct, "  (%.1f%%)", s.dur[i] > 0 ? 100.0 * double(self) / double(s.dur[i]) : 100.0);
    row("Self time", format_time_span(double(self), 4) + pct);
    row("Depth", std::to_string(s.depth_of(i)));
  } else {
    row("Lane", std::to_string(s.depth_of(i)) + " (overflow: overlaps a sibling without nesting)", &palette().warning);
  }
  if (s.flags[i] & kSliceOpen) row("State", "never ended: a B event without its E", &palette().warning);
  ImGui::EndTable();
  args_section(tr, s.args_of(i), st.args, "Args");
  // A B/E slice's E event with args besides the B's or fields of its own (as for async slices)
  const ByteRange end = s.end_of(i);
  if (!end.empty()) args_section(tr, member_range(tr, end, "args"), st.end_args, "End args");
  // (a "cname" that is the label's colour is in the Colour row)
  if (s.flags[i] & kSliceHasExtra) {
    const std::string_view colour = lab.color ? "cname" : "";
    // Written back as a B (as the JSON writer decides): its own "dur" is one of its other fields.
    if (written_as_begin(s.flags[i]))
      other_fields_section(tr, s.extra_of(i), VZ_BEGIN_END_KEYS, st.other, "Other fields", colour);
    else
      other_fields_section(tr, s.extra_of(i), VZ_SLICE_KEYS, st.other, "Other fields", colour);
  }
  if (!end.empty()) other_fields_section(tr, end, VZ_BEGIN_END_KEYS, st.other_end, "End: other fields");
  // The call chain, outermost first; a deep one shows its outermost and innermost callers with a
  // line to show the rest between them.
  if (pk.set == 0) {
    const std::vector<uint32_t> parents = slice_ancestors(s, i);
    if (!parents.empty()) {
      ImGui::Spacing();
      FontScope bold(fonts().bold);
      ImGui::TextUnformatted(("Parents (" + std::to_string(parents.size()) + ")").c_str());
    }
    const size_t n = parents.size();
    const bool cut = !st.all_parents && n > kParentsHead + kParentsTail + 1;
    // Each row one step further in than the row above it, up to a limit.
    auto indent_of = [](size_t row) { return float(std::min<size_t>(row, 32) + 1) * ImGui::GetFontSize() * 0.6f; };
    for (size_t k = 0, row = 0; k < n; ++k, ++row) {
      if (cut && k == kParentsHead) {
        const float indent = indent_of(row);
        ImGui::Indent(indent);
        if (small_button_text("... " + std::to_string(n - kParentsHead - kParentsTail) + " more: show all"))
          st.all_parents = true;
        ImGui::Unindent(indent);
        k = n - kParentsTail - 1;
        continue;
      }
      const uint32_t p = parents[k];
      ImGui::PushID(int(k));
      const float indent = indent_of(row);
      ImGui::Indent(indent);
      // Cut to the panel's width: the duration after a longer name would not show either.
      const std::string text = std::string(fit_text(tr.name_of(s.label[p]), ImGui::GetContentRegionAvail().x)) + "   " +
                               format_time_span(double(s.dur[p]));
      if (selectable_text(text, false) && timeline) {
        timeline->selected = Pick{PickKind::Slice, pk.thread, 0, p};
        timeline->selection_changed = true;
        timeline->focus_thread = pk.thread;
      }
      ImGui::Unindent(indent);
      ImGui::PopID();
    }
  }
  if (has_file_info(tr)) {
    ImGui::Spacing();
    {
      FontScope bold(fonts().bold);
      ImGui::TextUnformatted("Source");
    }
    draw_source(tr, tr.name_of(s.label[i]), st.source);
  }
}

void draw_async(const ViewIndex& index, const Pick& pk, DetailsState& st) {
  const Trace& tr = index.trace();
  const AsyncSlice& a = tr.async_slices[pk.index];
  title(tr.name_of(a.label));
  if (!ImGui::BeginTable("##async", 2, ImGuiTableFlags_SizingFixedFit)) return;
  const Label& lab = tr.labels[a.label];
  row("Category", lab.cat ? tr.str(lab.cat) : "-");
  row("Kind", a.phase == 'b' ? "async (nestable b/e)" : "async (legacy S/F)");
  row("Id", tr.str(a.id));
  if (a.scope != kNoStr) row("Scope", tr.str(a.scope));
  row("Process", tr.str(tr.processes[a.process].pid));
  if (a.thread < tr.threads.size()) row("Began on", thread_label(tr, a.thread));
  row("Start", format_tick(a.start - tr.start, 1) + "   (" + abs_time(tr, a.start) + ")");
  row("Duration", format_time_span(double(a.dur), 4));
  if (a.flags & kSliceOpen) row("State", "never ended", &palette().warning);
  ImGui::EndTable();
  args_section(tr, a.args, st.args, "Args");
  args_section(tr, a.end_args, st.end_args, "End args");
  const bool id2 = json::id_text_is_id2(tr.str(a.id));
  other_fields_section(tr, a.extra, json::id_event_keys(a.scope != kNoStr, id2), st.other, "Other fields");
  other_fields_section(tr, a.end_extra, json::id_event_keys(a.scope != kNoStr, id2), st.other_end, "End: other fields");
}

void draw_instant(const ViewIndex& index, const Pick& pk, DetailsState& st) {
  const Trace& tr = index.trace();
  const Instant& in = pk.scope == Scope::Thread ? tr.threads[pk.thread].instants[pk.index]
                      : pk.scope == Scope::Process ? tr.process_instants[pk.index]
                                                   : tr.global_instants[pk.index];
  title(tr.name_of(in.label));
  if (!ImGui::BeginTable("##instant", 2, ImGuiTableFlags_SizingFixedFit)) return;
  row("Scope", pk.scope == Scope::Thread ? "thread" : pk.scope == Scope::Process ? "process" : "global");
  const bool colored = in.label < tr.labels.size() && tr.labels[in.label].color;
  if (colored) color_row(tr.labels[in.label]);
  if (in.thread < tr.threads.size()) row("Thread", thread_label(tr, in.thread));
  row("Time", format_tick(in.ts - tr.start, 1) + "   (" + abs_time(tr, in.ts) + ")");
  ImGui::EndTable();
  args_section(tr, in.args, st.args, "Args");
  other_fields_section(tr, in.extra, VZ_INSTANT_KEYS, st.other, "Other fields", colored ? "cname" : "");
}

void draw_async_mark(const ViewIndex& index, const Pick& pk, DetailsState& st) {
  const Trace& tr = index.trace();
  const AsyncMark& m = tr.async_marks[pk.index];
  title(tr.name_of(m.label));
  if (!ImGui::BeginTable("##asyncmark", 2, ImGuiTableFlags_SizingFixedFit)) return;
  const Label& lab = tr.labels[m.label];
  row("Kind", m.phase == 'n' ? "async instant (n)" : m.phase == 'T' ? "async step into (T)" : "async step past (p)");
  row("Category", lab.cat ? tr.str(lab.cat) : "-");
  row("Id", tr.str(m.id));
  if (m.scope != kNoStr) row("Scope", tr.str(m.scope));
  row("Process", tr.str(tr.processes[m.process].pid));
  if (m.thread < tr.threads.size()) row("Thread", thread_label(tr, m.thread));
  row("Time", format_tick(m.ts - tr.start, 1) + "   (" + abs_time(tr, m.ts) + ")");
  const uint32_t on = index.async_mark_slice(pk.index);
  if (on != kNone) row("On", std::string(tr.name_of(tr.async_slices[on].label)));
  ImGui::EndTable();
  args_section(tr, m.args, st.args, "Args");
  other_fields_section(tr, m.extra, json::id_event_keys(m.scope != kNoStr, json::id_text_is_id2(tr.str(m.id))),
                       st.other, "Other fields");
}

std::string time_row(const Trace& tr, Time t) { return format_tick(t - tr.start, 1) + "   (" + abs_time(tr, t) + ")"; }

// An object instance or one of its snapshots: the instance's lifetime, then the snapshot's args,
// or the instance's creation args and its snapshots (a page at a time; a click selects one).
void draw_object(const ViewIndex& index, const Pick& pk, DetailsState& st, TimelineState* timeline) {
  const Trace& tr = index.trace();
  if (pk.group >= index.processes().size()) return;
  const ObjectTracks& ot = index.processes()[pk.group].objects;
  const bool snapshot = pk.kind == PickKind::Snapshot;
  if (snapshot ? pk.index >= ot.snapshots.size() : pk.index >= ot.instances.size()) return;
  const uint32_t inst = snapshot ? ot.instance_of_snapshot(pk.index) : pk.index;
  const ObjectInstance& o = ot.instances[inst];
  title(tr.name_of(o.label));
  if (!ImGui::BeginTable("##object", 2, ImGuiTableFlags_SizingFixedFit)) return;
  const Label& lab = tr.labels[o.label];
  row("Kind", snapshot ? "object snapshot (O)" : "object instance");
  row("Category", lab.cat ? tr.str(lab.cat) : "-");
  row("Id", tr.str(o.id));
  if (o.scope != kNoStr) row("Scope", tr.str(o.scope));
  const Process& p = tr.processes[index.processes()[pk.group].process];
  row("Process", p.name ? std::string(tr.str(p.name)) + " (" + std::string(tr.str(p.pid)) + ")"
                        : "pid " + std::string(tr.str(p.pid)));
  // The thread of the event at hand: the snapshot's, else the N's.
  const uint32_t by = snapshot ? ot.snapshots[pk.index] : o.created;
  if (by < tr.objects.size() && tr.objects[by].thread < tr.threads.size())
    row("Thread", thread_label(tr, tr.objects[by].thread));
  if (snapshot) {
    const uint32_t ev = ot.snapshots[pk.index];
    row("Time", time_row(tr, tr.objects[ev].ts));
    row("Snapshot", std::to_string(pk.index - o.snap_begin + 1) + " of " + std::to_string(o.snap_count));
  }
  row("Created", o.created != kNone ? time_row(tr, o.start) : time_row(tr, o.start) + "   (no N event)");
  if (o.destroyed != kNone) row("Destroyed", time_row(tr, o.end));
  else if (o.replaced) row("Destroyed", time_row(tr, o.end) + "   (replaced by a new N of the same id)");
  else row("Destroyed", "never: no D event (drawn to the trace's end)", &palette().warning);
  row("Lifetime", format_time_span(double(o.end - o.start), 4));
  if (!snapshot) row("Snapshots", std::to_string(o.snap_count));
  ImGui::EndTable();
  if (snapshot) {
    const ObjectEvent& e = tr.objects[ot.snapshots[pk.index]];
    args_section(tr, e.args, st.args, "Snapshot");
    other_fields_section(tr, e.extra, json::id_event_keys(e.scope != kNoStr, json::id_text_is_id2(tr.str(e.id))), st.other,
                         "Other fields");
    return;
  }
  if (o.created != kNone) {
    args_section(tr, tr.objects[o.created].args, st.args, "Creation args");
    const ObjectEvent& e = tr.objects[o.created];
    other_fields_section(tr, e.extra, json::id_event_keys(e.scope != kNoStr, json::id_text_is_id2(tr.str(e.id))), st.other,
                         "Other fields");
  }
  if (o.snap_count == 0) return;
  ImGui::Spacing();
  {
    FontScope bold(fonts().bold);
    ImGui::TextUnformatted("Snapshots");
  }
  const uint32_t shown = std::min(o.snap_count, st.snapshots_shown);
  for (uint32_t k = 0; k < shown; ++k) {
    const uint32_t snap = o.snap_begin + k;
    ImGui::PushID(int(k));
    const std::string text = "#" + std::to_string(k + 1) + "   " + time_row(tr, tr.objects[ot.snapshots[snap]].ts);
    if (selectable_text(text, false) && timeline) {
      timeline->selected = snapshot_pick(index, pk.group, snap);
      timeline->selection_changed = true;
    }
    ImGui::PopID();
  }
  if (shown < o.snap_count) {
    const std::string more = "Show " + std::to_string(std::min(o.snap_count - shown, kSnapshotPage)) + " more (" +
                             std::to_string(o.snap_count - shown) + " not shown)";
    if (small_button_text(more)) st.snapshots_shown = shown + kSnapshotPage;
  }
}

}  // namespace

void draw_details(const ViewIndex& index, const Pick& pick, DetailsState& state, TimelineState* timeline) {
  if (!(state.shown == pick)) {
    state.args.reset();
    state.end_args.reset();
    state.cpu_time_read = false;
    for (DetailsState::Other* o : {&state.other, &state.other_end}) {
      o->view.reset();
      o->made = false;
    }
    state.snapshots_shown = kSnapshotPage;
    state.all_parents = false;
    state.shown = pick;
  }
  switch (pick.kind) {
    case PickKind::Slice: draw_slice(index, pick, state, timeline); break;
    case PickKind::Async: draw_async(index, pick, state); break;
    case PickKind::Instant: draw_instant(index, pick, state); break;
    case PickKind::AsyncMark: draw_async_mark(index, pick, state); break;
    case PickKind::Object:
    case PickKind::Snapshot: draw_object(index, pick, state, timeline); break;
    default:
      ImGui::TextColored(palette().text_dim, "Click a slice or an object to see its details. Drag on the time axis to select a range.");
      break;
  }
}

}  // namespace vz
