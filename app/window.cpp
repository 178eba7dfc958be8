// The vizviewer desktop window. See window.h.
//
// Sections
//   1. Viewer: the window's state and its screens (start, loading, error, trace info)
//   2. Menu bar, popups, status bar, shortcuts
//   3. Platform: GLFW window, GL loader, ImGui backends, screenshot, the frame loop
#include "app/window.h"

#include <glad/gl.h>  // before GLFW, so GLFW does not include the system GL header
#include <GLFW/glfw3.h>

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/load_job.h"
#include "app/settings.h"
#include "app/trace_view.h"
#include "render/file_browser.h"
#include "render/stats_panel.h"
#include "render/theme.h"

#ifndef VZ_VERSION
#define VZ_VERSION "dev"
#endif

namespace vz {
namespace {

// ---------------------------------------------------------------------------------------------
// 1. Viewer
// ---------------------------------------------------------------------------------------------

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

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
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

// The window's state. Panels keep their own state structs; this only ties them together.
class Viewer {
 public:
  Viewer(GLFWwindow* window, float scale, Settings& settings, bool persist)
      : window_(window), scale_(scale), settings_(settings), persist_(persist) {}

  // Starts loading `path`, dropping the current trace (and cancelling a load in progress).
  void open(const std::string& path);
  // Closes the trace on screen (or cancels the load in progress) and shows the start screen.
  void close();
  // Collects a finished load; reaps cancelled jobs. Call once per frame, before drawing.
  void poll();
  // Builds one ImGui frame.
  void draw();

  bool loading() const { return job_ != nullptr; }
  // Loading, or background work the panels on screen wait for (search, statistics, trees).
  bool busy() const { return job_ != nullptr || (view_ && view_->busy()); }
  bool quit_requested() const { return quit_; }
  // Fonts and theme to rebuild before the next frame (scale change, theme switch).
  bool take_fonts_dirty() { return std::exchange(fonts_dirty_, false); }
  float scale() const { return scale_; }
  void set_scale(float s) { scale_ = s; fonts_dirty_ = true; }
  // What the first loaded trace should show (from the command line).
  void set_request(ViewRequest r) { request_ = std::move(r); }
  // Called from GLFW's drop callback: the first dropped path is opened on the next frame.
  void on_drop(int count, const char** paths);

 private:
  void draw_body();
  void draw_start_screen();
  void draw_loading();
  void draw_error();
  void draw_menu_bar();
  void draw_popups();
  void draw_status_bar(float height);
  void handle_shortcuts();
  void set_notice(std::string text, bool error);
  void update_title();
  void draw_recent_menu();
  void show_open_dialog();
  void save_settings_now();

  GLFWwindow* window_;
  float scale_;
  std::unique_ptr<LoadJob> job_;                    // the load in progress, if any
  std::vector<std::unique_ptr<LoadJob>> retiring_;  // cancelled loads still winding down
  std::unique_ptr<LoadedTrace> loaded_;             // the trace on screen, if any
  std::unique_ptr<TraceView> view_;                 // its tabs and panels (when loaded ok)
  ViewRequest request_;                             // applied to the first trace view
  std::string pending_open_;                        // set by a drop, opened next frame
  std::string notice_;                              // transient message in the status bar
  bool notice_error_ = false;
  double notice_until_ = 0;
  bool want_open_popup_ = false, want_about_ = false;
  Settings& settings_;                              // persisted: recent files, theme, size
  bool persist_;                                    // false for headless runs: never touch the file
  FileBrowserState browser_;                        // the Open dialog
  bool fonts_dirty_ = false;
  float start_h_ = 0, loading_h_ = 0, error_h_ = 0;  // measured heights of the centred cards
  bool quit_ = false;
};

void Viewer::open(const std::string& path) {
  close();
  job_ = std::make_unique<LoadJob>(path);
  update_title();
}

void Viewer::close() {
  if (job_) {
    job_->cancel();
    retiring_.push_back(std::move(job_));
  }
  view_.reset();
  loaded_.reset();
  update_title();
}

void Viewer::poll() {
  if (!pending_open_.empty()) open(std::exchange(pending_open_, {}));
  std::erase_if(retiring_, [](const std::unique_ptr<LoadJob>& j) { return j->done(); });
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
    }
  }
  update_title();
}

