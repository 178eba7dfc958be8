// The Compare tab: synchronized timelines of runs A and B, the diff table and the differential
// flamegraph. See compare_view.h.
#include "app/compare_view.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <cmath>
#include <cstdio>

#include "analysis/name_lookup.h"
#include "render/file_list.h"
#include "render/stats_panel.h"
#include "render/text_fit.h"
#include "render/theme.h"

namespace vz {

namespace {


// The name of a picked slice, async slice, instant, object or snapshot ("" for anything else).
std::string pick_name(const ViewIndex& index, const Pick& p) {
  const Trace& t = index.trace();
  switch (p.kind) {
    case PickKind::Slice: {
      const Thread& th = t.threads[p.thread];
      const SliceSet& s = p.set == 0 ? th.slices : th.overflow;
      return std::string(t.name_of(s.label[p.index]));
    }
    case PickKind::Async: return std::string(t.name_of(t.async_slices[p.index].label));
    case PickKind::AsyncMark: return std::string(t.name_of(t.async_marks[p.index].label));
    case PickKind::Instant: {
      const std::vector<Instant>& v = p.scope == Scope::Thread    ? t.threads[p.thread].instants
                                      : p.scope == Scope::Process ? t.process_instants
                                                                  : t.global_instants;
      return std::string(t.name_of(v[p.index].label));
    }
    case PickKind::Object:
    case PickKind::Snapshot: {
      const ObjectTracks& ot = index.processes()[p.group].objects;
      const uint32_t i = p.kind == PickKind::Object ? p.index : ot.instance_of_snapshot(p.index);
      return std::string(t.name_of(ot.instances[i].label));
    }
    default: return {};
  }
}

// Per Trace::labels index: 1 when loose_name() of the label's name is `loose`; empty when none is
// (labels_named's form, for loose names).
std::vector<uint8_t> labels_loosely_named(const Trace& t, const std::string& loose) {
  std::vector<uint8_t> mark(t.labels.size(), 0);
  bool any = false;
  for (uint32_t l = 0; l < t.labels.size(); ++l) any |= mark[l] = loose_name(t.str(t.labels[l].name)) == loose;
  if (!any) mark.clear();
  return mark;
}

bool same_side(const DiffSide& x, const DiffSide& y) { return x.thread == y.thread && x.t0 == y.t0 && x.t1 == y.t1; }
bool same_query(const DiffQuery& x, const DiffQuery& y) {
  return x.by == y.by && x.loose == y.loose && same_side(x.a, y.a) && same_side(x.b, y.b);
}

}  // namespace

CompareView::CompareView(LoadedTrace& a, LoadedTrace& b)
    : a_(a), b_(b), ta_(*a.result.trace), tb_(*b.result.trace) {
  sync_.align.origin_a = ta_.start;
  sync_.align.origin_b = tb_.start;
}

CompareView::~CompareView() = default;  // the diff tasks join before the traces can go

void CompareView::setup(const CompareSetup& s) {
  if (s.flamegraph) want_flame_tab_ = true;
  if (s.by_path) by_ = 1;
  if (s.loose) loose_ = true;
  if (s.side_by_side) side_by_side_ = true;
  if (s.has_range) {
    for (int side = 0; side < 2; ++side) {
      TimelineState& t = tl_[side];
      const Time start = (side == 0 ? ta_ : tb_).start;
      t.has_range = true;
      t.range_t0 = t.focus_t0 = start + s.range_t0;
      t.range_t1 = t.focus_t1 = start + s.range_t1;
      range_[side] = Range{true, t.range_t0, t.range_t1};
    }
    use_ranges_ = true;
  }
  if (!s.align.empty()) {
    align_mode_ = 1;
    std::snprintf(align_name_, sizeof align_name_, "%s", s.align.c_str());
    update_alignment();
  }
  if (!s.select.empty()) {
    tl_[0].selected = longest_named(ta_, s.select);
    tl_[1].selected = longest_named(tb_, s.select);
    // Loose names: the other run's function of that loose name (its line or directory differ).
    for (int side = 0; side < 2 && loose_; ++side) {
      const Trace& t = side == 0 ? ta_ : tb_;
      if (tl_[side].selected.kind != PickKind::None) continue;
      const std::vector<uint8_t> mark = labels_loosely_named(t, loose_name(s.select));
      for (uint32_t l = 0; l < mark.size() && tl_[side].selected.kind == PickKind::None; ++l)
        if (mark[l]) tl_[side].selected = longest_named(t, std::string(t.str(t.labels[l].name)));
    }
    // else an object so named, as the single view does
    if (tl_[0].selected.kind == PickKind::None && a_.index) tl_[0].selected = first_object_named(*a_.index, s.select);
    if (tl_[1].selected.kind == PickKind::None && b_.index) tl_[1].selected = first_object_named(*b_.index, s.select);
    for (TimelineState& t : tl_) {
      if (t.selected.kind == PickKind::Slice) t.focus_thread = t.selected.thread;
    }
    set_highlight(s.select);
  }
}

bool CompareView::busy() const {
  if (waiting_) return true;  // the last frame showed a placeholder
  for (const DiffSlot& s : diffs_) {
    if (!s.task->done()) return true;
  }
  return false;
}

void CompareView::set_highlight(const std::string& name) {
  // Loose names: a slice's full name becomes its row's loose one, which marks every label that
  // becomes it in each run.
  highlight_ = loose_ ? loose_name(name) : name;
  for (int side = 0; side < 2; ++side) {
    const Trace& t = side == 0 ? ta_ : tb_;
    std::vector<uint8_t>& mark = mark_[side];
    mark.clear();
    if (highlight_.empty()) continue;
    if (!loose_) {
      mark = labels_named(t, highlight_);
      continue;
    }
    mark = labels_loosely_named(t, highlight_);
    if (mark.empty()) mark = labels_named(t, highlight_);  // (a bare qualname: its definitions)
  }
  table_.selected = highlight_;
}

// ---------------------------------------------------------------------------------------------
// Header and timeline controls
// ---------------------------------------------------------------------------------------------

void CompareView::draw_header() {
  const Palette& p = palette();
  auto run = [&](const char* tag, const LoadedTrace& t) {
    {
      FontScope bold(fonts().bold);
      ImGui::TextColored(p.accent, "%s", tag);
    }
    ImGui::SameLine(0, 4);
    {
      FontScope bold(fonts().bold);
      ImGui::TextUnformatted(base_name(t.path).c_str());
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t.path.c_str());
    ImGui::SameLine();
    ImGui::TextColored(p.text_dim, "%s events, %s", format_count(t.result.trace->events).c_str(),
                       format_time_span(double(t.result.trace->end - t.result.trace->start), 3).c_str());
  };
  run("A:", a_);
  ImGui::SameLine();
  ImGui::TextColored(p.text_dim, "  vs  ");
  ImGui::SameLine();
  run("B:", b_);
  const char* buttons[] = {"Replace A\xe2\x80\xa6", "Replace B\xe2\x80\xa6", "Swap A/B", "Close comparison"};
  float buttons_w = ImGui::GetStyle().ItemSpacing.x * 3;
  for (const char* b : buttons) buttons_w += button_width(b);
  // Right-aligned after the runs, or on a line of their own when the window is too narrow.
  same_line_if_fits(buttons_w);
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - buttons_w));
  const CompareRequest what[] = {CompareRequest::ReplaceA, CompareRequest::ReplaceB, CompareRequest::Swap,
                                 CompareRequest::Close};
  for (int i = 0; i < 4; ++i) {
    if (i) ImGui::SameLine();
    if (ImGui::Button(buttons[i])) request_ = what[i];
  }
}

