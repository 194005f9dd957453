"""SVM objectives and the dual solver, written to be copied.

Everything is computed in float64 and rounded once to the input dtype. ``fit_dual`` is
SMO (Platt 1998; the maximal-violating-pair selection of LIBSVM, Fan, Chen & Lin 2005) run
to a tight tolerance, then *polished*: with the samples sorted into {at 0, free, at C}, the
KKT system of the free ones is solved directly, so α is accurate to rounding, not to the
stopping tolerance. The polish is kept only if it stays in the box and no worse.
"""
import numpy as np

from ..base import provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def primal_objective(w, b, X, y, C):
    """½‖w‖² + C Σ max(0, 1 - y_i(wᵀx_i + b)): the hinge is the smallest feasible slack."""
    w_, X_, y_ = _f64(w, X, y)
    with np.errstate(over="ignore", invalid="ignore"):
        margins = y_ * (X_ @ w_ + b)
        slack = np.where(margins >= 1, 0.0 * margins, 1 - margins)  # 0·m keeps a NaN margin
        return _out(0.5 * (w_ @ w_) + C * np.sum(slack), w)


def dual_objective(alpha, y, K):
    """Σ α_i - ½ Σ_ij α_i α_j y_i y_j K_ij."""
    a, y_, K_ = _f64(alpha, y, K)
    ay = a * y_
    with np.errstate(over="ignore", invalid="ignore"):
        return _out(np.sum(a) - 0.5 * (ay @ K_ @ ay), alpha)


def _smo(Q, y, C, tol=1e-13, max_iter=100_000):
    """Minimise ½αᵀQα - Σα s.t. 0 ≤ α ≤ C, yᵀα = 0 by SMO with the maximal violating pair."""
    n = len(y)
    alpha = np.zeros(n)
    grad = -np.ones(n)  # ∇ = Qα - 1
    scale = max(1.0, np.abs(Q).max())
    for _ in range(max_iter):
        up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
        if not up.any() or not low.any():
            break
        score = -y * grad
        i = np.flatnonzero(up)[np.argmax(score[up])]
        j = np.flatnonzero(low)[np.argmin(score[low])]
        if score[i] - score[j] <= tol * scale:
            break
        # move α_i by y_i·t and α_j by -y_j·t (keeps yᵀα), t maximising the decrease
        curvature = Q[i, i] + Q[j, j] - 2 * y[i] * y[j] * Q[i, j]
        t = (score[i] - score[j]) / max(curvature, 1e-300)
        t_max_i = C - alpha[i] if y[i] > 0 else alpha[i]
        t_max_j = alpha[j] if y[j] > 0 else C - alpha[j]
        t = min(t, t_max_i, t_max_j)
        di, dj = y[i] * t, -y[j] * t
        alpha[i] += di
        alpha[j] += dj
        alpha[i] = min(max(alpha[i], 0.0), C)
        alpha[j] = min(max(alpha[j], 0.0), C)
        grad += Q[:, i] * di + Q[:, j] * dj
    return alpha


def _dual_value(alpha, Q):
    return alpha.sum() - 0.5 * alpha @ Q @ alpha


def _polish(alpha, Q, y, C):
    """α with its free components re-solved from the KKT system [Q_FF y_F; y_Fᵀ 0]."""
    eps = 1e-9 * C
    at_c = alpha >= C - eps
    free = (alpha > eps) & ~at_c
    fixed = np.where(at_c, C, 0.0)
    if not free.any():
        return fixed
    F = np.flatnonzero(free)
    m = np.zeros((len(F) + 1, len(F) + 1))
    m[:-1, :-1] = Q[np.ix_(F, F)]
    m[:-1, -1] = y[F]
    m[-1, :-1] = y[F]
    rhs = np.concatenate([1 - Q[F] @ fixed, [-y @ fixed]])
    sol = _refined_solve(m, rhs)
    out = fixed.copy()
    out[F] = sol[:-1]
    # yᵀα = 0 to the last bit: the largest free component absorbs the residual
    k = F[np.argmax(out[F])]
    out[k] -= y[k] * (y @ out)
    return out


def _refined_solve(m, rhs, steps=3):
    """m·z = rhs by LU (least squares where m is singular: α not unique), then iterative
    refinement with the residual in extended precision (np.longdouble)."""
    try:
        z = np.linalg.solve(m, rhs)
    except np.linalg.LinAlgError:
        z = np.linalg.lstsq(m, rhs, rcond=None)[0]
    if not np.all(np.isfinite(z)):
        return np.linalg.lstsq(m, rhs, rcond=None)[0]
    wide = m.astype(np.longdouble)
    for _ in range(steps):
        r = (rhs.astype(np.longdouble) - wide @ z.astype(np.longdouble)).astype(np.float64)
        z = z + np.linalg.lstsq(m, r, rcond=None)[0]
    return z


def linear_gram(X):
    return X @ X.T


def fit_dual(X, y, C, kernel="linear"):
    """argmax Σα - ½ αᵀQα s.t. 0 ≤ α ≤ C, yᵀα = 0, Q_ij = y_i y_j K_ij (K = XXᵀ)."""
    if kernel != "linear":
        raise ValueError(f"kernel={kernel!r}: only 'linear' is supported")
    X_, y_ = _f64(X, y)
    C = float(C)
    if np.isnan(X_).any() or np.isnan(y_).any() or np.isnan(C):
        return _out(np.full(len(y_), np.nan), X)
    Q = np.outer(y_, y_) * linear_gram(X_)
    alpha = _smo(Q, y_, C)
    polished = _polish(alpha, Q, y_, C)
    if (np.all((polished >= 0) & (polished <= C))
            and _dual_value(polished, Q) >= _dual_value(alpha, Q) - 1e-12 * max(1.0, C)):
        alpha = polished
    return _out(alpha, X)


FUNCTIONS = provides("svm", primal_objective, dual_objective, fit_dual)
