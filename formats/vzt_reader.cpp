// .vzt decoder (spec: formats/VZT.md).
//
// Two passes over the section headers: the first finds every whole section and gathers the args
// stream (ranges in later sections point into it), the second decodes sections in file order and
// feeds TraceBuilder. Tree-layout slice blocks decode straight into preorder RawSlices, which is
// the (start asc, end desc) order TraceBuilder::finish() lays out without sorting.
#include "formats/vzt_reader.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <numeric>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "formats/builder.h"
#include "formats/io.h"
#include "formats/vzt_format.h"

namespace vz {

using namespace vzt;

namespace {

constexpr size_t kPad = 16;  // zero bytes kept after a decompressed payload (varint over-read)

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

// Same comparison TraceBuilder uses to lay slices out: start ascending, end descending.
Time sat_end(const RawSlice& r) {
  if (r.dur > 0 && r.start > INT64_MAX - r.dur) return INT64_MAX;
  return r.start + r.dur;
}
bool before(const RawSlice& a, const RawSlice& b) {
  return a.start != b.start ? a.start < b.start : sat_end(a) > sat_end(b);
}

// One whole section found by the header scan.
struct Sec {
  uint64_t off;
  SectionHeader h;
};

// Slices of a thread that also has overflow slices: held until the end and merged into one
// sorted run, so TraceBuilder::finish() never sorts.
struct Held {
  std::vector<RawSlice> s[2];
  std::vector<SliceAttachment> args[2], extras[2];
};

class Reader {
 public:
  Reader(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress)
      : file_(std::move(file)), base_(reinterpret_cast<const uint8_t*>(file_->data())),
        size_(file_->size()), t_(out), b_(out), prog_(progress) {}
  ~Reader() {
    if (dctx_) ZSTD_freeDCtx(dctx_);
  }
  bool run();

