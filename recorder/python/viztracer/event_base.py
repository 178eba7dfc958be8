"""_EventBase: what VizCounter and VizObject share (viztracer's custom events).

Public attributes (not starting with "_") are the tracked data: assigning one logs a sample
unless trigger_on_change is off; include_attributes makes a whitelist of them (those alone are
logged and trigger), exclude_attributes a blacklist. A subclass may log from its methods with
@VizCounter.triggerlog / @VizObject.triggerlog(when="before" | "after" | "both").
"""
import functools

from . import _vztracer

_CONFIG_KEYS = ("trigger_on_change", "include_attributes", "exclude_attributes")


class _EventBase:
    def __init__(self, tracer, name=None, trigger_on_change=True, include_attributes=None,
                 exclude_attributes=None):
        d = self.__dict__
        d["_viztracer_tracer"] = tracer
        d["_viztracer_name"] = name if name is not None else type(self).__name__
        d["_viztracer_config"] = {
            "trigger_on_change": trigger_on_change,
            "include_attributes": list(include_attributes or []),
            "exclude_attributes": list(exclude_attributes or []),
        }
        d["_viztracer_enable"] = True

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if name.startswith("_") or not self.__dict__.get("_viztracer_enable"):
            return
        cfg = self._viztracer_config
        if not cfg["trigger_on_change"]:
            return
        if cfg["include_attributes"]:
            if name not in cfg["include_attributes"]:
                return
        elif name in cfg["exclude_attributes"]:
            return
        self.log()

    def config(self, key, value):
        """config("trigger_on_change" | "include_attributes" | "exclude_attributes", value)."""
        if key not in _CONFIG_KEYS:
            raise ValueError(f"No config named {key}")
        self._viztracer_config[key] = value

    _viztracer_set_config = config

    def _viztracer_attributes(self):
        """(name, value) of the tracked attributes; methods are left out."""
        cfg = self.__dict__.get("_viztracer_config")
        if cfg is None:  # a subclass that has not called __init__ yet
            return []
        if cfg["include_attributes"]:
            names = cfg["include_attributes"]
        else:
            names = [a for a in dir(self)
                     if not a.startswith("_") and a not in cfg["exclude_attributes"]]
        out = []
        for a in names:
            try:
                v = getattr(self, a)
            except AttributeError:
                continue
            if not callable(v):
                out.append((a, v))
        return out

    def log(self):
        """Logs the tracked attributes now."""
        self._viztracer_log()

    def _viztracer_log(self):
        pass

    @staticmethod
    def triggerlog(method=None, when="after"):
        """A method decorator: log() before, after or both before and after each call."""
        if when not in ("after", "before", "both"):
            raise ValueError(f"when has to be one of 'after', 'before' or 'both', not {when!r}")

        def inner(func):
            @functools.wraps(func)
            def triggerlog_wrapper(self, *args, **kwargs):
                if when != "after":
                    self.log()
                ret = func(self, *args, **kwargs)
                if when != "before":
                    self.log()
                return ret
            return triggerlog_wrapper

        if method is not None:
            return inner(method)
        return inner


# Package frames that call user code (a property's setter, a decorated method): skipped in the
# trace without hiding what they call.
_vztracer.set_transparent([_EventBase.__setattr__.__code__,
                           _EventBase.triggerlog(lambda self: None).__code__])
