"""Normalizers for the quantities pack (values, units, bounds, trends).

One normalizer, ``quantity``, reads the slots of a match and returns the
gold-format attrs: ``value`` (or ``low`` and ``high``), ``unit``, ``bound``,
optional ``trend``, ``surface_unit``, ``dimension`` and, for physical units,
``si_value`` and ``si_unit``.

Everything it knows about words comes from the pack's lexicons: number words,
scales and fractions carry their values, and the units table (lexicon files
whose lines read ``surface <TAB> canonical <TAB> dimension [<TAB> multiplier]``)
gives the canonical unit.  pint is imported only when a physical unit needs
converting to SI, and each unit's conversion is computed once and kept in
the larkspan cache (``_Conversions``), so later processes do without pint.
"""
from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from importlib import metadata

from . import cache
from .normalizers import MatchView, parse_number, register

#: Lexicons the pack defines, by role.  A pack may rename them through the
#: normalizer's arguments (``units``, ``numbers`` ...).
UNIT_LEXICONS = ("UNIT_SYM", "UNIT", "UNIT_FORM", "RATIO", "CUR_FORM", "CUR_WORD", "POUNDW", "CENTW")
MONEY_LEXICONS = ("CUR_FORM", "CUR_WORD", "POUNDW", "CENTW")
NON_PHYSICAL = {"currency", "ratio", "count", "calendar"}  # no SI conversion for these
_SIGNS = {"-": -1, "−": -1, "minus": -1, "+": 1}
_SKIP = {"of", "and", "-"}


class NumberParse:
    """The value of a number's tokens, plus what the normalizer needs to know
    about how it was written."""

    __slots__ = ("value", "scale", "plural_scale", "fraction_word")

    def __init__(self, value, scale, plural_scale, fraction_word):
        self.value = value
        self.scale = scale
        self.plural_scale = plural_scale
        self.fraction_word = fraction_word


def _lex(m: MatchView, lexicon: str, word: str):
    return m.lexicon_value(lexicon, [word])


def _num(value):
    """A lexicon value (str or number) as a number."""
    if isinstance(value, (int, float)):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def parse_amount(m: MatchView, words: list[str]) -> NumberParse | None:
    """'1.5 million' -> 1500000, 'twenty five' -> 25, 'two and a half' -> 2.5,
    'half a million' -> 500000, 'hundreds of' -> 100 (plural scale)."""
    total = 0.0
    cur = None
    sign = 1
    scale = 1
    plural = False
    fraction_word = False
    prev_digits = False
    seen = False
    for i, w in enumerate(words):
        low = w.lower()
        if not seen and low in _SIGNS:
            sign = _SIGNS[low]
            continue
        digits = parse_number(w)
        if digits is not None:
            if cur is not None and prev_digits and "/" in w:  # 2 1/2
                cur += digits
            else:
                cur = (cur or 0) + digits
            prev_digits = True
            seen = True
            continue
        prev_digits = False
        if low in ("a", "an"):
            if cur is None:
                cur = 1
            continue
        if low in _SKIP:
            if low == "and" and cur is not None:
                total += cur
                cur = None
            continue
        word = _num(_lex(m, "NUMWORD", w))
        if word is not None:
            cur = (cur or 0) + word
            seen = True
            continue
        plural_value = _num(_lex(m, "SCALE_PL", w))
        scale_value = _num(_lex(m, "SCALE", w))
        if scale_value is None and seen:
            scale_value = _num(_lex(m, "MONEY_SCALE", w))
        if plural_value is not None and scale_value is None:
            scale_value = plural_value
            plural = True
        if scale_value is not None:
            base = cur if cur is not None else 1
            if scale_value >= 1000:
                total += base * scale_value
                cur = None
            else:
                cur = base * scale_value
            scale *= scale_value
            seen = True
            continue
        frac = _num(_lex(m, "FRACCOMP", w))
        if frac is None:
            frac = _num(_lex(m, "FRACHALF", w))
        if frac is None:
            frac = _num(_lex(m, "FRACWORD", w))
        if frac is not None:
            cur = (cur if cur is not None else 1) * frac
            fraction_word = True
            seen = True
            continue
        vulgar = _num(_lex(m, "VULGAR", w))
        if vulgar is not None:
            cur = (cur or 0) + vulgar
            seen = True
            continue
        return None  # a word the number rules do not know: not ours
    if not seen:
        return None
    value = sign * (total + (cur or 0))
    return NumberParse(_tidy(value), scale, plural, fraction_word)


