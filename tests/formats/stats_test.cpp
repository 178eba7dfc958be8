// Tests of formats/stats.cpp: the --stats definitions on a trace loaded from JSON.
//   slices = X with a valid dur >= 0, plus matched B/E pairs, plus open B (overflow lanes included);
//   depths from a (start asc, end desc) sweep with a stack, top level = 1, max_depth 0 without slices;
//   top_level_total = sum of the durations of depth-1 slices; instants = i/I on the thread;
//   a counter is (pid, name) and each C event one sample.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/stats.h"
#include "tests/formats/json_test_util.h"

using namespace json_test;

TEST_CASE("stats: slices, depths, top-level totals, instants and counters follow --stats") {
  const char* doc = R"([
{"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":100},
{"ph":"X","name":"b","pid":1,"tid":1,"ts":10,"dur":10},
{"ph":"B","name":"c","pid":1,"tid":1,"ts":30},{"ph":"E","pid":1,"tid":1,"ts":50},
{"ph":"X","name":"over","pid":1,"tid":1,"ts":95,"dur":50},
{"ph":"X","name":"d","pid":1,"tid":1,"ts":200,"dur":10},
{"ph":"B","name":"open","pid":1,"tid":1,"ts":300},
{"ph":"E","pid":1,"tid":1,"ts":-5},
{"ph":"i","name":"i","pid":1,"tid":1,"ts":1},{"ph":"I","name":"I","pid":1,"tid":1,"ts":2},
{"ph":"R","name":"R","pid":1,"tid":1,"ts":3},
{"ph":"i","name":"p","s":"p","pid":1,"tid":1,"ts":4},{"ph":"i","name":"g","s":"g","pid":1,"tid":1,"ts":5},
{"ph":"i","name":"j","pid":1,"tid":2,"ts":6},
{"ph":"C","name":"mem","pid":1,"ts":1,"args":{"rss":1,"heap":2}},{"ph":"C","name":"mem","pid":1,"ts":2,"args":{"rss":3}},
{"ph":"C","name":"cpu","pid":1,"ts":1,"args":{"v":1}},
{"ph":"C","name":"mem","pid":"2","ts":1,"args":{"rss":1}},
{"ph":"X","name":"end","pid":2,"tid":10,"ts":390,"dur":10},
{"ph":"b","name":"a","cat":"k","id":1,"pid":1,"ts":0},{"ph":"e","cat":"k","id":1,"pid":1,"ts":1},
{"ph":"s","name":"f","id":1,"pid":1,"tid":1,"ts":0},{"ph":"f","name":"f","id":1,"pid":1,"tid":2,"ts":6}])";
  LoadResult r = load(doc);
  REQUIRE(r.ok);
  TraceSummary s = summarize(*r.trace);
  REQUIRE(s.threads.size() == 3);
  const ThreadSummary& t1 = s.threads[0];
  CHECK(t1.pid == "1");
  CHECK(t1.tid == "1");
  CHECK(t1.slices == 6);  // a b c over d open
  CHECK(t1.max_depth == 2);
  CHECK(t1.top_level_total == 100000 + 10000 + 100000);  // a, d, open (300..400)
  CHECK(t1.unmatched_begin == 1);
  CHECK(t1.unmatched_end == 1);
  CHECK(t1.instants == 2);  // i and I; not R, not the p/g scoped ones
  const ThreadSummary& t2 = s.threads[1];
  CHECK(t2.tid == "2");
  CHECK(t2.slices == 0);
  CHECK(t2.max_depth == 0);
  CHECK(t2.top_level_total == 0);
  CHECK(t2.instants == 1);
  CHECK(s.threads[2].pid == "2");
  CHECK(s.threads[2].max_depth == 1);
  CHECK(s.instants_thread == 3);
  CHECK(s.instants_process == 1);
  CHECK(s.instants_global == 1);
  REQUIRE(s.counters.size() == 3);
  CHECK(s.counters[0].name == "cpu");
  CHECK(s.counters[1].name == "mem");
  CHECK(s.counters[1].samples == 2);
  CHECK(s.counters[1].series == std::vector<std::string>{"rss", "heap"});
  CHECK(s.counters[2].pid == "2");
  CHECK(s.counters[2].samples == 1);
  CHECK(s.async_slices == 1);
  CHECK(s.flows == 2);
  CHECK(s.slices == 7);
  std::string json = stats_json("t.json", r, LoadMeasure{});
  CHECK(json.find(R"("max_depth":2,"top_level_total_us":210,"unmatched_B":1,"unmatched_E":1,"instants":2)") !=
        std::string::npos);
  CHECK(json.back() == '\n');
}

TEST_CASE("stats: stats_json of a file that is not a trace carries the error and its offset") {
  LoadResult r = load("  hello");
  REQUIRE_FALSE(r.ok);
  std::string json = stats_json("bad.txt", r, LoadMeasure{});
  CHECK(json.find("\"error\":{\"message\":") != std::string::npos);
  CHECK(json.find("\"offset\":2}") != std::string::npos);
  CHECK(json.find("\"not_a_trace\"") != std::string::npos);
}
