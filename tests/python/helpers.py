"""Shared helpers of the viztracer package's tests: loading traces, picking events, checking
nesting, running the CLI."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

VIZVIEWER = os.environ.get("VZ_VIZVIEWER", "")


def load(path):
    if path.endswith(".gz"):
        import gzip
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def strict_json(path):
    """The trace at `path`, refusing NaN and Infinity (which Python reads but JSON has not, and
    other tools reject)."""
    def reject(token):
        raise ValueError(f"not JSON: {token} in {path}")
    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=reject)


def events(data, ph="X"):
    return [e for e in data["traceEvents"] if e.get("ph") == ph]


def named(data, prefix, ph="X"):
    """Events whose name is `prefix` or starts with `prefix (` (a Python function's name)."""
    return [e for e in events(data, ph) if e["name"] == prefix or e["name"].startswith(prefix + " (")]


def assert_nested(test, data):
    """Per thread, complete events nest properly: siblings never overlap."""
    by_thread = {}
    for e in events(data):
        by_thread.setdefault((e["pid"], e["tid"]), []).append(e)
    for key, evs in by_thread.items():
        evs.sort(key=lambda e: (e["ts"], -e["dur"]))
        stack = []
        for e in evs:
            start, end = e["ts"], e["ts"] + e["dur"]
            while stack and start >= stack[-1] - 1e-6:
                stack.pop()
            if stack:
                test.assertLessEqual(end, stack[-1] + 1e-3, f"{e['name']} overlaps its parent on {key}")
            stack.append(end)


def stats(path):
    """vizviewer --stats of a file, as a dict (skips the test when the binary is unknown)."""
    if not VIZVIEWER:
        raise unittest.SkipTest("VZ_VIZVIEWER is not set")
    out = subprocess.run([VIZVIEWER, "--stats", path], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def run_cli(args, cwd=None, timeout=120, env=None):
    """Runs `python3 -m viztracer ARGS`; returns the CompletedProcess."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "viztracer"] + list(args), cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=e)


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.dir = self._tmp.name

    def tearDown(self):
        self._tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        p = self.path(name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p
