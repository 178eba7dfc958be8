// add_trace_events(): a loaded trace's events into a TraceBuilder (see merge.h). Every id of
// `src` (strings, labels, processes, threads) is mapped to the builder's, strings and labels
// first in their order; slices go over as they are stored (flags and attachments included) and
// are laid out again by finish(), as the builder lays out the slices of a .vzt's general path.
#include "formats/merge.h"

#include <algorithm>

#include "formats/json_event.h"
#include "formats/numbers.h"

namespace vz {

namespace {

struct Mapper {
  TraceBuilder& b;
  const Trace& src;
  Time shift;
  uint64_t base;
  std::vector<StrId> strs;
  std::vector<uint32_t> labels, processes;
  AddedThreads added;

  Mapper(TraceBuilder& builder, const Trace& t, Time sh, uint64_t bs)
      : b(builder), src(t), shift(sh), base(bs), strs(t.strings.size(), kNone),
        labels(t.labels.size(), kNone), processes(t.processes.size(), kNone) {
    added.thread.assign(t.threads.size(), kNone);
  }
  StrId s(StrId id) {
    if (id == kNoStr || id >= strs.size()) return kNoStr;
    if (strs[id] == kNone) strs[id] = b.intern(src.str(id));
    return strs[id];
  }
  uint32_t label(uint32_t l) {
    if (l >= labels.size()) return b.label(kNoStr, kNoStr);
    if (labels[l] == kNone) labels[l] = b.label(s(src.labels[l].name), s(src.labels[l].cat), src.labels[l].color);
    return labels[l];
  }
  uint32_t process(uint32_t p) { return p < processes.size() ? processes[p] : b.process(kNoStr); }
  uint32_t thread(uint32_t t) { return t < added.thread.size() ? added.thread[t] : kNone; }
  Time ts(Time t) const {
    Time out;
    if (__builtin_add_overflow(t, shift, &out)) out = shift > 0 ? kMaxAbsTime : -kMaxAbsTime;
    return std::clamp<Time>(out, -kMaxAbsTime, kMaxAbsTime);
  }
  // A duration from a moved start, kept inside the time range as the .vzt reader keeps it.
  static Time dur(Time start, Time d) { return std::clamp<Time>(d, 0, kMaxAbsTime - start); }
  ByteRange r(ByteRange x) const { return x.empty() ? ByteRange{} : ByteRange{x.offset + base, x.len}; }
  Instant instant(Instant in) {
    in.ts = ts(in.ts), in.label = label(in.label), in.thread = thread(in.thread);
    in.args = r(in.args), in.extra = r(in.extra);
    return in;
  }
};

// A copy of the event text `ev` with its numeric "ts" moved by `moved` ns, appended to `text`
// (as it is when it has none).
ByteRange moved_text(std::string_view ev, Time moved, std::string& text) {
  const uint64_t at = text.size();
  json::Event e;
  const char* err = nullptr;
  bool trailing = false;
  int64_t ts;
  if (json::parse_event(ev.data(), ev.data() + ev.size(), e, &err, &trailing) == json::ParseStatus::Ok &&
      e.ts.kind == 'n' && parse_us(e.ts.sv(), 0, &ts) == NumStatus::Ok) {
    text.append(ev.data(), size_t(e.ts.p - ev.data()));
    append_us(text, 0, ts + moved);
    text.append(e.ts.p + e.ts.len, size_t(ev.data() + ev.size() - (e.ts.p + e.ts.len)));
  } else {
    text.append(ev);
  }
  return ByteRange{at, text.size() - at};
}

}  // namespace

AddedThreads add_trace_events(TraceBuilder& b, const Trace& src, Time shift, uint64_t base,
                              Time moved, std::string* text) {
  Mapper m(b, src, shift, base);
  // Strings and labels in their order (into an empty builder, the ids come out the same),
  // then processes and threads, with what their metadata events said.
  for (StrId i = 1; i < src.strings.size(); ++i) m.s(i);
  for (uint32_t l = 0; l < src.labels.size(); ++l) m.label(l);
  for (size_t i = 0; i < src.processes.size(); ++i) {
    const Process& p = src.processes[i];
    const uint32_t to = m.processes[i] = b.process(m.s(p.pid));
    if (p.name != kNoStr) b.set_process_name(to, m.s(p.name));
    if (p.labels != kNoStr) b.set_process_labels(to, m.s(p.labels));
    if (p.has_sort_index) b.set_process_sort_index(to, p.sort_index);
  }
  for (size_t i = 0; i < src.threads.size(); ++i) {
    const Thread& t = src.threads[i];
    const uint32_t to = m.added.thread[i] = b.thread(m.s(src.processes[t.process].pid), m.s(t.tid));
    if (t.name != kNoStr) b.set_thread_name(to, m.s(t.name));
    if (t.has_sort_index) b.set_thread_sort_index(to, t.sort_index);
  }
  for (size_t i = 0; i < src.threads.size(); ++i) {
    const Thread& t = src.threads[i];
    std::vector<RawSlice> raw;
    std::vector<SliceAttachment> args, extras;
    raw.reserve(t.slices.size() + t.overflow.size());
    for (const SliceSet* set : {&t.slices, &t.overflow}) {
      const uint32_t at = uint32_t(raw.size());
      for (size_t k = 0; k < set->size(); ++k) {
        const Time start = m.ts(set->start[k]);
        raw.push_back(RawSlice{start, Mapper::dur(start, set->dur[k]), m.label(set->label[k]), set->flags[k]});
      }
      for (const SliceAttachment& a : set->args) args.push_back({at + a.index, m.r(a.range)});
      for (const SliceAttachment& a : set->extras) extras.push_back({at + a.index, m.r(a.range)});
    }
    if (!raw.empty()) b.adopt_slices(m.added.thread[i], std::move(raw), std::move(args), std::move(extras));
    for (const Instant& in : t.instants) b.add_instant(m.instant(in));
  }
  for (const auto* list : {&src.process_instants, &src.global_instants})
    for (const Instant& in : *list) b.add_instant(m.instant(in));
  for (const Counter& c : src.counters) {
    std::vector<std::pair<StrId, double>> values(c.series.size());
    for (size_t j = 0; j < c.series.size(); ++j) values[j].first = m.s(c.series[j].key);
    const StrId name = m.s(c.name), cat = m.s(c.cat), id = m.s(c.id);
    for (uint32_t i = 0; i < c.ts.size(); ++i) {
      for (size_t j = 0; j < c.series.size(); ++j) values[j].second = c.series[j].values[i];
      const uint32_t th = i < c.tid_of_sample.size() ? m.thread(c.tid_of_sample[i]) : kNone;
      b.add_counter_sample(m.process(c.process), name, cat, m.ts(c.ts[i]), th, values.data(),
                           values.size(), 0, id, m.r(c.extra_of(i)));
    }
  }
  for (AsyncSlice a : src.async_slices) {
    a.start = m.ts(a.start), a.dur = Mapper::dur(a.start, a.dur);
    a.label = m.label(a.label), a.process = m.process(a.process);
    a.thread = m.thread(a.thread), a.id = m.s(a.id), a.scope = m.s(a.scope);
    a.end_thread = m.thread(a.end_thread);
    a.args = m.r(a.args), a.end_args = m.r(a.end_args), a.extra = m.r(a.extra), a.end_extra = m.r(a.end_extra);
    b.add_async_slice_raw(a);
  }
  uint64_t seq = 0;
  for (const AsyncMark& a : src.async_marks) {
    const uint32_t label = m.label(a.label);
    b.add_async(a.phase, m.process(a.process), m.thread(a.thread), b.trace().labels[label].cat, m.s(a.id),
                m.ts(a.ts), label, m.r(a.args), seq++, 0, m.s(a.scope), m.r(a.extra));
  }
  for (FlowEvent f : src.flows) {
    f.ts = m.ts(f.ts), f.label = m.label(f.label), f.thread = m.thread(f.thread), f.id = m.s(f.id);
    f.args = m.r(f.args), f.extra = m.r(f.extra);
    b.add_flow(f);
  }
  for (ObjectEvent o : src.objects) {
    o.ts = m.ts(o.ts), o.label = m.label(o.label), o.process = m.process(o.process);
    o.thread = m.thread(o.thread), o.id = m.s(o.id), o.scope = m.s(o.scope);
    o.args = m.r(o.args), o.extra = m.r(o.extra);
    b.add_object(o);
  }
  for (OtherEvent o : src.others) {
    o.ts = m.ts(o.ts), o.thread = m.thread(o.thread), o.phase = m.s(o.phase), o.label = m.label(o.label);
    o.raw = moved != 0 && text ? moved_text(src.view(o.raw), moved, *text) : m.r(o.raw);
    b.add_other(o);
  }
  return std::move(m.added);
}

void add_unmatched_counts(Trace& out, const Trace& src, const AddedThreads& added) {
  for (size_t i = 0; i < src.threads.size() && i < added.thread.size(); ++i) {
    if (added.thread[i] >= out.threads.size()) continue;
    out.threads[added.thread[i]].unmatched_begin += src.threads[i].unmatched_begin;
    out.threads[added.thread[i]].unmatched_end += src.threads[i].unmatched_end;
  }
}

}  // namespace vz
