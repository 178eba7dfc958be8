// The differential flamegraph panel. See diff_flame_view.h.
#include "render/diff_flame_view.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "analysis/search.h"
#include "render/diff_table.h"
#include "render/flame_draw.h"
#include "render/text_fit.h"
#include "render/stats_panel.h"
#include "render/theme.h"
#include "render/time_view.h"

namespace vz {
namespace {

// (Re)builds the index when the result, its size or the width side changed since last frame.
void ensure_index(const DiffResult& r, DiffFlameState& st) {
  const bool same = st.indexed == &r && st.indexed_rows == r.rows.size();
  if (same && st.index.width_from_b == st.options.width_from_b && st.index.nodes() == r.rows.size() + 1) return;
  if (!same) st.focus = 0;
  st.index = build_diff_flame_index(r, st.options.width_from_b);
  st.indexed = &r;
  st.indexed_rows = r.rows.size();
}

// Explains a toolbar control when hovered.
void hint(const char* text) {
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", text);
}

// The colour strip: red ("slower") on the left through grey to blue ("faster") on the right.
void legend() {
  const bool dark = current_theme() == ThemeKind::Dark;
  ImGui::TextColored(palette().text_dim, "slower");
  ImGui::SameLine();
  const float em = ImGui::GetFontSize(), w = em * 8.0f, h = em * 0.8f;
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float y = p.y + (ImGui::GetFrameHeight() - h) * 0.5f;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 red = diff_flame_color(1, dark), grey = diff_flame_color(0, dark), blue = diff_flame_color(-1, dark);
  dl->AddRectFilledMultiColor(ImVec2(p.x, y), ImVec2(p.x + w / 2, y + h), red, grey, grey, red);
  dl->AddRectFilledMultiColor(ImVec2(p.x + w / 2, y), ImVec2(p.x + w, y + h), grey, blue, blue, grey);
  ImGui::Dummy(ImVec2(w, ImGui::GetFrameHeight()));
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, "faster");
}

void toolbar(DiffFlameState& st) {
  DiffFlameOptions& o = st.options;
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(palette().text_dim, "Width");
  ImGui::SameLine();
  if (ImGui::RadioButton("B##w", o.width_from_b)) o.width_from_b = true;
  hint("Frame widths from run B's times (functions only in A have no width)");
  ImGui::SameLine();
  if (ImGui::RadioButton("A##w", !o.width_from_b)) o.width_from_b = false;
  hint("Frame widths from run A's times (functions only in B have no width)");
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
  ImGui::TextColored(palette().text_dim, "Colour");
  ImGui::SameLine();
  if (ImGui::RadioButton("\xce\x94 self", o.by_self)) o.by_self = true;
  hint("Compare the time spent in each frame itself, not in its callees");
  ImGui::SameLine();
  if (ImGui::RadioButton("\xce\x94 total", !o.by_self)) o.by_self = false;
  hint("Compare each frame's total time, callees included");
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
  int scale = int(o.scale);
  ImGui::RadioButton("Normalised", &scale, int(DiffScale::Normalised));
  hint("Relative change against the run's typical change (the median over function names of self\n"
       "time B/A; each function counts once, so a run that is uniformly slower stays neutral and a\n"
       "hotspot that got slower is red however much of the time it holds)");
  ImGui::SameLine();
  ImGui::RadioButton("Absolute", &scale, int(DiffScale::Absolute));
  hint("Relative change against no change: anything slower in B is red");
  ImGui::SameLine();
  ImGui::RadioButton("By share of total", &scale, int(DiffScale::Share));
  hint("Change in each frame's share of its run's total time (10 points or more: full colour)");
  o.scale = DiffScale(scale);
  ImGui::SameLine(0, ImGui::GetFontSize() * 1.2f);
  legend();
}

// "+ name" for a function only in B, "− name" for one only in A.
std::string frame_label(const DiffResult& r, const DiffFlameIndex& ix, uint32_t node) {
  if (node == 0) return "all  " + format_time_span(double(diff_flame_width_total(r, ix, 0)));
  const DiffStatus s = diff_flame_status(r, node);
  const std::string name = diff_flame_name(r, node);
  return s == DiffStatus::Added ? "+ " + name : s == DiffStatus::Removed ? "\xe2\x88\x92 " + name : name;
}

// One row of the tooltip's table: label, A, B, Δ, Δ%.
void tooltip_row(const char* label, const std::string& a, const std::string& b, const std::string& d,
                 const std::string& pct) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::TextColored(palette().text_dim, "%s", label);
  for (const std::string* s : {&a, &b, &d, &pct}) {
    ImGui::TableNextColumn();
    text_right(s->c_str());
  }
}

