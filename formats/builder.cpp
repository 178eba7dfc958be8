#include "formats/builder.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <thread>
#include <tuple>

#include "formats/lanes.h"
#include "formats/numbers.h"
#include "formats/parallel.h"

namespace vz {
namespace {

constexpr Time kTimeMin = std::numeric_limits<Time>::min();
constexpr Time kTimeMax = std::numeric_limits<Time>::max();

uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t(a) << 32) | b; }

// A B or E event waiting to be paired.
struct BeginEnd {
  Time ts;
  uint64_t seq;
  uint64_t offset;
  uint32_t label;
  bool begin;
  ByteRange args, extra;  // extra: a B's when it has fields the model does not name, an E's whole
  bool fields = false;    // an E: it has fields the model does not name
  ByteRange end;          // a B: its E, kept whole (kSliceEndEvent)
};

// An async event waiting to be paired (b/e, S/F).
struct AsyncPending {
  Time ts;
  uint64_t seq;
  uint64_t offset;
  uint32_t process, thread, label;
  StrId cat, id, scope;
  char phase;
  bool whole = false;   // an end with the whole event in `extra`
  bool fields = false;  // ... which has fields the model does not name
  ByteRange args, extra;
};

static_assert(sizeof(AsyncPending) <= 88, "pairing moves one per async event");

// Per-thread events collected before finish().
struct PendingThread {
  std::vector<RawSlice> slices;
  std::vector<SliceAttachment> args, extras;  // index = position in `slices`
  std::vector<BeginEnd> be;
  std::vector<OtherEvent> unmatched_ends;  // kept verbatim
  size_t paired_from = SIZE_MAX;            // slices from this index on came from B/E pairs
  std::vector<uint64_t> offsets;            // input offset per slice, when the reader knows it
  SliceSet ready;                           // adopt_slice_set: already laid out
  bool has_ready = false;
};

}  // namespace

// A counter's build state next to its Counter. Dense while samples x series stays within a
// few times the samples and values given (the usual case: every sample carries the same keys);
// sparse (sample, series, value) triples past that, split into one counter per series by
// finish(), so a counter with thousands of keys that each appear once costs what its input does.
// Samples without any value are dropped by such a split.
struct PendingCounter {
  std::unordered_map<StrId, uint32_t> index;  // key -> series, once there are many series
  uint64_t values = 0;                        // numbers given (NaN and a duplicate key in one
                                              // event do not count)
  bool sparse = false;
  uint64_t sparse_offset = 0;  // input offset of the sample that made it sparse
  std::vector<uint32_t> sp_sample, sp_series;
  std::vector<double> sp_value;
  std::vector<uint32_t> last;  // per series: its latest triple, kNone before one

  static constexpr size_t kLinearSeries = 8;

  uint32_t series_of(Counter& c, StrId key) {
    if (c.series.size() <= kLinearSeries) {
      for (uint32_t k = 0; k < c.series.size(); ++k)
        if (c.series[k].key == key) return k;
    } else {
      if (index.empty())
        for (uint32_t k = 0; k < c.series.size(); ++k) index.emplace(c.series[k].key, k);
      auto it = index.find(key);
      if (it != index.end()) return it->second;
    }
    const uint32_t k = uint32_t(c.series.size());
    c.series.push_back(CounterSeries{key, {}});
    if (!index.empty()) index.emplace(key, k);  // else built on the next lookup that needs it
    if (sparse) last.push_back(kNone);
    return k;
  }

  // Moves the dense values to triples and frees them.
  void go_sparse(Counter& c, uint64_t offset) {
    sparse = true;
    sparse_offset = offset;
    last.assign(c.series.size(), kNone);
    sp_sample.reserve(values);
    sp_series.reserve(values);
    sp_value.reserve(values);
    for (uint32_t i = 0; i < c.ts.size(); ++i)
      for (uint32_t k = 0; k < c.series.size(); ++k) {
        const std::vector<double>& v = c.series[k].values;
        if (i < v.size() && !std::isnan(v[i])) {
          last[k] = uint32_t(sp_sample.size());
          sp_sample.push_back(i);
          sp_series.push_back(k);
          sp_value.push_back(v[i]);
        }
      }
    values = sp_sample.size();
    for (CounterSeries& s : c.series) std::vector<double>().swap(s.values);
  }

  // After the last sample: dense again when that fits after all, else one counter per series
  // appended to `out` (in series order).
  void finish(Counter& c, std::vector<Counter>& out, Diagnostics& diag, const StringTable& st) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const size_t n = c.ts.size();
    if (counter_dense_fits(c.series.size(), n, values)) {
      for (CounterSeries& s : c.series) s.values.assign(n, nan);
      for (size_t j = 0; j < sp_sample.size(); ++j) c.series[sp_series[j]].values[sp_sample[j]] = sp_value[j];
      out.push_back(std::move(c));
      return;
    }
    std::string detail = "counter '" + std::string(st.get(c.name).substr(0, 200)) + "': " +
                         std::to_string(c.series.size()) + " series over " + std::to_string(n) +
                         " samples";
    diag.add(DiagKind::SparseCounter, sparse_offset, detail);
    std::vector<uint32_t> count(c.series.size() + 1, 0);  // triples per series, then offsets
    for (uint32_t k : sp_series) ++count[k + 1];
    for (size_t k = 1; k < count.size(); ++k) count[k] += count[k - 1];
    std::vector<uint32_t> order(sp_sample.size());  // triples by series, sample order kept
    for (uint32_t j = 0; j < order.size(); ++j) order[count[sp_series[j]]++] = j;
    std::vector<ByteRange> extra_of;  // per sample, when some have one: each series' sample keeps it
    if (!c.extras.empty()) {
      extra_of.resize(n);
      for (const SliceAttachment& a : c.extras) extra_of[a.index] = a.range;
    }
    uint32_t from = 0;
    for (size_t k = 0; k < c.series.size(); ++k) {
      const uint32_t to = count[k];
      Counter one;
      one.process = c.process;
      one.name = c.name;
      one.cat = c.cat;
      one.id = c.id;
      one.split = true;
      one.ts.reserve(to - from);
      one.tid_of_sample.reserve(to - from);
      CounterSeries s{c.series[k].key, {}};
      s.values.reserve(to - from);
      for (uint32_t j = from; j < to; ++j) {
        const uint32_t t = order[j];
        if (std::isnan(sp_value[t])) continue;  // a value replaced by NaN later in its event
        if (!extra_of.empty() && !extra_of[sp_sample[t]].empty())
          one.extras.push_back({uint32_t(one.ts.size()), extra_of[sp_sample[t]]});
        one.ts.push_back(c.ts[sp_sample[t]]);
        one.tid_of_sample.push_back(c.tid_of_sample[sp_sample[t]]);
        s.values.push_back(sp_value[t]);
      }
      from = to;
      if (s.values.empty()) continue;  // a key that never had a value
      one.series.push_back(std::move(s));
      out.push_back(std::move(one));
    }
  }
};

