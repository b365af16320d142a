"""The token alphabet: one character per (shape kind, lexical class set).

Every token belongs to a *set* of classes: the built-in classes of its shape
kind, plus the pack's lexicon classes and literal words it matches.  The
alphabet gives each possible combination one character, so a text becomes a
string with one character per token, and a grammar terminal becomes a regex
character class: every character whose set contains the terminal.  That is
how overlapping classes stay exact ("said" is a WORD, a SAY and the literal
"said" at once).

Characters are laid out kind-major: ``BASE + kind * n_lexsets + lexset``.
Kinds that share a built-in class sit side by side (see tokenizer.KINDS),
so a built-in class is one or two character ranges; lexical sets are sorted
so that sets holding the same class are adjacent.  The ``regex`` module tests
set members one by one, so few ranges means fast matching.
"""
from __future__ import annotations

from functools import lru_cache

from .tokenizer import KIND_CLASSES, KINDS, key_kind, shape_kind

BASE = 0x10000  # above the BMP: no clash with text characters, no surrogates
_KIND_INDEX = {kind: k for k, kind in enumerate(KINDS)}
_NONE: frozenset = frozenset()
_WORDISH = ("lower", "mixed", "cap", "upper", "abbr_cap", "abbr_lower", "alnum")


def lit_class(text: str, ci: bool) -> str:
    """The class name of a literal word ('"said"' or '"said"i')."""
    return ('"%s"' % text) + ("i" if ci else "")


def _case_variants(word: str):
    yield word
    yield word.lower()
    yield word.upper()
    yield word.capitalize()
    yield word.title()
    if len(word) > 1:
        yield word[0].lower() + word[1:].upper()


