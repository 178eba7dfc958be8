// Adding a loaded trace's events to a model under construction: what merging traces does (the
// Python package's child processes and `--combine`) without writing them as JSON and parsing
// them again. Each kind of event goes to the TraceBuilder the way the .vzt reader hands it over
// from a file, so the result is the one a JSON or .vzt round trip of the trace would give.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "formats/builder.h"
#include "formats/model.h"

namespace vz {

// Which of the builder's threads each of the added trace's threads went to.
struct AddedThreads {
  std::vector<uint32_t> thread;  // by src thread index
};

// Adds every event of `src` to `b`: a time t of `src` becomes t + shift (saturating at the
// model's time range), and a byte range of src.source moves by `base` (where src.source's bytes
// sit in the source of b's trace). Processes and threads are found or made by their pid/tid
// texts, with their names, process labels and sort indexes. Top-level members, source files and
// function locations are left to the caller.
// The events kept as their text (OtherEvent: P, v, unknown phases, unmatched E...) are written
// back as that text, timestamp included: when the events move in absolute time (`moved` ns, not
// 0: a trace aligned to start at 0), each such text is copied with its "ts" moved and appended
// to `text` (the source of b's trace, which its ranges then point into).
AddedThreads add_trace_events(TraceBuilder& b, const Trace& src, Time shift, uint64_t base,
                              Time moved = 0, std::string* text = nullptr);

// After b.finish(): the added threads' unmatched B and E counts (the builder counts only the
// B and E events it pairs itself).
void add_unmatched_counts(Trace& out, const Trace& src, const AddedThreads& added);
// (then mark_bare(out): a thread may have only those counts)

}  // namespace vz
