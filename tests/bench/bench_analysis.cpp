// bench_analysis: times analysis/ (range statistics, call tree, search, two-trace diff) on traces
// synthesized in memory, so no input file is needed.
//
//   bench_analysis [--slices N] [--search-slices M] [--workers W] [--runs R]
//
// Defaults: N = 10 M slices (range statistics, call tree, navigation), M = 100 M (search; 0 skips
// it), W = hardware concurrency, R = 3 (each figure is the best of R runs). The nested trace has 8
// threads of random call trees (up to 16 deep; each function calls one of 3 fixed callees (one
// below depth 6), so paths repeat as in a real profile) plus an overflow lane per thread, over 4,000 labels
// (2,000 names in two categories, 1 in 16 containing "fib"); the search trace has 16 threads of
// flat slices over the same labels (search reads only the label column). The diff compares the
// nested trace with a second one of N slices from another seed whose string table interns the
// names in reverse order (so names match by text, not id). Prints one line per figure on stderr
// and one JSON object on stdout.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "analysis/call_tree.h"
#include "analysis/diff.h"
#include "render/diff_flame_layout.h"
#include "analysis/range_stats.h"
#include "analysis/search.h"
#include "formats/model.h"

namespace {

using Clock = std::chrono::steady_clock;
using vz::Time;

constexpr uint32_t kNames = 2000;
constexpr int kMaxDepth = 16;

// Strings, labels, one process; `threads` empty threads. `reversed` interns the names last first.
void init_trace(vz::Trace& t, uint32_t threads, bool reversed = false) {
  for (uint32_t k = 0; k < kNames; ++k) {
    uint32_t n = reversed ? kNames - 1 - k : k;
    std::string name = (n % 16 == 0 ? "fib_" : "func_") + std::to_string(n) + " (module_" +
                       std::to_string(n % 37) + ".py:" + std::to_string(n * 7 % 500) + ")";
    vz::StrId id = t.strings.intern(name);
    for (const char* cat : {"FEE", "C"}) t.labels.push_back({id, t.strings.intern(cat)});
  }
  t.processes.emplace_back();
  t.threads.resize(threads);
  for (uint32_t k = 0; k < threads; ++k) {
    t.threads[k].tid = t.strings.intern(std::to_string(k + 1));
    t.processes[0].threads.push_back(k);
    t.threads[k].overflow.nested = false;
  }
}

// A slice before it is placed at its depth.
struct Gen {
  Time start, dur;
  uint32_t label;
};

// Each label calls one of 3 fixed callees (below depth 6, always the first), as code does: paths
// repeat, like in a real profile.
uint32_t callee(uint32_t label, uint64_t choice) {
  uint64_t h = (uint64_t(label) * 3 + choice % 3 + 1) * 0x9e3779b97f4a7c15ull;
  return uint32_t((h >> 33) % (2 * kNames));
}

// Appends a random call tree inside [lo, lo + len) to per-depth lists (pre-order = start order).
void gen_tree(std::mt19937_64& rng, Time lo, Time len, uint32_t label, int depth,
              std::vector<std::vector<Gen>>& out, size_t& n) {
  out[depth].push_back({lo, len, label});
  ++n;
  if (depth + 1 >= kMaxDepth || len < 8) return;
  int kids = int(rng() % 4);
  if (kids == 0) return;
  Time each = len / kids;
  for (int k = 0; k < kids; ++k) {
    Time s = lo + k * each + Time(rng() % uint64_t(each / 8 + 1));
    Time l = Time(uint64_t(each) * (50 + rng() % 45) / 100);
    gen_tree(rng, s, l, callee(label, depth < 6 ? rng() : 0), depth + 1, out, n);
  }
}

// Fills one thread's nested set with about `target` slices, and an overflow lane.
void fill_thread(vz::Thread& th, std::mt19937_64& rng, size_t target) {
  std::vector<std::vector<Gen>> depth(kMaxDepth);
  size_t n = 0;
  Time at = 0;
  while (n < target) {
    Time len = 2000 + Time(rng() % 200000);
    gen_tree(rng, at, len, uint32_t(rng() % 64) * 61 % (2 * kNames), 0, depth, n);
    at += len + Time(rng() % 100);
  }
  vz::SliceSet& s = th.slices;
  s.depth_begin.assign(1, 0);
  for (const auto& d : depth) {
    for (const Gen& g : d) {
      s.start.push_back(g.start);
      s.dur.push_back(g.dur);
      s.label.push_back(g.label);
      s.flags.push_back(0);
    }
    if (!d.empty()) s.depth_begin.push_back(uint32_t(s.start.size()));
  }
  vz::SliceSet& o = th.overflow;  // one lane of slices every ~1 ms
  for (Time t = 500; t < at; t += 1000000) {
    o.start.push_back(t);
    o.dur.push_back(300000);
    o.label.push_back(uint32_t(rng() % (2 * kNames)));
    o.flags.push_back(0);
  }
  o.depth_begin = {0, uint32_t(o.start.size())};
}

// Best wall time of `runs` calls of fn, in ms.
double best_ms(int runs, const std::function<void()>& fn) {
  double best = 1e300;
  for (int r = 0; r < runs; ++r) {
    auto t0 = Clock::now();
    fn();
    best = std::min(best, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return best;
}

struct Report {
  std::string json = "{";
  void add(const char* key, double v, const char* what) {
    std::fprintf(stderr, "  %-28s %10.3f  %s\n", key, v, what);
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s\"%s\":%.3f", json.size() > 1 ? "," : "", key, v);
    json += buf;
  }
};

// A nested trace of about `slices` slices on 8 threads.
std::unique_ptr<vz::Trace> make_nested(size_t slices, uint64_t seed, bool reversed) {
  auto t = std::make_unique<vz::Trace>();
  init_trace(*t, 8, reversed);
  std::mt19937_64 rng(seed);
  for (vz::Thread& th : t->threads) fill_thread(th, rng, slices / t->threads.size());
  for (const vz::Thread& th : t->threads)
    t->end = std::max(t->end, th.slices.end(th.slices.depth_begin[1] - 1));
  return t;
}

// Range statistics, call tree, folded stacks and navigation on the nested trace; then the diff
// of that trace against a second one.
void bench_nested(size_t slices, unsigned workers, int runs, Report& rep, uint64_t& sink) {
  auto g0 = Clock::now();
  std::unique_ptr<vz::Trace> t = make_nested(slices, 42, false);
  std::fprintf(stderr, "bench_analysis: %" PRIu64 " slices on %zu threads (generated in %.1f s), runs %d\n",
               t->slice_count(), t->threads.size(),
               std::chrono::duration<double>(Clock::now() - g0).count(), runs);
  rep.add("slices", double(t->slice_count()), "nested trace");
  const Time span = t->end - t->start;

  vz::RangeQuery all{t->start, t->end, vz::kNone};
  vz::RangeQuery half{t->start + span / 4, t->end - span / 4, vz::kNone};
  vz::RangeQuery narrow{t->start + span / 2, t->start + span / 2 + span / 100, vz::kNone};
  vz::RangeQuery one{t->start, t->end, 0};
  rep.add("range_stats_all_ms", best_ms(runs, [&] { sink += vz::range_stats(*t, all, workers).slices; }),
          "range stats, whole trace, all threads");
  rep.add("range_stats_half_ms", best_ms(runs, [&] { sink += vz::range_stats(*t, half, workers).slices; }),
          "range stats, middle half");
  rep.add("range_stats_1pct_ms", best_ms(runs, [&] { sink += vz::range_stats(*t, narrow, workers).slices; }),
          "range stats, 1% of the span");
  rep.add("range_stats_thread_ms", best_ms(runs, [&] { sink += vz::range_stats(*t, one, workers).slices; }),
          "range stats, one thread (1/8 of the slices)");

  vz::CallTree tree;
  rep.add("call_tree_ms", best_ms(runs, [&] { tree = vz::build_call_tree(*t, vz::CallTreeQuery{}, workers); }),
          "call tree, whole trace");
  rep.add("call_tree_nodes", double(tree.nodes.size()), "nodes in that tree");
  vz::CallTreeQuery hq{vz::kNone, half.t0, half.t1};
  rep.add("call_tree_half_ms", best_ms(runs, [&] { sink += vz::build_call_tree(*t, hq, workers).nodes.size(); }),
          "call tree, middle half (clipped)");
  rep.add("invert_ms", best_ms(runs, [&] { sink += vz::invert_call_tree(*t, tree).nodes.size(); }),
          "bottom-up tree from the top-down one");
  rep.add("folded_ms", best_ms(runs, [&] { sink += vz::folded_stacks(*t, tree).size(); }),
          "folded stacks text");

  // Navigation over the nested trace's "fib" matches.
  vz::SearchJob nav_job(*t, vz::SearchQuery{"fib", false});
  nav_job.run(workers);
  vz::SearchResults nav = nav_job.results();
  {
    const int kSteps = 20000;
    std::mt19937_64 r2(7);
    auto t0 = Clock::now();
    for (int k = 0; k < kSteps; ++k) {
      vz::MatchRef m = vz::next_match(*t, nav, t->start + Time(r2() % uint64_t(span)));
      sink += m.index;
    }
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / kSteps;
    rep.add("next_match_us", ns / 1000, "next match from a random time (8 threads x 16 depths)");
    rep.add("nested_matches", double(nav_job.match_count()), "\"fib\" matches in the nested trace");
  }

  // Diff against a second trace of the same size.
  std::unique_ptr<vz::Trace> b = make_nested(slices, 43, true);
  rep.add("diff_slices_b", double(b->slice_count()), "second nested trace (the diff's B)");
  vz::DiffQuery by_name, by_path;
  by_path.by = vz::DiffBy::Path;
  vz::DiffResult d;
  rep.add("diff_name_ms", best_ms(runs, [&] { d = vz::diff_traces(*t, *b, by_name, workers); }),
          "diff by name of two 10 M-slice traces");
  rep.add("diff_name_rows", double(d.rows.size()), "rows of that diff");
  rep.add("diff_path_ms", best_ms(runs, [&] { d = vz::diff_traces(*t, *b, by_path, workers); }),
          "diff by call path of two 10 M-slice traces");
  rep.add("diff_path_rows", double(d.rows.size()), "rows of that diff");
  rep.add("diff_path_trees_ms", best_ms(runs, [&] {
            sink += vz::build_call_tree(*t, vz::CallTreeQuery{}, workers).nodes.size() +
                    vz::build_call_tree(*b, vz::CallTreeQuery{}, workers).nodes.size();
          }), "of which: the two call trees (the rest is the merge)");
  // The differential flamegraph over that path diff: its tree index (children, typical ratio)
  // and one full-width layout with every frame's colour.
  rep.add("diff_flame_index_ms", best_ms(runs, [&] {
            const vz::DiffFlameIndex ix = vz::build_diff_flame_index(d, true);
            const std::vector<vz::DiffFlameFrame> frames = vz::layout_diff_flamegraph(d, ix, 0, 1600, 0.5);
            float v = 0;
            for (const vz::DiffFlameFrame& f : frames) v += vz::diff_flame_value(d, ix, f.node, vz::DiffFlameOptions{});
            sink += frames.size() + uint64_t(v != 0);
          }), "differential flamegraph of that diff: index + one 1600 px layout with colours");
  sink += uint64_t(d.delta_total);
}

// Name search on the flat 100 M-slice trace.
void bench_search(size_t search_slices_n, unsigned workers, int runs, Report& rep, uint64_t& sink) {
  auto s = std::make_unique<vz::Trace>();
  init_trace(*s, 16);
  size_t per = search_slices_n / s->threads.size();
  std::mt19937_64 r3(1);
  for (vz::Thread& th : s->threads) {
    vz::SliceSet& set = th.slices;
    set.start.resize(per);
    set.dur.assign(per, 5);
    set.label.resize(per);
    set.flags.assign(per, 0);
    for (size_t i = 0; i < per; ++i) {
      set.start[i] = Time(i) * 10;
      set.label[i] = uint32_t(r3() % (2 * kNames));
    }
    set.depth_begin = {0, uint32_t(per)};
  }
  rep.add("search_slices", double(s->slice_count()), "flat search trace");
  uint64_t hits = 0;
  rep.add("search_ms", best_ms(runs, [&] {
            vz::SearchJob job(*s, vz::SearchQuery{"fib", false});
            job.run(workers);
            hits = job.match_count();
          }), "search \"fib\" (labels + label columns), 1/16 match");
  rep.add("search_matches", double(hits), "matches");
  rep.add("search_none_ms", best_ms(runs, [&] {
            vz::SearchJob job(*s, vz::SearchQuery{"(module_3.py", true});
            job.run(workers);
            sink += job.match_count();
          }), "search, case-sensitive, 1/37 match");
}

}  // namespace

int main(int argc, char** argv) {
  size_t slices = 10'000'000, search_slices_n = 100'000'000;
  unsigned workers = 0;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto num = [&] { return i + 1 < argc ? std::strtoull(argv[++i], nullptr, 10) : 0ull; };
    if (a == "--slices") slices = num();
    else if (a == "--search-slices") search_slices_n = num();
    else if (a == "--workers") workers = unsigned(num());
    else if (a == "--runs") runs = std::max(1, int(num()));
    else {
      std::fprintf(stderr, "usage: bench_analysis [--slices N] [--search-slices M] [--workers W] [--runs R]\n");
      return 2;
    }
  }
  Report rep;
  uint64_t sink = 0;

  bench_nested(slices, workers, runs, rep, sink);
  if (search_slices_n > 0) bench_search(search_slices_n, workers, runs, rep, sink);
  rep.json += "}";
  std::printf("%s\n", rep.json.c_str());
  std::fprintf(stderr, "bench_analysis: checksum %" PRIu64 "\n", sink);
  return 0;
}
