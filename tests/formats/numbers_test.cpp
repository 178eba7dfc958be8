// Tests of formats/numbers.cpp (exact timestamps, canonical ids, JSON string escapes) and
// formats/utf8.cpp (validation and repair of strings entering the model).
#include <doctest/doctest.h>

#include <random>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "formats/numbers.h"
#include "formats/utf8.h"

using namespace vz;

namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// parse_us with a status check folded in: the ns value, or a sentinel on NotNumber.
int64_t us(std::string_view tok, int64_t origin = 0) {
  int64_t v = -777;
  NumStatus st = parse_us(tok, origin, &v);
  REQUIRE_MESSAGE(st == NumStatus::Ok, "parse_us(\"", std::string(tok), "\") is not Ok");
  return v;
}

std::string canon(std::string_view tok) {
  std::string out = "<not a number>";
  if (!canonical_number(tok, out)) return "<not a number>";
  return out;
}

std::string unescaped(std::string_view s) {
  std::string out;
  if (!unescape_json(s, out)) return "<bad escape>";
  return out;
}

std::string us_text(int64_t origin, int64_t ns) {
  std::string s;
  append_us(s, origin, ns);
  return s;
}

}  // namespace

TEST_CASE("parse_us: integral and fractional microseconds are exact nanoseconds") {
  CHECK(us("0") == 0);
  CHECK(us("1") == 1000);
  CHECK(us("1.5") == 1500);
  CHECK(us("12.345") == 12345);
  CHECK(us("0.001") == 1);
  CHECK(us("123456789012345.678") == 123456789012345678);  // 15 integer digits: the fast path
  CHECK(us("1234567890123456.789") == 1234567890123456789);  // 16 digits: the exact slow path
  CHECK(us("-2.5") == -2500);
  CHECK(us("-0") == 0);
  CHECK(us("0.000") == 0);
}

TEST_CASE("parse_us: exponents are exact") {
  CHECK(us("1e3") == 1000000);
  CHECK(us("1E3") == 1000000);
  CHECK(us("1.5e+2") == 150000);
  CHECK(us("15e-1") == 1500);
  CHECK(us("1e-3") == 1);
  CHECK(us("1e18", 1000000000000000000) == 0);
  CHECK(us("1.000000000000000001e18", 1000000000000000000) == 1000);
}

TEST_CASE("parse_us: the fourth decimal rounds half away from zero") {
  CHECK(us("1.0004") == 1000);
  CHECK(us("1.0005") == 1001);
  CHECK(us("1.00049999") == 1000);
  CHECK(us("1.00050000") == 1001);
  CHECK(us("0.9995") == 1000);
  CHECK(us("0.0005") == 1);
  CHECK(us("-0.0005") == -1);
  CHECK(us("-0.0004") == 0);
  CHECK(us("-1.0005") == -1001);
  CHECK(us("1.5e-3") == 2);      // 1.5 ns
  CHECK(us("-1.5e-3") == -2);
  CHECK(us("2.5e-4") == 0);      // 0.25 ns
  // The same rounding on the slow path (16+ integer digits).
  CHECK(us("1000000000000000.0005", 1000000000000000) == 1);
  CHECK(us("1000000000000000.0004", 1000000000000000) == 0);
}

