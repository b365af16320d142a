"""Build the larkspan gold set from its hand-written sources.

The sources are the YAML files in ``benchmarks/gold/src/``.  Every annotation
there names its text by substring (and, where the substring occurs more than
once, by occurrence: ``"said @2"`` is the second "said" of the document), never
by offsets; a long fragment may be named by its ends, ``"that the ... in May"``
(from the head to the first following tail).  This script finds the offsets, checks every annotation against
the rules of ``docs/annotation.md`` and writes ``benchmarks/gold/gold.jsonl``
deterministically (same sources, same bytes).

    python benchmarks/gold/build.py             # rebuild gold.jsonl
    python benchmarks/gold/build.py --check     # exit 1 if gold.jsonl is stale or invalid
    python benchmarks/gold/build.py --stats     # print the counts per phenomenon (Markdown)
    python benchmarks/gold/build.py --write-docs  # refresh the counts in docs/annotation.md

Bad sources give one message per problem (file, line, what to fix) and exit
code 2; nothing is written then.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections import Counter
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.errors import LarkspanError  # noqa: E402
from engine.yamlsrc import load as load_yaml  # noqa: E402

SRC_DIR = HERE / "src"
OUT = HERE / "gold.jsonl"
DOCS = ROOT / "docs" / "annotation.md"
COUNTS_START = "<!-- counts:start (written by benchmarks/gold/build.py --write-docs) -->"
COUNTS_END = "<!-- counts:end -->"

BOUNDS = ("=", "~", "<", "<=", ">", ">=")
TRENDS = ("up", "down")
KINDS = ("direct", "indirect", "mixed")
SLOTS = ("source", "cue", "recipient", "content")
# Money: ISO 4217 codes used in the set.
CURRENCIES = frozenset({"USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NOK", "INR"})
# Units pint does not know, named by us (documented in docs/annotation.md).
OWN_UNITS = frozenset({"percentage_point"})
# Counted nouns whose plural does not contain the lemma.
IRREGULAR_PLURALS = {"person": ("people", "persons", "person"), "child": ("children", "child"),
                     "man": ("men", "man"), "woman": ("women", "woman")}
# Counted nouns whose lemma is also a pint unit name with the same spelling (the
# gold string is the same either way; only the counts per phenomenon differ).
COUNTED_PINT_NAMES = frozenset({"bag"})
TIME_UNITS = frozenset({"second", "minute", "hour", "day", "week", "month", "year", "decade"})
NEGATIVE_KINDS = ("year", "decade-name", "date", "clock-time", "ordinal", "score", "phone",
                  "product-or-model", "pronoun-one", "article-a", "identifier", "vote-tally",
                  "frequency", "multiplier")
SOURCE_TAGS = ("name", "title", "apposition", "organization", "media", "pronoun", "document",
               "group", "none")
OTHER_TAGS = ("noun-cue", "dash-cue", "nested", "passive", "unbalanced-quote")
DOUBLE_QUOTES = '"“”'
OPENING = '"“'
CLOSING = '"”'

DOC_KEYS = {"id", "topic", "text", "quantities", "attributions", "negatives"}
Q_KEYS = {"at", "value", "low", "high", "unit", "bound", "trend", "surface"}
A_KEYS = {"source", "cue", "recipient", "content", "kind", "tags"}
N_KEYS = {"at", "kind"}

ELLIPSIS = " ... "  # "HEAD ... TAIL": from HEAD to the first TAIL after it
REF = re.compile(r"^(?P<text>.*?)(?: @(?P<n>[1-9][0-9]*))?$", re.S)


class GoldError(Exception):
    """One problem in a source file, with its place and a fix."""

    def __init__(self, file, line, message, fix=None):
        self.file, self.line, self.message, self.fix = file, line, message, fix
        super().__init__(self.format())

    def format(self):
        text = f"{self.file}:{self.line}: error: {self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class GoldErrors(GoldError):
    """Several problems, one per bad document."""

    def __init__(self, problems):
        self.problems = problems
        Exception.__init__(self, self.format())

    def format(self):
        return "\n".join(p.format() for p in self.problems)


# ---------------------------------------------------------------- pint units

@lru_cache(maxsize=None)
def _ureg():
    import pint

    return pint.UnitRegistry()


@lru_cache(maxsize=None)
def pint_name(name: str) -> str | None:
    """pint's canonical spelling of ``name``, or None when pint does not know it."""
    import pint

    try:
        return str(_ureg().Unit(name))
    except (pint.errors.UndefinedUnitError, pint.errors.DefinitionSyntaxError, ValueError,
            TypeError, AttributeError, KeyError):
        return None
    except Exception:  # pint raises assorted errors on odd strings; none of them is a unit
        return None


