// A panel under a top area, split from it by a bar the user drags (the timeline and the panel
// under it; the compared timelines and theirs).
#pragma once

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace vz {

struct SplitPanel {
  float fraction;     // of the height at hand, until the bar is dragged
  float min_em;       // the panel's least height, in font sizes
  float keep_em;      // height left above it, in font sizes, when that can be
  float dragged = 0;  // the height the bar was dragged to; 0: never dragged

  // The panel's height this frame. Until the bar is dragged it is `fraction` of the height at
  // hand, frame by frame (not of the first frame: a window still being sized gives that one
  // another height, and the same screenshot would come out in two layouts).
  float height(float avail_y, float em) {
    float h = dragged > 0 ? dragged : std::round(avail_y * fraction);
    h = std::clamp(h, em * min_em, std::max(em * min_em, avail_y - em * keep_em));
    if (dragged > 0) dragged = h;
    return h;
  }

  // The bar, `bar_h` high, drawn after the top area, over a panel of height `h`: a drag resizes.
  void bar(const char* id, float h, float bar_h) {
    ImGui::InvisibleButton(id, ImVec2(-1, bar_h));
    if (ImGui::IsItemActive()) dragged = h - ImGui::GetIO().MouseDelta.y;
    if (ImGui::IsItemHovered() || ImGui::IsItemActive()) ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeNS);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x, (a.y + b.y) * 0.5f), ImVec2(b.x, (a.y + b.y) * 0.5f),
                                        ImGui::GetColorU32(ImGuiCol_Separator));
  }
};

}  // namespace vz
