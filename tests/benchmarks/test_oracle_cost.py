"""What one oracle evaluation costs next to the implementation's own call, per id.

Measure with:  python -m pytest tests/benchmarks --benchmark-enable --benchmark-group-by=param:oracle_id
(the default test run executes each body once, untimed, as a smoke test). The oracle side
is the full verdict input: exact values and sensitivities at 60 digits, on the oracle's
probe input in float64; the SymPy compilation is warmed first, as a check run caches it.
"""
import numpy as np
import pytest

from mathoracle.accuracy import judge
from mathoracle.registry import UsageError, bundled, oracles

IDS = list(oracles())


def _inputs(oracle):
    return oracle.probe(np.dtype("float64"))


@pytest.mark.parametrize("oracle_id", IDS)
def test_oracle_verdict(benchmark, oracle_id):
    oracle = oracles()[oracle_id]
    inputs = _inputs(oracle)
    ref = bundled("numpy").functions[oracle_id]
    got = ref(*[inputs[a] for a in oracle.arrays], **{p.name: inputs[p.name] for p in oracle.params})
    oracle.exact(inputs)  # compile once, as a run does

    def verdict():
        return judge(got, oracle.exact(inputs), oracle.error, np.float64)

    assert benchmark(verdict).passed


@pytest.mark.parametrize("oracle_id", IDS)
@pytest.mark.parametrize("impl", ["numpy", "torch", "scipy", "sklearn"])
def test_implementation_call(benchmark, oracle_id, impl):
    try:
        fn = bundled(impl).functions.get(oracle_id)
    except UsageError as exc:
        pytest.skip(str(exc))
    if fn is None:
        pytest.skip(f"{impl} does not provide {oracle_id}")
    oracle = oracles()[oracle_id]
    inputs = _inputs(oracle)
    args = [inputs[a] for a in oracle.arrays]
    kwargs = {p.name: inputs[p.name] for p in oracle.params}
    out = benchmark(fn, *args, **kwargs)
    assert np.shape(out) == tuple(oracle.output_shape(inputs))
