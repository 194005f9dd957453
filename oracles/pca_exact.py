"""PCA's exact eigenproblem (seed: "Dimensionality Reduction › PCA"), for pca.py's oracles.

Exact answers: the covariance is computed exactly in rationals (``sympy.Rational`` of every
float input), its eigenpairs with ``mpmath.eigsy`` at ``digits()`` digits.

Sensitivity (derived, per unit roundoff u). A computed covariance is C + ΔC with
|ΔC_ij| ≤ (n+1)·u·M_ij, M_ij = Σ_k (a_ki|c_kj| + |c_ki|a_kj + |c_ki c_kj| + (n+1)·u·a_ki a_kj)/(n-1),
where c = X_c and a_ki = |x_ki| + mean_l|x_li| (the input's own relative perturbation and the
rounded mean's error reach the centred value: |δ_ki| ≤ (n+1)·u·a_ki; the last term is δ_ki·δ_kj,
the whole error where the exact centred data is 0, a constant column far from 0); a backward-stable eigensolver adds ‖E‖₂ ≤ d²·u·‖C‖₂ ≤ d²·u·‖M‖_F
(Demmel, Applied Numerical Linear Algebra, §5.5, with d² for its p(d)); an underflowing product
adds the dtype's smallest normal λ per term. So ‖ΔC‖₂ ≤ budget·u·W with budget = n + 1 + d² and
W = ‖M‖_F + d·λ/u. Then
- an eigenvalue moves by at most ‖ΔC‖₂ (Weyl): its sensitivity is W;
- a unit eigenvector by at most ‖ΔC‖₂/gap_j (Davis–Kahan sin θ, first order), gap_j the
  distance from λ_j to every other eigenvalue, plus the solver's own u-level orthogonality
  error: sensitivity W/gap_j + 1 for each entry. A component of a (near-)repeated eigenvalue
  is not unique: its allowance grows as the gap closes and is unbounded at a tie, so the
  agreement check judges each component individually, only as far as its gap determines it
  (ties are judged by the laws: orthonormality, ordering and reconstruction error);
- a ratio λ_j/T (T = tr C) by ‖ΔC‖₂(1 + d·λ_j/T)/T, since |ΔT| ≤ d‖ΔC‖₂.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.formats import finfo
from mathoracle.core.model import digits


# --- the exact eigenproblem ----------------------------------------------------------

def rational_matrix(X) -> sp.Matrix:
    """A float array as a SymPy matrix of exact Rationals."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    return sp.Matrix(X.shape[0], X.shape[1], lambda i, j: sp.Rational(Fraction(float(X[i, j]))))


def covariance(X) -> sp.Matrix:
    """C = X_cᵀX_c/(n-1), X_c = X - mean(X), exactly."""
    A = rational_matrix(X)
    n = A.shape[0]
    mean = sp.ones(1, n) * A / n
    Xc = A - sp.ones(n, 1) * mean
    return Xc.T * Xc / (n - 1)


def unit_roundoff(dtype) -> mpmath.mpf:
    """u = 2^-p of a float dtype."""
    return mpmath.mpf(float(finfo(dtype).eps)) / 2


def smallest_normal(dtype) -> mpmath.mpf:
    return mpmath.mpf(float(finfo(dtype).tiny))


def _mpf(q) -> mpmath.mpf:
    return mpmath.mpf(q.p) / q.q


@dataclass
class Spectrum:
    """The exact eigendecomposition of X's covariance, and its perturbation bounds."""

    values: list          # eigenvalues, descending (mpf)
    vectors: list         # unit eigenvectors as lists, in the same order (the components)
    gaps: list            # distance from each eigenvalue to the nearest other (inf for d = 1)
    trace: object         # T = tr C = Σλ (mpf, exact rational converted)
    W: object             # ‖ΔC‖₂ ≤ budget·u·W (see the module docstring)
    budget: int           # n + 1 + d²


_SPECTRA: "OrderedDict[tuple, dict]" = OrderedDict()  # X -> {"C": cov, digits: Spectrum}


