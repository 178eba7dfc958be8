// Internals of the .vzt reader (formats/vzt_reader.cpp), shared with the slice-block decoder
// (formats/vzt_slice_decode.cpp).
//
// The Reader class is split by responsibility across those two files: section scanning, tables
// and event lists in one, Slices sections (Tree / RankedTree / Level blocks, overflow lanes, the
// join into the builder) in the other. Nothing here is part of formats/' public API.
#pragma once

#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "formats/builder.h"
#include "formats/io.h"
#include "formats/loader.h"
#include "formats/model.h"
#include "formats/numbers.h"
#include "formats/vzt_format.h"

namespace vz::vzt_read {

using namespace vzt;

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
// With `optional` > 0, out has room for that many columns after the `want` required ones
// (columns a later minor version appended); *got says how many of them the section has.
inline bool columns(Cur& c, size_t want, Cur* out, size_t optional = 0, size_t* got = nullptr) {
  uint64_t n = c.v();
  if (c.bad || n < want || n > c.left()) return false;
  if (got) *got = size_t(std::min<uint64_t>(n - want, optional));
  want += optional;
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

// One whole section found by the header scan.
struct Sec {
  uint64_t off;
  SectionHeader h;
};

// Slices of one (thread, set): one Slices section's, or a thread's once its blocks are joined.
struct Acc {
  std::vector<RawSlice> s;
  std::vector<SliceAttachment> args, extras;  // indexes into s
  size_t size() const { return s.size(); }
};

// Where decode_tree writes when it decodes straight into depth-major columns.
struct DirectOut {
  Time* start;
  Time* dur;
  uint32_t* label;
  uint32_t* cursor;       // per depth: the next position
  const uint32_t* limit;  // per depth: one past its last position
  uint32_t* pos;          // per preorder ordinal: its position
  bool zero = false;      // some slice has a zero (or negative) duration
  int64_t last = 0;       // depth of the block's last slice
};

// A thread whose nested slices are all decoded straight into the model's depth-major columns
// (decode_direct): every block writes its depths' runs at positions fixed before decoding.
struct DirectThread {
  uint32_t thread = 0;         // stored thread index
  std::vector<size_t> blocks;  // its Slices sections, indexes into Reader::blocks_, file order
  SliceSet set;                // the thread's columns, sized from the blocks' heads
  std::atomic<bool> failed{false};  // some block cannot be decoded this way: the general way
};

// What the head of a Slices section says (§7), before its columns.
struct SliceHead {
  uint64_t set = 0, layout = 0, tflags = 0, first = 0, min_depth = 0;
  std::vector<uint32_t> counts;  // slices per depth, from min_depth
  uint64_t total = 0;            // their sum
  Time base = 0;
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
  Acc acc;
  DirectThread* into = nullptr;  // decode straight into this thread's columns when possible
  bool placed = false;           // decoded into `into`'s columns (acc is empty)
  uint64_t first = 0, min_depth = 0;  // for `into`: the head's first_depth and min_depth
  int64_t last = 0;                   // for `into`: depth of the block's last slice
  std::vector<uint32_t> counts;       // for `into`: the head's slices per depth
  std::vector<uint32_t> at;           // for `into`: per depth, its first position in the columns
  std::vector<SliceAttachment> args, extras;  // placed: at their positions in the columns
};

// What a decoding worker reuses from block to block.
struct Scratch {
  ZSTD_DCtx* dctx = nullptr;
  std::unique_ptr<uint8_t[]> buf;
  size_t cap = 0;
  std::vector<uint32_t> stack;  // open slices of a Tree block
  std::vector<uint32_t> rlabel;  // RankedTree: the label (builder id) of each rank
  std::vector<uint8_t> rinfo;    // RankedTree: the info byte of each rank
  std::vector<uint32_t> cursor, limit, pos;  // direct decoding
  std::unique_ptr<uint8_t[]> head;           // the start of a decompressed payload
  size_t head_cap = 0;                       // bytes allocated at `head`
  ~Scratch() {
    if (dctx) ZSTD_freeDCtx(dctx);
  }
};

class Reader {
 public:
  Reader(std::shared_ptr<const Buffer> file, Trace& out, LoadProgress* progress, bool direct)
      : file_(std::move(file)), base_(reinterpret_cast<const uint8_t*>(file_->data())),
        size_(file_->size()), t_(out), b_(out), prog_(progress), direct_(direct) {}
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
  // Runs fn(block, scratch) for blocks_[which[i]] on all cores, a scratch per worker.
  template <class Fn>
  void for_blocks(const std::vector<size_t>& which, Fn&& fn);
  // Picks the threads decoded straight into their columns; reads heads, sizes the columns.
  void plan_direct(std::vector<std::unique_ptr<DirectThread>>& direct);
  // A block's head alone (checksum, then only the payload's first bytes), for plan_direct.
  bool read_head(Block& b, Scratch& sc) const;
  // Sizes a thread's columns and fixes where each of its blocks' runs of a depth go.
  bool size_direct(DirectThread& dt);
  // Reads and checks a Slices section's head, up to its column table.
  bool parse_head(Cur& c, const Block& b, SliceHead& h) const;
  // Whether a thread's directly decoded blocks join into the set the layout would make.
  bool seams_ok(const DirectThread& dt) const;
  // The thread's args and extras from its blocks', sorted by position.
  void join_attachments(DirectThread& dt);
  bool decode_block(Block& b, Scratch& sc) const;
  template <bool Signed, bool Ranked, bool Direct>
  bool decode_tree(Cur* col, int64_t first, uint64_t min_depth, uint64_t depths, Time base,
                   uint32_t labels, Scratch& sc, RawSlice* out, DirectOut* dout, size_t n,
                   bool* out_of_range) const;
  bool decode_direct(Block& b, Cur* col, const SliceHead& h, bool ranked, Scratch& sc) const;
  bool decode_level(Cur* col, const std::vector<uint32_t>& counts, Time base, uint32_t labels,
                    RawSlice* out, bool* out_of_range) const;
  template <class Flag, class Attach>
  bool read_sparse_lists(Cur* col, size_t n, bool strict, uint64_t& bad_ranges, Flag&& flag,
                         Attach&& attach) const;
  bool read_sparse(Cur* col, Block& b) const;
  bool read_sparse_direct(Cur* col, Block& b, const uint32_t* pos) const;
  void adopt(uint32_t thread, Acc& nested, Acc& over);
  bool read_instants(Cur& c);
  bool read_counter(const Sec& s, Cur& c);
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
  // The most a section's payload may decompress to. A zstd frame can claim to expand to any
  // size (a decompression bomb): allow what a real file of this size could hold, counters of
  // constant values and repetitive args included.
  uint64_t max_raw_length() const {
    return std::min<uint64_t>(kMaxSectionRaw, 256 * uint64_t(size_) + (256u << 20));
  }
  void bad(uint64_t off, std::string detail) {
    t_.diagnostics.add(DiagKind::VztBadSection, off, detail);
  }

  std::shared_ptr<const Buffer> file_;
  const uint8_t* base_;
  size_t size_;
  Trace& t_;
  TraceBuilder b_;
  LoadProgress* prog_;
  bool direct_;  // decode nested slices straight into the model's columns where that is safe
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

}  // namespace vz::vzt_read
