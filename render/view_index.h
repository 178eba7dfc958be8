// What the timeline needs beyond the model, computed once per loaded trace on the load worker.
//
// The model is laid out for loading and querying; drawing also needs the tracks in display order
// (processes by sort index then pid, each with its counters, async tracks, object lanes and
// threads), async slices by name in lanes, object instances in lanes, what the lanes past the lane
// cap cover (kLaneCap), process-scoped instants per process, flows grouped by id, a stable hue per
// label, and the counters' min/max pyramids. Building these takes O(n) in the non-slice
// events (slices need nothing extra: their depth-major columns are the index), and must not happen
// on the UI thread, so a ViewIndex is built next to the trace and then only read.
//
// Nothing here depends on ImGui.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "formats/model.h"
#include "render/counter_lod.h"
#include "render/fold_index.h"

namespace vz {

// Object instances (Chrome's N / O / D events) of one process.
//
// An instance is an (id, name) pair of the process alive over [start, end]. The process's object
// events are read in time order (ties in file order; Trace::objects is sorted so) and paired by
// these rules:
//   N  starts an instance. If one with the same (id, name) is alive, that one ends at this N
//      (`replaced`) and a new one starts here.
//   O  is a snapshot of the live instance with its (id, name); with none alive it starts one at
//      the snapshot (no creation event).
//   D  ends the live instance with its (id, name); with none alive it is an instance from the
//      trace's start to the D (no creation event).
//   An instance still alive after the last event ends at the trace's end (no destruction event).
// Instances are then laid out in lanes by greedy interval partitioning: taken by start (ties in
// the order they began), each goes to the free lane that was freed first (ties: the lower lane),
// a lane being free from its last instance's end on (touching instances share a lane), else to a
// new lane. Instances in a lane never overlap, and the lane count is the most instances alive at
// once. Everything is O(n log n) in the process's object events and O(n) in memory.
struct ObjectInstance {
  Time start = 0, end = 0;      // lifetime, start <= end
  StrId id = kNoStr;            // the event's id (Trace::str)
  StrId scope = kNoStr;         // its "scope", kNoStr without one
  uint32_t label = 0;           // Trace::labels index of the event that began it (its name)
  uint32_t created = kNone;     // Trace::objects index of its N, kNone when it has none
  uint32_t destroyed = kNone;   // Trace::objects index of its D, kNone when it has none
  uint32_t snap_begin = 0;      // its snapshots: ObjectTracks::snapshots[snap_begin, +snap_count)
  uint32_t snap_count = 0;
  uint32_t lane = 0;
  bool replaced = false;        // ended by a later N of the same (id, name, scope)
};

struct ObjectTracks {
  std::vector<ObjectInstance> instances;  // lane-major: by lane, then start
  std::vector<uint32_t> lane_begin;       // lane l: instances [lane_begin[l], lane_begin[l + 1])
  std::vector<uint32_t> snapshots;        // Trace::objects indices of O events, instance by
                                          // instance (so a lane's are sorted by ts)
  uint32_t lanes() const { return lane_begin.empty() ? 0 : uint32_t(lane_begin.size() - 1); }
  // The instance (position in `instances`) a snapshot position belongs to.
  uint32_t instance_of_snapshot(uint32_t snap) const;
  // The snapshot positions of lane l: [first, second).
  std::pair<uint32_t, uint32_t> lane_snapshots(uint32_t l) const;
};

// Builds the object instances of one process from its Trace::objects indices, sorted by ts (ties
// in file order). The trace's start and end bound instances without an N / a D.
ObjectTracks build_object_tracks(const Trace& trace, const std::vector<uint32_t>& of_process);

// Lanes are as many as the items alive at once, so a process with 20 000 async operations of one
// name in flight has 20 000 lanes of them. An Async or Objects track with more than kLaneCap lanes shows
// kLaneCap rows until the user expands it (render/track_layout.h): lanes 0 .. kLaneCap - 2 as they
// are, and a last row that summarises the others (lanes kLaneCap - 1 and up, "hidden") by where
// any of them has something. That row is drawn from the union of the hidden lanes' items, made
// here once, so a frame costs the same for 20 or 20 million hidden lanes.
constexpr uint32_t kLaneCap = 16;

// A closed time interval [t0, t1].
struct TimeSpan {
  Time t0 = 0, t1 = 0;
  bool operator==(const TimeSpan& o) const { return t0 == o.t0 && t1 == o.t1; }
};

// The union of `spans` (each t0 <= t1) as disjoint spans sorted by start, with gaps between them
// (b.t0 > a.t1: spans that overlap or touch are one). O(n log n).
std::vector<TimeSpan> merge_spans(std::vector<TimeSpan> spans);

// The async slices of one process with one name, in lanes, so that (in a Node trace, say) the
// PROMISE, FILEHANDLE and ZLIB operations in flight are three tracks, not one pile of lanes
// where a few long-lived ones hide the rest.
//
// Nested slices go with the one they nest in. Slices the model pairs alike (one category, id and
// scope; for S/F also one name) nest as thread slices do: by start (longer first, then begin
// order), each inside the innermost open one if it ends within it (one that begins inside it but
// ends after it is not nested, and stands alone). A group
// is a slice that nests in none with everything nested in it; it is drawn as rows, its first
// slice on top and each nested one as many rows below as it is deep (Chrome's PipelineReporter
// over its stages), and it takes the track of its first slice's name.
//
// A name gets a track of its own when the process has at least two groups of it and it is among
// the kMaxAsyncTracks names with the most (ties: the name that starts first); the other groups
// (one-off names such as "request 17") share one more track. Tracks come in the order their
// first slices start. Lanes follow the model's rule (formats/lanes.h), a group taking as many
// lanes in a row as it has rows: groups by start (longer first, then in Trace::async_slices
// order), each to the lowest lanes free at its start.
constexpr uint32_t kMaxAsyncTracks = 32;
struct AsyncTrack {
  uint32_t process = 0;                      // Trace::processes index
  StrId name = kNoStr;                       // its groups' name; kNoStr: the other names' track
  std::vector<std::vector<uint32_t>> lanes;  // per lane: Trace::async_slices indices by start
  std::vector<TimeSpan> hidden;              // the capped track's summary row (as objects_hidden)
};

// A process group in display order.
struct ProcessTracks {
  uint32_t process = 0;                 // Trace::processes index
  std::vector<uint32_t> counters;       // Trace::counters indices, by name
  // Its async tracks: ViewIndex::async_tracks() [async_begin, async_end), in the order their
  // first slices start (ties: the longer first slice, then Trace::async_slices order).
  uint32_t async_begin = 0, async_end = 0;
  ObjectTracks objects;                 // object instances in lanes
  // The summary row of the capped Objects track: the union of the instances in lanes
  // kLaneCap - 1 and up (merge_spans); empty when there are at most kLaneCap lanes.
  std::vector<TimeSpan> objects_hidden;
  std::vector<uint32_t> threads;        // Trace::threads indices, by sort index then tid
  std::vector<uint32_t> instants;       // Trace::process_instants of this process, by ts
};

// Min/max pyramids of one counter's series (level 0 points into the model or into `stacked`).
struct CounterIndex {
  std::vector<MinMaxPyramid> series;          // overlaid: one per series, over the raw values
  std::vector<uint32_t> bands;                // the series drawn one by one (counter_bands_shown)
  std::vector<std::vector<double>> stacked;   // cumulative sums (built on first use)
  std::vector<MinMaxPyramid> stacked_series;  // pyramids over `stacked`
  bool stacked_ready = false;
};

class ViewIndex {
 public:
  // Builds everything for `trace` (which must outlive the index).
  explicit ViewIndex(const Trace& trace);
  ViewIndex(const ViewIndex&) = delete;
  ViewIndex& operator=(const ViewIndex&) = delete;

