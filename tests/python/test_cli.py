"""The `viztracer` command (python3 -m viztracer): running scripts, modules and code strings,
exit codes, saving on errors and signals, and the options."""
import importlib.util
import json
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

    def test_program_options_after_the_target(self):
        # What follows -m MODULE, -c CODE or the script is the program's, even where it spells
        # one of ours (`viztracer -m pytest -x -q`): as python splits its own command line.
        self.write("mymod.py", FIB)
        env = {"PYTHONPATH": os.environ.get("PYTHONPATH", "") + os.pathsep + self.dir}
        out = self.path("m.json")
        mod = self.path("mymod.py")  # argv[0] of `python -m mymod`
        cases = [
            (["-o", out, "-m", "mymod", "-q", "--quiet", "-o", "x"], f"['{mod}', '-q', '--quiet', '-o', 'x']"),
            (["-o", out, "-mmymod", "-h"], f"['{mod}', '-h']"),
            (["--output_f", out, "--module=mymod", "-c", "y"], f"['{mod}', '-c', 'y']"),
            (["-o", out, "--mod", "mymod", "--version"], f"['{mod}', '--version']"),
            (["-o", out, "--include_files", self.dir, "--", "mymod.py", "-m", "z"],
             "['mymod.py', '-m', 'z']"),
            (["-o", out, "mymod.py", "-m", "z", "--", "-h"], "['mymod.py', '-m', 'z', '--', '-h']"),
        ]
        for argv, shown in cases:
            with self.subTest(argv=argv):
                os.path.exists(out) and os.unlink(out)
                r = run_cli(argv, cwd=self.dir, env=env)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn(f"argv {shown} __main__", r.stdout)
                self.assertEqual(len(named(load(out), "fib")), 15)
        # Short options run together split as argparse splits them: -uo is -u and -o, which
        # viztracer does not take together (a mutually exclusive group), with the program's own
        # -uo after the module left alone.
        for argv in (["-uo", out, "-m", "mymod", "-uo"], ["-uo" + out, "mymod.py", "-o"]):
            with self.subTest(argv=argv):
                r = run_cli(argv, cwd=self.dir, env=env)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("-u/--unique_output_file: not allowed with argument -o/--output_file", r.stderr)
        r = run_cli(["-um", "mymod", "-uo"], cwd=self.dir, env=env)  # -u with -m: result_<time>_<pid>.json
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"argv ['{mod}', '-uo'] __main__", r.stdout)
        r = run_cli(["-o", out, "-c", "import sys; print(sys.argv)", "-o", "--quiet"], cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("['-c', '-o', '--quiet']", r.stdout)
        self.assertIn(f"vizviewer {out}", r.stdout)  # --quiet was the program's, not ours

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

    def test_a_module_that_fails_as_it_imports_is_the_program_failing(self):
        """-m: an ImportError of the module's own code (not of finding it) is the program's
        failure: its traceback, exit status 1, and the trace saved."""
        self.write("badimp.py", FIB + "import no_such_dependencyz\n")
        out = self.path("bi.json")
        r = run_cli(["-o", out, "-m", "badimp"], cwd=self.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("ModuleNotFoundError: No module named 'no_such_dependencyz'", r.stderr)
        self.assertEqual(len(named(load(out), "fib")), 15)

    def test_stdout_closed_or_a_broken_pipe_keeps_the_exit_status(self):
        """viztracer's own messages never change the program's outcome: a program that closes
        stdout, or a stdout that is a broken pipe (`viztracer t.py | head -1`), exits as it
        would without viztracer, with no traceback of viztracer's, and the trace saved."""
        closes = self.write("closes.py", FIB + "sys.stdout.close()\n")
        out = self.path("c.json")
        r = run_cli(["-o", out, closes])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertIn("argv", r.stdout)
        self.assertEqual(len(named(load(out), "fib")), 15)
        quiet = self.write("quiet.py", "import sys\nsys.exit(3)\n")
        for argv in (["-o", out, quiet], ["--combine", out, "-o", self.path("m.json")]):
            with self.subTest(argv=argv):
                r_end, w_end = os.pipe()
                os.close(r_end)  # nobody reads: every write to stdout fails (EPIPE)
                try:
                    p = subprocess.run([sys.executable, "-m", "viztracer"] + argv, stdout=w_end,
                                       stderr=subprocess.PIPE, text=True, timeout=120)
                finally:
                    os.close(w_end)
                self.assertEqual(p.returncode, 3 if quiet in argv else 0, p.stderr)
                self.assertEqual(p.stderr, "")
        self.assertEqual(load(out)["traceEvents"][0]["ph"], "M")

    def test_missing_script(self):
        r = run_cli(["-o", self.path("x.json"), self.path("nope.py")])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("No such file", r.stderr)

    def test_a_program_that_cannot_start_writes_nothing(self):
        """Nothing to run (a script taken by a list option), no such script, a syntax error, a
        tracer that cannot start: the error is said, and no trace replaces the user's file,
        and nothing is left in the directory or the temporary one."""
        self.write("bad.py", "def f(:\n")
        self.write("ok.py", FIB)
        tmp = self.path("tmp")
        os.mkdir(tmp)
        cases = [
            (["--exclude_files", "pkg", "ok.py"], 2, "needs -- before the script"),
            (["nope.py"], 1, "No such file as nope.py"),
            (["bad.py"], 1, "SyntaxError"),
            (["--include_files", "a", "--exclude_files", "b", "--", "ok.py"], 1, "cannot start tracing"),
            # as `python -m`: a module that cannot be found, a package without a __main__
            (["-m", "no_such_modulez"], 1, "viztracer: No module named no_such_modulez\n"),
            (["-m", "no_such_pkgz.sub"], 1, "No module named 'no_such_pkgz'"),
            (["-m", "json"], 1, "'json' is a package and cannot be directly executed"),
        ]
        for argv, code, said in cases:
            with self.subTest(argv=argv):
                self.write("result.json", "KEEP")
                r = run_cli(argv, cwd=self.dir, env={"TMPDIR": tmp})
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn(said, r.stderr)
                self.assertNotIn("Traceback", r.stderr)
                self.assertNotIn("Saving trace", r.stdout)
                with open(self.path("result.json")) as f:
                    self.assertEqual(f.read(), "KEEP")
                self.assertEqual(sorted(os.listdir(self.dir)), ["bad.py", "ok.py", "result.json", "tmp"])
                self.assertEqual(os.listdir(tmp), [])

    def test_an_output_that_cannot_be_written_is_said_before_the_program_runs(self):
        os.mkdir(self.path("d.json"))
        script = self.write("mark.py", "open(__file__ + '.ran', 'w').close()\n")
        r = run_cli(["-o", self.path("d.json"), script], cwd=self.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot write", r.stderr)
        self.assertIn("it is a directory", r.stderr)
        self.assertFalse(os.path.exists(script + ".ran"))

    def test_interpreter_options_after_double_dash(self):
        script = self.write("s.py", FIB)
        out = self.path("i.json")
        r = run_cli(["-o", out, "--", "python3", "-u", "-W", "ignore", "-B", script, "x"], cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("'x'", r.stdout)
        self.assertEqual(len(named(load(out), "fib")), 15)
        # Run together (-uc CODE), into a directory the run makes.
        out = self.path(os.path.join("new", "c.json"))
        r = run_cli(["-o", out, "--", "python3", "-uc", "def g():\n  return 1\ng()"], cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "g")), 1)

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
        self.assertEqual([e["args"] for e in events(data, "C") if e["name"] == "Variable Assign - x"],
                         [{"Variable Assign - x": 5}])

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

    def test_combine_keeps_the_tid_of_counters_and_objects(self):
        script = self.write("c.py", "from viztracer import get_tracer\n"
                            "t = get_tracer()\n"
                            "t.add_counter('load', {'v': 1})\n"
                            "t.add_object('N', '0x1', 'obj')\n")
        a, v, m = self.path("a.json"), self.path("v.vzt"), self.path("m.json")
        for p in (a, v):
            self.assertEqual(run_cli(["-o", p, script]).returncode, 0)
        mine = [e for e in load(a)["traceEvents"] if e.get("ph") in ("C", "N")]
        self.assertEqual(sorted(e["ph"] for e in mine), ["C", "N"])
        self.assertTrue(all("tid" in e for e in mine), mine)
        r = run_cli(["--combine", a, v, "-o", m])
        self.assertEqual(r.returncode, 0, r.stderr)
        merged = [e for e in load(m)["traceEvents"] if e.get("ph") in ("C", "N")]
        self.assertEqual(len(merged), 4)
        tids = {(e["pid"], e["tid"]) for e in events(load(m))}  # the threads' own
        self.assertEqual({(e["pid"], e.get("tid")) for e in merged} - tids, set(), merged)
        self.assertEqual(sorted(e["tid"] for e in merged if e["pid"] == mine[0]["pid"]),
                         sorted(e["tid"] for e in mine))

    def test_combine_reads_vzt(self):
        script = self.write("s.py", FIB)
        a, v, m = self.path("a.json"), self.path("v.vzt"), self.path("m.json")
        for p in (a, v):
            self.assertEqual(run_cli(["-o", p, script]).returncode, 0)
        for opt in ("--combine", "--align_combine"):
            r = run_cli([opt, a, v, "-o", m])
            self.assertEqual(r.returncode, 0, r.stderr)
            data = load(m)
            fibs = named(data, "fib")
            self.assertEqual(len(fibs), 30)
            self.assertEqual(len({e["pid"] for e in fibs}), 2)
            self.assertTrue(any(k.startswith("fib (") for k in data["file_info"]["functions"]))
        r = run_cli(["--combine", a, self.write("junk.vzt", "VZT? not really"), "-o", m])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("junk.vzt", r.stderr)
        # A file cut short is merged up to the cut, and said so.
        with open(a) as f:
            text = f.read()
        cut = self.write("cut.json", text[: len(text) // 2])
        r = run_cli(["--combine", cut, v, "-o", m])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cut.json: offset", r.stderr)
        self.assertTrue(len(named(load(m), "fib")) >= 15)

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
        # A viewer that cannot start is said; the trace is saved all the same.
        r = run_cli(["--open", "-o", out, script], env={"VIZVIEWER_BINARY": self.path("no_such_viewer")})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("cannot start the viewer", r.stderr)
        self.assertTrue(os.path.exists(out))

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



# viztracer's own test scripts for the source-rewriting options (tests/test_cmdline.py there);
# its expected event counts are kept in the comments.
VIZ_LOG_VAR = """
class Stub:
    def __init__(self):
        self.b = 0

def f1(a, *a2, a3, **a4):
    return None

for a_in_for in [1,2]:
    pass

(a): int = 1
a = [1, 2]
abc = 1
a[1] = 0
a[1] += 1
a = Stub()
a.b = 1
abc = 2
abc += 1
abc: int = 1
a, abc = (1, 2)
unrelated, *a = 1, 2, 3
[abc, d] = 3, 4
f1(2, 3, a3=4, test=5)
"""

VIZ_LOG_ATTR = """
class Stub:
    def __init__(self):
        self.a = 0
        self.b = 0
        self.c = 0
        self.alst = [1,2,3]

s = Stub()
s.a = [1, 2]
s.alst[1] = 0
lst = [s, 2]
lst[0].a = 1
s.b += 1
a, abc = (1, 2)
unrelated, *s.a = 1, 2, 3
[abc, d] = 3, 4
"""

VIZ_FUNC_EXEC = """
def a():
    n = 2
    n += 3

def aba():
    __viz_tracer__.add_func_args("place", "holder")
    n2 = 3
    n2 += 5

def b():
    t = 0

a()
aba()
b()
"""


def instants(data, prefix=""):
    return [e for e in events(data, "i") if e["name"].startswith(prefix)]


class TestViztracerOptions(TempDirTest):
    """The rest of viztracer's command line: the rcfile, --log_exit, --log_audit, the
    source-rewriting options, the options accepted without effect and the refused ones."""

    def run_ok(self, args, body=FIB, cwd=None, name="t.json"):
        script = self.write("s.py", body)
        out = self.path(name)
        r = run_cli(["-o", out] + args + ["--", script], cwd=cwd)
        self.assertEqual(r.returncode, 0, r.stderr)
        return load(out), r

    def test_rcfile_in_the_current_directory_and_command_line_override(self):
        self.write(".viztracerrc", "[default]\ntracer_entries = 10\n")
        data, _ = self.run_ok([], cwd=self.dir)
        self.assertEqual(len(events(data)), 10)
        self.assertTrue(data["viztracer_metadata"]["overflow"])
        data, _ = self.run_ok(["--tracer_entries", "1000"], cwd=self.dir)
        self.assertEqual(len(named(data, "fib")), 15)
        self.assertFalse(data["viztracer_metadata"]["overflow"])
        # Not read from another directory.
        os.mkdir(self.path("elsewhere"))
        data, _ = self.run_ok([], cwd=self.path("elsewhere"))
        self.assertEqual(len(named(data, "fib")), 15)

    def test_rcfile_conversions(self):
        # A flag is set by its key whatever the value; a list is split on whitespace.
        rc = self.write("my.rc", "[default]\nignore_c_function = false\nlog_var = x y\n"
                                 "max_stack_depth = 3\nmin_duration = 0.0ms\n")
        body = "x = 1\ny = 'a'\nz = 2\ndef fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\nfib(10)\n"
        data, _ = self.run_ok(["--rcfile", rc], body)
        self.assertEqual(sorted(e["name"] for e in instants(data)),
                         ["Variable Assign - x = 1", "Variable Assign - y = 'a'"])
        self.assertEqual([e["name"] for e in events(data) if "(" not in e["name"]], [])
        self.assertEqual(len(named(data, "fib")), 3)  # depth 3: <module>, fib(10), fib(9|8)
        data, _ = self.run_ok(["--rcfile", rc, "--max_stack_depth", "5"], body)
        self.assertEqual(len(named(data, "fib")), 1 + 2 + 4 + 8)

    def test_rcfile_errors(self):
        script = self.write("s.py", FIB)
        out = self.path("e.json")
        cases = [
            (["--rcfile", self.path("missing.rc")], "missing.rc does not exist"),
            (["--rcfile", self.write("nodefault.rc", "[other]\ntracer_entries = 5\n")],
             "no [default] section"),
            (["--rcfile", self.write("badvalue.rc", "[default]\ntracer_entries = lots\n")],
             "tracer_entries"),
            (["--rcfile", self.write("notini.rc", "tracer_entries = 5\n")], "cannot read rcfile"),
        ]
        for args, message in cases:
            r = run_cli(args + ["-o", out, script])
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr)
            self.assertNotIn("Traceback", r.stderr)
            self.assertFalse(os.path.exists(out))
        self.write(".viztracerrc", "[other]\n")
        r = run_cli(["-o", out, script], cwd=self.dir)
        self.assertEqual(r.returncode, 2)
        self.assertIn(".viztracerrc has no [default] section", r.stderr)

    def test_log_exit_records_atexit_handlers(self):
        body = FIB.replace("fib(5)", "import atexit, sys\natexit.register(fib, 5)\nfib(2)\nsys.exit(3)")
        script = self.write("s.py", body)
        for args, calls in (([], 3), (["--log_exit"], 3 + 15)):
            out = self.path("exit.json")
            r = run_cli(["-o", out] + args + [script])
            self.assertEqual(r.returncode, 3, r.stderr)
            data = load(out)
            self.assertEqual(len(named(data, "fib")), calls, args)
            if args:  # nothing of the command's own between the program's end and its handlers
                self.assertEqual({e["name"].split(" (")[0] for e in events(data)},
                                 {"builtins.exec", "<module>", "fib", "atexit.register", "sys.exit"})

    def test_log_audit(self):
        body = ("import sys\nsys.audit('vz.test', 1, 'two')\nsys.audit('vz.test', [3], None)\n"
                "sys.audit('vz.other')\nfor i in range(3):\n    id(i)\n")
        data, _ = self.run_ok(["--log_audit", r"vz\.test", "builtins.id"], body)
        tests = [e for e in instants(data) if e["name"] == "vz.test"]
        self.assertEqual([e["args"] for e in tests], [{"args": ["1", "two"]}, {"args": ["[3]", "None"]}])
        self.assertEqual({e["s"] for e in tests}, {"t"})
        self.assertEqual(len([e for e in instants(data) if e["name"] == "builtins.id"]), 3)
        self.assertEqual(len(instants(data)), 5)
        data, _ = self.run_ok(["--log_audit"], body)  # every audit event
        names = [e["name"] for e in instants(data)]
        self.assertEqual(names.count("vz.test"), 2)
        self.assertEqual(names.count("vz.other"), 1)
        self.assertEqual(names.count("builtins.id"), 3)
        data, _ = self.run_ok([], body)
        self.assertEqual(instants(data), [])

    def test_log_exception(self):
        body = ("made = []\ndef make(msg):\n    made.append(msg)\n    return KeyError(msg)\n"
                "try:\n    raise ValueError('bad')\nexcept ValueError:\n    pass\n"
                "def f():\n    raise make('k')\ntry:\n    f()\nexcept KeyError:\n    pass\n"
                "try:\n    try:\n        raise TypeError\n    except TypeError:\n        raise\n"
                "except TypeError:\n    pass\n"
                "try:\n    1 / 0\nexcept ZeroDivisionError:\n    pass\n"
                "print('made', made)\n")
        data, r = self.run_ok(["--log_exception"], body)
        self.assertIn("made ['k']", r.stdout)  # the raised expression runs once
        self.assertEqual([(e["name"], e["s"]) for e in instants(data)], [
            ("Exception - ValueError() = ValueError('bad')", "p"),
            ("Exception - make() = KeyError('k')", "p"),
            ("Exception - TypeError = <class 'TypeError'>", "p"),
            ("Exception = TypeError()", "p"),
        ])
        data, _ = self.run_ok([], body)
        self.assertEqual(instants(data), [])
        # The program's own error and its traceback are unchanged.
        script = self.write("boom.py", "def g():\n    raise RuntimeError('boom')\ng()\n")
        r = run_cli(["-o", self.path("b.json"), "--log_exception", script])
        self.assertEqual(r.returncode, 1)
        self.assertIn("    raise RuntimeError('boom')\n", r.stderr)
        self.assertIn("RuntimeError: boom", r.stderr)
        self.assertEqual(len(instants(load(self.path("b.json")), "Exception - RuntimeError()")), 1)

    def test_log_func_exec_and_entry(self):
        data, _ = self.run_ok(["--log_func_exec", "a.*"], VIZ_FUNC_EXEC)
        self.assertEqual(named(data, "a")[0]["args"], {"exec_steps": ["(3) n = 2", "(4) n = 5"]})
        self.assertEqual(named(data, "aba")[0]["args"],
                         {"place": "holder", "exec_steps": ["(8) n2 = 3", "(9) n2 = 8"]})
        self.assertNotIn("args", named(data, "b")[0])
        data, _ = self.run_ok(["--log_func_entry", "a.*"], VIZ_FUNC_EXEC)
        self.assertEqual(len(events(data)) + len(instants(data)), 7)  # viztracer's count
        self.assertEqual([(e["name"], e["s"]) for e in instants(data)],
                         [("Function Entry - a = 'a is called'", "p"),
                          ("Function Entry - aba = 'aba is called'", "p")])
        # The docstring stays the docstring; a nested function keeps its own decision.
        body = ('def outer():\n    """doc"""\n    x = 1\n    def inner():\n        y = 2\n'
                '    inner()\n    z = 3\nouter()\nprint(outer.__doc__)\n')
        data, r = self.run_ok(["--log_func_exec", "outer", "--log_func_entry", "outer"], body)
        self.assertIn("doc", r.stdout)
        self.assertEqual(named(data, "outer")[0]["args"], {"exec_steps": ["(3) x = 1", "(7) z = 3"]})
        self.assertEqual(len(instants(data, "Function Entry - outer")), 1)

    def test_log_var_number_attr_as_viztracer(self):
        data, _ = self.run_ok(["--log_var", "a.*"], VIZ_LOG_VAR)
        self.assertEqual(len(events(data)) + len(instants(data)), 26)  # viztracer's count
        names = [e["name"] for e in instants(data)]
        self.assertEqual(len(names), 20)
        for name in ("Variable Assign - a_in_for = 2", "Variable Assign - a = [1, 1]",
                     "Variable Assign - a2 = (3,)", "Variable Assign - a4 = {'test': 5}"):
            self.assertIn(name, names)
        data, _ = self.run_ok(["--log_number", "ab[cd]"], VIZ_LOG_VAR)
        counters = [e for e in events(data, "C")]
        self.assertEqual(len(events(data)) + len(counters), 12)  # viztracer's count
        self.assertEqual([e["args"] for e in counters],
                         [{"Variable Assign - abc": v} for v in (1, 2, 3, 1, 2, 3)])
        # A non-number raises, as viztracer documents: the program fails with it, still saved.
        script = self.write("nonnum.py", "abc = 1\nabc = 'text'\n")
        out = self.path("nonnum.json")
        r = run_cli(["-o", out, "--log_number", "abc", "--", script], cwd=self.dir)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("ValueError: 'text' is not a number", r.stderr)
        self.assertEqual([e["args"] for e in events(load(out), "C")], [{"Variable Assign - abc": 1}])
        data, _ = self.run_ok(["--log_attr", "a.*"], VIZ_LOG_ATTR)
        self.assertEqual(len(events(data)) + len(instants(data)), 9)  # viztracer's count
        self.assertEqual([e["name"] for e in instants(data)],
                         ["Attribute Assign - self.a = 0", "Attribute Assign - self.alst = [1, 2, 3]",
                          "Attribute Assign - s.a = [1, 2]", "Attribute Assign - lst[0].a = 1"])

    def test_magic_comment(self):
        body = ("def f():\n    # !viztracer: log_instant('in f')\n    return 1\nf()\nf()\n"
                "#!viztracer: log_var('answer', 42)\n")
        data, _ = self.run_ok(["--magic_comment"], body)
        self.assertEqual([e["name"] for e in instants(data)], ["in f", "in f"])
        self.assertEqual([e["args"] for e in events(data, "C")], [{"value": 42}])
        data, _ = self.run_ok([], body)
        self.assertEqual(instants(data) + events(data, "C"), [])

    def test_refused_options_and_bad_patterns(self):
        script = self.write("s.py", FIB)
        out = self.path("never.json")
        torch = importlib.util.find_spec("torch") is not None
        cases = [
            (["--attach", "123"], "attaching to a running process is not supported"),
            (["--attach_installed", "123"], "attaching to a running process is not supported"),
            (["--uninstall", "123"], "attaching to a running process is not supported"),
            (["-t", "5"], "attaching to a running process is not supported"),
            (["--plugins", "vizplugins.cpu_usage", "--"], "plugins are not supported"),
            (["--log_torch"], "log_torch is not supported" if torch else "torch is not installed"),
            (["--compress", "a.json"], "vizviewer --convert IN.json OUT.vzt"),
            (["--decompress", "a.cvf"], "vizviewer --convert IN.vzt OUT.json"),
            (["--subprocess_child"], "internal to viztracer"),
            (["--log_var", "x(", "--"], "--log_var: 'x(' is not a regular expression"),
            (["--log_audit", "[a", "--"], "--log_audit: '[a' is not a regular expression"),
        ]
        for args, message in cases:
            r = run_cli(["-o", out] + args + [script])
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(r.stderr.count("\n"), 1, r.stderr)  # one line, no traceback
            self.assertIn(message, r.stderr)
            self.assertFalse(os.path.exists(out))

    def test_options_accepted_without_effect(self):
        args = ["--sanitize_function_name", "--minimize_memory", "--dump_raw", "--file_info",
                "--log_subprocess", "--log_func_with_objprint", "--log_func_args"]
        data, _ = self.run_ok(args)
        self.assertEqual(len(named(data, "fib")), 15)
        self.assertIn("file_info", data)
        if importlib.util.find_spec("objprint") is None:  # repr then
            self.assertIn({"n": "5"}, [e["args"]["func_args"] for e in named(data, "fib")])
        r = run_cli(["-h"])
        for opt in args + ["--rcfile", "--log_exit", "--log_audit", "--log_exception",
                           "--log_func_exec", "--log_func_entry", "--magic_comment", "--attach",
                           "--compress", "--cmd_string", "--module"]:
            self.assertIn(opt, r.stdout)
        self.assertIn("valid UTF-8", r.stdout)

    def test_long_forms_of_c_and_m(self):
        out = self.path("l.json")
        r = run_cli(["-o", out, "--cmd_string", "def g():\n  return 1\ng()\ng()\ng()"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "g")), 3)
        self.write("longmod.py", FIB)
        r = run_cli(["-o", out, "--module", "longmod"], cwd=self.dir)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "fib")), 15)

    def test_names_that_utf8_cannot_encode_are_written_as_valid_utf8(self):
        # Lone surrogates (undecodable file names, names built at run time) become '?'.
        body = ("from viztracer import get_tracer\ndef odd(x):\n    return 1\n"
                "odd.__code__ = odd.__code__.replace(co_qualname='bad\\udcffname', "
                "co_filename='/tmp/f\\udcfe.py')\nodd('arg\\udcfd')\n"
                "get_tracer().log_instant('inst\\udcff', {'k\\udcff': 'v'})\n")
        for name in ("u.json", "u.vzt"):
            script = self.write("s.py", body)
            out = self.path(name)
            r = run_cli(["-o", out, "--log_func_args", script])
            self.assertEqual(r.returncode, 0, r.stderr)
            if name.endswith(".vzt"):
                self.assertEqual(sum(t["instants"] for t in stats(out)["threads"]) +
                                 stats(out)["instants"]["global"], 1)
                continue
            with open(out, "rb") as f:
                data = json.loads(f.read().decode("utf-8"))  # strict: valid UTF-8
            odd = [e for e in events(data) if e["name"].startswith("bad?name")]
            self.assertEqual([e["name"] for e in odd], ["bad?name (/tmp/f?.py:2)"])
            self.assertEqual(odd[0]["args"]["func_args"], {"x": "'arg\\udcfd'"})
            self.assertEqual([(e["name"], e["args"]) for e in instants(data)], [("inst?", {"k?": "v"})])


if __name__ == "__main__":
    unittest.main()
