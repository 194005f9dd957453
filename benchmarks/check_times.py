"""``mathoracle check ID IMPL`` at the default example count, id by id: wall time of each.

    python benchmarks/check_times.py [--impl numpy] [--ids a,b,...] [--max-examples 100]

Each check runs as the command a user types (a fresh process: imports, compilation and the
check). Prints each id's time, then the median and the slowest. Goal (#13): median ≤ 2 s,
none over 10 s.
"""
import argparse
import statistics
import subprocess
import sys
import time

from mathoracle.registry import oracles


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--impl", default="numpy")
    p.add_argument("--ids", default=None, help="comma-separated oracle ids (default: all)")
    p.add_argument("--max-examples", type=int, default=100)
    p.add_argument("--seed", type=int, default=20261125)
    args = p.parse_args()
    ids = args.ids.split(",") if args.ids else list(oracles())
    times = {}
    for oid in ids:
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-m", "mathoracle", "check", oid, args.impl,
                              "--max-examples", str(args.max_examples), "--seed", str(args.seed)],
                             capture_output=True, text=True)
        times[oid] = time.perf_counter() - started
        verdict = (run.stdout.strip().splitlines() or ["?"])[0][:60]
        print(f"{times[oid]:7.2f} s  {oid}  (exit {run.returncode}: {verdict})", flush=True)
    slowest = max(times, key=times.get)
    print(f"{len(times)} ids: median {statistics.median(times.values()):.2f} s, "
          f"slowest {times[slowest]:.2f} s ({slowest}), total {sum(times.values()):.0f} s")


if __name__ == "__main__":
    main()
