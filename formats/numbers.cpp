#include "formats/numbers.h"

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "formats/utf8.h"

namespace vz {
namespace {

// A decimal number split into its digits: value = sign * 0.D * 10^point, D = int ++ frac.
struct Decimal {
  bool neg = false;
  std::string_view int_digits, frac_digits;
  int64_t point = 0;  // digits of D before the decimal point
  char digit(int64_t k) const {
    if (k < 0) return 0;
    if (k < int64_t(int_digits.size())) return char(int_digits[size_t(k)] - '0');
    k -= int64_t(int_digits.size());
    if (k < int64_t(frac_digits.size())) return char(frac_digits[size_t(k)] - '0');
    return 0;
  }
  int64_t ndigits() const { return int64_t(int_digits.size() + frac_digits.size()); }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool decompose(std::string_view s, Decimal& d) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') {
    d.neg = true;
    ++i;
  }
  size_t a = i;
  while (i < n && is_digit(s[i])) ++i;
  if (i == a) return false;
  d.int_digits = s.substr(a, i - a);
  if (i < n && s[i] == '.') {
    size_t b = ++i;
    while (i < n && is_digit(s[i])) ++i;
    if (i == b) return false;
    d.frac_digits = s.substr(b, i - b);
  }
  int64_t exp = 0;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    size_t c = i;
    while (i < n && is_digit(s[i])) {
      if (exp < 100000) exp = exp * 10 + (s[i] - '0');
      ++i;
    }
    if (i == c) return false;
    if (eneg) exp = -exp;
  }
  if (i != n) return false;
  d.point = int64_t(d.int_digits.size()) + exp;
  return true;
}

// Integer part as __int128 (saturating at ~1e38 digits); false when it has more than 38 digits.
bool integer_part(const Decimal& d, __int128* out) {
  __int128 v = 0;
  int significant = 0;
  for (int64_t k = 0; k < d.point; ++k) {
    char c = d.digit(k);
    if (significant || c) ++significant;
    if (significant > 37) return false;
    v = v * 10 + c;
  }
  *out = v;
  return true;
}

bool fraction_is_zero(const Decimal& d) {
  for (int64_t k = std::max<int64_t>(d.point, 0); k < d.ndigits(); ++k)
    if (d.digit(k)) return false;
  return true;
}

constexpr __int128 kI64Max = std::numeric_limits<int64_t>::max();
constexpr __int128 kI64Min = std::numeric_limits<int64_t>::min();

}  // namespace

bool is_json_number(std::string_view tok) {
  Decimal d;
  return decompose(tok, d);
}

namespace {

// The eight ASCII digits at p as a number (p[0] the most significant); false when one of the
// bytes is not a digit. All eight at once: a profiler's timestamp has 10-11 integer digits.
inline bool eight_digits(const char* p, uint64_t* out) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  // Each byte is 0x30-0x39: high nibble 3, and adding 6 leaves it 3 (carries between bytes
  // only ever come from a byte that already failed).
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0ull;
  if (((v & kHigh) | (((v + 0x0606060606060606ull) & kHigh) >> 4)) != 0x3333333333333333ull)
    return false;
  v -= 0x3030303030303030ull;
  v = v * 10 + (v >> 8);  // bytes 0, 2, 4, 6: the two-digit numbers p[0..1], p[2..3], ...
  constexpr uint64_t kPairs = 0x000000FF000000FFull;
  v = ((v & kPairs) * (100 + (1000000ull << 32)) + ((v >> 16) & kPairs) * (1 + (10000ull << 32))) >> 32;
  *out = v;
  return true;
}

