// Tests of the recorder's C++ API (recorder/vz_recorder.h, recorder/recorder.cpp, save.cpp):
// what each call records, as read back through the formats library's loader.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>

#include <sys/stat.h>

#include <cmath>
#include <string>
#include <iterator>
#include <fstream>
#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "formats/utf8.h"
#include "recorder/internal.h"
#include "recorder/save_internal.h"
#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

using namespace vz;
using namespace vz::rec_test;

namespace {

void leaf() { VZ_ZONE(); }

void middle() {
  VZ_ZONE();
  leaf();
  leaf();
}

void top() {
  VZ_ZONE();
  middle();
  leaf();
}

// Spins until CLOCK_MONOTONIC has advanced by ns (a known duration without sleeping).
void spin_ns(int64_t ns) {
  int64_t t0 = rec::internal::monotonic_ns();
  while (rec::internal::monotonic_ns() - t0 < ns) {
  }
}

const Thread& only_thread(const Trace& t) {
  REQUIRE(t.threads.size() == 1);
  return t.threads[0];
}

}  // namespace

TEST_CASE("recorder: scoped zones nest as the calls did, with their source location") {
  test::TempDir dir;
  start_session();
  top();
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "z.vzt", &msg), msg);
  CHECK(msg.find("saved 5 events") != std::string::npos);
  LoadResult r = load(dir / "z.vzt");
  const Trace& t = *r.trace;
  const Thread& th = only_thread(t);
  CHECK(th.slices.depths() == 3);
  CHECK(names_at(t, th, 0) == std::vector<std::string>{"top"});
  CHECK(names_at(t, th, 1) == std::vector<std::string>{"middle", "leaf"});
  CHECK(names_at(t, th, 2) == std::vector<std::string>{"leaf", "leaf"});
  CHECK(well_nested(th.slices));
  CHECK(th.unmatched_begin == 0);
  CHECK(th.unmatched_end == 0);
  // The thread is the caller's, the process this one.
  CHECK(t.str(th.tid) == std::to_string(gettid()));
  CHECK(t.str(t.processes[th.process].pid) == std::to_string(getpid()));
  // Call sites carry their file and line.
  StrId leaf_name = t.strings.find("leaf");
  REQUIRE(leaf_name != kNone);
  REQUIRE(t.functions.count(leaf_name) == 1);
  CHECK(t.str(t.functions.at(leaf_name).file).find("recorder_test.cpp") != std::string_view::npos);
  CHECK(t.functions.at(leaf_name).line > 0);
  CHECK(metadata(t, "viztracer_metadata").find("\"overflow\":false") != std::string::npos);
}

TEST_CASE("recorder: thread_records() counts the calling thread's records, across the ring's wraps") {
  rec::Config cfg;
  cfg.tracer_entries = 64;
  start_session(cfg);
  const rec::NameId z = rec::intern("z");
  uint64_t other = 1;
  std::thread([&] { other = rec::thread_records(); }).join();
  CHECK(other == 0);  // a thread that never recorded
  const uint64_t before = rec::thread_records();
  for (int i = 0; i < 100; ++i) rec::Zone a(z);  // 200 records through a 64-record ring
  CHECK(rec::thread_records() - before == 200);
  std::thread([&] {
    for (int i = 0; i < 5; ++i) rec::Zone a(z);
  }).join();
  CHECK(rec::thread_records() - before == 200);  // not another thread's
  rec::stop();
}

TEST_CASE("recorder: durations match a known busy wait, with either clock") {
  for (rec::Clock clock : {rec::Clock::Tsc, rec::Clock::Monotonic}) {
    CAPTURE(int(clock));
    test::TempDir dir;
    rec::Config cfg;
    cfg.clock = clock;
    start_session(cfg);
    {
      VZ_ZONE_N("wait");
      spin_ns(2000000);
    }
    REQUIRE(rec::save(dir / "c.vzt"));
    LoadResult r = load(dir / "c.vzt");
    const Thread& th = only_thread(*r.trace);
    REQUIRE(th.slices.size() == 1);
    CHECK(th.slices.dur[0] >= 2000000 - 1000);  // a calibrated TSC is good to a few ppm
    CHECK(th.slices.dur[0] < 2000000 + 50000000);
  }
}

