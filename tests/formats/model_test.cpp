// Tests of formats/model.cpp: the StringTable and SliceSet's queries (visible, overlap, stab,
// depth_of, args_of/extra_of), checked against brute force on random traces built through
// TraceBuilder: nested trees, zero-length slices, equal starts, touching siblings, overflow sets.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "formats/builder.h"
#include "formats/model.h"

using namespace vz;

namespace {

// What one random thread was built from: slice k has label k, so a stored slice names its input.
struct Input {
  Time start, dur;
  ByteRange args, extra;
};

// Appends a random tree of X slices inside [lo, hi] (the root spans it exactly).
void random_tree(std::mt19937_64& rng, Time lo, Time hi, int depth, std::vector<Input>& out) {
  out.push_back({lo, hi - lo, {}, {}});
  if (depth == 0 || rng() % 5 == 0) return;
  Time at = lo;
  int kids = int(rng() % 5);
  for (int k = 0; k < kids && at <= hi; ++k) {
    Time room = hi - at;
    Time gap = rng() % 3 == 0 ? 0 : Time(rng() % uint64_t(room / 4 + 1));  // equal starts often
    Time s = at + gap;
    Time len = rng() % 6 == 0 ? 0 : Time(rng() % uint64_t(hi - s + 1));    // zero-length often
    random_tree(rng, s, s + len, depth - 1, out);
    at = s + len + (rng() % 2 ? 0 : Time(rng() % 4));  // touching siblings often
  }
}

// Random inputs for one thread: trees, plus stray slices that overlap without nesting.
std::vector<Input> random_inputs(std::mt19937_64& rng, bool strays) {
  std::vector<Input> in;
  Time at = Time(rng() % 50) - 25;  // negative times are valid (before the origin)
  int roots = 1 + int(rng() % 4);
  for (int r = 0; r < roots; ++r) {
    Time len = Time(rng() % 200);
    random_tree(rng, at, at + len, 1 + int(rng() % 5), in);
    at += len + Time(rng() % 10);
  }
  if (strays) {
    int n = int(rng() % 8);
    for (int i = 0; i < n; ++i) {
      Time s = Time(rng() % uint64_t(at + 30)) - 25;
      in.push_back({s, 1 + Time(rng() % 80), {}, {}});
    }
  }
  std::shuffle(in.begin(), in.end(), rng);
  // Unique, recognisable ranges (the source buffer is never read here).
  for (size_t k = 0; k < in.size(); ++k) {
    if (rng() % 3 == 0) in[k].args = ByteRange{1000 + k * 10, 1 + k % 7};
    if (rng() % 4 == 0) in[k].extra = ByteRange{500000 + k * 10, 2 + k % 5};
  }
  return in;
}

// Builds one thread from `in` (label k for input k).
std::unique_ptr<Trace> build(const std::vector<Input>& in) {
  auto t = std::make_unique<Trace>();
  TraceBuilder b(*t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  for (size_t k = 0; k < in.size(); ++k) {
    uint32_t lab = b.label(b.intern("s" + std::to_string(k)), kNoStr);
    REQUIRE(lab == k);
    b.add_complete(th, in[k].start, in[k].dur, lab, in[k].args, in[k].extra);
  }
  b.finish(1);
  return t;
}

// Closed intervals: [start, end] meets [t0, t1]; an empty query (t1 < t0) meets nothing.
bool overlaps(const SliceSet& s, uint32_t i, Time t0, Time t1) {
  return t0 <= t1 && s.start[i] <= t1 && s.end(i) >= t0;
}

// Times worth querying: every start and end, their neighbours, and the extremes.
std::vector<Time> interesting_times(const SliceSet& s, std::mt19937_64& rng) {
  std::vector<Time> ts = {-1000, 1000000};
  for (uint32_t i = 0; i < s.size(); ++i) {
    for (Time t : {s.start[i], s.end(i)}) {
      ts.push_back(t);
      ts.push_back(t - 1);
      ts.push_back(t + 1);
    }
  }
  std::shuffle(ts.begin(), ts.end(), rng);
  if (ts.size() > 40) ts.resize(40);
  return ts;
}

// Checks every query of `s` against brute force.
void check_queries(const SliceSet& s, std::mt19937_64& rng) {
  REQUIRE(s.depth_begin.size() == s.depths() + 1);
  REQUIRE(s.depth_begin.front() == 0);
  REQUIRE(s.depth_begin.back() == s.size());
  // depth_of against a linear scan of depth_begin.
  for (uint32_t d = 0; d < s.depths(); ++d) {
    CHECK(s.depth_begin[d] < s.depth_begin[d + 1]);  // no empty depth
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) CHECK(s.depth_of(i) == d);
  }
  std::vector<Time> ts = interesting_times(s, rng);
  std::vector<uint32_t> got, want;
  for (size_t a = 0; a < ts.size(); ++a) {
    for (size_t b = 0; b < ts.size(); b += 1 + rng() % 3) {
      Time t0 = ts[a], t1 = ts[b];
      // visible: exactly the brute-force set, as one contiguous range, at every depth.
      for (uint32_t d = 0; d <= s.depths(); ++d) {
        auto [f, l] = s.visible(d, t0, t1);
        CHECK(f <= l);
        std::vector<uint32_t> brute;
        if (d < s.depths())
          for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i)
            if (overlaps(s, i, t0, t1)) brute.push_back(i);
        if (brute.empty()) {
          CHECK(f == l);
        } else {
          CHECK(f == brute.front());
          CHECK(l == brute.back() + 1);
          CHECK(brute.size() == l - f);
        }
      }
      // overlap: appends (never clears) every overlapping slice, in depth (= index) order.
      got.assign(1, 0xdeadbeef);
      s.overlap(t0, t1, got);
      want.assign(1, 0xdeadbeef);
      for (uint32_t i = 0; i < s.size(); ++i)
        if (overlaps(s, i, t0, t1)) want.push_back(i);
      CHECK(got == want);
    }
    // stab: every slice with start <= t <= end, outermost first.
    Time t = ts[a];
    got.clear();
    s.stab(t, got);
    want.clear();
    for (uint32_t i = 0; i < s.size(); ++i)
      if (s.start[i] <= t && t <= s.end(i)) want.push_back(i);
    CHECK(got == want);
    for (size_t k = 1; k < got.size(); ++k) CHECK(s.depth_of(got[k - 1]) <= s.depth_of(got[k]));
  }
}