void CompareView::update_alignment() {
  align_error_.clear();
  RunAlignment al;
  al.origin_a = ta_.start;
  al.origin_b = tb_.start;
  if (align_mode_ == 1 && align_name_[0]) {
    Time at_a = 0, at_b = 0;
    const bool in_a = first_named(ta_, align_name_, &at_a);
    const bool in_b = first_named(tb_, align_name_, &at_b);
    if (in_a && in_b) {
      al.origin_a = at_a;
      al.origin_b = at_b;
    } else {
      align_error_ = !in_a && !in_b ? "in neither run" : !in_a ? "not in A" : "not in B";
    }
  } else if (align_mode_ == 2) {
    Time a0, a1, b0, b1;
    const bool in_a = pick_range(ta_, tl_[0].selected, &a0, &a1);
    const bool in_b = pick_range(tb_, tl_[1].selected, &b0, &b1);
    if (in_a && in_b) {
      al.origin_a = a0;
      al.origin_b = b0;
    } else {
      align_error_ = "select a slice or instant in each run";
    }
  }
  al.offset = Time(std::llround(offset_us_ * 1000.0));
  sync_.align = al;
}

void CompareView::draw_controls() {
  const Palette& p = palette();
  const float em = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(p.text_dim, "Layout");
  ImGui::SameLine();
  int layout = side_by_side_ ? 1 : 0;
  if (ImGui::RadioButton("A above B", &layout, 0)) side_by_side_ = false;
  ImGui::SameLine();
  if (ImGui::RadioButton("Side by side", &layout, 1)) side_by_side_ = true;
  ImGui::SameLine(0, em * 1.5f);
  ImGui::TextColored(p.text_dim, "Align");
  ImGui::SameLine();
  const char* modes[] = {"Trace starts", "First event named", "Selected events"};
  ImGui::SetNextItemWidth(em * 10.0f);
  bool changed = ImGui::Combo("##align", &align_mode_, modes, 3);
  if (align_mode_ == 1) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 12.0f);
    changed |= ImGui::InputTextWithHint("##align_name", "slice or instant name", align_name_, sizeof align_name_);
  }
  ImGui::SameLine(0, em * 1.5f);
  ImGui::TextColored(p.text_dim, "Offset B");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(em * 8.0f);
  // One pixel of drag moves B by one pixel of the current zoom.
  const float speed = float(std::max(tl_[0].view.ns_per_px(), 0.001) / 1000.0);
  changed |= ImGui::DragScalar("##offset", ImGuiDataType_Double, &offset_us_, speed, nullptr, nullptr,
                               "%.3f \xc2\xb5s");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Drag or type: moves B right (positive) or left on the shared axis");
  ImGui::SameLine();
  if (ImGui::SmallButton("0")) {
    offset_us_ = 0;
    changed = true;
  }
  // Selected-event alignment follows the selections as they change.
  if (align_mode_ == 2 && (tl_[0].selection_changed || tl_[1].selection_changed)) changed = true;
  if (changed) update_alignment();
  if (!align_error_.empty()) {
    ImGui::SameLine();
    ImGui::TextColored(p.warning, "(%s: aligned on the trace starts)", align_error_.c_str());
  }
  ImGui::SameLine(0, em * 1.5f);
  if (ImGui::SmallButton("Fit")) tl_[0].want_fit = true;
}

