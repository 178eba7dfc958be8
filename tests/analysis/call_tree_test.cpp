// Tests of analysis/call_tree.cpp and call_tree_views.cpp: the top-down tree (by path of names,
// clipped to a range, per thread or all) and its inverted tree against brute force on random
// traces, the layout (breadth-first, children contiguous and sorted), folded stacks, cancellation
// and progress, and hand-computed cases.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>
#include <sstream>

#include "analysis/call_tree.h"
#include "analysis_test_util.h"

using namespace vz;
using namespace vz::testing;

namespace {

using Path = std::vector<StrId>;
struct Sums {
  uint64_t count = 0;
  Time total = 0, self = 0;
  bool operator==(const Sums& o) const = default;
};

// Reference top-down tree: the name path of every slice in scope, from the reference parents.
std::map<Path, Sums> reference(const Trace& t, const CallTreeQuery& q) {
  std::map<Path, Sums> out;
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    if (q.thread != kNone && q.thread != th) continue;
    for (const SliceSet* s : {&t.threads[th].slices, &t.threads[th].overflow}) {
      std::vector<uint32_t> parent = reference_parents(*s);
      for (uint32_t i = 0; i < s->size(); ++i) {
        if (!ref_overlaps(*s, i, q.t0, q.t1)) continue;
        Path p;
        for (uint32_t a = i; a != kNone; a = parent[a]) p.insert(p.begin(), t.labels[s->label[a]].name);
        Time c = ref_clip(*s, i, q.t0, q.t1);
        Sums& n = out[p];
        n.count++;
        n.total += c;
        n.self += c;
        if (parent[i] != kNone) {
          p.pop_back();
          out[p].self -= c;
        }
      }
    }
  }
  return out;
}

// Reference inverted tree from a reference top-down one.
std::map<Path, Sums> reference_inverted(const std::map<Path, Sums>& top) {
  std::map<Path, Sums> out;
  for (const auto& [p, s] : top) {
    Path r;
    for (size_t k = p.size(); k-- > 0;) {
      r.push_back(p[k]);
      out[r].total += s.self;
      out[r].count += s.count;
    }
    out[r].self += s.self;
  }
  return out;
}

// Checks the layout invariants and returns the tree as path -> sums (root excluded).
std::map<Path, Sums> flatten(const Trace& t, const CallTree& tree) {
  REQUIRE(!tree.nodes.empty());
  const CallNode& root = tree.nodes[0];
  CHECK(root.parent == kNone);
  CHECK(root.depth == 0);
  CHECK(root.self == 0);
  std::vector<Path> path(tree.nodes.size());
  std::map<Path, Sums> out;
  uint32_t expect_first = 1;
  for (uint32_t k = 0; k < tree.nodes.size(); ++k) {
    const CallNode& n = tree.nodes[k];
    CHECK(n.first_child == expect_first);  // breadth-first: children follow in node order
    expect_first += n.child_count;
    Time child_total = 0;
    for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c) {
      REQUIRE(c < tree.nodes.size());
      const CallNode& ch = tree.nodes[c];
      CHECK(ch.parent == k);
      CHECK(ch.depth == n.depth + 1);
      child_total += ch.total;
      path[c] = path[k];
      path[c].push_back(ch.name);
      if (c > n.first_child) {
        const CallNode& prev = tree.nodes[c - 1];
        bool ordered = prev.total > ch.total ||
                       (prev.total == ch.total && t.str(prev.name) <= t.str(ch.name));
        CHECK(ordered);
        CHECK(prev.name != ch.name);
      }
    }
    if (!tree.inverted) CHECK(n.self == (k == 0 ? 0 : n.total - child_total));
    if (k == 0) {
      CHECK(n.total == child_total);
      continue;
    }
    out[path[k]] = Sums{n.count, n.total, n.self};
  }
  CHECK(expect_first == tree.nodes.size());
  return out;
}

}  // namespace

TEST_CASE("call tree: random traces, ranges and scopes against brute force") {
  std::mt19937_64 rng(5);
  for (int iter = 0; iter < 300; ++iter) {
    auto t = random_trace(rng);
    for (int k = 0; k < 3; ++k) {
      CallTreeQuery q;
      if (rng() % 2) std::tie(q.t0, q.t1) = random_range(rng, *t);
      q.thread = rng() % 3 == 0 ? kNone : uint32_t(rng() % (t->threads.size() + 1));
      WorkProgress progress;
      CallTree tree = build_call_tree(*t, q, 1 + unsigned(rng() % 3), nullptr, &progress);
      CHECK(tree.complete);
      CHECK(progress.done == progress.total);
      std::map<Path, Sums> want = reference(*t, q);
      std::map<Path, Sums> got = flatten(*t, tree);
      CHECK(got == want);
      Time top = 0;
      for (const auto& [p, s] : want) top += p.size() == 1 ? s.total : 0;
      CHECK(tree.root().total == top);

      CallTree inv = invert_call_tree(*t, tree);
      CHECK(inv.inverted);
      CHECK(flatten(*t, inv) == reference_inverted(want));
      CHECK(inv.root().total == tree.root().total);

      // Folded stacks: one line per path with self > 0, values summing to the root's total.
      std::string folded = folded_stacks(*t, tree);
      std::istringstream in(folded);
      std::string line;
      Time sum = 0;
      size_t lines = 0;
      while (std::getline(in, line)) {
        size_t sp = line.rfind(' ');
        REQUIRE(sp != std::string::npos);
        sum += std::stoll(line.substr(sp + 1));
        lines++;
      }
      size_t want_lines = 0;
      for (const auto& [p, s] : want) want_lines += s.self > 0;
      CHECK(lines == want_lines);
      CHECK(sum == tree.root().total);
      // Its size without making it, and the same text streamed in pieces.
      CHECK(folded_size(*t, tree) == folded.size());
      std::string pieces;
      CHECK(write_folded_stacks(*t, tree, [&](std::string_view piece) {
        pieces += piece;
        return true;
      }));
      CHECK(pieces == folded);
      CHECK(folded_size(*t, inv) == folded_stacks(*t, inv).size());
    }
  }
}

