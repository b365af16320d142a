"""Scoring predictions against gold, and comparing two sets of predictions.

Definitions (every figure the evaluator prints follows from these)
------------------------------------------------------------------

**Units.**  Scoring runs per document and per label.  For a document and a
label L, G is the list of gold annotations of L and P the list of predicted
ones, each sorted by (start, end, then their JSON), so the order of the input
lines never matters.

**Alignment.**  A gold and a predicted annotation are *candidates* when their
spans share at least one character.  A candidate pair has a *level*: 3
(strict) when the spans are equal, 2 (normalized) when the normalized spans
are equal, 1 (overlap) otherwise.  The alignment is one-to-one and greedy: take
candidate pairs in order of (level descending, number of shared characters
descending, gold index, predicted index) and keep a pair when neither of its
annotations is taken yet.  Because equal spans (and equal normalized spans)
are equivalence classes and stronger levels go first, the strict and the
normalized counts are the largest possible one-to-one counts; the overlap count
is the greedy one (in crossing configurations it can be below the maximum).

**Normalized span.**  Remove, repeatedly, white space and punctuation (Unicode
category P*, which includes every quotation mark, dash and bracket) from both
edges, and once a leading word "that" (any case).

**Span metrics** (part ``span``) for mode m in strict, normalized, overlap:
TP = aligned pairs of at least that level; precision = TP / |P|, recall =
TP / |G|, F1 their harmonic mean.  Mode ``char``: TP = characters covered by
both some gold and some predicted span of L (each character counted once),
precision over the characters covered by predictions, recall over those
covered by gold.  When a denominator is 0 the ratio is 1 if the other side is
empty too and 0 otherwise (so no predictions against gold give recall 0).

**QUANTITY values** (modes ``value``, ``value+unit``, ``value+bound``): TP =
aligned pairs (any level) whose values agree: both have ``value`` and
|a - b| <= 1e-5 * max(|a|, |b|), or both are ranges with both ``low`` and both
``high`` agreeing (a single value never matches a range), or both have no value.
``value+unit`` also needs equal ``unit`` (missing = null), ``value+bound``
equal ``bound`` (missing = "=").  Precision over |P|, recall over |G|.

**Slots** (part ``slot:NAME``): a slot is scored for label L only when some
gold annotation of L in the gold set annotates it (its name is present in
``slots``).  Gold items: gold annotations whose slot is non-empty.  Predicted
items: predictions whose slot is non-empty, except those aligned to a gold
annotation that does not annotate the slot (not scored).  TP = aligned pairs
where both slots are non-empty and: strict, the sorted fragment lists are
equal; normalized, the lists of normalized non-empty fragments are equal;
overlap, some gold fragment shares a character with some predicted fragment.
``char`` counts characters of the fragments as for spans.

**Breakdown** (part ``ATTR=VALUE``, e.g. ``kind=direct``): for the attrs in
``BREAKDOWN_ATTRS`` (and those asked for with ``by``) that gold uses, the span
metrics restricted to gold and predicted annotations having that value; an
aligned pair counts only when both have it.  A missing attr is the value
``(none)``.  When gold QUANTITY annotations carry ``unit`` but no
``unit_kind``, ``unit_kind`` is derived from the unit on both sides by
``unit_kind()``: ``none``, ``currency`` (ISO 4217 code), ``percent``, pint's
dimension (``length``, ``time``, ``length / time``, ...) or ``count``.

**Averages.**  ``(micro)`` sums TP, predicted and gold counts of the span
part over labels; ``(macro)`` is the mean of the labels' precision, recall and
F1.  All counts are summed over documents before dividing.

**Blame.**  Per (label, rule) of predictions: n predicted, TP strict (aligned
at level 3), TP overlap (aligned at any level), FP (not aligned at all).

**Errors.**  ``missed`` (a gold annotation not aligned; a false negative),
``spurious`` (a prediction not aligned; a false positive), ``boundary``
(aligned but spans differ; a strict FN and FP), ``value`` (QUANTITY aligned,
value+unit+bound differ), ``slot`` (aligned, a scored slot differs strictly).
A pair has one error, the first of boundary, value, slot; ``details`` lists
every difference.  Each error carries the sentence(s) its span touches.

**Paired bootstrap** (``compare``): ``N_RESAMPLES`` (1000) resamples of the
documents with replacement, from ``numpy.random.default_rng(SEED)`` (SEED 0);
for each resample both versions are scored on the same documents; the 95%
interval is the 2.5th and 97.5th percentile of the differences new - old.
"""
from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

