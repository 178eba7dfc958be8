// TraceBuilder: the one place where events become the model.
//
// Readers (Chrome JSON, .vzt, later the recorder's importer) feed events in any order through the
// add_* calls; finish() then pairs B/E per thread, sorts, assigns depths (sweep with a stack over
// slices sorted by (start asc, end desc)), moves overlapping X slices to overflow lanes, lays out
// async slices in lanes, sorts instants/counters and computes the trace's time bounds.
// Every reader therefore produces exactly the same model for the same events.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/model.h"

namespace vz {

// A complete slice before layout (what readers append in bulk).
struct RawSlice {
  Time start;
  Time dur;
  uint32_t label;
  uint8_t flags;  // SliceFlags
};
static_assert(sizeof(RawSlice) == 24, "RawSlice is a hot bulk record");

// The order slices are laid out in: start ascending, then end descending (a parent before the
// children that start with it). Readers that hand slices over presorted use it too.
inline bool layout_before(const RawSlice& a, const RawSlice& b) {
  if (a.start != b.start) return a.start < b.start;
  return saturating_end(a.start, a.dur) > saturating_end(b.start, b.dur);
}

// Whether a counter's series may be stored densely (series x samples cells, NaN where a sample
// lacks a key): at most 4 times the samples and values given, plus a slack of up to 16 times
// more (at most 1 M cells, 8 MB), so that many counters cannot each take the slack for free.
// Past it a counter is kept as one counter per series (see add_counter_sample).
inline bool counter_dense_fits(uint64_t series, uint64_t samples, uint64_t values) {
  const uint64_t given = values + samples;
  return series * samples <= 4 * given + std::min<uint64_t>(uint64_t(1) << 20, 16 * given);
}

// Sets every thread's Thread::bare (finish() calls it; whoever sets unmatched counts after
// finish() calls it again).
void mark_bare(Trace& t);

class TraceBuilder {
 public:
  explicit TraceBuilder(Trace& trace);
  ~TraceBuilder();
  TraceBuilder(const TraceBuilder&) = delete;
  TraceBuilder& operator=(const TraceBuilder&) = delete;

  Trace& trace() { return t_; }
  StrId intern(std::string_view s) { return t_.strings.intern(s); }
  uint32_t process(StrId pid);                // get-or-create, by canonical pid text
  uint32_t thread(StrId pid, StrId tid);      // get-or-create, creates the process too
  uint32_t label(StrId name, StrId cat, uint8_t color = 0);  // get-or-create (color: Label::color)

  // Slices. `offset` is the byte offset of the event in the input (for diagnostics).
  // `seq` orders events that share a timestamp (file order); pass a running counter.
  void add_complete(uint32_t thread, Time start, Time dur, uint32_t label, ByteRange args,
                    ByteRange extra, uint8_t flags = 0);
  void add_begin(uint32_t thread, Time ts, uint32_t label, ByteRange args, ByteRange extra,
                 uint64_t seq, uint64_t offset);
  // `raw` is the whole E event; an unmatched E is kept verbatim as an OtherEvent. `fields`: the E
  // has fields the model does not name. A matched E's args become the slice's when the B has none;
  // an E with fields, or with args while the B has some, is kept whole with the slice
  // (kSliceEndEvent), its args left with it.
  void add_end(uint32_t thread, Time ts, ByteRange args, ByteRange raw, uint64_t seq,
               uint64_t offset, bool fields = false);
  // Bulk append of complete slices. Attachment indices are relative to `slices` (0 = slices[0]).
  void append_slices(uint32_t thread, const RawSlice* slices, size_t n,
                     const SliceAttachment* args, size_t nargs,
                     const SliceAttachment* extras, size_t nextras);
  // Like append_slices, but takes the vectors (no copy when the thread has nothing yet).
  // Safe to call concurrently for different threads once every thread exists.
  // `offsets` (optional: empty, or one per slice) are the input offsets of the slices' events,
  // used only to report where an overlapping slice was.
  void adopt_slices(uint32_t thread, std::vector<RawSlice>&& slices,
                    std::vector<SliceAttachment>&& args, std::vector<SliceAttachment>&& extras,
                    std::vector<uint64_t>&& offsets = {});
  // Hands over a thread's nested slices already laid out as finish() would lay them out from
  // them (depth-major, each depth by (start asc, end desc), properly nested with every slice
  // starting before its parent's end, no overflow, attachments sorted by index): finish() then
  // skips the layout for that thread. When the thread has other slices by then, the set's slices
  // are merged with them and laid out as usual. Used by the .vzt reader.
  void adopt_slice_set(uint32_t thread, SliceSet&& set);
  // A slice exactly as stored (already paired); used by the .vzt reader.
  void add_slice_raw(uint32_t thread, Time start, Time dur, uint32_t label, uint8_t flags,
                     ByteRange args, ByteRange extra);

