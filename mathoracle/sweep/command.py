"""``mathoracle sweep ORACLE TARGET --dtype D``: the command line of a sweep."""
from __future__ import annotations

import re

from mathoracle.core.errors import UsageError
from mathoracle.sweep import sweep


def add_parser(sub) -> None:
    sw = sub.add_parser("sweep", help="judge a unary oracle's target on every finite input of a "
                                      "dtype (or a range); write sweep.json and sweep.png")
    sw.add_argument("oracle", help="a unary oracle id, e.g. activation.sigmoid")
    sw.add_argument("target", help="module:function, path/to/file.py:function, or a bundled "
                                   "implementation (numpy, torch, ...)")
    sw.add_argument("--dtype", required=True, help="float16, bfloat16, float8_e4m3fn, float8_e5m2 "
                                                   "or float32")
    sw.add_argument("--range", metavar="LO,HI", help="only the dtype's values in [LO, HI]")
    sw.add_argument("--out", help="directory for chunks/, sweep.json and sweep.png "
                                  "(default: sweeps/ORACLE-TARGET-DTYPE)")
    sw.add_argument("--resume", metavar="DIR", help="continue the sweep in DIR from its completed chunks")
    sw.add_argument("--scheduler", metavar="ADDRESS", help="run the chunks on this dask scheduler")
    sw.add_argument("--workers", type=int, help="dask LocalCluster workers (default: one per CPU "
                                                "when there is more than one chunk; 0: in-process)")
    sw.add_argument("--chunk", type=int, help="inputs per task (default 4194304)")
    sw.add_argument("--sample", type=int, default=32, help="inputs per chunk checked at high "
                                                           "precision against the reference's bound")
    sw.add_argument("--seed", type=int, default=0, help="seed of the sample")
    sw.add_argument("--convention", action="append", default=[], metavar="NAME=VALUE")
    sw.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _default_out(args) -> str:
    name = re.sub(r"[^A-Za-z0-9_.]+", "_", args.target.split(":")[-1].removesuffix(".py"))
    return f"sweeps/{args.oracle}-{name}-{args.dtype}"


def run(args) -> int:
    if args.resume and args.out and args.out != args.resume:
        raise UsageError(f"--resume {args.resume} and --out {args.out} differ; give one of them")
    if args.workers is not None and args.workers < 0:
        raise UsageError(f"--workers {args.workers} must be ≥ 0 (0: in-process)")
    out = args.resume or args.out or _default_out(args)
    doc = sweep(args.oracle, args.target, args.dtype, range=args.range, out=out,
                resume=bool(args.resume), scheduler=args.scheduler, workers=args.workers,
                chunk=args.chunk, sample=args.sample, seed=args.seed,
                conventions=tuple(args.convention), progress=not args.quiet)
    print(summary(doc))
    return 0 if doc["status"] == "pass" else 1


def summary(doc: dict) -> str:
    """A few lines: the largest error and where, inputs beyond, special values, the reference."""
    lines = [f"{doc['oracle']} · {doc['target']} · {doc['dtype']}: {doc['inputs']} inputs in "
             f"[{doc['range'][0]:g}, {doc['range'][1]:g}], {doc['chunks']} chunks, "
             f"{doc['wall_seconds']:.1f} s ({doc['executor']})"]
    if doc["worst"]:
        w = doc["worst"][0]
        lines.append(f"  max error {doc['max_ulps']:.4g} ulp at z={w['input']!r}: got {w['got']!r}, "
                     f"exact {w['exact']} (allowed {w['allowed']:.3g} ulp)")
    lines.append(f"  {doc['n_exceed']} inputs beyond the allowance"
                 + "".join(f"; e.g. z={r['input']!r} ({r['ulps'] if r['ulps'] is not None else 'NaN'}"
                           f" ulp, allowed {r['allowed']:.3g})" for r in doc["exceeding"][:3]))
    bad = [s for s in doc["specials"] if not s["ok"]]
    lines.append(f"  special values: {len(doc['specials']) - len(bad)} of {len(doc['specials'])} keep "
                 f"their contract" + "".join(f"; {s['input']}: got {s['got']}, want {s['want']}"
                                             for s in bad))
    r = doc["reference"]
    lines.append(f"  reference: {r['exact_rejudged']} inputs judged exactly where float64 was "
                 f"ambiguous, {r['sample']} sampled at 60 digits, {r['violations']} outside its bound")
    lines += [f"  error: {e}" for e in doc["errors"][:3]]
    lines.append(f"  {doc['status'].upper()}" + (f"; wrote {', '.join(doc['files'])}" if doc.get("files") else ""))
    return "\n".join(lines)
