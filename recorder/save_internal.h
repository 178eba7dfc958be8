// Layout helpers shared by save() (recorder/save.cpp) and the streaming writer
// (recorder/stream.cpp). Not part of the API.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "formats/model.h"
#include "formats/vzt_writer.h"
#include "recorder/internal.h"

namespace vz::rec::internal {

// zstd level of the recorder's .vzt output: fast (the viewer's converter uses 17; level 3 is
// a few percent larger and an order of magnitude faster).
constexpr int kSaveZstdLevel = 1;

// The trace's metadata entries: first viztracer_metadata (producer, version, what was lost,
// baseTimeNanoseconds, "streaming" for a streamed file, then the members of the caller's own
// viztracer_metadata), then the other set_metadata() members. Their values are appended to
// `source`, which the entries' ranges point into; keys are interned by `intern`.
std::vector<MetadataEntry> recorder_metadata(
    const std::vector<std::pair<std::string, std::string>>& user, uint64_t lost,
    uint64_t lost_slices, uint64_t lost_added, bool streamed, std::string& source,
    const std::function<StrId(const std::string&)>& intern);

// SliceFlags of a decoded slice.
uint8_t slice_flags(uint8_t decoded);

// Lays out postorder slices as a depth-major SliceSet: begin/end slices with their depths, or
// complete() slices, whose depths come from their order. label_of maps a NameId to a label
// (nullptr: the label is the NameId). Returns false when the thread mixes the two kinds, a depth
// is empty, or the result is not laid out exactly as TraceBuilder would lay it out (zero-length
// slices at a parent's end, complete() slices out of return order): the caller then lets the
// builder lay them out.
bool build_slice_set(const DecodedSlice* in, size_t n, const std::vector<uint32_t>* label_of,
                     SliceSet& out);
// True when `s` is laid out as TraceBuilder::finish() lays out nested slices.
bool laid_out_like_builder(const SliceSet& s);
// The same slices as the preorder walk the .vzt writer encodes (VztSliceSetRef::preorder_depth):
// `out`'s columns in walk order (its depth_begin left empty), `depth` each slice's depth. Returns
// false, for build_slice_set and the builder to decide, unless the walk is a clean nesting: every
// slice longer than zero, inside its parent, after the slice before it at its depth.
// `bounds` (optional) gets the first start and the last end of the roots.
bool build_preorder(const DecodedSlice* in, size_t n, const std::vector<uint32_t>* label_of,
                    SliceSet& out, std::vector<uint32_t>& depth,
                    std::pair<Time, Time>* bounds = nullptr);
// build_preorder for the n complete() slices `dec` left in the ring of `snap`
// (Decoder::leave_slices), read from the records themselves. label_of maps every NameId.
bool walk_complete(const Decoder& dec, const RingSnapshot& snap, size_t n,
                   const std::vector<uint32_t>& label_of, SliceSet& out,
                   std::vector<uint32_t>& depth, std::pair<Time, Time>* bounds);
// The same for the n begin/end slices of a ring without complete() records (and no
// min_duration): begins come in walk order, so one pass in record order places them. Begins
// still open end at end_ns, flagged open.
bool walk_begin_end(const Decoder& dec, const RingSnapshot& snap, size_t n, int64_t end_ns,
                    const std::vector<uint32_t>& label_of, SliceSet& out,
                    std::vector<uint32_t>& depth, std::pair<Time, Time>* bounds);

// A thread's begin/end slices (a ring without complete() records, no min_duration) streamed
// from its records into the .vzt writer block by block (formats/vzt_tree_sink.h), never stored
// as columns. The blocks were planned while the ring was decoded (Decoder::plan_blocks); init()
// refuses a plan walk_begin_end() would refuse too (times that decrease, a zero-length slice) or
// one that does not match the n slices the decoder counted, and leaves those threads to it.
class RingStream final : public VztSliceStream {
 public:
  // Slices per block for a ring of `records` records (the plan is made before the slices are
  // counted): the writer's rule for as many slices as the records could hold.
  static uint32_t block_for(size_t records, uint32_t block_slices);
  bool init(const Decoder& dec, const RingSnapshot& snap, BlockPlan&& plan, size_t n,
            const std::vector<uint32_t>& label_of, uint32_t nlabels, std::pair<Time, Time>* bounds);
  bool feed(size_t first, size_t n, VztTreeSink& sink) const override;