def unit_kind(unit) -> str:
    """'none', 'money', 'own', 'pint' or 'count' (the singular lemma of a counted noun)."""
    if unit is None:
        return "none"
    if unit in CURRENCIES:
        return "money"
    if unit in OWN_UNITS:
        return "own"
    if pint_name(unit) is not None:
        return "pint"
    return "count"


def check_unit(unit) -> str | None:
    """A message when ``unit`` is not an allowed unit name, else None."""
    if unit is None:
        return None
    if not isinstance(unit, str) or not unit:
        return f"unit must be a name or null, not {unit!r}"
    kind = unit_kind(unit)
    if kind == "pint":
        canonical = pint_name(unit)
        if canonical != unit:
            return f"unit '{unit}' is pint's '{canonical}': write the canonical name"
        return None
    if kind == "count" and not re.fullmatch(r"[a-z]+(?:_[a-z]+)*", unit):
        if re.fullmatch(r"[A-Z]{3}", unit):
            return f"currency '{unit}' is not in the list of ISO codes used here ({sorted(CURRENCIES)})"
        return (f"unit '{unit}' is neither a pint unit, an ISO currency code nor a counted-noun "
                "lemma (lower-case singular)")
    return None


# ---------------------------------------------------------------- text helpers

def normalize_text(raw: str) -> str:
    """Source text -> document text: lines of a paragraph joined by one space,
    paragraphs (blank-line separated) joined by a blank line."""
    paragraphs = [p for p in re.split(r"\n\s*\n", raw.strip()) if p.strip()]
    return "\n\n".join(" ".join(line.strip() for line in p.splitlines()) for p in paragraphs)


def _word_char(c: str) -> bool:
    return c.isalnum()


def at_boundaries(text: str, start: int, end: int) -> bool:
    """True when [start, end) cuts no word in two."""
    if start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
        return False
    if end < len(text) and _word_char(text[end - 1]) and _word_char(text[end]):
        return False
    return True


def occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of ``needle`` in ``text`` that cut no word in two."""
    out, i = [], text.find(needle)
    while i >= 0:
        if at_boundaries(text, i, i + len(needle)):
            out.append(i)
        i = text.find(needle, i + 1)
    return out


def quote_kind(text: str, fragments) -> str:
    """The attribution kind that the quotation marks of the content imply.

    direct: every fragment opens with a quotation mark and ends with one (a fragment
    whose quotation is never closed, an unbalanced quote, ends where its clause ends);
    mixed: quoted and unquoted words; indirect: no double quotation marks at all."""
    parts = [text[s:e] for s, e in fragments]
    if not any(c in DOUBLE_QUOTES for p in parts for c in p):
        return "indirect"

    def whole_quote(p):
        if p[0] not in OPENING:
            return False
        inner = p[1:]
        return p[-1] in CLOSING or not any(c in CLOSING for c in inner)

    if all(whole_quote(p) for p in parts):
        return "direct"
    return "mixed"


# ---------------------------------------------------------------- source -> records

class DocBuilder:
    def __init__(self, file: str, doc):
        self.file = file
        self.doc = doc
        self.text = None

    def err(self, where, message, fix=None):
        line = where[0] if isinstance(where, tuple) else where
        raise GoldError(self.file, line, message, fix)

    def find(self, ref, where) -> tuple[int, int]:
        if not isinstance(ref, str) or not ref:
            self.err(where, f"a text reference must be a non-empty string, not {ref!r}")
        m = REF.match(ref)
        needle, n = m.group("text"), m.group("n")
        if ELLIPSIS in needle:
            head, tail = needle.split(ELLIPSIS, 1)
            if not head or not tail or ELLIPSIS in tail:
                self.err(where, f"{ref!r}: write 'HEAD ... TAIL' with one ' ... ' and text on "
                         "both sides")
            start, head_end = self.find(head + (f" @{n}" if n else ""), where)
            hits = [i for i in occurrences(self.text, tail) if i >= head_end]
            if not hits:
                self.err(where, f"{tail!r} does not occur after {head!r}")
            return start, hits[0] + len(tail)
        if needle != needle.strip():
            self.err(where, f"reference {ref!r} starts or ends with white space",
                     "references name exactly the annotated characters")
        hits = occurrences(self.text, needle)
        if not hits:
            self.err(where, f"{needle!r} does not occur in the text of {self.doc.get('id')} "
                     "(at word boundaries)", "copy the characters exactly from the text")
        if n is None:
            if len(hits) > 1:
                self.err(where, f"{needle!r} occurs {len(hits)} times; say which one",
                         f"write '{needle} @N' with N from 1 to {len(hits)}")
            start = hits[0]
        else:
            k = int(n)
            if k > len(hits):
                self.err(where, f"{needle!r} occurs only {len(hits)} times, not {k}")
            if len(hits) == 1:
                self.err(where, f"{needle!r} occurs once; drop the ' @{k}'")
            start = hits[k - 1]
        return start, start + len(needle)

    def fragments(self, value, where, slot, allow_empty):
        if value is None:
            self.err(where, f"slot '{slot}' is missing",
                     "give a string, a list of strings, or [] when the slot is absent")
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.err(where, f"slot '{slot}' must be a string or a list of strings")
        if not items and not allow_empty:
            self.err(where, f"slot '{slot}' may not be empty")
        spans = sorted(self.find(item, where) for item in items)
        for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
            if s2 < e1:
                self.err(where, f"two fragments of slot '{slot}' overlap")
        return [list(s) for s in spans]

    def number(self, value, where, key):
        if isinstance(value, bool) or value is None:
            self.err(where, f"'{key}' must be a number, not {value!r}")
        if isinstance(value, str):
            try:
                frac = Fraction(value.strip())
            except ValueError:
                self.err(where, f"'{key}' {value!r} is not a number or a fraction like '1/3'")
            return int(frac) if frac.denominator == 1 else float(frac)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if not isinstance(value, (int, float)):
            self.err(where, f"'{key}' must be a number")
        return value

    def check_keys(self, entry, allowed, what):
        if not hasattr(entry, "items"):
            self.err(self.doc.where(), f"each {what} must be a mapping")
        for key in entry:
            if key not in allowed:
                self.err(entry.where(key), f"unknown key '{key}' in a {what}",
                         f"allowed keys: {', '.join(sorted(allowed))}")

    def quantity(self, q):
        self.check_keys(q, Q_KEYS, "quantity")
        where = q.where()
        if "at" not in q:
            self.err(where, "a quantity needs 'at' (its text)")
        s, e = self.find(q["at"], where)
        attrs = {}
        if "value" in q:
            if "low" in q or "high" in q:
                self.err(where, "give either 'value' or 'low' and 'high', not both")
            attrs["value"] = self.number(q["value"], where, "value")
        else:
            if "low" not in q or "high" not in q:
                self.err(where, "a quantity needs 'value', or 'low' and 'high' for a range")
            low = self.number(q["low"], where, "low")
            high = self.number(q["high"], where, "high")
            if not low < high:
                self.err(where, f"a range needs low < high, got {low} and {high}")
            attrs["low"], attrs["high"] = low, high
        if "unit" not in q:
            self.err(where, "a quantity needs 'unit' (null for a bare number)")
        unit = q["unit"]
        problem = check_unit(unit)
        if problem:
            self.err(q.where("unit", True), problem, "see the unit list in docs/annotation.md")
        span_text = self.text[s:e]
        if unit_kind(unit) == "count":
            forms = IRREGULAR_PLURALS.get(unit, (unit, re.sub(r"y$", "ies", unit),
                                                 re.sub(r"fe?$", "ves", unit)))
            words = unit.split("_")
            if not any(f in span_text.lower() for f in forms) and not all(
                    w in span_text.lower() for w in words):
                self.err(q.where("unit", True),
                         f"counted noun '{unit}' does not appear in the span {span_text!r}",
                         "the span runs to the end of the counted noun; the unit is its lemma")
        attrs["unit"] = unit
        bound = q.get("bound", "=")
        if bound not in BOUNDS:
            self.err(q.where("bound", True), f"bound {bound!r} is not one of {' '.join(BOUNDS)}")
        attrs["bound"] = bound
        if "trend" in q:
            if q["trend"] not in TRENDS:
                self.err(q.where("trend", True), f"trend {q['trend']!r} is not 'up' or 'down'")
            attrs["trend"] = q["trend"]
        if "surface" in q:
            surface = q["surface"]
            if not isinstance(surface, str) or surface not in span_text:
                self.err(q.where("surface", True),
                         f"surface unit {surface!r} is not inside the span {span_text!r}")
            attrs["surface_unit"] = surface
        return {"label": "QUANTITY", "span": [s, e], "attrs": attrs}

    def attribution(self, a):
        self.check_keys(a, A_KEYS, "attribution")
        where = a.where()
        for key in ("source", "cue", "recipient", "content", "kind"):
            if key not in a:
                self.err(where, f"an attribution needs '{key}'",
                         "write [] for an absent source or recipient")
        slots = {}
        for slot in SLOTS:
            slots[slot] = self.fragments(a[slot], a.where(slot, True), slot,
                                         allow_empty=slot in ("source", "recipient"))
        kind = a["kind"]
        if kind not in KINDS:
            self.err(a.where("kind", True), f"kind {kind!r} is not one of {', '.join(KINDS)}")
        implied = quote_kind(self.text, slots["content"])
        if implied != kind:
            self.err(a.where("kind", True),
                     f"kind is '{kind}' but the quotation marks of the content make it '{implied}'",
                     "direct: every content fragment is a whole quotation; mixed: quoted and "
                     "unquoted words; indirect: no quotation marks")
        tags = a.get("tags", [])
        if not isinstance(tags, list):
            self.err(a.where("tags", True), "tags must be a list")
        for tag in tags:
            if tag not in SOURCE_TAGS + OTHER_TAGS:
                self.err(a.where("tags", True), f"unknown tag {tag!r}",
                         f"allowed: {', '.join(SOURCE_TAGS + OTHER_TAGS)}")
        if not slots["source"] and "none" not in tags:
            self.err(where, "an attribution without a source needs the tag 'none'")
        if slots["source"] and not any(t in SOURCE_TAGS for t in tags):
            self.err(where, "tag the kind of source", f"one of {', '.join(SOURCE_TAGS[:-1])}")
        frags = [f for slot in SLOTS for f in slots[slot]]
        span = [min(f[0] for f in frags), max(f[1] for f in frags)]
        record = {"label": "ATTRIBUTION", "span": span, "slots": slots, "attrs": {"kind": kind}}
        return record, list(tags)

    def negative(self, n):
        self.check_keys(n, N_KEYS, "negative")
        if "at" not in n or "kind" not in n:
            self.err(n.where(), "a negative needs 'at' and 'kind'")
        if n["kind"] not in NEGATIVE_KINDS:
            self.err(n.where("kind", True), f"negative kind {n['kind']!r} is unknown",
                     f"one of {', '.join(NEGATIVE_KINDS)}")
        s, e = self.find(n["at"], n.where())
        return {"span": [s, e], "kind": n["kind"]}

    def build(self):
        doc = self.doc
        self.check_keys(doc, DOC_KEYS, "document")
        for key in ("id", "topic", "text"):
            if key not in doc:
                self.err(doc.where(), f"a document needs '{key}'")
        if not isinstance(doc["text"], str):
            self.err(doc.where("text", True), "text must be a string")
        self.text = normalize_text(doc["text"])
        if "  " in self.text:
            self.err(doc.where("text", True), "the text has a double space")
        annotations, tag_of = [], {}
        for q in doc.get("quantities") or []:
            annotations.append(self.quantity(q))
        for a in doc.get("attributions") or []:
            record, t = self.attribution(a)
            annotations.append(record)
            tag_of[id(record)] = t
        negatives = [self.negative(n) for n in doc.get("negatives") or []]
        annotations.sort(key=lambda r: (r["span"][0], r["span"][1], r["label"]))
        # tags of the attributions, in the order they have in the record
        tags = [tag_of[id(r)] for r in annotations if r["label"] == "ATTRIBUTION"]
        record = {"id": doc["id"], "text": self.text,
                  "meta": {"topic": doc["topic"], "origin": "larkspan gold set, written by the project",
                           "negatives": sorted(negatives, key=lambda n: n["span"])},
                  "annotations": annotations}
        problems = validate_record(record)
        if problems:
            self.err(doc.where(), f"document {doc['id']}: " + "; ".join(problems))
        return record, tags


def load_sources(src_dir: Path = SRC_DIR):
    """Read every source file; return (records, tags) where tags[i] lists the tags of
    each ATTRIBUTION of records[i], in record order."""
    files = sorted(src_dir.glob("*.yaml"))
    if not files:
        raise GoldError(str(src_dir), 0, "no source files (*.yaml) found")
    records, tags, seen, problems = [], [], {}, []
    for path in files:
        rel = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        try:
            data = load_yaml(path)
        except LarkspanError as exc:
            raise GoldError(rel, exc.line or 0, exc.message, exc.fix) from None
        if not isinstance(data, list):
            raise GoldError(rel, 1, "a source file is a list of documents")
        for doc in data:
            if not hasattr(doc, "where"):
                raise GoldError(rel, data.pos[0], "each document must be a mapping")
            try:
                record, t = DocBuilder(rel, doc).build()
            except GoldError as exc:  # report every bad document, not just the first
                problems.append(exc)
                continue
            if record["id"] in seen:
                raise GoldError(rel, doc.where()[0], f"id {record['id']} is used twice "
                                f"(first in {seen[record['id']]})")
            seen[record["id"]] = rel
            records.append(record)
            tags.append(t)
    if problems:
        raise GoldErrors(problems)
    order = sorted(range(len(records)), key=lambda i: records[i]["id"])
    return [records[i] for i in order], [tags[i] for i in order]


# ---------------------------------------------------------------- validation of records

def validate_record(rec) -> list[str]:
    """Every rule a gold record must follow; an empty list when it follows them all."""
    problems = []
    text = rec.get("text")
    if not isinstance(text, str) or not isinstance(rec.get("id"), str):
        return ["a record needs an 'id' and a 'text' string"]
    if set(rec) != {"id", "text", "meta", "annotations"}:
        problems.append(f"record keys are {sorted(rec)}")

    def frag_ok(s, e, what):
        if not (isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text)):
            problems.append(f"{what} [{s}, {e}] is not inside the text")
            return False
        if text[s].isspace() or text[e - 1].isspace():
            problems.append(f"{what} {text[s:e]!r} starts or ends with white space")
        if not at_boundaries(text, s, e):
            problems.append(f"{what} {text[s:e]!r} cuts a word in two")
        return True

    quantities, roles = [], []
    for ann in rec.get("annotations", []):
        label, span = ann.get("label"), ann.get("span")
        if not (isinstance(span, list) and len(span) == 2 and frag_ok(*span, f"{label} span")):
            problems.append(f"bad span {span!r}")
            continue
        attrs = ann.get("attrs", {})
        if label == "QUANTITY":
            quantities.append(span)
            if set(ann) != {"label", "span", "attrs"}:
                problems.append(f"QUANTITY keys are {sorted(ann)}")
            ranged = "low" in attrs or "high" in attrs
            if ranged == ("value" in attrs):
                problems.append(f"QUANTITY {text[span[0]:span[1]]!r} needs value or low+high")
            for key in ("value", "low", "high"):
                if key in attrs and (isinstance(attrs[key], bool)
                                     or not isinstance(attrs[key], (int, float))):
                    problems.append(f"{key} {attrs[key]!r} is not a number")
            if ranged and not (isinstance(attrs.get("low"), (int, float))
                               and isinstance(attrs.get("high"), (int, float))
                               and attrs["low"] < attrs["high"]):
                problems.append(f"range {text[span[0]:span[1]]!r} needs low < high")
            if "unit" not in attrs:
                problems.append(f"QUANTITY {text[span[0]:span[1]]!r} has no unit key")
            else:
                msg = check_unit(attrs["unit"])
                if msg:
                    problems.append(msg)
            if attrs.get("bound") not in BOUNDS:
                problems.append(f"bound {attrs.get('bound')!r} is not allowed")
            if "trend" in attrs and attrs["trend"] not in TRENDS:
                problems.append(f"trend {attrs['trend']!r} is not allowed")
            extra = set(attrs) - {"value", "low", "high", "unit", "bound", "trend", "surface_unit"}
            if extra:
                problems.append(f"unknown QUANTITY attrs {sorted(extra)}")
        elif label == "ATTRIBUTION":
            slots = ann.get("slots", {})
            if set(slots) != set(SLOTS):
                problems.append(f"ATTRIBUTION slots are {sorted(slots)}, expected all of {SLOTS}")
                continue
            if not slots["cue"] or not slots["content"]:
                problems.append("an ATTRIBUTION needs a cue and a content")
            frags = []
            for name in SLOTS:
                for frag in slots[name]:
                    if isinstance(frag, list) and len(frag) == 2 and frag_ok(*frag, name):
                        frags.append(frag)
                        roles.append((frag[0], frag[1], name))
                        if not (span[0] <= frag[0] and frag[1] <= span[1]):
                            problems.append(f"{name} {frag} lies outside the span {span}")
                    else:
                        problems.append(f"bad {name} fragment {frag!r}")
            if frags and span != [min(f[0] for f in frags), max(f[1] for f in frags)]:
                problems.append(f"ATTRIBUTION span {span} is not the hull of its slots")
            if attrs.get("kind") not in KINDS:
                problems.append(f"kind {attrs.get('kind')!r} is not allowed")
            elif slots["content"] and quote_kind(text, slots["content"]) != attrs["kind"]:
                problems.append(f"kind {attrs['kind']} disagrees with the quotation marks")
        else:
            problems.append(f"unknown label {label!r}")

    def overlapping(items):
        items = sorted(items)
        return [(a, b) for a, b in zip(items, items[1:]) if b[0] < a[1]]

    for a, b in overlapping([tuple(q) for q in quantities]):
        problems.append(f"quantities {text[a[0]:a[1]]!r} and {text[b[0]:b[1]]!r} overlap")
    for a, b in overlapping(roles):
        problems.append(f"roles {a[2]} {text[a[0]:a[1]]!r} and {b[2]} {text[b[0]:b[1]]!r} "
                        "overlap (a token has at most one role)")
    for neg in rec.get("meta", {}).get("negatives", []):
        s, e = neg["span"]
        if frag_ok(s, e, "negative"):
            for q in quantities:
                if s < q[1] and q[0] < e:
                    problems.append(f"negative {text[s:e]!r} lies inside quantity "
                                    f"{text[q[0]:q[1]]!r}")
    return problems


# ---------------------------------------------------------------- output

def dumps(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_atomic(path: Path, data: str):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".gold-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------- counts

NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundreds?|thousands?|dozens?|millions?|billions?)\b", re.I)
FRACTION_WORDS = re.compile(r"\b(?:half|thirds?|quarters?|fifths?|tenths?)\b", re.I)
SCALES = re.compile(r"\d\s*(?:million|billion|trillion|thousand|m|bn|tn|k)\b", re.I)


def quantity_phenomena(text, ann) -> list[str]:
    s, e = ann["span"]
    t = text[s:e]
    a = ann["attrs"]
    unit = a["unit"]
    out = []
    if re.search(r"\d,\d{3}", t):
        out.append("digits with thousands separators")
    if re.search(r"\d\.\d", t):
        out.append("decimal digits")
    if not re.search(r"\d", t):
        out.append("fraction words" if FRACTION_WORDS.search(t) else "number words")
    if re.search(r"\d\s*/\s*\d", t):
        out.append("digit fractions (1/2, 2 1/2)")
    if SCALES.search(t):
        out.append("scale words and suffixes (million, m, bn)")
    kind = unit_kind(unit)
    if kind == "pint" and unit in COUNTED_PINT_NAMES:
        kind = "count"
    if "low" in a:
        out.append("ranges (low/high)")
    if kind == "none":
        out.append("bare numbers (unit null)")
    elif kind == "money":
        out.append("money")
    elif kind == "count":
        out.append("counted nouns")
    elif unit in ("percent", "percentage_point"):
        out.append("percentages and percentage points")
    elif unit.startswith("degree_"):
        out.append("temperatures")
    elif "year-old" in t or "years old" in t:
        out.append("ages")
    elif unit in TIME_UNITS:
        out.append("durations")
    else:
        out.append("physical units")
        if "/" in unit or "**" in unit or "_hour" in unit:
            out.append("compound and rate units")
    out.append(f"bound {a['bound']}")
    if "trend" in a:
        out.append(f"trend {a['trend']}")
    return out


def attribution_phenomena(text, ann, tags) -> list[str]:
    sl = ann["slots"]
    out = []
    src = sl["source"][0][0] if sl["source"] else None
    cue = sl["cue"][0][0]
    con = sl["content"][0][0]
    cue_text = " ".join(text[s:e] for s, e in sl["cue"]).lower()
    if cue_text.startswith("according to"):
        out.append("order: According to X, ... / ..., according to X")
    elif src is None:
        out.append("order: no source")
    elif src < cue < con:
        out.append("order: X said (that) ...")
    elif cue < src < con:
        out.append("order: cue first (A statement by X that ..., In a letter, X wrote ...)")
    elif con < src < cue:
        out.append("order: ..., X said")
    elif con < cue < src:
        out.append("order: ..., said X")
    else:
        out.append("order: other")
    if cue_text.rstrip().endswith(":"):
        out.append("colon cue")
    out.append(f"kind {ann['attrs']['kind']}")
    if sl["recipient"]:
        out.append("recipient present")
    else:
        out.append("recipient absent (annotated as [])")
    if len(sl["content"]) > 1:
        out.append("content in two or more fragments")
    if any("\n\n" in text[s:e] for s, e in sl["content"]):
        out.append("multi-paragraph content")
    if len(sl["cue"]) > 1:
        out.append("cue in two fragments")
    for tag in tags:
        out.append(f"source: {tag}" if tag in SOURCE_TAGS else tag)
    return out


def stats(records, tags) -> str:
    q, a, n = Counter(), Counter(), Counter()
    nq = na = 0
    for rec, doc_tags in zip(records, tags):
        attributions = [x for x in rec["annotations"] if x["label"] == "ATTRIBUTION"]
        for ann in rec["annotations"]:
            if ann["label"] == "QUANTITY":
                nq += 1
                q.update(quantity_phenomena(rec["text"], ann))
        for ann, t in zip(attributions, doc_tags):
            na += 1
            a.update(attribution_phenomena(rec["text"], ann, t))
        for neg in rec["meta"]["negatives"]:
            n[neg["kind"]] += 1
    topics = Counter(r["meta"]["topic"] for r in records)
    lines = [f"Documents: {len(records)} ({', '.join(f'{k} {v}' for k, v in sorted(topics.items()))}).",
             f"QUANTITY annotations: {nq}. ATTRIBUTION annotations: {na}. "
             f"Negatives (marked, unannotated): {sum(n.values())}.", ""]

    def table(title, counter):
        lines.extend([f"| {title} | count |", "|---|---:|"])
        for key, value in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"| {key} | {value} |")
        lines.append("")

    table("QUANTITY phenomenon", q)
    table("ATTRIBUTION phenomenon", a)
    table("negative (left unannotated)", n)
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true",
                       help="do not write; exit 1 if gold.jsonl differs from a fresh build")
    group.add_argument("--stats", action="store_true", help="print the counts per phenomenon")
    group.add_argument("--write-docs", action="store_true",
                       help="refresh the counts block in docs/annotation.md")
    ap.add_argument("--out", type=Path, default=OUT, help="where to write (default: %(default)s)")
    ap.add_argument("--src", type=Path, default=SRC_DIR,
                    help="folder of source files (default: %(default)s)")
    args = ap.parse_args(argv)
    try:
        records, tags = load_sources(args.src)
    except GoldError as exc:
        print(exc.format(), file=sys.stderr)
        return 2
    data = dumps(records)
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != data:
            print(f"{args.out}: out of date; run python benchmarks/gold/build.py", file=sys.stderr)
            return 1
        print(f"{args.out}: up to date ({len(records)} documents)")
        return 0
    if args.stats:
        sys.stdout.write(stats(records, tags))
        return 0
    if args.write_docs:
        return write_docs(stats(records, tags))
    write_atomic(args.out, data)
    print(f"wrote {args.out} ({len(records)} documents)")
    return 0


def write_docs(block: str) -> int:
    text = DOCS.read_text(encoding="utf-8")
    if COUNTS_START not in text or COUNTS_END not in text:
        print(f"{DOCS}: the markers {COUNTS_START!r} and {COUNTS_END!r} are missing",
              file=sys.stderr)
        return 2
    head, rest = text.split(COUNTS_START, 1)
    _, tail = rest.split(COUNTS_END, 1)
    write_atomic(DOCS, f"{head}{COUNTS_START}\n{block}{COUNTS_END}{tail}")
    print(f"updated the counts in {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
