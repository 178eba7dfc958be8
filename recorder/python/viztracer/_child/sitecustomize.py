"""Put first on PYTHONPATH by the `viztracer` command for its child processes: starts tracing a
Python child before its own code runs (viztracer.children), then runs the sitecustomize this
one shadows, if there is one.

Any Python may run it (a child can start another interpreter), so it is written for all of
them, and one that cannot load the package (another version, another ABI) goes untraced without
a word: a child's output is the program's own."""
import os
import sys


def with_package(call):
    """call(viztracer.children), the package imported from where this file lies (put on the
    path only for that, after the program's own paths: nothing of the program's is shadowed).
    Nothing when this interpreter cannot load the package (returns False); a failure is said,
    never raised."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    added = root not in sys.path
    if added:
        sys.path.append(root)
    try:
        try:
            from viztracer import children
        except (ImportError, SyntaxError):
            return False  # an interpreter the package was not built for
        call(children)
    except Exception as e:  # never break the child because of tracing
        sys.stderr.write("viztracer: cannot trace child process %d: %s\n" % (os.getpid(), e))
    finally:
        if added and root in sys.path:
            sys.path.remove(root)
    return True


def untraced(cfg):
    """This child cannot be traced (its interpreter cannot load the package): its <pid>.skip
    in the session's directory says so to a parent waiting for it (viztracer.children)."""
    try:
        import json
        d = json.loads(cfg)["dir"]
        if os.path.isdir(d):
            open(os.path.join(d, "%d.skip" % os.getpid()), "w").close()
    except Exception:
        pass


def _start():
    cfg = os.environ.get("VZ_VIZTRACER_CHILD")
    if cfg and not with_package(lambda children: children.child_start(cfg)):
        untraced(cfg)


def _chain():
    here = os.path.dirname(os.path.abspath(__file__))
    saved = sys.path[:]
    mine = sys.modules.pop("sitecustomize", None)
    try:
        sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
        import importlib
        try:
            importlib.import_module("sitecustomize")
        except ImportError:
            pass
    finally:
        sys.path[:] = saved
        if mine is not None:
            sys.modules["sitecustomize"] = mine


if __name__ == "sitecustomize":  # (also loaded by run.py, for with_package)
    _start()
    _chain()
