"""Normalizers: named, built-in Python functions that turn a match into attrs.

A pack refers to a normalizer by name (``normalize: [number]``); a pack
never contains code.  Python users add their own with ``register``::

    @engine.normalizers.register("shout")
    def shout(m, slot="content"):
        return {"loud": m.slot_text(slot).isupper()}

A normalizer receives a ``MatchView`` and the arguments written in the pack,
and returns a dict of attrs (merged in order; later normalizers win), or
``None`` to reject the match: the span is then not reported.  Overlaps are
resolved before normalizing, so a rejected match does not give its tokens
back to a shorter competitor.
"""
from __future__ import annotations

import regex

from .tokenizer import key_kind

REGISTRY: dict[str, object] = {}
PREPARE: dict[str, object] = {}  # normalizer name -> what loads its tables (see register)


def register(name: str, prepare=None):
    """Register ``fn(MatchView, **args)`` under ``name``.  ``prepare``, a
    function of no arguments, loads what the normalizer needs before its
    first match (a unit registry, say): ``Pack.prepare`` calls it, so the
    worker processes of a batch, forked after that, start with it loaded
    instead of each loading it again."""
    def deco(fn):
        REGISTRY[name] = fn
        if prepare is not None:
            PREPARE[name] = prepare
        return fn

    return deco


class MatchView:
    """What a normalizer sees: the match's text, slots and tokens."""

    def __init__(self, pack, tokens, start: int, end: int, frags, construction):
        self.pack = pack
        self.tokens = tokens
        self.start = start  # token indices
        self.end = end
        self.frags = frags
        self.construction = construction
        self._spans: dict[str, list[tuple[int, int]]] = {}
        for name, s, e in frags:
            self._spans.setdefault(name, []).append((s, e))

    @property
    def text(self) -> str:
        s, e = self.tokens.span(self.start, self.end)
        return self.tokens.text[s:e]

    def token_texts(self, start=None, end=None) -> list[str]:
        start = self.start if start is None else start
        end = self.end if end is None else end
        return [key_kind(k)[0] for k in self.tokens.keys[start:end]]

    def slot_spans(self, slot: str) -> list[tuple[int, int]]:
        return list(self._spans.get(slot, ()))

    def slot_tokens(self, slot: str) -> list[str]:
        out = []
        for s, e in self.slot_spans(slot):
            out.extend(self.token_texts(s, e))
        return out

    def slot_text(self, slot: str) -> str | None:
        spans = self.slot_spans(slot)
        if not spans:
            return None
        parts = []
        for s, e in spans:
            a, b = self.tokens.span(s, e)
            parts.append(self.tokens.text[a:b])
        return " ".join(parts)

    def lexicon_value(self, lexicon: str, words) -> object:
        """The value of a lexicon entry given its words (None if absent)."""
        table = self.pack.lexicon_values.get(lexicon, {})
        key = " ".join(words)
        return table.get(key, table.get(key.lower()))


_NUMBER = regex.compile(r"[+-]?\d[\d,]*(?:\.\d+)?|[+-]?\.\d+")
_FRACTION = regex.compile(r"(\d+)/(\d+)")


def parse_number(text: str) -> float | None:
    """'9,000' -> 9000, '1.5' -> 1.5, '1/2' -> 0.5; None if not a number."""
    text = text.strip()
    m = _FRACTION.fullmatch(text)
    if m:
        den = int(m.group(2))
        return int(m.group(1)) / den if den else None
    if _NUMBER.fullmatch(text):
        value = float(text.replace(",", ""))
        return int(value) if value.is_integer() and "." not in text else value
    return None


@register("number")
def number(m: MatchView, slot: str | None = None, attr: str = "value"):
    """The first number written in digits in the slot (or the whole match)."""
    words = m.slot_tokens(slot) if slot else m.token_texts()
    for w in words:
        value = parse_number(w)
        if value is not None:
            return {attr: value}
    return {}


@register("lexicon_value")
def lexicon_value(m: MatchView, lexicon: str, attr: str, slot: str | None = None, default=None):
    """The value a lexicon gives the words of a slot ('as many as' -> '<=')."""
    if slot is None:
        return {attr: m.lexicon_value(lexicon, m.token_texts())} if default is None else {attr: default}
    for s, e in m.slot_spans(slot):
        value = m.lexicon_value(lexicon, m.token_texts(s, e))
        if value is not None:
            return {attr: value}
    return {attr: default} if default is not None else {}


@register("slot_text")
def slot_text(m: MatchView, slot: str, attr: str | None = None, lower: bool = False):
    """The text of a slot as an attr (fragments joined by a space)."""
    text = m.slot_text(slot)
    if text is None:
        return {}
    return {attr or slot: text.lower() if lower else text}


# The packs' own normalizers live in their own modules; importing them registers them.
from . import norm_attribution, norm_quantity  # noqa: E402,F401
