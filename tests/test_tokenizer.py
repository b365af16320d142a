"""Tokenizer and segmenter: offsets, shapes, and never raising."""
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.tokenizer import paragraphs, sentences, tokenize


def texts_and_kinds(text):
    return [(t.text, t.kind) for t in tokenize(text)]


@given(st.text())
@settings(max_examples=400)
def test_any_unicode_tokenizes_and_offsets_slice_the_input(text):
    tokens = tokenize(text)
    prev_end = 0
    for tok in tokens:
        assert text[tok.start:tok.end] == tok.text
        assert tok.start >= prev_end  # in order, no overlap
        assert tok.end > tok.start
        prev_end = tok.end
    # nothing but whitespace is skipped
    covered = "".join(t.text for t in tokens if t.kind != "para")
    assert covered == regex.sub(r"\s+", "", text)


@given(st.text(alphabet=st.sampled_from(list("ab1,. \n\"'$%-")), max_size=60))
def test_token_strings_concatenate_to_the_text(text):
    tokens = tokenize(text)
    assert "".join(tokens.keys) == text[: len("".join(tokens.keys))]
    assert text[len("".join(tokens.keys)):].strip() == ""


def test_numbers_are_one_token():
    for num in ["9,000", "1.5", "3,500.25", "2014", "1/2"]:
        assert texts_and_kinds(f"about {num} people")[1][0] == num


def test_units_and_scales_split_from_numbers():
    assert [t for t, _ in texts_and_kinds("5.2km")] == ["5.2", "km"]
    assert [t for t, _ in texts_and_kinds("$3m")] == ["$", "3", "m"]
    assert [t for t, _ in texts_and_kinds("US$5")] == ["US$", "5"]
    assert [t for t, _ in texts_and_kinds("60%")] == ["60", "%"]


def test_abbreviations_hyphens_and_possessives():
    toks = [t for t, _ in texts_and_kinds("Col. Ryan Dillon of the U.S. Army met al-Hadithi's aide in Sept. 2016.")]
    assert "Col." in toks and "U.S." in toks and "Sept." in toks
    assert "al-Hadithi" in toks and "'s" in toks
    assert toks[-1] == "."


def test_party_and_state_labels_are_one_abbreviation():
    # the stops inside "R-S.C." must not end a sentence in the middle of a source
    text = "Sen. Ana Ruiz, R-S.C., and Rep. Bo Li (D-Mass.) met Lee, R-N.Y., and Kim, R-Texas, in the X-Men. Hall."
    kinds = dict(texts_and_kinds(text))
    for label in ("R-S.C.", "D-Mass.", "R-N.Y."):
        assert kinds[label] == "abbr_cap"
    assert "R-Texas" in kinds and "X-Men" in kinds  # a plain hyphenated word keeps its full stop apart
    assert [t for t, _ in texts_and_kinds(text)][-3:] == [".", "Hall", "."]


def test_quotes_and_dashes():
    kinds = texts_and_kinds('He said "yes" and “no” — then left.')
    assert ('"', "lquote") in kinds and ('"', "rquote") in kinds
    assert ("“", "lquote") in kinds and ("”", "rquote") in kinds
    assert ("—", "dash") in kinds
    assert texts_and_kinds('"Go," she said.')[0] == ('"', "lquote")


def test_doubled_apostrophes_are_one_quotation_mark():
    # some newspapers write quotation marks as two apostrophes (or backticks)
    kinds = texts_and_kinds("He called it a ''test of leadership.'' Voters' views differ, ``said'' one.")
    assert kinds[4] == ("''", "lquote")
    assert ("''", "rquote") in kinds and kinds.count(("''", "rquote")) == 2
    assert ("``", "lquote") in kinds
    assert ("'", "rquote") in kinds  # a lone apostrophe stays a single mark
    assert [t for t, _ in kinds if t == "'s"] == []
    # the doubled mark closes a sentence like any closing quote
    tokens = tokenize("He said it was ''over.'' Next came the vote.")
    first, second = sentences(tokens)
    assert tokens.token(first[1] - 1).text == "''"
    assert tokens.token(second[0]).text == "Next"


def test_shapes():
    kinds = dict(texts_and_kinds("NATO troops Sputnik iPhone F-16 21st 1990s"))
    assert kinds == {"NATO": "upper", "troops": "lower", "Sputnik": "cap", "iPhone": "mixed",
                     "F-16": "alnum", "21st": "ord", "1990s": "alnum"}


def test_paragraph_breaks_are_tokens():
    kinds = [k for _, k in texts_and_kinds("One.\n\nTwo.\n  \n\nThree.")]
    assert kinds.count("para") == 2
    assert paragraphs("One.\n\nTwo.\n  \n\nThree.") == [(0, 4), (6, 10), (15, 21)]


def test_sentences_respect_abbreviations_and_quotes():
    text = 'Col. Ryan Dillon spoke. "We stay," he said. Mr. Smith left!\n\nNew paragraph'
    tokens = tokenize(text)
    got = [text[tokens.span(i, j)[0]:tokens.span(i, j)[1]] for i, j in sentences(tokens)]
    assert got == ["Col. Ryan Dillon spoke.", '"We stay," he said.', "Mr. Smith left!", "New paragraph"]


WORDS = st.lists(st.sampled_from(["the", "port", "said", "it", "would", "reopen", "on", "Monday"]), max_size=5)
SENTENCE = st.tuples(st.sampled_from(["Ruiz", "The", "Officials", "Voters"]), WORDS, st.sampled_from(".!?"),
                     st.sampled_from(["", "()", "[]"])).map(
    lambda t: (t[3][:1] + " ".join([t[0], *t[1]]) + t[2] + t[3][1:]))


