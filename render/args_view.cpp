// The args tree widget. See args_view.h.
#include "render/args_view.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include <imgui.h>

#include "render/stats_panel.h"
#include "render/theme.h"

namespace vz {

void ArgsViewState::reset() {
  tree = JsonTree();
  text_data = nullptr;
  text_size = 0;
  parsed = false;
  shown.clear();
  full_strings.clear();
  decoded.clear();
  menu_node = kJsonNoNode;
  open_menu = false;
}

namespace {

// Containers at the first level with at most this many children start open.
constexpr uint32_t kOpenByDefaultMaxChildren = 16;
// "Show all" for a container is offered up to this many children (more would be slow to draw).
constexpr uint32_t kShowAllMaxChildren = 10000;
// A string shown in full is still cut here: the clipboard has the rest.
constexpr size_t kFullStringMaxBytes = size_t(1) << 20;

// One open container while the tree is walked without recursion.
struct Frame {
  uint32_t node;   // the container
  uint32_t next;   // the next child to draw
  uint32_t index;  // how many children were drawn
  uint32_t limit;  // how many children to draw before "show more"
  bool pushed;     // an ImGui tree node was pushed for it (TreePop on leaving)
};

// Parses `text` unless the state already holds its tree.
void ensure_parsed(std::string_view text, ArgsViewState& st) {
  if (st.parsed && st.text_data == text.data() && st.text_size == text.size()) return;
  const uint32_t generation = st.generation + 1;
  st.reset();
  st.generation = generation;
  st.tree = parse_json_tree(text);
  st.text_data = text.data();
  st.text_size = text.size();
  st.parsed = true;
}

uint32_t page_limit(const ArgsViewState& st, uint32_t node) {
  auto it = st.shown.find(node);
  return it == st.shown.end() ? kArgsPageSize : it->second;
}

// Preview text for a single line: line breaks become a visible arrow, tabs a space. A NUL byte
// (a decoded "\u0000") becomes U+FFFD, which the font draws as its fallback glyph, as ImGui draws a
// NUL byte: the key column passes its text through a C string (TreeNodeEx's format), which a NUL
// byte would end.
void flatten_line_breaks(std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\n') out += "\xe2\x86\xb5";  // U+21B5
    else if (c == '\r') continue;
    else if (c == '\t') out += ' ';
    else if (c == '\0') out += "\xef\xbf\xbd";  // U+FFFD
    else out += c;
  }
  s.swap(out);
}

// The key column label: the decoded key (cut when absurdly long) or "[index]".
std::string key_label(std::string_view text, const JsonNode& n, uint32_t index) {
  std::string s;
  if (!n.has_key()) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "[%u]", index);
    return buf;
  }
  if (!json_unescape_prefix(json_raw_key(text, n), kArgsStringPreviewChars, s)) s += "\xe2\x80\xa6";
  flatten_line_breaks(s);
  return s;
}

// The first `max_chars` code points of raw JSON on one line, whitespace runs collapsed to a space.
std::string raw_glimpse(std::string_view raw, size_t max_chars, bool* cut) {
  std::string out;
  size_t chars = 0, i = 0;
  bool space = false;
  for (; i < raw.size() && chars < max_chars; ++i) {
    const char c = raw[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) {
      out += ' ';
      ++chars;
    }
    space = false;
    out += c;
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++chars;
  }
  // Finish a UTF-8 sequence the loop stopped inside.
  while (i < raw.size() && (static_cast<unsigned char>(raw[i]) & 0xc0) == 0x80) out += raw[i++];
  *cut = i < raw.size();
  return out;
}

// "{3}" / "[500]" ("{}" / "[]" when empty), with "…" when the container was cut short.
std::string summary(const JsonNode& n) {
  char buf[48];
  const bool obj = n.kind == JsonKind::Object;
  if (n.children == 0) return n.incomplete() ? (obj ? "{\xe2\x80\xa6}" : "[\xe2\x80\xa6]") : (obj ? "{}" : "[]");
  std::snprintf(buf, sizeof buf, "%c%s%c%s", obj ? '{' : '[', format_count(n.children).c_str(), obj ? '}' : ']',
                n.incomplete() ? " \xe2\x80\xa6" : "");
  return buf;
}

