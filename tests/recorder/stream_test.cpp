// Streaming mode: small rings drained into the .vzt while threads record, so nothing is lost;
// and a program killed with SIGKILL leaves a file that loads up to its last whole section.
#include <doctest/doctest.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <set>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "recorder/internal.h"
#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

using namespace vz;
using namespace vz::rec_test;

namespace {

// A streaming session's configuration: rings of `entries` records, output `path`.
rec::Config streaming(size_t entries, const std::string& path) {
  rec::Config cfg;
  cfg.streaming = true;
  cfg.tracer_entries = entries;
  cfg.output_file = path;
  return cfg;
}

// The file at `path` holds one thread of n slices.
void check_one_thread(const std::string& path, size_t n) {
  CAPTURE(path);
  LoadResult r = load(path);
  REQUIRE(r.trace);
  REQUIRE(r.trace->threads.size() == 1);
  CHECK(r.trace->threads[0].slices.size() == n);
}

// A streamed session of n zones to `path`, then a thread whose stop() has begun (the caller
// joins it).
std::thread stop_begun(const std::string& path, int n) {
  start_session(streaming(1 << 16, path));
  const rec::NameId z = rec::intern("z");
  for (int k = 0; k < n; ++k) rec::Zone a(z);
  std::thread stopper([] { rec::stop(); });
  while (rec::recording()) std::this_thread::yield();
  return stopper;
}

}  // namespace

// What a saved file has from Config and the session's calls, a streamed one has too: every
// label's category, the set_metadata() members (viztracer_metadata's too, after the recorder's
// own, with baseTimeNanoseconds), and the process name set after the process was first written.
TEST_CASE("recorder streaming: category, metadata and a late process name, as save() writes them") {
  test::TempDir dir;
  rec::Config cfg = streaming(64, dir / "m.vzt");
  cfg.category = "FEE";
  cfg.process_name = "first";
  start_session(cfg);
  const rec::NameId z = rec::intern("z");
  for (int k = 0; k < 200; ++k) rec::Zone a(z);  // the ring fills: the flusher writes the process
  while (rec::stats().flushed == 0) std::this_thread::yield();
  rec::set_process_name("renamed");
  CHECK(rec::set_metadata("file_info", R"({"files":{},"functions":{}})"));
  CHECK(rec::set_metadata("viztracer_metadata", R"({"sync_marker":12.5})"));
  rec::stop();
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  LoadResult r = load(dir / "m.vzt");
  REQUIRE(r.trace);
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 1);
  const SliceSet& s = t.threads[0].slices;
  REQUIRE(s.size() == 200);
  for (uint32_t k = 0; k < s.size(); ++k) CHECK(t.str(t.labels[s.label[k]].cat) == "FEE");
  REQUIRE(t.processes.size() == 1);
  CHECK(t.str(t.processes[0].name) == "renamed");
  std::string meta, file_info;
  for (const MetadataEntry& m : t.metadata) {
    if (t.str(m.key) == "viztracer_metadata") meta = std::string(t.view(m.value));
    if (t.str(m.key) == "file_info") file_info = std::string(t.view(m.value));
  }
  CHECK(meta.find("\"sync_marker\":12.5") != std::string::npos);
  CHECK(meta.find("\"baseTimeNanoseconds\":") != std::string::npos);
  CHECK(meta.find("\"streaming\":true") != std::string::npos);
  CHECK(file_info == R"({"files":{},"functions":{}})");
}

// start() on one thread while stop() on another is still finishing the stream (its flusher
// draining the rings) waits for it: both files then hold all their events.
TEST_CASE("recorder streaming: start() while another thread's stop() finishes the stream") {
  test::TempDir dir;
  std::thread stopper = stop_begun(dir / "a.vzt", 100000);
  const rec::NameId z = rec::intern("z");
  std::string err;
  REQUIRE_MESSAGE(rec::start(streaming(1024, dir / "b.vzt"), &err), err);
  stopper.join();
  for (int k = 0; k < 5000; ++k) rec::Zone a(z);
  CHECK(rec::recording());
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  CHECK(msg.find("streamed") != std::string::npos);
  CHECK(rec::stats().lost == 0);
  check_one_thread(dir / "a.vzt", 100000);
  check_one_thread(dir / "b.vzt", 5000);
}

// save() on one thread while stop() on another is still finishing the stream waits for its end
// and reports the stream, rather than save the drained rings over the file being finished.
TEST_CASE("recorder streaming: save() while another thread's stop() finishes the stream") {
  test::TempDir dir;
  std::thread stopper = stop_begun(dir / "a.vzt", 100000);
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  stopper.join();
  CHECK(msg.find("streamed 100000 events") != std::string::npos);
  check_one_thread(dir / "a.vzt", 100000);
}

