// Colours, sizes and fonts of the viewer. See theme.h.
#include "render/theme.h"

#include <algorithm>
#include <cstdio>
#include <string>
#include <sys/stat.h>

#include "render/text_fit.h"

namespace vz {
namespace {

ThemeKind g_kind = ThemeKind::Dark;
Palette g_palette{};
Fonts g_fonts{};

// 0xRRGGBB plus an alpha in [0, 1].
ImVec4 rgb(unsigned hex, float a = 1.0f) {
  return ImVec4(float((hex >> 16) & 0xff) / 255.0f, float((hex >> 8) & 0xff) / 255.0f,
                float(hex & 0xff) / 255.0f, a);
}

// The base colours a theme is derived from.
struct Base {
  ImVec4 bg, bg_child, bg_popup, frame, frame_hover, border, text, text_dim, accent, accent_hover,
      header, header_hover, row_alt, table_header, menu, scrollbar;
};

Base dark_base() {
  Base b;
  b.bg = rgb(0x1e2024);
  b.bg_child = rgb(0x1e2024);
  b.bg_popup = rgb(0x25282d, 1.0f);  // opaque: nothing under a dialog shows through
  b.frame = rgb(0x2b2f35);
  b.frame_hover = rgb(0x343941);
  b.border = rgb(0x383c43);
  b.text = rgb(0xdfe2e7);
  b.text_dim = rgb(0x8b929c);
  b.accent = rgb(0x4c8dff);
  b.accent_hover = rgb(0x6ba1ff);
  b.header = rgb(0x2a2e34);
  b.header_hover = rgb(0x33383f);
  b.row_alt = rgb(0xffffff, 0.025f);
  b.table_header = rgb(0x272a30);
  b.menu = rgb(0x17191c);
  b.scrollbar = rgb(0x454a52);
  return b;
}

Base light_base() {
  Base b;
  b.bg = rgb(0xf6f7f9);
  b.bg_child = rgb(0xf6f7f9);
  b.bg_popup = rgb(0xffffff, 1.0f);
  b.frame = rgb(0xe6e8ec);
  b.frame_hover = rgb(0xdadde3);
  b.border = rgb(0xcdd1d8);
  b.text = rgb(0x1f2329);
  b.text_dim = rgb(0x6a717c);
  b.accent = rgb(0x2f6fdb);
  b.accent_hover = rgb(0x4a84e6);
  b.header = rgb(0xe4e7ec);
  b.header_hover = rgb(0xd8dce3);
  b.row_alt = rgb(0x000000, 0.03f);
  b.table_header = rgb(0xe9ebef);
  b.menu = rgb(0xeceef2);
  b.scrollbar = rgb(0xbfc4cc);
  return b;
}

Palette make_palette(ThemeKind kind, const Base& b) {
  Palette p;
  p.text = b.text;
  p.text_dim = b.text_dim;
  p.accent = b.accent;
  if (kind == ThemeKind::Dark) {
    p.good = rgb(0x5fbf77);
    p.info = rgb(0x6ab0f3);
    p.warning = rgb(0xe5b84a);
    p.error = rgb(0xf0686a);
    p.card_bg = rgb(0x25282d);
    p.status_bg = rgb(0x17191c);
  } else {
    p.good = rgb(0x2e8b47);
    p.info = rgb(0x2a6fb8);
    p.warning = rgb(0xa86d00);
    p.error = rgb(0xc62f33);
    p.card_bg = rgb(0xffffff);
    p.status_bg = rgb(0xe4e7ec);
  }
  return p;
}

void set_colors(ImGuiStyle& s, const Base& b) {
  ImVec4* c = s.Colors;
  c[ImGuiCol_Text] = b.text;
  c[ImGuiCol_TextDisabled] = b.text_dim;
  c[ImGuiCol_WindowBg] = b.bg;
  c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_PopupBg] = b.bg_popup;
  c[ImGuiCol_Border] = b.border;
  c[ImGuiCol_BorderShadow] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_FrameBg] = b.frame;
  c[ImGuiCol_FrameBgHovered] = b.frame_hover;
  c[ImGuiCol_FrameBgActive] = b.frame_hover;
  c[ImGuiCol_TitleBg] = b.header;
  c[ImGuiCol_TitleBgActive] = b.header_hover;
  c[ImGuiCol_TitleBgCollapsed] = b.header;
  c[ImGuiCol_MenuBarBg] = b.menu;
  c[ImGuiCol_ScrollbarBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ScrollbarGrab] = b.scrollbar;
  c[ImGuiCol_ScrollbarGrabHovered] = b.text_dim;
  c[ImGuiCol_ScrollbarGrabActive] = b.accent;
  c[ImGuiCol_CheckMark] = b.accent;
  c[ImGuiCol_SliderGrab] = b.accent;
  c[ImGuiCol_SliderGrabActive] = b.accent_hover;
  c[ImGuiCol_Button] = b.frame;
  c[ImGuiCol_ButtonHovered] = b.frame_hover;
  c[ImGuiCol_ButtonActive] = b.accent;
  c[ImGuiCol_Header] = b.header;
  c[ImGuiCol_HeaderHovered] = b.header_hover;
  c[ImGuiCol_HeaderActive] = b.header_hover;
  c[ImGuiCol_Separator] = b.border;
  c[ImGuiCol_SeparatorHovered] = b.accent;
  c[ImGuiCol_SeparatorActive] = b.accent_hover;
  c[ImGuiCol_ResizeGrip] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_ResizeGripHovered] = b.accent;
  c[ImGuiCol_ResizeGripActive] = b.accent_hover;
  c[ImGuiCol_Tab] = b.header;
  c[ImGuiCol_TabHovered] = b.header_hover;
  c[ImGuiCol_TabActive] = b.frame_hover;
  c[ImGuiCol_TabUnfocused] = b.header;
  c[ImGuiCol_TabUnfocusedActive] = b.frame;
  c[ImGuiCol_PlotLines] = b.accent;
  c[ImGuiCol_PlotLinesHovered] = b.accent_hover;
  c[ImGuiCol_PlotHistogram] = b.accent;
  c[ImGuiCol_PlotHistogramHovered] = b.accent_hover;
  c[ImGuiCol_TableHeaderBg] = b.table_header;
  c[ImGuiCol_TableBorderStrong] = b.border;
  c[ImGuiCol_TableBorderLight] = ImVec4(b.border.x, b.border.y, b.border.z, 0.6f);
  c[ImGuiCol_TableRowBg] = ImVec4(0, 0, 0, 0);
  c[ImGuiCol_TableRowBgAlt] = b.row_alt;
  c[ImGuiCol_TextSelectedBg] = ImVec4(b.accent.x, b.accent.y, b.accent.z, 0.35f);
  c[ImGuiCol_DragDropTarget] = b.accent;
  c[ImGuiCol_NavHighlight] = b.accent;
  c[ImGuiCol_NavWindowingHighlight] = b.accent;
  c[ImGuiCol_NavWindowingDimBg] = ImVec4(0, 0, 0, 0.4f);
  c[ImGuiCol_ModalWindowDimBg] = ImVec4(0, 0, 0, 0.45f);
}

