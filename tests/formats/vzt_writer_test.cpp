// Tests of formats/vzt_writer.cpp: file layout, streaming, fragments, size on a viztracer-like
// trace. Round trips through the reader are in vzt_reader_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <memory>
#include <vector>

#include "formats/vzt_format.h"
#include "formats/vzt_reader.h"
#include "formats/vzt_tree_sink.h"
#include "formats/vzt_writer.h"
#include "tests/formats/vzt_test_traces.h"

using namespace vz;
using namespace vzt_test;

namespace {

struct Walked {
  std::vector<vzt::SectionHeader> headers;
  std::vector<uint64_t> offsets;
  bool clean = true;  // every header and payload checksum matched and the walk ended at EOF
};

// Walks a .vzt file's sections with nothing but vzt_format.h.
Walked walk(const std::string& f) {
  Walked w;
  size_t at = sizeof(vzt::FileHeader);
  while (at < f.size()) {
    vzt::SectionHeader h;
    if (f.size() - at < sizeof h) return w.clean = false, w;
    std::memcpy(&h, f.data() + at, sizeof h);
    if (vzt::checksum32(&h, offsetof(vzt::SectionHeader, header_check)) != h.header_check ||
        h.length > f.size() - at - sizeof h ||
        vzt::checksum32(f.data() + at + sizeof h, h.length) != h.payload_check)
      return w.clean = false, w;
    w.headers.push_back(h);
    w.offsets.push_back(at);
    at += sizeof h + h.length;
  }
  return w;
}

size_t count_kind(const Walked& w, vzt::SectionKind k) {
  size_t n = 0;
  for (auto& h : w.headers) n += h.kind == uint16_t(k);
  return n;
}

}  // namespace

TEST_CASE("vzt format helpers: varint, zigzag, checksum") {
  uint8_t buf[32] = {};
  for (uint64_t v : {uint64_t(0), uint64_t(1), uint64_t(127), uint64_t(128), uint64_t(300),
                     uint64_t(1) << 35, ~uint64_t(0)}) {
    uint8_t* e = vzt::put_varint(buf, v);
    CHECK(size_t(e - buf) == vzt::varint_size(v));
    const uint8_t* p = buf;
    bool bad = false;
    CHECK(vzt::get_varint(p, &bad) == v);
    CHECK(p == e);
    CHECK(!bad);
  }
  std::memset(buf, 0xff, sizeof buf);  // never terminates within 10 bytes
  const uint8_t* p = buf;
  bool bad = false;
  vzt::get_varint(p, &bad);
  CHECK(bad);
  for (int64_t v : {int64_t(0), int64_t(-1), int64_t(1), INT64_MIN, INT64_MAX})
    CHECK(vzt::unzigzag(vzt::zigzag(v)) == v);
  CHECK(vzt::zigzag(-1) == 1);
  CHECK(vzt::zigzag(1) == 2);
  std::string a(1000, 'x');
  uint32_t c = vzt::checksum32(a.data(), a.size());
  for (size_t i : {size_t(0), size_t(31), size_t(32), size_t(999)}) {
    std::string b = a;
    b[i] ^= 1;
    CHECK(vzt::checksum32(b.data(), b.size()) != c);
  }
  CHECK(vzt::checksum32(a.data(), 999) != c);
}

TEST_CASE("write_vzt: header, checksummed sections, End last, index present") {
  auto t = every_kind(3);
  TempPath p("layout.vzt");
  std::string err;
  REQUIRE(write_vzt(*t, p.path, true, &err));
  std::string f = read_all(p.path);
  REQUIRE(f.size() > sizeof(vzt::FileHeader));
  CHECK(vzt::has_magic(f.data(), f.size()));
  vzt::FileHeader fh;
  std::memcpy(&fh, f.data(), sizeof fh);
  CHECK(fh.version_major == vzt::kVersionMajor);
  CHECK(fh.check == vzt::checksum32(&fh, offsetof(vzt::FileHeader, check)));
  Walked w = walk(f);
  REQUIRE(w.clean);
  REQUIRE(!w.headers.empty());
  CHECK(w.headers.front().kind == uint16_t(vzt::SectionKind::Info));
  CHECK(w.headers.back().kind == uint16_t(vzt::SectionKind::End));
  vzt::EndRecord end;
  std::memcpy(&end, f.data() + w.offsets.back() + sizeof(vzt::SectionHeader), sizeof end);
  CHECK(end.file_size == f.size());
  REQUIRE(end.index_offset != 0);
  vzt::SectionHeader ih;
  std::memcpy(&ih, f.data() + end.index_offset, sizeof ih);
  CHECK(ih.kind == uint16_t(vzt::SectionKind::Index));
  CHECK(count_kind(w, vzt::SectionKind::Slices) >= 6);  // nested + overflow on 3 threads
  CHECK(count_kind(w, vzt::SectionKind::Strings) == 1);
  CHECK(count_kind(w, vzt::SectionKind::Args) >= 1);
  // Args precede the slices that point into them.
  size_t first_args = 0, first_slices = 0;
  for (size_t i = 0; i < w.headers.size(); ++i) {
    if (!first_args && w.headers[i].kind == uint16_t(vzt::SectionKind::Args)) first_args = i;
    if (!first_slices && w.headers[i].kind == uint16_t(vzt::SectionKind::Slices)) first_slices = i;
  }
  CHECK(first_args < first_slices);
}

