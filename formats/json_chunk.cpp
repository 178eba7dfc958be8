#include "formats/json_chunk.h"

#include <cstring>

#include "formats/numbers.h"

namespace vz::json {

// ---------------------------------------------------------------------------------------------
// LocalTable
// ---------------------------------------------------------------------------------------------

namespace {

inline uint64_t load_partial(const char* p, uint32_t n) {
  uint64_t v = 0;
  if (n) std::memcpy(&v, p, n < 8 ? n : 8);
  return v;
}

inline uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

// Hashes the first and last 16 bytes and the length: names differ at one end or the other.
inline uint64_t hash_raw(const RawStr& s) {
  uint64_t h = s.len * 0x9e3779b97f4a7c15ull;
  if (s.len <= 16) {
    h ^= load_partial(s.p, s.len) * 0x100000001b3ull;
    if (s.len > 8) h ^= mix(load_partial(s.p + 8, s.len - 8));
  } else {
    uint64_t a, b, c, d;
    std::memcpy(&a, s.p, 8);
    std::memcpy(&b, s.p + 8, 8);
    std::memcpy(&c, s.p + s.len - 16, 8);
    std::memcpy(&d, s.p + s.len - 8, 8);
    h ^= mix(a ^ mix(b)) + mix(c ^ (d * 0x9e3779b97f4a7c15ull));
  }
  return mix(h);
}

}  // namespace

namespace {
constexpr uint64_t kEmpty = ~uint64_t(0);

// Word-wise comparison of n bytes; both sides have a word of readable slack past n.
inline bool same_bytes_words(const char* x, const char* y, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t u, v;
    std::memcpy(&u, x + i, 8);
    std::memcpy(&v, y + i, 8);
    if (u != v) return false;
  }
  if (i == n) return true;
  uint64_t u, v;
  std::memcpy(&u, x + i, 8);
  std::memcpy(&v, y + i, 8);
  return ((u ^ v) & (~uint64_t(0) >> (64 - 8 * (n - i)))) == 0;
}
}  // namespace

void LocalTable::grow() {
  size_t cap = slots_.empty() ? 64 : slots_.size() * 2;
  slots_.assign(cap, kEmpty);
  for (uint32_t id = 0; id < keys_.size(); ++id) {
    size_t i = hashes_[id] & (cap - 1);
    while (slots_[i] != kEmpty) i = (i + 1) & (cap - 1);
    slots_[i] = (hashes_[id] >> 32 << 32) | id;
  }
}

bool LocalTable::equal(uint32_t id, const RawStr& a, const RawStr& b) const {
  const auto& [ka, kb] = keys_[id];
  if (ka.len != a.len || kb.len != b.len || ka.escaped != a.escaped || kb.escaped != b.escaped) return false;
  const char* c = arena_.data() + copy_at_[id];
  return (a.len == 0 || same_bytes_words(c, a.p, a.len)) && (b.len == 0 || same_bytes_words(c + a.len, b.p, b.len));
}

uint32_t LocalTable::get(const RawStr& a, const RawStr& b, uint8_t tag) {
  if (keys_.size() * 2 >= slots_.size()) grow();
  uint64_t h = hash_raw(a) ^ (hash_raw(b) * 31) ^ (uint64_t(tag) << 40);
  const uint64_t hash_tag = h >> 32 << 32;
  size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == kEmpty) {
      uint32_t id = uint32_t(keys_.size());
      keys_.push_back({a, b});
      tags_.push_back(tag);
      hashes_.push_back(h);
      size_t at = arena_.empty() ? 0 : arena_.size() - 8;
      copy_at_.push_back(uint32_t(at));
      arena_.resize(at + a.len + b.len + 8);
      if (a.len) std::memcpy(arena_.data() + at, a.p, a.len);
      if (b.len) std::memcpy(arena_.data() + at + a.len, b.p, b.len);
      slots_[i] = hash_tag | id;
      return id;
    }
    if ((slot & ~uint64_t(0xffffffffu)) == hash_tag && tags_[uint32_t(slot)] == tag && equal(uint32_t(slot), a, b))
      return uint32_t(slot);
  }
}

// ---------------------------------------------------------------------------------------------
// Event ingest
// ---------------------------------------------------------------------------------------------

