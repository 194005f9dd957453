"""Laws of the kernels (seed: "Kernel Methods › Kernel Trick").

- ``symmetric``: K(X, X) is symmetric, to within the allowances of K_ij and K_ji.
- ``psd``: K(X, X) is positive semidefinite: the smallest eigenvalue of its symmetric part
  is ≥ -‖A‖_F, A_ij the agreement allowance of K_ij. Weyl's inequality: a computed
  K = K_exact + E with |E_ij| ≤ A_ij has λ_min((K + Kᵀ)/2) ≥ λ_min(K_exact) - ‖E‖₂ and
  ‖E‖₂ ≤ ‖E‖_F ≤ ‖A‖_F. The eigenvalue is computed at 60 digits (mpmath.eigsy).
- rbf ``unit_diagonal``: K(x, x) = 1 within its allowance (the exact value is 1 and its
  sensitivity 0, so a few ulps: an implementation that subtracts x - x gets exactly 1).
- rbf ``range``: 0 ≤ K ≤ 1 exactly, and K > 0 wherever the exact exp(-γ‖x-y‖²) exceeds its
  allowance. Far points underflow: exp(-γd²) below the dtype's resolution may be 0.
- polynomial ``kernel_trick``: (xᵀy + c)^d = φ(x)·φ(y) with φ SymPy's explicit feature map
  (c ≥ 0): the implementation's polynomial kernel equals its own linear kernel of the
  features, to within both allowances plus the exact effect of rounding φ to the dtype.
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.laws import Falsified, Property, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles import kernels as K

KERNELS = ("kernel.linear", "kernel.rbf", "kernel.polynomial")
_GRAM = {"kernel.linear": K.linear_inputs, "kernel.rbf": K.rbf_inputs,
         "kernel.polynomial": K.polynomial_inputs}


def _gram_examples(oracle_id):
    """Y = X (and c ≥ 0 for the polynomial kernel, which is PSD only then)."""
    def draw(oracle, dtype):
        return _GRAM[oracle_id](dtype, gram=True).map(lambda x: {"inputs": x})
    return draw


def _symmetric(oracle_id):
    def check(case, ex):
        x = ex["inputs"]
        with mpmath.workdps(DIGITS):
            got = mpf_array(np.asarray(case.call(oracle_id, x), np.float64))
            allowed = case.allowed(oracle_id, x)
            expect_within(got - got.T, allowed + allowed.T, "K(X, X) should be symmetric",
                          signature_call(case.oracle, x), x)
    return Property(oracle_id, "symmetric", "K(X, X) = K(X, X)ᵀ", check, _gram_examples(oracle_id))


def smallest_eigenvalue(m: np.ndarray) -> mpmath.mpf:
    """λ_min of the symmetric part of a square object array of mpf, at DIGITS digits."""
    with mpmath.workdps(DIGITS):
        sym = mpmath.matrix((m + m.T).tolist()) / 2
        return min(mpmath.eigsy(sym, eigvals_only=True))


def _psd(oracle_id):
    def check(case, ex):
        x = ex["inputs"]
        got = np.asarray(case.call(oracle_id, x), np.float64)
        call = signature_call(case.oracle, x)
        if not np.isfinite(got).all():
            raise Falsified(f"K(X, X) has a non-finite entry, but should be PSD [{call}]",
                            call=call, inputs=x)
        with mpmath.workdps(DIGITS):
            lam = smallest_eigenvalue(mpf_array(got))
            tol = mpmath.sqrt(mpmath.fsum(a ** 2 for a in case.allowed(oracle_id, x).reshape(-1)))
            if lam < -tol:
                raise Falsified(f"λ_min(K(X, X))={mpmath.nstr(lam, 6)}, but should be ≥ "
                                f"-{mpmath.nstr(tol, 3)} (PSD; Weyl) [{call}]", call=call,
                                inputs=x, got=float(lam), expected=0.0)
    return Property(oracle_id, "psd", "K(X, X) is positive semidefinite (Weyl bound)", check,
                    _gram_examples(oracle_id))


def _unit_diagonal(case, ex):
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        got = mpf_array(np.diagonal(np.asarray(case.call("kernel.rbf", x), np.float64)).copy())
        allowed = np.diagonal(case.allowed("kernel.rbf", x)).copy()
        expect_within(got - 1, allowed, "K(x, x) should be 1", signature_call(case.oracle, x), x)


def _rbf_range(case, ex):
    x = ex["inputs"]
    out = np.asarray(case.call("kernel.rbf", x), np.float64)
    call = signature_call(case.oracle, x)
    bad = ~((out >= 0) & (out <= 1))
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Falsified(f"out{list(idx)}={out[idx]!r}, but should be in [0, 1] [{call}]",
                        call=call, inputs=x, got=float(out[idx]), index=idx)
    exact = case.exact("kernel.rbf", x).value
    allowed = case.allowed("kernel.rbf", x)
    for idx, e in np.ndenumerate(exact):
        if e > allowed[idx] and not out[idx] > 0:
            raise Falsified(f"out{list(idx)}={out[idx]!r}, but should be > 0 (exact "
                            f"{mpmath.nstr(e, 6)}, representable) [{call}]", call=call, inputs=x,
                            got=float(out[idx]), expected=float(e), index=idx)


@lru_cache(maxsize=None)
def _feature_map(dim: int, degree: int):
    """φ for rows of ``dim`` features, compiled to mpmath: (x..., c) -> [features]."""
    xs = sp.symbols(f"x0:{dim}", real=True)
    c = sp.Symbol("c", nonnegative=True)
    return sp.lambdify((*xs, c), K.polynomial_features(list(xs), degree, c), modules="mpmath")


def features(X: np.ndarray, degree: int, coef0: float):
    """φ(X) row by row: exact (object mpf) and rounded to X's dtype."""
    fn = _feature_map(X.shape[1], degree)
    with mpmath.workdps(DIGITS):
        exact = np.array([[mpmath.mpf(v) for v in fn(*map(float, row), coef0)] for row in X],
                         dtype=object)
    rounded = np.array([[float(v) for v in row] for row in exact]).astype(X.dtype)
    return exact, rounded


