"""Laws of the SVM (seed: "Kernel Methods › SVM Optimization").

- primal ``weak_duality``: D(α) ≤ P(w, b) for every feasible α (0 ≤ α ≤ C, yᵀα = 0) and
  every (w, b), with K = XXᵀ. The K passed is XXᵀ rounded to the dtype; the exact effect of
  that rounding on D is allowed, besides both outputs' allowances.
- primal ``hinge_slack``: adding a sample (x, y) adds exactly C·max(0, 1 - y(wᵀx + b)) to P:
  the slack is the hinge, zero for a margin ≥ 1.
- dual ``strong_duality``: at the optimum (α* exactly, in rationals; w* = Σα*yx, b* = ν, all
  rounded to the dtype) P(w*, b*) = D(α*): the implementation's gap equals the exact gap of
  the rounded point within both allowances.
- fit_dual ``kkt``: at the implementation's α̂ there is a b with every margin
  m_i = y_i(Σ_j α̂_j y_j K_ij + b) ≥ 1 where α̂_i < C, ≤ 1 where α̂_i > 0 (so = 1 on the free
  ones), each within τ_i (oracles/svm_solver.py derives δ_i, τ_i, A_i). Where no b exists,
  it is a FAIL only if none exists at the solver's promise either (p = u^¼: α̂_i within p·C
  of a bound may lie on it, a margin may miss 1 by p·(1 + |s_i|)); else INACCURATE.
- fit_dual ``duality_gap``: min_b P(w(α̂), b) - D(α̂) = α̂ᵀQα̂ + C Σ hinge_i - Σ α̂_i is 0
  within 2Σ A_i|K_ij|δ_j + Σ A_iA_j a_ij + C Σ τ_i + Σ δ_i + 2Σ A_iρ_i.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from mathoracle.core.accuracy import SOLVER_PROMISE, fmt, level
from mathoracle.core.laws import Falsified, Property, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles import svm as S
from mathoracle.oracles.svm_solver import judged, optimum


def _mpf(v):
    return mpmath.mpf(v.numerator) / v.denominator


def _rounded(values, dtype) -> np.ndarray:
    return np.array([float(v) for v in values]).astype(dtype)


@st.composite
def _feasible(draw, oracle, dtype):
    """X, y, C, w, b of the primal's domain and a feasible α: pairs of opposite labels share
    one value in [0, C], the rest are 0, so yᵀα = 0 exactly."""
    x = draw(S.primal_inputs(dtype))
    y, C = x["y"], x["C"]
    alpha = np.zeros(len(y))
    pos, neg = list(np.flatnonzero(y > 0)), list(np.flatnonzero(y < 0))
    for i, j in zip(pos, neg):
        v = np.asarray(draw(st.floats(0.0, C)), dtype)
        while float(v) > C:
            v = np.nextafter(v, np.asarray(0, dtype))
        alpha[i] = alpha[j] = float(v)
    return {"inputs": x, "alpha": alpha.astype(dtype)}


def _weak_duality(case, ex):
    x, alpha = ex["inputs"], ex["alpha"]
    X = x["X"].astype(np.float64)
    with np.errstate(over="ignore"):
        K = (X @ X.T).astype(x["X"].dtype)
    if not np.isfinite(K).all():
        return
    dx = {"alpha": alpha, "y": x["y"], "K": K}
    with mpmath.workdps(DIGITS):
        Xm, am, ym = mpf_array(x["X"]), mpf_array(alpha), mpf_array(x["y"])
        w = (am * ym) @ Xm
        exact_d = mpmath.fsum(am) - mpmath.fsum(w * w) / 2      # D with K = XXᵀ exactly
        moved = case.exact("svm.dual_objective", dx).value[()] - exact_d
        excess = (mpmath.mpf(float(case.call("svm.dual_objective", dx)))
                  - mpmath.mpf(float(case.call("svm.primal_objective", x))))
        bound = (case.allowed("svm.dual_objective", dx)[()] + case.allowed("svm.primal_objective", x)[()]
                 + max(moved, 0))
        if excess > bound:
            call = signature_call(case.oracle, x)
            raise Falsified(f"dual_objective(α)={mpmath.nstr(excess, 6)} above primal_objective, "
                            f"but should be ≤ it (allowed {mpmath.nstr(bound, 3)}), α={alpha.tolist()!r} "
                            f"[{call}]", call=call, inputs={**x, "alpha": alpha})


@st.composite
def _extra_sample(draw, oracle, dtype):
    """A new sample: a drawn row of X scaled by 1, 2, ½ or -1, with either label."""
    x = draw(S.primal_inputs(dtype))
    n, dim = x["X"].shape
    row = draw(st.integers(0, n - 1))
    scale = draw(st.sampled_from([1.0, 2.0, 0.5, -1.0]))
    new_x = (x["X"][row].astype(np.float64) * scale).astype(dtype)
    new_y = np.asarray(draw(st.sampled_from([-1.0, 1.0])), dtype)
    return {"inputs": x, "x_new": new_x, "y_new": new_y}


def _hinge_slack(case, ex):
    x = ex["inputs"]
    bigger = {**x, "X": np.vstack([x["X"], ex["x_new"][None, :]]),
              "y": np.append(x["y"], ex["y_new"]).astype(x["y"].dtype)}
    with mpmath.workdps(DIGITS):
        xm, wm = mpf_array(ex["x_new"]), mpf_array(x["w"])
        margin = mpmath.mpf(float(ex["y_new"])) * (mpmath.fsum(xm * wm) + mpmath.mpf(x["b"]))
        term = mpmath.mpf(x["C"]) * max(mpmath.mpf(0), 1 - margin)
        diff = (mpmath.mpf(float(case.call("svm.primal_objective", bigger)))
                - mpmath.mpf(float(case.call("svm.primal_objective", x))) - term)
        bound = (case.allowed("svm.primal_objective", bigger)[()]
                 + case.allowed("svm.primal_objective", x)[()])
    expect_within(np.array(diff, dtype=object), np.array(bound, dtype=object),
                  f"adding (x, y) should add C·max(0, 1 - margin) = {mpmath.nstr(term, 6)}",
                  signature_call(case.oracle, bigger), bigger)


def _kink(p_in, dtype) -> mpmath.mpf:
    """At the optimum the support vectors' margins are exactly 1, the hinge's kink. Where the
    exact margin of the rounded point is ≥ 1 the oracle's sensitivity (the zero branch's) is
    0, but a margin computed with (d + 2) roundings of its terms' sizes may land below 1:
    the hinge is 1-Lipschitz, so C·(d + 2)·u·(Σ_k|w_k x_ik| + |b| + 1) is allowed there."""
    u = fmt(dtype).unit_roundoff
    X, w, y = (mpf_array(p_in[k]) for k in ("X", "w", "y"))
    b = mpmath.mpf(p_in["b"])
    total = mpmath.mpf(0)
    for xi, yi in zip(X, y):
        if yi * (mpmath.fsum(xi * w) + b) >= 1:
            total += (len(w) + 2) * u * (mpmath.fsum(abs(a * c) for a, c in zip(xi, w)) + abs(b) + 1)
    return mpmath.mpf(p_in["C"]) * total


def _strong_duality(case, ex):
    x = ex["inputs"]
    X, y, C = x["X"], x["y"], x["C"]
    dt = X.dtype
    opt = optimum(X, y, C)
    with mpmath.workdps(DIGITS):
        alpha = [_mpf(a) for a in opt.alpha]
        ym, Xm = mpf_array(y), mpf_array(X)
        w = (np.array(alpha, dtype=object) * ym) @ Xm
    Xf = X.astype(np.float64)
    with np.errstate(over="ignore"):
        K = (Xf @ Xf.T).astype(dt)
    p_in = {"w": _rounded(w, dt), "b": float(_mpf(opt.nu)), "X": X, "y": y, "C": C}
    d_in = {"alpha": _rounded(alpha, dt), "y": y, "K": K}
    if not (np.isfinite(p_in["w"]).all() and np.isfinite(K).all()):
        return
    with mpmath.workdps(DIGITS):
        exact_gap = (case.exact("svm.primal_objective", p_in).value[()]
                     - case.exact("svm.dual_objective", d_in).value[()])
        gap = (mpmath.mpf(float(case.call("svm.primal_objective", p_in)))
               - mpmath.mpf(float(case.call("svm.dual_objective", d_in))))
        bound = (case.allowed("svm.primal_objective", p_in)[()]
                 + case.allowed("svm.dual_objective", d_in)[()] + _kink(p_in, dt))
    call = f"at the optimum: {signature_call(case.oracle, d_in)}"
    expect_within(np.array(gap - exact_gap, dtype=object), np.array(bound, dtype=object),
                  f"P(w*, b*) - D(α*) should be the exact gap {mpmath.nstr(exact_gap, 6)} of the "
                  f"rounded optimum (0 before rounding)", call, {**p_in, **d_in})


def _fit_examples(oracle, dtype):
    return S.fit_inputs(dtype).map(lambda x: {"inputs": x})


def _judged_call(case, x):
    got = np.asarray(case.call("svm.fit_dual", x), np.float64)
    call = signature_call(case.oracle, x)
    if not np.isfinite(got).all():
        raise Falsified(f"α={got.tolist()!r}, but should be finite [{call}]", call=call, inputs=x)
    return judged(x["X"], x["y"], x["C"], got, case.dtype), call


def _intercept_interval(j, promise=None):
    """[lo, hi]: the b for which every KKT margin condition holds within τ (exact). With
    ``promise`` (p = u^SOLVER_PROMISE), at the solver's promise: α̂_i within p·C of a bound
    may lie on it, and a margin may miss 1 by p·(1 + |s_i|)."""
    s, tau = j.scores(), j.margin_tolerance()
    lo, hi = mpmath.mpf("-inf"), mpmath.mpf("inf")
    which_lo = which_hi = None
    for i, (a, d, yi) in enumerate(zip(j.alpha, j.delta, j.y)):
        t = tau[i]
        if promise is not None:
            d, t = d + promise * j.C, t + promise * (1 + abs(s[i]))
        if a < j.C - d:    # could be at 0 or free: margin ≥ 1 - τ
            bound_b = yi * (1 - t) - s[i]
            if yi > 0 and bound_b > lo:
                lo, which_lo = bound_b, i
            if yi < 0 and bound_b < hi:
                hi, which_hi = bound_b, i
        if a > d:          # could be free or at C: margin ≤ 1 + τ
            bound_b = yi * (1 + t) - s[i]
            if yi > 0 and bound_b < hi:
                hi, which_hi = bound_b, i
            if yi < 0 and bound_b > lo:
                lo, which_lo = bound_b, i
    return lo, hi, which_lo, which_hi


def _kkt(case, ex):
    x = ex["inputs"]
    j, call = _judged_call(case, x)
    with mpmath.workdps(DIGITS):
        lo, hi, i, k = _intercept_interval(j)
        if lo > hi:
            # FAIL only if no b holds the conditions even at the solver's promise
            lo_p, hi_p, _, _ = _intercept_interval(j, fmt(case.dtype).unit_roundoff ** SOLVER_PROMISE)
            raise Falsified(
                f"no intercept b satisfies the KKT conditions: sample {i} needs b ≥ "
                f"{mpmath.nstr(lo, 8)}, sample {k} needs b ≤ {mpmath.nstr(hi, 8)} "
                f"(α={[float(a) for a in j.alpha]!r}) [{call}]", call=call, inputs=x,
                level="inaccurate" if lo_p <= hi_p else "fail")


def _duality_gap(case, ex):
    x = ex["inputs"]
    j, call = _judged_call(case, x)
    with mpmath.workdps(DIGITS):
        s, tau = j.scores(), j.margin_tolerance()
        quad = mpmath.fsum((np.outer(j.alpha, j.alpha) * j.Q).reshape(-1))

        def gap(b):
            hinge = mpmath.fsum(max(mpmath.mpf(0), 1 - yi * (si + b)) for yi, si in zip(j.y, s))
            return quad + j.C * hinge - mpmath.fsum(j.alpha)
        best = min(gap(yi - si) for yi, si in zip(j.y, s))  # convex, piecewise linear in b
        absk = np.vectorize(abs, otypes=[object])(j.K)
        tol = (2 * mpmath.fsum((np.outer(j.big, j.delta) * absk).reshape(-1))
               + mpmath.fsum((np.outer(j.big, j.big) * j.a).reshape(-1))
               + j.C * mpmath.fsum(tau) + mpmath.fsum(j.delta) + 2 * mpmath.fsum(j.big * j.rho))
        if abs(best) > tol:
            raise Falsified(f"min_b P(w(α), b) - D(α)={mpmath.nstr(best, 6)}, but should be 0 "
                            f"(allowed {mpmath.nstr(tol, 3)}; α={[float(a) for a in j.alpha]!r}) "
                            f"[{call}]", call=call, inputs=x, got=float(best), expected=0.0,
                            level=level(abs(best) - tol, j.scale(), fmt(case.dtype), SOLVER_PROMISE))


def _optimum_examples(oracle, dtype):
    return S.fit_inputs(dtype).map(lambda x: {"inputs": x})


PROPERTIES = (
    Property("svm.primal_objective", "weak_duality", "D(α) ≤ P(w, b) for feasible α, any (w, b)",
             _weak_duality, _feasible, needs=("svm.dual_objective",)),
    Property("svm.primal_objective", "hinge_slack", "a sample adds C·max(0, 1 - y(wᵀx + b))",
             _hinge_slack, _extra_sample),
    Property("svm.dual_objective", "strong_duality", "P(w*, b*) = D(α*) at the exact optimum",
             _strong_duality, _optimum_examples, needs=("svm.primal_objective",)),
    Property("svm.fit_dual", "kkt", "some b satisfies the KKT margin conditions at α",
             _kkt, _fit_examples),
    Property("svm.fit_dual", "duality_gap", "min_b P(w(α), b) - D(α) = 0 at the solution",
             _duality_gap, _fit_examples),
)
