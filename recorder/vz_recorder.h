// vz_recorder.h: the C++ API of the vizviewer recorder. Record what a program does, save it as
// .vzt (or Chrome JSON), open it in vizviewer.
//
// Usage
//   #include "recorder/vz_recorder.h"
//
//   void parse(const char* text) {
//     VZ_ZONE();                                   // a slice named "parse", from here to '}'
//     ...
//   }
//   int main() {
//     vz::rec::Config cfg;                         // defaults mirror viztracer's
//     cfg.output_file = "trace.vzt";               // .vzt, .json or .json.gz: by extension
//     vz::rec::start(cfg);
//     vz::rec::set_thread_name("main");
//     { VZ_ZONE_N("load"); load(); }               // a zone with a name of your own
//     vz::rec::counter("memory", {{"rss", 12.5}, {"heap", 3.0}});
//     vz::rec::instant("checkpoint", vz::rec::Scope::Process, R"({"step": 3})");
//     vz::rec::log_var("epsilon", 0.25);           // a counter named "epsilon"
//     vz::rec::stop();
//     std::string msg;
//     vz::rec::save("", &msg);                     // "" = cfg.output_file
//   }
//
// Sections
//   1. Types: configuration, statistics, names, scopes
//   2. Compile-out switch: with VZ_RECORDER_DISABLED defined, every call below is an inline
//      no-op and every macro expands to nothing
//   3. Session: start / stop / save / clear
//   4. Names: interning strings and call sites
//   5. Zones (RAII), begin / end, complete events
//   6. Instants, counters, logged variables, flows, thread and process names
//   7. Internals of the hot path (inline; not part of the API)
//   8. Macros
//
// How it works (recorder/README.md has the details)
// - Every thread appends fixed-size 16-byte records to a ring of its own (`tracer_entries`
//   records). After the thread's first event the hot path takes no lock, allocates nothing and
//   makes no system call: a flag test, a clock read (calibrated TSC, or CLOCK_MONOTONIC) and one
//   store. A full ring overwrites its oldest records; save() reports how many were lost.
// - In streaming mode a background thread drains the rings into the output .vzt as they fill,
//   so nothing is lost, memory stays flat, and a killed program leaves a loadable file.
// - Names are interned once: a zone macro keeps its call site's id in a function-local static
//   (VZ_ZONE_N / VZ_BEGIN with a runtime string compare it with the site's last name, and
//   intern it when it differs).
// - save() pairs begins with ends per thread into nested slices and writes them through the
//   formats library (formats/vzt_writer.h for .vzt, formats/writer.h for JSON).
// - fork(): the child starts with no events, its own pid, and Config::output_file with its pid
//   before the extension ("out.vzt" -> "out.1234.vzt"); a streaming session does not follow it.
// - Thread safety: every call may be made from any thread. start/stop/save/clear are meant to be
//   called from one controlling thread; save() stops recording first, and events a thread
//   records while save() runs may be missing from that save.
// - Not from a signal handler: a record is written in two steps, and a handler that records
//   between them on the interrupted thread overwrites it or is overwritten (a thread's first
//   event also allocates). Set a flag in the handler and record from the thread instead.
// - Thread exit: what a thread records in its thread_local destructors is kept; the main thread
//   records on through static destructors and atexit handlers (save() from one sees them).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#include <time.h>

