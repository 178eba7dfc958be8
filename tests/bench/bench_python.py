"""Benchmarks of the viztracer package (run by scripts/bench.sh; anyone can rerun it):

    PYTHONPATH=build/python python3 tests/bench/bench_python.py [--repeat N] [--json]

Measures fib(25) traced / untraced (C calls recorded, and ignore_c_function=True), a mixed
json/sort/method-call workload (both ways too), save() cost per event to .vzt and .json, memory
per buffered event, .vzt bytes per call, and the `viztracer` command end to end against plain
python. Recording C calls takes CPython's profile hook; the "floor" rows are that hook doing
nothing (`_vztracer.profile_floor`), what no tracer on it can go below.

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


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def traced(fn, repeat, **kw):
    times = []
    for _ in range(repeat):
        t = VizTracer(verbose=0, register_global=False, **kw)
        t.start()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        t.stop()
        t.clear()
    return min(times)


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


def save_costs(tmp):
    """Traces fib(25) once; returns ({ext: (save seconds, bytes)}, memory per event)."""
    t = VizTracer(verbose=0, register_global=False, tracer_entries=1000000, file_info=False)
    t.start()
    fib(25)
    t.stop()
    out = {}
    for ext in ("vzt", "json"):
        p = os.path.join(tmp, f"fib.{ext}")
        t0 = time.perf_counter()
        t.save(p)
        out[ext] = (time.perf_counter() - t0, os.path.getsize(p))
    return out, memory_per_event()


def floor(fn, repeat):
    """Best time of fn under a profile hook that records nothing."""
    def run():
        _vztracer.profile_floor(True)
        try:
            fn()
        finally:
            _vztracer.profile_floor(False)
    return best(run, repeat)


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
    base = best(lambda: fib(25), opt.repeat)
    r["fib25_untraced_s"] = base
    for label, kw in (("c_calls", {}), ("python_only", {"ignore_c_function": True})):
        t = traced(lambda: fib(25), opt.repeat, **kw)
        r[f"fib25_{label}_ratio"] = t / base
        r[f"fib25_{label}_ns_per_call"] = (t - base) / FIB_CALLS * 1e9
    r["fib25_floor_ratio"] = floor(lambda: fib(25), opt.repeat) / base
    base = best(mixed, max(2, opt.repeat // 2))
    r["mixed_untraced_s"] = base
    r["mixed_ratio"] = traced(mixed, max(2, opt.repeat // 2)) / base
    r["mixed_python_only_ratio"] = traced(mixed, max(2, opt.repeat // 2), ignore_c_function=True) / base
    r["mixed_floor_ratio"] = floor(mixed, max(2, opt.repeat // 2)) / base
    with tempfile.TemporaryDirectory() as tmp:
        costs, rss = save_costs(tmp)
        r["save_vzt_us_per_event"] = costs["vzt"][0] / FIB_CALLS * 1e6
        r["save_json_us_per_event"] = costs["json"][0] / FIB_CALLS * 1e6
        r["vzt_bytes_per_call"] = costs["vzt"][1] / FIB_CALLS
        r["json_bytes_per_call"] = costs["json"][1] / FIB_CALLS
        r["memory_bytes_per_buffered_event"] = rss
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
