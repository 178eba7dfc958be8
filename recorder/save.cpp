// save(): every thread's ring -> decoded events -> a vz::Trace -> the formats library's writers
// (write_vzt through VztStreamWriter for .vzt, save_trace's JSON writer for .json / .json.gz).
//
// .vzt: a thread's slices stay in its ring. A thread of one kind of slice is streamed from there
// into the writer block by block (RingStream for begin/end slices, CompleteStream for complete()
// calls); a stream refused, or a thread a late writer changed, has its preorder walk built there
// instead (walk_begin_end, walk_complete), which the writer encodes as it is. JSON, or a walk
// refused: slices from begin/end pairs come out of the decoder in postorder with their depths, so
// a thread's depth-major SliceSet is laid out here in one counting pass and handed to
// TraceBuilder::adopt_slice_set (no sort). Threads with complete() events, or with zero-length
// slices that TraceBuilder would nest differently, go through adopt_slices and the builder's own
// layout instead.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdlib>
#include <functional>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "formats/builder.h"
#include "formats/io.h"
#include "formats/json_event.h"
#include "formats/merge.h"
#include "formats/numbers.h"
#include "formats/parallel.h"
#include "formats/vzt_tree_sink.h"
#include "formats/vzt_writer.h"
#include "formats/writer.h"
#include "recorder/internal.h"
#include "recorder/save_internal.h"

namespace vz::rec::internal {

uint8_t slice_flags(uint8_t decoded) {
  if (decoded & kDecComplete) return 0;  // an X event
  return uint8_t(kSliceFromBE | ((decoded & kDecOpen) ? kSliceOpen : 0));
}

// Depths of complete() slices recorded as calls return (postorder: children first). Read
// backwards that is each parent before its children: a slice's parent is the nearest later
// slice that contains it.
std::vector<uint32_t> postorder_depths(const DecodedSlice* in, size_t n) {
  std::vector<uint32_t> depth(n);
  std::vector<size_t> open;  // the enclosing slices of the one at hand, outermost first
  for (size_t k = n; k-- > 0;) {
    const int64_t s = in[k].start, e = in[k].start + in[k].dur;
    while (!open.empty()) {
      const DecodedSlice& p = in[open.back()];
      if (p.start <= s && e <= p.start + p.dur) break;
      open.pop_back();
    }
    depth[k] = uint32_t(open.size());
    open.push_back(k);
  }
  return depth;
}

bool build_slice_set(const DecodedSlice* in, size_t n, const std::vector<uint32_t>* label_of,
                     SliceSet& out) {
  // Begin/end slices come with their depths; a thread of complete() slices only gets them from
  // their order. A thread with both goes to the builder.
  const bool complete = n > 0 && (in[0].flags & kDecComplete);
  for (size_t i = 0; i < n; ++i)
    if (bool(in[i].flags & kDecComplete) != complete) return false;
  std::vector<uint32_t> computed;
  if (complete) computed = postorder_depths(in, n);
  auto depth_of = [&](size_t i) { return complete ? computed[i] : in[i].depth; };
  uint32_t depths = 0;
  for (size_t i = 0; i < n; ++i) depths = std::max(depths, depth_of(i) + 1);
  out = SliceSet{};
  out.depth_begin.assign(size_t(depths) + 1, 0);
  for (size_t i = 0; i < n; ++i) ++out.depth_begin[depth_of(i) + 1];
  for (uint32_t d = 0; d < depths; ++d) out.depth_begin[d + 1] += out.depth_begin[d];
  // An empty depth below a non-empty one cannot happen with begin/end pairs unless the ring
  // dropped ancestors; the builder handles such sets.
  for (uint32_t d = 0; d < depths; ++d)
    if (out.depth_begin[d + 1] == out.depth_begin[d]) return false;
  out.start.resize(n);
  out.dur.resize(n);
  out.label.resize(n);
  out.flags.resize(n);
  std::vector<uint32_t> at(out.depth_begin.begin(), out.depth_begin.end() - 1);
  for (size_t i = 0; i < n; ++i) {
    uint32_t k = at[depth_of(i)]++;
    out.start[k] = in[i].start;
    out.dur[k] = in[i].dur;
    out.label[k] = label_of ? (*label_of)[in[i].name] : in[i].name;
    out.flags[k] = slice_flags(in[i].flags);
  }
  return laid_out_like_builder(out);
}

// TraceBuilder's layout, checked: per depth sorted by (start asc, end desc) without overlap,
// and every slice at depth d >= 1 inside the last slice above it that starts at or before it,
// starting before that parent's end (so zero-length slices never have children).
bool laid_out_like_builder(const SliceSet& s) {
  for (uint32_t d = 0; d < s.depths(); ++d) {
    for (uint32_t i = s.depth_begin[d] + 1; i < s.depth_begin[d + 1]; ++i) {
      if (s.start[i] < s.end(i - 1)) return false;
      if (s.start[i] == s.start[i - 1] && s.end(i) > s.end(i - 1)) return false;
    }
    if (d == 0) continue;
    uint32_t p = s.depth_begin[d - 1], pe = s.depth_begin[d];
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
      while (p + 1 < pe && s.start[p + 1] <= s.start[i]) ++p;
      if (s.start[p] > s.start[i] || s.start[i] >= s.end(p) || s.end(i) > s.end(p)) return false;
    }
  }
  return true;
}

