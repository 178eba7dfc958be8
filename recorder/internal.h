// Internals of the recorder shared by its .cpp files: thread buffers, the registry, the clock
// calibration, the name table and the record decoder. Nothing here is part of the API.
//
//   recorder.cpp  registry, thread attach, ring wrap, start/stop/clear, fork, the event calls
//   names.cpp     interned strings and call sites
//   clock.cpp     TSC detection and calibration against CLOCK_MONOTONIC
//   decode.cpp    records -> slices, instants, counter samples, flows (one thread at a time)
//   save.cpp      decoded threads -> vz::Trace -> .vzt / .json / .json.gz
//   stream.cpp    the streaming writer's background thread
//   c_api.cpp     the C ABI (vz_recorder_c.h)
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "recorder/vz_recorder.h"

namespace vz {
class TraceBuilder;
struct Trace;
struct AddedThreads;
}

namespace vz::rec::internal {

using detail::Record;
using detail::Writer;

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

// Converts the hot path's ticks to CLOCK_MONOTONIC nanoseconds.
struct ClockCal {
  bool tsc = false;
  uint64_t tick0 = 0;       // ticks at the anchor
  int64_t ns0 = 0;          // CLOCK_MONOTONIC ns at the anchor
  double ns_per_tick = 1.0;
  int64_t to_ns(uint64_t ticks) const {
    if (!tsc) return int64_t(ticks);
    return ns0 + int64_t(double(int64_t(ticks - tick0)) * ns_per_tick);
  }
  uint64_t to_ticks(int64_t ns) const {
    if (!tsc) return uint64_t(ns);
    // In double all the way, clamped before converting: a wild ns (a caller's INT64_MAX) must
    // not overflow the subtraction or the conversion.
    const double d = (double(ns) - double(ns0)) / ns_per_tick;
    const double lim = 9.0e18;
    return tick0 + uint64_t(int64_t(d < -lim ? -lim : d > lim ? lim : d));
  }
};
// True when rdtsc is usable as a clock here (x86-64 with an invariant TSC).
bool tsc_available();
// Measures the TSC against CLOCK_MONOTONIC (spins ~10 ms the first time, then cached).
ClockCal calibrate(bool want_tsc);
int64_t monotonic_ns();

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

struct SiteInfo {
  NameId file = kNoName;
  uint32_t line = 0;
};

// A snapshot of the name table for save / the streaming writer.
struct NamesView {
  std::vector<std::string_view> strings;  // strings[id]; [0] = ""
  std::vector<SiteInfo> sites;            // per id: where a zone of that name is (file 0: none)
};
// Copies views of the strings with ids >= from (strings are never freed, so views stay valid).
void names_snapshot(NamesView& out);
size_t names_count();
void names_lock_for_fork();
void names_unlock_after_fork();

// ---------------------------------------------------------------------------------------------
// Thread buffers and the registry
// ---------------------------------------------------------------------------------------------

// One thread's ring. The registry owns it; it outlives its thread so no event is lost.
struct ThreadBuffer {
  Writer w;                            // hot: written by the owning thread only
  Record* begin = nullptr;
  Record* end = nullptr;
  std::atomic<uint64_t> laps{0};       // ring mode: times the writer wrapped around
  std::atomic<uint64_t> cleared{0};    // ring mode: clear() left out the records written before
                                       //   this count (a watermark: the writer is never touched)
  std::atomic<Record*> read{nullptr};  // streaming: the flusher consumed the records before this
  std::atomic<bool> waiting{false};    // streaming: the writer waits for room
  std::atomic<bool> exited{false};     // its thread has ended
  pid_t pid = 0;
  int64_t tid = 0;
  uint32_t index = 0;                  // registration order
  std::string name;                    // thread name (registry mutex)
  std::unique_ptr<Record[]> storage;   // storage_cap records; the ring [begin, end) is its start
  size_t storage_cap = 0;
  // Storage a bigger ring replaced while the thread lived: a push that raced with that start()
  // may still hold a position in it, however late it runs (a thread preempted in push() for
  // sessions on end), so it goes only with the thread.
  std::vector<std::unique_ptr<Record[]>> outgrown;
  size_t outgrown_records = 0;

