"""The bundled quantities pack: its own examples, generated quantities, negatives."""
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine.testing import run_examples

ROOT = Path(__file__).resolve().parent.parent
PACK_PATH = ROOT / "rules" / "quantities.yaml"
LEXICONS = ROOT / "rules" / "lexicons"


@pytest.fixture(scope="module")
def pack():
    return engine.load(PACK_PATH)


def quantities(pack, text):
    return [m for m in pack.extract(text) if m.label == "QUANTITY"]


def test_pack_examples_pass(pack):
    count, failures = run_examples(pack, strict=True)  # each example from its own construction
    assert count >= 60
    assert not failures, "\n".join(f.format() for f in failures)


def test_pack_size_for_the_engine_benchmark(pack):
    assert pack.compiled.rule_count >= 50
    assert pack.compiled.entry_count >= 1000


# -- the units table against pint (an independent oracle) -------------------
DIMENSIONALITY = {
    "length": "[length]", "mass": "[mass]", "time": "[time]", "area": "[length] ** 2",
    "volume": "[length] ** 3", "temperature": "[temperature]", "speed": "[length] / [time]",
    "energy": "[length] ** 2 * [mass] / [time] ** 2", "power": "[length] ** 2 * [mass] / [time] ** 3",
    "frequency": "1 / [time]", "pressure": "[mass] / [length] / [time] ** 2",
}


def _table_rows():
    for name in ("units.tsv", "unit_forms.tsv", "unit_symbols.tsv", "ratios.tsv"):
        for n, line in enumerate((LEXICONS / name).read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].rstrip()
            if line.strip():
                yield name, n, line.split("\t")


def test_units_table_canonical_names_are_pint_units():
    pint = pytest.importorskip("pint")
    ureg = pint.UnitRegistry()
    checked = 0
    for name, n, row in _table_rows():
        assert len(row) == 3, f"{name}:{n}: want surface, canonical, dimension"
        surface, canonical, dimension = row
        if dimension in ("ratio", "count", "calendar"):
            continue  # percentage points, points, decades: not pint units (pint's decade is a ratio)
        unit = ureg.Unit(canonical)  # raises for a name pint does not know
        want = DIMENSIONALITY.get(dimension)
        if want is not None:
            assert unit.dimensionality == ureg.get_dimensionality(want), f"{name}:{n}: {surface}"
            checked += 1
    assert checked > 100


# -- generated quantities -----------------------------------------------------
WORDS = {2: "two", 3: "three", 7: "seven", 12: "twelve", 25: "twenty-five", 40: "forty",
         99: "ninety-nine"}


@st.composite
def numbers(draw):
    """(text, value) in one of several written forms."""
    form = draw(st.sampled_from(["int", "thousands", "decimal", "word", "scale"]))
    if form == "int":
        v = draw(st.integers(2, 999))
        return str(v), v
    if form == "thousands":
        v = draw(st.integers(1000, 999_999))
        return f"{v:,}", v
    if form == "decimal":
        whole, frac = draw(st.integers(0, 99)), draw(st.integers(1, 9))
        return f"{whole}.{frac}", whole + frac / 10
    if form == "word":
        v = draw(st.sampled_from(sorted(WORDS)))
        return WORDS[v], v
    base = draw(st.sampled_from([1.5, 2, 3, 12, 40]))
    scale, mult = draw(st.sampled_from([("million", 10**6), ("billion", 10**9), ("thousand", 1000)]))
    return f"{base:g} {scale}", base * mult


# (surface after the number, canonical unit); money is written before the number
UNITS = [("km", "kilometer"), ("kilometers", "kilometer"), ("miles", "mile"), ("kg", "kilogram"),
         ("tonnes", "metric_ton"), ("per cent", "percent"), ("percent", "percent"), ("%", "percent"),
         ("degrees Celsius", "degree_Celsius"), ("hours", "hour"), ("years", "year"),
         ("square miles", "mile ** 2"), ("mph", "mile / hour"), ("megawatts", "megawatt"),
         ("troops", "troop"), ("civilians", "civilian"), ("voters", "voter"), ("euros", "EUR"),
         ("dollars", "USD")]
PREFIX_MONEY = [("$", "USD"), ("€", "EUR"), ("£", "GBP")]
BOUNDS = [("", "="), ("about ", "~"), ("roughly ", "~"), ("more than ", ">"), ("over ", ">"),
          ("at least ", ">="), ("up to ", "<="), ("as many as ", "<="), ("nearly ", "<"),
          ("almost ", "<")]
BEFORE = ["", "Officials said ", "The report counted ", "By Friday the total was "]
AFTER = [".", " on Monday.", ", the ministry said.", " in the north."]


