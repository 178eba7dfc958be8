"""Review fixes: stopping the wait for children (Ctrl+C, SIGTERM), forked children of a program
that ends at once, children started by a shell or through env, unique child trace names, the
cell magic's flags, the bounded names of hand-added events, ReportBuilder's file_info, frozen
modules' sources, stash directories of forked children."""
import glob
import json
import os
import signal
import subprocess
import sys
import unittest

import viztracer
from helpers import TempDirTest, events, load, named, run_cli


def ran(test, name, source, arg):
    """The program `source` (written as `name`) run by python with the argument `arg` to status
    0; its stdout."""
    script = test.write(name, source)
    r = subprocess.run([sys.executable, script, arg], capture_output=True, text=True, timeout=60)
    test.assertEqual(r.returncode, 0, r.stderr)
    return r.stdout


def traced_quietly(test, script):
    """`viztracer --quiet -o out.json script` run to a clean end (status 0, nothing on stderr);
    the trace it saved."""
    out = test.path("out.json")
    r = run_cli(["--quiet", "-o", out, script])
    test.assertEqual(r.returncode, 0, r.stderr)
    test.assertEqual(r.stderr, "")
    return load(out)

# The child reads its stdin until the root (which holds the pipe's other end) exits.
WAITED = """
import subprocess, sys
def root_fn():
    return 1
root_fn()
p = subprocess.Popen([sys.executable, "-c", "import sys\\nsys.stdin.read()"], stdin=subprocess.PIPE)
print(p.pid, flush=True)
"""


