// .vzt Slices sections, encoding side (spec: formats/VZT.md); the rest of the writer is in
// formats/vzt_writer.cpp, the state they share in formats/vzt_writer_internal.h.
//
// A properly nested set is written in the (Ranked)Tree layout: a preorder walk in which every
// timestamp is a delta from the previous begin/end event; anything else (overflow lanes, sets
// with a gap in depth) in the Level layout, depth by depth. Either way a set is cut into blocks
// (block_size()), each a Slices section encoded and decoded on its own core.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "formats/vzt_tree_sink.h"
#include "formats/vzt_writer.h"
#include "formats/vzt_writer_internal.h"

namespace vz {

// The writer's side of a VztTreeSink: points it at a block's columns and scratch, and reads back
// what the block came to.
class VztTreeSinkAccess {
 public:
  struct Room {
    uint32_t n, labels, depths;
    uint8_t *lead, *parent, *leaf_sym, *flags, *bits;
    uint32_t *leaf_label, *item_label, *item_depth, *counts, *count;
    uint64_t *sym_sum, *leaf_n;
    uint8_t* info;
    std::vector<uint32_t>* leafy;
  };
  static void prepare(VztTreeSink& k, const Room& r) {
    k.cap_ = r.n, k.labels_ = r.labels, k.depths_ = r.depths;
    k.lead_ = r.lead, k.parent_ = r.parent, k.leaf_sym_ = r.leaf_sym, k.flags_ = r.flags;
    k.bits_ = r.bits;
    k.leaf_label_ = r.leaf_label, k.item_label_ = r.item_label, k.item_depth_ = r.item_depth;
    k.counts_ = r.counts, k.count_ = r.count, k.sym_sum_ = r.sym_sum, k.leaf_n_ = r.leaf_n;
    k.info_ = r.info, k.leafy_ = r.leafy;
    k.open_.resize(r.depths);
  }
  struct Result {
    uint32_t items, first_depth, min_depth, max_depth, wide_steps, flagged;
    bool ok;
    Time base, t_min, t_max;
    uint8_t *lead, *parent, *leaf_sym, *flags, *bits;
  };
  static Result finish(const VztTreeSink& k) {
    Result r{};
    r.ok = k.ran_ && !k.failed_ && int64_t(k.negative_) >= 0;
    r.items = k.items_, r.first_depth = k.first_depth_, r.min_depth = k.min_depth_;
    r.max_depth = k.max_depth_, r.wide_steps = k.wide_steps_, r.flagged = k.flagged_;
    r.base = k.base_, r.t_min = k.t_min_, r.t_max = k.t_max_;
    r.lead = k.lead_, r.parent = k.parent_, r.leaf_sym = k.leaf_sym_, r.flags = k.flags_;
    r.bits = k.bits_;
    return r;
  }
};

uint32_t vzt_block_size(size_t n, uint32_t block_slices);

using namespace vzt;
using namespace vzt_write;

namespace {

// RankedTree columns (VZT.md §7.2): how many, and where the raw bits go.
constexpr size_t kRankedColumns = 12 + kLeafClasses - 1, kBitsColumn = 4, kFlagsColumn = 6;

// What a BlockEncoder collects for a tree block: kept by a worker from one block to the next, so
// that only its first block faults fresh pages in.
struct EncodeScratch {
  struct Open {
    uint32_t depth, index, ordinal;
  };
  std::vector<Open> open;
  // Time deltas in the order the reader consumes them, and their kinds: 0 lead (a begin),
  // 1 leaf end (the end of the item begun last), 2 parent end.
  // (An enum, not a byte: stores through it cannot alias the vectors' own members.)
  enum Kind : uint8_t { kLead = 0, kLeafEnd = 1, kParentEnd = 2 };
  std::vector<int64_t> delta;
  std::vector<Kind> kind;
  std::vector<uint32_t> labels;  // RankedTree: label per item (coded at finish())
  std::vector<uint32_t> depths;  // RankedTree: depth per item
  // put_ranked's tables, per label id. They only grow, and a block leaves them as it found them
  // (put_ranked empties the entries of the labels it ranked): a block's cost follows its own
  // labels, not the highest label id of the trace (a trace of 20 000 threads with a million names
  // has 20 000 blocks). `tables_clean` is false while a block has them, and stays false when it
  // gave up half way; the next block then empties them whole.
  std::vector<uint32_t> count, rank;
  std::vector<uint64_t> sym_sum, leaf_n;
  std::vector<uint8_t> info;
  std::vector<uint32_t> ranked;  // the labels of the block being encoded, most used first
  bool tables_clean = true;
  // Tables for label ids below `size`, empty, for a block to take.
  void take_tables(size_t size, uint8_t info_empty) {
    if (!tables_clean) {
      size = std::max(size, count.size());
      count.assign(size, 0), rank.assign(size, 0), sym_sum.assign(size, 0), leaf_n.assign(size, 0);
      info.assign(size, info_empty);
    } else if (count.size() < size) {
      count.resize(size, 0), rank.resize(size, 0), sym_sum.resize(size, 0), leaf_n.resize(size, 0);
      info.resize(size, info_empty);
    }
    tables_clean = false;
  }
  // Empties the entries of the labels in `ranked` (every label the block counted).
  void give_back_tables(uint8_t info_empty) {
    for (uint32_t l : ranked) count[l] = 0, rank[l] = 0, sym_sum[l] = 0, leaf_n[l] = 0, info[l] = info_empty;
    ranked.clear();
    tables_clean = true;
  }
  std::vector<uint8_t> syms;  // bucket symbol per delta
  // BlockEncoder::add_walk: leaf ends' symbols and labels.
  std::vector<uint8_t> leaf_sym;
  std::vector<uint32_t> leaf_label;
  void clear() {
    open.clear(), delta.clear(), kind.clear(), labels.clear(), depths.clear();
  }
};

// Builds one Slices section from slices handed over one at a time.
// Tree layout: items arrive in preorder with their depth; a begin event is emitted per item and
// an end event when a later item at the same or a shallower depth (or the block's end) closes it.
// Level layout: items arrive depth by depth in index order.
class BlockEncoder {
 public:
  // `walk`: `s` is in walk order, these are its depths (items then come as runs of it).
  BlockEncoder(const SliceSet& s, SliceLayout layout, uint32_t depths, EncodeScratch& sc,
               const uint32_t* walk = nullptr)
      : s_(s), layout_(layout), counts_(depths, 0), sc_(sc), walk_(walk) {
    sc.clear();
  }

