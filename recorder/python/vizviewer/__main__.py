"""python3 -m vizviewer [args]: execs the native viewer."""
import os
import sys

from vizviewer import binary

try:
    exe = binary()
except FileNotFoundError as e:
    sys.stderr.write(f"vizviewer: {e}\n")
    sys.exit(1)
os.execv(exe, [exe] + sys.argv[1:])
