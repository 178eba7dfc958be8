// Tests of analysis/slice_query.cpp: parent, ancestors, children and self time against brute
// force on random traces (overflow lanes and open slices included), plus a hand-built tree.
#include <doctest/doctest.h>

#include <random>

#include "analysis/slice_query.h"
#include "analysis_test_util.h"

using namespace vz;
using namespace vz::testing;

TEST_CASE("slice queries: a hand-built tree") {
  Trace t;
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  uint32_t l = b.label(b.intern("f"), kNoStr);
  b.add_complete(th, 0, 100, l, {}, {});   // A
  b.add_complete(th, 10, 20, l, {}, {});   // A > B
  b.add_complete(th, 12, 5, l, {}, {});    // A > B > C
  b.add_complete(th, 40, 30, l, {}, {});   // A > D
  b.add_complete(th, 70, 0, l, {}, {});    // A > E (zero-length, touching D's end)
  b.add_complete(th, 100, 5, l, {}, {});   // F: a root touching A's end
  b.finish(1);
  const SliceSet& s = t.threads[0].slices;
  REQUIRE(s.depths() == 3);
  // Depth 0: A(0) F(1); depth 1: B(2) D(3) E(4); depth 2: C(5).
  CHECK(slice_parent(s, 0) == kNone);
  CHECK(slice_parent(s, 1) == kNone);
  CHECK(slice_parent(s, 2) == 0);
  CHECK(slice_parent(s, 4) == 0);
  CHECK(slice_parent(s, 5) == 2);
  CHECK(slice_ancestors(s, 5) == std::vector<uint32_t>{0, 2});
  CHECK(slice_ancestors(s, 0).empty());
  CHECK(slice_children(s, 0) == std::pair<uint32_t, uint32_t>{2, 5});
  CHECK(slice_children(s, 1) == std::pair<uint32_t, uint32_t>{0, 0});
  CHECK(slice_children(s, 4) == std::pair<uint32_t, uint32_t>{0, 0});
  CHECK(slice_self_time(s, 0) == 100 - 20 - 30 - 0);
  CHECK(slice_self_time(s, 2) == 15);
  CHECK(slice_self_time(s, 5) == 5);
  CHECK(slice_parent(s, 99) == kNone);  // out of range
  CHECK(slice_self_time(s, 99) == 0);
}

TEST_CASE("slice queries: random traces against brute force") {
  std::mt19937_64 rng(7);
  uint64_t overflowed = 0, open = 0, zero = 0, deep = 0;
  for (int iter = 0; iter < 300; ++iter) {
    auto t = random_trace(rng);
    for (const Thread& th : t->threads) {
      overflowed += th.overflow.size();
      deep += th.slices.depths() >= 3;
      for (size_t i = 0; i < th.slices.size(); ++i) {
        open += (th.slices.flags[i] & kSliceOpen) != 0;
        zero += th.slices.dur[i] == 0;
      }
      for (const SliceSet* s : {&th.slices, &th.overflow}) {
        std::vector<uint32_t> parent = reference_parents(*s);
        for (uint32_t i = 0; i < s->size(); ++i) {
          CHECK(slice_parent(*s, i) == parent[i]);
          // Ancestors: follow the reference parents.
          std::vector<uint32_t> chain;
          for (uint32_t p = parent[i]; p != kNone; p = parent[p]) chain.insert(chain.begin(), p);
          CHECK(slice_ancestors(*s, i) == chain);
          // Children: every slice whose reference parent is i, as one contiguous range.
          std::vector<uint32_t> kids;
          Time self = s->dur[i];
          for (uint32_t c = 0; c < s->size(); ++c)
            if (parent[c] == i) kids.push_back(c), self -= s->dur[c];
          auto [b, e] = slice_children(*s, i);
          REQUIRE(e - b == kids.size());
          for (uint32_t k = 0; k < kids.size(); ++k) CHECK(kids[k] == b + k);
          CHECK(slice_self_time(*s, i) == self);
          CHECK(slice_self_time(*s, i) >= 0);
        }
      }
    }
  }
  // The random traces exercise what they are meant to.
  CHECK(overflowed > 100);
  CHECK(open > 10);
  CHECK(zero > 100);
  CHECK(deep > 100);
}

TEST_CASE("slice queries: overflow lanes have no parents or children") {
  auto t = overflow_only_trace();
  const SliceSet& o = t->threads[0].overflow;
  for (uint32_t i = 0; i < o.size(); ++i) {
    CHECK(slice_parent(o, i) == kNone);
    CHECK(slice_children(o, i).first == slice_children(o, i).second);
    CHECK(slice_self_time(o, i) == o.dur[i]);
  }
  CHECK(slice_parent(t->threads[0].slices, 0) == kNone);  // empty set
}
