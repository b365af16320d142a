"""The longest match of a construction at one start, found without backtracking.

A construction's regex runs in POSIX mode (``(?p)``): at a start it returns
the longest match, and to be sure no longer one exists the ``regex`` module
tries every way through the pattern.  In a large pack that is most of a
scan's cost.  Two cheaper steps give the same match:

1. the end: an automaton of the construction reads the tokens from the start
   and remembers where it last accepted (``Longest.end``).  It is the
   Glushkov automaton of the construction's intermediate form (regexgen),
   made deterministic lazily, one state the first time the text needs it,
   over classes of token characters that no set of the pack tells apart;
2. the slots: the same regex without the POSIX flag, asked for a match from
   the start to exactly that end (``fullmatch``).  The POSIX search keeps the
   first match of the greatest length in the order backtracking meets them
   (a later one replaces it only when longer), and ``fullmatch`` returns the
   first match in that same order that ends there: the same way through the
   pattern, so the same slot captures.

Repetitions with a large upper bound (``max_repeat`` caps each unbounded
one) would make the automaton large, so it leaves those unbounded.  A match
of at most ``bound`` tokens (the smallest such cap) repeats nothing more
often than that, so up to ``bound`` tokens the automaton accepts exactly
what the regex does.  When the longest end it finds lies further, or it is
still alive there, ``end`` answers None and the caller asks the POSIX regex.

What the automaton leaves out: the sentence anchor in front of a
construction (``fullmatch`` fails where it fails, and so would the POSIX
match), and the reach lookaheads, which every match satisfies anyway.  A
construction with any other zero-width assertion gets no automaton.
"""
from __future__ import annotations

import threading
import time
from array import array

from .prefilter import signatures, table_offsets

UNCAP = 64  # a repetition allowed this many times or more is unbounded in the automaton
MAX_POSITIONS = 5_000  # leaves after bounded repetitions are written out; past it, no automaton
MAX_STATES = 4_000  # deterministic states kept per construction before the table starts again


class Classes:
    """Token characters that every set of some automata treats alike share a
    class: ``of(code)``; ``sigs[c]`` has bit k set when class c is in set k."""

    __slots__ = ("base", "table", "none", "sigs")

    def __init__(self, sets: list[frozenset], universe):
        universe = list(universe)
        signature = signatures(sets)
        number = {0: 0}  # signature -> class; class 0: in no set
        for code in universe:
            number.setdefault(signature.get(code, 0), len(number))
        for sig in signature.values():  # codes outside the universe, should a set hold any
            number.setdefault(sig, len(number))
        self.base = min(universe, default=0)
        top = max(universe, default=-1)
        self.table = array("I", (number[signature.get(code, 0)] for code in range(self.base, top + 1)))
        self.none = 0
        self.sigs = sorted(number, key=number.get)

    def of(self, code: int) -> int:
        i = code - self.base
        return self.table[i] if 0 <= i < len(self.table) else self.none


class Automaton:
    """The Glushkov automaton of one construction (plain data that pickles).

    Position p matches a character of class c when ``classes.sigs[c]`` has
    bit ``leaf[p]``; ``follow[p]``: the positions that can come next.  The
    last position is the start (it matches nothing; its follow set is the
    first set)."""

    __slots__ = ("classes", "leaf", "follow", "last", "bound")

    def __init__(self, classes: Classes, leaf, follow, last, bound: int):
        self.classes = classes
        self.leaf = leaf
        self.follow = follow
        self.last = last
        self.bound = bound


class _TooLarge(Exception):
    pass


class _Builder:
    """Glushkov positions of one intermediate-form node."""

    def __init__(self, max_repeat: int, set_ids: dict):
        self.max_repeat = max_repeat
        self.set_ids = set_ids  # frozenset -> its number in the shared list of sets
        self.leaf: list[int] = []
        self.follow: list[set] = []
        self.bound = None

    def position(self, codes) -> int:
        if len(self.leaf) >= MAX_POSITIONS:
            raise _TooLarge
        self.leaf.append(self.set_ids.setdefault(codes, len(self.set_ids)))
        self.follow.append(set())
        return len(self.leaf) - 1

    def link(self, last, first) -> None:
        for p in last:
            self.follow[p] |= first

    def walk(self, n):
        """(nullable, first positions, last positions) of node ``n``."""
        kind = n[0]
        if kind == "set":
            p = self.position(n[1])
            return False, {p}, {p}
        if kind == "group":
            return self.walk(n[2])
        if kind == "seq":
            nullable, first, last = True, set(), set()
            for item in n[1]:
                empty, f, l = self.walk(item)
                self.link(last, f)
                if nullable:
                    first |= f
                last = last | l if empty else set(l)
                nullable = nullable and empty
            return nullable, first, last
        if kind == "alt":
            nullable, first, last = False, set(), set()
            for item in n[1]:
                empty, f, l = self.walk(item)
                nullable, first, last = nullable or empty, first | f, last | l
            return nullable, first, last
        if kind == "rep":
            body, lo, hi = n[1], n[2], n[3]
            hi = self.max_repeat if hi is None else min(hi, self.max_repeat)  # as RegexBuilder.emit
            lo = min(lo, hi)
            if hi >= UNCAP:  # body{lo,}: lo copies, then any number more
                self.bound = hi if self.bound is None else min(self.bound, hi)
                nullable, first, last = self.walk(("seq", [body] * lo))
                _, f, l = self.walk(body)
                self.link(l, f)
                self.link(last, f)
                return nullable, first | f if nullable else first, last | l
            if (lo, hi) == (0, 1):
                _, f, l = self.walk(body)
                return True, f, l
            return self.walk(("seq", [body] * lo + [("rep", body, 0, 1)] * (hi - lo)))
        raise ValueError(kind)  # "raw": an assertion the automaton cannot hold


