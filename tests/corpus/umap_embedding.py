"""UMAP's low-dimensional side: ``low_dim_similarity(d, a, b)``, ``find_ab(spread=1.0,
min_dist=0.1)`` → (a, b) as float64 0-d arrays, ``cross_entropy(P, Q)``; buggy variants that
must be caught, correct ones that must pass (umap.py holds the fuzzy graph's, and gathers
these)."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")
GRID = 300  # umap-learn's find_ab_params: np.linspace(0, 3 * spread, 300)


def _f64(a):
    return np.asarray(a, dtype=np.float64)


# --- low_dim_similarity -------------------------------------------------------------------------

def similarity_log1p(d, a, b):
    x = wide(d)
    with np.errstate(**_ERR):
        return back(np.exp(-np.log1p(a * np.exp(2 * b * np.log(x)))), d)


def similarity_squared_distance(d, a, b):
    x = wide(d)
    return back(1.0 / (1.0 + a * (x * x) ** b), d)


def similarity_power_b(d, a, b):
    x = wide(d)
    return back(1.0 / (1.0 + a * x ** b), d)


def similarity_power_outside(d, a, b):
    x = wide(d)
    return back(1.0 / (1.0 + a * x ** 2) ** b, d)


def similarity_swapped(d, a, b):
    x = wide(d)
    return back(1.0 / (1.0 + b * x ** (2 * a)), d)


def similarity_precedence(d, a, b):
    x = wide(d)
    return back(1.0 / (1.0 + a * x ** 2 * b), d)


def similarity_log_probability(d, a, b):
    x = wide(d)
    return back(-np.log1p(a * x ** (2 * b)), d)


def similarity_gradient_power(d, a, b):
    x = wide(d)
    with np.errstate(**_ERR):
        d2 = x * x
        return back(1.0 / (1.0 + a * d2 ** (b - 1) * d2), d)


def similarity_guard_positive(d, a, b):
    x = wide(d)
    with np.errstate(**_ERR):
        return back(np.where(x > 0, 1.0 / (1.0 + a * np.exp(2 * b * np.log(x))), 1.0), d)


# --- find_ab ------------------------------------------------------------------------------------

def _targets(x, spread, min_dist):
    with np.errstate(**_ERR):
        return np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))


def _model(x, a, b):
    with np.errstate(**_ERR):
        return 1.0 / (1.0 + a * x ** (2 * b))


def _newton_polish(x, y, a, b, steps=8):
    """Newton's method on the normal equations ∇ Σ (f - y)² = 0, with the exact Hessian (the
    residual is not 0 at the optimum: Gauss-Newton converges only linearly there)."""
    x = x[x > 0]
    y = y[-len(x):]
    L = np.log(x)
    theta = np.array([a, b], np.float64)
    for _ in range(steps):
        a, b = theta
        u = np.exp(2 * b * L)
        g = 1.0 / (1.0 + a * u)
        r = g - y
        ga, gb = -u * g * g, -2 * a * L * u * g * g
        gaa = 2 * u * u * g ** 3
        gab = -2 * L * u * g * g + 4 * a * L * u * u * g ** 3
        gbb = -4 * a * L * L * u * g * g + 8 * a * a * L * L * u * u * g ** 3
        G = np.array([(r * ga).sum(), (r * gb).sum()])
        H = np.array([[(ga * ga + r * gaa).sum(), (ga * gb + r * gab).sum()],
                      [(ga * gb + r * gab).sum(), (gb * gb + r * gbb).sum()]])
        step = np.linalg.solve(H, G)
        if not np.all(np.isfinite(step)):
            break
        theta = theta - step
        if np.all(np.abs(step) <= 2e-16 * np.abs(theta)):
            break
    return theta


def _pair(a, b):
    return np.asarray(a, np.float64).reshape(()), np.asarray(b, np.float64).reshape(())


def find_ab_least_squares(spread=1.0, min_dist=0.1):
    from scipy.optimize import least_squares

    x = np.linspace(0, 3 * spread, GRID)
    y = _targets(x, spread, min_dist)
    fit = least_squares(lambda t: _model(x, *t) - y, (1.0, 1.0), xtol=1e-15, ftol=1e-15,
                        gtol=1e-15, method="lm")
    return _pair(*_newton_polish(x, y, *fit.x))


def find_ab_curve_fit_polished(spread=1.0, min_dist=0.1):
    from scipy.optimize import curve_fit

    x = np.linspace(0, 3 * spread, GRID)
    y = _targets(x, spread, min_dist)
    (a, b), _ = curve_fit(_model, x, y, maxfev=10_000)
    return _pair(*_newton_polish(x, y, a, b))


def _fitted(x, y):
    from scipy.optimize import curve_fit

    (a, b), _ = curve_fit(_model, x, y, maxfev=10_000)
    return _newton_polish(x, y, a, b)


def find_ab_grid_ignores_spread(spread=1.0, min_dist=0.1):
    x = np.linspace(0, 3, GRID)
    return _pair(*_fitted(x, _targets(x, spread, min_dist)))


def find_ab_arange_grid(spread=1.0, min_dist=0.1):
    x = np.arange(GRID) * (0.01 * spread)
    return _pair(*_fitted(x, _targets(x, spread, min_dist)))


def find_ab_not_shifted(spread=1.0, min_dist=0.1):
    x = np.linspace(0, 3 * spread, GRID)
    y = np.where(x < min_dist, 1.0, np.exp(-x / spread))
    return _pair(*_fitted(x, y))


def find_ab_swapped(spread=1.0, min_dist=0.1):
    a, b = find_ab_curve_fit_polished(spread, min_dist)
    return b, a


def find_ab_power_b(spread=1.0, min_dist=0.1):
    """Fits 1/(1 + a x^b), then reports b as the exponent's half it never was."""
    from scipy.optimize import curve_fit

    x = np.linspace(0, 3 * spread, GRID)
    y = _targets(x, spread, min_dist)
    (a, b), _ = curve_fit(lambda t, a, b: 1.0 / (1.0 + a * t ** b), x, y, maxfev=10_000)
    return _pair(a, b)


