// Events given as JSON text (vz::rec::add_event_json) -> the model, at save.
//
// The ring's fixed-size records carry the hot events; what they cannot carry (complete events
// with args, B events for frames still open at stop, object snapshots, metadata for pseudo
// threads, raw user events) is kept as Chrome JSON text and routed here, phase by phase, into the
// same TraceBuilder as the ring's events. So the formats library's one JSON writer (or the .vzt
// writer) writes them, and args stay byte ranges into the trace's source, as a loader leaves them.
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/builder.h"
#include "formats/json_event.h"
#include "formats/loader.h"
#include "formats/merge.h"
#include "formats/numbers.h"
#include "recorder/internal.h"

namespace vz::rec::internal {

namespace {

// Text of a pid/tid/name token: string content (unescaped) or the number as written.
std::string token_text(const json::Tok& t) {
  if (t.kind == 's') {
    std::string out;
    if (t.escaped && unescape_json(t.sv(), out)) return out;
    return std::string(t.sv());
  }
  if (t.kind == 'n') {
    std::string out;
    if (canonical_number(t.sv(), out)) return out;
    return std::string(t.sv());
  }
  return {};
}

// An event's id as the JSON reader makes it: "id" as written, or "id2"'s local / global one
// ("local:x", "global:x", which the JSON writer writes back as id2).
StrId id_of(TraceBuilder& b, const json::Event& ev) {
  if (ev.id.present()) return b.intern(token_text(ev.id));
  if (ev.id2.kind == '{') {
    json::Tok v;
    if (json::find_member(ev.id2, "local", &v)) return b.intern("local:" + token_text(v));
    if (json::find_member(ev.id2, "global", &v)) return b.intern("global:" + token_text(v));
  }
  return kNoStr;
}

// The bytes of a value as the JSON reader keeps them (a string with its quotes).
ByteRange range_of(const json::Tok& t, const char* base) {
  if (t.kind == '{' || t.kind == '[' || t.kind == 'n') return ByteRange{uint64_t(t.p - base), t.len};
  if (t.kind == 's') return ByteRange{uint64_t(t.p - 1 - base), uint64_t(t.len) + 2};
  return {};
}

// A token as written (kind and bytes): equal tokens give equal token_text().
struct Written {
  char kind = 0;
  std::string_view text;
  explicit Written(const json::Tok& t) : kind(t.kind), text(t.present() ? t.sv() : std::string_view()) {}
  bool operator==(const Written& o) const { return kind == o.kind && text == o.text; }
};

// A slice's or instant's label as written: name, cat and colour.
struct LabelKey {
  Written name, cat;
  uint8_t color;
  bool operator==(const LabelKey& o) const { return name == o.name && cat == o.cat && color == o.color; }
};
struct LabelKeyHash {
  size_t operator()(const LabelKey& k) const {
    std::hash<std::string_view> h;
    return h(k.name.text) * 0x9E3779B97F4A7C15ull ^ h(k.cat.text) ^ (size_t(k.color) << 8 | size_t(uint8_t(k.name.kind)));
  }
};

}  // namespace

uint64_t add_extra_events(TraceBuilder& b, const Extras& extras,
                          int64_t origin_us, std::string& source, uint64_t* bad, uint64_t* unplaced_count) {
  // Append the texts first: the byte ranges below are offsets into the final text.
  const uint64_t at = source.size();
  source += extras.text;
  const char* base = source.data();
  uint64_t added = 0, seq = 0;
  // Events in a row mostly share their pid and tid (a merged trace's are grouped by thread), and
  // names repeat: the last pid and tid, and every label, are looked up by how they are written.
  struct {
    Written pid{json::Tok{}}, tid{json::Tok{}};
    pid_t default_pid = 0;
    int64_t default_tid = 0;
    bool known = false, thread_known = false;
    StrId pid_s = kNoStr;
    uint32_t process = 0, thread = kNone;
  } last;
  std::unordered_map<LabelKey, uint32_t, LabelKeyHash> labels;
  for (const ExtraEvent& x : extras.events) {
    const char* p = base + at + x.at;
    const char* end = p + x.len;
    json::Event ev;
    const char* err = nullptr;
    bool trailing = false;
    if (json::parse_event(p, end, ev, &err, &trailing) != json::ParseStatus::Ok || !ev.ph.present()) {
      ++*bad;
      continue;
    }
    std::string ph = token_text(ev.ph);
    const Written pid_w(ev.pid), tid_w(ev.tid);
    if (!last.known || !(last.pid == pid_w) || (!ev.pid.present() && last.default_pid != x.pid)) {
      last.pid_s = b.intern(ev.pid.present() ? token_text(ev.pid) : std::to_string(x.pid));
      last.process = b.process(last.pid_s);
      last.pid = pid_w, last.default_pid = x.pid, last.known = true, last.thread_known = false;
    }
    const StrId pid_s = last.pid_s;
    const uint32_t process = last.process;
    // As the JSON reader: every modelled event is on a thread, the recording one where it names
    // none (as viztracer writes them: counters, objects and async events carry their tid too; a
    // thread with only those is a bare one, no track), but for events kept as text (P, v,
    // unknown phases).
    char c = ph.size() == 1 ? ph[0] : 0;
    const bool modelled = c && std::strchr("XBEiIRCbenSTFpstfNOD", c);
    // A modelled event without a valid "ts" (an X without a valid "dur") is counted and kept as
    // text, on no thread (none is made for it), as the JSON reader keeps it.
    Time ts = 0, dur = 0;
    const bool timed = ev.ts.present() && parse_us(ev.ts.sv(), origin_us, &ts) != NumStatus::NotNumber;
    const bool unplaced =
        (modelled && !timed) ||
        (c == 'X' && (!ev.dur.present() || parse_us(ev.dur.sv(), 0, &dur) == NumStatus::NotNumber || dur < 0));
    if (unplaced) {
      ++*unplaced_count;
      if (!timed) ts = 0;
    }
    uint32_t thread = kNone;
    if ((modelled || c == 'M') && !unplaced) {
      if (!last.thread_known || !(last.tid == tid_w) || (!ev.tid.present() && last.default_tid != x.tid)) {
        last.thread = b.thread(pid_s, b.intern(ev.tid.present() ? token_text(ev.tid) : std::to_string(x.tid)));
        last.tid = tid_w, last.default_tid = x.tid, last.thread_known = true;
      }
      thread = last.thread;
    }
    // As the JSON reader: a name or category that is not a string is a number's (or true's,
    // false's) text, or none.
    auto text_of = [&](const json::Tok& t) {
      return t.kind == 's' || (t.kind == 'n' && t.sv() != "null") ? b.intern(token_text(t)) : kNoStr;
    };
    auto name_of = [&] { return text_of(ev.name); };
    auto cat_of = [&] { return text_of(ev.cat); };
    // An event's label (with its colour, for slices and instants), looked up by how it is written.
    auto label_of = [&](uint8_t color) {
      auto [it, fresh] = labels.try_emplace(LabelKey{Written(ev.name), Written(ev.cat), color}, 0);
      if (fresh) it->second = b.label(name_of(), cat_of(), color);
      return it->second;
    };
    ByteRange args = range_of(ev.args, base);
    ByteRange raw{uint64_t(p - base), uint64_t(end - p)};
    // As the JSON reader keeps them: a slice's or instant's "cname" naming one of Chrome's
    // colours is its label's colour, and an event with fields its kind does not model keeps its
    // text whole for them (written back with the event).
    const bool object = c == 'N' || c == 'O' || c == 'D';
    const bool async = c && std::strchr("benSTFp", c);
    uint32_t allowed = c == 'X'                          ? json::kAllowX
                       : c == 'i' || c == 'I' || c == 'R' ? json::kAllowInstant
                       : c == 'C'                         ? json::id2_allowed(ev, json::kAllowCounter)
                       : object                           ? json::id2_allowed(ev, json::kAllowObject)
                       : async                            ? json::id2_allowed(ev, json::kAllowAsync)
                       : c == 's' || c == 't' || c == 'f' ? json::id2_allowed(ev, json::kAllowFlow)
                                                          : json::kBase;
    const uint8_t color = c == 'X' || c == 'B' || c == 'i' || c == 'I' || c == 'R'
                              ? json::reserved_color(ev, &allowed) : 0;
    // An async or object event's string "scope" is part of its identity (modelled).
    StrId scope = kNoStr;
    if ((object || async) && (ev.keys & json::kScope) && ev.scope.kind == 's') {
      scope = b.intern(token_text(ev.scope));
      allowed |= json::kScope;
    }
    const ByteRange extra = (ev.keys & ~allowed) ? raw : ByteRange{};
    if (async) {  // an end whole, as the JSON reader gives it (kept as it is if it stays unmatched)
      const bool end = c == 'e' || c == 'F';
      b.add_async(c, process, thread, cat_of(), id_of(b, ev), ts, label_of(0), args,
                  seq++, raw.offset, scope, end ? raw : extra, end, !extra.empty());
      ++added;
      continue;
    }
    // A slice's flow ends (bind_id, flow_in, flow_out on an X or a B), as the JSON reader keeps them.
    auto slice_flow = [&] {
      if (!(ev.keys & (json::kBindId | json::kFlowIn | json::kFlowOut))) return;
      const json::Tok& bind = ev.bind_id.present() ? ev.bind_id : ev.id;
      const uint8_t v2 = uint8_t((token_text(ev.flow_in) == "true" ? kFlowV2In : 0) |
                                 (token_text(ev.flow_out) == "true" ? kFlowV2Out : 0));
      b.add_flow(FlowEvent{ts, label_of(color), thread, bind.present() ? b.intern(token_text(bind)) : kNoStr,
                           'X', false, {}, {}, v2});
    };
    // An event the model has no place for, kept as it is (on no thread, as the JSON reader
    // keeps it: no track is made for it).
    auto keep_as_text = [&] {
      b.add_other(OtherEvent{ts, kNone, b.intern(ph), label_of(0), raw});
      if (timed) b.note_time(ts);
    };
    switch (unplaced ? '\0' : c) {
      case 'X':
        b.add_complete(thread, ts, dur, label_of(color), args, extra);
        slice_flow();
        break;
      case 'B':
        b.add_begin(thread, ts, label_of(color), args, extra, seq++, raw.offset);
        slice_flow();
        break;
      case 'E':  // its text is kept: written back if it stays unmatched, or with its slice's
        b.add_end(thread, ts, args, raw, seq++, raw.offset, (ev.keys & ~json::kBase) != 0);
        break;
      case 's':
      case 't':
      case 'f': {
        const bool enclosing = ev.bp.kind == 's' && ev.bp.sv() == "e";
        b.add_flow(FlowEvent{ts, label_of(0), thread, id_of(b, ev), c, enclosing, args, extra, 0});
        break;
      }
      case 'i':
      case 'I':
      case 'R': {
        Instant in;
        in.ts = ts;
        in.label = label_of(color);
        in.extra = extra;
        in.thread = thread;
        in.phase = c;
        std::string s = ev.s.present() ? token_text(ev.s) : "t";
        in.scope = s == "g" ? vz::Scope::Global : s == "p" ? vz::Scope::Process : vz::Scope::Thread;
        in.args = args;
        b.add_instant(in);
        break;
      }
      case 'C': {
        std::vector<std::pair<StrId, double>> values;
        bool refused = false;
        json::for_each_member(ev.args, [&](std::string_view key, const json::Tok& v) {
          double d;
          if (!json::counter_value(v, &d)) {  // as the reader takes one
            refused = true;
            return;
          }
          std::string decoded;  // a key with escapes is its text (the writer escapes it again)
          if (key.find('\\') != std::string_view::npos && unescape_json(key, decoded)) key = decoded;
          values.push_back({b.intern(key), d});
        });
        if (values.empty() && refused) {  // values, but no number to show: kept as given
          ++*unplaced_count;
          keep_as_text();
          break;
        }
        b.add_counter_sample(process, name_of(), cat_of(), ts, thread,
                             values.data(), values.size(), raw.offset,
                             id_of(b, ev), extra);
        break;
      }
      case 'N':
      case 'O':
      case 'D': {  // (with a scope: see above)
        ObjectEvent o;
        o.ts = ts;
        o.label = label_of(0);
        o.process = process;
        o.thread = thread;
        o.id = id_of(b, ev);
        o.phase = c;
        o.args = args;
        o.scope = scope;
        o.extra = extra;
        b.add_object(o);
        break;
      }
      case 'M': {  // as the JSON reader: names, labels and sort indexes; other ones kept as text
        json::Tok value;
        int64_t index = 0;
        const std::string what = token_text(ev.name);
        const bool named = what == "thread_name" || what == "process_name" || what == "process_labels";
        const bool sorted = what == "thread_sort_index" || what == "process_sort_index";
        if (named) {
          if (!json::find_member(ev.args, what == "process_labels" ? "labels" : "name", &value) ||
              value.kind != 's') {
            ++*unplaced_count;  // not applied: kept as it is
            keep_as_text();
            break;
          }
          const StrId v = b.intern(token_text(value));
          if (what == "thread_name") b.set_thread_name(thread, v);
          else if (what == "process_name") b.set_process_name(process, v);
          else b.set_process_labels(process, v);
          break;
        }
        if (sorted) {
          if (!json::find_member(ev.args, "sort_index", &value) || !parse_int64(value.sv(), &index)) {
            ++*unplaced_count;
            keep_as_text();
            break;
          }
          if (what == "thread_sort_index") b.set_thread_sort_index(thread, index);
          else b.set_process_sort_index(process, index);
          break;
        }
        [[fallthrough]];
      }
      default:
        keep_as_text();
    }
    ++added;
  }
  return added;
}

std::vector<AddedThreads> add_traces(TraceBuilder& b, int64_t origin_us, std::string& source,
                                     uint64_t* events) {
  std::vector<AddedThreads> added;
  for (const auto& [src, back_ns] : registry().traces) {
    const uint64_t base = source.size();
    if (src->source) source.append(src->source->data(), src->source->size());
    // Its time t is origin_us * 1000 + t ns on the clock: t + shift on this session's.
    const __int128 shift = (__int128(src->origin_us) - origin_us) * 1000 - back_ns;
    // Aligned, its events move back by back_ns: its verbatim events' texts are rewritten.
    added.push_back(add_trace_events(
        b, *src, Time(std::clamp<__int128>(shift, -2 * kMaxAbsTime, 2 * kMaxAbsTime)), base, -back_ns, &source));
    *events += src->events;
  }
  return added;
}

void add_trace_counts(Trace& out, const std::vector<AddedThreads>& added) {
  const auto& traces = registry().traces;
  for (size_t i = 0; i < traces.size() && i < added.size(); ++i)
    add_unmatched_counts(out, *traces[i].first, added[i]);
}

}  // namespace vz::rec::internal

