"""Opcodes kept at compile time rebuild the same matcher without compiling."""
import pickle

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import fastregex

PATTERNS = [r"(?p)(?P<a>x+)(?P<b>y|yz)?", r"[\U00010000-\U00010010]+(?=z)", r"(?p)(?:a|ab)(?:bc|c)*"]


@settings(max_examples=60)
@given(st.sampled_from(PATTERNS), st.text(alphabet="xyzabc\U00010001", max_size=30))
def test_loaded_pattern_matches_like_a_compiled_one(pattern, text):
    compiled, blob = fastregex.compile_with_code(pattern)
    loaded = fastregex.load(pattern, pickle.loads(pickle.dumps(blob)))
    assert loaded is not compiled
    assert [(m.span(), m.groupdict()) for m in loaded.finditer(text)] == \
           [(m.span(), m.groupdict()) for m in regex.compile(pattern).finditer(text)]


def test_a_blob_from_another_regex_version_falls_back_to_compiling():
    compiled, blob = fastregex.compile_with_code("a+b")
    assert fastregex.load("a+b", ("0.0.0", blob[1])).pattern == "a+b"
    assert fastregex.load("a+b", None).findall("aab ab") == ["aab", "ab"]
    assert fastregex.load("a+b", (blob[0], ("nonsense",))).findall("ab") == ["ab"]


@settings(max_examples=60)
@given(st.sampled_from(PATTERNS))
def test_the_opcodes_are_kept_compact_and_come_back_unchanged(pattern):
    """The blob keeps the opcodes as an array of 32-bit numbers, and the
    core gets back the very list it made (a blob of an older engine, with
    the list itself, loads too)."""
    seen = []
    core = fastregex._MAIN._regex
    original = core.compile
    core.compile = lambda *args: seen.append(args) or original(*args)
    try:
        regex.compile(pattern, cache_pattern=False)
    finally:
        core.compile = original
    _, blob = fastregex.compile_with_code(pattern)
    code = blob[1][fastregex._CODE]
    assert code.itemsize == 4 and code.tolist() == seen[-1][fastregex._CODE]
    assert fastregex._unpacked(pickle.loads(pickle.dumps(blob[1]))) == seen[-1]
    def no_compile(*_args, **_kwargs):
        raise AssertionError("load compiled the pattern instead of taking its opcodes")

    fastregex.regex.compile, ordinary = no_compile, fastregex.regex.compile
    try:  # both forms go straight to the core: the array, and an older engine's list
        for args in (blob[1], seen[-1]):
            assert fastregex.load(pattern, (blob[0], args)).pattern == pattern
    finally:
        fastregex.regex.compile = ordinary


@settings(max_examples=60)
@given(st.sampled_from(PATTERNS), st.text(alphabet="xyzabc\U00010001", max_size=30))
def test_a_lazy_pattern_answers_like_the_compiled_one_and_knows_its_groups_without_compiling(pattern, text):
    compiled, blob = fastregex.compile_with_code(pattern)
    lazy = fastregex.Lazy(pattern, pickle.loads(pickle.dumps(blob)))
    assert lazy.groupindex == dict(compiled.groupindex)
    assert not lazy.compiled  # the group table came from the blob
    spans = lambda m: None if m is None else (m.span(), m.groupdict())  # noqa: E731
    assert spans(lazy.match(text)) == spans(compiled.match(text))
    assert spans(lazy.fullmatch(text)) == spans(compiled.fullmatch(text))
    assert spans(lazy.search(text, 1)) == spans(compiled.search(text, 1))
    assert [spans(m) for m in lazy.finditer(text, overlapped=True)] == \
           [spans(m) for m in compiled.finditer(text, overlapped=True)]
    assert lazy.compiled and lazy.pattern == pattern  # anything else goes to the compiled pattern
    again = pickle.loads(pickle.dumps(lazy))  # as its source and blob, compiled again on first use
    assert not again.compiled and spans(again.match(text)) == spans(compiled.match(text))


def test_group_index_without_a_fitting_blob_compiles_the_pattern():
    pattern = PATTERNS[0]
    _, blob = fastregex.compile_with_code(pattern)
    expected = dict(regex.compile(pattern).groupindex)
    assert expected  # the pattern has named groups
    for stale in (None, ("0.0.0", blob[1]), (blob[0], ("another pattern",) + blob[1][1:])):
        assert fastregex.group_index(pattern, stale) == expected
