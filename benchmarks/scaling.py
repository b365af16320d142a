"""Where the step from one process to two loses time: our pool, or the machine.

Two measurements on the same texts, both bundled packs, ``batch.run``:

* pool: pairs of runs, one process then two, each in a fresh interpreter; for
  the two-process run the parent's CPU time (pickling texts out, building the
  records) and the workers' CPU time are given apart, from getrusage;
* machine: one process alone, then two independent one-process runs started
  together; if each of the pair needs more CPU time than the run alone, the
  two cores slow each other down whatever the code does.

Run from the project root:

    python benchmarks/scaling.py ../shared/data/polnear/train.jsonl --mb 4 --pairs 3
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = [str(ROOT / "rules" / "quantities.yaml"), str(ROOT / "rules" / "attribution.yaml")]


def child(corpus: str, mb: float, processes: int, at: float) -> dict:
    """One timed ``batch.run`` in this interpreter, after a warm-up on 20
    documents, starting at the clock time ``at`` (so that runs started
    together time the same seconds)."""
    import resource

    import engine
    from engine.batch import run
    from engine.bench import read_corpus

    texts = read_corpus(corpus, mb)
    records = [{"id": i, "text": t} for i, t in enumerate(texts)]
    packs = [engine.load(p).prepare() for p in PACKS]
    sum(1 for _ in run(packs, records[:20]))
    time.sleep(max(0.0, at - time.time()))
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    sum(1 for _ in run(packs, records, processes=processes, chunk_size=16))
    wall = time.perf_counter() - start
    own2, kids2 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = lambda a, b: (b.ru_utime + b.ru_stime) - (a.ru_utime + a.ru_stime)  # noqa: E731
    return {"wall": wall, "parent_cpu": cpu(own, own2), "workers_cpu": cpu(kids, kids2),
            "mb": sum(map(len, texts)) / 1e6}


def _spawn(args, processes: int, at: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, __file__, args.corpus, "--mb", str(args.mb), "--child", str(processes),
                             "--at", str(at)], stdout=subprocess.PIPE, text=True, cwd=ROOT)


def _soon() -> float:
    """A start time that leaves a child enough time to load the packs and warm up."""
    return time.time() + 3.0


def _result(proc: subprocess.Popen) -> dict:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(proc.returncode)
    return json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="a JSONL file with a 'text' per line")
    ap.add_argument("--mb", type=float, default=4.0, help="megabytes of text (default 4)")
    ap.add_argument("--pairs", type=int, default=3, help="pairs of runs of each measurement (default 3)")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from engine.bench import read_corpus_or_exit

    if args.child is not None:
        print(json.dumps(child(args.corpus, args.mb, args.child, args.at)))
        return 0
    read_corpus_or_exit(args.corpus, args.mb)  # a broken corpus stops here, before any child starts
    print("pool: one process, then two (wall s; for two: parent and workers CPU s)")
    for _ in range(args.pairs):
        one = _result(_spawn(args, 1, _soon()))
        two = _result(_spawn(args, 2, _soon()))
        print(f"  1 process {one['wall']:.2f} s   2 processes {two['wall']:.2f} s "
              f"(parent {two['parent_cpu']:.2f}, workers {two['workers_cpu']:.2f})   "
              f"{one['wall'] / two['wall']:.2f} x")
    print("machine: one process alone, then two independent ones at once (CPU s each)")
    for _ in range(args.pairs):
        alone = _result(_spawn(args, 1, _soon()))
        at = _soon()
        a, b = _spawn(args, 1, at), _spawn(args, 1, at)
        ra, rb = _result(a), _result(b)
        print(f"  alone {alone['parent_cpu']:.2f}   together {ra['parent_cpu']:.2f} and {rb['parent_cpu']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
