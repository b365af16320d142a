"""The Hyperscan prefilter: where matches can start, found in one pass.

Properties, on random regex trees over a small alphabet:
* every start of a real match is among the starts the prefilter reports;
* the prefilter reports exactly the starts of its loosened expression, as
  the ``regex`` module finds them (so Hyperscan, the reversal and the byte
  classes agree with what ``loosen`` promises).
"""
import random
import time
from unittest import mock

import pytest
import regex
from hypothesis import given, reject, settings
from hypothesis import strategies as st

import engine
from engine import longest, prefilter
from engine.regexgen import RegexBuilder
from engine.scanner import Scanner, _Ends, resolve, slot_groups
from trees import has_assertion, regex_trees, sample

pytestmark = pytest.mark.skipif(not prefilter.available(), reason="the hyperscan module is not installed")
hyperscan = prefilter.hyperscan

CODES = [ord(c) for c in "abcde"]  # 'e' is text no construction names


def _starts(pattern, text):
    """Where ``pattern`` matches in ``text``.  A random tree with nested
    repetitions can make the POSIX search take exponential time on one
    text: such an example is rejected (it tells nothing about the
    prefilter) rather than left to stall the suite."""
    try:
        return [i for i in range(len(text)) if pattern.match(text, i, timeout=2.0)]
    except TimeoutError:
        reject()


@settings(max_examples=150, deadline=None)
@given(st.lists(regex_trees(CODES[:4], min_hi=1, assertions=True), min_size=1, max_size=3), st.lists(st.text("abcde", max_size=16), min_size=1, max_size=3))
def test_prefilter_reports_every_start_and_exactly_those_of_its_loosening(nodes, texts):
    nodes = {i: n for i, n in enumerate(nodes)}
    pf = prefilter.build(nodes, CODES)
    builder = RegexBuilder({}, None, max_repeat=10_000)
    if pf is None:  # only a construction that can match the empty string has none
        assert any(prefilter._nullable(prefilter.loosen(n)) for n in nodes.values())
        return
    for text in texts:
        found = pf.starts(text)
        for i, node in nodes.items():
            real = _starts(regex.compile("(?p)" + builder.emit(node)), text)
            loose = _starts(regex.compile(builder.emit(prefilter.loosen(node))), text)
            assert set(real) <= set(found[i]), (node, text)
            assert found[i] == loose, (node, text)


def _key(codes):
    """A selectivity key (see compiler._selectivity) under which a set is
    common when it holds 'a' and rare otherwise."""
    return (ord("a") in codes, False, len(codes))


@settings(max_examples=150, deadline=None)
@given(st.lists(regex_trees(CODES[:4], min_hi=1, assertions=True), min_size=1, max_size=3),
       st.lists(st.text("abcde", max_size=16), min_size=1, max_size=3), st.sampled_from([20, 2, 0]))
def test_cut_expressions_report_every_start_and_exactly_those_of_their_cut_loosening(nodes, texts, short):
    """With a selectivity key, each loosened form is cut after its last rare
    item (prefilter.cut), or after a short stretch that follows it up to an
    item that cannot be empty (prefilter.cut_longer; with a small ``SHORT``
    that item is mostly cut to its opening, or the plain cut stays): the
    prefilter still reports every start of a real match, exactly the starts
    of the cut loosening, and never more than the plain cut reports."""
    with mock.patch.object(prefilter, "SHORT", short):
        _check_cut_expressions(nodes, texts)


def _check_cut_expressions(nodes, texts):
    nodes = {i: n for i, n in enumerate(nodes)}
    pf = prefilter.build(nodes, CODES, _key)
    if pf is None:
        assert any(prefilter._nullable(prefilter.loosen(n)) for n in nodes.values())
        return
    builder = RegexBuilder({}, None, max_repeat=10_000)
    rare = prefilter._rare(_key)
    for text in texts:
        found = pf.starts(text)
        for i, node in nodes.items():
            real = _starts(regex.compile("(?p)" + builder.emit(node)), text)
            short = prefilter.cut(prefilter.loosen(node), rare)
            longer = prefilter.cut_longer(prefilter.loosen(node), rare) or short
            assert set(real) <= set(found[i]), (node, text)
            assert set(_starts(regex.compile(builder.emit(prefilter.loosen(node))), text)) <= set(found[i])
            assert found[i] == _starts(regex.compile(builder.emit(longer)), text), (node, text)
            assert set(found[i]) <= set(_starts(regex.compile(builder.emit(short)), text)), (node, text)


