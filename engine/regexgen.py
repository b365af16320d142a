"""Regular constructions -> one regex over the token alphabet.

Rules are inlined (a regular construction has no cycles), slots become named
groups (the ``regex`` module keeps every capture of a repeated group),
alternatives that are single characters merge into one character class, and
alternatives that share a first item are factored so the matcher does not
try the same prefix again and again.  Repetition is capped at ``max_repeat``
tokens so no match can run away.
"""
from __future__ import annotations

from .alphabet import Alphabet, lit_class, ranges_to_class
from .errors import PackError

MAX_PATTERN = 2_000_000  # characters of regex source per construction


class RegexBuilder:
    def __init__(self, rules: dict, alphabet: Alphabet, max_repeat: int):
        """Multi-word lexicon classes are already rules (``_lex_*``) by the
        time the builder sees them, so a class is always a character set."""
        self.rules = rules
        self.alphabet = alphabet
        self.max_repeat = max_repeat
        self._codes: dict[str, list[int]] = {}

    def codes(self, cls: str) -> list[int]:
        if cls not in self._codes:
            self._codes[cls] = self.alphabet.codes(cls)
        return self._codes[cls]

    # An intermediate form: ("set", frozenset(codes)) | ("seq", [..]) | ("alt", [..])
    # | ("rep", x, lo, hi) | ("group", name, x).  Sets merge, prefixes factor.
    def build(self, node, slot_rules: dict[str, str]):
        """slot_rules: rule or alias name -> slot group name."""
        size = [0]

        def conv(n, depth=0):
            size[0] += 1
            if size[0] > 200_000 or depth > 200:
                raise PackError("the construction inlines to a grammar too large for one regex", code="E305")
            kind = n[0]
            if kind == "term":
                return ("set", frozenset(self.codes(n[1])))
            if kind == "lit":
                return ("set", frozenset(self.codes(lit_class(n[1], n[2]))))
            if kind == "seq":
                return ("seq", [conv(c, depth + 1) for c in n[1]])
            if kind == "alt":
                return _alt([conv(c, depth + 1) for c in n[1]])
            if kind == "rep":
                return ("rep", conv(n[1], depth + 1), n[2], n[3])
            if kind == "alias":
                inner = conv(n[1], depth + 1)
                return ("group", slot_rules[n[2]], inner) if n[2] in slot_rules else inner
            if kind == "ref":
                inner = conv(self.rules[n[1]], depth + 1)
                return ("group", slot_rules[n[1]], inner) if n[1] in slot_rules else inner
            raise ValueError(kind)

        return conv(node)

    def emit(self, node) -> str:
        """Regex source for an intermediate node."""
        kind = node[0]
        if kind == "raw":
            return node[1]
        if kind == "set":
            text = ranges_to_class(node[1])
            return text if text else "(?!)"
        if kind == "seq":
            return "".join(self.emit(c) for c in node[1])
        if kind == "alt":
            return "(?:" + "|".join(self.emit(c) for c in node[1]) + ")"
        if kind == "rep":
            inner = self.emit(node[1])
            if node[1][0] not in ("set",):
                inner = "(?:" + inner + ")"
            lo, hi = node[2], node[3]
            hi = self.max_repeat if hi is None else min(hi, self.max_repeat)
            lo = min(lo, hi)
            if (lo, hi) == (0, 1):
                return inner + "?"
            return f"{inner}{{{lo},{hi}}}"
        if kind == "group":
            return f"(?P<{node[1]}>{self.emit(node[2])})"
        raise ValueError(kind)


