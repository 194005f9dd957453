"""Statistical tests for stochastic formulas, each with a stated false-alarm rate.

A property of a random quantity (dropout's kept fraction, the mean of a reparameterized
sample, a diffusion marginal) is checked by a test that a correct implementation fails
with probability at most ``ALPHA`` per call. The critical values are exact (normal and
chi-square quantiles from mpmath) or rigorous bounds (Hoeffding), never "roughly equal".
Draws are seeded, so a verdict is reproducible; ALPHA bounds how often a new seed could
turn a correct implementation red.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np

ALPHA = 1e-6  # false-alarm rate of every statistical check, per check


def normal_quantile(p: float) -> float:
    """The p-quantile of the standard normal distribution."""
    with mpmath.workdps(30):
        return float(mpmath.sqrt(2) * mpmath.erfinv(2 * mpmath.mpf(p) - 1))


def hoeffding_radius(n: int, width: float = 1.0, alpha: float = ALPHA) -> float:
    """t with P(|mean of n independent values in an interval of ``width``, minus its
    expectation| ≥ t) ≤ alpha (Hoeffding's inequality, two-sided)."""
    return width * math.sqrt(math.log(2 / alpha) / (2 * n))


def normal_mean_radius(n: int, sigma: float, alpha: float = ALPHA) -> float:
    """t with P(|mean of n N(μ, σ²) draws - μ| ≥ t) = alpha (exact, two-sided)."""
    return normal_quantile(1 - alpha / 2) * sigma / math.sqrt(n)


def chi2_interval(df: int, alpha: float = ALPHA) -> tuple[float, float]:
    """(lo, hi) with P(χ²_df < lo) = P(χ²_df > hi) = alpha/2: for a sample variance s² of
    n = df + 1 normal draws, df·s²/σ² lies in [lo, hi] with probability 1 - alpha."""
    with mpmath.workdps(30):
        def cdf(x):
            return mpmath.gammainc(mpmath.mpf(df) / 2, 0, mpmath.mpf(x) / 2, regularized=True)
        lo = mpmath.findroot(lambda x: cdf(x) - alpha / 2, (mpmath.mpf(1e-12), mpmath.mpf(df)),
                             solver="bisect")
        hi = mpmath.findroot(lambda x: cdf(x) - (1 - alpha / 2),
                             (mpmath.mpf(df), mpmath.mpf(df) * 10 + 200), solver="bisect")
        return float(lo), float(hi)


def variance_ratio_ok(sample: np.ndarray, sigma2: float, alpha: float = ALPHA) -> bool:
    """Whether the sample variance of ``sample`` (normal draws) is consistent with σ²."""
    x = np.asarray(sample, dtype=np.float64).reshape(-1)
    df = x.size - 1
    lo, hi = chi2_interval(df, alpha)
    stat = df * float(np.var(x, ddof=1)) / sigma2
    return lo <= stat <= hi
