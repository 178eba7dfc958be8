// Views derived from a laid-out call tree: the bottom-up (inverted) tree and folded stacks.
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/call_tree.h"
#include "analysis/call_tree_internal.h"

namespace vz {

CallTree invert_call_tree(const Trace& t, const CallTree& top) {
  NodeTable inv;
  for (size_t k = 1; k < top.nodes.size(); ++k) {
    const CallNode& n = top.nodes[k];
    uint32_t at = 0;
    // Walk n's path leaf first: n, its caller, ..., the top-level frame.
    for (uint32_t m = uint32_t(k); m != 0; m = top.nodes[m].parent) {
      at = inv.child(at, top.nodes[m].name);
      inv.nodes[at].total = wrap_add(inv.nodes[at].total, n.self);
      inv.nodes[at].count += n.count;
    }
    inv.nodes[at].self = wrap_add(inv.nodes[at].self, n.self);  // the whole stack ends here
    inv.nodes[0].total = wrap_add(inv.nodes[0].total, n.self);
    inv.nodes[0].count += n.count;
  }
  CallTree out = layout_call_tree(t, inv.nodes, true);
  out.complete = top.complete;
  return out;
}

void append_folded_frame(std::string_view name, std::string& out) {
  if (name.empty()) {
    out += "(unnamed)";
    return;
  }
  for (char c : name) {
    if (c == ';') c = ':';
    else if (c == '\n' || c == '\r') c = ' ';
    out += c;
  }
}

namespace {

// The folded lines of `tree` appended to `out`; flush() is called (and may empty `out`) whenever
// `out` holds `piece` bytes or more; false from it stops the walk.
template <class Flush>
bool folded_lines(const Trace& t, const CallTree& tree, std::string& out, size_t piece, Flush&& flush) {
  if (tree.nodes.empty()) return true;
  // Depth-first over the laid-out tree; `path` holds the frames of the current node's ancestors,
  // `ends[d]` where frame d ends in it.
  std::string path;
  std::vector<size_t> ends;
  std::vector<uint32_t> stack;
  const CallNode& root = tree.nodes[0];
  for (uint32_t c = root.first_child + root.child_count; c-- > root.first_child;) stack.push_back(c);
  while (!stack.empty()) {
    uint32_t k = stack.back();
    stack.pop_back();
    const CallNode& n = tree.nodes[k];
    size_t keep = n.depth >= 2 ? ends[n.depth - 2] : 0;  // drop frames below the parent
    path.resize(keep);
    ends.resize(n.depth - 1);
    if (n.depth > 1) path += ';';
    append_folded_frame(t.str(n.name), path);
    ends.push_back(path.size());
    if (n.self > 0) {
      out += path;
      out += ' ';
      out += std::to_string(n.self);
      out += '\n';
      if (out.size() >= piece && !flush()) return false;
    }
    for (uint32_t c = n.first_child + n.child_count; c-- > n.first_child;) stack.push_back(c);
  }
  return true;
}

}  // namespace

bool write_folded_stacks(const Trace& t, const CallTree& tree, const std::function<bool(std::string_view)>& sink) {
  std::string out;
  auto flush = [&] {
    const bool ok = sink(out);
    out.clear();
    return ok;
  };
  return folded_lines(t, tree, out, size_t(1) << 20, flush) && (out.empty() || flush());
}

std::string folded_stacks(const Trace& t, const CallTree& tree) {
  std::string out;
  folded_lines(t, tree, out, SIZE_MAX, [] { return true; });
  return out;
}

uint64_t folded_size(const Trace& t, const CallTree& tree) {
  // Nodes are breadth-first: a parent comes before its children.
  std::vector<uint64_t> path_len(tree.nodes.size(), 0);
  std::string frame;
  uint64_t total = 0;
  for (size_t k = 1; k < tree.nodes.size(); ++k) {
    const CallNode& n = tree.nodes[k];
    frame.clear();
    append_folded_frame(t.str(n.name), frame);
    path_len[k] = (n.depth > 1 ? path_len[n.parent] + 1 : 0) + frame.size();
    if (n.self > 0) total += path_len[k] + 2 + std::to_string(n.self).size();
  }
  return total;
}

}  // namespace vz