// The value of a string node: a cut preview with "show all", or the whole text with "show less".
void draw_string_value(std::string_view text, uint32_t node, ArgsViewState& st) {
  const JsonNode& n = st.tree.nodes[node];
  const bool full = st.full_strings.count(node) != 0;
  ImGui::PushTextWrapPos(0.0f);
  if (full) {
    auto it = st.decoded.find(node);
    if (it == st.decoded.end()) {
      std::string s;
      json_decode_string(text, n, s);
      it = st.decoded.emplace(node, std::move(s)).first;
    }
    const std::string& s = it->second;
    ImGui::TextUnformatted(s.data(), s.data() + std::min(s.size(), kFullStringMaxBytes));
    if (s.size() > kFullStringMaxBytes)
      ImGui::TextColored(palette().text_dim, "(cut at %s; Copy value has all %s)",
                         format_bytes(kFullStringMaxBytes).c_str(), format_bytes(s.size()).c_str());
    ImGui::PopTextWrapPos();
    ImGui::PushID(int(node));
    if (ImGui::SmallButton("show less")) {
      st.full_strings.erase(node);
      st.decoded.erase(node);
    }
    ImGui::PopID();
    return;
  }
  std::string s;
  const std::string_view raw = json_raw(text, n);
  const std::string_view content = raw.size() >= 2 ? raw.substr(1, raw.size() - 2) : std::string_view();
  const bool whole = json_unescape_prefix(content, kArgsStringPreviewChars, s);
  flatten_line_breaks(s);
  if (!whole) s += "\xe2\x80\xa6";
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ImGui::PopTextWrapPos();
  if (!whole) {
    ImGui::PushID(int(node));
    char label[64];
    std::snprintf(label, sizeof label, "show all (%s)", format_bytes(content.size()).c_str());
    if (ImGui::SmallButton(label)) st.full_strings.insert(node);
    ImGui::PopID();
  }
}

// The value column of one row.
void draw_value(std::string_view text, uint32_t node, bool open, ArgsViewState& st) {
  const JsonNode& n = st.tree.nodes[node];
  const Palette& p = palette();
  switch (n.kind) {
    case JsonKind::Object:
    case JsonKind::Array: {
      const std::string s = summary(n);
      ImGui::TextColored(open ? p.text_dim : p.text, "%s", s.c_str());
      if (!open && n.children > 0) {
        // A one-line glimpse of the collapsed content.
        bool cut = false;
        const std::string glimpse = raw_glimpse(json_raw(text, n), 80, &cut);
        ImGui::SameLine();
        ImGui::TextColored(p.text_dim, "%s%s", glimpse.c_str(), cut ? "\xe2\x80\xa6" : "");
      }
      break;
    }
    case JsonKind::String: draw_string_value(text, node, st); break;
    case JsonKind::Number:
    case JsonKind::Bool:
    case JsonKind::Null: {
      FontScope mono(fonts().mono);
      const std::string_view raw = json_raw(text, n);
      ImGui::TextColored(n.kind == JsonKind::Number ? p.info : p.accent, "%.*s", int(raw.size()), raw.data());
      break;
    }
  }
}

// One key | value row. Returns true when the node is an open container (its children follow).
bool draw_row(std::string_view text, uint32_t node, uint32_t index, bool first_level, ArgsViewState& st) {
  const JsonNode& n = st.tree.nodes[node];
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  const bool branch = n.container() && n.children > 0;
  ImGuiTreeNodeFlags flags = ImGuiTreeNodeFlags_SpanFullWidth | ImGuiTreeNodeFlags_OpenOnArrow |
                             ImGuiTreeNodeFlags_OpenOnDoubleClick;
  if (!branch) flags |= ImGuiTreeNodeFlags_Leaf | ImGuiTreeNodeFlags_NoTreePushOnOpen;
  if (branch && first_level && n.children <= kOpenByDefaultMaxChildren) ImGui::SetNextItemOpen(true, ImGuiCond_Once);
  const std::string label = key_label(text, n, index);
  if (!n.has_key()) ImGui::PushStyleColor(ImGuiCol_Text, palette().text_dim);
  const bool open = ImGui::TreeNodeEx(reinterpret_cast<void*>(uintptr_t(node)), flags, "%s", label.c_str());
  if (!n.has_key()) ImGui::PopStyleColor();
  bool menu = ImGui::IsItemHovered() && ImGui::IsMouseReleased(ImGuiMouseButton_Right);
  ImGui::TableNextColumn();
  ImGui::BeginGroup();
  draw_value(text, node, branch && open, st);
  ImGui::EndGroup();
  menu |= ImGui::IsItemHovered() && ImGui::IsMouseReleased(ImGuiMouseButton_Right);
  if (menu) {
    st.menu_node = node;
    st.open_menu = true;
  }
  return branch && open;
}

