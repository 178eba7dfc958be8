// Tests of the save's own layouts (recorder/save.cpp): decoded slices laid out depth-major
// without TraceBuilder's sort (build_slice_set) must come out exactly as the builder lays them
// out, or be handed to the builder (false); as a preorder walk (build_preorder, the .vzt save),
// exactly as that layout's walk, or be refused.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <functional>
#include <set>
#include <vector>

#include "formats/builder.h"
#include "formats/vzt_writer.h"
#include "recorder/internal.h"
#include "recorder/save_internal.h"
#include "tests/formats/vzt_test_traces.h"

using namespace vz;
using vz::rec::internal::build_preorder;
using vz::rec::internal::build_slice_set;
using vz::rec::internal::DecodedSlice;

namespace {

// A random call tree over [lo, hi), appended as calls return (children before their parent),
// each slice with its depth. `ties` makes starts and ends collide, zero lengths included.
void calls(std::mt19937_64& rng, int64_t lo, int64_t hi, uint32_t depth, bool ties,
           std::vector<DecodedSlice>& out) {
  int64_t at = lo;
  int kids = depth < 6 ? int(rng() % 4) : 0;
  for (int k = 0; k < kids && at < hi; ++k) {
    int64_t len = (hi - at) / (kids - k);
    int64_t s = at + (ties ? 0 : int64_t(rng() % uint64_t(len / 4 + 1)));
    int64_t e = ties && rng() % 3 == 0 ? s : s + len / 2 + int64_t(rng() % uint64_t(len / 2 + 1));
    if (e > hi) e = hi;
    calls(rng, s, e, depth + 1, ties, out);
    at = e;
  }
  out.push_back(DecodedSlice{lo, hi - lo, uint32_t(rng() % 7), depth, vz::rec::internal::kDecComplete});
}

// A few random call trees side by side: complete() slices, or the same as begin/end slices
// (their depths given) when `be`. `ties` as in calls().
std::vector<DecodedSlice> random_calls(uint64_t seed, bool ties, bool be) {
  std::mt19937_64 rng(seed);
  std::vector<DecodedSlice> in;
  int roots = 1 + int(rng() % 4);
  int64_t at = int64_t(rng() % 100);
  for (int r = 0; r < roots; ++r) {
    int64_t len = 1 + int64_t(rng() % 100000);
    calls(rng, at, at + len, 0, ties, in);
    at += len + (ties ? 0 : int64_t(rng() % 50));
  }
  if (be)
    for (DecodedSlice& s : in) s.flags = 0;
  return in;
}

SliceSet builder_layout(const std::vector<DecodedSlice>& in) {
  Trace t;
  TraceBuilder b(t);
  uint32_t th = b.thread(b.intern("1"), b.intern("1"));
  std::vector<RawSlice> raw;
  for (const DecodedSlice& s : in) raw.push_back(RawSlice{s.start, s.dur, s.name, 0});
  b.adopt_slices(th, std::move(raw), {}, {});
  b.finish(1);
  return t.threads[th].slices;
}

}  // namespace

TEST_CASE("save layout: complete() slices in return order lay out as the builder does") {
  size_t own = 0, handed_over = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    CAPTURE(seed);
    std::vector<DecodedSlice> in = random_calls(seed, seed % 4 == 0, false);
    SliceSet mine;
    if (!build_slice_set(in.data(), in.size(), nullptr, mine)) {
      ++handed_over;
      continue;
    }
    ++own;
    SliceSet ref = builder_layout(in);
    CHECK(mine.depth_begin == ref.depth_begin);
    CHECK(mine.start == ref.start);
    CHECK(mine.dur == ref.dur);
    CHECK(mine.flags == ref.flags);
    // Labels too, but for a child with exactly its parent's interval: the builder keeps input
    // order (the child, returned first, outside), the recorder's order keeps the caller outside.
    std::map<std::pair<int64_t, int64_t>, std::multiset<uint32_t>> a, b;
    for (size_t i = 0; i < mine.size(); ++i) {
      a[{mine.start[i], mine.dur[i]}].insert(mine.label[i]);
      b[{ref.start[i], ref.dur[i]}].insert(ref.label[i]);
      if (mine.label[i] != ref.label[i]) CHECK(a[{mine.start[i], mine.dur[i]}].size() + b[{ref.start[i], ref.dur[i]}].size() >= 2);
    }
    CHECK(a == b);
  }
  CHECK(own > 300);          // distinct times: laid out here
  CHECK(handed_over < 100);  // only some sets with ties go to the builder
}

