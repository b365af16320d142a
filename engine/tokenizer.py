"""Tokenizer and segmenter.

One ``regex.findall`` call cuts a text into tokens.  Every token string keeps
the whitespace in front of it, so the strings concatenate back to the text
(minus trailing whitespace) and character offsets are cumulative lengths:
no per-token Python object is built on the hot path.  Offsets always index
the original text.

Every token has a *shape kind* (``lower``, ``cap``, ``num`` ...).  A kind
stands for a fixed set of built-in shape classes (``KIND_CLASSES``); the
pack's lexicon and literal classes are added on top by :mod:`engine.alphabet`.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

import regex

# --------------------------------------------------------------------------
# Shape kinds and the built-in classes each one belongs to.  The order of
# KINDS matters: classes that span several kinds should see them adjacent,
# so that a class becomes few character ranges (see engine.alphabet).
KIND_CLASSES: dict[str, frozenset[str]] = {
    "lower": frozenset({"WORD", "LOWER"}),
    "mixed": frozenset({"WORD"}),
    "cap": frozenset({"WORD", "CAPWORD"}),
    "upper": frozenset({"WORD", "CAPWORD", "UPPER"}),
    "abbr_cap": frozenset({"ABBR", "CAPWORD"}),
    "abbr_lower": frozenset({"ABBR"}),
    "alnum": frozenset({"ALNUM"}),
    "num": frozenset({"NUM"}),
    "frac": frozenset({"NUM", "FRAC"}),
    "ord": frozenset({"ORD"}),
    "poss": frozenset({"POSS"}),
    "lquote": frozenset({"QUOTE", "LQUOTE"}),
    "rquote": frozenset({"QUOTE", "RQUOTE"}),
    "dash": frozenset({"DASH", "PUNCT"}),
    "hyphen": frozenset({"DASH", "HYPHEN", "PUNCT"}),
    "punct": frozenset({"PUNCT"}),
    "lbracket": frozenset({"PUNCT"}),  # ( and [: a sentence may open with one
    "rbracket": frozenset({"PUNCT"}),  # ) and ]: one may close a sentence, after its stop
    "stop": frozenset({"PUNCT", "STOP"}),
    "sentend": frozenset({"PUNCT", "STOP", "SENTEND"}),
    "currency": frozenset({"CURRENCY", "SYM"}),
    "sym": frozenset({"SYM"}),
    "url": frozenset({"URL"}),
    "para": frozenset({"PARA"}),
}
KINDS: tuple[str, ...] = tuple(KIND_CLASSES)

#: Built-in classes, each with the one-line description that the docs print.
BUILTIN_CLASSES: dict[str, str] = {
    "WORD": "a word of letters in any case ('said', 'Sputnik', 'al-Hadithi')",
    "LOWER": "a word whose first letter is lower case",
    "CAPWORD": "a word or abbreviation whose first letter is upper case",
    "UPPER": "an all-capitals word of two or more letters ('NATO')",
    "ABBR": "an abbreviation kept whole with its periods ('Col.', 'U.S.')",
    "ALNUM": "a word mixing letters and digits ('F-16', 'COVID-19', 'G7', '1990s')",
    "NUM": "a number in digits ('9,000', '1.5', '1/2')",
    "FRAC": "a fraction in digits ('1/2')",
    "ORD": "an ordinal in digits ('1st', '22nd')",
    "POSS": "the possessive ending ('s, 's)",
    "QUOTE": "any quotation mark",
    "LQUOTE": "an opening quotation mark (curly, or straight after a space)",
    "RQUOTE": "a closing quotation mark (curly, or straight glued to a word)",
    "DASH": "a hyphen or dash used alone",
    "HYPHEN": "a lone '-'",
    "PUNCT": "punctuation: . , ; : ! ? ( ) and dashes",
    "STOP": "a full stop, '!', '?' or an ellipsis, wherever it stands",
    "SENTEND": "a STOP that ends a sentence (the next token starts one, or the paragraph ends)",
    "CURRENCY": "a currency sign ('$', 'US$', '€', '£')",
    "SYM": "any other symbol ('%', '&', '/', '°')",
    "URL": "a web address or e-mail address",
    "PARA": "a paragraph break (a blank line); only matched where a rule names it",
    "ANY": "any token except a paragraph break",
}

_ABBREVIATIONS = (
    "Mr Mrs Ms Dr Prof Rev Hon St Mt Ft Jr Sr Col Gen Lt Sgt Capt Maj Cmdr Adm Brig "
    "Cpl Pvt Sen Rep Gov Pres Supt Insp Det Amb Atty Gen Inc Corp Ltd Co Bros Assn "
    "Dept Univ Ave Blvd Rd Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue "
    "Tues Wed Thu Thurs Fri Sat Sun No Nos Vol Fig vs etc approx est al cf ca"
).split()

def _trie(words) -> str:
    """A factored regex for a word list (the regex module tries plain
    alternatives one by one; a trie tries each letter once)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        alts = [regex.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# The token pattern, with the common case fast: a lookahead on the first
# character picks the letter, digit or other branch, and the rare forms
# (abbreviations, e-mail addresses) are optional tails of a word rather than
# alternatives tried at every position.
_WORD = r"\p{L}[\p{L}\p{M}\p{N}]*(?:['’](?![sS]\b)\p{L}+)*(?:-[\p{L}\p{N}]+(?:['’](?![sS]\b)\p{L}+)*)*"
_EMAIL_TAIL = r"(?:(?:[.+-]\w+)*@[\w-]+(?:\.[\w-]+)+)?"
_ABBR_TAIL = r"(?:(?=\.)(?<=(?<![\p{L}\p{N}])" + _trie(_ABBREVIATIONS) + r")\.)?"
_LETTER = "|".join([
    r"(?:https?://|www\.)[^\s\"“”<>]*[^\s\"“”<>.,;:!?)\]']",  # web addresses
    r"(?:\p{L}\.){2,}",  # U.S.  p.m.
    r"[RDI]-(?:\p{Lu}\.){2,}|[RDI]-\p{Lu}\p{Ll}{1,4}\.",  # a US politician's party and state: R-S.C.  D-Mass.
    r"(?<![°º])\p{Lu}\.(?=\s+\p{Lu})",  # an initial: John F. Kennedy (not the C of °C)
    r"(?:US|A|AU|C|CA|NZ|HK|S|NT|R)\$",  # US$5
    _WORD + _EMAIL_TAIL + _ABBR_TAIL,  # words, e-mail addresses, Col.
])
_DIGIT = "|".join([
    r"\d+(?:st|nd|rd|th)\b",  # ordinals
    r"\d+0s\b",  # decades: 1990s, 80s
    r"\d+/\d+(?![\d/])",  # fractions
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?",  # 9,000  3,500.25
    r"\d+(?:\.\d+)?",  # 1.5  2014
])
# possessive, doubled quote marks ('' and ``, one mark each), dashes, ellipses, any other sign
_OTHER = r"['’][sS]\b|''|``|--+|\.{2,}|\S"
_TOKEN = f"(?=\\p{{L}})(?:{_LETTER})|(?=\\d)(?:{_DIGIT})|{_OTHER}"
# A paragraph break is a token of its own: a newline followed by a blank line
# (it stops before the last newline, which the next token takes as its space).
_PARA = r"\n(?:[^\S\n]*\n)*[^\S\n]*(?=\n)"
# Most tokens are plain words followed by a space or punctuation; a shortcut
# tried first takes them without the alternatives above.  It gives the same
# token: after a run of letters (taken whole: the possessive ``*+`` never gives
# any back), only an apostrophe, hyphen, full stop, '+', '@', ':' or '$' could
# let a longer form match (an elision, a hyphenated word, an abbreviation, an
# e-mail or web address, a currency prefix), and the shortcut refuses those.
_PLAIN_WORD = r"\p{L}[\p{L}\p{M}\p{N}]*+(?![-.'’+@:$])"
#: The one pattern that cuts a text into tokens (leading whitespace included).
TOKEN_RE = regex.compile(r"[^\S\n]*(?:" + _PLAIN_WORD + "|" + _PARA + r"|\s*(?:" + _TOKEN + "))")

_LEAD_WS = regex.compile(r"\s*")

_STRAIGHT_QUOTES = {'"', "'", "`", "``", "''"}
_OPEN_QUOTES = {"“", "‘", "«", "‹", "„", "‚", "‟", "‛"}
_CLOSE_QUOTES = {"”", "’", "»", "›"}
_DASHES = {"—", "–", "―", "‒", "--", "---", "−"}
_STOPS = {".", "!", "?", "…", "..", "...", "....", "?!", "!?"}
_PUNCT = set(",;:()[]{}") | {"¿", "¡"}
_OPEN_BRACKETS = {"(", "["}
_CLOSE_BRACKETS = {")", "]"}
_KIND_PATTERNS = [
    ("url", regex.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("ord", regex.compile(r"\d+(?:st|nd|rd|th)")),
    ("frac", regex.compile(r"\d+/\d+")),
    ("num", regex.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")),
    ("poss", regex.compile(r"['’][sS]")),
]
_HAS_LETTER = regex.compile(r"\p{L}")
_HAS_DIGIT = regex.compile(r"\p{N}")


def shape_kind(token: str, glued: bool = False) -> str:
    """The shape kind of one token (without its leading whitespace).

    ``glued`` says the token follows the previous one with no space; it only
    matters for straight quotes, which open after a space and close when
    glued.  Plain ASCII words and numbers take a fast path, and so do words
    of letters in any script joined by hyphens or apostrophes ("don't",
    "al-Hadithi", "Zürich"); everything else goes through
    ``_shape_kind_full`` (they agree: see the tests).
    """
    if token.isascii():
        if token.isalpha():
            if token.islower():
                return "lower"
            if token[0].isupper():
                return "upper" if len(token) > 1 and token.isupper() else "cap"
            return "mixed"
        if token.isdigit():
            return "num"
    if token[:1].isalpha():
        letters = token.translate(_DROP_JOINERS)
        if letters.isalpha():
            # what _shape_kind_full decides for such a word: no pattern, set or
            # sign before its letter rules applies (str.isalpha is \p{L}, and
            # never \p{N}, \d or whitespace: see the tests)
            if token[0].isupper():
                return "upper" if len(letters) > 1 and all(map(str.isupper, letters)) else "cap"
            return "mixed" if any(map(str.isupper, letters)) else "lower"
    return _shape_kind_full(token, glued)


_DROP_JOINERS = str.maketrans("", "", "-'’")


def _shape_kind_full(token: str, glued: bool = False) -> str:
    if _LEAD_WS.fullmatch(token):
        return "para"
    for kind, pattern in _KIND_PATTERNS:
        if pattern.fullmatch(token):
            return kind
    if token in _STRAIGHT_QUOTES:
        return "rquote" if glued else "lquote"
    if token in _OPEN_QUOTES:
        return "lquote"
    if token in _CLOSE_QUOTES:
        return "rquote"
    if token == "-":
        return "hyphen"
    if token in _DASHES:
        return "dash"
    if token in _STOPS:
        return "stop"
    if token in _OPEN_BRACKETS:
        return "lbracket"
    if token in _CLOSE_BRACKETS:
        return "rbracket"
    if token in _PUNCT:
        return "punct"
    if token.endswith("$") or (len(token) == 1 and regex.match(r"\p{Sc}", token)):
        return "currency"
    if _HAS_LETTER.search(token):
        if token.endswith(".") and len(token) > 1:
            return "abbr_cap" if token[0].isupper() else "abbr_lower"
        if _HAS_DIGIT.search(token):
            return "alnum"
        first = token[0]
        if first.isupper():
            letters = [c for c in token if c.isalpha()]
            if len(letters) > 1 and all(c.isupper() for c in letters):
                return "upper"
            return "cap"
        if any(c.isupper() for c in token):
            return "mixed"
        return "lower"
    if token.isdigit() or _HAS_DIGIT.search(token):
        return "alnum"
    return "sym"


# The common token strings take a shortcut past _LEAD_WS: "word" and " word".
# ``str.isspace`` holds for every character regex's \s matches (and for four
# control characters more), so a character it rejects is never whitespace.
def split_key(key: str) -> tuple[str, bool]:
    """A token string (with leading whitespace) -> (bare token, glued)."""
    if key and not key[0].isspace():
        return key, True
    if key[:1] == " " and len(key) > 1 and not key[1].isspace():
        return key[1:], False
    n = _LEAD_WS.match(key).end()
    if n == len(key):
        return key, False
    return key[n:], n == 0


_KEY_KINDS: dict[str, tuple[str, bool, str]] = {}


def key_kind(key: str) -> tuple[str, bool, str]:
    """(bare token, glued, shape kind) of a token string, remembered: every
    pack encodes the same tokens, and a text repeats most of its words."""
    info = _KEY_KINDS.get(key)
    if info is None:
        if len(_KEY_KINDS) > 1_000_000:  # bounded, whatever streams through
            _KEY_KINDS.clear()
        bare, glued = split_key(key)
        info = _KEY_KINDS[key] = (bare, glued, shape_kind(bare, glued))
    return info


@dataclass(frozen=True, slots=True)
class Token:
    """One token, made on demand (the hot path never builds these)."""

    index: int
    text: str
    start: int
    end: int
    kind: str

    @property
    def classes(self) -> frozenset[str]:
        return KIND_CLASSES[self.kind]


class Tokens:
    """The tokens of one text: strings with their leading whitespace.

    ``keys[i]`` is token *i* with the whitespace before it; ``ends[i]`` is its
    end offset in the text.  Start offsets and bare texts are computed on
    demand.  The first token counts as following a space, so that a straight
    quote opening a text is an opening quote.
    """

    __slots__ = ("text", "keys", "_ends", "_coded")

    def __init__(self, text: str, keys: list[str]):
        self.text = text
        self.keys = keys
        self._ends: list[int] | None = None
        self._coded = None  # what the packs' encoders share (encoding.shared)

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def ends(self) -> list[int]:
        if self._ends is None:
            self._ends = list(accumulate(map(len, self.keys)))
        return self._ends

    def start(self, i: int) -> int:
        return self.ends[i] - len(key_kind(self.keys[i])[0])

    def end(self, i: int) -> int:
        return self.ends[i]

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Character span of tokens i..j-1 (j exclusive, j > i).  A token
        starts where its bare text does (a paragraph break is all bare); the
        bare text comes from ``key_kind``'s table, which encoding the text
        has filled already."""
        ends = self._ends if self._ends is not None else self.ends
        return ends[i] - len(key_kind(self.keys[i])[0]), ends[j - 1]

    def token(self, i: int) -> Token:
        key = self.keys[i]
        bare, glued = split_key(key)
        if i == 0:
            glued = False
        start = self.start(i)
        return Token(i, bare, start, self.ends[i], shape_kind(bare, glued))

    def __iter__(self):
        return (self.token(i) for i in range(len(self.keys)))

    def index_at(self, offset: int) -> int:
        """Index of the first token that ends after ``offset``."""
        return bisect_right(self.ends, offset)


def tokenize(text: str) -> Tokens:
    """Cut ``text`` into tokens.  Never raises on any ``str``."""
    return Tokens(text, TOKEN_RE.findall(text))


# --------------------------------------------------------------------------
# Segmentation: paragraphs and sentences.
#
# One rule, used both here and by the SENTEND pass over token characters
# (api.Pack.encode): a sentence ends at a STOP token that is followed by any
# closing quotes or brackets and then by a token that can start a sentence
# (an opening bracket among them: "... an ally. (The aide ..."), a paragraph
# break, or the end of the text.
SENTENCE_CLOSERS = ("rquote", "rbracket")
SENTENCE_STARTERS = ("cap", "upper", "abbr_cap", "alnum", "num", "lquote", "para", "currency", "lbracket")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the paragraphs of ``text`` (separated by blank lines)."""
    spans = []
    pos = 0
    for m in regex.finditer(r"\n[^\S\n]*\n\s*", text):
        if text[pos : m.start()].strip():
            spans.append(_trim(text, pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        spans.append(_trim(text, pos, len(text)))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def sentence_ends(kinds: list[str]) -> list[int]:
    """Indices of the STOP tokens that end a sentence, given each token's kind."""
    out = []
    n = len(kinds)
    for i, kind in enumerate(kinds):
        if kind != "stop":
            continue
        j = i + 1
        while j < n and kinds[j] in SENTENCE_CLOSERS:
            j += 1
        if j == n or kinds[j] in SENTENCE_STARTERS:
            out.append(i)
    return out


def token_kinds(tokens: Tokens) -> list[str]:
    kinds = []
    for i, key in enumerate(tokens.keys):
        bare, glued = split_key(key)
        kinds.append(shape_kind(bare, glued and i > 0))
    return kinds


def sentences(tokens: Tokens) -> list[tuple[int, int]]:
    """Token index spans [i, j) of the sentences; paragraph breaks belong to none."""
    kinds = token_kinds(tokens)
    n = len(kinds)
    cut = set()
    for i in sentence_ends(kinds):
        j = i + 1
        while j < n and kinds[j] in SENTENCE_CLOSERS:
            j += 1
        cut.add(j)
    out = []
    begin = 0
    for i in range(n + 1):
        if i == n or kinds[i] == "para" or i in cut:
            if i > begin:
                out.append((begin, i))
            begin = i + 1 if i < n and kinds[i] == "para" else i
    return out