def _kernel_trick(case, ex):
    x = ex["inputs"]
    _, fx = features(x["X"], x["degree"], x["coef0"])
    _, fy = features(x["Y"], x["degree"], x["coef0"])
    lin = {"X": fx, "Y": fy}
    with mpmath.workdps(DIGITS):
        moved = case.exact("kernel.linear", lin).value - case.exact("kernel.polynomial", x).value
        diff = (mpf_array(np.asarray(case.call("kernel.polynomial", x), np.float64))
                - mpf_array(np.asarray(case.call("kernel.linear", lin), np.float64)))
        bound = (case.allowed("kernel.polynomial", x) + case.allowed("kernel.linear", lin)
                 + np.vectorize(abs, otypes=[object])(moved))
    expect_within(diff, bound, "(xᵀy + c)^d should equal φ(x)·φ(y)",
                  signature_call(case.oracle, x), x)


def _nonnegative_coef0(oracle, dtype):
    return K.polynomial_inputs(dtype, nonnegative=True).map(lambda x: {"inputs": x})


def _rbf_examples(oracle, dtype):
    return oracle.domain(dtype).map(lambda x: {"inputs": x})


PROPERTIES = (
    *(_symmetric(i) for i in KERNELS),
    *(_psd(i) for i in KERNELS),
    Property("kernel.rbf", "unit_diagonal", "K(x, x) = 1", _unit_diagonal,
             _gram_examples("kernel.rbf")),
    Property("kernel.rbf", "range", "0 ≤ K ≤ 1, and K > 0 where representable", _rbf_range,
             _rbf_examples),
    Property("kernel.polynomial", "kernel_trick", "(xᵀy + c)^d = φ(x)·φ(y), φ by SymPy",
             _kernel_trick, _nonnegative_coef0, needs=("kernel.linear",)),
)
