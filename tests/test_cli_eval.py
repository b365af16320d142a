"""The eval and compare commands: exit codes, outputs, packs at git revisions."""
import copy
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from engine import evaluate as evaluate_module
from engine.cli import main
from engine.cli_eval import materialize
from engine.evaluate import evaluate
from engine.goldio import read_gold, write_gold

GOLD = Path(__file__).parent / "data" / "gold_small.jsonl"

PACK = """\
pack: tiny_quantities
version: "1"
imports: [shared.yaml]
lexicons:
  UNIT:
    file: lexicons/units.txt
rules:
  quantity: number unit
  unit: UNIT
constructions:
  quantity:
    label: QUANTITY
    slots: [number, unit]
    normalize:
      - {name: number, slot: number}
      - {name: lexicon_value, lexicon: UNIT, slot: unit, attr: unit}
"""
SHARED = """\
pack: shared
rules:
  number: NUM
constructions: {}
"""
UNITS_V1 = "km\tkilometer\ndays\tday\npassengers\tpassenger\n"
UNITS_V2 = UNITS_V1 + "troops\ttroop\n"


def write_pack(folder: Path, units: str) -> Path:
    (folder / "lexicons").mkdir(parents=True, exist_ok=True)
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    (folder / "shared.yaml").write_text(SHARED, encoding="utf-8")
    (folder / "lexicons" / "units.txt").write_text(units, encoding="utf-8")
    return folder / "pack.yaml"


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def test_eval_pred_prints_a_table_within_100_columns_and_writes_json(tmp_path, capsys):
    gold = read_gold(GOLD)
    preds = copy.deepcopy(gold)
    preds[0]["annotations"].pop()
    write_gold(tmp_path / "pred.jsonl", preds)
    code, out, err = run(capsys, "eval", "--pred", tmp_path / "pred.jsonl", GOLD, "--json", tmp_path / "r.json",
                         "--html", tmp_path / "r.html")
    assert code == 0, err
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count('class="doc"') == 6
    assert "QUANTITY" in out and "(micro)" in out and "missed" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    expected = evaluate(gold, read_gold(tmp_path / "pred.jsonl")).metrics()
    assert data["metrics"] == json.loads(json.dumps(expected))
    assert data["errors"][0]["kind"] == "missed"


def test_eval_json_to_stdout_keeps_stdout_clean(tmp_path, capsys):
    code, out, err = run(capsys, "eval", "--pred", GOLD, GOLD, "--json")
    assert code == 0
    assert json.loads(out)["documents"] == 6
    assert "(micro)" in err


def test_eval_with_packs(tmp_path, capsys):
    pack = write_pack(tmp_path / "p", UNITS_V2)
    code, out, err = run(capsys, "eval", "--pack", pack, GOLD, "--label", "QUANTITY", "--json", tmp_path / "r.json")
    assert code == 0, err
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["packs"][0].startswith("tiny_quantities@")
    rows = {(r["label"], r["part"], r["mode"]): r for r in data["metrics"]}
    assert rows[("QUANTITY", "span", "strict")]["pred"] == 4
    assert {b["rule"] for b in data["blame"]} == {"quantity"}


def test_bad_gold_exits_2_with_located_errors_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    doc = json.loads(lines[1])
    doc["annotations"][0]["span"] = [10, 5]
    lines[1] = json.dumps(doc)
    lines[3] = lines[3][:-5]
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "eval", "--pred", GOLD, bad, "--json", tmp_path / "r.json",
                         "--html", tmp_path / "r.html")
    assert code == 2
    assert f"{bad}:2:" in err and f"{bad}:4:" in err and "error[E402]" in err and "fix:" in err
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "r.html").exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_predictions_for_unknown_documents_or_other_texts_are_errors(tmp_path, capsys):
    preds = read_gold(GOLD)
    preds[1]["text"] = preds[1]["text"].upper()
    preds[2]["id"] = "someone-else"
    write_gold(tmp_path / "p.jsonl", preds)
    code, _, err = run(capsys, "eval", "--pred", tmp_path / "p.jsonl", GOLD)
    assert code == 2
    assert "p.jsonl:2:" in err and "differs from the gold text" in err
    assert "p.jsonl:3:" in err and "'someone-else' is not in the gold file" in err


