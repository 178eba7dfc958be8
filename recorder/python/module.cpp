// The `viztracer._vztracer` extension module: what the Python layer (viztracer/tracer.py) calls
// to configure, start, stop, pause and save the recorder, and to add events the hot path does
// not produce. Every function runs with the GIL held.
#include <cstring>
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <string>
#include <vector>

#include "formats/loader.h"
#include "formats/numbers.h"
#include "formats/writer.h"
#include "recorder/python/tracer.h"
#include "recorder/vz_recorder.h"

namespace vzpy {
void after_fork_child();
}

namespace {

using namespace vzpy;

bool string_list(PyObject* seq, std::vector<std::string>& out, const char* what) {
  out.clear();
  if (seq == nullptr || seq == Py_None) return true;
  PyObject* fast = PySequence_Fast(seq, what);
  if (!fast) return false;
  for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); ++i) {
    PyObject* item = PySequence_Fast_GET_ITEM(fast, i);
    const char* s = PyUnicode_Check(item) ? PyUnicode_AsUTF8(item) : nullptr;
    if (!s) {
      Py_DECREF(fast);
      PyErr_Format(PyExc_TypeError, "%s must hold strings", what);
      return false;
    }
    out.emplace_back(s);
  }
  Py_DECREF(fast);
  return true;
}

