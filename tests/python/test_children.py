"""Child processes under the `viztracer` command: subprocess, multiprocessing (fork, spawn,
forkserver, Pool, ProcessPoolExecutor) and os.fork all land in the one output file, each with
its own pid; --ignore_multiprocess leaves them out."""
import unittest

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


if __name__ == "__main__":
    unittest.main()
