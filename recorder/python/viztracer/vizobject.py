"""VizObject: an object tracked in the trace (N on creation, O snapshots, D on deletion)."""
from .event_base import _EventBase
from .tracer import _dumps

_SNAPSHOT_TYPES = (list, dict, int, float, str)


def _writable(value):
    """Whether `value` can be written as JSON."""
    try:
        _dumps(value)
        return True
    except Exception:
        return False


class VizObject(_EventBase):
    def __init__(self, tracer, name=None, **kwargs):
        super().__init__(tracer, name, **kwargs)
        self.__dict__["_viztracer_id"] = str(id(self))
        if tracer is not None:
            tracer.add_object("N", self._viztracer_id, self._viztracer_name)

    def _snapshot(self):
        """The attributes a snapshot holds: as viztracer's, those of type list, dict, int,
        float or str (exactly: not a bool, None or a subclass); the rest is left out, never
        repr()'d."""
        return {k: v for k, v in self._viztracer_attributes() if type(v) in _SNAPSHOT_TYPES}

    def _viztracer_log(self):
        tracer = self._viztracer_tracer
        if tracer is None or not tracer.enable:
            return
        snapshot = self._snapshot()
        try:
            tracer.add_object("O", self._viztracer_id, self._viztracer_name, {"snapshot": snapshot})
        except Exception:
            # A list or dict that JSON cannot hold (a key that is not a str or a number, a
            # cycle, an item whose repr() raises, nesting past the recursion limit): left out,
            # as an assignment never raises here. The rest is logged.
            snapshot = {k: v for k, v in snapshot.items() if _writable(v)}
            try:
                tracer.add_object("O", self._viztracer_id, self._viztracer_name, {"snapshot": snapshot})
            except Exception:
                pass

    def __del__(self):
        tracer = self.__dict__.get("_viztracer_tracer")
        if tracer is not None and "_viztracer_id" in self.__dict__:
            try:
                tracer.add_object("D", self._viztracer_id, self._viztracer_name)
            except Exception:
                pass
