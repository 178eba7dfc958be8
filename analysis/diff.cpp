#include "analysis/diff.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "analysis/call_tree.h"
#include "analysis/name_lookup.h"
#include "analysis/range_stats.h"

namespace vz {
namespace {

constexpr uint32_t kLinearChildren = 8;  // fan-out up to which children are matched by a scan

// Names as rows match them: the text, or loose_name() of it (cached per name id).
class Keys {
 public:
  Keys(const Trace& t, bool loose) : t_(t), loose_(loose) {}
  std::string_view operator()(StrId id) {
    if (!loose_) return t_.str(id);
    auto it = cache_.find(id);
    if (it == cache_.end()) it = cache_.emplace(id, loose_name(t_.str(id))).first;
    return it->second;  // (node-based map: the text stays where it is)
  }

 private:
  const Trace& t_;
  bool loose_;
  std::unordered_map<StrId, std::string> cache_;
};

// Fills the derived fields of a row from its two sides.
void finish_row(DiffRow& r) {
  r.delta_total = wrap_sub(r.b.total, r.a.total);
  r.delta_self = wrap_sub(r.b.self, r.a.self);
  r.delta_pct = diff_pct(r.a.total, r.b.total, r.status != DiffStatus::Added);
}

// The summed clipped durations of the top-level slices (depth 0 and overflow lanes) in scope.
Time top_level_total(const Trace& t, const DiffSide& s) {
  if (s.t1 <= s.t0) return 0;
  Time sum = 0;
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    if (s.thread != kNone && s.thread != th) continue;
    const SliceSet& n = t.threads[th].slices;
    if (n.depths() > 0) {
      auto [lo, hi] = range_at_depth(n, 0, s.t0, s.t1);
      for (uint32_t i = lo; i < hi; ++i) sum = wrap_add(sum, clipped_dur(n, i, s.t0, s.t1));
    }
    const SliceSet& o = t.threads[th].overflow;
    for (uint32_t d = 0; d < o.depths(); ++d) {
      auto [lo, hi] = range_at_depth(o, d, s.t0, s.t1);
      for (uint32_t i = lo; i < hi; ++i) sum = wrap_add(sum, clipped_dur(o, i, s.t0, s.t1));
    }
  }
  return sum;
}

DiffSums sums_of(const CallNode& n) { return {n.count, n.total, n.self}; }

// By name: each side's range statistics, merged by name text.
void diff_by_name(const Trace& ta, const Trace& tb, const DiffQuery& q, unsigned workers,
                  const std::atomic<bool>* cancel, DiffResult& out) {
  RangeStats sa = range_stats(ta, RangeQuery{q.a.t0, q.a.t1, q.a.thread}, workers, cancel);
  RangeStats sb = range_stats(tb, RangeQuery{q.b.t0, q.b.t1, q.b.thread}, workers, cancel);
  out.complete = sa.complete && sb.complete;
  Keys key_a(ta, q.loose), key_b(tb, q.loose);
  std::unordered_map<std::string_view, uint32_t> row_of;
  row_of.reserve(sa.rows.size() + sb.rows.size());
  // (loose: names that become one key are one function; their sums add up)
  auto add = [](DiffSums& to, const NameStats& s) {
    to.count += s.count;
    to.total = wrap_add(to.total, s.total);
    to.self = wrap_add(to.self, s.self);
  };
  for (const NameStats& s : sa.rows) {
    const std::string_view k = key_a(s.name);
    auto it = row_of.find(k);
    if (it == row_of.end()) {
      DiffRow r;
      r.name = std::string(k);
      r.name_a = s.name;
      r.status = DiffStatus::Removed;
      out.rows.push_back(std::move(r));
      it = row_of.emplace(k, uint32_t(out.rows.size() - 1)).first;
    }
    add(out.rows[it->second].a, s);
  }
  for (const NameStats& s : sb.rows) {
    const std::string_view k = key_b(s.name);
    auto it = row_of.find(k);
    if (it == row_of.end()) {
      DiffRow r;
      r.name = std::string(k);
      r.status = DiffStatus::Added;
      out.rows.push_back(std::move(r));
      it = row_of.emplace(k, uint32_t(out.rows.size() - 1)).first;
    } else if (out.rows[it->second].status == DiffStatus::Removed) {
      out.rows[it->second].status = DiffStatus::Both;
    }
    DiffRow& r = out.rows[it->second];
    add(r.b, s);
    if (r.name_b == kNone) r.name_b = s.name;
  }
  for (DiffRow& r : out.rows) finish_row(r);
  std::sort(out.rows.begin(), out.rows.end(),
            [](const DiffRow& x, const DiffRow& y) { return x.name < y.name; });
  out.total_a = top_level_total(ta, q.a);
  out.total_b = top_level_total(tb, q.b);
}

// A pair of call-tree nodes with the same path (kNone on the side that lacks it).
struct NodePair {
  uint32_t a = kNone, b = kNone;
  uint32_t parent_row = kNone;
  uint32_t nth = 0;  // loose: k for the k-th of siblings that share a key ("f (x.py) #k"), 0 if alone
};

// Walks two call trees together, pairing children by name text.
class TreeMerger {
 public:
  TreeMerger(const Trace& ta, const CallTree& a, const Trace& tb, const CallTree& b, bool loose)
      : ta_(ta), tb_(tb), a_(a), b_(b), loose_(loose), key_a_(ta, loose), key_b_(tb, loose),
        matched_b_(b.nodes.size(), 0) {}

