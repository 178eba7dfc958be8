// Tests of formats/json_reader.cpp: one TEST_CASE per requirement of the Chrome JSON reader
// (phases, B/E pairing, overflow lanes, tolerated input, exact timestamps, diagnostics, inputs that
// are not traces, truncation). Chunk boundaries are exercised in json_chunk_test.cpp, gzip input in
// gzip_test.cpp, the --stats definitions in stats_test.cpp; golden dumps are in golden_test.cpp.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "formats/numbers.h"
#include "formats/stats.h"
#include "tests/formats/json_test_util.h"

using namespace json_test;

namespace {

// Events with every phase the format names; one per line, object form.
const char* kAllPhases = R"({"traceEvents":[
{"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":10},
{"ph":"B","name":"b","pid":1,"tid":1,"ts":1},
{"ph":"E","pid":1,"tid":1,"ts":2},
{"ph":"i","name":"i","pid":1,"tid":1,"ts":3},
{"ph":"I","name":"I","pid":1,"tid":1,"ts":3},
{"ph":"R","name":"R","pid":1,"tid":1,"ts":3},
{"ph":"C","name":"c","pid":1,"ts":4,"args":{"v":1}},
{"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":"main"}},
{"ph":"b","name":"a","cat":"k","id":1,"pid":1,"tid":1,"ts":5},
{"ph":"n","name":"a","cat":"k","id":1,"pid":1,"tid":1,"ts":6},
{"ph":"e","name":"a","cat":"k","id":1,"pid":1,"tid":1,"ts":7},
{"ph":"S","name":"s","cat":"k","id":2,"pid":1,"tid":1,"ts":5},
{"ph":"T","name":"s","cat":"k","id":2,"pid":1,"tid":1,"ts":6},
{"ph":"p","name":"s","cat":"k","id":2,"pid":1,"tid":1,"ts":6},
{"ph":"F","name":"s","cat":"k","id":2,"pid":1,"tid":1,"ts":7},
{"ph":"s","name":"f","cat":"k","id":3,"pid":1,"tid":1,"ts":1},
{"ph":"t","name":"f","cat":"k","id":3,"pid":1,"tid":1,"ts":2},
{"ph":"f","name":"f","cat":"k","id":3,"pid":1,"tid":1,"ts":3},
{"ph":"N","name":"o","id":4,"pid":1,"tid":1,"ts":1},
{"ph":"O","name":"o","id":4,"pid":1,"tid":1,"ts":2},
{"ph":"D","name":"o","id":4,"pid":1,"tid":1,"ts":3},
{"ph":"P","name":"sample","pid":1,"tid":1,"ts":4},
{"ph":"v","name":"dump","pid":1,"tid":1,"ts":4},
{"ph":"V","name":"vdump","pid":1,"tid":1,"ts":4},
{"ph":"?","name":"unknown","pid":1,"tid":1,"ts":4}
]})";

// The load must succeed; returns the trace.
const Trace& ok(const LoadResult& r) {
  REQUIRE_MESSAGE(r.ok, "load failed: ", r.error);
  REQUIRE(r.trace != nullptr);
  return *r.trace;
}

std::string without_first_line(const std::string& s) { return s.substr(s.find('\n') + 1); }

}  // namespace

TEST_CASE("reader: every phase is read into its place; unknown phases are kept and counted") {
  LoadResult r = load(kAllPhases);
  const Trace& t = ok(r);
  const Thread& th = thread(t, "1", "1");
  CHECK(t.events == 25);
  CHECK(th.name != kNoStr);
  CHECK(t.str(th.name) == "main");
  CHECK(th.slices.size() == 2);  // X and B/E
  CHECK(th.instants.size() == 3);  // i, I, R
  CHECK(t.counters.size() == 1);
  CHECK(t.async_slices.size() == 2);  // b/e and S/F
  CHECK(t.async_marks.size() == 3);   // n, T, p
  CHECK(t.flows.size() == 3);
  CHECK(t.objects.size() == 3);
  CHECK(t.others.size() == 4);  // P, v, V, "?"
  CHECK(t.diagnostics.count(DiagKind::UnknownPhase) == 1);
  CHECK(t.diagnostics.get(DiagKind::UnknownPhase).first_offset == offset_of(kAllPhases, R"({"ph":"?")"));
  for (DiagKind k : t.diagnostics.present()) CHECK(k == DiagKind::UnknownPhase);
  std::string phases;
  for (const OtherEvent& o : t.others) phases += std::string(t.str(o.phase)) + ",";
  CHECK(phases == "P,v,V,?,");
  CHECK(t.view(t.others[3].raw) == R"({"ph":"?","name":"unknown","pid":1,"tid":1,"ts":4})");
  check_invariants(t);
}

TEST_CASE("reader: each E closes the most recent open B of its thread, whatever its name") {
  const char* doc = R"([
{"ph":"B","name":"outer","pid":1,"tid":1,"ts":0},
{"ph":"B","name":"inner","pid":1,"tid":1,"ts":1},
{"ph":"B","name":"other thread","pid":1,"tid":2,"ts":1},
{"ph":"E","name":"outer","pid":1,"tid":1,"ts":2},
{"ph":"E","name":"nothing","pid":1,"tid":1,"ts":5},
{"ph":"E","pid":1,"tid":2,"ts":9}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  const Thread& a = thread(t, "1", "1");
  REQUIRE(a.slices.depths() == 2);
  CHECK(names_at(t, a.slices, 0) == std::vector<std::string>{"outer"});
  CHECK(names_at(t, a.slices, 1) == std::vector<std::string>{"inner"});
  CHECK(a.slices.dur[a.slices.depth_begin[0]] == 5000);  // outer: 0..5
  CHECK(a.slices.dur[a.slices.depth_begin[1]] == 1000);  // inner: 1..2 (closed by the E named "outer")
  CHECK((a.slices.flags[0] & kSliceFromBE) != 0);
  const Thread& b = thread(t, "1", "2");
  REQUIRE(b.slices.size() == 1);
  CHECK(b.slices.dur[0] == 8000);
  CHECK(t.diagnostics.empty());
  check_invariants(t);
}