class TestStopWaiting(TempDirTest):
    def _interrupted(self, sig):
        script = self.write("waited.py", WAITED)
        out = self.path("out.json")
        tmp = self.path("tmp")
        os.mkdir(tmp)
        env = dict(os.environ, TMPDIR=tmp, VZ_VIZTRACER_CHILD_WAIT="600")
        p = subprocess.Popen([sys.executable, "-m", "viztracer", "-o", out, script], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            child = int(p.stdout.readline())
            line = p.stderr.readline()  # the root is waiting: said once it waits
            self.assertIn("waiting for 1 child", line)
            self.assertIn("(Ctrl+C to stop waiting)", line)
            p.send_signal(sig)
            err = p.communicate(timeout=60)[1]
        finally:
            if p.poll() is None:
                p.kill()
                p.communicate()
        self.assertIn(f"stopped waiting ({'Ctrl+C' if sig == signal.SIGINT else 'SIGTERM'})", err)
        self.assertIn(f"pids {child})", err)
        self.assertNotIn("Traceback", err)
        data = load(out)
        self.assertTrue(named(data, "root_fn"))
        self.assertEqual(glob.glob(os.path.join(tmp, "viztracer_children_*")), [])

    def test_ctrl_c_while_waiting_saves_and_cleans_up(self):
        self._interrupted(signal.SIGINT)

    def test_sigterm_while_waiting_saves_and_cleans_up(self):
        self._interrupted(signal.SIGTERM)


# The root's program ends right after fork(); the child runs child_fn once it has (the pipe
# closed).
FORK_EXIT = """
import os
def child_fn():
    return 1
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(w)
    os.read(r, 1)
    child_fn()
    os._exit(0)
os.close(w)
"""

# A before-fork hook registered before the package's runs after it (they run last registered
# first): what it sees is there before the child exists.
FORK_TOKEN = """
import json, os, sys
from viztracer import VizTracer, children
d = sys.argv[1]
seen = []
os.register_at_fork(before=lambda: seen.append(sorted(os.listdir(d))))
t = VizTracer(verbose=0)
children._state.update(tracer=t, dir=d, root_pid=os.getpid())
children._install_process_hooks()
t.start()
pid = os.fork()
if pid == 0:
    os._exit(0)
os.waitpid(pid, 0)
t.stop()
import threading
print(json.dumps([os.getpid(), threading.get_ident(), pid, seen, sorted(os.listdir(d))]))
"""

# Two threads' before-fork hooks, then the first thread's fork only (its child drops its own
# token): the second thread's token stays, for the fork it is about to make.
FORK_TOKENS_PER_THREAD = """
import json, os, sys, threading
from viztracer import VizTracer, children
d = sys.argv[1]
t = VizTracer(verbose=0)
children._state.update(tracer=t, dir=d, root_pid=os.getpid())
t.start()
other = threading.Thread(target=children._before_fork)
children._before_fork()
other.start(); other.join()
two = sorted(os.listdir(d))
children._drop_fork_token()  # (what this thread's child does once it has announced itself)
t.stop()
print(json.dumps([len(two), sorted(os.listdir(d)), other.ident]))
"""

FORK_AFTER_SAVE = """
import sys
from viztracer import VizTracer, children
t = VizTracer(verbose=0)
children._state.update(tracer=t, dir=sys.argv[1], root_pid=-1)
t.start()
children._after_fork_child()
print(t.enable, children._state["no_save"], children.finish_child())
"""


class TestForkedChildOfEndingParent(TempDirTest):
    def test_fork_is_expected_before_the_child_exists(self):
        script = self.write("forkhook.py", FORK_TOKEN)
        d = self.path("kids")
        os.mkdir(d)
        r = subprocess.run([sys.executable, script, d], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        parent, thread, child, seen, after = json.loads(r.stdout)
        self.assertEqual(seen, [[f"{parent}.{thread}.1.forking"]])
        # the token went once the child announced itself; its trace is there
        self.assertEqual(len(after), 1, after)
        self.assertTrue(after[0].startswith(f"{child}.") and after[0].endswith(".vzt"), after)

    def test_threads_forking_at_once_keep_their_own_tokens(self):
        d = self.path("kids")
        os.mkdir(d)
        two, left, other = json.loads(ran(self, "tokens.py", FORK_TOKENS_PER_THREAD, d))
        self.assertEqual(two, 2)
        self.assertEqual(len(left), 1)
        self.assertIn(f".{other}.", left[0])

    def test_child_of_a_program_ending_at_fork_is_merged(self):
        data = traced_quietly(self, self.write("forkexit.py", FORK_EXIT))
        self.assertEqual(len(named(data, "child_fn")), 1)
        self.assertEqual(len({e["pid"] for e in events(data)}), 2)

    def test_fork_after_the_session_dir_is_gone_is_silent(self):
        script = self.write("late.py", FORK_AFTER_SAVE)
        r = subprocess.run([sys.executable, script, self.path("gone")], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertEqual(r.stdout.split(), ["False", "True", "False"])


# The shell starts python only once the root's program has ended (its stdin closed then).
SHELL_LATE = """
import shlex, subprocess, sys
child = shlex.quote(sys.executable) + " -c 'def shell_child():\\n  return 1\\nshell_child()'"
p = subprocess.Popen("read x; exec " + child, shell=True, stdin=subprocess.PIPE)
p.stdin.close()
"""

# args= by keyword, with -I (which keeps the sitecustomize from the child: its command must be
# rewritten, and is only when the package reads it).
ARGS_KEYWORD = """
import subprocess, sys
subprocess.run(args=[sys.executable, "-I", "-c", "def kw_child():\\n  return 1\\nkw_child()"],
               check=True)
"""


class TestIndirectPythonChildren(TempDirTest):
    def test_shell_child_is_waited_for(self):
        data = traced_quietly(self, self.write("shell_late.py", SHELL_LATE))
        self.assertEqual(len(named(data, "shell_child")), 1)

    def test_args_by_keyword(self):
        data = traced_quietly(self, self.write("kw.py", ARGS_KEYWORD))
        self.assertEqual(len(named(data, "kw_child")), 1)

    def test_commands_that_may_run_python(self):
        from viztracer import children
        py = self.write("py_script", "#!/usr/bin/env python3\nprint(1)\n")
        sh = self.write("sh_script", "#!/bin/sh\necho 1\n")
        self.assertTrue(children._may_run_python(["/usr/bin/env", "python3", "x.py"]))
        self.assertTrue(children._may_run_python(["env", "-i", "A=1", "python3.11", "x.py"]))
        self.assertFalse(children._may_run_python(["/usr/bin/env", "ls"]))
        self.assertTrue(children._may_run_python([py]))
        self.assertTrue(children._may_run_python(py))
        self.assertFalse(children._may_run_python([sh]))
        self.assertFalse(children._may_run_python(["true"]))
        self.assertTrue(children._shell_may_run_python(f"read x; exec {sys.executable} -c 1"))
        self.assertTrue(children._shell_may_run_python("python3 x.py | cat"))
        self.assertFalse(children._shell_may_run_python("sleep 100"))
        # Words that only mention python are no python command.
        self.assertFalse(children._shell_may_run_python("tail -f app_python.log"))
        self.assertFalse(children._shell_may_run_python("cd ~/python-proj && ./server"))
        self.assertFalse(children._shell_may_run_python("sleep 8 # python"))
        self.assertTrue(children._shell_may_run_python("cd /tmp && exec python3.11 -u x.py"))

    def test_child_started_after_the_save_says_so(self):
        pkg = os.path.dirname(os.path.dirname(os.path.abspath(viztracer.__file__)))
        env = dict(os.environ, VZ_VIZTRACER_CHILD=json.dumps({"dir": self.path("gone"), "options": {}}),
                   PYTHONPATH=os.pathsep.join([os.path.join(pkg, "viztracer", "_child"), pkg]))
        r = subprocess.run([sys.executable, "-c", "print(1)"], env=env, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.stdout, "1\n")
        self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
        self.assertIn("not part of that trace", r.stderr)


# A child that execs another Python program: two process images, one pid, two traces.
EXEC_CHILD = """
import os, sys
def before_exec():
    return 1
def after_exec():
    return 2
if len(sys.argv) == 1:
    before_exec()
    os.execv(sys.executable, [sys.executable, __file__, "second"])
else:
    after_exec()
"""


class TestUniqueChildTraces(TempDirTest):
    def test_exec_child_keeps_both_images(self):
        self.write("execchild.py", EXEC_CHILD)
        script = self.write("parent.py", "import os, subprocess, sys\n"
                            "subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "
                            "'execchild.py')], check=True)\n")
        data = traced_quietly(self, script)
        (before,) = named(data, "before_exec")
        (after,) = named(data, "after_exec")
        self.assertEqual(before["pid"], after["pid"])

    def test_trace_names_are_reserved(self):
        from viztracer import children
        d = self.path("kids")
        os.mkdir(d)
        saved = dict(children._state)
        try:
            children._state["dir"] = d
            a = children._reserve_trace_path()
            b = children._reserve_trace_path()
        finally:
            children._state.clear()
            children._state.update(saved)
        self.assertNotEqual(a, b)
        self.assertTrue(os.path.basename(a).startswith(f"{os.getpid()}."))
        self.assertEqual(sorted(os.listdir(d)), sorted([os.path.basename(a), os.path.basename(b)]))
        files = children._children_files(d)
        self.assertEqual(files["saved"], {os.getpid()})


class TestCellMagicFlags(unittest.TestCase):
    def test_viztracers_flags(self):
        from viztracer.cellmagic import make_kwargs
        kw = make_kwargs("--output_file cell.json --max_stack_depth 5 --ignore_c_function "
                         "--ignore_frozen --log_func_args --log_print --log_sparse -p 9002")
        self.assertEqual(kw, {"verbose": 0, "output_file": "cell.json", "max_stack_depth": 5,
                              "ignore_c_function": True, "ignore_frozen": True,
                              "log_func_args": True, "log_print": True, "log_sparse": True})
        self.assertEqual(make_kwargs("--output_file=a.json --port=1 tracer_entries=100"),
                         {"verbose": 0, "output_file": "a.json", "tracer_entries": 100})
        self.assertEqual(make_kwargs("output_file=b.json ignore_c_function=True"),
                         {"verbose": 0, "output_file": "b.json", "ignore_c_function": True})
        for bad in ("--max_stack_depth x", "--output_file", "--nope", "--log_print=1"):
            with self.assertRaises(ValueError, msg=bad):
                make_kwargs(bad)


class TestHandAddedNamesBounded(TempDirTest):
    def test_x_names_capped_at_tracer_entries(self):
        src = self.write("x.py", "\n" * 1100)
        t = viztracer.VizTracer(verbose=0, tracer_entries=100)
        t.start()
        kept = f"kept ({src}:1)"
        t.add_raw({"ph": "X", "name": kept, "ts": 1, "dur": 1})
        for i in range(1000):
            t.add_raw({"ph": "X", "name": f"request {i} ({src}:{i + 2})", "ts": 1, "dur": 1})
            if i % 10 == 0:  # used again: stays among the most recent
                t.add_raw({"ph": "X", "name": kept, "ts": 1, "dur": 1})
        t.stop()
        self.assertLessEqual(len(t._x_names), 100)
        self.assertIn(kept, t._x_names)
        self.assertIn(f"request 999 ({src}:1001)", t._x_names)
        out = self.path("out.json")
        t.save(out)
        funcs = load(out)["file_info"]["functions"]
        self.assertLessEqual(len([n for n in funcs if n.startswith("request ")]), 100)
        self.assertIn(f"request 999 ({src}:1001)", funcs)


class TestReportBuilderFileInfo(TempDirTest):
    def test_embedded_file_info_is_kept(self):
        from viztracer.report_builder import ReportBuilder
        src = self.write("mod.py", "def fib():\n    return 1\ndef other():\n    return 2\n")
        data = {"traceEvents": [
                    {"ph": "X", "name": f"fib ({src}:1)", "ts": 1, "dur": 1, "pid": 1, "tid": 1},
                    {"ph": "X", "name": f"other ({src}:3)", "ts": 3, "dur": 1, "pid": 1, "tid": 1}],
                "viztracer_metadata": {"version": "1.1.1", "overflow": False},
                "file_info": {"files": {src: ["EMBEDDED SOURCE\n", 1]},
                              "functions": {f"fib ({src}:1)": [src, 1]}}}
        out = self.path("out.json")
        ReportBuilder(data, verbose=0).save(out)
        info = load(out)["file_info"]
        self.assertEqual(info["files"][src][0], "EMBEDDED SOURCE\n")
        self.assertEqual(info["functions"][f"fib ({src}:1)"], [src, 1])
        self.assertEqual(info["functions"][f"other ({src}:3)"], [src, 3])  # the missing one added


FROZEN = """
import json, sys
from viztracer import VizTracer
t = VizTracer(verbose=0)
t.start()
t.add_raw({"ph": "X", "name": "x (<frozen this>:1)", "ts": 1, "dur": 1})
t.add_raw({"ph": "X", "name": "y (<frozen __hello__>:1)", "ts": 1, "dur": 1})
t.stop()
t.save(sys.argv[1])
print("imported:", "this" in sys.modules, "__hello__" in sys.modules)
"""


class TestFrozenSourceNotRun(TempDirTest):
    def test_frozen_module_source_read_without_running_it(self):
        out = self.path("out.json")
        # (importing "this" prints the Zen of Python)
        self.assertEqual(ran(self, "frozen.py", FROZEN, out), "imported: False False\n")
        files = load(out)["file_info"]["files"]
        self.assertIn("Gur Mra bs Clguba", files["<frozen this>"][0])


STASH_FORK = """
import json, os, sys, tempfile
from viztracer import VizTracer
from viztracer.report_builder import ReportBuilder
t = VizTracer(verbose=0)
t.start(); sum([1]); t.stop()
t.save(sys.argv[1])
pid = os.fork()
if pid == 0:
    ReportBuilder([sys.argv[1]], verbose=0).save(sys.argv[2])
    os._exit(0)
os.waitpid(pid, 0)
"""


class TestNoStashForSavedOwner(TempDirTest):
    def test_forked_child_leaves_no_stash_dir(self):
        script = self.write("stashfork.py", STASH_FORK)
        tmp = self.path("tmp")
        os.mkdir(tmp)
        r = subprocess.run([sys.executable, script, self.path("in.json"), self.path("out.json")],
                           capture_output=True, text=True, timeout=60, env=dict(os.environ, TMPDIR=tmp))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(named(load(self.path("out.json")), "builtins.sum"))
        self.assertEqual(glob.glob(os.path.join(tmp, "viztracer_stash_*")), [])


RAW_PID_FORK = """
import json, os, sys
from viztracer import VizTracer
t = VizTracer(verbose=0)
t.start()
t.add_raw({"ph": "i", "name": "in_parent", "ts": 1, "s": "g"})
pid = os.fork()
if pid == 0:
    t.add_raw({"ph": "i", "name": "in_child", "ts": 2, "s": "g"})
    t.stop()
    t.save(sys.argv[1])
    os._exit(0)
os.waitpid(pid, 0)
t.stop()
print(json.dumps([os.getpid(), pid]))
"""


class TestRawPidAfterFork(TempDirTest):
    def test_add_raw_default_pid_is_the_forked_childs(self):
        out = self.path("child.json")
        parent, child = json.loads(ran(self, "rawfork.py", RAW_PID_FORK, out))
        (ev,) = [e for e in load(out)["traceEvents"] if e.get("name") == "in_child"]
        self.assertEqual(ev["pid"], child)
        from viztracer import tracer
        self.assertEqual(tracer._pid, [os.getpid()])


if __name__ == "__main__":
    unittest.main()
