// The viewer's look: one dark theme (and a light option) for ImGui, the fonts, and a small palette
// of semantic colours that panels use instead of hard-coded RGB values.
//
// Why here: every panel in render/ and app/ must agree on what "warning", "dim text" or "accent"
// look like, and on the font sizes, so they are defined once. The theme is a pure function of
// (kind, scale): applying it again after a DPI change or a theme switch gives the same result.
//
// Usage
//   vz::load_fonts(scale);                  // before the first ImGui::NewFrame()
//   vz::apply_theme(vz::ThemeKind::Dark, scale);
//   ImGui::TextColored(vz::palette().warning, "...");
//   { vz::FontScope bold(vz::fonts().bold); ImGui::TextUnformatted("Title"); }
#pragma once

#include <imgui.h>

#include <cstddef>
#include <string_view>

namespace vz {

// The two looks the viewer offers.
enum class ThemeKind { Dark, Light };

// Semantic colours, valid for the current theme.
struct Palette {
  ImVec4 text;        // ordinary text
  ImVec4 text_dim;    // labels, units, secondary text
  ImVec4 accent;      // links, progress, the selected thing
  ImVec4 good;        // "ok" states
  ImVec4 info;        // Severity::Info
  ImVec4 warning;     // Severity::Warning
  ImVec4 error;       // Severity::Error and fatal messages
  ImVec4 card_bg;     // background of summary cards
  ImVec4 status_bg;   // the status bar
};

// Fonts loaded by load_fonts(); each falls back to ImGui's default font.
struct Fonts {
  ImFont* regular = nullptr;  // body text
  ImFont* bold = nullptr;     // section titles, emphasised values
  ImFont* large = nullptr;    // headline numbers on cards, the start screen title
  ImFont* mono = nullptr;     // offsets, ids, paths
  bool from_file = false;     // false when DejaVu was missing and ImGui's font is used
};

// Where Debian's fonts-dejavu-core puts the fonts.
inline constexpr const char* kFontDir = "/usr/share/fonts/truetype/dejavu/";

// The pixel size of body text at scale 1.
inline constexpr float kBaseFontSize = 15.0f;

// Loads DejaVu Sans (regular, bold, large) and DejaVu Sans Mono at `scale` into the ImGui font
// atlas, replacing what was there. Falls back to ImGui's default font for any missing file.
// Call before the renderer backend builds its font texture (or recreate that texture after).
void load_fonts(float scale);

// The fonts loaded by the last load_fonts() call.
const Fonts& fonts();

// Sets ImGui's style (colours, rounding, padding) for `kind`, with sizes multiplied by `scale`.
void apply_theme(ThemeKind kind, float scale);

// The theme applied last (Dark before any call).
ThemeKind current_theme();

// The palette of the theme applied last.
const Palette& palette();

// ImVec4 colour to the packed form draw lists take.
inline ImU32 to_u32(const ImVec4& c) { return ImGui::ColorConvertFloat4ToU32(c); }

// Text of unbounded length (names from the trace). ImGui walks every byte it draws or measures,
// clipped or not, so a name is cut to what can show before it is drawn every frame.
//
//   const std::string_view shown = vz::fit_text(name, clip_right - x);  // current font and size
//   dl->AddText(font, size, pos, col, shown.data(), shown.data() + shown.size(), 0, &clip);
//   vz::text_long(name, ImGui::GetFontSize() * 40.0f);  // a tooltip's or the details' full name

// Names up to this many bytes are drawn by text_long() exactly as TextUnformatted() draws them.
inline constexpr size_t kLongTextBytes = 256;
// text_long() shows at most this many bytes of a text (then a note with its size).
inline constexpr size_t kLongTextMaxBytes = 4096;

// The smallest advance of any glyph of `font` with a width, in pixels at `size` (null font or
// size 0: the current ones).
float min_glyph_advance(const ImFont* font = nullptr, float size = 0.0f);

// The prefix of `s` that can show in `width` pixels with `font` at `size` (null font or size 0:
// the current ones): what is left out would be clipped anyway. See render/text_fit.h.
std::string_view fit_text(std::string_view s, float width, float size = 0.0f, const ImFont* font = nullptr);

// Widgets that show a name as it is. An ImGui label stops at a NUL byte, hides what follows "##"
// and takes its ID from the text ("###" replaces the ID): names from a trace, thread names and
// file names may hold any of these. Each widget below has a fixed ID and draws `text` itself,
// whole (a NUL byte as the font's fallback glyph, "##" as two '#'), clipped to the widget. Push a
// distinct ID around each of a list (ImGui::PushID(index)), as the fixed ID repeats.
//
//   ImGui::PushID(int(i));
//   if (vz::selectable_text(name, i == selected)) selected = i;
//   ImGui::PopID();

// ImGui::Selectable() showing `text`. `size` as Selectable() takes it: with a width, `text` is cut
// to it (fit_text); without one the row spans the available width, and `text` should be cut to its
// room by the caller (an auto-resizing popup grows to the width given, so cut it to a fixed width
// there, never to the popup's current one). The text's width counts as the item's content width,
// as a label's would.
bool selectable_text(std::string_view text, bool selected, ImGuiSelectableFlags flags = 0,
                     const ImVec2& size = ImVec2(0, 0));

// ImGui::Button() showing `text`, centred as ImGui centres a label. A zero `size` fits the text;
// with a width, `text` is cut to it.
bool button_text(std::string_view text, const ImVec2& size = ImVec2(0, 0));

// ImGui::SmallButton() showing `text` (no vertical frame padding).
bool small_button_text(std::string_view text);

// ImGui::MenuItem() (no shortcut, no check mark) showing `text`; the menu widens to fit it.
bool menu_item_text(std::string_view text, bool enabled = true);

// ImGui::BeginCombo() whose preview shows `preview`, cut to the preview box. `id` is the combo's
// ID ("##thread"); like BeginCombo(), call ImGui::EndCombo() when it returns true. Not for
// ImGuiComboFlags_NoPreview.
bool begin_combo_text(const char* id, std::string_view preview, ImGuiComboFlags flags = 0);

// A name the user must be able to read: up to kLongTextBytes as TextUnformatted() draws it; longer
// ones wrap at `wrap_width` (local x, as PushTextWrapPos takes; 0: the window's right edge) and show
// at most kLongTextMaxBytes, followed by a dim "… (N bytes)" note.
void text_long(std::string_view s, float wrap_width);

// `s` in colour `col`, every byte as it is (ImGui::TextColored's "%s" stops at a NUL byte).
void text_colored_bytes(const ImVec4& col, std::string_view s);

// ImGui::SameLine(0, spacing) when an item `width` wide still fits the window's content region
// to the right of the last item (spacing < 0: the style's item spacing); else the next item starts
// a new line. For a row of controls that must wrap rather than be cut at the window's edge.
void same_line_if_fits(float width, float spacing = -1.0f);

// Widths of the widgets below as ImGui lays them out (the current font and style).
float button_width(const char* label);
float check_width(const char* label);  // a Checkbox or RadioButton with its label

// Pushes a font for the lifetime of the scope; a null font (load_fonts() not run) is a no-op.
class FontScope {
 public:
  explicit FontScope(ImFont* f) : pushed_(f != nullptr) {
    if (pushed_) ImGui::PushFont(f);
  }
  ~FontScope() {
    if (pushed_) ImGui::PopFont();
  }
  FontScope(const FontScope&) = delete;
  FontScope& operator=(const FontScope&) = delete;

 private:
  bool pushed_;
};

}  // namespace vz
