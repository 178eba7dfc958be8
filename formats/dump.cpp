#include "formats/dump.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>

#include "formats/numbers.h"
#include "formats/stats.h"
#include "formats/utf8.h"

namespace vz {
namespace {

// Appends raw source bytes: control bytes escaped; bytes of invalid UTF-8 as \xNN.
void raw_text(std::string& o, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  bool valid = utf8_valid(s);
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c == '\n') o += "\\n";
    else if (c == '\r') o += "\\r";
    else if (c == '\t') o += "\\t";
    else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !valid)) {
      o += "\\x";
      o.push_back(kHex[c >> 4]);
      o.push_back(kHex[c & 15]);
    } else {
      o.push_back(ch);
    }
  }
}

void quoted(std::string& o, std::string_view s) { append_json_string(o, s); }

void number(std::string& o, double v) {
  if (std::isnan(v)) o += "nan";
  else if (std::isinf(v)) o += v < 0 ? "-inf" : "inf";
  else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    o.append(buf, r.ptr);
  }
}

struct Dumper {
  const Trace& t;
  std::string o;

  void line(int indent) { o.append(size_t(indent) * 2, ' '); }
  void field(std::string_view k, std::string_view quoted_value) {
    o += ' ';
    o += k;
    o += '=';
    quoted(o, quoted_value);
  }
  void field_int(std::string_view k, int64_t v) {
    o += ' ';
    o += k;
    o += '=';
    o += std::to_string(v);
  }
  void field_raw(std::string_view k, ByteRange r) {
    if (r.empty()) return;
    o += ' ';
    o += k;
    o += '=';
    raw_text(o, t.view(r));
  }
  void label(uint32_t l) {
    if (l >= t.labels.size()) {
      o += " label=<invalid " + std::to_string(l) + ">";
      return;
    }
    field("name", t.str(t.labels[l].name));
    field("cat", t.str(t.labels[l].cat));
    if (t.labels[l].color) field("cname", chrome_color_name(t.labels[l].color));  // (only when set)
  }
  void sort_index(bool has, int64_t v) {
    if (has) field_int("sort_index", v);
    else o += " sort_index=-";
  }
  // "pid/tid" of a thread index, or "-".
  void thread_ref(std::string_view k, uint32_t th) {
    o += ' ';
    if (!k.empty()) {
      o += k;
      o += '=';
    }
    if (th == kNone || th >= t.threads.size()) {
      o += th == kNone ? "-" : "<invalid>";
      return;
    }
    quoted(o, std::string(t.str(t.processes[t.threads[th].process].pid)) + "/" +
                  std::string(t.str(t.threads[th].tid)));
  }
  void process_ref(uint32_t p) {
    if (p >= t.processes.size()) o += " pid=<invalid>";
    else field("pid", t.str(t.processes[p].pid));
  }
  void id(StrId s) { field("id", t.str(s)); }
  void scope(StrId s) {  // async and object events: only when they have one
    if (s != kNoStr) field("scope", t.str(s));
  }

  void flags(uint8_t f) {
    o += " flags=";
    if (!f) {
      o += '-';
      return;
    }
    static const char* kNames[] = {"open", "args", "extra", "BE", "end_event"};
    bool first = true;
    for (int b = 0; b < 8; ++b) {
      if (!(f & (1u << b))) continue;
      if (!first) o += ',';
      first = false;
      if (b < 5) o += kNames[b];
      else o += "bit" + std::to_string(b);
    }
  }

  void header() {
    o += "trace";
    o += t.object_form ? " form=object" : " form=array";
    field_int("origin_us", t.origin_us);
    field("display_time_unit", t.display_time_unit);
    field_int("start", t.start);
    field_int("end", t.end);
    o += " events=" + std::to_string(t.events) + "\n";
  }

  void slice_set(const SliceSet& s, const char* what, const char* level, int indent) {
    line(indent);
    o += std::string(what) + " " + std::to_string(s.depths()) + " " + level + "s, " +
         std::to_string(s.size()) + " slices\n";
    for (uint32_t d = 0; d < s.depths(); ++d) {
      for (uint32_t i = s.depth_begin[d]; i < s.depth_begin[d + 1]; ++i) {
        line(indent + 1);
        o += level + std::to_string(d);
        field_int("start", s.start[i]);
        field_int("dur", s.dur[i]);
        label(s.label[i]);
        flags(s.flags[i]);
        field_raw("args", s.args_of(i));
        field_raw("extra", s.extra_of(i));
        field_raw("end_event", s.end_of(i));
        o += '\n';
      }
    }
  }

  void instant(const Instant& in, int indent) {
    line(indent);
    o += "instant";
    o += " phase=";
    o += in.phase;
    o += in.scope == Scope::Thread ? " scope=t" : in.scope == Scope::Process ? " scope=p" : " scope=g";
    field_int("ts", in.ts);
    label(in.label);
    thread_ref("thread", in.thread);
    field_raw("args", in.args);
    field_raw("extra", in.extra);
    o += '\n';
  }

