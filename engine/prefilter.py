"""Where matches can start, for a whole document in one pass (Hyperscan).

A construction's regex is costly at each start it is tried at, and most
starts of a document cannot begin a match.  This module finds the starts
that can, all at once: it turns each construction into a regular
expression read backwards, and Hyperscan (an automaton-based matcher that
reports *every* place a pattern matches, not one match at a time) runs all
of them over the document reversed.  A match of the reversed construction
that ends at reversed position ``j`` is a match of the construction that
starts at ``n - j``.  The scanner then runs the construction's own regex
only at those starts.

The expressions are loosened so that they stay small and within what
Hyperscan accepts: repetition bounds are dropped (``x{2,40}`` becomes
``xx*``), a repeated sub-expression becomes a repeated character class of
everything it mentions, and zero-width assertions (sentence anchors) are
taken to hold.  Every match of a construction is a match of its loosened
form, so no start is lost; a few more starts are tried in vain.

Hyperscan works on bytes.  Token characters that no leaf of the loosened
expressions tells apart share one byte (a *class*); when that makes more
than 256 classes, the two whose sets differ least merge (a loosening too).
A ``str.translate`` maps a document to class bytes.  An expression longer
than Hyperscan takes has its largest inner alternation replaced by a run
of the characters it mentions.  Without the ``hyperscan`` module nothing
changes but speed: the compiler keeps one alternation per scan group and
the scanner tries every start (see scanner.py).
"""
from __future__ import annotations

import hashlib
import heapq
import threading

from . import cache
from .regexgen import all_codes, first_set

try:  # an accelerator: the engine works without it
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None

MAX_PATTERN = 15_000  # characters per expression (Hyperscan refuses longer ones)
MAX_CLASSES = 256  # one byte each


def available() -> bool:
    return hyperscan is not None


def loosen(node):
    """The intermediate form (regexgen) with every match kept and some added:
    see the module's docstring.  ``("rep", x, lo, None)`` means unbounded."""
    kind = node[0]
    if kind == "set":
        return node
    if kind == "raw":
        return ("seq", [])
    if kind == "group":
        return loosen(node[2])
    if kind == "rep":
        inner, lo, hi = node[1], node[2], node[3]
        if hi is not None and hi <= 1:
            return ("rep", loosen(inner), min(lo, 1), 1)
        if inner[0] != "set":
            empty = _nullable(inner)
            inner = ("set", frozenset(all_codes(inner)))
            lo = 0 if empty else lo
        return ("rep", inner, min(lo, 1), None)
    return (kind, [loosen(item) for item in node[1]])


def _nullable(node) -> bool:
    """Whether the node can match the empty string."""
    return first_set(node)[1]


def _sets(node, out: set) -> set:
    kind = node[0]
    if kind == "set":
        out.add(node[1])
    elif kind == "rep":
        _sets(node[1], out)
    elif kind in ("seq", "alt"):
        for item in node[1]:
            _sets(item, out)
    return out


def _classes(sets, universe) -> tuple[dict[int, int], dict[frozenset, list[int]]]:
    """(code -> class number, set -> its class numbers).

    Codes that belong to exactly the same sets share a class; class 0 holds
    the codes in none.  While that makes more than ``MAX_CLASSES``, the two
    classes whose sets differ least become one, which belongs to every set
    either did: a loosening again, paid for with a few more starts to try."""
    ordered = sorted(sets, key=lambda s: (len(s), min(s, default=0), max(s, default=0), sum(s)))
    signature: dict[int, int] = {}
    for sid, codes in enumerate(ordered):
        for code in codes:
            signature[code] = signature.get(code, 0) | 1 << sid
    codes_of: dict[int, list[int]] = {0: []}
    for code in universe:
        codes_of.setdefault(signature.get(code, 0), []).append(code)
    sigs = _merge(list(codes_of), MAX_CLASSES)
    table, members = {}, {s: [] for s in ordered}
    for k, (sig, parts) in enumerate(sigs):
        for part in parts:
            for code in codes_of[part]:
                table[code] = k
        sid = 0
        while sig:
            if sig & 1:
                members[ordered[sid]].append(k)
            sig >>= 1
            sid += 1
    return table, members


