"""Regression tests of behaviours fixed in the viztracer package: threads record their run(),
stop("flush_as_finish") with other threads inside calls, pause() per thread, two tracers,
tracer_entries for events with args and instants, the overflow message, a repr() that raises,
the CLI's traceback, the tracer's own hooks unrecorded, --log_sparse in children, stashed
events across a fork, a displaced tracer stopped by the user, saving an idle tracer while another
records, a failed save() or start(), pause() across a save(), the lost count across a stash,
asyncio task names with tracer_entries, NaN and infinite values."""
import asyncio
import builtins
import contextlib
import gc
import io
import os
import re
import subprocess
import sys
import threading
import unittest

from helpers import TempDirTest, assert_nested, events, load, named, run_cli, stats, strict_json
from viztracer import VizTracer, ignore_function

MODES = (("profile hook", False), ("eval-frame hook", True))  # ignore_c_function


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def leaf():
    return 1


def inner():
    return leaf()


def work():
    return inner()


def a():
    return "a"


def b():
    return "b"


def c():
    return "c"


def step():
    return 1


def mark():
    return 2


class T(threading.Thread):
    def run(self):
        work()


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")


def takes(x):
    return x


def fname(fn):
    """A Python function's event name."""
    code = fn.__code__
    return f"{fn.__qualname__} ({code.co_filename}:{code.co_firstlineno})"


THREAD_RUN = fname(threading.Thread.run)


def short(e):
    return e["name"].split(" (")[0]


def on_tid(data, tid):
    """Complete events of one thread, parents before children."""
    return sorted((e for e in events(data) if e["tid"] == tid), key=lambda e: (e["ts"], -e["dur"]))


def thread_names(data):
    return {m["tid"]: m["args"]["name"] for m in events(data, "M") if m["name"] == "thread_name"}


def session(fn, **kw):
    """Runs fn() traced in-process; the parsed trace."""
    t = VizTracer(verbose=0, register_global=False, **kw)
    t.start()
    fn()
    t.stop()
    t.parse()
    return t.data


