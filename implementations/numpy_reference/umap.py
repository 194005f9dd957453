"""UMAP's fuzzy graph, low-dimensional curve and objective, written to be copied.

Computed in float64 (float16 and float32 inputs lose nothing to it) and rounded once to the
input dtype. σ_i is found by bisecting the bit pattern of a positive float64 (which orders
like the number, so the bisection is geometric, like bisecting log σ) until the bracket is two
adjacent doubles: full float64 precision, in at most 64 halvings, not stopped at a tolerance.
The fuzzy union is computed as max + min·(1 - max), which is exactly symmetric and adds two
nonnegative terms (a + b - ab cancels when a and b are near 1). The curve 1/(1 + a·d^{2b})
takes d^{2b} through logarithms only where the power leaves the normal range. a and b are
fitted on umap's grid (exact grid points and thresholds, from fractions) by Levenberg-Marquardt,
then polished by Newton's method on the gradient until the step stops shrinking. The cross
entropy is summed as p·φ(q/p) + (1-p)·φ((1-q)/(1-p)) with φ(t) = t - 1 - log t ≥ 0 (the same
value as p log(p/q) + (1-p) log((1-p)/(1-q))): every term is nonnegative, so nothing cancels
when p ≈ q, and φ near t = 1 comes from its series in t - 1.
"""
import math
from fractions import Fraction