namespace {

// Room for a walk of n slices: `out`'s columns (no depth_begin) and the depths.
void walk_columns(SliceSet& out, std::vector<uint32_t>& depth, size_t n) {
  out = SliceSet{};
  // Zero-filling them is where their pages fault in (~2 µs a page on a VM): big columns are
  // filled in two halves on two threads (a thread's walk itself runs on one).
  parallel_for(2, n >= (size_t(1) << 16) ? 2 : 1, [&](size_t half) {
    if (half == 0) out.start.resize(n, 0), out.label.resize(n, 0), out.flags.resize(n);
    else out.dur.resize(n, 0), depth.resize(n);
  });
}

bool walk_is_clean(const SliceSet& out, const std::vector<uint32_t>& depth, size_t depths,
                   std::pair<Time, Time>* bounds);

// Postorder read backwards is each slice before its descendants, which follow it at once: when
// slice p is left behind at slice k (the first one not inside it), the slices between are its
// subtree, so p's walk position is k + 1 + depth(p): the k + 1 slices before its subtree and
// its ancestors. A complete() slice's parent is the nearest later slice containing it; a
// begin/end slice has its depth. The stack makes every input a forest whose walk positions are
// a permutation of 0..n-1; whether its times nest cleanly is the check after.
// `newest(s)` yields the n slices, the last one first.
template <class Newest>
bool walk_newest_first(size_t n, bool complete, Newest&& newest,
                       const std::vector<uint32_t>* label_of, SliceSet& out,
                       std::vector<uint32_t>& depth, std::pair<Time, Time>* bounds) {
  walk_columns(out, depth, n);
  // The slice at hand's enclosing slices, outermost first: open[0, top).
  std::vector<DecodedSlice> open(64);
  size_t top = 0, depths = 0;
  bool unnamed = false;  // a name without a label (its records changed since they were counted)
  auto place = [&](size_t k1) {  // open[top - 1] left behind at slice k1 - 1
    const DecodedSlice& p = open[--top];
    const size_t pos = k1 + top;
    out.start[pos] = p.start;
    out.dur[pos] = p.dur;
    out.label[pos] = label_of ? (*label_of)[p.name] : p.name;
    unnamed |= out.label[pos] == kNone;
    out.flags[pos] = slice_flags(p.flags);
    depth[pos] = uint32_t(top);
  };
  DecodedSlice x;
  for (size_t k = n; k-- > 0;) {
    if (!newest(x) || bool(x.flags & kDecComplete) != complete) return false;
    if (complete) {
      const int64_t s = x.start, e = saturating_end(x.start, x.dur);
      while (top > 0 && !(open[top - 1].start <= s &&
                          e <= saturating_end(open[top - 1].start, open[top - 1].dur)))
        place(k + 1);
    } else {
      while (top > x.depth) place(k + 1);
      if (top != x.depth) return false;  // a gap: the ring lost its ancestors
    }
    if (top == open.size()) open.resize(2 * top);
    open[top++] = x;
    depths = std::max(depths, top);
  }
  while (top > 0) place(0);
  return !unnamed && walk_is_clean(out, depth, depths, bounds);
}

// The check of a walk, in walk order: per depth, each slice starts at or after the end of the
// one before it; each slice lies inside its parent (the last slice one level up) and starts
// before its end; no slice has length 0.
bool walk_is_clean(const SliceSet& out, const std::vector<uint32_t>& depth, size_t depths,
                   std::pair<Time, Time>* bounds) {
  const size_t n = depth.size();
  std::vector<int64_t> last_end(depths, INT64_MIN);
  std::vector<size_t> last(depths, 0);
  Time lo = INT64_MAX;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t d = depth[i];
    const int64_t s = out.start[i], e = saturating_end(s, out.dur[i]);
    if (out.dur[i] <= 0 || (i == 0 ? d != 0 : d > depth[i - 1] + 1) || s < last_end[d]) return false;
    if (d > 0) {
      const size_t p = last[d - 1];
      const int64_t pe = saturating_end(out.start[p], out.dur[p]);
      if (s < out.start[p] || s >= pe || e > pe) return false;
    } else {
      lo = std::min(lo, s);
    }
    last_end[d] = e;
    last[d] = i;
  }
  if (bounds) *bounds = {lo, n ? last_end[0] : INT64_MIN};
  return true;
}

}  // namespace

bool build_preorder(const DecodedSlice* in, size_t n, const std::vector<uint32_t>* label_of,
                    SliceSet& out, std::vector<uint32_t>& depth, std::pair<Time, Time>* bounds) {
  const bool complete = n > 0 && (in[0].flags & kDecComplete);
  size_t k = n;
  return walk_newest_first(
      n, complete, [&](DecodedSlice& s) { return k > 0 ? (s = in[--k], true) : false; }, label_of,
      out, depth, bounds);
}

bool walk_complete(const Decoder& dec, const RingSnapshot& snap, size_t n,
                   const std::vector<uint32_t>& label_of, SliceSet& out,
                   std::vector<uint32_t>& depth, std::pair<Time, Time>* bounds) {
  Decoder::Newest newest(dec, snap, label_of.size());
  return walk_newest_first(
      n, true, [&](DecodedSlice& s) { return newest.next(s); }, &label_of, out, depth, bounds);
}

bool walk_begin_end(const Decoder& dec, const RingSnapshot& snap, size_t n, int64_t end_ns,
                    const std::vector<uint32_t>& label_of, SliceSet& out,
                    std::vector<uint32_t>& depth, std::pair<Time, Time>* bounds) {
  if (dec.min_duration() > 0) return false;  // slices dropped after their place was taken
  walk_columns(out, depth, n);
  std::vector<uint32_t> open;  // walk positions of the open begins, outermost first
  size_t pos = 0, depths = 0;
  const size_t names = label_of.size();
  for (auto [run, m] : {std::pair{snap.a, snap.na}, std::pair{snap.b, snap.nb}}) {
    for (size_t i = 0; i < m; ++i) {
      const Record& rec = run[i];
      const uint8_t kind = uint8_t(rec.meta);
      if (kind == detail::kBegin) {
        if (pos == n) return false;  // more begins than feed() counted
        out.start[pos] = dec.to_origin_ns(rec.ts);
        out.label[pos] = label_of[rec.name < names ? rec.name : 0];
        if (out.label[pos] == kNone) return false;  // its records changed since they were counted
        out.flags[pos] = kSliceFromBE;
        depth[pos] = uint32_t(open.size());
        open.push_back(uint32_t(pos++));
        depths = std::max(depths, open.size());
      } else if (kind == detail::kEnd && !open.empty()) {  // else an orphan end (as feed())
        const uint32_t p = open.back();
        open.pop_back();
        out.dur[p] = std::max<int64_t>(dec.to_origin_ns(rec.ts) - out.start[p], 0);
      }
    }
  }
  for (uint32_t p : open) {
    out.dur[p] = std::max<int64_t>(end_ns - out.start[p], 0);
    out.flags[p] |= kSliceOpen;
  }
  return pos == n && walk_is_clean(out, depth, depths, bounds);
}

uint32_t RingStream::block_for(size_t records, uint32_t block_slices) {
  return vzt_block_size(std::max<size_t>(records / 2, 1), block_slices);
}