TEST_CASE("write_vzt: the footer index points at every thread's slice and instant sections") {
  auto t = viztracer_like(50000, 4, 3);
  TempPath p("index.vzt");
  VztStreamWriter w;
  VztWriteOptions opt;
  opt.compress = false;  // so this test can read the Index payload directly
  opt.block_slices = 4000;
  REQUIRE(w.open(p.path, opt, nullptr));
  write_tables(w, *t);
  for (uint32_t i = 0; i < t->threads.size(); ++i)
    REQUIRE(w.write_slices(i, vzt::SliceSetKind::Nested, t->threads[i].slices, {}));
  REQUIRE(w.finish(nullptr));
  std::string f = read_all(p.path);
  Walked wk = walk(f);
  REQUIRE(wk.clean);
  vzt::EndRecord end;
  std::memcpy(&end, f.data() + wk.offsets.back() + sizeof(vzt::SectionHeader), sizeof end);
  vzt::SectionHeader ih;
  std::memcpy(&ih, f.data() + end.index_offset, sizeof ih);
  REQUIRE(ih.kind == uint16_t(vzt::SectionKind::Index));
  REQUIRE(ih.flags == 0);
  // Payload: varint n, varint ncols, ncols lengths, then the columns.
  const uint8_t* p0 = reinterpret_cast<const uint8_t*>(f.data()) + end.index_offset + sizeof ih;
  bool bad = false;
  uint64_t n = vzt::get_varint(p0, &bad), ncols = vzt::get_varint(p0, &bad);
  REQUIRE(ncols == 6);
  std::vector<const uint8_t*> col(6);
  const uint8_t* at = p0;
  std::vector<uint64_t> len(6);
  for (auto& l : len) l = vzt::get_varint(at, &bad);
  for (int i = 0; i < 6; ++i) col[i] = at, at += len[i];
  CHECK(n == ih.count);
  std::vector<uint64_t> per_thread(t->threads.size(), 0);
  uint64_t offset = 0;
  for (uint64_t i = 0; i < n; ++i) {
    offset += vzt::get_varint(col[0], &bad);
    uint64_t kind = vzt::get_varint(col[1], &bad), key = vzt::get_varint(col[2], &bad);
    Time t0 = vzt::unzigzag(vzt::get_varint(col[3], &bad));
    Time t1 = t0 + vzt::unzigzag(vzt::get_varint(col[4], &bad));
    uint64_t count = vzt::get_varint(col[5], &bad);
    vzt::SectionHeader h;
    std::memcpy(&h, f.data() + offset, sizeof h);
    CHECK(h.kind == kind);
    CHECK(h.key == key);
    CHECK(h.count == count);
    REQUIRE(kind == uint16_t(vzt::SectionKind::Slices));
    const SliceSet& s = t->threads[uint32_t(key)].slices;
    Time lo = INT64_MAX, hi = INT64_MIN;
    for (size_t j = 0; j < s.size(); ++j) lo = std::min(lo, s.start[j]), hi = std::max(hi, s.end(j));
    CHECK(t0 >= lo);
    CHECK(t1 <= hi);
    CHECK(t0 <= t1);
    per_thread[uint32_t(key)] += count;
  }
  CHECK(!bad);
  for (uint32_t i = 0; i < t->threads.size(); ++i) CHECK(per_thread[i] == t->threads[i].slices.size());
}

TEST_CASE("write_vzt: uncompressed output is bigger and still valid") {
  auto t = viztracer_like(20000);
  TempPath a("raw.vzt"), b("zstd.vzt");
  REQUIRE(write_vzt(*t, a.path, false, nullptr));
  REQUIRE(write_vzt(*t, b.path, true, nullptr));
  std::string fa = read_all(a.path), fb = read_all(b.path);
  CHECK(walk(fa).clean);
  CHECK(walk(fb).clean);
  CHECK(fb.size() < fa.size());
  for (auto& h : walk(fa).headers) CHECK((h.flags & vzt::kSectionZstd) == 0);
}

TEST_CASE("write_vzt: an unwritable path fails cleanly and leaves nothing") {
  auto t = every_kind(1);
  std::string err;
  CHECK(!write_vzt(*t, "/nonexistent-dir/x.vzt", true, &err));
  CHECK(!err.empty());
}

