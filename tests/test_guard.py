"""Guards (report: false): matched and resolved like any construction, never reported."""
import engine
from engine.testing import run_examples

PACK = """
pack: guard
lexicons:
  SAY: {inflect: verb, entries: [say]}
  QIN: {any_of: [ANY], except: [QUOTE]}
rules:
  said: PRON SAY WORD+
  quoted: LQUOTE QIN+ RQUOTE
constructions:
  said:
    label: R
    examples:
      - text: we said yes
  quoted:
    label: R
    report: REPORT
    counterexamples:
      - '"and we said yes"'
"""


def _load(tmp_path, report):
    path = tmp_path / f"g{report}.yaml"
    path.write_text(PACK.replace("REPORT", report).replace("PRON", "WORD"))
    return engine.load(path, cache=False)


def test_a_guard_blocks_what_it_overlaps_and_is_not_reported(tmp_path):
    guard = _load(tmp_path, "false")
    text = 'Then "and we said yes" and we said no'
    got = [(m.rule, m.text) for m in guard.extract(text)]
    # inside the quotation the guard wins (leftmost); outside, 'said' is found
    assert got == [("said", "we said no")]
    shown = [(m.rule, m.text) for m in _load(tmp_path, "true").extract(text)]
    assert shown == [("quoted", '"and we said yes"'), ("said", "we said no")]


def test_guard_counterexamples_run(tmp_path):
    count, failures = run_examples(_load(tmp_path, "false"))
    assert count == 2 and not failures
    count, failures = run_examples(_load(tmp_path, "true"))
    assert [f.kind for f in failures] == ["unexpected match"]
