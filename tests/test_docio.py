"""Output files written through AtomicWriter."""
import os

import pytest

from engine.docio import AtomicWriter


def test_atomic_output_gets_the_mode_a_plain_open_would_give(tmp_path):
    with AtomicWriter(str(tmp_path / "out.jsonl")) as fh:
        fh.write("{}\n")
    with open(tmp_path / "plain.jsonl", "w") as fh:
        fh.write("{}\n")
    assert os.stat(tmp_path / "out.jsonl").st_mode & 0o777 == os.stat(tmp_path / "plain.jsonl").st_mode & 0o777


def test_a_failed_write_leaves_nothing(tmp_path):
    with pytest.raises(RuntimeError):
        with AtomicWriter(str(tmp_path / "out.jsonl")) as fh:
            fh.write("half")
            raise RuntimeError("stop")
    assert list(tmp_path.iterdir()) == []
