// The viewer's persistent settings: window size, theme and the recent-files list.
//
// Why a file of our own: the window should reopen at the size it was closed at, in the theme the
// user picked, with File › Recent listing what was opened before. ImGui's own .ini only stores
// window layouts, so these few values live in a small INI file:
//
//   $VIZVIEWER_CONFIG_DIR/settings.ini       when set (tests point it at a scratch folder)
//   $XDG_CONFIG_HOME/vizviewer/settings.ini  when XDG_CONFIG_HOME is set and absolute
//   $HOME/.config/vizviewer/settings.ini     otherwise
//
// Reading is tolerant: unknown sections and keys are ignored, a bad value keeps its default and
// is reported as a note, and a hostile file (huge, binary, absurd numbers) never crashes the
// viewer. Saving goes through AtomicFile (temporary file + rename), creating the folder first,
// so a crash mid-save never leaves a half-written file. No ImGui or GL here: the unit tests and
// the command-line build link this without a window.
//
// Usage
//   vz::Settings s = vz::load_settings(vz::settings_path());
//   vz::add_recent(s, opened_path);          // on every successful open
//   s.width = w; s.height = h;               // on resize
//   vz::save_settings(vz::settings_path(), s, &error);  // on exit
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

// The look the user picked; the window maps it onto render/theme.h's ThemeKind.
enum class ThemeSetting { Dark, Light };

// Limits on what a settings file may say; values outside them fall back to the defaults.
inline constexpr int kMinWindowWidth = 320;      // same bounds as the --size option
inline constexpr int kMinWindowHeight = 240;
inline constexpr int kMaxWindowSize = 16384;
inline constexpr size_t kMaxRecentFiles = 10;    // File › Recent shows at most this many
inline constexpr size_t kMaxSettingsBytes = 1 << 20;  // a larger file is read only this far

// Everything the viewer remembers between runs.
struct Settings {
  int width = 1600;                      // window size in screen coordinates
  int height = 900;
  ThemeSetting theme = ThemeSetting::Dark;
  std::vector<std::string> recent;       // absolute paths, most recent first, no duplicates
};

// The folder holding settings.ini, from the three environment values (any may be null or empty).
// Returns "" when none gives a usable place (no HOME at all).
std::string settings_dir_from(const char* override_dir, const char* xdg_config_home, const char* home);

// settings_dir_from() applied to VIZVIEWER_CONFIG_DIR, XDG_CONFIG_HOME and HOME.
std::string settings_dir();

// settings_dir() + "/settings.ini", or "" when there is no settings folder.
std::string settings_path();

// Parses the text of a settings file. Every ignored line or bad value adds a note to `notes`
// (when given) such as "line 4: width '12abc' is not a number"; the result is always usable.
Settings parse_settings(std::string_view text, std::vector<std::string>* notes = nullptr);

// The text save_settings() writes; parse_settings(format_settings(s)) gives `s` back, except for
// recent paths that cannot be written on one line (control characters, edge whitespace).
std::string format_settings(const Settings& settings);

// Reads `path`. A missing file gives the defaults silently; an unreadable one gives the defaults
// and a note. Reads at most kMaxSettingsBytes.
Settings load_settings(const std::string& path, std::vector<std::string>* notes = nullptr);

// Writes `settings` to `path` atomically, creating its folder. False with *error on failure.
bool save_settings(const std::string& path, const Settings& settings, std::string* error);

// `path` made absolute (against the current folder) and lexically normal ("a/./b/../c" -> "a/c").
std::string absolute_path(std::string_view path);

// Puts `path` (made absolute) at the front of the recent list, removing an older entry for the
// same file and trimming the list to kMaxRecentFiles. An empty path is ignored.
void add_recent(Settings& settings, std::string_view path);

// Removes `path` (compared after absolute_path) from the recent list; true when it was there.
bool remove_recent(Settings& settings, std::string_view path);

// True when `path` names an existing regular file; the recent menu greys out the others.
bool recent_file_exists(const std::string& path);

// The recent entries whose file no longer exists, in list order (kept in the list until removed).
std::vector<std::string> missing_recent_files(const Settings& settings);

// Removes every recent entry whose file no longer exists; returns how many were removed.
size_t remove_missing_recent(Settings& settings);

}  // namespace vz
