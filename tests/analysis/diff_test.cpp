// Tests of analysis/diff.cpp: per-name and per-path comparisons of two traces against brute force
// on random trace pairs and scopes (ranges, threads), added/removed detection, traced totals,
// traces whose string tables intern the same names in different orders, a hand-computed
// "one function got 50% slower" case, Δ% edge cases, the display order and the CI gate.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>

#include "analysis/diff.h"
#include "analysis_test_util.h"
#include "tests/load_text.h"

using namespace vz;
using namespace vz::testing;

namespace {

using Key = std::vector<std::string>;  // by name: {name}; by path: the frames
struct Sums {
  uint64_t count = 0;
  Time total = 0, self = 0;
  bool present = false;
};

// Brute force over one side: every slice in scope, keyed by name or by path of name texts.
std::map<Key, Sums> reference_side(const Trace& t, const DiffSide& s, DiffBy by, Time* traced) {
  std::map<Key, Sums> out;
  *traced = 0;
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    if (s.thread != kNone && s.thread != th) continue;
    for (const SliceSet* set : {&t.threads[th].slices, &t.threads[th].overflow}) {
      std::vector<uint32_t> parent = reference_parents(*set);
      for (uint32_t i = 0; i < set->size(); ++i) {
        if (!ref_overlaps(*set, i, s.t0, s.t1)) continue;
        Time c = ref_clip(*set, i, s.t0, s.t1);
        if (parent[i] == kNone) *traced += c;
        Key k;
        if (by == DiffBy::Name) k = {std::string(t.name_of(set->label[i]))};
        else
          for (uint32_t a = i; a != kNone; a = parent[a])
            k.insert(k.begin(), std::string(t.name_of(set->label[a])));
        Sums& n = out[k];
        n.present = true;
        n.count++;
        // By name, a recursive call's time is its outermost call's (by path, each is its node's).
        if (by == DiffBy::Path || !reference_nested_in_same_name(t, *set, parent, i)) n.total += c;
        n.self += c;
        if (parent[i] == kNone) continue;
        Key pk = by == DiffBy::Name ? Key{std::string(t.name_of(set->label[parent[i]]))}
                                    : Key(k.begin(), k.end() - 1);
        out[pk].self -= c;
      }
    }
  }
  return out;
}

// The key of a result row (by path: the names of the row and its ancestors).
Key row_key(const DiffResult& r, uint32_t i) {
  Key k;
  for (uint32_t at = i; at != kNone; at = r.rows[at].parent) k.insert(k.begin(), r.rows[at].name);
  return k;
}

// Checks a diff against brute force on both sides.
void check_diff(const Trace& ta, const Trace& tb, const DiffQuery& q) {
  DiffResult r = diff_traces(ta, tb, q, 1 + unsigned(q.a.t0 & 3));
  CHECK(r.complete);
  Time traced_a = 0, traced_b = 0;
  std::map<Key, Sums> ra = reference_side(ta, q.a, q.by, &traced_a);
  std::map<Key, Sums> rb = reference_side(tb, q.b, q.by, &traced_b);
  CHECK(r.total_a == traced_a);
  CHECK(r.total_b == traced_b);
  CHECK(r.delta_total == traced_b - traced_a);
  std::map<Key, uint32_t> seen;
  for (uint32_t i = 0; i < r.rows.size(); ++i) {
    const DiffRow& row = r.rows[i];
    Key k = row_key(r, i);
    CHECK(seen.emplace(k, i).second);  // one row per key
    if (q.by == DiffBy::Name) {
      CHECK(diff_key(r, i) == row.name);
      CHECK(row.parent == kNone);
    } else {
      CHECK(row.depth == k.size());
      if (row.parent != kNone) CHECK(row.parent < i);  // depth-first: callers come first
    }
    const Sums& a = ra[k];
    const Sums& b = rb[k];
    CHECK((a.present || b.present));
    DiffStatus want = a.present && b.present ? DiffStatus::Both
                      : a.present            ? DiffStatus::Removed
                                             : DiffStatus::Added;
    CHECK(row.status == want);
    CHECK(row.a.count == a.count);
    CHECK(row.a.total == a.total);
    CHECK(row.a.self == a.self);
    CHECK(row.b.count == b.count);
    CHECK(row.b.total == b.total);
    CHECK(row.b.self == b.self);
    CHECK(row.delta_total == b.total - a.total);
    CHECK(row.delta_self == b.self - a.self);
    CHECK((row.name_a != kNone) == a.present);
    CHECK((row.name_b != kNone) == b.present);
    if (a.present) CHECK(ta.str(row.name_a) == row.name);
    if (b.present) CHECK(tb.str(row.name_b) == row.name);
    if (want != DiffStatus::Added && a.total > 0)
      CHECK(row.delta_pct == doctest::Approx(100.0 * double(b.total - a.total) / double(a.total)));
    if (want != DiffStatus::Added && a.total == 0) CHECK((std::isnan(row.delta_pct) == (b.total > 0)));
    if (want == DiffStatus::Added) CHECK(std::isnan(row.delta_pct));
  }
  size_t keys = 0;
  for (const auto& [k, s] : ra) keys += s.present;
  for (const auto& [k, s] : rb) keys += s.present && !(ra.count(k) && ra[k].present);
  CHECK(r.rows.size() == keys);
}

