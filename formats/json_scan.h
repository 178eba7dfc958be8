// Low-level JSON scanning for the Chrome trace reader.
//
// The reader never builds a DOM: it walks one event object at a time, records the raw tokens of
// the fields it models and the byte range of everything else. Nested values (args) are skipped
// with an explicit depth counter, so no input can exhaust the stack. All scans are bounded by
// `end`; the input has kPadding readable bytes past `end`, which lets the string scan read 16
// bytes at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace vz::json {

inline bool is_ws(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

inline const char* skip_ws(const char* p, const char* end) {
  while (p < end && is_ws(*p)) ++p;
  return p;
}

// The same for strings that are mostly short (keys, "ph", "cat"): the first 8 bytes are tested
// at once for a quote with no backslash before it, then as scan_string.
inline const char* scan_string(const char* p, const char* end, bool* escaped);
inline const char* scan_short_string(const char* p, const char* end, bool* escaped) {
  if (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
    const uint64_t q = w ^ (kOnes * '"'), b = w ^ (kOnes * '\\');
    const uint64_t at_q = (q - kOnes) & ~q & kHigh, at_b = (b - kOnes) & ~b & kHigh;
    // The lowest flagged byte of each is exact (a borrow only flags bytes above a true one).
    if (at_q && (at_b == 0 || __builtin_ctzll(at_b) > __builtin_ctzll(at_q)))
      return p + (__builtin_ctzll(at_q) >> 3);
  }
  return scan_string(p, end, escaped);
}

// p points just past an opening quote. Returns the position of the closing quote (or end when the
// string is unterminated); sets *escaped when a backslash occurs.
inline const char* scan_string(const char* p, const char* end, bool* escaped) {
  for (;;) {
#if defined(__SSE2__)
    while (p + 16 <= end) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      int m = _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                             _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
      if (m) {
        p += __builtin_ctz(unsigned(m));
        break;
      }
      p += 16;
    }
#endif
    while (p < end && *p != '"' && *p != '\\') ++p;
    if (p >= end) return end;
    if (*p == '"') return p;
    *escaped = true;
    p += 2;  // skip the backslash and the escaped character
    if (p >= end) return end;
  }
}

// The bytes a number or literal token is made of: digits, - + . E, a-z, and N and I (NaN,
// Infinity).
struct AtomBytes {
  bool in[256] = {};
  constexpr AtomBytes() {
    for (int c = '0'; c <= '9'; ++c) in[c] = true;
    for (int c = 'a'; c <= 'z'; ++c) in[c] = true;
    in[int('-')] = in[int('+')] = in[int('.')] = in[int('E')] = true;
    in[int('N')] = in[int('I')] = true;
  }
};

// NaN, Infinity and -Infinity: not JSON, but what Python's json module writes for such floats
// (json.dumps's default), so traces made in Python have them. The reader takes them as values;
// the JSON writer writes them as strings (strict_json), so what it writes stays JSON.
inline bool non_finite_literal(std::string_view w) {
  return w == "NaN" || w == "Infinity" || w == "-Infinity";
}
// What the reader accepts beyond JSON, in a value it keeps as raw bytes (args, kept members):
// non-finite literals, trailing commas, control bytes, escapes JSON has not (\q, \u12) and
// invalid UTF-8 inside strings, whitespace around it. True when `v` (one value skip_value
// accepts) has none of them and can be written as it is.
bool is_strict_json(std::string_view v);
// `v` (one value skip_value accepts) as strict JSON: NaN, Infinity and -Infinity written as the
// strings "NaN", "Infinity" and "-Infinity", trailing commas dropped, control bytes in strings
// escaped, the backslash of an escape JSON has not escaped (\q: a backslash and a q), invalid
// UTF-8 in them replaced by U+FFFD, whitespace around it trimmed.
std::string strict_json(std::string_view v);
// Appends the string whose raw body (between its quotes, escapes as written) is `body`, with
// its quotes, made strict where it is not (as strict_json makes strings).
void append_strict_string(std::string& out, std::string_view body);
// Appends `v` (one value skip_value accepts), made strict where it is not.
inline void append_strict_json(std::string& out, std::string_view v) {
  if (is_strict_json(v)) out += v;
  else out += strict_json(v);
}
inline constexpr AtomBytes kAtomBytes{};

// Skips a number or literal token; returns the first byte after it.
inline const char* scan_atom(const char* p, const char* end) {
  while (p < end && kAtomBytes.in[uint8_t(*p)]) ++p;
  return p;
}

// Skips one complete value starting at p (which must not be whitespace), validating its syntax,
// so a value kept as raw bytes (args) is always valid JSON when written back (non-finite
// literals, which it accepts, through strict_json). Iterative, with an
// explicit stack of open containers: any nesting depth is fine. Returns the position after the
// value, or nullptr on a syntax error / truncation; *err_at receives the position of the problem.
const char* skip_value(const char* p, const char* end, const char** err_at);

}  // namespace vz::json
