// .vzt decoder (spec: formats/VZT.md).
//
// Three steps: find every whole section and gather the args stream (ranges in later sections
// point into it); decode the other sections in file order into TraceBuilder, setting the Slices
// sections aside; decode those on all cores (each is independent once the tables are in) and
// hand each thread's slices to the builder in one vector. Tree-layout blocks decode straight into
// preorder RawSlices: the (start asc, end desc) order TraceBuilder::finish() lays out unsorted.
#include "formats/vzt_reader.h"

#include <sys/mman.h>
#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>
#include <numeric>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/builder.h"
#include "formats/io.h"
#include "formats/numbers.h"
#include "formats/parallel.h"
#include "formats/vzt_format.h"

namespace vz {

using namespace vzt;

namespace {

// Every time in the model lies within +-kMaxAbsTime (formats/numbers.h). As unsigned arithmetic:
// t is in range iff uint64(t) + kTimeSpan / 2 <= kTimeSpan.
constexpr uint64_t kTimeSpan = 2 * uint64_t(kMaxAbsTime);

constexpr size_t kPad = 64;  // zero bytes kept after a decompressed payload (like MappedFile's):
                             // varint and bit reads look a few bytes past a column's end

// A bounds-checked cursor over [p, end). A varint read may look at up to kMaxVarint bytes past
// `end` (every buffer we decode has padding there); `bad` records any overrun or bad value.
struct Cur {
  const uint8_t* p = nullptr;
  const uint8_t* end = nullptr;
  bool bad = false;

  uint64_t v() {
    if (p >= end) return bad = true, 0;
    uint64_t x = get_varint(p, &bad);
    if (p > end) bad = true;
    return x;
  }
  int64_t z() { return unzigzag(v()); }
  uint32_t u32() {
    uint64_t x = v();
    if (x > 0xffffffffu) bad = true;
    return uint32_t(x);
  }
  // An optional index: 0 is kNone, otherwise index + 1.
  uint32_t opt() {
    uint64_t x = v();
    if (x == 0) return kNone;
    if (x > 0xffffffffu) bad = true;
    return uint32_t(x - 1);
  }
  size_t left() const { return p < end ? size_t(end - p) : 0; }
  const uint8_t* take(size_t n) {
    if (left() < n) return bad = true, nullptr;
    const uint8_t* q = p;
    p += n;
    return q;
  }
};

// Reads the column table (count, byte lengths, bytes) and points out[0..want) at the columns.
bool columns(Cur& c, size_t want, Cur* out) {
  uint64_t n = c.v();
  if (c.bad || n < want || n > c.left()) return false;
  uint64_t total = 0;
  const uint8_t* lens = c.p;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = c.v();
    if (len > c.left()) return false;
    total += len;
  }
  if (c.bad || total > c.left()) return false;
  const uint8_t* at = c.p;
  Cur l{lens, c.p};
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = l.v();
    if (i < want) out[i] = Cur{at, at + len};
    at += len;
  }
  c.p = at;
  return true;
}

