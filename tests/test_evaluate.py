"""The evaluator's figures: properties, edge cases, and an independent slow oracle."""
import copy
import json
import random
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.evaluate import MACRO, MICRO, compare, evaluate, normalize_span, prf, unit_kind, values_agree
from engine.goldio import read_gold

GOLD = Path(__file__).parent / "data" / "gold_small.jsonl"


def at(text, sub, nth=0):
    i = -1
    for _ in range(nth + 1):
        i = text.index(sub, i + 1)
    return [i, i + len(sub)]


# --------------------------------------------------------------------------
# An independent, simple and slow implementation of the definitions in
# engine/evaluate.py's docstring.  It shares no code with the evaluator.

_EDGE = r"[\s\p{P}]*"
_NORM = regex.compile(rf"^{_EDGE}(?:(?i:that)\b{_EDGE})?(.*?){_EDGE}$", regex.DOTALL)


def o_norm(text, s, e):
    m = _NORM.match(text[s:e])
    return (s + m.start(1), s + m.start(1)) if m.start(1) == m.end(1) else (s + m.start(1), s + m.end(1))


def o_order(anns):
    return sorted(anns, key=lambda a: (a["span"][0], a["span"][1], json.dumps(a.get("slots", {}), sort_keys=True),
                                       json.dumps(a.get("attrs", {}), sort_keys=True, default=str),
                                       a.get("rule", "")))


def o_level(text, g, p):
    (gs, ge), (ps, pe) = g["span"], p["span"]
    if not set(range(gs, ge)) & set(range(ps, pe)):
        return 0
    if (gs, ge) == (ps, pe):
        return 3
    ng, np_ = o_norm(text, gs, ge), o_norm(text, ps, pe)
    if ng == np_ and ng[1] > ng[0]:
        return 2
    return 1


def o_align(text, G, P):
    pairs = []
    free_g, free_p = set(range(len(G))), set(range(len(P)))
    while True:
        best = None
        for i in sorted(free_g):
            for j in sorted(free_p):
                lv = o_level(text, G[i], P[j])
                if not lv:
                    continue
                shared = len(set(range(*G[i]["span"])) & set(range(*P[j]["span"])))
                agree = sum(1 for name, frags in G[i]["slots"].items()
                            if o_chars([frags]) & o_chars([P[j]["slots"].get(name, [])]))
                key = (lv, agree, shared, -i, -j)
                if best is None or key > best[0]:
                    best = (key, i, j, lv)
        if best is None:
            return pairs
        _, i, j, lv = best
        pairs.append((i, j, lv))
        free_g.discard(i)
        free_p.discard(j)


def o_chars(frag_lists):
    out = set()
    for frags in frag_lists:
        for s, e in frags:
            out.update(range(s, e))
    return out


def o_ratio(a, b, other):
    if b == 0:
        return 1.0 if other == 0 else 0.0
    return a / b


def o_prf(tp, pred, gold):
    p, r = o_ratio(tp, pred, gold), o_ratio(tp, gold, pred)
    return p, r, (0.0 if p + r == 0 else 2 * p * r / (p + r))


