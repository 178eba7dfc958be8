// UTF-8 validation and repair for strings that enter the model.
#pragma once

#include <string>
#include <string_view>

namespace vz {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool utf8_valid(std::string_view s);
// `s` with every invalid sequence replaced by U+FFFD.
std::string utf8_repair(std::string_view s);

}  // namespace vz
