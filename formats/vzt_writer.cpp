// .vzt encoder: VztStreamWriter and write_vzt (spec: formats/VZT.md).
//
// Every section is built in memory as a small head of varints followed by columns (each prefixed
// by its byte length), optionally zstd-compressed, then written with its 40-byte header in one
// piece. Slices of a properly nested thread are written in the Tree layout: a preorder walk in
// which every timestamp is a delta from the previous begin/end event, so parents' long durations
// cost no more than leaves' short ones.
//
// This file holds sections, tables, event lists and the footer; Slices sections are encoded in
// formats/vzt_slice_encode.cpp; VztStreamWriter::Impl, which both share, is in
// formats/vzt_writer_internal.h.
#include "formats/vzt_writer.h"

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>
#include <utility>

#include "formats/io.h"
#include "formats/vzt_writer_internal.h"

namespace vz {

using namespace vzt;
using namespace vzt_write;

bool VztStreamWriter::Impl::sink(const void* p, size_t n) {
  if (failed) return false;
  if (fd < 0) {
    if (!atomic.write(p, n)) return fail("write failed");
  } else {
    const char* c = static_cast<const char*>(p);
    while (n) {
      ssize_t w = ::write(fd, c, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return fail(std::string("write failed: ") + std::strerror(errno));
      c += w;
      n -= size_t(w);
    }
    return true;
  }
  return true;
}

void vzt_write::pack_section(const VztWriteOptions& opt, ZSTD_CCtx*& cctx, SectionKind kind, uint64_t key,
                             uint32_t count, const uint8_t* raw, size_t n, bool compress,
                             const std::vector<size_t>& parts, Bytes& packed) {
  SectionHeader h{};
  h.kind = uint16_t(kind);
  h.raw_length = n;
  h.key = key;
  h.count = count;
  packed.clear();
  packed.resize(sizeof h);
  size_t z = 0;
  if (compress && opt.compress && n >= 64) {
    if (!cctx && (cctx = ZSTD_createCCtx())) {
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, opt.level);
      // Columns of bucket symbols are near-random bytes: matches shorter than 6 bytes cost more
      // than the literals they replace (measured: 2% smaller files on the bench trace).
      ZSTD_CCtx_setParameter(cctx, ZSTD_c_minMatch, 6);
    }
    for (size_t i = 0, from = 0; cctx && from < n; ++i) {
      size_t to = i + 1 < parts.size() ? parts[i + 1] : n;
      if (to - from < 4096 && to < n) continue;  // small parts share a frame with the next
      size_t bound = ZSTD_compressBound(to - from);
      packed.resize(sizeof h + z + bound);
      size_t r = ZSTD_compress2(cctx, packed.data() + sizeof h + z, bound, raw + from, to - from);
      if (ZSTD_isError(r)) z = n;
      if (ZSTD_isError(r) || (z += r) >= n) break;
      from = to;
    }
  }
  if (z > 0 && z < n) {
    h.flags |= kSectionZstd;
    packed.resize(sizeof h + z);
  } else {
    packed.resize(sizeof h);
    packed.raw(raw, n);
  }
  h.length = packed.size() - sizeof h;
  h.payload_check = checksum32(packed.data() + sizeof h, h.length);
  h.header_check = checksum32(&h, offsetof(SectionHeader, header_check));
  std::memcpy(packed.data(), &h, sizeof h);
}

bool VztStreamWriter::Impl::append(const Bytes& section) {
  if (failed || !open) return false;
  if (!sink(section.data(), section.size())) return false;
  last_section = offset;
  offset += section.size();
  return true;
}

// Writes one section: header + payload, as one write. Compressed, the payload is one zstd frame
// per part (parts are the byte offsets where the head and each column start): a column gets
// entropy tables of its own, and the reader still decompresses the concatenated frames in one
// call. Kept raw when compression does not make it smaller.
bool VztStreamWriter::Impl::emit(SectionKind kind, uint64_t key, uint32_t count,
                                 const uint8_t* raw, size_t n, bool compress,
                                 const std::vector<size_t>& parts) {
  if (failed || !open) return false;
  pack_section(opt, cctx, kind, key, count, raw, n, compress, parts, packed);
  return append(packed);
}

void vzt_write::serialize_payload(Payload& pl, Bytes& out, std::vector<size_t>& parts) {
  out.clear();
  out.raw(pl.head.data(), pl.head.size());
  out.v(pl.cols.size());
  for (Bytes& c : pl.cols) out.v(c.size());
  parts.assign(1, 0);
  for (Bytes& c : pl.cols) parts.push_back(out.size()), out.raw(c.data(), c.size());
}

bool VztStreamWriter::Impl::emit(SectionKind kind, uint64_t key, uint32_t count, Payload& pl) {
  if (!flush_args()) return false;
  serialize_payload(pl, out, parts);
  return emit(kind, key, count, out.data(), out.size(), true, parts);
}

// Args bytes go out just before the section that points at them, so truncation keeps both.
bool VztStreamWriter::Impl::flush_args() {
  if (pending_args.size() == 0) return !failed;
  uint64_t key = args_flushed;
  args_flushed += pending_args.size();
  bool ok = emit(SectionKind::Args, key, 0, pending_args.data(), pending_args.size(), true);
  pending_args.clear();
  return ok;
}

// Copies the bytes of r (a range into src) to the pending args; returns their stream range.
ByteRange VztStreamWriter::Impl::copy(ByteRange r, std::string_view src) {
  if (r.len == 0 || r.offset > src.size() || r.len > src.size() - r.offset) return {};
  ByteRange out{args_flushed + pending_args.size(), r.len};
  pending_args.raw(src.data() + r.offset, r.len);
  return out;
}

// A range column entry: len, then (if len) the offset as a delta from the previous range's end.
void VztStreamWriter::Impl::range(Bytes& col, ByteRange r, std::string_view src,
                                  uint64_t& prev_end) {
  ByteRange c = copy(r, src);
  col.v(c.len);
  if (c.len == 0) return;
  col.z(int64_t(c.offset - prev_end));
  prev_end = c.offset + c.len;
}

bool VztStreamWriter::Impl::start_file() {
  FileHeader fh{};
  std::memcpy(fh.magic, kMagic, kMagicSize);
  fh.version_major = kVersionMajor;
  fh.version_minor = kVersionMinor;
  fh.created_ns = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count());
  fh.check = checksum32(&fh, offsetof(FileHeader, check));
  open = true;
  if (!sink(&fh, sizeof fh)) return false;
  offset = sizeof fh;
  return true;
}

