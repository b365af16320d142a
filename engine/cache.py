"""On-disk cache of compiled packs, keyed by content.

The entry for a pack file is found by a hash of the file's bytes; it lists
every file the pack was built from (imports, fragments, lexicon files) with
the hash of its bytes, and is used only when all of them still match.  The
combined hash is the pack's version id (``name@hash`` in every match).

The cache lives in ``$LARKSPAN_CACHE`` or ``~/.cache/larkspan``; a cache that
cannot be written is skipped silently (extraction still works).
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
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
    return compiled


def put(path: Path, compiled) -> None:
    try:
        raw = path.read_bytes()
    except OSError:
        return
    put_blob(_key(raw, path) + ".pkl", pickle.dumps(compiled, protocol=pickle.HIGHEST_PROTOCOL))


def get_blob(name: str) -> bytes | None:
    """Bytes stored under ``name`` by ``put_blob`` (a compiled pack, a Hyperscan database), or None."""
    try:
        return (cache_dir() / name).read_bytes()
    except OSError:
        return None


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
        pass
