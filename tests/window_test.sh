#!/usr/bin/env bash
# Headless window test: renders the demo trace under Xvfb with --screenshot and checks the PNG.
# Usage: window_test.sh VIZVIEWER SOURCE_DIR
set -euo pipefail
viz="$1"; src="$2"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/../assets/demo.json" --screenshot "$tmp/shot.png" --size 1280x720
python3 - "$tmp/shot.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (1280, 720), f"unexpected size {w}x{h}"
# Decode the IDAT stream and require more than a handful of distinct colours (something drawn).
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
bpp = (len(raw) // h - 1) // w
colours = {raw[i:i + 3] for i in range(1, len(raw), 97)}
assert len(colours) > 8, f"only {len(colours)} colours: the window looks empty"
print(f"screenshot ok: {w}x{h}, {len(colours)} sampled colours")
PY
# A broken file must not crash the window either.
printf 'not a trace' > "$tmp/bad.json"
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$tmp/bad.json" --screenshot "$tmp/bad.png" --size 800x600
test -s "$tmp/bad.png"
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
# Two runs compared: the Compare tab's table tints the slower row red and the removed one blue.
xvfb-run -a -s "-screen 0 1600x900x24" "$viz" "$src/data/diff_a.json" "$src/data/diff_b.json" \
  --screenshot "$tmp/compare.png" --size 1200x700
python3 - "$tmp/compare.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", data[16:24])
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT":
        idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
stride, bpp = w * 3, 3
prev, rows = bytearray(stride), []
for y in range(h):  # undo the PNG row filters
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
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
echo "window test ok"
