// Layout helpers shared by save() (recorder/save.cpp) and the streaming writer
// (recorder/stream.cpp). Not part of the API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "formats/model.h"
#include "recorder/internal.h"

namespace vz::rec::internal {

// zstd level of the recorder's .vzt output: fast (the viewer's converter uses 17; level 3 is
// a few percent larger and an order of magnitude faster).
constexpr int kSaveZstdLevel = 1;

// SliceFlags of a decoded slice.
uint8_t slice_flags(uint8_t decoded);

// Lays out postorder slices as a depth-major SliceSet: begin/end slices with their depths, or
// complete() slices, whose depths come from their order. label_of maps a NameId to a label
// (nullptr: the label is the NameId). Returns false when the thread mixes the two kinds, a depth
// is empty, or the result is not laid out exactly as TraceBuilder would lay it out (zero-length
// slices at a parent's end, complete() slices out of return order): the caller then lets the
// builder lay them out.
bool build_slice_set(const DecodedSlice* in, size_t n, const std::vector<uint32_t>* label_of,
                     SliceSet& out);
// True when `s` is laid out as TraceBuilder::finish() lays out nested slices.
bool laid_out_like_builder(const SliceSet& s);

}  // namespace vz::rec::internal
