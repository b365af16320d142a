"""Check whether the installed Hyperscan loses matches of a repeated
alternation, which is why prefilter.loosen flattens every repeated
sub-expression into a run of a character class.

Keeping a repeated group's inside (``(LINK DET? WORD* HEAD)*`` instead of
``[LINK DET WORD HEAD]*``) would let the attribution pack's prefilter report
about a third fewer starts, but the Hyperscan build bundled with the
``hyperscan`` module 0.9.1 (Vectorscan 5.4.12) then misses some match ends
(and so the starts of real matches) on ordinary documents.  The smallest
case found: the pattern below over 70 bytes, where the ``regex`` module
finds matches ending at the last four offsets and Hyperscan reports none of
them.  Run it after upgrading the module:

    python tools/hyperscan_repeat_bug.py

It prints the missing ends and exits 1 while the bug is there, 0 once it is
gone (then the repeated groups are worth trying again; benchmarks/prefilter_starts.py
counts the starts).
"""
from __future__ import annotations

import sys

import hyperscan
import regex

PATTERN = rb"[\x0c\x0e\x11\x12\x1b-\x1ea-e]v(?:[^\x00\x04\n\x0c\x11\x1b\x5b\x5ca-coqu-w]|[pq][^\x00oqvw])*"
DATA = b"\x0cv" + b"%" * 43 + b"u" + b"%" * 18 + b"\x12v%\x06\x17]"


def main() -> int:
    db = hyperscan.Database()
    db.compile(expressions=[PATTERN], ids=[0], elements=1)
    found: set[int] = set()
    db.scan(DATA, match_event_handler=lambda _id, _start, end, _flags, _ctx: found.add(end))
    oracle = regex.compile(b"(?:" + PATTERN + rb")\Z")
    expected = {end for end in range(1, len(DATA) + 1) if oracle.search(DATA[:end])}
    missing = sorted(expected - found)
    print(f"hyperscan {hyperscan.__version__}: {len(expected)} match ends expected, missing {missing or 'none'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