SPAN_MODES = ("strict", "normalized", "overlap", "char")
VALUE_MODES = ("value", "value+unit", "value+bound")
LEVELS = {"strict": 3, "normalized": 2, "overlap": 1}
BREAKDOWN_ATTRS = {"ATTRIBUTION": ("kind",), "QUANTITY": ("dimension", "unit_kind", "kind")}
REL_TOL = 1e-5
N_RESAMPLES = 1000
SEED = 0
MICRO, MACRO = "(micro)", "(macro)"
PROGRESS_MIN_DOCS = 20  # progress bars appear for runs over at least this many documents

_THAT = re.compile(r"that\b", re.IGNORECASE)


# --------------------------------------------------------------------------
# Small definitions

def _edge(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch).startswith("P")


def normalize_span(text: str, s: int, e: int) -> tuple[int, int]:
    """The span without edge white space, punctuation, quotes, and one leading "that"."""
    that_done = False
    while True:
        while s < e and _edge(text[s]):
            s += 1
        while e > s and _edge(text[e - 1]):
            e -= 1
        if not that_done:
            m = _THAT.match(text, s, e)
            if m:
                s = m.end()
                that_done = True
                continue
        return s, e


def prf(tp: float, pred: float, gold: float) -> tuple[float, float, float]:
    """Precision, recall, F1 with the zero-denominator rule of the module docstring."""
    p = tp / pred if pred else (1.0 if not gold else 0.0)
    r = tp / gold if gold else (1.0 if not pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def close(a, b) -> bool:
    return abs(a - b) <= REL_TOL * max(abs(a), abs(b))


def value_key(attrs: dict):
    if "low" in attrs or "high" in attrs:
        return ("range", attrs.get("low"), attrs.get("high"))
    if attrs.get("value") is not None:
        return ("value", attrs["value"])
    return ("none",)


def values_agree(g: dict, p: dict) -> bool:
    a, b = value_key(g), value_key(p)
    if a[0] != b[0]:
        return False
    if a[0] == "none":
        return True
    return all(x is not None and y is not None and close(x, y) for x, y in zip(a[1:], b[1:]))


def _merge(intervals) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _length(merged) -> int:
    return sum(e - s for s, e in merged)


def _intersection(a, b) -> int:
    i = j = total = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo < hi:
            total += hi - lo
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def _frags_overlap(f1, f2) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in f1 for s2, e2 in f2)


def _sort_key(a: dict):
    return (a["span"][0], a["span"][1], json.dumps(a.get("slots", {}), sort_keys=True),
            json.dumps(a.get("attrs", {}), sort_keys=True, default=str), a.get("rule", ""))


def _slots_agreeing(g: dict, p: dict) -> int:
    """How many slots the two annotations both fill with overlapping fragments."""
    gs, ps = g.get("slots") or {}, p.get("slots") or {}
    return sum(1 for name, frags in gs.items() if frags and ps.get(name) and _frags_overlap(frags, ps[name]))


def align(text: str, gold: list[dict], pred: list[dict]) -> list[tuple[int, int, int]]:
    """The greedy one-to-one alignment: (gold index, predicted index, level).

    Strict pairs first, then normalized, then overlapping ones; among pairs of
    one kind, those whose slots agree more first (a reported relation whose
    content runs on into the next report pairs with the report whose cue and
    source it shares, not with the next one), then those sharing more
    characters, then by position."""
    if not gold or not pred:
        return []
    norm_g = [normalize_span(text, *a["span"]) for a in gold]
    norm_p = [normalize_span(text, *a["span"]) for a in pred]
    order = sorted(range(len(pred)), key=lambda j: pred[j]["span"][0])
    starts = [pred[j]["span"][0] for j in order]
    from bisect import bisect_left

    cands = []
    for i, g in enumerate(gold):
        gs, ge = g["span"]
        for k in range(bisect_left(starts, ge)):
            j = order[k]
            ps, pe = pred[j]["span"]
            if pe <= gs:
                continue
            shared = min(ge, pe) - max(gs, ps)
            if (gs, ge) == (ps, pe):
                level = 3
            elif norm_g[i] == norm_p[j] and norm_g[i][0] < norm_g[i][1]:
                level = 2
            else:
                level = 1
            cands.append((-level, -_slots_agreeing(g, pred[j]), -shared, i, j))
    cands.sort()
    used_g, used_p, out = set(), set(), []
    for neg_level, _, _, i, j in cands:
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        out.append((i, j, -neg_level))
    return out


