"""viztracer's `viztracer.report_builder.ReportBuilder`: combines traces (files, or trace dicts
such as VizTracer.data) into one, as `viztracer --combine` does, through the same code
(combine.combine: the recorder merges them and its writer saves the result).

    ReportBuilder(["a.json", "b.json"], verbose=0).save(output_file="all.json")
"""
import os
import shutil
import tempfile

from .combine import combine
from .file_info import build_file_info
from .tracer import _dumps, _say

_INPUT_SUFFIXES = (".json", ".json.gz", ".gz", ".vzt")


class ReportBuilder:
    """data: a trace dict, or a list (tuple) of trace files (.json as viztracer's; also .json.gz
    and .vzt here) and trace dicts. save() writes them as one trace, each event with its own pid
    and tid; align=True moves each to start at 0 (or at its sync marker) first. minimize_memory
    changes nothing (the traces are merged natively, never as one Python object)."""

    def __init__(self, data, verbose=1, align=False, minimize_memory=False, base_time=None):
        if not isinstance(data, (dict, list, tuple)):
            raise TypeError("Invalid data type for ReportBuilder")
        if isinstance(data, (list, tuple)):
            for item in data:
                if isinstance(item, dict):
                    continue
                if not isinstance(item, str):
                    raise TypeError("Path should be a string")
                if not os.path.exists(item):
                    raise ValueError(f"{item} does not exist")
                if not item.lower().endswith(_INPUT_SUFFIXES):
                    raise ValueError(f"{item} is not a json file")
        if base_time is not None:
            # The writer sets baseTimeNanoseconds from this machine's clocks, as for every trace.
            import warnings
            warnings.warn("ReportBuilder: base_time is not applied (the combined trace's "
                          "baseTimeNanoseconds is this machine's)", RuntimeWarning, stacklevel=2)
        self.data = data
        self.verbose = verbose
        self.align = align
        self.minimize_memory = minimize_memory
        self.base_time = base_time

    def _items(self):
        return [self.data] if isinstance(self.data, dict) else list(self.data)

    def save(self, output_file="result.html", file_info=True):
        """Writes the combined trace to `output_file`: a path (.json, .json.gz/.gz or .vzt, by
        extension) or an open text file (JSON is written to it)."""
        if isinstance(output_file, str) and output_file.lower().endswith((".html", ".htm")):
            raise ValueError("ReportBuilder: HTML reports are not supported: save .json (or "
                             ".json.gz, .vzt) and open it with vizviewer")
        with tempfile.TemporaryDirectory(prefix="viztracer_report_") as d:
            files, names = [], set()  # (an input's overflow comes with its metadata)
            own_files, own_functions = set(), set()  # what the trace dicts' file_info has
            for i, item in enumerate(self._items()):
                if isinstance(item, dict):
                    # A trace dict goes in as a file of its own (its file_info and metadata too).
                    path = os.path.join(d, f"trace{i}.json")
                    with open(path, "w", encoding="utf-8") as f:
                        f.write(_dumps(item))
                    if file_info:
                        names.update(e["name"] for e in item.get("traceEvents", ())
                                     if isinstance(e, dict) and e.get("ph") == "X"
                                     and isinstance(e.get("name"), str))
                        own = item.get("file_info")
                        if isinstance(own, dict):
                            for key, into in (("files", own_files), ("functions", own_functions)):
                                if isinstance(own.get(key), dict):
                                    into.update(own[key])
                    files.append(path)
                else:
                    files.append(item)
            # Only what the inputs' own file_info lacks: theirs (the source as it was when
            # recorded) is kept, not replaced by the files as they are now.
            names -= own_functions
            extra = build_file_info((), names) if names else None
            if extra is not None:
                for key, own in (("files", own_files), ("functions", own_functions)):
                    for k in own:
                        extra.get(key, {}).pop(k, None)
                if not extra.get("files") and not extra.get("functions"):
                    extra = None
            if isinstance(output_file, str):
                path = os.path.abspath(output_file)
                message = combine(files, path, align=self.align, file_info=file_info,
                                  extra_file_info=extra)
            else:  # an open file: the combined JSON, written into it
                tmp = os.path.join(d, "combined.json")
                message = combine(files, tmp, align=self.align, file_info=file_info,
                                  extra_file_info=extra)
                with open(tmp, encoding="utf-8") as f:
                    shutil.copyfileobj(f, output_file)
                path = None
        if self.verbose > 0:
            if path is None:
                _say(message.split(" to ", 1)[0])
            else:
                _say(f"Saving trace to {path}: {message}\n"
                     f"Use the following command to open the report:\nvizviewer {path}")
