"""What guarding a target call costs: the per-call timeout, and isolation.

Measure with:  python -m pytest tests/benchmarks/test_call_overhead.py --benchmark-enable -n 0
(the default test run executes each body once, untimed). A check makes ~100k calls over the
catalogue, so the non-isolated guard must stay within microseconds: a one-shot
ITIMER_REAL alarm, not a thread per call.
"""
import threading

import numpy as np
import pytest

from mathoracle.core import guard

Z = (np.array([0.5]),)


def _thread_per_call(fn, args, kwargs, timeout=10):
    """The costly alternative, measured for comparison: a watcher thread per call."""
    out = []
    worker = threading.Thread(target=lambda: out.append(fn(*args, **kwargs)))
    worker.start()
    worker.join(timeout)
    return out[0]


@pytest.mark.parametrize("how", ["direct", "alarm", "thread_per_call", "isolated"])
def test_call_overhead(benchmark, how):
    if how == "direct":
        benchmark(np.tanh, *Z)
    elif how == "thread_per_call":
        benchmark(_thread_per_call, np.tanh, Z, {})
    else:
        with guard.limits(timeout=10, isolate=how == "isolated"):
            assert benchmark(guard.run, np.tanh, Z, {}) == np.tanh(0.5)
