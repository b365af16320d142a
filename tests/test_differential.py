"""The fast scanner must agree with a slow, obviously correct oracle.

Hypothesis writes small packs (random rules over overlapping lexicon classes,
literals and built-in classes; some recursive, so the LALR driver runs too)
and random texts over a tiny vocabulary.  The oracle:

1. gives every token its class set directly (shape classes from the
   tokenizer, lexicon and literal classes by comparing strings);
2. turns the token sequence into one character per distinct class set and
   every terminal into a regex character class of the sets holding it;
3. for every construction and every start position, asks Lark's Earley
   parser (dynamic lexer) for the longest token span that parses;
4. resolves overlaps with a direct transcription of the documented policy.

The scanner's matches (span and construction) must equal the oracle's.
"""
from __future__ import annotations


import lark
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import engine
from engine.errors import PackError
from engine.scanner import Scanner
from engine.tokenizer import KIND_CLASSES, sentence_ends, sentences

LEXICONS = {"AA": ["a", "b"], "BB": ["b", "c", "a b"]}  # 'a b' is a multi-word entry
DERIVED = {"NQ": (["ANY"], ["AA", "STOP"])}  # a set expression: any token but AA and stops
LEAVES = ["AA", "BB", "NQ", "WORD", "CAPWORD", "NUM", "PUNCT", "SENTEND", '"x"', '"y"i', '"a"', '"."']
VOCAB = ["a", "b", "c", "x", "y", "Y", "A", "B", "Bob", "7", ",", ".", "\n\n", "”"]


def expr(depth, rule_names):
    leaves = st.sampled_from(LEAVES + rule_names)
    if depth == 0:
        return leaves
    sub = expr(depth - 1, rule_names)
    return st.one_of(
        leaves,
        st.lists(sub, min_size=2, max_size=3).map(" ".join),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: "(" + " | ".join(xs) + ")"),
        st.tuples(sub, st.sampled_from(["?", "*", "+"])).map(lambda t: f"({t[0]}){t[1]}"),
    )


@st.composite
def packs(draw):
    n_rules = draw(st.integers(1, 3))
    names = [f"r{i}" for i in range(n_rules)]
    rules = {}
    for i, name in enumerate(names):
        later = names[i + 1:]
        body = draw(expr(2, later))
        if draw(st.integers(0, 5)) == 0:  # a recursive rule: runs on the LALR driver
            body = f'"x" {name}? "y"i | {body}'
        rules[name] = body
    n_cons = draw(st.integers(1, 2))
    cons = {}
    for k in range(n_cons):
        cons[f"c{k}"] = {
            "label": draw(st.sampled_from(["L1", "L2"])),
            "start": draw(st.sampled_from(names)),
            "overlap": draw(st.sampled_from(["longest", "longest", "priority", "all", "apart"])),
            "report": draw(st.sampled_from([True, True, True, False])),
            "priority": draw(st.integers(0, 2)),
            "anchor": draw(st.sampled_from(["any", "any", "sentence"])),
        }
    return rules, cons


def pack_yaml(rules, cons) -> str:
    lines = ["pack: generated", "lexicons:"]
    for name, entries in LEXICONS.items():
        lines.append(f"  {name}: [{', '.join(entries)}]")
    for name, (any_of, excluded) in DERIVED.items():
        lines.append(f"  {name}: {{any_of: [{', '.join(any_of)}], except: [{', '.join(excluded)}]}}")
    lines.append("rules:")
    for name, body in rules.items():
        lines.append(f"  {name}: |")
        lines.append(f"    {body}")
    lines.append("constructions:")
    for name, c in cons.items():
        lines.append(f"  {name}:")
        for k, v in c.items():
            lines.append(f"    {k}: {v}")
    return "\n".join(lines) + "\n"


# -- the oracle --------------------------------------------------------------
def class_set(bare: str, kind: str, sentence_final: bool) -> frozenset:
    if sentence_final:  # the segmenter's rule, applied to token kinds (not to characters)
        kind = "sentend"
    classes = set(KIND_CLASSES[kind])
    if kind != "para":
        classes.add("ANY")
    for lexicon, entries in LEXICONS.items():
        if bare.lower() in [e for e in entries if " " not in e]:
            classes.add(lexicon)
    for name, (any_of, excluded) in DERIVED.items():
        if classes & set(any_of) and not classes & set(excluded):
            classes.add(name)
    classes.add(f'lit:{bare}')  # case-sensitive literal
    classes.add(f'ilit:{bare.lower()}')  # case-insensitive literal
    return frozenset(classes)


