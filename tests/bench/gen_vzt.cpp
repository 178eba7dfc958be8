// gen_vzt: writes a large synthetic .vzt trace without going through JSON, for the viewer's
// frame-time benchmark (100 M events would be ~12 GB of JSON).
//
//   gen_vzt --events N [--threads T] [--seed S] OUT.vzt
//
// Each thread runs a simulated program: a few persistent outer frames, then back-to-back "tasks"
// made of random call trees (fan-out 0-6, depth up to ~24, durations from 50 ns to milliseconds),
// so every zoom level has wide slices and long runs of sub-pixel ones. About 2,000 distinct
// function names; two processes; one counter with two series per process (a sample every
// ~20 µs). Slices are generated depth-major directly (the layout the model keeps), so the
// generator needs no sort and ~30 bytes per slice of memory.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "formats/builder.h"
#include "formats/model.h"
#include "formats/vzt_writer.h"

namespace {

struct Gen {
  std::mt19937_64 rng;
  std::vector<std::vector<vz::Time>> start, dur;
  std::vector<std::vector<uint32_t>> label;
  uint64_t made = 0;
  uint32_t labels = 0;

  explicit Gen(uint64_t seed, uint32_t nlabels) : rng(seed), labels(nlabels) {}

  void push(uint32_t depth, vz::Time s, vz::Time d, uint32_t l) {
    if (start.size() <= depth) {
      start.resize(depth + 1);
      dur.resize(depth + 1);
      label.resize(depth + 1);
    }
    start[depth].push_back(s);
    dur[depth].push_back(d);
    label[depth].push_back(l);
    ++made;
  }

  // A call tree inside [s, s + d) at `depth`; returns nothing, appends depth-major.
  void tree(uint32_t depth, vz::Time s, vz::Time d, uint64_t budget) {
    push(depth, s, d, uint32_t(rng() % labels));
    if (depth >= 24 || budget <= 1 || d < 20) return;
    const int kids = int(rng() % 7);
    if (kids == 0) return;
    vz::Time at = s + vz::Time(rng() % uint64_t(d / 16 + 1));
    const vz::Time slot = (s + d - at) / kids;
    for (int k = 0; k < kids && slot > 2; ++k) {
      const vz::Time len = std::max<vz::Time>(1, vz::Time(rng() % uint64_t(slot)));
      tree(depth + 1, at, len, budget / uint64_t(kids + 1));
      at += slot;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  uint64_t events = 0;
  unsigned threads = 8;
  uint64_t seed = 42;
  const char* out = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) events = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--threads" && i + 1 < argc) threads = unsigned(std::strtoul(argv[++i], nullptr, 10));
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else out = argv[i];
  }
  if (!out || events == 0 || threads == 0) {
    std::fprintf(stderr, "usage: gen_vzt --events N [--threads T] [--seed S] OUT.vzt\n");
    return 2;
  }
  const auto t0 = std::chrono::steady_clock::now();
  vz::Trace trace;
  vz::TraceBuilder b(trace);
  const uint32_t nlabels = 2000;
  std::vector<uint32_t> label_ids(nlabels);
  const vz::StrId cat = b.intern("FEE");
  for (uint32_t l = 0; l < nlabels; ++l) {
    const std::string name = "module" + std::to_string(l % 37) + ".func_" + std::to_string(l) + " (/srv/app/mod" +
                             std::to_string(l % 37) + ".py:" + std::to_string(10 + l) + ")";
    label_ids[l] = b.label(b.intern(name), cat);
  }
  const uint64_t per_thread = events / threads;
  vz::Time trace_end = 0;
  for (unsigned th = 0; th < threads; ++th) {
    const vz::StrId pid = b.intern(std::to_string(1000 + th % 2));
    const uint32_t tix = b.thread(pid, b.intern(std::to_string(2000 + th)));
    Gen g(seed * 7919 + th, nlabels);
    // Outer frames spanning the run, filled in once the run's length is known.
    const uint32_t outer = 3;
    vz::Time at = 1000;
    while (g.made + outer < per_thread) {
      const vz::Time len = 1000 + vz::Time(g.rng() % 3000000);  // 1 us .. 3 ms per task
      g.tree(outer, at, len, std::min<uint64_t>(per_thread - g.made, 200000));
      at += len + vz::Time(g.rng() % 2000);
    }
    for (uint32_t d = 0; d < outer; ++d) g.push(d, d * 10, at + 1000 - d * 20, d);
    trace_end = std::max(trace_end, at + 1000);
    vz::SliceSet set;
    set.depth_begin.assign(1, 0);
    for (size_t d = 0; d < g.start.size(); ++d) {
      set.start.insert(set.start.end(), g.start[d].begin(), g.start[d].end());
      set.dur.insert(set.dur.end(), g.dur[d].begin(), g.dur[d].end());
      for (uint32_t l : g.label[d]) set.label.push_back(label_ids[l]);
      set.depth_begin.push_back(uint32_t(set.start.size()));
      std::vector<vz::Time>().swap(g.start[d]);
      std::vector<vz::Time>().swap(g.dur[d]);
      std::vector<uint32_t>().swap(g.label[d]);
    }
    set.flags.assign(set.start.size(), 0);
    b.adopt_slice_set(tix, std::move(set));
  }
  // A counter with two series per process.
  std::mt19937_64 rng(seed);
  for (uint32_t p = 0; p < 2; ++p) {
    const uint32_t proc = b.process(b.intern(std::to_string(1000 + p)));
    const vz::StrId name = b.intern("memory"), k1 = b.intern("rss_mb"), k2 = b.intern("heap_mb");
    double a = 100, h = 50;
    for (vz::Time t = 0; t < trace_end; t += 20000) {
      a = std::max(10.0, a + double(int(rng() % 21) - 10) * 0.5);
      h = std::max(5.0, h + double(int(rng() % 21) - 10) * 0.3);
      const std::pair<vz::StrId, double> v[2] = {{k1, a}, {k2, h}};
      b.add_counter_sample(proc, name, vz::kNoStr, t, vz::kNone, v, 2);
    }
  }
  b.finish();
  trace.events = trace.slice_count();
  vz::VztWriteOptions opt;
  opt.level = 3;  // a benchmark input: write it fast
  std::string err;
  if (!vz::write_vzt(trace, out, opt, &err)) {
    std::fprintf(stderr, "gen_vzt: %s\n", err.c_str());
    return 1;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "gen_vzt: %llu slices in %u threads -> %s (%.1f s)\n",
               (unsigned long long)trace.slice_count(), threads, out, secs);
  return 0;
}
