#include "analysis/slice_query.h"

#include <algorithm>

namespace vz {

uint32_t slice_parent(const SliceSet& s, uint32_t i, uint32_t depth) {
  if (!s.nested || depth == 0 || depth > s.depths() || i >= s.size()) return kNone;
  auto first = s.start.begin() + s.depth_begin[depth - 1];
  auto last = s.start.begin() + s.depth_begin[depth];
  auto it = std::upper_bound(first, last, s.start[i]);  // first parent candidate starting after i
  if (it == first) return kNone;                         // only in a malformed set
  return uint32_t(it - s.start.begin()) - 1;
}

uint32_t slice_parent(const SliceSet& s, uint32_t i) {
  if (i >= s.size()) return kNone;
  return slice_parent(s, i, s.depth_of(i));
}

std::vector<uint32_t> slice_ancestors(const SliceSet& s, uint32_t i) {
  std::vector<uint32_t> out;
  if (i >= s.size()) return out;
  uint32_t d = s.depth_of(i);
  for (uint32_t p = slice_parent(s, i, d); p != kNone; p = slice_parent(s, p, --d)) out.push_back(p);
  std::reverse(out.begin(), out.end());
  return out;
}

std::pair<uint32_t, uint32_t> slice_children(const SliceSet& s, uint32_t i, uint32_t depth) {
  if (!s.nested || i >= s.size() || depth + 1 >= s.depths() || s.dur[i] <= 0) return {0, 0};
  auto first = s.start.begin() + s.depth_begin[depth + 1];
  auto last = s.start.begin() + s.depth_begin[depth + 2];
  auto lo = std::lower_bound(first, last, s.start[i]);
  auto hi = std::lower_bound(lo, last, s.end(i));
  if (lo == hi) return {0, 0};
  return {uint32_t(lo - s.start.begin()), uint32_t(hi - s.start.begin())};
}

std::pair<uint32_t, uint32_t> slice_children(const SliceSet& s, uint32_t i) {
  if (i >= s.size()) return {0, 0};
  return slice_children(s, i, s.depth_of(i));
}

Time slice_self_time(const SliceSet& s, uint32_t i) {
  if (i >= s.size()) return 0;
  auto [b, e] = slice_children(s, i);
  Time self = s.dur[i];
  for (uint32_t c = b; c < e; ++c) self = wrap_sub(self, s.dur[c]);
  return self;
}

}  // namespace vz