def oracle(gold_docs, pred_docs, label):
    """{(part, mode): (precision, recall, f1)} for one label."""
    counts = {}

    def add(part, mode, tp, pred, gold):
        c = counts.setdefault((part, mode), [0, 0, 0])
        c[0] += tp
        c[1] += pred
        c[2] += gold

    slot_names = sorted({s for d in gold_docs for a in d["annotations"] if a["label"] == label for s in a["slots"]})
    gold_attrs = {k for d in gold_docs for a in d["annotations"] if a["label"] == label for k in a["attrs"]}
    breakdowns = []
    if label == "ATTRIBUTION" and "kind" in gold_attrs:
        breakdowns.append(("kind", lambda a: a["attrs"].get("kind", "(none)")))
    if label == "QUANTITY" and "unit" in gold_attrs:
        breakdowns.append(("unit_kind", lambda a: UNIT_KINDS[a["attrs"].get("unit")]))
    for gd, pd in zip(gold_docs, pred_docs):
        text = gd["text"]
        G = o_order([a for a in gd["annotations"] if a["label"] == label])
        P = o_order([a for a in pd["annotations"] if a["label"] == label])
        pairs = o_align(text, G, P)
        for mode, need in (("strict", 3), ("normalized", 2), ("overlap", 1)):
            add("span", mode, sum(1 for *_, lv in pairs if lv >= need), len(P), len(G))
        gc, pc = o_chars([[a["span"]] for a in G]), o_chars([[a["span"]] for a in P])
        add("span", "char", len(gc & pc), len(pc), len(gc))
        if label == "QUANTITY":
            for mode in ("value", "value+unit", "value+bound"):
                tp = 0
                for i, j, _ in pairs:
                    g, p = G[i]["attrs"], P[j]["attrs"]
                    ok = o_values(g, p)
                    if mode == "value+unit":
                        ok = ok and g.get("unit") == p.get("unit")
                    if mode == "value+bound":
                        ok = ok and g.get("bound", "=") == p.get("bound", "=")
                    tp += ok
                add("span", mode, tp, len(P), len(G))
        gold_of = {j: i for i, j, _ in pairs}
        for s in slot_names:
            gi = [a for a in G if a["slots"].get(s)]
            pi = [a for j, a in enumerate(P) if a["slots"].get(s) and (j not in gold_of or s in G[gold_of[j]]["slots"])]
            tps = {"strict": 0, "normalized": 0, "overlap": 0}
            for i, j, _ in pairs:
                gf, pf = G[i]["slots"].get(s), P[j]["slots"].get(s)
                if not gf or not pf:
                    continue
                strict = sorted(map(tuple, gf)) == sorted(map(tuple, pf))
                ng = sorted(x for x in (o_norm(text, *f) for f in gf) if x[1] > x[0])
                np_ = sorted(x for x in (o_norm(text, *f) for f in pf) if x[1] > x[0])
                tps["strict"] += strict
                tps["normalized"] += strict or (ng == np_ and bool(ng))
                tps["overlap"] += bool(o_chars([gf]) & o_chars([pf]))
            for mode, tp in tps.items():
                add(f"slot:{s}", mode, tp, len(pi), len(gi))
            gc, pc = o_chars([a["slots"][s] for a in gi]), o_chars([a["slots"][s] for a in pi])
            add(f"slot:{s}", "char", len(gc & pc), len(pc), len(gc))
        for attr, value_of in breakdowns:
            values = {value_of(a) for a in G + P}
            for v in values:
                has = [a for a in G if value_of(a) == v]
                phas = [a for a in P if value_of(a) == v]
                for mode, need in (("strict", 3), ("normalized", 2), ("overlap", 1)):
                    tp = sum(1 for i, j, lv in pairs if lv >= need and value_of(G[i]) == v and value_of(P[j]) == v)
                    add(f"{attr}={v}", mode, tp, len(phas), len(has))
    return {k: o_prf(*v) for k, v in counts.items()}


# unit kinds of the units used in these tests, written out by hand
UNIT_KINDS = {None: "none", "km": "length", "kilometer": "length", "day": "time", "percent": "percent",
              "USD": "currency", "passenger": "count", "troop": "count", "troops": "count"}


def o_values(g, p):
    def close(a, b):
        return abs(a - b) <= 1e-5 * max(abs(a), abs(b))

    if ("low" in g) != ("low" in p):
        return False
    if "low" in g:
        ends = [g.get("low"), g.get("high"), p.get("low"), p.get("high")]
        return None not in ends and close(ends[0], ends[2]) and close(ends[1], ends[3])
    if g.get("value") is None or p.get("value") is None:
        return g.get("value") is None and p.get("value") is None
    return close(g["value"], p["value"])


def assert_agrees_with_oracle(gold, preds, labels=("ATTRIBUTION",)):
    ev = evaluate(gold, preds)
    rows = {(r["label"], r["part"], r["mode"]): r for r in ev.metrics()}
    checked = 0
    for label in labels:
        for (part, mode), (p, r, f) in oracle(gold, preds, label).items():
            row = rows[(label, part, mode)]
            assert (round(row["precision"], 3), round(row["recall"], 3), round(row["f1"], 3)) == \
                   (round(p, 3), round(r, 3), round(f, 3)), (label, part, mode)
            checked += 1
    ours = {k for k in rows if k[0] in labels}
    assert checked == len(ours), "the evaluator prints rows the oracle does not know"
    return ev


