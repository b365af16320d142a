"""A normalizer that returns None rejects its match (engine/api.py)."""
import engine
from engine.normalizers import register


@register("test_reject_odd")
def _reject_odd(m):
    return None if int(m.token_texts()[0]) % 2 else {"even": True}


def test_rejected_matches_are_dropped(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "pack: reject_demo\n"
        "rules:\n  num: NUM\n"
        "constructions:\n  num:\n    label: N\n    normalize: [test_reject_odd]\n",
        encoding="utf-8")
    p = engine.load(pack, cache=False)
    found = [(m.text, m.attrs) for m in p.extract("1 2 3 4")]
    assert found == [("2", {"even": True}), ("4", {"even": True})]
