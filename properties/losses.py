"""Laws of the loss functions (seed: "Neural Network Math › Loss Functions").

Each law holds to within the error the agreement check allows each output it combines.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from mathoracle.core.laws import (Property, bounded, domain_examples, expect_within, expect_zero,
                                  signature_call)
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles import domains as d

# The argument that is the prediction, for each loss (a perfect prediction copies y into it).
PREDICTION = {
    "loss.mse": ("y_true", "y_pred"), "loss.mae": ("y_true", "y_pred"),
    "loss.huber": ("y_true", "y_pred"), "loss.binary_cross_entropy": ("y_true", "p"),
    "loss.categorical_cross_entropy": ("y_onehot", "p"), "loss.focal": ("y_true", "p"),
}


def _differs_by(case, oracle_id, a, b, scale_b, what, bound_extra=None):
    """|loss(a) - scale_b·loss(b)| within allowed(a) + |scale_b|·allowed(b) (+ bound_extra)."""
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call(oracle_id, a)) - scale_b * mpf_array(case.call(oracle_id, b))
        bound = case.allowed(oracle_id, a) + abs(scale_b) * case.allowed(oracle_id, b)
        if bound_extra is not None:
            bound = bound + bound_extra
    expect_within(diff, bound, what, signature_call(case.oracle, a), a)


def zero_at_perfect(oracle_id: str) -> Property:
    """loss(y, y) = 0 exactly."""
    truth, pred = PREDICTION[oracle_id]

    def draw(oracle, dtype):  # the perfect prediction is what is drawn (deviations filter on it)
        return oracle.domain(dtype).map(lambda x: {"inputs": {**x, pred: x[truth].copy()}})

    def check(case, ex):
        expect_zero(case, oracle_id, ex["inputs"], "a perfect prediction")
    return Property(oracle_id, "zero_at_perfect", "the loss of a perfect prediction is 0", check, draw)


def batch_mean(oracle_id: str) -> Property:
    """The loss of the batch repeated twice equals the loss of the batch (it is a mean)."""
    def check(case, ex):
        x = ex["inputs"]
        doubled = {k: np.concatenate([v, v], axis=0) if isinstance(v, np.ndarray) else v
                   for k, v in x.items()}
        _differs_by(case, oracle_id, doubled, x, 1, "repeating the batch should not change the mean")
    return Property(oracle_id, "batch_mean", "a mean over samples: repeating the batch changes nothing",
                    check, domain_examples)


def swapped_arguments(oracle_id: str) -> Property:
    """loss(y, ŷ) = loss(ŷ, y) for the symmetric regression losses."""
    def check(case, ex):
        x = ex["inputs"]
        swapped = {**x, "y_true": x["y_pred"], "y_pred": x["y_true"]}
        _differs_by(case, oracle_id, swapped, x, 1, "the loss should be symmetric in y and ŷ")
    return Property(oracle_id, "symmetric", "loss(y, ŷ) = loss(ŷ, y)", check, domain_examples)


def _within_half_bound(oracle, dtype):
    """Domain examples with every |value| ≤ B/2 (larger ones halved, exactly: they are
    normal), so that the doubled inputs stay inside the domain and their mean square is
    finite (a sum of 64 squares of 4B would overflow: the domain's B is chosen for 2B)."""
    half = d.square_safe_bound(dtype) / 2

    def halve(x):
        return {k: np.where(np.abs(v) > half, v / 2, v).astype(v.dtype) for k, v in x.items()}
    return oracle.domain(dtype).map(lambda x: {"inputs": halve(x)})


def _mse_scaling(case, ex):
    """mse(2y, 2ŷ) = 4·mse(y, ŷ) (doubling is exact inside the domain)."""
    x = ex["inputs"]
    doubled = {k: v * 2 for k, v in x.items()}
    _differs_by(case, "loss.mse", doubled, x, 4, "mse(2y, 2ŷ) should be 4·mse(y, ŷ)")


@st.composite
def _inside_delta(draw, oracle, dtype):
    """Huber inputs with δ ≥ every |r|, so that every residual is on the quadratic branch."""
    x = dict(draw(oracle.domain(dtype)))
    r = np.abs(x["y_true"].astype(np.float64) - x["y_pred"].astype(np.float64))
    x["delta"] = float(max(r.max(), 2.0 ** -10)) * 2
    return {"inputs": x}


def _huber_quadratic(case, ex):
    """huber(y, ŷ, δ) = mse(y, ŷ)/2 where every |y - ŷ| ≤ δ."""
    x = ex["inputs"]
    plain = {"y_true": x["y_true"], "y_pred": x["y_pred"]}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("loss.huber", x)) - mpf_array(case.call("loss.mse", plain)) / 2
        bound = case.allowed("loss.huber", x) + case.allowed("loss.mse", plain) / 2
    expect_within(diff, bound, "inside δ, huber should be mse/2", signature_call(case.oracle, x), x)


