"""UMAP's two fitted quantities (McInnes, Healy & Melville 2018), for umap.py's oracles:

- ``bandwidth``: σ_i with Σ_j exp(-max(0, d_ij - ρ_i)/σ_i) = log₂ k, bisected on log σ in
  float64, then Newton's method in mpmath; its derivatives by the implicit function theorem.
- ``curve``: the (a, b) of 1/(1 + a x^{2b}) fitted by least squares to umap's targets on its
  grid x_i = 3·spread·i/299 (i < 300), by Newton's method on the normal equations in
  mpmath; every per-point derivative by ``sympy.diff``, compiled once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import curve_fit

from mathoracle.core.compiled import lambdify

GRID = 300  # umap-learn's find_ab_params: np.linspace(0, 3 * spread, 300)


# --- σ_i of the smooth k-nearest-neighbour distances -----------------------------------------

@dataclass
class Bandwidth:
    """σ and what its sensitivity needs: ∂σ/∂d_j for every entry of the row (ρ's through the
    entry it is), and ∂σ/∂(log₂ k), the step of the root per unit of the target."""

    sigma: mpmath.mpf
    d_sigma: list
    d_target: mpmath.mpf
    terms: list  # exp(-max(0, d_j - ρ)/σ)


FAR = 10 ** 5  # e^{-g/σ} for g/σ beyond it is below 10^-43000: 0 at any working precision


def term(gap, sigma):
    """exp(-max(0, gap)/σ), 0 where g/σ > FAR (mpmath would overflow forming e^{-1e300})."""
    if not gap > 0:
        return mpmath.mpf(1)
    return mpmath.exp(-gap / sigma) if gap / sigma <= FAR else mpmath.mpf(0)


def _total(gaps, sigma):
    return mpmath.fsum(term(g, sigma) for g in gaps)


def _solve(gaps, target):
    """σ > 0 with Σ_j exp(-max(0, g_j)/σ) = target (the sum rises with σ from the count of
    g_j ≤ 0 to len(gaps)): bracketed and bisected on log σ at 20 digits (gaps may span the
    whole float64 range, 5e-324 beside 8), then Newton's method at the working precision."""
    pos = [g for g in gaps if g > 0]
    with mpmath.workdps(20):
        lo, hi = mpmath.log(min(pos)), mpmath.log(max(pos))
        while _total(gaps, mpmath.exp(lo)) > target:
            lo -= 4
        while _total(gaps, mpmath.exp(hi)) < target:
            hi += 4
        for _ in range(60):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if _total(gaps, mpmath.exp(mid)) < target else (lo, mid)
    t = mpmath.mpf((lo + hi) / 2)
    for _ in range(60):  # Newton on log σ: d(total)/d(log σ) = Σ e^{-g/σ}·g/σ
        sigma = mpmath.exp(t)
        slope = mpmath.fsum(term(g, sigma) * g / sigma for g in gaps if g > 0)
        step = (_total(gaps, sigma) - target) / slope
        t -= step
        if abs(step) < mpmath.ldexp(1, 8 - mpmath.mp.prec):
            break
    return mpmath.exp(t)


def bandwidth(row, rho, k, offset=0) -> Bandwidth:
    """σ_i of one row of distances (mpf) at ρ_i, with Σ = log₂ k + offset."""
    target = mpmath.log(k, 2) + offset
    gaps = [d - rho for d in row]
    sigma = _solve(gaps, target)
    terms = [term(g, sigma) for g in gaps]
    slope = mpmath.fsum(t * g / sigma ** 2 for t, g in zip(terms, gaps) if g > 0)  # ∂Σ/∂σ
    d_gap = [t / sigma if g > 0 else mpmath.mpf(0) for t, g in zip(terms, gaps)]  # -∂Σ/∂g_j
    d_sigma = [dg / slope for dg in d_gap]  # ∂σ/∂d_j = -(∂Σ/∂d_j)/(∂Σ/∂σ), ∂Σ/∂d_j = -d_gap
    at_rho = [j for j, g in enumerate(gaps) if g == 0][:1]  # ρ is this entry: ∂g/∂ρ = -1
    for j in at_rho:
        d_sigma[j] -= mpmath.fsum(d_gap) / slope
    return Bandwidth(sigma, d_sigma, 1 / slope, terms)


# --- (a, b) of the low-dimensional curve -------------------------------------------------------

