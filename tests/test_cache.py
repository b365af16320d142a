"""The cache of compiled packs stays within its size limit, least recently used first,
and never touches a file it did not write."""
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import engine
from engine import cache
from engine.cli import main

PACK = Path(__file__).parent / "packs" / "features.yaml"
NOW = time.time()


def make(directory: Path, name: str, size: int, age: float) -> Path:
    path = directory / name
    path.write_bytes(b"x" * size)
    os.utime(path, (NOW - age, NOW - age))
    return path


def names(n):
    return [f"{k:032x}.pkl" if k % 2 else f"hs-{k:032x}" for k in range(n)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(0, 5000), min_size=1, max_size=12),
       ages=st.lists(st.integers(0, 10**6), min_size=12, max_size=12),
       limit=st.integers(0, 30000), keep_one=st.booleans())
def test_prune_keeps_the_most_recently_used_within_the_limit(tmp_path_factory, monkeypatch, sizes, ages,
                                                              limit, keep_one):
    directory = tmp_path_factory.mktemp("c")
    monkeypatch.setenv("LARKSPAN_CACHE", str(directory))  # the same for every example
    entries = {n: (s, a) for n, s, a in zip(names(len(sizes)), sizes, ages)}
    for n, (s, a) in entries.items():
        make(directory, n, s, a)
    foreign = make(directory, "notes.txt", 9000, 10**7)
    keep = {next(iter(entries))} if keep_one else set()
    # the oracle: the longest run of most recently used entries that fits beside the kept ones
    order = sorted(set(entries) - keep, key=lambda n: (-entries[n][1], n))  # least recently used first
    room = limit - sum(entries[n][0] for n in keep)
    expected = next((set(order[j:]) for j in range(len(order) + 1)
                     if sum(entries[n][0] for n in order[j:]) <= room), set())
    report = cache.prune(max_bytes=limit, keep=keep, now=NOW)
    left = {p.name for p in directory.iterdir()} - {"notes.txt"}
    assert foreign.exists()
    assert left == expected | keep
    assert {e.path.name for e in report.kept} == left
    assert {e.path.name for e in report.removed} == set(entries) - left
    assert report.freed == sum(entries[n][0] for n in set(entries) - left)


def test_prune_by_age_and_half_written_files(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    old = make(tmp_path, "a" * 32 + ".pkl", 10, 10 * 86400)
    new = make(tmp_path, "hs-" + "b" * 32, 10, 3600)
    stale_tmp = make(tmp_path, "tmpabc.tmp", 10, 7200)
    fresh_tmp = make(tmp_path, "tmpdef.tmp", 10, 60)  # maybe another process is writing it
    report = cache.prune(older_than=2 * 86400, now=NOW)
    assert [e.path for e in report.removed] == [old]
    assert new.exists() and fresh_tmp.exists()
    assert not old.exists() and not stale_tmp.exists()


def test_a_dry_run_removes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    paths = [make(tmp_path, n, 100, k) for k, n in enumerate(names(4))]
    report = cache.prune(max_bytes=150, dry_run=True, now=NOW)
    assert len(report.removed) == 3 and all(p.exists() for p in paths)


@pytest.mark.parametrize("text, size", [("2G", 2 << 30), ("500M", 500 << 20), ("1.5GiB", 3 << 29),
                                        ("64 kb", 64 << 10), ("123", 123), ("off", None), ("0", None)])
def test_sizes(text, size):
    assert cache.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "2X", "G", "-5M", "1e9"])
def test_bad_sizes(text):
    with pytest.raises(ValueError, match="not a size"):
        cache.parse_size(text)


def test_loading_marks_an_entry_used_and_writing_prunes(tmp_path, monkeypatch):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    engine.load(PACK)
    (entry,) = tmp_path.glob("*.pkl")
    os.utime(entry, (NOW - 1e6, NOW - 1e6))
    engine.load(PACK)
    assert time.time() - entry.stat().st_mtime < 60
    # an older, larger entry of some other pack goes as soon as a write needs the room
    old = make(tmp_path, "c" * 32 + ".pkl", entry.stat().st_size, 1e6)
    monkeypatch.setenv("LARKSPAN_CACHE_MAX", str(entry.stat().st_size + 10))
    cache.put_blob("hs-" + "d" * 32, b"y")
    assert not old.exists() and entry.exists() and (tmp_path / ("hs-" + "d" * 32)).exists()


def test_a_bad_limit_in_the_environment_warns_and_keeps_the_default(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    monkeypatch.setenv("LARKSPAN_CACHE_MAX", "lots")
    kept = make(tmp_path, "e" * 32 + ".pkl", 10, 1e6)
    cache.put_blob("hs-" + "f" * 32, b"z")
    assert "LARKSPAN_CACHE_MAX" in capsys.readouterr().err
    assert kept.exists()


def test_the_cache_command(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LARKSPAN_CACHE", str(tmp_path))
    for k, n in enumerate(names(6)):
        make(tmp_path, n, 1 << 20, 86400 * (k + 1))
    (tmp_path / "mine.txt").write_text("not the cache's")
    assert main(["cache"]) == 0
    out = capsys.readouterr().out
    assert "6 entries, 6.0 MiB: 3 compiled packs, 3 prefilter databases" in out
    table = make(tmp_path, "units-" + "0" * 16, 1 << 10, 0)  # the SI conversions (norm_quantity)
    assert main(["cache"]) == 0
    assert "7 entries, 6.0 MiB: 3 compiled packs, 3 prefilter databases, 1 table of unit conversions" \
        in capsys.readouterr().out
    table.unlink()
    assert main(["cache", "prune", "--max-size", "2.5M", "--dry-run"]) == 0
    assert "would remove 4 entries (4.0 MiB); 2 entries (2.0 MiB) kept" in capsys.readouterr().out
    assert len(list(tmp_path.iterdir())) == 7
    assert main(["cache", "prune", "--older-than", "3.5"]) == 0
    assert "removed 3 entries" in capsys.readouterr().out
    assert main(["cache", "clear"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
    assert main(["cache", "prune", "--max-size", "lots"]) == 2
    assert "--max-size" in capsys.readouterr().err
