// The hot path: a C profile function (PyEval_SetProfile) that keeps a shadow stack per thread and
// records one complete event per finished call, Python or C, when it returns (children before
// parents). The name and filter decision of a code object are computed once per session and kept
// in the code object's co_extra slot, so a call costs a slot read, two clock reads and one
// 32-byte ring write (vz::rec::complete_ticks).
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <unordered_map>

#include "formats/numbers.h"
#include "recorder/python/tracer.h"
#include "recorder/vz_recorder.h"

namespace vzpy {

namespace {

State g_state;
thread_local ThreadState* tls_thread = nullptr;

// co_extra value: generation (24 bits) << 40 | FrameKind << 32 | name id. 0 = not computed.
inline uint64_t pack(uint32_t gen, uint8_t kind, uint32_t name) {
  return uint64_t(gen & 0xffffff) << 40 | uint64_t(kind) << 32 | name;
}

bool starts_with(const char* s, size_t n, const std::string& prefix) {
  return n >= prefix.size() && std::memcmp(s, prefix.data(), prefix.size()) == 0;
}

// The UTF-8 text of the str `s` (nullptr, no error set, when it is not a str). Characters UTF-8
// cannot encode (lone surrogates: undecodable file names, names built at run time) become '?',
// so every name and value written stays valid UTF-8; `buf` then holds the text.
// The UTF-8 text of str `s`, NULs included (lone surrogates become '?'); a view with no data
// when `s` is not a str.
std::string_view utf8_text(PyObject* s, std::string& buf) {
  if (!s || !PyUnicode_Check(s)) return {};
  Py_ssize_t n = 0;
  const char* p = PyUnicode_AsUTF8AndSize(s, &n);
  if (!p) {
    PyErr_Clear();
    PyObject* b = PyUnicode_AsEncodedString(s, "utf-8", "replace");
    if (!b) {
      PyErr_Clear();
      return {};
    }
    buf.assign(PyBytes_AS_STRING(b), size_t(PyBytes_GET_SIZE(b)));
    Py_DECREF(b);
    return buf;
  }
  return std::string_view(p, size_t(n));
}

// Texts of the names this extension interned, by id (for events written as JSON).
std::unordered_map<uint32_t, std::string>& name_texts() {
  static auto* m = new std::unordered_map<uint32_t, std::string>;
  return *m;
}

uint32_t intern_name(const std::string& name, const char* file, uint32_t line) {
  uint32_t id = file ? vz::rec::intern_site(name.c_str(), file, line)
                     : vz::rec::intern(name);
  auto& m = name_texts();
  if (m.find(id) == m.end()) m.emplace(id, name);
  return id;
}

// Name and filter decision of a code object, computed on its first call of the session.
uint64_t compute_code_info(PyCodeObject* co) {
  State& st = g_state;
  const Options& o = st.opt;
  Py_ssize_t flen = 0;
  std::string file_buf, qual_buf;
  const std::string_view file_text = utf8_text(co->co_filename, file_buf);
  const char* file = file_text.data() ? file_text.data() : "";
  flen = Py_ssize_t(file_text.size());
  uint8_t kind = kRecord;
  if (!o.trace_self && !o.self_prefix.empty() && starts_with(file, size_t(flen), o.self_prefix)) {
    kind = st.transparent.count((PyObject*)co) ? kSkip : kHide;
  } else {
    if (!o.include_files.empty()) {
      bool in = false;
      for (const std::string& p : o.include_files) in = in || starts_with(file, size_t(flen), p);
      if (!in) kind = kHide;
    }
    for (const std::string& p : o.exclude_files)
      if (starts_with(file, size_t(flen), p)) kind = kHide;
    if (o.ignore_frozen && starts_with(file, size_t(flen), std::string("<frozen"))) kind = kHide;
  }
  uint32_t name = 0;
  if (kind == kRecord) {
    std::string_view qual = utf8_text(co->co_qualname, qual_buf);
    if (!qual.data()) qual = "?";
    std::string text = std::string(qual) + " (" + std::string(file, size_t(flen)) + ":" +
                       std::to_string(co->co_firstlineno) + ")";
    name = intern_name(text, file, uint32_t(co->co_firstlineno));
    st.functions.emplace_back(std::move(text), std::string(file, size_t(flen)), co->co_firstlineno);
  }
  return pack(st.generation, kind, name);
}

// CPython 3.11's co_extra block (Include/internal/pycore_code.h: _PyCodeObjectExtra), read
// directly on the hot path; code_set_extra allocates and grows it.
struct CodeExtra {
  Py_ssize_t ce_size;
  void* ce_extras[1];
};

inline uint64_t code_info(PyCodeObject* co) {
  State& st = g_state;
  void* extra = nullptr;
#if PY_VERSION_HEX >= 0x030b0000 && PY_VERSION_HEX < 0x030c0000
  auto* ce = static_cast<CodeExtra*>(co->co_extra);
  if (ce && st.code_extra_index < ce->ce_size) extra = ce->ce_extras[st.code_extra_index];
#else
  if (code_get_extra((PyObject*)co, st.code_extra_index, &extra) < 0) {
    PyErr_Clear();
    return compute_code_info(co);
  }
#endif
  uint64_t v = uint64_t(uintptr_t(extra));
  if (v != 0 && uint32_t(v >> 40) == (st.generation & 0xffffff)) return v;
  v = compute_code_info(co);
  if (code_set_extra((PyObject*)co, st.code_extra_index, (void*)uintptr_t(v)) < 0) PyErr_Clear();
  return v;
}

// What viztracer writes for a value whose repr() raises.
constexpr const char* kNotDisplayable = "Not Displayable";

// log_func_args: {"func_args": "<JSON text of {name: repr(value)}>"} for the frame's arguments
// (the args dict of a Frame maps keys to JSON texts).
PyObject* frame_arguments(PyFrameObject* frame, PyCodeObject* co) {
  PyObject* locals = PyObject_GetAttrString((PyObject*)frame, "f_locals");
  if (!locals) {
    PyErr_Clear();
    return nullptr;
  }
  PyObject* names = PyCode_GetVarnames(co);
  std::string json = "{";
  bool first = true;
  if (names) {
    Py_ssize_t n = co->co_argcount + co->co_kwonlyargcount;
    if (co->co_flags & CO_VARARGS) ++n;
    if (co->co_flags & CO_VARKEYWORDS) ++n;
    n = std::min(n, PyTuple_GET_SIZE(names));
    for (Py_ssize_t i = 0; i < n; ++i) {
      PyObject* key = PyTuple_GET_ITEM(names, i);
      PyObject* v = PyObject_GetItem(locals, key);
      if (!v) {
        PyErr_Clear();
        continue;
      }
      PyObject* r = PyObject_CallOneArg(g_state.opt.repr, v);
      if (!r) PyErr_Clear();  // (a repr() that raises: kNotDisplayable)
      Py_DECREF(v);
      std::string kb, rb;
      const std::string_view ks = utf8_text(key, kb);
      const std::string_view rs = r ? utf8_text(r, rb) : std::string_view(kNotDisplayable);
      if (ks.data() && rs.data()) {
        if (!first) json += ",";
        first = false;
        vz::append_json_string(json, ks);
        json += ":";
        vz::append_json_string(json, rs);
      } else {
        PyErr_Clear();
      }
      Py_XDECREF(r);
    }
  }
  json += "}";
  Py_XDECREF(names);
  Py_DECREF(locals);
  PyObject* out = PyDict_New();
  PyObject* text = PyUnicode_FromStringAndSize(json.data(), Py_ssize_t(json.size()));
  if (!out || !text || PyDict_SetItemString(out, "func_args", text) < 0) {
    PyErr_Clear();
    Py_XDECREF(out);
    out = nullptr;
  }
  Py_XDECREF(text);
  return out;
}

// log_async: the asyncio task running on this thread, or nullptr (new reference).
PyObject* current_task() {
  State& st = g_state;
  if (!st.get_running_loop || !st.current_tasks) return nullptr;
  PyObject* loop = PyObject_CallNoArgs(st.get_running_loop);
  if (!loop) {
    PyErr_Clear();
    return nullptr;
  }
  PyObject* task = nullptr;
  if (loop != Py_None) {
    task = PyDict_GetItemWithError(st.current_tasks, loop);
    if (!task) PyErr_Clear();
    Py_XINCREF(task);
  }
  Py_DECREF(loop);
  return task;
}

void append_us(std::string& out, int64_t ns) { vz::append_us(out, 0, ns); }

// The pseudo thread of an asyncio task: a tid of its own (never another task's, though a task
// made after one has ended often takes its address), named once per session. A task is told
// from an earlier one at its address by a weak reference to it.
int64_t task_tid(PyObject* task) {
  struct Seen {
    PyObject* ref;  // a weak reference to the task (or nullptr: the task takes none)
    int64_t tid;
    uint32_t generation;
  };
  // (never destroyed: its references must not be released after the interpreter has ended)
  static auto* seen = new std::unordered_map<uintptr_t, Seen>;
  static int64_t next_tid = int64_t(1) << 46;  // above any OS thread id
  auto [it, fresh] = seen->try_emplace(uintptr_t(task), Seen{nullptr, 0, 0});
  Seen& e = it->second;
  bool same = !fresh;
  if (same && e.ref) {
#if PY_VERSION_HEX >= 0x030D0000
    PyObject* obj = nullptr;
    if (PyWeakref_GetRef(e.ref, &obj) < 0) PyErr_Clear();
    same = obj == task;
    Py_XDECREF(obj);
#else
    same = PyWeakref_GetObject(e.ref) == task;
#endif
  }
  if (!same) {
    Py_XDECREF(e.ref);
    e.ref = PyWeakref_NewRef(task, nullptr);
    if (!e.ref) PyErr_Clear();
    e.tid = next_tid++;
    e.generation = 0;
  }
  if (e.generation != g_state.generation) {
    e.generation = g_state.generation;
    PyObject* name = PyObject_CallMethod(task, "get_name", nullptr);
    std::string buf;
    const std::string_view s = utf8_text(name, buf);
    if (!s.data()) PyErr_Clear();
    std::string ev = "{\"ph\":\"M\",\"name\":\"thread_name\",\"tid\":" + std::to_string(e.tid) +
                     ",\"args\":{\"name\":";
    vz::append_json_string(ev, s.data() ? s : std::string_view("Task"));
    ev += "}}";
    vz::rec::add_event_json(ev);
    Py_XDECREF(name);
  }
  return e.tid;
}

void pop_frame(Frame& f) {
  Py_XDECREF(f.args);
  Py_XDECREF(f.task);
  f.args = f.task = nullptr;
}

// Pops frames above the one whose key is `key`; false when no open frame has it.
bool unwind_to(ThreadState* ts, void* key, bool c_call) {
  auto& s = ts->stack;
  size_t i = s.size();
  while (i > 0 && !(s[i - 1].key == key && s[i - 1].c_call == c_call)) --i;
  if (i == 0) return false;
  while (s.size() > i) {
    pop_frame(s.back());
    s.pop_back();
  }
  if (ts->hide_below != SIZE_MAX && ts->hide_below >= s.size()) ts->hide_below = SIZE_MAX;
  return true;
}

// A call: `co` for Python code (borrowed; `frame` only for log_func_args), `cfunc` for C.
inline void on_call(ThreadState* ts, void* key, PyCodeObject* co, PyFrameObject* frame,
                    PyObject* cfunc) {
  State& st = g_state;
  Frame f{0, key, 0, kSkip, cfunc != nullptr, nullptr, nullptr};
  size_t depth = ts->stack.size();
  if (ts->paused || (ts->hide_below != SIZE_MAX && depth > ts->hide_below)) {
    f.kind = kSkip;
  } else if (st.opt.max_stack_depth >= 0 && depth + 1 > size_t(st.opt.max_stack_depth)) {
    f.kind = kSkip;
  } else if (cfunc) {
    // A C function called by a skipped Python frame (the package's code) is not recorded.
    bool from_skipped = depth > 0 && ts->stack.back().kind == kSkip && !ts->stack.back().c_call;
    f.kind = from_skipped ? kSkip : kRecord;
    if (!from_skipped) f.name = c_function_name(cfunc);
  } else {
    uint64_t info = code_info(co);
    f.kind = uint8_t(info >> 32);
    f.name = uint32_t(info);
    if (f.kind == kHide) ts->hide_below = depth;
    if (f.kind == kRecord && st.opt.log_func_args && frame) f.args = frame_arguments(frame, co);
  }
  if (f.kind == kRecord && st.opt.log_async) {
    ts->busy = true;
    f.task = current_task();
    ts->busy = false;
  }
  if (ts->named_generation != st.generation) name_thread(ts);
  f.t0 = vz::rec::now_ticks_stamped();  // after the thread's latest event
  ts->stack.push_back(f);
}

inline void on_return(ThreadState* ts, void* key, bool c_call, PyObject* retval) {
  uint64_t t1 = vz::rec::now_ticks_stamped();
  auto& s = ts->stack;
  if (s.empty()) return;
  if (s.back().key != key || s.back().c_call != c_call) {
    if (!unwind_to(ts, key, c_call)) return;  // a frame that started before start()
  }
  Frame f = s.back();
  s.pop_back();
  if (ts->hide_below == s.size()) ts->hide_below = SIZE_MAX;
  if (f.kind == kRecord) {
    if (!f.args && !f.task && !(retval && !c_call && g_state.opt.log_func_retval)) [[likely]] {
      vz::rec::complete_ticks(f.name, f.t0, t1);  // most calls: one ring record, no call
      return;  // nothing to release (pop_frame)
    }
    ts->busy = true;  // emit_complete may run repr() and the task's get_name()
    emit_complete(ts, f, t1, c_call ? nullptr : retval);
    ts->busy = false;
  }
  pop_frame(f);
}

}  // namespace

State& state() { return g_state; }

ThreadState* this_thread() {
  if (tls_thread) return tls_thread;
  auto* ts = new ThreadState;
  ts->tid = int64_t(syscall(SYS_gettid));
  ts->next = g_state.threads;
  g_state.threads = ts;
  tls_thread = ts;
  return ts;
}

void name_thread(ThreadState* ts) {
  // threading registers a thread in threading._active once its bootstrap runs; until then (the
  // eval-frame path sees the bootstrap's own calls) the name is unknown: try again later.
  ts->busy = true;
  PyObject* threading = PyImport_ImportModule("threading");
  PyObject* active = threading ? PyObject_GetAttrString(threading, "_active") : nullptr;
  PyObject* ident = PyLong_FromUnsignedLong(PyThread_get_thread_ident());
  PyObject* thread = active && ident && PyDict_Check(active) ? PyDict_GetItemWithError(active, ident) : nullptr;
  PyObject* name = thread ? PyObject_GetAttrString(thread, "name") : nullptr;
  std::string buf;
  const std::string_view s = utf8_text(name, buf);
  if (s.data()) {
    vz::rec::set_thread_name(s);
    ts->named_generation = g_state.generation;
  } else if (++ts->name_tries > 64) {
    ts->named_generation = g_state.generation;  // a thread threading never heard of
  }
  if (PyErr_Occurred()) PyErr_Clear();
  Py_XDECREF(name);
  Py_XDECREF(ident);
  Py_XDECREF(active);
  Py_XDECREF(threading);
  ts->busy = false;
}

uint32_t c_function_name(PyObject* func) {
  static std::unordered_map<uint64_t, uint32_t> cache;  // (PyMethodDef*, owner) -> name
  if (!PyCFunction_Check(func)) {
    PyObject* r = PyObject_Repr(func);
    std::string buf;
    const std::string_view s = utf8_text(r, buf);
    if (!s.data()) PyErr_Clear();
    uint32_t id = intern_name(std::string(s.data() ? s : std::string_view("?")), nullptr, 0);
    Py_XDECREF(r);
    return id;
  }
  auto* cf = reinterpret_cast<PyCFunctionObject*>(func);
  PyObject* owner = cf->m_module;
  if (!owner || !PyUnicode_Check(owner)) owner = cf->m_self ? (PyObject*)Py_TYPE(cf->m_self) : nullptr;
  if (cf->m_self && PyModule_Check(cf->m_self) && !(cf->m_module && PyUnicode_Check(cf->m_module)))
    owner = cf->m_self;
  uint64_t key = uint64_t(uintptr_t(cf->m_ml)) * 0x9E3779B97F4A7C15ull ^ uint64_t(uintptr_t(owner));
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::string name;
  if (owner && PyUnicode_Check(owner)) {
    std::string buf;
    const std::string_view m = utf8_text(owner, buf);
    if (m.data()) name = std::string(m) + ".";
  } else if (owner && PyModule_Check(owner)) {
    const char* m = PyModule_GetName(owner);
    if (m) name = std::string(m) + ".";
    else PyErr_Clear();
  } else if (owner) {
    name = std::string(reinterpret_cast<PyTypeObject*>(owner)->tp_name) + ".";
  }
  name += cf->m_ml->ml_name;
  Py_XINCREF(owner);  // keeps the key's pointer from being reused
  uint32_t id = intern_name(name, nullptr, 0);
  cache.emplace(key, id);
  return id;
}

bool frame_args_json(const Frame& f, PyObject* retval, std::string& out) {
  bool any = false;
  out += "{";
  // Values are JSON texts (module.cpp stores them so), or lists of JSON texts (append_func_arg)
  // written as arrays.
  auto add_json = [](std::string& o, PyObject* v) {
    PyObject* vs = PyUnicode_Check(v) ? (Py_INCREF(v), v) : PyObject_Str(v);
    std::string buf;
    const std::string_view vv = utf8_text(vs, buf);
    if (vv.data()) o += vv;
    Py_XDECREF(vs);
    return vv.data() != nullptr;
  };
  auto add_dict = [&](PyObject* d) {
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    std::string value;
    while (PyDict_Next(d, &pos, &k, &v)) {
      std::string kb;
      const std::string_view ks = utf8_text(k, kb);
      value.clear();
      bool ok = ks.data() != nullptr;
      if (ok && PyList_CheckExact(v)) {
        value += "[";
        for (Py_ssize_t i = 0; ok && i < PyList_GET_SIZE(v); i++) {
          if (i) value += ",";
          ok = add_json(value, PyList_GET_ITEM(v, i));
        }
        value += "]";
      } else if (ok) {
        ok = add_json(value, v);
      }
      if (ok) {
        if (any) out += ",";
        vz::append_json_string(out, ks);
        out += ":";
        out += value;
        any = true;
      } else {
        PyErr_Clear();
      }
    }
  };
  if (f.args) add_dict(f.args);
  if (retval && g_state.opt.log_func_retval) {
    PyObject* r = PyObject_CallOneArg(g_state.opt.repr, retval);
    if (!r) PyErr_Clear();
    std::string buf;
    const std::string_view s = r ? utf8_text(r, buf) : std::string_view(kNotDisplayable);
    if (s.data()) {
      if (any) out += ",";
      out += "\"return_value\":";
      vz::append_json_string(out, s);
      any = true;
    } else {
      PyErr_Clear();
    }
    Py_XDECREF(r);
  }
  out += "}";
  return any;
}

void emit_complete(ThreadState* ts, const Frame& f, uint64_t t1, PyObject* retval) {
  // complete_ticks() writes to the calling thread's ring: another thread's frame (closed by
  // stop("flush_as_finish")) goes as JSON with its own tid.
  if (ts == tls_thread && !f.args && !f.task && !(retval && g_state.opt.log_func_retval)) {
    vz::rec::complete_ticks(f.name, f.t0, t1);
    return;
  }
  std::string ev = "{\"ph\":\"X\",\"cat\":\"FEE\",\"name\":";
  auto it = name_texts().find(f.name);
  vz::append_json_string(ev, it == name_texts().end() ? "?" : it->second);
  int64_t t0ns = vz::rec::ticks_to_ns(f.t0);
  ev += ",\"ts\":";
  append_us(ev, t0ns);
  ev += ",\"dur\":";
  append_us(ev, vz::rec::ticks_to_ns(t1) - t0ns);
  ev += ",\"tid\":" + std::to_string(f.task ? task_tid(f.task) : ts->tid);
  std::string args;
  if (frame_args_json(f, retval, args)) ev += ",\"args\":" + args;
  ev += "}";
  vz::rec::add_event_json(ev);
}

int profile(PyObject*, PyFrameObject* frame, int what, PyObject* arg) {
  ThreadState* ts = tls_thread;
  if (!ts) [[unlikely]]
    ts = this_thread();
  switch (what) {
    case PyTrace_CALL: {
      PyCodeObject* co = PyFrame_GetCode(frame);
      on_call(ts, frame, co, frame, nullptr);
      Py_DECREF(co);
      break;
    }
    case PyTrace_RETURN:
      on_return(ts, frame, false, arg);
      break;
    case PyTrace_C_CALL:
      if (!g_state.opt.ignore_c_function) on_call(ts, arg, nullptr, nullptr, arg);
      break;
    case PyTrace_C_RETURN:
    case PyTrace_C_EXCEPTION:
      if (!g_state.opt.ignore_c_function) on_return(ts, arg, true, nullptr);
      break;
    default:
      break;
  }
  return 0;
}

// The PEP 523 path (evalframe.c): entry and exit of every Python frame, with CPython's
// specialising interpreter left on. Used when C calls are not recorded.
extern "C" void vzpy_frame_enter(void* key, PyObject* code) {
  ThreadState* ts = tls_thread;
  if (!ts) [[unlikely]] {
    ts = this_thread();
    // A thread threading starts: its bootstrap is not recorded; threading's profile hook
    // (thread_started) begins the recording at its run(), as the profile hook path does.
    ts->waiting = code == g_state.bootstrap_code;
  }
  if (ts->busy || ts->waiting) return;
  on_call(ts, key, reinterpret_cast<PyCodeObject*>(code), nullptr, nullptr);
}

extern "C" void vzpy_frame_exit(void* key, PyObject* retval) {
  ThreadState* ts = tls_thread;
  if (!ts || ts->busy) [[unlikely]]
    return;
  on_return(ts, key, false, retval);
}

void thread_started(PyFrameObject* frame) {
  ThreadState* ts = this_thread();
  if (!g_state.eval_mode) {
    profile(nullptr, frame, PyTrace_CALL, Py_None);
    return;
  }
  if (!ts->waiting) return;  // its frames are recorded already (this call's entry included)
  ts->waiting = false;
  // The eval-frame hook saw run()'s entry while the thread waited: it starts now.
  void* key = vzpy_frame_key(reinterpret_cast<PyObject*>(frame));
  if (!key) return;
  PyCodeObject* co = PyFrame_GetCode(frame);
  on_call(ts, key, co, nullptr, nullptr);
  Py_DECREF(co);
}

void install_all() { set_profile_all_threads(profile); }

void uninstall_all() { set_profile_all_threads(nullptr); }

void close_open_frames(bool as_complete) {
  // Stamped on the calling thread's clock sequence; another thread's call may have begun a few
  // ns past it on its own (a coarse clock's step), so each ends no earlier than it began.
  const uint64_t now = vz::rec::now_ticks_stamped();
  for (ThreadState* ts = g_state.threads; ts; ts = ts->next) {
    auto& s = ts->stack;
    for (size_t i = s.size(); i-- > 0;) {  // innermost first: children before parents
      Frame& f = s[i];
      if (f.kind == kRecord) {
        if (as_complete) {
          emit_complete(ts, f, std::max(now, f.t0), nullptr);
        } else {
          std::string ev = "{\"ph\":\"B\",\"cat\":\"FEE\",\"name\":";
          auto it = name_texts().find(f.name);
          vz::append_json_string(ev, it == name_texts().end() ? "?" : it->second);
          ev += ",\"ts\":";
          append_us(ev, vz::rec::ticks_to_ns(f.t0));
          ev += ",\"tid\":" + std::to_string(f.task ? task_tid(f.task) : ts->tid) + "}";
          vz::rec::add_event_json(ev);
        }
      }
      pop_frame(f);
    }
    s.clear();
    ts->hide_below = SIZE_MAX;
  }
}

// After fork() in the child: only the forking thread exists.
void after_fork_child() {
  ThreadState* me = tls_thread;
  for (ThreadState* ts = g_state.threads; ts; ts = ts->next) {
    if (ts == me) continue;
    for (Frame& f : ts->stack) f.args = f.task = nullptr;  // other threads' objects: leave them
    ts->stack.clear();
  }
  if (me) {
    // The calls open at the fork are the parent's (their time before it too): the child records
    // what it calls from here, from depth 0 as a new process does; they return unrecorded. The
    // top Python frame (and the C call above it) is the package's at-fork callback running this:
    // it stays, hiding what it calls, until it returns. A fork inside a filtered call (hiding
    // everything above it, the callback too) keeps the stack: what follows stays hidden.
    auto& st = me->stack;
    size_t cb = st.size();
    while (cb > 0 && st[cb - 1].c_call) --cb;
    if (cb > 0) --cb;  // the callback's frame
    if (me->hide_below == SIZE_MAX || me->hide_below >= cb) {
      for (size_t i = 0; i < cb; ++i) pop_frame(st[i]);
      st.erase(st.begin(), st.begin() + std::ptrdiff_t(cb));
      if (me->hide_below != SIZE_MAX) me->hide_below -= cb;
    }
    me->tid = int64_t(syscall(SYS_gettid));
    me->next = nullptr;
    me->named_generation = 0;
  }
  g_state.threads = me;
}

}  // namespace vzpy