TEST_CASE("write_vzt: size on a viztracer-like trace is at most 3 bytes per call") {
  const size_t calls = 400000;
  auto t = viztracer_like(calls);
  TempPath p("size.vzt");
  REQUIRE(write_vzt(*t, p.path, true, nullptr));
  size_t bytes = read_all(p.path).size();
  double per = double(bytes) / double(t->slice_count());
  MESSAGE("viztracer-like: " << t->slice_count() << " calls, " << bytes << " bytes, " << per
                             << " bytes/call");
  CHECK(per <= 3.0);
}

TEST_CASE("VztStreamWriter: sections appended as buffers fill; unfinished file loads") {
  auto t = viztracer_like(5000, 11);
  const Thread& th = t->threads[0];
  TempPath p("stream.vzt");
  {
    VztStreamWriter w;
    REQUIRE(w.open_streaming(p.path, {}, nullptr));
    REQUIRE(w.write_info(VztInfo{5, "ms", true, 0, false, 0, 0}));
    write_tables(w, *t);
    REQUIRE(w.write_slices(0, vzt::SliceSetKind::Nested, th.slices, {}));
    CHECK(w.bytes_written() == read_all(p.path).size());  // already on disk, section by section
    // No finish(): the program "crashed".
  }
  auto file = MappedFile::open(p.path, nullptr);
  REQUIRE(file);
  Trace out;
  REQUIRE(read_vzt(file, out, nullptr));
  CHECK(out.diagnostics.count(DiagKind::TruncatedInput) == 1);
  REQUIRE(out.threads.size() == 1);
  check_slices(*t, th.slices, out, out.threads[0].slices);
  CHECK(out.origin_us == 5);
  CHECK(out.display_time_unit == "ms");
}

TEST_CASE("VztStreamWriter: fragments with depth offsets reassemble into one thread") {
  // A recorder flushes completed slices: first the children of a still-open root, then the root.
  auto t = viztracer_like(3000, 5);
  const SliceSet& s = t->threads[0].slices;
  REQUIRE(s.depths() > 2);
  SliceSet roots, rest;  // depth 0 alone, and depths 1.. as a fragment with depth_offset 1
  for (uint32_t i = 0; i < s.size(); ++i) {
    SliceSet& dst = i < s.depth_begin[1] ? roots : rest;
    dst.start.push_back(s.start[i]);
    dst.dur.push_back(s.dur[i]);
    dst.label.push_back(s.label[i]);
    dst.flags.push_back(s.flags[i]);
  }
  roots.depth_begin = {0, s.depth_begin[1]};
  rest.depth_begin.assign(s.depth_begin.begin() + 1, s.depth_begin.end());
  for (uint32_t& d : rest.depth_begin) d -= s.depth_begin[1];
  TempPath p("frag.vzt");
  VztStreamWriter w;
  VztWriteOptions opt;
  opt.block_slices = 500;  // many blocks
  REQUIRE(w.open(p.path, opt, nullptr));
  write_tables(w, *t);
  REQUIRE(w.write_slices(0, vzt::SliceSetKind::Nested, rest, {}, 1));
  REQUIRE(w.write_slices(0, vzt::SliceSetKind::Nested, roots, {}, 0));
  REQUIRE(w.finish(nullptr));
  auto file = MappedFile::open(p.path, nullptr);
  REQUIRE(file);
  Trace out;
  REQUIRE(read_vzt(file, out, nullptr));
  CHECK(out.diagnostics.empty());
  check_slices(*t, s, out, out.threads[0].slices);
}

TEST_CASE("VztStreamWriter: strings out of order and inconsistent slice sets are refused") {
  TempPath p("refuse.vzt");
  VztStreamWriter w;
  REQUIRE(w.open(p.path, {}, nullptr));
  std::string_view s[1] = {"x"};
  CHECK(!w.write_strings(5, s, 1));
  CHECK(!w.ok());
  CHECK(!w.error().empty());
  VztStreamWriter w2;
  REQUIRE(w2.open(p.path, {}, nullptr));
  SliceSet bad;
  bad.start = {1, 2};
  bad.dur = {1};
  CHECK(!w2.write_slices(0, vzt::SliceSetKind::Nested, bad, {}));
  std::string err;
  CHECK(!w2.finish(&err));
  CHECK(!err.empty());
}

