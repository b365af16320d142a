"""Batch extraction: streaming, order-preserving, on one core or all of them.

``run(packs, docs, processes=N)`` yields one result per input document, in
input order, while holding at most ``2 * N`` chunks of documents in memory
whatever the size of the input.  Worker processes receive the packs once, at
start-up.  Where workers are forked (Linux), they inherit the parent's Pack
objects as they are, prepared: every regex loaded, every lookup table and
automaton state the parent built, every token string it has classified, so
a worker starts where the parent stands instead of building all of it again.
Where they are spawned, each pack travels as its compiled record (small, and
already compiled: a worker never compiles a pack again).

A document that cannot be processed (bad JSON, no text, invalid UTF-8, a scan
that hit its time limit) yields an error record ``{"id", "error": {...}}``
instead of a result, so nothing is ever lost.
"""
from __future__ import annotations

import gc
import os
import time
from collections import deque
from contextlib import contextmanager
from concurrent.futures import ProcessPoolExecutor
from itertools import islice

from .docio import Doc
from .errors import LarkspanError
from .tokenizer import tokenize

_WORKER_PACKS: list = []


def _init_worker(packs):
    """``packs``: the parent's Pack objects (inherited as they are by a
    forked worker; a spawned one unpickles each from its compiled record)."""
    from .api import Pack

    _WORKER_PACKS[:] = [p if isinstance(p, Pack) else Pack(p) for p in packs]
    # everything here lives as long as the worker (the packs, the modules):
    # the cyclic collector need not walk it again on every full collection
    gc.freeze()
    _exit_with_parent()


def _exit_with_parent(every: float = 1.0) -> None:
    """End this worker when the process that started it is gone (kill -9
    gives the pool no chance to stop its workers, which would otherwise
    wait for work forever)."""
    import threading

    parent = os.getppid()

    def watch():
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, daemon=True, name="larkspan-parent-watch").start()


def extract_record(packs, doc, timeout=None) -> dict:
    """One output record for one input: a str, a dict, or a docio.Doc."""
    source = _source(doc)
    if isinstance(source, dict):
        return source
    anns = _annotations(packs, source, timeout)
    return anns if isinstance(anns, dict) else _record(source, anns)


def _source(doc):
    """(id, text, meta, line) of one input, or the error record it gets instead."""
    if isinstance(doc, Doc):
        if doc.error is not None:
            return {"id": doc.id, "error": doc.error}
        return doc.id, doc.text, doc.meta, doc.line
    if isinstance(doc, str):
        return None, doc, {}, None
    doc_id, text, meta = doc.get("id"), doc.get("text"), doc.get("meta") or {}
    if not isinstance(text, str):
        return {"id": doc_id, "error": {"code": "E400", "message": "the document has no 'text' string"}}
    return doc_id, text, meta, None


def _annotations(packs, source, timeout):
    """The annotations of one document, in order, or its error record."""
    doc_id, text, _meta, line = source
    try:
        tokens = tokenize(text)
        anns = []
        for pack in packs:
            anns.extend(m.to_json() for m in pack.extract(text, timeout, tokens))
    except LarkspanError as exc:
        err = {"code": exc.code, "message": exc.message}
        if line is not None:
            err["line"] = line
        return {"id": doc_id, "error": err}
    anns.sort(key=lambda a: (a["span"][0], a["span"][1], a["label"]))
    return anns


def _record(source, anns) -> dict:
    doc_id, text, meta, _line = source
    return {"id": doc_id, "text": text, "meta": meta, "annotations": anns}


def _work_chunk(chunk, timeout, as_matches):
    """A worker's results for a chunk: lists of Match, or (records) each
    document's annotations or error record.  The parent, which holds the
    documents, puts the records together: sending each text back as well
    would more than double what the parent unpickles."""
    if as_matches:
        return [_WORKER_PACKS[0].extract(t, timeout) for t in chunk]
    out = []
    for doc in chunk:
        source = _source(doc)
        out.append(source if isinstance(source, dict) else _annotations(_WORKER_PACKS, source, timeout))
    return out


def _results(chunk, found, as_matches):
    """What ``run`` yields for a chunk, given what the worker returned."""
    if as_matches:
        return found
    return [res if isinstance(res, dict) else _record(_source(doc), res) for doc, res in zip(chunk, found)]


@contextmanager
def _frozen_heap():
    """The objects that exist now (the packs above all: hundreds of thousands)
    are left out of the cyclic collector's passes until the end, unless the
    program manages frozen objects itself.  The parent unpickles many small
    results, which start collections that would otherwise walk the whole heap
    each time; and forked workers share the pages of those objects instead of
    copying them when a collection writes to them."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run(packs, docs, processes: int = 1, chunk_size: int = 64, timeout: float | None = None,
        as_matches: bool = False):
    """Yield one result per document, in order.

    ``as_matches``: documents are strings and results are lists of Match (one
    pack); otherwise results are gold-format records or error records.
    """
    if processes is None or processes <= 0:
        processes = os.cpu_count() or 1
    if processes == 1:
        for doc in docs:
            if as_matches:
                yield packs[0].extract(doc, timeout)
            else:
                yield extract_record(packs, doc, timeout)
        return
    for p in packs:  # once here, so that the workers inherit it, or load the prefilters from the cache
        p.prepare()
    it = iter(docs)
    window = 2 * processes
    with _frozen_heap(), ProcessPoolExecutor(max_workers=processes, initializer=_init_worker,
                                             initargs=(list(packs),)) as pool:
        pending: deque = deque()
        while True:
            while len(pending) < window:
                chunk = list(islice(it, chunk_size))
                if not chunk:
                    break
                pending.append((chunk, pool.submit(_work_chunk, chunk, timeout, as_matches)))
            if not pending:
                return
            chunk, future = pending.popleft()
            yield from _results(chunk, future.result(), as_matches)