struct TraceBuilder::Impl {
  std::unordered_map<uint64_t, uint32_t> threads;     // (pid, tid) -> thread
  std::unordered_map<StrId, uint32_t> processes;      // pid -> process
  std::unordered_map<uint64_t, uint32_t> labels;      // (name, cat) -> label
  std::map<std::tuple<StrId, StrId, uint8_t>, uint32_t> colored_labels;  // with a colour (few)
  std::unordered_map<uint64_t, uint32_t> counters;    // (process, name) -> counter
  std::map<std::pair<uint64_t, StrId>, uint32_t> id_counters;  // ((process, name), id), with an id
  std::vector<PendingCounter> pcounters;              // parallel to Trace::counters
  std::vector<PendingThread> pending;                 // parallel to Trace::threads
  std::vector<AsyncPending> async;
  Time lo = kTimeMax, hi = kTimeMin;
  uint64_t counter_limit = kMaxCounterSamples;  // samples (and sparse values) per counter

  void note(Time t) {
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
};

TraceBuilder::TraceBuilder(Trace& trace) : t_(trace), impl_(new Impl) {
  for (size_t i = 0; i < t_.labels.size(); ++i) {
    const Label& l = t_.labels[i];
    if (l.color) impl_->colored_labels.emplace(std::tuple{l.name, l.cat, l.color}, uint32_t(i));
    else impl_->labels.emplace(pair_key(l.name, l.cat), uint32_t(i));
  }
}
TraceBuilder::~TraceBuilder() = default;

uint32_t TraceBuilder::process(StrId pid) {
  auto [it, added] = impl_->processes.emplace(pid, uint32_t(t_.processes.size()));
  if (added) {
    Process p;
    p.pid = pid;
    t_.processes.push_back(p);
  }
  return it->second;
}

uint32_t TraceBuilder::thread(StrId pid, StrId tid) {
  auto [it, added] = impl_->threads.emplace(pair_key(pid, tid), uint32_t(t_.threads.size()));
  if (added) {
    uint32_t p = process(pid);
    Thread th;
    th.process = p;
    th.tid = tid;
    t_.threads.push_back(std::move(th));
    t_.processes[p].threads.push_back(it->second);
    impl_->pending.emplace_back();
  }
  return it->second;
}

uint32_t TraceBuilder::label(StrId name, StrId cat, uint8_t color) {
  if (color) {
    auto [it, added] = impl_->colored_labels.emplace(std::tuple{name, cat, color}, uint32_t(t_.labels.size()));
    if (added) t_.labels.push_back(Label{name, cat, color});
    return it->second;
  }
  auto [it, added] = impl_->labels.emplace(pair_key(name, cat), uint32_t(t_.labels.size()));
  if (added) t_.labels.push_back(Label{name, cat});
  return it->second;
}

void TraceBuilder::add_complete(uint32_t thread, Time start, Time dur, uint32_t label,
                                ByteRange args, ByteRange extra, uint8_t flags) {
  PendingThread& p = impl_->pending[thread];
  uint32_t idx = uint32_t(p.slices.size());
  if (!p.offsets.empty()) p.offsets.clear();  // offsets are all-or-nothing
  if (!args.empty()) {
    flags |= kSliceHasArgs;
    p.args.push_back({idx, args});
  }
  if (!extra.empty()) {
    flags |= kSliceHasExtra;
    p.extras.push_back({idx, extra});
  }
  p.slices.push_back(RawSlice{start, dur, label, flags});
}

void TraceBuilder::add_slice_raw(uint32_t thread, Time start, Time dur, uint32_t label,
                                 uint8_t flags, ByteRange args, ByteRange extra) {
  flags &= uint8_t(~(kSliceHasArgs | kSliceHasExtra));
  add_complete(thread, start, dur, label, args, extra, flags);
}

void TraceBuilder::append_slices(uint32_t thread, const RawSlice* slices, size_t n,
                                 const SliceAttachment* args, size_t nargs,
                                 const SliceAttachment* extras, size_t nextras) {
  PendingThread& p = impl_->pending[thread];
  uint32_t base = uint32_t(p.slices.size());
  p.offsets.clear();  // offsets are all-or-nothing
  p.slices.insert(p.slices.end(), slices, slices + n);
  for (size_t i = 0; i < nargs; ++i) p.args.push_back({base + args[i].index, args[i].range});
  for (size_t i = 0; i < nextras; ++i) p.extras.push_back({base + extras[i].index, extras[i].range});
}

void TraceBuilder::adopt_slices(uint32_t thread, std::vector<RawSlice>&& slices,
                                std::vector<SliceAttachment>&& args,
                                std::vector<SliceAttachment>&& extras,
                                std::vector<uint64_t>&& offsets) {
  PendingThread& p = impl_->pending[thread];
  if (p.slices.empty() && p.args.empty() && p.extras.empty()) {
    p.slices = std::move(slices);
    p.args = std::move(args);
    p.extras = std::move(extras);
    if (offsets.size() == p.slices.size()) p.offsets = std::move(offsets);
    return;
  }
  p.offsets.clear();  // offsets are all-or-nothing
  append_slices(thread, slices.data(), slices.size(), args.data(), args.size(), extras.data(), extras.size());
}

void TraceBuilder::adopt_slice_set(uint32_t thread, SliceSet&& set) {
  PendingThread& p = impl_->pending[thread];
  if (!p.has_ready && p.slices.empty() && p.args.empty() && p.extras.empty()) {
    p.ready = std::move(set);
    p.has_ready = true;
    return;
  }
  // Something else is there: everything goes through the layout.
  auto append = [&](const SliceSet& x) {
    std::vector<RawSlice> raw(x.size());
    for (size_t i = 0; i < raw.size(); ++i)
      raw[i] = RawSlice{x.start[i], x.dur[i], x.label[i], x.flags[i]};
    append_slices(thread, raw.data(), raw.size(), x.args.data(), x.args.size(), x.extras.data(),
                  x.extras.size());
  };
  if (p.has_ready) {
    p.has_ready = false;
    SliceSet first = std::move(p.ready);
    p.ready = SliceSet{};
    append(first);
  }
  append(set);
}

void TraceBuilder::add_begin(uint32_t thread, Time ts, uint32_t label, ByteRange args,
                             ByteRange extra, uint64_t seq, uint64_t offset) {
  impl_->pending[thread].be.push_back(BeginEnd{ts, seq, offset, label, true, args, extra, false, {}});
}

void TraceBuilder::add_end(uint32_t thread, Time ts, ByteRange args, ByteRange raw, uint64_t seq,
                           uint64_t offset, bool fields) {
  impl_->pending[thread].be.push_back(BeginEnd{ts, seq, offset, 0, false, args, raw, fields, {}});
}

void TraceBuilder::add_instant(const Instant& in) {
  impl_->note(in.ts);
  switch (in.scope) {
    case Scope::Thread: t_.threads[in.thread].instants.push_back(in); break;
    case Scope::Process: t_.process_instants.push_back(in); break;
    case Scope::Global: t_.global_instants.push_back(in); break;
  }
}

void TraceBuilder::add_counter_sample(uint32_t process, StrId name, StrId cat, Time ts,
                                      uint32_t thread, const std::pair<StrId, double>* values,
                                      size_t n, uint64_t offset, StrId id, ByteRange extra) {
  const uint32_t next = uint32_t(t_.counters.size());
  uint32_t at;
  bool added;
  if (id == kNoStr) {
    auto [it, fresh] = impl_->counters.emplace(pair_key(process, name), next);
    at = it->second, added = fresh;
  } else {
    auto [it, fresh] = impl_->id_counters.emplace(std::pair{pair_key(process, name), id}, next);
    at = it->second, added = fresh;
  }
  if (added) {
    Counter c;
    c.process = process;
    c.name = name;
    c.cat = cat;
    c.id = id;
    t_.counters.push_back(std::move(c));
    impl_->pcounters.emplace_back();
  }
  Counter& c = t_.counters[at];
  PendingCounter& pc = impl_->pcounters[at];
  // Sample indexes (and a sparse counter's value indexes) are uint32_t: past the limit a sample is
  // dropped rather than wrapping them. A sparse counter adds at most n values per sample; a dense
  // one turns sparse only while its values fit (it stays dense otherwise).
  const uint64_t limit = impl_->counter_limit;
  if (c.ts.size() >= limit || (pc.sparse && pc.values + n > limit)) {
    const DiagEntry& e = t_.diagnostics.get(DiagKind::CounterLimit);
    if (e.count == 0 || offset < e.first_offset) {  // the detail is kept for the first offset only
      t_.diagnostics.add(DiagKind::CounterLimit, offset,
                         "counter '" + std::string(t_.strings.get(name).substr(0, 150)) + "': " +
                             std::to_string(c.ts.size()) + " samples kept, " + std::to_string(pc.values) + " values");
    } else {
      t_.diagnostics.add(DiagKind::CounterLimit, offset);
    }
    return;
  }
  const bool may_go_sparse = pc.values + n <= limit;
  impl_->note(ts);
  const uint32_t sample = uint32_t(c.ts.size());
  c.ts.push_back(ts);
  c.tid_of_sample.push_back(thread);
  if (!extra.empty()) c.extras.push_back({sample, extra});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < n; ++i) {
    const uint32_t k = pc.series_of(c, values[i].first);
    if (!pc.sparse && may_go_sparse && c.series[k].values.size() < sample &&
        !counter_dense_fits(c.series.size(), sample + 1, pc.values + 1))
      pc.go_sparse(c, offset);  // before a new series is filled with `sample` NaNs
    if (pc.sparse) {
      uint32_t& last = pc.last[k];
      if (last != kNone && pc.sp_sample[last] == sample) {
        pc.sp_value[last] = values[i].second;  // duplicate key in one event: last wins
        continue;
      }
      if (std::isnan(values[i].second)) continue;  // NaN is a missing value
      last = uint32_t(pc.sp_sample.size());
      pc.sp_sample.push_back(sample);
      pc.sp_series.push_back(k);
      pc.sp_value.push_back(values[i].second);
      ++pc.values;
      continue;
    }
    std::vector<double>& v = c.series[k].values;
    if (v.size() < sample) v.resize(sample, nan);  // a series added by this event
    if (v.size() == sample) {
      v.push_back(values[i].second);
      pc.values += !std::isnan(values[i].second);  // NaN is a missing value (the .vzt reader
                                                   // passes one for every key a sample lacks)
    } else {
      v.back() = values[i].second;  // duplicate key in one event: last wins
    }
  }
  if (pc.sparse) return;
  for (CounterSeries& cs : c.series)
    if (cs.values.size() == sample) cs.values.push_back(nan);
  if (may_go_sparse && !counter_dense_fits(c.series.size(), c.ts.size(), pc.values)) pc.go_sparse(c, offset);
}

