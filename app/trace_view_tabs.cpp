// The Flamegraph and Statistics tabs, the folded-stacks export and the shortcut overlay.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/trace_view.h"
#include "formats/io.h"
#include "render/theme.h"

namespace vz {

// ---------------------------------------------------------------------------------------------
// Flamegraph
// ---------------------------------------------------------------------------------------------

const CallTree* TraceView::call_tree(const CallTreeQuery& q, bool inverted, float* progress) {
  auto same = [&](const TreeSlot& s) {
    return s.query.thread == q.thread && s.query.t0 == q.t0 && s.query.t1 == q.t1 && s.inverted == inverted;
  };
  auto it = std::find_if(trees_.begin(), trees_.end(), same);
  if (it == trees_.end()) {
    if (trees_.size() >= 8) trees_.erase(trees_.begin());  // keep the cache small
    TreeSlot slot;
    slot.query = q;
    slot.inverted = inverted;
    slot.progress = std::make_unique<WorkProgress>();
    const Trace* tr = &trace_;
    WorkProgress* pr = slot.progress.get();
    slot.task = std::make_unique<Task<CallTree>>([tr, q, inverted, pr](const std::atomic<bool>& cancel) {
      CallTree top = build_call_tree(*tr, q, 0, &cancel, pr);
      return inverted ? invert_call_tree(*tr, top) : top;
    });
    trees_.push_back(std::move(slot));
    it = trees_.end() - 1;
  }
  if (!it->task->done()) {
    const uint64_t total = it->progress->total.load(std::memory_order_relaxed);
    *progress = total ? float(double(it->progress->done.load(std::memory_order_relaxed)) / double(total)) : 0.0f;
    return nullptr;
  }
  return &it->task->result();
}

void TraceView::draw_flamegraph_tab() {
  const float em = ImGui::GetFontSize();
  const char* scopes[] = {"Whole trace", "Range selection", "One thread"};
  ImGui::SetNextItemWidth(em * 11.0f);
  ImGui::Combo("##scope", &flame_scope_, scopes, 3);
  if (flame_scope_ == 2) {
    ImGui::SameLine();
    if (flame_thread_ >= trace_.threads.size()) flame_thread_ = trace_.thread_order().empty() ? kNone : trace_.thread_order()[0];
    auto thread_name = [&](uint32_t th) {
      const Thread& t = trace_.threads[th];
      return (t.name ? std::string(trace_.str(t.name)) + " " : std::string("tid ")) + std::string(trace_.str(t.tid));
    };
    ImGui::SetNextItemWidth(em * 14.0f);
    if (ImGui::BeginCombo("##thread", flame_thread_ == kNone ? "-" : thread_name(flame_thread_).c_str())) {
      for (uint32_t th : trace_.thread_order()) {
        if (ImGui::Selectable(thread_name(th).c_str(), th == flame_thread_)) flame_thread_ = th;
      }
      ImGui::EndCombo();
    }
  }
  ImGui::SameLine();
  ImGui::Checkbox("Bottom-up", &flame_inverted_);
  ImGui::SameLine();
  if (ImGui::Button("Export folded\xe2\x80\xa6")) want_export_ = true;
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, "click: zoom  \xc2\xb7  right-click: up one level");

  CallTreeQuery q;
  if (flame_scope_ == 1) {
    if (!timeline_.has_range) {
      ImGui::TextColored(palette().text_dim, "No range selected: drag on the timeline's time axis to select one.");
      return;
    }
    q.t0 = timeline_.range_t0;
    q.t1 = timeline_.range_t1;
  } else if (flame_scope_ == 2) {
    q.thread = flame_thread_;
  }
  float progress = 0;
  const CallTree* tree = call_tree(q, flame_inverted_, &progress);
  if (!tree) {
    ImGui::TextColored(palette().text_dim, "Building the call tree\xe2\x80\xa6");
    ImGui::ProgressBar(progress, ImVec2(em * 20.0f, 0));
    return;
  }
  if (tree->root().total == 0) {
    ImGui::TextColored(palette().text_dim, "No slices in this scope.");
    return;
  }
  draw_flamegraph(trace_, *tree, flame_, search_text_);
}

void TraceView::draw_export_popup() {
  if (std::exchange(want_export_, false)) {
    export_message_.clear();
    ImGui::OpenPopup("Export folded stacks");
  }
  const float em = ImGui::GetFontSize();
  ImGui::SetNextWindowSize(ImVec2(em * 36.0f, 0));
  if (!ImGui::BeginPopupModal("Export folded stacks", nullptr, ImGuiWindowFlags_NoResize)) return;
  ImGui::TextWrapped("The flamegraph's call tree as folded stacks (\"a;b;c 1234\" per line, self time in ns), "
                     "for flamegraph.pl and speedscope.");
  ImGui::SetNextItemWidth(-1);
  const bool enter = ImGui::InputText("##path", export_path_, sizeof export_path_, ImGuiInputTextFlags_EnterReturnsTrue);
  if (!export_message_.empty()) ImGui::TextWrapped("%s", export_message_.c_str());
  if (ImGui::Button("Save", ImVec2(em * 6, 0)) || enter) {
    float progress = 0;
    CallTreeQuery q;
    if (flame_scope_ == 1 && timeline_.has_range) {
      q.t0 = timeline_.range_t0;
      q.t1 = timeline_.range_t1;
    } else if (flame_scope_ == 2) {
      q.thread = flame_thread_;
    }
    const CallTree* tree = call_tree(q, flame_inverted_, &progress);
    if (!tree) {
      export_message_ = "The call tree is still being built; try again in a moment.";
    } else {
      const std::string text = folded_stacks(trace_, *tree);
      AtomicFile f;
      std::string err;
      if (f.open(export_path_, &err) && f.write(text) && f.commit(&err)) {
        export_message_.clear();
        ImGui::CloseCurrentPopup();
      } else {
        export_message_ = "Could not write " + std::string(export_path_) + ": " + err;
      }
    }
  }
  ImGui::SameLine();
  if (ImGui::Button("Cancel", ImVec2(em * 6, 0)) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
    ImGui::CloseCurrentPopup();
  }
  ImGui::EndPopup();
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

void TraceView::draw_stats_tab() {
  if (!all_task_) {
    const Trace* tr = &trace_;
    const RangeQuery q{tr->start, tr->end, kNone};
    all_task_ = std::make_unique<Task<RangeStats>>(
        [tr, q](const std::atomic<bool>& cancel) { return range_stats(*tr, q, 0, &cancel); });
  }
  {
    FontScope bold(fonts().bold);
    ImGui::TextUnformatted("Per function, whole trace");
  }
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, "click a row to highlight its slices on the timeline");
  if (!all_task_->done()) {
    ImGui::TextColored(palette().text_dim, "Computing\xe2\x80\xa6");
    return;
  }
  if (draw_stats_table(trace_, all_task_->result(), all_table_)) {
    highlight_name_ = all_table_.selected;
    update_highlight();
  }
}

