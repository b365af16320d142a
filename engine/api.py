"""The front door: ``engine.load(path)`` -> ``Pack`` with ``extract``.

    >>> import engine
    >>> pack = engine.load("rules/quantities.yaml")
    >>> [m.text for m in pack.extract("Prices rose 5% in May.")]
    ['5%']
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import cache
from .encoding import Encoder
from .normalizers import PREPARE, REGISTRY, MatchView
from .scanner import Scanner
from .tokenizer import Tokens, tokenize


@dataclass
class Match:
    """One construction found in a text.  Offsets are ``str`` indices, end-exclusive."""

    label: str
    start: int
    end: int
    text: str
    slots: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    attrs: dict = field(default_factory=dict)
    rule: str = ""
    pack: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)

    def slot_texts(self, text: str) -> dict[str, list[str]]:
        return {k: [text[s:e] for s, e in v] for k, v in self.slots.items()}

    def to_json(self) -> dict:
        out = {"label": self.label, "span": [self.start, self.end]}
        if self.slots:
            out["slots"] = {k: [[s, e] for s, e in v] for k, v in self.slots.items()}
        out["attrs"] = dict(self.attrs)
        out["rule"] = self.rule
        out["pack"] = self.pack
        return out


class Pack:
    """A compiled rule pack, ready to extract."""

    def __init__(self, compiled, path: Path | None = None):
        self.compiled = compiled
        self.path = path
        self.name = compiled.name
        self.version = compiled.version
        self.hash = compiled.hash
        self.id = f"{compiled.name}@{compiled.hash}"
        self.scanner = Scanner(compiled)
        self._encoder = Encoder(compiled.alphabet)

    def prepare(self) -> "Pack":
        """Compile (or load from the cache) what the scanner builds on first
        need, now: the Hyperscan databases that find where matches can start
        (prefilter.py), and whatever the pack's normalizers load on their
        first match (pint's unit registry).  Worth calling before a large
        batch; extract_many calls it before it starts worker processes, which
        then inherit all of it."""
        self.scanner.prepare()
        for name in dict.fromkeys(name for c in self.compiled.constructions for name, _ in c.normalize):
            hook = PREPARE.get(name)
            if hook is not None:
                hook()
        return self

    def __repr__(self):
        return f"<Pack {self.id}: {len(self.compiled.constructions)} constructions>"

    def __reduce__(self):
        return (_from_compiled, (self.compiled, self.path))

    @property
    def constructions(self):
        return self.compiled.constructions

    @property
    def labels(self) -> list[str]:
        return list(dict.fromkeys(c.label for c in self.compiled.constructions))

    # -- the hot path -------------------------------------------------------
    def encode(self, tokens: Tokens) -> str:
        """One character per token (see alphabet.py and encoding.py)."""
        return self._encoder.encode(tokens)

    def scan(self, text: str, timeout: float | None = None, tokens: Tokens | None = None):
        """(tokens, resolved candidates) for ``text``."""
        if tokens is None:
            tokens = tokenize(text)
        chars = self.encode(tokens)
        return tokens, self.scanner.scan(chars, timeout)

    def extract(self, text: str, timeout: float | None = None, tokens: Tokens | None = None) -> list[Match]:
        """Every match in ``text``, sorted by position.

        ``tokens`` may pass ``engine.tokenize(text)`` in, so several packs
        share one tokenization.  A match that a normalizer rejects is left
        out, and so are the matches of guard constructions (``report: false``).
        """
        tokens, cands = self.scan(text, timeout, tokens)
        cons = self.compiled.constructions
        matches = (self._match(tokens, c) for c in cands if cons[c[2]].report)
        return [m for m in matches if m is not None]

    def _match(self, tokens: Tokens, cand) -> Match | None:
        """The Match for a candidate, or None when a normalizer rejects it."""
        start, end, index, frags = cand
        c = self.compiled.constructions[index]
        if c.span_slots:
            inner = [(a, b) for name, a, b in frags if name in c.span_slots]
            if inner:
                start_tok = min(a for a, _ in inner)
                end_tok = max(b for _, b in inner)
                s, e = tokens.span(start_tok, end_tok)
            else:
                s, e = tokens.span(start, end)
        else:
            s, e = tokens.span(start, end)
        slots: dict[str, list[tuple[int, int]]] = {name: [] for name in c.slots}
        for name, a, b in sorted(frags, key=lambda f: (f[1], f[2])):
            span = tokens.span(a, b)
            if span not in slots[name]:
                slots[name].append(span)
        attrs = dict(c.attrs)
        if c.normalize:
            view = MatchView(self.compiled, tokens, start, end, frags, c)
            for name, args in c.normalize:
                found = REGISTRY[name](view, **args)
                if found is None:  # the normalizer rejects the match
                    return None
                attrs.update(found)
        return Match(c.label, s, e, tokens.text[s:e], slots, attrs, c.name, self.id)

    def explain(self, text: str):
        """Each match with its derivation (see explain.py); ``.format()`` prints one."""
        from .explain import explain

        return explain(self, text)

    def why_not(self, text: str, rule: str):
        """How far ``rule`` (a construction or any rule) gets in ``text``, and what stopped it."""
        from .explain import why_not

        return why_not(self, text, rule)

    def extract_doc(self, doc: dict, timeout: float | None = None) -> dict:
        """A gold-format record for ``{"id", "text", "meta"?}``."""
        text = doc["text"]
        return {"id": doc.get("id"), "text": text, "meta": doc.get("meta", {}),
                "annotations": [m.to_json() for m in self.extract(text, timeout)]}

    def extract_many(self, docs: Iterable, processes: int = 1, chunk_size: int = 64,
                     timeout: float | None = None) -> Iterator:
        """Extract from many texts, in input order, streaming.

        Texts (``str``) give lists of Match; records (``{"id", "text"}``) give
        gold-format records, or ``{"id", "error"}`` for a record that fails.
        ``processes > 1`` (or 0: one per core) spreads the work over worker
        processes; memory stays bounded whatever the input size.
        """
        from itertools import chain

        from .batch import run

        it = iter(docs)
        first = next(it, None)
        if first is None:
            return
        as_matches = isinstance(first, str)
        yield from run([self], chain([first], it), processes=processes, chunk_size=chunk_size,
                       timeout=timeout, as_matches=as_matches)


def _from_compiled(compiled, path):
    return Pack(compiled, path)


def compile_pack(path, use_cache: bool = True, notice: Callable[[str], None] | None = None):
    """The Compiled record for a pack file (from the cache when it is fresh).

    ``notice``, when given, hears (as one line of text each) that a compile
    starts and how long it took: a large pack takes a minute or more the
    first time, and a command that says nothing meanwhile looks hung."""
    path = Path(path)
    if use_cache:
        hit = cache.get(path)
        if hit is not None:
            return hit
    from .compiler import compile_spec
    from .pack import load_spec

    if notice is not None:
        why = "not in the cache" if use_cache else "the cache is off"
        notice(f"compiling {path} ({why}; a large pack takes a minute or more, once per version)")
    began = time.perf_counter()
    compiled = compile_spec(load_spec(path))
    if use_cache:
        cache.put(path, compiled)
    if notice is not None:
        where = f"; cached in {cache.cache_dir()}" if use_cache else ""
        notice(f"compiled {path} in {time.perf_counter() - began:.0f} s{where}")
    return compiled


def stderr_notice(message: str) -> None:
    """A ``notice`` for commands: the line on standard error."""
    print(f"larkspan: {message}", file=sys.stderr, flush=True)


def load(path, cache: bool = True, notice: Callable[[str], None] | None = None) -> Pack:
    """Load (compile, or fetch from the cache) the pack at ``path``; ``notice``:
    see ``compile_pack``."""
    return Pack(compile_pack(path, cache, notice), Path(path))
