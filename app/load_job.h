// Loading a trace on a worker thread while the window keeps drawing.
//
// The UI thread must never block for more than a frame, so a LoadJob runs vz::load_file (and the
// summary the Trace info panel shows) on its own std::thread. The UI polls progress() and done()
// every frame; the progress record is the loader's relaxed atomics, the completion flag is an
// acquire/release pair, so take() sees everything the worker wrote. Nothing thrown by the loader
// (std::bad_alloc included) escapes: it becomes an error in the result.
//
// Usage
//   auto job = std::make_unique<vz::LoadJob>(path);
//   ...each frame: if (job->done()) { vz::LoadedTrace t = job->take(); job.reset(); }
//   ...on Cancel:  job->cancel();   (the result then has cancelled == true)
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "formats/loader.h"
#include "formats/stats.h"
#include "render/view_index.h"

namespace vz {

// What a finished job hands to the window.
struct LoadedTrace {
  std::string path;       // the file as the user named it
  LoadResult result;      // result.trace is never null
  TraceSummary summary;   // summarize(*result.trace), computed on the worker
  std::unique_ptr<ViewIndex> index;  // drawing indexes over *result.trace (null when not ok)
  double seconds = 0;     // wall time of load + summary
};

// One file being loaded on a worker thread.
class LoadJob {
 public:
  // Starts loading `path` at once.
  explicit LoadJob(std::string path);
  // Requests cancellation and waits for the worker (the loader checks the flag often).
  ~LoadJob();
  LoadJob(const LoadJob&) = delete;
  LoadJob& operator=(const LoadJob&) = delete;

  // The file being loaded.
  const std::string& path() const { return path_; }
  // Live progress, updated by the loader with relaxed atomics.
  const LoadProgress& progress() const { return progress_; }
  // True once the worker finished (successfully, with an error, or cancelled).
  bool done() const { return done_.load(std::memory_order_acquire); }
  // Asks the loader to stop early; the result is then partial and marked cancelled.
  void cancel() { cancel_.store(true, std::memory_order_relaxed); }
  // Whether cancel() was called.
  bool cancel_requested() const { return cancel_.load(std::memory_order_relaxed); }
  // Seconds since the job started; frozen once done.
  double elapsed_seconds() const;
  // Moves the result out. Only after done(); call once.
  LoadedTrace take();

 private:
  void run();

  std::string path_;
  LoadProgress progress_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::chrono::steady_clock::time_point started_;
  LoadedTrace out_;
  std::thread worker_;  // last: started after every other member is ready
};

}  // namespace vz
