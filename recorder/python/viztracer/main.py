"""The `viztracer` command: runs a script, module or code string under VizTracer and saves the
trace (also when the program raises, calls sys.exit or gets SIGTERM). Exit code = the program's.

    viztracer [options] script.py [args]     viztracer [options] -- script.py [args]
    viztracer [options] -m module [args]     viztracer [options] -c "code"
    viztracer --combine a.json b.json -o merged.json
"""

import argparse
import builtins
import os
import re
import runpy
import signal
import sys
import time

from . import _vztracer
from .tracer import (PLUGINS_REFUSED, VizTracer, _check_int, _check_output_format,
                     _check_patterns, _say, _tell, torch_refusal)
from .version import __version__

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(ns|us|ms|s)?\s*$")


def parse_duration_us(text):
    """'13us', '0.3ms', '2s', '500ns' or a bare number of microseconds -> microseconds."""
    m = _DURATION.match(str(text))
    if not m:
        raise argparse.ArgumentTypeError(f"cannot read {text!r} as a duration (e.g. 0.3ms, 13us)")
    value = float(m.group(1))
    scale = {"ns": 0.001, "us": 1.0, "ms": 1000.0, "s": 1000000.0, None: 1.0}[m.group(2)]
    return value * scale


def _checked(check, name, **kwargs):
    """An argparse type applying VizTracer's rule for option `name` (tracer.py) to the flag's
    text, so a bad value is a usage error before anything runs."""
    def convert(text):
        try:
            return check(name, text, **kwargs)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return convert


_ATTACH = ("attaching to a running process is not supported by this viztracer: run the program "
           "under `viztracer`, or start and stop a VizTracer in it")
# viztracer's options that this command refuses, each with the reason (a function: computed).
_REFUSED = {
    "attach": _ATTACH,
    "attach_installed": _ATTACH,
    "uninstall": _ATTACH,
    "t": _ATTACH,
    "plugins": PLUGINS_REFUSED,
    "log_torch": lambda: torch_refusal()[1],
    "compress": "--compress (viztracer's .cvf format) is not supported: the compact format here "
                "is .vzt: `vizviewer --convert IN.json OUT.vzt`, or trace with -o result.vzt",
    "decompress": "--decompress (viztracer's .cvf format) is not supported: "
                  "`vizviewer --convert IN.vzt OUT.json` turns a .vzt trace into JSON",
    "subprocess_child": "--subprocess_child is internal to viztracer: child processes are traced "
                        "without it (--ignore_multiprocess turns that off)",
    "patch_only": "--patch_only is internal to viztracer and not supported",
}


def _refusal(opts):
    """The message for the first refused option set in `opts`, or None."""
    for dest, why in _REFUSED.items():
        value = getattr(opts, dest, None)
        if value is not None and value is not False:
            return why() if callable(why) else why
    return None


_PATTERN_OPTIONS = ("log_var", "log_number", "log_attr", "log_func_exec", "log_func_entry",
                    "log_audit")


def _bad_pattern(opts):
    """A message for the first option's RE that is not a regular expression, or None."""
    for dest in _PATTERN_OPTIONS:
        try:
            _check_patterns(f"--{dest}", getattr(opts, dest))
        except ValueError as e:
            return str(e)
    return None


