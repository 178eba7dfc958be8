// .vzt decoder (spec: formats/VZT.md).
//
// Three steps: find every whole section and gather the args stream (ranges in later sections
// point into it); decode the other sections in file order into TraceBuilder, setting the Slices
// sections aside; decode those on all cores (each is independent once the tables are in) and
// hand each thread's slices to the builder in one vector. Tree-layout blocks decode straight into
// preorder RawSlices: the (start asc, end desc) order TraceBuilder::finish() lays out unsorted.
//
// This file holds the scan, the tables and the event lists; Slices sections are decoded in
// formats/vzt_slice_decode.cpp; the Reader class both share is in formats/vzt_reader_internal.h.
#include "formats/vzt_reader.h"

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
#include "formats/vzt_reader_internal.h"

namespace vz {

using namespace vzt;

namespace vzt_read {

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
  if (h.raw_length > max_raw_length()) return *detail = "section too large", false;
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
    if (k == SectionKind::Args) continue;
    if (k == SectionKind::Index || k == SectionKind::End) {  // not needed to load, but checked
      Cur c;
      payload(s, c);
      continue;
    }
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
  if (info_) t_.origin_us = std::get<0>(*info_);  // (finish()'s messages print times)
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
    case SectionKind::Counter: return read_counter(s, c);
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
  Cur col[3];
  size_t more = 0;  // 2.2: the colour column
  if (c.bad || first != lmap_.size() || n > c.left() || !columns(c, 2, col, 1, &more)) return false;
  struct L {
    uint64_t name, cat, color;
  };
  std::vector<L> v(n);
  for (L& l : v) {
    l.name = col[0].v(), l.cat = col[1].v(), l.color = more ? col[2].v() : 0;
    if (!str_ok(l.name) || !str_ok(l.cat)) return false;
  }
  if (col[0].bad || col[1].bad || col[2].bad) return false;
  for (const L& l : v) {
    // A colour this reader does not know is none.
    const uint8_t color = l.color <= kChromeColors ? uint8_t(l.color) : 0;
    lmap_.push_back(b_.label(smap_[l.name], smap_[l.cat], color));
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
    // The phase must be one the model's instants hold: a writer turns it back into JSON.
    if (!label_ok(label) || !thread_ok(e.thread) || scope > 2 ||
        (phase != 'i' && phase != 'I' && phase != 'R') || (scope == 0 && e.thread == kNone))
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

bool Reader::read_counter(const Sec& s, Cur& c) {
  uint64_t process = c.v(), name = c.v(), cat = c.v(), nseries = c.v();
  if (c.bad || process >= pmap_.size() || !str_ok(name) || !str_ok(cat) || nseries > c.left())
    return false;
  std::vector<StrId> keys(nseries);
  for (StrId& key : keys) {
    uint64_t k = c.v();
    if (!str_ok(k)) return false;
    key = smap_[k];
  }
  uint64_t n = c.v();
  std::vector<Cur> col(4 + nseries);
  size_t more = 0;  // the id column (2.3), the samples' other fields (2.4)
  if (c.bad || n > c.left() || !columns(c, 2 + nseries, col.data(), 2, &more)) return false;
  StrId id = kNoStr;
  if (more >= 1) {
    const uint32_t k = col[2 + nseries].opt();
    if (col[2 + nseries].bad || (k != kNone && !str_ok(k))) return false;
    if (k != kNone) id = smap_[k];
  }
  for (size_t j = 0; j < nseries; ++j)
    if (col[2 + j].left() < 8 * n) return false;
  // Every column is read and checked before any sample is added.
  std::vector<Time> ts(n);
  std::vector<uint32_t> threads(n);
  uint64_t t = 0;
  for (size_t i = 0; i < n; ++i) {
    ts[i] = Time(t += uint64_t(col[0].z()));
    const uint32_t th = col[1].opt();
    if (col[0].bad || col[1].bad || !thread_ok(th)) return false;
    threads[i] = thread_of(th);
  }
  std::vector<ByteRange> extra;
  if (more >= 2) {
    extra.resize(n);
    uint64_t prev_end = 0;
    for (ByteRange& r : extra) r = range(col[3 + nseries], prev_end);
    if (col[3 + nseries].bad) return false;
  }
  // Each series: n doubles, each the XOR of its bits with the sample's before.
  std::vector<double> cells(nseries * n);
  std::vector<const double*> values(nseries);
  for (size_t j = 0; j < nseries; ++j) {
    double* v = cells.data() + j * n;
    const uint8_t* p = col[2 + j].take(8 * n);
    uint64_t prev = 0;
    for (size_t i = 0; i < n; ++i) {
      uint64_t bits;
      std::memcpy(&bits, p + 8 * i, 8);
      prev ^= bits;
      std::memcpy(&v[i], &prev, 8);
    }
    values[j] = v;
  }
  for (Time& x : ts) x = clamp_ts(x);
  b_.add_counter_run(pmap_[process], smap_[name], smap_[cat], id, keys.data(), nseries, n,
                     ts.data(), threads.data(), values.data(), extra.empty() ? nullptr : extra.data(),
                     s.off);
  events_ += n;
  return true;
}

bool Reader::read_async_slices(Cur& c) {
  uint64_t n = c.v();
  Cur col[15];
  size_t more = 0;  // scope, extra, end_extra (2.1), end_thread (2.5)
  if (c.bad || n > c.left() || !columns(c, 11, col, 4, &more)) return false;
  std::vector<AsyncSlice> v(n);
  uint64_t ts = 0, a_end = 0, e_end = 0, x_end = 0, y_end = 0;
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
    uint64_t scope = more > 0 ? col[11].v() : 0;
    if (more > 1) e.extra = range(col[12], x_end);
    if (more > 2) e.end_extra = range(col[13], y_end);
    e.end_thread = more > 3 ? col[14].opt() : kNone;
    if (!label_ok(label) || process >= pmap_.size() || !thread_ok(e.thread) || !thread_ok(e.end_thread) || !str_ok(id) ||
        !str_ok(scope) || flags > 0xff || (phase != 'b' && phase != 'S'))
      return false;
    e.label = lmap_[label], e.process = pmap_[process], e.thread = thread_of(e.thread);
    e.end_thread = thread_of(e.end_thread);
    e.id = smap_[id], e.flags = uint8_t(flags), e.phase = char(phase), e.scope = smap_[scope];
  }
  for (size_t i = 0; i < 11 + more; ++i)
    if (col[i].bad) return false;
  for (const AsyncSlice& e : v) b_.add_async_slice_raw(e);
  events_ += n;
  return true;
}

// AsyncMarks, Flows, Objects and Others share one shape: ts, label, thread, id/phase, args.
bool Reader::read_events(const Sec& s, Cur& c) {
  SectionKind kind = SectionKind(s.h.kind);
  const size_t ncols = kind == SectionKind::Others ? 5 : 7;
  // 2.1 appended columns: Flows extra; AsyncMarks and Objects scope, extra.
  const size_t optional = kind == SectionKind::Others ? 0 : kind == SectionKind::Flows ? 1 : 2;
  uint64_t n = c.v();
  Cur col[9];
  size_t more = 0;
  if (c.bad || n > c.left() || !columns(c, ncols, col, optional, &more)) return false;
  const bool scoped = optional == 2 && more > 0;  // scope before extra
  const bool extra = more == optional && optional > 0;
  struct E {
    Time ts;
    uint64_t label, process, id, phase, bind, scope;
    uint32_t thread;
    ByteRange args, extra;
  };
  std::vector<E> v(n);
  uint64_t ts = 0, a_end = 0, x_end = 0;
  for (E& e : v) {
    e = E{clamp_ts(Time(ts += uint64_t(col[0].z()))), 0, 0, 0, 0, 0, 0, kNone, {}, {}};
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
      if (scoped) e.scope = col[7].v();
      if (extra) e.extra = range(col[ncols + optional - 1], x_end);
      if (!str_ok(e.id) || !str_ok(e.scope) || e.phase > 0xff || (proc && e.process >= pmap_.size()))
        return false;
    }
    if (!label_ok(e.label) || !thread_ok(e.thread)) return false;
    if (kind == SectionKind::AsyncMarks && e.phase != 'n' && e.phase != 'T' && e.phase != 'p')
      return false;
    if (kind == SectionKind::Flows && e.phase != 's' && e.phase != 't' && e.phase != 'f' && e.phase != 'X')
      return false;
    if (kind == SectionKind::Objects && e.phase != 'N' && e.phase != 'O' && e.phase != 'D') return false;
  }
  for (size_t i = 0; i < ncols + more; ++i)
    if (col[i].bad) return false;
  for (const E& e : v) {
    uint32_t label = lmap_[e.label], th = thread_of(e.thread);
    if (kind == SectionKind::Others) {
      b_.add_other(OtherEvent{e.ts, th, smap_[e.phase], label, e.args});
    } else if (kind == SectionKind::Flows) {
      const bool x = e.phase == 'X';  // (its bind column holds its in/out bits since 2.3)
      b_.add_flow(FlowEvent{e.ts, label, th, smap_[e.id], char(e.phase), !x && e.bind != 0, e.args, e.extra,
                            uint8_t(x ? e.bind & 3 : 0)});
    } else if (kind == SectionKind::Objects) {
      b_.add_object(ObjectEvent{e.ts, label, pmap_[e.process], th, smap_[e.id], char(e.phase),
                                e.args, smap_[e.scope], e.extra});
    } else {
      b_.add_async(char(e.phase), pmap_[e.process], th, t_.labels[label].cat, smap_[e.id], e.ts,
                   label, e.args, seq_++, s.off, smap_[e.scope], e.extra);
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
  mark_bare(t_);  // again: a thread with only unmatched counts is not bare
  t_.events = events_;
  if (info_) {
    auto& [origin, unit, object_form, events, has_bounds, start, end] = *info_;
    t_.origin_us = origin;
    t_.display_time_unit = unit;
    t_.object_form = object_form;
    // The writer's count of the input's events (which counts events the model leaves out); in
    // a file cut short, the events read: its Info may count events cut off, or none (a
    // stream's first Info, written before any event, all a killed recorder leaves).
    if (complete_) t_.events = events;
    // The stored bounds may be wider than the events (a JSON trace's metadata times), never
    // narrower: views place every event inside [start, end]. Reversed bounds are ignored.
    const Time lo = clamp_ts(start), hi = clamp_ts(end);
    if (has_bounds && lo <= hi) {
      t_.start = b_.timed() ? std::min(t_.start, lo) : lo;
      t_.end = b_.timed() ? std::max(t_.end, hi) : hi;
    }
  }
  t_.metadata = std::move(meta_);
  t_.files = std::move(files_);
  for (auto& [k, loc] : fns_) t_.functions[k] = loc;
  t_.source = args_;
}

}  // namespace vzt_read

using vzt_read::Reader;

bool read_vzt(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress) {
  return read_vzt(std::move(file), out, progress, VztReadOptions{});
}

bool read_vzt(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress,
              const VztReadOptions& options) {
  if (!file) {
    out.diagnostics.add(DiagKind::NotATrace, 0, "no input");
    return false;
  }
  try {
    Reader r(std::move(file), out, progress, options.direct_slices);
    return r.run();
  } catch (...) {
    out.diagnostics.add(DiagKind::VztBadSection, 0, "out of memory");
    return !out.diagnostics.fatal();
  }
}

}  // namespace vz