TEST_CASE("parse_us: random decimals against a digit-by-digit reference") {
  // 1-17 integer digits (the fast path reads 8 at once, then one by one, up to 15), 0-6
  // fraction digits, signs, leading zeros, and a non-digit in the first eight bytes.
  std::mt19937_64 rng(5);
  for (int iter = 0; iter < 200000; ++iter) {
    std::string tok = rng() % 4 == 0 ? "-" : "";
    int idigits = 1 + int(rng() % 17), fdigits = int(rng() % 7);
    for (int k = 0; k < idigits; ++k) tok += char('0' + rng() % 10);
    if (fdigits) tok += '.';
    for (int k = 0; k < fdigits; ++k) tok += char('0' + rng() % 10);
    bool junk = rng() % 16 == 0;
    if (junk) tok[tok.size() - 1 - rng() % std::min<size_t>(tok.size(), 8)] = "x:/ "[rng() % 4];
    // Reference: |value| in ns, rounded half away from zero by the fourth decimal.
    bool neg = tok[0] == '-';
    __int128 ip = 0;
    size_t k = neg;
    for (; k < tok.size() && tok[k] != '.'; ++k) ip = ip * 10 + (tok[k] - '0');
    int64_t frac = 0;
    int nf = 0;
    for (size_t j = k + 1; j < tok.size() && nf < 4; ++j, ++nf) frac = frac * 10 + (tok[j] - '0');
    for (; nf < 4; ++nf) frac *= 10;
    __int128 mag = ip * 1000 + frac / 10 + (frac % 10 >= 5);
    __int128 want = neg ? -mag : mag;
    int64_t origin = int64_t(rng() % 3) * 1000000000;
    want -= __int128(origin) * 1000;
    int64_t got = -777;
    NumStatus st = parse_us(tok, origin, &got);
    bool is_number = !junk && !(neg && tok.size() == 1);
    for (char c : tok) is_number &= c == '-' || c == '.' || (c >= '0' && c <= '9');
    if (!is_number) {
      CHECK_MESSAGE(st == NumStatus::NotNumber, tok);
    } else if (want > kMaxAbsTime || want < -kMaxAbsTime) {
      CHECK_MESSAGE(st == NumStatus::OutOfRange, tok);
    } else {
      REQUIRE_MESSAGE(st == NumStatus::Ok, tok);
      CHECK_MESSAGE(got == int64_t(want), tok);
    }
  }
}

TEST_CASE("parse_us: timestamps near 1e18 us are exact to the ns relative to the origin") {
  const int64_t origin = 1000000000000000000;  // 1e18 us
  CHECK(us("1000000000000000000", origin) == 0);
  CHECK(us("1000000000000000000.001", origin) == 1);
  CHECK(us("1000000000000000123.456", origin) == 123456);
  CHECK(us("999999999999999999.999", origin) == -1);
  CHECK(us("1000000000000009223.372", origin) == 9223372);
  // Far from the origin but representable: up to kMaxAbsTime (2^61 ns) either side.
  CHECK(us("1009223372036854.775807", 1000000000000000) == 9223372036854776);
  CHECK(us("-2305843009213693.952") == -kMaxAbsTime);
  CHECK(us("2305843009213693.952") == kMaxAbsTime);
}

TEST_CASE("parse_us: out of range values are clamped and reported") {
  int64_t v = 0;
  CHECK(parse_us("2305843009213693.953", 0, &v) == NumStatus::OutOfRange);
  CHECK(v == kMaxAbsTime);
  CHECK(parse_us("-2305843009213693.953", 0, &v) == NumStatus::OutOfRange);
  CHECK(v == -kMaxAbsTime);
  CHECK(parse_us("9223372036854775.808", 0, &v) == NumStatus::OutOfRange);
  CHECK(v == kMaxAbsTime);
  CHECK(parse_us("1e300", 0, &v) == NumStatus::OutOfRange);
  CHECK(v == kMaxAbsTime);
  CHECK(parse_us("-1e300", 0, &v) == NumStatus::OutOfRange);
  CHECK(v == -kMaxAbsTime);
  CHECK(parse_us("1e36", 0, &v) == NumStatus::OutOfRange);  // beyond __int128 once scaled to ns
  CHECK(v == kMaxAbsTime);
  CHECK(parse_us("1e18", 0, &v) == NumStatus::OutOfRange);  // 1e21 ns
  CHECK(v == kMaxAbsTime);
  CHECK(parse_us("0", 1000000000000000000, &v) == NumStatus::OutOfRange);  // -1e21 ns
  CHECK(v == -kMaxAbsTime);
  // An absurd exponent neither hangs nor overflows.
  CHECK(parse_us("1e999999999999", 0, &v) == NumStatus::OutOfRange);
  CHECK(parse_us("0e999999999999", 0, &v) == NumStatus::Ok);
  CHECK(v == 0);
  CHECK(parse_us("1e-999999999999", 0, &v) == NumStatus::Ok);
  CHECK(v == 0);
}

TEST_CASE("parse_us: text that is not a JSON number") {
  int64_t v = 0;
  for (const char* bad : {"", "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "NaN", "inf", "1 ", " 1",
                          "1,5", "--1", "1.2.3", "true", "null", "1e5x"}) {
    INFO("token: \"", std::string(bad), "\"");
    CHECK(parse_us(bad, 0, &v) == NumStatus::NotNumber);
    CHECK_FALSE(is_json_number(bad));
  }
  for (const char* good : {"0", "-0", "1", "1.5", "-1.5e-3", "1E+2", "123456789012345678901234567890"})
    CHECK(is_json_number(good));
}

