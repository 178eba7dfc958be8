// Internals of the .vzt writer (formats/vzt_writer.cpp), shared with the slice-block encoder
// (formats/vzt_slice_encode.cpp).
//
// VztStreamWriter::Impl is split by responsibility across those two files: sections, tables,
// event lists and the footer in one, Slices sections (Tree / RankedTree / Level blocks) in the
// other. Nothing here is part of formats/' public API.
#pragma once

#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/io.h"
#include "formats/model.h"
#include "formats/vzt_format.h"
#include "formats/vzt_writer.h"

namespace vz {

namespace vzt_write {

using namespace vzt;

// A growable byte buffer with varint appenders.
class Bytes {
 public:
  Bytes() = default;
  Bytes(Bytes&& o) noexcept { *this = std::move(o); }
  Bytes& operator=(Bytes&& o) noexcept {
    p_ = std::move(o.p_);
    n_ = std::exchange(o.n_, 0);
    cap_ = std::exchange(o.cap_, 0);
    return *this;
  }
  void v(uint64_t x) {
    if (cap_ - n_ < kMaxVarint) grow(kMaxVarint);
    n_ = size_t(put_varint(p_.get() + n_, x) - p_.get());
  }
  void z(int64_t x) { v(zigzag(x)); }
  void opt(uint32_t x) { v(x == kNone ? 0 : uint64_t(x) + 1); }  // kNone -> 0
  void raw(const void* d, size_t k) {
    if (cap_ - n_ < k) grow(k);
    if (k) std::memcpy(p_.get() + n_, d, k);
    n_ += k;
  }
  void u64(uint64_t x) { raw(&x, 8); }
  void byte(uint8_t b) {
    if (n_ == cap_) grow(1);
    p_[n_++] = b;
  }
  void clear() { n_ = 0; }
  // Adds k bytes for the caller to fill; returns where they start.
  uint8_t* append(size_t k) {
    if (cap_ - n_ < k) grow(k);
    n_ += k;
    return p_.get() + n_ - k;
  }
  size_t size() const { return n_; }
  const uint8_t* data() const { return p_.get(); }
  uint8_t* data() { return p_.get(); }
  void resize(size_t k) {
    if (k > cap_) grow(k - n_);
    n_ = k;
  }

