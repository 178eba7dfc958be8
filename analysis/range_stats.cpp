#include "analysis/range_stats.h"

#include <algorithm>
#include <unordered_map>

#include "analysis/scope_walk.h"
#include "formats/parallel.h"

namespace vz {
namespace {

constexpr size_t kPieceSlices = 1 << 18;  // slices per piece of work

// Per-label accumulator (one array per worker).
struct LabelAcc {
  uint64_t count = 0;
  Time total = 0;  // of the calls not inside a call of the same name
  Time sum = 0;    // of every call (the mean's)
  Time self = 0;
  Time min = kTimeMax;
  Time max = kTimeMin;
};

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel && cancel->load(std::memory_order_relaxed);
}

inline void add_slice(LabelAcc& a, Time c, bool nested_in_same_name = false) {
  a.count++;
  if (!nested_in_same_name) a.total = wrap_add(a.total, c);
  a.sum = wrap_add(a.sum, c);
  a.self = wrap_add(a.self, c);
  a.min = std::min(a.min, c);
  a.max = std::max(a.max, c);
}

// For each child in [lo, hi) (one depth), the index of the last slice of [plo, phi) (the depth
// above) starting at or before it: its parent in a nested set (plo when none does). A merge of
// the two start columns without data-dependent branches: each step either moves to the next
// parent or records the current one for the current child. The children are cut into kLanes runs,
// each starting from its parent found by binary search, and the runs' merges step together, so
// their chains of dependent loads overlap. out[i - lo] is written for each child.
constexpr int kLanes = 4;

struct MergeLane {
  uint32_t p, i, end;
};

inline void merge_step(const Time* start, uint32_t plast, MergeLane& l, uint32_t* out) {
  Time next = l.p < plast ? start[l.p + 1] : kTimeMax;
  bool step_parent = next <= start[l.i];
  out[l.i] = l.p;
  l.p += step_parent;
  l.i += !step_parent;
}

void find_parents(const Time* start, uint32_t lo, uint32_t hi, uint32_t plo, uint32_t phi,
                  uint32_t* out) {
  out -= lo;
  const uint32_t plast = phi - 1;
  MergeLane lane[kLanes];
  for (int k = 0; k < kLanes; ++k) {
    uint32_t b = lo + uint32_t(uint64_t(hi - lo) * k / kLanes);
    uint32_t p = uint32_t(std::upper_bound(start + plo, start + phi, start[b]) - start);
    lane[k] = MergeLane{p > plo ? p - 1 : plo, b, lo + uint32_t(uint64_t(hi - lo) * (k + 1) / kLanes)};
  }
  for (;;) {
    bool all = true;
    for (int k = 0; k < kLanes; ++k) all &= lane[k].i < lane[k].end;
    if (!all) break;
#pragma GCC unroll 4
    for (int k = 0; k < kLanes; ++k) merge_step(start, plast, lane[k], out);
  }
  for (MergeLane& l : lane)
    while (l.i < l.end) merge_step(start, plast, l, out);
}

// Per label: its name, and that name's bits of a 128-bit set (one bit in each half, by two
// hashes). A slice's set holds its ancestors' names, so a name not in it has no ancestor of that
// name (a name in it may: the chain of parents says; with two hashes that walk is rarely in vain).
struct NameSet {
  uint64_t a = 0, b = 0;  // one bit each, by two hashes: a name is in only when both are set
  NameSet operator|(const NameSet& o) const { return {a | o.a, b | o.b}; }
  bool has(const NameSet& one) const { return (a & one.a) && (b & one.b); }
};
struct LabelNames {
  std::vector<StrId> name;
  std::vector<NameSet> bit;
  explicit LabelNames(const Trace& t) : name(t.labels.size()), bit(t.labels.size()) {
    for (size_t l = 0; l < t.labels.size(); ++l) {
      name[l] = t.labels[l].name;
      bit[l] = {uint64_t(1) << ((uint32_t(name[l]) * 0x9E3779B1u) >> 26),
                uint64_t(1) << ((uint32_t(name[l]) * 0x85EBCA77u + 0x165667B1u) >> 26)};
    }
  }
};

// A piece's walk state for recursion, reused from piece to piece: per depth walked, where its
// entries begin and its first slice; per slice, its parent (kNone: none) and its ancestors' names.
struct Ancestry {
  std::vector<uint32_t> off, lo;
  std::vector<uint32_t> parent;
  std::vector<NameSet> names;
};

// Whether the slice whose parent is q (at depth d) has an ancestor named `name`: along its parents.
bool has_ancestor_named(const SliceSet& s, const LabelNames& ln, const Ancestry& a, uint32_t d,
                        uint32_t q, StrId name) {
  for (;;) {
    if (ln.name[s.label[q]] == name) return true;
    if (d == 0) return false;
    q = a.parent[a.off[d] + (q - a.lo[d])];
    if (q == kNone) return false;
    --d;
  }
}

// Accumulates one piece; returns false when cancelled. A slice inside a slice of the same name
// (recursion) adds to its name's count, mean and self time, not to its total: the outer call's
// time holds it already.
bool walk_piece(const Trace& t, const WalkPiece& p, Time t0, Time t1, LabelAcc* acc,
                const LabelNames& ln, std::vector<uint32_t>& parents, Ancestry& anc,
                const std::atomic<bool>* cancel) {
  const Thread& th = t.threads[p.thread];
  if (p.overflow) {
    const SliceSet& o = th.overflow;
    for (uint32_t i = p.first; i < p.last; ++i) add_slice(acc[o.label[i]], clipped_dur(o, i, t0, t1));
    return true;
  }
  const SliceSet& s = th.slices;
  const uint32_t* label = s.label.data();
  const Time* start = s.start.data();
  const NameSet* bit = ln.bit.data();
  uint32_t prev_lo = 0, prev_hi = 0;
  anc.off.clear();
  anc.lo.clear();
  size_t used = 0;
  for (uint32_t d = 0; d < s.depths(); ++d) {
    if (cancelled(cancel)) return false;
    auto [lo, hi] = piece_range(s, p, d, t0, t1);
    if (lo == hi) break;
    anc.off.push_back(uint32_t(used));
    anc.lo.push_back(lo);
    used += hi - lo;
    if (anc.parent.size() < used) anc.parent.resize(used), anc.names.resize(used);
    uint32_t* my_parent = anc.parent.data() + anc.off[d] - lo;
    NameSet* my_names = anc.names.data() + anc.off[d] - lo;
    if (d == 0) {
      for (uint32_t i = lo; i < hi; ++i) {
        my_parent[i] = kNone;
        my_names[i] = NameSet{};
        add_slice(acc[label[i]], clipped_dur(s, i, t0, t1));
      }
    } else {
      if (parents.size() < hi - lo) parents.resize(hi - lo);
      find_parents(start, lo, hi, prev_lo, prev_hi, parents.data());
      const uint32_t* par = parents.data() - lo;
      const NameSet* up = anc.names.data() + anc.off[d - 1] - prev_lo;
      for (uint32_t i = lo; i < hi; ++i) {
        Time c = clipped_dur(s, i, t0, t1);
        uint32_t q = par[i];
        // A child outside every parent (a malformed set) takes no one's self time.
        const bool inside = start[q] <= start[i] && start[i] < s.end(q);
        const NameSet names = inside ? up[q] | bit[label[q]] : NameSet{};
        my_parent[i] = inside ? q : kNone;
        my_names[i] = names;
        const bool nested = names.has(bit[label[i]]) && has_ancestor_named(s, ln, anc, d - 1, q, ln.name[label[i]]);
        if (inside) acc[label[q]].self = wrap_sub(acc[label[q]].self, c);
        add_slice(acc[label[i]], c, nested);
      }
    }
    prev_lo = lo;
    prev_hi = hi;
  }
  return true;
}

// Folds per-label sums into per-name rows, sorted for display.
std::vector<NameStats> fold_names(const Trace& t, const std::vector<LabelAcc>& acc) {
  std::vector<NameStats> rows;
  std::vector<Time> sums;  // per row: every call's duration, for the mean
  std::unordered_map<StrId, uint32_t> row_of;
  for (size_t l = 0; l < acc.size(); ++l) {
    const LabelAcc& a = acc[l];
    if (a.count == 0) continue;
    StrId name = t.labels[l].name;
    auto [it, fresh] = row_of.emplace(name, uint32_t(rows.size()));
    if (fresh) {
      NameStats r;
      r.name = name;
      r.min = a.min;
      r.max = a.max;
      rows.push_back(r);
      sums.push_back(0);
    }
    sums[it->second] = wrap_add(sums[it->second], a.sum);
    NameStats& r = rows[it->second];
    r.count += a.count;
    r.total = wrap_add(r.total, a.total);
    r.self = wrap_add(r.self, a.self);
    r.min = std::min(r.min, a.min);
    r.max = std::max(r.max, a.max);
  }
  for (size_t i = 0; i < rows.size(); ++i) rows[i].mean = double(sums[i]) / double(rows[i].count);
  std::sort(rows.begin(), rows.end(), [&](const NameStats& a, const NameStats& b) {
    if (a.total != b.total) return a.total > b.total;
    std::string_view na = t.str(a.name), nb = t.str(b.name);
    if (na != nb) return na < nb;
    return a.name < b.name;
  });
  return rows;
}

}  // namespace

