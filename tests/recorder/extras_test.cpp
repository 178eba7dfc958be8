// Tests of what the Python tracer needs from the recorder: complete_ticks, the category and
// max_slices options, events given as JSON (recorder/extras.cpp) and trace metadata.
#include <set>
#include <doctest/doctest.h>

#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "formats/io.h"
#include "recorder/vz_recorder_c.h"
#include "tests/recorder/recorder_test_util.h"
#include "tests/temp_dir.h"

using namespace vz;
using namespace vz::rec_test;

namespace {

std::string file_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string metadata_of(const Trace& t, std::string_view key) {
  for (const MetadataEntry& m : t.metadata)
    if (t.str(m.key) == key) return std::string(t.view(m.value));
  return {};
}

// Saves the session as stem.vzt and as stem.json, then fn(file name, trace loaded back) for each.
template <class Fn>
void each_saved(const test::TempDir& dir, const std::string& stem, Fn&& fn) {
  std::string msg;
  for (std::string name : {stem + ".vzt", stem + ".json"}) {
    CAPTURE(name);
    REQUIRE_MESSAGE(rec::save(dir / name, &msg), msg);
    LoadResult r = load(dir / name);
    fn(name, *r.trace);
  }
}

}  // namespace

TEST_CASE("recorder: complete_ticks slices get the category; max_slices keeps the newest") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.category = "FEE";
  cfg.max_slices = 10;
  start_session(cfg);
  rec::NameId a = rec::intern("a"), b = rec::intern("b");
  for (int i = 0; i < 100; ++i) {
    uint64_t t0 = rec::now_ticks();
    rec::complete_ticks(i < 95 ? a : b, t0, rec::now_ticks());
  }
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "m.json", &msg), msg);
  CHECK(msg.find("90 oldest slices were dropped to keep the newest Config::max_slices") != std::string::npos);
  CHECK(rec::stats().dropped == 90);
  LoadResult r = load(dir / "m.json");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 1);
  CHECK(t.threads[0].slices.size() + t.threads[0].overflow.size() == 10);
  size_t bs = 0;
  for (uint32_t l : t.threads[0].slices.label) {
    CHECK(t.str(t.labels[l].cat) == "FEE");
    bs += t.name_of(l) == "b";
  }
  CHECK(bs == 5);
  std::string meta = metadata_of(t, "viztracer_metadata");
  CHECK(meta.find("\"overflow\":true") != std::string::npos);
  CHECK(meta.find("\"baseTimeNanoseconds\":") != std::string::npos);
}

TEST_CASE("recorder: events given as JSON become the model's events, with their args") {
  test::TempDir dir;
  start_session();
  double now_us = double(rec::now_ns()) / 1000.0;
  std::string ts = std::to_string(now_us);
  CHECK(rec::add_event_json(R"({"ph":"X","name":"call","cat":"FEE","ts":)" + ts +
                            R"(,"dur":5,"tid":77,"args":{"func_args":{"x":"1"}}})"));
  CHECK(rec::add_event_json(R"({"ph":"B","name":"open","ts":)" + ts + "}"));
  CHECK(rec::add_event_json(R"({"ph":"i","name":"g","ts":)" + ts + R"(,"s":"g"})"));
  CHECK(rec::add_event_json(R"({"ph":"i","name":"p","ts":)" + ts + R"(,"s":"p","args":{"k":1}})"));
  CHECK(rec::add_event_json(R"({"ph":"C","name":"cnt","ts":)" + ts + R"(,"args":{"a":1,"b":2.5}})"));
  for (const char* ph : {"N", "O", "D"})
    CHECK(rec::add_event_json(std::string(R"({"ph":")") + ph + R"(","id":"42","name":"obj","ts":)" + ts + "}"));
  CHECK(rec::add_event_json(R"({"ph":"M","name":"thread_name","tid":77,"args":{"name":"task-a"}})"));
  CHECK_FALSE(rec::add_event_json("{\"ph\":"));
  CHECK_FALSE(rec::add_event_json("[1]"));
  CHECK(rec::set_metadata("file_info", R"({"files":{},"functions":{"call":["/x.py",3]}})"));
  CHECK(rec::set_metadata("viztracer_metadata", R"({"sync_marker":12.5,"overflow":"ignored"})"));
  CHECK_FALSE(rec::set_metadata("bad", "{"));
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "e.json", &msg), msg);
  LoadResult r = load(dir / "e.json");
  const Trace& t = *r.trace;
  const Thread* task = nullptr;
  for (const Thread& th : t.threads)
    if (t.str(th.tid) == "77") task = &th;
  REQUIRE(task != nullptr);
  CHECK(t.str(task->name) == "task-a");
  REQUIRE(task->slices.size() == 1);
  CHECK(task->slices.dur[0] == 5000);
  CHECK(t.view(task->slices.args_of(0)) == R"({"func_args":{"x":"1"}})");
  uint64_t open = 0;
  for (const Thread& th : t.threads) open += th.unmatched_begin;
  CHECK(open == 1);
  CHECK(t.global_instants.size() == 1);
  REQUIRE(t.process_instants.size() == 1);
  CHECK(t.view(t.process_instants[0].args) == R"({"k":1})");
  REQUIRE(t.counters.size() == 1);
  CHECK(t.counters[0].series.size() == 2);
  CHECK(t.objects.size() == 3);
  CHECK(t.functions.size() == 1);
  std::string meta = metadata_of(t, "viztracer_metadata");
  CHECK(meta.find("\"sync_marker\":12.5") != std::string::npos);
  CHECK(meta.find("ignored") == std::string::npos);
}

