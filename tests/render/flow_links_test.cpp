// Tests of the flow arrows' links in render/view_index.cpp (ViewIndex::flow_prev / flow_next):
// which flow events are steps of one flow. s/t/f events are one flow by id, category and name;
// slices' bind_id / flow_in / flow_out by id alone; an 's' starts a flow and an 'f' ends one.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "formats/loader.h"
#include "render/view_index.h"
#include "tests/load_text.h"

using namespace vz;

namespace {

using vz::test::load_text;

struct Ev {
  char ph;         // s t f, or X for a slice with v2 flow fields
  std::string id;  // JSON
  std::string cat, name;
  int v2 = 3;      // X: 1 flow_in, 2 flow_out, 3 both
};

// A trace of `evs` at 10, 20, 30... µs (so Trace::flows, sorted by time, is in this order), each
// on a slice of its own thread that it binds to.
std::unique_ptr<Trace> trace_of(const std::vector<Ev>& evs) {
  std::string s = "[";
  for (size_t k = 0; k < evs.size(); ++k) {
    const Ev& e = evs[k];
    const std::string ts = std::to_string(10 * (k + 1)), tid = std::to_string(k % 3 + 1);
    if (k) s += ",\n";
    if (e.ph == 'X') {
      s += "{\"ph\":\"X\",\"pid\":1,\"tid\":" + tid + ",\"ts\":" + ts + ",\"dur\":5,\"name\":\"" + e.name +
           "\",\"cat\":\"" + e.cat + "\",\"bind_id\":" + e.id + (e.v2 & 1 ? ",\"flow_in\":true" : ",\"flow_in\":false") +
           (e.v2 & 2 ? ",\"flow_out\":true}" : "}");
      continue;
    }
    s += "{\"ph\":\"X\",\"pid\":1,\"tid\":" + tid + ",\"ts\":" + ts + ",\"dur\":5,\"name\":\"work\"},";
    s += "{\"ph\":\"" + std::string(1, e.ph) + "\",\"pid\":1,\"tid\":" + tid + ",\"ts\":" + ts + ",\"id\":" + e.id +
         ",\"cat\":\"" + e.cat + "\",\"name\":\"" + e.name + "\"" + (e.ph == 'f' ? ",\"bp\":\"e\"" : "") + "}";
  }
  return load_text(s + "]");
}

// What flow_prev() should be, from the definition: the latest earlier event of the same key,
// unless that one ends a flow ('f', flow_in alone) or this one begins one ('s', flow_out alone).
std::vector<uint32_t> expected_prev(const std::vector<Ev>& evs) {
  auto key = [](const Ev& e) {
    const std::string id = e.id.front() == '"' ? e.id.substr(1, e.id.size() - 2) : e.id;  // "1" is 1
    return e.ph == 'X' ? "v2 " + id : "v1 " + id + " " + e.cat + " " + e.name;
  };
  std::vector<uint32_t> prev(evs.size(), kNone);
  for (size_t k = 0; k < evs.size(); ++k) {
    for (size_t j = k; j-- > 0;) {
      if (key(evs[j]) != key(evs[k])) continue;
      const bool ended = evs[j].ph == 'f' || (evs[j].ph == 'X' && evs[j].v2 == 1);
      const bool begins = evs[k].ph == 's' || (evs[k].ph == 'X' && evs[k].v2 == 2);
      if (!ended && !begins) prev[k] = uint32_t(j);
      break;
    }
  }
  return prev;
}

void check_links(const std::vector<Ev>& evs) {
  auto t = trace_of(evs);
  REQUIRE(t->flows.size() == evs.size());
  for (size_t k = 0; k < evs.size(); ++k) REQUIRE(t->flows[k].phase == evs[k].ph);
  ViewIndex index(*t);
  const std::vector<uint32_t> prev = expected_prev(evs);
  for (uint32_t k = 0; k < evs.size(); ++k) {
    CAPTURE(k);
    CHECK(index.flow_prev(k) == prev[k]);
    if (prev[k] != kNone) CHECK(index.flow_next(prev[k]) == k);
  }
  size_t nexts = 0, prevs = 0;  // every link is seen from both ends
  for (uint32_t k = 0; k < evs.size(); ++k) nexts += index.flow_next(k) != kNone, prevs += prev[k] != kNone;
  CHECK(nexts == prevs);
}

}  // namespace

