"""The Python API and the scanner's guarantees, on a pack that uses every feature."""
import pickle
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.errors import ScanTimeout
from engine.testing import run_examples

PACK = Path(__file__).parent / "packs" / "features.yaml"


@pytest.fixture(scope="module")
def pack():
    return engine.load(PACK, cache=False)


def test_examples_in_the_pack_pass(pack):
    count, failures = run_examples(pack)
    assert count >= 6
    assert failures == []


news_words = st.sampled_from(["Ana", "Ruiz", "said", "told", "that", "the", "bridge", "9,000", "km", "about",
                              "as", "many", "(", ")", ".", '"', "“", "”", "\n\n", "per", "cent", "five"])


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.lists(news_words, max_size=40).map(" ".join)))
def test_any_text_extracts_and_offsets_slice_the_input(pack, text):
    for m in pack.extract(text):
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        for frags in m.slots.values():
            for s, e in frags:
                assert 0 <= s < e <= len(text)
        if m.rule != "quantity":  # quantities report a span narrower than the match
            for frags in m.slots.values():
                assert all(m.start <= s and e <= m.end for s, e in frags)


@settings(max_examples=100, deadline=None)
@given(st.lists(news_words, max_size=60).map(" ".join))
def test_no_match_crosses_a_paragraph_break(pack, text):
    for m in pack.extract(text):
        assert "\n\n" not in m.text


def test_json_is_the_gold_format(pack):
    text = "Dr. Ana Ruiz said that about 40 km of road will close."
    anns = [m.to_json() for m in pack.extract(text)]
    att = next(a for a in anns if a["label"] == "ATTRIBUTION")
    assert set(att) == {"label", "span", "slots", "attrs", "rule", "pack"}
    assert att["slots"]["source"] == [[0, 12]]
    assert att["pack"] == pack.id and pack.id.startswith("features@")
    q = next(a for a in anns if a["label"] == "QUANTITY")
    assert text[q["span"][0]:q["span"][1]] == "40 km"  # the bound stays outside the span
    assert q["attrs"] == {"value": 40, "bound": "~", "unit": "kilometer"}
    assert q["slots"]["bound"] == [[23, 28]]


def test_labels_may_overlap_but_not_within_a_label(pack):
    text = '"About 5 km" Ana said. Dr. Ana Ruiz said that 9 km remain.'
    found = pack.extract(text)
    labels = {m.label for m in found}
    assert labels == {"ATTRIBUTION", "QUANTITY"}
    for a in found:
        for b in found:
            if a is not b and a.label == b.label:
                assert a.end <= b.start or b.end <= a.start


def test_recursive_construction_runs_on_lalr(pack):
    backends = {c.name: c.backend for c in pack.constructions}
    assert backends["paren"] == "lalr" and backends["quantity"] == "regex"
    assert [m.text for m in pack.extract("((())) and (() and ())")] == ["((()))", "()", "()"]


def test_several_packs_share_one_tokenization(pack):
    text = "Ana Ruiz told that 5 miles remain."
    tokens = engine.tokenize(text)
    assert [m.to_json() for m in pack.extract(text, tokens=tokens)] == [m.to_json() for m in pack.extract(text)]


def test_extract_many_texts_and_records(pack):
    out = list(pack.extract_many(["5 km", "", "9 miles"]))
    assert [[m.text for m in ms] for ms in out] == [["5 km"], [], ["9 miles"]]
    out = list(pack.extract_many([{"id": "a", "text": "9 miles"}, {"id": "b"}]))
    assert out[0]["id"] == "a" and out[0]["annotations"][0]["attrs"]["unit"] == "mile"
    assert out[1] == {"id": "b", "error": {"code": "E400", "message": "the document has no 'text' string"}}


def test_pack_pickles(pack):
    again = pickle.loads(pickle.dumps(pack))
    text = "Dr. Ana Ruiz said that 5 km remain. (())"
    assert [m.to_json() for m in again.extract(text)] == [m.to_json() for m in pack.extract(text)]


def test_scan_timeout_is_an_error_not_a_hang(pack):
    text = " ".join(["Ana"] * 30000) + " said that x."
    with pytest.raises(ScanTimeout) as info:
        pack.extract(text, timeout=1e-4)
    assert info.value.code == "E401"


def test_cache_is_used_and_invalidated(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path / "cache"))
    work = tmp_path / "pack"
    shutil.copytree(PACK.parent, work)
    path = work / "features.yaml"
    first = engine.load(path)
    assert list((tmp_path / "cache").glob("*.pkl"))
    import engine.compiler as compiler

    def no_compile(spec):
        raise AssertionError("compiled although the cache was fresh")

    monkeypatch.setattr(compiler, "compile_spec", no_compile)
    assert engine.load(path).id == first.id
    # a lexicon file is part of the pack: changing it changes the version id
    (work / "units.txt").write_text("km\tkilometer\nleagues\tleague\n")
    monkeypatch.undo()
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path / "cache"))
    second = engine.load(path)
    assert second.id != first.id
    assert [m.attrs["unit"] for m in second.extract("3 leagues")] == ["league"]


def test_cache_survives_a_broken_entry(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    engine.load(PACK)
    for entry in tmp_path.glob("*.pkl"):
        entry.write_bytes(b"not a pickle")
    assert engine.load(PACK).extract("5 km")[0].text == "5 km"


def test_compile_is_deterministic():
    a = engine.api.compile_pack(PACK, use_cache=False)
    b = engine.api.compile_pack(PACK, use_cache=False)
    assert a.grammar_text == b.grammar_text
    assert [g.pattern for g in a.groups] == [g.pattern for g in b.groups]
    assert a.hash == b.hash
    assert "%declare" in a.grammar_text and "paren: \"(\" paren? \")\"" in a.grammar_text


def test_user_normalizer(tmp_path):
    @engine.register_normalizer("test_shout")
    def shout(m, slot):
        return {"loud": (m.slot_text(slot) or "").isupper()}

    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nrules:\n  cue: CAPWORD\nconstructions:\n  cue:\n    label: C\n    slots: [cue]\n"
                    "    normalize: [{name: test_shout, slot: cue}]\n")
    got = engine.load(path, cache=False).extract("NATO and Rome")
    assert [(m.text, m.attrs["loud"]) for m in got] == [("NATO", True), ("Rome", False)]


def test_the_time_limit_covers_the_whole_document_not_each_paragraph(pack):
    text = "\n\n".join(["Dr. Ana Ruiz said that about 40 km of road will close."] * 3000)
    with pytest.raises(ScanTimeout):
        pack.extract(text, timeout=0.01)
    assert len(pack.extract(text)) == 6000  # with the default budget it completes
