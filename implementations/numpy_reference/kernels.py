"""Kernels, written to be copied: Gram matrices of the rows of X (n, d) and Y (m, d).

Computed in float64 (float16 and float32 inputs lose nothing to it) and rounded once to the
input dtype. The RBF kernel takes ‖x - y‖² from the differences x - y, never as
‖x‖² + ‖y‖² - 2xᵀy: that expansion cancels catastrophically for nearby points (and makes
K(x, x) ≠ 1).
"""
import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def squared_distances(X, Y):
    """‖x_i - y_j‖² for every pair, from the differences (float64)."""
    diff = X[:, None, :] - Y[None, :, :]
    return np.einsum("ijk,ijk->ij", diff, diff)


def linear(X, Y):
    """K_ij = x_iᵀ y_j."""
    x, y = _f64(X, Y)
    return _out(x @ y.T, X)


def rbf(X, Y, gamma):
    """K_ij = exp(-γ‖x_i - y_j‖²)."""
    x, y = _f64(X, Y)
    with np.errstate(over="ignore", under="ignore"):
        return _out(np.exp(-gamma * squared_distances(x, y)), X)


def polynomial(X, Y, degree, coef0):
    """K_ij = (x_iᵀ y_j + c)^d, d a non-negative integer (a power by repeated products)."""
    x, y = _f64(X, Y)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return _out(np.power(x @ y.T + coef0, int(degree)), X)


FUNCTIONS = provides("kernel", linear, rbf, polynomial)
