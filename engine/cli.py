"""The ``larkspan`` command.

Exit codes: 0 success; 1 a check or test failed; 2 bad input or bad usage
(the message names the file, the line and what to do).
"""
from __future__ import annotations

import argparse
import sys
import time

from .errors import LarkspanError, UsageError


def _positive_int(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text}")
    return n


def _processes(text: str) -> int:
    n = int(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (one per core) or more, not {text}")
    return n


def _seconds(text: str) -> float:
    x = float(text)
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return x


def _days(text: str) -> float:
    x = float(text)
    if not 0 <= x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of days, 0 or more, not {text}")
    return x


def _located(error: dict, path: str) -> str:
    """An error record's message as ``PATH:LINE: message`` (messages that
    name their file already are left as they are)."""
    msg = error["message"]
    return msg if msg.startswith(path) else f"{path}:{error.get('line', '?')}: {msg}"


def _load_packs(paths, use_cache=True):
    from .api import load, stderr_notice

    return [load(p, cache=use_cache, notice=stderr_notice) for p in paths]


def _progress(total_bytes, enabled):
    """A tqdm bar on a terminal (documents, MB/s, time left), else None."""
    if not enabled or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total_bytes or None, unit="B", unit_scale=True, unit_divisor=1000,
                desc="extract", file=sys.stderr, dynamic_ncols=True)


def cmd_extract(args) -> int:
    import os
    from itertools import islice

    from .batch import run
    from .docio import ResumableOutput, dump, read_docs

    packs = _load_packs(args.pack, not args.no_cache)
    if args.resume and args.output == "-":
        raise UsageError("--resume needs an output file (-o OUT)", fix="write to a file with -o OUT.jsonl")
    if args.input != "-" and (not os.access(args.input, os.R_OK) or os.path.isdir(args.input)):
        from .errors import InputError

        raise InputError("cannot read the input file" + (": it is a directory" * os.path.isdir(args.input)),
                         file=args.input, fix="check the path; use '-' to read standard input")
    if args.input != "-" and args.output != "-":
        real_in = os.path.realpath(args.input)
        if real_in in (os.path.realpath(args.output), os.path.realpath(args.output) + ".part"):
            raise UsageError(f"the output {args.output} would overwrite the input", file=args.input,
                             fix="write the output to another file")
    docs_iter = read_docs(args.input, args.format)
    out = sys.stdout if args.output == "-" else ResumableOutput(args.output, args.resume)
    done = getattr(out, "done_ids", [])
    skipped = list(islice(docs_iter, len(done)))
    if [d.id for d in skipped] != done:
        out.close()
        raise UsageError(f"{args.output}.part does not belong to this input (its document ids differ)",
                         file=f"{args.output}.part", fix="run again without --resume to start over")
    total = os.path.getsize(args.input) if args.input != "-" else 0
    bar = _progress(total, not args.quiet)
    if bar is not None and skipped:
        bar.update(sum(d.size for d in skipped))
    counts = {"docs": len(skipped), "failed": 0, "matches": 0, "chars": 0}
    started = time.perf_counter()
    shown = 0

    def docs_with_size():
        for doc in docs_iter:
            sizes.append(doc.size)
            yield doc

    from collections import deque

    sizes: deque[int] = deque()  # bytes of the documents read but not yet written: stays small
    try:
        for record in run(packs, docs_with_size(), processes=args.processes,
                          timeout=args.timeout, chunk_size=args.chunk_size):
            counts["docs"] += 1
            if "error" in record:
                counts["failed"] += 1
                if shown < 20:
                    print(f"larkspan: {_located(record['error'], args.input)}", file=sys.stderr)
                    shown += 1
            else:
                counts["matches"] += len(record["annotations"])
                counts["chars"] += len(record["text"])
            out.write(dump(record) + "\n")
            size = sizes.popleft()
            if bar is not None:
                bar.update(size)
        if out is not sys.stdout:
            out.commit()
    except KeyboardInterrupt:
        if out is not sys.stdout:
            out.flush()
            out.close()
            print(f"larkspan: interrupted after {counts['docs']} documents; run again with --resume "
                  f"to carry on from {args.output}.part", file=sys.stderr)
        return 130
    except LarkspanError as exc:  # the input itself broke off (a damaged compressed stream)
        if out is not sys.stdout:
            out.close()
            exc.fix += (f"; the {counts['docs']} documents before it are in {args.output}.part: "
                        "run again with --resume once the input is whole")
        raise
    finally:
        if bar is not None:
            bar.close()
    secs = time.perf_counter() - started
    if shown < counts["failed"]:
        print(f"larkspan: ... and {counts['failed'] - shown} more failed documents", file=sys.stderr)
    if not args.quiet:
        print(f"larkspan: {counts['docs']} documents, {counts['matches']} matches, {counts['failed']} failed, "
              f"{counts['chars'] / max(secs, 1e-9) / 1e6:.2f} MB/s", file=sys.stderr)
    return 2 if counts["failed"] else 0


