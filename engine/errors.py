"""Errors.  One root, ``LarkspanError``; every message has a stable code.

``CODES`` is the one table of codes: what each means and the fix to suggest.
Messages read ``FILE:LINE:COL: error[E204] in rule 'cue': ...`` followed by a
``fix:`` line, so editors can jump to the place.
"""
from __future__ import annotations

import difflib

CODES: dict[str, tuple[str, str]] = {
    # code: (what went wrong, how to fix it)
    "E100": ("the file cannot be read", "check the path and the file's permissions"),
    "E101": ("the YAML does not parse", "fix the YAML syntax at the place shown (indentation, a missing ':' or quote)"),
    "E102": ("a YAML tag is not allowed", "remove the '!tag': packs hold plain data only"),
    "E103": ("the top of the pack must be a mapping", "start the file with 'pack: NAME'"),
    "E104": ("duplicate YAML key", "keep one of the two keys"),
    "E110": ("unknown key", "remove the key or correct its spelling"),
    "E111": ("a required key is missing", "add the key"),
    "E112": ("a value has the wrong type", "give a value of the type shown"),
    "E113": ("a value is not one of the allowed choices", "use one of the values listed"),
    "E114": ("a name is not valid", "use the form shown"),
    "E200": ("a name is defined twice", "rename one of the two, or drop one"),
    "E201": ("undefined rule", "define the rule under 'rules:' or import a grammar that has it"),
    "E202": ("undefined class", "define it under 'lexicons:', import it, or use a built-in class"),
    "E203": ("undefined normalizer", "use a built-in normalizer or register one from Python"),
    "E204": ("a slot names a rule the construction never uses", "name a rule reachable from the construction's start rule"),
    "E205": ("cyclic import", "remove one of the imports in the cycle"),
    "E206": ("a lexicon file cannot be read", "check the path; it is relative to the pack file"),
    "E207": ("a lexicon entry is not valid", "write one entry per line, with an optional TAB and value"),
    "E208": ("an import cannot be found", "check the path; it is relative to the pack file, or a name in grammars/"),
    "E300": ("the rule's grammar does not parse", "fix the Lark EBNF at the place shown"),
    "E301": ("a grammar feature is not supported", "rewrite it with the features listed in the README"),
    "E302": ("the grammar has a conflict", "make the rule unambiguous (recursive rules run on an LALR(1) parser)"),
    "E303": ("a construction can match the empty string", "make at least one token required"),
    "E304": ("a literal is empty or not a token", "write a literal word or sign, such as \"said\" or \"%\""),
    "E305": ("the grammar is too large to compile", "split the rule or use a lexicon class"),
    "E400": ("an input line is not valid", "fix or remove the line"),
    "E401": ("a scan hit its time limit", "simplify the rule, or raise the time limit"),
    "E402": ("a gold file line is not valid", "fix the line"),
    "E403": ("an output file cannot be written", "write to a file in a directory that exists and that you may write to"),
    "E500": ("bad usage", "see 'larkspan --help'"),
}


class LarkspanError(Exception):
    """Root of every error larkspan raises on purpose."""

    code = "E000"
    exit_code = 2

    def __init__(self, message: str, *, code: str | None = None, file: str | None = None,
                 line: int | None = None, column: int | None = None, rule: str | None = None,
                 fix: str | None = None):
        self.code = code or self.code
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.rule = rule
        self.fix = fix if fix is not None else CODES.get(self.code, ("", ""))[1]
        super().__init__(self.format())

    def where(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format(self) -> str:
        rule = f" in rule '{self.rule}'" if self.rule else ""
        text = f"{self.where()}: error[{self.code}]{rule}: {self.message}"
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class PackError(LarkspanError):
    """A rule pack (or a file it imports) is broken."""

    code = "E300"


class InputError(LarkspanError):
    """An input document or gold file is broken."""

    code = "E400"


class ScanTimeout(LarkspanError):
    """A scan ran longer than its time limit."""

    code = "E401"


class OutputError(LarkspanError):
    """An output path that cannot be written (checked before any work is done)."""

    code = "E403"


class UsageError(LarkspanError):
    code = "E500"


def did_you_mean(word: str, choices) -> str:
    """' (did you mean 'x'?)' or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
