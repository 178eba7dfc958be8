// Tests of analysis/range_stats.cpp: random traces and ranges (many of them at slice boundaries)
// against a brute-force reference (every slice tested against the half-open range, clipped, its
// children's clipped durations subtracted), row order, scopes, worker counts, cancellation, the
// range's edges, and hand-computed cases.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <random>

#include "analysis/range_stats.h"
#include "analysis/scope_walk.h"
#include "analysis_test_util.h"

using namespace vz;
using namespace vz::testing;

namespace {

// The reference: per name, from every slice of every set in scope.
std::map<StrId, NameStats> reference(const Trace& t, const RangeQuery& q) {
  std::map<StrId, NameStats> out;
  std::map<StrId, Time> sum;  // every call's clipped duration: the mean's
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    if (q.thread != kNone && q.thread != th) continue;
    for (const SliceSet* s : {&t.threads[th].slices, &t.threads[th].overflow}) {
      std::vector<uint32_t> parent = reference_parents(*s);
      std::vector<Time> self(s->size(), 0);
      for (uint32_t i = 0; i < s->size(); ++i)
        if (ref_overlaps(*s, i, q.t0, q.t1)) self[i] += ref_clip(*s, i, q.t0, q.t1);
      for (uint32_t i = 0; i < s->size(); ++i)
        if (parent[i] != kNone && ref_overlaps(*s, i, q.t0, q.t1))
          self[parent[i]] -= ref_clip(*s, i, q.t0, q.t1);
      for (uint32_t i = 0; i < s->size(); ++i) {
        if (!ref_overlaps(*s, i, q.t0, q.t1)) continue;
        Time c = ref_clip(*s, i, q.t0, q.t1);
        StrId name = t.labels[s->label[i]].name;
        auto [it, fresh] = out.try_emplace(name);
        NameStats& r = it->second;
        if (fresh) r.name = name, r.min = c, r.max = c;
        r.count++;
        if (!reference_nested_in_same_name(t, *s, parent, i)) r.total += c;
        sum[name] += c;
        r.self += self[i];
        r.min = std::min(r.min, c);
        r.max = std::max(r.max, c);
      }
    }
  }
  for (auto& [name, r] : out) r.mean = double(sum[name]) / double(r.count);
  return out;
}

void check_against_reference(const Trace& t, const RangeQuery& q, const RangeStats& got) {
  std::map<StrId, NameStats> want = reference(t, q);
  REQUIRE(got.rows.size() == want.size());
  uint64_t slices = 0;
  for (size_t k = 0; k < got.rows.size(); ++k) {
    const NameStats& r = got.rows[k];
    REQUIRE(want.count(r.name) == 1);
    const NameStats& w = want[r.name];
    CHECK(r.count == w.count);
    CHECK(r.total == w.total);
    CHECK(r.self == w.self);
    CHECK(r.min == w.min);
    CHECK(r.max == w.max);
    CHECK(r.mean == doctest::Approx(w.mean));
    CHECK(r.self >= 0);
    CHECK(r.self <= r.total);
    slices += r.count;
    if (k > 0) {
      const NameStats& p = got.rows[k - 1];
      bool ordered = p.total > r.total || (p.total == r.total && t.str(p.name) <= t.str(r.name));
      CHECK(ordered);
    }
  }
  CHECK(got.slices == slices);
  CHECK(got.complete);
}

}  // namespace

TEST_CASE("range stats: random traces, ranges and scopes against brute force") {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 400; ++iter) {
    auto t = random_trace(rng);
    for (int k = 0; k < 4; ++k) {
      RangeQuery q;
      std::tie(q.t0, q.t1) = random_range(rng, *t);
      q.thread = rng() % 3 == 0 ? kNone : uint32_t(rng() % (t->threads.size() + 1));
      unsigned workers = 1 + unsigned(rng() % 3);
      check_against_reference(*t, q, range_stats(*t, q, workers));
    }
  }
}