TEST_CASE("recorder: a thread's timestamps strictly increase, even within one tick of the clock") {
  for (rec::Clock clock : {rec::Clock::Tsc, rec::Clock::Monotonic}) {
    CAPTURE(int(clock));
    rec::Config cfg;
    cfg.clock = clock;
    start_session(cfg);
    // The first reading of a session is the clock's own.
    const uint64_t before = rec::now_ticks();
    const uint64_t first = rec::now_ticks_stamped();
    CHECK(first >= before);
    CHECK(first - before < (uint64_t(1) << 32));
    // A latest timestamp the clock has not reached yet (as after events within one step of a
    // coarse clock): the next reading comes after it, a nanosecond or more once converted.
    rec::detail::Writer* w = rec::detail::tls_writer;
    REQUIRE(w != nullptr);
    const uint64_t ahead = rec::now_ticks() + (uint64_t(1) << 30);
    w->last.store(ahead);
    const uint64_t t = rec::now_ticks_stamped();
    CHECK(t > ahead);
    CHECK(w->last.load() == t);
    CHECK(rec::ticks_to_ns(t) > rec::ticks_to_ns(ahead));
    const uint64_t u = rec::now_ticks_stamped();
    CHECK(rec::ticks_to_ns(u) > rec::ticks_to_ns(t));
    rec::begin(rec::intern("after"));  // begin() and end() take the same sequence
    rec::end();
    CHECK(w->last.load() > u);
    rec::stop();
  }
  // Zones as fast as the hot path goes: on a clock coarser than a zone (a VM's TSC stepping by
  // 10 ns) many begin and end in one tick; saved, every slice is longer than zero and every
  // timestamp of the thread is later than the one before.
  test::TempDir dir;
  start_session();
  const rec::NameId a = rec::intern("a"), b = rec::intern("b");
  for (int i = 0; i < 2000; ++i) {
    rec::Zone outer(a);
    rec::Zone inner(b);
  }
  rec::instant("done");
  REQUIRE(rec::save(dir / "fast.vzt"));
  CHECK(rec::internal::last_stream_stats().streamed == 1);  // no zero-length slice refused it
  REQUIRE(rec::save(dir / "fast.json"));
  LoadResult r = load(dir / "fast.json");
  const Thread& th = only_thread(*r.trace);
  REQUIRE(th.slices.size() == 4000);
  std::vector<int64_t> times;
  for (size_t i = 0; i < th.slices.size(); ++i) {
    CHECK(th.slices.dur[i] > 0);
    times.push_back(th.slices.start[i]);
    times.push_back(th.slices.start[i] + th.slices.dur[i]);
  }
  std::sort(times.begin(), times.end());
  CHECK(std::adjacent_find(times.begin(), times.end()) == times.end());  // no two alike
  CHECK(th.slices.depths() == 2);  // every b inside its a
  CHECK(th.overflow.size() == 0);
}

TEST_CASE("recorder: complete() from now_ns() readings nests with zones, inside and around them") {
  // As fast as the calls go: on a clock coarser than a call, unstamped readings gave zero-length
  // slices and children starting before their zone (moved to overflow lanes).
  test::TempDir dir;
  start_session();
  const rec::NameId zone = rec::intern("zone"), inner = rec::intern("inner"), outer = rec::intern("outer");
  for (int i = 0; i < 2000; ++i) {
    {
      rec::Zone z(zone);  // a complete() child inside a zone
      const int64_t t0 = rec::now_ns();
      rec::complete(inner, t0, rec::now_ns() - t0);
    }
    const int64_t t0 = rec::now_ns();  // a zone inside a complete() parent
    { rec::Zone z(zone); }
    rec::complete(outer, t0, rec::now_ns() - t0);
  }
  REQUIRE(rec::save(dir / "mixed.json"));
  LoadResult r = load(dir / "mixed.json");
  const Thread& th = only_thread(*r.trace);
  CHECK(th.overflow.size() == 0);
  CHECK(r.trace->diagnostics.empty());
  REQUIRE(th.slices.size() == 8000);
  for (size_t i = 0; i < th.slices.size(); ++i) CHECK(th.slices.dur[i] > 0);
  CHECK(th.slices.depths() == 2);
}

TEST_CASE("recorder: append with another clock than the session it adds to is refused") {
  rec::Config cfg;
  cfg.clock = rec::Clock::Tsc;
  start_session(cfg);
  rec::stop();
  if (rec::internal::registry().clock.tsc) {  // (a machine without a usable TSC has one clock)
    rec::Config other;
    other.clock = rec::Clock::Monotonic;
    other.append = true;
    std::string err;
    CHECK_FALSE(rec::start(other, &err));
    CHECK(err.find("append needs the clock") != std::string::npos);
    other.clock = rec::Clock::Tsc;
    CHECK(rec::start(other, &err));
    rec::stop();
  }
}

TEST_CASE("recorder: begin/end across scopes, and complete events in return order") {
  test::TempDir dir;
  start_session();
  rec::NameId outer = rec::intern("outer"), a = rec::intern("a"), b = rec::intern("b");
  rec::begin(outer);
  int64_t t0 = rec::now_ns();
  int64_t t1 = t0 + 100, t2 = t0 + 300, t3 = t0 + 400, t4 = t0 + 1000;
  rec::complete(a, t1, 100);        // child of b
  rec::complete(a, t2, 50);         // child of b
  rec::complete(b, t0, t3 - t0);    // parent, recorded when it returns
  rec::complete(a, t3 + 10, t4 - t3 - 20);
  spin_ns(2000);
  rec::end();
  REQUIRE(rec::save(dir / "x.vzt"));
  LoadResult r = load(dir / "x.vzt");
  const Trace& t = *r.trace;
  const Thread& th = only_thread(t);
  CHECK(well_nested(th.slices));
  CHECK(th.slices.size() == 5);
  CHECK(names_at(t, th, 0) == std::vector<std::string>{"outer"});
  CHECK(names_at(t, th, 1) == std::vector<std::string>{"b", "a"});
  CHECK(names_at(t, th, 2) == std::vector<std::string>{"a", "a"});
  uint32_t first_a = th.slices.depth_begin[2];
  CHECK(th.slices.dur[first_a] == 100);
}

