// The C ABI (recorder/vz_recorder_c.h): thin wrappers over the C++ API that reject NULL
// pointers and copy messages into caller buffers. No exception crosses it.
#include <cstring>
#include <string>

#include "recorder/vz_recorder.h"
#include "recorder/vz_recorder_c.h"

namespace {

void copy_out(const std::string& s, char* out, size_t n) {
  if (!out || n == 0) return;
  size_t k = std::min(s.size(), n - 1);
  std::memcpy(out, s.data(), k);
  out[k] = '\0';
}

std::string_view sv(const char* s) { return s ? std::string_view(s) : std::string_view(); }

// Runs f; an exception (std::bad_alloc from interning a name or attaching a thread's ring) becomes
// `fallback` instead of unwinding into C.
template <class R, class F>
R guarded(R fallback, F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    return fallback;
  }
}
template <class F>
void guarded(F&& f) noexcept {
  try {
    f();
  } catch (...) {
  }
}

}  // namespace

extern "C" {

void vzr_config_init(vzr_config* c) {
  if (!c) return;
  vz::rec::Config d;
  c->tracer_entries = d.tracer_entries;
  c->max_stack_depth = d.max_stack_depth;
  c->min_duration_ns = d.min_duration_ns;
  c->output_file = "result.vzt";
  c->streaming = 0;
  c->clock = VZR_CLOCK_AUTO;
  c->process_name = nullptr;
  c->verbose = 0;
  c->max_slices = 0;
  c->category = nullptr;
  c->append = 0;
  c->max_added = 0;
}

int vzr_start(const vzr_config* c, char* error, size_t error_size) {
  try {
    vz::rec::Config cfg;
    if (c) {
      if (c->clock < VZR_CLOCK_AUTO || c->clock > VZR_CLOCK_MONOTONIC) {
        copy_out("bad clock", error, error_size);
        return 0;
      }
      cfg.tracer_entries = size_t(c->tracer_entries);
      cfg.max_stack_depth = c->max_stack_depth;
      cfg.min_duration_ns = c->min_duration_ns;
      if (c->output_file) cfg.output_file = c->output_file;
      cfg.streaming = c->streaming != 0;
      cfg.clock = vz::rec::Clock(c->clock);
      if (c->process_name) cfg.process_name = c->process_name;
      cfg.verbose = c->verbose != 0;
      cfg.max_slices = size_t(c->max_slices);
      if (c->category) cfg.category = c->category;
      cfg.append = c->append != 0;
      cfg.max_added = size_t(c->max_added);
    }
    std::string err;
    if (vz::rec::start(cfg, &err)) return 1;
    copy_out(err, error, error_size);
  } catch (...) {
    copy_out("out of memory", error, error_size);
  }
  return 0;
}

void vzr_stop(void) { guarded([] { vz::rec::stop(); }); }
int vzr_recording(void) { return vz::rec::recording() ? 1 : 0; }

int vzr_save(const char* path, char* message, size_t message_size) {
  try {
    std::string msg;
    bool ok = vz::rec::save(path ? path : "", &msg);
    copy_out(msg, message, message_size);
    return ok ? 1 : 0;
  } catch (...) {
    copy_out("out of memory", message, message_size);
    return 0;
  }
}

void vzr_clear(void) { guarded([] { vz::rec::clear(); }); }

void vzr_get_stats(vzr_stats* out) {
  if (!out) return;
  vz::rec::Stats s = guarded(vz::rec::Stats{}, [] { return vz::rec::stats(); });
  out->recorded = s.recorded;
  out->lost = s.lost;
  out->flushed = s.flushed;
  out->threads = s.threads;
  out->dropped = s.dropped;
  out->added_dropped = s.added_dropped;
  out->ring_bytes = s.ring_bytes;
}

uint32_t vzr_intern(const char* s, size_t len) {
  if (!s) return 0;
  return guarded(0u, [&] { return vz::rec::intern(std::string_view(s, len)); });
}

uint32_t vzr_intern_site(const char* name, const char* file, uint32_t line) {
  if (!name) return 0;
  return guarded(0u, [&] { return vz::rec::intern_site(name, file, line); });
}

void vzr_begin(uint32_t name) { guarded([&] { vz::rec::begin(name); }); }
void vzr_end(void) { guarded([] { vz::rec::end(); }); }
void vzr_complete(uint32_t name, int64_t start_ns, int64_t dur_ns) {
  guarded([&] { vz::rec::complete(name, start_ns, dur_ns); });
}
int64_t vzr_now_ns(void) { return vz::rec::now_ns(); }
uint64_t vzr_now_ticks(void) { return vz::rec::now_ticks_stamped(); }
void vzr_complete_ticks(uint32_t name, uint64_t t0, uint64_t t1) { vz::rec::complete_ticks(name, t0, t1); }
int64_t vzr_ticks_to_ns(uint64_t ticks) { return guarded(int64_t(0), [&] { return vz::rec::ticks_to_ns(ticks); }); }

int vzr_instant(const char* name, int scope, const char* args_json) {
  if (!name || scope < 0 || scope > 2) return 0;
  return guarded(0, [&] { return vz::rec::instant(sv(name), vz::rec::Scope(scope), sv(args_json)) ? 1 : 0; });
}

int vzr_instant_id(uint32_t name, int scope, const char* args_json, size_t args_len) {
  if (scope < 0 || scope > 2 || (!args_json && args_len)) return 0;
  std::string_view a = args_json ? std::string_view(args_json, args_len) : std::string_view();
  return guarded(0, [&] { return vz::rec::instant(name, vz::rec::Scope(scope), a) ? 1 : 0; });
}

int vzr_counter(const char* name, const char* const* keys, const double* values, size_t n) {
  if (!name || !keys || !values || n == 0 || n > 255) return 0;
  vz::rec::Series s[255];
  for (size_t i = 0; i < n; ++i) {
    if (!keys[i]) return 0;
    s[i] = vz::rec::Series{keys[i], values[i]};
  }
  return guarded(0, [&] { return vz::rec::counter(name, s, n) ? 1 : 0; });
}

int vzr_counter_ids(uint32_t name, const uint32_t* keys, const double* values, size_t n) {
  return guarded(0, [&] { return vz::rec::counter(name, keys, values, n) ? 1 : 0; });
}

int vzr_counter1(const char* name, const char* key, double value) {
  if (!name || !key) return 0;
  vz::rec::Series s{key, value};
  return guarded(0, [&] { return vz::rec::counter(name, &s, 1) ? 1 : 0; });
}

int vzr_log_var_number(const char* name, double value) {
  if (!name) return 0;
  return guarded(0, [&] { return vz::rec::log_var(name, value) ? 1 : 0; });
}

int vzr_log_var_text(const char* name, const char* text) {
  if (!name || !text) return 0;
  return guarded(0, [&] { return vz::rec::log_var(sv(name), sv(text)) ? 1 : 0; });
}

void vzr_flow_start(uint64_t id, const char* name) {
  guarded([&] { vz::rec::flow_start(id, name ? sv(name) : std::string_view("flow")); });
}
void vzr_flow_end(uint64_t id, const char* name) {
  guarded([&] { vz::rec::flow_end(id, name ? sv(name) : std::string_view("flow")); });
}
void vzr_set_thread_name(const char* name) {
  if (name) guarded([&] { vz::rec::set_thread_name(name); });
}
void vzr_set_process_name(const char* name) {
  if (name) guarded([&] { vz::rec::set_process_name(name); });
}

int vzr_event_json(const char* event, size_t len) {
  if (!event) return 0;
  try {
    return vz::rec::add_event_json(std::string_view(event, len)) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

size_t vzr_events_json(const char* array, size_t len, size_t* bad) {
  if (bad) *bad = 0;
  if (!array) return 0;
  try {
    return vz::rec::add_events_json(std::string_view(array, len), bad);
  } catch (...) {
    return 0;
  }
}

int64_t vzr_add_trace_file(const char* path, int align) {
  if (!path) return -1;
  try {
    return vz::rec::add_trace_file(path, align != 0);
  } catch (...) {
    return -1;
  }
}

void vzr_note_lost(uint64_t events) { guarded([&] { vz::rec::note_lost(events); }); }

int vzr_set_metadata(const char* key, const char* value_json, size_t len) {
  if (!key || !value_json) return 0;
  try {
    return vz::rec::set_metadata(key, std::string_view(value_json, len)) ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

}  // extern "C"
