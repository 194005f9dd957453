"""SVM objectives and the dual fit as outsiders write them: sklearn's SVC and hinge_loss,
scipy.optimize's SLSQP, einsum, loops."""
from __future__ import annotations

import numpy as np
import scipy.optimize
import sklearn.metrics
import sklearn.svm

from . import Outsider


def primal_objective_plain(w, b, X, y, C):
    """0.5 * w @ w + C * sum(maximum(0, 1 - y * (X @ w + b)))."""
    w = np.asarray(w)
    return 0.5 * w @ w + C * np.sum(np.maximum(0, 1 - y * (X @ w + b)))


def primal_objective_sklearn_hinge(w, b, X, y, C):
    """½‖w‖² + C·n·sklearn's hinge_loss, which needs both labels present (refused otherwise)."""
    w, y = np.asarray(w), np.asarray(y)
    if len(np.unique(y)) < 2:  # hinge_loss relabels a one-class y_true as the negative class
        raise ValueError("hinge_loss needs both labels -1 and +1 in y")
    decision = np.asarray(X) @ w + b
    return 0.5 * np.dot(w, w) + C * len(y) * sklearn.metrics.hinge_loss(y, decision)


def dual_objective_einsum(alpha, y, K):
    """Σα - ½ einsum('i,j,i,j,ij->', α, α, y, y, K)."""
    return np.sum(alpha) - 0.5 * np.einsum("i,j,i,j,ij->", alpha, alpha, y, y, K)


def dual_objective_loops(alpha, y, K):
    """A double loop over i, j in Python floats."""
    a, yy, KK = (np.asarray(v, dtype=float).tolist() for v in (alpha, y, K))
    quad = 0.0
    for i in range(len(a)):
        for j in range(len(a)):
            quad += a[i] * a[j] * yy[i] * yy[j] * KK[i][j]
    return sum(a) - 0.5 * quad


def fit_dual_sklearn_svc(X, y, C, kernel="linear"):
    """SVC(C, kernel, tol=1e-6).fit, α from |dual_coef_| at support_ (LIBSVM cycles below ~1e-8)."""
    X, y = np.asarray(X), np.asarray(y)
    svc = sklearn.svm.SVC(C=float(C), kernel=kernel, tol=1e-6).fit(X, y)
    alpha = np.zeros(len(y))
    alpha[svc.support_] = np.abs(svc.dual_coef_[0])
    return alpha.astype(X.dtype)


def fit_dual_scipy_slsqp(X, y, C, kernel="linear"):
    """Minimise ½αᵀQα - Σα with SLSQP under 0 ≤ α ≤ C and yᵀα = 0 (linear kernel only)."""
    if kernel != "linear":
        raise ValueError(f"kernel={kernel!r}: only 'linear'")
    X64, y64 = np.asarray(X, float), np.asarray(y, float)
    if np.isnan(X64).any() or np.isnan(y64).any() or np.isnan(float(C)):
        raise ValueError("X, y or C contains NaN")
    Q = np.outer(y64, y64) * (X64 @ X64.T)
    res = scipy.optimize.minimize(
        lambda a: 0.5 * a @ Q @ a - a.sum(), np.zeros(len(y64)), jac=lambda a: Q @ a - 1,
        bounds=[(0, float(C))] * len(y64), method="SLSQP",
        constraints=[{"type": "eq", "fun": lambda a: a @ y64, "jac": lambda a: y64}],
        options={"ftol": 1e-15, "maxiter": 1000})
    return np.clip(res.x, 0, float(C)).astype(np.asarray(X).dtype)


VARIANTS = [
    Outsider("svm.primal_objective", primal_objective_plain),
    Outsider("svm.primal_objective", primal_objective_sklearn_hinge, "refusal"),
    Outsider("svm.dual_objective", dual_objective_einsum),
    Outsider("svm.dual_objective", dual_objective_loops),
    Outsider("svm.fit_dual", fit_dual_sklearn_svc, "solver"),
    Outsider("svm.fit_dual", fit_dual_scipy_slsqp, "solver"),
]
