"""Gold files: checking, brat standoff both ways, Recognizers-Text specs."""
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import SHARED_DATA
from engine.goldio import (GoldError, from_brat, read_brat, read_brat_dir, read_gold, read_recognizers,
                           to_brat, write_brat, write_gold)

DATA = Path(__file__).parent / "data"
GOLD = DATA / "gold_small.jsonl"
RT = SHARED_DATA / "recognizers-text"


def test_small_gold_reads_and_keeps_everything():
    docs = read_gold(GOLD)
    raw = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    assert [d["id"] for d in docs] == [r["id"] for r in raw]
    for d, r in zip(docs, raw):
        assert d["text"] == r["text"]
        assert [a["span"] for a in d["annotations"]] == [a["span"] for a in r["annotations"]]
        assert all(a["slots"] == r_a.get("slots", {}) for a, r_a in zip(d["annotations"], r["annotations"]))


def _write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_bad_lines_are_each_reported_with_their_line(tmp_path):
    good = {"id": "a", "text": "Ten people came.", "annotations": [{"label": "QUANTITY", "span": [0, 10]}]}
    lines = [
        json.dumps(good),                                                            # 1 fine
        '{"id": "b", "text": "x", ',                                                 # 2 not JSON
        json.dumps(dict(good, id="c", annotations=[{"label": "QUANTITY", "span": [5, 99]}])),    # 3 outside
        json.dumps(dict(good, id="d", annotations=[{"label": "QUANTITY", "span": [4, 4]}])),     # 4 empty span
        json.dumps(dict(good, id="e", annotations=[{"label": "ATTRIBUTION", "span": [0, 3],
                                                    "slots": {"speaker": [[0, 3]]}}])),        # 5 unknown slot
        json.dumps(dict(good, id="f", annotations=[{"label": "QUANTITY", "span": [0, 3],
                                                    "attrs": {"value": "ten", "bound": "=>"}}])),  # 6 two attr errors
        json.dumps(dict(good, id="a")),                                              # 7 duplicate id
        json.dumps(dict(good, id="g", annotations=[{"label": "ATTRIBUTION", "span": [0, 3],
                                                    "slots": {"cue": [[2, 40]]}}])),           # 8 fragment outside
        json.dumps({"id": "h", "annotations": []}),                                  # 9 no text
        json.dumps(dict(good, id="i", annotations=[{"label": "QUANTITY", "span": [0, 3], "spam": 1}])),  # 10
        json.dumps(dict(good, id="j", annotations=[{"label": "QUANTITY", "span": [0, 3],
                                                    "attrs": {"low": 1}}])),                   # 11 range half
    ]
    path = tmp_path / "bad.jsonl"
    _write_lines(path, lines)
    with pytest.raises(GoldError) as info:
        read_gold(path)
    err = info.value
    assert err.code == "E402" and err.exit_code == 2
    assert sorted({n for n, _ in err.problems}) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    by_line = {}
    for n, msg in err.problems:
        by_line.setdefault(n, []).append(msg)
    assert "not valid JSON" in by_line[2][0]
    assert "not inside the text" in by_line[3][0] and "16" in by_line[3][0]
    assert "speaker" in by_line[5][0] and "source, cue, recipient, content" in by_line[5][0]
    assert len(by_line[6]) == 2
    assert "duplicate id 'a'" in by_line[7][0] and "line 1" in by_line[7][0]
    assert "unknown annotation key 'spam' (did you mean 'span'?)" in by_line[10][0]
    assert "low" in by_line[11][0] and "high" in by_line[11][0]
    text = err.format()
    for n in (2, 3, 11):
        assert f"{path}:{n}:" in text
    assert "fix:" in text


def test_a_typo_in_a_slot_name_gets_a_suggestion(tmp_path):
    path = tmp_path / "g.jsonl"
    _write_lines(path, [json.dumps({"id": 1, "text": "He said so.", "annotations": [
        {"label": "ATTRIBUTION", "span": [0, 10], "slots": {"sorce": [[0, 2]]}}]})])
    with pytest.raises(GoldError, match="did you mean 'source'"):
        read_gold(path)


# -- brat ------------------------------------------------------------------

ATTR_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10 ** 9, 10 ** 9),
                        st.floats(allow_nan=False, allow_infinity=False),
                        st.text(alphabet="ab <=~%/ \u00b5\u2028\t", max_size=6))