def _signed(v: list) -> list:
    """±v with its first largest component (to 1e-10) positive: the same sign at every precision."""
    top = max(abs(c) for c in v)
    lead = next(c for c in v if abs(c) >= top * (1 - mpmath.mpf(10) ** -10))
    return [-c for c in v] if lead < 0 else v


def spectrum(X) -> Spectrum:
    """The exact spectrum of cov(X) at the working precision (cached on X's bytes: a check
    asks several times; the rational covariance once for every precision)."""
    X = np.asarray(X)
    key = (X.dtype.str, X.shape, X.tobytes())
    if key not in _SPECTRA:
        _SPECTRA[key] = {"C": covariance(X)}
        if len(_SPECTRA) > 256:
            _SPECTRA.popitem(last=False)
    _SPECTRA.move_to_end(key)
    known = _SPECTRA[key]
    if digits() in known:
        return known[digits()]
    n, dim = X.shape
    C = known["C"]
    with mpmath.workdps(digits() + 20):
        Cm = mpmath.matrix([[_mpf(C[i, j]) for j in range(dim)] for i in range(dim)])
        E, Q = mpmath.eigsy(Cm)
        order = sorted(range(dim), key=lambda i: -E[i])
        values = [E[i] for i in order]
        vectors = [_signed([Q[r, i] for r in range(dim)]) for i in order]
        gaps = [min((abs(v - w) for m, w in enumerate(values) if m != j), default=mpmath.inf)
                for j, v in enumerate(values)]
        x = [[mpmath.mpf(float(v)) for v in row] for row in np.asarray(X, dtype=np.float64)]
        means = [mpmath.fsum(x[k][i] for k in range(n)) / n for i in range(dim)]
        absmeans = [mpmath.fsum(abs(x[k][i]) for k in range(n)) / n for i in range(dim)]
        c = [[x[k][i] - means[i] for i in range(dim)] for k in range(n)]
        a = [[abs(x[k][i]) + absmeans[i] for i in range(dim)] for k in range(n)]
        u, lam = unit_roundoff(X.dtype), smallest_normal(X.dtype)
        g = (n + 1) * u  # the second-order term δ_ki·δ_kj, |δ| ≤ (n+1)·u·a, per (n+1)·u
        M2 = mpmath.fsum(
            (mpmath.fsum(a[k][i] * abs(c[k][j]) + abs(c[k][i]) * a[k][j] + abs(c[k][i] * c[k][j])
                         + g * a[k][i] * a[k][j] for k in range(n)) / (n - 1)) ** 2
            for i in range(dim) for j in range(dim))
        W = mpmath.sqrt(M2) + dim * lam / u
        out = Spectrum(values, vectors, gaps, _mpf(C.trace()), W, n + 1 + dim * dim)
    known[digits()] = out
    return out


def eigenvector_sensitivity(s: Spectrum, j: int):
    """Davis–Kahan: W/gap_j, plus 1 for the solver's orthogonality error (unbounded at a tie)."""
    tiny = mpmath.mpf(10) ** (-(digits() - 10)) * max(abs(s.values[0]), 1)
    return mpmath.inf if s.gaps[j] <= tiny else s.W / s.gaps[j] + 1


def cumulative_ratios(s: Spectrum) -> list:
    """Σ_{i≤k} λ_i / T for k = 1..d."""
    with mpmath.workdps(digits() + 20):
        return [mpmath.fsum(s.values[:k]) / s.trace for k in range(1, len(s.values) + 1)]


def chosen_k(s: Spectrum, threshold: float) -> int:
    """The smallest k whose cumulative ratio is ≥ threshold (a tie counts as reaching it)."""
    t = mpmath.mpf(threshold)
    for k, r in enumerate(cumulative_ratios(s), start=1):
        if r >= t - mpmath.mpf(10) ** (-(digits() - 10)):
            return k
    return len(s.values)


def cumulative_margin(s: Spectrum, k: int, u) -> object:
    """Bound on the error of a computed cumulative ratio r_k = A/T: |Δr_k| ≤ ‖ΔC‖₂(k + d·r_k)/T."""
    r = cumulative_ratios(s)[k - 1]
    return s.budget * u * s.W * (k + len(s.values) * r) / s.trace
