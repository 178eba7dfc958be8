// One Chrome trace event, as raw tokens.
//
// parse_event() walks a single event object and records where each field the model names sits in
// the input; values are decoded later, only for the fields a phase needs. Unknown fields set
// kOther so the reader keeps the whole event's byte range and the writer can reproduce them.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "formats/json_scan.h"

namespace vz::json {

// A raw value: string content (without quotes), an atom (number/literal), or an object/array.
// Only `kind` is reset between events: a Tok whose kind is 0 has stale p/len, never read.
struct Tok {
  const char* p = nullptr;
  uint32_t len = 0;
  char kind = 0;         // 0 absent, 's' string, 'n' number or literal, '{' object, '[' array
  bool escaped = false;  // string content holds backslash escapes
  std::string_view sv() const { return std::string_view(p, len); }
  bool present() const { return kind != 0; }
};

// A counter series' value: a number, or a string holding one ("4"); Python's NaN (no value at
// that sample: NaN in the model), Infinity or -Infinity; null, no value. False for anything else.
bool counter_value(const Tok& v, double* out);

// Bits of Event::keys: which fields were present.
enum KeyBit : uint32_t {
  kPh = 1u << 0, kName = 1u << 1, kCat = 1u << 2, kTs = 1u << 3, kDur = 1u << 4,
  kPid = 1u << 5, kTid = 1u << 6, kArgs = 1u << 7, kId = 1u << 8, kId2 = 1u << 9,
  kS = 1u << 10, kBp = 1u << 11, kBindId = 1u << 12, kFlowIn = 1u << 13, kFlowOut = 1u << 14,
  kScope = 1u << 15, kCname = 1u << 16,
  kOther = 1u << 31,
};

// Fields each phase models; any other present field makes the event keep its raw range (the
// JSON reader, and the recorder's events given as JSON).
inline constexpr uint32_t kBase = kPh | kName | kCat | kTs | kPid | kTid | kArgs;
inline constexpr uint32_t kAllowX = kBase | kDur;
inline constexpr uint32_t kAllowInstant = kBase | kS;
inline constexpr uint32_t kAllowCounter = kBase | kId | kId2;
inline constexpr uint32_t kAllowAsync = kBase | kId | kId2;
inline constexpr uint32_t kAllowFlow = kBase | kId | kId2 | kBp;
inline constexpr uint32_t kAllowObject = kBase | kId | kId2;

struct Event {
  const char* begin = nullptr;  // '{'
  const char* end = nullptr;    // one past '}'
  uint32_t keys = 0;
  Tok ph, name, cat, ts, dur, pid, tid, args, id, id2, s, bp, bind_id, flow_in, flow_out;
  Tok scope;  // read only where `keys` has kScope (not reset per event)
  Tok cname;  // read only where `keys` has kCname (not reset per event)
};

enum class ParseStatus { Ok, Malformed, Truncated };

// Parses the object starting at p (*p == '{'). On Ok, ev.end is one past its '}'.
// On failure *err_at is the offending position. *trailing_comma is set for "{...,}".
ParseStatus parse_event(const char* p, const char* end, Event& ev, const char** err_at,
                        bool* trailing_comma);

// Parses one value at p into a Tok; returns the position after it or nullptr.
// Inline: it runs for every field of every event.
inline const char* parse_value(const char* p, const char* end, Tok* out, const char** err_at) {
  if (p >= end) {
    *err_at = end;
    return nullptr;
  }
  char c = *p;
  if (c == '"') {
    bool esc = false;
    const char* q = scan_short_string(p + 1, end, &esc);
    if (q >= end) {
      *err_at = end;
      return nullptr;
    }
    if (uint64_t(q - p - 1) > 0xffffffffu) {  // a Tok holds 32-bit lengths
      *err_at = p;
      return nullptr;
    }
    *out = Tok{p + 1, uint32_t(q - p - 1), 's', esc};
    return q + 1;
  }
  if (c == '{' || c == '[') {
    const char* q = skip_value(p, end, err_at);
    if (!q) return nullptr;
    uint64_t len = uint64_t(q - p);
    if (len > 0xffffffffu) {
      *err_at = p;
      return nullptr;
    }
    *out = Tok{p, uint32_t(len), c, false};
    return q;
  }
  const char* q = scan_atom(p, end);
  if (q == p || uint64_t(q - p) > 0xffffffffu) {
    *err_at = p;
    return nullptr;
  }
  if (c >= 'a' && c <= 'z') {  // a literal: exactly true, false or null
    std::string_view w(p, size_t(q - p));
    if (w != "true" && w != "false" && w != "null") {
      *err_at = p;
      return nullptr;
    }
  }
  *out = Tok{p, uint32_t(q - p), 'n', false};
  return q;
}


// Calls fn(key, value) for each top-level member of the object `obj` (a '{' Tok).
// Returns false on malformed input. Keys with escapes are passed unescaped-raw.
template <class Fn>
bool for_each_member(const Tok& obj, Fn&& fn) {
  if (obj.kind != '{') return false;
  const char* p = obj.p + 1;
  const char* end = obj.p + obj.len;
  const char* err;
  for (;;) {
    p = skip_ws(p, end);
    if (p >= end) return false;
    if (*p == '}') return true;
    if (*p != '"') return false;
    bool esc = false;
    const char* q = scan_string(p + 1, end, &esc);
    if (q >= end) return false;
    std::string_view key(p + 1, size_t(q - p - 1));
    p = skip_ws(q + 1, end);
    if (p >= end || *p != ':') return false;
    p = skip_ws(p + 1, end);
    Tok v;
    p = parse_value(p, end, &v, &err);
    if (!p) return false;
    fn(key, v);
    p = skip_ws(p, end);
    if (p < end && *p == ',') ++p;
  }
}

// Calls fn(value) for each element of the array `arr` (a '[' Tok). False on malformed input.
template <class Fn>
bool for_each_element(const Tok& arr, Fn&& fn) {
  if (arr.kind != '[') return false;
  const char* p = arr.p + 1;
  const char* end = arr.p + arr.len;
  const char* err;
  for (;;) {
    p = skip_ws(p, end);
    if (p >= end) return false;
    if (*p == ']') return true;
    Tok v;
    p = parse_value(p, end, &v, &err);
    if (!p) return false;
    fn(v);
    p = skip_ws(p, end);
    if (p < end && *p == ',') ++p;
  }
}

// Slices and instants: a "cname" naming one of Chrome's reserved colours is their label's colour
// (Label::color; modelled: `allowed` gets kCname); any other "cname" stays with the fields the
// model does not name. 0 when the event names none.
uint8_t reserved_color(const Event& ev, uint32_t* allowed);

// Finds the top-level member `key` of an object Tok.
bool find_member(const Tok& obj, std::string_view key, Tok* out);

// An event's "id2" is the id the model keeps only when the event has no "id" and its id2 is an
// object with a "local" or "global" member; otherwise it is one of the fields the model does not
// name. `allowed` (a kAllow* mask) without kId2 then.
uint32_t id2_allowed(const Event& ev, uint32_t allowed);

// The fields the model names, per kind of event (for append_members_except); "scope" too where an
// async or object event has one, and "bp" for flows.
#define VZ_SLICE_KEYS {"ph", "name", "cat", "pid", "tid", "ts", "dur", "args"}
#define VZ_BEGIN_END_KEYS {"ph", "name", "cat", "pid", "tid", "ts", "args"}  // a B's or E's "dur" is other
#define VZ_INSTANT_KEYS {"ph", "name", "cat", "pid", "tid", "ts", "s", "args"}
#define VZ_ID_EVENT_KEYS "ph", "name", "cat", "pid", "tid", "ts", "id", "id2", "args"
#define VZ_ID_EVENT_KEYS_NO_ID2 "ph", "name", "cat", "pid", "tid", "ts", "id", "args"

// VZ_ID_EVENT_KEYS, with "scope" when the model has the event's scope (a scope that is not a
// string stays with the event's other fields), and without "id2" when the model's id is not one
// (id_text_is_id2: an id2 that was not the event's id is one of its other fields); "bp" too
// for flows.
std::initializer_list<std::string_view> id_event_keys(bool scoped, bool id2, bool flow = false);
// Whether a canonical id text ("local:x", "global:x") came from, and is written back as, "id2".
bool id_text_is_id2(std::string_view id);

// Appends `,"key":value` to `out` for each top-level member of the object text `event` whose key
// is not in `skip`, key and value copied as they are (escapes kept); returns how many. The JSON
// writer copies an event's fields the model does not name this way, and the details panel lists
// them. Nothing for text that is not an object. `also` (when not empty) is skipped too.
size_t append_members_except(std::string& out, std::string_view event,
                             std::initializer_list<std::string_view> skip, std::string_view also = {});

}  // namespace vz::json