VztStreamWriter::VztStreamWriter() : impl_(std::make_unique<Impl>()) {}
VztStreamWriter::~VztStreamWriter() { abort(); }

bool VztStreamWriter::open(const std::string& path, const VztWriteOptions& options,
                           std::string* error) {
  impl_ = std::make_unique<Impl>();
  impl_->opt = options;
  if (!impl_->atomic.open(path, error)) return impl_->fail(error ? *error : "cannot open");
  if (impl_->start_file()) return true;
  if (error) *error = impl_->error;
  return false;
}

bool VztStreamWriter::open_streaming(const std::string& path, const VztWriteOptions& options,
                                     std::string* error) {
  impl_ = std::make_unique<Impl>();
  impl_->opt = options;
  impl_->fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (impl_->fd < 0) {
    impl_->fail("cannot open " + path + ": " + std::strerror(errno));
    if (error) *error = impl_->error;
    return false;
  }
  if (impl_->start_file()) return true;
  if (error) *error = impl_->error;
  return false;
}

bool VztStreamWriter::ok() const { return !impl_->failed; }
const std::string& VztStreamWriter::error() const { return impl_->error; }
uint64_t VztStreamWriter::bytes_written() const { return impl_->offset; }

void VztStreamWriter::abort() {
  if (!impl_ || !impl_->open) return;
  impl_->open = false;
  if (impl_->fd >= 0) {
    ::close(impl_->fd);
    impl_->fd = -1;
  } else {
    impl_->atomic.abort();
  }
}

bool VztStreamWriter::write_info(const VztInfo& info) {
  return impl_->guard([&] { return impl_->info(info); });
}

bool VztStreamWriter::Impl::info(const VztInfo& info) {
  Bytes b;
  b.z(info.origin_us);
  b.v(info.display_time_unit.size());
  b.raw(info.display_time_unit.data(), info.display_time_unit.size());
  b.v(info.object_form ? 1 : 0);
  b.v(info.events);
  b.v(info.has_bounds ? 1 : 0);
  b.z(info.start);
  b.z(info.end);
  return emit(SectionKind::Info, 0, 0, b.data(), b.size(), true);
}