// A random scope of trace t: all or one thread, over a random range.
DiffSide random_side(std::mt19937_64& rng, const Trace& t) {
  DiffSide s;
  if (rng() % 3 == 0) std::tie(s.t0, s.t1) = random_range(rng, t);
  if (rng() % 3 == 0 && !t.threads.empty()) s.thread = uint32_t(rng() % t.threads.size());
  return s;
}

// A copy of t's slices whose string table interns every string in reverse order, plus padding,
// so equal names have different ids in the two traces.
std::unique_ptr<Trace> reinterned(const Trace& t) {
  auto c = std::make_unique<Trace>();
  c->strings.intern("padding one");
  c->strings.intern("padding two");
  std::vector<StrId> map(t.strings.size());
  for (size_t i = t.strings.size(); i-- > 0;) map[i] = c->strings.intern(t.strings.get(StrId(i)));
  for (const Label& l : t.labels) c->labels.push_back({map[l.name], map[l.cat]});
  c->processes = t.processes;
  c->threads = t.threads;
  c->start = t.start;
  c->end = t.end;
  return c;
}

// A trace of one thread: `main` calling `work`, then `fib` (`fib_len` long), then `extra`.
std::unique_ptr<Trace> small_trace(Time fib_len, const char* extra, bool reverse_interning) {
  auto t = std::make_unique<Trace>();
  TraceBuilder b(*t);
  std::vector<std::string> names = {"main", "work", "fib", extra};
  if (reverse_interning) std::reverse(names.begin(), names.end());
  for (const std::string& n : names) b.label(b.intern(n), b.intern("c"));
  auto label = [&](const char* n) { return b.label(b.intern(n), b.intern("c")); };
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  Time end = 60 + fib_len + 20;
  b.add_complete(th, 0, end, label("main"), {}, {});
  b.add_complete(th, 10, 40, label("work"), {}, {});
  b.add_complete(th, 55, fib_len, label("fib"), {}, {});
  b.add_complete(th, 55 + fib_len + 5, 10, label(extra), {}, {});
  b.finish(1);
  return t;
}

// A wide trace: top-level calls of names [first, last) one after another, each calling every one
// of those names once (more children than the merge matches by a scan). `reverse` interns the
// names last first.
std::unique_ptr<Trace> wide_trace(int first, int last, bool reverse) {
  auto t = std::make_unique<Trace>();
  TraceBuilder b(*t);
  std::vector<uint32_t> label(size_t(last), 0);
  for (int k = 0; k < last - first; ++k) {
    int n = reverse ? last - 1 - k : first + k;
    label[size_t(n)] = b.label(b.intern("f" + std::to_string(n)), kNoStr);
  }
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  Time at = 0;
  for (int top = first; top < last; ++top) {
    b.add_complete(th, at, 10 * (last - first) + 5, label[size_t(top)], {}, {});
    for (int c = first; c < last; ++c) b.add_complete(th, at + 10 * (c - first), 5 + c % 3, label[size_t(c)], {}, {});
    at += 10 * (last - first) + 10;
  }
  b.finish(1);
  return t;
}

const DiffRow* find_row(const DiffResult& r, const std::string& key) {
  for (uint32_t i = 0; i < r.rows.size(); ++i)
    if (diff_key(r, i) == key) return &r.rows[i];
  return nullptr;
}

