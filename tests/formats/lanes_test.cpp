// Tests of formats/lanes.h: both allocators against a brute-force placement (per-lane busy-until
// times, lowest fitting lane first) on random intervals, and LaneBlockAllocator with h = 1 placing
// exactly as LaneAllocator.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "formats/lanes.h"

using namespace vz;

namespace {

struct Interval {
  Time start, end;
  uint32_t h;
};

// Random intervals in start order, `tall` of them (in 1/tall) up to 4 lanes tall.
std::vector<Interval> random_intervals(std::mt19937_64& rng, int n, int tall) {
  std::vector<Interval> v(static_cast<size_t>(n));
  const int spread = 1 + int(rng() % 200);
  for (Interval& x : v) {
    x.start = Time(rng() % uint64_t(spread));
    x.end = x.start + (rng() % 4 == 0 ? 0 : Time(rng() % 40));
    x.h = tall && rng() % uint64_t(tall) == 0 ? 1 + uint32_t(rng() % 4) : 1;
  }
  std::stable_sort(v.begin(), v.end(), [](const Interval& a, const Interval& b) { return a.start < b.start; });
  return v;
}

// The rule itself: lanes are free from their last block's end on; the lowest run of h free lanes.
std::vector<uint32_t> brute_force(const std::vector<Interval>& v) {
  std::vector<Time> busy_until;  // per lane; lanes past the end are free
  std::vector<uint32_t> out;
  for (const Interval& x : v) {
    uint32_t lane = 0;
    for (;; ++lane) {
      bool fits = true;
      for (uint32_t l = lane; l < lane + x.h && fits; ++l) fits = l >= busy_until.size() || busy_until[l] <= x.start;
      if (fits) break;
    }
    if (busy_until.size() < lane + x.h) busy_until.resize(lane + x.h, 0);
    for (uint32_t l = lane; l < lane + x.h; ++l) busy_until[l] = x.end;
    out.push_back(lane);
  }
  return out;
}

}  // namespace

TEST_CASE("lane allocators place as the rule says, against brute force") {
  std::mt19937_64 rng(53);
  for (int iter = 0; iter < 400; ++iter) {
    CAPTURE(iter);
    const std::vector<Interval> v = random_intervals(rng, 1 + int(rng() % 150), iter % 2 ? 3 : 0);
    const std::vector<uint32_t> want = brute_force(v);
    LaneBlockAllocator blocks;
    LaneAllocator single;
    uint32_t most = 0;
    for (size_t i = 0; i < v.size(); ++i) {
      CHECK(blocks.place(v[i].start, v[i].end, v[i].h) == want[i]);
      if (v[i].h == 1 && iter % 2 == 0) CHECK(single.place(v[i].start, v[i].end) == want[i]);
      most = std::max(most, want[i] + v[i].h);
    }
    CHECK(blocks.lanes() == most);
    if (iter % 2 == 0) CHECK(single.lanes() == most);
  }
}

TEST_CASE("a block allocator grows past its first lanes and reuses the low ones") {
  LaneBlockAllocator a;
  for (uint32_t i = 0; i < 100; ++i) CHECK(a.place(0, 10, 1) == i);  // 100 at once
  CHECK(a.place(10, 20, 50) == 0);   // all freed at 10: the block goes to the bottom
  CHECK(a.place(10, 20, 60) == 50);  // the next one above it, past the first 100 lanes
  CHECK(a.lanes() == 110);
  CHECK(a.place(15, 16, 1) == 110);
}

TEST_CASE("a block allocator's first block may be taller than its first lanes") {
  LaneBlockAllocator a;
  CHECK(a.place(0, 1, 100) == 0);
  CHECK(a.place(0, 1, 1) == 100);
  CHECK(a.place(1, 2, 300) == 0);  // all free again at 1
  CHECK(a.lanes() == 300);
}
