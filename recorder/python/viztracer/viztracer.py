"""viztracer's `viztracer.viztracer` module path (`from viztracer.viztracer import VizTracer`):
the tracer lives in viztracer.tracer; this re-exports it."""
from .tracer import VizTracer, get_tracer

__all__ = ["VizTracer", "get_tracer"]