  // Emits every row, depth-first from the roots' children.
  void run(std::vector<DiffRow>& rows) {
    push_children(NodePair{0, 0, kNone});
    while (!stack_.empty()) {
      NodePair p = stack_.back();
      stack_.pop_back();
      uint32_t row = uint32_t(rows.size());
      rows.push_back(make_row(p));
      push_children(NodePair{p.a, p.b, row});
    }
  }

 private:
  // The row of a node pair.
  DiffRow make_row(const NodePair& p) {
    DiffRow r;
    r.parent = p.parent_row;
    if (p.a != kNone) {
      const CallNode& n = a_.nodes[p.a];
      r.a = sums_of(n);
      r.name_a = n.name;
      r.depth = n.depth;
      r.name = std::string(key_a_(n.name));
    }
    if (p.b != kNone) {
      const CallNode& n = b_.nodes[p.b];
      r.b = sums_of(n);
      r.name_b = n.name;
      r.depth = n.depth;
      if (p.a == kNone) r.name = std::string(key_b_(n.name));
    }
    r.status = p.a == kNone ? DiffStatus::Added : p.b == kNone ? DiffStatus::Removed : DiffStatus::Both;
    if (p.nth > 0) r.name += " #" + std::to_string(p.nth);
    finish_row(r);
    return r;
  }

