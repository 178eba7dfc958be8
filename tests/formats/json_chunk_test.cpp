// Tests of formats/json_chunk.cpp and the parallel path of json_reader.cpp: speculative chunk
// boundaries, their verification, and that the model never depends on how the input was cut.
//
// Chunks are at least 1 MB, so these tests build multi-megabyte inputs. The chunk size depends on
// the thread count (region / (8 * threads + 1), clamped to [1 MB, 16 MB]), so loads with 1 and 4
// threads of a 10+ MB input cut it at different places; both must give the same dump.
#include <doctest/doctest.h>

#include <string>

#include "formats/json_chunk.h"
#include "formats/json_event.h"
#include "tests/formats/json_test_util.h"

using namespace json_test;

TEST_CASE("find_event_boundary: '{' after '}' ',' and before '\"', whitespace allowed") {
  std::string s = R"([{"a":1},{"b":2} ,
   {"c":3},[{"d":4}],{ "e":5}])";
  const char* p = s.data();
  const char* end = p + s.size();
  const char* b1 = json::find_event_boundary(p + 1, end);
  CHECK(b1 - p == long(s.find("{\"b\"")));
  const char* b2 = json::find_event_boundary(b1 + 1, end);
  CHECK(b2 - p == long(s.find("{\"c\"")));
  // "[{" and "],{" do not qualify: the byte before ',' must be '}'.
  CHECK(json::find_event_boundary(b2 + 1, end) == end);
  std::string t = R"([{"a":1} ,  { "b":2}])";
  CHECK(json::find_event_boundary(t.data() + 1, t.data() + t.size()) - t.data() == long(t.find("{ \"b\"")));
}

TEST_CASE("chunks: a minified one-line multi-MB trace loads the same with 1, 3 and 4 threads") {
  BigTrace big = make_big_trace(12u << 20, false);
  REQUIRE(big.text.find('\n') == std::string::npos);
  LoadResult one = load(big.text, 1);
  REQUIRE(one.ok);
  check_big_trace(*one.trace, big);
  std::string want = dump_model(*one.trace);
  for (unsigned threads : {3u, 4u}) {
    INFO("threads=", threads);
    LoadResult many = load(big.text, threads);
    REQUIRE(many.ok);
    CHECK(dump_model(*many.trace) == want);
  }
}

TEST_CASE("chunks: a pretty-printed multi-MB trace loads the same with 1 and 4 threads") {
  BigTrace big = make_big_trace(10u << 20, true);
  LoadResult one = load(big.text, 1);
  REQUIRE(one.ok);
  check_big_trace(*one.trace, big);
  LoadResult four = load(big.text, 4);
  REQUIRE(four.ok);
  CHECK(dump_model(*four.trace) == dump_model(*one.trace));
}

TEST_CASE("chunks: args made of millions of \"},{\" look-alikes") {
  // Every "},{" inside the array of strings is followed by a closing quote, so it looks exactly like
  // an event boundary: nearly every speculative chunk start is wrong and must be re-parsed.
  std::string lure;
  for (int i = 0; i < 400000; ++i) lure += "\"},{\",";
  lure += "\"end\"";
  std::string doc = "[";
  for (int e = 0; e < 6; ++e) {
    doc += "{\"ph\":\"X\",\"name\":\"e" + std::to_string(e) + "\",\"pid\":1,\"tid\":1,\"ts\":" +
           std::to_string(e * 10) + ",\"dur\":5,\"args\":{\"a\":[" + lure + "]}},\n";
  }
  doc += "{\"ph\":\"i\",\"name\":\"last\",\"pid\":1,\"tid\":1,\"ts\":100}]";
  REQUIRE(doc.size() > (6u << 20));
  LoadResult one = load(doc, 1);
  LoadResult four = load(doc, 4);
  REQUIRE(one.ok);
  REQUIRE(four.ok);
  CHECK(one.trace->diagnostics.empty());
  CHECK(four.trace->diagnostics.empty());
  const Thread& th = thread(*four.trace, "1", "1");
  CHECK(names_at(*four.trace, th.slices, 0) == std::vector<std::string>{"e0", "e1", "e2", "e3", "e4", "e5"});
  CHECK(th.instants.size() == 1);
  CHECK(four.trace->view(th.slices.args_of(5)).size() == lure.size() + 8);
  CHECK(dump_model(*four.trace) == dump_model(*one.trace));
}