// start(tracer_entries, max_stack_depth, min_duration_ns, include_files, exclude_files,
//       ignore_c_function, ignore_frozen, trace_self, self_prefix, log_func_args,
//       log_func_retval, log_async, repr, process_name, hook, append, keep_paused)
PyObject* py_start(PyObject*, PyObject* args, PyObject* kw) {
  static const char* kws[] = {"tracer_entries", "max_stack_depth", "min_duration_ns",
                              "include_files", "exclude_files", "ignore_c_function",
                              "ignore_frozen", "trace_self", "self_prefix", "log_func_args",
                              "log_func_retval", "log_async", "repr", "process_name", "hook", "append",
                              "keep_paused", nullptr};
  unsigned long long entries = 1000000;
  int max_depth = -1;
  long long min_dur = 0;
  PyObject *include = nullptr, *exclude = nullptr, *repr = nullptr;
  int ignore_c = 0, frozen = 0, self = 0, fargs = 0, fret = 0, async = 0;
  const char* self_prefix = "";
  const char* process_name = "";
  int hook = 1, append = 0, keep_paused = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "|KiLOOpppspppOsppp", const_cast<char**>(kws),
                                   &entries, &max_depth, &min_dur, &include, &exclude, &ignore_c,
                                   &frozen, &self, &self_prefix, &fargs, &fret, &async, &repr,
                                   &process_name, &hook, &append, &keep_paused))
    return nullptr;
  State& st = state();
  if (st.active) {
    PyErr_SetString(PyExc_RuntimeError, "the tracer is already running");
    return nullptr;
  }
  Options o;
  if (!string_list(include, o.include_files, "include_files")) return nullptr;
  if (!string_list(exclude, o.exclude_files, "exclude_files")) return nullptr;
  o.max_stack_depth = max_depth;
  o.ignore_c_function = ignore_c;
  o.ignore_frozen = frozen;
  o.trace_self = self;
  o.self_prefix = self_prefix;
  o.log_func_args = fargs;
  o.log_func_retval = fret;
  o.log_async = async;
  if (repr && repr != Py_None) {
    Py_INCREF(repr);
    o.repr = repr;
  } else {
    o.repr = PyDict_GetItemString(PyEval_GetBuiltins(), "repr");
    if (!o.repr) return PyErr_Format(PyExc_RuntimeError, "no builtins.repr");
    Py_INCREF(o.repr);
  }
  if (async && !st.get_running_loop) {
    PyObject* events = PyImport_ImportModule("asyncio.events");
    PyObject* tasks = PyImport_ImportModule("asyncio.tasks");
    if (events) st.get_running_loop = PyObject_GetAttrString(events, "_get_running_loop");
    if (tasks) st.current_tasks = PyObject_GetAttrString(tasks, "_current_tasks");
    Py_XDECREF(events);
    Py_XDECREF(tasks);
    if (!st.get_running_loop || !st.current_tasks) PyErr_Clear();
  }
  vz::rec::Config cfg;
  // A call takes one record (two when it lasts over 2^24 ticks); the ring holds the newest
  // tracer_entries calls even when all are long (min 64 records),
  // and max_slices keeps exactly tracer_entries of them over all threads.
  cfg.tracer_entries = std::max<unsigned long long>(64, entries * 2);
  cfg.max_slices = size_t(entries);
  cfg.max_added = size_t(entries);  // events with args, async tasks, instants... (given as JSON)
  cfg.min_duration_ns = min_dur;
  cfg.process_name = process_name;
  cfg.output_file = "result.json";
  cfg.category = "FEE";
  cfg.append = append != 0;
  std::string err;
  if (!vz::rec::start(cfg, &err)) {
    Py_XDECREF(o.repr);
    PyErr_SetString(PyExc_RuntimeError, err.c_str());
    return nullptr;
  }
  Py_XDECREF(st.opt.repr);
  st.opt = std::move(o);
  ++st.generation;
  if (st.generation >= 0xffffff) st.generation = 1;
  st.active = true;
  // A new session starts every thread unpaused; one that goes on (keep_paused: after a save()
  // while recording, a log_sparse call's hook) keeps what pause() and the bootstrap wait hold.
  if (!keep_paused)
    for (ThreadState* ts = st.threads; ts; ts = ts->next) ts->paused = ts->waiting = false;
  close_open_frames(false);  // stale stacks of an earlier session
  if (!append) {
    vz::rec::clear();
    st.functions.clear();
  }
  // Without C calls (and without log_func_args, which needs frame objects), the eval-frame
  // hook records the same Python calls at a third of the profile hook's cost.
  st.eval_mode = hook && st.opt.ignore_c_function && !st.opt.log_func_args &&
                 !std::getenv("VZ_VIZTRACER_PROFILE_HOOK") && vzpy_set_eval_frame(1);
  if (hook && !st.eval_mode) install_all();
  if (st.eval_mode && !st.bootstrap_code) {  // new threads start with threading's bootstrap
    PyObject* threading = PyImport_ImportModule("threading");
    PyObject* thread = threading ? PyObject_GetAttrString(threading, "Thread") : nullptr;
    PyObject* boot = thread ? PyObject_GetAttrString(thread, "_bootstrap") : nullptr;
    st.bootstrap_code = boot ? PyObject_GetAttrString(boot, "__code__") : nullptr;
    Py_XDECREF(boot);
    Py_XDECREF(thread);
    Py_XDECREF(threading);
    PyErr_Clear();  // (without it, threads are recorded from their first frame)
  }
  Py_RETURN_NONE;
}

PyObject* py_stop(PyObject*, PyObject* args) {
  int flush = 0;
  if (!PyArg_ParseTuple(args, "|p", &flush)) return nullptr;
  State& st = state();
  if (!st.active) Py_RETURN_NONE;
  if (st.eval_mode) vzpy_set_eval_frame(0);
  else uninstall_all();
  st.eval_mode = false;
  close_open_frames(flush != 0);
  vz::rec::stop();
  st.active = false;
  Py_RETURN_NONE;
}

// pause() and resume() act on the calling thread only, as viztracer's do.
PyObject* py_pause(PyObject*, PyObject*) {
  this_thread()->paused = true;
  Py_RETURN_NONE;
}

PyObject* py_resume(PyObject*, PyObject*) {
  this_thread()->paused = false;
  Py_RETURN_NONE;
}

PyObject* py_is_paused(PyObject*, PyObject*) { return PyBool_FromLong(this_thread()->paused); }

PyObject* py_is_active(PyObject*, PyObject*) { return PyBool_FromLong(state().active); }