# --------------------------------------------------------------------------
# A fixed set of predictions for the small gold set

def fixed_predictions():
    gold = read_gold(GOLD)
    preds = copy.deepcopy(gold)
    by_id = {d["id"]: d for d in preds}
    for d in preds:
        for a in d["annotations"]:
            a["rule"] = "said_that" if a["label"] == "ATTRIBUTION" else "number_unit"

    t = by_id["tram"]["text"]
    att = by_id["tram"]["annotations"][0]
    att["slots"]["content"] = [at(t, "the new tram line would carry 40,000 passengers a day")]  # normalized
    att["slots"]["recipient"] = []
    by_id["tram"]["annotations"][1]["attrs"]["value"] = 40000.2  # within 1e-5 relative

    t = by_id["water"]["text"]
    att = by_id["water"]["annotations"][0]
    att["span"] = at(t, '"We have enough water for about 90 days," the utility said')  # boundary
    att["slots"]["cue"] = [at(t, "said")]
    att["attrs"]["kind"] = "indirect"
    att["rule"] = "quote_then_source"

    t = by_id["prices"]["text"]
    by_id["prices"]["annotations"] = [a for a in by_id["prices"]["annotations"] if a["label"] != "ATTRIBUTION"]
    by_id["prices"]["annotations"].append({"label": "ATTRIBUTION", "span": at(t, "Rents fell by 2.5 percent"),
                                           "slots": {"content": [at(t, "Rents fell")], "source": []},
                                           "attrs": {"kind": "direct"}, "rule": "bad_rule"})
    by_id["prices"]["annotations"][1]["attrs"]["bound"] = "~"

    t = by_id["troops"]["text"]
    anns = by_id["troops"]["annotations"]
    anns[1]["span"] = at(t, "that talks would resume")  # overlap only
    anns[1]["slots"]["recipient"] = [at(t, "talks")]
    anns[2]["span"] = at(t, 'the envoy told the council: "We are not done."')
    anns[2]["slots"]["content"] = [at(t, "We are not done")]  # normalized (quotes and stop)
    anns[2]["slots"]["source"] = [at(t, "envoy")]  # overlap
    anns[3]["attrs"].update(value=9000, unit="troops")

    t = by_id["bridge"]["text"]
    by_id["bridge"]["annotations"][0]["attrs"] = {"value": 3, "unit": "kilometer"}  # a value is not a range
    by_id["bridge"]["annotations"].append({"label": "QUANTITY", "span": at(t, "1998"), "attrs": {"value": 1998},
                                           "rule": "bare_number"})
    t = by_id["meeting"]["text"]
    by_id["meeting"]["annotations"].append({"label": "ATTRIBUTION", "span": [0, len(t) - 1], "slots": {},
                                            "attrs": {}, "rule": "bad_rule"})
    return gold, preds


