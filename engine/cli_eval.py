"""Commands of the evaluator: ``eval`` and ``compare``.

    larkspan eval --pack PACK [--pack PACK2 ...] GOLD
    larkspan eval --pred PRED GOLD
    larkspan compare OLD NEW GOLD

GOLD is a gold-format JSONL file, a folder of brat ``.ann``/``.txt`` pairs, or
a Recognizers-Text spec file (``.json``; see ``goldio.read_recognizers``).
OLD and NEW are pack files, prediction files (``.jsonl``) or a pack at a git
revision written ``PATH@REV`` (``rules/attribution.yaml@HEAD~1``): the pack and
every file it imports or reads are taken from that revision (``git show``) into
a temporary folder, which is removed afterwards.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path, PurePosixPath

from .errors import InputError, UsageError


# --------------------------------------------------------------------------
# Inputs

def read_gold_any(path: str) -> list[dict]:
    """Gold records from a JSONL file, a folder of brat files, or a Recognizers-Text spec (.json)."""
    from .goldio import read_brat_dir, read_gold, read_recognizers

    p = Path(path)
    if p.suffix == ".json" and p.is_file():
        return read_recognizers(p)
    if p.is_dir():
        docs = read_brat_dir(p)
        if not docs:
            raise InputError("the folder holds no brat .ann files", code="E402", file=path,
                             fix="give a gold .jsonl file or a folder of X.ann + X.txt pairs")
        return docs
    return read_gold(path)


def _git(args: list[str], cwd: Path, what: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise UsageError("git is not installed; a PATH@REV version needs git", fix="install git") from None
    if done.returncode:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UsageError(f"{what}: {msg[-1] if msg else 'git failed'}",
                         fix="check the revision (git log) and the path (relative to where you run larkspan)")
    return done.stdout


def _pack_deps(raw: bytes, rel: PurePosixPath) -> list[tuple[str, PurePosixPath, bool]]:
    """(item as written, path relative to the pack's folder, is a pack) for imports and lexicon files."""
    import yaml

    try:
        data = yaml.safe_load(raw.decode("utf-8", "replace"))
    except yaml.YAMLError:
        return []  # the engine will report the YAML error with its place
    if not isinstance(data, dict):
        return []
    out = []
    for item in data.get("imports") or []:
        if isinstance(item, str):
            out.append((item, PurePosixPath(item), item.endswith((".yaml", ".yml"))))
    for ldef in (data.get("lexicons") or {}).values():
        if isinstance(ldef, dict) and isinstance(ldef.get("file"), str):
            out.append((ldef["file"], PurePosixPath(ldef["file"]), False))
    return out


def _norm(p: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def materialize(spec: str, into: Path) -> Path:
    """Write the pack ``PATH@REV`` and the files it imports or reads into ``into``; its path there.

    Files are looked up at the revision as the engine looks them up: beside
    the importing pack first, then (for ``.lark`` fragments) in the
    repository's ``grammars/`` folder; a fragment found in ``grammars/`` is
    placed beside the pack, where the engine finds it first.
    """
    path_text, rev = spec.rsplit("@", 1)
    if not rev:
        raise UsageError(f"'{spec}' names no revision after '@'", fix="write PATH@REV, e.g. rules/x.yaml@HEAD~1")
    target = Path(path_text).absolute()
    probe = target.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    top = Path(_git(["rev-parse", "--show-toplevel"], probe, f"'{spec}': not inside a git repository")
               .decode().strip())
    _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], top, f"'{spec}': unknown revision '{rev}'")
    rel = PurePosixPath(target.resolve().relative_to(top.resolve()).as_posix()) if target.exists() else \
        PurePosixPath(Path(path_text).absolute().relative_to(top.absolute()).as_posix())

    def show(p: PurePosixPath) -> bytes | None:
        done = subprocess.run(["git", "show", f"{rev}:{p.as_posix()}"], cwd=top, capture_output=True, timeout=120)
        return done.stdout if done.returncode == 0 else None

    def put(where: PurePosixPath, raw: bytes):
        dest = into / where
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(raw)

    raw = show(rel)
    if raw is None:
        raise UsageError(f"'{rel}' does not exist at revision {rev}", fix="check the path and the revision")
    put(rel, raw)
    todo, done = [(rel, raw)], {rel}
    while todo:
        pack_rel, pack_raw = todo.pop()
        for item, item_rel, is_pack in _pack_deps(pack_raw, pack_rel):
            beside = _norm(pack_rel.parent / item_rel)
            found, place = show(beside), beside
            if found is None and item.endswith(".lark"):
                for alt in (PurePosixPath("grammars") / item_rel, PurePosixPath("grammars") / item_rel.name):
                    found = show(alt)
                    if found is not None:
                        break
            if found is None or place in done:
                continue  # a missing file is reported by the engine when the pack loads
            done.add(place)
            put(place, found)
            if is_pack:
                todo.append((place, found))
    return into / rel