TEST_CASE("recorder: instants, counters, logged variables, flows and names") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.process_name = "proc";
  start_session(cfg);
  rec::set_thread_name("main thread");
  CHECK(rec::instant("t", rec::Scope::Thread, R"({"k": [1, 2]})"));
  CHECK(rec::instant("p", rec::Scope::Process));
  CHECK(rec::instant("g", rec::Scope::Global, "{}"));
  CHECK_FALSE(rec::instant("bad", rec::Scope::Thread, "{\"k\": "));  // not JSON: nothing recorded
  CHECK_FALSE(rec::instant("big", rec::Scope::Thread, std::string(rec::kMaxArgs + 1, ' ')));
  CHECK(rec::counter("mem", {{"rss", 1.5}, {"heap", 2.0}}));
  CHECK(rec::counter("mem", {{"rss", 3.0}}));
  CHECK(rec::log_var("x", 42.0));
  CHECK(rec::log_var("s", "he said \"hi\""));
  rec::flow_start(7, "hop");
  std::thread([] {
    rec::set_thread_name("other");
    rec::flow_end(7, "hop");
  }).join();
  REQUIRE(rec::save(dir / "e.vzt"));
  for (const char* f : {"e.vzt", "e.json", "e.json.gz"}) {
    CAPTURE(f);
    if (std::string(f) != "e.vzt") REQUIRE(rec::save(dir / f));
    LoadResult r = load(dir / f);
    const Trace& t = *r.trace;
    REQUIRE(t.threads.size() == 2);
    CHECK(t.str(t.processes[0].name) == "proc");
    std::vector<std::string> tnames;
    for (const Thread& th : t.threads) tnames.emplace_back(t.str(th.name));
    std::sort(tnames.begin(), tnames.end());
    CHECK(tnames == std::vector<std::string>{"main thread", "other"});
    const Thread* main_th = thread_by_tid(t, std::to_string(gettid()));
    REQUIRE(main_th);
    REQUIRE(main_th->instants.size() == 2);  // "t" and log_var("s")
    CHECK(t.name_of(main_th->instants[0].label) == "t");
    CHECK(t.view(main_th->instants[0].args) == R"({"k": [1, 2]})");
    CHECK(t.name_of(main_th->instants[1].label) == "s");
    CHECK(t.view(main_th->instants[1].args) == R"({"object":"he said \"hi\""})");
    REQUIRE(t.process_instants.size() == 1);
    CHECK(t.name_of(t.process_instants[0].label) == "p");
    REQUIRE(t.global_instants.size() == 1);
    CHECK(t.view(t.global_instants[0].args) == "{}");
    REQUIRE(t.counters.size() == 2);
    const Counter* mem = nullptr;
    const Counter* x = nullptr;
    for (const Counter& c : t.counters) (t.str(c.name) == "mem" ? mem : x) = &c;
    REQUIRE(mem);
    REQUIRE(x);
    REQUIRE(mem->ts.size() == 2);
    REQUIRE(mem->series.size() == 2);
    for (const CounterSeries& s : mem->series) {
      if (t.str(s.key) == "rss") CHECK(s.values == std::vector<double>{1.5, 3.0});
      else CHECK((s.values[0] == 2.0 && std::isnan(s.values[1])));
    }
    CHECK(t.str(x->series.at(0).key) == "value");
    CHECK(x->series.at(0).values == std::vector<double>{42.0});
    REQUIRE(t.flows.size() == 2);
    CHECK(t.str(t.flows[0].id) == "7");
    CHECK(t.flows[0].phase == 's');
    CHECK(t.flows[1].phase == 'f');
    CHECK(t.flows[0].thread != t.flows[1].thread);
  }
}

TEST_CASE("recorder: a full ring keeps the newest records and says how many were lost") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.tracer_entries = 100;
  start_session(cfg);
  rec::NameId z = rec::intern("z");
  rec::NameId outer = rec::intern("outer");
  rec::begin(outer);  // overwritten: its end becomes an orphan
  for (int i = 0; i < 1000; ++i) {
    rec::begin(z);
    rec::end();
  }
  rec::end();
  rec::Stats st = rec::stats();
  CHECK(st.recorded == 2002);
  CHECK(st.lost == 2002 - 100);
  std::string msg;
  REQUIRE(rec::save(dir / "o.vzt", &msg));
  CHECK(msg.find("1902 older records were lost") != std::string::npos);
  LoadResult r = load(dir / "o.vzt");
  const Thread& th = only_thread(*r.trace);
  // The last 100 records: an end whose begin was overwritten, 49 zones, outer's end.
  CHECK(th.slices.size() == 49);
  CHECK(th.unmatched_end == 2);
  CHECK(well_nested(th.slices));
  CHECK(metadata(*r.trace, "viztracer_metadata").find("\"overflow\":true") != std::string::npos);
  CHECK(metadata(*r.trace, "viztracer_metadata").find("\"lost_records\":1902") != std::string::npos);
}

TEST_CASE("recorder: begins still open at save run to the end of the trace") {
  test::TempDir dir;
  start_session();
  rec::begin(rec::intern("open"));
  { VZ_ZONE_N("closed"); }
  REQUIRE(rec::save(dir / "u.vzt"));
  LoadResult r = load(dir / "u.vzt");
  const Thread& th = only_thread(*r.trace);
  REQUIRE(th.slices.size() == 2);
  CHECK(r.trace->name_of(th.slices.label[0]) == "open");
  CHECK((th.slices.flags[0] & kSliceOpen) != 0);
  CHECK(th.slices.end(0) >= th.slices.end(1));
  CHECK(th.unmatched_begin == 1);
  rec::end();  // the thread's depth back to 0 for later tests
}

