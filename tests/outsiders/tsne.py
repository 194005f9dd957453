"""t-SNE pieces as outsiders write them: cdist/pdist affinities, van der Maaten's x2p binary
search on β (tol 1e-5 nats), rel_entr, masked loops."""
from __future__ import annotations

import math

import numpy as np
import scipy.special
from scipy.spatial.distance import cdist, pdist, squareform

from . import Outsider


def conditional_probabilities_cdist(X, sigmas):
    """cdist sqeuclidean, each row shifted by its nearest neighbour's distance, exp, normalised."""
    X = np.asarray(X)
    D = cdist(X, X, "sqeuclidean")
    np.fill_diagonal(D, np.inf)
    s = np.asarray(sigmas, dtype=np.float64)[:, None]
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        W = np.exp(-(D - D.min(axis=1, keepdims=True)) / (2 * s * s))
        W[np.isinf(D) & ~np.isnan(W)] = 0.0
        return (W / W.sum(axis=1, keepdims=True)).astype(X.dtype)


def _row_entropy(d, beta):
    """H and p of p ∝ exp(-β (d - min d)) (the shift only avoids underflow)."""
    w = np.exp(-beta * (d - d.min()))
    total = w.sum()
    return math.log(total) + beta * float(w @ (d - d.min())) / total, w / total


def joint_probabilities_x2p(X, perplexity):
    """van der Maaten's x2p: bisect each row's β until |H - log perplexity| < 1e-5 nats."""
    X = np.asarray(X)
    n = X.shape[0]
    D = squareform(pdist(np.asarray(X, dtype=np.float64), "sqeuclidean"))
    if not np.isfinite(D).all():
        raise ValueError("X contains NaN or inf")
    target = math.log(perplexity)
    P = np.zeros((n, n))
    for i in range(n):
        d = np.delete(D[i], i)
        beta, lo, hi = 1.0, 0.0, math.inf
        H, p = _row_entropy(d, beta)
        for _ in range(2000):
            if abs(H - target) < 1e-5:
                break
            if H > target:
                lo = beta
                beta = beta * 2 if hi == math.inf else (beta + hi) / 2
            else:
                hi = beta
                beta = (beta + lo) / 2
            H, p = _row_entropy(d, beta)
        P[i, np.arange(n) != i] = p
    return ((P + P.T) / (2 * n)).astype(X.dtype)


def low_dim_affinities_pdist(Y):
    """squareform(1 / (1 + pdist(Y, 'sqeuclidean'))) over its sum (zero diagonal)."""
    Y = np.asarray(Y)
    num = squareform(1.0 / (1.0 + pdist(np.asarray(Y, dtype=np.float64), "sqeuclidean")))
    return (num / num.sum()).astype(Y.dtype)


def low_dim_affinities_broadcast(Y):
    """Broadcast differences in the input dtype, 1/(1 + d²), diagonal zeroed, normalised."""
    Y = np.asarray(Y)
    diff = Y[:, None, :] - Y[None, :, :]
    with np.errstate(over="ignore"):
        num = 1 / (1 + np.sum(diff * diff, axis=-1))
    np.fill_diagonal(num, 0)
    return num / num.sum()


def tsne_kl_rel_entr(P, Q):
    """np.sum(scipy.special.rel_entr(P, Q)): the zero diagonal contributes rel_entr(0, 0) = 0."""
    return np.sum(scipy.special.rel_entr(P, Q))


def tsne_kl_masked_loop(P, Q):
    """A double loop over i ≠ j with math.log, skipping p_ij = 0."""
    P, Q = np.asarray(P).tolist(), np.asarray(Q).tolist()
    total = 0.0
    for i, (rp, rq) in enumerate(zip(P, Q)):
        for j, (p, q) in enumerate(zip(rp, rq)):
            if i == j:
                continue
            if math.isnan(p) or math.isnan(q):
                return math.nan
            if p > 0:
                total += p * math.log(p / q) if q > 0 else math.inf
    return total


VARIANTS = [
    Outsider("tsne.conditional_probabilities", conditional_probabilities_cdist),
    Outsider("tsne.joint_probabilities", joint_probabilities_x2p, "solver"),
    Outsider("tsne.low_dim_affinities", low_dim_affinities_pdist),
    Outsider("tsne.low_dim_affinities", low_dim_affinities_broadcast, "textbook-evaluation"),
    Outsider("tsne.kl_divergence", tsne_kl_rel_entr),
    Outsider("tsne.kl_divergence", tsne_kl_masked_loop),
]
