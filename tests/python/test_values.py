"""Values given to the tracer's event methods, as viztracer takes them: add_counter with None,
bools and numeric strings (and only while recording), add_instant with a bad scope, VizObject
snapshots of attributes that are not basic types, a log_func_repr that returns something
other than a str, a process_name with a NUL or a lone surrogate, log_var of a bool."""
import contextlib
import io
import unittest

from helpers import TempDirTest, events, stats, strict_json
from viztracer import VizCounter, VizObject, VizTracer

MODES = (("profile hook", False), ("eval-frame hook", True))  # ignore_c_function


def typed(args):
    """args with each value's type: 1 and True compare equal, JSON 1 and true do not."""
    return {k: (type(v).__name__, v) for k, v in args.items()}


def fname(fn):
    code = fn.__code__
    return f"{fn.__qualname__} ({code.co_filename}:{code.co_firstlineno})"


class Session(TempDirTest):
    def record(self, name, body, **kwargs):
        """Runs body(tracer) while recording; saves `name` and returns its path."""
        path = self.path(name)
        t = VizTracer(verbose=0, register_global=False, output_file=path, **kwargs)
        t.start()
        try:
            body(t)
        finally:
            t.stop()
        return t.save(path)

    def counters(self, data, name):
        return [e["args"] for e in events(data, "C") if e["name"] == name]

    def clean_stats(self, path):
        st = stats(path)
        self.assertEqual(st["diagnostics"], [], path)
        return st


class TestAddCounterValues(Session):
    """1. add_counter stores the dict as given, only while recording; bools become 1/0, None no
    value at that sample, numeric strings numbers. A non-dict is an error; VizCounter still
    takes numbers only."""

    def fill(self, t):
        t.add_counter("stats", {"rss": None})             # e.g. psutil has no value yet
        t.add_counter("stats", {"ready": True, "busy": False})
        t.add_counter("stats", {"n": "5"})
        t.add_counter("stats", {"x": 1.5, "y": 2})
        with self.assertRaisesRegex(ValueError, "needs a dict"):
            t.add_counter("stats", [1])

    def test_not_recording_checks_nothing(self):
        t = VizTracer(verbose=0, register_global=False)
        for args in ({"rss": None}, {"ready": True}, {"n": "no"}, [1], None):
            t.add_counter("stats", args)  # no error, as viztracer's does nothing when disabled

    def test_json(self):
        data = strict_json(self.record("c.json", self.fill))
        got = self.counters(data, "stats")
        self.assertEqual(len(got), 4)
        self.assertEqual(got[0], {"rss": None})  # no value at this sample, as given
        self.assertEqual([typed(a) for a in got[1:]],
                         [{"ready": ("int", 1), "busy": ("int", 0)}, {"n": ("int", 5)},
                          {"x": ("float", 1.5), "y": ("int", 2)}])
        st = self.clean_stats(self.path("c.json"))
        self.assertEqual([(c["name"], c["samples"], sorted(c["series"])) for c in st["counters"]],
                         [("stats", 4, ["busy", "n", "ready", "rss", "x", "y"])])

    def test_vzt(self):
        st = self.clean_stats(self.record("c.vzt", self.fill))
        self.assertEqual([(c["name"], c["samples"]) for c in st["counters"]], [("stats", 4)])
        self.assertTrue({"ready", "busy", "n", "x", "y"} <= set(st["counters"][0]["series"]))

    def test_vizcounter_numbers_only(self):
        def body(t):
            c = VizCounter(t, "cnt")
            c.a = 1
            for bad in ("x", None, True):
                with self.assertRaises(Exception):  # viztracer: "Counter can only take numeric values"
                    c.b = bad
                del c.b
            c.a = 2.5
        data = strict_json(self.record("vc.json", body))
        self.assertEqual([typed(a) for a in self.counters(data, "cnt")],
                         [{"a": ("int", 1)}, {"a": ("float", 2.5)}])


class TestInstantScope(Session):
    """2. A scope other than g, p, t: viztracer prints "Scope has to be one of g, p, t" and
    adds nothing, only while recording; the program goes on."""

    def test_bad_scope(self):
        for log_print in (False, True):
            with self.subTest(log_print=log_print):
                out = io.StringIO()
                idle = VizTracer(verbose=0, register_global=False)
                with contextlib.redirect_stdout(out):
                    idle.add_instant("ev", scope="process")  # not recording: nothing at all
                self.assertEqual(out.getvalue(), "")

                def body(t):
                    with contextlib.redirect_stdout(out):
                        t.add_instant("ok", {"a": 1})
                        t.add_instant("bad", {"a": 1}, scope="global")
                        t.log_instant("bad2", scope="thread")
                        t.add_instant("bad3", scope="G")
                        t.log_instant("ok2", scope="p")
                name = f"s{int(log_print)}.json"
                data = strict_json(self.record(name, body, log_print=log_print))
                self.assertEqual(out.getvalue(), "Scope has to be one of g, p, t\n" * 3)
                inst = sorted(events(data, "i"), key=lambda e: e["ts"])
                self.assertEqual([(e["name"], e["s"], e.get("args")) for e in inst],
                                 [("ok", "g", {"a": 1}), ("ok2", "p", None)])
                st = self.clean_stats(self.path(name))
                self.assertEqual(st["instants"], {"thread": 0, "process": 1, "global": 1})


class Conn:
    """An object whose repr touches a closed resource."""
    reprs = 0

    def __repr__(self):
        Conn.reprs += 1
        raise RuntimeError("connection closed")


class Boom:
    def __repr__(self):
        raise RuntimeError("boom")


