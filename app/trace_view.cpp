// One loaded trace on screen: tabs, timeline tab, bottom panel, search. See trace_view.h.
// The flamegraph and statistics tabs and the overlays are in trace_view_tabs.cpp.
#include "app/trace_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "render/theme.h"

namespace vz {

TraceView::TraceView(LoadedTrace& trace) : t_(trace), trace_(*trace.result.trace) {
  const std::string stem = t_.path.substr(0, t_.path.find_last_of('.'));
  std::snprintf(export_path_, sizeof export_path_, "%s.folded", stem.c_str());
}

TraceView::~TraceView() {
  if (search_job_) search_job_->cancel();
  search_task_.reset();  // joins the worker before the job goes
  search_job_.reset();
}

void TraceView::set_compare(LoadedTrace* b) {
  compare_view_.reset();  // joins diffs still reading the previous B
  if (!b) return;
  compare_view_ = std::make_unique<CompareView>(t_, *b);
  compare_view_->setup(std::exchange(compare_setup_, CompareSetup{}));
}

void TraceView::apply(const ViewRequest& r) {
  want_tab_ = r.tab;
  tab_requested_ = true;
  if (r.has_range) {
    timeline_.has_range = true;
    timeline_.range_t0 = trace_.start + r.range_t0;
    timeline_.range_t1 = trace_.start + r.range_t1;
    timeline_.focus_t0 = timeline_.range_t0;
    timeline_.focus_t1 = timeline_.range_t1;
    start_range_stats();
    // The flamegraph asked for with a range is that range's.
    if (r.tab == ViewTab::Flamegraph) flame_scope_ = 1;
  }
  if (!r.select.empty()) {
    // The longest slice with that name, on any thread; else the longest async slice; else the
    // first object; else the first async mark.
    Pick best = longest_named(trace_, r.select);
    if (best.kind == PickKind::Async) {
      timeline_.selected = best;
      if (!r.has_range) pick_range(trace_, best, &timeline_.focus_t0, &timeline_.focus_t1);
    } else if (best.kind == PickKind::Slice) {
      timeline_.selected = best;
      timeline_.focus_thread = best.thread;
      if (!r.has_range) timeline_.want_zoom_selection = true;
    } else if (best.kind == PickKind::None && t_.index) {
      // No such slice: the first object named so, shown with the object's whole lifetime in view.
      best = first_object_named(*t_.index, r.select);
      if (best.kind == PickKind::AsyncMark) {  // in view with the whole async slice it is on
        timeline_.selected = best;
        const Pick on{PickKind::Async, kNone, 0, t_.index->async_mark_slice(best.index)};
        if (!r.has_range) pick_range(trace_, on, &timeline_.focus_t0, &timeline_.focus_t1);
      } else if (best.kind != PickKind::None) {
        timeline_.selected = best;
        const ObjectTracks& ot = t_.index->processes()[best.group].objects;
        const ObjectInstance& o = ot.instances[best.kind == PickKind::Object ? best.index : ot.instance_of_snapshot(best.index)];
        if (!r.has_range) {
          timeline_.focus_t0 = o.start;
          timeline_.focus_t1 = o.end;
        }
      }
    }
  }
  if (!r.select.empty() && timeline_.selected.kind == PickKind::None)
    std::fprintf(stderr, "vizviewer: --select: no slice, async slice or object is named '%s'\n",
                 r.select.c_str());
  if (r.shortcuts) want_shortcuts_ = true;
  compare_setup_ = r.compare;
  if (compare_view_) compare_view_->setup(std::exchange(compare_setup_, CompareSetup{}));
  if (!r.search.empty()) {
    std::snprintf(search_text_, sizeof search_text_, "%s", r.search.c_str());
    start_search(search_text_);
  }
  if (!r.tracks.empty()) {
    std::snprintf(track_filter_, sizeof track_filter_, "%s", r.tracks.c_str());
    timeline_.track_filter = track_filter_;
  }
}

bool TraceView::busy() const {
  if (search_task_ && !search_task_->done()) return true;
  if (range_task_ && !range_task_->done()) return true;
  if (all_task_ && !all_task_->done()) return true;
  if (compare_view_ && compare_view_->busy()) return true;
  for (const TreeSlot& s : trees_) {
    if (s.task && !s.task->done()) return true;
  }
  return false;
}

std::string TraceView::status() const {
  if (tab_ != ViewTab::Timeline) return {};  // (the view's numbers are the Timeline tab's)
  const TimelineFrameStats& s = timeline_.stats;
  char buf[200];
  std::snprintf(buf, sizeof buf, "view %s  \xc2\xb7  %s/px  \xc2\xb7  %zu drawn, %zu folded runs",
                format_time_span(timeline_.view.span()).c_str(), format_time_span(timeline_.view.ns_per_px()).c_str(),
                s.items, s.folds);
  return buf;
}

void TraceView::draw() {
  poll_search();
  handle_keys();
  draw_toolbar();
  if (ImGui::BeginTabBar("##tabs")) {
    auto tab = [&](const char* name, ViewTab which) {
      const ImGuiTabItemFlags f = (tab_requested_ && want_tab_ == which) ? ImGuiTabItemFlags_SetSelected : 0;
      if (!ImGui::BeginTabItem(name, nullptr, f)) return false;
      tab_ = which;
      return true;
    };
    if (tab("Timeline", ViewTab::Timeline)) {
      draw_timeline_tab();
      ImGui::EndTabItem();
    }
    if (tab("Flamegraph", ViewTab::Flamegraph)) {
      draw_flamegraph_tab();
      ImGui::EndTabItem();
    }
    if (tab("Statistics", ViewTab::Stats)) {
      draw_stats_tab();
      ImGui::EndTabItem();
    }
    if (tab("Trace info", ViewTab::Info)) {
      draw_trace_info(trace_, t_.summary, t_.result, t_.path, info_);
      ImGui::EndTabItem();
    }
    if ((compare_view_ || compare_job_) && tab("Compare", ViewTab::Compare)) {
      draw_compare_tab();
      ImGui::EndTabItem();
    }
    tab_requested_ = false;
    ImGui::EndTabBar();
  }
  draw_shortcuts();
  draw_export_popup();
}

// ---------------------------------------------------------------------------------------------
// Search
// ---------------------------------------------------------------------------------------------

void TraceView::draw_toolbar() {
  const float em = ImGui::GetFontSize();
  if (focus_search_) {
    ImGui::SetKeyboardFocusHere();
    focus_search_ = false;
  }
  ImGui::SetNextItemWidth(em * 20.0f);
  const bool enter = ImGui::InputTextWithHint("##search", "Search names  (Ctrl+F)", search_text_, sizeof search_text_,
                                              ImGuiInputTextFlags_EnterReturnsTrue);
  if (ImGui::IsItemEdited()) start_search(search_text_);
  if (enter) {
    jump_to_match(!ImGui::GetIO().KeyShift);
    focus_search_ = true;  // stay in the box: Enter again goes to the next match
  }
  ImGui::SameLine();
  const bool any = search_job_ && search_job_->match_count() > 0;
  ImGui::BeginDisabled(!any);
  if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) jump_to_match(false);
  ImGui::SameLine(0, 2);
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) jump_to_match(true);
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (search_job_) {
    const uint64_t n = search_job_->match_count();
    const char* more = search_job_->done() ? "" : "\xe2\x80\xa6";
    ImGui::TextColored(n ? palette().text : palette().text_dim, "%s match%s%s", format_count(n).c_str(),
                       n == 1 ? "" : "es", more);
  } else {
    ImGui::TextColored(palette().text_dim, "Enter: next match  \xc2\xb7  Shift+Enter: previous");
  }
  const float help_w = ImGui::CalcTextSize("?").x + ImGui::GetStyle().FramePadding.x * 2;
  // The timeline's track filter, right-aligned before the help button (after the search's text
  // when the window is too narrow for both).
  const float filter_w = em * 12.0f, gap = ImGui::GetStyle().ItemSpacing.x;
  ImGui::SameLine();
  const float at = ImGui::GetWindowContentRegionMax().x - help_w - gap - filter_w;
  if (at > ImGui::GetCursorPosX()) ImGui::SetCursorPosX(at);
  ImGui::SetNextItemWidth(filter_w);
  if (timeline_.track_filter != track_filter_)  // the timeline cleared it (a selection it hid)
    std::snprintf(track_filter_, sizeof track_filter_, "%s", timeline_.track_filter.c_str());
  if (ImGui::InputTextWithHint("##tracks", "Filter tracks", track_filter_, sizeof track_filter_))
    timeline_.track_filter = track_filter_;
  if (ImGui::IsItemHovered() && !ImGui::IsItemActive())
    ImGui::SetTooltip("Timeline: only the threads, counters and async tracks whose name (or tid)\n"
                      "contains this text, and whole processes whose name or pid does");
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - help_w);
  if (ImGui::Button("?")) want_shortcuts_ = true;
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Keyboard shortcuts (?)");
}

