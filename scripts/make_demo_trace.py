#!/usr/bin/env python3
"""Writes assets/demo.json: a small viztracer-style trace that exercises every kind of track.

Two processes with named threads, nested Python-like calls (with file_info so the viewer can show
source), B/E spans, an unmatched B, instants of every scope, counters with several series, async
slices, flow arrows, object snapshots, and one overlapping X that lands in an overflow lane.
Deterministic (fixed seed), standard library only.
"""
import json
import random
import sys

rng = random.Random(7)
SRC = "/home/user/project/app.py"
FUNCS = [("main", 1), ("load_config", 12), ("parse", 25), ("tokenize", 40), ("compute", 58),
         ("fib", 71), ("render", 84), ("save", 97)]
events = []


def us(ns):
    return round(ns / 1000.0, 3)


def name_of(fn):
    return f"{fn[0]} ({SRC}:{fn[1]})"


def calls(pid, tid, start, end, depth):
    """Nested X events filling [start, end) like a profiler would record them."""
    t = start
    while t < end and depth < 7:
        dur = rng.randint(8_000, max(8_001, (end - t) // 2))
        if t + dur > end:
            break
        fn = FUNCS[rng.randrange(len(FUNCS))]
        if depth > 0 and rng.random() < 0.3:
            c = rng.choice(["builtins.len", "list.append", "dict.get", "time.sleep"])
            events.append({"pid": pid, "tid": tid, "ts": us(t), "dur": us(dur), "name": c, "ph": "X", "cat": "FEE"})
        else:
            calls(pid, tid, t + 300, t + dur - 300, depth + 1)
            ev = {"pid": pid, "tid": tid, "ts": us(t), "dur": us(dur), "name": name_of(fn), "ph": "X", "cat": "FEE"}
            if rng.random() < 0.1:
                ev["args"] = {"func_args": {"n": str(rng.randint(1, 30))}, "return_value": str(rng.randint(0, 999))}
            events.append(ev)
        t += dur + rng.randint(200, 5_000)


def main(out):
    base = 1_000_000_000
    span = 40_000_000  # 40 ms
    procs = {1001: ("MainProcess", [1001, 1002, 1003]), 2002: ("worker-1", [2002, 2003])}
    for pid, (pname, tids) in procs.items():
        events.append({"ph": "M", "pid": pid, "tid": pid, "name": "process_name", "args": {"name": pname}})
        for i, tid in enumerate(tids):
            tname = "MainThread" if tid == pid else f"Thread-{i}"
            events.append({"ph": "M", "pid": pid, "tid": tid, "name": "thread_name", "args": {"name": tname}})
            calls(pid, tid, base + i * 500_000, base + span - i * 700_000, 0)
    # B/E spans, one left open.
    events.append({"ph": "B", "pid": 1001, "tid": 1003, "ts": us(base + 30_500_000), "name": "io wait", "cat": "io"})
    events.append({"ph": "E", "pid": 1001, "tid": 1003, "ts": us(base + 33_000_000)})
    events.append({"ph": "B", "pid": 2002, "tid": 2003, "ts": us(base + 36_000_000), "name": "still running", "cat": "io"})
    # An X that overlaps its neighbour without nesting: shown in an overflow lane.
    events.append({"ph": "X", "pid": 1001, "tid": 1002, "ts": us(base + 1_000_100), "dur": us(30_000_000),
                   "name": "overlapping span", "cat": "misc"})
    # Instants of every scope.
    for k in range(12):
        t = base + k * 3_300_000
        scope = "tgp"[k % 3]
        events.append({"ph": "i", "pid": 1001, "tid": 1001, "ts": us(t), "name": f"checkpoint {k}", "s": scope,
                       "cat": "INSTANT", "args": {"step": k}})
    # Counters: memory with two series, and a queue length.
    for k in range(200):
        t = base + k * 200_000
        events.append({"ph": "C", "pid": 1001, "ts": us(t), "name": "memory",
                       "args": {"rss_mb": 120 + 30 * abs((k % 50) - 25) / 25, "heap_mb": 80 + k % 17}})
        events.append({"ph": "C", "pid": 2002, "ts": us(t), "name": "queue", "args": {"length": (k * 7) % 23}})
    # Async requests.
    for k in range(6):
        t = base + k * 5_000_000
        rid = f"0x{k + 1:x}"
        events.append({"ph": "b", "pid": 1001, "tid": 1001, "ts": us(t), "name": f"request {k}", "cat": "net", "id": rid})
        events.append({"ph": "e", "pid": 1001, "tid": 1001, "ts": us(t + 7_000_000), "name": f"request {k}", "cat": "net", "id": rid})
    # Flows from the main process to the worker.
    for k in range(4):
        t = base + 2_000_000 + k * 8_000_000
        events.append({"ph": "s", "pid": 1001, "tid": 1001, "ts": us(t), "name": "task", "cat": "flow", "id": k})
        events.append({"ph": "f", "pid": 2002, "tid": 2002, "ts": us(t + 1_500_000), "name": "task", "cat": "flow", "id": k, "bp": "e"})
    # Object snapshots.
    events.append({"ph": "N", "pid": 1001, "ts": us(base + 100_000), "name": "Cache", "id": "0xcafe"})
    events.append({"ph": "O", "pid": 1001, "ts": us(base + 20_000_000), "name": "Cache", "id": "0xcafe",
                   "args": {"snapshot": {"entries": 42}}})
    events.append({"ph": "D", "pid": 1001, "ts": us(base + 39_000_000), "name": "Cache", "id": "0xcafe"})
    source = "".join(f"def {f}():\n    pass\n" if i % 2 == 0 else f"# line {i}\n" for i, f in enumerate([f[0] for f in FUNCS] * 13))
    doc = {
        "traceEvents": events,
        "viztracer_metadata": {"version": "0.1.0", "overflow": False, "baseTimeNanoseconds": 1732500000000000000},
        "file_info": {"files": {SRC: [source, source.count("\n")]},
                      "functions": {name_of(f): [SRC, f[1]] for f in FUNCS}},
        "displayTimeUnit": "ms",
    }
    with open(out, "w") as f:
        json.dump(doc, f, separators=(",", ":"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "assets/demo.json")
