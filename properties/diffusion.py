"""Laws of the DDPM formulas (seed: "Generative Models › Diffusion Models").

The statistical laws (``composes_to_marginal``, ``reaches_noise``, ``distribution``) draw
the noise of every step from a seeded generator (rounded to the dtype) and test the
result's mean and variance with ``properties.vae.normal_sample``: a correct implementation
fails with probability at most ALPHA = 1e-6 per check. The rounding a correct
implementation may add is allowed for: per step, the agreement bound
budget·u·(|x_t| + S) + λ (S the step's sensitivity) plus the rounding of the noise,
summed over the steps (a step scales earlier errors by √(1-β) ≤ 1).
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from mathoracle.core.formats import finfo
from mathoracle.core.laws import Falsified, Property, bounded, expect_within, expect_zero, signature_call
from mathoracle.core.model import DIGITS, mpf_array, rounding_budget
from mathoracle.oracles.diffusion import jump, reverse_steps, step

from .vae import SAMPLES, normal_sample, standard_normal, unit_roundoff

FORWARD, ALPHA_BAR, MARGINAL = "diffusion.forward_step", "diffusion.alpha_bar", "diffusion.marginal"
REVERSE, LOSS = "diffusion.reverse_mean", "diffusion.loss"

_x, _b, _e = sp.symbols("x b e", real=True)
STEP_BUDGET = rounding_budget(step(_x, _b, _e))
JUMP_BUDGET = rounding_budget(jump(_x, _b, _e))


def _grid(dtype, lo, hi):
    """A Python float of dtype's grid in [lo, hi] (float16 values are on every grid)."""
    return st.floats(lo, hi, width=16).map(lambda v: float(np.asarray(v, dtype)))


def _product(betas) -> float:
    """Π (1 - β) of exact binary values, rounded once."""
    out = Fraction(1)
    for b in betas:
        out *= 1 - Fraction(b)
    return float(out)


def _run_steps(case, c: float, betas, seed: int):
    """x_0 = c everywhere; x_s = forward_step(x_{s-1}, β_s, ε_s) with seeded ε_s. Returns the
    implementation's x_t and the slack a correct one may have accumulated per element."""
    dtype, u = case.dtype, unit_roundoff(case.dtype)
    tiny = float(finfo(dtype).tiny)
    rng = np.random.default_rng(seed)
    x = np.full(SAMPLES, c, dtype)
    ref = np.full(SAMPLES, c, np.float64)  # the exact path, to the float64 rounding
    slack = np.zeros(SAMPLES)
    for beta in betas:
        eps = rng.standard_normal(SAMPLES)
        x = case.call(FORWARD, {"x_prev": x, "beta_t": beta, "noise": eps.astype(dtype)})
        size = np.abs(ref) + slack
        new = np.sqrt(1 - beta) * ref + np.sqrt(beta) * eps
        sens = (np.sqrt(1 - beta) * size * (1 + beta / (2 * (1 - beta)))
                + np.sqrt(beta) * np.abs(eps) * 1.5)
        slack = (slack + STEP_BUDGET * u * (np.abs(new) + slack + sens) + tiny
                 + np.sqrt(beta) * u * np.abs(eps) + 2.0 ** -50 * (np.abs(new) + sens))
        ref = new
    return x, slack


def _failed(case, what, why, c, betas, seed):
    call = (f"x = np.full({SAMPLES}, {c!r}); for β in {list(betas)!r}: x = forward_step(x, β, "
            f"rng.standard_normal({SAMPLES}).astype(np.{case.dtype.name})), "
            f"rng = np.random.default_rng({seed})")
    raise Falsified(f"{what}: {why} [{call}]", call=call, inputs={"betas": np.array(betas), "x0": c})


# --- forward_step ---------------------------------------------------------------------

@st.composite
def _short_schedules(draw, oracle, dtype):
    t = draw(st.sampled_from([1, 2, 3, 5]))
    betas = draw(st.lists(_grid(dtype, 2.0 ** -6, 0.5), min_size=t, max_size=t))
    return {"inputs": {"betas": np.array(betas, dtype)}, "c": draw(_grid(dtype, -2, 2)),
            "seed": draw(st.integers(0, 2 ** 32 - 1))}


def _composes_to_marginal(case, ex):
    """t steps of forward_step from x_0 = c give samples of q(x_t | x_0) = N(√ᾱ_t c, 1 - ᾱ_t),
    the marginal at ᾱ_t = Π (1 - β_s) (false-alarm rate 1e-6)."""
    betas, c, seed = [float(b) for b in ex["inputs"]["betas"]], ex["c"], ex["seed"]
    x, slack = _run_steps(case, c, betas, seed)
    abar = _product(betas)
    m = np.sqrt(abar) * c
    why = normal_sample(x, mean=(m, m), var=(1 - abar, 1 - abar), slack=slack + 2.0 ** -50)
    if why:
        _failed(case, f"after {len(betas)} steps x_t is not N(√ᾱ_t x_0, 1 - ᾱ_t), ᾱ_t = {abar:.6g}",
                why, c, betas, seed)