void TraceBuilder::add_counter_run(uint32_t process, StrId name, StrId cat, StrId id,
                                   const StrId* keys, size_t nkeys, size_t n, const Time* ts,
                                   const uint32_t* threads, const double* const* values,
                                   const ByteRange* extras, uint64_t offset) {
  if (n == 0) return;
  auto one_by_one = [&](size_t from, size_t to) {
    std::vector<std::pair<StrId, double>> v(nkeys);
    for (size_t j = 0; j < nkeys; ++j) v[j].first = keys[j];
    for (size_t i = from; i < to; ++i) {
      for (size_t j = 0; j < nkeys; ++j) v[j].second = values[j][i];
      add_counter_sample(process, name, cat, ts[i], threads[i], v.data(), nkeys, offset, id,
                         extras ? extras[i] : ByteRange{});
    }
  };
  // The first sample the slow way: it makes the counter and its series as a run's would.
  one_by_one(0, 1);
  if (n == 1) return;
  uint32_t at = kNone;
  if (id == kNoStr) {
    auto it = impl_->counters.find(pair_key(process, name));
    if (it != impl_->counters.end()) at = it->second;
  } else {
    auto it = impl_->id_counters.find(std::pair{pair_key(process, name), id});
    if (it != impl_->id_counters.end()) at = it->second;
  }
  // The rest at once while that is what one_by_one would do: the counter dense, its series
  // exactly `keys` (distinct), every sample within the limits and keeping it dense.
  bool fast = at != kNone && !impl_->pcounters[at].sparse;
  Counter* c = fast ? &t_.counters[at] : nullptr;
  std::vector<uint32_t> series(nkeys);
  if (fast && c->series.size() == nkeys) {
    for (size_t j = 0; j < nkeys && fast; ++j) {
      uint32_t k = 0;
      while (k < nkeys && c->series[k].key != keys[j]) ++k;
      series[j] = k;
      fast = k < nkeys;
      for (size_t i = 0; i < j && fast; ++i) fast = series[i] != k;
    }
  } else {
    fast = false;
  }
  const uint64_t limit = impl_->counter_limit;
  if (fast) {
    PendingCounter& pc = impl_->pcounters[at];
    const size_t rest = n - 1;
    fast = c->ts.size() + rest <= limit && pc.values + rest * nkeys <= limit;
    uint64_t got = pc.values, samples = c->ts.size();
    Time lo = ts[1], hi = ts[1];
    for (size_t i = 1; i < n && fast; ++i) {
      for (size_t j = 0; j < nkeys; ++j) got += !std::isnan(values[j][i]);
      fast = counter_dense_fits(nkeys, ++samples, got);
      lo = std::min(lo, ts[i]), hi = std::max(hi, ts[i]);
    }
    if (fast) {
      impl_->note(lo);
      impl_->note(hi);
      const uint32_t first = uint32_t(c->ts.size());
      c->ts.insert(c->ts.end(), ts + 1, ts + n);
      c->tid_of_sample.insert(c->tid_of_sample.end(), threads + 1, threads + n);
      for (size_t j = 0; j < nkeys; ++j) {
        std::vector<double>& v = c->series[series[j]].values;
        v.insert(v.end(), values[j] + 1, values[j] + n);
      }
      if (extras)
        for (size_t i = 1; i < n; ++i)
          if (!extras[i].empty()) c->extras.push_back({uint32_t(first + i - 1), extras[i]});
      pc.values = got;
      return;
    }
  }
  one_by_one(1, n);
}