  size_t size() const { return items_; }
  // Room for a block of n slices.
  void reserve(size_t n) {
    if (layout_ == SliceLayout::Level) return;
    sc_.delta.reserve(2 * n), sc_.kind.reserve(2 * n);
    if (layout_ == SliceLayout::RankedTree && !walk_) sc_.labels.reserve(n), sc_.depths.reserve(n);
  }
  void add(uint32_t i, uint32_t depth) {
    if (items_ == 0) first_depth_ = min_depth_ = max_depth_ = depth, base_ = s_.start[i], first_ = i;
    min_depth_ = std::min(min_depth_, depth);
    max_depth_ = std::max(max_depth_, depth);
    ++counts_[depth];
    if (layout_ != SliceLayout::Level) add_tree(i, depth);
    else add_level(i, depth);
    t_min_ = std::min(t_min_, s_.start[i]);
    t_max_ = std::max(t_max_, tadd(s_.start[i], s_.dur[i]));
    if (layout_ != SliceLayout::RankedTree) label_.v(s_.label[i]);
    else if (!walk_) sc_.labels.push_back(s_.label[i]), sc_.depths.push_back(depth);
    if (s_.flags[i]) sparse_flags_.push_back({items_, s_.flags[i]});
    if (!s_.args.empty()) attach(s_.args, i, args_, next_arg_);
    if (!s_.extras.empty()) attach(s_.extras, i, extras_, next_extra_);
    ++items_;
  }
  // RankedTree, a set in walk order without attachments: items first .. first + n - 1 of the
  // walk, added in one pass that also computes every delta's bucket symbol and writes its raw
  // bits straight into `pl`'s bits column (no delta is kept). False, with nothing added, when a
  // delta is negative (the caller then adds the items one by one).
  bool add_walk(uint32_t first, uint32_t n, Payload& pl);
  // RankedTree, a streamed set (VztSliceStream): block [first, first + n) fed by its producer
  // through a VztTreeSink, which does add_walk's work as the events arrive. False when the
  // stream failed.
  bool add_stream(const VztSliceStream& src, uint32_t first, uint32_t n, Payload& pl);
  // Serializes the block into `pl` (ranges are copied through `copy`).
  template <class Copy>
  void finish(Payload& pl, SliceSetKind set, uint32_t depth_offset, Copy&& copy);
  Time t_min() const { return t_min_; }
  Time t_max() const { return t_max_; }

 private:
  void event(int64_t delta, EncodeScratch::Kind kind) {
    sc_.delta.push_back(delta);
    sc_.kind.push_back(kind);
    signed_ |= delta < 0;
  }
  void close_to(uint32_t depth) {
    while (!sc_.open.empty() && sc_.open.back().depth >= depth) {
      Time end = tadd(s_.start[sc_.open.back().index], s_.dur[sc_.open.back().index]);
      // The first item closed right after it opened (nothing opened since) is a leaf.
      bool leaf = sc_.open.back().ordinal + 1 == items_;
      event(tsub(end, t_), leaf ? EncodeScratch::kLeafEnd : EncodeScratch::kParentEnd);
      t_ = end;
      sc_.open.pop_back();
    }
  }
  void add_tree(uint32_t i, uint32_t depth) {
    if (items_ == 0) t_ = base_, prev_depth_ = int64_t(depth) - 1;
    close_to(depth);
    int64_t step = int64_t(depth) - int64_t(prev_depth_) - 1;
    if (layout_ != SliceLayout::RankedTree) up_.z(step);
    prev_depth_ = depth;
    event(tsub(s_.start[i], t_), EncodeScratch::kLead);
    t_ = s_.start[i];
    sc_.open.push_back({depth, i, items_});
  }
  void add_level(uint32_t i, uint32_t depth) {
    if (items_ == 0 || depth != prev_depth_) t_ = base_;
    prev_depth_ = depth;
    gap_.z(tsub(s_.start[i], t_));
    dur_.z(s_.dur[i]);
    t_ = tadd(s_.start[i], s_.dur[i]);
  }
  // Sparse attachments are sorted by slice index, but a preorder walk jumps between depths:
  // continue from the last position when it fits, else binary search.
  void attach(const std::vector<SliceAttachment>& v, uint32_t i,
              std::vector<std::pair<uint32_t, ByteRange>>& out, size_t& hint) {
    if (v.empty()) return;
    bool at = (hint == v.size() || v[hint].index >= i) && (hint == 0 || v[hint - 1].index < i);
    if (!at) {
      hint = size_t(std::lower_bound(v.begin(), v.end(), i,
                                     [](const SliceAttachment& a, uint32_t x) {
                                       return a.index < x;
                                     }) -
                    v.begin());
    }
    while (hint < v.size() && v[hint].index == i) out.push_back({items_, v[hint++].range});
  }
  void put_times(Payload& pl, bool sign);
  void reset_tables(const uint32_t* labels, size_t n);
  void tally(const uint32_t* labels, const uint32_t* depth, bool sign, uint64_t& nbits);
  void put_ranked(Payload& pl, bool sign);