@settings(max_examples=200, deadline=None)
@given(regex_trees(CODES[:4], min_hi=2), st.randoms(use_true_random=False))
def test_every_match_begins_with_a_match_of_the_opening(node, rng):
    """``prefilter.opening`` (what cut_longer keeps of a large item): a
    string the loosened node matches begins with a match of its opening,
    which is never larger than the node."""
    loose = prefilter.loosen(node)
    if prefilter._nullable(loose):
        return
    head = prefilter.opening(loose)
    builder = RegexBuilder({}, None, max_repeat=10_000)
    planted = sample(loose, rng)
    assert regex.fullmatch(builder.emit(loose), planted)  # the sampler is right
    assert regex.match(builder.emit(head), planted), (loose, head, planted)
    assert prefilter._leaves(head) <= prefilter._leaves(loose)


def test_a_large_item_after_the_cue_is_cut_to_its_opening():
    """``b (a c c c | d c c c)`` with 'b' rare and a small SHORT: the longer
    cut keeps ``b (a | d)``, so a 'b' followed by anything else is no start."""
    def key(codes):  # only 'b' is rare
        return (not codes.isdisjoint(map(ord, "acde")), False, len(codes))

    a, b, c, d = (("set", frozenset({ord(x)})) for x in "abcd")
    tail = ("alt", [("seq", [a, c, c, c]), ("seq", [d, c, c, c])])
    node = ("seq", [b, tail])
    rare = prefilter._rare(key)
    with mock.patch.object(prefilter, "SHORT", 3):
        assert prefilter.cut_longer(node, rare) == ("seq", [b, ("alt", [a, d])])
        assert prefilter.build({0: node}, CODES, key).starts("bc ba bd bb") == {0: [3, 6]}
    with mock.patch.object(prefilter, "SHORT", 1):
        assert prefilter.cut_longer(node, rare) is None


def _grouped(codes):
    """Trees with a repeated sub-expression that is not a plain set, between
    two others (``regex_trees`` seldom makes one): ``p (x y){lo,hi} q``."""
    tree = regex_trees(codes, min_hi=2, assertions=True)
    return st.tuples(tree, tree, tree, tree, st.integers(0, 2), st.one_of(st.none(), st.integers(2, 4))).map(
        lambda t: ("seq", [t[0], ("rep", ("seq", [t[1], t[2]]), t[4], t[5] if t[5] is None else max(t[4], t[5])), t[3]]))


@settings(max_examples=200, deadline=None)
@given(st.one_of(_grouped(CODES[:4]), regex_trees(CODES[:4], min_hi=2, assertions=True)),
       st.randoms(use_true_random=False), st.text("abcde", max_size=6), st.text("abcde", max_size=6), st.booleans())
def test_a_match_planted_in_the_text_is_among_the_starts(node, rng, before, after, keyed):
    """A string the construction matches, planted between random text: its
    start, and every other start of a real match, is among the starts the
    prefilter reports, with and without the cut (the random texts of the
    tests above seldom hold a match of a large tree, nor trees a repeated
    group; here both are common)."""
    planted = sample(node, rng)
    text = before + planted + after
    pf = prefilter.build({0: node}, CODES, _key if keyed else None)
    if pf is None:
        assert prefilter._nullable(prefilter.loosen(node))
        return
    real = _starts(regex.compile("(?p)" + RegexBuilder({}, None, max_repeat=10_000).emit(node)), text)
    if not has_assertion(node):
        assert len(before) in real  # the planted string is a match (so the sampler is right)
    assert set(real) <= set(pf.starts(text)[0]), (node, text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_grouped(CODES[:4]), regex_trees(CODES[:4], min_hi=2, assertions=True)),
       st.randoms(use_true_random=False))