// The threading.setprofile hook: installs the C profile function on a new thread. threading
// calls it (as a profile function) with the thread's first event, the call of its run(), which
// is recorded, as viztracer records it. Called with no arguments (enable_thread_tracing), it
// only installs.
PyObject* py_thread_hook(PyObject*, PyObject* args) {
  PyObject *frame = nullptr, *arg = nullptr;
  const char* event = nullptr;
  if (!PyArg_ParseTuple(args, "|OsO", &frame, &event, &arg)) return nullptr;
  State& st = state();
  bool profile_hook = st.active && !st.eval_mode;
  PyEval_SetProfile(profile_hook ? profile : nullptr, nullptr);  // this (new) thread
  if (PyErr_Occurred()) return nullptr;
  if (st.active && frame && PyFrame_Check(frame) && event && std::strcmp(event, "call") == 0)
    thread_started(reinterpret_cast<PyFrameObject*>(frame));
  Py_RETURN_NONE;
}

PyObject* py_save(PyObject*, PyObject* args) {
  const char* path;
  if (!PyArg_ParseTuple(args, "s", &path)) return nullptr;
  std::string msg;
  bool ok;
  Py_BEGIN_ALLOW_THREADS
  ok = vz::rec::save(path, &msg);
  Py_END_ALLOW_THREADS
  if (!ok) {
    PyErr_SetString(PyExc_OSError, msg.c_str());
    return nullptr;
  }
  return PyUnicode_FromString(msg.c_str());
}

PyObject* py_clear(PyObject*, PyObject*) {
  // While recording, the calls open now stay open (as viztracer's clear keeps its per-thread
  // stacks): one that returns after the clear is recorded whole.
  if (!state().active) close_open_frames(false);
  vz::rec::clear();
  Py_RETURN_NONE;
}

PyObject* py_event_json(PyObject*, PyObject* args) {
  const char* s;
  Py_ssize_t n;
  if (!PyArg_ParseTuple(args, "s#", &s, &n)) return nullptr;
  if (!vz::rec::add_event_json(std::string_view(s, size_t(n)))) {
    PyErr_SetString(PyExc_ValueError, "not one JSON object");
    return nullptr;
  }
  Py_RETURN_NONE;
}

// convert(src, dst) -> message: the trace file `src` (a tracer's stash; None: an empty trace)
// written as `dst` (format by extension, atomically) by the formats library, without the
// recorder, which another tracer may be using.
PyObject* py_convert(PyObject*, PyObject* args) {
  PyObject *src_obj, *dst_obj;
  if (!PyArg_ParseTuple(args, "OO&", &src_obj, PyUnicode_FSConverter, &dst_obj)) return nullptr;
  const std::string dst(PyBytes_AS_STRING(dst_obj), size_t(PyBytes_GET_SIZE(dst_obj)));
  Py_DECREF(dst_obj);
  std::string src;
  if (src_obj != Py_None) {
    PyObject* b = nullptr;
    if (!PyUnicode_FSConverter(src_obj, &b)) return nullptr;
    src.assign(PyBytes_AS_STRING(b), size_t(PyBytes_GET_SIZE(b)));
    Py_DECREF(b);
  }
  std::string error, msg;
  bool ok = true;
  Py_BEGIN_ALLOW_THREADS
  try {
    vz::LoadResult r;
    vz::Trace empty;
    const vz::Trace* t = &empty;
    if (!src.empty()) {
      r = vz::load_file(src);
      if (r.ok) t = r.trace.get();
      else ok = false, error = r.error;
    }
    if (ok) ok = vz::save_trace(*t, dst, &error);
    if (ok) msg = "saved " + std::to_string(t->events) + " events to " + dst;
  } catch (...) {  // (bad_alloc)
    ok = false;
    error = "out of memory";
  }
  Py_END_ALLOW_THREADS
  if (!ok) {
    PyErr_SetString(PyExc_OSError, ("cannot save " + dst + ": " + error).c_str());
    return nullptr;
  }
  return PyUnicode_FromString(msg.c_str());
}

PyObject* py_note_lost(PyObject*, PyObject* args) {
  unsigned long long n = 0;
  if (!PyArg_ParseTuple(args, "K", &n)) return nullptr;
  vz::rec::note_lost(n);
  Py_RETURN_NONE;
}