TEST_CASE("recorder: a counter given as JSON with null values keeps the sample, with no value there") {
  test::TempDir dir;
  start_session();
  std::string ts = std::to_string(double(rec::now_ns()) / 1000.0);
  CHECK(rec::add_event_json(R"({"ph":"C","name":"loss","ts":)" + ts + R"(,"args":{"value":1.5}})"));
  CHECK(rec::add_event_json(R"({"ph":"C","name":"loss","ts":)" + ts + R"(1,"args":{"value":null}})"));
  CHECK(rec::add_event_json(R"({"ph":"C","name":"loss","ts":)" + ts + R"(2,"args":{"value":1e999}})"));
  std::string msg;
  for (const char* name : {"n.json", "n.vzt"}) {
    INFO(name);
    REQUIRE_MESSAGE(rec::save(dir / name, &msg), msg);
    LoadResult r = load(dir / name);
    const Trace& t = *r.trace;
    REQUIRE(t.counters.size() == 1);
    REQUIRE(t.counters[0].series.size() == 1);
    const std::vector<double>& v = t.counters[0].series[0].values;
    REQUIRE(v.size() == 3);
    CHECK(v[0] == 1.5);
    CHECK(std::isnan(v[1]));
    CHECK(std::isinf(v[2]));
    CHECK(t.diagnostics.empty());
  }
}

TEST_CASE("recorder: events given as JSON are dropped by clear() and the next start()") {
  test::TempDir dir;
  start_session();
  CHECK(rec::add_event_json(R"({"ph":"i","name":"gone","ts":1})"));
  rec::clear();
  start_session();
  CHECK(rec::add_event_json(R"({"ph":"i","name":"kept","ts":1,"s":"g"})"));
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "c.json", &msg), msg);
  LoadResult r = load(dir / "c.json");
  REQUIRE(r.trace->global_instants.size() == 1);
  CHECK(r.trace->name_of(r.trace->global_instants[0].label) == "kept");
}

TEST_CASE("recorder: start() with append keeps the events recorded so far") {
  test::TempDir dir;
  start_session();
  rec::NameId a = rec::intern("first"), b = rec::intern("second");
  uint64_t t0 = rec::now_ticks();
  rec::complete_ticks(a, t0, rec::now_ticks());
  CHECK(rec::add_event_json(R"({"ph":"i","name":"kept","ts":1,"s":"g"})"));
  rec::stop();
  rec::Config cfg;
  cfg.append = true;
  std::string err;
  REQUIRE_MESSAGE(rec::start(cfg, &err), err);
  t0 = rec::now_ticks();
  rec::complete_ticks(b, t0, rec::now_ticks());
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "a.json", &msg), msg);
  LoadResult r = load(dir / "a.json");
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 1);
  CHECK(t.threads[0].slices.size() == 2);
  CHECK(t.global_instants.size() == 1);
}

TEST_CASE("recorder: a start() refused changes nothing: the last session is still there to save") {
  test::TempDir dir;
  rec::Config first;
  first.output_file = dir / "first.json";
  start_session(first);
  const rec::NameId z = rec::intern("z");
  for (int k = 0; k < 100; ++k) rec::Zone a(z);
  CHECK(rec::add_event_json(R"({"ph":"i","name":"kept","ts":1,"s":"g"})"));
  CHECK(rec::set_metadata("note", R"("from the first session")"));
  rec::stop();
  const uint64_t recorded = rec::stats().recorded;
  REQUIRE(recorded >= 200);
  // A streaming output in a directory that does not exist, and a ring too small: both refused.
  rec::Config bad;
  bad.streaming = true;
  bad.output_file = dir / "no/such/x.vzt";
  std::string err;
  CHECK_FALSE(rec::start(bad, &err));
  CHECK(err.find("x.vzt") != std::string::npos);
  bad.streaming = false;
  bad.tracer_entries = 1;
  CHECK_FALSE(rec::start(bad, &err));
  CHECK_FALSE(rec::recording());
  CHECK(rec::stats().recorded == recorded);
  std::string msg;
  REQUIRE_MESSAGE(rec::save("", &msg), msg);  // the first session's output_file
  LoadResult r = load(dir / "first.json");
  REQUIRE(r.trace);
  const Trace& t = *r.trace;
  REQUIRE(t.threads.size() == 1);
  CHECK(t.threads[0].slices.size() == 100);
  REQUIRE(t.global_instants.size() == 1);
  CHECK(t.name_of(t.global_instants[0].label) == "kept");
  bool note = false;
  for (const MetadataEntry& m : t.metadata) note |= t.str(m.key) == "note";
  CHECK(note);
  CHECK_FALSE(std::ifstream(dir / "no/such/x.vzt").good());
}

