"""A hypothesis strategy for random trees of the regex intermediate form (regexgen)."""
from hypothesis import strategies as st


def regex_trees(codes, min_hi=2, assertions=False):
    """Trees over the character ``codes``: sets, sequences, alternations,
    repetitions (upper bound from ``min_hi`` to 4, or none), slot groups and,
    with ``assertions``, a zero-width lookbehind in front of a subtree."""
    leaf = st.sets(st.sampled_from(codes), min_size=1, max_size=3).map(lambda s: ("set", frozenset(s)))

    def grow(inner):
        options = [
            st.lists(inner, min_size=2, max_size=4).map(lambda xs: ("seq", xs)),
            st.lists(inner, min_size=2, max_size=3).map(lambda xs: ("alt", xs)),
            st.tuples(inner, st.integers(0, 2), st.one_of(st.none(), st.integers(min_hi, 4)))
              .map(lambda t: ("rep", t[0], t[1], t[2])),
            inner.map(lambda x: ("group", "g", x)),
        ]
        if assertions:
            options.append(inner.map(lambda x: ("seq", [("raw", "(?<=a)"), x])))
        return st.one_of(*options)

    return st.recursive(leaf, grow, max_leaves=8)


def sample(node, rng) -> str:
    """A random string the tree matches (a zero-width assertion taken to hold),
    one character per code; repetitions without a bound repeat up to three
    times more than their least."""
    kind = node[0]
    if kind == "set":
        return chr(rng.choice(sorted(node[1])))
    if kind == "raw":
        return ""
    if kind == "group":
        return sample(node[2], rng)
    if kind == "seq":
        return "".join(sample(item, rng) for item in node[1])
    if kind == "alt":
        return sample(rng.choice(node[1]), rng)
    if kind == "rep":
        lo, hi = node[2], node[3]
        return "".join(sample(node[1], rng) for _ in range(rng.randint(lo, lo + 3 if hi is None else hi)))
    raise ValueError(kind)


def has_assertion(node) -> bool:
    kind = node[0]
    if kind == "raw":
        return True
    if kind == "set":
        return False
    if kind in ("rep", "group"):
        return has_assertion(node[1] if kind == "rep" else node[2])
    return any(has_assertion(item) for item in node[1])
