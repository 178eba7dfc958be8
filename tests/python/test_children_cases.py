"""Child processes under the `viztracer` command in the ways programs really start and end them:
pools and processes left running at the program's end, a custom env=, a forkserver, os.fork
children, exec, subprocess's own fork with a preexec_fn, a child that runs viztracer itself, a
child started as the program ends, the command's source-rewriting options in children, children
run with -I, -E or -S."""
import glob
import inspect
import json
import os
import subprocess
import sys
import unittest

import viztracer
from helpers import TempDirTest, events, load, named, run_cli, stats

ENV = {"VZ_VIZTRACER_CHILD_WAIT": "60"}

LEFT_RUNNING = """
import concurrent.futures, multiprocessing as mp
def work(n):
    return n
if __name__ == "__main__":
    pool = mp.get_context("fork").Pool(2)          # neither closed nor joined
    assert pool.map(work, [1, 2, 3, 4]) == [1, 2, 3, 4]
    ex = concurrent.futures.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
    assert ex.submit(work, 5).result() == 5        # never shut down
    p = mp.get_context("spawn").Process(target=work, args=(6,))
    p.start()                                      # never joined
"""

CHILD_ENV = """
import json, os, subprocess, sys
code = "import json, sys\\ndef env_fn():\\n  return 1\\nenv_fn()\\nprint(json.dumps(sys.path))"
paths = []
for env in ({"PATH": os.environ["PATH"]}, {"PATH": os.environ["PATH"], "PYTHONPATH": "/nonexistent"}):
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stderr == "", out.stderr
    paths.append(json.loads(out.stdout))
with open(sys.argv[1], "w") as f:
    json.dump(paths, f)
"""

OTHER_ENVS = """
import json, os, subprocess, sys
code = "def {0}():\\n  return 1\\n{0}()\\nimport json, sys\\nprint(json.dumps(sys.path))"
def child(name, *args, **kwargs):
    p = subprocess.Popen([sys.executable, "-c", code.format(name)], *args, stdout=subprocess.PIPE,
                         **kwargs)
    out = p.communicate()[0]
    assert p.returncode == 0, p.returncode
    return json.loads(out)
paths = []
bytes_env = {b"PATH": os.environb[b"PATH"], b"PYTHONPATH": b"/nonexistent"}   # os.environb's kind
kept_bytes = dict(bytes_env)
paths.append(child("bytes_fn", env=bytes_env))
assert bytes_env == kept_bytes, bytes_env
str_env = {"PATH": os.environ["PATH"]}
kept = dict(str_env)
# env by position: args, bufsize, executable, stdin, stdout, stderr, preexec_fn, close_fds,
# shell, cwd, env
p = subprocess.Popen([sys.executable, "-c", code.format("positional_fn")], -1, None, None,
                     subprocess.PIPE, None, None, True, False, None, str_env)
paths.append(json.loads(p.communicate()[0]))
assert p.returncode == 0 and str_env == kept, (p.returncode, str_env)
p = subprocess.Popen([sys.executable, "-c", code.format("positional_bytes_fn")], -1, None, None,
                     subprocess.PIPE, None, None, True, False, None, bytes_env)
paths.append(json.loads(p.communicate()[0]))
assert p.returncode == 0 and bytes_env == kept_bytes, (p.returncode, bytes_env)
with open(sys.argv[1], "w") as f:
    json.dump(paths, f)
"""

FORKS = """
import math, os, subprocess, sys
def before_exec():
    return 1
def in_fork():
    return 2
pid = os.fork()
if pid == 0:
    math.floor(2.5)                                # a C call where the fork returned
    in_fork()
    before_exec()
    os.execvp("true", ["true"])                    # a forked child that becomes another program
os.waitpid(pid, 0)
subprocess.run(["true"], preexec_fn=os.setsid, check=True)   # subprocess's own fork, then exec
subprocess.run([sys.executable, "-m", "viztracer", "--quiet", "-o", sys.argv[1], "-c",
                "def inner_fn():\\n  return 3\\ninner_fn()"], check=True)
"""

