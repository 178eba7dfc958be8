// Tests of analysis/name_lookup.cpp: labels by name text and the first event of a name, against
// brute force on random traces and on hand-built traces with instants and async slices.
#include <doctest/doctest.h>

#include <random>

#include "analysis/name_lookup.h"
#include "analysis_test_util.h"

using namespace vz;
using namespace vz::testing;

TEST_CASE("name lookup: labels_named marks every label of the name, whatever its category") {
  Trace t;
  TraceBuilder b(t);
  const uint32_t l0 = b.label(b.intern("f"), b.intern("cat1"));
  const uint32_t l1 = b.label(b.intern("g"), kNoStr);
  const uint32_t l2 = b.label(b.intern("f"), b.intern("cat2"));
  b.finish(1);
  const std::vector<uint8_t> m = labels_named(t, "f");
  REQUIRE(m.size() == t.labels.size());
  CHECK(m[l0] == 1);
  CHECK(m[l1] == 0);
  CHECK(m[l2] == 1);
  CHECK(labels_named(t, "F").empty());      // exact, case-sensitive
  CHECK(labels_named(t, "cat1").empty());   // a string that is no label's name
  CHECK(labels_named(t, "missing").empty());
}

TEST_CASE("name lookup: a bare qualname names viztracer's \"qualname (file:line)\" labels, unless one is exact") {
  Trace t;
  TraceBuilder b(t);
  const uint32_t a = b.label(b.intern("Scraper.crawl (/app/scraper.py:36)"), kNoStr);
  const uint32_t a2 = b.label(b.intern("Scraper.crawl (/app/other.py:3)"), kNoStr);
  const uint32_t other = b.label(b.intern("Scraper.crawler (/app/scraper.py:50)"), kNoStr);
  const uint32_t fib = b.label(b.intern("fib"), kNoStr);
  const uint32_t fib_py = b.label(b.intern("fib (/app/f.py:1)"), kNoStr);
  b.finish(1);
  const std::vector<uint8_t> m = labels_named(t, "Scraper.crawl");
  REQUIRE(m.size() == t.labels.size());
  CHECK(m[a] == 1);
  CHECK(m[a2] == 1);
  CHECK(m[other] == 0);  // a longer name, not this one
  const std::vector<uint8_t> f = labels_named(t, "fib");
  CHECK(f[fib] == 1);     // the exact name wins
  CHECK(f[fib_py] == 0);
  CHECK(labels_named(t, "Scraper").empty());
  CHECK(labels_named(t, "").empty());
}

TEST_CASE("name lookup: first_named sees slices, overflow lanes, instants and async slices") {
  Trace t;
  TraceBuilder b(t);
  const uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  const uint32_t th2 = b.thread(b.intern("1"), b.intern("2"));
  const uint32_t f = b.label(b.intern("f"), kNoStr);
  const uint32_t g = b.label(b.intern("g"), kNoStr);
  const uint32_t mark = b.label(b.intern("mark"), kNoStr);
  const uint32_t task = b.label(b.intern("task"), kNoStr);
  b.add_complete(th, 100, 50, f, {}, {});
  b.add_complete(th, 110, 10, g, {}, {});   // nested at depth 1
  b.add_complete(th2, 90, 5, g, {}, {});    // earlier g on another thread
  b.add_complete(th2, 200, 50, f, {}, {});
  b.add_complete(th2, 220, 50, f, {}, {});  // overlaps without nesting: an overflow lane
  Instant in;
  in.ts = 40;
  in.label = mark;
  in.thread = th;
  in.scope = Scope::Global;
  b.add_instant(in);
  AsyncSlice a;
  a.start = 7;
  a.dur = 3;
  a.label = task;
  a.process = 0;
  b.add_async_slice_raw(a);
  b.finish(1);
  Time at = -1;
  CHECK(first_named(t, "f", &at));
  CHECK(at == 100);
  CHECK(first_named(t, "g", &at));
  CHECK(at == 90);
  CHECK(first_named(t, "mark", &at));
  CHECK(at == 40);
  CHECK(first_named(t, "task", &at));
  CHECK(at == 7);
  at = 12345;
  CHECK_FALSE(first_named(t, "nothing", &at));
  CHECK(at == 12345);
}

TEST_CASE("name lookup: first_named against brute force on random traces") {
  std::mt19937_64 rng(99);
  for (int iter = 0; iter < 200; ++iter) {
    auto t = random_trace(rng);
    for (const std::string& name : test_names()) {
      bool found = false;
      Time best = 0;
      for (const Thread& th : t->threads) {
        for (const SliceSet* s : {&th.slices, &th.overflow}) {
          for (size_t i = 0; i < s->size(); ++i) {
            if (t->strings.get(t->labels[s->label[i]].name) != name) continue;
            if (!found || s->start[i] < best) best = s->start[i];
            found = true;
          }
        }
      }
      Time at = 0;
      const bool got = first_named(*t, name, &at);
      REQUIRE(got == found);
      if (found) CHECK(at == best);
    }
  }
}
