"""`.viztracerrc` and `--rcfile FILE`: option defaults from an INI file, read as viztracer reads
them. The `[default]` section's keys are the options' names as the parser stores them
(`tracer_entries = 500`, `ignore_c_function = 1`, `exclude_files = ./venv ./build`):

- a flag is set when its key is present, whatever the value;
- an option taking one value gets it converted as on the command line;
- an option taking a list gets the value split on whitespace.

Keys naming no option are ignored. Options given on the command line override the file.
"""
import argparse
import configparser
import os

DEFAULT = ".viztracerrc"


class RcFileError(Exception):
    """An rcfile that was asked for but cannot be used; the message says why."""


def load_rcfile(parser, path=None):
    """The options set by the rcfile `path` (None: .viztracerrc in the current directory, if
    there is one) as an argparse.Namespace to parse the command line into; None when there is
    no file to read."""
    explicit = path is not None
    path = path if explicit else DEFAULT
    if not os.path.exists(path):
        if explicit:
            raise RcFileError(f"rcfile {path} does not exist")
        return None
    cfg = configparser.ConfigParser()
    try:
        with open(path, encoding="utf-8") as f:
            cfg.read_file(f)
    except (OSError, UnicodeError, configparser.Error) as e:
        raise RcFileError(f"cannot read rcfile {path}: {e}") from None
    if "default" not in cfg:
        raise RcFileError(f"rcfile {path} has no [default] section")
    section = cfg["default"]
    values = argparse.Namespace()
    for action in parser._actions:
        dest = action.dest
        if not action.option_strings or dest in ("help", "rcfile") or dest not in section:
            continue
        try:
            text = section[dest]
            convert = action.type or str
            if action.nargs == 0:
                value = action.const
            elif action.nargs in (None, "?"):
                value = convert(text)
            else:
                value = [convert(v) for v in text.split()]
        except (argparse.ArgumentTypeError, ValueError, TypeError, configparser.Error) as e:
            raise RcFileError(f"rcfile {path}: {dest}: {e}") from None
        setattr(values, dest, value)
    return values