def test_fixed_predictions_agree_with_the_oracle_to_three_decimals():
    gold, preds = fixed_predictions()
    ev = assert_agrees_with_oracle(gold, preds, labels=("ATTRIBUTION", "QUANTITY"))
    rows = {(r["label"], r["part"], r["mode"]): r for r in ev.metrics()}
    # a few figures worked out by hand, so the oracle is not the only witness
    assert rows[("ATTRIBUTION", "span", "strict")]["tp"] == 3      # tram, troops 0 and 2
    assert rows[("ATTRIBUTION", "span", "overlap")]["tp"] == 5
    assert rows[("ATTRIBUTION", "span", "strict")]["pred"] == 7
    assert rows[("ATTRIBUTION", "span", "strict")]["gold"] == 6
    assert rows[("ATTRIBUTION", "slot:content", "strict")]["tp"] == 3
    assert rows[("ATTRIBUTION", "slot:content", "normalized")]["tp"] == 5
    assert rows[("QUANTITY", "span", "value")]["tp"] == 6          # 40000.2 ok; range vs value, 1998 not
    assert rows[("QUANTITY", "span", "value+unit")]["tp"] == 5     # troops vs troop
    assert rows[("QUANTITY", "span", "value+bound")]["tp"] == 5  # "~" on 2.5 percent; range vs value
    blame = {k[1]: v for k, v in ev.blame.items()}
    assert dict(blame["bad_rule"]) == {"n": 2, "tp_strict": 0, "tp_overlap": 0, "fp": 2}
    assert blame["quote_then_source"]["tp_overlap"] == 1 and blame["quote_then_source"]["tp_strict"] == 0
    kinds = sorted((e["kind"], e["doc"], e["label"]) for e in ev.errors)
    assert ("missed", "prices", "ATTRIBUTION") in kinds and ("spurious", "meeting", "ATTRIBUTION") in kinds
    assert ("boundary", "water", "ATTRIBUTION") in kinds and ("slot", "tram", "ATTRIBUTION") in kinds
    assert ("value", "bridge", "QUANTITY") in kinds and ("spurious", "bridge", "QUANTITY") in kinds
    for e in ev.errors:
        doc = next(d for d in gold if d["id"] == e["doc"])
        s, e_ = e["sentence_span"]
        assert doc["text"][s:e_] == e["sentence"]
        assert s <= e["span"][0] and e["span"][1] <= max(e_, e["span"][1])
    spurious_year = next(e for e in ev.errors if e["pred"] and e["pred"]["text"] == "1998")
    assert spurious_year["sentence"].startswith("The bridge, which opened in 1998")
    assert rows[("ATTRIBUTION", "kind=direct", "strict")]["gold"] == 2
    assert rows[("QUANTITY", "unit_kind=count", "strict")]["gold"] == 2        # passenger, troop
    assert rows[("QUANTITY", "unit_kind=none", "strict")]["pred"] == 1         # the year
    assert rows[("QUANTITY", "unit_kind=length", "overlap")]["tp"] == 1


@pytest.mark.parametrize("unit, kind", [
    (None, "none"), ("USD", "currency"), ("percent", "percent"), ("troop", "count"),
    ("kilometer", "length"), ("kilometer / hour", "length / time"), ("degree_Celsius", "temperature"),
])
def test_unit_kind(unit, kind):
    pytest.importorskip("pint")
    assert unit_kind(unit) == kind


# --------------------------------------------------------------------------
# Generated documents

WORDS = ["that", "said", "the", "plan", '"', "“", "”", ",", ".", "9", "km", "We", "mayor", "x"]


@st.composite
def gold_and_preds(draw, max_docs=4):
    rnd = random.Random(draw(st.integers(0, 10 ** 6)))
    docs, preds = [], []
    for k in range(draw(st.integers(1, max_docs))):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(3, 14))]
        text = " ".join(words)
        n = len(text)

        def span():
            s = rnd.randrange(n)
            return [s, rnd.randint(s + 1, min(n, s + 12))]

        anns = []
        for _ in range(rnd.randint(0, 4)):
            if rnd.random() < 0.6:
                a = {"label": "ATTRIBUTION", "span": span(), "slots": {}, "attrs": {}}
                for name in ("source", "cue", "content", "recipient"):
                    if rnd.random() < 0.7:
                        a["slots"][name] = [span() for _ in range(rnd.randint(0, 2))]
                if rnd.random() < 0.8:
                    a["attrs"]["kind"] = rnd.choice(["direct", "indirect", "mixed"])
            else:
                a = {"label": "QUANTITY", "span": span(), "slots": {},
                     "attrs": rnd.choice([{"value": rnd.choice([9, 9.00001, 10])}, {"low": 3, "high": 5},
                                          {"value": 9, "unit": "km", "bound": "<="}, {}])}
            anns.append(a)
        pred = []
        for a in anns:
            r = rnd.random()
            if r < 0.25:
                continue
            b = copy.deepcopy(a)
            if r < 0.5:
                s, e = b["span"]
                b["span"] = [max(0, s - rnd.randint(0, 2)), min(n, e + rnd.randint(0, 2))]
            if r < 0.6 and b["label"] == "ATTRIBUTION":
                b["slots"] = {k: [span()] for k in b["slots"]}
                b["attrs"]["kind"] = rnd.choice(["direct", "indirect"])
            b["rule"] = rnd.choice(["r1", "r2"])
            pred.append(b)
        for _ in range(rnd.randint(0, 2)):
            pred.append({"label": rnd.choice(["ATTRIBUTION", "QUANTITY"]), "span": span(),
                         "slots": {"source": [span()]} if rnd.random() < 0.5 else {}, "attrs": {}, "rule": "r3"})
        docs.append({"id": f"d{k}", "text": text, "meta": {}, "annotations": anns})
        preds.append({"id": f"d{k}", "text": text, "meta": {}, "annotations": pred})
    return docs, preds


