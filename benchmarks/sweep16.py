"""Every 16-bit sweep of one unary id against NumPy and torch, in-process (goal: < 10 s each).

    python benchmarks/sweep16.py [--dtype float16 --dtype bfloat16] [--impl numpy --impl torch]

Prints one line per sweep: seconds, inputs, max error (ulps) and its input, inputs beyond the
allowance, special values kept, inputs re-judged exactly.
"""
import argparse
import time

from mathoracle.registry import oracles
from mathoracle.oracles.shapes import Elementwise
from mathoracle.sweep import sweep


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--dtype", action="append")
    p.add_argument("--impl", action="append")
    p.add_argument("--oracle", action="append")
    args = p.parse_args()
    ids = args.oracle or [o.id for o in oracles().values() if isinstance(o, Elementwise)]
    slowest = 0.0
    from mathoracle.registry import load_implementation
    for impl in args.impl or ["numpy", "torch"]:
        load_implementation(impl)  # importing torch is not the sweep's time
    for dtype in args.dtype or ["float16", "bfloat16"]:
        for impl in args.impl or ["numpy", "torch"]:
            for oid in ids:
                t0 = time.perf_counter()
                doc = sweep(oid, impl, dtype, workers=0)
                dt = time.perf_counter() - t0
                slowest = max(slowest, dt)
                w = doc["worst"][0]["input"] if doc["worst"] else None
                kept = sum(s["ok"] for s in doc["specials"])
                print(f"{dt:6.2f} s  {dtype:9} {impl:6} {oid:28} {doc['inputs']} inputs, max "
                      f"{doc['max_ulps']:.4g} ulp at {w!r}, {doc['n_exceed']} beyond, specials "
                      f"{kept}/{len(doc['specials'])}, {doc['reference']['exact_rejudged']} exact, "
                      f"{doc['status']}", flush=True)
    print(f"slowest: {slowest:.2f} s (goal < 10 s)")


if __name__ == "__main__":
    main()
