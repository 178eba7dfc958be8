/* vz_recorder_c.h: the C ABI of the vizviewer recorder, for C programs, the CPython extension
 * and other languages. The same capabilities as the C++ API (recorder/vz_recorder.h), with plain
 * types only; every function may be called from any thread, but not from a signal handler
 * (see recorder/vz_recorder.h).
 *
 * Usage
 *   vzr_config cfg;
 *   vzr_config_init(&cfg);                          // viztracer's defaults
 *   cfg.output_file = "trace.vzt";
 *   char msg[256];
 *   if (!vzr_start(&cfg, msg, sizeof msg)) { fprintf(stderr, "%s\n", msg); return 1; }
 *   uint32_t parse = vzr_intern("parse", 5);        // intern once, keep the id
 *   vzr_begin(parse);  ...  vzr_end();
 *   int64_t t0 = vzr_now_ns();  ...  vzr_complete(parse, t0, vzr_now_ns() - t0);
 *   vzr_instant("checkpoint", VZR_SCOPE_PROCESS, "{\"step\":3}");
 *   vzr_counter1("memory", "rss", 12.5);
 *   vzr_stop();
 *   vzr_save(NULL, msg, sizeof msg);                // NULL: cfg.output_file
 *
 * Return values: int functions return 1 on success, 0 on failure (recording off, bad input).
 * Strings are NUL-terminated UTF-8 unless a length is passed; NULL strings are rejected (0).
 * With VZ_RECORDER_DISABLED defined, every function is an inline no-op returning 0.
 */
#ifndef VZ_RECORDER_C_H
#define VZ_RECORDER_C_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { VZR_SCOPE_THREAD = 0, VZR_SCOPE_PROCESS = 1, VZR_SCOPE_GLOBAL = 2 };
enum { VZR_CLOCK_AUTO = 0, VZR_CLOCK_TSC = 1, VZR_CLOCK_MONOTONIC = 2 };

/* Recording options (see vz::rec::Config). */
typedef struct vzr_config {
  uint64_t tracer_entries;      /* records per thread ring (a zone takes 2); default 1000000 */
  int32_t max_stack_depth;      /* -1: no limit */
  int64_t min_duration_ns;      /* slices shorter than this are left out at save */
  const char* output_file;      /* default "result.vzt"; .vzt, .json or .json.gz */
  int32_t streaming;            /* 1: write output_file while recording (.vzt only) */
  int32_t clock;                /* VZR_CLOCK_* */
  const char* process_name;     /* NULL or "": unnamed */
  int32_t verbose;              /* 1: vzr_save prints its message to stderr */
  uint64_t max_slices;          /* save keeps the newest this many slices (all threads); 0: all */
  const char* category;         /* "cat" of the ring's events; NULL or "": none */
  int32_t append;               /* 1: vzr_start keeps what is recorded (rings of the same size,
                                   events given as JSON, metadata) instead of starting empty */
  uint64_t max_added;           /* keep the newest this many events given as JSON; 0: all */
} vzr_config;

typedef struct vzr_stats {
  uint64_t recorded;  /* records written by all threads since start */
  uint64_t lost;      /* records lost to ring overflow */
  uint64_t flushed;   /* events the streaming writer has written */
  uint32_t threads;   /* threads that recorded */
  uint64_t dropped;   /* slices the last vzr_save left out for max_slices */
  uint64_t added_dropped; /* events given as JSON left out for max_added */
  uint64_t ring_bytes; /* memory the threads' rings hold now */
} vzr_stats;

#ifndef VZ_RECORDER_DISABLED

void vzr_config_init(vzr_config* config);
/* Starts recording (config NULL: defaults). On failure, writes the reason to error (if not
 * NULL, error_size bytes, NUL-terminated) and returns 0. */
int vzr_start(const vzr_config* config, char* error, size_t error_size);
void vzr_stop(void);
int vzr_recording(void);
/* Saves to path (NULL or "": the configured output_file). message as for vzr_start's error. */
int vzr_save(const char* path, char* message, size_t message_size);
void vzr_clear(void);
void vzr_get_stats(vzr_stats* out);