def test_every_string_a_construction_matches_its_loosening_matches(node, rng):
    """``loosen`` keeps every match: strings drawn from the construction's
    language match its loosened form whole, and begin with a match of the
    cut form (no Hyperscan involved: an oracle of the loosening alone)."""
    builder = RegexBuilder({}, None, max_repeat=10_000)
    loose = prefilter.loosen(node)
    whole = regex.compile(builder.emit(loose))
    short = regex.compile(builder.emit(prefilter.cut(loose, prefilter._rare(_key))))
    for _ in range(5):
        text = sample(node, rng)
        assert whole.fullmatch(text) and short.match(text), (node, text)


def test_a_cut_keeps_the_items_up_to_the_last_rare_one_and_cuts_that_one_inside():
    letter = {x: ("set", frozenset({ord(x)})) for x in "abcd"}
    rare = prefilter._rare(_key)
    inner = ("seq", [letter["b"], letter["a"], letter["c"], letter["a"]])
    node = ("seq", [letter["a"], letter["b"], ("rep", letter["c"], 0, None), inner, letter["a"]])
    assert prefilter.cut(node, rare) == ("seq", [letter["a"], letter["b"], ("rep", letter["c"], 0, None),
                                                 ("seq", [letter["b"], letter["a"], letter["c"]])])
    assert prefilter.cut(("alt", [node, letter["a"]]), rare)[1][1] == letter["a"]  # nothing rare: kept whole
    assert prefilter.cut(("seq", [letter["a"], ("rep", letter["b"], 0, None)]), rare)[1][1:] == [("rep", letter["b"], 0, None)]


def test_each_expression_has_a_database_of_its_own():
    """Expressions never share a Hyperscan database (see prefilter._Database:
    the Hyperscan build in use loses matches of one beside another)."""
    a, b = ("set", frozenset({97})), ("set", frozenset({98}))
    pf = prefilter.build({0: ("seq", [a, b]), 1: b, 2: ("seq", [b, a])}, CODES)
    assert len(pf.database()) == 3 and len(set(pf.keys)) == 3
    assert pf.starts("abab") == {0: [0, 2], 1: [1, 3], 2: [1]}


def test_merged_classes_partition_the_signatures_and_keep_every_set():
    rng = random.Random(7)
    sigs = sorted({rng.getrandbits(12) for _ in range(60)} | {0})
    merged = prefilter._merge(sigs, 16)
    assert len(merged) == 16
    parts = [p for _, ps in merged for p in ps]
    assert sorted(parts) == sigs  # each signature lands in exactly one class
    for sig, ps in merged:
        union = 0
        for p in ps:
            union |= p
        assert sig == union  # a merged class belongs to every set any of its parts did


def test_an_expression_too_long_for_hyperscan_is_loosened_until_it_fits(monkeypatch):
    monkeypatch.setattr(prefilter, "MAX_PATTERN", 120)  # Hyperscan's own limit takes seconds to compile up to
    letter = {x: ("set", frozenset({ord(x)})) for x in "abcd"}
    words = ("seq", [letter[x] for x in "ab"]), ("seq", [letter[x] for x in "cd"]), ("seq", [letter[x] for x in "ba"])
    phrase = ("alt", [("seq", [w, v]) for w in words for v in words])  # nine two-word phrases
    node = ("seq", [letter["d"], phrase, phrase, phrase])
    pf = prefilter.build({0: node}, CODES)
    assert len(pf.expressions[0]) <= 120
    full = prefilter._emit(prefilter.loosen(node), *_classes_of(node))
    assert len(full) > 120  # so it was loosened
    real = regex.compile(RegexBuilder({}, None, max_repeat=10).emit(node))
    text = "edabcdcdbaababbaabcdab" + "dcdcdcdcdcdcd"
    assert _starts(real, text) and set(_starts(real, text)) <= set(pf.starts(text)[0])


def _classes_of(node):
    table, classes, _none = prefilter._classes(prefilter._sets(prefilter.loosen(node), set()), CODES)
    return classes, max(table.values()) + 1


