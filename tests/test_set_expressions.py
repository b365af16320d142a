"""Set expressions over set expressions: a class built from another
(``any_of: [CONTENT]``) takes exactly the tokens that the same expression
written out in full takes."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine

_LEXICONS = "  STOPWORD: [the, a, of]\n  NEGATION: [not, never]\n  CUE: [said, told]\n"
NESTED = ("pack: nested\nlexicons:\n" + _LEXICONS +
          "  CONTENT:\n    any_of: [WORD, NUM]\n    except: [STOPWORD]\n"
          "  PLAIN:\n    any_of: [CONTENT]\n    except: [NEGATION]\n"
          "  OPENER:\n    any_of: [PLAIN, CUE]\n    except: [NUM]\n"
          "rules:\n  r: OPENER PLAIN+\n"
          "constructions:\n  r: {label: X}\n")
FLAT = ("pack: flat\nlexicons:\n" + _LEXICONS +
        "  PLAIN:\n    any_of: [WORD, NUM]\n    except: [STOPWORD, NEGATION]\n"
        "  OPENER:\n    any_of: [WORD, CUE]\n    except: [STOPWORD, NEGATION, NUM]\n"
        "rules:\n  r: OPENER PLAIN+\n"
        "constructions:\n  r: {label: X}\n")
_WORDS = ["the", "a", "of", "not", "never", "said", "told", "Said", "ferry", "Ferry", "NOT", "12", "4.5", ",",
          ".", "x"]
texts = st.lists(st.sampled_from(_WORDS), max_size=25).map(" ".join)


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    out = []
    for source in (NESTED, FLAT):
        path = tmp_path_factory.mktemp("p") / "p.yaml"
        path.write_text(source, encoding="utf-8")
        out.append(engine.load(path, cache=False))
    return out


@settings(max_examples=300, deadline=None)
@given(texts)
def test_nested_classes_match_as_the_flat_ones(packs, text):
    nested, flat = ([(m.start, m.end) for m in p.extract(text)] for p in packs)
    assert nested == flat


def test_the_nested_pack_finds_something(packs):
    """(So the property above compares matches, not two empty lists.)"""
    assert [m.text for m in packs[0].extract("Said the ferry 12 never told x.")] == ["ferry 12", "told x"]
