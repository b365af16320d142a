"""One self-contained HTML page of extractions over a set of documents.

The same look as the evaluation report (htmlreport.py), without gold: each
document with its matches shaded by label and its slots marked (source
underlined, cue bold, content in italics, recipient dotted; other slots
outlined), and a side list of every match, filterable by label and by rule,
whose links lead to the match in its document (``#m-N``; the match then gets
the class ``focus``).
"""
from __future__ import annotations

import html
import json

from .htmlreport import CSS as REPORT_CSS

PALETTE = ["#c9f2d0", "#cfe3ff", "#fde68a", "#f5d0fe", "#fecaca", "#d1fae5", "#e0e7ff"]
SLOT_STYLE = {"source": "s-source", "cue": "s-cue", "content": "s-content", "recipient": "s-recipient"}

CSS = REPORT_CSS + """
.seg.s-source{text-decoration:underline 2px #1f2937}
.seg.s-cue{font-weight:700}
.seg.s-content{font-style:italic}
.seg.s-recipient{text-decoration:underline dotted 2px #7c3aed}
.seg.s-other{outline:1px dotted #555}
.m{border-bottom:1px solid #eee;padding:3px 0;font-size:13px}
.m .l{font-weight:600;margin-right:4px}
.m.current{background:#e8efff}
.m .d{color:#555;font-size:12px}
"""

JS = """
(function(){
  function applyFilters(){
    var label=document.getElementById('f-label').value, rule=document.getElementById('f-rule').value, shown=0;
    document.querySelectorAll('.m').forEach(function(e){
      var ok=(!label||e.dataset.label===label)&&(!rule||e.dataset.rule===rule);
      e.classList.toggle('hidden',!ok); if(ok){shown++;}
    });
    document.getElementById('n-shown').textContent=shown;
    document.querySelectorAll('#docs .seg').forEach(function(s){
      s.classList.toggle('off',!!label&&(s.dataset.l||'').split(' ').indexOf(label)<0);
    });
  }
  function focusMatch(){
    document.querySelectorAll('.seg.focus').forEach(function(s){s.classList.remove('focus');});
    document.querySelectorAll('.m.current').forEach(function(e){e.classList.remove('current');});
    var m=/^#m-(\\d+)$/.exec(location.hash); if(!m){return;}
    var link=document.querySelector('.m a[href="#m-'+m[1]+'"]');
    if(link){link.parentNode.classList.add('current');}
    document.querySelectorAll('#docs .seg').forEach(function(s){
      if((' '+(s.dataset.m||'')+' ').indexOf(' '+m[1]+' ')>=0){s.classList.add('focus');}
    });
  }
  document.getElementById('f-label').addEventListener('change',applyFilters);
  document.getElementById('f-rule').addEventListener('change',applyFilters);
  window.addEventListener('hashchange',focusMatch);
  applyFilters(); focusMatch();
})();
"""


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


def _doc(index: int, record: dict, numbered: list[tuple[int, dict]], colors: dict[str, str]) -> str:
    text = record["text"]
    items = []  # (start, end, classes, label, match number, tooltip)
    for n, a in numbered:
        s, e = a["span"]
        tip = f"{a['label']} {s}-{e} rule {a.get('rule', '')} " + json.dumps(a.get("attrs", {}), ensure_ascii=False)
        items.append((s, e, ("seg", "p", f"lab-{a['label']}"), a["label"], n, tip))
        for slot, frags in a.get("slots", {}).items():
            for fs, fe in frags:
                items.append((fs, fe, ("seg", SLOT_STYLE.get(slot, "s-other")), a["label"], n, f"{slot}: {text[fs:fe]}"))
    cuts = sorted({0, len(text)} | {x for it in items for x in it[:2]})
    starts = {}
    for n, a in numbered:
        starts.setdefault(a["span"][0], []).append(n)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        for n in starts.get(a, []):
            out.append(f'<span class="anchor" id="m-{n}"></span>')
        piece = _esc(text[a:b])
        cover = [it for it in items if it[0] <= a and b <= it[1]]
        if not cover:
            out.append(piece)
            continue
        classes = sorted({c for it in cover for c in it[2]})
        labels = sorted({it[3] for it in cover})
        color = colors.get(labels[0], "#eee")
        numbers = " ".join(sorted({str(it[4]) for it in cover if "p" in it[2]}))  # the span, not outer slots
        title = "\n".join(dict.fromkeys(it[5] for it in cover))
        out.append(f'<span class="{" ".join(classes)}" style="background:{color}" data-l="{_esc(" ".join(labels))}" '
                   f'data-m="{numbers}" title="{_esc(title)}">{piece}</span>')
    return (f'<section class="doc" id="doc-{index}"><h3>{_esc(record.get("id"))}</h3>'
            f'<div class="text">{"".join(out)}</div></section>')


def render(records: list[dict], title: str = "larkspan extractions") -> str:
    """The page for gold-format records (as ``larkspan extract`` writes them)."""
    labels = sorted({a["label"] for r in records for a in r.get("annotations", [])})
    rules = sorted({a.get("rule", "") for r in records for a in r.get("annotations", [])})
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(labels)}
    docs, side = [], []
    n = 0
    for i, r in enumerate(records):
        if "text" not in r:
            side.append(f'<div class="m"><span class="l">error</span> {_esc(r.get("id"))}: '
                        f'{_esc(r.get("error", {}).get("message", ""))}</div>')
            continue
        numbered = []
        for a in r.get("annotations", []):
            numbered.append((n, a))
            s, e = a["span"]
            side.append(f'<div class="m" data-label="{_esc(a["label"])}" data-rule="{_esc(a.get("rule", ""))}">'
                        f'<a href="#m-{n}"><span class="l" style="background:{colors[a["label"]]}">{_esc(a["label"])}'
                        f'</span>{_esc(r["text"][s:e][:120])}</a><div class="d">{_esc(r.get("id"))} · '
                        f'{_esc(a.get("rule", ""))} · {_esc(json.dumps(a.get("attrs", {}), ensure_ascii=False))}</div></div>')
            n += 1
        docs.append(_doc(i, r, numbered, colors))
    legend = "".join(f'<span style="background:{colors[label]}">{_esc(label)}</span>' for label in labels)
    legend += ('<span class="seg s-source">source</span><span class="seg s-cue">cue</span>'
               '<span class="seg s-content">content</span><span class="seg s-recipient">recipient</span>')
    options = "".join(f'<option value="{_esc(label)}">{_esc(label)}</option>' for label in labels)
    rule_options = "".join(f'<option value="{_esc(r)}">{_esc(r)}</option>' for r in rules)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title><style>{CSS}</style></head>
<body><header><b>{_esc(title)}</b> — {len(records)} documents, {n} matches
<span class="legend">{legend}</span>
<label>label <select id="f-label"><option value="">all</option>{options}</select></label>
<label>rule <select id="f-rule"><option value="">all</option>{rule_options}</select></label>
<span id="n-shown">{n}</span> shown</header>
<main><div id="errors">{"".join(side)}</div><div id="docs">{"".join(docs)}</div></main>
<script>{JS}</script></body></html>
"""


def write(records: list[dict], path: str, title: str = "larkspan extractions") -> None:
    from .docio import AtomicWriter

    with AtomicWriter(path) as fh:
        fh.write(render(records, title))
