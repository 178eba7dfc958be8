"""viztracer compatibility: its other module paths (viztracer.viztracer, viztracer.util,
viztracer.report_builder, the IPython extension), file_info from every complete event named
"... (<file>:<line>)" (frozen modules and coding lines included), a child's overflow in the
merged trace, clear() while recording, the trace of a tracer that never started, and
@trace_and_save's file name."""
import contextlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import time
import unittest

from helpers import TempDirTest, events, load, named, run_cli, stats
from viztracer import VizTracer, get_tracer, log_sparse, trace_and_save


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def leaf():
    return 1


class TestModulePaths(TempDirTest):
    def test_viztracer_viztracer(self):
        import viztracer
        from viztracer.viztracer import VizTracer as V, get_tracer as g
        self.assertIs(V, VizTracer)
        self.assertIs(g, get_tracer)
        self.assertIs(viztracer.viztracer.VizTracer, VizTracer)

    def test_util_helpers(self):
        from viztracer import util
        self.assertEqual(util.size_fmt(100), "100.0B")
        self.assertEqual(util.size_fmt(2048), "2.0KiB")
        self.assertEqual(util.size_fmt(3 * 1024 ** 5), "3072.0TiB")
        self.assertEqual(util.time_str_to_us("0.3ms"), 300)
        self.assertAlmostEqual(util.time_str_to_us("300ns"), 0.3)
        self.assertEqual(util.time_str_to_us("23.5"), 23.5)
        self.assertEqual(util.time_str_to_us("13us"), 13)
        self.assertEqual(util.time_str_to_us("2s"), 2e6)
        with self.assertRaises(ValueError):
            util.time_str_to_us("abc")
        self.assertEqual(util.compare_version("1.10.0", "1.9.3"), 1)
        self.assertEqual(util.compare_version("1.1.1", "1.1.1"), 0)
        self.assertEqual(util.compare_version("0.9", "1.0"), -1)
        self.assertTrue(util.pid_exists(os.getpid()))
        self.assertFalse(util.pid_exists(-1))
        with self.assertRaises(ValueError):
            util.pid_exists(0)
        self.assertRegex(util.unique_file_name("/x/prog.py"), rf"^prog_\d{{8}}_\d{{6}}_{os.getpid()}\.json$")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            util.color_print("OKGREEN", "ok")
            util.same_line_print("line", width=4)
        self.assertEqual(out.getvalue(), "\033[92mok\033[0m\n\r    \rline")
        self.assertTrue(util.frame_stack_has_func(sys._getframe(), [TestModulePaths.test_util_helpers]))
        self.assertFalse(util.frame_stack_has_func(sys._getframe(), [fib]))

    def test_lazy_module_attributes(self):
        # `import viztracer` alone imports none of them; each is an attribute on first use.
        code = ("import sys, viztracer\n"
                "print(sorted(m for m in ('viztracer.util', 'viztracer.report_builder', "
                "'viztracer.cellmagic', 'viztracer.viztracer') if m in sys.modules))\n"
                "print(viztracer.util.size_fmt(1), viztracer.report_builder.ReportBuilder.__name__,"
                " callable(viztracer.load_ipython_extension), 'cellmagic' in dir(viztracer))\n")
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines(), ["[]", "1.0B ReportBuilder True True"])


