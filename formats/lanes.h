// Lanes for intervals placed in start order.
//
// LaneAllocator: each interval goes to the lowest-numbered lane that is free at its start (a lane
// is free from its last interval's end on, so touching intervals share one). Lowest-numbered
// (rather than, say, the one free longest) makes the layout depend only on the order of
// intervals, so identical intervals keep their relative lane order when a file is written lane by
// lane and read back. The lane count is the most intervals alive at once; O(log lanes) a placement
// (a segment tree of lane end times: one descent to the leftmost free lane, one update).
//
// LaneBlockAllocator: the same for blocks h lanes tall (a nested group of async slices drawn as
// rows under its first): each goes to the lowest lane L such that L .. L + h - 1 are all free at
// its start. With h = 1 it places exactly as LaneAllocator. O(h log lanes) a placement.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>
#include <functional>
#include <limits>
#include <queue>
#include <utility>
#include <vector>

#include "formats/model.h"

namespace vz {

class LaneAllocator {
 public:
  uint32_t place(Time start, Time end) {
    uint32_t lane;
    if (lanes_ > 0 && end_[1] <= start) {  // some lane is free: the leftmost
      size_t n = 1;
      while (n < size_) n = end_[2 * n] <= start ? 2 * n : 2 * n + 1;
      lane = uint32_t(n - size_);
    } else {
      if (lanes_ == size_) grow();
      lane = lanes_++;
    }
    size_t n = size_ + lane;
    end_[n] = end;
    for (n /= 2; n >= 1; n /= 2) end_[n] = std::min(end_[2 * n], end_[2 * n + 1]);
    return lane;
  }
  uint32_t lanes() const { return lanes_; }

 private:
  // A segment tree over the lanes [0, size_) (size_ a power of two, node 1 the root, leaves from
  // size_ on): per node the earliest end among its lanes; lanes not opened yet never free up.
  static constexpr Time kNever = std::numeric_limits<Time>::max();
  void grow() {
    const size_t size = std::max<size_t>(size_ * 2, 16);
    if (size > (size_t(1) << 31)) throw std::length_error("LaneAllocator: over 2^31 lanes");
    std::vector<Time> e(2 * size, kNever);
    for (size_t l = 0; l < size_; ++l) e[size + l] = end_[size_ + l];
    for (size_t n = size - 1; n >= 1; --n) e[n] = std::min(e[2 * n], e[2 * n + 1]);
    end_.swap(e);
    size_ = size;
  }
  std::vector<Time> end_;
  size_t size_ = 0;
  uint32_t lanes_ = 0;
};

class LaneBlockAllocator {
 public:
  // The first lane of a block of `h` (>= 1) lanes busy over [start, end].
  uint32_t place(Time start, Time end, uint32_t h) {
    h = std::max<uint32_t>(h, 1);
    while (!busy_.empty() && busy_.top().end <= start) {
      const Block b = busy_.top();
      busy_.pop();
      for (uint32_t l = b.lane; l < b.lane + b.h; ++l) set(l, true);
    }
    while (size_ == 0 || best_[1] < h) grow(h);
    const uint32_t lane = find(h);
    for (uint32_t l = lane; l < lane + h; ++l) set(l, false);
    busy_.push(Block{end, lane, h});
    lanes_ = std::max(lanes_, lane + h);
    return lane;
  }
  uint32_t lanes() const { return lanes_; }

 private:
  struct Block {
    Time end;
    uint32_t lane, h;
    bool operator>(const Block& o) const { return end != o.end ? end > o.end : lane > o.lane; }
  };
  // A segment tree over the lanes [0, size_) (size_ a power of two, node 1 the root, leaves from
  // size_ on): per node the free lanes in a row from its left edge, to its right edge, and at best.
  void pull(uint32_t n, uint32_t len) {
    const uint32_t l = 2 * n, r = 2 * n + 1, half = len / 2;
    pre_[n] = pre_[l] == half ? half + pre_[r] : pre_[l];
    suf_[n] = suf_[r] == half ? half + suf_[l] : suf_[r];
    best_[n] = std::max({best_[l], best_[r], suf_[l] + pre_[r]});
  }
  void set(uint32_t lane, bool free) {
    uint32_t n = size_ + lane, len = 1;
    pre_[n] = suf_[n] = best_[n] = free ? 1 : 0;
    for (n /= 2, len = 2; n >= 1; n /= 2, len *= 2) pull(n, len);
  }
  // Doubles the lanes (new ones free) until a run of h fits.
  void grow(uint32_t h) {
    std::vector<uint8_t> was(size_);
    for (uint32_t l = 0; l < size_; ++l) was[l] = uint8_t(best_[size_ + l]);
    uint64_t size = std::max<uint64_t>(uint64_t(size_) * 2, 16);
    while (size < uint64_t(size_) + h) size *= 2;
    if (size > (uint64_t(1) << 31)) throw std::length_error("LaneBlockAllocator: over 2^31 lanes");
    size_ = uint32_t(size);
    pre_.assign(2 * size_, 0);
    suf_.assign(2 * size_, 0);
    best_.assign(2 * size_, 0);
    for (uint32_t l = 0; l < size_; ++l) pre_[size_ + l] = suf_[size_ + l] = best_[size_ + l] = l < was.size() ? was[l] : 1;
    for (uint32_t n = size_ - 1; n >= 1; --n) pull(n, size_ >> (std::bit_width(n) - 1));  // node n's lanes
  }
  // The lowest lane starting h free lanes in a row (the root's best is at least h).
  uint32_t find(uint32_t h) const {
    uint32_t n = 1, lo = 0, len = size_;
    while (len > 1) {
      const uint32_t l = 2 * n, r = l + 1, half = len / 2;
      if (best_[l] >= h) {
        n = l;
      } else if (suf_[l] + pre_[r] >= h) {
        return lo + half - suf_[l];
      } else {
        n = r;
        lo += half;
      }
      len = half;
    }
    return lo;
  }
  std::priority_queue<Block, std::vector<Block>, std::greater<Block>> busy_;
  std::vector<uint32_t> pre_, suf_, best_;
  uint32_t size_ = 0, lanes_ = 0;
};

}  // namespace vz
