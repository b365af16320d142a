"""Rule-pack files: YAML -> a plain, checked intermediate record (``PackSpec``).

This module knows the pack format (documented in docs/packs.md) and nothing
about grammars or scanning: it validates keys and types, reads lexicon files,
expands inflections, follows imports and records where everything came from.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import yamlsrc
from .errors import PackError, did_you_mean
from .inflect import inflections

GRAMMARS_DIR = Path(__file__).resolve().parent.parent / "grammars"

NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")
CLASS_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
LABEL_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
SLOT_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OVERLAP_POLICIES = ("longest", "priority", "all", "apart")

# The schema, in one place: allowed keys per section, with their types.
PACK_KEYS = {"pack": str, "version": (str, int, float), "description": str, "imports": list,
             "options": dict, "lexicons": dict, "rules": dict, "constructions": dict}
OPTION_KEYS = {"overlap": str, "max_repeat": int, "max_tokens": int, "timeout": (int, float)}
LEXICON_KEYS = {"entries": list, "file": str, "inflect": str, "case": str, "description": str,
                "any_of": list, "except": list}
ANCHORS = ("any", "sentence")
CONSTRUCTION_KEYS = {"label": str, "start": str, "slots": (list, dict), "span": (list, str), "attrs": dict,
                     "anchor": str, "report": bool,
                     "normalize": list, "overlap": str, "priority": int, "description": str,
                     "examples": list, "counterexamples": list}
EXAMPLE_KEYS = {"text": str, "match": str, "span": list, "slots": dict, "attrs": dict}
TYPE_NAMES = {str: "text", int: "a whole number", float: "a number", list: "a list",
              dict: "a mapping", bool: "true or false"}


@dataclass
class Where:
    file: str
    line: int | None = None
    column: int | None = None

    def error(self, message, code, rule=None, fix=None) -> PackError:
        return PackError(message, code=code, file=self.file, line=self.line, column=self.column,
                         rule=rule, fix=fix)


def _where(node, key=None, value=False) -> Where:
    if isinstance(node, yamlsrc.YMap):
        line, col = node.where(key, value) if key is not None else node.pos
        return Where(node.file, line, col)
    if isinstance(node, yamlsrc.YList):
        line, col = node.where(key)
        return Where(node.file, line, col)
    return Where("<pack>")


@dataclass
class Entry:
    tokens: tuple[str, ...]  # the entry as the tokenizer cuts it
    value: object
    where: Where


@dataclass
class Lexicon:
    name: str
    entries: list[Entry]
    case_sensitive: bool
    where: Where
    derived: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # (any_of, except) classes


@dataclass
class RuleSource:
    """One rule as Lark text, with a line map back to its source."""

    name: str
    text: str  # "name: alt1\n    | alt2"
    lines: list[Where]  # where each line of ``text`` came from
    where: Where


@dataclass
class Example:
    text: str
    match: str | None
    span: tuple[int, int] | None
    slots: dict
    attrs: dict
    where: Where
    label: str | None = None


@dataclass
class Construction:
    name: str
    label: str
    start: str
    slots: dict[str, str | None]  # slot name -> rule (or alias) name; None: never filled
    span_slots: list[str]  # the reported span is the hull of these slots (empty: the whole match)
    attrs: dict
    normalize: list[tuple[str, dict]]
    overlap: str
    priority: int
    anchor: str  # "any": a match may start at any token; "sentence": only where a sentence starts
    examples: list[Example]
    counterexamples: list[Example]
    where: Where
    report: bool = True  # False: a guard that claims its span but is never reported
    normalize_where: list[Where] = field(default_factory=list)  # where each of ``normalize`` is written


@dataclass
class PackSpec:
    name: str
    version: str
    file: str
    description: str = ""
    options: dict = field(default_factory=dict)
    lexicons: dict[str, Lexicon] = field(default_factory=dict)
    rules: dict[str, RuleSource] = field(default_factory=dict)
    fragments: list[tuple[str, str]] = field(default_factory=list)  # (path, text) of .lark imports
    constructions: dict[str, Construction] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # path -> sha256 of its bytes

    def content_hash(self, salt: str = "") -> str:
        h = hashlib.sha256(salt.encode())
        for path in sorted(self.sources):
            h.update(self.sources[path].encode())
        return h.hexdigest()[:12]


def _read_bytes(path: Path, where: Where, code: str, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise where.error(f"cannot read {what} '{path}': {exc.strerror}", code) from None


def _check_keys(node, allowed: dict, what: str, rule=None, where: Where | None = None):
    if not isinstance(node, dict):
        raise (where or _where(node)).error(f"{what} must be a mapping, not {_type_name(node)}", "E112",
                                            rule=rule)
    for key, value in node.items():
        w = _where(node, key)
        if key not in allowed:
            raise w.error(f"unknown key '{key}' in {what}{did_you_mean(str(key), allowed)}", "E110",
                          rule=rule, fix=f"allowed keys here: {', '.join(allowed)}")
        want = allowed[key]
        if value is not None and not isinstance(value, want) or (isinstance(value, bool) and bool not in (
                want if isinstance(want, tuple) else (want,))):
            names = " or ".join(TYPE_NAMES.get(t, t.__name__) for t in (want if isinstance(want, tuple) else (want,)))
            raise _where(node, key, value=True).error(
                f"'{key}' in {what} must be {names}, not {type(value).__name__}", "E112", rule=rule)


def _type_name(value) -> str:
    return next((name for t, name in TYPE_NAMES.items() if isinstance(value, t) and not (
        isinstance(value, bool) and t is int)), type(value).__name__)


def _decode(raw: bytes, where: Where, code: str, what: str) -> str:
    """UTF-8 text of a file's bytes; an error naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PackError(f"{what} is not UTF-8 (byte {exc.start}, 0x{raw[exc.start]:02x})", code=code,
                        file=where.file, line=line, fix="save the file as UTF-8") from None


