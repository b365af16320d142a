"""The scanner: find every construction inside a token string.

A document becomes one character per token (alphabet.py).  Each scan group
runs over that string:

* ``combined`` groups run one regex with the POSIX flag, so ``finditer``
  yields leftmost-longest, non-overlapping matches in a single pass;
* ``candidates`` groups ask every construction for its longest match at each
  start (regex with ``overlapped=True``, or the LALR driver) and then
  ``resolve`` applies the overlap policy.  Where Hyperscan finds the
  starts (prefilter.py) and the policy is leftmost-longest, the scanner
  walks them in order and resolves as it goes, so no regex runs at a start
  inside a match already taken (``_walk``).  There an automaton of each
  construction finds where its longest match ends (longest.py), and only
  the match taken runs a regex, for its slots.

Every regex call has a timeout and every repetition a cap, so no input makes
a scan run away.
"""
from __future__ import annotations

import time
from bisect import bisect_left

import regex

from . import fastregex, prefilter
from .errors import ScanTimeout
from .lalr import LalrMatcher
from .longest import Longest, Reader


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
    if len(levels) == 1:
        # In start order, taken matches never overlap, so the last non-empty
        # one taken ends furthest: a candidate overlaps a taken match exactly
        # when it overlaps that one (linear, where testing each would be quadratic).
        last_start, last_end = -1, -1
        for c in levels[0]:
            if c[0] < c[1]:
                if c[0] >= last_end:
                    taken.append(c)
                    last_start, last_end = c[0], c[1]
            elif not last_start < c[0] < last_end:  # an empty match: only strictly inside overlaps
                taken.append(c)
        return sorted(taken, key=lambda c: (c[0], c[1]))
    occupied: list[tuple[int, int]] = []
    for level in levels:
        for c in level:
            if any(c[0] < e and s < c[1] for s, e in occupied):
                continue
            taken.append(c)
            occupied.append((c[0], c[1]))
    return sorted(taken, key=lambda c: (c[0], c[1]))


def slot_groups(pattern, group_names: dict[str, str]) -> tuple[tuple[str, int], ...]:
    """(slot, group number) for the slots whose group the pattern has, in order."""
    index = pattern.groupindex
    return tuple((slot, index[group]) for slot, group in group_names.items() if group in index)


def _frags(m, groups):
    """(slot, start, end) of every non-empty capture of the slot groups
    (``slot_groups``), all read in one call."""
    spans = m.allspans()
    out = []
    for slot, number in groups:
        out.extend((slot, s, e) for s, e in spans[number] if e > s)
    return tuple(out)


STRATEGIES = ("auto", "all", "reach", "prefilter")


