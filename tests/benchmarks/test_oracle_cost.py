"""What one oracle evaluation costs next to the implementation's own call, per id.

Measure with:  python -m pytest tests/benchmarks --benchmark-enable --benchmark-group-by=param:oracle_id
(the default test run executes each body once, untimed, as a smoke test). The oracle side
is the full verdict input: exact values and sensitivities at 60 digits, on the oracle's
probe input in float64; the SymPy compilation is warmed first, as a check run caches it,
and each round evaluates afresh (``core.memo.forget``: a cache hit is not an evaluation).
"""
import numpy as np
import pytest

from mathoracle.core import memo
from mathoracle.core.accuracy import judge
from mathoracle.core.calling import accepted_params, vet_output
from mathoracle.registry import UsageError, bundled, oracles

IDS = list(oracles())


def _inputs(oracle):
    return oracle.probe(np.dtype("float64"))


@pytest.mark.parametrize("oracle_id", IDS)
def test_oracle_verdict(benchmark, oracle_id):
    oracle = oracles()[oracle_id]
    inputs = _inputs(oracle)
    ref = bundled("numpy").functions[oracle_id]
    out = ref(*[inputs[a] for a in oracle.arrays], **{p.name: inputs[p.name] for p in oracle.params
                                                     if p.name in inputs})
    got = vet_output(out, oracle, None, oracle.id, inputs, set())  # tuple results made flat
    oracle.exact(inputs)  # compile once, as a run does

    full = {**oracle.defaults(), **inputs}

    def verdict():
        memo.forget()
        exact = oracle.exact(full)
        return judge(oracle.align(full, got, exact), exact, oracle.error, np.float64)

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
    for dtype in ("float64", "float32"):  # diffusers keeps its schedule in float32 only
        inputs = oracle.probe(np.dtype(dtype))
        args = [inputs[a] for a in oracle.arrays]
        taken = accepted_params(fn, oracle)  # as a run calls it: parameters the target takes
        kwargs = {p.name: inputs[p.name] for p in oracle.params if p.name in inputs and p.name in taken}
        try:
            fn(*args, **kwargs)
            break
        except TypeError:
            continue
    out = benchmark(fn, *args, **kwargs)
    assert vet_output(out, oracle, None, oracle.id, inputs, set()).shape == tuple(
        oracle.output_shape({**oracle.defaults(), **inputs}))