def cmd_show(args) -> int:
    """Extract from a text given on the command line or a file, as a table (and a page)."""
    from .batch import extract_record
    from .docio import read_docs
    from .report import match_table

    packs = _load_packs(args.pack, not args.no_cache)
    if args.text is not None:
        docs = [{"id": "text", "text": args.text}]
    else:  # a bad line is shown as its error, as extract writes it
        docs = list(read_docs(args.input, args.format))
    records = [extract_record(packs, d) for d in docs]
    failed = 0
    for r in records:
        if "error" in r:
            failed += 1
            msg = r["error"]["message"] if args.text is not None else _located(r["error"], args.input)
            print(f"== {r['id']}: error: {msg}")
            continue
        print(match_table(r, width=args.width))
    if args.html:
        from . import htmlview

        htmlview.write(records, args.html)
        print(f"wrote {args.html}", file=sys.stderr)
    if failed:
        print(f"larkspan: {failed} of {len(records)} documents failed", file=sys.stderr)
    return 2 if failed else 0


def cmd_compile(args) -> int:
    from .api import compile_pack, stderr_notice

    compiled = compile_pack(args.pack, not args.no_cache, stderr_notice)
    if args.regex:
        for g in compiled.groups:
            print(f"// group {g.label} ({g.mode}, {g.policy})")
            for source in ([g.pattern] if g.pattern else list(g.patterns.values())):
                print(source.encode("unicode_escape").decode("ascii"))
        return 0
    print(compiled.grammar_text)
    return 0


def cmd_check(args) -> int:
    from .api import Pack, compile_pack, stderr_notice
    from .lint import lint

    compiled = compile_pack(args.pack, not args.no_cache, stderr_notice)
    pack = Pack(compiled)
    findings = lint(pack)
    if args.corpus:
        from .docio import read_docs
        from .lint import corpus_lint

        docs = list(read_docs(args.corpus))
        bad = [d for d in docs if d.error is not None]
        findings += corpus_lint(pack, [d.text for d in docs if d.error is None], args.often)
    else:
        bad = []
    for f in findings:
        print(f, file=sys.stderr)
    for d in bad:  # the lint ran without these lines; say so, and fail
        print(f"larkspan: {_located(d.error, args.corpus)}; the line was left out of the corpus lint",
              file=sys.stderr)
    print(f"{args.pack}: ok: pack {pack.id}, {len(compiled.constructions)} constructions, "
          f"{compiled.rule_count} rules, {compiled.entry_count} lexicon entries, {len(findings)} warnings")
    if bad:
        return 2
    return 1 if findings and args.strict else 0