PyObject* py_set_metadata(PyObject*, PyObject* args) {
  const char *k, *v;
  Py_ssize_t n;
  if (!PyArg_ParseTuple(args, "ss#", &k, &v, &n)) return nullptr;
  if (!vz::rec::set_metadata(k, std::string_view(v, size_t(n)))) {
    PyErr_SetString(PyExc_ValueError, "metadata must be one JSON value");
    return nullptr;
  }
  Py_RETURN_NONE;
}

// The args dict of the innermost recorded Python call of this thread (created on first use), or
// nullptr with no error set when no call is recorded.
PyObject* innermost_args(ThreadState* ts, bool* failed) {
  for (size_t i = ts->stack.size(); i-- > 0;) {
    Frame& f = ts->stack[i];
    if (f.kind != kRecord || f.c_call) continue;
    if (!f.args && !(f.args = PyDict_New())) *failed = true;
    return f.args;
  }
  return nullptr;
}

// add_func_args(key, json_text): attaches to the innermost recorded call of this thread.
PyObject* py_add_func_args(PyObject*, PyObject* args) {
  PyObject *key, *value;
  if (!PyArg_ParseTuple(args, "UU", &key, &value)) return nullptr;
  bool failed = false;
  PyObject* d = innermost_args(this_thread(), &failed);
  if (failed || (d && PyDict_SetItem(d, key, value) < 0)) return nullptr;
  return PyBool_FromLong(d != nullptr);
}

// append_func_arg(key, json_text): appends to the JSON array `key` of the innermost recorded
// call's args (log_func_exec's "exec_steps"); the array is written when the call returns.
PyObject* py_append_func_arg(PyObject*, PyObject* args) {
  PyObject *key, *value;
  if (!PyArg_ParseTuple(args, "UU", &key, &value)) return nullptr;
  bool failed = false;
  PyObject* d = innermost_args(this_thread(), &failed);
  if (failed) return nullptr;
  if (!d) Py_RETURN_FALSE;
  PyObject* items = PyDict_GetItemWithError(d, key);  // borrowed
  if (!items && PyErr_Occurred()) return nullptr;
  if (items && PyList_CheckExact(items)) {
    if (PyList_Append(items, value) < 0) return nullptr;
    Py_RETURN_TRUE;
  }
  PyObject* fresh = PyList_New(1);  // replaces a plain value set under the same key
  if (!fresh) return nullptr;
  Py_INCREF(value);
  PyList_SET_ITEM(fresh, 0, value);
  int rc = PyDict_SetItem(d, key, fresh);
  Py_DECREF(fresh);
  if (rc < 0) return nullptr;
  Py_RETURN_TRUE;
}

PyObject* py_now_us(PyObject*, PyObject*) {
  return PyFloat_FromDouble(double(vz::rec::now_ns()) / 1000.0);
}

// The time as the JSON writer prints it: microseconds with three decimals (exact ns).
PyObject* py_now_text(PyObject*, PyObject*) {
  std::string s;
  vz::append_us(s, 0, vz::rec::now_ns());
  return PyUnicode_FromStringAndSize(s.data(), Py_ssize_t(s.size()));
}

PyObject* py_stats(PyObject*, PyObject*) {
  vz::rec::Stats s = vz::rec::stats();
  return Py_BuildValue("{s:K,s:K,s:I}", "recorded", (unsigned long long)s.recorded, "lost",
                       (unsigned long long)s.lost, "threads", s.threads);
}

// Records the calling thread has written (the hook's calls among them).
PyObject* py_thread_records(PyObject*, PyObject*) {
  return PyLong_FromUnsignedLongLong(vz::rec::thread_records());
}

// Code objects of the package that call user code (run(), decorator wrappers): skipped, not
// hidden with their subtree as the rest of the package's code is.
PyObject* py_set_transparent(PyObject*, PyObject* arg) {
  PyObject* fast = PySequence_Fast(arg, "set_transparent takes a list of code objects");
  if (!fast) return nullptr;
  for (Py_ssize_t i = 0; i < PySequence_Fast_GET_SIZE(fast); ++i) {
    PyObject* c = PySequence_Fast_GET_ITEM(fast, i);
    if (!PyCode_Check(c)) continue;
    Py_INCREF(c);
    state().transparent.insert(c);
  }
  Py_DECREF(fast);
  Py_RETURN_NONE;
}