TEST_CASE("parse_floor_us: integral part, toward negative infinity") {
  int64_t v = 0;
  CHECK(parse_floor_us("12.9", &v) == NumStatus::Ok);
  CHECK(v == 12);
  CHECK(parse_floor_us("-1.5", &v) == NumStatus::Ok);
  CHECK(v == -2);
  CHECK(parse_floor_us("-1.0", &v) == NumStatus::Ok);
  CHECK(v == -1);
  CHECK(parse_floor_us("-0.0005", &v) == NumStatus::Ok);
  CHECK(v == -1);
  CHECK(parse_floor_us("1e18", &v) == NumStatus::Ok);
  CHECK(v == 1000000000000000000);
  CHECK(parse_floor_us("1000000000000000000.999", &v) == NumStatus::Ok);
  CHECK(v == 1000000000000000000);
  CHECK(parse_floor_us("1e30", &v) == NumStatus::OutOfRange);
  CHECK(parse_floor_us("x", &v) == NumStatus::NotNumber);
}

TEST_CASE("parse_int64 and parse_double") {
  int64_t i = 0;
  CHECK(parse_int64("42", &i));
  CHECK(i == 42);
  CHECK(parse_int64("1.0", &i));
  CHECK(i == 1);
  CHECK(parse_int64("1e3", &i));
  CHECK(i == 1000);
  CHECK(parse_int64("-9223372036854775808", &i));
  CHECK(i == kMin);
  CHECK(parse_int64("9223372036854775807", &i));
  CHECK(i == kMax);
  CHECK_FALSE(parse_int64("9223372036854775808", &i));
  CHECK_FALSE(parse_int64("1.5", &i));
  CHECK_FALSE(parse_int64("abc", &i));

  double d = 0;
  CHECK(parse_double("1.5", &d));
  CHECK(d == 1.5);
  CHECK(parse_double("-2e3", &d));
  CHECK(d == -2000);
  CHECK(parse_double("1e400", &d));  // overflow: infinity
  CHECK(std::isinf(d));
  CHECK(d > 0);
  CHECK_FALSE(parse_double("nan", &d));
  CHECK_FALSE(parse_double("0x1p3", &d));
  CHECK_FALSE(parse_double("", &d));
}

TEST_CASE("parse_double: underflow is zero (or denormal), never infinity") {
  double d = 123;
  REQUIRE(parse_double("1e-400", &d));
  CHECK(std::isfinite(d));
  CHECK(d >= 0);
  CHECK(d < 1e-300);
  REQUIRE(parse_double("-1e-400", &d));
  CHECK(std::isfinite(d));
  CHECK(d <= 0);
}

TEST_CASE("canonical_number: integral values print without decimals") {
  CHECK(canon("1") == "1");
  CHECK(canon("1.0") == "1");
  CHECK(canon("1.000") == "1");
  CHECK(canon("1e0") == "1");
  CHECK(canon("1e3") == "1000");
  CHECK(canon("1.5e1") == "15");
  CHECK(canon("100e-2") == "1");
  CHECK(canon("0.001e3") == "1");
  CHECK(canon("007") == "7");
  CHECK(canon("-0") == "0");
  CHECK(canon("-0.0") == "0");
  CHECK(canon("-12") == "-12");
  CHECK(canon("0") == "0");
  CHECK(canon("12345678901234567890") == "12345678901234567890");  // beyond int64: exact text
}

TEST_CASE("canonical_number: fractions without trailing zeros") {
  CHECK(canon("1.50") == "1.5");
  CHECK(canon("0.5") == "0.5");
  CHECK(canon("-0.250") == "-0.25");
  CHECK(canon("5e-1") == "0.5");
  CHECK(canon("1e-3") == "0.001");
  CHECK(canon("123.456e1") == "1234.56");
}

TEST_CASE("canonical_number: non-numbers are refused") {
  std::string out;
  for (const char* bad : {"", "abc", "0x1", "1.", "main", "1 ", "+1"}) {
    INFO("token: \"", std::string(bad), "\"");
    CHECK_FALSE(canonical_number(bad, out));
  }
  // Huge exponents stay bounded.
  REQUIRE(canonical_number("1e100000", out));
  CHECK(out.size() < 1000);
}