TEST_CASE("save layout: a call with its caller's exact interval stays inside the caller") {
  // inner returned first, then outer, both over [0, 100); then a sibling.
  std::vector<DecodedSlice> in = {{0, 100, 1, 0, vz::rec::internal::kDecComplete},
                                  {0, 100, 2, 0, vz::rec::internal::kDecComplete},
                                  {100, 50, 3, 0, vz::rec::internal::kDecComplete}};
  SliceSet out;
  REQUIRE(build_slice_set(in.data(), in.size(), nullptr, out));
  CHECK(out.depth_begin == std::vector<uint32_t>{0, 2, 3});
  CHECK(out.label == vz::Column<uint32_t>{2, 3, 1});
}

TEST_CASE("save layout: a thread mixing begin/end and complete() slices goes to the builder") {
  std::vector<DecodedSlice> in = {{10, 5, 1, 1, 0}, {0, 100, 2, 0, vz::rec::internal::kDecComplete}};
  SliceSet out;
  CHECK_FALSE(build_slice_set(in.data(), in.size(), nullptr, out));
  // Out of return order (a parent before its child): not this layout either.
  std::vector<DecodedSlice> bad = {{0, 100, 2, 0, vz::rec::internal::kDecComplete},
                                   {10, 5, 1, 0, vz::rec::internal::kDecComplete}};
  CHECK_FALSE(build_slice_set(bad.data(), bad.size(), nullptr, out));
}


TEST_CASE("save walk: build_preorder is the preorder walk of build_slice_set's layout") {
  size_t walked = 0, refused = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    for (bool be : {false, true}) {
      CAPTURE(seed);
      CAPTURE(be);
      const bool ties = seed % 4 == 0;
      std::vector<DecodedSlice> in = random_calls(seed, ties, be);
      SliceSet walk;
      std::vector<uint32_t> depth;
      if (!build_preorder(in.data(), in.size(), nullptr, walk, depth)) {
        // These are clean call trees: only a zero-length slice is a reason to refuse one.
        bool zero = false;
        for (const DecodedSlice& s : in) zero |= s.dur == 0;
        CHECK(zero);
        ++refused;
        continue;
      }
      ++walked;
      SliceSet ref;
      REQUIRE(build_slice_set(in.data(), in.size(), nullptr, ref));
      REQUIRE(depth.size() == ref.size());
      REQUIRE(walk.size() == ref.size());
      size_t k = 0;
      bool same = ref.walk_preorder([&](uint32_t i, uint32_t d) {
        bool eq = walk.start[k] == ref.start[i] && walk.dur[k] == ref.dur[i] &&
                  walk.label[k] == ref.label[i] && walk.flags[k] == ref.flags[i] && depth[k] == d;
        ++k;
        return eq;
      });
      CHECK(same);
      CHECK(k == ref.size());
    }
  }
  CHECK(walked > 500);
  CHECK(refused < 300);
}

