"""Time what a new process spends before and on its first documents, for
several versions of the engine, taking turns.

Each version (a git revision, or "." for the working tree) is unpacked under
its own package name, as ``ab_stages.py`` does, with its own cache in a
temporary directory, warmed by one run first (so the packs and their
Hyperscan databases are compiled before any clock starts).  Then each round
starts one new process per version, in turn, and each reports: importing the
engine, loading both bundled packs (``larkspan bench``'s "cold start" is
these two), and extracting ``examples/news.txt`` with both (what
``larkspan show`` does next); plus the whole process's wall time from the
outside and whether it imported pint.  The table shows medians.  Run from
the project root:

    python benchmarks/cold_start.py --rev HEAD~1 --rev . --rounds 9
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ab_stages import PACKS, unpack  # noqa: E402

CHILD = """
import importlib, json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
E = importlib.import_module(sys.argv[2])
t1 = time.perf_counter()
packs = [E.load(p) for p in json.loads(sys.argv[3])]
t2 = time.perf_counter()
text = open(sys.argv[4], encoding="utf-8").read()
tokens = E.tokenize(text)
found = sum(len(p.extract(text, tokens=tokens)) for p in packs)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "load": t2 - t1, "extract": t3 - t2, "matches": found,
                  "pint": "pint" in sys.modules}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", action="append", required=True, help="a git revision, or . for the working tree")
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--text", default=str(ROOT / "examples" / "news.txt"))
    args = ap.parse_args(argv)
    packs = json.dumps([str(p) for p in PACKS])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "grammars").symlink_to(ROOT / "grammars")  # packs import grammars/ beside the engine
        versions = []
        for rev in args.rev:
            name = unpack(rev, tmp)
            env = dict(os.environ, LARKSPAN_CACHE=str(tmp / f"cache-{name}"))
            versions.append((rev, name, env))

        def once(name, env):
            start = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(tmp), name, packs, args.text],
                                 env=env, capture_output=True, text=True)
            if out.returncode:
                raise SystemExit(f"the engine as {name} failed:\n{out.stderr}")
            row = json.loads(out.stdout)
            row["process"] = time.perf_counter() - start
            return row

        for rev, name, env in versions:  # compile into each version's cache
            print(f"warming {rev} ({name}) ...", file=sys.stderr)
            once(name, env)
            once(name, env)
        rows = {rev: [] for rev, _n, _e in versions}
        for _ in range(args.rounds):
            for rev, name, env in versions:
                rows[rev].append(once(name, env))
    keys = ("import", "load", "extract", "process")
    print(f"{'version':<12}" + "".join(f"{k:>10}" for k in keys) + f"{'import+load':>13}{'pint':>6}{'matches':>9}")
    for rev, got in rows.items():
        med = {k: statistics.median(r[k] for r in got) for k in keys}
        pint = sum(r["pint"] for r in got)
        print(f"{rev:<12}" + "".join(f"{med[k]:>10.3f}" for k in keys)
              + f"{med['import'] + med['load']:>13.3f}{pint:>4}/{len(got)}{got[0]['matches']:>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
