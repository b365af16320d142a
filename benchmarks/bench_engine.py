"""The engine benchmark: `larkspan bench` runnable from a checkout without installing.

    python benchmarks/bench_engine.py ../shared/data/polnear/train.jsonl --mb 4 --processes 1,2 --peers

See engine/bench.py for what is measured and how.  The corpus is read where
it lies; nothing from it is copied into the repository.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
