"""Evaluation results as terminal tables (100 columns) and as JSON."""
from __future__ import annotations

import textwrap

from .evaluate import MACRO, MICRO, Evaluation

WIDTH = 100


def _cut(s: str, n: int) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _num(x) -> str:
    return "" if x is None else str(x)


def metrics_table(rows: list[dict]) -> str:
    """Label, part, mode, P, R, F1 and counts; label and part printed once per group."""
    head = f"{'label':<12} {'part':<20} {'mode':<11} {'P':>7} {'R':>7} {'F1':>7} {'TP':>8} {'pred':>8} {'gold':>8}"
    lines = [head, "-" * len(head)]
    last = (None, None)
    for r in rows:
        label = r["label"] if r["label"] != last[0] else ""
        part = r["part"] if (r["label"], r["part"]) != last else ""
        if r["label"] != last[0] and last[0] is not None:
            lines.append("")
        last = (r["label"], r["part"])
        lines.append(f"{_cut(label, 12):<12} {_cut(part, 20):<20} {r['mode']:<11} {r['precision']:>7.3f} "
                     f"{r['recall']:>7.3f} {r['f1']:>7.3f} {_num(r['tp']):>8} {_num(r['pred']):>8} "
                     f"{_num(r['gold']):>8}")
    return "\n".join(lines)


def blame_table(ev: Evaluation, top: int | None = None) -> str:
    head = f"{'label':<12} {'rule':<38} {'n':>7} {'TP strict':>10} {'TP overlap':>10} {'FP':>7} {'P strict':>9}"
    lines = [head, "-" * len(head)]
    items = sorted(ev.blame.items(), key=lambda kv: (-kv[1]["fp"], kv[0]))
    for (label, rule), c in items[:top]:
        p = c["tp_strict"] / c["n"] if c["n"] else 0.0
        lines.append(f"{_cut(label, 12):<12} {_cut(rule, 38):<38} {c['n']:>7} {c['tp_strict']:>10} "
                     f"{c['tp_overlap']:>10} {c['fp']:>7} {p:>9.3f}")
    if top is not None and len(items) > top:
        lines.append(f"... {len(items) - top} more rules (see --json)")
    return "\n".join(lines)


def _ann_line(tag: str, a: dict | None) -> list[str]:
    if a is None:
        return []
    s, e = a["span"]
    extra = f" (rule {a['rule']})" if a.get("rule") else ""
    attrs = a.get("attrs") or {}
    shown = ", ".join(f"{k}={v}" for k, v in attrs.items() if k in ("value", "low", "high", "unit", "bound",
                                                                    "kind"))
    if shown:
        extra += f" [{shown}]"
    return textwrap.wrap(f"{tag}: {s}-{e} \"{_cut(a['text'], 160)}\"{extra}", WIDTH - 4,
                         initial_indent="  ", subsequent_indent="        ")


def errors_listing(errors: list[dict], top: int = 10) -> str:
    lines = []
    for err in errors[:top]:
        lines.append(f"[{err['kind']}] {err['label']} in {err['doc']}")
        lines += _ann_line("gold", err["gold"])
        lines += _ann_line("pred", err["pred"])
        for d in err["details"]:
            lines += textwrap.wrap(_cut(d, 300), WIDTH - 4, initial_indent="  - ", subsequent_indent="    ")
        lines += textwrap.wrap("sentence: " + _cut(err["sentence"], 400), WIDTH - 4, initial_indent="  ",
                               subsequent_indent="    ")
        lines.append("")
    if len(errors) > top:
        lines.append(f"... {len(errors) - top} more errors (see --json or --html)")
    return "\n".join(lines)


