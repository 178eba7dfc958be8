// One loaded trace on screen. See trace_view.h.
#include "app/trace_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <imgui.h>

#include "render/theme.h"

namespace vz {

TraceView::TraceView(LoadedTrace& trace) : t_(trace) {}

void TraceView::apply(const ViewRequest& r) {
  want_tab_ = r.tab;
  tab_requested_ = true;
  const Trace& tr = *t_.result.trace;
  if (r.has_range) {
    timeline_.has_range = true;
    timeline_.range_t0 = tr.start + r.range_t0;
    timeline_.range_t1 = tr.start + r.range_t1;
    timeline_.focus_t0 = timeline_.range_t0;
    timeline_.focus_t1 = timeline_.range_t1;
  }
  if (!r.select.empty()) {
    // The longest slice with that name, on any thread.
    Pick best;
    Time best_dur = -1;
    for (uint32_t th = 0; th < tr.threads.size(); ++th) {
      const SliceSet& s = tr.threads[th].slices;
      for (uint32_t i = 0; i < s.size(); ++i) {
        if (s.dur[i] > best_dur && tr.name_of(s.label[i]) == r.select) {
          best_dur = s.dur[i];
          best = Pick{PickKind::Slice, th, 0, i};
        }
      }
    }
    if (best.kind != PickKind::None) {
      timeline_.selected = best;
      timeline_.focus_thread = best.thread;
      if (!r.has_range) timeline_.want_zoom_selection = true;
    }
  }
}

std::string TraceView::status() const {
  const TimelineFrameStats& s = timeline_.stats;
  char buf[160];
  std::snprintf(buf, sizeof buf, "view %s  \xc2\xb7  %s/px  \xc2\xb7  %zu drawn, %zu folds", 
                format_time_span(timeline_.view.span()).c_str(), format_time_span(timeline_.view.ns_per_px()).c_str(),
                s.items, s.folds);
  return buf;
}

void TraceView::draw() {
  if (!ImGui::BeginTabBar("##tabs")) return;
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
  if (tab("Trace info", ViewTab::Info)) {
    draw_trace_info(*t_.result.trace, t_.summary, t_.result, t_.path, info_);
    ImGui::EndTabItem();
  }
  tab_requested_ = false;
  ImGui::EndTabBar();
}

void TraceView::draw_timeline_tab() {
  const float em = ImGui::GetFontSize();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  if (bottom_h_ <= 0) bottom_h_ = std::round(avail.y * 0.28f);
  bottom_h_ = std::clamp(bottom_h_, em * 4.0f, std::max(em * 4.0f, avail.y - em * 10.0f));
  const float splitter = std::round(em * 0.4f);
  const float top_h = std::max(avail.y - bottom_h_ - splitter, em * 6.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
  ImGui::BeginChild("##timeline_area", ImVec2(0, top_h), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  TimelineHighlight hl;
  draw_timeline(*t_.index, timeline_, hl);
  ImGui::EndChild();
  ImGui::PopStyleVar();
  // The splitter between the timeline and the details.
  ImGui::InvisibleButton("##split", ImVec2(-1, splitter));
  if (ImGui::IsItemActive()) bottom_h_ -= ImGui::GetIO().MouseDelta.y;
  if (ImGui::IsItemHovered() || ImGui::IsItemActive()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeNS);
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x, (a.y + b.y) * 0.5f), ImVec2(b.x, (a.y + b.y) * 0.5f),
                                      ImGui::GetColorU32(ImGuiCol_Separator));
  draw_bottom_panel(bottom_h_);
}

void TraceView::draw_bottom_panel(float height) {
  ImGui::BeginChild("##details", ImVec2(0, height), false);
  draw_details(*t_.index, timeline_.selected, details_, &timeline_);
  ImGui::EndChild();
}

}  // namespace vz