def _norm_frags(text, frags):
    out = []
    for s, e in frags:
        a, b = normalize_span(text, s, e)
        if a < b:
            out.append((a, b))
    return sorted(out)


def slot_level(text: str, gf, pf) -> int:
    """3 strict, 2 normalized, 1 overlap, 0 none: how two non-empty slots agree."""
    if sorted(map(tuple, gf)) == sorted(map(tuple, pf)):
        return 3
    if _norm_frags(text, gf) == _norm_frags(text, pf) and _norm_frags(text, gf):
        return 2
    return 1 if _frags_overlap(gf, pf) else 0


def _show_value(attrs: dict) -> str:
    key = value_key(attrs)
    if key[0] == "range":
        return f"{key[1]}–{key[2]}"
    return "none" if key[0] == "none" else str(key[1])


_UREG: list = []


@lru_cache(maxsize=4096)
def unit_kind(unit) -> str:
    """A coarse kind of a canonical unit name, for the breakdown.

    ``none`` (no unit), ``currency`` (three capital letters: an ISO 4217 code),
    ``percent``, the unit's dimension as pint names it without brackets
    (``length``, ``mass``, ``temperature``, ``length / time``; ``dimensionless``),
    or ``count`` when pint does not know the name (counted nouns: ``troop``).
    Without pint installed, every other unit is ``other``.
    """
    if unit is None or unit == "":
        return "none"
    unit = str(unit)
    if re.fullmatch(r"[A-Z]{3}", unit):
        return "currency"
    if unit in ("percent", "%", "percentage_point"):
        return "percent"
    try:
        if not _UREG:
            import pint

            _UREG.append(pint.UnitRegistry())
    except ImportError:
        return "other"
    try:
        dims = str(_UREG[0].parse_units(unit).dimensionality)
    except Exception:  # pint raises several kinds of errors for names it does not know
        return "count"
    return dims.replace("[", "").replace("]", "") or "dimensionless"


def _attr_value(a: dict, attr: str, derived: bool = False) -> str:
    if derived and attr == "unit_kind" and attr not in a.get("attrs", {}):
        return unit_kind(a.get("attrs", {}).get("unit"))
    v = a.get("attrs", {}).get(attr)
    return "(none)" if v is None else str(v)


# --------------------------------------------------------------------------
# Sentences, for the error listing

class _Sentences:
    """The sentence spans of a text, computed on first use."""

    def __init__(self, text: str):
        self.text = text
        self._spans = None

    @property
    def spans(self):
        if self._spans is None:
            from .tokenizer import sentences, tokenize

            toks = tokenize(self.text)
            self._spans = [toks.span(i, j) for i, j in sentences(toks)]
        return self._spans

    def around(self, s: int, e: int) -> tuple[int, int]:
        """The hull of the sentences that the span [s, e) touches."""
        touched = [(a, b) for a, b in self.spans if a < max(e, s + 1) and s < b]
        if not touched:
            return s, e
        return min(a for a, _ in touched), max(b for _, b in touched)


# --------------------------------------------------------------------------
# The evaluation

