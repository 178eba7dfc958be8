// Tests of formats/builder.cpp: B/E pairing (names ignored, same-timestamp order by seq, unmatched
// B and E), overflow lanes, the depth sweep against a brute-force reference, counters, async
// pairing and lanes, instants by scope, time bounds, and determinism across worker counts.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "formats/builder.h"
#include "formats/dump.h"
#include "formats/loader.h"
#include "formats/model.h"
#include "tests/peak_rss.h"

using namespace vz;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// A trace under construction, with shorthands.
struct Fixture {
  std::unique_ptr<Trace> t = std::make_unique<Trace>();
  std::unique_ptr<TraceBuilder> b = std::make_unique<TraceBuilder>(*t);
  uint32_t thread(const std::string& pid, const std::string& tid) {
    return b->thread(b->intern(pid), b->intern(tid));
  }
  uint32_t label(const std::string& name, const std::string& cat = "") {
    return b->label(b->intern(name), b->intern(cat));
  }
  StrId id(const std::string& s) { return b->intern(s); }
  Trace& finish(unsigned workers = 1) {
    b->finish(workers);
    return *t;
  }
};

// One stored slice, flattened.
struct Flat {
  Time start, dur;
  std::string name;
  uint32_t depth;  // lane when `over`
  bool over;
  uint8_t flags;
  ByteRange args, extra;
};

std::vector<Flat> flatten(const Trace& t, uint32_t th) {
  std::vector<Flat> out;
  const Thread& T = t.threads[th];
  for (const SliceSet* s : {&T.slices, &T.overflow}) {
    for (uint32_t i = 0; i < s->size(); ++i)
      out.push_back(Flat{s->start[i], s->dur[i], std::string(t.name_of(s->label[i])), s->depth_of(i),
                         s == &T.overflow, s->flags[i], s->args_of(i), s->extra_of(i)});
  }
  return out;
}

const Flat* find(const std::vector<Flat>& v, const std::string& name) {
  for (const Flat& f : v)
    if (f.name == name) return &f;
  return nullptr;
}

// Checks the structural invariants of a thread's two slice sets.
void check_layout(const Trace& t, const Thread& th) {
  const SliceSet& s = th.slices;
  for (uint32_t d = 0; d < s.depths(); ++d) {
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
      if (i > s.depth_begin[d]) {  // sorted, disjoint (touching allowed)
        CHECK(s.start[i - 1] <= s.start[i]);
        CHECK(s.end(i - 1) <= s.start[i]);
      }
      if (d == 0) continue;
      // Contained in a slice one depth up.
      bool parent = false;
      for (uint32_t j = s.depth_begin[d - 1]; j < s.depth_begin[d] && !parent; ++j)
        parent = s.start[j] <= s.start[i] && s.end(i) <= s.end(j);
      CHECK(parent);
    }
  }
  const SliceSet& o = th.overflow;
  for (uint32_t d = 0; d < o.depths(); ++d) {
    for (uint32_t i = o.depth_begin[d] + 1; i < o.depth_begin[d + 1]; ++i) {
      CHECK(o.start[i - 1] <= o.start[i]);
      CHECK(o.end(i - 1) <= o.start[i]);  // lanes never overlap
    }
  }
  // Lane reuse: no more lanes than overflow slices ever overlapping at once (half-open).
  std::vector<std::pair<Time, int>> edges;
  for (uint32_t i = 0; i < o.size(); ++i) {
    CHECK(o.dur[i] > 0);  // a zero-length slice always nests
    edges.push_back({o.start[i], +1});
    edges.push_back({o.end(i), -1});
  }
  std::sort(edges.begin(), edges.end());  // ends (-1) before starts (+1) at one time
  int run = 0, most = 0;
  for (auto& e : edges) most = std::max(most, run += e.second);
  CHECK(o.depths() == uint32_t(most));
  (void)t;
}

// The depth sweep, restated over sets: after sorting by (start asc, end desc), a slice's open
// ancestors are the placed nested slices that end after it starts; it nests when it ends no
// later than all of them (depth = their count), else it overflows.
struct RefSlice {
  bool over;
  uint32_t depth;
};
std::vector<RefSlice> reference_layout(const std::vector<std::pair<Time, Time>>& in) {
  std::vector<uint32_t> order(in.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    Time ea = in[a].first + in[a].second, eb = in[b].first + in[b].second;
    return in[a].first != in[b].first ? in[a].first < in[b].first : ea > eb;
  });
  std::vector<RefSlice> out(in.size());
  std::vector<Time> placed_ends;
  for (uint32_t k : order) {
    Time s = in[k].first, e = s + in[k].second;
    uint32_t open = 0;
    bool over = false;
    for (Time pe : placed_ends) {
      if (pe <= s) continue;
      open++;
      if (pe < e) over = true;
    }
    out[k] = over ? RefSlice{true, 0} : RefSlice{false, open};
    if (!over) placed_ends.push_back(e);
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// B/E
// ---------------------------------------------------------------------------------------------

TEST_CASE("B/E: each E closes the most recent open B of its thread, whatever its name") {
  Fixture f;
  uint32_t th = f.thread("1", "1"), other = f.thread("1", "2");
  uint32_t a = f.label("a"), b = f.label("b");
  f.b->add_begin(th, 0, a, {}, {}, 0, 0);
  f.b->add_begin(th, 1, b, {}, {}, 1, 10);
  f.b->add_begin(other, 2, a, {}, {}, 2, 20);  // another thread's B is not a candidate
  f.b->add_end(th, 2, {}, {}, 3, 30);
  f.b->add_end(th, 3, {}, {}, 4, 40);
  f.b->add_end(other, 4, {}, {}, 5, 50);
  Trace& t = f.finish();
  auto s = flatten(t, th);
  REQUIRE(s.size() == 2);
  CHECK(find(s, "a")->start == 0);
  CHECK(find(s, "a")->dur == 3);
  CHECK(find(s, "a")->depth == 0);
  CHECK(find(s, "b")->start == 1);
  CHECK(find(s, "b")->dur == 1);
  CHECK(find(s, "b")->depth == 1);
  for (const Flat& x : s) CHECK(x.flags == kSliceFromBE);
  CHECK(flatten(t, other).size() == 1);
  CHECK(t.diagnostics.empty());

  // The same through the JSON reader: an E's own name does not matter.
  LoadResult r = load_bytes(R"({"traceEvents":[
    {"ph":"B","name":"outer","pid":1,"tid":1,"ts":0},
    {"ph":"B","name":"inner","pid":1,"tid":1,"ts":1},
    {"ph":"E","name":"outer","pid":1,"tid":1,"ts":2},
    {"ph":"E","name":"nothing","pid":1,"tid":1,"ts":3}]})");
  REQUIRE(r.ok);
  auto j = flatten(*r.trace, 0);
  REQUIRE(j.size() == 2);
  CHECK(find(j, "inner")->start == 1000);
  CHECK(find(j, "inner")->dur == 1000);
  CHECK(find(j, "outer")->dur == 3000);
  CHECK(r.trace->threads[0].unmatched_end == 0);
}

TEST_CASE("B/E: events at one timestamp pair in seq order, whatever the order they arrive in") {
  // seq order: B a, B b, E, E, E (stray), B c, E  -- all at ts 5, except c's E at 9.
  struct Ev {
    bool begin;
    Time ts;
    const char* name;
    uint64_t seq;
  };
  std::vector<Ev> evs = {{true, 5, "a", 0},  {true, 5, "b", 1},  {false, 5, "", 2}, {false, 5, "", 3},
                         {false, 5, "", 4}, {true, 5, "c", 5}, {false, 9, "", 6}};
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    Fixture f;
    uint32_t th = f.thread("1", "1");
    std::shuffle(evs.begin(), evs.end(), rng);
    for (const Ev& e : evs) {
      if (e.begin) f.b->add_begin(th, e.ts, f.label(e.name), {}, {}, e.seq, e.seq * 10);
      else f.b->add_end(th, e.ts, {}, ByteRange{e.seq * 10, 5}, e.seq, e.seq * 10);
    }
    Trace& t = f.finish();
    auto s = flatten(t, th);
    REQUIRE(s.size() == 3);
    CHECK(find(s, "a")->dur == 0);
    CHECK(find(s, "b")->dur == 0);
    CHECK(find(s, "c")->start == 5);
    CHECK(find(s, "c")->dur == 4);
    CHECK(t.threads[th].unmatched_end == 1);
    CHECK(t.threads[th].unmatched_begin == 0);
    REQUIRE(t.others.size() == 1);  // the stray E, verbatim
    CHECK(t.others[0].raw.offset == 40);
    CHECK(t.str(t.others[0].phase) == "E");
    CHECK(t.others[0].thread == th);
    CHECK(t.others[0].ts == 5);
    CHECK(t.diagnostics.count(DiagKind::UnmatchedEnd) == 1);
    CHECK(t.diagnostics.get(DiagKind::UnmatchedEnd).first_offset == 40);
  }
}

