// The in-app Open dialog. See file_browser.h.
//
// Sections
//   1. Small drawing helpers (icons, buttons)
//   2. State changes (navigate, select, activate)
//   3. The dialog's parts: toolbar and breadcrumb, path box, sidebar, table, footer, keys
//   4. open_file_browser / draw_file_browser
#include "render/file_browser.h"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>

#include "render/theme.h"

namespace vz {
namespace {

constexpr const char* kTitle = "Open trace";
constexpr const char* kTraceFilter = "Trace files (.json, .json.gz, .gz, .vzt)";
constexpr const char* kAllFilter = "All files";

// ---------------------------------------------------------------------------------------------
// 1. Drawing helpers
// ---------------------------------------------------------------------------------------------

ImVec4 with_alpha(ImVec4 c, float a) { return ImVec4(c.x, c.y, c.z, a); }

// A folder glyph in an s×s box at p: a tab and a body.
void folder_icon(ImDrawList* dl, ImVec2 p, float s, ImU32 col) {
  const float r = s * 0.1f;
  dl->AddRectFilled(ImVec2(p.x + s * 0.06f, p.y + s * 0.16f), ImVec2(p.x + s * 0.48f, p.y + s * 0.4f), col, r);
  dl->AddRectFilled(ImVec2(p.x + s * 0.06f, p.y + s * 0.28f), ImVec2(p.x + s * 0.94f, p.y + s * 0.84f), col, r);
}

// A page glyph with a folded corner; trace files get three flame-chart bars inside.
void file_icon(ImDrawList* dl, ImVec2 p, float s, ImU32 col, bool trace, ImU32 bars) {
  const float x0 = p.x + s * 0.2f, x1 = p.x + s * 0.8f, y0 = p.y + s * 0.08f, y1 = p.y + s * 0.92f;
  const float f = s * 0.22f, t = std::max(1.0f, s / 14.0f);
  const ImVec2 outline[5] = {ImVec2(x0, y0), ImVec2(x1 - f, y0), ImVec2(x1, y0 + f), ImVec2(x1, y1), ImVec2(x0, y1)};
  dl->AddPolyline(outline, 5, col, ImDrawFlags_Closed, t);
  dl->AddLine(ImVec2(x1 - f, y0), ImVec2(x1 - f, y0 + f), col, t);
  dl->AddLine(ImVec2(x1 - f, y0 + f), ImVec2(x1, y0 + f), col, t);
  if (!trace) return;
  const float h = s * 0.1f, bx = x0 + s * 0.12f, w = x1 - x0 - s * 0.24f;
  dl->AddRectFilled(ImVec2(bx, y0 + s * 0.38f), ImVec2(bx + w, y0 + s * 0.38f + h), bars);
  dl->AddRectFilled(ImVec2(bx, y0 + s * 0.52f), ImVec2(bx + w * 0.7f, y0 + s * 0.52f + h), bars);
  dl->AddRectFilled(ImVec2(bx + w * 0.15f, y0 + s * 0.66f), ImVec2(bx + w * 0.45f, y0 + s * 0.66f + h), bars);
}

// Draws the icon for `e` at the cursor and advances past it (plus a small gap).
void entry_icon(const FileEntry& e) {
  const Palette& p = palette();
  const float s = ImGui::GetTextLineHeight();
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  if (e.kind == EntryKind::Directory) {
    folder_icon(dl, at, s, to_u32(with_alpha(p.warning, 0.85f)));
  } else {
    const ImVec4 outline = e.trace ? p.text : p.text_dim;
    file_icon(dl, at, s, to_u32(with_alpha(outline, 0.8f)), e.trace, to_u32(p.accent));
  }
  ImGui::Dummy(ImVec2(s, s));
  ImGui::SameLine(0, s * 0.45f);
}

// A button in the accent colour, for the action the dialog suggests.
bool primary_button(const char* label, ImVec2 size) {
  const ImVec4 a = palette().accent;
  ImGui::PushStyleColor(ImGuiCol_Button, a);
  ImGui::PushStyleColor(ImGuiCol_ButtonHovered,
                        ImVec4(std::min(1.0f, a.x * 1.15f), std::min(1.0f, a.y * 1.15f), std::min(1.0f, a.z * 1.1f), 1));
  ImGui::PushStyleColor(ImGuiCol_ButtonActive, ImVec4(a.x * 0.85f, a.y * 0.85f, a.z * 0.85f, 1));
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1, 1, 1, 1));
  const bool pressed = ImGui::Button(label, size);
  ImGui::PopStyleColor(4);
  return pressed;
}