TEST_CASE("VztStreamWriter: write_slice_sets on many threads writes what consecutive write_slices write") {
  // Six threads of calls (small blocks, so sets span several sections), plus every_kind's threads
  // whose slices carry args (encoded on the calling thread, in their turn).
  auto t = viztracer_like(60000, 5, 6);
  auto rich = every_kind(3);
  VztWriteOptions opt;
  opt.block_slices = 4000;
  opt.level = 3;
  // Sets in an order that mixes threads, kinds and attachment-carrying sets.
  std::vector<VztSliceSetRef> sets;
  for (uint32_t i = 0; i < t->threads.size(); ++i) {
    sets.push_back({i, vzt::SliceSetKind::Nested, &t->threads[i].slices, 0});
    sets.push_back({i, vzt::SliceSetKind::Overflow, &t->threads[i].overflow, 0});
    if (i == 2) {
      for (uint32_t k = 0; k < rich->threads.size(); ++k)
        sets.push_back({uint32_t(t->threads.size() + k), vzt::SliceSetKind::Nested, &rich->threads[k].slices, 0});
    }
  }
  bool some_args = false;
  for (const Thread& th : rich->threads) some_args |= !th.slices.args.empty();
  REQUIRE(some_args);
  const std::string_view src = rich->source ? std::string_view(rich->source->data(), rich->source->size()) : std::string_view();
  auto write = [&](const std::string& path, int mode) {
    VztStreamWriter w;
    REQUIRE(w.open(path, opt, nullptr));
    if (mode == 0) {
      for (const VztSliceSetRef& r : sets) REQUIRE(w.write_slices(r.thread, r.kind, *r.set, src, r.depth_offset));
    } else {
      REQUIRE(w.write_slice_sets(sets.data(), sets.size(), src, mode == 1 ? 1 : 4));
    }
    std::string err;
    REQUIRE_MESSAGE(w.finish(&err), err);
  };
  TempPath seq("seq.vzt"), one("one.vzt"), four("four.vzt");
  write(seq.path, 0);
  write(one.path, 1);
  write(four.path, 2);
  const std::string a = read_all(seq.path), b = read_all(one.path), c = read_all(four.path);
  const Walked wa = walk(a);
  CHECK(wa.clean);
  CHECK(count_kind(wa, vzt::SectionKind::Slices) > 12);  // several blocks per set
  CHECK(count_kind(wa, vzt::SectionKind::Args) > 0);
  check_same_after_header(a, b);
  check_same_after_header(a, c);
}

TEST_CASE("write_vzt: one big thread is cut into several blocks, the same bytes on 1 and 4 workers") {
  auto t = viztracer_like(600000);  // one thread
  REQUIRE(t->threads.size() == 1);
  const size_t n = t->threads[0].slices.size();
  REQUIRE(n > 8 * 65536);
  std::vector<VztSliceSetRef> sets = {{0, vzt::SliceSetKind::Nested, &t->threads[0].slices, 0}};
  VztWriteOptions opt;
  opt.level = 3;
  auto write = [&](const std::string& path, unsigned workers) {
    VztStreamWriter w;
    REQUIRE(w.open(path, opt, nullptr));
    write_tables(w, *t);
    if (workers == 0) REQUIRE(w.write_slices(0, vzt::SliceSetKind::Nested, t->threads[0].slices, {}));
    else REQUIRE(w.write_slice_sets(sets.data(), sets.size(), {}, workers));
    std::string err;
    REQUIRE_MESSAGE(w.finish(&err), err);
  };
  TempPath seq("big-seq.vzt"), one("big-one.vzt"), four("big-four.vzt");
  write(seq.path, 0);
  write(one.path, 1);
  write(four.path, 4);
  const std::string a = read_all(seq.path), b = read_all(one.path), c = read_all(four.path);
  const Walked wa = walk(a);
  CHECK(wa.clean);
  CHECK(count_kind(wa, vzt::SectionKind::Slices) == 8);  // n / 8 slices a block (n > 8 * 2^16)
  check_same_after_header(a, b);
  check_same_after_header(a, c);
  for (bool direct : {true, false}) {
    CAPTURE(direct);
    auto file = MappedFile::open(four.path, nullptr);
    REQUIRE(file);
    Trace out;
    VztReadOptions ro;
    ro.direct_slices = direct;
    REQUIRE(read_vzt(file, out, nullptr, ro));
    CHECK(out.diagnostics.empty());
    REQUIRE(out.threads.size() == 1);
    check_slices(*t, t->threads[0].slices, out, out.threads[0].slices);
  }
}