TEST_CASE("save walk: what is not a clean nesting is refused") {
  using vz::rec::internal::kDecComplete;
  SliceSet out;
  std::vector<uint32_t> depth;
  // Empty: an empty walk.
  CHECK(build_preorder(nullptr, 0, nullptr, out, depth));
  CHECK(depth.empty());
  // complete() slices that overlap without nesting (hostile times through the C API).
  std::vector<DecodedSlice> overlap = {{0, 100, 1, 0, kDecComplete}, {50, 100, 2, 0, kDecComplete}};
  CHECK_FALSE(build_preorder(overlap.data(), overlap.size(), nullptr, out, depth));
  // A parent recorded before its child (not return order).
  std::vector<DecodedSlice> order = {{0, 100, 2, 0, kDecComplete}, {10, 5, 1, 0, kDecComplete}};
  CHECK_FALSE(build_preorder(order.data(), order.size(), nullptr, out, depth));
  // A zero-length slice (the builder may nest it otherwise).
  std::vector<DecodedSlice> zero = {{10, 0, 1, 0, kDecComplete}, {0, 100, 2, 0, kDecComplete}};
  CHECK_FALSE(build_preorder(zero.data(), zero.size(), nullptr, out, depth));
  // Begin/end slices whose ancestors the ring lost: depth 2 under nothing at depth 1.
  std::vector<DecodedSlice> gap = {{10, 5, 1, 2, 0}, {0, 100, 2, 0, 0}};
  CHECK_FALSE(build_preorder(gap.data(), gap.size(), nullptr, out, depth));
  // A begin/end child that ends after its parent (times that went back).
  std::vector<DecodedSlice> outside = {{10, 500, 1, 1, 0}, {0, 100, 2, 0, 0}};
  CHECK_FALSE(build_preorder(outside.data(), outside.size(), nullptr, out, depth));
  // An end past INT64_MAX saturates (no wrap-around into a negative end).
  std::vector<DecodedSlice> far = {{INT64_MAX - 5, 100, 1, 0, kDecComplete}};
  std::pair<Time, Time> far_bounds;
  REQUIRE(build_preorder(far.data(), far.size(), nullptr, out, depth, &far_bounds));
  CHECK(far_bounds == std::pair<Time, Time>{INT64_MAX - 5, INT64_MAX});
  // A name without a label (its records changed after they were counted): refused.
  std::vector<uint32_t> partial = {7, vz::kNone, 9};
  std::vector<DecodedSlice> named = {{10, 5, 1, 0, kDecComplete}};
  CHECK_FALSE(build_preorder(named.data(), named.size(), &partial, out, depth));
  // Both kinds in one thread.
  std::vector<DecodedSlice> mixed = {{10, 5, 1, 1, 0}, {0, 100, 2, 0, kDecComplete}};
  CHECK_FALSE(build_preorder(mixed.data(), mixed.size(), nullptr, out, depth));
  // A clean one: labels mapped, flags of begin/end slices kept.
  std::vector<DecodedSlice> ok = {{10, 5, 1, 1, 0}, {20, 5, 0, 1, vz::rec::internal::kDecOpen},
                                  {0, 100, 2, 0, 0}, {100, 1, 0, 0, 0}};
  std::vector<uint32_t> label_of = {7, 8, 9};
  std::pair<Time, Time> bounds;
  REQUIRE(build_preorder(ok.data(), ok.size(), &label_of, out, depth, &bounds));
  CHECK(bounds == std::pair<Time, Time>{0, 101});
  CHECK(depth == std::vector<uint32_t>{0, 1, 1, 0});
  CHECK(out.start == vz::Column<Time>{0, 10, 20, 100});
  CHECK(out.label == vz::Column<uint32_t>{9, 8, 7, 7});
  CHECK(out.flags[2] == (kSliceFromBE | kSliceOpen));
  CHECK(out.flags[0] == kSliceFromBE);
}

