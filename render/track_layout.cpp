// Vertical track layout and y hit-testing. See track_layout.h.
#include "render/track_layout.h"

#include <algorithm>

#include "analysis/search.h"
#include "render/counter_lod.h"

namespace vz {

bool track_matches(const ViewIndex& index, TrackKind kind, uint32_t id, std::string_view filter) {
  if (filter.empty()) return true;
  const Trace& tr = index.trace();
  switch (kind) {
    case TrackKind::Header:
      return contains_ignoring_case(tr.str(tr.processes[id].name), filter) ||
             contains_ignoring_case(tr.str(tr.processes[id].pid), filter);
    case TrackKind::Counter: return contains_ignoring_case(tr.str(tr.counters[id].name), filter);
    case TrackKind::Async: {
      const StrId name = index.async_tracks()[id].name;
      return contains_ignoring_case(name == kNoStr ? std::string_view("async") : tr.str(name), filter);
    }
    case TrackKind::Objects: return contains_ignoring_case("objects", filter);
    case TrackKind::Thread:
      return contains_ignoring_case(tr.str(tr.threads[id].name), filter) ||
             contains_ignoring_case(tr.str(tr.threads[id].tid), filter);
  }
  return false;
}

std::vector<LaidTrack> layout_tracks(const ViewIndex& index, const std::vector<uint8_t>& collapsed,
                                     const std::vector<uint8_t>& all_object_lanes,
                                     const std::vector<uint8_t>& all_async_lanes, const LayoutMetrics& m,
                                     const std::vector<uint8_t>& folded_threads, std::string_view filter) {
  std::vector<LaidTrack> out;
  float y = 0;
  auto place = [&](LaidTrack t, float h) {
    t.y = y;
    t.h = h;
    out.push_back(t);
    y += h + m.gap;
  };
  const auto& groups = index.processes();
  for (uint32_t g = 0; g < groups.size(); ++g) {
    const ProcessTracks& p = groups[g];
    // A process with nothing to show (a pid that only named itself, or only gave global
    // instants, which the global row shows) gets no header either.
    if (p.counters.empty() && p.async_begin == p.async_end && p.objects.lanes() == 0 &&
        p.threads.empty() && p.instants.empty())
      continue;
    // Filtered: the process's tracks that match, or all of them when the process does.
    const bool all = track_matches(index, TrackKind::Header, p.process, filter);
    auto shown = [&](TrackKind kind, uint32_t id) { return all || track_matches(index, kind, id, filter); };
    if (!all) {
      bool any = p.objects.lanes() > 0 && shown(TrackKind::Objects, p.process);
      for (uint32_t c : p.counters) any = any || shown(TrackKind::Counter, c);
      for (uint32_t k = p.async_begin; k < p.async_end && !any; ++k) any = shown(TrackKind::Async, k);
      for (uint32_t th : p.threads) any = any || shown(TrackKind::Thread, th);
      if (!any) continue;
    }
    place(LaidTrack{TrackKind::Header, g, p.process, 0, 0}, m.header_h);
    if (g < collapsed.size() && collapsed[g]) continue;
    for (uint32_t c : p.counters) {
      if (!shown(TrackKind::Counter, c)) continue;
      // Tall enough for the name and one legend line per series drawn (then one for the others).
      const float series = float(std::min(index.trace().counters[c].series.size(), kMaxCounterBands));
      const float legend = series > 1 ? (series + 1.0f) * m.row_h * 0.8f + m.gap : 0.0f;
      place(LaidTrack{TrackKind::Counter, g, c, 0, 0}, std::max(m.counter_h, legend));
    }
    for (uint32_t k = p.async_begin; k < p.async_end; ++k) {
      if (!shown(TrackKind::Async, k)) continue;
      const uint32_t lanes = uint32_t(index.async_tracks()[k].lanes.size());
      const uint32_t rows = lane_rows(lanes, k < all_async_lanes.size() && all_async_lanes[k]);
      place(LaidTrack{TrackKind::Async, g, k, rows, 0, lanes}, m.row_h * float(rows));
    }
    if (p.objects.lanes() > 0 && shown(TrackKind::Objects, p.process)) {
      const uint32_t lanes = p.objects.lanes();
      const uint32_t rows = lane_rows(lanes, g < all_object_lanes.size() && all_object_lanes[g]);
      place(LaidTrack{TrackKind::Objects, g, p.process, rows, 0, lanes}, m.row_h * float(rows));
    }
    for (uint32_t th : p.threads) {
      if (!shown(TrackKind::Thread, th)) continue;
      const Thread& t = index.trace().threads[th];
      const uint32_t nested = t.slices.depths();
      const uint32_t all = std::max<uint32_t>(1, nested + t.overflow.depths());
      const bool folded = th < folded_threads.size() && folded_threads[th];
      const uint32_t rows = folded ? 1 : all;
      LaidTrack lt{TrackKind::Thread, g, th, rows, folded ? std::min<uint32_t>(nested, 1) : nested};
      lt.all_rows = all;
      place(lt, m.row_h * float(rows));
    }
  }
  return out;
}

std::pair<size_t, size_t> tracks_between(const std::vector<LaidTrack>& tracks, float y0, float y1) {
  // Sorted by y and never overlapping, so the bottoms are sorted too.
  auto first = std::partition_point(tracks.begin(), tracks.end(), [&](const LaidTrack& t) { return t.y + t.h <= y0; });
  auto last = std::partition_point(first, tracks.end(), [&](const LaidTrack& t) { return t.y < y1; });
  return {size_t(first - tracks.begin()), size_t(last - tracks.begin())};
}

float layout_height(const std::vector<LaidTrack>& tracks, const LayoutMetrics& m) {
  return tracks.empty() ? 0.0f : tracks.back().y + tracks.back().h + m.gap;
}

TrackHit hit_track(const std::vector<LaidTrack>& tracks, float y, const LayoutMetrics& m) {
  TrackHit hit;
  // Tracks are sorted by y: the last one starting at or above y is the candidate.
  auto it = std::upper_bound(tracks.begin(), tracks.end(), y,
                             [](float v, const LaidTrack& t) { return v < t.y; });
  if (it == tracks.begin()) return hit;
  --it;
  if (y >= it->y + it->h) return hit;  // in the gap below it
  hit.track = int(it - tracks.begin());
  if (it->kind == TrackKind::Thread || it->kind == TrackKind::Async || it->kind == TrackKind::Objects) {
    const int row = int((y - it->y) / m.row_h);
    hit.row = std::min(row, int(it->rows) - 1);
  }
  return hit;
}

}  // namespace vz
