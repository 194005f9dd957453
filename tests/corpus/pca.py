"""PCA: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``fit(X, k)`` → (components (k, d), explained_variance (k,)),
``transform(X, components, mean)``, ``explained_variance_ratio(X)`` (all d, descending),
``choose_k(X, threshold=0.95)``.
"""
from __future__ import annotations

import numpy as np

from mathoracle.implementations.numpy_reference.pca import _eigh_descending

from . import Variant, back


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _eig(C):
    values, vectors = np.linalg.eigh(C)
    return values[::-1], vectors[:, ::-1].T


def _cov(X, ddof=1, centre=True):
    x = _f64(X)
    xc = x - x.mean(axis=0) if centre else x
    return xc.T @ xc / (x.shape[0] - ddof)


# --- pca.fit ----------------------------------------------------------------------------

def fit_no_centering(X, k):
    values, vectors = _eig(_cov(X, centre=False))
    return back(vectors[:k], X), back(values[:k], X)


def fit_n_not_n_minus_1(X, k):
    values, vectors = _eig(_cov(X, ddof=0))
    return back(vectors[:k], X), back(values[:k], X)


def fit_ascending(X, k):
    values, vectors = np.linalg.eigh(_cov(X))
    return back(vectors.T[:k], X), back(values[:k], X)


def fit_rows_of_eigenvector_matrix(X, k):
    values, vectors = np.linalg.eigh(_cov(X))
    return back(vectors[::-1][:k], X), back(values[::-1][:k], X)


def fit_loadings(X, k):
    values, vectors = _eig(_cov(X))
    return back(vectors[:k] * np.sqrt(np.maximum(values[:k], 0))[:, None], X), back(values[:k], X)


def fit_nan_skipping(X, k):
    x = _f64(X)
    xc = np.nan_to_num(x - np.nanmean(x, axis=0))
    values, vectors = _eig(xc.T @ xc / (x.shape[0] - 1))
    return back(vectors[:k], X), back(values[:k], X)


def fit_svd(X, k):
    x = _f64(X)
    if not np.isfinite(x).all():  # LAPACK's SVD raises on NaN
        return back(np.full((k, x.shape[1]), np.nan), X), back(np.full(k, np.nan), X)
    _, s, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=True)  # all d rows of V: k may exceed n
    values = np.zeros(x.shape[1])
    values[:s.size] = s ** 2 / (x.shape[0] - 1)
    return back(-vt[:k], X), back(values[:k], X)


def fit_signs_flipped(X, k):
    values, vectors = _eigh_descending(X)  # NaN-guarded: LAPACK's eigh returns junk on NaN
    signs = np.where(np.arange(k) % 2 == 0, -1.0, 1.0)[:, None]
    return back(vectors[:k] * signs, X), back(np.maximum(values[:k], 0), X)


# --- pca.transform ------------------------------------------------------------------------

def transform_no_centering(X, components, mean):
    return back(_f64(X) @ _f64(components).T, X)


def transform_adds_mean(X, components, mean):
    return back((_f64(X) + _f64(mean)) @ _f64(components).T, X)


def transform_nan_to_num(X, components, mean):
    return back(np.nan_to_num((_f64(X) - _f64(mean)) @ _f64(components).T), X)


def transform_project_then_centre(X, components, mean):
    v = _f64(components)
    return back(_f64(X) @ v.T - _f64(mean) @ v.T, X)


def transform_einsum(X, components, mean):
    return back(np.einsum("nd,kd->nk", _f64(X) - _f64(mean), _f64(components)), X)


# --- pca.explained_variance_ratio -----------------------------------------------------------

def _values(X, **kw):
    values, _ = _eig(_cov(X, **kw))
    return np.maximum(values, 0)


def ratio_singular_values(X):
    s = np.sqrt(_values(X))
    return back(s / s.sum(), X)


def ratio_biased_total(X):
    x = _f64(X)
    return back(_values(X) / x.var(axis=0).sum(), X)


def ratio_ascending(X):
    v = _values(X)[::-1]
    return back(v / v.sum(), X)


def ratio_of_top(X):
    v = _values(X)
    return back(v / v[0], X)


def ratio_nan_skipping(X):
    x = _f64(X)
    xc = np.nan_to_num(x - np.nanmean(x, axis=0))
    v = np.maximum(np.linalg.eigvalsh(xc.T @ xc)[::-1], 0)
    return back(v / v.sum(), X)


def ratio_thin_svd(X):
    """Squared singular values of the centred data, not padded: min(n, d) ratios, not d."""
    x = _f64(X)
    s = np.linalg.svd(x - x.mean(axis=0), compute_uv=False) if np.isfinite(x).all() \
        else np.full(min(x.shape), np.nan)
    return back(s ** 2 / np.sum(s ** 2), X)