// A button with no frame until hovered, for breadcrumb segments: `text` (a folder's name) shown
// as it is, under a fixed ID (push one per segment).
bool flat_button(std::string_view text, bool current) {
  const Palette& p = palette();
  ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0, 0, 0, 0));
  ImGui::PushStyleColor(ImGuiCol_Text, current ? p.text : p.text_dim);
  const bool pressed = button_text(text);
  ImGui::PopStyleColor(2);
  return pressed;
}

bool key_pressed(ImGuiKey key) { return ImGui::IsKeyPressed(ImGui::GetKeyIndex(key)); }

// ---------------------------------------------------------------------------------------------
// 2. State changes
// ---------------------------------------------------------------------------------------------

// Re-applies the view to the listing, keeping the selected entry (by name) selected.
void refresh_rows(FileBrowserState& s) {
  const std::string keep = s.selected >= 0 && s.selected < int(s.rows.size()) ? s.rows[size_t(s.selected)].name : "";
  s.rows = view_entries(s.listing.entries, s.view);
  s.selected = -1;
  for (size_t i = 0; i < s.rows.size() && !keep.empty(); ++i) {
    if (s.rows[i].name == keep) s.selected = int(i);
  }
}

// Selects the row named `name`, if it is shown.
void select_name(FileBrowserState& s, const std::string& name) {
  for (size_t i = 0; i < s.rows.size(); ++i) {
    if (s.rows[i].name == name) {
      s.selected = int(i);
      s.scroll_to_selected = true;
      return;
    }
  }
}

// Goes to the parent folder and selects the folder we came from.
void go_up(FileBrowserState& s) {
  if (s.dir == "/") return;
  const std::string from = path_name(s.dir);
  file_browser_navigate(s, parent_path(s.dir));
  select_name(s, from);
}

// Opens row `i`: a folder is entered; a file is chosen (returns true with *chosen set).
bool activate(FileBrowserState& s, int i, std::string* chosen) {
  if (i < 0 || i >= int(s.rows.size())) return false;
  const FileEntry& e = s.rows[size_t(i)];
  const std::string path = join_path(s.dir, e.name);
  if (e.kind == EntryKind::Directory) {
    file_browser_navigate(s, path);
    return false;
  }
  if (e.kind == EntryKind::Other) {
    s.typed_error = e.name + " is not a regular file";
    return false;
  }
  *chosen = path;
  return true;
}

