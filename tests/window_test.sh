#!/usr/bin/env bash
# Headless window test: renders the demo trace under Xvfb with --screenshot and checks the PNG.
# Usage: window_test.sh VIZVIEWER SOURCE_DIR
set -euo pipefail
viz="$1"; src="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" --screenshot "$tmp/shot.png" --size 1280x720
python3 - "$tmp/shot.png" "$src" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from png_read import read_png
w, h, rows = read_png(sys.argv[1])
assert (w, h) == (1280, 720), f"unexpected size {w}x{h}"
# More than a handful of distinct colours among sampled pixels: something was drawn.
colours = {bytes(rows[y][x:x + 3]) for y in range(0, h, 7) for x in range(0, w * 3, 3 * 13)}
assert len(colours) > 8, f"only {len(colours)} colours: the window looks empty"
print(f"screenshot ok: {w}x{h}, {len(colours)} sampled colours")
PY
# viztracer's vizviewer options for its web server are accepted, with a note, and change nothing.
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" --once --port 9001 "$src/../assets/demo.json" --timeout 5 \
  --use_external_processor --flamegraph --screenshot "$tmp/compat.png" --size 800x600 2> "$tmp/compat.err"
test -s "$tmp/compat.png"
for opt in --port --timeout --use_external_processor; do
  grep -q -- "$opt has no effect" "$tmp/compat.err" || { cat "$tmp/compat.err" >&2; echo "no note for $opt" >&2; exit 1; }
done
# Those three notes and nothing else: had --port or --timeout not taken its number, "9001" would
# have been opened as the trace (an error on stderr).
[ "$(wc -l < "$tmp/compat.err")" -eq 3 ] || { cat "$tmp/compat.err" >&2; echo "unexpected output with the compat options" >&2; exit 1; }
# A broken file must not crash the window either: its error screen is written, the status is 1
# and stderr names the file.
printf 'not a trace' > "$tmp/bad.json"
rc=0
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$tmp/bad.json" --screenshot "$tmp/bad.png" --size 800x600 \
  2> "$tmp/bad.err" || rc=$?
test -s "$tmp/bad.png"
[ "$rc" -eq 1 ] || { echo "a trace that did not load gave status $rc" >&2; exit 1; }
grep -q "bad.json" "$tmp/bad.err" || { cat "$tmp/bad.err" >&2; echo "no error naming the file" >&2; exit 1; }
# The same when the run to compare with (B) does not load: the window shows A, stderr names B.
rc=0
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" "$tmp/bad.json" --screenshot "$tmp/badb.png" \
  --size 800x600 2> "$tmp/badb.err" || rc=$?
test -s "$tmp/badb.png"
[ "$rc" -eq 1 ] || { echo "a comparison run that did not load gave status $rc" >&2; exit 1; }
grep -q "bad.json" "$tmp/badb.err" || { cat "$tmp/badb.err" >&2; echo "no error naming run B" >&2; exit 1; }
# --mouse puts the pointer somewhere: what it hovers shows its tooltip there (the pixels in a box
# beside the pointer change) and nothing far from it moves.
cat > "$tmp/hover.json" <<'JSON'
{"traceEvents":[{"ph":"X","pid":1,"tid":1,"ts":0,"dur":100,"name":"work"},
{"ph":"C","pid":1,"tid":5,"ts":0,"name":"mem","args":{"rss":1}},
{"ph":"C","pid":1,"tid":5,"ts":50,"name":"mem","args":{"rss":3}}]}
JSON
# hover_check LABEL "VIEW OPTIONS" X,Y "X0 Y0 X1 Y1" ["FAR BOX"]: hover.json without and with the
# pointer at X,Y; at least 500 pixels of the first box change, none of the far box.
hover_check() {
  local label=$1 opts=$2 at=$3 near=$4 far=${5:-}
  # shellcheck disable=SC2086  # opts is a list of options
  xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$tmp/hover.json" --size 900x500 $opts --screenshot "$tmp/$label-still.png"
  # shellcheck disable=SC2086
  xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$tmp/hover.json" --size 900x500 $opts --mouse "$at" \
    --screenshot "$tmp/$label-hover.png"
  python3 - "$tmp/$label-still.png" "$tmp/$label-hover.png" "$src" "$label" "$near" "$far" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
from png_read import read_png
_, _, a = read_png(sys.argv[1])
w, h, b = read_png(sys.argv[2])
label = sys.argv[4]
def differ(box):
    x0, y0, x1, y1 = map(int, box.split())
    return sum(a[y][x * 3:x * 3 + 3] != b[y][x * 3:x * 3 + 3] for y in range(y0, y1) for x in range(x0, x1))
near = differ(sys.argv[5])
assert near > 500, f"{label}: no tooltip beside the pointer ({near} pixels changed)"
if sys.argv[6]:
    far = differ(sys.argv[6])
    assert far == 0, f"{label}: {far} pixels changed far from the pointer"
print(f"--mouse over the {label} ok: {near} pixels of tooltip")
PY
}
# The counter track (thread names far from it do not move).
hover_check counter "" 500,180 "500 180 640 260" "0 300 200 500"
# A flamegraph chosen with --tab: the tab shows a frame after it is asked for, its frames' area
# is hovered a frame after it first appears, and a tooltip is sized on its first frame; the
# screenshot waits for all of that.
hover_check flamegraph "--tab flamegraph" 300,156 "300 160 500 240"
# The same screenshot twice is the same picture: the layout does not depend on how the window's
# first frames went (the panel under the timeline was sized from the first frame's height). The
# status bar (its load time) is left out.
for k in 1 2 3; do
  xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" --size 800x500 --range 0:1ms \
    --screenshot "$tmp/same$k.png"
