// The Trace info panel: what a loaded trace contains and what went wrong while importing it.
//
// It shows the file (path, format, size, time span), headline counts, a sortable and filterable
// table of threads, the counters, the other event kinds, and the diagnostics table (kind,
// severity, count, first byte offset, message). It is the first thing the viewer shows after a
// load, and the place where import problems become visible instead of silently dropped.
//
// Like every panel it reads a const model and keeps only its own small state (sort orders and a
// filter); it never owns trace data. It draws into the current ImGui window, so the caller decides
// where it lives (the main window today, a dockable pane later).
//
// Usage
//   vz::TraceInfoState info;                       // one per loaded trace; reset on reload
//   ...every frame, inside ImGui::Begin/End:
//   vz::draw_trace_info(*result.trace, summary, result, path, info);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/loader.h"
#include "formats/model.h"
#include "formats/stats.h"

struct ImVec4;

namespace vz {

// Per-panel UI state: row orders of the sortable tables and the thread filter.
struct TraceInfoState {
  std::vector<uint32_t> thread_rows;      // indices into TraceSummary::threads, sorted + filtered
  std::vector<uint32_t> counter_rows;     // indices into TraceSummary::counters, sorted
  std::vector<uint32_t> diag_rows;        // DiagKind values present, sorted
  const TraceSummary* rows_for = nullptr; // the summary the row orders were built for
  bool threads_dirty = true;              // filter or data changed: rebuild thread_rows
  bool counters_dirty = true;             // data changed: rebuild counter_rows
  bool diags_dirty = true;                // data changed: rebuild diag_rows
  char thread_filter[128] = {};           // substring filter over pid, tid and name
};

// Draws the whole panel into the current window. `path` is the file as the user named it.
void draw_trace_info(const Trace& trace, const TraceSummary& summary, const LoadResult& result,
                     std::string_view path, TraceInfoState& state);

// Human-readable duration of `ns` nanoseconds with three significant digits: "950 ns", "1.25 µs",
// "12.3 ms", "4.56 s".
std::string format_duration(Time ns);

// Human-readable byte size in binary units: "512 B", "1.50 KiB", "12.3 MiB".
std::string format_bytes(uint64_t bytes);

// An integer with thousands separators: "1,234,567".
std::string format_count(uint64_t n);

// A thread as a menu or combo entry: "name tid" when it has a name, else "tid N".
std::string thread_title(const Trace& trace, uint32_t thread);

// Text aligned to the right edge of the current table cell or region, optionally coloured.
void text_right(const char* s, const ImVec4* color = nullptr);

}  // namespace vz