namespace {

// A nested set in the form a recorder hands over: its columns in preorder, each slice's depth,
// attachments renumbered to walk positions.
struct WalkForm {
  SliceSet set;
  std::vector<uint32_t> depth;
};

WalkForm walk_form(const SliceSet& s) {
  WalkForm w;
  std::vector<uint32_t> pos(s.size());
  bool walked = s.walk_preorder([&](uint32_t i, uint32_t d) {
    pos[i] = uint32_t(w.depth.size());
    w.set.start.push_back(s.start[i]);
    w.set.dur.push_back(s.dur[i]);
    w.set.label.push_back(s.label[i]);
    w.set.flags.push_back(s.flags[i]);
    w.depth.push_back(d);
    return true;
  });
  REQUIRE(walked);
  auto by_index = [](const SliceAttachment& a, const SliceAttachment& b) { return a.index < b.index; };
  for (const SliceAttachment& a : s.args) w.set.args.push_back({pos[a.index], a.range});
  for (const SliceAttachment& a : s.extras) w.set.extras.push_back({pos[a.index], a.range});
  std::sort(w.set.args.begin(), w.set.args.end(), by_index);
  std::sort(w.set.extras.begin(), w.set.extras.end(), by_index);
  return w;
}

}  // namespace

TEST_CASE("write_slice_sets: a nested set handed over as its preorder walk writes the bytes of its depth-major form") {
  // Threads of calls in small blocks, every_kind's threads (args: encoded on the calling thread),
  // and one set big enough to be cut into blocks by size.
  auto t = viztracer_like(60000, 5, 6);
  auto rich = every_kind(3);
  auto big = viztracer_like(600000);
  REQUIRE(big->threads[0].slices.size() > 8 * 65536);
  const std::string_view src = rich->source ? std::string_view(rich->source->data(), rich->source->size()) : std::string_view();
  std::vector<const SliceSet*> nested;
  for (const Thread& th : t->threads) nested.push_back(&th.slices);
  size_t with_args = 0;
  for (const Thread& th : rich->threads)
    if (th.slices.walkable()) nested.push_back(&th.slices), with_args += !th.slices.args.empty();
  REQUIRE(with_args > 0);
  nested.push_back(&big->threads[0].slices);
  // A set whose walk has a negative delta (a slice ending before it starts): its block is
  // signed, which the walk's one-pass encoder leaves to the general one.
  SliceSet negative = t->threads[0].slices;
  negative.dur[negative.size() / 2] = -7;
  nested.push_back(&negative);
  // Recursions 70 and 130 deep: returning from them is a depth step whose varint takes two bytes.
  Trace deep_trace;
  {
    TraceBuilder b(deep_trace);
    uint32_t th = b.thread(b.intern("1"), b.intern("7"));
    uint32_t label = b.label(b.intern("recurse"), kNoStr);
    Time now = 0;
    for (int depth : {70, 3, 130, 1}) {
      const Time s0 = now;
      for (int d = 0; d < depth; ++d) b.add_complete(th, s0 + d, 1000 - 2 * d, label, {}, {});
      now += 2000;
    }
    b.finish(1);
  }
  REQUIRE(deep_trace.threads[0].slices.depths() == 130);
  nested.push_back(&deep_trace.threads[0].slices);
  std::vector<WalkForm> walks;
  for (const SliceSet* s : nested) walks.push_back(walk_form(*s));
  for (uint32_t block : {4000u, 1u << 20}) {
    CAPTURE(block);
    VztWriteOptions opt;
    opt.block_slices = block;
    opt.level = 1;
    auto write = [&](const std::string& path, bool as_walks, unsigned workers) {
      std::vector<VztSliceSetRef> sets;
      for (uint32_t i = 0; i < nested.size(); ++i) {
        if (as_walks) sets.push_back({i, vzt::SliceSetKind::Nested, &walks[i].set, 0, &walks[i].depth});
        else sets.push_back({i, vzt::SliceSetKind::Nested, nested[i], 0});
      }
      VztStreamWriter w;
      REQUIRE(w.open(path, opt, nullptr));
      REQUIRE(w.write_slice_sets(sets.data(), sets.size(), src, workers));
      std::string err;
      REQUIRE_MESSAGE(w.finish(&err), err);
    };
    TempPath a("walk-ref.vzt"), b("walk-1.vzt"), c("walk-4.vzt");
    write(a.path, false, 2);
    write(b.path, true, 1);
    write(c.path, true, 4);
    const std::string ra = read_all(a.path);
    CHECK(count_kind(walk(ra), vzt::SectionKind::Slices) >= nested.size() + 7);
    check_same_after_header(ra, read_all(b.path));
    check_same_after_header(ra, read_all(c.path));
  }
}

