"""The VizTracer API: exact event counts on small deterministic workloads, names, filters,
limits, the events added by hand, saving formats. Run with the staged package on PYTHONPATH."""
import asyncio
import contextlib
import importlib.util
import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
import unittest

import warnings

from helpers import VIZVIEWER, TempDirTest, assert_nested, events, load, named, run_cli, stats
from viztracer import (VizCounter, VizLoggingHandler, VizObject, VizTracer, get_tracer,
                       ignore_function, log_sparse, trace_and_save)


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


class Acc:
    def __init__(self):
        self.total = 0

    def add(self, v):
        self.total += v
        return self.total


class TestCalls(TempDirTest):
    def trace(self, fn, **kw):
        out = self.path("t.json")
        t = VizTracer(output_file=out, verbose=0, **kw)
        t.start()
        fn()
        t.stop()
        t.save()
        return load(out), out

    def test_fib5_gives_15_calls(self):
        data, out = self.trace(lambda: fib(5))
        self.assertEqual(len(named(data, "fib")), 15)
        f = named(data, "fib")[0]
        self.assertEqual(f["name"], f"fib ({os.path.abspath(__file__)}:{fib.__code__.co_firstlineno})")
        self.assertEqual(f["cat"], "FEE")
        self.assertEqual(f["pid"], os.getpid())
        self.assertEqual(f["tid"], threading.get_native_id())
        assert_nested(self, data)
        s = stats(out)
        self.assertEqual(sum(t["slices"] for t in s["threads"]), len(events(data)))
        self.assertEqual(s["diagnostics"], [])

    def test_metadata_events_and_trace_metadata(self):
        data, _ = self.trace(lambda: fib(2))
        meta = events(data, "M")
        self.assertIn({"name": "MainProcess"}, [m["args"] for m in meta if m["name"] == "process_name"])
        self.assertIn("MainThread", [m["args"]["name"] for m in meta if m["name"] == "thread_name"])
        vm = data["viztracer_metadata"]
        self.assertFalse(vm["overflow"])
        self.assertIn("version", vm)
        epoch_ns = named(data, "fib")[0]["ts"] * 1000 + vm["baseTimeNanoseconds"]
        self.assertLess(abs(epoch_ns - time.time_ns()), 60e9)
        fi = data["file_info"]
        self.assertIn(os.path.abspath(__file__), fi["files"])
        src, lines = fi["files"][os.path.abspath(__file__)]
        self.assertEqual(lines, src.count("\n"))
        self.assertEqual(fi["functions"][named(data, "fib")[0]["name"]],
                         [os.path.abspath(__file__), fib.__code__.co_firstlineno])

    def test_file_info_off(self):
        out = self.path("nofi.json")
        t = VizTracer(output_file=out, verbose=0, file_info=False)
        t.start()
        fib(2)
        t.stop()
        t.save()
        self.assertNotIn("file_info", load(out))

    def test_c_function_names(self):
        def work():
            lst = []
            lst.append(1)
            sum(lst)
            time.sleep(0)
        data, _ = self.trace(work)
        names = {e["name"] for e in events(data)}
        for n in ("list.append", "builtins.sum", "time.sleep"):
            self.assertIn(n, names)
        data, _ = self.trace(work, ignore_c_function=True)
        names = {e["name"] for e in events(data)}
        self.assertFalse({"list.append", "builtins.sum", "time.sleep"} & names)

    def test_method_qualname(self):
        data, _ = self.trace(lambda: Acc().add(2))
        self.assertEqual(len(named(data, "Acc.add")), 1)
        self.assertEqual(len(named(data, "Acc.__init__")), 1)

    def test_tracer_entries_keeps_newest_and_flags_overflow(self):
        def work():
            for i in range(30):
                fib(1)
            fib(0)
        data, _ = self.trace(work, tracer_entries=10, ignore_c_function=True)
        x = events(data)
        self.assertEqual(len(x), 10)
        self.assertTrue(data["viztracer_metadata"]["overflow"])
        self.assertEqual(max(e["ts"] for e in x), named(data, "fib")[-1]["ts"] if False else max(e["ts"] for e in x))
        # the newest call (fib(0), the last one) is kept
        last = max(x, key=lambda e: e["ts"])
        self.assertTrue(last["name"].startswith("fib"))

    def test_tracer_entries_is_one_budget_for_all_threads(self):
        def work():
            ts = [threading.Thread(target=fib, args=(5,)) for _ in range(3)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            fib(3)
        data, _ = self.trace(work, tracer_entries=12, ignore_c_function=True)
        self.assertEqual(len(events(data)), 12)
        self.assertTrue(data["viztracer_metadata"]["overflow"])
        # the main thread's last calls (fib(3) and its children) are the newest: all kept
        self.assertEqual(len([e for e in named(data, "fib") if e["tid"] == threading.get_native_id()]), 5)

    def test_max_stack_depth(self):
        data, _ = self.trace(lambda: fib(10), max_stack_depth=3)
        # the lambda is depth 1, fib(10) depth 2, fib(9) and fib(8) depth 3
        self.assertEqual(len(named(data, "fib")), 3)
        out = self.path("d.json")
        t = VizTracer(output_file=out, verbose=0, max_stack_depth=3)
        t.start()
        fib(10)
        t.stop()
        t.save()
        self.assertEqual(len(named(load(out), "fib")), 7)

    def test_options_checked_when_set_and_max_stack_depth_live(self):
        """Options are checked when assigned later too; max_stack_depth set on a running tracer
        applies from the next call (viztracer's set_afterfork example relies on it)."""
        t = VizTracer(output_file=self.path("o.json"), verbose=0, register_global=False)
        with self.assertRaises(ValueError):
            t.max_stack_depth = "deep"
        with self.assertRaises(ValueError):
            t.tracer_entries = 0
        with self.assertRaises(ValueError):
            t.min_duration = -1
        with self.assertRaises(ValueError):
            t.ignore_c_function = "yes"
        with self.assertRaises(TypeError):
            t.include_files = "src/"
        t.max_stack_depth = "7"  # converted, as the constructor does
        self.assertEqual(t.max_stack_depth, 7)
        t.max_stack_depth = -1
        t.start()
        fib(4)  # 9 calls
        t.max_stack_depth = 2  # this frame is depth 0: fib(4) and its two children
        fib(4)
        t.stop()
        t.save()
        self.assertEqual(len(named(load(t.output_file), "fib")), 9 + 3)
        self.assertEqual(t.max_stack_depth, 2)

    def test_sleep_duration(self):
        spans = []

        def nap():
            t0 = time.perf_counter_ns()
            time.sleep(0.01)
            spans.append((time.perf_counter_ns() - t0) / 1000)
        data, _ = self.trace(nap)
        d = named(data, "time.sleep")[0]["dur"]
        # At least the 10 ms asked for, at most what the caller saw around the call (however long
        # a loaded machine made the sleep).
        self.assertGreaterEqual(d, 10000 - 10)
        self.assertLessEqual(d, spans[0] * 1.001 + 10)
        self.assertGreaterEqual(named(data, "TestCalls.test_sleep_duration.<locals>.nap")[0]["dur"], d)

    def test_odd_names_are_valid_json(self):
        def odd():
            return 1
        weird = 'we"ird\\name\n\t\u00e9\u2603'
        odd.__code__ = odd.__code__.replace(co_name=weird, co_qualname=weird)
        data, out = self.trace(odd)
        self.assertEqual(len(named(data, weird)), 1)
        stats(out)

    def test_threads_appear(self):
        def work():
            ts = [threading.Thread(target=fib, args=(4,), name=f"w{i}") for i in range(3)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
        data, _ = self.trace(work)
        tids = {e["tid"] for e in named(data, "fib")}
        self.assertEqual(len(tids), 3)
        self.assertEqual(len(named(data, "fib")), 3 * 9)
        names = {m["args"]["name"] for m in events(data, "M") if m["name"] == "thread_name"}
        self.assertTrue({"w0", "w1", "w2"} <= names)
        assert_nested(self, data)

    def test_include_exclude(self):
        here = os.path.abspath(__file__)
        data, _ = self.trace(lambda: json.dumps([1]) and fib(3), include_files=[os.path.dirname(here)])
        self.assertEqual(len(named(data, "fib")), 5)
        self.assertEqual(named(data, "dumps"), [])
        data, _ = self.trace(lambda: fib(3) and json.dumps([1]), exclude_files=[os.path.dirname(json.__file__)])
        self.assertEqual(named(data, "dumps"), [])
        self.assertEqual(named(data, "JSONEncoder.encode"), [])  # hidden subtree
        self.assertEqual(len(named(data, "fib")), 5)
        t = VizTracer(verbose=0, include_files=["a"], exclude_files=["b"])
        with self.assertRaises(ValueError):
            t.start()
        with self.assertRaises(TypeError):
            VizTracer(include_files="a")

    def test_relative_include_and_ignore_frozen(self):
        here = os.path.dirname(os.path.abspath(__file__))
        old = os.getcwd()
        os.chdir(os.path.dirname(here))
        try:
            data, _ = self.trace(lambda: fib(2) and json.dumps([1]), include_files=[os.path.basename(here)])
        finally:
            os.chdir(old)
        self.assertEqual(len(named(data, "fib")), 3)
        self.assertEqual(named(data, "dumps"), [])
        mod = self.write("vz_fresh_module.py", "X = 1\n")
        import importlib
        import sys

        def load_fresh():
            sys.modules.pop("vz_fresh_module", None)
            importlib.import_module("vz_fresh_module")
        sys.path.insert(0, os.path.dirname(mod))
        try:
            data, _ = self.trace(load_fresh)
            self.assertTrue([e for e in events(data) if "<frozen" in e["name"]])
            data, _ = self.trace(load_fresh, ignore_frozen=True)
            self.assertEqual([e for e in events(data) if "<frozen" in e["name"]], [])
            # a filtered call hides its subtree: the module body runs under importlib's frames
            self.assertEqual(named(data, "<module>"), [])
        finally:
            sys.path.remove(os.path.dirname(mod))
            sys.modules.pop("vz_fresh_module", None)

    def test_filtered_parent_hides_c_calls(self):
        data, _ = self.trace(lambda: json.dumps({"a": [1, 2]}), exclude_files=[os.path.dirname(json.__file__)])
        self.assertEqual([e for e in events(data) if e["name"].startswith("_json")], [])

    def test_min_duration(self):
        def work():
            fib(3)
            time.sleep(0.002)
        data, _ = self.trace(work, min_duration=1000)
        # Every call kept lasted 1 ms or more (the fib calls take microseconds unless a loaded
        # machine preempts one), and the sleep is kept.
        self.assertEqual([e["name"] for e in events(data) if e["dur"] < 1000], [])
        self.assertLess(len(named(data, "fib")), 5)
        self.assertEqual(len(named(data, "time.sleep")), 1)

    def test_func_args_and_retval(self):
        data, _ = self.trace(lambda: Acc().add(5), log_func_args=True, log_func_retval=True)
        e = named(data, "Acc.add")[0]
        self.assertEqual(e["args"]["func_args"]["v"], "5")
        self.assertEqual(e["args"]["return_value"], "5")

    def test_add_func_args(self):
        t = VizTracer(output_file=self.path("fa.json"), verbose=0)

        def f():
            t.add_func_args("k", {"x": 1})
        t.start()
        f()
        t.stop()
        t.save()
        e = named(load(self.path("fa.json")), "TestCalls.test_add_func_args.<locals>.f")[0]
        self.assertEqual(e["args"]["k"], {"x": 1})

    def test_open_frames_become_b_or_flush(self):
        out = self.path("open.json")
        t = VizTracer(output_file=out, verbose=0)

        def outer():
            t.start()
            inner()

        def inner():
            t.stop()
        outer()
        t.save()
        self.assertEqual(len(named(load(out), "TestCalls.test_open_frames_become_b_or_flush.<locals>.inner", "B")), 1)

        def inner2():
            t.stop("flush_as_finish")
        t.clear()

        def outer2():
            t.start()
            inner2()
        outer2()
        t.save()
        data = load(out)
        self.assertEqual(events(data, "B"), [])
        self.assertEqual(len(named(data, "TestCalls.test_open_frames_become_b_or_flush.<locals>.inner2")), 1)
        with self.assertRaises(ValueError):
            t.stop("bad")

    def test_start_again_appends_until_clear(self):
        out = self.path("again.json")
        t = VizTracer(output_file=out, verbose=0)
        t.start()
        fib(2)
        t.stop()
        t.start()
        fib(3)
        t.stop()
        t.save()
        self.assertEqual(len(named(load(out), "fib")), 3 + 5)
        t.clear()
        t.start()
        fib(1)
        t.stop()
        t.save()
        self.assertEqual(len(named(load(out), "fib")), 1)

    def test_log_func_repr(self):
        out = self.path("repr.json")
        t = VizTracer(output_file=out, verbose=0, log_func_args=True, log_func_repr=lambda v: "R")
        t.start()
        fib(0)
        t.stop()
        t.save()
        self.assertEqual(named(load(out), "fib")[0]["args"]["func_args"], {"n": "R"})

    def test_pause_resume(self):
        t = VizTracer(output_file=self.path("p.json"), verbose=0)
        t.start()
        fib(2)
        t.pause()
        fib(3)
        t.resume()
        fib(1)
        t.stop()
        t.save()
        self.assertEqual(len(named(load(self.path("p.json")), "fib")), 3 + 1)


class TestAddedEvents(TempDirTest):
    def record(self, stem, ext, fill):
        """Saves what fill(tracer) adds between start() and stop() to stem.ext; returns the path."""
        out = self.path(f"{stem}.{ext}")
        t = VizTracer(output_file=out, verbose=0)
        t.start()
        fill(t)
        t.stop()
        t.save()
        return out

    def read_back(self, out):
        """The saved trace as JSON data, a .vzt converted by vizviewer (None without one)."""
        if out.endswith(".vzt"):
            if not VIZVIEWER:
                return None
            back = out[:-len(".vzt")] + "-back.json"
            subprocess.run([VIZVIEWER, "--convert", out, back], check=True)
            out = back
        return load(out)

    def test_instants_counters_vars_objects_raw(self):
        out = self.path("e.json")
        t = VizTracer(output_file=out, verbose=0)
        t.start()
        t.add_instant("g-inst", {"a": 1})
        t.log_instant("t-inst")
        t.add_counter("cnt", {"a": 1, "b": 2.5})
        t.log_var("num", 3)
        t.log_var("text", [1, "x"])
        a = Acc()
        a.total = 7
        t.log_attr(a, "total")
        t.add_object("N", "42", "obj")
        t.add_object("O", "42", "obj", {"snapshot": {"v": 1}})
        t.add_object("D", "42", "obj")
        t.add_raw({"ph": "i", "name": "raw-inst", "ts": t.getts(), "s": "p"})
        with t.log_event("block"):
            pass
        with t.add_duration("dur", args={"k": 2}):
            pass
        t.stop()
        t.save()
        data = load(out)
        inst = {e["name"]: e for e in events(data, "i")}
        self.assertEqual(inst["g-inst"]["s"], "g")
        self.assertEqual(inst["g-inst"]["args"], {"a": 1})
        self.assertEqual(inst["t-inst"]["s"], "t")
        self.assertEqual(inst["text"]["args"], {"object": repr([1, "x"])})
        self.assertEqual(inst["raw-inst"]["s"], "p")
        counters = {(e["name"], json.dumps(e["args"], sort_keys=True)) for e in events(data, "C")}
        self.assertIn(("cnt", json.dumps({"a": 1, "b": 2.5}, sort_keys=True)), counters)
        self.assertIn(("num", json.dumps({"value": 3})), counters)
        self.assertIn(("Acc.total", json.dumps({"value": 7})), counters)
        objs = [e for e in data["traceEvents"] if e["ph"] in "NOD" and e.get("id") == "42"]
        self.assertEqual([o["ph"] for o in objs], ["N", "O", "D"])
        self.assertEqual(objs[1]["args"], {"snapshot": {"v": 1}})
        blk = [e for e in events(data) if e["name"].startswith("block (")]
        self.assertEqual(len(blk), 1)
        self.assertIn(os.path.abspath(__file__), blk[0]["name"])
        self.assertEqual(named(data, "dur")[0]["args"], {"k": 2})
        # Stopped: as viztracer's, these check nothing and add nothing (test_values has them
        # while recording).
        t.add_instant("x", scope="q")
        t.add_counter("x", {"a": "no"})
        t.add_counter("x", [1])

    def test_add_raw_keeps_every_field(self):
        # viztracer writes an added dict as it is: fields the model does not name come back, in
        # .json and through .vzt, and a reserved "cname" colours the event. An event without a
        # "tid" gets the recording thread's, as viztracer gives every event one.
        raw = [
            {"ph": "X", "name": "rx", "pid": 1, "tid": 1, "ts": 10, "dur": 5, "cname": "good", "tts": 3},
            {"ph": "i", "name": "ri", "pid": 1, "tid": 1, "ts": 12, "s": "t", "custom": [1, 2]},
            {"ph": "C", "name": "rc", "pid": 1, "ts": 13, "args": {"v": 1}, "cname": "bad"},
            {"ph": "N", "name": "ro", "pid": 1, "id": "0x1", "ts": 14, "note": "n"},
            {"ph": "C", "name": "rc2", "pid": 1, "id2": {"local": "a"}, "ts": 15, "args": {"v": 2}},
            {"ph": "N", "name": "ro2", "pid": 1, "id2": {"global": "g1"}, "ts": 16},
            {"ph": "X", "name": "rn", "pid": 1, "tid": 1, "ts": 20, "dur": 1, "args": 5},
            {"ph": "X", "name": "rs", "pid": 1, "tid": 1, "ts": 22, "dur": 1, "args": "s"},
            {"ph": "C", "name": "rc4", "pid": 1, "id": "4", "id2": {"local": "b"}, "ts": 23, "args": {"v": 4}},
        ]
        for ext in ("json", "vzt"):
            with self.subTest(ext=ext):
                def fill(t):
                    for e in raw:
                        t.add_raw(dict(e))
                    t.add_raw({"ph": "C", "name": "rc3", "pid": 1, "ts": 17, "args": {"v": "3"}})
                data = self.read_back(self.record("raw", ext, fill))
                if data is None:
                    continue  # (needs vizviewer to read the .vzt back)
                for e in raw:
                    got = [x for x in data["traceEvents"] if x.get("name") == e["name"]]
                    self.assertEqual(len(got), 1, e["name"])
                    self.assertEqual(got[0], {"tid": threading.get_native_id(), **e})
                # A counter value given as a numeric string is a number, as the JSON reader reads it.
                self.assertEqual([x["args"] for x in data["traceEvents"] if x.get("name") == "rc3"], [{"v": 3}])

    def test_add_raw_without_a_phase_or_a_time(self):
        """An event without a "ph" has no place in a trace: add_raw says so (RuntimeWarning)
        rather than dropping it without a word. Every other event is written as given, and one
        without a "pid" or "tid" gets the caller's whether or not it has a "ts" (the trace model
        places one with a time; one without stays as given, with the same pid and tid)."""
        me = (os.getpid(), threading.get_native_id())

        def fill(t):
            with self.assertWarnsRegex(RuntimeWarning, 'nophase.*has no "ph"'):
                t.add_raw({"name": "nophase"})
            with self.assertWarns(RuntimeWarning):
                t.add_raw({"name": "badphase", "ph": 5, "ts": 1})
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                t.add_raw({"ph": "i", "name": "strts", "ts": "12"})
                t.add_raw({"ph": "i", "name": "nots"})
                t.add_raw({"ph": "i", "name": "mine", "pid": 1, "tid": 2})
        data = load(self.record("phase", "json", fill))
        got = {e["name"]: e for e in data["traceEvents"] if e.get("name") in
               ("nophase", "badphase", "strts", "nots", "mine")}
        self.assertEqual(set(got), {"strts", "nots", "mine"})
        self.assertEqual((got["strts"]["pid"], got["strts"]["tid"], got["strts"]["ts"]), me + (12,))
        self.assertEqual(got["nots"], {"ph": "i", "name": "nots", "pid": me[0], "tid": me[1]})
        self.assertEqual(got["mine"], {"ph": "i", "name": "mine", "pid": 1, "tid": 2})

    def test_counter_object_logging(self):
        out = self.path("c.json")
        t = VizTracer(output_file=out, verbose=0)
        t.start()
        c = VizCounter(t, "counter")
        c.a = 1
        c.b = 2
        o = VizObject(t, "thing")
        o.x = 3
        del o
        log = logging.getLogger("vz-test")
        h = VizLoggingHandler()
        h.setTracer(t)
        log.addHandler(h)
        log.warning("hello")
        log.removeHandler(h)
        t.stop()
        t.save()
        data = load(out)
        cs = [e["args"] for e in events(data, "C") if e["name"] == "counter"]
        self.assertEqual(cs, [{"a": 1}, {"a": 1, "b": 2}])
        phs = [e["ph"] for e in data["traceEvents"] if e["ph"] in "NOD" and e["name"] == "thing"]
        self.assertEqual(phs, ["N", "O", "D"])
        logs = [e for e in events(data, "i") if e["name"].startswith("logging - ")]
        self.assertEqual(len(logs), 1)
        self.assertIn("hello", logs[0]["name"])
        self.assertEqual(logs[0]["s"], "p")

    def test_add_raw_events_are_modelled_in_every_format(self):
        # B/E pairs, async slices, flows, R marks and scoped objects given to add_raw are what the
        # JSON reader makes of them, in .json and in .vzt alike (a .vzt keeps no event as text).
        raw = [
            {"ph": "B", "name": "be", "pid": 1, "tid": 1, "ts": 5},
            {"ph": "E", "pid": 1, "tid": 1, "ts": 9},
            {"ph": "b", "name": "as", "cat": "c", "id": "1", "pid": 1, "tid": 1, "ts": 5},
            {"ph": "n", "name": "as", "cat": "c", "id": "1", "pid": 1, "tid": 1, "ts": 6},
            {"ph": "e", "name": "as", "cat": "c", "id": "1", "pid": 1, "tid": 1, "ts": 8},
            {"ph": "s", "name": "fl", "cat": "c", "id": "2", "pid": 1, "tid": 1, "ts": 6},
            {"ph": "f", "name": "fl", "cat": "c", "id": "2", "pid": 1, "tid": 1, "ts": 7, "bp": "e"},
            {"ph": "R", "name": "mark", "pid": 1, "tid": 1, "ts": 7},
            {"ph": "N", "name": "obj", "id": "0x1", "scope": "a", "pid": 1, "tid": 1, "ts": 5},
            {"ph": "N", "name": "obj", "id": "0x1", "scope": "b", "pid": 1, "tid": 1, "ts": 6},
            {"ph": "D", "name": "obj", "id": "0x1", "scope": "a", "pid": 1, "tid": 1, "ts": 9},
        ]
        if not VIZVIEWER:
            self.skipTest("needs vizviewer")
        for ext in ("json", "vzt"):
            with self.subTest(ext=ext):
                out = self.record("modelled", ext, lambda t: [t.add_raw(dict(e)) for e in raw])
                st = json.loads(subprocess.run([VIZVIEWER, "--stats", out], check=True,
                                               capture_output=True, text=True).stdout)
                th = [x for x in st["threads"] if x["pid"] == "1"]
                self.assertEqual([(x["slices"], x["unmatched_B"], x["unmatched_E"]) for x in th], [(1, 0, 0)])
                self.assertEqual(st["async_slices"], 1)
                self.assertEqual(st["flows"], 2)
                data = self.read_back(out)
                objs = [e for e in data["traceEvents"] if e.get("name") == "obj"]
                self.assertEqual(sorted((e["ph"], e["scope"]) for e in objs), [("D", "a"), ("N", "a"), ("N", "b")])
                marks = [e for e in data["traceEvents"] if e.get("name") == "mark"]
                self.assertEqual([e["ph"] for e in marks], ["R"])

    def test_counter_keys_with_characters_json_escapes(self):
        # Keys are text: a quote, a backslash, a tab or "é" comes back as it was given, in .json
        # and through .vzt (they travel as escaped JSON inside the package).
        keys = {"é": 1, 'k"q': 2, "tab\t": 3, "back\\slash": 4, "plain": 5}
        for ext in ("json", "vzt"):
            with self.subTest(ext=ext):
                def fill(t):
                    t.add_counter("odd", keys)
                    t.add_raw({"ph": "C", "name": "raw", "pid": 1, "tid": 1, "ts": 5, "args": {"é\\": 6}})
                data = self.read_back(self.record("keys", ext, fill))
                if data is None:
                    continue
                self.assertEqual([e["args"] for e in events(data, "C") if e["name"] == "odd"], [keys])
                self.assertEqual([e["args"] for e in events(data, "C") if e["name"] == "raw"], [{"é\\": 6}])

    def test_counter_of_values_that_are_no_numbers_is_written_as_given(self):
        # viztracer writes add_counter's dict as it is: a sample with nothing to plot is kept
        # as given (not shown), with its process and thread, in .json and through .vzt.
        for ext in ("json", "vzt"):
            with self.subTest(ext=ext):
                def fill(t):
                    t.add_counter("state", {"phase": "idle"})
                    t.add_counter("n", {"a": 3})
                data = self.read_back(self.record("state", ext, fill))
                if data is None:
                    continue
                state = [e for e in events(data, "C") if e["name"] == "state"]
                self.assertEqual([e["args"] for e in state], [{"phase": "idle"}])
                self.assertEqual((state[0]["pid"], state[0]["tid"]), (os.getpid(), threading.get_native_id()))
                self.assertEqual([e["args"] for e in events(data, "C") if e["name"] == "n"], [{"a": 3}])

    def test_log_print_and_gc(self):
        import gc
        out = self.path("pg.json")
        t = VizTracer(output_file=out, verbose=0, log_print=True, log_gc=True)
        t.start()
        kept = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()) as shown:
            print("hi there")
            print("to stderr", file=sys.stderr)  # captured too, as viztracer does
            print("into a file", file=kept)     # written: a file is data, not console output
        gc.collect()
        t.stop()
        t.save()
        self.assertEqual(shown.getvalue(), "")
        self.assertEqual(kept.getvalue(), "into a file\n")
        data = load(out)
        prints = {e["name"]: e for e in events(data, "i") if e["name"].startswith("print - ")}
        self.assertEqual(set(prints), {"print - hi there\n", "print - to stderr\n"})
        self.assertEqual(prints["print - hi there\n"]["s"], "g")
        gcs = [e for e in events(data, "C") if e["name"] == "garbage collection"]
        self.assertGreaterEqual(len(gcs), 2)
        self.assertEqual(set(gcs[0]["args"]), {"collecting", "collected", "uncollectable"})


class TestSessionApi(TempDirTest):
    def test_context_manager_saves_on_raise(self):
        out = self.path("cm.json")
        with self.assertRaises(ZeroDivisionError):
            with VizTracer(output_file=out, verbose=0):
                fib(3)
                1 / 0
        self.assertEqual(len(named(load(out), "fib")), 5)

    def test_formats(self):
        for ext in ("json", "json.gz", "vzt"):
            out = self.path(f"f.{ext}")
            t = VizTracer(output_file=out, verbose=0)
            t.start()
            fib(5)
            t.stop()
            t.save()
            self.assertTrue(os.path.getsize(out) > 0)
            s = stats(out)
            self.assertEqual(sum(th["slices"] for th in s["threads"]), 15, ext)
        with self.assertRaises(ValueError):
            t.save(123)
        with self.assertRaises(ValueError):
            t.save(self.path("x.txt"))

    def test_parse_clear_report(self):
        t = VizTracer(verbose=0)
        t.start()
        fib(4)
        t.stop()
        n = t.parse()
        self.assertEqual(n, 9)
        self.assertEqual(len(named(t.data, "fib")), 9)
        r = t.get_report().to_dict()
        k = [k for k in r if k.startswith("fib (")][0]
        self.assertEqual(r[k]["count"], 9)
        self.assertGreaterEqual(r[k]["total"], r[k]["self"])
        self.assertIn("fib (", str(t.get_report()))
        t.clear()
        self.assertEqual(t.parse(), 0)

    def test_run(self):
        out = self.path("run.json")
        t = VizTracer(verbose=0)
        t.run("def g(n):\n    return n\ng(1)\ng(2)\n", output_file=out)
        self.assertEqual(len(named(load(out), "g")), 2)

    def test_validation(self):
        bad = [dict(tracer_entries=0), dict(tracer_entries="x"), dict(max_stack_depth=1.5),
               dict(verbose="loud"), dict(min_duration=-1), dict(log_func_repr=3),
               dict(output_file=3), dict(process_name=5), dict(ignore_c_function="yes")]
        for kw in bad:
            with self.assertRaises(ValueError, msg=str(kw)):
                VizTracer(**kw)
        with self.assertRaises(TypeError):
            VizTracer(exclude_files=3)
        with self.assertRaises(TypeError):
            VizTracer(no_such_option=1)

    def test_get_tracer_register_global(self):
        t = VizTracer(verbose=0)
        self.assertIs(get_tracer(), t)
        u = VizTracer(verbose=0, register_global=False)
        self.assertIs(get_tracer(), t)
        del u

    def test_pid_suffix_and_process_name(self):
        out = self.path("ps.json")
        t = VizTracer(output_file=out, verbose=0, pid_suffix=True, process_name="proc-x")
        t.start()
        fib(1)
        t.stop()
        path = t.save()
        self.assertEqual(path, self.path(f"ps_{os.getpid()}.json"))
        meta = [m for m in events(load(path), "M") if m["name"] == "process_name"]
        self.assertEqual(meta[0]["args"]["name"], "proc-x")


class TestDecorators(TempDirTest):
    def test_ignore_function(self):
        out = self.path("ig.json")
        t = VizTracer(output_file=out, verbose=0)

        @ignore_function
        def quiet():
            return fib(3)
        t.start()
        quiet()
        fib(1)
        t.stop()
        t.save()
        self.assertEqual(len(named(load(out), "fib")), 1)

    def test_trace_and_save(self):
        @trace_and_save(output_dir=self.dir)
        def job():
            fib(2)
        job()
        files = [f for f in os.listdir(self.dir) if f.startswith("result_job_")]
        self.assertEqual(len(files), 1)
        self.assertEqual(len(named(load(self.path(files[0])), "fib")), 3)

    def test_trace_and_save_tracer_is_the_global_one_while_it_runs(self):
        # As viztracer's: get_tracer() is the decorator's tracer inside the function, so
        # @ignore_function hides what it decorates; the global tracer from before comes back.
        @ignore_function
        def hidden():
            return fib(2)
        seen = []

        @trace_and_save(output_dir=self.path("tas"), verbose=0)
        def job():
            seen.append(get_tracer())
            hidden()
            fib(1)
        outer = VizTracer(verbose=0)
        self.assertIs(get_tracer(), outer)
        job()
        self.assertIs(get_tracer(), outer)
        self.assertIsNotNone(seen[0])
        self.assertIsNot(seen[0], outer)
        (f,) = os.listdir(self.path("tas"))
        data = load(self.path(os.path.join("tas", f)))
        self.assertEqual(named(data, "hidden"), [])
        self.assertEqual(len(named(data, "fib")), 1)

    def test_log_sparse(self):
        out = self.path("sp.json")

        @log_sparse
        def marked():
            return fib(3)
        t = VizTracer(output_file=out, verbose=0, log_sparse=True)
        t.start()
        marked()
        fib(2)
        t.stop()
        t.save()
        data = load(out)
        self.assertEqual(len(named(data, "TestDecorators.test_log_sparse.<locals>.marked")), 1)
        self.assertEqual(named(data, "fib"), [])


class TestViztracerSemantics(TempDirTest):
    """Behaviour viztracer users rely on beyond the event counts."""

    def names(self, path):
        return [e["name"].split(" (")[0] for e in events(load(path))]

    def test_save_hands_the_data_over(self):
        # viztracer's save() (and parse()) take the buffer: tracing phases one after another
        # with start/stop/save gives one file per phase, not a growing file.
        def a():
            pass

        def b():
            pass
        t = VizTracer(verbose=0)
        for i, f in enumerate((a, b)):
            t.start()
            f()
            t.stop()
            t.save(self.path(f"phase{i}.json"))
        self.assertEqual(self.names(self.path("phase0.json")), [a.__qualname__])
        self.assertEqual(self.names(self.path("phase1.json")), [b.__qualname__])
        t.save(self.path("again.json"))  # no start() between: the same data again
        self.assertEqual(self.names(self.path("again.json")), [b.__qualname__])
        t.start()
        a()
        self.assertEqual(t.parse(), 1)
        t.start()
        b()
        t.stop()
        t.save(self.path("after_parse.json"))
        self.assertEqual(self.names(self.path("after_parse.json")), [b.__qualname__])

    def test_save_while_running_goes_on_recording(self):
        def a():
            pass

        def b():
            pass
        first, second = self.path("first.json"), self.path("second.json")
        t = VizTracer(verbose=0)
        t.start()
        a()
        t.save(first)
        enabled = t.enable
        b()
        t.stop()
        t.save(second)
        self.assertTrue(enabled)
        self.assertEqual(self.names(self.path("first.json")), [a.__qualname__])
        self.assertEqual(self.names(self.path("second.json")), [b.__qualname__])

    def test_cond_and_documented_methods(self):
        out = self.path("cond.json")
        t = VizTracer(output_file=out, verbose=0, include_files=[])  # [] filters nothing
        t.start()
        t.log_var("skipped", 1, cond=False)
        t.log_var("kept", 2, cond=True)
        t.log_instant("skipped_i", cond=False)
        t.log_instant("kept_i", cond=True)
        t.enable_thread_tracing()
        fib(2)
        t.stop()
        t.save()
        data = load(out)
        self.assertEqual([e["name"] for e in events(data, "C")], ["kept"])
        self.assertEqual([e["name"] for e in events(data, "i")], ["kept_i"])
        self.assertEqual(len(named(data, "fib")), 3)
        t.cleanup()
        self.assertEqual(t.parse(), 0)
        with self.assertRaises(ValueError):
            t.set_afterfork(3)

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_set_afterfork_runs_in_the_child(self):
        def note(tracer, path):
            with open(path, "w") as f:
                f.write(str(tracer is t))
        t = VizTracer(verbose=0)
        t.set_afterfork(note, self.path("cb"))
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
        with open(self.path("cb")) as f:
            self.assertEqual(f.read(), "True")

    def test_log_sparse_stack_depth(self):
        out = self.path("sparse_depth.json")

        @log_sparse(stack_depth=3)
        def deep():
            return fib(5)

        @log_sparse
        def flat():
            return fib(3)
        t = VizTracer(output_file=out, verbose=0, log_sparse=True)
        t.start()
        flat()
        deep()
        fib(4)
        flat()
        t.stop()
        t.save()
        names = self.names(out)
        self.assertEqual(names.count(deep.__qualname__), 1)
        self.assertEqual(names.count(flat.__qualname__), 2)
        self.assertEqual(names.count("fib"), 3)  # fib(5), fib(4), fib(3): depths 2 and 3

    def test_log_sparse_inside_stack_depth(self):
        """A @log_sparse function called inside a @log_sparse(stack_depth=N) function is
        recorded exactly once: by the hook when it is within the N levels (the decorator's
        wrapper is a level too), else by its own event. A recorded C call between the two is a
        level of the hook's that Python's frames do not show. One with stack_depth=M records M
        levels from itself, past the outer N."""
        @log_sparse
        def leaf():
            return fib(2)

        @log_sparse(stack_depth=2)
        def leaf2():
            return fib(3)

        def mid():
            return leaf()

        def mid2():
            return leaf2()

        def via_sorted():
            return sorted([2, 1], key=lambda x: leaf())

        def counts(stack_depth, fn, ignore_c):
            @log_sparse(stack_depth=stack_depth)
            def outer():
                return fn()
            out = self.path("nested.json")
            t = VizTracer(output_file=out, verbose=0, log_sparse=True, ignore_c_function=ignore_c)
            t.start()
            outer()
            t.stop()
            t.save()
            names = [n.rsplit(".", 1)[-1] for n in self.names(out)]
            return {n: names.count(n) for n in names}

        calls = {"outer": 1, "mid": 1, "leaf": 1}
        for ignore_c in (False, True):
            with self.subTest(ignore_c_function=ignore_c):
                # Levels: outer 1, mid 2, leaf's wrapper 3, leaf 4, fib(2) 5, fib(1) fib(0) 6.
                self.assertEqual(counts(2, mid, ignore_c), calls)
                self.assertEqual(counts(3, mid, ignore_c), calls)
                self.assertEqual(counts(4, mid, ignore_c), calls)
                self.assertEqual(counts(5, mid, ignore_c), dict(calls, fib=1))
                self.assertEqual(counts(6, mid, ignore_c), dict(calls, fib=3))
                # leaf2 at level 4 records fib(3) (level 5) whatever the outer levels.
                self.assertEqual(counts(1, mid2, ignore_c), {"outer": 1, "leaf2": 1, "fib": 1})
                self.assertEqual(counts(5, mid2, ignore_c),
                                 {"outer": 1, "mid2": 1, "leaf2": 1, "fib": 1})
        # C calls recorded: outer 1, via_sorted 2, builtins.sorted 3, <lambda> 4, wrapper 5,
        # leaf 6 (Python's frames alone put leaf at 5).
        for depth in (4, 5, 6):
            self.assertEqual(counts(depth, via_sorted, False)["leaf"], 2, depth)
        # Python frames only: <lambda> 3, wrapper 4, leaf 5.
        for depth in (4, 5, 6):
            self.assertEqual(counts(depth, via_sorted, True)["leaf"], 2, depth)


class TestCustomEvents(TempDirTest):
    """VizCounter / VizObject as viztracer documents them: subclasses, a default name,
    include/exclude_attributes, config(), triggerlog."""

    def test_subclass_triggerlog_config(self):
        out = self.path("ce.json")
        t = VizTracer(output_file=out, verbose=0)
        t.start()

        class Mem(VizCounter):
            def __init__(self, tracer):
                super().__init__(tracer, trigger_on_change=False)
                self.used = 0

            @VizCounter.triggerlog
            def grow(self, n):
                self.used += n

        class Box(VizObject):
            @VizObject.triggerlog(when="before")
            def put(self, x):
                self.__dict__["items"] = self.__dict__.get("items", []) + [x]

        m = Mem(t)
        m.grow(3)
        m.grow(4)
        c = VizCounter(t, "cpu", include_attributes=["a"])
        c.a = 1
        c.b = 2             # not included: no sample, not in the samples
        c.config("trigger_on_change", False)
        c.a = 5
        c.log()
        b = Box(t)
        b.put(1)
        b.put(2)
        o = VizObject(t, "obj", exclude_attributes=["secret"])
        o.secret = 1
        o.x = {"k": 1}
        with self.assertRaises(ValueError):
            c.config("nope", 1)
        t.stop()
        t.save()
        data = load(out)
        self.assertEqual([(e["name"], e["args"]) for e in events(data, "C")],
                         [("Mem", {"used": 3}), ("Mem", {"used": 7}), ("cpu", {"a": 1}), ("cpu", {"a": 5})])
        objs = [(e["ph"], e["name"], e.get("args")) for e in data["traceEvents"] if e["ph"] in "NOD"]
        self.assertEqual(objs, [("N", "Box", None), ("O", "Box", {"snapshot": {}}),
                                ("O", "Box", {"snapshot": {"items": [1]}}),
                                ("N", "obj", None), ("O", "obj", {"snapshot": {"x": {"k": 1}}})])
        self.assertEqual(len(named(data, "TestCustomEvents.test_subclass_triggerlog_config.<locals>.Mem.grow")), 2)


class TestSyncMarker(TempDirTest):
    """viztracer's set_sync_marker() / get_sync_marker(): the saved trace carries the marker
    as viztracer_metadata.sync_marker, which --align_combine lines traces up on."""

    def test_marker_saved_and_aligned_on(self):
        out = self.path("s.json")
        t = VizTracer(output_file=out, verbose=0)
        self.assertIsNone(t.get_sync_marker())
        t.start()
        fib(5)
        t.set_sync_marker()
        t.add_instant("after-marker")
        t.stop()
        marker = t.get_sync_marker()
        t.save()
        data = load(out)
        self.assertEqual(data["viztracer_metadata"]["sync_marker"], marker)
        (inst,) = [e for e in events(data, "i") if e["name"] == "after-marker"]
        self.assertLessEqual(marker, inst["ts"])
        self.assertLess(min(e["ts"] for e in named(data, "fib")), marker)
        # Kept by the tracer (clear() too); setting it again warns, as viztracer's.
        t.clear()
        with self.assertWarnsRegex(RuntimeWarning, "Synchronization marker already set"):
            t.set_sync_marker()
        self.assertGreater(t.get_sync_marker(), marker)
        # --align_combine: the trace moves so that its marker is at 0.
        aligned = self.path("a.json")
        r = run_cli(["--align_combine", out, "-o", aligned])
        self.assertEqual(r.returncode, 0, r.stderr)
        moved = load(aligned)
        (inst2,) = [e for e in events(moved, "i") if e["name"] == "after-marker"]
        self.assertAlmostEqual(inst2["ts"], inst["ts"] - marker, places=2)
        self.assertLess(min(e["ts"] for e in named(moved, "fib")), 0)

    def test_marker_of_a_stashed_tracer(self):
        """A tracer whose events waited in a stash while another recorded saves its marker."""
        a = VizTracer(verbose=0)
        a.start()
        a.set_sync_marker()
        a.stop()
        b = VizTracer(verbose=0)
        b.start()
        b.stop()
        out_a, out_b = self.path("a.json"), self.path("b.vzt")
        a.save(out_a)
        b.save(out_b)
        self.assertEqual(load(out_a)["viztracer_metadata"]["sync_marker"], a.get_sync_marker())
        if VIZVIEWER:
            back = self.path("b.json")
            subprocess.run([VIZVIEWER, "--convert", out_b, back], check=True)
            self.assertNotIn("sync_marker", load(back)["viztracer_metadata"])


class TestPackage(unittest.TestCase):
    def test_logging_loaded_on_first_use_and_submodule_reachable(self):
        # A fresh interpreter: `import viztracer` leaves logging alone; the handler, the
        # submodule and dir() still show them, as with an eager import.
        code = ("import sys, viztracer\n"
                "print('logging' in sys.modules)\n"
                "print('VizLoggingHandler' in dir(viztracer), 'vizlogging' in dir(viztracer))\n"
                "print(viztracer.vizlogging.VizLoggingHandler is viztracer.VizLoggingHandler)\n"
                "from viztracer import *\n"
                "print(VizLoggingHandler.__name__, 'logging' in sys.modules)\n")
        import subprocess
        import sys
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=dict(os.environ))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.split("\n")[:4],
                         ["False", "True True", "True", "VizLoggingHandler True"])


