"""torch's PCA pieces: torch.cov (correction = 1, the n - 1 of the seed) and torch.linalg.eigh
(ascending eigenvalues, flipped here); the cumulative ratio searched with torch.searchsorted.

torch.pca_lowrank is randomized (a few subspace iterations of a random projection): it is
not used, because its answer is approximate by design, not a rounding of the formula.
"""
import torch

from .tensors import tensor, to_numpy


def _covariance(X):
    """torch.cov of the columns, as a (d, d) matrix (torch.cov gives a 0-d tensor for d = 1)."""
    dim = X.shape[1]
    return torch.cov(tensor(X).T).reshape(dim, dim)


def _eigh(X):
    values, vectors = torch.linalg.eigh(_covariance(X))
    return values.flip(0).clamp(min=0), vectors.flip(1).T


def fit(X, k):
    """torch.linalg.eigh(torch.cov(X.T)), largest first."""
    values, vectors = _eigh(X)
    return to_numpy(vectors[:k]), to_numpy(values[:k])


def _ratios(X):
    values = torch.linalg.eigvalsh(_covariance(X)).flip(0).clamp(min=0)
    return values / values.sum()


def explained_variance_ratio(X):
    """torch.linalg.eigvalsh(torch.cov(X.T)), descending, over their sum."""
    return to_numpy(_ratios(X))


def choose_k(X, threshold=0.95):
    """torch.searchsorted(torch.cumsum(ratios), threshold) + 1."""
    cumulative = torch.cumsum(_ratios(X), 0)
    k = torch.searchsorted(cumulative, torch.tensor([threshold], dtype=cumulative.dtype)) + 1
    return int(min(int(k[0]), cumulative.numel()))


FUNCTIONS = {"pca.fit": fit, "pca.explained_variance_ratio": explained_variance_ratio,
             "pca.choose_k": choose_k}

NOT_APPLICABLE = {
    "pca.transform": "torch has no PCA projection ((X - mean) @ V.T would be the adapter's own "
                     "formula)",
}

