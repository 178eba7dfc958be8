// The project's one Chrome Trace Event JSON writer (the converter, the viewer's export and the
// recorder's JSON output all go through it).
//
// Output is the object form {"traceEvents":[...], <top-level members kept from the input>}.
// Metadata events come first, then per thread its slices in (start, -end) order (so a re-load
// needs no sort), then every other kind. Fields the model does not name are copied from the
// input's raw event, args are copied verbatim, timestamps are exact ("12.345" us).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "formats/model.h"

namespace vz {

// Receives the output in pieces; returns false to abort.
using JsonSink = std::function<bool(std::string_view)>;

// Writes `trace` as Chrome JSON. Returns false when the sink failed. Threads with many slices
// are formatted on `workers` threads (0: one per core); the bytes do not depend on it.
bool write_json(const Trace& trace, const JsonSink& sink, unsigned workers = 0);

}  // namespace vz
