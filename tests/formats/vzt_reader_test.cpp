// Tests of formats/vzt_reader.cpp: exact round trips of every event kind, randomized traces,
// truncation at every section boundary and at random offsets, corrupted checksums, unknown
// sections, bad headers, hostile bytes, and the load speed.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "formats/dump.h"
#include "formats/json_writer.h"
#include "formats/loader.h"
#include "formats/vzt_format.h"
#include "formats/vzt_reader.h"
#include "formats/vzt_writer.h"
#include "tests/formats/vzt_test_traces.h"
#include "tests/load_text.h"
#include "tests/peak_rss.h"

using namespace vz;
using namespace vzt_test;

namespace {

// Writes `t` and returns the file's bytes.
std::string encode(const Trace& t, bool compress = true) {
  TempPath p("enc.vzt");
  std::string err;
  REQUIRE(write_vzt(t, p.path, compress, &err));
  return read_all(p.path);
}

// Decodes `bytes` into a fresh Trace; `ok` is read_vzt's result. `direct` false: nested slices
// are always decoded the general way.
std::unique_ptr<Trace> decode(std::string_view bytes, bool* ok = nullptr, bool direct = true) {
  auto t = std::make_unique<Trace>();
  VztReadOptions opt;
  opt.direct_slices = direct;
  bool r = read_vzt(padded(bytes), *t, nullptr, opt);
  if (ok) *ok = r;
  return t;
}

// No problem with the .vzt container itself (the builder may still report what the events are,
// e.g. overlapping slices moved to overflow lanes, as it did for the original).
bool container_clean(const Trace& t) {
  for (DiagKind k : {DiagKind::NotATrace, DiagKind::TruncatedInput, DiagKind::VztBadHeader,
                     DiagKind::VztChecksum, DiagKind::VztBadSection, DiagKind::VztUnknownSection,
                     DiagKind::TrailingGarbage})
    if (t.diagnostics.count(k)) return false;
  return true;
}

// Section offsets (file offsets of each section header) and the file size.
std::vector<size_t> boundaries(const std::string& f) {
  std::vector<size_t> v;
  size_t at = sizeof(vzt::FileHeader);
  while (at + sizeof(vzt::SectionHeader) <= f.size()) {
    vzt::SectionHeader h;
    std::memcpy(&h, f.data() + at, sizeof h);
    v.push_back(at);
    at += sizeof h + h.length;
  }
  v.push_back(f.size());
  return v;
}

vzt::SectionHeader header_at(const std::string& f, size_t at) {
  vzt::SectionHeader h;
  std::memcpy(&h, f.data() + at, sizeof h);
  return h;
}

// Builds a raw section with correct checksums.
std::string section(uint16_t kind, std::string_view payload, uint64_t key = 0,
                    uint32_t count = 0) {
  vzt::SectionHeader h{};
  h.kind = kind;
  h.length = h.raw_length = payload.size();
  h.key = key;
  h.count = count;
  h.payload_check = vzt::checksum32(payload.data(), payload.size());
  h.header_check = vzt::checksum32(&h, offsetof(vzt::SectionHeader, header_check));
  return std::string(reinterpret_cast<const char*>(&h), sizeof h) + std::string(payload);
}

// Writes `t` section by section with Slices blocks of `block_slices` (event sections of 3
// events) and returns the file's bytes.
std::string write_blocks(const Trace& tr, uint32_t block_slices, bool compress) {
  const Trace* t = &tr;
  TempPath p("blocks.vzt");
  VztStreamWriter w;
  VztWriteOptions opt;
  opt.block_slices = block_slices;
  opt.block_events = 3;
  opt.compress = compress;
  REQUIRE(w.open(p.path, opt, nullptr));
  std::string_view src = t->source ? std::string_view(t->source->data(), t->source->size())
                                   : std::string_view();
  REQUIRE(w.write_info({t->origin_us, t->display_time_unit, t->object_form, t->events, true,
                        t->start, t->end}));
  write_tables(w, *t);
  for (uint32_t i = 0; i < t->threads.size(); ++i) {
    REQUIRE(w.write_slices(i, vzt::SliceSetKind::Nested, t->threads[i].slices, src));
    REQUIRE(w.write_slices(i, vzt::SliceSetKind::Overflow, t->threads[i].overflow, src));
    REQUIRE(w.write_instants(t->threads[i].instants.data(), t->threads[i].instants.size(), src));
  }
  REQUIRE(w.write_instants(t->process_instants.data(), t->process_instants.size(), src));
  REQUIRE(w.write_instants(t->global_instants.data(), t->global_instants.size(), src));
  for (const Counter& c : t->counters) REQUIRE(w.write_counter(c, src));
  REQUIRE(w.write_async_slices(t->async_slices.data(), t->async_slices.size(), src));
  REQUIRE(w.write_async_marks(t->async_marks.data(), t->async_marks.size(), src));
  REQUIRE(w.write_flows(t->flows.data(), t->flows.size(), src));
  REQUIRE(w.write_objects(t->objects.data(), t->objects.size(), src));
  REQUIRE(w.write_others(t->others.data(), t->others.size(), src));
  REQUIRE(w.write_files(t->files.data(), t->files.size(), src));
  std::vector<std::pair<StrId, FunctionLocation>> fns(t->functions.begin(), t->functions.end());
  REQUIRE(w.write_functions(fns.data(), fns.size()));
  REQUIRE(w.write_metadata(t->metadata.data(), t->metadata.size(), src));
  REQUIRE(w.finish(nullptr));
  return read_all(p.path);
}

// A valid file header.
std::string file_header() {
  vzt::FileHeader h{};
  std::memcpy(h.magic, vzt::kMagic, vzt::kMagicSize);
  h.version_major = vzt::kVersionMajor;
  h.version_minor = vzt::kVersionMinor;
  h.check = vzt::checksum32(&h, offsetof(vzt::FileHeader, check));
  return std::string(reinterpret_cast<const char*>(&h), sizeof h);
}

std::string varints(std::initializer_list<uint64_t> values) {
  std::string out;
  uint8_t buf[10];
  for (uint64_t v : values)
    out.append(reinterpret_cast<const char*>(buf), size_t(vzt::put_varint(buf, v) - buf));
  return out;
}


}  // namespace