def oracle_grammar(rule_asts, sets):
    """Lark text where every terminal is a character class over ``sets``."""
    terms = {}

    def term_for(cls):
        if cls not in terms:
            chars = "".join(chr(0x4E00 + i) for i, s in enumerate(sets) if cls in s)
            terms[cls] = (f"T{len(terms)}", chars)
        return terms[cls][0]

    def show(node):
        kind = node[0]
        if kind == "seq":
            return " ".join(f"({show(c)})" for c in node[1])
        if kind == "alt":
            return " | ".join(f"({show(c)})" for c in node[1])
        if kind == "rep":
            lo, hi = node[2], node[3]
            inner = f"({show(node[1])})"
            if hi is None:
                return f"{inner}*" if lo == 0 else f"{inner}+"
            return f"{inner}?"
        if kind == "alias":
            return show(node[1])
        if kind == "ref":
            return node[1]
        if kind == "term":
            return term_for(node[1])
        if kind == "lit":
            return term_for(("ilit:" + node[1].lower()) if node[2] else ("lit:" + node[1]))
        raise ValueError(kind)

    lines = [f"{name}: {show(ast)}" for name, ast in rule_asts.items()]
    for cls, (name, chars) in terms.items():
        pattern = f"/[{chars}]/" if chars else "/(?!)x/"
        lines.append(f"{name}: {pattern}")
    return "\n".join(lines)


def oracle(pack, text):
    tokens = engine.tokenize(text)
    toks = list(tokens)
    finals = set(sentence_ends([t.kind for t in toks]))
    seq_sets = [class_set(t.text, t.kind, i in finals) for i, t in enumerate(toks)]
    sets = sorted(set(seq_sets), key=sorted)
    s = "".join(chr(0x4E00 + sets.index(x)) for x in seq_sets)
    grammar = oracle_grammar(pack.compiled.rule_asts, sets)
    cons = pack.compiled.constructions
    parser = lark.Lark(grammar, parser="earley", lexer="dynamic", start=sorted({c.start for c in cons}))

    def parses(start, i, j):
        try:
            parser.parse(s[i:j], start=start)
            return True
        except lark.exceptions.LarkError:
            return False

    sentence_starts = {i for i, _ in sentences(tokens)}
    cands = {}
    for c in cons:
        for i in range(len(s)):
            if c.anchor == "sentence" and i not in sentence_starts:
                continue
            for j in range(len(s), i, -1):
                if parses(c.start, i, j):
                    cands.setdefault(c.index, []).append((i, j, c.index))
                    break
    out = []
    by_label = {}
    for c in cons:
        by_label.setdefault(c.label, []).append(c)
    for label, members in by_label.items():
        for c in members:
            if c.overlap == "all":
                out.extend(cands.get(c.index, []))
            if c.overlap == "apart":  # leftmost-longest among its own matches
                taken = []
                for x in sorted(cands.get(c.index, []), key=lambda x: (x[0], -(x[1] - x[0]))):
                    if all(x[1] <= t[0] or t[1] <= x[0] for t in taken):
                        taken.append(x)
                out.extend(taken)
        shared = [c for c in members if c.overlap not in ("all", "apart")]
        policy = "priority" if any(c.overlap == "priority" for c in shared) else "longest"
        pool = [x for c in shared for x in cands.get(c.index, [])]
        prio = {c.index: c.priority for c in cons}
        levels = [sorted({prio[x[2]] for x in pool}, reverse=True)] if policy == "priority" else [None]
        taken = []
        for level in (levels[0] if policy == "priority" else [None]):
            active = [x for x in pool if level is None or prio[x[2]] == level]
            pos_free = lambda x: all(x[1] <= t[0] or t[1] <= x[0] for t in taken)  # noqa: E731
            # leftmost, then longest, then priority, then declaration order
            for x in sorted(active, key=lambda x: (x[0], -(x[1] - x[0]), -prio[x[2]], x[2])):
                if pos_free(x):
                    taken.append(x)
        out.extend(taken)
    return sorted((tokens.span(i, j), cons[k].name) for i, j, k in out if cons[k].report)  # guards: not reported


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=packs(), words=st.lists(st.sampled_from(VOCAB), min_size=1, max_size=9))
def test_scanner_agrees_with_earley_oracle(tmp_path_factory, spec, words):
    rules, cons = spec
    path = tmp_path_factory.mktemp("pack") / "p.yaml"
    path.write_text(pack_yaml(rules, cons))
    try:
        pack = engine.load(path, cache=False)
    except PackError as exc:
        assume(exc.code not in ("E302", "E303"))  # conflicts and empty matches are rejected on purpose
        raise
    text = " ".join(words)
    want = oracle(pack, text)
    # every start tried, only those the reach conditions allow, only those Hyperscan finds
    for strategy in ("all", "reach", "prefilter"):
        pack.scanner = Scanner(pack.compiled, strategy)
        got = sorted(((m.start, m.end), m.rule) for m in pack.extract(text))
        assert got == want, strategy


def test_oracle_is_not_vacuous(tmp_path):
    """The oracle finds matches on a hand-made case (so agreement means something)."""
    path = tmp_path / "p.yaml"
    path.write_text(pack_yaml({"r0": 'AA+ "x"'}, {"c0": {"label": "L1", "start": "r0"}}))
    pack = engine.load(path, cache=False)
    assert oracle(pack, "a b x c a x") == [((0, 5), "c0"), ((8, 11), "c0")]
    assert [(m.start, m.end) for m in pack.extract("a b x c a x")] == [(0, 5), (8, 11)]
