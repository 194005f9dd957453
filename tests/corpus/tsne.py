"""t-SNE: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``conditional_probabilities(X, sigmas)`` (n, n) with zero diagonal,
``joint_probabilities(X, perplexity)``, ``low_dim_affinities(Y)``, ``kl_divergence(P, Q)``.
"""
from __future__ import annotations

import numpy as np

from mathoracle.implementations.numpy_reference import tsne as ref

from . import Variant, back


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _d2(X):
    x = _f64(X)
    return ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)


# --- conditional ----------------------------------------------------------------------------

def conditional_no_shift(X, sigmas):
    s = _f64(sigmas)
    with np.errstate(all="ignore"):
        E = np.exp(-_d2(X) / (2 * s[:, None] ** 2))
        np.fill_diagonal(E, 0.0)
        return back(E / E.sum(axis=1, keepdims=True), X)


def conditional_sigma_not_squared(X, sigmas):
    return ref.conditional_probabilities(X, np.sqrt(_f64(sigmas)).astype(np.asarray(sigmas).dtype))


def conditional_diagonal_in_sum(X, sigmas):
    s = _f64(sigmas)
    E = np.exp(-(_d2(X) - 0) / (2 * s[:, None] ** 2))
    P = E / E.sum(axis=1, keepdims=True)
    np.fill_diagonal(P, 0.0)
    return back(P, X)


def conditional_keeps_diagonal(X, sigmas):
    s = _f64(sigmas)
    E = np.exp(-_d2(X) / (2 * s[:, None] ** 2))
    return back(E / E.sum(axis=1, keepdims=True), X)


def conditional_column_sigma(X, sigmas):
    s = _f64(sigmas)
    W = np.exp(-_d2(X) / (2 * s[None, :] ** 2))
    np.fill_diagonal(W, 0.0)
    return back(W / W.sum(axis=1, keepdims=True), X)


def conditional_nan_to_num(X, sigmas):
    return back(np.nan_to_num(ref.conditional_probabilities(_f64(X), _f64(sigmas))), X)


def conditional_softmax(X, sigmas):
    s = _f64(sigmas)
    L = -_d2(X) / (2 * s[:, None] ** 2)
    np.fill_diagonal(L, -np.inf)
    E = np.exp(L - L.max(axis=1, keepdims=True))
    return back(E / E.sum(axis=1, keepdims=True), X)


# --- joint ----------------------------------------------------------------------------------

def _conditionals(X, perplexity):
    """The calibrated p_{j|i} of the reference (the row-stochastic matrix before symmetrising)."""
    x = _f64(X)
    D = ref.squared_distances(x)
    beta = np.array([ref._calibrate(np.delete(D[i], i), np.log(perplexity)) for i in range(len(x))])
    return ref._gaussian_rows(D, beta)


def joint_not_symmetrised(X, perplexity):
    return back(_conditionals(X, perplexity) / np.shape(X)[0], X)


def joint_over_n(X, perplexity):
    C = _conditionals(X, perplexity)
    return back((C + C.T) / np.shape(X)[0], X)


def joint_log2_entropy(X, perplexity):
    return ref.joint_probabilities(X, 2 ** np.log(perplexity) if perplexity > 1 else perplexity)


def joint_nan_to_num(X, perplexity):
    x = _f64(X)
    if np.isnan(x).any():
        return back(np.zeros((len(x), len(x))), X)
    return ref.joint_probabilities(X, perplexity)


def joint_normalised_by_sum(X, perplexity):
    C = _conditionals(X, perplexity)
    P = C + C.T
    return back(P / P.sum(), X)


# --- low-dimensional affinities -------------------------------------------------------------------

def _student(Y):
    num = 1.0 / (1.0 + _d2(Y))
    np.fill_diagonal(num, 0.0)
    return num


def low_dim_seed_typo(Y):
    num = _student(Y)
    return back(num / num.sum(axis=0, keepdims=True), Y)


def low_dim_per_row(Y):
    num = _student(Y)
    return back(num / num.sum(axis=1, keepdims=True), Y)


def low_dim_keeps_diagonal(Y):
    num = 1.0 / (1.0 + _d2(Y))
    return back(num / num.sum(), Y)


def low_dim_gaussian(Y):
    num = np.exp(-_d2(Y))
    np.fill_diagonal(num, 0.0)
    return back(num / num.sum(), Y)


def low_dim_nan_to_num(Y):
    return back(np.nan_to_num(ref.low_dim_affinities(_f64(Y))), Y)