TEST_CASE("read_vzt: every event kind survives Trace -> .vzt -> Trace exactly") {
  for (bool compress : {true, false}) {
    CAPTURE(compress);
    auto t = every_kind(2);
    std::string f = encode(*t, compress);
    bool ok = false;
    auto back = decode(f, &ok);
    REQUIRE(ok);
    CHECK(container_clean(*back));
    check_same(*t, *back);
    // Spot checks that the trace really holds every kind.
    CHECK(t->threads[0].overflow.size() > 0);
    CHECK(t->threads[0].unmatched_begin == 2);
    CHECK(t->threads[0].unmatched_end == 1);
    for (const Thread& th : back->threads)  // B/E slices whose E is kept whole, as built
      CHECK(std::count_if(th.slices.flags.begin(), th.slices.flags.end(),
                          [](uint8_t f) { return f & kSliceEndEvent; }) == 3);
    CHECK(!t->process_instants.empty());
    CHECK(!t->global_instants.empty());
    CHECK(!t->async_marks.empty());
    CHECK(!t->others.empty());
    CHECK(std::count_if(back->labels.begin(), back->labels.end(), [](const Label& l) { return l.color != 0; }) == 2);
  }
}

TEST_CASE("read_vzt: the loader's messages give the input's times (the origin applied)") {
  // An overlap is found when the threads are laid out, which happens after a .vzt is read: its
  // message must give the time the JSON gave, not one relative to the trace's origin.
  auto j = test::load_text(R"([{"ph":"X","pid":1,"tid":3,"ts":1000,"dur":5,"name":"a"},
    {"ph":"X","pid":1,"tid":3,"ts":1003,"dur":5,"name":"overlap"},
    {"ph":"X","pid":1,"tid":4,"ts":500,"dur":5,"name":"early"}])");
  REQUIRE(j);
  const std::string& said = j->diagnostics.get(DiagKind::OverlappingSlice).detail;
  CHECK(said.find("\"overlap\" at ts 1003 us") != std::string::npos);
  for (bool direct : {true, false}) {
    bool ok = false;
    auto back = decode(encode(*j), &ok, direct);
    REQUIRE(ok);
    CHECK(back->diagnostics.get(DiagKind::OverlappingSlice).detail == said);
  }
}

