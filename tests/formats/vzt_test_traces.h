// Traces for the .vzt tests: one that holds every kind of event the model names, a random one,
// a viztracer-like one (for the size target), and a field-by-field comparison of two models.
// Shared by vzt_writer_test.cpp and vzt_reader_test.cpp (header-only; functions are inline).
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "formats/builder.h"
#include "formats/io.h"
#include "formats/model.h"
#include "formats/vzt_format.h"
#include "formats/vzt_writer.h"

namespace vzt_test {

using namespace vz;

// A path in /tmp unique to this process and `name`; removed by the destructor.
struct TempPath {
  std::string path;
  explicit TempPath(const std::string& name)
      : path("/tmp/vzt_test_" + std::to_string(::getpid()) + "_" + name) {}
  ~TempPath() { ::unlink(path.c_str()); }
};

inline std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

// A padded buffer holding `bytes` (what read_vzt expects).
inline std::shared_ptr<const Buffer> padded(std::string_view bytes) {
  auto b = std::make_shared<AnonBuffer>();
  b->reserve_more(bytes.size() + 1);
  if (!bytes.empty()) b->append(bytes.data(), bytes.size());
  return b;
}

// Appends `s` to the source text and returns its range.
inline ByteRange put(std::string& src, std::string_view s) {
  ByteRange r{src.size(), s.size()};
  src.append(s);
  return r;
}

// Instants of every scope, counters (NaN included), async slices and marks, flows, objects and
// others (part of every_kind).
template <class R>
inline void add_every_event(TraceBuilder& b, const uint32_t* names, const uint32_t* th, R& r,
                            std::string& src, uint64_t& seq, int scale) {
  StrId cat = b.intern("FEE");
  for (int i = 0; i < 10 * scale; ++i) {
    Instant in;
    in.ts = r(0, 100000);
    in.label = names[i % 6];
    in.thread = th[i % 3];
    in.scope = Scope(i % 3);
    in.phase = "iIR"[i % 3];
    if (i % 2) in.args = put(src, "{\"i\":" + std::to_string(i) + "}");
    if (i % 4 == 1) in.extra = put(src, "{\"s\":\"t\"}");
    b.add_instant(in);
  }
  StrId k1 = b.intern("rss"), k2 = b.intern("cpu");
  for (int i = 0; i < 30 * scale; ++i) {
    std::pair<StrId, double> v[2] = {{k1, double(r(0, 1 << 20))}, {k2, r(0, 100) / 7.0}};
    size_t n = i % 4 == 3 ? 1 : 2;  // a missing key becomes NaN
    if (i % 9 == 4) v[0].second = std::numeric_limits<double>::quiet_NaN();
    // Some samples' C events had fields the model does not name.
    const ByteRange extra = i % 7 == 2 ? put(src, "{\"tts\":" + std::to_string(i) + "}") : ByteRange{};
    b.add_counter_sample(i % 2, b.intern(i % 3 ? "mem" : "load"), cat, r(0, 100000), th[i % 3],
                         v, n, 0, kNoStr, extra);
    // "mem" with an id: other counters of the same name
    if (i % 5 == 0) b.add_counter_sample(0, b.intern("mem"), cat, r(0, 100000), th[0], v, n, 0, b.intern(i % 2 ? "1" : "0x2"));
  }
  StrId id1 = b.intern("0x1"), id2 = b.intern("local:7");
  b.add_async('b', 0, th[0], cat, id1, 500, names[2], put(src, "{\"a\":1}"), seq++, 10);
  b.add_async('e', 0, th[0], cat, id1, 900, names[2], put(src, "{\"z\":1}"), seq++, 11);
  b.add_async('b', 0, th[1], cat, id1, 600, names[3], {}, seq++, 12);
  b.add_async('S', 1, th[2], cat, id2, 700, names[4], {}, seq++, 13);
  b.add_async('n', 0, th[0], cat, id1, 650, names[1], put(src, "{\"n\":1}"), seq++, 14);
  b.add_async('T', 1, th[2], cat, id2, 750, names[4], {}, seq++, 15);
  // Scoped (apart from the unscoped id1 pairs), with fields the model does not name.
  StrId s1 = b.intern("s1");
  b.add_async('b', 0, th[0], cat, id1, 520, names[2], {}, seq++, 16, s1, put(src, "{\"tts\":3}"));
  b.add_async('e', 0, th[0], cat, id1, 800, names[2], {}, seq++, 17, s1, put(src, "{\"tts\":9}"));
  b.add_async('p', 0, th[0], cat, id1, 700, names[2], {}, seq++, 18, s1, put(src, "{\"cname\":\"olive\"}"));
  AsyncSlice as;
  as.start = 50, as.dur = 25, as.label = names[5], as.process = 1, as.thread = th[2];
  as.id = b.intern("global:9"), as.phase = 'b', as.args = put(src, "{\"raw\":1}");
  as.scope = b.intern("raw scope"), as.extra = put(src, "{\"sf\":1}"), as.end_extra = put(src, "{\"sf\":2}");
  b.add_async_slice_raw(as);
  b.add_flow(FlowEvent{300, names[0], th[0], b.intern("42"), 's', false, put(src, "{\"f\":1}"),
                       put(src, "{\"scope\":\"x\"}"), 0});
  b.add_flow(FlowEvent{400, names[0], th[1], b.intern("42"), 'f', true, {}, {}, 0});
  b.add_flow(FlowEvent{350, names[0], th[1], b.intern("42"), 'X', false, {}, {}, kFlowV2In | kFlowV2Out});
  b.add_object(ObjectEvent{100, names[1], 0, th[0], b.intern("0xabc"), 'N', {}, kNoStr, {}});
  b.add_object(ObjectEvent{200, names[1], 0, th[0], b.intern("0xabc"), 'O', put(src, "{\"snap\":{}}"),
                           b.intern("s1"), put(src, "{\"cname\":\"rail\"}")});
  b.add_object(ObjectEvent{300, names[1], 1, kNone, b.intern("0xabc"), 'D', {}, kNoStr, {}});
  b.add_other(OtherEvent{123, th[1], b.intern("P"), names[0], put(src, "{\"ph\":\"P\"}")});
  b.add_other(OtherEvent{0, kNone, b.intern("M"), names[1], put(src, "{\"ph\":\"M\",\"name\":\"x\"}")});
}

// Metadata, source files, functions and trace-level scalars (part of every_kind, after finish()).
inline void add_metadata(Trace& t, TraceBuilder& b, const uint32_t* names, std::string& src,
                         uint32_t seed) {
  t.metadata.push_back({b.intern("viztracer_metadata"), put(src, "{\"version\":\"1.0\"}")});
  t.metadata.push_back({b.intern("empty"), {}});
  t.files.push_back({b.intern("/a/b.py"), put(src, "\"def f():\\n  pass\\n\""), 2});
  t.files.push_back({b.intern("/a/c.py"), {}, 0});
  t.functions[t.labels[names[0]].name] = {b.intern("/a/b.py"), 1};
  t.functions[t.labels[names[3]].name] = {b.intern("/a/c.py"), 99};
  t.display_time_unit = "ns";
  t.object_form = seed % 2 == 0;
  t.origin_us = 1700000000123456 + seed;
  t.events = 12345 + seed;
  t.source = std::make_shared<StringBuffer>(src);
}

// A trace with every kind of event: nested, B/E, open and overflow slices with args and extras,
// instants of each scope, counters with NaN, async slices and marks, flows, objects, others,
// metadata, source files and functions. `seed` varies counts and times.
inline std::unique_ptr<Trace> every_kind(uint32_t seed = 1, int scale = 1) {
  auto t = std::make_unique<Trace>();
  std::mt19937_64 rng(seed);
  auto r = [&](int64_t lo, int64_t hi) {
    return lo + int64_t(rng() % uint64_t(hi - lo + 1));
  };
  std::string src = "{\"traceEvents\":[";
  TraceBuilder b(*t);
  StrId cat = b.intern("FEE"), pid1 = b.intern("100"), pid2 = b.intern("200");
  uint32_t th[3] = {b.thread(pid1, b.intern("100")), b.thread(pid1, b.intern("101")),
                    b.thread(pid2, b.intern("main"))};
  b.set_process_name(0, b.intern("python"));
  b.set_process_labels(0, b.intern("label a"));
  b.set_process_sort_index(1, -5);
  b.set_thread_name(th[0], b.intern("MainThread"));
  b.set_thread_sort_index(th[1], 7);
  uint32_t names[6];
  // Two of them with Chrome colours ("cname"), the last of the table among them.
  for (int i = 0; i < 6; ++i)
    names[i] = b.label(b.intern("f" + std::to_string(i)), cat,
                       i == 4 ? chrome_color("good") : i == 5 ? kChromeColors : 0);
  uint64_t seq = 0;
  for (uint32_t k = 0; k < 3; ++k) {
    Time at = r(0, 1000);
    for (int i = 0; i < 20 * scale; ++i) {  // a root with nested children
      Time dur = r(100, 5000);
      b.add_complete(th[k], at, dur, names[r(0, 5)],
                     i % 3 ? ByteRange{} : put(src, "{\"args\":{\"x\":" + std::to_string(i) + "}}"),
                     i % 7 ? ByteRange{} : put(src, "{\"extra\":1}"),
                     i % 5 == 0 ? kSliceFromBE : 0);
      Time c = at + r(0, 20);
      for (int j = 0; j < 3 && c < at + dur; ++j) {
        Time cd = std::min<Time>(r(1, dur / 4), at + dur - c);
        b.add_complete(th[k], c, cd, names[r(0, 5)], {}, {});
        if (cd > 4) b.add_complete(th[k], c + 1, cd - 2, names[r(0, 5)], {}, {});
        c += cd + r(0, 10);
      }
      at += dur + r(0, 50);
    }
    // B/E pairs whose E is kept whole (kSliceEndEvent): args on both, fields on the E alone,
    // fields on both.
    b.add_begin(th[k], at + 1, names[0], put(src, "{\"b\":0}"), {}, seq++, 1);
    b.add_end(th[k], at + 2, put(src, "{\"e\":0}"), put(src, "{\"ph\":\"E\",\"args\":{\"e\":0}}"), seq++, 1);
    b.add_begin(th[k], at + 3, names[1], {}, {}, seq++, 1);
    b.add_end(th[k], at + 5, {}, put(src, "{\"ph\":\"E\",\"tts\":7}"), seq++, 1, true);
    b.add_begin(th[k], at + 6, names[2], {}, put(src, "{\"ph\":\"B\",\"tts\":1}"), seq++, 1);
    b.add_end(th[k], at + 8, {}, put(src, "{\"ph\":\"E\",\"tts\":2}"), seq++, 1, true);
    // B/E pairs (one nested, one left open) and an unmatched E.
    b.add_begin(th[k], at + 10, names[1], put(src, "{\"b\":1}"), {}, seq++, 1);
    b.add_begin(th[k], at + 20, names[2], {}, {}, seq++, 2);
    b.add_end(th[k], at + 30, put(src, "{\"e\":2}"), {}, seq++, 3);
    b.add_end(th[k], at - 1000000, {}, put(src, "{\"ph\":\"E\"}"), seq++, 4);
    b.add_begin(th[k], at + 40, names[3], {}, put(src, "{\"open\":true}"), seq++, 5);
    // Overlapping X events: these go to overflow lanes.
    b.add_complete(th[k], at + 100, 50, names[4], put(src, "{\"o\":1}"), {});
    b.add_complete(th[k], at + 120, 60, names[5], {}, put(src, "{\"x\":0}"));
    b.add_complete(th[k], at + 130, 70, names[0], {}, {});
  }
  add_every_event(b, names, th, r, src, seq, scale);
  b.finish(1);
  add_metadata(*t, b, names, src, seed);
  return t;
}

// A viztracer-like single-threaded call tree: a few distinct functions, recursion, loops of
// short calls; durations 0.1-100 us in ns; call overhead of tens of ns between events.
inline std::unique_ptr<Trace> viztracer_like(size_t calls, uint32_t seed = 7, int threads = 1) {
  auto t = std::make_unique<Trace>();
  TraceBuilder b(*t);
  std::mt19937_64 rng(seed);
  StrId cat = b.intern("FEE");
  uint32_t labels[24];
  for (int i = 0; i < 24; ++i)
    labels[i] = b.label(b.intern("func" + std::to_string(i) + " (/src/app/mod.py:" +
                                 std::to_string(10 * i + 3) + ")"), cat);
  size_t per_thread = calls / size_t(threads);
  for (int k = 0; k < threads; ++k) {
    uint32_t th = b.thread(b.intern("1"), b.intern(std::to_string(1000 + k)));
    Time now = 1000;
    size_t made = 0;
    // Emits a call subtree of `depth` levels; returns its end.
    std::function<void(int, int)> call = [&](int depth, int fn) {
      Time start = now;
      now += 30 + Time(rng() % 40);  // entry overhead
      if (depth > 0 && made < per_thread) {
        int kids = int(rng() % 4);
        for (int c = 0; c < kids && made < per_thread; ++c) {
          call(depth - 1 - int(rng() % 2), (fn * 7 + c + 1) % 24);
          now += 20 + Time(rng() % 30);
        }
      } else {
        now += 100 + Time(std::exp2(double(rng() % 1000) / 1000.0 * 10.0) * 10);  // leaf work
      }
      now += 20 + Time(rng() % 30);
      ++made;
      b.add_complete(th, start, now - start, labels[fn], {}, {});
    };
    while (made < per_thread) call(8, int(rng() % 24));
  }
  b.finish(1);
  return t;
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

// Writes `t`'s strings, labels, processes and threads: what every Slices section refers to.
inline void write_tables(VztStreamWriter& w, const Trace& t) {
  std::vector<std::string_view> strings;
  for (StrId i = 1; i < t.strings.size(); ++i) strings.push_back(t.strings.get(i));
  REQUIRE(w.write_strings(1, strings.data(), strings.size()));
  REQUIRE(w.write_labels(0, t.labels.data(), t.labels.size()));
  REQUIRE(w.write_processes(0, t.processes.data(), t.processes.size()));
  REQUIRE(w.write_threads(0, t.threads.data(), t.threads.size()));
}

// Two .vzt files are the same byte for byte after their file headers (whose creation times
// differ).
inline void check_same_after_header(const std::string& a, const std::string& b) {
  const size_t head = sizeof(vzt::FileHeader);
  REQUIRE(a.size() > head);
  CHECK(a.size() == b.size());
  CHECK(a.compare(head, std::string::npos, b, head, std::string::npos) == 0);
}

inline bool same_double(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

inline void check_attachments(const Trace& a, const std::vector<SliceAttachment>& x,
                              const Trace& b, const std::vector<SliceAttachment>& y) {
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(x[i].index == y[i].index);
    CHECK(a.view(x[i].range) == b.view(y[i].range));
  }
}

inline void check_slices(const Trace& a, const SliceSet& x, const Trace& b, const SliceSet& y) {
  REQUIRE(x.size() == y.size());
  CHECK(x.depth_begin == y.depth_begin);
  CHECK(x.nested == y.nested);
  CHECK(x.start == y.start);
  CHECK(x.dur == y.dur);
  CHECK(x.label == y.label);
  CHECK(x.flags == y.flags);
  check_attachments(a, x.args, b, y.args);
  check_attachments(a, x.extras, b, y.extras);
}

inline void check_instants(const Trace& a, const std::vector<Instant>& x, const Trace& b,
                           const std::vector<Instant>& y) {
  REQUIRE(x.size() == y.size());
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(x[i].ts == y[i].ts);
    CHECK(x[i].label == y[i].label);
    CHECK(x[i].thread == y[i].thread);
    CHECK(x[i].scope == y[i].scope);
    CHECK(x[i].phase == y[i].phase);
    CHECK(a.view(x[i].args) == b.view(y[i].args));
    CHECK(a.view(x[i].extra) == b.view(y[i].extra));
  }
}

// Strings, labels, processes, threads (with their slices and instants).
inline void check_tables(const Trace& a, const Trace& b) {
  REQUIRE(a.strings.size() == b.strings.size());
  for (StrId i = 0; i < a.strings.size(); ++i) CHECK(a.str(i) == b.str(i));
  CHECK(a.labels == b.labels);
  REQUIRE(a.processes.size() == b.processes.size());
  for (size_t i = 0; i < a.processes.size(); ++i) {
    const Process &x = a.processes[i], &y = b.processes[i];
    CHECK(x.pid == y.pid);
    CHECK(x.name == y.name);
    CHECK(x.labels == y.labels);
    CHECK(x.sort_index == y.sort_index);
    CHECK(x.has_sort_index == y.has_sort_index);
    CHECK(x.threads == y.threads);
  }
  REQUIRE(a.threads.size() == b.threads.size());
  for (size_t i = 0; i < a.threads.size(); ++i) {
    const Thread &x = a.threads[i], &y = b.threads[i];
    CHECK(x.process == y.process);
    CHECK(x.tid == y.tid);
    CHECK(x.name == y.name);
    CHECK(x.sort_index == y.sort_index);
    CHECK(x.has_sort_index == y.has_sort_index);
    CHECK(x.unmatched_begin == y.unmatched_begin);
    CHECK(x.unmatched_end == y.unmatched_end);
    check_slices(a, x.slices, b, y.slices);
    check_slices(a, x.overflow, b, y.overflow);
    check_instants(a, x.instants, b, y.instants);
  }
}

// Process and global instants, counters, async slices and marks.
inline void check_events(const Trace& a, const Trace& b) {
  check_instants(a, a.process_instants, b, b.process_instants);
  check_instants(a, a.global_instants, b, b.global_instants);
  REQUIRE(a.counters.size() == b.counters.size());
  for (size_t i = 0; i < a.counters.size(); ++i) {
    const Counter &x = a.counters[i], &y = b.counters[i];
    CHECK(x.process == y.process);
    CHECK(x.name == y.name);
    CHECK(x.cat == y.cat);
    CHECK(x.id == y.id);
    CHECK(x.split == y.split);
    CHECK(x.ts == y.ts);
    CHECK(x.tid_of_sample == y.tid_of_sample);
    REQUIRE(x.extras.size() == y.extras.size());
    for (size_t j = 0; j < x.extras.size(); ++j) {
      CHECK(x.extras[j].index == y.extras[j].index);
      CHECK(a.view(x.extras[j].range) == b.view(y.extras[j].range));
    }
    REQUIRE(x.series.size() == y.series.size());
    for (size_t j = 0; j < x.series.size(); ++j) {
      CHECK(x.series[j].key == y.series[j].key);
      REQUIRE(x.series[j].values.size() == y.series[j].values.size());
      for (size_t k = 0; k < x.series[j].values.size(); ++k)
        CHECK(same_double(x.series[j].values[k], y.series[j].values[k]));
    }
  }
  REQUIRE(a.async_slices.size() == b.async_slices.size());
  for (size_t i = 0; i < a.async_slices.size(); ++i) {
    const AsyncSlice &x = a.async_slices[i], &y = b.async_slices[i];
    CHECK(x.start == y.start);
    CHECK(x.dur == y.dur);
    CHECK(x.label == y.label);
    CHECK(x.process == y.process);
    CHECK(x.thread == y.thread);
    CHECK(x.id == y.id);
    CHECK(x.lane == y.lane);
    CHECK(x.flags == y.flags);
    CHECK(x.phase == y.phase);
    CHECK(a.view(x.args) == b.view(y.args));
    CHECK(a.view(x.end_args) == b.view(y.end_args));
    CHECK(x.scope == y.scope);
    CHECK(a.view(x.extra) == b.view(y.extra));
    CHECK(a.view(x.end_extra) == b.view(y.end_extra));
  }
  REQUIRE(a.async_marks.size() == b.async_marks.size());
  for (size_t i = 0; i < a.async_marks.size(); ++i) {
    const AsyncMark &x = a.async_marks[i], &y = b.async_marks[i];
    CHECK((x.ts == y.ts && x.label == y.label && x.process == y.process &&
           x.thread == y.thread && x.id == y.id && x.phase == y.phase && x.scope == y.scope));
    CHECK(a.view(x.args) == b.view(y.args));
    CHECK(a.view(x.extra) == b.view(y.extra));
  }
}

// Flows, objects, others, metadata, files, functions and the trace-level scalars.
inline void check_rest(const Trace& a, const Trace& b) {
  REQUIRE(a.flows.size() == b.flows.size());
  for (size_t i = 0; i < a.flows.size(); ++i) {
    const FlowEvent &x = a.flows[i], &y = b.flows[i];
    CHECK((x.ts == y.ts && x.label == y.label && x.thread == y.thread && x.id == y.id &&
           x.phase == y.phase && x.bind_enclosing == y.bind_enclosing && x.v2 == y.v2));
    CHECK(a.view(x.args) == b.view(y.args));
    CHECK(a.view(x.extra) == b.view(y.extra));
  }
  REQUIRE(a.objects.size() == b.objects.size());
  for (size_t i = 0; i < a.objects.size(); ++i) {
    const ObjectEvent &x = a.objects[i], &y = b.objects[i];
    CHECK((x.ts == y.ts && x.label == y.label && x.process == y.process &&
           x.thread == y.thread && x.id == y.id && x.phase == y.phase && x.scope == y.scope));
    CHECK(a.view(x.args) == b.view(y.args));
    CHECK(a.view(x.extra) == b.view(y.extra));
  }
  REQUIRE(a.others.size() == b.others.size());
  for (size_t i = 0; i < a.others.size(); ++i) {
    const OtherEvent &x = a.others[i], &y = b.others[i];
    CHECK((x.ts == y.ts && x.thread == y.thread && x.phase == y.phase && x.label == y.label));
    CHECK(a.view(x.raw) == b.view(y.raw));
  }
  REQUIRE(a.metadata.size() == b.metadata.size());
  for (size_t i = 0; i < a.metadata.size(); ++i) {
    CHECK(a.metadata[i].key == b.metadata[i].key);
    CHECK(a.view(a.metadata[i].value) == b.view(b.metadata[i].value));
  }
  REQUIRE(a.files.size() == b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    CHECK(a.files[i].path == b.files[i].path);
    CHECK(a.files[i].lines == b.files[i].lines);
    CHECK(a.view(a.files[i].source) == b.view(b.files[i].source));
  }
  REQUIRE(a.functions.size() == b.functions.size());
  for (auto& [k, loc] : a.functions) {
    auto it = b.functions.find(k);
    REQUIRE(it != b.functions.end());
    CHECK(it->second.file == loc.file);
    CHECK(it->second.line == loc.line);
  }
  CHECK(a.display_time_unit == b.display_time_unit);
  CHECK(a.object_form == b.object_form);
  CHECK(a.origin_us == b.origin_us);
  CHECK(a.start == b.start);
  CHECK(a.end == b.end);
  CHECK(a.events == b.events);
}

// Every field of the two models (byte ranges compared by content), diagnostics excepted.
inline void check_same(const Trace& a, const Trace& b) {
  check_tables(a, b);
  check_events(a, b);
  check_rest(a, b);
}

}  // namespace vzt_test
