"""The project's own gold set (benchmarks/gold): up to date, valid, big enough.

The build script computes offsets from substring references and validates them;
these tests rebuild it, re-check the committed JSONL with the validator and with
simple independent oracles (values read back from the span text, pint asked
directly), and make sure the validator does reject broken records.
"""
from __future__ import annotations

import copy
import importlib.util
import json
import re
import textwrap
from collections import Counter

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "benchmarks" / "gold"
GOLD = GOLD_DIR / "gold.jsonl"


def _load_build():
    spec = importlib.util.spec_from_file_location("gold_build", GOLD_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_build()


@pytest.fixture(scope="module")
def committed():
    with open(GOLD, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def rebuilt():
    return build.load_sources()


def _annotations(records, label):
    return [(r, a) for r in records for a in r["annotations"] if a["label"] == label]


# ---------------------------------------------------------------- up to date and valid

def test_committed_gold_is_a_fresh_build(rebuilt):
    records, _ = rebuilt
    assert GOLD.read_text(encoding="utf-8") == build.dumps(records), (
        "benchmarks/gold/gold.jsonl is stale: run python benchmarks/gold/build.py")


def test_build_is_deterministic(rebuilt):
    again, _ = build.load_sources()
    assert build.dumps(again) == build.dumps(rebuilt[0])


def test_every_committed_record_is_valid(committed):
    for rec in committed:
        assert build.validate_record(rec) == [], rec["id"]


def test_ids_unique_and_texts_are_ours(committed):
    ids = [r["id"] for r in committed]
    assert len(ids) == len(set(ids))
    for rec in committed:
        assert rec["meta"]["origin"].startswith("larkspan gold set")
        assert "  " not in rec["text"] and rec["text"] == rec["text"].strip()


def test_counts_in_the_guidelines_are_current(rebuilt):
    docs = (ROOT / "docs" / "annotation.md").read_text(encoding="utf-8")
    block = docs.split(build.COUNTS_START, 1)[1].split(build.COUNTS_END, 1)[0]
    assert block.strip() == build.stats(*rebuilt).strip(), (
        "run python benchmarks/gold/build.py --write-docs")


# ---------------------------------------------------------------- minimum sizes

def test_minimum_counts(committed):
    assert len(committed) >= 60
    quantities = _annotations(committed, "QUANTITY")
    attributions = _annotations(committed, "ATTRIBUTION")
    assert len(quantities) >= 150
    with_recipient_slot = [a for _, a in attributions if "recipient" in a["slots"]]
    assert len(with_recipient_slot) >= 100
    assert sum(1 for a in with_recipient_slot if a["slots"]["recipient"]) >= 25
    topics = Counter(r["meta"]["topic"] for r in committed)
    assert len(topics) >= 10


def test_negatives_present(committed):
    kinds = Counter(n["kind"] for r in committed for n in r["meta"]["negatives"])
    for kind in ("year", "date", "clock-time", "ordinal", "score", "phone", "product-or-model",
                 "pronoun-one", "article-a"):
        assert kinds[kind] >= 1, kind
    assert sum(kinds.values()) >= 60


def test_quantity_phenomena_covered(committed):
    attrs = [a["attrs"] for _, a in _annotations(committed, "QUANTITY")]
    assert {a["bound"] for a in attrs} == set(build.BOUNDS)
    assert {a.get("trend") for a in attrs} >= {"up", "down"}
    assert sum("low" in a for a in attrs) >= 5
    units = {a["unit"] for a in attrs}
    assert {"USD", "EUR", "GBP", "percent", "degree_Celsius", "kilometer / hour",
            "mile / hour", "kilowatt_hour", "year", None} <= units


def test_attribution_forms_covered(committed):
    attributions = _annotations(committed, "ATTRIBUTION")
    kinds = Counter(a["attrs"]["kind"] for _, a in attributions)
    assert min(kinds[k] for k in build.KINDS) >= 5
    assert sum(1 for _, a in attributions if not a["slots"]["source"]) >= 3
    assert sum(1 for _, a in attributions if len(a["slots"]["content"]) > 1) >= 5
    assert any("\n\n" in r["text"][s:e] for r, a in attributions for s, e in a["slots"]["content"])
    cues = Counter(" ".join(r["text"][s:e] for s, e in a["slots"]["cue"]).lower()
                   for r, a in attributions)
    assert any(c.startswith("according to") for c in cues)
    assert any(c.endswith(":") for c in cues)
    assert cues["—"] >= 1


# ---------------------------------------------------------------- independent oracles

def test_units_are_pint_canonical_or_declared(committed):
    import pint

    ureg = pint.UnitRegistry()
    for rec, ann in _annotations(committed, "QUANTITY"):
        unit = ann["attrs"]["unit"]
        if unit is None or unit in build.CURRENCIES or unit in build.OWN_UNITS:
            continue
        try:
            canonical = str(ureg.Unit(unit))
        except Exception:
            canonical = None
        if canonical is None:  # a counted noun: a lower-case lemma that pint does not know
            assert re.fullmatch(r"[a-z]+", unit), (rec["id"], unit)
        else:
            assert canonical == unit, (rec["id"], unit)


WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen".split())}
WORDS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
              "eighty": 80, "ninety": 90})
