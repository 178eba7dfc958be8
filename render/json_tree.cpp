// The args tree parser. See json_tree.h.
#include "render/json_tree.h"

#include <algorithm>
#include <limits>

#include "formats/numbers.h"

namespace vz {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool valid_number(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digit = [&](size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') ++i;
  else while (digit(i)) ++i;
  if (i < n && s[i] == '.') {
    if (!digit(++i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

// The iterative parser: one pass over the text with an explicit stack of open containers.
class Parser {
 public:
  Parser(std::string_view text, uint32_t max_nodes, JsonTree& out)
      : s_(text), max_nodes_(max_nodes), t_(out) {}

  void run();

 private:
  enum class State { Value, ValueOrClose, Key, KeyOrClose, AfterValue };

  void skip_ws() {
    while (p_ < s_.size() && is_ws(s_[p_])) ++p_;
  }
  bool fail(JsonError e, size_t at);
  bool scan_string(size_t open, size_t* close, bool* escaped);
  bool value();
  bool key();
  bool after_value();
  bool add_node(JsonKind kind, size_t begin, size_t len, uint8_t flags);
  void close_open_containers(size_t at);

  std::string_view s_;
  uint32_t max_nodes_;
  JsonTree& t_;
  size_t p_ = 0;
  State state_ = State::Value;
  std::vector<uint32_t> open_;  // indices of containers not yet closed
  // The key read for the next value (object members only).
  bool have_key_ = false;
  uint32_t key_begin_ = 0, key_len_ = 0;
  bool key_escaped_ = false;
};

bool Parser::fail(JsonError e, size_t at) {
  t_.error = e;
  t_.error_offset = at;
  return false;
}

// `open` is the opening quote. Finds the closing quote, validating escapes and rejecting raw
// control characters (which JSON forbids inside strings).
bool Parser::scan_string(size_t open, size_t* close, bool* escaped) {
  const size_t n = s_.size();
  size_t i = open + 1;
  for (;;) {
    if (i >= n) return fail(JsonError::UnexpectedEnd, n);
    const unsigned char c = static_cast<unsigned char>(s_[i]);
    if (c == '"') break;
    if (c < 0x20) return fail(JsonError::BadString, i);
    if (c != '\\') {
      ++i;
      continue;
    }
    *escaped = true;
    if (i + 1 >= n) return fail(JsonError::UnexpectedEnd, n);
    const char e = s_[i + 1];
    if (e == 'u') {
      for (size_t k = i + 2; k < i + 6; ++k) {
        if (k >= n) return fail(JsonError::UnexpectedEnd, n);
        if (!is_hex(s_[k])) return fail(JsonError::BadString, i);
      }
      i += 6;
    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
               e == 't') {
      i += 2;
    } else {
      return fail(JsonError::BadString, i);
    }
  }
  *close = i;
  return true;
}

bool Parser::add_node(JsonKind kind, size_t begin, size_t len, uint8_t flags) {
  if (t_.nodes.size() >= max_nodes_) return fail(JsonError::TooManyNodes, begin);
  JsonNode node;
  node.kind = kind;
  node.begin = uint32_t(begin);
  node.len = uint32_t(len);
  node.flags = flags;
  if (have_key_) {
    node.flags |= kJsonHasKey | (key_escaped_ ? kJsonKeyEscaped : 0);
    node.key_begin = key_begin_;
    node.key_len = key_len_;
    have_key_ = false;
  }
  node.end = uint32_t(t_.nodes.size() + 1);
  if (!open_.empty()) t_.nodes[open_.back()].children++;
  t_.nodes.push_back(node);
  return true;
}

// At the first byte of a value (whitespace skipped).
bool Parser::value() {
  const size_t at = p_;
  const char c = s_[at];
  if (c == '{' || c == '[') {
    if (!add_node(c == '{' ? JsonKind::Object : JsonKind::Array, at, 1, 0)) return false;
    open_.push_back(uint32_t(t_.nodes.size() - 1));
    state_ = c == '{' ? State::KeyOrClose : State::ValueOrClose;
    ++p_;
    return true;
  }
  if (c == '"') {
    size_t close = 0;
    bool esc = false;
    if (!scan_string(at, &close, &esc)) return false;
    if (!add_node(JsonKind::String, at, close + 1 - at, esc ? kJsonValueEscaped : 0)) return false;
    p_ = close + 1;
    state_ = State::AfterValue;
    return true;
  }
  size_t e = at;
  while (e < s_.size() && (s_[e] == '-' || s_[e] == '+' || s_[e] == '.' || (s_[e] >= '0' && s_[e] <= '9') ||
                           (s_[e] >= 'a' && s_[e] <= 'z') || (s_[e] >= 'A' && s_[e] <= 'Z')))
    ++e;
  if (e == at) return fail(JsonError::UnexpectedChar, at);
  const std::string_view word = s_.substr(at, e - at);
  JsonKind kind = JsonKind::Number;
  if (word == "true" || word == "false") kind = JsonKind::Bool;
  else if (word == "null") kind = JsonKind::Null;
  else if (word == "NaN" || word == "Infinity" || word == "-Infinity") kind = JsonKind::Number;  // Python's
  else if (c == '-' || (c >= '0' && c <= '9')) {
    if (!valid_number(word)) return fail(JsonError::BadNumber, at);
  } else {
    return fail(JsonError::BadLiteral, at);
  }
  if (!add_node(kind, at, word.size(), 0)) return false;
  p_ = e;
  state_ = State::AfterValue;
  return true;
}

// At the opening quote of a key (or not, which is an error).
bool Parser::key() {
  if (s_[p_] != '"') return fail(JsonError::UnexpectedChar, p_);
  size_t close = 0;
  bool esc = false;
  if (!scan_string(p_, &close, &esc)) return false;
  key_begin_ = uint32_t(p_ + 1);
  key_len_ = uint32_t(close - p_ - 1);
  key_escaped_ = esc;
  have_key_ = true;
  p_ = close + 1;
  skip_ws();
  if (p_ >= s_.size()) return fail(JsonError::UnexpectedEnd, p_);
  if (s_[p_] != ':') return fail(JsonError::UnexpectedChar, p_);
  ++p_;
  state_ = State::Value;
  return true;
}

// After a complete value inside a container: a comma or the matching close.
bool Parser::after_value() {
  JsonNode& top = t_.nodes[open_.back()];
  const char c = s_[p_];
  if (c == ',') {
    state_ = top.kind == JsonKind::Object ? State::Key : State::Value;
    ++p_;
    return true;
  }
  if ((c == '}' && top.kind == JsonKind::Object) || (c == ']' && top.kind == JsonKind::Array)) {
    ++p_;
    top.len = uint32_t(p_ - top.begin);
    top.end = uint32_t(t_.nodes.size());
    open_.pop_back();
    state_ = State::AfterValue;
    return true;
  }
  return fail(JsonError::UnexpectedChar, p_);
}

void Parser::close_open_containers(size_t at) {
  for (uint32_t i : open_) {
    JsonNode& n = t_.nodes[i];
    n.len = uint32_t(at - n.begin);
    n.end = uint32_t(t_.nodes.size());
    n.flags |= kJsonIncomplete;
  }
  open_.clear();
}

void Parser::run() {
  if (s_.size() >= std::numeric_limits<uint32_t>::max()) {
    fail(JsonError::TooLarge, 0);
    return;
  }
  bool ok = true;
  while (ok) {
    skip_ws();
    const bool done = state_ == State::AfterValue && open_.empty();
    if (done) {
      if (p_ < s_.size()) fail(JsonError::TrailingData, p_);
      break;
    }
    if (p_ >= s_.size()) {
      ok = fail(JsonError::UnexpectedEnd, p_);
      break;
    }
    switch (state_) {
      case State::ValueOrClose:
        if (s_[p_] == ']') {
          ok = after_value();
          break;
        }
        [[fallthrough]];
      case State::Value: ok = value(); break;
      case State::KeyOrClose:
        if (s_[p_] == '}') {
          ok = after_value();
          break;
        }
        [[fallthrough]];
      case State::Key: ok = key(); break;
      case State::AfterValue: ok = after_value(); break;
    }
  }
  if (!ok) close_open_containers(size_t(t_.error_offset));
}

}  // namespace

const char* json_error_message(JsonError e) {
  switch (e) {
    case JsonError::None: return "no error";
    case JsonError::UnexpectedEnd: return "unexpected end of input";
    case JsonError::UnexpectedChar: return "unexpected character";
    case JsonError::BadString: return "bad string (control character or malformed escape)";
    case JsonError::BadNumber: return "malformed number";
    case JsonError::BadLiteral: return "unknown literal (expected true, false or null)";
    case JsonError::TrailingData: return "data after the value";
    case JsonError::TooManyNodes: return "too many values (node budget reached)";
    case JsonError::TooLarge: return "input of 4 GiB or more";
  }
  return "unknown error";
}

uint32_t JsonTree::child(uint32_t i, uint32_t k) const {
  const uint32_t end = nodes[i].end;
  uint32_t c = first_child(i);
  for (uint32_t n = 0; n < k && c < end; ++n) c = next_sibling(c);
  return c < end ? c : end;
}

JsonTree parse_json_tree(std::string_view text, uint32_t max_nodes) {
  JsonTree tree;
  Parser(text, max_nodes, tree).run();
  return tree;
}

std::string_view json_raw(std::string_view text, const JsonNode& n) {
  if (n.begin > text.size()) return {};
  return text.substr(n.begin, n.len);
}

std::string_view json_raw_key(std::string_view text, const JsonNode& n) {
  if (!n.has_key() || n.key_begin > text.size()) return {};
  return text.substr(n.key_begin, n.key_len);
}

bool json_decode_string(std::string_view text, const JsonNode& n, std::string& out) {
  std::string_view raw = json_raw(text, n);
  if (n.kind != JsonKind::String || raw.size() < 2) {
    out.assign(raw);
    return true;
  }
  raw = raw.substr(1, raw.size() - 2);
  if (!(n.flags & kJsonValueEscaped)) {
    out.assign(raw);
    return true;
  }
  if (unescape_json(raw, out)) return true;
  out.assign(raw);
  return false;
}

bool json_decode_key(std::string_view text, const JsonNode& n, std::string& out) {
  const std::string_view raw = json_raw_key(text, n);
  if (!(n.flags & kJsonKeyEscaped)) {
    out.assign(raw);
    return true;
  }
  if (unescape_json(raw, out)) return true;
  out.assign(raw);
  return false;
}

bool json_unescape_prefix(std::string_view content, size_t max_chars, std::string& out) {
  out.clear();
  std::string piece;
  size_t i = 0, chars = 0;
  const size_t n = content.size();
  while (i < n && chars < max_chars) {
    size_t len = 1;
    if (content[i] == '\\') {
      len = (i + 1 < n && content[i + 1] == 'u') ? 6 : 2;
      // A surrogate pair is one code point: keep both halves together.
      if (len == 6 && i + 12 <= n && content[i + 6] == '\\' && content[i + 7] == 'u' &&
          (content[i + 2] == 'd' || content[i + 2] == 'D') &&
          std::string_view("89abAB").find(content[i + 3]) != std::string_view::npos)
        len = 12;
      len = std::min(len, n - i);
      if (unescape_json(content.substr(i, len), piece)) out += piece;
      else out.append(content.substr(i, len));
    } else {
      const unsigned char b = static_cast<unsigned char>(content[i]);
      len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      len = std::min(len, n - i);
      out.append(content.substr(i, len));
    }
    i += len;
    ++chars;
  }
  return i >= n;
}

}  // namespace vz
