"""test --watch: a real process follows a pack file and reports what changed."""
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PACK = """pack: w
lexicons:
  UNIT:
    file: units.txt
rules:
  q: NUM UNIT
constructions:
  q:
    label: Q
    examples:
      - text: 5 km
      - text: 7 leagues
"""


def _wait_for(proc, needle, lines, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            time.sleep(0.05)
            continue
        lines.append(line)
        if needle in line:
            return True
    return False


def test_watch_reports_fixes_and_new_failures(tmp_path):
    (tmp_path / "units.txt").write_text("km\n")
    pack = tmp_path / "w.yaml"
    pack.write_text(PACK)
    env = dict(os.environ, PYTHONPATH=str(ROOT), LARKSPAN_CACHE=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, "-m", "engine", "test", str(pack), "--watch", "--interval", "0.1",
                             "--watch-cycles", "3"], stdout=subprocess.PIPE, text=True, env=env)
    lines = []
    try:
        assert _wait_for(proc, "1 passed, 1 failed", lines), lines
        time.sleep(0.2)
        (tmp_path / "units.txt").write_text("km\nleagues\n")  # a lexicon file, not the pack, changes
        assert _wait_for(proc, "fixed    no match", lines), lines
        time.sleep(0.2)
        pack.write_text(PACK.replace("5 km", "5 miles"))
        assert _wait_for(proc, "NEW FAIL no match: construction 'q'", lines), lines
        time.sleep(0.2)
        pack.write_text(PACK.replace("q: NUM UNIT", "q: NUM UNITS"))
        assert _wait_for(proc, "error[E202]", lines), lines
    finally:
        proc.kill()
        proc.wait()