def _tokens_of(text: str) -> tuple[str, ...]:
    from .tokenizer import split_key, tokenize

    return tuple(split_key(k)[0] for k in tokenize(text).keys)


def load_spec(path, _stack: tuple[str, ...] = ()) -> PackSpec:
    """Read and check a pack file and everything it imports."""
    path = Path(path)
    file = str(path)
    resolved = str(path.resolve())
    if resolved in _stack:
        chain = " -> ".join(Path(p).name for p in _stack + (resolved,))
        raise PackError(f"cyclic import: {chain}", code="E205", file=file)
    raw = _read_bytes(path, Where(file), "E100", "the pack file")
    data = yamlsrc.loads(_decode(raw, Where(file), "E100", "the pack file"), file)
    if not isinstance(data, dict):
        raise PackError("the top of a pack must be a mapping that starts with 'pack: NAME'", code="E103",
                        file=file, line=1)
    _check_keys(data, PACK_KEYS, "the pack")
    if "pack" not in data:
        raise _where(data).error("the pack has no 'pack:' name", "E111", fix="add 'pack: NAME' at the top")
    name = data["pack"]
    if not NAME_RE.match(str(name)):
        raise _where(data, "pack", True).error(f"pack name '{name}' is not valid", "E114",
                                               fix="use lower-case letters, digits and '_'")
    spec = PackSpec(name=name, version=str(data.get("version", "0")), file=file,
                    description=data.get("description") or "")
    spec.sources[resolved] = hashlib.sha256(raw).hexdigest()

    options = data.get("options") or yamlsrc.YMap()
    if options:
        _check_keys(options, OPTION_KEYS, "options")
        overlap = options.get("overlap", "longest")
        if overlap not in OVERLAP_POLICIES:
            raise _where(options, "overlap", True).error(
                f"unknown overlap policy '{overlap}'{did_you_mean(overlap, OVERLAP_POLICIES)}", "E113",
                fix=f"use one of: {', '.join(OVERLAP_POLICIES)}")
        for key in ("max_repeat", "max_tokens", "timeout"):
            value = options.get(key)
            if value is not None and not (0 < value < float("inf")):
                raise _where(options, key, True).error(
                    f"'{key}' in options must be above 0 and finite, not {value}", "E113",
                    fix="give a positive number: a count of tokens, or seconds per 100,000 tokens for 'timeout'")
    spec.options = dict(options)

    for i, item in enumerate(data.get("imports") or []):
        _import(spec, path, item, _where(data["imports"], i), _stack + (resolved,))

    for lname, ldef in (data.get("lexicons") or {}).items():
        w = _where(data["lexicons"], lname)
        if not CLASS_RE.match(str(lname)):
            raise w.error(f"lexicon name '{lname}' is not valid", "E114",
                          fix="lexicon classes are UPPER_CASE names, such as SAY or UNIT")
        lex = _lexicon(path, str(lname), ldef, w, spec)
        _add_unique(spec.lexicons, lex.name, lex, w, "lexicon")

    for rname, rdef in (data.get("rules") or {}).items():
        w = _where(data["rules"], rname)
        bare = str(rname).lstrip("?!")
        if not NAME_RE.match(bare):
            raise w.error(f"rule name '{rname}' is not valid", "E114",
                          fix="rule names are lower_case (an optional '?' in front inlines the rule)")
        _add_unique(spec.rules, bare, _rule_source(str(rname), rdef, data["rules"], w), w, "rule")

    for cname, cdef in (data.get("constructions") or {}).items():
        w = _where(data["constructions"], cname)
        if not NAME_RE.match(str(cname)):
            raise w.error(f"construction name '{cname}' is not valid", "E114",
                          fix="construction names are lower_case, like rule names")
        spec.constructions[cname] = _construction(str(cname), cdef, w, spec)
    return spec


