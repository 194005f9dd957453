"""What judging one example costs next to the implementation's own call, per (id, impl).

    python benchmarks/verdict_cost.py [--impl numpy,torch,scipy,sklearn] [--ids a,b,...]

On each oracle's probe input in float64: the implementation's call, and the verdict on its
output (exact values and sensitivities, then the judge), each the best of a few timed
rounds; the SymPy compilation is warmed first, as a check caches it, and no exact answer
is taken from the cache of repeated inputs (``core.memo``), whose hits would flatter the
verdict. Prints the ratio of each pair, then the median. Goal (#13): median ≤ 10×.
"""
import argparse
import statistics
import timeit

import numpy as np

from mathoracle.core import memo
from mathoracle.core.accuracy import judge
from mathoracle.core.calling import accepted_params, vet_output
from mathoracle.core.errors import UsageError
from mathoracle.registry import bundled, oracles


def best(fn, budget: float = 0.2) -> float:
    """Seconds per call: the best of 5 rounds, each long enough to time."""
    timer = timeit.Timer(fn)
    n, took = timer.autorange()
    n = max(1, int(n * budget / max(took, 1e-9)))
    return min(timer.repeat(5, n)) / n


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--impl", default="numpy,torch,scipy,sklearn")
    p.add_argument("--ids", default=None)
    args = p.parse_args()
    table = oracles()
    ratios = []
    for oid in (args.ids.split(",") if args.ids else list(table)):
        oracle = table[oid]
        full = {**oracle.defaults(), **oracle.probe(np.dtype("float64"))}
        oracle.exact(full)  # compiled once, as a check does

        def exact():
            memo.forget()
            return oracle.exact(full)
        for impl in args.impl.split(","):
            try:
                fn = bundled(impl).functions.get(oid)
            except UsageError:
                continue
            if fn is None:
                continue
            taken = accepted_params(fn, oracle)
            call_args = [full[a] for a in oracle.arrays]
            kwargs = {p.name: full[p.name] for p in oracle.params if p.name in taken}
            try:
                got = vet_output(fn(*call_args, **kwargs), oracle, None, oid, full, set())
            except Exception as exc:  # float32-only libraries: not measured here
                print(f"{oid:40s} {impl:8s} not measured: {type(exc).__name__}")
                continue
            call = best(lambda: fn(*call_args, **kwargs))
            verdict = best(lambda: judge(oracle.align(full, got, e := exact()), e, oracle.error, np.float64))
            ratios.append(verdict / call)
            print(f"{oid:40s} {impl:8s} call {call * 1e6:9.1f} µs  verdict {verdict * 1e6:10.1f} µs  "
                  f"{verdict / call:8.1f}×", flush=True)
    print(f"{len(ratios)} (id, implementation) pairs: median {statistics.median(ratios):.1f}×, "
          f"max {max(ratios):.0f}×")


if __name__ == "__main__":
    main()
