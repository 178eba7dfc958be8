"""Put first on PYTHONPATH by the `viztracer` command for its child processes: starts tracing a
Python child before its own code runs (viztracer.children), then runs the sitecustomize this
one shadows, if there is one.

Any Python may run it (a child can start another interpreter), so it is written for all of
them, and one that cannot load the package (another version, another ABI) goes untraced without
a word: a child's output is the program's own."""
import os
import sys


def _start():
    cfg = os.environ.get("VZ_VIZTRACER_CHILD")
    if not cfg:
        return
    # The package is this file's grandparent directory's; it goes on the path only to be
    # imported (after the program's own paths: nothing of the program's is shadowed).
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    added = root not in sys.path
    if added:
        sys.path.append(root)
    try:
        try:
            from viztracer.children import child_start
        except (ImportError, SyntaxError):
            return  # an interpreter the package was not built for
        child_start(cfg)
    except Exception as e:  # never break the child because of tracing
        sys.stderr.write("viztracer: cannot trace child process %d: %s\n" % (os.getpid(), e))
    finally:
        if added and root in sys.path:
            sys.path.remove(root)


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


_start()
_chain()
