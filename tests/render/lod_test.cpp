// Tests of render/lod.h: folding a row of non-overlapping intervals for drawing, against brute
// force: every interval is covered exactly once, in order; wide intervals are drawn alone; folds
// only hold narrow intervals; the number of items stays bounded by the pixels, not the events.
// Also the pixel runs a row covers (a capped track's summary row) and counting over a time range.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "render/lod.h"

using namespace vz;

namespace {

struct Row {
  std::vector<Time> start, end;
};

// A million 7 ns intervals, one every 10 ns.
Row dense_row() {
  Row r;
  for (Time i = 0; i < 1000000; ++i) {
    r.start.push_back(i * 10);
    r.end.push_back(i * 10 + 7);
  }
  return r;
}

// Random non-overlapping intervals in increasing order (touching and zero-length often).
Row random_row(std::mt19937_64& rng, size_t n, Time max_gap, Time max_len) {
  Row r;
  Time at = Time(rng() % 1000) - 500;
  for (size_t i = 0; i < n; ++i) {
    at += rng() % 3 == 0 ? 0 : Time(rng() % uint64_t(max_gap + 1));
    const Time len = rng() % 5 == 0 ? 0 : Time(rng() % uint64_t(max_len + 1));
    r.start.push_back(at);
    r.end.push_back(at + len);
    at += len;
  }
  return r;
}

std::vector<RowItem> fold(const Row& r, const TimeView& v, double min_px, double gap_px) {
  std::vector<RowItem> items;
  fold_row(0, uint32_t(r.start.size()), [&](uint32_t i) { return r.start[i]; }, [&](uint32_t i) { return r.end[i]; },
           v, min_px, gap_px, [&](const RowItem& it) { items.push_back(it); });
  return items;
}

}  // namespace

TEST_CASE("folding covers every visible interval exactly once, in order") {
  std::mt19937_64 rng(11);
  for (int iter = 0; iter < 400; ++iter) {
    const Row r = random_row(rng, 1 + rng() % 400, 1 + rng() % 2000, 1 + rng() % 5000);
    TimeView v;
    const Time lo = r.start.front(), hi = r.end.back();
    v.fit(lo, hi, 50 + double(rng() % 1500));
    if (rng() % 2) v.zoom_at(double(rng() % 500), std::pow(2.0, -double(rng() % 12)));
    const auto items = fold(r, v, 3.0, 1.0);
    // Brute force: the intervals overlapping [left, right + 1].
    std::vector<uint32_t> expect;
    for (uint32_t i = 0; i < r.start.size(); ++i) {
      if (r.end[i] >= v.left() && r.start[i] <= v.right() + 1) expect.push_back(i);
    }
    std::vector<uint32_t> got;
    for (const RowItem& it : items) {
      REQUIRE(it.count >= 1);
      for (uint32_t k = 0; k < it.count; ++k) got.push_back(it.first + k);
      CHECK(it.t0 == r.start[it.first]);
      CHECK(it.t1 == r.end[it.first + it.count - 1]);
      CHECK(it.x1 >= it.x0);
      if (it.count > 1) {
        for (uint32_t k = 0; k < it.count; ++k) {
          const uint32_t i = it.first + k;
          CHECK(v.x_of(r.end[i]) - v.x_of(r.start[i]) < 3.0);  // folds hold narrow intervals only
        }
      }
    }
    // Items may include one interval just past the right edge of a fold; everything expected
    // must be there and nothing may repeat.
    for (size_t k = 1; k < got.size(); ++k) CHECK(got[k] == got[k - 1] + 1);
    for (uint32_t e : expect) CHECK(std::find(got.begin(), got.end(), e) != got.end());
    // Wide intervals are drawn on their own.
    for (const RowItem& it : items) {
      const uint32_t i = it.first;
      if (v.x_of(r.end[i]) - v.x_of(r.start[i]) >= 3.0) CHECK(it.count == 1);
    }
  }
}

TEST_CASE("a dense row folds into few items") {
  const Row r = dense_row();
  TimeView v;
  v.fit(0, 10000000, 1000);  // 10 us per pixel: every interval is sub-pixel
  const auto items = fold(r, v, 3.0, 1.0);
  CHECK(items.size() <= 4);  // one run covers the row
  uint64_t covered = 0;
  for (const RowItem& it : items) covered += it.count;
  CHECK(covered == 1000000);
}

