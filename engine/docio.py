"""Reading input documents and writing JSONL output safely.

Input is a plain-text file (one document), a JSONL file (``{"id", "text"}``
per line) or standard input (``-``; JSONL when its first character is '{'),
any of them compressed with gzip, bzip2 or xz (recognized by their first
bytes, whatever the file is called).  A bad line never stops a run: it
becomes an error record, so every input line has exactly one output line.
Output goes to a temporary file that is renamed into place only when the run
is complete; an output path ending in .gz, .bz2 or .xz is compressed.
"""
from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import re
import stat
import sys
import tempfile
import zlib
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


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


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
    except RecursionError:
        return _bad(n, f"line-{n}", "E400", f"{source}:{n}: the JSON is nested too deeply")
    if "\\u" in raw and _SURROGATE_ESCAPE.search(raw):  # only an escape can give a lone surrogate
        try:
            json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            return _bad(n, f"line-{n}", "E400", f"{source}:{n}: a \\u escape gives a lone surrogate "
                        f"({exc.object[exc.start]!a}), which is not a character; pair it or remove it")
    if not isinstance(obj, dict):
        return _bad(n, f"line-{n}", "E400", f"{source}:{n}: a line must be a JSON object with 'text'")
    doc_id = obj.get("id", f"line-{n}")
    text = obj.get("text")
    if not isinstance(text, str):
        return _bad(n, doc_id, "E400", f"{source}:{n}: the object has no 'text' string")
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    return Doc(n, doc_id, text, meta)


# first bytes of a compressed stream -> its name; output suffix -> the same
_MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bz2", b"\xfd7zXZ\x00": "xz"}
_SUFFIX = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz"}
_OPEN = {"gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}  # each takes a path or a file object
_TOOL = {"gzip": "gzip -t", "bz2": "bzip2 -t", "xz": "xz -t"}
# what a damaged or cut-off compressed stream raises while it is read
_DAMAGED = (EOFError, OSError, zlib.error, lzma.LZMAError)


def compression_of(head: bytes) -> str | None:
    """'gzip', 'bz2' or 'xz' when ``head`` (a stream's first bytes) opens such a stream."""
    return next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)), None)


def compression_for(path: str) -> str | None:
    """The compression an output path asks for by its suffix, or None."""
    return _SUFFIX.get(os.path.splitext(path)[1].lower())


def _plain_name(path: str) -> str:
    """``path`` without a compression suffix ('a.jsonl.gz' -> 'a.jsonl')."""
    root, ext = os.path.splitext(path)
    return root if ext.lower() in _SUFFIX else path


class _Prefixed(io.RawIOBase):
    """A stream's bytes with its first ``head`` bytes, already read, put back."""

    def __init__(self, head: bytes, rest):
        self.head, self.rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            data, self.head = self.head[:len(buffer)], self.head[len(buffer):]
        else:
            data = self.rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def _sniff_format(stream):
    """('jsonl' or 'text', the stream with nothing lost): JSONL when the first
    character that is not a space (within the first 64 KB) is '{'."""
    head = stream.read(1 << 16)
    fmt = "jsonl" if head.lstrip()[:1] == b"{" else "text"
    return fmt, io.BufferedReader(_Prefixed(head, stream))