RangeStats range_stats(const Trace& t, const RangeQuery& q, unsigned workers,
                       const std::atomic<bool>* cancel) {
  RangeStats out;
  std::vector<WalkPiece> pieces = make_walk_pieces(t, q.thread, q.t0, q.t1, kPieceSlices);
  if (pieces.empty()) return out;
  if (workers == 0) workers = default_workers();
  workers = unsigned(std::min<size_t>(workers, pieces.size()));
  std::vector<std::vector<LabelAcc>> acc(workers);
  const LabelNames names(t);
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};
  parallel_for(workers, workers, [&](size_t w) {
    acc[w].assign(t.labels.size(), LabelAcc{});
    std::vector<uint32_t> parents;
    Ancestry anc;
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < pieces.size();) {
      if (!walk_piece(t, pieces[k], q.t0, q.t1, acc[w].data(), names, parents, anc, cancel)) {
        stopped = true;
        return;
      }
    }
  });
  for (unsigned w = 1; w < workers; ++w) {
    for (size_t l = 0; l < t.labels.size(); ++l) {
      LabelAcc& a = acc[0][l];
      const LabelAcc& b = acc[w][l];
      a.count += b.count;
      a.total = wrap_add(a.total, b.total);
      a.sum = wrap_add(a.sum, b.sum);
      a.self = wrap_add(a.self, b.self);
      a.min = std::min(a.min, b.min);
      a.max = std::max(a.max, b.max);
    }
  }
  out.rows = fold_names(t, acc[0]);
  for (const NameStats& r : out.rows) out.slices += r.count;
  out.complete = !stopped && !cancelled(cancel);
  return out;
}

}  // namespace vz
