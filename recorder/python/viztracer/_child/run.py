"""Run by `python [options] -c BOOT --viztracer-child HEAD KIND [TARGET] ARGS...`, the command line
viztracer.children._python_child makes of a Python child's command whose own start-up cannot
start its tracer (-I, -E and -S keep the sitecustomize out) or whose program's source is to be
rewritten (--log_var and the other options code_monkey applies). HEAD is the original command
line up to its program (JSON), KIND "file", "module", "command" or "stdin", TARGET the script,
module or code. It runs in a namespace of its own; the program runs in __main__ as python would
have run it (sys.argv, sys.orig_argv, sys.path[0], an absolute __file__ and code file name),
traced from its first line when the package loads in this interpreter (untraced when it does
not), and an exception out of it is printed as python prints it, without this file's frames.
Any Python may run it (a child can start another interpreter): no syntax of recent versions."""
import json
import os
import sys


def _package_child():
    """viztracer.children.rewritten_child(): this child's tracing started (as the sitecustomize
    starts it), through the sitecustomize's with_package; None when the package cannot load."""
    import importlib.util
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sitecustomize.py")
    spec = importlib.util.spec_from_file_location("_viztracer_child_boot", here)
    boot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(boot)
    got = []
    boot.with_package(lambda children: got.append(children.rewritten_child()))
    return got[0] if got else None


class _Untraced:
    """The program as python would compile it; no tracing to start."""

    @staticmethod
    def compile(source, filename):
        return compile(source, filename, "exec", dont_inherit=True)

    @staticmethod
    def start(code=None):
        pass

    @staticmethod
    def pause():
        pass

    resume = pause


def _is_zip(path):
    try:
        import zipfile
        return zipfile.is_zipfile(path)
    except Exception:
        return False


def _script(path, child):
    """(code, loader) of the script `path` (absolute): its source compiled (rewritten as the
    session says), or the code of a compiled (.pyc) file, as python runs either."""
    import importlib.machinery
    import importlib.util
    import io
    opener = getattr(io, "open_code", None) or (lambda p: open(p, "rb"))  # (3.8+: python's own)
    with opener(path) as f:
        data = f.read()
    if data[:4] == importlib.util.MAGIC_NUMBER:
        import marshal
        return marshal.loads(data[16:]), importlib.machinery.SourcelessFileLoader("__main__", path)
    return child.compile(data, path), importlib.machinery.SourceFileLoader("__main__", path)


def _run(kind, value, rest, child):
    import __main__
    main = __main__.__dict__
    # What python puts first on sys.path for the program, which -c put as '' here.
    safe = getattr(sys.flags, "safe_path", False) or sys.flags.isolated
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    if kind == "file":
        sys.argv = [value] + rest
        if os.path.isdir(value) or _is_zip(value):  # its __main__, as python runs it
            import runpy
            child.start()
            runpy.run_path(value, run_name="__main__")
            return
        path = os.path.abspath(value)  # (python's __file__ and code file name, since 3.9)
        try:
            code, loader = _script(path, child)
        except OSError as e:
            sys.stderr.write("%s: can't open file %r: [Errno %s] %s\n"
                             % (sys.orig_argv[0] if getattr(sys, "orig_argv", None) else "python",
                                path, e.errno, e.strerror))
            sys.exit(2)
        if not safe:
            sys.path.insert(0, os.path.dirname(os.path.realpath(value)))
        main.update(__file__=path, __cached__=None, __loader__=loader)
    elif kind == "module":
        sys.argv = ["-m"] + rest
        if not safe:
            sys.path.insert(0, os.getcwd())
        import runpy
        child.start()
        runpy._run_module_as_main(value, alter_argv=True)
        return
    elif kind == "command":
        sys.argv = ["-c"] + rest
        if not safe:
            sys.path.insert(0, "")
        code = child.compile(value, "<string>")
    else:  # stdin
        sys.argv = ["-"] + rest
        if not safe:
            sys.path.insert(0, "")
        code = child.compile(sys.stdin.read(), "<stdin>")
    child.start(code)  # (recording starts as exec runs the code: exec's audit event)
    exec(code, main)


def _main():
    argv = sys.argv
    head, kind = json.loads(argv[2]), argv[3]
    if kind == "stdin":
        value, rest = None, argv[4:]
    else:
        value, rest = argv[4], argv[5:]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = head + rest  # the command line the child was started with
    child = _package_child() or _Untraced
    try:
        _run(kind, value, rest, child)
    except SystemExit:
        raise
    except BaseException as e:
        child.pause()  # (what this does is not the program's: not recorded)
        tb = e.__traceback__  # from the program's first frame, as python prints it
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        e.__traceback__ = tb
        if isinstance(e, KeyboardInterrupt):
            child.resume()
            raise  # python's own exit for it (by SIGINT)
        sys.last_type, sys.last_value, sys.last_traceback = type(e), e, tb
        if sys.version_info >= (3, 12):
            sys.last_exc = e
        sys.excepthook(type(e), e, tb)
        child.resume()  # (the exit handlers are recorded, as in any child)
        raise SystemExit(1)


_main()
