"""The pack's Lark grammar and the check built on it (engine/lint.py,
grammar.hoist_aliases and grammar.bnf_size).

A pack may name a group with an alias (``(RELC -> lead)?``), which Lark
itself refuses ("Rule 'lead' used but not defined"): the grammar text makes
each such group a rule of its own.  A grammar Lark would take minutes to
build a table for is not handed to it: ``larkspan check`` says it skipped
the ambiguity check instead."""
import time

from hypothesis import given, settings
from hypothesis import strategies as st
from lark.exceptions import GrammarError

import engine
from engine.grammar import bnf_size, hoist_aliases, to_lark
from engine.lalr import build_tables
from engine.lint import AMBIGUITY_LIMIT, lint
from trees import regex_trees

INNER_ALIASES = """\
pack: inner_aliases
lexicons:
  SAY: [said, says]
  RELC: [which, whom]
rules:
  report: (RELC -> lead)? CAPWORD+ (SAY -> cue) WORD+
  nested: '"(" (nested | (WORD -> inner)) ")"'
constructions:
  report:
    label: REPORT
    slots: {lead: lead, cue: cue}
    examples:
      - text: the levy, which Ruiz says is fair
        match: which Ruiz says is fair
        slots: {lead: which, cue: says}
  nested:
    label: NESTED
    slots: {inner: inner}
    examples:
      - text: x ((deep)) y
        match: ((deep))
        slots: {inner: deep}
"""


def test_an_alias_inside_a_group_makes_a_grammar_lark_loads(pack_from):
    pack = pack_from(INNER_ALIASES)
    text = pack.compiled.grammar_text
    for c in pack.compiled.constructions:  # every construction's start, as the ambiguity check builds it
        build_tables(text, [c.start])
    assert "lead__inline" in text and "-> lead" in text
    kinds = {c.name: c.backend for c in pack.compiled.constructions}
    assert kinds == {"report": "regex", "nested": "lalr"}
    # the slots the aliases mark, from the regex and from the LALR tables alike
    (report,) = pack.extract("The levy, which Ruiz says is fair.")
    assert report.slots["lead"] == [(10, 15)] and report.slots["cue"] == [(21, 25)]
    (nested,) = pack.extract("x ((deep)) y")
    assert nested.slots["inner"] == [(4, 8)]


def test_check_of_a_pack_with_inner_aliases_reports_no_false_ambiguity(pack_from):
    findings = lint(pack_from(INNER_ALIASES))
    assert not [f for f in findings if "warning[W104]" in f or "warning[W106]" in f], findings


def test_check_skips_the_ambiguity_check_of_a_grammar_too_large_for_lark(pack_from):
    wide = INNER_ALIASES.replace("  report: (RELC -> lead)? CAPWORD+", "  gap: (WORD | SAY)~0..30\n  report: (RELC -> lead)? CAPWORD+ gap?")
    assert wide != INNER_ALIASES
    pack = pack_from(wide)
    start = time.monotonic()
    findings = lint(pack)
    assert time.monotonic() - start < 30  # Lark would take hours on 2**31 alternatives
    skipped = [f for f in findings if "warning[W106]" in f]
    assert len(skipped) == 1 and "'report'" in skipped[0] and "rule 'gap'" in skipped[0]
    assert f"{AMBIGUITY_LIMIT:,}" in skipped[0]
    assert not [f for f in findings if "warning[W104]" in f]  # nor is the other construction held up by it


def test_the_bundled_attribution_pack_checks_without_a_crash():
    """It used to stop with an AssertionError inside Lark (an alias in a group)."""
    pack = engine.load("rules/attribution.yaml")
    findings = lint(pack)
    assert not [f for f in findings if "used but not defined" in f]
    assert [f for f in findings if "warning[W106]" in f and "'colon'" in f]  # ccol: too large to write out


def _as_pack(n):
    """A test tree (trees.regex_trees) as a pack's rule: its slot groups are
    aliases, and each set of codes is the class of its lowest code (A to D)."""
    kind = n[0]
    if kind == "group":
        return ("alias", _as_pack(n[2]), n[1])
    if kind in ("seq", "alt"):
        return (kind, [_as_pack(c) for c in n[1]])
    if kind == "rep":
        return ("rep", _as_pack(n[1]), n[2], n[3])
    if kind == "set":
        return ("term", "ABCD"[min(n[1]) - ord("a")])
    return n


@settings(max_examples=200, deadline=None)
@given(regex_trees([ord(c) for c in "abcd"]), st.integers(1, 200))
def test_bnf_size_counts_the_alternatives_of_sequences_options_and_ranges(node, cap):
    """bnf_size against a slow count written from the definition: a
    sequence multiplies, an alternation adds, x? is 1 + x, x~a..b the sum of
    x's count to each power from a to b, an unbounded repetition one
    alternative (two when it must occur); capped at ``cap``."""
    def count(n):
        kind = n[0]
        if kind == "seq":
            out = 1
            for c in n[1]:
                out *= count(c)
            return out
        if kind == "alt":
            return sum(count(c) for c in n[1])
        if kind in ("group", "alias"):
            return count(n[2] if kind == "group" else n[1])
        if kind == "rep":
            if n[3] is None:
                return 1 if n[2] == 0 else 2
            return sum(count(n[1]) ** k for k in range(n[2], n[3] + 1))
        return 1

    assert bnf_size(_as_pack(node), cap) == min(cap, count(node))


@settings(max_examples=100, deadline=None)
@given(regex_trees([ord(c) for c in "abcd"]))
def test_hoisting_leaves_aliases_only_where_lark_takes_them(node):
    """After hoist_aliases, an alias stands only as a whole rule or a whole
    alternative of one, and the rules print as text Lark loads (a random
    tree may be ambiguous: a conflict, or the same alternative twice, is
    Lark's verdict on the grammar, not a failure to load it)."""
    rules = hoist_aliases({"start": ("seq", [_as_pack(node), ("term", "Z")])})

    def inner_aliases(n, top):
        kind = n[0]
        found = 0 if top or kind != "alias" else 1
        if kind in ("seq", "rep"):
            found += sum(inner_aliases(c, False) for c in (n[1] if kind == "seq" else [n[1]]))
        elif kind == "alt":
            found += sum(inner_aliases(c, top) for c in n[1])
        elif kind == "alias":
            found += inner_aliases(n[1], False)
        return found

    assert all(inner_aliases(ast, True) == 0 for ast in rules.values())
    text = "%declare A B C D Z\n" + "\n".join(f"{name}: {to_lark(ast)}" for name, ast in rules.items())
    try:
        build_tables(text, ["start"])
    except GrammarError as exc:
        assert any(word in str(exc).lower() for word in ("conflict", "collision", "defined twice")), exc