def _add_unique(table: dict, name: str, value, where: Where, what: str):
    if name in table:
        first = table[name].where
        raise where.error(f"{what} '{name}' is defined twice (also at {first.file}:{first.line})", "E200")
    table[name] = value


def _import(spec: PackSpec, pack_path: Path, item, where: Where, stack):
    if not isinstance(item, str):
        raise where.error("an import is a path: 'grammars/numbers.lark' or 'other_pack.yaml'", "E112")
    target = (pack_path.parent / item)
    if not target.exists() and (GRAMMARS_DIR / item).exists():
        target = GRAMMARS_DIR / item
    if not target.exists() and item.endswith(".lark") and (GRAMMARS_DIR / Path(item).name).exists():
        target = GRAMMARS_DIR / Path(item).name
    if not target.exists():
        raise where.error(f"import '{item}' not found (looked beside the pack and in grammars/)", "E208")
    if item.endswith(".lark"):
        raw = _read_bytes(target, where, "E208", "the grammar fragment")
        spec.sources[str(target.resolve())] = hashlib.sha256(raw).hexdigest()
        spec.fragments.append((str(target), _decode(raw, Where(str(target)), "E208", "the grammar fragment")))
        return
    if not item.endswith((".yaml", ".yml")):
        raise where.error(f"import '{item}' is neither a .lark fragment nor a .yaml pack", "E208")
    other = load_spec(target, stack)
    spec.sources.update(other.sources)
    spec.fragments.extend(other.fragments)
    for lname, lex in other.lexicons.items():
        _add_unique(spec.lexicons, lname, lex, where, "lexicon")
    for rname, rule in other.rules.items():
        _add_unique(spec.rules, rname, rule, where, "rule")


