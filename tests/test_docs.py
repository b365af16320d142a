"""The packs shown in the README and in docs/packs.md compile, and their examples pass."""
import re
from pathlib import Path

import pytest

import engine
from engine.testing import run_examples

ROOT = Path(__file__).resolve().parent.parent


def yaml_packs(path: Path) -> list[str]:
    blocks = re.findall(r"```yaml\n(.*?)```", path.read_text(), flags=re.S)
    return [b for b in blocks if b.startswith("pack:")]


@pytest.mark.parametrize("doc", ["README.md", "docs/packs.md"])
def test_documented_packs_work(doc, tmp_path):
    packs = yaml_packs(ROOT / doc)
    assert packs, f"{doc} shows no pack"
    for k, text in enumerate(packs):
        folder = tmp_path / f"p{k}"
        (folder / "lexicons").mkdir(parents=True)
        # the files the worked example refers to
        (folder / "lexicons" / "titles.txt").write_text("spokesman\nspokeswoman\nminister\nCol.\n")
        (folder / "common.yaml").write_text("pack: common\nlexicons:\n  COMMON_WORD: [however]\n"
                                            "rules:\n  filler: COMMON_WORD\n")
        (folder / "fragment.lark").write_text('number_word: "one"i | "two"i\n')
        path = folder / "pack.yaml"
        path.write_text(text)
        pack = engine.load(path, cache=False)
        count, failures = run_examples(pack)
        assert count > 0 and not failures, [f.format() for f in failures]