FORKSERVER = """
import multiprocessing as mp
def work(n):
    return n
def setup():
    return 0
setup()  # also run by the forkserver, which imports the main module before it forks workers
if __name__ == "__main__":
    with mp.get_context("forkserver").Pool(2, maxtasksperchild=1) as pool:
        assert list(pool.imap(work, range(6))) == list(range(6))
"""

EXEC = """
import os, sys
def before_exec():
    return 1
before_exec()
os.execv(sys.executable, [sys.executable, "-c", "pass"])
"""


ISOLATED_CHILD = """
import json, sys
def child_fn():
    return 1
child_fn()
with open(sys.argv[1], "a") as f:
    f.write(json.dumps([sys.argv, sys.path[0], __name__]) + "\\n")
"""

ISOLATED = """
import subprocess, sys
child, log = sys.argv[1], sys.argv[2]
for flags in (["-I"], ["-E"], ["-S"], ["-IsS"], ["-E", "-W", "ignore"]):
    subprocess.run([sys.executable] + flags + [child, log], check=True)
subprocess.run([sys.executable, "-I", "-c", "def cmd_fn():\\n  return 2\\ncmd_fn()"], check=True)
subprocess.run([sys.executable, "-I", "-"], input=b"def stdin_fn():\\n  return 3\\nstdin_fn()", check=True)
assert subprocess.run([sys.executable, "-E", "-c", "raise SystemExit(7)"]).returncode == 7
"""


EXEC_FAILS_IN_CHILD = """
import multiprocessing as mp, os, threading
def child(ready):
    try:
        os.execv("/nonexistent/prog", ["prog"])    # fails: the child goes on
    except OSError:
        pass
    ready.set()
    threading.Event().wait()                       # until terminated
if __name__ == "__main__":
    ready = mp.get_context("fork").Event()
    p = mp.get_context("fork").Process(target=child, args=(ready,))
    p.start()
    ready.wait()
    p.terminate()
    p.join(60)
    assert p.exitcode == -15, p.exitcode
"""


# The program starts a Python child (through a wrapper named python3, given as argv[1]) and
# ends at once, before that child's interpreter could start tracing. (The child keeps stdin
# only: the root's end is seen on its stdout and stderr whatever the child does.)
POPEN_AT_END = """
import subprocess, sys
subprocess.Popen([sys.argv[1], "-c", "def late_fn():\\n  return 1\\nlate_fn()"],
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
"""

# The program waits for a "Python" child (the wrapper, argv[1]) that ends before its
# interpreter runs at all.
POPEN_NEVER_STARTS = """
import subprocess, sys
assert subprocess.run([sys.argv[1], "-c", "pass"]).returncode == 3
"""

REWRITE_CHILD = """
import sys
class Box:
    pass
def work(k):
    total = 0
    for i in range(k):
        total += i
    return total
def fails():
    raise ValueError("no")
counter = 0
counter += 1
n = 3
box = Box()
box.value = 7
work(2)
try:
    fails()
except ValueError:
    pass
# !viztracer: log_instant("magic here")
"""

REWRITE_PARENT = """
import subprocess, sys
counter = 100
subprocess.run([sys.executable, sys.argv[1]], check=True)
subprocess.run([sys.executable, "-c", "counter = 5"], check=True)
subprocess.run([sys.executable, "-E", sys.argv[1]], check=True)
"""

EXIT_HANDLERS = """
import atexit, subprocess, sys
code = "import atexit\\ndef child_bye():\\n  return 1\\natexit.register(child_bye)\\n"
subprocess.run([sys.executable, "-c", code], check=True)
def root_bye():
    return 2
atexit.register(root_bye)
"""

ISOLATED_RAISES = """
import sys
def child_fn():
    raise ValueError("boom")
print(sys.orig_argv[1:], __file__)
child_fn()
"""

ISOLATED_RAISES_PARENT = """
import json, subprocess, sys
r = subprocess.run([sys.executable, "-I", "c2.py", "x"], capture_output=True, text=True)
with open(sys.argv[1], "w") as f:
    json.dump([r.returncode, r.stdout, r.stderr], f)
"""


def leftovers(d):
    return glob.glob(os.path.join(d, ".viztracer_children_*"))


