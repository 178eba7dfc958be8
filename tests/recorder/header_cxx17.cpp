// Compiled only: the public header in C++17 with -Wpedantic -Werror (the README says C++17 or
// later), so a C++20-only construct in it fails the build.
#include "recorder/vz_recorder.h"

int vz_header_cxx17_uses_the_api() {
  VZ_ZONE();
  vz::rec::begin(vz::rec::intern("a"));
  vz::rec::end();
  vz::rec::complete_ticks(vz::rec::intern("b"), vz::rec::now_ticks_stamped(), vz::rec::now_ticks_stamped());
  return 0;
}
