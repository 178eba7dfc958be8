"""VizTracer: viztracer's tracer class on vizviewer's native recorder.

The hot path (every Python and C call) is the extension `viztracer._vztracer`, a C profile
function writing fixed-size records into per-thread rings. This module holds the configuration
and validation, the events the user adds by hand, and saving (the recorder writes .json,
.json.gz and .vzt through the formats library).
"""

import builtins
import gc
import io
import json
import os
import re
import sys
import threading
import weakref

from . import _vztracer
from .file_info import build_file_info
from .version import __version__

_global_tracer = None
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


_stashed = weakref.WeakSet()  # tracers whose events are in a stash file (VizTracer._stash)
_pid = [os.getpid()]  # this process's pid (add_raw's default), set again in a forked child


class _VizState:
    owner = None  # the tracer whose events the recorder holds
    stash_dir = None  # where tracers keep their events while another one records (_stash)
    stash_pid = None
    displaced = []    # tracers another one's start() stopped: the newest goes on after it saves


def _stash_dir():
    if _VizState.stash_dir is None or _VizState.stash_pid != os.getpid():
        import atexit
        import shutil
        import tempfile
        d = tempfile.mkdtemp(prefix="viztracer_stash_")
        pid = os.getpid()
        atexit.register(lambda: os.getpid() == pid and shutil.rmtree(d, ignore_errors=True))
        _VizState.stash_dir, _VizState.stash_pid = d, pid
    return _VizState.stash_dir


def get_tracer():
    """The tracer created with register_global=True (the default), or None."""
    return _global_tracer


def _check_int(name, value, minimum=None):
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str):
            try:
                value = int(value)
            except ValueError:
                raise ValueError(f"Error when trying to convert {name} {value!r} to integer.") from None
        else:
            raise ValueError(f"{name} needs to be an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _check_bool(name, value):
    if not isinstance(value, bool) and value not in (0, 1):
        raise ValueError(f"{name} needs to be a boolean, got {value!r}")
    return bool(value)


def _check_files(name, value):
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} needs to be a list of paths, got {type(value).__name__}")
    for v in value:
        if not isinstance(v, str):
            raise TypeError(f"{name} needs to be a list of paths, got an item of type {type(v).__name__}")
    return list(value) or None  # an empty list filters nothing, as None


def _check_min_duration(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"{name} needs to be a non-negative number of microseconds, got {value!r}")
    return value


def _check_repr(name, value):
    if value is not None and not callable(value):
        raise ValueError(f"{name} needs to be a callable or None")
    return value


def _check_optional_bool(name, value):
    return False if value is None else _check_bool(name, value)


