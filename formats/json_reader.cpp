#include "formats/json_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <unordered_set>

#include "formats/builder.h"
#include "formats/json_chunk.h"
#include "formats/numbers.h"
#include "formats/parallel.h"
#include "formats/utf8.h"

namespace vz {
namespace {

using json::ChunkResult;
using json::Tok;

constexpr size_t kMinChunk = 1 << 20;
constexpr size_t kMaxChunk = 16 << 20;

bool fatal(Trace& t, uint64_t offset, const std::string& message) {
  t.diagnostics.add(DiagKind::NotATrace, offset, message);
  return false;
}

// The strings whose problems were counted. Each chunk interns its own strings, so one string
// is decoded once per chunk that holds it (and once per table: a label, a counter key): its
// problem counts once, at its earliest offset, however the input was cut.
struct Counted {
  std::unordered_set<std::string_view> bad_escape, bad_utf8;  // raw bytes, inside the input
};

// Decodes a raw string token; fixes invalid UTF-8 (counted).
std::string decode(const json::RawStr& s, Diagnostics& diag, uint64_t offset, Counted* counted = nullptr) {
  // A problem of a string already counted is only a sighting (it may move the first offset).
  auto report = [&](DiagKind k, std::unordered_set<std::string_view>* seen, std::string_view detail) {
    if (seen && !seen->insert(s.sv()).second) diag.sighting(k, offset, detail);
    else diag.add(k, offset, detail);
  };
  std::string out;
  if (s.escaped) {
    if (!unescape_json(s.sv(), out)) {
      report(DiagKind::BadFieldType, counted ? &counted->bad_escape : nullptr, "invalid escape in a string");
      out.assign(s.sv());
    }
  } else {
    out.assign(s.sv());
  }
  if (!utf8_valid(out)) {
    report(DiagKind::InvalidUtf8, counted ? &counted->bad_utf8 : nullptr, {});
    out = utf8_repair(out);
  }
  return out;
}

// Canonical text of a pid/tid/id token: numbers (also inside strings) without decimals.
std::string canonical_token(const json::RawStr& s, bool is_string, Diagnostics& diag, uint64_t off,
                            Counted* counted) {
  std::string text = is_string ? decode(s, diag, off, counted) : std::string(s.sv());
  std::string canon;
  if (canonical_number(text, canon)) return canon;
  return text;
}

std::string token_text(const Tok& t, Diagnostics& diag, const char* base, const char* dflt, Counted* counted) {
  if (!t.present()) return dflt;
  return canonical_token(json::RawStr{t.p, t.len, t.escaped}, t.kind == 's', diag, uint64_t(t.p - base), counted);
}

// Orders a thread's slices by input offset (stable), carrying their attachments along.
void in_file_order(std::vector<RawSlice>& slices, std::vector<uint64_t>& offsets,
                   std::vector<SliceAttachment>& args, std::vector<SliceAttachment>& extras) {
  std::vector<uint32_t> order(slices.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return offsets[a] < offsets[b]; });
  std::vector<uint32_t> rank(order.size());
  for (uint32_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
  std::vector<RawSlice> s(slices.size());
  std::vector<uint64_t> o(offsets.size());
  for (uint32_t k = 0; k < order.size(); ++k) s[k] = slices[order[k]], o[k] = offsets[order[k]];
  slices.swap(s);
  offsets.swap(o);
  for (auto* list : {&args, &extras}) {
    for (SliceAttachment& a : *list) a.index = rank[a.index];
    std::stable_sort(list->begin(), list->end(),  // (an E's entry stays after its slice's own)
                     [](const SliceAttachment& x, const SliceAttachment& y) { return x.index < y.index; });
  }
}

// Sequential state of the merge: maps chunk-local ids to the model's.
struct Merger {
  Merger(TraceBuilder& builder, Trace& trace, const char* input) : b(builder), t(trace), base(input) {}
  TraceBuilder& b;
  Trace& t;
  const char* base;
  Counted counted;
  uint64_t seq = 0;
  std::vector<uint32_t> label_map, string_map, thread_map, process_map, tid_map;
  std::vector<uint8_t> has_tid;

