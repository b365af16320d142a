"""Inflection of lexicon entries (engine.inflect, backed by lemminflect)."""
import pytest

from engine.inflect import inflections


@pytest.mark.parametrize("lemma, kind, forms", [
    ("seek", "verb", {"seeks", "sought", "seeking"}),          # irregular past
    ("admit", "verb", {"admits", "admitted", "admitting"}),    # doubled consonant
    ("agree", "verb", {"agrees", "agreed", "agreeing"}),       # no "agreeed"
    ("dare", "verb", {"dares", "dared", "daring"}),            # listed as a modal too
    ("retweet", "verb", {"retweets", "retweeted", "retweeting"}),  # not in the dictionary
    ("spokesman", "noun", {"spokesmen"}),
    ("statement", "noun", {"statements"}),
])
def test_forms(lemma, kind, forms):
    got = set(inflections(lemma, kind))
    assert forms <= got
    assert lemma not in got


def test_no_misspelt_forms():
    assert "admited" not in inflections("admit", "verb")
    assert "spokesmans" not in inflections("spokesman", "noun")


def test_pack_lexicon_gets_irregular_forms(pack_from):
    pack = pack_from(
        "pack: p\nlexicons:\n  SEEK: {inflect: verb, entries: [seek]}\n"
        "rules:\n  r: CAPWORD SEEK\n"
        "constructions:\n  r: {label: X}\n")
    assert [m.text for m in pack.extract("Ann sought help.")] == ["Ann sought"]