class TestChildCases(TempDirTest):
    def run_script(self, name, text, *args):
        script = self.write(name, text)
        out = self.path(name.replace(".py", ".json"))
        r = run_cli(["-o", out, script] + list(args), cwd=self.dir, timeout=300, env=ENV)
        return r, out

    def test_pools_and_processes_left_running(self):
        """Saved after multiprocessing's exit handler ended the pool and the executor and joined
        the process: every worker's calls are in, none is reported lost, nothing is left."""
        r, out = self.run_script("running.py", LEFT_RUNNING)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("data is lost", r.stderr)
        data = load(out)
        self.assertEqual(len(named(data, "work")), 6)
        self.assertGreaterEqual(len({e["pid"] for e in named(data, "work")}), 3)
        self.assertEqual(leftovers(self.dir), [])
        self.assertEqual(stats(out)["diagnostics"], [])

    def test_custom_env(self):
        """A child given its own environment is traced, and only the sitecustomize's directory
        is added to its path: nothing of the package's directory (site-packages, installed)
        goes before the child's own paths."""
        paths_file = self.path("paths.json")
        r, out = self.run_script("env.py", CHILD_ENV, paths_file)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        self.assertEqual(len(named(data, "env_fn")), 2)
        # The program's calls into subprocess are recorded as they were (the environment is
        # added by package code that records nothing itself).
        self.assertEqual(len(named(data, "Popen.__init__")), 2)
        self.assertEqual(len(named(data, "Popen._execute_child")), 2)
        # The child's trace starts at its program, not at the interpreter's start-up (site.py,
        # which runs the sitecustomize).
        child_pids = {e["pid"] for e in named(data, "env_fn")}
        child = [e for e in events(data) if e["pid"] in child_pids]
        self.assertEqual(len([e for e in child if e["name"] == "<module> (<string>:1)"]), 2)
        self.assertEqual([e["name"] for e in child if "site" in e["name"]], [])
        pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(viztracer.__file__)))
        with open(paths_file) as f:
            for path in json.load(f):
                self.assertNotIn(pkg_parent, path)
                self.assertIn(os.path.join(pkg_parent, "viztracer", "_child"), path)
        self.assertIn("/nonexistent", path)

    def test_env_with_bytes_keys_or_given_by_position(self):
        """A child given its environment as bytes (os.environb's kind) or by position (Popen's
        eleventh parameter) is traced too: the variables go in as the program's own keys, into a
        copy (its mapping is left as it was), and the child's PYTHONPATH keeps what it held."""
        import subprocess
        params = list(inspect.signature(subprocess.Popen.__init__).parameters)
        self.assertEqual(params.index("env"), 11)  # (self first) as OTHER_ENVS passes it
        paths_file = self.path("paths.json")
        r, out = self.run_script("envs.py", OTHER_ENVS, paths_file)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count("Traceback"), 0, r.stderr)
        data = load(out)
        for name in ("bytes_fn", "positional_fn", "positional_bytes_fn"):
            self.assertEqual(len(named(data, name)), 1, name)
        self.assertEqual(len({e["pid"] for e in events(data)}), 4)
        self.assertEqual(len(named(data, "Popen.__init__")), 3)
        child_dir = os.path.join(os.path.dirname(os.path.abspath(viztracer.__file__)), "_child")
        with open(paths_file) as f:
            paths = json.load(f)
        for path in paths:
            self.assertIn(child_dir, path)
        self.assertIn("/nonexistent", paths[0])
        self.assertIn("/nonexistent", paths[2])

    def test_command_child_starts_at_its_code(self):
        """A `python -c CODE` child's trace starts as its code does: not with what python does
        between the command's audit event and the code (3.13+ imports linecache there, and
        registers the code's source with it)."""
        r, out = self.run_script("cmd.py", "import subprocess, sys\nsubprocess.run([sys.executable,"
                                 " '-c', 'def cmd_fn():\\n  return 2\\ncmd_fn()'], check=True)\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        (call,) = named(data, "cmd_fn")
        child = [e for e in events(data) if e["pid"] == call["pid"]]
        (code,) = [e for e in child if e["name"] == "<module> (<string>:1)"]
        self.assertEqual([e["name"] for e in child if e["ts"] < code["ts"]], [])
        self.assertEqual([e["name"] for e in child if "linecache" in e["name"]], [])

    def test_children_run_with_isolating_options(self):
        """python -I, -E and -S keep PYTHONPATH or site (and so the sitecustomize) from the child:
        its command line is rewritten to start the tracer itself, and the program sees the
        sys.argv, sys.path[0] and __name__ it would have, and keeps its exit status."""
        import subprocess
        import sys
        child = self.write("child.py", ISOLATED_CHILD)
        plain_log, traced_log = self.path("plain.log"), self.path("traced.log")
        for flags in (["-I"], ["-E"], ["-S"], ["-IsS"], ["-E", "-W", "ignore"]):
            subprocess.run([sys.executable] + flags + [child, plain_log], check=True, cwd=self.dir)
        r, out = self.run_script("isolated.py", ISOLATED, child, traced_log)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count("Traceback"), 0, r.stderr)
        data = load(out)
        self.assertEqual(len(named(data, "child_fn")), 5)
        self.assertEqual(len({e["pid"] for e in named(data, "child_fn")}), 5)
        self.assertEqual(len(named(data, "cmd_fn")), 1)
        self.assertEqual(len(named(data, "stdin_fn")), 1)
        with open(plain_log) as a, open(traced_log) as b:
            self.assertEqual(b.read().replace(traced_log, plain_log), a.read())

    def test_forks_that_exec_and_a_child_running_viztracer(self):
        """A forked child that execs saves first (what it ran before is in); subprocess's fork
        for a preexec_fn and a child that runs viztracer itself are not children to wait for.
        None is reported lost. The forked child's calls start at the fork: the parent's open
        calls (the script's <module>) are not the child's."""
        inner = self.path("inner.json")
        r, out = self.run_script("forks.py", FORKS, inner)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("data is lost", r.stderr)
        self.assertNotIn("cannot trace", r.stderr)
        data = load(out)
        (fork_call,) = named(data, "in_fork")
        main_pid = data["traceEvents"][0]["pid"]
        self.assertNotEqual(fork_call["pid"], main_pid)
        self.assertEqual(len(named(data, "before_exec")), 1)
        self.assertEqual([e["pid"] for e in named(data, "math.floor")], [fork_call["pid"]])
        child = [e for e in events(data) if e["pid"] == fork_call["pid"]]
        self.assertEqual([e for e in child if e["name"].startswith("<module>")], [])
        forked = min(e["ts"] for e in named(data, "posix.fork") if e["pid"] == main_pid)
        self.assertEqual([e for e in child if e["ts"] < forked], [])
        self.assertEqual(named(data, "inner_fn"), [])  # in the inner run's own file
        self.assertEqual(len(named(load(inner), "inner_fn")), 1)
        self.assertEqual(leftovers(self.dir), [])

    def test_forkserver_workers_do_not_share_its_events(self):
        """The forkserver does not record: each worker it forks records its own calls only,
        not a copy of the forkserver's (its import of the main module, which calls setup())."""
        r, out = self.run_script("fs.py", FORKSERVER)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        self.assertEqual(len(named(data, "work")), 6)
        self.assertGreaterEqual(len({e["pid"] for e in named(data, "work")}), 2)
        setups = named(data, "setup")
        self.assertEqual(len({e["ts"] for e in setups}), len(setups), setups)  # no copies

    def test_exec_that_fails_in_a_child_leaves_sigterm_working(self):
        """A child's trace is saved as it calls exec; when the exec fails, the child goes on
        untraced and SIGTERM still ends it (it was taken as a save already done)."""
        r, out = self.run_script("execfail.py", EXEC_FAILS_IN_CHILD)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(out))

    def test_exec_when_the_trace_cannot_be_saved(self):
        """An error saving before exec is said, not raised into the program's exec call."""
        # The program makes the output path a directory before it execs: the save fails.
        script = self.write("exec2.py", "import os, sys\nos.mkdir(sys.argv[1])\nos.execv(sys.executable, "
                                        "[sys.executable, '-c', 'print(\"exec ran\")'])\n")
        r = run_cli(["-o", self.path("out.json"), script, self.path("out.json")], cwd=self.dir,
                    timeout=120, env=ENV)
        self.assertIn("exec ran", r.stdout)
        self.assertIn("cannot save the trace before exec", r.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_open_leaves_nothing_behind(self):
        """--open starts the viewer from a fork of the traced process after its save: that fork
        is not a child to trace, and no children's directory is made again."""
        fake = self.write("fakeviewer.sh", "#!/bin/sh\nexit 0\n")
        os.chmod(fake, 0o755)
        out = self.path("o.json")
        r = run_cli(["--open", "-o", out, "-c", "print('hi')"], cwd=self.dir, timeout=120,
                    env=dict(ENV, VIZVIEWER_BINARY=fake))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(out))
        self.assertEqual(leftovers(self.dir), [])

    def wrapper(self, body):
        """An executable named python3 (a Python child by its name) running `body` (sh)."""
        d = self.path("bin")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "python3")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(path, 0o755)
        return path

    def test_child_started_as_the_program_ends_is_waited_for(self):
        """A Python child started through subprocess right before the program ends has not
        started tracing yet (nor said so) when the root saves: the root knows its pid from
        Popen, waits for it, saying so, and merges its trace. The child's interpreter is held
        (its wrapper reads a line from stdin) until the root has said it waits for it."""
        wrapper = self.wrapper(f"read go\nexec {sys.executable} \"$@\"")
        script = self.write("late.py", POPEN_AT_END)
        out = self.path("late.json")
        p = subprocess.Popen([sys.executable, "-m", "viztracer", "-o", out, script, wrapper],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, cwd=self.dir, env=dict(os.environ, **ENV))
        try:
            said = p.stderr.readline()  # the root's first word on stderr (or "" as it ends)
        finally:
            rest = p.communicate("go\n", timeout=120)  # the child goes on
        self.assertIn("waiting for 1 child process(es) to save their traces", said)
        self.assertIn("still starting", said)
        self.assertEqual(p.returncode, 0, rest[1])
        self.assertNotIn("lost", rest[1])
        data = load(out)
        (call,) = named(data, "late_fn")
        self.assertNotEqual(call["pid"], data["traceEvents"][0]["pid"])
        names = [m["args"]["name"] for m in events(data, "M")
                 if m["name"] == "process_name" and m["pid"] == call["pid"]]
        self.assertEqual(names, ["python -c"])
        self.assertEqual(leftovers(self.dir), [])

    def test_child_that_never_starts_tracing_is_said(self):
        """A Python child started through subprocess that ends before its tracing could start
        (here: its interpreter never runs) is not waited for past its end, and is said."""
        wrapper = self.wrapper("exit 3")
        r, out = self.run_script("never.py", POPEN_NEVER_STARTS, wrapper)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1 Python child process(es) started by subprocess ended before their "
                      "tracing started", r.stderr)
        self.assertEqual(len({e["pid"] for e in events(load(out))}), 1)

    def test_children_take_the_source_rewriting_options(self):
        """As viztracer passes its command line on to Python subprocess children, the options
        that rewrite the program's source (--log_var, --log_number, --log_attr,
        --log_func_entry, --log_func_exec, --log_exception, --magic_comment) apply to the
        children's programs too (a script, -c code, a child run with -E), and so does
        --trace_self, as the tracer's other options."""
        child = self.write("child.py", REWRITE_CHILD)
        script = self.write("parent.py", REWRITE_PARENT)
        out = self.path("rw.json")
        r = run_cli(["-o", out, "--log_var", "counter", "--log_number", "n", "--log_attr", "value",
                     "--log_func_entry", "work", "--log_func_exec", "work", "--log_exception",
                     "--magic_comment", "--", script, child], cwd=self.dir,
                    timeout=300, env=ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        main_pid = data["traceEvents"][0]["pid"]
        proc = {m["pid"]: m["args"]["name"] for m in events(data, "M") if m["name"] == "process_name"}
        self.assertEqual(sorted(proc.values()), ["MainProcess", "child.py", "child.py", "python -c"])
        by_pid = {}
        for e in data["traceEvents"]:
            if e["ph"] in "iC":
                by_pid.setdefault(e["pid"], []).append(e["name"])
        self.assertEqual(by_pid[main_pid], ["Variable Assign - counter = 100"])
        kids = [p for p, n in proc.items() if n == "child.py"]
        for pid in kids:
            names = by_pid[pid]
            for name in ("Variable Assign - counter = 0", "Variable Assign - counter = 1",
                         "Attribute Assign - box.value = 7",
                         "Function Entry - work = 'work is called'",
                         "Exception - ValueError() = ValueError('no')", "magic here"):
                self.assertIn(name, names)
            self.assertEqual(names.count("Variable Assign - n"), 1)  # a counter
            (call,) = [e for e in named(data, "work") if e["pid"] == pid]
            self.assertEqual(call["args"]["exec_steps"], ["(6) total = 0", "(8) total = 0",
                                                          "(8) total = 1"])
        (cmd,) = [p for p, n in proc.items() if n == "python -c"]
        self.assertEqual(by_pid[cmd], ["Variable Assign - counter = 5"])
        # --trace_self: the package's own calls (here, the child's saving) are recorded too
        out = self.path("self.json")
        r = run_cli(["-o", out, "--trace_self", script, child], cwd=self.dir, timeout=300, env=ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        main_pid = data["traceEvents"][0]["pid"]
        own = {e["pid"] for e in events(data) if "/viztracer/" in e["name"]} - {main_pid}
        self.assertEqual(len(own), 3)

    def test_children_take_log_exit(self):
        """As the root, a child records its exit handlers with --log_exit only: without it, its
        recording ends with its program's code."""
        script = self.write("bye.py", EXIT_HANDLERS)
        for flags, expected in (([], []), (["--log_exit"], ["child_bye", "root_bye"])):
            with self.subTest(flags=flags):
                out = self.path("bye.json")
                r = run_cli(["-o", out] + flags + [script], cwd=self.dir, timeout=300, env=ENV)
                self.assertEqual(r.returncode, 0, r.stderr)
                data = load(out)
                self.assertEqual(len({e["pid"] for e in events(data)}), 2)
                self.assertEqual(sorted(e["name"].split(" ")[0] for e in events(data)
                                        if "_bye (" in e["name"]), expected)

    def test_isolated_child_is_recorded_as_any_child(self):
        """A child run with -I (its command rewritten to start the tracer itself) sees the
        sys.orig_argv, __file__ and traceback it would have, is named after its script, and its
        code after its absolute path, with its source in file_info."""
        self.write("c2.py", ISOLATED_RAISES)
        script = self.write("parent.py", ISOLATED_RAISES_PARENT)
        plain, traced = self.path("plain.json"), self.path("traced.json")
        subprocess.run([sys.executable, script, plain], check=True, cwd=self.dir)
        r, out = self.run_script("parent.py", ISOLATED_RAISES_PARENT, traced)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(plain) as a, open(traced) as b:
            self.assertEqual(json.load(b), json.load(a))  # exit status, output, traceback
        data = load(out)
        c2 = os.path.join(self.dir, "c2.py")
        (call,) = named(data, "child_fn")
        self.assertEqual(call["name"], f"child_fn ({c2}:3)")
        child = [e for e in events(data) if e["pid"] == call["pid"]]
        first = min(child, key=lambda e: e["ts"])
        self.assertEqual(first["name"], f"<module> ({c2}:1)")
        self.assertEqual([e["name"] for e in child if "runpy" in e["name"] or "run.py" in e["name"]], [])
        names = [m["args"]["name"] for m in events(data, "M")
                 if m["name"] == "process_name" and m["pid"] == call["pid"]]
        self.assertEqual(names, ["c2.py"])
        self.assertIn(c2, data["file_info"]["files"])
        self.assertEqual(data["file_info"]["functions"][call["name"]], [c2, 3])

    def test_exec_saves_the_trace(self):
        r, out = self.run_script("exec.py", EXEC)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(named(load(out), "before_exec")), 1)
        self.assertEqual(leftovers(self.dir), [])


if __name__ == "__main__":
    unittest.main()
