"""Why a rule fired, or did not.

``explain(pack, text)`` re-derives every match with Lark's Earley parser over
the match's tokens (the scanner itself keeps no trees: it is a regex or an
LALR table), and prints the derivation with each token's classes.

``why_not(pack, text, rule)`` finds how far a rule (a construction or any rule
under it) gets in the text: the start where it gets furthest, the token that
stops it, and the classes it would have accepted there.  Regular rules use
the regex module's partial matching; recursive ones use the LALR driver.
When the rule does match but another construction's match wins the overlap,
it says which.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import regex

from .alphabet import lit_class, ranges_to_class
from .grammar import reachable, walk
from .regexgen import RegexBuilder
from .tokenizer import split_key


def _token_text(tokens, i) -> str:
    return split_key(tokens.keys[i])[0]


def _classes(pack, ch) -> list[str]:
    kind, classes = pack.compiled.alphabet.decode(ch)
    return sorted(classes)


def _terminal_names(rules: dict, start: str) -> list[str]:
    """Every class and literal the rule can use, as class names."""
    names = []
    for r in reachable(rules, start):
        for n in walk(rules[r]):
            if n[0] == "term":
                names.append(n[1])
            elif n[0] == "lit":
                names.append(lit_class(n[1], n[2]))
    return sorted(set(names))


# -- derivations ---------------------------------------------------------------
class _Deriver:
    """An Earley parser over a pack's token characters, for explanations."""

    def __init__(self, pack):
        import lark

        self.pack = pack
        rules = pack.compiled.rule_asts
        alphabet = pack.compiled.alphabet
        self.term_names: dict[str, str] = {}
        lines = []

        def term(cls):
            if cls not in self.term_names:
                name = f"T{len(self.term_names)}"
                self.term_names[cls] = name
                body = ranges_to_class(alphabet.codes(cls)) or "[^\\s\\S]"
                lines.append(f"{name}: /{body}/")
            return self.term_names[cls]

        def show(node):
            kind = node[0]
            if kind == "seq":
                return " ".join(f"({show(c)})" for c in node[1])
            if kind == "alt":
                return " | ".join(f"({show(c)})" for c in node[1])
            if kind == "rep":
                inner, lo, hi = f"({show(node[1])})", node[2], node[3]
                if (lo, hi) == (0, 1):
                    return f"{inner}?"
                if hi is None:
                    return f"{inner}*" if lo == 0 else (f"{inner}+" if lo == 1 else f"{inner}~{lo} {inner}*")
                return f"{inner}~{lo}..{hi}"
            if kind == "alias":
                return f"{show(node[1])}"
            if kind == "ref":
                return node[1]
            if kind == "term":
                return term(node[1])
            if kind == "lit":
                return term(lit_class(node[1], node[2]))
            raise ValueError(kind)

        body = [f"{name}: {show(ast)}" for name, ast in rules.items()]
        self.names = {v: k for k, v in self.term_names.items()}
        starts = sorted({c.start for c in pack.compiled.constructions} | set(rules))
        self.parser = lark.Lark("\n".join(body + lines), parser="earley", lexer="dynamic", start=starts,
                                keep_all_tokens=True, ambiguity="resolve")

    def tree(self, start: str, chars: str):
        return self.parser.parse(chars, start=start)


@dataclass
class Explanation:
    match: object
    construction: str
    lines: list[str] = field(default_factory=list)

    def format(self) -> str:
        m = self.match
        head = f"{m.label} {m.start}-{m.end} {m.text!r}  (construction {self.construction})"
        return "\n".join([head] + self.lines)


def explain(pack, text: str) -> list[Explanation]:
    from .tokenizer import tokenize

    tokens = tokenize(text)
    chars = pack.encode(tokens)
    cands = pack.scanner.scan(chars)
    deriver = _Deriver(pack)
    out = []
    for cand in cands:
        start, end, index, _frags = cand
        c = pack.compiled.constructions[index]
        m = pack._match(tokens, cand) if c.report else None
        if m is None:  # a guard, or rejected by a normalizer: extract() does not report it either
            continue
        ex = Explanation(m, c.name)
        try:
            tree = deriver.tree(c.start, chars[start:end])
        except Exception as exc:  # noqa: BLE001 - an explanation must never stop the run
            ex.lines.append(f"  (no derivation: {type(exc).__name__})")
            out.append(ex)
            continue
        _render(tree, ex.lines, tokens, start, pack, deriver, depth=1)
        out.append(ex)
    return out