def _tidy(value):
    """Round away float noise; whole numbers become int."""
    if isinstance(value, float):
        value = round(value, 9)
        if value.is_integer() and abs(value) < 1e15:
            return int(value)
    return value


def lookup_unit(m: MatchView, words: list[str], lexicons=UNIT_LEXICONS):
    """(canonical, dimension, multiplier) for a unit's words, or None."""
    words = [w for w in words if w not in ("(", ")", "[", "]", "{", "}", "<", ">")]
    if not words:
        return None
    for lex in lexicons:
        value = m.lexicon_value(lex, words)
        if value is None:
            continue
        parts = str(value).split("\t")
        canonical = parts[0].strip()
        dimension = parts[1].strip() if len(parts) > 1 else None
        mult = _num(parts[2]) if len(parts) > 2 else 1
        return canonical, dimension, mult or 1
    return None


def split_compound(m: MatchView, token: str):
    """'six-mile' -> (6, 'mile'), 'five-year-old' -> (5, 'year-old')."""
    parts = token.split("-")
    for k in range(len(parts) - 1, 0, -1):
        head, tail = "-".join(parts[:k]), "-".join(parts[k:])
        number = _num(_lex(m, "NUMWORD", head))
        if number is None:
            scale = _num(_lex(m, "SCALE", head))
            number = scale if scale is not None and scale >= 100 else None
        if number is not None:
            return number, tail
    return None


@lru_cache(maxsize=1)
def _registry():
    import pint  # imported on first use only: with its registry it costs 0.6 s or more

    return pint.UnitRegistry()


class _Conversions:
    """What pint said about each unit (``[si_unit, a, b]``, or None when it
    could not convert it), kept in the larkspan cache under a name that holds
    pint's version.  A new process then converts the units it has met before
    without importing pint, which with its registry took 0.6 s or more.  A
    unit met for the first time goes to pint and is added to the stored table."""

    def __init__(self):
        self._lock = threading.Lock()
        self._table: dict | None = None
        self._name: str | None = None

    def name(self) -> str:
        if self._name is None:
            try:
                version = metadata.version("pint")
            except metadata.PackageNotFoundError:
                version = "none"
            self._name = "units-" + hashlib.sha256(f"pint {version}".encode()).hexdigest()[:16]
        return self._name

    def table(self) -> dict:
        if self._table is None:
            self._table = _read_table(cache.get_blob(self.name()))
        return self._table

    def get(self, unit: str):
        with self._lock:
            table = self.table()
            if unit in table:
                found = table[unit]
                return None if found is None else tuple(found)
        found = _ask_pint(unit)
        with self._lock:
            table[unit] = None if found is None else list(found)
            # another process may have stored units meanwhile: keep theirs too
            stored = _read_table(cache.get_blob(self.name()))
            stored.update(table)
            table.update(stored)
            cache.put_blob(self.name(), json.dumps(stored, sort_keys=True).encode())
        return found


def _read_table(data: bytes | None) -> dict:
    """The stored table, or an empty one when there is none or it is damaged."""
    if not data:
        return {}
    try:
        table = json.loads(data)
    except ValueError:
        return {}
    if not isinstance(table, dict):
        return {}
    return {unit: conv for unit, conv in table.items()
            if conv is None or (isinstance(conv, list) and len(conv) == 3 and isinstance(conv[0], str)
                                and all(isinstance(x, (int, float)) for x in conv[1:]))}


def _ask_pint(unit: str):
    try:
        ureg = _registry()
        zero = ureg.Quantity(0.0, unit).to_base_units()
        one = ureg.Quantity(1.0, unit).to_base_units()
    except Exception:  # an unknown unit or one without base units
        return None
    return str(one.units), one.magnitude - zero.magnitude, zero.magnitude


CONVERSIONS = _Conversions()


def _prepare():
    """Before a batch (``Pack.prepare``): the stored table, and pint's
    registry too while the table is empty (the first run on a machine)."""
    if not CONVERSIONS.table():
        _registry()