void TraceBuilder::set_counter_sample_limit(uint64_t limit) {
  impl_->counter_limit = std::min(limit, kMaxCounterSamples);
}

void TraceBuilder::reserve_async(size_t n) { impl_->async.reserve(impl_->async.size() + n); }

void TraceBuilder::add_async(char phase, uint32_t process, uint32_t thread, StrId cat, StrId id,
                             Time ts, uint32_t label, ByteRange args, uint64_t seq,
                             uint64_t offset, StrId scope, ByteRange extra, bool whole, bool fields) {
  impl_->note(ts);
  if (phase == 'n' || phase == 'T' || phase == 'p') {
    t_.async_marks.push_back(AsyncMark{ts, label, process, thread, id, phase, args, scope, extra});
    return;
  }
  impl_->async.push_back(
      AsyncPending{ts, seq, offset, process, thread, label, cat, id, scope, phase, whole, fields, args, extra});
}

void TraceBuilder::add_async_slice_raw(const AsyncSlice& s) {
  impl_->note(s.start);
  impl_->note(saturating_end(s.start, s.dur));
  t_.async_slices.push_back(s);
}

void TraceBuilder::add_flow(const FlowEvent& f) {
  impl_->note(f.ts);
  t_.flows.push_back(f);
}
void TraceBuilder::add_object(const ObjectEvent& o) {
  impl_->note(o.ts);
  t_.objects.push_back(o);
}
void TraceBuilder::add_other(const OtherEvent& o) { t_.others.push_back(o); }
void TraceBuilder::note_time(Time ts) { impl_->note(ts); }

bool TraceBuilder::has_slices(uint32_t thread) const {
  if (thread >= impl_->pending.size()) return false;
  const PendingThread& p = impl_->pending[thread];
  return !p.slices.empty() || !p.be.empty() || !p.unmatched_ends.empty() || p.has_ready;
}

void TraceBuilder::set_process_name(uint32_t p, StrId name) { t_.processes[p].name = name; }
void TraceBuilder::set_process_labels(uint32_t p, StrId labels) { t_.processes[p].labels = labels; }
void TraceBuilder::set_process_sort_index(uint32_t p, int64_t index) {
  t_.processes[p].sort_index = index;
  t_.processes[p].has_sort_index = true;
}
void TraceBuilder::set_thread_name(uint32_t th, StrId name) { t_.threads[th].name = name; }
void TraceBuilder::set_thread_sort_index(uint32_t th, int64_t index) {
  t_.threads[th].sort_index = index;
  t_.threads[th].has_sort_index = true;
}

// ---------------------------------------------------------------------------------------------
// finish()
// ---------------------------------------------------------------------------------------------