@settings(max_examples=250, deadline=None)
@given(numbers(), st.sampled_from(UNITS + PREFIX_MONEY), st.sampled_from(BOUNDS),
       st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_generated_quantities(pack, number, unit, bound, before, after):
    num_text, value = number
    surface, canonical = unit
    bound_text, bound_value = bound
    if (surface, canonical) in PREFIX_MONEY:
        quantity = f"{surface}{num_text}"
    else:
        quantity = f"{num_text} {surface}" if surface != "%" else f"{num_text}%"
    text = f"{before}{bound_text}{quantity}{after}"
    if not before:
        text = text[0].upper() + text[1:]
        quantity = text[len(bound_text):len(bound_text) + len(quantity)]
    found = quantities(pack, text)
    assert len(found) == 1, (text, [m.text for m in found])
    m = found[0]
    assert m.text == quantity, text
    assert m.attrs["value"] == pytest.approx(value, rel=1e-5), text
    assert m.attrs["unit"] == canonical, text
    assert m.attrs["bound"] == bound_value, text


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 99), st.integers(3, 999), st.sampled_from([("km", "kilometer"), ("per cent", "percent"),
                                                                 ("workers", "worker")]))
def test_generated_ranges(pack, low, width, unit):
    high = low + width
    surface, canonical = unit
    for text, span in ((f"Estimates ran from {low} to {high} {surface} last year.", f"{low} to {high} {surface}"),
                       (f"It was between {low} and {high} {surface}.", f"{low} and {high} {surface}"),
                       (f"It was {low}-{high} {surface}.", f"{low}-{high} {surface}")):
        found = quantities(pack, text)
        assert [m.text for m in found] == [span], text
        assert (found[0].attrs["low"], found[0].attrs["high"], found[0].attrs["unit"]) == (low, high, canonical)


@pytest.mark.parametrize("text, trend", [
    ("Exports rose 5% in March.", "up"), ("Exports fell by 2.1% in March.", "down"),
    ("The index was down 3 points.", "down"), ("Sales jumped 12 percent.", "up"),
    ("Output declined 4.5 per cent.", "down"),
])
def test_trends(pack, text, trend):
    found = quantities(pack, text)
    assert len(found) == 1 and found[0].attrs.get("trend") == trend, text


# -- negatives ------------------------------------------------------------------
NEGATIVES = [
    "The law was passed in 2014.",
    "She was born on March 3, 1987, in Ohio.",
    "The vote is set for May 5.",
    "The meeting starts at 10:30 on Tuesday.",
    "Polls close at 8 p.m. tonight.",
    "He finished first and she came 21st.",
    "The home side won 3-1 on Sunday.",
    "A 2-1 win sent them through.",
    "Call 555-0199 or (212) 555-0147 for details.",
    "The F-16 and the MiG-29 flew overhead.",
    "COVID-19 spread quickly.",
    "Carriers rolled out 5G in the capital.",
    "One of them said no.",
    "A soldier was wounded.",
    "In 2016 voters chose a new mayor.",
    "Chapter 11 of the report is short.",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negatives(pack, text):
    assert quantities(pack, text) == []


@settings(max_examples=80, deadline=None)
@given(st.integers(1900, 2099), st.sampled_from(["in", "since", "by", "until"]),
       st.sampled_from(["voters", "the troops", "officials", "prices"]))
def test_years_are_not_quantities(pack, year, prep, rest):
    text = f"{prep.capitalize()} {year} {rest} changed."
    assert quantities(pack, text) == [], text


def test_si_conversion_uses_pint(pack):
    m = quantities(pack, "The road is 12 km long.")[0]
    assert m.attrs["si_unit"] == "meter" and m.attrs["si_value"] == pytest.approx(12000)
    m = quantities(pack, "It was 100 degrees Fahrenheit.")[0]
    assert m.attrs["si_unit"] == "kelvin" and m.attrs["si_value"] == pytest.approx(310.927778, rel=1e-6)


RT = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "recognizers-text"


@pytest.mark.skipif(not (RT / "NumberWithUnit").exists(), reason="recognizers-text data not present")
def test_peer_suite_at_least_90_percent(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import json

    import recognizers_text

    out = tmp_path / "rt.json"
    assert recognizers_text.main([str(RT), "-o", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    for name, result in report["files"].items():
        assert result["share_found"] >= 0.9, name


def test_prepare_loads_the_unit_conversions_before_any_match(tmp_path, monkeypatch):
    """Worker processes forked after Pack.prepare inherit the stored SI
    conversions (and pint's registry too, on a machine where none are stored
    yet) instead of each loading them on its first quantity."""
    from engine import norm_quantity

    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    path = Path(__file__).resolve().parent.parent / "rules" / "quantities.yaml"
    for stored in (False, True):
        conversions = norm_quantity._Conversions()
        monkeypatch.setattr(norm_quantity, "CONVERSIONS", conversions)
        norm_quantity._registry.cache_clear()
        pack = engine.load(path)
        assert conversions._table is None and norm_quantity._registry.cache_info().currsize == 0
        pack.prepare()
        assert conversions._table is not None
        # pint's registry only while nothing is stored
        assert norm_quantity._registry.cache_info().currsize == (0 if stored else 1)
        assert bool(conversions.table()) == stored
        conversions.get("kilometer")  # stores the table the second round reads
