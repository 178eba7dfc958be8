// Loading any supported trace file into the model.
//
// The format is sniffed from the first bytes (gzip magic, .vzt magic, '{' or '['), never from the
// file name. Loading can report progress through an atomic record polled by a UI thread and can be
// cancelled. Nothing is thrown: the result carries the trace (possibly partial) and the fatal error,
// if any; non-fatal problems are in trace->diagnostics.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "formats/model.h"

namespace vz {

enum class Format { Unknown, Json, JsonGz, Vzt };
std::string_view format_name(Format f);  // "json", "json.gz", "vzt", "unknown"

// Sniffs the format of the first bytes of a file.
Format sniff_format(std::string_view head);

enum class LoadPhase : int { Opening, Inflating, Parsing, Building, Done };

// Polled by the UI; every field is updated with relaxed atomics by the loader.
struct LoadProgress {
  std::atomic<int> phase{int(LoadPhase::Opening)};
  std::atomic<uint64_t> bytes_total{0};
  std::atomic<uint64_t> bytes_done{0};
  std::atomic<uint64_t> events{0};
};

struct LoadOptions {
  unsigned threads = 0;                       // 0 = all cores
  LoadProgress* progress = nullptr;           // optional
  const std::atomic<bool>* cancel = nullptr;  // optional; when set, loading stops early
  size_t min_chunk = 0;  // JSON: when set, the size of the pieces parsed in parallel (default:
                         // an eighth of a worker's share, 1 to 16 MiB); tests and fuzzers set it
                         // small so that small inputs go through the chunked path too
};

struct LoadResult {
  std::unique_ptr<Trace> trace;  // never null; partial when !ok
  Format format = Format::Unknown;
  bool ok = false;               // false: nothing could be loaded (see error)
  bool cancelled = false;
  std::string error;             // fatal error message
  uint64_t error_offset = 0;
  uint64_t input_bytes = 0;      // bytes of the file as stored
};

// Loads a file of any supported format.
LoadResult load_file(const std::string& path, const LoadOptions& options = {});
// Loads from a buffer (tests, fuzzers). The buffer must have kPadding readable bytes past size().
LoadResult load_buffer(std::shared_ptr<const Buffer> buffer, const LoadOptions& options = {});
// Convenience for tests: copies `bytes` into a padded buffer first.
LoadResult load_bytes(std::string_view bytes, const LoadOptions& options = {});

}  // namespace vz