namespace {

using vz::rec::detail::Record;
namespace rd = vz::rec::detail;
namespace ri = vz::rec::internal;

// Ring records of a random call tree: begin/end records in time order, or complete() records as
// calls return (long ones as a head and a payload record). Instants with payload records in
// between, an orphan payload and an orphan end first (their heads and begins were overwritten),
// for begin/end a few begins never ended, for complete() maybe a head without its payload last.
// The labels the tests' writer is handed: name id i is label 100 + i.
std::vector<uint32_t> test_labels(size_t names) {
  std::vector<uint32_t> label_of(names);
  for (uint32_t i = 0; i < names; ++i) label_of[i] = 100 + i;
  return label_of;
}

std::vector<Record> ring_records(std::mt19937_64& rng, bool be, int64_t* t_end) {
  std::vector<Record> r;
  r.push_back(Record{123, 0, rd::kPayload});
  if (be) r.push_back(Record{5, 0, rd::kEnd});
  int64_t t = 10;
  auto instant = [&] {
    r.push_back(Record{uint64_t(t), 2, rd::kInstant | (2u << 10)});
    r.push_back(Record{0, 0, rd::kPayload});
    r.push_back(Record{0, 0, rd::kPayload});
  };
  // One call at `depth`: returns its end time.
  std::function<void(int)> call = [&](int depth) {
    const int64_t start = t;
    const uint32_t name = uint32_t(rng() % 9);  // 8 and up: past the names known at the snapshot
    if (be) r.push_back(Record{uint64_t(start), name, rd::kBegin});
    t += 1 + int64_t(rng() % 20);
    int kids = depth < 5 ? int(rng() % 4) : 0;
    for (int k = 0; k < kids; ++k) {
      if (rng() % 10 == 0) instant();
      call(depth + 1);
      t += int64_t(rng() % 5);
    }
    t += 1 + int64_t(rng() % (rng() % 50 == 0 ? (int64_t(1) << 26) : 20));
    if (be) {
      r.push_back(Record{uint64_t(t), 0, rd::kEnd});
    } else if (t - start < (int64_t(1) << 24)) {
      r.push_back(Record{uint64_t(start), name, rd::kCompleteShort | uint32_t(t - start) << 8});
    } else {
      r.push_back(Record{uint64_t(start), name, rd::kComplete});
      r.push_back(Record{uint64_t(t - start), 0, rd::kPayload});
    }
  };
  for (int roots = 1 + int(rng() % 5); roots > 0; --roots) {
    call(0);
    t += int64_t(rng() % 3);
  }
  if (be)
    for (int open = int(rng() % 3); open > 0; --open) r.push_back(Record{uint64_t(t++), 1, rd::kBegin});
  else if (rng() % 2)  // the newest event cut short: a head whose payload was never written
    r.push_back(Record{uint64_t(t), 3, rd::kComplete});
  *t_end = t + 7;
  return r;
}

}  // namespace