  const Trace& trace() const { return *trace_; }
  // Different for every index made in this process (caches key on it, not on the address).
  uint64_t generation() const { return generation_; }
  const std::vector<ProcessTracks>& processes() const { return processes_; }
  // Every process's async tracks, group by group (ProcessTracks::async_begin / async_end).
  const std::vector<AsyncTrack>& async_tracks() const { return async_tracks_; }
  // Where async slice i (a Trace::async_slices index) is drawn: its async_tracks() index and lane.
  struct AsyncPlace {
    uint32_t track = kNone, lane = 0;
  };
  AsyncPlace async_place(uint32_t i) const { return i < async_place_.size() ? async_place_[i] : AsyncPlace{}; }
  // Async marks (n, T, p: Trace::async_marks) drawn on the async slice they belong to: the
  // innermost slice of their pairing key (process, category, id, scope; an 'n' on a b/e slice,
  // a 'T' or 'p' on an S/F slice of its name) that spans their time. async_marks_on(i): the
  // marks on async slice i, by time, as [first, last); async_mark_slice(m): mark m's slice, kNone
  // for a mark that no slice of its key spans (it is counted, not drawn).
  std::pair<const uint32_t*, const uint32_t*> async_marks_on(uint32_t i) const {
    if (i + 1 >= mark_first_.size()) return {nullptr, nullptr};
    return {mark_list_.data() + mark_first_[i], mark_list_.data() + mark_first_[i + 1]};
  }
  uint32_t async_mark_slice(uint32_t m) const { return m < mark_slice_.size() ? mark_slice_[m] : kNone; }
  // Process group of a Trace::processes index (position in processes()).
  uint32_t group_of_process(uint32_t process) const { return group_of_process_[process]; }
  // A stable 32-bit hash of the label's name: the basis of its colour.
  uint32_t label_hue(uint32_t label) const { return hues_[label]; }
  // The flow events that flow event `flow` (a Trace::flows index) has an arrow from and to:
  // the previous and next step of its flow, kNone where it has none. A flow is the events of one
  // key in time order: s/t/f events ("flow v1") are one flow by id, category and name, as
  // Perfetto pairs them; slices' bind_id/flow_in/flow_out ("flow v2") by id alone. An 's' (a
  // slice with flow_out alone) starts a new flow and an 'f' (a slice with flow_in alone) ends one,
  // so a key reused after its end is another flow. Events at one time keep file order: where a
  // flow ends as another of its key begins, the link depends on which the file lists first.
  uint32_t flow_prev(uint32_t flow) const { return flow_link_[flow].prev; }
  uint32_t flow_next(uint32_t flow) const { return flow_link_[flow].next; }
  // Flow events on one thread, by ts (Trace::flows indices).
  const std::vector<uint32_t>& flows_on_thread(uint32_t thread) const;
  // Pyramids of counter c; the stacked ones are built by ensure_stacked().
  const CounterIndex& counter(uint32_t c) const { return counters_[c]; }
  // Builds the stacked values and their pyramids of counter c (done at construction for every
  // counter with several series; a no-op once built).
  void ensure_stacked(uint32_t c);
  // The fold index of one row of a thread (set 0: nested slices, 1: overflow lanes), or null.
  const FoldIndex* fold_index(uint32_t thread, uint8_t set, uint32_t depth) const {
    const auto& v = set == 0 ? folds_[thread].slices : folds_[thread].overflow;
    return depth < v.size() ? &v[depth] : nullptr;
  }
  // Deepest row count of a thread: nested depths + overflow lanes.
  uint32_t thread_rows(uint32_t thread) const;
  size_t memory_bytes() const;

 private:
  const Trace* trace_;
  uint64_t generation_;
  std::vector<ProcessTracks> processes_;
  std::vector<AsyncTrack> async_tracks_;
  std::vector<AsyncPlace> async_place_;  // by Trace::async_slices index
  std::vector<uint32_t> mark_first_;     // per async slice, + 1: its marks in mark_list_ (empty:
  std::vector<uint32_t> mark_list_;      // no marks); Trace::async_marks indices, by slice, time
  std::vector<uint32_t> mark_slice_;     // by Trace::async_marks index
  std::vector<uint32_t> group_of_process_;
  std::vector<uint32_t> hues_;
  struct FlowLink {
    uint32_t prev, next;
  };
  std::vector<FlowLink> flow_link_;  // by Trace::flows index
  std::vector<std::vector<uint32_t>> flows_by_thread_;
  std::vector<CounterIndex> counters_;
  struct ThreadFolds {
    std::vector<FoldIndex> slices, overflow;  // one per depth / lane
  };
  std::vector<ThreadFolds> folds_;  // by Trace::threads index
};

// FNV-1a of a name: the same name gets the same colour in every trace and every run.
uint32_t name_hash(std::string_view name);

}  // namespace vz