SCALE = {"million": 1e6, "billion": 1e9, "bn": 1e9, "m": 1e6, "thousand": 1e3}
NUM = r"\d[\d,]*(?:\.\d+)?"


def _read_back(span: str):
    """A value read from the span text by a deliberately simple reader, or None."""
    if re.search(r"\d\s*/\s*\d", span):
        return None
    groups = re.findall(NUM, span)
    scale = re.search(NUM + r"\s*(million|billion|bn|m|thousand)\b", span)
    factor = SCALE[scale.group(1)] if scale else 1
    sign = -1 if span.startswith("minus ") else 1
    if len(groups) == 1:
        return ("value", sign * float(groups[0].replace(",", "")) * factor)
    if len(groups) == 2 and re.search(NUM + r"\s*(?:-|to|and)\s*(?:US\$|[$€£])?" + NUM, span):
        low, high = (float(g.replace(",", "")) * factor for g in groups)
        return ("range", low, high)
    if not groups:
        first = span.split()[0].lower()
        parts = first.split("-")
        if all(p in WORDS for p in parts) and parts:
            return ("value", float(sum(WORDS[p] for p in parts)))
    return None


def test_values_agree_with_the_span_text(committed):
    checked = 0
    for rec, ann in _annotations(committed, "QUANTITY"):
        span = rec["text"][ann["span"][0]:ann["span"][1]]
        got = _read_back(span)
        if got is None:
            continue
        a = ann["attrs"]
        if got[0] == "value" and "value" in a:
            assert a["value"] == pytest.approx(got[1], rel=1e-9), (rec["id"], span)
            checked += 1
        elif got[0] == "range" and "low" in a:
            assert (a["low"], a["high"]) == pytest.approx(got[1:], rel=1e-9), (rec["id"], span)
            checked += 1
    assert checked >= 150


def test_slots_name_the_right_text(committed):
    """Recompute every fragment's text from offsets: no fragment is empty or starts with
    punctuation that belongs elsewhere (a comma or full stop before a cue or content), and
    only a source ends with a comma: the one that closes its apposition before the cue."""
    for rec, ann in _annotations(committed, "ATTRIBUTION"):
        text = rec["text"]
        cue_start = min((s for s, _ in ann["slots"]["cue"]), default=len(text))
        for name, frags in ann["slots"].items():
            for s, e in frags:
                piece = text[s:e]
                assert piece and piece[0] not in ",.;" and piece[-1] != ";", (rec["id"], name)
                if piece.endswith(","):
                    assert name == "source" and ", " in piece[:-1] and e <= cue_start, (rec["id"], name, piece)
                if name == "content" and ann["attrs"]["kind"] == "indirect":
                    assert not piece.endswith("."), (rec["id"], piece)


# ---------------------------------------------------------------- the validator rejects bad records

def _first(committed, label):
    for rec in committed:
        for i, ann in enumerate(rec["annotations"]):
            if ann["label"] == label:
                return copy.deepcopy(rec), i
    raise AssertionError(label)


def _breakers():
    def bound(rec, i):
        rec["annotations"][i]["attrs"]["bound"] = "about"

    def unit_not_canonical(rec, i):
        rec["annotations"][i]["attrs"]["unit"] = "km"

    def no_value(rec, i):
        rec["annotations"][i]["attrs"].pop("value", None)
        rec["annotations"][i]["attrs"].pop("low", None)
        rec["annotations"][i]["attrs"].pop("high", None)

    def span_outside(rec, i):
        rec["annotations"][i]["span"] = [0, len(rec["text"]) + 3]

    def span_cuts_word(rec, i):
        s, e = rec["annotations"][i]["span"]
        rec["annotations"][i]["span"] = [s, e - 1]

    return [("QUANTITY", bound), ("QUANTITY", unit_not_canonical), ("QUANTITY", no_value),
            ("QUANTITY", span_outside), ("QUANTITY", span_cuts_word)]


@pytest.mark.parametrize("label,breaker", _breakers(), ids=lambda x: getattr(x, "__name__", x))
def test_validator_rejects_broken_quantities(committed, label, breaker):
    rec, i = _first(committed, label)
    assert build.validate_record(rec) == []
    breaker(rec, i)
    assert build.validate_record(rec) != []