namespace {

// Pairs B/E of one thread: each E closes the most recent open B, whatever its name.
void pair_begin_end(PendingThread& p, Thread& th, uint32_t thread, Time trace_end, Diagnostics& diag) {
  auto& be = p.be;
  auto by_time = [](const BeginEnd& a, const BeginEnd& b) {
    return a.ts != b.ts ? a.ts < b.ts : a.seq < b.seq;
  };
  if (!std::is_sorted(be.begin(), be.end(), by_time)) std::stable_sort(be.begin(), be.end(), by_time);
  std::vector<uint32_t> open;
  p.paired_from = p.slices.size();
  auto emit = [&](const BeginEnd& b, Time end, uint8_t flags) {
    uint32_t idx = uint32_t(p.slices.size());
    if (!b.args.empty()) {
      flags |= kSliceHasArgs;
      p.args.push_back({idx, b.args});
    }
    if (!b.extra.empty()) {
      flags |= kSliceHasExtra;
      p.extras.push_back({idx, b.extra});
    }
    if (!b.end.empty()) {  // (after the B's own entry: SliceSet::end_of takes the last)
      flags |= kSliceEndEvent;
      p.extras.push_back({idx, b.end});
    }
    if (!p.offsets.empty() || p.slices.empty()) p.offsets.push_back(b.offset);
    p.slices.push_back(RawSlice{b.ts, end - b.ts, b.label, uint8_t(flags | kSliceFromBE)});
  };
  // Pair first, then emit in B order: for slices with the same start and end, the one that began
  // first is the outer one, and the stable sort later keeps it first.
  std::vector<Time> end_of(be.size(), 0);
  std::vector<uint8_t> closed(be.size(), 0);
  for (uint32_t i = 0; i < be.size(); ++i) {
    const BeginEnd& e = be[i];
    if (e.begin) {
      open.push_back(i);
    } else if (open.empty()) {
      th.unmatched_end++;
      diag.add(DiagKind::UnmatchedEnd, e.offset);
      if (!e.extra.empty()) p.unmatched_ends.push_back(OtherEvent{e.ts, thread, kNoStr, 0, e.extra});
    } else {
      uint32_t b = open.back();
      open.pop_back();
      // An E with args or other fields is kept whole with its slice, and written back as it
      // was: its args stay the end's (Chrome shows them merged). ("args":{}, two bytes, is none.)
      if (e.fields || e.args.len > 2) be[b].end = e.extra;
      end_of[b] = e.ts;
      closed[b] = 1;
    }
  }
  for (uint32_t i = 0; i < be.size(); ++i) {
    if (!be[i].begin) continue;
    if (closed[i]) {
      emit(be[i], end_of[i], 0);
    } else {
      th.unmatched_begin++;
      diag.add(DiagKind::UnmatchedBegin, be[i].offset);
      emit(be[i], std::max(trace_end, be[i].ts), kSliceOpen);
    }
  }
  std::vector<BeginEnd>().swap(be);
}

// Profilers like viztracer write a call when it returns: children before parents, i.e. sorted by
// end. For such input, depths come from one pass that finds each slice's parent (the first later
// slice that contains it) and one backward pass, with no sort; and since slices at one depth are
// disjoint, end order is also their start order. Returns false, leaving the general sort + sweep
// to decide, when the input is not in that order or holds anything that does not nest cleanly
// (partial overlaps, identical intervals, zero-length slices at a parent's end).
// `order` lists the slices in the order to try (s[order[k]]); depth[k] receives the depths.
bool depths_from_postorder(const std::vector<RawSlice>& all, const std::vector<uint32_t>& order,
                           std::vector<uint32_t>& depth, uint32_t* max_depth) {
  const size_t n = order.size();
  if (n < 2) return false;
  struct View {  // s[i] = the i-th slice in `order`
    const std::vector<RawSlice>& all;
    const std::vector<uint32_t>& order;
    const RawSlice& operator[](size_t i) const { return all[order[i]]; }
  } s{all, order};
  std::vector<uint32_t> stack;
  std::vector<uint32_t>& parent = depth;  // reused: parents first, then depths in place
  Time prev_end = std::numeric_limits<Time>::min();
  for (uint32_t i = 0; i < n; ++i) {
    const RawSlice& x = s[i];
    Time end = saturating_end(x.start, x.dur);
    if (end < prev_end) return false;
    prev_end = end;
    while (!stack.empty() && s[stack.back()].start >= x.start) {
      const RawSlice& y = s[stack.back()];
      if (y.start >= end) return false;                    // zero-length at x's end
      if (y.start == x.start && y.dur == x.dur) return false;  // identical intervals
      parent[stack.back()] = i;
      stack.pop_back();
    }
    if (!stack.empty() && saturating_end(s[stack.back()].start, s[stack.back()].dur) > x.start)
      return false;  // partial overlap
    parent[i] = kNone;
    stack.push_back(i);
  }
  uint32_t deepest = 0;
  for (size_t i = n; i-- > 0;) {
    uint32_t p = parent[i];
    depth[i] = p == kNone ? 0 : depth[p] + 1;  // p > i: already converted to a depth
    deepest = std::max(deepest, depth[i] + 1);
  }
  *max_depth = deepest;
  return true;
}

// Lays out slices sorted by (start asc, end desc) into depth-major sets, moving slices that
// overlap without nesting into `overflow` lanes.
void layout_thread(PendingThread& p, Thread& th, const Trace& t, Diagnostics& diag) {
  std::vector<RawSlice>& s = p.slices;
  const size_t n = s.size();
  std::vector<uint32_t> order(n);
  std::vector<uint32_t> depth(n);
  uint32_t max_depth = 0;
  uint64_t overflowed = 0;
  // Try end order first: the X slices as written, with the (few) slices paired from B/E, which
  // pair_begin_end appended after them, merged in by end.
  auto by_end = [&](uint32_t a, uint32_t b) {
    return saturating_end(s[a].start, s[a].dur) < saturating_end(s[b].start, s[b].dur);
  };
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  size_t tail = std::min(p.paired_from, n);
  if (tail < n) {
    std::stable_sort(order.begin() + long(tail), order.end(), by_end);
    std::inplace_merge(order.begin(), order.begin() + long(tail), order.end(), by_end);
  }
  if (!depths_from_postorder(s, order, depth, &max_depth)) {
    // order[k] = pending index of the k-th slice in (start, -end) order.
    for (uint32_t i = 0; i < n; ++i) order[i] = i;
    if (!std::is_sorted(s.begin(), s.end(), layout_before))
      std::stable_sort(order.begin(), order.end(),
                       [&](uint32_t a, uint32_t b) { return layout_before(s[a], s[b]); });
    // Sweep with a stack of open ends. depth[k] = depth, or kNone for overflow.
    std::vector<Time> stack;
    for (uint32_t k = 0; k < n; ++k) {
      const RawSlice& r = s[order[k]];
      Time end = saturating_end(r.start, r.dur);
      while (!stack.empty() && stack.back() <= r.start) stack.pop_back();
      if (!stack.empty() && end > stack.back()) {
        depth[k] = kNone;
        overflowed++;
        continue;
      }
      depth[k] = uint32_t(stack.size());
      max_depth = std::max(max_depth, depth[k] + 1);
      stack.push_back(end);
    }
  }
  if (overflowed) {
    // Report the overflowed slice that comes first in the input (offset 0 when unknown).
    bool have_offsets = p.offsets.size() == n;
    uint32_t k = n;
    for (uint32_t j = 0; j < n; ++j) {
      if (depth[j] != kNone) continue;
      if (k == n || (have_offsets && p.offsets[order[j]] < p.offsets[order[k]])) k = j;
      if (!have_offsets) break;
    }
    uint64_t at = have_offsets ? p.offsets[order[k]] : 0;
    const RawSlice& r = s[order[k]];
    std::string detail = "first \"" + std::string(t.name_of(r.label)) + "\" at ts ";
    append_us(detail, t.origin_us, r.start);
    detail += " us on pid " + std::string(t.str(t.processes[th.process].pid)) + " tid " +
              std::string(t.str(th.tid)) + " (" + std::to_string(overflowed) + " on this thread)";
    diag.add_n(DiagKind::OverlappingSlice, overflowed, at, detail);
  }

  // Overflow lanes: reuse the lane that frees up earliest.
  uint32_t lanes = 0;
  if (overflowed) {
    LaneAllocator alloc;
    for (uint32_t k = 0; k < n; ++k) {
      if (depth[k] != kNone) continue;
      const RawSlice& r = s[order[k]];
      depth[k] = 0x80000000u | alloc.place(r.start, saturating_end(r.start, r.dur));
    }
    lanes = alloc.lanes();
  }

  auto fill = [&](SliceSet& set, uint32_t ndepths, bool over) {
    std::vector<uint32_t> count(ndepths + 1, 0);
    size_t total = 0;
    for (uint32_t k = 0; k < n; ++k) {
      bool is_over = (depth[k] & 0x80000000u) != 0;
      if (is_over != over) continue;
      count[(depth[k] & 0x7fffffffu) + 1]++;
      total++;
    }
    for (uint32_t d = 0; d < ndepths; ++d) count[d + 1] += count[d];
    set.depth_begin.assign(count.begin(), count.end());
    set.start.resize(total);
    set.dur.resize(total);
    set.label.resize(total);
    set.flags.resize(total);
    // Where each pending index lands (for args remapping).
    std::vector<uint32_t> where;
    bool any_attach = !p.args.empty() || !p.extras.empty();
    if (any_attach) where.assign(n, kNone);
    for (uint32_t k = 0; k < n; ++k) {
      bool is_over = (depth[k] & 0x80000000u) != 0;
      if (is_over != over) continue;
      uint32_t at = count[depth[k] & 0x7fffffffu]++;
      const RawSlice& r = s[order[k]];
      set.start[at] = r.start;
      set.dur[at] = r.dur;
      set.label[at] = r.label;
      set.flags[at] = r.flags;
      if (any_attach) where[order[k]] = at;
    }
    auto remap = [&](const std::vector<SliceAttachment>& in, std::vector<SliceAttachment>& out) {
      out.clear();
      for (const SliceAttachment& a : in)
        if (where[a.index] != kNone) out.push_back({where[a.index], a.range});
      // (stable: a B/E slice's entry for its E follows its own)
      std::stable_sort(out.begin(), out.end(),
                       [](const SliceAttachment& a, const SliceAttachment& b) { return a.index < b.index; });
      out.shrink_to_fit();
    };
    if (any_attach) {
      remap(p.args, set.args);
      remap(p.extras, set.extras);
    }
  };
  fill(th.slices, max_depth, false);
  if (overflowed) fill(th.overflow, lanes, true);
  th.overflow.nested = false;
  std::vector<RawSlice>().swap(p.slices);
  std::vector<uint64_t>().swap(p.offsets);
  std::vector<SliceAttachment>().swap(p.args);
  std::vector<SliceAttachment>().swap(p.extras);
}

template <class T>
void sort_by_ts(std::vector<T>& v) {
  auto by_ts = [](const T& a, const T& b) { return a.ts < b.ts; };
  if (!std::is_sorted(v.begin(), v.end(), by_ts)) std::stable_sort(v.begin(), v.end(), by_ts);
}

// Series in the order their first sample appears in time (not in file order), so that a
// rewritten file lists them the same way.
void order_series(Counter& c) {
  auto first = [](const CounterSeries& s) {
    size_t i = 0;
    while (i < s.values.size() && std::isnan(s.values[i])) ++i;
    return i;
  };
  std::stable_sort(c.series.begin(), c.series.end(),
                   [&](const CounterSeries& a, const CounterSeries& b) { return first(a) < first(b); });
}

void sort_counter(Counter& c) {
  if (std::is_sorted(c.ts.begin(), c.ts.end())) return order_series(c);
  std::vector<uint32_t> order(c.ts.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return c.ts[a] < c.ts[b]; });
  auto permute = [&](auto& col) {
    auto copy = col;
    for (size_t i = 0; i < order.size(); ++i) col[i] = copy[order[i]];
  };
  permute(c.ts);
  permute(c.tid_of_sample);
  for (CounterSeries& s : c.series) permute(s.values);
  if (!c.extras.empty()) {  // to the samples' new places, in their order
    std::vector<uint32_t> place(order.size());
    for (uint32_t i = 0; i < order.size(); ++i) place[order[i]] = i;
    for (SliceAttachment& a : c.extras) a.index = place[a.index];
    std::sort(c.extras.begin(), c.extras.end(),
              [](const SliceAttachment& x, const SliceAttachment& y) { return x.index < y.index; });
  }
  order_series(c);
}