@st.composite
def _long_schedules(draw, oracle, dtype):
    """Linear schedules of T steps ending in noise: ᾱ_T ≤ 0.01 (a valid schedule)."""
    t = 8
    first, last = draw(_grid(dtype, 0.25, 0.5)), draw(_grid(dtype, 0.625, 0.875))
    betas = np.linspace(first, last, t).astype(dtype)
    if _product(float(b) for b in betas) > 0.01:
        betas = np.full(t, 0.5, dtype)  # ᾱ_T = 2^-T
    return {"inputs": {"betas": betas}, "c": draw(_grid(dtype, -4, 4)),
            "seed": draw(st.integers(0, 2 ** 32 - 1))}


def _reaches_noise(case, ex):
    """After T steps of a schedule with ᾱ_T ≤ 0.01, x_T ≈ N(0, I): its mean is within
    √ᾱ_T·|x_0| of 0 and its variance within [1 - ᾱ_T, 1] (false-alarm rate 1e-6)."""
    betas, c, seed = [float(b) for b in ex["inputs"]["betas"]], ex["c"], ex["seed"]
    abar = _product(betas)
    x, slack = _run_steps(case, c, betas, seed)
    shift = np.sqrt(abar) * abs(c) * (1 + 2.0 ** -40)
    why = normal_sample(x, mean=(-shift, shift), var=(1 - abar, 1.0), slack=slack + 2.0 ** -50)
    if why:
        _failed(case, f"after T = {len(betas)} steps (ᾱ_T = {abar:.3g}) x_T is not N(0, I)",
                why, c, betas, seed)


# --- alpha_bar ------------------------------------------------------------------------

def _schedules(oracle, dtype):
    return oracle.domain(dtype).map(lambda x: {"inputs": x})


def _recursion(case, ex):
    """ᾱ_1 = 1 - β_1 and ᾱ_t = ᾱ_{t-1}(1 - β_t): inclusive of t (1-based)."""
    x = ex["inputs"]
    got = np.asarray(case.call(ALPHA_BAR, x), dtype=np.float64)
    allowed = case.allowed(ALPHA_BAR, x)
    with mpmath.workdps(DIGITS):
        g = mpf_array(got)
        keep = np.array([1 - mpmath.mpf(float(b)) for b in x["betas"]], dtype=object)
        before = np.concatenate([[mpmath.mpf(1)], g[:-1]])
        slack_before = np.concatenate([[mpmath.mpf(0)], allowed[:-1]])
        diff = g - before * keep
        bound = allowed + keep * slack_before
    expect_within(diff, bound, "ᾱ_t should be ᾱ_{t-1}·(1 - β_t), with ᾱ_1 = 1 - β_1",
                  signature_call(case.oracle, x), x)


@st.composite
def _resolvable(draw, oracle, dtype):
    """Schedules whose every β_t ≥ u, the dtype's unit roundoff: 1 - β_t rounds below 1."""
    t = draw(st.sampled_from([1, 2, 3, 5, 8]))
    u = unit_roundoff(dtype)
    beta = st.one_of(st.just(u), st.just(2 * u), st.just(1e-4 if u <= 1e-4 else u),
                     _grid(dtype, max(u, 2.0 ** -14), 1.0))
    betas = draw(st.lists(beta, min_size=t, max_size=t))
    return {"inputs": {"betas": np.array(betas, dtype)}}


def _below_one(case, ex):
    """1 - ᾱ_t > 0 for every t when each β_t ≥ u (the dtype's unit roundoff): √(1 - ᾱ_t) and
    β_t/√(1 - ᾱ_t) stay finite. A schedule computed in a lower precision than its dtype
    (DDPM's β_1 = 1e-4 is below float16's u = 2^-11) rounds ᾱ_1 to 1."""
    x = ex["inputs"]
    got = np.asarray(case.call(ALPHA_BAR, x), dtype=np.float64)
    bad = ~(1 - got > 0)
    if bad.any():
        t = int(np.argmax(bad))
        call = signature_call(case.oracle, x)
        raise Falsified(f"out[{t}]={got[t]!r}: 1 - ᾱ_{t + 1} should be > 0 (every β ≥ "
                        f"u = {unit_roundoff(case.dtype):.3g}) [{call}]", call=call, inputs=x,
                        got=float(got[t]), index=(t,))


# --- marginal -------------------------------------------------------------------------

@st.composite
def _marginal_sample(draw, oracle, dtype):
    a = draw(_grid(dtype, 2.0 ** -10, 1 - 2.0 ** -10))
    c = draw(_grid(dtype, -4, 4))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    return {"inputs": {"x0": np.full(SAMPLES, c, dtype), "alpha_bar_t": a,
                       "noise": standard_normal(seed).astype(dtype)}, "seed": seed}


