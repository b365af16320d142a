"""larkspan: rule-based information extraction with declarative grammars.

    import engine
    pack = engine.load("rules/attribution.yaml")
    for match in pack.extract(text):
        print(match.label, match.span, match.slots, match.attrs)
"""
__version__ = "0.1.0"

from .api import Match, Pack, load  # noqa: E402
from .errors import InputError, LarkspanError, PackError, ScanTimeout  # noqa: E402
from .normalizers import register as register_normalizer  # noqa: E402
from .tokenizer import tokenize  # noqa: E402

__all__ = ["load", "Pack", "Match", "tokenize", "register_normalizer", "LarkspanError", "PackError",
           "InputError", "ScanTimeout", "__version__"]
