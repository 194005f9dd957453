"""PCA as outsiders write it: eigh of np.cov, SVD of the centred data, scikit-learn's PCA."""
from __future__ import annotations

import numpy as np
import sklearn.decomposition

from . import Outsider


def pca_fit_eigh_cov(X, k):
    """np.linalg.eigh(np.cov(X, rowvar=False)), the k largest eigenpairs, vectors as rows."""
    X = np.asarray(X)
    C = np.atleast_2d(np.cov(X, rowvar=False))
    w, V = np.linalg.eigh(C)
    order = np.argsort(w)[::-1][:k]
    return V[:, order].T.astype(X.dtype), w[order].astype(X.dtype)


def pca_fit_svd(X, k):
    """SVD of the centred data: rows of Vᵀ and S²/(n-1) (numpy's SVD raises on NaN)."""
    X = np.asarray(X)
    Xc = X - X.mean(axis=0)
    _, S, Vt = np.linalg.svd(Xc, full_matrices=False)
    var = S ** 2 / (X.shape[0] - 1)
    comps = np.zeros((k, X.shape[1]), dtype=X.dtype)
    vals = np.zeros(k, dtype=X.dtype)
    m = min(k, len(S))
    comps[:m], vals[:m] = Vt[:m], var[:m]
    if m < k:  # fewer samples than components: the rest span the null space, eigenvalue 0
        _, _, full = np.linalg.svd(Xc, full_matrices=True)
        comps[m:] = full[m:k]
    return comps, vals


def pca_fit_sklearn(X, k):
    """sklearn.decomposition.PCA(n_components=k, svd_solver='full') (refuses NaN)."""
    p = sklearn.decomposition.PCA(n_components=int(k), svd_solver="full").fit(X)
    return p.components_, p.explained_variance_


def pca_transform_plain(X, components, mean):
    """(X - mean) @ components.T."""
    return (np.asarray(X) - mean) @ np.asarray(components).T


def evr_eigvalsh(X):
    """Eigenvalues of np.cov by eigvalsh, largest first, clipped at 0, over their sum."""
    X = np.asarray(X)
    w = np.linalg.eigvalsh(np.atleast_2d(np.cov(X, rowvar=False)))[::-1]
    w = np.clip(w, 0, None)
    return (w / w.sum()).astype(X.dtype)


def evr_sklearn_padded(X):
    """PCA().fit(X).explained_variance_ratio_, padded with zeros up to d when n ≤ d."""
    X = np.asarray(X)
    r = sklearn.decomposition.PCA(svd_solver="full").fit(X).explained_variance_ratio_
    return np.concatenate([r, np.zeros(X.shape[1] - len(r), dtype=r.dtype)])


def choose_k_cumsum(X, threshold=0.95):
    """1 + the first index where the cumulative ratio reaches the threshold (np.argmax)."""
    ratios = evr_eigvalsh(np.asarray(X, dtype=np.float64))
    return int(np.argmax(np.cumsum(ratios) >= threshold)) + 1


VARIANTS = [
    Outsider("pca.fit", pca_fit_eigh_cov),
    Outsider("pca.fit", pca_fit_svd, "refusal"),
    Outsider("pca.fit", pca_fit_sklearn, "refusal"),
    Outsider("pca.transform", pca_transform_plain),
    Outsider("pca.explained_variance_ratio", evr_eigvalsh),
    Outsider("pca.explained_variance_ratio", evr_sklearn_padded, "refusal"),
    Outsider("pca.choose_k", choose_k_cumsum),
]