void set_sizes(ImGuiStyle& s) {
  s.WindowPadding = ImVec2(12, 10);
  s.FramePadding = ImVec2(8, 4);
  s.CellPadding = ImVec2(8, 3);
  s.ItemSpacing = ImVec2(8, 6);
  s.ItemInnerSpacing = ImVec2(6, 4);
  s.IndentSpacing = 18;
  s.ScrollbarSize = 12;
  s.GrabMinSize = 10;
  s.WindowBorderSize = 0;
  s.ChildBorderSize = 1;
  s.PopupBorderSize = 1;
  s.FrameBorderSize = 0;
  s.TabBorderSize = 0;
  s.WindowRounding = 4;
  s.ChildRounding = 4;
  s.FrameRounding = 3;
  s.PopupRounding = 4;
  s.ScrollbarRounding = 6;
  s.GrabRounding = 3;
  s.TabRounding = 3;
  s.WindowTitleAlign = ImVec2(0.5f, 0.5f);
}

bool file_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Latin, Latin Extended, general punctuation (… — –), arrows and geometric shapes (▲ ▼ ●).
const ImWchar kGlyphRanges[] = {
    0x0020, 0x024F, 0x0370, 0x03FF, 0x2000, 0x206F, 0x2190, 0x21FF,
    0x2200, 0x22FF, 0x25A0, 0x25FF, 0,
};

// Adds one TTF from kFontDir, or returns nullptr when the file is missing or unreadable.
ImFont* add_font(const char* file, float size_px) {
  std::string path = std::string(kFontDir) + file;
  if (!file_exists(path)) return nullptr;
  ImFontConfig cfg;
  cfg.OversampleH = 2;
  cfg.OversampleV = 1;
  cfg.PixelSnapH = true;
  std::snprintf(cfg.Name, sizeof(cfg.Name), "%s, %.0fpx", file, double(size_px));
  return ImGui::GetIO().Fonts->AddFontFromFileTTF(path.c_str(), size_px, &cfg, kGlyphRanges);
}

}  // namespace

