"""Laws of PCA (seed: "Dimensionality Reduction › PCA").

- fit ``descending``: the explained variances come largest first (the seed's ordering), exactly:
  sorting is exact, rounding cannot reorder sorted values.
- fit ``orthonormal``: V Vᵀ = I for the components V (k, d), to within 2·budget·u per entry: a
  backward-stable eigensolver's vectors are orthonormal to a multiple of u whatever the gaps
  (Golub & Van Loan, §8.3), and rounding each entry to the dtype costs u|v| more. A tie does
  not excuse it (unlike agreement).
- fit ``reconstruction``: ‖X_c - X_c VᵀV‖²_F = (n-1)·Σ_{j>k} λ_j (Eckart–Young), V the
  implementation's k components and λ its own d explained variances. Allowed: the λ's
  allowances, and 2√R*·‖X_c‖_F·ε + ‖X_c‖²_F·ε² for ε ≥ ‖VᵀV - P‖₂, the projector's error:
  2(k·δ + sin θ), δ the orthonormality bound above, sin θ ≤ budget·u·W/(λ_k - λ_{k+1}) the
  subspace's Davis–Kahan angle (first order). It judges the kept subspace, which a tie inside
  it does not disturb.
- explained_variance_ratio ``range`` [0, 1] exactly; ``sums_to_one`` within the sum of the
  allowances; ``descending`` exactly.
- choose_k ``smallest_reaching``: with the implementation's own ratios r, Σ_{j≤k} r_j reaches
  the threshold and Σ_{j<k} r_j does not, to within their allowances.
- transform ``mean_to_origin``: a row equal to the mean projects to 0 (within its allowance).
"""
from __future__ import annotations

import mpmath
import numpy as np

from mathoracle.core.laws import Falsified, Property, bounded, domain_examples, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles import pca_exact as E


def _u(case):
    return E.unit_roundoff(case.dtype)


def _fail(message, x, call, **kw):
    raise Falsified(f"{message} [{call}]", call=call, inputs=x, **kw)


def _descending(oracle_id, part):
    def check(case, ex):
        x = ex["inputs"]
        got = case.parts(oracle_id, x)[part] if part else np.asarray(case.call(oracle_id, x))
        got = np.asarray(got, np.float64).reshape(-1)
        bad = np.nonzero(got[1:] > got[:-1])[0]
        if bad.size:
            j = int(bad[0])
            _fail(f"{part or 'out'}[{j + 1}]={got[j + 1]!r} > {part or 'out'}[{j}]={got[j]!r}, but "
                  "should be non-increasing (largest first)", x, signature_call(case.oracle, x),
                  got=float(got[j + 1]), expected=float(got[j]), index=(j + 1,))
    what = "explained variances" if part else "ratios"
    return Property(oracle_id, "descending", f"{what} are non-increasing", check, domain_examples)


def orthonormality_bound(case, X) -> mpmath.mpf:
    """2·budget·u: the orthonormality a backward-stable eigensolver keeps, per Gram entry."""
    return 2 * E.spectrum(X).budget * _u(case)


def _orthonormal(case, ex):
    x = ex["inputs"]
    V = np.asarray(case.parts("pca.fit", x)["components"], np.float64)
    call = signature_call(case.oracle, x)
    if not np.isfinite(V).all():
        _fail("components are not finite, but should be orthonormal", x, call)
    with mpmath.workdps(DIGITS):
        v = mpf_array(V)
        gram = v @ v.T - np.eye(V.shape[0], dtype=int)
        expect_within(gram, orthonormality_bound(case, x["X"]),
                      "components V should be orthonormal (V Vᵀ = I)", call, x)


def centred(X) -> np.ndarray:
    """X - mean(X), exactly (object array of mpf)."""
    with mpmath.workdps(DIGITS):
        x = mpf_array(np.asarray(X, np.float64))
        return x - x.sum(axis=0) / x.shape[0]


