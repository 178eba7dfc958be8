"""Benchmarks of the viztracer package (run by scripts/bench.sh; anyone can rerun it):

    PYTHONPATH=build/python python3 tests/bench/bench_python.py [--repeat N] [--json]

Measures fib(25) traced / untraced (C calls recorded, and ignore_c_function=True), a mixed
json/sort/method-call workload (both ways too), save() cost per event to .vzt and .json, memory
per buffered event, .vzt bytes per call, and the `viztracer` command end to end against plain
python. Recording C calls takes CPython's profile hook; the "floor" rows are that hook doing
nothing (`_vztracer.profile_floor`), what no tracer on it can go below. The configurations of a
workload are timed in turns (untraced, traced, floor, then again) and each keeps its best, so the
ratios compare runs made in the same state of the machine; save() is timed as the first save of
fresh processes (best of --repeat).

Targets (../shared/DESIGN.md): fib(25) with C calls <= 5.0x, Python frames only <= 3.0x; mixed
with C calls <= 1.40x (with Python frames only: <= 1.25x); .vzt save <= 0.05 us/event.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

from viztracer import VizTracer
from viztracer import _vztracer

FIB_CALLS = 242785  # calls of fib(25)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def norm(self):
        return (self.x * self.x + self.y * self.y) ** 0.5


def mixed():
    """json round trips, sorting with a key, small method calls (about 0.3 s untraced)."""
    rng = random.Random(1)
    total = 0.0
    for _ in range(300):
        doc = {"items": [{"id": i, "name": f"n{i}", "v": rng.random()} for i in range(300)]}
        back = json.loads(json.dumps(doc))
        items = sorted(back["items"], key=lambda d: d["v"])
        pts = [Point(d["v"], d["id"]) for d in items]
        total += sum(p.norm() for p in pts)
    return total


def timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run_untraced(fn):
    return timed(fn)


def run_traced(fn, **kw):
    t = VizTracer(verbose=0, register_global=False, **kw)
    t.start()
    try:
        return timed(fn)
    finally:
        t.stop()
        t.clear()


def run_floor(fn):
    """fn under a profile hook that records nothing."""
    _vztracer.profile_floor(True)
    try:
        return timed(fn)
    finally:
        _vztracer.profile_floor(False)


def interleaved(configs, rounds):
    """Best time of each (name, run) in `configs`, run in turns: each round runs every config once,
    so a machine that speeds up or slows down during the benchmark moves all of them alike and the
    ratios between them stay fair (a config measured only while the machine was fast would not)."""
    bests = {}
    for _ in range(rounds):
        for name, run in configs:
            t = run()
            bests[name] = min(bests.get(name, t), t)
    return bests


MEMORY_PROBE = """
import os, sys
sys.path[:0] = {path!r}
from viztracer import VizTracer
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
t = VizTracer(verbose=0, tracer_entries=1000000)
fib(25)  # warm up everything but the ring
before = rss()
t.start()
fib(25)
t.stop()
print((rss() - before) / {calls})
"""


def memory_per_event():
    """RSS growth per buffered call in a fresh process (the ring's pages are touched as written)."""
    code = MEMORY_PROBE.format(path=[p for p in sys.path if p], calls=FIB_CALLS)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


SAVE_PROBE = """
import json, os, sys, time
sys.path[:0] = {path!r} + [{tmp!r}]
from viztracer import VizTracer
from fibmod import fib  # a function of a file, named as a user's would be
t = VizTracer(verbose=0, register_global=False, tracer_entries=1000000, file_info=False)
t.start()
fib(25)
t.stop()
out = []
for ext in ("vzt", "json"):
    p = os.path.join({tmp!r}, "fib." + ext)
    t0 = time.perf_counter()
    t.save(p)
    out.append((time.perf_counter() - t0, os.path.getsize(p)))
print(json.dumps(out))
"""


def save_costs(tmp, repeat):
    """{ext: (save seconds, bytes)}: the best of `repeat` fresh processes that each trace fib(25)
    and save it once per format, .vzt first (a program saves once: its first save is the one that
    counts, page faults of the save's buffers included)."""
    with open(os.path.join(tmp, "fibmod.py"), "w") as f:
        f.write("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n")
    code = SAVE_PROBE.format(path=[p for p in sys.path if p], tmp=tmp)
    out = {}
    for _ in range(repeat):
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for ext, (secs, size) in zip(("vzt", "json"), json.loads(run.stdout)):
            if ext not in out or secs < out[ext][0]:
                out[ext] = (secs, size)
    return out


def cli_run(args, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    opt = ap.parse_args()
    r = {}
    fib25 = lambda: fib(25)
    b = interleaved([("untraced", lambda: run_untraced(fib25)),
                     ("c_calls", lambda: run_traced(fib25)),
                     ("python_only", lambda: run_traced(fib25, ignore_c_function=True)),
                     ("floor", lambda: run_floor(fib25))], opt.repeat)
    base = b["untraced"]
    r["fib25_untraced_s"] = base
    for label in ("c_calls", "python_only"):
        r[f"fib25_{label}_ratio"] = b[label] / base
        r[f"fib25_{label}_ns_per_call"] = (b[label] - base) / FIB_CALLS * 1e9
    r["fib25_floor_ratio"] = b["floor"] / base
    b = interleaved([("untraced", lambda: run_untraced(mixed)),
                     ("c_calls", lambda: run_traced(mixed)),
                     ("python_only", lambda: run_traced(mixed, ignore_c_function=True)),
                     ("floor", lambda: run_floor(mixed))], max(2, opt.repeat // 2))
    base = b["untraced"]
    r["mixed_untraced_s"] = base
    r["mixed_ratio"] = b["c_calls"] / base
    r["mixed_python_only_ratio"] = b["python_only"] / base
    r["mixed_floor_ratio"] = b["floor"] / base
    r["memory_bytes_per_buffered_event"] = memory_per_event()
    with tempfile.TemporaryDirectory() as tmp:
        costs = save_costs(tmp, opt.repeat)
        r["save_vzt_us_per_event"] = costs["vzt"][0] / FIB_CALLS * 1e6
        r["save_json_us_per_event"] = costs["json"][0] / FIB_CALLS * 1e6
        r["vzt_bytes_per_call"] = costs["vzt"][1] / FIB_CALLS
        r["json_bytes_per_call"] = costs["json"][1] / FIB_CALLS
        script = os.path.join(tmp, "fib25.py")
        with open(script, "w") as f:
            f.write("def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(25)\n")
        plain = cli_run([sys.executable, script], opt.repeat)
        for ext in ("json", "vzt"):
            cli = cli_run([sys.executable, "-m", "viztracer", "--quiet", "-o",
                           os.path.join(tmp, f"cli.{ext}"), script], opt.repeat)
            r[f"cli_{ext}_ratio"] = cli / plain
        r["cli_plain_s"] = plain
    if opt.json:
        print(json.dumps(r, indent=1))
        return
    rows = [
        ("fib(25) untraced", f"{r['fib25_untraced_s'] * 1000:.1f} ms", ""),
        ("fib(25) traced, C calls recorded", f"{r['fib25_c_calls_ratio']:.2f}x  (+{r['fib25_c_calls_ns_per_call']:.0f} ns/call)", "<= 5.0x"),
        ("fib(25), profile hook doing nothing", f"{r['fib25_floor_ratio']:.2f}x", "(floor)"),
        ("fib(25) traced, ignore_c_function", f"{r['fib25_python_only_ratio']:.2f}x  (+{r['fib25_python_only_ns_per_call']:.0f} ns/call)", "<= 3.0x"),
        ("mixed workload, C calls recorded", f"{r['mixed_ratio']:.2f}x  (untraced {r['mixed_untraced_s']:.2f} s)", "<= 1.40x"),
        ("mixed, profile hook doing nothing", f"{r['mixed_floor_ratio']:.2f}x", "(floor)"),
        ("mixed workload, ignore_c_function", f"{r['mixed_python_only_ratio']:.2f}x", "<= 1.25x"),
        ("save() to .vzt", f"{r['save_vzt_us_per_event']:.3f} us/event", "<= 0.05"),
        ("save() to .json", f"{r['save_json_us_per_event']:.3f} us/event", "<= 0.3"),
        ("memory per buffered event", f"{r['memory_bytes_per_buffered_event']:.1f} B", "<= 32"),
        (".vzt size, fib(25)", f"{r['vzt_bytes_per_call']:.2f} B/call", "<= 2"),
        (".json size, fib(25)", f"{r['json_bytes_per_call']:.1f} B/call", ""),
        ("CLI end to end, fib(25), .json", f"{r['cli_json_ratio']:.2f}x plain python ({r['cli_plain_s'] * 1000:.0f} ms)", "<= 4x"),
        ("CLI end to end, fib(25), .vzt", f"{r['cli_vzt_ratio']:.2f}x plain python", "<= 4x"),
    ]
    for name, value, target in rows:
        print(f"{name:<38} {value:<44} {target}")


if __name__ == "__main__":
    main()