bool VztStreamWriter::write_strings(StrId first, const std::string_view* strings, size_t n) {
  Impl& m = *impl_;
  if (first != m.next_string) return m.fail("strings must be written in id order");
  return m.guard([&] { return m.strings(first, strings, n); });
}

bool VztStreamWriter::Impl::strings(StrId first, const std::string_view* strings, size_t n) {
  Impl& m = *this;
  size_t i = 0;
  while (i < n) {
    Payload pl(2);
    size_t j = i, bytes = 0;
    for (; j < n && j - i < m.opt.block_events && bytes < (64u << 20); ++j) {
      pl[0].v(strings[j].size());
      pl[1].raw(strings[j].data(), strings[j].size());
      bytes += strings[j].size();
    }
    pl.head.v(first + i);
    pl.head.v(j - i);
    if (!m.emit(SectionKind::Strings, 0, uint32_t(j - i), pl)) return false;
    i = j;
  }
  m.next_string = StrId(first + n);
  return true;
}

bool VztStreamWriter::write_labels(uint32_t first, const Label* labels, size_t n) {
  return impl_->events(SectionKind::Labels, labels, n, 3, [&](EventCols& c, const Label& l) {
    c[0].v(l.name);
    c[1].v(l.cat);
    c[2].v(l.color);
  }, first);
}

bool VztStreamWriter::write_processes(uint32_t first, const Process* processes, size_t n) {
  return impl_->events(SectionKind::Processes, processes, n, 5, [&](EventCols& c, const Process& p) {
    c[0].v(p.pid);
    c[1].v(p.name);
    c[2].v(p.labels);
    c[3].v(p.has_sort_index ? kRecordHasSortIndex : 0);
    c[4].z(p.sort_index);
  }, first);
}

bool VztStreamWriter::write_threads(uint32_t first, const Thread* threads, size_t n) {
  return impl_->events(SectionKind::Threads, threads, n, 7, [&](EventCols& c, const Thread& t) {
    c[0].v(t.process);
    c[1].v(t.tid);
    c[2].v(t.name);
    c[3].v(t.has_sort_index ? kRecordHasSortIndex : 0);
    c[4].z(t.sort_index);
    c[5].v(t.unmatched_begin);
    c[6].v(t.unmatched_end);
  }, first);
}

// ---------------------------------------------------------------------------------------------
// Event lists: one column per field, timestamps as deltas from the previous event's.
// ---------------------------------------------------------------------------------------------

// Encodes v[0..n) in sections of `kind` with `put(cols, item)`. Tables (labels, processes,
// threads) pass the index of v[0], which heads each section before the count.
template <class T, class Put>
bool VztStreamWriter::Impl::events(SectionKind kind, const T* v, size_t n, size_t ncols,
                                   Put&& put, int64_t first) {
  return chunked(n, [&](size_t i0, size_t k) {
    EventCols c(ncols);
    if (first >= 0) c.pl.head.v(uint64_t(first) + i0);
    c.pl.head.v(k);
    for (size_t i = i0; i < i0 + k; ++i) put(c, v[i]);
    return emit(kind, 0, uint32_t(k), c.pl);
  });
}

bool VztStreamWriter::write_instants(const Instant* in, size_t n, std::string_view src) {
  Impl& m = *impl_;
  return m.chunked(n, [&](size_t i0, size_t k) {
    EventCols c(7);
    c.pl.head.v(k);
    Time t0 = INT64_MAX, t1 = INT64_MIN;
    uint32_t thread = in[i0].thread;  // the one thread they are all on, or kNone
    for (size_t i = i0; i < i0 + k; ++i) {
      const Instant& e = in[i];
      c.ts(e.ts);
      c[1].v(e.label);
      c[2].opt(e.thread);
      c[3].v(uint8_t(e.scope));
      c[4].v(uint8_t(e.phase));
      m.range(c[5], e.args, src, c.ends[0]);
      m.range(c[6], e.extra, src, c.ends[1]);
      t0 = std::min(t0, e.ts), t1 = std::max(t1, e.ts);
      if (e.thread != thread || e.scope != Scope::Thread) thread = kNone;
    }
    uint64_t key = thread == kNone ? kMixedKey : thread;
    if (!m.emit(SectionKind::Instants, key, uint32_t(k), c.pl)) return false;
    if (thread != kNone)
      m.index.push_back({m.last_section, uint16_t(SectionKind::Instants), key, t0, t1,
                         uint32_t(k)});
    return true;
  });
}

