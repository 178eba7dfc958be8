"""VizCounter: an object whose public numeric attributes are a counter track."""


class VizCounter:
    """Every assignment to a public attribute emits one counter sample with all of the
    object's public numeric attributes."""

    def __init__(self, tracer, name, trigger_on_change=True):
        self.__dict__["_VizCounter__tracer"] = tracer
        self.__dict__["_VizCounter__name"] = name
        self.__dict__["_VizCounter__trigger"] = trigger_on_change

    def __setattr__(self, name, value):
        if not name.startswith("_") and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise ValueError(f"VizCounter attributes must be numbers, {name} = {value!r}")
        self.__dict__[name] = value
        if not name.startswith("_") and self.__trigger:
            self.log()

    def log(self):
        values = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        if values and self.__tracer is not None:
            self.__tracer.add_counter(self.__name, values)