TEST_CASE("recorder: add_events_json adds an array's events as add_event_json adds each") {
  test::TempDir dir;
  const std::vector<std::string> events = {
      R"({"ph":"X","name":"call","cat":"FEE","ts":10,"dur":5,"tid":77,"args":{"x":"[1,2]"}})",
      R"({"ph":"B","name":"open","ts":11,"tid":77})",
      R"({"ph":"i","name":"g","ts":12,"s":"g","tts":3})",
      R"({"ph":"C","name":"cnt","ts":13,"args":{"a":1}})",
      R"({"ph":"M","name":"thread_name","tid":77,"args":{"name":"task-a"}})",
  };
  auto file_of = [&](const std::string& name, auto&& add) {
    start_session();
    add();
    std::string msg;
    REQUIRE_MESSAGE(rec::save(dir / name, &msg), msg);
    rec::stop();
    std::string text = file_text(dir / name);
    const size_t base = text.find("\"baseTimeNanoseconds\"");  // (the clocks' offset moves by a ns or so)
    REQUIRE(base != std::string::npos);
    return text.substr(0, base);
  };
  const std::string one_by_one = file_of("one.json", [&] {
    for (const std::string& e : events) CHECK(rec::add_event_json(e));
  });
  std::string array = " [\n";
  for (size_t i = 0; i < events.size(); ++i) array += (i ? " ,\n  " : "  ") + events[i] + (i == 2 ? ", 7, \"s\"" : "");
  array += "\n] ";
  size_t bad = 99;
  const std::string bulk = file_of("bulk.json", [&] {
    CHECK(rec::add_events_json(array, &bad) == events.size());
    CHECK(bad == 2);  // the number and the string
  });
  CHECK(bulk == one_by_one);
  LoadResult r = load(dir / "bulk.json");
  CHECK(r.trace->global_instants.size() == 1);
  CHECK(r.trace->counters.size() == 1);

  // Not one JSON array: nothing is added.
  start_session();
  for (const char* not_array : {"", "{}", "[", "[{\"ph\":\"i\"}", "[{\"ph\":\"i\"} {}]", "[{}] x", "[{\"ph\":}]", "[,]"}) {
    bad = 99;
    CHECK_MESSAGE(rec::add_events_json(not_array, &bad) == 0, not_array);
    CHECK(bad == 0);
  }
  CHECK(rec::add_events_json("[]") == 0);
  // With `used`, the rest of a document may follow the array.
  size_t used = 99;
  const std::string doc = R"([ {"ph":"i","name":"rest","ts":1,"s":"g"} ] ,"file_info":{}})";
  CHECK(rec::add_events_json(doc, &bad, &used) == 1);
  CHECK(used == doc.find(']') + 1);
  CHECK(rec::add_events_json(R"({"traceEvents":[]})", &bad, &used) == 0);
  CHECK(used == 0);
  CHECK(rec::add_events_json(R"([{"ph":"i"} x])", &bad, &used) == 0);
  CHECK(used == 0);
  CHECK(rec::add_events_json(R"([{"ph":"i","name":"kept","ts":1,"s":"g"},])") == 1);  // a trailing comma
  size_t c_bad = 99;
  const std::string c_array = R"([{"ph":"i","name":"c","ts":2,"s":"g"},null])";
  CHECK(vzr_events_json(c_array.data(), c_array.size(), &c_bad) == 1);
  CHECK(c_bad == 1);
  CHECK(vzr_events_json(nullptr, 0, &c_bad) == 0);
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "k.json", &msg), msg);
  LoadResult k = load(dir / "k.json");
  REQUIRE(k.trace->global_instants.size() == 3);
  CHECK(k.trace->name_of(k.trace->global_instants[0].label) == "rest");
  CHECK(k.trace->name_of(k.trace->global_instants[1].label) == "kept");
  CHECK(k.trace->name_of(k.trace->global_instants[2].label) == "c");
}

