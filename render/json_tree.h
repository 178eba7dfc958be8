// A compact, read-only tree of one JSON value: what the details panel shows for a slice's args.
//
// Why: the model never parses args at load (they stay as byte ranges into Trace::source); the
// panel parses only the one selected slice's args, on demand. The input is hostile as often as
// not (100k-deep nesting, megabyte strings, truncated files), so the parser
//   - is iterative (an explicit stack of open containers, never recursion),
//   - stops at a node budget and says so,
//   - on any error keeps the part parsed so far and reports the byte offset of the problem.
// Nodes hold byte ranges into the caller's text, never copies; strings are decoded only when
// shown (json_decode_string). No ImGui here: the widget that draws the tree is render/args_view.
//
// Layout: nodes are stored in pre-order. Node 0 is the root; a container's first child (when it
// has children) is the next node, and a node's next sibling is `nodes[i].end`, the index past its
// last descendant. So a subtree is the contiguous range [i, nodes[i].end).
//
// Usage
//   vz::JsonTree t = vz::parse_json_tree(text);
//   if (!t.ok()) report(vz::json_error_message(t.error), t.error_offset);   // t.nodes still usable
//   for (uint32_t c = t.first_child(0); c != t.nodes[0].end; c = t.next_sibling(c)) ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

// "No node": an index no tree uses.
inline constexpr uint32_t kJsonNoNode = 0xffffffffu;

// What a node holds.
enum class JsonKind : uint8_t { Object, Array, String, Number, Bool, Null };

// Bits of JsonNode::flags.
enum JsonNodeFlags : uint8_t {
  kJsonHasKey = 1 << 0,         // an object member: key_begin / key_len are valid
  kJsonKeyEscaped = 1 << 1,     // the key contains backslash escapes
  kJsonValueEscaped = 1 << 2,   // a string value contains backslash escapes
  kJsonIncomplete = 1 << 3,     // a container cut short by an error or the node budget
};

// One value. Offsets are bytes into the text the tree was parsed from.
struct JsonNode {
  uint32_t begin = 0;      // first byte of the value
  uint32_t len = 0;        // value bytes: strings with their quotes, containers with brackets
  uint32_t key_begin = 0;  // first byte of the key's content (just past its opening quote)
  uint32_t key_len = 0;    // bytes between the key's quotes
  uint32_t end = 0;        // index past this node's last descendant (the next sibling)
  uint32_t children = 0;   // number of direct children (containers)
  JsonKind kind = JsonKind::Null;  // what the value is
  uint8_t flags = 0;       // JsonNodeFlags
  bool has_key() const { return flags & kJsonHasKey; }           // an object member
  bool incomplete() const { return flags & kJsonIncomplete; }    // container never closed
  bool container() const { return kind == JsonKind::Object || kind == JsonKind::Array; }  // {} or []
};

// Why parsing stopped early; None when the whole text was one valid value.
enum class JsonError : uint8_t {
  None,
  UnexpectedEnd,    // the text ended inside a value
  UnexpectedChar,   // a byte that cannot start or continue anything here
  BadString,        // a control character or a malformed escape inside a string
  BadNumber,        // a token that looked like a number but is not valid JSON
  BadLiteral,       // a word other than true, false, null
  TrailingData,     // something follows the complete value
  TooManyNodes,     // the node budget was reached
  TooLarge,         // the text is 4 GiB or more (offsets are 32-bit)
};

// Short English description of an error ("unexpected end of input").
const char* json_error_message(JsonError e);

// A parsed value; see the file comment for the layout.
struct JsonTree {
  std::vector<JsonNode> nodes;        // pre-order; empty when not even the root could be read
  JsonError error = JsonError::None;  // why parsing stopped early
  uint64_t error_offset = 0;          // byte offset of the problem in the text
  bool ok() const { return error == JsonError::None; }                       // fully valid
  bool empty() const { return nodes.empty(); }                               // nothing parsed
  uint32_t first_child(uint32_t i) const { return i + 1; }                   // valid when children > 0
  uint32_t next_sibling(uint32_t i) const { return nodes[i].end; }           // may equal parent's end
  // Index of child number k of node i (0-based), or nodes[i].end when k >= children. O(k).
  uint32_t child(uint32_t i, uint32_t k) const;
};

// The default node budget: about a million values (some 28 MB of nodes).
inline constexpr uint32_t kJsonDefaultNodeBudget = 1u << 20;

// Parses one JSON value (leading and trailing whitespace allowed). Never throws and never recurses;
// on error the nodes read so far are kept, open containers are marked kJsonIncomplete and their
// len runs to the error offset.
JsonTree parse_json_tree(std::string_view text, uint32_t max_nodes = kJsonDefaultNodeBudget);

// The raw bytes of a node's value (with quotes for strings).
std::string_view json_raw(std::string_view text, const JsonNode& n);

// The raw content of a node's key, between the quotes (empty when the node has no key).
std::string_view json_raw_key(std::string_view text, const JsonNode& n);

// The decoded text of a string node (escapes resolved), or the raw token of any other scalar.
// Returns false (out holds the raw content) when the string has a malformed escape.
bool json_decode_string(std::string_view text, const JsonNode& n, std::string& out);

// The decoded key of an object member. Returns false (out holds the raw key) on a bad escape.
bool json_decode_key(std::string_view text, const JsonNode& n, std::string& out);

// Decodes at most `max_chars` code points of raw string content (between the quotes), never
// cutting an escape or a UTF-8 sequence in half, so a preview of a huge string costs only its
// preview. Returns true when the whole content fit. A malformed escape is copied raw.
bool json_unescape_prefix(std::string_view content, size_t max_chars, std::string& out);

}  // namespace vz
