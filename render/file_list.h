// The file browser's model: reading a folder, filtering and sorting its entries, and the path
// arithmetic behind the breadcrumb and the typed-path box.
//
// Why apart from file_browser.cpp: everything here is plain data in, plain data out, with no
// ImGui, so it is unit-tested headless (tests/render/file_list_test.cpp) and the dialog only
// draws what these functions computed. A folder is read once when the dialog enters it
// (list_directory); changing the filter or the sort order only re-runs view_entries().
//
// Paths are byte strings as the kernel sees them (no encoding is assumed); "absolute" means
// starting with '/', and normalised paths have no ".", "..", empty or trailing components.
//
// Usage
//   vz::DirListing l = vz::list_directory("/home/me/traces");
//   if (!l.error.empty()) show(l.error);
//   vz::ListView view;                       // traces only, hidden files hidden, by name
//   for (const vz::FileEntry& e : vz::view_entries(l.entries, view)) draw_row(e);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

// What a folder entry is, after following symbolic links.
enum class EntryKind { Directory, File, Other };

// One entry of a folder.
struct FileEntry {
  std::string name;                  // the name in its folder, never "." or ".."
  EntryKind kind = EntryKind::File;  // Other: sockets, devices, fifos, dangling links
  uint64_t size = 0;                 // bytes, for files; 0 for folders
  int64_t mtime = 0;                 // modification time, seconds since the epoch (0: unknown)
  int64_t mtime_ns = 0;              // its nanoseconds within that second
  bool hidden = false;               // the name starts with '.'
  bool trace = false;                // a file whose extension the viewer opens (is_trace_file_name)
  bool link = false;                 // a symbolic link (kind, size and time are its target's)
};

// A folder's entries as read from disk, unsorted.
struct DirListing {
  std::string dir;                  // the normalised absolute folder that was read
  std::vector<FileEntry> entries;   // in readdir order
  std::string error;                // why the folder could not be read; empty when it could
};

// The columns the list can be sorted by.
enum class SortKey { Name, Size, Modified };

// How the dialog shows a listing: which entries, in which order.
struct ListView {
  bool traces_only = true;    // files must pass is_trace_file_name(); folders always show
  bool show_hidden = false;   // show names starting with '.'
  SortKey key = SortKey::Name;
  bool descending = false;    // order within folders and within files; folders always come first
};

// Kind of thing a path names.
enum class PathKind { Missing, Directory, File, Other };

// A typed path after "~" expansion and normalisation, and what it names.
struct ResolvedPath {
  std::string path;   // normalised absolute path ("" when the input was blank)
  PathKind kind = PathKind::Missing;
};

// One clickable segment of the breadcrumb.
struct Crumb {
  std::string label;  // the folder's name ("/" for the root)
  std::string path;   // the absolute path the segment leads to
};

// True for names the viewer opens: .json, .json.gz, .gz, .vzt, in any letter case.
bool is_trace_file_name(std::string_view name);

// The name of the most recently modified trace file of `listing` that is not hidden (to the
// nanosecond; equal times: the first by name), or "" when it has none: the one `vizviewer FOLDER` preselects.
std::string newest_trace(const DirListing& listing);

// The last component of a path ("/a/b/t.json" -> "t.json"; a path without '/' unchanged).
std::string base_name(std::string_view path);

// Reads folder `dir` (normalised first). Entries that vanish or cannot be examined while
// reading are kept with what is known (kind Other). Never throws; sets `error` instead.
DirListing list_directory(const std::string& dir);

// The entries `view` shows, folders first, each group sorted by view.key (names compare
// case-insensitively; ties are broken by byte order, then by name, so the order is total).
std::vector<FileEntry> view_entries(const std::vector<FileEntry>& entries, const ListView& view);

// Case-insensitive (ASCII) name order, with byte order as the tie-break: <0, 0 or >0.
int compare_names(std::string_view a, std::string_view b);

// The user's home folder: $HOME, else the password database, else "/".
std::string home_dir();

// The process's current folder ("/" when it cannot be read).
std::string current_dir();

// "~" and "~/x" expanded with `home`; every other path is returned unchanged.
std::string expand_tilde(std::string_view path, std::string_view home);

// `path` made absolute against `base` (an absolute folder) and lexically normalised:
// "." and empty components dropped, ".." removes the previous component (never above "/").
std::string normalize_path(std::string_view path, std::string_view base);

// The folder containing `path` (a normalised absolute path); "/" for "/" itself.
std::string parent_path(std::string_view path);

// The last component of `path` ("/" for the root).
std::string path_name(std::string_view path);

// `dir` + "/" + `name`, without doubling the slash after the root.
std::string join_path(std::string_view dir, std::string_view name);

// The breadcrumb of a normalised absolute path: "/", then one crumb per component.
std::vector<Crumb> breadcrumbs(std::string_view path);

// What `path` names on disk, following symbolic links.
PathKind path_kind(const std::string& path);

// A path typed into the dialog: whitespace trimmed, a "file://" URI percent-decoded, "~"
// expanded with `home`, made absolute against `cwd` and normalised, then looked up on disk.
ResolvedPath resolve_typed_path(std::string_view typed, std::string_view cwd, std::string_view home);

// A size for the Size column: "0 B", "999 B", "1.5 KB", "12 MB", "3.2 GB" (powers of 1024).
std::string format_file_size(uint64_t bytes);

// A time for the Modified column, in local time relative to `now`: "Today 14:05" on the same
// day, "12 Mar 14:05" in the same year, "12 Mar 2023" otherwise; "" when `t` is 0.
std::string format_mtime(int64_t t, int64_t now);

// A selection index moved by `delta` rows within [0, count), clamped at both ends; -1 when the
// list is empty. From no selection (-1), moving down selects the first row, up the last.
int move_selection(int current, int delta, int count);

}  // namespace vz
