"""Put first on PYTHONPATH by the `viztracer` command for its child processes: starts tracing a
Python child before its own code runs (viztracer.children), then runs the sitecustomize this
one shadows, if there is one."""
import os
import sys

if os.environ.get("VZ_VIZTRACER_CHILD"):
    try:
        from viztracer.children import child_start
        child_start(os.environ["VZ_VIZTRACER_CHILD"])
    except Exception as e:  # never break the child because of tracing
        sys.stderr.write(f"viztracer: cannot trace child process {os.getpid()}: {e}\n")


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


_chain()