// Maps a large fresh buffer in before it is written: one madvise instead of a page fault per
// 4 KiB (the faults cost more than decoding the slices that fill the pages), with transparent
// huge pages where the range allows. Only advice: failures (older kernels) change nothing.
void prefault(void* p, size_t n) {
  constexpr uintptr_t kPage = 4096, kHuge = uintptr_t(2) << 20;
  if (n < (size_t(1) << 20)) return;  // a few faults cost less than the system calls
  uintptr_t b = reinterpret_cast<uintptr_t>(p), e = b + n;
  uintptr_t ha = (b + kHuge - 1) & ~(kHuge - 1), he = e & ~(kHuge - 1);
  if (he > ha) ::madvise(reinterpret_cast<void*>(ha), he - ha, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
  uintptr_t pa = (b + kPage - 1) & ~(kPage - 1), pe = e & ~(kPage - 1);
  if (pe > pa) ::madvise(reinterpret_cast<void*>(pa), pe - pa, MADV_POPULATE_WRITE);
#endif
}

// Same comparison TraceBuilder uses to lay slices out: start ascending, end descending.
Time sat_end(const RawSlice& r) {
  if (r.dur > 0 && r.start > INT64_MAX - r.dur) return INT64_MAX;
  return r.start + r.dur;
}
bool before(const RawSlice& a, const RawSlice& b) {
  return a.start != b.start ? a.start < b.start : sat_end(a) > sat_end(b);
}

// Clamps a block's slices into the model's time range (what the JSON reader does with times it
// cannot represent): starts and ends to +-kMaxAbsTime, durations to >= 0. Returns how many.
uint64_t clamp_slices(std::vector<RawSlice>& v) {
  uint64_t n = 0;
  for (RawSlice& r : v) {
    Time s = std::clamp<Time>(r.start, -kMaxAbsTime, kMaxAbsTime);
    Time d = std::clamp<Time>(r.dur, 0, kMaxAbsTime - s);  // s + d stays in range
    n += s != r.start || d != r.dur;
    r.start = s, r.dur = d;
  }
  return n;
}

// One whole section found by the header scan.
struct Sec {
  uint64_t off;
  SectionHeader h;
};

// Slices of one (thread, set): one Slices section's, or a thread's once its blocks are joined.
struct Acc {
  std::vector<RawSlice> s;
  std::vector<SliceAttachment> args, extras;  // indexes into s
  SliceSet set;         // decoded straight into the model's layout (instead of s, args, extras)
  bool direct = false;  // `set` holds the slices
  size_t size() const { return direct ? set.size() : s.size(); }
};

// Columns of a RankedTree block (the most of any layout).
constexpr size_t kRankedColumns = 12 + kLeafClasses - 1;

// Where decode_tree writes when it decodes straight into depth-major columns.
struct DirectOut {
  Time* start;
  Time* dur;
  uint32_t* label;
  uint32_t* cursor;       // per depth: the next position
  const uint32_t* limit;  // per depth: one past its last position
  uint32_t* pos;          // per preorder ordinal: its position
  bool zero = false;      // some slice has a zero (or negative) duration
};

// A Slices section, decoded on a worker once the file's tables are in. `labels` and `threads`
// are the table sizes at the section's place in the file: it may refer to nothing later.
struct Block {
  const Sec* sec = nullptr;
  uint32_t labels = 0, threads = 0;
  bool ok = false;
  DiagKind problem = DiagKind::VztBadSection;
  std::string detail;
  uint64_t bad_ranges = 0;  // byte ranges outside the args stream, dropped
  uint64_t clamped = 0;     // slices with times the model cannot hold, clamped
  bool direct = false;      // the thread's only slices: try decoding into the model's layout
  Acc acc;
};

// What a decoding worker reuses from block to block.
struct Scratch {
  ZSTD_DCtx* dctx = nullptr;
  std::unique_ptr<uint8_t[]> buf;
  size_t cap = 0;
  std::vector<uint32_t> stack;  // open slices of a Tree block
  std::vector<uint32_t> rlabel;  // RankedTree: the label (builder id) of each rank
  std::vector<uint8_t> rinfo;    // RankedTree: the info byte of each rank
  std::vector<uint32_t> cursor, pos;  // direct decoding
  ~Scratch() {
    if (dctx) ZSTD_freeDCtx(dctx);
  }
};

class Reader {
 public:
  Reader(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress)
      : file_(std::move(file)), base_(reinterpret_cast<const uint8_t*>(file_->data())),
        size_(file_->size()), t_(out), b_(out), prog_(progress) {}
  bool run();

 private:
  bool header();
  void scan();
  void gather_args();
  bool payload(const Sec& s, Cur& c);
  bool unpack(const Sec& s, Scratch& sc, Cur& c, DiagKind* problem, std::string* detail) const;
  bool decode(const Sec& s, Cur& c);
  bool read_info(Cur& c);
  bool read_strings(const Sec& s, Cur& c);
  bool read_labels(Cur& c);
  bool read_processes(Cur& c);
  bool read_threads(Cur& c);
  void decode_blocks();
  bool decode_block(Block& b, Scratch& sc) const;
  template <bool Signed, bool Ranked, bool Direct>
  bool decode_tree(Cur* col, int64_t first, uint64_t min_depth, uint64_t depths, Time base,
                   uint32_t labels, Scratch& sc, RawSlice* out, DirectOut* dout, size_t n,
                   bool* out_of_range) const;
  bool decode_direct(Block& b, Cur* col, const std::vector<uint32_t>& counts, Time base,
                     bool ranked, Scratch& sc) const;
  bool decode_level(Cur* col, const std::vector<uint32_t>& counts, Time base, uint32_t labels,
                    RawSlice* out, bool* out_of_range) const;
  bool read_sparse(Cur* col, Block& b) const;
  bool read_sparse_direct(Cur* col, Block& b, const uint32_t* pos) const;
  void adopt(uint32_t thread, Acc& nested, Acc& over);
  bool read_instants(Cur& c);
  bool read_counter(Cur& c);
  bool read_async_slices(Cur& c);
  bool read_events(const Sec& s, Cur& c);
  bool read_misc(const Sec& s, Cur& c);
  void fix_up();

  bool str_ok(uint64_t s) const { return s < smap_.size(); }
  bool label_ok(uint64_t l) const { return l < lmap_.size(); }
  bool thread_ok(uint32_t t) const { return t == kNone || t < tmap_.size(); }
  uint32_t thread_of(uint32_t t) const { return t == kNone ? kNone : tmap_[t]; }
  ByteRange range(Cur& c, uint64_t& prev_end, uint64_t& bad_ranges) const;
  // A time the model can hold: beyond +-kMaxAbsTime it is clamped and counted.
  Time clamp_ts(Time t) {
    if (uint64_t(t) + kTimeSpan / 2 <= kTimeSpan) return t;
    note_clamp();
    return std::clamp<Time>(t, -kMaxAbsTime, kMaxAbsTime);
  }
  void note_clamp() {
    if (clamped_++ == 0) clamped_at_ = section_;
  }
  ByteRange range(Cur& c, uint64_t& prev_end) { return range(c, prev_end, bad_ranges_); }
  void bad(uint64_t off, std::string detail) {
    t_.diagnostics.add(DiagKind::VztBadSection, off, detail);
  }

  std::shared_ptr<const Buffer> file_;
  const uint8_t* base_;
  size_t size_;
  Trace& t_;
  TraceBuilder b_;
  LoadProgress* prog_;
  std::vector<Sec> secs_;
  bool complete_ = false;
  uint64_t scanned_end_ = sizeof(FileHeader);
  std::vector<StrId> smap_{kNoStr};      // stored string id -> model id
  std::vector<uint32_t> lmap_, pmap_, tmap_;
  bool lident_ = true;                   // lmap_ is the identity
  std::vector<std::pair<uint64_t, uint64_t>> unmatched_;  // per stored thread
  std::vector<Block> blocks_;                            // Slices sections, in file order
  std::shared_ptr<const Buffer> args_;
  uint64_t args_base_ = 0, args_total_ = 0, bad_ranges_ = 0, bad_range_at_ = 0;
  uint64_t section_ = 0, clamped_ = 0, clamped_at_ = 0;  // section being decoded; clamped times
  uint64_t events_ = 0, seq_ = 0;
  std::optional<std::tuple<int64_t, std::string, bool, uint64_t, bool, Time, Time>> info_;
  std::vector<MetadataEntry> meta_;
  std::vector<SourceFile> files_;
  std::vector<std::pair<StrId, FunctionLocation>> fns_;
  Scratch scratch_;  // for the sections decoded on the calling thread
};

bool Reader::header() {
  FileHeader h;
  if (size_ < sizeof h || !has_magic(base_, size_)) {
    t_.diagnostics.add(DiagKind::NotATrace, 0, "not a .vzt file (bad magic)");
    return false;
  }
  std::memcpy(&h, base_, sizeof h);
  std::string why;
  if (checksum32(&h, offsetof(FileHeader, check)) != h.check) why = "corrupt .vzt file header";
  else if (h.version_major < kOldestMajor || h.version_major > kVersionMajor)
    why = "unsupported .vzt version " + std::to_string(h.version_major) + "." +
          std::to_string(h.version_minor) + " (this reader reads " +
          std::to_string(kOldestMajor) + ".x to " + std::to_string(kVersionMajor) + ".x)";
  if (why.empty()) return true;
  t_.diagnostics.add(DiagKind::VztBadHeader, 0, why);
  t_.diagnostics.add(DiagKind::NotATrace, 0, why);
  return false;
}

// Finds every whole section; stops at a corrupt header, a section cut short, or End.
void Reader::scan() {
  uint64_t off = sizeof(FileHeader);
  while (off < size_) {
    SectionHeader h;
    if (size_ - off < sizeof h) {
      t_.diagnostics.add(DiagKind::TruncatedInput, off, "partial .vzt section header");
      break;
    }
    std::memcpy(&h, base_ + off, sizeof h);
    if (checksum32(&h, offsetof(SectionHeader, header_check)) != h.header_check) {
      bad(off, "corrupt section header; the rest of the file is skipped");
      break;
    }
    if (h.length > size_ - off - sizeof h) {
      t_.diagnostics.add(DiagKind::TruncatedInput, off, "section runs past the end of the file");
      break;
    }
    secs_.push_back({off, h});
    off += sizeof h + h.length;
    scanned_end_ = off;
    if (h.kind == uint16_t(SectionKind::End)) {
      complete_ = true;
      if (off < size_) t_.diagnostics.add(DiagKind::TrailingGarbage, off, "bytes after End");
      break;
    }
  }
  if (!complete_)
    t_.diagnostics.add(DiagKind::TruncatedInput, scanned_end_,
                       "no End section: the writer did not finish; loaded every whole section");
}

// Verifies a section's checksum and decompresses it into sc; c then spans the raw payload.
// Thread-safe (workers call it); a failure is described in *problem / *detail.
bool Reader::unpack(const Sec& s, Scratch& sc, Cur& c, DiagKind* problem,
                    std::string* detail) const {
  const uint8_t* p = base_ + s.off + sizeof(SectionHeader);
  const SectionHeader& h = s.h;
  *problem = DiagKind::VztBadSection;
  if (checksum32(p, h.length) != h.payload_check) {
    *problem = DiagKind::VztChecksum;
    return *detail = "section kind " + std::to_string(h.kind), false;
  }
  if (h.flags & ~uint16_t(kSectionZstd)) return *detail = "unknown section flags", false;
  if (!(h.flags & kSectionZstd)) {
    if (h.raw_length != h.length) return *detail = "raw section with a wrong length", false;
    c = Cur{p, p + h.length};
    return true;
  }
  // A zstd frame can claim to expand to any size (a decompression bomb): allow what a real
  // file of this size could hold, counters of constant values and repetitive args included.
  if (h.raw_length > std::min<uint64_t>(kMaxSectionRaw, 256 * uint64_t(size_) + (256u << 20)))
    return *detail = "section too large", false;
  if (sc.cap < h.raw_length + kPad) {
    sc.buf.reset(new (std::nothrow) uint8_t[h.raw_length + kPad]);
    sc.cap = sc.buf ? h.raw_length + kPad : 0;
    if (!sc.buf) return *detail = "out of memory decompressing a section", false;
  }
  if (!sc.dctx) sc.dctx = ZSTD_createDCtx();
  size_t r = sc.dctx ? ZSTD_decompressDCtx(sc.dctx, sc.buf.get(), h.raw_length, p, h.length) : 0;
  if (!sc.dctx || ZSTD_isError(r) || r != h.raw_length)
    return *detail = "zstd payload does not decompress", false;
  std::memset(sc.buf.get() + h.raw_length, 0, kPad);
  c = Cur{sc.buf.get(), sc.buf.get() + h.raw_length};
  return true;
}

bool Reader::payload(const Sec& s, Cur& c) {
  DiagKind problem;
  std::string detail;
  if (unpack(s, scratch_, c, &problem, &detail)) return true;
  t_.diagnostics.add(problem, s.off, detail);
  return false;
}

// The args stream: in place in the file when stored raw in one section, else decompressed.
void Reader::gather_args() {
  std::vector<const Sec*> v;
  for (const Sec& s : secs_)
    if (s.h.kind == uint16_t(SectionKind::Args)) v.push_back(&s);
  if (v.empty()) return;
  if (v.size() == 1 && v[0]->h.flags == 0 && v[0]->h.key == 0) {
    Cur c;
    if (!payload(*v[0], c)) return;
    args_ = file_;
    args_base_ = v[0]->off + sizeof(SectionHeader);
    args_total_ = v[0]->h.length;
    return;
  }
  auto buf = std::make_shared<AnonBuffer>();
  for (const Sec* s : v) {
    Cur c;
    if (s->h.key != args_total_) {
      bad(s->off, "args section out of stream order");
      continue;
    }
    if (!payload(*s, c)) continue;
    if (!buf->append(c.p, c.left())) return bad(s->off, "out of memory for args");
    args_total_ += c.left();
  }
  buf->shrink_to_fit();
  args_ = std::move(buf);
}

ByteRange Reader::range(Cur& c, uint64_t& prev_end, uint64_t& bad_ranges) const {
  uint64_t len = c.v();
  if (len == 0) return {};
  uint64_t off = prev_end + uint64_t(c.z());
  prev_end = off + len;
  if (off > args_total_ || len > args_total_ - off) return bad_ranges++, ByteRange{};
  return {args_base_ + off, len};
}

bool Reader::run() {
  if (!header()) return false;
  if (prog_) prog_->phase.store(int(LoadPhase::Parsing), std::memory_order_relaxed);
  scan();
  gather_args();
  for (const Sec& s : secs_) {
    SectionKind k = SectionKind(s.h.kind);
    if (k == SectionKind::Args || k == SectionKind::Index || k == SectionKind::End) continue;
    if (k == SectionKind::Slices) {  // decoded later, in parallel
      Block& b = blocks_.emplace_back();
      b.sec = &s, b.labels = uint32_t(lmap_.size()), b.threads = uint32_t(tmap_.size());
      continue;
    }
    if (s.h.kind == 0 || s.h.kind > kLastKnownKind) {
      t_.diagnostics.add(DiagKind::VztUnknownSection, s.off,
                         "kind " + std::to_string(s.h.kind) + " skipped");
      continue;
    }
    Cur c;
    uint64_t dropped = bad_ranges_;
    section_ = s.off;
    try {
      if (payload(s, c) && !decode(s, c))
        bad(s.off, "section kind " + std::to_string(s.h.kind) + " does not decode; skipped");
    } catch (const std::exception&) {  // bad_alloc, length_error: sizes no memory can hold
      bad(s.off, "out of memory decoding a section");
    }
    if (bad_ranges_ > dropped && dropped == 0) bad_range_at_ = s.off;
    if (prog_) {
      prog_->bytes_done.store(s.off + s.h.length, std::memory_order_relaxed);
      prog_->events.store(events_, std::memory_order_relaxed);
    }
  }
  decode_blocks();
  if (bad_ranges_)
    t_.diagnostics.add_n(DiagKind::VztBadSection, bad_ranges_, bad_range_at_,
                         "byte ranges outside the args stream dropped");
  if (prog_) prog_->phase.store(int(LoadPhase::Building), std::memory_order_relaxed);
  b_.finish();
  fix_up();
  if (clamped_)
    t_.diagnostics.add_n(DiagKind::TimestampOutOfRange, clamped_, clamped_at_,
                         "event times beyond +-2^61 ns clamped");
  return true;
}

bool Reader::decode(const Sec& s, Cur& c) {
  switch (SectionKind(s.h.kind)) {
    case SectionKind::Info: return read_info(c);
    case SectionKind::Strings: return read_strings(s, c);
    case SectionKind::Labels: return read_labels(c);
    case SectionKind::Processes: return read_processes(c);
    case SectionKind::Threads: return read_threads(c);
    case SectionKind::Instants: return read_instants(c);
    case SectionKind::Counter: return read_counter(c);
    case SectionKind::AsyncSlices: return read_async_slices(c);
    case SectionKind::AsyncMarks:
    case SectionKind::Flows:
    case SectionKind::Objects:
    case SectionKind::Others: return read_events(s, c);
    default: return read_misc(s, c);
  }
}

// ---------------------------------------------------------------------------------------------
// Tables: info, strings, labels, processes, threads
// ---------------------------------------------------------------------------------------------

bool Reader::read_info(Cur& c) {
  int64_t origin = c.z();
  uint64_t n = c.v();
  const uint8_t* unit = c.bad ? nullptr : c.take(n);
  bool object_form = c.v() != 0;
  uint64_t events = c.v();
  bool has_bounds = c.v() != 0;
  Time start = c.z(), end = c.z();
  if (c.bad) return false;
  info_.emplace(origin, std::string(reinterpret_cast<const char*>(unit), n), object_form, events,
                has_bounds, start, end);
  return true;
}

bool Reader::read_strings(const Sec& s, Cur& c) {
  uint64_t first = c.v(), n = c.v();
  Cur col[2];
  if (c.bad || first != smap_.size() || n > c.left() || !columns(c, 2, col)) return false;
  std::vector<std::string_view> v(n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* p = col[0].bad ? nullptr : col[1].take(col[0].v());
    if (!p) return false;
    v[i] = std::string_view(reinterpret_cast<const char*>(p), size_t(col[1].p - p));
  }
  if (col[0].bad || col[1].bad) return false;
  for (std::string_view x : v) smap_.push_back(t_.strings.intern(x));
  return true;
}

bool Reader::read_labels(Cur& c) {
  uint64_t first = c.v(), n = c.v();
  Cur col[2];
  if (c.bad || first != lmap_.size() || n > c.left() || !columns(c, 2, col)) return false;
  std::vector<std::pair<uint64_t, uint64_t>> v(n);
  for (auto& [name, cat] : v) {
    name = col[0].v(), cat = col[1].v();
    if (!str_ok(name) || !str_ok(cat)) return false;
  }
  if (col[0].bad || col[1].bad) return false;
  for (auto& [name, cat] : v) {
    lmap_.push_back(b_.label(smap_[name], smap_[cat]));
    lident_ = lident_ && lmap_.back() == lmap_.size() - 1;
  }
  return true;
}

bool Reader::read_processes(Cur& c) {
  uint64_t first = c.v(), n = c.v();
  Cur col[5];
  if (c.bad || first > pmap_.size() || n > c.left() || !columns(c, 5, col)) return false;
  struct P {
    uint64_t pid, name, labels, flags;
    int64_t sort;
  };
  std::vector<P> v(n);
  for (P& p : v) {
    p = P{col[0].v(), col[1].v(), col[2].v(), col[3].v(), col[4].z()};
    if (!str_ok(p.pid) || !str_ok(p.name) || !str_ok(p.labels)) return false;
  }
  for (Cur& x : col)
    if (x.bad) return false;
  for (uint64_t i = 0; i < n; ++i) {
    const P& p = v[i];
    if (first + i == pmap_.size()) pmap_.push_back(b_.process(smap_[p.pid]));
    uint32_t m = pmap_[first + i];
    if (p.name) b_.set_process_name(m, smap_[p.name]);
    if (p.labels) b_.set_process_labels(m, smap_[p.labels]);
    if (p.flags & kRecordHasSortIndex) b_.set_process_sort_index(m, p.sort);
  }
  return true;
}

bool Reader::read_threads(Cur& c) {
  uint64_t first = c.v(), n = c.v();
  Cur col[7];
  if (c.bad || first > tmap_.size() || n > c.left() || !columns(c, 7, col)) return false;
  struct T {
    uint64_t process, tid, name, flags;
    int64_t sort;
    uint64_t ub, ue;
  };
  std::vector<T> v(n);
  for (uint64_t i = 0; i < n; ++i) {
    T& t = v[i];
    t = T{col[0].v(), col[1].v(), col[2].v(), col[3].v(), col[4].z(), col[5].v(), col[6].v()};
    if (!str_ok(t.tid) || !str_ok(t.name) || t.process >= pmap_.size()) return false;
  }
  for (Cur& x : col)
    if (x.bad) return false;
  for (uint64_t i = 0; i < n; ++i) {
    const T& t = v[i];
    if (first + i == tmap_.size()) {
      tmap_.push_back(b_.thread(t_.processes[pmap_[t.process]].pid, smap_[t.tid]));
      unmatched_.push_back({0, 0});
    }
    uint32_t m = tmap_[first + i];
    if (t.name) b_.set_thread_name(m, smap_[t.name]);
    if (t.flags & kRecordHasSortIndex) b_.set_thread_sort_index(m, t.sort);
    unmatched_[first + i] = {t.ub, t.ue};
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Slices
// ---------------------------------------------------------------------------------------------

// Decodes every Slices section, on all cores: blocks are independent once the tables are in.
// Then joins each thread's blocks in file order and hands them to the builder.
void Reader::decode_blocks() {
  // A thread's nested slices in one block and no overflow ones: decoded straight into the
  // model's layout when the block allows (decode_direct).
  std::map<uint64_t, size_t> per_key;
  for (const Block& b : blocks_) ++per_key[b.sec->h.key];
  for (Block& b : blocks_) {
    uint32_t th = uint32_t(b.sec->h.key);
    b.direct = b.sec->h.key == slice_key(th, SliceSetKind::Nested) &&
               per_key[b.sec->h.key] == 1 && !per_key.count(slice_key(th, SliceSetKind::Overflow));
  }
  std::atomic<size_t> next{0};
  unsigned workers = unsigned(std::min<size_t>(default_workers(), blocks_.size()));
  parallel_for(workers, workers, [&](size_t) {
    Scratch sc;
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < blocks_.size();) {
      Block& b = blocks_[i];
      try {
        b.ok = decode_block(b, sc);
      } catch (...) {  // bad_alloc: a worker must not let it escape
        b.ok = false;
        b.detail = "out of memory decoding a section";
      }
      if (!b.ok) b.acc = Acc{};
    }
  });
  std::map<uint64_t, Acc> joined;  // by section key: thread, set
  for (Block& b : blocks_) {
    if (b.bad_ranges && !bad_ranges_) bad_range_at_ = b.sec->off;
    bad_ranges_ += b.bad_ranges;
    if (b.clamped)
      t_.diagnostics.add_n(DiagKind::TimestampOutOfRange, b.clamped, b.sec->off,
                           "slice times beyond +-2^61 ns clamped");
    if (!b.ok) {
      t_.diagnostics.add(b.problem, b.sec->off, b.detail);
      continue;
    }
    events_ += b.acc.size();
    Acc& a = joined[b.sec->h.key];
    if (a.s.empty()) {
      a = std::move(b.acc);  // a thread in one block: no copy
      continue;
    }
    uint32_t at = uint32_t(a.s.size());
    a.s.insert(a.s.end(), b.acc.s.begin(), b.acc.s.end());
    for (const SliceAttachment& x : b.acc.args) a.args.push_back({at + x.index, x.range});
    for (const SliceAttachment& x : b.acc.extras) a.extras.push_back({at + x.index, x.range});
    b.acc = Acc{};
  }
  blocks_.clear();
  std::vector<uint32_t> threads;
  for (auto& [key, a] : joined) threads.push_back(uint32_t(key));
  std::sort(threads.begin(), threads.end());
  threads.erase(std::unique(threads.begin(), threads.end()), threads.end());
  for (uint32_t thread : threads) {
    Acc none;
    auto nested = joined.find(slice_key(thread, SliceSetKind::Nested));
    auto over = joined.find(slice_key(thread, SliceSetKind::Overflow));
    adopt(thread, nested != joined.end() ? nested->second : none,
          over != joined.end() ? over->second : none);
  }
}

bool Reader::decode_block(Block& b, Scratch& sc) const {
  Cur c;
  if (!unpack(*b.sec, sc, c, &b.problem, &b.detail)) return false;
  b.problem = DiagKind::VztBadSection;
  b.detail = "section kind 7 (slices) does not decode; skipped";
  uint64_t set = c.v(), layout = c.v(), tflags = c.v(), first = c.v();
  uint64_t min_depth = c.v(), depths = c.v();
  if (c.bad || set > 1 || layout > 2 || depths == 0 || depths > kMaxDepth ||
      min_depth > kMaxDepth || first < min_depth || first >= min_depth + depths ||
      depths > c.left() || (b.sec->h.key >> 32) != set)
    return false;
  std::vector<uint32_t> counts(depths);
  uint64_t total = 0;
  for (uint32_t& n : counts) total += n = c.u32();
  Time base = c.z();
  bool tree = layout != uint64_t(SliceLayout::Level);
  bool ranked = layout == uint64_t(SliceLayout::RankedTree);
  constexpr size_t kRankedCols = kRankedColumns;
  Cur col[kRankedCols];
  if (c.bad || total != b.sec->h.count || total > c.left() ||
      uint32_t(b.sec->h.key) >= b.threads ||
      !columns(c, ranked ? kRankedCols : tree ? 9 : 6, col))
    return false;
  if (ranked) {  // the label table: n labels in rank order, then n info bytes
    Cur& tc = col[11];
    uint64_t n = tc.v();
    if (tc.bad || n > tc.left() || n > b.labels) return false;
    sc.rlabel.resize(n);
    sc.rinfo.resize(n);
    for (uint64_t r = 0; r < n; ++r) {
      uint64_t l = tc.v();
      if (tc.bad || l >= b.labels) return false;
      sc.rlabel[r] = lident_ ? uint32_t(l) : lmap_[l];
    }
    if (tc.left() < n) return false;
    for (uint64_t r = 0; r < n; ++r) {
      uint8_t x = tc.p[r];
      if (x & ~(kRankClassMask | kRankChildless)) return false;
      sc.rinfo[r] = x;
    }
  }
  bool sgn = tflags & kTreeSigned;
  if (b.direct && tree && !sgn && first == 0 && min_depth == 0 && total > 0 &&
      decode_direct(b, col, counts, base, ranked, sc))
    return true;
  b.acc = Acc{};
  std::vector<RawSlice>& v = b.acc.s;
  v.reserve(total);
  prefault(v.data(), total * sizeof(RawSlice));
  v.resize(total);
  bool oob = false;
  auto tree_fn = ranked ? (sgn ? &Reader::decode_tree<true, true, false>
                                : &Reader::decode_tree<false, true, false>)
                        : (sgn ? &Reader::decode_tree<true, false, false>
                               : &Reader::decode_tree<false, false, false>);
  bool ok = tree ? (this->*tree_fn)(col, int64_t(first), min_depth, depths, base, b.labels, sc,
                                    v.data(), nullptr, total, &oob)
                 : decode_level(col, counts, base, b.labels, v.data(), &oob);
  if (ok && oob) b.clamped = clamp_slices(v);
  return ok && read_sparse(col + (tree ? 6 : 3), b);
}

// Decodes a Tree block that holds all of a thread's slices from depth 0 straight into the
// depth-major columns TraceBuilder::finish() would lay out from them, skipping that layout. Only
// when that layout is certain: unsigned deltas (times never go back) and no slice of zero length
// make the preorder sorted by (start, -end) with every slice starting before its parent ends,
// which is all the layout's sweep looks at. Returns false, having decided nothing, otherwise (or
// on any problem): the caller then decodes the block the general way, which reports problems.
bool Reader::decode_direct(Block& b, Cur* col, const std::vector<uint32_t>& counts, Time base,
                           bool ranked, Scratch& sc) const {
  for (uint32_t n : counts)
    if (n == 0) return false;
  Cur saved[kRankedColumns];  // the general way rereads the columns
  std::copy(col, col + kRankedColumns, saved);
  const size_t total = b.sec->h.count, depths = counts.size();
  Acc& a = b.acc;
  a.direct = true;
  SliceSet& set = a.set;
  set.depth_begin.resize(depths + 1);
  set.depth_begin[0] = 0;
  for (size_t d = 0; d < depths; ++d) set.depth_begin[d + 1] = set.depth_begin[d] + counts[d];
  for (auto* v : {&set.start, &set.dur}) {
    v->reserve(total);
    prefault(v->data(), total * sizeof(Time));
    v->resize(total);
  }
  set.label.resize(total);
  set.flags.resize(total);
  sc.cursor.assign(set.depth_begin.begin(), set.depth_begin.end() - 1);
  sc.pos.resize(total);
  DirectOut out{set.start.data(), set.dur.data(), set.label.data(), sc.cursor.data(),
                set.depth_begin.data() + 1, sc.pos.data()};
  bool oob = false;
  bool ok = ranked ? decode_tree<false, true, true>(col, 0, 0, depths, base, b.labels, sc,
                                                    nullptr, &out, total, &oob)
                   : decode_tree<false, false, true>(col, 0, 0, depths, base, b.labels, sc,
                                                     nullptr, &out, total, &oob);
  ok = ok && !oob && !out.zero;
  for (size_t d = 0; ok && d < depths; ++d) ok = sc.cursor[d] == set.depth_begin[d + 1];
  ok = ok && read_sparse_direct(col + 6, b, sc.pos.data());
  if (!ok) std::copy(saved, saved + kRankedColumns, col);
  return ok;
}

// Flags, args and extras: (index step, value) lists for the few slices that have them.
bool Reader::read_sparse(Cur* col, Block& b) const {
  RawSlice* out = b.acc.s.data();
  const size_t n = b.acc.s.size();
  if (b.acc.direct) return false;
  uint64_t nflags = col[0].v();
  if (col[0].bad || nflags > col[0].left()) return false;
  for (uint64_t i = 0, k = 0; i < nflags; ++i) {
    k += col[0].v();
    uint64_t f = col[0].v();
    if (k >= n || f > 0xff) return false;
    out[k].flags = uint8_t(f);
  }
  if (col[0].bad) return false;
  for (int j = 1; j <= 2; ++j) {
    std::vector<SliceAttachment>& dst = j == 1 ? b.acc.args : b.acc.extras;
    Cur& c = col[j];
    uint64_t m = c.v(), k = 0, prev_end = 0;
    if (c.bad || m > c.left()) return false;
    for (uint64_t i = 0; i < m; ++i) {
      k += c.v();
      if (k >= n) return false;
      ByteRange r = range(c, prev_end, b.bad_ranges);
      if (!r.empty()) dst.push_back({uint32_t(k), r});
    }
    if (c.bad) return false;
  }
  return true;
}

// read_sparse for a block decoded by decode_direct: ordinals map through `pos`, attachments end
// up sorted by position. A slice named twice in a list: false (the general way decides).
bool Reader::read_sparse_direct(Cur* col, Block& b, const uint32_t* pos) const {
  SliceSet& set = b.acc.set;
  const size_t n = set.size();
  uint64_t nflags = col[0].v();
  if (col[0].bad || nflags > col[0].left()) return false;
  for (uint64_t i = 0, k = 0; i < nflags; ++i) {
    k += col[0].v();
    uint64_t f = col[0].v();
    if (k >= n || f > 0xff) return false;
    set.flags[pos[k]] = uint8_t(f);
  }
  if (col[0].bad) return false;
  for (int j = 1; j <= 2; ++j) {
    std::vector<SliceAttachment>& dst = j == 1 ? set.args : set.extras;
    Cur& c = col[j];
    uint64_t m = c.v(), k = 0, prev_end = 0;
    if (c.bad || m > c.left()) return false;
    for (uint64_t i = 0; i < m; ++i) {
      uint64_t step = c.v();
      if (i > 0 && step == 0) return false;
      k += step;
      if (k >= n) return false;
      uint64_t bad_ranges = 0;
      ByteRange r = range(c, prev_end, bad_ranges);
      if (bad_ranges) return false;
      if (!r.empty()) dst.push_back({pos[k], r});
    }
    if (c.bad) return false;
    std::sort(dst.begin(), dst.end(),
              [](const SliceAttachment& x, const SliceAttachment& y) { return x.index < y.index; });
  }
  return true;
}

// Preorder items: depth (as a step from the previous item's), then a begin-time delta; each item
// ends (end-time delta) when a later item at its depth or shallower arrives, or the block ends.
// Deltas are bucket symbols in three columns (begin, leaf end, parent end) plus one bit stream.
// The hot loop of the reader: cursors live in registers and are checked once per item.
template <bool Signed, bool Ranked, bool Direct>
bool Reader::decode_tree(Cur* col, int64_t first, uint64_t min_depth, uint64_t depths, Time base,
                         uint32_t labels, Scratch& sc, RawSlice* out, DirectOut* dout, size_t n,
                         bool* out_of_range) const {
  const uint8_t *up = col[0].p, *lead = col[1].p, *leaf = col[2].p, *par = col[3].p;
  const uint8_t* lab = col[5].p;
  const uint8_t *up_end = col[0].end, *lead_end = col[1].end, *leaf_end = col[2].end,
                *par_end = col[3].end, *bits_end = col[4].end, *lab_end = col[5].end;
  // RankedTree: label escapes, steps after childless labels, leaf columns per class.
  const uint8_t *lhi = col[9].p, *lhi_end = col[9].end;
  const uint8_t *upl = col[10].p, *upl_end = col[10].end;
  const uint8_t* lp[kLeafClasses];
  const uint8_t* le[kLeafClasses];
  for (unsigned j = 0; j < kLeafClasses; ++j)
    lp[j] = Ranked ? (j ? col[11 + j].p : leaf) : nullptr,
    le[j] = Ranked ? (j ? col[11 + j].end : leaf_end) : nullptr;
  const uint32_t* rlabel = sc.rlabel.data();
  const uint8_t* rinfo = sc.rinfo.data();
  const uint64_t nranks = Ranked ? sc.rlabel.size() : 0;
  uint8_t prev_info = 0;  // info byte of the previous item's rank (none before the first)
  BitReader bits{col[4].p};
  const int64_t lo = int64_t(min_depth), hi = int64_t(min_depth + depths);
  const uint64_t nlabels = labels;
  const uint32_t* lmap = lmap_.data();
  const bool ident = lident_;
  sc.stack.resize(std::min<size_t>(depths, n) + 1);  // open items have distinct depths
  uint32_t* spos = sc.stack.data();
  size_t sp = 0;
  uint64_t t = uint64_t(base);
  int64_t prev = first - 1;
  bool bad = false;
  uint64_t oob = 0;  // some time beyond +-kMaxAbsTime, or an end before its start
  auto delta = [&](const uint8_t*& sym) {
    uint64_t x = bucket_decode(sym, bits, bad);
    return Signed ? uint64_t(unzigzag(x)) : x;
  };
  Time* dstart = Direct ? dout->start : nullptr;
  Time* ddur = Direct ? dout->dur : nullptr;
  uint32_t* dlabel = Direct ? dout->label : nullptr;
  uint32_t* dcur = Direct ? dout->cursor : nullptr;
  const uint32_t* dlim = Direct ? dout->limit : nullptr;
  uint32_t* dpos = Direct ? dout->pos : nullptr;
  uint64_t zero = 0;  // Direct: some duration is zero
  auto end_at = [&](uint32_t pos, uint64_t dt) {
    t += dt;
    uint64_t dur;
    if constexpr (Direct) {
      dur = t - uint64_t(dstart[pos]);
      ddur[pos] = Time(dur);
      zero |= dur == 0;
    } else {
      dur = t - uint64_t(out[pos].start);
      out[pos].dur = Time(dur);
    }
    oob |= (t + kTimeSpan / 2 > kTimeSpan) | (dur >> 63);
  };
  // Closes `c` open items. The first is the item opened last (always on top): a leaf, its end
  // coded in the leaf column; the others are its ancestors, in the parent column.
  auto close = [&](size_t c) __attribute__((always_inline)) -> bool {
    if constexpr (Ranked) {
      unsigned cls = prev_info & kRankClassMask;
      end_at(spos[--sp], delta(lp[cls]));
      if (lp[cls] > le[cls]) return false;
    } else {
      end_at(spos[--sp], delta(leaf));
    }
    while (--c) {
      end_at(spos[--sp], delta(par));
      if ((par > par_end) | bits.past(bits_end)) return false;
    }
    return (leaf <= leaf_end) & !bits.past(bits_end);
  };
  for (size_t k = 0; k < n; ++k) {
    // step = depth - (previous depth + 1): 0 is a child, -1 a sibling, -2 a parent's sibling...
    // The open items are the previous item and its open ancestors at consecutive depths, so
    // -step of them close (fewer where the block began below them).
    int64_t step;
    if (Ranked && (prev_info & kRankChildless)) step = unzigzag(get_varint_fast(upl, bad));
    else step = unzigzag(get_varint_fast(up, bad));
    if (step > 0 || step < lo - prev - 1) return false;
    int64_t d = prev + 1 + step;
    if (d >= hi) return false;
    if (size_t c = std::min<size_t>(size_t(-step), sp); c && !close(c)) return false;
    t += delta(lead);
    uint32_t label;
    if constexpr (Ranked) {
      uint64_t r = *lab++;
      if (r == 255) {
        r += *lhi++;
        if (r == 510) {
          uint64_t x = get_varint_fast(lhi, bad);
          r = x < nranks ? r + x : ~uint64_t(0);  // no wrap-around into a valid rank
        }
      }
      if ((up > up_end) | (upl > upl_end) | (lhi > lhi_end) | (lead > lead_end) |
          (lab > lab_end) | bits.past(bits_end) | (r >= nranks))
        return false;
      label = rlabel[r];
      prev_info = rinfo[r];
    } else {
      uint64_t l = get_varint2(lab, bad);
      if ((up > up_end) | (lead > lead_end) | (lab > lab_end) | bits.past(bits_end) |
          (l >= nlabels))
        return false;
      label = ident ? uint32_t(l) : lmap[l];
    }
    uint32_t pos = uint32_t(k);
    if constexpr (Direct) {  // depth-major: the next position at this depth
      pos = dcur[d - lo]++;
      if (pos >= dlim[d - lo]) return false;
      dstart[pos] = Time(t);
      dlabel[pos] = label;
      dpos[k] = pos;
    } else {
      out[k] = RawSlice{Time(t), 0, label, 0};
    }
    oob |= t + kTimeSpan / 2 > kTimeSpan;
    spos[sp++] = pos;
    prev = d;
  }
  if (sp && !close(sp)) return false;
  if constexpr (Direct) dout->zero = zero != 0;
  *out_of_range = oob != 0;
  return !bad;
}

// Per depth, in index order: gap after the previous end at that depth, duration, label.
bool Reader::decode_level(Cur* col, const std::vector<uint32_t>& counts, Time base,
                          uint32_t labels, RawSlice* out, bool* out_of_range) const {
  Cur &gap = col[0], &dur = col[1], &lab = col[2];
  const uint64_t nlabels = labels;
  size_t k = 0;
  for (uint32_t n : counts) {
    uint64_t t = uint64_t(base);
    for (uint32_t j = 0; j < n; ++j, ++k) {
      uint64_t start = t + uint64_t(gap.z());
      Time d = dur.z();
      uint64_t l = lab.v();
      if (l >= nlabels) return false;
      out[k] = RawSlice{Time(start), d, lident_ ? uint32_t(l) : lmap_[l], 0};
      t = start + uint64_t(d);
      *out_of_range |=
          (start + kTimeSpan / 2 > kTimeSpan) | (t + kTimeSpan / 2 > kTimeSpan) | (d < 0);
    }
  }
  return !gap.bad && !dur.bad && !lab.bad;
}


// Hands a thread's slices to the builder. With overflow slices, merges the nested ones
// (preorder) with the overflow ones (lane by lane) into one run sorted as TraceBuilder lays
// slices out, nested first where they compare equal, so finish() never sorts.
void Reader::adopt(uint32_t thread, Acc& nested, Acc& over) {
  uint32_t m = tmap_[thread];
  if (nested.direct) {  // decode_blocks: then there is no overflow block
    b_.adopt_slice_set(m, std::move(nested.set));
    return;
  }
  if (over.s.empty()) {
    b_.adopt_slices(m, std::move(nested.s), std::move(nested.args), std::move(nested.extras));
    return;
  }
  std::vector<uint32_t> ord(over.s.size());
  std::iota(ord.begin(), ord.end(), 0u);
  std::stable_sort(ord.begin(), ord.end(),
                   [&](uint32_t x, uint32_t y) { return before(over.s[x], over.s[y]); });
  Acc all;
  all.s.reserve(nested.s.size() + over.s.size());
  std::vector<uint32_t> where[2] = {std::vector<uint32_t>(nested.s.size()),
                                    std::vector<uint32_t>(over.s.size())};
  size_t i = 0, j = 0;
  while (i < nested.s.size() || j < ord.size()) {
    if (j < ord.size() && (i == nested.s.size() || before(over.s[ord[j]], nested.s[i]))) {
      where[1][ord[j]] = uint32_t(all.s.size());
      all.s.push_back(over.s[ord[j++]]);
    } else {
      where[0][i] = uint32_t(all.s.size());
      all.s.push_back(nested.s[i++]);
    }
  }
  auto by_index = [](const SliceAttachment& x, const SliceAttachment& y) {
    return x.index < y.index;
  };
  for (auto [list, out] : {std::pair{&Acc::args, &all.args}, {&Acc::extras, &all.extras}}) {
    for (const SliceAttachment& x : nested.*list) out->push_back({where[0][x.index], x.range});
    for (const SliceAttachment& x : over.*list) out->push_back({where[1][x.index], x.range});
    std::sort(out->begin(), out->end(), by_index);
  }
  b_.adopt_slices(m, std::move(all.s), std::move(all.args), std::move(all.extras));
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

bool Reader::read_instants(Cur& c) {
  uint64_t n = c.v();
  Cur col[7];
  if (c.bad || n > c.left() || !columns(c, 7, col)) return false;
  std::vector<Instant> v(n);
  uint64_t ts = 0, a_end = 0, e_end = 0;
  for (Instant& e : v) {
    e.ts = clamp_ts(Time(ts += uint64_t(col[0].z())));
    uint64_t label = col[1].v();
    e.thread = col[2].opt();
    uint64_t scope = col[3].v(), phase = col[4].v();
    e.args = range(col[5], a_end);
    e.extra = range(col[6], e_end);
    if (!label_ok(label) || !thread_ok(e.thread) || scope > 2 || phase > 0xff ||
        (scope == 0 && e.thread == kNone))
      return false;
    e.label = lmap_[label];
    e.thread = thread_of(e.thread);
    e.scope = Scope(scope);
    e.phase = char(phase);
  }
  for (Cur& x : col)
    if (x.bad) return false;
  for (const Instant& e : v) b_.add_instant(e);
  events_ += n;
  return true;
}

bool Reader::read_counter(Cur& c) {
  uint64_t process = c.v(), name = c.v(), cat = c.v(), nseries = c.v();
  if (c.bad || process >= pmap_.size() || !str_ok(name) || !str_ok(cat) || nseries > c.left())
    return false;
  std::vector<std::pair<StrId, double>> vals(nseries);
  for (auto& [key, value] : vals) {
    uint64_t k = c.v();
    if (!str_ok(k)) return false;
    key = smap_[k];
  }
  uint64_t n = c.v();
  std::vector<Cur> col(2 + nseries);
  if (c.bad || n > c.left() || !columns(c, col.size(), col.data())) return false;
  for (size_t j = 0; j < nseries; ++j)
    if (col[2 + j].left() < 8 * n) return false;
  std::vector<std::pair<Time, uint32_t>> samples(n);  // (ts, thread), checked before any is used
  uint64_t ts = 0;
  for (auto& [t, th] : samples) {
    t = Time(ts += uint64_t(col[0].z()));
    th = col[1].opt();
    if (col[0].bad || col[1].bad || !thread_ok(th)) return false;
  }
  std::vector<uint64_t> prev_bits(nseries, 0);
  for (auto& [t, th] : samples) {
    for (size_t j = 0; j < nseries; ++j) {
      uint64_t bits;
      std::memcpy(&bits, col[2 + j].take(8), 8);
      prev_bits[j] ^= bits;
      std::memcpy(&vals[j].second, &prev_bits[j], 8);
    }
    b_.add_counter_sample(pmap_[process], smap_[name], smap_[cat], clamp_ts(t), thread_of(th),
                          vals.data(), vals.size());
  }
  events_ += n;
  return true;
}

bool Reader::read_async_slices(Cur& c) {
  uint64_t n = c.v();
  Cur col[11];
  if (c.bad || n > c.left() || !columns(c, 11, col)) return false;
  std::vector<AsyncSlice> v(n);
  uint64_t ts = 0, a_end = 0, e_end = 0;
  for (AsyncSlice& e : v) {
    e.start = clamp_ts(Time(ts += uint64_t(col[0].z())));
    e.dur = col[1].z();
    if (e.dur < 0 || e.dur > kMaxAbsTime - e.start)
      e.dur = std::clamp<Time>(e.dur, 0, kMaxAbsTime - e.start), note_clamp();
    uint64_t label = col[2].v(), process = col[3].v();
    e.thread = col[4].opt();
    uint64_t id = col[5].v();
    e.lane = col[6].u32();
    uint64_t flags = col[7].v(), phase = col[8].v();
    e.args = range(col[9], a_end);
    e.end_args = range(col[10], e_end);
    if (!label_ok(label) || process >= pmap_.size() || !thread_ok(e.thread) || !str_ok(id) ||
        flags > 0xff || phase > 0xff)
      return false;
    e.label = lmap_[label], e.process = pmap_[process], e.thread = thread_of(e.thread);
    e.id = smap_[id], e.flags = uint8_t(flags), e.phase = char(phase);
  }
  for (Cur& x : col)
    if (x.bad) return false;
  for (const AsyncSlice& e : v) b_.add_async_slice_raw(e);
  events_ += n;
  return true;
}

// AsyncMarks, Flows, Objects and Others share one shape: ts, label, thread, id/phase, args.
bool Reader::read_events(const Sec& s, Cur& c) {
  SectionKind kind = SectionKind(s.h.kind);
  const size_t ncols = kind == SectionKind::Others ? 5 : 7;
  uint64_t n = c.v();
  Cur col[7];
  if (c.bad || n > c.left() || !columns(c, ncols, col)) return false;
  struct E {
    Time ts;
    uint64_t label, process, id, phase, bind;
    uint32_t thread;
    ByteRange args;
  };
  std::vector<E> v(n);
  uint64_t ts = 0, a_end = 0;
  for (E& e : v) {
    e = E{clamp_ts(Time(ts += uint64_t(col[0].z()))), 0, 0, 0, 0, 0, kNone, {}};
    if (kind == SectionKind::Others) {
      e.thread = col[1].opt(), e.phase = col[2].v(), e.label = col[3].v();
      e.args = range(col[4], a_end);
      if (!str_ok(e.phase)) return false;
    } else {
      bool proc = kind != SectionKind::Flows;
      e.label = col[1].v();
      e.process = proc ? col[2].v() : 0;
      e.thread = proc ? col[3].opt() : col[2].opt();
      e.id = proc ? col[4].v() : col[3].v();
      e.phase = proc ? col[5].v() : col[4].v();
      e.bind = proc ? 0 : col[5].v();
      e.args = range(col[6], a_end);
      if (!str_ok(e.id) || e.phase > 0xff || (proc && e.process >= pmap_.size())) return false;
    }
    if (!label_ok(e.label) || !thread_ok(e.thread)) return false;
    if (kind == SectionKind::AsyncMarks && e.phase != 'n' && e.phase != 'T' && e.phase != 'p')
      return false;
  }
  for (size_t i = 0; i < ncols; ++i)
    if (col[i].bad) return false;
  for (const E& e : v) {
    uint32_t label = lmap_[e.label], th = thread_of(e.thread);
    if (kind == SectionKind::Others) {
      b_.add_other(OtherEvent{e.ts, th, smap_[e.phase], label, e.args});
    } else if (kind == SectionKind::Flows) {
      b_.add_flow(FlowEvent{e.ts, label, th, smap_[e.id], char(e.phase), e.bind != 0, e.args});
    } else if (kind == SectionKind::Objects) {
      b_.add_object(ObjectEvent{e.ts, label, pmap_[e.process], th, smap_[e.id], char(e.phase),
                                e.args});
    } else {
      b_.add_async(char(e.phase), pmap_[e.process], th, t_.labels[label].cat, smap_[e.id], e.ts,
                   label, e.args, seq_++, s.off);
    }
  }
  events_ += n;
  return true;
}

// Files, Functions and Metadata: kept aside and attached after TraceBuilder::finish().
bool Reader::read_misc(const Sec& s, Cur& c) {
  SectionKind kind = SectionKind(s.h.kind);
  uint64_t n = c.v();
  Cur col[3];
  size_t ncols = kind == SectionKind::Metadata ? 2 : 3;
  if (c.bad || n > c.left() || !columns(c, ncols, col)) return false;
  uint64_t prev_end = 0;
  size_t m0 = meta_.size(), f0 = files_.size(), g0 = fns_.size();
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t key = col[0].v();
    bool ok = str_ok(key);
    if (kind == SectionKind::Metadata) {
      meta_.push_back({smap_[ok ? key : 0], range(col[1], prev_end)});
    } else if (kind == SectionKind::Files) {
      ByteRange src = range(col[1], prev_end);
      files_.push_back({smap_[ok ? key : 0], src, col[2].z()});
    } else {
      uint64_t file = col[1].v();
      ok = ok && str_ok(file);
      fns_.push_back({smap_[ok ? key : 0], {smap_[ok ? file : 0], col[2].z()}});
    }
    if (!ok || col[0].bad || col[1].bad || col[2].bad) {
      meta_.resize(m0), files_.resize(f0), fns_.resize(g0);
      return false;
    }
  }
  return true;
}

void Reader::fix_up() {
  for (size_t i = 0; i < unmatched_.size(); ++i) {
    t_.threads[tmap_[i]].unmatched_begin = unmatched_[i].first;
    t_.threads[tmap_[i]].unmatched_end = unmatched_[i].second;
  }
  t_.events = events_;
  if (info_) {
    auto& [origin, unit, object_form, events, has_bounds, start, end] = *info_;
    t_.origin_us = origin;
    t_.display_time_unit = unit;
    t_.object_form = object_form;
    t_.events = events;
    if (has_bounds) t_.start = clamp_ts(start), t_.end = clamp_ts(end);
  }
  t_.metadata = std::move(meta_);
  t_.files = std::move(files_);
  for (auto& [k, loc] : fns_) t_.functions[k] = loc;
  t_.source = args_;
}

}  // namespace

bool read_vzt(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress) {
  if (!file) {
    out.diagnostics.add(DiagKind::NotATrace, 0, "no input");
    return false;
  }
  try {
    Reader r(std::move(file), out, progress);
    return r.run();
  } catch (...) {
    out.diagnostics.add(DiagKind::VztBadSection, 0, "out of memory");
    return !out.diagnostics.fatal();
  }
}

}  // namespace vz
