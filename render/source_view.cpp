// The source widget. See source_view.h.
#include "render/source_view.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <imgui.h>

#include "render/stats_panel.h"
#include "render/theme.h"

namespace vz {

void SourceViewState::reset() {
  cache.clear();
  trace = nullptr;
  name.clear();
  location = SourceLocation();
  scroll_frames = 0;
}

namespace {

// Lines shown when the caller leaves the height to us.
constexpr int kDefaultVisibleLines = 24;
// Frames in which the highlighted line is scrolled into view (the first frame of a new child
// window does not know its content height yet).
constexpr int kScrollFrames = 2;

// Looks the location up again when the trace or the name changed.
void update_location(const Trace& trace, std::string_view name, SourceViewState& st) {
  if (st.trace == &trace && st.name == name) return;
  if (st.trace != &trace) st.cache.clear();
  st.trace = &trace;
  st.name.assign(name);
  st.location = find_source(trace, name);
  st.scroll_frames = kScrollFrames;
}

// "path:line" in the mono font.
void draw_header(const SourceLocation& loc) {
  FontScope mono(fonts().mono);
  ImGui::PushTextWrapPos(0.0f);
  if (loc.line > 0) {
    ImGui::Text("%s:%" PRId64, loc.path.c_str(), loc.line);
  } else {
    ImGui::TextUnformatted(loc.path.c_str());
  }
  ImGui::PopTextWrapPos();
}

// The code area: line numbers, text, the function's line on an accent band.
void draw_code(const SourceLines& lines, int64_t line, float height, SourceViewState& st) {
  FontScope mono(fonts().mono);
  const float line_h = ImGui::GetTextLineHeight();
  if (height <= 0.0f) {
    const int shown = int(std::min<size_t>(lines.size(), kDefaultVisibleLines));
    height = line_h * float(shown) + ImGui::GetStyle().WindowPadding.y * 2.0f +
             ImGui::GetStyle().ScrollbarSize;
  }
  ImGui::PushStyleColor(ImGuiCol_ChildBg, palette().card_bg);
  ImGui::BeginChild("##source_code", ImVec2(0, height), true, ImGuiWindowFlags_HorizontalScrollbar);
  ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(ImGui::GetStyle().ItemSpacing.x, 0.0f));
  const bool in_range = line >= 1 && uint64_t(line) <= lines.size();
  if (in_range && st.scroll_frames > 0) {
    const float target = float(line - 1) * line_h - ImGui::GetWindowHeight() * 0.3f;
    ImGui::SetScrollY(std::max(0.0f, target));
    --st.scroll_frames;
  }
  char digits[24];
  const int width = std::snprintf(digits, sizeof digits, "%zu", lines.size());
  const float char_w = ImGui::CalcTextSize("0").x;
  const float gutter = ImGui::GetCursorPosX() + char_w * float(width + 2);
  // The widest line sets the horizontal extent, though only visible lines are drawn.
  ImGui::Dummy(ImVec2(gutter + char_w * float(lines.max_width + 1), 0.0f));
  const float band_w = std::max(ImGui::GetWindowWidth(), gutter + char_w * float(lines.max_width + 2));
  ImGuiListClipper clipper;
  clipper.Begin(int(lines.size()), line_h);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ImVec2 row = ImGui::GetCursorScreenPos();
      const bool hot = in_range && i == line - 1;
      if (hot) {
        const ImVec4& a = palette().accent;
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(ImGui::GetWindowPos().x, row.y),
                                                  ImVec2(ImGui::GetWindowPos().x + band_w, row.y + line_h),
                                                  to_u32(ImVec4(a.x, a.y, a.z, 0.28f)));
      }
      std::snprintf(digits, sizeof digits, "%*d", width, i + 1);
      ImGui::TextColored(hot ? palette().text : palette().text_dim, "%s", digits);
      ImGui::SameLine(gutter);
      const std::string_view s = lines.line(size_t(i));
      ImGui::TextUnformatted(s.data(), s.data() + s.size());
    }
  }
  ImGui::PopStyleVar();
  ImGui::EndChild();
  ImGui::PopStyleColor();
}

}  // namespace

void draw_source(const Trace& trace, std::string_view slice_name, SourceViewState& state, float height) {
  if (!has_file_info(trace)) return;
  update_location(trace, slice_name, state);
  const SourceLocation& loc = state.location;
  const Palette& p = palette();
  if (!loc.found) {
    ImGui::TextColored(p.text_dim, "No source location for this function.");
    return;
  }
  draw_header(loc);
  const SourceLines* lines = loc.file == kNone ? nullptr : state.cache.get(trace, loc.file);
  if (!lines) {
    ImGui::TextColored(p.text_dim, "The trace does not include this file's source.");
    return;
  }
  if (lines->size() == 0) {
    ImGui::TextColored(p.text_dim, "The trace lists this file, but its source is empty.");
    return;
  }
  if (lines->bad_escape) ImGui::TextColored(p.warning, "The source has a malformed escape; shown undecoded.");
  if (loc.line < 1 || uint64_t(loc.line) > lines->size())
    ImGui::TextColored(p.warning, "Line %" PRId64 " is outside the file (%s lines).", loc.line,
                       format_count(lines->size()).c_str());
  ImGui::PushID(&state);
  draw_code(*lines, loc.line, height, state);
  ImGui::PopID();
}

}  // namespace vz
