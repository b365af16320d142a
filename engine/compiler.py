"""The compiler: a checked PackSpec -> a CompiledPack ready to scan.

Passes, in order:
1. parse every rule and imported fragment with Lark's grammar loader (grammar.py);
2. rewrite lexicon classes that have multi-word entries into hidden rules;
3. check names (rules, classes, slots, normalizers), empty matches, recursion;
4. print the whole pack as one Lark grammar (``larkspan compile``) and, for
   recursive constructions, build strict LALR(1) tables (lalr.py);
5. build the token alphabet (alphabet.py) and one regex per scan group
   (regexgen.py).
"""
from __future__ import annotations

import re

import regex

from . import __version__, longest, prefilter
from .alphabet import Alphabet, lit_class, ranges_to_class, sentence_start_regex
from .errors import PackError, did_you_mean
from .fastregex import compile_with_code
from .grammar import (hoist_aliases, lit_text, nullable, reachable, recursive_rules, rules_from_fragment,
                      rules_from_source, to_lark, walk)
from .pack import PackSpec, Where
from .regexgen import (MAX_PATTERN, RegexBuilder, all_codes, alternation, first_set, must_set,
                       reach, reach_lookaheads, run_regex)
from .tokenizer import BUILTIN_CLASSES

from .compiled import DEFAULTS, Compiled, ConstructionInfo, ScanGroup  # noqa: E402


