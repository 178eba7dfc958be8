// Exact number handling for Chrome JSON: timestamps, ids, and string unescaping.
//
// Timestamps are decimal microseconds ("12.345" carries ns precision). They are converted to
// int64 ns relative to an integral origin (Trace::origin_us) straight from the decimal text, so
// no precision is lost to binary floating point even near 1e18 us.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vz {

enum class NumStatus { Ok, NotNumber, OutOfRange };

// Every time in the model lies within +-kMaxAbsTime ns of the origin (about 73 years), so that
// start + dur and end - start never overflow int64. Readers clamp to it and report the clamp.
constexpr int64_t kMaxAbsTime = int64_t(1) << 61;

// True when `tok` is a JSON number (optionally preceded by whitespace-free sign etc.).
bool is_json_number(std::string_view tok);
// Parses decimal microseconds into ns relative to origin_us, rounding half away from zero.
// Results beyond +-kMaxAbsTime are clamped to it and reported as OutOfRange.
NumStatus parse_us(std::string_view tok, int64_t origin_us, int64_t* out_ns);
// Integral part of a decimal number in microseconds (truncated toward negative infinity).
NumStatus parse_floor_us(std::string_view tok, int64_t* out_us);
// A JSON number token as double (strtod semantics, locale independent).
bool parse_double(std::string_view tok, double* out);
// A JSON number token as an exact int64 (fractions and exponents allowed when integral).
bool parse_int64(std::string_view tok, int64_t* out);
// Canonical text of a number: integral values without decimals ("1.0" -> "1", "1e3" -> "1000"),
// fractions without trailing zeros. Returns false when `tok` is not a number.
bool canonical_number(std::string_view tok, std::string& out);
// Decodes the content of a JSON string (between the quotes). Returns false on a bad escape;
// lone surrogates become U+FFFD.
bool unescape_json(std::string_view content, std::string& out);
// Appends `s` as a JSON string literal (with quotes) to `out`; bytes that are not UTF-8 are
// written as U+FFFD (JSON text is UTF-8).
void append_json_string(std::string& out, std::string_view s);
// Appends ns relative to origin_us as decimal microseconds with exactly three decimals trimmed
// of trailing zeros ("12.345", "12.3", "12").
void append_us(std::string& out, int64_t origin_us, int64_t ns);

}  // namespace vz