// Reference key order: by name, name text; by path, the frame lists compared lexicographically.
bool key_less(const DiffResult& r, uint32_t x, uint32_t y) {
  if (r.by == DiffBy::Name) return r.rows[x].name < r.rows[y].name;
  Key kx, ky;
  for (uint32_t at = x; at != kNone; at = r.rows[at].parent) kx.insert(kx.begin(), r.rows[at].name);
  for (uint32_t at = y; at != kNone; at = r.rows[at].parent) ky.insert(ky.begin(), r.rows[at].name);
  return kx < ky;
}

}  // namespace

TEST_CASE("diff: random trace pairs against brute force, by name and by path, random scopes") {
  std::mt19937_64 rng(20261125);
  for (int iter = 0; iter < 300; ++iter) {
    auto ta = random_trace(rng, iter % 4 != 0);
    auto tb = random_trace(rng, iter % 5 != 0);
    DiffQuery q;
    q.by = iter % 2 ? DiffBy::Path : DiffBy::Name;
    q.a = random_side(rng, *ta);
    q.b = random_side(rng, *tb);
    CAPTURE(iter);
    check_diff(*ta, *tb, q);
    // The display order: every row once, |Δ total| never growing, equal |Δ| in key order.
    DiffResult r = diff_traces(*ta, *tb, q);
    std::vector<uint32_t> order = order_by_delta(r);
    REQUIRE(order.size() == r.rows.size());
    std::vector<uint32_t> sorted = order;
    std::sort(sorted.begin(), sorted.end());
    for (uint32_t k = 0; k < sorted.size(); ++k) CHECK(sorted[k] == k);
    for (size_t k = 1; k < order.size(); ++k) {
      Time x = std::abs(r.rows[order[k - 1]].delta_total), y = std::abs(r.rows[order[k]].delta_total);
      CHECK(x >= y);
      if (x == y) CHECK(key_less(r, order[k - 1], order[k]));
    }
  }
}

TEST_CASE("diff: a trace against itself with a different string table: no change anywhere") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 60; ++iter) {
    auto ta = random_trace(rng);
    auto tb = reinterned(*ta);
    REQUIRE(tb->labels.size() == ta->labels.size());
    for (DiffBy by : {DiffBy::Name, DiffBy::Path}) {
      DiffQuery q;
      q.by = by;
      CAPTURE(iter);
      check_diff(*ta, *tb, q);
      DiffResult r = diff_traces(*ta, *tb, q);
      CHECK(r.delta_total == 0);
      for (const DiffRow& row : r.rows) {
        CHECK(row.status == DiffStatus::Both);
        CHECK(row.delta_total == 0);
        CHECK(row.delta_self == 0);
        CHECK(row.a.count == row.b.count);
      }
      CHECK(!diff_gate(r, 0.0).tripped());
    }
  }
}

TEST_CASE("diff: the gate trips on a function that took no time in A and some in B") {
  // z lasts 0 in A (a clock too coarse, or a call made cheap) and 5 ms in B: a row in both runs
  // with no percentage, which grew by more than any.
  auto ta = test::load_text(R"([{"ph":"X","name":"main","pid":1,"tid":1,"ts":0,"dur":10000},
    {"ph":"X","name":"z","pid":1,"tid":1,"ts":10,"dur":0}])");
  auto tb = test::load_text(R"([{"ph":"X","name":"main","pid":1,"tid":1,"ts":0,"dur":10000},
    {"ph":"X","name":"z","pid":1,"tid":1,"ts":10,"dur":5000}])");
  DiffResult r = diff_traces(*ta, *tb, DiffQuery{});
  const DiffRow* z = find_row(r, "z");
  REQUIRE(z != nullptr);
  CHECK(z->status == DiffStatus::Both);
  CHECK(std::isnan(z->delta_pct));
  DiffGate g = diff_gate(r, 10);
  REQUIRE(g.rows.size() == 1);
  CHECK(r.rows[g.rows[0]].name == z->name);
  CHECK(!g.total_tripped);                 // main: unchanged
  CHECK(!diff_gate(r, 10, 5000001).tripped());  // z under --min-time on both sides
  auto tc = test::load_text(R"([{"ph":"X","name":"main","pid":1,"tid":1,"ts":0,"dur":10000},
    {"ph":"X","name":"z","pid":1,"tid":1,"ts":10,"dur":0}])");
  CHECK(!diff_gate(diff_traces(*ta, *tc, DiffQuery{}), 0).tripped());  // 0 -> 0 is no growth
}