import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def _knn_sums(x, sigma):
    """Σ_j exp(-x_ij/σ_i) per row, x ≥ 0 (a term is 1 where x = 0, whatever σ)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        return np.where(x > 0, np.exp(-x / sigma[:, None]), 1.0).sum(axis=1)


def smooth_knn(distances, k, tol=1e-5):
    """ρ_i = smallest positive d_ij (0 if none); σ_i: Σ_j exp(-max(0, d_ij-ρ_i)/σ_i) = log2 k.

    σ_i is 0 where no σ > 0 reaches log2 k from above (#{d_ij ≤ ρ_i} ≥ log2 k) and inf where
    none reaches it from below (m ≤ log2 k). ``tol`` is ignored: σ is converged fully.
    """
    d, = _f64(distances)
    with np.errstate(invalid="ignore"):
        rho = np.where(d > 0, d, np.inf).min(axis=1, initial=np.inf)
        rho[~(d > 0).any(axis=1)] = 0.0
        x = np.where(d > rho[:, None], d - rho[:, None], 0.0)
    target = math.log2(k)
    lo = np.zeros(d.shape[0], np.int64)                      # σ = 0: Σ = #{x = 0} < target
    hi = np.full(d.shape[0], np.float64(np.inf).view(np.int64))  # σ = inf: Σ = m ≥ target
    while np.any(hi - lo > 1):
        mid = lo + (hi - lo) // 2
        low = _knn_sums(x, mid.view(np.float64)) < target
        lo, hi = np.where(low, mid, lo), np.where(low, hi, mid)
    s_lo, s_hi = lo.view(np.float64), hi.view(np.float64)
    sigma = np.where(np.abs(_knn_sums(x, s_lo) - target) < np.abs(_knn_sums(x, s_hi) - target),
                     s_lo, s_hi)
    sigma = np.where((x == 0).sum(axis=1) >= target, 0.0, sigma)
    sigma = np.where(d.shape[1] <= target, np.inf, sigma)
    nan = np.isnan(d).any(axis=1)
    rho[nan], sigma[nan] = np.nan, np.nan
    return _out(rho, distances), _out(sigma, distances)


def membership(distances, rho, sigma):
    """exp(-max(0, d_ij - ρ_i)/σ_i)."""
    d, r, s = _f64(distances, rho, sigma)
    with np.errstate(invalid="ignore", over="ignore", under="ignore", divide="ignore"):
        return _out(np.exp(-np.maximum(d - r[:, None], 0.0) / s[:, None]), distances)


def fuzzy_union(A):
    """A + Aᵀ - A∘Aᵀ, as max + min·(1 - max) of the pair (A_ij, A_ji)."""
    a, = _f64(A)
    hi, lo = np.maximum(a, a.T), np.minimum(a, a.T)
    return _out(hi + lo * (1.0 - hi), A)


def low_dim_similarity(d, a, b):
    """1/(1 + a·d^{2b})."""
    x, = _f64(d)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        power = x ** (2.0 * b)
        normal = (power >= np.finfo(np.float64).tiny) & (power < np.inf)
        scaled = (x > 0) & np.isfinite(x) & ~normal  # d^{2b} under- or overflowed
        t = np.where(scaled, np.exp(np.log(np.float64(a)) + 2.0 * b * np.log(x)), a * power)
        return _out(1.0 / (1.0 + t), d)


def _ab_grid(spread, min_dist):
    """umap's grid x_i = 3·spread·i/299 and targets y_i, correctly rounded (from fractions)."""
    s, m = Fraction(spread), Fraction(min_dist)
    xs = [3 * s * i / 299 for i in range(300)]
    x = np.array([float(v) for v in xs])
    y = np.array([1.0 if v < m else math.exp(-float((v - m) / s)) for v in xs])
    return x[1:], y[1:]  # x_0 = 0 is left out: its residual 1 - y_0 depends on neither a nor b


def _ab_derivatives(a, b, x, y):
    """Σ r², its gradient and Hessian in (a, b), for r_i = 1/(1 + a·x_i^{2b}) - y_i."""
    L = np.log(x)
    u = np.exp(2.0 * b * L)
    f = 1.0 / (1.0 + a * u)
    r = f - y
    fa = -u * f * f                 # ∂f/∂a
    fb = 2.0 * a * L * fa           # ∂f/∂b
    faa = 2.0 * u * u * f ** 3
    fab = 2.0 * L * (fa + a * faa)
    fbb = 2.0 * a * L * fab
    grad = 2.0 * np.array([r @ fa, r @ fb])
    gn = 2.0 * np.array([[fa @ fa, fa @ fb], [fa @ fb, fb @ fb]])
    full = gn + 2.0 * np.array([[r @ faa, r @ fab], [r @ fab, r @ fbb]])
    return r @ r, grad, gn, full


def find_ab(spread=1.0, min_dist=0.1):
    """(a, b) minimising Σ_i (1/(1 + a·x_i^{2b}) - y_i)² on umap's grid of 300 points."""
    x, y = _ab_grid(spread, min_dist)
    p, lam = np.array([1.0, 1.0]), 1e-3
    cost, grad, gn, _ = _ab_derivatives(*p, x, y)
    for _ in range(1000):  # Levenberg-Marquardt (Gauss-Newton Hessian), a and b kept positive
        step = np.linalg.solve(gn + lam * np.diag(np.diag(gn)), grad)
        trial = p - step
        new = _ab_derivatives(*trial, x, y) if np.all(trial > 0) else (np.inf,)
        if new[0] < cost:
            p, (cost, grad, gn, _), lam = trial, new, lam / 10
            if np.all(np.abs(step) <= 1e-10 * p):
                break
        else:
            lam *= 10
            if lam > 1e30:
                break
    size = np.inf
    for _ in range(50):  # Newton on the gradient, until its step stops shrinking
        _, grad, _, full = _ab_derivatives(*p, x, y)
        step = np.linalg.solve(full, grad)
        if not np.max(np.abs(step / p)) < size:
            break
        size = np.max(np.abs(step / p))
        p = p - step
    return np.float64(p[0]), np.float64(p[1])


def _phi(t, x):
    """φ(t) = t - 1 - log t ≥ 0, given x = t - 1 (its series Σ_{k≥2} (-x)^k/k where |x| ≤ ½)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        near = np.abs(x) <= 0.5
        z = np.where(near, x, 0.0)
        series = np.zeros_like(z)
        for k in range(64, 1, -1):  # Horner: x²·Σ_{k≥2} (-x)^{k-2}/k
            series = 1.0 / k - z * series
        return np.where(near, z * z * series, x - np.log(t))


def _weighted_phi(p, q, diff):
    """p·φ(q/p) for p, q ≥ 0 given diff = q - p (rounded once from the inputs): q where p = 0,
    and (q - p) - p·(log q - log p) where q/p is not a normal number."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        t = q / p
        normal = np.isfinite(t) & (t >= np.finfo(np.float64).tiny)
        phi = _phi(np.where(normal, t, 1.0), diff / p)
        far = diff - p * (np.log(q) - np.log(p))
        return np.where(p == 0, q, np.where(normal, p * phi, far))


def cross_entropy(P, Q):
    """Σ p log(p/q) + (1-p) log((1-p)/(1-q)) over all entries, 0·log(0/q) = 0."""
    p, q = _f64(P, Q)
    terms = _weighted_phi(p, q, q - p) + _weighted_phi(1.0 - p, 1.0 - q, p - q)
    with np.errstate(invalid="ignore"):
        total = math.fsum(terms.ravel()) if np.isfinite(terms).all() else terms.sum()
    return _out(total, P)


FUNCTIONS = provides("umap", smooth_knn, membership, fuzzy_union, low_dim_similarity, find_ab,
                     cross_entropy)