@dataclass
class Evaluation:
    """Counts per document, blame, errors and outcomes of one scoring run."""

    labels: list[str]
    slots: dict[str, list[str]]
    breakdown: dict[str, list[str]]
    doc_ids: list[str]
    doc_counts: list[Counter]
    blame: dict[tuple[str, str], Counter]
    errors: list[dict]
    outcomes: list[dict]
    docs: list[dict] = field(default_factory=list, repr=False)   # gold, for reports
    preds: list[dict] = field(default_factory=list, repr=False)
    alignments: list[dict] = field(default_factory=list, repr=False)  # per doc: label -> pairs
    derived: set = field(default_factory=set)  # labels whose unit_kind is derived from the unit

    @property
    def totals(self) -> Counter:
        total: Counter = Counter()
        for c in self.doc_counts:
            total.update(c)
        return total

    def rows(self) -> list[tuple[str, str, str]]:
        """Every (label, part, mode) that has a figure, in report order."""
        return metric_rows(self.labels, self.slots, self.breakdown, self.totals)

    def metrics(self) -> list[dict]:
        return metrics_from_counts(self.rows(), self.labels, self.totals)


def metric_rows(labels, slots, breakdown, totals) -> list[tuple[str, str, str]]:
    rows = []
    for label in labels:
        rows += [(label, "span", m) for m in SPAN_MODES]
        if label == "QUANTITY":
            rows += [(label, "span", m) for m in VALUE_MODES]
        for s in slots.get(label, []):
            rows += [(label, f"slot:{s}", m) for m in SPAN_MODES]
        for attr in breakdown.get(label, []):
            values = sorted({k[1] for k in totals if k[0] == label and k[1].startswith(attr + "=")})
            for part in values:
                rows += [(label, part, m) for m in ("strict", "normalized", "overlap")]
    rows += [(MICRO, "span", m) for m in SPAN_MODES]
    rows += [(MACRO, "span", m) for m in SPAN_MODES]
    return rows


def metrics_from_counts(rows, labels, totals) -> list[dict]:
    out = []
    for label, part, mode in rows:
        if label in (MICRO, MACRO):
            per = [(totals[(lb, part, mode, "tp")], totals[(lb, part, mode, "pred")],
                    totals[(lb, part, mode, "gold")]) for lb in labels]
            if label == MICRO:
                tp, pred, gold = (sum(x[i] for x in per) for i in range(3))
                p, r, f = prf(tp, pred, gold)
            else:
                tp = pred = gold = None
                trip = [prf(*x) for x in per] or [(1.0, 1.0, 1.0)]
                p, r, f = (sum(t[i] for t in trip) / len(trip) for i in range(3))
        else:
            tp, pred, gold = (totals[(label, part, mode, k)] for k in ("tp", "pred", "gold"))
            p, r, f = prf(tp, pred, gold)
        out.append({"label": label, "part": part, "mode": mode, "precision": p, "recall": r, "f1": f,
                    "tp": tp, "pred": pred, "gold": gold})
    return out


def _progress(iterable, total: int, what: str, enabled: bool | None):
    if enabled is None:
        enabled = total >= PROGRESS_MIN_DOCS and sys.stderr.isatty()
    if not enabled:
        return iterable
    from tqdm import tqdm

    return tqdm(iterable, total=total, desc=what, unit="doc", file=sys.stderr, leave=False)


def evaluate(gold_docs: list[dict], pred_docs: list[dict], labels=None, progress: bool | None = None,
             errors: bool = True, by=None) -> Evaluation:
    """Score ``pred_docs`` against ``gold_docs`` (both gold-format records, same order and ids).

    ``labels`` restricts scoring to those labels (default: every label in gold
    or predictions); ``by`` names attrs to break the figures down by, as
    ``ATTR`` (every label) or ``LABEL.ATTR``, in addition to ``BREAKDOWN_ATTRS``.
    ``errors=False`` skips the error listing.  See the module docstring for
    the definitions.
    """
    if len(gold_docs) != len(pred_docs):
        raise ValueError("gold and predictions must have one record per document, in the same order")
    if labels is None:
        seen = {a["label"] for d in list(gold_docs) + list(pred_docs) for a in d["annotations"]}
        labels = sorted(seen)
    labels = list(labels)
    slot_names: dict[str, list[str]] = {}
    breakdown: dict[str, list[str]] = {}
    derived: set[str] = set()
    for label in labels:
        names, attrs = set(), set()
        for d in gold_docs:
            for a in d["annotations"]:
                if a["label"] == label:
                    names.update(a.get("slots", {}))
                    attrs.update(a.get("attrs", {}))
        slot_names[label] = sorted(names)
        wanted = list(BREAKDOWN_ATTRS.get(label, ()))
        for item in by or ():
            lb, _, attr = item.rpartition(".")
            if lb in ("", label) and attr not in wanted:
                wanted.append(attr)
        breakdown[label] = [x for x in wanted if x in attrs]
        if label == "QUANTITY" and "unit" in attrs and "unit_kind" not in attrs:
            breakdown[label].append("unit_kind")
            derived.add(label)
    ev = Evaluation(labels, slot_names, breakdown, [], [], defaultdict(Counter), [], [], list(gold_docs),
                    list(pred_docs), [], derived)
    for gdoc, pdoc in _progress(zip(gold_docs, pred_docs), len(gold_docs), "scoring", progress):
        _score_doc(ev, gdoc, pdoc, errors)
    return ev


