// The visible prefix of a string. See text_fit.h.
#include "render/text_fit.h"

#include <algorithm>
#include <cmath>

namespace vz {

size_t utf8_sequence_length(unsigned char lead) {
  if ((lead & 0xe0) == 0xc0) return 2;
  if ((lead & 0xf0) == 0xe0) return 3;
  if ((lead & 0xf8) == 0xf0) return 4;
  return 1;  // ASCII, or a byte ImGui stops or substitutes at
}

std::string_view utf8_prefix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t at = 0;
  while (at < s.size()) {
    const size_t next = at + utf8_sequence_length(static_cast<unsigned char>(s[at]));
    if (next > max_bytes) break;
    at = next;
  }
  return s.substr(0, at);
}

std::string_view utf8_suffix(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t from = s.size() - max_bytes;
  while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xC0) == 0x80) ++from;
  return s.substr(from);
}

std::string elide_bytes(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  return std::string(utf8_prefix(s, max_bytes - std::min<size_t>(3, max_bytes))) + "...";
}

std::string_view glyph_prefix(std::string_view s, size_t max_glyphs) {
  if (s.size() <= max_glyphs) return s;  // a glyph takes at least one byte
  size_t at = 0;
  for (size_t n = 0; n < max_glyphs && at < s.size(); ++n) at += utf8_sequence_length(static_cast<unsigned char>(s[at]));
  return s.substr(0, std::min(at, s.size()));
}

std::string_view visible_prefix(std::string_view s, float width, float min_advance) {
  if (!(width > 0)) return s.substr(0, 0);
  if (!(min_advance > 0)) return s;  // no bound known: keep everything
  const double glyphs = std::floor(double(width) / double(min_advance)) + 2.0;
  if (glyphs >= double(s.size())) return s;
  return glyph_prefix(s, size_t(glyphs));
}

}  // namespace vz
