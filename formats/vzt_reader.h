// Reading .vzt files (spec: formats/VZT.md) into the model through TraceBuilder.
//
// The reader walks the section headers once, gathers the args stream (pointing into the file
// mapping when it is stored raw in one piece, otherwise decompressed into an AnonBuffer), then
// decodes every section in file order, slice blocks in parallel on all cores. Hostile input never
// crashes it: every length, offset and varint is bounds-checked; a section that fails its
// checksum or does not decode is skipped and counted in Trace::diagnostics; a truncated file
// loads up to its last whole section.
#pragma once

#include <memory>

#include "formats/loader.h"
#include "formats/model.h"

namespace vz {

// Decodes the .vzt file in `file` (with kPadding readable zero bytes past its end) into `out`,
// which must be a fresh Trace. Returns false (with DiagKind::NotATrace recorded) only when the
// file header is not a .vzt header this reader understands; everything else is a diagnostic.
// `progress` may be null.
bool read_vzt(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress);

// How read_vzt decodes. Every choice gives the same model; tests compare them.
struct VztReadOptions {
  bool direct_slices = true;  // nested slices straight into the model's columns where safe
};

// read_vzt with options.
bool read_vzt(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress,
              const VztReadOptions& options);

}  // namespace vz