TEST_CASE("range stats: hand-computed numbers, clipped to the range") {
  Trace t;
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  uint32_t main = b.label(b.intern("main"), b.intern("a"));
  uint32_t work = b.label(b.intern("work"), b.intern("a"));
  uint32_t work2 = b.label(b.intern("work"), b.intern("b"));  // same name, other category
  b.add_complete(th, 0, 100, main, {}, {});
  b.add_complete(th, 10, 30, work, {}, {});
  b.add_complete(th, 60, 20, work2, {}, {});
  b.add_complete(th, 90, 20, work, {}, {});  // overlaps main without nesting: overflow lane
  b.finish(1);
  REQUIRE(t.threads[0].overflow.size() == 1);
  auto row = [&](const RangeStats& r, const char* name) {
    for (const NameStats& s : r.rows)
      if (t.str(s.name) == name) return s;
    FAIL("no row " << name);
    return NameStats{};
  };
  // Whole trace: main 100 (self 50), work 30 + 20 + 20 = 70 (3 slices, self 70).
  RangeStats all = range_stats(t, RangeQuery{-1000, 1000, kNone}, 2);
  REQUIRE(all.rows.size() == 2);
  CHECK(t.str(all.rows[0].name) == "main");
  CHECK(row(all, "main").total == 100);
  CHECK(row(all, "main").self == 50);
  CHECK(row(all, "work").count == 3);
  CHECK(row(all, "work").total == 70);
  CHECK(row(all, "work").self == 70);
  CHECK(row(all, "work").min == 20);
  CHECK(row(all, "work").max == 30);
  // [20, 95]: main 75, work 20 (of 10..40) + 20 (60..80) + 5 (90..95 in the lane) = 45.
  RangeStats cut = range_stats(t, RangeQuery{20, 95, 0}, 1);
  CHECK(row(cut, "main").total == 75);
  CHECK(row(cut, "main").self == 75 - 40);
  CHECK(row(cut, "work").total == 45);
  CHECK(row(cut, "work").min == 5);
  CHECK(row(cut, "work").mean == doctest::Approx(15.0));
  // A range ending where main starts: nothing (the range is half-open).
  CHECK(range_stats(t, RangeQuery{-5, 0, kNone}, 1).rows.empty());
}

TEST_CASE("range stats: a recursive call's total is its outermost call's; count, mean and self take every call") {
  // fib [0, 100] > helper [5, 95] > fib [10, 60] > fib [20, 30]; then fib [70, 90] under helper.
  Trace t;
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  uint32_t fib = b.label(b.intern("fib"), b.intern("a"));
  uint32_t fib_b = b.label(b.intern("fib"), b.intern("b"));  // same name, other category
  uint32_t helper = b.label(b.intern("helper"), b.intern("a"));
  b.add_complete(th, 0, 100, fib, {}, {});
  b.add_complete(th, 5, 90, helper, {}, {});
  b.add_complete(th, 10, 50, fib_b, {}, {});
  b.add_complete(th, 20, 10, fib, {}, {});
  b.add_complete(th, 70, 20, fib, {}, {});
  b.add_complete(th, 200, 40, fib, {}, {});  // a second outermost call
  b.finish(1);
  for (unsigned workers : {1u, 3u}) {
    RangeStats all = range_stats(t, RangeQuery{-1000, 1000, kNone}, workers);
    const NameStats* f = nullptr;
    for (const NameStats& r : all.rows)
      if (t.str(r.name) == "fib") f = &r;
    REQUIRE(f != nullptr);
    CHECK(f->count == 5);
    CHECK(f->total == 100 + 40);                              // the outermost calls only
    CHECK(f->self == (100 - 90) + (50 - 10) + 10 + 20 + 40);  // every call's own time
    CHECK(f->mean == doctest::Approx((100 + 50 + 10 + 20 + 40) / 5.0));
    CHECK(t.str(all.rows[0].name) == "fib");
    // Clipped to [25, 80]: the outer fib's 55 holds the rest.
    RangeStats cut = range_stats(t, RangeQuery{25, 80, kNone}, workers);
    for (const NameStats& r : cut.rows)
      if (t.str(r.name) == "fib") CHECK(r.total == 55);
  }
}