def test_a_compiled_database_is_cached_for_the_next_process(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    node = ("seq", [("set", frozenset({97})), ("rep", ("set", frozenset({98})), 1, None)])
    first = prefilter.build({0: node}, CODES)
    assert not first.ready()
    assert first.starts("abbxab") == {0: [0, 4]}
    assert first.ready() and all((tmp_path / key).exists() for key in first.keys)
    again = prefilter.build({0: node}, CODES)  # as another process would: nothing loaded yet
    assert again.ready() and again.starts("ab") == {0: [0]}


def test_what_follows_the_cue_narrows_the_starts(tmp_path, monkeypatch):
    """``b [c] a`` with 'b' rare: the plain cut keeps ``b`` and reports every
    'b'; the longer cut keeps ``b [c] a`` and reports only those followed by
    an 'a'.  If Hyperscan refused the longer expression, the plain one is
    compiled in its place, and the starts are still a superset."""
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    a, b, c = (("set", frozenset({ord(x)})) for x in "abc")
    node = ("seq", [b, ("rep", c, 0, 1), a])
    assert prefilter.cut(node, prefilter._rare(_key)) == ("seq", [b])
    assert prefilter.cut_longer(node, prefilter._rare(_key)) == node
    text = "bd bca ba bb"
    assert prefilter.build({0: node}, CODES, _key).starts(text) == {0: [3, 7]}
    compile = prefilter._compile
    refused = []

    def refuse_the_longer(expression):
        if not refused:
            refused.append(expression)
            raise hyperscan.error("Pattern is too large.")
        return compile(expression)

    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path / "other"))
    monkeypatch.setattr(prefilter, "_compile", refuse_the_longer)
    assert prefilter.build({0: node}, CODES, _key).starts(text) == {0: [0, 3, 7, 10, 11]}
    assert refused


def test_auto_waits_before_compiling_and_prepare_compiles_now(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    pack = engine.load("rules/quantities.yaml", cache=False)
    pf = [g.prefilter for g in pack.compiled.groups if g.prefilter][0]
    pack.extract("It rose 5% to $3 million.")
    assert not pf.ready()  # one short text: not worth seconds of compiling
    pack.prepare()
    assert pf.ready()
    assert Scanner(pack.compiled)._use_prefilter(pack.compiled.groups[0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 6), st.integers(0, 3)), max_size=25))
def test_resolve_longest_agrees_with_checking_every_taken_match(raw):
    cands = sorted({(s, s + n, k, ()) for s, n, k in raw})
    got = resolve(cands, "longest", {})
    taken = []
    for c in sorted(cands, key=lambda c: (c[0], -(c[1] - c[0]), c[2])):
        if not any(c[0] < e and s < c[1] for s, e, *_ in taken):
            taken.append(c)
    assert got == sorted(taken, key=lambda c: (c[0], c[1]))


def test_threads_scan_with_one_pack_at_once(tmp_path, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    pack = engine.load("rules/quantities.yaml", cache=False).prepare()
    texts = [f"Sales rose {i}% to ${i + 2} million and {i * 3} km of road." * 30 for i in range(40)]
    alone = [[m.to_json() for m in pack.extract(t)] for t in texts]
    with ThreadPoolExecutor(4) as pool:  # each thread needs its own Hyperscan scratch space
        together = list(pool.map(lambda t: [m.to_json() for m in pack.extract(t)], texts))
    assert together == alone and all(alone)


SENTENCE = "(?:^|(?<=e))"  # where a "sentence" starts, in the walk's test: at the start or after an 'e'


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(regex_trees(CODES[:4], min_hi=1, assertions=True), st.integers(0, 2), st.booleans()),
                min_size=1, max_size=4),
       st.text("abcde", max_size=24), st.integers(1, 8), st.integers(0, 24))