/* Names: intern once, pass the id to the hot-path calls. Returns 0 for NULL. */
uint32_t vzr_intern(const char* s, size_t len);
uint32_t vzr_intern_site(const char* name, const char* file, uint32_t line);

/* Slices. vzr_complete records a finished slice with timestamps from vzr_now_ns(); children
 * must be recorded before their parent (as calls return). */
void vzr_begin(uint32_t name);
void vzr_end(void);
void vzr_complete(uint32_t name, int64_t start_ns, int64_t dur_ns);
int64_t vzr_now_ns(void);
/* The same on the recorder's raw clock (a profiler's hot path: no conversion per event):
 * vzr_complete_ticks(name, t0, t1) with t0, t1 from vzr_now_ticks(); vzr_ticks_to_ns converts.
 * Both readings are stamped: after the calling thread's latest event (strictly increasing, as
 * vzr_begin and vzr_end stamp theirs), so slices nest with zones on a coarse clock. */
uint64_t vzr_now_ticks(void);
void vzr_complete_ticks(uint32_t name, uint64_t t0, uint64_t t1);
int64_t vzr_ticks_to_ns(uint64_t ticks);

/* Other events. args_json: NULL or one JSON value (at most 64 KiB). */
int vzr_instant(const char* name, int scope, const char* args_json);
int vzr_instant_id(uint32_t name, int scope, const char* args_json, size_t args_len);
int vzr_counter(const char* name, const char* const* keys, const double* values, size_t n);
int vzr_counter_ids(uint32_t name, const uint32_t* keys, const double* values, size_t n);
int vzr_counter1(const char* name, const char* key, double value);
int vzr_log_var_number(const char* name, double value);
int vzr_log_var_text(const char* name, const char* text);
/* A NULL name is "flow" (these return nothing to reject it with). */
void vzr_flow_start(uint64_t id, const char* name);
void vzr_flow_end(uint64_t id, const char* name);
/* A NULL name changes nothing. */
void vzr_set_thread_name(const char* name);
void vzr_set_process_name(const char* name);
/* An event as one Chrome JSON object ("ts"/"dur" in us of vzr_now_ns()'s clock; pid/tid default
 * to the caller's), kept outside the rings until the next start/clear: complete events with
 * args, B, N/O/D, M, raw events. 0 when it is not one JSON object, and in a streamed session
 * (its file has no place for it). */
int vzr_event_json(const char* event, size_t len);
/* Every element of a JSON array of such events, in one go; returns how many were added and,
 * when `bad` is not NULL, how many elements were not objects in UTF-8 (all, when streamed). */
size_t vzr_events_json(const char* array, size_t len, size_t* bad);
/* A whole trace file (Chrome JSON, .json.gz, .vzt) added to the session (align: moved to start
 * at 0); its event count, or -1 when it cannot be read or the session is streamed. */
int64_t vzr_add_trace_file(const char* path, int align);
/* A top-level member of the saved trace (key -> one JSON value), e.g. "file_info"; 0 for an
 * invalid value and for the key "traceEvents". */
int vzr_set_metadata(const char* key, const char* value_json, size_t len);
/* Events lost before this session's data came together (a trace added back that had overflowed):
 * counted with the rings' losses in stats and in the saved overflow flag. */
void vzr_note_lost(uint64_t events);

#else /* VZ_RECORDER_DISABLED: every call compiles to nothing */

/* `static inline` is C99; C89 compilers get their own spelling, or plain static functions. */
#if defined(__cplusplus) || (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 199901L)
#define VZR_INLINE_ inline
#elif defined(__GNUC__) || defined(_MSC_VER)
#define VZR_INLINE_ __inline
#else
#define VZR_INLINE_
#endif

