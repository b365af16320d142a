"""The larkspan command: extract, show, compile, check, test."""
import io
import json
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main

PACK = str(Path(__file__).parent / "packs" / "features.yaml")
ROOT = Path(__file__).resolve().parent.parent


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_extract_jsonl_keeps_order_and_records_every_line(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    lines = [json.dumps({"id": "a", "text": "Dr. Ana Ruiz said that 5 km remain."}),
             "{not json",
             json.dumps({"id": "c", "nope": 1}),
             json.dumps({"id": "d", "text": "nothing here"})]
    src.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "e", "text": "\xff"}\n')
    out = tmp_path / "out.jsonl"
    code, _, err = run(["extract", "--pack", PACK, str(src), "-o", str(out)], capsys)
    assert code == 2  # bad lines make the run fail ...
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 5  # ... but every input line has its output line, in order
    assert [r["id"] for r in records] == ["a", "line-2", "c", "d", "line-5"]
    assert records[0]["annotations"] and records[3]["annotations"] == []
    for bad in (records[1], records[2], records[4]):
        assert bad["error"]["code"] == "E400"
    assert f"{src}:2:" in err and f"{src}:3:" in err and "invalid UTF-8" in err
    assert "5 documents" in err and "3 failed" in err


def test_extract_text_file_and_stdin(tmp_path, capsys, monkeypatch):
    src = tmp_path / "story.txt"
    src.write_text("About 5 km.\n\nAna Bo said that it rained.")
    code, out, _ = run(["extract", "--pack", PACK, str(src)], capsys)
    assert code == 0
    record = json.loads(out)
    assert record["id"] == "story"
    assert {a["label"] for a in record["annotations"]} == {"QUANTITY", "ATTRIBUTION"}
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"id": "x", "text": "9 miles"}\n')))
    code, out, _ = run(["extract", "--pack", PACK, "-"], capsys)
    assert code == 0 and json.loads(out)["annotations"][0]["attrs"]["unit"] == "mile"


def test_extract_two_packs_merges_annotations(tmp_path, capsys):
    other = tmp_path / "other.yaml"
    other.write_text("pack: other\nrules:\n  name: CAPWORD\nconstructions:\n  name: {label: NAME}\n")
    src = tmp_path / "t.txt"
    src.write_text("Ana walked 5 km.")
    code, out, _ = run(["extract", "--pack", PACK, "--pack", str(other), str(src)], capsys)
    anns = json.loads(out)["annotations"]
    assert [(a["label"], a["span"]) for a in anns] == [("NAME", [0, 3]), ("QUANTITY", [11, 15])]
    assert {a["pack"].split("@")[0] for a in anns} == {"features", "other"}


def test_broken_pack_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: bad\nrules:\n  a: NUMM\nconstructions:\n  a: {label: X}\n")
    src = tmp_path / "t.txt"
    src.write_text("5")
    out = tmp_path / "out.jsonl"
    code, _, err = run(["extract", "--pack", str(bad), str(src), "-o", str(out)], capsys)
    assert code == 2 and not out.exists()
    assert "bad.yaml:3:6: error[E202] in rule 'a'" in err and "did you mean 'NUM'" in err
    assert not list(tmp_path.glob(".larkspan-*"))  # no temporary file left behind


def test_missing_input_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    code, _, err = run(["extract", "--pack", PACK, str(tmp_path / "nope.txt"), "-o", str(out)], capsys)
    assert code == 2 and "nope.txt" in err and "fix:" in err
    assert list(tmp_path.iterdir()) == []  # no output, no .part


def test_compile_prints_the_grammar(capsys):
    code, out, _ = run(["compile", PACK], capsys)
    assert code == 0 and "said_that: source cue content" in out
    code, out, _ = run(["compile", PACK, "--regex"], capsys)
    assert code == 0 and "(?p)" in out