void TraceView::start_search(const std::string& text) {
  if (search_job_) search_job_->cancel();
  search_task_.reset();
  search_job_.reset();
  search_results_.clear();
  current_match_ = {};
  search_labels_.clear();
  if (!text.empty()) {
    SearchQuery q{text, false};
    search_labels_ = match_labels(trace_, q);
    search_job_ = std::make_unique<SearchJob>(trace_, q);
    SearchJob* job = search_job_.get();
    search_task_ = std::make_unique<Task<bool>>([job](const std::atomic<bool>&) {
      job->run();
      return true;
    });
  }
  update_highlight();
}

void TraceView::poll_search() {
  if (search_job_) search_results_ = search_job_->results();
}

void TraceView::jump_to_match(bool forward) {
  if (!search_job_) return;
  search_results_ = search_job_->results();
  const Time at = current_match_.valid() ? 0 : timeline_.view.time_at(timeline_.view.width() / 2);
  MatchRef m = forward ? next_match(trace_, search_results_, at, current_match_)
                       : prev_match(trace_, search_results_, at, current_match_);
  if (!m.valid()) {  // wrap around
    m = forward ? next_match(trace_, search_results_, trace_.start - 1)
                : prev_match(trace_, search_results_, trace_.end + 1);
  }
  if (!m.valid()) return;
  current_match_ = m;
  const Pick p{PickKind::Slice, m.thread, uint8_t(m.overflow ? 1 : 0), m.index};
  timeline_.selected = p;
  timeline_.focus_thread = m.thread;
  Time t0, t1;
  pick_range(trace_, p, &t0, &t1);
  timeline_.focus_t0 = t0;
  timeline_.focus_t1 = std::max(t1, t0 + 1);
  want_tab_ = ViewTab::Timeline;
  tab_requested_ = tab_ != ViewTab::Timeline;
}

