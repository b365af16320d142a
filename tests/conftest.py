"""Test set-up: import the engine of this checkout, and keep the cache per run."""
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Compiled packs go to a cache of this test run, never the user's."""
    import os

    os.environ["LARKSPAN_CACHE"] = str(tmp_path_factory.mktemp("larkspan-cache"))
    yield


@pytest.fixture
def pack_from(tmp_path):
    """A function that writes pack text to a file of this test and loads it
    (uncached): ``pack_from("pack: p\\n...")``."""
    import engine

    def load(text: str):
        pack_file = tmp_path / "p.yaml"
        pack_file.write_text(text, encoding="utf-8")
        return engine.load(pack_file, cache=False)

    return load