def ratio_svd(X):
    x = _f64(X)
    if not np.isfinite(x).all():
        return back(np.full(x.shape[1], np.nan), X)
    s = np.linalg.svd(x - x.mean(axis=0), compute_uv=False)
    full = np.zeros(x.shape[1])
    full[:s.size] = s ** 2
    return back(full / full.sum(), X)


# --- pca.choose_k ---------------------------------------------------------------------------

def _cumulative(X):
    v = _values(X)
    return np.cumsum(v / v.sum())


def choose_k_zero_based(X, threshold=0.95):
    return int(np.searchsorted(_cumulative(X), threshold))


def choose_k_one_more(X, threshold=0.95):
    return int(min(np.searchsorted(_cumulative(X), threshold) + 2, np.shape(X)[1]))


def choose_k_loop(X, threshold=0.95):
    total, values = 0.0, _values(X)
    for k, v in enumerate(values, start=1):
        total += v
        if total >= threshold * values.sum():
            return k
    return len(values)


def choose_k_strict(X, threshold=0.95):
    return int(min(np.searchsorted(_cumulative(X), threshold, side="right") + 1, np.shape(X)[1]))


BUGGY = [
    Variant("pca.fit", "no_centering", fit_no_centering, "eigendecomposes XᵀX/(n-1): the mean is not removed"),
    Variant("pca.fit", "n_not_n_minus_1", fit_n_not_n_minus_1, "divides by n (biased covariance)"),
    Variant("pca.fit", "ascending_order", fit_ascending, "keeps eigh's ascending order: the smallest variances first"),
    Variant("pca.fit", "rows_of_eigenvector_matrix", fit_rows_of_eigenvector_matrix,
            "takes rows of eigh's eigenvector matrix, whose columns are the eigenvectors"),
    Variant("pca.fit", "loadings", fit_loadings, "returns loadings √λ·v instead of unit components"),
    Variant("pca.fit", "nan_skipping", fit_nan_skipping, "nanmean and nan_to_num hide a NaN"),
    Variant("pca.transform", "no_centering", transform_no_centering, "Z = X Vᵀ: the mean is not removed"),
    Variant("pca.transform", "adds_mean", transform_adds_mean, "(X + mean) Vᵀ: the sign of the centring"),
    Variant("pca.transform", "nan_to_num", transform_nan_to_num, "nan_to_num hides a NaN"),
    Variant("pca.explained_variance_ratio", "singular_values", ratio_singular_values,
            "σ_k/Σσ_i instead of σ_k²/Σσ_i²"),
    Variant("pca.explained_variance_ratio", "biased_total", ratio_biased_total,
            "unbiased eigenvalues over the biased total variance (np.var's ddof=0)"),
    Variant("pca.explained_variance_ratio", "ascending_order", ratio_ascending, "smallest first"),
    Variant("pca.explained_variance_ratio", "ratio_of_top", ratio_of_top, "λ_k/λ_1 instead of λ_k/Σλ"),
    Variant("pca.explained_variance_ratio", "thin_svd", ratio_thin_svd,
            "a thin SVD's min(n, d) ratios: the d - n trailing zeros of wide data are missing"),
    Variant("pca.explained_variance_ratio", "nan_skipping", ratio_nan_skipping, "nanmean hides a NaN"),
    Variant("pca.choose_k", "zero_based", choose_k_zero_based, "the index of the first cumulative ratio reaching the threshold, not k (off by one)"),
    Variant("pca.choose_k", "one_more", choose_k_one_more, "one component more than needed"),
    Variant("pca.choose_k", "strict_inequality", choose_k_strict,
            "cumulative ratio > threshold (scikit-learn's rule): at an exact tie one too many "
            "(X = [[1,0],[-1,0],[0,1],[0,-1]], t = 0.5: 2 for 1)"),
]

CORRECT = [
    Variant("pca.fit", "svd_of_centred_data", fit_svd,
            "V and s²/(n-1) from the full SVD of X_c (zeros past rank n), signs flipped"),
    Variant("pca.fit", "signs_flipped", fit_signs_flipped, "every other component negated: still right up to sign"),
    Variant("pca.transform", "project_then_centre", transform_project_then_centre,
            "X Vᵀ - mean Vᵀ (scikit-learn's order): within what rounding X costs"),
    Variant("pca.transform", "einsum", transform_einsum, "einsum over the centred data"),
    Variant("pca.explained_variance_ratio", "svd", ratio_svd, "squared singular values, zero-padded to d"),
    Variant("pca.choose_k", "loop", choose_k_loop, "a running sum against threshold·total"),
]
