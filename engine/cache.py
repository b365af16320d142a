"""On-disk cache of compiled packs, keyed by content.

The entry for a pack file is found by a hash of the file's bytes; it lists
every file the pack was built from (imports, fragments, lexicon files) with
the hash of its bytes, and is used only when all of them still match.  The
combined hash is the pack's version id (``name@hash`` in every match).

The cache lives in ``$LARKSPAN_CACHE`` or ``~/.cache/larkspan``; a cache that
cannot be written is skipped silently (extraction still works).

Every entry read is marked as used (its modification time is set to now), and
every entry written is followed by a prune: while the entries together hold
more than ``$LARKSPAN_CACHE_MAX`` bytes (default 1 GiB; "0" or "off" for no
limit), the least recently used go first.  Only files the cache itself names
are ever removed (``<32 hex digits>.pkl``, ``hs-<hex>``, ``units-<hex>`` (the
SI conversions pint gave, see norm_quantity) and writes left half-done by a
killed process, ``*.tmp`` older than an hour).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__

FORMAT = 1


def cache_dir() -> Path:
    env = os.environ.get("LARKSPAN_CACHE")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "larkspan"


_FINGERPRINT: list[str] = []


def engine_fingerprint() -> str:
    """A hash of the engine's own source, so a changed engine never reads an old entry."""
    if not _FINGERPRINT:
        h = hashlib.sha256()
        for source in sorted(Path(__file__).parent.glob("*.py")):
            h.update(source.read_bytes())
        _FINGERPRINT.append(h.hexdigest()[:16])
    return _FINGERPRINT[0]


def _key(raw: bytes, path: Path) -> str:
    h = hashlib.sha256(f"{FORMAT}:{__version__}:{engine_fingerprint()}:{path.resolve()}:".encode())
    h.update(raw)
    return h.hexdigest()[:32]


def _file_hash(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def get(path: Path):
    """The cached Compiled for ``path``, or None."""
    try:
        raw = path.read_bytes()
        entry = cache_dir() / (_key(raw, path) + ".pkl")
        with open(entry, "rb") as fh:
            compiled = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    for source, digest in compiled.sources.items():
        if _file_hash(source) != digest:
            return None
    _mark_used(entry)
    return compiled


def put(path: Path, compiled) -> None:
    try:
        raw = path.read_bytes()
    except OSError:
        return
    put_blob(_key(raw, path) + ".pkl", pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))


def get_blob(name: str) -> bytes | None:
    """Bytes stored under ``name`` by ``put_blob`` (a compiled pack, a Hyperscan database), or None."""
    entry = cache_dir() / name
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    _mark_used(entry)
    return data


def put_blob(name: str, data: bytes) -> None:
    """Store ``data`` under ``name``, atomically; a cache that cannot be written is skipped."""
    try:
        directory = cache_dir()
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, directory / name)
    except OSError:
        return
    limit = _limit_from_env()
    if limit is not None:
        prune(max_bytes=limit, keep=(name,))


def _mark_used(entry: Path) -> None:
    """Set the entry's modification time to now: pruning removes the least recently used first."""
    try:
        os.utime(entry)
    except OSError:  # a read-only cache, or an entry pruned meanwhile by another process
        pass


DEFAULT_MAX = 1 << 30
_ENTRY = re.compile(r"[0-9a-f]{32}\.pkl|hs-[0-9a-f]+|units-[0-9a-f]+")
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_warned: list[str] = []


def parse_size(text: str) -> int | None:
    """Bytes in ``text`` ("500M", "2G", "1.5GiB", "123456"), None for "0", "off" or "none";
    ValueError for anything else."""
    if text.strip().lower() in {"0", "off", "none", "unlimited"}:
        return None
    m = _SIZE.fullmatch(text)
    if not m:
        raise ValueError(f"{text!r} is not a size: give bytes or a number with K, M, G or T (e.g. 2G)")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def _limit_from_env() -> int | None:
    raw = os.environ.get("LARKSPAN_CACHE_MAX")
    if raw is None:
        return DEFAULT_MAX
    try:
        return parse_size(raw)
    except ValueError as exc:
        if raw not in _warned:  # the cache never stops extraction: say it once, keep the default
            _warned.append(raw)
            print(f"larkspan: LARKSPAN_CACHE_MAX: {exc}; using the default of 1 GiB", file=sys.stderr)
        return DEFAULT_MAX


@dataclass
class Entry:
    path: Path
    size: int
    used: float  # modification time: when it was last written or read


@dataclass
class PruneReport:
    removed: list[Entry] = field(default_factory=list)
    kept: list[Entry] = field(default_factory=list)

    @property
    def freed(self) -> int:
        return sum(e.size for e in self.removed)

    @property
    def size(self) -> int:
        return sum(e.size for e in self.kept)


def entries(directory: Path | None = None) -> tuple[list[Entry], list[Entry]]:
    """The cache's entries, least recently used first, and its files left half-written."""
    directory = cache_dir() if directory is None else directory
    found: list[Entry] = []
    partial: list[Entry] = []
    try:
        listing = list(os.scandir(directory))
    except OSError:
        return found, partial
    for item in listing:
        is_entry = _ENTRY.fullmatch(item.name)
        if not is_entry and not item.name.endswith(".tmp"):
            continue
        try:
            st = item.stat(follow_symlinks=False)
        except OSError:  # removed meanwhile
            continue
        if not item.is_file(follow_symlinks=False):
            continue
        (found if is_entry else partial).append(Entry(Path(item.path), st.st_size, st.st_mtime))
    found.sort(key=lambda e: (e.used, e.path.name))
    return found, partial


def prune(max_bytes: int | None = None, older_than: float | None = None, keep=(),
          dry_run: bool = False, now: float | None = None) -> PruneReport:
    """Remove entries not used for ``older_than`` seconds, then the least recently
    used until the rest hold at most ``max_bytes``; never the names in ``keep``.
    Writes left half-done (``*.tmp``) go once they are an hour old."""
    now = time.time() if now is None else now
    found, partial = entries()
    report = PruneReport()
    doomed = [e for e in partial if now - e.used > 3600]
    total = sum(e.size for e in found)
    for e in found:  # least recently used first
        stale = older_than is not None and now - e.used > older_than
        over = max_bytes is not None and total > max_bytes
        if (stale or over) and e.path.name not in keep:
            doomed.append(e)
            total -= e.size
        else:
            report.kept.append(e)
    for e in doomed:
        if not dry_run:
            try:
                e.path.unlink()
            except FileNotFoundError:  # another process pruned it first
                pass
            except OSError:
                report.kept.append(e)
                continue
        if not e.path.name.endswith(".tmp"):
            report.removed.append(e)
    return report