void Viewer::on_drop(int count, const char** paths) {
  if (count <= 0 || !paths || !paths[0]) return;
  pending_open_ = paths[0];
  if (count > 1) set_notice("Several files dropped: opening the first one", false);
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
    view_->draw();
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
      if (ImGui::Selectable(base_name(path).c_str(), false, 0, ImVec2(em * 12.0f, 0))) pending_open_ = path;
      ImGui::EndDisabled();
      ImGui::SameLine();
      FontScope mono(fonts().mono);
      ImGui::TextColored(p.text_dim, "%s%s", path.c_str(), exists ? "" : "  (missing)");
      ImGui::PopID();
    }
  }
  end_card(&start_h_);
}

void Viewer::draw_loading() {
  const Palette& p = palette();
  const LoadProgress& pr = job_->progress();
  const uint64_t done = pr.bytes_done.load(std::memory_order_relaxed);
  const uint64_t total = pr.bytes_total.load(std::memory_order_relaxed);
  const uint64_t events = pr.events.load(std::memory_order_relaxed);
  const int phase = pr.phase.load(std::memory_order_relaxed);
  const float em = ImGui::GetFontSize();

  begin_card("##loading", em * 36.0f, &loading_h_);
  {
    FontScope bold(fonts().bold);
    const std::string title = "Loading " + base_name(job_->path());
    ImGui::TextUnformatted(title.c_str());
  }
  {
    FontScope mono(fonts().mono);
    ImGui::TextColored(p.text_dim, "%s", job_->path().c_str());
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
                     format_bytes(total).c_str(), counted.c_str(), job_->elapsed_seconds());
  ImGui::Spacing();
  const float bw = em * 7.0f;
  ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - bw);
  ImGui::BeginDisabled(job_->cancel_requested());
  if (ImGui::Button(job_->cancel_requested() ? "Cancelling\xe2\x80\xa6" : "Cancel", ImVec2(bw, 0))) {
    job_->cancel();
  }
  ImGui::EndDisabled();
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
  if (ImGui::Button("Try again")) pending_open_ = loaded_->path;
  end_card(&error_h_);
}

// ---------------------------------------------------------------------------------------------
// 2. Menu bar, popups, status bar, shortcuts
// ---------------------------------------------------------------------------------------------

void Viewer::draw_menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open\xe2\x80\xa6", "Ctrl+O")) want_open_popup_ = true;
    draw_recent_menu();
    const std::string current = loaded_ ? loaded_->path : std::string();
    if (ImGui::MenuItem("Reload", "F5", false, !current.empty())) pending_open_ = current;
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
  if (draw_file_browser(browser_, settings_.recent, &chosen)) pending_open_ = chosen;
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
      ImGui::SameLine();
      ImGui::TextColored(p.text_dim, "\xc2\xb7  %s", view_->status().c_str());
    }
  } else if (loaded_) {
    ImGui::TextColored(p.error, "Failed to load %s", base_name(loaded_->path).c_str());
  } else {
    ImGui::TextColored(p.text_dim, "No trace loaded");
  }
  const bool show_notice = !notice_.empty() && glfwGetTime() < notice_until_;
  const std::string right = show_notice ? notice_ : std::string("vizviewer " VZ_VERSION);
  const float w = ImGui::CalcTextSize(right.c_str()).x;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + em * 1.5f, ImGui::GetWindowWidth() - w - em * 0.8f));
  ImGui::TextColored(show_notice ? (notice_error_ ? p.error : p.warning) : p.text_dim, "%s", right.c_str());
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
  if (ImGui::IsKeyPressed(GLFW_KEY_F5, false) && loaded_ && !job_) pending_open_ = loaded_->path;
}