def _distribution(case, ex):
    """marginal(x_0 = c, ᾱ, ε) with seeded ε ~ N(0, 1) is a sample of N(√ᾱ c, 1 - ᾱ)
    (false-alarm rate 1e-6)."""
    x, seed = ex["inputs"], ex["seed"]
    c, a = float(x["x0"][0]), x["alpha_bar_t"]
    got = case.call(MARGINAL, x)
    eps = standard_normal(seed)
    u, tiny = unit_roundoff(case.dtype), float(finfo(case.dtype).tiny)
    size = np.sqrt(a) * abs(c) + np.sqrt(1 - a) * np.abs(eps)
    sens = size * 1.5 + a * np.abs(eps) / (2 * np.sqrt(1 - a))
    slack = JUMP_BUDGET * u * (size + sens) + tiny + np.sqrt(1 - a) * u * np.abs(eps) + 2.0 ** -50
    m = np.sqrt(a) * c
    why = normal_sample(got, mean=(m, m), var=(1 - a, 1 - a), slack=slack)
    if why:
        call = (f"marginal(np.full({SAMPLES}, {c!r}), {a!r}, np.random.default_rng({seed})"
                f".standard_normal({SAMPLES}).astype(np.{case.dtype.name}))")
        raise Falsified(f"x_t is not N(√ᾱ x_0, 1 - ᾱ): {why} [{call}]", call=call, inputs=x)


# --- reverse_mean ---------------------------------------------------------------------

def _posterior_draws(oracle, dtype):
    def rename(x):
        return {"inputs": {"x0": x["x_t"], "noise": x["eps_pred"], "beta_t": x["beta_t"],
                           "alpha_bar_t": x["alpha_bar_t"]}}
    return reverse_steps(dtype).map(rename)


def _posterior_mean(case, ex):
    """With ε_θ the true noise, reverse_mean is the mean of q(x_{t-1} | x_t, x_0):
    √ᾱ_{t-1} β_t/(1-ᾱ_t) x_0 + √(1-β_t)(1-ᾱ_{t-1})/(1-ᾱ_t) x_t, ᾱ_{t-1} = ᾱ_t/(1-β_t),
    x_t = marginal(x_0, ᾱ_t, ε) (this implementation's). An error δ in x_t moves the two
    sides apart by |1/√(1-β_t) - (x_t's coefficient)|·δ."""
    x = ex["inputs"]
    beta, abar = x["beta_t"], x["alpha_bar_t"]
    jump_in = {"x0": x["x0"], "alpha_bar_t": abar, "noise": x["noise"]}
    x_t = case.call(MARGINAL, jump_in)
    back = {"x_t": x_t, "eps_pred": x["noise"], "beta_t": beta, "alpha_bar_t": abar}
    got = case.call(REVERSE, back)
    with mpmath.workdps(DIGITS):
        b, a = mpmath.mpf(beta), mpmath.mpf(abar)
        prev = a / (1 - b)
        c0 = mpmath.sqrt(prev) * b / (1 - a)
        ct = mpmath.sqrt(1 - b) * (1 - prev) / (1 - a)
        posterior = c0 * mpf_array(x["x0"]) + ct * mpf_array(x_t)
        diff = mpf_array(got) - posterior
        bound = case.allowed(REVERSE, back) + abs(1 / mpmath.sqrt(1 - b) - ct) * case.allowed(MARGINAL, jump_in)
    expect_within(diff, bound, "reverse_mean at the true noise should be the posterior mean of "
                  "q(x_{t-1} | x_t, x_0)", signature_call(case.oracle, back), back)


# --- loss -----------------------------------------------------------------------------

def _perfect(oracle, dtype):
    return oracle.domain(dtype).map(lambda x: {"inputs": {"noise": x["noise"],
                                                          "noise_pred": x["noise"].copy()}})


def _zero_at_perfect(case, ex):
    """loss(ε, ε) = 0 exactly: a perfect noise prediction costs nothing."""
    expect_zero(case, LOSS, ex["inputs"], "ε_θ = ε")


PROPERTIES = (
    Property(FORWARD, "composes_to_marginal", "t steps give N(√ᾱ_t x_0, 1 - ᾱ_t) (false-alarm "
             "rate 1e-6)", _composes_to_marginal, _short_schedules),
    Property(FORWARD, "reaches_noise", "x_T ≈ N(0, I) for a schedule with ᾱ_T ≤ 0.01 "
             "(false-alarm rate 1e-6)", _reaches_noise, _long_schedules),
    Property(ALPHA_BAR, "recursion", "ᾱ_1 = 1 - β_1, ᾱ_t = ᾱ_{t-1}(1 - β_t)", _recursion, _schedules),
    Property(ALPHA_BAR, "below_one", "1 - ᾱ_t > 0 when every β_t ≥ u", _below_one, _resolvable),
    Property(MARGINAL, "distribution", "x_t ~ N(√ᾱ x_0, 1 - ᾱ) (false-alarm rate 1e-6)",
             _distribution, _marginal_sample),
    Property(REVERSE, "posterior_mean", "at the true noise, the posterior mean of "
             "q(x_{t-1} | x_t, x_0)", _posterior_mean, _posterior_draws, needs=(MARGINAL,)),
    bounded(LOSS, 0.0, float("inf")),
    Property(LOSS, "zero_at_perfect", "loss(ε, ε) = 0 exactly", _zero_at_perfect, _perfect),
)
