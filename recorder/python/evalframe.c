/* The eval-frame hook (PEP 523) of the viztracer extension: wraps CPython's frame evaluator so
 * that every Python frame's entry and exit is recorded without a profile function, which keeps
 * the specialising interpreter on (a third of the profile hook's cost per call). It sees
 * Python frames only, so it is used when C calls are not recorded (ignore_c_function=True).
 * A generator or coroutine resume is a frame evaluation too: one slice per resume, as with the
 * profile hook. It needs the frame layout (an internal header): built for 3.11 and 3.12. Not
 * for 3.13: its specialised class call (CALL_ALLOC_AND_ENTER_INIT) runs __init__ without the
 * hook, so those calls would be missing (tests/python/test_hooks.py checks for them). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if PY_VERSION_HEX >= 0x030b0000 && PY_VERSION_HEX < 0x030d0000
#define Py_BUILD_CORE 1
#include "internal/pycore_frame.h"
#undef Py_BUILD_CORE
#define VZPY_HAVE_EVAL_FRAME 1
#endif

void vzpy_frame_enter(void* key, PyObject* code);
void vzpy_frame_exit(void* key, PyObject* retval);

#ifdef VZPY_HAVE_EVAL_FRAME
static PyObject* vzpy_eval_frame(PyThreadState* tstate, struct _PyInterpreterFrame* frame, int exc) {
  /* Calling a generator or coroutine function runs its frame up to RETURN_GENERATOR, which
   * makes the generator object: not a call the profile hook reports, so not one here. */
  PyCodeObject* code = frame->f_code;
  if ((code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR)) &&
      _PyInterpreterFrame_LASTI(frame) < 0)
    return _PyEval_EvalFrameDefault(tstate, frame, exc);
  vzpy_frame_enter(frame, (PyObject*)code);
  PyObject* r = _PyEval_EvalFrameDefault(tstate, frame, exc);
  vzpy_frame_exit(frame, r);
  return r;
}
#endif

void* vzpy_frame_key(PyObject* frame) {
#ifdef VZPY_HAVE_EVAL_FRAME
  return PyFrame_Check(frame) ? (void*)((PyFrameObject*)frame)->f_frame : NULL;
#else
  (void)frame;
  return NULL;
#endif
}

/* Installs (on != 0) or removes the hook for the current interpreter; 0 when unavailable. */
int vzpy_set_eval_frame(int on) {
#ifdef VZPY_HAVE_EVAL_FRAME
  _PyInterpreterState_SetEvalFrameFunc(PyInterpreterState_Get(),
                                       on ? vzpy_eval_frame : _PyEval_EvalFrameDefault);
  return 1;
#else
  (void)on;
  return 0;
#endif
}
