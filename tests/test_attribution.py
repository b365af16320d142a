"""The bundled attribution pack: its own examples, safety on hostile input,
and a quick check against PolNeAR dev when the shared data is present."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.norm_attribution import quote_kind
from engine.testing import run_examples
from engine.tokenizer import tokenize

from conftest import ROOT, SHARED_DATA

PACK_PATH = ROOT / "rules" / "attribution.yaml"
DEV = SHARED_DATA / "polnear" / "dev.jsonl"


@pytest.fixture(scope="module")
def pack():
    return engine.load(PACK_PATH)


def test_every_construction_has_examples_and_they_pass(pack):
    for c in pack.constructions:
        examples, counter = pack.compiled.examples[c.name]
        if c.report:
            assert examples, f"construction {c.name} has no example"
        else:  # a guard shows its use by what it keeps from being reported
            assert counter, f"guard {c.name} has no counterexample"
    # strict: an example another construction produces would not test its own
    count, failures = run_examples(pack, strict=True)
    assert count >= len(pack.constructions)
    assert not failures, "\n".join(f.format() for f in failures)


def test_declared_slots_are_always_reported(pack):
    text = "Two people were injured, according to local police. She spoke briefly, adding that help was coming."
    matches = pack.extract(text)
    assert len(matches) == 2
    for m in matches:
        assert set(m.slots) == {"source", "cue", "recipient", "content"}
    assert matches[0].slots["recipient"] == []  # "according to" never has one
    adding = matches[1]
    assert adding.rule == "adding"
    # "adding" shares its source with the verb before it
    assert [text[s:e] for s, e in adding.slots["source"]] == ["She"]


@pytest.mark.parametrize("fragments, kind", [
    (['"We stay,"'], "direct"),
    (["“The roads are flooded,”", "“Stay at home.”"], "direct"),
    (['the budget is "not negotiable" this year'], "mixed"),
    (["that the ferry would resume"], "indirect"),
    (['"an unclosed quotation'], "mixed"),
    (["“A paragraph that reopens.", "“The last one closes.”"], "direct"),
    (["“A paragraph that reopens.", "and then plain text"], "mixed"),
    (["''The fact is, we stay.''"], "direct"),  # doubled straight marks, as some papers write them
    (["``Not yet,''"], "direct"),
    (["the plan is ''dead'' now"], "mixed"),
    ([], "indirect"),
])
def test_quote_kind(fragments, kind):
    assert quote_kind(fragments) == kind


def _marks_by_loop(core: str) -> list[tuple[int, int]]:
    """The quotation marks of ``core``, read one character at a time: a
    doubled mark ('' or ``) is one mark, then any single one in DOUBLE_QUOTES."""
    from engine.norm_attribution import DOUBLE_QUOTES

    out, i = [], 0
    while i < len(core):
        if len(core) > i + 1 and core[i:i + 2] in DOUBLE_QUOTES:
            out.append((i, i + 2))
            i += 2
        elif core[i] in DOUBLE_QUOTES:
            out.append((i, i + 1))
            i += 1
        else:
            i += 1
    return out


@settings(max_examples=300)
@given(st.lists(st.text(alphabet=st.sampled_from(list('"“”„‟«»\'`’ab ,.')), max_size=12), max_size=3))
def test_quote_marks_found_by_regex_are_those_of_a_character_loop(fragments):
    """quote_kind finds the marks with a regex; a loop over the characters
    finds the same ones."""
    from engine.norm_attribution import _EDGE, _MARK

    for frag in fragments:
        core = frag.strip(_EDGE)
        assert [m.span() for m in _MARK.finditer(core)] == _marks_by_loop(core)


# -- hostile input ------------------------------------------------------------
WORDS = ["said", "says", "told", "the", "spokesman", "Smith", "Col.", "Ryan", "that", "we", "he",
         "according", "to", ",", ".", ":", '"', "“", "”", "''", "'", "—", "adding", "\n\n", "\n\n“",
         "reporters", "plan", "is", "dead", "in", "a", "statement", "It", "was"]


def _check_matches(text, matches, max_tokens):
    tokens = tokenize(text)
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)
        first = tokens.index_at(m.start)
        last = tokens.index_at(m.end - 1)
        assert last - first + 1 <= max_tokens
        for frags in m.slots.values():
            for s, e in frags:
                assert m.start <= s < e <= m.end
        inside = text[m.start:m.end]
        if "\n\n" in inside:
            # only a quotation may run over a paragraph break, and each of its
            # paragraphs reopens the quotation
            for para in inside.split("\n\n")[1:]:
                assert para.lstrip()[:1] in "\"“'`", (text, m)
            for name in ("source", "cue", "recipient"):
                for s, e in m.slots[name]:
                    assert "\n\n" not in text[s:e]


@given(st.lists(st.sampled_from(WORDS), max_size=120))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_news_like_input_never_raises_and_stays_bounded(pack, words):
    text = " ".join(words)
    _check_matches(text, pack.extract(text), int(pack.compiled.options["max_tokens"]))


def test_an_unbalanced_quote_does_not_swallow_the_document(pack):
    body = " ".join(["The council met again and the members argued about the road."] * 200)
    text = '“The plan is dead, the mayor said. ' + body + ' Officials said the vote was delayed.'
    matches = pack.extract(text)
    cap = int(pack.compiled.options["max_tokens"])
    _check_matches(text, matches, cap)
    assert all(m.end - m.start < len(text) // 4 for m in matches)
    # the report at the end is still found
    assert any(m.text.startswith("Officials said") for m in matches)


def test_a_multi_paragraph_quotation_is_one_relation_with_a_fragment_per_paragraph(pack):
    text = ('The senator said: “We will hold hearings in every county.\n\n'
            '“We will publish every answer we receive.”\n\nThe vote is in May.')
    [m] = [m for m in pack.extract(text) if "senator" in m.text]
    first, last = m.slots["content"]
    assert text[first[0]:first[1]] == "“We will hold hearings in every county."
    assert text[last[0]:last[1]] == "“We will publish every answer we receive.”"
    assert m.attrs["kind"] == "direct"
    assert "The vote" not in m.text


# -- PolNeAR dev (skips when the shared data is absent) --------------------------
@pytest.mark.skipif(not DEV.exists(), reason="shared PolNeAR data not present")
def test_polnear_dev_subset_cue_overlap(pack):
    """On the first dev articles, most predicted cues overlap a gold cue and a
    fair share of gold cues are found (the full figures are in the README)."""
    docs = []
    with DEV.open(encoding="utf-8") as fh:
        for line in fh:
            docs.append(json.loads(line))
            if len(docs) == 15:
                break
    pred_n = gold_n = hit_p = hit_g = 0
    for doc in docs:
        gold = [set().union(*(range(s, e) for s, e in a["slots"]["cue"]))
                for a in doc["annotations"] if a["label"] == "ATTRIBUTION"]
        pred = [set().union(*(range(s, e) for s, e in m.slots["cue"]))
                for m in pack.extract(doc["text"]) if m.label == "ATTRIBUTION"]
        pred_n += len(pred)
        gold_n += len(gold)
        hit_p += sum(1 for p in pred if any(p & g for g in gold))
        hit_g += sum(1 for g in gold if any(g & p for p in pred))
    assert pred_n and gold_n
    assert hit_p / pred_n >= 0.70
    assert hit_g / gold_n >= 0.40
