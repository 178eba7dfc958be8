"""Tracing the child processes of a program run by the `viztracer` command.

- New Python interpreters (subprocess with a Python command, multiprocessing spawn/forkserver):
  the CLI puts `viztracer/_child` (a sitecustomize) first on PYTHONPATH and the session's
  options in VZ_VIZTRACER_CHILD, so every Python child starts a tracer before its own code runs.
- Forked children (os.fork, multiprocessing fork, forkserver's workers): an at-fork hook keeps
  the tracer running in the child, which now records into its own buffers.
- Each child writes its own trace, <dir>/<pid>.<start time>.<n>.vzt (unique to the process
  image; the compact binary format: a fifth of a JSON save's time and about 1/70 of its
  bytes), when it exits (normally, sys.exit, or os._exit,
  which is wrapped so the data is not lost), after announcing itself with <dir>/<pid>.pending.
  No trace goes through a socket.
- The parent, when its program is done, waits (bounded, saying for what) for the children that
  are still running, then adds their events to its own trace before saving: one output file, each
  process with its own pid. A child that dies takes only its own data with it.
"""

import atexit
import glob
import json
import os
import re
import shlex
import sys
import threading
import time

from . import _vztracer
from .tracer import VizTracer, _multiprocessing_name, _name_text, _tell

ENV = "VZ_VIZTRACER_CHILD"
WAIT_SECONDS = float(os.environ.get("VZ_VIZTRACER_CHILD_WAIT", "60"))
_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.semaphore_tracker")

_state = {"tracer": None, "dir": None, "root_pid": None, "finished": set(), "no_save": False,
          "root_finish": None, "hooks": False, "forkserver": False}

# Options a child's tracer takes from the parent's. The command's other options are the root's
# own (the output file and its naming, --quiet, --open, --combine...), choose whether children
# are traced at all (--ignore_multiprocess), change nothing (--minimize_memory...), or rewrite the
# program's source (--log_var...: code_monkey.OPTIONS), which the children are given too, in
# the configuration's "rewrite" (see _python_child).
_CHILD_OPTIONS = ("tracer_entries", "max_stack_depth", "include_files", "exclude_files",
                  "ignore_c_function", "ignore_frozen", "log_func_retval", "log_func_args",
                  "log_print", "log_gc", "log_async", "min_duration", "log_audit",
                  "log_func_with_objprint", "log_sparse", "trace_self")


def install_child_tracing(tracer, opts, output):
    """Called by the CLI before the program starts: children will be traced into a temporary
    directory (as viztracer's: not in the user's project; next to `output` only when there is
    no temporary directory to use)."""
    import tempfile
    try:
        d = tempfile.mkdtemp(prefix="viztracer_children_")
    except OSError:
        d = tempfile.mkdtemp(prefix=".viztracer_children_", dir=os.path.dirname(output) or ".")
    _state.update(tracer=tracer, dir=d, root_pid=os.getpid())
    cfg = {"dir": d, "options": {k: getattr(tracer, k) for k in _CHILD_OPTIONS}}
    from .code_monkey import options_of
    rewrite = options_of(opts)
    if rewrite:
        cfg["rewrite"] = rewrite
    if getattr(opts, "log_exit", False):
        cfg["log_exit"] = True
    os.environ[ENV] = json.dumps(cfg)
    # Only the sitecustomize's own directory: the package's (site-packages, once installed)
    # before the standard library would change what the child imports. The sitecustomize finds
    # the package from where it lies.
    os.environ["PYTHONPATH"] = _with_child_path(os.environ.get("PYTHONPATH"))
    _install_process_hooks()


_CHILD_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child")


def _with_child_path(pythonpath):
    """PYTHONPATH `pythonpath` (None: unset) with the sitecustomize's directory first."""
    parts = [p for p in (pythonpath or "").split(os.pathsep) if p and p != _CHILD_DIR]
    return os.pathsep.join([_CHILD_DIR] + parts)


def _tracing_env(env):
    """A copy of the mapping `env` a program gave subprocess for its child, with what traces a
    Python child: a custom environment would otherwise leave that child untraced. Its own keys'
    type: bytes (os.environb's) get bytes, and a variable it has under either type is replaced
    there (subprocess encodes both: a second key of the other type would be a duplicate)."""
    if ENV not in os.environ:
        return env
    out = dict(env)
    as_bytes = bool(out) and all(isinstance(k, bytes) for k in out)
    keys = {}
    for k in out:
        if isinstance(k, (str, bytes)):
            keys[os.fsencode(k)] = k
    path_key = keys.get(b"PYTHONPATH")
    path = out.get(path_key) if path_key is not None else None
    if path is not None:
        path = os.fsdecode(path)
    for name, value in ((ENV, os.environ[ENV]), ("PYTHONPATH", _with_child_path(path))):
        key = keys.get(os.fsencode(name))
        if key is None:
            key = os.fsencode(name) if as_bytes else name
        out[key] = os.fsencode(value) if isinstance(key, bytes) else value
    return out


