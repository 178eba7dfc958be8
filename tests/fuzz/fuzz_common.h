// Shared by the libFuzzer targets: load bytes, then walk the model the way the viewer would and
// check the query invariants against brute force on small traces. A violated invariant aborts
// (libFuzzer records it as a crash) after printing what was wrong.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/call_tree.h"
#include "analysis/diff.h"
#include "analysis/range_stats.h"
#include "analysis/search.h"
#include "formats/dump.h"
#include "formats/loader.h"
#include "formats/model.h"
#include "formats/stats.h"
#include "formats/json_writer.h"
#include "formats/writer.h"
#include "render/counter_lod.h"
#include "render/flame_layout.h"
#include "render/time_view.h"
#include "render/track_layout.h"
#include "render/view_index.h"

namespace vz_fuzz {

[[noreturn]] inline void fail(const char* what, size_t a = 0, size_t b = 0) {
  std::fprintf(stderr, "fuzz invariant violated: %s (%zu, %zu)\n", what, a, b);
  std::abort();
}

#define VZ_FUZZ_CHECK(cond, ...) \
  do {                           \
    if (!(cond)) ::vz_fuzz::fail(#cond, ##__VA_ARGS__); \
  } while (0)

inline vz::Time sat_add(vz::Time a, vz::Time b) {
  vz::Time r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

// Set VZ_FUZZ_SKIP_END_OVERFLOW=1 to skip (instead of reporting) traces holding a slice whose
// start + dur overflows int64: keeps a campaign going past that one known kind of bug.
inline bool skip_end_overflow() {
  static const bool skip = [] {
    const char* v = std::getenv("VZ_FUZZ_SKIP_END_OVERFLOW");
    return v && *v && *v != '0';
  }();
  return skip;
}

// True when every slice's end is representable.
inline bool ends_representable(const vz::SliceSet& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    vz::Time e;
    if (__builtin_add_overflow(s.start[i], s.dur[i], &e)) {
      if (skip_end_overflow()) return false;
      std::fprintf(stderr, "slice %zu: start %lld + dur %lld overflows int64\n", i,
                   (long long)s.start[i], (long long)s.dur[i]);
      fail("slice end (start + dur) overflows int64", i, s.size());
    }
  }
  return true;
}

// Brute-force limits: above these sizes only the queries run, not the O(n^2) comparisons.
constexpr size_t kBruteForceSlices = 512;

inline void check_slice_set(const vz::Trace& tr, const vz::SliceSet& s) {
  const size_t n = s.size();
  VZ_FUZZ_CHECK(s.dur.size() == n && s.label.size() == n && s.flags.size() == n, n);
  VZ_FUZZ_CHECK(!s.depth_begin.empty() && s.depth_begin.front() == 0);
  VZ_FUZZ_CHECK(s.depth_begin.back() == n, s.depth_begin.back(), n);
  for (size_t d = 0; d + 1 < s.depth_begin.size(); ++d)
    VZ_FUZZ_CHECK(s.depth_begin[d] <= s.depth_begin[d + 1], d);
  for (size_t i = 0; i < n; ++i) {
    VZ_FUZZ_CHECK(s.dur[i] >= 0, i);
    VZ_FUZZ_CHECK(s.label[i] < tr.labels.size(), i, s.label[i]);
  }
  for (uint32_t d = 0; d < s.depths(); ++d)
    for (uint32_t i = s.depth_begin[d]; i + 1 < s.depth_begin[d + 1]; ++i) {
      VZ_FUZZ_CHECK(s.start[i] <= s.start[i + 1], d, i);  // sorted by start at each depth
      VZ_FUZZ_CHECK(s.end(i) <= s.end(i + 1), d, i);      // and so by end (no overlap at a depth)
    }
  // Sorted by slice; args once per slice, extras at most twice (a B/E slice's own fields, then
  // its kept E event).
  for (const auto* att : {&s.args, &s.extras}) {
    for (size_t k = 0; k < att->size(); ++k) {
      VZ_FUZZ_CHECK((*att)[k].index < n, (*att)[k].index, n);
      if (k) VZ_FUZZ_CHECK((*att)[k - 1].index <= (*att)[k].index, k);
      if (k && att == &s.args) VZ_FUZZ_CHECK((*att)[k - 1].index != (*att)[k].index, k);
      if (k > 1) VZ_FUZZ_CHECK((*att)[k - 2].index != (*att)[k].index, k);
      (void)tr.view((*att)[k].range).size();
    }
  }

  // Queries at interesting times: every start/end (bounded), the trace bounds, and beyond.
  std::vector<vz::Time> times = {tr.start, tr.end, sat_add(tr.start, -1), sat_add(tr.end, 1), 0,
                                 INT64_MIN / 4, INT64_MAX / 4};
  for (size_t i = 0; i < n && times.size() < 64; i += 1 + n / 32) {
    times.push_back(s.start[i]);
    times.push_back(s.end(i));
  }
  const bool brute = n <= kBruteForceSlices;
  std::vector<uint32_t> got, want;
  for (size_t a = 0; a < times.size(); ++a) {
    vz::Time t = times[a];
    // stab: every slice with start <= t <= end, outermost first.
    got.clear();
    s.stab(t, got);
    for (uint32_t i : got) VZ_FUZZ_CHECK(i < n, i, n);
    if (brute) {
      want.clear();
      for (uint32_t i = 0; i < n; ++i)
        if (s.start[i] <= t && t <= s.end(i)) want.push_back(i);
      std::vector<uint32_t> g = got;
      std::sort(g.begin(), g.end());
      VZ_FUZZ_CHECK(g == want, g.size(), want.size());
      for (size_t k = 1; k < got.size(); ++k)
        VZ_FUZZ_CHECK(s.depth_of(got[k - 1]) <= s.depth_of(got[k]), k);
    }
    for (size_t b = a; b < times.size() && b < a + 4; ++b) {
      vz::Time t0 = std::min(times[a], times[b]), t1 = std::max(times[a], times[b]);
      got.clear();
      s.overlap(t0, t1, got);
      for (uint32_t i : got) VZ_FUZZ_CHECK(i < n, i, n);
      if (brute) {
        want.clear();
        for (uint32_t i = 0; i < n; ++i)
          if (s.start[i] <= t1 && s.end(i) >= t0) want.push_back(i);
        std::vector<uint32_t> g = got;
        std::sort(g.begin(), g.end());
        VZ_FUZZ_CHECK(g == want, g.size(), want.size());
      }
      for (uint32_t d = 0; d <= s.depths(); ++d) {  // one past the last depth too
        auto [first, last] = s.visible(d, t0, t1);
        VZ_FUZZ_CHECK(first <= last, first, last);
        if (d == s.depths()) {
          VZ_FUZZ_CHECK(first == last, first, last);
          continue;
        }
        VZ_FUZZ_CHECK(first >= s.depth_begin[d] && last <= s.depth_begin[d + 1], first, last);
        if (brute) {
          for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
            bool in = s.start[i] <= t1 && s.end(i) >= t0;
            VZ_FUZZ_CHECK(in == (i >= first && i < last), i, d);
          }
        }
      }
    }
  }
  for (uint32_t i = 0; i < n; i += 1 + uint32_t(n / 16)) {
    uint32_t d = s.depth_of(i);
    VZ_FUZZ_CHECK(d < s.depths() && s.depth_begin[d] <= i && i < s.depth_begin[d + 1], i, d);
    (void)tr.view(s.args_of(i)).size();
    (void)tr.view(s.extra_of(i)).size();
  }
  (void)s.memory_bytes();
}

// False when the trace holds a slice whose end overflows (and VZ_FUZZ_SKIP_END_OVERFLOW is set).
inline bool representable(const vz::Trace& tr) {
  for (const auto& th : tr.threads)
    if (!ends_representable(th.slices) || !ends_representable(th.overflow)) return false;
  return true;
}

inline void check_trace(const vz::Trace& tr) {
  for (uint32_t l = 0; l < tr.labels.size(); ++l) {
    VZ_FUZZ_CHECK(tr.labels[l].name < tr.strings.size(), l);
    VZ_FUZZ_CHECK(tr.labels[l].cat < tr.strings.size(), l);
    (void)tr.name_of(l).size();
  }
  for (const auto& p : tr.processes)
    for (uint32_t t : p.threads) VZ_FUZZ_CHECK(t < tr.threads.size(), t);
  for (const auto& th : tr.threads) {
    VZ_FUZZ_CHECK(th.process < tr.processes.size(), th.process);
    check_slice_set(tr, th.slices);
    check_slice_set(tr, th.overflow);
    for (size_t k = 1; k < th.instants.size(); ++k)
      VZ_FUZZ_CHECK(th.instants[k - 1].ts <= th.instants[k].ts, k);
  }
  for (const auto& c : tr.counters) {
    VZ_FUZZ_CHECK(c.process < tr.processes.size(), c.process);
    for (const auto& s : c.series) VZ_FUZZ_CHECK(s.values.size() == c.ts.size(), s.values.size());
    for (size_t k = 1; k < c.ts.size(); ++k) VZ_FUZZ_CHECK(c.ts[k - 1] <= c.ts[k], k);
    for (size_t k = 0; k < c.extras.size(); ++k) {  // one sorted entry per sample at most
      VZ_FUZZ_CHECK(c.extras[k].index < c.ts.size(), c.extras[k].index);
      if (k > 0) VZ_FUZZ_CHECK(c.extras[k - 1].index < c.extras[k].index, k);
      (void)tr.view(c.extras[k].range).size();
    }
  }
  for (const auto& a : tr.async_slices) VZ_FUZZ_CHECK(a.label < tr.labels.size(), a.label);
  for (const auto& f : tr.files) (void)tr.view(f.source).size();
  for (const auto& m : tr.metadata) (void)tr.view(m.value).size();
  (void)tr.slice_count();
}

// What the viewer computes on every loaded trace, without a window: its view index (track
// layout, counter pyramids and stacks, fold indexes, flow lists), the call tree and flamegraph
// layout, range statistics, search, and a diff of the trace with itself. Only checked for not
// crashing (the sanitizers) and for a few invariants; the unit tests check the results.
inline void exercise_views(const vz::Trace& tr) {
  if (tr.slice_count() > 200000 || tr.counters.size() > 20000) return;  // keeps exec/s up
  vz::ViewIndex index(tr);
  auto tracks = vz::layout_tracks(index, {}, {}, {}, vz::LayoutMetrics{});
  for (size_t i = 1; i < tracks.size(); ++i) VZ_FUZZ_CHECK(tracks[i - 1].y <= tracks[i].y, i);
  // Every async slice in one lane of one track; a lane's slices by start, apart.
  for (uint32_t i = 0; i < tr.async_slices.size(); ++i) {
    const vz::ViewIndex::AsyncPlace ap = index.async_place(i);
    VZ_FUZZ_CHECK(ap.track < index.async_tracks().size(), i);
    VZ_FUZZ_CHECK(ap.lane < index.async_tracks()[ap.track].lanes.size(), i);
  }
  for (const vz::AsyncTrack& tk : index.async_tracks())
    for (const auto& lane : tk.lanes)
      for (size_t j = 1; j < lane.size(); ++j) {
        const vz::AsyncSlice &a = tr.async_slices[lane[j - 1]], &b = tr.async_slices[lane[j]];
        VZ_FUZZ_CHECK(vz::saturating_end(a.start, a.dur) <= b.start, j);
      }
  (void)vz::tracks_between(tracks, 0, 500);
  const vz::Time lo = tr.start, hi = std::max(tr.start, tr.end);
  auto at = [&](uint64_t num, uint64_t den) {  // lo + (hi - lo) * num / den without overflow
    return vz::Time(uint64_t(lo) + (uint64_t(hi) - uint64_t(lo)) / den * num);
  };
  vz::TimeView view;
  view.fit(lo, hi, 800);
  for (uint32_t c = 0; c < tr.counters.size() && c < 64; ++c) {
    index.ensure_stacked(c);
    const vz::Counter& cn = tr.counters[c];
    const vz::CounterIndex& ci = index.counter(c);
    for (size_t k = 0; k < cn.series.size() && k < ci.series.size(); ++k)
      (void)vz::counter_columns(cn.ts, cn.series[k].values, ci.series[k], tr.end, view, 1.0).size();
    (void)vz::counter_sample_at(cn.ts, at(1, 2));
  }
  // Object instances: lanes by start that never overlap, snapshots inside their instance and
  // sorted within a lane, each object event used once at most.
  size_t object_events_used = 0;
  for (const vz::ProcessTracks& g : index.processes()) {
    const vz::ObjectTracks& ot = g.objects;
    VZ_FUZZ_CHECK(ot.lanes() == 0 || ot.lane_begin.back() == ot.instances.size());
    uint32_t snaps = 0;
    for (uint32_t l = 0; l < ot.lanes(); ++l) {
      VZ_FUZZ_CHECK(ot.lane_begin[l] < ot.lane_begin[l + 1], l);
      for (uint32_t i = ot.lane_begin[l]; i < ot.lane_begin[l + 1]; ++i) {
        const vz::ObjectInstance& o = ot.instances[i];
        VZ_FUZZ_CHECK(o.lane == l && o.start <= o.end && o.snap_begin == snaps, i);
        if (i > ot.lane_begin[l]) VZ_FUZZ_CHECK(ot.instances[i - 1].end <= o.start, i);
        for (uint32_t k = o.snap_begin; k < o.snap_begin + o.snap_count; ++k) {
          const vz::Time ts = tr.objects[ot.snapshots[k]].ts;
          VZ_FUZZ_CHECK(ts >= o.start && ts <= o.end, k);
        }
        if (o.snap_count > 0) VZ_FUZZ_CHECK(ot.instance_of_snapshot(o.snap_begin + o.snap_count - 1) == i, i);
        snaps += o.snap_count;
        object_events_used += (o.created != vz::kNone) + (o.destroyed != vz::kNone);
      }
    }
    VZ_FUZZ_CHECK(snaps == ot.snapshots.size());
    object_events_used += snaps;
  }
  VZ_FUZZ_CHECK(object_events_used <= tr.objects.size());
  for (uint32_t th = 0; th < tr.threads.size() && th < 64; ++th) {
    (void)index.flows_on_thread(th).size();
    for (uint32_t d = 0; d < tr.threads[th].slices.depths() && d < 8; ++d) (void)index.fold_index(th, 0, d);
  }
  vz::CallTree tree = vz::build_call_tree(tr, vz::CallTreeQuery{}, 1);
  VZ_FUZZ_CHECK(!tree.nodes.empty());
  for (size_t k = 1; k < tree.nodes.size(); ++k) VZ_FUZZ_CHECK(tree.nodes[k].parent < k, k);  // breadth-first
  (void)vz::layout_flamegraph(tree, 0, 1000, 0.5).size();
  vz::CallTree inverted = vz::invert_call_tree(tr, tree);
  (void)vz::layout_flamegraph(inverted, 0, 1000, 0.5).size();
  if (tree.nodes.size() < 5000) (void)vz::folded_stacks(tr, tree).size();
  vz::RangeQuery rq;
  rq.t0 = lo;
  rq.t1 = hi;
  (void)vz::range_stats(tr, rq, 1);
  rq.t0 = at(1, 3);
  rq.t1 = at(2, 3);
  rq.thread = tr.threads.empty() ? vz::kNone : 0;
  (void)vz::range_stats(tr, rq, 1);
  vz::SearchQuery sq;
  sq.text = "a";
  std::vector<uint8_t> match = vz::match_labels(tr, sq);
  (void)vz::search_slices(tr, match, 1, nullptr, [](std::shared_ptr<const vz::ThreadMatches>) {});
  for (vz::DiffBy by : {vz::DiffBy::Name, vz::DiffBy::Path}) {
    vz::DiffQuery dq;
    dq.by = by;
    vz::DiffResult d = vz::diff_traces(tr, tr, dq, 1);
    (void)vz::order_by_delta(d).size();
  }
}

// A per-process scratch path on tmpfs when there is one (no disk traffic per fuzz input).
inline const std::string& scratch_path(const char* ext) {
  static const std::string path = [ext] {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    return std::string(dir) + "/vz-fuzz-" + std::to_string(getpid()) + "." + ext;
  }();
  return path;
}

// What we wrote must read back, with the same number of slices.
inline void check_reload(const vz::LoadResult& back, const vz::Trace& orig) {
  VZ_FUZZ_CHECK(back.trace != nullptr);
  VZ_FUZZ_CHECK(back.ok);
  if (!representable(*back.trace)) return;
  check_trace(*back.trace);
  VZ_FUZZ_CHECK(back.trace->slice_count() == orig.slice_count(),
                size_t(back.trace->slice_count()), size_t(orig.slice_count()));
}

// The events array cut into many small chunks parsed by several workers must give the model that
// one chunk gives (the speculative boundaries are verified and re-parsed in order). Real files are
// cut at 1 MiB or more; this sends every fuzz input through the chunked path as well.
inline void check_chunked(std::string_view bytes, const vz::LoadResult& whole) {
  if (whole.format == vz::Format::Vzt || bytes.size() > (64 << 10)) return;  // dumps cost more
  vz::LoadOptions opt;
  opt.threads = 3;
  opt.min_chunk = 1 + bytes.size() % 97;  // chunks of 1 to 97 bytes
  vz::LoadResult r = vz::load_bytes(bytes, opt);
  VZ_FUZZ_CHECK(r.trace != nullptr);
  VZ_FUZZ_CHECK(r.ok == whole.ok);
  VZ_FUZZ_CHECK(r.error_offset == whole.error_offset, r.error_offset, whole.error_offset);
  const std::string a = vz::dump_model(*whole.trace), b = vz::dump_model(*r.trace);
  if (a != b) {
    size_t i = 0;
    while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
    const size_t from = a.rfind('\n', i) == std::string::npos ? 0 : a.rfind('\n', i) + 1;
    std::fprintf(stderr, "one chunk:    %s\nsmall chunks: %s\n", a.substr(from, 200).c_str(),
                 b.substr(from, 200).c_str());
    fail("the model depends on how the events array was chunked", i);
  }
}

// Loads `bytes`; checks that small chunks load the same; on success checks the model, runs what
// the viewer computes, computes the --stats document, and (for small traces) saves it as JSON
// and .vzt and loads both back.
inline void load_and_exercise(std::string_view bytes) {
  vz::LoadOptions opt;
  opt.threads = 1;  // deterministic; the chunked parser still runs (one worker)
  vz::LoadResult r = vz::load_bytes(bytes, opt);
  VZ_FUZZ_CHECK(r.trace != nullptr);
  check_chunked(bytes, r);
  if (!r.ok) return;
  const vz::Trace& tr = *r.trace;
  if (!representable(tr)) return;
  check_trace(tr);
  exercise_views(tr);
  vz::LoadMeasure m;
  (void)vz::stats_json("fuzz", r, m).size();
  // Saving and reloading is the costly part: only for small traces.
  // VZ_FUZZ_SAVE=0 turns it off.
  static const bool save = [] {
    const char* v = std::getenv("VZ_FUZZ_SAVE");
    return !(v && *v == '0');
  }();
  if (!save || tr.events > 2000) return;
  // JSON: through the writer into memory, then loaded back.
  std::string json;
  bool wrote = vz::write_json(tr, [&](std::string_view piece) {
    json.append(piece);
    return true;
  });
  VZ_FUZZ_CHECK(wrote);
  check_reload(vz::load_bytes(json, opt), tr);
  // .vzt: the writer only writes files (tmpfs when there is one).
  const std::string& path = scratch_path("vzt");
  std::string err;
  if (vz::save_trace(tr, path, &err)) check_reload(vz::load_file(path, opt), tr);
  std::remove(path.c_str());
}

}  // namespace vz_fuzz
