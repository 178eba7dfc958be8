// The per-function statistics table. See stats_table.h.
#include "render/stats_table.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "analysis/search.h"
#include "render/stats_panel.h"
#include "render/theme.h"
#include "render/time_view.h"

namespace vz {
namespace {

// Rebuilds the row order after a sort, filter or data change.
void reorder(const Trace& tr, const RangeStats& stats, StatsTableState& st) {
  st.order.clear();
  for (uint32_t i = 0; i < stats.rows.size(); ++i) {
    if (contains_ignoring_case(tr.str(stats.rows[i].name), st.filter)) st.order.push_back(i);
  }
  auto key = [&](const NameStats& r) -> double {
    switch (st.sort_column) {
      case 1: return double(r.count);
      case 2: return double(r.total);
      case 3: return double(r.self);
      case 4: return r.mean;
      case 5: return double(r.min);
      case 6: return double(r.max);
      default: return 0;
    }
  };
  std::stable_sort(st.order.begin(), st.order.end(), [&](uint32_t a, uint32_t b) {
    const NameStats &x = stats.rows[a], &y = stats.rows[b];
    if (st.sort_column == 0) {
      const int c = tr.str(x.name).compare(tr.str(y.name));
      return st.ascending ? c < 0 : c > 0;
    }
    const double kx = key(x), ky = key(y);
    if (kx != ky) return st.ascending ? kx < ky : kx > ky;
    return a < b;
  });
  st.sorted_for = &stats;
  st.filter_dirty = false;
}

}  // namespace

bool draw_stats_table(const Trace& tr, const RangeStats& stats, StatsTableState& st) {
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16.0f);
  if (ImGui::InputTextWithHint("##filter", "Filter names", st.filter, sizeof st.filter)) st.filter_dirty = true;
  ImGui::SameLine();
  ImGui::TextColored(palette().text_dim, "%s names  \xc2\xb7  %s slices%s", format_count(stats.rows.size()).c_str(),
                     format_count(stats.slices).c_str(), stats.complete ? "" : "  \xc2\xb7  partial");
  if (st.selected != kNoStr) {
    ImGui::SameLine();
    if (ImGui::SmallButton("Clear highlight")) {
      st.selected = kNoStr;
      changed = true;
    }
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                                ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Hideable;
  if (!ImGui::BeginTable("##stats", 7, flags)) return changed;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch, 4.0f);
  ImGui::TableSetupColumn("Count", ImGuiTableColumnFlags_PreferSortDescending, 1.0f);
  ImGui::TableSetupColumn("Total", ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortDescending, 1.6f);
  ImGui::TableSetupColumn("Self", ImGuiTableColumnFlags_PreferSortDescending, 1.6f);
  ImGui::TableSetupColumn("Mean", ImGuiTableColumnFlags_PreferSortDescending, 1.0f);
  ImGui::TableSetupColumn("Min", ImGuiTableColumnFlags_PreferSortDescending, 1.0f);
  ImGui::TableSetupColumn("Max", ImGuiTableColumnFlags_PreferSortDescending, 1.0f);
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsDirty && sort->SpecsCount > 0) {
    st.sort_column = sort->Specs[0].ColumnIndex;
    st.ascending = sort->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    sort->SpecsDirty = false;
    st.filter_dirty = true;
  }
  if (st.filter_dirty || st.sorted_for != &stats) reorder(tr, stats, st);
  // Bars are relative to the largest total shown, so nested time (which adds up past the scope's
  // length) still compares rows at a glance.
  Time largest = 1;
  for (const NameStats& r : stats.rows) largest = std::max(largest, r.total);
  const double scope = double(largest);
  ImGuiListClipper clip;
  clip.Begin(int(st.order.size()));
  while (clip.Step()) {
    for (int k = clip.DisplayStart; k < clip.DisplayEnd; ++k) {
      const NameStats& r = stats.rows[st.order[size_t(k)]];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      // The share of the scope's time, as a faint bar behind the name.
      const ImVec2 p = ImGui::GetCursorScreenPos();
      const float w = ImGui::GetContentRegionAvail().x * float(std::min(1.0, double(r.total) / scope));
      ImGui::GetWindowDrawList()->AddRectFilled(p, ImVec2(p.x + w, p.y + ImGui::GetTextLineHeight()),
                                                to_u32(palette().accent) & 0x40ffffffu);
      // Cut to the cell (its padding included): a longer name is clipped there anyway.
      const float room = ImGui::GetContentRegionAvail().x + ImGui::GetStyle().CellPadding.x * 2.0f;
      const std::string name(fit_text(tr.str(r.name), room));
      ImGui::PushID(int(r.name));
      if (selectable_text(name.empty() ? "(unnamed)" : name, st.selected == r.name,
                          ImGuiSelectableFlags_SpanAllColumns)) {
        st.selected = st.selected == r.name ? kNoStr : r.name;
        changed = true;
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      text_right(format_count(r.count).c_str());
      ImGui::TableNextColumn();
      text_right(format_time_span(double(r.total)).c_str());
      ImGui::TableNextColumn();
      text_right(format_time_span(double(r.self)).c_str());
      ImGui::TableNextColumn();
      text_right(format_time_span(r.mean).c_str());
      ImGui::TableNextColumn();
      text_right(format_time_span(double(r.min)).c_str());
      ImGui::TableNextColumn();
      text_right(format_time_span(double(r.max)).c_str());
    }
  }
  ImGui::EndTable();
  return changed;
}

}  // namespace vz
