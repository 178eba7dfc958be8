// Tests of render/json_tree.cpp: the args parser behind the details panel. Randomised documents are
// checked node by node against what their generator wrote (kinds, keys, decoded strings, byte
// ranges, child counts), then cut, extended and corrupted; hostile shapes (100k-deep nesting,
// huge strings, the node budget) and malformed escapes get their own cases.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "formats/numbers.h"
#include "render/json_tree.h"

using namespace vz;

namespace {

// Deterministic pseudo-random numbers (tests must not depend on the platform's <random>).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 1) {}
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return uint32_t(s >> 16);
  }
  uint32_t below(uint32_t n) { return next() % n; }
};

// What the generator wrote for one node, in pre-order.
struct Expect {
  JsonKind kind;
  bool has_key = false;
  std::string key;     // decoded
  std::string value;   // decoded string, or the raw token of other scalars
  uint32_t begin = 0, len = 0, end = 0, children = 0;
};

// Writes random JSON with random whitespace and escape choices, recording every node.
struct Gen {
  Rng rng;
  std::string text;
  std::vector<Expect> nodes;

  explicit Gen(uint64_t seed) : rng(seed) {}

  void ws() {
    static const char* kWs[] = {"", "", "", " ", "\n  ", "\t", "\r\n"};
    text += kWs[rng.below(7)];
  }

