// The viztracer extension's tracer state: shared by the profile hook (hook.cpp) and the module's
// Python functions (module.cpp). Everything here is touched with the GIL held.
#pragma once

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <unordered_set>
#include <vector>

namespace vzpy {

// The C API names this extension uses that moved across CPython versions: the code object's
// extra slots became PyUnstable_* in 3.12 (the underscored names are deprecated, then gone),
// and a profile function for another thread (_PyEval_SetProfile, internal from 3.13) is set
// for all threads at once with PyEval_SetProfileAllThreads from 3.12.
#if PY_VERSION_HEX >= 0x030c0000
inline Py_ssize_t request_code_extra_index() { return PyUnstable_Eval_RequestCodeExtraIndex(nullptr); }
inline int code_get_extra(PyObject* co, Py_ssize_t i, void** v) { return PyUnstable_Code_GetExtra(co, i, v); }
inline int code_set_extra(PyObject* co, Py_ssize_t i, void* v) { return PyUnstable_Code_SetExtra(co, i, v); }
inline void set_profile_all_threads(Py_tracefunc f) { PyEval_SetProfileAllThreads(f, nullptr); }
#else
inline Py_ssize_t request_code_extra_index() { return _PyEval_RequestCodeExtraIndex(nullptr); }
inline int code_get_extra(PyObject* co, Py_ssize_t i, void** v) { return _PyCode_GetExtra(co, i, v); }
inline int code_set_extra(PyObject* co, Py_ssize_t i, void* v) { return _PyCode_SetExtra(co, i, v); }
inline void set_profile_all_threads(Py_tracefunc f) {
  PyThreadState* me = PyThreadState_Get();
  for (PyThreadState* t = PyInterpreterState_ThreadHead(me->interp); t; t = PyThreadState_Next(t))
    if (_PyEval_SetProfile(t, f, nullptr) < 0) PyErr_Clear();
}
#endif

// What the hook does with a frame it pushed.
enum FrameKind : uint8_t {
  kRecord = 0,  // recorded when it returns
  kSkip = 1,    // not recorded (beyond max_stack_depth, paused; package code calling user code)
  kHide = 2,    // not recorded, nor anything it calls (a filtered function, the package's code)
};

// One open call on a thread's shadow stack.
struct Frame {
  uint64_t t0;      // now_ticks() at the call
  void* key;        // the frame object (Python) or the function object (C): matches the return
  uint32_t name;    // interned name
  uint8_t kind;     // FrameKind
  bool c_call;      // a C function
  PyObject* args;   // dict of args (log_func_args / add_func_args) or nullptr; owned
  PyObject* task;   // log_async: the asyncio task this call ran in, or nullptr; owned
};

// Per OS thread: the shadow stack. Never freed (a thread that ends has unwound it).
struct ThreadState {
  std::vector<Frame> stack;
  size_t hide_below = SIZE_MAX;  // stack index of a kHide frame: everything above is hidden
  int64_t tid = 0;               // gettid()
  uint32_t named_generation = 0; // the session in which the thread's name was sent
  uint32_t name_tries = 0;       // calls seen before threading registered the thread
  bool busy = false;             // the hook runs Python code (names, repr): frames it runs
                                 // are not the program's (the eval-frame path sees them)
  bool paused = false;           // pause(): this thread records nothing until resume()
  bool waiting = false;          // eval mode: a new thread in threading's bootstrap, not
                                 // recorded until threading's profile hook runs (its run())
  ThreadState* next = nullptr;   // all thread states, newest first
};

// The session's options (VizTracer's constructor arguments, as the hook needs them).
struct Options {
  int max_stack_depth = -1;
  bool ignore_c_function = false;
  bool ignore_frozen = false;
  bool trace_self = false;
  bool log_func_args = false;
  bool log_func_retval = false;
  bool log_async = false;
  std::vector<std::string> include_files;  // prefixes of co_filename
  std::vector<std::string> exclude_files;
  std::string self_prefix;                 // the package's directory (its own code)
  PyObject* repr = nullptr;                // log_func_repr or builtins.repr (owned)
};

struct State {
  Options opt;
  bool active = false;
  bool eval_mode = false;            // the session uses the eval-frame hook (evalframe.c)
  uint32_t generation = 0;           // bumped per start(): invalidates per-code caches
  Py_ssize_t code_extra_index = -1;  // co_extra slot for per-code name and filter decision
  ThreadState* threads = nullptr;
  PyObject* bootstrap_code = nullptr;    // threading.Thread._bootstrap's code (owned; eval mode)
  PyObject* get_running_loop = nullptr;  // asyncio helpers (log_async)
  PyObject* current_tasks = nullptr;
  // Python functions first called in this session: (name, file, line), for file_info.
  std::vector<std::tuple<std::string, std::string, int>> functions;
  std::unordered_set<PyObject*> transparent;  // package code objects that are kSkip, not kHide
};
State& state();

// The C profile function (PyEval_SetProfile).
int profile(PyObject* obj, PyFrameObject* frame, int what, PyObject* arg);
// The calling thread's state (created on first use).
ThreadState* this_thread();
}  // namespace vzpy
extern "C" int vzpy_set_eval_frame(int on);  // evalframe.c
// The eval-frame hook's key of a frame object (its interpreter frame); nullptr without the hook.
extern "C" void* vzpy_frame_key(PyObject* frame);
namespace vzpy {
// Installs the profile function on every thread of the interpreter.
void install_all();
// Removes it from every thread.
void uninstall_all();
// Closes the frames still open on every thread at stop(): as complete events ending now
// (flush_as_finish) or as B events; then empties the stacks.
void close_open_frames(bool as_complete);
// Appends a Chrome event "args" object for a frame (func_args, return value) to `out`.
bool frame_args_json(const Frame& f, PyObject* retval, std::string& out);
// The name of a C function object ("builtins.sum", "list.append").
uint32_t c_function_name(PyObject* func);
// Emits the complete event of a frame that ends at t1 (ticks) on thread `ts`.
void emit_complete(ThreadState* ts, const Frame& f, uint64_t t1, PyObject* retval);
// threading's profile hook on a new thread, with the thread's first event (the call of its
// run()): from here the thread is recorded, that call included.
void thread_started(PyFrameObject* frame);
// Sends the calling thread's name to the recorder (once per session, once threading knows it).
void name_thread(ThreadState* ts);

}  // namespace vzpy