// A live thread's ring wrapped many times over in a streamed session: stats() counts nothing
// lost, also after stop() has ended the streaming (it counted every wrapped record lost).
TEST_CASE("recorder streaming: nothing counted lost after stop()") {
  test::TempDir dir;
  start_session(streaming(64, dir / "l.vzt"));
  const rec::NameId z = rec::intern("z");
  for (int k = 0; k < 1000; ++k) rec::Zone a(z);
  CHECK(rec::stats().lost == 0);
  rec::stop();
  const rec::Stats st = rec::stats();
  CHECK(st.recorded == 2000);
  CHECK(st.lost == 0);
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  CHECK(rec::stats().lost == 0);
  check_one_thread(dir / "l.vzt", 1000);
}

TEST_CASE("recorder streaming: small rings, nothing lost, file written while recording") {
  test::TempDir dir;
  const size_t kThreads = 4, kZones = 200000;
  // 400 K records per thread pass through a 1024-record ring.
  const rec::Config cfg = streaming(1024, dir / "s.vzt");
  start_session(cfg);
  rec::NameId outer = rec::intern("outer"), z = rec::intern("z"), y = rec::intern("y");
  std::vector<std::thread> pool;
  for (size_t i = 0; i < kThreads; ++i)
    pool.emplace_back([&, i] {
      rec::set_thread_name("streamer " + std::to_string(i));
      rec::begin(outer);  // open for the whole run: its children are flushed before it ends
      for (size_t k = 0; k < kZones; ++k) {
        rec::Zone a(z);
        if (k % 4 == 0) rec::Zone b(y);
        if (k % 1000 == 0) rec::counter("progress", {{"k", double(k)}});
        if (k % 5000 == 0) rec::instant("tick", rec::Scope::Thread, "{\"k\":1}");
      }
      rec::end();
    });
  for (auto& t : pool) t.join();
  // Every record counts, though each ring wrapped hundreds of times (2 per zone at least).
  const uint64_t zone_records = kThreads * 2 * (1 + kZones + kZones / 4);
  const rec::Stats st = rec::stats();
  CHECK(st.recorded >= zone_records);
  CHECK(st.recorded <= zone_records + kThreads * 4 * (kZones / 1000 + kZones / 5000));
  CHECK(st.lost == 0);
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  CHECK(msg.find("streamed") != std::string::npos);
  LoadResult r = load(dir / "s.vzt");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == kThreads);
  for (const Thread& th : t.threads) {
    CHECK(std::string(t.str(th.name)).rfind("streamer ", 0) == 0);
    REQUIRE(th.slices.size() == 1 + kZones + kZones / 4);
    CHECK(th.overflow.size() == 0);
    CHECK(well_nested(th.slices));
    CHECK(names_at(t, th, 0) == std::vector<std::string>{"outer"});
    CHECK(th.slices.depth_begin[2] - th.slices.depth_begin[1] == kZones);
    CHECK(th.instants.size() == kZones / 5000);
    CHECK(th.unmatched_begin == 0);
  }
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].ts.size() == kThreads * kZones / 1000);
  CHECK(t.diagnostics.count(DiagKind::TruncatedInput) == 0);
}