void Viewer::save_settings_now() {
  if (!persist_) return;
  std::string error;
  if (!save_settings(settings_path(), settings_, &error)) set_notice("Could not save settings: " + error, true);
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
    if (ImGui::MenuItem(base_name(path).c_str(), nullptr, false, exists)) pick = path;
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

// ---------------------------------------------------------------------------------------------
// 3. Platform
// ---------------------------------------------------------------------------------------------

void glfw_error(int code, const char* message) {
  std::fprintf(stderr, "vizviewer: GLFW error %d: %s\n", code, message);
}

void drop_callback(GLFWwindow* window, int count, const char** paths) {
  if (auto* v = static_cast<Viewer*>(glfwGetWindowUserPointer(window))) v->on_drop(count, paths);
}

void content_scale_callback(GLFWwindow* window, float xscale, float /*yscale*/) {
  if (auto* v = static_cast<Viewer*>(glfwGetWindowUserPointer(window))) v->set_scale(std::max(1.0f, xscale));
}

GLFWwindow* create_window(const WindowOptions& o) {
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);
  GLFWwindow* w = glfwCreateWindow(std::max(320, o.width), std::max(240, o.height), "vizviewer", nullptr, nullptr);
  if (!w) return nullptr;
  glfwMakeContextCurrent(w);
  if (!gladLoadGL(reinterpret_cast<GLADloadfunc>(glfwGetProcAddress))) {
    std::fprintf(stderr, "vizviewer: could not load OpenGL 3.3 functions\n");
    glfwDestroyWindow(w);
    return nullptr;
  }
  glfwSwapInterval(1);
  return w;
}

// Stores the window's size (in unscaled screen units) and saves the settings.
void remember_window_size(GLFWwindow* window, Settings& settings) {
  int w = 0, h = 0;
  float sx = 1, sy = 1;
  glfwGetWindowSize(window, &w, &h);
  glfwGetWindowContentScale(window, &sx, &sy);  // GLFW_SCALE_TO_MONITOR scaled the created size
  if (w > 0 && h > 0) {  // not minimised
    settings.width = std::clamp(int(float(w) / std::max(1.0f, sx)), kMinWindowWidth, kMaxWindowSize);
    settings.height = std::clamp(int(float(h) / std::max(1.0f, sy)), kMinWindowHeight, kMaxWindowSize);
  }
  std::string err;
  if (!save_settings(settings_path(), settings, &err)) {
    std::fprintf(stderr, "vizviewer: could not save settings: %s\n", err.c_str());
  }
}

// Reads the back buffer (what was just rendered) and writes it as a PNG.
bool write_screenshot(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) return false;
  std::vector<unsigned char> pixels(size_t(width) * size_t(height) * 3);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadBuffer(GL_BACK);
  glReadPixels(0, 0, width, height, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) return false;
  stbi_flip_vertically_on_write(1);
  return stbi_write_png(path.c_str(), width, height, 3, pixels.data(), width * 3) != 0;
}

// Renders the ImGui frame built since NewFrame into the back buffer.
void render_frame(GLFWwindow* window) {
  ImGui::Render();
  int fw = 0, fh = 0;
  glfwGetFramebufferSize(window, &fw, &fh);
  glViewport(0, 0, fw, fh);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// True when the user touched mouse or keyboard during the last frame.
bool had_input() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0 || io.MouseWheel != 0 || io.MouseWheelH != 0) return true;
  if (io.InputQueueCharacters.Size > 0) return true;
  for (bool down : io.MouseDown) if (down) return true;
  for (bool down : io.KeysDown) if (down) return true;
  return false;
}

// Frame times when VIZVIEWER_FRAME_STATS is set: how long the UI thread spent building and
// submitting each frame (the wait for events excluded). Frames over 30 ms are printed as they
// happen; the count and the slowest frame, overall and while loading, at exit.
struct FrameStats {
  bool enabled = std::getenv("VIZVIEWER_FRAME_STATS") != nullptr;
  uint64_t frames = 0, loading_frames = 0;
  double slowest_ms = 0, slowest_loading_ms = 0;
  void add(double ms, bool loading) {
    if (enabled && ms > 30) std::fprintf(stderr, "frame %llu: %.1f ms%s\n", (unsigned long long)frames, ms, loading ? " (loading)" : "");
    ++frames;
    slowest_ms = std::max(slowest_ms, ms);
    if (loading) {
      ++loading_frames;
      slowest_loading_ms = std::max(slowest_loading_ms, ms);
    }
  }
  ~FrameStats() {
    if (!enabled) return;
    std::fprintf(stderr, "vizviewer: %llu frames, slowest %.1f ms; %llu while loading, slowest %.1f ms\n",
                 (unsigned long long)frames, slowest_ms, (unsigned long long)loading_frames, slowest_loading_ms);
  }
};