@st.composite
def brat_docs(draw):
    text = draw(st.text(alphabet="ab c\n\t\u2028\u00e9\"'.", min_size=1, max_size=40))
    n = len(text)

    def pair():
        s = draw(st.integers(0, n - 1))
        return [s, draw(st.integers(s + 1, n))]

    anns = []
    for _ in range(draw(st.integers(0, 4))):
        label = draw(st.sampled_from(["ATTRIBUTION", "QUANTITY", "EVENT"]))
        ann = {"label": label, "span": pair(), "slots": {}, "attrs": {}}
        if label == "ATTRIBUTION":
            for name in draw(st.lists(st.sampled_from(["source", "cue", "recipient", "content"]), unique=True)):
                frags = sorted({tuple(pair()) for _ in range(draw(st.integers(0, 3)))})
                ann["slots"][name] = [list(f) for f in frags]
        elif label == "QUANTITY" and draw(st.booleans()):
            ann["slots"]["number"] = [pair()]
        keys = draw(st.lists(st.sampled_from(["kind", "value", "unit", "bound", "odd key"]), unique=True))
        ann["attrs"] = {k: draw(ATTR_VALUES) for k in keys}
        if draw(st.booleans()):
            ann["rule"], ann["pack"] = "r1", "p@abc"
        anns.append(ann)
    return {"id": "doc-1", "text": text, "meta": {}, "annotations": anns}


def _canon(doc):
    return sorted(json.dumps(a, sort_keys=True) for a in doc["annotations"])


@settings(max_examples=150, deadline=None)
@given(brat_docs())
def test_brat_round_trip(doc):
    back = from_brat(to_brat(doc), doc["text"], doc["id"])
    assert back["text"] == doc["text"]
    assert _canon(back) == _canon(doc)


def test_brat_files_round_trip_through_a_folder(tmp_path):
    docs = read_gold(GOLD)
    for d in docs:
        write_brat(d, tmp_path)
    back = {d["id"]: d for d in read_brat_dir(tmp_path)}
    assert set(back) == {d["id"] for d in docs}
    for d in docs:
        assert _canon(back[d["id"]]) == _canon(d)
    ann = (tmp_path / "tram.ann").read_text(encoding="utf-8")
    assert re.search(r"^E1\tATTRIBUTION:T1 Source:T\d+ Cue:T\d+ Recipient:T\d+ Content:T\d+$", ann, re.M)


def test_brat_discontinuous_spans_relations_and_cue_events(tmp_path):
    text = "The minister, speaking in Paris, said the plan would fail. Officials warned of delays."
    ann = "\n".join([
        "T1\tSource 0 12\tThe minister",
        "T2\tCue 33 37\tsaid",
        "T3\tContent 38 57\tthe plan would fail",
        "T4\tSource 59 68\tOfficials",
        "T5\tCue 69 75\twarned",
        "T6\tContent 76 85\tof delays",
        "T7\tNOTE 4 12;26 31\tminister Paris",
        "R1\tSource Arg1:T2 Arg2:T1",
        "R2\tContent Arg1:T2 Arg2:T3",
        "E1\tAttribution:T5 Source:T4 Content:T6",
        "A1\tkind E1 indirect",
        "#1\tAnnotatorNotes T1\tfree text, not JSON",
    ])
    (tmp_path / "d.txt").write_text(text, encoding="utf-8")
    (tmp_path / "d.ann").write_text(ann + "\n", encoding="utf-8")
    doc = read_brat(tmp_path / "d.ann")
    by_label = {}
    for a in doc["annotations"]:
        by_label.setdefault(a["label"], []).append(a)
    first, second = sorted(by_label["ATTRIBUTION"], key=lambda a: a["span"])
    assert first["span"] == [0, 57]
    assert first["slots"] == {"cue": [[33, 37]], "source": [[0, 12]], "content": [[38, 57]]}
    assert second["span"] == [59, 85] and second["attrs"] == {"kind": "indirect"}
    assert text[slice(*second["slots"]["cue"][0])] == "warned"
    assert by_label["NOTE"][0]["span"] == [4, 31]


def test_brat_bad_lines_are_located(tmp_path):
    (tmp_path / "d.txt").write_text("short", encoding="utf-8")
    (tmp_path / "d.ann").write_text("T1\tQUANTITY 0 3\tsho\nT2\tQUANTITY 2 50\tx\nE1\tX:T9\n", encoding="utf-8")
    with pytest.raises(GoldError) as info:
        read_brat(tmp_path / "d.ann")
    assert [n for n, _ in info.value.problems] == [2, 3]
    assert "d.ann:2:" in info.value.format()


