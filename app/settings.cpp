// The viewer's persistent settings. See settings.h.
//
// The file format, written by format_settings():
//
//   # vizviewer settings
//   [window]
//   width = 1600
//   height = 900
//   [view]
//   theme = dark
//   [recent]
//   file = /home/me/traces/result.json
//
// Keys are matched inside their section only; `file` lines keep their order (most recent first).
#include "app/settings.h"

#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "formats/io.h"

namespace vz {
namespace {

// Spaces and tabs trimmed from both ends (also a stray '\r' from a file edited on Windows).
std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return out;
}

// A note names the line and quotes at most 60 bytes of the offending text.
void note(std::vector<std::string>* notes, size_t line, const std::string& what, std::string_view text) {
  if (!notes) return;
  std::string quoted(text.substr(0, 60));
  for (char& c : quoted) {
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  }
  notes->push_back("line " + std::to_string(line) + ": " + what + " '" + quoted + "'");
}

// A whole-string decimal integer in [lo, hi]; false otherwise.
bool parse_int(std::string_view s, int lo, int hi, int* out) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return false;
  *out = v;
  return true;
}

// True when a recent path can be written on one line and read back unchanged.
bool writable_path(std::string_view p) {
  if (p.empty() || p.front() != '/' || trim(p) != p) return false;
  return std::none_of(p.begin(), p.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

// Applies one `key = value` line of section `section`.
void apply_key(Settings& s, std::string_view section, std::string_view key, std::string_view value,
               size_t line, std::vector<std::string>* notes) {
  const std::string k = lower(key);
  if (section == "window" && (k == "width" || k == "height")) {
    int* field = k == "width" ? &s.width : &s.height;
    const int lo = k == "width" ? kMinWindowWidth : kMinWindowHeight;
    if (!parse_int(value, lo, kMaxWindowSize, field)) note(notes, line, "bad " + k, value);
  } else if (section == "view" && k == "theme") {
    const std::string v = lower(value);
    if (v == "dark") s.theme = ThemeSetting::Dark;
    else if (v == "light") s.theme = ThemeSetting::Light;
    else note(notes, line, "unknown theme", value);
  } else if (section == "recent" && k == "file") {
    if (!writable_path(value)) {
      note(notes, line, "recent file is not an absolute path", value);
    } else if (s.recent.size() >= kMaxRecentFiles) {
      note(notes, line, "more than " + std::to_string(kMaxRecentFiles) + " recent files, ignored", value);
    } else if (std::find(s.recent.begin(), s.recent.end(), absolute_path(value)) == s.recent.end()) {
      s.recent.push_back(absolute_path(value));
    }
  } else {
    note(notes, line, "unknown setting", std::string(section) + "." + std::string(key));
  }
}

}  // namespace

std::string settings_dir_from(const char* override_dir, const char* xdg_config_home, const char* home) {
  if (override_dir && *override_dir) return override_dir;
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  if (xdg_config_home && xdg_config_home[0] == '/') return std::string(xdg_config_home) + "/vizviewer";
  if (home && *home) return std::string(home) + "/.config/vizviewer";
  return {};
}

std::string settings_dir() {
  return settings_dir_from(std::getenv("VIZVIEWER_CONFIG_DIR"), std::getenv("XDG_CONFIG_HOME"),
                           std::getenv("HOME"));
}

std::string settings_path() {
  const std::string dir = settings_dir();
  return dir.empty() ? std::string() : dir + "/settings.ini";
}

Settings parse_settings(std::string_view text, std::vector<std::string>* notes) {
  Settings s;
  std::string section;
  size_t line_no = 0;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        note(notes, line_no, "malformed section header", line);
        section = "?";  // keys until the next good header belong to no known section
      } else {
        section = lower(trim(line.substr(1, line.size() - 2)));
      }
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      note(notes, line_no, "not a 'key = value' line", line);
      continue;
    }
    apply_key(s, section, trim(line.substr(0, eq)), trim(line.substr(eq + 1)), line_no, notes);
  }
  return s;
}

std::string format_settings(const Settings& s) {
  std::string out = "# vizviewer settings (rewritten by the viewer on exit)\n";
  out += "[window]\nwidth = " + std::to_string(s.width) + "\nheight = " + std::to_string(s.height) + "\n";
  out += "[view]\ntheme = ";
  out += s.theme == ThemeSetting::Light ? "light" : "dark";
  out += "\n[recent]\n";
  size_t written = 0;
  for (const std::string& p : s.recent) {
    if (!writable_path(p) || written == kMaxRecentFiles) continue;
    out += "file = " + p + "\n";
    ++written;
  }
  return out;
}

Settings load_settings(const std::string& path, std::vector<std::string>* notes) {
  if (path.empty()) return Settings{};
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Settings{};  // first run: nothing saved yet
  std::ifstream in(path, std::ios::binary);
  if (!S_ISREG(st.st_mode) || !in) {
    if (notes) notes->push_back("cannot read " + path);
    return Settings{};
  }
  std::string text(kMaxSettingsBytes, '\0');
  in.read(text.data(), std::streamsize(text.size()));
  text.resize(size_t(in.gcount()));
  if (text.size() == kMaxSettingsBytes && notes) notes->push_back(path + " is over 1 MiB; read only its start");
  return parse_settings(text, notes);
}

bool save_settings(const std::string& path, const Settings& settings, std::string* error) {
  if (path.empty()) {
    if (error) *error = "no settings folder (HOME is not set)";
    return false;
  }
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) {
    if (error) *error = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  AtomicFile f;
  if (!f.open(path, error)) return false;
  f.write(format_settings(settings));
  return f.commit(error, /*durable=*/true);
}

std::string absolute_path(std::string_view path) {
  if (path.empty()) return {};
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(std::filesystem::path(path), ec);
  if (ec) p = std::filesystem::path(path);
  std::string s = p.lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();  // "/a/b/" and "/a/b" are one entry
  return s;
}

void add_recent(Settings& s, std::string_view path) {
  if (path.empty()) return;
  const std::string abs = absolute_path(path);
  std::erase(s.recent, abs);
  s.recent.insert(s.recent.begin(), abs);
  if (s.recent.size() > kMaxRecentFiles) s.recent.resize(kMaxRecentFiles);
}

bool remove_recent(Settings& s, std::string_view path) {
  return std::erase(s.recent, absolute_path(path)) > 0;
}

bool recent_file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::vector<std::string> missing_recent_files(const Settings& s) {
  std::vector<std::string> out;
  for (const std::string& p : s.recent) {
    if (!recent_file_exists(p)) out.push_back(p);
  }
  return out;
}

size_t remove_missing_recent(Settings& s) {
  return std::erase_if(s.recent, [](const std::string& p) { return !recent_file_exists(p); });
}

}  // namespace vz