namespace {

// Markers that tell ids from other strings in the local string table; each is padded to a word
// because `same` compares whole words.
alignas(8) constexpr char kMarkers[32] = "i\0\0\0\0\0\0\0l\0\0\0\0\0\0\0g\0\0\0\0\0\0";
RawStr marker(char kind, bool is_string) {
  return RawStr{kMarkers + (kind == 'i' ? 0 : kind == 'l' ? 8 : 16), 1, is_string};
}

// Absent tokens (kind 0) hold stale pointers: always go through these two.
RawStr raw(const Tok& t) { return t.kind ? RawStr{t.p, t.len, t.escaped} : RawStr{}; }
std::string_view text(const Tok& t) { return t.kind ? t.sv() : std::string_view(); }

// Both point into the input (readable past its end): compared a word at a time, no call.
inline bool same_bytes(const char* a, uint32_t al, const char* b, uint32_t bl) {
  return al == bl && same_bytes_words(a, b, al);
}

struct Ingest {
  Ingest(const ChunkContext& c, ChunkResult& res) : ctx(c), r(res) {}
  const ChunkContext& ctx;
  ChunkResult& r;
  // Last thread looked up (events of one thread cluster together).
  const char* last_pid = nullptr;
  const char* last_tid = nullptr;
  uint32_t last_pid_len = 0, last_tid_len = 0, last_thread = 0;
  char last_pid_kind = 0, last_tid_kind = 0;
  std::unordered_map<std::string, uint32_t> thread_map;

  uint64_t offset(const char* p) const { return uint64_t(p - ctx.base); }
  ByteRange range(const Tok& t) const {
    if (t.kind == '{' || t.kind == '[') return ByteRange{offset(t.p), t.len};
    if (t.kind == 's') return ByteRange{offset(t.p - 1), uint64_t(t.len) + 2};
    if (t.kind == 'n') return ByteRange{offset(t.p), t.len};
    return {};
  }
  ByteRange whole(const Event& ev) const { return ByteRange{offset(ev.begin), uint64_t(ev.end - ev.begin)}; }

  uint32_t thread(const Event& ev) {
    const Tok pid = ev.pid.kind ? ev.pid : Tok();
    const Tok tid = ev.tid.kind ? ev.tid : Tok();
    if (!r.threads.empty() && pid.kind == last_pid_kind && tid.kind == last_tid_kind &&
        same_bytes(pid.p, pid.len, last_pid, last_pid_len) &&
        same_bytes(tid.p, tid.len, last_tid, last_tid_len))
      return last_thread;
    std::string key;
    key.reserve(pid.len + tid.len + 4);
    key.push_back(pid.kind);
    key.append(pid.p ? pid.p : "", pid.len);
    key.push_back('\0');
    key.push_back(tid.kind);
    key.append(tid.p ? tid.p : "", tid.len);
    auto [it, added] = thread_map.emplace(std::move(key), uint32_t(r.threads.size()));
    if (added) {
      LocalThread t;
      t.pid = pid;
      t.tid = tid;
      r.threads.push_back(std::move(t));
    }
    last_pid = pid.p;
    last_tid = tid.p;
    last_pid_kind = pid.kind;
    last_tid_kind = tid.kind;
    last_pid_len = pid.len;
    last_tid_len = tid.len;
    last_thread = it->second;
    return it->second;
  }

  uint32_t label(const Event& ev, uint8_t color = 0) { return r.labels.get(raw(ev.name), raw(ev.cat), color); }


  // Parses a time field; records a diagnostic and returns false when invalid.
  bool time(const Tok& t, int64_t origin, Time* out, const Event& ev) {
    if (t.kind != 'n' && t.kind != 's') {
      if (t.kind == 0) r.diag.add(DiagKind::MissingTimestamp, offset(ev.begin));
      else r.diag.add(DiagKind::BadFieldType, offset(t.p), "timestamp is not a number");
      return false;
    }
    NumStatus st = parse_us(t.sv(), origin, out);
    if (st == NumStatus::NotNumber) {
      r.diag.add(DiagKind::BadFieldType, offset(t.p), "timestamp is not a number");
      return false;
    }
    if (st == NumStatus::OutOfRange) r.diag.add(DiagKind::TimestampOutOfRange, offset(t.p));
    return true;
  }

  ByteRange extra_if(const Event& ev, uint32_t allowed) const {
    return (ev.keys & ~allowed) ? whole(ev) : ByteRange{};
  }

  // Async and object events: a string "scope" is part of their identity (modelled); any other
  // "scope" stays in the event's raw range with the fields the model does not name.
  void scoped(const Event& ev, Misc& m, uint32_t allowed) {
    if ((ev.keys & kScope) && ev.scope.kind == 's') {
      m.scope_str = r.strings.get(raw(ev.scope));
      allowed |= kScope;
    }
    m.extra = extra_if(ev, allowed);
  }

