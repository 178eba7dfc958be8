// Tests of render/file_list.cpp, the Open dialog's ImGui-free model: reading folders (including
// unreadable ones and odd entries), filtering, sorting, and the path arithmetic.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.h"
#include "render/file_list.h"

using namespace vz;
using vz::test::TempDir;
namespace fs = std::filesystem;

namespace {


void write_file(const std::string& path, size_t bytes) {
  std::ofstream(path, std::ios::binary) << std::string(bytes, 'x');
}

void set_mtime(const std::string& path, time_t t) {
  const timeval tv[2] = {{t, 0}, {t, 0}};
  REQUIRE(::utimes(path.c_str(), tv) == 0);
}

std::vector<std::string> names(const std::vector<FileEntry>& v) {
  std::vector<std::string> out;
  for (const FileEntry& e : v) out.push_back(e.name);
  return out;
}

const FileEntry* find(const DirListing& l, const std::string& name) {
  for (const FileEntry& e : l.entries) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

FileEntry entry(const std::string& name, EntryKind kind, uint64_t size = 0, int64_t mtime = 0) {
  FileEntry e;
  e.name = name;
  e.kind = kind;
  e.size = size;
  e.mtime = mtime;
  e.hidden = name.front() == '.';
  e.trace = kind == EntryKind::File && is_trace_file_name(name);
  return e;
}

}  // namespace

TEST_CASE("trace files are recognised by extension, in any case") {
  for (const char* n : {"a.json", "A.JSON", "x.json.gz", "x.JSON.GZ", "y.gz", "t.vzt", "t.VZT"}) {
    CHECK_MESSAGE(is_trace_file_name(n), n);
  }
  for (const char* n : {"a.jsonl", "json", "x.gzip", "vzt", "a.vz", "a.txt", "", ".json.bak"}) {
    CHECK_MESSAGE(!is_trace_file_name(n), n);
  }
}

TEST_CASE("list_directory reads kinds, sizes, times, links and hidden names") {
  TempDir t;
  write_file(t / "trace.json", 10);
  write_file(t / "notes.txt", 2000);
  write_file(t / ".hidden.json", 1);
  fs::create_directory(t / "sub");
  fs::create_symlink(t / "trace.json", t / "link.json");
  fs::create_symlink(t / "sub", t / "linkdir");
  fs::create_symlink(t / "nowhere", t / "dangling.json");
  set_mtime(t / "trace.json", 1700000000);

  const DirListing l = list_directory(t.path + "/./sub/..");
  CHECK(l.error.empty());
  CHECK(l.dir == t.path);
  CHECK(l.entries.size() == 7);  // "." and ".." are never listed

  const FileEntry* e = find(l, "trace.json");
  REQUIRE(e);
  CHECK(e->kind == EntryKind::File);
  CHECK(e->size == 10);
  CHECK(e->mtime == 1700000000);
  CHECK(e->trace);
  CHECK_FALSE(e->hidden);
  CHECK_FALSE(e->link);
  REQUIRE(find(l, "notes.txt"));
  CHECK_FALSE(find(l, "notes.txt")->trace);
  CHECK(find(l, "notes.txt")->size == 2000);
  REQUIRE(find(l, ".hidden.json"));
  CHECK(find(l, ".hidden.json")->hidden);
  REQUIRE(find(l, "sub"));
  CHECK(find(l, "sub")->kind == EntryKind::Directory);
  CHECK(find(l, "sub")->size == 0);
  REQUIRE(find(l, "link.json"));
  CHECK(find(l, "link.json")->link);
  CHECK(find(l, "link.json")->kind == EntryKind::File);
  CHECK(find(l, "link.json")->size == 10);
  REQUIRE(find(l, "linkdir"));
  CHECK(find(l, "linkdir")->kind == EntryKind::Directory);
  REQUIRE(find(l, "dangling.json"));
  CHECK(find(l, "dangling.json")->kind == EntryKind::Other);
  CHECK_FALSE(find(l, "dangling.json")->trace);  // it cannot be opened, so it is not offered
}

TEST_CASE("an unreadable or missing folder gives an error, not a crash") {
  TempDir t;
  const DirListing missing = list_directory(t / "does-not-exist");
  CHECK(missing.entries.empty());
  CHECK(missing.error.find("does-not-exist") != std::string::npos);

  write_file(t / "file.json", 3);
  const DirListing not_dir = list_directory(t / "file.json");
  CHECK_FALSE(not_dir.error.empty());

  fs::create_directory(t / "locked");
  write_file(t / "locked/inside.json", 1);
  fs::permissions(t / "locked", fs::perms::none);
  const DirListing locked = list_directory(t / "locked");
  if (::geteuid() != 0) {  // root reads any folder
    CHECK(locked.entries.empty());
    CHECK(locked.error.find("Permission denied") != std::string::npos);
  }
}

TEST_CASE("view_entries: folders first, case-insensitive names, filters") {
  const std::vector<FileEntry> all = {
      entry("b.json", EntryKind::File, 5),       entry("Zeta", EntryKind::Directory),
      entry("a.VZT", EntryKind::File, 50),       entry("alpha", EntryKind::Directory),
      entry("C.json.gz", EntryKind::File, 500),  entry("readme.txt", EntryKind::File, 7),
      entry(".cache", EntryKind::Directory),     entry(".x.json", EntryKind::File, 1),
      entry("B.json", EntryKind::File, 5),       entry("sock", EntryKind::Other),
  };
  ListView v;  // traces only, no hidden, by name
  CHECK(names(view_entries(all, v)) ==
        std::vector<std::string>{"alpha", "Zeta", "a.VZT", "B.json", "b.json", "C.json.gz"});

  v.traces_only = false;
  CHECK(names(view_entries(all, v)) == std::vector<std::string>{"alpha", "Zeta", "a.VZT", "B.json", "b.json",
                                                                "C.json.gz", "readme.txt", "sock"});
  v.show_hidden = true;
  CHECK(names(view_entries(all, v)) ==
        std::vector<std::string>{".cache", "alpha", "Zeta", ".x.json", "a.VZT", "B.json", "b.json", "C.json.gz",
                                 "readme.txt", "sock"});
  v.descending = true;  // folders still first; each group reversed
  CHECK(names(view_entries(all, v)) ==
        std::vector<std::string>{"Zeta", "alpha", ".cache", "sock", "readme.txt", "C.json.gz", "b.json", "B.json",
                                 "a.VZT", ".x.json"});
}

TEST_CASE("view_entries sorts by size and by time, names breaking ties") {
  const std::vector<FileEntry> all = {
      entry("big.json", EntryKind::File, 900, 10),  entry("mid.json", EntryKind::File, 50, 30),
      entry("tie-b.json", EntryKind::File, 5, 20),  entry("Tie-a.json", EntryKind::File, 5, 20),
      entry("dir2", EntryKind::Directory, 0, 1),    entry("dir1", EntryKind::Directory, 0, 99),
  };
  ListView v;
  v.key = SortKey::Size;
  CHECK(names(view_entries(all, v)) ==
        std::vector<std::string>{"dir1", "dir2", "Tie-a.json", "tie-b.json", "mid.json", "big.json"});
  v.descending = true;
  CHECK(names(view_entries(all, v)) ==
        std::vector<std::string>{"dir2", "dir1", "big.json", "mid.json", "tie-b.json", "Tie-a.json"});
  v.key = SortKey::Modified;
  v.descending = false;
  CHECK(names(view_entries(all, v)) ==
        std::vector<std::string>{"dir2", "dir1", "big.json", "Tie-a.json", "tie-b.json", "mid.json"});
}

TEST_CASE("newest_trace: the latest visible trace file, names breaking ties") {
  DirListing l;
  CHECK(newest_trace(l) == "");
  l.entries = {entry("notes.txt", EntryKind::File, 1, 500), entry("newdir", EntryKind::Directory, 0, 400),
               entry(".hidden.json", EntryKind::File, 1, 300)};
  CHECK(newest_trace(l) == "");  // no visible trace file
  l.entries.push_back(entry("old.json", EntryKind::File, 1, 10));
  CHECK(newest_trace(l) == "old.json");
  l.entries.push_back(entry("run-b.vzt", EntryKind::File, 1, 20));
  l.entries.push_back(entry("Run-a.json.gz", EntryKind::File, 1, 20));
  CHECK(newest_trace(l) == "Run-a.json.gz");
  FileEntry late = entry("z-late.json", EntryKind::File, 1, 20);  // the same second, 5 ns later
  late.mtime_ns = 5;
  l.entries.push_back(late);
  CHECK(newest_trace(l) == "z-late.json");
  // From disk: modification times decide.
  TempDir t;
  write_file(t / "first.json", 3);
  write_file(t / "second.vzt", 3);
  set_mtime(t / "first.json", 2000000000);
  set_mtime(t / "second.vzt", 1000000000);
  CHECK(newest_trace(list_directory(t.path)) == "first.json");
}

TEST_CASE("compare_names is case-insensitive with a deterministic tie-break") {
  CHECK(compare_names("apple", "Banana") < 0);
  CHECK(compare_names("Banana", "apple") > 0);
  CHECK(compare_names("abc", "ABC") != 0);
  CHECK(compare_names("abc", "ABC") == -compare_names("ABC", "abc"));
  CHECK(compare_names("ab", "abc") < 0);
  CHECK(compare_names("same", "same") == 0);
  CHECK(compare_names("a_b", "a.b") > 0);
}

TEST_CASE("normalize_path, parent_path, path_name, join_path") {
  CHECK(normalize_path("/a/b/../c/./d/", "/x") == "/a/c/d");
  CHECK(normalize_path("rel/x", "/base/dir") == "/base/dir/rel/x");
  CHECK(normalize_path("../../../..", "/base/dir") == "/");
  CHECK(normalize_path("", "/base") == "/base");
  CHECK(normalize_path("//a///b", "/") == "/a/b");
  CHECK(normalize_path("/", "/x") == "/");
  CHECK(parent_path("/a/b/c") == "/a/b");
  CHECK(parent_path("/a") == "/");
  CHECK(parent_path("/") == "/");
  CHECK(path_name("/a/b.json") == "b.json");
  CHECK(path_name("/") == "/");
  CHECK(join_path("/", "x") == "/x");
  CHECK(join_path("/a", "x") == "/a/x");
}

TEST_CASE("breadcrumbs lead to every ancestor") {
  const std::vector<Crumb> c = breadcrumbs("/home/me/traces");
  REQUIRE(c.size() == 4);
  CHECK(c[0].label == "/");
  CHECK(c[0].path == "/");
  CHECK(c[1].label == "home");
  CHECK(c[1].path == "/home");
  CHECK(c[3].label == "traces");
  CHECK(c[3].path == "/home/me/traces");
  CHECK(breadcrumbs("/").size() == 1);
}

TEST_CASE("expand_tilde expands ~ and ~/ only") {
  CHECK(expand_tilde("~", "/home/me") == "/home/me");
  CHECK(expand_tilde("~/t.json", "/home/me") == "/home/me/t.json");
  CHECK(expand_tilde("~other/t.json", "/home/me") == "~other/t.json");
  CHECK(expand_tilde("a/~/b", "/home/me") == "a/~/b");
}

TEST_CASE("resolve_typed_path: ~, relative paths, URIs, and what they name") {
  TempDir t;
  fs::create_directory(t / "home");
  fs::create_directory(t / "cwd");
  write_file(t / "home/my trace.json", 4);
  const std::string home = t / "home", cwd = t / "cwd";

  ResolvedPath r = resolve_typed_path("  ~/my trace.json \n", cwd, home);
  CHECK(r.path == t / "home/my trace.json");
  CHECK(r.kind == PathKind::File);
  r = resolve_typed_path("../home", cwd, home);
  CHECK(r.path == home);
  CHECK(r.kind == PathKind::Directory);
  r = resolve_typed_path("file://" + home + "/my%20trace.json", cwd, home);
  CHECK(r.path == t / "home/my trace.json");
  CHECK(r.kind == PathKind::File);
  r = resolve_typed_path("file://localhost" + home, cwd, home);
  CHECK(r.path == home);
  r = resolve_typed_path("nothing-here.json", cwd, home);
  CHECK(r.path == t / "cwd/nothing-here.json");
  CHECK(r.kind == PathKind::Missing);
  r = resolve_typed_path("   ", cwd, home);
  CHECK(r.path.empty());
  CHECK(r.kind == PathKind::Missing);
  CHECK(path_kind("/dev/null") == PathKind::Other);
}

TEST_CASE("format_file_size picks the unit and the precision") {
  CHECK(format_file_size(0) == "0 B");
  CHECK(format_file_size(1023) == "1023 B");
  CHECK(format_file_size(1024) == "1.0 KB");
  CHECK(format_file_size(1536) == "1.5 KB");
  CHECK(format_file_size(10199) == "10 KB");  // 9.96 KB rounds up, shown without a decimal
  CHECK(format_file_size(12u * 1024 * 1024) == "12 MB");
  CHECK(format_file_size(uint64_t(3) << 40) == "3.0 TB");
  CHECK(format_file_size(UINT64_MAX) == "16 EB");
}

TEST_CASE("format_mtime is relative to now, in local time") {
  const char* old_tz = getenv("TZ");
  const std::string saved = old_tz ? old_tz : "";
  setenv("TZ", "UTC", 1);
  tzset();
  const int64_t now = 1700000000;  // 2023-11-14 22:13:20 UTC
  CHECK(format_mtime(now - 3600, now) == "Today 21:13");
  CHECK(format_mtime(now - 86400 * 30, now) == "15 Oct 22:13");
  CHECK(format_mtime(now - 86400 * 400, now) == "10 Oct 2022");
  CHECK(format_mtime(0, now).empty());
  if (old_tz) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
}

TEST_CASE("move_selection clamps and starts from either end") {
  CHECK(move_selection(-1, 1, 5) == 0);
  CHECK(move_selection(-1, -1, 5) == 4);
  CHECK(move_selection(2, 1, 5) == 3);
  CHECK(move_selection(4, 1, 5) == 4);
  CHECK(move_selection(0, -1, 5) == 0);
  CHECK(move_selection(1, 10, 5) == 4);
  CHECK(move_selection(3, -10, 5) == 0);
  CHECK(move_selection(7, 1, 5) == 0);
  CHECK(move_selection(0, 1, 0) == -1);
}

TEST_CASE("base_name: the last path component") {
  CHECK(base_name("/a/b/trace.json") == "trace.json");
  CHECK(base_name("trace.json") == "trace.json");
  CHECK(base_name("/a/b/") == "");
  CHECK(base_name("") == "");
}
