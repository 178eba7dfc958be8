// Name search: which slices' names contain a text, and stepping through them in time order.
//
// A name is tested once per label (Trace::labels, usually thousands) into a per-label match map;
// finding the slices is then a scan of the label columns only, thread by thread, so a search over
// 100 M slices reads 400 MB of labels and never touches a string. Results per thread are index
// lists per SliceSet (nested slices, overflow lanes), in index order: depth-major, and at one depth
// in start order, which is what next/previous navigation binary-searches.
//
// Streaming: search_slices hands each thread's matches to a callback as soon as that thread is
// done; SearchJob wraps it for a UI: run() on a worker, then poll done(), match_count() and
// results() (a cheap snapshot of the threads published so far) every frame.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "formats/model.h"

namespace vz {

// What to look for.
struct SearchQuery {
  std::string text;             // substring to find; an empty text matches nothing
  bool case_sensitive = false;  // false: ASCII letters compare without case (other bytes exactly)
};

// True when `hay` contains `needle`, ASCII letters compared without case (other bytes exactly);
// an empty needle is found everywhere. Allocates nothing: table filters call it per row per frame.
bool contains_ignoring_case(std::string_view hay, std::string_view needle);

// True when `name` contains `q.text` under q's case rule.
bool name_matches(std::string_view name, const SearchQuery& q);

// One byte per label of `t`: 1 when its name matches, else 0.
std::vector<uint8_t> match_labels(const Trace& t, const SearchQuery& q);

// The matching slices of one thread, as sorted index lists into its SliceSets.
struct ThreadMatches {
  uint32_t thread = 0;              // Trace::threads index
  std::vector<uint32_t> slices;     // into Thread::slices
  std::vector<uint32_t> overflow;   // into Thread::overflow
  size_t size() const { return slices.size() + overflow.size(); }
};

// Published results: one entry per thread with at least one match, in completion order.
using SearchResults = std::vector<std::shared_ptr<const ThreadMatches>>;

// Receives one thread's matches; calls are serialized (never two at once), from worker threads.
using ThreadMatchesFn = std::function<void(std::shared_ptr<const ThreadMatches>)>;

// Finds every slice whose label matches (`label_match` from match_labels) on up to `workers`
// threads (0 = hardware concurrency), calling `on_thread` for each thread with matches. Stops
// early when `cancel` becomes true (threads not finished by then are not reported). Returns the
// number of matches reported.
uint64_t search_slices(const Trace& t, const std::vector<uint8_t>& label_match, unsigned workers,
                       const std::atomic<bool>* cancel, const ThreadMatchesFn& on_thread);

// A search meant to run on a worker while the UI polls it. The trace must outlive the job.
class SearchJob {
 public:
  SearchJob(const Trace& t, SearchQuery q) : trace_(t), query_(std::move(q)) {}
  // Runs the whole search (blocking); call once, on a worker thread.
  void run(unsigned workers = 0);
  // Asks a running search to stop soon; done() still becomes true.
  void cancel() { cancel_ = true; }
  // True once run() has returned.
  bool done() const { return done_.load(std::memory_order_acquire); }
  // Matches published so far.
  uint64_t match_count() const { return matches_.load(std::memory_order_relaxed); }
  // Threads published so far (a copy of shared pointers: cheap, safe while run() goes on).
  SearchResults results() const;
  // The query this job runs.
  const SearchQuery& query() const { return query_; }

 private:
  const Trace& trace_;
  SearchQuery query_;
  std::atomic<bool> cancel_{false};
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> matches_{0};
  mutable std::mutex mu_;
  SearchResults results_;
};

// One match: a slice of a thread's nested set or overflow set.
struct MatchRef {
  uint32_t thread = kNone;  // Trace::threads index; kNone = no match
  bool overflow = false;    // index into Thread::overflow rather than Thread::slices
  uint32_t index = kNone;   // slice index in that set
  bool valid() const { return thread != kNone; }
  bool operator==(const MatchRef& o) const = default;
};

// Matches are ordered by (start, thread, nested before overflow, index): a total order in time,
// parents before children at equal start. next_match returns the first match after `current`
// in that order; without a current match (invalid), the first match starting after t. prev_match
// is the mirror image (the last match before `current`, or starting before t). Returns an invalid
// MatchRef when there is none. O(threads x depths x log matches).
MatchRef next_match(const Trace& t, const SearchResults& r, Time time, const MatchRef& current = {});
MatchRef prev_match(const Trace& t, const SearchResults& r, Time time, const MatchRef& current = {});

}  // namespace vz