TEST_CASE("reader: an unmatched B stays open to the end of the trace and is marked") {
  const char* doc = R"([
{"ph":"B","name":"never closed","pid":1,"tid":1,"ts":10,"args":{"a":1}},
{"ph":"X","name":"inside","pid":1,"tid":1,"ts":20,"dur":5},
{"ph":"X","name":"last","pid":1,"tid":2,"ts":90,"dur":10}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  const Thread& th = thread(t, "1", "1");
  uint32_t i = find_slice(t, th.slices, "never closed");
  REQUIRE(i != kNone);
  CHECK((th.slices.flags[i] & kSliceOpen) != 0);
  CHECK(t.origin_us == 10);
  CHECK(th.slices.start[i] == 0);
  CHECK(th.slices.end(i) == t.end);
  CHECK(t.end == 90000);  // "last" ends at 100 us
  CHECK(t.view(th.slices.args_of(i)) == R"({"a":1})");
  CHECK(th.slices.depth_of(find_slice(t, th.slices, "inside")) == 1);
  CHECK(th.unmatched_begin == 1);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedBegin) == 1);
  CHECK(t.diagnostics.get(DiagKind::UnmatchedBegin).first_offset == offset_of(doc, R"({"ph":"B")"));
  CHECK(summarize(t).slices == 3);
}

TEST_CASE("reader: an unmatched E is counted with its offset and kept verbatim") {
  const char* doc = R"([
{"ph":"E","pid":1,"tid":1,"ts":1,"args":{"why":"stray"}},
{"ph":"B","name":"b","pid":1,"tid":1,"ts":2},
{"ph":"E","pid":1,"tid":1,"ts":3},
{"ph":"E","pid":1,"tid":1,"ts":4}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  const Thread& th = thread(t, "1", "1");
  CHECK(th.slices.size() == 1);
  CHECK(th.unmatched_end == 2);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedEnd) == 2);
  CHECK(t.diagnostics.get(DiagKind::UnmatchedEnd).first_offset == 2);
  REQUIRE(t.others.size() == 2);
  CHECK(t.view(t.others[0].raw) == R"({"ph":"E","pid":1,"tid":1,"ts":1,"args":{"why":"stray"}})");
}

TEST_CASE("reader: B/E of a thread are paired in time order when the file is not sorted") {
  const char* doc = R"([
{"ph":"E","pid":1,"tid":1,"ts":30},
{"ph":"B","name":"late","pid":1,"tid":1,"ts":20},
{"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":5},
{"ph":"B","name":"early","pid":1,"tid":1,"ts":10},
{"ph":"E","pid":1,"tid":1,"ts":15}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  const Thread& th = thread(t, "1", "1");
  CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"x", "early", "late"});
  CHECK(th.slices.dur[1] == 5000);
  CHECK(th.slices.dur[2] == 10000);
  CHECK(t.diagnostics.empty());
}

TEST_CASE("reader: overlapping X that cannot nest go to overflow lanes, never dropped") {
  const char* doc = R"([
{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":5,"dur":10},
{"ph":"X","name":"c","pid":1,"tid":1,"ts":6,"dur":10},
{"ph":"X","name":"d","pid":1,"tid":1,"ts":16,"dur":1},
{"ph":"X","name":"e","pid":1,"tid":1,"ts":2,"dur":3}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  const Thread& th = thread(t, "1", "1");
  CHECK(th.slices.size() + th.overflow.size() == 5);
  CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"a", "d"});
  CHECK(names_at(t, th.slices, 1) == std::vector<std::string>{"e"});
  REQUIRE(th.overflow.depths() == 2);  // b and c overlap each other too
  CHECK(names_at(t, th.overflow, 0) == std::vector<std::string>{"b"});
  CHECK(names_at(t, th.overflow, 1) == std::vector<std::string>{"c"});
  CHECK(t.diagnostics.count(DiagKind::OverlappingSlice) == 2);
  CHECK(summarize(t).threads[0].slices == 5);
  check_invariants(t);
}

TEST_CASE("reader: an overlapping slice is reported at the offset of its event") {
  const char* doc = R"([
{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":5,"dur":10}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(t.diagnostics.count(DiagKind::OverlappingSlice) == 1);
  CHECK(t.diagnostics.get(DiagKind::OverlappingSlice).first_offset ==
        offset_of(doc, R"({"ph":"X","name":"b")"));
}

TEST_CASE("reader: events are sorted by time where the model needs it") {
  const char* doc = R"([
{"ph":"X","name":"x2","pid":1,"tid":1,"ts":20,"dur":1},
{"ph":"X","name":"x1","pid":1,"tid":1,"ts":10,"dur":1},
{"ph":"i","name":"i2","pid":1,"tid":1,"ts":20},
{"ph":"i","name":"i1","pid":1,"tid":1,"ts":10},
{"ph":"i","name":"g2","s":"g","pid":1,"tid":1,"ts":20},
{"ph":"i","name":"g1","s":"g","pid":1,"tid":1,"ts":10},
{"ph":"C","name":"c","pid":1,"ts":20,"args":{"v":2}},
{"ph":"C","name":"c","pid":1,"ts":10,"args":{"v":1}},
{"ph":"s","name":"f","id":1,"pid":1,"tid":1,"ts":20},
{"ph":"s","name":"f","id":2,"pid":1,"tid":1,"ts":10},
{"ph":"O","name":"o","id":1,"pid":1,"ts":20},
{"ph":"O","name":"o","id":1,"pid":1,"ts":10},
{"ph":"b","name":"a2","cat":"k","id":2,"pid":1,"ts":20},{"ph":"e","cat":"k","id":2,"pid":1,"ts":21},
{"ph":"b","name":"a1","cat":"k","id":1,"pid":1,"ts":10},{"ph":"e","cat":"k","id":1,"pid":1,"ts":11}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  const Thread& th = thread(t, "1", "1");
  CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"x1", "x2"});
  REQUIRE(th.instants.size() == 2);
  CHECK(t.name_of(th.instants[0].label) == "i1");
  REQUIRE(t.global_instants.size() == 2);
  CHECK(t.name_of(t.global_instants[0].label) == "g1");
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].series[0].values == std::vector<double>{1, 2});
  REQUIRE(t.flows.size() == 2);
  CHECK(t.str(t.flows[0].id) == "2");
  REQUIRE(t.objects.size() == 2);
  CHECK(t.objects[0].ts < t.objects[1].ts);
  REQUIRE(t.async_slices.size() == 2);
  CHECK(t.name_of(t.async_slices[0].label) == "a1");
  check_invariants(t);
}

