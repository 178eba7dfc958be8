"""viztracer's file_info: the source of every recorded function's file, so a viewer can show it.

{"files": {path: [source, newline count]}, "functions": {event name: [path, line]}}

As viztracer's: every complete event whose name ends in "(<file>:<line>)" has its entry (the
hook's calls, log_event/add_duration blocks, @log_sparse functions, add_raw events), a file is
read as Python reads source (its coding line or BOM: tokenize.open), and a frozen module's
"<frozen name>" takes the source of the module's own file.
"""
import os
import re
import sys
import tokenize

# viztracer's pattern: the last "(file:line)" of the name (a greedy prefix), here at its end.
_NAMED = re.compile(r".*\((.*):([0-9]+)\)$", re.S)
_FROZEN = re.compile(r"<frozen (.+)>$")


def parse_event_name(name):
    """(file, line) of an event name ending in "(<file>:<line>)", else None."""
    m = _NAMED.match(name)
    return (m.group(1), int(m.group(2))) if m else None


def _frozen_file(name):
    """The file of frozen module `name`, found without running it (its module's __file__ when
    it is imported, else its spec's: importing it would run its code): None when there is none
    or finding it would import a package that is not imported yet."""
    module = sys.modules.get(name)
    if module is not None:
        path = getattr(module, "__file__", None)
        if isinstance(path, str):
            return path
    parent = name.rpartition(".")[0]
    if parent and parent not in sys.modules:
        return None  # (find_spec would import the package, running its code)
    try:
        import importlib.util
        spec = importlib.util.find_spec(name)
    except Exception:
        return None
    if spec is None:
        return None
    state = getattr(spec, "loader_state", None)
    path = getattr(state, "filename", None)  # FrozenImporter's (3.11+): the module's own file
    if not isinstance(path, str) and spec.has_location:
        path = spec.origin
    return path if isinstance(path, str) else None


def read_source(path):
    """The source text of `path` (a file name as a code object gives it), or None. A
    "<frozen name>" path reads the module's file (found without importing it: viztracer
    imports it, running its code)."""
    m = _FROZEN.match(path)
    if m:
        path = _frozen_file(m.group(1))
        if path is None:
            return None
    elif path.startswith("<"):
        return None  # <string>, <stdin>, <module>...: no file
    if not os.path.isfile(path):  # (nor a directory, a FIFO that would block the save)
        return None
    try:
        with tokenize.open(path) as f:
            return f.read()
    except (SyntaxError, UnicodeDecodeError):
        pass  # a bad coding line, bytes its encoding cannot have: shown as well as UTF-8 can
    except (OSError, ValueError):
        return None
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except (OSError, ValueError):
        return None


def build_file_info(functions, names=()):
    """functions: (event name, file, first line) of the recorded Python functions; names: other
    complete events' names, those ending in "(<file>:<line>)" have their entries too."""
    entries = list(functions)
    for name in names:
        where = parse_event_name(name)
        if where is not None:
            entries.append((name, where[0], where[1]))
    files = {}
    funcs = {}
    for name, path, line in entries:
        if name in funcs:
            continue
        if path not in files:
            files[path] = read_source(path)
        if files[path] is not None:
            funcs[name] = [path, line]
    return {"files": {p: [s, s.count("\n")] for p, s in files.items() if s is not None},
            "functions": funcs}