TEST_CASE("recorder: events given as JSON get the thread and label their own fields name") {
  // add_extra_events() remembers the last pid/tid and every label by how they are written: the
  // same text written differently is the same thread or label, different defaults are not.
  test::TempDir dir;
  start_session();
  auto x = [](const std::string& fields, int ts) {
    return R"({"ph":"X","ts":)" + std::to_string(ts) + R"(,"dur":1,)" + fields + "}";
  };
  std::string array = "[";
  int ts = 0;
  for (const char* who : {R"("pid":1,"tid":2)", R"("pid":1,"tid":3)", R"("pid":"1","tid":2.0)", R"("pid":2,"tid":2)",
                          R"("pid":1,"tid":"2")"}) {
    for (const char* what : {R"("name":"f","cat":"a")", R"("name":"f","cat":"b")", R"("name":"\u0066","cat":"a")",
                             R"("name":"f","cat":"a","cname":"good")", R"("name":"f","cat":"a","cname":"bad")",
                             R"("name":"f")", R"("name":"f","cat":"a","cname":"not_a_colour")"})
      array += (array.size() > 1 ? "," : "") + x(std::string(who) + "," + what, ts += 10);
  }
  array += "]";
  CHECK(rec::add_events_json(array) == 35);
  // No pid or tid: the adding thread's (two threads, two tids).
  CHECK(rec::add_event_json(x(R"("name":"f","cat":"a")", ts += 10)));
  std::thread([&] { CHECK(rec::add_event_json(x(R"("name":"f","cat":"a")", ts += 10))); }).join();
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "w.json", &msg), msg);
  LoadResult r = load(dir / "w.json");
  const Trace& t = *r.trace;
  std::map<std::pair<std::string, std::string>, size_t> per_thread;
  std::map<std::string, size_t> per_label;
  for (const Thread& th : t.threads) {
    per_thread[{std::string(t.str(t.processes[th.process].pid)), std::string(t.str(th.tid))}] += th.slices.size();
    for (uint32_t l : th.slices.label)
      ++per_label[std::string(t.name_of(l)) + "/" + std::string(t.str(t.labels[l].cat)) + "/" +
                  std::to_string(t.labels[l].color)];
  }
  const std::string me = std::to_string(getpid());
  CHECK(per_thread[{"1", "2"}] == 21);
  CHECK(per_thread[{"1", "3"}] == 7);
  CHECK(per_thread[{"2", "2"}] == 7);
  CHECK(per_thread.size() == 5);  // and the two adding threads of this process
  size_t mine = 0;
  for (auto& [k, n] : per_thread) mine += k.first == me ? n : 0;
  CHECK(mine == 2);
  const std::string good = std::to_string(chrome_color("good")), bad = std::to_string(chrome_color("bad"));
  CHECK(per_label["f/a/0"] == 5 * 3 + 2);  // "f" and "\u0066", the not-a-colour cname, no pid/tid
  CHECK(per_label["f/b/0"] == 5);
  CHECK(per_label["f//0"] == 5);
  CHECK(per_label["f/a/" + good] == 5);
  CHECK(per_label["f/a/" + bad] == 5);
  CHECK(per_label.size() == 5);
}

TEST_CASE("recorder: add_trace_file adds a whole trace's events, at their times or aligned") {
  test::TempDir dir;
  const std::string in = dir / "in.json";
  {
    std::ofstream f(in);
    f << R"({"traceEvents":[
{"ph":"M","pid":5,"tid":6,"name":"thread_name","args":{"name":"worker"}},
{"ph":"X","pid":5,"tid":6,"ts":1000,"dur":10,"name":"call","cat":"FEE","args":{"x":1}},
{"ph":"B","pid":5,"tid":6,"ts":1020,"name":"open"},
{"ph":"E","pid":5,"tid":7,"ts":1030},
{"ph":"i","pid":5,"tid":6,"ts":1005,"name":"mark","s":"p","tts":4},
{"ph":"C","pid":5,"ts":1001,"name":"mem","args":{"a":3}},
{"ph":"P","pid":5,"tid":6,"ts":1040,"name":"sample"}],
"file_info":{"files":{},"functions":{"call":["/x.py",3]}}})";
  }
  start_session();
  std::string info, error;
  CHECK(rec::add_trace_file(in, false, &info, &error) == 7);
  CHECK(info == R"({"files":{},"functions":{"call":["/x.py",3]}})");
  CHECK_MESSAGE(error.find("E event with no open B") != std::string::npos, error);  // (it has one)
  CHECK(rec::add_trace_file(dir / "missing.json", false, nullptr, &error) == -1);
  CHECK(!error.empty());
  CHECK(vzr_add_trace_file(nullptr, 0) == -1);
  std::string msg;
  for (const char* out : {"out.json", "out.vzt"}) {
    CAPTURE(out);
    REQUIRE_MESSAGE(rec::save(dir / out, &msg), msg);
    LoadResult r = load(dir / out);
    const Trace& t = *r.trace;
    const Thread* worker = nullptr;
    uint64_t unmatched_end = 0;
    for (const Thread& th : t.threads) {
      if (t.str(t.processes[th.process].pid) == "5" && t.str(th.tid) == "6") worker = &th;
      unmatched_end += th.unmatched_end;
    }
    REQUIRE(worker != nullptr);
    CHECK(t.str(worker->name) == "worker");
    REQUIRE(worker->slices.size() == 2);
    CHECK(worker->unmatched_begin == 1);
    CHECK(unmatched_end == 1);
    // At their own times: the call began 1000 us after the clock's zero.
    CHECK(t.origin_us * 1000 + worker->slices.start[0] == 1000000);
    if (std::string(out) == "out.json") CHECK(file_text(dir / out).find(R"("ts":1040,)") != std::string::npos);
    CHECK(t.view(worker->slices.args_of(0)) == R"({"x":1})");
    REQUIRE(t.process_instants.size() == 1);
    CHECK(t.view(t.process_instants[0].extra).find("\"tts\":4") != std::string_view::npos);
    REQUIRE(t.counters.size() == 1);
    CHECK(t.origin_us * 1000 + t.counters[0].ts[0] == 1001000);
  }
  // Aligned, twice: each copy starts at 0 (one thread, both copies' slices).
  start_session();
  CHECK(rec::add_trace_file(in, true) == 7);
  CHECK(vzr_add_trace_file(in.c_str(), 1) == 7);
  REQUIRE_MESSAGE(rec::save(dir / "aligned.json", &msg), msg);
  // The events kept as their text (the P, the unmatched E) moved with the others.
  const std::string aligned = file_text(dir / "aligned.json");
  CHECK(aligned.find(R"("ph":"P","pid":5,"tid":6,"ts":40,)") != std::string::npos);
  CHECK(aligned.find(R"("ph":"E","pid":5,"tid":7,"ts":30})") != std::string::npos);
  CHECK(aligned.find("1040") == std::string::npos);
  LoadResult r = load(dir / "aligned.json");
  const Trace& t = *r.trace;
  for (const Thread& th : t.threads) {
    if (t.str(th.tid) != "6") continue;
    REQUIRE(th.slices.size() == 4);
    size_t at_zero = 0;
    for (Time s : th.slices.start) at_zero += t.origin_us * 1000 + s == 0;
    CHECK(at_zero == 2);  // the calls of both copies
  }
}