  void add_instant(const Instant& in);  // routed by scope; `thread` must be set
  // One counter sample. Values are (key, value) pairs; NaN allowed. A counter's series are
  // stored densely (one value per sample, NaN where a sample lacks the key) while that costs
  // at most a few times the samples and values given; past that budget the counter's values are
  // kept sparsely and finish() splits it into one counter per series (Counter::split; diagnostic
  // sparse_counter at `offset`), so memory follows the input however many keys a counter has.
  // A counter holds at most kMaxCounterSamples samples, and a sparse one as many values (their
  // indexes are uint32_t, kNone excluded): a sample past that is dropped whole (not counted in the
  // trace's time bounds) with diagnostic counter_limit at `offset`, one per sample dropped.
  // `id` (a C event's "id"): with the process and name, which counter the sample is of. `extra`:
  // the event whole, when it has fields the model does not name (Counter::extras).
  void add_counter_sample(uint32_t process, StrId name, StrId cat, Time ts, uint32_t thread,
                          const std::pair<StrId, double>* values, size_t n,
                          uint64_t offset = 0, StrId id = kNoStr, ByteRange extra = {});
  // n samples of one counter at once, each with a value for every one of `keys` (NaN where it
  // has none): what a .vzt Counter section holds. values[j][i] is key j's value in sample i;
  // `extras` (n entries, or null) each sample's `extra`. The same as n add_counter_sample calls,
  // without their per-sample lookups when the counter stays dense.
  void add_counter_run(uint32_t process, StrId name, StrId cat, StrId id, const StrId* keys,
                       size_t nkeys, size_t n, const Time* ts, const uint32_t* threads,
                       const double* const* values, const ByteRange* extras, uint64_t offset = 0);
  static constexpr uint64_t kMaxCounterSamples = kNone;  // 2^32 - 1
  // Lowers that limit for this builder (tests: a real one takes 4 G samples); at most the default.
  void set_counter_sample_limit(uint64_t limit);
  // Async events: phase is one of b e S F (slices) or n T p (marks). An end pairs with the
  // latest open begin of the same process, category, scope and id (and name, for S/F).
  // An end (e, F) may come `whole`: `extra` is then the whole event, which a matched end keeps
  // only when it has `fields` the model does not name, and an unmatched one is kept as (an
  // OtherEvent, written back as it is).
  void add_async(char phase, uint32_t process, uint32_t thread, StrId cat, StrId id, Time ts,
                 uint32_t label, ByteRange args, uint64_t seq, uint64_t offset,
                 StrId scope = kNoStr, ByteRange extra = {}, bool whole = false, bool fields = false);
  // Room for `n` more async begins and ends of add_async (a reader that has counted them: one
  // allocation instead of a growing array of a million events).
  void reserve_async(size_t n);
  // An async slice exactly as stored (already paired); used by the .vzt reader.
  void add_async_slice_raw(const AsyncSlice& s);
  void add_flow(const FlowEvent& f);
  void add_object(const ObjectEvent& o);
  void add_other(const OtherEvent& o);
  void note_time(Time ts);  // extends the trace's time bounds (metadata-free events only)
  // True when `thread` has slices, begin/end events or unmatched ends collected so far.
  bool has_slices(uint32_t thread) const;

  // Metadata events.
  void set_process_name(uint32_t process, StrId name);
  void set_process_labels(uint32_t process, StrId labels);
  void set_process_sort_index(uint32_t process, int64_t index);
  void set_thread_name(uint32_t thread, StrId name);
  void set_thread_sort_index(uint32_t thread, int64_t index);

  // Pairs, sorts, lays out, indexes. Uses up to `workers` threads (0 = hardware concurrency).
  void finish(unsigned workers = 0);
  // After finish(): whether any event had a time (else the trace's bounds are 0, 0).
  bool timed() const { return timed_; }

 private:
  struct Impl;
  Trace& t_;
  std::unique_ptr<Impl> impl_;
  bool timed_ = false;
};

}  // namespace vz