def build_parser():
    p = argparse.ArgumentParser(
        prog="viztracer",
        description="Trace a Python program (every Python and C call) and save a trace that "
                    "vizviewer opens. Options also come from the [default] section of "
                    ".viztracerrc in the current directory (or --rcfile FILE); the command "
                    "line overrides it.",
        usage="viztracer [options] [--] (script.py | -m module | -c code) [args ...]")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--rcfile", default=None, metavar="FILE",
                   help="read option defaults from FILE's [default] section (default .viztracerrc)")
    p.add_argument("-o", "--output_file", default=None,
                   help="output file: .json (default result.json), .json.gz or .vzt")
    p.add_argument("--output_dir", default=None, help="directory for the output file")
    p.add_argument("-u", "--unique_output_file", action="store_true",
                   help="a unique output file name (result_<time>_<pid>.json)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--pid_suffix", action="store_true", help="append the pid to the output name")

    rec = p.add_argument_group("what is recorded")
    rec.add_argument("--tracer_entries", type=_checked(_check_int, "tracer_entries", minimum=1),
                     default=1000000,
                     help="events kept in the buffer (the newest are kept); default 1000000")
    rec.add_argument("--max_stack_depth", type=_checked(_check_int, "max_stack_depth"), default=-1,
                     help="deepest call recorded")
    rec.add_argument("--include_files", nargs="*", default=None,
                     help="record only code under these paths (put -- before the script)")
    rec.add_argument("--exclude_files", nargs="*", default=None,
                     help="do not record code under these paths (put -- before the script)")
    rec.add_argument("--ignore_c_function", action="store_true", help="do not record C calls")
    rec.add_argument("--ignore_frozen", action="store_true", help="do not record frozen modules")
    rec.add_argument("--min_duration", type=parse_duration_us, default=0,
                     help="leave out calls shorter than this (0.3ms, 13us; plain numbers: us)")
    rec.add_argument("--log_sparse", action="store_true", help="record only @log_sparse functions")
    rec.add_argument("--log_async", action="store_true", help="a track per asyncio task")
    rec.add_argument("--log_exit", action="store_true",
                     help="go on recording while atexit handlers run (by default recording "
                          "stops when the program's code ends)")
    rec.add_argument("--trace_self", action="store_true",
                     help="also record this package's own code")

    log = p.add_argument_group("extra events")
    log.add_argument("--log_func_args", action="store_true", help="record function arguments")
    log.add_argument("--log_func_retval", action="store_true", help="record return values")
    log.add_argument("--log_func_with_objprint", action="store_true",
                     help="format arguments and return values with objprint (repr when "
                          "objprint is not installed)")
    log.add_argument("--log_gc", action="store_true", help="record garbage collections")
    log.add_argument("--log_print", action="store_true", help="record print() calls as instants")
    log.add_argument("--log_audit", nargs="*", default=None, metavar="RE",
                     help="audit events (sys.audit) whose name matches RE become instants; "
                          "all of them when no RE is given")
    log.add_argument("--log_var", nargs="*", default=None, metavar="RE",
                     help="assignments to variables matching RE become instants")
    log.add_argument("--log_number", nargs="*", default=None, metavar="RE",
                     help="assignments to variables matching RE become counters")
    log.add_argument("--log_attr", nargs="*", default=None, metavar="RE",
                     help="assignments to attributes matching RE become instants")
    log.add_argument("--log_func_exec", nargs="*", default=None, metavar="RE",
                     help="assignments inside functions matching RE are listed in the call's "
                          "args (exec_steps)")
    log.add_argument("--log_func_entry", nargs="*", default=None, metavar="RE",
                     help="an instant when a function matching RE starts")
    log.add_argument("--log_exception", action="store_true",
                     help="an instant for each exception the script's raise statements raise")
    log.add_argument("--magic_comment", action="store_true",
                     help="run the script's '# !viztracer: <call>' comments as "
                          "__viz_tracer__.<call>")

    proc = p.add_argument_group("child processes")
    proc.add_argument("--ignore_multiprocess", action="store_true",
                      help="do not trace child processes")
    proc.add_argument("--include_children", action="store_true",
                      help="trace child processes (the default)")
    proc.add_argument("--log_multiprocess", action="store_true",
                      help="trace multiprocessing children (the default)")
    proc.add_argument("--log_subprocess", action="store_true",
                      help="trace Python subprocesses (the default)")

    other = p.add_argument_group("other commands")
    other.add_argument("--open", action="store_true", help="open vizviewer on the result")
    other.add_argument("--flamegraph", action="store_true", help="open vizviewer on its flamegraph")
    other.add_argument("--combine", nargs="+", default=None, metavar="FILE",
                       help="merge these traces (.json, .json.gz, .vzt) into the output file")
    other.add_argument("--align_combine", nargs="+", default=None, metavar="FILE",
                       help="merge these traces, each shifted to start at 0")

    same = p.add_argument_group(
        "accepted for viztracer compatibility, with nothing to change")
    same.add_argument("--sanitize_function_name", action="store_true",
                      help="names are always written as valid UTF-8 (characters that cannot be "
                           "encoded are replaced)")
    same.add_argument("--minimize_memory", action="store_true",
                      help="the trace is written from the recorder's compact buffers, never "
                           "built as Python objects (what viztracer's option saves memory on)")
    same.add_argument("--dump_raw", action="store_true",
                      help="the recorder always writes the trace itself")
    same.add_argument("--file_info", action="store_true",
                      help="file_info (the sources of recorded functions) is always saved")

    no = p.add_argument_group("not supported (an error that says why)")
    no.add_argument("--attach", nargs="?", const="", default=None, metavar="PID",
                    help="attach to a running process")
    no.add_argument("--attach_installed", nargs="?", const="", default=None, metavar="PID",
                    help="attach to a process where VizTracer is installed")
    no.add_argument("--uninstall", nargs="?", const="", default=None, metavar="PID",
                    help="remove VizTracer from an attached process")
    no.add_argument("-t", nargs="?", const="", default=None, metavar="SECONDS",
                    help="how long to trace an attached process")
    no.add_argument("--plugins", nargs="*", default=None, help="viztracer plugins")
    no.add_argument("--log_torch", action="store_true", help="torch profiler events")
    no.add_argument("--compress", nargs="?", const="", default=None, metavar="FILE",
                    help="viztracer's .cvf format (use .vzt: vizviewer --convert IN OUT)")
    no.add_argument("--decompress", nargs="?", const="", default=None, metavar="FILE",
                    help="viztracer's .cvf format (use .vzt: vizviewer --convert IN OUT)")
    no.add_argument("--subprocess_child", action="store_true", help=argparse.SUPPRESS)
    no.add_argument("--patch_only", action="store_true", help=argparse.SUPPRESS)

    p.add_argument("--run", action="store_true", help="what follows is the command to run")
    p.add_argument("-m", "--module", default=None, help="run a library module as a script")
    p.add_argument("-c", "--cmd_string", default=None, metavar="CODE", help="run a code string")
    p.add_argument("command", nargs=argparse.REMAINDER, help="script.py [args ...]")
    return p


