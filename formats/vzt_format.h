// The .vzt binary trace format: constants, section kinds, fixed-size records and the varint,
// zigzag and checksum helpers every encoder and decoder shares.
//
// Why a header of its own: the standalone recorder encodes .vzt sections too, and must not pull in
// JSON, zstd or the trace model, so this file depends on nothing but the C++ standard library.
// The format itself is specified in formats/VZT.md; every number below is named there.
//
// Sections
//   1. Versions and magic (the one place they are defined)
//   2. Fixed-size records: file header, section header, end trailer
//   3. Section kinds and per-kind constants
//   4. Varint / zigzag encoding, bucket code
//   5. Decoding primitives (bit reader, bucket table) and the bit writer
//   6. Checksum
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace vz::vzt {

static_assert(std::endian::native == std::endian::little, ".vzt records are little-endian");

// ---------------------------------------------------------------------------------------------
// 1. Versions and magic
// ---------------------------------------------------------------------------------------------

inline constexpr uint16_t kVersionMajor = 2;  // readers refuse another major version
inline constexpr uint16_t kOldestMajor = 1;   // ... except older ones they still read (1.x)
inline constexpr uint16_t kVersionMinor = 5;  // bumped by compatible additions (new section kinds)
// PNG-style magic: a non-ASCII first byte, CR LF and ^Z catch text-mode and 7-bit mangling.
inline constexpr char kMagic[8] = {'\x89', 'V', 'Z', 'T', '\r', '\n', '\x1a', '\n'};
inline constexpr size_t kMagicSize = sizeof(kMagic);

// True when `head` (at least kMagicSize bytes) starts a .vzt file. Used by format sniffing.
inline bool has_magic(const void* head, size_t n) {
  return n >= kMagicSize && std::memcmp(head, kMagic, kMagicSize) == 0;
}

// ---------------------------------------------------------------------------------------------
// 2. Fixed-size records (all integers little-endian, no implicit padding)
// ---------------------------------------------------------------------------------------------

// The first 32 bytes of every .vzt file.
struct FileHeader {
  char magic[8];           // kMagic
  uint16_t version_major;  // kVersionMajor
  uint16_t version_minor;  // kVersionMinor of the writer
  uint32_t flags;          // reserved, 0
  uint64_t created_ns;     // wall-clock time the file was started (ns since the epoch), or 0
  uint32_t reserved;       // 0
  uint32_t check;          // checksum32 of the 28 bytes before it
};
static_assert(sizeof(FileHeader) == 32);

// Precedes every section's payload.
struct SectionHeader {
  uint16_t kind;           // SectionKind
  uint16_t flags;          // SectionFlags
  uint32_t payload_check;  // checksum32 of the payload as stored (compressed bytes if compressed)
  uint64_t length;         // payload bytes as stored, after this header
  uint64_t raw_length;     // payload bytes once decompressed (== length when stored raw)
  uint64_t key;            // per kind: see slice_key(), args stream offset (Args), process (Counter)
  uint32_t count;          // per kind: number of items (slices, strings, events, ...)
  uint32_t header_check;   // checksum32 of the 36 bytes before it
};
static_assert(sizeof(SectionHeader) == 40);

// Payload of the End section: where the Index section starts (0 when there is none).
struct EndRecord {
  uint64_t index_offset;  // file offset of the Index section's header
  uint64_t file_size;     // total file size including this record
};
static_assert(sizeof(EndRecord) == 16);

// ---------------------------------------------------------------------------------------------
// 3. Section kinds
// ---------------------------------------------------------------------------------------------

enum class SectionKind : uint16_t {
  Info = 1,          // trace-level scalars: origin_us, display_time_unit, object_form, bounds
  Strings = 2,       // appends strings to the string table
  Labels = 3,        // appends (name, cat) pairs
  Processes = 4,     // creates or updates processes
  Threads = 5,       // creates or updates threads
  Args = 6,          // raw bytes of the args stream (key = stream offset of the first byte)
  Slices = 7,        // one block of one thread's slices (key = thread index)
  Instants = 8,      // instants of any scope
  Counter = 9,       // samples of one counter
  AsyncSlices = 10,  // paired async slices with lanes
  AsyncMarks = 11,   // n / T / p events
  Flows = 12,        // s / t / f events
  Objects = 13,      // N / O / D events
  Others = 14,       // events kept verbatim
  Files = 15,        // viztracer file_info: source files
  Functions = 16,    // viztracer file_info: function -> (file, line)
  Metadata = 17,     // top-level JSON members kept verbatim
  Index = 18,        // optional footer index: section offsets with per-thread time ranges
  End = 19,          // last section of a complete file: EndRecord
};
inline constexpr uint16_t kLastKnownKind = 19;

enum SectionFlags : uint16_t {
  kSectionZstd = 1 << 0,  // payload is zstd frames that decompress to raw_length bytes
};

// Slices section: which SliceSet of the thread the block belongs to (first payload varint).
enum class SliceSetKind : uint8_t { Nested = 0, Overflow = 1 };
// Slices section: how the block's times are laid out.
enum class SliceLayout : uint8_t {
  Tree = 0,   // preorder walk of whole subtrees; starts and ends are deltas between events
  Level = 1,  // per depth, in index order; starts are gaps after the previous end at that depth
  RankedTree = 2,  // Tree with labels as ranks in a per-block table and context-split columns (2.0)
};
// RankedTree: the number of leaf-end symbol columns (labels grouped by typical duration).
inline constexpr unsigned kLeafClasses = 8;
// RankedTree label table: per ranked label, an info byte: bits 0..2 its leaf class, bit 3 set
// when no slice with this label has a child in the block (its successor's step is in `up_leaf`).
inline constexpr uint8_t kRankClassMask = 7;
inline constexpr uint8_t kRankChildless = 1 << 3;
// Slices section, Tree layout: time deltas are zigzag-encoded (some delta was negative).
inline constexpr uint8_t kTreeSigned = 1 << 0;
// The section key of a Slices section: thread index in the low 32 bits, SliceSetKind above, so
// a reader learns which threads have overflow slices from the headers alone.
inline constexpr uint64_t slice_key(uint32_t thread, SliceSetKind set) {
  return thread | (uint64_t(set) << 32);
}
// The section key of an Instants section whose instants are all thread-scoped on one thread;
// kMixedKey otherwise.
inline constexpr uint64_t kMixedKey = ~uint64_t(0);

// Bits of the Processes / Threads record flags.
enum RecordFlags : uint8_t {
  kRecordHasSortIndex = 1 << 0,
};

// Upper bounds a decoder enforces before allocating (hostile input guards).
inline constexpr uint64_t kMaxSectionRaw = uint64_t(1) << 34;  // 16 GiB decompressed
inline constexpr uint32_t kMaxDepth = 0x7fffffff;           // a slice depth

// ---------------------------------------------------------------------------------------------
// 4. Varint / zigzag
// ---------------------------------------------------------------------------------------------

inline constexpr size_t kMaxVarint = 10;  // bytes of a 64-bit LEB128 value

// Maps signed to unsigned so that small magnitudes stay small: 0,-1,1,-2 -> 0,1,2,3.
inline constexpr uint64_t zigzag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
inline constexpr int64_t unzigzag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

// Writes v as LEB128 at p (room for kMaxVarint bytes); returns the end.
inline uint8_t* put_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v) | 0x80;
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

