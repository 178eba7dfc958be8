// The comparison's diff table. See diff_table.h.
#include "render/diff_table.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analysis/search.h"
#include "render/diff_flame_layout.h"
#include "render/stats_panel.h"
#include "render/text_fit.h"
#include "render/theme.h"
#include "render/time_view.h"

namespace vz {
namespace {

// The value a column sorts by.
double sort_key(const DiffRow& r, int column) {
  switch (column) {
    case 1: return double(r.a.count);
    case 2: return double(r.b.count);
    case 3: return double(r.a.total);
    case 4: return double(r.b.total);
    case 5: return double(r.delta_total);  // signed: descending puts the biggest slowdown first
    case 6: return std::isnan(r.delta_pct) ? 1e300 : r.delta_pct;
    case 7: return double(r.a.self);
    case 8: return double(r.b.self);
    case 9: return double(r.delta_self);
    default: return 0;
  }
}

void reorder(const DiffResult& d, DiffTableState& st) {
  st.order.clear();
  for (uint32_t i = 0; i < d.rows.size(); ++i) {
    if (contains_ignoring_case(d.rows[i].name, st.filter)) st.order.push_back(i);
  }
  std::stable_sort(st.order.begin(), st.order.end(), [&](uint32_t x, uint32_t y) {
    const DiffRow &a = d.rows[x], &b = d.rows[y];
    if (st.sort_column == 0) return st.ascending ? a.name < b.name : a.name > b.name;
    const double ka = sort_key(a, st.sort_column), kb = sort_key(b, st.sort_column);
    if (ka != kb) return st.ascending ? ka < kb : ka > kb;
    return a.name < b.name;
  });
  st.sorted_for = &d;
  st.dirty = false;
}

}  // namespace

std::string diff_row_label(const DiffResult& d, uint32_t row, float room) {
  auto fit = [&](const std::string& s) {
    const std::string_view cut = fit_text(s, room);  // (bounded: a name may be megabytes)
    if (cut.size() == s.size() && ImGui::CalcTextSize(s.data(), s.data() + s.size()).x <= room) return s;
    const float ellipsis = ImGui::CalcTextSize("\xe2\x80\xa6").x;
    size_t n = cut.size();
    while (n > 0 && ImGui::CalcTextSize(cut.data(), cut.data() + n).x + ellipsis > room) {
      --n;
      while (n > 0 && (static_cast<unsigned char>(cut[n]) & 0xC0) == 0x80) --n;  // a code point's start
    }
    return std::string(cut.substr(0, n)) + "\xe2\x80\xa6";
  };
  const DiffRow& r = d.rows[row];
  if (d.by == DiffBy::Name) return fit(r.name);
  // (each frame bounded first: a name may be megabytes, and only what can show is measured)
  auto frame = [&](const std::string& name) { return short_frame(fit_text(name, room + room)); };
  std::string label = frame(r.name);
  const char* sep = " \xe2\x80\xba ";
  for (uint32_t at = r.parent; at != kNone; at = d.rows[at].parent) {
    const std::string more = frame(d.rows[at].name) + sep + label;
    const bool outer = d.rows[at].parent == kNone;
    if (ImGui::CalcTextSize((outer ? more : "\xe2\x80\xa6" + std::string(sep) + more).c_str()).x > room) {
      label = "\xe2\x80\xa6" + std::string(sep) + label;
      break;
    }
    label = more;
  }
  return fit(label);
}

uint32_t diff_row_tint(const DiffRow& r, Time run_total) {
  double pct = r.delta_pct;
  if (r.status == DiffStatus::Added) pct = 100;
  if (r.status == DiffStatus::Removed) pct = -100;
  if (std::isnan(pct) || pct == 0) return 0;
  // A few microseconds in a run of seconds is as red as a doubling without this.
  const double share = run_total > 0 ? std::fabs(double(r.delta_total)) / double(run_total) : 1.0;
  if (share < 0.001) return 0;
  const float k = float(std::min(1.0, std::fabs(pct) / 100.0) * std::min(1.0, share / 0.01));
  const int alpha = int(30 + 110 * k);
  const uint8_t* c = pct > 0 ? kDiffSlower : kDiffFaster;  // the differential flamegraph's ends
  return IM_COL32(c[0], c[1], c[2], alpha);
}

std::string format_delta_pct(double pct) {
  if (std::isnan(pct)) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", pct);
  return buf;
}

bool draw_diff_table(const DiffResult& d, DiffTableState& st) {
  bool changed = false;
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16.0f);
  if (ImGui::InputTextWithHint("##difffilter", "Filter names", st.filter, sizeof st.filter)) st.dirty = true;
  ImGui::SameLine();
  // (filtered: the rows shown, as of the last filtering)
  const std::string shown = st.filter[0] && st.sorted_for == &d ? format_count(st.order.size()) + " of " : "";
  ImGui::TextColored(palette().text_dim, "%s%s rows  \xc2\xb7  red: slower in B  \xc2\xb7  blue: faster in B",
                     shown.c_str(), format_count(d.rows.size()).c_str());
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_Hideable;
  if (!ImGui::BeginTable("##diff", 11, flags)) return changed;
  ImGui::TableSetupScrollFreeze(0, 1);
  const ImGuiTableColumnFlags desc = ImGuiTableColumnFlags_PreferSortDescending;
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch, 3.2f);
  ImGui::TableSetupColumn("Count A", desc, 1.3f);
  ImGui::TableSetupColumn("Count B", desc, 1.3f);
  ImGui::TableSetupColumn("Total A", desc, 1.2f);
  ImGui::TableSetupColumn("Total B", desc, 1.2f);
  ImGui::TableSetupColumn("\xce\x94 total", desc | ImGuiTableColumnFlags_DefaultSort, 1.2f);
  ImGui::TableSetupColumn("\xce\x94%", desc, 0.9f);
  ImGui::TableSetupColumn("Self A", desc, 1.2f);
  ImGui::TableSetupColumn("Self B", desc, 1.2f);
  ImGui::TableSetupColumn("\xce\x94 self", desc, 1.2f);
  ImGui::TableSetupColumn("Status", 0, 1.0f);
  ImGui::TableHeadersRow();
  if (ImGuiTableSortSpecs* sort = ImGui::TableGetSortSpecs(); sort && sort->SpecsDirty && sort->SpecsCount > 0) {
    st.sort_column = sort->Specs[0].ColumnIndex;
    st.ascending = sort->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    sort->SpecsDirty = false;
    st.dirty = true;
  }
  if (st.dirty || st.sorted_for != &d) reorder(d, st);
  ImGuiListClipper clip;
  clip.Begin(int(st.order.size()));
  while (clip.Step()) {
    for (int k = clip.DisplayStart; k < clip.DisplayEnd; ++k) {
      const DiffRow& r = d.rows[st.order[size_t(k)]];
      ImGui::TableNextRow();
      if (const uint32_t tint = diff_row_tint(r, std::max(d.total_a, d.total_b)))
        ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, tint);
      ImGui::TableNextColumn();
      ImGui::PushID(k);
      // The name cut to the cell, with an ellipsis where it is cut.
      const float room = ImGui::GetContentRegionAvail().x;
      const uint32_t row = st.order[size_t(k)];
      const std::string label = diff_row_label(d, row, room);
      const float cell_x1 = ImGui::GetCursorScreenPos().x + room;
      if (selectable_text(label.empty() ? "(unnamed)" : label, st.selected == r.name,
                          ImGuiSelectableFlags_SpanAllColumns)) {
        st.selected = st.selected == r.name ? std::string() : r.name;
        changed = true;
      }
      // The whole name, or by path the whole call path, on hover of the name cell.
      if (ImGui::IsItemHovered() && ImGui::GetIO().MousePos.x < cell_x1) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 50.0f);
        // (a long path keeps its start and its innermost frames: the row's own is last)
        std::string text = d.by == DiffBy::Path ? diff_key(d, row) : r.name;
        if (text.size() > 2000) text = elide_bytes(text, 780) + " " + std::string(utf8_suffix(text, 1200));
        text_colored_bytes(palette().text, text);
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
      }
      ImGui::PopID();
      const std::string cells[] = {format_count(r.a.count), format_count(r.b.count),
                                   format_time_span(double(r.a.total)), format_time_span(double(r.b.total)),
                                   format_time_delta(r.delta_total), format_delta_pct(r.delta_pct),
                                   format_time_span(double(r.a.self)), format_time_span(double(r.b.self)),
                                   format_time_delta(r.delta_self)};
      for (const std::string& c : cells) {
        ImGui::TableNextColumn();
        text_right(c.c_str());
      }
      ImGui::TableNextColumn();
      if (r.status != DiffStatus::Both) {
        ImGui::TextColored(r.status == DiffStatus::Added ? palette().warning : palette().info, "%s",
                           r.status == DiffStatus::Added ? "added" : "removed");
      }
    }
  }
  ImGui::EndTable();
  return changed;
}

}  // namespace vz
