"""`%load_ext viztracer` in IPython/Jupyter: a `%%viztracer` cell magic that runs the cell traced
and saves the trace (./viztracer_report.json unless `output_file=...`), as viztracer's does.

    %%viztracer --output_file cell.json --max_stack_depth 10 --ignore_c_function
    work()

Options are viztracer's own cell-magic flags (--output_file F, --max_stack_depth N,
--ignore_c_function, --ignore_frozen, --log_func_args, --log_print, --log_sparse, -p/--port N)
and, besides, `name=value` VizTracer keywords (a value in the type of the keyword's default;
None for None): `output_file=cell.json max_stack_depth=10 ignore_c_function=True`. Where ipywidgets is installed a "VizTracer Report" button opens the trace in
vizviewer, else the cell prints the command that opens it. viztracer's viewer options (port,
once...) are accepted and change nothing: vizviewer is a native program.
"""
import inspect
import shlex

DEFAULT_OUTPUT = "./viztracer_report.json"
_VIEWER_OPTIONS = ("port", "once", "use_external_processor", "timeout", "flamegraph",
                   "server_only", "path")


def _convert(name, text, default):
    if text == "None":
        return None
    if isinstance(default, bool):
        if text.lower() in ("true", "1", "yes"):
            return True
        if text.lower() in ("false", "0", "no"):
            return False
        raise ValueError(f"%%viztracer: {name} needs True or False, got {text!r}")
    if isinstance(default, int):
        return int(text)
    if isinstance(default, float):
        return float(text)
    return text


class _FlagParser:
    """viztracer's own `%%viztracer` flags (as its cell magic's magic_arguments):
    --output_file F, --max_stack_depth N, --ignore_c_function, --ignore_frozen, --log_func_args,
    --log_print, --log_sparse, -p/--port N (the viewer's: accepted, changes nothing)."""

    VALUED = {"--output_file": ("output_file", str), "--max_stack_depth": ("max_stack_depth", int),
              "--port": (None, int), "-p": (None, int)}
    SWITCHES = ("--ignore_c_function", "--ignore_frozen", "--log_func_args", "--log_print",
                "--log_sparse")

    @classmethod
    def take(cls, items, i, kwargs):
        """Reads the flag at items[i] into `kwargs`; returns the index after it (and its value)."""
        item = items[i]
        flag, eq, value = item.partition("=")
        if flag in cls.SWITCHES:
            if eq:
                raise ValueError(f"%%viztracer: {flag} takes no value")
            kwargs[flag[2:]] = True
            return i + 1
        if flag.startswith("-p") and not flag.startswith("--") and len(flag) > 2 and not eq:
            flag, eq, value = "-p", "=", flag[2:]  # -p9001
        if flag not in cls.VALUED:
            raise ValueError(f"%%viztracer: unknown option {flag}")
        name, kind = cls.VALUED[flag]
        nxt = i + 1
        if not eq:
            if i + 1 >= len(items):
                raise ValueError(f"%%viztracer: {flag} needs a value")
            value, nxt = items[i + 1], i + 2
        try:
            converted = kind(value)
        except ValueError:
            raise ValueError(f"%%viztracer: {flag} needs {'a number' if kind is int else 'a value'}, "
                             f"got {value!r}") from None
        if name is not None:
            kwargs[name] = converted
        return nxt


def make_kwargs(line):
    """The VizTracer keywords of a `%%viztracer` line: viztracer's own flags (--output_file F,
    --max_stack_depth N, --ignore_c_function, --ignore_frozen, --log_func_args, --log_print,
    --log_sparse, -p/--port N) and name=value keywords; `#` starts a comment."""
    from .tracer import VizTracer
    params = inspect.signature(VizTracer).parameters
    kwargs = {"verbose": 0, "output_file": DEFAULT_OUTPUT}
    items = shlex.split(line, comments=True)
    i = 0
    while i < len(items):
        item = items[i]
        if item.startswith("-"):
            i = _FlagParser.take(items, i, kwargs)
            continue
        i += 1
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"%%viztracer: {item!r} is neither an option nor name=value")
        if name in _VIEWER_OPTIONS:
            continue
        if name not in params or params[name].kind is inspect.Parameter.VAR_KEYWORD:
            raise ValueError(f"{name} is not a parameter of VizTracer")
        kwargs[name] = _convert(name, value, params[name].default)
    return kwargs


def _show(path):
    """The button that opens `path` in vizviewer (with ipywidgets), else the command to."""
    try:
        from IPython.display import display
        from ipywidgets import Button
    except ImportError:
        print(f"Use the following command to open the report:\nvizviewer {path}")
        return

    def view(_button):
        import subprocess
        from vizviewer import binary
        subprocess.Popen([binary(), path])

    button = Button(description="VizTracer Report")
    button.on_click(view)
    display(button)


def load_ipython_extension(ipython):
    """Use `%load_ext viztracer`: registers the `%%viztracer` cell magic on `ipython` (the
    InteractiveShell)."""

    def viztracer(line, cell, local_ns=None):
        import os
        from .tracer import VizTracer
        kwargs = make_kwargs(line)
        code = ipython.transform_cell(cell)
        ns = local_ns if local_ns is not None else ipython.user_ns
        with VizTracer(**kwargs):
            exec(code, ns, ns)
        _show(os.path.abspath(kwargs["output_file"]))

    viztracer.needs_local_scope = True  # (IPython's needs_local_scope: it passes local_ns)
    ipython.register_magic_function(viztracer, magic_kind="cell", magic_name="viztracer")
