// The receiving end of a VztSliceStream (formats/vzt_writer.h): one RankedTree block of a nested
// set (VZT.md §7.2), encoded as its begin and end events arrive, in time order. A producer that
// holds its slices as events (a recorder's ring buffer) writes them this way without storing
// them as columns first: each begin's and end's delta is coded at once, its raw bits written,
// and the per-label tallies the block's tables need kept; the writer finishes the block.
//
// The producer hands over a block in one call, sink.run(outer, next): `outer` slices of earlier
// blocks enclose the block's first slice, and next(e) fills in the next event (returning false
// after the last), in time order:
//   - a begin: the block's next slice (label, flags), at depth outer + the block's open slices;
//   - an end: the innermost open slice ends; with none of the block's own open, that is one of
//     the enclosing slices (an end with nothing open at all is ignored, as the decoder ignores
//     an end whose begin the ring lost);
//   and, once the block's last slice has begun, an end for every slice of it still open,
//   innermost first, whenever they end. Events after that are not asked for.
// run() is a template so that the producer's loop and the encoder's are one loop, its state in
// registers.
//
// A producer that breaks the rules (more begins than the block has, a label or depth out of
// range, slices left open) makes the block fail; the writer then reports the stream as changed.
// Times must not decrease (a block with a negative delta fails too).
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include "formats/model.h"
#include "formats/vzt_format.h"

namespace vz {

class VztTreeSink {
 public:
  struct Event {
    bool begin;
    uint8_t flags;   // a begin's SliceFlags
    uint32_t label;  // a begin's label
    Time t;
  };

  VztTreeSink() = default;
  VztTreeSink(const VztTreeSink&) = delete;
  VztTreeSink& operator=(const VztTreeSink&) = delete;

  template <class Next>
  void run(uint32_t outer, Next&& next);

 private:
  friend class VztTreeSinkAccess;  // the writer's side (formats/vzt_slice_encode.cpp)
  struct Open {
    uint32_t ordinal, label;
  };