TEST_CASE("read_vzt: stored time bounds widen the trace's bounds, never narrow them") {
  // A file whose Info section claims bounds narrower than its events (damaged or hostile) must
  // still give bounds that hold every event: views place objects, instants and slices inside them.
  auto j = test::load_text(R"([{"ph":"X","pid":1,"tid":3,"ts":100,"dur":5,"name":"a"},
    {"ph":"N","pid":1,"tid":3,"ts":90,"id":"0x1","name":"Obj"},
    {"ph":"O","pid":1,"tid":3,"ts":400,"id":"0x1","name":"Obj","args":{"snapshot":{}}}])");
  REQUIRE(j);
  const Time lo = j->start, hi = j->end;
  REQUIRE(lo < hi);
  struct Case {
    Time start, end, want_start, want_end;
  } cases[] = {
      {lo + 20, hi - 100, lo, hi},           // narrower: the events' bounds
      {lo - 1000, hi + 1000, lo - 1000, hi + 1000},  // wider (a JSON trace's metadata times): kept
      {hi, lo, lo, hi},                      // reversed: ignored
  };
  for (const Case& c : cases) {
    CAPTURE(c.start);
    CAPTURE(c.end);
    j->start = c.start;
    j->end = c.end;
    for (bool direct : {true, false}) {
      bool ok = false;
      auto back = decode(encode(*j), &ok, direct);
      REQUIRE(ok);
      CHECK(back->start == c.want_start);
      CHECK(back->end == c.want_end);
    }
  }
}

TEST_CASE("read_vzt: a second round trip is byte-identical in content") {
  auto t = every_kind(4);
  auto back = decode(encode(*t));
  auto again = decode(encode(*back));
  check_same(*back, *again);
}

TEST_CASE("read_vzt: randomized traces round trip (several seeds, small blocks)") {
  for (uint32_t seed = 10; seed < 16; ++seed) {
    CAPTURE(seed);
    auto t = every_kind(seed, 1 + int(seed % 4));
    // Small blocks exercise Tree blocks that begin and end inside subtrees.
    auto back = decode(write_blocks(*t, 1 + seed % 7, seed % 2));
    CHECK(container_clean(*back));
    check_same(*t, *back);
  }
}

TEST_CASE("read_vzt: viztracer-like trace with many blocks round trips") {
  auto t = viztracer_like(300000, 3, 2);
  auto back = decode(encode(*t));
  CHECK(container_clean(*back));
  check_same(*t, *back);
}

TEST_CASE("read_vzt: times at the model's limits round trip; beyond them they are clamped") {
  const Time k = Time(1) << 61;  // kMaxAbsTime: every model time lies within +-k
  Trace t;
  {
    TraceBuilder b(t);
    uint32_t th = b.thread(b.intern("1"), b.intern("1"));
    uint32_t l = b.label(b.intern("x"), kNoStr);
    b.add_complete(th, -k, 10, l, {}, {});
    b.add_complete(th, k - 100, 100, l, {}, {});
    b.add_complete(th, -50, 0, l, {}, {});
    b.add_complete(th, 0, k, l, {}, {});
    b.finish(1);
  }
  auto back = decode(encode(t));
  CHECK(container_clean(*back));
  CHECK(back->diagnostics.count(DiagKind::TimestampOutOfRange) == 0);
  check_slices(t, t.threads[0].slices, *back, back->threads[0].slices);

  // A model no reader makes (times past +-k, a negative duration): its file loads clamped.
  SliceSet& s = t.threads[0].slices;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.start[i] == -50) s.dur[i] = -7;
    if (s.start[i] == -k) s.start[i] = INT64_MIN + 5;
  }
  back = decode(encode(t));
  CHECK(back->diagnostics.count(DiagKind::TimestampOutOfRange) == 2);
  const SliceSet& r = back->threads[0].slices;
  REQUIRE(r.size() == s.size());
  for (size_t i = 0; i < r.size(); ++i) {
    CHECK(r.start[i] >= -k);
    CHECK(r.dur[i] >= 0);
    CHECK(r.dur[i] <= k - r.start[i]);
  }
}

TEST_CASE("read_vzt: truncation at every section boundary and at random offsets") {
  auto t = every_kind(6);
  std::string f = encode(*t);
  std::vector<size_t> cuts = boundaries(f);
  std::mt19937 rng(1);
  for (int i = 0; i < 200; ++i) cuts.push_back(rng() % f.size());
  for (size_t i = 0; i < 40; ++i) cuts.push_back(f.size() - i - 1);
  size_t prev_slices = 0;
  std::vector<size_t> bounds = boundaries(f);
  for (const size_t& cut : cuts) {
    CAPTURE(cut);
    bool ok = false;
    auto back = decode(std::string_view(f).substr(0, cut), &ok);
    if (cut < sizeof(vzt::FileHeader)) {
      CHECK(!ok);
      CHECK(back->diagnostics.fatal());
      continue;
    }
    CHECK(ok);
    if (cut < f.size()) CHECK(back->diagnostics.count(DiagKind::TruncatedInput) >= 1);
    // Cut exactly at each boundary in turn: every whole section is loaded (slices only grow).
    if (&cut - cuts.data() < ptrdiff_t(bounds.size()) && cut != f.size()) {
      size_t n = back->slice_count();
      CHECK(n >= prev_slices);
      prev_slices = n;
    }
  }
  // Just before the End section, everything but End is there. Its event count is the events
  // read (a cut file's Info may count events cut off), not the writer's count of its input.
  auto almost = decode(std::string_view(f).substr(0, bounds[bounds.size() - 2]));
  CHECK(almost->events > 0);
  CHECK(almost->events <= t->events);
  almost->events = t->events;
  check_same(*t, *almost);
  // Cut after the Info section alone: nothing read, so no events, whatever Info counted.
  auto info_only = decode(std::string_view(f).substr(0, bounds[1]));
  CHECK(info_only->events == 0);
}