  const SliceSet& s_;
  SliceLayout layout_;
  std::vector<uint32_t> counts_;
  uint32_t items_ = 0, first_depth_ = 0, min_depth_ = 0, max_depth_ = 0, first_ = 0;
  int64_t prev_depth_ = 0;
  Time base_ = 0, t_ = 0;
  Time t_min_ = INT64_MAX, t_max_ = INT64_MIN;
  EncodeScratch& sc_;
  // A set in walk order (SetPlan::walk): its items are slices first_, first_ + 1, ... whose
  // labels and depths put_ranked reads where they are, instead of from sc_.labels / sc_.depths.
  const uint32_t* walk_ = nullptr;
  bool signed_ = false;  // some delta is negative
  bool fused_ = false;   // add_walk: symbols, tallies and raw bits are done
  uint64_t leaves_ = 0;  // add_walk: leaf ends
  bool narrow_steps_ = false;  // add_walk: every depth step's varint is one byte
  std::vector<uint32_t> leafy_;  // add_walk: labels with leaf ends
  Bytes up_, gap_, dur_, label_;
  std::vector<std::pair<uint32_t, uint8_t>> sparse_flags_;
  std::vector<std::pair<uint32_t, ByteRange>> args_, extras_;
  size_t next_arg_ = 0, next_extra_ = 0;
};

// Tree layout times: a bucket symbol per delta in one of three columns (lead, leaf end, parent
// end: three distributions, three entropy tables) and all raw bits in one bit stream.
void BlockEncoder::put_times(Payload& pl, bool sign) {
  BitWriter<Bytes> bits(pl[4]);
  for (size_t k = 0; k < sc_.delta.size(); ++k) {
    unsigned n;
    uint64_t extra;
    uint8_t sym = bucket_encode(sign ? zigzag(sc_.delta[k]) : uint64_t(sc_.delta[k]), &n, &extra);
    pl[1 + sc_.kind[k]].byte(sym);
    bits.put(extra, n);
  }
  bits.flush();
}

// put_ranked's per-label tables, emptied, for the labels of the block's n items.
void BlockEncoder::reset_tables(const uint32_t* labels, size_t n) {
  uint32_t top = 0;
  for (size_t k = 0; k < n; ++k) top = std::max(top, labels[k]);
  sc_.take_tables(size_t(top) + 1, kRankChildless);
  leafy_.clear(), leaves_ = 0;
}

// What put_ranked needs of the items and deltas added one by one: label counts, which labels
// are childless, every delta's bucket symbol, the raw bits they take (`nbits`), leaf ends'
// symbols per label.
void BlockEncoder::tally(const uint32_t* labels, const uint32_t* depth, bool sign, uint64_t& nbits) {
  const size_t items = items_, events = sc_.delta.size();
  reset_tables(labels, items);
  std::vector<uint32_t>&count = sc_.count;
  std::vector<uint64_t>&sym_sum = sc_.sym_sum, &leaf_n = sc_.leaf_n;
  std::vector<uint8_t>& info = sc_.info;
  // Tallies per label go through a local run first: blocks repeat labels (a recursion, a loop),
  // and incrementing one counter over and over is a chain of dependent stores.
  for (size_t k = 0; k < items;) {
    size_t j = k + 1;
    while (j < items && labels[j] == labels[k]) ++j;
    count[labels[k]] += uint32_t(j - k);
    k = j;
  }
  for (size_t k = 1; k < items; ++k)
    if (depth[k] == depth[k - 1] + 1 && (info[labels[k - 1]] & kRankChildless))
      info[labels[k - 1]] &= uint8_t(~kRankChildless);
  std::vector<uint8_t>& syms = sc_.syms;
  syms.resize(events);
  uint32_t run_label = UINT32_MAX;
  uint64_t run_n = 0, run_sum = 0;
  auto flush_run = [&] {
    if (run_n == 0) return;
    if (leaf_n[run_label] == 0) leafy_.push_back(run_label);
    leaf_n[run_label] += run_n;
    sym_sum[run_label] += run_sum;
    leaves_ += run_n;
    run_n = run_sum = 0;
  };
  const int64_t* delta = sc_.delta.data();
  const EncodeScratch::Kind* kind = sc_.kind.data();
  for (size_t k = 0, item = 0; k < events; ++k) {
    unsigned n;
    uint64_t extra;
    uint8_t sym = bucket_encode(sign ? zigzag(delta[k]) : uint64_t(delta[k]), &n, &extra);
    syms[k] = sym;
    nbits += n;
    item += kind[k] == 0;
    if (kind[k] != 1) continue;
    uint32_t l = labels[item - 1];  // a leaf end ends the item begun last
    if (l != run_label) flush_run(), run_label = l;
    ++run_n;
    run_sum += sym;
  }
  flush_run();
}

// BitWriter's output through a pointer the caller has made room behind (no size checks: the
// encoder's hot loops).
struct RawOut {
  uint8_t* p;
  void raw(const void* d, size_t n) {
    std::memcpy(p, d, n);
    p += n;
  }
};

bool BlockEncoder::add_walk(uint32_t first, uint32_t n, Payload& pl) {
  if (n == 0 || layout_ != SliceLayout::RankedTree || !walk_ || items_ != 0 || !s_.args.empty() ||
      !s_.extras.empty())
    return false;
  const Time* start = s_.start.data() + first;
  const Time* dur = s_.dur.data() + first;
  const uint32_t* labels = s_.label.data() + first;
  const uint8_t* flags = s_.flags.data() + first;
  const uint32_t* depth = walk_ + first;
  reset_tables(labels, n);
  uint32_t* count = sc_.count.data();
  uint64_t *sym_sum = sc_.sym_sum.data(), *leaf_n = sc_.leaf_n.data();
  uint8_t* info = sc_.info.data();
  // Two events per item, its begin and its end, each a symbol and at most 61 raw bits. Begin and
  // parent end symbols go straight to their columns; leaf ends wait for their classes, with
  // their labels, in the scratch.
  pl.cols.resize(kRankedColumns);
  uint8_t* lead = pl[1].append(n);
  uint8_t* const parent0 = pl[3].append(n);
  uint8_t* parent = parent0;
  sc_.leaf_sym.resize(n), sc_.leaf_label.resize(n);
  uint8_t* leaf_sym = sc_.leaf_sym.data();
  uint32_t* leaf_label = sc_.leaf_label.data();
  Bytes& bits_col = pl[kBitsColumn];
  RawOut bits_out{bits_col.append(16 * size_t(n) + 8)};
  BitWriter<RawOut> bits(bits_out);
  // The sparse flags column, written as it goes (begin/end slices all have flags): its count
  // first, then (step, flags) varints, at most 5 + 2 bytes an entry.
  uint32_t flagged = 0;
  for (uint32_t k = 0; k < n; ++k) flagged += flags[k] != 0;
  Bytes& flags_col = pl[kFlagsColumn];
  uint8_t* const flags0 = flags_col.append(kMaxVarint + 7 * size_t(flagged));
  uint8_t* fp = put_varint(flags0, flagged);
  uint32_t flag_prev = 0;
  uint64_t negative = 0;  // the sign bits of all deltas, or-ed
  auto code = [&](Time t) __attribute__((always_inline)) {
    const uint64_t v = uint64_t(t) - uint64_t(t_);
    negative |= v;
    t_ = t;
    unsigned nb;
    uint64_t extra;
    const uint8_t sym = bucket_encode(v, &nb, &extra);
    bits.put(extra, nb);
    return sym;
  };
  auto leaf_end = [&](uint32_t j) __attribute__((always_inline)) {
    const uint8_t sym = code(tadd(start[j], dur[j]));
    const uint32_t l = labels[j];
    if (leaf_n[l]++ == 0) leafy_.push_back(l);
    sym_sum[l] += sym;
    *leaf_sym++ = sym, *leaf_label++ = l;
  };
  std::vector<EncodeScratch::Open>& open = sc_.open;
  open.clear();
  base_ = t_ = start[0];
  first_ = first;
  first_depth_ = min_depth_ = max_depth_ = depth[0];
  Time t_min = INT64_MAX, t_max = INT64_MIN;
  uint32_t wide_steps = 0;  // steps whose varint takes more than a byte
  for (uint32_t k = 0; k < n; ++k) {
    const uint32_t d = depth[k];
    if (k > 0) {
      // The slices it closes: the one before it (a leaf) first, then its ancestors.
      if (open.back().depth >= d) {
        leaf_end(open.back().index);
        open.pop_back();
        while (!open.empty() && open.back().depth >= d) {
          const uint32_t p = open.back().index;
          *parent++ = code(tadd(start[p], dur[p]));
          open.pop_back();
        }
        wide_steps += depth[k - 1] - d > 63;  // zigzag(d - depth[k - 1] - 1) >= 128
      } else if (info[labels[k - 1]] & kRankChildless) {
        info[labels[k - 1]] &= uint8_t(~kRankChildless);  // d is one below: a child
      }
    }
    min_depth_ = std::min(min_depth_, d), max_depth_ = std::max(max_depth_, d);
    ++counts_[d];
    ++count[labels[k]];
    *lead++ = code(start[k]);
    open.push_back({d, k, k});
    t_min = std::min(t_min, start[k]);
    t_max = std::max(t_max, tadd(start[k], dur[k]));
    if (flags[k]) fp = put_varint(put_varint(fp, k - flag_prev), flags[k]), flag_prev = k;
  }
  if (!open.empty()) {
    leaf_end(open.back().index);
    open.pop_back();
    while (!open.empty()) {
      const uint32_t p = open.back().index;
      *parent++ = code(tadd(start[p], dur[p]));
      open.pop_back();
    }
  }
  if (int64_t(negative) < 0) {  // the bits and symbols are wrong for a signed block
    pl[1].clear(), pl[3].clear(), bits_col.clear(), flags_col.clear();
    std::fill(counts_.begin(), counts_.end(), 0);
    return false;
  }
  bits.flush();
  bits_col.resize(size_t(bits_out.p - bits_col.data()));
  flags_col.resize(size_t(fp - flags0));
  pl[3].resize(size_t(parent - parent0));
  leaves_ = uint64_t(leaf_label - sc_.leaf_label.data());
  narrow_steps_ = wide_steps == 0;
  t_min_ = t_min, t_max_ = t_max;
  items_ = n;
  fused_ = true;
  return true;
}

bool BlockEncoder::add_stream(const VztSliceStream& src, uint32_t first, uint32_t n, Payload& pl) {
  if (n == 0 || layout_ != SliceLayout::RankedTree || walk_ || items_ != 0) return false;
  const uint32_t labels = std::max<uint32_t>(src.labels, 1);
  sc_.take_tables(labels, kRankChildless);
  leafy_.clear(), leaves_ = 0;
  // (leaf_sym and leaf_label: one more, the sink stores a parent end's byte there too)
  sc_.labels.resize(n), sc_.depths.resize(n), sc_.leaf_sym.resize(n + 1), sc_.leaf_label.resize(n + 1);
  pl.cols.resize(kRankedColumns);
  // As add_walk: two events per slice, a symbol and at most 61 raw bits each; the flags column's
  // entries (at most 5 + 2 bytes each) go after room for its count, moved up to it at the end.
  VztTreeSinkAccess::Room room{};
  room.n = n, room.labels = labels, room.depths = uint32_t(counts_.size());
  room.lead = pl[1].append(n);
  room.parent = pl[3].append(n + 1);  // (one more: the sink stores a leaf end's byte there too)
  room.bits = pl[kBitsColumn].append(16 * size_t(n) + 8);
  room.flags = pl[kFlagsColumn].append(2 * kMaxVarint + 7 * size_t(n)) + kMaxVarint;
  room.leaf_sym = sc_.leaf_sym.data(), room.leaf_label = sc_.leaf_label.data();
  room.item_label = sc_.labels.data(), room.item_depth = sc_.depths.data();
  room.counts = counts_.data(), room.count = sc_.count.data();
  room.sym_sum = sc_.sym_sum.data(), room.leaf_n = sc_.leaf_n.data();
  room.info = sc_.info.data(), room.leafy = &leafy_;
  VztTreeSink sink;
  VztTreeSinkAccess::prepare(sink, room);
  const bool fed = src.feed(first, n, sink);
  const VztTreeSinkAccess::Result r = VztTreeSinkAccess::finish(sink);
  if (!fed || !r.ok || r.items != n) {
    std::fill(counts_.begin(), counts_.end(), 0);
    return false;
  }
  uint8_t* const lead0 = pl[1].data();
  pl[1].resize(size_t(r.lead - lead0));
  pl[3].resize(size_t(r.parent - pl[3].data()));
  pl[kBitsColumn].resize(size_t(r.bits - pl[kBitsColumn].data()));
  Bytes& flags_col = pl[kFlagsColumn];
  uint8_t* const entries = flags_col.data() + kMaxVarint;
  uint8_t* q = put_varint(flags_col.data(), r.flagged);
  std::memmove(q, entries, size_t(r.flags - entries));
  flags_col.resize(size_t(q - flags_col.data()) + size_t(r.flags - entries));
  base_ = t_ = r.base;
  first_ = first;
  first_depth_ = r.first_depth, min_depth_ = r.min_depth, max_depth_ = r.max_depth;
  leaves_ = uint64_t(r.leaf_sym - sc_.leaf_sym.data());
  narrow_steps_ = r.wide_steps == 0;
  t_min_ = r.t_min, t_max_ = r.t_max;
  items_ = n;
  fused_ = true;
  return true;
}

// RankedTree: labels become ranks in a per-block table (most used first: one byte for the 255
// most used labels), the depth step of a slice after a childless label goes to its own column,
// and leaf ends go to one of kLeafClasses columns by the leaf's label, labels grouped by their
// mean leaf symbol (a function's typical duration).
void BlockEncoder::put_ranked(Payload& pl, bool sign) {
  constexpr size_t kUp = 0, kLab = 5, kLabHi = 9, kUpLeaf = 10, kTable = 11, kLeaf1 = 12;
  const size_t items = items_, events = sc_.delta.size();  // (events: unless fused_)
  const uint32_t* labels = walk_ ? s_.label.data() + first_ : sc_.labels.data();
  const uint32_t* depth = walk_ ? walk_ + first_ : sc_.depths.data();
  // The depth step of item k (0 for the first: its previous depth is first_depth_ - 1).
  auto step = [&](size_t k) { return k ? int64_t(depth[k]) - int64_t(depth[k - 1]) - 1 : 0; };
  std::vector<uint32_t>&count = sc_.count, &rank = sc_.rank;
  std::vector<uint64_t>&sym_sum = sc_.sym_sum, &leaf_n = sc_.leaf_n;
  std::vector<uint8_t>& info = sc_.info;
  std::vector<uint8_t>& syms = sc_.syms;
  uint64_t nbits = 0;
  std::vector<uint32_t>& leafy = leafy_;  // labels with leaf ends
  uint64_t& leaves = leaves_;
  if (!fused_) tally(labels, depth, sign, nbits);
  // Leaf classes: labels by mean leaf symbol, cut into kLeafClasses groups of equal weight.
  std::sort(leafy.begin(), leafy.end(), [&](uint32_t a, uint32_t b) {
    unsigned __int128 x = (unsigned __int128)sym_sum[a] * leaf_n[b];
    unsigned __int128 y = (unsigned __int128)sym_sum[b] * leaf_n[a];
    return x != y ? x < y : a < b;
  });
  uint64_t acc = 0;
  for (uint32_t l : leafy) {
    info[l] |= uint8_t(std::min<uint64_t>(kLeafClasses - 1, acc * kLeafClasses / leaves));
    acc += leaf_n[l];
  }
  // Ranks: most used first, lower label ids first among equals. The block's labels are found
  // through its items (rank marks a label already listed: every entry is 0 until ranks are set).
  std::vector<uint32_t>& ranked = sc_.ranked;
  ranked.clear();
  for (size_t k = 0; k < items; ++k) {
    const uint32_t l = labels[k];
    if (rank[l] == 0) rank[l] = 1, ranked.push_back(l);
  }
  std::sort(ranked.begin(), ranked.end(),
            [&](uint32_t a, uint32_t b) { return count[a] != count[b] ? count[a] > count[b] : a < b; });
  for (uint32_t r = 0; r < ranked.size(); ++r) rank[ranked[r]] = r;
  pl.cols.resize(kRankedColumns);
  Bytes& table = pl[kTable];
  table.v(ranked.size());
  for (uint32_t l : ranked) table.v(l);
  for (uint32_t l : ranked) table.raw(&info[l], 1);
  // The columns' sizes are known here: the hot loops below write through local pointers (a byte
  // store through a column's own members would make the compiler reload them after each byte).
  size_t up_bytes[2] = {0, 0};  // kUp, kUpLeaf
  if (narrow_steps_) {  // a byte per item; kUpLeaf has the items after a childless label
    for (uint32_t l : ranked)
      if (info[l] & kRankChildless) up_bytes[1] += count[l];
    if (info[labels[items - 1]] & kRankChildless) --up_bytes[1];  // nothing follows the last
    up_bytes[0] = items - up_bytes[1];
  } else {
    size_t after_childless = 0, other = 0;  // two sums, not an indexed one (a store chain)
    for (size_t k = 0; k < items; ++k) {
      const size_t b = varint_size(zigzag(step(k)));
      if (k > 0 && (info[labels[k - 1]] & kRankChildless)) after_childless += b;
      else other += b;
    }
    up_bytes[0] = other, up_bytes[1] = after_childless;
  }
  uint8_t* up[2] = {pl[kUp].append(up_bytes[0]), pl[kUpLeaf].append(up_bytes[1])};
  uint8_t* lab = pl[kLab].append(items);
  for (size_t k = 0; k < items; ++k) {
    bool after_leaf = k > 0 && (info[labels[k - 1]] & kRankChildless);
    up[after_leaf] = put_varint(up[after_leaf], zigzag(step(k)));
    uint32_t r = rank[labels[k]];
    *lab++ = uint8_t(std::min<uint32_t>(r, 255));
    if (r < 255) continue;
    pl[kLabHi].byte(uint8_t(std::min<uint32_t>(r - 255, 255)));
    if (r >= 510) pl[kLabHi].v(r - 510);
  }
  // Symbol columns: 1 lead, 3 parent end, 2 and kLeaf1.. leaf ends by class.
  uint64_t per_class[kLeafClasses] = {};
  for (uint32_t l : leafy) per_class[info[l] & kRankClassMask] += leaf_n[l];
  uint8_t* col[kLeafClasses + 2];  // 0..7 leaf classes, 8 lead, 9 parent
  col[0] = pl[2].append(per_class[0]);
  for (unsigned c = 1; c < kLeafClasses; ++c) col[c] = pl[kLeaf1 + c - 1].append(per_class[c]);
  if (fused_) {  // add_walk wrote the raw bits, begin and parent end symbols
    const uint8_t* ls = sc_.leaf_sym.data();
    const uint32_t* ll = sc_.leaf_label.data();
    for (size_t j = 0; j < leaves; ++j) *col[info[ll[j]] & kRankClassMask]++ = ls[j];
    return;
  }
  col[kLeafClasses] = pl[1].append(items);
  col[kLeafClasses + 1] = pl[3].append(events - items - leaves);
  const uint8_t* sym = syms.data();
  const EncodeScratch::Kind* kind = sc_.kind.data();
  auto route = [&](size_t k, size_t& item) __attribute__((always_inline)) {
    unsigned c = kind[k] == 0 ? kLeafClasses : kLeafClasses + 1;
    item += kind[k] == 0;
    if (kind[k] == 1) c = info[labels[item - 1]] & kRankClassMask;
    *col[c]++ = sym[k];
  };
  RawOut bits_out{pl[kBitsColumn].append((nbits + 7) / 8 + 4)};
  BitWriter<RawOut> bits(bits_out);
  const int64_t* delta = sc_.delta.data();
  for (size_t k = 0, item = 0; k < events; ++k) {
    route(k, item);
    unsigned n = bucket_bits(sym[k]);
    uint64_t v = sign ? zigzag(delta[k]) : uint64_t(delta[k]);
    bits.put(n ? v & (~uint64_t(0) >> (64 - n)) : 0, n);
  }
  bits.flush();
  pl[kBitsColumn].resize(size_t(bits_out.p - pl[kBitsColumn].data()));
}

template <class Copy>
void BlockEncoder::finish(Payload& pl, SliceSetKind set, uint32_t depth_offset, Copy&& copy) {
  bool tree = layout_ != SliceLayout::Level;
  if (tree) close_to(0);
  bool sign = signed_;
  pl.head.v(uint8_t(set));
  pl.head.v(uint8_t(layout_));
  pl.head.v(sign ? kTreeSigned : 0);
  pl.head.v(first_depth_ + depth_offset);
  pl.head.v(min_depth_ + depth_offset);
  pl.head.v(max_depth_ - min_depth_ + 1);
  for (uint32_t d = min_depth_; d <= max_depth_; ++d) pl.head.v(counts_[d]), counts_[d] = 0;
  pl.head.z(base_);
  // Tree: up, lead, leaf end, parent end, bits, label, flags, args, extras.
  // Level: gap, dur, label, flags, args, extras.
  size_t c = tree ? 5 : 2;
  pl.cols.resize(layout_ == SliceLayout::RankedTree ? kRankedColumns : c + 4);
  if (layout_ == SliceLayout::RankedTree) {
    put_ranked(pl, sign);
    sc_.give_back_tables(kRankChildless);
  } else if (tree) {
    pl[0] = std::move(up_);
    put_times(pl, sign);
  } else {
    pl[0] = std::move(gap_);
    pl[1] = std::move(dur_);
  }
  if (layout_ != SliceLayout::RankedTree) pl[c] = std::move(label_);
  uint32_t prev = 0;
  if (!fused_) {  // (add_walk wrote the flags)
    pl[c + 1].v(sparse_flags_.size());
    for (auto& [k, f] : sparse_flags_) pl[c + 1].v(k - prev), pl[c + 1].v(f), prev = k;
  }
  for (auto* list : {&args_, &extras_}) {
    Bytes& col = pl[list == &args_ ? c + 2 : c + 3];
    col.v(list->size());
    prev = 0;
    uint64_t prev_end = 0;
    for (auto& [k, r] : *list) {
      col.v(k - prev);
      prev = k;
      copy(col, r, prev_end);
    }
  }
}

// Depths of a preorder walk: 0 first, then never more than one below the slice before.
bool walk_consistent(const std::vector<uint32_t>& depth) {
  if (depth.empty()) return true;
  bool ok = depth[0] == 0;
  for (size_t i = 1; i < depth.size(); ++i) ok &= depth[i] <= uint64_t(depth[i - 1]) + 1;
  return ok;
}

// Columns of equal length and a depth layout; a walk only for a nested set.
bool slice_set_consistent(const SliceSet& s, SliceSetKind kind,
                          const std::vector<uint32_t>* walk) {
  size_t n = s.start.size();
  if (s.dur.size() != n || s.label.size() != n || s.flags.size() != n) return false;
  if (walk) return kind == SliceSetKind::Nested && walk->size() == n && walk_consistent(*walk);
  if (s.depth_begin.empty() || s.depth_begin.front() != 0 || s.depth_begin.back() != n)
    return false;
  for (size_t d = 1; d < s.depth_begin.size(); ++d)
    if (s.depth_begin[d] < s.depth_begin[d - 1]) return false;
  return true;
}

// Slices per block of a set of n: a big set is cut into up to kMaxCuts blocks of equal size, one
// per kCutSlices slices it has (rounded to the nearest), so that one thread's slices encode and
// decode on several cores, and a recorder's walk overlaps the encoding of the blocks it has
// finished (recorder/save_internal.h, CompleteStream); none larger than opt.block_slices. A set of
// fewer than 1.5 × kCutSlices stays whole: a block costs its own tables and zstd frames (on the
// 100 MB bench trace, threads of 53-91 k slices, one block each instead of two is 1.5 % smaller
// and loads no slower). A function of n alone: the file does not depend on the core count.
uint32_t block_size(size_t n, uint32_t block_slices) {
  constexpr size_t kMaxCuts = 8, kCutSlices = 1 << 16;
  const size_t blocks = std::clamp<size_t>((n + kCutSlices / 2) / kCutSlices, 1, kMaxCuts);
  const size_t b = (n + blocks - 1) / blocks;
  return uint32_t(std::max<size_t>(1, std::min<size_t>(block_slices, b)));
}

}  // namespace

uint32_t vzt_block_size(size_t n, uint32_t block_slices) { return block_size(n, block_slices); }

namespace {

// Where a block of a set begins: the blocks are contiguous runs of the preorder walk (Tree) or of
// the depth-major order (Level); either way each depth's slices come out in index order.
struct SetPlan {
  const SliceSet* s = nullptr;
  SliceSetKind kind = SliceSetKind::Nested;
  uint64_t key = 0;
  uint32_t depth_offset = 0;
  bool tree = false;
  uint32_t block = 0;
  size_t blocks = 0;
  std::vector<uint32_t> kids;          // Tree: child_counts()
  std::vector<PreorderCursor> starts;  // Tree: the walk at each block's first slice (into kids)
  const std::vector<uint32_t>* walk = nullptr;  // a set in walk order: each slice's depth
  VztSliceStream* stream = nullptr;             // a streamed set (s is then an empty set)
  uint32_t depths = 0;                          // depths of the set
  std::once_flag planned;              // write_slice_sets: planned by the first block's worker
  std::atomic<size_t> left{0};         // write_slice_sets: blocks not encoded yet