namespace vz::rec {

// ---------------------------------------------------------------------------------------------
// 1. Types
// ---------------------------------------------------------------------------------------------

// Which clock timestamps come from.
enum class Clock : uint8_t {
  Auto,       // the TSC when it is invariant (x86-64, cpuid says so), else Monotonic
  Tsc,        // rdtsc, calibrated against CLOCK_MONOTONIC (falls back to Monotonic if absent)
  Monotonic,  // clock_gettime(CLOCK_MONOTONIC): ~20-35 ns a read through the vDSO
};

// Recording options; the names follow viztracer's.
struct Config {
  size_t tracer_entries = 1000000;  // records per thread ring (a zone takes 2); min 64
  int max_stack_depth = -1;         // zones nested deeper than this are not recorded; -1: no limit
  int64_t min_duration_ns = 0;      // slices shorter than this are left out at save
  std::string output_file = "result.vzt";  // save("") target; format by extension
  bool streaming = false;           // write output_file while recording (.vzt only)
  Clock clock = Clock::Auto;
  std::string process_name;         // "" leaves the process unnamed
  bool verbose = false;             // save() prints its message to stderr
  size_t max_slices = 0;            // save keeps the newest this many slices (all threads); 0: all
  size_t max_added = 0;             // keep the newest this many events given as JSON (add_event_json,
                                    // add_events_json); 0: all
  std::string category;             // "cat" of the ring's events ("" = none; viztracer: "FEE")
  bool append = false;              // start() keeps what is recorded (rings of the same size,
                                    // events given as JSON, metadata) instead of starting empty
};

// Counts since start(), for tests and tools.
struct Stats {
  uint64_t recorded = 0;  // records written by all threads
  uint64_t lost = 0;      // records overwritten before they were saved (ring overflow)
  uint64_t flushed = 0;   // events the streaming writer has written to the file
  uint32_t threads = 0;   // threads that recorded
  uint64_t ring_bytes = 0;  // memory the threads' rings hold now (streaming frees an exited
                            // thread's ring once its records are in the file)
  uint64_t dropped = 0;   // slices the last save() left out for Config::max_slices
  uint64_t added_dropped = 0;  // events given as JSON left out for Config::max_added
};

// A name's id: interned once, valid for the life of the process (ids survive clear()).
using NameId = uint32_t;
constexpr NameId kNoName = 0;
constexpr size_t kMaxName = 4096;       // longer names are cut (at a UTF-8 boundary)
constexpr size_t kMaxArgs = 64 * 1024;  // longest args JSON of an instant

// Where an instant shows: on its thread's track, its process's, or across the whole trace.
enum class Scope : uint8_t { Thread = 0, Process = 1, Global = 2 };

// One value of a counter sample: a series per key.
struct Series {
  std::string_view key;
  double value = 0;
  constexpr Series() = default;
  // Any arithmetic value, so that {{"size", q.size()}} or {{"n", n}} compiles without a cast
  // (a braced list of a double member would be a narrowing error for an int).
  template <class T, class = std::enable_if_t<std::is_arithmetic_v<T>>>
  constexpr Series(std::string_view k, T v) : key(k), value(static_cast<double>(v)) {}
};

#if defined(VZ_RECORDER_DISABLED)
// ---------------------------------------------------------------------------------------------
// 2. Compiled out: the same calls, doing nothing (in an inline namespace of their own, so a
//    program may mix translation units built with and without recording)
// ---------------------------------------------------------------------------------------------
inline namespace disabled {
inline bool start(const Config& = {}, std::string* = nullptr) { return false; }
inline void stop() {}
inline bool recording() { return false; }
inline bool save(const std::string& = "", std::string* = nullptr) { return false; }
inline void clear() {}
inline Stats stats() { return {}; }
inline uint64_t thread_records() { return 0; }
inline NameId intern(std::string_view) { return kNoName; }
inline NameId intern_site(const char*, const char*, uint32_t) { return kNoName; }
inline NameId intern_site(std::string_view, const char*, uint32_t) { return kNoName; }
inline NameId intern_function(const char*, const char*, uint32_t) { return kNoName; }
inline void begin(NameId) {}
inline void end() {}
inline void complete(NameId, int64_t, int64_t) {}
inline int64_t now_ns() { return 0; }
inline uint64_t now_ticks() { return 0; }
inline uint64_t now_ticks_stamped() { return 0; }
inline int64_t ticks_to_ns(uint64_t) { return 0; }
inline void complete_ticks(NameId, uint64_t, uint64_t) {}
inline bool add_event_json(std::string_view) { return false; }
inline size_t add_events_json(std::string_view, size_t* = nullptr, size_t* = nullptr) { return 0; }
inline int64_t add_trace_file(const std::string&, bool = false, std::string* = nullptr, std::string* = nullptr) {
  return -1;
}
inline bool set_metadata(std::string_view, std::string_view) { return false; }
inline void note_lost(uint64_t) {}
class Zone {
 public:
  explicit Zone(NameId) {}
};
inline bool instant(std::string_view, Scope = Scope::Thread, std::string_view = {}) { return false; }
inline bool instant(NameId, Scope, std::string_view) { return false; }
inline bool counter(std::string_view, std::initializer_list<Series>) { return false; }
inline bool counter(std::string_view, const Series*, size_t) { return false; }
inline bool counter(NameId, const NameId*, const double*, size_t) { return false; }
inline bool log_var(std::string_view, double) { return false; }
inline bool log_var(std::string_view, std::string_view) { return false; }
inline void flow_start(uint64_t, std::string_view = "flow") {}
inline void flow_end(uint64_t, std::string_view = "flow") {}
inline void set_thread_name(std::string_view) {}
inline void set_process_name(std::string_view) {}
}  // namespace disabled

#else
// ---------------------------------------------------------------------------------------------
// 3. Session: start / stop / save / clear
// ---------------------------------------------------------------------------------------------

// Starts recording (again). Returns false when already recording, when the config is invalid or
// (streaming) when output_file cannot be created; *error says why.
bool start(const Config& config = {}, std::string* error = nullptr);
// Stops recording; events stay in memory until save() / clear(). In streaming mode, drains the
// rings and finishes the file.
void stop();
// True while recording.
bool recording();
// Stops recording and writes every recorded event to `path` ("" = Config::output_file): .vzt,
// .json or .json.gz by extension, atomically (temporary file + rename). *message receives a
// summary ("saved 2000000 events to x.vzt", plus how many were lost to ring overflow). Returns
// false (message = the error) when nothing could be written. Events stay in memory.
// In streaming mode the file is already written: save() stops and returns its summary (also
// after stop(); saving a streamed session to another path is refused: convert the file).
bool save(const std::string& path = "", std::string* message = nullptr);
// Drops every event recorded so far (threads stay registered, names stay interned); safe while
// other threads record: events they record after it are kept (a zone open across it loses its
// begin: its end is saved as a stray E, as a JSON trace keeps one, and counted as the thread's
// unmatched end). Does nothing while streaming: those events are in the file.
void clear();
// Counts since start().
Stats stats();
// Records the calling thread has written to its ring (0 before its first event; counted across
// the ring's wraps, so a difference says whether anything was recorded in between). Lock-free.
uint64_t thread_records();

// ---------------------------------------------------------------------------------------------
// 4. Names
// ---------------------------------------------------------------------------------------------

// Interns a string (any bytes; at most kMaxName bytes: longer ones are cut at a UTF-8 boundary).
// Thread-safe; takes a lock, so call it once and keep the id.
NameId intern(std::string_view s);
// Interns a call site: the slice name `name` with its source location (file, line), which
// vizviewer shows as the function's source. VZ_ZONE() calls it once per site.
NameId intern_site(const char* name, const char* file, uint32_t line);
NameId intern_site(std::string_view name, const char* file, uint32_t line);
// The same for a compiler's function signature (__PRETTY_FUNCTION__): the slice is named after
// the qualified function, without return type and parameters ("void ns::A::run(int) const" ->
// "ns::A::run"; a lambda in main -> "main::<lambda>"; anonymous namespaces left out), so
// methods of different classes and lambdas keep names of their own. What VZ_ZONE() uses.
NameId intern_function(const char* signature, const char* file, uint32_t line);

// ---------------------------------------------------------------------------------------------
// 5. Zones
// ---------------------------------------------------------------------------------------------

inline void begin(NameId name);       // opens a slice on this thread
inline void end();                    // closes the innermost open slice of this thread
// A finished slice with timestamps of your own (ns from now_ns()); for tracers that record a
// call when it returns. Children must be recorded before their parent, as calls return.
void complete(NameId name, int64_t start_ns, int64_t dur_ns);
// Now, in the recorder's time base (ns); what complete() expects. Stamped as now_ticks_stamped()
// is: after the calling thread's latest event, so complete() slices nest with zones.
int64_t now_ns();
// The hot-path pair for tracers: now in raw clock ticks, and a finished slice from two such
// readings (no conversion on the way; the Python tracer records every call with these).
inline uint64_t now_ticks();
inline void complete_ticks(NameId name, uint64_t t0, uint64_t t1);
// now_ticks(), but at least a nanosecond after the calling thread's latest event or stamped
// reading: the thread's times then strictly increase, as begin() and end() stamp theirs, so
// calls made within one tick of a coarse clock keep their order and nesting and none has a
// zero length. For complete_ticks(), take both ends this way (a reading of now_ticks() may lie
// before a stamped one).
inline uint64_t now_ticks_stamped();
// now_ticks() readings of this session -> now_ns()'s clock.
int64_t ticks_to_ns(uint64_t ticks);

// A slice from construction to destruction. Records nothing when recording is off at its start.
class Zone {
 public:
  explicit Zone(NameId name) : on_(begin_zone(name)) {}
  ~Zone() {
    if (on_) end();
  }
  Zone(const Zone&) = delete;
  Zone& operator=(const Zone&) = delete;

