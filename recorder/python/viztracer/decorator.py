"""viztracer's decorators: ignore_function, trace_and_save, log_sparse."""
import functools
import os
import sys
import time

from . import _vztracer
from .tracer import VizTracer, get_tracer


def ignore_function(method=None, tracer=None):
    """Calls of the decorated function (and what it calls) are not recorded."""
    def inner(func):
        @functools.wraps(func)
        def ignore_wrapper(*args, **kwargs):
            t = tracer if tracer is not None else get_tracer()
            if t is None:
                raise NameError("ignore_function only works with a global tracer (register_global=True)")
            if t._paused:
                return func(*args, **kwargs)
            t.pause()
            try:
                return func(*args, **kwargs)
            finally:
                t.resume()
        return ignore_wrapper
    if method is not None:
        return inner(method)
    return inner


def trace_and_save(method=None, output_dir="./", **viztracer_kwargs):
    """Each call of the decorated function is traced on its own and saved in output_dir as
    result_<function>_<time>.json. As viztracer's, the tracer is VizTracer(**viztracer_kwargs):
    the global one while the function runs (get_tracer(), @ignore_function and the logging
    handler act on it), and it says where it saved unless verbose=0. The global tracer from
    before (the CLI's) is the global one again afterwards."""
    def inner(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            before = get_tracer()
            tracer = VizTracer(**viztracer_kwargs)
            try:
                tracer.start()
                try:
                    return func(*args, **kwargs)
                finally:
                    tracer.stop()
                    os.makedirs(output_dir, exist_ok=True)
                    # (viztracer's name: the time in units of 10 us, 15 digits)
                    name = f"result_{func.__name__}_{int(100000 * time.time())}.json"
                    tracer.save(os.path.join(output_dir, name))
            finally:
                if before is not None and get_tracer() is tracer:
                    before.register_global()
        return wrapper
    if method is not None:
        return inner(method)
    return inner


def log_sparse(func=None, stack_depth=0, dynamic_tracer_check=False):
    """With VizTracer(log_sparse=True), only functions decorated with this are recorded (one
    complete event per call; with stack_depth=N the calls they make too, N levels deep in all);
    without such a tracer the function runs as is. A decorated function called inside another's
    N levels is recorded once: by the hook when it is within them, else by its own event (with
    stack_depth=M, the hook's levels reach M below it while it runs)."""
    def inner(f):
        code = f.__code__
        name = f"{f.__qualname__} ({code.co_filename}:{code.co_firstlineno})"

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            tracer = get_tracer()
            if tracer is None or not tracer.log_sparse or not tracer.enable:
                return f(*args, **kwargs)
            if tracer._sparse_depth:
                # Inside a @log_sparse(stack_depth=N) function: the hook records N levels.
                region = tracer._sparse_region
                level = _region_level(region, sys._getframe())
                if level is None:  # not under the region's frame (another thread)
                    return f(*args, **kwargs)
                if stack_depth > 0 or level <= region[1]:
                    # The hook records the call (stack_depth > 0: the region's levels reach
                    # stack_depth below it while it runs). `level` counts Python's frames, not
                    # the C calls the hook records (C calls recorded): where every recorded call
                    # is a ring record, a call after which the hook recorded nothing was beyond
                    # its levels, and gets its own event. (Inline: the hook sees every frame
                    # here, and any other package function would hide the call.)
                    prev = None
                    if stack_depth > 0 and level + stack_depth - 1 > region[1]:
                        prev, region[1] = region[1], level + stack_depth - 1
                        _vztracer.set_max_stack_depth(region[1])
                    check = not (tracer.ignore_c_function or tracer.log_func_args or
                                 tracer.log_func_retval or tracer.log_async)
                    if check:
                        before = _vztracer.thread_records()
                        start = _vztracer.now_us()
                    try:
                        return f(*args, **kwargs)
                    finally:
                        if check and _vztracer.thread_records() == before:
                            _sparse_event(tracer, name, start, _vztracer.now_us())
                        if prev is not None and tracer._sparse_region is region:
                            region[1] = prev
                            if tracer.enable:
                                _vztracer.set_max_stack_depth(prev)
                # Beyond the hook's levels: its own event, as outside the region.
            elif stack_depth > 0:
                # The function and its callees, stack_depth deep, through the hook.
                tracer._sparse_hook(True, stack_depth, sys._getframe())
                try:
                    return f(*args, **kwargs)
                finally:
                    if tracer.enable:
                        tracer._sparse_hook(False)
                    else:
                        tracer._sparse_region = None  # (it holds this frame)
            start = _vztracer.now_us()
            try:
                return f(*args, **kwargs)
            finally:
                _sparse_event(tracer, name, start, _vztracer.now_us())
        return wrapper
    if func is not None:
        return inner(func)
    return inner


def _sparse_event(tracer, name, start, end):
    """The complete event of a @log_sparse call from `start` to `end` (us)."""
    tracer._event({"ph": "X", "cat": "FEE", "name": name, "ts": start, "dur": round(end - start, 3)})


def _region_level(region, wrapper_frame):
    """The level at which the hook of a @log_sparse(stack_depth=N) function, `region` ([its
    wrapper's frame, the hook's max_stack_depth]), sees the call `wrapper_frame` (a log_sparse
    wrapper) makes: 1 for the region's function itself, which its wrapper calls with the hook's
    stack empty, plus one per frame between (the wrapper too is a level of the hook's stack).
    None when `wrapper_frame` is not under the region's (a call on another thread).

    Counted from Python's frames because the extension does not tell its stack's depth. What
    frames do not show is a C function the hook records (C calls recorded) that calls back into
    Python (sorted(key=...), min(key=...)) between the two: each is one level more for the hook
    than this count (the wrapper checks the hook's records there)."""
    top = region[0] if region else None
    level = 2
    f = wrapper_frame.f_back
    while f is not None:
        if f is top:
            return level
        level += 1
        f = f.f_back
    return None


def _transparent_codes():
    """Wrappers that call user code: their frames are skipped, the user's calls recorded."""
    codes = []
    for deco in (ignore_function, log_sparse):
        w = deco(lambda: None)
        codes.append(w.__code__)
    codes.append(trace_and_save(lambda: None).__code__)
    return codes


_vztracer.set_transparent(_transparent_codes())
