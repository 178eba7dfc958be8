// The viewer's state and screens. See viewer.h.
//
// Sections
//   1. Screens: start, loading, error, the trace view
//   2. Menu bar, popups, status bar, shortcuts
#include "app/viewer.h"

#include <glad/gl.h>  // before GLFW, so GLFW does not include the system GL header
#include <GLFW/glfw3.h>

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "render/file_list.h"
#include "render/stats_panel.h"
#include "render/theme.h"

#ifndef VZ_VERSION
#define VZ_VERSION "dev"
#endif

namespace vz {
namespace {

const char* phase_label(int phase) {
  switch (LoadPhase(phase)) {
    case LoadPhase::Opening: return "Opening";
    case LoadPhase::Inflating: return "Decompressing";
    case LoadPhase::Parsing: return "Parsing events";
    case LoadPhase::Building: return "Building indexes";
    case LoadPhase::Done: return "Summarizing";
  }
  return "Loading";
}


// Text centred horizontally in the current region.
void text_centered(const char* s, const ImVec4& color) {
  const float w = ImGui::CalcTextSize(s).x;
  const float avail = ImGui::GetContentRegionAvail().x;
  if (avail > w) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - w) * 0.5f);
  ImGui::TextColored(color, "%s", s);
}

// Begins a bordered card `width` wide, centred in the remaining region. Its height is what the
// content measured on the previous frame (`*height`, 0 at first); end_card() updates it.
void begin_card(const char* id, float width, float* height) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float em = ImGui::GetFontSize();
  const ImVec2 size(std::min(width, avail.x), std::min(*height > 0 ? *height : em * 20.0f, avail.y));
  const ImVec2 cur = ImGui::GetCursorPos();
  ImGui::SetCursorPos(ImVec2(cur.x + (avail.x - size.x) * 0.5f,
                             cur.y + std::max(0.0f, (avail.y - size.y) * 0.42f)));
  ImGui::PushStyleColor(ImGuiCol_ChildBg, palette().card_bg);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em * 1.8f, em * 1.4f));
  ImGui::PushStyleVar(ImGuiStyleVar_ChildRounding, em * 0.5f);
  ImGui::BeginChild(id, size, true, ImGuiWindowFlags_NoScrollbar);
}

void end_card(float* height) {
  *height = ImGui::GetCursorPosY() + ImGui::GetStyle().WindowPadding.y - ImGui::GetStyle().ItemSpacing.y;
  ImGui::EndChild();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
}

