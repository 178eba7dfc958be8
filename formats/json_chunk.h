// Parsing one chunk of the traceEvents array into chunk-local results.
//
// A chunk interns nothing globally: names, ids, and threads are recorded as raw text in local
// tables (cheap open-addressing lookups keyed by the raw bytes), complete slices go straight into
// per-thread RawSlice vectors, and the rarer event kinds into a compact `Misc` list. The merge step
// (json_reader.cpp) maps local ids to the model's and replays the rest through TraceBuilder.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/builder.h"
#include "formats/diagnostics.h"
#include "formats/json_event.h"

namespace vz::json {

// Raw string token as a local id: content bytes plus whether it holds escapes.
struct RawStr {
  const char* p = nullptr;
  uint32_t len = 0;
  bool escaped = false;
  std::string_view sv() const { return std::string_view(p, len); }
};

// Open-addressing table from one or two raw strings to dense local ids. A slot holds the id and
// 32 bits of the hash; the key bytes are compared against a compact copy (hot in cache) rather
// than at their first occurrence in the input (cold), since this runs once per event.
class LocalTable {
 public:
  // `tag` is part of the key (the labels table: Label::color).
  uint32_t get(const RawStr& a, const RawStr& b = RawStr(), uint8_t tag = 0);
  size_t size() const { return keys_.size(); }
  // The key as first seen in the input (its position gives diagnostics their offsets).
  const std::pair<RawStr, RawStr>& key(uint32_t id) const { return keys_[id]; }
  uint8_t tag(uint32_t id) const { return tags_[id]; }

 private:
  void grow();
  bool equal(uint32_t id, const RawStr& a, const RawStr& b) const;
  std::vector<std::pair<RawStr, RawStr>> keys_;
  std::vector<uint8_t> tags_;
  std::vector<uint64_t> hashes_;
  std::vector<uint32_t> copy_at_;  // offset of key id's bytes (a then b) in arena_
  std::vector<char> arena_;        // key bytes, with a word of slack at the end
  std::vector<uint64_t> slots_;    // (hash >> 32) << 32 | id; ~0 when empty
};

// A chunk-local thread: raw pid/tid tokens and its complete slices.
struct LocalThread {
  Tok pid, tid;
  std::vector<RawSlice> slices;  // label = local label id
  std::vector<SliceAttachment> args, extras;
  std::vector<uint64_t> offsets;  // input offset of each slice's event (for diagnostics)
};

// Any event other than X, reduced to what the merge step needs.
struct Misc {
  Time ts = 0;
  Time dur = 0;
  uint64_t offset = 0;
  ByteRange args, extra;
  uint32_t thread = 0;            // local thread
  uint32_t label = 0;             // local label
  uint32_t id = 0xffffffffu;      // local string (id / bind id / metadata string value)
  uint32_t aux = 0, naux = 0;     // counter values range in ChunkResult::values
  int64_t ival = 0;               // metadata sort index
  char ph = 0;                    // phase; 'M' sub-kinds use `kind`
  char scope = 't';               // instants: 't', 'p' or 'g'
  uint32_t scope_str = 0xffffffffu;  // async and object events: local string of "scope"
  char kind = 0;                  // metadata: 'p' process_name, 't' thread_name, 'P'/'T' sort, 'l' labels;
                                  // E, async e/F: 'f' when it has fields the model does not
                                  // name (`extra` is then the whole event, as always for e/F);
                                  // X with flow fields: FlowV2 bits
  bool bp_e = false;
};

struct ChunkResult {
  const char* stop = nullptr;       // where parsing stopped (start of the first unparsed event)
  const char* array_end = nullptr;  // the ']' closing traceEvents, when this chunk reached it
  bool hit_eof = false;             // reached the end of the input before ']'
  uint64_t events = 0;
  uint64_t async_pairs = 0;         // async begins and ends (b e S F), to be paired by the builder
  Diagnostics diag;
  LocalTable labels;                // (name, cat) raw
  LocalTable strings;               // ids, metadata values, counter keys, phases
  std::vector<LocalThread> threads;
  std::vector<Misc> misc;
  std::vector<std::pair<uint32_t, double>> values;  // counter (local key, value)
};

// What every chunk shares: the input and the time origin.
struct ChunkContext {
  const char* base = nullptr;  // offset 0 of the input
  const char* end = nullptr;   // end of the input (padding readable past it)
  int64_t origin_us = 0;
};

// Parses events from `p` until an event would start at or after `limit`, or the array ends.
void parse_chunk(const ChunkContext& ctx, const char* p, const char* limit, ChunkResult& out);

// Skips to a plausible next event (or the closing ']') after a syntax error at p.
const char* resync(const char* p, const char* end);

// A likely event start at or after p: '{' preceded by ',' and '}' (whitespace aside) and followed
// by '"'. Returns `limit` when none is found before it.
const char* find_event_boundary(const char* p, const char* limit);

}  // namespace vz::json
