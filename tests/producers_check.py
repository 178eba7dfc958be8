#!/usr/bin/env python3
"""Checks `vizviewer --stats` of a Chrome trace against counts made here, independently, from the
event definitions of the Trace Event Format (and of `--stats` in the README).

Usage: producers_check.py TRACE STATS_JSON [--allow KIND ...]

TRACE is the JSON trace (object or array form); STATS_JSON is what `vizviewer --stats TRACE`
printed. Exits 1 (printing what differs) when a count differs or the load reported a diagnostic
whose kind is not allowed.

What is counted, per (pid, tid) as strings: slices (X events with a numeric dur >= 0, B/E pairs
where each E closes the most recent open B of its thread in time order, and B events never
closed), how deep
they nest and the total of the top-level ones (slices by start, longer first, swept with a stack;
one that starts inside the top of the stack and ends after it does not nest and is left out, as
it goes to an overflow lane; a B never closed ends where the trace's last event does), unmatched B and E, and thread-scoped i/I instants. Also process- and
global-scoped instants, async slices (b and S begins), and samples per counter (pid, name, with
"[id]" after the name when the event has one). Threads with only flow events are listed too.
"""
import json
import sys
from collections import defaultdict


def key(v):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def count(events):
    # B/E pair in time order per thread (ties in file order), whatever order the file lists them in.
    order = sorted(range(len(events)), key=lambda k: (events[k].get("ts") if isinstance(events[k], dict) and
                                                      events[k].get("ph") in ("B", "E") and
                                                      isinstance(events[k].get("ts"), (int, float)) else 0, k))
    be = {k: rank for rank, k in enumerate(order)}
    slices = defaultdict(list)  # (pid, tid) -> [(start, end)]
    open_b = defaultdict(list)  # (pid, tid) -> [start]
    unmatched_e = defaultdict(int)
    instants = defaultdict(int)
    scoped = {"p": 0, "g": 0}
    named = {}
    listed = set()  # threads --stats lists besides those with slices or instants
    async_slices = 0
    counters = defaultdict(int)
    pending = []  # B and E events, to pair once sorted
    for k, e in enumerate(events):
        if not isinstance(e, dict):
            continue
        ph = e.get("ph")
        th = (key(e.get("pid")), key(e.get("tid")))
        ts = e.get("ts")
        if ph == "M":
            if e.get("name") == "thread_name":
                named[th] = (e.get("args") or {}).get("name", "")
                listed.add(th)
            elif e.get("name") == "thread_sort_index":
                listed.add(th)
            continue
        if not isinstance(ts, (int, float)):
            continue
        if ph == "X":
            dur = e.get("dur")
            if isinstance(dur, (int, float)) and dur >= 0:
                slices[th].append((ts, ts + dur))
        elif ph in ("B", "E"):
            pending.append((be[k], ph, th, ts))
        elif ph in ("s", "t", "f"):
            listed.add(th)
        elif ph in ("i", "I"):
            s = e.get("s", "t")
            if s in scoped:
                scoped[s] += 1
            else:
                instants[th] += 1
        elif ph in ("b", "S"):
            async_slices += 1
        elif ph == "C":
            name = e.get("name", "")
            if e.get("id") is not None:
                name += "[" + key(e["id"]) + "]"
            counters[(key(e.get("pid")), name)] += 1
    for _, ph, th, ts in sorted(pending, key=lambda p: p[0]):
        if ph == "B":
            open_b[th].append(ts)
        elif open_b[th]:
            slices[th].append((open_b[th].pop(), ts))
        else:
            unmatched_e[th] += 1
    # A B never closed lasts to the end of the trace: the last time any event has.
    end = 0
    for e in events:
        if isinstance(e, dict) and e.get("ph") != "M" and isinstance(e.get("ts"), (int, float)):
            dur = e.get("dur") if e.get("ph") == "X" and isinstance(e.get("dur"), (int, float)) else 0
            end = max(end, e["ts"] + max(dur, 0))
    for th, starts in open_b.items():
        for s in starts:
            slices[th].append((s, max(end, s)))
    threads = {}
    for th in set(slices) | set(instants) | set(unmatched_e) | listed:
        v = sorted(slices.get(th, []), key=lambda s: (s[0], -s[1]))
        stack, depth, top = [], 0, 0
        for s, t in v:
            while stack and s >= stack[-1][1]:
                stack.pop()
            if stack and t > stack[-1][1]:
                continue  # overlaps its would-be parent: an overflow lane
            stack.append((s, t))
            depth = max(depth, len(stack))
            if len(stack) == 1:
                top += t - s
        threads[th] = {
            "name": named.get(th, ""),
            "slices": len(v),
            "max_depth": depth,
            "top_level_total_us": top,
            "unmatched_B": len(open_b.get(th, [])),
            "unmatched_E": unmatched_e.get(th, 0),
            "instants": instants.get(th, 0),
        }
    return threads, scoped, async_slices, counters


def main():
    args = sys.argv[1:]
    allow = set()
    if "--allow" in args:
        allow = set(args[args.index("--allow") + 1:])
        args = args[:args.index("--allow")]
    trace_path, stats_path = args
    with open(trace_path, encoding="utf-8") as f:
        doc = json.load(f)
    events = doc.get("traceEvents", []) if isinstance(doc, dict) else doc
    with open(stats_path, encoding="utf-8") as f:
        stats = json.load(f)
    threads, scoped, async_slices, counters = count(events)
    problems = []
    got = {(t["pid"], t["tid"]): t for t in stats["threads"]}
    if set(got) != set(threads):
        problems.append(f"threads: got {sorted(got)}, want {sorted(threads)}")
    for th in sorted(set(got) & set(threads)):
        for k, want in threads[th].items():
            same = abs(got[th][k] - want) <= 1e-3 if k == "top_level_total_us" else got[th][k] == want
            if not same:
                problems.append(f"thread {th} {k}: got {got[th][k]!r}, want {want!r}")
    if stats["instants"]["process"] != scoped["p"] or stats["instants"]["global"] != scoped["g"]:
        problems.append(f"instants: got {stats['instants']}, want process {scoped['p']}, global {scoped['g']}")
    if stats["async_slices"] != async_slices:
        problems.append(f"async_slices: got {stats['async_slices']}, want {async_slices}")
    # A counter whose samples name different series over time may be listed as several of one
    # (pid, name): compare the samples per (pid, name), summed.
    got_c = defaultdict(int)
    for c in stats["counters"]:
        got_c[(c["pid"], c["name"])] += c["samples"]
    if dict(got_c) != dict(counters):
        problems.append(f"counters: got {dict(got_c)}, want {dict(counters)}")
    for d in stats.get("diagnostics", []):
        if d["kind"] not in allow:
            problems.append(f"diagnostic {d['kind']} at byte {d['first_offset']}: {d['message']}")
    slices = sum(t["slices"] for t in threads.values())
    for p in problems:
        print(f"{trace_path}: {p}", file=sys.stderr)
    print(f"{trace_path}: {len(events)} events, {len(threads)} threads, {slices} slices, "
          f"{async_slices} async slices, {sum(counters.values())} counter samples: "
          f"{'differs' if problems else 'as counted'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
