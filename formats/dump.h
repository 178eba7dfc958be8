// A canonical text dump of the whole model, for golden tests and debugging.
//
// The dump names everything by text (pid, tid, name, category), never by interned id or vector
// index, and lists processes and threads in (pid, tid) order (numbers numerically, then text), so
// two loads of the same events print the same bytes however the reader chunked or merged them.
// Times are integer nanoseconds relative to Trace::origin_us; raw JSON (args, extra fields, kept
// events) is printed as it sits in the source, with control bytes escaped.
//
// Layout (one item per line, two spaces of indent per level):
//   trace ...                       trace-level fields
//   process pid=.. / thread tid=..  with their slices by depth, overflow lanes and instants
//   process_instants, global_instants, counters, async_slices, async_marks, flows, objects,
//   others, metadata, files, functions, diagnostics
#pragma once

#include <string>

#include "formats/model.h"

namespace vz {

// Deterministic, human-readable text of everything `trace` holds.
std::string dump_model(const Trace& trace);

}  // namespace vz
