"""One self-contained HTML page for an evaluation (inline CSS and JS; no network).

The page shows the span figures, an error list that can be filtered by label
and by kind, and every document with gold spans underlined and predicted spans
shaded (green: strict match; yellow: aligned with other boundaries; red:
spurious prediction; a dashed orange underline: missed gold).  Each error
links to an empty anchor ``#err-N`` placed where its span starts; following
the link marks the error's text with the class ``focus``.
"""
from __future__ import annotations

import html
import json

from .evaluate import Evaluation

KINDS = ("missed", "spurious", "boundary", "value", "slot")

CSS = """
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#222}
header{position:sticky;top:0;background:#f6f8fa;border-bottom:1px solid #ccc;padding:6px 16px;z-index:2}
main{display:flex;gap:16px;padding:0 16px}
#errors{flex:0 0 38%;max-height:calc(100vh - 60px);overflow-y:auto;overflow-x:hidden;position:sticky;top:52px;
overflow-wrap:anywhere}
#docs{flex:1;min-width:0}
table.m{border-collapse:collapse;font-size:12px;margin:8px 0}
table.m td,table.m th{padding:1px 8px;text-align:right;border-bottom:1px solid #eee}
table.m td:first-child,table.m th:first-child,table.m td:nth-child(2){text-align:left}
.err{border-bottom:1px solid #eee;padding:4px 0;font-size:13px}
.err .k{font-weight:600;margin-right:4px}
.err.current{background:#e8efff}
.err .d{color:#555;font-size:12px}
.k-missed{color:#b35900}.k-spurious{color:#b00020}.k-boundary{color:#7a6200}.k-value,.k-slot{color:#3355aa}
section.doc{border-top:2px solid #ddd;margin-top:10px}
.text{white-space:pre-wrap;font-family:Georgia,serif}
.seg.g{border-bottom:2px solid #1a7f37}
.seg.g.fn{border-bottom:2px dashed #d97706}
.seg.p{background:#c9f2d0}
.seg.p.part{background:#fde68a}
.seg.p.fp{background:#fecaca}
.seg.off{background:none !important;border-bottom:none !important}
.seg.focus{outline:2px solid #2563eb;outline-offset:1px}
.anchor{scroll-margin-top:80px}
.legend span{padding:0 4px;margin-right:6px}
.hidden{display:none}
"""

JS = """
(function(){
  function applyFilters(){
    var label=document.getElementById('f-label').value;
    var kinds={};
    document.querySelectorAll('input.f-kind').forEach(function(c){kinds[c.value]=c.checked;});
    var shown=0;
    document.querySelectorAll('.err').forEach(function(e){
      var ok=(!label||e.dataset.label===label)&&kinds[e.dataset.kind];
      e.classList.toggle('hidden',!ok); if(ok){shown++;}
    });
    document.getElementById('n-shown').textContent=shown;
    document.querySelectorAll('#docs .seg').forEach(function(s){
      s.classList.toggle('off',!!label&&(s.dataset.l||'').split(' ').indexOf(label)<0);
    });
  }
  function focusError(){
    document.querySelectorAll('.seg.focus').forEach(function(s){s.classList.remove('focus');});
    document.querySelectorAll('.err.current').forEach(function(e){e.classList.remove('current');});
    var m=/^#err-(\\d+)$/.exec(location.hash); if(!m){return;}
    var link=document.querySelector('.err a[href="#err-'+m[1]+'"]');
    if(link){link.parentNode.classList.add('current');}
    document.querySelectorAll('#docs .seg').forEach(function(s){
      if((' '+(s.dataset.e||'')+' ').indexOf(' '+m[1]+' ')>=0){s.classList.add('focus');}
    });
  }
  document.getElementById('f-label').addEventListener('change',applyFilters);
  document.querySelectorAll('input.f-kind').forEach(function(c){c.addEventListener('change',applyFilters);});
  window.addEventListener('hashchange',focusError);
  applyFilters(); focusError();
})();
"""


def _esc(s) -> str:
    return html.escape(str(s), quote=True)