  // A random string of code points: ASCII, controls, quotes, backslashes, 2/3/4-byte UTF-8.
  std::string random_text() {
    static const char* kPieces[] = {"a", "b", "Z", " ", "\"", "\\", "/", "\n", "\t", "\x01", "\x1f",
                                    "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "{", "}", "[", ",", ":"};
    std::string s;
    const uint32_t n = rng.below(12);
    for (uint32_t i = 0; i < n; ++i) s += kPieces[rng.below(19)];
    return s;
  }

  // Encodes `s` as a JSON string literal, escaping optional characters at random.
  void write_string(const std::string& s) {
    text += '"';
    for (size_t i = 0; i < s.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(s[i]);
      char buf[16];
      if (c == '"' || c == '\\' || c < 0x20) {
        if (c == '\n' && rng.below(2)) text += "\\n";
        else if (c == '"' && rng.below(2)) text += "\\\"";
        else if (c == '\\' && rng.below(2)) text += "\\\\";
        else {
          std::snprintf(buf, sizeof buf, rng.below(2) ? "\\u%04x" : "\\u%04X", c);
          text += buf;
        }
      } else if (c == '/' && rng.below(2)) {
        text += "\\/";
      } else if (c == 0xf0 && rng.below(2)) {  // the emoji as a surrogate pair
        text += "\\ud83d\\uDE00";
        i += 3;
      } else if (c == 0xc3 && rng.below(2)) {  // é as \u00e9
        text += "\\u00e9";
        i += 1;
      } else {
        text += char(c);
      }
    }
    text += '"';
  }

  std::string random_number() {
    static const char* kNums[] = {"0", "-0", "7", "-12", "3.25", "1e9", "-2.5E-3", "6.02e+23", "100000000000000000000"};
    return kNums[rng.below(9)];
  }

  // Writes one value at `depth`; `key` (when non-null) was already written.
  void value(int depth, const std::string* key) {
    const uint32_t at = uint32_t(nodes.size());
    nodes.push_back(Expect{});
    Expect e;
    if (key) e.has_key = true, e.key = *key;
    e.begin = uint32_t(text.size());
    const uint32_t pick = depth == 0 ? 0 : rng.below(depth > 5 ? 4 : 6);
    if (pick == 0 || pick == 4) {
      e.kind = JsonKind::Object;
      text += '{';
      const uint32_t n = rng.below(depth == 0 ? 8 : 5);
      for (uint32_t i = 0; i < n; ++i) {
        if (i) text += ',';
        ws();
        const std::string k = random_text();
        write_string(k);
        ws();
        text += ':';
        ws();
        value(depth + 1, &k);
        ws();
      }
      text += '}';
      e.children = n;
    } else if (pick == 5) {
      e.kind = JsonKind::Array;
      text += '[';
      const uint32_t n = rng.below(6);
      for (uint32_t i = 0; i < n; ++i) {
        if (i) text += ',';
        ws();
        value(depth + 1, nullptr);
        ws();
      }
      text += ']';
      e.children = n;
    } else if (pick == 1) {
      e.kind = JsonKind::String;
      e.value = random_text();
      write_string(e.value);
    } else if (pick == 2) {
      e.kind = JsonKind::Number;
      e.value = random_number();
      text += e.value;
    } else {
      static const char* kLits[] = {"true", "false", "null"};
      const uint32_t l = rng.below(3);
      e.kind = l == 2 ? JsonKind::Null : JsonKind::Bool;
      e.value = kLits[l];
      text += e.value;
    }
    e.len = uint32_t(text.size()) - e.begin;
    e.end = uint32_t(nodes.size());
    nodes[at] = e;
  }
};

// The structural promises of the layout, for any tree (valid or not): returns failures.
int check_layout(const JsonTree& t, size_t text_size) {
  int bad = 0;
  std::vector<uint32_t> open;  // ancestors of the current node
  for (uint32_t i = 0; i < t.nodes.size(); ++i) {
    const JsonNode& n = t.nodes[i];
    while (!open.empty() && t.nodes[open.back()].end <= i) open.pop_back();
    if (n.end <= i || n.end > t.nodes.size()) ++bad;
    if (!open.empty() && n.end > t.nodes[open.back()].end) ++bad;
    if (uint64_t(n.begin) + n.len > text_size) ++bad;
    if (!n.container() && n.end != i + 1) ++bad;
    if (n.container()) {
      uint32_t count = 0;
      for (uint32_t c = t.first_child(i); c < n.end; c = t.next_sibling(c)) ++count;
      if (count != n.children) ++bad;
      open.push_back(i);
    }
  }
  return bad;
}

// Compares node i of `t` with what the generator wrote.
void check_node(std::string_view text, const JsonTree& t, const Expect& e, uint32_t i, bool exact_len) {
  INFO("node ", i);
  const JsonNode& n = t.nodes[i];
  CHECK(n.kind == e.kind);
  CHECK(n.begin == e.begin);
  CHECK(n.has_key() == e.has_key);
  std::string s;
  if (e.has_key) {
    CHECK(json_decode_key(text, n, s));
    CHECK(s == e.key);
  }
  if (!exact_len) return;
  CHECK(n.len == e.len);
  CHECK(n.end == e.end);
  CHECK(n.children == e.children);
  if (!n.container()) {
    CHECK(json_decode_string(text, n, s));
    CHECK(s == e.value);
  }
}

JsonTree parse(std::string_view s) { return parse_json_tree(s); }

}  // namespace

TEST_CASE("json_tree: random documents match their generator node for node") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    Gen g(seed);
    g.ws();
    g.value(0, nullptr);
    g.ws();
    INFO("seed ", seed, " text ", g.text);
    const JsonTree t = parse(g.text);
    REQUIRE(t.ok());
    REQUIRE(t.nodes.size() == g.nodes.size());
    CHECK(check_layout(t, g.text.size()) == 0);
    for (uint32_t i = 0; i < t.nodes.size(); ++i) check_node(g.text, t, g.nodes[i], i, true);
  }
}

TEST_CASE("json_tree: a cut document keeps every node read before the cut") {
  for (uint64_t seed = 1; seed <= 120; ++seed) {
    Gen g(seed);
    g.value(0, nullptr);
    const std::string& full = g.text;
    Rng rng(seed);
    for (int k = 0; k < 12; ++k) {
      const size_t cut = rng.below(uint32_t(full.size()));  // never the whole text
      const std::string_view part(full.data(), cut);
      INFO("seed ", seed, " cut ", cut, " text ", full);
      const JsonTree t = parse(part);
      CHECK_FALSE(t.ok());
      CHECK(t.error_offset <= cut);
      CHECK(check_layout(t, cut) == 0);
      REQUIRE(t.nodes.size() <= g.nodes.size());
      for (uint32_t i = 0; i < t.nodes.size(); ++i) {
        const JsonNode& n = t.nodes[i];
        // Only the last node can be a number cut short; closed containers and strings are whole.
        const bool whole = !n.incomplete() && (i + 1 < t.nodes.size() || n.kind != JsonKind::Number);
        check_node(full, t, g.nodes[i], i, whole);
      }
      CHECK(t.nodes.empty() == (cut == 0));
      if (!t.nodes.empty()) CHECK(t.nodes[0].incomplete());
    }
  }
}

