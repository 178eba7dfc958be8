// The flamegraph panel. See flamegraph_view.h.
#include "render/flamegraph_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/search.h"
#include "render/flame_draw.h"
#include "render/text_fit.h"
#include "render/theme.h"
#include "render/time_view.h"
#include "render/timeline.h"
#include "render/view_index.h"

namespace vz {
namespace {

std::string_view node_name(const Trace& tr, const CallTree& tree, uint32_t n) {
  if (n == 0) return "all";
  const std::string_view s = tr.str(tree.nodes[n].name);
  return s.empty() ? std::string_view("(unnamed)") : s;
}

void breadcrumb(const Trace& tr, const CallTree& tree, FlamegraphState& st) {
  const std::vector<uint32_t> path = flame_path(tree, st.focus);
  std::vector<std::string> labels;
  // The breadcrumb shows 48 bytes of a name at most: no need to copy more.
  for (uint32_t n : path) labels.emplace_back(utf8_prefix(node_name(tr, tree, n), 64));
  if (const int k = flame_breadcrumb(labels); k >= 0) st.focus = path[size_t(k)];
}

void tooltip(const Trace& tr, const CallTree& tree, uint32_t n) {
  const CallNode& node = tree.nodes[n];
  const double root = double(std::max<Time>(tree.root().total, 1));
  ImGui::BeginTooltip();
  {
    FontScope bold(fonts().bold);
    text_long(node_name(tr, tree, n), ImGui::GetFontSize() * 40.0f);
  }
  ImGui::TextColored(palette().text_dim, "Total");
  ImGui::SameLine();
  ImGui::Text("%s  (%.2f%% of all)", format_time_span(double(node.total), 4).c_str(), 100.0 * double(node.total) / root);
  ImGui::TextColored(palette().text_dim, "Self ");
  ImGui::SameLine();
  ImGui::Text("%s  (%.2f%%)", format_time_span(double(node.self), 4).c_str(), 100.0 * double(node.self) / root);
  ImGui::TextColored(palette().text_dim, "Calls");
  ImGui::SameLine();
  ImGui::Text("%llu", (unsigned long long)node.count);
  if (tree.inverted) ImGui::TextColored(palette().text_dim, "Bottom-up: time of the first frame, called via this path");
  ImGui::EndTooltip();
}

}  // namespace

void draw_flamegraph(const Trace& tr, const CallTree& tree, FlamegraphState& st, const std::string& highlight) {
  if (st.tree != &tree) {
    st = FlamegraphState{};
    st.tree = &tree;
  }
  if (tree.nodes.empty()) return;
  if (st.focus >= tree.nodes.size()) st.focus = 0;
  breadcrumb(tr, tree, st);
  const float width = std::max(ImGui::GetContentRegionAvail().x, 16.0f);
  const std::vector<FlameFrame> frames = layout_flamegraph(tree, st.focus, width, 0.5);
  int min_row = 0, max_row = 0;
  for (const FlameFrame& f : frames) {
    min_row = std::min(min_row, f.row);
    max_row = std::max(max_row, f.row);
  }
  const FlameArea area = begin_flame_area(width, min_row, max_row);
  const bool search = !highlight.empty();
  const ImU32 root_col = current_theme() == ThemeKind::Dark ? IM_COL32(84, 92, 110, 255) : IM_COL32(176, 182, 196, 255);
  uint32_t hover = kNone;
  st.frames_drawn = 0;
  for (const FlameFrame& f : frames) {
    if (!area.visible(f.row)) continue;
    const CallNode& n = tree.nodes[f.node];
    const std::string_view name = f.node == 0 ? std::string_view("all") : tr.str(n.name);
    if (st.hues.size() != tree.nodes.size()) st.hues.assign(tree.nodes.size(), {kNone, 0});
    auto& hue = st.hues[f.node];
    if (hue.first != n.name) hue = {n.name, name_hash(name)};
    ImU32 col = f.node == 0 ? root_col : hash_color(hue.second);
    if (search && !contains_ignoring_case(name, highlight)) {
      col = blend_to_background(col, 0.75f);  // not a match: fade
    } else if (f.row < 0) {
      col = blend_to_background(col, 0.45f);  // above the focus: context, not content
    }
    const std::string root = f.node == 0 ? "all  " + format_time_span(double(n.total)) : std::string();
    if (draw_flame_frame(area, f.x0, f.x1, f.row, col, f.node == 0 ? std::string_view(root) : name)) hover = f.node;
    st.frames_drawn++;
  }
  st.hovered = hover;
  if (hover != kNone) {
    tooltip(tr, tree, hover);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) st.focus = hover;
  }
  if (area.hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
    st.focus = tree.nodes[st.focus].parent == kNone ? 0 : tree.nodes[st.focus].parent;  // back up
  }
  end_flame_area();
}

}  // namespace vz
