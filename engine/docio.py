"""Reading input documents and writing JSONL output safely.

Input is a plain-text file (one document), a JSONL file (``{"id", "text"}``
per line) or standard input (``-``; JSONL when its first character is '{').
A bad line never stops a run: it becomes an error record, so every input
line has exactly one output line.  Output goes to a temporary file that is
renamed into place only when the run is complete.
"""
from __future__ import annotations

import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Doc:
    line: int  # 1-based line of the input (1 for a text file)
    id: str | None
    text: str | None
    meta: dict
    error: dict | None = None  # set when the line could not be read
    size: int = 0  # bytes of input this document took (for progress bars)


def _bad(line, doc_id, code, message):
    return Doc(line, doc_id, None, {}, {"code": code, "message": message, "line": line})


def parse_jsonl_line(raw: bytes | str, n: int, source: str) -> Doc:
    doc = _parse_jsonl_line(raw, n, source)
    doc.size = len(raw)
    return doc


def _parse_jsonl_line(raw: bytes | str, n: int, source: str) -> Doc:
    if not raw.strip():
        return _bad(n, f"line-{n}", "E400", f"{source}:{n}: empty line (every line must hold a document)")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _bad(n, f"line-{n}", "E400", f"{source}:{n}: invalid UTF-8 at byte {exc.start}")
    try:
        obj = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _bad(n, f"line-{n}", "E400", f"{source}:{n}: not valid JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(obj, dict):
        return _bad(n, f"line-{n}", "E400", f"{source}:{n}: a line must be a JSON object with 'text'")
    doc_id = obj.get("id", f"line-{n}")
    text = obj.get("text")
    if not isinstance(text, str):
        return _bad(n, doc_id, "E400", f"{source}:{n}: the object has no 'text' string")
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    return Doc(n, doc_id, text, meta)


def read_docs(path: str, fmt: str = "auto"):
    """Yield Doc for every document of ``path`` ('-' for stdin)."""
    if path == "-":
        stream = sys.stdin.buffer
        source = "<stdin>"
        if fmt == "auto":
            data = stream.read()
            fmt = "jsonl" if data.lstrip()[:1] == b"{" else "text"
            stream = io.BytesIO(data)
    else:
        source = path
        if fmt == "auto":
            fmt = "jsonl" if path.endswith((".jsonl", ".ndjson")) else "text"
        try:
            stream = open(path, "rb")
        except OSError as exc:
            from .errors import InputError

            raise InputError(f"cannot read the input: {exc.strerror}", file=path,
                             fix="check the path; use '-' to read standard input") from None
    try:
        if fmt == "text":
            raw = stream.read()
            doc_id = "stdin" if path == "-" else Path(path).stem
            try:
                yield Doc(1, doc_id, raw.decode("utf-8"), {}, size=len(raw))
            except UnicodeDecodeError as exc:
                doc = _bad(1, doc_id, "E400", f"{source}: invalid UTF-8 at byte {exc.start}")
                doc.size = len(raw)
                yield doc
            return
        for n, raw in enumerate(stream, 1):
            if n == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield parse_jsonl_line(raw, n, source)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


class AtomicWriter:
    """Write to ``path`` (or stdout for '-') so a failed run leaves nothing."""

    def __init__(self, path: str):
        self.path = path
        self.tmp = None
        self.fh = None

    def __enter__(self):
        if self.path == "-":
            self.fh = sys.stdout
            return self.fh
        directory = os.path.dirname(os.path.abspath(self.path))
        fd, self.tmp = tempfile.mkstemp(dir=directory, prefix=".larkspan-", suffix=".part")
        self.fh = os.fdopen(fd, "w", encoding="utf-8")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        if self.path == "-":
            self.fh.flush()
            return False
        self.fh.close()
        if exc_type is None:
            os.chmod(self.tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the mode open() would
            os.replace(self.tmp, self.path)
        else:
            os.unlink(self.tmp)
        return False


class ResumableOutput:
    """JSONL output written to ``PATH.part`` and renamed to ``PATH`` when complete.

    An interrupted run (Ctrl-C, a crash, kill -9) leaves ``PATH.part``; with
    ``resume=True`` the next run keeps its complete lines, drops a torn last
    line, and carries on after them, so it ends with the same output as an
    uninterrupted run.  ``PATH`` itself only ever holds a finished run.
    """

    def __init__(self, path: str, resume: bool = False):
        self.path = path
        self.part = path + ".part"
        self.done_ids: list = []
        self.fh = None
        if resume and os.path.exists(self.part):
            keep = 0
            with open(self.part, "rb") as fh:
                for raw in fh:
                    if not raw.endswith(b"\n"):
                        break
                    try:
                        self.done_ids.append(json.loads(raw).get("id"))
                    except (json.JSONDecodeError, AttributeError):
                        break
                    keep += len(raw)
            with open(self.part, "r+b") as fh:
                fh.truncate(keep)
            self.fh = open(self.part, "a", encoding="utf-8")
        else:
            self.fh = open(self.part, "w", encoding="utf-8")

    def write(self, line: str) -> None:
        self.fh.write(line)

    def flush(self) -> None:
        self.fh.flush()

    def commit(self) -> None:
        self.fh.close()
        os.replace(self.part, self.path)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def dump(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)
