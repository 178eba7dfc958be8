// Finding events by their exact name text, across two traces that share no string table, and
// taking viztracer's "qualname (path:line)" names apart.
//
// The comparison view matches runs by name: a slice selected in run A highlights the slices of
// the same name in run B, and the two time axes can be aligned on the first occurrence of a name
// in each run. Both need the name's text looked up in the other trace's tables, never its StrId.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "formats/model.h"

namespace vz {

// A name of the form "qualname (path:line)" taken apart.
struct ViztracerName {
  std::string_view qualname;  // the part before " ("
  std::string_view path;      // between "(" and the last ':'
  int64_t line = 0;           // the digits after the last ':'
};

// Parses viztracer's "qualname (/abs/path/file.py:123)". False when `name` does not end that way.
bool parse_viztracer_name(std::string_view name, ViztracerName* out);

// Per Trace::labels index: 1 when the label's name is exactly `name`. When none is, the labels
// whose name is `name` followed by " (" (viztracer's "Class.method (/path/file.py:12)": "Class.method"
// names all its definitions). Empty when no label has it either way.
std::vector<uint8_t> labels_named(const Trace& t, std::string_view name);

// The earliest event named exactly `name` in `t`: a thread slice (nested or overflow lane), an
// async slice, or an instant of any scope. Sets *at to its start and returns true; false (and
// *at untouched) when nothing has that name. O(labels + the rows scanned up to their first match).
bool first_named(const Trace& t, std::string_view name, Time* at);

}  // namespace vz