TEST_CASE("B/E: of two slices with identical start and end, the earlier B is the parent") {
  // B a, B b, E, E all at one instant pair as b inside a; the layout must keep a outermost
  // (a tie in (start, end) must not invert the nesting the pairing found).
  Fixture f;
  uint32_t th = f.thread("1", "1");
  f.b->add_begin(th, 0, f.label("a"), {}, {}, 0, 0);
  f.b->add_begin(th, 0, f.label("b"), {}, {}, 1, 1);
  f.b->add_end(th, 10, {}, {}, 2, 2);
  f.b->add_end(th, 10, {}, {}, 3, 3);
  // An open B (never closed) encloses a later closed one that ends with the trace.
  uint32_t th2 = f.thread("1", "2");
  f.b->add_begin(th2, 0, f.label("open"), {}, {}, 4, 4);
  f.b->add_begin(th2, 0, f.label("closed"), {}, {}, 5, 5);
  f.b->add_end(th2, 10, {}, {}, 6, 6);
  Trace& t = f.finish();
  auto s = flatten(t, th);
  CHECK(find(s, "a")->depth == 0);
  CHECK(find(s, "b")->depth == 1);
  auto s2 = flatten(t, th2);
  CHECK(find(s2, "open")->depth == 0);
  CHECK(find(s2, "closed")->depth == 1);
  CHECK((find(s2, "open")->flags & kSliceOpen) != 0);
}

TEST_CASE("B/E: an E before any B is unmatched even at the B's timestamp") {
  Fixture f;
  uint32_t th = f.thread("1", "1");
  f.b->add_end(th, 5, {}, ByteRange{0, 10}, 0, 0);
  f.b->add_begin(th, 5, f.label("a"), {}, {}, 1, 10);
  f.b->add_end(th, 8, {}, ByteRange{20, 10}, 2, 20);
  Trace& t = f.finish();
  auto s = flatten(t, th);
  REQUIRE(s.size() == 1);
  CHECK(s[0].start == 5);
  CHECK(s[0].dur == 3);
  CHECK(t.threads[th].unmatched_end == 1);
  REQUIRE(t.others.size() == 1);
  CHECK(t.others[0].raw.offset == 0);
}

TEST_CASE("B/E: an unmatched B stays open to the end of the trace") {
  Fixture f;
  uint32_t th = f.thread("1", "1"), other = f.thread("2", "1");
  f.b->add_begin(th, 10, f.label("open"), ByteRange{3, 4}, {}, 0, 100);
  f.b->add_begin(th, 20, f.label("closed"), {}, {}, 1, 200);
  f.b->add_end(th, 30, {}, {}, 2, 300);
  f.b->add_begin(th, 40, f.label("open2"), {}, {}, 3, 400);
  f.b->add_complete(other, 50, 50, f.label("x"), {}, {});  // the trace ends at 100
  Trace& t = f.finish();
  CHECK(t.end == 100);
  auto s = flatten(t, th);
  REQUIRE(s.size() == 3);
  const Flat* open = find(s, "open");
  CHECK(open->dur == 90);
  CHECK(open->flags == (kSliceOpen | kSliceFromBE | kSliceHasArgs));
  CHECK(open->args.offset == 3);
  CHECK(find(s, "closed")->flags == kSliceFromBE);
  CHECK(find(s, "closed")->depth == 1);
  CHECK(find(s, "open2")->dur == 60);
  CHECK(find(s, "open2")->depth == 1);
  CHECK(t.threads[th].unmatched_begin == 2);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedBegin) == 2);
  CHECK(t.diagnostics.get(DiagKind::UnmatchedBegin).first_offset == 100);

  // A B that is the last event of the trace is open with zero duration.
  Fixture g;
  uint32_t gt = g.thread("1", "1");
  g.b->add_complete(gt, 0, 5, g.label("x"), {}, {});
  g.b->add_begin(gt, 7, g.label("late"), {}, {}, 0, 0);
  Trace& u = g.finish();
  CHECK(u.end == 7);
  auto v = flatten(u, gt);
  CHECK(find(v, "late")->dur == 0);
  CHECK((find(v, "late")->flags & kSliceOpen) != 0);
}

TEST_CASE("B/E: an E with args is kept whole with its slice, which keeps B's args and extras") {
  Fixture f;
  uint32_t th = f.thread("1", "1");
  f.b->add_begin(th, 0, f.label("b_none"), {}, ByteRange{90, 3}, 0, 0);
  f.b->add_end(th, 1, ByteRange{10, 5}, ByteRange{50, 9}, 1, 1);  // E args, B none
  f.b->add_begin(th, 2, f.label("b_has"), ByteRange{20, 5}, {}, 2, 2);
  f.b->add_end(th, 3, ByteRange{30, 5}, ByteRange{60, 9}, 3, 3);  // both have args
  f.b->add_begin(th, 4, f.label("e_empty"), ByteRange{25, 5}, {}, 4, 4);
  f.b->add_end(th, 5, ByteRange{40, 2}, ByteRange{70, 9}, 5, 5);  // "args":{} is no args
  Trace& t = f.finish();
  auto s = flatten(t, th);
  const SliceSet& set = t.threads[th].slices;
  auto index = [&](const char* name) {
    for (uint32_t i = 0; i < set.size(); ++i)
      if (t.name_of(set.label[i]) == name) return i;
    FAIL("no slice ", name);
    return 0u;
  };
  CHECK(find(s, "b_none")->args.empty());  // the E's args are not moved to the slice
  CHECK(find(s, "b_none")->extra.offset == 90);
  CHECK(set.end_of(index("b_none")).offset == 50);
  CHECK(find(s, "b_has")->args.offset == 20);
  CHECK(find(s, "b_has")->extra.empty());
  CHECK(set.end_of(index("b_has")).offset == 60);
  CHECK(find(s, "e_empty")->args.offset == 25);
  CHECK(set.end_of(index("e_empty")).empty());
  CHECK(t.others.empty());  // matched E events are not kept apart
}

TEST_CASE("B/E: random sequences pair like a per-thread stack in (ts, seq) order") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    struct Ev {
      uint32_t th;
      bool begin;
      Time ts;
      uint64_t seq;
      uint32_t name;
    };
    std::vector<Ev> evs;
    int threads = 1 + int(rng() % 3);
    uint64_t seq = 0;
    for (int k = 0; k < threads; ++k) {
      Time ts = Time(rng() % 5);
      int n = int(rng() % 40);
      for (int i = 0; i < n; ++i) {
        ts += rng() % 3 == 0 ? 0 : Time(rng() % 4);  // many equal timestamps
        evs.push_back({uint32_t(k), rng() % 2 == 0, ts, seq++, uint32_t(rng() % 1000)});
      }
    }
    // Reference pairing.
    std::multiset<std::tuple<uint32_t, Time, Time, uint32_t, bool>> want;  // th, start, end, name, open
    std::vector<uint64_t> want_unmatched_end(threads), want_unmatched_begin(threads);
    Time hi = std::numeric_limits<Time>::min();
    for (const Ev& e : evs) hi = std::max(hi, e.ts);
    if (evs.empty()) hi = 0;
    for (int k = 0; k < threads; ++k) {
      std::vector<Ev> mine;
      for (const Ev& e : evs)
        if (e.th == uint32_t(k)) mine.push_back(e);
      std::stable_sort(mine.begin(), mine.end(), [](const Ev& a, const Ev& b) {
        return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq;
      });
      std::vector<Ev> open;
      for (const Ev& e : mine) {
        if (e.begin) {
          open.push_back(e);
        } else if (open.empty()) {
          want_unmatched_end[k]++;
        } else {
          want.insert({k, open.back().ts, e.ts, open.back().name, false});
          open.pop_back();
        }
      }
      for (const Ev& b : open) want.insert({k, b.ts, std::max(hi, b.ts), b.name, true});
      want_unmatched_begin[k] = open.size();
    }
    // Feed the builder in a random order.
    Fixture f;
    std::vector<uint32_t> th(threads);
    for (int k = 0; k < threads; ++k) th[k] = f.thread("1", std::to_string(k));
    std::vector<uint32_t> labels(1000);
    for (uint32_t i = 0; i < 1000; ++i) labels[i] = f.label(std::to_string(i));
    std::shuffle(evs.begin(), evs.end(), rng);
    for (const Ev& e : evs) {
      if (e.begin) f.b->add_begin(th[e.th], e.ts, labels[e.name], {}, {}, e.seq, e.seq);
      else f.b->add_end(th[e.th], e.ts, {}, ByteRange{e.seq, 1}, e.seq, e.seq);
    }
    Trace& t = f.finish(1 + unsigned(seed % 3));
    std::multiset<std::tuple<uint32_t, Time, Time, uint32_t, bool>> got;
    uint64_t unmatched_ends = 0;
    for (int k = 0; k < threads; ++k) {
      for (const Flat& s : flatten(t, th[k]))
        got.insert({k, s.start, s.start + s.dur, uint32_t(std::stoul(s.name)), bool(s.flags & kSliceOpen)});
      CHECK(t.threads[th[k]].unmatched_end == want_unmatched_end[k]);
      CHECK(t.threads[th[k]].unmatched_begin == want_unmatched_begin[k]);
      unmatched_ends += want_unmatched_end[k];
      check_layout(t, t.threads[th[k]]);
    }
    CHECK(got == want);
    CHECK(t.others.size() == unmatched_ends);
  }
}

// ---------------------------------------------------------------------------------------------
// Layout: depths and overflow lanes
// ---------------------------------------------------------------------------------------------