def compile_spec(spec: PackSpec) -> Compiled:
    out = Compiled()
    out.name, out.version, out.file, out.description = spec.name, spec.version, spec.file, spec.description
    out.sources = dict(spec.sources)
    out.hash = spec.content_hash(__version__)
    out.options.update({k: v for k, v in spec.options.items() if k in DEFAULTS})

    # 1. parse
    rules: dict[str, tuple] = {}
    where: dict[str, Where] = {}
    sources = {src.name: src for src in spec.rules.values()}
    inline: set[str] = set()

    def add(name, ast, options, w):
        if name in rules:
            raise w.error(f"rule '{name}' is defined twice (also at {where[name].file}:{where[name].line})",
                          "E200", rule=name)
        rules[name] = ast
        where[name] = w
        if options is not None and getattr(options, "expand1", False):
            inline.add(name)

    for path, text in spec.fragments:
        for name, ast, options, w in rules_from_fragment(path, text):
            add(name, ast, options, w)
    for src in spec.rules.values():
        for name, ast, options, w in rules_from_source(src):
            if name != src.name:
                raise w.error(f"rule text for '{src.name}' also defines '{name}'", "E300", rule=src.name,
                              fix="give each rule its own key under 'rules:'")
            add(name, ast, options, w)
    out.rule_count = len(rules)

    # 2. lexicons: one-token entries become classes, multi-word ones hidden rules
    exact: dict[str, set[str]] = {}
    folded: dict[str, set[str]] = {}
    phrases: dict[str, list[tuple[str, ...]]] = {}
    derived = {}
    for lex in spec.lexicons.values():
        if lex.derived is not None:
            derived[lex.name] = lex.derived
            continue
        values = out.lexicon_values.setdefault(lex.name, {})
        for entry in lex.entries:
            out.entry_count += 1
            key = " ".join(entry.tokens)
            values.setdefault(key if lex.case_sensitive else key.lower(), entry.value)
            if len(entry.tokens) == 1:
                table = exact if lex.case_sensitive else folded
                tok = entry.tokens[0]
                table.setdefault(tok if lex.case_sensitive else tok.lower(), set()).add(lex.name)
            else:
                phrases.setdefault(lex.name, []).append(entry.tokens)
    single = {c for t in (exact, folded) for cs in t.values() for c in cs}
    phrase_rules = {}
    for lname, seqs in phrases.items():
        ci = not spec.lexicons[lname].case_sensitive
        alts = [("seq", [("lit", t, ci) for t in seq]) for seq in dict.fromkeys(seqs)]
        if lname in single:
            alts.insert(0, ("term", lname))
        phrase_rules[lname] = ("_lex_" + lname.lower(), alts[0] if len(alts) == 1 else ("alt", alts))
    for lname, (rname, ast) in phrase_rules.items():
        rules[rname] = ast
        where[rname] = spec.lexicons[lname].where

    def rewrite(node):
        kind = node[0]
        if kind == "term" and node[1] in phrase_rules:
            return ("ref", phrase_rules[node[1]][0])
        if kind in ("seq", "alt"):
            return (kind, [rewrite(c) for c in node[1]])
        if kind in ("rep", "alias"):
            return (kind, rewrite(node[1])) + tuple(node[2:])
        return node

    for name in list(rules):
        if not name.startswith("_lex_"):
            rules[name] = rewrite(rules[name])

    # 3. names
    known_classes = set(BUILTIN_CLASSES) | set(spec.lexicons)
    aliases = set()
    def locate(rule, word):
        """Where ``word`` is written in ``rule`` (falls back to the rule's key)."""
        src = sources.get(rule)
        if src is not None:
            for k, text in enumerate(src.text.split("\n")):
                hit = re.search(r"(?<![\w\"])" + re.escape(word) + r"(?![\w\"])", text)
                if hit and k < len(src.lines):
                    line_where = src.lines[k]
                    lead = len(text) - len(text.lstrip()) if k else len(rule) + 2
                    offset = hit.start() - (len(src.name) + 2 if k == 0 else lead)
                    col = (line_where.column or 1) + max(offset, 0) if k == 0 else (line_where.column or 1) + hit.start()
                    return Where(line_where.file, line_where.line, col)
        return where[rule]

    for name, ast in rules.items():
        for node in walk(ast):
            if node[0] == "ref" and node[1] not in rules:
                w = locate(name, node[1])
                raise w.error(f"rule '{node[1]}' is used but not defined{did_you_mean(node[1], rules)}",
                              "E201", rule=name)
            if node[0] == "term" and node[1] not in known_classes:
                raise locate(name, node[1]).error(
                    f"class '{node[1]}' is used but not defined{did_you_mean(node[1], known_classes)}", "E202",
                    rule=name, fix="define it under 'lexicons:' or use a built-in class: "
                    + ", ".join(sorted(BUILTIN_CLASSES)))
            if node[0] == "lit":
                if node[2]:
                    folded.setdefault(node[1].lower(), set()).add(lit_class(node[1], True))
                else:
                    exact.setdefault(node[1], set()).add(lit_class(node[1], False))
            if node[0] == "alias":
                aliases.add(node[2])

    from .normalizers import REGISTRY

    constructions = list(spec.constructions.values())
    if not constructions:
        raise PackError("the pack has no constructions", code="E111", file=spec.file, line=1,
                        fix="add a 'constructions:' section naming at least one start rule")
    recursive_starts = []
    for i, c in enumerate(constructions):
        if c.start not in rules:
            raise c.where.error(f"construction '{c.name}' starts at rule '{c.start}', which is not defined"
                                f"{did_you_mean(c.start, rules)}", "E201", rule=c.name,
                                fix="set 'start:' to a rule under 'rules:' (it defaults to the construction's name)")
        if nullable(rules[c.start], rules):
            raise c.where.error(f"construction '{c.name}' can match the empty string", "E303", rule=c.name)
        used = set(reachable(rules, c.start))
        used_aliases = {n[2] for r in used for n in walk(rules[r]) if n[0] == "alias"}
        for slot, target in c.slots.items():
            if target is None:
                continue
            if target not in used and target not in used_aliases:
                raise c.where.error(f"slot '{slot}' names '{target}', which the construction never uses"
                                    f"{did_you_mean(target, used | used_aliases)}", "E204", rule=c.name)
        for k, (norm, args) in enumerate(c.normalize):
            w = c.normalize_where[k] if k < len(c.normalize_where) else c.where
            if norm not in REGISTRY:
                raise w.error(f"unknown normalizer '{norm}'{did_you_mean(norm, REGISTRY)}", "E203",
                              rule=c.name, fix="built-in normalizers: " + ", ".join(sorted(REGISTRY)))
            _check_normalizer_args(norm, args, w, c.name)
        rec = recursive_rules(rules, c.start)
        info = ConstructionInfo(i, c, "lalr" if rec else "regex")
        info.group_names = {slot: f"s_{slot}" for slot, target in c.slots.items() if target is not None}
        out.constructions.append(info)
        out.examples[c.name] = (c.examples, c.counterexamples)
        if rec:
            recursive_starts.append(c.start)

    # 4. the Lark grammar text
    out.where = {name: (w.file, w.line) for name, w in where.items()}
    out.where.update({name: (lex.where.file, lex.where.line) for name, lex in spec.lexicons.items()})
    hoisted = hoist_aliases(rules)  # the rules as Lark takes them (an alias only ends an alternative)
    out.grammar_text = grammar_text(spec, hoisted, where, inline, known_classes)
    out.rule_asts = rules
    if recursive_starts:
        from lark.exceptions import GrammarError

        from .lalr import build_tables

        try:
            starts = sorted(set(recursive_starts))
            out.lalr = build_tables(lark_text(hoisted, starts, inline), starts)
        except GrammarError as exc:
            msg = str(exc).strip().splitlines()
            rule = _conflict_rule(msg, rules)
            w = where.get(rule) or constructions[0].where
            raise w.error("LALR(1) conflict: " + " ".join(m.strip() for m in msg[:3]), "E302", rule=rule) from None

    # 5. alphabet and regexes
    for name, (any_of, excluded) in derived.items():
        for cls in any_of + excluded:
            if cls not in known_classes or cls in phrase_rules:
                why = "is a multi-word lexicon" if cls in phrase_rules else "is not defined"
                raise spec.lexicons[name].where.error(
                    f"class '{name}' uses '{cls}', which {why}", "E202",
                    fix="use built-in classes, one-word lexicons and other set expressions only")
    _check_set_cycles(derived, spec)
    out.alphabet = alphabet = Alphabet(exact, folded, derived)
    builder = RegexBuilder(rules, alphabet, int(out.options["max_repeat"]))
    if out.lalr is not None:
        for tname in _lalr_terminals(out.lalr):
            cls = out.lalr["terminals"].get(tname, tname)
            out.term_codes[tname] = frozenset(builder.codes(cls))
    out.groups = _groups(out.constructions, rules, builder)
    return out