// ---------------------------------------------------------------------------------------------
// Compare
// ---------------------------------------------------------------------------------------------

void TraceView::draw_compare_tab() {
  const Trace& b = *compare_->result.trace;
  auto base = [](const std::string& p) { return p.substr(p.find_last_of('/') == std::string::npos ? 0 : p.find_last_of('/') + 1); };
  {
    FontScope bold(fonts().bold);
    ImGui::Text("A: %s", base(t_.path).c_str());
  }
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, " vs ");
  ImGui::SameLine();
  {
    FontScope bold(fonts().bold);
    ImGui::Text("B: %s", base(compare_->path).c_str());
  }
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, "   whole traces, every thread");
  ImGui::RadioButton("By name", &compare_by_, 0);
  ImGui::SameLine();
  ImGui::RadioButton("By call path", &compare_by_, 1);
  if (compare_task_by_ != compare_by_) {
    compare_task_by_ = compare_by_;
    diff_table_ = DiffTableState{};
    DiffQuery q;
    q.by = compare_by_ == 0 ? DiffBy::Name : DiffBy::Path;
    const Trace* ta = &trace_;
    const Trace* tb = &b;
    diff_task_ = std::make_unique<Task<DiffResult>>(
        [ta, tb, q](const std::atomic<bool>& cancel) { return diff_traces(*ta, *tb, q, 0, &cancel); });
  }
  if (!diff_task_->done()) {
    ImGui::TextColored(palette().text_dim, "Comparing\xe2\x80\xa6");
    return;
  }
  const DiffResult& d = diff_task_->result();
  ImGui::SameLine();
  const double pct = d.delta_pct;
  const ImVec4& col = d.delta_total > 0 ? palette().error : d.delta_total < 0 ? palette().info : palette().text;
  ImGui::Text("   traced time %s \xe2\x86\x92 %s", format_time_span(double(d.total_a), 4).c_str(),
              format_time_span(double(d.total_b), 4).c_str());
  ImGui::SameLine();
  ImGui::TextColored(col, "(%s%s, %+.1f%%)", d.delta_total >= 0 ? "+" : "-",
                     format_time_span(std::fabs(double(d.delta_total)), 4).c_str(), std::isnan(pct) ? 0.0 : pct);
  if (draw_diff_table(d, diff_table_)) {
    // Highlight the selected name on A's timeline (by path: the last frame's name).
    const std::string& key = diff_table_.selected;
    const StrId id = key.empty() ? kNoStr : trace_.strings.find(key);
    highlight_name_ = id == kNone ? kNoStr : id;
    update_highlight();
  }
}

// ---------------------------------------------------------------------------------------------
// Shortcut overlay
// ---------------------------------------------------------------------------------------------

void TraceView::draw_shortcuts() {
  if (std::exchange(want_shortcuts_, false)) ImGui::OpenPopup("Keyboard shortcuts");
  const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
  ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (!ImGui::BeginPopupModal("Keyboard shortcuts", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) return;
  static const char* kRows[][2] = {
      {"Mouse wheel", "zoom around the cursor"},
      {"Shift + wheel, wheel over names", "scroll the tracks"},
      {"Drag", "pan (both directions)"},
      {"Drag on the time axis", "select a time range"},
      {"W / S", "zoom in / out"},
      {"A / D", "pan left / right"},
      {"F", "zoom to the selection (slice or range)"},
      {"0 / Home", "fit the whole trace"},
      {"Click", "select a slice (a folded block zooms into it)"},
      {"Click a process header", "collapse / expand it"},
      {"Click a counter's name", "stacked / overlaid series"},
      {"Esc", "clear the selection, then the range"},
      {"Ctrl+F", "search names"},
      {"Enter / Shift+Enter", "next / previous match"},
      {"Ctrl+O", "open a file"},
      {"F5", "reload"},
      {"?", "this overlay"},
  };
  if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) {
    for (const auto& r : kRows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      {
        FontScope mono(fonts().mono);
        ImGui::TextColored(palette().accent, "%s", r[0]);
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r[1]);
    }
    ImGui::EndTable();
  }
  ImGui::Spacing();
  if (ImGui::Button("Close") || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
  ImGui::EndPopup();
}

}  // namespace vz
