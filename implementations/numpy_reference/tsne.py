"""t-SNE's affinities and objective, written to be copied.

Computed in float64 (float16 and float32 inputs lose nothing to it) and rounded once to the
input dtype. Squared distances come from the differences x_i - x_j (never ‖x‖² + ‖y‖² - 2xᵀy,
which cancels for nearby points). Each row's Gaussian is shifted by its nearest distance
before exponentiating, as softmax is by its largest logit: the ratios are unchanged and
nothing underflows to 0/0 when σ is small. The perplexity calibration bisects log β until
the interval is exhausted (full float64 precision, within 200 halvings), not until the entropy
is within a tolerance.
"""
import numpy as np

from ..base import provides


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def squared_distances(X):
    """‖x_i - x_j‖² for every pair, from the differences."""
    diff = X[:, None, :] - X[None, :, :]
    return np.einsum("ijk,ijk->ij", diff, diff)


def _gaussian_rows(D, beta):
    """p_{j|i} ∝ exp(-β_i D_ij) over j ≠ i, each row shifted by its smallest off-diagonal D."""
    n = D.shape[0]
    off = ~np.eye(n, dtype=bool)
    Doff = np.where(off, D, np.inf)
    shifted = Doff - Doff.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        W = np.where(off, np.exp(-beta[:, None] * shifted), 0.0)
        return W / W.sum(axis=1, keepdims=True)


def conditional_probabilities(X, sigmas):
    """p_{j|i} = exp(-‖x_i-x_j‖²/2σ_i²) / Σ_{k≠i} (same); zero diagonal."""
    D = squared_distances(_f64(X))
    s = _f64(sigmas)
    return _out(_gaussian_rows(D, 1.0 / (2.0 * s * s)), X)


def _entropy(d, beta):
    """H (nats) of p ∝ exp(-β d), d the row's off-diagonal distances, shifted by min d."""
    s = d - d.min()
    w = np.exp(-beta * s)
    Z = w.sum()
    return np.log(Z) + beta * (w @ s) / Z


def _calibrate(d, target):
    """β with H(β) = target by bisection on log β (H decreases in β)."""
    lo, hi = -1.0, 1.0
    while _entropy(d, np.exp(lo)) < target and lo > -700:
        lo -= 4.0
    while _entropy(d, np.exp(hi)) > target and hi < 700:
        hi += 4.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _entropy(d, np.exp(mid)) > target:
            lo = mid
        else:
            hi = mid
    return np.exp(0.5 * (lo + hi))


def joint_probabilities(X, perplexity):
    """p_ij = (p_{j|i} + p_{i|j})/2n, each σ_i calibrated to H(P_i) = log perplexity."""
    x = _f64(X)
    n = x.shape[0]
    D = squared_distances(x)
    if not np.isfinite(D).all():
        bad = ~np.isfinite(D).all(axis=1)
        out = np.zeros((n, n))
        out[bad | bad[:, None] | ~np.eye(n, dtype=bool)] = np.nan
        return _out(np.where(np.eye(n, dtype=bool), 0.0, np.nan), X)
    target = np.log(perplexity)
    beta = np.array([_calibrate(np.delete(D[i], i), target) for i in range(n)])
    P = _gaussian_rows(D, beta)
    return _out((P + P.T) / (2 * n), X)


def low_dim_affinities(Y):
    """q_ij = (1+‖y_i-y_j‖²)⁻¹ / Σ_{k≠l} (1+‖y_k-y_l‖²)⁻¹; zero diagonal."""
    y = _f64(Y)
    num = 1.0 / (1.0 + squared_distances(y))
    np.fill_diagonal(num, 0.0)
    return _out(num / num.sum(), Y)


def kl_divergence(P, Q):
    """Σ_{i≠j} p_ij log(p_ij/q_ij), 0·log 0 = 0 (log p - log q: no overflow of p/q)."""
    p, q = _f64(P), _f64(Q)
    off = ~np.eye(p.shape[0], dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p == 0, 0.0 * q, p * (np.log(p) - np.log(q)))
    return _out(terms[off].sum(), P)


FUNCTIONS = provides("tsne", conditional_probabilities, joint_probabilities, low_dim_affinities,
                     kl_divergence)
