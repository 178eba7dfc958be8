// The flamegraph panel. See flamegraph_view.h.
#include "render/flamegraph_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/search.h"
#include "render/theme.h"
#include "render/time_view.h"
#include "render/timeline.h"
#include "render/view_index.h"

namespace vz {
namespace {

// `c` moved a fraction k towards the window background.
ImU32 blend_to_background(ImU32 c, float k) {
  const ImVec4 a = ImGui::ColorConvertU32ToFloat4(c);
  const ImVec4 b = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k, a.z + (b.z - a.z) * k, 1.0f));
}

std::string node_name(const Trace& tr, const CallTree& tree, uint32_t n) {
  if (n == 0) return "all";
  const std::string_view s = tr.str(tree.nodes[n].name);
  return s.empty() ? std::string("(unnamed)") : std::string(s);
}

void breadcrumb(const Trace& tr, const CallTree& tree, FlamegraphState& st) {
  const std::vector<uint32_t> path = flame_path(tree, st.focus);
  for (size_t k = 0; k < path.size(); ++k) {
    if (k > 0) {
      ImGui::SameLine(0, 4);
      ImGui::TextColored(palette().text_dim, "\xe2\x80\xba");
      ImGui::SameLine(0, 4);
    }
    std::string label = node_name(tr, tree, path[k]);
    if (label.size() > 48) label = label.substr(0, 45) + "...";
    ImGui::PushID(int(k));
    if (k + 1 == path.size()) {
      FontScope bold(fonts().bold);
      ImGui::TextUnformatted(label.c_str());
    } else if (ImGui::SmallButton(label.c_str())) {
      st.focus = path[k];
    }
    ImGui::PopID();
  }
}

void tooltip(const Trace& tr, const CallTree& tree, uint32_t n) {
  const CallNode& node = tree.nodes[n];
  const double root = double(std::max<Time>(tree.root().total, 1));
  ImGui::BeginTooltip();
  {
    FontScope bold(fonts().bold);
    ImGui::TextUnformatted(node_name(tr, tree, n).c_str());
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
  const float em = ImGui::GetFontSize();
  const float row_h = std::round(em * 1.35f);
  const float width = std::max(ImGui::GetContentRegionAvail().x, 16.0f);
  const std::vector<FlameFrame> frames = layout_flamegraph(tree, st.focus, width, 0.5);
  int min_row = 0, max_row = 0;
  for (const FlameFrame& f : frames) {
    min_row = std::min(min_row, f.row);
    max_row = std::max(max_row, f.row);
  }
  ImGui::BeginChild("##flame", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float content_h = float(max_row - min_row + 1) * row_h;
  ImGui::InvisibleButton("##flame_area", ImVec2(width, std::max(content_h, ImGui::GetContentRegionAvail().y)));
  const bool hovered = ImGui::IsItemHovered();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const bool search = !highlight.empty();
  uint32_t hover = kNone;
  st.frames_drawn = 0;
  const float clip_top = ImGui::GetWindowPos().y, clip_bottom = clip_top + ImGui::GetWindowHeight();
  for (const FlameFrame& f : frames) {
    const float y = origin.y + float(f.row - min_row) * row_h;
    if (y + row_h < clip_top || y > clip_bottom) continue;
    const float x0 = origin.x + float(f.x0), x1 = std::max(origin.x + float(f.x1), x0 + 1.0f);
    const CallNode& n = tree.nodes[f.node];
    const std::string_view name = f.node == 0 ? std::string_view("all") : tr.str(n.name);
    const ImU32 root_col = current_theme() == ThemeKind::Dark ? IM_COL32(84, 92, 110, 255) : IM_COL32(176, 182, 196, 255);
    ImU32 col = f.node == 0 ? root_col : hash_color(name_hash(name));
    const bool ancestor = f.row < 0;
    if (search && !contains_ignoring_case(name, highlight)) {
      col = blend_to_background(col, 0.75f);  // not a match: fade
    } else if (ancestor) {
      col = blend_to_background(col, 0.45f);  // above the focus: context, not content
    }
    dl->AddRectFilled(ImVec2(x0, y + 1), ImVec2(x1 - (x1 - x0 > 3 ? 1.0f : 0.0f), y + row_h - 1), col);
    if (x1 - x0 > em * 1.5f) {
      const ImVec4 clip(x0 + 3, y, x1 - 3, y + row_h);
      const ImVec4 cv = ImGui::ColorConvertU32ToFloat4(col);
      const ImU32 tc = (0.299f * cv.x + 0.587f * cv.y + 0.114f * cv.z) > 0.55f ? IM_COL32(16, 16, 20, 255)
                                                                                : IM_COL32(240, 240, 240, 255);
      const std::string label = f.node == 0 ? "all  " + format_time_span(double(n.total)) : std::string(name);
      dl->AddText(ImGui::GetFont(), em, ImVec2(x0 + 4, y + (row_h - em) * 0.5f - 1), tc, label.data(),
                  label.data() + label.size(), 0, &clip);
    }
    if (hovered && mouse.x >= x0 && mouse.x < x1 && mouse.y >= y && mouse.y < y + row_h) {
      hover = f.node;
      dl->AddRect(ImVec2(x0, y + 1), ImVec2(x1, y + row_h - 1), IM_COL32(255, 255, 255, 200), 0, 0, 1.5f);
    }
    st.frames_drawn++;
  }
  st.hovered = hover;
  if (hover != kNone) {
    tooltip(tr, tree, hover);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) st.focus = hover;
  }
  if (hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right)) {
    st.focus = tree.nodes[st.focus].parent == kNone ? 0 : tree.nodes[st.focus].parent;  // back up
  }
  ImGui::EndChild();
}

}  // namespace vz