// The common case, "123456.789": at most 15 integer digits, no exponent. False: use the slow path.
inline bool parse_us_fast(std::string_view tok, int64_t origin_us, int64_t* out_ns) {
  const char* p = tok.data();
  const char* e = p + tok.size();
  bool neg = p < e && *p == '-';
  p += neg;
  const char* int_begin = p;
  uint64_t ip = 0;
  if (e - p >= 8 && eight_digits(p, &ip)) p += 8;
  while (p < e && unsigned(*p - '0') < 10) ip = ip * 10 + unsigned(*p++ - '0');
  if (p == int_begin || p - int_begin > 15) return false;
  uint64_t frac = 0;
  int nfrac = 0;
  if (p < e && *p == '.') {
    const char* f = ++p;
    while (p < e && unsigned(*p - '0') < 10) {
      if (nfrac < 4) {
        frac = frac * 10 + unsigned(*p - '0');
        ++nfrac;
      }
      ++p;
    }
    if (p == f) return false;
  }
  if (p != e) return false;  // exponent or junk
  static constexpr uint64_t kScale[5] = {1000, 100, 10, 1, 0};
  uint64_t ns_frac;
  if (nfrac == 4) ns_frac = frac / 10 + (frac % 10 >= 5);
  else ns_frac = frac * kScale[nfrac];
  int64_t mag = int64_t(ip * 1000 + ns_frac);
  int64_t origin_ns;
  if (__builtin_mul_overflow(origin_us, int64_t(1000), &origin_ns)) return false;
  int64_t v = neg ? -mag : mag;
  if (__builtin_sub_overflow(v, origin_ns, out_ns)) return false;
  return *out_ns <= kMaxAbsTime && *out_ns >= -kMaxAbsTime;  // else: the slow path clamps
}

}  // namespace

NumStatus parse_us(std::string_view tok, int64_t origin_us, int64_t* out_ns) {
  if (parse_us_fast(tok, origin_us, out_ns)) return NumStatus::Ok;
  Decimal d;
  if (!decompose(tok, d)) return NumStatus::NotNumber;
  __int128 ip;
  // Beyond 1e30 us nothing can be in range; also keeps the arithmetic below inside __int128.
  bool range_ok = integer_part(d, &ip) && ip < __int128(1000000000000000ll) * 1000000000000000ll;
  // Three fraction digits give ns; the fourth rounds half away from zero.
  int64_t frac = 0;
  for (int k = 0; k < 3; ++k) frac = frac * 10 + d.digit(d.point + k);
  if (d.digit(d.point + 3) >= 5) frac += 1;
  __int128 ns = 0;
  if (range_ok) {
    __int128 mag = ip * 1000 + frac;
    ns = (d.neg ? -mag : mag) - __int128(origin_us) * 1000;
  }
  if (!range_ok || ns > kMaxAbsTime || ns < -kMaxAbsTime) {
    bool negative = range_ok ? ns < 0 : d.neg;
    *out_ns = negative ? -kMaxAbsTime : kMaxAbsTime;
    return NumStatus::OutOfRange;
  }
  *out_ns = int64_t(ns);
  return NumStatus::Ok;
}

NumStatus parse_floor_us(std::string_view tok, int64_t* out_us) {
  Decimal d;
  if (!decompose(tok, d)) return NumStatus::NotNumber;
  __int128 ip;
  if (!integer_part(d, &ip)) return NumStatus::OutOfRange;
  if (d.neg) {
    ip = -ip;
    if (!fraction_is_zero(d)) ip -= 1;
  }
  if (ip > kI64Max || ip < kI64Min) return NumStatus::OutOfRange;
  *out_us = int64_t(ip);
  return NumStatus::Ok;
}

bool parse_double(std::string_view tok, double* out) {
  if (!is_json_number(tok)) return false;
  auto r = std::from_chars(tok.data(), tok.data() + tok.size(), *out);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow or underflow: tell them apart by the decimal exponent.
    Decimal d;
    decompose(tok, d);
    bool tiny = d.point < 0 || (d.point <= 1 && d.int_digits.find_first_not_of('0') == std::string_view::npos);
    double mag = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    *out = tok[0] == '-' ? -mag : mag;
    return true;
  }
  return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
}

bool parse_int64(std::string_view tok, int64_t* out) {
  Decimal d;
  if (!decompose(tok, d) || !fraction_is_zero(d)) return false;
  __int128 ip;
  if (!integer_part(d, &ip)) return false;
  if (d.neg) ip = -ip;
  if (ip > kI64Max || ip < kI64Min) return false;
  *out = int64_t(ip);
  return true;
}

