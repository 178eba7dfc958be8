// fork(): the child starts clean, with its own pid, and saves only its own events; the parent
// keeps its own.
#include <doctest/doctest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

using namespace vz;
using namespace vz::rec_test;

TEST_CASE("recorder: a forked child records on its own, with its own pid") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.output_file = dir / "out.vzt";
  start_session(cfg);
  { VZ_ZONE_N("parent before fork"); }
  rec::begin(rec::intern("parent open across fork"));
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    for (int i = 0; i < 3; ++i) {
      VZ_ZONE_N("child zone");
    }
    bool ok = rec::save(dir / "child.vzt");
    ok = ok && rec::save("");  // the default output, with the child's pid in its name
    _exit(ok ? 0 : 1);
  }
  rec::end();
  { VZ_ZONE_N("parent after fork"); }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  LoadResult c = load(dir / "child.vzt");
  const Trace& ct = *c.trace;
  REQUIRE(ct.processes.size() == 1);
  CHECK(ct.str(ct.processes[0].pid) == std::to_string(child));
  REQUIRE(ct.threads.size() == 1);
  CHECK(ct.str(ct.threads[0].tid) == std::to_string(child));  // its only thread: the main one
  CHECK(names_at(ct, ct.threads[0], 0) ==
        std::vector<std::string>{"child zone", "child zone", "child zone"});
  CHECK(ct.threads[0].slices.depths() == 1);  // nothing of the parent's, not even its open zone
  CHECK(ct.threads[0].unmatched_end == 0);

  LoadResult d = load(dir / ("out." + std::to_string(child) + ".vzt"));
  CHECK(slices(*d.trace) == 3);

  REQUIRE(rec::save(dir / "parent.vzt"));
  LoadResult p = load(dir / "parent.vzt");
  const Trace& pt = *p.trace;
  CHECK(pt.str(pt.processes[0].pid) == std::to_string(getpid()));
  REQUIRE(pt.threads.size() == 1);
  CHECK(names_at(pt, pt.threads[0], 0) ==
        std::vector<std::string>{"parent before fork", "parent open across fork", "parent after fork"});
}