PyObject* py_functions(PyObject*, PyObject*) {
  const auto& fs = state().functions;
  PyObject* out = PyList_New(Py_ssize_t(fs.size()));
  if (!out) return nullptr;
  for (size_t i = 0; i < fs.size(); ++i) {
    const auto& [name, file, line] = fs[i];
    PyObject* t = Py_BuildValue("(s#s#i)", name.data(), Py_ssize_t(name.size()), file.data(),
                                Py_ssize_t(file.size()), line);
    if (!t) {
      Py_DECREF(out);
      return nullptr;
    }
    PyList_SET_ITEM(out, Py_ssize_t(i), t);
  }
  return out;
}

// {"lost": events}: what the last save lost to tracer_entries. A call is one ring record (two
// when it lasted over 2^24 clock ticks, a few ms: such a lost call counts twice here).
PyObject* py_last_save(PyObject*, PyObject*) {
  vz::rec::Stats s = vz::rec::stats();
  return Py_BuildValue("{s:K}", "lost",
                       (unsigned long long)(s.lost + s.dropped + s.added_dropped));
}

// add_trace_file(path, align) -> {"events": n, "file_info": text|None, "problems": text}: adds a
// whole trace file (Chrome JSON, .json.gz or .vzt) to this session (child traces, --combine): the
// formats library loads it and its events go into the saved trace as the model holds them, never
// through Python or JSON text. With align, it is moved to start at 0 (or at its
// viztracer_metadata.sync_marker). "problems": what was wrong in it, "" for nothing.
PyObject* py_add_trace_file(PyObject*, PyObject* args) {
  PyObject* path_obj;
  int align = 0;
  if (!PyArg_ParseTuple(args, "O&|p", PyUnicode_FSConverter, &path_obj, &align)) return nullptr;
  const std::string path(PyBytes_AS_STRING(path_obj), size_t(PyBytes_GET_SIZE(path_obj)));
  Py_DECREF(path_obj);
  std::string file_info, error;
  int64_t events = -1;
  bool no_memory = false;
  Py_BEGIN_ALLOW_THREADS
  try {
    events = vz::rec::add_trace_file(path, align != 0, &file_info, &error);
  } catch (...) {  // (bad_alloc: a trace too big for memory)
    no_memory = true;
  }
  Py_END_ALLOW_THREADS
  if (no_memory) return PyErr_NoMemory();
  if (events < 0) return PyErr_Format(PyExc_ValueError, "%s", error.c_str());
  PyObject* problems = PyUnicode_FromStringAndSize(error.data(), Py_ssize_t(error.size()));
  if (!problems) return nullptr;
  PyObject* fi = Py_None;
  if (!file_info.empty())
    fi = PyUnicode_FromStringAndSize(file_info.data(), Py_ssize_t(file_info.size()));
  else
    Py_INCREF(fi);
  if (!fi) {
    Py_DECREF(problems);
    return nullptr;
  }
  return Py_BuildValue("{s:L,s:N,s:N}", "events", (long long)events, "file_info", fi, "problems", problems);
}

PyObject* py_after_fork_child(PyObject*, PyObject*) {
  after_fork_child();
  Py_RETURN_NONE;
}

PyObject* py_set_process_name(PyObject*, PyObject* args) {
  const char* s;
  if (!PyArg_ParseTuple(args, "s", &s)) return nullptr;
  vz::rec::set_process_name(s);
  Py_RETURN_NONE;
}

// A running session's max_stack_depth (VizTracer.max_stack_depth set while it records): the
// hook reads it on every call, so it applies from the next call on.
PyObject* py_set_max_stack_depth(PyObject*, PyObject* args) {
  int depth;
  if (!PyArg_ParseTuple(args, "i", &depth)) return nullptr;
  state().opt.max_stack_depth = depth;
  Py_RETURN_NONE;
}

