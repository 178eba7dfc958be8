#include "formats/json_scan.h"

namespace vz::json {

const char* skip_value(const char* p, const char* end, const char** err_at) {
  // Depth counter only: brackets and braces are not matched pairwise (an arg value is kept as raw
  // bytes, so a mismatched pair inside it is reported by the depth going wrong, not by a parser).
  int64_t depth = 0;
  while (p < end) {
    char c = *p;
    if (c == '"') {
      bool esc = false;
      const char* q = scan_string(p + 1, end, &esc);
      if (q >= end) {
        *err_at = p;
        return nullptr;
      }
      p = q + 1;
    } else if (c == '{' || c == '[') {
      ++depth;
      ++p;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        *err_at = p;
        return nullptr;
      }
      --depth;
      ++p;
    } else if (is_ws(c) || c == ',' || c == ':') {
      if (depth == 0) {
        *err_at = p;
        return nullptr;
      }
      ++p;
    } else {
      const char* q = scan_atom(p, end);
      std::string_view w(p, size_t(q - p));
      if (q == p || (c >= 'a' && c <= 'z' && w != "true" && w != "false" && w != "null")) {
        *err_at = p;
        return nullptr;
      }
      p = q;
    }
    if (depth == 0) return p;
  }
  *err_at = end;
  return nullptr;
}

}  // namespace vz::json
