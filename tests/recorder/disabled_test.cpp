// With VZ_RECORDER_DISABLED, every call and macro of recorder/vz_recorder.h and
// recorder/vz_recorder_c.h compiles to nothing, even while the rest of the program records.
#define VZ_RECORDER_DISABLED
#include <doctest/doctest.h>

#include "recorder/vz_recorder.h"
#include "recorder/vz_recorder_c.h"

void vz_test_start_real();
uint64_t vz_test_recorded_real();

namespace {

int evaluated = 0;
[[maybe_unused]] const char* name() {
  ++evaluated;
  return "x";
}

}  // namespace

TEST_CASE("recorder: compiled out, calls record nothing and macro arguments are not evaluated") {
  vz_test_start_real();
  {
    VZ_ZONE();
    VZ_ZONE_N(name());
    VZ_BEGIN(name());
    VZ_END();
    VZ_INSTANT(name());
    VZ_COUNTER(name(), {{"k", 1.0}});
    VZ_LOG_VAR(name(), 2.0);
    VZ_THREAD_NAME(name());
    vz::rec::begin(vz::rec::intern("x"));
    vz::rec::end();
    CHECK_FALSE(vz::rec::instant("x"));
    CHECK_FALSE(vz::rec::counter("x", {{"k", 1.0}}));
    vz::rec::Zone z(1);
    vzr_begin(vzr_intern("x", 1));
    vzr_end();
    CHECK(vzr_instant("x", VZR_SCOPE_THREAD, nullptr) == 0);
    CHECK(vzr_recording() == 0);
    CHECK_FALSE(vz::rec::recording());
  }
  CHECK(evaluated == 0);
  CHECK(vz_test_recorded_real() == 0);
}
