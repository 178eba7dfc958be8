// Benchmarks of the recorder (recorder/vz_recorder.h), run by `make bench` (scripts/bench.sh):
//   - ns per scoped zone (begin + end), one thread and two threads (per thread), for each clock;
//   - bytes per event of the .vzt it saves, on a call-tree workload (~450 functions, random
//     depths and durations, like the load benchmark's trace) and on the zone loop;
//   - save throughput (events per second) to .vzt and to .json.
//
//   bench_recorder [--zones N] [--save-events N] [--dir DIR] [--no-json]
//
// Prints one line per measurement, then a JSON object on the last line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <vector>

#include "recorder/vz_recorder.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool start_or_die(const vz::rec::Config& cfg) {
  std::string err;
  if (vz::rec::start(cfg, &err)) return true;
  std::fprintf(stderr, "bench_recorder: start failed: %s\n", err.c_str());
  std::exit(1);
}

// Zones per second of one thread: `n` empty zones through the VZ_ZONE_N macro (static id, RAII).
__attribute__((noinline)) void zone_loop(size_t n) {
  for (size_t i = 0; i < n; ++i) {
    VZ_ZONE_N("bench zone");
  }
}

// ns per zone on `threads` threads (each running n zones; the slowest thread's time).
double ns_per_zone(vz::rec::Clock clock, unsigned threads, size_t n) {
  vz::rec::Config cfg;
  cfg.clock = clock;
  cfg.tracer_entries = 1 << 20;  // a ring that wraps: the steady state of a long run
  start_or_die(cfg);
  std::vector<double> secs(threads);
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      zone_loop(1 << 20);  // warm up: fault the ring's pages in
      double best = 1e9;
      for (int rep = 0; rep < 3; ++rep) {
        auto t0 = Clock::now();
        zone_loop(n);
        best = std::min(best, seconds_since(t0));
      }
      secs[t] = best;
    });
  for (auto& t : pool) t.join();
  vz::rec::stop();
  vz::rec::clear();
  return *std::max_element(secs.begin(), secs.end()) * 1e9 / double(n);
}

// A call-tree workload: functions call 0-4 others to a random depth, spinning a random amount.
struct Workload {
  std::vector<vz::rec::NameId> names;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  uint64_t next() {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    return x;
  }
  volatile uint64_t sink = 0;
  void call(unsigned depth, size_t* budget) {
    if (*budget == 0) return;
    --*budget;
    // Callees cluster by caller as real code does: a few hot functions, a long tail.
    size_t r = next();
    size_t f = (r % 7 < 5) ? (r >> 8) % 24 : (r >> 8) % names.size();
    vz::rec::Zone z(names[f]);
    unsigned spin = unsigned((next() % 64) * ((f % 5) + 1));
    for (unsigned i = 0; i < spin; ++i) sink = sink + i;
    if (depth < 12) {
      unsigned kids = unsigned(next() % 5);
      for (unsigned k = 0; k < kids; ++k) call(depth + 1, budget);
    }
  }
};

// ns per clock read, back to back: what a zone's two timestamps cost at the least on this
// machine (a VM's rdtsc costs more than bare metal's ~25 cycles).
__attribute__((noinline)) double ns_per_clock_read(bool tsc, size_t n) {
  uint64_t sum = 0;
  double best = 1e9;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    for (size_t i = 0; i < n; ++i) {
      if (tsc) {
        sum += __builtin_ia32_rdtsc();
      } else {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        sum += uint64_t(ts.tv_nsec);
      }
    }
    best = std::min(best, seconds_since(t0));
  }
  if (sum == 42) std::printf(" ");  // (keeps the reads)
  return best * 1e9 / double(n);
}

off_t file_size(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 ? st.st_size : -1;
}

}  // namespace

