// The file browser's model. See file_list.h.
#include "render/file_list.h"

#include <dirent.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <utility>

#include "formats/io.h"

namespace vz {
namespace {

char fold(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// Fills kind, size, time and link from lstat/stat of `path`.
void examine(const std::string& path, FileEntry* e) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    e->kind = EntryKind::Other;  // vanished while the folder was read
    return;
  }
  e->link = S_ISLNK(st.st_mode);
  if (e->link && ::stat(path.c_str(), &st) != 0) {
    e->kind = EntryKind::Other;  // a dangling link
    return;
  }
  e->kind = S_ISDIR(st.st_mode) ? EntryKind::Directory : S_ISREG(st.st_mode) ? EntryKind::File : EntryKind::Other;
  e->size = e->kind == EntryKind::File ? uint64_t(st.st_size) : 0;
  e->mtime = int64_t(st.st_mtime);
  e->mtime_ns = int64_t(st.st_mtim.tv_nsec);
}

// Strict-weak "a before b" within one group (folders, or everything else) for `view`.
bool entry_less(const FileEntry& a, const FileEntry& b, const ListView& view) {
  int c = 0;
  if (view.key == SortKey::Size && a.size != b.size) c = a.size < b.size ? -1 : 1;
  if (view.key == SortKey::Modified && a.mtime != b.mtime) c = a.mtime < b.mtime ? -1 : 1;
  if (c == 0) c = compare_names(a.name, b.name);
  return view.descending ? c > 0 : c < 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = fold(c);
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// "%20" and friends decoded; malformed escapes are kept as they are.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      out += char(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_trace_file_name(std::string_view name) {
  return ends_with_ci(name, ".json") || ends_with_ci(name, ".json.gz") || ends_with_ci(name, ".gz") ||
         ends_with_ci(name, ".vzt");
}

std::string newest_trace(const DirListing& listing) {
  const FileEntry* best = nullptr;
  for (const FileEntry& e : listing.entries) {
    if (!e.trace || e.hidden) continue;
    if (!best || std::pair(e.mtime, e.mtime_ns) > std::pair(best->mtime, best->mtime_ns) ||
        (e.mtime == best->mtime && e.mtime_ns == best->mtime_ns && compare_names(e.name, best->name) < 0))
      best = &e;
  }
  return best ? best->name : std::string();
}

DirListing list_directory(const std::string& dir) {
  DirListing out;
  out.dir = normalize_path(dir, current_dir());
  DIR* d = ::opendir(out.dir.c_str());
  if (!d) {
    out.error = "Cannot open " + out.dir + ": " + std::strerror(errno);
    return out;
  }
  errno = 0;
  while (const dirent* de = ::readdir(d)) {
    const std::string_view name = de->d_name;
    if (name == "." || name == "..") continue;
    FileEntry e;
    e.name = name;
    e.hidden = name.front() == '.';
    examine(join_path(out.dir, name), &e);
    e.trace = e.kind == EntryKind::File && is_trace_file_name(name);
    out.entries.push_back(std::move(e));
    errno = 0;
  }
  if (errno != 0) out.error = "Could not read all of " + out.dir + ": " + std::strerror(errno);
  ::closedir(d);
  return out;
}

std::vector<FileEntry> view_entries(const std::vector<FileEntry>& entries, const ListView& view) {
  std::vector<FileEntry> out;
  out.reserve(entries.size());
  for (const FileEntry& e : entries) {
    if (e.hidden && !view.show_hidden) continue;
    if (view.traces_only && e.kind != EntryKind::Directory && !e.trace) continue;
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(), [&](const FileEntry& a, const FileEntry& b) {
    const bool ad = a.kind == EntryKind::Directory, bd = b.kind == EntryKind::Directory;
    if (ad != bd) return ad;
    return entry_less(a, b, view);
  });
  return out;
}

int compare_names(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const char x = fold(a[i]), y = fold(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);  // same letters, different case: upper case first, deterministically
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && h[0] == '/') return normalize_path(h, "/");
  if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir && pw->pw_dir[0] == '/') {
    return normalize_path(pw->pw_dir, "/");
  }
  return "/";
}