def test_usage_errors_exit_2(capsys):
    assert run(capsys, "eval", GOLD)[0] == 2
    assert run(capsys, "eval", "--pack", "x.yaml", "--pred", "y.jsonl", GOLD)[0] == 2
    assert run(capsys, "compare", "only-one")[0] == 2
    code, _, err = run(capsys, "compare", "nope.yaml", GOLD, GOLD)
    assert code == 2 and "neither a file nor PATH@REV" in err


def test_eval_reads_a_brat_folder_as_gold(tmp_path, capsys):
    from engine.goldio import write_brat

    for d in read_gold(GOLD):
        write_brat(d, tmp_path / "brat")
    code, out, err = run(capsys, "eval", "--pred", GOLD, tmp_path / "brat", "--json", tmp_path / "r.json")
    assert code == 0, err
    assert all(r["f1"] == 1.0 for r in json.loads((tmp_path / "r.json").read_text())["metrics"])


# -- compare ---------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def git(repo, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo, check=True,
                   capture_output=True)


@needs_git
def test_compare_two_revisions_of_a_pack(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write_pack(repo / "rules", UNITS_V1)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    write_pack(repo / "rules", UNITS_V2)  # only the lexicon file changes
    git(repo, "commit", "-qam", "v2")
    (repo / "rules" / "lexicons" / "units.txt").write_text("km\tkilometer\n", encoding="utf-8")  # uncommitted
    monkeypatch.chdir(repo)
    code, out, err = run(capsys, "compare", "rules/pack.yaml@HEAD~1", "rules/pack.yaml@HEAD", GOLD,
                         "--label", "QUANTITY", "--json", tmp_path / "c.json", "--resamples", "200")
    assert code == 0, err
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    rows = {(m["label"], m["part"], m["mode"]): m for m in data["metrics"]}
    recall = rows[("QUANTITY", "span", "overlap")]["recall"]
    assert recall["old"] == pytest.approx(3 / 7) and recall["new"] == pytest.approx(4 / 7)
    assert recall["delta"] == pytest.approx(1 / 7)
    changed = {c["id"]: c for c in data["changed"]}
    troops = next(d for d in read_gold(GOLD) if d["id"] == "troops")
    span = next(a["span"] for a in troops["annotations"] if a["label"] == "QUANTITY")
    assert troops["text"][span[0]:span[1]] == "9,000 troops"
    assert set(changed) == {"troops"} and changed["troops"]["gained"] == [["QUANTITY", *span]]
    assert "troops" in out and "ΔF1" in out
    assert max(len(line) for line in out.splitlines()) <= 100
    # the working copy (one unit left) against the last commit
    code, out, err = run(capsys, "compare", "rules/pack.yaml@HEAD", "rules/pack.yaml", GOLD, "--label", "QUANTITY",
                         "--json", tmp_path / "d.json")
    assert code == 0, err
    lost = {c["id"]: c["lost"] for c in json.loads((tmp_path / "d.json").read_text())["changed"]}
    assert set(lost) == {"tram", "water", "troops"}
    code, _, err = run(capsys, "compare", "rules/pack.yaml@nosuchrev", "rules/pack.yaml", GOLD)
    assert code == 2 and "unknown revision 'nosuchrev'" in err


@needs_git
def test_materialize_takes_every_file_from_the_revision(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    write_pack(repo / "rules", UNITS_V1)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v1")
    (repo / "grammars").mkdir()
    (repo / "grammars" / "frag.lark").write_text("// v1\n", encoding="utf-8")
    (repo / "rules" / "pack.yaml").write_text(PACK.replace("imports: [shared.yaml]",
                                                          "imports: [shared.yaml, frag.lark]"), encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "v2")
    (repo / "grammars" / "frag.lark").write_text("// v3, not committed\n", encoding="utf-8")
    (repo / "rules" / "shared.yaml").unlink()
    out = materialize(f"{repo}/rules/pack.yaml@HEAD", tmp_path / "m")
    assert (tmp_path / "m" / "rules" / "frag.lark").read_text() == "// v1\n"  # where the engine looks first
    assert out == tmp_path / "m" / "rules" / "pack.yaml"
    assert (tmp_path / "m" / "rules" / "shared.yaml").read_text() == SHARED
    assert (tmp_path / "m" / "rules" / "lexicons" / "units.txt").read_text() == UNITS_V1


def test_compare_prediction_files(tmp_path, capsys):
    gold = read_gold(GOLD)
    worse = copy.deepcopy(gold)
    for d in worse:
        d["annotations"] = d["annotations"][:1]
    write_gold(tmp_path / "worse.jsonl", worse)
    code, out, err = run(capsys, "compare", GOLD, tmp_path / "worse.jsonl", GOLD, "--json", "-")
    assert code == 0, err
    data = json.loads(out)
    micro = next(m for m in data["metrics"] if (m["label"], m["part"], m["mode"]) == ("(micro)", "span", "strict"))
    assert micro["recall"]["delta"] < 0 and micro["precision"]["delta"] == 0
    assert micro["recall"]["ci95"][0] <= micro["recall"]["delta"] <= micro["recall"]["ci95"][1]
    assert {c["id"] for c in data["changed"]} == {d["id"] for d in gold if len(d["annotations"]) > 1}


# -- progress bars ---------------------------------------------------------

class FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bars_only_on_a_terminal(monkeypatch):
    items = list(range(evaluate_module.PROGRESS_MIN_DOCS))
    monkeypatch.setattr("sys.stderr", io.StringIO())
    assert evaluate_module._progress(items, len(items), "x", None) is items
    tty = FakeTTY()
    monkeypatch.setattr("sys.stderr", tty)
    bar = evaluate_module._progress(items, len(items), "scoring", None)
    assert bar is not items and list(bar) == items
    assert "scoring" in tty.getvalue()
    assert evaluate_module._progress(items[:3], 3, "x", None) == items[:3]


def test_breakdown_by_a_chosen_attr_and_a_recognizers_spec_as_gold(tmp_path, capsys):
    code, out, err = run(capsys, "eval", "--pred", GOLD, GOLD, "--by", "QUANTITY.trend", "--json", tmp_path / "r.json")
    assert code == 0, err
    parts = {(r["label"], r["part"]) for r in json.loads((tmp_path / "r.json").read_text())["metrics"]}
    assert {("QUANTITY", "trend=up"), ("QUANTITY", "trend=down"), ("QUANTITY", "trend=(none)")} <= parts
    assert not any(label == "ATTRIBUTION" and part.startswith("trend=") for label, part in parts)
    spec = [{"Input": "The tank holds 40 km of cable.", "Results": [
        {"Text": "40 km", "TypeName": "dimension", "Start": 15, "End": 19,
         "Resolution": {"value": "40", "unit": "Kilometer", "subtype": "Length"}}]},
            {"Input": "Nothing to see.", "Results": []}]
    (tmp_path / "Spec.json").write_text(json.dumps(spec), encoding="utf-8-sig")
    pack = write_pack(tmp_path / "p", UNITS_V1)
    code, out, err = run(capsys, "eval", "--pack", pack, tmp_path / "Spec.json", "--json", tmp_path / "s.json")
    assert code == 0, err
    rows = {(r["label"], r["part"], r["mode"]): r for r in json.loads((tmp_path / "s.json").read_text())["metrics"]}
    assert rows[("QUANTITY", "span", "strict")]["tp"] == 1
    assert rows[("QUANTITY", "span", "value")]["f1"] == 1.0
    assert rows[("QUANTITY", "span", "value+unit")]["f1"] == 0.0  # their unit names are not ours