  size_t capacity() const { return size_t(end - begin); }
  // The ring is the first `entries` records of `storage`: begin/end here and, for the hot path,
  // in the writer (stored before any limit that lets a push use them).
  void set_ring(size_t entries) {
    begin = storage.get();
    end = begin + entries;
    w.begin.store(begin, std::memory_order_relaxed);
    w.end.store(end, std::memory_order_relaxed);
  }
};

// Writer::busy held for a scope: on_limit() (the owning thread) and start() change a ring's
// position, limit, laps and bounds one at a time, so neither acts on the other's half-done
// state. Held only for a few loads and stores, never while waiting for anything.
class RingLock {
 public:
  explicit RingLock(detail::Writer& w) : w_(w) {
    while (w_.busy.exchange(true, std::memory_order_acquire))
      while (w_.busy.load(std::memory_order_relaxed)) std::this_thread::yield();
  }
  ~RingLock() { w_.busy.store(false, std::memory_order_release); }
  RingLock(const RingLock&) = delete;
  RingLock& operator=(const RingLock&) = delete;

 private:
  detail::Writer& w_;
};

// Whether p lies in the ring [b, e] (e: full, before the wrap), as unsigned differences.
inline bool in_ring(const Record* p, const Record* b, const Record* e) {
  return uintptr_t(p) - uintptr_t(b) <= uintptr_t(e) - uintptr_t(b);
}

// The writer's position as readers (save, the flusher) take it: one outside the ring (a push
// that raced with start() replacing it, until the writer's next check puts it back) is the
// ring's start, as start() left it.
inline Record* published_pos(const ThreadBuffer& t) {
  Record* p = t.w.pos.load(std::memory_order_acquire);
  return in_ring(p, t.begin, t.end) ? p : t.begin;
}

// An event given as JSON text (add_event_json), with who gave it (its default pid and tid): its
// text is [at, at + len) of Extras::text.
struct ExtraEvent {
  uint64_t at = 0;
  uint32_t len = 0;
  pid_t pid = 0;
  int64_t tid = 0;
};
// The events given as JSON text: their texts in one buffer (add_events_json() appends a whole
// array at once, its elements' texts where they are in it), not one allocation per event.
struct Extras {
  std::string text;
  std::vector<ExtraEvent> events;
  uint64_t dropped = 0;  // the oldest events left out for Config::max_added
  // One event's text, given by `pid`/`tid`.
  void add(std::string_view event, pid_t pid, int64_t tid) {
    events.push_back(ExtraEvent{text.size(), uint32_t(event.size()), pid, tid});
    text.append(event);
  }
  void clear() {
    text.clear();
    text.shrink_to_fit();
    events.clear();
    events.shrink_to_fit();
    dropped = 0;
  }
  // Keeps the newest `cap` events (0: all). Not `exact`, it waits until there are twice as many
  // (each event is moved O(1) times on average); `exact` (at save) trims to `cap`.
  void keep_newest(size_t cap, bool exact);
};

class Streamer;
struct StreamerDelete {  // defined in stream.cpp, where Streamer is complete
  void operator()(Streamer* s) const;
};

// Streaming: a thread's first event waits while this many exited threads' rings are still to
// be written out and freed (their memory is then at most this many rings).
constexpr size_t kMaxExitedRings = 16;

struct Registry {
  std::mutex mu;                                       // threads, names, config, streamer
  std::vector<std::unique_ptr<ThreadBuffer>> threads;  // every thread that recorded
  Config config;
  std::string process_name;
  pid_t pid = 0;
  ClockCal clock;
  bool started = false;                                // a session was started (its clock is `clock`)
  bool calibrated = false;
  int64_t origin_us = 0;                               // trace time 0, in CLOCK_MONOTONIC us
  std::atomic<bool> streaming{false};                  // this session streams
  std::unique_ptr<Streamer, StreamerDelete> streamer;
  // A stop() finishing the stream (its flusher still draining the rings, outside `mu`): start()
  // waits for it on stream_done rather than change the rings under the flusher.
  bool stream_stopping = false;
  std::condition_variable stream_done;
  std::vector<std::unique_ptr<Record[]>> retired;       // exited threads' storage, dropped by the
                                                        //   last start()
  std::atomic<uint64_t> streamed_records{0};           // records turned into sections
  // Streaming: threads that had recorded whose rings the flusher freed once they had exited
  // and been drained, and the records they had written (stats() still counts them).
  uint32_t freed_threads = 0;
  uint64_t freed_records = 0;
  // A new session's (start()) or a forked child's counts of what left the rings.
  void reset_counts() {
    streamed_records.store(0);
    freed_threads = 0;
    freed_records = 0;
  }
  // The last session was streamed (its events are in the file, no longer in the rings): a
  // save() after stop() reports that stream instead of re-saving the drained rings.
  bool streamed_session = false;
  // This session is or was streamed: its file has no place for events given as JSON or traces.
  bool streamed() const { return streaming.load() || streamed_session; }
  bool stream_ok = true;
  std::string stream_summary;                          // "streamed N events to F" or the failure
  uint64_t last_dropped = 0;                           // the last save's max_slices drops
  Extras extras;                                       // add_event_json(), until start()/clear()
  Extras metadata_events;                              // its M events (names): not bounded
  uint64_t noted_lost = 0;                             // note_lost(), until start()/clear()
  // add_trace_file(): whole traces, with the nanoseconds their times move back by, until
  // start()/clear().
  std::vector<std::pair<std::shared_ptr<const Trace>, int64_t>> traces;
  // Drops what was added beside the rings (events given as JSON, lost counts, whole traces):
  // at clear(), a start() that does not append, and in a forked child.
  void clear_added() {
    extras.clear();
    metadata_events.clear();
    noted_lost = 0;
    traces.clear();
  }
  std::vector<std::pair<std::string, std::string>> metadata;  // set_metadata(), until start()
};
Registry& registry();

// Cuts s to at most kMaxName bytes without splitting a UTF-8 sequence.
std::string_view clip(std::string_view s);
// "void ns::A::run(int) const" -> "ns::A::run" (see intern_function); a signature it cannot
// read comes back unchanged.
std::string qualified_function(std::string_view signature);

// Records of one thread's ring in time order (up to two runs) and what the ring lost.
struct RingSnapshot {
  const Record* a = nullptr;
  size_t na = 0;
  const Record* b = nullptr;
  size_t nb = 0;
  uint64_t written = 0;  // records ever written
  uint64_t lost = 0;     // overwritten before this snapshot (since the last clear())
  size_t size() const { return na + nb; }
  // Record j of the two runs, a's first (j < size()).
  const Record& at(size_t j) const { return j < na ? a[j] : b[j - na]; }
};
RingSnapshot snapshot(const ThreadBuffer& t);

// ---------------------------------------------------------------------------------------------
// Decoding records
// ---------------------------------------------------------------------------------------------

enum DecodedFlags : uint8_t {
  kDecComplete = 1 << 0,  // from complete(): depth unknown
  kDecOpen = 1 << 1,      // begin never ended: runs to the end of the trace
};

// A slice, produced when it ends: children before parents (postorder).
struct DecodedSlice {
  int64_t start, dur;  // ns since the origin
  uint32_t name;
  uint32_t depth;      // open begins below it (valid unless kDecComplete)
  uint8_t flags;       // DecodedFlags
};
struct DecodedInstant {
  int64_t ts;
  uint32_t name;
  uint8_t scope;
  uint32_t args_off, args_len;  // into Batch::args
};
struct DecodedCounter {
  int64_t ts;
  uint32_t name;
  uint32_t first, n;  // into Batch::values
};
struct DecodedFlow {
  int64_t ts;
  uint32_t name;
  uint64_t id;
  char phase;  // 's' or 'f'
};

// Everything decoded from one run of a thread's records.
struct Batch {
  std::vector<DecodedSlice> slices;
  std::vector<DecodedInstant> instants;
  std::string args;
  std::vector<DecodedCounter> counters;
  std::vector<std::pair<uint32_t, double>> values;
  std::vector<DecodedFlow> flows;
  uint64_t orphan_ends = 0;    // ends without a begin (their begins were overwritten)
  std::vector<int64_t> orphan_ts;  // their times (ns since the origin), in ring order
  uint64_t open_begins = 0;    // begins closed by close_open()
  uint64_t filtered = 0;       // slices shorter than min_duration
  uint64_t in_ring = 0;        // slices left in the ring (Decoder::leave_slices)
  bool has_complete = false;
  bool has_begin_end = false;  // some begin or end record
  int64_t first_ts = INT64_MAX, last_ts = INT64_MIN;
  // The first start and the last end of the complete() slices left in the ring.
  int64_t ring_complete_first = INT64_MAX, ring_complete_last = INT64_MIN;
  size_t events() const { return slices.size() + instants.size() + counters.size() + flows.size(); }
  void clear();
};

// A hash of a ring record's bytes (`extra`: what else it stands for, a long complete() call's
// duration ticks). The streams (RingStream, CompleteStream) sum them per block when the ring is
// read first and again when they read it to write: a record a late writer replaced by another of
// the same kind, with times still in order, shows only there.
inline uint64_t record_hash(const Record& rec, uint64_t extra = 0) {
  return (rec.ts * 0x9E3779B97F4A7C15ull + extra) * 0xC2B2AE3D27D4EB4Full ^
         ((uint64_t(rec.name) << 32 | rec.meta) * 0x165667B19E3779F9ull);
}

// Where a thread's begin/end slices fall into .vzt blocks of `block` slices, worked out by
// Decoder::feed() as it goes (Decoder::plan_blocks) for RingStream (recorder/save_internal.h):
// the record at which each block's first slice begins and how many slices of earlier blocks are
// open there, the end times of a block's slices that end after the next block has begun (or never:
// close_open's end, those slices listed in open_at_end), and whether the times allow the stream
// at all (never decreasing, no zero-length slice).
struct BlockPlan {
  uint32_t block = 1;
  struct Start {
    size_t pos;      // record index over the runs fed so far
    uint32_t outer;  // slices of earlier blocks open there
  };
  std::vector<Start> starts;
  std::vector<uint64_t> sums;  // per block: record_hash() of its begin and end records, summed
  std::vector<std::pair<uint32_t, int64_t>> tails;  // (slice ordinal, end), in end order
  std::vector<uint32_t> open_at_end;                // ordinals, ascending
  size_t base = 0;       // records fed before the current run
  uint32_t begun = 0;    // slices begun so far (the next one's ordinal)
  uint32_t current = 0;  // the current block's first ordinal
  uint32_t depths = 0;   // the most slices open at once
  int64_t last = INT64_MIN, lo = INT64_MAX, hi = INT64_MIN;  // last time; roots' first start, last end
  bool ok = true;
  void begin(size_t pos, int64_t t, size_t outer) {
    ok &= t >= last && begun < UINT32_MAX;
    last = t;
    if (begun - current == block || begun == 0) {
      current = begun;
      starts.push_back({pos, uint32_t(outer)});
      sums.push_back(0);
    }
    if (outer == 0) lo = t < lo ? t : lo;
    if (outer >= depths) depths = uint32_t(outer) + 1;
    ++begun;
  }
  // Every begin record (after begin()) and every end record, matched or not: the records the
  // stream reads from its block's first begin on.
  void add(const Record& rec) {
    if (!sums.empty()) sums.back() += record_hash(rec);
  }
  void end(uint32_t ordinal, int64_t start, int64_t t, size_t outer_after) {
    ok &= t >= last && t > start;
    last = t;
    if (ordinal < current) tails.push_back({ordinal, t});  // its block is over
    if (outer_after == 0) hi = t;
  }
};

// Turns one thread's records into events. Keeps its open begins and a partial event between
// feed() calls (the streaming writer feeds what it finds each time it wakes).
class Decoder {
 public:
  Decoder(const ClockCal& clock, int64_t origin_ns, int64_t min_duration_ns)
      : clock_(clock), origin_ns_(origin_ns), min_dur_(min_duration_ns) {}
  void feed(const Record* r, size_t n, Batch& out);
  // Ends every open begin at `end_ns` (origin-relative), flagged kDecOpen.
  void close_open(int64_t end_ns, Batch& out);
  size_t open_depth() const { return stack_.size(); }
  // Slices are left in the ring from now on: feed() and close_open() only count them
  // (Batch::in_ring) and mark their names in `used` (indexed by NameId, ids past its end as 0);
  // walk_complete() / walk_begin_end() read them from there. Other events are decoded as usual.
  void leave_slices(std::vector<uint8_t>* used) { used_ = used; }
  // Gives back memory that only decoding more records needs (a decoder kept only to close the
  // calls still open when its thread exited).
  void trim() {
    if (need_ == 0) std::vector<Record>().swap(payload_);
    stack_.shrink_to_fit();
  }
  // With leave_slices: feed() and close_open() also plan the slices' blocks into `plan`.
  void plan_blocks(BlockPlan* plan) { plan_ = plan; }
  int64_t min_duration() const { return min_dur_; }
  int64_t to_origin_ns(uint64_t ticks) const { return ns(ticks); }
  // The complete() slices of `snap` that feed() left there, newest first, as slice() would have
  // made them: `next(s)` returns false after the oldest. Names past `names` become 0.
  class Newest {
   public:
    Newest(const Decoder& d, const RingSnapshot& snap, size_t names)
        : d_(d), s_(snap), i_(snap.na + snap.nb), names_(names) {}
    inline bool next(DecodedSlice& out);  // (inline: the walk's hot loop; see below)
    // After next(): the index over both runs of the slice's record (a long one's head), and
    // record_hash() of that record and duration in ticks, as read then.
    size_t index() const { return i_; }
    uint64_t hash() const { return record_hash(*head_, ticks_); }