@settings(max_examples=120, deadline=None)
@given(gold_and_preds())
def test_generated_documents_agree_with_the_oracle(data):
    gold, preds = data
    assert_agrees_with_oracle(gold, preds, labels=sorted({a["label"] for d in gold + preds for a in d["annotations"]}))


@settings(max_examples=60, deadline=None)
@given(gold_and_preds())
def test_gold_against_itself_is_one_everywhere(data):
    gold, _ = data
    ev = evaluate(gold, copy.deepcopy(gold))
    for r in ev.metrics():
        assert (r["precision"], r["recall"], r["f1"]) == (1.0, 1.0, 1.0), r
    assert ev.errors == []


def test_small_gold_against_itself_is_one_everywhere():
    gold = read_gold(GOLD)
    ev = evaluate(gold, copy.deepcopy(gold))
    rows = ev.metrics()
    assert {r["part"] for r in rows} >= {"span", "slot:source", "slot:recipient", "kind=direct"}
    assert {r["mode"] for r in rows} >= {"strict", "normalized", "overlap", "char", "value", "value+unit",
                                         "value+bound"}
    assert all((r["precision"], r["recall"], r["f1"]) == (1.0, 1.0, 1.0) for r in rows)
    result = compare(ev, evaluate(gold, copy.deepcopy(gold)), n_resamples=50)
    assert all(m["f1"]["delta"] == 0 and m["f1"]["ci95"] == [0.0, 0.0] for m in result["metrics"])
    assert result["changed"] == []


@settings(max_examples=60, deadline=None)
@given(gold_and_preds(), st.randoms(use_true_random=False))
def test_permuting_documents_and_annotations_changes_nothing(data, rnd):
    gold, preds = data
    before = evaluate(gold, preds)
    order = list(range(len(gold)))
    rnd.shuffle(order)
    g2, p2 = [copy.deepcopy(gold[i]) for i in order], [copy.deepcopy(preds[i]) for i in order]
    for d in g2 + p2:
        rnd.shuffle(d["annotations"])
    after = evaluate(g2, p2)
    assert before.metrics() == after.metrics()
    assert dict(before.blame) == dict(after.blame)
    key = lambda e: (e["doc"], e["label"], e["kind"], e["span"])  # noqa: E731
    assert sorted(map(key, before.errors)) == sorted(map(key, after.errors))


def test_empty_predictions_give_recall_zero():
    gold = read_gold(GOLD)
    empty = [dict(d, annotations=[]) for d in gold]
    ev = evaluate(gold, empty)
    rows = ev.metrics()
    assert rows
    for r in rows:
        if r["label"] in (MICRO, MACRO) or r["gold"]:
            assert r["recall"] == 0.0 and r["precision"] == 0.0 and r["f1"] == 0.0, r
    assert all(e["kind"] == "missed" for e in ev.errors)
    assert len(ev.errors) == sum(len(d["annotations"]) for d in gold)
    none = evaluate([dict(d, annotations=[]) for d in gold], empty)
    assert none.labels == [] and all(r["f1"] == 1.0 for r in none.metrics())


def test_zero_denominators():
    assert prf(0, 0, 0) == (1.0, 1.0, 1.0)
    assert prf(0, 0, 3) == (0.0, 0.0, 0.0)
    assert prf(0, 2, 0) == (0.0, 1.0, 0.0) or prf(0, 2, 0)[0] == 0.0
    assert prf(1, 2, 4) == (0.5, 0.25, pytest.approx(1 / 3))


@pytest.mark.parametrize("span_text, expected", [
    ('"that the plan works,"', "the plan works"),
    ("That it rained.", "it rained"),
    ("thatch roofs", "thatch roofs"),
    ("“ that that is all ”", "that is all"),
    ("— fine —", "fine"),
    ('"."', ""),
])
def test_normalized_span(span_text, expected):
    text = "xx " + span_text + " yy"
    s, e = normalize_span(text, 3, 3 + len(span_text))
    assert text[s:e] == expected
    assert (s, e) == tuple(o_norm(text, 3, 3 + len(span_text))) or expected == ""


