"""Run the quantities pack over Microsoft Recognizers-Text's NumberWithUnit specs.

    python benchmarks/recognizers_text.py ../shared/data/recognizers-text [--pack rules/quantities.yaml]

For each of Currency, Dimension, Temperature and Age it reports the share of
expected results that the pack finds with the right value and unit, and the
number of false positives, and writes benchmarks/results/recognizers_text.json.

* An expected result is *found* when a QUANTITY overlaps its span (their End
  is inclusive), its value equals theirs within 1e-5 relative (for a range,
  either end does), and its unit is the one UNIT_MAP gives for theirs.
* Results without a value (a bare unit name such as "fahrenheit" in
  "convert 10 celsius to fahrenheit") are out of the pack's scope by design:
  a quantity has a number.  They are counted apart (``unitless``) and the
  headline share is over the results that have a value; the share over all
  results is reported too.
* A false positive is a QUANTITY that overlaps no expected result of the
  case.  The four files each annotate only their own kind, so a pack that
  finds every kind also reports, say, "24 degrees" in the Dimension file's
  temperature negative; ``false_positives_own_kind`` counts only those whose
  dimension belongs to the file's kind.

The spec sentences are read at run time and never copied into the project.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FILES = ("Currency", "Dimension", "Temperature", "Age")

# Their unit names -> our canonical units (pint names, ISO 4217 codes).  A
# tuple lists every unit of ours that their name covers: their "Ton" is used
# for both "tons" and "tonnes".
UNIT_MAP = {
    "Currency": {
        "Dollar": "USD", "United States dollar": "USD", "Canadian dollar": "CAD",
        "Australian dollar": "AUD", "New Zealand dollar": "NZD", "Hong Kong dollar": "HKD",
        "Mexican peso": "MXN", "Euro": "EUR", "Pound": "GBP", "British pound": "GBP",
        "Pence": "penny", "Penny": "penny", "Cent": "cent", "Japanese yen": "JPY",
        "Chinese yuan": "CNY", "Finnish markka": "FIM", "Franc": "CHF", "Swiss franc": "CHF",
        "Peseta": "ESP", "Netherlands guilder": "NLG", "Turkish lira": "TRY", "Rupee": "INR",
        "Costa Rican colón": "CRC", "Georgian lari": "GEL", "Lao kip": "LAK",
        "Sri Lankan rupee": "LKR", "Bitcoin": "BTC", "Satoshi": "satoshi", "Sen": "sen",
    },
    "Dimension": {
        "Pound": "pound", "Milliliter": "milliliter", "Inch": "inch", "Mile": "mile",
        "Barrel": "oil_barrel", "Foot": "foot", "Ounce": "ounce", "Acre": "acre",
        "Gallon": "gallon", "Cubic foot": "foot ** 3", "Square meter": "meter ** 2",
        "Ton": ("ton", "metric_ton"), "Metric ton": "metric_ton", "Bit": "bit", "Mile per hour": "mile / hour",
        "Meter": "meter", "Kilometer": "kilometer", "Millimeter": "millimeter",
        "Square kilometer": "kilometer ** 2", "Decimeter": "decimeter", "Megabit": "megabit",
        "Megabyte": "megabyte", "Picometer": "picometer", "Tablespoon": "tablespoon",
        "Cup": "cup", "Teaspoon": "teaspoon", "Kilometer per hour": "kilometer / hour",
        "Dram": "dram", "Meter per millisecond": "meter / millisecond",
        "Centimeter per millisecond": "centimeter / millisecond",
        "Kilometer per millisecond": "kilometer / millisecond", "Kilogram": "kilogram",
        "Microgram": "microgram", "Gram": "gram", "Degree": "degree", "Radian": "radian",
        "Turn": "turn",
    },
    "Temperature": {"C": "degree_Celsius", "F": "degree_Fahrenheit", "Degree": "degree",
                    "K": "kelvin"},
    "Age": {"Year": "year", "Month": "month", "Week": "week", "Day": "day", "Age": "year"},
}

# Our dimensions that belong to each file's kind (for false_positives_own_kind).
OWN_KIND = {
    "Currency": lambda d: d == "currency",
    "Dimension": lambda d: bool(d) and d not in ("currency", "count", "ratio", "temperature", "time"),
    "Temperature": lambda d: d in ("temperature", "angle"),
    "Age": lambda d: d == "time",
}


def load_cases(path: Path) -> list[dict]:
    """The cases of one spec file, with a clear error when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise SystemExit(f"{path}: cannot read a Recognizers-Text spec file: {exc}")
    if not isinstance(data, list):
        raise SystemExit(f"{path}: expected a JSON list of cases")
    return data