def _unwritable(output):
    """Why `output` cannot be written ("" when it can): checked before the program runs, so a
    run is not lost to a bad -o."""
    if os.path.isdir(output):
        return "it is a directory"
    d = os.path.dirname(os.path.abspath(output))
    while not os.path.exists(d):  # made when the program starts: its nearest existing parent
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    if not os.path.isdir(d):
        return f"{d} is not a directory"
    if not os.access(d, os.W_OK | os.X_OK):
        return f"no permission to write in {d}"
    return ""


def _output_path(opts):
    if opts.output_file:
        name = opts.output_file
    elif opts.unique_output_file:
        name = f"result_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}.json"
    else:
        name = "result.json"
    if opts.output_dir:
        os.makedirs(opts.output_dir, exist_ok=True)
        name = os.path.join(opts.output_dir, name)
    return os.path.abspath(name)


def _exit_code(e):
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code
    _tell(f"{e.code}")  # as python prints it (a closed stderr loses it, as python's)
    return 1


def _open_viewer(path, flamegraph):
    from vizviewer import binary
    cmd = [binary(), path]
    if flamegraph:
        cmd[1:1] = ["--tab", "flamegraph"]
    # os.spawnvp, not subprocess: importing it here, after sys.path[0] became the script's
    # directory, could pick up a subprocess.py of the user's (and at start-up it costs ~3 ms).
    # A viewer that cannot start (127 from the exec) or fails is said, the trace saved all the same.
    rc = os.spawnvp(os.P_WAIT, cmd[0], cmd)
    if rc == 127:
        _tell(f"viztracer: cannot start the viewer {cmd[0]}; open the trace with: vizviewer {path}")
    elif rc != 0:
        _tell(f"viztracer: the viewer {cmd[0]} exited with status {rc}")
    return rc


