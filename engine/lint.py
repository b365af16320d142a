"""``larkspan check``: warnings about a pack that compiles but may be wrong.

Each finding is one line ``FILE:LINE: warning[Wnnn] ...``.
"""
from __future__ import annotations

from .grammar import reachable, walk


def _finding(code, file, line, text):
    return f"{file}:{line}: warning[{code}]: {text}"


def lint(pack) -> list[str]:
    compiled = pack.compiled
    rules = compiled.rule_asts
    out = []
    used_rules = set()
    for c in compiled.constructions:
        used_rules.update(reachable(rules, c.start))
        examples, _counter = compiled.examples.get(c.name, ([], []))
        if not examples:
            out.append(_finding("W101", c.file, c.line, f"construction '{c.name}' has no examples"))
    for name in rules:
        if name not in used_rules and not name.startswith("_lex_"):
            out.append(_finding("W102", compiled.file, "?", f"rule '{name}' is not used by any construction"))
    used_classes = {n[1] for r in used_rules for n in walk(rules[r]) if n[0] == "term"}
    used_classes |= {name[5:].upper() for name in used_rules if name.startswith("_lex_")}
    for name, (any_of, excluded) in compiled.alphabet.derived.items():  # classes made of classes
        if name in used_classes:
            used_classes.update(any_of)
            used_classes.update(excluded)
    for lexicon in compiled.lexicon_values:
        if lexicon not in used_classes:
            out.append(_finding("W103", compiled.file, "?", f"lexicon '{lexicon}' is not used by any rule"))
    out.extend(_ambiguity(compiled))
    return out


def _ambiguity(compiled) -> list[str]:
    """Regular constructions need no LALR table, but a grammar conflict there
    often means an ambiguous rule that makes the regex backtrack."""
    from lark.exceptions import GrammarError

    from .lalr import build_tables

    out = []
    for c in compiled.constructions:
        if c.backend != "regex":
            continue
        try:
            build_tables(compiled.grammar_text, [c.start])
        except GrammarError as exc:
            first = str(exc).strip().splitlines()[0]
            out.append(_finding("W104", c.file, c.line,
                                f"construction '{c.name}' is ambiguous ({first}); it works, but an ambiguous "
                                "rule can make matching slow"))
    return out