namespace {

// Feeds both runs of `snap` to `dec` and ends what is still open at `end`, as save() does.
ri::Batch decode_snapshot(ri::Decoder& dec, const ri::RingSnapshot& snap, int64_t end) {
  ri::Batch out;
  dec.feed(snap.a, snap.na, out);
  dec.feed(snap.b, snap.nb, out);
  dec.close_open(end, out);
  return out;
}

// One run of random complete() records (ring_records), counted as save() counts them: their
// slices left in the ring.
struct CompleteRing {
  std::vector<Record> recs;
  int64_t end = 0;
  ri::RingSnapshot snap;
  std::vector<uint8_t> used;
  ri::Decoder dec;
  ri::Batch got;
  CompleteRing(uint64_t seed, size_t names, const ri::ClockCal& clock) : used(names, 0), dec(clock, 0, 0) {
    std::mt19937_64 rng(seed);
    recs = ring_records(rng, false, &end);
    snap.a = recs.data(), snap.na = recs.size();
    dec.leave_slices(&used);
    got = decode_snapshot(dec, snap, end);
  }
};

// Writes `walk` (a preorder walk with its depths) and `stream` each to a file of its own in blocks
// of `block_slices`, and checks the files hold the same bytes after their headers.
void check_stream_writes_walk(const SliceSet& walk, const std::vector<uint32_t>& depth,
                              VztSliceStream& stream, uint32_t block_slices, const std::string& name,
                              unsigned workers = 2) {
  VztWriteOptions opt;
  opt.block_slices = block_slices;
  opt.level = 1;
  auto write = [&](const std::string& path, const VztSliceSetRef& ref) {
    VztStreamWriter w;
    REQUIRE(w.open(path, opt, nullptr));
    REQUIRE_MESSAGE(w.write_slice_sets(&ref, 1, {}, workers), w.error());
    std::string err;
    REQUIRE_MESSAGE(w.finish(&err), err);
  };
  vzt_test::TempPath a(name + "-walk.vzt"), b(name + "-stream.vzt");
  write(a.path, VztSliceSetRef{0, vzt::SliceSetKind::Nested, &walk, 0, &depth});
  write(b.path, VztSliceSetRef{0, vzt::SliceSetKind::Nested, nullptr, 0, nullptr, &stream});
  vzt_test::check_same_after_header(vzt_test::read_all(a.path), vzt_test::read_all(b.path));
}

// Writing `stream` (whose ring changed after it was planned) fails as "changed", leaving no file.
void check_changed_stream_fails(VztSliceStream& stream, uint32_t block_slices, const std::string& name) {
  vzt_test::TempPath p(name + "-changed.vzt");
  VztStreamWriter w;
  VztWriteOptions opt;
  opt.block_slices = block_slices;
  REQUIRE(w.open(p.path, opt, nullptr));
  VztSliceSetRef ref{0, vzt::SliceSetKind::Nested, nullptr, 0, nullptr, &stream};
  CHECK_FALSE(w.write_slice_sets(&ref, 1, {}));
  CHECK(w.error().find("changed") != std::string::npos);
  std::string err;
  CHECK_FALSE(w.finish(&err));
  CHECK(::access(p.path.c_str(), F_OK) != 0);
}

}  // namespace

TEST_CASE("save walk: slices read in place from the ring walk as their decoded copies do") {
  const size_t names = 8;
  const std::vector<uint32_t> label_of = test_labels(names);
  size_t walked = 0, filtered = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    // Ticks are ns, or TSC ticks at 0.37 ns (every other seed: the decoder's fast loops keep
    // first and last times as ticks and convert them once).
    ri::ClockCal clock;
    if (seed % 2) clock.tsc = true, clock.tick0 = 1000 + seed, clock.ns0 = 5000, clock.ns_per_tick = 0.37;
    for (int mode = 0; mode < 3; ++mode) {
      // complete() records, the same with a min_duration, begin/end records.
      const bool be = mode == 2;
      const int64_t min_dur = mode == 1 ? 15 : 0;
      CAPTURE(seed);
      CAPTURE(mode);
      std::mt19937_64 rng(seed);
      int64_t end = 0;
      std::vector<Record> recs = ring_records(rng, be, &end);
      // Two runs, cut anywhere (a head and its payload may straddle the cut; the first run may
      // be empty, the second start where the first does).
      ri::RingSnapshot snap;
      size_t cut = seed % 7 == 0 ? 0 : size_t(rng() % recs.size());
      snap.a = recs.data(), snap.na = cut, snap.b = recs.data() + cut, snap.nb = recs.size() - cut;
      // Decoded, then walked.
      ri::Decoder dec(clock, 0, min_dur);
      ri::Batch ref = decode_snapshot(dec, snap, end);
      for (ri::DecodedSlice& s : ref.slices)
        if (s.name >= names) s.name = 0;
      SliceSet want;
      std::vector<uint32_t> want_depth;
      std::pair<Time, Time> want_bounds;
      bool want_ok = build_preorder(ref.slices.data(), ref.slices.size(), &label_of, want, want_depth, &want_bounds);
      // Left in the ring, then walked from there.
      ri::Decoder in(clock, 0, min_dur);
      std::vector<uint8_t> used(names, 0);
      in.leave_slices(&used);
      ri::Batch got = decode_snapshot(in, snap, end);
      CHECK(got.slices.empty());
      CHECK(got.in_ring == ref.slices.size());
      CHECK(got.first_ts == ref.first_ts);
      CHECK(got.last_ts == ref.last_ts);
      CHECK(got.has_complete == ref.has_complete);
      CHECK(got.orphan_ends == ref.orphan_ends);
      CHECK(got.filtered == ref.filtered);
      filtered += got.filtered;
      CHECK(got.open_begins == ref.open_begins);
      CHECK(got.instants.size() == ref.instants.size());
      std::vector<uint8_t> want_used(names, 0);
      for (const ri::DecodedSlice& s : ref.slices) want_used[s.name] = 1;
      CHECK(used == want_used);
      SliceSet walk;
      std::vector<uint32_t> depth;
      std::pair<Time, Time> bounds;
      bool ok = be ? ri::walk_begin_end(in, snap, got.in_ring, end, label_of, walk, depth, &bounds)
                   : ri::walk_complete(in, snap, got.in_ring, label_of, walk, depth, &bounds);
      CHECK(ok == want_ok);
      if (!ok || !want_ok) continue;
      ++walked;
      CHECK(walk.start == want.start);
      CHECK(walk.dur == want.dur);
      CHECK(walk.label == want.label);
      CHECK(walk.flags == want.flags);
      CHECK(depth == want_depth);
      CHECK(bounds == want_bounds);
    }
  }
  CHECK(walked > 750);
  CHECK(filtered > 300);  // the min_duration runs drop slices
}