def read_docs(path: str, fmt: str = "auto"):
    """Yield Doc for every document of ``path`` ('-' for stdin).

    A compressed input is read through its decompressor; each Doc's ``size``
    is then the compressed bytes read meanwhile (where the input can tell),
    so a progress bar over the file's size stays right.  A stream that turns
    out damaged or cut off stops the run with an InputError naming the last
    line read."""
    from .errors import InputError

    if path == "-":
        raw = sys.stdin.buffer
        source = "<stdin>"
    else:
        source = path
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise InputError(f"cannot read the input: {exc.strerror}", file=path,
                             fix="check the path; use '-' to read standard input") from None
    kind = compression_of(raw.peek(6)[:6]) if hasattr(raw, "peek") else None
    stream = _OPEN[kind](raw, "rb") if kind else raw
    position = raw.tell if kind and raw.seekable() else None
    n = 0
    try:
        if fmt == "auto":
            name = _plain_name(path)
            if name.endswith((".jsonl", ".ndjson")):
                fmt = "jsonl"
            elif name.endswith(".txt") or (path != "-" and not kind):
                fmt = "text"
            else:  # standard input, or a compressed file whose name does not say
                fmt, stream = _sniff_format(stream)
        if fmt == "text":
            data = stream.read()
            doc_id = "stdin" if path == "-" else Path(_plain_name(path)).stem
            try:  # a byte-order mark is not part of the text, as in a JSONL file
                yield Doc(1, doc_id, data.decode("utf-8").removeprefix("\ufeff"), {}, size=len(data))
            except UnicodeDecodeError as exc:
                doc = _bad(1, doc_id, "E400", f"{source}: invalid UTF-8 at byte {exc.start}")
                doc.size = len(data)
                yield doc
            return
        consumed = 0
        for n, line in numbered_lines(stream, kind, source):
            if n == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            doc = parse_jsonl_line(line, n, source)
            if position is not None:  # compressed bytes read, as the progress bar's total is the file's size
                now = position()
                doc.size, consumed = now - consumed, now
            yield doc
    except _DAMAGED as exc:  # while sniffing the format or reading a whole text
        if not kind:
            raise
        raise damaged(kind, source, n, exc) from None
    finally:
        if raw is not sys.stdin.buffer:
            raw.close()


def open_input(path: str):
    """``path`` opened for reading bytes, through its decompressor if it is
    compressed (by its first bytes); (the stream, the compression or None)."""
    with open(path, "rb") as fh:
        kind = compression_of(fh.read(6))
    return (_OPEN[kind](path, "rb") if kind else open(path, "rb")), kind


def numbered_lines(fh, kind: str | None, source: str):
    """(number, line) for each line of an open binary file; a compressed
    stream that breaks off is an InputError naming the last line read."""
    n = 0
    try:
        for n, line in enumerate(fh, 1):
            yield n, line
    except _DAMAGED as exc:
        if not kind:
            raise
        raise damaged(kind, source, n, exc) from None


def damaged(kind: str, source: str, after: int, exc: Exception):
    """The InputError for a compressed stream that breaks off after line ``after``."""
    from .errors import InputError

    where = f"after line {after}" if after else "before its first line"
    return InputError(f"the {kind} stream is damaged or cut off {where} ({exc})", file=source,
                      fix=f"test the file ({_TOOL[kind]} FILE) and replace it")


def _decompressed(fh):
    """The bytes of an open file, decompressed in chunks if it is compressed,
    as far as they go: a stream cut off mid-write (kill -9) or damaged gives
    everything before that point.  Streams written one after another (as
    gzip, bzip2 and xz allow) are read one after another."""
    kind = compression_of(fh.peek(6)[:6])
    new = {"gzip": lambda: zlib.decompressobj(wbits=31), "bz2": bz2.BZ2Decompressor,
           "xz": lzma.LZMADecompressor}.get(kind)
    decompressor = new() if new else None
    while chunk := fh.read(1 << 16):
        if decompressor is None:
            yield chunk
            continue
        try:
            while chunk:
                yield decompressor.decompress(chunk)
                chunk = decompressor.unused_data if decompressor.eof else b""
                if chunk:  # the next stream begins
                    decompressor = new()
        except _DAMAGED:  # keep what came before
            return


def salvage(path: str) -> bytes:
    """All that a (maybe compressed, maybe cut off) file holds, as far as it goes."""
    with open(path, "rb") as fh:
        return b"".join(_decompressed(fh))


def _whole_lines(path: str):
    """The complete lines of a (maybe compressed, maybe cut off) file, streamed."""
    with open(path, "rb") as fh:
        pending = b""
        for chunk in _decompressed(fh):
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                yield line + b"\n"