class Version:
    """One side of a comparison: a pack file, a prediction file, or a pack at a revision."""

    def __init__(self, spec: str, workdir: Path):
        self.spec = spec
        self.predictions = None
        self.pack_path = None
        if Path(spec).exists():
            if spec.endswith((".jsonl", ".ndjson")):
                self.predictions = spec
            else:
                self.pack_path = Path(spec)
        elif "@" in spec:
            self.pack_path = materialize(spec, workdir / f"v{len(list(workdir.iterdir()))}")
        else:
            raise UsageError(f"'{spec}' is neither a file nor PATH@REV",
                             fix="give a pack (.yaml), predictions (.jsonl) or PATH@REV")

    def predict(self, gold, args) -> list[dict]:
        from .api import load, stderr_notice
        from .evaluate import pair_predictions, predict
        from .goldio import read_gold

        if self.predictions:
            preds, _ = pair_predictions(gold, read_gold(self.predictions, prediction=True), self.predictions)
            return preds
        return predict([load(self.pack_path, cache=not args.no_cache, notice=stderr_notice)], gold,
                       timeout=args.timeout)


# --------------------------------------------------------------------------
# Output

def _emit_json(target: str, obj: dict):
    from .docio import AtomicWriter

    with AtomicWriter(target) as out:
        json.dump(obj, out, ensure_ascii=False, indent=1, default=_jsonable)
        out.write("\n")


def _jsonable(x):
    if isinstance(x, (set, frozenset, tuple)):
        return list(x)
    return str(x)


def _restrict(docs, labels):
    if not labels:
        return docs
    keep = set(labels)
    return [dict(d, annotations=[a for a in d["annotations"] if a["label"] in keep]) for d in docs]


# --------------------------------------------------------------------------
# Commands

def cmd_eval(args) -> int:
    from . import evalreport, htmlreport
    from .api import load, stderr_notice
    from .evaluate import evaluate, pair_predictions, predict
    from .goldio import read_gold

    gold = read_gold_any(args.gold)
    if args.pred:
        preds, missing = pair_predictions(gold, read_gold(args.pred, prediction=True), args.pred)
        if missing:
            print(f"larkspan: {missing} gold documents have no prediction line; scored as predicting nothing",
                  file=sys.stderr)
        source = {"predictions": args.pred}
    else:
        packs = [load(p, cache=not args.no_cache, notice=stderr_notice) for p in args.pack]
        preds = predict(packs, gold, timeout=args.timeout)
        source = {"packs": [p.id for p in packs]}
    labels = args.label or None
    ev = evaluate(_restrict(gold, labels), _restrict(preds, labels), labels=labels, by=args.by)
    title = f"larkspan eval {args.gold}"
    to_stdout_json = args.json == "-"
    if args.json:
        _emit_json(args.json, evalreport.eval_json(ev, {"gold": args.gold, **source}))
    if args.html:
        htmlreport.write(ev, args.html, title)
    if not args.quiet:
        print(evalreport.eval_text(ev, title, args.errors, args.rules), end="",
              file=sys.stderr if to_stdout_json else sys.stdout)
    return 0