def _check_normalizer_args(name: str, args: dict, where: Where, rule: str) -> None:
    """The arguments a pack gives a normalizer must fit its signature: a
    mistake here would otherwise stop a run at the first match."""
    import inspect

    from .normalizers import REGISTRY

    try:
        params = inspect.signature(REGISTRY[name]).parameters
    except (TypeError, ValueError):  # a callable without a signature: nothing to check
        return
    params = list(params.values())[1:]  # the first is the match
    if any(p.kind is p.VAR_KEYWORD for p in params):
        return
    named = {p.name: p for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    for key in args:
        if key not in named:
            raise where.error(f"normalizer '{name}' takes no argument '{key}'{did_you_mean(str(key), named)}",
                              "E110", rule=rule, fix=f"its arguments: {', '.join(named) or 'none'}")
    missing = [n for n, p in named.items() if p.default is p.empty and n not in args]
    if missing:
        raise where.error(f"normalizer '{name}' needs {', '.join(repr(m) for m in missing)}", "E111", rule=rule,
                          fix=f"add {', '.join(m + ': ...' for m in missing)} beside 'name: {name}'")


def _check_set_cycles(derived, spec) -> None:
    """A set expression may use other set expressions, but never itself, by
    any path: its tokens would be defined in terms of themselves."""
    done: set[str] = set()

    def visit(name, path):
        if name in path:
            cycle = path[path.index(name):] + [name]
            raise spec.lexicons[cycle[0]].where.error(
                f"class '{cycle[0]}' is defined through itself ({' -> '.join(cycle)})", "E202",
                fix="break the cycle: one of these classes must not use the next")
        if name in done or name not in derived:
            return
        any_of, excluded = derived[name]
        for used in any_of + excluded:
            visit(used, path + [name])
        done.add(name)

    for name in derived:
        visit(name, [])


def _lalr_terminals(tables):
    names = set()
    for row in tables["states"].values():
        names.update(s for s in row if s.isupper() or s in tables["terminals"])
    names.discard("$END")
    return sorted(names)


def _conflict_rule(lines, rules):
    """The pack rule named in a Lark conflict message ('<names : CAPWORD>')."""
    for found in re.finditer(r"<(\w+) :", "\n".join(lines)):
        name = found.group(1)
        if name in rules:
            return name
        helper = re.match(r"__(\w+?)_(?:star|plus|opt)_\d+$", name)  # Lark's EBNF helpers
        if helper and helper.group(1) in rules:
            return helper.group(1)
    return None


def _build(builder: RegexBuilder, c: ConstructionInfo, slots: dict):
    """The regex intermediate form of a construction, errors placed at it."""
    try:
        return builder.build(("ref", c.start), slots)
    except PackError as exc:
        if exc.file:
            raise
        raise PackError(exc.message, code=exc.code, file=c.file, line=c.line, rule=c.name) from None


def _slot_map(c: ConstructionInfo) -> dict[str, str]:
    """rule/alias name -> group name, for a construction's slots."""
    return {target: c.group_names[slot] for slot, target in c.slots.items() if target is not None}


def _groups(constructions: list[ConstructionInfo], rules, builder: RegexBuilder) -> list[ScanGroup]:
    groups = []
    by_label: dict[str, list[ConstructionInfo]] = {}
    for c in constructions:
        by_label.setdefault(c.label, []).append(c)
    for label, members in by_label.items():
        shared = [c for c in members if c.overlap not in ("all", "apart")]
        for c in members:
            if c.overlap == "all":
                groups.append(_candidates_group(label, "all", [c], rules, builder))
            elif c.overlap == "apart":  # leftmost-longest among its own matches only
                groups.append(_longest_group(label, [c], rules, builder))
        if not shared:
            continue
        policy = "priority" if any(c.overlap == "priority" for c in shared) else "longest"
        if policy == "longest":
            groups.append(_longest_group(label, shared, rules, builder))
        else:
            groups.append(_candidates_group(label, policy, shared, rules, builder))
    return groups


def _candidates_group(label, policy, members, rules, builder: RegexBuilder, nodes=None) -> ScanGroup:
    """A scan group whose constructions propose candidates that ``resolve`` sorts out."""
    patterns, codes, nodes = _patterns(members, rules, builder, nodes)
    group = ScanGroup(label, "candidates", policy, [c.index for c in members], patterns=patterns,
                      must=_must(members, builder, nodes))
    group.code.update(codes)
    _add_reach(group, members, builder, nodes)
    if nodes:  # the regex constructions' starts, found by Hyperscan (None without it)
        group.prefilter = prefilter.build(nodes, range(*builder.alphabet.span()), _selectivity(builder.alphabet))
        if group.prefilter is not None:  # and where the longest match at each ends
            group.automata = longest.build(nodes, range(*builder.alphabet.span()), builder.max_repeat)
    return group


_COMMON_KINDS = ("punct", "stop", "sentend", "dash", "hyphen", "lquote", "rquote", "para")


def _selectivity(alphabet):
    """A ranking of character sets, most selective first: sets of lexical
    classes (lexicon entries, literal words) before shape classes and
    punctuation, which are everywhere; then smaller before larger."""
    common = _kind_codes(alphabet, _COMMON_KINDS)
    n = alphabet.n

    def key(codes):
        shape_only = any((c - alphabet.block("lower")[0]) % n == 0 for c in codes)
        return (bool(common & codes), shape_only, len(codes))

    return key


def _kind_codes(alphabet, kinds) -> set:
    """Every character code of the given shape kinds."""
    out = set()
    for kind in kinds:
        lo, hi = alphabet.block(kind)
        out.update(range(lo, hi + 1))
    return out


MAX_COMBINED = MAX_PATTERN  # characters of one regex for a whole group; past it, one per construction


def _longest_group(label, members, rules, builder: RegexBuilder) -> ScanGroup:
    """The scan group of constructions resolved leftmost-longest together."""
    if not all(c.backend == "regex" for c in members):
        return _candidates_group(label, "longest", members, rules, builder)
    nodes = {c.index: _build(builder, c, _slot_map(c)) for c in members}
    if prefilter.available():
        # with the starts found in one pass, each construction's own regex
        # tried at its own starts beats the alternation of all of them tried
        # at every start any of them has (resolve's "longest" gives the same matches)
        group = _candidates_group(label, "longest", members, rules, builder, nodes)
        if group.prefilter is not None:
            return group
    ordered = sorted(members, key=lambda c: (-c.priority, c.index))
    # Each construction ends with an empty group that names it, so the
    # alternation of all of them can be factored: a source shared by
    # ten constructions is matched once, not ten times.
    branches = []
    for c in ordered:
        anchor = [("raw", _anchor(c, builder))] if c.anchor != "any" else []
        anchor += [("raw", look) for look in _reach_lookaheads(nodes[c.index], builder)]
        branches.append(("seq", anchor + [nodes[c.index], ("group", f"c{c.index}", ("seq", []))]))
    # one lookahead on every character any construction can start with
    starts = frozenset().union(*(first_set(node)[0] for node in nodes.values()))
    pattern = f"(?p)(?={ranges_to_class(starts)})" + builder.emit(alternation(branches))
    if len(pattern) > MAX_COMBINED:  # too large as one regex: each construction's own, resolved as one
        return _candidates_group(label, "longest", members, rules, builder, nodes)
    group = ScanGroup(label, "combined", "longest", [c.index for c in ordered], pattern=pattern,
                      must=_must(ordered, builder, nodes))
    group.code[pattern] = _check_size(pattern, ordered[0])
    _add_reach(group, ordered, builder, nodes)
    return group


def _reach_lookaheads(node, builder: RegexBuilder) -> list[str]:
    return reach_lookaheads(node, set(range(*builder.alphabet.span())), _selectivity(builder.alphabet))


_RARE_KINDS = ("lquote", "rquote")


def _add_reach(group: ScanGroup, members, builder: RegexBuilder, nodes: dict) -> None:
    """Fill ``group.reach``: for each regex construction, reverse regexes
    that find the runs its matches can start in (see regexgen.reach).

    The scanner pays a step for every must-token it finds, so only conditions
    whose must-set is rare are used: tokens of lexical classes (words of a
    lexicon, literals), or quotation marks; never a bare word shape."""
    alphabet = builder.alphabet
    key = _selectivity(alphabet)
    rare_kinds = _kind_codes(alphabet, _RARE_KINDS)
    universe = set(range(*alphabet.span()))
    for c in members:
        if c.backend != "regex":
            continue
        rare = [(must, lead) for must, lead in reach(nodes[c.index], key)
                if not key(must)[1] or must <= rare_kinds]
        sources = []
        for must, lead in sorted(rare, key=lambda ml: len(ml[1]))[:2]:
            source = "(?r)" + run_regex(must, lead, universe)
            if source not in group.code:
                group.code[source] = compile_with_code(source)[1]
            sources.append(source)
        if sources:
            group.reach[c.index] = sources


def _must(members, builder, nodes: dict) -> str | None:
    """The must-class of a scan group (see ScanGroup.must), as regex source.

    ``nodes``: each regex construction's intermediate form (slot groups do
    not change what a match needs)."""
    key = _selectivity(builder.alphabet)
    para = _kind_codes(builder.alphabet, ["para"])
    must: set = set()
    for c in members:
        if c.backend != "regex":  # recursive rules are not inlined
            return None
        node = nodes[c.index]
        if all_codes(node) & para:
            return None
        m = must_set(node, key)
        if m is None:
            return None
        must |= m
    return ranges_to_class(must) or None


def _patterns(members, rules, builder, built=None):
    """(regex source, opcodes, intermediate form) of each regex construction;
    ``built``: the intermediate forms already built, by construction index."""
    out, codes, nodes = {}, {}, {}
    for c in members:
        if c.backend == "regex":
            node = built[c.index] if built is not None else _build(builder, c, _slot_map(c))
            nodes[c.index] = node
            looks = "".join(_reach_lookaheads(node, builder))
            out[c.index] = "(?p)" + _anchor(c, builder) + looks + builder.emit(node)
            codes[out[c.index]] = _check_size(out[c.index], c)
    return out, codes, nodes


def _anchor(c: ConstructionInfo, builder: RegexBuilder) -> str:
    return sentence_start_regex(builder.alphabet) if c.anchor == "sentence" else ""


def _check_size(pattern: str, c: ConstructionInfo):
    if len(pattern) > MAX_PATTERN:
        raise PackError(f"construction '{c.name}' compiles to a regex of {len(pattern):,} characters",
                        code="E305", file=c.file, line=c.line, rule=c.name)
    try:
        return compile_with_code(pattern)[1]
    except regex.error as exc:  # a bug in the compiler, not in the pack
        raise PackError(f"internal error compiling construction '{c.name}': {exc}", code="E305",
                        file=c.file, line=c.line, rule=c.name) from None


def grammar_text(spec: PackSpec, rules: dict, where: dict, inline: set, classes: set) -> str:
    """The whole pack as one Lark grammar, deterministic for a given pack
    (``rules`` as ``hoist_aliases`` gives them)."""
    lines = [f"// pack {spec.name} {spec.version}: generated by larkspan {__version__}; do not edit",
             "// token classes come from the tokenizer and the pack's lexicons"]
    lines.extend(_lark_lines(rules, list(rules), inline, where))
    return "\n".join(lines)


def lark_text(rules: dict, starts: list[str], inline: set = frozenset()) -> str:
    """A Lark grammar of the rules ``starts`` reach and nothing else, for
    building LALR tables: Lark writes every rule of a grammar out as plain
    BNF first, so a large rule no start uses would still cost its time.
    ``rules`` as ``hoist_aliases`` gives them."""
    names: list[str] = []
    for start in starts:
        names.extend(n for n in reachable(rules, start) if n not in names)
    return "\n".join(_lark_lines(rules, names, inline)) + "\n"


def _lark_lines(rules: dict, names: list[str], inline, where: dict | None = None) -> list[str]:
    """``%declare`` for the classes the named rules use, then each rule (with
    the place it was written, given ``where``, as a comment before it)."""
    lines = []
    used = sorted({n[1] for name in names for n in walk(rules[name]) if n[0] == "term"})
    if used:
        lines.append("%declare " + " ".join(used))
    if where is not None:
        lines.append("")
    for name in names:
        w = where.get(name) if where is not None else None
        if w is not None:
            lines.append(f"// {w.file}:{w.line}")
        lines.append(f"{'?' if name in inline else ''}{name}: {to_lark(rules[name])}")
        if where is not None:
            lines.append("")
    return lines


__all__ = ["compile_spec", "Compiled", "ConstructionInfo", "ScanGroup", "lark_text", "lit_text"]