static VZR_INLINE_ void vzr_zero_(void* p, size_t n) {  /* outputs are defined even when compiled out */
  unsigned char* b = (unsigned char*)p;
  size_t i;
  for (i = 0; p && i < n; ++i) b[i] = 0;
}
static VZR_INLINE_ void vzr_config_init(vzr_config* c) { vzr_zero_(c, sizeof *c); }
static VZR_INLINE_ int vzr_start(const vzr_config* c, char* e, size_t n) { (void)c; (void)e; (void)n; return 0; }
static VZR_INLINE_ void vzr_stop(void) {}
static VZR_INLINE_ int vzr_recording(void) { return 0; }
static VZR_INLINE_ int vzr_save(const char* p, char* m, size_t n) { (void)p; (void)m; (void)n; return 0; }
static VZR_INLINE_ void vzr_clear(void) {}
static VZR_INLINE_ void vzr_get_stats(vzr_stats* s) { vzr_zero_(s, sizeof *s); }
static VZR_INLINE_ uint32_t vzr_intern(const char* s, size_t n) { (void)s; (void)n; return 0; }
static VZR_INLINE_ uint32_t vzr_intern_site(const char* a, const char* f, uint32_t l) { (void)a; (void)f; (void)l; return 0; }
static VZR_INLINE_ void vzr_begin(uint32_t n) { (void)n; }
static VZR_INLINE_ void vzr_end(void) {}
static VZR_INLINE_ void vzr_complete(uint32_t n, int64_t s, int64_t d) { (void)n; (void)s; (void)d; }
static VZR_INLINE_ int64_t vzr_now_ns(void) { return 0; }
static VZR_INLINE_ uint64_t vzr_now_ticks(void) { return 0; }
static VZR_INLINE_ void vzr_complete_ticks(uint32_t n, uint64_t a, uint64_t b) { (void)n; (void)a; (void)b; }
static VZR_INLINE_ int64_t vzr_ticks_to_ns(uint64_t t) { (void)t; return 0; }
static VZR_INLINE_ int vzr_instant(const char* n, int s, const char* a) { (void)n; (void)s; (void)a; return 0; }
static VZR_INLINE_ int vzr_instant_id(uint32_t n, int s, const char* a, size_t l) { (void)n; (void)s; (void)a; (void)l; return 0; }
static VZR_INLINE_ int vzr_counter(const char* n, const char* const* k, const double* v, size_t c) { (void)n; (void)k; (void)v; (void)c; return 0; }
static VZR_INLINE_ int vzr_counter_ids(uint32_t n, const uint32_t* k, const double* v, size_t c) { (void)n; (void)k; (void)v; (void)c; return 0; }
static VZR_INLINE_ int vzr_counter1(const char* n, const char* k, double v) { (void)n; (void)k; (void)v; return 0; }
static VZR_INLINE_ int vzr_log_var_number(const char* n, double v) { (void)n; (void)v; return 0; }
static VZR_INLINE_ int vzr_log_var_text(const char* n, const char* t) { (void)n; (void)t; return 0; }
static VZR_INLINE_ void vzr_flow_start(uint64_t i, const char* n) { (void)i; (void)n; }
static VZR_INLINE_ void vzr_flow_end(uint64_t i, const char* n) { (void)i; (void)n; }
static VZR_INLINE_ void vzr_set_thread_name(const char* n) { (void)n; }
static VZR_INLINE_ void vzr_set_process_name(const char* n) { (void)n; }
static VZR_INLINE_ int vzr_event_json(const char* e, size_t n) { (void)e; (void)n; return 0; }
static VZR_INLINE_ size_t vzr_events_json(const char* a, size_t n, size_t* b) { (void)a; (void)n; if (b) *b = 0; return 0; }
static VZR_INLINE_ int64_t vzr_add_trace_file(const char* p, int a) { (void)p; (void)a; return -1; }
static VZR_INLINE_ int vzr_set_metadata(const char* k, const char* v, size_t n) { (void)k; (void)v; (void)n; return 0; }
static VZR_INLINE_ void vzr_note_lost(uint64_t n) { (void)n; }

#undef VZR_INLINE_

#endif /* VZ_RECORDER_DISABLED */

#ifdef __cplusplus
}
#endif

#endif /* VZ_RECORDER_C_H */