TEST_CASE("recorder: VZ_ZONE_N and VZ_BEGIN take runtime names run by run, literals once") {
  // (Each site sees other text at each run: every kind of string must give that run's name.)
  test::TempDir dir;
  start_session();
  const std::vector<std::string> words = {"alpha", "beta", "gamma"};
  char buffer[16];
  for (const std::string& w : words) {
    { VZ_ZONE_N(w); }                      // a std::string
    { VZ_ZONE_N(std::string_view(w)); }    // a string_view
    std::snprintf(buffer, sizeof buffer, "buf %s", w.c_str());
    const char* p = buffer;                // the same pointer, other text each run
    { VZ_ZONE_N(p); }
    { VZ_ZONE_N(buffer); }                 // a writable buffer: read at each run
    VZ_BEGIN(w + " span");
    rec::end();
    { VZ_ZONE_N("literal"); }
    { VZ_ZONE_N(w == "beta" ? "odd" : "eve"); }  // constant arrays of one length, two addresses
    // A buffer seen through a const reference, and a const array filled at run time: the same
    // address (and type, const char[N]) each run, other text.
    struct Job {
      char name[32];
    } job{};
    std::snprintf(job.name, sizeof job.name, "job %s", w.c_str());
    const Job& cjob = job;
    { VZ_ZONE_N(cjob.name); }
    const char local[4] = {w[0], w[1], 0, 0};
    VZ_BEGIN(local);
    rec::end();
    { VZ_ZONE_N(""); }                    // the empty literal (id 0) is a name like any other
    const std::string long_name = std::string(rec::kMaxName, 'x') + w;  // kept cut to kMaxName
    { VZ_ZONE_N(long_name); }
  }
  REQUIRE(rec::save(dir / "n.vzt"));
  LoadResult r = load(dir / "n.vzt");
  const Thread& th = only_thread(*r.trace);
  std::vector<std::string> got = names_at(*r.trace, th, 0);
  std::vector<std::string> want;
  for (const std::string& w : words)
    for (std::string n : {w, w, "buf " + w, "buf " + w, w + " span", std::string("literal"),
                          std::string(w == "beta" ? "odd" : "eve"), "job " + w, w.substr(0, 2),
                          std::string(), std::string(rec::kMaxName, 'x')})
      want.push_back(n);
  CHECK(got == want);
}

TEST_CASE("recorder: min_duration and max_stack_depth") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.min_duration_ns = 1000000;
  cfg.max_stack_depth = 2;
  start_session(cfg);
  {
    VZ_ZONE_N("long");
    spin_ns(1500000);
    { VZ_ZONE_N("short"); }
    {
      VZ_ZONE_N("long child");
      spin_ns(1100000);
      {
        VZ_ZONE_N("too deep");
        spin_ns(1100000);
      }
    }
  }
  std::string msg;
  REQUIRE(rec::save(dir / "f.vzt", &msg));
  CHECK(msg.find("1 shorter than min_duration left out") != std::string::npos);
  LoadResult r = load(dir / "f.vzt");
  const Thread& th = only_thread(*r.trace);
  CHECK(names_at(*r.trace, th, 0) == std::vector<std::string>{"long"});
  CHECK(names_at(*r.trace, th, 1) == std::vector<std::string>{"long child"});
  CHECK(th.slices.depths() == 2);
}

TEST_CASE("recorder: nothing is recorded while stopped; clear drops events") {
  test::TempDir dir;
  start_session();
  { VZ_ZONE_N("kept"); }
  rec::stop();
  CHECK_FALSE(rec::recording());
  { VZ_ZONE_N("while stopped"); }
  CHECK_FALSE(rec::instant("while stopped"));
  REQUIRE(rec::save(dir / "s.vzt"));
  LoadResult r = load(dir / "s.vzt");
  CHECK(slices(*r.trace) == 1);
  rec::clear();
  CHECK(rec::stats().recorded == 2);  // written since start(); none of them is saved any more
  CHECK(rec::stats().lost == 0);
  std::string msg;
  REQUIRE(rec::save(dir / "empty.vzt", &msg));
  CHECK(msg.find("saved 0 events") != std::string::npos);
  CHECK(slices(*load(dir / "empty.vzt").trace) == 0);
}

// Threads that record all along while sessions of other ring sizes start and stop: a push that
// raced with start() replacing its ring kept writing through the old one, past its end, and a
// later start() freed it under the thread (heap corruption; ASan: use after free). Then a last
// session records every zone of the threads' next round, well nested.
TEST_CASE("recorder: sessions of changing ring sizes while threads record all along") {
  test::TempDir dir;
  const rec::NameId spin = rec::intern("spin"), last = rec::intern("last");
  constexpr int kThreads = 4, kCycles = 3000, kLast = 1000;
  std::atomic<int> phase{0};  // 0: spin; 1: record kLast zones, then 2: done
  std::atomic<int> finished{0};
  std::vector<std::thread> pool;
  for (int i = 0; i < kThreads; ++i)
    pool.emplace_back([&] {
      while (phase.load(std::memory_order_relaxed) == 0) rec::Zone z(spin);
      for (int k = 0; k < kLast; ++k) rec::Zone z(last);
      finished.fetch_add(1);
      while (phase.load() != 2) std::this_thread::yield();
    });
  for (int c = 0; c < kCycles; ++c) {
    rec::Config cfg;
    cfg.tracer_entries = c % 3 == 0 ? 64 : c % 3 == 1 ? 4096 : 300;
    start_session(cfg);
    // Asleep, this thread wakes up into the recording threads: they are preempted at random
    // points, inside push() among them, which is the race this test makes (not one it waits out).
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    rec::stop();
  }
  rec::Config cfg;
  cfg.tracer_entries = 1 << 16;  // room for every zone of the last round
  start_session(cfg);
  const rec::Stats s = rec::stats();
  CHECK(s.ring_bytes >= uint64_t(kThreads) * (1 << 16) * sizeof(vz::rec::detail::Record));
  phase.store(1);
  while (finished.load() < kThreads) std::this_thread::yield();
  rec::stop();
  phase.store(2);
  for (auto& t : pool) t.join();
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "r.vzt", &msg), msg);
  LoadResult r = load(dir / "r.vzt");
  REQUIRE(r.ok);
  const Trace& t = *r.trace;
  uint64_t lasts = 0;
  for (const Thread& th : t.threads) {
    CHECK(well_nested(th.slices));
    for (uint32_t k = 0; k < th.slices.size(); ++k) lasts += t.name_of(th.slices.label[k]) == "last";
  }
  CHECK(lasts == uint64_t(kThreads) * kLast);
}

