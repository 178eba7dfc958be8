// Tests of render/text_fit.cpp: the visible prefix of a string is a prefix on a UTF-8 boundary,
// holds every glyph that can start inside the width (plus the margin), and its work is bounded by
// the width, not by the string (a 64 MB name).
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "render/text_fit.h"

using namespace vz;

namespace {

// Code points (ImGui's sequences) in a string.
size_t glyphs(std::string_view s) {
  size_t n = 0;
  for (size_t at = 0; at < s.size(); ++n) at += utf8_sequence_length(static_cast<unsigned char>(s[at]));
  return n;
}

bool on_boundary(std::string_view whole, size_t at) {
  return at == whole.size() || (static_cast<unsigned char>(whole[at]) & 0xc0) != 0x80;
}

}  // namespace

TEST_CASE("sequence lengths follow the lead byte") {
  CHECK(utf8_sequence_length('a') == 1);
  CHECK(utf8_sequence_length(0xc3) == 2);  // é
  CHECK(utf8_sequence_length(0xe2) == 3);  // …
  CHECK(utf8_sequence_length(0xf0) == 4);  // emoji
  CHECK(utf8_sequence_length(0x80) == 1);  // a stray continuation byte
  CHECK(utf8_sequence_length(0xff) == 1);
}

TEST_CASE("short strings are kept whole") {
  CHECK(visible_prefix("main", 100.0f, 4.0f) == "main");
  CHECK(visible_prefix("", 100.0f, 4.0f).empty());
  const std::string s(50, 'x');  // 50 glyphs of at least 4 px: 200 px at least
  CHECK(visible_prefix(s, 200.0f, 4.0f) == s);
  CHECK(visible_prefix(s, 1000.0f, 4.0f) == s);
}

TEST_CASE("a long string is cut after the glyphs that can start inside the width, plus two") {
  const std::string s(1000, 'x');
  // 100 px at 4 px per glyph at least: glyphs 0..24 start inside; one more partly, one for overhang.
  CHECK(visible_prefix(s, 100.0f, 4.0f).size() == 27);
  CHECK(visible_prefix(s, 101.0f, 4.0f).size() == 27);
  CHECK(visible_prefix(s, 3.0f, 4.0f).size() == 2);
  CHECK(visible_prefix(s, 0.0f, 4.0f).empty());   // nothing shows
  CHECK(visible_prefix(s, -5.0f, 4.0f).empty());
  CHECK(visible_prefix(s, 100.0f, 0.0f) == s);    // no bound known: nothing is cut
}

TEST_CASE("cuts fall between code points") {
  // "é" is 2 bytes, "…" 3, "😀" 4: every cut of a mixed string lands on a boundary and keeps
  // exactly the glyphs asked for.
  std::string s;
  for (int i = 0; i < 200; ++i) s += i % 4 == 0 ? "a" : i % 4 == 1 ? "\xc3\xa9" : i % 4 == 2 ? "\xe2\x80\xa6" : "\xf0\x9f\x98\x80";
  REQUIRE(glyphs(s) == 200);
  for (float w = 1.0f; w < 900.0f; w += 7.0f) {
    const std::string_view p = visible_prefix(s, w, 5.0f);
    CHECK(s.compare(0, p.size(), p) == 0);
    CHECK(on_boundary(s, p.size()));
    const size_t want = std::min<size_t>(200, size_t(w / 5.0f) + 2);
    CHECK(glyphs(p) == want);
  }
  for (size_t max = 0; max <= s.size(); ++max) {
    const std::string_view p = utf8_prefix(s, max);
    CHECK(p.size() <= max);
    CHECK(on_boundary(s, p.size()));
    CHECK(max - p.size() < 4);  // the longest sequence that would not fit
    const std::string_view t = utf8_suffix(s, max);
    CHECK(t.size() <= max);
    CHECK(t.data() + t.size() == s.data() + s.size());  // a tail
    CHECK(on_boundary(s, s.size() - t.size()));
    CHECK(max - t.size() < 4);
  }
}

TEST_CASE("a prefix ending in a cut sequence stays inside the string") {
  const std::string s = std::string(40, 'x') + "\xe2\x80";  // a 3-byte lead with one byte after it
  CHECK(glyph_prefix(s, 41) == s);
  CHECK(glyph_prefix(s, 40) == std::string(40, 'x'));
  CHECK(utf8_prefix(s, 41) == std::string(40, 'x'));
}

TEST_CASE("a huge name costs what its visible part costs") {
  const std::string huge(size_t(64) << 20, 'A');  // 64 MB
  const std::string_view p = visible_prefix(huge, 1600.0f, 4.0f);
  CHECK(p.size() == 402);
  CHECK(p.data() == huge.data());  // a view, no copy
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "\xe2\x80\xa6";
  CHECK(visible_prefix(many, 40.0f, 8.0f).size() == 3 * 7);
}

TEST_CASE("elide_bytes keeps short names as they are and cuts long ones on a boundary with '...'") {
  CHECK(elide_bytes("main", 48) == "main");
  CHECK(elide_bytes("", 48).empty());
  // Bytes an ImGui label would act on are kept: "##", "###" and NUL.
  const std::string odd("a##b###c\0d", 10);
  CHECK(elide_bytes(odd, 48) == odd);
  CHECK(elide_bytes(odd, 10) == odd);
  CHECK(elide_bytes(odd, 9) == std::string("a##b##...", 9));
  const std::string exact(48, 'x');
  CHECK(elide_bytes(exact, 48) == exact);
  const std::string over(49, 'x');
  CHECK(elide_bytes(over, 48) == std::string(45, 'x') + "...");
  // A multi-byte sequence is never split: "é" (2 bytes) straddling the cut is left out whole.
  const std::string accents = std::string(44, 'x') + "\xc3\xa9" + std::string(10, 'y');
  const std::string cut = elide_bytes(accents, 48);
  CHECK(cut == std::string(44, 'x') + "...");
  CHECK(cut.size() <= 48);
  // Degenerate budgets still give at most a marker.
  CHECK(elide_bytes("abcdef", 3) == "...");
  CHECK(elide_bytes("abcdef", 0) == "...");
}