bool VztStreamWriter::write_counter(const Counter& c, std::string_view src) {
  Impl& m = *impl_;
  size_t n = c.ts.size();
  for (const CounterSeries& s : c.series)
    if (s.values.size() != n) return m.fail("counter series length differs from its samples");
  if (c.tid_of_sample.size() != n && !c.tid_of_sample.empty())
    return m.fail("counter tid_of_sample length differs from its samples");
  for (size_t j = 0; j < c.extras.size(); ++j)
    if (c.extras[j].index >= n || (j > 0 && c.extras[j].index <= c.extras[j - 1].index))
      return m.fail("counter extras out of order or past its samples");
  auto extra = c.extras.begin();  // the next sample with other fields
  return m.chunked(n, [&](size_t i0, size_t k) {
    // After the series: the counter's id (2.3), then, only where some sample has other fields,
    // each sample's (2.4).
    const bool extras = extra != c.extras.end() && extra->index < i0 + k;
    EventCols e(3 + c.series.size() + extras);
    for (uint64_t x : {uint64_t(c.process), uint64_t(c.name), uint64_t(c.cat),
                       uint64_t(c.series.size())})
      e.pl.head.v(x);
    for (const CounterSeries& s : c.series) e.pl.head.v(s.key);
    e.pl.head.v(k);
    for (size_t i = i0; i < i0 + k; ++i) {
      e.ts(c.ts[i]);
      e[1].opt(c.tid_of_sample.empty() ? kNone : c.tid_of_sample[i]);
    }
    for (size_t j = 0; j < c.series.size(); ++j) {
      uint64_t prev_bits = 0;  // XOR with the previous value: repeated values become zeros
      for (size_t i = i0; i < i0 + k; ++i) {
        uint64_t bits;
        std::memcpy(&bits, &c.series[j].values[i], 8);
        e[2 + j].u64(bits ^ prev_bits);
        prev_bits = bits;
      }
    }
    e[2 + c.series.size()].opt(c.id == kNoStr ? kNone : c.id);
    if (extras)
      for (size_t i = i0; i < i0 + k; ++i)
        m.range(e[3 + c.series.size()], extra != c.extras.end() && extra->index == i ? (extra++)->range : ByteRange{},
                src, e.ends[0]);
    return m.emit(SectionKind::Counter, c.process, uint32_t(k), e.pl);
  });
}

bool VztStreamWriter::write_async_slices(const AsyncSlice* a, size_t n, std::string_view src) {
  return impl_->events(SectionKind::AsyncSlices, a, n, 15, [&](EventCols& c, const AsyncSlice& e) {
    c.ts(e.start);
    c[1].z(e.dur);
    c[2].v(e.label);
    c[3].v(e.process);
    c[4].opt(e.thread);
    c[5].v(e.id);
    c[6].v(e.lane);
    c[7].v(e.flags);
    c[8].v(uint8_t(e.phase));
    impl_->range(c[9], e.args, src, c.ends[0]);
    impl_->range(c[10], e.end_args, src, c.ends[1]);
    c[11].v(e.scope);  // 2.1
    impl_->range(c[12], e.extra, src, c.ends[2]);
    impl_->range(c[13], e.end_extra, src, c.ends[3]);
    c[14].opt(e.end_thread);  // 2.5
  });
}

bool VztStreamWriter::write_async_marks(const AsyncMark* a, size_t n, std::string_view src) {
  return impl_->events(SectionKind::AsyncMarks, a, n, 9, [&](EventCols& c, const AsyncMark& e) {
    c.ts(e.ts);
    c[1].v(e.label);
    c[2].v(e.process);
    c[3].opt(e.thread);
    c[4].v(e.id);
    c[5].v(uint8_t(e.phase));
    impl_->range(c[6], e.args, src, c.ends[0]);
    c[7].v(e.scope);  // 2.1
    impl_->range(c[8], e.extra, src, c.ends[1]);
  });
}