// Checks that every input slice is stored once, with its times, flags and attachments.
void check_storage(const Trace& t, const std::vector<Input>& in) {
  const Thread& th = t.threads[0];
  std::vector<int> seen(in.size(), 0);
  for (const SliceSet* s : {&th.slices, &th.overflow}) {
    for (uint32_t i = 0; i < s->size(); ++i) {
      uint32_t k = s->label[i];
      REQUIRE(k < in.size());
      seen[k]++;
      CHECK(s->start[i] == in[k].start);
      CHECK(s->dur[i] == in[k].dur);
      ByteRange a = s->args_of(i), e = s->extra_of(i);
      CHECK(a.offset == in[k].args.offset);
      CHECK(a.len == in[k].args.len);
      CHECK(e.offset == in[k].extra.offset);
      CHECK(e.len == in[k].extra.len);
      CHECK(bool(s->flags[i] & kSliceHasArgs) == !in[k].args.empty());
      CHECK(bool(s->flags[i] & kSliceHasExtra) == !in[k].extra.empty());
    }
    // Attachments are sorted by index (args_of/extra_of binary-search them).
    for (size_t j = 1; j < s->args.size(); ++j) CHECK(s->args[j - 1].index < s->args[j].index);
    for (size_t j = 1; j < s->extras.size(); ++j) CHECK(s->extras[j - 1].index < s->extras[j].index);
  }
  for (size_t k = 0; k < in.size(); ++k) CHECK(seen[k] == 1);
}

}  // namespace