  using Summaries = std::map<std::pair<std::string, std::string>, const ThreadSummary*>;

  void thread(uint32_t index, const Summaries& sums) {
    const Thread& th = t.threads[index];
    std::string_view pid = t.str(t.processes[th.process].pid);
    line(1);
    o += "thread";
    field("tid", t.str(th.tid));
    field("name", t.str(th.name));
    sort_index(th.has_sort_index, th.sort_index);
    o += " unmatched_B=" + std::to_string(th.unmatched_begin);
    o += " unmatched_E=" + std::to_string(th.unmatched_end) + (th.bare ? " bare\n" : "\n");
    auto it = sums.find({std::string(pid), std::string(t.str(th.tid))});
    if (it != sums.end()) {
      const ThreadSummary& s = *it->second;
      line(2);
      o += "summary slices=" + std::to_string(s.slices) + " max_depth=" + std::to_string(s.max_depth) +
           " top_level_total=" + std::to_string(s.top_level_total) +
           " instants=" + std::to_string(s.instants) + "\n";
    }
    slice_set(th.slices, "slices", "depth", 2);
    if (th.overflow.size()) slice_set(th.overflow, "overflow", "lane", 2);
    if (!th.instants.empty()) {
      line(2);
      o += "instants " + std::to_string(th.instants.size()) + "\n";
      for (const Instant& in : th.instants) instant(in, 3);
    }
  }

  std::vector<uint32_t> process_order() const {
    std::vector<uint32_t> v(t.processes.size());
    std::iota(v.begin(), v.end(), 0u);
    std::stable_sort(v.begin(), v.end(), [&](uint32_t a, uint32_t b) {
      return id_less(t.str(t.processes[a].pid), t.str(t.processes[b].pid));
    });
    return v;
  }

  void processes() {
    TraceSummary summary = summarize(t);
    Summaries sums;
    for (const ThreadSummary& s : summary.threads) sums[{s.pid, s.tid}] = &s;
    o += "processes " + std::to_string(t.processes.size()) + ", threads " +
         std::to_string(t.threads.size()) + "\n";
    for (uint32_t p : process_order()) {
      const Process& pr = t.processes[p];
      o += "process";
      field("pid", t.str(pr.pid));
      field("name", t.str(pr.name));
      field("labels", t.str(pr.labels));
      sort_index(pr.has_sort_index, pr.sort_index);
      o += '\n';
      std::vector<uint32_t> ths = pr.threads;
      std::stable_sort(ths.begin(), ths.end(), [&](uint32_t a, uint32_t b) {
        return id_less(t.str(t.threads[a].tid), t.str(t.threads[b].tid));
      });
      for (uint32_t th : ths) thread(th, sums);
    }
  }

  void instants(const char* what, const std::vector<Instant>& v) {
    o += std::string(what) + " " + std::to_string(v.size()) + "\n";
    for (const Instant& in : v) instant(in, 1);
  }

