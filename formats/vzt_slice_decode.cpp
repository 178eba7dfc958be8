// .vzt Slices sections, decoding side (spec: formats/VZT.md); the rest of the reader is in
// formats/vzt_reader.cpp, the class they share in formats/vzt_reader_internal.h.
//
// Slices sections are decoded on all cores once the file's tables are in: each block is
// independent. Tree and RankedTree blocks are a preorder walk with times as deltas; Level blocks
// (and Overflow lanes) are depth by depth. Where it is safe, a thread's Tree blocks decode
// straight into the model's depth-major columns, each block at its place in every depth, and
// finish() skips the layout; otherwise a thread's blocks are joined in file order and handed to
// TraceBuilder already in the order its finish() lays out, so it never sorts.
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
#include "formats/vzt_reader_internal.h"

namespace vz::vzt_read {

namespace {

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

// Columns of a RankedTree block (the most of any layout).
constexpr size_t kRankedColumns = 12 + kLeafClasses - 1;

}  // namespace

template <class Fn>
void Reader::for_blocks(const std::vector<size_t>& which, Fn&& fn) {
  std::atomic<size_t> next{0};
  unsigned workers = unsigned(std::min<size_t>(default_workers(), which.size()));
  parallel_for(workers, workers, [&](size_t) {
    Scratch sc;
    for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < which.size();)
      fn(blocks_[which[i]], sc);
  });
}

