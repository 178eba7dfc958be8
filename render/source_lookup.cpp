// Source lookup for viztracer traces. See source_lookup.h.
#include "render/source_lookup.h"

#include <algorithm>

#include "formats/numbers.h"

namespace vz {

uint32_t find_source_file(const Trace& trace, std::string_view path) {
  if (path.empty()) return kNone;
  for (size_t i = 0; i < trace.files.size(); ++i)
    if (trace.str(trace.files[i].path) == path) return uint32_t(i);
  // A relative name in one place and an absolute one in the other: match whole path components.
  auto suffix_of = [](std::string_view longer, std::string_view shorter) {
    return longer.size() > shorter.size() && longer.substr(longer.size() - shorter.size()) == shorter &&
           longer[longer.size() - shorter.size() - 1] == '/';
  };
  for (size_t i = 0; i < trace.files.size(); ++i) {
    const std::string_view f = trace.str(trace.files[i].path);
    if (suffix_of(f, path) || suffix_of(path, f)) return uint32_t(i);
  }
  return kNone;
}

bool has_file_info(const Trace& trace) { return !trace.files.empty() || !trace.functions.empty(); }

SourceLocation find_source(const Trace& trace, std::string_view name) {
  SourceLocation loc;
  const StrId id = trace.strings.find(name);
  if (id != kNone) {
    auto it = trace.functions.find(id);
    if (it != trace.functions.end()) {
      loc.found = true;
      loc.from_functions = true;
      loc.path.assign(trace.str(it->second.file));
      loc.line = it->second.line;
    }
  }
  if (!loc.found) {
    ViztracerName parsed;
    if (!parse_viztracer_name(name, &parsed)) return loc;
    loc.found = true;
    loc.path.assign(parsed.path);
    loc.line = parsed.line;
  }
  loc.file = find_source_file(trace, loc.path);
  return loc;
}

SourceLines split_source_lines(std::string_view source, int tab_width) {
  SourceLines out;
  tab_width = std::max(1, tab_width);
  out.text.reserve(source.size());
  out.starts.push_back(0);
  size_t column = 0;  // in code points, for tab stops
  auto end_line = [&] {
    out.max_width = std::max(out.max_width, out.text.size() - out.starts.back());
    out.starts.push_back(out.text.size());
    column = 0;
  };
  for (size_t i = 0; i < source.size(); ++i) {
    const char c = source[i];
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < source.size() && source[i + 1] == '\n') ++i;
      end_line();
      continue;
    }
    if (c == '\t') {
      const size_t spaces = size_t(tab_width) - column % size_t(tab_width);
      out.text.append(spaces, ' ');
      column += spaces;
      continue;
    }
    out.text.push_back(c);
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++column;  // not a UTF-8 continuation
  }
  // Text after the last terminator is a line; a trailing terminator adds no empty line.
  if (out.text.size() > out.starts.back()) end_line();
  return out;
}

SourceLines decode_source(std::string_view json_token, int tab_width) {
  std::string_view content = json_token;
  if (content.size() >= 2 && content.front() == '"' && content.back() == '"')
    content = content.substr(1, content.size() - 2);
  std::string decoded;
  bool bad = false;
  if (!unescape_json(content, decoded)) {
    decoded.assign(content);
    bad = true;
  }
  SourceLines lines = split_source_lines(decoded, tab_width);
  lines.bad_escape = bad;
  return lines;
}

const SourceLines* SourceCache::get(const Trace& trace, uint32_t file) {
  if (trace_ != &trace || files_ != trace.files.size()) {
    clear();
    trace_ = &trace;
    files_ = trace.files.size();
  }
  if (file >= trace.files.size()) return nullptr;
  auto it = lines_.find(file);
  if (it != lines_.end()) return it->second.get();
  auto lines = std::make_unique<SourceLines>(decode_source(trace.view(trace.files[file].source)));
  const SourceLines* p = lines.get();
  lines_.emplace(file, std::move(lines));
  return p;
}

void SourceCache::clear() {
  lines_.clear();
  trace_ = nullptr;
  files_ = 0;
}

}  // namespace vz