TEST_CASE("flow links: s/t/f pair by id, category and name; slices' v2 fields by id alone") {
  const std::vector<Ev> evs = {
      {'s', "1", "a", "io"},    // 0: flow (1, a, io) starts
      {'s', "1", "b", "io"},    // 1: same id, another category: another flow
      {'t', "1", "a", "io"},    // 2: step of 0
      {'s', "1", "a", "net"},   // 3: same id and category, another name: another flow
      {'f', "1", "a", "io"},    // 4: ends 0's flow
      {'f', "1", "b", "io"},    // 5: ends 1's
      {'s', "1", "a", "io"},    // 6: the key again, after its 'f': a new flow
      {'f', "1", "a", "io"},    // 7: ends it
      {'X', "1", "a", "io"},    // 8: v2 id 1: not the v1 flows'
      {'X', "\"1\"", "c", "x"}, // 9: the same v2 flow ("1" and 1 are one id), whatever the name
      {'f', "2", "a", "io"},    // 10: an 'f' with nothing before it
      {'t', "2", "a", "io"},    // 11: a step after an 'f': no arrow back
      {'f', "2", "a", "io"},    // 12: ends the flow 11 is in
      {'X', "5", "", "a", 2},   // 13: v2 id 5 leaves a slice (flow_out alone: a flow begins)
      {'X', "5", "", "b", 1},   // 14: arrives (flow_in alone: it ends)
      {'X', "5", "", "c", 2},   // 15: id 5 again, after its end: a new flow
      {'X', "5", "", "d", 1},   // 16
  };
  auto t = trace_of(evs);
  ViewIndex index(*t);
  CHECK(index.flow_next(0) == 2);
  CHECK(index.flow_next(2) == 4);
  CHECK(index.flow_prev(4) == 2);
  CHECK(index.flow_next(4) == kNone);
  CHECK(index.flow_prev(6) == kNone);
  CHECK(index.flow_next(1) == 5);
  CHECK(index.flow_next(3) == kNone);
  CHECK(index.flow_prev(3) == kNone);
  CHECK(index.flow_next(6) == 7);
  CHECK(index.flow_next(8) == 9);
  CHECK(index.flow_prev(8) == kNone);
  CHECK(index.flow_prev(11) == kNone);
  CHECK(index.flow_next(11) == 12);
  CHECK(index.flow_next(13) == 14);
  CHECK(index.flow_next(14) == kNone);
  CHECK(index.flow_prev(15) == kNone);
  CHECK(index.flow_next(15) == 16);
  check_links(evs);
}

TEST_CASE("flow links: random flows match the definition") {
  std::mt19937 rng(7);
  const char phases[] = {'s', 't', 't', 'f', 'X'};
  for (int round = 0; round < 30; ++round) {
    std::vector<Ev> evs;
    const int n = 1 + int(rng() % 120);
    for (int k = 0; k < n; ++k)
      evs.push_back({phases[rng() % 5], rng() % 3 ? std::to_string(rng() % 4) : "\"" + std::to_string(rng() % 4) + "\"",
                     std::string(1, char('a' + rng() % 2)), std::string(1, char('m' + rng() % 2)),
                     1 + int(rng() % 3)});
    CAPTURE(round);
    check_links(evs);
  }
}

TEST_CASE("flows: bind_id on a B event's slice links as on an X slice") {
  // The same flow, its slices given as X events and as B/E pairs: the same flow events, on the
  // same slices' starts, linked the same way.
  const std::string x = R"([
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"src","bind_id":"0xab","flow_out":true},
    {"ph":"X","pid":1,"tid":2,"ts":20,"dur":10,"name":"dst","bind_id":"0xab","flow_in":true}])";
  const std::string be = R"([
    {"ph":"B","pid":1,"tid":1,"ts":0,"name":"src","bind_id":"0xab","flow_out":true},
    {"ph":"E","pid":1,"tid":1,"ts":10},
    {"ph":"B","pid":1,"tid":2,"ts":20,"name":"dst","bind_id":"0xab","flow_in":true},
    {"ph":"E","pid":1,"tid":2,"ts":30}])";
  auto a = load_text(x), b = load_text(be);
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(b->flows.size() == 2);
  for (size_t k = 0; k < 2; ++k) {
    CAPTURE(k);
    CHECK(b->flows[k].phase == 'X');
    CHECK(b->flows[k].ts == a->flows[k].ts);
    CHECK(b->flows[k].v2 == a->flows[k].v2);
    CHECK(b->str(b->threads[b->flows[k].thread].tid) == a->str(a->threads[a->flows[k].thread].tid));
  }
  ViewIndex ia(*a), ib(*b);
  CHECK(ia.flow_next(0) == 1);
  CHECK(ib.flow_next(0) == 1);
  CHECK(ib.flow_prev(1) == 0);
}