TEST_CASE("chunks: one event larger than several chunks (a 5 MB array of event-like objects)") {
  std::string fake;
  for (int i = 0; i < 80000; ++i)
    fake += "{\"ph\":\"X\",\"name\":\"fake\",\"pid\":9,\"tid\":9,\"ts\":" + std::to_string(i) + ",\"dur\":1},";
  fake += "{}";
  std::string doc = "{\"traceEvents\":[{\"ph\":\"X\",\"name\":\"before\",\"pid\":1,\"tid\":1,\"ts\":0,\"dur\":1},"
                    "{\"ph\":\"X\",\"name\":\"big\",\"pid\":1,\"tid\":1,\"ts\":2,\"dur\":1,\"args\":{\"list\":[" +
                    fake + "]}},{\"ph\":\"X\",\"name\":\"after\",\"pid\":1,\"tid\":1,\"ts\":4,\"dur\":1}]}";
  REQUIRE(doc.size() > (4u << 20));
  for (unsigned threads : {1u, 4u}) {
    INFO("threads=", threads);
    LoadResult r = load(doc, threads);
    REQUIRE(r.ok);
    CHECK(r.trace->diagnostics.empty());
    CHECK(r.trace->events == 3);
    CHECK(r.trace->threads.size() == 1);
    CHECK(names_at(*r.trace, thread(*r.trace, "1", "1").slices, 0) ==
          std::vector<std::string>{"before", "big", "after"});
  }
}

TEST_CASE("chunks: problems near chunk boundaries are reported once, at the same offsets") {
  // Malformed events, unknown phases and trailing commas sprinkled through a 9 MB trace.
  BigTrace big = make_big_trace(9u << 20, false);
  std::string doc = big.text;
  Lcg rng(7);
  size_t inserted = 0;
  for (size_t at = 100000; at < doc.size() - 1000; at += 400000 + rng.below(300000)) {
    size_t b = doc.find("},{\"ph\":\"X\",\"name\":\"p", at);  // a real event, not one inside args
    if (b == std::string::npos) break;
    const char* junk[] = {R"({"ph":"X","name":"bad" "ts":1},)", R"({"ph":"Q","name":"q","ts":1},)",
                          R"(17,)", R"({"ph":"X","name":"nodur","pid":1,"tid":1,"ts":1},)"};
    doc.insert(b + 2, junk[inserted % 4]);
    ++inserted;
  }
  REQUIRE(inserted >= 12);
  LoadResult one = load(doc, 1);
  LoadResult four = load(doc, 4);
  REQUIRE(one.ok);
  REQUIRE(four.ok);
  const Diagnostics& d = four.trace->diagnostics;
  CHECK(d.count(DiagKind::MalformedEvent) == (inserted + 3) / 4);
  CHECK(d.count(DiagKind::UnknownPhase) == (inserted + 2) / 4);
  CHECK(d.count(DiagKind::NotAnObject) == (inserted + 1) / 4);
  CHECK(d.count(DiagKind::MissingDuration) == inserted / 4);
  CHECK(d.get(DiagKind::MalformedEvent).first_offset == offset_of(doc, R"({"ph":"X","name":"bad" "ts":1})"));
  CHECK(d.get(DiagKind::UnknownPhase).first_offset == offset_of(doc, R"({"ph":"Q")"));
  CHECK(dump_model(*four.trace) == dump_model(*one.trace));
}