def _popen_positions(init):
    """Where Popen.__init__ (`init`) takes env, shell and executable positionally: their index
    in the arguments after self; None for one it does not take so."""
    code = getattr(init, "__code__", None)
    names = code.co_varnames[1:code.co_argcount] if code is not None else ()
    return {n: names.index(n) if n in names else None for n in ("env", "shell", "executable")}


def _patch_subprocess():
    """subprocess.Popen(..., env=E) traces the child too (E gets the tracing variables), E given
    by keyword or by position, with str or bytes keys."""
    import subprocess
    init = subprocess.Popen.__init__
    if getattr(init, "_viztracer", False):
        return
    at = _popen_positions(init)

    def given(args, kwargs, name):
        i = at[name]
        return args[i] if i is not None and i < len(args) else kwargs.get(name)

    def __init__(self, *args, **kwargs):
        child = None  # the command of a Python child to wait for
        launched = False  # a child that may start one (a shell, env, a script): waited for too
        if ENV in os.environ:
            traced = True
            env = given(args, kwargs, "env")
            if env is not None:
                try:
                    env = _tracing_env(env)
                except Exception:  # an odd mapping: the child goes untraced, as given
                    traced = False
                else:
                    i = at["env"]
                    if i is not None and i < len(args):
                        args = args[:i] + (env,) + args[i + 1:]
                    else:
                        kwargs["env"] = env
            command = args[0] if args else kwargs.get("args")
            if traced and command is not None:
                executable = given(args, kwargs, "executable")
                try:
                    if given(args, kwargs, "shell"):
                        launched = _shell_may_run_python(command)
                    else:
                        child = _python_child(command, executable)
                        if child is None:
                            launched = _may_run_python(command, executable)
                except Exception:
                    child = None
                if child is not None and child is not command:
                    if args:
                        args = (child,) + args[1:]
                    else:
                        kwargs["args"] = child
        init(self, *args, **kwargs)
        if child is not None:
            _expect(self.pid)
        elif launched:
            _expect(self.pid, "launched")
    __init__._viztracer = True
    __init__.__wrapped__ = init
    _vztracer.set_transparent([__init__.__code__])  # not recorded itself; Popen.__init__ is
    subprocess.Popen.__init__ = __init__


_PYTHON_NAME = re.compile(r"python(\d+(\.\d+)?)?$")


def _shell_may_run_python(command):
    """True for a shell command line (Popen's args with shell=True) that names python: the
    root waits for the shell while it runs (its <pid>.launched). Other shell commands are left
    alone, as any non-Python child is."""
    if isinstance(command, (list, tuple)):
        command = command[0] if command else ""
    try:
        text = os.fsdecode(command)
    except TypeError:
        return False
    # A word of it that is a python command (python, python3.11, the running interpreter), as
    # the shell splits it; comments left out ("tail -f app_python.log" names none).
    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        words = text.split()
    me = os.path.basename(sys.executable)
    return any(re.fullmatch(r"python[0-9.]*", os.path.basename(w)) or os.path.basename(w) == me
               for w in words)


def _may_run_python(command, executable=None):
    """True for a command (Popen's args, no shell) that may become or start a Python child
    without being a python command itself: `env [VAR=value...] python...`, or a script whose
    #! line names python. The root waits for it while it runs (its <pid>.launched), saying
    nothing when it ends without tracing."""
    if isinstance(command, (str, bytes, os.PathLike)):
        command = [command]
    if not isinstance(command, (list, tuple)) or not command:
        return False
    exe = executable if executable is not None else command[0]
    try:
        exe = os.fsdecode(exe)
    except TypeError:
        return False
    if os.path.basename(exe) == "env":
        for a in command[1:]:
            try:
                a = os.fsdecode(a)
            except TypeError:
                return False
            if a.startswith("-") or "=" in a:
                continue
            return bool(_PYTHON_NAME.match(os.path.basename(a)))
        return False
    import shutil
    path = exe if os.sep in exe else shutil.which(exe)
    if not path:
        return False
    try:
        with open(path, "rb") as f:
            head = f.readline(256)
    except OSError:
        return False
    return head.startswith(b"#!") and b"python" in head
