// Tests of analysis/search.cpp: the name matcher (case rules, empty text), the per-thread match
// lists against brute force on random traces, SearchJob's streaming and cancellation, and
// next/previous navigation against a sorted list of every match.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <thread>
#include <tuple>

#include "analysis/search.h"
#include "analysis_test_util.h"

using namespace vz;
using namespace vz::testing;

namespace {

// Every match of a trace in navigation order: (start, thread, overflow, index).
using Key = std::tuple<Time, uint32_t, uint32_t, uint32_t>;

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = char(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

bool ref_match(std::string_view name, const SearchQuery& q) {
  if (q.text.empty()) return false;
  if (q.case_sensitive) return name.find(q.text) != std::string_view::npos;
  return lower(name).find(lower(q.text)) != std::string::npos;
}

std::vector<Key> reference_keys(const Trace& t, const SearchQuery& q) {
  std::vector<Key> out;
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    const SliceSet* sets[2] = {&t.threads[th].slices, &t.threads[th].overflow};
    for (uint32_t k = 0; k < 2; ++k)
      for (uint32_t i = 0; i < sets[k]->size(); ++i)
        if (ref_match(t.name_of(sets[k]->label[i]), q)) out.push_back({sets[k]->start[i], th, k, i});
  }
  std::sort(out.begin(), out.end());
  return out;
}

Key key_of(const Trace& t, const MatchRef& m) {
  const SliceSet& s = m.overflow ? t.threads[m.thread].overflow : t.threads[m.thread].slices;
  return {s.start[m.index], m.thread, m.overflow ? 1u : 0u, m.index};
}

SearchResults run_search(const Trace& t, const SearchQuery& q, unsigned workers) {
  SearchJob job(t, q);
  job.run(workers);
  CHECK(job.done());
  SearchResults r = job.results();
  uint64_t n = 0;
  for (const auto& m : r) n += m->size();
  CHECK(job.match_count() == n);
  return r;
}

}  // namespace

TEST_CASE("search: the name matcher") {
  SearchQuery q{"fib", false};
  CHECK(name_matches("FIB_2", q));
  CHECK(name_matches("my_fib", q));
  CHECK_FALSE(name_matches("fi b", q));
  q.case_sensitive = true;
  CHECK_FALSE(name_matches("FIB_2", q));
  CHECK(name_matches("xfiby", q));
  CHECK_FALSE(name_matches("anything", SearchQuery{"", false}));
  CHECK(name_matches("Ärger", SearchQuery{"ä", false}) == false);  // only ASCII folds
  CHECK(name_matches("Ärger", SearchQuery{"Är", false}));
}

TEST_CASE("search: random traces against brute force, with navigation") {
  std::mt19937_64 rng(13);
  const char* texts[] = {"fib", "FIB", "alpha", "a", ";", "\n", "zzz", "", "beta;x", "ALPHABET"};
  for (int iter = 0; iter < 300; ++iter) {
    auto t = random_trace(rng);
    SearchQuery q{texts[rng() % std::size(texts)], rng() % 2 == 0};
    std::vector<uint8_t> labels = match_labels(*t, q);
    for (size_t l = 0; l < labels.size(); ++l) CHECK(labels[l] == ref_match(t->name_of(uint32_t(l)), q));
    SearchResults r = run_search(*t, q, 1 + unsigned(rng() % 3));
    std::vector<Key> want = reference_keys(*t, q);
    // Per thread and set: the sorted indices of the matching slices; threads reported once.
    std::vector<Key> got;
    std::vector<int> seen(t->threads.size(), 0);
    for (const auto& m : r) {
      REQUIRE(m->thread < t->threads.size());
      CHECK(seen[m->thread]++ == 0);
      CHECK(m->size() > 0);
      CHECK(std::is_sorted(m->slices.begin(), m->slices.end()));
      CHECK(std::is_sorted(m->overflow.begin(), m->overflow.end()));
      for (uint32_t i : m->slices) got.push_back({t->threads[m->thread].slices.start[i], m->thread, 0, i});
      for (uint32_t i : m->overflow) got.push_back({t->threads[m->thread].overflow.start[i], m->thread, 1, i});
    }
    std::sort(got.begin(), got.end());
    CHECK(got == want);

    // Navigation from random times, and stepping through every match both ways.
    for (int k = 0; k < 5; ++k) {
      Time at = t->start - 5 + Time(rng() % uint64_t(t->end - t->start + 11));
      MatchRef n = next_match(*t, r, at);
      auto it = std::upper_bound(want.begin(), want.end(), Key{at, kNone, kNone, kNone});
      CHECK(n.valid() == (it != want.end()));
      if (n.valid() && it != want.end()) CHECK(key_of(*t, n) == *it);
      MatchRef p = prev_match(*t, r, at);
      auto jt = std::lower_bound(want.begin(), want.end(), Key{at, 0, 0, 0});
      CHECK(p.valid() == (jt != want.begin()));
      if (p.valid() && jt != want.begin()) CHECK(key_of(*t, p) == *(jt - 1));
    }
    MatchRef cur = next_match(*t, r, std::numeric_limits<Time>::min());
    for (size_t k = 0; k < want.size(); ++k) {
      REQUIRE(cur.valid());
      CHECK(key_of(*t, cur) == want[k]);
      cur = next_match(*t, r, 0, cur);
    }
    CHECK_FALSE(cur.valid());
    cur = prev_match(*t, r, std::numeric_limits<Time>::max());
    for (size_t k = want.size(); k-- > 0;) {
      REQUIRE(cur.valid());
      CHECK(key_of(*t, cur) == want[k]);
      cur = prev_match(*t, r, 0, cur);
    }
    CHECK_FALSE(cur.valid());
  }
}

