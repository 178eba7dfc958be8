// A computation on its own thread that the UI polls: flamegraph trees, range statistics, search.
//
// The UI never waits for one: it starts a Task, shows a placeholder while !done(), then reads
// result(). Dropping a Task asks it to stop (the function receives the cancel flag) and joins it,
// so the work must check the flag in its loops. Completion is an acquire/release pair, so
// result() sees everything the worker wrote.
//
// Usage
//   auto task = std::make_unique<vz::Task<RangeStats>>([&](const std::atomic<bool>& cancel) {
//     return range_stats(trace, query, 0, &cancel);
//   });
//   ...each frame: if (task->done()) use(task->result());
#pragma once

#include <atomic>
#include <functional>
#include <thread>
#include <utility>

namespace vz {

template <class R>
class Task {
 public:
  // Starts fn(cancel_flag) on a new thread.
  explicit Task(std::function<R(const std::atomic<bool>&)> fn) : fn_(std::move(fn)), worker_([this] { run(); }) {}
  ~Task() {
    cancel_.store(true, std::memory_order_relaxed);
    worker_.join();
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  // True once the function returned.
  bool done() const { return done_.load(std::memory_order_acquire); }
  // The function's result; only after done().
  const R& result() const { return result_; }
  R& result() { return result_; }

 private:
  void run() {
    result_ = fn_(cancel_);
    done_.store(true, std::memory_order_release);
  }

  std::function<R(const std::atomic<bool>&)> fn_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  R result_{};
  std::thread worker_;  // last: starts after every other member exists
};

}  // namespace vz
