"""Extraction speed of the quantities pack on news text read at run time.

    python benchmarks/quantities_speed.py ../shared/data/polnear/train.jsonl [--kb 500] [--runs 3]

Reads the first --kb kilobytes of document texts from a JSONL file
({"text": ...} per line), extracts with the cached pack, and prints the best
of --runs timings in MB/s together with the cold start (a fresh process
importing the engine and loading the cached pack).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("jsonl", type=Path)
    ap.add_argument("--pack", type=Path, default=ROOT / "rules" / "quantities.yaml")
    ap.add_argument("--kb", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    if not args.jsonl.is_file():
        print(f"{args.jsonl}: no such file; give a JSONL file of documents", file=sys.stderr)
        return 2
    import engine

    pack = engine.load(args.pack)
    texts, size = [], 0
    with args.jsonl.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                text = json.loads(line)["text"]
            except (ValueError, KeyError, TypeError):
                print(f"{args.jsonl}:{n}: not a JSON object with a 'text'", file=sys.stderr)
                return 2
            texts.append(text)
            size += len(text.encode("utf-8"))
            if size >= args.kb * 1000:
                break
    pack.extract("warm-up: 5 km and $3 million")  # pint's import is a one-time cost
    best, found = float("inf"), 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        found = sum(len(pack.extract(t)) for t in texts)
        best = min(best, time.perf_counter() - t0)
    code = (f"import sys,time; t=time.perf_counter(); sys.path.insert(0, {str(ROOT)!r}); import engine; "
            f"engine.load({str(args.pack)!r}); print(time.perf_counter()-t)")
    cold = min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(3))
    print(f"{len(texts)} documents, {size / 1e6:.2f} MB, {found} quantities; best of {args.runs}: "
          f"{best:.2f} s = {size / 1e6 / best:.2f} MB/s; cold start (import + cached load) {cold:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
