// Import problems, counted by kind with the byte offset of the first occurrence.
//
// Readers never throw: they record what is wrong here and keep what is valid. The viewer shows
// this table in its Trace info panel; `vizviewer --stats` prints it.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vz {

enum class Severity : uint8_t { Info, Warning, Error };

// Every kind of problem a reader can report. Keep kDiagInfo in diagnostics.cpp in the same order.
enum class DiagKind : uint8_t {
  NotATrace,            // the input is not a trace at all (fatal)
  TruncatedInput,       // the input ends in the middle of an event or section
  MalformedEvent,       // an event that is not valid JSON; skipped
  NotAnObject,          // an element of traceEvents that is not an object; skipped
  MissingPhase,         // no "ph"; skipped
  BadFieldType,         // a field of the wrong type (e.g. "ts": true); the event is skipped
  MissingTimestamp,     // an event that needs "ts" has none; skipped
  TimestampOutOfRange,  // a time more than kMaxAbsTime ns from the origin; clamped
  MissingDuration,      // X without a valid "dur" >= 0; skipped
  UnknownPhase,         // a phase the model does not name; kept verbatim
  UnmatchedEnd,         // E with no open B on its thread; dropped
  UnmatchedBegin,       // B never closed; kept, open to the end of the trace
  OverlappingSlice,     // X overlapping a sibling without nesting; moved to an overflow lane
  UnmatchedAsyncEnd,    // e / F with no open b / S
  UnmatchedAsyncBegin,  // b / S never closed; kept, open to the end
  BadCounterValue,      // a counter arg that is not a number (null is no value, not this);
                        // that series skips the sample
  TrailingComma,        // a trailing comma before ] or }
  MissingClose,         // the events array or top-level object is not closed
  TrailingGarbage,      // bytes after the end of the JSON document
  InvalidUtf8,          // invalid UTF-8 inside an event; the event is skipped
  GzipError,            // corrupt gzip stream; what inflated before it is kept
  VztBadHeader,         // .vzt magic/version not understood
  VztChecksum,          // a .vzt section whose checksum does not match; skipped
  VztBadSection,        // a .vzt section that does not decode; skipped
  VztUnknownSection,    // a .vzt section kind this reader does not know; skipped
  BadMetadata,          // a metadata event (M) or top-level member with unexpected content
  DepthLimit,           // nesting deeper than the model supports
  SparseCounter,        // a counter whose series rarely share a sample; one counter per series
  CounterLimit,         // a counter with more samples than its indexes hold; later ones dropped
  kCount
};

struct DiagInfo {
  std::string_view id;  // stable snake_case name used in --stats
  Severity severity;
  std::string_view description;
};

const DiagInfo& diag_info(DiagKind k);
std::string_view severity_name(Severity s);

struct DiagEntry {
  uint64_t count = 0;
  uint64_t first_offset = 0;  // byte offset in the input of the first occurrence
  std::string detail;         // what the first occurrence was
};

class Diagnostics {
 public:
  // Records one occurrence. Keeps the detail of the occurrence with the smallest offset.
  void add(DiagKind k, uint64_t offset, std::string_view detail = {});
  // Adds n occurrences at once (first at `offset`).
  void add_n(DiagKind k, uint64_t n, uint64_t offset, std::string_view detail = {});
  // Another sighting of a problem already counted (say the same bad string again): moves the
  // first offset earlier when `offset` is, without counting.
  void sighting(DiagKind k, uint64_t offset, std::string_view detail = {});
  // Folds another table in (used to merge per-chunk tables).
  void merge(const Diagnostics& other);

  const DiagEntry& get(DiagKind k) const { return entries_[size_t(k)]; }
  uint64_t count(DiagKind k) const { return entries_[size_t(k)].count; }
  bool empty() const;
  // The fatal error, if any (NotATrace).
  bool fatal() const { return count(DiagKind::NotATrace) > 0; }

  // "message" for kind k: description plus the first occurrence's detail.
  std::string message(DiagKind k) const;

  // Kinds with count > 0, in enum order.
  std::vector<DiagKind> present() const;
  // Those worth telling whoever loaded the file (above Severity::Info), in enum order.
  std::vector<DiagKind> problems() const;
  // "offset N: message (K times)" for kind k, as the command line reports it.
  std::string problem_line(DiagKind k) const;

 private:
  std::array<DiagEntry, size_t(DiagKind::kCount)> entries_{};
};

}  // namespace vz