bool canonical_number(std::string_view tok, std::string& out) {
  Decimal d;
  if (!decompose(tok, d)) return false;
  out.clear();
  // Integer digits without leading zeros.
  std::string ip;
  for (int64_t k = 0; k < d.point; ++k) {
    char c = d.digit(k);
    if (ip.empty() && c == 0) continue;
    ip.push_back(char('0' + c));
    if (ip.size() > 400) break;  // absurd exponents: keep it bounded
  }
  std::string fp;
  for (int64_t k = std::max<int64_t>(d.point, 0); k < d.ndigits(); ++k) fp.push_back(char('0' + d.digit(k)));
  if (d.point < 0) fp.insert(0, size_t(std::min<int64_t>(-d.point, 400)), '0');
  while (!fp.empty() && fp.back() == '0') fp.pop_back();
  if (ip.empty()) ip.push_back('0');
  bool zero = ip == "0" && fp.empty();
  if (d.neg && !zero) out.push_back('-');
  out += ip;
  if (!fp.empty()) {
    out.push_back('.');
    out += fp;
  }
  return true;
}

namespace {
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xc0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xe0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(char(0xf0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(char(0x80 | (cp & 0x3f)));
  }
}
bool read_u16(std::string_view s, size_t i, uint32_t* v) {
  if (i + 4 > s.size()) return false;
  uint32_t r = 0;
  for (size_t k = 0; k < 4; ++k) {
    int h = hex(s[i + k]);
    if (h < 0) return false;
    r = r * 16 + uint32_t(h);
  }
  *v = r;
  return true;
}
}  // namespace

bool unescape_json(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!read_u16(s, i + 1, &cp)) return false;
        i += 4;
        if (cp >= 0xd800 && cp < 0xdc00) {
          uint32_t lo;
          if (i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u' && read_u16(s, i + 3, &lo) &&
              lo >= 0xdc00 && lo < 0xe000) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            i += 6;
          } else {
            cp = 0xfffd;
          }
        } else if (cp >= 0xdc00 && cp < 0xe000) {
          cp = 0xfffd;
        }
        put_utf8(out, cp);
        break;
      }
      default: return false;
    }
  }
  return true;
}

void append_json_string(std::string& out, std::string_view s) {
  // JSON text is UTF-8: a string of other bytes (a name made of any bytes) is written repaired,
  // each invalid sequence as U+FFFD, as the reader would read it.
  std::string repaired;
  if (!utf8_valid(s)) {
    repaired = utf8_repair(s);
    s = repaired;
  }
  static const char* kHex = "0123456789abcdef";
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

namespace {

// "00" "01" ... "99": two decimal digits per table lookup.
constexpr char kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the decimal digits of v ending at `end`; returns where they start.
char* put_decimal(char* end, uint64_t v) {
  while (v >= 100) {
    const unsigned r = unsigned(v % 100);
    v /= 100;
    *--end = kDigitPairs[2 * r + 1];
    *--end = kDigitPairs[2 * r];
  }
  if (v >= 10) {
    *--end = kDigitPairs[2 * v + 1];
    *--end = kDigitPairs[2 * v];
  } else {
    *--end = char('0' + v);
  }
  return end;
}

}  // namespace

void append_us(std::string& out, int64_t origin_us, int64_t ns) {
  __int128 total = __int128(origin_us) * 1000 + ns;
  bool neg = total < 0;
  unsigned __int128 mag = neg ? (unsigned __int128)(-total) : (unsigned __int128)total;
  char buf[64];
  char* const end = buf + sizeof buf;
  char* p = end;
  unsigned frac;
  if (mag <= UINT64_MAX) {  // every realistic time: 64-bit arithmetic only
    const uint64_t m = uint64_t(mag);
    frac = unsigned(m % 1000);
    p = put_decimal(p, m / 1000);
  } else {
    unsigned __int128 us = mag / 1000;
    frac = unsigned(mag % 1000);
    // The low 19 digits, then the rest (at most 20 more).
    const uint64_t lo = uint64_t(us % 10000000000000000000ull);
    const uint64_t hi = uint64_t(us / 10000000000000000000ull);
    char* q = put_decimal(p, lo);
    if (hi) {
      while (q > p - 19) *--q = '0';  // the low part's leading zeros
      q = put_decimal(q, hi);
    }
    p = q;
  }
  if (neg) *--p = '-';
  out.append(p, size_t(end - p));
  if (frac) {
    char f[4] = {'.', char('0' + frac / 100), char('0' + frac / 10 % 10), char('0' + frac % 10)};
    size_t len = 4;
    while (f[len - 1] == '0') --len;
    out.append(f, len);
  }
}

}  // namespace vz