def low_dim_upper_triangle(Y):
    num = _student(Y)
    upper = num[np.triu_indices(len(num), 1)].sum()
    return back(num / (2 * upper), Y)


# --- KL -------------------------------------------------------------------------------------------

def kl_reversed(P, Q):
    return ref.kl_divergence(Q, P)


def kl_sign_flipped(P, Q):
    return back(-_f64(ref.kl_divergence(P, Q)), P)


def kl_cross_entropy(P, Q):
    p, q = _f64(P), _f64(Q)
    off = ~np.eye(len(p), dtype=bool)
    return back(-(p[off] * np.log(q[off])).sum(), P)


def kl_nansum(P, Q):
    p, q = _f64(P), _f64(Q)
    with np.errstate(all="ignore"):
        return back(np.nansum(np.where(p > 0, p * np.log(p / q), 0.0)), P)


def kl_xlogy(P, Q):
    from scipy.special import xlogy
    p, q = _f64(P), _f64(Q)
    off = ~np.eye(len(p), dtype=bool)
    return back((xlogy(p[off], p[off]) - xlogy(p[off], q[off])).sum(), P)


BUGGY = [
    Variant("tsne.conditional_probabilities", "no_shift", conditional_no_shift,
            "exp(-D/2σ²) without shifting by the nearest distance: 0/0 when σ is small"),
    Variant("tsne.conditional_probabilities", "sigma_not_squared", conditional_sigma_not_squared,
            "divides by 2σ instead of 2σ²"),
    Variant("tsne.conditional_probabilities", "diagonal_in_sum", conditional_diagonal_in_sum,
            "the seed's Σ_k read literally (k = i included), then the diagonal zeroed"),
    Variant("tsne.conditional_probabilities", "keeps_diagonal", conditional_keeps_diagonal,
            "p_{i|i} = exp(0)/Σ kept"),
    Variant("tsne.conditional_probabilities", "column_sigma", conditional_column_sigma, "σ_j instead of σ_i"),
    Variant("tsne.conditional_probabilities", "nan_to_num", conditional_nan_to_num, "nan_to_num hides a NaN"),
    Variant("tsne.joint_probabilities", "not_symmetrised", joint_not_symmetrised, "p_{j|i}/n: P not symmetrised"),
    Variant("tsne.joint_probabilities", "over_n", joint_over_n, "(p_{j|i} + p_{i|j})/n: sums to 2"),
    Variant("tsne.joint_probabilities", "wrong_entropy_base", joint_log2_entropy,
            "calibrates to 2^(ln perplexity): entropy base mixed up"),
    Variant("tsne.joint_probabilities", "nan_to_zeros", joint_nan_to_num, "returns zeros for NaN input"),
    Variant("tsne.low_dim_affinities", "seed_typo", low_dim_seed_typo,
            "the seed's denominator Σ_k (1+‖y_k-y_l‖²)⁻¹: each column sums to 1, the whole to n"),
    Variant("tsne.low_dim_affinities", "per_row", low_dim_per_row, "q_{j|i}: normalised per row, not symmetric"),
    Variant("tsne.low_dim_affinities", "keeps_diagonal", low_dim_keeps_diagonal, "(1+0)⁻¹ on the diagonal kept"),
    Variant("tsne.low_dim_affinities", "gaussian", low_dim_gaussian, "a Gaussian kernel, not Student-t"),
    Variant("tsne.low_dim_affinities", "nan_to_num", low_dim_nan_to_num, "nan_to_num hides a NaN"),
    Variant("tsne.kl_divergence", "reversed", kl_reversed, "KL(Q‖P)"),
    Variant("tsne.kl_divergence", "sign_flipped", kl_sign_flipped, "Σ p log(q/p)"),
    Variant("tsne.kl_divergence", "cross_entropy", kl_cross_entropy, "-Σ p log q: the entropy of P is missing"),
    Variant("tsne.kl_divergence", "nansum", kl_nansum, "nansum hides a NaN"),
]

CORRECT = [
    Variant("tsne.conditional_probabilities", "softmax", conditional_softmax,
            "a softmax of the logits -D/2σ², shifted by each row's largest"),
    Variant("tsne.joint_probabilities", "normalised_by_sum", joint_normalised_by_sum,
            "(C + Cᵀ)/Σ, as scikit-learn does: Σ = 2n up to rounding"),
    Variant("tsne.low_dim_affinities", "upper_triangle", low_dim_upper_triangle,
            "the pair sum as twice the upper triangle's"),
    Variant("tsne.kl_divergence", "xlogy", kl_xlogy, "xlogy(p, p) - xlogy(p, q)"),
]
