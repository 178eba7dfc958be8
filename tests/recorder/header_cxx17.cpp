// Compiled only: the public header in C++17 with -Wall -Wextra -Wpedantic -Werror (the README
// says C++17 or later), so a C++20-only construct in it fails the build. Compiled twice: with
// recording on and compiled out (VZ_RECORDER_DISABLED), where a variable or parameter that only
// a macro names must still count as used.
#include "recorder/vz_recorder.h"

#include <string>

int vz_header_cxx17_uses_the_api() {
  VZ_ZONE();
  vz::rec::begin(vz::rec::intern("a"));
  vz::rec::end();
  vz::rec::complete_ticks(vz::rec::intern("b"), vz::rec::now_ticks_stamped(), vz::rec::now_ticks_stamped());
  return 0;
}

// Each argument below is named only by a macro.
void vz_header_cxx17_macros(int n, double v, const char* name, const std::string& text) {
  const std::string dynamic = text + "!";
  char buffer[8] = "b";
  VZ_ZONE_N(name);
  VZ_ZONE_N(dynamic);
  VZ_BEGIN(buffer);
  VZ_END();
  VZ_INSTANT(text);
  VZ_COUNTER("n", {{"n", double(n)}});
  VZ_LOG_VAR("v", v);
  VZ_THREAD_NAME(text);
}
