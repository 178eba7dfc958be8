// Helpers shared by the JSON reader tests (json_reader_test.cpp, json_chunk_test.cpp,
// gzip_test.cpp): loading inline text, finding threads, model invariants, gzip compression and a
// generator of multi-megabyte traces whose content is known in advance.
// Header-only; everything is inline.
#pragma once

#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "formats/dump.h"
#include "formats/loader.h"
#include "formats/model.h"

namespace json_test {

using namespace vz;

// Loads inline text with a fixed number of threads (1 unless a test is about parallelism).
inline LoadResult load(std::string_view text, unsigned threads = 1) {
  LoadOptions opt;
  opt.threads = threads;
  return load_bytes(text, opt);
}

// Byte offset of `needle` in `doc` (the test fails when it is absent).
inline uint64_t offset_of(std::string_view doc, std::string_view needle, size_t from = 0) {
  size_t at = doc.find(needle, from);
  REQUIRE_MESSAGE(at != std::string_view::npos, "test input lacks ", std::string(needle));
  return uint64_t(at);
}

// The thread with this canonical pid and tid, or nullptr.
inline const Thread* find_thread(const Trace& t, std::string_view pid, std::string_view tid) {
  for (const Thread& th : t.threads)
    if (t.str(t.processes[th.process].pid) == pid && t.str(th.tid) == tid) return &th;
  return nullptr;
}

inline const Thread& thread(const Trace& t, std::string_view pid, std::string_view tid) {
  const Thread* th = find_thread(t, pid, tid);
  REQUIRE_MESSAGE(th != nullptr, "no thread ", std::string(pid), "/", std::string(tid));
  return *th;
}

// Names of the slices at `depth`, in stored order.
inline std::vector<std::string> names_at(const Trace& t, const SliceSet& s, uint32_t depth) {
  std::vector<std::string> v;
  if (depth >= s.depths()) return v;
  for (uint32_t i = s.depth_begin[depth]; i < s.depth_begin[depth + 1]; ++i)
    v.emplace_back(t.name_of(s.label[i]));
  return v;
}

// Index of the first slice named `name` in `s`, or kNone.
inline uint32_t find_slice(const Trace& t, const SliceSet& s, std::string_view name) {
  for (uint32_t i = 0; i < s.size(); ++i)
    if (t.name_of(s.label[i]) == name) return i;
  return kNone;
}

// Checks what every consumer of the model relies on; returns the number of failed checks.
inline int check_invariants(const Trace& t) {
  int bad = 0;
  auto expect = [&](bool ok, const char* what) {
    if (!ok) {
      ++bad;
      FAIL_CHECK("model invariant broken: ", what);
    }
  };
  // Sorted by slice, as many entries for a slice as it has flags among `flag`, `second` (a B/E
  // slice's own extra fields and its kept E event: up to two entries).
  auto attachments_ok = [&](const SliceSet& s, const std::vector<SliceAttachment>& v, uint8_t flag,
                            uint8_t second = 0) {
    size_t want = 0;
    for (uint8_t f : s.flags) want += ((f & flag) != 0) + ((f & second) != 0);
    if (want != v.size()) return false;
    for (size_t k = 0; k < v.size(); ++k) {
      if (v[k].index >= s.size() || (k && v[k - 1].index > v[k].index)) return false;
      const uint8_t f = s.flags[v[k].index];
      const size_t entries = ((f & flag) != 0) + ((f & second) != 0);
      size_t same = 1;
      while (k + same < v.size() && v[k + same].index == v[k].index) ++same;
      if (same != entries) return false;
      k += same - 1;
    }
    return true;
  };
  auto set_ok = [&](const SliceSet& s, bool nested) {
    expect(s.depth_begin.size() >= 1 && s.depth_begin.front() == 0 && s.depth_begin.back() == s.size(),
           "depth_begin covers the slices");
    expect(s.dur.size() == s.size() && s.label.size() == s.size() && s.flags.size() == s.size(),
           "columns have one entry per slice");
    for (uint32_t d = 0; d < s.depths(); ++d) {
      expect(s.depth_begin[d] < s.depth_begin[d + 1], "no empty depth");
      for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
        expect(s.dur[i] >= 0, "dur >= 0");
        expect(s.label[i] < t.labels.size(), "label index valid");
        if (i > s.depth_begin[d])
          expect(s.end(i - 1) <= s.start[i], "slices at one depth are sorted and disjoint");
        if (nested && d > 0) {
          auto [f, l] = s.visible(d - 1, s.start[i], s.start[i]);
          bool inside = false;
          for (uint32_t p = f; p < l; ++p) inside |= s.start[p] <= s.start[i] && s.end(i) <= s.end(p);
          expect(inside, "a slice at depth d > 0 lies inside a slice at depth d - 1");
        }
      }
    }
    expect(attachments_ok(s, s.args, kSliceHasArgs), "args attachments sorted and flagged");
    expect(attachments_ok(s, s.extras, kSliceHasExtra, kSliceEndEvent), "extra attachments sorted and flagged");
  };
  for (const Thread& th : t.threads) {
    expect(th.process < t.processes.size(), "thread's process valid");
    set_ok(th.slices, true);
    set_ok(th.overflow, false);
    expect(std::is_sorted(th.instants.begin(), th.instants.end(),
                          [](const Instant& a, const Instant& b) { return a.ts < b.ts; }),
           "instants sorted by ts");
  }
  for (const Counter& c : t.counters) {
    expect(std::is_sorted(c.ts.begin(), c.ts.end()), "counter samples sorted");
    expect(c.tid_of_sample.size() == c.ts.size(), "one thread per counter sample");
    for (const CounterSeries& s : c.series) expect(s.values.size() == c.ts.size(), "one value per sample");
  }
  for (size_t i = 1; i < t.async_slices.size(); ++i) {
    const AsyncSlice& a = t.async_slices[i - 1];
    const AsyncSlice& b = t.async_slices[i];
    expect(a.process < b.process || (a.process == b.process && a.start <= b.start),
           "async slices sorted by (process, start)");
  }
  for (const AsyncSlice& a : t.async_slices) {
    expect(a.dur >= 0, "async dur >= 0");
    for (const AsyncSlice& b : t.async_slices) {
      if (&a == &b || a.process != b.process || a.lane != b.lane) continue;
      expect(a.start + a.dur <= b.start || b.start + b.dur <= a.start,
             "async slices in one lane are disjoint");
    }
  }
  expect(t.start <= t.end, "trace start <= end");
  return bad;
}

