// A minimal fork-join helper: runs fn(i) for i in [0, n) on up to `workers` threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace vz {

inline unsigned default_workers() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

// Work items are handed out one at a time, so uneven items balance across workers.
template <class Fn>
void parallel_for(size_t n, unsigned workers, Fn&& fn) {
  if (workers == 0) workers = default_workers();
  workers = unsigned(std::min<size_t>(workers, n));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto run = [&] {
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;) fn(i);
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(run);
  run();
  for (std::thread& t : pool) t.join();
}

}  // namespace vz