TEST_CASE("recorder: clear() while threads record keeps what they record after it") {
  // Each thread records "warm" zones, and once told to, "measure" zones. clear() runs while they
  // are busy; the watermark leaves out at least the warm zones each had finished before it, the
  // measured zones all come after it, and nothing written before clear() comes back.
  test::TempDir dir;
  rec::Config cfg;
  cfg.tracer_entries = 1 << 20;  // no wrap: every record after clear() is still held at save
  start_session(cfg);
  const rec::NameId warm = rec::intern("warm"), measure = rec::intern("measure");
  constexpr int kThreads = 4, kMeasured = 5000, kBeforeClear = 2000;
  std::atomic<int> phase{0};
  std::atomic<int> warm_before[kThreads] = {};
  std::vector<int> warm_total(kThreads, 0);
  std::vector<std::thread> pool;
  for (int i = 0; i < kThreads; ++i)
    pool.emplace_back([&, i] {
      while (phase.load() == 0) {
        { rec::Zone z(warm); }
        ++warm_total[size_t(i)];
        warm_before[i].store(warm_total[size_t(i)]);
      }
      for (int k = 0; k < kMeasured; ++k) rec::Zone z(measure);
    });
  for (int i = 0; i < kThreads; ++i)
    while (warm_before[i].load() < kBeforeClear) std::this_thread::yield();
  rec::clear();
  phase.store(1);
  for (auto& t : pool) t.join();
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "c.vzt", &msg), msg);
  LoadResult r = load(dir / "c.vzt");
  const Trace& t = *r.trace;
  uint64_t measured = 0, warmed = 0, total_warm = 0;
  for (const Thread& th : t.threads) {
    CHECK(well_nested(th.slices));
    for (uint32_t k = 0; k < th.slices.size(); ++k) {
      const std::string_view n = t.name_of(th.slices.label[k]);
      measured += n == "measure";
      warmed += n == "warm";
    }
  }
  for (int w : warm_total) total_warm += uint64_t(w);
  CHECK(measured == uint64_t(kThreads) * kMeasured);
  CHECK(warmed <= total_warm - uint64_t(kThreads) * kBeforeClear);
}

TEST_CASE("recorder: threads that exit keep their events") {
  test::TempDir dir;
  start_session();
  std::vector<std::thread> pool;
  for (int i = 0; i < 4; ++i)
    pool.emplace_back([i] {
      rec::set_thread_name("t" + std::to_string(i));
      for (int k = 0; k <= i; ++k) {
        VZ_ZONE_N("work");
      }
    });
  for (auto& t : pool) t.join();
  REQUIRE(rec::save(dir / "t.vzt"));
  LoadResult r = load(dir / "t.vzt");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 4);
  for (const Thread& th : t.threads) {
    std::string name(t.str(th.name));
    REQUIRE(name.size() == 2);
    CHECK(th.slices.size() == size_t(name[1] - '0') + 1);
  }
}

namespace {
// A per-thread object that records as its thread ends (a flush in a thread_local destructor).
struct FlushAtExit {
  int uses = 0;
  ~FlushAtExit() {
    VZ_ZONE_N("flush at exit");
    rec::instant("exit instant");
  }
};
thread_local FlushAtExit flush_at_exit;
}  // namespace

TEST_CASE("recorder: what a thread records in its thread_local destructors is kept, made before or after its first event") {
  test::TempDir dir;
  start_session();
  std::thread before([] {
    ++flush_at_exit.uses;  // made before the thread's first event: destroyed after the recorder's own
    VZ_ZONE_N("work");
  });
  before.join();
  std::thread after([] {
    { VZ_ZONE_N("work"); }
    ++flush_at_exit.uses;
  });
  after.join();
  REQUIRE(rec::save(dir / "x.json"));
  LoadResult r = load(dir / "x.json");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 2);
  for (const Thread& th : t.threads) {
    CHECK(names_at(t, th, 0) == std::vector<std::string>{"work", "flush at exit"});
    REQUIRE(th.instants.size() == 1);
    CHECK(t.name_of(th.instants[0].label) == "exit instant");
  }
}