def eval_text(ev: Evaluation, title: str, n_errors: int = 10, n_rules: int = 20) -> str:
    t = ev.totals
    gold = sum(t[(lb, "span", "strict", "gold")] for lb in ev.labels)
    pred = sum(t[(lb, "span", "strict", "pred")] for lb in ev.labels)
    kinds: dict[str, int] = {}
    for e in ev.errors:
        kinds[e["kind"]] = kinds.get(e["kind"], 0) + 1
    parts = [textwrap.fill(f"{title}: {len(ev.doc_ids)} documents, {gold} gold and {pred} predicted "
                           f"annotations", WIDTH), "", metrics_table(ev.metrics()), ""]
    no_gold = [lb for lb in ev.labels if not t[(lb, "span", "strict", "gold")]]
    if no_gold:
        parts += [textwrap.fill(f"no gold annotations for {', '.join(no_gold)}: every prediction counts as a "
                                f"false positive (leave them out with --label)", WIDTH), ""]
    unscored = _unscored_slots(ev)
    if unscored:
        parts += [textwrap.fill("not scored (gold never annotates them): " + ", ".join(unscored), WIDTH), ""]
    if ev.blame:
        parts += ["per-rule blame (most false positives first)", blame_table(ev, n_rules), ""]
    parts.append("errors: " + (", ".join(f"{v} {k}" for k, v in sorted(kinds.items())) or "none"))
    if ev.errors and n_errors:
        parts += ["", errors_listing(ev.errors, n_errors)]
    return "\n".join(parts).rstrip() + "\n"


def _unscored_slots(ev: Evaluation) -> list[str]:
    out = set()
    for p in ev.preds:
        for a in p["annotations"]:
            if a["label"] in ev.slots:
                for s, frags in a.get("slots", {}).items():
                    if frags and s not in ev.slots[a["label"]]:
                        out.add(f"{a['label']}.{s}")
    return sorted(out)


def eval_json(ev: Evaluation, info: dict) -> dict:
    return {**info, "documents": len(ev.doc_ids), "labels": ev.labels, "slots": ev.slots,
            "definitions": "engine/evaluate.py module docstring; README.md, section Evaluation",
            "metrics": ev.metrics(),
            "blame": [{"label": lb, "rule": rule, **dict(c)} for (lb, rule), c in sorted(ev.blame.items())],
            "errors": ev.errors}


def compare_table(result: dict) -> str:
    head = (f"{'label':<12} {'part':<15} {'mode':<11} {'F1 old':>7} {'F1 new':>7} {'ΔF1':>7} "
            f"{'95% CI':>17} {'ΔP':>7} {'ΔR':>7}")
    lines = [head, "-" * len(head)]
    last = (None, None)
    for r in result["metrics"]:
        label = r["label"] if r["label"] != last[0] else ""
        part = r["part"] if (r["label"], r["part"]) != last else ""
        if r["label"] != last[0] and last[0] is not None:
            lines.append("")
        last = (r["label"], r["part"])
        f = r["f1"]
        ci = f"[{f['ci95'][0]:+.3f}, {f['ci95'][1]:+.3f}]"
        lines.append(f"{_cut(label, 12):<12} {_cut(part, 15):<15} {r['mode']:<11} {f['old']:>7.3f} "
                     f"{f['new']:>7.3f} {f['delta']:>+7.3f} {ci:>17} {r['precision']['delta']:>+7.3f} "
                     f"{r['recall']['delta']:>+7.3f}")
    return "\n".join(lines)


def changed_listing(result: dict, top: int = 20) -> str:
    changed = sorted(result["changed"], key=lambda c: (c["net"], c["id"]))
    if not changed:
        return "no document changed its outcome"
    lines = textwrap.wrap(f"{len(changed)} documents changed (found = gold annotations matched strictly; "
                          f"FP = predictions with no overlapping gold)", WIDTH)
    lines += [f"{'document':<50} {'gained':>7} {'lost':>7} {'new FP':>7} {'fixed FP':>9} {'net':>6}"]
    for c in changed[:top]:
        lines.append(f"{_cut(c['id'], 50):<50} {len(c['gained']):>7} {len(c['lost']):>7} "
                     f"{len(c['new_fp']):>7} {len(c['fixed_fp']):>9} {c['net']:>+6}")
    if len(changed) > top:
        lines.append(f"... {len(changed) - top} more (see --json)")
    return "\n".join(lines)


def compare_text(result: dict, old_name: str, new_name: str) -> str:
    parts = [textwrap.fill(f"larkspan compare: OLD {old_name} vs NEW {new_name} on {result['documents']} "
                           f"documents; 95% CI from a paired bootstrap over documents ({result['resamples']} "
                           f"resamples, seed {result['seed']})", WIDTH), "", compare_table(result), "",
             changed_listing(result)]
    return "\n".join(parts) + "\n"


__all__ = ["metrics_table", "blame_table", "errors_listing", "eval_text", "eval_json", "compare_table",
           "compare_text", "MICRO", "MACRO"]