  uint32_t id_of(const Event& ev) {
    if (ev.id.present()) return r.strings.get(raw(ev.id), marker('i', ev.id.kind == 's'));
    if (ev.id2.kind == '{') {
      Tok v;
      if (find_member(ev.id2, "local", &v)) return r.strings.get(raw(v), marker('l', v.kind == 's'));
      if (find_member(ev.id2, "global", &v)) return r.strings.get(raw(v), marker('g', v.kind == 's'));
    }
    return 0xffffffffu;
  }

  // An event the model cannot place (no valid time, an X without a valid duration) is kept
  // verbatim with the others, after its diagnostic: a written trace still has it.
  void complete(const Event& ev) {
    Time ts, dur;
    if (!time(ev.ts, ctx.origin_us, &ts, ev)) return other(ev, false);
    if (!ev.dur.present() || parse_us(ev.dur.sv(), 0, &dur) == NumStatus::NotNumber || dur < 0 ||
        (ev.dur.kind != 'n' && ev.dur.kind != 's')) {
      r.diag.add(DiagKind::MissingDuration, offset(ev.begin));
      return other(ev, false);
    }
    if (dur > kMaxAbsTime - ts) {  // the end must stay in range too (one report per event)
      if (ts != kMaxAbsTime) r.diag.add(DiagKind::TimestampOutOfRange, offset(ev.dur.p), "duration clamped");
      dur = kMaxAbsTime - ts;
    }
    uint32_t th = thread(ev);
    LocalThread& t = r.threads[th];
    uint32_t idx = uint32_t(t.slices.size());
    uint8_t flags = 0;
    if (ev.args.present()) {
      flags |= kSliceHasArgs;
      t.args.push_back({idx, range(ev.args)});
    }
    uint32_t allowed = kAllowX;
    const uint8_t col = reserved_color(ev, &allowed);
    ByteRange ex = extra_if(ev, allowed);
    if (!ex.empty()) {
      flags |= kSliceHasExtra;
      t.extras.push_back({idx, ex});
    }
    t.slices.push_back(RawSlice{ts, dur, label(ev, col), flags});
    t.offsets.push_back(offset(ev.begin));
    slice_flow(ev, ts, col);
  }

  // A slice's flow ends (bind_id, flow_in, flow_out on an X or a B event): a FlowEvent 'X' at the
  // slice's start, which the viewer binds to the slice starting there. The fields themselves
  // stay with the event's extra fields, which the JSON writer writes back.
  void slice_flow(const Event& ev, Time ts, uint8_t col) {
    if (!(ev.keys & (kBindId | kFlowIn | kFlowOut))) return;
    Misc m = base(ev, 'X', ts, col);
    const Tok& b = ev.bind_id.present() ? ev.bind_id : ev.id;
    if (b.present()) m.id = r.strings.get(raw(b), marker('i', b.kind == 's'));
    m.kind = char((text(ev.flow_in) == "true" ? 1 : 0) | (text(ev.flow_out) == "true" ? 2 : 0));
    r.misc.push_back(m);
  }

  Misc base(const Event& ev, char ph, Time ts, uint8_t color = 0) {
    Misc m;
    m.ph = ph;
    m.ts = ts;
    m.offset = offset(ev.begin);
    m.thread = thread(ev);
    m.label = label(ev, color);
    if (ev.args.present()) m.args = range(ev.args);
    return m;
  }

  void counter(const Event& ev, Time ts) {
    Misc m = base(ev, 'C', ts);
    m.extra = extra_if(ev, id2_allowed(ev, kAllowCounter));
    m.id = id_of(ev);  // "id", or "id2" (as the JSON writer writes a local/global one back)
    m.aux = uint32_t(r.values.size());
    bool refused = false;
    for_each_member(ev.args, [&](std::string_view key, const Tok& v) {
      double d;
      if (!counter_value(v, &d)) {
        r.diag.add(DiagKind::BadCounterValue, offset(v.p ? v.p : ev.begin), std::string(key));
        refused = true;
        return;
      }
      bool esc = key.find('\\') != std::string_view::npos;
      r.values.push_back({r.strings.get(RawStr{key.data(), uint32_t(key.size()), esc}), d});
    });
    m.naux = uint32_t(r.values.size() - m.aux);
    // Values but no number among them ({"state":"idle"}: viztracer writes it as given): kept as it
    // is. (No values at all, "args":{}, is a sample with none: a gap in every series.)
    if (m.naux == 0 && refused) return other(ev, false);
    r.misc.push_back(m);
  }

