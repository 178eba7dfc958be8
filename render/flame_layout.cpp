// Flamegraph frame layout. See flame_layout.h.
#include "render/flame_layout.h"

#include <algorithm>

namespace vz {

std::vector<uint32_t> flame_path(const CallTree& tree, uint32_t node) {
  std::vector<uint32_t> path;
  if (node >= tree.nodes.size()) node = 0;
  for (uint32_t n = node; n != kNone && path.size() <= tree.nodes.size(); n = tree.nodes[n].parent) {
    path.push_back(n);
  }
  return {path.rbegin(), path.rend()};
}

std::vector<FlameFrame> layout_flamegraph(const CallTree& tree, uint32_t focus, double width, double min_px) {
  std::vector<FlameFrame> out;
  if (tree.nodes.empty()) return out;
  if (focus >= tree.nodes.size()) focus = 0;
  const std::vector<uint32_t> path = flame_path(tree, focus);
  const int above = int(path.size()) - 1;
  for (size_t k = 0; k + 1 < path.size(); ++k) out.push_back({path[k], 0.0, width, int(k) - above});
  const double total = double(tree.nodes[focus].total);
  out.push_back({focus, 0.0, width, 0});
  if (!(total > 0)) return out;
  const double scale = width / total;
  // Depth-first with an explicit stack: (node, left x, row).
  struct Item {
    uint32_t node;
    double x;
    int row;
  };
  std::vector<Item> stack{{focus, 0.0, 0}};
  while (!stack.empty()) {
    const Item it = stack.back();
    stack.pop_back();
    const CallNode& n = tree.nodes[it.node];
    // Children left to right; pushed in reverse so the leftmost is visited first.
    double x = it.x;
    const size_t mark = stack.size();
    for (uint32_t c = n.first_child; c < n.first_child + n.child_count; ++c) {
      const double w = double(tree.nodes[c].total) * scale;
      if (w >= min_px) {
        out.push_back({c, x, x + w, it.row + 1});
        stack.push_back({c, x, it.row + 1});
      }
      x += w;
    }
    std::reverse(stack.begin() + long(mark), stack.end());
  }
  return out;
}

}  // namespace vz