 private:
  bool header();
  void scan();
  void gather_args();
  bool payload(const Sec& s, Cur& c);
  bool decode(const Sec& s, Cur& c);
  bool read_info(Cur& c);
  bool read_strings(const Sec& s, Cur& c);
  bool read_labels(Cur& c);
  bool read_processes(Cur& c);
  bool read_threads(Cur& c);
  bool read_slices(const Sec& s, Cur& c);
  template <bool Signed>
  bool decode_tree(Cur* col, int64_t first, uint64_t min_depth, uint64_t depths, Time base);
  bool decode_level(Cur* col, const std::vector<uint32_t>& counts, Time base);
  bool read_attachments(Cur& c, std::vector<SliceAttachment>& out);
  void commit_block(uint32_t thread, uint32_t set);
  void merge_held(uint32_t thread, Held& h);
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
  ByteRange range(Cur& c, uint64_t& prev_end);
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
  std::vector<uint8_t> has_overflow_;                    // per stored thread, from the scan
  std::unordered_map<uint32_t, Held> held_;
  std::shared_ptr<const Buffer> args_;
  uint64_t args_base_ = 0, args_total_ = 0, bad_ranges_ = 0, bad_range_at_ = 0;
  uint64_t events_ = 0, seq_ = 0;
  std::optional<std::tuple<int64_t, std::string, bool, uint64_t, bool, Time, Time>> info_;
  std::vector<MetadataEntry> meta_;
  std::vector<SourceFile> files_;
  std::vector<std::pair<StrId, FunctionLocation>> fns_;
  std::vector<RawSlice> blk_;
  std::vector<SliceAttachment> blk_args_, blk_extras_;
  std::vector<uint32_t> stack_pos_, stack_depth_;
  ZSTD_DCtx* dctx_ = nullptr;
  std::unique_ptr<uint8_t[]> zbuf_;
  size_t zcap_ = 0;
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
  else if (h.version_major != kVersionMajor)
    why = "unsupported .vzt version " + std::to_string(h.version_major) + "." +
          std::to_string(h.version_minor) + " (this reader reads " +
          std::to_string(kVersionMajor) + ".x)";
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
    if (h.kind == uint16_t(SectionKind::Slices) && (h.key >> 32) == 1) {
      uint32_t th = uint32_t(h.key);
      if (th < (1u << 26)) {
        if (has_overflow_.size() <= th) has_overflow_.resize(th + 1, 0);
        has_overflow_[th] = 1;
      }
    }
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

// Verifies a section's checksum and decompresses it; c then spans the raw payload.
bool Reader::payload(const Sec& s, Cur& c) {
  const uint8_t* p = base_ + s.off + sizeof(SectionHeader);
  const SectionHeader& h = s.h;
  if (checksum32(p, h.length) != h.payload_check) {
    t_.diagnostics.add(DiagKind::VztChecksum, s.off, "section kind " + std::to_string(h.kind));
    return false;
  }
  if (h.flags & ~uint16_t(kSectionZstd)) return bad(s.off, "unknown section flags"), false;
  if (!(h.flags & kSectionZstd)) {
    if (h.raw_length != h.length) return bad(s.off, "raw section with a wrong length"), false;
    c = Cur{p, p + h.length};
    return true;
  }
  if (h.raw_length > kMaxSectionRaw) return bad(s.off, "section too large"), false;
  if (zcap_ < h.raw_length + kPad) {
    zbuf_.reset(new (std::nothrow) uint8_t[h.raw_length + kPad]);
    zcap_ = zbuf_ ? h.raw_length + kPad : 0;
    if (!zbuf_) return bad(s.off, "out of memory decompressing a section"), false;
  }
  if (!dctx_) dctx_ = ZSTD_createDCtx();
  size_t r = dctx_ ? ZSTD_decompressDCtx(dctx_, zbuf_.get(), h.raw_length, p, h.length) : 0;
  if (!dctx_ || ZSTD_isError(r) || r != h.raw_length)
    return bad(s.off, "zstd payload does not decompress"), false;
  std::memset(zbuf_.get() + h.raw_length, 0, kPad);
  c = Cur{zbuf_.get(), zbuf_.get() + h.raw_length};
  return true;
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

ByteRange Reader::range(Cur& c, uint64_t& prev_end) {
  uint64_t len = c.v();
  if (len == 0) return {};
  uint64_t off = prev_end + uint64_t(c.z());
  prev_end = off + len;
  if (off > args_total_ || len > args_total_ - off) {
    if (bad_ranges_++ == 0) bad_range_at_ = uint64_t(c.p - base_);
    return {};
  }
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
    if (s.h.kind == 0 || s.h.kind > kLastKnownKind) {
      t_.diagnostics.add(DiagKind::VztUnknownSection, s.off,
                         "kind " + std::to_string(s.h.kind) + " skipped");
      continue;
    }
    Cur c;
    try {
      if (payload(s, c) && !decode(s, c))
        bad(s.off, "section kind " + std::to_string(s.h.kind) + " does not decode; skipped");
    } catch (const std::bad_alloc&) {
      bad(s.off, "out of memory decoding a section");
    }
    if (prog_) {
      prog_->bytes_done.store(s.off + s.h.length, std::memory_order_relaxed);
      prog_->events.store(events_, std::memory_order_relaxed);
    }
  }
  for (auto& [th, h] : held_) merge_held(th, h);
  held_.clear();
  if (bad_ranges_)
    t_.diagnostics.add_n(DiagKind::VztBadSection, bad_ranges_, bad_range_at_,
                         "byte ranges outside the args stream dropped");
  if (prog_) prog_->phase.store(int(LoadPhase::Building), std::memory_order_relaxed);
  b_.finish();
  fix_up();
  return true;
}

bool Reader::decode(const Sec& s, Cur& c) {
  switch (SectionKind(s.h.kind)) {
    case SectionKind::Info: return read_info(c);
    case SectionKind::Strings: return read_strings(s, c);
    case SectionKind::Labels: return read_labels(c);
    case SectionKind::Processes: return read_processes(c);
    case SectionKind::Threads: return read_threads(c);
    case SectionKind::Slices: return read_slices(s, c);
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
    if (has_bounds) t_.start = start, t_.end = end;
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
  } catch (const std::bad_alloc&) {
    out.diagnostics.add(DiagKind::VztBadSection, 0, "out of memory");
    return !out.diagnostics.fatal();
  }
}

}  // namespace vz