TEST_CASE("layout: X slices that overlap without nesting go to overflow lanes, never dropped") {
  Fixture f;
  uint32_t th = f.thread("1", "1");
  auto x = [&](const char* name, Time s, Time d) { f.b->add_complete(th, s, d, f.label(name), {}, {}); };
  x("p", 0, 100);
  x("c1", 10, 20);   // [10,30] nests in p
  x("o1", 20, 30);   // [20,50] overlaps c1: overflow lane 0
  x("c2", 50, 10);   // [50,60] nests in p; touches o1's end
  x("o2", 55, 10);   // [55,65] overlaps c2: lane 0 is free again (o1 ended at 50)
  x("o3", 58, 20);   // [58,78] overlaps c2 and o2: lane 1
  x("big", 90, 100); // [90,190] overlaps p: lane 0 (free since 65)
  Trace& t = f.finish();
  auto s = flatten(t, th);
  CHECK(s.size() == 7);
  CHECK(!find(s, "p")->over);
  CHECK(!find(s, "c1")->over);
  CHECK(find(s, "c1")->depth == 1);
  CHECK(!find(s, "c2")->over);
  CHECK(find(s, "c2")->depth == 1);
  CHECK(find(s, "o1")->over);
  CHECK(find(s, "o1")->depth == 0);
  CHECK(find(s, "o2")->over);
  CHECK(find(s, "o2")->depth == 0);
  CHECK(find(s, "o3")->over);
  CHECK(find(s, "o3")->depth == 1);
  CHECK(find(s, "big")->over);
  CHECK(find(s, "big")->depth == 0);
  CHECK(t.threads[th].overflow.depths() == 2);
  CHECK(t.diagnostics.count(DiagKind::OverlappingSlice) == 4);
  check_layout(t, t.threads[th]);
}

TEST_CASE("layout: ties, zero-length and identical slices") {
  Fixture f;
  uint32_t th = f.thread("1", "1");
  auto x = [&](const char* name, Time s, Time d) { f.b->add_complete(th, s, d, f.label(name), {}, {}); };
  x("zero_at_start", 0, 0);  // nests in p (ties: longer first)
  x("p", 0, 10);
  x("twin", 0, 10);          // identical to p: nests in it
  x("zero_at_end", 10, 0);   // starts where p ends: a sibling, not a child
  x("next", 10, 5);
  Trace& t = f.finish();
  auto s = flatten(t, th);
  CHECK(find(s, "p")->depth == 0);
  CHECK(find(s, "twin")->depth == 1);
  CHECK(find(s, "zero_at_start")->depth == 2);
  CHECK(find(s, "next")->depth == 0);
  CHECK(find(s, "zero_at_end")->depth == 1);  // nested in "next" ([10,15] sorts first)
  CHECK(t.threads[th].overflow.size() == 0);
  check_layout(t, t.threads[th]);
}

TEST_CASE("layout: random X slices match the reference sweep exactly") {
  size_t overflowed = 0;
  for (uint64_t seed = 1; seed <= 500; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    std::vector<std::pair<Time, Time>> in;
    int n = int(rng() % 80);
    Time span = 1 + Time(rng() % 200);
    for (int i = 0; i < n; ++i) {
      Time s = Time(rng() % uint64_t(span)) - 20;
      Time d = rng() % 4 == 0 ? 0 : Time(rng() % uint64_t(span / 2 + 1));
      in.push_back({s, d});
    }
    // Mostly nested: add the enclosing trees that real tracers produce.
    for (int i = 0; i < n / 3; ++i) {
      auto [s, d] = in[rng() % in.size()];
      in.push_back({s - Time(rng() % 3), d + Time(rng() % 6)});
    }
    std::vector<RefSlice> ref = reference_layout(in);
    Fixture f;
    uint32_t th = f.thread("p", "t");
    for (size_t k = 0; k < in.size(); ++k)
      f.b->add_complete(th, in[k].first, in[k].second, f.label(std::to_string(k)), {}, {});
    Trace& t = f.finish();
    auto s = flatten(t, th);
    REQUIRE(s.size() == in.size());
    for (const Flat& x : s) {
      size_t k = std::stoul(x.name);
      CAPTURE(k);
      CHECK(x.start == in[k].first);
      CHECK(x.dur == in[k].second);
      CHECK(x.over == ref[k].over);
      if (!x.over) CHECK(x.depth == ref[k].depth);
    }
    // An overflowed slice really overlaps a nested one without nesting in it.
    const SliceSet& m = t.threads[th].slices;
    for (const Flat& x : s) {
      if (!x.over) continue;
      overflowed++;
      bool crosses = false;
      for (uint32_t j = 0; j < m.size() && !crosses; ++j)
        crosses = m.start[j] <= x.start && x.start < m.end(j) && m.end(j) < x.start + x.dur;
      CHECK(crosses);
    }
    check_layout(t, t.threads[th]);
  }
  CHECK(overflowed > 200);
}

// Appends a random tree inside [lo, hi] in post-order (children before their parent, as a
// profiler writes slices when they end), with zero-length, touching and identical slices.
void post_order_tree(std::mt19937_64& rng, Time lo, Time hi, int depth, std::vector<std::pair<Time, Time>>& out) {
  Time at = lo;
  int kids = depth == 0 ? 0 : int(rng() % 4);
  for (int i = 0; i < kids && at <= hi; ++i) {
    Time s = at + (rng() % 3 ? Time(rng() % uint64_t((hi - at) / 3 + 1)) : 0);
    Time e = rng() % 6 == 0 ? s : s + Time(rng() % uint64_t(hi - s + 1));
    post_order_tree(rng, s, e, depth - 1, out);
    at = e + (rng() % 2 ? 0 : Time(rng() % 3));
  }
  if (rng() % 25 == 0) out.push_back({lo, hi - lo});  // an identical twin, written first
  out.push_back({lo, hi - lo});
}

TEST_CASE("layout: slices written in end order (profiler post-order) match the reference") {
  size_t clean = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    std::vector<std::pair<Time, Time>> in;
    Time at = 0;
    for (int r = 0, roots = 1 + int(rng() % 4); r < roots; ++r) {
      Time len = Time(rng() % 300);
      post_order_tree(rng, at, at + len, 1 + int(rng() % 5), in);
      at += len + Time(rng() % 3);
    }
    if (seed % 5 == 0 && in.size() > 2) {  // now and then one slice out of place or overlapping
      auto [st, d] = in[rng() % in.size()];
      in.insert(in.begin() + long(rng() % in.size()), {st + 1, d + 1});
    }
    // Some B/E pairs after the X slices (pair_begin_end appends them), properly nested.
    std::vector<std::tuple<bool, Time, uint32_t>> be;  // begin?, ts, name
    Time bt = at + Time(rng() % 5) - 2;
    int open = 0;
    for (int i = 0, n = int(rng() % 10); i < n; ++i) {
      bt += Time(rng() % 3);
      if (open == 0 || rng() % 2) be.push_back({true, bt, uint32_t(in.size() + be.size())}), ++open;
      else be.push_back({false, bt, 0}), --open;
    }
    Fixture f;
    uint32_t th = f.thread("p", "t");
    std::vector<std::pair<Time, Time>> all = in;  // reference input, in the builder's pending order
    for (size_t k = 0; k < in.size(); ++k)
      f.b->add_complete(th, in[k].first, in[k].second, f.label(std::to_string(k)), {}, {});
    uint64_t seq = 0;
    std::vector<std::tuple<Time, uint32_t>> stack;
    Time hi = std::numeric_limits<Time>::min();
    for (auto& [b, ts, name] : be) hi = std::max(hi, ts);
    for (auto& x : in) hi = std::max(hi, x.first + x.second);
    std::vector<std::tuple<Time, Time, uint32_t>> paired;
    for (auto& [b, ts, name] : be) {
      if (b) {
        f.b->add_begin(th, ts, f.label(std::to_string(name)), {}, {}, seq++, 0);
        stack.push_back({ts, name});
      } else {
        f.b->add_end(th, ts, {}, {}, seq++, 0);
        paired.push_back({std::get<0>(stack.back()), ts, std::get<1>(stack.back())});
        stack.pop_back();
      }
    }
    for (auto& [ts, name] : stack) paired.push_back({ts, std::max(hi, ts), name});  // open
    // The builder appends paired slices in B order (names grow in B order).
    std::sort(paired.begin(), paired.end(),
              [](const auto& a, const auto& b) { return std::get<2>(a) < std::get<2>(b); });
    std::map<uint32_t, size_t> index_of;  // label number -> index in `all`
    for (size_t k = 0; k < in.size(); ++k) index_of[uint32_t(k)] = k;
    for (auto& [s0, e0, name] : paired) {
      index_of[name] = all.size();
      all.push_back({s0, e0 - s0});
    }
    std::vector<RefSlice> ref = reference_layout(all);
    Trace& t = f.finish();
    auto s = flatten(t, th);
    REQUIRE(s.size() == all.size());
    clean += t.threads[th].overflow.size() == 0;
    for (const Flat& x : s) {
      size_t k = index_of.at(uint32_t(std::stoul(x.name)));
      CAPTURE(k);
      CHECK(x.start == all[k].first);
      CHECK(x.dur == all[k].second);
      CHECK(x.over == ref[k].over);
      if (!x.over) CHECK(x.depth == ref[k].depth);
    }
    check_layout(t, t.threads[th]);
  }
  CHECK(clean > 200);  // mostly the clean post-order the fast path takes
}

TEST_CASE("layout: append_slices and add_slice_raw attach args to the right slices") {
  Fixture f;
  uint32_t th = f.thread("1", "1");
  uint32_t a = f.label("a"), b = f.label("b"), c = f.label("c");
  f.b->add_complete(th, 100, 1, c, ByteRange{7, 1}, {});
  RawSlice raw[3] = {{10, 5, b, kSliceHasArgs}, {0, 50, a, kSliceHasExtra}, {20, 5, b, 0}};
  SliceAttachment args[1] = {{0, ByteRange{11, 2}}};    // relative to raw[0]
  SliceAttachment extras[1] = {{1, ByteRange{22, 3}}};  // raw[1]
  f.b->append_slices(th, raw, 3, args, 1, extras, 1);
  // add_slice_raw recomputes the attachment flags from the ranges it is given.
  f.b->add_slice_raw(th, 30, 2, c, kSliceHasArgs | kSliceHasExtra | kSliceFromBE, {}, ByteRange{33, 4});
  Trace& t = f.finish();
  auto s = flatten(t, th);
  REQUIRE(s.size() == 5);
  for (const Flat& x : s) {
    CAPTURE(x.start);
    if (x.start == 100) CHECK(x.args.offset == 7);
    if (x.start == 10) CHECK((x.args.offset == 11 && x.extra.empty()));
    if (x.start == 0) CHECK((x.extra.offset == 22 && x.args.empty() && x.depth == 0));
    if (x.start == 20) CHECK((x.args.empty() && x.extra.empty() && x.depth == 1));
    if (x.start == 30) CHECK((x.flags == (kSliceFromBE | kSliceHasExtra) && x.extra.offset == 33));
  }
}

