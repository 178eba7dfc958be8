"""viztracer's file_info: the source of every recorded function's file, so a viewer can show it.

{"files": {path: [source, newline count]}, "functions": {event name: [path, line]}}
"""
import os


def build_file_info(functions):
    """functions: (event name, file, first line) of the recorded Python functions."""
    files = {}
    funcs = {}
    for name, path, line in functions:
        if path not in files:
            source = None
            if os.path.isabs(path) and os.path.isfile(path):
                try:
                    with open(path, encoding="utf-8", errors="replace") as f:
                        source = f.read()
                except OSError:
                    source = None
            files[path] = source
        if files[path] is not None:
            funcs[name] = [path, line]
    return {"files": {p: [s, s.count("\n")] for p, s in files.items() if s is not None},
            "functions": funcs}
