#!/usr/bin/python3
"""Drops files onto an X11 window the way a file manager does, acting as an XDND source.

Used by tests/drop_test.sh to test vizviewer's drag-and-drop end to end under Xvfb (no packaged
tool sends XDND drops; xdotool cannot). Needs python3-xlib (Debian's /usr/bin/python3).

    xdnd_drop.py [--title SUBSTRING] [--timeout SECONDS] FILE...

The protocol (freedesktop.org XDND, version 5): find the target (a top-level window with the
XdndAware property), own the XdndSelection, send XdndEnter (type text/uri-list) and XdndPosition
(the window's centre), wait for XdndStatus accepting the drop, send XdndDrop, answer the
target's SelectionRequest with the file:// URI list, and wait for XdndFinished. Every wait polls
the X event queue against a deadline and fails with a message naming the step.
Exit status: 0 when the target finished the drop and accepted it, 1 otherwise.
"""
import argparse
import os
import select
import sys
import time
import urllib.parse

from Xlib import X, Xatom, display
from Xlib.error import XError
from Xlib.protocol import event

XDND_VERSION = 5


class DropError(Exception):
    """A step of the drop failed or timed out."""


def window_title(d, win):
    """The window's _NET_WM_NAME (UTF-8), else WM_NAME, else ''."""
    try:
        prop = win.get_full_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"))
        if prop and prop.value:
            v = prop.value
            return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
        name = win.get_wm_name()
        return name.decode("latin-1") if isinstance(name, bytes) else (name or "")
    except XError:
        return ""  # the window went away while we looked


def find_xdnd_windows(d, title=None):
    """Every window in the tree with the XdndAware property (and `title` in its title, if given)."""
    aware, found, stack = d.intern_atom("XdndAware"), [], [d.screen().root]
    while stack:
        win = stack.pop()
        try:
            stack.extend(win.query_tree().children)
            if win.get_full_property(aware, X.AnyPropertyType) is None:
                continue
        except XError:
            continue
        if title is None or title in window_title(d, win):
            found.append(win)
    return found


def wait_for(d, deadline, what, test):
    """Pumps X events until test(event or None) returns a value; raises DropError at the deadline.

    test(None) is also called about every 50 ms, so conditions that produce no event (a window
    appearing without us watching it) are re-checked while waiting."""
    while True:
        result = test(None)
        if result is not None:
            return result
        while d.pending_events():
            result = test(d.next_event())
            if result is not None:
                return result
        left = deadline - time.monotonic()
        if left <= 0:
            raise DropError(f"timed out waiting for {what}")
        select.select([d.fileno()], [], [], min(left, 0.05))


def send_client_message(d, target, source, kind, data):
    """Sends an XDND client message of type `kind` to `target`; data[0] is always the source."""
    msg = event.ClientMessage(window=target, client_type=d.intern_atom(kind),
                              data=(32, [source.id] + list(data) + [0] * (4 - len(data))))
    target.send_event(msg, event_mask=0, propagate=False)
    d.flush()


def uri_list(paths):
    """text/uri-list for `paths`: one percent-encoded file:// URI per line, CRLF-terminated."""
    return "".join("file://" + urllib.parse.quote(os.path.abspath(p)) + "\r\n" for p in paths).encode()


def answer_selection_request(d, ev, payload):
    """Gives the requestor the URI list (or our TARGETS), then tells it with SelectionNotify."""
    uri_type, targets = d.intern_atom("text/uri-list"), d.intern_atom("TARGETS")
    prop = ev.property if ev.property != X.NONE else ev.target
    if ev.target == uri_type:
        ev.requestor.change_property(prop, uri_type, 8, payload)
    elif ev.target == targets:
        ev.requestor.change_property(prop, Xatom.ATOM, 32, [targets, uri_type])
    else:
        prop = X.NONE  # refuse any other conversion
    ev.requestor.send_event(event.SelectionNotify(time=ev.time, requestor=ev.requestor, selection=ev.selection,
                                                  target=ev.target, property=prop), event_mask=0)
    d.flush()


def drop(d, target, paths, timeout):
    """Runs the XDND exchange with `target`; raises DropError on any failure."""
    deadline = time.monotonic() + timeout
    atom = d.intern_atom
    source = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask)
    source.set_selection_owner(atom("XdndSelection"), X.CurrentTime)
    if d.get_selection_owner(atom("XdndSelection")) != source:
        raise DropError("could not own the XdndSelection")
    geo, root = target.get_geometry(), d.screen().root
    pos = target.translate_coords(root, 0, 0)  # the target's origin in root coordinates
    x, y = -pos.x + geo.width // 2, -pos.y + geo.height // 2

    def client_message(kind):
        return lambda ev: ev if ev is not None and ev.type == X.ClientMessage and \
            ev.client_type == atom(kind) else None

    send_client_message(d, target, source, "XdndEnter", [XDND_VERSION << 24, atom("text/uri-list"), 0, 0])
    send_client_message(d, target, source, "XdndPosition", [0, (x << 16) | y, X.CurrentTime, atom("XdndActionCopy")])
    status = wait_for(d, deadline, "XdndStatus (does the window accept drops?)", client_message("XdndStatus"))
    if not status.data[1][1] & 1:
        send_client_message(d, target, source, "XdndLeave", [0])
        raise DropError("the window refused the drop (XdndStatus without the accept bit)")
    send_client_message(d, target, source, "XdndDrop", [0, X.CurrentTime])
    payload = uri_list(paths)

    def serve_until_finished(ev):
        if ev is not None and ev.type == X.SelectionRequest:
            answer_selection_request(d, ev, payload)
        return client_message("XdndFinished")(ev)

    finished = wait_for(d, deadline, "XdndFinished (did the window read the URI list?)", serve_until_finished)
    # The spec puts "accepted" in bit 0; GLFW 3.3 sends the number of bytes it read there instead,
    # so any non-zero value counts as accepted.
    if finished.data[1][1] == 0:
        raise DropError("the window finished the drop but did not accept it")
    source.destroy()
    d.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="files to drop")
    ap.add_argument("--title", help="only windows whose title contains this")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds for each stage (default 20)")
    args = ap.parse_args()
    d = display.Display()
    try:
        deadline = time.monotonic() + args.timeout
        wins = wait_for(d, deadline, "a window with XdndAware" + (f" titled '{args.title}'" if args.title else ""),
                        lambda ev: find_xdnd_windows(d, args.title) or None)
        drop(d, wins[0], args.files, args.timeout)
    except DropError as e:
        print(f"xdnd_drop: {e}", file=sys.stderr)
        return 1
    print(f"xdnd_drop: dropped {len(args.files)} file(s) on window 0x{wins[0].id:x}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
