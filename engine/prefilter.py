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
form, so no start is lost; a few more starts are tried in vain.  Given the
pack's selectivity key, the loosened form is also cut after its last cue
word (``cut``): a match starts where a match of that opening starts, and the
cut expression, read backwards, opens with a word Hyperscan finds quickly.
Where a short stretch follows that word up to an item that cannot be
empty (``..., X said`` and then a comma or the sentence's end), the cut
keeps it (``cut_longer``): a cue followed by "that" then no longer reports
the starts of the constructions whose cue ends a clause.  Hyperscan may
refuse the longer expression ("too large"); the plain cut is compiled in
its place.  Each expression is compiled into a Hyperscan database of its
own and costs one pass over the document's bytes (``_Database`` tells why).

Hyperscan works on bytes.  Token characters that no leaf of the loosened
expressions tells apart share one byte (a *class*).  A byte has room for
256 classes, and a large pack's constructions together tell more token
sets apart than that, so the constructions are packed into several
databases, each with few enough classes of its own (the scanner maps the
document to bytes once per database).  Only a
construction that alone needs more than 256 classes, or a pack that would
need more than ``MAX_PARTS`` databases, merges classes: the two whose sets
differ least become one (a loosening too).  A lookup table (numpy) maps a
document's token characters to each database's class bytes.  An expression
longer than Hyperscan takes has its largest inner alternation replaced by a
run of the characters it mentions.  Without the ``hyperscan`` module nothing
changes but speed: the compiler keeps one alternation per scan group and
the scanner tries every start (see scanner.py).
"""
from __future__ import annotations

import hashlib
import heapq
import threading

from . import cache
from .regexgen import all_codes, first_set, must_sets

try:  # an accelerator: the engine works without it
    import hyperscan
except ImportError:  # pragma: no cover - depends on the platform
    hyperscan = None

MAX_PATTERN = 15_000  # characters per expression (Hyperscan refuses longer ones)
MAX_CLASSES = 256  # one byte each
MAX_PARTS = 16  # Hyperscan databases per scan group, before classes merge instead


def available() -> bool:
    return hyperscan is not None


def loosen(node):
    """The intermediate form (regexgen) with every match kept and some added:
    see the module's docstring.  ``("rep", x, lo, None)`` means unbounded.

    A repeated group becomes a run of a class although keeping its inside
    (``(a b)*``) would find fewer starts: the Hyperscan build in use loses
    match ends of such repetitions (tools/hyperscan_repeat_bug.py)."""
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


def cut(node, rare):
    """A loosened node cut after its last item that ``rare`` accepts (an
    item every match holds a rarely seen character of, such as a cue word):
    ``source cue content`` becomes ``source cue``.  Every match of the node
    begins with a match of the cut node at the same start, so no start is
    lost; read backwards, the expression then opens with the rare item,
    which Hyperscan finds by its literal matcher instead of running its
    slow automaton over every byte.  Alternatives are cut one by one, and the
    last item kept is cut the same way inside."""
    kind = node[0]
    if kind == "alt":
        return ("alt", [cut(item, rare) for item in node[1]])
    if kind != "seq":
        return node
    items = node[1]
    last = max((j for j, item in enumerate(items) if rare(item)), default=None)
    if last is None:
        return node
    return ("seq", items[:last] + [cut(items[last], rare)])


def cut_longer(node, rare):
    """``cut``, but keeping what follows the last rare item up to the first
    item that cannot be empty (``source cue [when] (COMMA | SENTEND)``): the
    starts of a construction whose cue is followed by a comma are then not
    also reported where the same cue is followed by "that".  When that item
    is large (``(COMMA clause | SENTEND quote?)``), only its opening is kept
    (``(COMMA | SENTEND)``).  None when there is nothing to keep, or the
    node is not a sequence."""
    if node[0] != "seq":
        return None
    items = node[1]
    last = max((j for j, item in enumerate(items) if rare(item)), default=None)
    if last is None:
        return None
    end = next((k for k in range(last + 1, len(items)) if not _nullable(items[k])), None)
    if end is None:
        return None
    kept = items[:end + 1]
    if sum(map(_leaves, kept[last + 1:])) > SHORT:
        kept = items[:end] + [opening(items[end])]
        if sum(map(_leaves, kept[last + 1:])) > SHORT:
            return None
    return ("seq", kept)


def opening(node):
    """What every match of a node that cannot be empty begins with: a set
    itself, the opening of each alternative and of a repetition's body, and
    a sequence up to its first item that cannot be empty, with that item's
    opening last."""
    kind = node[0]
    if kind == "set":
        return node
    if kind == "alt":
        return ("alt", [opening(item) for item in node[1]])
    if kind == "rep":  # at least once (it cannot be empty), so it begins with its body
        return opening(node[1])
    items = node[1]
    first = next(k for k, item in enumerate(items) if not _nullable(item))
    head = items[:first] + [opening(items[first])]
    return head[0] if len(head) == 1 else ("seq", head)


SHORT = 20  # leaves: what cut_longer keeps after the last rare item stays small


def _leaves(node) -> int:
    kind = node[0]
    if kind == "set":
        return 1
    if kind == "rep":
        return _leaves(node[1])
    return sum(map(_leaves, node[1])) if kind in ("seq", "alt") else 0


def _rare(key):
    """Whether an item holds, in every match, a character of a set that the
    selectivity ``key`` (compiler._selectivity) ranks neither common nor a
    bare shape: a word from a lexicon or a literal."""
    def rare(item) -> bool:
        return any(not common and not shape for common, shape, *_ in map(key, must_sets(item, key)))

    return rare


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


def _classes(sets, universe) -> tuple[dict[int, int], dict[frozenset, list[int]], int]:
    """(code -> class number, set -> its class numbers, the class of codes in no set).

    Codes that belong to exactly the same sets share a class; class 0 holds
    the codes in none.  While that makes more than ``MAX_CLASSES``, the two
    classes whose sets differ least become one, which belongs to every set
    either did: a loosening again, paid for with a few more starts to try."""
    ordered = _order(sets)
    signature = signatures(ordered)
    codes_of: dict[int, list[int]] = {0: []}
    for code in universe:
        codes_of.setdefault(signature.get(code, 0), []).append(code)
    sigs = _merge(list(codes_of), MAX_CLASSES)
    table, members, none = {}, {s: [] for s in ordered}, 0
    for k, (sig, parts) in enumerate(sigs):
        for part in parts:
            if part == 0:
                none = k
            for code in codes_of[part]:
                table[code] = k
        sid = 0
        while sig:
            if sig & 1:
                members[ordered[sid]].append(k)
            sig >>= 1
            sid += 1
    return table, members, none


def _order(sets):
    """Sets in a fixed order (their signature bits, here and in ``_classes``)."""
    return sorted(sets, key=lambda s: (len(s), min(s, default=0), max(s, default=0), sum(s)))


def signatures(ordered) -> dict[int, int]:
    """code -> its signature: bit i set when the code is in ``ordered[i]``."""
    signature: dict[int, int] = {}
    for sid, codes in enumerate(ordered):
        for code in codes:
            signature[code] = signature.get(code, 0) | 1 << sid
    return signature


def table_offsets(chars: str, base: int, size: int):
    """Each token character's index in a lookup table that covers the codes
    ``base`` to ``base + size - 1`` (numpy array), ``size`` for any other."""
    import numpy as np  # here, not at import: a cold start that never scans does without it

    codes = np.frombuffer(chars.encode("utf-32-le"), dtype=np.uint32)
    return np.minimum(codes - np.uint32(base), np.uint32(size))  # below base wraps round


def _bins(member_sets: dict[int, set]) -> list[list[int]]:
    """The constructions (index -> the sets its loosened form mentions)
    packed into databases: each takes the next construction (those that
    tell most classes apart first) where its classes grow least and stay
    within ``MAX_CLASSES``, or opens a new one; past ``MAX_PARTS``, where
    they grow least whatever their number."""
    ordered = _order(set().union(*member_sets.values()))
    bit = {s: 1 << i for i, s in enumerate(ordered)}
    atoms = set(signatures(ordered).values()) | {0}  # a code's signature: the sets it is in

    def count(mask):  # the classes of the sets in mask (see _classes)
        return len({a & mask for a in atoms} | {0})

    masks = {}
    for index, sets in member_sets.items():
        masks[index] = 0
        for s in sets:
            masks[index] |= bit[s]
    position = {index: k for k, index in enumerate(member_sets)}
    bins: list[list] = []  # [mask, classes, indices]
    for index in sorted(member_sets, key=lambda i: (-count(masks[i]), position[i])):
        best = None
        for b in bins:
            classes = count(b[0] | masks[index])
            if classes <= MAX_CLASSES or len(bins) >= MAX_PARTS:
                if best is None or classes - b[1] < best[0]:
                    best = (classes - b[1], b, classes)
        if best is None:
            bins.append([masks[index], count(masks[index]), [index]])
        else:
            _, b, classes = best
            b[0] |= masks[index]
            b[1] = classes
            b[2].append(index)
    return [sorted(b[2], key=position.get) for b in bins]


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


class _Database:
    """Some of a group's constructions, the table from token characters to
    class bytes, and an expression for each, which Hyperscan compiles into
    a database of its own: the scanner pays one pass per expression over the
    same bytes.  One database with several expressions would take about as
    long to scan, but the Hyperscan build in use (5.4.12) loses matches in
    one: with ``b`` and ``[ad][bc]x*.`` together, over ``ab``, 36 bytes
    ``\\x00``, ``ab`` and more ``\\x00``, the second pattern's match that
    starts at the second ``ab`` is never reported, though it is alone.

    Hyperscan takes seconds to compile the databases of a large pack, so
    they are compiled the first time a scan needs them and kept in the
    on-disk cache, keyed by the expression and the Hyperscan version; other
    processes on the machine load them from there in milliseconds."""

    def __init__(self, slots: list[int], table: dict[int, int], none: int, expressions: list[str],
                 base: int, size: int, fallbacks: list[str | None] | None = None):
        self.slots = slots  # expression i finds starts of Prefilter.members[slots[i]]
        self.table = table
        self.none = none  # the class of characters in no set
        self.base, self.size = base, size  # the first character code the table covers, and how many
        self.expressions = expressions
        # for each expression, a looser one to compile instead if Hyperscan refuses it ("too large")
        self.fallbacks = fallbacks or [None] * len(expressions)
        self.keys = []
        for expression in expressions:
            digest = hashlib.sha256(expression.encode("latin-1"))
            digest.update(f"\0{hyperscan.__version__}".encode())
            self.keys.append("hs-" + digest.hexdigest()[:32])
        self._dbs = None
        self._lut = None
        self._local = threading.local()  # Hyperscan scratch spaces for each thread

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_dbs"] = state["_lut"] = None
        del state["_local"]
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._local = threading.local()

    def ready(self) -> bool:
        return self._dbs is not None or all((cache.cache_dir() / key).exists() for key in self.keys)

    def database(self) -> list:
        """The databases, one an expression (loaded, from the cache, or
        compiled and then cached), and the lookup table made ready with them."""
        if self._lut is None:
            import numpy as np  # here, not at import: a cold start that never scans does without it

            lut = np.full(self.size + 1, self.none, dtype=np.uint8)
            for code, k in self.table.items():
                lut[code - self.base] = k
            self._lut = lut
        if self._dbs is None:
            self._dbs = [_compiled(key, expression, fallback)
                         for key, expression, fallback in zip(self.keys, self.expressions, self.fallbacks)]
        return self._dbs

    def scan(self, offsets, handlers) -> None:
        """Scan the document whose token characters, reversed and less
        ``base``, are ``offsets`` (``size`` for a character outside the
        table): expression i reports its matches to ``handlers[i]``."""
        dbs = self.database()
        scratches = getattr(self._local, "scratches", None)
        if scratches is None:  # a scan needs scratch spaces no other thread is using
            scratches = self._local.scratches = [hyperscan.Scratch(db) for db in dbs]
        data = self._lut[offsets].tobytes()
        for db, scratch, handler in zip(dbs, scratches, handlers):
            db.scan(data, match_event_handler=handler, scratch=scratch)


def _compiled(key: str, expression: str, fallback: str | None = None):
    """The Hyperscan database of one expression: from the cache, or compiled
    and cached; if Hyperscan refuses the expression, that of ``fallback``
    (cached under the same key: both find every start)."""
    blob = cache.get_blob(key)
    if blob is not None:
        try:
            return hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
        except Exception:  # noqa: BLE001 - a damaged or foreign entry: compile again
            pass
    try:
        db = _compile(expression)
    except hyperscan.error:
        if fallback is None:
            raise
        db = _compile(fallback)
    cache.put_blob(key, hyperscan.dumpb(db))
    return db


def _compile(expression: str):
    db = hyperscan.Database()
    db.compile(expressions=[expression.encode("latin-1")], ids=[0], elements=1, flags=hyperscan.HS_FLAG_DOTALL)
    return db


class Prefilter:
    """Where the matches of a scan group's constructions can start: one or
    more Hyperscan databases (``_Database``), each for some of them."""

    def __init__(self, members: list[int], parts: list[_Database], base: int, size: int):
        self.members = members  # construction indices
        self.parts = parts
        self.base, self.size = base, size  # the table's first character code and its length
        self.failed = False  # Hyperscan refused the expressions: the scanner does without

    @property
    def expressions(self) -> list[str]:
        """The expression of each construction, in the order of ``members``."""
        out = {}
        for part in self.parts:
            out.update(zip(part.slots, part.expressions))
        return [out[k] for k in range(len(self.members))]

    @property
    def keys(self) -> list[str]:
        return [key for part in self.parts for key in part.keys]

    def ready(self) -> bool:
        """Whether the databases are loaded, or can be, without compiling them."""
        return all(part.ready() for part in self.parts)

    def database(self) -> list:
        """The databases: loaded, from the cache, or compiled (and then cached)."""
        return [db for part in self.parts for db in part.database()]

    def hits(self, chars: str) -> list[int]:
        """Every (start, construction) pair of ``starts`` in one sorted list of
        ints, ``start * len(members) + k`` for ``members[k]``: starts in
        order, and at one start the constructions in the order of ``members``."""
        n, m = len(chars), len(self.members)
        if not n:
            return []
        offsets = table_offsets(chars[::-1], self.base, self.size)
        found: list[int] = []
        add = found.append
        for part in self.parts:
            handlers = []
            for k in part.slots:
                def hit(_id, _start, end, _flags, _context, k=k):
                    add((n - end) * m + k)  # returns None: a true value would stop the scan

                handlers.append(hit)
            part.scan(offsets, handlers)
        found = list(set(found))
        found.sort()
        return found

    def starts(self, chars: str) -> dict[int, list[int]]:
        """construction index -> the positions in ``chars`` a match can start at, in order."""
        m = len(self.members)
        out: dict[int, list[int]] = {index: [] for index in self.members}
        for h in self.hits(chars):
            pos, k = divmod(h, m)
            out[self.members[k]].append(pos)
        return out


def build(nodes: dict, universe, key=None) -> Prefilter | None:
    """The prefilter for the constructions in ``nodes`` (index ->
    intermediate form), or None when Hyperscan is missing or a construction
    can match the empty string (it starts anywhere).  With a selectivity
    ``key`` (compiler._selectivity) each loosened form is also ``cut``."""
    if hyperscan is None:
        return None
    loose = {index: loosen(node) for index, node in nodes.items()}
    if any(_nullable(node) for node in loose.values()):
        return None
    shorter = {}  # the plain cut of a node cut longer, for when the longer one is too large
    if key is not None:
        rare = _rare(key)
        for index, node in loose.items():
            plain = cut(node, rare)
            longer = cut_longer(node, rare)
            loose[index] = longer or plain
            if longer is not None:
                shorter[index] = plain
    universe = list(universe)
    base = min(universe)
    size = max(universe) - base + 1
    members = list(loose)
    parts = []
    for indices in _bins({index: _sets(node, set()) for index, node in loose.items()}):
        sets: set = set()
        for index in indices:
            _sets(loose[index], sets)
        table, classes, none = _classes(sets, universe)
        count = max(table.values()) + 1
        expressions, fallbacks = [], []
        for index in indices:
            node = loose[index]
            source = _emit(node, classes, count)
            fallback = _emit(shorter[index], classes, count) if index in shorter else None
            if len(source) > MAX_PATTERN and fallback is not None:  # the plain cut, before loosening more
                node, source, fallback = shorter[index], fallback, None
            while len(source) > MAX_PATTERN:  # loosen its largest alternation further
                node = _coarser(node)
                for codes in _sets(node, set()):
                    if codes not in classes:  # a new set: the classes that hold its characters
                        classes[codes] = sorted({table[c] for c in codes})
                source = _emit(node, classes, count)
            expressions.append(source)
            fallbacks.append(fallback if fallback is not None and len(fallback) <= MAX_PATTERN else None)
        parts.append(_Database([members.index(i) for i in indices], table, none, expressions, base, size,
                               fallbacks))
    return Prefilter(members, parts, base, size)


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
