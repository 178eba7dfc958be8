"""viztracer's `viztracer.util` helpers, for code that imports them from there: size_fmt,
bcolors/color_print, same_line_print, unique_file_name, compare_version, time_str_to_us,
pid_exists, frame_stack_has_func. They behave as viztracer's do (viztracer's own tracer does not
use them)."""
import datetime
import errno
import os
import re


def size_fmt(num, suffix="B"):
    """A byte count for people: size_fmt(2048) == "2.0KiB"."""
    for unit in ("", "Ki", "Mi", "Gi"):
        if abs(num) < 1024.0:
            return f"{num:3.1f}{unit}{suffix}"
        num /= 1024.0
    return f"{num:.1f}Ti{suffix}"


class _bcolors:
    HEADER = "\033[95m"
    OKBLUE = "\033[94m"
    OKGREEN = "\033[92m"
    WARNING = "\033[93m"
    FAIL = "\033[91m"
    ENDC = "\033[0m"
    BOLD = "\033[1m"
    UNDERLINE = "\033[4m"


bcolors = _bcolors()
color_support = True


def color_print(color, s, **kwargs):
    """print(s) in the color named by `color` (an attribute of bcolors: "OKGREEN", "WARNING"...)."""
    if color_support:
        print(getattr(bcolors, color) + s + bcolors.ENDC, **kwargs)
    else:
        print(s)


def same_line_print(s, width=80, **kwargs):
    """Prints `s` over the current line (a carriage return, the line blanked, no newline)."""
    print(f"\r{'':<{width}}", end="")
    print(f"\r{s}", end="", **kwargs)


def unique_file_name(exec_name):
    """<name without extension>_<YYYYMMDD>_<HHMMSS>_<pid>.json for the program `exec_name`."""
    stem = os.path.basename(exec_name).split(".")[0]
    d = datetime.datetime.now()
    return (f"{stem}_{d.year}{d.month:02d}{d.day:02d}_"
            f"{d.hour:02d}{d.minute:02d}{d.second:02d}_{os.getpid()}.json")


def compare_version(ver1, ver2):
    """1, 0 or -1 as the dotted numeric version ver1 is above, equal to or below ver2."""
    t1 = tuple(int(v) for v in ver1.split("."))
    t2 = tuple(int(v) for v in ver2.split("."))
    return (t1 > t2) - (t1 < t2)


_TIME = re.compile(r"([0-9\.]+)([mun]?s)?")


def time_str_to_us(t_s):
    """"300ns", "23.5", ".2ms", "1s" -> microseconds (a bare number is in us); ValueError
    when it does not start with a number."""
    m = _TIME.match(t_s)
    if not m:
        raise ValueError(f"Can't convert {t_s} to time")
    try:
        val = float(m.group(1))
    except ValueError:
        raise ValueError(f"Can't convert {t_s} to time") from None
    return val * {"s": 1e6, "ms": 1e3, "us": 1.0, "ns": 1e-3, None: 1.0}[m.group(2)]


def pid_exists(pid):
    """Whether a process `pid` exists (ValueError for 0, False for a negative pid)."""
    if pid < 0:
        return False
    if pid == 0:
        raise ValueError("invalid PID 0")
    try:
        os.kill(pid, 0)
    except OSError as err:
        if err.errno == errno.ESRCH:
            return False
        if err.errno == errno.EPERM:
            return True  # there is a process, not ours to signal
        raise
    return True


def frame_stack_has_func(frame, funcs):
    """Whether `frame` or a frame it was called from runs the code of one of `funcs`."""
    codes = [f.__code__ for f in funcs]
    while frame is not None:
        if any(frame.f_code == c for c in codes):
            return True
        frame = frame.f_back
    return False


def get_tracer():
    """The global tracer (viztracer.get_tracer)."""
    from .tracer import get_tracer as _get_tracer
    return _get_tracer()
