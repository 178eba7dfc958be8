// The Chrome Trace Event JSON reader.
//
// Input: a padded buffer (file mapping or inflated gzip). The top level is scanned sequentially up
// to the traceEvents array; the array is cut into chunks at speculative event boundaries and the
// chunks are parsed in parallel. Each chunk starts at a byte that looks like the start of an event
// ("}" "," "{"); that guess is verified afterwards: chunk i must stop exactly where chunk i+1
// started, otherwise chunk i+1 is discarded and the text is re-parsed sequentially from where
// chunk i really stopped. So a string that contains "},{" or args holding arrays of objects can
// only cost time, never correctness, and minified one-line traces parse in parallel too.
// Chunk results are merged in file order into a TraceBuilder.
#pragma once

#include <memory>
#include <string>

#include "formats/loader.h"
#include "formats/model.h"

namespace vz {

// Reads JSON from `buf` into `out` (which must be empty). Returns false when nothing could be
// loaded; then out.diagnostics holds a NotATrace entry with the message and offset.
bool read_json(std::shared_ptr<const Buffer> buf, Trace& out, const LoadOptions& options);

}  // namespace vz