  void map_tables(ChunkResult& r) {
    label_map.resize(r.labels.size());
    for (uint32_t i = 0; i < r.labels.size(); ++i) {
      const auto& [name, cat] = r.labels.key(i);
      uint64_t off = name.p ? uint64_t(name.p - base) : 0;
      StrId n = b.intern(decode(name, t.diagnostics, off, &counted));
      StrId c = b.intern(decode(cat, t.diagnostics, off, &counted));
      label_map[i] = b.label(n, c, r.labels.tag(i));
    }
    string_map.resize(r.strings.size());
    for (uint32_t i = 0; i < r.strings.size(); ++i) {
      const auto& [s, marker] = r.strings.key(i);
      uint64_t off = s.p ? uint64_t(s.p - base) : 0;
      if (marker.len == 1) {  // an id: canonical number, id2 scope prefix
        std::string text = canonical_token(s, marker.escaped, t.diagnostics, off, &counted);
        if (marker.p[0] == 'l') text = "local:" + text;
        if (marker.p[0] == 'g') text = "global:" + text;
        string_map[i] = b.intern(text);
      } else {
        string_map[i] = b.intern(decode(s, t.diagnostics, off, &counted));
      }
    }
    // Threads are made for events the model keeps on a thread (slices, instants, flows, thread
    // metadata) and for the "tid" of a counter sample, an object or an async event: that is its
    // emitting thread (kept, written back; a thread with nothing else is Thread::bare). Events
    // without a tid use thread "0" of their process, or none.
    thread_map.assign(r.threads.size(), kNone);
    process_map.resize(r.threads.size());
    tid_map.resize(r.threads.size());
    has_tid.resize(r.threads.size());
    for (uint32_t i = 0; i < r.threads.size(); ++i) {
      const json::LocalThread& lt = r.threads[i];
      process_map[i] = b.process(b.intern(token_text(lt.pid, t.diagnostics, base, "0", &counted)));
      tid_map[i] = b.intern(token_text(lt.tid, t.diagnostics, base, "0", &counted));
      has_tid[i] = lt.tid.kind != 0;
    }
  }

  uint32_t thread_of(uint32_t local) {
    if (thread_map[local] == kNone) thread_map[local] = b.thread(t.processes[process_map[local]].pid, tid_map[local]);
    return thread_map[local];
  }

  uint32_t str(uint32_t local) const { return local == kNone ? kNoStr : string_map[local]; }

  void replay(const json::Misc& m, const ChunkResult& r) {
    uint32_t lab = label_map[m.label];
    uint32_t proc = process_map[m.thread];
    bool thread_bound = std::strchr("XBEiIRstf", m.ph) || (m.ph == 'M' && (m.kind == 't' || m.kind == 'T'));
    // C, N/O/D and async events keep their emitting thread (an async slice its begin's, and its
    // end's where that is another).
    bool emitted_by = !std::strchr("Mo", m.ph) && has_tid[m.thread];
    uint32_t th = thread_bound || emitted_by ? thread_of(m.thread) : kNone;
    switch (m.ph) {
      case 'X': {
        FlowEvent f{m.ts, lab, th, str(m.id), 'X', false, {}, {}, uint8_t(m.kind & 3)};
        b.add_flow(f);
        break;
      }
      case 'B': b.add_begin(th, m.ts, lab, m.args, m.extra, seq++, m.offset); break;
      case 'E': b.add_end(th, m.ts, m.args, m.extra, seq++, m.offset, m.kind == 'f'); break;
      case 'i': case 'I': case 'R': {
        Instant in{m.ts, lab, th, m.scope == 'g' ? Scope::Global : m.scope == 'p' ? Scope::Process : Scope::Thread,
                   m.ph, m.args, m.extra};
        b.add_instant(in);
        break;
      }
      case 'C': {
        std::vector<std::pair<StrId, double>> v(m.naux);
        for (uint32_t k = 0; k < m.naux; ++k) v[k] = {str(r.values[m.aux + k].first), r.values[m.aux + k].second};
        b.add_counter_sample(proc, t.labels[lab].name, t.labels[lab].cat, m.ts, th, v.data(), v.size(),
                             m.offset, str(m.id), m.extra);
        break;
      }
      case 'M':
        switch (m.kind) {
          case 'p': b.set_process_name(proc, str(m.id)); break;
          case 't': b.set_thread_name(th, str(m.id)); break;
          case 'l': b.set_process_labels(proc, str(m.id)); break;
          case 'P': b.set_process_sort_index(proc, m.ival); break;
          case 'T': b.set_thread_sort_index(th, m.ival); break;
        }
        break;
      case 'o':
        if (m.naux) b.note_time(m.ts);  // it had a valid timestamp
        b.add_other(OtherEvent{m.ts, th, str(m.id), lab, m.extra});
        break;
      case 's': case 't': case 'f':
        b.add_flow(FlowEvent{m.ts, lab, th, str(m.id), m.ph, m.bp_e, m.args, m.extra, 0});
        break;
      case 'N': case 'O': case 'D':
        b.add_object(ObjectEvent{m.ts, lab, proc, th, str(m.id), m.ph, m.args, str(m.scope_str), m.extra});
        break;
      default:
        b.add_async(m.ph, proc, th, t.labels[lab].cat, str(m.id), m.ts, lab, m.args, seq++, m.offset,
                    str(m.scope_str), m.extra, m.ph == 'e' || m.ph == 'F', m.kind == 'f');
    }
  }