  void metadata(const Event& ev) {
    std::string_view n = text(ev.name);
    Misc m = base(ev, 'M', 0);
    Tok v;
    if (n == "process_name" || n == "thread_name" || n == "process_labels") {
      m.kind = n[0] == 't' ? 't' : (n == "process_name" ? 'p' : 'l');
      const char* key = m.kind == 'l' ? "labels" : "name";
      if (!find_member(ev.args, key, &v) || v.kind != 's') {
        r.diag.add(DiagKind::BadMetadata, offset(ev.begin), std::string(n) + " without a string");
        return other(ev, false);  // not applied, kept as it is
      }
      m.id = r.strings.get(raw(v));
    } else if (n == "process_sort_index" || n == "thread_sort_index") {
      m.kind = n[0] == 't' ? 'T' : 'P';
      if (!find_member(ev.args, "sort_index", &v) || !parse_int64(v.sv(), &m.ival)) {
        r.diag.add(DiagKind::BadMetadata, offset(ev.begin), std::string(n) + " without an integer");
        return other(ev, false);
      }
    } else {
      other(ev, false);
      return;
    }
    m.extra = extra_if(ev, kBase);
    r.misc.push_back(m);
  }

  void other(const Event& ev, bool unknown) {
    Time ts = 0;
    bool has_ts = ev.ts.present() && parse_us(ev.ts.sv(), ctx.origin_us, &ts) != NumStatus::NotNumber;
    if (!has_ts) ts = 0;
    Misc m = base(ev, 'o', ts);
    m.naux = has_ts && !(ev.ph.len == 1 && ev.ph.p[0] == 'M');  // extends the trace's time span
    m.extra = whole(ev);
    m.id = r.strings.get(raw(ev.ph));
    r.misc.push_back(m);
    if (unknown)
      r.diag.add(DiagKind::UnknownPhase, offset(ev.begin), "\"" + std::string(ev.ph.sv().substr(0, 40)) + "\"");
  }

  // A number or true/false is read as its text, null or anything else as no name (Python writes
  // None as null): the event itself is kept, as Chrome keeps it. (Out of event()'s hot path.)
  __attribute__((noinline, cold)) void names_fixed(const Event& ev) {
    r.diag.add(DiagKind::BadFieldType, offset(ev.begin),
               "\"name\"/\"cat\" is not a string; a number is read as its text, null as no name");
    Event fixed = ev;
    for (Tok* t : {&fixed.name, &fixed.cat}) {
      if (!t->present() || t->kind == 's') continue;
      if (t->kind == 'n' && t->sv() != "null") t->kind = 's', t->escaped = false;
      else *t = Tok{};
    }
    of_phase(fixed);
  }

  void event(const Event& ev) {
    r.events++;
    if (ev.ph.kind != 's') {
      if (!ev.ph.present()) r.diag.add(DiagKind::MissingPhase, offset(ev.begin));
      else r.diag.add(DiagKind::BadFieldType, offset(ev.ph.p), "\"ph\" is not a string");
      return;
    }
    if ((ev.name.present() && ev.name.kind != 's') || (ev.cat.present() && ev.cat.kind != 's')) [[unlikely]]
      return names_fixed(ev);
    of_phase(ev);
  }

  // An event by its phase (inlined in both callers: event() stays in parse_chunk's loop).
  __attribute__((always_inline)) void of_phase(const Event& ev) {
    char ph = ev.ph.len == 1 ? ev.ph.p[0] : '?';
    if (ph == 'X') return complete(ev);
    if (ph == 'M') return metadata(ev);
    if (ph == 'P' || ph == 'v' || ph == 'V' || ph == 'c' || ph == '(' || ph == ')')
      return other(ev, false);
    if (!strchr("BEiIRCbenSTFpstfNOD", ph) || ph == 0) return other(ev, true);
    Time ts;
    if (!time(ev.ts, ctx.origin_us, &ts, ev)) return other(ev, false);
    uint32_t allowed = ph == 'B' ? kBase : (ph == 'i' || ph == 'I' || ph == 'R') ? kAllowInstant : 0;
    const uint8_t col = allowed ? reserved_color(ev, &allowed) : 0;
    Misc m = base(ev, ph, ts, col);
    switch (ph) {
      case 'B': m.extra = extra_if(ev, allowed); break;
      case 'E':  // kept verbatim if it stays unmatched, or with its slice when it has fields
        m.extra = whole(ev);
        if (ev.keys & ~kBase) m.kind = 'f';
        break;
      case 'i': case 'I': case 'R':
        m.extra = extra_if(ev, allowed);
        if (ev.s.kind == 's' && ev.s.len == 1 && (ev.s.p[0] == 'g' || ev.s.p[0] == 'p'))
          m.scope = ev.s.p[0];
        break;
      case 'C': return counter(ev, ts);
      case 's': case 't': case 'f':
        m.extra = extra_if(ev, id2_allowed(ev, kAllowFlow));
        m.id = id_of(ev);
        m.bp_e = ev.bp.kind == 's' && ev.bp.len == 1 && ev.bp.p[0] == 'e';
        break;
      case 'N': case 'O': case 'D':
        scoped(ev, m, id2_allowed(ev, kAllowObject));
        m.id = id_of(ev);
        break;
      default:  // async b e n S T F p
        scoped(ev, m, id2_allowed(ev, kAllowAsync));
        if (ph == 'e' || ph == 'F') {  // kept whole: an end left unmatched is written back as it is
          m.kind = m.extra.empty() ? 0 : 'f';
          m.extra = whole(ev);
        }
        m.id = id_of(ev);
        r.async_pairs += ph == 'b' || ph == 'e' || ph == 'S' || ph == 'F';
        break;
    }
    r.misc.push_back(m);
    if (ph == 'B') slice_flow(ev, ts, col);
  }
};

}  // namespace

