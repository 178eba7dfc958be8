"""python3 -m vizviewer FILE: runs the native vizviewer binary (the viewer) with these arguments."""
import os
import shutil


def binary():
    """Path of the vizviewer executable: the one this package was built with, else PATH's."""
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