// A button in the accent colour, for the one action a screen suggests.
bool primary_button(const char* label, ImVec2 size = ImVec2(0, 0)) {
  const ImVec4 a = palette().accent;
  ImGui::PushStyleColor(ImGuiCol_Button, a);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered, ImVec4(std::min(1.0f, a.x * 1.15f), std::min(1.0f, a.y * 1.15f),
                                                       std::min(1.0f, a.z * 1.1f), 1.0f));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImVec4(a.x * 0.85f, a.y * 0.85f, a.z * 0.85f, 1.0f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  const bool pressed = ImGui::Button(label, size);
  ImGui::PopStyleColor(4);
  return pressed;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. Screens
// ---------------------------------------------------------------------------------------------

namespace {

bool is_folder(const std::string& path) { return path_kind(path) == PathKind::Directory; }

}  // namespace

void Viewer::open(const std::string& path) {
  if (is_folder(path)) return browse(path);
  close_trace();
  job_ = std::make_unique<LoadJob>(path);
  update_title();
}

std::string Viewer::load_error() const {
  if (loaded_ && loaded_->result.ok) return compare_error_;
  if (!loaded_) return {};
  const LoadResult& r = loaded_->result;
  return loaded_->path + ": " + (r.error.empty() ? "not a trace this viewer understands" : r.error);
}

void Viewer::close_trace() {
  if (job_) {
    job_->cancel();
    retiring_.push_back(std::move(job_));
  }
  view_.reset();
  loaded_.reset();
  update_title();
}

void Viewer::close() {
  close_trace();
  drop_compare();
}

void Viewer::drop_compare() {
  if (view_) view_->set_compare(nullptr);  // the view stops reading B first
  if (compare_job_) {
    compare_job_->cancel();
    retiring_.push_back(std::move(compare_job_));
  }
  compare_.reset();
  update_title();
}

void Viewer::swap_runs() {
  if (!loaded_ || !compare_ || !compare_->result.ok) return;
  view_.reset();  // reads both runs
  std::swap(loaded_, compare_);
  if (loaded_->index) view_ = std::make_unique<TraceView>(*loaded_);
  attach_compare();
  update_title();
}

void Viewer::handle_compare_request() {
  if (!view_) return;
  switch (view_->take_compare_request()) {
    case CompareRequest::None: break;
    case CompareRequest::ReplaceA:
      browse_for_ = BrowseFor::RunA;
      want_open_popup_ = true;
      break;
    case CompareRequest::ReplaceB:
      browse_for_ = BrowseFor::RunB;
      want_open_popup_ = true;
      break;
    case CompareRequest::Swap: swap_runs(); break;
    case CompareRequest::Close:
      drop_compare();
      view_->show_tab(ViewTab::Timeline);
      break;
  }
}

void Viewer::open_compare(const std::string& path) {
  if (is_folder(path)) {  // a folder cannot be run B; the comparison stays as it is
    set_notice(base_name(path) + " is a folder: drop or pick a trace file to compare", true);
    return;
  }
  if (view_) view_->set_compare(nullptr);  // the view stops reading the old B first
  compare_.reset();
  if (compare_job_) {
    compare_job_->cancel();
    retiring_.push_back(std::move(compare_job_));
  }
  compare_job_ = std::make_unique<LoadJob>(path);
  compare_error_.clear();
  if (view_ && !keep_tab_) view_->show_tab(ViewTab::Compare);  // where B's progress shows
  update_title();
}

void Viewer::attach_compare() {
  if (!view_) return;
  const bool ok = compare_ && compare_->result.ok;
  view_->set_compare(ok ? compare_.get() : nullptr);
  if (ok && !keep_tab_) view_->show_tab(ViewTab::Compare);
  if (ok) keep_tab_ = false;  // (only the command line's run B)
}

void Viewer::poll_compare() {
  if (!pending_compare_.empty()) open_compare(std::exchange(pending_compare_, {}));
  if (!compare_job_ || !compare_job_->done()) return;
  auto t = std::make_unique<LoadedTrace>(compare_job_->take());
  const bool cancelled = compare_job_->cancel_requested() || t->result.cancelled;
  compare_job_.reset();
  if (cancelled) {
    keep_tab_ = false;
    return;
  }
  if (!t->result.ok) {
    keep_tab_ = false;  // (the command line's run B is done with)
    set_notice("Could not open " + base_name(t->path) + " for comparison: " + t->result.error, true);
    compare_error_ = t->path + ": " + (t->result.error.empty() ? "not a trace this viewer understands" : t->result.error);
    return;
  }
  compare_error_.clear();
  compare_ = std::move(t);
  attach_compare();
  update_title();
}

void Viewer::poll() {
  if (!pending_open_.empty()) {
    // A new trace ends the comparison unless it replaces run A of it (reload, Replace A, a drop
    // of two files). A folder only opens the Open dialog there.
    const std::string path = std::exchange(pending_open_, {});
    const bool keeps_b = std::exchange(pending_keeps_b_, false);
    if (is_folder(path)) {  // (a file dropped with it as run B is dropped too: there is no A)
      pending_compare_.clear();
      browse(path);
    } else {
      if (!keeps_b) drop_compare();
      open(path);
    }
  }
  std::erase_if(retiring_, [](const std::unique_ptr<LoadJob>& j) { return j->done(); });
  poll_compare();
  if (!job_ || !job_->done()) return;
  auto t = std::make_unique<LoadedTrace>(job_->take());
  const bool cancelled = job_->cancel_requested() || t->result.cancelled;
  job_.reset();
  if (cancelled) {
    set_notice("Cancelled loading " + base_name(t->path), false);
  } else {
    loaded_ = std::move(t);
    if (loaded_->result.ok) {
      add_recent(settings_, loaded_->path);
      save_settings_now();
    }
    if (loaded_->result.ok && loaded_->index) {
      view_ = std::make_unique<TraceView>(*loaded_);
      view_->apply(std::exchange(request_, ViewRequest{}));
      attach_compare();
    }
  }
  update_title();
}

void Viewer::on_drop(int count, const char** paths) {
  if (count <= 0 || !paths || !paths[0]) return;
  const bool shift = glfwGetKey(window_, GLFW_KEY_LEFT_SHIFT) == GLFW_PRESS ||
                     glfwGetKey(window_, GLFW_KEY_RIGHT_SHIFT) == GLFW_PRESS;
  if (count >= 2 && paths[1]) {
    pending_open_ = paths[0];
    pending_keeps_b_ = true;  // B is replaced right after
    pending_compare_ = paths[1];
    if (count > 2) set_notice("Comparing the first two of the dropped files", false);
  } else if (shift && (loaded_ || job_)) {
    pending_compare_ = paths[0];
  } else {
    pending_open_ = paths[0];
  }
}

void Viewer::set_notice(std::string text, bool error) {
  notice_ = std::move(text);
  notice_error_ = error;
  notice_until_ = glfwGetTime() + 8.0;
}

void Viewer::update_title() {
  std::string title = "vizviewer";
  if (job_) title += " \xe2\x80\x94 loading " + base_name(job_->path());
  else if (loaded_) title += " \xe2\x80\x94 " + base_name(loaded_->path);
  if (compare_job_) title += " vs (loading) " + base_name(compare_job_->path());
  else if (compare_) title += " vs " + base_name(compare_->path);
  glfwSetWindowTitle(window_, title.c_str());
}

void Viewer::draw() {
  handle_shortcuts();
  draw_menu_bar();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float em = ImGui::GetFontSize();
  const float status_h = ImGui::GetFrameHeight() + em * 0.4f;
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x, std::max(1.0f, vp->WorkSize.y - status_h)));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em * 1.05f, em * 0.8f));
  ImGui::Begin("##body", nullptr, flags);
  ImGui::PopStyleVar(2);
  draw_body();
  ImGui::End();
  draw_status_bar(status_h);
  draw_popups();
}