std::string current_dir() {
  char buf[4096];
  if (::getcwd(buf, sizeof(buf)) && buf[0] == '/') return normalize_path(buf, "/");
  return "/";
}

std::string expand_tilde(std::string_view path, std::string_view home) {
  if (path == "~") return std::string(home);
  if (path.starts_with("~/")) return join_path(home, path.substr(2));
  return std::string(path);
}

std::string normalize_path(std::string_view path, std::string_view base) {
  std::vector<std::string_view> parts;
  auto push = [&](std::string_view p) {
    while (!p.empty()) {
      const size_t slash = p.find('/');
      const std::string_view part = p.substr(0, slash);
      p.remove_prefix(slash == std::string_view::npos ? p.size() : slash + 1);
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (!parts.empty()) parts.pop_back();
      } else {
        parts.push_back(part);
      }
    }
  };
  if (path.empty() || path.front() != '/') push(base);
  push(path);
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

std::string parent_path(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos || slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string path_name(std::string_view path) {
  if (path == "/" || path.empty()) return std::string(path);
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string join_path(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::vector<Crumb> breadcrumbs(std::string_view path) {
  std::vector<Crumb> out{{"/", "/"}};
  std::string so_far;
  size_t i = 0;
  while (i < path.size()) {
    const size_t next = std::min(path.find('/', i), path.size());
    if (next > i) {
      const std::string_view part = path.substr(i, next - i);
      so_far += '/';
      so_far += part;
      out.push_back({std::string(part), so_far});
    }
    i = next + 1;
  }
  return out;
}

PathKind path_kind(const std::string& path) {
  struct stat st;
  if (path.empty() || ::stat(path.c_str(), &st) != 0) return PathKind::Missing;
  if (S_ISDIR(st.st_mode)) return PathKind::Directory;
  return S_ISREG(st.st_mode) ? PathKind::File : PathKind::Other;
}

ResolvedPath resolve_typed_path(std::string_view typed, std::string_view cwd, std::string_view home) {
  std::string_view t = trim(typed);
  if (t.empty()) return {};
  std::string text(t);
  if (t.starts_with("file://")) {
    std::string_view rest = t.substr(7);
    const size_t slash = rest.find('/');  // skip an authority ("file://localhost/x")
    text = percent_decode(slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash));
  }
  ResolvedPath r;
  r.path = normalize_path(expand_tilde(text, home), cwd);
  r.kind = path_kind(r.path);
  return r;
}

std::string format_file_size(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* const kUnits[] = {"KB", "MB", "GB", "TB", "PB", "EB"};
  double v = double(bytes) / 1024.0;
  int u = 0;
  while (v >= 1024.0 && u < 5) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  // One decimal below 10 ("1.5 KB"), none above ("12 MB"); 9.96 rounds to "10 KB", not "10.0 KB".
  if (v < 9.95) std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[u]);
  else std::snprintf(buf, sizeof(buf), "%.0f %s", v, kUnits[u]);
  return buf;
}

std::string format_mtime(int64_t t, int64_t now) {
  if (t == 0) return {};
  const time_t tt = time_t(t), nn = time_t(now);
  std::tm a{}, b{};
  if (!::localtime_r(&tt, &a) || !::localtime_r(&nn, &b)) return {};
  char buf[64];
  if (a.tm_year == b.tm_year && a.tm_yday == b.tm_yday) {
    std::strftime(buf, sizeof(buf), "Today %H:%M", &a);
  } else if (a.tm_year == b.tm_year) {
    std::strftime(buf, sizeof(buf), "%d %b %H:%M", &a);
  } else {
    std::strftime(buf, sizeof(buf), "%d %b %Y", &a);
  }
  return buf;
}

int move_selection(int current, int delta, int count) {
  if (count <= 0) return -1;
  if (current < 0 || current >= count) return delta >= 0 ? 0 : count - 1;
  return std::clamp(current + delta, 0, count - 1);
}

std::string base_name(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace vz