  // Tables and rare events now; complete slices are only noted here and moved in parallel by
  // flush_slices(), since copying them is the bulk of the merge. `r` must outlive that call.
  void merge(ChunkResult& r) {
    map_tables(r);
    label_maps.push_back(label_map);
    for (uint32_t i = 0; i < r.threads.size(); ++i) {
      json::LocalThread& lt = r.threads[i];
      if (lt.slices.empty()) continue;
      uint32_t th = thread_of(i);
      if (runs.size() <= th) runs.resize(th + 1);
      runs[th].push_back({&lt, &label_maps.back()});
    }
    for (const json::Misc& m : r.misc) replay(m, r);
    std::vector<json::Misc>().swap(r.misc);
    t.events += r.events;
    t.diagnostics.merge(r.diag);
  }

  // Concatenates each thread's runs (mapping labels) and hands them to the builder.
  void flush_slices(unsigned workers) {
    parallel_for(runs.size(), workers, [&](size_t th) {
      auto& list = runs[th];
      if (list.empty()) return;
      std::vector<RawSlice> slices;
      std::vector<SliceAttachment> args, extras;
      std::vector<uint64_t> offsets;
      if (list.size() == 1) {
        slices = std::move(list[0].first->slices);
        args = std::move(list[0].first->args);
        extras = std::move(list[0].first->extras);
        offsets = std::move(list[0].first->offsets);
        for (RawSlice& s : slices) s.label = (*list[0].second)[s.label];
      } else {
        size_t n = 0;
        for (auto& [lt, map] : list) n += lt->slices.size();
        slices.reserve(n);
        offsets.reserve(n);
        for (auto& [lt, map] : list) {
          offsets.insert(offsets.end(), lt->offsets.begin(), lt->offsets.end());
          std::vector<uint64_t>().swap(lt->offsets);
          uint32_t base_index = uint32_t(slices.size());
          for (const RawSlice& s : lt->slices) slices.push_back(RawSlice{s.start, s.dur, (*map)[s.label], s.flags});
          for (const SliceAttachment& a : lt->args) args.push_back({base_index + a.index, a.range});
          for (const SliceAttachment& a : lt->extras) extras.push_back({base_index + a.index, a.range});
          std::vector<RawSlice>().swap(lt->slices);
        }
        // Runs come chunk by chunk, and within a chunk one local thread per spelling of the ids
        // ("pid":1 and "pid":"1", a missing pid and "pid":0): back in file order, so that ties in
        // the layout fall the same way however the input was chunked.
        if (!std::is_sorted(offsets.begin(), offsets.end())) in_file_order(slices, offsets, args, extras);
      }
      b.adopt_slices(uint32_t(th), std::move(slices), std::move(args), std::move(extras), std::move(offsets));
    });
    runs.clear();
  }