def _doc_html(ev: Evaluation, index: int, errs_of_doc: list[dict]) -> str:
    gdoc = ev.docs[index]
    text = gdoc["text"]
    items = []  # (start, end, side, label, status, tooltip)

    def slots_of(a):
        return "".join(f"; {k}: " + " | ".join(text[s:e] for s, e in v) for k, v in a.get("slots", {}).items() if v)

    for label, (G, P, pairs) in ev.alignments[index].items():
        g_level = {i: lv for i, _, lv in pairs}
        p_level = {j: lv for _, j, lv in pairs}
        for i, a in enumerate(G):
            lv = g_level.get(i, 0)
            items.append((*a["span"], "g", label, "tp" if lv == 3 else ("part" if lv else "fn"),
                          f"gold {label} {a['span'][0]}-{a['span'][1]}" + ("" if lv else " (missed)")
                          + slots_of(a)))
        for j, a in enumerate(P):
            lv = p_level.get(j, 0)
            items.append((*a["span"], "p", label, "tp" if lv == 3 else ("part" if lv else "fp"),
                          f"pred {label} {a['span'][0]}-{a['span'][1]} rule {a.get('rule', '')}"
                          + ("" if lv else " (spurious)") + slots_of(a)))
    errs = [(e["span"][0], e["span"][1], e["n"]) for e in errs_of_doc]
    cuts = sorted({0, len(text)} | {x for it in items for x in it[:2]} | {x for e in errs for x in e[:2]})
    anchors: dict[int, list[int]] = {}
    for s, _, n in errs:
        anchors.setdefault(s, []).append(n)
    out = []
    for a, b in zip(cuts, cuts[1:]):
        for n in anchors.get(a, []):
            out.append(f'<span class="anchor" id="err-{n}"></span>')
        piece = _esc(text[a:b])
        cover = [it for it in items if it[0] <= a and b <= it[1]]
        in_errs = [str(n) for s, e, n in errs if s <= a and b <= e]
        if not cover and not in_errs:
            out.append(piece)
            continue
        cls = {"seg"}
        for s, e, side, label, status, _ in cover:
            cls.add(side)
            if status != "tp":
                cls.add(status)
        labels = " ".join(sorted({it[3] for it in cover}))
        title = "\n".join(it[5] for it in cover)
        out.append(f'<span class="{" ".join(sorted(cls))}" data-l="{_esc(labels)}" data-e="{" ".join(in_errs)}" '
                   f'title="{_esc(title)}">{piece}</span>')
    return (f'<section class="doc" id="doc-{index}"><h3>{_esc(gdoc["id"])}</h3>'
            f'<div class="text">{"".join(out)}</div></section>')


def _error_html(e: dict, doc_index: int) -> str:
    parts = []
    for tag in ("gold", "pred"):
        a = e.get(tag)
        if a:
            rule = f" · rule {_esc(a['rule'])}" if a.get("rule") else ""
            parts.append(f"<div class=\"d\">{tag} {a['span'][0]}-{a['span'][1]}: “{_esc(a['text'][:200])}”{rule}</div>")
    for d in e["details"]:
        parts.append(f'<div class="d">{_esc(d[:300])}</div>')
    return (f'<div class="err" data-label="{_esc(e["label"])}" data-kind="{e["kind"]}">'
            f'<a href="#err-{e["n"]}"><span class="k k-{e["kind"]}">{e["kind"]}</span>{_esc(e["label"])} · '
            f'{_esc(e["doc"])}</a>{"".join(parts)}<div class="d">{_esc(e["sentence"][:400])}</div></div>')


def render(ev: Evaluation, title: str = "larkspan eval") -> str:
    """The report page as one string."""
    doc_index = {d: i for i, d in enumerate(ev.doc_ids)}
    by_doc: dict[int, list[dict]] = {}
    for e in ev.errors:
        by_doc.setdefault(doc_index[e["doc"]], []).append(e)
    rows = [r for r in ev.metrics() if r["part"] == "span"]
    table = ["<table class=\"m\"><tr><th>label</th><th>mode</th><th>P</th><th>R</th><th>F1</th><th>TP</th>"
             "<th>pred</th><th>gold</th></tr>"]
    for r in rows:
        table.append(f"<tr><td>{_esc(r['label'])}</td><td>{r['mode']}</td><td>{r['precision']:.3f}</td>"
                     f"<td>{r['recall']:.3f}</td><td>{r['f1']:.3f}</td><td>{'' if r['tp'] is None else r['tp']}</td>"
                     f"<td>{'' if r['pred'] is None else r['pred']}</td><td>{'' if r['gold'] is None else r['gold']}"
                     f"</td></tr>")
    table.append("</table>")
    options = "".join(f'<option value="{_esc(lb)}">{_esc(lb)}</option>' for lb in ev.labels)
    kinds = "".join(f'<label><input type="checkbox" class="f-kind" value="{k}" checked> {k}</label> '
                    for k in KINDS)
    errors = "".join(_error_html(e, doc_index[e["doc"]]) for e in ev.errors)
    docs = "".join(_doc_html(ev, i, by_doc.get(i, [])) for i in range(len(ev.doc_ids)))
    legend = ('<span class="legend"><span class="seg g">gold</span><span class="seg g fn">missed gold</span>'
              '<span class="seg p">predicted, exact</span><span class="seg p part">other boundaries</span>'
              '<span class="seg p fp">spurious</span></span>')
    meta = _esc(json.dumps({"documents": len(ev.doc_ids), "errors": len(ev.errors)}))
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title>'
            f'<meta name="larkspan" content="{meta}"><style>{CSS}</style></head><body>'
            f'<header><b>{_esc(title)}</b> · {len(ev.doc_ids)} documents · {legend}<br>'
            f'label <select id="f-label"><option value="">all</option>{options}</select> {kinds} '
            f'· <span id="n-shown">{len(ev.errors)}</span> errors shown</header>'
            f'<main><div id="errors">{"".join(table)}{errors or "<p>No errors.</p>"}</div>'
            f'<div id="docs">{docs}</div></main><script>{JS}</script></body></html>')


def write(ev: Evaluation, path: str, title: str = "larkspan eval") -> None:
    from .docio import AtomicWriter

    with AtomicWriter(path) as out:
        out.write(render(ev, title))