TEST_CASE("sparse narrow intervals stay separate, wide ones are alone") {
  Row r;
  for (Time i = 0; i < 100; ++i) {
    r.start.push_back(i * 100000);
    r.end.push_back(i * 100000 + (i % 10 == 0 ? 50000 : 10));
  }
  TimeView v;
  v.fit(0, 10000000, 1000);  // 10 us per pixel: gaps of ~10 px
  const auto items = fold(r, v, 3.0, 1.0);
  CHECK(items.size() == 100);
  for (const RowItem& it : items) CHECK(it.count == 1);
}

TEST_CASE("item count is bounded by the pixels") {
  std::mt19937_64 rng(5);
  for (int iter = 0; iter < 20; ++iter) {
    const Row r = random_row(rng, 200000, 30, 30);
    TimeView v;
    v.fit(r.start.front(), r.end.back(), 800);
    const auto items = fold(r, v, 3.0, 1.0);
    CHECK(items.size() <= 800);
  }
}

TEST_CASE("first visible is found by binary search on ends") {
  Row r;
  for (Time i = 0; i < 10; ++i) {
    r.start.push_back(i * 10);
    r.end.push_back(i * 10 + 5);
  }
  auto end_of = [&](uint32_t i) { return r.end[i]; };
  CHECK(row_first_ending_at_or_after(0, 10, 0, end_of) == 0);
  CHECK(row_first_ending_at_or_after(0, 10, 6, end_of) == 1);
  CHECK(row_first_ending_at_or_after(0, 10, 95, end_of) == 9);
  CHECK(row_first_ending_at_or_after(0, 10, 96, end_of) == 10);
}

TEST_CASE("galloping search agrees with binary search") {
  std::mt19937_64 rng(17);
  for (int iter = 0; iter < 200; ++iter) {
    std::vector<Time> s(rng() % 300);
    Time at = 0;
    for (Time& x : s) x = (at += Time(rng() % 4));
    auto start_of = [&](uint32_t i) { return s[i]; };
    const uint32_t n = uint32_t(s.size());
    for (int q = 0; q < 50; ++q) {
      const uint32_t from = n ? uint32_t(rng() % (n + 1)) : 0;
      const Time t = Time(rng() % uint64_t(at + 5)) - 2;
      CHECK(row_gallop_starting_at_or_after(from, n, t, start_of) ==
            row_first_starting_at_or_after(from, n, t, start_of));
    }
  }
}

TEST_CASE("fold index finds the first break like a linear scan") {
  std::mt19937_64 rng(23);
  for (int iter = 0; iter < 60; ++iter) {
    const Row r = random_row(rng, 1 + rng() % 20000, 1 + rng() % 50, 1 + rng() % 80);
    std::vector<Time> dur(r.start.size());
    for (size_t i = 0; i < dur.size(); ++i) dur[i] = r.end[i] - r.start[i];
    const uint32_t n = uint32_t(r.start.size());
    const FoldIndex idx(r.start.data(), dur.data(), 0, n);
    for (int q = 0; q < 40; ++q) {
      const uint32_t from = uint32_t(rng() % (n + 1));
      const Time threshold = 1 + Time(rng() % 300);
      uint32_t expect = n;
      for (uint32_t j = from; j < n; ++j) {
        const Time gap = j == 0 ? Time(1) << 60 : r.start[j] - r.end[j - 1];
        if (std::max(gap * FoldIndex::kRatio, dur[j]) >= threshold) {
          expect = j;
          break;
        }
      }
      CHECK(idx.first_break(from, threshold) == expect);
    }
  }
}

