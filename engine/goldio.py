"""Gold and prediction files: the JSONL format, brat standoff, Recognizers-Text specs.

The JSONL format is fixed by DESIGN.md ("Gold and output format"): one document
a line, ``{"id", "text", "meta", "annotations": [...]}``; an annotation has
``label``, ``span`` ``[start, end)`` in code points, optional ``slots``
``{name: [[s, e], ...]}`` and ``attrs``; predictions add ``rule`` and ``pack``.

``read_gold(path)`` reads and checks every line and raises one ``InputError``
(code E402) that lists each bad line with its number and what to do, so a
file can be fixed in one pass.  Nothing is scored from a file with a bad line.

brat standoff (``.ann`` beside ``.txt``) maps to the same records:

* a plain annotation is a text-bound line ``T1<TAB>QUANTITY 120 141<TAB>text``;
  discontinuous fragments are written ``0 5;10 15``;
* an ATTRIBUTION is an event whose trigger is a text-bound ``ATTRIBUTION``
  annotation over the whole span, and whose arguments are the slots:
  ``E1<TAB>ATTRIBUTION:T4 Source:T1 Cue:T2 Content:T3``; each slot is one
  text-bound annotation typed by the capitalised slot name (``Source``), with
  one fragment per slot fragment.  The reader also accepts events triggered by
  a ``Cue`` annotation and relations ``R1<TAB>Source Arg1:T2 Arg2:T1`` that link
  a cue to a role; roles linked to one cue become one ATTRIBUTION whose span is
  the hull of its parts;
* attrs whose value is a string without spaces become attribute lines
  (``A1<TAB>kind E1 direct``); all others (numbers, null, strings with spaces)
  and the list of slots annotated as absent go into one note per annotation:
  ``#1<TAB>AnnotatorNotes T4<TAB>{"attrs": {"value": 9000}, "absent": ["recipient"]}``.
  Writing and reading back gives the same record (``meta`` is not kept).

``read_recognizers(path)`` reads one Microsoft Recognizers-Text spec file (see
its docstring).
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Iterable

from .errors import InputError, did_you_mean

#: Slot names a gold file may use, per label; a label not listed takes any slot name.
KNOWN_SLOTS: dict[str, tuple[str, ...]] = {"ATTRIBUTION": ("source", "cue", "recipient", "content")}
BOUNDS = ("=", "~", "<", "<=", ">", ">=")
TRENDS = ("up", "down")
KINDS = ("direct", "indirect", "mixed")
DOC_KEYS = ("id", "text", "meta", "annotations")
ANN_KEYS = ("label", "span", "slots", "attrs", "rule", "pack", "raw")
MAX_REPORTED = 50  # bad lines listed in one error message


class GoldError(InputError):
    """A gold or prediction file has bad lines; ``problems`` lists ``(line, message)``."""

    code = "E402"

    def __init__(self, file: str, problems: list[tuple[int, str]], fix: str | None = None, what: str = "file"):
        self.problems = problems
        shown = problems[:MAX_REPORTED]
        lines = [f"{len(problems)} bad line{'s' if len(problems) != 1 else ''} in the {what}"]
        lines += [f"  {file}:{n}: {msg}" for n, msg in shown]
        if len(problems) > len(shown):
            lines.append(f"  ... and {len(problems) - len(shown)} more")
        super().__init__("\n".join(lines), code="E402", file=file, line=problems[0][0] if problems else None,
                         fix=fix or "correct each line listed (offsets are code-point indices into 'text', "
                                    "end-exclusive), or remove it")


# --------------------------------------------------------------------------
# Checking one record

def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _check_pair(pair, n: int, what: str) -> str | None:
    if (not isinstance(pair, (list, tuple)) or len(pair) != 2
            or not all(isinstance(x, int) and not isinstance(x, bool) for x in pair)):
        return f"{what} must be [start, end] with two whole numbers, not {json.dumps(pair)}"
    s, e = pair
    if not 0 <= s < e <= n:
        return (f"{what} {list(pair)} is not inside the text (need 0 <= start < end <= {n}, "
                f"the text's length in code points)")
    return None


def check_annotation(ann, text_len: int) -> list[str]:
    """What is wrong with one annotation (empty when it is valid)."""
    if not isinstance(ann, dict):
        return ["an annotation must be a JSON object with 'label' and 'span'"]
    errs = []
    for key in ann:
        if key not in ANN_KEYS:
            errs.append(f"unknown annotation key '{key}'{did_you_mean(key, ANN_KEYS)}")
    label = ann.get("label")
    if not isinstance(label, str) or not label:
        errs.append("the annotation has no 'label' text (such as \"QUANTITY\")")
        label = ""
    if "span" not in ann:
        errs.append("the annotation has no 'span' [start, end]")
    else:
        bad = _check_pair(ann["span"], text_len, "span")
        if bad:
            errs.append(bad)
    slots = ann.get("slots", {})
    if not isinstance(slots, dict):
        errs.append("'slots' must be an object {name: [[start, end], ...]}")
        slots = {}
    known = KNOWN_SLOTS.get(label)
    for name, frags in slots.items():
        if known is not None and name not in known:
            errs.append(f"unknown slot '{name}' for {label}{did_you_mean(name, known)}; "
                        f"known slots: {', '.join(known)}")
        if not isinstance(frags, list):
            errs.append(f"slot '{name}' must be a list of [start, end] fragments ([] means absent)")
            continue
        for frag in frags:
            bad = _check_pair(frag, text_len, f"slot '{name}' fragment")
            if bad:
                errs.append(bad)
    attrs = ann.get("attrs", {})
    if not isinstance(attrs, dict):
        errs.append("'attrs' must be an object")
        attrs = {}
    errs.extend(_check_attrs(label, attrs))
    for key in ("rule", "pack"):
        if key in ann and not isinstance(ann[key], str):
            errs.append(f"'{key}' must be text")
    return errs


def _check_attrs(label: str, attrs: dict) -> list[str]:
    errs = []
    if label == "QUANTITY":
        has_value = "value" in attrs
        has_range = "low" in attrs or "high" in attrs
        if has_value and has_range:
            errs.append("a QUANTITY has either 'value' or 'low' and 'high', not both")
        if has_value and attrs["value"] is not None and not _is_number(attrs["value"]):
            errs.append(f"QUANTITY 'value' must be a number, not {json.dumps(attrs['value'])}")
        if has_range:
            for key in ("low", "high"):
                if key not in attrs:
                    errs.append(f"a QUANTITY range needs both 'low' and 'high' ('{key}' is missing)")
                elif not _is_number(attrs[key]):
                    errs.append(f"QUANTITY '{key}' must be a number, not {json.dumps(attrs[key])}")
        if "unit" in attrs and attrs["unit"] is not None and not isinstance(attrs["unit"], str):
            errs.append("QUANTITY 'unit' must be a unit name or null")
        if "bound" in attrs and attrs["bound"] not in BOUNDS:
            errs.append(f"QUANTITY 'bound' must be one of {' '.join(BOUNDS)}, not {json.dumps(attrs['bound'])}")
        if "trend" in attrs and attrs["trend"] not in TRENDS:
            errs.append(f"QUANTITY 'trend' must be 'up' or 'down', not {json.dumps(attrs['trend'])}")
    elif label == "ATTRIBUTION":
        if "kind" in attrs and attrs["kind"] not in KINDS:
            errs.append(f"ATTRIBUTION 'kind' must be one of {', '.join(KINDS)}, not {json.dumps(attrs['kind'])}"
                        f"{did_you_mean(str(attrs['kind']), KINDS)}")
    return errs


def check_record(obj) -> list[str]:
    """What is wrong with one document record (empty when it is valid)."""
    if not isinstance(obj, dict):
        return ["a line must be a JSON object {\"id\", \"text\", \"annotations\"}"]
    if "error" in obj and "text" not in obj:
        msg = obj["error"].get("message") if isinstance(obj["error"], dict) else obj["error"]
        return [f"this is an error record from extraction ({msg}); re-run extraction or drop the line"]
    errs = []
    for key in obj:
        if key not in DOC_KEYS:
            errs.append(f"unknown key '{key}'{did_you_mean(key, DOC_KEYS)}")
    if not isinstance(obj.get("id"), (str, int)) or isinstance(obj.get("id"), bool):
        errs.append("the document has no 'id' (text or number)")
    text = obj.get("text")
    if not isinstance(text, str):
        errs.append("the document has no 'text' string")
        return errs
    if "meta" in obj and not isinstance(obj["meta"], dict):
        errs.append("'meta' must be an object")
    anns = obj.get("annotations", [])
    if not isinstance(anns, list):
        return errs + ["'annotations' must be a list"]
    for i, ann in enumerate(anns):
        errs.extend(f"annotation {i}: {e}" for e in check_annotation(ann, len(text)))
    return errs


def normalize_record(obj: dict) -> dict:
    """A checked record with defaults filled in (``meta``, ``annotations``, ``slots``, ``attrs``)."""
    anns = []
    for a in obj.get("annotations", []):
        b = {"label": a["label"], "span": [a["span"][0], a["span"][1]],
             "slots": {k: [[s, e] for s, e in v] for k, v in (a.get("slots") or {}).items()},
             "attrs": dict(a.get("attrs") or {})}
        for key in ("rule", "pack", "raw"):
            if key in a:
                b[key] = a[key]
        anns.append(b)
    return {"id": str(obj["id"]), "text": obj["text"], "meta": dict(obj.get("meta") or {}), "annotations": anns}


# --------------------------------------------------------------------------
# JSONL

def read_gold(path, prediction: bool = False) -> list[dict]:
    """Every document of a gold (or, with ``prediction``, a prediction) JSONL file, checked and normalized.

    Raises ``GoldError`` (E402, exit code 2) listing every bad line with its
    number; duplicate ids are bad lines too.  Each record gets ``line``.
    """
    from .docio import numbered_lines, open_input

    path = str(path)
    try:
        fh, kind = open_input(path)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", code="E402", file=path,
                         fix="check the path") from None
    docs, problems, seen = [], [], {}
    with fh:
        for n, raw in numbered_lines(fh, kind, path):
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):  # a byte-order mark, as some editors write
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as exc:
                problems.append((n, f"invalid UTF-8 at byte {exc.start}; save the file as UTF-8"))
                continue
            except json.JSONDecodeError as exc:
                problems.append((n, f"not valid JSON ({exc.msg} at column {exc.colno})"))
                continue
            except RecursionError:
                problems.append((n, "the JSON is nested too deeply"))
                continue
            errs = check_record(obj)
            if not errs:
                doc_id = str(obj["id"])
                if doc_id in seen:
                    errs = [f"duplicate id {doc_id!r} (first on line {seen[doc_id]}); ids must be unique"]
                else:
                    seen[doc_id] = n
            if errs:
                problems.extend((n, e) for e in errs)
                continue
            rec = normalize_record(obj)
            rec["line"] = n
            docs.append(rec)
    if problems:
        raise GoldError(path, problems, what="prediction file" if prediction else "gold file")
    if not docs and not prediction:  # scores on nothing would read as perfect
        raise InputError("the gold file holds no documents", code="E402", file=path,
                         fix="give a JSONL file with one document per line")
    return docs


def write_gold(path, docs: Iterable[dict]) -> None:
    """Write records as JSONL (atomically; '-' for stdout)."""
    from .docio import AtomicWriter, dump

    with AtomicWriter(str(path)) as out:
        for d in docs:
            rec = {k: d[k] for k in ("id", "text", "meta", "annotations") if k in d}
            out.write(dump(rec) + "\n")


# --------------------------------------------------------------------------
# brat standoff

_SLOT_TYPE = {s: s.capitalize() for s in KNOWN_SLOTS["ATTRIBUTION"]}
_TYPE_SLOT = {v.lower(): k for k, v in _SLOT_TYPE.items()}


def _simple_attr(value) -> bool:
    return isinstance(value, str) and value != "" and not re.search(r"\s", value)


def to_brat(doc: dict) -> str:
    """The ``.ann`` text of one record (its ``.txt`` is ``doc["text"]``)."""
    text = doc["text"]
    out: list[str] = []
    counters = {"T": 0, "E": 0, "A": 0, "#": 0}

    def new(kind):
        counters[kind] += 1
        return f"{kind}{counters[kind]}"

    def textbound(typ, frags):
        tid = new("T")
        where = ";".join(f"{s} {e}" for s, e in frags)
        shown = re.sub(r"\s", " ", " ".join(text[s:e] for s, e in frags))
        out.append(f"{tid}\t{typ} {where}\t{shown}")
        return tid

    for ann in doc["annotations"]:
        label = ann["label"]
        slots = ann.get("slots") or {}
        head = textbound(label, [ann["span"]])
        target = head
        if slots:
            args = []
            for name, frags in slots.items():
                if frags:
                    args.append(f"{name.capitalize() if label == 'ATTRIBUTION' else name}:"
                                f"{textbound(_SLOT_TYPE.get(name, name) if label == 'ATTRIBUTION' else name, frags)}")
            eid = new("E")
            out.append(f"{eid}\t{label}:{head}" + "".join(" " + a for a in args))
            target = eid
        note = {}
        rest = {k: v for k, v in (ann.get("attrs") or {}).items() if not (_simple_attr(v) and _simple_attr(k))}
        for k, v in (ann.get("attrs") or {}).items():
            if _simple_attr(v) and _simple_attr(k):
                out.append(f"{new('A')}\t{k} {target} {v}")
        if rest:
            note["attrs"] = rest
        absent = [name for name, frags in slots.items() if not frags]
        if absent:
            note["absent"] = absent
        for key in ("rule", "pack"):
            if key in ann:
                note[key] = ann[key]
        if note:
            out.append(f"{new('#')}\tAnnotatorNotes {target}\t{json.dumps(note, ensure_ascii=False)}")
    return "\n".join(out) + ("\n" if out else "")


def _parse_frags(where: str, line_no: int, problems) -> list[list[int]]:
    frags = []
    for piece in where.split(";"):
        parts = piece.split()
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            problems.append((line_no, f"offsets '{where}' must read 'START END' or 'S1 E1;S2 E2'"))
            return []
        frags.append([int(parts[0]), int(parts[1])])
    return frags


def from_brat(ann_text: str, text: str, doc_id: str, source: str = "<ann>") -> dict:
    """One record from the text of an ``.ann`` file and its ``.txt``.  Raises GoldError."""
    problems: list[tuple[int, str]] = []
    tbs: dict[str, tuple[str, list[list[int]], int]] = {}
    events: dict[str, tuple[str, str, list[tuple[str, str]], int]] = {}
    relations: list[tuple[str, str, str, int]] = []
    attrs: dict[str, dict] = {}
    notes: dict[str, dict] = {}
    for n, line in enumerate(ann_text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        if not ident:
            problems.append((n, "a line must start with an id such as T1, E1, R1, A1 or #1, then a TAB"))
            continue
        kind = ident[0]
        if kind == "T":
            head, _, _shown = rest.partition("\t")
            typ, _, where = head.partition(" ")
            frags = _parse_frags(where, n, problems)
            bad = [f for f in frags if not 0 <= f[0] < f[1] <= len(text)]
            if bad:
                problems.append((n, f"fragment {bad[0]} is not inside the text of {len(text)} characters"))
                continue
            if frags:
                tbs[ident] = (typ, frags, n)
        elif kind == "E":
            parts = rest.split()
            if not parts or ":" not in parts[0]:
                problems.append((n, "an event reads 'TYPE:TRIGGER ROLE:ID ...'"))
                continue
            typ, _, trig = parts[0].partition(":")
            args = [tuple(p.split(":", 1)) for p in parts[1:] if ":" in p]
            events[ident] = (typ, trig, args, n)
        elif kind == "R":
            parts = rest.split()
            if len(parts) != 3 or not parts[1].startswith("Arg1:") or not parts[2].startswith("Arg2:"):
                problems.append((n, "a relation reads 'TYPE Arg1:ID Arg2:ID'"))
                continue
            relations.append((parts[0], parts[1][5:], parts[2][5:], n))
        elif kind in "AM":
            parts = rest.split(None, 2)
            if len(parts) < 2:
                problems.append((n, "an attribute reads 'NAME TARGET [VALUE]'"))
                continue
            attrs.setdefault(parts[1], {})[parts[0]] = parts[2] if len(parts) > 2 else True
        elif kind == "#":
            head, _, note = rest.partition("\t")
            target = head.split()[-1] if head.split() else ""
            try:
                data = json.loads(note)
            except json.JSONDecodeError:
                continue  # a free-text note: not ours
            if isinstance(data, dict):
                notes[target] = data
        # N (normalization) lines and others are ignored.
    for ident, (typ, trig, args, n) in events.items():
        for _role, ref in [("trigger", trig)] + list(args):
            if ref not in tbs and ref not in events:
                problems.append((n, f"event {ident} refers to {ref}, which is not defined"))
    for typ, a1, a2, n in relations:
        for ref in (a1, a2):
            if ref not in tbs:
                problems.append((n, f"relation refers to {ref}, which is not defined"))
    if problems:
        raise GoldError(source, problems, fix="fix the .ann line listed", what="brat file")

    used: set[str] = set()
    anns = []

    def hull(frag_lists):
        allf = [f for fl in frag_lists for f in fl]
        return [min(f[0] for f in allf), max(f[1] for f in allf)]

    def finish(label, span, slots, target):
        a = {"label": label, "span": span, "slots": slots, "attrs": {}}
        a["attrs"].update({k: v for k, v in attrs.get(target, {}).items()})
        note = notes.get(target, {})
        a["attrs"].update(note.get("attrs", {}))
        for name in note.get("absent", []):
            slots.setdefault(name, [])
        for key in ("rule", "pack"):
            if key in note:
                a[key] = note[key]
        anns.append(a)

    for ident, (typ, trig, args, _n) in events.items():
        ttyp, tfrags, _ = tbs[trig]
        used.add(trig)
        slots: dict[str, list[list[int]]] = {}
        if ttyp.lower() == "cue":
            slots["cue"] = [list(f) for f in tfrags]
        for role, ref in args:
            if ref not in tbs:
                continue
            used.add(ref)
            if typ.upper() == "ATTRIBUTION":
                key = _TYPE_SLOT.get(re.sub(r"\d+$", "", role).lower(), role.lower())
            else:
                key = role
            slots.setdefault(key, []).extend(list(f) for f in tbs[ref][1])
        for v in slots.values():
            v.sort()
        if ttyp.lower() == "cue":
            span = hull(list(slots.values()))
        else:
            span = list(tfrags[0]) if len(tfrags) == 1 else hull([tfrags])
        finish(typ.upper() if typ.lower() == "attribution" else typ, span, slots, ident)
    by_cue: dict[str, dict[str, list[list[int]]]] = {}
    for typ, a1, a2, _n in relations:
        (cue, other) = (a1, a2) if tbs[a1][0].lower() == "cue" else (a2, a1)
        group = by_cue.setdefault(cue, {"cue": [list(f) for f in tbs[cue][1]]})
        key = _TYPE_SLOT.get(re.sub(r"\d+$", "", typ).lower(), typ.lower())
        group.setdefault(key, []).extend(list(f) for f in tbs[other][1])
        used.update((cue, other))
    for cue, slots in by_cue.items():
        for v in slots.values():
            v.sort()
        finish("ATTRIBUTION", hull(list(slots.values())), slots, cue)
    for ident, (typ, frags, _n) in tbs.items():
        if ident in used:
            continue
        finish(typ, [frags[0][0], frags[-1][1]] if len(frags) > 1 else list(frags[0]), {}, ident)
    anns.sort(key=lambda a: (a["span"][0], a["span"][1], a["label"]))
    return {"id": doc_id, "text": text, "meta": {}, "annotations": anns}


def read_brat(ann_path, txt_path=None) -> dict:
    """One record from ``X.ann`` and ``X.txt`` (the id is the file's stem)."""
    ann_path = Path(ann_path)
    txt_path = Path(txt_path) if txt_path else ann_path.with_suffix(".txt")
    try:
        text = txt_path.read_text(encoding="utf-8")
        ann_text = ann_path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {exc.filename}: {exc.strerror}", code="E402", file=str(ann_path),
                         fix="a brat document is X.ann beside X.txt") from None
    return from_brat(ann_text, text, ann_path.stem, str(ann_path))