def first_set(node) -> tuple[frozenset, bool]:
    """(characters a match can start with, whether the node can match empty)."""
    kind = node[0]
    if kind == "raw":  # a zero-width assertion
        return frozenset(), True
    if kind == "set":
        return node[1], False
    if kind == "seq":
        out: set = set()
        for item in node[1]:
            first, empty = first_set(item)
            out |= first
            if not empty:
                return frozenset(out), False
        return frozenset(out), True
    if kind == "alt":
        out, empty = set(), False
        for item in node[1]:
            first, e = first_set(item)
            out |= first
            empty |= e
        return frozenset(out), empty
    if kind == "rep":
        first, empty = first_set(node[1])
        return first, empty or node[2] == 0
    if kind == "group":
        return first_set(node[2])
    raise ValueError(kind)


def must_sets(node, key=len) -> list[frozenset]:
    """Sets of characters such that every match holds a character of each.

    ``key`` ranks sets from the most to the least selective (smaller first);
    an alternation contributes the union of each branch's best set.
    """
    kind = node[0]
    if kind == "raw":
        return []
    if kind == "set":
        return [node[1]]
    if kind == "group":
        return must_sets(node[2], key)
    if kind == "rep":
        return must_sets(node[1], key) if node[2] >= 1 else []
    if kind == "alt":
        branches = []
        for item in node[1]:
            sub = must_sets(item, key)
            if not sub:
                return []
            branches.append(sub)
        # the union of each branch's best set, and any set of a branch that
        # every other branch holds one of its own sets inside
        out = [frozenset().union(*(min(sub, key=key) for sub in branches))]
        for sub in branches:
            for s in sub:
                if s not in out and all(any(t <= s for t in other) for other in branches):
                    out.append(s)
        return sorted(out, key=key)
    if kind == "seq":
        out: list = []
        for item in node[1]:
            for m in must_sets(item, key):
                if m not in out:
                    out.append(m)
        return sorted(out, key=key)
    raise ValueError(kind)


def must_set(node, key=len) -> frozenset | None:
    """The most selective of ``must_sets``, or None when there is none."""
    sets = must_sets(node, key)
    return min(sets, key=key) if sets else None


def lead_set(node, must: frozenset) -> tuple[frozenset, bool]:
    """What a match holds before its first character of ``must``.

    Returns (the characters that can come before the first one of ``must``,
    whether a match can lack ``must`` altogether).  When the second is False,
    every match starts inside a run of the first set that ends on a character
    of ``must``: the scanner need not try any other start (see ``reach``).
    """
    kind = node[0]
    if kind == "raw":  # a zero-width assertion holds nothing
        return frozenset(), True
    if kind == "set":
        before = node[1] - must
        return before, bool(before)
    if kind == "group":
        return lead_set(node[2], must)
    if kind == "rep":
        before, lacks = lead_set(node[1], must)
        return before, lacks or node[2] == 0
    if kind == "alt":
        out, lacks = set(), False
        for item in node[1]:
            before, l = lead_set(item, must)
            out |= before
            lacks |= l
        return frozenset(out), lacks
    if kind == "seq":
        out = set()
        for item in node[1]:
            before, lacks = lead_set(item, must)
            out |= before
            if not lacks:
                return frozenset(out), False
        return frozenset(out), True
    raise ValueError(kind)


MAX_REACH = 6


def reach(node, key=len) -> list[tuple[frozenset, frozenset]]:
    """Conditions on where a match can start, as (must, lead) pairs.

    For each pair, a match starts on a run of ``lead`` characters that ends
    on a ``must`` character (the run may be empty).  Every pair holds for
    every match, so the scanner may try only the starts that satisfy all of
    them.  Empty when nothing is known.
    """
    out = []
    for must in must_sets(node, key)[:MAX_REACH]:
        lead, lacks = lead_set(node, must)
        if not lacks:
            out.append((must, lead))
    return out


def run_regex(must: frozenset, lead: frozenset, universe: set) -> str:
    """Regex source for a run of ``lead`` characters ending on a ``must`` one
    (``lead`` written as a complement when that is shorter)."""
    stops = set(universe) - lead - must  # what ends a run: often far fewer than the run's own set
    if not lead:
        run = ""
    elif len(stops) < len(lead):
        run = "[^" + ranges_to_class(stops | must)[1:] + "*+"
    else:
        run = ranges_to_class(lead) + "*+"
    return run + ranges_to_class(must)


