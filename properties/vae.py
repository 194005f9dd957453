"""Laws of the VAE formulas (seed: "Generative Models › Variational Autoencoders (VAE)").

Deterministic laws hold to within the error the agreement check allows each output they
combine. The statistical ones (``monte_carlo``, ``moments``) draw their noise from a seeded
generator and fail a correct implementation with probability at most ``ALPHA`` = 1e-6 per
check (see ``normal_sample``): their verdicts are reproducible and never flaky.
"""
from __future__ import annotations

import math
from functools import lru_cache

import mpmath
import numpy as np
from hypothesis import strategies as st

from mathoracle.core.formats import finfo
from mathoracle.core.laws import (Falsified, Property, domain_examples, expect_within, expect_zero,
                                  signature_call)
from mathoracle.core.model import DIGITS, mpf_array, rounding_budget

from .statistics import ALPHA
from .statistics import chi2_interval as _chi2_interval
from .statistics import normal_quantile

SAMPLES = 2048  # draws per statistical check


@lru_cache(maxsize=None)
def chi2_interval(df: int, alpha: float) -> tuple[float, float]:
    """statistics.chi2_interval, computed once per (df, alpha) (70 ms each)."""
    return _chi2_interval(df, alpha)


@lru_cache(maxsize=None)
def _z(p: float) -> float:
    return normal_quantile(p)


# --- statistics of a rounded normal sample -----------------------------------------------

def normal_sample(x, *, mean: tuple[float, float], var: tuple[float, float], slack,
                  alpha: float = ALPHA) -> str | None:
    """Why ``x`` is not a sample of N(m, s²) for any m in ``mean`` and s² in ``var``, or None.

    x_i = y_i + δ_i, with y_i independent N(m, s²) draws and |δ_i| ≤ slack_i (the rounding
    a correct implementation may add, derived from its error bound). The sample mean is
    tested two-sided at alpha/2 (|ȳ - m| ≤ z·s/√n, exact), the sample variance at alpha/2
    (df·s_y²/s² in the chi-square interval); δ moves the mean by at most mean(slack) and the
    sample standard deviation by at most ‖slack‖/√df. A correct implementation fails with
    probability at most alpha."""
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    slack = np.broadcast_to(np.asarray(slack, dtype=np.float64), x.shape)
    n, df = x.size, x.size - 1
    if not np.all(np.isfinite(x)):
        return "the sample has non-finite values"
    radius = _z(1 - alpha / 4) * math.sqrt(var[1] / n) + float(np.mean(slack))
    xbar = math.fsum(x) / n
    if not mean[0] - radius <= xbar <= mean[1] + radius:
        return (f"the sample mean {xbar:.6g} is not within {radius:.3g} of "
                f"{_interval(mean)} (false-alarm rate {alpha:g})")
    lo, hi = chi2_interval(df, alpha / 2)
    sd = math.sqrt(math.fsum((x - xbar) ** 2) / df)
    e = math.sqrt(math.fsum(slack ** 2) / df)
    sd_lo, sd_hi = math.sqrt(var[0] * lo / df), math.sqrt(var[1] * hi / df)
    if sd + e < sd_lo or sd - e > sd_hi:
        return (f"the sample standard deviation {sd:.6g} (± {e:.2g} rounding) is outside "
                f"[{sd_lo:.6g}, {sd_hi:.6g}], the range of sd for variance {_interval(var)} "
                f"(false-alarm rate {alpha:g})")
    return None


def _interval(v: tuple[float, float]) -> str:
    return f"{v[0]:.6g}" if v[0] == v[1] else f"[{v[0]:.6g}, {v[1]:.6g}]"


def unit_roundoff(dtype) -> float:
    return float(finfo(dtype).eps) / 2


def standard_normal(seed: int, n: int = SAMPLES) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(n)


# --- kl_standard_normal ---------------------------------------------------------------

KL = "vae.kl_standard_normal"