TEST_CASE("save stream: begin/end slices streamed from the ring write the bytes of their walk") {
  const size_t names = 8;
  const uint32_t nlabels = 100 + names;
  const std::vector<uint32_t> label_of = test_labels(names);
  ri::ClockCal clock;  // ticks are ns
  size_t compared = 0, refused = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    int64_t end = 0;
    std::vector<Record> recs = ring_records(rng, true, &end);
    if (seed % 4 == 0) {  // one begin or end moved back in time: a zero-length slice, or worse
      size_t k = 2 + size_t(rng() % (recs.size() - 2));
      while (k < recs.size() && uint8_t(recs[k].meta) != rd::kBegin && uint8_t(recs[k].meta) != rd::kEnd) ++k;
      if (k < recs.size()) recs[k].ts = recs[k - 1 - rng() % 2].ts;
    }
    ri::RingSnapshot snap;
    const size_t cut = seed % 7 == 0 ? 0 : size_t(rng() % recs.size());
    snap.a = recs.data(), snap.na = cut, snap.b = recs.data() + cut, snap.nb = recs.size() - cut;
    const uint32_t block_slices = std::vector<uint32_t>{1, 2, 3, 5, 1u << 20}[seed % 5];
    // The walk, as walk_begin_end() makes it.
    ri::Decoder in(clock, 0, 0);
    std::vector<uint8_t> used(names, 0);
    in.leave_slices(&used);
    ri::Batch got = decode_snapshot(in, snap, end);
    SliceSet walk;
    std::vector<uint32_t> depth;
    std::pair<Time, Time> bounds, stream_bounds;
    const bool walk_ok = ri::walk_begin_end(in, snap, got.in_ring, end, label_of, walk, depth, &bounds);
    // The stream, planned as the ring is decoded.
    ri::Decoder sd(clock, 0, 0);
    std::vector<uint8_t> used2(names, 0);
    sd.leave_slices(&used2);
    ri::BlockPlan plan;
    plan.block = ri::RingStream::block_for(snap.na + snap.nb, block_slices);
    sd.plan_blocks(&plan);
    ri::Batch got2 = decode_snapshot(sd, snap, end);
    CHECK(got2.in_ring == got.in_ring);
    CHECK(used2 == used);
    ri::RingStream stream;
    const bool stream_ok = stream.init(sd, snap, std::move(plan), got2.in_ring, label_of, nlabels, &stream_bounds);
    CHECK(stream_ok == walk_ok);
    if (!stream_ok || !walk_ok) {
      ++refused;
      continue;
    }
    CHECK(stream_bounds == bounds);
    CHECK(stream.slices == walk.size());
    CHECK(stream.depths == *std::max_element(depth.begin(), depth.end()) + 1);
    if (stream.block != vzt_block_size(walk.size(), block_slices)) continue;  // other blocks
    check_stream_writes_walk(walk, depth, stream, block_slices, "ring");
    ++compared;
  }
  CHECK(compared > 150);
  CHECK(refused > 40);
}

