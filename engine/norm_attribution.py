"""Normalizers for the attribution pack (kind: direct / indirect / mixed)."""
from __future__ import annotations

import regex

from .normalizers import MatchView, register

#: Double quotation marks that delimit quoted speech (single marks are too
#: often apostrophes to count).
DOUBLE_QUOTES = frozenset({'"', "“", "”", "„", "‟", "«", "»", "''", "``"})
_EDGE = ",.;:!?…—–-()[] "
# the marks above (the doubled ones first), found by the regex engine
# rather than a Python loop over every character of the content
_MARK = regex.compile("|".join(regex.escape(q) for q in sorted(DOUBLE_QUOTES, key=lambda q: (-len(q), q))))


def quote_kind(fragments: list[str]) -> str:
    """'direct' when every fragment is a quotation from its first mark to its
    last (edge punctuation aside), 'mixed' when quotation marks appear inside
    running text, 'indirect' when there are none."""
    if not fragments:
        return "indirect"
    has_quote = False
    all_quoted = True
    for n, frag in enumerate(fragments):
        core = frag.strip(_EDGE)
        marks = [m.span() for m in _MARK.finditer(core)]
        if not marks:
            all_quoted = False
            continue
        has_quote = True
        # a paragraph of a multi-paragraph quotation opens but does not close
        opens_paragraph = n < len(fragments) - 1 and len(marks) == 1
        closed = marks[-1][1] == len(core) and len(marks) >= 2
        if marks[0][0] != 0 or not (closed or opens_paragraph):
            all_quoted = False
    if not has_quote:
        return "indirect"
    return "direct" if all_quoted else "mixed"


@register("kind")
def kind(m: MatchView, slot: str = "content", attr: str = "kind"):
    """kind = direct / indirect / mixed, from the quotation marks of the content."""
    text = m.tokens.text
    frags = []
    for s, e in m.slot_spans(slot):
        a, b = m.tokens.span(s, e)
        frags.append(text[a:b])
    return {attr: quote_kind(frags)}
