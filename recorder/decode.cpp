// Records -> events, one thread at a time. Begins and ends pair on a stack, so slices come out
// when they end, children before parents, each with its depth; payload records are reassembled
// into their event. A run that starts inside an event (the ring overwrote its head) skips the
// orphan payload records; an end with no begin (overwritten too) is counted and dropped.
#include <algorithm>
#include <cstring>

#include "recorder/internal.h"

namespace vz::rec::internal {

using namespace detail;

void Decoder::slice(int64_t start, int64_t end, uint32_t name, uint32_t depth, uint8_t flags,
                    Batch& out) {
  int64_t dur = end - start;
  if (dur < 0) dur = 0;
  if (dur < min_dur_ && !(flags & kDecOpen)) {
    ++out.filtered;
    return;
  }
  if (used_) {  // left in the ring (leave_slices)
    (*used_)[name < used_->size() ? name : 0] = 1;
    ++out.in_ring;
    if (flags & kDecComplete) {
      out.ring_complete_first = std::min(out.ring_complete_first, start);
      out.ring_complete_last = std::max(out.ring_complete_last, start + dur);
    }
    return;
  }
  out.slices.push_back(DecodedSlice{start, dur, name, depth, flags});
}

// feed()'s loop for begin and end records when their slices are only counted (leave_slices,
// no min_duration: the .vzt save), its state in locals. Returns at the first other record.
size_t Decoder::feed_begin_end(const Record* r, size_t i, size_t n, Batch& out) {
  int64_t first = out.first_ts, last = out.last_ts;
  uint64_t in_ring = 0, orphans = 0;
  size_t seen = i;
  std::vector<uint8_t>& used = *used_;
  const size_t names = used.size();
  BlockPlan* const plan = plan_;
  for (; i < n; ++i) {
    const Record& rec = r[i];
    const uint8_t kind = uint8_t(rec.meta);
    if (kind == kBegin) {
      const int64_t t = ns(rec.ts);
      if (plan) plan->begin(plan->base + i, t, stack_.size()), plan->add(rec);
      stack_.push_back(Open{t, rec.name, begins_++});
      first = t < first ? t : first;
      last = t > last ? t : last;
    } else if (kind == kEnd) {
      const int64_t t = ns(rec.ts);
      last = t > last ? t : last;
      if (plan) plan->add(rec);
      if (stack_.empty()) [[unlikely]] {
        ++orphans;
        out.orphan_ts.push_back(t);
        continue;
      }
      const Open o = stack_.back();
      stack_.pop_back();
      if (plan) plan->end(o.ordinal, o.start, t, stack_.size());
      used[o.name < names ? o.name : 0] = 1;
      ++in_ring;
    } else {
      break;
    }
  }
  if (i > seen) out.has_begin_end = true;
  out.first_ts = first, out.last_ts = last;
  out.in_ring += in_ring, out.orphan_ends += orphans;
  return i;
}

// The same for complete() records (the Python tracer's calls): each slice is only counted and
// its name marked. The earliest start and latest end are kept as signed ticks since the clock's
// anchor, to which to_ns is monotonic, and converted once. Returns at the first other record,
// or at a long complete() whose payload record is not in this run (feed() then carries it over).
size_t Decoder::feed_complete(const Record* r, size_t i, size_t n, Batch& out) {
  const uint64_t base = clock_.tsc ? clock_.tick0 : 0;
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  uint64_t slices = 0;
  uint8_t* const used = used_->data();
  const size_t names = used_->size();
  for (; i < n; ++i) {
    const Record& rec = r[i];
    const uint8_t kind = uint8_t(rec.meta);
    uint64_t end;
    if (kind == kCompleteShort) {
      end = rec.ts + (rec.meta >> 8);
    } else if (kind == kComplete && i + 1 < n && uint8_t(r[i + 1].meta) == kPayload) {
      end = rec.ts + r[i + 1].ts;
    } else {
      break;
    }
    const int64_t s = int64_t(rec.ts - base), e = int64_t(end - base);
    lo = s < lo ? s : lo;
    hi = e > hi ? e : hi;
    used[rec.name < names ? rec.name : 0] = 1;
    ++slices;
    i += kind == kComplete;  // (its payload record)
  }
  if (slices > 0) {
    out.in_ring += slices;
    const int64_t first = ns(base + uint64_t(lo)), last = ns(base + uint64_t(hi));
    out.first_ts = std::min(out.first_ts, first);
    out.last_ts = std::max(out.last_ts, last);
    out.ring_complete_first = std::min(out.ring_complete_first, first);
    out.ring_complete_last = std::max(out.ring_complete_last, last);
    out.has_complete = true;
  }
  return i;
}

void Decoder::feed(const Record* r, size_t n, Batch& out) {
  const bool fast = used_ && min_dur_ <= 0;
  for (size_t i = 0; i < n; ++i) {
    if (fast && need_ == 0) {
      i = feed_begin_end(r, i, n, out);
      if (i < n) i = feed_complete(r, i, n, out);
      if (i == n) break;
    }
    const Record& rec = r[i];
    uint8_t kind = uint8_t(rec.meta);
    if (need_ > 0) {  // completing an event
      if (kind != kPayload) {  // cannot happen in one ring; be safe: drop the partial event
        need_ = 0;
        payload_.clear();
      } else {
        payload_.push_back(rec);
        if (--need_ == 0) {
          event(head_, payload_.data(), uint32_t(payload_.size()), out);
          payload_.clear();
        }
        continue;
      }
    }
    switch (kind) {
      case kBegin: {
        out.has_begin_end = true;
        int64_t t = ns(rec.ts);
        if (plan_) plan_->begin(plan_->base + i, t, stack_.size()), plan_->add(rec);
        stack_.push_back(Open{t, rec.name, begins_++});
        out.first_ts = std::min(out.first_ts, t);
        out.last_ts = std::max(out.last_ts, t);
        break;
      }
      case kEnd: {
        out.has_begin_end = true;
        int64_t t = ns(rec.ts);
        out.last_ts = std::max(out.last_ts, t);
        if (plan_) plan_->add(rec);
        if (stack_.empty()) {
          ++out.orphan_ends;
          out.orphan_ts.push_back(t);
          break;
        }
        Open o = stack_.back();
        stack_.pop_back();
        if (plan_) plan_->end(o.ordinal, o.start, t, stack_.size());
        slice(o.start, t, o.name, uint32_t(stack_.size()), 0, out);
        break;
      }
      case kCompleteShort: {
        const int64_t t = ns(rec.ts), end = ns(rec.ts + (rec.meta >> 8));
        out.first_ts = std::min(out.first_ts, t);
        out.last_ts = std::max(out.last_ts, end);
        out.has_complete = true;
        slice(t, end, rec.name, 0, kDecComplete, out);
        break;
      }
      case kPayload:
        break;  // its head was overwritten
      default: {
        uint32_t np = 0;
        if (kind == kComplete || kind == kFlow) np = 1;
        else if (kind == kInstant) np = payload_records(rec.meta >> 10);
        else if (kind == kCounter) np = (rec.meta >> 8) & 0xff;
        else break;  // unknown kind: skip
        if (np == 0) {
          event(rec, nullptr, 0, out);
        } else {
          head_ = rec;
          need_ = np;
        }
      }
    }
  }
  if (plan_) plan_->base += n;
}

void Decoder::event(const Record& head, const Record* p, uint32_t n, Batch& out) {
  int64_t t = ns(head.ts);
  out.first_ts = std::min(out.first_ts, t);
  switch (uint8_t(head.meta)) {
    case kComplete: {
      int64_t end = ns(head.ts + p[0].ts);
      out.last_ts = std::max(out.last_ts, end);
      out.has_complete = true;
      slice(t, end, head.name, 0, kDecComplete, out);
      return;
    }
    case kInstant: {
      out.last_ts = std::max(out.last_ts, t);
      uint32_t len = head.meta >> 10;
      DecodedInstant in{t, head.name, uint8_t((head.meta >> 8) & 3), uint32_t(out.args.size()), len};
      for (uint32_t i = 0; i < n && len > 0; ++i) {
        char b[kPayloadBytes];
        std::memcpy(b, &p[i].ts, 8);
        std::memcpy(b + 8, &p[i].name, 4);
        uint32_t m = p[i].meta >> 8;
        b[12] = char(m), b[13] = char(m >> 8), b[14] = char(m >> 16);
        uint32_t k = std::min(len, kPayloadBytes);
        out.args.append(b, k);
        len -= k;
      }
      out.instants.push_back(in);
      return;
    }
    case kCounter: {
      out.last_ts = std::max(out.last_ts, t);
      DecodedCounter c{t, head.name, uint32_t(out.values.size()), n};
      for (uint32_t i = 0; i < n; ++i) {
        double v;
        std::memcpy(&v, &p[i].ts, 8);
        out.values.push_back({p[i].name, v});
      }
      out.counters.push_back(c);
      return;
    }
    case kFlow: {
      out.last_ts = std::max(out.last_ts, t);
      out.flows.push_back(DecodedFlow{t, head.name, p[0].ts, char((head.meta >> 8) & 0xff)});
      return;
    }
  }
}

void Decoder::close_open(int64_t end_ns, Batch& out) {
  if (plan_) plan_->current = plan_->begun;  // every block's records are over: the ends are late
  while (!stack_.empty()) {
    Open o = stack_.back();
    stack_.pop_back();
    ++out.open_begins;
    if (plan_) {
      plan_->open_at_end.push_back(o.ordinal);  // (innermost first: RingStream reverses them)
      plan_->end(o.ordinal, o.start, std::max(end_ns, o.start), stack_.size());
    }
    slice(o.start, std::max(end_ns, o.start), o.name, uint32_t(stack_.size()), kDecOpen, out);
  }
}

}  // namespace vz::rec::internal
