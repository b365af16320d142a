"""Bad input of every kind: a broken pack, gold file, input line or output
path gets a message that names the file, the line and what to do, and exit
code 2; nothing is left half-written; every input line has one output line.

The cases come from an adversarial audit of the commands (thirteenth session);
each table row is a case that once crashed, ran away or misled.
"""
import json
import os
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli import main
from engine.docio import dump, parse_jsonl_line

PACK = str(Path(__file__).parent / "packs" / "features.yaml")
GOLD = Path(__file__).parent / "data" / "gold_small.jsonl"


def run(args, capsys):
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------------------
# broken packs: (name, pack bytes, code, line, words the message must hold)

HEAD = b"pack: p\nrules:\n  a: NUM WORD\n"
PACKS = [
    ("not_utf8", b"pack: p\n# caf\xe9\nrules:\n  a: NUM\nconstructions:\n  a: {label: X}\n",
     "E100", 2, "UTF-8"),
    ("construction_not_mapping", HEAD + b"constructions:\n  a: 5\n", "E112", 5, "mapping"),
    ("example_not_mapping", HEAD + b"constructions:\n  a:\n    label: X\n    examples:\n      - 5\n",
     "E112", 8, "example"),
    ("counterexample_not_mapping", HEAD + b"constructions:\n  a:\n    label: X\n    counterexamples:\n"
     b"      - [5]\n", "E112", 8, "example"),
    ("lexicon_not_mapping", b"pack: p\nlexicons:\n  SAY: 5\nrules:\n  a: SAY\nconstructions:\n  a: {label: X}\n",
     "E112", 3, "lexicon SAY"),
    ("alias", b"pack: p\nlexicons:\n  A: &w [alpha, beta]\n  B: *w\nrules:\n  a: A B\n"
     b"constructions:\n  a: {label: X}\n", "E102", 4, "alias"),
    ("nested_too_deeply", b"pack: p\ndescription: " + b"[" * 3000 + b"]" * 3000 + b"\n", "E101", 2, "deep"),
    ("max_repeat_zero", b"pack: p\noptions: {max_repeat: 0}\n" + HEAD[8:] + b"constructions:\n  a: {label: X}\n",
     "E113", 2, "max_repeat"),
    ("max_tokens_negative", b"pack: p\noptions:\n  max_tokens: -5\n" + HEAD[8:]
     + b"constructions:\n  a: {label: X}\n", "E113", 3, "max_tokens"),
    ("timeout_zero", b"pack: p\noptions: {timeout: 0}\n" + HEAD[8:] + b"constructions:\n  a: {label: X}\n",
     "E113", 2, "timeout"),
    ("timeout_infinite", b"pack: p\noptions: {timeout: .inf}\n" + HEAD[8:] + b"constructions:\n  a: {label: X}\n",
     "E113", 2, "timeout"),
    ("normalizer_unknown_argument", HEAD + b"constructions:\n  a:\n    label: X\n    normalize:\n"
     b"      - {name: number, slot: a, bogus: 1}\n", "E110", 8, "bogus"),
    ("normalizer_missing_argument", b"pack: p\nlexicons:\n  U: [km]\nrules:\n  a: NUM U\nconstructions:\n"
     b"  a:\n    label: X\n    normalize:\n      - {name: lexicon_value, slot: a}\n", "E111", 10, "lexicon"),
    ("range_upside_down", b"pack: p\nrules:\n  a: NUM WORD~5..2\nconstructions:\n  a: {label: X}\n",
     "E300", 3, "5..2"),
]


@pytest.mark.parametrize("name,raw,code,line,words", PACKS, ids=[c[0] for c in PACKS])
def test_broken_pack_names_file_line_and_fix(name, raw, code, line, words, tmp_path, capsys):
    pack = tmp_path / f"{name}.yaml"
    pack.write_bytes(raw)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "5 apples and 6 pears."}) + "\n")
    out = tmp_path / "out.jsonl"
    status, _, err = run(["extract", "--no-cache", "--pack", str(pack), str(src), "-o", str(out)], capsys)
    assert status == 2, err
    assert f"{pack}:{line}:" in err and f"error[{code}]" in err, err
    assert words in err and "\n  fix: " in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.jsonl", pack.name]), "no output, no part"
    status, _, err = run(["check", "--no-cache", str(pack)], capsys)
    assert status == 2 and f"{pack}:{line}:" in err, err


# ---------------------------------------------------------------------------
# input lines: every line, whatever it holds, gives one output line

NASTY_LINES = [
    b"[" * 100000,                                     # nested past the recursion limit
    b'{"id": "s", "text": "5 km \\ud800 away"}',        # a lone surrogate: not encodable as UTF-8
    b'{"id": "\\udfff", "text": "5 km"}',               # ... in the id
    b'{"id": "m", "text": "5 km", "meta": {"k": "\\ud834"}}',  # ... in the meta
    b'{"id": "ok", "text": "5 km \\ud83d\\ude00"}',     # a proper pair is fine
]