// The row after the last child shown of a long container.
void draw_more_row(const Frame& f, const JsonNode& n, ArgsViewState& st) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::PushID(int(f.node));
  if (ImGui::SmallButton("show more")) st.shown[f.node] = f.limit + kArgsPageSize;
  if (n.children <= kShowAllMaxChildren) {
    ImGui::SameLine();
    if (ImGui::SmallButton("show all")) st.shown[f.node] = n.children;
  }
  ImGui::PopID();
  ImGui::TableNextColumn();
  ImGui::TextColored(palette().text_dim, "%s of %s shown", format_count(f.index).c_str(),
                     format_count(n.children).c_str());
}

// Walks the tree with an explicit stack (args may nest 100k deep) and draws the visible rows.
void draw_rows(std::string_view text, ArgsViewState& st) {
  const std::vector<JsonNode>& nodes = st.tree.nodes;
  std::vector<Frame> stack;
  if (nodes[0].container()) {
    stack.push_back(Frame{0, 1, 0, page_limit(st, 0), false});
  } else {
    draw_row(text, 0, 0, true, st);
    return;
  }
  while (!stack.empty()) {
    Frame& f = stack.back();
    const JsonNode& parent = nodes[f.node];
    if (f.next >= parent.end || f.index >= f.limit) {
      if (f.next < parent.end) draw_more_row(f, parent, st);
      if (f.pushed) ImGui::TreePop();
      stack.pop_back();
      continue;
    }
    const uint32_t child = f.next;
    f.next = nodes[child].end;
    const uint32_t index = f.index++;
    if (draw_row(text, child, index, stack.size() == 1, st))
      stack.push_back(Frame{child, child + 1, 0, page_limit(st, child), true});
  }
}

// The right-click menu of a value.
void draw_menu(std::string_view text, ArgsViewState& st) {
  if (st.open_menu) {
    ImGui::OpenPopup("##args_value_menu");
    st.open_menu = false;
  }
  if (!ImGui::BeginPopup("##args_value_menu")) return;
  if (st.menu_node < st.tree.nodes.size()) {
    const JsonNode& n = st.tree.nodes[st.menu_node];
    if (ImGui::MenuItem("Copy value")) {
      std::string s;
      json_decode_string(text, n, s);
      ImGui::SetClipboardText(s.c_str());
    }
    if (ImGui::MenuItem("Copy as JSON")) ImGui::SetClipboardText(std::string(json_raw(text, n)).c_str());
    if (n.has_key() && ImGui::MenuItem("Copy key")) {
      std::string s;
      json_decode_key(text, n, s);
      ImGui::SetClipboardText(s.c_str());
    }
  }
  ImGui::EndPopup();
}

// The parse error line, in the warning colour.
void draw_error(const ArgsViewState& st) {
  const JsonTree& t = st.tree;
  if (t.ok()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, palette().warning);
  ImGui::PushTextWrapPos(0.0f);
  if (t.error == JsonError::TooManyNodes) {
    ImGui::Text("Only the first %s values are shown (at byte %s).", format_count(t.nodes.size()).c_str(),
                format_count(t.error_offset).c_str());
  } else {
    ImGui::Text("Args are not valid JSON: %s at byte %s%s.", json_error_message(t.error),
                format_count(t.error_offset).c_str(), t.empty() ? "" : "; showing what was read before it");
  }
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

}  // namespace

void draw_args(std::string_view raw_json, ArgsViewState& state) {
  if (raw_json.empty()) {
    ImGui::TextColored(palette().text_dim, "No args");
    return;
  }
  ensure_parsed(raw_json, state);
  ImGui::PushID(&state);
  ImGui::PushID(int(state.generation));
  if (!state.tree.empty()) {
    const ImGuiTableFlags flags = ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_Resizable | ImGuiTableFlags_NoSavedSettings;
    if (ImGui::BeginTable("##args", 2, flags)) {
      ImGui::TableSetupColumn("Key", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 12.0f);
      ImGui::TableSetupColumn("Value", ImGuiTableColumnFlags_WidthStretch);
      draw_rows(raw_json, state);
      ImGui::EndTable();
    }
  }
  draw_error(state);
  draw_menu(raw_json, state);
  ImGui::PopID();
  ImGui::PopID();
}

}  // namespace vz