  // B's child of node `b` named `name`, or kNone.
  uint32_t find_b_child(uint32_t b, std::string_view name) {
    const CallNode& n = b_.nodes[b];
    if (n.child_count <= kLinearChildren) {
      for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c)
        if (key_b_(b_.nodes[c].name) == name) return c;
      return kNone;
    }
    if (index_of_ != b) {  // children of one B node, indexed once per parent pair
      index_of_ = b;
      index_.clear();
      for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c)
        index_.emplace(key_b_(b_.nodes[c].name), c);
    }
    auto it = index_.find(name);
    return it == index_.end() ? kNone : it->second;
  }

  // Pushes the child pairs of `p` so that they pop in order: A's children (paired with B's of the
  // same name), then B's unpaired children.
  void push_children(const NodePair& p) {
    scratch_.clear();
    if (loose_) {
      push_children_loose(p);
      return;
    }
    if (p.a != kNone) {
      const CallNode& n = a_.nodes[p.a];
      for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c) {
        uint32_t cb = p.b == kNone ? kNone : find_b_child(p.b, key_a_(a_.nodes[c].name));
        if (cb != kNone) matched_b_[cb] = 1;
        scratch_.push_back(NodePair{c, cb, p.parent_row});
      }
    }
    if (p.b != kNone) {
      const CallNode& n = b_.nodes[p.b];
      for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c)
        if (!matched_b_[c]) scratch_.push_back(NodePair{kNone, c, p.parent_row});
    }
    stack_.insert(stack_.end(), scratch_.rbegin(), scratch_.rend());
  }

  // Loose names: siblings that share a key (two functions of one name in one file, whose lines
  // tell them apart) pair in the order of their lines on each side, the k-th with the k-th, so a
  // file whose lines moved pairs each function with itself; their rows are numbered "#k".
  void push_children_loose(const NodePair& p) {
    struct Kid {
      std::string_view key;
      int64_t line;  // viztracer's LINE, 0 for other names
      uint32_t node;
    };
    auto line_of = [](std::string_view name) {
      ViztracerName v;
      return parse_viztracer_name(name, &v) ? v.line : 0;
    };
    auto kids = [&](const CallTree& t, const Trace& tr, Keys& key, uint32_t parent) {
      std::vector<Kid> out;
      if (parent == kNone) return out;
      const CallNode& n = t.nodes[parent];
      for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c)
        out.push_back(Kid{key(t.nodes[c].name), line_of(tr.str(t.nodes[c].name)), c});
      return out;
    };
    const std::vector<Kid> ka = kids(a_, ta_, key_a_, p.a), kb = kids(b_, tb_, key_b_, p.b);
    auto by_key_line = [](const std::vector<Kid>& v) {
      std::vector<uint32_t> order(v.size());
      for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
        return std::tie(v[x].key, v[x].line, v[x].node) < std::tie(v[y].key, v[y].line, v[y].node);
      });
      return order;
    };
    const std::vector<uint32_t> oa = by_key_line(ka), ob = by_key_line(kb);
    std::vector<uint32_t> partner_a(ka.size(), kNone), nth_a(ka.size(), 0), nth_b(kb.size(), 0);
    std::vector<uint8_t> paired_b(kb.size(), 0);
    // Walk both sorted lists key by key.
    for (size_t i = 0, j = 0; i < oa.size() || j < ob.size();) {
      const std::string_view key = i < oa.size() && (j >= ob.size() || ka[oa[i]].key <= kb[ob[j]].key) ? ka[oa[i]].key
                                                                                                     : kb[ob[j]].key;
      size_t i1 = i, j1 = j;
      while (i1 < oa.size() && ka[oa[i1]].key == key) ++i1;
      while (j1 < ob.size() && kb[ob[j1]].key == key) ++j1;
      const bool several = i1 - i > 1 || j1 - j > 1;
      for (size_t k = 0; k < std::max(i1 - i, j1 - j); ++k) {
        if (i + k < i1) nth_a[oa[i + k]] = several ? uint32_t(k + 1) : 0;
        if (j + k < j1) nth_b[ob[j + k]] = several ? uint32_t(k + 1) : 0;
        if (i + k < i1 && j + k < j1) {
          partner_a[oa[i + k]] = ob[j + k];
          paired_b[ob[j + k]] = 1;
        }
      }
      i = i1, j = j1;
    }
    // A's children in A's order (with their partners), then B's unpaired ones in B's order.
    for (size_t i = 0; i < ka.size(); ++i) {
      const uint32_t cb = partner_a[i] == kNone ? kNone : kb[partner_a[i]].node;
      if (cb != kNone) matched_b_[cb] = 1;
      scratch_.push_back(NodePair{ka[i].node, cb, p.parent_row, nth_a[i]});
    }
    for (size_t j = 0; j < kb.size(); ++j)
      if (!paired_b[j]) scratch_.push_back(NodePair{kNone, kb[j].node, p.parent_row, nth_b[j]});
    stack_.insert(stack_.end(), scratch_.rbegin(), scratch_.rend());
  }

  const Trace& ta_;
  const Trace& tb_;
  const CallTree& a_;
  const CallTree& b_;
  bool loose_;
  Keys key_a_, key_b_;
  std::vector<uint8_t> matched_b_;  // per B node: paired with an A node
  std::vector<NodePair> stack_;     // pairs still to emit, next on top
  std::vector<NodePair> scratch_;
  uint32_t index_of_ = kNone;       // the B node whose children `index_` holds
  std::unordered_map<std::string_view, uint32_t> index_;
};

// By path: each side's call tree, merged by path.
void diff_by_path(const Trace& ta, const Trace& tb, const DiffQuery& q, unsigned workers,
                  const std::atomic<bool>* cancel, DiffResult& out) {
  CallTree a = build_call_tree(ta, CallTreeQuery{q.a.thread, q.a.t0, q.a.t1}, workers, cancel);
  CallTree b = build_call_tree(tb, CallTreeQuery{q.b.thread, q.b.t0, q.b.t1}, workers, cancel);
  out.complete = a.complete && b.complete;
  out.total_a = a.root().total;
  out.total_b = b.root().total;
  out.rows.reserve(a.nodes.size() + b.nodes.size() - 2);  // at most one row per non-root node
  TreeMerger(ta, a, tb, b, q.loose).run(out.rows);
}

// Each row's position in key order. By name, rows are already in name order; by path, a
// depth-first walk visiting siblings by name orders the paths frame by frame.
std::vector<uint32_t> key_rank(const DiffResult& r) {
  const uint32_t n = uint32_t(r.rows.size());
  std::vector<uint32_t> rank(n);
  if (r.by == DiffBy::Name) {
    for (uint32_t i = 0; i < n; ++i) rank[i] = i;
    return rank;
  }
  // Children of each row grouped by parent (slot 0: top level, slot p + 1: row p's callees).
  std::vector<uint32_t> begin(size_t(n) + 2, 0), kids(n);
  auto slot = [&](uint32_t i) { return r.rows[i].parent == kNone ? 0u : r.rows[i].parent + 1; };
  for (uint32_t i = 0; i < n; ++i) begin[slot(i) + 1]++;
  for (size_t k = 0; k + 1 < begin.size(); ++k) begin[k + 1] += begin[k];
  std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
  for (uint32_t i = 0; i < n; ++i) kids[fill[slot(i)]++] = i;
  for (size_t k = 0; k + 1 < begin.size(); ++k)
    std::sort(kids.begin() + begin[k], kids.begin() + begin[k + 1], [&](uint32_t x, uint32_t y) {
      return r.rows[x].name != r.rows[y].name ? r.rows[x].name < r.rows[y].name : x < y;
    });
  std::vector<uint32_t> stack(kids.rend() - begin[1], kids.rend());  // top level, first on top
  uint32_t next = 0;
  while (!stack.empty()) {
    uint32_t i = stack.back();
    stack.pop_back();
    rank[i] = next++;
    stack.insert(stack.end(), kids.rend() - begin[i + 2], kids.rend() - begin[i + 1]);
  }
  return rank;
}

}  // namespace

