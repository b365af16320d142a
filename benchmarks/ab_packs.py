"""Time the scan of several pack files side by side, in one process, so that
a busy neighbour on the machine slows them alike.

The packs (any files: two versions of one pack, say) are loaded and
prepared, every text is tokenized once and turned into each pack's token
string, and then the packs take turns document by document (the order
flips on every document), each scan timed in CPU seconds.  The table shows
each pack's lowest time over the rounds, in CPU seconds per MB of text;
every round loads the packs afresh, so the states their automata learn
start empty each time, as in a new process.  Run from the project root:

    git show HEAD~3:rules/attribution.yaml > rules/_old.yaml
    python benchmarks/ab_packs.py ../shared/data/polnear/train.jsonl rules/_old.yaml rules/attribution.yaml

(a pack's lexicon files are found relative to it, so an older version goes
beside the current one; the first load of a new version compiles it and its
Hyperscan databases, which takes a few seconds, into the cache).  Delete the
copy afterwards: `larkspan bench` without `--pack` takes every pack in rules/.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="JSONL with a 'text' field per line")
    ap.add_argument("packs", nargs="+", help="pack files to compare")
    ap.add_argument("--mb", type=float, default=2.0, help="megabytes of text (default 2)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    import engine
    from engine.bench import read_corpus_or_exit
    from engine.errors import PackError
    from engine.tokenizer import tokenize

    texts = read_corpus_or_exit(args.corpus, args.mb)
    mb = sum(map(len, texts)) / 1e6
    best = [float("inf")] * len(args.packs)
    tokens = [tokenize(t) for t in texts]
    for r in range(args.rounds):
        try:
            packs = [engine.load(p).prepare() for p in args.packs]
        except PackError as exc:
            print(exc, file=sys.stderr)
            return 2
        chars = [[p.encode(t) for t in tokens] for p in packs]
        spent = [0.0] * len(packs)
        for d in range(len(texts)):
            order = range(len(packs)) if d % 2 == 0 else reversed(range(len(packs)))
            for k in order:
                start = time.process_time()
                packs[k].scanner.scan(chars[k][d])
                spent[k] += time.process_time() - start
        best = [min(b, s) for b, s in zip(best, spent)]
        print(f"round {r + 1}: " + "  ".join(f"{s / mb:.3f}" for s in spent), flush=True)
    print(f"scan, CPU s per MB, lowest of {args.rounds} rounds over {mb:.2f} MB ({len(texts)} documents)")
    for path, b in zip(args.packs, best):
        print(f"  {b / mb:7.3f}  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
