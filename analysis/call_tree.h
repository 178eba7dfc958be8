// The call tree behind the flamegraph panel: slices aggregated by their call path of names.
//
// Top-down tree: a node is (parent node, name); the node of a slice is the node of its parent slice
// extended by the slice's name, so every call of `c` made from `b` made from top-level `a` lands in
// node a -> b -> c, whichever thread or time it ran at. Per node:
//   count  slices aggregated into it
//   total  their summed durations (clipped to the query's range, like range statistics)
//   self   total minus the totals of the node's children: time in this frame, not in a callee
// Node 0 is a synthetic root: total = sum of the top-level totals, self = 0, count = number of
// top-level slices. Overflow-lane slices (X slices that overlapped without nesting) are top-level
// frames of their own. Nodes are laid out breadth-first, the children of a node contiguous and
// sorted by total descending (ties by name text, then id), so a drawer walks them in order.
//
// Bottom-up (inverted) tree, built from a top-down one: each top-down node n adds its self time to
// every node along its reversed path, leaf function first. So the inverted node f0 -> f1 -> ... -> fk
// holds, in `total`, the self time of f0 spent while called from f1, itself called from f2, ..., from
// fk (any frames above fk); its `self` is the part of that where fk was a top-level frame (the
// whole stack is exactly fk..f1 f0); `count` sums the calls of f0 on those stacks. The inverted root's
// total is the sum of all self times, which equals the top-down root's total.
//
// Folded stacks ("a;b;c 1234\n", one line per node with self > 0, value = self in integer ns, in
// depth-first order of the laid-out tree) are what flamegraph.pl and speedscope import.
#pragma once

#include <atomic>
#include <functional>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/scope_walk.h"
#include "formats/model.h"

namespace vz {

// Which slices the tree aggregates: one thread or all, over a range or the whole trace.
struct CallTreeQuery {
  uint32_t thread = kNone;  // Trace::threads index, or kNone for every thread
  Time t0 = kTimeMin;       // half-open range [t0, t1) (analysis/scope_walk.h); the defaults cover
                            // the whole trace
  Time t1 = kTimeMax;
};

// One node of a call tree (top-down or inverted).
struct CallNode {
  uint32_t parent = kNone;   // kNone for the root
  StrId name = kNoStr;       // frame name; kNoStr for the root
  uint32_t first_child = 0;  // children are nodes [first_child, first_child + child_count)
  uint32_t child_count = 0;
  uint32_t depth = 0;        // 0 for the root, 1 for top-level frames
  uint64_t count = 0;        // slices aggregated (see the header comment for inverted trees)
  Time total = 0;            // ns, clipped to the query's range
  Time self = 0;             // ns
};

// A laid-out call tree. nodes[0] is the root.
struct CallTree {
  std::vector<CallNode> nodes;  // breadth-first; never empty once built
  bool inverted = false;        // built by invert_call_tree
  bool complete = true;         // false when the build was cancelled
  const CallNode& root() const { return nodes[0]; }
};

// Progress of a running build, polled by the UI: pieces of work done out of total.
struct WorkProgress {
  std::atomic<uint64_t> done{0};
  std::atomic<uint64_t> total{0};
};

// Builds the top-down tree on up to `workers` threads (0 = hardware concurrency). `cancel` (when
// set) stops the build early: the result then has complete = false. `progress` (when set) is
// updated as pieces finish.
CallTree build_call_tree(const Trace& t, const CallTreeQuery& q, unsigned workers = 0,
                         const std::atomic<bool>* cancel = nullptr,
                         WorkProgress* progress = nullptr);

// The bottom-up tree of a top-down tree (see the header comment for what its numbers mean).
CallTree invert_call_tree(const Trace& t, const CallTree& top_down);

// Folded stacks of `tree`, one "frame;frame;... self_ns\n" line per node with self > 0.
std::string folded_stacks(const Trace& t, const CallTree& tree);
// The same text handed to `sink` piece by piece (about 1 MB at a time); stops, returning false,
// when the sink does.
bool write_folded_stacks(const Trace& t, const CallTree& tree, const std::function<bool(std::string_view)>& sink);
// The size in bytes of the folded stacks of `tree`, without making them. Each line repeats its
// whole stack, so a deep call chain makes quadratic output (100 000 nested calls: ~50 GB).
uint64_t folded_size(const Trace& t, const CallTree& tree);
// The largest folded output the viewer and the CLI write; past it they refuse with a message.
constexpr uint64_t kMaxFoldedBytes = uint64_t(2) << 30;

// Appends `name` as a folded-stacks frame: ';' becomes ':', CR/LF become spaces, and an empty
// name becomes "(unnamed)", so a line always splits back into the same frames.
void append_folded_frame(std::string_view name, std::string& out);

}  // namespace vz
