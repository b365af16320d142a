"""regexgen._key: the stand-in ``_alt`` groups alternatives by (their first item)."""
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.regexgen import _key
from trees import regex_trees

CODES = list(range(0x10000, 0x10006))
trees = regex_trees(CODES, assertions=True)


@settings(max_examples=300, deadline=None)
@given(trees, trees)
def test_keys_are_equal_exactly_when_the_nodes_are(a, b):
    assert (_key(a) == _key(b)) == (a == b)
    if a == b:
        assert hash(_key(a)) == hash(_key(b))


@given(trees)
def test_a_node_rebuilt_from_copies_has_the_same_key(a):
    def copy(node):  # new lists and new frozensets, built in another order
        if node[0] == "set":
            return ("set", frozenset(sorted(node[1], reverse=True)))
        return tuple(copy(x) if isinstance(x, tuple) else [copy(y) for y in x] if isinstance(x, list) else x
                     for x in node)
    assert _key(copy(a)) == _key(a)