TEST_CASE("reader: array form and object form give the same model") {
  const char* events = R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":10,"args":{"k":1}},
{"ph":"B","name":"b","pid":1,"tid":1,"ts":1},{"ph":"E","pid":1,"tid":1,"ts":2})";
  std::string array = std::string("[") + events + "]";
  std::string object = std::string("{\"traceEvents\":[") + events + "]}";
  LoadResult a = load(array), o = load(object);
  CHECK_FALSE(ok(a).object_form);
  CHECK(ok(o).object_form);
  std::string da = dump_model(*a.trace), dobj = dump_model(*o.trace);
  CHECK(without_first_line(da) == without_first_line(dobj));
  CHECK(a.trace->diagnostics.empty());
  CHECK(o.trace->diagnostics.empty());
}

TEST_CASE("reader: keys spelled with spaces, escapes or at the end of the input read alike") {
  // The common keys have a fast path that reads `"key":` as one word; any other spelling of the
  // same members (spaces around the colon, escaped letters, the last bytes of the input) must
  // give the same model.
  const std::string compact =
      R"([{"pid":1,"tid":2,"ts":3,"dur":4,"name":"a","ph":"X","cat":"c","args":{"k":1}},)"
      R"({"ph":"b","cat":"c","id":7,"name":"s","pid":1,"tid":2,"ts":3},)"
      R"({"ph":"e","cat":"c","id":7,"name":"s","pid":1,"tid":2,"ts":9}])";
  const std::string spaced =
      R"([{"pid" :1,"tid": 2,"ts"	:3,"dur"  :  4,"name" :"a","ph" : "X","cat" :"c","args" :{"k":1}},)"
      R"({"ph" :"b","cat" :"c","id" :7,"name":"s","pid":1,"tid":2,"ts":3},)"
      R"({"ph":"e","cat":"c","id" : 7,"name":"s","pid":1,"tid":2,"ts" :9}])";
  const std::string escaped =
      R"([{"p\u0069d":1,"\u0074id":2,"t\u0073":3,"du\u0072":4,"n\u0061me":"a","p\u0068":"X","c\u0061t":"c","\u0061rgs":{"k":1}},)"
      R"({"ph":"b","cat":"c","\u0069d":7,"name":"s","pid":1,"tid":2,"ts":3},)"
      R"({"ph":"e","cat":"c","id":7,"name":"s","pid":1,"tid":2,"ts":9}])";
  // Without the closing ] (reported), the last event's last key is within 8 bytes of the end.
  const std::string tail =
      R"([{"pid":1,"tid":2,"ts":3,"dur":4,"name":"a","ph":"X","cat":"c","args":{"k":1}},)"
      R"({"ph":"b","cat":"c","id":7,"name":"s","pid":1,"tid":2,"ts":3},)"
      R"({"ph":"e","cat":"c","id":7,"name":"s","pid":1,"tid":2,"ts":9})";
  LoadResult c = load(compact);
  const std::string want = without_first_line(dump_model(ok(c)));
  CHECK(c.trace->diagnostics.empty());
  CHECK(ok(c).async_slices.size() == 1);
  CHECK(ok(c).slice_count() == 1);
  for (const std::string* other : {&spaced, &escaped}) {
    LoadResult r = load(*other);
    CHECK(without_first_line(dump_model(ok(r))) == want);
  }
  LoadResult t = load(tail);
  const std::string got = without_first_line(dump_model(ok(t)));
  CHECK(got.substr(0, got.find("diagnostics")) == want.substr(0, want.find("diagnostics")));
  CHECK(t.trace->diagnostics.count(DiagKind::MissingClose) == 1);
}

TEST_CASE("reader: a missing closing ] or } is accepted and reported once") {
  const std::string ev = R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":1})";
  struct Case {
    std::string doc;
    const char* detail;
  };
  for (const Case& c : {Case{"[" + ev, "event array"}, Case{"[" + ev + ",", "event array"},
                        Case{"[" + ev + ",\n  ", "event array"},
                        Case{"{\"traceEvents\":[" + ev, "traceEvents array"},
                        Case{"{\"traceEvents\":[" + ev + "]", "top-level object"},
                        Case{"{\"traceEvents\":[" + ev + "],\"x\":1", "top-level object"}}) {
    INFO("input: ", c.doc);
    LoadResult t_result = load(c.doc);
    const Trace& t = ok(t_result);
    CHECK(thread(t, "1", "1").slices.size() == 1);
    CHECK(t.diagnostics.count(DiagKind::MissingClose) == 1);
    CHECK(t.diagnostics.get(DiagKind::MissingClose).detail == c.detail);
    CHECK(t.diagnostics.get(DiagKind::MissingClose).first_offset == c.doc.size());
  }
}

TEST_CASE("reader: trailing commas are accepted and counted") {
  const char* doc = R"([{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":1,},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":2,"dur":1},])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(thread(t, "1", "1").slices.size() == 2);
  CHECK(t.diagnostics.count(DiagKind::TrailingComma) == 2);
  CHECK(t.diagnostics.get(DiagKind::TrailingComma).first_offset == offset_of(doc, ",}") + 1);
  for (DiagKind k : t.diagnostics.present()) CHECK(k == DiagKind::TrailingComma);
}

TEST_CASE("reader: a trailing comma in the top-level object is accepted and counted") {
  const char* doc = R"({"traceEvents":[{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":1}],"meta":1,})";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(thread(t, "1", "1").slices.size() == 1);
  CHECK(t.metadata.size() == 1);
  CHECK(t.diagnostics.count(DiagKind::TrailingComma) == 1);
}

TEST_CASE("reader: a UTF-8 BOM is skipped; offsets still count it") {
  std::string doc = "\xef\xbb\xbf[{\"ph\":\"X\",\"name\":\"a\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":1},{\"ph\":\"Q\"}]";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(thread(t, "1", "1").slices.size() == 1);
  CHECK(t.diagnostics.get(DiagKind::UnknownPhase).first_offset == offset_of(doc, "{\"ph\":\"Q\"}"));
  std::string obj = "\xef\xbb\xbf  {\"traceEvents\":[]}";
  CHECK(ok(load(obj)).diagnostics.empty());
}