class TestReportBuilder(TempDirTest):
    def _trace(self, name, func, n):
        t = VizTracer(verbose=0, output_file=self.path(name), ignore_c_function=True)
        t.start()
        for _ in range(n):
            func()
        t.stop()
        return t

    def test_files_and_dicts_combined(self):
        from viztracer.report_builder import ReportBuilder
        a = self._trace("a.json", leaf, 3)
        a.save()
        b = self._trace("b.json", lambda: fib(3), 1)
        b.parse()  # b.data: a trace dict, as viztracer's parse() leaves it
        # A dict whose complete events name a file but that carries no file_info.
        raw = {"traceEvents": [{"ph": "X", "name": f"custom ({__file__}:7)", "ts": 1, "dur": 2,
                                "pid": 7, "tid": 7, "cat": "FEE"}]}
        out = self.path("all.json")
        ReportBuilder([self.path("a.json"), b.data, raw], verbose=0).save(output_file=out)
        data = load(out)
        self.assertEqual(len(named(data, "leaf")), 3)
        self.assertEqual(len(named(data, "fib")), 5)
        self.assertEqual(len(named(data, "custom")), 1)
        self.assertEqual(len(events(data)), 3 + 5 + 1 + 1)  # and the lambda
        fi = data["file_info"]
        self.assertEqual(fi["functions"][f"custom ({__file__}:7)"], [__file__, 7])
        self.assertIn(__file__, fi["files"])
        self.assertIn(f"leaf ({__file__}:{leaf.__code__.co_firstlineno})", fi["functions"])
        self.assertFalse(data["viztracer_metadata"]["overflow"])
        s = stats(out)
        self.assertEqual(sum(t["slices"] for t in s["threads"]), 10)
        self.assertEqual(s["diagnostics"], [])

    def test_one_dict_file_object_overflow_and_no_file_info(self):
        from viztracer.report_builder import ReportBuilder
        t = VizTracer(verbose=0, tracer_entries=5, ignore_c_function=True)
        t.start()
        fib(5)
        t.stop()
        t.parse()
        self.assertTrue(t.data["viztracer_metadata"]["overflow"])
        f = io.StringIO()
        ReportBuilder(t.data, verbose=0).save(f, file_info=False)
        data = json.loads(f.getvalue())
        self.assertEqual(len(named(data, "fib")), 5)
        self.assertTrue(data["viztracer_metadata"]["overflow"])  # as viztracer's
        self.assertNotIn("file_info", data)

    def test_checks(self):
        from viztracer.report_builder import ReportBuilder
        with self.assertRaises(TypeError):
            ReportBuilder(3)
        with self.assertRaises(TypeError):
            ReportBuilder([3])
        with self.assertRaises(ValueError):
            ReportBuilder([self.path("missing.json")])
        self.write("x.txt", "{}")
        with self.assertRaises(ValueError):
            ReportBuilder([self.path("x.txt")])
        with self.assertRaises(ValueError):
            ReportBuilder({"traceEvents": []}, verbose=0).save(self.path("r.html"))

    def test_a_stopped_tracers_events_survive(self):
        # The merge goes through the recorder: a stopped tracer's unsaved events are kept.
        from viztracer.report_builder import ReportBuilder
        a = self._trace("a.json", leaf, 2)
        a.save()
        b = self._trace("b.json", leaf, 4)
        ReportBuilder([self.path("a.json")], verbose=0).save(self.path("c.json"))
        b.save()
        self.assertEqual(len(named(load(self.path("b.json")), "leaf")), 4)
        self.assertEqual(len(named(load(self.path("c.json")), "leaf")), 2)


class FakeIPython:
    """What load_ipython_extension uses of IPython's InteractiveShell."""

    def __init__(self):
        self.registered = []
        self.user_ns = {}

    def register_magic_function(self, func, magic_kind="line", magic_name=None):
        self.registered.append((func, magic_kind, magic_name))

    def transform_cell(self, cell):
        return cell


class TestCellMagic(TempDirTest):
    def test_load_ext_registers_a_cell_magic_that_traces_the_cell(self):
        import viztracer
        ip = FakeIPython()
        viztracer.load_ipython_extension(ip)
        ((func, kind, name),) = ip.registered
        self.assertEqual((kind, name), ("cell", "viztracer"))
        self.assertTrue(getattr(func, "needs_local_scope", False))
        out = self.path("cell.json")
        ns = {}
        with contextlib.redirect_stdout(io.StringIO()) as said:
            func(f"output_file={out} max_stack_depth=2 ignore_c_function=True  # comment",
                 "def g(n):\n    return h(n)\ndef h(n):\n    return n\ny = g(4)\n", local_ns=ns)
        self.assertEqual(ns["y"], 4)
        data = load(out)
        self.assertEqual([e["name"].split(" ")[0] for e in events(data)].count("g"), 1)
        self.assertEqual(named(data, "h"), [])  # max_stack_depth=2: <module>, g
        self.assertIn(f"vizviewer {out}", said.getvalue())
        with self.assertRaises(ValueError):
            func("no_such_option=1", "pass\n", local_ns={})

    @unittest.skipUnless(importlib.util.find_spec("IPython"), "IPython is not installed")
    def test_with_ipython(self):
        # %load_ext viztracer and %%viztracer in a real InteractiveShell (its own process).
        out = self.path("ip.json")
        code = textwrap.dedent(f"""
            from IPython.core.interactiveshell import InteractiveShell
            ip = InteractiveShell.instance()
            ip.run_line_magic("load_ext", "viztracer")
            ip.run_cell_magic("viztracer", "output_file={out}", "def g():\\n    return 5\\ny = g()\\n")
            print(ip.user_ns["y"])
        """)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           cwd=self.dir, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.splitlines()[-1], "5")
        self.assertEqual(len(named(load(out), "g")), 1)