TEST_CASE("recorder: bad input gives errors, never crashes") {
  test::TempDir dir;
  std::string err;
  rec::Config small;
  small.tracer_entries = 10;
  reset();
  CHECK_FALSE(rec::start(small, &err));
  CHECK(err.find("tracer_entries") != std::string::npos);
  rec::Config json_stream;
  json_stream.streaming = true;
  json_stream.output_file = dir / "s.json";
  CHECK_FALSE(rec::start(json_stream, &err));
  start_session();
  CHECK_FALSE(rec::start({}, &err));  // already recording
  CHECK(err == "already recording");
  // Names past kMaxName are cut, at a UTF-8 boundary.
  std::string huge(rec::kMaxName - 1, 'a');
  huge += "\xc3\xa9\xc3\xa9";
  rec::begin(rec::intern(huge));
  rec::end();
  CHECK(rec::intern(std::string_view()) == rec::kNoName);
  std::string msg;
  CHECK_FALSE(rec::save("/nonexistent-dir/x.vzt", &msg));
  CHECK(msg.find("cannot save") != std::string::npos);
  CHECK_FALSE(rec::save(dir / "x.txt", &msg));
  CHECK(msg.find("unknown output format") != std::string::npos);
  ::chmod(dir.path.c_str(), 0500);
  if (::access((dir / "probe").c_str(), W_OK) != 0 && ::geteuid() != 0) {
    CHECK_FALSE(rec::save(dir / "ro.vzt", &msg));
  }
  ::chmod(dir.path.c_str(), 0700);
  REQUIRE(rec::save(dir / "ok.vzt", &msg));
  LoadResult r = load(dir / "ok.vzt");
  const Thread& th = only_thread(*r.trace);
  REQUIRE(th.slices.size() == 1);
  std::string_view name = r.trace->name_of(th.slices.label[0]);
  CHECK(name.size() == rec::kMaxName - 1);  // the two-byte character does not fit
  CHECK(dir.temporaries() == 0);            // failed saves left nothing behind
}

TEST_CASE("recorder: events bigger than the ring, bad scopes and wild times are refused or clamped") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.tracer_entries = 64;  // the smallest ring
  start_session(cfg);
  // 100 series need 101 records: more than the ring holds.
  std::vector<rec::NameId> keys;
  std::vector<double> values;
  for (int i = 0; i < 100; ++i) keys.push_back(rec::intern("k" + std::to_string(i))), values.push_back(i);
  CHECK_FALSE(rec::counter(rec::intern("wide"), keys.data(), values.data(), keys.size()));
  CHECK(rec::counter(rec::intern("narrow"), keys.data(), values.data(), 3));
  // An instant whose args need more records than the ring: refused, not half-written.
  std::string big = "\"" + std::string(2000, 'x') + "\"";
  CHECK_FALSE(rec::instant(rec::intern("big"), rec::Scope::Thread, big));
  CHECK_FALSE(rec::instant(rec::intern("odd scope"), rec::Scope(3), ""));
  // A complete event with absurd times: clamped, recorded, no overflow.
  rec::complete(rec::intern("forever"), rec::now_ns(), INT64_MAX);
  rec::complete(rec::intern("ancient"), INT64_MIN / 2, 10);
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "w.vzt", &msg), msg);
  LoadResult r = load(dir / "w.vzt");
  REQUIRE(r.ok);
  CHECK(r.trace->counters.size() == 1);
  CHECK(r.trace->str(r.trace->counters[0].name) == "narrow");
  uint64_t n = 0;
  for (const Thread& th : r.trace->threads) n += th.slices.size() + th.overflow.size() + th.instants.size();
  CHECK(n == 2);  // the two complete events
}

TEST_CASE("recorder: a short complete event takes one record, a long one two; both keep their times") {
  for (rec::Clock clock : {rec::Clock::Auto, rec::Clock::Monotonic}) {
    test::TempDir dir;
    rec::Config cfg;
    cfg.clock = clock;
    start_session(cfg);
    const int64_t t0 = rec::now_ns();
    rec::complete(rec::intern("short"), t0, 1000000);         // 1 ms: under 2^24 ticks either way
    rec::complete(rec::intern("long"), t0 + 2000000, 300000000);  // 300 ms: over
    CHECK(rec::stats().recorded == 3);
    std::string msg;
    REQUIRE_MESSAGE(rec::save(dir / "c.vzt", &msg), msg);
    LoadResult r = load(dir / "c.vzt");
    const Thread& th = only_thread(*r.trace);
    const SliceSet& s = th.slices.size() ? th.slices : th.overflow;
    REQUIRE(s.size() == 2);
    for (uint32_t i = 0; i < 2; ++i) {
      const bool is_short = r.trace->name_of(s.label[i]) == "short";
      const Time want = is_short ? 1000000 : 300000000;
      CHECK(std::llabs(s.dur[i] - want) <= want / 10000 + 2);  // the tick round trip: ppm, not more
    }
  }
}

TEST_CASE("recorder: a zone open across start() does not shift max_stack_depth or leave an orphan end") {
  test::TempDir dir;
  start_session();
  rec::begin(rec::intern("from the last session"));
  rec::stop();
  rec::Config cfg;
  cfg.max_stack_depth = 1;
  start_session(cfg);  // depths start again at 0
  rec::end();          // closes the zone begun before start(): nothing to record
  for (int i = 0; i < 3; ++i) {
    rec::begin(rec::intern("a"));  // depth 1: recorded
    rec::begin(rec::intern("b"));  // depth 2: beyond max_stack_depth
    rec::end();
    rec::end();
  }
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "d.vzt", &msg), msg);
  LoadResult r = load(dir / "d.vzt");
  const Thread& th = only_thread(*r.trace);
  CHECK(names_at(*r.trace, th, 0) == std::vector<std::string>{"a", "a", "a"});
  CHECK(th.slices.depths() == 1);
  CHECK(th.unmatched_end == 0);
}

// For disabled_test.cpp, which is compiled with recording compiled out.
void vz_test_start_real() { start_session(); }
uint64_t vz_test_recorded_real() { return rec::stats().recorded; }