// The frame loop. Returns the exit code.
int frame_loop(GLFWwindow* window, Viewer& viewer, const WindowOptions& o) {
  const bool headless = !o.screenshot.empty();
  FrameStats stats;
  int frames_ready = 0;
  int busy_frames = 0;  // keep drawing a little after input, so hover and tooltips settle
  while (!glfwWindowShouldClose(window) && !viewer.quit_requested()) {
    if (viewer.loading()) {
      glfwWaitEventsTimeout(1.0 / 60.0);  // redraw progress at ~60 Hz; leave the cores to the loader
    } else if (headless || busy_frames > 0) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.5);
    }
    const bool was_loading = viewer.loading();
    const double frame_start = glfwGetTime();
    viewer.poll();
    if (viewer.take_fonts_dirty()) {
      load_fonts(viewer.scale());
      apply_theme(current_theme(), viewer.scale());
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    if (headless) ImGui::GetIO().MousePos = ImVec2(-FLT_MAX, -FLT_MAX);  // no hover in screenshots
    ImGui::NewFrame();
    busy_frames = had_input() || ImGui::IsAnyItemActive() ? 30 : std::max(0, busy_frames - 1);
    viewer.draw();
    render_frame(window);
    stats.add((glfwGetTime() - frame_start) * 1000.0, was_loading);
    if (headless && !viewer.busy() && ++frames_ready >= 3) {
      int fw = 0, fh = 0;
      glfwGetFramebufferSize(window, &fw, &fh);
      if (!write_screenshot(o.screenshot, fw, fh)) {
        std::fprintf(stderr, "vizviewer: could not write screenshot %s\n", o.screenshot.c_str());
        return 1;
      }
      return 0;
    }
    glfwSwapBuffers(window);
  }
  return 0;
}

}  // namespace

int run_window(const WindowOptions& options) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    std::fprintf(stderr, "vizviewer: cannot open a window (no display?). Use --stats for headless use.\n");
    return 1;
  }
  // Headless runs never write settings, and read them only from an explicit VIZVIEWER_CONFIG_DIR
  // (so a screenshot does not depend on the user's recent files).
  const bool persist = options.screenshot.empty();
  const bool read_settings = persist || std::getenv("VIZVIEWER_CONFIG_DIR") != nullptr;
  Settings settings = read_settings ? load_settings(settings_path()) : Settings{};
  WindowOptions sized = options;
  if (persist && !options.size_set) {
    sized.width = settings.width;
    sized.height = settings.height;
  }
  GLFWwindow* window = create_window(sized);
  if (!window) {
    std::fprintf(stderr, "vizviewer: could not create an OpenGL 3.3 window\n");
    glfwTerminate();
    return 1;
  }
  float sx = 1.0f, sy = 1.0f;
  glfwGetWindowContentScale(window, &sx, &sy);
  const float scale = std::clamp(sx, 1.0f, 4.0f);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // layouts are not persisted yet
  load_fonts(scale);
  apply_theme(settings.theme == ThemeSetting::Light ? ThemeKind::Light : ThemeKind::Dark, scale);
  ImGui_ImplGlfw_InitForOpenGL(window, true);
  ImGui_ImplOpenGL3_Init("#version 330");

  int rc = 0;
  {
    Viewer viewer(window, scale, settings, persist);
    glfwSetWindowUserPointer(window, &viewer);
    glfwSetDropCallback(window, drop_callback);
    glfwSetWindowContentScaleCallback(window, content_scale_callback);
    viewer.set_request(options.request);
    if (!options.file.empty()) viewer.open(options.file);
    rc = frame_loop(window, viewer, options);
    if (persist) remember_window_size(window, settings);
    glfwSetDropCallback(window, nullptr);
    glfwSetWindowContentScaleCallback(window, nullptr);
    glfwSetWindowUserPointer(window, nullptr);
  }  // the viewer (and any load job) ends while the GL context still exists

  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  glfwDestroyWindow(window);
  glfwTerminate();
  return rc;
}

}  // namespace vz