// Acts on the typed path: a folder is entered, a file chosen, anything else reported.
bool submit_typed(FileBrowserState& s, std::string* chosen) {
  const ResolvedPath r = resolve_typed_path(s.typed, s.dir, s.home);
  if (r.path.empty()) return activate(s, s.selected, chosen);
  switch (r.kind) {
    case PathKind::Directory:
      file_browser_navigate(s, r.path);
      s.typed[0] = 0;
      return false;
    case PathKind::File:
      *chosen = r.path;
      return true;
    case PathKind::Other:
      s.typed_error = r.path + " is not a regular file";
      return false;
    case PathKind::Missing:
      s.typed_error = "No such file or folder: " + r.path;
      return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// 3. The dialog's parts
// ---------------------------------------------------------------------------------------------

// The breadcrumb, elided from the left ("…") when it does not fit in `avail` pixels.
void draw_breadcrumb(FileBrowserState& s, float avail) {
  const std::vector<Crumb> crumbs = breadcrumbs(s.dir);
  const ImGuiStyle& st = ImGui::GetStyle();
  const float sep_w = ImGui::CalcTextSize("\xe2\x80\xba").x + st.ItemSpacing.x * 2;
  const float dots_w = ImGui::CalcTextSize("\xe2\x80\xa6").x + st.FramePadding.x * 2 + sep_w;
  size_t first = 0;
  float total = 0;
  auto text_w = [](const std::string& s) { return ImGui::CalcTextSize(s.data(), s.data() + s.size()).x; };
  for (const Crumb& c : crumbs) total += text_w(c.label) + st.FramePadding.x * 2 + sep_w;
  while (first + 1 < crumbs.size() && total + (first > 0 ? dots_w : 0) > avail) {
    total -= text_w(crumbs[first].label) + st.FramePadding.x * 2 + sep_w;
    ++first;
  }
  std::string target;
  if (first > 0) {
    ImGui::PushID("elided");
    if (flat_button("\xe2\x80\xa6", false)) target = crumbs[first - 1].path;
    ImGui::PopID();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", crumbs[first - 1].path.c_str());
    ImGui::SameLine();
    ImGui::TextColored(palette().text_dim, "\xe2\x80\xba");
    ImGui::SameLine();
  }
  for (size_t i = first; i < crumbs.size(); ++i) {
    ImGui::PushID(int(i));
    const bool last = i + 1 == crumbs.size();
    FontScope bold(last ? fonts().bold : nullptr);
    if (flat_button(crumbs[i].label, last) && !last) target = crumbs[i].path;
    ImGui::PopID();
    if (!last) {
      ImGui::SameLine();
      ImGui::TextColored(palette().text_dim, "\xe2\x80\xba");
      ImGui::SameLine();
    }
  }
  if (!target.empty()) file_browser_navigate(s, target);
}

// Up, Home and Refresh, then the breadcrumb.
void draw_toolbar(FileBrowserState& s) {
  const float em = ImGui::GetFontSize();
  ImGui::BeginDisabled(s.dir == "/");
  if (ImGui::Button("\xe2\x86\x91", ImVec2(em * 2.0f, 0))) go_up(s);
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Parent folder (Backspace)");
  ImGui::EndDisabled();
  ImGui::SameLine();
  if (ImGui::Button("Home")) file_browser_navigate(s, s.home);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", s.home.c_str());
  ImGui::SameLine();
  if (ImGui::Button("Refresh")) {
    const std::string keep = s.selected >= 0 ? s.rows[size_t(s.selected)].name : "";
    file_browser_navigate(s, s.dir);
    select_name(s, keep);
  }
  ImGui::SameLine(0, em * 0.8f);
  draw_breadcrumb(s, ImGui::GetContentRegionAvail().x);
}

// The typed-path box. Returns true when Enter chose a file.
bool draw_path_box(FileBrowserState& s, std::string* chosen, bool* typing) {
  ImGui::SetNextItemWidth(-1);
  const bool enter = ImGui::InputTextWithHint(
      "##typed", "Type a path and press Enter  (~ is your home folder)", s.typed, sizeof(s.typed),
      ImGuiInputTextFlags_EnterReturnsTrue | ImGuiInputTextFlags_AutoSelectAll);
  *typing = ImGui::IsItemActive();
  if (ImGui::IsItemEdited()) s.typed_error.clear();
  return enter && submit_typed(s, chosen);
}

// One place in the sidebar; highlighted when it is the folder shown.
void place(FileBrowserState& s, const char* label, const std::string& dir) {
  if (ImGui::Selectable(label, s.dir == dir)) file_browser_navigate(s, dir);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", dir.c_str());
}

// A small dim heading for a sidebar section.
void sidebar_heading(const char* text) {
  ImGui::Spacing();
  FontScope bold(fonts().bold);
  ImGui::TextColored(palette().text_dim, "%s", text);
}

// Places and recent files. A click on a recent file shows it in its folder; a double-click
// opens it. Returns true when a recent file was chosen.
bool draw_sidebar(FileBrowserState& s, const std::vector<std::string>& recent, std::string* chosen) {
  sidebar_heading("Places");
  place(s, "Home", s.home);
  place(s, "Computer", "/");
  if (s.start_cwd != s.home && s.start_cwd != "/") place(s, "Working folder", s.start_cwd);
  sidebar_heading("Recent");
  if (recent.empty()) ImGui::TextColored(palette().text_dim, "Nothing opened yet");
  bool picked = false;
  for (size_t i = 0; i < recent.size(); ++i) {
    const std::string& path = recent[i];
    const bool exists = path_kind(path) == PathKind::File;
    ImGui::PushID(int(i));
    ImGui::BeginDisabled(!exists);
    // The file's name as it is ("##" would hide the rest of a label), cut to the sidebar.
    const std::string label = path_name(path) + (exists ? "" : "  (missing)");
    if (selectable_text(fit_text(label, ImGui::GetContentRegionAvail().x), false, ImGuiSelectableFlags_AllowDoubleClick)) {
      if (ImGui::IsMouseDoubleClicked(0)) {
        *chosen = path;
        picked = true;
      } else {
        file_browser_navigate(s, parent_path(path));
        select_name(s, path_name(path));
      }
    }
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
      ImGui::SetTooltip("%s%s", path.c_str(), exists ? "\nDouble-click to open" : "\nThis file no longer exists");
    }
    ImGui::EndDisabled();
    ImGui::PopID();
  }
  return picked;
}

// Applies a click on the table's headers to the view.
void apply_sort_specs(FileBrowserState& s) {
  ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
  if (!specs || !specs->SpecsDirty) return;
  if (specs->SpecsCount > 0) {
    const ImGuiTableColumnSortSpecs& c = specs->Specs[0];
    s.view.key = c.ColumnUserID == 1 ? SortKey::Size : c.ColumnUserID == 2 ? SortKey::Modified : SortKey::Name;
    s.view.descending = c.SortDirection == ImGuiSortDirection_Descending;
  }
  refresh_rows(s);
  specs->SpecsDirty = false;
}

// Scrolls the table so the row just drawn is fully visible below the frozen header row.
void keep_row_visible(float header_h) {
  const float top = ImGui::GetWindowPos().y + header_h, bottom = ImGui::GetWindowPos().y + ImGui::GetWindowHeight();
  const float y0 = ImGui::GetItemRectMin().y, y1 = ImGui::GetItemRectMax().y;
  if (y0 < top) ImGui::SetScrollY(ImGui::GetScrollY() - (top - y0));
  else if (y1 > bottom) ImGui::SetScrollY(ImGui::GetScrollY() + (y1 - bottom));
}

// One row of the table. Returns true when it was double-clicked.
bool draw_row(FileBrowserState& s, int i, int64_t now, float header_h) {
  const FileEntry& e = s.rows[size_t(i)];
  const Palette& p = palette();
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::PushID(i);
  const bool selected = i == s.selected;
  bool opened = false;
  const ImVec2 start = ImGui::GetCursorPos();  // the icon and name are drawn over the selectable
  const ImGuiSelectableFlags flags = ImGuiSelectableFlags_SpanAllColumns | ImGuiSelectableFlags_AllowDoubleClick |
                                     ImGuiSelectableFlags_AllowItemOverlap;
  if (ImGui::Selectable("##row", selected, flags)) {
    s.selected = i;
    opened = ImGui::IsMouseDoubleClicked(0);
  }
  if (selected && s.scroll_to_selected) {
    keep_row_visible(header_h);
    s.scroll_to_selected = false;
  }
  if (e.link && ImGui::IsItemHovered()) ImGui::SetTooltip("Symbolic link");
  ImGui::SetCursorPos(start);
  entry_icon(e);
  const ImVec4 color = e.kind == EntryKind::Other ? p.warning : (e.kind == EntryKind::Directory || e.trace) ? p.text : p.text_dim;
  ImGui::TextColored(color, "%s", e.name.c_str());
  ImGui::TableNextColumn();
  if (e.kind == EntryKind::File) {
    const std::string size = format_file_size(e.size);
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x - ImGui::CalcTextSize(size.c_str()).x);
    ImGui::TextColored(p.text_dim, "%s", size.c_str());
  }
  ImGui::TableNextColumn();
  ImGui::TextColored(p.text_dim, "%s", format_mtime(e.mtime, now).c_str());
  ImGui::PopID();
  return opened;
}