TEST_CASE("read_vzt: a corrupted payload fails its checksum; other sections still load") {
  auto t = every_kind(8);
  std::string f = encode(*t);
  std::vector<size_t> b = boundaries(f);
  size_t corrupted = 0;
  for (size_t i = 0; i + 1 < b.size(); ++i) {
    vzt::SectionHeader h = header_at(f, b[i]);
    if (h.kind != uint16_t(vzt::SectionKind::Slices) || h.length < 4) continue;
    std::string g = f;
    g[b[i] + sizeof h + h.length / 2] ^= 0x5a;
    auto back = decode(g);
    CHECK(back->diagnostics.count(DiagKind::VztChecksum) == 1);
    CHECK(back->diagnostics.get(DiagKind::VztChecksum).first_offset == b[i]);
    CHECK(back->slice_count() < t->slice_count());
    CHECK(back->counters.size() == t->counters.size());
    ++corrupted;
  }
  CHECK(corrupted > 0);
  // The End and Index sections are checked too, though loading needs neither: all else loads.
  size_t checked = 0;
  for (size_t i = 0; i + 1 < b.size(); ++i) {
    vzt::SectionHeader h = header_at(f, b[i]);
    if ((h.kind != uint16_t(vzt::SectionKind::End) && h.kind != uint16_t(vzt::SectionKind::Index)) ||
        h.length == 0)
      continue;
    CAPTURE(h.kind);
    std::string g = f;
    g[b[i] + sizeof h + h.length / 2] ^= 0x5a;
    auto back = decode(g);
    CHECK(back->diagnostics.count(DiagKind::VztChecksum) == 1);
    CHECK(back->diagnostics.get(DiagKind::VztChecksum).first_offset == b[i]);
    CHECK(back->slice_count() == t->slice_count());
    ++checked;
  }
  CHECK(checked >= 1);
  // A corrupted section header stops the walk there: what came before still loads.
  std::string g = f;
  g[b[3] + 2] ^= 1;
  auto back = decode(g);
  CHECK(back->diagnostics.count(DiagKind::VztBadSection) >= 1);
  CHECK(back->strings.size() == t->strings.size());
}

TEST_CASE("read_vzt: unknown section kinds are skipped") {
  auto t = every_kind(9);
  std::string f = encode(*t);
  std::vector<size_t> b = boundaries(f);
  std::string g = f.substr(0, b[2]) + section(999, "from a future version") +
                  section(vzt::kLastKnownKind + 1, std::string(100, '\xff')) + f.substr(b[2]);
  auto back = decode(g);
  CHECK(back->diagnostics.count(DiagKind::VztUnknownSection) == 2);
  CHECK(back->diagnostics.count(DiagKind::VztBadSection) == 0);
  check_same(*t, *back);
}

TEST_CASE("read_vzt: a block naming a slice twice in args or three times in extras is skipped") {
  // tid 1: an X slice whose args entry is doubled; tid 2: an X slice with three extras entries;
  // tid 3: a B/E slice with its own fields and its kept E event (two entries, as written).
  auto t = vz::test::load_text(R"([
    {"ph":"X","name":"a","pid":1,"tid":1,"ts":0,"dur":5,"args":{"x":1}},
    {"ph":"X","name":"b","pid":1,"tid":2,"ts":0,"dur":5,"tts":1},
    {"ph":"B","name":"c","pid":1,"tid":3,"ts":0,"tts":1},
    {"ph":"E","pid":1,"tid":3,"ts":5,"tts":2}])");
  auto thread = [](Trace& tr, std::string_view tid) -> Thread& {
    for (Thread& th : tr.threads)
      if (tr.str(th.tid) == tid) return th;
    FAIL("no thread " << tid);
    return tr.threads[0];
  };
  SliceSet& a = thread(*t, "1").slices;
  REQUIRE(a.args.size() == 1);
  a.args.push_back(a.args[0]);
  SliceSet& b = thread(*t, "2").slices;
  REQUIRE(b.extras.size() == 1);
  b.extras.push_back(b.extras[0]), b.extras.push_back(b.extras[0]);
  b.flags[0] |= kSliceEndEvent;
  REQUIRE(thread(*t, "3").slices.extras.size() == 2);
  const std::string f = encode(*t);
  for (bool direct : {true, false}) {
    CAPTURE(direct);
    auto back = decode(f, nullptr, direct);
    CHECK(back->diagnostics.count(DiagKind::VztBadSection) == 2);
    CHECK(thread(*back, "1").slices.size() == 0);
    CHECK(thread(*back, "2").slices.size() == 0);
    const SliceSet& c = thread(*back, "3").slices;
    REQUIRE(c.size() == 1);
    CHECK(back->view(c.extra_of(0)).find("\"tts\":1") != std::string_view::npos);
    CHECK(back->view(c.end_of(0)).find("\"tts\":2") != std::string_view::npos);
  }
}

