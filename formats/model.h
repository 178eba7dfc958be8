// The trace model: what every reader produces and every consumer (viewer, CLI, writers) reads.
//
// Sections
//   1. Basic types: Time, StrId, ByteRange
//   2. StringTable: interned names, categories, keys
//   3. SliceSet: columnar, depth-major slices of one thread (+ queries)
//   4. Other event kinds: instants, counters, async slices, flows, objects, other events
//   5. Threads, processes, trace-level metadata, Trace
//
// Design notes
// - Time is int64 nanoseconds relative to `Trace::origin_us` (an integral microsecond value taken
//   from the input), so timestamps near 1e18 us stay exact and never overflow.
// - Slices of a thread are stored depth-major: all depth-0 slices sorted by start, then depth 1, ...
//   At one depth, slices never overlap, so both their starts and their ends are sorted: the visible
//   range at a depth is two binary searches, and a renderer walks each depth contiguously.
//   X events that overlap without nesting are moved to the thread's `overflow` set, whose "depths"
//   are lanes; nothing is dropped.
// - Args are never parsed at load: a slice keeps a byte range into `Trace::source`, the buffer the
//   trace was read from (the mapped JSON file, the inflated gzip, or the .vzt args section).
// - Nothing here depends on ImGui, GL, or any other module of the project.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/diagnostics.h"

namespace vz {

// ---------------------------------------------------------------------------------------------
// 1. Basic types
// ---------------------------------------------------------------------------------------------

using Time = int64_t;   // nanoseconds relative to Trace::origin_us
using StrId = uint32_t; // index into Trace::strings; 0 is always the empty string

// The allocator of the big per-slice columns: resize(n) leaves new elements uninitialized (as
// `new T[n]` does) instead of zeroing them. Every producer writes all of a column right after
// sizing it, and the .vzt reader does so on all cores: zeroing first would write the pages in
// (2.1 GB for 100 M slices) on the one thread that sizes them. A value given explicitly
// (resize(n, v), assign, push_back) is stored as usual.
template <class T>
struct UninitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitAllocator<U>;
  };
  UninitAllocator() = default;
  template <class U>
  UninitAllocator(const UninitAllocator<U>&) noexcept {}
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
template <class T>
using Column = std::vector<T, UninitAllocator<T>>;

constexpr StrId kNoStr = 0;
constexpr uint32_t kNone = 0xffffffffu;

// start + dur, at most INT64_MAX: hostile inputs' ends must not wrap around (the builder's
// layout, the .vzt reader and the recorder's walk all order slices by it).
inline constexpr Time saturating_end(Time start, Time dur) {
  return dur > 0 && start > INT64_MAX - dur ? INT64_MAX : start + dur;
}

// Sums and differences of durations (totals, self times) wrap around, as unsigned numbers do,
// instead of overflowing: each time lies within +-2^61 ns, but a sum of several can pass 2^63
// (292 years) in a hostile trace, where a wrong number beats undefined behaviour.
inline constexpr Time wrap_add(Time a, Time b) { return Time(uint64_t(a) + uint64_t(b)); }
inline constexpr Time wrap_sub(Time a, Time b) { return Time(uint64_t(a) - uint64_t(b)); }

// A byte range inside Trace::source. len == 0 means "absent".
struct ByteRange {
  uint64_t offset = 0;
  uint64_t len = 0;
  bool empty() const { return len == 0; }
};

// Read-only bytes the model points into (file mapping, inflated gzip, decoded args section).
class Buffer {
 public:
  virtual ~Buffer() = default;
  virtual const char* data() const = 0;
  virtual size_t size() const = 0;
  std::string_view view(ByteRange r) const {
    if (r.offset > size() || r.len > size() - r.offset) return {};
    return std::string_view(data() + r.offset, r.len);
  }
};

// A Buffer that owns a std::string (used for small or synthesized sources).
class StringBuffer final : public Buffer {
 public:
  explicit StringBuffer(std::string s) : s_(std::move(s)) {}
  const char* data() const override { return s_.data(); }
  size_t size() const override { return s_.size(); }
  std::string& str() { return s_; }

 private:
  std::string s_;
};

// ---------------------------------------------------------------------------------------------
// 2. StringTable
// ---------------------------------------------------------------------------------------------