def reach_lookaheads(node, universe: set, key=len) -> list[str]:
    """``reach`` as regex lookaheads to put before the node's own regex.

    Each asks for a run of the characters that may precede a must-character,
    ending on one; a start inside a sentence with no cue word then costs a
    short scan instead of every way of reading a noun phrase.  ``universe``
    holds every character the text can have.  Cheapest first: a test of the
    first character, then the shortest runs.
    """
    conditions = sorted(reach(node, key), key=lambda ml: len(ml[1]))
    return [f"(?={run_regex(must, lead, universe)})" for must, lead in conditions]


def all_codes(node) -> set:
    """Every character the node mentions."""
    kind = node[0]
    if kind == "raw":
        return set()
    if kind == "set":
        return set(node[1])
    if kind == "group":
        return all_codes(node[2])
    if kind == "rep":
        return all_codes(node[1])
    out = set()
    for item in node[1]:
        out |= all_codes(item)
    return out


def alternation(items):
    """The alternation of whole constructions, in order.

    Only neighbouring branches that start alike are factored, so a branch
    never moves ahead of one written before it: with equal lengths, the
    regex's POSIX search keeps the first, and so the construction written
    first wins a tie.
    """
    return _alt([_flat_seq(it) for it in items], keep_order=True)


def _flat_seq(node):
    """A sequence whose items are not sequences themselves (so heads compare)."""
    if node[0] != "seq":
        return node
    items = []
    for item in node[1]:
        item = _flat_seq(item)
        items.extend(item[1] if item[0] == "seq" else [item])
    return ("seq", items)


def _alt(items, keep_order: bool = False):
    """Merge single-character alternatives and factor shared first items.

    ``keep_order``: only neighbours are merged or factored (see alternation).
    """
    flat = []
    for it in items:
        flat.extend(it[1] if it[0] == "alt" else [it])
    runs: list[tuple[object, list]] = []  # (key, items) in order
    index: dict = {}
    for it in flat:
        if it[0] == "set":
            key = "set"
        else:
            head, _tail = _split(it)
            key = _key(head) if head is not None else ("single", id(it))
        if keep_order:
            if runs and runs[-1][0] == key:
                runs[-1][1].append(it)
            else:
                runs.append((key, [it]))
        elif key in index:
            runs[index[key]][1].append(it)
        else:
            index[key] = len(runs)
            runs.append((key, [it]))
    if not keep_order:  # the merged class first: it fails or succeeds with one test
        runs.sort(key=lambda run: run[0] != "set")
    out = []
    for key, members in runs:
        if key == "set":
            out.append(("set", frozenset().union(*(m[1] for m in members))))
            continue
        if len(members) == 1:
            out.append(members[0])
            continue
        head = _split(members[0])[0]
        tails = [_split(m)[1] for m in members]
        rest = [t for t in tails if t is not None]
        tail = _alt(rest, keep_order) if len(rest) > 1 else rest[0]
        if len(rest) < len(tails):
            tail = ("rep", tail, 0, 1)
        out.append(("seq", [head, tail]))
    return out[0] if len(out) == 1 else ("alt", out)


def _key(node):
    """A hashable stand-in for a node, equal for equal nodes (lists become
    tuples; a set's frozenset hashes once).  repr() served before, but
    writing out sets of thousands of codes took several seconds of a large
    pack's compile."""
    if node[0] == "set":
        return node
    return tuple(_key(x) if isinstance(x, tuple) else
                 tuple(_key(y) for y in x) if isinstance(x, list) else x for x in node)


def _split(item):
    """(first item, rest) of a sequence, or (None, None) when not factorable."""
    if item[0] != "seq" or len(item[1]) < 2:
        return None, None
    head = item[1][0]
    rest = item[1][1:]
    return head, (rest[0] if len(rest) == 1 else ("seq", rest))
