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
    auto thread_name = [&](uint32_t th) { return thread_title(trace_, th); };
    ImGui::SetNextItemWidth(em * 14.0f);
    // Thread names are shown as they are (not as labels: "##" would hide the rest), cut to a fixed
    // width in the list so that its popup does not grow with a long name.
    if (begin_combo_text("##thread", flame_thread_ == kNone ? "-" : thread_name(flame_thread_))) {
      for (uint32_t th : trace_.thread_order()) {
        ImGui::PushID(int(th));
        if (selectable_text(fit_text(thread_name(th), em * 40.0f), th == flame_thread_)) flame_thread_ = th;
        ImGui::PopID();
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
    } else if (const uint64_t size = folded_size(trace_, *tree); size > kMaxFoldedBytes) {
      char msg[200];
      std::snprintf(msg, sizeof msg,
                    "Not written: the folded stacks would take %.1f GB (each line repeats its whole stack).",
                    double(size) / 1e9);
      export_message_ = msg;
    } else {
      AtomicFile f;
      std::string err;
      bool ok = f.open(export_path_, &err);
      if (ok) {
        write_folded_stacks(trace_, *tree, [&](std::string_view piece) { return f.write(piece); });
        ok = f.commit(&err);  // reports a failed write too
      }
      if (ok) {
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
    const RangeQuery q{kTimeMin, kTimeMax, kNone};  // every slice (the range is half-open)
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
  if (compare_view_) {
    compare_view_->draw();
    return;
  }
  if (compare_job_) draw_compare_loading();
}

// Run B still loading: its own progress bar, under A which is already on screen.
void TraceView::draw_compare_loading() {
  const Palette& p = palette();
  const float em = ImGui::GetFontSize();
  const LoadProgress& pr = compare_job_->progress();
  const uint64_t done = pr.bytes_done.load(std::memory_order_relaxed);
  const uint64_t total = pr.bytes_total.load(std::memory_order_relaxed);
  const int phase = pr.phase.load(std::memory_order_relaxed);
  {
    FontScope bold(fonts().bold);
    ImGui::TextColored(p.accent, "B:");
    ImGui::SameLine(0, 4);
    const std::string title = "loading " + compare_job_->path();
    ImGui::TextUnformatted(title.c_str());
  }
  float frac = total > 0 ? float(double(std::min(done, total)) / double(total)) : 0.0f;
  if (phase >= int(LoadPhase::Building)) frac = 1.0f;
  char overlay[32];
  std::snprintf(overlay, sizeof overlay, "%.0f%%", double(frac) * 100.0);
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, p.accent);
  ImGui::ProgressBar(frac, ImVec2(std::min(ImGui::GetContentRegionAvail().x, em * 30.0f), em * 1.4f), overlay);
  ImGui::PopStyleColor();
  ImGui::SameLine();
  if (ImGui::Button("Cancel")) compare_job_->cancel();
  ImGui::TextColored(p.text_dim, "%s events so far  Â·  %.1f s", 
                     format_count(pr.events.load(std::memory_order_relaxed)).c_str(), compare_job_->elapsed_seconds());
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
      {"Click an async / Objects track name", "all lanes / the first 15 + a grey summary row"},
      {"Click a thread's name", "fold its track to the top row / unfold it"},
      {"Esc", "clear the selection, then the range"},
      {"Ctrl+F", "search names"},
      {"Enter / Shift+Enter", "next / previous match"},
      {"Ctrl+O", "open a file"},
      {"F5", "reload"},
      {"Ctrl+W", "close the trace"},
      {"Ctrl+Q", "quit"},
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