TEST_CASE("StringTable: id 0 is empty, ids are dense and stable, find") {
  StringTable s;
  CHECK(s.size() == 1);
  CHECK(s.get(0).empty());
  CHECK(s.intern("") == 0);
  StrId a = s.intern("alpha");
  StrId b = s.intern(std::string(100000, 'x'));  // longer than one block
  StrId c = s.intern(std::string_view("a\0b", 3));
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(c == 3);
  CHECK(s.intern("alpha") == a);
  CHECK(s.get(b).size() == 100000);
  CHECK(s.get(c) == std::string_view("a\0b", 3));
  CHECK(s.find("alpha") == a);
  CHECK(s.find("beta") == kNone);
  CHECK(s.bytes() == 5 + 100000 + 3);
  // Views stay valid while more strings are added.
  std::string_view first = s.get(a);
  for (int i = 0; i < 20000; ++i) s.intern("name" + std::to_string(i));
  CHECK(first == "alpha");
  CHECK(s.get(a).data() == first.data());
  StringTable moved(std::move(s));
  CHECK(moved.get(a) == "alpha");
  CHECK(moved.find("name19999") != kNone);
}

TEST_CASE("StringTable: agrees with a std::map over many strings, present and absent") {
  // Enough strings to grow the table many times; near-identical ones (one byte apart, prefixes,
  // embedded zero bytes) to exercise probing past matching hash tags.
  std::mt19937_64 rng(61);
  StringTable s;
  std::map<std::string, StrId> want{{"", 0}};
  auto random_string = [&] {
    std::string x(rng() % 24, 'a');
    for (char& c : x) c = char("ab\0z"[rng() % 4]);
    if (rng() % 3 == 0) x = "id:" + std::to_string(rng() % 50000);
    return x;
  };
  for (int i = 0; i < 200000; ++i) {
    const std::string x = random_string();
    auto [it, fresh] = want.try_emplace(x, StrId(want.size()));
    CHECK(s.intern(x) == it->second);  // a new string gets the next id, an old one its own
    if (i % 7 == 0) {
      const std::string y = random_string();
      const auto w = want.find(y);
      CHECK(s.find(y) == (w == want.end() ? kNone : w->second));
    }
  }
  CHECK(s.size() == want.size());
  for (const auto& [x, id] : want) {
    CHECK(s.get(id) == x);
    CHECK(s.find(x) == id);
  }
}

TEST_CASE("SliceSet: empty set answers every query with nothing") {
  SliceSet s;
  CHECK(s.size() == 0);
  CHECK(s.depths() == 0);
  auto [f, l] = s.visible(0, -100, 100);
  CHECK(f == l);
  std::vector<uint32_t> out;
  s.overlap(-100, 100, out);
  s.stab(0, out);
  CHECK(out.empty());
  CHECK(s.args_of(0).empty());
  CHECK(s.extra_of(0).empty());
}

TEST_CASE("SliceSet: queries on a hand-made set with known answers") {
  // depth 0: [0,10] [10,20] [25,25]; depth 1: [0,0] [2,5] [5,5] [12,20]
  SliceSet s;
  s.start = {0, 10, 25, 0, 2, 5, 12};
  s.dur = {10, 10, 0, 0, 3, 0, 8};
  s.label = {0, 1, 2, 3, 4, 5, 6};
  s.flags.assign(7, 0);
  s.depth_begin = {0, 3, 7};
  s.args = {{1, ByteRange{7, 3}}, {5, ByteRange{20, 1}}};
  s.extras = {{6, ByteRange{40, 2}}};
  using R = std::pair<uint32_t, uint32_t>;
  CHECK(s.visible(0, 0, 0) == R{0, 1});
  CHECK(s.visible(0, 10, 10) == R{0, 2});    // closed intervals: both touch t = 10
  CHECK(s.visible(0, 21, 24).first == s.visible(0, 21, 24).second);
  CHECK(s.visible(0, 25, 25) == R{2, 3});    // a zero-length slice is visible at its instant
  CHECK(s.visible(0, 30, 20).first == s.visible(0, 30, 20).second);  // t1 < t0: nothing
  CHECK(s.visible(1, 5, 5) == R{4, 6});
  CHECK(s.visible(1, 6, 11).first == s.visible(1, 6, 11).second);
  CHECK(s.visible(1, -50, 100) == R{3, 7});
  CHECK(s.visible(2, -50, 100).first == s.visible(2, -50, 100).second);  // no such depth
  CHECK(s.depth_of(0) == 0);
  CHECK(s.depth_of(2) == 0);
  CHECK(s.depth_of(3) == 1);
  CHECK(s.depth_of(6) == 1);
  std::vector<uint32_t> out;
  s.stab(5, out);
  CHECK(out == std::vector<uint32_t>{0, 4, 5});
  out.clear();
  s.overlap(11, 12, out);
  CHECK(out == std::vector<uint32_t>{1, 6});
  CHECK(s.args_of(1).offset == 7);
  CHECK(s.args_of(5).len == 1);
  CHECK(s.args_of(0).empty());
  CHECK(s.args_of(6).empty());
  CHECK(s.extra_of(6).offset == 40);
  CHECK(s.extra_of(5).empty());
  CHECK(s.memory_bytes() >= 7 * (8 + 8 + 4 + 1));
}