TEST_CASE("reader: pid/tid/ts/dur/id as strings or numbers; 1, 1.0 and \"1\" are the same") {
  const char* doc = R"([
{"ph":"X","name":"a","pid":1,"tid":7,"ts":0,"dur":1},
{"ph":"X","name":"b","pid":1.0,"tid":"7","ts":"2","dur":"1.5"},
{"ph":"X","name":"c","pid":"1","tid":7.0,"ts":4.0,"dur":1e0},
{"ph":"X","name":"d","pid":"1.00","tid":"7e0","ts":"6","dur":1},
{"ph":"b","name":"s","cat":"k","id":10,"pid":1,"tid":7,"ts":1},
{"ph":"e","cat":"k","id":"10","pid":1.0,"tid":7,"ts":3},
{"ph":"b","name":"s2","cat":"k","id":"0x1F","pid":1,"tid":7,"ts":1},
{"ph":"e","cat":"k","id":"0x1F","pid":1,"tid":7,"ts":2},
{"ph":"X","name":"e","pid":-3,"tid":2.5,"ts":0,"dur":1}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(t.processes.size() == 2);
  CHECK(t.threads.size() == 2);
  const Thread& th = thread(t, "1", "7");
  CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(th.slices.start[1] == 2000);
  CHECK(th.slices.dur[1] == 1500);
  CHECK(th.slices.start[2] == 4000);
  CHECK(th.slices.dur[2] == 1000);
  REQUIRE(t.async_slices.size() == 2);
  CHECK(t.async_slices[0].dur + t.async_slices[1].dur == 3000);
  std::vector<std::string> ids;
  for (const AsyncSlice& a : t.async_slices) ids.emplace_back(t.str(a.id));
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"0x1F", "10"});
  CHECK(find_thread(t, "-3", "2.5") != nullptr);
  CHECK(t.diagnostics.empty());
}

TEST_CASE("reader: id2 (local/global) and bind_id") {
  const char* doc = R"([
{"ph":"b","name":"l","cat":"k","id2":{"local":"0x5"},"pid":1,"tid":1,"ts":0},
{"ph":"e","cat":"k","id2":{"local":"0x5"},"pid":1,"tid":1,"ts":4},
{"ph":"b","name":"g","cat":"k","id2":{"global":5},"pid":1,"tid":1,"ts":1},
{"ph":"e","cat":"k","id2":{"global":5.0},"pid":1,"tid":1,"ts":2},
{"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":1,"bind_id":"0xab","flow_out":true},
{"ph":"f","name":"x","id":"0xab","bp":"e","pid":1,"tid":2,"ts":3}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  REQUIRE(t.async_slices.size() == 2);
  std::vector<std::string> ids;
  for (const AsyncSlice& a : t.async_slices) ids.emplace_back(t.str(a.id));
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"global:5", "local:0x5"});
  REQUIRE(t.flows.size() == 2);
  CHECK(t.flows[0].phase == 'X');
  CHECK(t.str(t.flows[0].id) == "0xab");
  CHECK(t.str(t.flows[1].id) == "0xab");
  CHECK(t.flows[1].bind_enclosing);
  CHECK(t.diagnostics.empty());
}

TEST_CASE("reader: displayTimeUnit anywhere is for display only; values stay microseconds") {
  const char* events = R"([{"ph":"X","name":"a","pid":1,"tid":1,"ts":1.5,"dur":2}])";
  LoadResult plain = load(std::string("{\"traceEvents\":") + events + "}");
  LoadResult before = load(std::string("{\"displayTimeUnit\":\"ns\",\"traceEvents\":") + events + "}");
  LoadResult after = load(std::string("{\"traceEvents\":") + events + ",\"displayTimeUnit\":\"ms\"}");
  CHECK(ok(plain).display_time_unit.empty());
  CHECK(ok(before).display_time_unit == "ns");
  CHECK(ok(after).display_time_unit == "ms");
  for (const LoadResult* r : {&plain, &before, &after}) {
    const Thread& th = thread(*r->trace, "1", "1");
    CHECK(r->trace->origin_us == 1);
    CHECK(th.slices.start[0] == 500);
    CHECK(th.slices.dur[0] == 2000);
  }
}

TEST_CASE("reader: timestamps near 1e18 us are exact to the ns") {
  const char* doc = R"([
{"ph":"X","name":"a","pid":1,"tid":1,"ts":1000000000000000000.001,"dur":0.001},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":"1000000000000000123.456","dur":"7.891"},
{"ph":"B","name":"c","pid":1,"tid":1,"ts":999999999999999999.999},
{"ph":"E","pid":1,"tid":1,"ts":1000000000000000000.0005},
{"ph":"i","name":"i","pid":1,"tid":1,"ts":1e18}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(t.origin_us == 1000000000000000000);
  const Thread& th = thread(t, "1", "1");
  uint32_t a = find_slice(t, th.slices, "a");
  uint32_t b = find_slice(t, th.slices, "b");
  uint32_t c = find_slice(t, th.slices, "c");
  REQUIRE(a != kNone);
  REQUIRE(b != kNone);
  REQUIRE(c != kNone);
  CHECK(th.slices.start[a] == 1);
  CHECK(th.slices.dur[a] == 1);
  CHECK(th.slices.start[b] == 123456);
  CHECK(th.slices.dur[b] == 7891);
  CHECK(th.slices.start[c] == -1);
  CHECK(th.slices.dur[c] == 2);  // E at +0.5 ns rounds half away from zero to +1 ns
  REQUIRE(th.instants.size() == 1);
  CHECK(th.instants[0].ts == 0);
  std::string text;
  append_us(text, t.origin_us, th.slices.start[b]);
  CHECK(text == "1000000000000000123.456");
  CHECK(t.diagnostics.empty());
}

TEST_CASE("reader: the time origin is found after leading junk and many metadata events") {
  const std::string ev = R"({"ph":"X","name":"a","pid":1,"tid":1,"ts":1000000000000000000.001,"dur":0.001})";
  std::string many_meta = "[";
  for (int i = 0; i < 5000; ++i)
    many_meta += R"({"ph":"M","name":"thread_name","pid":1,"tid":)" + std::to_string(i) +
                 R"(,"args":{"name":"t"}},)";
  for (const std::string& doc : {std::string(R"([{"ph":"X","name":"broken" "ts":1},)") + ev + "]",
                                 std::string("[42,") + ev + "]", std::string(R"([{"ph":"X"},)") + ev + "]",
                                 many_meta + ev + "]"}) {
    INFO("input starts: ", doc.substr(0, 60));
    LoadResult t_result = load(doc);
    const Trace& t = ok(t_result);
    CHECK(t.diagnostics.count(DiagKind::TimestampOutOfRange) == 0);
    const Thread& th = thread(t, "1", "1");
    REQUIRE(th.slices.size() == 1);
    CHECK(t.origin_us == 1000000000000000000);
    CHECK(th.slices.start[0] == 1);
  }
}

