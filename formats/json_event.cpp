#include "formats/json_event.h"

#include <bit>
#include <cstring>
#include <limits>

#include "formats/model.h"
#include "formats/numbers.h"

namespace vz::json {

namespace {

// Maps a key to its slot; returns kOther for keys the model does not name.
inline uint32_t key_slot(std::string_view k, Event& ev, Tok** slot) {
  switch (k.size()) {
    case 1:
      if (k[0] == 's') { *slot = &ev.s; return kS; }
      break;
    case 2:
      if (k == "ph") { *slot = &ev.ph; return kPh; }
      if (k == "ts") { *slot = &ev.ts; return kTs; }
      if (k == "id") { *slot = &ev.id; return kId; }
      if (k == "bp") { *slot = &ev.bp; return kBp; }
      break;
    case 3:
      if (k == "cat") { *slot = &ev.cat; return kCat; }
      if (k == "dur") { *slot = &ev.dur; return kDur; }
      if (k == "pid") { *slot = &ev.pid; return kPid; }
      if (k == "tid") { *slot = &ev.tid; return kTid; }
      if (k == "id2") { *slot = &ev.id2; return kId2; }
      break;
    case 4:
      if (k == "name") { *slot = &ev.name; return kName; }
      if (k == "args") { *slot = &ev.args; return kArgs; }
      break;
    case 5:
      if (k == "scope") { *slot = &ev.scope; return kScope; }
      if (k == "cname") { *slot = &ev.cname; return kCname; }
      break;
    case 7:
      if (k == "bind_id") { *slot = &ev.bind_id; return kBindId; }
      if (k == "flow_in") { *slot = &ev.flow_in; return kFlowIn; }
      break;
    case 8:
      if (k == "flow_out") { *slot = &ev.flow_out; return kFlowOut; }
      break;
  }
  *slot = nullptr;
  return kOther;
}

// The common keys read whole: at `p` (a quote), the key, its closing quote and a colon right
// after it, tested as one little-endian word against each candidate of the key's first letter.
// Returns the position after the colon (and sets *bit, *slot), or nullptr to take the general
// path (another key, an escape, spaces before the colon, or fewer than 8 bytes left).
inline const char* known_key(const char* p, const char* end, Event& ev, uint32_t* bit, Tok** slot) {
  static_assert(std::endian::native == std::endian::little, "known_key reads keys as little-endian words");
  if (end - p < 8) return nullptr;
  uint64_t w;
  std::memcpy(&w, p, 8);
  constexpr auto word = [](const char (&k)[9]) {
    uint64_t x = 0;
    for (int i = 7; i >= 0; --i) x = x << 8 | uint8_t(k[i]);
    return x;
  };
  constexpr uint64_t m5 = 0xffffffffffull, m6 = 0xffffffffffffull, m7 = 0xffffffffffffffull;
  auto hit = [&](uint64_t mask, uint64_t want, uint32_t b, Tok* t, int len) -> const char* {
    if ((w & mask) != want) return nullptr;
    *bit = b, *slot = t;
    return p + len;
  };
  switch (p[1]) {
    case 'p':
      if (const char* q = hit(m6, word("\"pid\":\0\0"), kPid, &ev.pid, 6)) return q;
      return hit(m5, word("\"ph\":\0\0\0"), kPh, &ev.ph, 5);
    case 't':
      if (const char* q = hit(m5, word("\"ts\":\0\0\0"), kTs, &ev.ts, 5)) return q;
      return hit(m6, word("\"tid\":\0\0"), kTid, &ev.tid, 6);
    case 'd': return hit(m6, word("\"dur\":\0\0"), kDur, &ev.dur, 6);
    case 'n': return hit(m7, word("\"name\":\0"), kName, &ev.name, 7);
    case 'c': return hit(m6, word("\"cat\":\0\0"), kCat, &ev.cat, 6);
    case 'a': return hit(m7, word("\"args\":\0"), kArgs, &ev.args, 7);
    case 'i': return hit(m5, word("\"id\":\0\0\0"), kId, &ev.id, 5);
  }
  return nullptr;
}

}  // namespace

ParseStatus parse_event(const char* p, const char* end, Event& ev, const char** err_at,
                        bool* trailing_comma) {
  // Reset only what marks presence: zeroing the whole struct per event is measurable.
  for (Tok* t : {&ev.ph, &ev.name, &ev.cat, &ev.ts, &ev.dur, &ev.pid, &ev.tid, &ev.args, &ev.id,
                 &ev.id2, &ev.s, &ev.bp, &ev.bind_id, &ev.flow_in, &ev.flow_out})
    t->kind = 0;
  ev.keys = 0;
  ev.begin = p;
  ++p;  // '{'
  bool after_comma = false;
  for (;;) {
    p = skip_ws(p, end);
    if (p >= end) {
      *err_at = end;
      return ParseStatus::Truncated;
    }
    char c = *p;
    if (c == '}') {
      if (after_comma) *trailing_comma = true;
      ev.end = p + 1;
      return ParseStatus::Ok;
    }
    if (c != '"') {
      *err_at = p;
      return ParseStatus::Malformed;
    }
    uint32_t bit;
    Tok* slot;
    if (const char* after = known_key(p, end, ev, &bit, &slot)) {
      p = skip_ws(after, end);
    } else {
      bool esc = false;
      const char* q = scan_short_string(p + 1, end, &esc);
      if (q >= end) {
        *err_at = end;
        return ParseStatus::Truncated;
      }
      std::string_view key(p + 1, size_t(q - p - 1));
      p = skip_ws(q + 1, end);
      if (p >= end) {
        *err_at = end;
        return ParseStatus::Truncated;
      }
      if (*p != ':') {
        *err_at = p;
        return ParseStatus::Malformed;
      }
      p = skip_ws(p + 1, end);
      if (esc) {  // "p\u0069d" is "pid" (rare: no producer writes it)
        std::string plain;
        bit = unescape_json(key, plain) ? key_slot(plain, ev, &slot) : uint32_t(kOther);
      } else {
        bit = key_slot(key, ev, &slot);
      }
    }
    Tok tmp;
    const char* v = parse_value(p, end, bit == kOther ? &tmp : slot, err_at);
    if (!v) return *err_at >= end ? ParseStatus::Truncated : ParseStatus::Malformed;
    ev.keys |= bit;
    p = skip_ws(v, end);
    if (p >= end) {
      *err_at = end;
      return ParseStatus::Truncated;
    }
    if (*p == ',') {
      ++p;
      after_comma = true;
    } else if (*p != '}') {
      *err_at = p;
      return ParseStatus::Malformed;
    } else {
      after_comma = false;
    }
  }
}

uint8_t reserved_color(const Event& ev, uint32_t* allowed) {
  if (!(ev.keys & kCname) || ev.cname.kind != 's' || ev.cname.escaped) return 0;
  const uint8_t c = chrome_color(ev.cname.sv());
  if (c) *allowed |= kCname;
  return c;
}

bool find_member(const Tok& obj, std::string_view key, Tok* out) {
  bool found = false;
  for_each_member(obj, [&](std::string_view k, const Tok& v) {
    if (k == key) {
      *out = v;
      found = true;
    }
  });
  return found;
}

size_t append_members_except(std::string& out, std::string_view event,
                             std::initializer_list<std::string_view> skip, std::string_view also) {
  if (event.empty() || event[0] != '{') return 0;
  size_t n = 0;
  Tok obj{event.data(), uint32_t(event.size()), '{', false};
  std::string plain;
  for_each_member(obj, [&](std::string_view key, const Tok& val) {
    std::string_view name = key;  // as parse_event names it: "p\u0069d" is "pid"
    if (key.find('\\') != std::string_view::npos && unescape_json(key, plain)) name = plain;
    for (std::string_view k : skip)
      if (name == k) return;
    if (!also.empty() && name == also) return;
    out += ',';
    append_strict_string(out, key);
    out += ':';
    if (val.kind == 's') append_strict_string(out, val.sv());
    else append_strict_json(out, val.sv());  // (Python's NaN as a string, no trailing comma, ...)
    ++n;
  });
  return n;
}

std::initializer_list<std::string_view> id_event_keys(bool scoped, bool id2, bool flow) {
  static const std::initializer_list<std::string_view> l0 = {VZ_ID_EVENT_KEYS_NO_ID2};
  static const std::initializer_list<std::string_view> l1 = {VZ_ID_EVENT_KEYS_NO_ID2, "scope"};
  static const std::initializer_list<std::string_view> l2 = {VZ_ID_EVENT_KEYS};
  static const std::initializer_list<std::string_view> l3 = {VZ_ID_EVENT_KEYS, "scope"};
  static const std::initializer_list<std::string_view> l4 = {VZ_ID_EVENT_KEYS_NO_ID2, "bp"};
  static const std::initializer_list<std::string_view> l5 = {VZ_ID_EVENT_KEYS_NO_ID2, "scope", "bp"};
  static const std::initializer_list<std::string_view> l6 = {VZ_ID_EVENT_KEYS, "bp"};
  static const std::initializer_list<std::string_view> l7 = {VZ_ID_EVENT_KEYS, "scope", "bp"};
  static const std::initializer_list<std::string_view>* const lists[8] = {&l0, &l1, &l2, &l3, &l4, &l5, &l6, &l7};
  return *lists[(flow ? 4 : 0) | (id2 ? 2 : 0) | (scoped ? 1 : 0)];
}

bool id_text_is_id2(std::string_view id) {
  return id.substr(0, 6) == "local:" || id.substr(0, 7) == "global:";
}

uint32_t id2_allowed(const Event& ev, uint32_t allowed) {
  if (!(ev.keys & kId2)) return allowed;
  Tok v;
  const bool is_id = !ev.id.present() && ev.id2.kind == '{' &&
                     (find_member(ev.id2, "local", &v) || find_member(ev.id2, "global", &v));
  return is_id ? allowed : allowed & ~kId2;
}

bool counter_value(const Tok& v, double* out) {
  if (v.kind != 'n' && v.kind != 's') return false;
  const std::string_view t = v.sv();
  if (parse_double(t, out)) return true;
  if (t == "NaN" || (t == "null" && v.kind == 'n')) *out = std::numeric_limits<double>::quiet_NaN();
  else if (t == "Infinity") *out = std::numeric_limits<double>::infinity();
  else if (t == "-Infinity") *out = -std::numeric_limits<double>::infinity();
  else return false;
  return true;
}

}  // namespace vz::json
