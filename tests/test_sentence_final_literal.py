"""Regression: a literal "." never matched a sentence-final full stop, because
the SENTEND pass moves that token to the 'sentend' kind (engine/alphabet.py)."""
import engine


def test_literal_stop_matches_at_the_end_of_a_sentence(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "pack: stop_demo\n"
        "rules:\n  abbr: |\n    \"deg\" \".\"\n"
        "constructions:\n  abbr:\n    label: A\n",
        encoding="utf-8")
    p = engine.load(pack, cache=False)
    assert [m.text for m in p.extract("It was 50 deg.")] == ["deg."]
    assert [m.text for m in p.extract("It was 50 deg. and rising")] == ["deg."]
