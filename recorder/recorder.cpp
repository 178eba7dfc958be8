// The registry of thread buffers, the slow paths of the hot path (attach, ring wrap), the
// session calls (start / stop / save / clear) and every event call that is not inline.
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <thread>

#include "formats/io.h"
#include "formats/json_event.h"
#include "formats/json_scan.h"
#include "formats/numbers.h"
#include "formats/utf8.h"
#include "recorder/internal.h"

namespace vz::rec {

namespace detail {
std::atomic<bool> g_enabled{false};
std::atomic<bool> g_tsc{false};
std::atomic<int32_t> g_max_depth{INT32_MAX};
std::atomic<uint64_t> g_tick_step{1};
VZ_REC_CONSTINIT thread_local Writer* tls_writer = nullptr;
}  // namespace detail

namespace internal {
namespace {

void atfork_prepare();
void atfork_parent();
void atfork_child();

}  // namespace

Registry& registry() {
  // Never destroyed: other threads may still record while the program exits.
  static Registry* r = [] {
    Registry* x = new Registry;
    x->pid = getpid();
    pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
    return x;
  }();
  return *r;
}

RingSnapshot snapshot(const ThreadBuffer& t) {
  RingSnapshot s;
  Record* pos = published_pos(t);
  uint64_t laps = t.laps.load(std::memory_order_acquire);
  if (pos == t.end) pos = t.begin, ++laps;  // caught between the last store and the wrap
  size_t cap = t.capacity(), at = size_t(pos - t.begin);
  s.written = laps * cap + at;
  if (laps == 0) {
    s.a = t.begin;
    s.na = at;
  } else {
    s.a = pos;
    s.na = cap - at;
    s.b = t.begin;
    s.nb = at;
  }
  // Records written before the last clear() are left out: only the newest written - cleared
  // (of those the ring still holds) remain. A multi-record event cut there loses its head and
  // the decoder skips its payload.
  const uint64_t held = s.na + s.nb, cleared = std::min(t.cleared.load(std::memory_order_acquire), s.written);
  const uint64_t since = s.written - cleared;
  if (since < held) {
    size_t drop = size_t(held - since);
    if (drop <= s.na) {
      s.a += drop, s.na -= drop;
    } else {
      drop -= s.na;
      s.a = s.b + drop, s.na = s.nb - drop;
      s.b = nullptr, s.nb = 0;
    }
    if (s.na == 0 && s.nb) s.a = s.b, s.na = s.nb, s.b = nullptr, s.nb = 0;
  } else {
    s.lost = since - held;
  }
  return s;
}

void Batch::clear() {
  slices.clear();
  instants.clear();
  args.clear();
  counters.clear();
  values.clear();
  flows.clear();
  orphan_ends = open_begins = filtered = 0;
  orphan_ts.clear();
  has_complete = false;
  first_ts = INT64_MAX;
  last_ts = INT64_MIN;
  ring_complete_first = INT64_MAX;
  ring_complete_last = INT64_MIN;
}

namespace {

// Resets a buffer to empty. Its owner must not be writing (recording is off, or it is the
// calling thread); a stale `limit` is harmless: on_limit() recomputes it.
void reset(ThreadBuffer& t) {
  t.w.depth.store(0, std::memory_order_relaxed);
  t.w.last.store(0, std::memory_order_relaxed);  // the next session may read another clock
  t.w.pos.store(t.begin, std::memory_order_release);
  t.read.store(t.begin, std::memory_order_release);
  t.laps.store(0, std::memory_order_release);
  t.cleared.store(0, std::memory_order_release);
}

// "a/b.vzt" -> "a/b.1234.vzt" (".json.gz" counts as one extension).
std::string with_pid_suffix(const std::string& path, pid_t pid) {
  size_t slash = path.rfind('/');
  size_t from = slash == std::string::npos ? 0 : slash + 1;
  size_t dot = path.rfind('.');
  if (ends_with_ci(path, ".json.gz")) dot = path.size() - 8;
  if (dot == std::string::npos || dot < from) dot = path.size();
  return path.substr(0, dot) + "." + std::to_string(pid) + path.substr(dot);
}

void atfork_prepare() {
  Registry& r = registry();
  r.mu.lock();
  names_lock_for_fork();
}

void atfork_parent() {
  names_unlock_after_fork();
  registry().mu.unlock();
}

// The child has one thread (the one that forked): it starts clean, with its own pid. The
// parent's streaming writer and its thread do not exist here; they are abandoned, not closed.
void atfork_child() {
  names_unlock_after_fork();
  Registry& r = registry();
  r.pid = getpid();
  if (r.streamer) (void)r.streamer.release();  // its std::thread would terminate() if destroyed
  // (also when a stop() was under way: it took the streamer out before its flusher finished)
  r.streaming.store(false);
  // A stop() that was finishing the stream on another thread does not go on here; a start()
  // that was waiting for it does not exist here (the condition variable is made anew: the
  // parent's may count waiters that the child has not).
  r.stream_stopping = false;
  new (&r.stream_done) std::condition_variable;
  // The child records into memory, and its default output file is the parent's with the
  // child's pid before the extension, so that neither overwrites the other.
  r.config.streaming = false;
  r.config.output_file = with_pid_suffix(r.config.output_file, r.pid);
  detail::Writer* mine = detail::tls_writer;
  std::vector<std::unique_ptr<ThreadBuffer>> keep;
  for (auto& t : r.threads) {
    if (&t->w == mine) {
      t->w.busy.store(false);  // (no other thread of the parent's is here to hold it)
      reset(*t);
      t->pid = r.pid;
      t->tid = int64_t(syscall(SYS_gettid));
      t->index = 0;
      keep.push_back(std::move(t));
    } else {
      (void)t.release();  // memory shared copy-on-write with the parent: leave it mapped
    }
  }
  r.threads = std::move(keep);
  r.clear_added();  // the parent's
  r.reset_counts();
  r.mu.unlock();
}

}  // namespace
}  // namespace internal

namespace detail {

namespace {
// Marks a thread's buffer as exited when the thread ends (its events stay until the next start).
// A pthread key's destructor does it: those run after every thread_local object's destructor, so
// events that thread-exit code records (a per-thread object flushing, whenever it was made) are
// kept. The main thread runs none at exit(): it records on through static destructors and atexit
// handlers.
thread_local bool tls_exited = false;  // events from later thread-exit code are not recorded
void thread_exited(void* buf) {
  static_cast<internal::ThreadBuffer*>(buf)->exited.store(true, std::memory_order_release);
  tls_writer = nullptr;
  tls_exited = true;
}
// The key, made on first use (its failure leaves threads unmarked: their rings then stay until
// the next start(), as a live thread's do).
const pthread_key_t* exit_key() {
  static pthread_key_t key;
  static const bool made = pthread_key_create(&key, thread_exited) == 0;
  return made ? &key : nullptr;
}
}  // namespace

// A thread's first event: allocates its ring and registers it. The ring's pages are touched
// lazily by the kernel as the ring fills.
Writer* attach() {
  using namespace internal;
  if (tls_exited) return nullptr;
  try {
    Registry& r = registry();
    std::unique_lock<std::mutex> lock(r.mu);
    // Streaming frees an exited thread's ring once the flusher has written it out. A program
    // that starts threads faster than that waits here, as a writer waits for room in its ring,
    // so that memory stays bounded however many short-lived threads it runs.
    for (unsigned spins = 0; r.streaming.load(std::memory_order_acquire) && r.streamer; ++spins) {
      size_t exited = 0;
      for (const auto& t : r.threads) exited += t->exited.load(std::memory_order_relaxed);
      if (exited < kMaxExitedRings) break;
      lock.unlock();
      stream_wake();
      if (spins < 64)
        std::this_thread::yield();
      else
        std::this_thread::sleep_for(std::chrono::microseconds(50));
      lock.lock();
    }
    auto t = std::make_unique<ThreadBuffer>();
    size_t cap = std::max<size_t>(64, r.config.tracer_entries);
    t->storage.reset(new (std::nothrow) Record[cap]);
    if (!t->storage) return nullptr;
    t->storage_cap = cap;
    t->set_ring(cap);
    t->w.pos.store(t->begin, std::memory_order_relaxed);
    t->w.limit.store(t->end, std::memory_order_relaxed);
    t->w.owner = t.get();
    t->read.store(t->begin, std::memory_order_relaxed);
    t->pid = r.pid;
    t->tid = int64_t(syscall(SYS_gettid));
    t->index = uint32_t(r.threads.size());
    if (const pthread_key_t* key = exit_key()) pthread_setspecific(*key, t.get());
    tls_writer = &t->w;
    r.threads.push_back(std::move(t));
    return tls_writer;
  } catch (...) {
    return nullptr;
  }
}

// The writer reached its limit. Ring mode: wrap, overwriting the oldest records. Streaming: move
// the limit up to the flusher's read position, waiting for the flusher when the ring is full.
// The ring always keeps one free slot, so pos == read means empty. A position outside the ring
// (a push that raced with start() replacing it, see push()) goes back to its start: start()
// emptied the ring, and that record went to the old one. The ring's state is read and changed
// under its RingLock, so that a start() running meanwhile (this thread may have passed the
// recording check before the stop() that preceded it) is wholly before or after.
void on_limit(Writer* w) {
  using namespace internal;
  auto* t = static_cast<ThreadBuffer*>(w->owner);
  Registry& r = registry();
  for (unsigned spins = 0;; ++spins) {
    {
      RingLock ring(*w);
      Record* p = w->pos.load(std::memory_order_relaxed);
      Record* const b = w->begin.load(std::memory_order_relaxed);
      Record* const e = w->end.load(std::memory_order_relaxed);
      if (!in_ring(p, b, e)) {
        p = b;
        w->pos.store(p, std::memory_order_release);
      }
      if (!r.streaming.load(std::memory_order_acquire)) {
        if (p == e) {
          t->laps.fetch_add(1, std::memory_order_release);
          w->pos.store(b, std::memory_order_release);
        }
        w->limit.store(e, std::memory_order_release);
        return;
      }
      Record* rd = t->read.load(std::memory_order_acquire);
      if (!in_ring(rd, b, e)) rd = b;  // (the flusher's position is always in this ring)
      if (p == e && rd != b) {
        p = b;
        t->laps.fetch_add(1, std::memory_order_release);  // (Stats::recorded counts laps)
        w->pos.store(p, std::memory_order_release);
      }
      if (p != e) {
        Record* lim = rd > p ? rd - 1 : e;
        if (lim > p) {
          w->limit.store(lim, std::memory_order_release);
          t->waiting.store(false, std::memory_order_relaxed);
          return;
        }
      }
    }
    // Full: wake the flusher and wait for it (streaming loses nothing).
    t->waiting.store(true, std::memory_order_release);
    if (spins == 0) stream_wake();
    if (spins < 64)
      std::this_thread::yield();
    else
      std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Session
// ---------------------------------------------------------------------------------------------

bool start(const Config& config, std::string* error) {
  using namespace internal;
  Registry& r = registry();
  std::unique_lock<std::mutex> lock(r.mu);
  auto fail = [&](const char* msg) {
    if (error) *error = msg;
    return false;
  };
  // A stop() on another thread still finishing the stream: its flusher reads the rings.
  r.stream_done.wait(lock, [&] { return !r.stream_stopping; });
  if (detail::g_enabled.load() || r.streamer) return fail("already recording");
  if (config.tracer_entries < 64) return fail("tracer_entries must be at least 64");
  if (config.tracer_entries > (size_t(1) << 36)) return fail("tracer_entries is too large");
  if (config.min_duration_ns < 0) return fail("min_duration must not be negative");
  if (config.streaming && !ends_with_ci(config.output_file, ".vzt"))
    return fail("streaming needs a .vzt output_file");
  const ClockCal cal = calibrate(config.clock != Clock::Monotonic);
  // Kept records are ticks of the last session's clock: another one would misread them all.
  if (config.append && r.started && cal.tsc != r.clock.tsc)
    return fail("append needs the clock of the session it adds to (Config::clock)");
  // Everything that can fail comes before the first change: a start() refused leaves the last
  // session as it was (its records, extras and configuration, to be saved still).
  std::vector<std::unique_ptr<Record[]>> fresh(r.threads.size());
  for (size_t i = 0; i < r.threads.size(); ++i) {
    const ThreadBuffer& t = *r.threads[i];
    const bool keep = config.append && t.capacity() == config.tracer_entries;
    if ((t.exited.load() && !keep) || t.storage_cap >= config.tracer_entries) continue;
    fresh[i].reset(new (std::nothrow) Record[config.tracer_entries]);
    if (!fresh[i]) return fail("out of memory for the thread rings");
  }
  const int64_t origin_us = monotonic_ns() / 1000;
  std::unique_ptr<Streamer, StreamerDelete> streamer;
  if (config.streaming) {
    streamer = stream_open(config, cal, origin_us, error);
    if (!streamer) return false;
  }
  r.config = config;
  r.streamed_session = false;
  if (!config.process_name.empty()) r.process_name = config.process_name;
  r.clock = cal;
  r.started = true;
  detail::g_tsc.store(cal.tsc, std::memory_order_relaxed);
  // to_ns() truncates: readings 2 ns of ticks apart are at least 1 ns apart converted.
  detail::g_tick_step.store(cal.tsc ? uint64_t(std::ceil(2.0 / cal.ns_per_tick)) : 1,
                            std::memory_order_relaxed);
  detail::g_max_depth.store(config.max_stack_depth < 0 ? INT32_MAX : config.max_stack_depth,
                            std::memory_order_relaxed);
  // A new session: the rings start empty. Buffers of threads that have exited go (their events
  // belonged to the last session). A live thread's ring takes the new size within its storage
  // when that is big enough, else new storage, the old kept as long as the thread (a push racing
  // with start() may still write one record at a position in it: see detail::push()).
  // (The new rings were made above.) Storage of threads that exited before the previous start()
  // goes now.
  r.retired.clear();
  std::vector<std::unique_ptr<ThreadBuffer>> live;
  for (size_t i = 0; i < r.threads.size(); ++i) {
    auto& t = r.threads[i];
    bool keep = config.append && t->capacity() == config.tracer_entries;
    if (t->exited.load() && !keep) {
      r.retired.push_back(std::move(t->storage));
      continue;
    }
    RingLock ring(t->w);  // (its thread may be in on_limit(), see there)
    if (t->capacity() != config.tracer_entries) {
      if (fresh[i]) {
        t->outgrown.push_back(std::move(t->storage));
        t->outgrown_records += t->storage_cap;
        t->storage = std::move(fresh[i]);
        t->storage_cap = config.tracer_entries;
      }
      t->set_ring(config.tracer_entries);  // (before the limit below: push() reads it first)
    }
    if (!keep) reset(*t);
    t->w.limit.store(t->end, std::memory_order_release);
    t->index = uint32_t(live.size());
    live.push_back(std::move(t));
  }
  r.threads = std::move(live);
  if (!config.append) {
    r.clear_added();
    r.metadata.clear();
  }
  r.origin_us = origin_us;
  r.reset_counts();
  if (streamer) stream_attach(std::move(streamer));
  r.streaming.store(config.streaming, std::memory_order_release);
  detail::g_enabled.store(true, std::memory_order_release);
  return true;
}

void stop() {
  using namespace internal;
  detail::g_enabled.store(false, std::memory_order_release);
  std::string msg;
  stream_stop(&msg);
}

bool recording() { return detail::g_enabled.load(std::memory_order_relaxed); }

bool save(const std::string& path, std::string* message) {
  using namespace internal;
  detail::g_enabled.store(false, std::memory_order_release);
  Registry& r = registry();
  std::string msg;
  bool ok;
  if (stream_stop(&msg)) {
    std::lock_guard<std::mutex> lock(r.mu);
    ok = r.stream_ok;  // the stream was the output
  } else {
    std::unique_lock<std::mutex> lock(r.mu);
    // A stop() on another thread still finishing the stream: its end decides (streamed_session).
    r.stream_done.wait(lock, [&] { return !r.stream_stopping; });
    std::string target = path.empty() ? r.config.output_file : path;
    if (r.streamed_session) {
      // stop() already finished the stream and the rings were drained into it: saving them
      // again would replace the file with the last few records.
      if (target == r.config.output_file) {
        ok = r.stream_ok;
        msg = r.stream_summary;
      } else {
        ok = false;
        msg = "this session was streamed to " + r.config.output_file +
              "; its events are no longer in memory (convert that file: vizviewer --convert " +
              r.config.output_file + " " + target + ")";
      }
    } else {
      try {
        ok = save_locked(target, &msg);
      } catch (...) {
        ok = false;
        msg = "out of memory while saving " + target;
      }
    }
  }
  bool verbose;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    verbose = r.config.verbose;
  }
  if (verbose) std::fprintf(stderr, "vz_recorder: %s\n", msg.c_str());
  if (message) *message = std::move(msg);
  return ok;
}

void clear() {
  using namespace internal;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.streaming.load()) return;  // streamed events are in the file already
  // A watermark, not a reset: threads may be recording right now, and only a ring's owner
  // writes its position (resetting it under a writer would bring cleared records back).
  for (auto& t : r.threads) t->cleared.store(snapshot(*t).written, std::memory_order_release);
  r.clear_added();
}

Stats stats() {
  using namespace internal;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  Stats s;
  for (auto& t : r.threads) {
    RingSnapshot snap = snapshot(*t);
    s.recorded += snap.written;
    s.threads += snap.written > 0;  // (a thread that only named itself has a ring, no records)
    // (a streamed session loses nothing: the flusher wrote what the ring wrapped over, also
    // once stop() has ended the streaming)
    if (!r.streaming.load() && !r.streamed_session) s.lost += snap.lost;
  }
  s.lost += r.noted_lost;
  s.recorded += r.freed_records;
  s.flushed = r.streamed_records.load();
  s.threads += r.freed_threads;
  for (auto& t : r.threads)
    s.ring_bytes += (t->storage ? t->storage_cap + t->outgrown_records : 0) * sizeof(Record);
  s.dropped = r.last_dropped;
  s.added_dropped = r.extras.dropped;
  return s;
}

uint64_t thread_records() {
  const detail::Writer* w = detail::tls_writer;  // (not writer(): nothing to attach for a count)
  return w ? internal::snapshot(*static_cast<const internal::ThreadBuffer*>(w->owner)).written : 0;
}

// Stamped: after the calling thread's latest event, so a complete() made of two readings nests
// with the zones around it and inside it on a clock coarser than the calls.
int64_t now_ns() { return ticks_to_ns(now_ticks_stamped()); }

int64_t ticks_to_ns(uint64_t ticks) {
  using namespace internal;
  if (!detail::g_tsc.load(std::memory_order_relaxed)) return int64_t(ticks);
  return registry().clock.to_ns(ticks);
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

namespace {

// Writes a head record, stamped now (detail::stamp: after the thread's last event), and its
// payload records, or nothing when recording is off. `fill(i, rec)` fills payload record i
// (its meta kind is set here).
template <class Fill>
bool emit(uint32_t name, uint32_t meta, uint32_t npayload, Fill&& fill) {
  if (!detail::g_enabled.load(std::memory_order_acquire)) return false;
  detail::Writer* w = detail::writer();
  if (w == nullptr) return false;
  // An event bigger than the ring would overwrite its own head (or, streaming, wait forever
  // for room): refuse it.
  if (size_t(npayload) + 1 > static_cast<internal::ThreadBuffer*>(w->owner)->capacity()) return false;
  detail::push(w, detail::stamp(w), name, meta);
  for (uint32_t i = 0; i < npayload; ++i) {
    detail::Record rec{0, 0, 0};
    fill(i, rec);
    detail::push(w, rec.ts, rec.name, (rec.meta << 8) | detail::kPayload);
  }
  return true;
}

// Payload records of inline bytes: 8 in ts, 4 in name, 3 in meta's upper bits.
void pack_bytes(std::string_view s, uint32_t i, detail::Record& rec) {
  uint8_t b[internal::kPayloadBytes] = {};
  size_t from = size_t(i) * internal::kPayloadBytes;
  size_t n = std::min<size_t>(internal::kPayloadBytes, s.size() - from);
  std::memcpy(b, s.data() + from, n);
  std::memcpy(&rec.ts, b, 8);
  std::memcpy(&rec.name, b + 8, 4);
  rec.meta = uint32_t(b[12]) | uint32_t(b[13]) << 8 | uint32_t(b[14]) << 16;
}

// An event object whose "ph" is "M" (however it is spaced or escaped), as the save reads it.
bool is_metadata_event(std::string_view object) {
  json::Event ev;
  const char* err = nullptr;
  bool trailing = false;
  if (json::parse_event(object.data(), object.data() + object.size(), ev, &err, &trailing) !=
          json::ParseStatus::Ok ||
      ev.ph.kind != 's')
    return false;
  if (!ev.ph.escaped) return ev.ph.sv() == "M";
  std::string plain;
  return unescape_json(ev.ph.sv(), plain) && plain == "M";
}

// One JSON value, in UTF-8 (JSON text is; other bytes would make the saved .json invalid).
bool valid_json_value(std::string_view v) {
  if (!utf8_valid(v)) return false;
  const char* err = nullptr;
  const char* e = v.data() + v.size();
  const char* p = json::skip_ws(v.data(), e);
  if (p == e) return false;
  const char* q = json::skip_value(p, e, &err);
  return q && json::skip_ws(q, e) == e;
}


}  // namespace

void complete(NameId name, int64_t start_ns, int64_t dur_ns) {
  using namespace internal;
  if (!detail::g_enabled.load(std::memory_order_acquire)) return;
  if (dur_ns < 0) dur_ns = 0;
  const ClockCal& c = registry().clock;
  const int64_t end_ns = start_ns > INT64_MAX - dur_ns ? INT64_MAX : start_ns + dur_ns;  // saturate
  complete_ticks(name, c.to_ticks(start_ns), c.to_ticks(end_ns));
}

bool instant(NameId name, Scope scope, std::string_view args_json) {
  if (uint8_t(scope) > 2) return false;  // the scope has two bits in the record
  if (args_json.size() > kMaxArgs) return false;
  if (!args_json.empty() && !valid_json_value(args_json)) return false;
  uint32_t n = internal::payload_records(args_json.size());
  uint32_t meta = detail::kInstant | uint32_t(scope) << 8 | uint32_t(args_json.size()) << 10;
  return emit(name, meta, n, [&](uint32_t i, detail::Record& rec) { pack_bytes(args_json, i, rec); });
}

bool instant(std::string_view name, Scope scope, std::string_view args_json) {
  if (!recording()) return false;
  if (uint8_t(scope) > 2) return false;
  return instant(intern(name), scope, args_json);
}

bool counter(NameId name, const NameId* keys, const double* values, size_t n) {
  if (n == 0 || n > 255 || !keys || !values) return false;
  return emit(name, detail::kCounter | uint32_t(n) << 8, uint32_t(n),
              [&](uint32_t i, detail::Record& rec) {
                std::memcpy(&rec.ts, &values[i], 8);
                rec.name = keys[i];
              });
}

bool counter(std::string_view name, const Series* series, size_t n) {
  if (!recording() || n == 0 || n > 255 || !series) return false;
  NameId keys[255];
  double values[255];
  for (size_t i = 0; i < n; ++i) keys[i] = intern(series[i].key), values[i] = series[i].value;
  return counter(intern(name), keys, values, n);
}

bool counter(std::string_view name, std::initializer_list<Series> series) {
  return counter(name, series.begin(), series.size());
}

bool log_var(std::string_view name, double value) {
  if (!recording()) return false;
  static const NameId key = intern("value");
  return counter(intern(name), &key, &value, 1);
}

bool log_var(std::string_view name, std::string_view text) {
  if (!recording()) return false;
  // A long text is cut, at a UTF-8 boundary (the args stay valid UTF-8), until its escaped
  // form fits the args (escaping makes a quote two bytes, a control byte six).
  std::string s;  // not a thread_local: this may run from another thread_local's destructor
  for (size_t n = std::min(text.size(), kMaxArgs / 2);;) {
    while (n > 0 && n < text.size() && (uint8_t(text[n]) & 0xC0) == 0x80) --n;
    text = text.substr(0, n);
    s.assign("{\"object\":");
    append_json_string(s, text);
    s += '}';
    if (s.size() <= kMaxArgs) break;
    n = size_t(double(n) * double(kMaxArgs - 64) / double(s.size()));
  }
  return instant(intern(name), Scope::Thread, s);
}

void flow_start(uint64_t id, std::string_view name) {
  if (!recording()) return;
  emit(intern(name), detail::kFlow | uint32_t('s') << 8, 1,
       [&](uint32_t, detail::Record& rec) { rec.ts = id; });
}

void flow_end(uint64_t id, std::string_view name) {
  if (!recording()) return;
  emit(intern(name), detail::kFlow | uint32_t('f') << 8, 1,
       [&](uint32_t, detail::Record& rec) { rec.ts = id; });
}

void set_thread_name(std::string_view name) {
  using namespace internal;
  detail::Writer* w = detail::tls_writer;
  if (w == nullptr) w = detail::attach();
  if (w == nullptr) return;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  static_cast<ThreadBuffer*>(w->owner)->name.assign(clip(name));
}

namespace internal {

void Extras::keep_newest(size_t cap, bool exact) {
  if (cap == 0 || events.size() <= (exact ? cap : 2 * cap)) return;
  const size_t drop = events.size() - cap;
  // Events are in text order (each add appends): the kept ones' text starts at the first's.
  const uint64_t cut = events[drop].at;
  events.erase(events.begin(), events.begin() + ptrdiff_t(drop));
  for (ExtraEvent& x : events) x.at -= cut;
  text.erase(0, size_t(cut));
  dropped += drop;
}

}  // namespace internal

bool add_event_json(std::string_view event) {
  using namespace internal;
  if (!utf8_valid(event)) return false;  // (not JSON text)
  const char* err = nullptr;
  const char* e = event.data() + event.size();
  const char* p = json::skip_ws(event.data(), e);
  if (p == e || *p != '{') return false;
  const char* q = json::skip_value(p, e, &err);
  if (!q || json::skip_ws(q, e) != e) return false;
  if (size_t(q - p) > UINT32_MAX) return false;
  const pid_t pid = getpid();
  const int64_t tid = int64_t(syscall(SYS_gettid));
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.streamed()) return false;
  // Metadata (names of threads, processes, asyncio tasks' tracks) is never dropped for
  // Config::max_added: the events it names may be among those kept.
  const bool metadata = is_metadata_event(std::string_view(p, size_t(q - p)));
  Extras& x = metadata ? r.metadata_events : r.extras;
  x.add(std::string_view(p, size_t(q - p)), pid, tid);
  if (!metadata) x.keep_newest(r.config.max_added, false);
  return true;
}

size_t add_events_json(std::string_view array, size_t* bad, size_t* used) {
  using namespace internal;
  if (bad) *bad = 0;
  if (used) *used = 0;
  const char* err = nullptr;
  const char* e = array.data() + array.size();
  const char* p = json::skip_ws(array.data(), e);
  if (p == e || *p != '[') return 0;
  // One pass: each element is scanned once (add_event_json() would scan it again), and the
  // array's text is kept whole, its elements where they are in it.
  std::vector<ExtraEvent> got;
  const pid_t pid = getpid();
  const int64_t tid = int64_t(syscall(SYS_gettid));
  const char* const first = p;
  size_t left_out = 0;
  std::vector<std::string_view> metadata;  // M events: kept apart, as add_event_json() keeps them
  for (p = json::skip_ws(p + 1, e);;) {
    if (p == e) return 0;  // no closing ']'
    if (*p == ']') break;
    const char* q = json::skip_value(p, e, &err);
    if (!q) return 0;
    const std::string_view element(p, size_t(q - p));
    if (*p != '{' || element.size() > UINT32_MAX || !utf8_valid(element))
      ++left_out;
    else if (is_metadata_event(element))
      metadata.push_back(element);
    else
      got.push_back(ExtraEvent{uint64_t(p - first), uint32_t(q - p), pid, tid});
    p = json::skip_ws(q, e);
    if (p != e && *p == ',') p = json::skip_ws(p + 1, e);
    else if (p != e && *p != ']') return 0;
  }
  if (!used && json::skip_ws(p + 1, e) != e) return 0;
  Registry& r = registry();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    if (r.streamed()) {
      if (bad) *bad = got.size() + metadata.size() + left_out;
      if (used) *used = size_t(p + 1 - array.data());
      return 0;
    }
    for (std::string_view m : metadata) r.metadata_events.add(m, pid, tid);
    const uint64_t at = r.extras.text.size();
    r.extras.text.append(first, size_t(p + 1 - first));
    r.extras.events.reserve(r.extras.events.size() + got.size());
    for (ExtraEvent& x : got) x.at += at, r.extras.events.push_back(x);
    r.extras.keep_newest(r.config.max_added, false);
  }
  if (bad) *bad = left_out;
  if (used) *used = size_t(p + 1 - array.data());
  return got.size() + metadata.size();
}

void note_lost(uint64_t events) {
  using namespace internal;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.noted_lost += events;
}

bool set_metadata(std::string_view key, std::string_view value) {
  using namespace internal;
  if (key.empty() || key == "traceEvents" || !valid_json_value(value)) return false;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (auto& [k, v] : r.metadata)
    if (k == key) return v.assign(value), true;
  r.metadata.emplace_back(std::string(key), std::string(value));
  return true;
}

void set_process_name(std::string_view name) {
  using namespace internal;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.process_name.assign(clip(name));
}

}  // namespace vz::rec