# Options that take several values: a script after them is taken as one of them without `--`.
_LIST_OPTIONS = ("include_files", "exclude_files", "log_var", "log_number", "log_attr",
                 "log_func_exec", "log_func_entry", "combine", "align_combine")


class _NotRun(Exception):
    """The program could not be started (nothing to run, no such script, a syntax error, a
    tracer that cannot start): the message is out; nothing is saved."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def _run_target(opts, tracer, prepare=None):
    """Runs the program traced; returns its exit code. Raises _NotRun when it cannot start;
    prepare() runs once it can, before recording starts."""
    command = list(opts.command)
    if command and command[0] == "--":
        command = command[1:]
    if opts.cmd_string is not None:
        sys.argv = ["-c"] + command
        target = ("code", opts.cmd_string)
    elif opts.module is not None:
        sys.argv = [opts.module] + command
        # As `python -m`: modules are found from the current directory (sys.path[0] is the
        # installed command's bin directory otherwise).
        sys.path[0] = os.getcwd()
        target = ("module", opts.module)
    else:
        if command and os.path.basename(command[0]).startswith("python") and len(command) > 1:
            # `viztracer -- python3 [options] script.py args`: the interpreter's options skipped
            from .children import python_command
            target, rest = python_command(command)[2:]
            if target is not None and target[0] in ("module", "command"):
                opts.command = rest
                if target[0] == "module":
                    opts.module = target[1]
                else:
                    opts.cmd_string = target[1]
                return _run_target(opts, tracer, prepare)
            command = [] if target is None else ["-" if target[0] == "stdin" else target[1]] + rest
        if not command:
            hint = (" (an option that takes several values, such as --include_files, needs --"
                    " before the script)" if any(getattr(opts, k, None) for k in _LIST_OPTIONS) else "")
            sys.stderr.write(f"viztracer: nothing to run (give a script, -m module or -c code){hint}\n")
            raise _NotRun(2)
        found = _find_script(command[0])
        if found is None:
            sys.stderr.write(f"viztracer: No such file as {command[0]}\n")
            raise _NotRun(1)
        if command[0].endswith(".json"):
            sys.stderr.write(f"viztracer: can't run a json file, did you mean \"vizviewer {command[0]}\"?\n")
            raise _NotRun(1)
        script = os.path.abspath(found)
        sys.argv = [command[0]] + command[1:]
        sys.path[0] = os.path.dirname(script)
        target = ("file", script)

    try:
        if target[0] == "file":
            with open(target[1], "rb") as f:
                source = f.read()
            code = _compile(opts, source, target[1])
            globs = {"__name__": "__main__", "__file__": target[1], "__builtins__": builtins,
                     "__package__": None, "__spec__": None, "__cached__": None}
        elif target[0] == "code":
            code = _compile(opts, target[1], "<string>")
            globs = {"__name__": "__main__", "__builtins__": builtins}
    except (SyntaxError, ValueError) as e:  # as python says it: the error, not our frames
        import traceback
        traceback.print_exception(type(e), e, None)
        raise _NotRun(1)
    except OSError as e:
        sys.stderr.write(f"viztracer: cannot read {target[1]}: {e.strerror or e}\n")
        raise _NotRun(1)

    if target[0] != "module":
        # The program's globals are a real __main__ module, so pickling its functions works
        # (multiprocessing spawn, ProcessPoolExecutor) and spawn children re-import the script.
        import types
        main_module = types.ModuleType("__main__")
        main_module.__dict__.update(globs)
        sys.modules["__main__"] = main_module
        globs = main_module.__dict__

    def on_sigterm(signum, frame):
        raise SystemExit(128 + signum)

    old = signal.signal(signal.SIGTERM, on_sigterm)
    exit_code = 0
    failure = None  # the program's exception, printed once the tracer no longer records
    try:
        if prepare is not None:
            prepare()
        tracer.start()
    except (OSError, ValueError, RuntimeError) as e:
        signal.signal(signal.SIGTERM, old)
        sys.stderr.write(f"viztracer: cannot start tracing: {e}\n")
        raise _NotRun(1)
    try:
        if target[0] == "module":
            _run_module(target[1])
        else:
            exec(code, globs)
    except _NoModule as e:
        # As `python -m`: the module could not be found (nothing of the program ran): said in a
        # line, nothing saved (the user's output file is left as it was).
        tracer.stop()
        signal.signal(signal.SIGTERM, old)
        _tell(f"viztracer: {e}")
        raise _NotRun(1)
    except SystemExit as e:
        exit_code = _exit_code(e)
    except KeyboardInterrupt as e:
        exit_code = 130
        failure = e
    except BaseException as e:
        exit_code = 1
        failure = e
    finally:
        if opts.log_exit:
            # Paused until the atexit handlers run: registered last, resume() runs first, then
            # the program's handlers (recorded), then main()'s, which stops and saves.
            import atexit
            tracer.pause()
            atexit.register(tracer.resume)
        else:
            tracer.stop(stop_option="flush_as_finish")
        signal.signal(signal.SIGTERM, old)
    if failure is not None:
        import traceback
        tb = failure.__traceback__  # from the program's first frame, as python prints it
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        try:  # (a program that closed stderr loses it, as python's own would)
            traceback.print_exception(type(failure), failure, tb)
        except (OSError, ValueError, AttributeError):
            pass
    return exit_code


class _NoModule(Exception):
    """`-m MODULE`: no module to run (runpy's message: "No module named ...")."""


def _run_module(name):
    """runpy.run_module(name) as `python -m` runs it (alter_sys), its module found the same way
    (parent packages imported, so while recording): a module that cannot be found raises
    _NoModule, apart from the errors of the program's own code (its packages' imports
    included). Without runpy's internals (another Python), plain run_module."""
    details = getattr(runpy, "_get_module_details", None)
    run_code = getattr(runpy, "_run_module_code", None)
    error = getattr(runpy, "_Error", None)
    if details is None or run_code is None or error is None:
        runpy.run_module(name, run_name="__main__", alter_sys=True)
        return
    try:
        _, spec, code = details(name, error)
    except error as e:
        raise _NoModule(str(e)) from None
    run_code(code, None, "__main__", spec)


# _run_module is the package's code that runs the program's: not recorded itself, as the
# package's code is not, but what it calls is (a filtered call would hide the program).
_vztracer.set_transparent([_run_module.__code__])


def _find_script(name):
    """The script to run: `name` itself, or (like viztracer, for `viztracer pytest ...`) a file
    of that name in a directory of $PATH; None when neither exists."""
    if os.path.isfile(name):
        return name
    if os.sep in name:
        return None
    for d in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(d or ".", name)
        if os.path.isfile(candidate):
            return candidate
    return None


def _compile(opts, source, filename):
    """The program's code object, rewritten for the options that work by rewriting it
    (code_monkey.py)."""
    from .code_monkey import compile_program, options_of
    return compile_program(source, filename, options_of(opts))


_TARGET_OPTIONS = ("-m", "--module", "-c", "--cmd_string")


def _option_action(parser, token):
    """The action of option `token` (a long option may be abbreviated, as argparse allows), or
    None when it names none or several."""
    actions = parser._option_string_actions
    if token in actions:
        return actions[token]
    if token.startswith("--"):
        hits = {a for s, a in actions.items() if s.startswith(token)}
        if len(hits) == 1:
            return hits.pop()
    return None


def _split_argv(parser, argv):
    """(our options, the program's command line), split as python itself splits its own: what
    follows `-m MODULE`, `-c CODE`, the script's name, `--` or `--run` belongs to the program, even
    where it looks like one of our options (`viztracer -m pytest -x -q`, `-m json.tool -h`).
    The values of our options are skipped by their arity, so `-o out.json script.py` splits at
    the script. `--` is dropped; `-m X`, `-c X` and `--run` stay with our options."""
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            return argv[:i], argv[i + 1:]
        if a == "-" or not a.startswith("-") or _NUMBER.fullmatch(a):
            return argv[:i], argv[i:]  # the script
        name, eq, _ = a.partition("=")
        action = _option_action(parser, name)
        if action is None and not a.startswith("--") and len(a) > 2:
            # Short options run together (-uo out.json, -um mod, -mjson.tool): letter by letter,
            # as argparse reads them; one that takes a value takes the rest of the token, or the
            # next argument when it is the last letter.
            step = 1  # the token, and the next argument when its last letter takes it as value
            for k in range(1, len(a)):
                act = parser._option_string_actions.get("-" + a[k])
                if act is None:
                    break  # (not ours: argparse says so)
                last = k == len(a) - 1
                if a[k] in ("m", "c"):  # the program follows
                    j = i + 2 if last else i + 1
                    return argv[:j], argv[j:]
                if act.nargs is None or isinstance(act.nargs, int) and act.nargs > 0:
                    step = 2 if last else 1
                    break
            i += step
            continue
        target = action is not None and any(s in _TARGET_OPTIONS for s in action.option_strings)
        if target:
            j = i + 1 if eq else i + 2
            return argv[:j], argv[j:]
        if action is not None and action.dest == "run":
            return argv[:i + 1], argv[i + 1:]
        i += 1
        if action is None or eq:
            continue
        nargs = action.nargs
        if nargs is None:
            nargs = 1
        if isinstance(nargs, int):
            i += nargs
        elif nargs == "?":
            if i < len(argv) and (not argv[i].startswith("-") or _NUMBER.fullmatch(argv[i])):
                i += 1
        elif nargs in ("*", "+"):
            while i < len(argv) and (not argv[i].startswith("-") or _NUMBER.fullmatch(argv[i])):
                i += 1
    return argv, []


_NUMBER = re.compile(r"-\d+(\.\d*)?|-\.\d+")


def _parse(parser, argv):
    """The options: the command line over the rcfile's defaults. Raises RcFileError."""
    from .rcfile import load_rcfile
    own, command = _split_argv(parser, argv)
    opts = parser.parse_args(own)
    defaults = load_rcfile(parser, opts.rcfile)
    if defaults is not None:
        opts = parser.parse_args(own, namespace=defaults)
    opts.command = command
    return opts


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    from .rcfile import RcFileError
    try:
        opts = _parse(parser, argv)
    except RcFileError as e:
        sys.stderr.write(f"viztracer: {e}\n")
        return 2
    if opts.version:
        print(__version__)
        return 0
    refused = _refusal(opts) or _bad_pattern(opts)
    if refused:
        sys.stderr.write(f"viztracer: {refused}\n")
        return 2
    if opts.unique_output_file and opts.output_file:  # as viztracer's (a mutually exclusive group)
        parser.error("argument -u/--unique_output_file: not allowed with argument -o/--output_file")
    output = _output_path(opts)
    try:
        _check_output_format(output)
    except ValueError as e:
        parser.error(str(e))
    unwritable = _unwritable(output)
    if unwritable:
        sys.stderr.write(f"viztracer: cannot write {output}: {unwritable}\n")
        return 1
    verbose = 0 if opts.quiet else 1
    if opts.combine or opts.align_combine:
        os.makedirs(os.path.dirname(output), exist_ok=True)
        from .combine import combine
        files = opts.combine or opts.align_combine
        try:
            combine(files, output, align=bool(opts.align_combine))
        except (OSError, ValueError, RuntimeError) as e:
            sys.stderr.write(f"viztracer: cannot combine: {e}\n")
            return 1
        if verbose:
            _say(f"Combined {len(files)} traces into {output}\nvizviewer {output}")
        return 0
    if opts.run and opts.command and opts.command[0] == "--":
        opts.command = opts.command[1:]
    tracer = VizTracer(
        output_file=output,
        tracer_entries=opts.tracer_entries,
        verbose=verbose,
        max_stack_depth=opts.max_stack_depth,
        include_files=opts.include_files,
        exclude_files=opts.exclude_files,
        ignore_c_function=opts.ignore_c_function,
        ignore_frozen=opts.ignore_frozen,
        log_func_retval=opts.log_func_retval,
        log_func_args=opts.log_func_args,
        log_print=opts.log_print,
        log_gc=opts.log_gc,
        log_sparse=opts.log_sparse,
        log_async=opts.log_async,
        log_audit=opts.log_audit,
        log_func_with_objprint=opts.log_func_with_objprint,
        trace_self=opts.trace_self,
        pid_suffix=opts.pid_suffix,
        min_duration=opts.min_duration,
    )
    root_pid = os.getpid()
    saved = []

    def finish():
        """Stops, merges the children's traces and saves, once (also from os._exit, and with
        --log_exit from the last atexit handler)."""
        if saved or os.getpid() != root_pid:
            return saved[0] if saved else None
        saved.append(None)
        if not opts.ignore_multiprocess:
            _state["root_finish"] = None
        tracer.stop(stop_option="flush_as_finish")
        if not opts.ignore_multiprocess:
            from .children import merge_children
            try:
                merge_children(tracer, verbose)
            except KeyboardInterrupt:  # a second Ctrl+C while merging: saved with what is merged
                _tell("viztracer: merging the child processes' traces interrupted")
            except Exception as e:  # the program's own trace is saved all the same
                _tell(f"viztracer: cannot merge the child processes' traces: {e}")
        saved[0] = tracer.save()
        if opts.open or opts.flamegraph:
            _open_viewer(saved[0], opts.flamegraph)
        return saved[0]

    if not opts.ignore_multiprocess:
        from .children import _state, install_child_tracing
        install_child_tracing(tracer, opts, output)
        _state["root_finish"] = finish
    if opts.log_exit:
        # atexit runs the handlers last registered first: this one runs after the program's
        # own (registered while it ran), so they are recorded.
        import atexit
        atexit.register(finish)
    try:
        # -o sub/dir/result.json: the directory is made once the program can run.
        exit_code = _run_target(opts, tracer, lambda: os.makedirs(os.path.dirname(output), exist_ok=True))
    except _NotRun as e:
        saved.append(None)  # nothing to save (an atexit finish() of --log_exit included)
        if not opts.ignore_multiprocess:
            from .children import abandon_child_tracing
            abandon_child_tracing()
        return e.code
    if os.getpid() != root_pid:  # a forked child returning through the script's end
        from .children import finish_child
        finish_child()
        return exit_code
    if not opts.log_exit:
        if not opts.ignore_multiprocess and "multiprocessing.util" in sys.modules:
            # Saved once multiprocessing's exit handler has ended the program's pools and
            # executors, terminated its daemon processes and joined the others (a negative
            # priority runs after that): those children save their traces first. That handler
            # runs after the atexit handlers registered once multiprocessing.util was imported
            # (before it saves, then), before the ones registered earlier. Recording stopped
            # with the program.
            import multiprocessing.util
            multiprocessing.util.Finalize(None, finish, exitpriority=-1)
        else:
            finish()
    return exit_code
