"""`%load_ext viztracer` in IPython/Jupyter: a `%%viztracer` cell magic that runs the cell traced
and saves the trace (./viztracer_report.json unless `output_file=...`), as viztracer's does.

    %%viztracer output_file=cell.json max_stack_depth=10 ignore_c_function=True
    work()

Options are `name=value` VizTracer keywords (a value in the type of the keyword's default;
None for None). Where ipywidgets is installed a "VizTracer Report" button opens the trace in
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


def make_kwargs(line):
    """The VizTracer keywords of a `%%viztracer` line (name=value ...; `#` starts a comment)."""
    from .tracer import VizTracer
    params = inspect.signature(VizTracer).parameters
    kwargs = {"verbose": 0, "output_file": DEFAULT_OUTPUT}
    for item in shlex.split(line, comments=True):
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"%%viztracer: {item!r} is not name=value")
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
