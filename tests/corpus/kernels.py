"""Kernels ``linear(X, Y)``, ``rbf(X, Y, gamma)``, ``polynomial(X, Y, degree, coef0)``: Gram
matrices (n, m) of the rows of X (n, d) and Y (m, d). Buggy variants that must be caught,
correct ones that must pass."""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _sq_dist(x, y):
    diff = x[:, None, :] - y[None, :, :]
    return np.sum(diff * diff, axis=-1)


# --- kernel.linear ------------------------------------------------------------------------

def linear_nansum(X, Y):
    return back(np.nansum(wide(X)[:, None, :] * wide(Y)[None, :, :], axis=-1), X)


def linear_one_sided_norm(X, Y):
    x = wide(X)
    with np.errstate(**_ERR):
        norms = np.sqrt(np.sum(x * x, axis=1, keepdims=True))
        return back(np.where(norms > 0, (x @ wide(Y).T) / np.where(norms > 0, norms, 1), 0), X)


def linear_polarization(X, Y):
    with np.errstate(**_ERR):
        s = X[:, None, :] + Y[None, :, :]
        d = X[:, None, :] - Y[None, :, :]
        return (np.sum(s * s, axis=-1) - np.sum(d * d, axis=-1)) / 4


def linear_minus_mean(X, Y):
    k = wide(X) @ wide(Y).T
    return back(k - k.mean(), X)


def linear_float32(X, Y):
    return (wide(X) @ wide(Y).T).astype(np.float32)


def linear_einsum(X, Y):
    return back(np.einsum("ik,jk->ij", wide(X), wide(Y)), X)


def linear_broadcast_sum(X, Y):
    return back(np.sum(wide(X)[:, None, :] * wide(Y)[None, :, :], axis=-1), X)


# --- kernel.rbf ---------------------------------------------------------------------------

def rbf_unsquared(X, Y, gamma):
    with np.errstate(**_ERR):
        return back(np.exp(-gamma * np.sqrt(_sq_dist(wide(X), wide(Y)))), X)


def rbf_expansion_in_dtype(X, Y, gamma):
    with np.errstate(**_ERR):
        d2 = (np.sum(X * X, axis=1)[:, None] + np.sum(Y * Y, axis=1)[None, :] - 2 * (X @ Y.T))
        return np.exp(-gamma * d2).astype(X.dtype)


def rbf_gamma_or_default(X, Y, gamma):
    """``gamma or 1/d``: γ = 0 (K = 1) read as "not given", scikit-learn's default 1/n_features."""
    g = gamma or 1.0 / X.shape[1]
    with np.errstate(**_ERR):
        return back(np.exp(-g * _sq_dist(wide(X), wide(Y))), X)


def rbf_half_gamma(X, Y, gamma):
    with np.errstate(**_ERR):
        return back(np.exp(-gamma * _sq_dist(wide(X), wide(Y)) / 2), X)


def rbf_sparsified(X, Y, gamma):
    with np.errstate(**_ERR):
        k = np.exp(-gamma * _sq_dist(wide(X), wide(Y)))
    return back(np.where(k < 1e-6, 0.0, k), X)


def rbf_row_bandwidth(X, Y, gamma):
    x = wide(X)
    with np.errstate(**_ERR):
        width = 1 + np.sum(x * x, axis=1, keepdims=True)
        return back(np.exp(-gamma * _sq_dist(x, wide(Y)) / width), X)


def rbf_taylor(X, Y, gamma):
    return back(np.maximum(0.0, 1 - gamma * _sq_dist(wide(X), wide(Y))), X)


def rbf_nan_to_num(X, Y, gamma):
    with np.errstate(**_ERR):
        return back(np.exp(-gamma * np.nan_to_num(_sq_dist(wide(X), wide(Y)))), X)


def rbf_sign_slipped(X, Y, gamma):
    with np.errstate(**_ERR):
        return back(np.exp(gamma * _sq_dist(wide(X), wide(Y))), X)


def rbf_jitter_on_gram(X, Y, gamma):
    x, y = wide(X), wide(Y)
    with np.errstate(**_ERR):
        k = np.exp(-gamma * _sq_dist(x, y))
    if x.shape == y.shape and np.array_equal(x, y):  # K(X, X): a nugget for a stable Cholesky
        k = k + 1e-6 * np.eye(len(x))
    return back(k, X)


def rbf_differences(X, Y, gamma):
    with np.errstate(**_ERR):
        return back(np.exp(-gamma * _sq_dist(wide(X), wide(Y))), X)


def rbf_product_of_exps(X, Y, gamma):
    diff = wide(X)[:, None, :] - wide(Y)[None, :, :]
    with np.errstate(**_ERR):
        return back(np.prod(np.exp(-gamma * diff * diff), axis=-1), X)


# --- kernel.polynomial -------------------------------------------------------------------

def _dots(X, Y):
    return wide(X) @ wide(Y).T