 private:
  void grow(size_t more) {
    size_t cap = std::max<size_t>({cap_ * 2, n_ + more, 256});
    std::unique_ptr<uint8_t[]> q(new uint8_t[cap]);
    if (n_) std::memcpy(q.get(), p_.get(), n_);
    p_ = std::move(q);
    cap_ = cap;
  }
  std::unique_ptr<uint8_t[]> p_;
  size_t n_ = 0, cap_ = 0;
};

// One section under construction: head varints, then length-prefixed columns.
struct Payload {
  Bytes head;
  std::vector<Bytes> cols;
  explicit Payload(size_t ncols) : cols(ncols) {}
  Bytes& operator[](size_t i) { return cols[i]; }
  void clear() {  // empty, keeping the columns' room
    head.clear();
    for (Bytes& c : cols) c.clear();
  }
};

// Time arithmetic that wraps instead of overflowing (hostile models must still round-trip).
inline int64_t tsub(Time a, Time b) { return int64_t(uint64_t(a) - uint64_t(b)); }
inline Time tadd(Time a, Time b) { return Time(uint64_t(a) + uint64_t(b)); }

// One event section under construction: a column per field, timestamps as deltas from the
// previous event's, byte ranges with a running end per range column.
struct EventCols {
  Payload pl;
  Time prev = 0;
  uint64_t ends[4] = {0, 0, 0, 0};
  explicit EventCols(size_t ncols) : pl(ncols) {}
  Bytes& operator[](size_t i) { return pl[i]; }
  void ts(Time t) {
    pl[0].z(tsub(t, prev));
    prev = t;
  }
};

// Serializes a payload for a section: the head, the column count, each column's size, then the
// columns; `parts` gets the offsets where the head and each column start (one zstd frame each).
void serialize_payload(Payload& pl, Bytes& out, std::vector<size_t>& parts);

// Builds a whole section (40-byte header + payload) into `packed`: the payload compressed with
// `opt`'s zstd level, one frame per part, when that makes it smaller, else raw. `cctx` is created
// on first use and owned by the caller. Touches no file state, so encoders on several threads can
// pack sections of their own; the writer then appends them in order.
void pack_section(const VztWriteOptions& opt, ZSTD_CCtx*& cctx, vzt::SectionKind kind, uint64_t key,
                  uint32_t count, const uint8_t* raw, size_t n, bool compress,
                  const std::vector<size_t>& parts, Bytes& packed);

// A footer index entry.
struct IndexEntry {
  uint64_t offset;
  uint16_t kind;
  uint64_t key;
  Time t_min, t_max;
  uint32_t count;
};

}  // namespace vzt_write

// The writer's state; VztStreamWriter forwards to it.
struct VztStreamWriter::Impl {
  VztWriteOptions opt;
  AtomicFile atomic;
  int fd = -1;  // streaming mode
  bool open = false, failed = false;
  std::string error;
  uint64_t offset = 0;
  uint64_t last_section = 0;         // file offset of the last section written
  StrId next_string = 1;
  vzt_write::Bytes pending_args;      // args bytes referenced by the section being built
  uint64_t args_flushed = 0;         // args stream bytes already written
  vzt_write::Bytes out, packed;       // serialized payload / compressed section
  std::vector<size_t> parts;         // where each column starts in `out`
  ZSTD_CCtx* cctx = nullptr;
  std::vector<vzt_write::IndexEntry> index;

  ~Impl() {
    if (cctx) ZSTD_freeCCtx(cctx);
    if (fd >= 0) ::close(fd);
  }
  bool fail(std::string msg) {
    if (!failed) error = std::move(msg);
    failed = true;
    return false;
  }
  bool sink(const void* p, size_t n);
  // Appends a packed section to the file and records where it went (last_section).
  bool append(const vzt_write::Bytes& packed);
  bool emit(vzt::SectionKind kind, uint64_t key, uint32_t count, const uint8_t* raw, size_t n,
            bool compress, const std::vector<size_t>& parts = {});
  bool emit(vzt::SectionKind kind, uint64_t key, uint32_t count, vzt_write::Payload& pl);
  bool flush_args();
  ByteRange copy(ByteRange r, std::string_view src);
  void range(vzt_write::Bytes& col, ByteRange r, std::string_view src, uint64_t& prev_end);
  bool start_file();
  bool info(const VztInfo& info);
  bool strings(StrId first, const std::string_view* strings, size_t n);
  // `walk`: the set is in preorder, these its depths (VztSliceSetRef::preorder_depth).
  bool slices(uint32_t thread, vzt::SliceSetKind set, const SliceSet& s, std::string_view source,
              uint32_t depth_offset, const std::vector<uint32_t>* walk = nullptr);
  bool slice_sets(const VztSliceSetRef* sets, size_t n, std::string_view source, unsigned workers);
  bool finish();
  // Runs f(), turning an exception (out of memory) into a failure: none leaves formats/.
  template <class F>
  bool guard(F&& f) {
    try {
      return f();
    } catch (...) {
      return fail("out of memory");
    }
  }
  // Splits n items into sections of at most block_events and encodes each with `fill(i, k)`.
  template <class Fill>
  bool chunked(size_t n, Fill&& fill) {
    return guard([&] {
      for (size_t i = 0; i < n; i += opt.block_events)
        if (!fill(i, std::min<size_t>(n - i, opt.block_events))) return false;
      return true;
    });
  }
  template <class T, class Put>
  bool events(vzt::SectionKind kind, const T* v, size_t n, size_t ncols, Put&& put,
              int64_t first = -1);
};

}  // namespace vz