TEST_CASE("layout: results do not depend on the number of workers") {
  auto make = [](unsigned workers) {
    Fixture f;
    std::mt19937_64 rng(99);
    for (int k = 0; k < 16; ++k) {
      uint32_t th = f.thread(std::to_string(k % 3), std::to_string(k));
      for (int i = 0; i < 300; ++i) {
        Time s = Time(rng() % 10000);
        if (rng() % 3) f.b->add_complete(th, s, Time(rng() % 500), f.label(std::to_string(i % 17)), {}, {});
        else if (rng() % 2) f.b->add_begin(th, s, f.label("B"), {}, {}, uint64_t(i), 0);
        else f.b->add_end(th, s, {}, ByteRange{uint64_t(i), 1}, uint64_t(i), 0);
      }
    }
    f.finish(workers);
    return std::move(f.t);
  };
  auto one = make(1), many = make(4);
  REQUIRE(one->threads.size() == many->threads.size());
  for (uint32_t th = 0; th < one->threads.size(); ++th) {
    const Thread &a = one->threads[th], &b = many->threads[th];
    CHECK(a.slices.start == b.slices.start);
    CHECK(a.slices.dur == b.slices.dur);
    CHECK(a.slices.label == b.slices.label);
    CHECK(a.slices.depth_begin == b.slices.depth_begin);
    CHECK(a.overflow.start == b.overflow.start);
    CHECK(a.overflow.depth_begin == b.overflow.depth_begin);
    CHECK(a.unmatched_end == b.unmatched_end);
  }
  REQUIRE(one->others.size() == many->others.size());
  for (size_t i = 0; i < one->others.size(); ++i) CHECK(one->others[i].raw.offset == many->others[i].raw.offset);
  CHECK(one->diagnostics.count(DiagKind::OverlappingSlice) == many->diagnostics.count(DiagKind::OverlappingSlice));
}

// ---------------------------------------------------------------------------------------------
// Threads, labels, instants, time bounds
// ---------------------------------------------------------------------------------------------

TEST_CASE("threads, processes and labels are get-or-create") {
  Trace t;
  StrId n = t.strings.intern("pre"), c = t.strings.intern("cat");
  t.labels.push_back(Label{n, c});  // labels made before the builder are found by it
  TraceBuilder b(t);
  CHECK(b.label(n, c) == 0);
  CHECK(b.label(n, kNoStr) == 1);
  CHECK(b.label(n, kNoStr) == 1);
  uint32_t t1 = b.thread(b.intern("10"), b.intern("1"));
  uint32_t t2 = b.thread(b.intern("10"), b.intern("2"));
  uint32_t t3 = b.thread(b.intern("20"), b.intern("1"));
  CHECK(b.thread(b.intern("10"), b.intern("1")) == t1);
  CHECK(t.processes.size() == 2);
  CHECK(t.processes[0].threads == std::vector<uint32_t>{t1, t2});
  CHECK(t.processes[1].threads == std::vector<uint32_t>{t3});
  CHECK(t.threads[t3].process == 1);
  CHECK(b.process(b.intern("30")) == 2);
  CHECK(t.processes[2].threads.empty());
  b.set_process_sort_index(1, -3);
  b.set_thread_sort_index(t2, 9);
  b.set_thread_name(t2, b.intern("worker"));
  b.set_process_name(0, b.intern("main"));
  b.set_process_labels(0, b.intern("lbl"));
  b.finish(1);
  CHECK(t.processes[1].has_sort_index);
  CHECK(t.processes[1].sort_index == -3);
  CHECK(!t.processes[0].has_sort_index);
  CHECK(t.threads[t2].sort_index == 9);
  CHECK(t.str(t.threads[t2].name) == "worker");
  CHECK(t.str(t.processes[0].name) == "main");
  CHECK(t.str(t.processes[0].labels) == "lbl");
}

TEST_CASE("instants are routed by scope and sorted by ts, stably") {
  Fixture f;
  uint32_t th0 = f.thread("1", "1"), th1 = f.thread("2", "2");
  std::mt19937_64 rng(3);
  std::vector<Instant> all;
  for (int i = 0; i < 300; ++i) {
    Instant in;
    in.ts = Time(rng() % 20);
    in.label = f.label("i" + std::to_string(i));  // label i+... identifies the input order
    in.thread = rng() % 2 ? th0 : th1;
    in.scope = Scope(rng() % 3);
    in.phase = "iIR"[rng() % 3];
    in.args = ByteRange{uint64_t(i), 1};
    all.push_back(in);
    f.b->add_instant(in);
  }
  Trace& t = f.finish();
  auto expect = [&](auto pred) {
    std::vector<Instant> v;
    for (const Instant& in : all)
      if (pred(in)) v.push_back(in);
    std::stable_sort(v.begin(), v.end(), [](const Instant& a, const Instant& b) { return a.ts < b.ts; });
    return v;
  };
  auto same = [](const std::vector<Instant>& a, const std::vector<Instant>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].label == b[i].label);
      CHECK(a[i].ts == b[i].ts);
      CHECK(a[i].thread == b[i].thread);
      CHECK(a[i].phase == b[i].phase);
      CHECK(a[i].args.offset == b[i].args.offset);
    }
  };
  same(t.threads[th0].instants, expect([&](const Instant& in) { return in.scope == Scope::Thread && in.thread == th0; }));
  same(t.threads[th1].instants, expect([&](const Instant& in) { return in.scope == Scope::Thread && in.thread == th1; }));
  same(t.process_instants, expect([](const Instant& in) { return in.scope == Scope::Process; }));
  same(t.global_instants, expect([](const Instant& in) { return in.scope == Scope::Global; }));
}

TEST_CASE("time bounds cover every timed event; verbatim others do not count") {
  {
    Fixture f;
    f.finish();
    CHECK(f.t->start == 0);
    CHECK(f.t->end == 0);
  }
  {
    Fixture f;
    uint32_t th = f.thread("1", "1");
    f.b->add_other(OtherEvent{-1000, th, f.id("P"), 0, {}});
    f.b->add_other(OtherEvent{1000, th, f.id("P"), 0, {}});
    f.b->add_complete(th, 5, 10, f.label("x"), {}, {});
    f.finish();
    CHECK(f.t->start == 5);
    CHECK(f.t->end == 15);
  }
  // Each kind alone extends the bounds.
  auto one = [](auto add) {
    Fixture f;
    uint32_t th = f.thread("1", "1");
    f.b->add_complete(th, 0, 1, f.label("x"), {}, {});
    add(f, th);
    f.finish();
    return std::pair<Time, Time>(f.t->start, f.t->end);
  };
  using P = std::pair<Time, Time>;
  CHECK(one([](Fixture& f, uint32_t th) { f.b->add_begin(th, -7, 0, {}, {}, 0, 0); }) == P{-7, 1});
  CHECK(one([](Fixture& f, uint32_t th) { f.b->add_end(th, 9, {}, {}, 0, 0); }) == P{0, 9});
  CHECK(one([](Fixture& f, uint32_t th) {
          Instant in;
          in.ts = -3;
          in.thread = th;
          in.scope = Scope::Global;
          f.b->add_instant(in);
        }) == P{-3, 1});
  CHECK(one([](Fixture& f, uint32_t th) {
          std::pair<StrId, double> v{f.id("k"), 1.0};
          f.b->add_counter_sample(0, f.id("c"), 0, 20, th, &v, 1);
        }) == P{0, 20});
  CHECK(one([](Fixture& f, uint32_t th) { f.b->add_async('b', 0, th, 0, f.id("1"), 30, 0, {}, 0, 0); }) == P{0, 30});
  CHECK(one([](Fixture& f, uint32_t th) { f.b->add_async('n', 0, th, 0, f.id("1"), -30, 0, {}, 0, 0); }) == P{-30, 1});
  CHECK(one([](Fixture& f, uint32_t th) { f.b->add_flow(FlowEvent{40, 0, th, 0, 's', false, {}, {}, 0}); }) == P{0, 40});
  CHECK(one([](Fixture& f, uint32_t th) { f.b->add_object(ObjectEvent{-40, 0, 0, th, 0, 'N', {}, kNoStr, {}}); }) == P{-40, 1});
  CHECK(one([](Fixture& f, uint32_t) { f.b->note_time(50); }) == P{0, 50});
  CHECK(one([](Fixture& f, uint32_t th) {
          AsyncSlice a;
          a.start = 2;
          a.dur = 60;
          a.thread = th;
          f.b->add_async_slice_raw(a);
        }) == P{0, 62});
}

// ---------------------------------------------------------------------------------------------
// Counters
// ---------------------------------------------------------------------------------------------

