"""The ``mathoracle`` command: ``list``, ``check``, ``report`` and ``new-oracle``.

Exit status: 0 the target conforms (known deviations included; inaccurate, refused and
not-supported results too, unless ``--strict``), 1 it does not, 2 bad input to the tool
itself (one line on stderr, no traceback).
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings

from mathoracle import _validate, check, list_oracles, parse_param, report
from mathoracle.core.guard import DEFAULT_TIMEOUT
from mathoracle.plugins import PluginWarning
from mathoracle.registry import UsageError
from mathoracle.results import ERROR, FAIL, STRICT_ONLY
from mathoracle.scaffold import new_oracle
from mathoracle.sweep.command import add_parser as add_sweep
from mathoracle.sweep.command import run as _sweep
from mathoracle.tables import catalogue_table, deviations_table, laws_table
from mathoracle.text import format_check


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
                     help="print the README's Markdown tables (catalogue, laws, known deviations)")
    ck = sub.add_parser("check", help="check a function against an oracle")
    ck.add_argument("oracle", help="oracle id, e.g. activation.softmax")
    ck.add_argument("target", help="module:function, path/to/file.py:function, or a bundled "
                                   "implementation (numpy, torch, scipy, sklearn)")
    ck.add_argument("--dtype", action="append", help="float16, float32 or float64 (or bfloat16, "
                    "float8_e4m3fn, float8_e5m2); repeatable (default: every one of float16/32/64 "
                    "the target accepts)")
    ck.add_argument("--max-examples", type=int, default=100, help="examples per property and dtype")
    ck.add_argument("--seed", type=int, help="seed of the search (default: random, printed)")
    ck.add_argument("--property", action="append", help="run only this property; repeatable")
    ck.add_argument("--no-shrink", action="store_true", help="report the first failing input "
                    "as found, without minimising it (faster)")
    ck.add_argument("-v", "--verbose", action="store_true", help="show passing properties too")
    ck.add_argument("--convention", action="append", default=[], metavar="NAME=VALUE",
                    help="a declared convention, e.g. relu_grad_at_zero=1; repeatable")
    ck.add_argument("--assume", metavar="EXPR", help="check only inputs where this Python "
                    "expression over the argument names and np holds, e.g. 'np.all(y > 0)'")
    _verdict_options(ck)
    _limits(ck)
    rp = sub.add_parser("report", help="check whole implementations over the whole catalogue and "
                                       "write report.json, report.xml, report.md, report.html")
    rp.add_argument("--impl", default="numpy,torch,scipy,sklearn",
                    help="comma-separated implementations: bundled names, package.module "
                         "(with FUNCTIONS or IMPLEMENTATION) or path/to/file.py "
                         "(default: numpy,torch,scipy,sklearn)")
    rp.add_argument("--out", default="reports", help="directory to write into (default: reports)")
    rp.add_argument("--oracle", action="append", help="only this oracle id; repeatable")
    rp.add_argument("--dtype", action="append", help="float16, float32 or float64 (or bfloat16, "
                    "float8_e4m3fn, float8_e5m2); repeatable")
    rp.add_argument("--max-examples", type=int, default=100, help="examples per property and dtype")
    rp.add_argument("--seed", type=int, help="seed of the search (default: random, recorded)")
    rp.add_argument("--jobs", "-j", type=int, default=1, help="processes to run checks on")
    rp.add_argument("--assume", metavar="EXPR", help="check only inputs where this Python "
                    "expression holds, in the oracles that have every argument it names, "
                    "e.g. 'np.all(y_true > 0)'")
    rp.add_argument("--scheduler", metavar="ADDRESS",
                    help="run the checks on this dask scheduler (tcp://host:8786) instead of local "
                         "processes; its workers need mathoracle and the libraries installed")
    rp.add_argument("--quiet", "-q", action="store_true", help="no progress output")
    _verdict_options(rp, report=True)
    rp.add_argument("--sweep", action="store_true", help="also sweep every unary id exhaustively "
                    "in float16, bfloat16 and the float8 formats (an 'Exhaustive sweeps' section)")
    _limits(rp)
    add_sweep(sub)
    no = sub.add_parser("new-oracle", help="write the skeleton files of a new oracle")
    no.add_argument("oracle", help="the new id, section.name (e.g. activation.gelu)")
    no.add_argument("--root", default=".", help="the project's root directory (default: .)")
    return p


def _verdict_options(parser, report: bool = False) -> None:
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="pin a parameter for the whole check, e.g. activation=relu (VALUE "
                             "a Python literal, else a string); repeatable"
                             + ("; applies to the oracles that have it" if report else ""))
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 also on inaccurate, refused and not-supported results"
                             + ("" if report else " and on refused inputs")
                             + (" (without it the exit status is 0 once the reports are written)"
                                if report else ""))


def _params(args) -> dict:
    pairs = [parse_param(text) for text in args.param]
    names = [n for n, _ in pairs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UsageError(f"--param {twice[0]} is given twice; pin each parameter once")
    return dict(pairs)


def _limits(parser) -> None:
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help=f"seconds one call of the target may take; 0 for no limit "
                             f"(default: {DEFAULT_TIMEOUT:g})")
    parser.add_argument("--isolate", action="store_true",
                        help="call the target in a separate process, so that a crash "
                             "(segfault, exit) is a recorded failure")


def _list(as_json: bool, as_markdown: bool) -> int:
    rows = list_oracles()
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if as_markdown:
        print(catalogue_table(rows))
        print()
        print(laws_table())
        print()
        print(deviations_table())
        return 0
    w = max(len(r["id"]) for r in rows)
    f = max(len(r["formula"]) for r in rows)
    print(f"{'id':<{w}}  {'formula':<{f}}  implementations")
    for r in rows:
        print(f"{r['id']:<{w}}  {r['formula']:<{f}}  {', '.join(r['implementations']) or '—'}")
    return 0


def _timeout(args) -> float | None:
    if args.timeout < 0 or args.timeout != args.timeout:
        raise UsageError(f"--timeout {args.timeout:g} must be a number of seconds ≥ 0 (0: no limit)")
    return args.timeout or None


def _dtypes(args):
    return [d for item in args.dtype for d in item.split(",")] if args.dtype else None


def _check(args) -> int:
    result = check(args.oracle, args.target, dtypes=_dtypes(args), max_examples=args.max_examples,
                   seed=args.seed, properties=args.property, shrink=not args.no_shrink,
                   timeout=_timeout(args), isolate=args.isolate, conventions=args.convention,
                   params=_params(args), assume=args.assume)
    print(format_check(result, verbose=args.verbose))
    return 1 if result.fails(strict=args.strict) else 0


def _report(args) -> int:
    specs = [s.strip() for s in args.impl.split(",")]
    if not all(specs) or len(set(specs)) != len(specs):
        raise UsageError(f"--impl {args.impl!r} must be distinct, comma-separated implementation names")
    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs} must be at least 1")
    dtypes = _validate(_dtypes(args), args.max_examples, args.seed)
    params = _params(args)
    doc = report.build(specs, oracle_ids=args.oracle, max_examples=args.max_examples, seed=args.seed,
                       jobs=args.jobs, timeout=_timeout(args), isolate=args.isolate, dtypes=dtypes,
                       progress=not args.quiet, params=params, sweeps=args.sweep,
                       scheduler=args.scheduler, assume=args.assume)
    paths = report.write(doc, args.out)
    s = doc["summary"]
    counts = ", ".join(f"{s.get(k, 0)} {k}" for k in ("pass", "inaccurate", "refused", "not supported",
                                                       "fail", "error", "known deviation", "not applicable"))
    print(f"{counts} in {doc['wall_seconds']:.0f} s (seed {doc['seed']}); wrote "
          f"{', '.join(str(p) for p in paths)}")
    return 1 if args.strict and strict_failures(doc) else 0


def strict_failures(doc: dict) -> list[str]:
    """Ids of the report's records that fail under --strict: fail, error, inaccurate,
    refused or not supported, or a record with refused inputs or unsupported values."""
    return [r["id"] for r in doc["results"] if r["status"] in (FAIL, ERROR, *STRICT_ONLY)
            or r.get("refusals") or r.get("unsupported")]


def _new_oracle(args) -> int:
    paths = new_oracle(args.oracle, args.root)
    for path in paths:
        print(f"wrote {path}")
    return 0


def _one_line_warnings() -> None:
    """A plugin's warning as one line on stderr (no source location)."""
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, PluginWarning):
            print(f"mathoracle: warning: {message}", file=sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)
    warnings.showwarning = show


def main(argv=None) -> int:
    _one_line_warnings()
    try:
        args = _parser().parse_args(argv)
        if args.command == "list":
            return _list(args.json, args.markdown)
        return {"check": _check, "report": _report, "new-oracle": _new_oracle,
                "sweep": _sweep}[args.command](args)
    except UsageError as exc:
        print(f"mathoracle: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("mathoracle: interrupted", file=sys.stderr)
        return 130
