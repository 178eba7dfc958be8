// Display-order tracks and per-trace drawing indexes. See view_index.h.
#include "render/view_index.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <queue>
#include <tuple>
#include <unordered_map>

#include "formats/lanes.h"
#include "formats/parallel.h"

namespace vz {

uint32_t name_hash(std::string_view name) {
  uint32_t h = 2166136261u;
  for (unsigned char c : name) {
    h ^= c;
    h *= 16777619u;
  }
  // Final avalanche so that names differing in one trailing character get distant hues.
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  return h;
}

namespace {

// ViewIndex::async_marks_on: each mark goes to the innermost async slice of its pairing key that
// spans its time (latest start at or before it; on a tie of starts, the shorter). Only the
// marks' keys are collected, so a trace of a million async ids and a few marks costs one scan.
void place_async_marks(const Trace& t, std::vector<uint32_t>& first, std::vector<uint32_t>& list,
                       std::vector<uint32_t>& slice_of) {
  const std::vector<AsyncMark>& marks = t.async_marks;
  if (marks.empty() || t.async_slices.empty()) {
    slice_of.assign(marks.size(), kNone);
    return;
  }
  struct Key {
    uint32_t process;
    StrId cat, id, scope, name;  // name: a T/p's (S/F slices pair by name too), kNoStr for an n
    bool legacy;                 // T/p on S/F slices; n on b/e slices
    bool operator==(const Key& o) const {
      return process == o.process && cat == o.cat && id == o.id && scope == o.scope &&
             name == o.name && legacy == o.legacy;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      uint64_t h = k.process * 2 + k.legacy;
      for (uint64_t v : {k.cat, k.id, k.scope, k.name}) h = (h ^ v) * 0x9E3779B97F4A7C15ull;
      return size_t(h ^ (h >> 31));
    }
  };
  auto cat_of = [&](uint32_t l) { return l < t.labels.size() ? t.labels[l].cat : kNoStr; };
  auto name_of = [&](uint32_t l) { return l < t.labels.size() ? t.labels[l].name : kNoStr; };
  auto mark_key = [&](const AsyncMark& m) {
    const bool legacy = m.phase != 'n';
    return Key{m.process, cat_of(m.label), m.id, m.scope, legacy ? name_of(m.label) : kNoStr, legacy};
  };
  std::unordered_map<Key, std::vector<uint32_t>, KeyHash> by_key;
  for (const AsyncMark& m : marks) by_key.try_emplace(mark_key(m));
  for (uint32_t i = 0; i < t.async_slices.size(); ++i) {
    const AsyncSlice& a = t.async_slices[i];
    const bool legacy = a.phase == 'S';
    auto it = by_key.find(Key{a.process, cat_of(a.label), a.id, a.scope, legacy ? name_of(a.label) : kNoStr, legacy});
    if (it != by_key.end()) it->second.push_back(i);
  }
  const auto& all = t.async_slices;
  for (auto& [key, v] : by_key) {
    std::sort(v.begin(), v.end(), [&](uint32_t x, uint32_t y) {
      if (all[x].start != all[y].start) return all[x].start < all[y].start;
      if (all[x].dur != all[y].dur) return all[x].dur > all[y].dur;
      return x < y;
    });
  }
  constexpr size_t kMaxLookBack = 256;  // slices of one key that start before a mark and end
                                        // before it too (ids reused in sequence) are skipped
  slice_of.assign(marks.size(), kNone);
  std::vector<uint32_t> count(all.size() + 1, 0);
  for (uint32_t m = 0; m < marks.size(); ++m) {
    const std::vector<uint32_t>& v = by_key.find(mark_key(marks[m]))->second;
    const Time ts = marks[m].ts;
    size_t k = size_t(std::upper_bound(v.begin(), v.end(), ts,
                                       [&](Time x, uint32_t i) { return x < all[i].start; }) - v.begin());
    for (size_t steps = 0; k-- > 0 && steps < kMaxLookBack; ++steps) {
      if (saturating_end(all[v[k]].start, all[v[k]].dur) >= ts) {
        slice_of[m] = v[k];
        ++count[v[k] + 1];
        break;
      }
    }
  }
  for (size_t i = 1; i < count.size(); ++i) count[i] += count[i - 1];
  first = count;
  list.assign(count.back(), 0);
  std::vector<uint32_t> order(marks.size());  // by time (then index): each slice's marks by time
  for (uint32_t m = 0; m < order.size(); ++m) order[m] = m;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t x, uint32_t y) { return marks[x].ts < marks[y].ts; });
  for (uint32_t m : order)
    if (slice_of[m] != kNone) list[count[slice_of[m]]++] = m;
}