def _score_doc(ev: Evaluation, gdoc: dict, pdoc: dict, want_errors: bool):
    text = gdoc["text"]
    counts: Counter = Counter()
    outcome = {"id": gdoc["id"], "found": set(), "spurious": set()}
    doc_align = {}
    sents = _Sentences(text)
    for label in ev.labels:
        G = sorted((a for a in gdoc["annotations"] if a["label"] == label), key=_sort_key)
        P = sorted((a for a in pdoc["annotations"] if a["label"] == label), key=_sort_key)
        pairs = align(text, G, P)
        doc_align[label] = (G, P, pairs)
        for m in ("strict", "normalized", "overlap") + (VALUE_MODES if label == "QUANTITY" else ()):
            counts[(label, "span", m, "gold")] += len(G)
            counts[(label, "span", m, "pred")] += len(P)
        for m, lv in LEVELS.items():
            counts[(label, "span", m, "tp")] += sum(1 for *_, level in pairs if level >= lv)
        gm, pm = _merge(a["span"] for a in G), _merge(a["span"] for a in P)
        counts[(label, "span", "char", "gold")] += _length(gm)
        counts[(label, "span", "char", "pred")] += _length(pm)
        counts[(label, "span", "char", "tp")] += _intersection(gm, pm)
        if label == "QUANTITY":
            for i, j, _ in pairs:
                g, p = G[i]["attrs"], P[j]["attrs"]
                if values_agree(g, p):
                    counts[(label, "span", "value", "tp")] += 1
                    if g.get("unit") == p.get("unit"):
                        counts[(label, "span", "value+unit", "tp")] += 1
                    if g.get("bound", "=") == p.get("bound", "="):
                        counts[(label, "span", "value+bound", "tp")] += 1
        gold_of = {j: i for i, j, _ in pairs}
        for s in ev.slots[label]:
            part = f"slot:{s}"
            gi = [a for a in G if a["slots"].get(s)]
            pi = [a for j, a in enumerate(P)
                  if a["slots"].get(s) and not (j in gold_of and s not in G[gold_of[j]]["slots"])]
            for m in SPAN_MODES[:3]:
                counts[(label, part, m, "gold")] += len(gi)
                counts[(label, part, m, "pred")] += len(pi)
            for i, j, _ in pairs:
                gf, pf = G[i]["slots"].get(s), P[j]["slots"].get(s)
                if gf and pf:
                    lv = slot_level(text, gf, pf)
                    for m, need in LEVELS.items():
                        if lv >= need:
                            counts[(label, part, m, "tp")] += 1
            gm = _merge(tuple(f) for a in gi for f in a["slots"][s])
            pm = _merge(tuple(f) for a in pi for f in a["slots"][s])
            counts[(label, part, "char", "gold")] += _length(gm)
            counts[(label, part, "char", "pred")] += _length(pm)
            counts[(label, part, "char", "tp")] += _intersection(gm, pm)
        for attr in ev.breakdown[label]:
            gv = [_attr_value(a, attr, label in ev.derived) for a in G]
            pv = [_attr_value(a, attr, label in ev.derived) for a in P]
            for v in set(gv) | set(pv):
                part = f"{attr}={v}"
                for m in ("strict", "normalized", "overlap"):
                    counts[(label, part, m, "gold")] += gv.count(v)
                    counts[(label, part, m, "pred")] += pv.count(v)
                for i, j, level in pairs:
                    if gv[i] == v and pv[j] == v:
                        for m in ("strict", "normalized", "overlap"):
                            if level >= LEVELS[m]:
                                counts[(label, part, m, "tp")] += 1
        aligned_p = {j: level for _, j, level in pairs}
        for j, a in enumerate(P):
            b = ev.blame[(label, a.get("rule") or "(no rule)")]
            b["n"] += 1
            level = aligned_p.get(j, 0)
            b["tp_strict"] += level == 3
            b["tp_overlap"] += level >= 1
            b["fp"] += level == 0
            if level == 0:
                outcome["spurious"].add((label, *a["span"]))
        for i, j, level in pairs:
            if level == 3:
                outcome["found"].add((label, *G[i]["span"]))
        if want_errors:
            _errors(ev, gdoc, label, G, P, pairs, sents)
    ev.doc_ids.append(gdoc["id"])
    ev.doc_counts.append(counts)
    ev.outcomes.append(outcome)
    ev.alignments.append(doc_align)