class TestThreadRun(TempDirTest):
    """1. Threads started through threading record their run() as the root of their calls;
    threading's _bootstrap/_bootstrap_inner never appear."""

    def split_at_run(self, data, tid, run_name):
        """(the events inside the thread's root run(), those after it)."""
        evs = on_tid(data, tid)
        self.assertTrue(evs, f"nothing recorded on tid {tid}")
        root = evs[0]
        self.assertEqual(root["name"], run_name)
        end = root["ts"] + root["dur"]
        inside = [e for e in evs if e["ts"] + e["dur"] <= end + 1e-3]
        after = [e for e in evs if e not in inside]
        # What follows run() is threading's finalisation (Thread._delete), never the target's.
        for e in after:
            self.assertGreaterEqual(e["ts"], end - 1e-3, e["name"])
            self.assertNotIn(short(e), ("work", "inner", "leaf"))
        return inside, after

    def test_target_and_subclass_run_are_roots(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                threads = []

                def go():
                    th = threading.Thread(target=work)
                    sub = T()
                    for x in (th, sub):
                        x.start()
                        x.join()
                    threads.extend([th, sub])
                data = session(go, ignore_c_function=icf)
                th, sub = threads
                inside, _ = self.split_at_run(data, th.native_id, THREAD_RUN)
                self.assertEqual([e["name"] for e in inside],
                                 [THREAD_RUN, fname(work), fname(inner), fname(leaf)])
                inside, _ = self.split_at_run(data, sub.native_id, fname(T.run))
                self.assertEqual([short(e) for e in inside], ["T.run", "work", "inner", "leaf"])
                self.assertEqual([e["name"] for e in events(data) if "_bootstrap" in e["name"]], [])
                assert_nested(self, data)

    def test_max_stack_depth_counts_run_as_depth_one(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                threads = []

                def go():
                    th = threading.Thread(target=work)
                    th.start()
                    th.join()
                    threads.append(th)
                data = session(go, ignore_c_function=icf, max_stack_depth=3)
                inside, _ = self.split_at_run(data, threads[0].native_id, THREAD_RUN)
                self.assertEqual([short(e) for e in inside], ["Thread.run", "work", "inner"])
                self.assertEqual(named(data, "leaf"), [])
                self.assertEqual([e["name"] for e in events(data) if "_bootstrap" in e["name"]], [])


def blocked(ready, release):
    ready.set()
    release.wait()


def worker_body(ready, release):
    blocked(ready, release)


class TestFlushAsFinishOtherThreads(TempDirTest):
    """2. stop("flush_as_finish") closes another thread's open calls on that thread's tid."""

    def test_open_calls_of_another_thread_keep_its_tid(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                ready, release = threading.Event(), threading.Event()
                t = VizTracer(verbose=0, register_global=False, ignore_c_function=icf)
                t.start()
                th = threading.Thread(target=worker_body, args=(ready, release), name="vz-blocked")
                th.start()
                ready.wait()
                t.stop("flush_as_finish")
                release.set()
                th.join()
                t.parse()
                data = t.data
                me = threading.get_native_id()
                tid = th.native_id
                self.assertNotEqual(tid, me)
                self.assertEqual(thread_names(data).get(tid), "vz-blocked")
                self.assertEqual(events(data, "B"), [])
                # The calls still open at stop(), each once, all on the worker's tid.
                for name in (THREAD_RUN, fname(worker_body), fname(blocked)):
                    self.assertEqual([e["tid"] for e in events(data) if e["name"] == name], [tid], name)
                waits = [e for e in named(data, "Event.wait") if e["tid"] == tid]
                self.assertEqual(len(waits), 1)
                self.assertEqual([e["name"] for e in on_tid(data, me) if short(e) in ("worker_body", "blocked", "Thread.run")], [])
                # Every call of the worker closes inside its run(), closed at the stop.
                root = [e for e in events(data) if e["name"] == THREAD_RUN][0]
                run_end = root["ts"] + root["dur"]
                for e in on_tid(data, tid):
                    self.assertLessEqual(e["ts"] + e["dur"], run_end + 1e-3, e["name"])
                assert_nested(self, data)

    DAEMON = """
import threading
ready = threading.Event()
never = threading.Event()
def blocked():
    ready.set()
    never.wait()
def daemon_main():
    blocked()
th = threading.Thread(target=daemon_main, name="sleeper", daemon=True)
th.start()
ready.wait()
print("daemon", th.native_id)
"""

    def test_cli_daemon_thread_blocked_at_exit(self):
        script = self.write("daemon.py", self.DAEMON)
        for opts in ([], ["--ignore_c_function"]):
            with self.subTest(opts=opts):
                out = self.path("daemon.json")
                r = run_cli(["-o", out] + opts + [script], timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                tid = int(re.search(r"^daemon (\d+)$", r.stdout, re.M).group(1))
                data = load(out)
                self.assertEqual(thread_names(data).get(tid), "sleeper")
                for name in ("Thread.run", "daemon_main", "blocked"):
                    self.assertEqual([e["tid"] for e in named(data, name)], [tid], name)
                self.assertEqual(len([e for e in named(data, "Event.wait") if e["tid"] == tid]), 1)
                self.assertEqual(events(data, "B"), [])
                assert_nested(self, data)
                s = stats(out)
                self.assertEqual([d for d in s["diagnostics"] if d["kind"] == "overlapping_slice"], [])
                self.assertIn("sleeper", [t["name"] for t in s["threads"]])


class TestPausePerThread(TempDirTest):
    """3. pause() (and @ignore_function) hold only the calling thread."""
    N = 50

    def stepper(self):
        """(go, done, thread): the thread (not started) calls step() N times once `go` is set,
        then sets `done`."""
        go, done = threading.Event(), threading.Event()

        def run():
            go.wait()
            for _ in range(self.N):
                step()
            done.set()
        return go, done, threading.Thread(target=run)

    def test_pause_holds_the_calling_thread_only(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                go, done, th = self.stepper()
                t = VizTracer(verbose=0, register_global=False, ignore_c_function=icf)
                t.start()
                th.start()
                mark()          # recorded
                t.pause()
                go.set()        # the worker steps while this thread is paused
                mark()          # not recorded
                fib(3)          # not recorded
                done.wait()
                t.resume()
                th.join()
                mark()          # recorded
                t.stop()
                t.parse()
                data = t.data
                me = threading.get_native_id()
                self.assertEqual([e["tid"] for e in named(data, "step")], [th.native_id] * self.N)
                self.assertEqual([e["tid"] for e in named(data, "mark")], [me, me])
                self.assertEqual(named(data, "fib"), [])
                # go.set() ran in the paused window: not recorded on this thread
                self.assertEqual([e for e in named(data, "Event.set") if e["tid"] == me], [])

    def test_ignore_function_in_main_does_not_hide_other_threads(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                go, done, th = self.stepper()

                @ignore_function
                def quiet():
                    go.set()
                    mark()
                    done.wait()
                t = VizTracer(verbose=0, ignore_c_function=icf)  # global: ignore_function's
                t.start()
                th.start()
                quiet()
                th.join()
                t.stop()
                t.parse()
                data = t.data
                self.assertEqual([e["tid"] for e in named(data, "step")], [th.native_id] * self.N)
                self.assertEqual(named(data, "mark"), [])


class TestTwoTracers(TempDirTest):
    """4. Each tracer keeps, parses and saves what it recorded."""

    def names(self, data):
        return [short(e) for e in events(data)]

    def test_one_after_the_other(self):
        # Read back through parse() and through save(): each has what it recorded only.
        for read in ("parse", "save"):
            with self.subTest(read=read):
                t1 = VizTracer(verbose=0, register_global=False, ignore_c_function=True)
                t2 = VizTracer(verbose=0, register_global=False, ignore_c_function=True)
                t1.start()
                a()
                t1.stop()
                t2.start()
                b()
                t2.stop()
                if read == "parse":
                    self.assertEqual(t1.parse(), 1)
                    self.assertEqual(t2.parse(), 1)
                    got = [t1.data, t2.data]
                else:
                    got = [load(t1.save(self.path("t1.json"))), load(t2.save(self.path("t2.json")))]
                self.assertEqual([self.names(d) for d in got], [["a"], ["b"]])

    def test_second_tracer_started_while_the_first_records(self):
        outer = VizTracer(verbose=0, register_global=False, ignore_c_function=True,
                          output_file=self.path("outer.json"))
        inner_t = VizTracer(verbose=0, register_global=False, ignore_c_function=True,
                            output_file=self.path("inner.json"))
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            outer.start()
            a()
            inner_t.start()  # no exception: a warning, the outer one stops
            b()
            inner_t.stop()
            b()  # neither records: the inner one stopped, the outer one waits for its save
            inner_t.save()
            c()  # the outer one goes on
            outer.stop()
            outer.save()
        self.assertEqual(err.getvalue().count("Warning! Overwrite tracer!"), 1, err.getvalue())
        self.assertEqual(self.names(load(self.path("inner.json"))), ["b"])
        # What the outer one recorded before the inner one started and after it saved
        # (viztracer's first tracer records no more once another starts).
        self.assertEqual(self.names(load(self.path("outer.json"))), ["a", "c"])

    NESTED = """
from viztracer import VizTracer
def leaf():
    return 1
def before():
    return 0
def after():
    return 2
before()
with VizTracer(output_file="inner.json", verbose=0):
    leaf()
after()
"""

    TRACE_AND_SAVE = """
from viztracer import trace_and_save
def leaf():
    return 1
def before():
    return 0
def after():
    return 2
@trace_and_save(output_dir="saved")
def job():
    leaf()
    leaf()
before()
job()
after()
"""

    def check_outer(self, out, r):
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count("Warning! Overwrite tracer!"), 1, r.stderr)
        outer = load(out)
        self.assertEqual(len(named(outer, "before")), 1)
        self.assertEqual(named(outer, "leaf"), [])
        self.assertEqual(len(named(outer, "after")), 1)  # recorded again once the inner one saved
        # The calls open when the inner tracer took over end there: no B event is left open.
        self.assertEqual(events(outer, "B"), [])
        self.assertTrue(any(e["name"].startswith("<module>") for e in events(outer, "X")))
        s = stats(out)
        self.assertEqual(sum(t["unmatched_B"] for t in s["threads"]), 0)
        self.assertEqual([d for d in s["diagnostics"] if d["severity"] != "info"], [], s["diagnostics"])

    def test_cli_script_with_its_own_tracer(self):
        self.write("nested.py", self.NESTED)
        out = self.path("outer.json")
        r = run_cli(["-o", out, "nested.py"], cwd=self.dir, timeout=60)
        self.check_outer(out, r)
        inner_data = load(self.path("inner.json"))
        self.assertEqual(len(named(inner_data, "leaf")), 1)
        self.assertEqual(self.names(inner_data), ["leaf"])

    def test_cli_script_with_trace_and_save(self):
        self.write("tas.py", self.TRACE_AND_SAVE)
        out = self.path("outer.json")
        r = run_cli(["-o", out, "tas.py"], cwd=self.dir, timeout=60)
        self.check_outer(out, r)
        files = os.listdir(self.path("saved"))
        self.assertEqual(len(files), 1, files)
        saved = load(self.path(os.path.join("saved", files[0])))
        self.assertEqual(len(named(saved, "leaf")), 2)
        self.assertEqual(len(named(saved, "job")), 1)
        self.assertEqual(named(saved, "before"), [])


class TestTracerEntriesJsonEvents(TempDirTest):
    """5. tracer_entries bounds events carrying args and events added by hand."""

    def test_func_args_events_bounded(self):
        t = VizTracer(verbose=0, register_global=False, tracer_entries=10, log_func_args=True)
        t.start()
        fib(10)  # 177 calls
        t.stop()
        self.assertEqual(t.parse(), 10)
        self.assertEqual(len(events(t.data)), 10)
        self.assertTrue(t.data["viztracer_metadata"]["overflow"])
        fibs = named(t.data, "fib")
        self.assertEqual(len(fibs), 10)
        self.assertTrue(all("n" in e["args"]["func_args"] for e in fibs))
        # the newest: fib(10), which ends last, is kept
        self.assertIn("10", [e["args"]["func_args"]["n"] for e in fibs])

    def test_instants_bounded_newest_kept(self):
        t = VizTracer(verbose=0, register_global=False, tracer_entries=10)
        t.start()
        for i in range(100):
            t.add_instant(f"inst{i}", {"i": i})
        t.stop()
        self.assertEqual(t.parse(), 10)
        inst = events(t.data, "i")
        self.assertEqual([(e["name"], e["args"]) for e in inst],
                         [(f"inst{i}", {"i": i}) for i in range(90, 100)])
        self.assertTrue(t.data["viztracer_metadata"]["overflow"])


class TestOverflowMessage(TempDirTest):
    """6. The count of lost events, said once."""

    def test_save_says_how_many_were_lost(self):
        t = VizTracer(verbose=0, register_global=False, tracer_entries=100,
                      output_file=self.path("o.json"))
        t.start()
        fib(15)  # 1973 calls
        t.stop()
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            t.save()
        self.assertEqual(len(re.findall(r"\b1873 early events were lost", err.getvalue())), 1, err.getvalue())
        self.assertEqual(len(events(load(self.path("o.json")))), 100)

    def test_cli_says_it_once(self):
        script = self.write("f.py", "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(15)\n")
        full = self.path("full.json")
        r = run_cli(["-o", full, script], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        recorded = len(events(load(full)))
        self.assertEqual(len(named(load(full), "fib")), 1973)
        out = self.path("o.json")
        r = run_cli(["--tracer_entries", "100", "-o", out, script], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        saving = [line for line in r.stdout.splitlines() if line.startswith("Saving trace to")]
        self.assertEqual(len(saving), 1, r.stdout)
        self.assertNotIn("records", saving[0])
        self.assertNotIn("streaming", r.stdout)
        lost = [line for line in r.stderr.splitlines() if "early events were lost" in line]
        self.assertEqual(len(lost), 1, r.stderr)
        n = int(re.search(r"(\d+) early events were lost", lost[0]).group(1))
        self.assertGreater(n, 0)
        # the same run without the limit recorded `recorded` calls; 100 were kept
        self.assertEqual(n, recorded - 100)
        self.assertEqual(len(events(load(out))), 100)


class TestReprRaises(TempDirTest):
    """7. An argument or return value whose repr() raises is 'Not Displayable'."""

    def test_not_displayable(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                data = session(lambda: takes(Unprintable()), ignore_c_function=icf,
                               log_func_args=True, log_func_retval=True)
                ev = [e for e in events(data) if e["name"] == fname(takes)]
                self.assertEqual(len(ev), 1)
                self.assertEqual(ev[0]["args"], {"func_args": {"x": "Not Displayable"},
                                                 "return_value": "Not Displayable"})
                self.assertEqual(named(data, "Unprintable.__repr__"), [])


class TestCliTraceback(TempDirTest):
    """8. A script that raises: exit 1, its traceback on stderr, the traceback's printing not
    in the trace."""

    def test_raising_script(self):
        script = self.write("boom.py", "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
                            "fib(5)\nraise ValueError('bad value 42')\n")
        out = self.path("boom.json")
        r = run_cli(["-o", out, script], timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("Traceback (most recent call last)", r.stderr)
        self.assertIn("ValueError: bad value 42", r.stderr)
        # As python prints it: from the program's frames, none of the tracer's.
        self.assertNotIn(os.path.join("viztracer", "main.py"), r.stderr)
        data = load(out)
        self.assertEqual(len(named(data, "fib")), 15)
        bad = [e["name"] for e in data["traceEvents"]
               if re.search(r"traceback|print_exception|format_exception|excepthook", e["name"], re.I)]
        self.assertEqual(bad, [])


class TestOwnHooksUnrecorded(TempDirTest):
    """9. The tracer's own set-up (gc callback, run()'s compile) is not recorded."""

    def test_log_gc_start_records_nothing(self):
        t = VizTracer(verbose=0, register_global=False, log_gc=True)
        t.start()
        t.stop()
        self.assertEqual(t.parse(), 0)
        self.assertEqual(named(t.data, "list.append"), [])
        self.assertEqual(events(t.data), [])

    def test_run_does_not_record_compile(self):
        for kw in ({}, {"log_gc": True}):
            with self.subTest(**kw):
                out = self.path("run.json")
                t = VizTracer(verbose=0, register_global=False, **kw)
                t.run("def g():\n  return 1\ng()", output_file=out)
                data = load(out)
                self.assertEqual(named(data, "builtins.compile"), [])
                self.assertEqual(named(data, "list.append"), [])
                self.assertEqual(len(named(data, "g")), 1)


class TestLogSparseChildren(TempDirTest):
    """10. --log_sparse reaches multiprocessing children."""

    SCRIPT = """
import multiprocessing as mp
from viztracer import log_sparse
def plain(n):
    return n + 1
@log_sparse
def marked(n):
    return plain(n)
def target():
    plain(1)
    marked(2)
    plain(3)
if __name__ == "__main__":
    p = mp.get_context("spawn").Process(target=target)
    p.start()
    p.join()
    print("child", p.pid, p.exitcode)
    marked(0)
"""

    def test_spawn_child_is_sparse(self):
        script = self.write("sparse.py", self.SCRIPT)
        out = self.path("sparse.json")
        r = run_cli(["--log_sparse", "-o", out, script], timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        m = re.search(r"^child (\d+) (-?\d+)$", r.stdout, re.M)
        self.assertEqual(m.group(2), "0", r.stderr)
        child = int(m.group(1))
        data = load(out)
        by_pid = {}
        for e in events(data):
            by_pid.setdefault(e["pid"], []).append(short(e))
        self.assertIn(child, by_pid, by_pid)
        self.assertEqual(by_pid[child], ["marked"])
        parent = [p for p in by_pid if p != child]
        self.assertEqual(len(parent), 1, by_pid)
        self.assertEqual(by_pid[parent[0]], ["marked"])



def fa():
    return "fa"


def fb():
    return "fb"


def fc():
    return "fc"


def hidden_leaf():
    return 0


OVERWRITE = "Warning! Overwrite tracer!"


class TestForkWithStash(TempDirTest):
    """11. A fork while a tracer's events are stashed: the stash stays the parent's (a child
    that exits, or saves its own tracer, neither removes nor takes it)."""

    CODE = """
import json, os, sys
from viztracer import VizTracer
def a():
    return 1
def b():
    return 2
out, mode = sys.argv[1], sys.argv[2]
t1 = VizTracer(verbose=0, register_global=False)
t1.start(); a(); t1.stop()
t2 = VizTracer(verbose=0, register_global=False)
t2.start(); b(); t2.stop()  # t1's events go to its stash
stash = t1._stash_path
pid = os.fork()
if pid == 0:
    if mode == "child_saves":
        t2.save(os.path.join(out, "child_t2.json"))
        t1.save(os.path.join(out, "child_t1.json"))
    sys.exit(0)
_, status = os.waitpid(pid, 0)
print("child", os.waitstatus_to_exitcode(status), "stash kept", os.path.exists(stash))
t1.save(os.path.join(out, "t1.json"))
t2.save(os.path.join(out, "t2.json"))
"""

    def names(self, path):
        return [short(e) for e in events(load(path))]

    def test_parent_saves_its_stash_after_the_child(self):
        for mode in ("child_exits", "child_saves"):
            with self.subTest(mode=mode):
                out = self.path(mode)
                os.mkdir(out)
                r = subprocess.run([sys.executable, "-c", self.CODE, out, mode],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("child 0 stash kept True", r.stdout, r.stderr)
                self.assertNotIn("Traceback", r.stderr)
                self.assertEqual(self.names(os.path.join(out, "t1.json")), ["a"])
                self.assertEqual(self.names(os.path.join(out, "t2.json")), ["b"])
                if mode == "child_saves":
                    # A forked child starts with no events (the recorder's rule): none of the
                    # parent's, stashed or not.
                    self.assertEqual(self.names(os.path.join(out, "child_t2.json")), [])
                    self.assertEqual(self.names(os.path.join(out, "child_t1.json")), [])
                else:
                    self.assertEqual(sorted(os.listdir(out)), ["t1.json", "t2.json"])


class TestDisplacedTracerStoppedByUser(TempDirTest):
    """12. A tracer another one's start() stopped, then stopped and saved by the user, is not
    started again when the other one saves."""

    def test_not_restarted(self):
        p1, p2 = self.path("t1.json"), self.path("t2.json")
        t1 = VizTracer(verbose=0, register_global=False, ignore_c_function=True)
        t2 = VizTracer(verbose=0, register_global=False, ignore_c_function=True)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            t1.start()
            a()
            t2.start()  # the warning; t1 stops
            b()
            t1.stop()
            t1.save(p1)
            on_after_t1_save = (t1.enable, t2.enable)
            t2.stop()
            t2.save(p2)
            c()  # recorded by neither
        self.assertEqual(err.getvalue().count(OVERWRITE), 1, err.getvalue())
        self.assertEqual(on_after_t1_save, (False, True))
        self.assertFalse(t1.enable)
        self.assertFalse(t2.enable)
        self.assertEqual([short(e) for e in events(load(p1))], ["a"])
        self.assertEqual([short(e) for e in events(load(p2))], ["b"])
        # Nothing recorded after the saves (c()): parse() gives what each one saved, again.
        t1.parse()
        t2.parse()
        self.assertEqual([short(e) for e in events(t1.data)], ["a"])
        self.assertEqual([short(e) for e in events(t2.data)], ["b"])


class TestSaveIdleTracerWhileAnotherRecords(TempDirTest):
    """13. Saving a stopped tracer (its events from its stash) leaves a running one alone."""

    def test_running_tracer_goes_on(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                p1, p2 = self.path("t1.json"), self.path("t2.json")
                t1 = VizTracer(verbose=0, register_global=False, ignore_c_function=icf)
                t2 = VizTracer(verbose=0, register_global=False, ignore_c_function=icf)
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    t1.start()
                    fa()
                    t1.stop()
                    t2.start()
                    fb()
                    t1.save(p1)
                    t2_on = t2.enable
                    fc()
                    t2.stop()
                    t2.save(p2)
                self.assertNotIn(OVERWRITE, err.getvalue())
                self.assertEqual(err.getvalue(), "")
                self.assertTrue(t2_on)
                self.assertFalse(t1.enable)
                self.assertEqual([short(e) for e in events(load(p1))], ["fa"])
                self.assertEqual([short(e) for e in events(load(p2))], ["fb", "fc"])


class TestFailedSaveWhileRecording(TempDirTest):
    """14. A save() that fails while recording raises, and the tracer records on, keeping its
    events."""

    def test_records_on(self):
        blocker = self.write("not_a_dir", "")
        bad = os.path.join(blocker, "x.json")  # its directory cannot be created
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                t = VizTracer(verbose=0, register_global=False, ignore_c_function=icf)
                raised = None
                t.start()
                fa()
                try:
                    t.save(bad)
                except OSError as e:
                    raised = e
                on = t.enable
                fb()
                t.stop()
                self.assertIsInstance(raised, OSError)
                self.assertTrue(on)
                self.assertFalse(os.path.exists(bad))
                data = load(t.save(self.path("ok.json")))
                self.assertEqual(len(named(data, "fa")), 1)
                self.assertEqual(len(named(data, "fb")), 1)
                self.assertEqual([e["name"] for e in events(data) if "viztracer" in e["name"]], [])
                self.assertEqual([short(e) for e in events(data) if short(e) in ("fa", "fb")], ["fa", "fb"])


class TestFailedStart(TempDirTest):
    """15. A start() that fails leaves no hook behind: print, gc callbacks, threading's profile
    hook."""

    def test_no_hooks_left(self):
        orig_print = builtins.print
        callbacks = list(gc.callbacks)
        self.assertIsNone(threading.getprofile())
        t = VizTracer(verbose=0, register_global=False, log_print=True, log_gc=True,
                      tracer_entries=10**15)
        try:
            with self.assertRaises(Exception):
                t.start()
            self.assertFalse(t.enable)
            self.assertIs(builtins.print, orig_print)
            self.assertEqual(gc.callbacks, callbacks)
            self.assertIsNone(threading.getprofile())
            t.stop()  # nothing to undo
            self.assertIs(builtins.print, orig_print)
            self.assertEqual(gc.callbacks, callbacks)
        finally:  # (what a failure left would disturb the tests after this one)
            builtins.print = orig_print
            gc.callbacks[:] = callbacks
            threading.setprofile(None)
        # The recorder works on for the next tracer.
        data = session(a, ignore_c_function=True)
        self.assertEqual([short(e) for e in events(data)], ["a"])


class TestPauseAcrossSave(TempDirTest):
    """16. A thread paused (inside an @ignore_function function) stays paused across a save()
    made by another thread while recording."""

    def test_ignored_call_stays_hidden(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                t = VizTracer(verbose=0, register_global=False, ignore_c_function=icf)
                inside, go = threading.Event(), threading.Event()

                @ignore_function(tracer=t)
                def hidden():
                    inside.set()
                    go.wait()
                    hidden_leaf()  # inside the ignored call: not recorded

                def body():
                    hidden()
                    step()  # after it: recorded

                t.start()
                th = threading.Thread(target=body)
                th.start()
                inside.wait()
                t.save(self.path("during.json"))  # stop, save, start again
                mark()
                go.set()
                th.join()
                t.stop()
                during = load(self.path("during.json"))
                after = load(t.save(self.path("after.json")))
                for data in (during, after):
                    self.assertEqual(named(data, "hidden_leaf"), [])
                    self.assertEqual(named(data, "hidden"), [])
                me = threading.get_native_id()
                self.assertEqual([e["tid"] for e in named(after, "step")], [th.native_id])
                self.assertEqual([e["tid"] for e in named(after, "mark")], [me])


def small():
    return 0


class TestLostCountAcrossStash(TempDirTest):
    """17. The count of lost events survives a stash (another tracer started meanwhile)."""

    def lost_saving(self, stash):
        t1 = VizTracer(verbose=0, register_global=False, tracer_entries=100)
        t1.start()
        for _ in range(1000):
            small()
        t1.stop()
        if stash:
            t2 = VizTracer(verbose=0, register_global=False)
            t2.start()
            t2.stop()
            self.assertIsNotNone(t1._stash_path)
        out = self.path(f"o{int(stash)}.json")
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            t1.save(out)
        return err.getvalue(), load(out)

    def test_same_count_with_and_without_stash(self):
        for stash in (False, True):
            with self.subTest(stash=stash):
                err, data = self.lost_saving(stash)
                self.assertEqual(err.count("early events were lost"), 1, err)
                self.assertEqual(len(re.findall(r"\b900 early events were lost", err)), 1, err)
                self.assertTrue(data["viztracer_metadata"]["overflow"])
                self.assertEqual(len(named(data, "small")), 100)
                self.assertEqual(len(events(data)), 100)


async def async_job():
    for _ in range(300):
        leaf()
        await asyncio.sleep(0)


async def async_main():
    await asyncio.gather(asyncio.create_task(async_job(), name="JobA"),
                         asyncio.create_task(async_job(), name="JobB"))


class TestAsyncTaskNamesWithOverflow(TempDirTest):
    """18. With log_async and tracer_entries, the tasks' names stay on the tids of the events
    kept."""

    def test_task_names_kept(self):
        t = VizTracer(verbose=0, register_global=False, log_async=True, tracer_entries=200)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            t.start()
            asyncio.run(async_main())
            t.stop()
            data = load(t.save(self.path("async.json")))
        self.assertIn("early events were lost", err.getvalue())
        self.assertTrue(data["viztracer_metadata"]["overflow"])
        leaves = named(data, "leaf")
        self.assertGreater(len(leaves), 0)
        self.assertLess(len(leaves), 600)  # some were lost
        names = thread_names(data)
        by_name = {}
        for e in leaves:
            by_name.setdefault(names.get(e["tid"]), set()).add(e["tid"])
        self.assertEqual(sorted(by_name, key=str), ["JobA", "JobB"])
        self.assertNotEqual(by_name["JobA"], by_name["JobB"])
        for e in named(data, "async_job"):
            self.assertIn(names.get(e["tid"]), ("JobA", "JobB"))


class TestNonFiniteValues(TempDirTest):
    """19. NaN and infinite floats given to log_var, add_counter, add_instant and add_func_args
    are written as valid JSON instead of raising in the user's program."""

    def record(self, path):
        t = VizTracer(verbose=0, register_global=False, output_file=path)
        t.start()
        t.log_var("loss", 0.5)
        t.log_var("loss", float("nan"))
        t.log_var("loss", 0.25)
        t.add_counter("bounds", {"lo": float("-inf"), "hi": float("inf"), "mid": 1})
        t.add_instant("odd", args={"a": float("nan"), "b": [float("inf")], "s": "NaN -Infinity"})
        t.add_func_args("ratio", float("nan"))
        t.stop()
        return t.save(path)

    def test_json(self):
        data = strict_json(self.record(self.path("nan.json")))
        loss = [e["args"] for e in events(data, "C") if e["name"] == "loss"]
        self.assertEqual(loss, [{"value": 0.5}, {}, {"value": 0.25}])
        bounds = [e["args"] for e in events(data, "C") if e["name"] == "bounds"]
        self.assertEqual(bounds, [{"lo": float("-inf"), "hi": float("inf"), "mid": 1}])
        odd = [e["args"] for e in events(data, "i") if e["name"] == "odd"]
        self.assertEqual(odd, [{"a": "NaN", "b": ["Infinity"], "s": "NaN -Infinity"}])
        st = stats(self.path("nan.json"))
        self.assertEqual(st["diagnostics"], [])
        counters = {c["name"]: c["samples"] for c in st["counters"]}
        self.assertEqual(counters, {"loss": 3, "bounds": 1})

    def test_vzt(self):
        path = self.record(self.path("nan.vzt"))
        st = stats(path)
        self.assertEqual(st["diagnostics"], [])
        self.assertEqual({c["name"]: c["samples"] for c in st["counters"]}, {"loss": 3, "bounds": 1})


if __name__ == "__main__":
    unittest.main()