namespace vz::rec {

int64_t add_trace_file(const std::string& path, bool align, std::string* file_info, std::string* error) {
  using namespace internal;
  if (file_info) file_info->clear();
  if (error) error->clear();
  LoadResult res = load_file(path);
  if (!res.ok) {
    if (error) *error = res.error.empty() ? "cannot read the trace" : res.error;
    return -1;
  }
  std::shared_ptr<const Trace> t(std::move(res.trace));
  // Loaded, maybe with problems (a truncated file loads up to its cut): said, one per kind.
  if (error)
    for (DiagKind k : t->diagnostics.problems()) *error += (error->empty() ? "" : "; ") + t->diagnostics.problem_line(k);
  // Its viztracer_metadata: the sync marker (us) to align to, and what it lost (a trace that
  // overflowed makes the one it is added to say so too).
  int64_t sync_ns = 0;
  bool synced = false;
  uint64_t lost = 0;
  for (const MetadataEntry& m : t->metadata) {
    if (t->str(m.key) != "viztracer_metadata") continue;
    const std::string_view v = t->view(m.value);
    json::Tok obj, member;
    const char* err = nullptr;
    if (!json::parse_value(v.data(), v.data() + v.size(), &obj, &err) || obj.kind != '{') continue;
    if (json::find_member(obj, "sync_marker", &member) && member.kind == 'n')
      synced = parse_us(member.sv(), 0, &sync_ns) == NumStatus::Ok;
    if (json::find_member(obj, "overflow", &member) && member.sv() == "true") {
      // (records the rings lost, slices max_slices and events max_added left out)
      for (const char* key : {"lost_records", "lost_slices", "lost_added"}) {
        int64_t n = 0;
        if (json::find_member(obj, key, &member) && parse_int64(member.sv(), &n) && n > 0) lost += uint64_t(n);
      }
      lost = std::max<uint64_t>(lost, 1);
    }
  }
  int64_t back_ns = 0;  // how far its times move back: to its sync marker, else to its first event
  if (align)
    back_ns = synced ? sync_ns : int64_t(std::clamp<__int128>(__int128(t->origin_us) * 1000 + t->start, INT64_MIN, INT64_MAX));
  if (file_info)
    for (const MetadataEntry& m : t->metadata)
      if (t->str(m.key) == "file_info") *file_info = std::string(t->view(m.value));
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.streamed()) {
    if (error) *error = "a streamed session has no place for a whole trace (save() writes none)";
    return -1;
  }
  r.traces.emplace_back(t, back_ns);
  r.noted_lost += lost;
  return int64_t(t->events);
}

}  // namespace vz::rec