TEST_CASE("recorder: a trace added that had overflowed makes the saved one say so and count its loss") {
  test::TempDir dir;
  auto write_trace = [&](const std::string& name, const std::string& meta) {
    std::ofstream(dir / name) << R"({"traceEvents":[{"ph":"X","pid":5,"tid":6,"ts":1000,"dur":10,"name":"call"}],)"
                              << R"("viztracer_metadata":)" << meta << "}";
    return dir / name;
  };
  const std::string full =
      write_trace("full.json", R"({"version":"1","overflow":true,"lost_records":500,"lost_slices":10,"lost_added":3})");
  const std::string flagged = write_trace("flagged.json", R"({"overflow":true})");
  const std::string fine = write_trace("fine.json", R"({"overflow":false,"lost_records":0})");
  start_session();
  CHECK(rec::add_trace_file(fine) == 1);
  CHECK(rec::stats().lost == 0);
  CHECK(rec::add_trace_file(full) == 1);
  CHECK(rec::add_trace_file(flagged) == 1);  // no count: one at least
  CHECK(rec::stats().lost == 514);
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "out.json", &msg), msg);
  const std::string out = file_text(dir / "out.json");
  CHECK(out.find(R"("overflow":true)") != std::string::npos);
  CHECK(out.find(R"("lost_records":514)") != std::string::npos);
  start_session();  // a new session: nothing of it lost
  CHECK(rec::stats().lost == 0);
}

TEST_CASE("recorder: add_trace_file says what was wrong in a file that loads anyway") {
  test::TempDir dir;
  const std::string cut = dir / "cut.json";
  {
    std::ofstream f(cut);
    f << R"({"traceEvents":[{"ph":"X","pid":1,"tid":1,"ts":1,"dur":2,"name":"a"},{"ph":"X","pid":1,"tid":1,"ts":)";
  }
  start_session();
  std::string error;
  CHECK(rec::add_trace_file(cut, false, nullptr, &error) >= 1);
  CHECK_MESSAGE(error.find("offset ") == 0, error);
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "out.json", &msg), msg);
  LoadResult r = load(dir / "out.json");
  size_t slices = 0;
  for (const Thread& th : r.trace->threads) slices += th.slices.size();
  CHECK(slices == 1);
}