TEST_CASE("json_tree: data after the value is reported, the value kept") {
  Gen g(7);
  g.value(0, nullptr);
  const std::string text = g.text + "  ,{}";
  const JsonTree t = parse(text);
  CHECK(t.error == JsonError::TrailingData);
  CHECK(t.error_offset == g.text.size() + 2);
  REQUIRE(t.nodes.size() == g.nodes.size());
  CHECK_FALSE(t.nodes[0].incomplete());
}

TEST_CASE("json_tree: corrupted documents never break the layout") {
  static const char kBytes[] = "{}[]\",:\\ax0-.e\x01\xff";
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Gen g(seed);
    g.value(0, nullptr);
    Rng rng(seed * 31);
    std::string text = g.text;
    for (int k = 0; k < 3; ++k) text[rng.below(uint32_t(text.size()))] = kBytes[rng.below(sizeof kBytes - 1)];
    const JsonTree t = parse(text);
    INFO("seed ", seed, " text ", text);
    CHECK(check_layout(t, text.size()) == 0);
    CHECK(t.error_offset <= text.size());
    if (!t.ok()) {
      for (const JsonNode& n : t.nodes)
        if (n.container() && n.incomplete()) CHECK(uint64_t(n.begin) + n.len == t.error_offset);
    }
  }
}

TEST_CASE("json_tree: 100k-deep nesting, closed and unclosed") {
  const size_t depth = 100000;
  std::string arrays(depth, '[');
  arrays += std::string(depth, ']');
  JsonTree t = parse(arrays);
  REQUIRE(t.ok());
  REQUIRE(t.nodes.size() == depth);
  CHECK(t.nodes[0].end == depth);
  CHECK(t.nodes[0].len == 2 * depth);
  CHECK(t.nodes[depth - 1].children == 0);
  CHECK(t.nodes[depth - 2].children == 1);
  CHECK(check_layout(t, arrays.size()) == 0);

  std::string objects;
  for (size_t i = 0; i < depth; ++i) objects += "{\"k\":";
  objects += "1";
  t = parse(objects);
  CHECK(t.error == JsonError::UnexpectedEnd);
  CHECK(t.error_offset == objects.size());
  REQUIRE(t.nodes.size() == depth + 1);
  CHECK(t.nodes[depth].kind == JsonKind::Number);
  CHECK(t.nodes[depth - 1].incomplete());
  CHECK(t.nodes[0].end == depth + 1);
  CHECK(t.nodes[0].len == objects.size());
}

TEST_CASE("json_tree: Python's NaN, Infinity and -Infinity are numbers") {
  const JsonTree t = parse(R"({"a":NaN,"b":[Infinity,-Infinity],"c":"NaN"})");
  CHECK(t.error == JsonError::None);
  int numbers = 0;
  for (const JsonNode& n : t.nodes) numbers += n.kind == JsonKind::Number;
  CHECK(numbers == 3);
}

TEST_CASE("json_tree: malformed strings and escapes report the offending byte") {
  struct Case {
    const char* text;
    JsonError error;
    uint64_t offset;
  };
  const Case cases[] = {
      {R"({"a":"x\qy"})", JsonError::BadString, 7},
      {R"({"a":"\u12G4"})", JsonError::BadString, 6},
      {R"({"a\x":1})", JsonError::BadString, 3},
      {"{\"a\":\"tab\there\"}", JsonError::BadString, 9},
      {R"({"a":"\u12)", JsonError::UnexpectedEnd, 10},
      {R"({"a":"abc)", JsonError::UnexpectedEnd, 9},
      {R"({"a":"\)", JsonError::UnexpectedEnd, 7},
      {R"({"a":tru})", JsonError::BadLiteral, 5},
      {R"({"a":01})", JsonError::BadNumber, 5},
      {R"({"a":1.})", JsonError::BadNumber, 5},
      {R"({"a":-})", JsonError::BadNumber, 5},
      {R"({"a":Nan})", JsonError::BadLiteral, 5},
      {R"({"a":infinity})", JsonError::BadLiteral, 5},
      {R"({"a" 1})", JsonError::UnexpectedChar, 5},
      {R"({"a":1,})", JsonError::UnexpectedChar, 7},
      {R"([1,])", JsonError::UnexpectedChar, 3},
      {R"([1}])", JsonError::UnexpectedChar, 2},
      {R"({1:2})", JsonError::UnexpectedChar, 1},
      {"", JsonError::UnexpectedEnd, 0},
      {"   ", JsonError::UnexpectedEnd, 3},
  };
  for (const Case& c : cases) {
    INFO("text ", c.text);
    const JsonTree t = parse(c.text);
    CHECK(t.error == c.error);
    CHECK(t.error_offset == c.offset);
    CHECK(json_error_message(t.error) != std::string("no error"));
  }
  // A lone surrogate is well-formed JSON; it decodes to U+FFFD.
  const std::string lone = R"(["\ud800x"])";
  const JsonTree t = parse(lone);
  REQUIRE(t.ok());
  std::string s;
  CHECK(json_decode_string(lone, t.nodes[1], s));
  CHECK(s == "\xef\xbf\xbdx");
}