// Orders items by (sort index, then the given base rank).
template <class Get>
void order_by_sort_index(std::vector<uint32_t>& items, const std::vector<uint32_t>& rank, Get&& get) {
  std::stable_sort(items.begin(), items.end(), [&](uint32_t a, uint32_t b) {
    const int64_t sa = get(a), sb = get(b);
    if (sa != sb) return sa < sb;
    return rank[a] < rank[b];
  });
}

// The async tracks of one process group from its Trace::async_slices indices `v` (reordered
// here), by AsyncTrack's rules; writes each slice's (group-local track, lane) to place[i].
// Temporaries are per slice (~60 bytes at most, while the nesting is found); no hashing, so a
// process with millions of one-off ids or names costs a few passes (grouped_by).
std::vector<AsyncTrack> build_async_tracks(const Trace& trace, std::vector<uint32_t>& v, ViewIndex::AsyncPlace* place) {
  const auto& all = trace.async_slices;
  auto end_of = [&](uint32_t i) { return saturating_end(all[i].start, all[i].dur); };
  auto by_start = [&](uint32_t a, uint32_t b) {
    return all[a].start != all[b].start ? all[a].start < all[b].start : all[a].dur > all[b].dur;
  };
  if (!std::is_sorted(v.begin(), v.end(), by_start)) std::stable_sort(v.begin(), v.end(), by_start);
  const uint32_t n = uint32_t(v.size());
  // Positions in v stand for the slices from here on: root, depth and (for roots) height; what
  // the passes below read of a slice is copied once into small arrays (the slices are ~100
  // bytes each: reading them again is most of the cost).
  std::vector<uint32_t> root(n), depth(n, 0), height(n, 1);
  std::vector<Time> start_at(n), end_at(n);
  std::vector<StrId> name_at(n);
  for (uint32_t k = 0; k < n; ++k) {
    start_at[k] = all[v[k]].start;
    end_at[k] = end_of(v[k]);
    name_at[k] = trace.labels[all[v[k]].label].name;
  }
  {
    // Nesting: the slices the model pairs alike (category, id, scope; S/F: also the name, and
    // apart from b/e), by start, swept with a stack. Grouped by id (grouped_by keeps start order
    // within an id) and, where an id is shared by several keys, by key within its group; read
    // from plain records, not through the slices.
    struct Keyed {
      StrId cat, id, scope, legacy;  // legacy: the name of an S/F slice, kNone for b/e
      uint32_t pos;
      Time start, end;
      auto key() const { return std::tie(cat, id, scope, legacy); }
      bool same_key(const Keyed& o) const { return key() == o.key(); }
    };
    std::vector<Keyed> w(n);
    {
      std::vector<StrId> id_at(n);
      for (uint32_t k = 0; k < n; ++k) id_at[k] = all[v[k]].id;
      const std::vector<uint32_t> order = grouped_by(id_at);
      for (uint32_t j = 0; j < n; ++j) {
        const uint32_t k = order[j];
        const AsyncSlice& a = all[v[k]];
        const Label& lb = trace.labels[a.label];
        w[j] = Keyed{lb.cat, a.id, a.scope, a.phase == 'S' ? lb.name : kNone, k, start_at[k], end_at[k]};
      }
    }
    for (uint32_t b = 0, e; b < n; b = e) {  // each id's run
      bool one_key = true;
      for (e = b + 1; e < n && w[e].id == w[b].id; ++e) one_key = one_key && w[e].same_key(w[b]);
      if (!one_key)
        std::stable_sort(w.begin() + b, w.begin() + e,
                         [](const Keyed& x, const Keyed& y) { return x.key() < y.key(); });
    }
    struct Open {
      uint32_t pos, root, depth;
      Time end;
    };
    std::vector<Open> stack;
    for (uint32_t j = 0; j < n; ++j) {
      const Keyed& x = w[j];
      if (j == 0 || !w[j - 1].same_key(x)) stack.clear();
      while (!stack.empty() && stack.back().end <= x.start) stack.pop_back();
      if (stack.empty() || x.end <= stack.back().end) {
        const Open o = stack.empty() ? Open{x.pos, x.pos, 0, x.end}
                                     : Open{x.pos, stack.back().root, stack.back().depth + 1, x.end};
        root[x.pos] = o.root;
        depth[x.pos] = o.depth;
        height[o.root] = std::max(height[o.root], o.depth + 1);
        stack.push_back(o);
      } else {
        root[x.pos] = x.pos;  // begins inside the open one but ends after it: a group of its own
      }
    }
  }
  // The names with a track of their own: of roots, at least two, the most used first (ties:
  // the name whose first root starts first).
  struct NameUse {
    StrId name;
    uint32_t count, first;  // roots of that name, and the first's position
  };
  std::vector<NameUse> ranked;
  {
    std::vector<uint32_t> roots;
    std::vector<StrId> root_name;
    for (uint32_t k = 0; k < n; ++k)
      if (root[k] == k) roots.push_back(k), root_name.push_back(name_at[k]);
    const std::vector<uint32_t> order = grouped_by(root_name);
    for (size_t b = 0, e; b < order.size(); b = e) {
      const StrId name = root_name[order[b]];
      for (e = b + 1; e < order.size() && root_name[order[e]] == name; ++e) {
      }
      if (e - b >= 2 && name != kNoStr) ranked.push_back({name, uint32_t(e - b), roots[order[b]]});
    }
  }
  std::sort(ranked.begin(), ranked.end(), [](const NameUse& a, const NameUse& b) {
    return a.count != b.count ? a.count > b.count : a.first < b.first;
  });
  if (ranked.size() > kMaxAsyncTracks) ranked.resize(kMaxAsyncTracks);
  std::vector<std::pair<StrId, uint32_t>> own;  // name -> its track (kNone until its first root)
  for (const NameUse& u : ranked) own.emplace_back(u.name, kNone);
  std::sort(own.begin(), own.end());
  uint32_t pool = kNone;  // the track of the others
  std::vector<AsyncTrack> tracks;
  std::vector<uint32_t> tallest;  // per track: its tallest group's rows
  std::vector<uint32_t>& track_of = depth;  // roots' depth is 0: their entry holds their track
  for (uint32_t k = 0; k < n; ++k) {
    if (root[k] != k) continue;
    auto it = std::lower_bound(own.begin(), own.end(), std::make_pair(name_at[k], uint32_t(0)));
    const bool mine = it != own.end() && it->first == name_at[k];
    uint32_t& t = mine ? it->second : pool;
    if (t == kNone) {  // a track's first group: tracks come in that order
      t = uint32_t(tracks.size());
      tracks.push_back(AsyncTrack{all[v[k]].process, mine ? name_at[k] : kNoStr, {}, {}});
      tallest.push_back(1);
    }
    track_of[k] = t;
    tallest[t] = std::max(tallest[t], height[k]);
  }
  // Groups of one row (most tracks: ids used once) take LaneAllocator's lanes, which are
  // LaneBlockAllocator's for h = 1 at a fraction of its cost.
  std::vector<LaneAllocator> single(tracks.size());
  std::vector<LaneBlockAllocator> blocks(tracks.size());
  std::vector<std::vector<TimeSpan>> past_cap(tracks.size());  // items of lanes kLaneCap - 1 and up
  std::vector<uint32_t> lane_at(n);
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t i = v[k];
    uint32_t track, lane;
    if (root[k] == k) {  // a group's first slice: it places the group
      track = track_of[k];
      lane = tallest[track] == 1 ? single[track].place(start_at[k], end_at[k])
                                 : blocks[track].place(start_at[k], end_at[k], height[k]);
    } else {  // under its group's first slice, as deep as it nests
      track = track_of[root[k]];
      lane = lane_at[root[k]] + depth[k];
    }
    lane_at[k] = lane;
    auto& lanes = tracks[track].lanes;
    if (lanes.size() <= lane) lanes.resize(lane + 1);
    lanes[lane].push_back(i);
    place[i] = ViewIndex::AsyncPlace{track, lane};
    if (lane >= kLaneCap - 1) past_cap[track].push_back({start_at[k], end_at[k]});
  }
  for (uint32_t t = 0; t < tracks.size(); ++t)
    if (tracks[t].lanes.size() > kLaneCap) tracks[t].hidden = merge_spans(std::move(past_cap[t]));
  return tracks;
}

}  // namespace

