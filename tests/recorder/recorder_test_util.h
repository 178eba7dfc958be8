// Helpers shared by the recorder's tests: a clean session per test, loading what the recorder
// wrote, and checks on the loaded model.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "formats/loader.h"
#include "formats/model.h"
#include "recorder/vz_recorder.h"

namespace vz::rec_test {

// Stops any session and drops its events, so every test starts from nothing.
inline void reset() {
  vz::rec::stop();
  vz::rec::clear();
}

// Starts a session with `cfg` (REQUIREs success).
inline void start_session(vz::rec::Config cfg = {}) {
  reset();
  std::string err;
  REQUIRE_MESSAGE(vz::rec::start(cfg, &err), err);
}

inline LoadResult load(const std::string& path) {
  LoadResult r = load_file(path);
  REQUIRE_MESSAGE(r.ok, r.error);
  return r;
}

// The names of a thread's slices in the given depth, in start order.
inline std::vector<std::string> names_at(const Trace& t, const Thread& th, uint32_t depth) {
  std::vector<std::string> out;
  if (depth >= th.slices.depths()) return out;
  for (uint32_t i = th.slices.depth_begin[depth]; i < th.slices.depth_begin[depth + 1]; ++i)
    out.emplace_back(t.name_of(th.slices.label[i]));
  return out;
}

// True when every slice at depth d >= 1 lies inside a slice at depth d - 1 and slices at one
// depth do not overlap: what "well nested" means for the recorder's output.
inline bool well_nested(const SliceSet& s) {
  for (uint32_t d = 0; d < s.depths(); ++d) {
    for (uint32_t i = s.depth_begin[d] + 1; i < s.depth_begin[d + 1]; ++i)
      if (s.start[i] < s.end(i - 1)) return false;
    if (d == 0) continue;
    uint32_t p = s.depth_begin[d - 1], pe = s.depth_begin[d];
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
      while (p + 1 < pe && s.start[p + 1] <= s.start[i]) ++p;
      if (s.start[p] > s.start[i] || s.end(i) > s.end(p)) return false;
    }
  }
  return true;
}

// The trace's thread whose tid text is `tid`, or nullptr.
inline const Thread* thread_by_tid(const Trace& t, std::string_view tid) {
  for (const Thread& th : t.threads)
    if (t.str(th.tid) == tid) return &th;
  return nullptr;
}

// Total slices over all threads.
inline uint64_t slices(const Trace& t) {
  uint64_t n = 0;
  for (const Thread& th : t.threads) n += th.slices.size() + th.overflow.size();
  return n;
}

// The value of a top-level metadata member, "" when absent.
inline std::string metadata(const Trace& t, std::string_view key) {
  for (const MetadataEntry& m : t.metadata)
    if (t.str(m.key) == key) return std::string(t.view(m.value));
  return "";
}

}  // namespace vz::rec_test