TEST_CASE("call tree: hand-computed tree, folded stacks and inversion") {
  Trace t;
  TraceBuilder b(t);
  uint32_t t1 = b.thread(b.intern("1"), b.intern("1"));
  uint32_t t2 = b.thread(b.intern("1"), b.intern("2"));
  auto L = [&](const char* n) { return b.label(b.intern(n), kNoStr); };
  uint32_t main = L("main"), a = L("a"), c = L("c;x\ny");
  b.add_complete(t1, 0, 100, main, {}, {});
  b.add_complete(t1, 10, 30, a, {}, {});
  b.add_complete(t1, 15, 10, c, {}, {});
  b.add_complete(t1, 50, 20, c, {}, {});
  b.add_complete(t2, 0, 40, main, {}, {});
  b.add_complete(t2, 5, 10, a, {}, {});
  b.finish(1);
  CallTree tree = build_call_tree(t, CallTreeQuery{}, 2);
  // root 140 > main 140 (self 140 - 40 - 20 = 80) > a 40 (self 30) > c 10; main > c 20.
  REQUIRE(tree.nodes.size() == 5);
  CHECK(tree.root().total == 140);
  CHECK(tree.root().count == 2);
  const CallNode& m = tree.nodes[1];
  CHECK(t.str(m.name) == "main");
  CHECK(m.count == 2);
  CHECK(m.self == 80);
  REQUIRE(m.child_count == 2);
  CHECK(t.str(tree.nodes[m.first_child].name) == "a");  // 40 before 20
  CHECK(tree.nodes[m.first_child].self == 30);
  CHECK(folded_stacks(t, tree) ==
        "main 80\n"
        "main;a 30\n"
        "main;a;c:x y 10\n"
        "main;c:x y 20\n");
  // Only [12, 20] on thread 1: main 8 > a 8 > c 5.
  CallTree cut = build_call_tree(t, CallTreeQuery{0, 12, 20}, 1);
  CHECK(folded_stacks(t, cut) == "main;a 3\nmain;a;c:x y 5\n");
  // Inverted: leaf functions at the top.
  CallTree inv = invert_call_tree(t, tree);
  CHECK(inv.root().total == 140);
  REQUIRE(inv.root().child_count == 3);
  const CallNode& first = inv.nodes[inv.root().first_child];
  CHECK(t.str(first.name) == "main");  // 80 self
  CHECK(first.total == 80);
  CHECK(first.self == 80);
  CHECK(t.str(inv.nodes[inv.root().first_child + 1].name) == "a");  // 30, ties sort by name
  const CallNode& cx = inv.nodes[inv.root().first_child + 2];
  CHECK(t.str(cx.name) == "c;x\ny");  // 30 = 10 via a + 20 via main
  CHECK(cx.total == 30);
  CHECK(cx.self == 0);
  CHECK(cx.count == 2);
}

TEST_CASE("call tree: hostile input") {
  Trace empty;
  CallTree e = build_call_tree(empty, CallTreeQuery{}, 2);
  REQUIRE(e.nodes.size() == 1);
  CHECK(e.root().total == 0);
  CHECK(folded_stacks(empty, e).empty());
  CHECK(invert_call_tree(empty, e).nodes.size() == 1);
  // A thread with only overflow lanes: every slice a top-level frame.
  auto o = overflow_only_trace();
  CallTree ot = build_call_tree(*o, CallTreeQuery{}, 2);
  CHECK(folded_stacks(*o, ot) == "lane 20\nother 10\n");
  CHECK(ot.root().count == 3);
  // Zero-length slices: in the tree, never in folded stacks.
  Trace z;
  TraceBuilder b(z);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  b.add_complete(th, 5, 0, b.label(b.intern(""), kNoStr), {}, {});
  b.add_complete(th, 6, 3, b.label(b.intern(""), b.intern("c")), {}, {});
  b.finish(1);
  CallTree zt = build_call_tree(z, CallTreeQuery{});
  CHECK(zt.nodes.size() == 2);
  CHECK(zt.nodes[1].count == 2);
  CHECK(folded_stacks(z, zt) == "(unnamed) 3\n");
}

TEST_CASE("call tree: cancel and progress") {
  std::mt19937_64 rng(9);
  auto t = random_trace(rng, false);
  while (t->slice_count() == 0) t = random_trace(rng, false);
  std::atomic<bool> cancel{true};
  WorkProgress progress;
  CallTree c = build_call_tree(*t, CallTreeQuery{}, 2, &cancel, &progress);
  CHECK_FALSE(c.complete);
  CHECK(progress.total > 0);
  CHECK(progress.done < progress.total);
  CHECK_FALSE(invert_call_tree(*t, c).complete);
}

TEST_CASE("call tree: folded frames are sanitized") {
  std::string s;
  append_folded_frame("a;b\nc\rd", s);
  CHECK(s == "a:b c d");
  s.clear();
  append_folded_frame("", s);
  CHECK(s == "(unnamed)");
}
