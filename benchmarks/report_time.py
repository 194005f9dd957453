"""The whole-catalogue report: wall time, at the default example count, on N processes.

    python benchmarks/report_time.py [--impl numpy,torch,scipy,sklearn] [--max-examples 100]
                                     [--jobs 2] [--seed 20261125] [--ids a,b,...]

Prints the wall time, the checks and records run, the status counts, and each FAIL or ERROR. Goal (#13): the
default (4 bundled implementations, 100 examples, 2 jobs) within 60 s on 2 cores.
"""
import argparse
import collections
import time

from mathoracle import report


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--impl", default="numpy,torch,scipy,sklearn")
    p.add_argument("--max-examples", type=int, default=100)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--seed", type=int, default=20261125)
    p.add_argument("--ids", default=None, help="comma-separated oracle ids (default: all)")
    args = p.parse_args()
    started = time.perf_counter()
    doc = report.build(args.impl.split(","), oracle_ids=args.ids.split(",") if args.ids else None,
                       max_examples=args.max_examples, seed=args.seed, jobs=args.jobs, progress=False)
    wall = time.perf_counter() - started
    counts = collections.Counter(r["status"] for r in doc["results"])
    print(f"report: {len(doc['checks'])} checks, {len(doc['results'])} records, {args.max_examples} "
          f"examples, --jobs {args.jobs}: {wall:.1f} s wall (checks {doc['wall_seconds']:.1f} s)")
    print("statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    for r in doc["results"]:
        if r["status"] in ("fail", "error"):
            reason = ((r.get("counterexample") or {}).get("message") or r.get("reason") or "").splitlines()
            print(f"  {r['status'].upper()} {r['oracle']} × {r['implementation']} :: {r['property']} "
                  f"[{r['dtype']}]: {reason[0][:200] if reason else ''}")


if __name__ == "__main__":
    main()
