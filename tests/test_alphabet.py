"""Character classes of token codes (alphabet.ranges_to_class)."""
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.alphabet import BASE, ranges_to_class

# codes near each other, so that runs of neighbours (ranges) are common
codes = st.lists(st.integers(BASE, BASE + 300), max_size=60)


@settings(max_examples=200, deadline=None)
@given(codes)
def test_the_class_matches_exactly_the_codes_given(given_codes):
    cls = ranges_to_class(given_codes)
    if not given_codes:
        assert cls == ""
        return
    pattern = regex.compile(cls)
    for c in range(BASE - 1, BASE + 302):
        assert (pattern.fullmatch(chr(c)) is not None) == (c in given_codes), c


@given(codes)
def test_the_same_set_gives_the_same_class_in_any_order_or_container(given_codes):
    first = ranges_to_class(given_codes)
    assert ranges_to_class(sorted(given_codes, reverse=True)) == first
    assert ranges_to_class(set(given_codes)) == first
    assert ranges_to_class(iter(given_codes)) == first


def test_neighbouring_codes_become_one_range():
    assert ranges_to_class([BASE + 2, BASE, BASE + 1, BASE + 5]) == f"[{chr(BASE)}-{chr(BASE + 2)}{chr(BASE + 5)}]"
