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
  Time total = 0;
  Time self = 0;
  Time min = kTimeMax;
  Time max = kTimeMin;
};

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel && cancel->load(std::memory_order_relaxed);
}

inline void add_slice(LabelAcc& a, Time c) {
  a.count++;
  a.total += c;
  a.self += c;
  a.min = std::min(a.min, c);
  a.max = std::max(a.max, c);
}

// Accumulates one piece; returns false when cancelled.
bool walk_piece(const Trace& t, const WalkPiece& p, Time t0, Time t1, LabelAcc* acc,
                const std::atomic<bool>* cancel) {
  const Thread& th = t.threads[p.thread];
  if (p.overflow) {
    const SliceSet& o = th.overflow;
    for (uint32_t i = p.first; i < p.last; ++i) add_slice(acc[o.label[i]], clipped_dur(o, i, t0, t1));
    return true;
  }
  const SliceSet& s = th.slices;
  const uint32_t* label = s.label.data();
  uint32_t prev_lo = 0, prev_hi = 0;
  for (uint32_t d = 0; d < s.depths(); ++d) {
    if (cancelled(cancel)) return false;
    auto [lo, hi] = piece_range(s, p, d, t0, t1);
    if (lo == hi) break;
    if (d == 0) {
      for (uint32_t i = lo; i < hi; ++i) add_slice(acc[label[i]], clipped_dur(s, i, t0, t1));
    } else {
      // Parent-major merge: the children of parent p are the next slices starting before its end.
      uint32_t i = lo;
      for (uint32_t p = prev_lo; p < prev_hi && i < hi; ++p) {
        Time end = s.end(p), sum = 0;
        for (; i < hi && s.start[i] < end; ++i) {
          Time c = clipped_dur(s, i, t0, t1);
          add_slice(acc[label[i]], c);
          sum += c;
        }
        acc[label[p]].self -= sum;
      }
      for (; i < hi; ++i) add_slice(acc[label[i]], clipped_dur(s, i, t0, t1));  // malformed sets
    }
    prev_lo = lo;
    prev_hi = hi;
  }
  return true;
}

// Folds per-label sums into per-name rows, sorted for display.
std::vector<NameStats> fold_names(const Trace& t, const std::vector<LabelAcc>& acc) {
  std::vector<NameStats> rows;
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
    }
    NameStats& r = rows[it->second];
    r.count += a.count;
    r.total += a.total;
    r.self += a.self;
    r.min = std::min(r.min, a.min);
    r.max = std::max(r.max, a.max);
  }
  for (NameStats& r : rows) r.mean = double(r.total) / double(r.count);
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
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};
  parallel_for(workers, workers, [&](size_t w) {
    acc[w].assign(t.labels.size(), LabelAcc{});
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < pieces.size();) {
      if (!walk_piece(t, pieces[k], q.t0, q.t1, acc[w].data(), cancel)) {
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
      a.total += b.total;
      a.self += b.self;
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