void Viewer::draw_body() {
  if (job_) {
    draw_loading();
  } else if (loaded_ && !loaded_->result.ok) {
    draw_error();
  } else if (view_) {
    view_->set_compare_job(compare_job_.get());
    view_->draw();
    handle_compare_request();
  } else {
    draw_start_screen();
  }
}

void Viewer::draw_start_screen() {
  const Palette& p = palette();
  const float em = ImGui::GetFontSize();
  begin_card("##start", em * 40.0f, &start_h_);
  {
    FontScope large(fonts().large);
    text_centered("vizviewer", p.text);
  }
  text_centered("A fast native viewer for viztracer and Chrome trace files", p.text_dim);
  ImGui::Dummy(ImVec2(0, em * 0.8f));

  // The drop zone: a rounded outline the file can be dropped anywhere near.
  const ImVec2 zone_min = ImGui::GetCursorScreenPos();
  const ImVec2 zone_size(ImGui::GetContentRegionAvail().x, em * 7.0f);
  const ImVec4 a = p.accent;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(zone_min, ImVec2(zone_min.x + zone_size.x, zone_min.y + zone_size.y),
                    to_u32(ImVec4(a.x, a.y, a.z, 0.06f)), em * 0.5f);
  dl->AddRect(zone_min, ImVec2(zone_min.x + zone_size.x, zone_min.y + zone_size.y),
              to_u32(ImVec4(a.x, a.y, a.z, 0.55f)), em * 0.5f, 0, std::max(1.0f, em / 10.0f));
  ImGui::Dummy(ImVec2(0, em * 1.6f));
  {
    FontScope bold(fonts().bold);
    text_centered("Drop a trace file here", p.text);
  }
  text_centered("or open it from the command line:", p.text_dim);
  {
    FontScope mono(fonts().mono);
    text_centered("vizviewer result.json", p.accent);
  }
  ImGui::SetCursorScreenPos(ImVec2(zone_min.x, zone_min.y + zone_size.y + em));

  const float bw = em * 9.0f;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (ImGui::GetContentRegionAvail().x - bw) * 0.5f);
  if (primary_button("Open file\xe2\x80\xa6", ImVec2(bw, 0))) want_open_popup_ = true;
  ImGui::Dummy(ImVec2(0, em * 0.6f));
  text_centered("Chrome trace JSON (.json)  \xc2\xb7  gzip JSON (.json.gz)  \xc2\xb7  vizviewer binary (.vzt)",
                p.text_dim);
  text_centered("Headless: vizviewer --stats FILE  \xc2\xb7  vizviewer --convert IN OUT", p.text_dim);
  if (!settings_.recent.empty()) {
    ImGui::Dummy(ImVec2(0, em * 0.6f));
    ImGui::Separator();
    {
      FontScope bold(fonts().bold);
      ImGui::TextUnformatted("Recent");
    }
    for (size_t i = 0; i < settings_.recent.size() && i < 6; ++i) {
      const std::string& path = settings_.recent[i];
      const bool exists = recent_file_exists(path);
      ImGui::PushID(int(i));
      ImGui::BeginDisabled(!exists);
      if (selectable_text(base_name(path), false, 0, ImVec2(em * 12.0f, 0))) pending_open_ = path;
      ImGui::EndDisabled();
      ImGui::SameLine();
      FontScope mono(fonts().mono);
      ImGui::TextColored(p.text_dim, "%s%s", path.c_str(), exists ? "" : "  (missing)");
      ImGui::PopID();
    }
  }
  end_card(&start_h_);
}