class TestFileInfo(TempDirTest):
    def test_every_named_complete_event_has_its_entry(self):
        out = self.path("fi.json")
        src = self.write("other.py", "x = 1\n\n\ndef later():\n    pass\n")

        @log_sparse
        def sparse():
            return 1
        t = VizTracer(verbose=0, output_file=out)
        t.start()
        with t.log_event("step"):
            pass
        line = sys._getframe().f_lineno - 2
        with t.add_duration(f"dur ({src}:4)"):
            pass
        t.add_raw({"ph": "X", "name": f"raw ({src}:1)", "ts": 1, "dur": 1, "cat": "FEE"})
        t.add_raw({"ph": "X", "name": "nofile (/no/such/file.py:3)", "ts": 1, "dur": 1})
        t.stop()
        t.save()
        fi = load(out)["file_info"]
        self.assertEqual(fi["functions"][f"step ({__file__}:{line})"], [__file__, line])
        self.assertEqual(fi["functions"][f"dur ({src}:4)"], [src, 4])
        self.assertEqual(fi["functions"][f"raw ({src}:1)"], [src, 1])
        self.assertNotIn("nofile (/no/such/file.py:3)", fi["functions"])
        with open(src, encoding="utf-8") as f:
            self.assertEqual(fi["files"][src], [f.read(), 5])
        self.assertIn(__file__, fi["files"])

        # --log_sparse: the decorated functions' events are added by the decorator.
        out2 = self.path("sp.json")
        t2 = VizTracer(verbose=0, output_file=out2, log_sparse=True)
        t2.start()
        sparse()
        t2.stop()
        t2.save()
        fi = load(out2)["file_info"]
        code = sparse.__wrapped__.__code__
        name = f"{sparse.__qualname__} ({code.co_filename}:{code.co_firstlineno})"
        self.assertEqual(fi["functions"], {name: [__file__, code.co_firstlineno]})
        self.assertEqual(list(fi["files"]), [__file__])

    def test_saved_names_are_handed_over(self):
        out = self.path("h.json")
        t = VizTracer(verbose=0, output_file=out)
        t.start()
        t.add_raw({"ph": "X", "name": f"first ({__file__}:1)", "ts": 1, "dur": 1})
        t.stop()
        t.save()
        t.start()
        t.stop()
        t.save()
        self.assertNotIn(f"first ({__file__}:1)", load(out)["file_info"]["functions"])

    def test_frozen_module_source(self):
        import posixpath
        filename = posixpath.join.__code__.co_filename
        if not filename.startswith("<frozen "):
            self.skipTest("posixpath is not frozen in this Python")
        out = self.path("fz.json")
        t = VizTracer(verbose=0, output_file=out)
        t.start()
        posixpath.join("a", "b")
        t.stop()
        t.save()
        fi = load(out)["file_info"]
        with open(posixpath.__file__, encoding="utf-8") as f:
            self.assertEqual(fi["files"][filename][0], f.read())
        name = f"join ({filename}:{posixpath.join.__code__.co_firstlineno})"
        self.assertEqual(fi["functions"][name], [filename, posixpath.join.__code__.co_firstlineno])

    def test_coding_line_is_honoured(self):
        path = self.path("latin.py")
        with open(path, "wb") as f:
            f.write(b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n\n\ndef f():\n    return s\n")
        spec = importlib.util.spec_from_file_location("latin_mod", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        out = self.path("lat.json")
        t = VizTracer(verbose=0, output_file=out)
        t.start()
        mod.f()
        t.stop()
        t.save()
        self.assertIn("s = '\u00e9t\u00e9'", load(out)["file_info"]["files"][path][0])


class TestChildOverflow(TempDirTest):
    def test_merged_trace_flags_a_childs_overflow(self):
        script = self.write("ovf.py", textwrap.dedent("""
            import os
            def f(i):
                return i
            pid = os.fork()
            if pid == 0:
                for i in range(300):
                    f(i)
            else:
                os.waitpid(pid, 0)
        """))
        out = self.path("o.json")
        r = run_cli(["--quiet", "--tracer_entries", "50", "--ignore_c_function", "-o", out, script])
        self.assertEqual(r.returncode, 0, r.stderr)
        data = load(out)
        meta = data["viztracer_metadata"]
        self.assertTrue(meta["overflow"])
        self.assertGreaterEqual(meta["lost_records"], 250)
        self.assertEqual(len(named(data, "f")), 50)
        self.assertRegex(r.stderr, r"\d+ early events were lost \(\d+ of them in child processes\)")
        self.assertEqual(len(re.findall("early events were lost", r.stderr)), 1, r.stderr)


class TestClearWhileRecording(TempDirTest):
    # viztracer's clear() empties the buffer and keeps the threads' call stacks: a call open at
    # the clear is recorded when it returns.
    def test_open_frames_survive_clear(self):
        t = VizTracer(verbose=0, ignore_c_function=True)

        def outer():
            leaf()
            t.clear()
            leaf()
        t.start()
        outer()
        t.stop()
        t.parse()
        names = [e["name"].split(" ")[0] for e in events(t.data)]
        self.assertEqual(sorted(names), ["TestClearWhileRecording.test_open_frames_survive_clear.<locals>.outer",
                                         "leaf"])


class TestNeverStarted(TempDirTest):
    def _check(self, data, file_info=True):
        pid = os.getpid()
        self.assertIn({"ph": "M", "pid": pid, "tid": pid, "name": "process_name",
                       "args": {"name": "MainProcess"}}, data["traceEvents"])
        meta = data["viztracer_metadata"]
        self.assertFalse(meta["overflow"])
        self.assertIn("version", meta)
        self.assertIsInstance(meta["baseTimeNanoseconds"], int)
        self.assertEqual(events(data), [])
        self.assertEqual("file_info" in data, file_info)

    def test_save_and_parse_carry_the_metadata(self):
        out = self.path("n.json")
        VizTracer(verbose=0, output_file=out).save()
        self._check(load(out))
        VizTracer(verbose=0, output_file=out).save(file_info=False)
        self._check(load(out), file_info=False)
        t = VizTracer(verbose=0)
        self.assertEqual(t.parse(), 0)
        self._check(t.data, file_info=False)
        s = stats(out)
        self.assertEqual(s["diagnostics"], [])

    def test_while_another_records(self):
        other = VizTracer(verbose=0, output_file=self.path("other.json"))
        other.start()
        leaf()
        VizTracer(verbose=0, output_file=self.path("n.json"), process_name="idle").save()
        leaf()
        other.stop()
        other.save()
        self.assertEqual(len(named(load(self.path("other.json")), "leaf")), 2)
        data = load(self.path("n.json"))
        self.assertEqual([e["args"]["name"] for e in data["traceEvents"]
                          if e.get("name") == "process_name"], ["idle"])
        self.assertIn("viztracer_metadata", data)


class TestTraceAndSaveName(TempDirTest):
    def test_timestamp_as_viztracers(self):
        @trace_and_save(output_dir=self.dir, verbose=0)
        def job():
            leaf()
        before = int(100000 * time.time())
        job()
        after = int(100000 * time.time())
        (name,) = os.listdir(self.dir)
        m = re.fullmatch(r"result_job_(\d+)\.json", name)
        self.assertIsNotNone(m, name)
        self.assertEqual(len(m.group(1)), 15)
        self.assertTrue(before <= int(m.group(1)) <= after)


if __name__ == "__main__":
    unittest.main()