@pytest.mark.parametrize("g, p, ok", [
    ({"value": 100000}, {"value": 100000.5}, True),
    ({"value": 100000}, {"value": 100002}, False),
    ({"value": 0}, {"value": 0.0}, True),
    ({"low": 3, "high": 5}, {"low": 3, "high": 5.00001}, True),
    ({"low": 3, "high": 5}, {"value": 3}, False),
    ({"low": 3, "high": 5}, {"low": 3}, False),
    ({}, {}, True),
    ({"value": 2}, {}, False),
])
def test_value_agreement(g, p, ok):
    assert values_agree(g, p) is ok
    assert o_values(g, p) is ok


def test_compare_finds_changed_documents_and_is_seeded():
    gold, preds = fixed_predictions()
    old = evaluate(gold, preds)
    better = copy.deepcopy(preds)
    better[[d["id"] for d in gold].index("water")] = copy.deepcopy(gold[[d["id"] for d in gold].index("water")])
    better[[d["id"] for d in gold].index("meeting")]["annotations"] = []
    new = evaluate(gold, better)
    a, b = compare(old, new, n_resamples=200, seed=3), compare(old, new, n_resamples=200, seed=3)
    assert a == b
    changed = {c["id"]: c for c in a["changed"]}
    assert set(changed) == {"water", "meeting"}
    assert changed["water"]["gained"] and not changed["water"]["lost"]
    assert changed["meeting"]["fixed_fp"] == [("ATTRIBUTION", 0, len(gold[-1]["text"]) - 1)]
    strict = next(m for m in a["metrics"] if (m["label"], m["part"], m["mode"]) == ("ATTRIBUTION", "span", "strict"))
    assert strict["f1"]["delta"] > 0
    lo, hi = strict["f1"]["ci95"]
    assert lo <= hi and lo <= strict["f1"]["delta"] + 1e-12


def test_score_packs_reports_only_the_labels_its_packs_have():
    """bench compares pack versions with score_packs: a pack that reports
    only ATTRIBUTION has no QUANTITY row of zeros, and the figures it does
    have are those of a full evaluation restricted to its labels."""
    from engine.evaluate import predict, score_packs
    import engine

    root = Path(__file__).resolve().parent.parent
    gold_path = root / "benchmarks" / "gold" / "gold.jsonl"
    scores = score_packs([root / "rules" / "attribution.yaml"], str(gold_path))
    assert {k for k in scores if k.isupper()} == {"ATTRIBUTION"}
    gold = read_gold(gold_path)
    full = evaluate(gold, predict([engine.load(root / "rules" / "attribution.yaml")], gold, progress=False),
                    progress=False, errors=False)
    row = next(r for r in full.metrics() if r["label"] == "ATTRIBUTION" and r["part"] == "span"
               and r["mode"] == "strict")
    assert scores["ATTRIBUTION"]["span/strict"]["f1"] == pytest.approx(row["f1"])


def test_a_relation_running_into_the_next_pairs_with_the_one_it_shares_slots_with():
    """The prediction covers both reports and shares more characters with the
    second; it shares its source and cue with the first, and is paired with it."""
    from engine.evaluate import align

    text = "Ana Ruiz said the road was closed. Officials say it will reopen in the spring of next year."
    def rel(src, cue, content):
        frag = lambda s: [[text.index(s), text.index(s) + len(s)]]
        slots = {"source": frag(src), "cue": frag(cue), "content": frag(content)}
        lo = min(f[0][0] for f in slots.values())
        hi = max(f[0][1] for f in slots.values())
        return {"label": "ATTRIBUTION", "span": [lo, hi], "slots": slots, "attrs": {}}

    first = rel("Ana Ruiz", "said", "the road was closed")
    second = rel("Officials", "say", "it will reopen in the spring of next year")
    runaway = rel("Ana Ruiz", "said", "the road was closed. Officials say it will reopen in the spring of next year")
    assert align(text, [first, second], [runaway]) == [(0, 0, 1)]
    assert o_align(text, [first, second], [runaway]) == [(0, 0, 1)]
    # without slots to tell them apart, the pair sharing more characters wins, as before
    bare = [{**a, "slots": {}} for a in (first, second, runaway)]
    assert align(text, bare[:2], bare[2:]) == [(1, 0, 1)] == o_align(text, bare[:2], bare[2:])
