// bench_index: loads a trace through vz_formats and times the model's queries.
//
//   bench_index FILE [--queries N] [--seed S]
//
// Prints one JSON object on stdout:
//   load_seconds, events, slices, threads,
//   visible_ns      mean cost of SliceSet::visible over every depth of every thread, for random
//                   windows from 1e-6 of the trace span up to all of it (what a frame does per track)
//   frame_ms        all depth tracks of all threads, fully zoomed out at 2,000 pixels: visible()
//                   and an LOD walk (wide slices one by one, runs of sub-pixel ones jumped over
//                   with a binary search); frame_items = slices + blocks such a frame draws
//   overlap_ns      mean cost of SliceSet::overlap on narrow windows (per thread, per query)
//   stab_ns         mean cost of SliceSet::stab at random times
//   range_stats_ms  per-label total time of every slice overlapping the middle half of the trace
//   name_search_ms  count slices whose name contains "fib" (label bitmap + a scan of the columns)
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "formats/loader.h"
#include "formats/model.h"

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  uint64_t queries = 20000;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--queries" && i + 1 < argc) {
      queries = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--seed" && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (!a.empty() && a[0] != '-' && path.empty()) {
      path = a;
    } else {
      std::fprintf(stderr, "usage: bench_index FILE [--queries N] [--seed S]\n");
      return 2;
    }
  }
  if (path.empty()) {
    std::fprintf(stderr, "usage: bench_index FILE [--queries N] [--seed S]\n");
    return 2;
  }
  if (queries == 0) queries = 1;

  auto t0 = Clock::now();
  vz::LoadResult r = vz::load_file(path);
  double load_s = since(t0);
  if (!r.ok) {
    std::fprintf(stderr, "bench_index: %s: %s\n", path.c_str(), r.error.c_str());
    return 1;
  }
  const vz::Trace& tr = *r.trace;
  const vz::Time span = std::max<vz::Time>(1, tr.end - tr.start);
  std::mt19937_64 rng(seed);
  auto rand_time = [&](vz::Time lo, vz::Time len) {
    return lo + vz::Time(rng() % uint64_t(std::max<vz::Time>(1, len)));
  };

  uint64_t slices = 0;
  uint64_t depth_tracks = 0;
  for (const auto& th : tr.threads) {
    slices += th.slices.size();
    depth_tracks += th.slices.depths();
  }
  uint64_t sink = 0;  // printed, so the optimizer keeps the work

  // visible(): random windows at random zoom levels.
  double visible_ns = 0;
  {
    uint64_t calls = 0;
    auto t = Clock::now();
    for (uint64_t q = 0; q < queries; ++q) {
      double frac = std::pow(10.0, -6.0 * double(rng() % 1000) / 1000.0);
      vz::Time w = std::max<vz::Time>(1, vz::Time(double(span) * frac));
      vz::Time a = rand_time(tr.start, std::max<vz::Time>(1, span - w));
      const auto& th = tr.threads[rng() % std::max<size_t>(1, tr.threads.size())];
      if (tr.threads.empty()) break;
      for (uint32_t d = 0; d < th.slices.depths(); ++d) {
        auto [b, e] = th.slices.visible(d, a, a + w);
        sink += e - b;
        ++calls;
      }
    }
    visible_ns = calls ? since(t) * 1e9 / double(calls) : 0;
  }

  // A fully zoomed-out frame, 2,000 pixels wide, the way an LOD renderer walks a depth track:
  // a slice at least a pixel wide is drawn on its own; a run of narrower ones becomes one block
  // and a binary search jumps to the first slice starting in the next pixel. So the work per
  // track is bounded by its non-empty pixels, not by its slices.
  double frame_ms = 0;
  uint64_t frame_items = 0;
  {
    const int64_t kColumns = 2000;
    const int kFrames = 5;
    const vz::Time px = std::max<vz::Time>(1, span / kColumns);
    auto t = Clock::now();
    for (int f = 0; f < kFrames; ++f) {
      frame_items = 0;
      for (const auto& th : tr.threads) {
        for (const vz::SliceSet* s : {&th.slices, &th.overflow}) {
          for (uint32_t d = 0; d < s->depths(); ++d) {
            auto [b, e] = s->visible(d, tr.start, tr.end);
            uint32_t i = b;
            while (i < e) {
              ++frame_items;
              vz::Time col = (s->start[i] - tr.start) / px;
              vz::Time next = tr.start + (col + 1) * px;  // first ns of the next pixel
              if (s->end(i) >= next) {
                ++i;  // wide enough to draw on its own
                continue;
              }
              auto it = std::lower_bound(s->start.begin() + i + 1, s->start.begin() + e, next);
              i = uint32_t(it - s->start.begin());
            }
          }
        }
      }
      sink += frame_items;
    }
    frame_ms = since(t) * 1e3 / kFrames;
  }

  // overlap(): narrow windows (1e-5 of the span).
  double overlap_ns = 0;
  uint64_t overlap_hits = 0;
  if (!tr.threads.empty()) {
    std::vector<uint32_t> out;
    vz::Time w = std::max<vz::Time>(1, span / 100000);
    auto t = Clock::now();
    for (uint64_t q = 0; q < queries; ++q) {
      const auto& th = tr.threads[rng() % tr.threads.size()];
      vz::Time a = rand_time(tr.start, span);
      out.clear();
      th.slices.overlap(a, a + w, out);
      overlap_hits += out.size();
    }
    overlap_ns = since(t) * 1e9 / double(queries);
  }

  // stab(): random instants.
  double stab_ns = 0;
  uint64_t stab_hits = 0;
  if (!tr.threads.empty()) {
    std::vector<uint32_t> out;
    auto t = Clock::now();
    for (uint64_t q = 0; q < queries; ++q) {
      const auto& th = tr.threads[rng() % tr.threads.size()];
      out.clear();
      th.slices.stab(rand_time(tr.start, span), out);
      stab_hits += out.size();
    }
    stab_ns = since(t) * 1e9 / double(queries);
  }

  // Range statistics: total duration per label over the middle half, clipped to the range.
  double range_ms = 0;
  uint64_t range_slices = 0;
  {
    std::vector<int64_t> total(tr.labels.size(), 0);
    std::vector<uint32_t> count(tr.labels.size(), 0);
    vz::Time a = tr.start + span / 4, b = tr.end - span / 4;
    std::vector<uint32_t> out;
    auto t = Clock::now();
    for (const auto& th : tr.threads) {
      out.clear();
      th.slices.overlap(a, b, out);
      for (uint32_t i : out) {
        vz::Time s = std::max(a, th.slices.start[i]);
        vz::Time e = std::min(b, th.slices.end(i));
        uint32_t l = th.slices.label[i];
        total[l] += e - s;
        count[l]++;
      }
      range_slices += out.size();
    }
    range_ms = since(t) * 1e3;
    for (auto v : total) sink += uint64_t(v);
  }

  // Name search: labels whose name contains "fib", then a scan of the label columns.
  double search_ms = 0;
  uint64_t search_hits = 0;
  {
    auto t = Clock::now();
    std::vector<uint8_t> match(tr.labels.size(), 0);
    for (size_t l = 0; l < tr.labels.size(); ++l)
      match[l] = tr.name_of(uint32_t(l)).find("fib") != std::string_view::npos;
    for (const auto& th : tr.threads) {
      for (uint32_t l : th.slices.label) search_hits += match[l];
      for (uint32_t l : th.overflow.label) search_hits += match[l];
    }
    search_ms = since(t) * 1e3;
  }

  std::printf(
      "{\"file\":\"%s\",\"load_seconds\":%.6f,\"events\":%" PRIu64 ",\"slices\":%" PRIu64
      ",\"threads\":%zu,\"depth_tracks\":%" PRIu64 ",\"queries\":%" PRIu64
      ",\"visible_ns\":%.1f,\"frame_ms\":%.3f,\"frame_items\":%" PRIu64 ",\"overlap_ns\":%.1f,\"overlap_hits\":%" PRIu64
      ",\"stab_ns\":%.1f,\"stab_hits\":%" PRIu64 ",\"range_stats_ms\":%.3f,\"range_slices\":%" PRIu64
      ",\"name_search_ms\":%.3f,\"name_search_hits\":%" PRIu64 ",\"checksum\":%" PRIu64 "}\n",
      path.c_str(), load_s, tr.events, slices, tr.threads.size(), depth_tracks, queries, visible_ns,
      frame_ms, frame_items, overlap_ns, overlap_hits, stab_ns, stab_hits, range_ms, range_slices, search_ms,
      search_hits, sink);
  return 0;
}