// Decodes every Slices section, on all cores: blocks are independent once the tables are in.
// A thread's nested slices go straight into the model's columns where plan_direct and seams_ok
// allow; every other thread's blocks are joined in file order and handed to the builder.
void Reader::decode_blocks() {
  std::vector<std::unique_ptr<DirectThread>> direct;
  if (direct_) plan_direct(direct);
  auto decode = [this](Block& b, Scratch& sc) {
    try {
      b.ok = decode_block(b, sc);
    } catch (...) {  // bad_alloc: a worker must not let it escape
      b.ok = false;
      b.detail = "out of memory decoding a section";
    }
    if (!b.ok) b.acc = Acc{};
    if (b.into && !b.placed) b.into->failed = true;
  };
  std::vector<size_t> all(blocks_.size());
  std::iota(all.begin(), all.end(), size_t(0));
  for_blocks(all, decode);
  parallel_for(direct.size(), 0, [&](size_t i) {
    DirectThread& dt = *direct[i];
    try {
      if (!dt.failed && seams_ok(dt)) return join_attachments(dt);
    } catch (...) {  // bad_alloc: the general way decides
    }
    dt.failed = true;
  });
  // A thread that cannot be taken as decoded is decoded again the general way.
  std::vector<size_t> again;
  for (auto& dt : direct) {
    if (!dt->failed) continue;
    dt->set = SliceSet{};
    for (size_t i : dt->blocks) {
      Block& b = blocks_[i];
      if (b.placed) again.push_back(i);
      b.into = nullptr, b.placed = false;
      std::vector<SliceAttachment>().swap(b.args), std::vector<SliceAttachment>().swap(b.extras);
    }
  }
  for_blocks(again, decode);
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
    if (b.placed) {
      events_ += b.sec->h.count;
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
  for (auto& dt : direct)
    if (!dt->failed) b_.adopt_slice_set(tmap_[dt->thread], std::move(dt->set));
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

// A thread qualifies when it has nested blocks and no overflow ones (merging lanes in is the
// layout's job). Its blocks' heads give each depth's size; a thread whose heads do not allow
// direct decoding (Level layout, signed deltas, an empty depth, ...) is left to the general way.
void Reader::plan_direct(std::vector<std::unique_ptr<DirectThread>>& direct) {
  std::map<uint64_t, std::vector<size_t>> by_key;
  for (size_t i = 0; i < blocks_.size(); ++i) by_key[blocks_[i].sec->h.key].push_back(i);
  std::vector<size_t> heads;
  for (auto& [key, list] : by_key) {
    uint32_t th = uint32_t(key);
    if (key != slice_key(th, SliceSetKind::Nested) ||
        by_key.count(slice_key(th, SliceSetKind::Overflow)))
      continue;
    DirectThread& dt = *direct.emplace_back(std::make_unique<DirectThread>());
    dt.thread = th;
    dt.blocks = list;
    for (size_t i : list) blocks_[i].into = &dt, heads.push_back(i);
  }
  for_blocks(heads, [this](Block& b, Scratch& sc) {
    bool ok = false;
    try {
      ok = read_head(b, sc);
    } catch (...) {  // bad_alloc: the general way decides
    }
    if (!ok) b.into->failed = true;
  });
  parallel_for(direct.size(), 0, [&](size_t i) {
    DirectThread& dt = *direct[i];
    bool ok = false;
    try {
      ok = !dt.failed && size_direct(dt);
    } catch (...) {  // bad_alloc: the general way decides
    }
    if (!ok) dt.failed = true, dt.set = SliceSet{};
  });
  for (auto& dt : direct)
    if (dt->failed)
      for (size_t i : dt->blocks) blocks_[i].into = nullptr;
}

// Compressed payloads are decompressed only as far as the head needs (at most kHeadBytes): the
// whole block is decoded later, on a worker, with the columns already in place.
bool Reader::read_head(Block& b, Scratch& sc) const {
  constexpr size_t kHeadBytes = 64 << 10;
  const SectionHeader& h = b.sec->h;
  const uint8_t* p = base_ + b.sec->off + sizeof(SectionHeader);
  // The payload's checksum is verified when the block is decoded (a mismatch then sends the
  // thread the general way); the head is only a plan, and parse_head takes any bytes safely.
  if (h.flags & ~uint16_t(kSectionZstd)) return false;
  // Every slice takes at least a byte of the payload (decode_block checks the same once it is
  // decompressed): a head that claims more slices must not size the thread's columns, or a few
  // bytes could ask for 2^32 slices' worth of them.
  const uint64_t raw = (h.flags & kSectionZstd) ? h.raw_length : h.length;
  if (raw > max_raw_length()) return false;
  Cur c{p, p + h.length};
  if (h.flags & kSectionZstd) {
    size_t want = size_t(std::min<uint64_t>(h.raw_length, kHeadBytes));
    if (sc.head_cap < want + kPad) {
      sc.head.reset(new uint8_t[want + kPad]);
      sc.head_cap = want + kPad;
    }
    if (!sc.dctx && !(sc.dctx = ZSTD_createDCtx())) return false;
    ZSTD_DCtx_reset(sc.dctx, ZSTD_reset_session_only);
    ZSTD_inBuffer in{p, size_t(h.length), 0};
    ZSTD_outBuffer out{sc.head.get(), want, 0};
    while (out.pos < want) {
      size_t was_in = in.pos, was_out = out.pos;
      if (ZSTD_isError(ZSTD_decompressStream(sc.dctx, &out, &in))) return false;
      if (in.pos == was_in && out.pos == was_out) break;  // the input is used up
    }
    std::memset(sc.head.get() + out.pos, 0, kPad);
    c = Cur{sc.head.get(), sc.head.get() + out.pos};
  }
  SliceHead sh;
  if (!parse_head(c, b, sh) || sh.layout == uint64_t(SliceLayout::Level) ||
      (sh.tflags & kTreeSigned) || sh.total == 0 || sh.total > raw)
    return false;
  b.first = sh.first, b.min_depth = sh.min_depth, b.counts = std::move(sh.counts);
  return true;
}

// Depth d holds, in file order, every block's slices at depth d: a block's run of depth d starts
// after the runs of the blocks before it. False when the blocks cannot make a nested set (an
// empty depth) or more slices than 32-bit indexes reach.
bool Reader::size_direct(DirectThread& dt) {
  uint64_t total = 0, depths = 0;
  for (size_t i : dt.blocks) {
    const Block& b = blocks_[i];
    total += b.sec->h.count;
    depths = std::max<uint64_t>(depths, b.min_depth + b.counts.size());
  }
  if (total == 0 || total >= kNone || depths > total) return false;
  SliceSet& s = dt.set;
  s.depth_begin.assign(depths + 1, 0);
  for (size_t i : dt.blocks)
    for (size_t j = 0; j < blocks_[i].counts.size(); ++j)
      s.depth_begin[blocks_[i].min_depth + j + 1] += blocks_[i].counts[j];
  for (size_t d = 0; d < depths; ++d) {
    if (s.depth_begin[d + 1] == 0) return false;  // no slice at depth d, some deeper
    s.depth_begin[d + 1] += s.depth_begin[d];
  }
  std::vector<uint32_t> next(s.depth_begin.begin(), s.depth_begin.end() - 1);
  for (size_t i : dt.blocks) {
    Block& b = blocks_[i];
    b.at.resize(b.counts.size());
    for (size_t j = 0; j < b.counts.size(); ++j)
      b.at[j] = next[b.min_depth + j], next[b.min_depth + j] += b.counts[j];
  }
  // start, dur and label are left unwritten (Column): the blocks' decoders write every cell, so
  // their pages are first touched there, on all cores at once. (Mapping them here ahead, with
  // MADV_POPULATE_WRITE, made threads wait on one another in the kernel: 0.125 s against 0.092 s
  // for the 1 GB benchmark trace. Transparent huge pages were slower still on the VMs measured.)
  s.start.resize(total), s.dur.resize(total), s.label.resize(total);
  s.flags.resize(total);
  return true;
}

bool Reader::parse_head(Cur& c, const Block& b, SliceHead& h) const {
  h.set = c.v(), h.layout = c.v(), h.tflags = c.v(), h.first = c.v();
  h.min_depth = c.v();
  uint64_t depths = c.v();
  if (c.bad || h.set > 1 || h.layout > 2 || depths == 0 || depths > kMaxDepth ||
      h.min_depth > kMaxDepth || h.first < h.min_depth || h.first >= h.min_depth + depths ||
      depths > c.left() || (b.sec->h.key >> 32) != h.set)
    return false;
  h.counts.resize(depths);
  h.total = 0;
  for (uint32_t& n : h.counts) h.total += n = c.u32();
  h.base = c.z();
  return !c.bad && h.total == b.sec->h.count;
}

// Each block on its own is a valid run of the preorder (decode_direct); what joins two blocks is
// checked here, so that the whole is the set TraceBuilder's layout makes from the concatenated
// preorder: the first block starts at depth 0 and each next one at most one deeper than the
// previous one ended; at every depth a block's first slice starts at or after the end of the
// last one before it; and a block's slices whose parent lies in an earlier block (at depth d,
// those before the block's first slice at d - 1) lie inside that parent, the last slice at
// d - 1 so far. Nesting then orders the preorder by (start, -end) across the seams too.
bool Reader::seams_ok(const DirectThread& dt) const {
  const SliceSet& s = dt.set;
  const Time* start = s.start.data();
  std::vector<uint32_t> done(s.depths(), 0);  // per depth: slices of the blocks so far
  int64_t last = -1;                           // depth of the previous block's last slice
  for (size_t i : dt.blocks) {
    const Block& b = blocks_[i];
    if (int64_t(b.first) > last + 1) return false;
    for (size_t j = 0; j < b.counts.size(); ++j) {
      size_t d = b.min_depth + j, n = b.counts[j], lo = b.at[j];
      if (n == 0) continue;
      if (done[d] && s.end(s.depth_begin[d] + done[d] - 1) > start[lo]) return false;
      if (d == 0) continue;
      size_t k = n;  // slices of this run whose parent precedes the block
      if (j > 0 && b.counts[j - 1])
        k = size_t(std::lower_bound(start + lo, start + lo + n, start[b.at[j - 1]]) -
                   (start + lo));
      if (k == 0) continue;
      if (!done[d - 1]) return false;
      size_t p = s.depth_begin[d - 1] + done[d - 1] - 1;
      if (start[p] > start[lo] || s.end(lo + k - 1) > s.end(p)) return false;
    }
    for (size_t j = 0; j < b.counts.size(); ++j) done[b.min_depth + j] += b.counts[j];
    last = b.last;
  }
  return true;
}

// Each block's lists are sorted and its run of a depth follows the earlier blocks' runs there:
// counted by depth, then placed depth by depth in block order. O(attachments + depths).
void Reader::join_attachments(DirectThread& dt) {
  SliceSet& s = dt.set;
  for (int which = 0; which < 2; ++which) {
    auto list = which ? &Block::extras : &Block::args;
    std::vector<SliceAttachment>* out = which ? &s.extras : &s.args;
    if (dt.blocks.size() == 1) {
      *out = std::move(blocks_[dt.blocks[0]].*list);
      continue;
    }
    std::vector<size_t> at(s.depths() + 1, 0);
    auto each = [&](auto&& fn) {  // fn(depth, attachment), in block order
      for (size_t i : dt.blocks) {
        size_t d = blocks_[i].min_depth;
        for (const SliceAttachment& x : blocks_[i].*list) {
          while (x.index >= s.depth_begin[d + 1]) ++d;
          fn(d, x);
        }
      }
    };
    each([&](size_t d, const SliceAttachment&) { ++at[d + 1]; });
    for (size_t d = 0; d + 1 < at.size(); ++d) at[d + 1] += at[d];
    out->resize(at.back());
    each([&](size_t d, const SliceAttachment& x) { (*out)[at[d]++] = x; });
    for (size_t i : dt.blocks) std::vector<SliceAttachment>().swap(blocks_[i].*list);
  }
}

bool Reader::decode_block(Block& b, Scratch& sc) const {
  Cur c;
  if (!unpack(*b.sec, sc, c, &b.problem, &b.detail)) return false;
  b.problem = DiagKind::VztBadSection;
  b.detail = "section kind 7 (slices) does not decode; skipped";
  SliceHead h;
  if (!parse_head(c, b, h)) return false;
  const uint64_t total = h.total;
  bool tree = h.layout != uint64_t(SliceLayout::Level);
  bool ranked = h.layout == uint64_t(SliceLayout::RankedTree);
  constexpr size_t kRankedCols = kRankedColumns;
  Cur col[kRankedCols];
  if (total > c.left() || uint32_t(b.sec->h.key) >= b.threads ||
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
  bool sgn = h.tflags & kTreeSigned;
  if (b.into && !b.into->failed.load(std::memory_order_relaxed) && tree && !sgn &&
      h.first == b.first && h.min_depth == b.min_depth && h.counts == b.counts &&
      decode_direct(b, col, h, ranked, sc))
    return b.placed = true;
  b.acc = Acc{};
  std::vector<RawSlice>& v = b.acc.s;
  v.resize(total);
  bool oob = false;
  auto tree_fn = ranked ? (sgn ? &Reader::decode_tree<true, true, false>
                                : &Reader::decode_tree<false, true, false>)
                        : (sgn ? &Reader::decode_tree<true, false, false>
                               : &Reader::decode_tree<false, false, false>);
  bool ok = tree ? (this->*tree_fn)(col, int64_t(h.first), h.min_depth, h.counts.size(), h.base,
                                    b.labels, sc, v.data(), nullptr, total, &oob)
                 : decode_level(col, h.counts, h.base, b.labels, v.data(), &oob);
  if (ok && oob) b.clamped = clamp_slices(v);
  return ok && read_sparse(col + (tree ? 6 : 3), b);
}

// Decodes a Tree block straight into its thread's depth-major columns, at the positions
// size_direct fixed: each slice goes to the next position of its depth. Only when the block's
// own share of the layout is certain: unsigned deltas that never wrap (times never go back) and
// no slice of zero length make the block's preorder sorted by (start, -end) with every slice
// starting before its parent ends, which is all the layout's sweep looks at; seams_ok then checks
// how the blocks join. Returns false, having decided nothing, otherwise (or on any problem): the
// caller then decodes the block the general way, which reports problems.
bool Reader::decode_direct(Block& b, Cur* col, const SliceHead& h, bool ranked,
                           Scratch& sc) const {
  Cur saved[kRankedColumns];  // the general way rereads the columns
  std::copy(col, col + kRankedColumns, saved);
  const size_t total = h.total, depths = h.counts.size();
  SliceSet& set = b.into->set;
  sc.cursor.assign(b.at.begin(), b.at.end());
  sc.limit.resize(depths);
  for (size_t j = 0; j < depths; ++j) sc.limit[j] = b.at[j] + h.counts[j];
  sc.pos.resize(total);
  DirectOut out{set.start.data(), set.dur.data(), set.label.data(), sc.cursor.data(),
                sc.limit.data(), sc.pos.data()};
  bool oob = false;
  auto tree_fn = ranked ? &Reader::decode_tree<false, true, true>
                        : &Reader::decode_tree<false, false, true>;
  bool ok = (this->*tree_fn)(col, int64_t(h.first), h.min_depth, depths, h.base, b.labels, sc,
                             nullptr, &out, total, &oob);
  ok = ok && !oob && !out.zero;
  for (size_t j = 0; ok && j < depths; ++j) ok = sc.cursor[j] == sc.limit[j];
  ok = ok && read_sparse_direct(col + 6, b, sc.pos.data());
  b.last = out.last;
  if (!ok) {
    std::copy(saved, saved + kRankedColumns, col);
    b.args.clear(), b.extras.clear();
  }
  return ok;
}

// Flags, args and extras: (index step, value) lists for the few slices that have them, over a
// block of n slices. flag(k, f) and attach(list, k, range) (list 0 args, 1 extras) receive the
// entries. A slice named twice in args, or three times in extras (where a B/E slice's E event is
// its second entry), makes the block undecodable. `strict` (the direct path) also rejects any bad
// range, so that the general path decides such blocks; otherwise bad ranges are counted.
template <class Flag, class Attach>
bool Reader::read_sparse_lists(Cur* col, size_t n, bool strict, uint64_t& bad_ranges, Flag&& flag,
                               Attach&& attach) const {
  uint64_t nflags = col[0].v();
  if (col[0].bad || nflags > col[0].left()) return false;
  for (uint64_t i = 0, k = 0; i < nflags; ++i) {
    k += col[0].v();
    uint64_t f = col[0].v();
    if (k >= n || f > 0xff) return false;
    flag(k, uint8_t(f));
  }
  if (col[0].bad) return false;
  for (int j = 0; j < 2; ++j) {
    Cur& c = col[1 + j];
    uint64_t m = c.v(), k = 0, prev_end = 0;
    if (c.bad || m > c.left()) return false;
    bool twice = false;  // the slice before was named twice (extras: a B/E slice's E event)
    for (uint64_t i = 0; i < m; ++i) {
      uint64_t step = c.v();
      if (i > 0 && step == 0 && (j == 0 || twice)) return false;
      twice = i > 0 && step == 0;
      k += step;
      if (k >= n) return false;
      uint64_t bad = 0;
      ByteRange r = range(c, prev_end, bad);
      if (bad && strict) return false;
      bad_ranges += bad;
      if (!r.empty()) attach(j, k, r);
    }
    if (c.bad) return false;
  }
  return true;
}

bool Reader::read_sparse(Cur* col, Block& b) const {
  RawSlice* out = b.acc.s.data();
  return read_sparse_lists(
      col, b.acc.s.size(), false, b.bad_ranges, [&](uint64_t k, uint8_t f) { out[k].flags = f; },
      [&](int list, uint64_t k, ByteRange r) {
        (list == 0 ? b.acc.args : b.acc.extras).push_back({uint32_t(k), r});
      });
}

// read_sparse for a block decoded by decode_direct: ordinals map through `pos` to positions in
// the thread's columns; the block's attachments end up sorted by position.
bool Reader::read_sparse_direct(Cur* col, Block& b, const uint32_t* pos) const {
  SliceSet& set = b.into->set;
  uint64_t unused = 0;
  bool ok = read_sparse_lists(
      col, b.sec->h.count, true, unused, [&](uint64_t k, uint8_t f) { set.flags[pos[k]] = f; },
      [&](int list, uint64_t k, ByteRange r) {
        (list == 0 ? b.args : b.extras).push_back({pos[k], r});
      });
  if (!ok) return false;
  auto by_index = [](const SliceAttachment& x, const SliceAttachment& y) {
    return x.index < y.index;
  };
  std::stable_sort(b.args.begin(), b.args.end(), by_index);
  std::stable_sort(b.extras.begin(), b.extras.end(), by_index);  // (an E's entry after its slice's)
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
  auto delta = [&](const uint8_t*& sym) __attribute__((always_inline)) {  // the innermost loop: never a call
    uint64_t x = bucket_decode(sym, bits, bad);
    if constexpr (Direct) oob |= x >> 62;  // times go back (mod 2^64) without leaving the range
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
  if constexpr (Direct) dout->zero = zero != 0, dout->last = prev;
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
  if (over.s.empty()) {
    b_.adopt_slices(m, std::move(nested.s), std::move(nested.args), std::move(nested.extras));
    return;
  }
  std::vector<uint32_t> ord(over.s.size());
  std::iota(ord.begin(), ord.end(), 0u);
  std::stable_sort(ord.begin(), ord.end(),
                   [&](uint32_t x, uint32_t y) { return layout_before(over.s[x], over.s[y]); });
  Acc all;
  all.s.reserve(nested.s.size() + over.s.size());
  std::vector<uint32_t> where[2] = {std::vector<uint32_t>(nested.s.size()),
                                    std::vector<uint32_t>(over.s.size())};
  size_t i = 0, j = 0;
  while (i < nested.s.size() || j < ord.size()) {
    if (j < ord.size() && (i == nested.s.size() || layout_before(over.s[ord[j]], nested.s[i]))) {
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
    std::stable_sort(out->begin(), out->end(), by_index);  // (an E's entry after its slice's)
  }
  b_.adopt_slices(m, std::move(all.s), std::move(all.args), std::move(all.extras));
}

}  // namespace vz::vzt_read
