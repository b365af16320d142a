"""Recursive constructions: Lark's LALR(1) tables, run by a small driver.

Lark builds the parse table (``strict=True``: a shift/reduce or
reduce/reduce conflict is an error).  The table is copied into plain dicts so
it pickles and loads without Lark.  The driver runs the table from one start
token and reports the longest prefix the grammar accepts.  A token may belong
to several terminals at once (overlapping classes), so the driver follows
every terminal a token allows, as a small set of parser stacks.
"""
from __future__ import annotations

from .alphabet import lit_class

SHIFT, REDUCE = 0, 1
END = "$END"
MAX_STACKS = 64


class _NoLexer:
    """Lark wants a lexer; the driver feeds terminals itself."""

    def __init__(self, conf):
        pass

    def lex(self, data):  # pragma: no cover - never called
        return iter(())


def build_tables(grammar_text: str, starts: list[str]):
    """Lark grammar text -> (tables dict, Lark terminal name -> class name).

    Raises lark's GrammarError on a conflict; the compiler maps it to the pack.
    """
    import lark
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    lexer = type("NoLexer", (_NoLexer, Lexer), {})
    parser = lark.Lark(grammar_text, parser="lalr", lexer=lexer, strict=True, start=starts)
    table = parser.parser.parser.parser.parse_table
    rule_index: dict = {}
    rules: list[tuple[str, int, str | None]] = []
    states: dict[int, dict[str, tuple[int, int]]] = {}
    for state, actions in table.states.items():
        row = {}
        for sym, (action, arg) in actions.items():
            if action is Shift:
                row[sym] = (SHIFT, arg)
            else:
                if id(arg) not in rule_index:
                    rule_index[id(arg)] = len(rules)
                    rules.append((arg.origin.name, len(arg.expansion), arg.alias))
                row[sym] = (REDUCE, rule_index[id(arg)])
        states[state] = row
    terminals = {}
    for tdef in parser.terminals:
        pattern = tdef.pattern
        if getattr(pattern, "type", "") == "str":
            terminals[tdef.name] = lit_class(pattern.value, "i" in pattern.flags)
    return {"states": states, "rules": rules, "start": dict(table.start_states),
            "end": dict(table.end_states), "terminals": terminals}


class LalrMatcher:
    """Finds the longest match of one start rule at a given token position."""

    def __init__(self, tables: dict, start: str, slot_names: dict[str, str], term_codes: dict[str, frozenset]):
        self.states = tables["states"]
        self.rules = tables["rules"]
        self.start_state = tables["start"][start]
        self.end_state = tables["end"][start]
        self.slot_names = slot_names
        # terminal name -> set of characters; per character the terminals it can be
        self.term_codes = term_codes
        self._terms_of: dict[str, tuple[str, ...]] = {}
        first = set()
        for sym in self.states[self.start_state]:
            if sym in term_codes:
                first |= term_codes[sym]
        self.first = frozenset(first)

    def terms_of(self, ch: str) -> tuple[str, ...]:
        terms = self._terms_of.get(ch)
        if terms is None:
            code = ord(ch)
            terms = tuple(sorted(t for t, codes in self.term_codes.items() if code in codes))
            self._terms_of[ch] = terms
        return terms

    def _feed(self, stack, values, sym, pos, is_end):
        """Feed one terminal to a copy of a stack; None if it is not accepted."""
        states = self.states
        stack = list(stack)
        values = list(values)
        while True:
            action = states[stack[-1]].get(sym)
            if action is None:
                return None
            kind, arg = action
            if kind == SHIFT:
                if is_end:
                    return None
                stack.append(arg)
                values.append((pos, pos + 1, ()))
                return stack, values
            origin, size, alias = self.rules[arg]
            if size:
                kids = values[-size:]
                del stack[-size:]
                del values[-size:]
                start, end = kids[0][0], kids[-1][1]
                frags = tuple(f for k in kids for f in k[2])
            else:
                start = end = pos
                frags = ()
            slot = self.slot_names.get(alias) or self.slot_names.get(origin)
            if slot and end > start:
                frags = frags + ((slot, start, end),)
            goto = states[stack[-1]].get(origin)
            if goto is None:
                return None
            stack.append(goto[1])
            values.append((start, end, frags))
            if is_end and stack[-1] == self.end_state:
                return stack, values

    def longest(self, chars: str, i: int, limit: int):
        """(end, fragments) of the longest match starting at token i, or None."""
        if ord(chars[i]) not in self.first:
            return None
        live = [([self.start_state], [])]
        best = None
        n = min(len(chars), i + limit)
        pos = i
        while live and pos < n:
            terms = self.terms_of(chars[pos])
            nxt = []
            seen = set()
            for stack, values in live:
                for sym in terms:
                    fed = self._feed(stack, values, sym, pos, False)
                    if fed is not None:
                        key = tuple(fed[0])
                        if key not in seen:
                            seen.add(key)
                            nxt.append(fed)
                if len(nxt) >= MAX_STACKS:
                    break
            live = nxt
            pos += 1
            for stack, values in live:
                done = self._feed(stack, values, END, pos, True)
                if done is not None:
                    best = (pos, done[1][-1][2])
                    break
        return best