// The listing: a sortable table, or the folder's error, or an "empty" note.
bool draw_table(FileBrowserState& s, std::string* chosen) {
  const Palette& p = palette();
  const float em = ImGui::GetFontSize();
  if (!s.listing.error.empty() && s.listing.entries.empty()) {
    ImGui::Dummy(ImVec2(0, em));
    ImGui::PushStyleColor(ImGuiCol_Text, p.error);
    ImGui::TextWrapped("%s", s.listing.error.c_str());
    ImGui::PopStyleColor();
    ImGui::TextColored(p.text_dim, "Pick another folder above or in the sidebar.");
    return false;
  }
  const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
  // The selected row in the accent colour: the theme's header colour is too close to the rows'.
  const ImVec4 a = p.accent;
  ImGui::PushStyleColor(ImGuiCol_Header, with_alpha(a, 0.32f));
  ImGui::PushStyleColor(ImGuiCol_HeaderHovered, with_alpha(a, 0.18f));
  ImGui::PushStyleColor(ImGuiCol_HeaderActive, with_alpha(a, 0.42f));
  if (!ImGui::BeginTable("##files", 3, flags)) {
    ImGui::PopStyleColor(3);
    return false;
  }
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch | ImGuiTableColumnFlags_DefaultSort, 0, 0);
  ImGui::TableSetupColumn("Size", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending,
                          em * 5.5f, 1);
  ImGui::TableSetupColumn("Modified", ImGuiTableColumnFlags_WidthFixed | ImGuiTableColumnFlags_PreferSortDescending,
                          em * 8.5f, 2);
  ImGui::TableHeadersRow();
  const float header_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2;
  apply_sort_specs(s);
  const int64_t now = int64_t(std::time(nullptr));
  int open_row = -1;
  ImGuiListClipper clipper;
  clipper.Begin(int(s.rows.size()));
  if (s.scroll_to_selected && s.selected >= 0) clipper.ForceDisplayRangeByIndices(s.selected, s.selected + 1);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      if (draw_row(s, i, now, header_h)) open_row = i;
    }
  }
  if (s.rows.empty()) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const bool filtered = s.listing.entries.size() > 0;
    ImGui::TextColored(p.text_dim, "%s", filtered ? "No trace files here. Choose \"All files\" below to see the rest."
                                                  : "This folder is empty.");
  }
  ImGui::EndTable();
  ImGui::PopStyleColor(3);
  return open_row >= 0 && activate(s, open_row, chosen);
}

