"""A text's token string for a pack, built from work the packs share.

A token's character is ``BASE + kind * n + lexset`` (alphabet.py): its shape
kind, which is the same in every pack, and the index of its lexical class
set, which is the pack's own.  So the work splits in two:

* once per document, whatever the number of packs: every distinct token
  string gets a number the first time it is seen (``KeyTable``, which also
  keeps each number's shape kind), and the document becomes an array of
  numbers and an array of kinds, with two passes over the kinds: the first
  token counts as following a space (a straight quote that opens a text
  opens a quotation), and a full stop that ends a sentence becomes a
  sentence end (the rule of ``tokenizer.sentence_ends``, as one regex over
  the kinds);
* per pack (``Encoder``): one numpy lookup of the lexical set of each
  number in the pack's own table, which grows as new numbers appear.

numpy is imported on first use, so a process that never encodes a text
starts without it.
"""
from __future__ import annotations

import itertools
import re
import threading

from .alphabet import BASE
from .tokenizer import KINDS, SENTENCE_CLOSERS, SENTENCE_STARTERS, key_kind, shape_kind

_KIND = {kind: k for k, kind in enumerate(KINDS)}
_LOCK = threading.Lock()  # numbering and growing tables are not atomic: threads take turns
_GENERATIONS = itertools.count()  # every start of every table, numbered once


def _kinds_class(kinds) -> bytes:
    return b"[" + b"".join(re.escape(bytes([_KIND[k]])) for k in kinds) + b"]"


# a full stop followed by any closing quotes, then a token that starts a sentence or the end
_SENTENCE_END = re.compile(_kinds_class(["stop"]) + b"(?=" + _kinds_class(SENTENCE_CLOSERS) + b"*(?:"
                           + _kinds_class(SENTENCE_STARTERS) + rb"|\Z))")


class _Column:
    """A numpy array that grows at its end (doubling its room when full);
    ``data`` holds ``size`` values, then room."""

    def __init__(self, dtype: str):
        self.dtype = dtype
        self.size = 0
        self._data = None  # made on first use: importing this module does not import numpy

    @property
    def data(self):
        if self._data is None:
            import numpy as np

            self._data = np.zeros(1024, self.dtype)
        return self._data

    def extend(self, values) -> None:
        import numpy as np

        end = self.size + len(values)
        if end > len(self.data):
            grown = np.zeros(max(2 * len(self.data), end), self.dtype)
            grown[:self.size] = self.data[:self.size]
            self._data = grown
        self.data[self.size:end] = values
        self.size = end


class _Numbers(dict):
    """token string -> its number; a new string gets the next one."""

    def __init__(self):
        super().__init__()
        self.keys: list[str] = []

    def __missing__(self, key):
        number = self[key] = len(self.keys)
        self.keys.append(key)
        return number


class KeyTable:
    """Numbers for token strings, with the shape kind of each, and what every
    pack's encoder reads to find its lexical set: the bare text (``bares``),
    the same in lower case (``lowers``), and whether it is a paragraph break
    (``paras``), all computed once for all packs.  Bounded:
    past ``LIMIT`` strings it starts afresh under a new ``generation``, which
    tells the encoders to drop the tables they built on the old numbers."""

    LIMIT = 1_000_000

    def __init__(self):
        self._start()

    def _start(self) -> None:
        self.generation = next(_GENERATIONS)
        self.numbers = _Numbers()
        self.kinds = _Column("uint8")
        self.bares: list[str] = []
        self.lowers: list[str] = []
        self.paras: list[bool] = []

    @property
    def keys(self) -> list[str]:
        return self.numbers.keys

    def number(self, keys: list[str]):
        """(generation, the number of each key, the shape kind of each key) for
        a list of token strings; the two arrays are the caller's own."""
        import numpy as np

        with _LOCK:
            if len(self.numbers) > self.LIMIT:
                self._start()
            ids = np.fromiter(map(self.numbers.__getitem__, keys), dtype=np.intp, count=len(keys))
            known = self.kinds.size
            if len(self.keys) > known:
                infos = [key_kind(k) for k in self.keys[known:]]
                self.kinds.extend([_KIND[kind] for _bare, _glued, kind in infos])
                bares = [bare for bare, _glued, _kind in infos]
                self.bares.extend(bares)
                # (a word already in lower case shares its string)
                self.lowers.extend([low if (low := bare.lower()) != bare else bare for bare in bares])
                self.paras.extend([kind == "para" for _bare, _glued, kind in infos])
            return self.generation, ids, self.kinds.data[ids]


TABLE = KeyTable()


def shared(tokens):
    """(generation, numbers, kinds) of a text's tokens, computed once and kept
    on the Tokens for every pack that encodes them."""
    cached = tokens._coded
    if cached is not None and cached[0] == TABLE.generation:
        return cached
    generation, ids, kinds = TABLE.number(tokens.keys)
    if len(kinds):
        bare, glued, _kind = key_kind(tokens.keys[0])
        if glued:  # the first token counts as following a space
            kinds[0] = _KIND[shape_kind(bare, False)]
        ends = [m.start() for m in _SENTENCE_END.finditer(kinds.tobytes())]
        if ends:
            kinds[ends] = _KIND["sentend"]
    tokens._coded = (generation, ids, kinds)
    return tokens._coded


class Encoder:
    """One pack's token strings: the shared arrays of a text, and the pack's
    table of lexical sets by token number."""

    def __init__(self, alphabet):
        self.alphabet = alphabet
        self.generation = -1
        self.lexsets = None

    def encode(self, tokens) -> str:
        if not tokens.keys:
            return ""
        while True:
            generation, ids, kinds = shared(tokens)
            with _LOCK:
                if generation != TABLE.generation:  # another thread started the table afresh
                    continue
                if self.generation != generation:
                    self.lexsets, self.generation = _Column("uint32"), generation
                known = self.lexsets.size
                if len(TABLE.keys) > known:
                    self.lexsets.extend(self.alphabet.lexsets_of(TABLE.bares[known:], TABLE.lowers[known:],
                                                                 TABLE.paras[known:]))
                lexsets = self.lexsets.data
            break
        codes = kinds.astype("uint32") * self.alphabet.n + BASE + lexsets[ids]
        return codes.astype("<u4", copy=False).tobytes().decode("utf-32-le")
