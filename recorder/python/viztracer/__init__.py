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


def __getattr__(name):
    # VizLoggingHandler needs the logging module (~5 ms to import): loaded on first use.
    if name in ("VizLoggingHandler", "vizlogging"):
        import importlib

        module = importlib.import_module(".vizlogging", __name__)
        globals()["VizLoggingHandler"] = module.VizLoggingHandler
        return module if name == "vizlogging" else module.VizLoggingHandler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"VizLoggingHandler", "vizlogging"})


__all__ = ["__version__", "VizTracer", "get_tracer", "ignore_function", "trace_and_save",
           "log_sparse", "VizCounter", "VizObject", "VizLoggingHandler"]
