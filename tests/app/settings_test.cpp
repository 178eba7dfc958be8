// Tests of app/settings.cpp: where the file lives, tolerant parsing, hostile input, the
// recent-files list and atomic saving.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "app/settings.h"

using namespace vz;
using vz::test::TempDir;
namespace fs = std::filesystem;

namespace {


void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Sets an environment variable for the scope and restores the old value after.
struct EnvVar {
  std::string name;
  bool had = false;
  std::string old;
  EnvVar(const char* n, const char* value) : name(n) {
    if (const char* v = getenv(n)) {
      had = true;
      old = v;
    }
    if (value) setenv(n, value, 1);
    else unsetenv(n);
  }
  ~EnvVar() {
    if (had) setenv(name.c_str(), old.c_str(), 1);
    else unsetenv(name.c_str());
  }
};

}  // namespace

TEST_CASE("settings folder: override, then absolute XDG_CONFIG_HOME, then HOME") {
  CHECK(settings_dir_from("/tmp/cfg", "/xdg", "/home/u") == "/tmp/cfg");
  CHECK(settings_dir_from(nullptr, "/xdg", "/home/u") == "/xdg/vizviewer");
  CHECK(settings_dir_from("", "/xdg", "/home/u") == "/xdg/vizviewer");
  CHECK(settings_dir_from(nullptr, "relative/xdg", "/home/u") == "/home/u/.config/vizviewer");
  CHECK(settings_dir_from(nullptr, "", "/home/u") == "/home/u/.config/vizviewer");
  CHECK(settings_dir_from(nullptr, nullptr, nullptr).empty());

  EnvVar o("VIZVIEWER_CONFIG_DIR", "/tmp/vz-cfg-here");
  CHECK(settings_path() == "/tmp/vz-cfg-here/settings.ini");
  EnvVar o2("VIZVIEWER_CONFIG_DIR", nullptr);
  EnvVar x("XDG_CONFIG_HOME", "/tmp/xdg-here");
  CHECK(settings_path() == "/tmp/xdg-here/vizviewer/settings.ini");
}

TEST_CASE("a missing settings file gives the defaults and no notes") {
  TempDir t;
  std::vector<std::string> notes;
  const Settings s = load_settings(t / "nope/settings.ini", &notes);
  CHECK(s.width == 1600);
  CHECK(s.height == 900);
  CHECK(s.theme == ThemeSetting::Dark);
  CHECK(s.recent.empty());
  CHECK(notes.empty());
  CHECK(load_settings("").width == 1600);
}

TEST_CASE("settings round-trip through save and load") {
  TempDir t;
  Settings s;
  s.width = 1234;
  s.height = 777;
  s.theme = ThemeSetting::Light;
  s.recent = {"/a/b.json", "/c d/e f.vzt", "/x/\xc3\xa9t\xc3\xa9.json.gz"};
  const std::string path = t / "deep/er/settings.ini";  // the folders do not exist yet
  std::string error;
  REQUIRE(save_settings(path, s, &error));
  CHECK(error.empty());
  std::vector<std::string> notes;
  const Settings r = load_settings(path, &notes);
  CHECK(notes.empty());
  CHECK(r.width == 1234);
  CHECK(r.height == 777);
  CHECK(r.theme == ThemeSetting::Light);
  CHECK(r.recent == s.recent);
  // Nothing but the file itself is left in the folder (the temporary file was renamed).
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(t / "deep/er")) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"settings.ini"});
}

TEST_CASE("saving replaces the old file and fails cleanly where it cannot write") {
  TempDir t;
  const std::string path = t / "settings.ini";
  write_file(path, "[window]\nwidth = 500\n");
  Settings s;
  s.width = 900;
  std::string error;
  REQUIRE(save_settings(path, s, &error));
  CHECK(load_settings(path).width == 900);

  write_file(t / "blocker", "a file where a folder should be");
  error.clear();
  CHECK_FALSE(save_settings(t / "blocker/sub/settings.ini", s, &error));
  CHECK_FALSE(error.empty());
  error.clear();
  CHECK_FALSE(save_settings("", s, &error));
  CHECK_FALSE(error.empty());
}

TEST_CASE("parsing is tolerant: unknown keys, bad values and junk lines keep the defaults") {
  std::vector<std::string> notes;
  const Settings s = parse_settings(
      "# comment\n"
      "; also a comment\n"
      "[window]\r\n"
      "width = 12abc\n"
      "height=   1000  \r\n"
      "colour = blue\n"
      "this line has no equals sign\n"
      "[View]\n"
      "THEME = Light\n"
      "[broken\n"
      "width = 2000\n"
      "[window]\n"
      "height = 99999999999999999999\n",
      &notes);
  CHECK(s.width == 1600);   // "12abc" rejected; the width after "[broken" is in no section
  CHECK(s.height == 1000);  // the overflowing height later is rejected, the earlier one stays
  CHECK(s.theme == ThemeSetting::Light);
  REQUIRE(notes.size() == 6);
  CHECK(notes[0].find("line 4") == 0);
  CHECK(notes[0].find("12abc") != std::string::npos);
  CHECK(notes[1].find("window.colour") != std::string::npos);
}