// One load's title, path, progress bar, phase and counts; `tag` ("A:"/"B:") when comparing.
void Viewer::draw_progress(LoadJob& job, const char* tag) {
  const Palette& p = palette();
  const LoadProgress& pr = job.progress();
  const uint64_t done = pr.bytes_done.load(std::memory_order_relaxed);
  const uint64_t total = pr.bytes_total.load(std::memory_order_relaxed);
  const uint64_t events = pr.events.load(std::memory_order_relaxed);
  const int phase = pr.phase.load(std::memory_order_relaxed);
  const float em = ImGui::GetFontSize();
  {
    FontScope bold(fonts().bold);
    if (tag) {
      ImGui::TextColored(p.accent, "%s", tag);
      ImGui::SameLine(0, 4);
    }
    const std::string title = "Loading " + base_name(job.path());
    ImGui::TextUnformatted(title.c_str());
  }
  {
    FontScope mono(fonts().mono);
    ImGui::TextColored(p.text_dim, "%s", job.path().c_str());
  }
  ImGui::Spacing();
  float frac = total > 0 ? float(double(std::min(done, total)) / double(total)) : 0.0f;
  if (phase >= int(LoadPhase::Building)) frac = 1.0f;
  char overlay[32];
  std::snprintf(overlay, sizeof(overlay), "%.0f%%", double(frac) * 100.0);
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, p.accent);
  ImGui::ProgressBar(frac, ImVec2(-1, em * 1.4f), overlay);
  ImGui::PopStyleColor();
  ImGui::Spacing();
  ImGui::TextColored(p.accent, "%s", phase_label(phase));
  ImGui::SameLine();
  const std::string counted = events > 0 ? "  \xc2\xb7  " + format_count(events) + " events" : std::string();
  ImGui::TextColored(p.text_dim, "\xc2\xb7  %s of %s%s  \xc2\xb7  %.1f s", format_bytes(done).c_str(),
                     format_bytes(total).c_str(), counted.c_str(), job.elapsed_seconds());
  ImGui::Spacing();
  const float bw = em * 7.0f;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - bw);
  ImGui::PushID(&job);
  ImGui::BeginDisabled(job.cancel_requested());
  if (ImGui::Button(job.cancel_requested() ? "Cancelling\xe2\x80\xa6" : "Cancel", ImVec2(bw, 0))) job.cancel();
  ImGui::EndDisabled();
  ImGui::PopID();
}