TEST_CASE("SliceSet: random nested traces, queries match brute force") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    std::vector<Input> in = random_inputs(rng, false);
    auto t = build(in);
    const Thread& th = t->threads[0];
    CHECK(th.overflow.size() == 0);  // trees only: everything nests
    check_storage(*t, in);
    check_queries(th.slices, rng);
  }
}

TEST_CASE("SliceSet: random traces with overflow, both sets match brute force") {
  size_t with_overflow = 0;
  for (uint64_t seed = 1000; seed < 1400; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    std::vector<Input> in = random_inputs(rng, true);
    auto t = build(in);
    const Thread& th = t->threads[0];
    with_overflow += th.overflow.size() > 0;
    check_storage(*t, in);
    check_queries(th.slices, rng);
    check_queries(th.overflow, rng);
  }
  CHECK(with_overflow > 100);  // the generator really exercises overflow lanes
}

TEST_CASE("SliceSet: many equal starts and zero-length slices") {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    std::vector<Input> in;
    int n = 1 + int(rng() % 60);
    for (int i = 0; i < n; ++i) {
      Time s = Time(rng() % 4) * 10;  // only a few distinct starts
      Time d = rng() % 2 ? 0 : Time(rng() % 3) * 10;
      in.push_back({s, d, {}, {}});
    }
    auto t = build(in);
    check_storage(*t, in);
    check_queries(t->threads[0].slices, rng);
    check_queries(t->threads[0].overflow, rng);
  }
}

TEST_CASE("SliceSet: a deep chain and a wide flat run") {
  std::vector<Input> in;
  for (int d = 0; d < 2000; ++d) in.push_back({Time(d), Time(2 * (2000 - d)), {}, {}});
  auto t = build(in);
  const SliceSet& s = t->threads[0].slices;
  CHECK(s.depths() == 2000);
  std::vector<uint32_t> out;
  s.stab(2000, out);
  CHECK(out.size() == 2000);
  for (uint32_t k = 0; k < out.size(); ++k) CHECK(s.depth_of(out[k]) == k);

  std::vector<Input> flat;
  for (int i = 0; i < 100000; ++i) flat.push_back({Time(i) * 10, 5, {}, {}});
  auto f = build(flat);
  const SliceSet& fs = f->threads[0].slices;
  CHECK(fs.depths() == 1);
  using R = std::pair<uint32_t, uint32_t>;
  CHECK(fs.visible(0, 16, 38) == R{2, 4});   // [10,15] ends before 16; [40,45] starts after 38
  CHECK(fs.visible(0, 12, 38) == R{1, 4});   // [10,15] overlaps 12
  CHECK(fs.visible(0, 15, 40) == R{1, 5});   // touching at both ends counts
  CHECK(fs.visible(0, 999990, 2000000) == R{99999, 100000});
}

