"""Running packs on a Dask cluster, partition by partition.

    import dask.bag as db
    from distributed import Client
    from engine.dask_io import extract_bag, extract_dataframe, extract_jsonl

    client = Client("tcp://scheduler:8786")          # or LocalCluster() on one machine
    bag = db.read_text("s3://bucket/news/*.jsonl").map(json.loads)
    records = extract_bag(bag, ["rules/quantities.yaml", "rules/attribution.yaml"])
    records.map(json.dumps).to_textfiles("s3://bucket/out/*.jsonl")

The packs are compiled once, here, and travel to each worker once, as one
piece of graph data that every task shares; a worker never compiles a pack.
Each partition is handled by the same code as ``larkspan extract``: one
output record per input record, in order, with an error record (not an
exception) for a document that fails.
"""
from __future__ import annotations

import json

from .api import Pack, load
from .batch import extract_record


def _packs(packs) -> list[Pack]:
    if isinstance(packs, (str, Pack)) or hasattr(packs, "__fspath__"):
        packs = [packs]
    return [p if isinstance(p, Pack) else load(p) for p in packs]


def _shared(packs):
    import dask

    return dask.delayed(_packs(packs), pure=True, traverse=False)


def _records_partition(records, packs, timeout):
    return [extract_record(packs, r, timeout) for r in records]


def extract_bag(bag, packs, timeout: float | None = None):
    """A bag of ``{"id", "text"}`` dicts (or plain strings) -> a bag of records."""
    return bag.map_partitions(_records_partition, _shared(packs), timeout)


def extract_jsonl(pattern: str, packs, timeout: float | None = None, **read_text_kw):
    """JSONL files (local paths, globs or object-storage URLs such as
    ``s3://bucket/*.jsonl``) -> a bag of records.  A line that is not valid
    JSON becomes an error record, like in ``larkspan extract``."""
    import dask.bag as db

    from .docio import parse_jsonl_line

    lines = db.read_text(pattern, **read_text_kw)

    def parse(part):
        return [parse_jsonl_line(line.rstrip("\n"), n, pattern) for n, line in enumerate(part, 1)]

    return lines.map_partitions(parse).map_partitions(_records_partition, _shared(packs), timeout)


def _frame_partition(frame, packs, text_column, timeout):
    import pandas as pd

    annotations, errors = [], []
    for text in frame[text_column]:
        record = extract_record(packs, {"text": text}, timeout)
        annotations.append(json.dumps(record.get("annotations", []), ensure_ascii=False))
        errors.append(json.dumps(record["error"], ensure_ascii=False) if "error" in record else None)
    out = frame.copy()
    out["annotations"] = pd.Series(annotations, index=frame.index, dtype=object)
    out["error"] = pd.Series(errors, index=frame.index, dtype=object)
    return out


def extract_dataframe(df, packs, text_column: str = "text", timeout: float | None = None):
    """A Dask DataFrame with a text column -> the same frame plus two columns:
    ``annotations`` (gold-format annotations as a JSON string) and ``error``
    (a JSON string, or None)."""
    import pandas as pd

    meta = df._meta.copy()
    meta["annotations"] = pd.Series([], dtype=object)
    meta["error"] = pd.Series([], dtype=object)
    return df.map_partitions(_frame_partition, _shared(packs), text_column, timeout, meta=meta)
