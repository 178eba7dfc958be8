"""The two recording paths give the same events: the profile hook (C calls recorded) and the
eval-frame hook (ignore_c_function=True). Threads running before start() are traced too."""
import os
import subprocess
import sys
import threading
import unittest

from helpers import TempDirTest, assert_nested, events, load, named
from viztracer import VizTracer


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def gen(n):
    for i in range(n):
        yield i


def raises():
    raise KeyError("x")


def work():
    fib(6)
    list(gen(3))
    try:
        raises()
    except KeyError:
        pass
    t = threading.Thread(target=fib, args=(3,))
    t.start()
    t.join()


class TestHooks(TempDirTest):
    def trace(self, **kw):
        out = self.path("h.json")
        t = VizTracer(output_file=out, verbose=0, ignore_c_function=True, **kw)
        t.start()
        work()
        t.stop()
        t.save()
        return load(out)

    def counts(self, data, tid=None):
        out = {}
        for e in events(data):
            if tid is not None and e["tid"] != tid:
                continue
            key = e["name"].split(" (")[0]
            out[key] = out.get(key, 0) + 1
        return out

    def test_eval_frame_matches_profile_hook(self):
        fast = self.trace()
        os.environ["VZ_VIZTRACER_PROFILE_HOOK"] = "1"
        try:
            slow = self.trace()
        finally:
            del os.environ["VZ_VIZTRACER_PROFILE_HOOK"]
        # The main thread's calls are the same; a new thread's bootstrap is seen only by the
        # eval-frame hook (the profile hook is installed by its first profile event).
        me = threading.get_native_id()
        self.assertEqual(self.counts(fast, me), self.counts(slow, me))
        c = self.counts(fast)
        self.assertEqual(c["fib"], self.counts(slow)["fib"])
        self.assertEqual(c["fib"], 25 + 5)
        self.assertEqual(c["gen"], 4)  # one slice per resume, the last one ends the generator
        self.assertEqual(c["raises"], 1)
        self.assertEqual(len({e["tid"] for e in named(fast, "fib")}), 2)
        assert_nested(self, fast)

    def test_init_calls_at_specialised_call_sites(self):
        # A class call specialised before start() and one specialised while tracing: every
        # __init__ is recorded, whichever hook records (3.13's specialised class call bypasses
        # an eval-frame hook, so that hook is not used there).
        code = ("import json, sys\n"
                "from viztracer import VizTracer\n"
                "class A:\n"
                "    def __init__(self):\n"
                "        self.x = 1\n"
                "def before():\n"
                "    return A()\n"
                "for _ in range(1000):\n"
                "    before()\n"
                "t = VizTracer(verbose=0, ignore_c_function=True, output_file=sys.argv[1])\n"
                "t.start()\n"
                "def during():\n"
                "    return A()\n"
                "for _ in range(300):\n"
                "    during()\n"
                "before()\n"
                "t.stop()\n"
                "t.save()\n")
        out = self.path("init.json")
        r = subprocess.run([sys.executable, "-c", code, out], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        c = self.counts(load(out))
        self.assertEqual((c.get("during"), c.get("before"), c.get("A.__init__")), (300, 1, 301))

    def test_retval_in_eval_mode(self):
        data = self.trace(log_func_retval=True)
        # fib(6) on this thread (the other thread's fib(3) may last longer on a loaded machine).
        mine = [e for e in named(data, "fib") if e["tid"] == threading.get_native_id()]
        top = max(mine, key=lambda e: e["dur"])
        self.assertEqual(top["args"]["return_value"], "8")

    def test_threads_running_before_start(self):
        go = threading.Event()
        done = threading.Event()

        def waiter():
            go.wait()
            fib(4)
            done.set()
        th = threading.Thread(target=waiter, name="early")
        th.start()
        out = self.path("early.json")
        t = VizTracer(output_file=out, verbose=0)
        t.start()
        go.set()
        done.wait()
        th.join()
        t.stop()
        t.save()
        data = load(out)
        self.assertEqual(len(named(data, "fib")), 9)
        names = {m["args"]["name"] for m in events(data, "M") if m["name"] == "thread_name"}
        self.assertIn("early", names)


class TestScripts(TempDirTest):
    def test_eval_mode_under_cli(self):
        script = self.write("s.py", "def fib(n):\n    return n if n < 2 else fib(n-1) + fib(n-2)\nfib(7)\n")
        out = self.path("c.json")
        r = subprocess.run([sys.executable, "-m", "viztracer", "--ignore_c_function", "-o", out, script],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "fib")), 41)


if __name__ == "__main__":
    unittest.main()