TEST_CASE("folding with the index covers the same intervals as without") {
  std::mt19937_64 rng(29);
  for (int iter = 0; iter < 200; ++iter) {
    const Row r = random_row(rng, 1 + rng() % 3000, 1 + rng() % 400, 1 + rng() % 900);
    std::vector<Time> dur(r.start.size());
    for (size_t i = 0; i < dur.size(); ++i) dur[i] = r.end[i] - r.start[i];
    const uint32_t n = uint32_t(r.start.size());
    const FoldIndex idx(r.start.data(), dur.data(), 0, n);
    TimeView v;
    v.fit(r.start.front(), r.end.back(), 100 + double(rng() % 1500));
    if (rng() % 2) v.zoom_at(double(rng() % 100), std::pow(2.0, -double(rng() % 8)));
    std::vector<RowItem> items;
    fold_row(0, n, [&](uint32_t i) { return r.start[i]; }, [&](uint32_t i) { return r.end[i]; }, v, 3.0, 1.0,
             [&](const RowItem& it) { items.push_back(it); }, &idx);
    // Every visible interval is covered once, in order; folds hold narrow intervals only.
    std::vector<uint32_t> got;
    for (const RowItem& it : items) {
      for (uint32_t k = 0; k < it.count; ++k) got.push_back(it.first + k);
      if (it.count > 1) {
        for (uint32_t k = 0; k < it.count; ++k) CHECK(double(dur[it.first + k]) < 3.0 * v.ns_per_px() + 1);
      }
    }
    for (size_t k = 1; k < got.size(); ++k) CHECK(got[k] == got[k - 1] + 1);
    for (uint32_t i = 0; i < n; ++i) {
      if (r.end[i] >= v.left() && r.start[i] <= v.right() + 1) {
        CHECK(std::find(got.begin(), got.end(), i) != got.end());
      }
    }
    CHECK(items.size() <= size_t(v.width()) + 2);
  }
}

TEST_CASE("hit-testing a row finds the slice under the cursor") {
  std::mt19937_64 rng(31);
  for (int iter = 0; iter < 200; ++iter) {
    const Row r = random_row(rng, 1 + rng() % 500, 1 + rng() % 3000, 1 + rng() % 9000);
    std::vector<Time> dur(r.start.size());
    for (size_t i = 0; i < dur.size(); ++i) dur[i] = r.end[i] - r.start[i];
    const uint32_t n = uint32_t(r.start.size());
    const FoldIndex idx(r.start.data(), dur.data(), 0, n);
    TimeView v;
    v.fit(r.start.front(), r.end.back(), 200 + double(rng() % 1000));
    if (rng() % 2) v.zoom_at(double(rng() % 200), std::pow(2.0, -double(rng() % 10)));
    auto start_of = [&](uint32_t i) { return r.start[i]; };
    auto end_of = [&](uint32_t i) { return r.end[i]; };
    for (int q = 0; q < 30; ++q) {
      const double x = double(rng() % uint64_t(v.width()));
      RowItem hit;
      const bool found = row_item_at(0, n, start_of, end_of, v, 3.0, 1.0, &idx, x, 1.0, &hit);
      // Brute force: a slice at least 3 px wide whose drawn extent holds x must be the answer.
      for (uint32_t i = 0; i < n; ++i) {
        const double x0 = v.x_of(r.start[i]), x1 = v.x_of(r.end[i]);
        if (x1 - x0 >= 3.0 && x > x0 && x < x1) {
          REQUIRE(found);
          CHECK(hit.count == 1);
          CHECK(hit.first == i);
        }
      }
      if (found) {
        // The answer is drawn within 1 px of x.
        const double x1 = std::max(hit.x1, hit.x0 + 1.0);
        CHECK((x >= hit.x0 - 1.0 && x <= x1 + 1.0));
      } else {
        // No visible slice's extent is within 1 px of x (inside a fold a slice is drawn as part
        // of the fold's extent; alone it is widened to 1 px, which only adds to what is found).
        for (uint32_t i = 0; i < n; ++i) {
          if (r.end[i] < v.left() || r.start[i] > v.right() + 1) continue;
          const double x0 = v.x_of(r.start[i]), x1 = v.x_of(r.end[i]);
          CHECK(!(x >= x0 - 1.0 && x <= x1 + 1.0));
        }
      }
    }
  }
}

namespace {

std::vector<PixelRun> cover(const Row& r, const TimeView& v, double gap_px) {
  return row_cover_runs(0, uint32_t(r.start.size()), [&](uint32_t i) { return r.start[i]; },
                        [&](uint32_t i) { return r.end[i]; }, v, gap_px);
}

// Random disjoint spans with gaps between them (what merge_spans makes), some long, some a point.
Row random_union(std::mt19937_64& rng, size_t n, Time max_gap, Time max_len) {
  Row r;
  Time at = Time(rng() % 1000) - 500;
  for (size_t i = 0; i < n; ++i) {
    at += 1 + Time(rng() % uint64_t(max_gap));
    const Time len = rng() % 4 == 0 ? 0 : Time(rng() % uint64_t(max_len + 1));
    r.start.push_back(at);
    r.end.push_back(at + len);
    at += len;
  }
  return r;
}

}  // namespace

