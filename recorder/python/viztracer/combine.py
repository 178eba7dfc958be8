"""--combine / --align_combine: merges traces into one file through the recorder, so the output
is written by the project's one JSON (or .vzt) writer. Each input keeps its pids and tids."""
import gzip
import json

from . import _vztracer


def _load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    if isinstance(data, list):
        data = {"traceEvents": data}
    if not isinstance(data, dict) or not isinstance(data.get("traceEvents"), list):
        raise ValueError(f"{path} is not a Chrome trace (no traceEvents)")
    return data


def _start_of(data):
    meta = data.get("viztracer_metadata") or {}
    if isinstance(meta, dict) and isinstance(meta.get("sync_marker"), (int, float)):
        return meta["sync_marker"]
    times = [e["ts"] for e in data["traceEvents"]
             if isinstance(e, dict) and e.get("ph") != "M" and isinstance(e.get("ts"), (int, float))]
    return min(times) if times else 0


def combine(files, output, align=False):
    """Merges the JSON traces `files` into `output` (.json, .json.gz or .vzt)."""
    loaded = [(_load(f), f) for f in files]
    if _vztracer.is_active():
        raise RuntimeError("cannot combine traces while a tracer is running")
    _vztracer.start(tracer_entries=32, process_name="", hook=False)
    try:
        file_info = {"files": {}, "functions": {}}
        for data, _ in loaded:
            shift = _start_of(data) if align else 0
            for ev in data["traceEvents"]:
                if not isinstance(ev, dict):
                    continue
                if shift and isinstance(ev.get("ts"), (int, float)):
                    ev = dict(ev, ts=round(ev["ts"] - shift, 3))
                _vztracer.event_json(json.dumps(ev, ensure_ascii=False))
            info = data.get("file_info")
            if isinstance(info, dict):
                file_info["files"].update(info.get("files") or {})
                file_info["functions"].update(info.get("functions") or {})
        if file_info["files"] or file_info["functions"]:
            _vztracer.set_metadata("file_info", json.dumps(file_info, ensure_ascii=False))
    finally:
        _vztracer.stop()
    return _vztracer.save(output)
