"""The 'apart' overlap policy: leftmost-longest within the construction, blind to the others."""
import engine

PACK = """
pack: apart_policy
lexicons:
  SAY: {inflect: verb, entries: [say, add]}
rules:
  said: CAPWORD SAY
  added: CAPWORD WORD* "," "adding"
constructions:
  said:
    label: R
  added:
    label: R
    overlap: POLICY
"""


def _load(tmp_path, policy):
    path = tmp_path / f"{policy}.yaml"
    path.write_text(PACK.replace("POLICY", policy))
    return engine.load(path, cache=False)


def test_apart_matches_may_overlap_other_constructions(tmp_path):
    text = "Ann Lee said no , adding"
    longest = [(m.rule, m.text) for m in _load(tmp_path, "longest").extract(text)]
    apart = [(m.rule, m.text) for m in _load(tmp_path, "apart").extract(text)]
    # under 'longest' the longer match from 'Ann' wins and hides "Lee said"
    assert longest == [("added", "Ann Lee said no , adding")]
    assert sorted(apart) == [("added", "Ann Lee said no , adding"), ("said", "Lee said")]


def test_apart_matches_do_not_overlap_each_other(tmp_path):
    text = "Ann Bo Cy , adding and Dee , adding"
    got = [m.text for m in _load(tmp_path, "apart").extract(text)]
    # 'all' would also report the matches starting at "Bo" and "Cy"
    assert got == ["Ann Bo Cy , adding", "Dee , adding"]
    every = [m.text for m in _load(tmp_path, "all").extract(text)]
    assert len(every) > len(got)



SAME = """
pack: apart_same
lexicons:
  SAY: {inflect: verb, entries: [say]}
rules:
  said: (CAPWORD -> who) (SAY -> cue)
  second: ("," | "and") (CAPWORD -> who) (SAY -> cue)
constructions:
  said:
    label: R
    slots: {who: who, cue: cue}
  second:
    label: R
    overlap: apart
    slots: {who: who, cue: cue}
"""


def test_an_apart_match_that_repeats_a_report_is_dropped(tmp_path):
    path = tmp_path / "same.yaml"
    path.write_text(SAME)
    pack = engine.load(path, cache=False)
    text = "Ann said and Bo said , Cy said"
    got = [(m.rule, m.slot_texts(text)) for m in pack.extract(text)]
    # 'second' finds "Bo said" and "Cy said" too, with the same slots: each is one report, from 'said'
    assert got == [("said", {"who": ["Ann"], "cue": ["said"]}),
                   ("said", {"who": ["Bo"], "cue": ["said"]}),
                   ("said", {"who": ["Cy"], "cue": ["said"]})]
    # without 'said', the apart construction's own reports stay
    alone = engine.load(_write(tmp_path, SAME.replace("  said:\n    label: R\n    slots: {who: who, cue: cue}\n", "")), cache=False)
    assert [m.text for m in alone.extract(text)] == ["and Bo said", ", Cy said"]


def _write(tmp_path, text):
    path = tmp_path / "alone.yaml"
    path.write_text(text)
    return path