// Interns strings once; ids are dense and stable. Id 0 is the empty string.
class StringTable {
 public:
  StringTable();
  StringTable(const StringTable&) = delete;
  StringTable& operator=(const StringTable&) = delete;
  StringTable(StringTable&&) noexcept;
  StringTable& operator=(StringTable&&) noexcept;
  ~StringTable();

  StrId intern(std::string_view s);                  // returns the existing id or adds s
  StrId find(std::string_view s) const;              // kNone when absent
  std::string_view get(StrId id) const { return views_[id]; }
  size_t size() const { return views_.size(); }
  size_t bytes() const { return bytes_; }            // total string bytes held

 private:
  struct Hash {
    size_t operator()(std::string_view s) const noexcept;
  };
  std::vector<std::unique_ptr<char[]>> blocks_;
  size_t block_used_ = 0, block_cap_ = 0;
  std::vector<std::string_view> views_;
  // Open addressing, linear probing, at most half full: per slot the id in the low 32 bits and
  // the hash's high 32 bits above it (most mismatches end there); ~0 when empty.
  std::vector<uint64_t> slots_;
  uint64_t probe(std::string_view s, size_t h) const;  // the slot holding s, or the empty one to use
  void grow();
  size_t bytes_ = 0;
};

// The positions 0 .. key.size() - 1 grouped by key (a string id), ascending within a group: a
// counting sort when the keys' range is small against their number, else a sort of (key,
// position) pairs, so that a few keys from a big string table cost no array that large.
std::vector<uint32_t> grouped_by(const std::vector<StrId>& key);

// ---------------------------------------------------------------------------------------------
// 3. SliceSet
// ---------------------------------------------------------------------------------------------

// A (name, category) pair; slices and instants reference one by index into Trace::labels.
// `color` is a Chrome reserved colour its events asked for ("cname"; chrome_color_index() + 1, 0
// for none): events of one name and category in two colours have two labels.
struct Label {
  StrId name = kNoStr;
  StrId cat = kNoStr;
  uint8_t color = 0;
  bool operator==(const Label& o) const { return name == o.name && cat == o.cat && color == o.color; }
};

// Chrome's reserved colour names, the values an event's "cname" may take (catapult's
// tracing/base/color_scheme.html: "good", "bad", "terrible", "thread_state_running", ...).
inline constexpr uint8_t kChromeColors = 34;
// The Label::color of a reserved name (1..kChromeColors), 0 for any other text.
uint8_t chrome_color(std::string_view cname);
// The name of Label::color `color` ("" for 0 and out-of-range values).
std::string_view chrome_color_name(uint8_t color);
// Its RGB as 0xRRGGBB, as catapult defines it (0 for 0 and out-of-range values).
uint32_t chrome_color_rgb(uint8_t color);

enum SliceFlags : uint8_t {
  kSliceOpen = 1 << 0,      // an unmatched B: runs to the end of the trace
  kSliceHasArgs = 1 << 1,   // an entry in SliceSet::args
  kSliceHasExtra = 1 << 2,  // an entry in SliceSet::extras (fields the model does not name)
  kSliceFromBE = 1 << 3,    // came from a B/E pair rather than an X event
  // Its E event had args besides the B's, or fields the model does not name: the E is kept whole
  // as a second entry in SliceSet::extras (after the B's, when it has one too).
  kSliceEndEvent = 1 << 4,
};
// Whether a slice is written back as a B event (with its E unless it never closed) rather than an
// X: it came from a B/E pair, or it is still open. The JSON writer and the details panel agree on
// it (a B's own "dur" is one of its other fields).
inline bool written_as_begin(uint8_t flags) { return (flags & (kSliceOpen | kSliceFromBE)) != 0; }

// Sparse per-slice attachments, sorted by slice index.
struct SliceAttachment {
  uint32_t index;   // slice index in the SliceSet
  ByteRange range;  // into Trace::source: args object, or an object holding extra fields
};

// Depth-major columns. Depth d occupies [depth_begin[d], depth_begin[d+1]).
struct SliceSet {
  Column<Time> start;
  Column<Time> dur;
  Column<uint32_t> label;        // index into Trace::labels
  std::vector<uint8_t> flags;    // SliceFlags
  std::vector<uint32_t> depth_begin{0};
  std::vector<SliceAttachment> args;
  std::vector<SliceAttachment> extras;
  bool nested = true;  // every slice lies inside one at the depth above (false for overflow lanes)

