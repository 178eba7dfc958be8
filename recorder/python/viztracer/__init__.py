"""viztracer on vizviewer's native recorder: a drop-in for viztracer's API and CLI.

    from viztracer import VizTracer
    with VizTracer(output_file="result.json"):
        work()
"""
from .decorator import ignore_function, log_sparse, trace_and_save
from .tracer import VizTracer, get_tracer
from .version import __version__
from .vizcounter import VizCounter
from .vizlogging import VizLoggingHandler
from .vizobject import VizObject

__all__ = ["__version__", "VizTracer", "get_tracer", "ignore_function", "trace_and_save",
           "log_sparse", "VizCounter", "VizObject", "VizLoggingHandler"]