TEST_CASE("diff: wide call trees (many callees per caller) against brute force") {
  auto ta = wide_trace(0, 15, false);
  auto tb = wide_trace(5, 20, true);
  for (DiffBy by : {DiffBy::Name, DiffBy::Path}) {
    DiffQuery q;
    q.by = by;
    check_diff(*ta, *tb, q);
    DiffResult r = diff_traces(*ta, *tb, q);
    size_t both = 0, added = 0, removed = 0;
    for (const DiffRow& row : r.rows) {
      both += row.status == DiffStatus::Both;
      added += row.status == DiffStatus::Added;
      removed += row.status == DiffStatus::Removed;
    }
    if (by == DiffBy::Name) {
      CHECK(both == 10);
      CHECK(added == 5);
      CHECK(removed == 5);
    } else {  // top level: 10 in both (10 shared callees each, 5 + 5 one-sided), 5 + 5 one-sided
      CHECK(both == 10 + 10 * 10);
      CHECK(added == 5 + 10 * 5 + 5 * 15);
      CHECK(removed == 5 + 10 * 5 + 5 * 15);
    }
  }
}

TEST_CASE("diff: one function 50% slower, one added, one removed") {
  auto ta = small_trace(20, "old", false);
  auto tb = small_trace(30, "new", true);  // fib 20 -> 30 ns; interned in the other order
  for (DiffBy by : {DiffBy::Name, DiffBy::Path}) {
    DiffQuery q;
    q.by = by;
    DiffResult r = diff_traces(*ta, *tb, q);
    const std::string pre = by == DiffBy::Path ? "main;" : "";
    CHECK(r.total_a == 100);
    CHECK(r.total_b == 110);
    CHECK(r.delta_pct == doctest::Approx(10.0));
    const DiffRow* fib = find_row(r, pre + "fib");
    REQUIRE(fib);
    CHECK(fib->status == DiffStatus::Both);
    CHECK(fib->delta_total == 10);
    CHECK(fib->delta_pct == doctest::Approx(50.0));
    const DiffRow* main = find_row(r, "main");
    REQUIRE(main);
    CHECK(main->delta_total == 10);
    CHECK(main->delta_self == 0);  // main's own time is unchanged: 100-40-20-10 = 110-40-30-10
    const DiffRow* added = find_row(r, pre + "new");
    REQUIRE(added);
    CHECK(added->status == DiffStatus::Added);
    CHECK(added->delta_total == 10);
    CHECK(std::isnan(added->delta_pct));
    const DiffRow* removed = find_row(r, pre + "old");
    REQUIRE(removed);
    CHECK(removed->status == DiffStatus::Removed);
    CHECK(removed->delta_total == -10);
    CHECK(removed->delta_pct == doctest::Approx(-100.0));
    CHECK(find_row(r, pre + "work")->delta_total == 0);

    // Display order: |Δ| descending, ties by key text.
    std::vector<uint32_t> order = order_by_delta(r);
    REQUIRE(order.size() == 5);
    std::vector<std::string> keys, want = {pre + "fib", "main", pre + "new", pre + "old"};
    for (uint32_t i : order) keys.push_back(diff_key(r, i));
    std::sort(want.begin(), want.end());
    want.push_back(pre + "work");  // |Δ| = 0 last
    CHECK(keys == want);

    // The gate: fib +50% and main +10%; the traced total +10%.
    DiffGate g20 = diff_gate(r, 20);
    CHECK(g20.tripped());
    CHECK(!g20.total_tripped);
    REQUIRE(g20.rows.size() == 1);
    CHECK(diff_key(r, g20.rows[0]) == pre + "fib");
    DiffGate g5 = diff_gate(r, 5);
    CHECK(g5.total_tripped);
    CHECK(g5.rows.size() == 2);
    CHECK(!diff_gate(r, 50).tripped());          // not *more* than 50%
    CHECK(!diff_gate(r, 20, 31).tripped());      // fib under the noise floor on both sides
    CHECK(diff_gate(r, 20, 30).tripped());
  }
}