@lru_cache(maxsize=2048)
def si_conversion(unit: str):
    """(si_unit, a, b) with si_value = a * value + b; None if pint cannot."""
    return CONVERSIONS.get(unit)


def to_si(value, unit: str):
    conv = si_conversion(unit)
    if conv is None:
        return None
    si_unit, a, b = conv
    return _tidy(round(a * value + b, 9)), si_unit


@lru_cache(maxsize=256)
def convert(value: float, unit: str, target: str):
    """A value in ``unit`` expressed in ``target`` ("5 feet 10": the inches
    in feet): through both units' stored SI conversions when they share an
    SI unit, so a process that has met both before needs no pint; else
    through pint."""
    source, goal = si_conversion(unit), si_conversion(target)
    if source is not None and goal is not None and source[0] == goal[0] and goal[1]:
        return (source[1] * value + source[2] - goal[2]) / goal[1]
    return _registry().Quantity(value, unit).to(target).magnitude


def _first_tokens(m: MatchView, slots) -> tuple[str | None, list[str]]:
    for slot in slots:
        spans = m.slot_spans(slot)
        if spans:
            s, e = spans[0]
            return slot, m.token_texts(s, e)
    return None, []


def _last_tokens(m: MatchView, slot: str) -> list[str]:
    spans = m.slot_spans(slot)
    if not spans:
        return []
    s, e = spans[-1]
    return m.token_texts(s, e)


def _slot_words(m: MatchView, slot: str) -> list[str]:
    return m.slot_tokens(slot)