def poly_sklearn_default_gamma(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back((_dots(X, Y) / X.shape[1] + coef0) ** degree, X)


def poly_degree_off_by_one(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back((_dots(X, Y) + coef0) ** max(degree - 1, 0), X)


def poly_coef0_outside(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back(_dots(X, Y) ** degree + coef0, X)


def poly_coef0_sign_flipped(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back((_dots(X, Y) - coef0) ** degree, X)


def poly_via_log(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back(np.exp(degree * np.log(_dots(X, Y) + coef0)), X)


def poly_one_sided_cosine(X, Y, degree, coef0):
    x = wide(X)
    with np.errstate(**_ERR):
        norms = np.sqrt(np.sum(x * x, axis=1, keepdims=True))
        x = np.where(norms > 0, x / np.where(norms > 0, norms, 1), x)
        return back((x @ wide(Y).T + coef0) ** degree, X)


def poly_nan_to_num(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back((np.nan_to_num(_dots(X, Y)) + coef0) ** degree, X)


def poly_repeated_products(X, Y, degree, coef0):
    base = _dots(X, Y) + coef0
    out = np.ones_like(base)
    with np.errstate(**_ERR):
        for _ in range(degree):
            out = out * base
    return back(out, X)


def poly_float_power(X, Y, degree, coef0):
    with np.errstate(**_ERR):
        return back(np.float_power(_dots(X, Y) + coef0, float(degree)), X)


_L, _R, _P = "kernel.linear", "kernel.rbf", "kernel.polynomial"

BUGGY = [
    Variant(_L, "nansum_drops_nan", linear_nansum, "np.nansum over the products: a NaN row gives numbers"),
    Variant(_L, "one_sided_normalisation", linear_one_sided_norm,
            "divides by ‖x_i‖ only (half of a cosine similarity): not symmetric"),
    Variant(_L, "polarization_identity", linear_polarization,
            "(‖x+y‖² - ‖x-y‖²)/4 in the input dtype: cancels, and overflows for large entries"),
    Variant(_L, "centred_by_grand_mean", linear_minus_mean,
            "subtracts the mean of K (instead of double-centring): not PSD"),
    Variant(_L, "float32_result", linear_float32, "returns float32 whatever the input dtype"),
    Variant(_R, "unsquared_distance", rbf_unsquared, "exp(-γ‖x-y‖): the distance is not squared"),
    Variant(_R, "expansion_in_dtype", rbf_expansion_in_dtype,
            "‖x‖² + ‖y‖² - 2xᵀy in the input dtype, unclipped: K(x, x) ≠ 1 and K > 1"),
    Variant(_R, "gamma_or_default", rbf_gamma_or_default,
            "γ = 0 read as 'use the default 1/d' (gamma or default): K = 1 expected"),
    Variant(_R, "gaussian_half", rbf_half_gamma, "exp(-γ‖x-y‖²/2): the σ-convention's ½ added"),
    Variant(_R, "sparsified", rbf_sparsified, "zeroes entries below 1e-6 to make K sparse"),
    Variant(_R, "row_bandwidth", rbf_row_bandwidth,
            "a per-row bandwidth γ/(1 + ‖x_i‖²): not symmetric"),
    Variant(_R, "taylor_exp", rbf_taylor, "max(0, 1 - γ‖x-y‖²) 'for speed': not PSD"),
    Variant(_R, "nan_to_num", rbf_nan_to_num, "nan_to_num on the distances: NaN becomes K = 1"),
    Variant(_R, "sign_slipped", rbf_sign_slipped,
            "exp(+γ‖x-y‖²): off-diagonal entries above 1, so K(X, X) is not PSD"),
    Variant(_R, "jitter_on_gram", rbf_jitter_on_gram,
            "K(X, X) + 1e-6·I, a GP's nugget, returned as the kernel: the diagonal is not 1"),
    Variant(_P, "sklearn_default_gamma", poly_sklearn_default_gamma,
            "scikit-learn's default γ = 1/n_features: (xᵀy/d + c)^deg"),
    Variant(_P, "degree_off_by_one", poly_degree_off_by_one, "(xᵀy + c)^(d-1)"),
    Variant(_P, "coef0_outside_power", poly_coef0_outside, "(xᵀy)^d + c"),
    Variant(_P, "coef0_sign_flipped", poly_coef0_sign_flipped, "(xᵀy - c)^d: not PSD"),
    Variant(_P, "power_via_log", poly_via_log, "exp(d·log(xᵀy + c)): NaN for a negative base"),
    Variant(_P, "one_sided_cosine", poly_one_sided_cosine,
            "normalises the rows of X only: not symmetric"),
    Variant(_P, "nan_to_num", poly_nan_to_num, "nan_to_num on xᵀy: NaN rows give numbers"),
]

CORRECT = [
    Variant(_L, "einsum", linear_einsum, "np.einsum('ik,jk->ij') in the wider dtype"),
    Variant(_L, "broadcast_sum", linear_broadcast_sum, "Σ_k x_ik y_jk by broadcasting, wider dtype"),
    Variant(_R, "differences", rbf_differences, "exp(-γΣ(x-y)²) from the differences, wider dtype"),
    Variant(_R, "product_of_exps", rbf_product_of_exps,
            "Π_k exp(-γ(x_k-y_k)²): no cancellation, each factor ≤ 1"),
    Variant(_P, "repeated_products", poly_repeated_products, "d multiplications, wider dtype"),
    Variant(_P, "float_power", poly_float_power, "np.float_power with an integral exponent"),
]