uint32_t ObjectTracks::instance_of_snapshot(uint32_t snap) const {
  // snap_begin never decreases along `instances`: the last one starting at or before `snap` holds it.
  auto it = std::upper_bound(instances.begin(), instances.end(), snap,
                             [](uint32_t v, const ObjectInstance& o) { return v < o.snap_begin; });
  return it == instances.begin() ? kNone : uint32_t(it - instances.begin() - 1);
}

std::pair<uint32_t, uint32_t> ObjectTracks::lane_snapshots(uint32_t l) const {
  const uint32_t a = lane_begin[l], b = lane_begin[l + 1];
  if (a == b) return {0, 0};
  return {instances[a].snap_begin, instances[b - 1].snap_begin + instances[b - 1].snap_count};
}

ObjectTracks build_object_tracks(const Trace& trace, const std::vector<uint32_t>& of_process) {
  ObjectTracks out;
  const std::vector<ObjectEvent>& events = trace.objects;
  const Time trace_start = trace.start, trace_end = trace.end;
  // Pass 1: pair the events into instances (in the order they begin) and note each snapshot's.
  std::vector<ObjectInstance> inst;
  std::vector<uint32_t> snap_event, snap_inst;  // per snapshot: Trace::objects index, instance
  // (id, name, scope) -> instance: a "scope" keeps objects of the same id and name apart.
  struct Key {
    uint64_t id_name;
    StrId scope;
    bool operator==(const Key& o) const { return id_name == o.id_name && scope == o.scope; }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return std::hash<uint64_t>()(k.id_name * 31 + k.scope); }
  };
  std::unordered_map<Key, uint32_t, KeyHash> live;
  auto key = [&](const ObjectEvent& e) {
    const StrId name = e.label < trace.labels.size() ? trace.labels[e.label].name : kNoStr;
    return Key{(uint64_t(e.id) << 32) | name, e.scope};
  };
  auto begin = [&](const ObjectEvent& e, Time start) {
    ObjectInstance o;
    o.start = start;
    o.end = start;
    o.id = e.id;
    o.scope = e.scope;
    o.label = e.label;
    inst.push_back(o);
    return uint32_t(inst.size() - 1);
  };
  for (uint32_t ev : of_process) {
    const ObjectEvent& e = events[ev];
    const Key k = key(e);
    auto it = live.find(k);
    switch (e.phase) {
      case 'N': {
        if (it != live.end()) {
          inst[it->second].end = e.ts;
          inst[it->second].replaced = true;
        }
        const uint32_t i = begin(e, e.ts);
        inst[i].created = ev;
        live[k] = i;
        break;
      }
      case 'O': {
        uint32_t i;
        if (it != live.end()) {
          i = it->second;
        } else {
          i = begin(e, e.ts);
          live.emplace(k, i);
        }
        inst[i].end = std::max(inst[i].end, e.ts);  // alive at least until its last snapshot
        snap_event.push_back(ev);
        snap_inst.push_back(i);
        break;
      }
      case 'D': {
        uint32_t i;
        if (it != live.end()) {
          i = it->second;
          live.erase(it);
        } else {
          i = begin(e, std::min(trace_start, e.ts));
        }
        inst[i].end = e.ts;
        inst[i].destroyed = ev;
        break;
      }
      default: break;
    }
  }
  for (const auto& [k, i] : live) inst[i].end = std::max({inst[i].end, trace_end, inst[i].start});
  live = {};
  if (inst.empty()) return out;

  // Pass 2: lanes, by start (ties: the order they began), each to the lane freed first.
  std::vector<uint32_t> by_start(inst.size());
  for (uint32_t i = 0; i < by_start.size(); ++i) by_start[i] = i;
  std::stable_sort(by_start.begin(), by_start.end(),
                   [&](uint32_t a, uint32_t b) { return inst[a].start < inst[b].start; });
  using Free = std::pair<Time, uint32_t>;  // (end of the lane's last instance, lane)
  std::priority_queue<Free, std::vector<Free>, std::greater<Free>> lanes;
  uint32_t nlanes = 0;
  std::vector<uint32_t> per_lane;
  for (uint32_t i : by_start) {
    if (!lanes.empty() && lanes.top().first <= inst[i].start) {
      inst[i].lane = lanes.top().second;
      lanes.pop();
    } else {
      inst[i].lane = nlanes++;
      per_lane.push_back(0);
    }
    per_lane[inst[i].lane]++;
    lanes.emplace(inst[i].end, inst[i].lane);
  }
  lanes = {};

  // Lane-major order (a counting sort by lane keeps the start order within a lane).
  out.lane_begin.assign(nlanes + 1, 0);
  for (uint32_t l = 0; l < nlanes; ++l) out.lane_begin[l + 1] = out.lane_begin[l] + per_lane[l];
  std::vector<uint32_t> pos(inst.size());
  {
    std::vector<uint32_t> next(out.lane_begin.begin(), out.lane_begin.end() - 1);
    for (uint32_t i : by_start) pos[i] = next[inst[i].lane]++;
  }
  by_start = {};
  // Snapshots grouped by instance in lane-major order (a counting sort keeps their time order).
  for (uint32_t i : snap_inst) inst[i].snap_count++;
  out.instances.resize(inst.size());
  for (uint32_t i = 0; i < inst.size(); ++i) out.instances[pos[i]] = inst[i];
  inst = {};
  uint32_t acc = 0;
  for (ObjectInstance& o : out.instances) {
    o.snap_begin = acc;
    acc += o.snap_count;
  }
  out.snapshots.resize(snap_event.size());
  {
    std::vector<uint32_t> next(out.instances.size());
    for (uint32_t p = 0; p < out.instances.size(); ++p) next[p] = out.instances[p].snap_begin;
    for (size_t s = 0; s < snap_event.size(); ++s) out.snapshots[next[pos[snap_inst[s]]]++] = snap_event[s];
  }
  return out;
}