TEST_CASE("read_vzt: bad headers are NotATrace") {
  auto t = every_kind(1);
  std::string f = encode(*t);
  bool ok = true;
  auto a = decode("{\"traceEvents\":[]}", &ok);
  CHECK(!ok);
  CHECK(a->diagnostics.fatal());
  std::string g = f;
  vzt::FileHeader h;
  std::memcpy(&h, g.data(), sizeof h);
  h.version_major = vzt::kVersionMajor + 1;
  h.check = vzt::checksum32(&h, offsetof(vzt::FileHeader, check));
  std::memcpy(g.data(), &h, sizeof h);
  auto b = decode(g, &ok);
  CHECK(!ok);
  CHECK(b->diagnostics.count(DiagKind::VztBadHeader) == 1);
  std::string too_new = "version " + std::to_string(vzt::kVersionMajor + 1);
  CHECK(b->diagnostics.message(DiagKind::NotATrace).find(too_new) != std::string::npos);
  h.version_major = vzt::kOldestMajor - 1;
  h.check = vzt::checksum32(&h, offsetof(vzt::FileHeader, check));
  std::memcpy(g.data(), &h, sizeof h);
  CHECK(decode(g, &ok)->diagnostics.count(DiagKind::VztBadHeader) == 1);
  CHECK(!ok);
  g = f;
  g[12] ^= 1;  // flags field: header checksum fails
  auto c = decode(g, &ok);
  CHECK(!ok);
  auto d = decode(std::string_view(f).substr(0, 8), &ok);
  CHECK(!ok);
}

TEST_CASE("read_vzt: hostile bytes with valid checksums never crash") {
  auto t = every_kind(12);
  std::string f = encode(*t, false);  // raw payloads: mutations reach the decoders
  std::vector<size_t> b = boundaries(f);
  std::mt19937_64 rng(99);
  for (int round = 0; round < 600; ++round) {
    std::string g = f;
    int flips = 1 + int(rng() % 8);
    for (int i = 0; i < flips; ++i) {
      size_t at = sizeof(vzt::FileHeader) + rng() % (g.size() - sizeof(vzt::FileHeader));
      g[at] = char(rng() % 4 == 0 ? 0xff : rng());
    }
    // Re-seal every section so the decoders see the damage.
    for (size_t i = 0; i + 1 < b.size(); ++i) {
      vzt::SectionHeader h = header_at(g, b[i]);
      if (h.length > g.size() - b[i] - sizeof h) break;
      h.payload_check = vzt::checksum32(g.data() + b[i] + sizeof h, h.length);
      h.header_check = vzt::checksum32(&h, offsetof(vzt::SectionHeader, header_check));
      std::memcpy(g.data() + b[i], &h, sizeof h);
    }
    bool ok = false;
    auto back = decode(g, &ok);
    CHECK(ok);
  }
}

// A Slices head is only a plan until its block decodes: one whose counts claim more slices than
// its payload has bytes must not have the thread's columns sized for them (a head claiming
// 2^32 - 16 slices in a 28-byte payload once had the reader ask for 2 x 32 GiB; 2^24 here, which
// asked for about 350 MB).
TEST_CASE("read_vzt: a Slices head claiming more slices than its payload holds allocates nothing") {
  const uint64_t claimed = uint64_t(1) << 24;
  // set 0 (nested), Tree layout, no flags, first depth 0, min depth 0, 1 depth, its count, base.
  std::string payload = varints({0, 0, 0, 0, 0, 1, claimed, 0}) + std::string(16, '\0');
  std::string f = file_header() +
                  section(uint16_t(vzt::SectionKind::Slices), payload,
                          vzt::slice_key(0, vzt::SliceSetKind::Nested), uint32_t(claimed)) +
                  section(uint16_t(vzt::SectionKind::End), std::string(16, '\0'));
  bool measured = test::reset_peak_rss();
  uint64_t before = test::peak_rss();
  bool ok = false;
  auto t = decode(f, &ok);
  uint64_t after = test::peak_rss();
  CHECK(ok);
  CHECK(t->slice_count() == 0);
  CHECK(t->diagnostics.count(DiagKind::VztBadSection) == 1);
  CHECK(t->diagnostics.get(DiagKind::VztBadSection).first_offset == sizeof(vzt::FileHeader));
  if (measured && before && after) CHECK(after - before < (uint64_t(64) << 20));
}