@lru_cache(maxsize=None)
def _per_point():
    """For one grid point x with target y: the residual's share of the normal equations
    G = r·∇f (∇ by (a, b)) and its Jacobian by (a, b), compiled for mpmath and for NumPy
    (the float64 polish, vectorised over the grid); and ∂G/∂x, ∂G/∂y (sympy.diff)."""
    x, y = sp.symbols("x y", positive=True)
    a, b = sp.symbols("a b", positive=True)
    f = 1 / (1 + a * x ** (2 * b))
    G = [(f - y) * sp.diff(f, v) for v in (a, b)]
    H = [[sp.diff(g, v) for v in (a, b)] for g in G]
    newton = lambdify((x, y, a, b), [G, H], cse=True)
    by_points = lambdify((x, y, a, b), lambda: [[sp.diff(g, x) for g in G], [sp.diff(g, y) for g in G]],
                         cse=True, key=("umap curve: by grid point", G))
    return newton, sp.lambdify((x, y, a, b), [G, H], "numpy"), by_points


def grid(spread, min_dist):
    """umap's grid and targets, exactly: x_i = 3·spread·i/299, y_i = 1 for x_i < min_dist,
    else exp(-(x_i - min_dist)/spread). x_0 = 0 fits any (a, b) exactly and is left out."""
    xs = [3 * spread * i / (GRID - 1) for i in range(1, GRID)]
    return xs, [mpmath.mpf(1) if x < min_dist else mpmath.exp(-(x - min_dist) / spread) for x in xs]


@dataclass
class Curve:
    a: mpmath.mpf
    b: mpmath.mpf
    sensitivity: tuple  # (S_a, S_b): Σ |∂θ/∂p|·|p| over spread, min_dist, every x_i and y_i


def _start(spread, min_dist):
    """A float64 fit on umap-learn's grid: scipy's curve_fit (about 8 digits), then Newton's
    steps in float64 (x_0 = 0 fits any (a, b) and is left out of them)."""
    x = np.linspace(0, 3 * spread, GRID)
    y = np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))
    with np.errstate(all="ignore"):
        start, _ = curve_fit(lambda t, a, b: 1.0 / (1.0 + a * t ** (2 * b)), x, y,
                             p0=(1.0, 1.0), maxfev=10_000)
        theta = np.array(start, np.float64)
        for _ in range(8):
            G, H = _per_point()[1](x[1:], y[1:], *theta)
            step = np.linalg.solve(np.array([[np.sum(h) for h in r] for r in H]), [np.sum(g) for g in G])
            if not np.all(np.isfinite(step)):
                break
            theta = theta - step
            if np.all(np.abs(step) <= 4e-16 * np.abs(theta)):
                break
    return tuple(theta) if np.all(np.isfinite(theta)) else tuple(start)


def curve(spread: float, min_dist: float) -> Curve:
    """The least-squares (a, b) by Newton's method from a float64 fit (``_start``), and the
    sensitivity of each by the implicit function theorem on the normal equations."""
    newton, _, by_points = _per_point()
    sp_, md = mpmath.mpf(spread), mpmath.mpf(min_dist)
    xs, ys = grid(sp_, md)
    theta = mpmath.matrix(_start(spread, min_dist))
    done = mpmath.ldexp(1, -mpmath.mp.prec // 2 - 4)  # quadratic: the next error ~ step²
    for _ in range(60):
        G, H = mpmath.matrix(2, 1), mpmath.matrix(2, 2)
        for x, y in zip(xs, ys):
            g, h = newton(x, y, theta[0], theta[1])
            for r in range(2):
                G[r] += g[r]
                for c in range(2):
                    H[r, c] += h[r][c]
        step = mpmath.lu_solve(H, G)
        theta -= step
        if max(abs(step[0] / theta[0]), abs(step[1] / theta[1])) < done:
            break
    a, b = theta[0], theta[1]
    Hinv = mpmath.inverse(H)
    sens = [mpmath.mpf(0), mpmath.mpf(0)]
    d_spread, d_min = mpmath.matrix(2, 1), mpmath.matrix(2, 1)
    for x, y in zip(xs, ys):
        gx, gy = by_points(x, y, a, b)
        dx = -(Hinv * mpmath.matrix(gx))  # ∂θ/∂x_i, ∂θ/∂y_i: each rounded on its own
        dy = -(Hinv * mpmath.matrix(gy))
        for r in range(2):
            sens[r] += abs(dx[r]) * x + abs(dy[r]) * y
        # x_i ∝ spread; y_i = exp(-(x_i - min_dist)/spread) beyond min_dist
        dy_dspread = -y * md / sp_ ** 2 if x >= md else 0
        dy_dmin = y / sp_ if x >= md else 0
        d_spread += dx * (x / sp_) + dy * dy_dspread
        d_min += dy * dy_dmin
    for r in range(2):
        sens[r] += abs(d_spread[r]) * sp_ + abs(d_min[r]) * md
    return Curve(a, b, tuple(sens))