@register("quantity", prepare=_prepare)
def quantity(m: MatchView, kind: str = "measure", units=UNIT_LEXICONS):
    """attrs of a quantity match; ``kind`` is money, ratio, measure or counted."""
    if m.slot_spans("date") or m.slot_spans("clock"):
        return None  # "Feb. 13 death", "about 10 a.m.": dates and times of day
    attrs: dict = {}
    unit = dimension = surface = None
    mult = 1

    # -- the unit ----------------------------------------------------------
    compound = m.slot_tokens("compound")
    compound_value = None
    if compound:
        split = split_compound(m, compound[0])
        if split is None:
            return None
        compound_value, tail = split
        found = lookup_unit(m, [tail], units) or lookup_unit(m, [tail.replace("-", " ")], units)
        if found is None:
            return None
        unit, dimension, mult = found
        surface = tail
    elif kind == "money":
        _, words = _first_tokens(m, ("cur", "cur_post", "cur_word", "pounds"))
        if not words:
            _, words = _first_tokens(m, ("subcur",))
        found = lookup_unit(m, words, MONEY_LEXICONS)
        if found is None:
            return None
        unit, dimension, mult = found
        surface = " ".join(words)
    elif kind == "bare":
        pass  # no unit
    elif kind == "counted":
        words = _last_tokens(m, "noun")
        lemma = m.lexicon_value("NOUN", words)
        if lemma is None:
            return None
        unit, dimension = str(lemma).lower(), "count"
        surface = " ".join(words)
    else:
        name_words = _last_tokens(m, "uname") or _last_tokens(m, "unit")
        if kind == "measure" and m.slot_spans("feet"):
            name_words = _last_tokens(m, "feet")
        if m.slot_spans("age") and not name_words:
            unit, dimension, surface = "year", "time", None
        else:
            found = lookup_unit(m, name_words, units)
            if found is None:
                return None
            unit, dimension, mult = found
            surface = " ".join(w for w in name_words if w not in "()[]{}<>")
            den = _last_tokens(m, "den")
            if den:
                found = lookup_unit(m, den, units)
                if found is None:
                    return None
                unit = f"{unit} / {found[0]}"
                dimension = f"{dimension} / {found[1]}"
                surface = " ".join(_last_tokens(m, "unit"))

    # -- the number --------------------------------------------------------
    if compound_value is not None:
        attrs["value"] = compound_value
        plural = False
    elif m.slot_spans("low") and m.slot_spans("high"):
        lo = parse_amount(m, _first_tokens(m, ("low",))[1])
        hi = parse_amount(m, _first_tokens(m, ("high",))[1])
        if lo is None or hi is None:
            return None
        if not m.slot_spans("between"):  # "3 and 5 km" is a range only after "between"
            gap = m.token_texts(m.slot_spans("low")[0][1], m.slot_spans("high")[0][0])
            if any(w.lower() == "and" for w in gap):
                return None
        low, high = lo.value, hi.value
        if lo.scale == 1 and hi.scale > 1 and low * hi.scale <= high:
            low = _tidy(low * hi.scale)  # "$3 to $5 million", "5-10 billion"
        if not low < high:
            return None  # "2-1": a score, not a range
        attrs["low"], attrs["high"] = _tidy(low * mult), _tidy(high * mult)
        plural = lo.plural_scale
    else:
        slot, words = _first_tokens(m, ("value", "mvalue", "scaled"))
        parsed = parse_amount(m, words)
        if parsed is None:
            return None
        value = parsed.value
        plural = parsed.plural_scale
        # "a third" is a fraction only before "of" ("a third term" is an ordinal);
        # "of the" between number and noun is kept only for fractions ("two of the troops" is not 2 troops)
        followed_by_of = _next_word(m, slot) == "of"
        if _ordinal_like(m, words) and not followed_by_of:
            return None
        if m.slot_spans("of") and not parsed.fraction_word:
            return None
        # "half an hour" is fine, "5 a day" is not a quantity of days
        if kind == "measure" and not parsed.fraction_word and _article_before_unit(m):
            return None
        if m.slot_spans("sub"):
            sub = parse_amount(m, m.slot_tokens("sub"))
            if sub is None or not 0 <= sub.value < 100:
                return None
            value = value + sub.value / 100
        if m.slot_spans("inches"):
            inches = parse_amount(m, _last_tokens(m, "value"))
            if inches is None:
                return None
            first = parse_amount(m, _first_tokens(m, ("value",))[1])
            value = first.value + convert(float(inches.value), "inch", unit)
        for w in m.slot_tokens("post_scale"):  # "75 USD million"
            value = value * (_num(_lex(m, "SCALE", w)) or 1)
        attrs["value"] = _tidy(value * mult)

    # -- bound and trend ---------------------------------------------------
    bound = None
    words = m.slot_tokens("bound")
    if words:
        bound = m.lexicon_value("BOUND", words)
    words = m.slot_tokens("post_bound")
    if words and bound is None:
        bound = m.lexicon_value("BOUND_POST", words)
    if bound is None:
        bound = ">=" if plural else "="
    attrs["unit"] = unit
    attrs["bound"] = bound
    trend_words = m.slot_tokens("trend")
    if trend_words:
        trend = m.lexicon_value("TREND", trend_words[:1]) or m.lexicon_value("TREND_ADV", trend_words[:1])
        if trend:
            attrs["trend"] = trend
    if surface:
        attrs["surface_unit"] = surface
    if dimension:
        attrs["dimension"] = dimension

    # -- SI, through pint (lazily) -----------------------------------------
    if dimension and not any(d in NON_PHYSICAL for d in dimension.split(" / ")) and "value" in attrs:
        si = to_si(attrs["value"], unit)
        if si is not None:
            attrs["si_value"], attrs["si_unit"] = si
    return attrs


def _article_before_unit(m: MatchView) -> bool:
    """True when the value and the unit are separated by 'a'/'an'."""
    values = m.slot_spans("value")
    units = m.slot_spans("uname") or m.slot_spans("unit")
    if not values or not units:
        return False
    between = m.token_texts(values[0][1], units[-1][0])
    return any(w.lower() in ("a", "an") for w in between)


def _next_word(m: MatchView, slot: str | None) -> str | None:
    """The lower-cased token right after the first fragment of ``slot``."""
    spans = m.slot_spans(slot) if slot else []
    if not spans:
        return None
    end = spans[0][1]
    if end >= len(m.tokens):
        return None
    return m.token_texts(end, end + 1)[0].lower()


def _ordinal_like(m: MatchView, words: list[str]) -> bool:
    """'a third', 'a fifth': an article and a fraction word that is also an ordinal."""
    if len(words) != 2 or words[0].lower() not in ("a", "an"):
        return False
    return m.lexicon_value("FRACHALF", words[1:]) is None and m.lexicon_value("FRACWORD", words[1:]) is not None