TEST_CASE("counters: missing keys are NaN, duplicate keys keep the last, samples sort by ts") {
  Fixture f;
  uint32_t p = f.b->process(f.id("1")), th = f.thread("1", "7");
  StrId a = f.id("a"), b = f.id("b"), c = f.id("c");
  auto sample = [&](Time ts, std::vector<std::pair<StrId, double>> v, uint32_t thread = kNone) {
    f.b->add_counter_sample(p, f.id("mem"), f.id("cat"), ts, thread, v.data(), v.size());
  };
  sample(30, {{a, 1}});
  sample(10, {{b, 2}, {a, 3}, {b, 4}}, th);  // b twice: last wins
  sample(20, {});                            // no values at all: still a sample
  sample(10, {{c, 5}});                      // equal ts: keeps arrival order
  f.b->add_counter_sample(p, f.id("mem"), f.id("other cat"), 0, kNone, nullptr, 0);
  Trace& t = f.finish();
  REQUIRE(t.counters.size() == 1);
  const Counter& k = t.counters[0];
  CHECK(t.str(k.cat) == "cat");  // the first sample's category
  CHECK(k.ts == std::vector<Time>{0, 10, 10, 20, 30});
  CHECK(k.tid_of_sample == std::vector<uint32_t>{kNone, th, kNone, kNone, kNone});
  std::map<std::string, std::vector<double>> want = {
      {"a", {kNaN, 3, kNaN, kNaN, 1}}, {"b", {kNaN, 4, kNaN, kNaN, kNaN}}, {"c", {kNaN, kNaN, 5, kNaN, kNaN}}};
  REQUIRE(k.series.size() == 3);
  for (const CounterSeries& s : k.series) {
    std::string key(t.str(s.key));
    CAPTURE(key);
    REQUIRE(want.count(key));
    REQUIRE(s.values.size() == 5);
    for (size_t i = 0; i < 5; ++i) {
      if (std::isnan(want[key][i])) CHECK(std::isnan(s.values[i]));
      else CHECK(s.values[i] == want[key][i]);
    }
  }
  CHECK(t.start == 0);
  CHECK(t.end == 30);
}

TEST_CASE("counters: random samples against a reference") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    Fixture f;
    uint32_t procs[2] = {f.b->process(f.id("1")), f.b->process(f.id("2"))};
    StrId names[2] = {f.id("x"), f.id("y")};
    StrId keys[4] = {f.id("k0"), f.id("k1"), f.id("k2"), f.id("k3")};
    struct Sample {
      Time ts;
      std::vector<std::pair<StrId, double>> v;
    };
    std::map<std::pair<uint32_t, StrId>, std::vector<Sample>> want;
    int n = int(rng() % 60);
    for (int i = 0; i < n; ++i) {
      uint32_t p = procs[rng() % 2];
      StrId name = names[rng() % 2];
      Sample s{Time(rng() % 30) - 10, {}};
      int m = int(rng() % 5);
      for (int j = 0; j < m; ++j) {
        double v = rng() % 10 == 0 ? kNaN : double(int64_t(rng() % 2001) - 1000) / 8;
        s.v.push_back({keys[rng() % 4], v});
      }
      f.b->add_counter_sample(p, name, kNoStr, s.ts, kNone, s.v.data(), s.v.size());
      want[{p, name}].push_back(s);
    }
    Trace& t = f.finish();
    REQUIRE(t.counters.size() == want.size());
    for (const Counter& c : t.counters) {
      auto samples = want[{c.process, c.name}];
      std::stable_sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) { return a.ts < b.ts; });
      REQUIRE(c.ts.size() == samples.size());
      std::set<StrId> used;
      for (size_t i = 0; i < samples.size(); ++i) {
        CHECK(c.ts[i] == samples[i].ts);
        for (auto& kv : samples[i].v) used.insert(kv.first);
      }
      CHECK(c.series.size() == used.size());
      for (const CounterSeries& s : c.series) {
        REQUIRE(s.values.size() == samples.size());
        for (size_t i = 0; i < samples.size(); ++i) {
          double v = kNaN;
          for (auto& kv : samples[i].v)
            if (kv.first == s.key) v = kv.second;
          if (std::isnan(v)) CHECK(std::isnan(s.values[i]));
          else CHECK(s.values[i] == v);
        }
      }
    }
  }
}

// add_counter_run (what the .vzt reader calls, a section at a time) makes exactly the model that
// one add_counter_sample per sample makes: runs of random key sets (duplicates, NaNs, sets that
// turn a counter sparse), several runs of one counter, ids, extras, and a low sample limit.
TEST_CASE("counters: add_counter_run equals one add_counter_sample per sample") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    Fixture one, run;
    const uint64_t limit = seed % 3 == 0 ? 1 + rng() % 40 : TraceBuilder::kMaxCounterSamples;
    one.b->set_counter_sample_limit(limit), run.b->set_counter_sample_limit(limit);
    const int runs = 1 + int(rng() % 6);
    for (int r = 0; r < runs; ++r) {
      const std::string proc = std::to_string(rng() % 2), name = "c" + std::to_string(rng() % 2);
      const std::string id = rng() % 4 == 0 ? "7" : "";
      std::vector<std::string> keys;
      const size_t nkeys = rng() % 5;
      for (size_t j = 0; j < nkeys; ++j) keys.push_back("k" + std::to_string(rng() % (seed % 2 ? 4 : 40)));
      const size_t n = rng() % 50;
      const int nan_every = int(rng() % 4);  // 0: none
      std::vector<Time> ts(n);
      std::vector<uint32_t> threads(n);
      std::vector<std::vector<double>> cells(nkeys, std::vector<double>(n));
      std::vector<ByteRange> extras(n);
      for (size_t i = 0; i < n; ++i) {
        ts[i] = Time(rng() % 100);
        threads[i] = rng() % 3 == 0 ? kNone : uint32_t(rng() % 2);
        extras[i] = r % 2 && rng() % 4 == 0 ? ByteRange{rng() % 1000, 1 + rng() % 9} : ByteRange{};
        for (size_t j = 0; j < nkeys; ++j)
          cells[j][i] = nan_every && rng() % (nan_every * 2) == 0 ? kNaN : double(rng() % 100);
      }
      for (Fixture* f : {&one, &run}) {
        for (uint32_t th = 0; th < 2; ++th) f->thread("0", std::to_string(th));
        const uint32_t p = f->b->process(f->id(proc));
        const StrId nm = f->id(name), cat = f->id("cat"), idv = id.empty() ? kNoStr : f->id(id);
        std::vector<StrId> k;
        for (const std::string& key : keys) k.push_back(f->id(key));
        if (f == &one) {
          for (size_t i = 0; i < n; ++i) {
            std::vector<std::pair<StrId, double>> v;
            for (size_t j = 0; j < nkeys; ++j) v.push_back({k[j], cells[j][i]});
            f->b->add_counter_sample(p, nm, cat, ts[i], threads[i], v.data(), v.size(), 100 + r, idv,
                                     extras[i]);
          }
        } else {
          std::vector<const double*> values;
          for (auto& c : cells) values.push_back(c.data());
          f->b->add_counter_run(p, nm, cat, idv, k.data(), nkeys, n, ts.data(), threads.data(),
                                values.data(), r % 2 ? extras.data() : nullptr, 100 + r);
        }
      }
    }
    CHECK(dump_model(one.finish()) == dump_model(run.finish()));
  }
}

// A counter whose keys rarely share a sample is split into one counter per key; each holds the
// samples that gave its key a value (the event's last value for that key), in time order.
TEST_CASE("counters: keys that rarely meet split into one counter per key, checked against a reference") {
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    Fixture f;
    uint32_t p = f.b->process(f.id("1"));
    StrId name = f.id("c"), dense_name = f.id("dense");
    std::vector<StrId> keys;
    for (int k = 0; k < 3000; ++k) keys.push_back(f.id("k" + std::to_string(k)));
    struct Sample {
      Time ts;
      std::vector<std::pair<StrId, double>> v;
      ByteRange extra;  // its event's other fields (a made-up range: only where it goes counts)
    };
    std::vector<Sample> want;
    for (int i = 0; i < 3000; ++i) {
      Sample s{Time(rng() % 1000), {}, i % 5 == 1 ? ByteRange{uint64_t(i) * 10, 3} : ByteRange{}};
      int m = int(rng() % 3);
      for (int j = 0; j < m; ++j) {
        double v = rng() % 10 == 0 ? kNaN : double(int64_t(rng() % 2001) - 1000) / 8;
        StrId key = keys[rng() % keys.size()];
        s.v.push_back({key, v});
        if (rng() % 8 == 0) s.v.push_back({key, rng() % 2 ? kNaN : 7.0});  // a duplicate key
      }
      f.b->add_counter_sample(p, name, kNoStr, s.ts, kNone, s.v.data(), s.v.size(), 10 * uint64_t(i) + 7,
                              kNoStr, s.extra);
      want.push_back(s);
      std::pair<StrId, double> both[2] = {{keys[0], double(i)}, {keys[1], -double(i)}};
      f.b->add_counter_sample(p, dense_name, kNoStr, s.ts, kNone, both, 2, 1, kNoStr, s.extra);  // stays dense
    }
    Trace& t = f.finish();
    std::stable_sort(want.begin(), want.end(), [](const Sample& a, const Sample& b) { return a.ts < b.ts; });
    // key -> (ts, value, extra) of every sample whose last value for the key is a number
    std::map<StrId, std::vector<std::tuple<Time, double, uint64_t>>> per_key;
    std::vector<StrId> first_seen;
    for (const Sample& s : want) {
      std::map<StrId, double> last;
      for (auto& kv : s.v) last[kv.first] = kv.second;
      for (auto& [k, v] : last)
        if (!std::isnan(v)) per_key[k].push_back({s.ts, v, s.extra.empty() ? 0 : s.extra.offset});
    }
    // Each sample's other fields stay with it through the time sort and the split.
    auto extras_of = [](const Counter& c) {
      std::vector<uint64_t> e(c.ts.size(), 0);
      for (size_t j = 0; j < c.extras.size(); ++j) {
        CHECK(c.extras[j].index < c.ts.size());
        if (j > 0) CHECK(c.extras[j].index > c.extras[j - 1].index);
        if (c.extras[j].index < e.size()) e[c.extras[j].index] = c.extras[j].range.offset;
      }
      return e;
    };
    size_t dense = 0;
    std::set<StrId> seen;
    for (const Counter& c : t.counters) {
      if (c.name == dense_name) {
        ++dense;
        CHECK(!c.split);
        CHECK(c.series.size() == 2);
        CHECK(c.ts.size() == 3000);
        const std::vector<uint64_t> e = extras_of(c);
        for (size_t i = 0; i < want.size() && i < e.size(); ++i)
          CHECK(e[i] == (want[i].extra.empty() ? 0 : want[i].extra.offset));
        continue;
      }
      REQUIRE(c.name == name);
      CHECK(c.split);
      REQUIRE(c.series.size() == 1);
      const StrId k = c.series[0].key;
      CHECK(seen.insert(k).second);  // one counter per key
      REQUIRE(per_key.count(k));
      const auto& ref = per_key[k];
      REQUIRE(c.ts.size() == ref.size());
      REQUIRE(c.series[0].values.size() == ref.size());
      CHECK(c.tid_of_sample.size() == ref.size());
      const std::vector<uint64_t> e = extras_of(c);
      for (size_t i = 0; i < ref.size(); ++i) {
        CHECK(c.ts[i] == std::get<0>(ref[i]));
        CHECK(c.series[0].values[i] == std::get<1>(ref[i]));
        CHECK(e[i] == std::get<2>(ref[i]));
      }
    }
    CHECK(dense == 1);
    CHECK(seen.size() == per_key.size());
    CHECK(t.diagnostics.count(DiagKind::SparseCounter) == 1);
    const uint64_t at = t.diagnostics.get(DiagKind::SparseCounter).first_offset;
    CHECK(at % 10 == 7);  // the offset of the sample that made the counter sparse
    CHECK(at > 7);
  }
}

