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