class TestAsync(TempDirTest):
    def test_log_async_tasks_get_tracks(self):
        async def leaf(n):
            await asyncio.sleep(0)
            return n

        async def main():
            await asyncio.gather(asyncio.create_task(leaf(1), name="task-a"),
                                 asyncio.create_task(leaf(2), name="task-b"))
        out = self.path("as.json")
        t = VizTracer(output_file=out, verbose=0, log_async=True)
        t.start()
        asyncio.run(main())
        t.stop()
        t.save()
        data = load(out)
        names = {m["args"]["name"] for m in events(data, "M") if m["name"] == "thread_name"}
        self.assertTrue({"task-a", "task-b"} <= names, names)
        leaf_tids = {e["tid"] for e in named(data, "TestAsync.test_log_async_tasks_get_tracks.<locals>.leaf")}
        self.assertEqual(len(leaf_tids), 2)

    def test_tasks_one_after_another_get_their_own_tracks(self):
        # A task made once an earlier one has ended often takes its address: it still gets a
        # track of its own, under its own name.
        async def job(tag):
            await asyncio.sleep(0)
            return tag

        async def main():
            for n in ("first", "second", "third", "fourth"):
                await asyncio.create_task(job(n), name=n)
        out = self.path("seq.json")
        t = VizTracer(output_file=out, verbose=0, log_async=True, log_func_args=True)
        t.start()
        asyncio.run(main())
        t.stop()
        t.save()
        data = load(out)
        names = {m["tid"]: m["args"]["name"] for m in events(data, "M") if m["name"] == "thread_name"}
        jobs = named(data, "TestAsync.test_tasks_one_after_another_get_their_own_tracks.<locals>.job")
        self.assertEqual(len(jobs), 8)  # each runs twice: up to the sleep, and after it
        for e in jobs:
            self.assertEqual(repr(names.get(e["tid"])), e["args"]["func_args"]["tag"], e)