double diff_pct(Time a, Time b, bool in_a) {
  if (!in_a) return std::numeric_limits<double>::quiet_NaN();
  if (a > 0) return 100.0 * (double(b) - double(a)) / double(a);
  return b == a ? 0.0 : std::numeric_limits<double>::quiet_NaN();
}

DiffResult diff_traces(const Trace& a, const Trace& b, const DiffQuery& q, unsigned workers,
                       const std::atomic<bool>* cancel) {
  DiffResult out;
  out.by = q.by;
  if (q.by == DiffBy::Name) diff_by_name(a, b, q, workers, cancel, out);
  else diff_by_path(a, b, q, workers, cancel, out);
  out.delta_total = wrap_sub(out.total_b, out.total_a);
  out.delta_pct = diff_pct(out.total_a, out.total_b);
  if (cancel && cancel->load(std::memory_order_relaxed)) out.complete = false;
  return out;
}

std::string loose_name(std::string_view name) {
  ViztracerName v;
  if (!parse_viztracer_name(name, &v)) return std::string(name);
  const size_t slash = v.path.find_last_of("/\\");
  const std::string_view file = slash == std::string_view::npos ? v.path : v.path.substr(slash + 1);
  return std::string(v.qualname) + " (" + std::string(file) + ")";
}

std::string short_frame(std::string_view name) {
  ViztracerName v;
  if (!parse_viztracer_name(name, &v)) return std::string(name);
  const size_t slash = v.path.find_last_of("/\\");
  if (slash == std::string_view::npos) return std::string(name);
  // "qualname (" + the file's name + ":LINE)"
  const size_t path_end = size_t(v.path.data() - name.data()) + v.path.size();
  return std::string(v.qualname) + " (" + std::string(v.path.substr(slash + 1)) + std::string(name.substr(path_end));
}

std::string diff_key(const DiffResult& r, uint32_t row) {
  if (r.by == DiffBy::Name) return r.rows[row].name;
  std::vector<uint32_t> chain;
  for (uint32_t at = row; at != kNone; at = r.rows[at].parent) chain.push_back(at);
  std::string key;
  for (size_t k = chain.size(); k-- > 0;) {
    append_folded_frame(r.rows[chain[k]].name, key);
    if (k) key += ';';
  }
  return key;
}

std::vector<uint32_t> order_by_delta(const DiffResult& r) {
  std::vector<uint32_t> rank = key_rank(r);
  std::vector<uint32_t> order(r.rows.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto mag = [](Time d) { return d < 0 ? -(unsigned long long)d : (unsigned long long)d; };
  std::sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) {
    unsigned long long a = mag(r.rows[x].delta_total), b = mag(r.rows[y].delta_total);
    if (a != b) return a > b;
    return rank[x] < rank[y];
  });
  return order;
}

// Whether B's `b` grew by more than pct% over A's `a`. Growth from 0 has no percentage (the
// table shows none) and is more than any: it trips.
static bool grew_over(Time a, Time b, double delta_pct, double pct) {
  if (a == 0) return b > 0;
  return !std::isnan(delta_pct) && delta_pct > pct;
}

DiffGate diff_gate(const DiffResult& r, double pct, Time min_time) {
  DiffGate g;
  g.total_tripped = grew_over(r.total_a, r.total_b, r.delta_pct, pct);
  for (uint32_t i : order_by_delta(r)) {
    const DiffRow& row = r.rows[i];
    if (row.status != DiffStatus::Both) continue;
    if (row.a.total < min_time && row.b.total < min_time) continue;
    if (grew_over(row.a.total, row.b.total, row.delta_pct, pct)) g.rows.push_back(i);
  }
  return g;
}

const char* diff_status_name(DiffStatus s) {
  switch (s) {
    case DiffStatus::Both: return "both";
    case DiffStatus::Added: return "added";
    case DiffStatus::Removed: return "removed";
  }
  return "both";
}

}  // namespace vz
