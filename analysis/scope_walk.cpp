#include "analysis/scope_walk.h"

#include <algorithm>

namespace vz {
namespace {

// Slices of a nested set in [t0, t1), counted depth by depth (stops at the first empty depth:
// children lie inside their parents).
uint64_t range_count(const SliceSet& s, Time t0, Time t1) {
  uint64_t n = 0;
  for (uint32_t d = 0; d < s.depths(); ++d) {
    auto [b, e] = range_at_depth(s, d, t0, t1);
    if (b == e) break;
    n += e - b;
  }
  return n;
}

void add_thread(const Trace& t, uint32_t th, Time t0, Time t1, size_t target,
                std::vector<WalkPiece>& out) {
  const Thread& thread = t.threads[th];
  const SliceSet& s = thread.slices;
  if (s.depths() > 0) {
    auto [b, e] = range_at_depth(s, 0, t0, t1);
    if (b < e) {
      uint64_t n = range_count(s, t0, t1);
      uint64_t pieces = std::min<uint64_t>(e - b, (n + target - 1) / target);
      if (pieces == 0) pieces = 1;
      uint64_t roots = e - b;
      for (uint64_t k = 0; k < pieces; ++k) {
        WalkPiece p;
        p.thread = th;
        p.first = b + uint32_t(roots * k / pieces);
        p.last = b + uint32_t(roots * (k + 1) / pieces);
        p.open_end = k + 1 == pieces;
        out.push_back(p);
      }
    }
  }
  const SliceSet& o = thread.overflow;
  for (uint32_t d = 0; d < o.depths(); ++d) {
    auto [b, e] = range_at_depth(o, d, t0, t1);
    for (uint32_t at = b; at < e;) {
      uint32_t next = uint32_t(std::min<uint64_t>(e, uint64_t(at) + target));
      WalkPiece p;
      p.thread = th;
      p.overflow = true;
      p.depth = d;
      p.first = at;
      p.last = next;
      out.push_back(p);
      at = next;
    }
  }
}

}  // namespace

std::pair<uint32_t, uint32_t> range_at_depth(const SliceSet& s, uint32_t depth, Time t0, Time t1) {
  if (t1 <= t0) return {0, 0};
  // The closed overlap [t0, t1] (two binary searches), less its slices that start at t1 (the last
  // ones) and those that end at t0 having started before it (the first ones: ends are sorted).
  auto [lo, hi] = s.visible(depth, t0, t1);
  const Time* start = s.start.data();
  hi = uint32_t(std::lower_bound(start + lo, start + hi, t1) - start);
  while (lo < hi && !in_range(start[lo], s.end(lo), t0, t1)) ++lo;
  return {lo, hi};
}

std::vector<WalkPiece> make_walk_pieces(const Trace& t, uint32_t thread, Time t0, Time t1,
                                        size_t target) {
  std::vector<WalkPiece> out;
  if (t1 <= t0) return out;
  if (target == 0) target = 1;
  if (thread != kNone) {
    if (thread < t.threads.size()) add_thread(t, thread, t0, t1, target, out);
    return out;
  }
  for (uint32_t th = 0; th < t.threads.size(); ++th) add_thread(t, th, t0, t1, target, out);
  return out;
}

std::pair<uint32_t, uint32_t> piece_range(const SliceSet& s, const WalkPiece& p, uint32_t depth,
                                          Time t0, Time t1) {
  if (depth == 0) return {p.first, p.last};
  auto [b, e] = range_at_depth(s, depth, t0, t1);
  if (b == e) return {0, 0};
  auto col = s.start.begin();
  uint32_t lo = uint32_t(std::lower_bound(col + b, col + e, s.start[p.first]) - col);
  uint32_t hi = e;
  if (!p.open_end) hi = uint32_t(std::lower_bound(col + lo, col + e, s.start[p.last]) - col);
  if (lo >= hi) return {0, 0};
  return {lo, hi};
}

}  // namespace vz