def _describe(text: str, a: dict) -> dict:
    out = {"span": list(a["span"]), "text": text[a["span"][0]:a["span"][1]]}
    if a.get("slots"):
        out["slots"] = {k: [text[s:e] for s, e in v] for k, v in a["slots"].items()}
    if a.get("attrs"):
        out["attrs"] = a["attrs"]
    if a.get("rule"):
        out["rule"] = a["rule"]
    return out


def _errors(ev, gdoc, label, G, P, pairs, sents):
    text = gdoc["text"]
    found = []
    aligned_g = {i for i, _, _ in pairs}
    aligned_p = {j for _, j, _ in pairs}
    for i, g in enumerate(G):
        if i not in aligned_g:
            found.append(("missed", g, None, []))
    for j, p in enumerate(P):
        if j not in aligned_p:
            found.append(("spurious", None, p, []))
    for i, j, level in pairs:
        g, p = G[i], P[j]
        details = []
        if level < 3:
            details.append(f"span {g['span']} vs {p['span']} ({'normalized equal' if level == 2 else 'overlap'})")
        if label == "QUANTITY":
            ga, pa = g["attrs"], p["attrs"]
            if not values_agree(ga, pa):
                details.append(f"value {_show_value(ga)} vs {_show_value(pa)}")
            if ga.get("unit") != pa.get("unit"):
                details.append(f"unit {ga.get('unit')!r} vs {pa.get('unit')!r}")
            if ga.get("bound", "=") != pa.get("bound", "="):
                details.append(f"bound {ga.get('bound', '=')} vs {pa.get('bound', '=')}")
        value_bad = len(details) > (1 if level < 3 else 0)
        for s in ev.slots[label]:
            if s in g["slots"] and sorted(map(tuple, g["slots"][s])) != sorted(map(tuple, p["slots"].get(s, []))):
                details.append(f"{s}: {[text[a:b] for a, b in g['slots'][s]]} vs "
                               f"{[text[a:b] for a, b in p['slots'].get(s, [])]}")
        if not details:
            continue
        kind = "boundary" if level < 3 else ("value" if value_bad else "slot")
        found.append((kind, g, p, details))
    for kind, g, p, details in found:
        spans = [a["span"] for a in (g, p) if a is not None]
        s, e = min(x[0] for x in spans), max(x[1] for x in spans)
        ss, se = sents.around(s, e)
        ev.errors.append({"n": len(ev.errors), "doc": gdoc["id"], "label": label, "kind": kind,
                          "gold": _describe(text, g) if g else None, "pred": _describe(text, p) if p else None,
                          "details": details, "sentence": text[ss:se], "sentence_span": [ss, se],
                          "span": [s, e]})


# --------------------------------------------------------------------------
# Getting predictions