TEST_CASE("write_slice_sets: a walk that is not a preorder walk is refused") {
  auto t = viztracer_like(2000);
  WalkForm w = walk_form(t->threads[0].slices);
  REQUIRE(w.depth.size() > 10);
  auto refused = [&](const WalkForm& bad, vzt::SliceSetKind kind) {
    TempPath p("walk-bad.vzt");
    VztStreamWriter wr;
    REQUIRE(wr.open(p.path, {}, nullptr));
    VztSliceSetRef r{0, kind, &bad.set, 0, &bad.depth};
    bool ok = wr.write_slice_sets(&r, 1, {});
    std::string err;
    ok = wr.finish(&err) && ok;
    CHECK(!err.empty());
    CHECK(::access(p.path.c_str(), F_OK) != 0);  // no file left behind
    return !ok;
  };
  WalkForm jump = w;  // a slice two levels below the one before it
  size_t at = 0;
  while (at + 1 < jump.depth.size() && jump.depth[at + 1] != jump.depth[at] + 1) ++at;
  REQUIRE(at + 1 < jump.depth.size());
  jump.depth[at + 1] += 1;
  CHECK(refused(jump, vzt::SliceSetKind::Nested));
  WalkForm deep_first = w;  // the first slice is not a root
  deep_first.depth[0] = 1;
  CHECK(refused(deep_first, vzt::SliceSetKind::Nested));
  WalkForm short_depths = w;  // a depth missing
  short_depths.depth.pop_back();
  CHECK(refused(short_depths, vzt::SliceSetKind::Nested));
  CHECK(refused(w, vzt::SliceSetKind::Overflow));  // overflow lanes are not a walk
}

TEST_CASE("write_slice_sets: walk blocks with rank escapes, flags, an INT64_MAX end and deep starts match the depth-major form") {
  // Depth-major: 700 roots, each with two children, the first child with a 3-deep chain below
  // (one root with a 100-deep chain: a wide step back); every slice its own label (> 510 ranks in a
  // block), flags on every fifth slice, the last root ending at INT64_MAX.
  const uint32_t roots = 700, chain = 100;
  std::vector<std::vector<std::pair<Time, Time>>> at;  // (start, dur) per depth
  auto put = [&](uint32_t d, Time s, Time dur) {
    if (at.size() <= d) at.resize(d + 1);
    at[d].push_back({s, dur});
  };
  for (uint32_t r = 0; r < roots; ++r) {
    const Time s = Time(r) * 100000;
    put(0, s, r + 1 == roots ? INT64_MAX - s : 90000);
    put(1, s + 10, 40000);
    const uint32_t deep = r == 3 ? chain : 3;
    for (uint32_t k = 0; k < deep; ++k) put(2 + k, s + 20 + k, 30000 - 2 * Time(k));
    put(1, s + 50000, 100);
  }
  SliceSet s;
  for (auto& level : at) {
    for (auto [st, du] : level) {
      const uint32_t i = uint32_t(s.start.size());
      s.start.push_back(st), s.dur.push_back(du);
      s.label.push_back(i * 7 + 1000000), s.flags.push_back(i % 5 == 0 ? uint8_t(1 + i % 3) : 0);
    }
    s.depth_begin.push_back(uint32_t(s.start.size()));
  }
  REQUIRE(s.walkable());
  WalkForm w = walk_form(s);
  SliceSet lanes;  // a Level set between the walks: one worker's scratch goes across layouts
  for (int i = 0; i < 50; ++i) lanes.start.push_back(i * 10), lanes.dur.push_back(5), lanes.label.push_back(i), lanes.flags.push_back(0);
  lanes.depth_begin = {0, 50};
  for (uint32_t block : {1u, 7u, 300u, 1000u, 1u << 20}) {
    CAPTURE(block);
    VztWriteOptions opt;
    opt.block_slices = block;
    opt.level = 1;
    auto write = [&](const std::string& path, bool as_walk) {
      std::vector<VztSliceSetRef> sets;
      for (uint32_t k = 0; k < 2; ++k) {
        if (as_walk) sets.push_back({k, vzt::SliceSetKind::Nested, &w.set, 5 * k, &w.depth});
        else sets.push_back({k, vzt::SliceSetKind::Nested, &s, 5 * k});
        sets.push_back({k, vzt::SliceSetKind::Overflow, &lanes, 0});
      }
      VztStreamWriter wr;
      REQUIRE(wr.open(path, opt, nullptr));
      REQUIRE(wr.write_slice_sets(sets.data(), sets.size(), {}, 1));
      std::string err;
      REQUIRE_MESSAGE(wr.finish(&err), err);
    };
    TempPath a("walk-esc-ref.vzt"), b("walk-esc.vzt");
    write(a.path, false);
    write(b.path, true);
    check_same_after_header(read_all(a.path), read_all(b.path));
  }
}

