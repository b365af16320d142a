"""The scanner: find every construction inside a token string.

A document becomes one character per token (alphabet.py).  Each scan group
runs over that string:

* ``combined`` groups run one regex with the POSIX flag, so ``finditer``
  yields leftmost-longest, non-overlapping matches in a single pass;
* ``candidates`` groups ask every construction for its longest match at each
  start (regex with ``overlapped=True``, or the LALR driver) and then
  ``resolve`` applies the overlap policy.

Every regex call has a timeout and every repetition a cap, so no input makes
a scan run away.
"""
from __future__ import annotations

import time

import regex

from . import fastregex
from .errors import ScanTimeout
from .lalr import LalrMatcher


class Candidate(tuple):
    """(start, end, construction index, fragments) in token indices.

    fragments: tuple of (slot, start, end).
    """

    __slots__ = ()

    def __new__(cls, start, end, index, frags):
        return tuple.__new__(cls, (start, end, index, frags))

    start = property(lambda self: self[0])
    end = property(lambda self: self[1])
    index = property(lambda self: self[2])
    frags = property(lambda self: self[3])


def resolve(cands, policy: str, priorities: dict[int, int], order: dict[int, int] | None = None):
    """Apply an overlap policy to candidate matches of one label.

    longest:  leftmost first; at the same start the longest; then the higher
              priority; then the construction declared first.
    priority: higher priority wins over any overlapping lower one; within a
              priority level, as ``longest``.
    all:      every candidate is kept.
    """
    order = order or {}
    if policy == "all":
        return sorted(cands, key=lambda c: (c[0], c[1]))

    def rank(c):
        return (c[0], -(c[1] - c[0]), -priorities.get(c[2], 0), order.get(c[2], c[2]))

    if policy == "longest":
        levels = [sorted(cands, key=rank)]
    else:
        by_level: dict[int, list] = {}
        for c in cands:
            by_level.setdefault(priorities.get(c[2], 0), []).append(c)
        levels = [sorted(by_level[p], key=rank) for p in sorted(by_level, reverse=True)]
    taken: list = []
    occupied: list[tuple[int, int]] = []
    for level in levels:
        for c in level:
            if any(c[0] < e and s < c[1] for s, e in occupied):
                continue
            taken.append(c)
            occupied.append((c[0], c[1]))
    return sorted(taken, key=lambda c: (c[0], c[1]))


def _frags(m, group_names: dict[str, str]):
    out = []
    for slot, group in group_names.items():
        try:
            spans = m.spans(group)
        except IndexError:
            continue
        out.extend((slot, s, e) for s, e in spans if e > s)
    return tuple(out)


class Trial:
    """Which way of scanning one group is faster here: trying every start
    (one ``finditer``), or only the starts its reach conditions allow (a bit
    mask per document, then one ``match`` per allowed start).  The second
    wins when a group's regex costs much at each start (the attribution
    pack) and loses when it is cheap (the quantities pack), so the first
    documents try each in turn and then the faster is kept for good."""

    TOKENS = 20_000  # tokens each way must see before the choice is made

    def __init__(self, strategy: str = "auto"):
        if strategy not in ("auto", "all", "reach"):
            raise ValueError(f"unknown scan strategy {strategy!r}")
        self.choice = None if strategy == "auto" else strategy == "reach"
        self.seconds = [0.0, 0.0]
        self.tokens = [0, 0]

    def pick(self) -> bool:
        """True: narrow the starts this time."""
        if self.choice is not None:
            return self.choice
        return self.tokens[1] < self.tokens[0]

    def record(self, narrow: bool, seconds: float, tokens: int) -> None:
        if self.choice is not None:
            return
        self.seconds[narrow] += seconds
        self.tokens[narrow] += tokens
        if min(self.tokens) >= self.TOKENS:
            self.choice = self.seconds[1] / self.tokens[1] < self.seconds[0] / self.tokens[0]