TEST_CASE("counters: a counter that turned sparse while building is dense again when its later samples fill it") {
  Fixture f;
  uint32_t p = f.b->process(f.id("1"));
  StrId name = f.id("c");
  std::vector<std::pair<StrId, double>> all;
  // 1100 samples of one new key each: too sparse to keep dense...
  REQUIRE(!counter_dense_fits(1100, 1100, 1100));
  // ...but dense enough once 500 samples carry every key.
  REQUIRE(counter_dense_fits(1100, 1600, 1100 + 500 * 1100));
  for (int k = 0; k < 1100; ++k) {
    all.push_back({f.id("k" + std::to_string(k)), double(k)});
    f.b->add_counter_sample(p, name, kNoStr, k, kNone, &all.back(), 1);
  }
  for (int i = 0; i < 500; ++i)  // then 500 samples with every key
    f.b->add_counter_sample(p, name, kNoStr, 2000 + i, kNone, all.data(), all.size());
  Trace& t = f.finish();
  REQUIRE(t.counters.size() == 1);
  const Counter& c = t.counters[0];
  CHECK(!c.split);
  CHECK(t.diagnostics.count(DiagKind::SparseCounter) == 0);
  REQUIRE(c.ts.size() == 1600);
  REQUIRE(c.series.size() == 1100);
  for (size_t k = 0; k < 1100; k += 99) {
    CAPTURE(k);
    const std::vector<double>& v = c.series[k].values;
    REQUIRE(v.size() == 1600);
    for (size_t i = 0; i < 1100; ++i) CHECK((i == k ? v[i] == double(k) : std::isnan(v[i])));
    for (size_t i = 1100; i < 1600; ++i) CHECK(v[i] == double(k));
  }
}

TEST_CASE("counters: many new keys late in a long counter cost what the input does") {
  Fixture f;
  uint32_t p = f.b->process(f.id("1"));
  StrId name = f.id("c");
  std::pair<StrId, double> a{f.id("a"), 1};
  std::vector<std::pair<StrId, double>> late;
  for (int k = 0; k < 1000; ++k) late.push_back({f.id("late" + std::to_string(k)), 2});
  const bool measured = test::reset_peak_rss();
  const uint64_t before = test::peak_rss();
  for (int i = 0; i < 100000; ++i) f.b->add_counter_sample(p, name, kNoStr, i, kNone, &a, 1, uint64_t(i));
  // Dense, this one event would fill 1000 series of 100000 NaNs each: 800 MB.
  f.b->add_counter_sample(p, name, kNoStr, 100000, kNone, late.data(), late.size(), 100000);
  Trace& t = f.finish();
  const uint64_t after = test::peak_rss();
  REQUIRE(t.counters.size() == 1001);
  CHECK(t.counters[0].ts.size() == 100000);
  CHECK(t.counters[1000].ts == std::vector<Time>{100000});
  CHECK(t.diagnostics.get(DiagKind::SparseCounter).first_offset == 100000);
  if (measured && before && after) CHECK(after - before < (uint64_t(64) << 20));
}

// ---------------------------------------------------------------------------------------------
// Async
// ---------------------------------------------------------------------------------------------

TEST_CASE("async: b/e pair per (process, cat, id), innermost first; S/F also by name") {
  Fixture f;
  uint32_t th = f.thread("1", "1"), th2 = f.thread("1", "2"), other = f.thread("2", "1");
  uint32_t p = 0, q = 1;
  StrId cat = f.id("net"), cat2 = f.id("disk"), id1 = f.id("0x1"), id2 = f.id("local:0x1");
  uint32_t a = f.label("a", "net"), b = f.label("b", "net"), c = f.label("c", "disk");
  uint64_t seq = 0;
  auto ev = [&](char ph, uint32_t proc, uint32_t thr, StrId ct, StrId id, Time ts, uint32_t lab,
                ByteRange args = {}) {
    uint64_t s = seq++;
    f.b->add_async(ph, proc, thr, ct, id, ts, lab, args, s, s * 10);
  };
  ev('b', p, th, cat, id1, 0, a, ByteRange{1, 1});
  ev('b', p, th, cat, id1, 5, b);
  ev('b', p, th, cat2, id1, 6, c);              // another category: its own stack
  ev('b', q, other, cat, id1, 6, a);            // another process: its own stack
  ev('e', p, th2, cat, id1, 7, a, ByteRange{2, 1});  // closes b (LIFO), from another thread
  ev('e', p, th, cat, id1, 9, b);               // closes a
  ev('e', p, th, cat, id2, 9, a);               // id2 "local:0x1" is a different id: unmatched
  ev('e', p, th, cat2, id1, 8, c);
  ev('S', p, th, cat, id1, 10, a);
  ev('S', p, th, cat, id1, 11, b);
  ev('F', p, th, cat, id1, 12, a);              // S/F match by name: closes a, not b
  ev('n', p, th, cat, id1, 3, a, ByteRange{3, 1});
  ev('T', p, th, cat, id1, 1, b);
  ev('p', p, th, cat, id1, 2, c);
  Trace& t = f.finish();
  auto find_async = [&](uint32_t proc, Time start, char phase) -> const AsyncSlice* {
    for (const AsyncSlice& s : t.async_slices)
      if (s.process == proc && s.start == start && s.phase == phase) return &s;
    return nullptr;
  };
  REQUIRE(t.async_slices.size() == 6);
  const AsyncSlice* s;
  REQUIRE((s = find_async(p, 0, 'b')));
  CHECK(s->dur == 9);
  CHECK(s->label == a);
  CHECK(s->args.offset == 1);
  CHECK(s->flags == 0);
  REQUIRE((s = find_async(p, 5, 'b')));
  CHECK(s->dur == 2);
  CHECK(s->label == b);
  CHECK(s->end_args.offset == 2);
  CHECK(s->thread == th);  // the begin event's thread
  REQUIRE((s = find_async(p, 6, 'b')));
  CHECK(s->dur == 2);
  CHECK(s->label == c);
  REQUIRE((s = find_async(q, 6, 'b')));
  CHECK(s->flags == kSliceOpen);
  CHECK(s->dur == t.end - 6);
  REQUIRE((s = find_async(p, 10, 'S')));
  CHECK(s->dur == 2);
  CHECK(s->label == a);
  REQUIRE((s = find_async(p, 11, 'S')));
  CHECK(s->flags == kSliceOpen);
  CHECK(s->label == b);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncEnd) == 1);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncBegin) == 2);
  // Marks, sorted by ts.
  REQUIRE(t.async_marks.size() == 3);
  CHECK(t.async_marks[0].phase == 'T');
  CHECK(t.async_marks[1].phase == 'p');
  CHECK(t.async_marks[2].phase == 'n');
  CHECK(t.async_marks[2].args.offset == 3);
  // Sorted by (process, start); p has [0,9] [5,7] [6,8] [10,12] [11,end] in three lanes.
  for (size_t i = 1; i < t.async_slices.size(); ++i) {
    const AsyncSlice &x = t.async_slices[i - 1], &y = t.async_slices[i];
    CHECK((x.process < y.process || (x.process == y.process && x.start <= y.start)));
  }
  CHECK(find_async(p, 0, 'b')->lane == 0);
  CHECK(find_async(p, 5, 'b')->lane == 1);
  CHECK(find_async(p, 6, 'b')->lane == 2);
  CHECK(find_async(p, 10, 'S')->lane < 3);  // lanes are reused once free
  CHECK(find_async(p, 11, 'S')->lane < 3);
  CHECK(find_async(p, 10, 'S')->lane != find_async(p, 11, 'S')->lane);
  CHECK(find_async(q, 6, 'b')->lane == 0);   // lanes restart per process
}

