"""UMAP's pieces as outsiders write them: umap-learn's σ search ported to float64 (without its
floor), a log-space Brent solve, scipy.sparse for the fuzzy union, the curve in the input
dtype and in torch, and the cross-entropy as a Python loop over math.log."""
from __future__ import annotations

import math

import numpy as np
import scipy.sparse
import torch
from scipy.optimize import brentq

from . import Outsider


def _rho(row):
    pos = row[row > 0]
    return pos.min() if pos.size else 0.0


def smooth_knn_umap_loop(distances, k, tol=1e-5):
    """umap-learn's smooth_knn_dist loop in float64, stopping at |Σ - log2 k| < 1e-5, no σ floor."""
    dtype = np.asarray(distances).dtype
    D = np.asarray(distances, dtype=np.float64)
    target = math.log2(k)
    rho, sigma = np.zeros(len(D)), np.zeros(len(D))
    for i, row in enumerate(D):
        if np.isnan(row).any():
            rho[i] = sigma[i] = np.nan
            continue
        rho[i] = _rho(row)
        lo, hi, mid = 0.0, np.inf, 1.0
        for _ in range(5000):
            psum = sum(math.exp(-(d - rho[i]) / mid) if d - rho[i] > 0 else 1.0 for d in row)
            if abs(psum - target) < 1e-5:
                break
            if psum > target:
                hi = mid
                mid = (lo + hi) / 2
            else:
                lo = mid
                mid = mid * 2 if hi == np.inf else (lo + hi) / 2
        sigma[i] = mid
    return rho.astype(dtype), sigma.astype(dtype)


def smooth_knn_brentq(distances, k, tol=1e-5):
    """scipy.optimize.brentq on log σ, bracketed from the smallest and largest positive gap."""
    D = np.asarray(distances)
    out_rho, out_sigma = [], []
    for row in D.astype(np.float64):
        if np.isnan(row).any():
            out_rho.append(np.nan)
            out_sigma.append(np.nan)
            continue
        rho = _rho(row)
        gaps = np.maximum(row - rho, 0.0)

        def excess(t):
            with np.errstate(under="ignore", over="ignore"):
                return np.exp(-gaps / math.exp(t)).sum() - math.log2(k)
        pos = gaps[gaps > 0]
        lo, hi = math.log(pos.min()) - 8.0, math.log(pos.max()) + 8.0
        while excess(lo) > 0 and lo > -744.0:
            lo = max(lo - 8.0, -744.0)
        out_rho.append(rho)
        out_sigma.append(math.exp(brentq(excess, lo, hi, xtol=1e-300, rtol=8.9e-16)))
    return np.array(out_rho, D.dtype), np.array(out_sigma, D.dtype)


def membership_input_dtype(distances, rho, sigma):
    """np.exp(-np.maximum(d - ρ, 0) / σ), all in the input dtype."""
    d = np.asarray(distances)
    with np.errstate(over="ignore", under="ignore"):
        return np.exp(-np.maximum(d - rho[:, None], 0) / sigma[:, None])


def fuzzy_union_sparse(A):
    """scipy.sparse as umap-learn does it: A + Aᵀ - A.multiply(Aᵀ), densified."""
    S = scipy.sparse.csr_matrix(np.asarray(A))
    return (S + S.T - S.multiply(S.T)).toarray()


def low_dim_similarity_input_dtype(d, a, b):
    """1.0 / (1.0 + a * d ** (2 * b)) with d in its own dtype."""
    d = np.asarray(d)
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + a * d ** (2 * b))


def low_dim_similarity_torch(d, a, b):
    """torch.reciprocal(1 + a * torch.pow(d, 2 * b))."""
    t = torch.from_numpy(np.asarray(d))
    return torch.reciprocal(1 + a * torch.pow(t, 2 * b)).numpy()


def cross_entropy_loops(P, Q):
    """A Python loop over the entries with math.log and math.log1p, 0·log 0 taken as 0."""
    total = 0.0
    for p, q in zip(np.asarray(P, np.float64).ravel(), np.asarray(Q, np.float64).ravel()):
        if p != 0:
            total += p * (math.log(p) - math.log(q))
        if p != 1:
            total += (1 - p) * (math.log1p(-p) - math.log1p(-q))
    return np.asarray(total, dtype=np.asarray(P).dtype)


VARIANTS = [
    Outsider("umap.smooth_knn", smooth_knn_umap_loop, "solver"),
    Outsider("umap.smooth_knn", smooth_knn_brentq, "solver"),
    Outsider("umap.membership", membership_input_dtype, "textbook-evaluation"),
    Outsider("umap.fuzzy_union", fuzzy_union_sparse),
    Outsider("umap.low_dim_similarity", low_dim_similarity_input_dtype, "textbook-evaluation"),
    Outsider("umap.low_dim_similarity", low_dim_similarity_torch),
    Outsider("umap.cross_entropy", cross_entropy_loops),
]