def test_validator_rejects_broken_attributions(committed):
    rec, i = _first(committed, "ATTRIBUTION")
    ann = rec["annotations"][i]
    # a slot that leaves the span
    bad = copy.deepcopy(rec)
    bad["annotations"][i]["slots"]["recipient"] = [[0, 1]] if ann["span"][0] > 1 else [
        [len(rec["text"]) - 1, len(rec["text"])]]
    assert build.validate_record(bad)
    # a token with two roles
    bad = copy.deepcopy(rec)
    bad["annotations"][i]["slots"]["source"] = list(bad["annotations"][i]["slots"]["cue"])
    assert any("overlap" in p for p in build.validate_record(bad))
    # a missing slot and a wrong kind
    bad = copy.deepcopy(rec)
    del bad["annotations"][i]["slots"]["recipient"]
    assert build.validate_record(bad)
    bad = copy.deepcopy(rec)
    bad["annotations"][i]["attrs"]["kind"] = {"direct": "indirect"}.get(ann["attrs"]["kind"],
                                                                         "direct")
    assert build.validate_record(bad)


def test_negative_inside_a_quantity_is_rejected(committed):
    rec, i = _first(committed, "QUANTITY")
    rec["meta"]["negatives"].append({"span": list(rec["annotations"][i]["span"]), "kind": "year"})
    assert any("negative" in p for p in build.validate_record(rec))


# ---------------------------------------------------------------- source errors are located

def _write_source(tmp_path, body):
    src = tmp_path / "src"
    src.mkdir()
    (src / "t.yaml").write_text(textwrap.dedent(body), encoding="utf-8")
    return src


GOOD_DOC = """\
- id: t-1
  topic: test
  text: |
    The mayor said 12 buses and 12 trams were late.
  quantities:
    - {at: "12 buses", value: 12, unit: null}
  attributions:
    - {source: "The mayor", cue: "said", recipient: [],
       content: "12 buses ... were late", kind: indirect, tags: [title]}
"""


def test_a_good_source_builds(tmp_path):
    records, tags = build.load_sources(_write_source(tmp_path, GOOD_DOC))
    (rec,) = records
    assert rec["text"][slice(*rec["annotations"][1]["span"])] == "12 buses"
    assert tags == [[["title"]]]


@pytest.mark.parametrize("old,new,message", [
    ('"12 buses"', '"12 buss"', "does not occur"),
    ('at: "12 buses"', 'at: "12"', "occurs 2 times"),
    ("unit: null", "unit: kilometre", "canonical"),
    ("unit: null", "unit: bus", "bushel"),
    ("unit: null", "unit: tram", "does not appear in the span"),
    ("unit: null", "unit: null, bound: about", "bound"),
    ("kind: indirect", "kind: direct", "quotation marks"),
    ("recipient: [],", "", "needs 'recipient'"),
    ('"12 buses ... were late"', '"12 buses ... were early"', "does not occur after"),
    ("kind: indirect", "kind: indirect, colour: red", "unknown key 'colour'"),
    ("- id: t-1", "- id: [t-1", "YAML syntax"),
])
def test_source_errors_name_file_line_and_problem(tmp_path, capsys, old, new, message):
    src = _write_source(tmp_path, GOOD_DOC.replace(old, new, 1))
    out = tmp_path / "gold.jsonl"
    assert build.main(["--src", str(src), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert re.search(r"t\.yaml:\d+: error: ", err), err
    assert message in err, err
    assert not out.exists()


def test_check_mode_reports_a_stale_file(tmp_path):
    src = _write_source(tmp_path, GOOD_DOC)
    out = tmp_path / "gold.jsonl"
    assert build.main(["--src", str(src), "--out", str(out)]) == 0
    assert build.main(["--src", str(src), "--out", str(out), "--check"]) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("mayor", "Mayor"), encoding="utf-8")
    assert build.main(["--src", str(src), "--out", str(out), "--check"]) == 1


def test_readme_paragraph_states_the_current_sizes(committed):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    docs = int(re.search(r"(\d+) short\s+news-style documents", text).group(1))
    quantities = int(re.search(r"(\d+) `QUANTITY` annotations", text).group(1))
    attributions = int(re.search(r"(\d+) `ATTRIBUTION` annotations", text).group(1))
    assert docs == len(committed)
    assert quantities == len(_annotations(committed, "QUANTITY"))
    assert attributions == len(_annotations(committed, "ATTRIBUTION"))


def test_guidelines_list_exactly_the_units_used(committed):
    docs = (ROOT / "docs" / "annotation.md").read_text(encoding="utf-8")
    section = docs.split("### Unit names used", 1)[1].split("\n### ", 1)[0]
    listed = set(re.findall(r"`([^`]+)`", section))
    used = {a["attrs"]["unit"] for _, a in _annotations(committed, "QUANTITY")} - {None}
    assert listed == used, (sorted(used - listed), sorted(listed - used))
