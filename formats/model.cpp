#include "formats/model.h"

#include <algorithm>
#include <cstring>

namespace vz {

// ---------------------------------------------------------------------------------------------
// StringTable
// ---------------------------------------------------------------------------------------------

namespace {
constexpr size_t kStringBlock = 64 * 1024;
}

size_t StringTable::Hash::operator()(std::string_view s) const noexcept {
  // FNV-1a over 8-byte words: short names dominate, so a simple word loop is enough.
  uint64_t h = 0xcbf29ce484222325ull;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < s.size(); ++i) h = (h ^ uint8_t(s[i])) * 0x100000001b3ull;
  return size_t(h ^ (h >> 32));
}

StringTable::StringTable() { intern(std::string_view()); }
StringTable::StringTable(StringTable&&) noexcept = default;
StringTable& StringTable::operator=(StringTable&&) noexcept = default;
StringTable::~StringTable() = default;

uint64_t StringTable::probe(std::string_view s, size_t h) const {
  const size_t mask = slots_.size() - 1;
  const uint64_t tag = uint64_t(h >> 32) << 32;
  for (size_t at = h & mask;; at = (at + 1) & mask) {
    const uint64_t v = slots_[at];
    if (v == ~uint64_t(0)) return at;
    if ((v & ~uint64_t(0xffffffff)) == tag && views_[uint32_t(v)] == s) return at;
  }
}

void StringTable::grow() {
  std::vector<uint64_t> old(std::max<size_t>(slots_.size() * 2, 1024), ~uint64_t(0));
  old.swap(slots_);
  const size_t mask = slots_.size() - 1;
  for (uint64_t v : old) {
    if (v == ~uint64_t(0)) continue;
    const size_t h = Hash()(views_[uint32_t(v)]);
    size_t at = h & mask;
    while (slots_[at] != ~uint64_t(0)) at = (at + 1) & mask;
    slots_[at] = v;
  }
}

StrId StringTable::intern(std::string_view s) {
  if ((views_.size() + 1) * 2 > slots_.size()) grow();
  const size_t h = Hash()(s);
  const uint64_t at = probe(s, h);
  if (slots_[at] != ~uint64_t(0)) return StrId(uint32_t(slots_[at]));
  const char* p = "";
  if (!s.empty()) {
    if (s.size() > block_cap_ - block_used_) {
      size_t cap = std::max(kStringBlock, s.size());
      blocks_.emplace_back(new char[cap]);
      block_used_ = 0;
      block_cap_ = cap;
    }
    char* dst = blocks_.back().get() + block_used_;
    std::memcpy(dst, s.data(), s.size());
    block_used_ += s.size();
    p = dst;
  }
  StrId id = StrId(views_.size());
  views_.emplace_back(p, s.size());
  slots_[at] = (uint64_t(h >> 32) << 32) | id;
  bytes_ += s.size();
  return id;
}

StrId StringTable::find(std::string_view s) const {
  if (slots_.empty()) return kNone;
  const uint64_t at = probe(s, Hash()(s));
  return slots_[at] == ~uint64_t(0) ? kNone : StrId(uint32_t(slots_[at]));
}

// ---------------------------------------------------------------------------------------------
// SliceSet
// ---------------------------------------------------------------------------------------------

bool SliceSet::walkable() const {
  for (uint32_t d = 1; d < depths(); ++d)
    if (depth_begin[d] == depth_begin[d - 1] && depth_begin[d + 1] > depth_begin[d]) return false;
  return true;
}

std::vector<uint32_t> SliceSet::child_counts() const {
  std::vector<uint32_t> kids(size(), 0);
  for (uint32_t d = 1; d < depths(); ++d) {
    uint32_t p = depth_begin[d - 1], pe = depth_begin[d];
    if (p == pe) continue;
    for (uint32_t i = depth_begin[d]; i < depth_begin[d + 1]; ++i) {
      while (p + 1 < pe && start[p + 1] <= start[i]) ++p;
      ++kids[p];
    }
  }
  return kids;
}

uint32_t SliceSet::depth_of(size_t i) const {
  auto it = std::upper_bound(depth_begin.begin(), depth_begin.end(), uint32_t(i));
  return uint32_t(it - depth_begin.begin()) - 1;
}