bool RingStream::init(const Decoder& dec, const RingSnapshot& snap, BlockPlan&& plan, size_t n,
                      const std::vector<uint32_t>& label_of, uint32_t nlabels,
                      std::pair<Time, Time>* bounds) {
  if (dec.min_duration() > 0 || n == 0 || n > UINT32_MAX || !plan.ok || plan.begun != n) return false;
  const size_t blocks = (n + plan.block - 1) / plan.block;
  if (plan.starts.size() != blocks || plan.sums.size() != blocks) return false;
  dec_ = &dec, snap_ = snap, label_of_ = &label_of;
  slices = n, labels = nlabels, block = plan.block;
  tails_.assign(blocks, {});
  for (auto [ordinal, t] : plan.tails) tails_[ordinal / block].push_back(t);
  std::reverse(plan.open_at_end.begin(), plan.open_at_end.end());
  depths = plan.depths;
  plan_ = std::move(plan);
  if (bounds) *bounds = {plan_.lo, plan_.hi};
  return true;
}

bool RingStream::feed(size_t first, size_t n, VztTreeSink& sink) const {
  const size_t b = first / block;
  const std::vector<BlockPlan::Start>& starts = plan_.starts;
  if (b >= starts.size() || first % block != 0) return false;
  // Records [from, to) of the two runs: from the block's first begin to the next block's.
  size_t k = starts[b].pos;
  const size_t to = b + 1 < starts.size() ? starts[b + 1].pos : snap_.na + snap_.nb;
  const std::vector<uint32_t>& label_of = *label_of_;
  const std::vector<uint32_t>& open_at_end = plan_.open_at_end;
  const std::vector<Time>& tails = tails_[b];
  const size_t names = label_of.size();
  auto open_flag = std::lower_bound(open_at_end.begin(), open_at_end.end(), uint32_t(first));
  uint32_t ordinal = uint32_t(first), open_at = open_flag == open_at_end.end() ? UINT32_MAX : *open_flag;
  size_t tail = 0;
  const Record* run = k < snap_.na ? snap_.a : snap_.b;
  size_t run_end = k < snap_.na ? std::min(to, snap_.na) : to;  // (indexes over both runs)
  size_t off = k < snap_.na ? 0 : snap_.na;
  uint64_t sum = 0;  // record_hash() of the begin and end records read: the plan's, unless a late
                     // writer replaced some
  sink.run(starts[b].outer, [&](VztTreeSink::Event& e) __attribute__((always_inline)) {
    for (;;) {
      if (k == run_end) [[unlikely]] {
        if (k < to) {  // into the second run
          run = snap_.b, off = snap_.na, run_end = to;
          continue;
        }
        if (tail == tails.size()) return false;
        e.begin = false, e.t = tails[tail++];
        return true;
      }
      const Record& rec = run[k++ - off];
      const uint8_t kind = uint8_t(rec.meta);
      if (kind == detail::kBegin) {
        sum += record_hash(rec);
        e.begin = true;
        e.t = dec_->to_origin_ns(rec.ts);
        e.label = label_of[rec.name < names ? rec.name : 0];
        e.flags = kSliceFromBE;
        if (ordinal == open_at) [[unlikely]] {
          e.flags |= kSliceOpen;
          ++open_flag;
          open_at = open_flag == open_at_end.end() ? UINT32_MAX : *open_flag;
        }
        ++ordinal;
        return true;
      }
      if (kind == detail::kEnd) {
        sum += record_hash(rec);
        e.begin = false;
        e.t = dec_->to_origin_ns(rec.ts);
        return true;
      }
    }
  });
  // The block's records the sink did not ask for (ends of slices of earlier blocks, after its own
  // have ended) are in the plan's sum too.
  for (; k < to; ++k) {
    const uint8_t kind = uint8_t(snap_.at(k).meta);
    if (kind == detail::kBegin || kind == detail::kEnd) sum += record_hash(snap_.at(k));
  }
  return ordinal == first + n && sum == plan_.sums[b];
}

namespace {

// The complete() call whose record (a long one's head) is j of `snap`: its head and its duration
// in ticks (a long one's payload). False when j is not such a record (any more: a late writer
// wrapped the ring over it).
inline bool complete_record(const RingSnapshot& snap, size_t j, const Record** head, uint64_t* ticks) {
  if (j >= snap.size()) return false;
  const Record& rec = snap.at(j);
  const uint8_t kind = uint8_t(rec.meta);
  if (kind == detail::kCompleteShort) *ticks = rec.meta >> 8;
  else if (kind == detail::kComplete && j + 1 < snap.size() && uint8_t(snap.at(j + 1).meta) == detail::kPayload)
    *ticks = snap.at(j + 1).ts;
  else return false;
  *head = &rec;
  return true;
}

// Complete() call j of `snap` as Decoder::Newest makes it: [start, end), its NameId, and its
// record_hash() in *hash. False when j is not such a call.
inline bool complete_at(const Decoder& dec, const RingSnapshot& snap, size_t j, Time& start, Time& end,
                        uint32_t& name, uint64_t* hash) {
  const Record* rec;
  uint64_t ticks;
  if (!complete_record(snap, j, &rec, &ticks)) return false;
  start = dec.to_origin_ns(rec->ts);
  const int64_t e = dec.to_origin_ns(rec->ts + ticks);
  end = saturating_end(start, std::max<int64_t>(e - start, 0));
  name = rec->name;
  *hash = record_hash(*rec, ticks);
  return true;
}

}  // namespace

bool CompleteStream::set_up(const Decoder& dec, const RingSnapshot& snap, size_t n,
                            uint32_t block_slices, const std::vector<uint32_t>& label_of,
                            uint32_t nlabels) {
  if (dec.min_duration() > 0 || n == 0 || snap.size() > UINT32_MAX || walked_) return false;
  block = vzt_block_size(n, block_slices);
  const size_t blocks = (n + block - 1) / block;
  outer_.assign(blocks, {});
  sums_.assign(blocks, 0);
  block_depths_.assign(blocks, 0);
  ready_from_.store(uint32_t(blocks), std::memory_order_relaxed);  // none yet
  dec_ = &dec, snap_ = snap, label_of_ = &label_of;
  slices = n, labels = nlabels;
  return true;
}

bool CompleteStream::setup(const Decoder& dec, const RingSnapshot& snap, size_t n,
                           uint32_t block_slices, const std::vector<uint32_t>& label_of,
                           uint32_t nlabels, std::pair<Time, Time> bounds) {
  if (!set_up(dec, snap, n, block_slices, label_of, nlabels)) return false;
  expect_ = bounds, check_bounds_ = true;
  deferred = true;
  return true;
}

bool CompleteStream::init(const Decoder& dec, const RingSnapshot& snap, size_t n,
                          uint32_t block_slices, const std::vector<uint32_t>& label_of,
                          uint32_t nlabels, std::pair<Time, Time>* bounds) {
  return set_up(dec, snap, n, block_slices, label_of, nlabels) && walk(bounds);
}