   private:
    const Decoder& d_;
    const RingSnapshot& s_;
    size_t i_, names_;
    const Record* head_ = nullptr;
    uint64_t ticks_ = 0;
  };
  // Start of the outermost open slice (origin-relative), or INT64_MAX.
  int64_t open_since() const { return stack_.empty() ? INT64_MAX : stack_.front().start; }

 private:
  void event(const Record& head, const Record* payload, uint32_t n, Batch& out);
  size_t feed_begin_end(const Record* r, size_t i, size_t n, Batch& out);
  size_t feed_complete(const Record* r, size_t i, size_t n, Batch& out);
  void slice(int64_t start, int64_t end, uint32_t name, uint32_t depth, uint8_t flags, Batch& out);
  int64_t ns(uint64_t ticks) const { return clock_.to_ns(ticks) - origin_ns_; }
  struct Open {
    int64_t start;
    uint32_t name;
    uint32_t ordinal;  // begins before it (plan_blocks)
  };
  ClockCal clock_;
  int64_t origin_ns_;
  int64_t min_dur_;
  std::vector<Open> stack_;
  std::vector<uint8_t>* used_ = nullptr;  // leave_slices()
  BlockPlan* plan_ = nullptr;              // plan_blocks()
  uint32_t begins_ = 0;                    // begin records fed
  Record head_{};
  uint32_t need_ = 0;              // payload records the pending head still expects
  std::vector<Record> payload_;
};

// feed() backwards, for complete() slices only: a short one is one record; a long one is a head
// and the payload record after it (a head without it was cut off: feed() drops it too; a
// payload without its head lost it to the ring).
inline bool Decoder::Newest::next(DecodedSlice& out) {
  while (i_ > 0) {
    const Record& rec = s_.at(--i_);
    if (uint8_t(rec.meta) == detail::kCompleteShort) {
      head_ = &rec, ticks_ = rec.meta >> 8;
    } else if (uint8_t(rec.meta) == detail::kPayload && i_ > 0 && uint8_t(s_.at(i_ - 1).meta) == detail::kComplete) {
      head_ = &s_.at(--i_), ticks_ = rec.ts;
    } else {
      continue;
    }
    const int64_t t = d_.ns(head_->ts), end = d_.ns(head_->ts + ticks_);
    const uint32_t name = head_->name;
    int64_t dur = std::max<int64_t>(end - t, 0);
    if (dur < d_.min_dur_) continue;
    out = DecodedSlice{t, dur, name < names_ ? name : 0, 0, kDecComplete};
    return true;
  }
  return false;
}

// Payload records an event with `bytes` of inline data takes (15 bytes per record).
constexpr uint32_t kPayloadBytes = 15;
inline uint32_t payload_records(size_t bytes) { return uint32_t((bytes + kPayloadBytes - 1) / kPayloadBytes); }

// ---------------------------------------------------------------------------------------------
// Saving and streaming
// ---------------------------------------------------------------------------------------------

// Decodes every thread and writes `path` (format by extension). Registry mutex held.
bool save_locked(const std::string& path, std::string* message);
// Routes the add_event_json() events into the model under construction. Their text is appended
// to `source` (what the model's byte ranges point into). origin_us: the trace's time 0.
// Returns the number of events added; malformed ones are counted in *bad.
// Adds the add_trace_file() traces' events (save; registry mutex held): their sources are
// appended to `source`, *events grows by their event counts. add_trace_counts() then gives their
// threads' unmatched B/E counts to the finished trace.
std::vector<AddedThreads> add_traces(TraceBuilder& b, int64_t origin_us, std::string& source, uint64_t* events);
void add_trace_counts(Trace& out, const std::vector<AddedThreads>& added);
// *bad counts the events left out (not an event, no phase); *unplaced the events kept as they
// are, not shown (no valid time, a counter without a number, metadata it cannot apply).
uint64_t add_extra_events(TraceBuilder& b, const Extras& extras,
                          int64_t origin_us, std::string& source, uint64_t* bad, uint64_t* unplaced);
// A streaming writer with `config.output_file` open and its Info section written, its thread
// waiting for stream_attach(); null with *error when the file or the thread cannot be made.
// Nothing of the registry changes until stream_attach() hands it the writer; one dropped before
// that stops at once. (Opening truncates the file: a refusal after that, writing the Info
// section, leaves it empty.)
std::unique_ptr<Streamer, StreamerDelete> stream_open(const Config& config, const ClockCal& clock,
                                                      int64_t origin_us, std::string* error);
void stream_attach(std::unique_ptr<Streamer, StreamerDelete> s);  // registry mutex held
// Drains every ring, finishes the file, joins the thread; *message: a summary. Mutex NOT held.
bool stream_stop(std::string* message);
// Wakes the flusher now (a writer found its ring full) instead of at its next poll.
void stream_wake();

}  // namespace vz::rec::internal