def cmd_test(args) -> int:
    from .testing import run_examples

    if args.watch:
        from .watch import watch

        if len(args.pack) != 1:
            raise UsageError("--watch follows one pack", fix="give one PACK with --watch")

        def say(line):
            print(line, flush=True)

        return watch(args.pack[0], gold=args.gold, interval=args.interval, cycles=args.watch_cycles, out=say)

    failed = 0
    total = 0
    for pack in _load_packs(args.pack, not args.no_cache):
        borrowed: list = []
        count, failures = run_examples(pack, strict=args.strict, borrowed=borrowed)
        total += count
        failed += len(failures)
        for f in failures:
            print(f.format())
        line = f"{pack.id}: {count - len(failures)} passed, {len(failures)} failed"
        if borrowed and not args.strict:
            line += (f" ({len(borrowed)} example{'s' * (len(borrowed) != 1)} matched by another "
                     "construction; --strict lists them as failures)")
        print(line)
    return 1 if failed else 0


def cmd_explain(args) -> int:
    from .api import load, stderr_notice

    pack = load(args.pack, cache=not args.no_cache, notice=stderr_notice)
    text = args.text if args.text is not None else sys.stdin.read()
    if args.rule:
        try:
            print(pack.why_not(text, args.rule).format())
        except UsageError as exc:  # an unknown rule: name the pack it is not in
            exc.file = exc.file or args.pack
            raise
        return 0
    found = pack.explain(text)
    if not found:
        print("no match; use --rule NAME to see how far a rule gets")
    for ex in found:
        print(ex.format())
        print()
    return 0


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def cmd_cache(args) -> int:
    from . import cache

    if args.max_size is not None:
        try:
            limit = cache.parse_size(args.max_size)
        except ValueError as exc:
            raise UsageError(f"--max-size: {exc}", fix="for example --max-size 500M, or --max-size off") from None
    else:
        limit = cache._limit_from_env()
    directory = cache.cache_dir()
    if args.action == "info":
        found, partial = cache.entries()
        packs = sum(e.path.suffix == ".pkl" for e in found)
        tables = sum(e.path.name.startswith("units-") for e in found)
        total = sum(e.size for e in found)
        print(f"cache: {directory}")
        print(f"  {len(found)} entries, {_size(total)}: {packs} compiled packs, "
              f"{len(found) - packs - tables} prefilter databases"
              + (f", {tables} table{'s' * (tables != 1)} of unit conversions" if tables else "")
              + (f"; {len(partial)} half-written" if partial else ""))
        if found:
            age = (time.time() - found[0].used) / 86400
            print(f"  least recently used: {age:.1f} days ago")
        print(f"  limit: {_size(limit) if limit is not None else 'none'} "
              "(LARKSPAN_CACHE_MAX; the least recently used entries go when a new one is written)")
        return 0
    if args.action == "clear":
        report = cache.prune(max_bytes=0, dry_run=args.dry_run)
    else:
        older = args.older_than * 86400 if args.older_than is not None else None
        report = cache.prune(max_bytes=limit, older_than=older, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    print(f"cache: {directory}: {verb} {len(report.removed)} entries ({_size(report.freed)}); "
          f"{len(report.kept)} entries ({_size(report.size)}) kept")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="larkspan", description="Rule-based information extraction with "
                                "declarative grammars.")
    p.add_argument("--version", action="version", version=f"larkspan {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    def common(sp, many=True):
        if many:
            sp.add_argument("--pack", action="append", required=True, metavar="PACK",
                            help="a rule pack (.yaml); repeat for several")
        sp.add_argument("--no-cache", action="store_true", help="compile afresh; do not read or write the cache")

    sp = sub.add_parser("extract", help="extract matches from documents into gold-format JSONL")
    common(sp)
    sp.add_argument("input", metavar="INPUT", help="a .txt file (one document), a .jsonl file, or - for stdin")
    sp.add_argument("-o", "--output", default="-", help="output JSONL (default: stdout)")
    sp.add_argument("--format", choices=["auto", "text", "jsonl"], default="auto")
    sp.add_argument("--timeout", type=_seconds, default=None, help="seconds per document scan (default: pack's)")
    sp.add_argument("--processes", "-j", type=_processes, default=1, help="worker processes (0: one per core)")
    sp.add_argument("--chunk-size", type=_positive_int, default=64, help="documents sent to a worker at a time")
    sp.add_argument("--resume", action="store_true", help="carry on an interrupted run from OUT.part")
    sp.add_argument("-q", "--quiet", action="store_true")
    sp.set_defaults(func=cmd_extract)

    sp = sub.add_parser("show", help="extract and print the matches as a readable table")
    common(sp)
    sp.add_argument("input", nargs="?", default="-", help="a .txt or .jsonl file, or - for stdin")
    sp.add_argument("--text", help="a text to analyse instead of a file")
    sp.add_argument("--format", choices=["auto", "text", "jsonl"], default="auto")
    sp.add_argument("--width", type=int, default=100)
    sp.add_argument("--html", metavar="PAGE.html", help="also write the extractions as a self-contained page")
    sp.set_defaults(func=cmd_show)

    sp = sub.add_parser("explain", help="show each match's derivation, or why a rule did not fire")
    sp.add_argument("pack", metavar="PACK")
    sp.add_argument("text", nargs="?", help="the text (default: standard input)")
    sp.add_argument("--rule", help="a construction or rule: how far it gets and what stops it")
    sp.add_argument("--no-cache", action="store_true")
    sp.set_defaults(func=cmd_explain)

    sp = sub.add_parser("compile", help="print a pack's Lark grammar")
    sp.add_argument("pack", metavar="PACK")
    sp.add_argument("--regex", action="store_true", help="print the compiled regexes instead")
    sp.add_argument("--no-cache", action="store_true")
    sp.set_defaults(func=cmd_compile)

    sp = sub.add_parser("check", help="validate and lint a pack")
    sp.add_argument("pack", metavar="PACK")
    sp.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")
    sp.add_argument("--corpus", help="a .txt or .jsonl corpus: also lint how the rules behave on it")
    sp.add_argument("--often", type=float, default=20.0,
                    help="warn when a construction fires more than this often per 1,000 tokens (default 20)")
    sp.add_argument("--no-cache", action="store_true")
    sp.set_defaults(func=cmd_check)

    sp = sub.add_parser("test", help="run a pack's examples and counterexamples")
    sp.add_argument("pack", nargs="+", metavar="PACK")
    sp.add_argument("--strict", action="store_true",
                    help="fail an example whose match another construction gives (it no longer tests its own)")
    sp.add_argument("--watch", action="store_true", help="run again on every save; print what changed")
    sp.add_argument("--gold", help="with --watch: also score the pack on this gold file")
    sp.add_argument("--interval", type=float, default=0.5, help=argparse.SUPPRESS)
    sp.add_argument("--watch-cycles", type=int, default=None, help=argparse.SUPPRESS)
    sp.add_argument("--no-cache", action="store_true")
    sp.set_defaults(func=cmd_test)

    sp = sub.add_parser("cache", help="show or prune the cache of compiled packs",
                        description="The cache of compiled packs, prefilter databases and unit conversions "
                        "($LARKSPAN_CACHE or ~/.cache/larkspan). 'info' (the default) shows its size, "
                        "'prune' removes the least recently used entries beyond --max-size (default: "
                        "$LARKSPAN_CACHE_MAX or 1 GiB) and those unused for --older-than days, "
                        "'clear' removes every entry. Nothing else in the directory is touched.")
    sp.add_argument("action", nargs="?", choices=["info", "prune", "clear"], default="info")
    sp.add_argument("--max-size", metavar="SIZE", help="e.g. 500M or 2G; 'off' for no limit")
    sp.add_argument("--older-than", type=_days, metavar="DAYS", help="also remove entries unused this long")
    sp.add_argument("--dry-run", action="store_true", help="say what would go; remove nothing")
    sp.set_defaults(func=cmd_cache)

    from . import bench, cli_eval

    sp = sub.add_parser("bench", help="speed, memory and quality of packs and peers, in one run",
                        description=bench.__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bench.build_parser(sp)
    sp.set_defaults(func=bench.command)

    cli_eval.register(sub)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except LarkspanError as exc:
        print(f"larkspan: {exc.format()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("larkspan: interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


__all__ = ["main", "UsageError"]