class TestVizObjectSnapshot(Session):
    """3. As viztracer's, a snapshot holds the list, dict, int, float and str attributes and
    leaves the others out, never repr()'ing them; a list or dict JSON cannot hold is left out
    too, and no assignment raises."""

    def test_snapshots(self):
        cyclic = [1]
        cyclic.append(cyclic)

        def body(t):
            Conn.reprs = 0
            o = VizObject(t, "worker")
            o.a = 1
            o.b = True                 # bool, None, set, other objects: left out
            o.n = None
            o.seen = set(range(1000))
            o.conn = Conn()
            o.d = {"k": [1, 2]}
            o.tk = {(1, 2): 3}         # a key JSON cannot have
            o.lr = [Boom()]            # an item whose repr raises
            o.cyc = cyclic
            o.s = "x"
            o.f = 2.5
            self.assertEqual(Conn.reprs, 0)
            del o
        data = strict_json(self.record("o.json", body))
        objs = [(e["ph"], e["name"], e.get("args")) for e in data["traceEvents"] if e["ph"] in "NOD"]
        base = {"a": 1}
        with_d = {"a": 1, "d": {"k": [1, 2]}}
        self.assertEqual(objs, [("N", "worker", None)]
                         + [("O", "worker", {"snapshot": base})] * 5
                         + [("O", "worker", {"snapshot": with_d})] * 4
                         + [("O", "worker", {"snapshot": {**with_d, "s": "x"}}),
                            ("O", "worker", {"snapshot": {**with_d, "s": "x", "f": 2.5}}),
                            ("D", "worker", None)])
        self.clean_stats(self.path("o.json"))


def takes(x, y, z):
    return x * 2


class NoStr:
    def __str__(self):
        raise RuntimeError("no str")


def short_repr(value):
    """A log_func_repr that keeps numbers as numbers (not a str)."""
    if isinstance(value, int):
        return value
    if value is None:
        return None
    if isinstance(value, bytes):
        return NoStr()
    return repr(value)


class TestFuncReprNotStr(Session):
    """4. log_func_repr's result is kept when it is not a str: its str(), or "Not Displayable"
    when str() raises (viztracer keeps the value itself)."""

    def test_kept(self):
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                path = self.record(f"r{int(icf)}.json", lambda t: takes(21, None, b"\xff"),
                                   ignore_c_function=icf, log_func_args=True,
                                   log_func_retval=True, log_func_repr=short_repr)
                data = strict_json(path)
                ev = [e for e in events(data) if e["name"] == fname(takes)]
                self.assertEqual(len(ev), 1)
                self.assertEqual(ev[0]["args"], {"func_args": {"x": "21", "y": "None",
                                                               "z": "Not Displayable"},
                                                 "return_value": "42"})
                self.clean_stats(path)


class TestProcessNameCharacters(Session):
    """5. A process_name with a NUL or a lone surrogate (built from bytes) does not make start()
    raise: the character is written as '?'."""

    def test_names(self):
        for given, written in (("worker\x001", "worker?1"), ("job-\udcff", "job-?"),
                               ("ok é", "ok é")):
            with self.subTest(name=ascii(given)):
                t = VizTracer(verbose=0, register_global=False, process_name=given)
                path = self.path("p.json")
                t.start()
                t.stop()
                t.save(path)
                self.assertEqual(t.process_name, given)
                meta = [e["args"]["name"] for e in events(strict_json(path), "M")
                        if e["name"] == "process_name"]
                self.assertEqual(meta, [written])
                self.clean_stats(path)


class TestLogVarBool(Session):
    """6. viztracer takes a bool for an int: log_var and add_variable(event="counter") make a
    counter of it, written as 1/0 (JSON true is not a counter value)."""

    def fill(self, t):
        t.log_var("flag", True)
        t.log_var("flag", False)
        t.log_var("flag", 3)
        t.add_variable("ready", True, "counter")

    def test_json(self):
        data = strict_json(self.record("b.json", self.fill))
        self.assertEqual(events(data, "i"), [])
        self.assertEqual([typed(a) for a in self.counters(data, "flag")],
                         [{"value": ("int", 1)}, {"value": ("int", 0)}, {"value": ("int", 3)}])
        self.assertEqual([typed(a) for a in self.counters(data, "ready")], [{"ready": ("int", 1)}])
        st = self.clean_stats(self.path("b.json"))
        self.assertEqual({c["name"]: (c["samples"], c["series"]) for c in st["counters"]},
                         {"flag": (3, ["value"]), "ready": (1, ["ready"])})

    def test_vzt(self):
        st = self.clean_stats(self.record("b.vzt", self.fill))
        self.assertEqual({c["name"]: c["samples"] for c in st["counters"]}, {"flag": 3, "ready": 1})



class Packet:
    def __init__(self, payload):
        self.payload = payload

    def __repr__(self):
        return f"Packet<{self.payload}>"


def send(packet):
    return packet


class TestNulInReprs(Session):
    """A NUL in an argument's or return value's repr, or in a thread's name, is kept (it cut the
    text short)."""

    def test_kept(self):
        import threading

        def body(t):
            send(Packet("abc\x00def"))
            th = threading.Thread(target=send, args=(Packet("x"),), name="conn\x00#7")
            th.start()
            th.join()
        for mode, icf in MODES:
            with self.subTest(mode=mode):
                path = self.record(f"n{int(icf)}.json", body, ignore_c_function=icf,
                                   log_func_args=True, log_func_retval=True)
                data = strict_json(path)
                sent = [e["args"] for e in events(data) if e["name"] == fname(send)]
                self.assertIn({"func_args": {"packet": "Packet<abc\x00def>"},
                               "return_value": "Packet<abc\x00def>"}, sent)
                names = {e["args"]["name"] for e in events(data, "M") if e["name"] == "thread_name"}
                self.assertIn("conn\x00#7", names)
                self.clean_stats(path)


if __name__ == "__main__":
    unittest.main()