// The order of `ev` by (ts, seq), ties as given: the k-th event's index. When seq grows with the
// index (as readers number events), a stable sort by time alone gives it: an LSD radix sort.
std::vector<uint32_t> async_time_order(const std::vector<AsyncPending>& ev) {
  const size_t n = ev.size();
  std::vector<uint32_t> ord(n);
  std::iota(ord.begin(), ord.end(), 0u);
  bool sorted = true, seq_up = true;
  Time lo = n ? ev[0].ts : 0, hi = lo;
  for (size_t i = 1; i < n; ++i) {
    const AsyncPending &a = ev[i - 1], &b = ev[i];
    seq_up = seq_up && a.seq <= b.seq;
    sorted = sorted && std::tie(a.ts, a.seq) <= std::tie(b.ts, b.seq);
    lo = std::min(lo, b.ts), hi = std::max(hi, b.ts);
  }
  if (sorted) return ord;
  if (!seq_up || n < 4096) {
    std::sort(ord.begin(), ord.end(), [&](uint32_t x, uint32_t y) {
      return std::tie(ev[x].ts, ev[x].seq, x) < std::tie(ev[y].ts, ev[y].seq, y);
    });
    return ord;
  }
  constexpr unsigned kDigit = 11;
  constexpr size_t kBuckets = size_t(1) << kDigit;
  const unsigned bits = unsigned(std::bit_width(uint64_t(hi) - uint64_t(lo)));
  std::vector<uint64_t> key(n), key2(n);
  std::vector<uint32_t> ord2(n);
  for (size_t i = 0; i < n; ++i) key[i] = uint64_t(ev[i].ts) - uint64_t(lo);
  for (unsigned shift = 0; shift < bits; shift += kDigit) {
    std::vector<uint32_t> at(kBuckets + 1, 0);
    for (uint64_t k : key) ++at[((k >> shift) & (kBuckets - 1)) + 1];
    for (size_t d = 1; d <= kBuckets; ++d) at[d] += at[d - 1];
    for (size_t i = 0; i < n; ++i) {
      const uint32_t p = at[(key[i] >> shift) & (kBuckets - 1)]++;
      key2[p] = key[i], ord2[p] = ord[i];
    }
    key.swap(key2), ord.swap(ord2);
  }
  return ord;
}

