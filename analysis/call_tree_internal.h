// Internal to analysis/: the growable, unsorted tree that call_tree.cpp (top-down build) and
// call_tree_views.cpp (inversion) fill, and its layout into a CallTree.
#pragma once

#include <cstdint>
#include <vector>

#include "analysis/call_tree.h"

namespace vz {

// A node while the tree grows: ids are creation order, so a parent always precedes its children.
struct RawNode {
  uint32_t parent = kNone;
  StrId name = kNoStr;
  uint64_t count = 0;
  Time total = 0;
  Time self = 0;
};

// (parent, name) -> node, with an open-addressing table and a one-entry cache of the last lookup
// (consecutive slices at one depth often share parent and name).
class NodeTable {
 public:
  NodeTable();
  // The child of `parent` named `name`, created (with zero sums) when missing.
  uint32_t child(uint32_t parent, StrId name) {
    if (parent == last_parent_ && name == last_name_) return last_node_;
    last_parent_ = parent;
    last_name_ = name;
    last_node_ = lookup(parent, name);
    return last_node_;
  }
  std::vector<RawNode> nodes;  // nodes[0] is the root

 private:
  uint32_t lookup(uint32_t parent, StrId name);
  void grow();
  std::vector<uint64_t> keys_;
  std::vector<uint32_t> values_;
  size_t used_ = 0;
  uint32_t last_parent_ = kNone;
  StrId last_name_ = kNoStr;
  uint32_t last_node_ = kNone;
};

// Lays raw nodes out breadth-first with each node's children contiguous and sorted by total
// descending, ties by name text then id. Keeps count/total/self as given.
CallTree layout_call_tree(const Trace& t, const std::vector<RawNode>& raw, bool inverted);

}  // namespace vz