TEST_CASE("save stream: a ring whose records changed after the plan fails the write") {
  const size_t names = 8;
  const std::vector<uint32_t> label_of = test_labels(names);
  ri::ClockCal clock;
  for (int how = 0; how < 2; ++how) {
    CAPTURE(how);
    std::mt19937_64 rng(11);
    int64_t end = 0;
    std::vector<Record> recs = ring_records(rng, true, &end);
    ri::RingSnapshot snap;
    snap.a = recs.data(), snap.na = recs.size();
    ri::Decoder sd(clock, 0, 0);
    std::vector<uint8_t> used(names, 0);
    sd.leave_slices(&used);
    ri::BlockPlan plan;
    plan.block = ri::RingStream::block_for(snap.na, 1u << 20);
    sd.plan_blocks(&plan);
    ri::Batch got = decode_snapshot(sd, snap, end);
    ri::RingStream stream;
    REQUIRE(stream.init(sd, snap, std::move(plan), got.in_ring, label_of, 108, nullptr));
    if (how == 0) {
      for (size_t k = recs.size(); k-- > 0;)  // a late writer: one more begin than planned
        if (uint8_t(recs[k].meta) == rd::kEnd) {
          recs[k].meta = rd::kBegin;
          break;
        }
    } else {
      for (size_t k = recs.size(); k-- > 0;)  // another call's begin, same times: only the hashes see it
        if (uint8_t(recs[k].meta) == rd::kBegin && recs[k].name < names) {
          recs[k].name ^= 1;
          break;
        }
    }
    check_changed_stream_fails(stream, 1u << 20, "ring");
  }
}

TEST_CASE("save stream: complete() slices streamed from the ring write the bytes of their walk") {
  const size_t names = 8;
  const uint32_t nlabels = 100 + names;
  const std::vector<uint32_t> label_of = test_labels(names);
  ri::ClockCal clock;  // ticks are ns
  size_t compared = 0, refused = 0, blocked = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    int64_t end = 0;
    std::vector<Record> recs = ring_records(rng, false, &end);
    if (seed % 4 == 0) {  // one call moved back in time or made zero-length: overlaps, or worse
      size_t k = 1 + size_t(rng() % (recs.size() - 1));
      while (k < recs.size() && uint8_t(recs[k].meta) != rd::kCompleteShort) ++k;
      if (k < recs.size()) {
        if (rng() % 2) recs[k].meta = rd::kCompleteShort;  // 0 ticks long
        else recs[k].ts -= std::min<uint64_t>(recs[k].ts, 1 + rng() % 40);
      }
    }
    ri::RingSnapshot snap;
    const size_t cut = seed % 7 == 0 ? 0 : size_t(rng() % recs.size());
    snap.a = recs.data(), snap.na = cut, snap.b = recs.data() + cut, snap.nb = recs.size() - cut;
    const uint32_t block_slices = std::vector<uint32_t>{1, 2, 3, 5, 1u << 20}[seed % 5];
    ri::Decoder dec(clock, 0, 0);
    std::vector<uint8_t> used(names, 0);
    dec.leave_slices(&used);
    ri::Batch got = decode_snapshot(dec, snap, end);
    SliceSet walk;
    std::vector<uint32_t> depth;
    std::pair<Time, Time> bounds, stream_bounds;
    const bool walk_ok = ri::walk_complete(dec, snap, got.in_ring, label_of, walk, depth, &bounds);
    ri::CompleteStream stream;
    const bool stream_ok = stream.init(dec, snap, got.in_ring, block_slices, label_of, nlabels, &stream_bounds);
    CHECK(stream_ok == walk_ok);
    // The same stream deferred: walked by one of the writer's workers while another encodes the
    // blocks the walk has finished. A walk it refuses fails the write as a changed stream.
    ri::CompleteStream deferred;
    REQUIRE(deferred.setup(dec, snap, got.in_ring, block_slices, label_of, nlabels,
                           {got.ring_complete_first, got.ring_complete_last}));
    CHECK(deferred.deferred);
    if (!stream_ok || !walk_ok) {
      check_changed_stream_fails(deferred, block_slices, "deferred");
      ++refused;
      continue;
    }
    CHECK(std::pair{got.ring_complete_first, got.ring_complete_last} == bounds);
    check_stream_writes_walk(walk, depth, deferred, block_slices, "deferred", unsigned(1 + seed % 3));
    CHECK(deferred.depths == stream.depths);
    CHECK(stream_bounds == bounds);
    CHECK(stream.slices == walk.size());
    CHECK(stream.depths == *std::max_element(depth.begin(), depth.end()) + 1);
    CHECK(stream.block == vzt_block_size(walk.size(), block_slices));
    blocked += stream.block < walk.size();
    check_stream_writes_walk(walk, depth, stream, block_slices, "complete");
    ++compared;
  }
  CHECK(compared > 250);
  CHECK(refused > 40);
  CHECK(blocked > 100);  // sets of several blocks: blocks that start inside enclosing slices
}

