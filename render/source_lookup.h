// Finding and preparing the Python source of a viztracer function, for the details panel.
//
// viztracer traces carry `file_info`: the text of every traced source file (Trace::files, kept as
// the raw JSON string token) and a map from function label to (file, line) (Trace::functions).
// Given a slice name this finds the location, first in Trace::functions, then by reading
// viztracer's naming pattern "qualname (/abs/path/file.py:123)". The source of a file is decoded
// once, split into lines with tabs expanded, and cached per file for the life of the trace.
// No ImGui here: render/source_view draws what this produces.
//
// Usage
//   vz::SourceCache cache;                                  // one per loaded trace
//   if (auto loc = vz::find_source(trace, name); loc.found) {
//     const vz::SourceLines* lines = cache.get(trace, loc.file);   // null when not in file_info
//     ... lines->line(loc.line - 1) ...
//   }
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "analysis/name_lookup.h"  // parse_viztracer_name
#include "formats/model.h"

namespace vz {

// Where a function is defined.
struct SourceLocation {
  bool found = false;        // false: neither file_info nor the name says where
  bool from_functions = false;  // true: from Trace::functions; false: parsed from the name
  std::string path;          // the file as the trace names it
  int64_t line = 0;          // 1-based line of the definition (0 when unknown)
  uint32_t file = kNone;     // index into Trace::files, kNone when the source is not in the trace
};

// Index of the file with this path in Trace::files, or kNone.
uint32_t find_source_file(const Trace& trace, std::string_view path);

// Where the function labelled `name` is defined (Trace::functions first, then the name pattern).
SourceLocation find_source(const Trace& trace, std::string_view name);

// True when the trace carries any file_info (files or functions).
bool has_file_info(const Trace& trace);

// A source file as lines: one decoded, tab-expanded text plus where each line starts.
struct SourceLines {
  std::string text;                // every line, without the line terminators
  std::vector<size_t> starts;      // line i is text[starts[i], starts[i + 1]); size() + 1 entries
  bool bad_escape = false;         // the JSON string had a malformed escape (shown raw)
  size_t size() const { return starts.empty() ? 0 : starts.size() - 1; }  // number of lines
  std::string_view line(size_t i) const {                                 // line i (0-based)
    return std::string_view(text).substr(starts[i], starts[i + 1] - starts[i]);
  }
  size_t max_width = 0;            // bytes in the longest line (for the horizontal extent)
};

// Splits decoded source into lines ("\n", "\r\n" and "\r" end a line; a final terminator does not
// start an empty line) and expands tabs to the next multiple of `tab_width` columns.
SourceLines split_source_lines(std::string_view source, int tab_width = 4);

// Decodes the JSON string token of a SourceFile (quotes and escapes) and splits it into lines.
SourceLines decode_source(std::string_view json_token, int tab_width = 4);

// Per-trace cache of decoded files, filled on first use. Forgets everything when asked for a
// different trace than the one it was filled from.
class SourceCache {
 public:
  // The lines of Trace::files[file], decoded on first call; null when file is out of range.
  const SourceLines* get(const Trace& trace, uint32_t file);
  // Drops every decoded file.
  void clear();

 private:
  const Trace* trace_ = nullptr;
  size_t files_ = 0;
  std::unordered_map<uint32_t, std::unique_ptr<SourceLines>> lines_;
};

}  // namespace vz
