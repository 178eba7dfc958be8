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

bool Reader::read_slices(const Sec& s, Cur& c) {
  uint64_t set = c.v(), layout = c.v(), tflags = c.v(), first = c.v();
  uint64_t min_depth = c.v(), depths = c.v();
  if (c.bad || set > 1 || layout > 1 || depths == 0 || depths > kMaxDepth ||
      min_depth > kMaxDepth || first < min_depth || first >= min_depth + depths ||
      depths > c.left() || (s.h.key >> 32) != set)
    return false;
  std::vector<uint32_t> counts(depths);
  uint64_t total = 0;
  for (uint32_t& n : counts) total += n = c.u32();
  Time base = c.z();
  uint32_t thread = uint32_t(s.h.key);
  Cur col[7];
  if (c.bad || total != s.h.count || total > c.left() || thread >= tmap_.size() ||
      !columns(c, layout == uint64_t(SliceLayout::Tree) ? 7 : 6, col))
    return false;
  blk_.resize(total);
  bool ok;
  size_t k;
  if (layout == uint64_t(SliceLayout::Tree)) {
    ok = tflags & kTreeSigned ? decode_tree<true>(col, int64_t(first), min_depth, depths, base)
                              : decode_tree<false>(col, int64_t(first), min_depth, depths, base);
    k = 3;
  } else {
    ok = decode_level(col, counts, base);
    k = 2;
  }
  if (!ok) return false;
  uint64_t nflags = col[k + 1].v();
  if (nflags > col[k + 1].left()) return false;
  for (uint64_t i = 0, at = 0; i < nflags; ++i) {
    at += col[k + 1].v();
    uint64_t f = col[k + 1].v();
    if (at >= total || f > 0xff) return false;
    blk_[at].flags = uint8_t(f);
  }
  if (col[k + 1].bad || !read_attachments(col[k + 2], blk_args_) ||
      !read_attachments(col[k + 3], blk_extras_))
    return false;
  events_ += total;
  commit_block(thread, uint32_t(set));
  return true;
}

bool Reader::read_attachments(Cur& c, std::vector<SliceAttachment>& out) {
  out.clear();
  uint64_t n = c.v();
  if (c.bad || n > c.left()) return false;
  uint64_t at = 0, prev_end = 0;
  for (uint64_t i = 0; i < n; ++i) {
    at += c.v();
    if (at >= blk_.size()) return false;
    ByteRange r = range(c, prev_end);
    if (!r.empty()) out.push_back({uint32_t(at), r});
  }
  return !c.bad;
}

// Preorder items: depth (as a step from the previous item's), then a begin-time delta; each item
// ends (end-time delta) when a later item at its depth or shallower arrives, or the block ends.
template <bool Signed>
bool Reader::decode_tree(Cur* col, int64_t first, uint64_t min_depth, uint64_t depths, Time base) {
  Cur &up = col[0], &lead = col[1], &tail = col[2], &lab = col[3];
  const size_t n = blk_.size();
  const int64_t lo = int64_t(min_depth), hi = int64_t(min_depth + depths);
  const uint64_t nlabels = lmap_.size();
  stack_pos_.resize(std::min<size_t>(depths, n) + 1);
  stack_depth_.resize(stack_pos_.size());
  uint32_t* spos = stack_pos_.data();
  uint32_t* sdep = stack_depth_.data();
  size_t sp = 0;
  uint64_t t = uint64_t(base);
  int64_t prev = first - 1;
  RawSlice* out = blk_.data();
  auto delta = [](Cur& c) { return Signed ? uint64_t(c.z()) : c.v(); };
  for (size_t k = 0; k < n; ++k) {
    int64_t step = up.z();
    if (step < -int64_t(kMaxDepth) || step > int64_t(kMaxDepth)) return false;
    int64_t d = prev + 1 + step;
    if (d < lo || d >= hi) return false;
    while (sp && int64_t(sdep[sp - 1]) >= d) {
      uint32_t pos = spos[--sp];
      t += delta(tail);
      out[pos].dur = Time(t - uint64_t(out[pos].start));
    }
    t += delta(lead);
    uint64_t l = lab.v();
    if (l >= nlabels) return false;
    out[k] = RawSlice{Time(t), 0, lident_ ? uint32_t(l) : lmap_[l], 0};
    spos[sp] = uint32_t(k);
    sdep[sp++] = uint32_t(d);
    prev = d;
  }
  while (sp) {
    uint32_t pos = spos[--sp];
    t += delta(tail);
    out[pos].dur = Time(t - uint64_t(out[pos].start));
  }
  return !up.bad && !lead.bad && !tail.bad && !lab.bad;
}