  std::deque<std::vector<uint32_t>> label_maps;  // per merged chunk, stable addresses
  std::vector<std::vector<std::pair<json::LocalThread*, const std::vector<uint32_t>*>>> runs;
};

// Scans top-level members from p (just after '{' or a ','); stops at "traceEvents": [ and
// returns the position after '['. Returns nullptr at the end of the object (*closed set when '}'
// was seen). Members are recorded in t.metadata.
const char* scan_members(Trace& t, TraceBuilder& b, const char* base, const char* p, const char* end,
                         bool* closed, bool* error, uint64_t* error_offset) {
  *closed = false;
  *error = false;
  bool after_comma = false;
  for (;;) {
    p = json::skip_ws(p, end);
    if (p >= end) return nullptr;
    if (*p == ',') {
      ++p;
      after_comma = true;
      continue;
    }
    if (*p == '}') {
      if (after_comma) t.diagnostics.add(DiagKind::TrailingComma, uint64_t(p - base), "in the top-level object");
      *closed = true;
      return p + 1;
    }
    after_comma = false;
    const char* err = nullptr;
    Tok key;
    const char* q = *p == '"' ? json::parse_value(p, end, &key, &err) : nullptr;
    if (q) q = json::skip_ws(q, end);
    if (!q || q >= end || *q != ':') {
      *error_offset = uint64_t((q && q < end ? q : p) - base);
      t.diagnostics.add(q && q >= end ? DiagKind::TruncatedInput : DiagKind::BadMetadata, *error_offset,
                        "malformed top-level member");
      *error = true;
      return nullptr;
    }
    q = json::skip_ws(q + 1, end);
    if (key.sv() == "traceEvents" && q < end && *q == '[') return q + 1;
    Tok v;
    const char* after = json::parse_value(q, end, &v, &err);
    if (!after) {
      *error_offset = uint64_t(q - base);
      t.diagnostics.add(err >= end ? DiagKind::TruncatedInput : DiagKind::BadMetadata, *error_offset,
                        "malformed value of top-level member \"" + std::string(key.sv().substr(0, 60)) + "\"");
      *error = true;
      return nullptr;
    }
    std::string k = decode(json::RawStr{key.p, key.len, key.escaped}, t.diagnostics, uint64_t(key.p - base));
    ByteRange range{uint64_t((v.kind == 's' ? v.p - 1 : v.p) - base), uint64_t(after - (v.kind == 's' ? v.p - 1 : v.p))};
    if (k == "displayTimeUnit" && v.kind == 's') t.display_time_unit.assign(v.sv());
    t.metadata.push_back(MetadataEntry{b.intern(k), range});
    p = after;
  }
}

// viztracer's file_info: {"files": {path: [source, lines]}, "functions": {name: [path, line]}}.
void read_file_info(Trace& t, TraceBuilder& b, const char* base, const Tok& info) {
  Tok files, functions;
  if (json::find_member(info, "files", &files)) {
    json::for_each_member(files, [&](std::string_view path, const Tok& v) {
      SourceFile f;
      f.path = b.intern(decode(json::RawStr{path.data(), uint32_t(path.size()), path.find('\\') != path.npos},
                               t.diagnostics, uint64_t(path.data() - base)));
      int i = 0;
      json::for_each_element(v, [&](const Tok& e) {
        if (i == 0 && e.kind == 's') f.source = ByteRange{uint64_t(e.p - 1 - base), uint64_t(e.len) + 2};
        if (i == 1 && e.kind == 'n') parse_int64(e.sv(), &f.lines);
        ++i;
      });
      t.files.push_back(f);
    });
  }
  if (json::find_member(info, "functions", &functions)) {
    json::for_each_member(functions, [&](std::string_view name, const Tok& v) {
      FunctionLocation loc;
      int i = 0;
      json::for_each_element(v, [&](const Tok& e) {
        if (i == 0 && e.kind == 's')
          loc.file = b.intern(decode(json::RawStr{e.p, e.len, e.escaped}, t.diagnostics, uint64_t(e.p - base)));
        if (i == 1 && e.kind == 'n') parse_int64(e.sv(), &loc.line);
        ++i;
      });
      StrId n = b.intern(decode(json::RawStr{name.data(), uint32_t(name.size()), name.find('\\') != name.npos},
                                t.diagnostics, uint64_t(name.data() - base)));
      t.functions[n] = loc;
    });
  }
}

// The origin: the integral microsecond of the first timestamped non-metadata event. Walks the
// array like a chunk does (skipping non-objects and malformed events) until it finds one.
int64_t find_origin(const char* p, const char* end) {
  json::Event ev;
  while (p < end) {
    p = json::skip_ws(p, end);
    if (p >= end || *p == ']') return 0;
    if (*p == ',') {
      ++p;
      continue;
    }
    const char* err = nullptr;
    if (*p != '{') {
      json::Tok t;
      const char* q = json::parse_value(p, end, &t, &err);
      p = q ? q : json::resync(p + 1, end);
      continue;
    }
    bool trailing;
    json::ParseStatus st = json::parse_event(p, end, ev, &err, &trailing);
    if (st == json::ParseStatus::Truncated) return 0;
    if (st == json::ParseStatus::Malformed) {
      p = json::resync(err, end);
      continue;
    }
    int64_t us;
    bool meta = ev.ph.kind == 's' && ev.ph.len == 1 && ev.ph.p[0] == 'M';
    if (!meta && (ev.ts.kind == 'n' || ev.ts.kind == 's') && parse_floor_us(ev.ts.sv(), &us) == NumStatus::Ok)
      return us;
    p = ev.end;
  }
  return 0;
}

// Rejects inputs that are not a JSON trace at all; returns the first significant byte.
const char* check_start(Trace& t, const char* base, const char* end, bool* ok) {
  *ok = false;
  size_t n = size_t(end - base);
  const unsigned char* u = reinterpret_cast<const unsigned char*>(base);
  if (n == 0) return fatal(t, 0, "empty file"), nullptr;
  if (n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff) || u[0] == 0 || u[1] == 0))
    return fatal(t, 0, "UTF-16 or binary data; Chrome JSON traces must be UTF-8"), nullptr;
  const char* p = base;
  if (n >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf) p += 3;
  p = json::skip_ws(p, end);
  if (p >= end) return fatal(t, 0, "file holds only whitespace"), nullptr;
  if (*p == '{' || *p == '[') {
    *ok = true;
    return p;
  }
  uint64_t off = uint64_t(p - base);
  std::string_view rest(p, size_t(end - p));
  auto literal = [&](std::string_view w) {
    return rest.substr(0, w.size()) == w && json::skip_ws(p + w.size(), end) == end;
  };
  if (*p == '"' || *p == '-' || (*p >= '0' && *p <= '9') || literal("true") || literal("false") || literal("null"))
    return fatal(t, off, "a JSON scalar is not a trace (expected '{' or '[')"), nullptr;
  return fatal(t, off, "not a JSON trace: expected '{' or '[' at the first non-blank byte"), nullptr;
}

}  // namespace

