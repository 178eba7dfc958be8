// Tests of the C ABI (recorder/vz_recorder_c.h, recorder/c_api.cpp), driven from a C file.
#include <doctest/doctest.h>

#include <string>

#include "recorder/vz_recorder_c.h"
#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

extern "C" int vz_test_c_api(const char* path, char* message, size_t message_size);

using namespace vz;
using namespace vz::rec_test;

TEST_CASE("recorder C API: every call, NULLs rejected, output readable") {
  test::TempDir dir;
  reset();
  std::string path = dir / "c.vzt";
  char msg[256] = {};
  REQUIRE_MESSAGE(vz_test_c_api(path.c_str(), msg, sizeof msg) == 0, msg);
  CHECK(std::string(msg).find("cannot save") != std::string::npos);  // the last call failed
  LoadResult r = load(path);
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 1);
  const Thread& th = t.threads[0];
  CHECK(t.str(th.name) == "c main");
  CHECK(t.str(t.processes[0].name) == "c program");
  CHECK(names_at(t, th, 0) == std::vector<std::string>{"outer", "ticked"});
  CHECK(names_at(t, th, 1) == std::vector<std::string>{"inner", "inner"});
  for (uint32_t i = 0; i < th.slices.size(); ++i)  // the config's category
    CHECK(t.str(t.labels[th.slices.label[i]].cat) == "c");
  CHECK(th.instants.size() == 4);  // note, log_var text, and of j1..j3 the newest two (max_added)
  vzr_stats st;
  vzr_get_stats(&st);
  CHECK(st.added_dropped == 1);
  CHECK(st.lost >= 5);  // vzr_note_lost
  CHECK(st.dropped == 0);
  CHECK(st.ring_bytes == vz::rec::stats().ring_bytes);
  CHECK(st.ring_bytes >= 64 * 16);  // this thread's ring, kept after the save
  CHECK(t.counters.size() == 3);   // ctr, one, n
  CHECK(t.flows.size() == 2);
  // A message longer than the buffer is cut and terminated.
  char tiny[4] = {'x', 'x', 'x', 'x'};
  CHECK(vzr_save("/nonexistent-dir/y.vzt", tiny, sizeof tiny) == 0);
  CHECK(std::string(tiny).size() == 3);
}