def predict(packs, gold_docs: list[dict], progress: bool | None = None, timeout: float | None = None) -> list[dict]:
    """Run the packs over every gold document; gold-format prediction records."""
    from .errors import LarkspanError
    from .tokenizer import tokenize

    out = []
    for d in _progress(gold_docs, len(gold_docs), "extracting", progress):
        anns = []
        tokens = tokenize(d["text"])  # one tokenization for all the packs
        for pack in packs:
            try:
                found = pack.extract(d["text"], timeout, tokens)
            except LarkspanError as exc:
                exc.message = f"document {d['id']!r} (gold line {d.get('line', '?')}): {exc.message}"
                raise
            for m in found:
                a = m.to_json()
                a.setdefault("slots", {})
                anns.append(a)
        anns.sort(key=lambda a: (a["span"][0], a["span"][1], a["label"]))
        out.append({"id": d["id"], "text": d["text"], "meta": {}, "annotations": anns})
    return out


def pair_predictions(gold_docs: list[dict], pred_docs: list[dict], pred_file: str = "<predictions>"):
    """Prediction records in gold order (empty ones for documents without predictions).

    A prediction whose id is not in gold, or whose text differs from gold's,
    is an error (GoldError naming its line).  Returns (records, number missing).
    """
    from .goldio import GoldError

    by_id = {d["id"]: d for d in pred_docs}
    gold_ids = {d["id"]: d for d in gold_docs}
    problems = []
    for d in pred_docs:
        g = gold_ids.get(d["id"])
        if g is None:
            problems.append((d.get("line", 0), f"document id {d['id']!r} is not in the gold file"))
        elif d["text"] != g["text"]:
            problems.append((d.get("line", 0), f"the text of {d['id']!r} differs from the gold text "
                                               f"(offsets would not line up)"))
    if problems:
        raise GoldError(pred_file, problems, fix="predict on the gold file's own documents "
                                                 "(larkspan extract --pack PACK GOLD -o PRED)")
    out, missing = [], 0
    for g in gold_docs:
        p = by_id.get(g["id"])
        if p is None:
            missing += 1
            p = {"id": g["id"], "text": g["text"], "meta": {}, "annotations": []}
        out.append(p)
    return out, missing


# --------------------------------------------------------------------------
# Comparing two runs

def count_matrix(ev: Evaluation, keys: list):
    import numpy as np

    index = {k: i for i, k in enumerate(keys)}
    m = np.zeros((len(ev.doc_counts), len(keys)), dtype=np.float64)
    for r, c in enumerate(ev.doc_counts):
        for k, v in c.items():
            if k in index:
                m[r, index[k]] = v
    return m


def _vprf(tp, pred, gold):
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(pred > 0, tp / np.where(pred > 0, pred, 1), np.where(gold > 0, 0.0, 1.0))
        r = np.where(gold > 0, tp / np.where(gold > 0, gold, 1), np.where(pred > 0, 0.0, 1.0))
        f = np.where(p + r > 0, 2 * p * r / np.where(p + r > 0, p + r, 1), 0.0)
    return p, r, f


def _metric_arrays(rows, labels, sums, index):
    """Precision, recall, F1 arrays (one value per resample) for every row."""
    import numpy as np

    def col(key):
        i = index.get(key)
        return sums[:, i] if i is not None else np.zeros(sums.shape[0])

    out = {}
    for label, part, mode in rows:
        if label == MICRO:
            tp = sum(col((lb, part, mode, "tp")) for lb in labels) if labels else np.zeros(sums.shape[0])
            pred = sum(col((lb, part, mode, "pred")) for lb in labels) if labels else np.zeros(sums.shape[0])
            gold = sum(col((lb, part, mode, "gold")) for lb in labels) if labels else np.zeros(sums.shape[0])
            out[(label, part, mode)] = _vprf(tp, pred, gold)
        elif label == MACRO:
            trip = [_vprf(col((lb, part, mode, "tp")), col((lb, part, mode, "pred")), col((lb, part, mode, "gold")))
                    for lb in labels]
            if not trip:
                one = np.ones(sums.shape[0])
                out[(label, part, mode)] = (one, one, one)
            else:
                out[(label, part, mode)] = tuple(sum(t[i] for t in trip) / len(trip) for i in range(3))
        else:
            out[(label, part, mode)] = _vprf(col((label, part, mode, "tp")), col((label, part, mode, "pred")),
                                             col((label, part, mode, "gold")))
    return out