void Viewer::draw_loading() {
  const float em = ImGui::GetFontSize();
  begin_card("##loading", em * 36.0f, &loading_h_);
  // With a comparison, each run shows its own progress.
  const bool two = compare_job_ || compare_;
  draw_progress(*job_, two ? "A:" : nullptr);
  if (compare_job_) {
    ImGui::Separator();
    draw_progress(*compare_job_, "B:");
  } else if (compare_) {
    ImGui::Separator();
    ImGui::TextColored(palette().text_dim, "B: %s loaded", base_name(compare_->path).c_str());
  }
  end_card(&loading_h_);
}

void Viewer::draw_error() {
  const Palette& p = palette();
  const LoadResult& r = loaded_->result;
  const float em = ImGui::GetFontSize();
  begin_card("##error", em * 40.0f, &error_h_);
  {
    FontScope bold(fonts().large);
    const std::string title = "Could not open " + base_name(loaded_->path);
    ImGui::TextColored(p.error, "%s", title.c_str());
  }
  {
    FontScope mono(fonts().mono);
    ImGui::TextColored(p.text_dim, "%s", loaded_->path.c_str());
  }
  ImGui::Spacing();
  ImGui::TextWrapped("%s", r.error.empty() ? "The file is not a trace this viewer understands." : r.error.c_str());
  if (r.error_offset > 0) ImGui::TextColored(p.text_dim, "at byte %s", format_count(r.error_offset).c_str());
  const Diagnostics& d = r.trace->diagnostics;
  for (DiagKind k : d.present()) {
    if (k == DiagKind::NotATrace) continue;
    ImGui::BulletText("%s", d.message(k).c_str());
  }
  ImGui::Dummy(ImVec2(0, em * 0.5f));
  ImGui::TextColored(p.text_dim, "Drop another file onto the window, or use File \xe2\x80\xba Open.");
  ImGui::Spacing();
  if (primary_button("Open file\xe2\x80\xa6")) want_open_popup_ = true;
  ImGui::SameLine();
  if (ImGui::Button("Try again")) {
    pending_open_ = loaded_->path;
    pending_keeps_b_ = true;
  }
  end_card(&error_h_);
}

// ---------------------------------------------------------------------------------------------
// 2. Menu bar, popups, status bar, shortcuts
// ---------------------------------------------------------------------------------------------

void Viewer::draw_menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open\xe2\x80\xa6", "Ctrl+O")) want_open_popup_ = true;
    if (ImGui::MenuItem(compare_ || compare_job_ ? "Replace run B\xe2\x80\xa6" : "Compare with\xe2\x80\xa6", nullptr, false,
                        loaded_ != nullptr)) {
      browse_for_ = BrowseFor::RunB;
      want_open_popup_ = true;
    }
    if (ImGui::MenuItem("Replace run A\xe2\x80\xa6", nullptr, false, compare_ != nullptr || compare_job_ != nullptr)) {
      browse_for_ = BrowseFor::RunA;
      want_open_popup_ = true;
    }
    if (ImGui::MenuItem("Swap runs A and B", nullptr, false, compare_ != nullptr && loaded_ != nullptr)) swap_runs();
    if (ImGui::MenuItem("Stop comparing", nullptr, false, compare_ != nullptr || compare_job_ != nullptr)) {
      drop_compare();
      if (view_) view_->show_tab(ViewTab::Timeline);
    }
    draw_recent_menu();
    const std::string current = loaded_ ? loaded_->path : std::string();
    if (ImGui::MenuItem("Reload", "F5", false, !current.empty())) {
      pending_open_ = current;
      pending_keeps_b_ = true;
    }
    if (ImGui::MenuItem("Close", "Ctrl+W", false, loaded_ || job_)) close();
    ImGui::Separator();
    if (ImGui::MenuItem("Quit", "Ctrl+Q")) quit_ = true;
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    const ThemeKind t = current_theme();
    if (ImGui::MenuItem("Dark theme", nullptr, t == ThemeKind::Dark)) {
      apply_theme(ThemeKind::Dark, scale_);
      settings_.theme = ThemeSetting::Dark;
      save_settings_now();
    }
    if (ImGui::MenuItem("Light theme", nullptr, t == ThemeKind::Light)) {
      apply_theme(ThemeKind::Light, scale_);
      settings_.theme = ThemeSetting::Light;
      save_settings_now();
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Keyboard shortcuts", "?", false, view_ != nullptr)) view_->show_shortcuts();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("Help")) {
    if (ImGui::MenuItem("About vizviewer")) want_about_ = true;
    ImGui::EndMenu();
  }
  ImGui::EndMainMenuBar();
}