TEST_CASE("window sizes outside the --size bounds are rejected") {
  CHECK(parse_settings("[window]\nwidth = 319\n").width == 1600);
  CHECK(parse_settings("[window]\nwidth = 320\n").width == 320);
  CHECK(parse_settings("[window]\nheight = -5\n").height == 900);
  CHECK(parse_settings("[window]\nheight = 16385\n").height == 900);
  CHECK(parse_settings("[window]\nheight = 16384\n").height == 16384);
  CHECK(parse_settings("[window]\nwidth = 0x500\n").width == 1600);
  CHECK(parse_settings("[view]\ntheme = purple\n").theme == ThemeSetting::Dark);
}

TEST_CASE("recent files in a settings file: absolute only, de-duplicated, at most ten") {
  std::string text = "[recent]\nfile = relative.json\nfile = /a/../b.json\nfile = /b.json\nfile =\n";
  for (int i = 0; i < 15; ++i) text += "file = /t/" + std::to_string(i) + ".json\n";
  std::vector<std::string> notes;
  const Settings s = parse_settings(text, &notes);
  REQUIRE(s.recent.size() == kMaxRecentFiles);
  CHECK(s.recent[0] == "/b.json");  // "/a/../b.json" normalised, then "/b.json" was a duplicate
  CHECK(s.recent[1] == "/t/0.json");
  CHECK(s.recent.back() == "/t/8.json");
  CHECK(notes.size() == 2 + 6);  // two not absolute, six beyond the limit
}

TEST_CASE("hostile settings files never crash and give sane values") {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    std::string text(size_t(rng() % 4000), '\0');
    for (char& c : text) {
      const unsigned r = rng() % 16;
      c = r == 0 ? '\n' : r == 1 ? '=' : r == 2 ? '[' : r == 3 ? ']' : char(rng() & 0xff);
    }
    const Settings s = parse_settings(text);
    CHECK(s.width >= kMinWindowWidth);
    CHECK(s.width <= kMaxWindowSize);
    CHECK(s.height >= kMinWindowHeight);
    CHECK(s.recent.size() <= kMaxRecentFiles);
  }
  TempDir t;
  // A file past the size cap is read only up to the cap (and noted), not loaded whole.
  std::string big = "[window]\nwidth = 700\n" + std::string(kMaxSettingsBytes + 100, 'x');
  write_file(t / "big.ini", big);
  std::vector<std::string> notes;
  CHECK(load_settings(t / "big.ini", &notes).width == 700);
  CHECK_FALSE(notes.empty());
  // A folder where the file should be is reported, not fatal.
  fs::create_directory(t / "dir.ini");
  notes.clear();
  CHECK(load_settings(t / "dir.ini", &notes).width == 1600);
  CHECK(notes.size() == 1);
}

TEST_CASE("add_recent: most recent first, de-duplicated by absolute path, capped") {
  TempDir t;
  const std::string old_cwd = fs::current_path().string();
  fs::current_path(t.path);
  Settings s;
  add_recent(s, "a.json");
  add_recent(s, t / "b.json");
  add_recent(s, "./a.json");  // the same file as "a.json": moves to the front, no duplicate
  fs::current_path(old_cwd);
  REQUIRE(s.recent.size() == 2);
  CHECK(s.recent[0] == t / "a.json");
  CHECK(s.recent[1] == t / "b.json");
  add_recent(s, "");
  CHECK(s.recent.size() == 2);

  for (int i = 0; i < 20; ++i) add_recent(s, "/r/" + std::to_string(i) + ".json");
  REQUIRE(s.recent.size() == kMaxRecentFiles);
  CHECK(s.recent.front() == "/r/19.json");
  CHECK(s.recent.back() == "/r/10.json");
  CHECK(remove_recent(s, "/r/15.json"));
  CHECK_FALSE(remove_recent(s, "/r/15.json"));
  CHECK(s.recent.size() == kMaxRecentFiles - 1);
}

TEST_CASE("missing recent files are kept but reported, and can be removed") {
  TempDir t;
  write_file(t / "here.json", "[]");
  Settings s;
  add_recent(s, t / "gone.json");
  add_recent(s, t / "here.json");
  add_recent(s, t.path);  // a folder is not a file the viewer can reopen
  CHECK(recent_file_exists(t / "here.json"));
  CHECK_FALSE(recent_file_exists(t / "gone.json"));
  const std::vector<std::string> missing = missing_recent_files(s);
  CHECK(missing == std::vector<std::string>{t.path, t / "gone.json"});
  CHECK(s.recent.size() == 3);  // reporting does not remove
  CHECK(remove_missing_recent(s) == 2);
  CHECK(s.recent == std::vector<std::string>{t / "here.json"});
}

TEST_CASE("paths that cannot round-trip through one line are not written") {
  Settings s;
  s.recent = {"/ok.json", "/bad\nname.json", "/trailing-space.json ", "relative.json"};
  const std::string text = format_settings(s);
  CHECK(text.find("bad") == std::string::npos);
  CHECK(text.find("trailing-space") == std::string::npos);
  CHECK(text.find("relative") == std::string::npos);
  CHECK(parse_settings(text).recent == std::vector<std::string>{"/ok.json"});
}