namespace {

// A thread's slices as (depth, start, dur, name, flags), depth-major; starts from the trace's
// (a JSON file's times have an origin of their own).
std::vector<std::tuple<uint32_t, Time, Time, std::string, uint8_t>> slice_rows(const Trace& t,
                                                                               const Thread& th) {
  std::vector<std::tuple<uint32_t, Time, Time, std::string, uint8_t>> rows;
  const SliceSet& s = th.slices;
  for (uint32_t d = 0; d < s.depths(); ++d)
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i)
      rows.emplace_back(d, s.start[i] - t.start, s.dur[i], std::string(t.name_of(s.label[i])),
                        s.flags[i]);
  return rows;
}

void calls(rec::NameId* names, int depth, uint64_t& x) {
  x = x * 6364136223846793005ull + 1442695040888963407ull;
  rec::Zone z(names[(x >> 33) % 5]);
  if (depth < 6)
    for (uint64_t k = (x >> 40) % 4; k > 0; --k) calls(names, depth + 1, x);
}

}  // namespace

TEST_CASE("recorder: .vzt (threads saved as preorder walks) and .json saves load as the same slices") {
  // Begin/end slices, complete() slices, a thread with both; with a min_duration; with more
  // slices than max_slices keeps.
  for (int mode = 0; mode < 3; ++mode) {
    CAPTURE(mode);
    test::TempDir dir;
    rec::Config cfg;
    if (mode == 1) cfg.min_duration_ns = 60;
    if (mode == 2) cfg.max_slices = 500;
    start_session(cfg);
    rec::NameId names[5] = {rec::intern("a"), rec::intern("b"), rec::intern("c"),
                            rec::intern("d"), rec::intern("e")};
    uint64_t x = 1;
    for (int i = 0; i < 50; ++i) calls(names, 0, x);  // begin/end slices
    auto completes = [&] {                             // complete() slices, in return order
      int64_t t0 = rec::now_ns();
      for (int i = 0; i < 200; ++i) {
        int64_t s = t0 + i * 1000;
        rec::complete(names[i % 5], s + 10, 30 + i % 50);
        rec::complete(names[(i + 1) % 5], s + 400, 200);
        rec::complete(names[(i + 2) % 5], s, 900);
      }
    };
    std::thread(completes).join();
    std::thread([&] {  // both kinds in one thread
      uint64_t y = 7;
      calls(names, 2, y);
      completes();
    }).join();
    rec::begin(names[0]);  // open at save: runs to the trace's end
    // An event after it: were the open begin the trace's last event, it would end where it
    // starts, and a zero-length slice goes to the builder's layout instead of the stream.
    rec::instant("after the open begin");
    REQUIRE(rec::save(dir / "w.vzt"));
    // The begin/end-only thread and the complete()-only one went straight from their rings into
    // the file (no min_duration, no slices dropped), and no stream failed.
    CHECK(rec::internal::last_stream_stats().streamed == (mode == 0 ? 2u : 0u));
    CHECK(!rec::internal::last_stream_stats().redone);
    REQUIRE(rec::save(dir / "w.json"));
    rec::end();
    LoadResult a = load(dir / "w.vzt"), b = load(dir / "w.json");
    const Trace &ta = *a.trace, &tb = *b.trace;
    CHECK(ta.diagnostics.empty());
    // max_slices keeps the newest slices: which threads still have any depends on timing.
    REQUIRE(ta.threads.size() == tb.threads.size());
    if (mode != 2) REQUIRE(ta.threads.size() == 3);
    CHECK(ta.end - ta.start == tb.end - tb.start);
    size_t slices = 0;
    for (const Thread& th : ta.threads) {
      std::string tid(ta.str(th.tid));
      CAPTURE(tid);
      const Thread* other = thread_by_tid(tb, tid);
      REQUIRE(other);
      CHECK(slice_rows(ta, th) == slice_rows(tb, *other));
      slices += th.slices.size();
    }
    if (mode == 2) CHECK(slices == 501);  // the 500 newest ended ones, and the open one
    else CHECK(slices > 900);
  }
}

TEST_CASE("recorder: complete() calls that overlap are found by the deferred walk and saved all the same") {
  // A complete() thread whose calls do not nest (the writer's walk finds it while writing): the
  // save is redone with that thread left to the builder, and the begin/end thread still streamed.
  test::TempDir dir;
  start_session();
  rec::NameId names[3] = {rec::intern("a"), rec::intern("b"), rec::intern("c")};
  for (int i = 0; i < 200; ++i) rec::Zone z(names[i % 3]);  // begin/end slices
  std::thread([&] {
    const int64_t t0 = rec::now_ns();
    for (int i = 0; i < 300; ++i) {
      const int64_t s = t0 + i * 1000;
      rec::complete(names[0], s + 10, 30);
      rec::complete(names[1], s, 900);
      if (i == 150) rec::complete(names[2], s + 500, 1000);  // overlaps the next call
    }
  }).join();
  REQUIRE(rec::save(dir / "o.vzt"));
  CHECK(rec::internal::last_stream_stats().redone);
  CHECK(rec::internal::last_stream_stats().streamed == 1);  // the begin/end thread
  REQUIRE(rec::save(dir / "o.json"));
  LoadResult a = load(dir / "o.vzt"), b = load(dir / "o.json");
  const Trace &ta = *a.trace, &tb = *b.trace;
  for (size_t k = 0; k < size_t(DiagKind::kCount); ++k)  // the overlapping call went to a lane
    if (DiagKind(k) != DiagKind::OverlappingSlice) CHECK(ta.diagnostics.count(DiagKind(k)) == 0);
  REQUIRE(ta.threads.size() == 2);
  REQUIRE(tb.threads.size() == 2);
  size_t slices = 0;
  for (const Thread& th : ta.threads) {
    const Thread* other = thread_by_tid(tb, std::string(ta.str(th.tid)));
    REQUIRE(other);
    CHECK(slice_rows(ta, th) == slice_rows(tb, *other));
    slices += th.slices.size() + th.overflow.size();
  }
  CHECK(slices == 200 + 601);
}

