// How much of a string can be visible in a given width: the prefix that bounds the work of drawing
// or measuring a name of unbounded length.
//
// Why: ImGui walks every byte of the text it draws or measures, clip rectangle or not (it also
// reserves vertices for every byte), so a 1 MB name costs tens of milliseconds per frame wherever
// it appears. A glyph is never narrower than the font's smallest advance, so no more than
// width / smallest advance glyphs (plus one partly shown) can be visible: everything after them can
// be left out without changing a pixel. The cut follows ImGui's own UTF-8 decoding, so it falls on
// a code point boundary for valid UTF-8.
//
// Limits: glyphs that advance by 0 (U+200B and friends) are counted like the narrowest glyph, and
// the count goes on across '\n', so a text whose later lines matter may show less of them. Neither
// happens in a name shorter than the width.
//
// Nothing here depends on ImGui (render/theme.h has the ImGui-facing fit_text()).
//
// Usage
//   std::string_view shown = vz::visible_prefix(name, clip_right - text_x, smallest_advance_px);
//   std::string_view cut = vz::utf8_prefix(long_text, 4096);  // a byte budget, on a boundary
//   std::string crumb = vz::elide_bytes(name, 48);            // "very_long_na..." when longer
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vz {

// Bytes of the UTF-8 sequence that starts with `lead`, as ImGui decodes it (1 for an ASCII byte or
// a byte that cannot start a sequence).
size_t utf8_sequence_length(unsigned char lead);

// At most `max_bytes` of `s`, cut before a sequence that would not fit whole.
std::string_view utf8_prefix(std::string_view s, size_t max_bytes);

// The last at most `max_bytes` of `s`, starting where a UTF-8 sequence starts (continuation bytes
// at the cut are left out).
std::string_view utf8_suffix(std::string_view s, size_t max_bytes);

// `s` when it has at most `max_bytes` bytes; else its utf8_prefix() of max_bytes - 3 bytes followed
// by "...", so the result never exceeds `max_bytes` (for max_bytes >= 3) and shows that it was cut.
// Every other byte is kept as it is ("##" and NUL included).
std::string elide_bytes(std::string_view s, size_t max_bytes);

// At most `max_glyphs` sequences of `s` (see utf8_sequence_length).
std::string_view glyph_prefix(std::string_view s, size_t max_glyphs);

// The longest prefix of `s` that can show in `width` pixels when no glyph advances less than
// `min_advance` pixels: `s` itself when it is short enough; empty when `width` <= 0. One extra
// glyph is kept for a glyph partly inside the width and one for ink that overhangs its advance.
std::string_view visible_prefix(std::string_view s, float width, float min_advance);

}  // namespace vz
