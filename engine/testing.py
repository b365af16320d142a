"""``larkspan test``: run the examples and counterexamples written in a pack.

Each failure is named by its kind, so a rule author knows what to look at:

    no match          nothing of the label where the example expects a match
    wrong span        a match overlaps the expected one but has other bounds
    wrong slot        the span is right, a slot's fragments are not
    wrong value       the span is right, an attr's value is not
    unexpected match  a counterexample was matched
    other construction  the match is right, but another construction gave
                      it (the example no longer tests its own); a failure
                      with ``strict``, otherwise only counted
"""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Failure:
    kind: str
    construction: str
    file: str
    line: int | None
    text: str
    detail: str

    def format(self) -> str:
        return (f"{self.file}:{self.line}: {self.kind.upper()} in construction '{self.construction}'\n"
                f"    text:   {self.text}\n    {self.detail}")


def values_equal(expected, got) -> bool:
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected == got
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(expected, got, rel_tol=1e-5, abs_tol=1e-9)
    return expected == got


def _expected_span(example) -> tuple[int, int]:
    if example.span is not None:
        return example.span
    start = example.text.index(example.match)
    return start, start + len(example.match)


def check_example(pack, cname: str, label: str, example, strict: bool = False,
                  borrowed: list | None = None) -> Failure | None:
    """The failure of one example, or None.  An example whose match another
    construction gives is added to ``borrowed`` (when given), and fails
    only with ``strict``."""
    matches = [m for m in pack.extract(example.text) if m.label == label]
    where = example.where

    def fail(kind, detail):
        return Failure(kind, cname, where.file, where.line, example.text, detail)

    start, end = _expected_span(example)
    exact = [m for m in matches if (m.start, m.end) == (start, end)]
    if not exact:
        near = [m for m in matches if m.start < end and start < m.end]
        if not near:
            found = ", ".join(repr(m.text) for m in matches) or "nothing"
            return fail("no match", f"expected {example.text[start:end]!r}; found {found}")
        return fail("wrong span", f"expected {example.text[start:end]!r}; got {near[0].text!r} "
                                  f"(rule {near[0].rule})")
    m = exact[0]
    got_slots = m.slot_texts(example.text)
    for slot, want in example.slots.items():
        want_list = want if isinstance(want, list) else [want]
        got = got_slots.get(slot, [])
        if got != want_list:
            return fail("wrong slot", f"slot {slot}: expected {want_list!r}; got {got!r} (rule {m.rule})")
    for attr, want in example.attrs.items():
        got = m.attrs.get(attr)
        if isinstance(want, dict) and isinstance(got, dict):
            bad = [k for k in want if not values_equal(want[k], got.get(k))]
            ok = not bad
        else:
            ok = values_equal(want, got)
        if not ok:
            return fail("wrong value", f"attr {attr}: expected {want!r}; got {got!r} (rule {m.rule})")
    if m.rule != cname:
        other = fail("other construction", f"the match is right, but construction '{m.rule}' gives it: "
                                           f"move the example there, or make '{cname}' win")
        if borrowed is not None:
            borrowed.append(other)
        return other if strict else None
    return None


def check_counterexample(pack, cname: str, label: str, example) -> Failure | None:
    matches = [m for m in pack.extract(example.text) if m.label == label]
    if example.match is not None or example.span is not None:
        start, end = _expected_span(example)
        matches = [m for m in matches if (m.start, m.end) == (start, end)]
    if matches:
        m = matches[0]
        return Failure("unexpected match", cname, example.where.file, example.where.line, example.text,
                       f"matched {m.text!r} (rule {m.rule})")
    return None


def run_examples(pack, strict: bool = False, borrowed: list | None = None):
    """(number of checks, list of Failure) for every example in the pack.
    ``borrowed`` (a list) collects the examples another construction gives,
    which fail only with ``strict``."""
    failures = []
    count = 0
    for c in pack.compiled.constructions:
        examples, counter = pack.compiled.examples.get(c.name, ([], []))
        for ex in examples:
            count += 1
            f = check_example(pack, c.name, c.label, ex, strict, borrowed)
            if f:
                failures.append(f)
        for ex in counter:
            count += 1
            f = check_counterexample(pack, c.name, c.label, ex)
            if f:
                failures.append(f)
    return count, failures