void load_fonts(float scale) {
  if (!(scale > 0.25f && scale < 8.0f)) scale = 1.0f;
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->Clear();
  Fonts f;
  const float body = kBaseFontSize * scale;
  f.regular = add_font("DejaVuSans.ttf", body);  // the first font added is ImGui's default
  if (f.regular) {
    f.from_file = true;
    f.bold = add_font("DejaVuSans-Bold.ttf", body);
    f.large = add_font("DejaVuSans-Bold.ttf", body * 1.6f);
    f.mono = add_font("DejaVuSansMono.ttf", body * 0.95f);
  } else {
    ImFontConfig cfg;
    cfg.SizePixels = 13.0f * scale;
    f.regular = atlas->AddFontDefault(&cfg);
  }
  if (!f.bold) f.bold = f.regular;
  if (!f.large) f.large = f.regular;
  if (!f.mono) f.mono = f.regular;
  g_fonts = f;
}

const Fonts& fonts() { return g_fonts; }

void apply_theme(ThemeKind kind, float scale) {
  if (!(scale > 0.25f && scale < 8.0f)) scale = 1.0f;
  ImGuiStyle style;  // fresh defaults, so applying twice never compounds the scale
  const Base b = kind == ThemeKind::Dark ? dark_base() : light_base();
  set_colors(style, b);
  set_sizes(style);
  style.ScaleAllSizes(scale);
  ImGui::GetStyle() = style;
  g_kind = kind;
  g_palette = make_palette(kind, b);
}

ThemeKind current_theme() { return g_kind; }

const Palette& palette() {
  if (g_palette.text.w == 0.0f) g_palette = make_palette(ThemeKind::Dark, dark_base());  // unset
  return g_palette;
}

float min_glyph_advance(const ImFont* font, float size) {
  if (!font) font = ImGui::GetFont();
  if (!(size > 0)) size = ImGui::GetFontSize();
  if (!font || !(font->FontSize > 0)) return 0.0f;
  // Fonts are rebuilt on a DPI change (new glyph arrays), so the cache is keyed on the array too.
  struct Cached {
    const ImFont* font = nullptr;
    const ImFontGlyph* glyphs = nullptr;
    float advance = 0;
  };
  static Cached cache[4];
  static size_t next = 0;
  for (const Cached& c : cache) {
    if (c.font == font && c.glyphs == font->Glyphs.Data) return c.advance * size / font->FontSize;
  }
  float smallest = font->FallbackAdvanceX;
  for (const ImFontGlyph& g : font->Glyphs) {
    if (g.AdvanceX > 0 && (g.AdvanceX < smallest || !(smallest > 0))) smallest = g.AdvanceX;
  }
  cache[next] = Cached{font, font->Glyphs.Data, smallest};
  next = (next + 1) % (sizeof cache / sizeof cache[0]);
  return smallest * size / font->FontSize;
}

std::string_view fit_text(std::string_view s, float width, float size, const ImFont* font) {
  if (s.size() <= 16) return s;  // shorter than any width worth cutting for
  return visible_prefix(s, width, min_glyph_advance(font, size));
}

namespace {

// Draws `text` at `pos` in the current font and text colour (faded when disabled), clipped to
// [clip_min, clip_max] and to the window's clip rectangle (AddText() intersects the two).
void draw_text_clipped(std::string_view text, ImVec2 pos, ImVec2 clip_min, ImVec2 clip_max) {
  if (text.empty() || !ImGui::IsRectVisible(clip_min, clip_max)) return;
  const ImVec4 clip(clip_min.x, clip_min.y, clip_max.x, clip_max.y);
  ImGui::GetWindowDrawList()->AddText(ImGui::GetFont(), ImGui::GetFontSize(), pos, ImGui::GetColorU32(ImGuiCol_Text),
                                      text.data(), text.data() + text.size(), 0.0f, &clip);
}

// Counts `width` px from `at` (screen) as content of the current window, as an item that wide
// would (the window's and a table column's content size, an auto-resizing popup's width), without
// adding an item or moving the cursor.
void extend_content(ImVec2 at, float width) {
  const ImVec2 cursor = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(ImVec2(at.x + width, at.y));
  ImGui::SetCursorScreenPos(cursor);
}

}  // namespace

bool selectable_text(std::string_view text, bool selected, ImGuiSelectableFlags flags, const ImVec2& size) {
  const ImVec2 at = ImGui::GetCursorScreenPos();
  if (size.x > 0) text = fit_text(text, size.x);
  const bool clicked = ImGui::Selectable("##selectable_text", selected, flags, size);
  const ImVec2 item_max = ImGui::GetItemRectMax();
  draw_text_clipped(text, at, at, ImVec2(size.x > 0 ? at.x + size.x : item_max.x, item_max.y));
  if (!(size.x > 0)) extend_content(at, ImGui::CalcTextSize(text.data(), text.data() + text.size()).x);
  return clicked;
}

