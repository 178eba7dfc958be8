"""VizLoggingHandler: logging records as process-scoped instants "logging - <message>"."""
import logging


class VizLoggingHandler(logging.Handler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._tracer = None

    def setTracer(self, tracer):
        self._tracer = tracer

    def emit(self, record):
        tracer = self._tracer
        if tracer is None:
            from .tracer import get_tracer
            tracer = get_tracer()
        if tracer is None:
            return
        try:
            tracer.add_instant(f"logging - {self.format(record)}", scope="p")
        except Exception:
            self.handleError(record)
