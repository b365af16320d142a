"""The shared encoder (encoding.py) gives the token string that encoding one
token at a time does: ``Alphabet.char`` per token, the first one as
following a space, then every sentence-final stop that
``tokenizer.sentence_ends`` finds turned into a sentence end."""
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine
from engine import encoding
from engine.alphabet import BASE
from engine.tokenizer import KINDS, sentence_ends

ROOT = Path(__file__).resolve().parent.parent
PACKS = ["rules/quantities.yaml", "rules/attribution.yaml"]

# words the bundled packs know, shapes the tokenizer tells apart, and the
# marks the first-token and sentence-end passes look at
_PIECES = ["said", "Said", "SAID", "according", "to", "per", "cent", "km", "troops", "million", "as", "many",
           "Police", "U.S.", "Col.", "9,000", "1.5", "1/2", "22nd", "1990s", "F-16", "it's", "'s", "$", "US$",
           "%", "°C", "-", "—", ".", "...", "!", "?", ",", ":", '"', "'", "“", "”", "‘", "’", "(", ")",
           "x", "é", "NATO", "www.example.org"]
_SPACES = ["", " ", "  ", "\n", "\n\n", "\t", "\n \n"]
texts = st.lists(st.tuples(st.sampled_from(_SPACES), st.sampled_from(_PIECES)), max_size=30).map(
    lambda parts: "".join(space + piece for space, piece in parts))


@pytest.fixture(scope="module")
def packs():
    return [engine.load(ROOT / p) for p in PACKS]


def one_by_one(pack, tokens) -> str:
    """The token string as it was built before encoding.py: a character per token."""
    alphabet = pack.compiled.alphabet
    chars = [alphabet.char(key, first=i == 0) for i, key in enumerate(tokens.keys)]
    kinds = [KINDS[(ord(ch) - BASE) // alphabet.n] for ch in chars]
    shift = (KINDS.index("sentend") - KINDS.index("stop")) * alphabet.n
    for i in sentence_ends(kinds):
        chars[i] = chr(ord(chars[i]) + shift)
    return "".join(chars)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_shared_encoding_is_the_one_by_one_encoding(packs, text):
    tokens = engine.tokenize(text)
    for pack in packs:
        assert pack.encode(tokens) == one_by_one(pack, tokens)
        assert min(pack.encode(tokens), default=chr(BASE)) >= chr(BASE)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)).map(
    lambda w: w.upper() if len(w) % 3 == 0 else w.capitalize() if len(w) % 3 == 1 else w), max_size=12),
    st.lists(st.sampled_from(_SPACES), min_size=1))
def test_lexsets_of_many_strings_are_the_lexset_of_each(packs, words, spaces):
    """Alphabet.lexsets_of, from the bare texts, lower-case texts and paragraph
    flags the key table keeps, gives what lexset gives one string at a time."""
    from engine.tokenizer import key_kind

    keys = [spaces[i % len(spaces)] + w for i, w in enumerate(words)]
    infos = [key_kind(k) for k in keys]
    for pack in packs:
        alphabet = pack.compiled.alphabet
        got = alphabet.lexsets_of([b for b, _, _ in infos], [b.lower() for b, _, _ in infos],
                               [kind == "para" for _, _, kind in infos])
        assert got == [alphabet.lexset(k) for k in keys]


def test_a_paragraph_break_has_no_lexical_set_even_where_a_lexicon_lists_its_text():
    from engine.alphabet import Alphabet
    from engine.tokenizer import key_kind

    alphabet = Alphabet({"\n\n": {"GAP"}, "km": {"UNIT"}}, {"per": {"PER"}})
    keys = ["\n\n", " km", " Per", " x"]
    infos = [key_kind(k) for k in keys]
    assert [kind for _, _, kind in infos][0] == "para"
    got = alphabet.lexsets_of([b for b, _, _ in infos], [b.lower() for b, _, _ in infos],
                              [kind == "para" for _, _, kind in infos])
    assert got == [alphabet.lexset(k) for k in keys]
    assert got[0] == got[3] == 0 and 0 not in got[1:3]


@settings(max_examples=30, deadline=None)
@given(st.lists(texts, min_size=2, max_size=6))
def test_a_table_started_afresh_gives_the_same_strings(packs, batch):
    """Past its limit the key table numbers the strings again from zero; the
    encoders drop their tables, and Tokens encoded before still encode right."""
    old = encoding.TABLE
    encoding.TABLE = encoding.KeyTable()
    encoding.TABLE.LIMIT = 5
    try:
        kept = [engine.tokenize(t) for t in batch]
        for tokens in kept:
            for pack in packs:
                assert pack.encode(tokens) == one_by_one(pack, tokens)
        for tokens in kept:  # encoded under an older generation: numbered again
            assert packs[0].encode(tokens) == one_by_one(packs[0], tokens)
    finally:
        encoding.TABLE = old


def test_threads_encoding_at_once_agree_with_one_by_one(packs):
    words = [f"w{i}" for i in range(3000)]
    batches = [" ".join(words[k::4]) + ". Said one." for k in range(4)]
    results, errors = {}, []

    def work(k):
        try:
            tokens = engine.tokenize(batches[k])
            results[k] = [(p.encode(tokens), one_by_one(p, tokens)) for p in packs]
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for pairs in results.values():
        for got, want in pairs:
            assert got == want