TEST_CASE("recorder: events given as JSON are modelled as the JSON reader models them, in .vzt too") {
  // A .vzt keeps no event as text for a later reader to pair: B/E pairs, async slices and
  // marks, flows, R marks, scoped objects and counter keys with escapes are made at the save.
  test::TempDir dir;
  start_session();
  const std::string ts = std::to_string(double(rec::now_ns()) / 1000.0);
  auto at = [&](int us) { return std::to_string(std::stod(ts) + us); };
  const std::vector<std::string> events = {
      R"({"ph":"B","name":"be","tid":1,"ts":)" + at(0) + R"(,"bind_id":"0x8","flow_out":true})",
      R"({"ph":"E","tid":1,"ts":)" + at(4) + "}",
      R"({"ph":"b","name":"as","cat":"c","id":"1","tid":1,"ts":)" + at(0) + "}",
      R"({"ph":"n","name":"as","cat":"c","id":"1","tid":1,"ts":)" + at(1) + "}",
      R"({"ph":"e","name":"as","cat":"c","id":"1","tid":2,"ts":)" + at(3) + "}",
      R"({"ph":"s","name":"fl","cat":"c","id":"2","tid":1,"ts":)" + at(1) + "}",
      R"({"ph":"f","name":"fl","cat":"c","id":"2","tid":1,"ts":)" + at(2) + R"(,"bp":"e"})",
      R"({"ph":"R","name":"mark","tid":1,"ts":)" + at(2) + "}",
      R"({"ph":"X","name":"src","tid":1,"ts":)" + at(0) + R"(,"dur":1,"bind_id":"0x9","flow_out":true})",
      R"({"ph":"X","name":"dst","tid":1,"ts":)" + at(2) + R"(,"dur":1,"bind_id":"0x9","flow_in":true})",
      R"({"ph":"N","name":"obj","id":"0x1","scope":"a","tid":1,"ts":)" + at(0) + "}",
      R"({"ph":"N","name":"obj","id":"0x1","scope":"b","tid":1,"ts":)" + at(1) + "}",
      R"({"ph":"C","name":"cnt","tid":1,"ts":)" + at(1) + R"(,"args":{"k\"q":1,"\u00e9\\":2}})",
  };
  for (const std::string& e : events) CHECK_MESSAGE(rec::add_event_json(e), e);
  each_saved(dir, "m", [](const std::string&, const Trace& t) {
    const Thread* one = nullptr;
    for (const Thread& th : t.threads)
      if (t.str(th.tid) == "1") one = &th;
    REQUIRE(one != nullptr);
    REQUIRE(one->slices.size() == 3);
    CHECK(one->slices.depths() == 2);
    CHECK(one->slices.dur[0] == 4000);
    CHECK(one->unmatched_begin == 0);
    CHECK(one->unmatched_end == 0);
    REQUIRE(t.async_slices.size() == 1);
    CHECK(t.async_slices[0].dur == 3000);
    CHECK(t.str(t.async_slices[0].id) == "1");
    CHECK(t.async_marks.size() == 1);
    REQUIRE(t.flows.size() == 5);  // s, f, and the three slices' bind_id ends (X, X, B)
    std::vector<std::string> kinds;  // (f and the X at its time come in either order)
    for (const FlowEvent& f : t.flows)
      kinds.push_back(std::string(1, f.phase) + char('0' + f.v2) + std::string(t.str(f.id)) +
                      (f.bind_enclosing ? " e" : ""));
    std::sort(kinds.begin(), kinds.end());
    CHECK(kinds == std::vector<std::string>{"X10x9", "X20x8", "X20x9", "f02 e", "s02"});
    REQUIRE(one->instants.size() == 1);
    CHECK(one->instants[0].phase == 'R');
    REQUIRE(t.objects.size() == 2);
    CHECK(t.str(t.objects[0].scope) == "a");
    CHECK(t.str(t.objects[1].scope) == "b");
    CHECK(t.objects[0].extra.len == 0);  // the scope is modelled, nothing else to keep
    REQUIRE(t.counters.size() == 1);
    std::vector<std::string> keys;
    for (const CounterSeries& s : t.counters[0].series) keys.emplace_back(t.str(s.key));
    CHECK(keys == std::vector<std::string>{"k\"q", "\xc3\xa9\\"});
    CHECK(t.others.empty());
  });
}

TEST_CASE("recorder: events given as JSON keep what the JSON reader keeps: odd names, metadata it cannot apply, stray async ends") {
  test::TempDir dir;
  start_session();
  const std::string ts = std::to_string(double(rec::now_ns()) / 1000.0);
  CHECK(rec::add_event_json(R"({"ph":"X","name":null,"cat":7,"tid":1,"ts":)" + ts + R"(,"dur":2})"));
  CHECK(rec::add_event_json(R"({"ph":"M","name":"thread_name","tid":1,"args":{"name":5}})"));
  CHECK(rec::add_event_json(R"({"ph":"e","name":"stray","cat":"c","id":"9","tid":1,"ts":)" + ts + "}"));
  std::string msg;
  REQUIRE_MESSAGE(rec::save(dir / "k.json", &msg), msg);
  CAPTURE(msg);
  CHECK(msg.find("1 added events the trace has no place for") != std::string::npos);
  CHECK(msg.find("left out") == std::string::npos);
  each_saved(dir, "k", [](const std::string&, const Trace& t) {
    size_t slices = 0;
    for (const Thread& th : t.threads) {
      for (uint32_t i = 0; i < th.slices.size(); ++i, ++slices) {
        CHECK(t.name_of(th.slices.label[i]).empty());
        CHECK(t.str(t.labels[th.slices.label[i]].cat) == "7");
      }
      CHECK(t.str(th.name).empty());  // the thread_name was not applied
    }
    CHECK(slices == 1);
    std::set<std::string> kept;
    for (const OtherEvent& o : t.others) kept.insert(std::string(t.str(o.phase)));
    CHECK(kept == std::set<std::string>{"M", "e"});
  });
}