def cmd_compare(args) -> int:
    from . import evalreport
    from .evaluate import compare, evaluate

    gold = read_gold_any(args.gold)
    workdir = Path(tempfile.mkdtemp(prefix="larkspan-compare-"))
    try:
        old = Version(args.old, workdir)
        new = Version(args.new, workdir)
        labels = args.label or None
        runs = []
        for v in (old, new):
            preds = v.predict(gold, args)
            runs.append(evaluate(_restrict(gold, labels), _restrict(preds, labels), labels=labels, errors=False,
                                 by=args.by))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if labels is None:
        both = sorted(set(runs[0].labels) | set(runs[1].labels))
        if both != runs[0].labels or both != runs[1].labels:
            runs = [evaluate(r.docs, r.preds, labels=both, errors=False, by=args.by) for r in runs]
    result = compare(runs[0], runs[1], n_resamples=args.resamples, seed=args.seed)
    result.update(old=args.old, new=args.new, gold=args.gold)
    if args.json:
        _emit_json(args.json, result)
    if not args.quiet:
        print(evalreport.compare_text(result, args.old, args.new), end="",
              file=sys.stderr if args.json == "-" else sys.stdout)
    return 0


def register(sub) -> None:
    """Add this module's subcommands to the ``larkspan`` parser."""
    from .cli import _positive_int
    from .evaluate import N_RESAMPLES, SEED

    sp = sub.add_parser("eval", help="score a pack (or predictions) against gold annotations",
                        description="Score a pack, or a file of predictions, against gold. Prints P/R/F1 per "
                                    "label, slot and mode, per-rule blame and the first errors.")
    src = sp.add_mutually_exclusive_group(required=True)
    src.add_argument("--pack", action="append", metavar="PACK", help="a rule pack to run; repeat for several")
    src.add_argument("--pred", metavar="PRED", help="predictions (gold-format JSONL, e.g. from 'extract')")
    _common(sp)
    sp.add_argument("--errors", type=int, default=10, metavar="N", help="errors to print (default 10)")
    sp.add_argument("--rules", type=int, default=20, metavar="N", help="rules in the blame table (default 20)")
    sp.add_argument("--html", metavar="REPORT.html", help="write a self-contained HTML report")
    sp.set_defaults(func=cmd_eval)

    sp = sub.add_parser("compare", help="compare two pack versions on one gold set",
                        description="Score OLD and NEW on GOLD and print every metric side by side with its "
                                    "delta and a paired-bootstrap 95% confidence interval over documents.")
    sp.add_argument("old", metavar="OLD", help="pack file, predictions .jsonl, or PATH@REV (a pack at a git revision)")
    sp.add_argument("new", metavar="NEW", help="as OLD")
    _common(sp)
    sp.add_argument("--resamples", type=_positive_int, default=N_RESAMPLES, metavar="N",
                    help=f"bootstrap resamples (default {N_RESAMPLES})")
    sp.add_argument("--seed", type=int, default=SEED, help=f"bootstrap seed (default {SEED})")
    sp.set_defaults(func=cmd_compare)


def _common(sp):
    from .cli import _seconds  # cli imports this module: the checks are read when the parser is built
    sp.add_argument("gold", metavar="GOLD", help="gold-format JSONL, a folder of brat .ann + .txt files, or a "
                    "Recognizers-Text spec file (.json)")
    sp.add_argument("--label", action="append", metavar="LABEL", help="score only this label; repeat for several")
    sp.add_argument("--by", action="append", metavar="[LABEL.]ATTR",
                    help="also break the figures down by this attr (e.g. QUANTITY.trend); repeat for several")
    sp.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="write the results as JSON to FILE ('-', or no FILE after GOLD: standard output)")
    sp.add_argument("--no-cache", action="store_true", help="compile packs afresh")
    sp.add_argument("--timeout", type=_seconds, default=None, help="seconds per document scan (default: pack's)")
    sp.add_argument("-q", "--quiet", action="store_true", help="print no table")