// Per depth, in index order: gap after the previous end at that depth, duration, label.
bool Reader::decode_level(Cur* col, const std::vector<uint32_t>& counts, Time base) {
  Cur &gap = col[0], &dur = col[1], &lab = col[2];
  const uint64_t nlabels = lmap_.size();
  size_t k = 0;
  for (uint32_t n : counts) {
    uint64_t t = uint64_t(base);
    for (uint32_t j = 0; j < n; ++j, ++k) {
      uint64_t start = t + uint64_t(gap.z());
      Time d = dur.z();
      uint64_t l = lab.v();
      if (l >= nlabels) return false;
      blk_[k] = RawSlice{Time(start), d, lident_ ? uint32_t(l) : lmap_[l], 0};
      t = start + uint64_t(d);
    }
  }
  return !gap.bad && !dur.bad && !lab.bad;
}

void Reader::commit_block(uint32_t thread, uint32_t set) {
  uint32_t m = tmap_[thread];
  if (thread >= has_overflow_.size() || !has_overflow_[thread]) {
    b_.append_slices(m, blk_.data(), blk_.size(), blk_args_.data(), blk_args_.size(),
                     blk_extras_.data(), blk_extras_.size());
    return;
  }
  Held& h = held_[thread];
  uint32_t at = uint32_t(h.s[set].size());
  h.s[set].insert(h.s[set].end(), blk_.begin(), blk_.end());
  for (const SliceAttachment& a : blk_args_) h.args[set].push_back({at + a.index, a.range});
  for (const SliceAttachment& a : blk_extras_) h.extras[set].push_back({at + a.index, a.range});
}

// Merges a thread's nested slices (preorder) with its overflow slices (lane by lane) into one
// run sorted as TraceBuilder lays slices out; nested ones first where they compare equal.
void Reader::merge_held(uint32_t thread, Held& h) {
  std::vector<RawSlice>&nested = h.s[0], &over = h.s[1];
  std::vector<uint32_t> ord(over.size());
  std::iota(ord.begin(), ord.end(), 0u);
  std::stable_sort(ord.begin(), ord.end(),
                   [&](uint32_t a, uint32_t b) { return before(over[a], over[b]); });
  std::vector<RawSlice> all;
  all.reserve(nested.size() + over.size());
  std::vector<uint32_t> where[2] = {std::vector<uint32_t>(nested.size()),
                                    std::vector<uint32_t>(over.size())};
  size_t i = 0, j = 0;
  while (i < nested.size() || j < ord.size()) {
    if (j < ord.size() && (i == nested.size() || before(over[ord[j]], nested[i]))) {
      where[1][ord[j]] = uint32_t(all.size());
      all.push_back(over[ord[j++]]);
    } else {
      where[0][i] = uint32_t(all.size());
      all.push_back(nested[i++]);
    }
  }
  std::vector<SliceAttachment> args, extras;
  for (int s = 0; s < 2; ++s) {
    for (const SliceAttachment& a : h.args[s]) args.push_back({where[s][a.index], a.range});
    for (const SliceAttachment& a : h.extras[s]) extras.push_back({where[s][a.index], a.range});
  }
  auto by_index = [](const SliceAttachment& a, const SliceAttachment& b) {
    return a.index < b.index;
  };
  std::sort(args.begin(), args.end(), by_index);
  std::sort(extras.begin(), extras.end(), by_index);
  b_.append_slices(tmap_[thread], all.data(), all.size(), args.data(), args.size(),
                   extras.data(), extras.size());
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
    e.ts = Time(ts += uint64_t(col[0].z()));
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
  std::vector<uint64_t> prev_bits(nseries, 0);
  uint64_t ts = 0;
  for (uint64_t i = 0; i < n; ++i) {
    ts += uint64_t(col[0].z());
    uint32_t th = col[1].opt();
    if (col[0].bad || col[1].bad || !thread_ok(th)) return false;
    for (size_t j = 0; j < nseries; ++j) {
      uint64_t bits;
      std::memcpy(&bits, col[2 + j].take(8), 8);
      prev_bits[j] ^= bits;
      std::memcpy(&vals[j].second, &prev_bits[j], 8);
    }
    b_.add_counter_sample(pmap_[process], smap_[name], smap_[cat], Time(ts), thread_of(th),
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
    e.start = Time(ts += uint64_t(col[0].z()));
    e.dur = col[1].z();
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
    e = E{Time(ts += uint64_t(col[0].z())), 0, 0, 0, 0, 0, kNone, {}};
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