TEST_CASE("reader: out-of-range timestamps and durations never make a slice end overflow int64") {
  // A clamped start (or a clamped dur) must still leave start + dur representable: SliceSet::end(),
  // SliceSet::visible() and every renderer compute it.
  const char* doc = R"([
{"ph":"i","name":"origin","pid":1,"tid":9,"ts":5},
{"ph":"X","name":"far","pid":1,"tid":1,"ts":1e30,"dur":1},
{"ph":"X","name":"long","pid":1,"tid":2,"ts":10,"dur":1e30},
{"ph":"X","name":"neg","pid":1,"tid":3,"ts":-1e30,"dur":1}])";
  LoadResult r = load(doc);
  const Trace& t = ok(r);
  CHECK(t.diagnostics.count(DiagKind::TimestampOutOfRange) >= 2);
  for (const Thread& th : t.threads) {
    for (uint32_t i = 0; i < th.slices.size(); ++i) {
      INFO("slice ", std::string(t.name_of(th.slices.label[i])));
      CHECK(th.slices.dur[i] >= 0);
      CHECK(th.slices.start[i] <= std::numeric_limits<Time>::max() - th.slices.dur[i]);
    }
  }
}

TEST_CASE("reader: negative timestamps") {
  const char* doc = R"([
{"ph":"X","name":"a","pid":1,"tid":1,"ts":-10.5,"dur":5},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":-20,"dur":30},
{"ph":"C","name":"c","pid":1,"ts":-1,"args":{"v":-2.5}},
{"ph":"i","name":"i","pid":1,"tid":1,"ts":"-0.0005"}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  CHECK(t.origin_us == -11);
  const Thread& th = thread(t, "1", "1");
  CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"b"});
  CHECK(names_at(t, th.slices, 1) == std::vector<std::string>{"a"});
  CHECK(th.slices.start[0] + t.origin_us * 1000 == -20000);
  CHECK(th.slices.start[1] + t.origin_us * 1000 == -10500);
  CHECK(th.instants[0].ts + t.origin_us * 1000 == -1);
  CHECK(t.counters[0].series[0].values[0] == -2.5);
  CHECK(t.start + t.origin_us * 1000 == -20000);
  CHECK(t.diagnostics.empty());
}

TEST_CASE("reader: huge strings in names and args") {
  std::string name(1u << 20, 'n');
  std::string arg(16u << 20, 'a');
  for (size_t i = 0; i < arg.size(); i += 4099) arg[i] = '\\', arg[i + 1] = '"';  // escapes too
  std::string doc = R"([{"ph":"X","name":")" + name + R"(","pid":1,"tid":1,"ts":0,"dur":1,"args":{"s":")" + arg +
                    R"("}},{"ph":"X","name":"next","pid":1,"tid":1,"ts":2,"dur":1}])";
  for (unsigned threads : {1u, 4u}) {
    INFO("threads=", threads);
    LoadResult t_result = load(doc, threads);
    const Trace& t = ok(t_result);
    const Thread& th = thread(t, "1", "1");
    REQUIRE(th.slices.size() == 2);
    CHECK(t.name_of(th.slices.label[0]).size() == name.size());
    CHECK(t.view(th.slices.args_of(0)).size() == arg.size() + 8);
    CHECK(t.name_of(th.slices.label[1]) == "next");
    CHECK(t.diagnostics.empty());
  }
}

TEST_CASE("reader: 100000-deep nesting anywhere never overflows the stack") {
  const int n = 100000;
  std::string arr = std::string(n, '[') + "1" + std::string(n, ']');
  std::string obj;
  for (int i = 0; i < n; ++i) obj += "{\"a\":";
  obj += "1" + std::string(n, '}');
  std::string doc = "{\"deep\":" + arr + ",\"traceEvents\":[" +
                    R"({"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":1,"args":)" + obj + "}," +
                    R"({"ph":"C","name":"c","pid":1,"ts":1,"args":{"v":)" + arr + "}}," +
                    R"({"ph":"M","name":"thread_name","pid":1,"tid":1,"args":{"name":)" + arr + "}}," +
                    R"({"ph":"b","name":"a","cat":"k","id2":{"local":)" + arr + R"(},"pid":1,"ts":2},)" +
                    R"({"ph":"i","name":"i","pid":1,"tid":1,"ts":3,"args":{"x":)" + obj + "}}," + arr + "," +
                    R"({"ph":"X","name":"y","pid":1,"tid":1,"ts":4,"dur":1}],"file_info":{"files":{"f":)" + arr +
                    R"(},"functions":)" + obj + "}}";
  for (unsigned threads : {1u, 4u}) {
    INFO("threads=", threads);
    LoadResult r = load(doc, threads);
    const Trace& t = ok(r);
    const Thread& th = thread(t, "1", "1");
    CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"x", "y"});
    CHECK(t.view(th.slices.args_of(0)) == obj);
    CHECK(th.instants.size() == 1);
    CHECK(t.diagnostics.count(DiagKind::BadCounterValue) == 1);
    CHECK(t.diagnostics.count(DiagKind::NotAnObject) == 1);
    CHECK(t.diagnostics.count(DiagKind::BadMetadata) == 1);
    CHECK(dump_model(t).size() > 4 * size_t(n));
    CHECK(stats_json("deep.json", r, LoadMeasure{}).find("\"threads\"") != std::string::npos);
  }
  SUBCASE("unclosed nesting at the end of the input") {
    std::string cut = R"([{"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":1},{"ph":"X","args":)";
    for (int i = 0; i < n; ++i) cut += R"([{"k":)";  // valid so far, never closed
    LoadResult t_result = load(cut);
    const Trace& t = ok(t_result);
    CHECK(t.events == 1);
    CHECK(t.diagnostics.count(DiagKind::TruncatedInput) == 1);
  }
  SUBCASE("a top-level document that is only nesting") {
    LoadResult r = load(std::string(n, '['));
    CHECK(r.trace != nullptr);
    LoadResult r2 = load(std::string(n, '{'));
    CHECK_FALSE(r2.ok);
  }
}