def build(nodes: dict, universe, max_repeat: int) -> dict[int, Automaton]:
    """An automaton for each construction (index -> intermediate form) that
    can have one: no zero-width assertion inside, no empty match, and not
    too large.  The automata share one ``Classes``."""
    set_ids: dict[frozenset, int] = {}
    made = {}
    for index, node in nodes.items():
        b = _Builder(max_repeat, set_ids)
        try:
            nullable, first, last = b.walk(node)
        except (_TooLarge, ValueError):
            continue
        if nullable:
            continue
        b.follow.append(first)  # the start
        b.leaf.append(-1)
        made[index] = (b, last)
    if not made:
        return {}
    sets = sorted(set_ids, key=set_ids.get)
    classes = Classes(sets, universe)
    out = {}
    for index, (b, last) in made.items():
        leaf = array("I", (len(sets) if k < 0 else k for k in b.leaf))  # the start: a set no class is in
        follow = tuple(tuple(sorted(f)) for f in b.follow)
        bound = b.bound if b.bound is not None else max_repeat
        out[index] = Automaton(classes, leaf, follow, frozenset(last), bound)
    return out


class Reader:
    """A document's token characters as the class numbers of some automata
    (their shared ``Classes``), one lookup table (numpy) for all of them."""

    def __init__(self, classes: Classes):
        import numpy as np  # here, not at import: see prefilter.table_offsets

        self.base = classes.base
        self.size = len(classes.table)
        self.lut = np.array(list(classes.table) + [classes.none], dtype=np.uint32)

    def __call__(self, chars: str) -> list[int]:
        return self.lut[table_offsets(chars, self.base, self.size)].tolist()


class _States:
    """The deterministic states met so far: state 0 is dead, 1 the start.

    Sets of positions are ints (bit p: position p), so that the positions
    a state can go on to are one ``|`` per position in it, computed once
    per state (``ahead``), and those a class allows one ``&``."""

    def __init__(self, automaton: Automaton):
        a = self.automaton = automaton
        self.follow: list = [None] * len(a.leaf)  # position -> follow set as an int, when first needed
        self.of_set: dict[int, int] = {}  # set number -> the positions it labels
        for p, k in enumerate(a.leaf):
            self.of_set[k] = self.of_set.get(k, 0) | 1 << p
        self.used = 0
        for k in self.of_set:
            self.used |= 1 << k
        self.last = 0
        for p in a.last:
            self.last |= 1 << p
        self.allowed: dict[int, int] = {}  # class -> the positions it can be read at
        self.number: dict[int, int] = {}
        self.sets: list[int] = []
        self.ahead: list = []  # state -> the positions that can come next (an int), when first needed
        self.rows: list[dict] = []  # state -> {class: next state}
        self.accept: list[bool] = []
        self.add(0)
        self.add(1 << (len(a.leaf) - 1))

    def add(self, positions: int) -> int:
        state = self.number.get(positions)
        if state is None:
            state = self.number[positions] = len(self.sets)
            self.sets.append(positions)
            self.ahead.append(None)
            self.rows.append({})
            self.accept.append(bool(positions & self.last))
        return state

    def step(self, state: int, c: int) -> int:
        ahead = self.ahead[state]
        if ahead is None:
            ahead, rest, follow = 0, self.sets[state], self.follow
            while rest:
                low = rest & -rest
                p = low.bit_length() - 1
                f = follow[p]
                if f is None:
                    f = 0
                    for q in self.automaton.follow[p]:
                        f |= 1 << q
                    follow[p] = f
                ahead |= f
                rest ^= low
            self.ahead[state] = ahead
        allowed = self.allowed.get(c)
        if allowed is None:
            allowed, rest = 0, self.automaton.classes.sigs[c] & self.used
            while rest:
                low = rest & -rest
                allowed |= self.of_set[low.bit_length() - 1]
                rest ^= low
            self.allowed[c] = allowed
        nxt = self.add(ahead & allowed)
        self.rows[state][c] = nxt
        return nxt


class Longest:
    """``end``: where the longest match of one construction at a start ends."""

    def __init__(self, automaton: Automaton):
        self.automaton = automaton
        self.bound = automaton.bound
        self._lock = threading.Lock()
        self._states = _States(automaton)

    def __getstate__(self):  # a pack sent to another process learns its states afresh
        return self.automaton

    def __setstate__(self, automaton):
        self.__init__(automaton)

    def end(self, ids: list[int], pos: int, stop: int, deadline: float) -> int | None:
        """The end of the longest match in ``ids[pos:stop]`` (a document as
        ``Reader`` gives it) that starts at ``pos``; -1 when there is none;
        None when the automaton cannot tell (the match would be longer than
        ``bound``).  Raises TimeoutError past ``deadline`` (``time.monotonic``)."""
        states = self._states
        if len(states.sets) > MAX_STATES:  # a new table: memory stays bounded
            with self._lock:
                states = self._states = _States(self.automaton)
        rows, accept = states.rows, states.accept
        limit = pos + self.bound + 1
        state, best, i = 1, -1, pos
        last = min(stop, limit)
        while i < last:
            try:  # a transition met before: a dict lookup (a miss raises, rarely once warm)
                state = rows[state][ids[i]]
            except KeyError:
                if time.monotonic() > deadline:
                    raise TimeoutError from None
                with self._lock:
                    state = states.step(state, ids[i])
            if not state:
                return best
            i += 1
            if accept[state]:
                best = i
        if best > pos + self.bound or i == limit < stop:  # longer than the bound, or may be
            return None
        return best