def _nonnegative(case, ex):
    """KL ≥ 0, up to the error the agreement check allows."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        got = mpf_array(case.call(KL, x))
        neg = np.vectorize(lambda g: min(g, 0), otypes=[object])(got)
        expect_within(neg, case.allowed(KL, x), "KL should be ≥ 0", signature_call(case.oracle, x), x)


def _standard(oracle, dtype):
    """μ = 0, σ = 1 of a drawn shape: KL(N(0, 1) ‖ N(0, 1))."""
    return oracle.domain(dtype).map(lambda x: {"inputs": {
        "mu": np.zeros_like(x["mu"]), "sigma": np.ones_like(x["sigma"])}})


def _zero_at_standard(case, ex):
    """KL(N(0, 1) ‖ N(0, 1)) = 0 exactly."""
    expect_zero(case, KL, ex["inputs"], "μ = 0, σ = 1")


@st.composite
def _one_gaussian(draw, oracle, dtype):
    """One latent dimension with moderate μ, σ (|μ| ≤ 4, 1/8 ≤ σ ≤ 4) and a noise seed."""
    mu = draw(st.floats(-4, 4, width=16))
    sigma = draw(st.floats(0.125, 4, width=16))
    inputs = {"mu": np.array([mu], dtype), "sigma": np.array([sigma], dtype)}
    return {"inputs": inputs, "seed": draw(st.integers(0, 2 ** 32 - 1))}


def _monte_carlo(case, ex):
    """KL agrees with the Monte-Carlo mean of log N(z; μ, σ²) - log N(z; 0, 1), z = μ + σε.

    With ε ~ N(0, 1) the log-ratio equals KL + μσ ε + (σ² - 1)(ε² - 1)/2 (it is evaluated
    from the densities, not from this form). mean(ε) is exactly
    N(0, 1/n) and Σε² is exactly χ²_n, so the estimate lies within
    |μσ|·z/√n + |σ² - 1|/2·max(1 - lo/n, hi/n - 1) of the KL with probability ≥ 1 - α
    (α/2 each). The implementation's value may be off by its allowed error, and the float64
    evaluation of the log-ratio by 2⁻⁴⁸ of its terms' size."""
    x, seed = ex["inputs"], ex["seed"]
    got = float(np.asarray(case.call(KL, x), dtype=np.float64))
    mu, sigma = float(x["mu"][0]), float(x["sigma"][0])
    eps = standard_normal(seed)
    z = mu + sigma * eps
    log_ratio = -((z - mu) / sigma) ** 2 / 2 - math.log(sigma) + z ** 2 / 2
    estimate = math.fsum(log_ratio) / eps.size
    n = eps.size
    lo, hi = chi2_interval(n, ALPHA / 2)
    radius = (abs(mu * sigma) * _z(1 - ALPHA / 4) / math.sqrt(n)
              + abs(sigma ** 2 - 1) / 2 * max(1 - lo / n, hi / n - 1)
              + 2.0 ** -48 * float(np.mean(np.abs(z - mu) ** 2 / sigma ** 2 + z ** 2 + abs(math.log(sigma)))))
    allowed = float(case.allowed(KL, x)[()])
    if not abs(got - estimate) <= radius + allowed:
        call = signature_call(case.oracle, x)
        raise Falsified(f"out={got!r}, but the Monte-Carlo estimate from {n} seeded draws "
                        f"(seed {seed}) is {estimate!r} ± {radius:.3g} (false-alarm rate "
                        f"{ALPHA:g}) [{call}]", call=call, inputs=x, got=got, expected=estimate)


# --- reparameterize -------------------------------------------------------------------

REPARAM = "vae.reparameterize"


@st.composite
def _reparam_sample(draw, oracle, dtype):
    mu = float(np.asarray(draw(st.floats(-4, 4, width=16)), dtype))
    sigma = float(np.asarray(draw(st.floats(0.0, 4, width=16)), dtype))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return {"inputs": {"mu": np.full(SAMPLES, mu, dtype), "sigma": np.full(SAMPLES, sigma, dtype),
                       "eps": standard_normal(seed).astype(dtype)}, "seed": seed}


