"""The JAX adapter (jax.nn, optax, rlax): each function called as documented, each known
deviation confirmed on its witness, a few ids end to end."""
import numpy as np
import pytest

import mathoracle
from mathoracle.registry import UsageError, bundled, get_oracle, oracles
from mathoracle.text import format_check
from tests.adapter_cases import CASES, call, confirmed
from tests.settings import SEED


@pytest.fixture(scope="module")
def impl():
    try:
        return bundled("jax")
    except UsageError as exc:
        pytest.skip(str(exc))


def test_an_id_it_lacks_is_not_applicable_with_its_reason(impl):
    for oid in oracles():  # not applicable by default; a reason of its own only where it helps
        if not impl.provides(oid):
            (record,) = mathoracle.check(oid, impl).results
            assert record.status == "not applicable"
            assert record.reason == impl.notes.get(oid, f"jax does not provide {oid}")


@pytest.mark.parametrize("oracle_id", sorted(CASES))
def test_called_as_documented(impl, oracle_id):
    """Argument order and reduction (the hand-computed value) and the dtype (float32 kept)."""
    if not impl.provides(oracle_id):
        pytest.skip(f"jax does not provide {oracle_id}")
    value, dtype = call(impl.functions[oracle_id], oracle_id)
    np.testing.assert_allclose(value, CASES[oracle_id][1], rtol=2e-6, atol=1e-7)
    assert dtype == "float32"


def test_every_function_has_a_case(impl):
    assert not set(impl.functions) - set(CASES), "add a hand-computed case to tests/adapter_cases.py"


def test_float64_is_kept(impl):
    """jax_enable_x64 is on: float64 input is computed and returned in float64."""
    z = np.array([1e-3])
    out = impl.functions["activation.sigmoid"](z)
    assert out.dtype == np.float64 and out[0] == pytest.approx(0.5002499999791667, rel=1e-15)


def test_gradients_are_vector_jacobian_products(impl):
    """jax.vjp with the cotangent: ∂(Σ w·mse)/∂y_pred = w·2(ŷ - y)/n."""
    g = impl.gradients["loss.mse"](np.array(3.0), np.zeros(2), np.array([1.0, 3.0]))
    np.testing.assert_allclose(g["y_pred"], [3.0, 9.0])
    assert set(g) == {"y_pred"}


def _weighted(fn, kwargs, cotangent):
    return float(np.sum(cotangent * np.asarray(fn(**kwargs), np.float64)))


def _gradient_ids():
    try:
        return sorted(bundled("jax").gradients)
    except UsageError:
        return []


@pytest.mark.parametrize("oracle_id", _gradient_ids())
def test_each_gradient_is_taken_by_its_own_arguments(impl, oracle_id):
    """Every vjp, on its hand case in float64, against central differences of the adapter's
    own function: the gradient of each argument the oracle differentiates, and no other."""
    oracle = get_oracle(oracle_id)
    kwargs = {k: np.asarray(v, np.float64) if isinstance(v, np.ndarray) else v
              for k, v in CASES[oracle_id][0].items()}
    fn = impl.functions[oracle_id]
    shape = np.shape(fn(**kwargs))
    cotangent = 1.0 + np.arange(np.prod(shape, dtype=int), dtype=np.float64).reshape(shape)
    params = {k: v for k, v in kwargs.items() if k not in oracle.arrays}
    got = impl.gradients[oracle_id](cotangent, *(kwargs[n] for n in oracle.arrays if n in kwargs), **params)
    assert set(got) == set(oracle.wrt)
    for name, grad in got.items():
        x, numeric = kwargs[name], np.zeros_like(kwargs[name])
        for j in np.ndindex(x.shape):
            h = 1e-6 * max(1.0, abs(x[j]))
            up, down = x.copy(), x.copy()
            up[j] += h
            down[j] -= h
            numeric[j] = (_weighted(fn, {**kwargs, name: up}, cotangent)
                          - _weighted(fn, {**kwargs, name: down}, cotangent)) / (2 * h)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8, err_msg=f"{oracle_id}: ∂/∂{name}")


def _deviations():
    try:
        return [f"{d.oracle}: {d.summary[:40]}" for d in bundled("jax").deviations]
    except UsageError:
        return []


@pytest.mark.parametrize("index", range(len(_deviations())), ids=_deviations())
def test_deviation_holds_on_its_witness(impl, index):
    dev = impl.deviations[index]
    assert dev.region(dev.witness), f"{dev.summary}: the witness lies outside its own region"
    assert dev.reference.startswith("https://") and dev.reason
    assert confirmed(impl, dev), f"{dev.oracle}: {dev.summary} does not show on its witness"


@pytest.mark.parametrize("oracle_id", ["activation.sigmoid", pytest.param("loss.huber", marks=pytest.mark.heavy),
                                       pytest.param("rl.discounted_returns", marks=pytest.mark.heavy),
                                       "regularization.sgd_weight_decay_step"])
def test_end_to_end(impl, oracle_id):
    # a generous per-call limit: each new shape is a fresh XLA compilation, slow on a busy CPU
    result = mathoracle.check(oracle_id, "jax", seed=SEED, max_examples=10, timeout=120)
    assert result.status == "pass", format_check(result)
