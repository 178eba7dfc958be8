// Writing .vzt files (spec: formats/VZT.md).
//
// One encoder serves two callers:
//   - write_vzt() saves a whole Trace (the viewer's "save as", the converter, tests);
//   - a recorder streams sections into VztStreamWriter as its per-thread buffers fill, so a
//     program that crashes still leaves a file that loads up to its last whole section.
// write_vzt() is a thin loop over VztStreamWriter; nothing is encoded anywhere else.
//
// Recipe (streaming):
//   vz::VztStreamWriter w;
//   w.open_streaming("out.vzt", {}, &err);         // file appears at once under its final name
//   w.write_info(info);                            // origin, time unit (again at the end if known)
//   w.write_strings(1, names, n);                  // ids 1..n; id 0 is always ""
//   w.write_labels(0, labels, m);
//   w.write_processes(0, procs, p);  w.write_threads(0, threads, t);
//   ...as buffers fill: w.write_slices(thread, SliceSetKind::Nested, fragment, args_bytes);
//   w.finish(&err);                                // footer index + End section
// Every write_* call appends whole sections; args bytes a call references are copied from
// `source` into an Args section written just before the section that points at them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "formats/model.h"
#include "formats/vzt_format.h"

namespace vz {

// Saves `trace` as .vzt at `path` through an AtomicFile (temp file + rename).
// `compress` zstd-compresses the sections. Returns false and sets *error on failure.
bool write_vzt(const Trace& trace, const std::string& path, bool compress, std::string* error);
// The same with every writer option (compression level, block sizes).
struct VztWriteOptions;
bool write_vzt(const Trace& trace, const std::string& path, const VztWriteOptions& options, std::string* error);

// Trace-level scalars carried by the Info section.
struct VztInfo {
  int64_t origin_us = 0;              // Trace::origin_us
  std::string display_time_unit;      // Trace::display_time_unit
  bool object_form = true;            // Trace::object_form
  uint64_t events = 0;                // Trace::events
  bool has_bounds = false;            // start/end below are meaningful
  Time start = 0, end = 0;            // Trace::start / Trace::end
};

// Options of a VztStreamWriter.
struct VztWriteOptions {
  bool compress = true;               // zstd-compress section payloads (kept raw if not smaller)
  int level = 17;                     // zstd level (17: -0.6% size vs 9; 1 GB JSON converts in ~6 s)
  bool index = true;                  // write the footer Index section at finish()
  uint32_t block_slices = 1u << 20;   // slices per Slices section: a unit of parallel decoding
  uint32_t block_events = 1u << 20;   // events per Instants / Counter / ... section
};

// Slices per Slices section for a set of n (the writer's rule, VZT.md §7): a producer that
// streams a set (VztSliceStream) plans its blocks with it.
uint32_t vzt_block_size(size_t n, uint32_t block_slices);

class VztTreeSink;  // formats/vzt_tree_sink.h

// A nested set that its producer streams as begin/end events, block by block, instead of holding
// it as columns (a recorder's ring buffer: the begins come in walk order already). The file is the
// one the same slices given as a preorder walk give.
class VztSliceStream {
 public:
  virtual ~VztSliceStream() = default;
  size_t slices = 0;    // in the set
  uint32_t depths = 0;  // the deepest slice's depth + 1
  uint32_t labels = 0;  // every label the set uses is below this
  uint32_t block = 0;   // slices per block: vzt_block_size(slices, the writer's block_slices)
  // A stream that is still to be worked out when the write starts (deferred): one of the
  // writer's workers runs prepare() before any of its blocks, which makes them ready from the
  // last block down; the other workers take the blocks in that order, ready() waiting for each,
  // so the two overlap. `depths` is then only known once prepare() has returned.
  bool deferred = false;
  virtual bool prepare() { return true; }
  // Waits until block b (deferred) can be fed; false when it never will be (prepare() failed).
  // *depths gets a bound of the block's depths (every slice of it is shallower).
  virtual bool ready(size_t b, uint32_t* block_depths) const {
    (void)b;
    *block_depths = depths;
    return true;
  }
  // Feeds slices [first, first + n) of the walk (one block: first is a multiple of `block`) into
  // `sink`, as formats/vzt_tree_sink.h describes; called once per block, from any thread, blocks
  // in any order. False (or a sink that failed) when the events are not what they were planned
  // to be: the write then fails with kVztSliceStreamChanged as its error.
  virtual bool feed(size_t first, size_t n, VztTreeSink& sink) const = 0;
};

// The error of a write whose VztSliceStream did not feed what it planned.
inline constexpr std::string_view kVztSliceStreamChanged = "slice stream changed while it was written";

// One slice set to write with VztStreamWriter::write_slice_sets.
struct VztSliceSetRef {
  uint32_t thread = 0;
  vzt::SliceSetKind kind = vzt::SliceSetKind::Nested;
  const SliceSet* set = nullptr;
  uint32_t depth_offset = 0;
  // A nested set handed over as its preorder walk (what a recorder has at hand): `set`'s columns
  // in walk order instead of depth-major (its depth_begin unused), `preorder_depth` the depth of
  // each slice, 0 for the first and never more than one below the slice before it. The file is
  // the one the depth-major form of the same set gives.
  const std::vector<uint32_t>* preorder_depth = nullptr;
  // A nested set streamed instead (`set` then null, preorder_depth unused).
  VztSliceStream* stream = nullptr;
};

// write_vzt with some threads' nested slices given as preorder walks or streams instead of
// trace.threads[i].slices (left empty): each ref names its thread; kind and depth_offset unused.
bool write_vzt(const Trace& trace, const std::string& path, const VztWriteOptions& options,
               const std::vector<VztSliceSetRef>& preorder_sets, std::string* error);

// Appends .vzt sections to a file. Not thread-safe: one writer per file, one thread at a time.
class VztStreamWriter {
 public:
  VztStreamWriter();
  ~VztStreamWriter();  // abandons an unfinished file (atomic mode: nothing is left behind)
  VztStreamWriter(const VztStreamWriter&) = delete;
  VztStreamWriter& operator=(const VztStreamWriter&) = delete;