TEST_CASE("reader: problems are counted by kind with the byte offset of the first occurrence") {
  const char* doc = R"({"traceEvents":[
{"ph":"X","name":"ok","pid":1,"tid":1,"ts":0,"dur":1},
{"name":"no phase","ts":1},
{"ph":"X","name":"nodur","pid":1,"tid":1,"ts":1},
{"ph":"X","name":"negdur","pid":1,"tid":1,"ts":1,"dur":-5},
{"ph":"B","name":"nots","pid":1,"tid":1},
{"ph":"X","name":"badts","pid":1,"tid":1,"ts":[1],"dur":1},
{"ph":"X","name":"broken" 1},
{"ph":"Q","name":"q","pid":1,"tid":1,"ts":1},
"str",
{"ph":"C","name":"c","pid":1,"ts":1,"args":{"v":"x"}},
{"ph":"M","name":"process_name","pid":1,"args":{"name":5}},
{"ph":"X","name":"far","pid":1,"tid":2,"ts":1e30,"dur":1},
{"ph":"E","pid":1,"tid":3,"ts":1},
{"ph":"e","cat":"k","id":1,"pid":1,"ts":1},
{"ph":"X","name":"ok2","pid":1,"tid":1,"ts":2,"dur":1}
]} trailing)";
  LoadResult r = load(doc);
  const Trace& t = ok(r);
  struct Want {
    DiagKind kind;
    uint64_t count;
    const char* at;  // text whose offset is the first occurrence
  };
  const Want wants[] = {
      {DiagKind::MissingPhase, 1, R"({"name":"no phase")"},
      {DiagKind::MissingDuration, 2, R"({"ph":"X","name":"nodur")"},
      {DiagKind::MissingTimestamp, 1, R"({"ph":"B","name":"nots")"},
      {DiagKind::BadFieldType, 1, R"([1],"dur")"},
      {DiagKind::MalformedEvent, 1, R"({"ph":"X","name":"broken")"},
      {DiagKind::UnknownPhase, 1, R"({"ph":"Q")"},
      {DiagKind::NotAnObject, 1, R"("str")"},
      {DiagKind::BadCounterValue, 1, R"(x"}})"},
      {DiagKind::BadMetadata, 1, R"({"ph":"M")"},
      {DiagKind::TimestampOutOfRange, 1, "1e30"},
      {DiagKind::UnmatchedEnd, 1, R"({"ph":"E")"},
      {DiagKind::UnmatchedAsyncEnd, 1, R"({"ph":"e")"},
      {DiagKind::TrailingGarbage, 1, "trailing"},
  };
  size_t checked = 0;
  for (const Want& w : wants) {
    INFO("kind ", diag_info(w.kind).id);
    CHECK(t.diagnostics.count(w.kind) == w.count);
    CHECK(t.diagnostics.get(w.kind).first_offset == offset_of(doc, w.at));
    CHECK_FALSE(t.diagnostics.message(w.kind).empty());
    ++checked;
  }
  CHECK(t.diagnostics.present().size() == checked);
  CHECK(names_at(t, thread(t, "1", "1").slices, 0) == std::vector<std::string>{"ok", "ok2"});
  CHECK(stats_json("x.json", r, LoadMeasure{}).find("\"unknown_phase\"") != std::string::npos);
}

TEST_CASE("reader: a name or cat that is not a string keeps its event: a number as its text, null as none") {
  const char* doc = R"([
{"ph":"X","name":null,"pid":1,"tid":1,"ts":0,"dur":10},
{"ph":"X","name":12345,"cat":null,"pid":1,"tid":1,"ts":1,"dur":2},
{"ph":"X","name":"inner","cat":true,"pid":1,"tid":1,"ts":1,"dur":1},
{"ph":"B","name":{"a":1},"pid":1,"tid":2,"ts":0},
{"ph":"E","pid":1,"tid":2,"ts":5},
{"ph":"i","name":null,"pid":1,"tid":3,"ts":0,"s":"t"}])";
  LoadResult r = load(doc);
  const Trace& t = ok(r);
  CHECK(t.diagnostics.count(DiagKind::BadFieldType) == 5);  // one per event
  CHECK(t.diagnostics.get(DiagKind::BadFieldType).first_offset == offset_of(doc, R"({"ph":"X","name":null)"));
  const Thread& one = thread(t, "1", "1");
  CHECK(names_at(t, one.slices, 0) == std::vector<std::string>{""});
  CHECK(names_at(t, one.slices, 1) == std::vector<std::string>{"12345"});
  CHECK(names_at(t, one.slices, 2) == std::vector<std::string>{"inner"});
  CHECK(t.str(t.labels[one.slices.label[2]].cat) == "true");
  const Thread& two = thread(t, "1", "2");
  CHECK(two.slices.size() == 1);
  CHECK(two.unmatched_end == 0);
  CHECK(thread(t, "1", "3").instants.size() == 1);
}

TEST_CASE("reader: inputs that are not a trace give one clear error with a byte offset") {
  struct Case {
    std::string bytes;
    uint64_t offset;
  };
  const Case cases[] = {
      {"", 0},
      {"   \n\t ", 0},
      {"hello world", 0},
      {"<html><body>", 0},
      {"42", 0},
      {"  42", 2},
      {"-1.5", 0},
      {"\"str\"", 0},
      {"true", 0},
      {"null", 0},
      {std::string("\0", 1), 0},
      {std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), 0},
      {std::string("\x7f" "ELF\x02\x01\x01\0\0\0", 10), 0},
      {std::string("\xff\xfe[\0{\0\"\0", 8), 0},  // UTF-16 LE with BOM
      {std::string("\xfe\xff\0[\0{", 6), 0},      // UTF-16 BE with BOM
      {std::string("[\0{\0\"\0p\0", 8), 0},       // UTF-16 LE without BOM
      {"\xef\xbb\xbf" "42", 3},
  };
  for (const Case& c : cases) {
    INFO("input bytes: ", c.bytes);
    LoadResult r = load(c.bytes);
    REQUIRE(r.trace != nullptr);
    CHECK_FALSE(r.ok);
    CHECK_FALSE(r.error.empty());
    CHECK(r.error_offset == c.offset);
    CHECK(r.trace->diagnostics.count(DiagKind::NotATrace) == 1);
    CHECK(r.trace->events == 0);
    CHECK(r.trace->threads.empty());
    std::string stats = stats_json("bad", r, LoadMeasure{});
    CHECK(stats.find("\"error\":{\"message\":") != std::string::npos);
  }
}