 private:
  static inline bool begin_zone(NameId name);
  bool on_;
};

// ---------------------------------------------------------------------------------------------
// 6. Instants, counters, variables, flows, names
// ---------------------------------------------------------------------------------------------

// An instant event. `args_json` is "" or one JSON value (an object, as Chrome expects), at most
// kMaxArgs bytes. Returns false when the args are not valid JSON (UTF-8 included) or too long
// (nothing recorded).
bool instant(std::string_view name, Scope scope = Scope::Thread, std::string_view args_json = {});
bool instant(NameId name, Scope scope, std::string_view args_json);

// One sample of a counter (a track per counter, a series per key). At most 255 series.
bool counter(std::string_view name, std::initializer_list<Series> series);
bool counter(std::string_view name, const Series* series, size_t n);
bool counter(NameId name, const NameId* keys, const double* values, size_t n);

// A logged variable, as viztracer's log_var: a number becomes a counter sample `name` with
// series "value"; text becomes an instant `name` with args {"object": text}.
bool log_var(std::string_view name, double value);
bool log_var(std::string_view name, std::string_view text);

// Flow arrows between slices: start on one thread, end on another, same id.
void flow_start(uint64_t id, std::string_view name = "flow");
void flow_end(uint64_t id, std::string_view name = "flow");

// Names shown for this thread / this process.
void set_thread_name(std::string_view name);
void set_process_name(std::string_view name);

// An event given as one Chrome trace event object (for what the ring's records cannot carry:
// complete events with args, B/E events, async events, flows, objects N/O/D, metadata M, raw
// events), made into the saved trace as the JSON reader makes it. "ts"/"dur" are in
// microseconds on now_ns()'s clock (now_ns() / 1000); "pid"/"tid" default to this process and
// thread. Kept outside the rings (not bounded by tracer_entries; Config::max_added bounds them)
// until the next start()/clear(). Metadata (M) events are not counted against max_added.
// Returns false when `event` is not one JSON object (in UTF-8, as JSON text is), and in a
// streamed session (Config::streaming), whose file has no place for it.
bool add_event_json(std::string_view event);
// Every element of a JSON array of such events (the text of `[...]`: a Chrome trace's
// traceEvents), as add_event_json() would add each, in one go: what merging a whole trace takes.
// Returns how many were added; *bad counts the elements that are not objects in UTF-8 (in a
// streamed session, all of them). 0 (and *bad 0) when `array` is not one JSON array. With
// `used`, other text may follow the array (the rest of a document): *used receives the length
// of the array's text (0 when there is no array).
size_t add_events_json(std::string_view array, size_t* bad = nullptr, size_t* used = nullptr);
// A whole trace file, of any format vizviewer reads (Chrome JSON, .json.gz, .vzt), added to the
// session: loaded now, its events go into the saved trace as they are (processes and threads
// by their pid and tid), at their own times; with `align`, moved so that it starts at 0 (or at
// its viztracer_metadata.sync_marker). Kept until the next start()/clear(). Returns the number
// of events it holds, or -1 with *error set when it cannot be read or the session is streamed
// (Config::streaming: the stream has no place for it); a file that loads with
// problems (cut short, malformed events) sets *error to what they are too. *file_info receives
// its file_info member (viztracer's source files), "" when it has none.
int64_t add_trace_file(const std::string& path, bool align = false, std::string* file_info = nullptr,
                       std::string* error = nullptr);
// Events lost before this session's data came together (a trace added back whose own ring had
// overflowed): counted with the rings' losses (Stats::lost, the saved overflow flag), until the
// next start() that does not append, or clear().
void note_lost(uint64_t events);
// A top-level member of the saved trace (e.g. "file_info"): `value` is one JSON value. Replaces
// an earlier value of that key; "viztracer_metadata" objects are merged into the recorder's own.
// Kept until the next start(). Returns false when `value` is not valid JSON, and for the key
// "traceEvents" (the events' own).
bool set_metadata(std::string_view key, std::string_view value);

// ---------------------------------------------------------------------------------------------
// 7. Internals of the hot path (used by the inline functions above; not part of the API)
// ---------------------------------------------------------------------------------------------

namespace detail {

// The unit of every ring: 16 bytes. An event is one record, or a head record followed by
// payload records (kind Payload) that carry its extra data.
struct Record {
  uint64_t ts;    // clock ticks (TSC or ns), or payload bits
  uint32_t name;  // NameId, or payload
  uint32_t meta;  // low 8 bits: Kind; above: per kind (scope, payload record count, ...)
};
static_assert(sizeof(Record) == 16, "a ring record is 16 bytes");

enum Kind : uint8_t {
  kBegin = 1,     // name
  kEnd = 2,       //
  kComplete = 3,  // name; payload: [dur ticks]
  kInstant = 4,   // name; meta: scope << 8 | payload records << 16; payload: args bytes
  kCounter = 5,   // name; meta: series << 8; payload: [value bits, key] per series
  kFlow = 6,      // name; meta: 's' / 'f' << 8; payload: [id]
  kPayload = 7,   // continuation of the event before it
  kCompleteShort = 8,  // name; meta: dur ticks << 8 (durations under 2^24 ticks: one record)
};

// The part of a thread's buffer the hot path touches, in one cache line. Only the owning thread
// writes it while recording; start() resets it between sessions. The atomics are accessed with
// relaxed loads and plain stores (ordinary moves on x86-64), except `pos`, whose store releases
// the record just written to the streaming writer.
struct Writer {
  std::atomic<Record*> pos{nullptr};    // next record to write
  std::atomic<Record*> limit{nullptr};  // the hot path stops here and calls on_limit()
  std::atomic<Record*> begin{nullptr};  // the ring [begin, end): start() may replace it while
  std::atomic<Record*> end{nullptr};    //   a thread is inside push() (stored before limit)
  std::atomic<bool> busy{false};        // held by on_limit() and start() while they change the
                                        //   ring's state (never by push())
  std::atomic<int32_t> depth{0};        // open zones (counting unrecorded ones too)
  void* owner = nullptr;                // the thread buffer this writer belongs to
  std::atomic<uint64_t> last{0};        // the thread's latest timestamp (stamp()); start()
                                        // resets it, racing a thread still in begin()
};

// Globals read with relaxed loads (plain moves on x86-64): set by start() before recording.
// g_enabled is read with acquire (a plain move on x86-64 too): a thread that sees recording on
// sees the rings start() made before its release store (a thread recording across sessions).
extern std::atomic<bool> g_enabled;      // recording
extern std::atomic<bool> g_tsc;          // timestamps are rdtsc ticks (else CLOCK_MONOTONIC ns)
extern std::atomic<int32_t> g_max_depth; // Config::max_stack_depth (INT32_MAX: no limit)
extern std::atomic<uint64_t> g_tick_step; // ticks that are surely 1 ns apart once converted
// constinit (C++20) tells every includer that it needs no dynamic initialisation, so the hot path
// reads it without first calling its thread-local init wrapper.
// The hot path's helpers are inlined into their callers even where a caller is big.
#if defined(__GNUC__) || defined(__clang__)
#define VZ_REC_ALWAYS_INLINE __attribute__((always_inline))
#else
#define VZ_REC_ALWAYS_INLINE
#endif
// [[likely]] / [[unlikely]] where the language has them (C++20): a C++17 includer builds with
// -Wpedantic quietly.
#if __cplusplus >= 202002L
#define VZ_REC_LIKELY [[likely]]
#define VZ_REC_UNLIKELY [[unlikely]]
#else
#define VZ_REC_LIKELY
#define VZ_REC_UNLIKELY
#endif
#if defined(__cpp_constinit)
#define VZ_REC_CONSTINIT constinit
#else
#define VZ_REC_CONSTINIT
#endif
extern VZ_REC_CONSTINIT thread_local Writer* tls_writer;

Writer* attach();           // registers the calling thread; nullptr when it cannot
void on_limit(Writer* w);   // the ring is full: wrap (ring mode) or wait for the flusher

inline uint64_t ticks() {
#if defined(__x86_64__) || defined(__i386__)
  if (g_tsc.load(std::memory_order_relaxed)) return __rdtsc();
#endif
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}

// ticks(), moved on to `w->last + g_tick_step` when the clock has not got that far since the
// thread's latest timestamp, which it becomes. A clock coarser than the events (a VM's TSC that
// steps by 10 ns, a 24 MHz counter) would give a zone that ends in the tick it began a zero
// length, and two events in one tick the same time: stamped, a thread's times strictly
// increase, so its slices keep the order and nesting they were recorded in.
inline uint64_t stamp(Writer* w) {
  uint64_t t = ticks();
  const uint64_t next =
      w->last.load(std::memory_order_relaxed) + g_tick_step.load(std::memory_order_relaxed);
  if (t < next) VZ_REC_UNLIKELY
    t = next;
  w->last.store(t, std::memory_order_relaxed);
  return t;
}

inline Writer* writer() {
  Writer* w = tls_writer;
  if (w == nullptr) VZ_REC_UNLIKELY
    w = attach();
  return w;
}

// on_limit() at the limit, and also for a position outside [begin, limit): a push that raced
// with start() replacing the ring stored a position in the old one (its record went there; the
// old storage lives as long as the thread). Loading the limit first, whose store in start()
// follows begin's, such a position is caught at the latest when it reaches the old ring's end.
inline void push(Writer* w, uint64_t ts, uint32_t name, uint32_t meta) {
  // (acquire: a plain load on x86-64; a ring start() made, seen through the position it set)
  Record* p = w->pos.load(std::memory_order_acquire);
  p->ts = ts;
  p->name = name;
  p->meta = meta;
  ++p;
  w->pos.store(p, std::memory_order_release);
  const uintptr_t lim = uintptr_t(w->limit.load(std::memory_order_acquire));
  const uintptr_t b = uintptr_t(w->begin.load(std::memory_order_relaxed));
  if (uintptr_t(p) - b >= lim - b) VZ_REC_UNLIKELY
    on_limit(w);
}

}  // namespace detail

inline void begin(NameId name) {
  if (!detail::g_enabled.load(std::memory_order_acquire)) return;
  detail::Writer* w = detail::writer();
  if (w == nullptr) return;
  int32_t d = w->depth.load(std::memory_order_relaxed) + 1;
  w->depth.store(d, std::memory_order_relaxed);
  if (d > detail::g_max_depth.load(std::memory_order_relaxed)) return;
  detail::push(w, detail::stamp(w), name, detail::kBegin);
}

inline void end() {
  if (!detail::g_enabled.load(std::memory_order_acquire)) return;
  detail::Writer* w = detail::writer();
  if (w == nullptr) return;
  int32_t d = w->depth.load(std::memory_order_relaxed);
  if (d <= 0) return;  // nothing open in this session (its begin came before start())
  w->depth.store(d - 1, std::memory_order_relaxed);
  if (d > detail::g_max_depth.load(std::memory_order_relaxed)) return;
  detail::push(w, detail::stamp(w), 0, detail::kEnd);
}

inline uint64_t now_ticks() { return detail::ticks(); }
inline uint64_t now_ticks_stamped() {
  if (!detail::g_enabled.load(std::memory_order_acquire)) return detail::ticks();
  detail::Writer* w = detail::writer();
  return w ? detail::stamp(w) : detail::ticks();
}

VZ_REC_ALWAYS_INLINE inline void complete_ticks(NameId name, uint64_t t0, uint64_t t1) {
  if (!detail::g_enabled.load(std::memory_order_acquire)) return;
  detail::Writer* w = detail::writer();
  if (w == nullptr) return;
  const uint64_t dur = t1 - t0;
  if (dur < (uint64_t(1) << 24)) {  // most calls: one record (~7 ms of TSC ticks at 2.3 GHz)
    detail::push(w, t0, name, detail::kCompleteShort | uint32_t(dur) << 8);
    return;
  }
  detail::push(w, t0, name, detail::kComplete);
  detail::push(w, dur, 0, detail::kPayload);
}

inline bool Zone::begin_zone(NameId name) {
  if (!detail::g_enabled.load(std::memory_order_acquire)) return false;
  begin(name);
  return true;
}

#endif  // VZ_RECORDER_DISABLED

}  // namespace vz::rec