TEST_CASE("cover runs: the pixels of a row's intervals, against a linear walk and per pixel") {
  std::mt19937_64 rng(23);
  for (int iter = 0; iter < 600; ++iter) {
    const Row r = iter % 2 ? random_union(rng, 1 + rng() % 300, 1 + rng() % 3000, 1 + rng() % 4000)
                           : random_row(rng, 1 + rng() % 300, 1 + rng() % 3000, 1 + rng() % 4000);
    TimeView v;
    v.fit(r.start.front(), r.end.back(), 50 + double(rng() % 1500));
    if (rng() % 2) v.zoom_at(double(rng() % 500), std::pow(2.0, -double(rng() % 14)));
    const double gap = rng() % 3 == 0 ? 0.0 : 1.0;
    CAPTURE(iter);
    const std::vector<PixelRun> runs = cover(r, v, gap);
    // Linear reference: every interval in view, each at least 1 px wide, joined to the run
    // before when it starts within `gap` pixels of its end; clipped to the view plus the gap.
    const double lo = -gap, hi = v.width() + gap;
    std::vector<PixelRun> want;
    for (size_t i = 0; i < r.start.size(); ++i) {
      if (r.end[i] < v.left() || r.start[i] > v.right() + 1) continue;
      const double x0 = v.x_of(r.start[i]), x1 = std::max(v.x_of(r.end[i]), x0 + 1.0);
      if (!want.empty() && r.start[i] <= v.time_at(want.back().x1 + gap)) {
        want.back().x1 = std::max(want.back().x1, x1);
      } else {
        want.push_back({x0, x1});
      }
    }
    // Runs past the right edge: one run to the edge covers whatever follows.
    for (size_t k = 0; k < want.size(); ++k) {
      if (want[k].x1 > hi) want.resize(k + 1);
    }
    for (PixelRun& w : want) {
      w.x0 = std::max(w.x0, lo);
      w.x1 = std::max(std::min(w.x1, hi), w.x0 + 1.0);
    }
    REQUIRE(runs.size() == want.size());
    for (size_t k = 0; k < runs.size(); ++k) {
      CHECK(runs[k].x0 == want[k].x0);
      CHECK(runs[k].x1 == want[k].x1);
      if (k > 0) CHECK(runs[k].x0 > runs[k - 1].x1 + gap - 1.0);  // separate runs are apart
    }
    // Per pixel column of the view: covered by a run when an interval in view (as fold_row
    // finds them) is drawn there.
    for (int c = 0; c < int(v.width()); ++c) {
      bool drawn = false;
      for (size_t i = 0; i < r.start.size() && !drawn; ++i) {
        if (r.end[i] < v.left() || r.start[i] > v.right() + 1) continue;
        const double x0 = v.x_of(r.start[i]), x1 = std::max(v.x_of(r.end[i]), x0 + 1.0);
        drawn = x0 < c + 1 && x1 > c;
      }
      if (!drawn) continue;
      bool covered = false;
      for (const PixelRun& run : runs) covered = covered || (run.x0 < c + 1 && run.x1 > c);
      CHECK_MESSAGE(covered, "column " << c);
    }
  }
}

TEST_CASE("cover runs of a dense row are few, however many intervals") {
  const Row r = dense_row();
  TimeView v;
  v.fit(0, 10000000, 1000);
  const auto runs = cover(r, v, 1.0);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].x0 == v.x_of(0));
  CHECK(runs[0].x1 == v.x_of(r.start.back()) + 1.0);  // the last interval, drawn 1 px wide
  v.fit(-5000000, -1000000, 1000);  // before the row
  CHECK(cover(r, v, 1.0).empty());
}

TEST_CASE("counting a row's intervals over a time range agrees with a scan") {
  std::mt19937_64 rng(29);
  for (int iter = 0; iter < 300; ++iter) {
    const Row r = random_row(rng, rng() % 200, 1 + rng() % 50, 1 + rng() % 50);
    const uint32_t n = uint32_t(r.start.size());
    for (int q = 0; q < 20; ++q) {
      const Time t0 = Time(rng() % 6000) - 600, t1 = t0 + Time(rng() % 100);
      uint32_t want = 0;
      for (uint32_t i = 0; i < n; ++i) want += r.start[i] <= t1 && r.end[i] >= t0;
      CHECK(row_count_overlapping(0, n, [&](uint32_t i) { return r.start[i]; }, [&](uint32_t i) { return r.end[i]; },
                                  t0, t1) == want);
    }
  }
}