// ---------------------------------------------------------------------------------------------
// Timelines
// ---------------------------------------------------------------------------------------------

void CompareView::draw_one_timeline(int side, const char* id, float width, float height) {
  LoadedTrace& t = side == 0 ? a_ : b_;
  ImGui::BeginChild(id, ImVec2(width, height), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  {
    FontScope bold(fonts().bold);
    ImGui::TextColored(palette().accent, side == 0 ? "A:" : "B:");
    ImGui::SameLine(0, 4);
    ImGui::TextUnformatted(base_name(t.path).c_str());
  }
  if (!highlight_.empty()) {
    ImGui::SameLine();
    const std::string name = elide_bytes(highlight_, 200);  // (drawn byte for byte: NUL, "##")
    text_colored_bytes(palette().text_dim, mark_[side].empty() ? "  \xc2\xb7  no \"" + name + "\" here"
                                                               : "  \xc2\xb7  highlighting \"" + name + "\"");
    // That name's numbers in this run (the by-name diff of the current scope), B with its change.
    if (const DiffRow* row = highlighted_row()) {
      const DiffSums& sums = side == 0 ? row->a : row->b;
      ImGui::SameLine(0, 0);
      ImGui::TextColored(palette().text_dim, ": %s call%s, %s", format_count(sums.count).c_str(),
                         sums.count == 1 ? "" : "s", format_time_span(double(sums.total), 3).c_str());
      if (side == 1 && row->status == DiffStatus::Both) {
        const Palette& p = palette();
        ImGui::SameLine();
        ImGui::TextColored(row->delta_total > 0 ? p.error : row->delta_total < 0 ? p.info : p.text_dim, "(%s)",
                           format_delta_pct(row->delta_pct).c_str());
      }
    }
  }
  TimelineHighlight hl;
  hl.mark = &mark_[side];
  draw_timeline(*t.index, tl_[side], hl);
  ImGui::EndChild();
  TimelineState& st = tl_[side];
  if (st.drag != TimelineState::Drag::Range) range_[side] = Range{st.has_range, st.range_t0, st.range_t1};
  if (st.selection_changed) {
    const std::string name = pick_name(*t.index, st.selected);
    if (!name.empty() || st.selected.kind == PickKind::None) set_highlight(name);
  }
}

void CompareView::draw_timelines(float height) {
  sync_.prepare(ta_, tb_, tl_[0], tl_[1]);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  const float gap = std::round(ImGui::GetFontSize() * 0.35f);
  if (side_by_side_) {
    const float w = std::floor((ImGui::GetContentRegionAvail().x - gap) * 0.5f);
    draw_one_timeline(0, "##cmp_a", w, height);
    sync_.after_a(tl_[0], tl_[1]);
    ImGui::SameLine(0, gap);
    draw_one_timeline(1, "##cmp_b", w, height);
  } else {
    const float h = std::floor((height - gap) * 0.5f);
    draw_one_timeline(0, "##cmp_a", 0, h);
    sync_.after_a(tl_[0], tl_[1]);
    ImGui::Dummy(ImVec2(0, gap - ImGui::GetStyle().ItemSpacing.y));
    draw_one_timeline(1, "##cmp_b", 0, h);
  }
  sync_.after_b(tl_[0], tl_[1]);
  ImGui::PopStyleVar();
}

// ---------------------------------------------------------------------------------------------
// Diff table and differential flamegraph
// ---------------------------------------------------------------------------------------------

const DiffRow* CompareView::highlighted_row() {
  const DiffResult* d = diff(current_query(DiffBy::Name));
  if (!d || highlight_.empty()) return nullptr;
  const bool stale = row_for_ != d || row_name_ != highlight_ ||
                     (row_ != kNone && (row_ >= d->rows.size() || d->rows[row_].name != highlight_));
  if (stale) {  // look the name up once per result and name
    row_for_ = d;
    row_name_ = highlight_;
    row_ = kNone;
    for (uint32_t i = 0; i < d->rows.size(); ++i)
      if (d->rows[i].name == highlight_) row_ = i;
  }
  return row_ == kNone ? nullptr : &d->rows[row_];
}

DiffQuery CompareView::current_query(DiffBy by) const {
  DiffQuery q;
  q.by = by;
  q.loose = loose_;
  q.a.thread = thread_[0];
  q.b.thread = thread_[1];
  if (use_ranges_) {
    if (range_[0].on) q.a.t0 = range_[0].t0, q.a.t1 = range_[0].t1;
    if (range_[1].on) q.b.t0 = range_[1].t0, q.b.t1 = range_[1].t1;
  }
  return q;
}

const DiffResult* CompareView::diff(const DiffQuery& q) {
  auto it = std::find_if(diffs_.begin(), diffs_.end(), [&](const DiffSlot& s) { return same_query(s.query, q); });
  if (it == diffs_.end()) {
    // Keep a few recent diffs; drop the oldest finished one (a running one is cancelled).
    if (diffs_.size() >= 4) diffs_.erase(diffs_.begin());
    DiffSlot slot;
    slot.query = q;
    const Trace* a = &ta_;
    const Trace* b = &tb_;
    slot.task = std::make_unique<Task<DiffResult>>(
        [a, b, q](const std::atomic<bool>& cancel) { return diff_traces(*a, *b, q, 0, &cancel); });
    diffs_.push_back(std::move(slot));
    it = diffs_.end() - 1;
  }
  return it->task->done() ? &it->task->result() : nullptr;
}

void CompareView::draw_scope_row() {
  const Palette& p = palette();
  const float em = ImGui::GetFontSize();
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(p.text_dim, "Scope");
  for (int side = 0; side < 2; ++side) {
    const Trace& t = side == 0 ? ta_ : tb_;
    ImGui::SameLine();
    ImGui::TextUnformatted(side == 0 ? "A" : "B");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(em * 11.0f);
    const std::string current = thread_[side] == kNone ? "All threads" : thread_title(t, thread_[side]);
    ImGui::PushID(side);
    // Thread names are shown as they are (not as labels: "##" would hide the rest), cut to a fixed
    // width in the list so that its popup does not grow with a long name.
    if (begin_combo_text("##thread", current)) {
      if (ImGui::Selectable("All threads", thread_[side] == kNone)) thread_[side] = kNone;
      for (uint32_t th : t.thread_order()) {
        ImGui::PushID(int(th));
        if (selectable_text(fit_text(thread_title(t, th), em * 40.0f), th == thread_[side])) thread_[side] = th;
        ImGui::PopID();
      }
      ImGui::EndCombo();
    }
    ImGui::PopID();
  }
  same_line_if_fits(check_width("Range selections"));
  ImGui::Checkbox("Range selections", &use_ranges_);
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("Compare only the time ranges selected on each timeline (drag on a time axis);\n"
                      "a run without a range selection counts whole.");
  }
  if (!show_flame_) {
    same_line_if_fits(check_width("By name") + ImGui::GetStyle().ItemSpacing.x + check_width("By call path"),
                      em * 1.5f);
    ImGui::RadioButton("By name", &by_, 0);
    ImGui::SameLine();
    ImGui::RadioButton("By call path", &by_, 1);
  }
  same_line_if_fits(check_width("Loose names"), em * 1.5f);
  if (ImGui::Checkbox("Loose names", &loose_)) set_highlight(loose_ ? highlight_ : std::string());
  if (ImGui::IsItemHovered()) {
    ImGui::SetTooltip("Match viztracer's functions as \"f (file.py)\", without the directory and line of\n"
                      "\"f (/dir/file.py:LINE)\": those move between two versions of a program");
  }
}