_REWRITTEN = "--viztracer-child"  # sys.argv[1] of a command _python_child rewrote


def python_command(argv):
    """python's own command line `argv` (argv[0] the interpreter), split as python splits it:
    (options, flags, target, rest). `options` are the interpreter's options as given (one that
    takes a value with its value), `flags` each one-letter option and each long one, `target`
    ("file", path), ("module", name), ("command", code) or ("stdin",), None when there is none
    (or an option lacks its value), and `rest` the program's arguments."""
    options, flags, i, target = [], set(), 1, None
    while i < len(argv) and target is None:
        a = argv[i]
        i += 1
        if a == "-":
            target = ("stdin",)
        elif a == "--":
            if i < len(argv):
                target = ("file", argv[i])
                i += 1
            break
        elif not a.startswith("-"):
            target = ("file", a)
        elif a.startswith("--"):
            flags.add(a)
            options.append(a)
            if a == "--check-hash-based-pycs":
                if i >= len(argv):
                    break
                options.append(argv[i])
                i += 1
        else:
            for j in range(1, len(a)):
                c = a[j]
                if c in "cmWX":  # takes a value: the rest of this argument, or the next one
                    value = a[j + 1:]
                    if not value:
                        if i >= len(argv):
                            return options, flags, None, []
                        value = argv[i]
                        i += 1
                    if j > 1:
                        options.append(a[:j])
                    if c in "cm":
                        target = ("command" if c == "c" else "module", value)
                    else:
                        options += ["-" + c, value]
                    break
                flags.add(c)
            else:
                options.append(a)
    return options, flags, target, list(argv[i:])


# Options after which python runs no program (it prints and exits before its start-up imports
# site, and so the sitecustomize): -h, -?, -V and the long ones but --check-hash-based-pycs.
_NO_PROGRAM = {"h", "?", "V"}


def _python_child(command, executable=None):
    """What Popen should run for `command` (its args, without shell=True) when it starts a
    Python child this session traces, None for any other command (left as it is, and not
    waited for): not a python interpreter by its name, no program to run (python -V...), or
    `python -m viztracer`, which traces its program itself, into its own file. The command is
    `command` itself, or, where the child's own start-up cannot start its tracer (-I, -E and -S
    keep PYTHONPATH or site, and so the sitecustomize, from it) or its program's source is to
    be rewritten (--log_var...: python compiles a script before any code of ours could), the
    same interpreter and options running _child/run.py with -c, which starts tracing and runs
    the program as python would have (see run.py; its original command line is passed on)."""
    if not isinstance(command, (list, tuple)) or not command:
        return None
    if not all(isinstance(a, (str, os.PathLike)) for a in command):
        return None
    argv = [os.fspath(a) for a in command]
    if not all(isinstance(a, str) for a in argv):
        return None
    exe = os.fspath(executable) if isinstance(executable, (str, os.PathLike)) else argv[0]
    if not isinstance(exe, str) or not _PYTHON_NAME.match(os.path.basename(exe)):
        return None
    options, flags, target, rest = python_command(argv)
    if target is None or flags & _NO_PROGRAM or _runs_viztracer(argv):
        return None
    if any(f.startswith("--") and f != "--check-hash-based-pycs" for f in flags):
        return None
    isolated = bool(flags & {"I", "E", "S"})
    if "x" in flags:
        # python skips the script's first line, which run.py does not: traced as it comes (its
        # source not rewritten), where its start-up can trace it
        return None if isolated else command
    rewrite = target[0] != "module" and bool(_child_config().get("rewrite"))
    if not isolated and not rewrite:
        return command
    runner = os.path.join(_CHILD_DIR, "run.py")  # in a namespace of its own, not __main__'s
    boot = (f"f = {runner!r}; exec(compile(open(f).read(), f, 'exec'), "
            "{'__name__': '__viztracer_child__', '__file__': f})")
    head = argv[:len(argv) - len(rest)]  # the interpreter, its options and the program, as given
    return ([argv[0]] + options + ["-c", boot, _REWRITTEN, json.dumps(head), target[0]]
            + list(target[1:]) + rest)


def _child_config():
    """The configuration the session gives its children (VZ_VIZTRACER_CHILD), {} without one."""
    try:
        return json.loads(os.environ.get(ENV) or "{}")
    except ValueError:
        return {}


