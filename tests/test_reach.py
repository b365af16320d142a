"""Reach conditions: where a match can start, and the lookaheads built from them.

The property: putting a construction's reach lookaheads in front of its regex
never changes what it matches, at any start.
"""
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.regexgen import RegexBuilder, lead_set, reach, reach_lookaheads
from trees import regex_trees

CODES = [ord(c) for c in "abcde"]  # 'e' is text no construction names
a, b, c = (("set", frozenset({ord(x)})) for x in "abc")


def test_lead_set_is_what_comes_before_the_first_must_character():
    # a* b c: before the first b only a's; every match holds a b
    node = ("seq", [("rep", a, 0, None), b, c])
    assert lead_set(node, frozenset({ord("b")})) == ({ord("a")}, False)
    # (a | b) c: a match "ac" holds no b
    assert lead_set(("seq", [("alt", [a, b]), c]), frozenset({ord("b")}))[1] is True
    # a zero-width assertion holds nothing and lets everything through
    assert lead_set(("seq", [("raw", "(?=x)"), b]), frozenset({ord("b")})) == (frozenset(), False)


def test_reach_lists_every_required_set_with_its_lead():
    node = ("seq", [("rep", a, 0, 3), b, ("rep", a, 0, None), c])
    conditions = dict(reach(node))
    assert conditions[frozenset({ord("b")})] == {ord("a")}
    assert conditions[frozenset({ord("c")})] == {ord("a"), ord("b")}
    looks = reach_lookaheads(node, set(CODES))
    assert looks[0] == "(?=[a]*+[b])"  # the shorter run first
    assert regex.match("".join(looks), "aabac") and not regex.match("".join(looks), "aac")


@settings(max_examples=300, deadline=None)
@given(regex_trees(CODES[:4]), st.lists(st.text("abcde", max_size=14), min_size=1, max_size=4))
def test_lookaheads_never_change_a_match(node, texts):
    builder = RegexBuilder({}, None, max_repeat=6)
    body = builder.emit(node)
    plain = regex.compile("(?p)" + body)
    looked = regex.compile("(?p)" + "".join(reach_lookaheads(node, set(CODES))) + body)
    for text in texts:
        for i in range(len(text) + 1):
            m1, m2 = plain.match(text, i), looked.match(text, i)
            assert (m1 and m1.span()) == (m2 and m2.span()), (body, text, i)
