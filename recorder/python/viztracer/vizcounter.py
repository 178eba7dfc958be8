"""VizCounter: an object whose public numeric attributes are a counter track."""
from .event_base import _EventBase


class VizCounter(_EventBase):
    """Each log (by default every assignment to a public attribute) emits one counter sample
    with all of the object's public numeric attributes; a non-numeric one is an error."""

    def _viztracer_log(self):
        tracer = self._viztracer_tracer
        if tracer is None:
            return
        values = {}
        for k, v in self._viztracer_attributes():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise ValueError(f"VizCounter {self._viztracer_name!r} can only take numbers: {k} = {v!r}")
            values[k] = v
        if values:
            tracer.add_counter(self._viztracer_name, values)