def _is_rewritten(argv):
    """True for a command line _python_child rewrote (python's, as sys.orig_argv holds it)."""
    target, rest = python_command(argv)[2:]
    return target is not None and target[0] == "command" and rest[:1] == [_REWRITTEN]


def _proc_start(pid):
    """When process `pid` started (its /proc stat's start time, text), or None: with the pid, it
    tells a process from a later one given the same pid."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _expect(pid, kind="spawned"):
    """The Python child `pid` was just started (subprocess): the root waits for it to start
    tracing and save (see merge_children), though it has not said so itself yet, as it does
    once its start-up runs the sitecustomize (its .pending)."""
    d = _state["dir"]
    if d is None:
        return
    try:
        with open(os.path.join(d, f"{pid}.{kind}"), "w") as f:
            f.write(_proc_start(pid) or "")
    except OSError:
        pass  # (the root has saved already: nothing waits for it)


def _start_at_main():
    """Starts the child's tracer child_start() left for the program's first line, if any."""
    tracer = _state.pop("start_at_main", None)
    if tracer is not None:
        try:
            tracer.start()
        except Exception as e:  # (from an audit hook: an error would fail the program's exec)
            _tell(f"viztracer: cannot trace child process {os.getpid()}: {e}")


class _RewrittenChild:
    """What _child/run.py has the package do for the program of a child whose command
    _python_child rewrote, once its tracing started (rewritten_child)."""

    def __init__(self, options):
        self.options = options  # the source-rewriting options (code_monkey.OPTIONS)

    def compile(self, source, filename):
        """The program's code, rewritten as the session's options say."""
        from .code_monkey import compile_program
        return compile_program(source, filename, self.options)

    def start(self, code=None):
        """Recording starts as `code` starts to run (exec()'s audit event: the trace holds the
        program, not what run.py does to run it), or now (None)."""
        if code is None:
            _start_at_main()
        elif "start_at_main" in _state:
            _state["start_at_code"] = code

    @staticmethod
    def pause():
        """Holds this thread's recording while run.py handles the program's exception."""
        if _state["tracer"] is not None:
            _state["tracer"].pause()

    @staticmethod
    def resume():
        if _state["tracer"] is not None:
            _state["tracer"].resume()


def rewritten_child():
    """Run by _child/run.py in a child whose command _python_child rewrote, sys.orig_argv the
    child's original command line again: starts tracing this process as the sitecustomize would
    have; a _RewrittenChild, or None when the session traces no children."""
    cfg = os.environ.get(ENV)
    if not cfg:
        return None
    child_start(cfg)
    traced = "start_at_main" in _state  # (not: a helper, viztracer itself, after the root saved)
    options = (json.loads(cfg).get("rewrite") or {}) if traced else {}
    return _RewrittenChild(options)


def abandon_child_tracing():
    """The program did not run: no child will write; the directory goes."""
    import shutil
    d, _state["dir"], _state["root_finish"] = _state["dir"], None, None
    os.environ.pop(ENV, None)
    if d:
        shutil.rmtree(d, ignore_errors=True)


def _command_name():
    """A Python child's process name when multiprocessing gives none, as viztracer names it:
    "python -c" for -c code, "python -m MODULE" for a module, else its script's name."""
    target = python_command(list(getattr(sys, "orig_argv", []) or sys.argv))[2]
    if target is None:
        return "python"
    if target[0] == "file":
        return os.path.basename(target[1])
    return {"command": "python -c", "module": f"python -m {target[-1]}", "stdin": "python -"}[target[0]]


