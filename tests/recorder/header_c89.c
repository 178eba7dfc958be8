/* Compiled only: the C ABI header as C89 with -pedantic -Werror, recording on and compiled out
 * (tests/CMakeLists.txt builds this file both ways), so a C99-only construct in it fails the
 * build. */
#include "recorder/vz_recorder_c.h"

int vz_header_c89_uses_the_api(void) {
  vzr_config cfg;
  vzr_stats stats;
  uint32_t name;
  vzr_config_init(&cfg);
  name = vzr_intern("a", 1);
  vzr_begin(name);
  vzr_end();
  vzr_get_stats(&stats);
  return vzr_counter1("c", "v", 1.0) + (int)stats.threads;
}