void TraceView::update_highlight() {
  highlight_.clear();
  if (highlight_name_ != kNoStr) {
    highlight_.assign(trace_.labels.size(), 0);
    for (uint32_t l = 0; l < trace_.labels.size(); ++l) highlight_[l] = trace_.labels[l].name == highlight_name_;
  } else if (!search_labels_.empty()) {
    highlight_ = search_labels_;
  }
}

void TraceView::handle_keys() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl && ImGui::IsKeyPressed('F', false)) focus_search_ = true;
  if (!io.WantTextInput && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) && search_job_) {
    jump_to_match(!io.KeyShift);
  }
  if (!io.WantTextInput && !io.KeyCtrl && io.InputQueueCharacters.Size > 0) {
    for (ImWchar c : io.InputQueueCharacters) {
      if (c == '?') want_shortcuts_ = true;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Timeline tab and the panel under it
// ---------------------------------------------------------------------------------------------

void TraceView::start_range_stats() {
  range_task_.reset();
  if (!timeline_.has_range) return;
  const RangeQuery q{timeline_.range_t0, timeline_.range_t1, kNone};
  const Trace* tr = &trace_;
  range_task_ = std::make_unique<Task<RangeStats>>(
      [tr, q](const std::atomic<bool>& cancel) { return range_stats(*tr, q, 0, &cancel); });
}

void TraceView::draw_timeline_tab() {
  const float em = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bottom_h = bottom_.height(avail.y, em);
  const float splitter = std::round(em * 0.4f);
  const float top_h = std::max(avail.y - bottom_h - splitter, em * 6.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::BeginChild("##timeline_area", ImVec2(0, top_h), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  TimelineHighlight hl;
  hl.mark = &highlight_;
  if (highlight_name_ == kNoStr && !search_labels_.empty()) hl.matches = &search_results_;
  draw_timeline(*t_.index, timeline_, hl);
  ImGui::EndChild();
  ImGui::PopStyleVar();
  if (timeline_.range_changed) start_range_stats();
  if (timeline_.selection_changed && timeline_.selected.kind == PickKind::Slice) {
    current_match_ = MatchRef{timeline_.selected.thread, timeline_.selected.set == 1, timeline_.selected.index};
  }
  bottom_.bar("##split", bottom_h, splitter);  // between the timeline and the panel under it
  draw_bottom_panel(bottom_h);
}

void TraceView::draw_bottom_panel(float height) {
  const bool range = timeline_.has_range;
  const float w = ImGui::GetContentRegionAvail().x;
  ImGui::BeginChild("##details", ImVec2(range ? std::round(w * 0.42f) : 0.0f, height), false);
  draw_details(*t_.index, timeline_.selected, details_, &timeline_);
  ImGui::EndChild();
  if (!range) return;
  ImGui::SameLine();
  ImGui::BeginChild("##range", ImVec2(0, height), false);
  {
    FontScope bold(fonts().bold);
    ImGui::Text("Range %s", format_time_span(double(timeline_.range_t1 - timeline_.range_t0), 4).c_str());
  }
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, "%s \xe2\x80\x93 %s  \xc2\xb7  time inside the range, per name",
                     format_tick(timeline_.range_t0 - trace_.start, 1).c_str(),
                     format_tick(timeline_.range_t1 - trace_.start, 1).c_str());
  if (!range_task_ || !range_task_->done()) {
    ImGui::TextColored(palette().text_dim, "Computing\xe2\x80\xa6");
  } else if (draw_stats_table(trace_, range_task_->result(), range_table_)) {
    highlight_name_ = range_table_.selected;
    update_highlight();
  }
  ImGui::EndChild();
}

}  // namespace vz
