// Summary statistics of a loaded trace: what `vizviewer --stats` prints and the start window shows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/loader.h"
#include "formats/model.h"

namespace vz {

struct ThreadSummary {
  std::string pid, tid, name;
  std::string process;           // its process's name ("" when unnamed; not in --stats)
  uint64_t slices = 0;           // nested + overflow
  uint32_t max_depth = 0;        // 1-based; 0 when the thread has no slices
  Time top_level_total = 0;      // sum of durations of depth-1 slices (ns)
  uint64_t unmatched_begin = 0, unmatched_end = 0;
  uint64_t instants = 0;         // thread-scoped i/I events emitted on this thread
};

struct CounterSummary {
  std::string pid, name;
  uint64_t samples = 0;
  std::vector<std::string> series;
};

struct TraceSummary {
  uint64_t events = 0;
  std::vector<ThreadSummary> threads;  // in (pid, tid) display order
  uint64_t instants_thread = 0, instants_process = 0, instants_global = 0;
  std::vector<CounterSummary> counters;
  uint64_t async_slices = 0;
  uint64_t flows = 0;
  uint64_t slices = 0;
};

TraceSummary summarize(const Trace& trace);

// Measured cost of a load, reported under "load".
struct LoadMeasure {
  double seconds = 0;
  uint64_t bytes = 0;
  uint64_t peak_rss_bytes = 0;
  uint64_t rss_anon_bytes = 0;
};

// Process memory, from getrusage and /proc/self/status.
uint64_t peak_rss_bytes();
uint64_t rss_anon_bytes();

// The --stats JSON document (one line, newline-terminated).
std::string stats_json(const std::string& file, const LoadResult& result, const LoadMeasure& m);

}  // namespace vz