done
python3 - "$src" "$tmp/same1.png" "$tmp/same2.png" "$tmp/same3.png" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from png_read import read_png
shots = [read_png(p) for p in sys.argv[2:]]
w, h, first = shots[0]
for k, (_, _, rows) in enumerate(shots[1:], 2):
    diff = [y for y in range(h - 40) if rows[y] != first[y]]
    assert not diff, f"screenshot {k} differs from the first in rows {diff[:5]}..."
print("repeatable screenshots ok")
PY
# Headless frame timing: every level drew something and reported a time.
"$viz" "$src/../assets/demo.json" --bench-frames > "$tmp/frames.txt"
python3 - "$tmp/frames.txt" <<'PY'
import json, sys
doc = json.loads([l for l in open(sys.argv[1]) if l.startswith("{")][-1])
for level in ("zoomed_out", "mid_zoom", "deep_zoom"):
    assert doc[level]["items"] > 0, f"{level}: nothing drawn"
    assert 0 < doc[level]["median_ms"] <= doc[level]["max_ms"], f"{level}: bad times {doc[level]}"
print("bench-frames ok:", {k: doc[k]["items"] for k in ("zoomed_out", "mid_zoom", "deep_zoom")})
PY
# Every tab renders (with a range, a selection and a search applied).
for tab in timeline flamegraph stats info; do
  xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" --tab "$tab" --range 2ms:30ms \
    --select "parse (/home/user/project/app.py:25)" --search parse --screenshot "$tmp/$tab.png" --size 1024x640
  test -s "$tmp/$tab.png"
done
# --select takes viztracer's bare qualname for "qualname (file:line)"; a name nothing has is said.
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" --select parse \
  --screenshot "$tmp/sel.png" --size 800x500 2> "$tmp/sel.err"
test ! -s "$tmp/sel.err" || { cat "$tmp/sel.err"; echo "--select parse: unexpected message"; exit 1; }
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" --select no_such_function \
  --screenshot "$tmp/sel.png" --size 800x500 2> "$tmp/sel.err"
grep -q "no slice, async slice or object is named 'no_such_function'" "$tmp/sel.err"
# --tab flamegraph with --range shows that range's flamegraph: of two halves named apart, the
# top frame row holds one name across the width (both halves', two names, without --range).
python3 -c "
import json, sys
ev = [{'ph': 'X', 'name': 'early' if i < 5 else 'late', 'pid': 1, 'tid': 1, 'ts': i * 100, 'dur': 90}
      for i in range(10)]
json.dump(ev, open(sys.argv[1], 'w'))" "$tmp/halves.json"
for r in whole range; do
  extra=(); [ "$r" = range ] && extra=(--range 500us:1000us)
  xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$tmp/halves.json" --tab flamegraph "${extra[@]}" \
    --screenshot "$tmp/fg_$r.png" --size 1000x400
done
python3 - "$tmp/fg_whole.png" "$tmp/fg_range.png" "$src" <<'PY'
import sys
from collections import Counter
sys.path.insert(0, sys.argv[3])
from png_read import read_png
def widest_colour_share(path):
    """Per row, the share of the width the most common saturated colour takes; of the frame
    rows under the root ("all", grey), the widest."""
    w, h, rows = read_png(path)
    best = 0.0
    for row in rows[int(h * 0.3):int(h * 0.6)]:
        c = Counter(tuple(row[3 * x:3 * x + 3]) for x in range(w))
        sat = [(n, p) for p, n in c.items() if max(p) - min(p) > 60]
        if sat:
            best = max(best, max(sat)[0] / w)
    return best