// Filter, hidden-files toggle, counts or the error line, Cancel and Open. Returns true when Open
// chose a file; sets *cancel when Cancel was pressed.
bool draw_footer(FileBrowserState& s, std::string* chosen, bool* cancel) {
  const Palette& p = palette();
  const float em = ImGui::GetFontSize();
  const std::string& err = !s.typed_error.empty() ? s.typed_error : s.listing.error;
  if (!err.empty()) {
    ImGui::TextColored(p.error, "%s", err.c_str());
  } else {
    size_t folders = 0;
    for (const FileEntry& e : s.rows) folders += e.kind == EntryKind::Directory;
    const size_t files = s.rows.size() - folders, hidden = s.listing.entries.size() - s.rows.size();
    ImGui::TextColored(p.text_dim, "%zu folder%s, %zu %sfile%s%s", folders, folders == 1 ? "" : "s", files,
                       s.view.traces_only ? "trace " : "", files == 1 ? "" : "s",
                       hidden > 0 ? ("  \xc2\xb7  " + std::to_string(hidden) + " not shown").c_str() : "");
  }
  ImGui::SetNextItemWidth(ImGui::CalcTextSize(kTraceFilter).x + ImGui::GetStyle().FramePadding.x * 2 +
                          ImGui::GetFrameHeight() + em * 0.5f);
  int filter = s.view.traces_only ? 0 : 1;
  const char* items[] = {kTraceFilter, kAllFilter};
  if (ImGui::Combo("##filter", &filter, items, 2)) {
    s.view.traces_only = filter == 0;
    refresh_rows(s);
  }
  ImGui::SameLine();
  if (ImGui::Checkbox("Hidden files", &s.view.show_hidden)) refresh_rows(s);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show names starting with a dot (Ctrl+H)");
  const float bw = em * 6.0f;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - bw * 2 - ImGui::GetStyle().ItemSpacing.x));
  if (ImGui::Button("Cancel", ImVec2(bw, 0))) *cancel = true;
  ImGui::SameLine();
  const bool can_open = s.selected >= 0 || s.typed[0] != 0;
  ImGui::BeginDisabled(!can_open);
  const bool open = primary_button("Open", ImVec2(bw, 0));
  ImGui::EndDisabled();
  if (!open) return false;
  return s.typed[0] != 0 ? submit_typed(s, chosen) : activate(s, s.selected, chosen);
}

