"""get_report(): per-function totals (count, total, self, mean) of a recorded trace."""


class Report:
    """Totals per function name over the complete (X) events of a trace dict, in microseconds.
    str(report) is a table sorted by total time; to_dict() gives {name: {...}}."""

    def __init__(self, data):
        self.functions = {}
        per_thread = {}
        for e in data.get("traceEvents", []):
            if e.get("ph") == "X":
                per_thread.setdefault((e.get("pid"), e.get("tid")), []).append(e)
        for events in per_thread.values():
            events.sort(key=lambda e: (e["ts"], -e.get("dur", 0)))
            stack = []  # (end, entry, child time)
            for e in events:
                ts, dur = e["ts"], e.get("dur", 0)
                while stack and ts >= stack[-1][0]:
                    self._close(stack.pop())
                if stack:
                    stack[-1][2][0] += dur
                stack.append((ts + dur, e, [0.0]))
            while stack:
                self._close(stack.pop())
        for f in self.functions.values():
            f["mean"] = f["total"] / f["count"]

    def _close(self, item):
        end, e, child = item
        f = self.functions.setdefault(e["name"], {"count": 0, "total": 0.0, "self": 0.0})
        f["count"] += 1
        f["total"] += e.get("dur", 0)
        f["self"] += e.get("dur", 0) - child[0]

    def to_dict(self):
        return {k: dict(v) for k, v in self.functions.items()}

    def __str__(self):
        rows = sorted(self.functions.items(), key=lambda kv: -kv[1]["total"])
        width = max([len("function")] + [min(len(k), 80) for k, _ in rows])
        lines = [f"{'function':<{width}}  {'count':>8}  {'total(us)':>12}  {'self(us)':>12}  {'mean(us)':>10}"]
        for name, f in rows:
            lines.append(f"{name[:80]:<{width}}  {f['count']:>8}  {f['total']:>12.3f}  "
                         f"{f['self']:>12.3f}  {f['mean']:>10.3f}")
        return "\n".join(lines)

    def print(self):
        print(str(self))
