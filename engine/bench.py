"""``larkspan bench``: speed, memory and (with gold) quality, in one run.

Every job runs in a fresh child process that loads the corpus, warms up,
then times the job; the child reports seconds and the memory the job added
(peak resident set size after the job minus before it).  Rounds interleave
the jobs, so a noisy neighbour on the machine slows them alike, and the
figures are medians over rounds.  Jobs:

* ``tokenizer``                  the tokenizer alone
* ``pack:NAME``                  each pack alone
* ``all packs``                  all packs over one shared tokenization
* ``all packs xN``               the same on N worker processes (``--processes``)
* ``rev:PATH@REV``               a pack as it was at a git revision
* ``peer:quantulum3``            quantulum3's parser, where installed
* ``peer:spacy-matcher``         spaCy's blank English tokenizer and a Matcher
                                 with a number-plus-unit pattern, where installed
* ``cold start``                 a new process importing the engine and loading
                                 the packs from a warm cache; and one that goes on
                                 to extract examples/news.txt with them

Results are written as JSON; given the previous results (``--baseline``, or
the file already at ``--save``), the table shows the change.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from .cli_eval import materialize

ROOT = Path(__file__).resolve().parent.parent


# -- the child side -----------------------------------------------------------
def read_corpus(path: str, megabytes: float) -> list[str]:
    """The texts of a JSONL corpus (a 'text' per line), up to ``megabytes`` of
    them.  A file that cannot be read, or a line that is not a JSON object
    with a 'text' string, raises InputError naming the file and the line."""
    from .docio import _DAMAGED, open_input
    from .errors import InputError

    fix = "give a JSONL file (gzip, bzip2 or xz compressed or not) with a 'text' string per line"
    texts, size = [], 0
    try:
        with open_input(path)[0] as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    text = json.loads(line.decode("utf-8"))["text"]
                except UnicodeDecodeError as exc:
                    raise InputError(f"invalid UTF-8 at byte {exc.start} of the line", file=path, line=number,
                                     fix="save the corpus as UTF-8") from None
                except (ValueError, TypeError, KeyError, RecursionError):
                    text = None
                if not isinstance(text, str):
                    raise InputError("the line is not a JSON object with a 'text' string", file=path,
                                     line=number, fix=fix)
                texts.append(text)
                size += len(text)
                if size >= megabytes * 1e6:
                    break
    except _DAMAGED as exc:
        raise InputError(f"cannot read the corpus ({exc})", file=path, fix=fix) from None
    if not texts:  # nothing to time: every figure would be 0
        raise InputError("the corpus holds no documents", file=path, fix=fix)
    return texts


def read_corpus_or_exit(path: str, megabytes: float) -> list[str]:
    """``read_corpus`` for a script: a broken corpus prints its error and
    ends the script with the error's exit code."""
    from .errors import InputError

    try:
        return read_corpus(path, megabytes)
    except InputError as exc:
        print(exc.format(), file=sys.stderr)
        raise SystemExit(exc.exit_code) from None


def _rss_kb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _job_fn(job: dict, texts: list[str]):
    kind = job["kind"]
    if kind == "tokenizer":
        from engine.tokenizer import tokenize

        return lambda: [tokenize(t) for t in texts]
    if kind in ("pack", "packs"):
        import engine
        from engine.batch import run

        packs = [engine.load(p).prepare() for p in job["packs"]]
        # one process or several, the same work: batch.run, one gold-format
        # record per document (so the ratio between them is scaling alone)
        procs = job.get("processes", 1)
        records = [{"id": i, "text": t} for i, t in enumerate(texts)]
        return lambda: sum(1 for _ in run(packs, records, processes=procs, chunk_size=16))
    if kind == "quantulum3":
        from quantulum3 import parser

        return lambda: [parser.parse(t) for t in texts]
    if kind == "spacy":
        import spacy
        from spacy.matcher import Matcher

        nlp = spacy.blank("en")
        matcher = Matcher(nlp.vocab)
        units = ["km", "kilometres", "kilometers", "miles", "percent", "%", "dollars", "troops", "people",
                 "years", "metres", "meters", "kg", "tons", "degrees", "hours", "days", "million", "billion"]
        matcher.add("QUANTITY", [[{"LIKE_NUM": True}, {"LOWER": {"IN": units}}],
                                 [{"ORTH": {"IN": ["$", "€", "£"]}}, {"LIKE_NUM": True}]])

        def go():
            for t in texts:
                matcher(nlp(t))
        return go
    raise ValueError(kind)


