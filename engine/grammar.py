"""Grammar front end: Lark EBNF text -> a small rule AST, and back to Lark text.

Lark's own grammar loader parses every rule (so the syntax is exactly Lark's);
a few small passes then turn Lark's trees into plain tuples:

    ("seq", [items])          a sequence
    ("alt", [items])          alternatives
    ("rep", item, lo, hi)     repetition; hi is None for unbounded
    ("ref", name)             a rule
    ("term", NAME)            a token class (built-in or lexicon)
    ("lit", text, ci)         a literal token; ci: case-insensitive ("said"i)
    ("alias", item, name)     an alternative named with '-> name'

Literals that the tokenizer would cut into several tokens ("according to")
become sequences of one-token literals.
"""
from __future__ import annotations

import re

from lark.exceptions import GrammarError, LarkError
from lark.grammar import NonTerminal, Terminal
from lark.lexer import Token as LarkToken
from lark.load_grammar import GrammarBuilder
from lark.tree import Tree

from .errors import PackError
from .pack import RuleSource, Where

_LINE_COL = re.compile(r"at line (\d+) column (\d+)")


def _tokens_of(text):
    from .pack import _tokens_of as tok

    return tok(text)


def parse_rule_text(text: str, lines: list[Where], rule: str | None):
    """Parse Lark text holding one or more rules; return {name: (tree, options, Where)}."""
    builder = GrammarBuilder(False, [])
    try:
        builder.load_grammar(text, "<pack>")
    except (GrammarError, LarkError) as exc:
        msg = str(exc).strip().splitlines()[0]
        line, col = _locate(exc, msg)
        where = lines[line - 1] if line and 0 < line <= len(lines) else (lines[0] if lines else Where("<pack>"))
        column = where.column
        if line and col and where.column is not None and line <= len(lines):
            column = col if line > 1 or not rule else None
        msg = _LINE_COL.sub("", msg).rstrip(", ")
        raise PackError(f"grammar syntax: {msg}", code="E300", file=where.file, line=where.line,
                        column=column, rule=rule) from None
    out = {}
    for name, definition in builder._definitions.items():
        line = getattr(name, "line", None)
        if line is None:  # Lark keeps no position for some names: find the definition
            for k, source_line in enumerate(text.split("\n"), 1):
                if re.match(r"\s*(?:\|\s*)?[?!]?" + re.escape(str(name)) + r"\s*:", source_line):
                    line = k
                    break
        where = lines[line - 1] if line and line <= len(lines) else (lines[0] if lines else Where("<pack>"))
        if definition.is_term:
            raise where.error(f"terminal '{name}' is defined in the grammar", "E301", rule=rule or str(name),
                              fix="token classes come from 'lexicons:' (or built-ins), not terminal definitions")
        if definition.params:
            raise where.error(f"rule '{name}' is a template", "E301", rule=str(name),
                              fix="templates are not supported; write the rule out")
        if str(name).startswith("__"):
            raise where.error("'%' statements (%import, %ignore, %declare) are not allowed in rules", "E301",
                              rule=rule, fix="use the pack's 'imports:' and 'lexicons:' instead")
        out[str(name)] = (definition.tree, definition.options, where)
    return out


def _locate(exc, msg):
    line = getattr(exc, "line", None)
    col = getattr(exc, "column", None)
    if line is None:
        m = _LINE_COL.search(str(exc))
        if m:
            line, col = int(m.group(1)), int(m.group(2))
    return line, col


def rules_from_source(src: RuleSource):
    defs = parse_rule_text(src.text, src.lines, src.name)
    for name, (tree, options, where) in defs.items():
        yield name, to_ast(tree, name, src.lines, where), options, src.where


def rules_from_fragment(path: str, text: str):
    lines = [Where(path, n + 1, 1) for n in range(text.count("\n") + 1)]
    for name, (tree, options, where) in parse_rule_text(text, lines, None).items():
        yield name, to_ast(tree, name, lines, where), options, where