TEST_CASE("save stream: a deferred complete() walk that ends at other times than the decoder counted fails the write") {
  const size_t names = 8;
  const std::vector<uint32_t> label_of = test_labels(names);
  ri::ClockCal clock;
  const CompleteRing r(5, names, clock);
  REQUIRE(r.got.in_ring > 0);
  SliceSet walk;
  std::vector<uint32_t> depth;
  REQUIRE(ri::walk_complete(r.dec, r.snap, r.got.in_ring, label_of, walk, depth, nullptr));
  const std::pair<Time, Time> bounds{r.got.ring_complete_first, r.got.ring_complete_last};
  for (int how = 0; how < 3; ++how) {
    CAPTURE(how);
    ri::CompleteStream deferred;
    std::pair<Time, Time> b = bounds;
    if (how == 1) --b.first;
    if (how == 2) ++b.second;
    REQUIRE(deferred.setup(r.dec, r.snap, r.got.in_ring, 3, label_of, 108, b));
    if (how == 0) check_stream_writes_walk(walk, depth, deferred, 3, "bounds");
    else check_changed_stream_fails(deferred, 3, "bounds");
  }
}

TEST_CASE("save stream: complete() records that changed after init fail the write") {
  const size_t names = 8;
  const std::vector<uint32_t> label_of = test_labels(names);
  ri::ClockCal clock;
  for (int how = 0; how < 3; ++how) {
    CAPTURE(how);
    CompleteRing r(21, names, clock);
    std::vector<Record>& recs = r.recs;
    ri::CompleteStream stream;
    REQUIRE(stream.init(r.dec, r.snap, r.got.in_ring, 3, label_of, 108, nullptr));
    for (size_t k = recs.size(); k-- > 0;)  // a late writer wrapped the ring over a call
      if (uint8_t(recs[k].meta) == rd::kCompleteShort) {
        if (how == 0) recs[k].meta = rd::kBegin;                       // another kind of record
        else if (how == 1) recs[k].ts = 0, recs[k].meta = rd::kCompleteShort | 1u << 8;  // times out of order
        else recs[k].name ^= 1;  // another call of the same kind and times: only the hashes see it
        break;
      }
    check_changed_stream_fails(stream, 3, "complete");
  }
}