bool CompleteStream::prepare() { return walk(nullptr); }

bool CompleteStream::ready(size_t b, uint32_t* block_depths) const {
  if (b >= block_depths_.size()) return false;
  for (uint32_t v = ready_from_.load(std::memory_order_acquire);; v = ready_from_.load(std::memory_order_acquire)) {
    if (v == kFailed) return false;
    if (b >= v) break;
    ready_from_.wait(v, std::memory_order_acquire);
  }
  *block_depths = block_depths_[b];
  return true;
}

// walk_newest_first's pass, keeping record indexes. A slice is placed once the walk has left it
// behind, and places come in decreasing walk order, so walk_is_clean's checks are made here
// backwards: each slice ends by the start of the one after it at its depth, lies inside its
// parent (the slice below it on the stack) and starts before the parent's end, and lasts. A block
// is handed over (ready_from_) as soon as its first slice is placed: the ends of the slices still
// open then are the ones enclosing it.
bool CompleteStream::walk(std::pair<Time, Time>* bounds) {
  if (walked_ || !dec_) return false;
  walked_ = true;
  try {
    return place_all(bounds);
  } catch (...) {  // bad_alloc: the blocks still waited for must hear of it
    return fail();
  }
}

bool CompleteStream::fail() {
  ready_from_.store(kFailed, std::memory_order_release);
  ready_from_.notify_all();
  return false;
}

bool CompleteStream::place_all(std::pair<Time, Time>* bounds) {
  const Decoder& dec = *dec_;
  const RingSnapshot& snap = snap_;
  const std::vector<uint32_t>& label_of = *label_of_;
  const size_t n = slices;
  record_.reset(new uint32_t[n]);
  struct Open {
    Time start, end;
    uint64_t hash;  // complete_at()'s
    uint32_t record;
  };
  std::vector<Open> open;
  open.reserve(64);
  std::vector<Time> next_start;  // per depth: the start of the slice placed last there
  Time lo = INT64_MAX, hi = INT64_MIN;
  bool clean = true, root_seen = false;
  size_t next_pos = n;                                  // the position placed last (none: n)
  size_t block_of = outer_.size() - 1;                  // the block being placed into
  size_t block_at = block_of * size_t(block);           // its first position
  size_t deepest = 0;
  auto place = [&](size_t k1) {
    const Open p = open.back();
    open.pop_back();
    const size_t top = open.size(), pos = k1 + top;
    if (pos >= next_pos) return void(clean = false);  // (cannot happen: places only go down)
    next_pos = pos;
    record_[pos] = p.record;
    sums_[block_of] += p.hash;
    if (top >= next_start.size()) next_start.resize(top + 1, INT64_MAX);
    clean &= p.end > p.start && p.end <= next_start[top];
    next_start[top] = p.start;
    if (top > 0) {
      const Open& q = open.back();
      clean &= q.start <= p.start && p.start < q.end && p.end <= q.end;
    } else {
      lo = std::min(lo, p.start);
      if (!root_seen) hi = p.end, root_seen = true;  // the last root in walk order
    }
    if (pos == block_at && clean) {  // block_of is whole: hand it over
      std::vector<Time>& o = outer_[block_of];
      for (size_t i = 0; i < top; ++i) o.push_back(open[i].end);
      block_depths_[block_of] = uint32_t(std::min<size_t>(deepest, UINT32_MAX));
      ready_from_.store(uint32_t(block_of), std::memory_order_release);
      ready_from_.notify_all();
      if (block_of > 0) --block_of, block_at -= block;
    }
  };
  Decoder::Newest newest(dec, snap, label_of.size());
  DecodedSlice x;
  for (size_t k = n; k-- > 0;) {
    if (!newest.next(x) || label_of[x.name] == kNone) return fail();
    const Time s = x.start, e = saturating_end(x.start, x.dur);
    while (!open.empty() && !(open.back().start <= s && e <= open.back().end)) place(k + 1);
    if (!clean) return fail();
    open.push_back({s, e, newest.hash(), uint32_t(newest.index())});
    deepest = std::max(deepest, open.size());
  }
  while (!open.empty()) place(0);
  if (!clean || deepest > UINT32_MAX || next_pos != 0 ||
      (check_bounds_ && (lo != expect_.first || hi != expect_.second)))
    return fail();
  depths = uint32_t(deepest);
  if (bounds) *bounds = {lo, hi};
  return true;
}

bool CompleteStream::feed(size_t first, size_t n, VztTreeSink& sink) const {
  const size_t b = first / block;
  if (first % block != 0 || b >= outer_.size() || first + n > slices || !record_) return false;
  // The ends of the open slices, innermost last: the block's enclosing ones, then its own.
  std::vector<Time> ends(outer_[b]);
  ends.reserve(ends.size() + block_depths_[b] + 1);
  const std::vector<uint32_t>& label_of = *label_of_;
  const size_t names = label_of.size(), last = first + n;
  constexpr size_t kAhead = 16;
  size_t k = first;
  bool ok = true, pending = false;  // pending: slice k - 1 read, its begin not handed over yet
  Time s = 0, e = 0;
  uint32_t label = 0;
  uint64_t sum = 0;  // of the records' hashes: init()'s, unless a late writer replaced some
  sink.run(uint32_t(outer_[b].size()), [&](VztTreeSink::Event& ev) __attribute__((always_inline)) {
    if (!pending) {
      if (k == last) {  // the block's slices still open end, innermost first
        if (ends.empty()) return false;
        ev.begin = false, ev.t = ends.back();
        ends.pop_back();
        return true;
      }
      // The records are read in walk order, out of the order they were written in: fetched
      // ahead, their cache misses overlap.
      if (k + kAhead < last) __builtin_prefetch(&snap_.at(record_[k + kAhead]));
      uint32_t name;
      uint64_t hash;
      if (!complete_at(*dec_, snap_, record_[k++], s, e, name, &hash)) return ok = false;
      sum += hash;
      label = label_of[name < names ? name : 0];
      if (label == kNone) return ok = false;
      pending = true;
    }
    if (!ends.empty() && ends.back() <= s) {  // a slice that ended before this one begins
      ev.begin = false, ev.t = ends.back();
      ends.pop_back();
      return true;
    }
    pending = false;
    ev.begin = true, ev.t = s, ev.label = label, ev.flags = 0;
    ends.push_back(e);
    return true;
  });
  return ok && k == last && !pending && sum == sums_[b];
}