TEST_CASE("read_vzt: args section stored raw points into the file; compressed is decoded") {
  auto t = every_kind(5);
  auto raw = decode(encode(*t, false));
  auto packed = decode(encode(*t, true));
  REQUIRE(raw->source);
  REQUIRE(packed->source);
  check_same(*raw, *packed);
}

TEST_CASE("read_vzt: load speed (informational)") {
  auto t = viztracer_like(2000000, 21, 4);
  std::string f = encode(*t);
  auto buf = padded(f);
  auto t0 = std::chrono::steady_clock::now();
  Trace back;
  REQUIRE(read_vzt(buf, back, nullptr));
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  MESSAGE("loaded " << back.slice_count() << " slices (" << f.size() << " bytes) in " << s * 1e3
                    << " ms: " << double(back.slice_count()) / s / 1e6 << " M events/s");
  CHECK(back.slice_count() == t->slice_count());
}

TEST_CASE("read_vzt: 1.x files (Tree layout) still load, and round-trip through 2.x") {
  // tests/formats/data/v1_*.vzt: fuzz seeds as written by the 1.0 writer (kept here, since
  // scripts/fuzz.sh rewrites tests/fuzz/corpus with the current writer).
  size_t slices = 0;
  for (const char* name : {"minified_tricky", "overlap", "begin_end"}) {
    std::string path = std::string(VZ_TEST_DATA) + "/formats/data/v1_" + name + ".vzt";
    CAPTURE(path);
    std::string f = read_all(path);
    REQUIRE(f.size() >= sizeof(vzt::FileHeader));
    vzt::FileHeader h;
    std::memcpy(&h, f.data(), sizeof h);
    CHECK(h.version_major == 1);
    bool ok = false;
    auto t = decode(f, &ok);
    CHECK(ok);
    CHECK(container_clean(*t));
    for (const Thread& th : t->threads) slices += th.slices.size();
    auto back = decode(encode(*t), &ok);
    CHECK(ok);
    check_same(*t, *back);
  }
  CHECK(slices > 0);
}

TEST_CASE("read_vzt: 2.0 files (before the scope and extra columns) still load") {
  // tests/formats/data/v2_0_events.vzt: v2_0_events.json as the 2.0 writer wrote it (async slices
  // and marks, flows and objects with 7 and 11 columns); read now, it is the JSON's model. (The
  // JSON's async and object events had a "tid", which the reader then dropped: it is left out.)
  const std::string dir = std::string(VZ_TEST_DATA) + "/formats/data/";
  std::string f = read_all(dir + "v2_0_events.vzt");
  REQUIRE(f.size() >= sizeof(vzt::FileHeader));
  vzt::FileHeader h;
  std::memcpy(&h, f.data(), sizeof h);
  CHECK(h.version_major == 2);
  CHECK(h.version_minor == 0);
  bool ok = false;
  auto t = decode(f, &ok);
  CHECK(ok);
  CHECK(container_clean(*t));
  CHECK(t->async_slices.size() == 3);
  CHECK(t->async_marks.size() == 2);
  CHECK(t->flows.size() == 2);
  CHECK(t->objects.size() == 3);
  auto json = vz::test::load_text(read_all(dir + "v2_0_events.json"));
  check_same(*json, *t);
  auto back = decode(encode(*t), &ok);  // and through 2.1
  CHECK(ok);
  check_same(*t, *back);
}