def _lexicon(pack_path: Path, name: str, ldef, where: Where, spec: PackSpec) -> Lexicon:
    if isinstance(ldef, list):  # shorthand: a plain list of entries
        ldef = {"entries": ldef}
    _check_keys(ldef, LEXICON_KEYS, f"lexicon {name}", where=where)
    case = ldef.get("case", "insensitive")
    if case not in ("insensitive", "sensitive"):
        raise _where(ldef, "case", True).error(f"case must be 'insensitive' or 'sensitive', not '{case}'", "E113")
    inflect = ldef.get("inflect", "none")
    if inflect not in ("none", "verb", "noun"):
        raise _where(ldef, "inflect", True).error(
            f"inflect must be 'verb', 'noun' or 'none', not '{inflect}'{did_you_mean(inflect, ('verb', 'noun'))}",
            "E113")
    if "any_of" in ldef or "except" in ldef:
        if "entries" in ldef or "file" in ldef:
            raise _where(ldef).error(f"lexicon {name} mixes entries with 'any_of'/'except'", "E112",
                                     fix="a class is either a list of entries or a set expression over classes")
        any_of = tuple(str(x) for x in (ldef.get("any_of") or ["ANY"]))
        excluded = tuple(str(x) for x in (ldef.get("except") or []))
        return Lexicon(name, [], False, where, derived=(any_of, excluded))
    if "entries" not in ldef and "file" not in ldef:
        raise _where(ldef).error(f"lexicon {name} has neither 'entries' nor 'file'", "E111",
                                 fix="add 'entries: [...]', 'file: PATH', or 'any_of'/'except' classes")
    raw_entries: list[tuple[str, object, Where, list | None]] = []
    entries_node = ldef.get("entries") or []
    for i, item in enumerate(entries_node):
        w = _where(entries_node, i)
        forms = None
        if isinstance(item, dict) and len(item) == 1:
            (word, value), = item.items()
            if isinstance(value, list):  # say: [says, said, saying] lists the forms
                forms, value = [str(v) for v in value], None
        elif isinstance(item, (str, int, float)):
            word, value = item, None
        else:
            raise w.error("a lexicon entry is a word, or 'word: value', or 'lemma: [form, form]'", "E207")
        raw_entries.append((str(word), value, w, forms))
    if "file" in ldef:
        lex_path = pack_path.parent / ldef["file"]
        fw = _where(ldef, "file", True)
        raw = _read_bytes(lex_path, fw, "E206", "the lexicon file")
        spec.sources[str(lex_path.resolve())] = hashlib.sha256(raw).hexdigest()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise fw.error(f"lexicon file '{lex_path}' is not UTF-8 (byte {exc.start})", "E206") from None
        for n, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].rstrip() if not line.lstrip().startswith("\\#") else line
            if not line.strip():
                continue
            word, _, value = line.partition("\t")
            if not word.strip():
                raise Where(str(lex_path), n, 1).error("the line has a value but no entry", "E207")
            raw_entries.append((word.strip(), value.strip() or None, Where(str(lex_path), n, 1), None))
    entries = []
    for word, value, w, forms in raw_entries:
        toks = _tokens_of(word)
        if not toks:
            raise w.error(f"empty lexicon entry in {name}", "E207")
        surfaces = [word]
        if forms is not None:
            surfaces += forms
        elif inflect != "none" and len(toks) == 1:
            surfaces += inflections(word, inflect)
        elif inflect != "none":  # inflect the head: the first word of a verb, the last of a noun
            head = 0 if inflect == "verb" else len(toks) - 1
            for form in inflections(toks[head], inflect):
                surfaces.append(" ".join(toks[:head] + (form,) + toks[head + 1:]))
        for surface in dict.fromkeys(surfaces):
            entries.append(Entry(_tokens_of(surface), value if value is not None else word, w))
    return Lexicon(name, entries, case == "sensitive", where)


def _rule_source(key: str, rdef, parent, where: Where) -> RuleSource:
    bare = key.lstrip("?!")
    if isinstance(rdef, str):
        alts, alt_where = [rdef], [_where(parent, key, value=True)]
    elif isinstance(rdef, list) and rdef and all(isinstance(a, str) for a in rdef):
        alts, alt_where = list(rdef), [_where(rdef, i) for i in range(len(rdef))]
    else:
        raise where.error("a rule is a Lark expansion, or a list of alternatives", "E112", rule=bare,
                          fix="write 'name: CAPWORD+' or a list of alternatives under the name")
    lines: list[Where] = []
    parts: list[str] = []
    for i, (alt, w) in enumerate(zip(alts, alt_where)):
        sub = alt.strip("\n").split("\n")
        for k, piece in enumerate(sub):
            lead = f"{key}: " if i == 0 and k == 0 else ("    | " if k == 0 else "      ")
            parts.append(lead + piece)
            lines.append(Where(w.file, (w.line or 0) + k, (w.column or 1) if k == 0 else 1))
    return RuleSource(bare, "\n".join(parts) + "\n", lines, where)