// id2.global ids are one id in every process; plain and local ids are per process.
TEST_CASE("async: an id2.global id pairs across processes, local and plain ids do not") {
  Fixture f;
  uint32_t th = f.thread("1", "1"), other = f.thread("2", "2");
  uint32_t p = 0, q = 1;
  StrId cat = f.id("net"), global = f.id("global:0x9"), local = f.id("local:0x9"), plain = f.id("0x9");
  uint32_t a = f.label("a", "net");
  uint64_t seq = 0;
  auto ev = [&](char ph, uint32_t proc, uint32_t thr, StrId id, Time ts) {
    uint64_t s = seq++;
    f.b->add_async(ph, proc, thr, cat, id, ts, a, {}, s, s * 10);
  };
  ev('b', p, th, global, 0);
  ev('e', q, other, global, 100);  // closes it, from another process
  ev('b', p, th, local, 10);
  ev('e', q, other, local, 20);    // another process's id: unmatched
  ev('S', p, th, plain, 30);
  ev('F', q, other, plain, 40);    // likewise
  ev('S', q, other, global, 50);
  ev('F', p, th, global, 60);
  Trace& t = f.finish();
  REQUIRE(t.async_slices.size() == 4);
  size_t closed = 0;
  for (const AsyncSlice& s : t.async_slices) {
    CAPTURE(s.start);
    const bool is_global = s.start == 0 || s.start == 50;
    CHECK(bool(s.flags & kSliceOpen) == !is_global);
    if (!is_global) continue;
    ++closed;
    CHECK(s.dur == (s.start == 0 ? 100 : 10));
    CHECK(s.process == (s.start == 0 ? p : q));  // the begin's process
    CHECK(s.end_thread == (s.start == 0 ? other : th));  // the end's thread, in the other process
  }
  CHECK(closed == 2);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncEnd) == 2);
}

TEST_CASE("async: a global id without category or scope pairs when its events come first") {
  // Its key (any process, no category, no scope, no name) is the one pair_async starts from.
  Fixture f;
  uint32_t th = f.thread("1", "1"), other = f.thread("2", "2");
  StrId global = f.id("global:0x2");
  uint32_t a = f.label("a");
  f.b->add_async('b', 0, th, kNoStr, global, 5, a, {}, 0, 0);
  f.b->add_async('e', 1, other, kNoStr, global, 9, a, {}, 1, 10);
  f.b->add_async('e', 0, th, kNoStr, global, 12, a, {}, 2, 20, kNoStr, ByteRange{0, 2}, true);  // a stray
  Trace& t = f.finish();
  REQUIRE(t.async_slices.size() == 1);
  CHECK((t.async_slices[0].flags & kSliceOpen) == 0);
  CHECK(t.async_slices[0].dur == 4);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncBegin) == 0);
  CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncEnd) == 1);
  CHECK(t.others.size() == 1);  // the stray, kept
}

TEST_CASE("async: random events pair like per-key stacks; lanes never overlap") {
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    Fixture f;
    uint32_t th = f.thread("1", "1");
    f.thread("2", "1");
    StrId ids[3] = {f.id("1"), f.id("2"), f.id("global:1")};
    StrId cats[2] = {f.id("a"), f.id("b")};
    uint32_t labels[3] = {f.label("x"), f.label("y"), f.label("z")};
    struct Ev {
      char ph;
      uint32_t proc;
      StrId cat, id;
      Time ts;
      uint32_t label;
      uint64_t seq;
    };
    std::vector<Ev> evs;
    int n = int(rng() % 60);
    Time ts = 0;
    for (int i = 0; i < n; ++i) {
      ts += Time(rng() % 3);
      evs.push_back({"beSF"[rng() % 4], uint32_t(rng() % 2), cats[rng() % 2], ids[rng() % 3], ts,
                     labels[rng() % 3], uint64_t(i)});
    }
    // Reference: per key stacks in (ts, seq) order; a "global:" id's key has no process.
    Time hi = evs.empty() ? 0 : ts;
    std::multiset<std::tuple<uint32_t, Time, Time, uint32_t, char, bool>> want;
    std::map<std::tuple<uint32_t, StrId, StrId, uint32_t>, std::vector<Ev>> open;
    for (const Ev& e : evs) {
      bool legacy = e.ph == 'S' || e.ph == 'F';
      auto key = std::make_tuple(e.id == ids[2] ? kNone : e.proc, e.cat, e.id,
                                 legacy ? f.t->labels[e.label].name : kNone);
      if (e.ph == 'b' || e.ph == 'S') {
        open[key].push_back(e);
      } else if (!open[key].empty()) {
        const Ev& b = open[key].back();
        want.insert({b.proc, b.ts, e.ts, b.label, b.ph, false});
        open[key].pop_back();
      }
    }
    for (auto& [k, v] : open)
      for (const Ev& b : v) want.insert({b.proc, b.ts, std::max(hi, b.ts), b.label, b.ph, true});
    std::shuffle(evs.begin(), evs.end(), rng);
    for (const Ev& e : evs) f.b->add_async(e.ph, e.proc, th, e.cat, e.id, e.ts, e.label, {}, e.seq, e.seq);
    Trace& t = f.finish();
    std::multiset<std::tuple<uint32_t, Time, Time, uint32_t, char, bool>> got;
    for (const AsyncSlice& s : t.async_slices)
      got.insert({s.process, s.start, s.start + s.dur, s.label, s.phase, bool(s.flags & kSliceOpen)});
    CHECK(got == want);
    // Lanes: per process, slices in one lane never overlap; a new lane opens only when every
    // existing lane is busy at that start.
    std::map<std::pair<uint32_t, uint32_t>, Time> lane_end;
    std::map<uint32_t, uint32_t> lanes;
    for (size_t i = 0; i < t.async_slices.size(); ++i) {
      const AsyncSlice& s = t.async_slices[i];
      if (i) {
        const AsyncSlice& r = t.async_slices[i - 1];
        CHECK((r.process < s.process || (r.process == s.process && r.start <= s.start)));
      }
      auto it = lane_end.find({s.process, s.lane});
      if (it != lane_end.end()) {
        CHECK(it->second <= s.start);
      } else {
        CHECK(s.lane == lanes[s.process]);  // lanes are numbered densely
        for (uint32_t l = 0; l < lanes[s.process]; ++l) CHECK(lane_end[{s.process, l}] > s.start);
        lanes[s.process]++;
      }
      lane_end[{s.process, s.lane}] = s.start + s.dur;
    }
  }
}

TEST_CASE("async: a large trace listed out of time order pairs like per-key stacks") {
  // Events numbered in the order given (as readers number them) but not in time order, enough
  // of them for the radix time sort; ids shared across processes, categories, scopes and S/F
  // names (one id's group holds several keys), time ties, negative and far times, unmatched ends
  // and begins. The slices must come out exactly in the layout order: (process, start, longer
  // first), ties in the time order of their begins.
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    Fixture f;
    uint32_t th = f.thread("1", "1");
    f.thread("2", "1");
    f.thread("3", "1");
    std::vector<StrId> ids;
    const int nids = seed % 4 == 3 ? 6000 : 700;  // 6000: most ids used once or twice
    for (int i = 0; i < nids; ++i) ids.push_back(f.id("id" + std::to_string(i)));
    StrId cats[2] = {f.id("a"), f.id("b")}, scopes[2] = {kNoStr, f.id("s")};
    uint32_t labels[3] = {f.label("x"), f.label("y"), f.label("z")};
    struct Ev {
      char ph;
      uint32_t proc;
      StrId cat, id, scope;
      Time ts;
      uint32_t label;
      uint64_t seq;
    };
    std::vector<Ev> evs;
    const int n = 5000 + int(rng() % 15000);
    // Times: over 2^40 (four radix passes), over 3000 (many ties), or across -2^60 .. 2^60.
    auto when = [&]() -> Time {
      switch (seed % 4) {
        case 0: return Time(rng() % 3000);
        case 2: return Time(rng() % (uint64_t(1) << 61)) - (Time(1) << 60);
        default: return Time(rng() % (uint64_t(1) << 40));
      }
    };
    for (int i = 0; i < n; ++i)
      evs.push_back({"bbeeSF"[rng() % 6], uint32_t(rng() % 3), cats[rng() % 4 == 0],
                     ids[rng() % ids.size()], scopes[rng() % 8 == 0], when(), labels[rng() % 3],
                     uint64_t(i)});
    // Reference: per-key stacks in (ts, seq) order.
    std::vector<Ev> by_time = evs;
    std::stable_sort(by_time.begin(), by_time.end(), [](const Ev& a, const Ev& b) { return a.ts < b.ts; });
    Time hi = by_time.back().ts;
    struct Want {
      uint32_t proc;
      Time start, end;
      uint32_t label;
      char ph;
      bool open;
      uint64_t rank;  // the begin's place in time order
      bool operator==(const Want&) const = default;
    };
    std::vector<Want> want;
    std::vector<uint64_t> rank_of(evs.size());
    for (size_t k = 0; k < by_time.size(); ++k) rank_of[by_time[k].seq] = k;
    std::map<std::tuple<uint32_t, StrId, StrId, StrId, uint32_t>, std::vector<Ev>> open;
    uint64_t unmatched = 0, first_unmatched = UINT64_MAX;
    for (const Ev& e : by_time) {
      bool legacy = e.ph == 'S' || e.ph == 'F';
      auto key = std::make_tuple(e.proc, e.cat, e.id, e.scope, legacy ? f.t->labels[e.label].name : kNone);
      if (e.ph == 'b' || e.ph == 'S') {
        open[key].push_back(e);
      } else if (!open[key].empty()) {
        const Ev& b = open[key].back();
        want.push_back({b.proc, b.ts, e.ts, b.label, b.ph, false, rank_of[b.seq]});
        open[key].pop_back();
      } else {
        ++unmatched;
        first_unmatched = std::min(first_unmatched, e.seq * 10);
      }
    }
    size_t never_closed = 0;
    for (auto& [k, v] : open)
      for (const Ev& b : v) want.push_back({b.proc, b.ts, std::max(hi, b.ts), b.label, b.ph, true, rank_of[b.seq]}), ++never_closed;
    std::sort(want.begin(), want.end(), [](const Want& a, const Want& b) {
      return std::tuple(a.proc, a.start, b.end - b.start, a.rank) < std::tuple(b.proc, b.start, a.end - a.start, b.rank);
    });
    for (const Ev& e : evs)  // each begin's args name its event (offset = seq)
      f.b->add_async(e.ph, e.proc, th, e.cat, e.id, e.ts, e.label, ByteRange{e.seq, 1}, e.seq, e.seq * 10, e.scope);
    Trace& t = f.finish();
    std::vector<Want> got;
    for (const AsyncSlice& s : t.async_slices)
      got.push_back({s.process, s.start, s.start + s.dur, s.label, s.phase, bool(s.flags & kSliceOpen),
                     rank_of[s.args.offset]});
    CHECK(got == want);
    CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncEnd) == unmatched);
    if (unmatched) CHECK(t.diagnostics.get(DiagKind::UnmatchedAsyncEnd).first_offset == first_unmatched);
    CHECK(t.diagnostics.count(DiagKind::UnmatchedAsyncBegin) == never_closed);
  }
}