def child_main(argv) -> int:
    job = json.loads(argv[0])
    texts = read_corpus(job["corpus"], job["mb"])
    fn = _job_fn(job, texts[:20] if job["kind"] not in ("quantulum3",) else texts[:5])
    fn()  # warm-up on a few documents (imports, caches, compiled patterns)
    fn = _job_fn(job, texts)
    before = _rss_kb()
    start = time.perf_counter()
    fn()
    secs = time.perf_counter() - start
    print(json.dumps({"seconds": secs, "added_rss_mb": max(0, _rss_kb() - before) / 1024,
                      "peak_rss_mb": _rss_kb() / 1024, "docs": len(texts), "chars": sum(map(len, texts))}))
    return 0


# -- the parent side ----------------------------------------------------------
def _run_child(job: dict) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "engine.bench", "--child", json.dumps(job)],
                          capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _machine() -> dict:
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


def _cold_start(packs: list[str], runs: int) -> dict:
    """A new process importing the engine and loading the packs (the cache
    warm), and the same process going on to extract a short text with all of
    them, as ``larkspan show`` would (what a pack compiles on first need, pint
    for a unit, numpy)."""
    code = ("import time; t = time.perf_counter(); import engine; "
            f"packs = [engine.load(p) for p in {packs!r}]; print(time.perf_counter() - t)")
    sample = ROOT / "examples" / "news.txt"
    first = code + (f"; text = open({str(sample)!r}, encoding='utf-8').read()"
                    "; print(sum(len(p.extract(text)) for p in packs))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    warm = first if sample.exists() else code
    subprocess.run([sys.executable, "-c", warm], check=True, env=env, capture_output=True)  # warm the cache
    walls, inner, bare, extracting = [], [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        inner.append(float(out.stdout.strip()))
        if sample.exists():
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", first], check=True, env=env, capture_output=True, text=True)
            extracting.append(time.perf_counter() - start)
            matches = int(done.stdout.split()[-1])
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
    out = {"process_s": statistics.median(walls), "import_and_load_s": statistics.median(inner),
           "bare_python_s": statistics.median(bare)}
    if extracting:
        out["first_extraction_s"] = statistics.median(extracting)
        out["first_extraction_matches"] = matches
    return out


def run_bench(args) -> dict:
    packs = [str(Path(p)) for p in args.pack]
    jobs: dict[str, dict] = {"tokenizer": {"kind": "tokenizer"}}
    for p in packs:
        jobs[f"pack:{Path(p).stem}"] = {"kind": "pack", "packs": [p]}
    if len(packs) > 1:
        jobs["all packs"] = {"kind": "packs", "packs": packs}
    for n in args.processes:
        if n > 1:
            jobs[f"all packs x{n}"] = {"kind": "packs", "packs": packs, "processes": n}
    tmp = Path(tempfile.mkdtemp(prefix="larkspan-bench-"))
    revisions = {}
    for k, spec in enumerate(args.rev or []):
        revisions[spec] = str(materialize(spec, tmp / f"rev{k}"))
        jobs[f"rev:{spec}"] = {"kind": "pack", "packs": [revisions[spec]]}
    if args.peers:
        if _installed("quantulum3"):
            jobs["peer:quantulum3"] = {"kind": "quantulum3"}
        if _installed("spacy"):
            jobs["peer:spacy-matcher"] = {"kind": "spacy"}
    for job in jobs.values():
        job.update(corpus=args.corpus, mb=args.mb if job["kind"] != "quantulum3" else args.peer_mb)
    rounds: dict[str, list[dict]] = {k: [] for k in jobs}
    for r in range(args.repeat):
        for name, job in jobs.items():
            if name.startswith("peer:quantulum3") and r > 0:
                continue  # one round: it is slow
            rounds[name].append(_run_child(job))
            if args.verbose:
                print(f"  round {r + 1} {name}: {rounds[name][-1]}", file=sys.stderr)
    results = {}
    for name, runs in rounds.items():
        good = [x for x in runs if "error" not in x]
        if not good:
            results[name] = {"error": runs[0]["error"] if runs else "not run"}
            continue
        secs = statistics.median(x["seconds"] for x in good)
        results[name] = {"seconds": secs, "chars_per_s": good[0]["chars"] / secs, "docs_per_s": good[0]["docs"] / secs,
                         "mb_per_s": good[0]["chars"] / secs / 1e6, "added_rss_mb": max(x["added_rss_mb"] for x in good),
                         "peak_rss_mb": max(x["peak_rss_mb"] for x in good), "docs": good[0]["docs"],
                         "chars": good[0]["chars"], "rounds": len(good),
                         "round_seconds": [x.get("seconds") for x in runs]}
    base = results.get("tokenizer", {}).get("mb_per_s")
    for r in results.values():
        if base and "mb_per_s" in r:
            r["time_vs_tokenizer"] = base / r["mb_per_s"]
    out = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": _machine(),
           "corpus": args.corpus, "megabytes": args.mb, "repeat": args.repeat, "packs": packs,
           "jobs": results, "cold_start": _cold_start(packs, args.cold_runs)}
    if args.gold:
        from .evaluate import score_packs

        versions = {"current": packs, **{f"rev:{spec}": [path] for spec, path in revisions.items()}}
        out["quality"] = {name: _headline(score_packs(paths, args.gold)) for name, paths in versions.items()}
    return out


def _headline(scores: dict) -> dict:
    """The figures a comparison of versions looks at first."""
    keep = ("span/strict", "span/overlap", "span/value+unit", "slot:source/strict", "slot:cue/strict",
            "slot:content/strict")
    return {label: {k: round(v["f1"], 4) for k, v in parts.items() if k in keep}
            for label, parts in scores.items() if label.isupper()}


def paired_ratios(one: dict, many: dict) -> list[float]:
    """How many times faster ``many`` ran than ``one`` in each round where
    both ran.  A round runs its jobs one after the other, so the two runs of
    a pair meet about the same load on a shared machine; their ratios show
    how much the figure from the medians owes to the moment."""
    return [a / b for a, b in zip(one.get("round_seconds", ()), many.get("round_seconds", ()))
            if a is not None and b]


def format_table(res: dict, baseline: dict | None = None) -> str:
    lines = [f"larkspan bench — {res['date']} — {res['machine']['cpu'] or platform.machine()}, "
             f"{res['machine']['cores']} cores, Python {res['machine']['python']}",
             f"corpus: {res['corpus']} ({next(iter(res['jobs'].values())).get('chars', 0) / 1e6:.2f} MB, "
             f"median of {res['repeat']} rounds)", ""]
    head = f"{'job':<28} {'MB/s':>7} {'docs/s':>8} {'x tok time':>10} {'+RSS MB':>8}"
    if baseline:
        head += f" {'MB/s was':>9} {'change':>7}"
    lines += [head, "-" * len(head)]
    for name, r in res["jobs"].items():
        if "error" in r:
            lines.append(f"{name:<28} error: {r['error'][:60]}")
            continue
        row = (f"{name[:28]:<28} {r['mb_per_s']:>7.2f} {r['docs_per_s']:>8.0f} {r.get('time_vs_tokenizer', 0):>10.2f} "
               f"{r['added_rss_mb']:>8.1f}")
        if baseline:
            old = baseline.get("jobs", {}).get(name, {}).get("mb_per_s")
            row += f" {old:>9.2f} {((r['mb_per_s'] / old) - 1) * 100:>+6.0f}%" if old else f" {'-':>9} {'':>7}"
        lines.append(row)
    jobs = res["jobs"]
    ratios = []
    if "all packs" in jobs and "peer:quantulum3" in jobs and "mb_per_s" in jobs.get("peer:quantulum3", {}):
        ratios.append(f"all packs vs quantulum3: {jobs['all packs']['mb_per_s'] / jobs['peer:quantulum3']['mb_per_s']:.0f}x")
    one = jobs.get("all packs") or next((j for n, j in jobs.items() if n.startswith("pack:")), {})
    for name in jobs:
        if name.startswith("all packs x") and "mb_per_s" in jobs[name] and "mb_per_s" in one:
            line = f"{name} vs 1 process: {jobs[name]['mb_per_s'] / one['mb_per_s']:.2f}x"
            paired = paired_ratios(one, jobs[name])
            if len(paired) > 1:
                line += (f" (round by round: median {statistics.median(paired):.2f}x, "
                         f"{min(paired):.2f}-{max(paired):.2f}x)")
            ratios.append(line)
    quantities = next((j for n, j in jobs.items() if n.startswith("pack:quant")), {})
    peer = jobs.get("peer:quantulum3", {})
    if "mb_per_s" in quantities and "mb_per_s" in peer:
        ratios.append(f"quantities pack vs quantulum3: {quantities['mb_per_s'] / peer['mb_per_s']:.0f}x")
    if ratios:
        lines += [""] + ratios
    c = res["cold_start"]
    lines += ["", f"cold start (new process, cached packs): {c['process_s']:.3f} s "
                  f"(bare Python {c['bare_python_s']:.3f} s; import + load {c['import_and_load_s']:.3f} s)"]
    if "first_extraction_s" in c:
        lines.append(f"a new process that also extracts examples/news.txt: {c['first_extraction_s']:.3f} s")
    if "quality" in res:
        lines += ["", "quality on gold (F1):"]
        for version, q in res["quality"].items():
            for label, figures in q.items():
                shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
                lines.append(f"  {version:<28} {label:<12} {shown}")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    ap = build_parser(argparse.ArgumentParser(prog="larkspan bench"))
    return command(ap.parse_args(argv))


def build_parser(ap):
    ap.add_argument("corpus", help="JSONL with a 'text' field per line (read where it lies)")
    ap.add_argument("--pack", action="append", default=None, help="a pack; repeat (default: rules/*.yaml)")
    ap.add_argument("--rev", action="append", help="a pack at a git revision: rules/x.yaml@HEAD~1; repeat")
    ap.add_argument("--gold", help="a gold JSONL file: adds P/R/F1 beside speed")
    ap.add_argument("--peers", action="store_true", help="also time quantulum3 and spaCy where installed")
    ap.add_argument("--processes", type=lambda s: [int(x) for x in s.split(",")], default=[1],
                    help="worker counts to time for all packs, e.g. 1,2")
    ap.add_argument("--mb", type=float, default=4.0, help="megabytes of text (default 4)")
    ap.add_argument("--peer-mb", type=float, default=0.2, help="megabytes for slow peers (default 0.2)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--save", help="where to write the JSON results (default: benchmarks/results/bench.json, "
                                   "and only over a run on the same corpus and size)")
    ap.add_argument("--baseline", help="earlier results to compare with (default: the saved run, "
                                       "when it is on the same corpus and size)")
    ap.add_argument("-v", "--verbose", action="store_true")
    return ap


DEFAULT_SAVE = ROOT / "benchmarks" / "results" / "bench.json"


def _saved(path) -> dict | None:
    """The results saved at ``path``, or None (no file, or not results)."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("jobs"), dict) else None


def _same_benchmark(saved: dict | None, args) -> bool:
    """Whether saved results timed the same text: the same corpus file and size."""
    return (saved is not None and saved.get("megabytes") == args.mb
            and Path(str(saved.get("corpus"))).resolve() == Path(args.corpus).resolve())


def command(args) -> int:
    read_corpus(args.corpus, args.mb)  # a missing file or a broken line stops the run here, before any job
    args.pack = args.pack or [str(p.relative_to(Path.cwd())) if p.is_relative_to(Path.cwd()) else str(p)
                              for p in sorted((ROOT / "rules").glob("*.yaml"))]
    from .api import load, stderr_notice
    from .errors import InputError

    for pack in args.pack:  # a broken pack stops the run here with its message, not in a child's traceback
        load(pack, notice=stderr_notice)
    if args.gold:  # and so does a broken gold file, not after every job has run
        from .cli_eval import read_gold_any

        read_gold_any(args.gold)
    if args.baseline and _saved(args.baseline) is None:
        raise InputError("cannot read the baseline: not a file of bench results", file=args.baseline,
                         fix="give a JSON file that 'larkspan bench --save' wrote")
    save = Path(args.save) if args.save else DEFAULT_SAVE
    earlier = _saved(save)
    # speeds on another text say nothing about this one: compare only like with like,
    # unless the user names the baseline
    baseline = _saved(args.baseline) if args.baseline else (earlier if _same_benchmark(earlier, args) else None)
    res = run_bench(args)
    print(format_table(res, baseline))
    failed = [name for name, r in res["jobs"].items() if "error" in r]
    if failed:  # a run with failed jobs does not replace the results a later run compares with
        print(f"larkspan bench: {len(failed)} job(s) failed ({', '.join(failed)}); results not saved to {save}",
              file=sys.stderr)
        return 1
    if not args.save and earlier is not None and not _same_benchmark(earlier, args):
        print(f"larkspan bench: results not saved: {save} holds a run on {earlier.get('corpus')} "
              f"({earlier.get('megabytes')} MB); give --save PATH to keep these", file=sys.stderr)
        return 0
    save.parent.mkdir(parents=True, exist_ok=True)
    from .docio import AtomicWriter

    with AtomicWriter(str(save)) as fh:  # an interrupted write leaves the earlier results whole
        fh.write(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
