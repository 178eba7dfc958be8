#include "formats/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <queue>

#include "formats/json_event.h"
#include "formats/numbers.h"

namespace vz {
namespace {

constexpr size_t kFlushAt = 1 << 20;

bool is_integer_text(std::string_view s) {
  size_t i = s.size() && s[0] == '-' ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

class Out {
 public:
  Out(const Trace& t, const JsonSink& sink) : t_(t), sink_(sink) { buf_.reserve(kFlushAt + 4096); }

  bool ok() const { return ok_; }
  std::string& buf() { return buf_; }
  void raw(std::string_view s) { buf_.append(s); }
  void str(std::string_view s) { append_json_string(buf_, s); }
  void flush() {
    if (ok_ && !buf_.empty()) ok_ = sink_(buf_);
    buf_.clear();
  }
  void maybe_flush() {
    if (buf_.size() >= kFlushAt) flush();
  }

  // Starts an event object: {"ph":"X","name":...,"cat":...,"pid":...,"tid":...
  void begin(std::string_view ph, uint32_t label, uint32_t process, uint32_t thread) {
    buf_ += first_ ? "\n" : ",\n";
    first_ = false;
    buf_ += "{\"ph\":";
    str(ph);
    if (label != kNone) {
      const Label& l = t_.labels[label];
      buf_ += ",\"name\":";
      str(t_.str(l.name));
      if (l.cat != kNoStr) {
        buf_ += ",\"cat\":";
        str(t_.str(l.cat));
      }
    }
    if (thread != kNone) process = t_.threads[thread].process;
    if (process != kNone) {
      buf_ += ",\"pid\":";
      id_value(t_.str(t_.processes[process].pid));
    }
    if (thread != kNone) {
      buf_ += ",\"tid\":";
      id_value(t_.str(t_.threads[thread].tid));
    }
  }
  void ts(std::string_view key, Time ns) {
    buf_ += ",\"";
    buf_ += key;
    buf_ += "\":";
    append_us(buf_, t_.origin_us, ns);
  }
  void dur(Time ns) {
    buf_ += ",\"dur\":";
    append_us(buf_, 0, ns);
  }
  void member_raw(std::string_view key, ByteRange r) {
    if (r.empty()) return;
    std::string_view v = t_.view(r);
    if (v.empty()) return;
    buf_ += ",\"";
    buf_ += key;
    buf_ += "\":";
    buf_ += v;
  }
  void member_str(std::string_view key, std::string_view v) {
    buf_ += ",\"";
    buf_ += key;
    buf_ += "\":";
    str(v);
  }
  // Integral ids as numbers, anything else as a string.
  void id_value(std::string_view v) {
    if (is_integer_text(v)) buf_ += v;
    else str(v);
  }
  // id or id2 from canonical id text ("local:x" / "global:x" came from id2).
  void id(StrId id) {
    if (id == kNoStr) return;
    std::string_view v = t_.str(id);
    if (v.substr(0, 6) == "local:") {
      buf_ += ",\"id2\":{\"local\":";
      str(v.substr(6));
      buf_ += "}";
    } else if (v.substr(0, 7) == "global:") {
      buf_ += ",\"id2\":{\"global\":";
      str(v.substr(7));
      buf_ += "}";
    } else {
      member_str("id", v);
    }
  }
  // Copies the members of the raw event `r` that this writer does not emit itself.
  void extras(ByteRange r, std::initializer_list<std::string_view> written) {
    if (r.empty()) return;
    std::string_view v = t_.view(r);
    if (v.empty() || v[0] != '{') return;
    json::Tok obj{v.data(), uint32_t(v.size()), '{', false};
    json::for_each_member(obj, [&](std::string_view key, const json::Tok& val) {
      for (std::string_view w : written)
        if (key == w) return;
      buf_ += ",\"";
      buf_ += key;  // raw key text, escapes preserved
      buf_ += "\":";
      if (val.kind == 's') {
        buf_ += '"';
        buf_.append(val.p, val.len);
        buf_ += '"';
      } else {
        buf_.append(val.p, val.len);
      }
    });
  }
  void end() { buf_ += "}"; }
  // A whole event kept verbatim.
  void raw_event(std::string_view ev) {
    buf_ += first_ ? "\n" : ",\n";
    first_ = false;
    buf_ += ev;
  }

 private:
  const Trace& t_;
  const JsonSink& sink_;
  std::string buf_;
  bool ok_ = true;
  bool first_ = true;
};

using KeyList = std::initializer_list<std::string_view>;
#define VZ_SLICE_KEYS {"ph", "name", "cat", "pid", "tid", "ts", "dur", "args"}
#define VZ_INSTANT_KEYS {"ph", "name", "cat", "pid", "tid", "ts", "s", "args"}

void write_metadata_events(Out& o, const Trace& t) {
  for (uint32_t p = 0; p < t.processes.size(); ++p) {
    const Process& pr = t.processes[p];
    auto meta = [&](std::string_view name, uint32_t thread) {
      o.begin("M", kNone, p, thread);
      o.member_str("name", name);
    };
    if (pr.name != kNoStr) {
      meta("process_name", kNone);
      o.raw(",\"args\":{\"name\":");
      o.str(t.str(pr.name));
      o.raw("}}");
    }
    if (pr.labels != kNoStr) {
      meta("process_labels", kNone);
      o.raw(",\"args\":{\"labels\":");
      o.str(t.str(pr.labels));
      o.raw("}}");
    }
    if (pr.has_sort_index) {
      meta("process_sort_index", kNone);
      o.raw(",\"args\":{\"sort_index\":" + std::to_string(pr.sort_index) + "}}");
    }
    for (uint32_t th : pr.threads) {
      const Thread& tr = t.threads[th];
      if (tr.name != kNoStr) {
        meta("thread_name", th);
        o.raw(",\"args\":{\"name\":");
        o.str(t.str(tr.name));
        o.raw("}}");
      }
      if (tr.has_sort_index) {
        meta("thread_sort_index", th);
        o.raw(",\"args\":{\"sort_index\":" + std::to_string(tr.sort_index) + "}}");
      }
    }
  }
}

// X, or B (+ E unless open) for slices that came from B/E, so event counts survive a round trip.
// An E written right after its B pairs correctly on re-read: E events carry no identity, and
// the reader pairs in (ts, file order).
void write_slice(Out& o, const SliceSet& s, uint32_t i, uint32_t thread) {
  bool open = s.flags[i] & kSliceOpen;
  bool be = open || (s.flags[i] & kSliceFromBE);
  o.begin(be ? "B" : "X", s.label[i], kNone, thread);
  o.ts("ts", s.start[i]);
  if (!be) o.dur(s.dur[i]);
  if (s.flags[i] & kSliceHasArgs) o.member_raw("args", s.args_of(i));
  if (s.flags[i] & kSliceHasExtra) o.extras(s.extra_of(i), VZ_SLICE_KEYS);
  o.end();
  if (be && !open) {
    o.begin("E", kNone, kNone, thread);
    o.ts("ts", s.start[i] + s.dur[i]);
    o.end();
  }
  o.maybe_flush();
}

// Slices of one set in (start asc, end desc) order: a k-way merge over depths.
void write_slices(Out& o, const SliceSet& s, uint32_t thread) {
  using Head = std::pair<std::pair<Time, Time>, uint32_t>;  // ((start, -end), depth)
  std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads;
  std::vector<uint32_t> cursor(s.depth_begin.begin(), s.depth_begin.end() - 1);
  auto push = [&](uint32_t d) {
    if (cursor[d] < s.depth_begin[d + 1]) {
      uint32_t i = cursor[d];
      heads.push({{s.start[i], -(s.start[i] + s.dur[i])}, d});
    }
  };
  for (uint32_t d = 0; d < s.depths(); ++d) push(d);
  while (!heads.empty()) {
    uint32_t d = heads.top().second;
    heads.pop();
    write_slice(o, s, cursor[d]++, thread);
    push(d);
  }
}

void write_instant(Out& o, const Instant& in) {
  char ph[2] = {in.phase, 0};
  o.begin(ph, in.label, kNone, in.thread);
  o.ts("ts", in.ts);
  o.raw(in.scope == Scope::Global ? ",\"s\":\"g\"" : in.scope == Scope::Process ? ",\"s\":\"p\"" : ",\"s\":\"t\"");
  o.member_raw("args", in.args);
  o.extras(in.extra, VZ_INSTANT_KEYS);
  o.end();
  o.maybe_flush();
}

void write_counters(Out& o, const Trace& t) {
  char num[64];
  for (const Counter& c : t.counters) {
    for (size_t i = 0; i < c.ts.size(); ++i) {
      o.begin("C", kNone, c.process, c.tid_of_sample[i]);
      o.member_str("name", t.str(c.name));
      if (c.cat != kNoStr) o.member_str("cat", t.str(c.cat));
      o.ts("ts", c.ts[i]);
      o.raw(",\"args\":{");
      bool first = true;
      for (const CounterSeries& s : c.series) {
        double v = s.values[i];
        if (std::isnan(v)) continue;
        if (!first) o.raw(",");
        first = false;
        o.str(t.str(s.key));
        o.raw(":");
        if (std::isinf(v)) {
          o.raw(v > 0 ? "1e999" : "-1e999");
          continue;
        }
        auto r = std::to_chars(num, num + sizeof num, v);
        o.raw(std::string_view(num, size_t(r.ptr - num)));
      }
      o.raw("}}");
      o.maybe_flush();
    }
  }
}

void write_async(Out& o, const Trace& t) {
  for (const AsyncSlice& a : t.async_slices) {
    char b[2] = {a.phase, 0};
    o.begin(b, a.label, a.process, a.thread);
    o.id(a.id);
    o.ts("ts", a.start);
    o.member_raw("args", a.args);
    o.end();
    if (!(a.flags & kSliceOpen)) {
      char e[2] = {a.phase == 'S' ? 'F' : 'e', 0};
      o.begin(e, a.label, a.process, a.thread);
      o.id(a.id);
      o.ts("ts", a.start + a.dur);
      o.member_raw("args", a.end_args);
      o.end();
    }
    o.maybe_flush();
  }
  for (const AsyncMark& m : t.async_marks) {
    char ph[2] = {m.phase, 0};
    o.begin(ph, m.label, m.process, m.thread);
    o.id(m.id);
    o.ts("ts", m.ts);
    o.member_raw("args", m.args);
    o.end();
    o.maybe_flush();
  }
}

void write_rest(Out& o, const Trace& t) {
  for (const FlowEvent& f : t.flows) {
    if (f.phase == 'X') continue;  // bind_id on a slice: its extra fields carry it
    char ph[2] = {f.phase, 0};
    o.begin(ph, f.label, kNone, f.thread);
    o.id(f.id);
    o.ts("ts", f.ts);
    if (f.bind_enclosing) o.raw(",\"bp\":\"e\"");
    o.member_raw("args", f.args);
    o.end();
    o.maybe_flush();
  }
  for (const ObjectEvent& ob : t.objects) {
    char ph[2] = {ob.phase, 0};
    o.begin(ph, ob.label, ob.process, ob.thread);
    o.id(ob.id);
    o.ts("ts", ob.ts);
    o.member_raw("args", ob.args);
    o.end();
    o.maybe_flush();
  }
  for (const OtherEvent& ev : t.others) {
    std::string_view raw = t.view(ev.raw);
    if (raw.empty()) continue;
    o.raw_event(raw);
    o.maybe_flush();
  }
}

}  // namespace

bool write_json(const Trace& t, const JsonSink& sink) {
  Out o(t, sink);
  o.raw("{\"traceEvents\":[");
  write_metadata_events(o, t);
  for (uint32_t th = 0; th < t.threads.size(); ++th) {
    write_slices(o, t.threads[th].slices, th);
    write_slices(o, t.threads[th].overflow, th);
    for (const Instant& in : t.threads[th].instants) write_instant(o, in);
  }
  for (const Instant& in : t.process_instants) write_instant(o, in);
  for (const Instant& in : t.global_instants) write_instant(o, in);
  write_counters(o, t);
  write_async(o, t);
  write_rest(o, t);
  o.raw("\n]");
  for (const MetadataEntry& m : t.metadata) {
    std::string_view v = t.view(m.value);
    if (v.empty()) continue;
    o.raw(",\n");
    o.str(t.str(m.key));
    o.raw(":");
    o.raw(v);
    o.maybe_flush();
  }
  o.raw("}\n");
  o.flush();
  return o.ok();
}

}  // namespace vz
