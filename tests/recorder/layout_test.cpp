// Tests of the save's own layout (recorder/save.cpp build_slice_set): decoded slices laid out
// depth-major without TraceBuilder's sort must come out exactly as the builder lays them out,
// or be handed to the builder (false).
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>
#include <vector>

#include "formats/builder.h"
#include "recorder/internal.h"
#include "recorder/save_internal.h"

using namespace vz;
using vz::rec::internal::build_slice_set;
using vz::rec::internal::DecodedSlice;

namespace {

// A random call tree over [lo, hi), appended as calls return (children before their parent),
// each slice with its depth. `ties` makes starts and ends collide, zero lengths included.
void calls(std::mt19937_64& rng, int64_t lo, int64_t hi, uint32_t depth, bool ties,
           std::vector<DecodedSlice>& out) {
  int64_t at = lo;
  int kids = depth < 6 ? int(rng() % 4) : 0;
  for (int k = 0; k < kids && at < hi; ++k) {
    int64_t len = (hi - at) / (kids - k);
    int64_t s = at + (ties ? 0 : int64_t(rng() % uint64_t(len / 4 + 1)));
    int64_t e = ties && rng() % 3 == 0 ? s : s + len / 2 + int64_t(rng() % uint64_t(len / 2 + 1));
    if (e > hi) e = hi;
    calls(rng, s, e, depth + 1, ties, out);
    at = e;
  }
  out.push_back(DecodedSlice{lo, hi - lo, uint32_t(rng() % 7), depth, vz::rec::internal::kDecComplete});
}

SliceSet builder_layout(const std::vector<DecodedSlice>& in) {
  Trace t;
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  std::vector<RawSlice> raw;
  for (const DecodedSlice& s : in) raw.push_back(RawSlice{s.start, s.dur, s.name, 0});
  b.adopt_slices(th, std::move(raw), {}, {});
  b.finish(1);
  return t.threads[th].slices;
}

}  // namespace

TEST_CASE("save layout: complete() slices in return order lay out as the builder does") {
  size_t own = 0, handed_over = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    const bool ties = seed % 4 == 0;
    std::vector<DecodedSlice> in;
    int roots = 1 + int(rng() % 4);
    int64_t at = int64_t(rng() % 100);
    for (int r = 0; r < roots; ++r) {
      int64_t len = 1 + int64_t(rng() % 100000);
      calls(rng, at, at + len, 0, ties, in);
      at += len + (ties ? 0 : int64_t(rng() % 50));
    }
    SliceSet mine;
    if (!build_slice_set(in.data(), in.size(), nullptr, mine)) {
      ++handed_over;
      continue;
    }
    ++own;
    SliceSet ref = builder_layout(in);
    CHECK(mine.depth_begin == ref.depth_begin);
    CHECK(mine.start == ref.start);
    CHECK(mine.dur == ref.dur);
    CHECK(mine.flags == ref.flags);
    // Labels too, but for a child with exactly its parent's interval: the builder keeps input
    // order (the child, returned first, outside), the recorder's order keeps the caller outside.
    std::map<std::pair<int64_t, int64_t>, std::multiset<uint32_t>> a, b;
    for (size_t i = 0; i < mine.size(); ++i) {
      a[{mine.start[i], mine.dur[i]}].insert(mine.label[i]);
      b[{ref.start[i], ref.dur[i]}].insert(ref.label[i]);
      if (mine.label[i] != ref.label[i]) CHECK(a[{mine.start[i], mine.dur[i]}].size() + b[{ref.start[i], ref.dur[i]}].size() >= 2);
    }
    CHECK(a == b);
  }
  CHECK(own > 300);          // distinct times: laid out here
  CHECK(handed_over < 100);  // only some sets with ties go to the builder
}

TEST_CASE("save layout: a call with its caller's exact interval stays inside the caller") {
  // inner returned first, then outer, both over [0, 100); then a sibling.
  std::vector<DecodedSlice> in = {{0, 100, 1, 0, vz::rec::internal::kDecComplete},
                                  {0, 100, 2, 0, vz::rec::internal::kDecComplete},
                                  {100, 50, 3, 0, vz::rec::internal::kDecComplete}};
  SliceSet out;
  REQUIRE(build_slice_set(in.data(), in.size(), nullptr, out));
  CHECK(out.depth_begin == std::vector<uint32_t>{0, 2, 3});
  CHECK(out.label == std::vector<uint32_t>{2, 3, 1});
}

TEST_CASE("save layout: a thread mixing begin/end and complete() slices goes to the builder") {
  std::vector<DecodedSlice> in = {{10, 5, 1, 1, 0}, {0, 100, 2, 0, vz::rec::internal::kDecComplete}};
  SliceSet out;
  CHECK_FALSE(build_slice_set(in.data(), in.size(), nullptr, out));
  // Out of return order (a parent before its child): not this layout either.
  std::vector<DecodedSlice> bad = {{0, 100, 2, 0, vz::rec::internal::kDecComplete},
                                   {10, 5, 1, 0, vz::rec::internal::kDecComplete}};
  CHECK_FALSE(build_slice_set(bad.data(), bad.size(), nullptr, out));
}
