"""The ways of scanning a group (every start, only the starts its reach
conditions allow, only the starts the Hyperscan prefilter finds) find the
same matches, and the scanner keeps the faster."""
import json
from pathlib import Path

import pytest

import engine
from engine.scanner import Scanner, Trial

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "benchmarks" / "gold" / "gold.jsonl"


@pytest.mark.parametrize("pack_file", ["rules/attribution.yaml", "rules/quantities.yaml"])
def test_both_strategies_find_the_same_matches_in_the_bundled_packs(pack_file):
    pack = engine.load(ROOT / pack_file)
    narrowed = [g for g in pack.compiled.groups if g.reach]
    assert narrowed, "the pack's groups have reach conditions to narrow with"
    texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    found = {}
    for strategy in ("all", "reach", "prefilter"):
        scanner = Scanner(pack.compiled, strategy)
        found[strategy] = [scanner.scan(pack.encode(engine.tokenize(t))) for t in texts]
    assert found["all"] == found["reach"] == found["prefilter"]
    assert sum(map(len, found["all"])) > 50  # the texts do hold matches


def test_trial_keeps_the_faster_way_after_enough_tokens():
    trial = Trial("auto")
    ways = []
    while trial.choice is None:
        narrow = trial.pick()
        ways.append(narrow)
        trial.record(narrow, 0.001 if narrow else 0.004, 5_000)  # narrowing is 4x faster here
    assert trial.choice is True and True in ways and False in ways
    slow = Trial("auto")
    while slow.choice is None:
        narrow = slow.pick()
        slow.record(narrow, 0.004 if narrow else 0.001, 5_000)
    assert slow.choice is False
    assert Trial("reach").pick() is True and Trial("all").pick() is False
    with pytest.raises(ValueError, match="one of auto, all, reach, prefilter"):
        Scanner(engine.load(ROOT / "rules/quantities.yaml").compiled, "fastest")


def _patterns(scanner):
    """Every construction regex a scanner holds (fastregex.Lazy objects)."""
    out = list(scanner._reach.values())
    for mode, runner, _group, _names in scanner.groups:
        out += [runner] if mode == "combined" else [matcher for kind, _i, matcher, _g in runner if kind == "regex"]
    return out


@pytest.mark.parametrize("pack_file", ["rules/attribution.yaml", "rules/quantities.yaml"])
def test_regexes_compile_when_a_scan_needs_them_and_find_what_compiled_ones_find(pack_file):
    """A scanner compiles no regex as it is made; one whose regexes were all
    compiled up front finds the same matches, with every strategy."""
    pack = engine.load(ROOT / pack_file)
    texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()]
    for strategy in ("all", "reach", "prefilter"):
        lazy, eager = Scanner(pack.compiled, strategy), Scanner(pack.compiled, strategy)
        assert _patterns(lazy) and not any(p.compiled for p in _patterns(lazy))
        for p in _patterns(eager):
            p.get()
        codes = [pack.encode(engine.tokenize(t)) for t in texts]
        assert [lazy.scan(c) for c in codes] == [eager.scan(c) for c in codes]
        if strategy == "all":  # every start is tried with the regexes themselves
            assert all(p.compiled for p in _patterns(lazy) if p not in lazy._reach.values())


def _matches(pack, texts):
    return [[(m.start, m.end, m.rule, m.slots, m.attrs) for m in pack.extract(t)] for t in texts]


def test_without_hyperscan_a_group_too_large_for_one_regex_is_scanned_construction_by_construction(
        monkeypatch, tmp_path):
    """Without Hyperscan a leftmost-longest group is one alternation of its
    constructions; when that regex would be too large (the attribution pack
    passed the limit in the twelfth session and failed to load), each
    construction keeps its own regex and ``resolve`` picks among them: the
    same matches."""
    from engine import compiler, prefilter

    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    monkeypatch.setattr(prefilter, "hyperscan", None)
    texts = [json.loads(line)["text"] for line in GOLD.read_text(encoding="utf-8").splitlines()][:40]
    whole = engine.load(ROOT / "rules/quantities.yaml", cache=False)
    assert "combined" in [g.mode for g in whole.compiled.groups]
    monkeypatch.setattr(compiler, "MAX_COMBINED", 1_000)
    split = engine.load(ROOT / "rules/quantities.yaml", cache=False)
    assert "combined" not in [g.mode for g in split.compiled.groups]
    found = _matches(split, texts)
    assert found == _matches(whole, texts) and sum(map(len, found)) > 20
