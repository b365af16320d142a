"""``larkspan test --watch``: re-run a pack's examples (and an eval) on every save.

The files a pack is built from (the pack, its imports, its lexicon files) are
polled for changes; after each change the pack is compiled again, its
examples run, and only what changed since the last run is printed: failures
fixed, new failures, and (with a gold file) the metrics that moved.
"""
from __future__ import annotations

import time
from pathlib import Path

from .errors import LarkspanError


def _mtimes(files) -> dict[str, int]:
    out = {}
    for f in files:
        try:
            out[f] = Path(f).stat().st_mtime_ns
        except OSError:
            out[f] = -1
    return out


def _state(path: Path, gold: str | None):
    from .api import load, stderr_notice
    from .testing import run_examples

    pack = load(path, notice=stderr_notice)
    count, failures = run_examples(pack)
    failed = {f"{f.kind}: construction '{f.construction}', {f.file}:{f.line}: {f.text}": f for f in failures}
    metrics = {}
    if gold:
        from .evaluate import score_packs

        metrics = _flatten(score_packs([str(path)], gold))
    return pack.id, count, failed, metrics, set(pack.compiled.sources)


def _flatten(tree, prefix=""):
    out = {}
    if isinstance(tree, dict):
        for k, v in tree.items():
            out.update(_flatten(v, f"{prefix}{k}." if prefix or k else ""))
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        out[prefix.rstrip(".")] = tree
    return out


def watch(path, gold: str | None = None, interval: float = 0.5, cycles: int | None = None, out=print) -> int:
    path = Path(path)
    last = None
    seen = {}
    done = 0
    files = {str(path.resolve())}  # grows to what the last good compile read
    while cycles is None or done <= cycles:
        now = _mtimes(files)
        if now != seen:
            seen = now
            try:
                state = _state(path, gold)
            except LarkspanError as exc:
                out(exc.format())
                last = None
            else:
                files = {str(path.resolve())} | state[4]
                _report(last, state, out)
                last = state
            seen = _mtimes(files)
            done += 1
            if cycles is not None and done > cycles:
                break
        time.sleep(interval)
    return 0


def _report(last, state, out):
    pack_id, count, failed, metrics, _files = state
    stamp = time.strftime("%H:%M:%S")
    if last is None:
        out(f"[{stamp}] {pack_id}: {count - len(failed)} passed, {len(failed)} failed")
        for key in failed:
            out(f"  failing  {key}")
        for name, value in sorted(metrics.items()):
            if name.endswith(".f1"):
                out(f"  {name} = {value:.3f}")
        return
    _, _, old_failed, old_metrics, _ = last
    fixed = [k for k in old_failed if k not in failed]
    new = [k for k in failed if k not in old_failed]
    moved = [(k, old_metrics.get(k), v) for k, v in metrics.items()
             if k.endswith(".f1") and old_metrics.get(k) is not None and abs(v - old_metrics[k]) > 1e-9]
    if not fixed and not new and not moved:
        out(f"[{stamp}] {pack_id}: no change ({count - len(failed)} passed, {len(failed)} failed)")
        return
    out(f"[{stamp}] {pack_id}: {count - len(failed)} passed, {len(failed)} failed")
    for k in fixed:
        out(f"  fixed    {k}")
    for k in new:
        out(f"  NEW FAIL {k}")
    for k, a, b in sorted(moved):
        out(f"  {k}: {a:.3f} -> {b:.3f} ({b - a:+.3f})")