class Alphabet:
    """Maps token strings to characters and class names to character sets.

    ``exact[bare] -> classes`` and ``folded[bare.lower()] -> classes`` hold the
    lexical classes (literals and lexicon entries, one-token ones only).
    """

    def __init__(self, exact: dict[str, set[str]], folded: dict[str, set[str]],
                 derived: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] | None = None):
        self.derived = dict(derived or {})
        self.exact = {k: frozenset(v) for k, v in exact.items()}
        self.folded = {k: frozenset(v) for k, v in folded.items()}
        lexsets: dict[frozenset, set[str]] = {frozenset(): set(KINDS)}

        def add(classes, kinds):
            lexsets.setdefault(classes, set()).update(kinds)

        for bare, classes in self.exact.items():
            both = classes | self.folded.get(bare.lower(), frozenset())
            add(both, {shape_kind(bare, g) for g in (True, False)})
        for low, classes in self.folded.items():
            kinds = {shape_kind(v, g) for v in _case_variants(low) for g in (True, False)}
            if any(c.isalpha() for c in low):
                kinds |= set(_WORDISH)
            add(classes, kinds)
        for kinds in lexsets.values():  # the SENTEND pass turns a stop into a sentence end
            if "stop" in kinds:
                kinds.add("sentend")
        order = sorted(lexsets, key=lambda s: (len(s) > 0, sorted(s)))
        self.lexsets = order
        self.index = {s: i for i, s in enumerate(order)}
        self.kinds_of = [frozenset(lexsets[s]) for s in order]
        self.n = len(order)

    # -- token -> character -------------------------------------------------
    def char(self, key: str, first: bool = False) -> str:
        """The character of a token string; ``first``: the first of its text,
        which counts as following a space."""
        bare, glued, kind = key_kind(key)
        if first and glued:
            kind = shape_kind(bare, False)
        return chr(BASE + _KIND_INDEX[kind] * self.n + self.lexset(key))

    def lexset(self, key: str) -> int:
        """The index of a token string's lexical class set (0, the empty set,
        for a paragraph break)."""
        bare, _glued, kind = key_kind(key)
        if kind == "para":
            return 0
        exact, folded = self.exact.get(bare), self.folded.get(bare.lower())
        if exact is None:
            classes = _NONE if folded is None else folded
        else:
            classes = exact if folded is None else exact | folded
        lex = self.index.get(classes)
        if lex is None:  # cannot happen: every combination was enumerated
            raise AssertionError(f"token {bare!r} has an unknown class set {sorted(classes)}")
        return lex

    def lexsets_of(self, bares, lowers, paras) -> list[int]:
        """``lexset`` of many token strings at once, given each one's bare
        text, that text in lower case and whether it is a paragraph break
        (encoding.KeyTable keeps all three, for every pack to read)."""
        exact_get, folded_get, index = self.exact.get, self.folded.get, self.index
        none = index[_NONE]
        out = []
        for bare, low, para in zip(bares, lowers, paras):
            exact, folded = exact_get(bare), folded_get(low)
            if para or (exact is None and folded is None):
                out.append(none)
            else:
                out.append(index[folded if exact is None else exact if folded is None else exact | folded])
        return out

    def decode(self, ch: str) -> tuple[str, frozenset[str]]:
        """A character -> (shape kind, all its class names, derived ones included)."""
        code = ord(ch) - BASE
        kind, lex = divmod(code, self.n)
        name = KINDS[kind]
        classes = set(KIND_CLASSES[name] | self.lexsets[lex] | ({"ANY"} if name != "para" else set()))
        classes |= {d for d in self.derived if ord(ch) in set(self.codes(d))}
        return name, frozenset(classes)

    def span(self) -> tuple[int, int]:
        """The range of every character code the alphabet uses (end excluded)."""
        return BASE, BASE + len(KINDS) * self.n

    def block(self, kind: str) -> tuple[int, int]:
        """First and last character code of a shape kind."""
        k = KINDS.index(kind)
        return BASE + k * self.n, BASE + (k + 1) * self.n - 1

    def kinds_class(self, kinds) -> str:
        """A regex character class of every token of the given shape kinds."""
        codes: list[int] = []
        for kind in kinds:
            lo, hi = self.block(kind)
            codes.extend(range(lo, hi + 1))
        return ranges_to_class(codes)

    # -- class name -> characters -------------------------------------------
    def codes(self, cls: str) -> list[int]:
        if cls in self.derived:
            any_of, excluded = self.derived[cls]
            keep = set().union(*(self.codes(c) for c in any_of))
            drop = set().union(*(self.codes(c) for c in excluded)) if excluded else set()
            return sorted(keep - drop)
        out = []
        if cls == "ANY" or cls in _BUILTIN:
            kinds = [k for k, name in enumerate(KINDS)
                     if (cls == "ANY" and name != "para") or cls in KIND_CLASSES[name]]
            for k in kinds:
                out.extend(range(BASE + k * self.n, BASE + (k + 1) * self.n))
            return out
        for lex, classes in enumerate(self.lexsets):
            if cls in classes:
                for kind in sorted(self.kinds_of[lex], key=KINDS.index):
                    out.append(BASE + KINDS.index(kind) * self.n + lex)
        return sorted(out)

    def char_class(self, cls: str) -> str:
        return ranges_to_class(self.codes(cls))


_BUILTIN = {c for classes in KIND_CLASSES.values() for c in classes}


def ranges_to_class(codes) -> str:
    """Code points -> a regex character class of ranges ('' if none)."""
    return _class_of(frozenset(codes))


@lru_cache(maxsize=4096)
def _class_of(codes: frozenset) -> str:
    # a pack's regexes repeat a few hundred sets tens of thousands of times
    # (the attribution pack: 453 sets, 42,919 classes, about 10 CPU s of its compile)
    codes = sorted(codes)
    if not codes:
        return ""
    parts = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        parts.append(chr(codes[i]) if i == j else f"{chr(codes[i])}-{chr(codes[j])}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def sentence_start_regex(alphabet) -> str:
    """A zero-width regex true where a sentence starts (tokenizer.sentences'
    rule): at the first token, after a paragraph break, or after a sentence
    end and the closing quotes that follow it."""
    from .tokenizer import SENTENCE_CLOSERS

    closers = alphabet.kinds_class(SENTENCE_CLOSERS)
    return (f"(?:^|(?<={alphabet.kinds_class(['para'])})"
            f"|(?<={alphabet.kinds_class(['sentend'])}{closers}*)(?!{closers}))")
