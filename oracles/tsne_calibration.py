"""t-SNE's perplexity calibration (seed: "Dimensionality Reduction › t-SNE"), for tsne.py's
``joint_probabilities``: the precision β_i = 1/2σ_i² of each row, at which the row's entropy
H(P_i) equals log perplexity, found by bisection on log(β·max d) in float64, then Newton's
method in mpmath.
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.compiled import lambdify


@lru_cache(maxsize=None)
def row_and_derivatives(m: int):
    """For one row of m distances d_k and a precision β: p_k = e^{-βd_k}/Σe^{-βd_l}, the entropy
    H = log Σe^{-βd_l} + β Σ p_k d_k, and their partial derivatives by sympy.diff, compiled."""
    ds = sp.symbols(f"d0:{m}", real=True)
    b = sp.Symbol("beta", positive=True)
    Z = sum(sp.exp(-b * dk) for dk in ds)
    p = [sp.exp(-b * dk) / Z for dk in ds]
    H = sp.log(Z) + b * sum(pk * dk for pk, dk in zip(p, ds))
    return lambdify((*ds, b), lambda: [p, [[sp.diff(pk, dk) for dk in ds] for pk in p],
                                       [sp.diff(pk, b) for pk in p], sp.diff(H, b),
                                       [sp.diff(H, dk) for dk in ds]],
                    cse=True, key=("row and its derivatives", p, H))


@lru_cache(maxsize=None)
def row_parts(m: int):
    """The same row's p alone, and ∂H/∂β alone (for Newton's steps), compiled separately."""
    ds = sp.symbols(f"d0:{m}", real=True)
    b = sp.Symbol("beta", positive=True)
    Z = sum(sp.exp(-b * dk) for dk in ds)
    p = [sp.exp(-b * dk) / Z for dk in ds]
    H = sp.log(Z) + b * sum(pk * dk for pk, dk in zip(p, ds))
    return (lambdify((*ds, b), p, cse=True),
            lambdify((*ds, b), lambda: sp.diff(H, b), cse=True, key=("d/dbeta", H)))


def _entropy(ds, beta):
    """H(P_i) at precision β, shifted by min d (exact: H is shift-invariant)."""
    lo = min(ds)
    w = [mpmath.exp(-beta * (dk - lo)) for dk in ds]
    Z = mpmath.fsum(w)
    return mpmath.log(Z) + beta * mpmath.fsum(wk * (dk - lo) for wk, dk in zip(w, ds)) / Z


def calibrate(ds, perplexity, offset=0) -> mpmath.mpf:
    """β with H(P_i) = log perplexity. H falls from log m (β = 0) to log(ties at the smallest d)
    (β → ∞): bracketed and bisected on log(β·max d) in float64, then Newton's method on log β
    at the working precision, with ∂H/∂β from ``row_and_derivatives`` (sympy.diff)."""
    target = mpmath.log(mpmath.mpf(perplexity)) + offset
    shift = min(ds)
    dd = [dk - shift for dk in ds]
    slope = row_parts(len(ds))[1]
    scale = max(dd) or mpmath.mpf(1)  # H depends on β·d alone: bracket β·max d (d may be 1e-73)
    df = np.array([float(v / scale) for v in dd])

    def h64(t):
        w = np.exp(-np.exp(t) * df)
        return np.log(w.sum()) + np.exp(t) * (w @ df) / w.sum() - float(target)
    lo, hi = -1.0, 1.0
    while h64(lo) < 0 and lo > -60:
        lo -= 4.0
    while h64(hi) > 0 and hi < 60:
        hi += 4.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if h64(mid) > 0 else (lo, mid)
    t = mpmath.mpf(0.5 * (lo + hi)) - mpmath.log(scale)
    for _ in range(40):
        beta = mpmath.exp(t)
        step = (_entropy(ds, beta) - target) / (beta * slope(*dd, beta))
        t -= step
        if abs(step) < mpmath.ldexp(1, 8 - mpmath.mp.prec):  # converged at this precision
            break
    return mpmath.exp(t)
