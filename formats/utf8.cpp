#include "formats/utf8.h"

#include <cstdint>
#include <cstring>

namespace vz {
namespace {

// Length of the valid sequence at s[i], or 0 when it is invalid.
size_t valid_at(std::string_view s, size_t i) {
  auto u = [&](size_t k) { return uint8_t(s[k]); };
  uint8_t c = u(i);
  if (c < 0x80) return 1;
  size_t n = s.size() - i;
  auto cont = [&](size_t k) { return k < s.size() && (u(k) & 0xc0) == 0x80; };
  if (c >= 0xc2 && c <= 0xdf) return n >= 2 && cont(i + 1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (n < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
    if (c == 0xe0 && u(i + 1) < 0xa0) return 0;   // overlong
    if (c == 0xed && u(i + 1) >= 0xa0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (n < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
    if (c == 0xf0 && u(i + 1) < 0x90) return 0;
    if (c == 0xf4 && u(i + 1) >= 0x90) return 0;
    return 4;
  }
  return 0;
}

}  // namespace

bool utf8_valid(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Fast path: 8 ASCII bytes at a time.
    if (i + 8 <= s.size()) {
      uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    size_t n = valid_at(s, i);
    if (!n) return false;
    i += n;
  }
  return true;
}

std::string utf8_repair(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    size_t n = valid_at(s, i);
    if (n) {
      out.append(s.data() + i, n);
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      ++i;
    }
  }
  return out;
}

}  // namespace vz