class TestViztracerKeywords(TempDirTest):
    """viztracer's other constructor keywords: log_audit records, the rest are checked and
    accepted (sanitize_function_name, minimize_memory, dump_raw, log_func_with_objprint) or
    refused (log_torch, plugins)."""

    def session(self, work, **kw):
        out = self.path("k.json")
        t = VizTracer(output_file=out, verbose=0, **kw)
        t.start()
        work(t)
        t.stop()
        t.save()
        return load(out)

    def test_keywords_checked(self):
        t = VizTracer(verbose=0, sanitize_function_name=True, minimize_memory=True, dump_raw=True,
                      log_func_with_objprint=None, plugins=[], log_torch=False, log_audit=None)
        self.assertEqual((t.sanitize_function_name, t.log_func_with_objprint, t.plugins), (True, False, []))
        bad = [(dict(log_audit="x"), TypeError), (dict(log_audit=[1]), TypeError),
               (dict(log_audit=["("]), ValueError), (dict(sanitize_function_name="yes"), ValueError),
               (dict(minimize_memory=2), ValueError), (dict(dump_raw="no"), ValueError),
               (dict(log_func_with_objprint="x"), ValueError), (dict(plugins=["cpu"]), ValueError),
               (dict(plugins=3), TypeError), (dict(log_torch="x"), ValueError)]
        for kw, exc in bad:
            with self.assertRaises(exc, msg=str(kw)):
                VizTracer(**kw)
        no_torch = importlib.util.find_spec("torch") is None
        with self.assertRaisesRegex(ImportError if no_torch else ValueError,
                                    "torch is not installed" if no_torch else "not supported"):
            VizTracer(log_torch=True)
        with self.assertRaises(TypeError):
            t.log_audit = "import"  # checked when set later too

    def test_log_audit(self):
        def work(t):
            sys.audit("vz.api.one", 1)
            sys.audit("vz.api.two", "x", [2])
            sys.audit("vz.other")
        data = self.session(work, log_audit=[r"vz\.api\..*"])
        self.assertEqual([(e["name"], e["args"], e["s"]) for e in events(data, "i")],
                         [("vz.api.one", {"args": ["1"]}, "t"), ("vz.api.two", {"args": ["x", "[2]"]}, "t")])
        # The process keeps the hook (audit hooks cannot be removed): a tracer without
        # log_audit records nothing through it, one with [] records every event.
        self.assertEqual(events(self.session(work), "i"), [])
        names = [e["name"] for e in events(self.session(work, log_audit=[]), "i")]
        self.assertEqual([n for n in names if n.startswith("vz.")], ["vz.api.one", "vz.api.two", "vz.other"])

    @unittest.skipIf(importlib.util.find_spec("objprint") is not None, "objprint is installed")
    def test_log_func_with_objprint_without_objprint_is_repr(self):
        def f(a):
            return {"k": a}
        data = self.session(lambda t: f([1, 2]), log_func_args=True, log_func_retval=True,
                            log_func_with_objprint=True)
        self.assertEqual(named(data, "TestViztracerKeywords.test_log_func_with_objprint_without_objprint_is_repr.<locals>.f")[0]["args"],
                         {"func_args": {"a": "[1, 2]"}, "return_value": "{'k': [1, 2]}"})

    def test_add_variable_and_add_func_exec(self):
        def steps(t):
            t.add_func_exec("x", 5, 10)
            t.add_func_exec("y", "s", 11)

        def work(t):
            t.add_variable("v", [1])
            t.add_variable("n", 3, "counter")
            with self.assertRaises(ValueError):  # not a number: raises, as viztracer's
                t.add_variable("s", "text", "counter")
            steps(t)
            with self.assertRaises(ValueError):
                t.add_variable("v", 1, "gauge")
        data = self.session(work)
        self.assertEqual([(e["name"], e["s"]) for e in events(data, "i")], [("v = [1]", "p")])
        self.assertEqual([(e["name"], e["args"]) for e in events(data, "C")], [("n", {"n": 3})])
        step = [e for e in events(data) if e["name"].startswith("TestViztracerKeywords.test_add_variable_and_add_func_exec.<locals>.steps")]
        self.assertEqual(step[0]["args"], {"exec_steps": ["(10) x = 5", "(11) y = s"]})


if __name__ == "__main__":
    unittest.main()
