// Drawing pieces shared by the flamegraph panels. See flame_draw.h.
#include "render/flame_draw.h"

#include <algorithm>
#include <cmath>

#include "render/text_fit.h"
#include "render/theme.h"

namespace vz {

ImU32 blend_to_background(ImU32 c, float k) {
  const ImVec4 a = ImGui::ColorConvertU32ToFloat4(c);
  const ImVec4 b = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  return ImGui::ColorConvertFloat4ToU32(
      ImVec4(a.x + (b.x - a.x) * k, a.y + (b.y - a.y) * k, a.z + (b.z - a.z) * k, 1.0f));
}

ImU32 text_color_on(ImU32 fill) {
  const ImVec4 c = ImGui::ColorConvertU32ToFloat4(fill);
  return (0.299f * c.x + 0.587f * c.y + 0.114f * c.z) > 0.55f ? IM_COL32(16, 16, 20, 255) : IM_COL32(240, 240, 240, 255);
}

float flame_row_height() { return std::round(ImGui::GetFontSize() * 1.35f); }

int flame_breadcrumb(const std::vector<std::string>& labels) {
  int clicked = -1;
  for (size_t k = 0; k < labels.size(); ++k) {
    if (k > 0) {
      ImGui::SameLine(0, 4);
      ImGui::TextColored(palette().text_dim, "\xe2\x80\xba");
      ImGui::SameLine(0, 4);
    }
    // Names are shown whole up to 48 bytes, "##" and NUL bytes included (not as ImGui labels).
    const std::string label = elide_bytes(labels[k], 48);
    ImGui::PushID(int(k));
    if (k + 1 == labels.size()) {
      FontScope bold(fonts().bold);
      ImGui::TextUnformatted(label.data(), label.data() + label.size());
    } else if (small_button_text(label)) {
      clicked = int(k);
    }
    ImGui::PopID();
  }
  return clicked;
}

FlameArea begin_flame_area(float width, int min_row, int max_row) {
  FlameArea a;
  a.em = ImGui::GetFontSize();
  a.row_h = flame_row_height();
  a.min_row = min_row;
  ImGui::BeginChild("##flame", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
  a.origin = ImGui::GetCursorScreenPos();
  const float content_h = float(max_row - min_row + 1) * a.row_h;
  ImGui::InvisibleButton("##flame_area", ImVec2(width, std::max(content_h, ImGui::GetContentRegionAvail().y)));
  a.hovered = ImGui::IsItemHovered();
  a.mouse = ImGui::GetIO().MousePos;
  a.dl = ImGui::GetWindowDrawList();
  a.clip_top = ImGui::GetWindowPos().y;
  a.clip_bottom = a.clip_top + ImGui::GetWindowHeight();
  return a;
}

void end_flame_area() { ImGui::EndChild(); }

bool draw_flame_frame(const FlameArea& a, double fx0, double fx1, int row, ImU32 fill, std::string_view label) {
  const float y = a.y_of(row), h = a.row_h;
  const float x0 = a.origin.x + float(fx0), x1 = std::max(a.origin.x + float(fx1), x0 + 1.0f);
  a.dl->AddRectFilled(ImVec2(x0, y + 1), ImVec2(x1 - (x1 - x0 > 3 ? 1.0f : 0.0f), y + h - 1), fill);
  if (x1 - x0 > a.em * 1.5f && !label.empty()) {
    const ImVec4 clip(x0 + 3, y, x1 - 3, y + h);
    // Only what can show before the frame's or the area's right edge (a name may be megabytes).
    const std::string_view shown = fit_text(label, std::min(clip.z, a.dl->GetClipRectMax().x) - (x0 + 4), a.em);
    a.dl->AddText(ImGui::GetFont(), a.em, ImVec2(x0 + 4, y + (h - a.em) * 0.5f - 1), text_color_on(fill),
                  shown.data(), shown.data() + shown.size(), 0, &clip);
  }
  const bool over = a.hovered && a.mouse.x >= x0 && a.mouse.x < x1 && a.mouse.y >= y && a.mouse.y < y + h;
  if (over) a.dl->AddRect(ImVec2(x0, y + 1), ImVec2(x1, y + h - 1), IM_COL32(255, 255, 255, 200), 0, 0, 1.5f);
  return over;
}

}  // namespace vz