// ---------------------------------------------------------------------------------------------
// 8. Macros
// ---------------------------------------------------------------------------------------------

#if !defined(VZ_RECORDER_DISABLED)
namespace vz::rec::detail {
// An interned name as a VZ_ZONE_N / VZ_BEGIN site keeps it: its id and its text, never changed
// or freed. Null when out of memory.
struct InternedName {
  NameId id;
  uint32_t size;
  const char* text;
};
// How much of `s` a name keeps: at most kMaxName bytes, cut at a UTF-8 boundary.
inline size_t clipped_size(std::string_view s) {
  if (s.size() <= kMaxName) return s.size();
  size_t n = kMaxName;
  while (n > 0 && (uint8_t(s[n]) & 0xC0) == 0x80) --n;
  return n;
}
const InternedName* intern_site_name(std::string_view name, const char* file, uint32_t line);

// The name of a VZ_ZONE_N / VZ_BEGIN site. A string literal is interned on the site's first run
// and its id read from here after that. Any other string (a char array or pointer, a
// std::string, a string_view) is compared with the name the site interned last: the same text
// reuses its id, other text is interned (which takes a lock) and becomes the site's name.
class SiteName {
 public:
  constexpr SiteName() = default;
  template <size_t N>
  NameId get(const char (&text)[N], bool literal, const char* file, uint32_t line) {
    if (literal) {  // (known when compiling: the branch not taken is dropped)
      const NameId id = literal_.load(std::memory_order_relaxed);
      if (id != kUnset) VZ_REC_LIKELY
        return id;
      const NameId fresh = intern_site(text_of(text), file, line);
      literal_.store(fresh, std::memory_order_relaxed);  // racing threads store the same id
      return fresh;
    }
    return by_text(text_of(text), file, line);
  }
  // Any other string. (One parameter type for them all: a literal must not find an overload
  // as good as the template above, as `const char*` would be.)
  struct Runtime {
    std::string_view text;
    Runtime(const char* p) : text(p ? p : "") {}  // NOLINT: implicit on purpose
    Runtime(std::string_view v) : text(v) {}      // NOLINT
    Runtime(const std::string& v) : text(v) {}    // NOLINT
  };
  NameId get(Runtime name, bool, const char* file, uint32_t line) { return by_text(name.text, file, line); }