def _check_patterns(name, value):
    """None (off), or a list of regular expressions ([] matches everything)."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise TypeError(f"{name} needs to be a list of regular expressions (str) or None")
    for v in value:
        try:
            re.compile(v)
        except re.error as e:
            raise ValueError(f"{name}: {v!r} is not a regular expression: {e}") from None
    return list(value)


PLUGINS_REFUSED = ("plugins are not supported by this viztracer: viztracer's plugins (vizplugins) "
                   "drive its own tracer's internals")


def torch_refusal():
    """Why log_torch cannot be used: (exception type, message)."""
    import importlib.util
    if importlib.util.find_spec("torch") is None:
        return ImportError, "torch is not installed"
    return ValueError, ("log_torch is not supported by this viztracer: torch profiler events are "
                        "not merged into the trace")


def _check_plugins(name, value):
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{name} needs to be a list")
    if value:
        raise ValueError(PLUGINS_REFUSED)
    return []


def _check_log_torch(name, value):
    if _check_bool(name, value):
        error, message = torch_refusal()
        raise error(message)
    return False


def _check_str(name, value, optional=False):
    if not isinstance(value, str) and not (optional and value is None):
        raise ValueError(f"{name} needs to be a str{' or None' if optional else ''}, "
                         f"got {type(value).__name__}")
    return value


class _Option:
    """An option of VizTracer, checked whenever it is set (in the constructor or later, as
    viztracer's properties are). `live(tracer, value)` applies it to a running tracer; any other
    option takes effect at the next start()."""

    def __init__(self, check, live=None):
        self.check, self.live = check, live

    def __set_name__(self, owner, name):
        self.name, self.slot = name, "_opt_" + name

    def __get__(self, obj, owner=None):
        return self if obj is None else obj.__dict__[self.slot]

    def __set__(self, obj, value):
        value = self.check(self.name, value)
        obj.__dict__[self.slot] = value
        if self.live is not None and obj.__dict__.get("enable"):
            self.live(obj, value)


def _live_max_stack_depth(tracer, value):
    if not tracer._sparse_depth:  # a @log_sparse(stack_depth=N) function sets its own
        _vztracer.set_max_stack_depth(value)


def _multiprocessing_name():
    """This process's multiprocessing name (SpawnPoolWorker-2...), or None. A child terminated
    while it imports multiprocessing has the module only partly initialised."""
    current = getattr(sys.modules.get("multiprocessing"), "current_process", None)
    try:
        return current().name if current is not None else None
    except Exception:
        return None


def _check_output_format(path):
    """Raises ValueError unless `path`'s extension names a format save() writes."""
    if not path.lower().endswith((".json", ".gz", ".vzt")):
        raise ValueError(f"unknown output format for {path!r}: use .json, .json.gz or .vzt")


def _prefixes(files):
    """Prefixes matched against co_filename: as given, and relative ones also as absolute."""
    out = []
    for f in files or []:
        out.append(f)
        if not os.path.isabs(f):
            out.append(os.path.abspath(f))
    return out


# A JSON string, or one of the tokens json.dumps writes for a float JSON has no number for.
_NON_FINITE = re.compile(r'"(?:[^"\\]|\\.)*"|NaN|-?Infinity')


def _dumps(obj, counter=False):
    """obj as JSON text. A NaN or infinite float (a loss gone to NaN, a ratio over zero) is not
    valid JSON, and other tools reject a file with one: it is written as the string "NaN",
    "Infinity" or "-Infinity", or in a counter (counter=True), where a value must be a number,
    as null (no value at this sample) or as +-1e999 (the nearest number JSON can say)."""
    text = json.dumps(obj, default=repr, ensure_ascii=False)
    if "NaN" not in text and "Infinity" not in text:
        return text
    if counter:
        tokens = {"NaN": "null", "Infinity": "1e999", "-Infinity": "-1e999"}
    else:
        tokens = {"NaN": '"NaN"', "Infinity": '"Infinity"', "-Infinity": '"-Infinity"'}
    return _NON_FINITE.sub(lambda m: tokens.get(m.group(0), m.group(0)), text)


def _utf8_safe(text):
    """`text` with the characters UTF-8 cannot encode (lone surrogates: undecodable file names,
    strings built from bytes with errors="surrogateescape") replaced by '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _name_text(name):
    """A process name as the recorder takes it: a lone surrogate and a NUL (start() takes a C
    string) become '?'."""
    return _utf8_safe(name).replace("\0", "?")


def _emit(stream, text):
    """Writes viztracer's own message `text` (a line) to the standard stream `stream` ("stdout"
    or "stderr"). A stream the program closed, replaced by None or left as a broken pipe
    (`viztracer t.py | head -1`) loses the message: never an error, and never an exit status
    changed by it. On the process's own stream the program's pending output goes first, then the
    message straight to the file descriptor, so a message that cannot be written is not left in
    the stream's buffer to fail again when python flushes it on the way out (status 120). The
    program's own output that cannot be written stays there, as it would without viztracer."""
    out = getattr(sys, stream, None)
    if out is None:
        return
    line = text if text.endswith("\n") else text + "\n"
    try:
        if out is not getattr(sys, "__" + stream + "__", None):
            out.write(line)  # the program's replacement (a StringIO, a logger): as it takes it
            return
        out.flush()
        try:
            data = line.encode(out.encoding or "utf-8", out.errors or "strict")
        except UnicodeError:  # (what print() would have raised on: a name in another encoding)
            data = line.encode(out.encoding or "utf-8", "backslashreplace")
        fd = out.fileno()
        while data:
            data = data[os.write(fd, data):]
    except (OSError, ValueError, AttributeError, UnicodeError):
        pass


def _say(text):
    """A message of viztracer's on stdout (see _emit)."""
    _emit("stdout", text)


def _tell(text):
    """A warning or error of viztracer's on stderr (see _emit)."""
    _emit("stderr", text)


def _send(send, *texts):
    """Calls the recorder's send(*texts); texts UTF-8 cannot encode are sent as _utf8_safe()
    makes them (the check costs nothing for the others)."""
    try:
        return send(*texts)
    except UnicodeEncodeError:
        return send(*[_utf8_safe(t) for t in texts])


_NOT_DISPLAYABLE = "Not Displayable"  # viztracer's text for a value it cannot show


def _text_repr(func):
    """log_func_repr for the recorder, which writes the text of each argument and return
    value: what `func` returns as it is when a str, else as str() of it (viztracer keeps any
    value: a number, None...); "Not Displayable" when str() raises. When `func` raises, the
    recorder writes "Not Displayable" as for repr()."""
    def log_func_repr(value):
        r = func(value)
        if isinstance(r, str):
            return r
        try:
            return str(r)
        except Exception:
            return _NOT_DISPLAYABLE
    return log_func_repr