// Pairs async begin/end per (process, cat, id, scope) and (for S/F) name: per key, in time order
// (ts, then seq), an end closes the key's most recent open begin. An id2.global id ("global:x")
// is one id across processes (as Chrome's and Perfetto's importers take it): its key has no
// process, and the slice belongs to its begin's. The events (88 bytes each)
// are not moved: they are read through the time order, and keys are matched within groups of
// one id (grouped_by), so that no table of a million keys is probed at random.
void pair_async(std::vector<AsyncPending>& ev, Trace& t, Time trace_end) {
  const size_t n = ev.size();
  if (n == 0) return;
  if (n >= kNone) throw std::length_error("too many async events");
  const std::vector<uint32_t> ord = async_time_order(ev);
  constexpr size_t kAhead = 8;  // events are read in time order, out of their order in memory
  auto event = [&](size_t k) -> const AsyncPending& {
    if (k + kAhead < n) __builtin_prefetch(&ev[ord[k + kAhead]]);
    return ev[ord[k]];
  };
  // An event's key at its position in time order, in 8 bytes: its id, and the rest of the key
  // (process, category, scope, the S/F name) numbered in a small table, with the begin flag.
  struct Rest {
    uint32_t process;
    StrId cat, scope;
    uint32_t name;  // S/F match by name too; b/e use kNone
    bool operator==(const Rest& o) const {
      return process == o.process && cat == o.cat && scope == o.scope && name == o.name;
    }
  };
  struct RestHash {
    size_t operator()(const Rest& r) const {
      return std::hash<uint64_t>()(pair_key(r.process, r.cat) * 0x9E3779B97F4A7C15ull ^ pair_key(r.scope, r.name));
    }
  };
  std::unordered_map<Rest, uint32_t, RestHash> rests;  // a handful in most traces
  Rest last{kNone, kNoStr, kNoStr, kNone};  // (a real key too: a global id's, no cat or scope)
  uint32_t last_rest = kNone;
  bool have_last = false;
  std::vector<StrId> id(n);
  std::vector<uint32_t> rest(n);  // bit 31: a begin
  constexpr uint32_t kBegin = 0x80000000u;
  size_t begins = 0;
  StrId last_id = kNoStr;
  bool last_global = false;
  for (size_t k = 0; k < n; ++k) {
    const AsyncPending& e = event(k);
    const bool legacy = e.phase == 'S' || e.phase == 'F', begin = e.phase == 'b' || e.phase == 'S';
    if (e.id != last_id) last_id = e.id, last_global = t.strings.get(e.id).substr(0, 7) == "global:";
    const Rest r{last_global ? kNone : e.process, e.cat, e.scope, legacy ? t.labels[e.label].name : kNone};
    if (!have_last || !(r == last)) {
      have_last = true;
      last = r;
      last_rest = rests.try_emplace(r, uint32_t(rests.size())).first->second;
      if (last_rest >= kBegin) throw std::length_error("too many async keys");
    }
    id[k] = e.id;
    rest[k] = last_rest | (begin ? kBegin : 0);
    begins += begin;
  }
  rests = {};
  auto same_rest = [&](uint32_t x, uint32_t y) { return ((rest[x] ^ rest[y]) & ~kBegin) == 0; };
  const std::vector<uint32_t> by_id = grouped_by(id);  // in time order within an id
  // Per key, the open begins as a stack linked through `below`; each begin's end is found
  // first, and the slices are made afterwards in begin order, so that a slice nested in another
  // with the same start and end comes after it. Per begin: while open, the next open begin of
  // its key down the stack (an earlier event, or kNone); once closed, the end that closed it (a
  // later event). So a begin k was closed exactly when below[k] is set and above k.
  std::vector<uint32_t> below(n, kNone);
  uint64_t unmatched_ends = 0, first_unmatched = UINT64_MAX;
  std::vector<uint32_t> kept_ends;  // unmatched ends that came whole
  auto pair_run = [&](const uint32_t* p, size_t m) {  // positions of one key, in time order
    uint32_t top = kNone;
    for (size_t j = 0; j < m; ++j) {
      const uint32_t k = p[j];
      if (rest[k] & kBegin) {
        below[k] = top;
        top = k;
      } else if (top == kNone) {
        ++unmatched_ends;
        first_unmatched = std::min(first_unmatched, ev[ord[k]].offset);
        if (ev[ord[k]].whole) kept_ends.push_back(ord[k]);
      } else {
        const uint32_t b = top;
        top = below[b];
        below[b] = k;  // closed by k
      }
    }
  };
  std::vector<uint32_t> scratch;
  for (size_t a = 0, e; a < n; a = e) {  // each id's run of positions
    const uint32_t* p = by_id.data() + a;
    bool one_key = true;
    for (e = a + 1; e < n && id[by_id[e]] == id[p[0]]; ++e) one_key = one_key && same_rest(by_id[e], p[0]);
    if (one_key) {
      pair_run(p, e - a);
      continue;
    }
    scratch.assign(p, p + (e - a));
    std::stable_sort(scratch.begin(), scratch.end(),
                     [&](uint32_t x, uint32_t y) { return (rest[x] & ~kBegin) < (rest[y] & ~kBegin); });
    for (size_t b = 0, c; b < scratch.size(); b = c) {
      for (c = b + 1; c < scratch.size() && same_rest(scratch[c], scratch[b]); ++c) {
      }
      pair_run(scratch.data() + b, c - b);
    }
  }
  if (unmatched_ends) t.diagnostics.add_n(DiagKind::UnmatchedAsyncEnd, unmatched_ends, first_unmatched);
  // Kept as they are, in time order, without a track of their own (no thread).
  std::sort(kept_ends.begin(), kept_ends.end(), [&](uint32_t x, uint32_t y) {
    return std::tie(ev[x].ts, ev[x].seq) < std::tie(ev[y].ts, ev[y].seq);
  });
  if (!kept_ends.empty()) {
    const StrId e = t.strings.intern("e"), f = t.strings.intern("F");
    for (uint32_t x : kept_ends)
      t.others.push_back(OtherEvent{ev[x].ts, kNone, ev[x].phase == 'F' ? f : e, ev[x].label, ev[x].extra});
  }
  id = {}, rest = {};
  t.async_slices.reserve(t.async_slices.size() + begins);
  for (uint32_t k = 0; k < n; ++k) {
    const AsyncPending& b = event(k);
    if (b.phase != 'b' && b.phase != 'S') continue;
    if (below[k] == kNone || below[k] < k) {  // never closed
      t.diagnostics.add(DiagKind::UnmatchedAsyncBegin, b.offset);
      t.async_slices.push_back(AsyncSlice{b.ts, std::max(trace_end, b.ts) - b.ts, b.label, b.process,
                                          b.thread, b.id, 0, kSliceOpen, b.phase, b.args, {}, b.scope,
                                          kNone, b.extra, {}});
      continue;
    }
    const AsyncPending& e = ev[ord[below[k]]];
    const ByteRange end_extra = e.whole && !e.fields ? ByteRange{} : e.extra;
    t.async_slices.push_back(AsyncSlice{b.ts, e.ts - b.ts, b.label, b.process, b.thread, b.id, 0, 0,
                                        b.phase, b.args, e.args, b.scope,
                                        e.thread != b.thread ? e.thread : kNone, b.extra, end_extra});
  }
}

