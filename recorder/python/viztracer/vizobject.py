"""VizObject: an object tracked in the trace (N on creation, O snapshots, D on deletion)."""
from .event_base import _EventBase


class VizObject(_EventBase):
    def __init__(self, tracer, name=None, **kwargs):
        super().__init__(tracer, name, **kwargs)
        self.__dict__["_viztracer_id"] = str(id(self))
        if tracer is not None:
            tracer.add_object("N", self._viztracer_id, self._viztracer_name)

    def _snapshot(self):
        out = {}
        for k, v in self._viztracer_attributes():
            out[k] = v if isinstance(v, (int, float, str, bool, type(None), list, dict)) else repr(v)
        return out

    def _viztracer_log(self):
        tracer = self._viztracer_tracer
        if tracer is not None:
            tracer.add_object("O", self._viztracer_id, self._viztracer_name, {"snapshot": self._snapshot()})

    def __del__(self):
        tracer = self.__dict__.get("_viztracer_tracer")
        if tracer is not None and "_viztracer_id" in self.__dict__:
            try:
                tracer.add_object("D", self._viztracer_id, self._viztracer_name)
            except Exception:
                pass