// A thread in one block from depth 0 is decoded straight into the model's layout; one with a
// zero-length slice or identical intervals goes the general way (several blocks: the randomized
// test above). Both give the model the builder lays out.
TEST_CASE("read_vzt: direct and general slice decoding give the same model") {
  for (int variant = 0; variant < 3; ++variant) {
    CAPTURE(variant);
    auto t = std::make_unique<Trace>();
    std::string src = "{\"a\":1}{\"b\":2}{\"c\":3}";
    {
      TraceBuilder b(*t);
      uint32_t th = b.thread(t->strings.intern("1"), t->strings.intern("2"));
      uint32_t la = b.label(t->strings.intern("f"), kNoStr);
      uint32_t lb = b.label(t->strings.intern("g"), kNoStr);
      std::mt19937 rng{unsigned(variant)};
      Time at = 0;
      for (int k = 0; k < 300; ++k) {  // calls with children and grandchildren
        Time s = at, e = s + 100 + Time(rng() % 50);
        ByteRange none{};
        ByteRange args = k % 7 == 0 ? ByteRange{0, 7} : none;
        ByteRange extra = k % 11 == 0 ? ByteRange{7, 7} : none;
        b.add_complete(th, s, e - s, la, args, extra);
        b.add_complete(th, s + 10, 30, lb, k % 5 == 0 ? ByteRange{14, 7} : none, none);
        b.add_complete(th, s + 12, variant == 1 && k == 150 ? 0 : 5, la, none, none);
        if (variant == 2 && k == 200) b.add_complete(th, s + 10, 30, lb, none, none);
        at = e + 3;
      }
      b.finish();
    }
    t->source = padded(src);
    bool ok = false;
    auto back = decode(encode(*t), &ok);
    REQUIRE(ok);
    CHECK(container_clean(*back));
    check_same(*t, *back);
    CHECK(!back->threads[0].slices.args.empty());
  }
}

namespace {

// One thread of deep call trees built through TraceBuilder: chains up to ~60 deep, args, extra
// fields, B/E pairs (flag kSliceFromBE), calls left open at the end (kSliceOpen) and, with
// `zero`, one zero-length call.
std::unique_ptr<Trace> deep_trees(uint32_t seed, size_t calls, bool zero) {
  auto t = std::make_unique<Trace>();
  std::string src;
  ByteRange ranges[3] = {put(src, "{\"a\":1}"), put(src, "{\"b\":[2]}"), put(src, "{\"x\":3}")};
  TraceBuilder b(*t);
  std::mt19937_64 rng(seed);
  uint32_t th = b.thread(b.intern("7"), b.intern("8"));
  uint32_t labels[5];
  for (int i = 0; i < 5; ++i) labels[i] = b.label(b.intern("f" + std::to_string(i)), kNoStr);
  Time now = 100;
  size_t made = 0;
  uint64_t seq = 0;
  std::function<void(int)> call = [&](int depth) {
    Time start = now;
    now += 1 + Time(rng() % 20);
    if (depth < 60 && made < calls) {
      int kids = int(rng() % (depth < 3 ? 6 : 3));
      for (int c = 0; c < kids && made < calls; ++c) call(depth + 1), now += Time(rng() % 4);
    }
    now += 1 + Time(rng() % 20);
    ++made;
    ByteRange args = rng() % 5 == 0 ? ranges[rng() % 3] : ByteRange{};
    ByteRange extra = rng() % 9 == 0 ? ranges[2] : ByteRange{};
    if (rng() % 7 == 0) {
      b.add_begin(th, start, labels[rng() % 5], args, extra, seq++, 0);
      b.add_end(th, now, {}, {}, seq++, 0);
    } else {
      Time dur = zero && made == calls / 2 ? 0 : now - start;
      b.add_complete(th, start, dur, labels[rng() % 5], args, extra);
    }
  };
  while (made < calls) call(0), now += 5;
  for (int k = 0; k < 3; ++k)  // open calls: unmatched B events, nested
    b.add_begin(th, now + k, labels[k], ranges[k], {}, seq++, 0);
  b.add_complete(th, now + 10, 5, labels[4], {}, {});
  b.finish(1);
  t->source = padded(src);
  return t;
}

// Every thread's nested slices as text, depth by depth: times, name, flags and args (what JSON
// keeps of them; extra fields come back from JSON as a different object).
std::string slices_text(const Trace& t) {
  std::string out;
  for (uint32_t i : t.thread_order()) {
    const SliceSet& s = t.threads[i].slices;
    out += "thread " + std::string(t.str(t.threads[i].tid)) + "\n";
    for (uint32_t d = 0; d < s.depths(); ++d)
      for (uint32_t k = s.depth_begin[d]; k < s.depth_begin[d + 1]; ++k)
        out += std::to_string(d) + " " + std::to_string(s.start[k]) + " " +
               std::to_string(s.dur[k]) + " " + std::string(t.name_of(s.label[k])) + " " +
               std::to_string(s.flags[k] & ~kSliceHasExtra) + " " +
               std::string(t.view(s.args_of(k))) + "\n";
  }
  return out;
}

// Loads `bytes` both ways (straight into the layout where possible, and always the general way)
// and checks they give the same model, dump for dump; returns the first.
std::unique_ptr<Trace> decode_both(const std::string& bytes) {
  auto direct = decode(bytes);
  auto general = decode(bytes, nullptr, false);
  CHECK(dump_model(*direct) == dump_model(*general));
  return direct;
}

}  // namespace