int main(int argc, char** argv) {
  size_t zones = 20000000, save_events = 8000000;
  bool json = true;
  std::string dir = "/tmp";
  for (int i = 1; i < argc; ++i) {
    bool more = i + 1 < argc;
    if (!std::strcmp(argv[i], "--no-json")) json = false;
    else if (more && !std::strcmp(argv[i], "--zones")) zones = size_t(std::atoll(argv[++i]));
    else if (more && !std::strcmp(argv[i], "--save-events")) save_events = size_t(std::atoll(argv[++i]));
    else if (more && !std::strcmp(argv[i], "--dir")) dir = argv[++i];
  }
  std::string base = dir + "/bench_recorder_" + std::to_string(getpid());

  // 1. ns per zone.
  double tsc1 = ns_per_zone(vz::rec::Clock::Tsc, 1, zones);
  double tsc2 = ns_per_zone(vz::rec::Clock::Tsc, 2, zones);
  double mono1 = ns_per_zone(vz::rec::Clock::Monotonic, 1, zones);
  double mono2 = ns_per_zone(vz::rec::Clock::Monotonic, 2, zones);
#if defined(__x86_64__)
  const double read_tsc = ns_per_clock_read(true, zones / 4);
#else
  const double read_tsc = 0;
#endif
  const double read_mono = ns_per_clock_read(false, zones / 4);
  std::printf("recorder: one clock read: %.2f ns (TSC), %.2f ns (CLOCK_MONOTONIC); a zone takes two\n",
              read_tsc, read_mono);
  std::printf("recorder: scoped zone (begin+end), 1 thread:  %.2f ns (TSC), %.2f ns (CLOCK_MONOTONIC)\n",
              tsc1, mono1);
  std::printf("recorder: scoped zone (begin+end), 2 threads: %.2f ns per thread (TSC), %.2f ns (CLOCK_MONOTONIC)\n",
              tsc2, mono2);

  // 2. Bytes per event of a call-tree workload, and save throughput on it.
  vz::rec::Config cfg;
  cfg.tracer_entries = save_events * 2 / 4 + 1024;
  start_or_die(cfg);
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([&, t] {
      Workload w;
      w.x += uint64_t(t) * 7919;
      for (int i = 0; i < 450; ++i) w.names.push_back(vz::rec::intern("module.function_" + std::to_string(i)));
      size_t budget = save_events / 4;
      while (budget) w.call(0, &budget);
    });
  for (auto& t : pool) t.join();
  vz::rec::stop();
  std::string msg;
  auto t0 = Clock::now();
  bool ok = vz::rec::save(base + ".vzt", &msg);
  double save_s = seconds_since(t0);
  off_t vzt_bytes = file_size(base + ".vzt");
  t0 = Clock::now();
  ok = ok && (!json || vz::rec::save(base + ".json", &msg));
  double json_s = seconds_since(t0);
  off_t json_bytes = file_size(base + ".json");
  if (!ok) {
    std::fprintf(stderr, "bench_recorder: save failed: %s\n", msg.c_str());
    return 1;
  }
  double events = double(save_events);
  if (!json) json_s = 0, json_bytes = 0;
  std::printf("recorder: call-tree trace, %zu events: .vzt %.3f bytes/event (%.1f MB); JSON %.1f bytes/event\n",
              save_events, double(vzt_bytes) / events, double(vzt_bytes) / 1e6, double(json_bytes) / events);
  double json_rate = json_s > 0 ? events / json_s : 0;
  std::printf("recorder: save %.1f M events/s to .vzt (%.3f s), %.1f M events/s to .json (%.3f s)\n",
              events / save_s / 1e6, save_s, json_rate / 1e6, json_s);
  vz::rec::clear();
  std::remove((base + ".json").c_str());
  std::remove((base + ".vzt").c_str());

  // 3. Bytes per event of the zone loop (identical empty zones: the regular extreme).
  cfg = vz::rec::Config{};
  cfg.tracer_entries = 2 * 1000000 + 64;
  start_or_die(cfg);
  zone_loop(1000000);
  vz::rec::stop();
  t0 = Clock::now();
  ok = vz::rec::save(base + "-loop.vzt", &msg);
  double loop_save_s = seconds_since(t0);
  off_t loop_bytes = file_size(base + "-loop.vzt");
  std::remove((base + "-loop.vzt").c_str());
  vz::rec::clear();
  std::printf("recorder: zone loop, 1000000 events: .vzt %.3f bytes/event, saved at %.1f M events/s\n",
              double(loop_bytes) / 1e6, 1e6 / loop_save_s / 1e6);

  std::printf("{\"clock_read_ns_tsc\":%.3f,\"clock_read_ns_monotonic\":%.3f,\"zone_ns_tsc\":%.3f,\"zone_ns_tsc_2threads\":%.3f,\"zone_ns_monotonic\":%.3f,"
              "\"zone_ns_monotonic_2threads\":%.3f,\"bytes_per_event\":%.4f,\"loop_bytes_per_event\":%.4f,"
              "\"save_events_per_s\":%.0f,\"save_json_events_per_s\":%.0f,\"save_events\":%zu}\n",
              read_tsc, read_mono, tsc1, tsc2, mono1, mono2, double(vzt_bytes) / events, double(loop_bytes) / 1e6,
              events / save_s, json_rate, save_events);
  return ok ? 0 : 1;
}