 private:
  template <size_t N>
  static std::string_view text_of(const char (&text)[N]) {  // up to the first NUL, if any
    size_t n = 0;
    while (n < N && text[n] != 0) ++n;
    return std::string_view(text, n);
  }
  NameId by_text(std::string_view text, const char* file, uint32_t line) {
    const InternedName* last = last_.load(std::memory_order_acquire);
    const size_t n = clipped_size(text);  // what intern keeps of it
    if (last != nullptr && last->size == n && (n == 0 || std::memcmp(last->text, text.data(), n) == 0))
      VZ_REC_LIKELY return last->id;
    const InternedName* now = intern_site_name(text, file, line);
    if (now == nullptr) VZ_REC_UNLIKELY
      return kNoName;
    last_.store(now, std::memory_order_release);
    return now->id;
  }
  static constexpr NameId kUnset = ~NameId(0);  // (no name has this id: kNoName is the empty one)
  std::atomic<NameId> literal_{kUnset};
  std::atomic<const InternedName*> last_{nullptr};
};
}  // namespace vz::rec::detail
// Whether a macro's name argument is a string literal (GCC and Clang know, at any optimization
// level; elsewhere every name is compared at each run).
#if defined(__GNUC__) || defined(__clang__)
#define VZ_REC_IS_LITERAL(name) __builtin_constant_p(name)
#else
#define VZ_REC_IS_LITERAL(name) false
#endif
#endif