def _bce_is_two_class_cce(case, ex):
    """bce(y, p) = cce([1-y, y], [1-p, p]); 1 - p is rounded, so its exact effect is allowed."""
    x = ex["inputs"]
    y, p = x["y_true"].reshape(-1), x["p"].reshape(-1)
    two = {"y_onehot": np.stack([1 - y, y], axis=-1).astype(y.dtype),
           "p": np.stack([(1 - p.astype(np.float64)).astype(p.dtype), p], axis=-1)}
    with mpmath.workdps(DIGITS):
        moved = np.asarray(case.exact("loss.categorical_cross_entropy", two).value - case.exact(
            "loss.binary_cross_entropy", x).value, dtype=object)
        diff = mpf_array(case.call("loss.binary_cross_entropy", x)) - mpf_array(
            case.call("loss.categorical_cross_entropy", two))
        bound = (case.allowed("loss.binary_cross_entropy", x)
                 + case.allowed("loss.categorical_cross_entropy", two) + abs(moved[()]))
    expect_within(diff, bound, "bce should equal two-class cce", signature_call(case.oracle, x), x)


def _focal_gamma_zero(case, ex):
    """focal(y, p, α=½, γ=0) = ½·bce(y, p)."""
    x = {"y_true": ex["inputs"]["y_true"], "p": ex["inputs"]["p"]}
    fx = {**x, "alpha": 0.5, "gamma": 0.0}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("loss.focal", fx)) - mpf_array(
            case.call("loss.binary_cross_entropy", x)) / 2
        bound = case.allowed("loss.focal", fx) + case.allowed("loss.binary_cross_entropy", x) / 2
    expect_within(diff, bound, "focal with γ=0, α=½ should be bce/2", signature_call(case.oracle, fx), fx)


_LOSSES = tuple(PREDICTION)

PROPERTIES = (
    *(bounded(i, 0.0, float("inf")) for i in _LOSSES),
    *(zero_at_perfect(i) for i in _LOSSES),
    *(batch_mean(i) for i in _LOSSES),
    *(swapped_arguments(i) for i in ("loss.mse", "loss.mae", "loss.huber")),
    Property("loss.mse", "scaling", "mse(2y, 2ŷ) = 4·mse(y, ŷ)", _mse_scaling, _within_half_bound),
    Property("loss.huber", "quadratic_inside", "huber = mse/2 where |r| ≤ δ", _huber_quadratic,
             _inside_delta, needs=("loss.mse",), needs_params=("delta",)),
    Property("loss.binary_cross_entropy", "two_class_cce", "bce(y, p) = cce([1-y, y], [1-p, p])",
             _bce_is_two_class_cce, domain_examples, needs=("loss.categorical_cross_entropy",)),
    Property("loss.focal", "gamma_zero", "focal(γ=0, α=½) = bce/2", _focal_gamma_zero,
             domain_examples, needs=("loss.binary_cross_entropy",), needs_params=("alpha", "gamma")),
)