TEST_CASE("unescape_json: simple escapes") {
  CHECK(unescaped("plain") == "plain");
  CHECK(unescaped("") == "");
  CHECK(unescaped(R"(a\"b)") == "a\"b");
  CHECK(unescaped(R"(a\\b)") == "a\\b");
  CHECK(unescaped(R"(a\/b)") == "a/b");
  CHECK(unescaped(R"(\b\f\n\r\t)") == "\b\f\n\r\t");
  CHECK(unescaped(R"(\u0041\u00e9\u20ac)") == "A\xc3\xa9\xe2\x82\xac");
  CHECK(unescaped(R"(\u0000)") == std::string("\0", 1));
  CHECK(unescaped(R"(\u00E9)") == "\xc3\xa9");
}

TEST_CASE("unescape_json: surrogate pairs and lone surrogates") {
  const std::string fffd = "\xef\xbf\xbd";
  CHECK(unescaped(R"(\ud83d\ude00)") == "\xf0\x9f\x98\x80");  // U+1F600
  CHECK(unescaped(R"(\uD83D\uDE00)") == "\xf0\x9f\x98\x80");
  CHECK(unescaped(R"(\udbff\udfff)") == "\xf4\x8f\xbf\xbf");  // U+10FFFF
  CHECK(unescaped(R"(\ud83d)") == fffd);                      // lone high at the end
  CHECK(unescaped(R"(\ud83dx)") == fffd + "x");               // high then a plain char
  CHECK(unescaped(R"(\ude00)") == fffd);                      // lone low
  CHECK(unescaped(R"(\ud83d\u0041)") == fffd + "A");          // high then a non-surrogate escape
  CHECK(unescaped(R"(\ud83d\ud83d\ude00)") == fffd + "\xf0\x9f\x98\x80");
  CHECK(utf8_valid(unescaped(R"(\ud800\udc00\udfff\ud800)")));
}

TEST_CASE("unescape_json: bad escapes are refused") {
  CHECK(unescaped(R"(\q)") == "<bad escape>");
  CHECK(unescaped(R"(\)") == "<bad escape>");
  CHECK(unescaped(R"(abc\)") == "<bad escape>");
  CHECK(unescaped(R"(\u12)") == "<bad escape>");
  CHECK(unescaped(R"(\u12g4)") == "<bad escape>");
  CHECK(unescaped(R"(\x41)") == "<bad escape>");
}

TEST_CASE("append_json_string escapes what JSON requires and round-trips") {
  std::string s;
  append_json_string(s, "a\"b\\c\n\t\x01\xc3\xa9");
  CHECK(s == "\"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9\"");
  std::string back;
  REQUIRE(unescape_json(std::string_view(s).substr(1, s.size() - 2), back));
  CHECK(back == "a\"b\\c\n\t\x01\xc3\xa9");
}

TEST_CASE("append_us: decimal microseconds, trailing zeros trimmed") {
  CHECK(us_text(0, 0) == "0");
  CHECK(us_text(0, 1500) == "1.5");
  CHECK(us_text(0, 12345) == "12.345");
  CHECK(us_text(0, 12300) == "12.3");
  CHECK(us_text(0, 1) == "0.001");
  CHECK(us_text(0, -1) == "-0.001");
  CHECK(us_text(0, -1500) == "-1.5");
  CHECK(us_text(5, -5000) == "0");
  CHECK(us_text(1000000000000000000, 123) == "1000000000000000000.123");
  CHECK(us_text(1000000000000000000, -1) == "999999999999999999.999");
  CHECK(us_text(0, kMax) == "9223372036854775.807");
  CHECK(us_text(0, kMin) == "-9223372036854775.808");
  CHECK(us_text(kMax, kMax) == "9232595408891630582.807");  // 128-bit arithmetic: no overflow
}

