// The stress test of the recorder: 8 threads record 1 M slices each (VZ_STRESS_EVENTS overrides
// the count: the ThreadSanitizer run uses fewer), and every slice must come back from the saved
// .vzt, well nested, on its own thread.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

using namespace vz;
using namespace vz::rec_test;

namespace {

size_t stress_events() {
  const char* e = std::getenv("VZ_STRESS_EVENTS");
  long v = e ? std::atol(e) : 0;
  return v > 0 ? size_t(v) : 1000000;
}

// One iteration: a { b { c } c } = 4 slices at depths 0, 1, 2, 1.
void iteration(rec::NameId a, rec::NameId b, rec::NameId c) {
  rec::Zone za(a);
  {
    rec::Zone zb(b);
    rec::Zone zc(c);
  }
  rec::Zone zc(c);
}

}  // namespace

TEST_CASE("recorder stress: 8 threads x 1 M events, all present and well nested") {
  const size_t kThreads = 8, kEvents = stress_events() / 4 * 4, kIters = kEvents / 4;
  test::TempDir dir;
  rec::Config cfg;
  cfg.tracer_entries = kEvents * 2 + 16;  // two records per slice: no overflow
  start_session(cfg);
  rec::NameId a = rec::intern("a"), b = rec::intern("b"), c = rec::intern("c");
  std::vector<std::thread> pool;
  for (size_t i = 0; i < kThreads; ++i)
    pool.emplace_back([&, i] {
      rec::set_thread_name("stress " + std::to_string(i));
      for (size_t k = 0; k < kIters; ++k) iteration(a, b, c);
    });
  for (auto& t : pool) t.join();
  rec::Stats st = rec::stats();
  CHECK(st.recorded == kThreads * kEvents * 2);
  CHECK(st.lost == 0);
  std::string msg;
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE_MESSAGE(rec::save(dir / "stress.vzt", &msg), msg);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("saved " << kThreads * kEvents << " events in " << secs << " s");
  CHECK(msg.find("saved " + std::to_string(kThreads * kEvents) + " events") != std::string::npos);

  LoadResult r = load(dir / "stress.vzt");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == kThreads);
  std::vector<bool> seen(kThreads, false);
  for (const Thread& th : t.threads) {
    std::string name(t.str(th.name));
    REQUIRE(name.rfind("stress ", 0) == 0);
    size_t idx = size_t(std::stoul(name.substr(7)));
    REQUIRE(idx < kThreads);
    CHECK_FALSE(seen[idx]);
    seen[idx] = true;
    const SliceSet& s = th.slices;
    CHECK(th.overflow.size() == 0);
    REQUIRE(s.size() == kEvents);
    REQUIRE(s.depths() == 3);
    CHECK(s.depth_begin[1] == kIters);
    CHECK(s.depth_begin[2] - s.depth_begin[1] == 2 * kIters);
    CHECK(s.size() - s.depth_begin[2] == kIters);
    CHECK(well_nested(s));
    // Every slice has the right name for its place: a at depth 0, b then c at depth 1, c at 2.
    uint32_t la = s.label[0], lb = s.label[s.depth_begin[1]], lc = s.label[s.depth_begin[2]];
    CHECK(t.name_of(la) == "a");
    CHECK(t.name_of(lb) == "b");
    CHECK(t.name_of(lc) == "c");
    size_t bad = 0;
    for (uint32_t i = 0; i < s.depth_begin[1]; ++i) bad += s.label[i] != la;
    for (uint32_t i = s.depth_begin[1]; i < s.depth_begin[2]; ++i)
      bad += s.label[i] != ((i - s.depth_begin[1]) % 2 ? lc : lb);
    for (uint32_t i = s.depth_begin[2]; i < s.size(); ++i) bad += s.label[i] != lc;
    CHECK(bad == 0);
    CHECK(th.unmatched_begin == 0);
    CHECK(th.unmatched_end == 0);
  }
}
