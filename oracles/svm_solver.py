"""The SVM dual's optimum, exactly: the oracle of ``svm.fit_dual``.

maximise D(α) = Σα - ½ αᵀQα, Q_ij = y_i y_j K_ij, s.t. 0 ≤ α ≤ C, yᵀα = 0.

D is concave (Q is PSD), so α is optimal iff it satisfies the KKT conditions: with
g = 1 - Qα and a multiplier ν (the intercept b), g_i - ν y_i is ≤ 0 where α_i = 0, = 0 where
0 < α_i < C and ≥ 0 where α_i = C. For each assignment of the samples to {at 0, free, at C}
those conditions are a linear system in (α_free, ν). The oracle ranks the 3^n assignments
by the dual value of their float64 solutions, then solves the best ones again in exact
rationals (``fractions.Fraction``; X, y and C are binary fractions, so K = XXᵀ is exact)
until one satisfies every KKT condition exactly. Its dual value is D*, exactly.

Where α is not unique (the free system is singular), the exact solve keeps the float
guess for the dependent unknowns: any optimal α will do, for D* is the same.

**How an implementation is judged** (``judged``). An ideal implementation returns the
exact optimum α' of a nearby problem, rounded to the dtype: K' = K + E with |E_ij| ≤ a_ij
(a_ij: the allowance of K_ij as ``kernel.linear`` judges it at the dtype: K computed in the
dtype), and each KKT equation 1 - (Qα)_i - ν y_i = 0 perturbed by r_i, |r_i| ≤ ρ_i =
(n + 1)·u·(1 + |ν*| + Σ_j|K_ij|A_j) (a backward stable solve of the (n + 1)-equation system
perturbs each term by n + 1 roundings). Each α̂_i is within δ_i = (n + 1)·(½ulp(α̂_i) + u·C)
+ λ of α'_i (the mixed error model with scale C, budget n + 1; λ the smallest normal). With
A_i = max(|α*_i|, |α̂_i| + δ_i) bounding both optima, exactly:
  box        -δ_i ≤ α̂_i ≤ C + δ_i,   equality  |yᵀα̂| ≤ Σ δ_i,
  value      |D(α̂) - D*| ≤ Σ|g_i(α̂)|δ_i + ½Σ|Q_ij|δ_iδ_j + Σ A_iA_j a_ij + 2Σ A_iρ_i
             (Taylor at α̂; the sandwich bounds ½ΣA_iA_j a_ij and ΣA_iρ_i of the optimum's
             change, both ways),
  margins    y_i(Σ_j α̂_j y_j K_ij + b) is within τ_i = Σ_j δ_j|K_ij| + Σ_j A_j a_ij + ρ_i
             of α''s, which satisfy the KKT conditions exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import product

import mpmath
import numpy as np

from mathoracle.core.accuracy import SOLVER_PROMISE, allowed_abs, fmt, level, ulp
from mathoracle.core.laws import Falsified, signature_call
from mathoracle.core.model import ErrorModel, Exact, Oracle, digits

from .kernels import linear

# --- the exact QP --------------------------------------------------------------------------

@dataclass(frozen=True)
class Optimum:
    alpha: tuple      # Fractions, an optimal α
    nu: Fraction      # the multiplier of yᵀα = 0 (the intercept b)
    value: Fraction   # D*
    K: tuple          # the exact Gram matrix (Fractions), rows


def _float_candidates(Q, y, C):
    """(D, assignment, α) of every assignment whose float64 KKT solution lies in the box,
    best dual value first."""
    n = len(y)
    out = []
    for assign in product((0, 1, 2), repeat=n):
        free = [i for i in range(n) if assign[i] == 1]
        alpha = np.array([C if a == 2 else 0.0 for a in assign])
        if free:
            fixed = [i for i in range(n) if assign[i] != 1]
            m = np.zeros((len(free) + 1, len(free) + 1))
            m[:-1, :-1] = Q[np.ix_(free, free)]
            m[:-1, -1] = y[free]
            m[-1, :-1] = y[free]
            rhs = np.concatenate([1 - Q[np.ix_(free, fixed)] @ alpha[fixed],
                                  [-y[fixed] @ alpha[fixed]]])
            sol = np.linalg.lstsq(m, rhs, rcond=None)[0]
            alpha[free] = sol[:-1]
        slack = 1e-9 * max(C, 1.0)
        if np.all(alpha >= -slack) and np.all(alpha <= C + slack) and abs(y @ alpha) <= slack * n:
            out.append((float(alpha.sum() - alpha @ Q @ alpha / 2), assign, alpha))
    out.sort(key=lambda t: -t[0])
    return out


def _solve_exact(m, rhs, guess):
    """A solution of m·z = rhs in Fractions (Gauss-Jordan); unknowns without a pivot take
    their ``guess`` values. None if the system is inconsistent."""
    rows, cols = len(m), len(m[0])
    a = [list(r) + [v] for r, v in zip(m, rhs)]
    pivots, r = [], 0
    for c in range(cols):
        p = next((i for i in range(r, rows) if a[i][c] != 0), None)
        if p is None:
            continue
        a[r], a[p] = a[p], a[r]
        inv = 1 / a[r][c]
        a[r] = [v * inv for v in a[r]]
        for i in range(rows):
            if i != r and a[i][c] != 0:
                f = a[i][c]
                a[i] = [v - f * w for v, w in zip(a[i], a[r])]
        pivots.append(c)
        r += 1
    if any(a[i][-1] != 0 for i in range(r, rows)):
        return None
    z = [Fraction(g) for g in guess]
    for i, c in enumerate(pivots):
        z[c] = a[i][-1] - sum(a[i][k] * z[k] for k in range(cols) if k != c and k not in pivots)
    return z


def _verify(Qf, yf, Cf, assign, guess):
    """The exact α, ν for one assignment if they satisfy every KKT condition, else None."""
    n = len(yf)
    free = [i for i in range(n) if assign[i] == 1]
    alpha = [Cf if a == 2 else Fraction(0) for a in assign]
    fixed = [i for i in range(n) if assign[i] != 1]
    m = [[Qf[i][j] for j in free] + [yf[i]] for i in free] + [[yf[j] for j in free] + [Fraction(0)]]
    rhs = [1 - sum(Qf[i][j] * alpha[j] for j in fixed) for i in free] + [
        -sum(yf[j] * alpha[j] for j in fixed)]
    z = _solve_exact(m, rhs, [guess[i] for i in free] + [0.0])
    if z is None:
        return None
    for k, i in enumerate(free):
        alpha[i] = z[k]
    nu = z[-1]
    if any(a < 0 or a > Cf for a in alpha) or sum(a * t for a, t in zip(alpha, yf)) != 0:
        return None
    for i in range(n):
        kkt = 1 - sum(Qf[i][j] * alpha[j] for j in range(n)) - nu * yf[i]
        if (alpha[i] == 0 and kkt > 0) or (alpha[i] == Cf and kkt < 0) or (
                0 < alpha[i] < Cf and kkt != 0):
            return None
    return alpha, nu


@lru_cache(maxsize=256)
def _optimum(X: tuple, y: tuple, C: float) -> Optimum:
    Xf = [[Fraction(v) for v in row] for row in X]
    yf = [Fraction(v) for v in y]
    Cf = Fraction(C)
    n = len(yf)
    Kf = [[sum(a * b for a, b in zip(Xf[i], Xf[j])) for j in range(n)] for i in range(n)]
    Qf = [[yf[i] * yf[j] * Kf[i][j] for j in range(n)] for i in range(n)]
    Q = np.array([[float(v) for v in row] for row in Qf])
    candidates = _float_candidates(Q, np.array(y, float), float(C))
    tried = set()
    for _, assign, alpha in candidates:
        tried.add(assign)
        found = _verify(Qf, yf, Cf, assign, alpha)
        if found:
            break
    else:  # no float candidate verified: every assignment, with guesses of 0
        found = next(filter(None, (_verify(Qf, yf, Cf, a, [0.0] * n)
                                   for a in product((0, 1, 2), repeat=n) if a not in tried)), None)
        if found is None:  # pragma: no cover - the KKT conditions always have a solution
            raise ArithmeticError("no KKT point found for the SVM dual")
    alpha, nu = found
    value = sum(alpha) - sum(alpha[i] * alpha[j] * Qf[i][j] for i in range(n) for j in range(n)) / 2
    return Optimum(tuple(alpha), nu, value, tuple(tuple(r) for r in Kf))


def optimum(X, y, C) -> Optimum:
    """The exact optimum of the SVM dual with the linear kernel."""
    X = np.asarray(X, np.float64)
    return _optimum(tuple(map(tuple, X.tolist())), tuple(np.asarray(y, np.float64).tolist()),
                    float(C))


# --- tolerances of an implementation's α ------------------------------------------------------

@dataclass
class Judged:
    """An implementation's α̂ with the exact quantities and allowances it is judged by
    (object arrays of mpf; see the module docstring)."""

    alpha: np.ndarray   # α̂
    delta: np.ndarray   # δ_i
    big: np.ndarray     # A_i
    K: np.ndarray       # exact K
    Q: np.ndarray
    a: np.ndarray       # allowance of each K_ij at the dtype
    rho: np.ndarray     # ρ_i, the perturbation of each KKT equation
    y: np.ndarray
    C: mpmath.mpf
    opt: Optimum

    def dual(self, alpha=None) -> mpmath.mpf:
        al = self.alpha if alpha is None else alpha
        return mpmath.fsum(al) - mpmath.fsum((np.outer(al, al) * self.Q).reshape(-1)) / 2

    def scale(self) -> mpmath.mpf:
        """The size of the dual's terms, Σ|α̂_i| + ½Σ|Q_ij α̂_i α̂_j| + C: what an optimality
        condition is measured against when it decides FAIL from INACCURATE (a solver with no
        tol promises half the dtype's digits of it; LIBSVM's single-precision Q keeps that)."""
        absq = np.vectorize(abs, otypes=[object])(self.Q)
        absa = np.vectorize(abs, otypes=[object])(self.alpha)
        return (mpmath.fsum(absa) + mpmath.fsum((absq * np.outer(absa, absa)).reshape(-1)) / 2
                + self.C)

    def gradient(self) -> np.ndarray:
        return np.array([1 - mpmath.fsum(self.Q[i] * self.alpha) for i in range(len(self.y))],
                        dtype=object)

    def value_tolerance(self) -> mpmath.mpf:
        g = self.gradient()
        absq = np.vectorize(abs, otypes=[object])(self.Q)
        return (mpmath.fsum(abs(gi) * di for gi, di in zip(g, self.delta))
                + mpmath.fsum((absq * np.outer(self.delta, self.delta)).reshape(-1)) / 2
                + mpmath.fsum((np.outer(self.big, self.big) * self.a).reshape(-1))
                + 2 * mpmath.fsum(self.big * self.rho))

    def scores(self) -> np.ndarray:
        """s_i = Σ_j α̂_j y_j K_ij (the decision function without b), exactly."""
        ay = self.alpha * self.y
        return np.array([mpmath.fsum(self.K[i] * ay) for i in range(len(self.y))], dtype=object)

    def margin_tolerance(self) -> np.ndarray:
        absk = np.vectorize(abs, otypes=[object])(self.K)
        return np.array([mpmath.fsum(self.delta * absk[i]) + mpmath.fsum(self.big * self.a[i])
                         + self.rho[i] for i in range(len(self.y))], dtype=object)


def judged(X, y, C, got, dtype) -> Judged:
    """α̂ (the implementation's output) with what it is judged by, at ``dtype``."""
    f = fmt(dtype)
    opt = optimum(X, y, C)
    n = len(opt.alpha)
    with mpmath.workdps(digits()):
        alpha = np.array([mpmath.mpf(float(v)) for v in np.asarray(got, np.float64)], dtype=object)
        Cm = mpmath.mpf(float(C))
        delta = np.array([(n + 1) * (ulp(v, f) / 2 + f.unit_roundoff * Cm) + f.smallest_normal
                          for v in alpha], dtype=object)
        star = [mpmath.mpf(v.numerator) / v.denominator for v in opt.alpha]
        big = np.array([max(abs(s), abs(v) + dv) for s, v, dv in zip(star, alpha, delta)],
                       dtype=object)
        K = np.array([[mpmath.mpf(v.numerator) / v.denominator for v in row] for row in opt.K],
                     dtype=object)
        ym = np.array([mpmath.mpf(float(v)) for v in np.asarray(y, np.float64)], dtype=object)
        Q = np.outer(ym, ym) * K
        Xa = np.asarray(X)
        a = allowed_abs(linear.exact({"X": Xa, "Y": Xa}), ErrorModel(), f)
        nu = abs(mpmath.mpf(opt.nu.numerator) / opt.nu.denominator)
        absk = np.vectorize(abs, otypes=[object])(K)
        rho = np.array([(n + 1) * f.unit_roundoff * (1 + nu + mpmath.fsum(absk[i] * big))
                        for i in range(n)], dtype=object)
    return Judged(alpha, delta, big, K, Q, a, rho, ym, Cm, opt)


# --- the oracle -------------------------------------------------------------------------------

@dataclass(eq=False)
class DualOptimum(Oracle):
    """argmax of the SVM dual (linear kernel), judged by feasibility and dual value."""

    def exact(self, inputs):
        opt = optimum(inputs["X"], inputs["y"], inputs["C"])
        with mpmath.workdps(digits()):
            value = np.array([mpmath.mpf(a.numerator) / a.denominator for a in opt.alpha],
                             dtype=object)
        # α is judged through ``judge``, never elementwise: no sensitivity is claimed.
        return Exact(value, np.zeros(len(value), dtype=object), len(value) + 1)

    def output_shape(self, inputs):
        return (np.shape(inputs["y"])[0],)

    def nan_reach(self, inputs, arg, index):
        """Every α_i depends on every input."""
        return np.ones(self.output_shape(inputs), dtype=bool)

    def align(self, inputs, got, exact):
        """α is fixed only up to the optimal face: an α̂ that is feasible and attains D* (within
        the tolerances of the module docstring, at the dtype of ``got``) is mapped onto the
        oracle's α*; any other raises Falsified saying which condition it breaks."""
        self.judge(inputs, got, np.asarray(got).dtype)
        return np.array([float(v) for v in exact.value])

    def judge(self, inputs, got, dtype):
        """The agreement verdict: α̂ feasible (box, yᵀα̂ = 0) and D(α̂) = D*. Raises Falsified."""
        call = signature_call(self, inputs)
        full = {**self.defaults(), **inputs}
        if full.get("kernel", "linear") != "linear":
            raise ValueError(f"{self.id}: only kernel='linear' has an oracle")
        got = np.asarray(got, np.float64)
        if not np.isfinite(got).all():
            i = int(np.argmin(np.isfinite(got)))
            raise Falsified(f"out[{i}]={got[i]!r}, but should be finite [{call}]", call=call,
                            inputs=inputs, got=float(got[i]), index=(i,))
        j = judged(full["X"], full["y"], full["C"], got, dtype)
        with mpmath.workdps(digits()):
            for i, (v, dv) in enumerate(zip(j.alpha, j.delta)):
                if v < -dv or v > j.C + dv:
                    raise Falsified(f"out[{i}]={float(v)!r}, but should be in [0, C={float(j.C)!r}] "
                                    f"(allowed ±{mpmath.nstr(dv, 3)}) [{call}]", call=call,
                                    inputs=inputs, got=float(v), index=(i,))
            balance = mpmath.fsum(j.alpha * j.y)
            scale, f = j.scale(), fmt(dtype)
            if abs(balance) > mpmath.fsum(j.delta):
                raise Falsified(f"Σ α_i y_i={mpmath.nstr(balance, 6)}, but should be 0 (allowed "
                                f"{mpmath.nstr(mpmath.fsum(j.delta), 3)}) [{call}]", call=call,
                                inputs=inputs, got=float(balance), expected=0.0,
                                level=level(abs(balance) - mpmath.fsum(j.delta), scale, f,
                                            SOLVER_PROMISE))
            d_got = j.dual()
            d_star = mpmath.mpf(j.opt.value.numerator) / j.opt.value.denominator
            tol = j.value_tolerance()
            if abs(d_got - d_star) > tol:
                raise Falsified(f"D(α)={mpmath.nstr(d_got, 10)}, but the optimum is "
                                f"{mpmath.nstr(d_star, 10)} (allowed {mpmath.nstr(tol, 3)}) [{call}]",
                                call=call, inputs=inputs, got=float(d_got), expected=float(d_star),
                                level=level(abs(d_got - d_star) - tol, scale, f, SOLVER_PROMISE))
