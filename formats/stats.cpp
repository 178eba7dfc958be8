#include "formats/stats.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "formats/numbers.h"

namespace vz {
namespace {

void append_u64(std::string& o, uint64_t v) { o += std::to_string(v); }

void append_key(std::string& o, std::string_view k) {
  append_json_string(o, k);
  o += ':';
}

}  // namespace

TraceSummary summarize(const Trace& t) {
  TraceSummary s;
  s.events = t.events;
  for (const Thread& th : t.threads) {
    if (th.bare) continue;
    ThreadSummary ts;
    ts.pid = t.str(t.processes[th.process].pid);
    ts.tid = t.str(th.tid);
    ts.name = t.str(th.name);
    ts.process = t.str(t.processes[th.process].name);
    ts.slices = th.slices.size() + th.overflow.size();
    ts.max_depth = th.slices.depths();
    if (th.slices.depths() > 0)
      for (uint32_t i = th.slices.depth_begin[0]; i < th.slices.depth_begin[1]; ++i)
        ts.top_level_total += th.slices.dur[i];
    ts.unmatched_begin = th.unmatched_begin;
    ts.unmatched_end = th.unmatched_end;
    for (const Instant& in : th.instants) ts.instants += (in.phase == 'i' || in.phase == 'I');
    s.instants_thread += ts.instants;
    s.slices += ts.slices;
    s.threads.push_back(std::move(ts));
  }
  std::stable_sort(s.threads.begin(), s.threads.end(), [](const ThreadSummary& a, const ThreadSummary& b) {
    if (a.pid != b.pid) return id_less(a.pid, b.pid);
    return id_less(a.tid, b.tid);
  });
  for (const Instant& in : t.process_instants) s.instants_process += (in.phase == 'i' || in.phase == 'I');
  for (const Instant& in : t.global_instants) s.instants_global += (in.phase == 'i' || in.phase == 'I');
  for (const Counter& c : t.counters) {
    CounterSummary cs;
    cs.pid = t.str(t.processes[c.process].pid);
    cs.name = counter_name(t, c);  // (with its id, when it has one)
    cs.samples = c.ts.size();
    for (const CounterSeries& ser : c.series) cs.series.emplace_back(t.str(ser.key));
    s.counters.push_back(std::move(cs));
  }
  std::stable_sort(s.counters.begin(), s.counters.end(), [](const CounterSummary& a, const CounterSummary& b) {
    if (a.pid != b.pid) return id_less(a.pid, b.pid);
    return a.name < b.name;
  });
  s.async_slices = t.async_slices.size();
  for (const FlowEvent& f : t.flows) s.flows += f.phase != 'X';
  return s;
}

uint64_t peak_rss_bytes() {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
  return uint64_t(ru.ru_maxrss) * 1024;
}

uint64_t rss_anon_bytes() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("RssAnon:", 0) == 0) return std::strtoull(line.c_str() + 8, nullptr, 10) * 1024;
  }
  return 0;
}

std::string stats_json(const std::string& file, const LoadResult& r, const LoadMeasure& m) {
  TraceSummary s = summarize(*r.trace);
  std::string o = "{";
  append_key(o, "file");
  append_json_string(o, file);
  o += ',';
  append_key(o, "format");
  append_json_string(o, format_name(r.format));
  o += ',';
  append_key(o, "events");
  append_u64(o, s.events);
  o += ",\"threads\":[";
  for (size_t i = 0; i < s.threads.size(); ++i) {
    const ThreadSummary& t = s.threads[i];
    if (i) o += ',';
    o += "{\"pid\":";
    append_json_string(o, t.pid);
    o += ",\"tid\":";
    append_json_string(o, t.tid);
    o += ",\"name\":";
    append_json_string(o, t.name);
    o += ",\"slices\":" + std::to_string(t.slices);
    o += ",\"max_depth\":" + std::to_string(t.max_depth);
    o += ",\"top_level_total_us\":";
    append_us(o, 0, t.top_level_total);
    o += ",\"unmatched_B\":" + std::to_string(t.unmatched_begin);
    o += ",\"unmatched_E\":" + std::to_string(t.unmatched_end);
    o += ",\"instants\":" + std::to_string(t.instants) + "}";
  }
  o += "],\"instants\":{\"thread\":" + std::to_string(s.instants_thread) +
       ",\"process\":" + std::to_string(s.instants_process) +
       ",\"global\":" + std::to_string(s.instants_global) + "}";
  o += ",\"counters\":[";
  for (size_t i = 0; i < s.counters.size(); ++i) {
    const CounterSummary& c = s.counters[i];
    if (i) o += ',';
    o += "{\"pid\":";
    append_json_string(o, c.pid);
    o += ",\"name\":";
    append_json_string(o, c.name);
    o += ",\"samples\":" + std::to_string(c.samples) + ",\"series\":[";
    for (size_t k = 0; k < c.series.size(); ++k) {
      if (k) o += ',';
      append_json_string(o, c.series[k]);
    }
    o += "]}";
  }
  o += "],\"async_slices\":" + std::to_string(s.async_slices);
  o += ",\"flows\":" + std::to_string(s.flows);
  o += ",\"diagnostics\":[";
  bool first = true;
  for (DiagKind k : r.trace->diagnostics.present()) {
    const DiagEntry& e = r.trace->diagnostics.get(k);
    if (!first) o += ',';
    first = false;
    o += "{\"kind\":";
    append_json_string(o, diag_info(k).id);
    o += ",\"severity\":";
    append_json_string(o, severity_name(diag_info(k).severity));
    o += ",\"count\":" + std::to_string(e.count) + ",\"first_offset\":" + std::to_string(e.first_offset);
    o += ",\"message\":";
    append_json_string(o, r.trace->diagnostics.message(k));
    o += '}';
  }
  o += "]";
  if (!r.ok) {
    o += ",\"error\":{\"message\":";
    append_json_string(o, r.error);
    o += ",\"offset\":" + std::to_string(r.error_offset) + "}";
  }
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.6f", m.seconds);
  o += ",\"load\":{\"seconds\":";
  o += secs;
  o += ",\"bytes\":" + std::to_string(m.bytes) + ",\"peak_rss_bytes\":" + std::to_string(m.peak_rss_bytes) +
       ",\"rss_anon_bytes\":" + std::to_string(m.rss_anon_bytes) + "}}\n";
  return o;
}

}  // namespace vz