TEST_CASE("range stats: the range [t0, t1) holds a slice starting at t0, not one starting at t1 or ending at t0") {
  Trace t;
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  uint32_t f = b.label(b.intern("f"), kNoStr), z = b.label(b.intern("z"), kNoStr);
  uint32_t y = b.label(b.intern("y"), kNoStr), o = b.label(b.intern("o"), kNoStr);
  b.add_complete(th, 0, 10, f, {}, {});  // three calls back to back
  b.add_complete(th, 10, 10, f, {}, {});
  b.add_complete(th, 20, 10, f, {}, {});
  b.add_complete(th, 10, 0, z, {}, {});  // zero-length, inside the second call
  b.add_complete(th, 20, 0, y, {}, {});  // zero-length, inside the third call
  b.add_complete(th, 15, 10, o, {}, {});  // overlaps the second and third: an overflow lane
  b.finish(1);
  REQUIRE(t.threads[0].overflow.size() == 1);
  auto find = [&](const RangeStats& r, const char* name) -> const NameStats* {
    for (const NameStats& s : r.rows)
      if (t.str(s.name) == name) return &s;
    return nullptr;
  };
  for (unsigned workers : {1u, 3u}) {
    CAPTURE(workers);
    // Exactly the second call: the first ends at t0, the third starts at t1.
    const RangeStats mid = range_stats(t, RangeQuery{10, 20, kNone}, workers);
    REQUIRE(find(mid, "f"));
    CHECK(find(mid, "f")->count == 1);
    CHECK(find(mid, "f")->total == 10);
    CHECK(find(mid, "f")->min == 10);
    CHECK(find(mid, "f")->self == 10);
    REQUIRE(find(mid, "z"));  // zero-length at t0: in
    CHECK(find(mid, "z")->count == 1);
    CHECK(find(mid, "z")->total == 0);
    CHECK_FALSE(find(mid, "y"));  // zero-length at t1: out
    REQUIRE(find(mid, "o"));      // starts inside
    CHECK(find(mid, "o")->total == 5);
    CHECK(mid.slices == 3);
    check_against_reference(t, RangeQuery{10, 20, kNone}, mid);
    // The overflow slice [15, 25): out of [5, 15) (starts at t1) and of [25, 30) (ends at t0).
    CHECK_FALSE(find(range_stats(t, RangeQuery{5, 15, kNone}, workers), "o"));
    const RangeStats tail = range_stats(t, RangeQuery{25, 30, kNone}, workers);
    CHECK_FALSE(find(tail, "o"));
    REQUIRE(find(tail, "f"));
    CHECK(find(tail, "f")->count == 1);
    CHECK(find(tail, "f")->total == 5);
    // Empty and reversed ranges select nothing, even at a zero-length slice.
    CHECK(range_stats(t, RangeQuery{10, 10, kNone}, workers).rows.empty());
    CHECK(range_stats(t, RangeQuery{20, 10, kNone}, workers).rows.empty());
    // The whole trace: every slice.
    CHECK(range_stats(t, RangeQuery{kTimeMin, kTimeMax, kNone}, workers).slices == 6);
  }
}

TEST_CASE("range stats: ranges at slice boundaries against brute force") {
  std::mt19937_64 rng(29);
  for (int iter = 0; iter < 300; ++iter) {
    auto t = random_trace(rng);
    for (int k = 0; k < 6; ++k) {
      RangeQuery q;
      std::tie(q.t0, q.t1) = boundary_range(rng, *t);
      q.thread = rng() % 3 == 0 ? uint32_t(rng() % (t->threads.size() + 1)) : kNone;
      check_against_reference(*t, q, range_stats(*t, q, 1 + unsigned(rng() % 3)));
    }
  }
}

TEST_CASE("range stats: hostile input") {
  Trace empty;
  CHECK(range_stats(empty, RangeQuery{0, 100, kNone}).rows.empty());
  CHECK(range_stats(empty, RangeQuery{0, 100, 3}).rows.empty());
  auto o = overflow_only_trace();
  RangeStats r = range_stats(*o, RangeQuery{0, 20, kNone}, 2);
  REQUIRE(r.rows.size() == 2);
  CHECK(o->str(r.rows[0].name) == "lane");
  CHECK(r.rows[0].total == 20);
  CHECK(r.rows[0].self == 20);
  CHECK(r.rows[1].total == 10);
  check_against_reference(*o, RangeQuery{7, 12, kNone}, range_stats(*o, RangeQuery{7, 12, kNone}));
  // Zero-length slices only.
  Trace z;
  TraceBuilder b(z);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  uint32_t l = b.label(b.intern("z"), kNoStr);
  for (int i = 0; i < 5; ++i) b.add_complete(th, 10, 0, l, {}, {});
  b.finish(1);
  CHECK(range_stats(z, RangeQuery{10, 10, kNone}).rows.empty());  // an empty range
  RangeStats zr = range_stats(z, RangeQuery{10, 11, kNone});
  REQUIRE(zr.rows.size() == 1);
  CHECK(zr.rows[0].count == 5);
  CHECK(zr.rows[0].total == 0);
  CHECK(zr.rows[0].mean == 0.0);
}

TEST_CASE("range stats: a set cancel flag stops early and says so") {
  std::mt19937_64 rng(3);
  auto t = random_trace(rng, false);
  std::atomic<bool> cancel{true};
  RangeStats r = range_stats(*t, RangeQuery{-1000, 100000, kNone}, 2, &cancel);
  if (t->slice_count() > 0) CHECK_FALSE(r.complete);
}
