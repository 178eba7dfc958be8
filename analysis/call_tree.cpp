#include "analysis/call_tree.h"

#include <algorithm>

#include "analysis/call_tree_internal.h"
#include "formats/parallel.h"

namespace vz {

// ---------------------------------------------------------------------------------------------
// NodeTable
// ---------------------------------------------------------------------------------------------

namespace {

constexpr uint64_t kEmptyKey = ~uint64_t(0);  // parent kNone never appears in a key

inline uint64_t node_key(uint32_t parent, StrId name) { return uint64_t(parent) << 32 | name; }

inline size_t slot_of(uint64_t key, size_t mask) {
  key *= 0x9e3779b97f4a7c15ull;
  return size_t(key >> 32) & mask;
}

}  // namespace

NodeTable::NodeTable() : keys_(1024, kEmptyKey), values_(1024, 0) { nodes.emplace_back(); }

uint32_t NodeTable::lookup(uint32_t parent, StrId name) {
  uint64_t key = node_key(parent, name);
  size_t mask = keys_.size() - 1;
  for (size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
    if (keys_[i] == key) return values_[i];
    if (keys_[i] != kEmptyKey) continue;
    uint32_t id = uint32_t(nodes.size());
    RawNode n;
    n.parent = parent;
    n.name = name;
    nodes.push_back(n);
    keys_[i] = key;
    values_[i] = id;
    if (++used_ * 2 > keys_.size()) grow();
    return id;
  }
}

void NodeTable::grow() {
  std::vector<uint64_t> keys(keys_.size() * 2, kEmptyKey);
  std::vector<uint32_t> values(keys.size(), 0);
  size_t mask = keys.size() - 1;
  for (size_t j = 0; j < keys_.size(); ++j) {
    if (keys_[j] == kEmptyKey) continue;
    size_t i = slot_of(keys_[j], mask);
    while (keys[i] != kEmptyKey) i = (i + 1) & mask;
    keys[i] = keys_[j];
    values[i] = values_[j];
  }
  keys_.swap(keys);
  values_.swap(values);
}

// ---------------------------------------------------------------------------------------------
// Layout
// ---------------------------------------------------------------------------------------------

CallTree layout_call_tree(const Trace& t, const std::vector<RawNode>& raw, bool inverted) {
  CallTree out;
  out.inverted = inverted;
  const size_t n = raw.size();
  // Children of each raw node, bucketed by parent (counting sort keeps creation order).
  std::vector<uint32_t> begin(n + 1, 0), kids(n > 0 ? n - 1 : 0);
  for (size_t k = 1; k < n; ++k) begin[raw[k].parent + 1]++;
  for (size_t k = 0; k < n; ++k) begin[k + 1] += begin[k];
  std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
  for (size_t k = 1; k < n; ++k) kids[fill[raw[k].parent]++] = uint32_t(k);
  auto before = [&](uint32_t a, uint32_t b) {
    if (raw[a].total != raw[b].total) return raw[a].total > raw[b].total;
    std::string_view na = t.str(raw[a].name), nb = t.str(raw[b].name);
    if (na != nb) return na < nb;
    return raw[a].name < raw[b].name;
  };
  // Breadth-first: the children of a node get consecutive new ids when it is dequeued.
  std::vector<uint32_t> order;  // new id -> raw id
  order.reserve(n);
  order.push_back(0);
  out.nodes.resize(n);
  for (size_t q = 0; q < order.size(); ++q) {
    uint32_t r = order[q];
    auto first = kids.begin() + begin[r], last = kids.begin() + begin[r + 1];
    std::sort(first, last, before);
    CallNode& node = out.nodes[q];
    node.name = raw[r].name;
    node.count = raw[r].count;
    node.total = raw[r].total;
    node.self = raw[r].self;
    node.first_child = uint32_t(order.size());
    node.child_count = uint32_t(last - first);
    for (auto it = first; it != last; ++it) {
      CallNode& c = out.nodes[order.size()];
      c.parent = uint32_t(q);
      c.depth = node.depth + 1;
      order.push_back(*it);
    }
  }
  out.nodes[0].parent = kNone;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Top-down build
// ---------------------------------------------------------------------------------------------

namespace {

constexpr size_t kPieceSlices = 1 << 18;  // slices per piece of work

// What one worker owns while walking pieces.
struct Worker {
  NodeTable tree;
  std::vector<uint32_t> prev, cur;  // node of each slice in the depth above / this depth
};

bool cancelled(const std::atomic<bool>* cancel) {
  return cancel && cancel->load(std::memory_order_relaxed);
}

// Adds one piece to the worker's tree; returns false when cancelled.
bool walk_piece(const Trace& t, const WalkPiece& p, const CallTreeQuery& q,
                const StrId* name_of_label, Worker& w, const std::atomic<bool>* cancel) {
  const Thread& th = t.threads[p.thread];
  std::vector<RawNode>& nodes = w.tree.nodes;
  if (p.overflow) {
    const SliceSet& o = th.overflow;
    for (uint32_t i = p.first; i < p.last; ++i) {
      uint32_t node = w.tree.child(0, name_of_label[o.label[i]]);
      nodes[node].count++;
      nodes[node].total = wrap_add(nodes[node].total, clipped_dur(o, i, q.t0, q.t1));
    }
    return true;
  }
  const SliceSet& s = th.slices;
  uint32_t prev_lo = 0, prev_hi = 0;
  for (uint32_t d = 0; d < s.depths(); ++d) {
    if (cancelled(cancel)) return false;
    const std::pair<uint32_t, uint32_t> range = piece_range(s, p, d, q.t0, q.t1);
    const uint32_t lo = range.first, hi = range.second;  // named: lambdas below capture them
    if (lo == hi) break;
    w.cur.resize(hi - lo);
    auto add = [&](uint32_t i, uint32_t pnode) {
      uint32_t node = w.tree.child(pnode, name_of_label[s.label[i]]);
      w.cur[i - lo] = node;
      nodes[node].count++;
      nodes[node].total = wrap_add(nodes[node].total, clipped_dur(s, i, q.t0, q.t1));
    };
    uint32_t i = lo;
    if (d > 0) {
      // Parent-major merge: the children of parent p are the next slices starting before its end.
      for (uint32_t p = prev_lo; p < prev_hi && i < hi; ++p) {
        uint32_t pnode = w.prev[p - prev_lo];
        for (Time end = s.end(p); i < hi && s.start[i] < end; ++i) add(i, pnode);
      }
    }
    for (; i < hi; ++i) add(i, 0);  // depth 0 (and children left over in a malformed set)
    w.prev.swap(w.cur);
    prev_lo = lo;
    prev_hi = hi;
  }
  return true;
}

// Merges the workers' trees into the first one (node ids of a tree are creation order, so a
// node's parent is always mapped before the node).
void merge_trees(std::vector<Worker>& workers) {
  NodeTable& g = workers[0].tree;
  std::vector<uint32_t> map;
  for (size_t w = 1; w < workers.size(); ++w) {
    const std::vector<RawNode>& src = workers[w].tree.nodes;
    map.assign(src.size(), 0);
    for (size_t k = 1; k < src.size(); ++k) {
      uint32_t id = g.child(map[src[k].parent], src[k].name);
      map[k] = id;
      g.nodes[id].count += src[k].count;
      g.nodes[id].total = wrap_add(g.nodes[id].total, src[k].total);
    }
  }
}

}  // namespace

CallTree build_call_tree(const Trace& t, const CallTreeQuery& q, unsigned workers,
                         const std::atomic<bool>* cancel, WorkProgress* progress) {
  std::vector<WalkPiece> pieces = make_walk_pieces(t, q.thread, q.t0, q.t1, kPieceSlices);
  if (progress) {
    progress->done = 0;
    progress->total = pieces.size();
  }
  std::vector<StrId> name_of_label(t.labels.size());
  for (size_t l = 0; l < t.labels.size(); ++l) name_of_label[l] = t.labels[l].name;
  if (workers == 0) workers = default_workers();
  workers = unsigned(std::max<size_t>(1, std::min<size_t>(workers, pieces.size())));
  std::vector<Worker> ws(workers);
  std::atomic<size_t> next{0};
  std::atomic<bool> stopped{false};
  parallel_for(workers, workers, [&](size_t w) {
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < pieces.size();) {
      if (!walk_piece(t, pieces[k], q, name_of_label.data(), ws[w], cancel)) {
        stopped = true;
        return;
      }
      if (progress) progress->done.fetch_add(1, std::memory_order_relaxed);
    }
  });
  merge_trees(ws);
  std::vector<RawNode>& raw = ws[0].tree.nodes;
  // self = total - children's totals; the root's total and count are its children's sums.
  for (size_t k = 1; k < raw.size(); ++k) raw[k].self = raw[k].total;
  for (size_t k = 1; k < raw.size(); ++k) {
    raw[raw[k].parent].self = wrap_sub(raw[raw[k].parent].self, raw[k].total);
    if (raw[k].parent == 0) {
      raw[0].total = wrap_add(raw[0].total, raw[k].total);
      raw[0].count += raw[k].count;
    }
  }
  raw[0].self = 0;
  CallTree out = layout_call_tree(t, raw, false);
  out.complete = !stopped && !cancelled(cancel);
  return out;
}

}  // namespace vz