// A profile function that does nothing: what CPython's profiling costs by itself, without any
// recording (the floor tests/bench/bench_python.py measures the tracer against).
int noop_profile(PyObject*, PyFrameObject*, int, PyObject*) { return 0; }

PyObject* py_profile_floor(PyObject*, PyObject* on) {
  int yes = PyObject_IsTrue(on);
  if (yes < 0) return nullptr;
  if (state().active) {
    PyErr_SetString(PyExc_RuntimeError, "the tracer is running");
    return nullptr;
  }
  PyEval_SetProfile(yes ? noop_profile : nullptr, nullptr);  // this thread
  if (PyErr_Occurred()) return nullptr;
  Py_RETURN_NONE;
}

PyMethodDef kMethods[] = {
    {"start", (PyCFunction)(void (*)(void))py_start, METH_VARARGS | METH_KEYWORDS,
     "Configures the session and installs the profile hook on every thread."},
    {"stop", py_stop, METH_VARARGS, "stop(flush_as_finish=False): removes the hook."},
    {"pause", py_pause, METH_NOARGS, "Stops recording calls until resume()."},
    {"resume", py_resume, METH_NOARGS, "Records calls again."},
    {"is_active", py_is_active, METH_NOARGS, "True between start() and stop()."},
    {"thread_hook", py_thread_hook, METH_VARARGS, "threading.setprofile hook."},
    {"is_paused", py_is_paused, METH_NOARGS, "Whether pause() holds the calling thread."},
    {"save", py_save, METH_VARARGS, "save(path) -> message; .json, .json.gz or .vzt."},
    {"clear", py_clear, METH_NOARGS, "Drops every recorded event."},
    {"event_json", py_event_json, METH_VARARGS, "Adds one Chrome event given as JSON text."},
    {"set_metadata", py_set_metadata, METH_VARARGS, "Sets a top-level member of the trace."},
    {"add_func_args", py_add_func_args, METH_VARARGS, "Adds an arg to the current call."},
    {"append_func_arg", py_append_func_arg, METH_VARARGS,
     "Appends to a list arg of the current call."},
    {"now_us", py_now_us, METH_NOARGS, "The trace clock in microseconds."},
    {"now_text", py_now_text, METH_NOARGS, "The trace clock as JSON microseconds text."},
    {"stats", py_stats, METH_NOARGS, "Records written and lost."},
    {"thread_records", py_thread_records, METH_NOARGS, "Records the calling thread has written."},
    {"set_transparent", py_set_transparent, METH_O, "Package code that calls user code."},
    {"functions", py_functions, METH_NOARGS, "(name, file, line) of this session's functions."},
    {"last_save", py_last_save, METH_NOARGS, "What the last save lost."},
    {"convert", py_convert, METH_VARARGS, "Writes a trace file (or an empty trace) in another format."},
    {"note_lost", py_note_lost, METH_VARARGS, "Counts events lost before (a trace added back)."},
    {"add_trace_file", py_add_trace_file, METH_VARARGS, "Adds a whole trace file's events to the session."},
    {"after_fork_child", py_after_fork_child, METH_NOARGS, "Forgets other threads' stacks."},
    {"set_process_name", py_set_process_name, METH_VARARGS, "Names this process."},
    {"set_max_stack_depth", py_set_max_stack_depth, METH_VARARGS,
     "Sets the running session's max_stack_depth."},
    {"profile_floor", py_profile_floor, METH_O,
     "profile_floor(on): a do-nothing C profile hook on this thread (benchmarks' floor)."},
    {nullptr, nullptr, 0, nullptr},
};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT, "_vztracer",
                       "The native recorder behind viztracer (vizviewer's recorder).", -1,
                       kMethods, nullptr, nullptr, nullptr, nullptr};

}  // namespace

PyMODINIT_FUNC PyInit__vztracer(void) {
  State& st = state();
  if (st.code_extra_index < 0) {
    st.code_extra_index = request_code_extra_index();
    if (st.code_extra_index < 0) return nullptr;
  }
  return PyModule_Create(&kModule);
}