  SetPlan() = default;
  SetPlan(const SetPlan&) = delete;  // starts point into kids
  SetPlan& operator=(const SetPlan&) = delete;

  static size_t blocks_of(size_t n, uint32_t block_slices) {
    uint32_t b = block_size(n, block_slices);
    return (n + b - 1) / b;
  }
  static size_t blocks_of(const VztSliceSetRef& r, uint32_t block_slices) {
    if (!r.stream) return blocks_of(r.set->size(), block_slices);
    return r.stream->slices == 0 ? 0 : (r.stream->slices + r.stream->block - 1) / r.stream->block;
  }
  void plan(VztSliceStream& src, SliceSetKind k) {
    static const SliceSet kEmpty;
    s = &kEmpty;
    kind = k;
    stream = &src;
    tree = true;
    block = src.block;
    blocks = src.slices == 0 ? 0 : (src.slices + block - 1) / block;
    left.store(blocks);
    depths = src.depths;
  }
  void plan(const SliceSet& set, SliceSetKind k, uint32_t block_slices,
            const std::vector<uint32_t>* preorder_depth = nullptr) {
    s = &set;
    kind = k;
    walk = preorder_depth;
    tree = walk || (k == SliceSetKind::Nested && set.walkable());
    block = block_size(set.size(), block_slices);
    blocks = blocks_of(set.size(), block_slices);
    left.store(blocks);
    if (walk) {  // blocks are runs of the given walk: nothing to plan but the depth count
      uint32_t top = 0;
      for (uint32_t d : *walk) top = std::max(top, d);
      depths = walk->empty() ? 0 : top + 1;
      return;
    }
    depths = set.depths();
    if (!tree) return;
    kids = set.child_counts();
    starts.reserve(blocks);
    PreorderCursor c(set, kids);
    uint32_t i, d;
    for (size_t b = 0; b < blocks; ++b) {
      starts.push_back(c);
      if (b + 1 == blocks) break;
      for (uint32_t k2 = 0; k2 < block && c.next(&i, &d); ++k2) {
      }
    }
  }
  // After the last block: the walk's memory goes (4 bytes a slice).
  void release() {
    std::vector<PreorderCursor>().swap(starts);
    std::vector<uint32_t>().swap(kids);
  }
  // Encodes block b into `pl`; returns its slice count and time range.
  template <class Copy>
  uint32_t encode(size_t b, Payload& pl, EncodeScratch& sc, Time* t0, Time* t1, Copy&& copy) const {
    uint32_t block_depths = depths;  // a deferred stream's block: once it is ready, its own bound
    if (stream && !stream->ready(b, &block_depths)) return *t0 = *t1 = 0, 0;
    BlockEncoder enc(*s, tree ? SliceLayout::RankedTree : SliceLayout::Level, block_depths, sc,
                     walk ? walk->data() : nullptr);
    size_t first = b * block, n = std::min<size_t>(block, (stream ? stream->slices : s->size()) - first);
    if (stream) {
      if (!enc.add_stream(*stream, uint32_t(first), uint32_t(n), pl)) return *t0 = *t1 = 0, 0;
    } else if (walk && enc.add_walk(uint32_t(first), uint32_t(n), pl)) {
    } else if (walk) {
      enc.reserve(n);
      const uint32_t* d = walk->data();
      for (size_t i = first; i < first + n; ++i) enc.add(uint32_t(i), d[i]);
    } else if (tree) {
      enc.reserve(n);
      PreorderCursor c = starts[b];
      uint32_t i, d;
      for (size_t k = 0; k < n && c.next(&i, &d); ++k) enc.add(i, d);
    } else {
      uint32_t d = s->depth_of(first);
      for (size_t i = first; i < first + n; ++i) {
        while (i >= s->depth_begin[d + 1]) ++d;
        enc.add(uint32_t(i), d);
      }
    }
    *t0 = enc.t_min(), *t1 = enc.t_max();
    uint32_t count = uint32_t(enc.size());
    enc.finish(pl, kind, depth_offset, copy);
    return count;
  }
};

// One finished Slices section of a set encoded off the writer's thread.
struct PackedBlock {
  Bytes section;
  uint64_t key = 0;
  uint32_t count = 0;
  Time t0 = 0, t1 = 0;
};

}  // namespace

bool VztStreamWriter::write_slices(uint32_t thread, SliceSetKind set, const SliceSet& s,
                                   std::string_view source, uint32_t depth_offset) {
  return impl_->guard([&] { return impl_->slices(thread, set, s, source, depth_offset); });
}

bool VztStreamWriter::write_slice_sets(const VztSliceSetRef* sets, size_t n, std::string_view source,
                                       unsigned workers) {
  return impl_->guard([&] { return impl_->slice_sets(sets, n, source, workers); });
}

bool VztStreamWriter::Impl::slices(uint32_t thread, SliceSetKind set, const SliceSet& s,
                                   std::string_view source, uint32_t depth_offset,
                                   const std::vector<uint32_t>* walk) {
  Impl& m = *this;
  if (!slice_set_consistent(s, set, walk)) return m.fail("inconsistent SliceSet");
  if (s.size() == 0) return !m.failed;
  SetPlan p;
  p.plan(s, set, m.opt.block_slices, walk);
  p.key = slice_key(thread, set);
  p.depth_offset = depth_offset;
  EncodeScratch sc;
  for (size_t b = 0; b < p.blocks; ++b) {
    Payload pl(0);
    Time t0, t1;
    uint32_t count = p.encode(b, pl, sc, &t0, &t1, [&](Bytes& col, ByteRange r, uint64_t& prev_end) {
      m.range(col, r, source, prev_end);
    });
    if (!m.emit(SectionKind::Slices, p.key, count, pl)) return false;
    m.index.push_back({m.last_section, uint16_t(SectionKind::Slices), p.key, t0, t1, count});
  }
  return !m.failed;
}

// Sets without attachments need nothing of the writer but its options: workers encode and pack
// them whole (each with its own zstd context), and the calling thread appends the sections in
// order. A set with attachments goes through slices() in its turn, after the sets before it.
bool VztStreamWriter::Impl::slice_sets(const VztSliceSetRef* sets, size_t n, std::string_view source,
                                       unsigned workers) {
  Impl& m = *this;
  for (size_t i = 0; i < n; ++i) {
    if (const VztSliceStream* st = sets[i].stream) {
      if (sets[i].kind != SliceSetKind::Nested ||
          (st->slices > 0 && (st->block == 0 || (st->depths == 0 && !st->deferred))) ||
          st->slices > UINT32_MAX)
        return m.fail("inconsistent slice stream");
      continue;
    }
    if (!sets[i].set || !slice_set_consistent(*sets[i].set, sets[i].kind, sets[i].preorder_depth))
      return m.fail("inconsistent SliceSet");
  }
  auto parallel_ok = [&](const VztSliceSetRef& r) {
    return r.stream || (r.set->args.empty() && r.set->extras.empty());
  };
  if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
  size_t i = 0;
  while (i < n && !m.failed) {
    if (!parallel_ok(sets[i])) {
      const VztSliceSetRef& r = sets[i++];
      if (!slices(r.thread, r.kind, *r.set, source, r.depth_offset, r.preorder_depth)) return false;
      continue;
    }
    size_t j = i;
    while (j < n && parallel_ok(sets[j])) ++j;
    // Sets [i, j): a block per job, each worker with its own zstd context. A set is planned by
    // the worker that takes its first block (the others wait for it) and its plan freed after
    // its last block, so plans of only a few sets are alive at a time. A deferred stream's
    // prepare() is a job of its own, before its blocks, which come last first (the order
    // prepare() makes them ready in): it never waits, and a worker waiting for a block waits
    // for a prepare() another worker is running.
    constexpr uint32_t kPrepare = UINT32_MAX;
    std::vector<SetPlan> plans(j - i);
    std::vector<std::pair<uint32_t, uint32_t>> jobs;  // (plan, block or kPrepare)
    std::vector<size_t> first_done(plans.size());     // where each set's blocks go in `done`
    size_t blocks = 0;
    for (uint32_t k = 0; k < plans.size(); ++k) {
      const size_t e = SetPlan::blocks_of(sets[i + k], m.opt.block_slices);
      first_done[k] = blocks;
      blocks += e;
      const VztSliceStream* st = sets[i + k].stream;
      if (st && st->deferred) {
        if (e > 0) jobs.push_back({k, kPrepare});
        for (size_t b = e; b-- > 0;) jobs.push_back({k, uint32_t(b)});
      } else {
        for (size_t b = 0; b < e; ++b) jobs.push_back({k, uint32_t(b)});
      }
    }
    std::vector<PackedBlock> done(blocks);
    std::atomic<size_t> next{0};
    std::atomic<bool> bad{false}, changed{false};  // changed: a stream's block failed
    auto work = [&] {
      ZSTD_CCtx* cctx = nullptr;
      EncodeScratch sc;
      Payload pl(0);  // its columns keep their room from one block to the next
      Bytes out;
      std::vector<size_t> parts;
      try {
        for (size_t k; !bad.load(std::memory_order_relaxed) && (k = next.fetch_add(1)) < jobs.size();) {
          SetPlan& p = plans[jobs[k].first];
          std::call_once(p.planned, [&] {
            const VztSliceSetRef& r = sets[i + jobs[k].first];
            if (r.stream) p.plan(*r.stream, r.kind);
            else p.plan(*r.set, r.kind, m.opt.block_slices, r.preorder_depth);
            p.key = slice_key(r.thread, r.kind);
            p.depth_offset = r.depth_offset;
          });
          if (jobs[k].second == kPrepare) {
            if (!p.stream->prepare()) {
              changed.store(true);
              bad.store(true);
              break;
            }
            continue;
          }
          PackedBlock& b = done[first_done[jobs[k].first] + jobs[k].second];
          pl.clear();
          b.count = p.encode(jobs[k].second, pl, sc, &b.t0, &b.t1, [](Bytes&, ByteRange, uint64_t&) {});
          if (p.left.fetch_sub(1) == 1) p.release();
          if (b.count == 0) {  // only a stream's block can come out empty: it failed
            changed.store(true);
            bad.store(true);
            break;
          }
          serialize_payload(pl, out, parts);
          pack_section(m.opt, cctx, SectionKind::Slices, p.key, b.count, out.data(), out.size(), true, parts,
                       b.section);
          b.key = p.key;
        }
      } catch (...) {
        bad.store(true);
      }
      if (cctx) ZSTD_freeCCtx(cctx);
    };
    const size_t threads = std::min<size_t>(workers, jobs.size());
    std::vector<std::thread> pool;
    try {
      pool.reserve(threads);
      for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
    } catch (...) {  // no thread for every worker: those started (and this one) share the jobs
    }
    work();
    for (std::thread& t : pool) t.join();
    if (changed.load()) return m.fail(std::string(kVztSliceStreamChanged));
    if (bad.load()) return m.fail("out of memory");
    if (!m.flush_args()) return false;
    for (PackedBlock& b : done) {
      if (!m.append(b.section)) return false;
      m.index.push_back({m.last_section, uint16_t(SectionKind::Slices), b.key, b.t0, b.t1, b.count});
      b.section = Bytes();  // free as we go
    }
    i = j;
  }
  return !m.failed;
}

}  // namespace vz
