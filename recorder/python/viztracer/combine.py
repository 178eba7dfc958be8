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


def combine(files, output, align=False, file_info=True, extra_file_info=None):
    """Merges the traces `files` (JSON, .json.gz, .vzt) into `output` (.json, .json.gz or .vzt).
    file_info=False: the output has none; extra_file_info: more of it (a dict) for the output.
    An input that overflowed (its viztracer_metadata says so) makes the output say so too, with
    its lost_records counted (the recorder's add_trace_file reads them).
    Returns the save's message. Events a stopped tracer holds in the recorder and has not saved
    are moved to its stash first (see VizTracer._stash): the tracer saves them later all the
    same. Saved ones are let go."""
    if _vztracer.is_active():
        raise RuntimeError("cannot combine traces while a tracer is running")
    from .tracer import _VizState
    owner = _VizState.owner
    if owner is not None:
        if owner._has_data or owner.enable:
            owner._stash()
        else:
            # Nothing unsaved (saved, or nothing recorded): nothing to keep, and no stash made
            # (a forked child ending with os._exit would leave its directory behind).
            _VizState.owner = None
    _vztracer.start(tracer_entries=32, process_name="", hook=False)
    try:
        info_out = {"files": {}, "functions": {}}
        for path in files:
            try:
                info = add_trace_file(path, align)
            except ValueError as e:
                raise ValueError(f"{path}: {e}") from None
            info_out["files"].update(info.get("files") or {})
            info_out["functions"].update(info.get("functions") or {})
        if extra_file_info:
            info_out["files"].update(extra_file_info.get("files") or {})
            info_out["functions"].update(extra_file_info.get("functions") or {})
        if file_info and (info_out["files"] or info_out["functions"]):
            _send(_vztracer.set_metadata, "file_info", json.dumps(info_out, ensure_ascii=False))
    finally:
        _vztracer.stop()
    try:
        return _vztracer.save(output)
    finally:
        _vztracer.clear()  # the loaded traces are not needed any more