const char* resync(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p == ']') {
      // The end of traceEvents only if what follows looks like the end of the document or the
      // next top-level member; a ']' inside the broken event's args is skipped.
      const char* q = skip_ws(p + 1, end);
      if (q >= end) return p;
      if (*q == '}' && skip_ws(q + 1, end) >= end) return p;
      if (*q == ',') {
        const char* k = skip_ws(q + 1, end);
        if (k < end && *k == '"') return p;
      }
      continue;
    }
    if (*p != ',' && *p != '\n') continue;
    const char* q = skip_ws(p + 1, end);
    if (q < end && *q == '{') return q;
  }
  return end;
}

void parse_chunk(const ChunkContext& ctx, const char* p, const char* limit, ChunkResult& r) {
  Ingest in{ctx, r};
  // Room for events other than X at one per 64 bytes of the chunk (traces of B/E or async
  // events have about that many; the pages of room not used are never touched): growing the
  // array by doubling copies it and touches twice the memory.
  if (limit > p) r.misc.reserve(size_t(limit - p) / 64);
  const char* end = ctx.end;
  bool after_comma = false;
  Event ev;
  for (;;) {
    p = skip_ws(p, end);
    if (p >= end) {
      r.hit_eof = true;
      r.stop = end;
      return;
    }
    if (p >= limit && *p != ']') {
      r.stop = p;
      return;
    }
    char c = *p;
    if (c == ',') {
      if (after_comma) r.diag.add(DiagKind::TrailingComma, in.offset(p), "empty element");
      after_comma = true;
      ++p;
      continue;
    }
    if (c == ']') {
      if (after_comma && r.events) r.diag.add(DiagKind::TrailingComma, in.offset(p));
      r.array_end = p;
      r.stop = p;
      return;
    }
    after_comma = false;
    const char* err = nullptr;
    if (c != '{') {
      Tok t;
      const char* q = parse_value(p, end, &t, &err);
      r.diag.add(DiagKind::NotAnObject, in.offset(p));
      p = q ? q : resync(p + 1, end);
      continue;
    }
    bool trailing = false;
    __builtin_prefetch(p + 4096);  // the input is read once, front to back
    ParseStatus st = parse_event(p, end, ev, &err, &trailing);
    if (st == ParseStatus::Ok) {
      if (trailing) r.diag.add(DiagKind::TrailingComma, in.offset(ev.end - 1));
      in.event(ev);
      p = ev.end;
    } else if (st == ParseStatus::Truncated) {
      r.diag.add(DiagKind::TruncatedInput, in.offset(p), "last event is incomplete");
      r.hit_eof = true;
      r.stop = end;
      return;
    } else {
      r.diag.add(DiagKind::MalformedEvent, in.offset(p),
                 "syntax error at byte " + std::to_string(in.offset(err)));
      p = resync(err, end);
    }
  }
}

const char* find_event_boundary(const char* p, const char* limit) {
  for (; p < limit; ++p) {
    p = static_cast<const char*>(std::memchr(p, '{', size_t(limit - p)));
    if (!p) return limit;
    const char* q = p;  // the caller guarantees a '[' somewhere before p
    do --q; while (is_ws(*q));
    if (*q != ',') continue;
    do --q; while (is_ws(*q));
    if (*q != '}') continue;
    const char* n = p + 1;
    while (n < limit && is_ws(*n)) ++n;
    if (n < limit && *n == '"') return p;
  }
  return limit;
}

}  // namespace vz::json