void CompareView::draw_bottom() {
  const Palette& p = palette();
  if (ImGui::BeginTabBar("##cmp_tabs")) {
    if (ImGui::BeginTabItem("Diff table")) {
      show_flame_ = false;
      ImGui::EndTabItem();
    }
    const ImGuiTabItemFlags f = std::exchange(want_flame_tab_, false) ? ImGuiTabItemFlags_SetSelected : 0;
    if (ImGui::BeginTabItem("Differential flamegraph", nullptr, f)) {
      show_flame_ = true;
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  draw_scope_row();
  const DiffQuery q = current_query(show_flame_ || by_ == 1 ? DiffBy::Path : DiffBy::Name);
  const DiffResult* d = diff(q);
  waiting_ = d == nullptr;
  if (!d) {
    ImGui::TextColored(p.text_dim, "Comparing\xe2\x80\xa6");
    return;
  }
  const ImVec4& col = d->delta_total > 0 ? p.error : d->delta_total < 0 ? p.info : p.text;
  const std::string totals = "traced time " + format_time_span(double(d->total_a), 4) + " \xe2\x86\x92 " +
                             format_time_span(double(d->total_b), 4);
  // (from nothing traced there is no percentage)
  const std::string pct = std::isnan(d->delta_pct) ? std::string() : ", " + format_delta_pct(d->delta_pct);
  const std::string delta = std::string("(") + (d->delta_total >= 0 ? "+" : "-") +
                            format_time_span(std::fabs(double(d->delta_total)), 4) + pct + ")";
  same_line_if_fits(ImGui::CalcTextSize(totals.c_str()).x + ImGui::GetStyle().ItemSpacing.x +
                        ImGui::CalcTextSize(delta.c_str()).x,
                    ImGui::GetFontSize() * 1.5f);
  ImGui::TextUnformatted(totals.c_str());
  ImGui::SameLine();
  text_colored_bytes(col, delta);
  // What each side covers when it is not the whole run: a range selected on one timeline only
  // is compared with the whole of the other.
  if (thread_[0] != kNone || thread_[1] != kNone || use_ranges_) {
    std::string scope;
    for (int side = 0; side < 2; ++side) {
      const Trace& t = side == 0 ? ta_ : tb_;
      const std::string title = thread_[side] == kNone ? std::string() : thread_title(t, thread_[side]);
      std::string what(fit_text(title, ImGui::GetFontSize() * 12.0f));
      if (use_ranges_ && range_[side].on) {
        what += (what.empty() ? "" : ", ") + format_time_span(double(range_[side].t0 - t.start), 4) + " \xe2\x80\x93 " +
                format_time_span(double(range_[side].t1 - t.start), 4);
      }
      scope += std::string(side == 0 ? "A: " : "  \xc2\xb7  B: ") + (what.empty() ? "whole run" : what);
    }
    ImGui::TextColored(p.text_dim, "Compared: %s", scope.c_str());
  }
  if (show_flame_) {
    ImGui::BeginChild("##diff_flame", ImVec2(0, 0), false);
    draw_diff_flamegraph(*d, flame_, highlight_);
    ImGui::EndChild();
    return;
  }
  if (table_for_ != d) {  // a new result (scope, by, loose names): keep selection, filter, sort
    DiffTableState fresh;
    fresh.selected = table_.selected;
    std::memcpy(fresh.filter, table_.filter, sizeof fresh.filter);
    fresh.sort_column = table_.sort_column;
    fresh.ascending = table_.ascending;
    table_ = std::move(fresh);
    table_for_ = d;
  }
  if (draw_diff_table(*d, table_)) set_highlight(table_.selected);
}

// ---------------------------------------------------------------------------------------------
// The tab
// ---------------------------------------------------------------------------------------------

void CompareView::draw() {
  const float em = ImGui::GetFontSize();
  draw_header();
  draw_controls();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bottom_h = bottom_.height(avail.y, em);
  const float splitter = std::round(em * 0.4f);
  const float top_h = std::max(avail.y - bottom_h - splitter, em * 10.0f);
  draw_timelines(top_h);
  bottom_.bar("##cmp_split", bottom_h, splitter);
  ImGui::BeginChild("##cmp_bottom", ImVec2(0, 0), false);
  draw_bottom();
  ImGui::EndChild();
}

}  // namespace vz
