"""Run by `python [-I|-E|-S ...] -c BOOT --viztracer-child KIND TARGET ARGS...`, the command line
viztracer.children._isolated_python makes of a child's python command whose options keep the
sitecustomize out: starts tracing when the package loads in this interpreter, then runs the
program as python would have (a script, -c code, -m module or stdin), untraced when it does not.
It runs in a namespace of its own; the program runs in __main__."""
import os
import sys


def _start_tracing():
    """As the sitecustomize starts a child's tracer (its with_package, loaded from beside this)."""
    import importlib.util
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sitecustomize.py")
    spec = importlib.util.spec_from_file_location("_viztracer_child_boot", here)
    boot = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(boot)
    boot.with_package(lambda children: children.start_rewritten())


def _run():
    kind, rest = sys.argv[2], sys.argv[3:]
    _start_tracing()
    import runpy
    import __main__
    # What python puts first on sys.path for the program, which -c put as '' here.
    safe = getattr(sys.flags, "safe_path", False) or sys.flags.isolated
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    if kind == "file":
        sys.argv = rest
        if not safe:
            sys.path.insert(0, os.path.dirname(os.path.realpath(rest[0])))
        runpy.run_path(rest[0], run_name="__main__")
    elif kind == "module":
        sys.argv = ["-m"] + rest[1:]
        if not safe:
            sys.path.insert(0, os.getcwd())
        runpy._run_module_as_main(rest[0], alter_argv=True)
    elif kind == "command":
        sys.argv = ["-c"] + rest[1:]
        if not safe:
            sys.path.insert(0, "")
        exec(compile(rest[0], "<string>", "exec"), __main__.__dict__)
    else:  # stdin
        sys.argv = ["-"] + rest
        if not safe:
            sys.path.insert(0, "")
        exec(compile(sys.stdin.read(), "<stdin>", "exec"), __main__.__dict__)


_run()