std::pair<uint32_t, uint32_t> SliceSet::visible(uint32_t depth, Time t0, Time t1) const {
  if (depth >= depths() || t1 < t0) return {0, 0};
  uint32_t b = depth_begin[depth], e = depth_begin[depth + 1];
  // At one depth slices are disjoint and sorted by start, so their ends are sorted too.
  uint32_t lo = b, hi = e;
  while (lo < hi) {  // first slice whose end >= t0
    uint32_t mid = lo + (hi - lo) / 2;
    if (start[mid] + dur[mid] < t0) lo = mid + 1; else hi = mid;
  }
  uint32_t first = lo;
  hi = e;
  while (lo < hi) {  // first slice whose start > t1
    uint32_t mid = lo + (hi - lo) / 2;
    if (start[mid] <= t1) lo = mid + 1; else hi = mid;
  }
  return {first, lo};
}

void SliceSet::overlap(Time t0, Time t1, std::vector<uint32_t>& out) const {
  for (uint32_t d = 0; d < depths(); ++d) {
    auto [f, l] = visible(d, t0, t1);
    if (f == l && nested) break;
    for (uint32_t i = f; i < l; ++i) out.push_back(i);
  }
}

void SliceSet::stab(Time t, std::vector<uint32_t>& out) const { overlap(t, t, out); }

static ByteRange find_attachment(const std::vector<SliceAttachment>& v, uint32_t i) {
  auto it = std::lower_bound(v.begin(), v.end(), i,
                             [](const SliceAttachment& a, uint32_t idx) { return a.index < idx; });
  if (it == v.end() || it->index != i) return {};
  return it->range;
}

ByteRange SliceSet::args_of(uint32_t i) const { return find_attachment(args, i); }
// A slice with kSliceEndEvent has its E event's entry after its own (two entries when it has
// extra fields of its own too).
ByteRange SliceSet::extra_of(uint32_t i) const {
  if (i < flags.size() && (flags[i] & (kSliceHasExtra | kSliceEndEvent)) == kSliceEndEvent) return {};
  return find_attachment(extras, i);
}

ByteRange Counter::extra_of(uint32_t sample) const { return find_attachment(extras, sample); }

ByteRange SliceSet::end_of(uint32_t i) const {
  if (i >= flags.size() || !(flags[i] & kSliceEndEvent)) return {};
  auto it = std::upper_bound(extras.begin(), extras.end(), i,
                             [](uint32_t idx, const SliceAttachment& a) { return idx < a.index; });
  if (it == extras.begin() || (it - 1)->index != i) return {};
  return (it - 1)->range;
}

size_t SliceSet::memory_bytes() const {
  return start.capacity() * sizeof(Time) + dur.capacity() * sizeof(Time) +
         label.capacity() * sizeof(uint32_t) + flags.capacity() +
         depth_begin.capacity() * sizeof(uint32_t) +
         (args.capacity() + extras.capacity()) * sizeof(SliceAttachment);
}

// ---------------------------------------------------------------------------------------------
// Trace
// ---------------------------------------------------------------------------------------------

uint32_t Trace::intern_label(StrId name, StrId cat) {
  Label l{name, cat};
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == l) return uint32_t(i);
  labels.push_back(l);
  return uint32_t(labels.size() - 1);
}

bool id_less(std::string_view a, std::string_view b) {
  auto as_int = [](std::string_view s, int64_t* v) {
    if (s.empty() || s.size() > 18) return false;
    size_t i = s[0] == '-' ? 1 : 0;
    if (i == s.size()) return false;
    int64_t r = 0;
    for (; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      r = r * 10 + (s[i] - '0');
    }
    *v = s[0] == '-' ? -r : r;
    return true;
  };
  int64_t x, y;
  bool ax = as_int(a, &x), by = as_int(b, &y);
  if (ax && by) return x < y;
  if (ax != by) return ax;  // numbers first
  return a < b;
}

std::vector<uint32_t> Trace::process_order() const {
  std::vector<uint32_t> order(processes.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return id_less(str(processes[a].pid), str(processes[b].pid));
  });
  return order;
}