@lru_cache(maxsize=None)
def find_ab_cached(spread=1.0, min_dist=0.1):
    return find_ab_curve_fit_polished(spread, min_dist)


# --- cross_entropy ------------------------------------------------------------------------------

def cross_entropy_rel_entr(P, Q):
    from scipy.special import rel_entr

    p, q = _f64(P), _f64(Q)
    return back((rel_entr(p, q) + rel_entr(1 - p, 1 - q)).sum(), P)


def cross_entropy_log_ratios(P, Q):
    from scipy.special import xlogy

    p, q = wide(P), wide(Q)
    with np.errstate(**_ERR):
        attract = xlogy(p, p / q)
        repel = np.where(p == 1, 0 * q, (1 - p) * np.log1p((q - p) / (1 - q)))
    return back((attract + repel).sum(), P)


def cross_entropy_attraction_only(P, Q):
    from scipy.special import rel_entr

    return back(rel_entr(_f64(P), _f64(Q)).sum(), P)


def cross_entropy_zero_log_zero_nan(P, Q):
    p, q = wide(P), wide(Q)
    with np.errstate(**_ERR):
        return back((p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))).sum(), P)


def cross_entropy_mean(P, Q):
    from scipy.special import rel_entr

    p, q = _f64(P), _f64(Q)
    return back((rel_entr(p, q) + rel_entr(1 - p, 1 - q)).mean(), P)


def cross_entropy_clipped_bce(P, Q, eps=1e-4):
    p, q = wide(P), wide(Q)
    attract = -p * np.log(np.clip(q, eps, 1.0))
    repel = -(1 - p) * np.log(np.clip(1 - q, eps, 1.0))
    return back((attract + repel).sum(), P)


def cross_entropy_nansum(P, Q):
    p, q = wide(P), wide(Q)
    with np.errstate(**_ERR):
        return back(np.nansum(p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))), P)


def cross_entropy_sign_flipped(P, Q):
    from scipy.special import xlogy

    p, q = wide(P), wide(Q)
    with np.errstate(**_ERR):
        return back((xlogy(p, q / p) + xlogy(1 - p, (1 - q) / (1 - p))).sum(), P)


def cross_entropy_reversed(P, Q):
    from scipy.special import rel_entr

    p, q = _f64(P), _f64(Q)
    return back((rel_entr(q, p) + rel_entr(1 - q, 1 - p)).sum(), P)