  // Set up by the writer for one block of cap_ slices: where its columns and tallies go.
  uint32_t cap_ = 0, labels_ = 0, depths_ = 0;
  uint8_t *lead_ = nullptr, *parent_ = nullptr, *leaf_sym_ = nullptr, *flags_ = nullptr;
  uint8_t* bits_ = nullptr;
  uint32_t *leaf_label_ = nullptr, *item_label_ = nullptr, *item_depth_ = nullptr;
  uint32_t *counts_ = nullptr, *count_ = nullptr;
  uint64_t *sym_sum_ = nullptr, *leaf_n_ = nullptr;
  uint8_t* info_ = nullptr;
  std::vector<uint32_t>* leafy_ = nullptr;
  std::vector<Open> open_;  // depths_ entries
  bool ran_ = false;
  // What run() came to.
  uint32_t items_ = 0, first_depth_ = 0, min_depth_ = 0, max_depth_ = 0, flagged_ = 0;
  uint32_t wide_steps_ = 0;  // depth steps whose varint takes two bytes or more
  bool failed_ = false;
  uint64_t negative_ = 0;  // every delta, or-ed: the sign bit says one was negative
  Time base_ = 0, t_min_ = INT64_MAX, t_max_ = INT64_MIN;
};

template <class Next>
void VztTreeSink::run(uint32_t outer, Next&& next) {
  if (ran_) {
    failed_ = true;
    return;
  }
  ran_ = true;
  // Everything in locals: a store through one of the byte pointers could otherwise alias any
  // member, and the compiler would reload them all after each byte.
  uint8_t *lead = lead_, *parent = parent_, *leaf_sym = leaf_sym_, *fp = flags_;
  uint32_t *leaf_label = leaf_label_, *item_label = item_label_, *item_depth = item_depth_;
  uint32_t *counts = counts_, *count = count_;
  uint64_t *sym_sum = sym_sum_, *leaf_n = leaf_n_;
  uint8_t* info = info_;
  Open* open = open_.data();
  const uint32_t cap = cap_, labels = labels_, depths = depths_;
  // The raw bits, LSB first (VZT.md §7.1), written without a branch on how full the
  // accumulator is: eight bytes stored each time, the pointer moved by the whole bytes (the
  // writer made room for them). At most 56 bits a call.
  uint8_t* bp = bits_;
  uint64_t acc = 0;
  unsigned used = 0;  // bits in acc, < 8 between calls
  auto put_bits = [&](uint64_t v, unsigned n) __attribute__((always_inline)) {
    acc |= v << used;
    used += n;
    std::memcpy(bp, &acc, 8);
    bp += used >> 3;
    acc >>= used & ~7u;
    used &= 7;
  };
  uint32_t items = 0, n_open = 0, first_depth = 0, min_depth = 0, max_depth = 0, prev_depth = 0;
  uint32_t prev_label = 0, flag_prev = 0, flagged = 0, wide_steps = 0;
  bool ended = false, failed = false;
  uint64_t negative = 0;
  Time base = 0, t = 0, t_min = INT64_MAX, t_max = INT64_MIN;
  // A delta's bucket symbol (vzt::bucket_encode, with selects instead of its branch: deltas
  // under 8 come and go at random) and its raw bits.
  auto code = [&](Time at) __attribute__((always_inline)) {
    const uint64_t v = uint64_t(at) - uint64_t(t);
    negative |= v;
    t = at;
    const bool big = v >= 8;
    const unsigned w = unsigned(std::bit_width(v | 8));  // 4..64
    const unsigned nb = big ? w - 3 : 0;
    const uint64_t extra = v & ((uint64_t(1) << nb) - 1);
    const uint8_t sym = big ? uint8_t(8 + (w - 4) * 4 + ((v >> nb) & 3)) : uint8_t(v);
    if (nb > 56) [[unlikely]] {
      put_bits(extra & 0xffffffffu, 32);
      put_bits(extra >> 32, nb - 32);
    } else {
      put_bits(extra, nb);
    }
    return sym;
  };
  Event e;
  while (!(items == cap && n_open == 0) && next(e)) {
    if (e.begin) {
      const uint32_t d = outer + n_open;
      if (items == cap || e.label >= labels || d >= depths) [[unlikely]] {
        failed = true;
        break;
      }
      if (items == 0) [[unlikely]] {
        base = t = e.t;
        first_depth = min_depth = max_depth = d;
      } else {
        // Nothing ended since the slice before began: it is this one's parent.
        info[prev_label] &= ended ? uint8_t(0xff) : uint8_t(~vzt::kRankChildless);
        wide_steps += ended && prev_depth - d > 63;  // zigzag(d - prev - 1) >= 128
      }
      min_depth = d < min_depth ? d : min_depth;
      max_depth = d > max_depth ? d : max_depth;
      ++counts[d];
      ++count[e.label];
      *lead++ = code(e.t);
      open[n_open++] = Open{items, e.label};
      item_label[items] = e.label;
      item_depth[items] = d;
      if (e.flags) {
        fp = vzt::put_varint(vzt::put_varint(fp, items - flag_prev), e.flags);
        flag_prev = items;
        ++flagged;
      }
      t_min = e.t < t_min ? e.t : t_min;
      prev_depth = d;
      prev_label = e.label;
      ended = false;
      ++items;
    } else if (n_open > 0) {
      const Open o = open[--n_open];
      const uint8_t sym = code(e.t);
      // The slice begun last is a leaf; either way both columns get the byte and one of them
      // keeps it (leaf or parent, as random as the call tree: no branch on it).
      const bool leaf = o.ordinal + 1 == items;
      *leaf_sym = sym, *leaf_label = o.label, *parent = sym;
      leaf_sym += leaf, leaf_label += leaf, parent += !leaf;
      sym_sum[o.label] += leaf ? sym : 0;
      leaf_n[o.label] += leaf;
      if (leaf && leaf_n[o.label] == 1) [[unlikely]]
        leafy_->push_back(o.label);
      t_max = e.t > t_max ? e.t : t_max;
      ended = true;
    } else if (outer > 0 && items < cap) {
      --outer;  // an enclosing slice of an earlier block
    }
  }
  if (used > 0) *bp++ = uint8_t(acc);  // the last byte, padded with zero bits
  lead_ = lead, parent_ = parent, leaf_sym_ = leaf_sym, flags_ = fp, bits_ = bp;
  leaf_label_ = leaf_label;
  items_ = items, first_depth_ = first_depth, min_depth_ = min_depth, max_depth_ = max_depth;
  flagged_ = flagged, wide_steps_ = wide_steps;
  failed_ = failed || n_open != 0 || items != cap;
  negative_ = negative;
  base_ = base, t_min_ = t_min, t_max_ = t_max;
}

}  // namespace vz
