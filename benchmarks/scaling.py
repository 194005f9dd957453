"""Scaling of a float32 sweep with the worker count: the same range on 1 and on 2 workers.

    python benchmarks/scaling.py [--oracle activation.sigmoid] [--target numpy] [--range=-2,2]

Prints the wall time per worker count and the speed-up (linear: 2.0 on 2 workers).
"""
import argparse
import time

from mathoracle.sweep import sweep


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--oracle", default="activation.sigmoid")
    p.add_argument("--target", default="numpy")
    p.add_argument("--range", default="0.5,64", help="a float32 range (default: 7·2^23 inputs, 14 chunks)")
    p.add_argument("--workers", default="1,2")
    args = p.parse_args()
    times = {}
    for n in (int(w) for w in args.workers.split(",")):
        t0 = time.perf_counter()
        doc = sweep(args.oracle, args.target, "float32", range=args.range, workers=n)
        times[n] = time.perf_counter() - t0
        print(f"{n} worker(s): {times[n]:.1f} s wall, {doc['compute_seconds']:.1f} s in chunks ({doc['cpu_seconds']:.1f} s CPU), "
              f"{doc['inputs']} inputs in {doc['chunks']} chunks, max {doc['max_ulps']:.4g} ulp",
              flush=True)
    base = min(times)
    for n, t in times.items():
        print(f"speed-up on {n}: {times[base] / t:.2f} (linear: {n / base:.0f})")


if __name__ == "__main__":
    main()