class VizTracer:
    """Records every Python and C call of every thread; see the package README for the options."""

    output_file = _Option(_check_str)
    tracer_entries = _Option(lambda n, v: _check_int(n, v, 1))
    verbose = _Option(lambda n, v: _check_int(n, v, 0))
    max_stack_depth = _Option(_check_int, live=_live_max_stack_depth)
    include_files = _Option(_check_files)
    exclude_files = _Option(_check_files)
    ignore_c_function = _Option(_check_bool)
    ignore_frozen = _Option(_check_bool)
    log_func_retval = _Option(_check_bool)
    log_func_args = _Option(_check_bool)
    log_func_repr = _Option(_check_repr)
    log_print = _Option(_check_bool)
    log_gc = _Option(_check_bool)
    log_sparse = _Option(_check_bool)
    log_async = _Option(_check_bool)
    pid_suffix = _Option(_check_bool)
    file_info = _Option(_check_bool)
    trace_self = _Option(_check_bool)
    min_duration = _Option(_check_min_duration)
    process_name = _Option(lambda n, v: _check_str(n, v, optional=True))
    log_audit = _Option(_check_patterns)
    log_func_with_objprint = _Option(_check_optional_bool)
    # Accepted for viztracer compatibility, with nothing to change: names and values are always
    # written as valid UTF-8 (sanitize_function_name), and the recorder writes the trace from
    # its own buffers, never as Python objects (minimize_memory, dump_raw). log_torch and
    # plugins are refused by their checks.
    sanitize_function_name = _Option(_check_bool)
    minimize_memory = _Option(_check_bool)
    dump_raw = _Option(_check_bool)
    log_torch = _Option(_check_log_torch)
    plugins = _Option(_check_plugins)

    def __init__(self,
                 output_file="result.json",
                 tracer_entries=1000000,
                 verbose=1,
                 max_stack_depth=-1,
                 include_files=None,
                 exclude_files=None,
                 ignore_c_function=False,
                 ignore_frozen=False,
                 log_func_retval=False,
                 log_func_args=False,
                 log_func_repr=None,
                 log_print=False,
                 log_gc=False,
                 log_sparse=False,
                 log_async=False,
                 pid_suffix=False,
                 file_info=True,
                 register_global=True,
                 min_duration=0,
                 process_name=None,
                 trace_self=False,
                 log_audit=None,
                 log_func_with_objprint=False,
                 sanitize_function_name=False,
                 minimize_memory=False,
                 dump_raw=False,
                 log_torch=False,
                 plugins=None,
                 **kwargs):
        unknown = set(kwargs) - {"output_dir", "output_type", "max_log_entries"}
        if unknown:
            raise TypeError(f"VizTracer() got unexpected keyword arguments: {', '.join(sorted(unknown))}")
        self._sparse_depth = False  # inside a @log_sparse(stack_depth=N) function
        # Then [that function's wrapper frame, the hook's max_stack_depth] (decorator.py).
        self._sparse_region = None
        self.output_file = output_file
        self.tracer_entries = tracer_entries
        self.verbose = verbose
        self.max_stack_depth = max_stack_depth
        self.include_files = include_files
        self.exclude_files = exclude_files
        self.ignore_c_function = ignore_c_function
        self.ignore_frozen = ignore_frozen
        self.log_func_retval = log_func_retval
        self.log_func_args = log_func_args
        self.log_func_repr = log_func_repr
        self.log_print = log_print
        self.log_gc = log_gc
        self.log_sparse = log_sparse
        self.log_async = log_async
        self.pid_suffix = pid_suffix
        self.file_info = file_info
        self.trace_self = trace_self
        self.min_duration = min_duration
        self.process_name = process_name
        self.log_audit = log_audit
        self.log_func_with_objprint = log_func_with_objprint
        self.sanitize_function_name = sanitize_function_name
        self.minimize_memory = minimize_memory
        self.dump_raw = dump_raw
        self.log_torch = log_torch
        self.plugins = plugins
        self.output_dir = kwargs.get("output_dir")
        self.enable = False
        self.parsed = False
        self.data = {}
        self._system_print = None
        self._saved_to = None
        self._extra_file_info = []  # file_info of merged child traces
        # names of the complete events added by hand (file_info): insertion-ordered, the most
        # recently used last, at most tracer_entries (the oldest go: their events are likely
        # gone from the buffer, and a program naming every event anew must not grow it)
        self._x_names = {}
        self._last_lost = 0         # events the last save() had lost to tracer_entries
        self._children_lost = 0     # of those now held, lost by merged child processes
        self._child_trace = False   # a child process's own trace, merged by the root (children.py)
        self._has_data = False      # recorded since the last clear(): start() appends
        self._stash_path = None     # this tracer's events, while the recorder holds another's
        self._stash_has_data = False  # _has_data when they were stashed
        self._stash_lost = 0        # events the stashed session had lost (tracer_entries)
        self._afterfork = None      # set_afterfork(): (callback, args, kwargs)
        self._audit_patterns = None # log_audit, compiled at start()
        self._sync_marker = None    # set_sync_marker(): the trace's time (us) it marked
        if register_global:
            self.register_global()

    # ------------------------------------------------------------------ session

    def register_global(self):
        global _global_tracer
        _global_tracer = self
        builtins.__dict__["__viz_tracer__"] = self

    def _process_name(self):
        """The name the recorder gives this process, as text it takes: a lone surrogate (a
        name built from bytes with surrogateescape) and a NUL (the recorder's start() takes a
        C string) become '?', as they would end start() with an error."""
        name = self.process_name
        if name is None:
            name = _multiprocessing_name() or "MainProcess"
        return _name_text(name)

    def start(self):
        """Starts recording (a fresh session: earlier events are dropped)."""
        self._start()

    def _start(self, keep_paused=False):
        if self.enable:
            return
        if self.include_files is not None and self.exclude_files is not None:
            raise ValueError("include_files and exclude_files can't be both specified!")
        self.parsed = False
        self.data = {}
        self._reclaim()
        # Like viztracer, a tracer started again adds to what it recorded until clear().
        append = self._has_data
        if not append:
            self._children_lost = 0
        self._sparse_depth = False
        self._sparse_region = None
        # The hooks go in before the recording starts: their calls are not the program's.
        try:
            if self.log_gc:
                gc.callbacks.append(self._gc_callback)
            if self.log_print:
                self._overload_print()
            if self.log_audit is not None:
                self._audit_patterns = [re.compile(p) for p in self.log_audit]
                _install_audit_hook()
            else:
                self._audit_patterns = None
            if not self.log_sparse:
                threading.setprofile(_vztracer.thread_hook)  # new threads install the C hook
            self._start_recorder(hook=not self.log_sparse, max_stack_depth=self.max_stack_depth,
                                 append=append, keep_paused=keep_paused)
        except BaseException:
            threading.setprofile(None)
            self._remove_hooks()
            raise
        self._has_data = True
        self.enable = True

    def _func_repr(self):
        if self.log_func_repr is not None:
            return _text_repr(self.log_func_repr)
        if not self.log_func_with_objprint:
            return None
        try:
            import functools
            import objprint
        except ImportError:
            return None  # repr, as without objprint
        return functools.partial(objprint.objstr, color=False)

    def _start_recorder(self, hook, max_stack_depth, append, keep_paused=False):
        _vztracer.start(
            tracer_entries=self.tracer_entries,
            max_stack_depth=max_stack_depth,
            min_duration_ns=int(round(self.min_duration * 1000)),
            include_files=_prefixes(self.include_files),
            exclude_files=_prefixes(self.exclude_files),
            ignore_c_function=self.ignore_c_function,
            ignore_frozen=self.ignore_frozen,
            trace_self=self.trace_self,
            self_prefix=_PACKAGE_DIR,
            log_func_args=self.log_func_args,
            log_func_retval=self.log_func_retval,
            log_async=self.log_async,
            repr=self._func_repr(),
            process_name=self._process_name(),
            hook=hook,
            append=append,
            keep_paused=keep_paused,
        )

    def _sparse_hook(self, on, stack_depth=-1, frame=None):
        """log_sparse mode, @log_sparse(stack_depth=N): the calls of the decorated function, N
        deep, are recorded by the hook (on=True) until it returns (on=False); the session goes
        on (its events are kept). `frame` is the decorator's wrapper that calls the function:
        the hook's levels are counted from there (the hook's stack starts empty under it)."""
        _vztracer.stop(False)
        self._sparse_depth = on
        self._sparse_region = [frame, stack_depth] if on else None
        self._start_recorder(hook=on, max_stack_depth=stack_depth if on else self.max_stack_depth,
                             append=True, keep_paused=True)

    def stop(self, stop_option=None):
        """Stops recording. Calls still open become B events, or with
        stop_option="flush_as_finish" complete events that end now."""
        if stop_option not in (None, "flush_as_finish"):
            raise ValueError(f"stop_option must be None or 'flush_as_finish', got {stop_option!r}")
        self._not_displaced()
        if not self.enable:
            return
        threading.setprofile(None)
        _vztracer.stop(stop_option == "flush_as_finish")
        self.enable = False
        self._remove_hooks()

    def _remove_hooks(self):
        self._audit_patterns = None  # the audit events of stopping are not the program's
        if self._gc_callback in gc.callbacks:
            gc.callbacks.remove(self._gc_callback)
        if self._system_print is not None:
            builtins.print = self._system_print
            self._system_print = None

    def pause(self):
        """Stops recording the calling thread until resume() (other threads go on), as
        viztracer's pause() does."""
        if self.enable:
            _vztracer.pause()

    def resume(self):
        if self.enable:
            _vztracer.resume()

    @property
    def _paused(self):
        """pause() holds the calling thread."""
        return self.enable and _vztracer.is_paused()

    def clear(self):
        """Drops everything recorded so far."""
        if _VizState.owner is self or _VizState.owner is None:
            _vztracer.clear()
        self._drop_stash()
        self._not_displaced()
        self._has_data = False
        self._extra_file_info = []
        self._x_names = {}
        self._children_lost = 0
        self.parsed = False
        self.data = {}

    # One recorder serves every VizTracer of the process. A tracer that starts while the recorder
    # holds another's events moves them into a .vzt file of that tracer's (its stash); they come
    # back when that one starts again, and a tracer saves or parses its stash without touching
    # the recorder, so each tracer saves what it recorded and no save disturbs a running tracer.
    # A tracer still recording when another starts is stopped, with viztracer's warning; unlike
    # viztracer's (which records no more), it goes on once the other one has saved, unless it
    # was stopped, saved or cleared meanwhile (`viztracer script.py` of a script with a `with
    # VizTracer(...)` block or a @trace_and_save function: all but that part).

    def _stash(self):
        """Moves this tracer's events out of the recorder (see _reclaim). Raises OSError when
        they cannot be written (the recorder keeps them, and this tracer stays the owner)."""
        if self.enable:
            sys.stderr.write("Warning! Overwrite tracer! You should not have two VizTracer "
                             "recording at the same time!\n")
            # Its calls still open end here: it goes on later (_resume_displaced) without them
            # on its stack, so as B events they would never be closed.
            self.stop("flush_as_finish")
            _VizState.displaced.append(self)
        # Saved or not, the events stay this tracer's (a save() without a start() in between
        # writes them again); _has_data comes back with them.
        import tempfile
        if self.file_info:
            self._set_file_info()
        self._set_sync_metadata()
        fd, path = tempfile.mkstemp(suffix=".vzt", dir=_stash_dir())
        os.close(fd)
        try:
            _vztracer.save(path)
        except BaseException:
            os.unlink(path)
            raise
        self._stash_lost = _vztracer.last_save()["lost"]
        self._stash_path, self._stash_has_data = path, self._has_data
        self._x_names = {}  # (in the stash's file_info)
        _stashed.add(self)
        self._has_data = False
        _vztracer.clear()
        _VizState.owner = None

    def _reclaim(self):
        """Makes the recorder hold this tracer's events: another tracer's are stashed, and this
        one's stash (if any) is loaded back. On failure the stash stays and nobody owns the
        (empty) recorder."""
        owner = _VizState.owner
        if owner is self:
            return
        if owner is not None:
            owner._stash()
        path = self._stash_path
        if path is None:
            _vztracer.clear()
            _VizState.owner = self
            return
        self._start_recorder(hook=False, max_stack_depth=self.max_stack_depth, append=False,
                             keep_paused=True)
        try:
            # (what it had lost comes back with it: its viztracer_metadata says so)
            r = _vztracer.add_trace_file(path, False)
        except BaseException:
            _vztracer.stop(False)
            _vztracer.clear()
            raise
        _vztracer.stop(False)
        _VizState.owner = self
        self._extra_file_info = [json.loads(r["file_info"])] if r["file_info"] else []
        self._has_data = self._stash_has_data
        self._drop_stash()

    def _not_displaced(self):
        """This tracer is done with (stopped, saved, cleared): nothing starts it again."""
        while self in _VizState.displaced:
            _VizState.displaced.remove(self)

    def _resume_displaced(self):
        """After this tracer handed its events over (save, parse): the tracer its start()
        stopped goes on recording."""
        while _VizState.displaced and not self.enable:
            t = _VizState.displaced.pop()
            if t is not self and not t.enable:
                try:
                    t.start()
                except Exception as e:  # (its stash cannot be read back): this one's save stands
                    sys.stderr.write(f"viztracer: cannot resume the tracer this one stopped: {e}\n")
                return

    def _drop_stash(self):
        if self._stash_path is not None:
            try:  # (a forked child has none: _after_fork_child forgets the parent's)
                os.unlink(self._stash_path)
            except OSError:
                pass
            self._stash_path = None
            self._stash_lost = 0
            _stashed.discard(self)

    def __del__(self):
        try:
            self._drop_stash()
            if _VizState.owner is self:
                _VizState.owner = None
        except Exception:
            pass

    def cleanup(self):
        """viztracer's clear() that also frees the buffer: the same here."""
        self.clear()

    def enable_thread_tracing(self):
        """Records the calling thread (one not started through threading, so threading's
        profile hook did not reach it)."""
        if self.enable and not self.log_sparse:
            _vztracer.thread_hook()

    def set_afterfork(self, callback, *args, **kwargs):
        """callback(tracer, *args, **kwargs) runs in each child forked from this process."""
        if not callable(callback):
            raise ValueError("set_afterfork needs a callable")
        self._afterfork = (callback, args, kwargs)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_value, tb):
        self.stop()
        self.save()
        return False

    def run(self, command, output_file=None):
        """Runs `command` (Python source) traced, then saves."""
        if not isinstance(command, str):
            raise ValueError("command needs to be a str of Python code")
        code = compile(command, "<string>", "exec")
        self.start()
        try:
            exec(code, {"__name__": "__main__"})
        finally:
            self.stop()
            self.save(output_file)

    def getts(self):
        """Now, in the trace's microseconds."""
        return _vztracer.now_us()

    def set_sync_marker(self):
        """viztracer's: marks now as this trace's synchronization point. Saved traces carry it as
        viztracer_metadata.sync_marker (the trace's microseconds), and `viztracer
        --align_combine` lines the traces it merges up on their markers (each moved so that its
        marker is at 0; a trace without one starts at 0). As viztracer's, the marker is the
        tracer's until it is set again (clear() keeps it), whether or not it is recording, and
        setting it again warns (RuntimeWarning "Synchronization marker already set")."""
        if self._sync_marker is not None:
            import warnings
            warnings.warn("Synchronization marker already set", RuntimeWarning, stacklevel=2)
        self._sync_marker = _vztracer.now_us()

    def get_sync_marker(self):
        """The time set_sync_marker() marked (the trace's microseconds), or None."""
        return self._sync_marker

    def _set_sync_metadata(self):
        """The marker into the recorder's viztracer_metadata, for the trace it saves next."""
        if self._sync_marker is not None:
            _vztracer.set_metadata("viztracer_metadata",
                                   json.dumps({"sync_marker": self._sync_marker}))

    # ------------------------------------------------------------------ saving

    def _target(self, output_file):
        path = output_file if output_file is not None else self.output_file
        if not isinstance(path, str):
            raise ValueError(f"output_file needs to be a str, got {type(path).__name__}")
        if self.output_dir and not os.path.isabs(path):
            path = os.path.join(self.output_dir, path)
        if self.pid_suffix:
            base, ext = os.path.splitext(path)
            if base.endswith(".json") and ext == ".gz":
                base, ext = base[:-5], ".json.gz"
            path = f"{base}_{os.getpid()}{ext}"
        _check_output_format(path)
        return os.path.abspath(path)

    def save(self, output_file=None, file_info=None, verbose=None):
        """Writes the trace: .json, .json.gz/.gz or .vzt by extension. Returns the path."""
        path = self._target(output_file)
        verbose = self.verbose if verbose is None else verbose
        was_on = self.enable
        if was_on:
            self.stop()
        try:
            message, lost = self._write(path, self.file_info if file_info is None else file_info)
        finally:
            if was_on:  # viztracer goes on recording after a save() made while it ran
                self._start(keep_paused=True)
        self._saved_to = path
        self._last_lost = lost
        if lost:
            # The recorder's own words for it (rings, records) are said once, here, in ours.
            message = message.split("; the ", 1)[0]
            # (A child process's loss is said by the root, with the merged trace's.)
            if not self._child_trace:
                in_children = min(self._children_lost, lost)
                note = f" ({in_children} of them in child processes)" if in_children else ""
                _tell(f"viztracer: the buffer was full (tracer_entries={self.tracer_entries}): "
                      f"{lost} early events were lost{note}; raise tracer_entries to keep them")
        if verbose > 0:  # (a program that closed stdout, or a broken pipe, loses them: _say)
            _say(f"Saving trace to {path}: {message}\n"
                 f"Use the following command to open the report:\nvizviewer {path}")
        if not was_on:
            self._not_displaced()
            self._resume_displaced()
        return path

    def _write(self, path, file_info):
        """Writes this tracer's events to `path`: (the save's message, events lost). Like
        viztracer, what is written is handed over: a later start() records afresh (a save
        without a start() in between writes the same data again). Events in a stash are
        written from it, the recorder (another tracer's, maybe recording) left alone."""
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        if _VizState.owner is not self:
            if self._stash_path is None:
                return self._write_empty(path, file_info), 0
            message = _vztracer.convert(self._stash_path, path)
            self._stash_has_data = False
            return message, self._stash_lost
        if file_info:
            self._set_file_info()
        self._set_sync_metadata()
        message = _vztracer.save(path)
        self._has_data = False
        self._x_names = {}
        return message, _vztracer.last_save()["lost"]

    def _write_empty(self, path, file_info):
        """The trace of a tracer with nothing recorded (never started, or its events handed
        over while another tracer holds the recorder): what any save carries, the process's
        name and viztracer_metadata (file_info when asked for), and no events. Written through
        the formats library (convert), the recorder left alone."""
        import tempfile
        import time
        pid = os.getpid()
        meta = {"producer": "vz_recorder", "version": __version__, "overflow": False,
                "lost_records": 0,
                "baseTimeNanoseconds": time.clock_gettime_ns(time.CLOCK_REALTIME) -
                time.clock_gettime_ns(time.CLOCK_MONOTONIC)}
        if self._sync_marker is not None:
            meta["sync_marker"] = self._sync_marker
        trace = {"traceEvents": [{"ph": "M", "pid": pid, "tid": pid, "name": "process_name",
                                  "args": {"name": self._process_name()}}],
                 "viztracer_metadata": meta}
        if file_info:
            trace["file_info"] = {"files": {}, "functions": {}}
        with tempfile.TemporaryDirectory(prefix="viztracer_") as d:
            src = os.path.join(d, "empty.json")
            with open(src, "w", encoding="utf-8") as f:
                f.write(json.dumps(trace, separators=(",", ":"), ensure_ascii=False))
            return _vztracer.convert(src, path)

    def _set_file_info(self):
        info = build_file_info(_vztracer.functions(), self._x_names)
        for extra in self._extra_file_info:
            info["files"].update(extra.get("files") or {})
            info["functions"].update(extra.get("functions") or {})
        _send(_vztracer.set_metadata, "file_info", _dumps(info))

    def parse(self):
        """Loads what was recorded into self.data (the trace dict); returns its event count."""
        import tempfile
        if self.enable:
            self.stop()
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "trace.json")
            self._write(p, False)  # (handed over, as save() does)
            with open(p, encoding="utf-8") as f:
                self.data = json.load(f)
        self.parsed = True
        self._not_displaced()
        self._resume_displaced()
        return sum(1 for e in self.data["traceEvents"] if e.get("ph") != "M")

    def get_report(self):
        """Per-function totals of what was recorded (see viztracer.report.Report)."""
        from .report import Report
        if not self.parsed:
            self.parse()
        return Report(self.data)

    # ------------------------------------------------------------------ events by hand

    def _event(self, ev):
        ph = ev.get("ph")
        _send(_vztracer.event_json, _dumps(ev, counter=ph == "C"))
        if ph == "X":  # file_info has every complete event named "... (<file>:<line>)"
            name = ev.get("name")
            if isinstance(name, str) and name.endswith(")"):
                names = self._x_names
                if name in names:
                    del names[name]  # (moved last: the most recently used)
                else:
                    while names and len(names) >= self.tracer_entries:
                        del names[next(iter(names))]
                names[name] = None

    def _ts(self):
        return _vztracer.now_us()

    def add_instant(self, name, args=None, scope="g"):
        """An instant event. As viztracer's, a scope other than "g", "p" or "t" is not an
        error in the program: it prints "Scope has to be one of g, p, t" (on stdout, past a
        log_print hook) and adds nothing; and nothing is checked while not recording."""
        if not self.enable:
            return
        if scope not in ("g", "p", "t"):
            if sys.stdout is not None:
                sys.stdout.write("Scope has to be one of g, p, t\n")
            return
        ev = {"ph": "i", "cat": "INSTANT", "name": str(name), "ts": self._ts(), "s": scope}
        if args is not None:
            ev["args"] = args
        self._event(ev)

    def log_instant(self, name, args=None, scope="t", cond=True):
        if cond:
            self.add_instant(name, args, scope)

    def add_counter(self, name, args):
        """A counter sample of the dict `args` {series: value}, as given: viztracer's
        addcounter stores the dict as it is (only while recording). A bool is written as 1/0,
        a number that plots; None as null, no value at this sample; anything else as it comes
        (the reader takes a numeric string for its number and reports other values)."""
        if not self.enable:
            return
        if not isinstance(args, dict):
            raise ValueError(f"add_counter needs a dict of {{series: value}}, got {type(args).__name__}")
        for v in args.values():
            if v is True or v is False:
                args = {k: int(v) if isinstance(v, bool) else v for k, v in args.items()}
                break
        event = {"ph": "C", "name": str(name), "ts": self._ts(), "args": args}
        if args and not any(v is None or isinstance(v, (int, float)) for v in args.values()):
            # No number to plot: the trace keeps the event as it is, so it names its process and
            # thread itself, as viztracer writes every counter.
            event["pid"], event["tid"] = os.getpid(), threading.get_native_id()
        self._event(event)

    def log_var(self, name, var, cond=True):
        """A number (a bool too, as 1/0, as viztracer takes a bool for an int) is a counter
        `name` with {"value": var}; anything else a thread instant with {"object": repr}."""
        if not cond:
            return
        if isinstance(var, (int, float)):
            self.add_counter(name, {"value": var})
        else:
            self.add_instant(name, {"object": repr(var)}, scope="t")

    def log_attr(self, obj, attr):
        """Logs obj.attr's current value as log_var("<type>.<attr>", value)."""
        if not isinstance(attr, str):
            raise ValueError("attr needs to be a str")
        self.log_var(f"{type(obj).__name__}.{attr}", getattr(obj, attr))

    def add_func_args(self, key, value):
        """Adds key: value to the args of the innermost function being recorded."""
        if not self.enable:
            return
        _vztracer.add_func_args(str(key), _dumps(value))

    def add_variable(self, name, var, event="instant"):
        """viztracer's logging of a value (what --log_var, --log_number, --log_attr and
        --log_func_entry call): an instant "<name> = <repr>" (scope p), or for event="counter" a
        counter `name` with {name: var} (a bool as 1/0); a value that is not a number raises
        ValueError, as viztracer documents for --log_number ("Using --log_number on
        non-numeric variables will raise an exception", docs/source/extra_log.rst)."""
        if event not in ("instant", "counter"):
            raise ValueError(f"event must be 'instant' or 'counter', got {event!r}")
        if not self.enable:
            return
        if event == "instant":
            self.add_instant(f"{name} = {var!r}", scope="p")
        elif isinstance(var, (int, float)):
            self.add_counter(name, {name: var})
        else:
            raise ValueError(f"{var!r} is not a number (--log_number {name})")

    def add_func_exec(self, name, val, lineno):
        """--log_func_exec: appends "(<line>) <name> = <value>" to the "exec_steps" list in the
        args of the innermost recorded call."""
        if self.enable:
            _vztracer.append_func_arg("exec_steps", _dumps(f"({lineno}) {name} = {val}"))

    def _log_raise(self, name, exc):
        """--log_exception: `raise E` runs `raise _log_raise("Exception - E", E)`; E is
        evaluated once and raised unchanged whatever logging it does."""
        try:
            self.add_variable(name, exc)
        except Exception:
            pass
        return exc

    def _log_reraise(self, name):
        """--log_exception for a bare `raise`: logs the exception being handled."""
        try:
            self.add_variable(name, sys.exc_info()[1])
        except Exception:
            pass

    def add_raw(self, raw):
        """One trace event given as a dict, written as given (viztracer appends the dict to the
        trace as it is), with one addition: an event that names no "pid" or "tid" is the
        calling process's and thread's, whatever else it holds, as every event this tracer
        records (the trace model places an event with a phase and a time on its process's and
        thread's track; one without stays as given, with the same pid and tid). An event
        without a "ph" (phase) is not a trace event: the trace has no place for it, and this
        says so (RuntimeWarning) instead of losing it without a word."""
        if not isinstance(raw, dict):
            raise ValueError("add_raw needs a dict (one trace event)")
        if not self.enable:
            return
        if not isinstance(raw.get("ph"), str):
            import warnings
            warnings.warn(f"add_raw: {_dumps(raw)[:200]} has no \"ph\" (the event's phase): "
                          "it is not a trace event and is not added", RuntimeWarning, stacklevel=2)
            return
        if "pid" not in raw or "tid" not in raw:
            raw = dict(raw)
            if "pid" not in raw:
                raw["pid"] = _pid[0]
            if "tid" not in raw:
                raw["tid"] = threading.get_native_id()
        self._event(raw)

    def add_object(self, ph, obj_id, name, args=None):
        if ph not in ("N", "O", "D"):
            raise ValueError(f"ph must be 'N', 'O' or 'D', got {ph!r}")
        if not self.enable:
            return
        ev = {"ph": ph, "id": str(obj_id), "name": str(name), "ts": self._ts()}
        if args is not None:
            ev["args"] = args
        self._event(ev)

    def add_duration(self, name, args=None):
        """with tracer.add_duration("step"): one complete event around the block."""
        return _Duration(self, str(name), args)

    def log_event(self, event_name):
        """with tracer.log_event("step"): one complete event "<name> (<file>:<line>)"."""
        frame = sys._getframe(1)
        return _Duration(self, f"{event_name} ({frame.f_code.co_filename}:{frame.f_lineno})", None)

    def _gc_callback(self, phase, info):
        if not self.enable:
            return
        if phase == "start":
            self.add_counter("garbage collection", {"collecting": 1, "collected": 0, "uncollectable": 0})
        else:
            self.add_counter("garbage collection", {"collecting": 0, "collected": info.get("collected", 0),
                                                    "uncollectable": info.get("uncollectable", 0)})

    def _overload_print(self):
        self._system_print = builtins.print
        system_print = self._system_print

        # As viztracer's, a print() to the console (stdout or stderr, tracebacks included)
        # becomes a global instant named "print - <text>" instead of output. Unlike viztracer's,
        # a print() into a file still writes the file. The wrapper is this package's code, so
        # the hook records nothing it runs.
        def viztracer_print(*args, **kwargs):
            if kwargs.get("file") not in (None, sys.stdout, sys.stderr):
                return system_print(*args, **kwargs)
            buf = io.StringIO()
            kwargs["file"] = buf
            system_print(*args, **kwargs)
            self.add_instant(f"print - {buf.getvalue()}")

        builtins.print = viztracer_print


