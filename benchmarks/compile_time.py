"""Time a pack's first compile (an empty cache), for several versions of the
engine, taking turns.

A new user's first command compiles each bundled pack before it extracts
anything; later runs load it from the cache.  Each version (a git revision,
or "." for the working tree) is unpacked as ``ab_stages.py`` does; each
round starts, per version and pack, a new process with an empty cache of
its own and times ``load`` (wall and CPU seconds, Hyperscan databases not
included: they are built on a scan's first need or by ``prepare()``, and
``--prepare`` adds them).  The versions alternate within a round, so a busy
neighbour slows them alike; the table gives the median and the lowest.
Run from the project root:

    python benchmarks/compile_time.py --rev HEAD~1 --rev . --rounds 3
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from ab_stages import PACKS, unpack  # noqa: E402

CHILD = """
import importlib, json, sys, time
sys.path.insert(0, sys.argv[1])
E = importlib.import_module(sys.argv[2])
wall, cpu = time.perf_counter(), time.process_time()
pack = E.load(sys.argv[3])
if sys.argv[4] == "1":
    pack.prepare()
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rev", action="append", required=True, help="a git revision, or . for the working tree")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pack", action="append", help="a pack file (default: both bundled packs)")
    ap.add_argument("--prepare", action="store_true", help="include the Hyperscan databases")
    args = ap.parse_args(argv)
    packs = args.pack or [str(p) for p in PACKS]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "grammars").symlink_to(ROOT / "grammars")  # packs import grammars/ beside the engine
        versions = [(rev, unpack(rev, tmp)) for rev in args.rev]
        times: dict = {(rev, p): [] for rev, _ in versions for p in packs}
        for r in range(args.rounds):
            for p in packs:
                for rev, name in versions:
                    with tempfile.TemporaryDirectory() as cache:
                        env = dict(os.environ, LARKSPAN_CACHE=cache)
                        proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp), name, p,
                                               "1" if args.prepare else "0"],
                                              capture_output=True, text=True, env=env, cwd=ROOT)
                    if proc.returncode != 0:
                        raise SystemExit(f"{rev} {p}: {proc.stderr.strip()[-2000:]}")
                    got = json.loads(proc.stdout.strip().splitlines()[-1])
                    times[rev, p].append(got)
                    print(f"  round {r + 1} {rev} {Path(p).name}: {got['wall']:.1f} s wall, "
                          f"{got['cpu']:.1f} s CPU", file=sys.stderr, flush=True)
    print(f"{'version':12s} {'pack':18s} {'wall median':>12s} {'wall min':>9s} {'CPU median':>11s} {'CPU min':>8s}")
    for (rev, p), runs in times.items():
        wall = [t["wall"] for t in runs]
        cpu = [t["cpu"] for t in runs]
        print(f"{rev:12s} {Path(p).name:18s} {statistics.median(wall):11.1f}s {min(wall):8.1f}s "
              f"{statistics.median(cpu):10.1f}s {min(cpu):7.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
