"""The FIRST-set lookahead of combined scan groups (compiler._first_lookahead)."""
from engine.regexgen import first_codes


def test_first_codes_of_sequences_alternatives_and_options():
    a, b, c = ("set", frozenset({1})), ("set", frozenset({2})), ("set", frozenset({3}))
    assert first_codes(("seq", [a, b])) == {1}
    assert first_codes(("seq", [("rep", a, 0, 1), b])) == {1, 2}
    assert first_codes(("alt", [("seq", [a, c]), ("group", "g", b)])) == {1, 2}
    assert first_codes(("rep", a, 0, None)) is None  # can match the empty string
    assert first_codes(("seq", [("rep", a, 0, 1), ("rep", b, 0, 1)])) is None
    assert first_codes(("rep", c, 1, None)) == {3}
