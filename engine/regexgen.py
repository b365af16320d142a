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
    def __init__(self, rules: dict, alphabet: Alphabet, classes: dict, max_repeat: int):
        """``classes`` maps a class name to its AST replacement when a lexicon
        has multi-word entries (a class becomes an alternation)."""
        self.rules = rules
        self.alphabet = alphabet
        self.classes = classes
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
                if n[1] in self.classes:
                    return conv(self.classes[n[1]], depth + 1)
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
        kind = node[0]
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


def first_codes(node) -> frozenset | None:
    """The token characters that can start a match of ``node`` (the
    intermediate form of ``RegexBuilder.build``), or None if it can match
    the empty string.  A lookahead on this set lets the regex engine skip
    start positions at once."""
    codes, nullable = _first(node)
    return None if nullable else frozenset(codes)


def _first(node):
    kind = node[0]
    if kind == "set":
        return set(node[1]), False
    if kind == "group":
        return _first(node[2])
    if kind == "rep":
        codes, nullable = _first(node[1])
        return codes, nullable or node[2] == 0
    if kind == "alt":
        out, nullable = set(), False
        for item in node[1]:
            codes, null = _first(item)
            out |= codes
            nullable = nullable or null
        return out, nullable
    if kind == "seq":
        out = set()
        for item in node[1]:
            codes, null = _first(item)
            out |= codes
            if not null:
                return out, False
        return out, True
    raise ValueError(kind)


def _alt(items):
    """Merge single-character alternatives and factor shared first items."""
    flat = []
    for it in items:
        flat.extend(it[1] if it[0] == "alt" else [it])
    sets = [it for it in flat if it[0] == "set"]
    others = [it for it in flat if it[0] != "set"]
    out = []
    if sets:
        out.append(("set", frozenset().union(*(s[1] for s in sets))))
    # factor: group sequences by their first item
    groups: dict = {}
    order = []
    for it in others:
        head, tail = _split(it)
        key = repr(head) if head is not None else id(it)
        if key not in groups:
            groups[key] = (head, [])
            order.append(key)
        groups[key][1].append((it, tail))
    for key in order:
        head, members = groups[key]
        if head is None or len(members) == 1:
            out.extend(m[0] for m in members)
            continue
        tails = [t for _, t in members]
        empty = any(t is None for t in tails)
        rest = [t for t in tails if t is not None]
        tail = _alt(rest) if len(rest) > 1 else rest[0]
        if empty:
            tail = ("rep", tail, 0, 1)
        out.append(("seq", [head, tail]))
    return out[0] if len(out) == 1 else ("alt", out)


def _split(item):
    """(first item, rest) of a sequence, or (None, None) when not factorable."""
    if item[0] != "seq" or len(item[1]) < 2:
        return None, None
    head = item[1][0]
    rest = item[1][1:]
    return head, (rest[0] if len(rest) == 1 else ("seq", rest))
