#!/usr/bin/env python3
"""Writes an async-heavy Chrome trace for `make bench`: what Node's async hooks or Chrome's
frame pipeline produce in bulk, which loads differently from call stacks (pairing by id,
interning every id, lanes).

Usage: gen_async.py --slices N [--seed S] OUT.json

Half the slices are single operations (b/e with an id of their own, one of 50 names), half
come in groups of three sharing an id: a "Reporter" with two stages nested in it. Begins are
spread at random over 10 s and listed in that random order, as a merged trace would be.
"""
import argparse
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--slices", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("out")
    opt = ap.parse_args()
    rng = random.Random(opt.seed)
    ev = []
    i = 0
    common = ',"cat":"c","pid":1,"tid":1'
    while i < opt.slices:
        t, d = rng.randrange(10_000_000), rng.randrange(5000)
        if i % 4 < 2:
            name = "op%d" % rng.randrange(50)
            ev.append('{"ph":"b","name":"%s","id":"%d","ts":%d%s}' % (name, i, t, common))
            ev.append('{"ph":"e","name":"%s","id":"%d","ts":%d%s}' % (name, i, t + d, common))
            i += 1
        else:
            g = '"id":"g%d"' % i
            ev.append('{"ph":"b","name":"Reporter",%s,"ts":%d%s}' % (g, t, common))
            ev.append('{"ph":"b","name":"StageA",%s,"ts":%d%s}' % (g, t, common))
            ev.append('{"ph":"e","name":"StageA",%s,"ts":%d%s}' % (g, t + d // 2, common))
            ev.append('{"ph":"b","name":"StageB",%s,"ts":%d%s}' % (g, t + d // 2, common))
            ev.append('{"ph":"e","name":"StageB",%s,"ts":%d%s}' % (g, t + d, common))
            ev.append('{"ph":"e","name":"Reporter",%s,"ts":%d%s}' % (g, t + d, common))
            i += 3
    with open(opt.out, "w") as f:
        f.write("[" + ",\n".join(ev) + "]\n")


if __name__ == "__main__":
    main()