#define VZ_REC_CAT2(a, b) a##b
#define VZ_REC_CAT(a, b) VZ_REC_CAT2(a, b)
#if defined(__GNUC__) || defined(__clang__)
#define VZ_REC_FUNCTION __PRETTY_FUNCTION__
#else
#define VZ_REC_FUNCTION __func__
#endif

#if defined(VZ_RECORDER_DISABLED)
// Recording compiled out: the macros expand to nothing. Their arguments are not evaluated (the
// calls below are never made) but still count as used: a variable that only a macro names gives
// no "unused" warning, and an argument that would not compile with recording on does not here.
#define VZ_ZONE() static_cast<void>(0)
#define VZ_ZONE_N(name) static_cast<void>(false && ::vz::rec::intern(name))
#define VZ_BEGIN(name) static_cast<void>(false && ::vz::rec::intern(name))
#define VZ_END() static_cast<void>(0)
#define VZ_INSTANT(...) static_cast<void>(false && ::vz::rec::instant(__VA_ARGS__))
#define VZ_COUNTER(...) static_cast<void>(false && ::vz::rec::counter(__VA_ARGS__))
#define VZ_LOG_VAR(name, value) static_cast<void>(false && ::vz::rec::log_var(name, value))
#define VZ_THREAD_NAME(name) (false ? ::vz::rec::set_thread_name(name) : static_cast<void>(0))
#else
// A zone named after the enclosing function, from here to the end of the scope. The call site
// (function, file, line) is interned the first time it runs; later runs read a static.
// (Its variables are numbered by __COUNTER__: several zones may share a line, or a macro.)
#define VZ_ZONE() VZ_REC_ZONE_AT(__COUNTER__)
#define VZ_REC_ZONE_AT(n)                                                                      \
  static const ::vz::rec::NameId VZ_REC_CAT(vz_site_, n) =                                    \
      ::vz::rec::intern_function(VZ_REC_FUNCTION, __FILE__, __LINE__);                        \
  ::vz::rec::Zone VZ_REC_CAT(vz_zone_, n)(VZ_REC_CAT(vz_site_, n))