TEST_CASE("recorder: what the JSON reader drops or keeps off a thread, events given as JSON do too") {
  // An event without "ts" (an X without a valid "dur") is kept as text; an async end's own
  // tid makes a bare thread (no track), an event kept as text none; a thread whose only events
  // are orphan ends is listed.
  test::TempDir dir;
  rec::Config cfg;
  cfg.tracer_entries = 64;  // the smallest ring: the other thread's last 64 records are ends
  start_session(cfg);
  const std::string ts = std::to_string(double(rec::now_ns()) / 1000.0);
  CHECK(rec::add_event_json(R"({"ph":"B","name":"no time","tid":1})"));
  CHECK(rec::add_event_json(R"({"ph":"X","name":"no dur","tid":1,"ts":)" + ts + "}"));
  CHECK(rec::add_event_json(R"({"ph":"X","name":"negative","tid":9,"ts":)" + ts + R"(,"dur":-1})"));
  CHECK(rec::add_event_json(R"({"ph":"X","name":"kept","tid":1,"ts":)" + ts + R"(,"dur":2})"));
  CHECK(rec::add_event_json(R"({"ph":"b","name":"as","cat":"c","id":"1","tid":1,"ts":)" + ts + "}"));
  CHECK(rec::add_event_json(R"({"ph":"e","name":"as","cat":"c","id":"1","tid":2,"ts":)" + ts + "}"));
  CHECK(rec::add_event_json(R"({"ph":"P","name":"sample","tid":3,"ts":)" + ts + "}"));
  std::thread([] {
    const rec::NameId z = rec::intern("z");
    for (int i = 0; i < 100; ++i) rec::begin(z);
    for (int i = 0; i < 100; ++i) rec::end();
  }).join();
  each_saved(dir, "d", [](const std::string& name, const Trace& t) {
    std::vector<std::string> names;
    for (const Thread& th : t.threads)
      for (uint32_t i = 0; i < th.slices.size(); ++i) names.emplace_back(t.name_of(th.slices.label[i]));
    CHECK(names == std::vector<std::string>{"kept"});
    CHECK(t.async_slices.size() == 1);
    size_t ends = 0, rest = 0;  // the orphan ends, and the P, B and X events kept as text
    std::set<uint32_t> end_threads;
    for (const OtherEvent& o : t.others) {
      if (t.str(o.phase) == "E") {
        ++ends, end_threads.insert(o.thread);
      } else {
        ++rest;
        CHECK(o.thread == kNone);
      }
    }
    CHECK(rest == 4);
    CHECK(ends == 64);
    CHECK(end_threads.size() == 1);
    for (const Thread& th : t.threads) {
      if (t.str(th.tid) == "2") CHECK(th.bare);  // the async end's emitting thread: no track
      CHECK(t.str(th.tid) != "3");
      CHECK(t.str(th.tid) != "9");
    }
    REQUIRE(t.async_slices[0].end_thread < t.threads.size());
    CHECK(t.str(t.threads[t.async_slices[0].end_thread].tid) == "2");
    uint64_t orphans = 0;
    for (uint32_t th : t.thread_order()) orphans += t.threads[th].unmatched_end;
    CHECK(orphans == 64);  // (written as E events: JSON has no other way to say so)
  });
}

TEST_CASE("recorder: a thread whose events were all given as JSON keeps the name it set") {
  // (The Python tracer's B events of calls still open at stop(): the thread's ring is empty.)
  test::TempDir dir;
  start_session();
  std::string tid;
  std::thread([&] {
    rec::set_thread_name("worker");
    tid = std::to_string(syscall(SYS_gettid));
    const std::string ts = std::to_string(double(rec::now_ns()) / 1000.0);
    CHECK(rec::add_event_json(R"({"ph":"B","name":"open","tid":)" + tid + R"(,"ts":)" + ts + "}"));
  }).join();
  rec::stop();
  each_saved(dir, "named", [&](const std::string&, const Trace& t) {
    size_t found = 0;
    for (const Thread& th : t.threads) {
      if (t.str(th.tid) != tid) continue;
      ++found;
      CHECK(t.str(th.name) == "worker");
      CHECK(th.unmatched_begin == 1);
    }
    CHECK(found == 1);
  });
}