TEST_CASE("async: open slices come out in a deterministic order") {
  // Never-closed slices with equal start and end: their order (and lanes) must not depend on
  // hash-map iteration, or a JSON round trip (which re-interns the ids) could reorder them.
  auto build = [](uint64_t intern_seed) {
    Fixture f;
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) ids.push_back("id" + std::to_string(i));
    std::vector<std::string> shuffled = ids;
    std::mt19937_64 rng(intern_seed);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    for (const std::string& s : shuffled) f.id(s);  // changes the ids' StrIds, hence their hashes
    uint32_t th = f.thread("1", "1");
    f.b->add_complete(th, 0, 100, f.label("x"), {}, {});
    for (int i = 0; i < 20; ++i)
      f.b->add_async('b', 0, th, 0, f.id(ids[i]), 10, f.label("for " + ids[i]), {}, uint64_t(i), 0);
    f.finish();
    std::string names;
    for (const AsyncSlice& s : f.t->async_slices)
      names += std::string(f.t->name_of(s.label)) + " (lane " + std::to_string(s.lane) + "), ";
    return names;
  };
  std::string first = build(0);
  for (uint64_t seed = 1; seed < 10; ++seed) CHECK(build(seed) == first);
}

TEST_CASE("adopt_slice_set: a laid-out set is kept as is; with other slices, laid out with them") {
  auto make = [](Time shift) {  // [0,100) with a child [10,40) and a grandchild [12,20)
    SliceSet s;
    s.start = {shift, shift + 10, shift + 12};
    s.dur = {100, 30, 8};
    s.label = {0, 1, 0};
    s.flags = {0, 1, 0};
    s.depth_begin = {0, 1, 2, 3};
    s.args = {{1, ByteRange{0, 1}}};
    return s;
  };
  for (int extra = 0; extra < 3; ++extra) {
    CAPTURE(extra);
    Fixture f;
    uint32_t th = f.thread("1", "1");
    uint32_t a = f.label("a");
    f.label("b");
    f.b->adopt_slice_set(th, make(1000));
    if (extra == 1) f.b->add_complete(th, 0, 50, a, {}, {});  // before it: laid out together
    if (extra == 2) f.b->adopt_slice_set(th, make(0));         // a second set: the same
    Trace& t = f.finish();
    const SliceSet& s = t.threads[th].slices;
    size_t n = extra == 0 ? 3 : extra == 1 ? 4 : 6;
    REQUIRE(s.size() == n);
    CHECK(s.nested);
    CHECK(!t.threads[th].overflow.nested);
    CHECK(s.depths() == 3);
    CHECK(t.end == 1100);
    CHECK(t.start == (extra == 0 ? 1000 : 0));
    CHECK(s.args.size() == (extra == 2 ? 2u : 1u));
    for (const SliceAttachment& x : s.args) CHECK(s.flags[x.index] == 1);  // the child's
  }
}

// Sample indexes are uint32_t: a counter stops at TraceBuilder::kMaxCounterSamples samples (and a
// sparse one at as many values). The tests lower the limit, as 4 G samples do not fit a test.
TEST_CASE("counters: samples past the limit are dropped with a diagnostic, not wrapped") {
  CHECK(TraceBuilder::kMaxCounterSamples == 0xffffffffu);
  Fixture f;
  f.b->set_counter_sample_limit(5);
  uint32_t p = f.b->process(f.id("1"));
  std::pair<StrId, double> v{f.id("v"), 0};
  for (int i = 0; i < 8; ++i) {
    v.second = double(i);
    f.b->add_counter_sample(p, f.id("c"), kNoStr, 10 * i, kNone, &v, 1, 100 + uint64_t(i));
  }
  for (int i = 0; i < 3; ++i) f.b->add_counter_sample(p, f.id("d"), kNoStr, 5 + i, kNone, &v, 1, 200);  // under it
  Trace& t = f.finish();
  REQUIRE(t.counters.size() == 2);
  const Counter& c = t.str(t.counters[0].name) == "c" ? t.counters[0] : t.counters[1];
  const Counter& d = t.str(t.counters[0].name) == "c" ? t.counters[1] : t.counters[0];
  CHECK(c.ts == std::vector<Time>{0, 10, 20, 30, 40});
  REQUIRE(c.series.size() == 1);
  CHECK(c.series[0].values == std::vector<double>{0, 1, 2, 3, 4});
  CHECK(d.ts.size() == 3);
  CHECK(t.end == 40);  // the dropped samples' times do not count
  const DiagEntry& e = t.diagnostics.get(DiagKind::CounterLimit);
  CHECK(e.count == 3);
  CHECK(e.first_offset == 105);
  CHECK(e.detail.find("'c': 5 samples kept") != std::string::npos);
  CHECK(diag_info(DiagKind::CounterLimit).id == "counter_limit");
}

TEST_CASE("counters: a sparse counter stops at the limit in values, a dense one that would pass it stays dense") {
  SUBCASE("sparse") {
    Fixture f;
    f.b->set_counter_sample_limit(200);
    uint32_t p = f.b->process(f.id("1"));
    // Three new keys per sample: sparse after a few dozen samples, 3 values per sample.
    for (int i = 0; i < 70; ++i) {
      std::vector<std::pair<StrId, double>> v;
      for (int k = 0; k < 3; ++k) v.push_back({f.id("k" + std::to_string(3 * i + k)), double(i)});
      f.b->add_counter_sample(p, f.id("c"), kNoStr, i, kNone, v.data(), v.size(), uint64_t(i));
    }
    Trace& t = f.finish();
    // 66 samples hold 198 values; the 67th would pass 200.
    CHECK(t.diagnostics.count(DiagKind::SparseCounter) == 1);
    const DiagEntry& e = t.diagnostics.get(DiagKind::CounterLimit);
    CHECK(e.count == 4);
    CHECK(e.first_offset == 66);
    REQUIRE(t.counters.size() == 198);  // one per key
    for (const Counter& c : t.counters) {
      CHECK(c.split);
      REQUIRE(c.ts.size() == 1);
      CHECK(c.ts[0] < 66);
    }
  }
  SUBCASE("dense") {
    Fixture f;
    f.b->set_counter_sample_limit(150);
    uint32_t p = f.b->process(f.id("1"));
    std::pair<StrId, double> a{f.id("a"), 1};
    for (int i = 0; i < 100; ++i) f.b->add_counter_sample(p, f.id("c"), kNoStr, i, kNone, &a, 1);
    // 100 new keys: too many for dense storage, but kept sparsely 200 values would pass the limit.
    std::vector<std::pair<StrId, double>> wide;
    for (int k = 0; k < 100; ++k) wide.push_back({f.id("w" + std::to_string(k)), 2});
    REQUIRE(!counter_dense_fits(101, 101, 200));
    f.b->add_counter_sample(p, f.id("c"), kNoStr, 100, kNone, wide.data(), wide.size());
    f.b->add_counter_sample(p, f.id("c"), kNoStr, 101, kNone, &a, 1);  // samples still fit
    Trace& t = f.finish();
    REQUIRE(t.counters.size() == 1);
    const Counter& c = t.counters[0];
    CHECK(!c.split);
    CHECK(c.ts.size() == 102);
    REQUIRE(c.series.size() == 101);
    for (const CounterSeries& s : c.series) CHECK(s.values.size() == 102);
    CHECK(c.series[1].values[100] == 2);
    CHECK(t.diagnostics.count(DiagKind::CounterLimit) == 0);
    CHECK(t.diagnostics.count(DiagKind::SparseCounter) == 0);
  }
}