// The same with a name of your own: a string literal (interned once), or any string, a
// std::string or a string_view whose text may differ from run to run (compared with the site's
// last name at each run, and interned, which takes a lock, when it differs: for hot loops over
// changing names keep intern()ed ids and use vz::rec::Zone).
#define VZ_ZONE_N(name) VZ_REC_ZONE_N_AT(name, __COUNTER__)
#define VZ_REC_ZONE_N_AT(name, n)                                                              \
  static ::vz::rec::detail::SiteName VZ_REC_CAT(vz_site_, n);                                 \
  ::vz::rec::Zone VZ_REC_CAT(vz_zone_, n)(                                                    \
      VZ_REC_CAT(vz_site_, n).get(name, VZ_REC_IS_LITERAL(name), __FILE__, __LINE__))
// Begin / end of a span that crosses scopes (same thread).
#define VZ_BEGIN(name)                                                                         \
  do {                                                                                         \
    static ::vz::rec::detail::SiteName vz_site_;                                               \
    ::vz::rec::begin(vz_site_.get(name, VZ_REC_IS_LITERAL(name), __FILE__, __LINE__));         \
  } while (0)
#define VZ_END() ::vz::rec::end()
#define VZ_INSTANT(...) ::vz::rec::instant(__VA_ARGS__)
#define VZ_COUNTER(...) ::vz::rec::counter(__VA_ARGS__)
#define VZ_LOG_VAR(name, value) ::vz::rec::log_var(name, value)
#define VZ_THREAD_NAME(name) ::vz::rec::set_thread_name(name)
#endif