TEST_CASE("append_us against a digit-by-digit reference on random values, 64- and 128-bit") {
  // Reference: the total in ns as a signed 128-bit decimal, the point three digits from the end,
  // trailing fractional zeros (and a bare point) dropped.
  auto reference = [](int64_t origin, int64_t ns) {
    __int128 total = __int128(origin) * 1000 + ns;
    const bool neg = total < 0;
    unsigned __int128 mag = neg ? (unsigned __int128)(-total) : (unsigned __int128)total;
    std::string digits;
    do {
      digits.insert(digits.begin(), char('0' + int(mag % 10)));
      mag /= 10;
    } while (mag);
    while (digits.size() < 4) digits.insert(digits.begin(), '0');
    std::string out = (neg ? "-" : "") + digits.substr(0, digits.size() - 3);
    std::string frac = digits.substr(digits.size() - 3);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    if (!frac.empty()) out += "." + frac;
    return out == "-0" ? std::string("0") : out;
  };
  std::mt19937_64 rng(42);
  for (int i = 0; i < 200000; ++i) {
    const int shift_o = int(rng() % 64), shift_n = int(rng() % 64);
    int64_t origin = int64_t(rng() >> shift_o) * ((rng() & 1) ? 1 : -1);
    int64_t ns = int64_t(rng() >> shift_n) * ((rng() & 1) ? 1 : -1);
    if (i % 4 == 0) origin = 0;  // plenty of plain 64-bit values
    const std::string got = us_text(origin, ns), want = reference(origin, ns);
    if (got != want) {
      FAIL_CHECK("origin " << origin << " ns " << ns << ": got " << got << ", want " << want);
      break;
    }
  }
}

TEST_CASE("append_us and parse_us round-trip every ns value tried") {
  const int64_t origin = 1700000000000000;
  for (int64_t ns : {int64_t(0), int64_t(1), int64_t(-1), int64_t(999), int64_t(1000), int64_t(-1001),
                     int64_t(123456789), int64_t(-987654321012), kMaxAbsTime, -kMaxAbsTime,
                     kMaxAbsTime / 3}) {
    std::string text;
    append_us(text, origin, ns);
    int64_t back = 0;
    INFO("ns=", ns, " text=", text);
    CHECK(parse_us(text, origin, &back) == NumStatus::Ok);
    CHECK(back == ns);
  }
}

TEST_CASE("utf8_valid: accepts well-formed UTF-8 only") {
  CHECK(utf8_valid(""));
  CHECK(utf8_valid("plain ascii text that is longer than eight bytes"));
  CHECK(utf8_valid("\xc3\xa9"));               // U+00E9
  CHECK(utf8_valid("\xe2\x82\xac"));           // U+20AC
  CHECK(utf8_valid("\xf0\x9f\x98\x80"));       // U+1F600
  CHECK(utf8_valid("\xf4\x8f\xbf\xbf"));       // U+10FFFF
  CHECK(utf8_valid(std::string("a\0b", 3)));
  CHECK_FALSE(utf8_valid("\xff"));
  CHECK_FALSE(utf8_valid("\x80"));             // lone continuation
  CHECK_FALSE(utf8_valid("\xc0\xaf"));         // overlong '/'
  CHECK_FALSE(utf8_valid("\xc1\xbf"));         // overlong
  CHECK_FALSE(utf8_valid("\xe0\x80\xaf"));     // overlong 3-byte
  CHECK_FALSE(utf8_valid("\xf0\x80\x80\xaf")); // overlong 4-byte
  CHECK_FALSE(utf8_valid("\xed\xa0\x80"));     // UTF-16 surrogate D800
  CHECK_FALSE(utf8_valid("\xf4\x90\x80\x80")); // > U+10FFFF
  CHECK_FALSE(utf8_valid("\xf5\x80\x80\x80"));
  CHECK_FALSE(utf8_valid("\xe2\x82"));         // truncated
  CHECK_FALSE(utf8_valid("abcdefgh\xe2\x82"));  // truncated after the 8-byte fast path
  CHECK_FALSE(utf8_valid("\xc3"));
}

TEST_CASE("utf8_repair: replaces invalid sequences with U+FFFD, keeps the rest") {
  const std::string fffd = "\xef\xbf\xbd";
  CHECK(utf8_repair("plain") == "plain");
  CHECK(utf8_repair("\xc3\xa9") == "\xc3\xa9");
  CHECK(utf8_repair("a\xff" "b") == "a" + fffd + "b");
  CHECK(utf8_repair("\xed\xa0\x80").find("\xed") == std::string::npos);
  for (const char* bad : {"\xff", "\xc0\xaf", "\xe2\x82", "x\xf4\x90\x80\x80y", "\x80\x80\x80",
                          "abcdefgh\xe2\x82", "\xf0\x9f\x98"}) {
    std::string r = utf8_repair(bad);
    INFO("input bytes: ", std::string(bad));
    CHECK(utf8_valid(r));
    CHECK(r.find(fffd) != std::string::npos);
  }
  CHECK(utf8_repair("x\xf4\x90\x80\x80y").front() == 'x');
  CHECK(utf8_repair("x\xf4\x90\x80\x80y").back() == 'y');
}
