// Peak resident memory of the test process, for tests that bound what an input may cost.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace vz::test {

// Starts a new peak for peak_rss() (Linux: clear_refs 5 resets VmHWM); false where it cannot.
inline bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  return f && (f << "5").flush();
}

// Peak resident memory (VmHWM) in bytes; 0 where /proc does not say.
inline uint64_t peak_rss() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  return 0;
}

}  // namespace vz::test
