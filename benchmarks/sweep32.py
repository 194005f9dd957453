"""The full float32 sweep (2^32 inputs) of one unary id, on a dask LocalCluster (goal ≤ 5 min).

    python benchmarks/sweep32.py activation.sigmoid numpy [--workers 2] [--out DIR]

Prints the wall time, the exact maximum error in ulps and its input, the inputs beyond the
allowance, and the special values. --resume DIR continues a killed run.
"""
import argparse
import time

from mathoracle.sweep import sweep
from mathoracle.sweep.command import summary


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("oracle")
    p.add_argument("target")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--out")
    p.add_argument("--resume", action="store_true")
    args = p.parse_args()
    out = args.out or f"sweeps/{args.oracle}-{args.target}-float32"
    t0 = time.perf_counter()
    doc = sweep(args.oracle, args.target, "float32", workers=args.workers, out=out,
                resume=args.resume, progress=True)
    print(summary(doc))
    w = doc["worst"][0]
    print(f"RESULT {args.oracle} {args.target} float32: {time.perf_counter() - t0:.0f} s wall, "
          f"{doc['compute_seconds']:.0f} s in chunks ({doc['cpu_seconds']:.0f} s CPU), {doc['inputs']} inputs, max {doc['max_ulps']!r} "
          f"ulp (bound {doc['max_ulps_upper']!r}) at z={w['input']!r} (got {w['got']!r}, exact "
          f"{w['exact']}), {doc['n_exceed']} beyond, resumed {doc['resumed_chunks']} chunks")


if __name__ == "__main__":
    main()