@settings(max_examples=200)
@given(st.lists(SENTENCE, min_size=1, max_size=5))
def test_a_sentence_may_open_with_a_bracket_and_close_after_its_stop(parts):
    """Sentences of our own, some wrapped whole in round or square brackets
    ("... an ally. (The aide left.) Ruiz ..."), joined by spaces: the
    tokenizer finds exactly them."""
    text = " ".join(parts)
    tokens = tokenize(text)
    got = [text[tokens.span(i, j)[0]:tokens.span(i, j)[1]] for i, j in sentences(tokens)]
    assert got == parts


@given(st.text())
def test_sentences_cover_tokens_in_order(text):
    tokens = tokenize(text)
    spans = sentences(tokens)
    for (i, j), (k, _l) in zip(spans, spans[1:]):
        assert i < j <= k
    for i, j in spans:
        assert 0 <= i < j <= len(tokens)


@given(st.one_of(st.text(min_size=1), st.from_regex(r"[A-Za-z0-9]{1,8}", fullmatch=True)), st.booleans())
def test_fast_shape_path_agrees_with_the_full_one(token, glued):
    from engine.tokenizer import _shape_kind_full, shape_kind

    assert shape_kind(token, glued) == _shape_kind_full(token, glued)


# words of letters from any script (every case, titlecase and uncased ones,
# some that only look like letters) joined by hyphens and apostrophes, with a
# few characters that must send a word down the full path
_JOINED = st.lists(st.one_of(st.characters(categories=["L"]), st.characters(categories=["Lt", "Lm", "Lo", "Nl", "Mn"]),
                             st.sampled_from(list("-'’aZ.$@1s"))), min_size=1, max_size=8).map("".join)


@settings(max_examples=400)
@given(_JOINED, st.booleans())
def test_the_joined_letters_path_agrees_with_the_full_one(token, glued):
    from engine.tokenizer import _shape_kind_full, shape_kind

    assert shape_kind(token, glued) == _shape_kind_full(token, glued)


def test_what_the_joined_letters_path_assumes_of_every_letter():
    """shape_kind decides a word of letters (str.isalpha) without the full
    path's regexes: that holds only while every such character is a \\p{L}
    for the regex module and never a \\p{N}, a \\d or whitespace.  Both
    modules carry their own Unicode tables, so this checks every code point."""
    letter, number = regex.compile(r"\p{L}"), regex.compile(r"[\p{N}\d\s]")
    wrong = [hex(c) for c in range(0x110000)
             if chr(c).isalpha() and (not letter.match(chr(c)) or number.match(chr(c)) or chr(c).isspace())]
    assert wrong == []


def test_regression_degree_sign_letter_is_not_an_initial():
    # "41 °C. A cyclist" ends a sentence: the C is a unit, not an initial like "John F. Kennedy"
    assert [t for t, _ in texts_and_kinds("It reached 41 °C. A cyclist fell.")][3:7] == ["°", "C", ".", "A"]
    assert "F." in [t for t, _ in texts_and_kinds("John F. Kennedy spoke.")]


# letters (one with a combining mark), digits, and every character that can
# continue a word into a longer token or start a rare form
_TRICKY = list("abAUSéU$1'’-.+@:/,;!?\"“” \n\t") + ["e\u0301", "http", "https", "://", "www", "US", "Col", "s"]


@settings(max_examples=600)
@given(st.one_of(st.text(), st.lists(st.sampled_from(_TRICKY), max_size=30).map("".join)))
def test_plain_word_shortcut_cuts_as_the_full_pattern_does(text):
    from engine import tokenizer

    full = regex.compile(r"[^\S\n]*(?:" + tokenizer._PARA + r"|\s*(?:" + tokenizer._TOKEN + "))")
    assert tokenizer.TOKEN_RE.findall(text) == full.findall(text)


@settings(max_examples=500)
@given(st.one_of(st.text(), st.text(alphabet=st.sampled_from(list(" \n\t\x1c\x85\xa0ab.")), max_size=6)))
def test_key_shortcuts_agree_with_the_whitespace_pattern(key):
    """split_key skips the regex for "word" and " word"; the answers are
    those the regex gives."""
    from engine.tokenizer import _LEAD_WS, key_kind, shape_kind, split_key

    n = _LEAD_WS.match(key).end()
    assert split_key(key) == ((key, False) if n == len(key) else (key[n:], n == 0))
    bare, glued = split_key(key)
    assert key_kind(key) == (bare, glued, shape_kind(bare, glued))


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("ab1,. \n\t\x1c\x85\"'")), max_size=40), st.data())
def test_span_is_the_start_of_its_first_token_and_the_end_of_its_last(text, data):
    """A span starts after the whitespace in front of its first token (a
    paragraph break, all whitespace, starts where it begins), read here with
    the whitespace regex rather than the token table ``span`` uses."""
    from engine.tokenizer import _LEAD_WS

    tokens = tokenize(text)
    if not len(tokens):
        return
    i = data.draw(st.integers(0, len(tokens) - 1))
    j = data.draw(st.integers(i + 1, len(tokens)))
    key = tokens.keys[i]
    lead = _LEAD_WS.match(key).end()
    begin = tokens.ends[i] - len(key) + (0 if lead == len(key) else lead)
    assert tokens.span(i, j) == (begin, tokens.ends[j - 1])
    assert tokens.span(i, j) == (tokens.token(i).start, tokens.token(j - 1).end)
