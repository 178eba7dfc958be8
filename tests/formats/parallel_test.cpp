// Tests of formats/parallel.h: every item runs exactly once on any number of workers, and an
// exception thrown by an item reaches the caller (after every worker joined) instead of ending
// the process.
#include <doctest/doctest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <vector>

#include "formats/parallel.h"

using namespace vz;

TEST_CASE("parallel_for: every item exactly once, whatever the worker count") {
  for (unsigned workers : {0u, 1u, 2u, 3u, 8u, 64u}) {
    for (size_t n : {size_t(0), size_t(1), size_t(5), size_t(1000)}) {
      std::vector<std::atomic<int>> hits(n);
      parallel_for(n, workers, [&](size_t i) { hits[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) CHECK(hits[i].load() == 1);
    }
  }
}

TEST_CASE("parallel_for: an exception in an item is rethrown on the calling thread") {
  for (unsigned workers : {1u, 2u, 4u}) {
    std::atomic<int> ran{0};
    bool caught = false;
    try {
      parallel_for(1000, workers, [&](size_t i) {
        ran.fetch_add(1);
        if (i == 17) throw std::bad_alloc();
      });
    } catch (const std::bad_alloc&) {
      caught = true;
    }
    CHECK(caught);
    CHECK(ran.load() >= 18);  // items up to the failing one ran (a worker may have started more)
  }
  // The first of several exceptions wins; the rest are dropped, nothing terminates.
  bool caught = false;
  try {
    parallel_for(100, 4, [&](size_t) { throw std::runtime_error("each item fails"); });
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "each item fails";
  }
  CHECK(caught);
}