def _merge(sigs: list[int], limit: int) -> list[tuple[int, list[int]]]:
    """Signatures (bit sets) merged pairwise, closest first, until at most
    ``limit`` remain: [(merged signature, the signatures it took in)]."""
    alive = {i: (sig, [sig]) for i, sig in enumerate(sigs)}
    if len(alive) <= limit:
        return list(alive.values())
    heap = [((a ^ b).bit_count(), i, j) for i, a in enumerate(sigs) for j, b in enumerate(sigs) if i < j]
    heapq.heapify(heap)
    fresh = len(sigs)
    while len(alive) > limit:
        _, i, j = heapq.heappop(heap)
        if i not in alive or j not in alive:
            continue
        (a, pa), (b, pb) = alive.pop(i), alive.pop(j)
        merged = a | b
        for k, (c, _) in alive.items():
            heapq.heappush(heap, ((merged ^ c).bit_count(), k, fresh))
        alive[fresh] = (merged, pa + pb)
        fresh += 1
    return list(alive.values())


def _emit(node, members: dict, count: int) -> str:
    """Hyperscan source for a loosened node, read backwards (one byte per class)."""
    kind = node[0]
    if kind == "set":
        ks = members[node[1]]
        if len(ks) == 1:
            return _byte(ks[0])
        if not ks:
            return "[^\\x00-\\xff]"
        if 2 * len(ks) > count:  # the complement is shorter
            inside = set(ks)
            return "[^" + _ranges([k for k in range(count) if k not in inside]) + "]" if len(ks) < count else "."
        return "[" + _ranges(ks) + "]"
    if kind == "rep":
        body = _emit(node[1], members, count)
        if node[1][0] != "set":
            body = "(?:" + body + ")"
        if node[3] == 1:
            return body + "?" if node[2] == 0 else body
        return body + ("*" if node[2] == 0 else "+")
    if kind == "alt":
        return "(?:" + "|".join(_emit(item, members, count) for item in node[1]) + ")"
    return "".join(_emit(item, members, count) for item in reversed(node[1]))


_META = set("\\^$.|?*+()[]{}-#/:=!<>,") | {chr(0)}  # escaped; every other byte stands for itself


def _byte(k: int) -> str:
    c = chr(k)
    return f"\\x{k:02x}" if c in _META else c


def _ranges(ks) -> str:
    out, ks = [], sorted(ks)
    i = 0
    while i < len(ks):
        j = i
        while j + 1 < len(ks) and ks[j + 1] == ks[j] + 1:
            j += 1
        a, b = _byte(ks[i]), _byte(ks[j])
        out.append(a if i == j else a + b if j == i + 1 else a + "-" + b)
        i = j + 1
    return "".join(out)