TEST_CASE("reader: the not-a-trace message does not call plain text a JSON scalar") {
  for (const char* text : {"the quick brown fox", "fatal: not found", "nothing here"}) {
    INFO("input: ", std::string(text));
    LoadResult r = load(text);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("scalar") == std::string::npos);
  }
  CHECK(load("true").error.find("scalar") != std::string::npos);
}

TEST_CASE("reader: a JSON object without traceEvents is not a trace") {
  for (const char* doc : {"{}", "{\"foo\":1,\"bar\":[1,2]}", "{\"traceEvents\":5}", "{\"traceEvents\":{}}",
                          "{\"a\":1} [{\"ph\":\"X\",\"name\":\"x\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":1}]"}) {
    INFO("input: ", std::string(doc));
    LoadResult r = load(doc);
    CHECK_FALSE(r.ok);
    CHECK(r.error.find("traceEvents") != std::string::npos);
    CHECK(r.trace->slice_count() == 0);
  }
}

TEST_CASE("reader: a malformed top-level object: the error offset points at the problem") {
  const char* doc = R"({"meta": @, "traceEvents":[]})";
  LoadResult r = load(doc);
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.error.empty());
  CHECK(r.error_offset == offset_of(doc, "@"));
}

TEST_CASE("reader: a missing file is an error, not a crash") {
  LoadResult r = load_file("/nonexistent/dir/trace.json");
  CHECK_FALSE(r.ok);
  CHECK_FALSE(r.error.empty());
  REQUIRE(r.trace != nullptr);
}

namespace {

// A small trace with every common kind of event, built from pieces so the end offset of every
// event is known.
struct Pieces {
  std::string doc;
  size_t array_open = 0;           // one past '[' of the events array
  std::vector<size_t> event_ends;  // one past each event's '}'
};

Pieces small_trace(bool object_form) {
  const char* events[] = {
      R"({"ph":"M","name":"process_name","pid":1,"args":{"name":"py\"thon"}})",
      R"({"ph":"X","name":"a","cat":"c","pid":1,"tid":1,"ts":10.5,"dur":20,"args":{"l":[1,{"k":"},{"}]}})",
      R"({"ph":"B","name":"b","pid":1,"tid":1,"ts":12})",
      R"({"ph":"i","name":"i","pid":1,"tid":1,"ts":13,"s":"g"})",
      R"({"ph":"E","pid":1,"tid":1,"ts":14,"args":{"r":null}})",
      R"({"ph":"C","name":"mem","pid":1,"ts":15,"args":{"a":1,"b":2.5}})",
      R"({"ph":"b","name":"as","cat":"k","id":"0x1","pid":1,"tid":1,"ts":16})",
      R"({"ph":"e","name":"as","cat":"k","id":"0x1","pid":1,"tid":1,"ts":18})",
      R"({"ph":"s","name":"f","id":1,"pid":1,"tid":1,"ts":16})",
      R"({"ph":"f","name":"f","id":1,"bp":"e","pid":1,"tid":2,"ts":19})",
      R"({"ph":"X","name":"last","pid":1,"tid":2,"ts":19,"dur":1})",
  };
  Pieces p;
  p.doc = object_form ? R"({"displayTimeUnit":"ms","otherData":{"a":[1,{"b":"]"}]},"traceEvents":[)" : "[";
  p.array_open = p.doc.size();
  for (size_t i = 0; i < std::size(events); ++i) {
    if (i) p.doc += i % 2 ? ",\n" : ", ";
    p.doc += events[i];
    p.event_ends.push_back(p.doc.size());
  }
  p.doc += object_form ? R"(],"meta":{"x":"}"}})" : "]";
  return p;
}

}  // namespace

TEST_CASE("reader: a trace cut at every byte offset loads the complete events before the cut") {
  for (bool object_form : {false, true}) {
    Pieces p = small_trace(object_form);
    LoadResult full_result = load(p.doc);
    const Trace& full = ok(full_result);
    REQUIRE(full.diagnostics.empty());
    REQUIRE(full.events == p.event_ends.size());
    for (size_t cut = 0; cut <= p.doc.size(); ++cut) {
      INFO("object_form=", object_form, " cut=", cut, " prefix: ", p.doc.substr(0, cut));
      LoadResult r = load(std::string_view(p.doc).substr(0, cut));
      REQUIRE(r.trace != nullptr);
      if (cut < p.array_open) {
        CHECK_FALSE(r.ok);
        CHECK_FALSE(r.error.empty());
        continue;
      }
      REQUIRE(r.ok);
      uint64_t complete = 0;
      for (size_t e : p.event_ends) complete += e <= cut;
      CHECK(r.trace->events == complete);
      if (cut < p.doc.size()) CHECK_FALSE(r.trace->diagnostics.empty());
      if (complete == p.event_ends.size() && cut == p.doc.size()) CHECK(r.trace->diagnostics.empty());
      CHECK(r.trace->slice_count() <= full.slice_count());
      check_invariants(*r.trace);
      CHECK_FALSE(dump_model(*r.trace).empty());
    }
  }
}

TEST_CASE("reader: random byte damage never crashes and keeps the model consistent") {
  Pieces p = small_trace(true);
  const char alphabet[] = "{}[]\",:\\ 0123456789.-eEtfnulXBEiCMbsx\x01\xff\xc3";
  Lcg rng(2024);
  for (int iter = 0; iter < 4000; ++iter) {
    std::string doc = p.doc;
    int edits = 1 + int(rng.below(4));
    for (int k = 0; k < edits; ++k) {
      size_t at = rng.below(uint32_t(doc.size()));
      switch (rng.below(3)) {
        case 0: doc[at] = alphabet[rng.below(sizeof alphabet - 1)]; break;
        case 1: doc.erase(at, 1 + rng.below(8)); break;
        default: doc.insert(at, 1, alphabet[rng.below(sizeof alphabet - 1)]); break;
      }
    }
    INFO("iteration ", iter, ": ", doc);
    LoadResult r = load(doc, iter % 2 ? 2 : 1);
    REQUIRE(r.trace != nullptr);
    if (!r.ok) {
      CHECK_FALSE(r.error.empty());
      continue;
    }
    CHECK(check_invariants(*r.trace) == 0);
    dump_model(*r.trace);
  }
}

