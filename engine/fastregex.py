"""Compiled regexes that a new process loads without compiling them again.

The ``regex`` module compiles a pattern in two steps: Python code parses and
optimises it into a list of opcodes, then its C core builds the matcher from
that list.  For the large patterns a pack compiles to, the Python step takes
most of a pack's load time (0.3 s for the quantities pack), while the opcodes
are plain data.  ``compile_with_code`` keeps them; ``load`` hands them
straight to the C core, which takes milliseconds.

The opcodes belong to one version of the regex module: they are stored with
it, and ``load`` compiles the ordinary way when the version differs or the
core refuses them.  Tests check that both ways give identical matches.

The opcodes are unsigned 32-bit numbers, kept as an ``array`` (four bytes
each): a new process reads them in one copy instead of unpickling a list
of a million Python ints (loading both bundled packs in a new process
took 0.19-0.27 s with lists, 0.16-0.17 s with arrays).
"""
from __future__ import annotations

import sys
import threading
from array import array

import regex

_MAIN = sys.modules[regex.compile.__module__]
_LOCK = threading.Lock()


def compile_with_code(pattern: str):
    """(compiled pattern, blob) — the blob lets ``load`` skip the compile."""
    seen = []
    core = _MAIN._regex
    original = core.compile

    def record(*args):
        seen.append(args)
        return original(*args)

    with _LOCK:
        core.compile = record
        try:
            compiled = regex.compile(pattern, cache_pattern=False)
        finally:
            core.compile = original
    blob = (regex.__version__, _packed(seen[-1])) if seen else None
    return compiled, blob


_CODE = 2  # where the opcode list stands among the core's compile arguments


def _packed(args: tuple) -> tuple:
    """The core's compile arguments with the opcode list as an array of
    unsigned 32-bit numbers, when it is one that fits."""
    code = args[_CODE]
    if isinstance(code, list):
        try:
            code = array("I", code)
        except (OverflowError, TypeError):
            return args
        if code.itemsize == 4:
            return args[:_CODE] + (code,) + args[_CODE + 1:]
    return args


def _unpacked(args: tuple) -> tuple:
    code = args[_CODE]
    if isinstance(code, array):
        return args[:_CODE] + (code.tolist(),) + args[_CODE + 1:]
    return args


def load(pattern: str, blob):
    """The compiled pattern, from its blob when it fits this regex module."""
    if blob is not None and blob[0] == regex.__version__:
        try:
            compiled = _MAIN._regex.compile(*_unpacked(blob[1]))
            if compiled.pattern == pattern:
                return compiled
        except Exception:  # noqa: BLE001 - any refusal means: compile the ordinary way
            pass
    return regex.compile(pattern)


def without_posix(pattern: str, blob):
    """The pattern ``(?p)...`` compiled without its POSIX flag: the first match
    in backtracking order, not the longest.  The opcodes are the same either
    way (the flag only changes how the match is searched), so the blob of the
    POSIX pattern serves for both."""
    plain = pattern[4:] if pattern.startswith("(?p)") else pattern
    if blob is not None and blob[0] == regex.__version__:
        try:
            args = _unpacked(blob[1])
            compiled = _MAIN._regex.compile(plain, args[1] & ~regex.POSIX, *args[2:])
            if compiled.pattern == plain and not compiled.flags & regex.POSIX:
                return compiled
        except Exception:  # noqa: BLE001 - as in load: compile the ordinary way
            pass
    return regex.compile(plain)