std::vector<TimeSpan> merge_spans(std::vector<TimeSpan> spans) {
  std::sort(spans.begin(), spans.end(), [](const TimeSpan& a, const TimeSpan& b) { return a.t0 < b.t0; });
  std::vector<TimeSpan> out;
  for (const TimeSpan& s : spans) {
    if (!out.empty() && s.t0 <= out.back().t1) {
      out.back().t1 = std::max(out.back().t1, s.t1);
    } else {
      out.push_back(s);
    }
  }
  out.shrink_to_fit();
  return out;
}

ViewIndex::ViewIndex(const Trace& trace) : trace_(&trace) {
  static std::atomic<uint64_t> made{0};
  generation_ = ++made;
  const std::vector<uint32_t> porder = trace.process_order();
  const std::vector<uint32_t> torder = trace.thread_order();
  std::vector<uint32_t> prank(trace.processes.size()), trank(trace.threads.size());
  for (uint32_t i = 0; i < porder.size(); ++i) prank[porder[i]] = i;
  for (uint32_t i = 0; i < torder.size(); ++i) trank[torder[i]] = i;

  std::vector<uint32_t> procs = porder;
  order_by_sort_index(procs, prank, [&](uint32_t p) { return trace.processes[p].sort_index; });
  group_of_process_.assign(trace.processes.size(), 0);
  processes_.resize(procs.size());
  for (uint32_t g = 0; g < procs.size(); ++g) {
    processes_[g].process = procs[g];
    group_of_process_[procs[g]] = g;
    std::vector<uint32_t> threads;
    for (uint32_t th : trace.processes[procs[g]].threads)
      if (!trace.threads[th].bare) threads.push_back(th);
    order_by_sort_index(threads, trank, [&](uint32_t t) { return trace.threads[t].sort_index; });
    processes_[g].threads = std::move(threads);
  }
  for (uint32_t c = 0; c < trace.counters.size(); ++c) {
    const uint32_t p = trace.counters[c].process;
    if (p < processes_.size()) processes_[group_of_process_[p]].counters.push_back(c);
  }
  std::vector<std::string> names(trace.counters.size());  // (made once, not per comparison)
  for (uint32_t c = 0; c < names.size(); ++c) names[c] = counter_name(trace, trace.counters[c]);
  for (ProcessTracks& g : processes_)
    std::stable_sort(g.counters.begin(), g.counters.end(), [&](uint32_t a, uint32_t b) { return names[a] < names[b]; });
  {
    // Async tracks, per process group (build_async_tracks).
    std::vector<std::vector<uint32_t>> of_group(processes_.size());
    for (uint32_t i = 0; i < trace.async_slices.size(); ++i) {
      const uint32_t p = trace.async_slices[i].process;
      if (p < group_of_process_.size()) of_group[group_of_process_[p]].push_back(i);
    }
    async_place_.assign(trace.async_slices.size(), AsyncPlace{});
    std::vector<std::vector<AsyncTrack>> tracks(processes_.size());
    parallel_for(processes_.size(), 0, [&](size_t g) {
      if (of_group[g].empty()) return;
      tracks[g] = build_async_tracks(trace, of_group[g], async_place_.data());
      of_group[g] = {};
    });
    for (uint32_t g = 0; g < processes_.size(); ++g) {
      processes_[g].async_begin = uint32_t(async_tracks_.size());
      for (AsyncTrack& tk : tracks[g]) async_tracks_.push_back(std::move(tk));
      processes_[g].async_end = uint32_t(async_tracks_.size());
    }
    for (uint32_t i = 0; i < async_place_.size(); ++i) {
      if (async_place_[i].track == kNone) continue;
      async_place_[i].track += processes_[group_of_process_[trace.async_slices[i].process]].async_begin;
    }
  }
  place_async_marks(trace, mark_first_, mark_list_, mark_slice_);
  {
    std::vector<std::vector<uint32_t>> objects(processes_.size());
    for (uint32_t i = 0; i < trace.objects.size(); ++i) {
      const uint32_t p = trace.objects[i].process;
      if (p < group_of_process_.size()) objects[group_of_process_[p]].push_back(i);
    }
    parallel_for(processes_.size(), 0, [&](size_t g) {
      if (objects[g].empty()) return;
      processes_[g].objects = build_object_tracks(trace, objects[g]);
      objects[g] = {};
    });
  }
  parallel_for(processes_.size(), 0, [&](size_t g) {
    ProcessTracks& p = processes_[g];
    std::vector<TimeSpan> spans;
    const ObjectTracks& ot = p.objects;
    if (ot.lanes() > kLaneCap) {
      for (uint32_t i = ot.lane_begin[kLaneCap - 1]; i < ot.instances.size(); ++i)
        spans.push_back({ot.instances[i].start, ot.instances[i].end});
    }
    p.objects_hidden = merge_spans(std::move(spans));
  });
  for (uint32_t i = 0; i < trace.process_instants.size(); ++i) {
    const uint32_t th = trace.process_instants[i].thread;
    if (th >= trace.threads.size()) continue;
    processes_[group_of_process_[trace.threads[th].process]].instants.push_back(i);
  }

  hues_.resize(trace.labels.size());
  for (uint32_t l = 0; l < trace.labels.size(); ++l) hues_[l] = name_hash(trace.name_of(l));

  flows_by_thread_.resize(trace.threads.size());
  // Flows by key: (id, label) for s/t/f (a flow's label is its name and category), (id, none)
  // for the slices' v2 flow fields. An event without an id is in no flow.
  std::unordered_map<uint64_t, std::vector<uint32_t>> flows_by_key;
  for (uint32_t i = 0; i < trace.flows.size(); ++i) {
    const FlowEvent& f = trace.flows[i];
    const uint32_t kind = f.phase == 'X' ? UINT32_MAX : f.label;
    if (f.id != kNoStr) flows_by_key[uint64_t(f.id) << 32 | kind].push_back(i);
    if (f.thread < flows_by_thread_.size()) flows_by_thread_[f.thread].push_back(i);
  }
  // A flow begins at an 's' or a slice with flow_out alone, and ends at an 'f' or a slice with
  // flow_in alone.
  auto begins = [&](const FlowEvent& f) { return f.phase == 's' || (f.phase == 'X' && f.v2 == kFlowV2Out); };
  auto ends = [&](const FlowEvent& f) { return f.phase == 'f' || (f.phase == 'X' && f.v2 == kFlowV2In); };
  auto by_ts = [&](uint32_t a, uint32_t b) { return trace.flows[a].ts < trace.flows[b].ts; };
  for (auto& v : flows_by_thread_) std::stable_sort(v.begin(), v.end(), by_ts);
  flow_link_.assign(trace.flows.size(), FlowLink{kNone, kNone});
  for (auto& [key, v] : flows_by_key) {
    std::stable_sort(v.begin(), v.end(), by_ts);
    for (size_t k = 1; k < v.size(); ++k) {
      if (ends(trace.flows[v[k - 1]]) || begins(trace.flows[v[k]])) continue;  // one ended, or another began
      flow_link_[v[k - 1]].next = v[k];
      flow_link_[v[k]].prev = v[k - 1];
    }
  }

  folds_.resize(trace.threads.size());
  parallel_for(trace.threads.size(), 0, [&](size_t th) {
    folds_[th].slices = build_fold_indexes(trace.threads[th].slices);
    folds_[th].overflow = build_fold_indexes(trace.threads[th].overflow);
  });

  counters_.resize(trace.counters.size());
  parallel_for(trace.counters.size(), 0, [&](size_t c) {
    for (const CounterSeries& s : trace.counters[c].series) counters_[c].series.emplace_back(s.values);
    counters_[c].bands = counter_bands_shown(counters_[c].series, kMaxCounterBands);
    // Multi-series counters draw stacked by default: their pyramids are built here too, so the
    // first frame (on the UI thread) does no O(samples) work.
    if (trace.counters[c].series.size() > 1) ensure_stacked(uint32_t(c));
  });
}