_vztracer.set_transparent([VizTracer.run.__code__])


def _after_fork_child():
    _pid[0] = os.getpid()
    # A forked child records on (into its own buffers); other threads' open calls are not its own.
    _vztracer.after_fork_child()
    # The tracers' stashes are the parent's events, in the parent's files: not the child's to
    # save (a child trace has the child's events) nor to delete. Nothing resumes either.
    for t in list(_stashed):
        t._stash_path, t._stash_has_data, t._stash_lost = None, False, 0
    _stashed.clear()
    _VizState.displaced.clear()
    t = _global_tracer
    if t is not None and t._afterfork is not None:
        callback, args, kwargs = t._afterfork
        callback(t, *args, **kwargs)


os.register_at_fork(after_in_child=_after_fork_child)


_audit_state = threading.local()  # .busy: inside the hook on this thread
_audit_installed = False


def _audit_text(value):
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__} object>"


def _audit_hook(event, args):
    """log_audit: an audit event whose name fully matches one of the patterns (any event when
    none are given) becomes an instant named after it with {"args": [str(arg), ...]}, as in
    viztracer. Installed once per process (audit hooks cannot be removed); it does nothing
    while no tracer with log_audit records."""
    tracer = _VizState.owner
    if tracer is None or tracer._audit_patterns is None or not tracer.enable:
        return
    if getattr(_audit_state, "busy", False):
        return
    patterns = tracer._audit_patterns
    if patterns and not any(p.fullmatch(event) for p in patterns):
        return
    _audit_state.busy = True
    try:
        tracer.log_instant(event, {"args": [_audit_text(a) for a in args]})
    except Exception:
        pass  # an error here would fail the audited operation in the program
    finally:
        _audit_state.busy = False


def _install_audit_hook():
    global _audit_installed
    if not _audit_installed:
        sys.addaudithook(_audit_hook)
        _audit_installed = True


class _Duration:
    """A complete event around a with block."""

    def __init__(self, tracer, name, args):
        self.tracer, self.name, self.args = tracer, name, args

    def __enter__(self):
        self.start = _vztracer.now_us()
        return self

    def __exit__(self, *exc):
        end = _vztracer.now_us()
        if self.tracer.enable:
            ev = {"ph": "X", "cat": "FEE", "name": self.name, "ts": self.start,
                  "dur": round(end - self.start, 3)}
            if self.args is not None:
                ev["args"] = self.args
            self.tracer._event(ev)
        return False