 private:
  const Decoder* dec_ = nullptr;
  RingSnapshot snap_;
  const std::vector<uint32_t>* label_of_ = nullptr;
  BlockPlan plan_;
  std::vector<std::vector<Time>> tails_;  // per block: its late ends, innermost first
};

// A thread's complete() slices (the Python tracer's calls) streamed from its ring into the .vzt
// writer, never stored as columns. Their records are in the order the calls returned; the walk
// puts them in walk order in one pass newest first, as walk_complete() does, keeping each
// slice's record index (4 bytes a slice instead of the walk's 25), and checks what
// walk_complete() checks: the times nest cleanly and every name has a label. feed() reads a
// block's slices through that order and hands their begins and ends to the sink; a block whose
// records are not the ones the walk read (their hashes, summed per block, differ: a late writer
// wrapped the ring over them) fails the write, and save() is redone without streams.
//
// The walk places calls from the last block down, and a block is whole once the walk has passed
// below its first call: set up with setup(), the stream is deferred (VztSliceStream::deferred)
// and the walk is its prepare(), run by one of the writer's workers while the others encode the
// blocks it has finished. A walk that finds the calls do not nest cleanly fails the write in the
// same way. init() is setup() and the walk at once. Both refuse a min_duration (slices dropped
// after their place in the walk was taken) and anything else they cannot stream; walk_complete()
// then decides.
class CompleteStream final : public VztSliceStream {
 public:
  // `bounds`: the first start and the last end of the slices as the decoder counted them
  // (Batch::ring_complete_first / _last); the walk fails unless it finds the same.
  bool setup(const Decoder& dec, const RingSnapshot& snap, size_t n, uint32_t block_slices,
             const std::vector<uint32_t>& label_of, uint32_t nlabels, std::pair<Time, Time> bounds);
  // Not deferred: `bounds` (optional) gets the first start and the last end the walk found.
  bool init(const Decoder& dec, const RingSnapshot& snap, size_t n, uint32_t block_slices,
            const std::vector<uint32_t>& label_of, uint32_t nlabels, std::pair<Time, Time>* bounds);
  bool prepare() override;
  bool ready(size_t b, uint32_t* block_depths) const override;
  bool feed(size_t first, size_t n, VztTreeSink& sink) const override;

 private:
  static constexpr uint32_t kFailed = UINT32_MAX;
  bool set_up(const Decoder& dec, const RingSnapshot& snap, size_t n, uint32_t block_slices,
              const std::vector<uint32_t>& label_of, uint32_t nlabels);
  bool walk(std::pair<Time, Time>* bounds);
  bool place_all(std::pair<Time, Time>* bounds);  // walk()'s work; may throw bad_alloc
  bool fail();  // the walk failed: blocks not handed over yet never will be

  const Decoder* dec_ = nullptr;
  RingSnapshot snap_;
  const std::vector<uint32_t>* label_of_ = nullptr;
  std::pair<Time, Time> expect_{INT64_MAX, INT64_MIN};
  bool check_bounds_ = false;
  bool walked_ = false;
  std::unique_ptr<uint32_t[]> record_;    // per walk position: its slice's record (over both runs)
  std::vector<uint64_t> sums_;            // per block: its records' hashes, summed
  std::vector<std::vector<Time>> outer_;  // per block: the ends of the slices enclosing its
                                          // first slice, outermost first
  std::vector<uint32_t> block_depths_;    // per block: its depths' bound
  // Blocks from this one up are walked (kFailed: the walk failed). Written by the walk, waited
  // on by ready().
  std::atomic<uint32_t> ready_from_{kFailed};
};

// What the last save() did with streams (tests check the stream path is taken, not fallen back
// from): threads streamed from their rings, and whether a stream failed and the save was redone
// without them.
struct StreamStats {
  size_t streamed = 0;
  bool redone = false;
};
StreamStats last_stream_stats();

}  // namespace vz::rec::internal