whole, ranged = widest_colour_share(sys.argv[1]), widest_colour_share(sys.argv[2])
assert ranged > 0.85, f"range flamegraph: one name should span the width, widest colour {ranged:.2f}"
assert whole < 0.6, f"whole flamegraph: two names should share the width, widest colour {whole:.2f}"
print(f"flamegraph of a range ok: widest frame colour {ranged:.2f} of the width (whole trace: {whole:.2f})")
PY
# Two runs compared: the Compare tab's table tints the slower row red and the removed one blue.
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/data/diff_a.json" "$src/data/diff_b.json" \
  --screenshot "$tmp/compare.png" --size 1200x700
python3 - "$tmp/compare.png" "$src" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from png_read import read_png
w, h, rows = read_png(sys.argv[1])
stride = w * 3
red = blue = 0
for row in rows:
    for x in range(0, stride, 3):
        r, g, b = row[x], row[x + 1], row[x + 2]
        red += r > g + 50 and r > b + 50
        blue += b > r + 50 and b > g + 20
assert red > 5000, f"no red (slower) rows: {red} reddish pixels"
assert blue > 5000, f"no blue (faster/removed) rows: {blue} bluish pixels"
print(f"compare ok: {red} red, {blue} blue pixels")
PY
# Two files with --tab info: the view stays on A's Trace info (run B loading does not switch to
# Compare): below the tab bar it is A's page alone (the status bar, with its load time, left out).
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/data/diff_a.json" "$src/data/diff_b.json" --tab info \
  --screenshot "$tmp/info2.png" --size 900x500
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/data/diff_a.json" --tab info --screenshot "$tmp/info1.png" --size 900x500
python3 - "$tmp/info1.png" "$tmp/info2.png" "$src" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
from png_read import read_png
_, _, a = read_png(sys.argv[1])
w, h, b = read_png(sys.argv[2])
changed = sum(a[y] != b[y] for y in range(100, h - 40))
assert changed == 0, f"--tab info with two files: {changed} rows differ from A's Trace info alone"
print("--tab info with run B ok")
PY
# Side by side, aligned on "save", "compute" selected: it is highlighted in both runs, so each
# half of the timeline area holds saturated (not dimmed) pixels of the same colour.
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/data/diff_a.json" "$src/data/diff_b.json" --tab compare \
  --side-by-side --align save --select compute --screenshot "$tmp/side.png" --size 1200x700
python3 - "$tmp/side.png" "$src" <<'PY'
import sys
from collections import Counter
sys.path.insert(0, sys.argv[2])
from png_read import read_png
w, h, rows = read_png(sys.argv[1])
def saturated(x0, x1):
    c = Counter()
    for y in range(int(h * 0.15), int(h * 0.5)):
        row = rows[y]
        for x in range(x0, x1):
            p = tuple(row[3 * x:3 * x + 3])
            if max(p) - min(p) > 80:
                c[p] += 1
    return c
left, right = saturated(0, w // 2), saturated(w // 2, w)
common = [(p, min(left[p], right[p])) for p in left if p in right and p[0] + p[1] + p[2] > 150]
common.sort(key=lambda t: -t[1])
assert common and common[0][1] > 150, f"no highlighted colour in both halves: {left.most_common(3)} / {right.most_common(3)}"
top = common[0][0]
# Everything else is dimmed: apart from the accent blue of labels and controls, the highlighted
# colour is nearly all the saturated pixels of each half.
for name, half in (("A", left), ("B", right)):
    others = sum(n for p, n in half.items() if p != top and not p[2] > p[0] + 30)
    assert others < half[top] * 0.15, f"{name}: {others} other saturated pixels vs {half[top]}: {half.most_common(5)}"
print(f"side by side ok: {top} in both halves ({common[0][1]} px), the rest dimmed")
PY
# The differential flamegraph of the demo pair: slower frames red, faster ones blue.
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/compare_a.json" "$src/../assets/compare_b.json" \
  --tab diff-flamegraph --screenshot "$tmp/diff_flame.png" --size 1400x860
python3 - "$tmp/diff_flame.png" "$src" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from png_read import read_png
w, h, rows = read_png(sys.argv[1])
red = blue = 0
for row in rows[int(h * 0.75):int(h * 0.95)]:  # the graph, under its toolbar
    for x in range(0, w * 3, 3):
        r, g, b = row[x], row[x + 1], row[x + 2]
        red += r > g + 40 and r > b + 40
        blue += b > r + 40 and b > g + 10
assert red > 3000, f"no slower (red) frames: {red} reddish pixels"
assert blue > 200, f"no faster (blue) frames: {blue} bluish pixels"
print(f"differential flamegraph ok: {red} red, {blue} blue pixels")
PY
echo "window test ok"
