#include "formats/json_scan.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "formats/utf8.h"

namespace vz::json {
namespace {

// True for a well-formed JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool valid_number(const char* p, const char* e) {
  if (p < e && *p == '-') ++p;
  if (p >= e || unsigned(*p - '0') > 9) return false;
  if (*p == '0') ++p;
  else while (p < e && unsigned(*p - '0') <= 9) ++p;
  if (p < e && *p == '.') {
    const char* f = ++p;
    while (p < e && unsigned(*p - '0') <= 9) ++p;
    if (p == f) return false;
  }
  if (p < e && (*p == 'e' || *p == 'E')) {
    ++p;
    if (p < e && (*p == '+' || *p == '-')) ++p;
    const char* x = p;
    while (p < e && unsigned(*p - '0') <= 9) ++p;
    if (p == x) return false;
  }
  return p == e;
}

// The containers open around the current position. Small nesting stays in a fixed buffer; deep
// nesting (tested to 100000 levels) moves to the heap. Never recursion.
class Stack {
 public:
  void push(char c) {
    if (n_ < sizeof(small_)) small_[n_] = c;
    else big_.push_back(c);
    ++n_;
  }
  void pop() {
    if (n_ > sizeof(small_)) big_.pop_back();
    --n_;
  }
  char top() const { return n_ > sizeof(small_) ? big_.back() : small_[n_ - 1]; }
  bool empty() const { return n_ == 0; }

 private:
  char small_[64];
  std::vector<char> big_;
  size_t n_ = 0;
};

}  // namespace

const char* skip_value(const char* p, const char* end, const char** err_at) {
  enum State { kValue, kValueOrClose, kKey, kKeyOrClose, kAfterValue } state = kValue;
  Stack stack;
  auto fail = [&](const char* at) -> const char* {
    *err_at = at;
    return nullptr;
  };
  for (;;) {
    if (state != kValue || !stack.empty()) p = skip_ws(p, end);
    if (p >= end) return fail(end);
    char c = *p;
    switch (state) {
      case kValueOrClose:
        if (c == ']') {
          stack.pop();
          ++p;
          break;  // a value ended
        }
        [[fallthrough]];
      case kValue:
        if (c == '{' || c == '[') {
          stack.push(c);
          state = c == '{' ? kKeyOrClose : kValueOrClose;
          ++p;
          continue;
        }
        if (c == '"') {
          bool esc = false;
          const char* q = scan_string(p + 1, end, &esc);
          if (q >= end) return fail(end);
          p = q + 1;
        } else {
          const char* q = scan_atom(p, end);
          std::string_view w(p, size_t(q - p));
          bool ok = (c >= 'a' && c <= 'z') ? (w == "true" || w == "false" || w == "null")
                                            : valid_number(p, q) || non_finite_literal(w);
          if (q == p || !ok) return fail(p);
          p = q;
        }
        break;  // a value ended
      case kKeyOrClose:
        if (c == '}') {
          stack.pop();
          ++p;
          break;
        }
        [[fallthrough]];
      case kKey: {
        if (c != '"') return fail(p);
        bool esc = false;
        const char* q = scan_string(p + 1, end, &esc);
        if (q >= end) return fail(end);
        p = skip_ws(q + 1, end);
        if (p >= end) return fail(end);
        if (*p != ':') return fail(p);
        ++p;
        state = kValue;
        continue;
      }
      case kAfterValue:
        if (c == ',') {  // (a trailing comma before the close is accepted: producers write them)
          state = stack.top() == '{' ? kKeyOrClose : kValueOrClose;
          ++p;
          continue;
        }
        if ((c == '}' && stack.top() == '{') || (c == ']' && stack.top() == '[')) {
          stack.pop();
          ++p;
          break;
        }
        return fail(p);
    }
    // A value (scalar or container) just ended.
    if (stack.empty()) return p;
    state = kAfterValue;
  }
}

namespace {

bool is_hex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }

// The length of the escape at p (a backslash) in [p, end): 2, or 6 for \uXXXX; 0 when it is not
// one of JSON's (\q, \u12, a backslash at the end).
size_t escape_length(const char* p, const char* end) {
  if (end - p < 2) return 0;
  switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't': return 2;
    case 'u':
      if (end - p < 6) return 0;
      for (int i = 2; i < 6; ++i)
        if (!is_hex(p[i])) return 0;
      return 6;
    default: return 0;
  }
}

// The body of a string starting after its opening quote: the position of its closing quote (or
// end), whether it holds a control byte or an escape JSON has not (*control), and whether it
// holds a byte >= 0x80 (*high).
const char* string_body(const char* p, const char* end, bool* control, bool* high) {
  while (p < end) {
    const uint8_t c = uint8_t(*p);
    if (c == '"') return p;
    if (c == '\\') {
      const size_t n = escape_length(p, end);
      *control |= n == 0;
      p += n ? n : 1;  // (the byte after a stray backslash is looked at on its own)
      continue;
    }
    *control |= c < 0x20;
    *high |= c >= 0x80;
    ++p;
  }
  return end;
}

}  // namespace

bool is_strict_json(std::string_view v) {
  if (v.empty()) return true;
  if (is_ws(v.front()) || is_ws(v.back())) return false;
  const char* p = v.data();
  const char* end = p + v.size();
  bool comma = false;  // the last byte outside strings (whitespace aside) was a comma
  while (p < end) {
    const char c = *p;
    if (c == '"') {
      bool control = false, high = false;
      const char* q = string_body(p + 1, end, &control, &high);
      if (control || (high && !utf8_valid(std::string_view(p + 1, size_t(q - p - 1))))) return false;
      p = q < end ? q + 1 : end;
      comma = false;
      continue;
    }
    if ((c == '}' || c == ']') && comma) return false;
    if (c == 'N' || c == 'I') return false;  // outside strings only in NaN, Infinity, -Infinity
    if (!is_ws(c)) comma = c == ',';
    ++p;
  }
  return true;
}

void append_strict_string(std::string& out, std::string_view body) {
  bool control = false, high = false;
  const char* end = body.data() + body.size();
  if (string_body(body.data(), end, &control, &high) == end && !control &&
      (!high || utf8_valid(body))) {
    out += '"';
    out += body;
    out += '"';
    return;
  }
  std::string quoted;
  quoted.reserve(body.size() + 2);
  quoted += '"';
  quoted += body;
  quoted += '"';
  out += strict_json(quoted);
}

std::string strict_json(std::string_view v) {
  std::string out;
  out.reserve(v.size() + 8);
  const char* p = skip_ws(v.data(), v.data() + v.size());
  const char* end = v.data() + v.size();
  while (end > p && is_ws(end[-1])) --end;
  while (p < end) {
    if (*p == '"') {
      bool control = false, high = false;
      const char* q = string_body(p + 1, end, &control, &high);
      std::string_view body(p + 1, size_t(q - p - 1));
      std::string fixed;
      if (high && !utf8_valid(body)) body = fixed = utf8_repair(body);
      out += '"';
      if (!control) {
        out += body;
      } else {
        for (size_t i = 0; i < body.size(); ++i) {
          const uint8_t c = uint8_t(body[i]);
          if (c == '\\') {
            const size_t n = escape_length(body.data() + i, body.data() + body.size());
            if (n == 0) {  // not an escape JSON has: the backslash as a character
              out += "\\\\";
            } else {
              out.append(body.data() + i, n);
              i += n - 1;
            }
          } else if (c < 0x20) {
            static const char kHex[] = "0123456789abcdef";
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += char(c);
          }
        }
      }
      out += '"';
      p = q < end ? q + 1 : end;
    } else if (kAtomBytes.in[uint8_t(*p)]) {
      const char* q = scan_atom(p, end);
      const std::string_view w(p, size_t(q - p));
      if (non_finite_literal(w)) {
        out += '"';
        out += w;
        out += '"';
      } else {
        out += w;
      }
      p = q;
    } else if (*p == ',') {
      const char* q = skip_ws(p + 1, end);
      if (q < end && (*q == '}' || *q == ']')) {  // a trailing comma: dropped
        p = q;
      } else {
        out += *p++;
      }
    } else {
      out += *p++;
    }
  }
  return out;
}

}  // namespace vz::json