TEST_CASE("diff: scopes per side pick one thread each and two different ranges") {
  auto ta = small_trace(20, "old", false);
  auto tb = small_trace(30, "new", false);
  DiffQuery q;
  q.a = {0, 55, 65};  // fib's first 10 ns in A (and main's time around it)
  q.b = {0, 55, 75};  // fib's first 20 ns in B
  DiffResult r = diff_traces(*ta, *tb, q);
  CHECK(r.total_a == 10);
  CHECK(r.total_b == 20);
  CHECK(find_row(r, "fib")->delta_total == 10);
  CHECK(find_row(r, "work") == nullptr);  // outside both ranges
  q.a = {0, 10, 5};  // an empty (reversed) range: nothing on A's side
  r = diff_traces(*ta, *tb, q);
  CHECK(r.total_a == 0);
  CHECK(std::isnan(r.delta_pct));
  for (const DiffRow& row : r.rows) CHECK(row.status == DiffStatus::Added);
  CHECK(diff_gate(r, 1000).total_tripped);  // growth from 0: no percentage, more than any
  q.a = {7, kTimeMin, kTimeMax};  // a thread A does not have: nothing on A's side either
  q.b = {};                       // all of B
  q.by = DiffBy::Path;
  r = diff_traces(*ta, *tb, q);
  CHECK(r.total_a == 0);
  CHECK(r.total_b == 110);
  REQUIRE(r.rows.size() == 4);  // main, main;work, main;fib, main;new
  for (const DiffRow& row : r.rows) CHECK(row.status == DiffStatus::Added);
}

TEST_CASE("diff: percentages") {
  CHECK(diff_pct(100, 150) == doctest::Approx(50.0));
  CHECK(diff_pct(100, 0) == doctest::Approx(-100.0));
  CHECK(diff_pct(0, 0) == 0.0);
  CHECK(std::isnan(diff_pct(0, 5)));
  CHECK(std::isnan(diff_pct(10, 10, false)));  // added: no percentage
  CHECK(std::isnan(diff_pct(0, 0, false)));
  CHECK(std::string(diff_status_name(DiffStatus::Added)) == "added");
  CHECK(std::string(diff_status_name(DiffStatus::Removed)) == "removed");
  CHECK(std::string(diff_status_name(DiffStatus::Both)) == "both");
}

TEST_CASE("diff: cancellation marks the result incomplete") {
  std::mt19937_64 rng(3);
  auto ta = random_trace(rng);
  std::atomic<bool> cancel{true};
  for (DiffBy by : {DiffBy::Name, DiffBy::Path}) {
    DiffQuery q;
    q.by = by;
    CHECK(!diff_traces(*ta, *ta, q, 1, &cancel).complete);
  }
}

TEST_CASE("diff: loose_name drops a viztracer name's directory and line, and nothing else") {
  CHECK(loose_name("Scraper.crawl (/home/me/src/crawler/scraper.py:36)") == "Scraper.crawl (scraper.py)");
  CHECK(loose_name("<module> (/tmp/x.py:1)") == "<module> (x.py)");
  CHECK(loose_name("f (C:\\proj\\a.py:7)") == "f (a.py)");
  CHECK(loose_name("f (a.py:7)") == "f (a.py)");
  CHECK(loose_name("f (/home/u/My Project (old)/x.py:3)") == "f (x.py)");  // a path with " (" in it
  CHECK(short_frame("f (/home/u/My Project (old)/x.py:3)") == "f (x.py:3)");
  CHECK(short_frame("GET (/api/v1/users)") == "GET (/api/v1/users)");  // not viztracer's
  for (const char* same : {"builtins.sum", "list.append", "f (a.py)", "f (a.py:)", "f (a.py:7x)", "f (:7)",
                           "ratio (1:2", "", "g (x.py:12) and more"})
    CHECK(loose_name(same) == same);
}

