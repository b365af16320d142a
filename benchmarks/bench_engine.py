"""Engine throughput: extraction next to the tokenizer alone, in one run.

    python benchmarks/bench_engine.py ../shared/data/polnear/train.jsonl \
        --pack rules/quantities.yaml --pack rules/attribution.yaml

Reads the ``text`` field of every line of a JSONL corpus (at least ``--mb``
megabytes; the corpus is read where it lies, never copied), then, for
``--repeat`` rounds, times in turn: the tokenizer alone, each pack alone, and
all packs together (sharing one tokenization).  Rounds interleave the
measurements, so a noisy neighbour on the machine hits them alike; the
figures are medians.  It also times a cold start: a new Python process that
imports the engine and loads each pack from a warm on-disk cache.

Prints a table and writes JSON to ``--out`` (default benchmarks/results/engine.json).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine.tokenizer import tokenize  # noqa: E402


def read_texts(path: str, megabytes: float) -> list[str]:
    texts, size = [], 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"]
            texts.append(text)
            size += len(text)
            if size >= megabytes * 1e6:
                break
    return texts


def machine() -> dict:
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cores": os.cpu_count()}


def time_it(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def cold_start(pack_path: str, runs: int) -> dict:
    code = ("import time; t = time.perf_counter(); import engine; "
            f"engine.load({pack_path!r}); print(time.perf_counter() - t)")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)  # warm the cache
    walls, inner = [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        inner.append(float(out.stdout.strip()))
    base = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - start)
    return {"process_s": statistics.median(walls), "import_and_load_s": statistics.median(inner),
            "bare_python_s": statistics.median(base)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="JSONL with a 'text' field per line (e.g. PolNeAR train)")
    ap.add_argument("--pack", action="append", default=None, help="pack file; repeat (default: the bundled packs)")
    ap.add_argument("--mb", type=float, default=4.0, help="megabytes of text to use (default 4)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "engine.json"))
    args = ap.parse_args(argv)
    if not Path(args.corpus).exists():
        print(f"bench_engine: corpus not found: {args.corpus}", file=sys.stderr)
        return 2
    pack_paths = args.pack or [str(p) for p in sorted((ROOT / "rules").glob("*.yaml"))]
    texts = read_texts(args.corpus, args.mb)
    chars = sum(map(len, texts))
    packs = [engine.load(p) for p in pack_paths]
    for p in packs:  # warm the per-pack token caches, as a long run would be
        for t in texts[:50]:
            p.extract(t)

    def tokenizer_only():
        for t in texts:
            tokenize(t)

    def one(pack):
        def run():
            for t in texts:
                pack.extract(t)
        return run

    def together():
        for t in texts:
            tokens = tokenize(t)
            for p in packs:
                p.extract(t, tokens=tokens)

    jobs = {"tokenizer": tokenizer_only}
    for p in packs:
        jobs[p.name] = one(p)
    if len(packs) > 1:
        jobs["all packs"] = together
    times: dict[str, list[float]] = {k: [] for k in jobs}
    for _ in range(args.repeat):
        for name, fn in jobs.items():
            times[name].append(time_it(fn))
    med = {k: statistics.median(v) for k, v in times.items()}
    results = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "corpus": {"path": args.corpus, "documents": len(texts), "characters": chars},
        "packs": [{"path": path, "id": p.id, "constructions": len(p.compiled.constructions),
                   "rules": p.compiled.rule_count, "lexicon_entries": p.compiled.entry_count}
                  for path, p in zip(pack_paths, packs)],
        "seconds": med,
        "mb_per_s": {k: chars / v / 1e6 for k, v in med.items()},
        "ratio_to_tokenizer": {k: v / med["tokenizer"] for k, v in med.items()},
        "cold_start": {path: cold_start(path, args.cold_runs) for path in pack_paths},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")

    print(f"{len(texts)} documents, {chars / 1e6:.2f} MB, median of {args.repeat} rounds "
          f"({results['date']}; {results['machine']['cpu'] or platform.machine()})")
    print(f"{'job':<16} {'MB/s':>8} {'× tokenizer time':>17}")
    for k in jobs:
        print(f"{k:<16} {results['mb_per_s'][k]:>8.2f} {results['ratio_to_tokenizer'][k]:>17.2f}")
    for p in results["packs"]:
        print(f"pack {p['id']}: {p['constructions']} constructions, {p['rules']} rules, "
              f"{p['lexicon_entries']} lexicon entries")
    for path, c in results["cold_start"].items():
        print(f"cold start {Path(path).name}: {c['process_s']:.3f} s per process "
              f"(bare python {c['bare_python_s']:.3f} s; import + load {c['import_and_load_s']:.3f} s)")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