bool VztStreamWriter::write_flows(const FlowEvent* f, size_t n, std::string_view src) {
  return impl_->events(SectionKind::Flows, f, n, 8, [&](EventCols& c, const FlowEvent& e) {
    c.ts(e.ts);
    c[1].v(e.label);
    c[2].opt(e.thread);
    c[3].v(e.id);
    c[4].v(uint8_t(e.phase));
    c[5].v(e.phase == 'X' ? e.v2 & 3 : e.bind_enclosing ? 1 : 0);  // (an X's in/out bits since 2.3)
    impl_->range(c[6], e.args, src, c.ends[0]);
    impl_->range(c[7], e.extra, src, c.ends[1]);  // 2.1
  });
}

bool VztStreamWriter::write_objects(const ObjectEvent* o, size_t n, std::string_view src) {
  return impl_->events(SectionKind::Objects, o, n, 9, [&](EventCols& c, const ObjectEvent& e) {
    c.ts(e.ts);
    c[1].v(e.label);
    c[2].v(e.process);
    c[3].opt(e.thread);
    c[4].v(e.id);
    c[5].v(uint8_t(e.phase));
    impl_->range(c[6], e.args, src, c.ends[0]);
    c[7].v(e.scope);  // 2.1
    impl_->range(c[8], e.extra, src, c.ends[1]);
  });
}

bool VztStreamWriter::write_others(const OtherEvent* o, size_t n, std::string_view src) {
  return impl_->events(SectionKind::Others, o, n, 5, [&](EventCols& c, const OtherEvent& e) {
    c.ts(e.ts);
    c[1].opt(e.thread);
    c[2].v(e.phase);
    c[3].v(e.label);
    impl_->range(c[4], e.raw, src, c.ends[0]);
  });
}

bool VztStreamWriter::write_files(const SourceFile* f, size_t n, std::string_view src) {
  return impl_->events(SectionKind::Files, f, n, 3, [&](EventCols& c, const SourceFile& e) {
    c[0].v(e.path);
    impl_->range(c[1], e.source, src, c.ends[0]);
    c[2].z(e.lines);
  });
}

bool VztStreamWriter::write_functions(const std::pair<StrId, FunctionLocation>* f, size_t n) {
  using Fn = std::pair<StrId, FunctionLocation>;
  return impl_->events(SectionKind::Functions, f, n, 3, [&](EventCols& c, const Fn& e) {
    c[0].v(e.first);
    c[1].v(e.second.file);
    c[2].z(e.second.line);
  });
}

bool VztStreamWriter::write_metadata(const MetadataEntry* e, size_t n, std::string_view src) {
  return impl_->events(SectionKind::Metadata, e, n, 2, [&](EventCols& c, const MetadataEntry& x) {
    c[0].v(x.key);
    impl_->range(c[1], x.value, src, c.ends[0]);
  });
}

bool VztStreamWriter::finish(std::string* error) {
  Impl& m = *impl_;
  bool ok = m.open ? m.guard([&] { return m.finish(); }) : m.fail("not open");
  if (!ok && error) *error = m.error;
  return ok;
}