// VZ_LOAD_PROFILE=1 prints the time of each loading phase to stderr (for benchmarks).
class PhaseTimer {
 public:
  PhaseTimer() : on_(std::getenv("VZ_LOAD_PROFILE") != nullptr), last_(std::chrono::steady_clock::now()) {}
  void mark(const char* phase) {
    if (!on_) return;
    auto now = std::chrono::steady_clock::now();
    std::fprintf(stderr, "load: %-8s %8.3f s\n", phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_;
};

bool read_json(std::shared_ptr<const Buffer> buf, Trace& out, const LoadOptions& opt) {
  PhaseTimer timer;
  out.source = buf;
  const char* base = buf->data();
  const char* end = base + buf->size();
  bool ok;
  const char* p = check_start(out, base, end, &ok);
  if (!ok) return false;
  TraceBuilder builder(out);
  const char* events = nullptr;
  bool closed = false, error = false;
  if (*p == '[') {
    out.object_form = false;
    events = p + 1;
  } else {
    uint64_t error_at = 0;
    events = scan_members(out, builder, base, p + 1, end, &closed, &error, &error_at);
    if (!events || closed) {
      if (error) return fatal(out, error_at, "malformed JSON object before \"traceEvents\"");
      return fatal(out, 0, "JSON object without a \"traceEvents\" array");
    }
  }

  json::ChunkContext ctx{base, end, find_origin(events, end)};
  out.origin_us = ctx.origin_us;
  unsigned workers = opt.threads ? opt.threads : default_workers();
  size_t region = size_t(end - events);
  const size_t chunk = opt.min_chunk ? std::min(opt.min_chunk, kMaxChunk)
                                     : std::clamp(region / (size_t(workers) * 8 + 1), kMinChunk, kMaxChunk);
  std::vector<const char*> starts{events};
  for (size_t at = chunk; at < region; at += chunk) {
    const char* s = json::find_event_boundary(std::max(events + at, starts.back() + 1), end);
    if (s >= end) break;
    if (s > starts.back()) starts.push_back(s);
  }
  auto limit_of = [&](size_t i) { return i + 1 < starts.size() ? starts[i + 1] : end; };
  if (opt.progress) opt.progress->phase.store(int(LoadPhase::Parsing), std::memory_order_relaxed);

  std::vector<ChunkResult> results(starts.size());
  std::atomic<bool> stop_early{false};
  parallel_for(starts.size(), workers, [&](size_t i) {
    if (stop_early.load(std::memory_order_relaxed)) return;
    if (opt.cancel && opt.cancel->load(std::memory_order_relaxed)) {
      stop_early = true;
      return;
    }
    json::parse_chunk(ctx, starts[i], limit_of(i), results[i]);
    if (results[i].array_end) stop_early = true;  // later chunks lie past the array
    if (opt.progress) {
      opt.progress->bytes_done.fetch_add(uint64_t(limit_of(i) - starts[i]), std::memory_order_relaxed);
      opt.progress->events.fetch_add(results[i].events, std::memory_order_relaxed);
    }
  });
  if (opt.cancel && opt.cancel->load()) return fatal(out, 0, "loading cancelled");
  timer.mark("parse");

  // Verify the speculative boundaries in order and merge.
  if (opt.progress) opt.progress->phase.store(int(LoadPhase::Building), std::memory_order_relaxed);
  Merger merger(builder, out, base);
  {
    uint64_t pairs = 0;  // (chunks parsed again below count theirs anew: a guess is enough)
    for (const ChunkResult& r : results) pairs += r.async_pairs;
    if (pairs > 0) builder.reserve_async(size_t(pairs));
  }
  const char* pos = events;
  const char* array_end = nullptr;
  bool eof = false;
  std::deque<ChunkResult> reparsed;
  for (size_t i = 0; i < starts.size() && !array_end && !eof; ++i) {
    ChunkResult* r = &results[i];
    if (starts[i] != pos || (!r->stop && !r->hit_eof)) {  // guessed wrong (or skipped): re-parse
      *r = ChunkResult();
      r = &reparsed.emplace_back();
      json::parse_chunk(ctx, pos, std::max(pos, limit_of(i)), *r);
    }
    merger.merge(*r);
    pos = r->stop;
    array_end = r->array_end;
    eof = r->hit_eof;
  }
  merger.flush_slices(workers);
  results.clear();
  reparsed.clear();

  if (array_end) {
    const char* q = array_end + 1;
    if (out.object_form) {
      uint64_t error_at = 0;
      q = scan_members(out, builder, base, q, end, &closed, &error, &error_at);
      if (!q && !error) out.diagnostics.add(DiagKind::MissingClose, uint64_t(end - base), "top-level object");
    }
    if (q) {
      q = json::skip_ws(q, end);
      if (q < end) out.diagnostics.add(DiagKind::TrailingGarbage, uint64_t(q - base));
    }
  } else if (out.diagnostics.count(DiagKind::TruncatedInput) == 0) {
    out.diagnostics.add(DiagKind::MissingClose, uint64_t(end - base),
                        out.object_form ? "traceEvents array" : "event array");
  }
  for (const MetadataEntry& m : out.metadata) {
    if (out.str(m.key) != "file_info") continue;
    Tok info{base + m.value.offset, uint32_t(std::min<uint64_t>(m.value.len, 0xffffffffu)), '{', false};
    if (*info.p == '{') read_file_info(out, builder, base, info);
  }
  timer.mark("merge");
  builder.finish(workers);
  timer.mark("finish");
  return true;
}

}  // namespace vz