class Trial:
    """Which way of scanning one group is faster here: trying every start
    (one ``finditer``), or only the starts its reach conditions allow (a bit
    mask per document, then one ``match`` per allowed start).  The second
    wins when a group's regex costs much at each start (the attribution
    pack) and loses when it is cheap (the quantities pack), so the first
    documents try each in turn and then the faster is kept for good."""

    TOKENS = 20_000  # tokens each way must see before the choice is made

    def __init__(self, strategy: str = "auto"):
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
        "prefilter" only at the starts Hyperscan finds (prefilter.py), "all"
        at every start, "reach" at the starts its reach conditions allow.
        "auto" takes the prefilter where the group has one and Hyperscan is
        installed; elsewhere it tries "all" and "reach" on the first
        documents and keeps the faster.  The matches are the same whichever
        it is."""
        if strategy not in STRATEGIES:
            raise ValueError(f"unknown scan strategy {strategy!r} (one of {', '.join(STRATEGIES)})")
        self.compiled = compiled
        self.groups = []
        cons = compiled.constructions
        self.priorities = {c.index: c.priority for c in cons}
        self.max_tokens = int(compiled.options["max_tokens"])
        from .alphabet import sentence_start_regex

        self._sentence_starts = regex.compile(sentence_start_regex(compiled.alphabet))
        # constructions that match only where a sentence starts (the prefilter
        # leaves the anchor out, so _walk checks it before anything else)
        self._anchored = {c.index for c in cons if c.anchor == "sentence"}
        # constructions with the overlap policy "apart", and each one's label
        self._apart = {c.index for c in cons if c.overlap == "apart"}
        self._labels = {c.index: c.label for c in cons}
        lo, hi = compiled.alphabet.block("para")
        self._para = regex.compile(f"[{chr(lo)}-{chr(hi)}]+")
        self._must = {id(g): regex.compile(g.must) for g in compiled.groups if g.must is not None}
        # every construction's regex is compiled the first time a scan needs
        # it (fastregex.Lazy): with the prefilter and the automata, most never are
        self._reach = {source: fastregex.Lazy(source, g.code.get(source))
                       for g in compiled.groups for sources in g.reach.values() for source in sources}
        # groups whose starts can be narrowed: all members of a combined group
        # need reach conditions; a candidates group narrows the members that have them
        self.strategy = strategy
        self._prefilter = {}
        if strategy in ("auto", "prefilter") and prefilter.available():
            self._prefilter = {id(g): g.prefilter for g in compiled.groups if g.prefilter}
        # groups whose prefiltered starts are walked in order, resolving as
        # they go (see _walk): every member a regex the prefilter finds starts
        # for, and one priority level, so ``resolve`` is its linear pass
        self._walks = set()
        for g in compiled.groups:
            pf = self._prefilter.get(id(g))
            if (pf is not None and g.mode == "candidates" and sorted(pf.members) == sorted(g.members)
                    and all(cons[i].backend == "regex" for i in g.members)
                    and (g.policy == "longest" or (g.policy == "priority"
                                                   and len({cons[i].priority for i in g.members}) == 1))):
                self._walks.add(id(g))
        # where a walk finds the end of a member's longest match without the
        # POSIX regex (longest.py): construction index -> _Ends
        self._ends = {}
        self._classes = {}  # id(group) -> the Classes its automata share
        self._readers = {}  # id(group) -> a longest.Reader of them, made on first use (numpy)
        for g in compiled.groups:
            if id(g) in self._walks and g.automata:
                for index, automaton in g.automata.items():
                    source = g.patterns[index]
                    self._ends[index] = _Ends(Longest(automaton), source, g.code.get(source))
                self._classes[id(g)] = next(iter(g.automata.values())).classes
        self._tokens = 0  # tokens scanned so far (see _use_prefilter)
        self._trials = {}
        for g in compiled.groups:
            if g.reach and (g.mode != "combined" or len(g.reach) == len(g.members)):
                self._trials[id(g)] = Trial("auto" if strategy == "prefilter" else strategy)
        for g in compiled.groups:
            if g.mode == "combined":
                pattern = fastregex.Lazy(g.pattern, g.code.get(g.pattern))
                names = {i: slot_groups(pattern, cons[i].group_names) for i in g.members}
                self.groups.append(("combined", pattern, g, names))
            else:
                runners = []
                for i in g.members:
                    c = cons[i]
                    if c.backend == "regex":
                        source = g.patterns[i]
                        pattern = fastregex.Lazy(source, g.code.get(source))
                        runners.append(("regex", i, pattern, slot_groups(pattern, c.group_names)))
                    else:
                        slots = {target: slot for slot, target in c.slots.items() if target is not None}
                        runners.append(("lalr", i, LalrMatcher(compiled.lalr, c.start, slots,
                                                               compiled.term_codes), None))
                self.groups.append(("candidates", runners, g, None))

    def scan(self, chars: str, timeout: float | None = None):
        """All resolved matches as Candidates, sorted by position."""
        # decided (and any prefilter compiled) before the clock starts: the
        # seconds a compile takes are not the document's
        prefiltered = {id(g) for g in self.compiled.groups if self._use_prefilter(g)}
        if timeout is None:
            timeout = float(self.compiled.options["timeout"]) * (1 + len(chars) / 100_000)
        deadline = time.monotonic() + timeout  # one budget for the whole document
        out = []
        paragraphs = None
        runs: dict[str, int] = {}  # reach regex -> the runs it finds, as a bit mask, once per document
        try:
            for mode, runner, group, names in self.groups:
                walk = id(group) in prefiltered and id(group) in self._walks
                segments = [(0, len(chars))]
                if group.must is not None:
                    if paragraphs is None:
                        paragraphs = self._paragraphs(chars)
                    segments = paragraphs
                    if not walk:  # a walk tries only starts the prefilter found: no need to skip ahead
                        must = self._must[id(group)]
                        segments = [(s, e) for s, e in paragraphs if must.search(chars, s, e)]
                trial = self._trials.get(id(group))
                narrow = trial is not None and trial.pick()
                clock = time.process_time()  # CPU time: a busy neighbour does not sway the choice
                found = None  # construction index -> the positions its matches can start at
                if id(group) in prefiltered:
                    narrow = False
                    if walk:  # (a paragraph without a must-token holds no match: nothing to skip)
                        out.extend(self._walk(runner, self._prefilter[id(group)], chars, segments, deadline,
                                              self._reader(group)))
                        continue
                    found = self._prefilter[id(group)].starts(chars)
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
                        if found is not None and index in found:
                            starts = found[index]
                        elif narrow and index in group.reach:
                            starts = self._starts(chars, group.reach[index], runs)
                        for s, e in segments:
                            cands.extend(self._candidates(kind, index, matcher, group_names, chars, deadline,
                                                          s, e, starts))
                    out.extend(resolve(cands, group.policy, self.priorities))
                if trial is not None and found is None:
                    trial.record(narrow, time.process_time() - clock, len(chars))
        except TimeoutError:
            raise ScanTimeout(f"the scan took longer than {timeout:.1f} s", code="E401") from None
        self._tokens += len(chars)
        out.sort(key=lambda c: (c[0], c[1], c[2]))
        if self._apart:
            out = self._one_report_each(out)
        return out

    def _one_report_each(self, out):
        """Drop a match of an ``apart`` construction that reports exactly what
        another match of its label reports (the same slot fragments): apart
        from the others, it may find a report that one of them found too.
        The match of the construction that is not apart stays; between two
        apart ones, the one declared first."""
        keyed = [((self._labels[c[2]], frozenset(c[3])), c) for c in out if c[3]]
        seen: dict = {}  # report -> the match that keeps it: not apart before apart, then declared first
        for key, c in keyed:
            other = seen.get(key)
            if other is None or ((other[2] in self._apart, other[2]) > (c[2] in self._apart, c[2])):
                seen[key] = c
        drop = {id(c) for key, c in keyed
                if seen[key] is not c and (c[2] in self._apart or seen[key][2] in self._apart)}
        return [c for c in out if id(c) not in drop] if drop else out

    PREFILTER_AFTER = 50_000  # tokens scanned before a prefilter is compiled (unless it is cached)

    def _use_prefilter(self, group) -> bool:
        """Whether to find the group's starts with its prefilter.  Compiling
        one takes seconds, which a few examples or one short text would not
        win back: "auto" waits until the scanner has seen ``PREFILTER_AFTER``
        tokens, unless the database is in the cache already."""
        pf = self._prefilter.get(id(group))
        if pf is None or pf.failed:
            return False
        if self.strategy == "auto" and self._tokens < self.PREFILTER_AFTER and not pf.ready():
            return False
        try:
            pf.database()
        except Exception:  # noqa: BLE001 - Hyperscan refused the expressions: do without
            pf.failed = True
            return False
        return True

    def prepare(self) -> None:
        """Compile (or load) every prefilter now, so documents do not wait
        for it; and load what a scan builds on first need (the regexes it
        runs, the readers' lookup tables), so that worker processes forked
        after this inherit them.  A walk runs the POSIX regex of a member with
        an automaton only where the automaton cannot tell, which is rare:
        those stay lazy."""
        for mode, runner, group, _names in self.groups:
            if mode == "combined":
                runner.get()
                continue
            walked = id(group) in self._walks
            for kind, index, matcher, _groups in runner:
                if kind == "regex" and not (walked and index in self._ends):
                    matcher.get()
            if not walked:
                for sources in group.reach.values():
                    for source in sources:
                        self._reach[source].get()
        for group in self.compiled.groups:
            pf = self._prefilter.get(id(group))
            if pf is not None and not pf.failed:
                try:
                    pf.database()
                except Exception:  # noqa: BLE001 - see _use_prefilter
                    pf.failed = True
            if id(group) in self._classes:
                self._reader(group)
        for ends in self._ends.values():
            ends.plain()

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

    def _reader(self, group):
        """The group's longest.Reader, or None when it has no automata."""
        reader = self._readers.get(id(group))
        if reader is None and id(group) in self._classes:
            reader = self._readers[id(group)] = Reader(self._classes[id(group)])
        return reader

    def _walk(self, runner, pf, chars, segments, deadline, reader=None):
        """The resolved matches of a group whose starts the prefilter finds,
        as ``resolve`` keeps them from the longest match of each member at
        each of its starts, with far fewer regex calls.

        ``resolve``'s linear pass takes, in start order, the best candidate
        at a start (longest, then higher priority, then declared first)
        unless a match taken before ends after that start.  Walking the
        starts in order, a start inside the last match taken can only yield
        candidates that pass would drop, so its regexes are never run.  (No
        member matches the empty string: the prefilter would not exist.)

        A member with an automaton (``reader`` gives the document as its
        classes; longest.py) learns where its longest match ends from it,
        without a regex; only the member taken at a start then runs its
        regex, without the POSIX flag and up to that end, for its slots.

        The prefilter takes a construction's sentence anchor to hold (see
        prefilter.loosen); at a start where it fails, the regex would fail
        too, so a member with one is dropped there before its automaton
        reads a token."""
        m = len(pf.members)
        anchored = self._anchored
        sentence = self._sentence_starts
        entries = {index: (matcher, -self.priorities[index], index, names, self._ends.get(index),
                           index in anchored)
                   for _kind, index, matcher, names in runner}
        slots = [entries[index] for index in pf.members]
        hits = pf.hits(chars)
        count = len(hits)
        ids = reader(chars) if reader is not None and count else None
        max_tokens = self.max_tokens
        out = []
        k = 0
        for start, end in segments:
            k = bisect_left(hits, start * m, k)
            last = start  # where the last match taken ends
            while k < count:
                pos = hits[k] // m
                if pos >= end:
                    break
                if pos < last:
                    k = bisect_left(hits, last * m, k + 1)
                    continue
                options = []
                limit = (pos + 1) * m
                while k < count and hits[k] < limit:
                    matcher, rank, index, names, ends, anchor = slots[hits[k] - pos * m]
                    k += 1
                    if anchor and sentence.match(chars, pos, end) is None:
                        continue
                    found = None
                    stop = None if ends is None else ends.longest.end(ids, pos, end, deadline)
                    if stop is None:  # no automaton, or it cannot tell: the POSIX regex
                        found = matcher.match(chars, pos, end, timeout=_left(deadline))
                        if found is None:
                            continue
                        stop = found.end()
                    elif stop < 0:
                        continue
                    if stop - pos > max_tokens:
                        continue
                    options.append(((pos - stop, rank, index), found, stop, index, names, ends))
                if len(options) > 1:
                    options.sort(key=lambda o: o[0])
                for _, found, stop, index, names, ends in options:
                    if found is None:  # the end is known: the slots, from the first match that ends there
                        found = ends.plain().fullmatch(chars, pos, stop, timeout=_left(deadline))
                        if found is None:  # cannot happen: the anchor, all it could fail on, held
                            continue
                    out.append(Candidate(pos, stop, index, _frags(found, names)))
                    last = stop
                    break
        return out

    def _combined(self, pattern, group, names, chars, start, end, deadline, starts=None):
        """Leftmost-longest matches without overlap, as ``finditer`` finds
        them; with ``starts`` (see ``_matches_from``), only those starts are tried."""
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


class _Ends:
    """A member's automaton (see longest.py) and its regex without the POSIX
    flag, compiled the first time a walk needs it."""

    __slots__ = ("longest", "source", "blob", "_plain")

    def __init__(self, longest: Longest, source: str, blob):
        self.longest = longest
        self.source, self.blob = source, blob
        self._plain = None

    def plain(self):
        if self._plain is None:
            self._plain = fastregex.without_posix(self.source, self.blob)
        return self._plain


_ONES = regex.compile("1+")


def _matches_from(pattern, chars, start, end, starts, deadline, overlapped=False):
    """The matches ``pattern.finditer(chars, start, end)`` yields, trying only
    the starts in ``starts`` (nothing is lost when no match can start
    anywhere else): a bit mask, or a sorted list of positions.
    ``overlapped``: the longest match at each start."""
    if isinstance(starts, list):
        yield from _matches_at(pattern, chars, start, end, starts, deadline, overlapped)
        return
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


def _matches_at(pattern, chars, start, end, positions: list[int], deadline, overlapped):
    """``_matches_from`` for a sorted list of the starts to try."""
    pos = start
    for k in range(bisect_left(positions, start), len(positions)):
        i = positions[k]
        if i >= end:
            break
        if i < pos:
            continue
        m = pattern.match(chars, i, end, timeout=_left(deadline))
        if m is None:
            continue
        yield m
        pos = i + 1 if overlapped or m.end() == i else m.end()


def _left(deadline: float) -> float:
    """Seconds left before the deadline (at least a sliver, so the regex call raises)."""
    return max(deadline - time.monotonic(), 1e-6)


def _which(m, members) -> int:
    for index in members:
        if m.start(f"c{index}") >= 0:
            return index
    raise AssertionError("a combined match without a construction group")