void tooltip(const DiffResult& r, const DiffFlameState& st, uint32_t n) {
  const DiffFlameIndex& ix = st.index;
  const DiffSums a = diff_flame_sums(r, ix, n, false), b = diff_flame_sums(r, ix, n, true);
  const DiffStatus status = diff_flame_status(r, n);
  const bool in_a = status != DiffStatus::Added;
  ImGui::BeginTooltip();
  {
    FontScope bold(fonts().bold);
    text_long(diff_flame_name(r, n), ImGui::GetFontSize() * 40.0f);
  }
  if (status != DiffStatus::Both) {
    ImGui::SameLine();
    ImGui::TextColored(status == DiffStatus::Added ? palette().warning : palette().info, "%s",
                       status == DiffStatus::Added ? "only in B (added)" : "only in A (removed)");
  }
  if (n != 0) {
    std::string path = diff_key(r, diff_flame_row(n));
    if (path.size() > 120) path = "..." + std::string(utf8_suffix(path, 117));  // its tail
    text_colored_bytes(palette().text_dim, path);  // (byte for byte: a NUL in a name shows)
  }
  if (ImGui::BeginTable("##difftip", 5, ImGuiTableFlags_SizingFixedFit)) {
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn("A");
    ImGui::TableSetupColumn("B");
    ImGui::TableSetupColumn("\xce\x94");
    ImGui::TableSetupColumn("\xce\x94%");
    ImGui::TableHeadersRow();
    tooltip_row("Total", format_time_span(double(a.total), 4), format_time_span(double(b.total), 4),
                format_time_delta(b.total - a.total), format_delta_pct(diff_pct(a.total, b.total, in_a)));
    tooltip_row("Self", format_time_span(double(a.self), 4), format_time_span(double(b.self), 4),
                format_time_delta(b.self - a.self), format_delta_pct(diff_pct(a.self, b.self, in_a)));
    const long long dc = (long long)b.count - (long long)a.count;
    tooltip_row("Calls", format_count(a.count), format_count(b.count), (dc > 0 ? "+" : "") + std::to_string(dc), "");
    ImGui::EndTable();
  }
  const DiffFlameOptions& o = st.options;
  const float v = diff_flame_value(r, ix, n, o);
  const char* scale = o.scale == DiffScale::Normalised ? "normalised" : o.scale == DiffScale::Absolute ? "absolute"
                                                                                                         : "share of total";
  ImGui::TextColored(palette().text_dim, "Colour %+.2f  (\xce\x94 %s, %s", double(v), o.by_self ? "self" : "total", scale);
  if (o.scale == DiffScale::Normalised) {
    ImGui::SameLine(0, 0);
    ImGui::TextColored(palette().text_dim, "; typical change \xc3\x97%.3g", ix.typical_ratio);
  }
  ImGui::SameLine(0, 0);
  ImGui::TextColored(palette().text_dim, ")");
  // Why a changed frame is grey: its change is noise at the run's scale.
  const Time da = o.by_self ? a.self : a.total, db = o.by_self ? b.self : b.total;
  if (v == 0.0f && da != db && n != 0) {
    const double run = double(std::max(r.total_a, r.total_b));
    if (std::fabs(double(db) - double(da)) < o.noise_share * run)
      ImGui::TextColored(palette().text_dim, "Grey: its \xce\x94 %s is under %.1f%% of the run (%s), as noise",
                         o.by_self ? "self" : "total", o.noise_share * 100.0, format_time_span(run * o.noise_share, 3).c_str());
  }
  ImGui::EndTooltip();
}

// The fill of a frame: its colour value's colour, faded when it is context or not a search match.
ImU32 frame_fill(const DiffResult& r, const DiffFlameState& st, const DiffFlameFrame& f, const std::string& highlight) {
  const ImU32 col = diff_flame_color(diff_flame_value(r, st.index, f.node, st.options), current_theme() == ThemeKind::Dark);
  const std::string_view name = f.node == 0 ? std::string_view("all") : std::string_view(r.rows[diff_flame_row(f.node)].name);
  if (!highlight.empty() && !contains_ignoring_case(name, highlight))
    return blend_to_background(col, 0.75f);  // not a match: fade
  if (f.row < 0) return blend_to_background(col, 0.45f);  // above the focus: context, not content
  return col;
}

}  // namespace

void draw_diff_flamegraph(const DiffResult& r, DiffFlameState& st, const std::string& highlight) {
  if (r.by != DiffBy::Path) {
    ImGui::TextColored(palette().text_dim, "The differential flamegraph needs a comparison by call path.");
    return;
  }
  toolbar(st);
  ensure_index(r, st);
  const DiffFlameIndex& ix = st.index;
  if (st.focus >= ix.nodes()) st.focus = 0;
  const std::vector<uint32_t> path = diff_flame_path(ix, st.focus);
  std::vector<std::string> labels;
  for (uint32_t n : path) labels.push_back(diff_flame_name(r, n));
  if (const int k = flame_breadcrumb(labels); k >= 0) st.focus = path[size_t(k)];

  const float width = std::max(ImGui::GetContentRegionAvail().x, 16.0f);
  const std::vector<DiffFlameFrame> frames = layout_diff_flamegraph(r, ix, st.focus, width, 0.5);
  int min_row = 0, max_row = 0;
  for (const DiffFlameFrame& f : frames) {
    min_row = std::min(min_row, f.row);
    max_row = std::max(max_row, f.row);
  }
  const FlameArea area = begin_flame_area(width, min_row, max_row);
  st.graph_x = area.origin.x;
  st.graph_y = area.origin.y;
  st.graph_w = width;
  st.row_h = area.row_h;
  st.min_row = min_row;
  uint32_t hover = kNone;
  st.frames_drawn = 0;
  for (const DiffFlameFrame& f : frames) {
    if (!area.visible(f.row)) continue;
    if (draw_flame_frame(area, f.x0, f.x1, f.row, frame_fill(r, st, f, highlight), frame_label(r, ix, f.node)))
      hover = f.node;
    st.frames_drawn++;
  }
  st.hovered = hover;
  if (hover != kNone) {
    tooltip(r, st, hover);
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) st.focus = hover;
  }
  if (area.hovered && ImGui::IsMouseClicked(ImGuiMouseButton_Right) && st.focus != 0) {
    st.focus = ix.parent[st.focus];  // back up
  }
  end_flame_area();
}

}  // namespace vz