class Prefilter:
    """One Hyperscan database for a scan group: the constructions it finds
    starts for, the table from token characters to class bytes, and the
    expressions.

    Hyperscan takes seconds to compile the database of a large pack (7.6 s
    for the attribution pack), so it is compiled the first time a scan
    needs it and kept in the on-disk cache, keyed by the expressions and
    the Hyperscan version; other processes on the machine load it from
    there in milliseconds."""

    def __init__(self, members: list[int], table: dict[int, int], expressions: list[str]):
        self.members = members
        self.table = table
        self.expressions = expressions
        digest = hashlib.sha256("\0".join(expressions).encode("latin-1"))
        digest.update(f"{hyperscan.__version__}".encode())
        self.key = "hs-" + digest.hexdigest()[:32]
        self._db = None
        self._local = threading.local()  # a Hyperscan scratch space for each thread
        self.failed = False  # Hyperscan refused the expressions: the scanner does without

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_db"] = None
        del state["_local"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._local = threading.local()

    def ready(self) -> bool:
        """Whether the database is loaded, or can be, without compiling it."""
        return self._db is not None or (cache.cache_dir() / self.key).exists()

    def database(self):
        """The database: loaded, from the cache, or compiled (and then cached)."""
        if self._db is None:
            blob = cache.get_blob(self.key)
            if blob is not None:
                try:
                    self._db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
                except Exception:  # noqa: BLE001 - a damaged or foreign entry: compile again
                    self._db = None
            if self._db is None:
                db = hyperscan.Database()
                db.compile(expressions=[e.encode("latin-1") for e in self.expressions],
                           ids=list(range(len(self.expressions))), elements=len(self.expressions),
                           flags=hyperscan.HS_FLAG_DOTALL)
                cache.put_blob(self.key, hyperscan.dumpb(db))
                self._db = db
        return self._db

    def starts(self, chars: str) -> dict[int, list[int]]:
        """construction index -> the positions in ``chars`` a match can start at, in order."""
        n = len(chars)
        found: list[set] = [set() for _ in self.members]

        def hit(i, _start, end, _flags, _context):
            found[i].add(n - end)

        self._scan(chars, hit)
        return {index: sorted(positions) for index, positions in zip(self.members, found)}

    def hits(self, chars: str) -> list[int]:
        """Every (start, construction) pair of ``starts`` in one sorted list of
        ints, ``start * len(members) + k`` for ``members[k]``: starts in
        order, and at one start the constructions in the order of ``members``."""
        n, m = len(chars), len(self.members)
        found: list[int] = []
        add = found.append

        def hit(k, _start, end, _flags, _context):
            add((n - end) * m + k)

        self._scan(chars, hit)
        found = list(set(found))
        found.sort()
        return found

    def _scan(self, chars: str, handler) -> None:
        db = self.database()
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:  # a scan needs a scratch space no other thread is using
            scratch = self._local.scratch = hyperscan.Scratch(db)
        data = chars[::-1].translate(self.table).encode("latin-1")
        db.scan(data, match_event_handler=handler, scratch=scratch)


def build(nodes: dict, universe) -> Prefilter | None:
    """The prefilter for the constructions in ``nodes`` (index ->
    intermediate form), or None when Hyperscan is missing or a construction
    can match the empty string (it starts anywhere)."""
    if hyperscan is None:
        return None
    loose = {index: loosen(node) for index, node in nodes.items()}
    if any(_nullable(node) for node in loose.values()):
        return None
    sets: set = set()
    for node in loose.values():
        _sets(node, sets)
    table, classes = _classes(sets, universe)
    count = max(table.values()) + 1
    expressions = []
    for index, node in loose.items():
        source = _emit(node, classes, count)
        while len(source) > MAX_PATTERN:  # loosen its largest alternation further
            node = _coarser(node)
            for codes in _sets(node, set()):
                if codes not in classes:  # a new set: the classes that hold its characters
                    classes[codes] = sorted({table[c] for c in codes})
            source = _emit(node, classes, count)
        expressions.append(source)
    return Prefilter(list(loose), table, expressions)


def _coarser(node):
    """``node`` with its largest inner alternation (by leaves) replaced by a
    run of the characters it mentions: ``(a b | c)`` becomes ``[abc]+``."""
    best = [0, None]

    def find(n, depth):
        kind = n[0]
        if kind == "set":
            return 1
        if kind == "rep":
            return find(n[1], depth + 1)
        size = sum(find(item, depth + 1) for item in n[1])
        if kind == "alt" and depth > 0 and size > best[0]:
            best[:] = [size, n]
        return size

    find(node, 0)
    target = best[1] if best[1] is not None else node

    def swap(n):
        if n is target:
            return ("rep", ("set", frozenset(all_codes(n))), 0 if _nullable(n) else 1, None)
        if n[0] == "set":
            return n
        if n[0] == "rep":
            return ("rep", swap(n[1]), n[2], n[3])
        return (n[0], [swap(item) for item in n[1]])

    return swap(node)
