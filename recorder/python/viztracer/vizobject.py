"""VizObject: an object tracked in the trace (N on creation, O snapshots, D on deletion)."""


class VizObject:
    def __init__(self, tracer, name, trigger_on_change=True, include_attributes=None,
                 exclude_attributes=None):
        d = self.__dict__
        d["_VizObject__tracer"] = tracer
        d["_VizObject__name"] = name
        d["_VizObject__trigger"] = trigger_on_change
        d["_VizObject__include"] = include_attributes
        d["_VizObject__exclude"] = exclude_attributes or []
        d["_VizObject__id"] = str(id(self))
        if tracer is not None:
            tracer.add_object("N", self.__id, self.__name)

    def __setattr__(self, name, value):
        self.__dict__[name] = value
        if not name.startswith("_") and self.__trigger:
            self.log()

    def _snapshot(self):
        out = {}
        for k, v in self.__dict__.items():
            if k.startswith("_") or k in self.__exclude:
                continue
            if self.__include is not None and k not in self.__include:
                continue
            out[k] = v if isinstance(v, (int, float, str, bool, type(None))) else repr(v)
        return out

    def log(self):
        if self.__tracer is not None:
            self.__tracer.add_object("O", self.__id, self.__name, {"snapshot": self._snapshot()})

    def __del__(self):
        tracer = self.__dict__.get("_VizObject__tracer")
        if tracer is not None:
            try:
                tracer.add_object("D", self.__id, self.__name)
            except Exception:
                pass