def test_check_lints(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("pack: p\nlexicons:\n  UNUSED: [x]\nrules:\n  a: NUM\n  b: WORD\n"
                    "constructions:\n  a: {label: X}\n")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 0 and "ok: pack p@" in out
    assert "W101" in err and "W102" in err and "'b'" in err and "W103" in err
    assert main(["check", "--strict", str(path)]) == 1


def test_test_names_each_failure_by_kind(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("""pack: p
lexicons:
  UNIT: [{km: kilometer}]
rules:
  q: NUM unit
  unit: UNIT
constructions:
  q:
    label: Q
    slots: [unit]
    normalize: [number]
    examples:
      - text: nothing at all
        match: nothing
      - text: it was 5 km long
        match: 5 km long
      - text: it was 5 km
        slots: {unit: was}
        match: 5 km
      - text: it was 5 km
        match: 5 km
        attrs: {value: 6}
      - text: it was 5 km
        match: 5 km
        attrs: {value: 5.000001}
    counterexamples:
      - 7 km away
""")
    code, out, _ = run(["test", str(path)], capsys)
    assert code == 1
    for kind in ("NO MATCH", "WRONG SPAN", "WRONG SLOT", "WRONG VALUE", "UNEXPECTED MATCH"):
        assert kind in out, out
    assert "1 passed, 5 failed" in out
    assert f"{path}:13:" in out  # the failing example's line


def test_an_example_that_another_construction_gives_is_counted_and_fails_with_strict(tmp_path, capsys):
    """The longer construction wins the example written under the shorter
    one, which then tests nothing of its own: counted by default, a failure
    with --strict, naming the construction that gives it."""
    path = tmp_path / "p.yaml"
    path.write_text("""pack: p
lexicons:
  UNIT: [km]
rules:
  short: NUM UNIT
  long: NUM UNIT "long"
constructions:
  short:
    label: Q
    examples:
      - text: it was 5 km long
        match: 5 km long
      - text: it was 5 km
        match: 5 km
  long:
    label: Q
    examples:
      - text: a road 7 km long
        match: 7 km long
""")
    code, out, _ = run(["test", str(path)], capsys)
    assert code == 0 and "3 passed, 0 failed (1 example matched by another construction" in out
    code, out, _ = run(["test", "--strict", str(path)], capsys)
    assert code == 1 and "2 passed, 1 failed" in out
    assert "OTHER CONSTRUCTION in construction 'short'" in out and "construction 'long' gives it" in out
    assert f"{path}:11:" in out  # the borrowed example's line


def test_show_prints_a_table(capsys):
    code, out, _ = run(["show", "--pack", PACK, "--text", "Dr. Ana Ruiz said that 5 km remain."], capsys)
    assert code == 0
    assert "ATTRIBUTION" in out and "source: Dr. Ana Ruiz" in out and "QUANTITY" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_python_dash_m_engine_works():
    proc = subprocess.run([sys.executable, "-m", "engine", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("larkspan ")


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["extract"]])
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == 2


def test_check_with_a_corpus(tmp_path, capsys):
    path = tmp_path / "p.yaml"
    path.write_text("""pack: p
lexicons:
  UNIT: [km, miles, parsecs]
  SIZE: [km, huge]
rules:
  q: NUM UNIT
  big: NUM UNIT UNIT?
  never: '"zebra"'
  size: SIZE
constructions:
  q: {label: Q}
  big: {label: Q}
  never: {label: Z}
  size: {label: S}
""")
    corpus = tmp_path / "c.txt"
    corpus.write_text("It was 5 km away and then 7 miles more. 8 km 9 km 10 km 11 km.")
    code, out, err = run(["check", str(path), "--corpus", str(corpus), "--often", "100"], capsys)
    assert code == 0
    assert "warning[W105]: lexicons SIZE and UNIT share 1 entry: 'km'" in err
    assert "p.yaml:13: warning[W201]: construction 'never' never fires" in err
    # 'big' ties with 'q' on every match, and 'q' is written first
    assert "p.yaml:12: warning[W202]: construction 'big' fires 6 times but every match is overridden" in err
    assert "p.yaml:11: warning[W203]: construction 'q' fires 300.0 times per 1,000 tokens" in err  # 6 in 20
    assert "p.yaml:3: warning[W205]: 1 of 3 entries of lexicon 'UNIT' never occur in the corpus: 'parsecs'" in err


@pytest.mark.parametrize("bad, line", [('{"text": broken', 2), ('{"id": "x"}', 2), ('["a list"]', 2),
                                       ('{"text": 7}', 2)])
def test_bench_names_the_broken_corpus_line_and_runs_nothing(tmp_path, capsys, bad, line):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": "The ferry carried 40 cars."}) + "\n" + bad + "\n")
    saved = tmp_path / "bench.json"
    code, out, err = run(["bench", str(corpus), "--mb", "1", "--repeat", "1", "--save", str(saved)], capsys)
    assert code == 2
    assert f"{corpus}:{line}: error[E400]" in err and "'text' string" in err
    assert out == "" and not saved.exists()  # no job ran, nothing was written


def test_read_corpus_stops_at_the_size_asked_for(tmp_path):
    from engine.bench import read_corpus

    corpus = tmp_path / "corpus.jsonl"
    texts = [f"document {i} " * 50 for i in range(20)]
    corpus.write_text("\n".join(json.dumps({"text": t}) for t in texts) + "\n\n" + "{broken\n")
    got = read_corpus(str(corpus), 0.002)  # 2,000 characters: the broken last line is never read
    assert got == texts[:len(got)] and sum(map(len, got)) >= 2000 > sum(map(len, got[:-1]))


def _stub_bench(monkeypatch, child):
    """``larkspan bench`` with each job's child and the cold start faked."""
    from engine import bench

    monkeypatch.setattr(bench, "_run_child", child)
    monkeypatch.setattr(bench, "_cold_start", lambda packs, runs: {"process_s": 0.2, "bare_python_s": 0.04,
                                                                   "import_and_load_s": 0.15})


def _one_line_corpus(tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"text": "The ferry carried 40 cars."}) + "\n")
    return corpus