def output_target(path: str) -> tuple[str, bool]:
    """(the file to write for output ``path``, whether to write it in place).

    A symbolic link is followed, so that the link stays and its target gets
    the output.  A FIFO, a device (``/dev/null``) or any other file that is
    not a regular file is written in place: renaming a finished file over it
    would replace it.  An output that cannot be written at all (a directory,
    a missing directory) raises OutputError before any work is done."""
    from .errors import OutputError

    real = os.path.realpath(path)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(f"cannot write the output: {exc.strerror}", file=path) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError("the output is a directory", file=path, fix="give a file name inside the directory")
    if mode is not None and not stat.S_ISREG(mode):
        return real, True
    directory = os.path.dirname(real)
    if not os.path.isdir(directory):
        raise OutputError(f"the output's directory {directory} does not exist", file=path,
                          fix=f"create it first (mkdir -p {directory}) or write elsewhere")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise OutputError(f"the output's directory {directory} is not writable", file=path,
                          fix="write to a directory you may write to")
    return real, False


class AtomicWriter:
    """Write to ``path`` (or stdout for '-') so a failed run leaves nothing."""

    def __init__(self, path: str):
        self.path = path
        self.tmp = None
        self.fh = None
        self.in_place = False

    def __enter__(self):
        if self.path == "-":
            self.fh = sys.stdout
            return self.fh
        target, self.in_place = output_target(self.path)
        if self.in_place:  # a FIFO or a device: written as it is
            self.fh = open(target, "w", encoding="utf-8")
            return self.fh
        self.path = target
        fd, self.tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".larkspan-", suffix=".part")
        self.fh = os.fdopen(fd, "w", encoding="utf-8")
        return self.fh

    def __exit__(self, exc_type, exc, tb):
        if self.path == "-":
            self.fh.flush()
            return False
        self.fh.close()
        if self.in_place:
            return False
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

    A path ending in .gz, .bz2 or .xz is written compressed.  Resuming one
    decompresses what the part holds (a stream cut off by kill -9 up to where
    it stops), keeps its complete lines and writes them into a new part.
    """

    def __init__(self, path: str, resume: bool = False):
        self.kind = compression_for(path)
        path, self.in_place = output_target(path)
        self.path = path
        self.part = path if self.in_place else path + ".part"  # a FIFO or a device is written as it is
        self._raw = None
        self.done_ids: list = []
        self.fh = None
        if self.in_place:
            self.fh = self._open(self.part, "w")
        elif resume and os.path.exists(self.part) and self.kind:
            self._resume_compressed()
        elif resume and os.path.exists(self.part):
            keep = 0
            with open(self.part, "rb") as fh:
                for raw in fh:
                    if not self._note_done(raw):
                        break
                    keep += len(raw)
            with open(self.part, "r+b") as fh:
                fh.truncate(keep)
            self.fh = self._open(self.part, "a")
        else:
            self.fh = self._open(self.part, "w")

    def _note_done(self, raw: bytes) -> bool:
        """Note the id of a complete output line; False for a torn or foreign line."""
        if not raw.endswith(b"\n"):
            return False
        try:
            self.done_ids.append(json.loads(raw).get("id"))
        except (json.JSONDecodeError, AttributeError):
            return False
        return True

    def _resume_compressed(self) -> None:
        """Copy the part's complete lines into a fresh compressed part, in a
        bounded amount of memory, and go on writing there."""
        fresh = self.part + ".new"
        self.fh = self._open(fresh, "w")
        for raw in _whole_lines(self.part):
            if not self._note_done(raw):
                break
            self.fh.write(raw.decode("utf-8"))
        if os.name == "nt":  # Windows renames no open file: finish this stream, append the next
            self.close()
            os.replace(fresh, self.part)
            self.fh = self._open(self.part, "a")
        else:
            os.replace(fresh, self.part)

    def _open(self, path: str, mode: str):
        if self.kind is None:
            return open(path, mode, encoding="utf-8")
        if self.kind == "gzip":  # the final name and no time in the header: the same run gives the same bytes
            self._raw = open(path, mode + "b")
            stream = gzip.GzipFile(self.path, mode + "b", compresslevel=6, fileobj=self._raw, mtime=0)
        else:
            stream = _OPEN[self.kind](path, mode + "b")
        return io.TextIOWrapper(stream, encoding="utf-8")

    def write(self, line: str) -> None:
        self.fh.write(line)

    def flush(self) -> None:
        self.fh.flush()

    def commit(self) -> None:
        self.close()
        if not self.in_place:
            os.replace(self.part, self.path)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        if self._raw is not None:  # a GzipFile leaves the file it was given open
            self._raw.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def dump(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False)