def to_ast(tree, rule: str, lines, where: Where):
    """Lark's rule tree -> the tuple AST."""
    def conv(t):
        if isinstance(t, Tree):
            d = t.data
            if d == "expansions":
                items = [conv(c) for c in t.children]
                return items[0] if len(items) == 1 else ("alt", items)
            if d == "expansion":
                items = [conv(c) for c in t.children]
                return items[0] if len(items) == 1 else ("seq", items)
            if d == "alias":
                inner, name = t.children
                return ("alias", conv(inner), str(name.name if hasattr(name, "name") else name))
            if d == "expr":
                item, op, *rest = t.children
                inner = conv(item)
                if op == "?":
                    return ("rep", inner, 0, 1)
                if op == "*":
                    return ("rep", inner, 0, None)
                if op == "+":
                    return ("rep", inner, 1, None)
                if op == "~":
                    lo = int(rest[0])
                    hi = int(rest[1]) if len(rest) > 1 else lo
                    if hi < lo:
                        raise where.error(f"range ~{lo}..{hi} ends below where it starts", "E300", rule=rule,
                                          fix=f"write the smaller count first: ~{hi}..{lo}")
                    return ("rep", inner, lo, hi)
            if d == "maybe":
                return ("rep", conv(t.children[0]), 0, 1)
            if d == "value":
                return conv(t.children[0])
            if d == "literal":
                return literal(t.children[0])
            if d == "template_usage":
                raise where.error("templates are not supported", "E301", rule=rule,
                                  fix="write the rule out in full")
            raise where.error(f"grammar feature '{d}' is not supported", "E301", rule=rule)
        if isinstance(t, NonTerminal):
            return ("ref", t.name)
        if isinstance(t, Terminal):
            return ("term", t.name)
        if isinstance(t, LarkToken) and t.type == "RULE":
            return ("ref", str(t))
        if isinstance(t, LarkToken) and t.type == "TERMINAL":
            return ("term", str(t))
        raise where.error(f"unexpected grammar element {t!r}", "E301", rule=rule)

    def literal(tok):
        if tok.type == "REGEXP":
            raise where.error(f"regular expression {tok} in a rule", "E301", rule=rule,
                              fix="put the words in a lexicon class and name the class")
        text = str(tok)
        ci = text.endswith("i") and not text.endswith('"')
        body = text[1:text.rindex('"')]
        body = body.encode("latin-1", "backslashreplace").decode("unicode_escape") if "\\" in body else body
        toks = _tokens_of(body)
        if not toks:
            raise where.error(f"literal {text} holds no token", "E304", rule=rule)
        if len(toks) == 1:
            return ("lit", toks[0], ci)
        return ("seq", [("lit", t, ci) for t in toks])

    return conv(tree)


# ---------------------------------------------------------------------------
# Queries over the AST
def walk(node):
    yield node
    kind = node[0]
    if kind in ("seq", "alt"):
        for c in node[1]:
            yield from walk(c)
    elif kind in ("rep", "alias"):
        yield from walk(node[1])


def refs(node):
    return [n[1] for n in walk(node) if n[0] == "ref"]