  size_t size() const { return start.size(); }
  uint32_t depths() const { return uint32_t(depth_begin.size() - 1); }
  Time end(size_t i) const { return start[i] + dur[i]; }
  // Depth of slice i (binary search over depth_begin).
  uint32_t depth_of(size_t i) const;
  // Index range [first, last) of slices at `depth` that overlap [t0, t1] (closed interval).
  std::pair<uint32_t, uint32_t> visible(uint32_t depth, Time t0, Time t1) const;
  // Every slice overlapping [t0, t1], across depths, appended to `out` (depth order).
  // O(d log n + k): one binary search per depth hit; in a nested set the walk stops at the first
  // depth with no hit (a child lies inside its parent), so d <= k + 1.
  void overlap(Time t0, Time t1, std::vector<uint32_t>& out) const;
  // Every slice containing t (start <= t <= end), outermost first.
  void stab(Time t, std::vector<uint32_t>& out) const;
  // Args / extra byte ranges of slice i, or an empty range.
  ByteRange args_of(uint32_t i) const;
  ByteRange extra_of(uint32_t i) const;
  // The E event of B/E slice i when it is kept (kSliceEndEvent), else an empty range.
  ByteRange end_of(uint32_t i) const;
  // Bytes of memory held (capacity-based), for accounting.
  size_t memory_bytes() const;

  // Preorder (each slice, then its children) needs a parent at depth d - 1 for every slice at
  // depth d >= 1: no empty depth may lie below a non-empty one (no builder makes such a set).
  bool walkable() const;
  // Children per slice: each slice at depth d >= 1 belongs to the last slice at depth d - 1 that
  // starts at or before it (or the first one), so the children of one parent are contiguous.
  std::vector<uint32_t> child_counts() const;
  // Calls fn(index, depth) for every slice in preorder; each depth's slices come in index order.
  // Stops when fn returns false, and then returns false; so does a set that is not walkable()
  // (visiting nothing).
  template <class Fn>
  bool walk_preorder(Fn&& fn) const;
};

// A position in a set's preorder walk that can be copied and resumed (each block of a .vzt
// Slices section starts from one). `kids` is child_counts() of the set and must outlive it.
class PreorderCursor {
 public:
  PreorderCursor(const SliceSet& s, const std::vector<uint32_t>& kids)
      : s_(&s), kids_(&kids), cursor_(s.depth_begin.begin(), s.depth_begin.end() - 1) {}
  // The next slice and its depth; false after the last one.
  bool next(uint32_t* index, uint32_t* depth) {
    while (!stack_.empty()) {
      auto& top = stack_.back();
      if (top.second == 0) {
        stack_.pop_back();
        continue;
      }
      --top.second;
      uint32_t d = top.first + 1, i = cursor_[d]++;
      if ((*kids_)[i]) stack_.push_back({d, (*kids_)[i]});
      *index = i, *depth = d;
      return true;
    }
    if (cursor_.empty() || cursor_[0] >= s_->depth_begin[1]) return false;
    uint32_t r = cursor_[0]++;
    if ((*kids_)[r]) stack_.push_back({0, (*kids_)[r]});
    *index = r, *depth = 0;
    return true;
  }

 private:
  const SliceSet* s_;
  const std::vector<uint32_t>* kids_;
  std::vector<uint32_t> cursor_;                     // next index per depth
  std::vector<std::pair<uint32_t, uint32_t>> stack_;  // (depth, children left)
};