// Threads spanning many blocks (blocks that begin inside subtrees, attachments and flags on
// every side of a seam) decode straight into the layout and give what one block and the general
// way give; the same trace through JSON gives it too.
TEST_CASE("read_vzt: threads in many blocks match one block, the general way and JSON") {
  std::vector<std::unique_ptr<Trace>> traces;
  traces.push_back(deep_trees(1, 3000, false));
  traces.push_back(deep_trees(2, 2000, true));  // a zero-length slice: the general way
  traces.push_back(every_kind(21, 3));
  traces.push_back(viztracer_like(20000, 5, 2));
  for (size_t i = 0; i < traces.size(); ++i) {
    CAPTURE(i);
    const Trace& t = *traces[i];
    std::string one = dump_model(*decode_both(write_blocks(t, 1u << 20, true)));
    for (uint32_t block : {1u, 7u, 100u, 1000u}) {
      for (bool compress : {false, true}) {
        CAPTURE(block);
        auto back = decode_both(write_blocks(t, block, compress));
        CHECK(container_clean(*back));
        check_same(t, *back);
        CHECK(dump_model(*back) == one);
      }
    }
    if (i < 2) {  // through JSON
      std::string json;
      REQUIRE(write_json(t, [&](std::string_view s) { return json.append(s), true; }));
      LoadResult r = load_bytes(json);
      REQUIRE(r.ok);
      CHECK(slices_text(*r.trace) == slices_text(*decode(write_blocks(t, 100, true))));
    }
  }
}

namespace {

// A thread's nested set made by hand, depth-major, that the writer can walk but that may not be
// what the layout makes: call trees whose slices are then nudged (starts, durations, zero
// lengths; every third seed none), so that blocks on their own may decode cleanly while their
// seams do not join.
std::unique_ptr<Trace> nudged_set(uint32_t seed) {
  auto t = std::make_unique<Trace>();
  std::string src;
  ByteRange arg = put(src, "{\"k\":1}");
  uint32_t th, label;
  {
    TraceBuilder b(*t);
    th = b.thread(b.intern("1"), b.intern("1"));
    label = b.label(b.intern("f"), kNoStr);
    b.finish(1);
  }
  std::mt19937_64 rng(seed);
  std::vector<std::vector<std::pair<Time, Time>>> depth(1);
  std::function<void(size_t, Time, Time)> tree = [&](size_t d, Time s, Time len) {
    if (depth.size() <= d) depth.resize(d + 1);
    depth[d].push_back({s, len});
    int kids = d < 4 ? int(rng() % 4) : 0;
    Time at = s + Time(rng() % 3);
    for (int k = 0; k < kids && at + 2 < s + len; ++k) {
      Time l = 1 + Time(rng() % uint64_t(s + len - at));
      tree(d + 1, at, l);
      at += l + Time(rng() % 3);
    }
  };
  for (Time at = 0, len; at < 400; at += len + Time(rng() % 5))
    len = 10 + Time(rng() % 40), tree(0, at, len);
  SliceSet& s = t->threads[th].slices;
  for (auto& v : depth) {
    for (auto [start, dur] : v) {
      if (seed % 3 && rng() % 6 == 0) start += Time(rng() % 9) - 4;
      if (seed % 3 && rng() % 6 == 0) dur = std::max<Time>(0, dur + Time(rng() % 9) - 4);
      s.start.push_back(start), s.dur.push_back(dur), s.label.push_back(label);
      s.flags.push_back(rng() % 8 == 0 ? kSliceHasArgs : 0);
      if (s.flags.back()) s.args.push_back({uint32_t(s.start.size() - 1), arg});
    }
    s.depth_begin.push_back(uint32_t(s.start.size()));
  }
  t->source = padded(src);
  return t;
}

}  // namespace

// Blocks that each decode cleanly but overlap across a seam, or put a child outside its parent
// across a seam, must load exactly as the general way loads them (which lays the concatenated
// preorder out again, with overflow lanes where slices overlap).
TEST_CASE("read_vzt: blocks whose seams do not nest load as the general way does") {
  for (uint32_t seed = 0; seed < 200; ++seed) {
    CAPTURE(seed);
    auto t = nudged_set(seed);
    std::string one = dump_model(*decode_both(write_blocks(*t, 1u << 20, seed % 2)));
    for (uint32_t block : {1u, 2u, 3u, 5u, 8u}) {
      CAPTURE(block);
      CHECK(dump_model(*decode_both(write_blocks(*t, block, seed % 2))) == one);
    }
  }
}
