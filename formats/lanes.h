// Lanes for intervals placed in start order: each goes to the lowest-numbered lane that is free
// at its start (a lane is free from its last interval's end on, so touching intervals share one).
// Lowest-numbered (rather than, say, the one free longest) makes the layout depend only on the
// order of intervals, so identical intervals keep their relative lane order when a file is
// written lane by lane and read back. The lane count is the most intervals alive at once;
// O(log lanes) a placement.
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "formats/model.h"

namespace vz {

class LaneAllocator {
 public:
  uint32_t place(Time start, Time end) {
    while (!busy_.empty() && busy_.top().first <= start) {
      free_.push(busy_.top().second);
      busy_.pop();
    }
    uint32_t lane;
    if (!free_.empty()) {
      lane = free_.top();
      free_.pop();
    } else {
      lane = lanes_++;
    }
    busy_.push({end, lane});
    return lane;
  }
  uint32_t lanes() const { return lanes_; }

 private:
  using LaneEnd = std::pair<Time, uint32_t>;
  std::priority_queue<LaneEnd, std::vector<LaneEnd>, std::greater<LaneEnd>> busy_;
  std::priority_queue<uint32_t, std::vector<uint32_t>, std::greater<uint32_t>> free_;
  uint32_t lanes_ = 0;
};

}  // namespace vz
