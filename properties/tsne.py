"""Laws of t-SNE (seed: "Dimensionality Reduction › t-SNE").

Each holds to within the allowances of the outputs it combines (summed exactly).
- conditional_probabilities: ``rows_sum_to_one`` (Σ_j p_{j|i} = 1), ``zero_diagonal`` (exactly).
- joint_probabilities: ``symmetric`` (P = Pᵀ) and ``sums_to_one``. That the calibration reaches
  its perplexity is judged by agreement: P against the exact calibration, allowed the
  implementation's entropy tolerance (the oracle's slack).
- low_dim_affinities: ``sums_to_one`` over all pairs (the seed's Σ_k typo breaks it),
  ``symmetric``, ``zero_diagonal``.
- kl_divergence: ``nonnegative`` (Gibbs) and ``zero_when_equal`` (KL(P‖P) = 0).
"""
from __future__ import annotations

import mpmath
import numpy as np

from mathoracle.core.laws import Falsified, Property, domain_examples, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array


def _got(case, oid, x):
    return mpf_array(np.asarray(case.call(oid, x), np.float64))


def _rows_sum_to_one(oid):
    def check(case, ex):
        x = ex["inputs"]
        with mpmath.workdps(DIGITS):
            got, allowed = _got(case, oid, x), case.allowed(oid, x)
            expect_within(got.sum(axis=1) - 1, allowed.sum(axis=1), "each row should sum to 1",
                          signature_call(case.oracle, x), x)
    return Property(oid, "rows_sum_to_one", "Σ_j p_{j|i} = 1 for every i", check, domain_examples)


def _sums_to_one(oid):
    def check(case, ex):
        x = ex["inputs"]
        with mpmath.workdps(DIGITS):
            got, allowed = _got(case, oid, x), case.allowed(oid, x)
            expect_within(np.array([got.sum() - 1], dtype=object), allowed.sum(),
                          "the entries should sum to 1", signature_call(case.oracle, x), x)
    return Property(oid, "sums_to_one", "Σ_ij = 1", check, domain_examples)


def _symmetric(oid):
    def check(case, ex):
        x = ex["inputs"]
        with mpmath.workdps(DIGITS):
            got, allowed = _got(case, oid, x), case.allowed(oid, x)
            expect_within(got - got.T, allowed + allowed.T, "the matrix should be symmetric",
                          signature_call(case.oracle, x), x)
    return Property(oid, "symmetric", "symmetric in i and j", check, domain_examples)


def _zero_diagonal(oid):
    def check(case, ex):
        x = ex["inputs"]
        got = np.asarray(case.call(oid, x), np.float64)
        diag = np.diagonal(got)
        if np.any(diag != 0):
            i = int(np.nonzero(diag != 0)[0][0])
            call = signature_call(case.oracle, x)
            raise Falsified(f"out[{i}, {i}]={diag[i]!r}, but should be 0 (no self-affinity) [{call}]",
                            call=call, inputs=x, got=float(diag[i]), expected=0.0, index=(i, i))
    return Property(oid, "zero_diagonal", "the diagonal is 0", check, domain_examples)


def _kl_nonnegative(case, ex):
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        got = _got(case, "tsne.kl_divergence", x)
        allowed = case.allowed("tsne.kl_divergence", x)
        value, bound = got.reshape(-1)[0], allowed.reshape(-1)[0]
        if not value >= -bound:
            call = signature_call(case.oracle, x)
            raise Falsified(f"out={mpmath.nstr(value, 8)}, but should be ≥ 0 (Gibbs; allowed "
                            f"-{mpmath.nstr(bound, 3)}) [{call}]", call=call, inputs=x,
                            got=float(value), expected=0.0)


def _kl_zero_when_equal(case, ex):
    x = {"P": ex["inputs"]["P"], "Q": ex["inputs"]["P"].copy()}
    off = ~np.eye(x["P"].shape[0], dtype=bool)
    if not np.all(x["P"][off] > 0):  # KL(P‖P) needs q > 0 where p > 0: give P full support
        P = np.where(off, np.maximum(x["P"].astype(np.float64), 1e-3), 0.0)
        x = {"P": (P / P.sum()).astype(x["P"].dtype)}
        x["Q"] = x["P"].copy()
    with mpmath.workdps(DIGITS):
        expect_within(_got(case, "tsne.kl_divergence", x), case.allowed("tsne.kl_divergence", x),
                      "KL(P‖P) should be 0", signature_call(case.oracle, x), x)


PROPERTIES = (
    _rows_sum_to_one("tsne.conditional_probabilities"),
    _zero_diagonal("tsne.conditional_probabilities"),
    _symmetric("tsne.joint_probabilities"),
    _sums_to_one("tsne.joint_probabilities"),
    _sums_to_one("tsne.low_dim_affinities"),
    _symmetric("tsne.low_dim_affinities"),
    _zero_diagonal("tsne.low_dim_affinities"),
    Property("tsne.kl_divergence", "nonnegative", "KL(P‖Q) ≥ 0 (Gibbs)", _kl_nonnegative,
             domain_examples),
    Property("tsne.kl_divergence", "zero_when_equal", "KL(P‖P) = 0", _kl_zero_when_equal,
             domain_examples),
)