TEST_CASE("write_slice_sets: a worker's blocks do not carry label tallies over: a set encodes the same after sets of other labels") {
  // Set `wide`: roots with a child each, label ids spread up to ~2 M; set `small`: the same shape
  // on 40 low label ids shared with `wide`. Blocks of 50 slices, one worker: its scratch goes
  // from every block of `wide` to those of `small`, whose sections must be the bytes they are
  // when `small` is written alone.
  auto make = [](uint32_t roots, uint32_t label_step, uint32_t label_mod) {
    SliceSet s;
    std::vector<std::pair<Time, uint32_t>> top, kids;
    for (uint32_t r = 0; r < roots; ++r) {
      const Time at = Time(r) * 1000;
      s.start.push_back(at), s.dur.push_back(900 - r % 7);
      s.label.push_back((r * label_step) % label_mod), s.flags.push_back(0);
    }
    s.depth_begin = {0, roots};
    for (uint32_t r = 0; r < roots; ++r) {
      s.start.push_back(Time(r) * 1000 + 10 + r % 5), s.dur.push_back(100 + r % 11);
      s.label.push_back((r * label_step + 1) % label_mod), s.flags.push_back(0);
    }
    s.depth_begin.push_back(2 * roots);
    return s;
  };
  const SliceSet wide = make(3000, 677, 2000003), small = make(500, 3, 40);
  REQUIRE(wide.walkable());
  REQUIRE(small.walkable());
  VztWriteOptions opt;
  opt.block_slices = 50;
  opt.level = 1;
  auto slices_payloads = [&](std::vector<const SliceSet*> sets) {
    TempPath p("tables.vzt");
    std::vector<VztSliceSetRef> refs;
    for (const SliceSet* s : sets) refs.push_back({7, vzt::SliceSetKind::Nested, s, 0});
    VztStreamWriter w;
    REQUIRE(w.open(p.path, opt, nullptr));
    REQUIRE(w.write_slice_sets(refs.data(), refs.size(), {}, 1));
    std::string err;
    REQUIRE_MESSAGE(w.finish(&err), err);
    const std::string f = read_all(p.path);
    const Walked wk = walk(f);
    REQUIRE(wk.clean);
    std::vector<std::string> out;
    for (size_t i = 0; i < wk.headers.size(); ++i)
      if (wk.headers[i].kind == uint16_t(vzt::SectionKind::Slices))
        out.push_back(f.substr(wk.offsets[i] + sizeof(vzt::SectionHeader), wk.headers[i].length));
    return out;
  };
  const std::vector<std::string> alone = slices_payloads({&small});
  const std::vector<std::string> after = slices_payloads({&wide, &small});
  REQUIRE(alone.size() >= 10);
  REQUIRE(after.size() > alone.size() + 100);
  for (size_t i = 0; i < alone.size(); ++i) {
    CAPTURE(i);
    CHECK(after[after.size() - alone.size() + i] == alone[i]);
  }
}

namespace {

// A nested set streamed the way a recorder's ring holds it: its walk replayed as begin and end
// events in time order, each block fed from its first begin on (the enclosing slices of earlier
// blocks ending as foreign ends) until its own slices have all ended.
class ReplayStream : public VztSliceStream {
 public:
  ReplayStream(const WalkForm& w, uint32_t block_slices) : w_(w) {
    const size_t n = w.depth.size();
    slices = n;
    for (size_t k = 0; k < n; ++k) {
      depths = std::max(depths, w.depth[k] + 1);
      labels = std::max(labels, w.set.label[k] + 1);
    }
    block = vzt_block_size(n, block_slices);
    std::vector<uint32_t> open;
    for (uint32_t k = 0; k < n; ++k) {
      while (open.size() > w.depth[k]) close(open);
      first_event_.push_back(events_.size());
      events_.push_back({true, k, w.set.start[k]});
      open.push_back(k);
    }
    while (!open.empty()) close(open);
  }
  bool feed(size_t first, size_t n, VztTreeSink& sink) const override {
    ++fed;
    // From the block's first begin to the next block's, every event (the sink tells the
    // block's own ends from the enclosing slices'); after that, the ends of its own slices.
    size_t e = first_event_[first];
    const size_t next = first + n < first_event_.size() ? first_event_[first + n] : events_.size();
    sink.run(w_.depth[first], [&](VztTreeSink::Event& ev) {
      for (; e < events_.size(); ++e) {
        const Event& x = events_[e];
        if (e >= next && (x.begin || x.item < first || x.item >= first + n)) continue;
        ev.begin = x.begin, ev.t = x.t;
        if (x.begin) ev.label = w_.set.label[x.item], ev.flags = w_.set.flags[x.item];
        ++e;
        return true;
      }
      return false;
    });
    return true;
  }
  mutable std::atomic<int> fed{0};

 private:
  struct Event {
    bool begin;
    uint32_t item;
    Time t;
  };
  void close(std::vector<uint32_t>& open) {
    const uint32_t k = open.back();
    open.pop_back();
    events_.push_back({false, k, Time(uint64_t(w_.set.start[k]) + uint64_t(w_.set.dur[k]))});
  }
  const WalkForm& w_;
  std::vector<Event> events_;
  std::vector<size_t> first_event_;
};

}  // namespace