def _render(tree, lines, tokens, offset, pack, deriver, depth):
    from lark import Token, Tree

    pad = "  " * depth
    if isinstance(tree, Tree):
        name = tree.data if isinstance(tree.data, str) else tree.data.value
        if name.startswith("_lex_") or name.startswith("__"):
            for child in tree.children:
                _render(child, lines, tokens, offset, pack, deriver, depth)
            return
        lines.append(f"{pad}{name}")
        for child in tree.children:
            _render(child, lines, tokens, offset, pack, deriver, depth + 1)
    elif isinstance(tree, Token):
        i = offset + tree.start_pos
        cls = deriver.names.get(tree.type, tree.type)
        classes = ", ".join(_classes(pack, tree.value))
        lines.append(f"{pad}{cls:<12} {_token_text(tokens, i)!r:<16} {{{classes}}}")


# -- why not --------------------------------------------------------------------
@dataclass
class WhyNot:
    rule: str
    fired: list = field(default_factory=list)  # (start, end) char spans where the rule matches alone
    lost_to: list = field(default_factory=list)  # (span, winning construction)
    best_start: int | None = None  # token index where it got furthest
    stopped_at: int | None = None  # token index of the token that stopped it (None: text ended)
    consumed: int = 0
    expected: list[str] = field(default_factory=list)
    text: str = ""
    tokens: object = None
    chars: str = ""
    pack: object = None

    def format(self) -> str:
        t = self.tokens
        lines = [f"rule '{self.rule}':"]
        if self.fired:
            for (s, e) in self.fired:
                lines.append(f"  matches {self.text[s:e]!r} at {s}-{e}")
            for (s, e), winner in self.lost_to:
                lines.append(f"  but {self.text[s:e]!r} is not reported: construction '{winner}' wins the overlap there")
            return "\n".join(lines)
        if self.best_start is None:
            lines.append("  no token of the text can start it")
            lines.append(f"  it can start with: {', '.join(self.expected)}")
            return "\n".join(lines)
        got = [_token_text(t, i) for i in range(self.best_start, self.best_start + self.consumed)]
        lines.append(f"  got furthest from token {self.best_start} ({_token_text(t, self.best_start)!r}): "
                     f"{' '.join(got)!r}")
        if self.stopped_at is None:
            lines.append("  then the text (or the paragraph) ended")
        else:
            ch = self.chars[self.stopped_at]
            lines.append(f"  stopped at token {self.stopped_at} {_token_text(t, self.stopped_at)!r} "
                         f"with classes {{{', '.join(_classes(self.pack, ch))}}}")
        lines.append(f"  would have accepted there: {', '.join(self.expected) or 'nothing more'}")
        return "\n".join(lines)


def _rule_regex(pack, rule: str, anchor: str = "any"):
    """One rule alone as a regex (with a construction's anchor, when given)."""
    from .alphabet import sentence_start_regex

    compiled = pack.compiled
    builder = RegexBuilder(compiled.rule_asts, compiled.alphabet, int(compiled.options["max_repeat"]))
    start = sentence_start_regex(compiled.alphabet) if anchor == "sentence" else ""
    return regex.compile("(?p)" + start + builder.emit(builder.build(("ref", rule), {}))), builder


