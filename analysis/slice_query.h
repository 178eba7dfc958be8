// Structural queries on one SliceSet: a slice's parent, its ancestors, its children and its self
// time, answered from the depth-major columns alone (no parent column is stored in the model).
//
// Why this works: in a nested set, depth d+1 holds the children of depth d, slices at one depth are
// disjoint and sorted by start, and a child starts inside its parent (parent.start <= child.start <
// parent.end). So a slice's parent is the last slice one depth up that starts at or before it, and
// the children of a slice are the slices one depth down whose start lies in [start, end): both are
// binary searches. Overflow sets (nested == false) have no parents and no children.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "formats/model.h"

namespace vz {

// Index of the slice one depth up that contains slice i; kNone at depth 0 or in a non-nested set.
uint32_t slice_parent(const SliceSet& s, uint32_t i);
// Same, when the caller already knows i's depth (saves the depth_of search).
uint32_t slice_parent(const SliceSet& s, uint32_t i, uint32_t depth);
// The ancestors of slice i, outermost (depth 0) first; i itself is not included.
std::vector<uint32_t> slice_ancestors(const SliceSet& s, uint32_t i);
// Index range [first, last) at depth+1 of slice i's children (empty when it has none).
std::pair<uint32_t, uint32_t> slice_children(const SliceSet& s, uint32_t i);
// Same, with i's depth known.
std::pair<uint32_t, uint32_t> slice_children(const SliceSet& s, uint32_t i, uint32_t depth);
// dur of slice i minus the summed durations of its children: O(log n + children).
Time slice_self_time(const SliceSet& s, uint32_t i);

}  // namespace vz
