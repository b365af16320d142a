"""Time the stages of batch extraction for several versions of the engine in
one process, so that a busy neighbour on the machine slows them alike.

Each version (a git revision, or the working tree) is unpacked under its own
package name in a temporary directory and imported beside the others.  Every
round loads fresh packs for every version (their caches start cold, as in
``larkspan bench``), warms up on 20 documents, then runs both bundled packs
over the texts, timing each stage in CPU time.  The versions take turns
document by document, so that a neighbour who slows the machine for a few
seconds slows them alike; the table shows the lowest time of each stage over
the rounds.  The last line hashes the records each version gave (pack
versions left out): they must be equal.
Run from the project root:

    python benchmarks/ab_stages.py ../shared/data/polnear/train.jsonl --rev 7dd7dab --rev HEAD --mb 4 --rounds 5

Compiling the packs for each version (with Hyperscan, about 20 s a version)
happens in a temporary cache, never in the shared one.
"""
from __future__ import annotations

import argparse
import hashlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = [ROOT / "rules" / "quantities.yaml", ROOT / "rules" / "attribution.yaml"]


def unpack(rev: str, into: Path) -> str:
    """The engine at ``rev`` (or the working tree for "."), as a package in ``into``; its name."""
    if rev == ".":
        name = "engine_worktree"
        shutil.copytree(ROOT / "engine", into / name, ignore=shutil.ignore_patterns("__pycache__"))
        return name
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True)
    if sha.returncode != 0:
        raise SystemExit(f"{rev}: not a git revision here ({sha.stderr.strip()}); give one `git log` shows")
    name = f"engine_{sha.stdout.strip()}"
    blob = subprocess.run(["git", "archive", rev, "engine"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
        tar.extractall(into / "tmp", filter="data")
    (into / "tmp" / "engine").rename(into / name)
    return name


def stages(E, packs, text, times, digest) -> None:
    """Run the packs over one text as batch.run does, adding CPU seconds per
    stage to ``times`` and the record to ``digest``."""
    tokenize = importlib.import_module(E.__name__ + ".tokenizer").tokenize
    clock = time.process_time
    a = clock()
    tokens = tokenize(text)
    times["tokenize"] += clock() - a
    anns = []
    for p in packs:
        a = clock()
        chars = p.encode(tokens)
        b = clock()
        cands = p.scanner.scan(chars)
        c = clock()
        cons = p.compiled.constructions
        found = [p._match(tokens, x) for x in cands if cons[x[2]].report]
        d = clock()
        anns.extend(m.to_json() for m in found if m is not None)
        times[f"{p.name} token string"] += b - a
        times[f"{p.name} scan"] += c - b
        times[f"{p.name} slots+normalizers"] += d - c
        times["to_json + record"] += clock() - d
    a = clock()
    anns.sort(key=lambda x: (x["span"][0], x["span"][1], x["label"]))
    record = {"text": text, "annotations": anns}
    times["to_json + record"] += clock() - a
    for x in anns:
        x["pack"] = x["pack"].split("@")[0]
    digest.update(json.dumps(record, sort_keys=True).encode())


WHOLE = "batch.extract_record, whole"


def whole(E, packs, text, times) -> None:
    """CPU seconds of the record batch.run makes of the text, in one call
    (not part of the total above it: the same work, timed as a whole)."""
    extract_record = importlib.import_module(E.__name__ + ".batch").extract_record
    a = time.process_time()
    extract_record(packs, {"id": 0, "text": text})
    times[WHOLE] += time.process_time() - a


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="JSONL with a 'text' field per line")
    ap.add_argument("--rev", action="append", required=True, help="a git revision, or '.' for the working tree; repeat")
    ap.add_argument("--mb", type=float, default=2.0, help="megabytes of text (default 2)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from engine.bench import read_corpus_or_exit

    texts = read_corpus_or_exit(args.corpus, args.mb)
    size = sum(map(len, texts))
    work = Path(tempfile.mkdtemp(prefix="larkspan-ab-"))
    os.environ["LARKSPAN_CACHE"] = str(work / "cache")
    (work / "grammars").symlink_to(ROOT / "grammars")  # packs import grammars/ beside the engine
    sys.path.insert(0, str(work))
    try:
        names = [unpack(rev, work) for rev in args.rev]
        engines = {name: importlib.import_module(name) for name in names}
        best: dict[str, dict[str, float]] = {name: {} for name in names}
        hashes = {}
        for _ in range(args.rounds):
            packs, times, digests = {}, {}, {}
            for name, E in engines.items():
                packs[name] = [E.load(p).prepare() for p in PACKS]
                for text in texts[:20]:
                    stages(E, packs[name], text, defaultdict(float), hashlib.sha256())
                times[name], digests[name] = defaultdict(float), hashlib.sha256()
            for text in texts:
                for name, E in engines.items():
                    stages(E, packs[name], text, times[name], digests[name])
                    whole(E, packs[name], text, times[name])
            for name in engines:
                hashes[name] = digests[name].hexdigest()[:16]
                times[name]["total"] = sum(v for k, v in times[name].items() if k != WHOLE)
                for k, v in times[name].items():
                    best[name][k] = min(best[name].get(k, float("inf")), v)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    mb = size / 1e6
    print(f"CPU s per MB, lowest of {args.rounds} rounds over {mb:.2f} MB ({len(texts)} documents)")
    print(f"{'stage':30s}" + "".join(f"{rev:>16s}" for rev in args.rev))
    for k in best[names[0]]:
        if k == WHOLE:
            continue
        print(f"{k:30s}" + "".join(f"{best[n][k] / mb:16.3f}" for n in names))
    print(f"{'MB/s':30s}" + "".join(f"{mb / best[n]['total']:16.2f}" for n in names))
    print(f"{'MB/s, batch.extract_record':30s}" + "".join(f"{mb / best[n][WHOLE]:16.2f}" for n in names))
    print(f"{'records hash':30s}" + "".join(f"{hashes[n]:>16s}" for n in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