// Keyboard handling while the dialog has focus; `page` is how many rows PageUp/PageDown move.
// Returns true when Enter chose a file; sets *cancel on Escape.
bool handle_keys(FileBrowserState& s, bool typing, int page, std::string* chosen, bool* cancel) {
  if (!ImGui::IsWindowFocused(ImGuiFocusedFlags_RootAndChildWindows)) return false;
  const ImGuiIO& io = ImGui::GetIO();
  const int n = int(s.rows.size());
  int delta = 0;
  if (key_pressed(ImGuiKey_DownArrow)) delta = 1;
  if (key_pressed(ImGuiKey_UpArrow)) delta = io.KeyAlt ? 0 : -1;
  if (key_pressed(ImGuiKey_PageDown)) delta = page;
  if (key_pressed(ImGuiKey_PageUp)) delta = -page;
  if (!typing && key_pressed(ImGuiKey_Home)) delta = -n;
  if (!typing && key_pressed(ImGuiKey_End)) delta = n;
  if (delta != 0) {
    s.selected = move_selection(s.selected, delta, n);
    s.scroll_to_selected = true;
  }
  // ImGui 1.86 has no ImGuiKey for letters; the GLFW backend indexes keys by GLFW key code,
  // which is the ASCII code for letters.
  if (io.KeyCtrl && ImGui::IsKeyPressed('H', false)) {
    s.view.show_hidden = !s.view.show_hidden;
    refresh_rows(s);
  }
  if (typing) return false;  // the path box handles its own Enter, Backspace and Escape
  if ((io.KeyAlt && key_pressed(ImGuiKey_UpArrow)) || key_pressed(ImGuiKey_Backspace)) go_up(s);
  if (key_pressed(ImGuiKey_Escape)) *cancel = true;
  if (key_pressed(ImGuiKey_Enter) || key_pressed(ImGuiKey_KeyPadEnter)) return activate(s, s.selected, chosen);
  return false;
}