def reachable(rules: dict, start: str) -> list[str]:
    seen, order, stack = set(), [], [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in rules:
            continue
        seen.add(name)
        order.append(name)
        stack.extend(reversed(refs(rules[name])))
    return order


def recursive_rules(rules: dict, start: str) -> set[str]:
    """Rules reachable from ``start`` that take part in a cycle."""
    names = reachable(rules, start)
    graph = {n: set(refs(rules[n])) & set(names) for n in names}
    out = set()
    for n in names:  # small graphs: a DFS per node is fine
        stack, seen = list(graph[n]), set()
        while stack:
            m = stack.pop()
            if m == n:
                out.add(n)
                break
            if m not in seen:
                seen.add(m)
                stack.extend(graph[m])
    return out


def nullable(node, rules: dict, memo: dict | None = None) -> bool:
    memo = {} if memo is None else memo
    kind = node[0]
    if kind in ("term", "lit"):
        return False
    if kind == "seq":
        return all(nullable(c, rules, memo) for c in node[1])
    if kind == "alt":
        return any(nullable(c, rules, memo) for c in node[1])
    if kind == "rep":
        return node[2] == 0 or nullable(node[1], rules, memo)
    if kind == "alias":
        return nullable(node[1], rules, memo)
    if kind == "ref":
        name = node[1]
        if name not in memo:
            memo[name] = False  # assume not nullable while in progress (least fixed point)
            memo[name] = nullable(rules[name], rules, memo)
        return memo[name]
    return True


def hoist_aliases(rules: dict) -> dict:
    """The rules with every alias that Lark cannot take where it stands made
    a rule of its own.

    A pack may name any group (``(RELC -> obj)?``): the alias marks a slot.
    Lark takes an alias only at the end of one of a rule's alternatives, so
    for its grammar an alias anywhere else becomes a reference to a new rule
    ``NAME__inlineK: ... -> NAME``, which matches the same tokens and is
    reduced under the same alias (lalr.py reads a slot from the alias)."""
    out: dict = {}
    taken = set(rules)
    count = 0

    def inner(node):
        nonlocal count
        kind = node[0]
        if kind in ("seq", "alt"):
            return (kind, [inner(c) for c in node[1]])
        if kind == "rep":
            return ("rep", inner(node[1]), node[2], node[3])
        if kind == "alias":
            count += 1
            name = f"{node[2]}__inline{count}"
            while name in taken:
                count += 1
                name = f"{node[2]}__inline{count}"
            taken.add(name)
            out[name] = ("alias", inner(node[1]), node[2])
            return ("ref", name)
        return node

    def top(node):  # where Lark takes an alias: a whole alternative of a rule
        if node[0] == "alias":
            return ("alias", inner(node[1]), node[2])
        return inner(node)

    for name, ast in rules.items():
        out[name] = ("alt", [top(c) for c in ast[1]]) if ast[0] == "alt" else top(ast)
    return {name: out[name] for name in list(rules) + [n for n in out if n not in rules]}


def bnf_size(node, cap: int) -> int:
    """About how many alternatives Lark writes the rule ``node`` out into
    (its EBNF made plain BNF: each optional item doubles a sequence, a range
    ``x~a..b`` becomes one alternative per count), at most ``cap``."""
    kind = node[0]
    if kind == "seq":
        total = 1
        for c in node[1]:
            total = min(cap, total * bnf_size(c, cap))
        return total
    if kind == "alt":
        return min(cap, sum(bnf_size(c, cap) for c in node[1]))
    if kind == "alias":
        return bnf_size(node[1], cap)
    if kind == "rep":
        inner, lo, hi = bnf_size(node[1], cap), node[2], node[3]
        if hi is None:  # a rule of its own that repeats: one or two alternatives here
            return min(cap, 1 if lo == 0 else 2)
        total, power = 0, min(cap, inner ** lo) if lo < 64 else cap
        for _ in range(lo, hi + 1):
            total = min(cap, total + power)
            power = min(cap, power * inner)
        return total
    return 1


# ---------------------------------------------------------------------------
# Printing: AST -> Lark text (deterministic)
def lit_text(text: str, ci: bool) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + ("i" if ci else "")


def to_lark(node, top=True) -> str:
    kind = node[0]
    if kind == "seq":
        return " ".join(_wrap(c, ("alt", "alias")) for c in node[1])
    if kind == "alt":
        sep = "\n    | " if top else " | "
        body = sep.join(to_lark(c, False) for c in node[1])
        return body
    if kind == "alias":
        return f"{to_lark(node[1], False)} -> {node[2]}"
    if kind == "rep":
        inner = _wrap(node[1], ("alt", "seq", "alias", "rep"))
        lo, hi = node[2], node[3]
        if (lo, hi) == (0, 1):
            return inner + "?"
        if (lo, hi) == (0, None):
            return inner + "*"
        if (lo, hi) == (1, None):
            return inner + "+"
        if hi is None:
            return f"{inner}~{lo} {inner}*" if lo else inner + "*"
        return f"{inner}~{lo}" if lo == hi else f"{inner}~{lo}..{hi}"
    if kind == "ref":
        return node[1]
    if kind == "term":
        return node[1]
    if kind == "lit":
        return lit_text(node[1], node[2])
    raise ValueError(kind)


def _wrap(node, kinds) -> str:
    text = to_lark(node, False)
    return f"({text})" if node[0] in kinds else text