def _moments(case, ex):
    """z = reparameterize(μ, σ, ε) with ε ~ N(0, 1) (seeded, rounded to the dtype) is a sample
    of N(μ, σ²): its mean is μ and its variance σ² (``normal_sample``, false-alarm rate α).
    Rounding is allowed for: ε to the dtype (u·σ|ε|) and z within its agreement bound
    budget·u·(|z| + |μ| + 2σ|ε|) + λ."""
    x, seed = ex["inputs"], ex["seed"]
    z = case.call(REPARAM, x)
    mu, sigma = float(x["mu"][0]), float(x["sigma"][0])
    eps = standard_normal(seed)
    u, tiny = unit_roundoff(case.dtype), float(finfo(case.dtype).tiny)
    budget = rounding_budget(case.oracle.expression)
    size = np.abs(mu) + np.abs(sigma * eps)
    slack = sigma * u * np.abs(eps) + budget * u * (2 * size + np.abs(sigma * eps)) + tiny
    why = normal_sample(z, mean=(mu, mu), var=(sigma ** 2, sigma ** 2), slack=slack)
    if why:
        call = f"reparameterize(mu=np.full({SAMPLES}, {mu!r}), sigma=np.full({SAMPLES}, {sigma!r}), " \
               f"eps=np.random.default_rng({seed}).standard_normal({SAMPLES}).astype(np.{case.dtype.name}))"
        raise Falsified(f"z is not N(μ, σ²): {why} [{call}]", call=call, inputs=x)


# --- loss -----------------------------------------------------------------------------

LOSS = "vae.loss"


def _negative_elbo(case, ex):
    """loss(log p, μ, σ) = kl_standard_normal(μ, σ) - log p: the negative of the ELBO
    E[log p(x|z)] - KL (the seed's L, which is maximised)."""
    x = ex["inputs"]
    kx = {"mu": x["mu"], "sigma": x["sigma"]}
    with mpmath.workdps(DIGITS):
        diff = (mpf_array(case.call(LOSS, x)) - mpf_array(case.call(KL, kx))
                + mpf_array(x["log_px_given_z"]))
        bound = case.allowed(LOSS, x) + case.allowed(KL, kx)
    expect_within(diff, bound, "the loss should be KL - log p(x|z), the negative ELBO",
                  signature_call(case.oracle, x), x)


@st.composite
def _likelihood_shift(draw, oracle, dtype):
    """An input whose log p(x|z) + 1 is exact in the dtype (|log p| ≤ 2^(p-1))."""
    x = dict(draw(oracle.domain(dtype)))
    lp = x["log_px_given_z"].astype(np.float64)
    limit = 2.0 ** (finfo(dtype).nmant)
    x["log_px_given_z"] = np.clip(np.round(lp), -limit, limit - 1).astype(dtype)
    return {"inputs": x}


def _likelihood_sign(case, ex):
    """Raising log p(x|z) by 1 lowers the loss by exactly 1 (the loss is -ELBO, and the
    ELBO rises with the likelihood)."""
    x = ex["inputs"]
    up = {**x, "log_px_given_z": (x["log_px_given_z"] + 1).astype(x["log_px_given_z"].dtype)}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call(LOSS, up)) - mpf_array(case.call(LOSS, x)) + 1
        bound = case.allowed(LOSS, up) + case.allowed(LOSS, x)
    expect_within(diff, bound, "loss(log p + 1) should be loss(log p) - 1",
                  signature_call(case.oracle, x), x)


PROPERTIES = (
    Property(KL, "nonnegative", "KL(N(μ,σ²) ‖ N(0,1)) ≥ 0", _nonnegative, domain_examples),
    Property(KL, "zero_at_standard", "KL = 0 exactly at μ = 0, σ = 1", _zero_at_standard, _standard),
    Property(KL, "monte_carlo", "agrees with a seeded Monte-Carlo estimate (false-alarm rate 1e-6)",
             _monte_carlo, _one_gaussian),
    Property(REPARAM, "moments", "z = μ + σε has mean μ and variance σ² (false-alarm rate 1e-6)",
             _moments, _reparam_sample),
    Property(LOSS, "negative_elbo", "loss = KL - log p(x|z), the negative ELBO", _negative_elbo,
             domain_examples, needs=(KL,)),
    Property(LOSS, "likelihood_sign", "loss(log p + 1) = loss(log p) - 1", _likelihood_sign,
             _likelihood_shift),
)