bool button_text(std::string_view text, const ImVec2& size_arg) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const ImVec2 pad = style.FramePadding;
  if (size_arg.x > 0) text = fit_text(text, size_arg.x - pad.x * 2.0f);
  const ImVec2 text_size = ImGui::CalcTextSize(text.data(), text.data() + text.size());
  const ImVec2 size(size_arg.x > 0 ? size_arg.x : text_size.x + pad.x * 2.0f,
                    size_arg.y > 0 ? size_arg.y : text_size.y + pad.y * 2.0f);
  const bool pressed = ImGui::Button("##button_text", size);
  // Where ImGui puts a label: aligned by ButtonTextAlign inside the padding, never left of it.
  const ImVec2 bb_min = ImGui::GetItemRectMin(), bb_max = ImGui::GetItemRectMax();
  const ImVec2 in_min(bb_min.x + pad.x, bb_min.y + pad.y), in_max(bb_max.x - pad.x, bb_max.y - pad.y);
  const ImVec2 pos(std::max(in_min.x, in_min.x + (in_max.x - in_min.x - text_size.x) * style.ButtonTextAlign.x),
                   std::max(in_min.y, in_min.y + (in_max.y - in_min.y - text_size.y) * style.ButtonTextAlign.y));
  draw_text_clipped(text, pos, bb_min, bb_max);
  return pressed;
}

bool small_button_text(std::string_view text) {
  ImGui::PushStyleVar(ImGuiStyleVar_FramePadding, ImVec2(ImGui::GetStyle().FramePadding.x, 0.0f));
  const bool pressed = button_text(text);
  ImGui::PopStyleVar();
  return pressed;
}

bool menu_item_text(std::string_view text, bool enabled) {
  ImGui::BeginDisabled(!enabled);
  const bool pressed = selectable_text(text, false);  // closes the menu, as a menu item does
  ImGui::EndDisabled();
  return pressed && enabled;
}

bool begin_combo_text(const char* id, std::string_view preview, ImGuiComboFlags flags) {
  // The preview box as BeginCombo() lays it out: the item width less the arrow button, the text
  // inside the frame padding.
  const ImVec2 at = ImGui::GetCursorScreenPos();
  const ImVec2 size(ImGui::CalcItemWidth(), ImGui::GetFrameHeight());
  const float arrow = (flags & ImGuiComboFlags_NoArrowButton) ? 0.0f : size.y;
  const ImVec2 pos(at.x + ImGui::GetStyle().FramePadding.x, at.y + ImGui::GetStyle().FramePadding.y);
  const ImVec2 clip_max(std::max(at.x, at.x + size.x - arrow), at.y + size.y);
  ImDrawList* dl = ImGui::GetWindowDrawList();  // the combo's window, before its popup opens
  const bool visible = !preview.empty() && ImGui::IsRectVisible(at, ImVec2(at.x + size.x, at.y + size.y));
  const bool open = ImGui::BeginCombo(id, "", flags);
  if (visible) {
    // Clipped to the window too: AddText() intersects with the draw list's clip rectangle.
    const std::string_view shown = fit_text(preview, clip_max.x - pos.x);
    const ImVec4 clip(pos.x, pos.y, clip_max.x, clip_max.y);
    dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), pos, ImGui::GetColorU32(ImGuiCol_Text), shown.data(),
                shown.data() + shown.size(), 0.0f, &clip);
  }
  return open;
}

void same_line_if_fits(float width, float spacing) {
  if (spacing < 0.0f) spacing = ImGui::GetStyle().ItemSpacing.x;
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + spacing + width <= right) ImGui::SameLine(0.0f, spacing);
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2.0f;
}

float check_width(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
}

void text_colored_bytes(const ImVec4& col, std::string_view s) {
  ImGui::PushStyleColor(ImGuiCol_Text, col);
  ImGui::TextUnformatted(s.data(), s.data() + s.size());
  ImGui::PopStyleColor();
}

void text_long(std::string_view s, float wrap_width) {
  if (s.size() <= kLongTextBytes) {
    ImGui::TextUnformatted(s.data(), s.data() + s.size());
    return;
  }
  const std::string_view shown = utf8_prefix(s, kLongTextMaxBytes);
  ImGui::PushTextWrapPos(wrap_width);
  ImGui::TextUnformatted(shown.data(), shown.data() + shown.size());
  ImGui::PopTextWrapPos();
  if (shown.size() < s.size()) {
    ImGui::TextColored(palette().text_dim, "\xe2\x80\xa6 (%zu bytes)", s.size());
  }
}

}  // namespace vz
