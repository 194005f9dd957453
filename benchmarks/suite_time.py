"""The README's test command, timed: ``python -m pytest`` (and any arguments given).

    python benchmarks/suite_time.py [-m heavy] [...]

Prints the wall time and pytest's last line. Goal (#13): the README's command within 5
minutes on 2 cores; the heavy tier (``-m heavy``) runs in CI besides.
"""
import subprocess
import sys
import time


def main() -> None:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", *sys.argv[1:]], capture_output=True, text=True)
    wall = time.perf_counter() - started
    last = (run.stdout.strip().splitlines() or ["?"])[-1]
    print(f"python -m pytest {' '.join(sys.argv[1:])}: {wall:.1f} s wall, exit {run.returncode}: {last}")


if __name__ == "__main__":
    main()
