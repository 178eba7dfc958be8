"""Child processes under the `viztracer` command: subprocess, multiprocessing (fork, spawn,
forkserver, Pool, ProcessPoolExecutor) and os.fork all land in the one output file, each with
its own pid; --ignore_multiprocess leaves them out."""
import glob
import json
import os
import signal
import subprocess
import sys
import types
import unittest

import viztracer
from viztracer import tracer
from helpers import TempDirTest, events, load, named, run_cli, stats

SCRIPT = """
import concurrent.futures, multiprocessing as mp, os, subprocess, sys
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
def work(n):
    return fib(n)
if __name__ == "__main__":
    subprocess.run([sys.executable, "-c", "def sub_fn():\\n  return 1\\nsub_fn()"], check=True)
    for method in ("fork", "spawn", "forkserver"):
        p = mp.get_context(method).Process(target=work, args=(5,))
        p.start()
        p.join()
    with mp.get_context("spawn").Pool(2) as pool:
        assert pool.map(work, [3, 4]) == [2, 3]
    with concurrent.futures.ProcessPoolExecutor(1) as ex:
        assert ex.submit(work, 2).result() == 1
    pid = os.fork()
    if pid == 0:
        fib(4)
        os._exit(0)
    os.waitpid(pid, 0)
    fib(1)
"""


class TestChildren(TempDirTest):
    def test_all_children_merged(self):
        script = self.write("kids.py", SCRIPT)
        out = self.path("kids.json")
        r = run_cli(["-o", out, script], timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("data is lost", r.stderr)
        data = load(out)
        fib_pids = {}
        for e in named(data, "fib"):
            fib_pids[e["pid"]] = fib_pids.get(e["pid"], 0) + 1
        # fork, spawn, forkserver: 15 each; os.fork: 9; the parent: 1; Pool and executor workers
        counts = sorted(fib_pids.values())
        self.assertEqual(counts.count(15), 3, fib_pids)
        self.assertIn(9, counts)
        self.assertEqual(len(named(data, "sub_fn")), 1)
        self.assertEqual(sum(1 for e in named(data, "work")), 3 + 2 + 1)
        names = {m["args"]["name"] for m in events(data, "M") if m["name"] == "process_name"}
        self.assertTrue({"MainProcess", "ForkProcess-1", "SpawnProcess-2", "ForkServerProcess-3"} <= names, names)
        # The subprocess child is a program of its own: named after its command, as viztracer.
        (sub_pid,) = {e["pid"] for e in named(data, "sub_fn")}
        sub_names = [m["args"]["name"] for m in events(data, "M")
                     if m["name"] == "process_name" and m["pid"] == sub_pid]
        self.assertEqual(sub_names, ["python -c"])
        # The os.fork() copy (fib(4): 9 calls, no work()) is named as multiprocessing names it,
        # as viztracer.
        work_pids = {e["pid"] for e in named(data, "work")}
        (fork_pid,) = [pid for pid, n in fib_pids.items() if n == 9 and pid not in work_pids]
        fork_names = [m["args"]["name"] for m in events(data, "M")
                      if m["name"] == "process_name" and m["pid"] == fork_pid]
        self.assertEqual(fork_names, ["MainProcess"])
        self.assertGreaterEqual(len({e["pid"] for e in events(data)}), 8)
        s = stats(out)
        self.assertEqual(s["diagnostics"], [])

    def test_ignore_multiprocess(self):
        script = self.write("kids.py", SCRIPT)
        out = self.path("solo.json")
        r = run_cli(["--ignore_multiprocess", "-o", out, script], timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        self.assertEqual(len({e["pid"] for e in events(data)}), 1)
        self.assertEqual(named(data, "sub_fn"), [])


    def test_child_terminated_as_it_announces_itself_still_saves(self):
        """A Pool worker can be terminated while it is still starting. Once a child has said it
        is writing a trace (its .pending file), SIGTERM must not take that trace away: the
        handler is in place before the announcement. The child is killed the moment its
        .pending appears, five times."""
        d = self.path("kids")
        os.mkdir(d)
        pkg = os.path.dirname(os.path.dirname(os.path.abspath(viztracer.__file__)))
        env = dict(os.environ, VZ_VIZTRACER_CHILD=json.dumps({"dir": d, "options": {}}),
                   PYTHONPATH=os.pathsep.join([os.path.join(pkg, "viztracer", "_child"), pkg]))
        for _ in range(5):
            p = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"],
                                 env=env, stderr=subprocess.PIPE, text=True)
            pending = os.path.join(d, f"{p.pid}.pending")
            while not os.path.exists(pending) and p.poll() is None:
                pass  # polled without pausing: the kill lands right after the announcement
            p.send_signal(signal.SIGTERM)
            err = p.communicate(timeout=60)[1]
            self.assertEqual(p.returncode, -signal.SIGTERM, err)
            self.assertEqual(err, "")
            self.assertFalse(os.path.exists(pending))
            self.assertEqual(len(glob.glob(os.path.join(d, f"{p.pid}.*.vzt"))), 1)

    def test_process_name_of_a_half_imported_multiprocessing(self):
        """A child terminated while it imports multiprocessing saves without a process name
        from it (the module has no current_process yet) instead of failing."""
        saved = sys.modules.get("multiprocessing")
        sys.modules["multiprocessing"] = types.ModuleType("multiprocessing")
        try:
            self.assertIsNone(tracer._multiprocessing_name())
        finally:
            if saved is not None:
                sys.modules["multiprocessing"] = saved
            else:
                del sys.modules["multiprocessing"]
        import multiprocessing
        self.assertEqual(tracer._multiprocessing_name(), multiprocessing.current_process().name)


if __name__ == "__main__":
    unittest.main()
