"""``larkspan check``: warnings about a pack that compiles but may be wrong.

Each finding is one line ``FILE:LINE: warning[Wnnn] ...``.
"""
from __future__ import annotations

from .grammar import bnf_size, hoist_aliases, reachable, walk


def _finding(code, file, line, text):
    return f"{file}:{line}: warning[{code}]: {text}"


def _at(compiled, name, code, text):
    file, line = compiled.where.get(name, (compiled.file, "?"))
    return _finding(code, file, line if line is not None else "?", text)


def lint(pack) -> list[str]:
    compiled = pack.compiled
    rules = compiled.rule_asts
    out = []
    used_rules = set()
    for c in compiled.constructions:
        used_rules.update(reachable(rules, c.start))
        examples, _counter = compiled.examples.get(c.name, ([], []))
        if not examples:
            out.append(_finding("W101", c.file, c.line, f"construction '{c.name}' has no examples"))
    for name in rules:
        if name not in used_rules and not name.startswith("_lex_"):
            out.append(_at(compiled, name, "W102", f"rule '{name}' is not used by any construction"))
    used_classes = {n[1] for r in used_rules for n in walk(rules[r]) if n[0] == "term"}
    used_classes |= {name[5:].upper() for name in used_rules if name.startswith("_lex_")}
    derived = compiled.alphabet.derived  # classes made of classes, perhaps of other such classes
    pending = [name for name in used_classes if name in derived]
    while pending:
        any_of, excluded = derived[pending.pop()]
        for name in any_of + excluded:
            if name not in used_classes:
                used_classes.add(name)
                if name in derived:
                    pending.append(name)
    for lexicon in compiled.lexicon_values:
        if lexicon not in used_classes:
            out.append(_at(compiled, lexicon, "W103", f"lexicon '{lexicon}' is not used by any rule"))
    out.extend(static_overlaps(pack))
    out.extend(_ambiguity(compiled))
    return out


AMBIGUITY_LIMIT = 4_000  # BNF alternatives past which Lark takes seconds to build a table


def _ambiguity(compiled) -> list[str]:
    """Regular constructions need no LALR table, but a grammar conflict there
    often means an ambiguous rule that makes the regex backtrack.

    Lark writes a grammar out as plain BNF before it builds a table, and a
    range over a group (``(A | B)~0..30``) multiplies alternatives: a
    construction whose rules come to more than ``AMBIGUITY_LIMIT`` is not
    checked, and a finding says so."""
    from lark.exceptions import GrammarError

    from .compiler import lark_text
    from .lalr import build_tables

    rules = hoist_aliases(compiled.rule_asts)
    sizes = {name: bnf_size(ast, AMBIGUITY_LIMIT + 1) for name, ast in rules.items()}
    out, skipped = [], []
    for c in compiled.constructions:
        if c.backend != "regex":
            continue
        names = reachable(rules, c.start)
        if sum(sizes[name] for name in names) > AMBIGUITY_LIMIT:
            biggest = max(names, key=sizes.__getitem__)
            skipped.append(_finding("W106", c.file, c.line,
                                    f"construction '{c.name}' is not checked for ambiguity (W104): written out as "
                                    f"plain BNF its rules have more than {AMBIGUITY_LIMIT:,} alternatives (most in "
                                    f"rule '{biggest}'), more than Lark builds a table for in reasonable time; a "
                                    "repetition range over a group, such as (A | B)~0..30, multiplies them"))
            continue
        try:
            build_tables(lark_text(rules, [c.start]), [c.start])
        except GrammarError as exc:
            first = str(exc).strip().splitlines()[0]
            out.append(_finding("W104", c.file, c.line,
                                f"construction '{c.name}' is ambiguous ({first}); it works, but an ambiguous "
                                "rule can make matching slow"))
    return out + skipped


def static_overlaps(pack) -> list[str]:
    """Lexicons that share a few entries: likely by accident.

    Lexicons that share many of their entries (SAY_END inside SAY) do so by
    design and are not reported; a pair is reported when the shared entries
    are at most two, or at most a fifth of the smaller lexicon.
    """
    tables = pack.compiled.lexicon_values
    members = {name: {k.lower() for k in table} for name, table in tables.items()}
    names = sorted(members)
    out = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            shared = sorted(members[a] & members[b])
            smaller = min(len(members[a]), len(members[b]))
            if shared and len(shared) <= max(2, smaller // 5):
                sample = ", ".join(repr(x) for x in shared[:8]) + (" ..." if len(shared) > 8 else "")
                out.append(_at(pack.compiled, a, "W105", f"lexicons {a} and {b} share {len(shared)} "
                               f"entr{'y' if len(shared) == 1 else 'ies'}: {sample}"))
    return out


def corpus_lint(pack, texts, often_per_1000: float = 20.0) -> list[str]:
    """Findings that need a corpus: rules that never fire, rules always
    overridden, entries never seen, constructions that fire suspiciously often."""
    from .explain import _rule_regex
    from .lalr import LalrMatcher
    from .tokenizer import split_key, tokenize

    compiled = pack.compiled
    cons = compiled.constructions
    alone = {}
    for c in cons:
        if c.backend == "regex":
            alone[c.index] = _rule_regex(pack, c.start, c.anchor)[0]
        else:
            alone[c.index] = LalrMatcher(compiled.lalr, c.start, {}, compiled.term_codes)
    fired = {c.index: 0 for c in cons}
    kept = {c.index: 0 for c in cons}
    words: set[str] = set()
    lowered_texts = []
    n_tokens = 0
    for text in texts:
        tokens = tokenize(text)
        n_tokens += len(tokens)
        words.update(split_key(k)[0].lower() for k in tokens.keys)
        lowered_texts.append(text.lower())
        chars = pack.encode(tokens)
        for cand in pack.scanner.scan(chars):
            kept[cand[2]] += 1
        for c in cons:
            if c.backend == "regex":
                fired[c.index] += sum(1 for _ in alone[c.index].finditer(chars))
            else:
                limit = int(compiled.options["max_tokens"])
                fired[c.index] += sum(1 for i in range(len(chars)) if alone[c.index].longest(chars, i, limit))
    out = []
    for c in cons:
        if fired[c.index] == 0:
            out.append(_finding("W201", c.file, c.line, f"construction '{c.name}' never fires on the corpus"))
        elif kept[c.index] == 0:
            out.append(_finding("W202", c.file, c.line, f"construction '{c.name}' fires {fired[c.index]} times "
                                "but every match is overridden by another construction"))
        rate = 1000 * kept[c.index] / max(n_tokens, 1)
        if rate > often_per_1000:
            out.append(_finding("W203", c.file, c.line, f"construction '{c.name}' fires {rate:.1f} times per "
                                "1,000 tokens: suspiciously often"))
    corpus_text = "\n".join(lowered_texts)
    for lexicon, table in compiled.lexicon_values.items():
        unseen = [s for s in table if (s.lower() not in words if " " not in s else s.lower() not in corpus_text)]
        if unseen and len(unseen) == len(table):
            out.append(_at(compiled, lexicon, "W204", f"no entry of lexicon '{lexicon}' occurs in the corpus"))
        elif unseen:
            sample = ", ".join(repr(s) for s in unseen[:8])
            out.append(_at(compiled, lexicon, "W205", f"{len(unseen)} of {len(table)} entries of lexicon "
                                f"'{lexicon}' never occur in the corpus: {sample}{' ...' if len(unseen) > 8 else ''}"))
    return out