def test_walking_the_starts_keeps_what_resolve_keeps_of_every_candidate(members, text, max_tokens, cut):
    """The scanner's walk over prefiltered starts (it skips the starts inside
    the last match taken) against resolve over every member's longest match
    at every start, with the text cut into two segments as paragraphs cut it.
    Some members match only where a sentence starts (an anchor in front of
    their regex, left out of the prefilter, which the walk checks itself)."""
    nodes = {i: ("group", "g", node) for i, (node, _, _) in enumerate(members)}
    pf = prefilter.build(nodes, CODES)
    if pf is None:
        return
    builder = RegexBuilder({}, None, max_repeat=10_000)
    anchored = {i for i, (_, _, anchor) in enumerate(members) if anchor}
    patterns = {i: regex.compile("(?p)" + (SENTENCE if i in anchored else "") + builder.emit(n))
                for i, n in nodes.items()}
    priorities = {i: prio for i, (_, prio, _) in enumerate(members)}
    cut = min(cut, len(text))
    segments = [(0, cut), (cut, len(text))]
    cands = []
    for s, e in segments:
        for i, pattern in patterns.items():
            for pos in range(s, e):
                m = pattern.match(text, pos, e)
                if m is not None and m.end() - pos <= max_tokens:
                    cands.append((pos, m.end(), i, tuple(("slot", a, b) for a, b in m.spans("g") if b > a)))
    scanner = Scanner.__new__(Scanner)
    scanner.priorities, scanner.max_tokens, scanner._ends = priorities, max_tokens, {}
    scanner._anchored, scanner._sentence_starts = anchored, regex.compile(SENTENCE)
    runner = [("regex", i, patterns[i], slot_groups(patterns[i], {"slot": "g"})) for i in nodes]
    expected = [tuple(c) for c in resolve(cands, "longest", priorities)]
    got = scanner._walk(runner, pf, text, segments, time.monotonic() + 60)
    assert [tuple(c) for c in got] == expected
    # and with automata finding the ends (longest.py), the regex reading only the slots
    automata = longest.build(nodes, CODES, 10_000)
    scanner._ends = {i: _Ends(longest.Longest(a), patterns[i].pattern, None) for i, a in automata.items()}
    reader = longest.Reader(next(iter(automata.values())).classes) if automata else None
    got = scanner._walk(runner, pf, text, segments, time.monotonic() + 60, reader)
    assert [tuple(c) for c in got] == expected


def _class_count(sets) -> int:
    """The classes a byte must tell apart for these sets, codes in none included."""
    return len({frozenset(s for s in sets if code in s) for code in CODES} | {frozenset()})


@settings(max_examples=150, deadline=None)
@given(st.lists(regex_trees(CODES[:4], min_hi=1), min_size=2, max_size=5),
       st.lists(st.text("abcde", max_size=16), min_size=1, max_size=3))
def test_constructions_packed_into_several_databases_keep_their_starts(nodes, texts):
    """With room for only three classes a database, constructions spread over
    several: each still reports every start of a real match, and exactly the
    starts of its loosening unless it alone needs more classes than that."""
    nodes = {i: n for i, n in enumerate(nodes)}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(prefilter, "MAX_CLASSES", 3)
        pf = prefilter.build(nodes, CODES)
    if pf is None:
        return
    builder = RegexBuilder({}, None, max_repeat=10_000)
    for part in pf.parts:
        if len(part.slots) > 1:
            assert max(part.table.values()) + 1 <= 3
    for text in texts:
        found = pf.starts(text)
        for i, node in nodes.items():
            real = _starts(regex.compile("(?p)" + builder.emit(node)), text)
            assert set(real) <= set(found[i]), (node, text)
            if _class_count(prefilter._sets(prefilter.loosen(node), set())) <= 3:
                assert found[i] == _starts(regex.compile(builder.emit(prefilter.loosen(node))), text)


def test_loading_a_cached_pack_does_not_import_numpy():
    """numpy (about 75 ms to import) is needed only once a prefilter scans:
    a cold start that loads packs without scanning does without it."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    engine.load(root / "tests" / "packs" / "features.yaml")  # compiled into this run's cache
    code = ("import sys, engine; engine.load('tests/packs/features.yaml'); "
            "print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.skipif(not prefilter.available(), reason="needs the hyperscan module")
def test_the_bundled_packs_need_no_merged_classes():
    """Classes are merged (which loosens every expression of a database and
    adds starts to try) only once a group would need more than MAX_PARTS
    databases.  With 8 the attribution pack's large group was forced there
    (subj_stance reported 3,443 starts per MB of train instead of 373); the
    bundled packs must fit below the limit."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    for name in ("attribution", "quantities"):
        pack = engine.load(root / "rules" / f"{name}.yaml")
        parts = [len(g.prefilter.parts) for g in pack.compiled.groups if g.prefilter is not None]
        assert parts and max(parts) < prefilter.MAX_PARTS, (name, parts)
