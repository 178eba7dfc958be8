// Timestamps: rdtsc on x86-64 when the TSC is invariant (constant rate, runs in every C-state),
// converted to CLOCK_MONOTONIC nanoseconds at save with a ratio measured at the first start()
// (refined later) and an anchor taken at each start(); else CLOCK_MONOTONIC itself (also when
// the kernel's clocksource is not the TSC). Measured on the 2-core dev VM: rdtsc ~15 ns a read, clock_gettime
// through the vDSO ~33 ns.
#include <time.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "recorder/internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace vz::rec::internal {

int64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool tsc_available() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a, b, c, d;
  if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u) return false;
  __cpuid(0x80000007u, a, b, c, d);
  if (!((d >> 8) & 1)) return false;  // no invariant TSC
  // The kernel knows better than cpuid whether the TSCs agree across CPUs (a VM may advertise an
  // invariant TSC whose vCPUs drift): when it chose another clocksource, so do we.
  if (std::FILE* f = std::fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "r")) {
    char name[32] = {};
    const bool read = std::fgets(name, sizeof name, f) != nullptr;
    std::fclose(f);
    if (read && std::strncmp(name, "tsc", 3) != 0) return false;
  }
  return true;
#else
  return false;
#endif
}

namespace {

#if defined(__x86_64__) || defined(__i386__)
// One (ticks, ns) pair: the TSC read bracketing a clock_gettime, keeping the tightest of a few
// tries so that a preemption in between does not skew the pair.
void pair(uint64_t* ticks, int64_t* ns) {
  uint64_t best = ~uint64_t(0);
  for (int i = 0; i < 8; ++i) {
    uint64_t t0 = __rdtsc();
    int64_t n = monotonic_ns();
    uint64_t t1 = __rdtsc();
    if (t1 - t0 < best) {
      best = t1 - t0;
      *ticks = t0 + (t1 - t0) / 2;
      *ns = n;
    }
  }
}
#endif

}  // namespace

namespace {
uint64_t g_first_tick = 0;  // the first calibration's pair: the ratio's baseline (under mu)
int64_t g_first_ns = 0;
}  // namespace

ClockCal calibrate(bool want_tsc) {
  static std::mutex mu;
  static ClockCal cached;
  static bool have = false;
  ClockCal mono;
  if (!want_tsc || !tsc_available()) return mono;
#if defined(__x86_64__) || defined(__i386__)
  std::lock_guard<std::mutex> lock(mu);
  if (have) {
    // A new session: re-anchor at now, so the ratio's error grows from here rather than from
    // the first start(); over the longer baseline since then the ratio itself gets better.
    uint64_t t = 0;
    int64_t n = 0;
    pair(&t, &n);
    if (t > g_first_tick && n - g_first_ns > 1000000000) cached.ns_per_tick = double(n - g_first_ns) / double(t - g_first_tick);
    cached.tick0 = t;
    cached.ns0 = n;
    return cached;
  }
  // 10 ms between two pairs whose brackets are ~30 ns: a ratio good to a few ppm.
  uint64_t t0 = 0, t1 = 0;
  int64_t n0 = 0, n1 = 0;
  pair(&t0, &n0);
  while (monotonic_ns() - n0 < 10000000) {
  }
  pair(&t1, &n1);
  if (t1 <= t0 || n1 <= n0) return mono;
  cached.tsc = true;
  cached.tick0 = t0;
  cached.ns0 = n0;
  cached.ns_per_tick = double(n1 - n0) / double(t1 - t0);
  if (!std::isfinite(cached.ns_per_tick) || cached.ns_per_tick <= 0) return mono;
  g_first_tick = t0;
  g_first_ns = n0;
  have = true;
  return cached;
#else
  return mono;
#endif
}

}  // namespace vz::rec::internal
