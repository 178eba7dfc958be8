// add_trace_events(): a loaded trace's events into a builder (formats/merge.cpp).
#include <doctest/doctest.h>

#include <string>

#include "formats/json_writer.h"
#include "formats/loader.h"
#include "formats/merge.h"
#include "formats/numbers.h"
#include "tests/formats/vzt_test_traces.h"

using namespace vz;
using namespace vzt_test;

namespace {

// `src`'s events added to an empty builder, with `src`'s source, and what the caller of
// add_trace_events() keeps itself (top-level members, files, functions, scalars) copied over.
std::unique_ptr<Trace> readded(const Trace& src, Time shift = 0) {
  auto out = std::make_unique<Trace>();
  TraceBuilder b(*out);
  AddedThreads added = add_trace_events(b, src, shift, 0);
  b.finish(2);
  add_unmatched_counts(*out, src, added);
  out->source = src.source;
  out->metadata = src.metadata;
  out->files = src.files;
  out->functions = src.functions;
  out->display_time_unit = src.display_time_unit;
  out->object_form = src.object_form;
  out->origin_us = src.origin_us;
  out->events = src.events;
  out->start = src.start, out->end = src.end;
  return out;
}

std::string json_of(const Trace& t) {
  std::string out;
  REQUIRE(write_json(t, [&](std::string_view s) { return out.append(s), true; }, 1));
  return out;
}

}  // namespace

TEST_CASE("add_trace_events: every kind of event comes over as it was") {
  for (uint32_t seed = 1; seed < 6; ++seed) {
    CAPTURE(seed);
    auto t = every_kind(seed, 1 + int(seed % 3));
    auto back = readded(*t);
    check_same(*t, *back);
    CHECK(json_of(*back) == json_of(*t));
  }
}

TEST_CASE("add_trace_events: times move by the shift, byte ranges by the base") {
  auto t = every_kind(3);
  const Time shift = 123456789;
  auto moved = readded(*t, shift);
  auto back = readded(*moved, -shift);
  check_same(*t, *back);
  // Every slice moved.
  REQUIRE(moved->threads.size() == t->threads.size());
  for (size_t i = 0; i < t->threads.size(); ++i) {
    REQUIRE(moved->threads[i].slices.size() == t->threads[i].slices.size());
    for (size_t k = 0; k < t->threads[i].slices.size(); ++k)
      CHECK(moved->threads[i].slices.start[k] == t->threads[i].slices.start[k] + shift);
  }
  // And every other kind of event: the same events, in the same order, each later by `shift`.
  auto moved_by = [&](auto member, auto time) {
    const auto& x = (*t).*member;
    const auto& y = (*moved).*member;
    REQUIRE(x.size() == y.size());
    CHECK(!x.empty());
    for (size_t i = 0; i < x.size(); ++i) CHECK(time(y[i]) == time(x[i]) + shift);
  };
  moved_by(&Trace::process_instants, [](const Instant& e) { return e.ts; });
  moved_by(&Trace::global_instants, [](const Instant& e) { return e.ts; });
  moved_by(&Trace::async_slices, [](const AsyncSlice& e) { return e.start; });
  moved_by(&Trace::async_marks, [](const AsyncMark& e) { return e.ts; });
  moved_by(&Trace::flows, [](const FlowEvent& e) { return e.ts; });
  moved_by(&Trace::objects, [](const ObjectEvent& e) { return e.ts; });
  moved_by(&Trace::others, [](const OtherEvent& e) { return e.ts; });
  moved_by(&Trace::counters, [](const Counter& c) { return c.ts.empty() ? Time(0) : c.ts[0]; });
  for (size_t i = 0; i < t->threads.size(); ++i)
    for (size_t k = 0; k < t->threads[i].instants.size(); ++k)
      CHECK(moved->threads[i].instants[k].ts == t->threads[i].instants[k].ts + shift);
  // A base: the source is now behind 5 other bytes.
  auto padded = std::make_unique<Trace>();
  {
    TraceBuilder b(*padded);
    AddedThreads added = add_trace_events(b, *t, 0, 5);
    b.finish(1);
    add_unmatched_counts(*padded, *t, added);
  }
  padded->source = std::make_shared<StringBuffer>("12345" + std::string(t->source->view({0, t->source->size()})));
  REQUIRE(padded->threads.size() == t->threads.size());
  for (size_t i = 0; i < t->threads.size(); ++i)
    for (uint32_t k = 0; k < t->threads[i].slices.size(); ++k)
      CHECK(padded->view(padded->threads[i].slices.args_of(k)) == t->view(t->threads[i].slices.args_of(k)));
}