void Viewer::draw_popups() {
  if (std::exchange(want_open_popup_, false)) show_open_dialog();
  std::string chosen;
  if (draw_file_browser(browser_, settings_.recent, &chosen)) {
    if (browse_for_ == BrowseFor::RunB) {
      pending_compare_ = chosen;
    } else {
      pending_open_ = chosen;
      pending_keeps_b_ = browse_for_ == BrowseFor::RunA;
    }
    browse_for_ = BrowseFor::Open;
  }
  if (!browser_.visible) browse_for_ = BrowseFor::Open;
  if (std::exchange(want_about_, false)) ImGui::OpenPopup("About vizviewer");
  const ImVec2 center = ImGui::GetMainViewport()->GetCenter();
  const float em = ImGui::GetFontSize();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em, em));
  ImGui::SetNextWindowPos(center, ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  if (ImGui::BeginPopupModal("About vizviewer", nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
    {
      FontScope large(fonts().large);
      ImGui::TextUnformatted("vizviewer " VZ_VERSION);
    }
    ImGui::TextColored(palette().text_dim, "A native trace viewer for viztracer and Chrome trace files.");
    int major = 0, minor = 0, rev = 0;
    glfwGetVersion(&major, &minor, &rev);
    ImGui::TextColored(palette().text_dim, "Dear ImGui %s  \xc2\xb7  GLFW %d.%d.%d  \xc2\xb7  OpenGL %s",
                       ImGui::GetVersion(), major, minor, rev,
                       reinterpret_cast<const char*>(glGetString(GL_VERSION)));
    ImGui::Spacing();
    if (ImGui::Button("Close", ImVec2(em * 6, 0)) || ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) {
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  ImGui::PopStyleVar(2);
}

void Viewer::draw_status_bar(float height) {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const Palette& p = palette();
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x, vp->WorkPos.y + vp->WorkSize.y - height));
  ImGui::SetNextWindowSize(ImVec2(vp->WorkSize.x, height));
  ImGui::PushStyleColor(ImGuiCol_WindowBg, p.status_bg);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  const float em = ImGui::GetFontSize();
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em * 0.8f, em * 0.2f));
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                 ImGuiWindowFlags_NoNav;
  ImGui::Begin("##status", nullptr, flags);
  ImGui::AlignTextToFramePadding();
  if (job_) {
    ImGui::TextColored(p.accent, "Loading %s\xe2\x80\xa6", base_name(job_->path()).c_str());
  } else if (loaded_ && loaded_->result.ok) {
    const LoadedTrace& t = *loaded_;
    ImGui::Text("%s", base_name(t.path).c_str());
    ImGui::SameLine();
    ImGui::TextColored(p.text_dim, "\xc2\xb7  %s  \xc2\xb7  %s  \xc2\xb7  %s events  \xc2\xb7  loaded in %.2f s",
                       std::string(format_name(t.result.format)).c_str(),
                       format_bytes(t.result.input_bytes).c_str(), format_count(t.summary.events).c_str(),
                       t.seconds);
    if (view_) {
      if (const std::string st = view_->status(); !st.empty()) {
        ImGui::SameLine();
        ImGui::TextColored(p.text_dim, "\xc2\xb7  %s", st.c_str());
      }
    }
  } else if (loaded_) {
    ImGui::TextColored(p.error, "Failed to load %s", base_name(loaded_->path).c_str());
  } else {
    ImGui::TextColored(p.text_dim, "No trace loaded");
  }
  // Right-aligned: a notice, else the version. The version gives way to a long left part (a
  // narrow window); a notice does not: it is drawn over the left part's end, on the bar's colour.
  const float left_end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
  const bool show_notice = !notice_.empty() && glfwGetTime() < notice_until_;
  const std::string right = show_notice ? notice_ : std::string("vizviewer " VZ_VERSION);
  const float w = ImGui::CalcTextSize(right.c_str()).x;
  const float x = std::max(em * 0.8f, ImGui::GetWindowWidth() - w - em * 0.8f);
  if (show_notice || left_end + em * 1.5f <= x) {
    ImGui::SameLine(x);
    if (left_end + em * 0.5f > x) {
      const ImVec2 at = ImGui::GetCursorScreenPos();
      ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(at.x - em * 0.5f, ImGui::GetWindowPos().y),
                                                ImVec2(at.x + w + em, at.y + ImGui::GetWindowHeight()),
                                                ImGui::GetColorU32(p.status_bg));
    }
    ImGui::TextColored(show_notice ? (notice_error_ ? p.error : p.warning) : p.text_dim, "%s", right.c_str());
  }
  ImGui::End();
  ImGui::PopStyleVar(2);
  ImGui::PopStyleColor();
}

