"""The ``mathoracle`` command: ``list`` and ``check``.

Exit status: 0 the target conforms (known deviations included), 1 it does not, 2 bad input
to the tool itself (one line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import json
import sys

from mathoracle.registry import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse prints usage and two lines)
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="mathoracle", description="Property-based verification of ML mathematics.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ls = sub.add_parser("list", help="every oracle: id, formula, implementations providing it")
    fmt = ls.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print JSON instead of a table")
    fmt.add_argument("--markdown", action="store_true",
                     help="print the README's Markdown tables (catalogue, known deviations)")
    ck = sub.add_parser("check", help="check a function against an oracle")
    ck.add_argument("oracle", help="oracle id, e.g. activation.softmax")
    ck.add_argument("target", help="module:function, path/to/file.py:function, or a bundled "
                                   "implementation (numpy, torch, scipy, sklearn)")
    ck.add_argument("--dtype", action="append", help="float16, float32 or float64; repeatable "
                    "(default: every float dtype the target accepts)")
    ck.add_argument("--max-examples", type=int, default=100, help="examples per property and dtype")
    ck.add_argument("--seed", type=int, help="seed of the search (default: random, printed)")
    ck.add_argument("--property", action="append", help="run only this property; repeatable")
    ck.add_argument("--no-shrink", action="store_true", help="report the first failing input "
                    "as found, without minimising it (faster)")
    ck.add_argument("-v", "--verbose", action="store_true", help="show passing properties too")
    return p


def markdown_table(rows) -> str:
    """The catalogue table as the README shows it."""
    def cell(s):
        return s.replace("|", "\\|")
    lines = ["| id | signature | formula | error model | implementations |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['id']}` | `{r['signature']}` | {cell(r['formula'])} | {r['error_model']} | "
                     f"{', '.join(r['implementations']) or '—'} |")
    return "\n".join(lines)


def deviations_table() -> str:
    """The known deviations of the bundled implementations, as the README shows them."""
    from mathoracle.registry import available_implementations
    lines = ["| implementation | oracle | properties | what differs | documented at |",
             "|---|---|---|---|---|"]
    for name, impl in available_implementations().items():
        if isinstance(impl, str):
            continue
        for dev in impl.deviations:
            lines.append(f"| {name} | `{dev.oracle}` | {', '.join(dev.properties)} | {dev.summary} | "
                         f"{dev.reference} |")
    return "\n".join(lines)


def _list(as_json: bool, as_markdown: bool) -> int:
    from mathoracle import list_oracles
    rows = list_oracles()
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if as_markdown:
        print(markdown_table(rows))
        print()
        print(deviations_table())
        return 0
    w = max(len(r["id"]) for r in rows)
    f = max(len(r["formula"]) for r in rows)
    print(f"{'id':<{w}}  {'formula':<{f}}  implementations")
    for r in rows:
        print(f"{r['id']:<{w}}  {r['formula']:<{f}}  {', '.join(r['implementations']) or '—'}")
    return 0


def _check(args) -> int:
    from mathoracle import check
    from mathoracle.text import format_check
    dtypes = [d for item in args.dtype for d in item.split(",")] if args.dtype else None
    result = check(args.oracle, args.target, dtypes=dtypes, max_examples=args.max_examples,
                   seed=args.seed, properties=args.property, shrink=not args.no_shrink)
    print(format_check(result, verbose=args.verbose))
    return 1 if result.status in ("fail", "error") else 0


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            return _list(args.json, args.markdown)
        return _check(args)
    except UsageError as exc:
        print(f"mathoracle: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mathoracle: interrupted", file=sys.stderr)
        return 130
