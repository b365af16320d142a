"""English inflection for lexicon entries (``inflect: verb`` / ``inflect: noun``).

The forms come from lemminflect, which knows the irregular verbs and nouns
("seek" -> "sought", "spokesman" -> "spokesmen"), doubles final consonants
where English does ("admit" -> "admitted") and gives British spellings beside
American ones ("labelled").  Words it does not know get its rule-based forms.
An entry written as ``lemma: [form, ...]`` in a pack bypasses all of this.
"""
from __future__ import annotations

from functools import lru_cache

_UPOS = {"verb": "VERB", "noun": "NOUN"}
# the tags a verb or a noun must have forms for; lemminflect lists some verbs
# ("dare") only as modals, and then its rule-based forms fill the gap
_NEEDED = {"verb": {"VBZ", "VBD", "VBG"}, "noun": {"NNS"}}


@lru_cache(maxsize=None)
def inflections(lemma: str, kind: str) -> list[str]:
    """Other forms of ``lemma`` (not including it) as a verb or a noun."""
    import lemminflect  # only when a pack is compiled: it brings numpy, slow to import

    upos = _UPOS[kind]
    table = dict(lemminflect.getAllInflections(lemma, upos=upos))
    if not _NEEDED[kind] <= table.keys():
        for tag, forms in lemminflect.getAllInflectionsOOV(lemma, upos=upos).items():
            table.setdefault(tag, forms)
    forms = [form for tag in sorted(table) for form in table[tag]]
    return [f for f in dict.fromkeys(forms) if f != lemma]