namespace {

// Preorder by definition: a slice's parent is the last slice one depth up starting at or before
// it (or the first one); children in index order, recursively.
std::vector<std::pair<uint32_t, uint32_t>> brute_preorder(const SliceSet& s) {
  std::vector<std::vector<uint32_t>> kids(s.size());
  std::vector<uint32_t> roots;
  for (uint32_t d = 0; d < s.depths(); ++d)
    for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
      if (d == 0) {
        roots.push_back(i);
        continue;
      }
      uint32_t p = s.depth_begin[d - 1];
      for (uint32_t q = p; q < s.depth_begin[d]; ++q)
        if (s.start[q] <= s.start[i]) p = q;
      kids[p].push_back(i);
    }
  std::vector<std::pair<uint32_t, uint32_t>> out;
  std::vector<std::pair<uint32_t, uint32_t>> todo;  // (slice, depth), reversed
  for (size_t k = roots.size(); k-- > 0;) todo.push_back({roots[k], 0});
  while (!todo.empty()) {
    auto [i, d] = todo.back();
    todo.pop_back();
    out.push_back({i, d});
    for (size_t k = kids[i].size(); k-- > 0;) todo.push_back({kids[i][k], d + 1});
  }
  return out;
}

}  // namespace

TEST_CASE("SliceSet: preorder walk matches brute force, and a copied cursor resumes it") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    std::vector<Input> in = random_inputs(rng, seed % 2 == 0);
    if (seed % 3 == 0)  // ties: few distinct starts, zero-length slices
      for (Input& x : in) x.start = Time(uint64_t(x.start) % 4) * 10, x.dur = x.dur % 2 ? 0 : x.dur % 30;
    auto t = build(in);
    const SliceSet& s = t->threads[0].slices;
    REQUIRE(s.walkable());
    std::vector<std::pair<uint32_t, uint32_t>> walked;
    CHECK(s.walk_preorder([&](uint32_t i, uint32_t d) { return walked.push_back({i, d}), true; }));
    CHECK(walked == brute_preorder(s));
    // Every slice once, each depth in index order.
    std::vector<uint32_t> next(s.depth_begin.begin(), s.depth_begin.end() - 1);
    for (auto [i, d] : walked) CHECK(i == next[d]++);
    // Resumed from a copy taken at k, the walk goes on the same way.
    std::vector<uint32_t> kids = s.child_counts();
    PreorderCursor c(s, kids);
    size_t k = walked.empty() ? 0 : size_t(rng() % walked.size());
    uint32_t i, d;
    for (size_t j = 0; j < k; ++j) REQUIRE(c.next(&i, &d));
    PreorderCursor copy = c;
    for (size_t j = k; j < walked.size(); ++j) {
      REQUIRE(copy.next(&i, &d));
      CHECK(std::pair{i, d} == walked[j]);
    }
    CHECK_FALSE(copy.next(&i, &d));
    // A visitor that says stop stops the walk.
    size_t seen = 0;
    if (!walked.empty()) CHECK_FALSE(s.walk_preorder([&](uint32_t, uint32_t) { return ++seen < 1; }));
    CHECK(seen == (walked.empty() ? 0 : 1));
  }
  SliceSet gap;  // a slice at depth 1 with nothing at depth 0: no preorder
  gap.start = {5};
  gap.dur = {1};
  gap.label = {0};
  gap.flags = {0};
  gap.depth_begin = {0, 0, 1};
  CHECK_FALSE(gap.walkable());
  CHECK_FALSE(gap.walk_preorder([](uint32_t, uint32_t) { return true; }));
}

TEST_CASE("Trace helpers: intern_label, slice_count, view of absent ranges") {
  Trace t;
  StrId a = t.strings.intern("a"), c = t.strings.intern("c");
  CHECK(t.intern_label(a, c) == 0);
  CHECK(t.intern_label(a, kNoStr) == 1);
  CHECK(t.intern_label(a, c) == 0);
  CHECK(t.name_of(1) == "a");
  CHECK(t.view(ByteRange{0, 4}).empty());  // no source yet
  t.source = std::make_shared<StringBuffer>("hello");
  CHECK(t.view(ByteRange{1, 3}) == "ell");
  CHECK(t.view(ByteRange{3, 9}).empty());  // out of bounds: absent, not a crash
  CHECK(t.view(ByteRange{~uint64_t(0), 2}).empty());
  CHECK(t.slice_count() == 0);
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("2"));
  b.add_complete(th, 0, 10, 0, {}, {});
  b.add_complete(th, 5, 10, 1, {}, {});  // overlaps: overflow, still counted
  b.finish(1);
  CHECK(t.slice_count() == 2);
  CHECK(t.threads[0].overflow.size() == 1);
}
