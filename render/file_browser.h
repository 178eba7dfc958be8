// The in-app Open dialog: a modal ImGui file browser for picking a trace.
//
// Why our own: GLFW has no native file dialog, and shelling out to zenity/kdialog is not
// available everywhere. The dialog shows the current folder as a clickable breadcrumb with
// Up / Home / Refresh buttons, a typed-path box (Enter: a folder is entered, a file is opened;
// "~" is the home folder; a pasted file:// URI works), a sidebar with places and the recent files,
// and a sortable table (folders first, then files, with size and modification time). A filter
// switches between trace files (.json, .json.gz, .gz, .vzt) and all files; hidden files are
// hidden until toggled (Ctrl+H). Keyboard: Up/Down/PageUp/PageDown/Home/End move, Enter opens,
// Backspace or Alt+Up goes to the parent folder, Escape closes. An unreadable folder shows an
// error line in place of its entries.
//
// All listing, sorting, filtering and path logic lives in render/file_list.h (no ImGui, unit
// tested); this file only draws it. The state is a plain struct the caller owns, so the dialog
// reopens in the folder it was left in.
//
// Usage (once per frame, always from the same place in the ImGui ID stack)
//   vz::FileBrowserState browser;                      // a member of the window
//   if (ctrl_o) vz::open_file_browser(browser, start_dir);
//   std::string path;
//   if (vz::draw_file_browser(browser, settings.recent, &path)) open(path);
#pragma once

#include <string>
#include <vector>

#include "render/file_list.h"

namespace vz {

// Everything the Open dialog remembers; owned by the caller, zero-initialised is "closed".
struct FileBrowserState {
  bool visible = false;            // the dialog is on screen (or opens on the next draw)
  bool open_pending = false;       // open_file_browser() asked for the popup to open
  std::string dir;                 // the folder shown (normalised, absolute)
  std::string home;                // the user's home folder, looked up once
  std::string start_cwd;           // the process's folder, for the "Working folder" place
  DirListing listing;              // `dir` as last read from disk
  ListView view;                   // the filter and sort order the user picked
  std::vector<FileEntry> rows;     // listing.entries as `view` shows them
  int selected = -1;               // index into rows; -1 when nothing is selected
  bool scroll_to_selected = false; // bring the selected row into view on the next draw
  char typed[1024] = {};           // the typed-path box
  std::string typed_error;         // why the typed path could not be used ("" when fine)
};

// Opens the dialog in `start_dir` (a folder or a file, whose folder is used; "~" expands). An
// empty or unreadable `start_dir` keeps the folder the dialog was last left in, else the current
// folder. The popup appears on the next draw_file_browser() call.
void open_file_browser(FileBrowserState& state, std::string start_dir);

// Draws the dialog while it is open; call every frame. `recent` lists recently opened files,
// most recent first (missing ones are shown greyed out). Returns true on the frame a file was
// chosen, with its absolute path in *chosen; the dialog is then closed.
bool draw_file_browser(FileBrowserState& state, const std::vector<std::string>& recent, std::string* chosen);

// Reads `dir` into the state (listing, rows) and clears the selection; used when navigating.
void file_browser_navigate(FileBrowserState& state, const std::string& dir);

}  // namespace vz