TEST_CASE("add_trace_events: two traces into one builder, threads of the same pid and tid merge") {
  auto a = every_kind(1), b = every_kind(2);
  Trace out;
  TraceBuilder builder(out);
  AddedThreads ta = add_trace_events(builder, *a, 0, 0);
  AddedThreads tb = add_trace_events(builder, *b, 0, 0);
  builder.finish(2);
  add_unmatched_counts(out, *a, ta);
  add_unmatched_counts(out, *b, tb);
  // Both have the same pids and tids: one thread each, holding both traces' slices.
  CHECK(out.threads.size() == a->threads.size());
  CHECK(ta.thread == tb.thread);
  for (size_t i = 0; i < a->threads.size(); ++i) {
    const Thread& th = out.threads[ta.thread[i]];
    CHECK(th.slices.size() + th.overflow.size() ==
          a->threads[i].slices.size() + a->threads[i].overflow.size() + b->threads[i].slices.size() +
              b->threads[i].overflow.size());
    CHECK(th.unmatched_begin == a->threads[i].unmatched_begin + b->threads[i].unmatched_begin);
  }
  CHECK(out.counters.size() >= a->counters.size());
  CHECK(out.objects.size() == a->objects.size() + b->objects.size());
  CHECK(out.flows.size() == a->flows.size() + b->flows.size());
}

TEST_CASE("add_trace_events: events kept as text move with the others, and durations stay in range") {
  LoadResult r = load_bytes(R"({"traceEvents":[
{"ph":"P","pid":1,"tid":1,"ts":7,"name":"sample"},
{"ph":"E","pid":1,"tid":1,"ts":9.5},
{"ph":"v","pid":1,"tid":1,"name":"no ts"},
{"ph":"X","pid":1,"tid":1,"ts":1,"dur":1000,"name":"x"},
{"ph":"b","pid":1,"tid":1,"ts":1,"cat":"c","id":"1","name":"a"},
{"ph":"e","pid":1,"tid":1,"ts":900,"cat":"c","id":"1","name":"a"}]})");
  REQUIRE(r.ok);
  const Trace& src = *r.trace;
  REQUIRE(src.others.size() == 3);
  Trace out;
  std::string text(src.source->view({0, src.source->size()}));
  {
    TraceBuilder b(out);
    add_trace_events(b, src, -2000, 0, -2000, &text);  // 2 us earlier
    b.finish(1);
  }
  out.source = std::make_shared<StringBuffer>(text);
  out.origin_us = src.origin_us;
  const std::string json = json_of(out);
  CHECK(json.find(R"("ph":"P","pid":1,"tid":1,"ts":5,)") != std::string::npos);
  CHECK(json.find(R"("ph":"E","pid":1,"tid":1,"ts":7.5})") != std::string::npos);
  CHECK(json.find(R"("ph":"v","pid":1,"tid":1,"name":"no ts"})") != std::string::npos);
  // Moved to the edge of the time range: starts saturate, durations end inside it.
  Trace edge;
  {
    TraceBuilder b(edge);
    add_trace_events(b, src, kMaxAbsTime - 5000, 0);
    b.finish(1);
  }
  REQUIRE(edge.threads.size() == 1);
  REQUIRE(edge.threads[0].slices.size() == 1);
  CHECK(edge.threads[0].slices.end(0) <= kMaxAbsTime);
  REQUIRE(edge.async_slices.size() == 1);
  CHECK(edge.async_slices[0].start + edge.async_slices[0].dur <= kMaxAbsTime);
}
