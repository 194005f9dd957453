"""The engine's support for formulas of whole arrays: Structured oracles, tuple and list
results, positional arguments that are not arrays, and oracles without a float input.

The oracles here are small toys built in the test, so that the engine is tested apart from
the catalogue's sections.
"""
import numpy as np
import pytest
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.implementation import Implementation
from mathoracle.core.model import Param
from mathoracle.oracles import domains as d
from mathoracle.oracles.structured import Structured, elementwise
from mathoracle.registry import oracles
from mathoracle.results import FAIL, PASS
from mathoracle.runner import check_implementation
from mathoracle.text import format_check


@st.composite
def _layer(draw, dtype):
    n, i, o = draw(st.sampled_from([(1, 2, 1), (2, 3, 2)]))
    el = d.elements(dtype, lo=-8.0, hi=8.0, edges=[0.0, 1.0, -1.0])
    return {"a_prev": draw(hnp.arrays(dtype, (n, i), elements=el)),
            "W": draw(hnp.arrays(dtype, (o, i), elements=el)),
            "b": draw(hnp.arrays(dtype, (o,), elements=el)),
            "scale": draw(st.sampled_from([1.0, 0.5, 2.0]))}


def _probe(dtype):
    return {"a_prev": np.ones((2, 3), dtype), "W": np.ones((2, 3), dtype), "b": np.zeros(2, dtype)}


def _forward(a_prev, W, b, scale):
    z = a_prev @ W.T + b
    return z, elementwise(lambda x: scale / (1 + sp.exp(-x)))(z)


FORWARD = Structured(
    id="toy.forward", signature="forward(a_prev, W, b, scale=1.0)", formula="z = aWᵀ + b, s·σ(z)",
    seed="test", arrays=("a_prev", "W", "b"), params=(Param("scale", 1.0),), outputs=("z", "a"),
    build=_forward, domain=_layer, edges=_layer, probe=_probe)


def _penalty_domain(dtype):
    el = d.elements(dtype, lo=-4.0, hi=4.0)
    arrays = st.lists(hnp.arrays(dtype, st.sampled_from([(2,), (2, 2)]), elements=el), min_size=1,
                      max_size=2)
    return st.fixed_dictionaries({"weights": arrays, "lam": st.sampled_from([0.5, 0.25])})


PENALTY = Structured(
    id="toy.penalty", signature="penalty(weights, lam)", formula="(λ/2) Σ ‖W‖²", seed="test",
    arrays=("weights", "lam"),
    build=lambda weights, lam: np.array(lam / 2 * sum((w * w).sum() for w in weights), dtype=object),
    domain=_penalty_domain, edges=_penalty_domain,
    probe=lambda dt: {"weights": [np.ones(2, dt)], "lam": 0.5})


def _ramp_probe(dtype):
    return {"n": 3}


RAMP = Structured(
    id="toy.ramp", signature="ramp(n)", formula="sin(k)/k for k = 1..n", seed="test", arrays=("n",),
    build=lambda n: np.array([sp.sin(sp.Integer(k)) / k for k in range(1, n + 1)], dtype=object),
    domain=lambda dt: st.fixed_dictionaries({"n": st.integers(1, 4)}), edges=None, probe=_ramp_probe,
    float_free=True)
RAMP.edges = RAMP.domain

TOYS = {**oracles(), **{o.id: o for o in (FORWARD, PENALTY, RAMP)}}


def _check(oracle, fn, **kw):
    impl = Implementation("toy", {oracle.id: fn})
    return check_implementation(oracle, impl, TOYS, seed=7, max_examples=15, shrink=False, **kw)


def _f64(*arrays):
    return [np.asarray(a, np.float64) for a in arrays]


def forward(a_prev, W, b, scale=1.0):
    a, w, c = _f64(a_prev, W, b)
    z = a @ w.T + c
    return z.astype(a_prev.dtype), (scale / (1 + np.exp(-z))).astype(a_prev.dtype)


def test_a_correct_tuple_result_passes():
    result = _check(FORWARD, forward)
    assert result.status == PASS, format_check(result)


@pytest.mark.parametrize("fn, words", [
    (lambda a_prev, W, b, scale=1.0: forward(a_prev, W, b, scale)[0], "but should be a tuple/list of 2 (z, a)"),
    (lambda a_prev, W, b, scale=1.0: forward(a_prev, W, b, scale)[::-1], "z["),
    (lambda a_prev, W, b, scale=1.0: (forward(a_prev, W, b)[0], forward(a_prev, W, b)[1] * 0),
     "a[0, 0]=0.0, but should be"),
    (lambda a_prev, W, b, scale=1.0: (forward(a_prev, W, b)[0], forward(a_prev, W, b)[1]),
     "but should be"),  # ignores scale
])
def test_a_tuple_result_is_vetted_part_by_part_and_named(fn, words):
    result = _check(FORWARD, fn, dtypes=["float64"])
    assert result.status == FAIL
    messages = " | ".join(r.counterexample.message for r in result.failures if r.counterexample)
    assert words in messages, messages


def test_the_sensitivity_comes_from_the_symbolic_derivative():
    x = {"a_prev": np.array([[2.0, -3.0]]), "W": np.array([[0.5, 1.0]]), "b": np.array([4.0]),
         "scale": 1.0}
    exact = FORWARD.exact(x)
    z = 2 * 0.5 - 3 * 1.0 + 4
    assert float(exact.value[0]) == z
    assert float(exact.sensitivity[0]) == pytest.approx(2 * 0.5 * 2 + 3 * 1.0 * 2 + 4)  # Σ|∂z/∂x|·|x|
    assert FORWARD.output_shape(x) == (2,)


