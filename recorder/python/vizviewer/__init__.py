"""python3 -m vizviewer FILE: runs the native vizviewer binary (the viewer) with these arguments."""
import os
import shutil


def binary():
    """Path of the vizviewer executable: $VIZVIEWER_BINARY when set, else the one this package
    was built or installed with, else the first on PATH."""
    override = os.environ.get("VIZVIEWER_BINARY")
    if override:
        return override
    try:
        from ._where import BINARY
        if os.access(BINARY, os.X_OK):
            return BINARY
    except ImportError:
        pass
    found = shutil.which("vizviewer")
    if found:
        return found
    raise FileNotFoundError("cannot find the vizviewer binary (install it with `make install`)")