// Bytes put_varint writes for v.
inline constexpr size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Reads one LEB128 value at p, advancing p. Reads at most kMaxVarint bytes and never checks the
// end: the caller guarantees kMaxVarint readable bytes (decoders keep padding after buffers) and
// compares p with the end afterwards. Sets *bad on an over-long encoding.
inline uint64_t get_varint(const uint8_t*& p, bool* bad) {
  uint64_t b = *p++;
  if (b < 0x80) return b;
  uint64_t v = b & 0x7f;
  for (unsigned shift = 7; shift < 70; shift += 7) {
    b = *p++;
    v |= (b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
  *bad = true;
  return 0;
}

// Bucket code for time deltas: a symbol byte (entropy-coded well by zstd) plus raw low bits.
// v < 8 is its own symbol; otherwise the symbol holds the bit width of v and the two bits below
// its top bit, and the remaining width - 3 bits go to a bit stream. For the roughly log-uniform
// gaps and durations of traces this is within a few percent of the values' entropy, where a
// varint's bytes are not.
inline constexpr unsigned kBucketSymbols = 252;  // symbols 0..251 are valid

// Symbol of v; *nbits / *extra receive the raw bits that follow it.
inline uint8_t bucket_encode(uint64_t v, unsigned* nbits, uint64_t* extra) {
  if (v < 8) {
    *nbits = 0;
    *extra = 0;
    return uint8_t(v);
  }
  unsigned width = unsigned(std::bit_width(v));  // 4..64
  *nbits = width - 3;
  *extra = v & ((uint64_t(1) << *nbits) - 1);
  return uint8_t(8 + (width - 4) * 4 + ((v >> *nbits) & 3));
}
// Raw bits that follow symbol s (s < kBucketSymbols).
inline constexpr unsigned bucket_bits(unsigned s) { return s < 8 ? 0 : (s - 8) / 4 + 1; }
// Value of symbol s before its raw bits are added.
inline constexpr uint64_t bucket_base(unsigned s) {
  return s < 8 ? s : uint64_t(4 + (s - 8) % 4) << bucket_bits(s);
}

// ---------------------------------------------------------------------------------------------
// 5. Decoding primitives for the hot loops (unchecked: see each comment)
// ---------------------------------------------------------------------------------------------

// Reads one varint with no bounds check (callers compare the pointer with the end after each
// item; decoders keep 64 readable bytes past every buffer). Over-long encodings set `bad`.
inline uint64_t get_varint_fast(const uint8_t*& p, bool& bad) {
  uint64_t x = *p++;
  if (x < 0x80) [[likely]]
    return x;
  return (x & 0x7f) | (get_varint(p, &bad) << 7);
}

// The same for values that are as often two bytes as one (label indexes past 127): no branch
// on the length below 16384.
inline uint64_t get_varint2(const uint8_t*& p, bool& bad) {
  uint64_t b0 = p[0], b1 = p[1];
  uint64_t two = b0 >> 7;
  if (two & (b1 >> 7)) [[unlikely]]
    return get_varint_fast(p, bad);
  p += 1 + two;
  return (b0 & 0x7f) | ((b1 << 7) & (0 - two));
}

// Value and raw-bit count of every bucket symbol (bits 0xff: not a symbol).
struct BucketTable {
  uint64_t base[256];
  uint8_t bits[256];
};
constexpr BucketTable make_bucket_table() {
  BucketTable t{};
  for (unsigned s = 0; s < 256; ++s) {
    t.base[s] = s < kBucketSymbols ? bucket_base(s) : 0;
    t.bits[s] = s < kBucketSymbols ? uint8_t(bucket_bits(s)) : 0xff;
  }
  return t;
}
inline constexpr BucketTable kBuckets = make_bucket_table();

// LSB-first bit reader. Keeps only a bit position: each read loads the 8 bytes at the position's
// byte (every buffer is padded) and shifts, so the only dependency from one read to the next is
// the position's addition (a reader that kept a refilled accumulator chained a load, shifts and
// adds through every value). get() takes up to 56 bits.
struct BitReader {
  const uint8_t* base;
  uint64_t pos = 0;  // bits consumed
  // True once more bits were consumed than [base, end) holds.
  bool past(const uint8_t* end) const { return base + ((pos + 7) >> 3) > end; }
  uint64_t get(unsigned k) {  // k <= 56
    uint64_t w;
    std::memcpy(&w, base + (pos >> 3), 8);
    const uint64_t v = (w >> (pos & 7)) & ((uint64_t(1) << k) - 1);
    pos += k;
    return v;
  }
};

// Reads one bucket-coded value: its symbol at `sym`, its raw bits from `bits`. Always inlined:
// it sits in the slice decoder's innermost loop, where a call costs a fifth of the load.
[[gnu::always_inline]] inline uint64_t bucket_decode(const uint8_t*& sym, BitReader& bits, bool& bad) {
  unsigned s = *sym++;
  unsigned k = kBuckets.bits[s];
  if (k <= 56) [[likely]]
    return kBuckets.base[s] + bits.get(k);
  if (k == 0xff) return bad = true, 0;
  uint64_t lo = bits.get(32);
  return kBuckets.base[s] + (lo | (bits.get(k - 32) << 32));
}

// LSB-first bit packer, the writer's side of BitReader. `Out` has raw(const void*, size_t).
template <class Out>
class BitWriter {
 public:
  explicit BitWriter(Out& out) : out_(out) {}
  void put(uint64_t bits, unsigned n) {  // n <= 64; bits above n must be zero
    if (n > 32) {
      put(bits & 0xffffffffu, 32);
      put(bits >> 32, n - 32);
      return;
    }
    acc_ |= bits << used_;
    used_ += n;
    if (used_ >= 32) {  // four bytes at a time, lowest first (the same stream, fewer appends)
      const uint8_t b[4] = {uint8_t(acc_), uint8_t(acc_ >> 8), uint8_t(acc_ >> 16), uint8_t(acc_ >> 24)};
      out_.raw(b, 4);
      acc_ >>= 32;
      used_ -= 32;
    }
  }
  void flush() {  // the bytes still held, the last padded with zero bits
    while (used_ > 0) {
      uint8_t b = uint8_t(acc_);
      out_.raw(&b, 1);
      acc_ >>= 8;
      used_ = used_ > 8 ? used_ - 8 : 0;
    }
  }

 private:
  Out& out_;
  uint64_t acc_ = 0;
  unsigned used_ = 0;
};

// ---------------------------------------------------------------------------------------------
// 6. Checksum
// ---------------------------------------------------------------------------------------------

namespace detail {
inline constexpr uint64_t kP1 = 0x9E3779B185EBCA87ull;
inline constexpr uint64_t kP2 = 0xC2B2AE3D27D4EB4Full;
inline constexpr uint64_t kP3 = 0x165667B19E3779F9ull;
inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t mix(uint64_t acc, uint64_t w) { return std::rotl(acc + w * kP2, 31) * kP1; }
}  // namespace detail

// A fast 32-bit checksum (four independent multiply-rotate lanes over 32-byte stripes, then an
// avalanche). Detects corruption and truncation; it is not cryptographic.
inline uint32_t checksum32(const void* data, size_t n) {
  using namespace detail;
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t a = kP1 + kP2, b = kP2, c = 0, d = ~kP1 + 1;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    a = mix(a, load64(p + i));
    b = mix(b, load64(p + i + 8));
    c = mix(c, load64(p + i + 16));
    d = mix(d, load64(p + i + 24));
  }
  uint64_t h = std::rotl(a, 1) + std::rotl(b, 7) + std::rotl(c, 12) + std::rotl(d, 18) + n;
  for (; i + 8 <= n; i += 8) h = std::rotl(h ^ mix(0, load64(p + i)), 27) * kP1 + kP3;
  for (; i < n; ++i) h = std::rotl(h ^ (p[i] * kP3), 11) * kP1;
  h ^= h >> 33;
  h *= kP2;
  h ^= h >> 29;
  h *= kP3;
  h ^= h >> 32;
  return uint32_t(h);
}

}  // namespace vz::vzt