def test_nan_dependence_is_read_from_the_expressions():
    x = {"a_prev": np.array([[2.0, -3.0], [1.0, 1.0]]), "W": np.array([[0.5, 1.0]]),
         "b": np.array([4.0]), "scale": 1.0}
    mask = FORWARD.nan_mask(x, "a_prev", (1, 0))  # row 1 of the batch: z[1, 0] and a[1, 0]
    assert mask.tolist() == [False, True, False, True]


def penalty(weights, lam):
    return np.asarray(lam / 2 * sum(float(np.sum(np.square(w, dtype=np.float64))) for w in weights),
                      dtype=weights[0].dtype)


def test_list_arguments_are_passed_and_shown():
    assert _check(PENALTY, penalty).status == PASS
    result = _check(PENALTY, lambda weights, lam: penalty(weights, lam) * 2, dtypes=["float64"])
    ce = result.failures[0].counterexample
    assert "weights=[np.array(" in ce.message and "lam=" in ce.message


def test_nan_in_a_list_argument_is_injected_and_required():
    def drops_nan(weights, lam):
        return penalty([np.nan_to_num(w) for w in weights], lam)
    result = _check(PENALTY, drops_nan, dtypes=["float64"])
    assert [r.property for r in result.failures] == ["nan"]


def test_an_oracle_without_float_input_is_judged_at_the_dtype_returned():
    def ramp(n, dtype=np.float32):
        k = np.arange(1, n + 1, dtype=np.float64)
        return (np.sin(k) / k).astype(dtype)
    result = _check(RAMP, ramp)
    assert result.status == PASS and {r.dtype for r in result.results} == {"float32"}
    wrong = _check(RAMP, lambda n: np.cos(np.arange(1, n + 1.0)) / np.arange(1, n + 1.0))
    assert wrong.status == FAIL and {r.dtype for r in wrong.results} == {"float64"}


# --- NaN is demanded only where the output depends on the NaN element at that point ---------

def test_a_zero_weight_cuts_the_dependence_on_its_input():
    linear = oracles()["network.linear"]
    x = {"a_prev": np.array([[np.nan, 1.0]]), "W": np.array([[0.0, 2.0], [3.0, 1.0]]),
         "b": np.array([0.5, 0.5])}
    assert linear.nan_reach(x, "a_prev", (0, 0)).tolist() == [[True, True]]
    assert linear.nan_mask(x, "a_prev", (0, 0)).tolist() == [[False, True]]  # 0·NaN may be 0


def test_a_one_hot_zero_cuts_the_dependence_on_its_probability():
    cce = oracles()["loss.categorical_cross_entropy"]
    x = {"y_onehot": np.array([[0.0, 1.0], [1.0, 0.0]]), "p": np.array([[np.nan, 1.0], [0.5, 0.5]])}
    assert not cce.nan_mask(x, "p", (0, 0)).any()       # the label 0 multiplies log p
    assert cce.nan_mask({**x, "y_onehot": np.array([[1.0, 0.0], [1.0, 0.0]])}, "p", (0, 0)).all()
    assert cce.nan_mask(x, "y_onehot", (1, 1)).all()    # 0·log 0.5 varies with the label


def test_softmax_and_elementwise_outputs_still_depend_on_a_nan():
    table = oracles()
    soft = table["activation.softmax"].nan_mask({"z": np.array([[1.0, np.nan], [0.0, 2.0]]),
                                                 "axis": -1}, "z", (0, 1))
    assert soft.tolist() == [[True, True], [False, False]]
    leaky = table["activation.leaky_relu"]
    assert leaky.nan_mask({"z": np.array([np.nan, 1.0]), "alpha": 0.0}, "z", (0,)).tolist() == [True, False]


def test_a_broadcast_term_is_demanded_only_where_it_varies():
    rep = oracles()["vae.reparameterize"]
    x = {**rep.defaults(), "mu": np.array([0.5, 1.0]), "sigma": np.array([np.nan, 2.0]),
         "eps": np.array([0.0, 1.0])}
    assert rep.nan_mask(x, "sigma", (0,)).tolist() == [False, False]  # σ·ε with ε = 0
    assert rep.nan_mask({**x, "eps": np.array([1.0, 1.0])}, "sigma", (0,)).tolist() == [True, False]


def test_a_kernel_with_gamma_zero_or_a_zero_coordinate_does_not_depend_on_x():
    table = oracles()
    X, Y = np.array([[np.nan, 1.0], [0.0, 1.0]]), np.array([[1.0, 2.0]])
    rbf = table["kernel.rbf"]
    assert rbf.nan_mask({"X": X, "Y": Y, "gamma": 0.0}, "X", (0, 0)).tolist() == [[False], [False]]
    assert rbf.nan_mask({"X": X, "Y": Y, "gamma": 1.0}, "X", (0, 0)).tolist() == [[True], [False]]
    poly = {"X": X, "Y": np.array([[0.0, 2.0]]), "degree": 2, "coef0": 1.0}
    assert not table["kernel.polynomial"].nan_mask(poly, "X", (0, 0)).any()  # x₀·0
