#!/usr/bin/env bash
# End-to-end drag-and-drop test: under Xvfb, starts vizviewer on its start screen, drops a trace on
# it with a real XDND exchange (tests/xdnd_drop.py), waits until the window title names the file
# (the viewer retitles itself once the file is loaded), then closes the window the way a window
# manager does (WM_DELETE_WINDOW) and requires a clean exit.
# Usage: drop_test.sh VIZVIEWER SOURCE_DIR
set -euo pipefail
py=/usr/bin/python3  # Debian's interpreter: python3-xlib is installed for it only
if [ "${1:-}" != "--under-xvfb" ]; then
  [ $# -eq 2 ] || { echo "usage: drop_test.sh VIZVIEWER SOURCE_DIR" >&2; exit 2; }
  if ! "$py" -c "import Xlib" 2>/dev/null; then
    echo "drop test: python3-xlib is missing (apt-get install python3-xlib)" >&2
    exit 1
  fi
  exec xvfb-run -a -s "-screen 0 1600x900x24" "$0" --under-xvfb "$@"
fi
viz="$2"; src="$3"
trace="$src/data/all_phases.json"
test -f "$trace" || { echo "drop test: missing $trace" >&2; exit 1; }
tmp="$(mktemp -d)"
# The viewer must not touch the user's real settings.
export VIZVIEWER_CONFIG_DIR="$tmp/config"

"$viz" --size 1024x700 >"$tmp/viz.log" 2>&1 &
pid=$!
cleanup() {
  if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "drop test: $*" >&2
  echo "--- vizviewer output ---" >&2
  cat "$tmp/viz.log" >&2 || true
  exit 1
}

# Waits (with a deadline) until the title names file $1; with --close, then sends WM_DELETE_WINDOW.
title_is() {
  "$py" - "$src" "$@" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[1])
from Xlib import X, display
from Xlib.protocol import event
import xdnd_drop

d = display.Display()
want = "vizviewer \u2014 " + sys.argv[2]
title, wins = "", []
def titled(_ev):
    global title, wins
    wins = xdnd_drop.find_xdnd_windows(d, "vizviewer")
    title = xdnd_drop.window_title(d, wins[0]) if wins else ""
    return True if title == want else None
try:
    xdnd_drop.wait_for(d, time.monotonic() + 30, f"the title '{want}'", titled)
except xdnd_drop.DropError as e:
    sys.exit(f"{e}; the title is '{title}'")
print(f"title ok: {title}")
if "--close" in sys.argv[3:]:
    msg = event.ClientMessage(window=wins[0], client_type=d.intern_atom("WM_PROTOCOLS"),
                              data=(32, [d.intern_atom("WM_DELETE_WINDOW"), X.CurrentTime, 0, 0, 0]))
    wins[0].send_event(msg, event_mask=0)
    d.flush()
PY
}

# 1. Drop the test trace (xdnd_drop.py waits, with a deadline, for the window to be XdndAware);
#    the title must then name it (not "loading ...").
"$py" "$src/xdnd_drop.py" --title vizviewer --timeout 30 "$trace" || fail "the drop did not complete"
title_is "$(basename "$trace")" || fail "the window never showed $(basename "$trace")"

# 2. Drop a copy whose name needs percent-encoding in the URI (space, '#', '%', UTF-8), replacing
#    the open trace; then ask the window to close as a window manager would.
odd="$tmp/drop me #1 100%"$' \xc3\xa9t\xc3\xa9.json'
cp "$trace" "$odd"
"$py" "$src/xdnd_drop.py" --title vizviewer --timeout 30 "$odd" || fail "the second drop did not complete"
title_is "$(basename "$odd")" --close || fail "the window never showed $(basename "$odd")"

# 3. A clean exit after WM_DELETE_WINDOW, within a deadline; failed (and killed) otherwise.
if ! timeout 15 tail --pid="$pid" -f /dev/null; then
  fail "vizviewer did not exit within 15 s of WM_DELETE_WINDOW"
fi
rc=0
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || fail "vizviewer exited with status $rc"
echo "drop test ok"