TEST_CASE("write_slice_sets: a nested set streamed as begin/end events writes the bytes of its walk") {
  auto t = viztracer_like(60000, 5, 6);
  auto big = viztracer_like(600000);
  std::vector<WalkForm> walks;
  for (const Thread& th : t->threads) {
    REQUIRE(th.slices.args.empty());
    walks.push_back(walk_form(th.slices));
  }
  walks.push_back(walk_form(big->threads[0].slices));
  // Deep recursions (two-byte depth steps), every slice its own label (rank escapes), flags, an
  // INT64_MAX end.
  {
    SliceSet s;
    std::vector<std::vector<std::pair<Time, Time>>> at;
    auto put = [&](uint32_t d, Time st, Time du) {
      if (at.size() <= d) at.resize(d + 1);
      at[d].push_back({st, du});
    };
    for (uint32_t r = 0; r < 700; ++r) {
      const Time st = Time(r) * 100000;
      put(0, st, r == 699 ? INT64_MAX - st : 90000);
      put(1, st + 10, 40000);
      for (uint32_t k = 0; k < (r == 3 ? 100u : 3u); ++k) put(2 + k, st + 20 + k, 30000 - 2 * Time(k));
      put(1, st + 50000, 100);
    }
    for (auto& level : at) {
      for (auto [st, du] : level) {
        const uint32_t i = uint32_t(s.start.size());
        s.start.push_back(st), s.dur.push_back(du);
        s.label.push_back(i * 7 + 1000), s.flags.push_back(i % 5 == 0 ? uint8_t(1 + i % 3) : 0);
      }
      s.depth_begin.push_back(uint32_t(s.start.size()));
    }
    walks.push_back(walk_form(s));
  }
  for (uint32_t block : {1u, 7u, 4000u, 1u << 20}) {
    CAPTURE(block);
    VztWriteOptions opt;
    opt.block_slices = block;
    opt.level = 1;
    std::vector<std::unique_ptr<ReplayStream>> streams;
    for (const WalkForm& w : walks) streams.push_back(std::make_unique<ReplayStream>(w, block));
    auto write = [&](const std::string& path, bool streamed, unsigned workers) {
      std::vector<VztSliceSetRef> sets;
      for (uint32_t i = 0; i < walks.size(); ++i) {
        if (streamed) sets.push_back({i, vzt::SliceSetKind::Nested, nullptr, 0, nullptr, streams[i].get()});
        else sets.push_back({i, vzt::SliceSetKind::Nested, &walks[i].set, 0, &walks[i].depth});
      }
      VztStreamWriter w;
      REQUIRE(w.open(path, opt, nullptr));
      REQUIRE(w.write_slice_sets(sets.data(), sets.size(), {}, workers));
      std::string err;
      REQUIRE_MESSAGE(w.finish(&err), err);
    };
    TempPath a("stream-ref.vzt"), b("stream-1.vzt"), c("stream-3.vzt");
    write(a.path, false, 2);
    write(b.path, true, 1);
    write(c.path, true, 3);
    const std::string ra = read_all(a.path);
    check_same_after_header(ra, read_all(b.path));
    check_same_after_header(ra, read_all(c.path));
    size_t blocks = 0;
    for (auto& s : streams) blocks += (s->slices + s->block - 1) / s->block;
    size_t fed = 0;
    for (auto& s : streams) fed += size_t(s->fed.load());
    CHECK(fed == 2 * blocks);  // each block fed once per streamed write
  }
}

TEST_CASE("write_slice_sets: a stream that differs from its plan fails the write and leaves no file") {
  auto t = viztracer_like(5000);
  WalkForm w = walk_form(t->threads[0].slices);
  auto fails = [&](auto&& tweak) {
    ReplayStream s(w, 1000);
    tweak(s);
    TempPath p("stream-bad.vzt");
    VztStreamWriter wr;
    REQUIRE(wr.open(p.path, {}, nullptr));
    VztSliceSetRef r{0, vzt::SliceSetKind::Nested, nullptr, 0, nullptr, &s};
    bool ok = wr.write_slice_sets(&r, 1, {});
    std::string err;
    ok = wr.finish(&err) && ok;
    CHECK((::access(p.path.c_str(), F_OK) == 0) == ok);  // a failed write leaves no file
    return !ok ? err : std::string();
  };
  CHECK(fails([](ReplayStream& s) { s.slices += 1; }).find("changed") != std::string::npos);  // a begin short
  CHECK(fails([](ReplayStream& s) { s.depths -= 1; }).find("changed") != std::string::npos);  // too deep
  CHECK(fails([](ReplayStream& s) { s.labels = 1; }).find("changed") != std::string::npos);   // labels out of range
  CHECK(fails([](ReplayStream& s) { s.block = 0; }).find("inconsistent") != std::string::npos);
  CHECK(fails([](ReplayStream&) {}).empty());  // (the stream as planned writes)
}