@pytest.mark.parametrize("raw", NASTY_LINES, ids=["deep", "surrogate_text", "surrogate_id", "surrogate_meta",
                                                  "pair"])
def test_nasty_line_gives_one_writable_record(raw, tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    good = json.dumps({"id": "g", "text": "Ana Bo said that 5 km remain."}).encode()
    src.write_bytes(good + b"\n" + raw + b"\n" + good + b"\n")
    out = tmp_path / "out.jsonl"
    status, _, err = run(["extract", "--pack", PACK, str(src), "-o", str(out)], capsys)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3
    assert "error" not in records[0] and "error" not in records[2]
    if b"ude00" in raw:
        assert status == 0 and records[1]["text"].endswith("\U0001F600")
    else:
        assert status == 2 and records[1]["error"]["code"] == "E400" and records[1]["error"]["line"] == 2
        assert f"{src}:2:" in err, err


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                       max_size=3), max_leaves=8)
lines = st.one_of(
    st.binary(max_size=40).filter(lambda b: b"\n" not in b),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.builds(lambda i, t, m: json.dumps({"id": i, "text": t, "meta": m}).encode(),
              json_values, st.text() | json_values, json_values),
    # JSON escapes of any code point, surrogates included
    st.lists(st.integers(0, 0xFFFF), max_size=4).map(
        lambda cps: ('{"id": "x", "text": "' + "".join(f"\\u{c:04x}" for c in cps) + '"}').encode()),
)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_any_line_parses_to_a_document_or_an_error_that_can_be_written(raw):
    doc = parse_jsonl_line(raw, 7, "in.jsonl")
    if doc.error is not None:
        assert doc.error["line"] == 7 and doc.error["message"].startswith("in.jsonl:7: ")
        record = {"id": doc.id, "error": doc.error}
    else:
        assert isinstance(doc.text, str)
        record = {"id": doc.id, "text": doc.text, "meta": doc.meta, "annotations": []}
    dump(record).encode("utf-8")  # the record can be written


# ---------------------------------------------------------------------------
# output paths and options of extract

def _extract(tmp_path, capsys, *extra, src=None):
    if src is None:
        src = tmp_path / "in.jsonl"
        src.write_text(json.dumps({"id": "a", "text": "5 km"}) + "\n" + json.dumps({"id": "b", "text": "6 km"}) + "\n")
    return run(["extract", "--pack", PACK, str(src), *extra], capsys)


@pytest.mark.parametrize("out,words", [
    ("missing/out.jsonl", "directory"),
    ("adir", "directory"),
])
def test_unwritable_output_is_refused_before_any_work(out, words, tmp_path, capsys):
    (tmp_path / "adir").mkdir()
    status, _, err = _extract(tmp_path, capsys, "-o", str(tmp_path / out))
    assert status == 2 and str(tmp_path / out) in err and words in err and "fix:" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "in.jsonl"]


def test_output_equal_to_input_is_refused(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "5 km"}) + "\n")
    before = src.read_bytes()
    status, _, err = _extract(tmp_path, capsys, "-o", str(src), src=src)
    assert status == 2 and "input" in err and "fix:" in err, err
    assert src.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_input_directory_leaves_no_part(tmp_path, capsys):
    status, _, err = _extract(tmp_path, capsys, "-o", str(tmp_path / "out.jsonl"), src=tmp_path)
    assert status == 2 and "directory" in err and "--resume" not in err, err
    assert not (tmp_path / "out.jsonl.part").exists()


def test_output_through_a_symlink_writes_its_target(tmp_path, capsys):
    target = tmp_path / "real.jsonl"
    target.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(target)
    status, _, err = _extract(tmp_path, capsys, "-o", str(link))
    assert status == 0, err
    assert link.is_symlink() and len(target.read_text().splitlines()) == 2


def test_output_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    status, _, err = _extract(tmp_path, capsys, "-o", str(fifo))
    reader.join(10)
    assert status == 0, err
    assert fifo.is_fifo() and len(got[0].splitlines()) == 2
    assert not (tmp_path / "pipe.part").exists()


@pytest.mark.parametrize("option", [["--chunk-size", "0", "-j", "2"], ["--chunk-size", "-3"],
                                    ["--timeout", "0"], ["--timeout", "-1"], ["--timeout", "inf"],
                                    ["--timeout", "nan"], ["--processes", "-2"]])
def test_nonsense_numbers_are_usage_errors(option, tmp_path, capsys):
    status, _, err = _extract(tmp_path, capsys, "-o", str(tmp_path / "out.jsonl"), *option)
    assert status == 2, err
    assert option[0] in err
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "out.jsonl.part").exists()


