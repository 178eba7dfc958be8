// Fold index: max-key tree over blocks of slices. See fold_index.h.
#include "render/fold_index.h"

#include <algorithm>
#include <limits>

namespace vz {
namespace {

constexpr uint32_t kFan = 64;
constexpr Time kKeyMax = std::numeric_limits<Time>::max() / 4;

}  // namespace

Time FoldIndex::key(uint32_t j) const {
  const Time d = dur_[j];
  if (j == first_) return kKeyMax;  // the first slice of a row always starts a new item
  const Time prev_end = start_[j - 1] + dur_[j - 1];
  const Time gap = std::clamp<Time>(start_[j] - prev_end, 0, kKeyMax / kRatio);
  return std::max(gap * kRatio, d);
}

FoldIndex::FoldIndex(const Time* start, const Time* dur, uint32_t first, uint32_t last)
    : start_(start), dur_(dur), first_(first), last_(last) {
  if (last <= first) return;
  // Level 0: max key of each block of kFan positions (blocks aligned at `first`).
  const uint32_t n = last - first;
  std::vector<Time> level((n + kFan - 1) / kFan, 0);
  for (uint32_t k = 0; k < n; ++k) {
    Time& m = level[k / kFan];
    m = std::max(m, key(first + k));
  }
  levels_.push_back(std::move(level));
  while (levels_.back().size() > 1) {
    const std::vector<Time>& below = levels_.back();
    std::vector<Time> up((below.size() + kFan - 1) / kFan, 0);
    for (size_t k = 0; k < below.size(); ++k) up[k / kFan] = std::max(up[k / kFan], below[k]);
    levels_.push_back(std::move(up));
  }
}

uint32_t FoldIndex::first_break(uint32_t from, Time threshold) const {
  if (from < first_) from = first_;
  if (from >= last_) return last_;
  // Inside the first block, position by position.
  uint64_t pos = from - first_;
  const uint64_t n = last_ - first_;
  const uint64_t block_end = std::min<uint64_t>((pos / kFan + 1) * kFan, n);
  for (; pos < block_end; ++pos) {
    if (key(uint32_t(first_ + pos)) >= threshold) return uint32_t(first_ + pos);
  }
  if (pos >= n) return last_;
  // Climb while the rest of the enclosing node holds no break, then descend to the first block
  // that does. `idx` is the index at `lvl` of the next node to look at.
  uint64_t idx = pos / kFan;
  size_t lvl = 0;
  while (true) {
    const std::vector<Time>& L = levels_[lvl];
    const uint64_t node_end = std::min<uint64_t>((idx / kFan + 1) * kFan, L.size());
    uint64_t k = idx;
    while (k < node_end && L[k] < threshold) ++k;
    if (k < node_end) {
      idx = k;
      break;
    }
    if (node_end >= L.size()) return last_;
    idx = node_end / kFan;  // the next node one level up
    ++lvl;
    if (lvl >= levels_.size()) return last_;
  }
  // Descend: at each level, the first child whose max reaches the threshold.
  while (lvl > 0) {
    --lvl;
    const std::vector<Time>& L = levels_[lvl];
    uint64_t k = idx * kFan;
    const uint64_t end = std::min<uint64_t>(k + kFan, L.size());
    while (k < end && L[k] < threshold) ++k;
    idx = k;  // a child must reach it (the parent's max did)
  }
  // Inside block idx, position by position.
  const uint64_t b0 = idx * kFan, b1 = std::min<uint64_t>(b0 + kFan, n);
  for (uint64_t p = b0; p < b1; ++p) {
    if (key(uint32_t(first_ + p)) >= threshold) return uint32_t(first_ + p);
  }
  return last_;  // not reached when the tree is consistent
}

size_t FoldIndex::memory_bytes() const {
  size_t b = sizeof(*this);
  for (const auto& l : levels_) b += l.capacity() * sizeof(Time);
  return b;
}

std::vector<FoldIndex> build_fold_indexes(const SliceSet& s) {
  std::vector<FoldIndex> out;
  out.reserve(s.depths());
  for (uint32_t d = 0; d < s.depths(); ++d) {
    out.emplace_back(s.start.data(), s.dur.data(), s.depth_begin[d], s.depth_begin[d + 1]);
  }
  return out;
}

}  // namespace vz