TEST_CASE("recorder streaming: an exited thread's ring is freed while recording; its events stay") {
  // One short-lived thread per task: each ring goes once its thread has exited and the flusher
  // has written its records, so memory does not grow with the number of threads.
  test::TempDir dir;
  const rec::Config cfg = streaming(4096, dir / "short.vzt");
  start_session(cfg);
  const rec::NameId task = rec::intern("task"), z = rec::intern("z");
  const int kThreads = 60, kZones = 3000, kBurst = 200;  // 6000 records per thread: rings wrap
  // Rings of threads that are still alive (this one, if an earlier test recorded on it) stay.
  const rec::Stats before = rec::stats();
  // Waits for the flusher (it polls every few ms) to free the workers' rings; false after 30 s.
  auto rings_freed = [&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (rec::stats().ring_bytes != before.ring_bytes) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::yield();
    }
    return true;
  };
  for (int i = 0; i < kThreads; ++i) {
    std::thread([&, i] {
      rec::set_thread_name("worker " + std::to_string(i));
      rec::begin(task);
      for (int k = 0; k < kZones; ++k) rec::Zone a(z);
      if (i != 7) rec::end();  // worker 7 exits with its task still open
    }).join();
    CHECK(rec::stats().threads == before.threads + uint32_t(i + 1));
    REQUIRE_MESSAGE(rings_freed(), "thread ", i, "'s ring was not freed");
  }
  const rec::Stats st = rec::stats();
  CHECK(st.recorded >= uint64_t(kThreads) * 2 * kZones);  // the freed threads' records still count
  CHECK(st.threads == before.threads + kThreads);
  // Threads started faster than the flusher writes them out: a new thread's first event waits
  // while kMaxExitedRings exited rings are pending, so at most that many are held at any time.
  const uint64_t ring = cfg.tracer_entries * sizeof(rec::detail::Record);
  uint64_t most = 0;
  for (int i = 0; i < kBurst; ++i) {
    std::thread([&] {
      rec::set_thread_name("burst");
      for (int k = 0; k < kZones; ++k) rec::Zone a(z);
    }).join();
    most = std::max(most, rec::stats().ring_bytes - before.ring_bytes);
  }
  CHECK(most <= rec::internal::kMaxExitedRings * ring);
  rec::stop();
  LoadResult r = load(dir / "short.vzt");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == kThreads + kBurst);
  std::set<std::string> names, tids;
  for (const Thread& th : t.threads) {
    const std::string name(t.str(th.name));
    tids.insert(std::string(t.str(th.tid)));
    if (name == "burst") {
      CHECK(th.slices.size() == kZones);
      continue;
    }
    names.insert(name);
    CAPTURE(name);
    REQUIRE(th.slices.size() == 1 + kZones);
    CHECK(well_nested(th.slices));
    CHECK(names_at(t, th, 0) == std::vector<std::string>{"task"});
    CHECK(th.unmatched_begin == (name == "worker 7" ? 1u : 0u));
  }
  CHECK(names.size() == kThreads);
  CHECK(tids.size() >= 2);  // (the kernel reuses the tids of joined threads)
}

TEST_CASE("recorder streaming: a counter whose keys rarely meet loads as one counter per key") {
  for (size_t entries : {size_t(1) << 20, size_t(256)}) {  // one batch at stop; many small ones
    CAPTURE(entries);
    test::TempDir dir;
    const rec::Config cfg = streaming(entries, dir / "k.vzt");
    start_session(cfg);
    const int kSamples = 5000;
    for (int i = 0; i < kSamples; ++i) {
      rec::counter("c", {{"k" + std::to_string(i), double(i)}});
      rec::counter("mem", {{"rss", double(i)}, {"heap", 1}});
    }
    rec::stop();
    LoadResult r = load(dir / "k.vzt");
    const Trace& t = *r.trace;
    size_t split = 0;
    for (const Counter& c : t.counters) {
      REQUIRE(!c.series.empty());
      if (t.str(c.name) == "mem") {
        CHECK(!c.split);
        CHECK(c.ts.size() == kSamples);
        CHECK(c.series.size() == 2);
        continue;
      }
      CHECK(c.split);
      REQUIRE(c.series.size() == 1);
      REQUIRE(c.ts.size() == 1);
      const std::string key(t.str(c.series[0].key));
      CHECK(key == "k" + std::to_string(int(c.series[0].values[0])));
      ++split;
    }
    CHECK(split == kSamples);
    CHECK(t.diagnostics.count(DiagKind::SparseCounter) == 1);
  }
}

TEST_CASE("recorder streaming: complete events and open begins") {
  test::TempDir dir;
  const rec::Config cfg = streaming(256, dir / "c.vzt");
  start_session(cfg);
  rec::NameId f = rec::intern("f"), g = rec::intern("g");
  rec::begin(rec::intern("never ended"));
  int64_t t0 = rec::now_ns();
  for (int i = 0; i < 1000; ++i) {
    int64_t s = t0 + i * 100;
    rec::complete(g, s + 10, 20);
    rec::complete(f, s, 50);
  }
  rec::stop();
  LoadResult r = load(dir / "c.vzt");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 1);
  const Thread& th = t.threads[0];
  CHECK(th.slices.size() + th.overflow.size() == 2001);
  CHECK(names_at(t, th, 0) == std::vector<std::string>{"never ended"});
  CHECK(th.slices.depth_begin[2] - th.slices.depth_begin[1] == 1000);  // f under it, g under f
  CHECK(well_nested(th.slices));
  CHECK(th.unmatched_begin == 1);
  rec::end();
}

