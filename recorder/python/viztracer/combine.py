"""--combine / --align_combine: merges traces into one file through the recorder, so the output
is written by the project's one JSON (or .vzt) writer. Each input keeps its pids and tids.
Inputs are Chrome JSON, .json.gz or .vzt (told apart by their first bytes)."""
import json
import sys

from . import _vztracer
from .tracer import _send


def add_trace_file(path, align=False):
    """Adds the events of the trace at `path` (JSON, .json.gz, .vzt) to the running session;
    returns its file_info (a dict, possibly empty). What was wrong in a file that loaded anyway
    (cut short, malformed events) is said on stderr."""
    r = _vztracer.add_trace_file(path, align)
    if r["problems"]:
        sys.stderr.write(f"viztracer: {path}: {r['problems']}\n")
    return json.loads(r["file_info"]) if r["file_info"] else {}


def combine(files, output, align=False):
    """Merges the traces `files` (JSON, .json.gz, .vzt) into `output` (.json, .json.gz or .vzt)."""
    if _vztracer.is_active():
        raise RuntimeError("cannot combine traces while a tracer is running")
    _vztracer.start(tracer_entries=32, process_name="", hook=False)
    try:
        file_info = {"files": {}, "functions": {}}
        for path in files:
            try:
                info = add_trace_file(path, align)
            except ValueError as e:
                raise ValueError(f"{path}: {e}") from None
            file_info["files"].update(info.get("files") or {})
            file_info["functions"].update(info.get("functions") or {})
        if file_info["files"] or file_info["functions"]:
            _send(_vztracer.set_metadata, "file_info", json.dumps(file_info, ensure_ascii=False))
    finally:
        _vztracer.stop()
    try:
        return _vztracer.save(output)
    finally:
        _vztracer.clear()  # the loaded traces are not needed any more