// gzip (RFC 1952) of `data`, one member.
inline std::string gzip(std::string_view data, int level = 6) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, uLong(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = uInt(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = uInt(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Deterministic pseudo-random numbers (tests must not depend on the platform's <random>).
struct Lcg {
  uint64_t s;
  explicit Lcg(uint64_t seed) : s(seed * 6364136223846793005ull + 1442695040888963407ull) {}
  uint32_t next() {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return uint32_t(s >> 33);
  }
  uint32_t below(uint32_t n) { return next() % n; }
};

// What the generated trace must load into, per "pid/tid".
struct ThreadExpect {
  uint64_t depth0 = 0, depth1 = 0, overflow = 0, instants = 0;
};

struct BigTrace {
  std::string text;
  uint64_t events = 0;
  uint64_t async_pairs = 0;
  std::map<std::string, ThreadExpect> threads;
};

// A multi-megabyte trace built to trip speculative chunk boundaries: every event's args hold
// strings ending in "},{", arrays of objects that look exactly like events, and nested arrays.
// pid 2 is written as 2 and as "2" (the same process). Minified on one line, or pretty-printed.
inline BigTrace make_big_trace(size_t target_bytes, bool pretty) {
  BigTrace b;
  std::string& s = b.text;
  s = pretty ? "{\n  \"traceEvents\": [\n" : "{\"traceEvents\":[";
  bool first = true;
  auto emit = [&](std::initializer_list<std::pair<const char*, std::string>> kv) {
    if (!first) s += pretty ? ",\n" : ",";
    first = false;
    s += pretty ? "    {\n" : "{";
    bool first_key = true;
    for (const auto& [k, v] : kv) {
      if (!first_key) s += pretty ? ",\n" : ",";
      first_key = false;
      if (pretty) s += "      ";
      s += '"';
      s += k;
      s += pretty ? "\": " : "\":";
      s += v;
    }
    s += pretty ? "\n    }" : "}";
    b.events++;
  };
  for (uint64_t blk = 0; s.size() < target_bytes; ++blk) {
    uint64_t t = blk % 4;
    std::string pid = t < 2 ? "1" : (blk % 8 >= 4 ? "2" : "\"2\"");
    std::string tid = std::to_string(t);
    uint64_t T = (blk / 4) * 1000;
    auto ts = [&](uint64_t d) { return std::to_string(T + d); };
    ThreadExpect& e = b.threads[(t < 2 ? "1/" : "2/") + tid];
    emit({{"ph", "\"X\""}, {"name", "\"p" + std::to_string(blk % 7) + "\""}, {"cat", "\"c\""}, {"pid", pid},
          {"tid", tid}, {"ts", ts(0)}, {"dur", "500"},
          {"args", "{\"s\":\"},{\",\"arr\":[{\"ph\":\"X\",\"name\":\"fake\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":1},"
                   "{\"ph\":\"B\",\"name\":\"fake2\",\"pid\":1,\"tid\":1,\"ts\":1}],\"n\":" +
                       std::to_string(blk) + "}"}});
    emit({{"ph", "\"X\""}, {"name", "\"child\""}, {"pid", pid}, {"tid", tid}, {"ts", ts(10)}, {"dur", "100"},
          {"args", R"({"deep":[[{"a":"},{\"x\":1}"}]],"q":"\"},{\""})"}});
    emit({{"ph", "\"B\""}, {"name", "\"be\""}, {"pid", pid}, {"tid", tid}, {"ts", ts(200)}});
    emit({{"ph", "\"i\""}, {"name", "\"tick\""}, {"pid", pid}, {"tid", tid}, {"ts", ts(250)},
          {"s", "\"t\""}});
    emit({{"ph", "\"E\""}, {"pid", pid}, {"tid", tid}, {"ts", ts(300)}, {"args", R"({"r":"},{"})"}});
    emit({{"ph", "\"C\""}, {"name", "\"cnt\""}, {"pid", pid}, {"ts", ts(5)},
          {"args", "{\"v\":" + std::to_string(blk % 100) + "}"}});
    e.depth0++;
    e.depth1 += 2;
    e.instants++;
    if (blk % 10 == 0) {
      emit({{"ph", "\"X\""}, {"name", "\"ov\""}, {"pid", pid}, {"tid", tid}, {"ts", ts(450)},
            {"dur", "200"}});
      e.overflow++;
    }
    if (blk % 13 == 0) {
      std::string id = std::to_string(blk);
      emit({{"ph", "\"b\""}, {"name", "\"req\""}, {"cat", "\"a\""}, {"id", id}, {"pid", pid}, {"tid", tid},
            {"ts", ts(20)}});
      emit({{"ph", "\"e\""}, {"cat", "\"a\""}, {"id", "\"" + id + "\""}, {"pid", pid}, {"tid", tid},
            {"ts", ts(700)}});
      b.async_pairs++;
    }
  }
  s += pretty ? "\n  ]\n}\n" : "]}";
  return b;
}

// Checks a loaded BigTrace against what it was built to hold.
inline void check_big_trace(const Trace& t, const BigTrace& b) {
  CHECK(t.diagnostics.count(DiagKind::OverlappingSlice) > 0);
  for (DiagKind k : t.diagnostics.present())
    CHECK_MESSAGE(k == DiagKind::OverlappingSlice, "unexpected diagnostic ", diag_info(k).id);
  CHECK(t.events == b.events);
  CHECK(t.processes.size() == 2);
  CHECK(t.async_slices.size() == b.async_pairs);
  for (const auto& [key, e] : b.threads) {
    std::string pid = key.substr(0, key.find('/')), tid = key.substr(key.find('/') + 1);
    INFO("thread ", key);
    const Thread& th = thread(t, pid, tid);
    REQUIRE(th.slices.depths() == 2);
    CHECK(th.slices.depth_begin[1] == e.depth0);
    CHECK(th.slices.size() - th.slices.depth_begin[1] == e.depth1);
    CHECK(th.overflow.size() == e.overflow);
    CHECK(th.instants.size() == e.instants);
    CHECK(th.unmatched_begin == 0);
    CHECK(th.unmatched_end == 0);
  }
  for (const Label& l : t.labels) CHECK(t.str(l.name).substr(0, 4) != "fake");
  check_invariants(t);
}

}  // namespace json_test
