"""The automaton that finds where a construction's longest match ends
(longest.py), and the regex without the POSIX flag that then reads the slots.

Oracles: the construction's own POSIX regex (``(?p)``), on random trees of
the intermediate form and random texts over a small alphabet; and the
attribution pack's walk with and without automata on sentences of our own.
"""
import time

import pytest
import regex
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import engine
from engine import fastregex, longest
from engine.regexgen import RegexBuilder
from engine.scanner import Scanner
from engine.tokenizer import tokenize
from trees import regex_trees

CODES = [ord(c) for c in "abcde"]  # 'e' is text no construction names
FAR = time.monotonic() + 3600


def _ids(automaton, text):
    return [automaton.classes.of(ord(ch)) for ch in text]


@settings(max_examples=300, deadline=None)
@given(regex_trees(CODES[:4], min_hi=1), st.text("abcde", max_size=30), st.integers(2, 12))
def test_the_automaton_ends_where_the_posix_regex_ends(node, text, max_repeat):
    """At every start: -1 exactly where the POSIX regex finds nothing, the
    end it finds, or None (ask the regex) only for a match past the bound."""
    _ends_agree(node, text, max_repeat)


RUNS = st.lists(st.tuples(st.sampled_from("abcde"), st.integers(1, 8)), max_size=8).map(
    lambda runs: "".join(ch * n for ch, n in runs))  # texts with runs of one letter, for the loops


@settings(max_examples=300, deadline=None)
@given(regex_trees(CODES[:4], min_hi=1), RUNS)
def test_an_automaton_with_loops_ends_where_the_posix_regex_ends(node, text):
    """The same with the unbounded repetitions left as loops, as in the
    bundled packs (``max_repeat`` at ``UNCAP``: below it, every repetition
    is written out), over texts with runs of one letter for them to read.
    POSIX mode tries every way through nested repetitions of up to 64: an
    example the oracle cannot judge within a second is left out."""
    _ends_agree(node, text, longest.UNCAP)


def _ends_agree(node, text, max_repeat):
    automata = longest.build({0: node}, CODES, max_repeat)
    if not automata:  # only a tree that can match the empty string has none
        assert regex.compile(RegexBuilder({}, None, max_repeat).emit(node)).fullmatch("") is not None
        return
    automaton = automata[0]
    posix = regex.compile("(?p)" + RegexBuilder({}, None, max_repeat).emit(node))
    ends = longest.Longest(automaton)
    ids = _ids(automaton, text)
    for stop in (len(text), len(text) // 2):
        for pos in range(stop):
            got = ends.end(ids, pos, stop, FAR)
            try:
                m = posix.match(text, pos, stop, timeout=1.0)
            except TimeoutError:
                reject()
            if got is None:  # the match, if any, may be longer than the automaton is exact for
                assert stop - pos > automaton.bound
            else:
                assert got == (-1 if m is None else m.end()), (node, text, pos, stop)


@settings(max_examples=300, deadline=None)
@given(regex_trees(CODES[:4], min_hi=1), st.text("abcde", max_size=30), st.integers(2, 12))
def test_the_first_match_up_to_the_posix_end_has_the_posix_captures(node, text, max_repeat):
    """``fullmatch`` without the POSIX flag, up to where the POSIX match
    ends, takes the same way through the pattern: every capture the same."""
    source = "(?p)" + RegexBuilder({}, None, max_repeat).emit(("group", "g", node))
    posix = regex.compile(source)
    plain = fastregex.without_posix(source, fastregex.compile_with_code(source)[1])
    for pos in range(len(text)):
        m = posix.match(text, pos)
        if m is not None:
            assert plain.fullmatch(text, pos, m.end()).allspans() == m.allspans(), (source, text, pos)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([r"(?p)(?P<a>x+)(?P<b>y|yz)?", r"(?p)(?:a|ab)(?P<c>bc|c)*", r"(?p)[\U00010000-\U00010010]+z"]),
       st.text(alphabet="xyzabc\U00010001", max_size=20))
def test_a_pattern_loaded_without_its_posix_flag_is_the_pattern_without_it(pattern, text):
    blob = fastregex.compile_with_code(pattern)[1]
    for loaded in (fastregex.without_posix(pattern, blob), fastregex.without_posix(pattern, None)):
        assert not loaded.flags & regex.POSIX
        expected = regex.compile(pattern[4:])
        assert [m.allspans() for m in loaded.finditer(text)] == [m.allspans() for m in expected.finditer(text)]


def test_a_tree_with_an_assertion_inside_or_an_empty_match_gets_no_automaton():
    a, b = ("set", frozenset({97})), ("set", frozenset({98}))
    nodes = {0: ("seq", [a, ("raw", "(?<=a)"), b]), 1: ("rep", a, 0, None), 2: ("seq", [a, b])}
    assert set(longest.build(nodes, CODES, 10)) == {2}


def test_repetitions_written_out_past_the_limit_give_no_automaton(monkeypatch):
    monkeypatch.setattr(longest, "MAX_POSITIONS", 50)
    a = ("set", frozenset({97}))
    nested = ("rep", ("rep", a, 0, 10), 0, 10)  # a hundred positions once written out
    assert longest.build({0: nested}, CODES, 1000) == {}
    assert longest.build({0: ("rep", a, 1, 10)}, CODES, 1000)  # ten are fine


def test_the_table_of_states_starts_again_when_full(monkeypatch):
    monkeypatch.setattr(longest, "MAX_STATES", 3)
    sets = [("set", frozenset({c})) for c in CODES[:4]]
    node = ("alt", [("seq", [x, y, z]) for x in sets for y in sets for z in sets[:2]])
    automaton = longest.build({0: node}, CODES, 10)[0]
    ends = longest.Longest(automaton)
    posix = regex.compile("(?p)" + RegexBuilder({}, None, 10).emit(node))
    text = "abacadbbcadcbaddca"
    for pos in range(len(text)):
        m = posix.match(text, pos)
        assert ends.end(_ids(automaton, text), pos, len(text), FAR) == (-1 if m is None else m.end())
        assert len(ends._states.sets) <= 8  # the limit, and what one call adds past it


def test_past_the_deadline_the_automaton_raises():
    a = ("set", frozenset({97}))
    automaton = longest.build({0: ("rep", a, 1, None)}, CODES, 10)[0]
    with pytest.raises(TimeoutError):  # a fresh table: its first step checks the clock
        longest.Longest(automaton).end(_ids(automaton, "aaa"), 0, 3, time.monotonic() - 1)


SENTENCES = [
    "The minister said that the budget would be cut by a third next year.",
    '"We will not give up," the mayor told reporters on Tuesday.',
    "According to the report, prices rose in May, officials said.",
    "She added that the plan was fair. He said so too, adding that nobody asked.",
    '"It is over," said Ms. Lee, who asked that her first name not be used.',
]


@pytest.fixture(scope="module")
def attribution():
    return engine.load("rules/attribution.yaml").prepare()


def test_the_attribution_pack_finds_the_same_with_and_without_automata(attribution):
    with_ends = attribution.scanner
    without = Scanner(attribution.compiled)
    without._ends, without._classes = {}, {}
    for text in SENTENCES + [" ".join(SENTENCES) * 3]:
        chars = attribution.encode(tokenize(text))
        assert with_ends.scan(chars) == without.scan(chars)
    assert with_ends._ends and any(e._plain is not None for e in with_ends._ends.values())