TEST_CASE("reader: counter series keys and other member names are unescaped") {
  const char* doc = R"([{"ph":"C","name":"c","pid":1,"ts":0,"args":{"caf\u00e9":1,"a\"b":2}}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  REQUIRE(t.counters.size() == 1);
  REQUIRE(t.counters[0].series.size() == 2);
  CHECK(t.str(t.counters[0].series[0].key) == "caf\xc3\xa9");
  CHECK(t.str(t.counters[0].series[1].key) == "a\"b");
}

TEST_CASE("reader: a null counter value is a sample with no value for that series, not a problem") {
  // What a writer puts for a NaN (a loss gone to NaN): the track shows a gap there; so does a
  // sample with no values. One whose values are none of them numbers is kept as it is.
  const char* doc = R"([{"ph":"C","name":"c","pid":1,"ts":0,"args":{"v":1,"w":5}},
                        {"ph":"C","name":"c","pid":1,"ts":1,"args":{"v":null,"w":6}},
                        {"ph":"C","name":"c","pid":1,"ts":2,"args":{"v":null}},
                        {"ph":"C","name":"c","pid":1,"ts":3,"args":{"v":"x"}},
                        {"ph":"C","name":"c","pid":1,"ts":4,"args":{}},
                        {"ph":"C","name":"c","pid":1,"ts":5,"args":{"v":2,"w":"y"}}])";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  REQUIRE(t.counters.size() == 1);
  const Counter& c = t.counters[0];
  CHECK(c.ts.size() == 5);
  REQUIRE(c.series.size() == 2);
  const std::vector<double>& v = c.series[0].values;
  REQUIRE(v.size() == 5);
  CHECK(v[0] == 1);
  CHECK(std::isnan(v[1]));
  CHECK(std::isnan(v[2]));
  CHECK(std::isnan(v[3]));  // ts 4: no values
  CHECK(v[4] == 2);
  CHECK(std::isnan(c.series[1].values[4]));  // "y" is no number
  REQUIRE(t.others.size() == 1);  // {"v":"x"}
  CHECK(t.view(t.others[0].raw).find(R"("args":{"v":"x"})") != std::string_view::npos);
  CHECK(c.series[1].values[1] == 6);
  CHECK(std::isnan(c.series[1].values[2]));
  CHECK(t.diagnostics.count(DiagKind::BadCounterValue) == 2);  // only the strings that are no number
}

TEST_CASE("reader: viztracer file_info gives source files and function locations") {
  const char* doc = R"J({"traceEvents":[{"ph":"X","name":"f (/a.py:3)","pid":1,"tid":1,"ts":0,"dur":1}],
"file_info":{"files":{"/a.py":["x = 1\n\"q\"\n",2],"/b\u00e9.py":["",0]},"functions":{"f (/a.py:3)":["/a.py",3]}}})J";
  LoadResult t_result = load(doc);
  const Trace& t = ok(t_result);
  REQUIRE(t.files.size() == 2);
  CHECK(t.str(t.files[0].path) == "/a.py");
  CHECK(t.files[0].lines == 2);
  std::string src;
  std::string_view token = t.view(t.files[0].source);
  REQUIRE(token.size() >= 2);
  CHECK(unescape_json(token.substr(1, token.size() - 2), src));
  CHECK(src == "x = 1\n\"q\"\n");
  CHECK(t.str(t.files[1].path) == "/b\xc3\xa9.py");
  StrId f = t.strings.find("f (/a.py:3)");
  REQUIRE(t.functions.count(f) == 1);
  CHECK(t.str(t.functions.at(f).file) == "/a.py");
  CHECK(t.functions.at(f).line == 3);
}

TEST_CASE("reader: args that are not valid JSON make their event malformed, never kept") {
  const char* doc = R"([{"ph":"X","name":"ok","pid":1,"tid":1,"ts":0,"dur":1,"args":{"a":[1,2.5e3,null]}},
{"ph":"X","name":"bad1","pid":1,"tid":1,"ts":1,"dur":1,"args":{"a" 1}},
{"ph":"X","name":"bad2","pid":1,"tid":1,"ts":2,"dur":1,"args":{"a":01}},
{"ph":"X","name":"bad3","pid":1,"tid":1,"ts":3,"dur":1,"args":[1,,2]},
{"ph":"X","name":"bad4","pid":1,"tid":1,"ts":4,"dur":1,"args":{"a":tru}},
{"ph":"X","name":"ok2","pid":1,"tid":1,"ts":5,"dur":1,"args":{}}])";
  LoadResult r = load(doc);
  const Trace& t = ok(r);
  const Thread& th = thread(t, "1", "1");
  CHECK(names_at(t, th.slices, 0) == std::vector<std::string>{"ok", "ok2"});
  CHECK(t.diagnostics.count(DiagKind::MalformedEvent) == 4);
  CHECK(t.diagnostics.get(DiagKind::MalformedEvent).first_offset == offset_of(doc, R"({"ph":"X","name":"bad1")"));
}

// Each chunk (and each of its tables: labels, strings) decodes its own copy of a string, so a bad
// string counts once, at its earliest offset, however the events array was cut.
TEST_CASE("reader: a bad string counts once at its first offset, however the input is chunked") {
  std::string doc = "{\"traceEvents\":[\n"
                    "{\"ph\":\"C\",\"name\":\"c\",\"pid\":1,\"ts\":1,\"args\":{\"k\xff\":1}},\n";
  for (int i = 0; i < 40; ++i)
    doc += "{\"ph\":\"X\",\"name\":\"ok" + std::to_string(i) + "\",\"pid\":1,\"tid\":1,\"ts\":" +
           std::to_string(10 * i) + ",\"dur\":5},\n";
  doc += "{\"ph\":\"X\",\"name\":\"k\xff\",\"pid\":1,\"tid\":1,\"ts\":500,\"dur\":5},\n"
         "{\"ph\":\"X\",\"name\":\"k\xff\",\"pid\":1,\"tid\":1,\"ts\":600,\"dur\":5}]}";
  const uint64_t first = offset_of(doc, "k\xff");
  for (size_t chunk : {size_t(0), size_t(1), size_t(40), size_t(200)}) {
    CAPTURE(chunk);
    LoadOptions opt;
    opt.threads = chunk ? 3 : 1;
    opt.min_chunk = chunk;
    LoadResult r = load_bytes(doc, opt);
    REQUIRE(r.ok);
    CHECK(r.trace->diagnostics.count(DiagKind::InvalidUtf8) == 1);
    CHECK(r.trace->diagnostics.get(DiagKind::InvalidUtf8).first_offset == first);
  }
}