TEST_CASE("json_tree: huge strings parse as one node and preview cheaply") {
  std::string body;
  for (int i = 0; i < 1 << 20; ++i) body += (i % 97 == 0) ? "\\n" : (i % 13 == 0 ? "\\u00e9" : "abcdefghijklmnop");
  const std::string text = "{\"big\":\"" + body + "\",\"after\":true}";
  const JsonTree t = parse(text);
  REQUIRE(t.ok());
  REQUIRE(t.nodes.size() == 3);
  CHECK(t.nodes[1].len == body.size() + 2);
  CHECK(t.nodes[2].kind == JsonKind::Bool);
  std::string full, expect, preview;
  CHECK(json_decode_string(text, t.nodes[1], full));
  REQUIRE(unescape_json(body, expect));
  CHECK(full == expect);
  CHECK_FALSE(json_unescape_prefix(body, 200, preview));
  size_t bytes = 0, points = 0;  // the first 200 code points of the decoded text
  while (bytes < full.size() && points < 200)
    points += (static_cast<unsigned char>(full[bytes++]) & 0xc0) != 0x80 ? 1 : 0;
  while (bytes < full.size() && (static_cast<unsigned char>(full[bytes]) & 0xc0) == 0x80) ++bytes;
  CHECK(preview == full.substr(0, bytes));
}

TEST_CASE("json_tree: prefixes never split an escape or a UTF-8 sequence") {
  std::string s;
  CHECK_FALSE(json_unescape_prefix("\\ud83d\\ude00abc", 1, s));
  CHECK(s == "\xf0\x9f\x98\x80");
  CHECK_FALSE(json_unescape_prefix("\xc3\xa9\xe2\x82\xac", 1, s));
  CHECK(s == "\xc3\xa9");
  CHECK(json_unescape_prefix("\xc3\xa9\xe2\x82\xac", 2, s));
  CHECK(s == "\xc3\xa9\xe2\x82\xac");
  CHECK_FALSE(json_unescape_prefix("a\\nb", 2, s));
  CHECK(s == "a\n");
  CHECK(json_unescape_prefix("a\\qb", 10, s));  // a bad escape is copied raw
  CHECK(s == "a\\qb");
  CHECK(json_unescape_prefix("", 0, s));
  CHECK(s.empty());
}

TEST_CASE("json_tree: the node budget stops parsing and says where") {
  std::string text = "[";
  for (int i = 0; i < 2000; ++i) text += (i ? ",[" : "[") + std::to_string(i) + "]";
  text += "]";
  const JsonTree full = parse(text);
  REQUIRE(full.ok());
  CHECK(full.nodes.size() == 4001);
  const JsonTree t = parse_json_tree(text, 1000);
  CHECK(t.error == JsonError::TooManyNodes);
  REQUIRE(t.nodes.size() == 1000);
  CHECK(t.error_offset == full.nodes[1000].begin);
  CHECK(t.nodes[0].incomplete());
  CHECK(t.nodes[0].children == 500);
  CHECK(check_layout(t, text.size()) == 0);
  CHECK(t.child(0, 499) == 999);
  CHECK(t.nodes[999].incomplete());
  CHECK(t.child(0, 500) == t.nodes[0].end);
}