def _value(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _close(a, b) -> bool:
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)


def evaluate(pack, name: str, cases: list[dict]) -> dict:
    unit_map = UNIT_MAP[name]
    own = OWN_KIND[name]
    valued = found = unitless = 0
    fps = fps_own = 0
    misses = []
    for case in cases:
        text = case["Input"]
        preds = [m for m in pack.extract(text) if m.label == "QUANTITY"]
        expected = case.get("Results") or []
        for r in expected:
            value = _value(r.get("Resolution", {}).get("value"))
            if value is None:
                unitless += 1
                continue
            valued += 1
            start, end = r["Start"], r["End"] + 1
            want_unit = unit_map.get(r["Resolution"].get("unit"), "?" + str(r["Resolution"].get("unit")))
            ok = False
            for m in preds:
                if not (m.start < end and start < m.end):
                    continue
                values = [m.attrs[k] for k in ("value", "low", "high") if k in m.attrs]
                units = want_unit if isinstance(want_unit, tuple) else (want_unit,)
                if any(_close(v, value) for v in values) and m.attrs.get("unit") in units:
                    ok = True
                    break
            if ok:
                found += 1
            else:
                got = [(m.text, m.attrs.get("value", (m.attrs.get("low"), m.attrs.get("high"))),
                        m.attrs.get("unit")) for m in preds if m.start < end and start < m.end]
                misses.append({"expected": [r["Text"], value, want_unit], "got": got})
        for m in preds:
            if any(m.start < r["End"] + 1 and r["Start"] < m.end for r in expected):
                continue
            fps += 1
            if own(m.attrs.get("dimension") or ""):
                fps_own += 1
    total = valued + unitless
    return {
        "cases": len(cases),
        "expected": total,
        "expected_with_value": valued,
        "unitless": unitless,
        "found": found,
        "share_found": round(found / valued, 4) if valued else None,
        "share_found_of_all": round(found / total, 4) if total else None,
        "false_positives": fps,
        "false_positives_own_kind": fps_own,
        "misses": misses,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="the recognizers-text folder (holds NumberWithUnit/English)")
    ap.add_argument("--pack", type=Path, default=ROOT / "rules" / "quantities.yaml")
    ap.add_argument("-o", "--out", type=Path, default=ROOT / "benchmarks" / "results" / "recognizers_text.json")
    ap.add_argument("--show-misses", action="store_true", help="print every miss")
    args = ap.parse_args(argv)
    folder = args.data / "NumberWithUnit" / "English"
    if not folder.is_dir():
        print(f"{args.data}: no NumberWithUnit/English folder here; give the recognizers-text path",
              file=sys.stderr)
        return 2

    import engine

    pack = engine.load(args.pack)
    report = {"pack": pack.id, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "command": "python benchmarks/recognizers_text.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "files": {}}
    t0 = time.perf_counter()
    for name in FILES:
        path = folder / f"{name}Model.json"
        result = evaluate(pack, name, load_cases(path))
        misses = result.pop("misses")  # their text stays out of the written report
        report["files"][name] = result
        print(f"{name:12s} found {result['found']:4d}/{result['expected_with_value']:<4d} "
              f"= {100 * result['share_found']:5.1f}%  (of all {result['expected']}: "
              f"{100 * result['share_found_of_all']:5.1f}%; unitless {result['unitless']})  "
              f"false positives {result['false_positives']} (own kind {result['false_positives_own_kind']})")
        if args.show_misses:
            for miss in misses:
                print("    miss:", miss)
    report["seconds"] = round(time.perf_counter() - t0, 3)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
