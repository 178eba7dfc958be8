// Flamegraph frame layout. See flame_layout.h.
#include "render/flame_layout.h"

#include "render/flame_walk.h"

namespace vz {

namespace {

// The call tree as flame_walk.h reads it: a node's children are the child_count nodes
// from first_child.
struct CallTreeAccess {
  const CallTree& tree;
  size_t size() const { return tree.nodes.size(); }
  uint32_t parent(uint32_t n) const { return tree.nodes[n].parent; }
  double total(uint32_t n) const { return double(tree.nodes[n].total); }
  uint32_t child_begin(uint32_t n) const { return tree.nodes[n].first_child; }
  uint32_t child_end(uint32_t n) const { return tree.nodes[n].first_child + tree.nodes[n].child_count; }
  uint32_t child(uint32_t k) const { return k; }
};

}  // namespace

std::vector<uint32_t> flame_path(const CallTree& tree, uint32_t node) {
  return flame_tree_path(CallTreeAccess{tree}, node);
}

// Narrow children are skipped, not ended on: the layout does not rely on the tree's order.
std::vector<FlameFrame> layout_flamegraph(const CallTree& tree, uint32_t focus, double width, double min_px) {
  return layout_flame_tree<FlameFrame, NarrowChild::Skip>(CallTreeAccess{tree}, focus, width, min_px);
}

}  // namespace vz
