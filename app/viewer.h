// The viewer's state and screens: what the window shows, independent of the platform.
//
// A Viewer ties together the load in progress (LoadJob), the trace on screen (LoadedTrace and its
// TraceView), the settings (recent files, theme), the start / loading / error screens, the menu
// bar, the popups and the status bar. app/window.cpp owns the platform (GLFW, GL, ImGui backends,
// the frame loop) and calls poll() and draw() once per frame.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/load_job.h"
#include "app/settings.h"
#include "app/trace_view.h"
#include "render/file_browser.h"

struct GLFWwindow;

namespace vz {

// The window's state. Panels keep their own state structs; this only ties them together.
class Viewer {
 public:
  Viewer(GLFWwindow* window, float scale, Settings& settings, bool persist)
      : window_(window), scale_(scale), settings_(settings), persist_(persist) {}

  // Starts loading `path`, dropping the current trace (and cancelling a load in progress). A
  // folder is browsed instead.
  void open(const std::string& path);
  // Shows the Open dialog in folder `dir`, the trace on screen left as it is: what
  // `vizviewer FOLDER` and a dropped folder do (viztracer's vizviewer lists a folder's traces).
  void browse(const std::string& dir);
  // Closes the trace on screen (or cancels the load in progress) and the comparison, and shows
  // the start screen.
  void close();
  // Starts loading `path` as run B, compared with the trace on screen in the Compare tab.
  void open_compare(const std::string& path);
  // Collects a finished load; reaps cancelled jobs. Call once per frame, before drawing.
  void poll();
  // Builds one ImGui frame.
  void draw();

  bool loading() const { return job_ != nullptr; }
  // "FILE: message" when the trace on screen could not be loaded (its error screen), or the run
  // to compare it with could not (a notice); "" otherwise.
  std::string load_error() const;
  // Loading, or background work the panels on screen wait for (search, statistics, trees).
  bool busy() const { return job_ != nullptr || compare_job_ != nullptr || (view_ && view_->busy()); }
  bool quit_requested() const { return quit_; }
  // Fonts and theme to rebuild before the next frame (scale change, theme switch).
  bool take_fonts_dirty() { return std::exchange(fonts_dirty_, false); }
  float scale() const { return scale_; }
  void set_scale(float s) { scale_ = s; fonts_dirty_ = true; }
  // What the first loaded trace should show (from the command line).
  // `with_b`: the command line names run B too (a --tab other than Compare then stays shown).
  void set_request(ViewRequest r, bool with_b = false) {
    keep_tab_ = with_b && r.tab_set && r.tab != ViewTab::Compare;
    request_ = std::move(r);
  }
  // Called from GLFW's drop callback: the first dropped path is opened on the next frame; with
  // two files, the second is compared with the first; with Shift held over an open trace, the
  // dropped file is compared with it.
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
  void close_trace();
  void poll_compare();
  void attach_compare();
  void drop_compare();
  void swap_runs();
  void handle_compare_request();
  void draw_progress(LoadJob& job, const char* tag);

  GLFWwindow* window_;
  float scale_;
  std::unique_ptr<LoadJob> job_;                    // the load in progress, if any
  std::vector<std::unique_ptr<LoadJob>> retiring_;  // cancelled loads still winding down
  std::unique_ptr<LoadedTrace> loaded_;             // the trace on screen, if any
  std::unique_ptr<TraceView> view_;                 // its tabs and panels (when loaded ok)
  ViewRequest request_;                             // applied to the first trace view
  bool keep_tab_ = false;  // --tab named another tab: run B from the command line does not switch
  std::string pending_open_;                        // set by a drop, opened next frame
  bool pending_keeps_b_ = false;                    // ...as a new run A of the comparison
  std::unique_ptr<LoadJob> compare_job_;            // run B loading, if any
  std::string compare_error_;                       // "B: message" when run B did not load
  std::unique_ptr<LoadedTrace> compare_;            // run B, compared with the trace on screen
  std::string pending_compare_;                     // set by a drop, opened as B next frame
  enum class BrowseFor { Open, RunA, RunB } browse_for_ = BrowseFor::Open;  // what the Open dialog picks
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

}  // namespace vz
