"""Every broken pack in tests/broken_packs gets a message that names the file,
the line and the rule, gives a stable code and suggests a fix; exit code 2.

Each file says what it expects in its first line:
    # expect: CODE [line N] [rule NAME] [fix "words in the suggestion"]
"""
import re
from pathlib import Path

import pytest

from engine.cli import main

HERE = Path(__file__).parent / "broken_packs"
EXPECT = re.compile(r'# expect: (E\d{3})(?: line (\d+))?(?: rule (\w+))?(?: fix "([^"]+)")?')
CASES = sorted(p for p in HERE.glob("*.yaml") if p.read_text(errors="replace").startswith("# expect:"))


def test_there_are_at_least_thirty_broken_packs():
    assert len(CASES) >= 30


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_broken_pack_message(path, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path / "cache"))
    code, line, rule, fix = EXPECT.match(path.read_text(errors="replace")).groups()
    out_file = tmp_path / "out.jsonl"
    text_file = tmp_path / "in.txt"
    text_file.write_text("Nothing to see here.")
    status = main(["extract", "--pack", str(path), str(text_file), "-o", str(out_file)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert not out_file.exists(), "a failed run must not leave output behind"
    assert f"error[{code}]" in err, err
    assert path.name in err
    if line:
        assert f"{path.name}:{line}:" in err, err
    if rule:
        assert f"in rule '{rule}'" in err, err
    assert "\n  fix: " in err, err
    if fix:
        assert fix in err, err
    # the same message from `larkspan check`
    assert main(["check", "--no-cache", str(path)]) == 2
    assert f"error[{code}]" in capsys.readouterr().err
