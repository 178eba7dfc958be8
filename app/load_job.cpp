// Loading a trace on a worker thread. See load_job.h.
#include "app/load_job.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <memory>
#include <utility>

namespace vz {

LoadJob::LoadJob(std::string path)
    : path_(std::move(path)), started_(std::chrono::steady_clock::now()) {
  out_.path = path_;
  worker_ = std::thread([this] { run(); });
}

LoadJob::~LoadJob() {
  cancel();
  if (worker_.joinable()) worker_.join();
}

double LoadJob::elapsed_seconds() const {
  if (done()) return out_.seconds;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

LoadedTrace LoadJob::take() { return std::move(out_); }

void LoadJob::run() {
  // The loader runs at a lower priority than the UI thread (Linux nice values are per thread and
  // inherited by the threads the loader starts), so frames keep coming while every core parses.
  setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 8);
  LoadOptions options;
  options.progress = &progress_;
  options.cancel = &cancel_;
  try {
    out_.result = load_file(path_, options);
    if (!out_.result.trace) out_.result.trace = std::make_unique<Trace>();
    out_.summary = summarize(*out_.result.trace);
    if (out_.result.ok) out_.index = std::make_unique<ViewIndex>(*out_.result.trace);
  } catch (const std::exception& e) {
    out_.result.ok = false;
    out_.result.error = std::string("internal error while loading: ") + e.what();
  } catch (...) {
    out_.result.ok = false;
    out_.result.error = "internal error while loading";
  }
  if (!out_.result.trace) out_.result.trace = std::make_unique<Trace>();
  progress_.phase.store(int(LoadPhase::Done), std::memory_order_relaxed);
  out_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  done_.store(true, std::memory_order_release);
}

}  // namespace vz
