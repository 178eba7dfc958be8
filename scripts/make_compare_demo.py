#!/usr/bin/env python3
"""Writes assets/compare_a.json and assets/compare_b.json: one small program traced twice.

Run B is the same program after a change: `fib` got 60% slower (so `compute` and `main` grow),
`tokenize` 30% faster, `legacy_init` is gone and `cache_warmup` is new, and B's clock starts
elsewhere, so the Compare tab's alignment has something to do. A worker thread is unchanged in
both. Deterministic (fixed seeds), standard library only:

    scripts/make_compare_demo.py            # writes both files into assets/
    vizviewer assets/compare_a.json assets/compare_b.json
"""
import json
import random
import sys

SRC = "/home/user/project/app.py"
LINES = {"main": 1, "legacy_init": 9, "cache_warmup": 14, "load_config": 20, "parse": 31,
         "tokenize": 44, "compute": 58, "fib": 71, "render": 84, "save": 97, "worker": 110,
         "poll": 118}


def run(variant, seed, origin_ns):
    rng = random.Random(seed)
    events = []
    t = [0]

    def name(f):
        return f"{f} ({SRC}:{LINES[f]})"

    def call(tid, f, body):
        """A call of f: its body advances the clock, then f returns."""
        start = t[0]
        t[0] += 400
        body()
        t[0] += 400
        # Whole nanoseconds, written as µs with three decimals: children end inside their parent.
        events.append({"ph": "X", "pid": 1, "tid": tid, "ts": (origin_ns + start) / 1000,
                       "dur": (t[0] - start) / 1000, "name": name(f), "cat": "FEE"})

    def work(us):
        t[0] += int(us * 1000 * rng.uniform(0.95, 1.05))

    def fib(n):
        def body():
            if n < 2:
                work(20.0 * (1.6 if variant == "b" else 1.0))
            else:
                fib(n - 1)
                fib(n - 2)
        call(1, "fib", body)

    def tokenize():
        call(1, "tokenize", lambda: work(300 * (0.7 if variant == "b" else 1.0)))

    def parse():
        def body():
            for _ in range(6):
                tokenize()
                work(40)
        call(1, "parse", body)

    def main_body():
        if variant == "a":
            call(1, "legacy_init", lambda: work(900))
        else:
            call(1, "cache_warmup", lambda: work(500))
        call(1, "load_config", lambda: (parse(), work(200)))
        for _ in range(3):
            call(1, "compute", lambda: (fib(12), work(150)))
            call(1, "render", lambda: work(700))
        call(1, "save", lambda: work(1200))

    call(1, "main", main_body)
    end = t[0]
    # The worker thread polls at the same pace in both runs.
    t[0] = 100_000
    while t[0] < end - 1_500_000:
        call(2, "worker", lambda: (call(2, "poll", lambda: work(400)), work(300)))
        t[0] += 250_000
    meta = [
        {"ph": "M", "pid": 1, "tid": 1, "name": "process_name", "args": {"name": "MainProcess"}},
        {"ph": "M", "pid": 1, "tid": 1, "name": "thread_name", "args": {"name": "MainThread"}},
        {"ph": "M", "pid": 1, "tid": 2, "name": "thread_name", "args": {"name": "worker"}},
    ]
    return {"traceEvents": meta + sorted(events, key=lambda e: (e["tid"], e["ts"])),
            "displayTimeUnit": "ms"}


def main(out_dir):
    for variant, seed, origin in (("a", 11, 1_000_000_000), ("b", 11, 5_250_000_000)):
        with open(f"{out_dir}/compare_{variant}.json", "w") as f:
            json.dump(run(variant, seed, origin), f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets")