void Viewer::handle_shortcuts() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_Q, false)) quit_ = true;
  if (io.WantTextInput || browser_.visible) return;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_O, false)) want_open_popup_ = true;
  if (io.KeyCtrl && ImGui::IsKeyPressed(GLFW_KEY_W, false)) close();
  if (ImGui::IsKeyPressed(GLFW_KEY_F5, false) && loaded_ && !job_) {
    pending_open_ = loaded_->path;
    pending_keeps_b_ = true;
  }
}

void Viewer::save_settings_now() {
  if (!persist_) return;
  std::string error;
  if (!save_settings(settings_path(), settings_, &error)) set_notice("Could not save settings: " + error, true);
}

void Viewer::browse(const std::string& dir) {
  browse_for_ = BrowseFor::Open;
  // With its newest trace selected: Enter opens the latest run.
  const DirListing listing = list_directory(dir);
  const std::string newest = listing.error.empty() ? newest_trace(listing) : std::string();
  open_file_browser(browser_, newest.empty() ? dir : join_path(listing.dir, newest));
}

void Viewer::show_open_dialog() {
  // Open where the current trace is, else where the most recent one was.
  const std::string start = loaded_ ? loaded_->path : settings_.recent.empty() ? "" : settings_.recent.front();
  open_file_browser(browser_, start);
}

void Viewer::draw_recent_menu() {
  if (!ImGui::BeginMenu("Open Recent", !settings_.recent.empty())) return;
  std::string pick;
  for (size_t i = 0; i < settings_.recent.size(); ++i) {
    const std::string& path = settings_.recent[i];
    const bool exists = recent_file_exists(path);
    ImGui::PushID(int(i));  // two recent files can share a base name
    if (menu_item_text(base_name(path), exists)) pick = path;
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("%s%s", path.c_str(), exists ? "" : "\n(this file no longer exists)");
    }
    ImGui::PopID();
  }
  ImGui::Separator();
  if (ImGui::MenuItem("Remove Missing Files", nullptr, false, !missing_recent_files(settings_).empty())) {
    remove_missing_recent(settings_);
    save_settings_now();
  }
  if (ImGui::MenuItem("Clear List")) {
    settings_.recent.clear();
    save_settings_now();
  }
  ImGui::EndMenu();
  if (!pick.empty()) pending_open_ = pick;
}

}  // namespace vz