const std::vector<uint32_t>& ViewIndex::flows_on_thread(uint32_t thread) const {
  static const std::vector<uint32_t> kEmpty;
  return thread < flows_by_thread_.size() ? flows_by_thread_[thread] : kEmpty;
}

void ViewIndex::ensure_stacked(uint32_t c) {
  CounterIndex& ci = counters_[c];
  if (ci.stacked_ready) return;
  ci.stacked = stacked_values(trace_->counters[c]);
  ci.stacked_series.clear();
  for (const std::vector<double>& v : ci.stacked) ci.stacked_series.emplace_back(v);
  ci.stacked_ready = true;
}

uint32_t ViewIndex::thread_rows(uint32_t thread) const {
  const Thread& t = trace_->threads[thread];
  return t.slices.depths() + t.overflow.depths();
}

size_t ViewIndex::memory_bytes() const {
  size_t n = hues_.capacity() * 4 + group_of_process_.capacity() * 4;
  n += (mark_first_.capacity() + mark_list_.capacity() + mark_slice_.capacity()) * 4;
  for (const ProcessTracks& g : processes_) {
    n += (g.counters.capacity() + g.threads.capacity() + g.instants.capacity()) * 4;
    n += g.objects.instances.capacity() * sizeof(ObjectInstance) +
         (g.objects.lane_begin.capacity() + g.objects.snapshots.capacity()) * 4;
    n += g.objects_hidden.capacity() * sizeof(TimeSpan);
  }
  n += async_tracks_.capacity() * sizeof(AsyncTrack) + async_place_.capacity() * sizeof(AsyncPlace);
  for (const AsyncTrack& tk : async_tracks_) {
    for (const auto& l : tk.lanes) n += l.capacity() * 4;
    n += tk.lanes.capacity() * sizeof(tk.lanes[0]) + tk.hidden.capacity() * sizeof(TimeSpan);
  }
  n += flow_link_.capacity() * sizeof(FlowLink);
  for (const auto& v : flows_by_thread_) n += v.capacity() * 4;
  for (const ThreadFolds& t : folds_) {
    for (const FoldIndex& x : t.slices) n += x.memory_bytes();
    for (const FoldIndex& x : t.overflow) n += x.memory_bytes();
  }
  for (const CounterIndex& c : counters_) {
    for (const MinMaxPyramid& p : c.series) n += p.memory_bytes();
    for (const MinMaxPyramid& p : c.stacked_series) n += p.memory_bytes();
    for (const auto& v : c.stacked) n += v.capacity() * 8;
  }
  return n;
}

}  // namespace vz
