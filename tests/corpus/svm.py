"""SVM: ``primal_objective(w, b, X, y, C)`` = ½‖w‖² + C Σ max(0, 1 - y(wᵀx + b)),
``dual_objective(alpha, y, K)`` = Σα - ½ΣΣ α_i α_j y_i y_j K_ij and ``fit_dual(X, y, C,
kernel="linear")`` → α maximising the dual s.t. 0 ≤ α ≤ C, Σ α y = 0. Buggy variants that
must be caught, correct ones that must pass."""
from __future__ import annotations

import math
from itertools import product

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _margins(w, b, X, y):
    return wide(y) * (wide(X) @ wide(w) + b)


# --- svm.primal_objective -------------------------------------------------------------------

def primal_hinge_without_max(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        return back(0.5 * v @ v + C * np.sum(1 - _margins(w, b, X, y)), w)


def primal_zero_one_slack(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        return back(0.5 * v @ v + C * np.sum(_margins(w, b, X, y) < 1), w)


def primal_mean_hinge(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        return back(0.5 * v @ v + C * np.mean(np.maximum(0, 1 - _margins(w, b, X, y))), w)


def primal_missing_half(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        return back(v @ v + C * np.sum(np.maximum(0, 1 - _margins(w, b, X, y))), w)


def primal_geometric_margin(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        m = _margins(w, b, X, y) / np.sqrt(v @ v)
        return back(0.5 * v @ v + C * np.sum(np.maximum(0, 1 - m)), w)


def primal_nansum(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        return back(0.5 * np.nansum(v * v) + C * np.nansum(np.maximum(0, 1 - _margins(w, b, X, y))), w)


def primal_slack_loop(w, b, X, y, C):
    v = np.asarray(w, np.float64)
    slack = []
    for xi, yi in zip(np.asarray(X, np.float64), np.asarray(y, np.float64)):
        m = yi * (math.fsum(xi * v) + b)
        slack.append(m * 0.0 if m >= 1 else 1 - m)  # 0·m keeps a NaN margin NaN
    with np.errstate(**_ERR):
        return back(0.5 * math.fsum(v * v) + C * math.fsum(slack), w)


def primal_relu(w, b, X, y, C):
    v = wide(w)
    with np.errstate(**_ERR):
        return back(0.5 * np.dot(v, v) + C * np.maximum(0, 1 - _margins(w, b, X, y)).sum(), w)


# --- svm.dual_objective ---------------------------------------------------------------------

def dual_missing_half(alpha, y, K):
    ay = wide(alpha) * wide(y)
    with np.errstate(**_ERR):
        return back(np.sum(wide(alpha)) - ay @ wide(K) @ ay, alpha)


def dual_without_labels(alpha, y, K):
    a = wide(alpha)
    with np.errstate(**_ERR):
        return back(np.sum(a) - 0.5 * a @ wide(K) @ a, alpha)


def dual_diagonal_only(alpha, y, K):
    a = wide(alpha)
    with np.errstate(**_ERR):
        return back(np.sum(a) - 0.5 * np.sum(a * a * np.diagonal(wide(K))), alpha)


def dual_nansum(alpha, y, K):
    ay = wide(alpha) * wide(y)
    with np.errstate(**_ERR):
        return back(np.nansum(wide(alpha)) - 0.5 * np.nansum(np.outer(ay, ay) * wide(K)), alpha)


def dual_einsum(alpha, y, K):
    a, t = wide(alpha), wide(y)
    with np.errstate(**_ERR):
        return back(a.sum() - 0.5 * np.einsum("i,j,i,j,ij->", a, a, t, t, wide(K)), alpha)


def dual_outer_sum(alpha, y, K):
    ay = np.asarray(alpha, np.float64) * np.asarray(y, np.float64)
    with np.errstate(**_ERR):
        return back(np.sum(alpha, dtype=np.float64) - np.sum(np.outer(ay, ay) * K) / 2, alpha)


# --- svm.fit_dual ---------------------------------------------------------------------------

def _q(X, y):
    x, t = np.asarray(X, np.float64), np.asarray(y, np.float64)
    return np.outer(t, t) * (x @ x.T), t


def _smo(Q, t, C, tol, equality=True):
    """SMO with the maximal violating pair (as LIBSVM), stopping at ``tol``."""
    n = len(t)
    alpha, grad = np.zeros(n), -np.ones(n)
    for _ in range(20_000):
        up = ((t > 0) & (alpha < C)) | ((t < 0) & (alpha > 0))
        low = ((t > 0) & (alpha > 0)) | ((t < 0) & (alpha < C))
        if not up.any() or not low.any():
            break
        score = -t * grad
        i = np.flatnonzero(up)[np.argmax(score[up])]
        j = np.flatnonzero(low)[np.argmin(score[low])]
        if score[i] - score[j] <= tol:
            break
        curv = max(Q[i, i] + Q[j, j] - 2 * t[i] * t[j] * Q[i, j], 1e-300)
        step = min((score[i] - score[j]) / curv, C - alpha[i] if t[i] > 0 else alpha[i],
                   alpha[j] if t[j] > 0 else C - alpha[j])
        alpha[i] += t[i] * step
        alpha[j] -= t[j] * step
        grad += Q[:, i] * t[i] * step - Q[:, j] * t[j] * step
    return alpha


def fit_loose_tolerance(X, y, C, kernel="linear"):
    Q, t = _q(X, y)
    if np.isnan(Q).any():
        return back(np.full(len(t), np.nan), X)
    return back(_smo(Q, t, C, tol=1e-3), X)


def fit_ignores_equality(X, y, C, kernel="linear"):
    """Projected coordinate ascent on the box only: Σ α y = 0 never enforced."""
    Q, t = _q(X, y)
    alpha = np.zeros(len(t))
    with np.errstate(**_ERR):
        for _ in range(200):
            for i in range(len(t)):
                if Q[i, i] > 0:
                    alpha[i] = np.clip(alpha[i] + (1 - Q[i] @ alpha) / Q[i, i], 0, C)
                else:
                    alpha[i] = C
    return back(alpha, X)


def fit_never_trains(X, y, C, kernel="linear"):
    return back(np.zeros(len(y)), X)


def fit_hard_margin(X, y, C, kernel="linear"):
    """Ignores C: α ≥ 0 only (SMO with C = ∞ stand-in)."""
    Q, t = _q(X, y)
    if np.isnan(Q).any():
        return back(np.full(len(t), np.nan), X)
    return back(_smo(Q, t, 1e6 * max(C, 1.0), tol=1e-12), X)


def fit_nan_to_num(X, y, C, kernel="linear"):
    Q, t = _q(np.nan_to_num(np.asarray(X, np.float64)), np.nan_to_num(np.asarray(y, np.float64)))
    return back(_smo(Q, t, C, tol=1e-12), X)


def _refine(m, rhs):
    z = np.linalg.lstsq(m, rhs, rcond=None)[0]
    wide_m = m.astype(np.longdouble)
    for _ in range(3):
        r = (rhs.astype(np.longdouble) - wide_m @ z.astype(np.longdouble)).astype(np.float64)
        z = z + np.linalg.lstsq(m, r, rcond=None)[0]
    return z


def fit_active_set_enumeration(X, y, C, kernel="linear"):
    """Every assignment of the samples to {0, free, C}: the feasible KKT solution with the
    largest dual value (exact for the small n checked here)."""
    Q, t = _q(X, y)
    n = len(t)
    if np.isnan(Q).any() or np.isnan(C):
        return back(np.full(n, np.nan), X)
    best, best_alpha = -np.inf, np.zeros(n)
    for assign in product((0, 1, 2), repeat=n):
        free = [i for i in range(n) if assign[i] == 1]
        fixed = [i for i in range(n) if assign[i] != 1]
        alpha = np.array([C if a == 2 else 0.0 for a in assign])
        if free:
            m = np.zeros((len(free) + 1, len(free) + 1))
            m[:-1, :-1] = Q[np.ix_(free, free)]
            m[:-1, -1] = t[free]
            m[-1, :-1] = t[free]
            rhs = np.concatenate([1 - Q[np.ix_(free, fixed)] @ alpha[fixed], [-t[fixed] @ alpha[fixed]]])
            alpha[free] = _refine(m, rhs)[:-1]
        if np.all(alpha >= 0) and np.all(alpha <= C) and abs(t @ alpha) <= 1e-12 * max(C, 1) * n:
            value = alpha.sum() - alpha @ Q @ alpha / 2
            if value > best:
                best, best_alpha = value, alpha
    return back(best_alpha, X)


_PR, _DU, _FI = "svm.primal_objective", "svm.dual_objective", "svm.fit_dual"

BUGGY = [
    Variant(_PR, "hinge_without_max", primal_hinge_without_max,
            "slack 1 - y(wᵀx + b) for every point: negative where the margin exceeds 1"),
    Variant(_PR, "zero_one_slack", primal_zero_one_slack,
            "C times the number of margin violations (0-1 loss) instead of the hinge"),
    Variant(_PR, "mean_hinge", primal_mean_hinge, "C times the mean hinge, not the sum"),
    Variant(_PR, "missing_half", primal_missing_half, "‖w‖² without its ½"),
    Variant(_PR, "geometric_margin", primal_geometric_margin,
            "the hinge of y(wᵀx + b)/‖w‖ (NaN for w = 0)"),
    Variant(_PR, "nansum_drops_nan", primal_nansum, "np.nansum: a NaN sample is skipped"),
    Variant(_DU, "missing_half", dual_missing_half, "Σα - ΣΣ α_iα_j y_iy_j K_ij: the ½ dropped"),
    Variant(_DU, "without_labels", dual_without_labels, "Σα - ½ αᵀKα: K not multiplied by y_iy_j"),
    Variant(_DU, "diagonal_only", dual_diagonal_only, "Σα - ½ Σ α_i² K_ii: the cross terms dropped"),
    Variant(_DU, "nansum_drops_nan", dual_nansum, "np.nansum: NaN entries are skipped"),
    Variant(_FI, "loose_tolerance", fit_loose_tolerance,
            "SMO stopped at LIBSVM's default tol = 1e-3: not the optimum"),
    Variant(_FI, "ignores_equality", fit_ignores_equality,
            "coordinate ascent on the box only: Σ α y = 0 is never enforced"),
    Variant(_FI, "never_trains", fit_never_trains, "returns α = 0"),
    Variant(_FI, "hard_margin", fit_hard_margin, "ignores C (α ≤ C never enforced)"),
    Variant(_FI, "nan_to_num", fit_nan_to_num, "nan_to_num on X and y: NaN data gives numbers"),
]

CORRECT = [
    Variant(_PR, "slack_loop", primal_slack_loop, "a loop over samples with math.fsum"),
    Variant(_PR, "relu_of_one_minus_margin", primal_relu, "np.maximum(0, 1 - m), which keeps NaN"),
    Variant(_DU, "einsum", dual_einsum, "one einsum over α, α, y, y, K in the wider dtype"),
    Variant(_DU, "outer_sum", dual_outer_sum, "Σ (αy)(αy)ᵀ ⊙ K / 2 in float64"),
    Variant(_FI, "active_set_enumeration", fit_active_set_enumeration,
            "all 3^n assignments to {0, free, C}; the feasible KKT point of largest dual value"),
]
