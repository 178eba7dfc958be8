"""viztracer on vizviewer's native recorder: a drop-in for viztracer's API and CLI.

    from viztracer import VizTracer
    with VizTracer(output_file="result.json"):
        work()
"""
from .decorator import ignore_function, log_sparse, trace_and_save
from .tracer import VizTracer, get_tracer
from .version import __version__
from .vizcounter import VizCounter
from .vizobject import VizObject


def load_ipython_extension(ipython):
    """`%load_ext viztracer` in IPython: the `%%viztracer` cell magic (see cellmagic.py)."""
    from .cellmagic import load_ipython_extension as load
    load(ipython)


# viztracer's other module paths (viztracer.viztracer, .util, .report_builder, .cellmagic),
# loaded on first use as attributes too (`import viztracer` alone imports none of them).
_LAZY_MODULES = ("vizlogging", "viztracer", "util", "report_builder", "cellmagic")


def __getattr__(name):
    # VizLoggingHandler needs the logging module (~5 ms to import): loaded on first use.
    if name == "VizLoggingHandler" or name in _LAZY_MODULES:
        import importlib

        module = importlib.import_module("." + ("vizlogging" if name == "VizLoggingHandler" else name),
                                         __name__)
        if name == "VizLoggingHandler":
            globals()["VizLoggingHandler"] = module.VizLoggingHandler
            return module.VizLoggingHandler
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"VizLoggingHandler"} | set(_LAZY_MODULES))


__all__ = ["__version__", "VizTracer", "get_tracer", "ignore_function", "trace_and_save",
           "log_sparse", "VizCounter", "VizObject", "VizLoggingHandler", "load_ipython_extension"]