void layout_async(Trace& t) {
  auto& v = t.async_slices;
  // By (process, start, longer first), ties in begin order (pair_async's: starts ascending).
  // Slices in that order already (a .vzt's, as stored) stay. Slices in start order need no full
  // sort: a stable pass by process when processes interleave, then a sort of each run of equal
  // starts by duration. Others are sorted as small records and then moved once (the slices are
  // ~100 bytes each).
  bool laid_out = true, by_start = true, by_process = true;
  for (size_t i = 1; i < v.size() && (by_start || laid_out); ++i) {
    const AsyncSlice &a = v[i - 1], &b = v[i];
    laid_out = laid_out && std::tie(a.process, a.start, b.dur) <= std::tie(b.process, b.start, a.dur);
    by_start = by_start && a.start <= b.start;
    by_process = by_process && a.process <= b.process;
  }
  if (laid_out) {
  } else if (by_start) {
    if (!by_process) {
      uint32_t procs = 0;
      for (const AsyncSlice& a : v) procs = std::max(procs, a.process + 1);
      std::vector<size_t> at(size_t(procs) + 1, 0);
      for (const AsyncSlice& a : v) ++at[a.process + 1];
      for (size_t p = 1; p <= procs; ++p) at[p] += at[p - 1];
      std::vector<AsyncSlice> moved(v.size());
      for (AsyncSlice& a : v) moved[at[a.process]++] = std::move(a);
      v = std::move(moved);
    }
    for (size_t i = 0, j; i < v.size(); i = j) {
      for (j = i + 1; j < v.size() && v[j].process == v[i].process && v[j].start == v[i].start; ++j) {
      }
      if (j - i > 1)
        std::stable_sort(v.begin() + ptrdiff_t(i), v.begin() + ptrdiff_t(j),
                         [](const AsyncSlice& a, const AsyncSlice& b) { return a.dur > b.dur; });
    }
  } else {
    struct Order {
      uint32_t process, at;
      Time start, dur;
    };
    std::vector<Order> order(v.size());
    for (uint32_t i = 0; i < v.size(); ++i) order[i] = Order{v[i].process, i, v[i].start, v[i].dur};
    std::sort(order.begin(), order.end(), [](const Order& a, const Order& b) {
      return std::tie(a.process, a.start, b.dur, a.at) < std::tie(b.process, b.start, a.dur, b.at);
    });
    std::vector<AsyncSlice> moved;
    moved.reserve(v.size());
    for (const Order& o : order) moved.push_back(std::move(v[o.at]));
    v = std::move(moved);
  }
  size_t i = 0;
  while (i < v.size()) {
    size_t j = i;
    LaneAllocator alloc;
    for (; j < v.size() && v[j].process == v[i].process; ++j)
      v[j].lane = alloc.place(v[j].start, saturating_end(v[j].start, v[j].dur));
    i = j;
  }
}

}  // namespace

void TraceBuilder::finish(unsigned workers) {
  Impl& im = *impl_;
  // Time bounds over everything collected (per thread on all cores: a big trace's slices are
  // hundreds of MB to read).
  Time lo = im.lo, hi = im.hi;
  std::vector<std::pair<Time, Time>> bounds(im.pending.size(), {kTimeMax, kTimeMin});
  parallel_for(im.pending.size(), workers, [&](size_t k) {
    const PendingThread& p = im.pending[k];
    Time l = kTimeMax, h = kTimeMin;
    for (const RawSlice& r : p.slices) {
      l = std::min(l, r.start);
      h = std::max(h, saturating_end(r.start, r.dur));
    }
    for (const BeginEnd& e : p.be) {
      l = std::min(l, e.ts);
      h = std::max(h, e.ts);
    }
    // A ready set is nested: its depth-0 slices bound it.
    const SliceSet& r = p.ready;
    for (uint32_t i = 0; p.has_ready && r.depths() && i < r.depth_begin[1]; ++i) {
      l = std::min(l, r.start[i]);
      h = std::max(h, saturating_end(r.start[i], r.dur[i]));
    }
    bounds[k] = {l, h};
  });
  for (auto [l, h] : bounds) lo = std::min(lo, l), hi = std::max(hi, h);
  for (const AsyncPending& a : im.async) {
    lo = std::min(lo, a.ts);
    hi = std::max(hi, a.ts);
  }
  timed_ = lo <= hi;
  if (!timed_) lo = hi = 0;
  t_.start = lo;
  t_.end = hi;

  // Per-thread work in parallel; each worker keeps its own diagnostics.
  std::vector<Diagnostics> diags(t_.threads.size());
  parallel_for(t_.threads.size(), workers, [&](size_t i) {
    PendingThread& p = im.pending[i];
    pair_begin_end(p, t_.threads[i], uint32_t(i), hi, diags[i]);
    if (p.has_ready && !p.slices.empty()) {  // B/E pairs too: lay everything out
      SliceSet r = std::move(p.ready);
      p.has_ready = false;
      adopt_slice_set(uint32_t(i), std::move(r));
    }
    if (p.has_ready) {
      t_.threads[i].slices = std::move(p.ready);
      t_.threads[i].slices.nested = true;
      t_.threads[i].overflow.nested = false;
      p.has_ready = false;
    } else {
      layout_thread(p, t_.threads[i], t_, diags[i]);
    }
    sort_by_ts(t_.threads[i].instants);
  });
  for (const Diagnostics& d : diags) t_.diagnostics.merge(d);
  StrId e_phase = kNone;
  for (PendingThread& p : im.pending) {
    for (OtherEvent& o : p.unmatched_ends) {
      if (e_phase == kNone) e_phase = t_.strings.intern("E");
      o.phase = e_phase;
      o.label = label(kNoStr, kNoStr);
      t_.others.push_back(o);
    }
  }
  im.pending.clear();

  sort_by_ts(t_.process_instants);
  sort_by_ts(t_.global_instants);
  if (std::any_of(im.pcounters.begin(), im.pcounters.end(), [](const PendingCounter& p) { return p.sparse; })) {
    std::vector<Counter> counters;
    counters.reserve(t_.counters.size());
    for (size_t i = 0; i < t_.counters.size(); ++i) {
      if (im.pcounters[i].sparse) im.pcounters[i].finish(t_.counters[i], counters, t_.diagnostics, t_.strings);
      else counters.push_back(std::move(t_.counters[i]));
    }
    t_.counters = std::move(counters);
  }
  std::vector<PendingCounter>().swap(im.pcounters);
  im.counters.clear();
  im.id_counters.clear();
  for (Counter& c : t_.counters) sort_counter(c);
  pair_async(im.async, t_, hi);
  std::vector<AsyncPending>().swap(im.async);
  layout_async(t_);
  sort_by_ts(t_.async_marks);
  sort_by_ts(t_.flows);
  sort_by_ts(t_.objects);
  mark_bare(t_);
}

// Thread::bare: a thread with nothing of its own.
void mark_bare(Trace& t) {
  std::vector<uint8_t> own(t.threads.size(), 0);
  for (const FlowEvent& f : t.flows)
    if (f.thread < own.size()) own[f.thread] = 1;
  for (const OtherEvent& o : t.others)
    if (o.thread < own.size()) own[o.thread] = 1;
  for (uint32_t i = 0; i < t.threads.size(); ++i) {
    Thread& th = t.threads[i];
    th.bare = !own[i] && !th.slices.size() && !th.overflow.size() && th.instants.empty() &&
              th.name == kNoStr && !th.has_sort_index && !th.unmatched_begin && !th.unmatched_end;
  }
}

}  // namespace vz