TEST_CASE("recorder: a thread saved as a walk keeps the slices added to it as JSON") {
  test::TempDir dir;
  start_session();
  rec::NameId zone = rec::intern("zone");
  for (int i = 0; i < 20; ++i) rec::Zone z(zone);
  // On this thread (no tid given): laid out with the zones, not left out of the .vzt.
  std::string ts = std::to_string(double(rec::now_ns()) / 1000.0 + 1.0);
  REQUIRE(rec::add_event_json(R"({"ph":"X","name":"from_json","ts":)" + ts + R"(,"dur":5,"args":{"k":1}})"));
  REQUIRE(rec::save(dir / "x.vzt"));
  REQUIRE(rec::save(dir / "x.json"));
  LoadResult a = load(dir / "x.vzt"), b = load(dir / "x.json");
  const Trace &ta = *a.trace, &tb = *b.trace;
  const Thread& th = only_thread(ta);
  CHECK(th.slices.size() == 21);
  CHECK(slice_rows(ta, th) == slice_rows(tb, only_thread(tb)));
  CHECK(ta.events == 21);  // the recorder's count: 20 zones and the added event
}

TEST_CASE("recorder: names of slices max_slices drops are not in the saved label table") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.max_slices = 5;
  start_session(cfg);
  { VZ_ZONE_N("only_dropped"); }
  for (int i = 0; i < 50; ++i) {
    VZ_ZONE_N("kept");
  }
  for (const char* f : {"m.vzt", "m.json"}) {
    CAPTURE(f);
    REQUIRE(rec::save(dir / f));
    LoadResult r = load(dir / f);
    const Trace& t = *r.trace;
    CHECK(only_thread(t).slices.size() == 5);
    bool dropped_named = false, kept_named = false;
    for (const Label& l : t.labels) {
      dropped_named |= t.str(l.name) == "only_dropped";
      kept_named |= t.str(l.name) == "kept";
    }
    CHECK_FALSE(dropped_named);
    CHECK(kept_named);
  }
}

namespace {
// Two zones from one macro, on one line: their variables must not clash (numbered by __COUNTER__).
#define VZ_TEST_TWO_ZONES VZ_ZONE_N("first"); VZ_ZONE_N("second")
void two_zones_one_line() { VZ_TEST_TWO_ZONES; VZ_ZONE(); }
}  // namespace

TEST_CASE("recorder: several zones on one line, and counters of integer values") {
  test::TempDir dir;
  start_session();
  two_zones_one_line();
  const std::vector<int> q(3);
  const int n = -5;
  CHECK(rec::counter("queue", {{"size", q.size()}, {"n", n}, {"ratio", 0.5f}}));  // no casts
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "z.vzt", &msg), msg);
  LoadResult r = load(dir / "z.vzt");
  const Trace& t = *r.trace;
  const Thread& th = only_thread(t);
  CHECK(names_at(t, th, 0) == std::vector<std::string>{"first"});
  CHECK(names_at(t, th, 1) == std::vector<std::string>{"second"});
  CHECK(names_at(t, th, 2) == std::vector<std::string>{"two_zones_one_line"});
  REQUIRE(t.counters.size() == 1);
  std::map<std::string, double> last;
  for (const CounterSeries& s : t.counters[0].series) last[std::string(t.str(s.key))] = s.values.back();
  CHECK(last == std::map<std::string, double>{{"n", -5.0}, {"ratio", 0.5}, {"size", 3.0}});
}

TEST_CASE("recorder: bytes that are not UTF-8 never make the saved JSON invalid") {
  // Names, thread names and logged text may be any bytes: written repaired (U+FFFD). Args and
  // events given as JSON must be JSON text, which is UTF-8: refused otherwise.
  test::TempDir dir;
  start_session();
  rec::set_thread_name("th\xff");
  { VZ_ZONE_N(std::string("caf\xe9")); }
  CHECK(rec::log_var("v\xc3", std::string_view("x\xe9y")));
  CHECK_FALSE(rec::instant("i", rec::Scope::Thread, "{\"k\":\"\xff\"}"));
  CHECK_FALSE(rec::add_event_json("{\"ph\":\"i\",\"name\":\"\xc3(\",\"ts\":1}"));
  CHECK(rec::instant("ok", rec::Scope::Thread, "{\"k\":\"\xc3\xa9\"}"));
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "u.json", &msg), msg);
  std::ifstream f(dir / "u.json", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  CHECK(utf8_valid(text));
  LoadResult r = load(dir / "u.json");
  REQUIRE(r.ok);
  CHECK(r.trace->diagnostics.count(DiagKind::InvalidUtf8) == 0);
  CHECK(text.find("caf\xef\xbf\xbd") != std::string::npos);  // é's lone byte -> U+FFFD
  CHECK(text.find("\"k\":\"\xc3\xa9\"") != std::string::npos);
}

TEST_CASE("recorder: save says how many slices min_duration left out, when it was all of them") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.min_duration_ns = 1000000000;  // 1 s: every zone below is shorter
  start_session(cfg);
  for (int i = 0; i < 10; ++i) {
    VZ_ZONE_N("short");
  }
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "m.json", &msg), msg);
  CHECK(msg.find("saved 0 events") != std::string::npos);
  CHECK(msg.find("(10 shorter than min_duration left out)") != std::string::npos);
}