  // Writes to a temporary file that finish() renames to `path` (write_vzt's mode).
  bool open(const std::string& path, const VztWriteOptions& options, std::string* error);
  // Writes straight to `path`, one write(2) per section, so a crash leaves whole sections.
  bool open_streaming(const std::string& path, const VztWriteOptions& options, std::string* error);

  // Trace-level scalars. May be written more than once; the reader keeps the last.
  bool write_info(const VztInfo& info);
  // Appends strings with ids first, first+1, ...; `first` must equal strings written so far + 1.
  bool write_strings(StrId first, const std::string_view* strings, size_t n);
  // Appends labels with indices first, first+1, ...
  bool write_labels(uint32_t first, const Label* labels, size_t n);
  // Creates processes first.. (or updates names / sort indexes of ones already written).
  bool write_processes(uint32_t first, const Process* processes, size_t n);
  // Creates or updates threads first..; only identity, names, sort index, unmatched counts.
  bool write_threads(uint32_t first, const Thread* threads, size_t n);
  // Appends a depth-major run of one thread's slices; fragment depth d is thread depth
  // d + depth_offset. Attachments are byte ranges into `source`.
  bool write_slices(uint32_t thread, vzt::SliceSetKind set, const SliceSet& slices,
                    std::string_view source, uint32_t depth_offset = 0);
  // The same for many sets, encoded and compressed on up to `workers` threads (0: one per core);
  // the sections come out in the order of `sets`, byte for byte as consecutive write_slices
  // calls would write them. Sets with args or extra fields (which share the file's args stream)
  // are encoded on the calling thread, in their turn.
  bool write_slice_sets(const VztSliceSetRef* sets, size_t n, std::string_view source, unsigned workers = 0);
  // Instants of any scope (each carries its own); kept in the given order.
  bool write_instants(const Instant* instants, size_t n, std::string_view source);
  // `source`: what the counter's extras (Counter::extras) point into.
  bool write_counter(const Counter& counter, std::string_view source);
  bool write_async_slices(const AsyncSlice* slices, size_t n, std::string_view source);
  bool write_async_marks(const AsyncMark* marks, size_t n, std::string_view source);
  bool write_flows(const FlowEvent* flows, size_t n, std::string_view source);
  bool write_objects(const ObjectEvent* objects, size_t n, std::string_view source);
  bool write_others(const OtherEvent* others, size_t n, std::string_view source);
  bool write_files(const SourceFile* files, size_t n, std::string_view source);
  bool write_functions(const std::pair<StrId, FunctionLocation>* functions, size_t n);
  bool write_metadata(const MetadataEntry* entries, size_t n, std::string_view source);

  // Writes the Index and End sections and closes (atomic mode: renames into place).
  bool finish(std::string* error);
  // Closes without finishing (atomic mode: removes the temporary file).
  void abort();

  bool ok() const;                     // no write has failed so far
  const std::string& error() const;    // the first failure
  uint64_t bytes_written() const;      // file size so far

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vz