// Metadata given as JSON is never counted against max_added, however "ph" is spaced and
// whether it comes alone or in an array; names, labels and sort indexes all come out, and a
// non-UTF-8 element of an array is refused as add_event_json() refuses it.
TEST_CASE("recorder: metadata given as JSON survives max_added; arrays refuse what single events do") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.max_added = 1;
  start_session(cfg);
  CHECK(rec::add_event_json(R"({"ph": "M", "name": "thread_name", "pid": 5, "tid": 6, "args": {"name": "Spaced"}})"));
  CHECK(rec::add_event_json(R"({"p\u0068":"\u004d","name":"thread_name","pid":5,"tid":8,"args":{"name":"Escaped"}})"));
  size_t bad = 9;
  CHECK(rec::add_events_json(R"([{"ph":"M","name":"process_name","pid":5,"tid":6,"args":{"name":"Proc"}},
      {"ph":"M","name":"thread_sort_index","pid":5,"tid":6,"args":{"sort_index":3}},
      {"ph":"M","name":"process_sort_index","pid":5,"args":{"sort_index":-2}},
      {"ph":"M","name":"process_labels","pid":5,"args":{"labels":"L"}}])", &bad) == 4);
  CHECK(bad == 0);
  const std::string ts = std::to_string(double(rec::now_ns()) / 1000.0);
  CHECK(rec::add_event_json(R"({"ph":"X","name":"x1","pid":5,"tid":6,"ts":)" + ts + R"(,"dur":5})"));
  CHECK(rec::add_event_json(R"({"ph":"X","name":"x2","pid":5,"tid":6,"ts":)" + ts + R"(,"dur":5})"));
  // A non-UTF-8 element is refused, the others added.
  CHECK(rec::add_events_json("[{\"ph\":\"i\",\"name\":\"\xff\",\"ts\":1},7]", &bad) == 0);
  CHECK(bad == 2);
  each_saved(dir, "m", [](const std::string&, const Trace& t) {
    const Thread* th = nullptr;
    for (const Thread& x : t.threads)
      if (t.str(x.tid) == "6") th = &x;
    REQUIRE(th != nullptr);
    CHECK(t.str(th->name) == "Spaced");
    CHECK(th->has_sort_index);
    CHECK(th->sort_index == 3);
    const Process& p = t.processes[th->process];
    CHECK(t.str(p.name) == "Proc");
    CHECK(t.str(p.labels) == "L");
    CHECK(p.has_sort_index);
    CHECK(p.sort_index == -2);
    REQUIRE(th->slices.size() == 1);  // max_added: the newest event kept
    CHECK(t.name_of(th->slices.label[0]) == "x2");
    bool escaped = false;
    for (const Thread& x : t.threads) escaped |= t.str(x.tid) == "8" && t.str(x.name) == "Escaped";
    CHECK(escaped);
  });
}

// A streamed session's file has no place for events given as JSON or whole traces: refused,
// not accepted and lost.
TEST_CASE("recorder: events given as JSON and trace files are refused in a streamed session") {
  test::TempDir dir;
  rec::Config cfg;
  cfg.streaming = true;
  cfg.output_file = dir / "s.vzt";
  start_session(cfg);
  CHECK_FALSE(rec::add_event_json(R"({"ph":"i","name":"a","ts":1,"s":"g"})"));
  size_t bad = 0;
  CHECK(rec::add_events_json(R"([{"ph":"i","name":"a","ts":1,"s":"g"}])", &bad) == 0);
  CHECK(bad == 1);
  std::ofstream(dir / "in.json") << R"([{"ph":"X","name":"x","pid":1,"tid":1,"ts":0,"dur":1}])";
  std::string err;
  CHECK(rec::add_trace_file(dir / "in.json", false, nullptr, &err) == -1);
  CHECK(err.find("streamed") != std::string::npos);
  rec::stop();
  CHECK_FALSE(rec::add_event_json(R"({"ph":"i","name":"a","ts":1,"s":"g"})"));  // (saved: no)
}

TEST_CASE("recorder: set_metadata refuses traceEvents; a long text to escape is cut to fit") {
  test::TempDir dir;
  start_session(rec::Config{});
  CHECK_FALSE(rec::set_metadata("traceEvents", "[]"));
  CHECK(rec::log_var("quotes", std::string(40000, '"')));
  CHECK(rec::log_var("controls", std::string(30000, '\x01')));
  std::thread([] { rec::set_thread_name("names itself only"); }).join();
  CHECK(rec::stats().threads == 1);  // the one that recorded
  each_saved(dir, "t", [](const std::string&, const Trace& t) {
    REQUIRE(t.threads.size() >= 1);
    size_t texts = 0;
    for (const Thread& th : t.threads)
      for (const Instant& in : th.instants) {
        const std::string_view args = t.view(in.args);
        CHECK(args.size() <= rec::kMaxArgs);
        CHECK(args.size() > rec::kMaxArgs / 2);  // cut no more than it had to
        ++texts;
      }
    CHECK(texts == 2);
  });
}