namespace {

struct ThreadData {
  ThreadBuffer* buf = nullptr;
  RingSnapshot snap;
  Batch batch;
  std::unique_ptr<Decoder> dec;
  std::vector<uint8_t> used;  // per NameId: named a slice of this thread
  bool in_ring = false;        // its slices are left in the ring (batch.in_ring), and they are
  bool begin_end = false;      // begin/end slices (else complete() slices)
  SliceSet set;               // laid out here (in walk order when `walked`), or
  std::vector<RawSlice> raw;  // left to the builder's layout
  std::vector<uint32_t> walk;  // walked: the depth of each slice of `set`
  std::unique_ptr<VztSliceStream> stream;  // walked: streamed from the ring instead of `set`
  BlockPlan plan;                      // planned: its begin/end slices' blocks
  bool planned = false;
  std::pair<Time, Time> bounds;  // walked: first start, last end
  bool laid_out = false, walked = false;
  size_t slices = 0;          // batch.slices.size() before the layout took them
};

// Names -> the trace's strings and labels, interned on first use.
struct NameMap {
  TraceBuilder& b;
  const NamesView& names;
  std::vector<uint32_t> str, label;
  StrId cat = kNoStr;
  NameMap(TraceBuilder& builder, const NamesView& n)
      : b(builder), names(n), str(n.strings.size(), kNone), label(n.strings.size(), kNone) {}
  StrId s(uint32_t id) {
    if (id >= str.size()) return kNoStr;
    if (str[id] == kNone) str[id] = b.intern(names.strings[id]);
    return str[id];
  }
  uint32_t l(uint32_t id) {
    if (id >= label.size()) id = 0;
    if (label[id] == kNone) label[id] = b.label(s(id), cat);
    return label[id];
  }
};

std::string number_text(uint64_t v) { return std::to_string(v); }

int64_t wall_minus_monotonic_ns() {
  timespec w, m;
  clock_gettime(CLOCK_REALTIME, &w);
  clock_gettime(CLOCK_MONOTONIC, &m);
  return (int64_t(w.tv_sec) - int64_t(m.tv_sec)) * 1000000000 + (int64_t(w.tv_nsec) - int64_t(m.tv_nsec));
}

// Appends the members of the JSON object `obj` (",k":v each) to `out`, an object being written.
// The recorder's own members are skipped.
void append_members(std::string& out, const std::string& obj) {
  json::append_members_except(out, obj, {"overflow", "lost_records", "lost_slices", "lost_added",
                                         "producer", "version", "baseTimeNanoseconds", "streaming"});
}

}  // namespace

std::vector<MetadataEntry> recorder_metadata(
    const std::vector<std::pair<std::string, std::string>>& user, uint64_t lost,
    uint64_t lost_slices, uint64_t lost_added, bool streamed, std::string& source,
    const std::function<StrId(const std::string&)>& intern) {
  std::string meta = "{\"producer\":\"vz_recorder\",\"version\":";
  append_json_string(meta, VZ_VERSION);
  meta += ",\"overflow\":" + std::string(lost || lost_slices || lost_added ? "true" : "false");
  meta += ",\"lost_records\":" + std::to_string(lost);
  if (lost_slices) meta += ",\"lost_slices\":" + std::to_string(lost_slices);
  if (lost_added) meta += ",\"lost_added\":" + std::to_string(lost_added);
  // Wall-clock ns minus the monotonic clock: ts * 1000 + this is epoch ns.
  meta += ",\"baseTimeNanoseconds\":" + std::to_string(wall_minus_monotonic_ns());
  if (streamed) meta += ",\"streaming\":true";
  std::vector<MetadataEntry> entries(1);
  for (const auto& [key, value] : user) {
    if (key == "viztracer_metadata") {
      append_members(meta, value);  // the caller's fields after the recorder's own
      continue;
    }
    entries.push_back(MetadataEntry{intern(key), ByteRange{source.size(), value.size()}});
    source += value;
  }
  meta += "}";
  entries[0].key = intern("viztracer_metadata");
  entries[0].value = ByteRange{source.size(), meta.size()};
  source += meta;
  return entries;
}

namespace {

// The slices a thread left in its ring, decoded after all into batch.slices. Before
// close_open() (end == nullptr) the new decoder takes the thread's place, its open begins to be
// ended with the others; after it, they end at *end here.
void decode_ring_slices(ThreadData& t, const ClockCal& clock, int64_t origin_ns, int64_t min_dur,
                        const int64_t* end) {
  if (!t.in_ring) return;
  auto d = std::make_unique<Decoder>(clock, origin_ns, min_dur);
  Batch all;
  all.slices.reserve(t.batch.in_ring);
  d->feed(t.snap.a, t.snap.na, all);
  d->feed(t.snap.b, t.snap.nb, all);
  if (end) d->close_open(*end, all);
  else t.dec = std::move(d);
  t.batch.slices = std::move(all.slices);  // the other events of `all` were decoded already
  t.batch.in_ring = 0;
  t.in_ring = false;
}

// Config::max_slices: the newest `keep` slices over all threads, by end time (the decoder emits
// a thread's slices as they end, so its oldest come first). Returns how many were dropped.
uint64_t keep_newest_slices(std::vector<ThreadData>& td, size_t keep) {
  size_t total = 0;
  for (ThreadData& t : td) total += t.batch.slices.size();
  if (total <= keep) return 0;
  std::vector<int64_t> ends;
  ends.reserve(total);
  for (ThreadData& t : td)
    for (const DecodedSlice& s : t.batch.slices) ends.push_back(s.start + s.dur);
  size_t drop = total - keep;
  std::nth_element(ends.begin(), ends.begin() + ptrdiff_t(drop - 1), ends.end());
  int64_t cut = ends[drop - 1];  // every slice ending before `cut` goes, and some ending at it
  size_t below = 0;
  for (int64_t e : ends) below += e < cut;
  size_t at_cut = drop - below;  // slices ending exactly at `cut` to drop, oldest threads first
  for (ThreadData& t : td) {
    std::vector<DecodedSlice>& v = t.batch.slices;
    size_t w = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      int64_t e = v[i].start + v[i].dur;
      if (e < cut) continue;
      if (e == cut && at_cut > 0) {
        --at_cut;
        continue;
      }
      v[w++] = v[i];
    }
    v.resize(w);
  }
  return drop;
}

}  // namespace

