"""Plain-text tables for the terminal."""
from __future__ import annotations

import textwrap


def _fmt_attrs(attrs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())


def match_table(doc_id: str, text: str, matches, width: int = 100) -> str:
    """One document's matches: label, span, text, slots and attrs."""
    lines = [f"== {doc_id}: {len(matches)} matches", ""]
    if not matches:
        return "\n".join(lines)
    head = f"{'label':<12} {'span':<11} match"
    lines.append(head)
    lines.append("-" * min(width, 100))
    body_width = max(20, width - 25)
    for m in matches:
        span = f"{m.start}-{m.end}"
        snippet = " ".join(m.text.split())
        wrapped = textwrap.wrap(snippet, body_width) or [""]
        lines.append(f"{m.label:<12} {span:<11} {wrapped[0]}")
        for more in wrapped[1:]:
            lines.append(f"{'':<24}{more}")
        details = []
        for slot, frags in m.slots.items():
            if frags:
                details.append(f"{slot}: " + " | ".join(" ".join(text[s:e].split()) for s, e in frags))
        if m.attrs:
            details.append(_fmt_attrs(m.attrs))
        details.append(f"rule: {m.rule}")
        for d in details:
            for piece in textwrap.wrap(d, body_width - 2) or [""]:
                lines.append(f"{'':<26}{piece}")
    lines.append("")
    return "\n".join(lines)