class Scanner:
    """Runs a compiled pack's scan groups over token strings."""

    def __init__(self, compiled, strategy: str = "auto"):
        """strategy: how a group whose starts can be narrowed is scanned:
        "all" tries every start, "reach" only the starts its reach conditions
        allow, "auto" tries both on the first documents and keeps the faster.
        The matches are the same whichever it is."""
        self.compiled = compiled
        self.groups = []
        cons = compiled.constructions
        self.priorities = {c.index: c.priority for c in cons}
        self.max_tokens = int(compiled.options["max_tokens"])
        from .alphabet import sentence_start_regex

        self._sentence_starts = regex.compile(sentence_start_regex(compiled.alphabet))
        lo, hi = compiled.alphabet.block("para")
        self._para = regex.compile(f"[{chr(lo)}-{chr(hi)}]+")
        self._must = {id(g): regex.compile(g.must) for g in compiled.groups if g.must is not None}
        self._reach = {source: fastregex.load(source, g.code.get(source))
                       for g in compiled.groups for sources in g.reach.values() for source in sources}
        # groups whose starts can be narrowed: all members of a combined group
        # need reach conditions; a candidates group narrows the members that have them
        self._trials = {}
        for g in compiled.groups:
            if g.reach and (g.mode != "combined" or len(g.reach) == len(g.members)):
                self._trials[id(g)] = Trial(strategy)
        for g in compiled.groups:
            if g.mode == "combined":
                pattern = fastregex.load(g.pattern, g.code.get(g.pattern))
                names = {i: cons[i].group_names for i in g.members}
                self.groups.append(("combined", pattern, g, names))
            else:
                runners = []
                for i in g.members:
                    c = cons[i]
                    if c.backend == "regex":
                        source = g.patterns[i]
                        runners.append(("regex", i, fastregex.load(source, g.code.get(source)), c.group_names))
                    else:
                        slots = {target: slot for slot, target in c.slots.items() if target is not None}
                        runners.append(("lalr", i, LalrMatcher(compiled.lalr, c.start, slots,
                                                               compiled.term_codes), None))
                self.groups.append(("candidates", runners, g, None))

    def scan(self, chars: str, timeout: float | None = None):
        """All resolved matches as Candidates, sorted by position."""
        if timeout is None:
            timeout = float(self.compiled.options["timeout"]) * (1 + len(chars) / 100_000)
        deadline = time.monotonic() + timeout  # one budget for the whole document
        out = []
        paragraphs = None
        runs: dict[str, int] = {}  # reach regex -> the runs it finds, as a bit mask, once per document
        try:
            for mode, runner, group, names in self.groups:
                segments = [(0, len(chars))]
                if group.must is not None:
                    if paragraphs is None:
                        paragraphs = self._paragraphs(chars)
                    must = self._must[id(group)]
                    segments = [(s, e) for s, e in paragraphs if must.search(chars, s, e)]
                trial = self._trials.get(id(group))
                narrow = trial is not None and trial.pick()
                clock = time.process_time()  # CPU time: a busy neighbour does not sway the choice
                if mode == "combined":
                    starts = None
                    if narrow:
                        starts = 0
                        for index in group.members:
                            starts |= self._starts(chars, group.reach[index], runs)
                    for s, e in segments:
                        out.extend(self._combined(runner, group, names, chars, s, e, deadline, starts))
                else:
                    cands = []
                    for kind, index, matcher, group_names in runner:
                        starts = None
                        if narrow and index in group.reach:
                            starts = self._starts(chars, group.reach[index], runs)
                        for s, e in segments:
                            cands.extend(self._candidates(kind, index, matcher, group_names, chars, deadline,
                                                          s, e, starts))
                    out.extend(resolve(cands, group.policy, self.priorities))
                if trial is not None:
                    trial.record(narrow, time.process_time() - clock, len(chars))
        except TimeoutError:
            raise ScanTimeout(f"the scan took longer than {timeout:.1f} s", code="E401") from None
        out.sort(key=lambda c: (c[0], c[1], c[2]))
        return out

    def _paragraphs(self, chars):
        """(start, end) of the runs of tokens between paragraph breaks."""
        out, pos = [], 0
        for m in self._para.finditer(chars):
            if m.start() > pos:
                out.append((pos, m.start()))
            pos = m.end()
        if pos < len(chars):
            out.append((pos, len(chars)))
        return out

    def _starts(self, chars, sources, runs) -> int:
        """The positions a construction's match can start at, as a bit mask:
        inside a run found by every one of its reach regexes."""
        mask = -1
        for source in sources:
            found = runs.get(source)
            if found is None:
                bits = bytearray(b"0") * len(chars)
                for m in self._reach[source].finditer(chars):
                    a, b = m.span()
                    bits[a:b] = b"1" * (b - a)
                found = runs[source] = int(bits[::-1], 2) if bits else 0  # bit i is character i
            mask &= found
        return mask

    def _combined(self, pattern, group, names, chars, start, end, deadline, starts=None):
        """Leftmost-longest matches without overlap, as ``finditer`` finds
        them; with ``starts``, only starts inside that bit mask are tried."""
        out = []
        if starts is None:
            found = pattern.finditer(chars, start, end, timeout=_left(deadline))
        else:
            found = _matches_from(pattern, chars, start, end, starts, deadline)
        for m in found:
            s, e = m.span()
            if e - s > self.max_tokens:
                continue
            index = _which(m, group.members)
            out.append(Candidate(s, e, index, _frags(m, names[index])))
        return out

    def _candidates(self, kind, index, matcher, group_names, chars, deadline, start, end, starts=None):
        if kind == "regex":
            if starts is None:
                found = matcher.finditer(chars, start, end, overlapped=True, timeout=_left(deadline))
            else:
                found = _matches_from(matcher, chars, start, end, starts, deadline, overlapped=True)
            for m in found:
                s, e = m.span()
                if e - s <= self.max_tokens:
                    yield Candidate(s, e, index, _frags(m, group_names))
            return
        first = matcher.first
        starts = None
        if self.compiled.constructions[index].anchor == "sentence":
            starts = {m.start() for m in self._sentence_starts.finditer(chars, start, end)}
        for i in range(start, end):
            if ord(chars[i]) not in first or (starts is not None and i not in starts):
                continue
            if time.monotonic() > deadline:
                raise TimeoutError
            found = matcher.longest(chars, i, self.max_tokens)
            if found is not None:
                stop, frags = found
                yield Candidate(i, stop, index, frags)


_ONES = regex.compile("1+")


def _matches_from(pattern, chars, start, end, starts: int, deadline, overlapped=False):
    """The matches ``pattern.finditer(chars, start, end)`` yields, trying only
    the starts set in the bit mask ``starts`` (nothing is lost when no match
    can start anywhere else).  ``overlapped``: the longest match at each start."""
    bits = bin(starts)[:1:-1]  # character i of this string is bit i of the mask
    pos = start
    for run in _ONES.finditer(bits, start, min(end, len(bits))):
        i = max(run.start(), pos)
        stop = run.end()
        while i < stop:
            m = pattern.match(chars, i, end, timeout=_left(deadline))
            if m is None:
                i += 1
                continue
            yield m
            i = i + 1 if overlapped or m.end() == i else m.end()
        pos = i


def _left(deadline: float) -> float:
    """Seconds left before the deadline (at least a sliver, so the regex call raises)."""
    return max(deadline - time.monotonic(), 1e-6)


def _which(m, members) -> int:
    for index in members:
        if m.start(f"c{index}") >= 0:
            return index
    raise AssertionError("a combined match without a construction group")