  void counters() {
    std::vector<uint32_t> order(t.counters.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      std::string_view pa = t.str(t.processes[t.counters[a].process].pid);
      std::string_view pb = t.str(t.processes[t.counters[b].process].pid);
      if (pa != pb) return id_less(pa, pb);
      return counter_name(t, t.counters[a]) < counter_name(t, t.counters[b]);
    });
    o += "counters " + std::to_string(t.counters.size()) + "\n";
    for (uint32_t k : order) {
      const Counter& c = t.counters[k];
      line(1);
      o += "counter";
      process_ref(c.process);
      field("name", t.str(c.name));
      field("cat", t.str(c.cat));
      if (c.id != kNoStr) field("id", t.str(c.id));
      o += " samples=" + std::to_string(c.ts.size()) + "\n";
      line(2);
      o += "ts:";
      for (Time ts : c.ts) o += " " + std::to_string(ts);
      o += "\n";
      line(2);
      o += "thread:";
      for (uint32_t th : c.tid_of_sample) thread_ref("", th);
      o += "\n";
      for (const CounterSeries& s : c.series) {
        line(2);
        o += "series ";
        quoted(o, t.str(s.key));
        o += ":";
        for (double v : s.values) {
          o += ' ';
          number(o, v);
        }
        o += "\n";
      }
      for (const SliceAttachment& a : c.extras) {  // a sample's other fields
        line(2);
        o += "sample " + std::to_string(a.index);
        field_raw("extra", a.range);
        o += "\n";
      }
    }
  }

  void async_slices() {
    o += "async_slices " + std::to_string(t.async_slices.size()) + "\n";
    std::vector<uint32_t> rank(t.processes.size());
    std::vector<uint32_t> order = process_order();
    for (uint32_t r = 0; r < order.size(); ++r) rank[order[r]] = r;
    std::vector<const AsyncSlice*> v;
    for (const AsyncSlice& a : t.async_slices) v.push_back(&a);
    std::stable_sort(v.begin(), v.end(), [&](const AsyncSlice* a, const AsyncSlice* b) {
      return (a->process < rank.size() ? rank[a->process] : kNone) <
             (b->process < rank.size() ? rank[b->process] : kNone);
    });
    for (const AsyncSlice* ap : v) {
      const AsyncSlice& a = *ap;
      line(1);
      o += "async phase=";
      o += a.phase;
      process_ref(a.process);
      o += " lane=" + std::to_string(a.lane);
      field_int("start", a.start);
      field_int("dur", a.dur);
      label(a.label);
      id(a.id);
      scope(a.scope);
      thread_ref("thread", a.thread);
      if (a.end_thread != kNone) thread_ref("end_thread", a.end_thread);
      flags(a.flags);
      field_raw("args", a.args);
      field_raw("end_args", a.end_args);
      field_raw("extra", a.extra);
      field_raw("end_extra", a.end_extra);
      o += '\n';
    }
  }

  void marks() {
    o += "async_marks " + std::to_string(t.async_marks.size()) + "\n";
    for (const AsyncMark& m : t.async_marks) {
      line(1);
      o += "mark phase=";
      o += m.phase;
      process_ref(m.process);
      field_int("ts", m.ts);
      label(m.label);
      id(m.id);
      scope(m.scope);
      thread_ref("thread", m.thread);
      field_raw("args", m.args);
      field_raw("extra", m.extra);
      o += '\n';
    }
  }

  void flows() {
    o += "flows " + std::to_string(t.flows.size()) + "\n";
    for (const FlowEvent& f : t.flows) {
      line(1);
      o += "flow phase=";
      o += f.phase;
      field_int("ts", f.ts);
      label(f.label);
      id(f.id);
      thread_ref("thread", f.thread);
      if (f.bind_enclosing) o += " bp=e";
      if (f.v2 & kFlowV2In) o += " flow_in";
      if (f.v2 & kFlowV2Out) o += " flow_out";
      field_raw("args", f.args);
      field_raw("extra", f.extra);
      o += '\n';
    }
  }

  void objects() {
    o += "objects " + std::to_string(t.objects.size()) + "\n";
    for (const ObjectEvent& ob : t.objects) {
      line(1);
      o += "object phase=";
      o += ob.phase;
      process_ref(ob.process);
      field_int("ts", ob.ts);
      label(ob.label);
      id(ob.id);
      scope(ob.scope);
      thread_ref("thread", ob.thread);
      field_raw("args", ob.args);
      field_raw("extra", ob.extra);
      o += '\n';
    }
  }

  // Others in file order (their raw ranges are distinct events).
  void others() {
    std::vector<const OtherEvent*> v;
    for (const OtherEvent& e : t.others) v.push_back(&e);
    std::stable_sort(v.begin(), v.end(),
                     [](const OtherEvent* a, const OtherEvent* b) { return a->raw.offset < b->raw.offset; });
    o += "others " + std::to_string(v.size()) + "\n";
    for (const OtherEvent* e : v) {
      line(1);
      o += "other";
      field("phase", t.str(e->phase));
      field_int("ts", e->ts);
      label(e->label);
      thread_ref("thread", e->thread);
      field_raw("raw", e->raw);
      o += '\n';
    }
  }

  void metadata() {
    o += "metadata " + std::to_string(t.metadata.size()) + "\n";
    for (const MetadataEntry& m : t.metadata) {
      line(1);
      quoted(o, t.str(m.key));
      o += ": ";
      raw_text(o, t.view(m.value));
      o += '\n';
    }
    o += "files " + std::to_string(t.files.size()) + "\n";
    for (const SourceFile& f : t.files) {
      line(1);
      o += "file";
      field("path", t.str(f.path));
      field_int("lines", f.lines);
      field_raw("source", f.source);
      o += '\n';
    }
    std::map<std::string_view, const FunctionLocation*> fns;
    for (const auto& [name, loc] : t.functions) fns[t.str(name)] = &loc;
    o += "functions " + std::to_string(fns.size()) + "\n";
    for (const auto& [name, loc] : fns) {
      line(1);
      o += "function";
      field("name", name);
      field("file", t.str(loc->file));
      field_int("line", loc->line);
      o += '\n';
    }
  }

  void diagnostics() {
    std::vector<DiagKind> kinds = t.diagnostics.present();
    o += "diagnostics " + std::to_string(kinds.size()) + "\n";
    for (DiagKind k : kinds) {
      const DiagEntry& e = t.diagnostics.get(k);
      line(1);
      o += std::string(diag_info(k).id);
      o += " count=" + std::to_string(e.count) + " first_offset=" + std::to_string(e.first_offset);
      field("detail", e.detail);
      o += '\n';
    }
  }
};

}  // namespace

std::string dump_model(const Trace& trace) {
  Dumper d{trace, {}};
  d.header();
  d.processes();
  d.instants("process_instants", trace.process_instants);
  d.instants("global_instants", trace.global_instants);
  d.counters();
  d.async_slices();
  d.marks();
  d.flows();
  d.objects();
  d.others();
  d.metadata();
  d.diagnostics();
  return d.o;
}

}  // namespace vz