def compare(old: Evaluation, new: Evaluation, n_resamples: int = N_RESAMPLES, seed: int = SEED) -> dict:
    """Metrics of both runs side by side with deltas, paired-bootstrap 95% CIs and changed documents."""
    import numpy as np

    if old.doc_ids != new.doc_ids:
        raise ValueError("both runs must score the same documents in the same order")
    labels = sorted(set(old.labels) | set(new.labels))
    slots = {lb: sorted(set(old.slots.get(lb, [])) | set(new.slots.get(lb, []))) for lb in labels}
    brk = {lb: sorted(set(old.breakdown.get(lb, [])) | set(new.breakdown.get(lb, []))) for lb in labels}
    t_old, t_new = old.totals, new.totals
    both = t_old + t_new
    rows = metric_rows(labels, slots, brk, both)
    keys = sorted(set(t_old) | set(new.totals), key=str)
    index = {k: i for i, k in enumerate(keys)}
    c_old, c_new = count_matrix(old, keys), count_matrix(new, keys)
    n = len(old.doc_ids)
    rng = np.random.default_rng(seed)
    if n:
        draws = rng.integers(0, n, size=(n_resamples, n))
        weights = np.zeros((n_resamples, n))
        np.add.at(weights, (np.repeat(np.arange(n_resamples), n), draws.ravel()), 1.0)
    else:
        weights = np.zeros((n_resamples, 0))
    m_old = _metric_arrays(rows, labels, weights @ c_old, index)
    m_new = _metric_arrays(rows, labels, weights @ c_new, index)
    point_old = {(r["label"], r["part"], r["mode"]): r for r in metrics_from_counts(rows, labels, t_old)}
    point_new = {(r["label"], r["part"], r["mode"]): r for r in metrics_from_counts(rows, labels, t_new)}
    table = []
    for row in rows:
        entry = {"label": row[0], "part": row[1], "mode": row[2]}
        for i, name in enumerate(("precision", "recall", "f1")):
            a, b = point_old[row][name], point_new[row][name]
            diffs = m_new[row][i] - m_old[row][i]
            lo, hi = (float(np.percentile(diffs, 2.5)), float(np.percentile(diffs, 97.5))) if n else (0.0, 0.0)
            entry[name] = {"old": a, "new": b, "delta": b - a, "ci95": [lo, hi]}
        for k in ("tp", "pred", "gold"):
            entry[k] = {"old": point_old[row][k], "new": point_new[row][k]}
        table.append(entry)
    changed = []
    for o, w in zip(old.outcomes, new.outcomes):
        gained = sorted(w["found"] - o["found"])
        lost = sorted(o["found"] - w["found"])
        new_fp = sorted(w["spurious"] - o["spurious"])
        fixed_fp = sorted(o["spurious"] - w["spurious"])
        if gained or lost or new_fp or fixed_fp:
            changed.append({"id": o["id"], "gained": gained, "lost": lost, "new_fp": new_fp,
                            "fixed_fp": fixed_fp,
                            "net": len(gained) - len(lost) - len(new_fp) + len(fixed_fp)})
    return {"metrics": table, "changed": changed, "documents": n, "resamples": n_resamples, "seed": seed}


def score_packs(pack_paths, gold_path: str) -> dict:
    """The headline figures of packs on a gold file, as plain nested data:
    ``{label: {"part/mode": {"precision", "recall", "f1"}}}`` (used by
    ``larkspan bench`` and ``larkspan test --watch``)."""
    from .api import load
    from .cli_eval import read_gold_any

    gold = read_gold_any(gold_path)
    packs = [load(p) for p in pack_paths]
    # only the labels these packs report: one pack of a comparison has no
    # zero row for a label that another pack covers
    labels = sorted({label for pack in packs for label in pack.labels})
    ev = evaluate(gold, predict(packs, gold, progress=False), labels=labels, progress=False, errors=False)
    out: dict = {}
    for row in ev.metrics():
        out.setdefault(row["label"], {})[f"{row['part']}/{row['mode']}"] = {
            "precision": row["precision"], "recall": row["recall"], "f1": row["f1"]}
    return out
