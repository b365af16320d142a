"""The set analyses behind the scanner's lookaheads and paragraph skipping."""
from engine.regexgen import first_set, must_set, must_sets

a, b, c = ("set", frozenset({1})), ("set", frozenset({2})), ("set", frozenset({3}))


def test_first_sets_of_sequences_alternatives_and_options():
    assert first_set(("seq", [a, b])) == ({1}, False)
    assert first_set(("seq", [("rep", a, 0, 1), b])) == ({1, 2}, False)
    assert first_set(("alt", [("seq", [a, c]), ("group", "g", b)])) == ({1, 2}, False)
    assert first_set(("rep", a, 0, None)) == ({1}, True)  # can match the empty string
    assert first_set(("seq", [("rep", a, 0, 1), ("rep", b, 0, 1)])) == ({1, 2}, True)
    assert first_set(("rep", c, 1, None)) == ({3}, False)


def test_must_sets():
    ab = ("set", frozenset({1, 2}))
    assert must_sets(("seq", [ab, ("rep", c, 0, 1), b])) == [{2}, {1, 2}]  # smallest first
    assert must_set(("seq", [ab, b])) == {2}
    assert must_sets(("alt", [("seq", [a, c]), b])) == [{1, 2}]  # each branch's best, joined
    assert must_sets(("alt", [a, ("rep", b, 0, 1)])) == []  # a branch with no required token
    assert must_set(("rep", ("group", "g", c), 2, 5)) == {3}
    assert must_set(("seq", [("rep", a, 0, None)])) is None
