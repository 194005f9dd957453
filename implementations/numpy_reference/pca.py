"""PCA, written to be copied: centre, covariance, symmetric eigensolver, sort descending.

Computed in float64 (float16 and float32 inputs lose nothing to it) and rounded once to the
input dtype. The covariance is formed from the centred data (X - mean)ᵀ(X - mean)/(n-1),
never as XᵀX/(n-1) - n·meanᵀmean/(n-1), which cancels when the data sit far from the origin.
``np.linalg.eigh`` returns eigenvalues in ascending order: reversed here. A NaN anywhere
makes every output NaN (LAPACK would raise instead).
"""
import numpy as np

from ..base import provides


def _covariance(X):
    x = np.asarray(X, dtype=np.float64)
    xc = x - x.mean(axis=0)
    return xc.T @ xc / (x.shape[0] - 1)


def _eigh_descending(X):
    """Eigenvalues (clipped at 0: C is PSD) and eigenvectors as rows, largest first."""
    C = _covariance(X)
    if not np.isfinite(C).all():
        dim = C.shape[0]
        return np.full(dim, np.nan), np.full((dim, dim), np.nan)
    values, vectors = np.linalg.eigh(C)
    return np.maximum(values[::-1], 0.0), vectors[:, ::-1].T


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def fit(X, k):
    """(components (k, d), explained_variance (k,)): the top k eigenpairs of the covariance."""
    values, vectors = _eigh_descending(X)
    return _out(vectors[:k], X), _out(values[:k], X)


def transform(X, components, mean):
    """Z = (X - mean) Vᵀ, components V as rows (k, d)."""
    x, v, m = (np.asarray(a, dtype=np.float64) for a in (X, components, mean))
    return _out((x - m) @ v.T, X)


def _ratios(X):
    values, _ = _eigh_descending(X)
    return values / values.sum()


def explained_variance_ratio(X):
    """λ_j / Σλ_i for all d eigenvalues, descending."""
    return _out(_ratios(X), X)


def choose_k(X, threshold=0.95):
    """The smallest k whose cumulative explained variance ratio reaches the threshold."""
    cumulative = np.cumsum(_ratios(X))
    return int(min(np.searchsorted(cumulative, threshold, side="left") + 1, cumulative.size))


FUNCTIONS = provides("pca", fit, transform, explained_variance_ratio, choose_k)