std::vector<uint32_t> Trace::thread_order() const {
  std::vector<uint32_t> order;
  order.reserve(threads.size());
  for (uint32_t i = 0; i < threads.size(); ++i)
    if (!threads[i].bare) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    std::string_view pa = str(processes[threads[a].process].pid), pb = str(processes[threads[b].process].pid);
    if (pa != pb) return id_less(pa, pb);
    return id_less(str(threads[a].tid), str(threads[b].tid));
  });
  return order;
}

uint64_t Trace::slice_count() const {
  uint64_t n = 0;
  for (const Thread& t : threads) n += t.slices.size() + t.overflow.size();
  return n;
}

namespace {

struct ChromeColor {
  std::string_view name;
  uint32_t rgb;
};

// catapult's tracing/base/color_scheme.html, in its order (also the order of Label::color).
constexpr ChromeColor kChromeColorTable[kChromeColors] = {
    {"thread_state_uninterruptible", 0xb67d8f}, {"thread_state_iowait", 0xff8c00},
    {"thread_state_running", 0x7ec894},         {"thread_state_runnable", 0x85a0d2},
    {"thread_state_sleeping", 0xf0f0f0},        {"thread_state_unknown", 0xc79b7d},
    {"background_memory_dump", 0x00b4b4},       {"light_memory_dump", 0x0000b4},
    {"detailed_memory_dump", 0xb400b4},         {"vsync_highlight_color", 0x0000ff},
    {"generic_work", 0x7d7d7d},                 {"good", 0x007d00},
    {"bad", 0xb47d00},                          {"terrible", 0xb40000},
    {"black", 0x000000},                        {"grey", 0xdddddd},
    {"white", 0xffffff},                        {"yellow", 0xffff00},
    {"olive", 0x646400},                        {"rail_response", 0x4387fd},
    {"rail_animation", 0xf44a3f},               {"rail_idle", 0xee8e00},
    {"rail_load", 0x0da861},                    {"startup", 0xe6e600},
    {"heap_dump_stack_frame", 0x808080},        {"heap_dump_object_type", 0x0000ff},
    {"heap_dump_child_node_arrow", 0xcc6600},   {"cq_build_running", 0xffff77},
    {"cq_build_passed", 0x99ee66},              {"cq_build_failed", 0xee8888},
    {"cq_build_abandoned", 0xbbbbbb},           {"cq_build_attempt_runnig", 0xdede4b},
    {"cq_build_attempt_passed", 0x67da23},      {"cq_build_attempt_failed", 0xc55151},
};

}  // namespace

uint8_t chrome_color(std::string_view cname) {
  if (cname.size() < 3 || cname.size() > 28) return 0;  // "bad" .. "thread_state_uninterruptible"
  for (uint8_t i = 0; i < kChromeColors; ++i)
    if (kChromeColorTable[i].name == cname) return uint8_t(i + 1);
  return 0;
}

std::string_view chrome_color_name(uint8_t color) {
  return color >= 1 && color <= kChromeColors ? kChromeColorTable[color - 1].name : std::string_view();
}

uint32_t chrome_color_rgb(uint8_t color) {
  return color >= 1 && color <= kChromeColors ? kChromeColorTable[color - 1].rgb : 0;
}

std::string counter_name(const Trace& t, const Counter& c) {
  std::string s(t.str(c.name));
  if (c.id != kNoStr) s += "[" + std::string(t.str(c.id)) + "]";
  return s;
}

std::vector<uint32_t> grouped_by(const std::vector<StrId>& key) {
  const size_t n = key.size();
  std::vector<uint32_t> out(n);
  StrId most = 0;
  for (StrId k : key) most = std::max(most, k);
  if (size_t(most) + 1 <= n * 4) {
    std::vector<uint32_t> at(size_t(most) + 2, 0);
    for (StrId k : key) ++at[size_t(k) + 1];
    for (size_t g = 1; g < at.size(); ++g) at[g] += at[g - 1];
    for (uint32_t i = 0; i < n; ++i) out[at[key[i]]++] = i;
  } else {
    std::vector<uint64_t> kp(n);
    for (uint32_t i = 0; i < n; ++i) kp[i] = uint64_t(key[i]) << 32 | i;
    std::sort(kp.begin(), kp.end());
    for (size_t i = 0; i < n; ++i) out[i] = uint32_t(kp[i]);
  }
  return out;
}

}  // namespace vz