// Index and End sections, then close (streaming) or commit (atomic: rename into place).
bool VztStreamWriter::Impl::finish() {
  Impl& m = *this;
  m.flush_args();
  uint64_t index_at = 0;
  if (m.opt.index && !m.index.empty()) {
    Payload pl(6);
    pl.head.v(m.index.size());
    uint64_t prev = 0;
    for (const IndexEntry& e : m.index) {
      pl[0].v(e.offset - prev);
      prev = e.offset;
      pl[1].v(e.kind);
      pl[2].v(e.key);
      pl[3].z(e.t_min);
      pl[4].z(tsub(e.t_max, e.t_min));
      pl[5].v(e.count);
    }
    if (m.emit(SectionKind::Index, 0, uint32_t(m.index.size()), pl)) index_at = m.last_section;
  }
  EndRecord end{index_at, m.offset + sizeof(SectionHeader) + sizeof(EndRecord)};
  m.emit(SectionKind::End, 0, 0, reinterpret_cast<const uint8_t*>(&end), sizeof end, false);
  m.open = false;
  bool ok = !m.failed;
  if (m.fd >= 0) {
    if (::fsync(m.fd) != 0 && ok) ok = m.fail(std::string("fsync: ") + std::strerror(errno));
    if (::close(m.fd) != 0 && ok) ok = m.fail(std::string("close: ") + std::strerror(errno));
    m.fd = -1;
  } else if (ok) {
    std::string e;
    if (!m.atomic.commit(&e)) ok = m.fail(e.empty() ? "commit failed" : e);
  } else {
    m.atomic.abort();
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// write_vzt: the whole model, section by section
// ---------------------------------------------------------------------------------------------

namespace {

bool write_events(VztStreamWriter& w, const Trace& t, std::string_view src,
                  const std::vector<VztSliceSetRef>& preorder) {
  // Every thread's slices first, encoded in parallel (the bulk of the file), then the instants.
  std::vector<const VztSliceSetRef*> walk(t.threads.size(), nullptr);
  for (const VztSliceSetRef& r : preorder)
    if (r.thread < walk.size()) walk[r.thread] = &r;
  std::vector<VztSliceSetRef> sets;
  for (uint32_t i = 0; i < t.threads.size(); ++i) {
    if (walk[i] && walk[i]->stream) sets.push_back({i, SliceSetKind::Nested, nullptr, 0, nullptr, walk[i]->stream});
    else if (walk[i]) sets.push_back({i, SliceSetKind::Nested, walk[i]->set, 0, walk[i]->preorder_depth});
    else sets.push_back({i, SliceSetKind::Nested, &t.threads[i].slices, 0});
    sets.push_back({i, SliceSetKind::Overflow, &t.threads[i].overflow, 0});
  }
  if (!w.write_slice_sets(sets.data(), sets.size(), src)) return false;
  for (const Thread& th : t.threads)
    if (!w.write_instants(th.instants.data(), th.instants.size(), src)) return false;
  if (!w.write_instants(t.process_instants.data(), t.process_instants.size(), src) ||
      !w.write_instants(t.global_instants.data(), t.global_instants.size(), src))
    return false;
  for (const Counter& c : t.counters)
    if (!w.write_counter(c, src)) return false;
  std::vector<std::pair<StrId, FunctionLocation>> fns(t.functions.begin(), t.functions.end());
  std::sort(fns.begin(), fns.end(), [](auto& a, auto& b) { return a.first < b.first; });
  return w.write_async_slices(t.async_slices.data(), t.async_slices.size(), src) &&
         w.write_async_marks(t.async_marks.data(), t.async_marks.size(), src) &&
         w.write_flows(t.flows.data(), t.flows.size(), src) &&
         w.write_objects(t.objects.data(), t.objects.size(), src) &&
         w.write_others(t.others.data(), t.others.size(), src) &&
         w.write_files(t.files.data(), t.files.size(), src) &&
         w.write_functions(fns.data(), fns.size()) &&
         w.write_metadata(t.metadata.data(), t.metadata.size(), src);
}

}  // namespace

bool write_vzt(const Trace& t, const std::string& path, bool compress, std::string* error) {
  VztWriteOptions opt;
  opt.compress = compress;
  return write_vzt(t, path, opt, error);
}

bool write_vzt(const Trace& t, const std::string& path, const VztWriteOptions& opt, std::string* error) {
  return write_vzt(t, path, opt, {}, error);
}

bool write_vzt(const Trace& t, const std::string& path, const VztWriteOptions& opt,
               const std::vector<VztSliceSetRef>& preorder, std::string* error) {
  try {
    VztStreamWriter w;
    if (!w.open(path, opt, error)) return false;
    std::string_view src = t.source ? std::string_view(t.source->data(), t.source->size())
                                    : std::string_view();
    VztInfo info{t.origin_us, t.display_time_unit, t.object_form, t.events, true, t.start, t.end};
    std::vector<std::string_view> strings;
    strings.reserve(t.strings.size());
    for (StrId i = 1; i < t.strings.size(); ++i) strings.push_back(t.strings.get(i));
    bool ok = w.write_info(info) && w.write_strings(1, strings.data(), strings.size()) &&
              w.write_labels(0, t.labels.data(), t.labels.size()) &&
              w.write_processes(0, t.processes.data(), t.processes.size()) &&
              w.write_threads(0, t.threads.data(), t.threads.size()) &&
              write_events(w, t, src, preorder);
    if (!ok) {
      if (error) *error = w.error();
      w.abort();
      return false;
    }
    return w.finish(error);
  } catch (...) {
    if (error) *error = "out of memory";
    return false;
  }
}

}  // namespace vz
