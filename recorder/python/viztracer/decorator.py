"""viztracer's decorators: ignore_function, trace_and_save, log_sparse."""
import functools
import os
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
    result_<function>_<time>.json."""
    def inner(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            tracer = VizTracer(**{"verbose": 0, "register_global": False, **viztracer_kwargs})
            tracer.start()
            try:
                return func(*args, **kwargs)
            finally:
                tracer.stop()
                os.makedirs(output_dir, exist_ok=True)
                name = f"result_{func.__name__}_{int(time.time() * 1000000)}.json"
                tracer.save(os.path.join(output_dir, name))
        return wrapper
    if method is not None:
        return inner(method)
    return inner


def log_sparse(func=None, stack_depth=0, dynamic_tracer_check=False):
    """With VizTracer(log_sparse=True), only functions decorated with this are recorded (one
    complete event per call; with stack_depth=N the calls they make too, N levels deep in all);
    without such a tracer the function runs as is."""
    def inner(f):
        code = f.__code__
        name = f"{f.__qualname__} ({code.co_filename}:{code.co_firstlineno})"

        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            tracer = get_tracer()
            if tracer is None or not tracer.log_sparse or not tracer.enable or tracer._sparse_depth:
                return f(*args, **kwargs)
            if stack_depth > 0:
                # The function and its callees, stack_depth deep, through the hook.
                tracer._sparse_hook(True, stack_depth)
                try:
                    return f(*args, **kwargs)
                finally:
                    if tracer.enable:
                        tracer._sparse_hook(False)
            start = _vztracer.now_us()
            try:
                return f(*args, **kwargs)
            finally:
                end = _vztracer.now_us()
                tracer._event({"ph": "X", "cat": "FEE", "name": name, "ts": start,
                               "dur": round(end - start, 3)})
        return wrapper
    if func is not None:
        return inner(func)
    return inner


def _transparent_codes():
    """Wrappers that call user code: their frames are skipped, the user's calls recorded."""
    codes = []
    for deco in (ignore_function, log_sparse):
        w = deco(lambda: None)
        codes.append(w.__code__)
    codes.append(trace_and_save(lambda: None).__code__)
    return codes


_vztracer.set_transparent(_transparent_codes())