TEST_CASE("diff: by path with loose names, same-named siblings pair in the order of their lines") {
  // Two __init__ of one file: A has them at lines 10 and 50, B (a line added above both) at 12 and
  // 52, and the bigger one changed places; each pairs with itself, not by size.
  auto ta = vz::test::load_text(R"J([
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":30,"name":"main (/v1/app.py:1)"},
    {"ph":"X","pid":1,"tid":1,"ts":1,"dur":10,"name":"__init__ (/v1/app.py:10)"},
    {"ph":"X","pid":1,"tid":1,"ts":12,"dur":8,"name":"__init__ (/v1/app.py:50)"}])J");
  auto tb = vz::test::load_text(R"J([
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":30,"name":"main (/v2/app.py:1)"},
    {"ph":"X","pid":1,"tid":1,"ts":1,"dur":7,"name":"__init__ (/v2/app.py:12)"},
    {"ph":"X","pid":1,"tid":1,"ts":9,"dur":9.5,"name":"__init__ (/v2/app.py:52)"}])J");
  REQUIRE(ta);
  REQUIRE(tb);
  DiffQuery q;
  q.by = DiffBy::Path;
  q.loose = true;
  const DiffResult r = diff_traces(*ta, *tb, q);
  REQUIRE(r.rows.size() == 3);
  const DiffRow* first = find_row(r, "main (app.py);__init__ (app.py) #1");
  const DiffRow* second = find_row(r, "main (app.py);__init__ (app.py) #2");
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->a.total == 10000);
  CHECK(first->b.total == 7000);
  CHECK(second->a.total == 8000);
  CHECK(second->b.total == 9500);
  const DiffGate g = diff_gate(r, 10, 0);
  CHECK(std::find(g.rows.begin(), g.rows.end(), uint32_t(second - r.rows.data())) != g.rows.end());
}

TEST_CASE("diff: loose names match a program whose lines and directory moved") {
  // B: the same program checked out elsewhere with a line added above both functions; B also
  // has a second "helper" in another file of the same name (one row with loose names).
  auto ta = vz::test::load_text(R"J([
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"main (/a/prog.py:10)"},
    {"ph":"X","pid":1,"tid":1,"ts":10,"dur":40,"name":"helper (/a/util.py:3)"},
    {"ph":"X","pid":1,"tid":1,"ts":60,"dur":10,"name":"builtins.len"}])J");
  auto tb = vz::test::load_text(R"J([
    {"ph":"X","pid":1,"tid":1,"ts":0,"dur":120,"name":"main (/b/prog.py:11)"},
    {"ph":"X","pid":1,"tid":1,"ts":10,"dur":60,"name":"helper (/b/util.py:4)"},
    {"ph":"X","pid":1,"tid":1,"ts":80,"dur":5,"name":"helper (/b/old/util.py:4)"},
    {"ph":"X","pid":1,"tid":1,"ts":90,"dur":10,"name":"builtins.len"}])J");
  REQUIRE(ta);
  REQUIRE(tb);
  for (DiffBy by : {DiffBy::Name, DiffBy::Path}) {
    CAPTURE(int(by));
    DiffQuery q;
    q.by = by;
    const DiffResult exact = diff_traces(*ta, *tb, q);
    size_t both = 0;
    for (const DiffRow& r : exact.rows) both += r.status == DiffStatus::Both;
    CHECK(both == (by == DiffBy::Name ? 1u : 0u));  // only builtins.len (by path: under main, which moved)
    q.loose = true;
    const DiffResult r = diff_traces(*ta, *tb, q);
    const std::string pre = by == DiffBy::Path ? "main (prog.py);" : "";
    const DiffRow* main = find_row(r, "main (prog.py)");
    REQUIRE(main);
    CHECK(main->status == DiffStatus::Both);
    CHECK(main->delta_total == 20000);  // (us in the JSON, ns in the model)
    if (by == DiffBy::Name) {
      const DiffRow* helper = find_row(r, "helper (util.py)");
      REQUIRE(helper);
      CHECK(helper->status == DiffStatus::Both);
      CHECK(helper->b.count == 2);  // both of B's helpers: one function by its loose name
      CHECK(helper->b.total == 65000);
    } else {
      // By path the two are siblings that share a key: they pair in the order of their lines
      // (A's one with B's first, ties by size) and are numbered, so every key is one row.
      const DiffRow* first = find_row(r, pre + "helper (util.py) #1");
      const DiffRow* second = find_row(r, pre + "helper (util.py) #2");
      REQUIRE(first);
      REQUIRE(second);
      CHECK(first->status == DiffStatus::Both);
      CHECK(first->b.total == 60000);
      CHECK(second->status == DiffStatus::Added);
      CHECK(second->b.total == 5000);
      CHECK(!find_row(r, pre + "helper (util.py)"));
    }
    const DiffRow* len = find_row(r, pre + "builtins.len");
    REQUIRE(len);
    CHECK(len->status == DiffStatus::Both);
  }
}