def test_bench_with_a_failed_job_keeps_the_saved_results(tmp_path, capsys, monkeypatch):
    from engine import bench

    def child(job):  # every job times fine except the attribution pack's
        if job.get("packs") and any("attribution" in p for p in job["packs"]):
            return {"error": "RuntimeError: boom"}
        return {"seconds": 1.0, "chars": 26, "docs": 1, "added_rss_mb": 0.0, "peak_rss_mb": 1.0}

    _stub_bench(monkeypatch, child)
    corpus = _one_line_corpus(tmp_path)
    saved = tmp_path / "bench.json"
    saved.write_text('{"earlier": "results"}\n')
    code, out, err = run(["bench", str(corpus), "--repeat", "1", "--save", str(saved)], capsys)
    assert code == 1 and "failed" in err and "pack:attribution" in err
    assert "error: RuntimeError: boom" in out  # the table still shows what ran
    assert saved.read_text() == '{"earlier": "results"}\n'
    monkeypatch.setattr(bench, "_run_child", lambda job: child({}))  # now every job succeeds
    code, out, err = run(["bench", str(corpus), "--repeat", "1", "--save", str(saved)], capsys)
    assert code == 0 and json.loads(saved.read_text())["jobs"]["pack:attribution"]["docs"] == 1


def test_bench_gives_the_step_to_more_processes_round_by_round(tmp_path, capsys, monkeypatch):
    """Beside the ratio of the medians, the ratio within each round, from
    each round's own pair of runs."""
    import random

    rng = random.Random(7)
    drawn: dict[str, list[float]] = {}

    def child(job):
        name = "x%d" % job.get("processes", 1) if job["kind"] == "packs" else job["kind"]
        seconds = rng.uniform(0.5, 3.0)
        drawn.setdefault(name, []).append(seconds)
        return {"seconds": seconds, "chars": 26, "docs": 1, "added_rss_mb": 0.0, "peak_rss_mb": 1.0}

    _stub_bench(monkeypatch, child)
    corpus = _one_line_corpus(tmp_path)
    saved = tmp_path / "bench.json"
    code, out, _ = run(["bench", str(corpus), "--repeat", "5", "--processes", "1,2", "--save", str(saved)],
                       capsys)
    assert code == 0
    ratios = [a / b for a, b in zip(drawn["x1"], drawn["x2"])]
    medians = statistics.median(drawn["x1"]) / statistics.median(drawn["x2"])
    line = next(x for x in out.splitlines() if x.startswith("all packs x2 vs 1 process"))
    assert line == (f"all packs x2 vs 1 process: {medians:.2f}x (round by round: median "
                    f"{statistics.median(ratios):.2f}x, {min(ratios):.2f}-{max(ratios):.2f}x)")
    assert json.loads(saved.read_text())["jobs"]["all packs x2"]["round_seconds"] == drawn["x2"]