template <class Fn>
bool SliceSet::walk_preorder(Fn&& fn) const {
  if (!walkable()) return false;
  std::vector<uint32_t> kids = child_counts();
  PreorderCursor c(*this, kids);
  uint32_t i, d;
  while (c.next(&i, &d))
    if (!fn(i, d)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// 4. Other event kinds
// ---------------------------------------------------------------------------------------------

enum class Scope : uint8_t { Thread = 0, Process = 1, Global = 2 };

// i / I events (and R marks, which Chrome draws as instants).
struct Instant {
  Time ts = 0;
  uint32_t label = 0;        // Trace::labels
  uint32_t thread = kNone;   // Trace::threads index (the emitting thread, for every scope)
  Scope scope = Scope::Thread;
  char phase = 'i';          // 'i', 'I' or 'R' as written
  ByteRange args;
  ByteRange extra;
};

// One counter = (pid, name, id): a C event's "id" is part of its name; each C event is one
// sample; each arg key a series. A counter whose keys rarely share a sample is kept as one
// Counter per key instead (Counter::split).
struct CounterSeries {
  StrId key = kNoStr;
  std::vector<double> values;  // one per sample; NaN where that sample lacked the key
};
struct Counter {
  uint32_t process = 0;  // Trace::processes index
  StrId name = kNoStr;
  StrId cat = kNoStr;
  std::vector<Time> ts;  // sorted
  std::vector<uint32_t> tid_of_sample;  // emitting thread per sample (its "tid"), kNone without
                                        // one; the counter is its process's all the same
  std::vector<CounterSeries> series;
  bool split = false;  // one series of a sparse counter, kept as a counter of its own (shown as
                       // "name key"); several counters then share (process, name, id)
  StrId id = kNoStr;   // a C event's "id": with the name, which samples are one counter
  // Samples whose C event has fields the model does not name (tts, cname, ...): that event
  // whole, by sample index, sorted by it.
  std::vector<SliceAttachment> extras;
  ByteRange extra_of(uint32_t sample) const;  // empty when it has none
};

// Nestable (b/e) and legacy (S/F) async slices, laid out in lanes per process.
struct AsyncSlice {
  Time start = 0;
  Time dur = 0;
  uint32_t label = 0;
  uint32_t process = 0;
  uint32_t thread = kNone;  // the begin's emitting thread ("tid"), kNone without one (async tracks
                            // are per process)
  StrId id = kNoStr;        // canonical id text (id, id2.local/global prefixed "local:"/"global:")
  uint32_t lane = 0;        // lane among all the process's async slices (formats/lanes.h; stored in
                            // .vzt); the timeline lays out its own tracks (render/view_index.h)
  uint8_t flags = 0;        // SliceFlags (kSliceOpen when never closed)
  char phase = 'b';         // 'b' (nestable) or 'S' (legacy)
  ByteRange args;           // of the begin event
  ByteRange end_args;       // of the end event
  StrId scope = kNoStr;     // "scope": with the category and id, which events pair
  uint32_t end_thread = kNone;  // the end's emitting thread when it is not the begin's (an async
                                // operation may end on another thread, or process with a global id)
  ByteRange extra;          // the begin event whole, when it has fields the model does not name
  ByteRange end_extra;      // the same of the end event
};
static_assert(sizeof(AsyncSlice) <= 112, "an async slice stays within 112 bytes (pairing moves millions)");

// Async instants and steps: n, T, p.
struct AsyncMark {
  Time ts = 0;
  uint32_t label = 0;
  uint32_t process = 0;
  uint32_t thread = kNone;
  StrId id = kNoStr;
  char phase = 'n';
  ByteRange args;
  StrId scope = kNoStr;  // "scope"
  ByteRange extra;       // the event whole, when it has fields the model does not name
};

// Flow events: s/t/f, and bind_id / flow_in / flow_out on slices (phase 'X' here).
struct FlowEvent {
  Time ts = 0;
  uint32_t label = 0;
  uint32_t thread = kNone;
  StrId id = kNoStr;
  char phase = 's';
  bool bind_enclosing = false;  // "bp":"e"
  ByteRange args;
  ByteRange extra;  // the event whole, when it has fields the model does not name ("scope" too)
  uint8_t v2 = 0;   // an 'X' (a slice's bind_id): FlowV2 bits, which ends of a flow it is
};

// FlowEvent::v2: "flow_in": true (a flow arrives at the slice), "flow_out": true (one leaves it).
enum FlowV2 : uint8_t { kFlowV2In = 1, kFlowV2Out = 2 };

// Object events: N (created), O (snapshot), D (destroyed).
struct ObjectEvent {
  Time ts = 0;
  uint32_t label = 0;
  uint32_t process = 0;
  uint32_t thread = kNone;
  StrId id = kNoStr;
  char phase = 'N';
  ByteRange args;
  StrId scope = kNoStr;  // "scope": with the name and id, which events are one object
  ByteRange extra;       // the event whole, when it has fields the model does not name
};

// Events kept verbatim: P, v, V, unknown phases, and metadata events the model does not name.
struct OtherEvent {
  Time ts = 0;
  uint32_t thread = kNone;
  StrId phase = kNoStr;
  uint32_t label = 0;
  ByteRange raw;  // the whole event object
};

// ---------------------------------------------------------------------------------------------
// 5. Threads, processes, metadata, Trace
// ---------------------------------------------------------------------------------------------

struct Thread {
  uint32_t process = 0;     // Trace::processes index
  StrId tid = kNoStr;       // canonical text ("123", "main")
  StrId name = kNoStr;      // from thread_name metadata
  int64_t sort_index = 0;
  bool has_sort_index = false;
  SliceSet slices;          // properly nested slices
  SliceSet overflow;        // X slices that overlap without nesting; depth = lane
  std::vector<Instant> instants;  // thread-scoped instants, sorted by ts
  uint64_t unmatched_begin = 0;
  uint64_t unmatched_end = 0;
  // Nothing of its own (no slices, instants, flows, name, sort index, unmatched B/E): at most
  // the emitting thread of counter samples, async or object events, kept so that their "tid"
  // survives. Not a track, not in thread_order() or the statistics. Set by TraceBuilder::finish().
  bool bare = false;
};

struct Process {
  StrId pid = kNoStr;
  StrId name = kNoStr;
  StrId labels = kNoStr;     // process_labels
  int64_t sort_index = 0;
  bool has_sort_index = false;
  std::vector<uint32_t> threads;  // Trace::threads indices
};

// viztracer's file_info: source files and function -> (file, line).
struct SourceFile {
  StrId path = kNoStr;
  ByteRange source;     // the JSON string token (with quotes and escapes); decode with unescape
  int64_t lines = 0;
};
struct FunctionLocation {
  StrId file = kNoStr;  // path
  int64_t line = 0;
};

// A top-level member of the JSON object other than traceEvents, kept verbatim.
struct MetadataEntry {
  StrId key = kNoStr;
  ByteRange value;  // raw JSON value
};

struct Trace {
  StringTable strings;
  std::vector<Label> labels;
  std::vector<Process> processes;
  std::vector<Thread> threads;
  std::vector<Instant> process_instants;  // scope p, sorted by ts
  std::vector<Instant> global_instants;   // scope g, sorted by ts
  std::vector<Counter> counters;
  std::vector<AsyncSlice> async_slices;   // sorted by (process, start)
  std::vector<AsyncMark> async_marks;
  std::vector<FlowEvent> flows;
  std::vector<ObjectEvent> objects;
  std::vector<OtherEvent> others;
  std::vector<MetadataEntry> metadata;     // top-level members, file order
  std::vector<SourceFile> files;
  std::unordered_map<StrId, FunctionLocation> functions;  // label name -> location
  std::string display_time_unit;          // "" when absent
  bool object_form = true;                // {"traceEvents":[...]} vs [...]
  int64_t origin_us = 0;                  // Time 0 is this many microseconds in the input
  Time start = 0, end = 0;                // over every event with a timestamp
  uint64_t events = 0;                    // events read (all phases, metadata included)
  std::shared_ptr<const Buffer> source;   // what ByteRanges point into
  Diagnostics diagnostics;

  // Convenience
  std::string_view str(StrId id) const { return strings.get(id); }
  std::string_view view(ByteRange r) const { return source ? source->view(r) : std::string_view(); }
  const Label& label(uint32_t i) const { return labels[i]; }
  std::string_view name_of(uint32_t label_index) const { return str(labels[label_index].name); }
  uint32_t intern_label(StrId name, StrId cat);   // linear-time fallback; loaders use a map
  uint64_t slice_count() const;
  // Indices in display order, independent of the order things were created in: processes by
  // pid, threads by (pid, tid), ids compared as numbers when both are integers. Bare threads
  // are left out.
  std::vector<uint32_t> process_order() const;
  std::vector<uint32_t> thread_order() const;
};

// A counter's name as viewers show it: the name, and "[id]" after it when it has an id (the name
// and id are the counter's name, as catapult shows them).
std::string counter_name(const Trace& t, const Counter& c);

// Orders pid/tid/id texts: integers numerically and before other text, other text bytewise.
bool id_less(std::string_view a, std::string_view b);

}  // namespace vz
