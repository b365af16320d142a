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
_GROUP_INDEX = 3  # and the {group name: number} table


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


def group_index(pattern: str, blob) -> dict[str, int]:
    """``regex.compile(pattern).groupindex``, read from the blob when it fits
    this regex module (the core takes the table as one of its arguments),
    so that the pattern need not be compiled to learn its groups."""
    if blob is not None and blob[0] == regex.__version__:
        args = blob[1]
        if len(args) > _GROUP_INDEX and args[0] == pattern and isinstance(args[_GROUP_INDEX], dict):
            return dict(args[_GROUP_INDEX])
    return dict(regex.compile(pattern).groupindex)


class Lazy:
    """A pattern that ``load`` compiles the first time it is used.

    A pack holds a regex for every construction, and with the prefilter and
    the automata (longest.py) a scan runs few of them: most are there for the
    cases an automaton cannot tell, or for ``explain``.  Compiling all of
    them as a pack loads took most of a new process's load time.  ``Lazy``
    answers ``match``, ``fullmatch``, ``finditer`` and ``search`` itself and
    anything else through the compiled pattern; ``groupindex`` comes from the
    blob without compiling.  Two threads may both compile it; either result
    serves."""

    __slots__ = ("source", "blob", "_compiled")

    def __init__(self, source: str, blob):
        self.source, self.blob = source, blob
        self._compiled = None

    def get(self):
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = load(self.source, self.blob)
        return compiled

    @property
    def compiled(self) -> bool:
        """Whether the pattern has been compiled yet."""
        return self._compiled is not None

    @property
    def groupindex(self) -> dict[str, int]:
        if self._compiled is not None:
            return dict(self._compiled.groupindex)
        return group_index(self.source, self.blob)

    def match(self, *args, **kwargs):
        return self.get().match(*args, **kwargs)

    def fullmatch(self, *args, **kwargs):
        return self.get().fullmatch(*args, **kwargs)

    def finditer(self, *args, **kwargs):
        return self.get().finditer(*args, **kwargs)

    def search(self, *args, **kwargs):
        return self.get().search(*args, **kwargs)

    def __reduce__(self):  # pickles as its source and blob, not yet compiled
        return (Lazy, (self.source, self.blob))

    def __getattr__(self, name):
        if name.startswith("_"):  # a slot not yet set (while unpickling, say) is no pattern attribute
            raise AttributeError(name)
        return getattr(self.get(), name)

    def __repr__(self):
        return f"<Lazy {'compiled' if self._compiled is not None else 'not yet compiled'} {self.source[:40]!r}>"