def test_bench_compares_and_saves_by_default_only_like_with_like(tmp_path, capsys, monkeypatch):
    """The default results file holds the project's reference run: a run on
    another corpus (or size) neither compares itself with it nor replaces it."""
    from engine import bench

    monkeypatch.setattr(bench, "_run_child", lambda job: {"seconds": 1.0, "chars": 26, "docs": 1,
                                                          "added_rss_mb": 0.0, "peak_rss_mb": 1.0})
    monkeypatch.setattr(bench, "_cold_start", lambda packs, runs: {"process_s": 0.2, "bare_python_s": 0.04,
                                                                   "import_and_load_s": 0.15})
    default = tmp_path / "results" / "bench.json"
    monkeypatch.setattr(bench, "DEFAULT_SAVE", default)
    reference, other = tmp_path / "reference.jsonl", tmp_path / "other.jsonl"
    for corpus in (reference, other):
        corpus.write_text(json.dumps({"text": "The ferry carried 40 cars."}) + "\n")

    code, out, _ = run(["bench", str(reference), "--repeat", "1"], capsys)  # nothing saved yet: saves
    assert code == 0 and json.loads(default.read_text())["corpus"] == str(reference)
    assert "MB/s was" not in out
    code, out, _ = run(["bench", str(reference), "--repeat", "1"], capsys)  # the same benchmark: compares
    assert code == 0 and "MB/s was" in out
    kept = default.read_text()
    for argv in ([str(other)], [str(reference), "--mb", "2"]):  # another corpus, another size
        code, out, err = run(["bench", *argv, "--repeat", "1"], capsys)
        assert code == 0 and "MB/s was" not in out and "results not saved" in err
        assert default.read_text() == kept
    mine = tmp_path / "mine.json"
    code, out, err = run(["bench", str(other), "--repeat", "1", "--save", str(mine), "--baseline", str(default)],
                         capsys)
    assert code == 0 and "MB/s was" in out and json.loads(mine.read_text())["corpus"] == str(other)


def test_read_corpus_or_exit_prints_the_error_and_exits_with_its_code(tmp_path, capsys):
    from engine.bench import read_corpus_or_exit

    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text('{"text": "fine"}\n{"text": broken\n')
    with pytest.raises(SystemExit) as stop:
        read_corpus_or_exit(str(corpus), 1.0)
    assert stop.value.code == 2 and f"{corpus}:2: error[E400]" in capsys.readouterr().err
    corpus.write_text('{"text": "fine"}\n')
    assert read_corpus_or_exit(str(corpus), 1.0) == ["fine"]


def test_bench_cold_start_times_new_processes_that_load_and_then_extract():
    from engine import bench

    pack = Path(__file__).resolve().parent.parent / "rules" / "quantities.yaml"
    cold = bench._cold_start([str(pack)], 1)
    assert set(cold) == {"process_s", "import_and_load_s", "bare_python_s", "first_extraction_s",
                         "first_extraction_matches"}
    assert cold["first_extraction_matches"] > 5  # the sample's quantities were found in the new process
    assert 0 < cold["import_and_load_s"] < cold["process_s"]
    res = {"date": "today", "machine": {"cpu": "cpu", "cores": 2, "python": "3"}, "corpus": "c", "repeat": 1,
           "jobs": {"tokenizer": {"error": "not run"}}, "cold_start": cold}
    assert "a new process that also extracts examples/news.txt" in bench.format_table(res)
    del cold["first_extraction_s"]  # results saved before this figure existed still print
    assert "examples/news.txt" not in bench.format_table(res)


@pytest.mark.parametrize("command", [["show", "--pack", "{pack}", "--text", "Ruiz said 5 km."],
                                     ["compile", "{pack}"], ["check", "{pack}"]])
def test_a_compile_is_announced_on_stderr_and_a_cached_load_is_silent(tmp_path, monkeypatch, capsys, command):
    """A large pack takes a minute to compile the first time: the command says
    so on stderr (and how long it took) instead of looking hung."""
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path / "cache"))
    for name in ("features.yaml", "numbers_small.lark", "units.txt"):  # a copy: no other test has cached it
        (tmp_path / name).write_bytes((Path(PACK).parent / name).read_bytes())
    pack = tmp_path / "features.yaml"
    args = [a.replace("{pack}", str(pack)) for a in command]
    code, out, err = run(args, capsys)
    assert code == 0
    notices = [line for line in err.splitlines() if line.startswith("larkspan: compil")]
    assert len(notices) == 2, err
    assert notices[0].startswith(f"larkspan: compiling {pack} (not in the cache")
    assert notices[1].startswith(f"larkspan: compiled {pack} in ") and str(tmp_path / "cache") in notices[1]
    assert "larkspan: compil" not in out  # the notices never mix into the output
    code, out2, err = run(args, capsys)
    assert code == 0 and "larkspan: compil" not in err and out2 == out
