#include "formats/json_scan.h"

#include <string_view>
#include <vector>

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
        if (c == ',') {
          state = stack.top() == '{' ? kKey : kValue;
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

std::string strict_json(std::string_view v) {
  std::string out;
  out.reserve(v.size() + 8);
  const char* p = v.data();
  const char* end = p + v.size();
  while (p < end) {
    if (*p == '"') {
      bool esc = false;
      const char* q = scan_string(p + 1, end, &esc);
      const char* stop = q < end ? q + 1 : end;
      out.append(p, size_t(stop - p));
      p = stop;
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
    } else {
      out += *p++;
    }
  }
  return out;
}

}  // namespace vz::json