def _on_sigterm(signum, frame):
    """A child killed with SIGTERM (Pool.terminate(), Process.terminate()) saves first. One that
    is already saving on its way out finishes that and exits by itself."""
    if os.getpid() in _state["finished"]:
        return
    finish_child()
    import signal
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _on_audit(event, args):
    """cpython.run_*: python is about to run a child's program (its script, -c, -m or stdin):
    the child's tracer starts, so that its trace holds the program, not the interpreter's own
    start-up. os.exec*: the process becomes another program, which no exit handler outlives. A
    child saves its trace first; the root saves the whole trace (the new program is not
    traced)."""
    if event.startswith("cpython.run_"):
        if event == "cpython.run_command" and "start_at_main" in _state:
            # -c code: python compiles it and raises "exec" with its code ("<string>") right
            # before running it. In between, 3.13+ imports linecache and registers the code's
            # source there: the tracer starts at that "exec". linecache is imported first, here,
            # untraced (an import raises "exec" too, for its module's code, as does a
            # traceback's when the code does not compile and there is no program to trace).
            if sys.version_info >= (3, 13):
                import linecache  # noqa: F401
            _state["start_at_exec"] = True
            return
        _start_at_main()
        return
    if event == "exec":
        if _state.get("start_at_exec") and getattr(args[0], "co_filename", None) == "<string>":
            del _state["start_at_exec"]
            _start_at_main()
        elif args and _state.get("start_at_code") is args[0]:
            del _state["start_at_code"]
            _start_at_main()
        return
    if event != "os.exec":
        return
    if is_child():
        if finish_child():
            # Should the exec fail, the process goes on untraced: SIGTERM must end it again.
            import signal
            try:
                if signal.getsignal(signal.SIGTERM) is _on_sigterm:
                    signal.signal(signal.SIGTERM, signal.SIG_DFL)
            except ValueError:  # not the main thread: its handler stays
                pass
    elif _state["root_finish"] is not None and os.getpid() == _state["root_pid"]:
        _root_finish("exec")
        os.environ.pop(ENV, None)


def _root_finish(why):
    """The root's finish() on the way out of the process (exec, os._exit): errors are said, not
    raised into the program's call."""
    finish, _state["root_finish"] = _state["root_finish"], None
    try:
        finish()
    except Exception as e:
        _tell(f"viztracer: cannot save the trace before {why}: {e}")


def _install_process_hooks():
    if _state["hooks"]:
        return
    _state["hooks"] = True
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_child)
    _patch_subprocess()
    sys.addaudithook(_on_audit)
    if not getattr(os._exit, "_viztracer", False):
        real_exit = os._exit

        def _exit(code):
            if is_child():
                finish_child()
            elif _state["root_finish"] is not None and os.getpid() == _state["root_pid"]:
                _root_finish("os._exit")  # save the trace on the way out
            real_exit(code)
        _exit._viztracer = True
        os._exit = _exit


def _child_path(pid=None):
    return os.path.join(_state["dir"], f"{pid or os.getpid()}.vzt")


def _reserve_trace_path():
    """A file name for this process image's trace no other took: <pid>.<start time>.<n>.vzt,
    made (empty) here with O_EXCL. The start time tells a process from a later one given the
    same pid; n the images of one process (exec keeps the pid and its start time)."""
    pid = os.getpid()
    start = _proc_start(pid) or "0"
    n = 0
    while True:
        path = os.path.join(_state["dir"], f"{pid}.{start}.{n}.vzt")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            n += 1
            continue
        os.close(fd)
        return path


def _announce():
    _state["announced"] = os.getpid()  # first: a SIGTERM right after the file must save
    with open(os.path.join(_state["dir"], f"{os.getpid()}.pending"), "w"):
        pass


def _forked_to_exec():
    """True in the child of subprocess's own fork (a preexec_fn runs there): it becomes another
    program and saves nothing."""
    f = sys._getframe(1)
    while f is not None:
        if f.f_code.co_name == "_execute_child" and f.f_code.co_filename.endswith("subprocess.py"):
            return True
        f = f.f_back
    return False


def _fork_records():
    """True when a child os.fork() makes now records and saves a trace (_after_fork_child)."""
    tracer = _state["tracer"]
    return (tracer is not None and _state["dir"] is not None
            and (_state["forkserver"] or tracer.enable))


def _before_fork():
    """Before os.fork() (and subprocess's fork for a preexec_fn): a child that will record says
    so in advance, with <parent pid>.<n>.forking, which it removes once it has announced itself
    (_after_fork_child): a child whose parent ends right after fork() is waited for even if the
    root looks before the child could announce itself."""
    # One token per forking thread: threads may fork at once (a thread's hook and its fork can
    # be apart, another thread running between them), and the child is the forking thread.
    tokens = _state.setdefault("fork_tokens", {})
    me = threading.get_ident()
    tokens.pop(me, None)
    # (Not in a forkserver: it lives on after each fork, and the pool may stop it between its
    # token and its fork, which would leave the root waiting for a child that never comes.)
    if not _fork_records() or _state["forkserver"]:
        return
    n = _state["forks"] = _state.get("forks", 0) + 1
    path = os.path.join(_state["dir"], f"{os.getpid()}.{me}.{n}.forking")
    try:
        with open(path, "w") as f:
            f.write(str(time.time()))
    except OSError:
        return  # (the root has saved already: nothing waits for it)
    tokens[me] = path