// The dialog's body between BeginPopupModal and EndPopup. Returns true when a file was chosen.
bool draw_body(FileBrowserState& s, const std::vector<std::string>& recent, std::string* chosen, bool* cancel) {
  const float em = ImGui::GetFontSize();
  draw_toolbar(s);
  bool typing = false;
  bool done = draw_path_box(s, chosen, &typing);
  const float footer_h = ImGui::GetFrameHeightWithSpacing() * 2 + ImGui::GetStyle().ItemSpacing.y;
  const float body_h = std::max(em * 6.0f, ImGui::GetContentRegionAvail().y - footer_h);
  ImGui::PushStyleColor(ImGuiCol_ChildBg, palette().card_bg);
  ImGui::BeginChild("##sidebar", ImVec2(em * 12.5f, body_h), true);
  done = draw_sidebar(s, recent, chosen) || done;
  ImGui::EndChild();
  ImGui::PopStyleColor();
  ImGui::SameLine();
  ImGui::BeginChild("##list", ImVec2(0, body_h), false);
  done = draw_table(s, chosen) || done;
  ImGui::EndChild();
  done = draw_footer(s, chosen, cancel) || done;
  const float row_h = ImGui::GetTextLineHeight() + ImGui::GetStyle().CellPadding.y * 2;
  const int page = std::max(1, int(body_h / row_h) - 2);
  if (!done) done = handle_keys(s, typing, page, chosen, cancel);
  return done;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 4. Public functions
// ---------------------------------------------------------------------------------------------

void file_browser_navigate(FileBrowserState& s, const std::string& dir) {
  s.listing = list_directory(dir);
  s.dir = s.listing.dir;
  s.rows = view_entries(s.listing.entries, s.view);
  s.selected = -1;
  s.scroll_to_selected = false;
  s.typed_error.clear();
}

void open_file_browser(FileBrowserState& s, std::string start_dir) {
  if (s.home.empty()) s.home = home_dir();
  s.start_cwd = current_dir();
  std::string target;
  std::string select;
  const ResolvedPath r = resolve_typed_path(start_dir, s.start_cwd, s.home);
  if (r.kind == PathKind::Directory) {
    target = r.path;
  } else if (r.kind == PathKind::File) {  // a file: open its folder with it selected
    target = parent_path(r.path);
    select = path_name(r.path);
  } else if (!s.dir.empty() && path_kind(s.dir) == PathKind::Directory) {
    target = s.dir;
  } else {
    target = s.start_cwd;
  }
  file_browser_navigate(s, target);
  if (!select.empty()) select_name(s, select);
  s.typed[0] = 0;
  s.visible = true;
  s.open_pending = true;
}

bool draw_file_browser(FileBrowserState& s, const std::vector<std::string>& recent, std::string* chosen) {
  if (s.open_pending) {
    ImGui::OpenPopup(kTitle);
    s.open_pending = false;
  }
  if (!s.visible) return false;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float em = ImGui::GetFontSize();
  const ImVec2 size(std::min(em * 60.0f, vp->WorkSize.x * 0.94f), std::min(em * 36.0f, vp->WorkSize.y * 0.9f));
  ImGui::SetNextWindowPos(ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.5f),
                          ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
  ImGui::SetNextWindowSizeConstraints(ImVec2(em * 34.0f, em * 18.0f), ImVec2(vp->WorkSize.x, vp->WorkSize.y));
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 1.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em * 0.9f, em * 0.8f));
  const bool open = ImGui::BeginPopupModal(kTitle, &s.visible, ImGuiWindowFlags_NoSavedSettings);
  ImGui::PopStyleVar(2);
  if (!open) {
    s.visible = false;  // closed by the title bar's button (or never opened)
    return false;
  }
  bool cancel = false;
  std::string path;
  const bool done = draw_body(s, recent, &path, &cancel);
  if (done || cancel) {
    ImGui::CloseCurrentPopup();
    s.visible = false;
  }
  ImGui::EndPopup();
  if (done && chosen) *chosen = path;
  return done;
}

}  // namespace vz
