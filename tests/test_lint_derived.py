"""A lexicon used only inside a set expression (any_of/except) is used (engine/lint.py)."""
import engine
from engine.lint import lint


def test_lexicon_used_in_a_set_expression_is_not_reported_unused(tmp_path):
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "pack: lint_demo\n"
        "lexicons:\n  STOPWORD: [the, a]\n  SPARE: [unused]\n"
        "  CONTENT:\n    any_of: [WORD]\n    except: [STOPWORD]\n"
        "rules:\n  content: CONTENT+\n"
        "constructions:\n  content:\n    label: C\n    examples: [Big dogs]\n",
        encoding="utf-8")
    findings = [f for f in lint(engine.load(pack, cache=False)) if "W103" in f]
    assert len(findings) == 1 and "'SPARE'" in findings[0]


def test_lexicon_used_through_nested_set_expressions_is_used(pack_from):
    pack = pack_from(
        "pack: lint_nested\n"
        "lexicons:\n  STOPWORD: [the, a]\n  NEGATION: [not, never]\n  SPARE: [unused]\n"
        "  CONTENT:\n    any_of: [WORD]\n    except: [STOPWORD]\n"
        "  PLAIN:\n    any_of: [CONTENT]\n    except: [NEGATION]\n"
        "rules:\n  content: PLAIN+\n"
        "constructions:\n  content:\n    label: C\n    examples: [Big dogs]\n")
    findings = [f for f in lint(pack) if "W103" in f]
    assert len(findings) == 1 and "'SPARE'" in findings[0]