def _drop_fork_token():
    path = _state.setdefault("fork_tokens", {}).pop(threading.get_ident(), None)
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


def _after_fork_child():
    _state["forked"] = True  # a copy of its parent's program (named as multiprocessing names it)
    tracer = _state["tracer"]
    if tracer is None or _state["dir"] is None or _forked_to_exec():
        _drop_fork_token()
        return
    if _state["forkserver"]:
        # A worker of the forkserver, which does not record (what it ran would be every worker's
        # copy): the worker records from here, as a child of its own.
        _state["forkserver"] = False
        tracer.start()
    elif not tracer.enable:
        _drop_fork_token()
        return
    _state["no_save"] = False
    import signal
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        _announce()
    except OSError:
        # The session's directory is gone: the root saved already, and nothing would merge this
        # child's trace. It records nothing, silently (the program is not the tracer's to fail).
        _state["announced"] = None
        _state["no_save"] = True
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            tracer.stop()
        except Exception:
            pass
    _drop_fork_token()  # (after the announcement: the root sees one or the other)


def is_child():
    return _state["dir"] is not None and os.getpid() != _state["root_pid"]


def finish_child():
    """Saves this child's trace (once per process); a no-op in the root process."""
    pid = os.getpid()
    tracer = _state["tracer"]
    if tracer is None or not is_child() or pid in _state["finished"] or _state["no_save"]:
        return False
    if _state.get("announced") != pid:
        return False  # a fork the root did not wait for (after its save, or to exec): no trace
    if not os.path.isdir(_state["dir"]):
        return False  # the root saved without it (it ran past the wait): nothing merges it now
    _state["finished"].add(pid)
    try:
        tracer.stop(stop_option="flush_as_finish")
        if tracer.process_name is None:
            mp_name = _multiprocessing_name()
            if (mp_name and mp_name != "MainProcess") or _state.get("forked"):
                # a multiprocessing child, or an os.fork() copy ("MainProcess", as viztracer
                # names it): multiprocessing's name
                _vztracer.set_process_name(tracer._process_name())
            else:  # a program of its own (subprocess): its command, not the parent's name
                _vztracer.set_process_name(_name_text(_command_name()))
        tracer._child_trace = True  # (its losses are said by the root, which merges them)
        path = _reserve_trace_path()
        tracer.save(path, verbose=0)
        if tracer._last_lost:
            # What its buffer lost, for the root's message on the merged trace's loss: the
            # trace's name with .lost, before its .pending goes.
            try:
                with open(path[:-len(".vzt")] + ".lost", "w") as f:
                    f.write(str(tracer._last_lost))
            except OSError:
                pass  # (the trace is saved: only its loss goes unflagged)
    except Exception as e:  # a child must never fail because of tracing
        _tell(f"viztracer: child {pid} could not save its trace: {e}")
    finally:
        try:
            os.unlink(os.path.join(_state["dir"], f"{pid}.pending"))
        except OSError:
            pass
    return True


def child_start(cfg_text):
    """Run by the sitecustomize of a new Python child: start tracing this process."""
    argv = list(getattr(sys, "orig_argv", []))
    if _is_rewritten(argv):
        return  # _child/run.py starts it (rewritten_child), knowing the program
    orig = " ".join(argv)
    cfg = json.loads(cfg_text)
    if any(h in orig for h in _HELPERS) or _runs_viztracer(argv):
        # multiprocessing's helper processes live as long as the parent; viztracer itself
        # traces its program into its own file: not traced, and said, for a parent that
        # started it through subprocess and would wait for it (its .spawned)
        untraced(cfg["dir"])
        return
    if not os.path.isdir(cfg["dir"]):
        # started after the root saved its trace: nothing would merge this one's
        _tell(f"viztracer: process {os.getpid()} started after the traced program saved its "
              f"trace: it is not traced, and not part of that trace")
        return
    _state.update(dir=cfg["dir"], root_pid=-1)
    forkserver = "multiprocessing.forkserver" in orig
    if not forkserver:
        # The handler goes in before the announcement: a child terminated while it starts (a
        # Pool worker that never got a task) must not leave a .pending without a trace.
        import signal
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _on_sigterm)
    opts = dict(cfg.get("options") or {})
    tracer = VizTracer(output_file=_child_path(), verbose=0, **opts)
    _state["tracer"] = tracer
    _install_process_hooks()
    atexit.register(finish_child)  # (before start(): not a call of the program's)
    if forkserver:
        # Lives as long as the parent and records nothing; each worker it forks starts
        # recording (_after_fork_child) and saves.
        _state["no_save"] = True
        _state["forkserver"] = True
        return
    _announce()
    _state["start_at_main"] = tracer  # started by _on_audit as the program's code begins
    if not cfg.get("log_exit"):
        _stop_at_shutdown()


