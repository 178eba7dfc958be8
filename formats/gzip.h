// Streaming gzip inflation into an anonymous mapping (never a std::string: traces can be GBs).
// Handles multi-member files; a truncated or corrupt stream keeps what inflated before the cut.
#pragma once

#include <atomic>
#include <memory>

#include "formats/io.h"
#include "formats/loader.h"
#include "formats/model.h"

namespace vz {

// True when `head` starts with the gzip magic bytes.
bool is_gzip(std::string_view head);

// Inflates `in` into a new AnonBuffer. Problems are added to `diag` (GzipError with the
// compressed byte offset). Returns nullptr only when nothing at all could be inflated.
std::shared_ptr<AnonBuffer> gunzip(std::string_view in, Diagnostics& diag, LoadProgress* progress,
                                   const std::atomic<bool>* cancel);

}  // namespace vz
