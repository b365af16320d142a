"""A slot mapped to null is declared but never filled: always reported as []."""
import pytest

import engine
from engine.errors import PackError

PACK = """
pack: null_slot
lexicons:
  SAY: {inflect: verb, entries: [say]}
rules:
  who: CAPWORD
  what: WORD+
  said: who SAY what
constructions:
  said:
    label: ATTRIBUTION
    slots: {source: who, content: what, recipient: null}
"""


def test_null_slot_is_reported_empty(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PACK)
    pack = engine.load(path, cache=False)
    [m] = pack.extract("Smith says prices rise")
    assert m.slots["recipient"] == []
    assert m.slot_texts(m.text and "Smith says prices rise")["source"] == ["Smith"]
    assert m.to_json()["slots"]["recipient"] == []


def test_a_named_slot_that_is_never_used_is_still_an_error(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(PACK.replace("recipient: null", "recipient: whom"))
    with pytest.raises(PackError) as err:
        engine.load(path, cache=False)
    assert err.value.code in ("E201", "E204")
