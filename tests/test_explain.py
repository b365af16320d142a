"""explain: derivations of matches, and why a rule did not fire."""
from pathlib import Path

import pytest

import engine
from engine.errors import UsageError

PACK = Path(__file__).parent / "packs" / "features.yaml"


@pytest.fixture(scope="module")
def pack():
    return engine.load(PACK)


def test_every_match_has_a_derivation_with_its_tokens(pack):
    text = "Dr. Ana Ruiz said that the port reopened. About 40 km remain. (())"
    found = pack.explain(text)
    assert [e.construction for e in found] == [m.rule for m in pack.extract(text)]
    said = next(e for e in found if e.construction == "said_that").format()
    for line in ("said_that", "source", "cue", "content", "'Ruiz'", "{ANY, CAPWORD, NOT_QUOTE, WORD}", "SAY"):
        assert line in said, said
    paren = next(e for e in found if e.construction == "paren").format()
    assert paren.count("paren") == 3  # the construction line and two nested derivations


def test_why_not_names_the_blocking_token_and_what_was_expected(pack):
    why = pack.why_not("Dr. Ana Ruiz said the road will close.", "said_that")
    assert not why.fired
    assert why.best_start == 0 and why.consumed == 4
    assert why.tokens.token(why.stopped_at).text == "the"
    assert why.expected == ['"that"i']
    assert "would have accepted there: \"that\"i" in why.format()


def test_why_not_for_a_sub_rule_and_a_recursive_rule(pack):
    why = pack.why_not("it rose by about", "bound")
    assert why.fired == [(11, 16)]
    why = pack.why_not("x (( y", "paren")
    assert why.consumed == 2 and why.tokens.token(why.stopped_at).text == "y"
    assert why.expected == ['"("', '")"']


def test_why_not_reports_a_lost_overlap(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nrules:\n  short: CAPWORD\n  long: CAPWORD CAPWORD\nconstructions:\n"
                    "  short: {label: NAME}\n  long: {label: NAME}\n")
    why = engine.load(path).why_not("Ana Ruiz", "short")
    assert why.fired == [(0, 3), (4, 8)] and why.lost_to == [((0, 3), "long"), ((4, 8), "long")]
    assert "construction 'long' wins the overlap" in why.format()


def test_unknown_rule_is_a_usage_error(pack):
    with pytest.raises(UsageError) as info:
        pack.why_not("x", "quantty")
    assert "did you mean 'quantity'" in str(info.value)


def test_explain_reports_what_extract_reports(tmp_path):
    # a guard (report: false) and a match its normalizer rejects are explained as absent, not as None
    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nrules:\n  guard: CAPWORD CAPWORD\n  name: CAPWORD\nconstructions:\n"
                    "  guard: {label: N, report: false}\n  name: {label: N}\n")
    pack = engine.load(path, cache=False)
    text = "Ana Ruiz met Bo."
    assert [(e.construction, e.match.text) for e in pack.explain(text)] == \
        [(m.rule, m.text) for m in pack.extract(text)] == [("name", "Bo")]
