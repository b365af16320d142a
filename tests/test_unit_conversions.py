"""The SI conversions pint gives are kept in the larkspan cache, so that a
new process converts units it has met before without importing pint."""
import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine import cache, norm_quantity

ROOT = Path(__file__).resolve().parent.parent
LEXICONS = ROOT / "rules" / "lexicons"


def _canonical_units():
    out = set()
    for name in ("units.tsv", "unit_forms.tsv", "unit_symbols.tsv"):
        for line in (LEXICONS / name).read_text(encoding="utf-8").splitlines():
            row = line.split("#", 1)[0].rstrip().split("\t")
            if len(row) == 3 and row[2] not in norm_quantity.NON_PHYSICAL:
                out.add(row[1])
    return sorted(out)


UNITS = _canonical_units()


def test_the_units_table_gives_the_physical_units_to_convert():
    assert len(UNITS) > 30 and "kilometer" in UNITS


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(UNITS + ["no_such_unit", "troop"]), min_size=1, max_size=6))
def test_stored_conversions_are_what_pint_says(units):
    """Oracle: pint itself.  A fresh table (a new process) that reads what an
    earlier one stored answers exactly as pint does, for known units and for
    names pint cannot convert."""
    first = norm_quantity._Conversions()
    for unit in units:
        assert first.get(unit) == norm_quantity._ask_pint(unit)
    later = norm_quantity._Conversions()
    assert set(units) <= set(later.table())
    for unit in units:
        assert later.get(unit) == norm_quantity._ask_pint(unit)


def test_a_damaged_table_is_ignored_and_written_again(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    conv = norm_quantity._Conversions()
    for damaged in (b"{not json", b"[1, 2]", json.dumps({"meter": ["meter", "one", 0]}).encode()):
        cache.put_blob(conv.name(), damaged)
        fresh = norm_quantity._Conversions()
        assert fresh.table() == {}
        assert fresh.get("mile") == norm_quantity._ask_pint("mile")
        assert norm_quantity._Conversions().table() == {"mile": list(norm_quantity._ask_pint("mile"))}


def test_two_processes_storing_different_units_keep_both(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    a, b = norm_quantity._Conversions(), norm_quantity._Conversions()
    a.table(), b.table()  # both read the (empty) table before either writes
    a.get("mile")
    b.get("kilogram")
    assert set(norm_quantity._Conversions().table()) == {"mile", "kilogram"}


def _same_si_pairs():
    by_si: dict = {}
    for unit in UNITS:
        conv = norm_quantity._ask_pint(unit)
        if conv is not None:
            by_si.setdefault(conv[0], []).append(unit)
    return [(a, b) for units in by_si.values() for a in units for b in units]


SAME_SI = _same_si_pairs()


@settings(max_examples=15, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_convert_agrees_with_pint(value):
    """Oracle: pint's own conversion.  ``convert`` goes through the stored SI
    conversions of both units (offsets included: degrees Celsius to
    Fahrenheit), and agrees up to float rounding for every pair of units
    with the same SI unit."""
    import math

    ureg = norm_quantity._registry()
    for unit, target in SAME_SI:
        expected = ureg.Quantity(value, unit).to(target).magnitude
        assert math.isclose(norm_quantity.convert.__wrapped__(value, unit, target), expected,
                            rel_tol=1e-9, abs_tol=1e-6), (unit, target)


def test_the_same_si_pairs_include_offsets_and_lengths():
    assert ("foot", "inch") in SAME_SI and ("kilometer", "mile") in SAME_SI
    assert any(norm_quantity._ask_pint(a)[2] != 0 for a, _ in SAME_SI)  # an offset unit (a temperature)


CHILD = """
import json, sys
import engine
pack = engine.load(sys.argv[1])
found = [m.to_json() for m in pack.extract("The trail runs 12 km, the load weighs 40 pounds "
                                           "and the guard stands 6 feet 2 inches tall.")]
print(json.dumps({"pint": "pint" in sys.modules, "found": found}))
"""


def test_a_new_process_converts_known_units_without_pint(tmp_path):
    """End to end: the first process asks pint and stores the table; the
    second gives the same records and never imports pint."""
    env = dict(os.environ, LARKSPAN_CACHE=str(tmp_path))
    runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "rules/quantities.yaml")],
                                      env=env, capture_output=True, text=True, check=True).stdout)
            for _ in range(2)]
    assert runs[0]["pint"] and not runs[1]["pint"]
    assert runs[0]["found"] == runs[1]["found"]
    assert {a["attrs"].get("si_unit") for a in runs[1]["found"]} == {"meter", "kilogram"}
    height = next(a["attrs"] for a in runs[1]["found"] if a["attrs"].get("unit") == "foot")
    assert abs(height["si_value"] - (6 * 0.3048 + 2 * 0.0254)) < 1e-9
