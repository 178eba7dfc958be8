#include "analysis/name_lookup.h"

#include <algorithm>
#include <limits>

namespace vz {

bool parse_viztracer_name(std::string_view name, ViztracerName* out) {
  // "qualname (path:line)", where path may itself hold parentheses and colons.
  if (name.size() < 6 || name.back() != ')') return false;
  // Python qualnames never contain " (", so the first one opens the location (paths may).
  const size_t open = name.find(" (");
  if (open == std::string_view::npos) return false;
  const std::string_view inside = name.substr(open + 2, name.size() - open - 3);
  const size_t colon = inside.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= inside.size()) return false;
  const std::string_view digits = inside.substr(colon + 1);
  int64_t line = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    if (line > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
    line = line * 10 + (c - '0');
  }
  out->qualname = name.substr(0, open);
  out->path = inside.substr(0, colon);
  out->line = line;
  return true;
}

std::vector<uint8_t> labels_named(const Trace& t, std::string_view name) {
  std::vector<uint8_t> mark(t.labels.size(), 0);
  bool any = false;
  if (const StrId id = t.strings.find(name); id != kNone) {
    for (size_t l = 0; l < t.labels.size(); ++l) {
      if (t.labels[l].name == id) mark[l] = 1, any = true;
    }
  }
  if (!any && !name.empty()) {  // viztracer's names: "qualname (/path/file.py:line)"
    for (size_t l = 0; l < t.labels.size(); ++l) {
      const std::string_view n = t.str(t.labels[l].name);
      if (n.size() > name.size() + 1 && n.substr(0, name.size()) == name &&
          n.substr(name.size(), 2) == " (")
        mark[l] = 1, any = true;
    }
  }
  if (!any) mark.clear();
  return mark;
}

namespace {

// Earliest start in `s` whose label is marked: rows are sorted by start, so each row stops at its
// first match, and a row whose first start is already later than the best so far is skipped.
void first_in_set(const SliceSet& s, const std::vector<uint8_t>& mark, bool* found, Time* best) {
  for (uint32_t d = 0; d < s.depths(); ++d) {
    const uint32_t b = s.depth_begin[d], e = s.depth_begin[d + 1];
    for (uint32_t i = b; i < e; ++i) {
      if (*found && s.start[i] >= *best) break;
      if (mark[s.label[i]]) {
        *best = s.start[i];
        *found = true;
        break;
      }
    }
  }
}

void first_instant(const std::vector<Instant>& v, const std::vector<uint8_t>& mark, bool* found, Time* best) {
  for (const Instant& in : v) {  // sorted by ts
    if (*found && in.ts >= *best) break;
    if (mark[in.label]) {
      *best = in.ts;
      *found = true;
      break;
    }
  }
}

}  // namespace

bool first_named(const Trace& t, std::string_view name, Time* at) {
  const std::vector<uint8_t> mark = labels_named(t, name);
  if (mark.empty()) return false;
  bool found = false;
  Time best = 0;
  for (const Thread& th : t.threads) {
    first_in_set(th.slices, mark, &found, &best);
    first_in_set(th.overflow, mark, &found, &best);
    first_instant(th.instants, mark, &found, &best);
  }
  first_instant(t.process_instants, mark, &found, &best);
  first_instant(t.global_instants, mark, &found, &best);
  for (const AsyncSlice& a : t.async_slices) {  // sorted by (process, start): no early exit
    if (mark[a.label] && (!found || a.start < best)) {
      best = a.start;
      found = true;
    }
  }
  if (found) *at = best;
  return found;
}

}  // namespace vz
