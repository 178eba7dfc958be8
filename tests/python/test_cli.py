"""The `viztracer` command (python3 -m viztracer): running scripts, modules and code strings,
exit codes, saving on errors and signals, and the options."""
import os
import signal
import subprocess
import sys
import time
import unittest

from helpers import TempDirTest, events, load, named, run_cli, stats

FIB = """
import sys
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(5)
print("argv", sys.argv, __name__)
"""


class TestRun(TempDirTest):
    def test_script_argv_name_and_output(self):
        script = self.write("s.py", FIB)
        out = self.path("o.json")
        r = run_cli(["-o", out, script, "a", "--b"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"argv ['{script}', 'a', '--b'] __main__", r.stdout)
        self.assertIn(f"vizviewer {out}", r.stdout)
        data = load(out)
        self.assertEqual(len(named(data, "fib")), 15)
        self.assertEqual(len(named(data, "<module>")), 1)
        self.assertEqual(sum(t["slices"] for t in stats(out)["threads"]), len(events(data)))

    def test_default_output_and_quiet(self):
        self.write("s.py", FIB)
        r = run_cli(["--quiet", "s.py"], cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("vizviewer", r.stdout)
        self.assertEqual(len(named(load(self.path("result.json")), "fib")), 15)

    def test_double_dash_and_interpreter(self):
        script = self.write("s.py", FIB)
        out = self.path("dd.json")
        r = run_cli(["-o", out, "--include_files", self.dir, "--", sys.executable, script, "x"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("'x'", r.stdout)
        self.assertEqual(len(named(load(out), "fib")), 15)
        r = run_cli(["-o", out, "--run", script])
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_module_and_code(self):
        self.write("mymod.py", FIB)
        out = self.path("m.json")
        r = run_cli(["-o", out, "-m", "mymod", "q"], cwd=self.dir, env={"PYTHONPATH": os.environ.get("PYTHONPATH", "") + os.pathsep + self.dir})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("argv", r.stdout)
        self.assertEqual(len(named(load(out), "fib")), 15)
        r = run_cli(["-o", out, "--", "python3", "-m", "mymod", "z"], cwd=self.dir,
                    env={"PYTHONPATH": os.environ.get("PYTHONPATH", "") + os.pathsep + self.dir})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("'z'", r.stdout)
        self.assertEqual(len(named(load(out), "fib")), 15)
        r = run_cli(["-o", out, "-c", "def g():\n  return 1\ng()\ng()"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "g")), 2)

    def test_exit_codes_and_saving(self):
        out = self.path("e.json")
        script = self.write("exit.py", FIB + "import sys\nsys.exit(7)\n")
        r = run_cli(["-o", out, script])
        self.assertEqual(r.returncode, 7)
        self.assertEqual(len(named(load(out), "fib")), 15)
        script = self.write("raise.py", FIB + "raise RuntimeError('boom')\n")
        r = run_cli(["-o", out, script])
        self.assertEqual(r.returncode, 1)
        self.assertIn("RuntimeError: boom", r.stderr)
        self.assertEqual(len(named(load(out), "fib")), 15)

    def test_os_exit_saves(self):
        out = self.path("osexit.json")
        script = self.write("osexit.py", FIB + "import os\nos._exit(5)\n")
        r = run_cli(["-o", out, script])
        self.assertEqual(r.returncode, 5)
        self.assertEqual(len(named(load(out), "fib")), 15)

    def test_sigterm_saves(self):
        out = self.path("sig.json")
        ready = self.path("ready")
        script = self.write("term.py", FIB + f"open({ready!r}, 'w').close()\nimport time\n"
                            "while True:\n    time.sleep(0.01)\n")
        p = subprocess.Popen([sys.executable, "-m", "viztracer", "-o", out, script],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while not os.path.exists(ready) and time.time() < deadline and p.poll() is None:
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=60)
        self.assertEqual(p.returncode, 128 + signal.SIGTERM)
        self.assertEqual(len(named(load(out), "fib")), 15)

    def test_missing_script(self):
        r = run_cli(["-o", self.path("x.json"), self.path("nope.py")])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("No such file", r.stderr)

    def test_module_from_the_current_directory_with_the_installed_command(self):
        # The installed `viztracer` is a script in bin/: sys.path[0] is that directory, yet
        # `viztracer -m pkg` finds pkg in the current directory, as `python -m pkg` does.
        os.makedirs(self.path(os.path.join("proj", "pkgx")))
        self.write(os.path.join("proj", "pkgx", "__init__.py"), "")
        self.write(os.path.join("proj", "pkgx", "__main__.py"), FIB)
        os.mkdir(self.path("bin"))
        cmd = self.write(os.path.join("bin", "viztracer"),
                         "import sys\nfrom viztracer.main import main\nsys.exit(main())\n")
        out = self.path("m.json")
        r = subprocess.run([sys.executable, cmd, "-o", out, "-m", "pkgx"], cwd=self.path("proj"),
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "fib")), 15)

    def test_output_in_a_new_directory(self):
        script = self.write("s.py", FIB)
        out = self.path(os.path.join("new", "dir", "o.json"))
        r = run_cli(["-o", out, script])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "fib")), 15)
        r = run_cli(["--output_dir", self.path("od"), "-o", os.path.join("sub", "o.json"), script])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(self.path(os.path.join("od", "sub", "o.json"))), "fib")), 15)

    def test_script_found_on_path_and_json_refused(self):
        # `viztracer tool args` runs a Python script `tool` found on $PATH, as viztracer does.
        os.mkdir(self.path("bin"))
        self.write(os.path.join("bin", "mytool"), FIB)
        out = self.path("tool.json")
        env = {"PATH": self.path("bin") + os.pathsep + os.environ.get("PATH", "")}
        r = run_cli(["-o", out, "mytool", "x"], cwd=self.dir, env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("argv ['mytool', 'x'] __main__", r.stdout)
        self.assertEqual(len(named(load(out), "fib")), 15)
        self.write("old.json", "{}")
        r = run_cli(["old.json"], cwd=self.dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("vizviewer old.json", r.stderr)


class TestOptions(TempDirTest):
    def trace(self, opts, body=FIB, name="t.json"):
        script = self.write("s.py", body)
        out = self.path(name)
        r = run_cli(["-o", out] + opts + ["--", script] if opts else ["-o", out, script])
        self.assertEqual(r.returncode, 0, r.stderr)
        return load(out) if not out.endswith(".vzt") else out

    def test_limits(self):
        data = self.trace(["--tracer_entries", "10"])
        self.assertEqual(len(events(data)), 10)
        self.assertTrue(data["viztracer_metadata"]["overflow"])
        # depth 1 is builtins.exec, 2 the script's <module>, 3 fib(10): one fib call
        body = "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(10)\n"
        self.assertEqual(len(named(self.trace(["--max_stack_depth", "3"], body), "fib")), 1)
        self.assertEqual(len(named(self.trace(["--max_stack_depth", "5"], body), "fib")), 7)

    def test_filters(self):
        self.assertFalse([e for e in events(self.trace(["--ignore_c_function"])) if e["name"] == "builtins.print"])
        self.assertTrue([e for e in events(self.trace([])) if e["name"] == "builtins.print"])
        data = self.trace(["--exclude_files", self.dir])
        self.assertEqual(named(data, "fib"), [])
        data = self.trace(["--min_duration", "1s"])
        self.assertEqual(named(data, "fib"), [])
        data = self.trace(["--min_duration", "0.0ms"])
        self.assertEqual(len(named(data, "fib")), 15)

    def test_func_args_print_var(self):
        body = "def f(a):\n    return a * 2\nf(21)\nx = 5\ny = 'txt'\nclass C: pass\nc = C()\nc.val = 3\nprint('hey')\n"
        data = self.trace(["--log_func_args", "--log_func_retval", "--log_print",
                           "--log_var", "y", "--log_number", "x", "--log_attr", "val"], body)
        f = named(data, "f")[0]
        self.assertEqual(f["args"]["func_args"], {"a": "21"})
        self.assertEqual(f["args"]["return_value"], "42")
        inst = [e["name"] for e in events(data, "i")]
        self.assertIn("print - hey\n", inst)
        self.assertIn("Variable Assign - y = 'txt'", inst)
        self.assertIn("Attribute Assign - c.val = 3", inst)
        self.assertEqual([e["args"] for e in events(data, "C") if e["name"] == "Variable Assign - x"], [{"value": 5}])

    def test_output_dir_unique_pid_suffix(self):
        script = self.write("s.py", FIB)
        d = self.path("outdir")
        r = run_cli(["--output_dir", d, "-u", script])
        self.assertEqual(r.returncode, 0, r.stderr)
        files = os.listdir(d)
        self.assertEqual(len(files), 1)
        self.assertTrue(files[0].startswith("result_") and files[0].endswith(".json"))
        r = run_cli(["--pid_suffix", "-o", self.path("p.json"), script])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len([f for f in os.listdir(self.dir) if f.startswith("p_")]), 1)

    def test_vzt_and_gz_output(self):
        out = self.trace([], name="t.vzt")
        self.assertEqual(sum(t["slices"] for t in stats(out)["threads"]) >= 15, True)
        data = self.trace([], name="t.json.gz")
        self.assertEqual(len(named(data, "fib")), 15)

    def test_combine(self):
        script = self.write("s.py", FIB)
        a, b, m = self.path("a.json"), self.path("b.json"), self.path("m.json")
        for p in (a, b):
            self.assertEqual(run_cli(["-o", p, script]).returncode, 0)
        r = run_cli(["--combine", a, b, "-o", m])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(m), "fib")), 30)
        self.assertEqual(len({e["pid"] for e in named(load(m), "fib")}), 2)
        r = run_cli(["--align_combine", a, b, "-o", m])
        self.assertEqual(r.returncode, 0, r.stderr)
        starts = sorted({min(e["ts"] for e in events(load(m)) if e["pid"] == pid)
                         for pid in {e["pid"] for e in events(load(m))}})
        self.assertEqual(starts, [0])
        g = self.path("g.json.gz")
        self.assertEqual(run_cli(["-o", g, script]).returncode, 0)
        r = run_cli(["--combine", a, g, "-o", self.path("m.vzt")])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(sum(t["slices"] for t in stats(self.path("m.vzt"))["threads"]),
                         len(events(load(a))) + len(events(load(g))))
        r = run_cli(["--combine", self.write("bad.json", "{\"x\": 1}"), "-o", m])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("traceEvents", r.stderr)

    def test_open_and_flamegraph_run_the_viewer(self):
        log = self.path("viewer.log")
        fake = self.write("fake_viewer.sh", f"#!/bin/sh\necho \"$@\" >> {log}\n")
        os.chmod(fake, 0o755)
        script = self.write("s.py", FIB)
        out = self.path("o.json")
        for opt in ("--open", "--flamegraph"):
            r = run_cli([opt, "-o", out, script], env={"VIZVIEWER_BINARY": fake})
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(log) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines, [out, f"--tab flamegraph {out}"])

    def test_python_m_vizviewer(self):
        script = self.write("s.py", FIB)
        out = self.path("o.json")
        self.assertEqual(run_cli(["-o", out, script]).returncode, 0)
        if not os.environ.get("VZ_VIZVIEWER"):
            self.skipTest("VZ_VIZVIEWER is not set")
        r = subprocess.run([sys.executable, "-m", "vizviewer", "--stats", out], capture_output=True,
                           text=True, env=dict(os.environ, VIZVIEWER_BINARY=os.environ["VZ_VIZVIEWER"]))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"slices":', r.stdout)

    def test_log_sparse_and_async(self):
        body = ("from viztracer import log_sparse\n@log_sparse\ndef marked():\n    return 1\n"
                "def plain():\n    return 2\nmarked()\nplain()\n")
        data = self.trace(["--log_sparse"], body)
        self.assertEqual(len(named(data, "marked")), 1)
        self.assertEqual(named(data, "plain"), [])
        body = ("import asyncio\nasync def leaf():\n    await asyncio.sleep(0)\n"
                "async def main():\n    await asyncio.gather(asyncio.create_task(leaf(), name='t1'), "
                "asyncio.create_task(leaf(), name='t2'))\nasyncio.run(main())\n")
        data = self.trace(["--log_async"], body)
        names = {m["args"]["name"] for m in events(data, "M") if m["name"] == "thread_name"}
        self.assertTrue({"t1", "t2"} <= names, names)

    def test_version_and_help(self):
        r = run_cli(["--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout.strip(), r"^\d+\.\d+\.\d+$")
        r = run_cli(["-h"])
        self.assertEqual(r.returncode, 0)
        for opt in ("--tracer_entries", "--log_var", "--combine", "--ignore_multiprocess"):
            self.assertIn(opt, r.stdout)
        r = run_cli(["-o", "out.txt", "x.py"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown output format", r.stderr)
        r = run_cli(["--min_duration", "abc", "x.py"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("duration", r.stderr)


if __name__ == "__main__":
    unittest.main()
