"""The verdict rules of "What FAIL means": the allowance covers the textbook formula evaluated
operation by operation, FAIL is kept apart from INACCURATE, printed comparisons never
mislead, and laws allow what agreement allows."""
import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import mathoracle
from mathoracle.core.accuracy import FORMATS, compared, judge
from mathoracle.registry import oracles

ORACLES = oracles()


def _verdict(oracle_id, got, **inputs):
    o = ORACLES[oracle_id]
    full = {**o.defaults(), **inputs}
    dtype = next(v.dtype for v in inputs.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f")
    return judge(np.asarray(got), o.exact(full), o.error, dtype)


def _two_pass_layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def _one_pass_layer_norm(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=-1, keepdims=True)
    var = (x * x).mean(axis=-1, keepdims=True) - mu * mu
    return (x - mu) / np.sqrt(var + eps) * gamma + beta


def test_the_textbook_bce_at_a_tiny_p_is_within_its_own_evaluation_error():
    # -(y log p + (1-y) log(1-p)) at y = 0, p = 1e-300: log(1 - p) rounds to -0.0, 1e-300 exactly
    y, p = np.array([0.0]), np.array([1e-300])
    got = np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))
    assert got == 0
    assert _verdict("loss.binary_cross_entropy", got, y_true=y, p=p).passed


def test_a_two_pass_float32_layer_norm_of_data_far_from_zero_passes_and_one_pass_fails():
    x = np.array([[1001.0, 1000.0, 1000.0]], np.float32)
    g, b = np.ones(3, np.float32), np.zeros(3, np.float32)
    assert _verdict("regularization.layer_norm", _two_pass_layer_norm(x, g, b), x=x, gamma=g, beta=b).passed
    wrong = _verdict("regularization.layer_norm", _one_pass_layer_norm(x, g, b), x=x, gamma=g, beta=b)
    assert wrong.level == "fail"


def test_tanh_through_the_sigmoid_loses_every_digit_near_zero_and_fails():
    z = np.array([1e-8], np.float32)
    got = 2 / (1 + np.exp(-2 * z)) - 1  # 0.0 in float32
    assert got[0] == 0
    assert _verdict("activation.tanh", got, z=z).level == "fail"


def test_float64_computed_in_float32_voids_the_dtype_and_fails():
    z = np.array([[0.3, -1.7, 2.9, 0.01]])
    e = np.exp(z.astype(np.float32) - z.max())
    got = (e / e.sum(axis=-1, keepdims=True)).astype(np.float64)
    assert _verdict("activation.softmax", got, z=z).level == "fail"


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_a_few_hundred_ulps_beyond_the_allowance_is_inaccurate_not_fail(dtype):
    z = np.array([0.75], dtype)
    exact = mpmath.mpf(1) / (1 + mpmath.exp(-mpmath.mpf(0.75)))
    u = FORMATS[dtype].unit_roundoff
    off = float(exact * (1 + 400 * u)) if dtype != "float16" else float(exact * (1 + 40 * u))
    v = _verdict("activation.sigmoid", np.array([off], dtype), z=z)
    assert not v.passed and v.level == "inaccurate"


def test_nan_where_the_value_is_finite_is_always_a_failure():
    assert _verdict("activation.sigmoid", np.array([np.nan]), z=np.array([0.5])).level == "fail"


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-3, 1e6), st.floats(1e-3, 1e6))
def test_printed_comparisons_read_as_the_real_ones(error, allowed):
    text = compared(error, allowed, 1e-16)
    e, a = (float(t.split()[0]) for t in (text, text.split("allowed ")[1]))
    assert (e > a) == (error > allowed) or error == allowed
    ratio = float(text.split(", ")[-1].split("×")[0])
    assert (ratio > 1) == (error > allowed) or error == allowed


def _flushing_sgd_step(W, grad, lr, lam):
    out = W - lr * (grad + lam * W)
    return np.where(np.abs(out) < np.finfo(out.dtype).tiny, 0, out).astype(W.dtype)


def test_a_law_allows_the_flush_that_agreement_allows():
    # lr = 0 keeps W; W = 1e-45 (a float32 subnormal) returned as 0 is agreement's flush
    result = mathoracle.check("regularization.sgd_weight_decay_step", _flushing_sgd_step,
                              dtypes=["float32"], seed=5, max_examples=40, properties=["lr_zero_identity"])
    assert not result.fails(), mathoracle.text.format_check(result)


def test_an_error_against_an_exact_zero_is_judged_exactly_not_in_overflowing_ulps():
    # float64 ulps of 0 are 4.9e-324: 1.0 for 0 is "inf ulp", and so is the allowance
    v = _verdict("divergence.kl", np.array([1.0]), p=np.array([[0.0, 1.0]]), q=np.array([[0.0, 1.0]]))
    assert not v.passed and v.level == "fail"
    assert _verdict("divergence.kl", np.array([0.0]), p=np.array([[0.0, 1.0]]), q=np.array([[0.0, 1.0]])).passed


def test_an_expanded_distance_that_loses_every_digit_the_inputs_carry_fails():
    # ‖x‖² + ‖y‖² - 2xᵀy at x = 1e8, y = 1e8 + 1 is 0 in float64, so K = 1 where e^-1 is exact;
    # the inputs' condition (S ≈ 7e7) excuses some digits, not all of them
    X, Y = np.array([[1e8]]), np.array([[1e8 + 1]])
    d2 = (X ** 2).sum(1)[:, None] + (Y ** 2).sum(1)[None, :] - 2 * X @ Y.T
    v = _verdict("kernel.rbf", np.exp(-1.0 * d2), X=X, Y=Y, gamma=1.0)
    assert v.level == "fail"
