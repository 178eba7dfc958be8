// Shared by the tests of analysis/: random traces built through TraceBuilder (nested trees,
// stray X slices that land in overflow lanes, unmatched B events left open, zero-length slices,
// names shared by several labels) and brute-force references that know nothing of the depth-major
// layout beyond what each slice's depth says.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "analysis/diff.h"
#include "formats/builder.h"
#include "formats/model.h"

namespace vz::testing {

// Names with shared prefixes, mixed case, a ';', a newline and the empty name.
inline const std::vector<std::string>& test_names() {
  static const std::vector<std::string> names = {"alpha", "Alphabet", "beta;x", "gamma\nline",
                                                 "", "fib", "FIB_2", "delta"};
  return names;
}

// Appends a random tree of X slices inside [lo, hi] (the root spans it exactly).
inline void random_tree(std::mt19937_64& rng, TraceBuilder& b, uint32_t th,
                        const std::vector<uint32_t>& labels, Time lo, Time hi, int depth) {
  b.add_complete(th, lo, hi - lo, labels[rng() % labels.size()], {}, {});
  if (depth == 0 || rng() % 5 == 0) return;
  Time at = lo;
  int kids = int(rng() % 5);
  for (int k = 0; k < kids && at <= hi; ++k) {
    Time gap = rng() % 3 == 0 ? 0 : Time(rng() % uint64_t((hi - at) / 4 + 1));
    Time s = at + gap;
    Time len = rng() % 6 == 0 ? 0 : Time(rng() % uint64_t(hi - s + 1));
    random_tree(rng, b, th, labels, s, s + len, depth - 1);
    at = s + len + (rng() % 2 ? 0 : Time(rng() % 4));
  }
}

// A random trace of 1-4 threads. With `strays`, X slices that overlap without nesting (overflow
// lanes) and unmatched B events (open slices) are mixed in.
inline std::unique_ptr<Trace> random_trace(std::mt19937_64& rng, bool strays = true) {
  auto t = std::make_unique<Trace>();
  TraceBuilder b(*t);
  std::vector<uint32_t> labels;
  for (const std::string& n : test_names())
    for (const char* cat : {"c1", "c2"}) labels.push_back(b.label(b.intern(n), b.intern(cat)));
  int threads = 1 + int(rng() % 4);
  uint64_t seq = 0;
  for (int k = 0; k < threads; ++k) {
    uint32_t th = b.thread(b.intern("1"), b.intern(std::to_string(k)));
    Time at = Time(rng() % 50) - 25;
    int roots = int(rng() % 5);
    for (int r = 0; r < roots; ++r) {
      Time len = Time(rng() % 200);
      random_tree(rng, b, th, labels, at, at + len, 1 + int(rng() % 5));
      at += len + Time(rng() % 10);
    }
    if (!strays) continue;
    int n = int(rng() % 8);
    for (int i = 0; i < n; ++i) {
      Time s = Time(rng() % uint64_t(at + 30)) - 25;
      b.add_complete(th, s, 1 + Time(rng() % 80), labels[rng() % labels.size()], {}, {});
    }
    if (rng() % 3 == 0) {
      Time s = Time(rng() % uint64_t(at + 30)) - 25;
      b.add_begin(th, s, labels[rng() % labels.size()], {}, {}, seq++, 0);
    }
  }
  b.finish(1);
  return t;
}

// Reference parent of every slice of a set: the slice one depth up with start <= c.start < end
// and c.end <= end (checked unique); kNone at depth 0 and in non-nested sets.
inline std::vector<uint32_t> reference_parents(const SliceSet& s) {
  std::vector<uint32_t> parent(s.size(), kNone);
  if (!s.nested) return parent;
  for (uint32_t c = 0; c < s.size(); ++c) {
    uint32_t d = s.depth_of(c);
    if (d == 0) continue;
    int found = 0;
    for (uint32_t p = s.depth_begin[d - 1]; p < s.depth_begin[d]; ++p) {
      if (s.start[p] <= s.start[c] && s.start[c] < s.end(p) && s.end(c) <= s.end(p)) {
        parent[c] = p;
        found++;
      }
    }
    REQUIRE(found == 1);
  }
  return parent;
}

// Whether slice i of `s` lies inside a slice of the same name (a recursive call), along
// reference_parents' `parent`.
inline bool reference_nested_in_same_name(const Trace& t, const SliceSet& s,
                                          const std::vector<uint32_t>& parent, uint32_t i) {
  const StrId name = t.labels[s.label[i]].name;
  for (uint32_t a = parent[i]; a != kNone; a = parent[a])
    if (t.labels[s.label[a]].name == name) return true;
  return false;
}

// Whether slice i is in the half-open range [t0, t1): it has a moment in it, a zero-length slice
// counting as the moment at its start (so it is in when t0 <= start < t1). And the part of it
// inside the range.
inline bool ref_overlaps(const SliceSet& s, uint32_t i, Time t0, Time t1) {
  if (s.dur[i] == 0) return t0 <= s.start[i] && s.start[i] < t1;
  return std::max(s.start[i], t0) < std::min(s.end(i), t1);
}
inline Time ref_clip(const SliceSet& s, uint32_t i, Time t0, Time t1) {
  Time a = std::max(s.start[i], t0), b = std::min(s.end(i), t1);
  return b > a ? b - a : 0;
}

// A random range whose ends are slice starts or ends (sometimes one off), where the half-open
// rule decides: slices ending at t0, starting at t1, zero-length ones at either. Reversed or empty
// when the two picks say so; any range when the trace has no slice.
inline std::pair<Time, Time> boundary_range(std::mt19937_64& rng, const Trace& t) {
  std::vector<Time> at;
  for (const Thread& th : t.threads)
    for (const SliceSet* s : {&th.slices, &th.overflow})
      for (uint32_t i = 0; i < s->size(); ++i) {
        at.push_back(s->start[i]);
        at.push_back(s->end(i));
      }
  if (at.empty()) return {t.start, t.end};
  auto pick = [&] {
    const Time x = at[rng() % at.size()];
    const int nudge = int(rng() % 6);
    return nudge == 0 ? x - 1 : nudge == 1 ? x + 1 : x;
  };
  const Time a = pick(), b = pick();
  return {std::min(a, b), std::max(a, b)};
}

// A random range around the trace: cutting slices, at slice boundaries, empty, reversed, outside,
// or everything.
inline std::pair<Time, Time> random_range(std::mt19937_64& rng, const Trace& t) {
  Time lo = t.start - 30, span = t.end - t.start + 60;
  switch (rng() % 10) {
    case 8:
    case 9: return boundary_range(rng, t);
    case 0: return {std::numeric_limits<Time>::min(), std::numeric_limits<Time>::max()};
    case 1: { Time a = lo + Time(rng() % uint64_t(span + 1)); return {a, a}; }
    case 2: { Time a = lo + Time(rng() % uint64_t(span + 1)); return {a, a - 1 - Time(rng() % 5)}; }
    case 3: return {t.end + 1, t.end + 50};
    case 4: return {t.start - 100, t.start - 1};
    default: {
      Time a = lo + Time(rng() % uint64_t(span + 1)), b = lo + Time(rng() % uint64_t(span + 1));
      return {std::min(a, b), std::max(a, b)};
    }
  }
}

// A trace whose only thread has slices in overflow lanes and none nested (no reader produces one
// today; a hand-built or future model might).
inline std::unique_ptr<Trace> overflow_only_trace() {
  auto t = std::make_unique<Trace>();
  t->labels.push_back({t->strings.intern("lane"), kNoStr});
  t->labels.push_back({t->strings.intern("other"), kNoStr});
  t->processes.emplace_back();
  t->threads.emplace_back();
  SliceSet& o = t->threads[0].overflow;
  o.nested = false;
  // Lane 0: [0,10] [10,20]; lane 1: [5,15].
  o.start = {0, 10, 5};
  o.dur = {10, 10, 10};
  o.label = {0, 1, 0};
  o.flags = {0, 0, 0};
  o.depth_begin = {0, 2, 3};
  t->start = 0;
  t->end = 20;
  return t;
}

// Appends a top-level row named `name` with one call of `a` ns in A and `b` ns in B (its self
// time the same), and adds them to the traced totals.
inline void add_flat_row(DiffResult& r, const char* name, Time a, Time b) {
  DiffRow x;
  x.name = name;
  x.depth = 1;
  x.a = DiffSums{1, a, a};
  x.b = DiffSums{1, b, b};
  x.delta_total = x.delta_self = b - a;
  x.delta_pct = diff_pct(a, b);
  r.rows.push_back(x);
  r.total_a += a;
  r.total_b += b;
}

}  // namespace vz::testing