TEST_CASE("chunks: open async slices sharing a start are laid out the same with any thread count") {
  // Unclosed async begins end at the trace end, so several with one start tie in every sort key;
  // their order (and lanes) must not depend on how strings were interned across chunks.
  BigTrace big = make_big_trace(11u << 20, false);
  std::string doc = big.text.substr(0, big.text.size() - 2);  // drop "]}"
  for (int i = 0; i < 12; ++i)
    doc += ",{\"ph\":\"b\",\"name\":\"open" + std::to_string(i) + "\",\"cat\":\"k" + std::to_string(i % 3) +
           "\",\"id\":\"x" + std::to_string(i) + "\",\"pid\":1,\"tid\":0,\"ts\":5}";
  doc += "]}";
  LoadResult one = load(doc, 1);
  LoadResult four = load(doc, 4);
  REQUIRE(one.ok);
  REQUIRE(four.ok);
  CHECK(one.trace->diagnostics.count(DiagKind::UnmatchedAsyncBegin) == 12);
  auto lanes = [](const Trace& t) {
    std::string s;
    for (const AsyncSlice& a : t.async_slices)
      if (a.flags & kSliceOpen) s += std::string(t.name_of(a.label)) + "@" + std::to_string(a.lane) + " ";
    return s;
  };
  CHECK(lanes(*four.trace) == lanes(*one.trace));
  CHECK(dump_model(*four.trace) == dump_model(*one.trace));
}

TEST_CASE("chunks: a trace whose array is not closed, cut in the middle of a chunk") {
  BigTrace big = make_big_trace(5u << 20, false);
  std::string cut = big.text.substr(0, big.text.size() / 2 + 12345);
  LoadResult one = load(cut, 1);
  LoadResult four = load(cut, 4);
  REQUIRE(one.ok);
  REQUIRE(four.ok);
  CHECK(four.trace->diagnostics.count(DiagKind::TruncatedInput) +
            four.trace->diagnostics.count(DiagKind::MissingClose) == 1);
  CHECK(four.trace->events > big.events / 3);
  CHECK(four.trace->events < big.events);
  check_invariants(*four.trace);
  CHECK(dump_model(*four.trace) == dump_model(*one.trace));
}

TEST_CASE("append_members_except: the members not skipped, copied as they are") {
  std::string out = "{\"x\":1";
  const std::string ev =
      R"({"ph":"X", "name":"a\"b","tts":12.5,"cname":"good","sf":[1,{"k":"}"}],"k\u0079":null,"dur":3})";
  CHECK(vz::json::append_members_except(out, ev, VZ_SLICE_KEYS) == 4);
  CHECK(out == R"({"x":1,"tts":12.5,"cname":"good","sf":[1,{"k":"}"}],"k\u0079":null)");
  // A member named with escapes is skipped as its plain spelling is ("p\u0069d" is "pid", which
  // the reader takes as the pid): it must not come back a second time among the kept fields.
  std::string esc;
  CHECK(vz::json::append_members_except(esc, R"({"p\u0069d":1,"\u0064ur":2,"zz":3,"z\u007a2":4})", VZ_SLICE_KEYS) == 2);
  CHECK(esc == R"(,"zz":3,"z\u007a2":4)");
  std::string none;
  CHECK(vz::json::append_members_except(none, R"({"ph":"i","s":"g"})", VZ_INSTANT_KEYS) == 0);
  CHECK(vz::json::append_members_except(none, "[1,2]", {}) == 0);
  CHECK(vz::json::append_members_except(none, "", {}) == 0);
  CHECK(none.empty());
  // Scope is skipped only when listed.
  std::string scoped;
  CHECK(vz::json::append_members_except(scoped, R"({"ph":"b","id":1,"scope":7,"tte":2})", {VZ_ID_EVENT_KEYS}) == 2);
  CHECK(scoped == R"(,"scope":7,"tte":2)");
}