_LD, _AB, _CE = "umap.low_dim_similarity", "umap.find_ab", "umap.cross_entropy"

BUGGY = [
    Variant(_LD, "power_b", similarity_power_b, "d^b: d taken for a squared distance"),
    Variant(_LD, "power_outside", similarity_power_outside, "1/(1 + a d²)^b"),
    Variant(_LD, "a_b_swapped", similarity_swapped, "1/(1 + b d^{2a})"),
    Variant(_LD, "precedence", similarity_precedence, "a * d ** 2 * b: Python reads d^2·b, not d^{2b}"),
    Variant(_LD, "log_probability", similarity_log_probability,
            "parametric UMAP's convert_distance_to_log_probability: -log1p(a d^{2b}), log q not q"),
    Variant(_LD, "gradient_power", similarity_gradient_power,
            "a·(d²)^{b-1}·d², the gradient's power reused: 0·inf = NaN at d = 0 when b < 1"),
    Variant(_LD, "guard_drops_nan", similarity_guard_positive,
            "where(d > 0, ·, 1) to dodge log 0: NaN > 0 is False, so a NaN distance gives 1"),
    Variant(_AB, "grid_ignores_spread", find_ab_grid_ignores_spread,
            "fits on linspace(0, 3, 300) whatever the spread"),
    Variant(_AB, "arange_grid", find_ab_arange_grid,
            "np.arange(300)·0.01·spread: step 0.01·spread, ending at 2.99·spread, not umap's linspace"),
    Variant(_AB, "targets_not_shifted", find_ab_not_shifted,
            "targets exp(-x/spread): min_dist not subtracted"),
    Variant(_AB, "a_b_swapped", find_ab_swapped, "returns (b, a)"),
    Variant(_AB, "power_b", find_ab_power_b, "fits 1/(1 + a x^b): the exponent is 2b"),
    Variant(_AB, "cached", find_ab_cached,
            "lru_cache on the fit hands every caller the same (a, b) arrays"),
    Variant(_CE, "attraction_only", cross_entropy_attraction_only,
            "Σ p log(p/q): the (1-p) log((1-p)/(1-q)) repulsion is missing"),
    Variant(_CE, "zero_log_zero_nan", cross_entropy_zero_log_zero_nan,
            "p·log(p/q) as written: NaN at p = 0 and at p = 1"),
    Variant(_CE, "mean", cross_entropy_mean, "mean over the entries instead of the sum"),
    Variant(_CE, "clipped_bce", cross_entropy_clipped_bce,
            "parametric UMAP's -p log clip(q) - (1-p) log clip(1-q): no entropy of P, q clipped at 1e-4"),
    Variant(_CE, "nansum", cross_entropy_nansum,
            "nansum to hide 0·log 0: hides a NaN p or q too"),
    Variant(_CE, "sign_flipped", cross_entropy_sign_flipped,
            "Σ p log(q/p) + (1-p) log((1-q)/(1-p)): both ratios inverted, the negated divergence"),
    Variant(_CE, "reversed", cross_entropy_reversed, "the cross-entropy of Q against P"),
]

CORRECT = [
    Variant(_LD, "log1p", similarity_log1p, "exp(-log1p(a·exp(2b log d))), 1 at d = 0 through exp(-∞)"),
    Variant(_LD, "squared_distance", similarity_squared_distance,
            "1/(1 + a (d²)^b), as umap-learn's optimiser writes it"),
    Variant(_AB, "least_squares", find_ab_least_squares,
            "scipy's least_squares at tight tolerances, then Newton's method on the normal equations"),
    Variant(_AB, "curve_fit_polished", find_ab_curve_fit_polished,
            "umap-learn's curve_fit, then Newton's method on the normal equations"),
    Variant(_CE, "rel_entr", cross_entropy_rel_entr,
            "rel_entr(p, q) + rel_entr(1-p, 1-q) in float64: 1 - q rounded as the formula as written rounds it"),
    Variant(_CE, "log_ratios", cross_entropy_log_ratios,
            "xlogy(p, p/q) + (1-p)·log1p((q-p)/(1-q)): (1-p)/(1-q) taken as 1 + (q-p)/(1-q)"),
]
