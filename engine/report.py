"""Plain-text tables for the terminal."""
from __future__ import annotations

import textwrap


def _fmt_attrs(attrs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())


def match_table(record: dict, width: int = 100) -> str:
    """One gold-format record's annotations: label, span, text, slots and attrs."""
    text, anns = record["text"], record.get("annotations", [])
    lines = [f"== {record.get('id')}: {len(anns)} matches", ""]
    if not anns:
        return "\n".join(lines)
    head = f"{'label':<12} {'span':<11} match"
    lines.append(head)
    lines.append("-" * min(width, 100))
    body_width = max(20, width - 25)
    for a in anns:
        start, end = a["span"]
        snippet = " ".join(text[start:end].split())
        wrapped = textwrap.wrap(snippet, body_width) or [""]
        lines.append(f"{a['label']:<12} {f'{start}-{end}':<11} {wrapped[0]}")
        for more in wrapped[1:]:
            lines.append(f"{'':<24}{more}")
        details = []
        for slot, frags in a.get("slots", {}).items():
            if frags:
                details.append(f"{slot}: " + " | ".join(" ".join(text[s:e].split()) for s, e in frags))
        if a.get("attrs"):
            details.append(_fmt_attrs(a["attrs"]))
        details.append(f"rule: {a.get('rule', '')}")
        for d in details:
            for piece in textwrap.wrap(d, body_width - 2) or [""]:
                lines.append(f"{'':<26}{piece}")
    lines.append("")
    return "\n".join(lines)
