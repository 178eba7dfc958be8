// libFuzzer target: Chrome Trace Event JSON through vz::load_bytes, then the model's queries,
// --stats and a save/reload round trip for small traces (tests/fuzz/fuzz_common.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vz_fuzz::load_and_exercise(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
