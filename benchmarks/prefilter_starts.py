"""Count, per construction, the starts the Hyperscan prefilter reports and
how many of them are real, to see which loosened expression lets starts
through (prefilter.py).

For every scan group of a pack that has a prefilter, and every construction
in it, over the first MB of texts of a JSONL file:

* ``reported``: starts its expression reports (one Python callback each);
* ``real``: those where the construction's own regex matches (its sentence
  anchor included);
* ``tried``: those the scanner's walk evaluates (it skips the starts
  inside the last match taken, and those where a sentence anchor fails;
  scanner._walk), counted by wrapping the automata and regexes the walk
  calls; ``t.real`` of them real, and ``read`` the tokens its automata read.

Also the CPU seconds of ``Prefilter.hits`` and of the whole scan of each
group.  Run from the project root:

    python benchmarks/prefilter_starts.py ../shared/data/polnear/train.jsonl --mb 2
    python benchmarks/prefilter_starts.py ../shared/data/polnear/train.jsonl --pack rules/attribution.yaml

The packs are compiled in the cache as usual (with a cold cache, Hyperscan
takes about 20 s for the bundled packs).
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKS = [ROOT / "rules" / "quantities.yaml", ROOT / "rules" / "attribution.yaml"]


class _Counted:
    """A walk's automaton or regex, counting the starts it is asked about."""

    def __init__(self, inner, tally: Counter, index: int):
        self._inner, self._tally, self._index = inner, tally, index

    def end(self, ids, pos, stop, deadline):
        self._tally[self._index] += 1
        found = self._inner.end(ids, pos, stop, deadline)
        self._tally[self._index, "real"] += found is not None and found >= 0
        self._tally[self._index, "read"] += _read(self._inner, ids, pos, stop)
        return found

    def match(self, chars, pos, end, **kw):
        self._tally[self._index] += 1
        found = self._inner.match(chars, pos, end, **kw)
        self._tally[self._index, "real"] += found is not None
        return found

    def __getattr__(self, name):
        return getattr(self._inner, name)


def count(pack, texts) -> list[dict]:
    """One row per construction of a prefiltered group (see the module docstring)."""
    from engine.tokenizer import tokenize

    scanner = pack.scanner
    cons = pack.compiled.constructions
    rows = []
    for group in pack.compiled.groups:
        pf = group.prefilter
        if pf is None or id(group) not in scanner._walks:
            continue
        reported, real, tried = Counter(), Counter(), Counter()
        reader = scanner._reader(group)
        patterns = {}
        for _kind, index, matcher, _names in next(r for _m, r, g, _n in scanner.groups if g is group):
            patterns[index] = matcher
        hits_seconds = 0.0
        tokens = 0
        for text in texts:
            chars = pack.encode(tokenize(text))
            tokens += len(chars)
            a = time.process_time()
            starts = pf.starts(chars)
            hits_seconds += time.process_time() - a
            segments = scanner._paragraphs(chars) if group.must is not None else [(0, len(chars))]
            ids = reader(chars) if reader is not None else None
            for index, positions in starts.items():
                reported[index] += len(positions)
                ends = scanner._ends.get(index)
                k = 0
                for s, e in segments:
                    while k < len(positions) and positions[k] < s:
                        k += 1
                    while k < len(positions) and positions[k] < e:
                        pos = positions[k]
                        k += 1
                        if index in scanner._anchored and scanner._sentence_starts.match(chars, pos, e) is None:
                            continue  # the anchor fails: no match
                        stop = None if ends is None else ends.longest.end(ids, pos, e, time.monotonic() + 60)
                        if stop is None:
                            stop = -1 if patterns[index].match(chars, pos, e) is None else 1
                        real[index] += stop >= 0
        # the walk itself, with its automata and regexes counted
        saved = dict(scanner._ends)
        runner = next(r for _m, r, g, _n in scanner.groups if g is group)
        counted = [(kind, index, _Counted(m, tried, index), names) for kind, index, m, names in runner]
        for index, ends in saved.items():
            if index in group.members:
                scanner._ends[index] = _EndsCounted(ends, tried, index)
        walk_seconds = 0.0
        try:
            for text in texts:
                chars = pack.encode(tokenize(text))
                segments = scanner._paragraphs(chars) if group.must is not None else [(0, len(chars))]
                a = time.process_time()
                scanner._walk(counted, pf, chars, segments, time.monotonic() + 60, scanner._reader(group))
                walk_seconds += time.process_time() - a
        finally:
            scanner._ends.clear()
            scanner._ends.update(saved)
        for index in pf.members:
            rows.append({"pack": pack.name, "group": group.label, "construction": cons[index].name,
                         "reported": reported[index], "real": real[index], "tried": tried[index],
                         "tried_real": tried[index, "real"], "read": tried[index, "read"],
                         "tokens": tokens})
        rows.append({"pack": pack.name, "group": group.label, "construction": "(group)",
                     "reported": sum(reported.values()), "real": sum(real.values()),
                     "tried": sum(v for k, v in tried.items() if isinstance(k, int)),
                     "tried_real": sum(v for k, v in tried.items() if isinstance(k, tuple) and k[1] == "real"),
                     "read": sum(v for k, v in tried.items() if isinstance(k, tuple) and k[1] == "read"),
                     "tokens": tokens,
                     "hits_s": hits_seconds, "walk_s": walk_seconds})
    return rows


def _read(longest, ids, pos, stop) -> int:
    """The tokens ``longest.end`` reads from ``pos`` before it stops (its
    states are all known by then: it has just run)."""
    states = longest._states
    rows = states.rows
    state, i, last = 1, pos, min(stop, pos + longest.bound + 1)
    while i < last:
        state = rows[state].get(ids[i])
        i += 1
        if not state:
            break
    return i - pos


class _EndsCounted:
    """scanner._Ends whose automaton counts the starts it is asked about
    (a regex fallback then counts again: an upper bound, rarely met)."""

    def __init__(self, ends, tally, index):
        self.longest = _Counted(ends.longest, tally, index)
        self._ends = ends

    def plain(self):
        return self._ends.plain()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="JSONL with a 'text' field per line")
    ap.add_argument("--mb", type=float, default=2.0, help="megabytes of text (default 2)")
    ap.add_argument("--pack", action="append", help="a pack (default: both bundled packs); repeat")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from engine.api import load
    from engine.bench import read_corpus_or_exit

    texts = read_corpus_or_exit(args.corpus, args.mb)
    mb = sum(map(len, texts)) / 1e6
    for path in args.pack or PACKS:
        pack = load(path)
        a = time.process_time()
        pack.prepare()
        print(f"{pack.name}: prepare {time.process_time() - a:.1f} CPU s")
        rows = count(pack, texts)
        print(f"{'group':14s} {'construction':20s} {'reported':>9s} {'real':>8s} {'tried':>8s} {'t.real':>8s} {'read':>8s}  (over {mb:.2f} MB)")
        for r in rows:
            extra = ""
            if "hits_s" in r:
                extra = f"  hits {r['hits_s'] / mb:.3f} s/MB, walk {r['walk_s'] / mb:.3f} s/MB, {r['tokens']} tokens"
            print(f"{r['group']:14s} {r['construction']:20s} {r['reported']:9d} {r['real']:8d} {r['tried']:8d} {r['tried_real']:8d} {r['read']:8d}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
