/* Compiled as C: the C ABI header must be valid C. Exercises every call once; the checks are in
 * c_api_test.cpp. Returns 0 on success, or the number of the first call that failed. */
#include "recorder/vz_recorder_c.h"

int vz_test_c_api(const char* path, char* message, size_t message_size) {
  vzr_config cfg;
  vzr_config_init(&cfg);
  cfg.output_file = path;
  cfg.process_name = "c program";
  cfg.category = "c";
  cfg.max_added = 2;
  if (!vzr_start(&cfg, message, message_size)) return 1;
  if (!vzr_recording()) return 2;
  vzr_set_thread_name("c main");
  uint32_t outer = vzr_intern_site("outer", "c_api_c_test.c", 12);
  uint32_t inner = vzr_intern("inner", 5);
  vzr_begin(outer);
  int64_t t0 = vzr_now_ns();
  vzr_complete(inner, t0, 0);
  vzr_complete(inner, t0 + 10, 5);
  vzr_end();
  if (!vzr_instant("note", VZR_SCOPE_THREAD, "{\"n\":1}")) return 3;
  if (vzr_instant("bad", VZR_SCOPE_THREAD, "{")) return 4;          /* not JSON */
  if (vzr_instant(NULL, VZR_SCOPE_THREAD, NULL)) return 5;           /* NULL name */
  if (vzr_instant("bad scope", 7, NULL)) return 6;
  const char* keys[2] = {"a", "b"};
  double values[2] = {1.0, 2.0};
  if (!vzr_counter("ctr", keys, values, 2)) return 7;
  if (!vzr_counter1("one", "v", 3.0)) return 8;
  if (vzr_counter("ctr", NULL, values, 2)) return 9;
  if (!vzr_log_var_number("n", 4.0)) return 10;
  if (!vzr_log_var_text("s", "text")) return 11;
  if (vzr_log_var_text("s", NULL)) return 12;
  vzr_flow_start(5, NULL);
  vzr_flow_end(5, "flow");
  if (vzr_intern(NULL, 3) != 0) return 13;
  vzr_stats st;
  {
    uint64_t a = vzr_now_ticks(), b = vzr_now_ticks();  /* a slice on the raw clock, after outer */
    vzr_complete_ticks(vzr_intern("ticked", 6), a, b + 1);
    if (vzr_ticks_to_ns(b + 1) < vzr_ticks_to_ns(a)) return 18;
  }
  if (!vzr_event_json("{\"ph\":\"i\",\"name\":\"j1\",\"ts\":1}", 29)) return 19;
  if (!vzr_event_json("{\"ph\":\"i\",\"name\":\"j2\",\"ts\":1}", 29)) return 20;
  if (!vzr_event_json("{\"ph\":\"i\",\"name\":\"j3\",\"ts\":1}", 29)) return 21;
  vzr_note_lost(5);
  vzr_get_stats(&st);
  if (st.recorded == 0 || st.threads == 0) return 14;
  vzr_stop();
  if (vzr_recording()) return 15;
  if (!vzr_save(NULL, message, message_size)) return 16;
  if (vzr_save("/nonexistent-dir/x.vzt", message, message_size)) return 17;
  return 0;
}