def _reconstruction(case, ex):
    x = ex["inputs"]
    X, k = x["X"], int(x["k"])
    n, dim = X.shape
    full = {"X": X, "k": dim}
    V = np.asarray(case.parts("pca.fit", x)["components"], np.float64)
    lam = np.asarray(case.parts("pca.fit", full)["explained_variance"], np.float64)
    call = signature_call(case.oracle, x)
    if not (np.isfinite(V).all() and np.isfinite(lam).all()):
        _fail("components or variances are not finite", x, call)
    s = E.spectrum(X)
    u = _u(case)
    with mpmath.workdps(DIGITS):
        Xc = centred(X)
        v = mpf_array(V)
        residual = Xc - (Xc @ v.T) @ v
        got = mpmath.fsum(r ** 2 for r in residual.reshape(-1))
        target = (n - 1) * mpmath.fsum(mpf_array(lam[k:]).tolist())
        allowed_lam = case.allowed("pca.fit", full)[dim * dim:]
        gap = s.values[k - 1] - s.values[k] if k < dim else mpmath.inf
        sin_theta = s.budget * u * s.W / gap if gap > 0 else mpmath.inf
        eps = 2 * (k * orthonormality_bound(case, X) + sin_theta)
        F = mpmath.sqrt(mpmath.fsum(c ** 2 for c in Xc.reshape(-1)))
        best = (n - 1) * mpmath.fsum(s.values[k:])
        tol = ((n - 1) * mpmath.fsum(allowed_lam[k:].tolist())
               + 2 * mpmath.sqrt(abs(best)) * F * eps + (F * eps) ** 2)
        expect_within(np.array([got - target], dtype=object), tol,
                      f"‖X_c - X_c VᵀV‖² should be (n-1)·Σ_{{j>{k}}} λ_j (the discarded variance)",
                      call, x)


def _sums_to_one(case, ex):
    x = ex["inputs"]
    got = np.asarray(case.call("pca.explained_variance_ratio", x), np.float64)
    with mpmath.workdps(DIGITS):
        total = mpmath.fsum(mpf_array(got).tolist())
        tol = mpmath.fsum(case.allowed("pca.explained_variance_ratio", x).tolist())
        expect_within(np.array([total - 1], dtype=object), tol, "the ratios should sum to 1",
                      signature_call(case.oracle, x), x)


def _smallest_reaching(case, ex):
    x = ex["inputs"]
    t = float(x.get("threshold", 0.95))
    k = int(np.asarray(case.call("pca.choose_k", x)))
    plain = {"X": x["X"]}
    r = np.asarray(case.call("pca.explained_variance_ratio", plain), np.float64)
    call = signature_call(case.oracle, x)
    if not 1 <= k <= r.size:
        _fail(f"k={k}, but should be between 1 and d={r.size}", x, call, got=float(k))
    with mpmath.workdps(DIGITS):
        cum = np.cumsum(mpf_array(r))
        tol = np.cumsum(case.allowed("pca.explained_variance_ratio", plain))
        if cum[k - 1] < t - tol[k - 1]:
            _fail(f"k={k}, but its cumulative ratio {mpmath.nstr(cum[k - 1], 8)} does not reach the "
                  f"threshold {t}", x, call, got=float(k))
        if k > 1 and cum[k - 2] >= t + tol[k - 2]:
            _fail(f"k={k}, but k-1 already reaches the threshold {t} (cumulative ratio "
                  f"{mpmath.nstr(cum[k - 2], 8)}): not the smallest", x, call, got=float(k))


def _mean_to_origin(case, ex):
    x = dict(ex["inputs"])
    x["X"] = np.broadcast_to(x["mean"], x["X"].shape).copy()
    with mpmath.workdps(DIGITS):
        got = mpf_array(np.asarray(case.call("pca.transform", x), np.float64))
        expect_within(got, case.allowed("pca.transform", x), "a row equal to the mean should "
                      "project to 0", signature_call(case.oracle, x), x)


PROPERTIES = (
    _descending("pca.fit", "explained_variance"),
    Property("pca.fit", "orthonormal", "components are orthonormal (V Vᵀ = I)", _orthonormal,
             domain_examples),
    Property("pca.fit", "reconstruction", "‖X_c - X_c VᵀV‖² = (n-1)·Σ discarded λ",
             _reconstruction, domain_examples),
    bounded("pca.explained_variance_ratio", 0.0, 1.0),
    Property("pca.explained_variance_ratio", "sums_to_one", "the ratios sum to 1", _sums_to_one,
             domain_examples),
    _descending("pca.explained_variance_ratio", None),
    Property("pca.choose_k", "smallest_reaching", "k is the smallest whose cumulative ratio "
             "reaches the threshold", _smallest_reaching, domain_examples,
             needs=("pca.explained_variance_ratio",)),
    Property("pca.transform", "mean_to_origin", "the mean projects to the origin", _mean_to_origin,
             domain_examples),
)