def test_html_page_in_a_missing_directory(tmp_path, capsys):
    page = tmp_path / "nope" / "page.html"
    status, _, err = run(["show", "--pack", PACK, "--text", "5 km", "--html", str(page)], capsys)
    assert status == 2 and str(page) in err and "fix:" in err, err


def test_show_reports_each_bad_line(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "5 km"}) + "\n{oops\n")
    status, out, err = run(["show", "--pack", PACK, str(src)], capsys)
    assert status == 2
    assert f"{src}:2:" in out + err and "5 km" in out


def test_check_corpus_reports_each_bad_line(tmp_path, capsys):
    src = tmp_path / "corpus.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Ana Bo said that 5 km remain."}) + "\n{oops\n")
    status, out, err = run(["check", PACK, "--corpus", str(src)], capsys)
    assert status == 2 and f"{src}:2:" in err and "ok:" in out, err


# ---------------------------------------------------------------------------
# gold files

def test_empty_gold_file_is_an_error(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n")
    for args in (["eval", "--pred", str(GOLD), str(gold)], ["compare", PACK, PACK, str(gold)]):
        status, _, err = run(args, capsys)
        assert status == 2 and str(gold) in err and "error[E402]" in err and "no documents" in err, err


def test_gold_file_with_a_byte_order_mark_is_read(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(b"\xef\xbb\xbf" + GOLD.read_bytes())
    status, out, err = run(["eval", "--pred", str(GOLD), str(gold), "--json", "-", "-q"], capsys)
    assert status == 0, err
    assert json.loads(out)["documents"] == len(GOLD.read_text().splitlines())


def test_gold_line_nested_too_deeply(tmp_path, capsys):
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(GOLD.read_bytes() + b"[" * 100000 + b"\n")
    status, _, err = run(["eval", "--pred", str(GOLD), str(gold), "-q"], capsys)
    n = len(GOLD.read_text().splitlines()) + 1
    assert status == 2 and f"{gold}:{n}:" in err and "error[E402]" in err, err


# ---------------------------------------------------------------------------
# bench and cache

def test_bench_stops_on_a_broken_pack_before_any_job(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"text": "5 km"}) + "\n")
    pack = tmp_path / "broken.yaml"
    pack.write_text("pack: p\nrules:\n  a: NUM (\nconstructions:\n  a: {label: X}\n")
    status, _, err = run(["bench", "--pack", str(pack), str(corpus), "--repeat", "1", "--cold-runs", "1",
                          "--save", str(tmp_path / "b.json")], capsys)
    assert status == 2 and f"{pack}:3:" in err and "error[E300]" in err, err


@pytest.mark.parametrize("corpus_bytes,words", [(b"", "no documents"), (b'{"text": "a"}\n{"text": "caf\xe9"}\n',
                                                                         "c.jsonl:2:")])
def test_bench_corpus_problems_name_the_line(corpus_bytes, words, tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes(corpus_bytes)
    status, _, err = run(["bench", "--pack", PACK, str(corpus), "--repeat", "1", "--cold-runs", "1",
                          "--save", str(tmp_path / "b.json")], capsys)
    assert status == 2 and words in err, err


def test_bench_baseline_that_cannot_be_read(tmp_path, capsys):
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"text": "5 km"}) + "\n")
    base = tmp_path / "base.json"
    base.write_text("{not json")
    status, _, err = run(["bench", "--pack", PACK, str(corpus), "--repeat", "1", "--cold-runs", "1",
                          "--baseline", str(base), "--save", str(tmp_path / "b.json")], capsys)
    assert status == 2 and str(base) in err, err


@pytest.mark.parametrize("days", ["-3", "nan"])
def test_cache_prune_refuses_a_negative_age(days, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    (tmp_path / "keep.txt").write_text("x")
    status, _, err = run(["cache", "prune", "--older-than", days], capsys)
    assert status == 2 and "--older-than" in err, err


# ---------------------------------------------------------------------------
# messages that named no file

def test_resume_of_another_input_names_the_part(tmp_path, capsys):
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.part").write_text(json.dumps({"id": "zz", "text": "", "annotations": []}) + "\n")
    status, _, err = _extract(tmp_path, capsys, "-o", str(out), "--resume")
    assert status == 2 and f"{out}.part: error[" in err, err


def test_explain_of_an_unknown_rule_names_the_pack(capsys):
    status, _, err = run(["explain", PACK, "5 km", "--rule", "nosuchrule"], capsys)
    assert status == 2 and f"{PACK}: error[" in err, err


def test_text_file_with_a_byte_order_mark(tmp_path, capsys):
    src = tmp_path / "story.txt"
    src.write_bytes(b"\xef\xbb\xbfAbout 5 km.")
    status, out, err = run(["extract", "--pack", PACK, str(src)], capsys)
    record = json.loads(out)
    assert status == 0 and record["text"] == "About 5 km."
    assert all(record["text"][a["span"][0]:a["span"][1]] == "5 km" for a in record["annotations"])