namespace {

StreamStats g_stream_stats;  // (under the registry mutex, as save is)

// How an attempt at save() hands threads to the .vzt writer.
enum class Streams {
  Deferred,  // streamed from their rings; complete() threads walked by the writer (CompleteStream)
  Walked,    // the same, but complete() threads walked first (a walk that refuses: not streamed)
  None,      // none streamed
};

// One attempt at save(); a stream that changed under the writer (a late writer, or a deferred
// walk that refused: calls that do not nest cleanly) sets *changed.
bool save_once(const std::string& path, std::string* message, Streams how, bool* changed) {
  const bool streams = how != Streams::None;
  Registry& r = registry();
  static const bool timing = std::getenv("VZ_REC_TIMING") != nullptr;
  auto tick = std::chrono::steady_clock::now();
  long faults = 0;  // minor page faults so far (timing)
  double cpu = 0;   // CPU seconds of the process so far, all threads (timing)
  auto cpu_seconds = [](const rusage& ru) {
    return double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
  };
  if (timing) {
    rusage ru;
    ::getrusage(RUSAGE_SELF, &ru);
    faults = ru.ru_minflt;
    cpu = cpu_seconds(ru);
  }
  auto phase = [&](const char* what) {
    if (!timing) return;
    auto now = std::chrono::steady_clock::now();
    rusage ru;
    ::getrusage(RUSAGE_SELF, &ru);
    std::fprintf(stderr, "vz_recorder: save: %-8s %.3f s (CPU %.3f s), %ld page faults\n", what,
                 std::chrono::duration<double>(now - tick).count(), cpu_seconds(ru) - cpu,
                 ru.ru_minflt - faults);
    tick = now;
    faults = ru.ru_minflt;
    cpu = cpu_seconds(ru);
  };
  if (path.empty()) return *message = "no output path", false;
  bool vzt = ends_with_ci(path, ".vzt");
  if (!vzt && !ends_with_ci(path, ".json") && !ends_with_ci(path, ".gz"))
    return *message = "unknown output format for " + path + " (use .vzt, .json or .json.gz)", false;
  NamesView names;
  names_snapshot(names);
  int64_t origin_ns = r.origin_us * 1000;

  const VztWriteOptions write_opt = [] {
    VztWriteOptions o;
    o.level = kSaveZstdLevel;
    return o;
  }();
  // Decode every thread (in parallel: each ring is independent).
  std::vector<ThreadData> td(r.threads.size());
  for (size_t i = 0; i < td.size(); ++i) {
    td[i].buf = r.threads[i].get();
    td[i].snap = snapshot(*td[i].buf);
    td[i].dec = std::make_unique<Decoder>(r.clock, origin_ns, r.config.min_duration_ns);
  }
  const size_t nnames = names.strings.size();
  parallel_for(td.size(), 0, [&](size_t i) {
    ThreadData& t = td[i];
    t.used.assign(nnames, 0);
    // .vzt: a thread with one kind of slice records (the Python tracer's complete() calls, a
    // C++ program's zones) keeps its slices in the ring, for walk_complete() / walk_begin_end()
    // to read from there: no decoded copy of them. Both kinds, or begin/end slices with a
    // min_duration (slices dropped after their place in the walk was taken): decoded after all.
    t.in_ring = vzt;
    if (t.in_ring) t.dec->leave_slices(&t.used);
    if (t.in_ring && streams && r.config.min_duration_ns == 0) {  // blocks planned as it decodes
      t.plan.block = RingStream::block_for(t.snap.na + t.snap.nb, write_opt.block_slices);
      t.dec->plan_blocks(&t.plan);
      t.planned = true;
    }
    else t.batch.slices.reserve(t.snap.na + t.snap.nb);  // a record per short complete() slice
    t.dec->feed(t.snap.a, t.snap.na, t.batch);
    t.dec->feed(t.snap.b, t.snap.nb, t.batch);
    t.begin_end = t.batch.has_begin_end;
    if (t.begin_end && (t.batch.has_complete || r.config.min_duration_ns > 0))
      decode_ring_slices(t, r.clock, origin_ns, r.config.min_duration_ns, nullptr);
  });
  int64_t end = INT64_MIN;
  uint64_t lost = 0, lost_slices = 0;
  for (ThreadData& t : td) end = std::max(end, t.batch.last_ts), lost += t.snap.lost;
  lost += r.noted_lost;  // (events a caller says were lost before: a trace added back)
  if (size_t keep = r.config.max_slices) {
    size_t total = 0;
    for (const ThreadData& t : td) total += t.batch.slices.size() + t.batch.in_ring;
    if (total > keep) {  // which slices go is decided over decoded slices
      parallel_for(td.size(), 0, [&](size_t i) {
        decode_ring_slices(td[i], r.clock, origin_ns, r.config.min_duration_ns, nullptr);
        std::fill(td[i].used.begin(), td[i].used.end(), 0);  // named again from what is kept
      });
      lost_slices = keep_newest_slices(td, keep);
    }
  }
  for (ThreadData& t : td) t.dec->close_open(end, t.batch);
  phase("decode");

  // The model.
  Trace trace;
  TraceBuilder b(trace);
  NameMap nm(b, names);
  if (!r.config.category.empty()) nm.cat = b.intern(r.config.category);
  std::string pid_text = number_text(uint64_t(r.pid));
  uint32_t process = b.process(b.intern(pid_text));
  if (!r.process_name.empty()) b.set_process_name(process, b.intern(r.process_name));
  std::string source;  // instant args and metadata: what ByteRanges point into
  uint64_t events = 0, filtered = 0;
  StrId e_phase = kNoStr;  // "E", once a ring has an end whose begin it lost
  std::vector<const ThreadData*> named_only;  // threads that named themselves, nothing more
  std::vector<std::pair<uint32_t, const ThreadData*>> made;  // trace thread -> data
  std::vector<std::pair<uint32_t, ThreadData*>> walks;         // trace thread -> its walk
  std::vector<VztSliceSetRef> walked;                          // .vzt: threads as walks
  std::vector<std::pair<StrId, double>> values;
  // Slice names per thread (in parallel), labels for them (here), then each thread's layout (in
  // parallel again): the label table is read-only while threads lay out.
  auto mark_names = [&](ThreadData& t) {
    for (DecodedSlice& s : t.batch.slices) {
      if (s.name >= nnames) s.name = 0;  // interned after the snapshot: a straggler's event
      t.used[s.name] = 1;
    }
  };
  auto label_names = [&](const std::vector<size_t>& which) {
    for (size_t i : which)
      for (size_t id = 0; id < nnames; ++id)
        if (td[i].used[id]) nm.l(uint32_t(id));
  };
  // Decoded slices: as a walk (.vzt), else depth-major here, else by the builder.
  auto lay_out = [&](ThreadData& t) {
    std::vector<DecodedSlice>& v = t.batch.slices;
    t.slices = v.size();
    // .vzt: the writer encodes each thread's preorder walk; handed over as such, it is neither
    // laid out by depth here nor walked again there.
    t.walked = vzt && build_preorder(v.data(), v.size(), &nm.label, t.set, t.walk, &t.bounds);
    if (!t.walked) {
      std::vector<uint32_t>().swap(t.walk);
      t.laid_out = build_slice_set(v.data(), v.size(), &nm.label, t.set);
      if (!t.laid_out) {
        t.set = SliceSet{};
        t.raw.resize(v.size());
        for (size_t k = 0; k < v.size(); ++k)
          t.raw[k] = RawSlice{v[k].start, v[k].dur, nm.label[v[k].name], slice_flags(v[k].flags)};
      }
    }
    std::vector<DecodedSlice>().swap(v);
  };
  std::vector<size_t> all(td.size());
  std::iota(all.begin(), all.end(), size_t(0));
  parallel_for(td.size(), 0, [&](size_t i) { mark_names(td[i]); });
  label_names(all);
  std::atomic<size_t> streamed{0};
  uint32_t nlabels = 0;  // labels so far: every slice's label is below
  for (uint32_t l : nm.label)
    if (l != kNone) nlabels = std::max(nlabels, l + 1);
  parallel_for(td.size(), 0, [&](size_t i) {
    ThreadData& t = td[i];
    if (!t.in_ring) return lay_out(t);
    if (t.begin_end && t.planned) {  // straight from the ring into the writer
      auto st = std::make_unique<RingStream>();
      if (st->init(*t.dec, t.snap, std::move(t.plan), t.batch.in_ring, nm.label, nlabels, &t.bounds)) {
        t.stream = std::move(st);
        t.walked = true;
        streamed.fetch_add(1, std::memory_order_relaxed);
        t.slices = t.batch.in_ring;
        return;
      }
    }
    if (!t.begin_end && streams) {  // complete() slices: walked by the writer, as it writes
      auto st = std::make_unique<CompleteStream>();
      const std::pair<Time, Time> bounds{t.batch.ring_complete_first, t.batch.ring_complete_last};
      const bool ok =
          how == Streams::Deferred
              ? st->setup(*t.dec, t.snap, t.batch.in_ring, write_opt.block_slices, nm.label, nlabels, bounds)
              : st->init(*t.dec, t.snap, t.batch.in_ring, write_opt.block_slices, nm.label, nlabels, &t.bounds);
      if (ok) {
        if (how == Streams::Deferred) t.bounds = bounds;
        t.stream = std::move(st);
        t.walked = true;
        streamed.fetch_add(1, std::memory_order_relaxed);
        t.slices = t.batch.in_ring;
        return;
      }
    }
    t.walked = t.begin_end ? walk_begin_end(*t.dec, t.snap, t.batch.in_ring, end, nm.label,
                                            t.set, t.walk, &t.bounds)
                           : walk_complete(*t.dec, t.snap, t.batch.in_ring, nm.label, t.set,
                                           t.walk, &t.bounds);
    if (t.walked) t.slices = t.batch.in_ring;
  });
  // Walks refused (times that do not nest cleanly, or records a late writer changed since they
  // were counted): those slices are decoded after all, named, and laid out the usual way.
  std::vector<size_t> retry;
  for (size_t i = 0; i < td.size(); ++i)
    if (td[i].in_ring && !td[i].walked) retry.push_back(i);
  if (!retry.empty()) {
    parallel_for(retry.size(), 0, [&](size_t k) {
      ThreadData& t = td[retry[k]];
      decode_ring_slices(t, r.clock, origin_ns, r.config.min_duration_ns, &end);
      std::fill(t.used.begin(), t.used.end(), 0);
      mark_names(t);
    });
    label_names(retry);
    parallel_for(retry.size(), 0, [&](size_t k) { lay_out(td[retry[k]]); });
  }
  phase("layout");
  g_stream_stats.streamed = streamed.load();
  for (ThreadData& t : td) {
    Batch& bt = t.batch;
    uint64_t n = t.slices + bt.events();  // bt.slices is empty by now
    filtered += bt.filtered;  // (a thread whose every slice was too short counts too)
    if (n == 0 && bt.orphan_ends == 0) {
      if (!t.buf->name.empty()) named_only.push_back(&t);
      continue;
    }
    uint32_t th = b.thread(b.intern(number_text(uint64_t(t.buf->pid))),
                           b.intern(std::to_string(t.buf->tid)));
    if (!t.buf->name.empty()) b.set_thread_name(th, b.intern(t.buf->name));
    made.push_back({th, &t});
    events += n;
    if (t.walked) {
      walks.push_back({th, &t});
    } else if (t.laid_out) {
      b.adopt_slice_set(th, std::move(t.set));
    } else {
      b.adopt_slices(th, std::move(t.raw), {}, {});
    }
    uint64_t base = source.size();
    source += bt.args;
    for (const DecodedInstant& in : bt.instants) {
      Instant x;
      x.ts = in.ts;
      x.label = nm.l(in.name);
      x.thread = th;
      x.scope = vz::Scope(in.scope);
      x.phase = 'i';
      if (in.args_len) x.args = ByteRange{base + in.args_off, in.args_len};
      b.add_instant(x);
    }
    for (const DecodedCounter& c : bt.counters) {
      values.clear();
      for (uint32_t k = 0; k < c.n; ++k)
        values.push_back({nm.s(bt.values[c.first + k].first), bt.values[c.first + k].second});
      b.add_counter_sample(process, nm.s(c.name), kNoStr, c.ts, th, values.data(), values.size());
    }
    for (const DecodedFlow& f : bt.flows) {
      FlowEvent x;
      x.ts = f.ts;
      x.label = nm.l(f.name);
      x.thread = th;
      x.id = b.intern(number_text(f.id));
      x.phase = f.phase;
      x.bind_enclosing = f.phase == 'f';
      b.add_flow(x);
    }
    // Ends whose begins the ring lost: E events, as the JSON reader keeps a stray E (its count
    // below is the thread's unmatched_end), so both formats carry them and reload alike.
    for (int64_t ts : bt.orphan_ts) {
      OtherEvent o;
      o.ts = ts;
      o.thread = th;
      o.phase = e_phase != kNoStr ? e_phase : (e_phase = b.intern("E"));
      o.label = b.label(kNoStr, kNoStr);
      const size_t at = source.size();
      source += "{\"ph\":\"E\",\"pid\":" + number_text(uint64_t(t.buf->pid)) +
                ",\"tid\":" + std::to_string(t.buf->tid) + ",\"ts\":";
      append_us(source, r.origin_us, ts);
      source += '}';
      o.raw = ByteRange{at, source.size() - at};
      b.add_other(o);
    }
    events += bt.orphan_ts.size();
  }
  r.last_dropped = lost_slices;
  uint64_t bad_extras = 0, unplaced_extras = 0;
  r.extras.keep_newest(r.config.max_added, true);
  const uint64_t lost_added = r.extras.dropped;
  events += add_extra_events(b, r.metadata_events, r.origin_us, source, &bad_extras, &unplaced_extras);
  events += add_extra_events(b, r.extras, r.origin_us, source, &bad_extras, &unplaced_extras);
  const std::vector<AddedThreads> added = add_traces(b, r.origin_us, source, &events);
  // A thread whose events were all given as JSON (the Python tracer's B events of calls still
  // open at stop()) has its name from its ring's buffer.
  for (const ThreadData* t : named_only) {
    const StrId pid = b.intern(number_text(uint64_t(t->buf->pid)));
    const StrId tid = b.intern(std::to_string(t->buf->tid));
    for (uint32_t i = 0; i < trace.threads.size(); ++i) {
      Thread& th = trace.threads[i];
      if (th.tid == tid && th.name == kNoStr && trace.processes[th.process].pid == pid)
        b.set_thread_name(i, b.intern(t->buf->name));
    }
  }
  // A walk must be its trace thread's only slices: where another buffer (a thread id the kernel
  // reused) or an added event put slices on that thread too, the walk goes to the builder as
  // slices, to be laid out with them.
  std::vector<uint32_t> walks_on(trace.threads.size(), 0);
  for (auto& [th, t] : walks) ++walks_on[th];
  for (auto& [th, t] : walks) {
    if (walks_on[th] == 1 && !b.has_slices(th)) {
      if (t->stream) walked.push_back({th, vzt::SliceSetKind::Nested, nullptr, 0, nullptr, t->stream.get()});
      else walked.push_back({th, vzt::SliceSetKind::Nested, &t->set, 0, &t->walk});
      if (t->slices > 0) b.note_time(t->bounds.first), b.note_time(t->bounds.second);
      continue;
    }
    std::vector<RawSlice> raw;
    if (t->stream && !(t->begin_end ? walk_begin_end(*t->dec, t->snap, t->slices, end, nm.label, t->set, t->walk, nullptr)
                                    : walk_complete(*t->dec, t->snap, t->slices, nm.label, t->set, t->walk, nullptr))) {
      decode_ring_slices(*t, r.clock, origin_ns, r.config.min_duration_ns, &end);  // (changed since)
      for (const DecodedSlice& x : t->batch.slices)
        raw.push_back(RawSlice{x.start, x.dur, nm.l(x.name < nnames ? x.name : 0), slice_flags(x.flags)});
    } else {
      const SliceSet& w = t->set;
      raw.resize(w.size());
      for (size_t k = 0; k < w.size(); ++k) raw[k] = RawSlice{w.start[k], w.dur[k], w.label[k], w.flags[k]};
    }
    b.adopt_slices(th, std::move(raw), {}, {});
  }
  // Where each zone's function is (vizviewer's source view).
  for (uint32_t id = 0; id < nm.label.size(); ++id) {
    if (nm.label[id] == kNone || id >= names.sites.size() || names.sites[id].file == kNoName) continue;
    trace.functions[nm.s(id)] = FunctionLocation{nm.s(names.sites[id].file), names.sites[id].line};
  }
  std::vector<MetadataEntry> entries =
      recorder_metadata(r.metadata, lost, lost_slices, lost_added, false, source,
                        [&](const std::string& key) { return b.intern(key); });
  b.finish(0);
  for (const MetadataEntry& e : entries) trace.metadata.push_back(e);
  trace.origin_us = r.origin_us;
  trace.display_time_unit = "ns";
  trace.events = events;
  for (auto& [th, t] : made) {
    trace.threads[th].unmatched_begin = t->batch.open_begins;
    trace.threads[th].unmatched_end = t->batch.orphan_ends;
  }
  add_trace_counts(trace, added);
  mark_bare(trace);  // again, with the unmatched counts (a thread of orphan ends only is listed)
  trace.source = std::make_shared<StringBuffer>(std::move(source));
  phase("model");

  std::string error;
  bool ok;
  if (vzt) {
    ok = write_vzt(trace, path, write_opt, walked, &error);
    *changed = !ok && error == kVztSliceStreamChanged;
  } else {
    ok = save_trace(trace, path, &error);
  }
  phase("write");
  if (!ok) {
    *message = "cannot save " + path + ": " + error;
    return false;
  }
  *message = "saved " + std::to_string(events) + " events to " + path;
  if (filtered) *message += " (" + std::to_string(filtered) + " shorter than min_duration left out)";
  if (bad_extras) *message += " (" + std::to_string(bad_extras) + " malformed added events left out)";
  if (unplaced_extras) {
    *message += " (" + std::to_string(unplaced_extras) +
                " added events the trace has no place for (no valid time, a counter without a number, "
                "metadata it cannot apply) kept as given, not shown)";
  }
  if (lost) {
    *message += "; the ring buffers overflowed: " + std::to_string(lost) +
                " older records were lost (raise tracer_entries or use streaming)";
  }
  if (lost_slices) {
    *message += "; the " + std::to_string(lost_slices) +
                " oldest slices were dropped to keep the newest Config::max_slices (raise it to keep them)";
  }
  if (lost_added) {
    *message += "; the " + std::to_string(lost_added) +
                " oldest events given as JSON were dropped (Config::max_added)";
  }
  return true;
}

}  // namespace

StreamStats last_stream_stats() { return g_stream_stats; }

// A deferred walk that refuses (calls that overlap or last no time) is found only as the file is
// written: the save is redone with complete() threads walked first, which leaves such a thread
// to the builder and streams the others; a stream that changed again (a late writer) makes the
// last attempt stream nothing.
bool save_locked(const std::string& path, std::string* message) {
  bool changed = false;
  g_stream_stats = StreamStats{};
  for (Streams how : {Streams::Deferred, Streams::Walked, Streams::None}) {
    changed = false;
    const bool ok = save_once(path, message, how, &changed);
    if (ok || !changed || how == Streams::None) return ok;
    g_stream_stats.redone = true;
  }
  return false;
}

}  // namespace vz::rec::internal