def _stop_at_shutdown():
    """As the root's without --log_exit, a child's recording ends with its program's code: when
    python, finishing, calls threading._shutdown (before it waits for the program's threads and
    runs the exit handlers), recording stops; the trace is saved at exit as always."""
    import threading
    shutdown = getattr(threading, "_shutdown", None)
    if shutdown is None or getattr(shutdown, "_viztracer", False):
        return

    def _shutdown():
        tracer = _state["tracer"]
        if tracer is not None and tracer.enable and is_child():
            try:
                tracer.stop(stop_option="flush_as_finish")
            except Exception:
                pass
        return shutdown()
    _shutdown._viztracer = True
    threading._shutdown = _shutdown


def untraced(d):
    """This Python child, started into the session whose directory is `d`, is not traced:
    its <pid>.skip says so to a root waiting for it (merge_children)."""
    try:
        with open(os.path.join(d, f"{os.getpid()}.skip"), "w"):
            pass
    except OSError:
        pass


def _runs_viztracer(argv):
    """True for `python [options] -m viztracer ...` (or -mviztracer) and the viztracer script."""
    target = python_command(argv)[2]
    return target is not None and (target == ("module", "viztracer") or
                                   (target[0] == "file" and os.path.basename(target[1]) == "viztracer"))


def _alive(pid, start=None):
    """Process `pid` runs (not a zombie); with `start` (_proc_start's), the same process."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return True
    return fields[0] != "Z" and (not start or fields[19:20] == [start])


def _children_files(d):
    """What the children said in the directory `d`: {"pending": pids announced and still
    writing, "saved": pids with a trace, "skip": pids not traced, "spawned": {pid: start time}
    of the Python children subprocess started (_expect)}."""
    out = {"pending": set(), "saved": set(), "skip": set(), "spawned": {}, "launched": {},
           "forking": set()}
    kinds = {"pending": "pending", "vzt": "saved", "skip": "skip"}
    for name in os.listdir(d):
        stem, _, ext = name.partition(".")
        if not stem.isdigit():
            continue
        pid = int(stem)
        last = ext.rpartition(".")[2]
        if last == "forking":  # a fork of process `pid` not announced yet (_before_fork)
            out["forking"].add(name)
        elif last == "vzt":  # <pid>.<start>.<n>.vzt (_reserve_trace_path)
            out["saved"].add(pid)
        elif ext in kinds:
            out[kinds[ext]].add(pid)
        elif ext in ("spawned", "launched"):
            try:
                with open(os.path.join(d, name)) as f:
                    out[ext][pid] = f.read().strip() or None
            except OSError:
                out[ext][pid] = None
    return out


def _unstarted(files):
    """The children subprocess started that have not said anything yet: their start-up has not
    reached the sitecustomize (or run.py) that starts their tracer."""
    said = files["pending"] | files["saved"] | files["skip"]
    return {p: t for p, t in files["spawned"].items() if p not in said}


def _running(files):
    """(starting, running): the children still running, of those in `files`
    (_children_files'): those starting (_unstarted) and those that announced themselves."""
    said = files["pending"] | files["saved"] | files["skip"]
    starting = {p for p, t in _unstarted(files).items() if _alive(p, t)}
    # (a shell, env or script that may start a Python child: waited for while it runs)
    starting |= {p for p, t in files["launched"].items() if p not in said and _alive(p, t)}
    return starting, {p for p in files["pending"] if _alive(p)} | starting


def _pids(pids):
    return ", ".join(map(str, sorted(pids)))


def _path_pid(path):
    """The pid a file of the children's directory is named for (its name's first part)."""
    stem = os.path.basename(path).partition(".")[0]
    return int(stem) if stem.isdigit() else None


def _child_lost(trace_path):
    """The events the child whose trace is `trace_path` (<dir>/<pid>.<start>.<n>.vzt) lost to
    tracer_entries, from the .lost of the same name (0 without one)."""
    try:
        with open(trace_path[:-len(".vzt")] + ".lost") as f:
            return max(0, int(f.read().strip() or 0))
    except (OSError, ValueError):
        return 0


class _Terminated(BaseException):
    """SIGTERM while the root waits for its children (merge_children): it stops waiting."""


def _wait_interruptible():
    """While the root waits for its children, SIGTERM raises _Terminated (as Ctrl+C raises
    KeyboardInterrupt): the wait stops and the trace is saved with what is there. Returns what
    restores the handler it replaced (a no-op outside the main thread)."""
    import signal

    def on_sigterm(signum, frame):
        raise _Terminated()
    try:
        old = signal.signal(signal.SIGTERM, on_sigterm)
    except (ValueError, OSError):  # not the main thread: SIGTERM does as it did
        return lambda: None

    def restore():
        try:
            signal.signal(signal.SIGTERM, old if old is not None else signal.SIG_DFL)
        except (ValueError, OSError):
            pass
    return restore


def merge_children(tracer, verbose):
    """In the root process after its program ended: waits for the children still writing (those
    that said so with their .pending, and the Python children subprocess started that have not
    started tracing yet), then adds their events to `tracer`'s session. The wait is bounded
    (VZ_VIZTRACER_CHILD_WAIT seconds) and said (unless quiet); a child left out is said, always.
    Ctrl+C or SIGTERM during the wait stops it: the children still running are left out (said),
    the others merged. The children's directory goes in any case, whatever interrupts the merge.
    Returns the number of child traces merged."""
    d = _state["dir"]
    if d is None or not os.path.isdir(d):
        return 0
    try:
        return _merge_children(d, tracer, verbose)
    finally:
        import shutil
        shutil.rmtree(d, ignore_errors=True)


def _merge_children(d, tracer, verbose):
    tracer._reclaim()  # (another tracer may have recorded since: the children join this one's)
    deadline = time.time() + WAIT_SECONDS
    said = set()
    stopped = None  # why the wait was cut short: "Ctrl+C" or "SIGTERM"
    restore = _wait_interruptible()
    try:
        while True:
            files = _children_files(d)
            starting, running = _running(files)
            if not running and not files["forking"]:
                # settled: looked at again, for what changed while that look was taken
                files = _children_files(d)
                starting, running = _running(files)
            if not running and not files["forking"] or time.time() > deadline:
                break
            if verbose and running - said:
                new = running - said
                note = f"; still starting: {_pids(new & starting)}" if new & starting else ""
                _tell(f"viztracer: waiting for {len(new)} child process(es) to save their traces "
                      f"(pids {_pids(new)}{note}) (Ctrl+C to stop waiting)")
                said |= new
            time.sleep(0.02)
    except KeyboardInterrupt:
        stopped = "Ctrl+C"
    except _Terminated:
        stopped = "SIGTERM"
    finally:
        restore()
    if stopped is not None:
        files = _children_files(d)
        starting, running = _running(files)
    lost = files["pending"] - files["saved"] - running
    unstarted = set(_unstarted(files)) - running
    if running and stopped is not None:
        _tell(f"viztracer: stopped waiting ({stopped}): {len(running)} child process(es) still "
              f"running (pids {_pids(running)}) are left out of the trace")
    elif running:
        _tell(f"viztracer: {len(running)} child process(es) still running after {WAIT_SECONDS:g} s "
              f"(pids {_pids(running)}) are left out of the trace "
              f"(VZ_VIZTRACER_CHILD_WAIT sets the wait)")
    if files["forking"]:
        _tell(f"viztracer: {len(files['forking'])} forked child process(es) never started "
              f"recording (forked by pids {_pids({_path_pid(n) for n in files['forking']})}): "
              f"not in the trace")
    if lost:
        _tell(f"viztracer: {len(lost)} child process(es) ended without saving their trace "
              f"(pids {_pids(lost)}); their data is lost")
    if unstarted:
        _tell(f"viztracer: {len(unstarted)} Python child process(es) started by subprocess ended "
              f"before their tracing started (pids {_pids(unstarted)}): not in the trace")
    from .combine import add_trace_file
    merged = 0
    for path in sorted(glob.glob(os.path.join(d, "*.vzt"))):
        if _path_pid(path) in running:
            continue  # (still writing it: left out, as said)
        try:
            info = add_trace_file(path)
        except (OSError, ValueError) as e:
            _tell(f"viztracer: cannot read child trace {path}: {e}")
            continue
        if info:
            tracer._extra_file_info.append(info)
        # (The merged trace is flagged and counts what the child lost: add_trace_file reads its
        # viztracer_metadata. Its .lost says how much, for the root's message.)
        tracer._children_lost += _child_lost(path)
        merged += 1
    return merged
