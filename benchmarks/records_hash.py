"""Print one hash of every record the bundled packs give on a corpus, to
check that a change meant for speed leaves the output alone.

Runs ``batch.run`` with both bundled packs (one process) over the first MB of
texts of a JSONL file, read where it lies, and hashes the JSON of each record
with its annotations sorted.  Run from the project root, before and after a
change, and compare the hashes:

    python benchmarks/records_hash.py ../shared/data/polnear/train.jsonl --mb 1
    python benchmarks/records_hash.py ../shared/data/polnear/train.jsonl --mb 1 --strategy reach
    python benchmarks/records_hash.py ../shared/data/polnear/train.jsonl --mb 1 --no-hyperscan
    python benchmarks/records_hash.py ../shared/data/polnear/train.jsonl --mb 1 --processes 2

``--no-hyperscan`` compiles the packs as on a machine without the module
(in a temporary cache, so the shared one is left alone).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = [ROOT / "rules" / "quantities.yaml", ROOT / "rules" / "attribution.yaml"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="JSONL with a 'text' field per line")
    ap.add_argument("--mb", type=float, default=1.0, help="megabytes of text (default 1)")
    ap.add_argument("--strategy", choices=["auto", "all", "reach", "prefilter"], default="auto",
                    help="how the scanner narrows its starts (the records must not depend on it)")
    ap.add_argument("--no-hyperscan", action="store_true", help="compile and scan as without the hyperscan module")
    ap.add_argument("--processes", type=int, default=1,
                    help="worker processes (default 1; the records must not depend on it)")
    args = ap.parse_args(argv)
    if args.no_hyperscan:
        os.environ["LARKSPAN_CACHE"] = tempfile.mkdtemp(prefix="larkspan-nohs-")
    sys.path.insert(0, str(ROOT))
    from engine import prefilter

    if args.no_hyperscan:
        prefilter.hyperscan = None
    from engine.api import load
    from engine.batch import run
    from engine.bench import read_corpus_or_exit
    from engine.scanner import Scanner

    texts = read_corpus_or_exit(args.corpus, args.mb)
    size = sum(map(len, texts))
    packs = [load(p) for p in PACKS]
    for pack in packs:
        if args.strategy != "auto":
            pack.scanner = Scanner(pack.compiled, args.strategy)
        pack.prepare()
    clock = time.process_time()
    digest, count = hashlib.sha256(), 0
    for record in run(packs, ({"id": i, "text": t} for i, t in enumerate(texts)), processes=args.processes,
                      chunk_size=16):
        anns = sorted(record.get("annotations", []), key=lambda a: json.dumps(a, sort_keys=True))
        count += len(anns)
        digest.update(json.dumps({**record, "annotations": anns}, sort_keys=True).encode())
    seconds = time.process_time() - clock
    print(f"{size / 1e6:.2f} MB, {len(texts)} documents, {count} annotations, "
          f"{seconds / (size / 1e6):.3f} CPU s/MB: {digest.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