def why_not(pack, text: str, rule: str) -> WhyNot:
    from .errors import UsageError
    from .grammar import recursive_rules
    from .tokenizer import tokenize

    compiled = pack.compiled
    rules = compiled.rule_asts
    by_name = {c.name: c for c in compiled.constructions}
    start_rule = by_name[rule].start if rule in by_name else rule
    if start_rule not in rules:
        from .errors import did_you_mean

        raise UsageError(f"no rule or construction '{rule}'{did_you_mean(rule, list(rules) + list(by_name))}",
                         fix="name a construction or a rule of the pack")
    tokens = tokenize(text)
    chars = pack.encode(tokens)
    out = WhyNot(rule, text=text, tokens=tokens, chars=chars, pack=pack)
    terms = _terminal_names(rules, start_rule)
    if recursive_rules(rules, start_rule):
        return _why_not_lalr(pack, out, start_rule, terms)
    pattern, builder = _rule_regex(pack, start_rule)
    spans = [m.span() for m in pattern.finditer(chars)]
    if spans:
        return _fired(pack, out, spans, rule, by_name)
    # how far does a partial match get, from each start?
    best = (0, None)
    for i in range(len(chars)):
        j = i
        while j < len(chars) and pattern.fullmatch(chars, i, j + 1, partial=True):
            j += 1
        if j - i > best[0]:
            best = (j - i, i)
    reps = {name: _representatives(builder, name) for name in terms}
    if best[1] is None:
        out.expected = [n for n in terms if any(pattern.fullmatch(c, partial=True) for c in reps[n])]
        return out
    i, n = best[1], best[0]
    out.best_start, out.consumed = i, n
    out.stopped_at = i + n if i + n < len(chars) else None
    prefix = chars[i:i + n]
    out.expected = [name for name in terms if any(pattern.fullmatch(prefix + c, partial=True) for c in reps[name])]
    return out


def _representatives(builder, name: str) -> list[str]:
    """A few characters of a class: the first of each run of codes."""
    codes = builder.codes(name)
    reps, prev = [], None
    for c in codes:
        if prev is None or c != prev + 1:
            reps.append(chr(c))
        prev = c
    return reps[:64]


def _fired(pack, out, spans, rule, by_name):
    tokens = out.tokens
    final = pack.scanner.scan(out.chars)
    for s, e in spans:
        out.fired.append(tokens.span(s, e))
        if rule in by_name:
            index = by_name[rule].index
            if not any(c[2] == index and c[0] == s for c in final):
                label = by_name[rule].label
                winner = next((pack.compiled.constructions[c[2]].name for c in final
                               if pack.compiled.constructions[c[2]].label == label and c[0] < e and s < c[1]), None)
                if winner:
                    out.lost_to.append((tokens.span(s, e), winner))
    return out


def _why_not_lalr(pack, out, start_rule, terms):
    from .lalr import END, LalrMatcher

    compiled = pack.compiled
    if compiled.lalr is None or start_rule not in compiled.lalr["start"]:
        out.expected = ["(this recursive rule is not a construction; explain its construction instead)"]
        return out
    matcher = LalrMatcher(compiled.lalr, start_rule, {}, compiled.term_codes)
    chars = out.chars
    spans = []
    for i in range(len(chars)):
        found = matcher.longest(chars, i, len(chars))
        if found:
            spans.append((i, found[0]))
    if spans:
        by_name = {c.name: c for c in compiled.constructions}
        return _fired(pack, out, spans, out.rule, by_name)
    best = (0, None, [])
    for i in range(len(chars)):
        live = [([matcher.start_state], [])]
        pos = i
        while live and pos < len(chars):
            nxt = []
            for stack, values in live:
                for sym in matcher.terms_of(chars[pos]):
                    fed = matcher._feed(stack, values, sym, pos, False)
                    if fed:
                        nxt.append(fed)
            if not nxt:
                break
            live = nxt
            pos += 1
        if pos - i > best[0]:
            best = (pos - i, i, live)
    if best[1] is None:
        out.expected = sorted(compiled.lalr["terminals"].get(s, s) for s in compiled.lalr["states"][matcher.start_state]
                              if s in compiled.term_codes)
        return out
    n, i, live = best
    out.best_start, out.consumed = i, n
    out.stopped_at = i + n if i + n < len(chars) else None
    expected = set()
    for stack, _values in live:
        for sym in compiled.lalr["states"][stack[-1]]:
            if sym in compiled.term_codes:
                expected.add(compiled.lalr["terminals"].get(sym, sym))
            elif sym == END:
                expected.add("(end)")
    out.expected = sorted(expected)
    return out
