"""scikit-learn's kernels: sklearn.metrics.pairwise.

``polynomial_kernel`` is (γ xᵀy + c₀)^d with γ = 1/n_features by default: the adapter passes
γ = 1, the catalogue's (xᵀy + c)^d. ``rbf_kernel`` takes ‖x - y‖² from ``euclidean_distances``,
which expands it as ‖x‖² + ‖y‖² - 2xᵀy (in float64; float32 input is upcast in blocks): a
documented loss of accuracy for nearby points, listed below.
"""
import numpy as np
from sklearn.metrics.pairwise import linear_kernel, polynomial_kernel, rbf_kernel

from mathoracle.core.formats import finfo

from ..base import KnownDeviation


def linear(X, Y):
    """metrics.pairwise.linear_kernel(X, Y)."""
    return linear_kernel(X, Y)


def rbf(X, Y, gamma):
    """metrics.pairwise.rbf_kernel(X, Y, gamma=gamma)."""
    return rbf_kernel(X, Y, gamma=gamma)


def polynomial(X, Y, degree, coef0):
    """metrics.pairwise.polynomial_kernel(X, Y, degree, gamma=1, coef0): γ = 1 explicitly."""
    return polynomial_kernel(X, Y, degree=degree, gamma=1.0, coef0=coef0)


FUNCTIONS = {"kernel.linear": linear, "kernel.rbf": rbf, "kernel.polynomial": polynomial}


def expansion_cancels(kw) -> bool:
    """Where ‖x‖² + ‖y‖² - 2xᵀy, rounded in float64, can be off by more than the float64
    rounding of the differences allows (u₆₄·(‖x‖² + ‖y‖² + 2|xᵀy|) against
    u·(‖x - y‖² + 2Σ|x_k - y_k|(|x_k| + |y_k|)), u the input dtype's unit roundoff), for
    some pair."""
    X, Y = (np.asarray(kw[a], np.float64) for a in ("X", "Y"))
    u = finfo(np.asarray(kw["X"]).dtype).eps / 2
    diff = X[:, None, :] - Y[None, :, :]
    norms = (X ** 2).sum(1)[:, None] + (Y ** 2).sum(1)[None, :] + 2 * np.abs(X @ Y.T)
    direct = (diff ** 2).sum(-1) + 2 * (np.abs(diff) * (np.abs(X)[:, None, :]
                                                         + np.abs(Y)[None, :, :])).sum(-1)
    return bool(np.any(finfo(np.float64).eps / 2 * norms > u * direct))


_EUCLID = "https://scikit-learn.org/stable/modules/generated/sklearn.metrics.pairwise.euclidean_distances.html"

DEVIATIONS = (
    KnownDeviation(
        oracle="kernel.rbf", properties=("agreement", "edges", "unit_diagonal", "range"),
        summary="‖x - y‖² is taken as ‖x‖² + ‖y‖² - 2xᵀy (in float64), which cancels for nearby "
                "points: K(1e8, 1e8 + 1) is 1, not e^-1",
        reason="euclidean_distances uses the dot-product expansion for speed on large inputs; "
               "its documentation says it 'potentially suffers from catastrophic cancellation'",
        reference=_EUCLID,
        # One feature: each product is one correctly rounded multiplication, so the witness
        # fails on every BLAS kernel (K(x, x) ≠ 1 with three features depends on the kernel).
        witness={"X": np.array([[1e8]]), "Y": np.array([[1e8 + 1]]), "gamma": 1.0},
        region=expansion_cancels,
    ),
)