def test_write_gold_then_read(tmp_path):
    docs = read_gold(GOLD)
    write_gold(tmp_path / "out.jsonl", docs)
    assert [(_canon(d), d["text"]) for d in read_gold(tmp_path / "out.jsonl")] == \
           [(_canon(d), d["text"]) for d in docs]


# -- Recognizers-Text ------------------------------------------------------

def test_recognizers_reader_on_our_own_spec(tmp_path):
    cases = [
        {"Input": "The crate weighs 40 kg.", "Results": [
            {"Text": "40 kg", "TypeName": "dimension", "Start": 17, "End": 21,
             "Resolution": {"value": "40", "unit": "Kilogram", "subtype": "Weight"}}]},
        {"Input": "Tickets cost 1,250.5 euros.", "NotSupported": "java", "Results": [
            {"Text": "1,250.5 euros", "TypeName": "currency", "Start": 13, "End": 25,
             "Resolution": {"value": "1250.5", "unit": "Euro", "isoCurrency": "EUR"}}]},
        {"Input": "Between 5 and 10 guests.", "Results": [
            {"Text": "between 5 and 10", "TypeName": "numberrange", "Start": 0, "End": 15,
             "Resolution": {"value": "[5,10]"}}]},
        {"Input": "more than 20 of them", "Results": [
            {"Text": "more than 20", "TypeName": "numberrange", "Start": 0, "End": 11,
             "Resolution": {"value": "(20,)"}}]},
        {"Input": "Sales fell 7% last year.", "Results": [
            {"Text": "7%", "TypeName": "percentage", "Start": 11, "End": 12, "Resolution": {"value": "7%"}}]},
        {"Input": "No number here.", "Results": []},
    ]
    path = tmp_path / "OurModel.json"
    path.write_text(json.dumps(cases, indent=2), encoding="utf-8-sig")
    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"
    recs = read_recognizers(path)
    assert [r["id"] for r in recs] == [f"OurModel-{i}" for i in range(6)]
    for rec, case in zip(recs, cases):
        for ann, res in zip(rec["annotations"], case["Results"]):
            assert rec["text"][slice(*ann["span"])].lower() == res["Text"].lower()
            assert ann["raw"] == res
    a = [r["annotations"] for r in recs]
    assert a[0][0]["attrs"] == {"value": 40, "unit": "Kilogram", "bound": "="}
    assert a[1][0]["attrs"]["value"] == 1250.5 and recs[1]["meta"]["NotSupported"] == "java"
    assert a[2][0]["attrs"] == {"low": 5, "high": 10, "unit": None}
    assert a[3][0]["attrs"] == {"value": 20, "bound": ">", "unit": None}
    assert a[4][0]["attrs"] == {"value": 7, "unit": "Percent", "bound": "="}
    assert recs[5]["annotations"] == []
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert '"Input": "Sales fell' in lines[recs[4]["meta"]["line"] - 1]


def test_recognizers_reader_rejects_offsets_that_miss_the_text(tmp_path):
    cases = [{"Input": "about 3 miles", "Results": [{"Text": "3 miles", "Start": 5, "End": 10,
                                                     "TypeName": "dimension", "Resolution": {"value": "3"}}]}]
    path = tmp_path / "Bad.json"
    path.write_text(json.dumps(cases, indent=1), encoding="utf-8-sig")
    with pytest.raises(GoldError) as info:
        read_recognizers(path)
    assert info.value.problems[0][0] == 3 and "not the result's Text" in info.value.problems[0][1]


EXPECTED_RESULTS = {"AgeModel": 18, "CurrencyModel": 196, "DimensionModel": 94, "TemperatureModel": 43,
                    "NumberModel": 259, "NumberRangeModel": 97, "PercentModel": 18}


@pytest.mark.skipif(not RT.exists(), reason="shared Recognizers-Text data not present")
def test_recognizers_reader_on_the_shared_specs():
    for path in sorted(RT.glob("*/English/*.json")):
        recs = read_recognizers(path)
        if path.stem in EXPECTED_RESULTS:
            assert sum(len(r["annotations"]) for r in recs) == EXPECTED_RESULTS[path.stem], path.stem
        for r in recs:
            for a in r["annotations"]:
                assert r["text"][slice(*a["span"])].lower() == a["raw"]["Text"].lower()
