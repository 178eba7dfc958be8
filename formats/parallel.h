// A minimal fork-join helper: runs fn(i) for i in [0, n) on up to `workers` threads.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace vz {

inline unsigned default_workers() {
  unsigned n = std::thread::hardware_concurrency();
  return n ? n : 1;
}

// Work items are handed out one at a time, so uneven items balance across workers. An exception
// thrown by fn (std::bad_alloc) stops the remaining items and is rethrown on the calling thread
// once every worker has joined. When a worker thread cannot be started, fewer threads do the work.
template <class Fn>
void parallel_for(size_t n, unsigned workers, Fn&& fn) {
  if (workers == 0) workers = default_workers();
  workers = unsigned(std::min<size_t>(workers, n));
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;  // the first exception, written by the worker that set `failed`
  auto run = [&] {
    try {
      for (size_t i; !failed.load(std::memory_order_relaxed) && (i = next.fetch_add(1, std::memory_order_relaxed)) < n;)
        fn(i);
    } catch (...) {
      if (!failed.exchange(true)) error = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  try {
    pool.reserve(workers - 1);
    for (unsigned w = 1; w < workers; ++w) pool.emplace_back(run);
  } catch (...) {  // no thread for every worker: the ones started (and this one) share the items
  }
  run();
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace vz