def _construction(name: str, cdef, where: Where, spec: PackSpec) -> Construction:
    _check_keys(cdef, CONSTRUCTION_KEYS, f"construction {name}", rule=name, where=where)
    if "label" not in cdef:
        raise where.error(f"construction '{name}' has no label", "E111", rule=name,
                                 fix="add 'label: ATTRIBUTION' (an UPPER_CASE name)")
    label = cdef["label"]
    if not LABEL_RE.match(label):
        raise _where(cdef, "label", True).error(f"label '{label}' is not valid", "E114", rule=name,
                                                fix="labels are UPPER_CASE, such as QUANTITY")
    slots_node = cdef.get("slots") or []
    if isinstance(slots_node, list):
        slots = {str(s): str(s) for s in slots_node}
    else:
        # a slot mapped to null is declared but never filled: always reported as []
        slots = {str(k): (None if v is None else str(v)) for k, v in slots_node.items()}
    for s in slots:
        if not SLOT_RE.match(s):
            raise _where(cdef, "slots", True).error(f"slot name '{s}' is not valid", "E114", rule=name,
                                                    fix="slot names are lower_case")
    span_node = cdef.get("span") or []
    span_slots = [span_node] if isinstance(span_node, str) else [str(x) for x in span_node]
    for s in span_slots:
        if s not in slots:
            raise _where(cdef, "span", True).error(f"span names slot '{s}', which is not in 'slots'"
                                                   f"{did_you_mean(s, slots)}", "E204", rule=name)
    anchor = cdef.get("anchor", "any")
    if anchor not in ANCHORS:
        raise _where(cdef, "anchor", True).error(f"unknown anchor '{anchor}'{did_you_mean(anchor, ANCHORS)}",
                                                 "E113", rule=name, fix=f"use one of: {', '.join(ANCHORS)}")
    overlap = cdef.get("overlap", spec.options.get("overlap", "longest"))
    if overlap not in OVERLAP_POLICIES:
        raise _where(cdef, "overlap", True).error(
            f"unknown overlap policy '{overlap}'{did_you_mean(overlap, OVERLAP_POLICIES)}", "E113", rule=name,
            fix=f"use one of: {', '.join(OVERLAP_POLICIES)}")
    normalize = []
    norm_node = cdef.get("normalize") or []
    for i, item in enumerate(norm_node):
        if isinstance(item, str):
            normalize.append((item, {}))
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            normalize.append((item["name"], {k: v for k, v in item.items() if k != "name"}))
        else:
            raise _where(norm_node, i).error("a normalizer is a name, or a mapping with 'name:' and arguments",
                                             "E112", rule=name)
    examples = [_example(e, _where(cdef["examples"], i), name, True)
                for i, e in enumerate(cdef.get("examples") or [])]
    counter = [_example(e, _where(cdef["counterexamples"], i), name, False)
               for i, e in enumerate(cdef.get("counterexamples") or [])]
    return Construction(name=name, label=label, start=cdef.get("start", name), slots=slots, span_slots=span_slots,
                        attrs=dict(cdef.get("attrs") or {}), normalize=normalize, overlap=overlap,
                        priority=int(cdef.get("priority", 0)), anchor=anchor, examples=examples,
                        counterexamples=counter, where=where, report=cdef.get("report") is not False,
                        normalize_where=[_where(norm_node, i) for i in range(len(normalize))])


def _example(node, where: Where, cname: str, positive: bool) -> Example:
    if isinstance(node, str):
        return Example(node, node if positive else None, None, {}, {}, where)
    _check_keys(node, EXAMPLE_KEYS, "an example", rule=cname, where=where)
    if "text" not in node:
        raise where.error("an example needs 'text:'", "E111", rule=cname)
    text = node["text"]
    span = node.get("span")
    if span is not None:
        if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) for x in span)
                and 0 <= span[0] < span[1] <= len(text)):
            raise _where(node, "span", True).error("span must be [start, end] inside the text", "E112", rule=cname)
        span = (span[0], span[1])
    match = node.get("match", text if positive and span is None else None)
    if match is not None and match not in text:
        raise _where(node, "match", True).error(f"the match '{match}' does not occur in the example text", "E112",
                                                rule=cname, fix="copy the matched words from the text exactly")
    for slot, value in (node.get("slots") or {}).items():
        values = value if isinstance(value, list) else [value]
        for v in values:
            if not isinstance(v, str) or v not in text:
                raise _where(node["slots"], slot, True).error(
                    f"slot '{slot}': '{v}' does not occur in the example text", "E112", rule=cname)
    return Example(text, match, span, dict(node.get("slots") or {}), dict(node.get("attrs") or {}), where)