def read_brat_dir(directory) -> list[dict]:
    """Every ``*.ann`` of a folder (sorted by name) as records."""
    return [read_brat(p) for p in sorted(Path(directory).glob("*.ann"))]


def write_brat(doc: dict, directory) -> Path:
    """Write ``ID.txt`` and ``ID.ann`` into ``directory``; returns the .ann path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]", "_", str(doc["id"]))
    ann = directory / f"{stem}.ann"
    for path, content in ((directory / f"{stem}.txt", doc["text"]), (ann, to_brat(doc))):
        tmp = path.with_name(f".{path.name}.part")
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            fh.write(content)
        os.replace(tmp, path)
    return ann


# --------------------------------------------------------------------------
# Recognizers-Text spec files

_INTERVAL = re.compile(r"^([\[(])\s*([^,]*)\s*,\s*([^,]*)\s*([\])])$")


def _num(s):
    try:
        x = float(str(s).replace(",", "").strip())
    except ValueError:
        return None
    return int(x) if x.is_integer() and abs(x) < 2 ** 53 else x


def recognizers_attrs(result: dict) -> dict:
    """Our QUANTITY attrs for one Recognizers-Text result (their unit names kept).

    ``value`` is a number (None when they give none); an interval value such as
    ``[5,10)`` becomes ``low``/``high``, a half-open one such as ``(20,)``
    becomes ``value`` 20 with ``bound`` ``>`` (``(,40]``: 40 with ``<=``);
    percentages get the unit name ``Percent``.
    """
    res = result.get("Resolution") or {}
    raw_value = res.get("value")
    attrs: dict = {"unit": res.get("unit")}
    m = _INTERVAL.match(str(raw_value or ""))
    if m:
        lo, hi = _num(m.group(2)) if m.group(2) else None, _num(m.group(3)) if m.group(3) else None
        if lo is not None and hi is not None and lo != hi:
            attrs.update(low=lo, high=hi)
        elif lo is not None and hi is not None:
            attrs.update(value=lo, bound="=")
        elif lo is not None:
            attrs.update(value=lo, bound=">=" if m.group(1) == "[" else ">")
        elif hi is not None:
            attrs.update(value=hi, bound="<=" if m.group(4) == "]" else "<")
        else:
            attrs["value"] = None
    else:
        text_value = str(raw_value) if raw_value is not None else ""
        if text_value.endswith("%"):
            text_value = text_value[:-1]
            attrs["unit"] = attrs["unit"] or "Percent"
        attrs["value"] = _num(text_value) if raw_value not in (None, "null") else None
        if "bound" not in attrs:
            attrs["bound"] = "="
    if result.get("TypeName") == "percentage":
        attrs["unit"] = attrs["unit"] or "Percent"
    return attrs


def read_recognizers(path) -> list[dict]:
    """The cases of a Recognizers-Text spec file (or of every ``*.json`` under a folder) as records.

    Each case becomes ``{"id": "<FileStem>-<n>", "text": Input, "meta": {...},
    "annotations": [...]}`` with one QUANTITY annotation per result: ``span``
    is ``[Start, End + 1]`` (their ``End`` is inclusive), ``attrs`` come from
    ``recognizers_attrs`` (value as a number, ``unit`` as *their* unit name,
    such as ``Pound`` or ``United States dollar``; map it to ours yourself),
    and ``raw`` keeps the result as given (``Text``, ``TypeName``,
    ``Resolution``, ``Start``, ``End``).  ``meta`` carries ``source`` (the
    file), ``case`` (0-based), ``line`` (of the case's ``"Input"`` in the file),
    and ``NotSupported``/``NotSupportedByDesign``/``Comment`` when present.
    A case with no results is a negative (no annotations).  Files start with a
    BOM; they are read as ``utf-8-sig``.  A result whose offsets do not select
    its ``Text`` (case-insensitively) raises GoldError naming the line.
    """
    path = Path(path)
    if path.is_dir():
        return [rec for p in sorted(path.rglob("*.json")) for rec in read_recognizers(p)]
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", code="E402", file=str(path)) from None
    try:
        cases = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise GoldError(str(path), [(exc.lineno, f"not valid JSON ({exc.msg})")]) from None
    if not isinstance(cases, list):
        raise GoldError(str(path), [(1, "a spec file is a JSON list of cases")])
    input_lines = [raw.count("\n", 0, m.start()) + 1 for m in re.finditer(r'"Input"\s*:', raw)]
    out, problems = [], []
    for i, case in enumerate(cases):
        line = input_lines[i] if i < len(input_lines) else 1
        if not isinstance(case, dict) or not isinstance(case.get("Input"), str):
            problems.append((line, f"case {i} has no 'Input' text"))
            continue
        text = case["Input"]
        meta = {"source": str(path), "case": i, "line": line}
        for key in ("NotSupported", "NotSupportedByDesign", "Comment"):
            if key in case:
                meta[key] = case[key]
        anns = []
        for r in case.get("Results") or []:
            start, end = r.get("Start"), r.get("End")
            if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start <= end < len(text):
                problems.append((line, f"case {i}: result {r.get('Text')!r} has offsets {start}..{end} outside "
                                       f"the input"))
                continue
            if text[start:end + 1].lower() != str(r.get("Text", "")).lower():
                problems.append((line, f"case {i}: Input[{start}:{end + 1}] is {text[start:end + 1]!r}, "
                                       f"not the result's Text {r.get('Text')!r}"))
                continue
            anns.append({"label": "QUANTITY", "span": [start, end + 1], "slots": {},
                         "attrs": recognizers_attrs(r), "raw": r})
        out.append({"id": f"{path.stem}-{i}", "text": text, "meta": meta, "annotations": anns})
    if problems:
        raise GoldError(str(path), problems, fix="the spec file is not in the format FORMAT.md describes",
                        what="Recognizers-Text spec")
    return out