TEST_CASE("search: streaming, cancellation and hostile input") {
  Trace empty;
  CHECK(run_search(empty, SearchQuery{"x", false}, 2).empty());
  CHECK_FALSE(next_match(empty, {}, 0).valid());
  CHECK_FALSE(prev_match(empty, {}, 0).valid());

  auto o = overflow_only_trace();
  SearchResults r = run_search(*o, SearchQuery{"LANE", false}, 2);
  REQUIRE(r.size() == 1);
  CHECK(r[0]->slices.empty());
  CHECK(r[0]->overflow == std::vector<uint32_t>{0, 2});
  MatchRef m = next_match(*o, r, 1);  // lane 1 starts at 5
  CHECK(m == MatchRef{0, true, 2});
  CHECK_FALSE(next_match(*o, r, 0, m).valid());

  // A cancelled job still finishes and publishes nothing.
  std::mt19937_64 rng(1);
  auto t = random_trace(rng, false);
  SearchJob job(*t, SearchQuery{"a", false});
  job.cancel();
  job.run(2);
  CHECK(job.done());
  CHECK(job.results().empty());

  // The callback sees each thread once, never concurrently.
  std::vector<uint8_t> all(t->labels.size(), 1);
  std::atomic<int> inside{0};
  uint64_t reported = 0;
  size_t calls = 0;
  uint64_t n = search_slices(*t, all, 4, nullptr, [&](std::shared_ptr<const ThreadMatches> tm) {
    CHECK(inside.fetch_add(1) == 0);
    std::this_thread::yield();
    reported += tm->size();
    calls++;
    inside.fetch_sub(1);
  });
  CHECK(n == reported);
  CHECK(n == t->slice_count());
  size_t nonempty = 0;
  for (const Thread& th : t->threads) nonempty += th.slices.size() + th.overflow.size() > 0;
  CHECK(calls == nonempty);
  // A label map of the wrong size finds nothing rather than reading past it.
  REQUIRE(t->labels.size() > 1);
  CHECK(search_slices(*t, std::vector<uint8_t>(1, 1), 1, nullptr, [](auto) {}) == 0);
}

TEST_CASE("contains_ignoring_case: ASCII letters fold, other bytes compare exactly, empty is found") {
  CHECK(contains_ignoring_case("Module.Parse (/a/B.py:3)", "parse"));
  CHECK(contains_ignoring_case("parse", "PARSE"));
  CHECK_FALSE(contains_ignoring_case("pars", "parse"));
  CHECK(contains_ignoring_case("anything", ""));
  CHECK(contains_ignoring_case("", ""));
  CHECK_FALSE(contains_ignoring_case("\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89"));  // é is not folded
}
