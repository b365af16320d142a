"""engine.yamlsrc: YAML 1.1's yes/no/on/off are words in a pack, not booleans."""
from hypothesis import given, strategies as st

from engine.yamlsrc import loads

YAML11_BOOLS = [w for base in ("yes", "no", "on", "off", "y", "n")
                for w in (base, base.capitalize(), base.upper())]


@given(st.lists(st.sampled_from(YAML11_BOOLS + ["in", "at", "true", "false"]), min_size=1, max_size=8))
def test_plain_words_stay_words(words):
    got = loads("entries: [" + ", ".join(words) + "]\n")["entries"]
    expected = [w == "true" if w in ("true", "false") else w for w in words]
    assert got == expected


def test_quoted_and_block_forms():
    data = loads('a: "on"\nb: off\nc:\n  - no\n  - True\n')
    assert data == {"a": "on", "b": "off", "c": ["no", True]}


def test_lexicon_entry_on_matches_the_word(pack_from):
    pack = pack_from(
        "pack: p\nlexicons:\n  PREP: {entries: [in, on, at]}\n"
        "rules:\n  r: CAPWORD PREP CAPWORD\n"
        "constructions:\n  r: {label: X}\n")
    assert [m.text for m in pack.extract("Ann on Bob; True Ann at Cy.")] == ["Ann on Bob", "Ann at Cy"]