TEST_CASE("recorder streaming: save() after stop() reports the stream and keeps the file") {
  test::TempDir dir;
  const rec::Config cfg = streaming(128, dir / "kept.vzt");  // the rings drain many times over
  start_session(cfg);
  rec::NameId z = rec::intern("z");
  for (int i = 0; i < 20000; ++i) rec::Zone a(z);
  rec::stop();
  // The documented pattern: stop(), then save() to the configured file. The stream is the
  // output; the drained rings must not replace it with their last few records.
  std::string msg;
  CHECK_MESSAGE(rec::save("", &msg), msg);
  CHECK(msg.find("streamed 20000 events") != std::string::npos);
  LoadResult r = load(dir / "kept.vzt");
  REQUIRE(r.trace->threads.size() == 1);
  CHECK(r.trace->threads[0].slices.size() == 20000);
  // Another path cannot be filled from rings that were drained: a clear refusal, no file.
  CHECK_FALSE(rec::save(dir / "other.json", &msg));
  CHECK(msg.find("streamed to") != std::string::npos);
  CHECK(msg.find("vizviewer --convert") != std::string::npos);
  CHECK_FALSE(std::ifstream(dir / "other.json").good());
  // A new session without streaming saves its own rings again.
  rec::Config plain;
  plain.output_file = dir / "plain.vzt";
  start_session(plain);
  for (int i = 0; i < 10; ++i) rec::Zone a(z);
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  CHECK(load(dir / "plain.vzt").trace->threads[0].slices.size() == 10);
}

TEST_CASE("recorder streaming: a name id that was never interned becomes the empty name") {
  test::TempDir dir;
  const rec::Config cfg = streaming(256, dir / "bogus.vzt");
  start_session(cfg);
  rec::NameId ok = rec::intern("fine");
  for (int i = 0; i < 100; ++i) {
    rec::Zone a(ok);
    rec::Zone b(rec::NameId(0x7fffff00u + uint32_t(i)));  // garbage from a careless caller
  }
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);
  LoadResult r = load(dir / "bogus.vzt");
  REQUIRE(r.ok);
  REQUIRE(r.trace->threads.size() == 1);
  const Thread& th = r.trace->threads[0];
  CHECK(th.slices.size() == 200);
  CHECK(names_at(*r.trace, th, 0) == std::vector<std::string>(100, "fine"));
  CHECK(names_at(*r.trace, th, 1) == std::vector<std::string>(100, ""));
}

TEST_CASE("recorder streaming: a program that exits without stop() leaves a finished file") {
  test::TempDir dir;
  reset();
  const std::string path = dir / "exited.vzt";
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const rec::Config cfg = streaming(4096, path);
    if (!rec::start(cfg)) _exit(1);
    rec::NameId z = rec::intern("z");
    for (int k = 0; k < 50000; ++k) rec::Zone a(z);
    std::exit(0);  // no stop(), no save(): the exit handler finishes the stream
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  LoadResult r = load(path);
  REQUIRE(r.ok);
  CHECK(r.trace->diagnostics.count(DiagKind::TruncatedInput) == 0);  // the footer was written
  REQUIRE(r.trace->threads.size() == 1);
  CHECK(r.trace->threads[0].slices.size() == 50000);  // the last events too
}

TEST_CASE("recorder streaming: a program killed with SIGKILL leaves a loadable file") {
  test::TempDir dir;
  reset();
  std::string path = dir / "killed.vzt";
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    close(fds[0]);
    const rec::Config cfg = streaming(4096, path);
    if (!rec::start(cfg)) _exit(1);
    rec::NameId outer = rec::intern("outer"), z = rec::intern("z");
    rec::begin(outer);
    bool told = false;
    for (uint64_t k = 0;; ++k) {
      rec::Zone a(z);
      // Once 200 K events are in the file, tell the parent; keep recording until killed.
      if (!told && k % 1024 == 0 && rec::stats().flushed >= 200000) {
        char c = 1;
        told = write(fds[1], &c, 1) == 1;
      }
    }
  }
  close(fds[1]);
  pollfd p{fds[0], POLLIN, 0};
  REQUIRE(poll(&p, 1, 120000) == 1);  // the child reports within two minutes, or fails
  char c = 0;
  REQUIRE(read(fds[0], &c, 1) == 1);
  close(fds[0]);
  REQUIRE(kill(child, SIGKILL) == 0);
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  LoadResult r = load(path);
  const Trace& t = *r.trace;
  CHECK(t.diagnostics.count(DiagKind::TruncatedInput) == 1);  // no End section: cut short
  REQUIRE(t.threads.size() == 1);
  const Thread& th = t.threads[0];
  CHECK(th.slices.size() + th.overflow.size() >= 200000);
  CHECK(t.events == th.slices.size() + th.overflow.size());  // what loaded (--stats "events")
  CHECK(well_nested(th.slices));
  CHECK(t.str(t.processes[0].pid) == std::to_string(child));
  for (uint32_t i = 0; i < th.slices.size(); ++i)
    if (t.name_of(th.slices.label[i]) != "z") FAIL("unexpected slice ", t.name_of(th.slices.label[i]));
}
