"""What a compiled pack is made of: plain records that pickle.

Kept apart from the compiler so that loading a pack from the cache imports
neither Lark nor the compiler (a cold start stays short).
"""
from __future__ import annotations

DEFAULTS = {"overlap": "longest", "max_repeat": 200, "max_tokens": 400, "timeout": 2.0}


class ConstructionInfo:
    """What the scanner needs to know of one construction (picklable)."""

    __slots__ = ("index", "name", "label", "start", "slots", "span_slots", "attrs", "normalize", "overlap",
                 "priority", "anchor", "backend", "file", "line", "group_names", "report")

    def __init__(self, index: int, c, backend: str):
        self.index = index
        self.name = c.name
        self.label = c.label
        self.start = c.start
        self.slots = dict(c.slots)
        self.span_slots = list(c.span_slots)
        self.attrs = dict(c.attrs)
        self.normalize = list(c.normalize)
        self.overlap = c.overlap
        self.priority = c.priority
        self.anchor = c.anchor
        self.backend = backend
        self.file = c.where.file
        self.line = c.where.line
        self.group_names = {}  # slot -> regex group name
        self.report = c.report  # False: a guard, matched and resolved but never reported


class ScanGroup:
    """Constructions scanned together.

    mode ``combined``: one regex, non-overlapping leftmost-longest (all regex,
    policy longest).  mode ``candidates``: every construction proposes its
    longest match at each start; the scanner resolves overlaps by policy.
    """

    __slots__ = ("label", "mode", "policy", "members", "pattern", "patterns", "must", "reach", "code", "prefilter",
                 "automata")

    def __init__(self, label, mode, policy, members, pattern=None, patterns=None, must=None):
        self.label = label
        self.mode = mode
        self.policy = policy
        self.members = members  # construction indices
        self.pattern = pattern  # combined regex source
        self.patterns = patterns or {}  # construction index -> regex source (candidates mode)
        # a character class every match holds a token of, when no match can
        # cross a paragraph break: the scanner skips paragraphs without one
        self.must = must
        # construction index -> reverse regexes whose matches are the runs of
        # tokens a match of it can start in (regexgen.reach); a start outside
        # any one of them cannot begin a match, so the scanner skips it
        self.reach = {}
        # candidates groups: the prefilter.Prefilter that finds, in one pass, where
        # matches of the group's regex constructions can start (None: none)
        self.prefilter = None
        # construction index -> longest.Automaton, which finds where its longest
        # match at a start ends (only beside a prefilter; see longest.py)
        self.automata = {}
        self.code = {}  # regex source -> opcodes for fastregex.load (filled by _check_size)


class Compiled:
    """The product of compilation: plain data that pickles (see cache.py)."""

    def __init__(self):
        self.name = ""
        self.version = ""
        self.hash = ""
        self.file = ""
        self.description = ""
        self.grammar_text = ""
        self.alphabet = None  # alphabet.Alphabet
        self.constructions: list[ConstructionInfo] = []
        self.groups: list[ScanGroup] = []
        self.lalr = None
        self.term_codes: dict[str, frozenset] = {}
        self.options = dict(DEFAULTS)
        self.lexicon_values: dict[str, dict[str, object]] = {}
        self.warnings: list[str] = []
        self.rule_count = 0
        self.entry_count = 0
        self.sources: dict[str, str] = {}
        self.examples = {}
        self.rule_asts = {}
        self.where: dict[str, tuple[str, int | None]] = {}  # rule or lexicon name -> (file, line)
