"""Diffusion: composing forward steps gives the marginal's mean and variance exactly (SymPy);
ᾱ in exact rationals; reverse_mean is the posterior mean at the true noise; low precision
and 1 - ᾱ; and a test of the statistical tests (20 seeds each)."""
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from mathoracle.core.implementation import Implementation
from mathoracle.oracles import diffusion as D
from mathoracle.properties import diffusion as P
from mathoracle.properties import properties_for
from mathoracle.registry import bundled, oracles
from mathoracle.runner import Target
from tests.corpus import diffusion as corpus
from tests.verdicts import verdicts


def is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


@pytest.mark.parametrize("t", [1, 2, 3, 4])
def test_t_forward_steps_have_the_marginals_mean_and_variance_exactly(t):
    """x_t = Σ coefficients of x_0 and of each ε_s: the x_0 coefficient is √ᾱ_t and the
    ε coefficients' squares sum to 1 - ᾱ_t (the ε_s are independent N(0, 1))."""
    betas = sp.symbols(f"b1:{t + 1}", positive=True)
    x0 = sp.Symbol("x0", real=True)
    eps = sp.symbols(f"e1:{t + 1}", real=True)
    x = x0
    for b, e in zip(betas, eps):
        x = D.step(x, b, e)
    abar = D.cumulative_products(np.array(betas, dtype=object))[-1]
    mean = sp.expand(x).coeff(x0)
    variance = sum(sp.expand(x).coeff(e) ** 2 for e in eps)
    assert is_zero(mean ** 2 - abar) and is_zero(variance - (1 - abar))


def test_alpha_bar_is_the_exact_rational_cumulative_product():
    betas = np.array([0.125, 0.5, 0.0625, 0.75])
    exact = D.alpha_bar.exact({"betas": betas}).value
    running = Fraction(1)
    for b, got in zip(betas, exact):
        running *= 1 - Fraction(b)
        assert mpmath.mpf(running.numerator) / running.denominator == got


def test_reverse_mean_at_the_true_noise_is_the_ddpm_posterior_mean():
    x0, e = sp.symbols("x0 e", real=True)
    b, prev = sp.symbols("beta abar_prev", positive=True)
    abar = prev * (1 - b)
    x_t = D.jump(x0, abar, e)
    posterior = (sp.sqrt(prev) * b / (1 - abar)) * x0 + (sp.sqrt(1 - b) * (1 - prev) / (1 - abar)) * x_t
    assert is_zero(D.denoise_mean(x_t, e, b, abar) - posterior)


def test_ddpm_linear_schedule_in_float16_rounds_alpha_bar_to_one():
    """β_1 = 1e-4 is below float16's unit roundoff 2^-11: ᾱ_1 = 1 - β_1 rounds to 1, so
    √(1 - ᾱ_1) = 0 and reverse_mean divides by 0. The below_one law's schedules keep β ≥ u;
    in float32 the same schedule is fine."""
    ref = bundled("numpy").functions
    betas = np.linspace(1e-4, 0.02, 1000)
    half = ref["diffusion.alpha_bar"](betas.astype(np.float16))
    assert half[0] == 1 and float(betas.astype(np.float16)[0]) < P.unit_roundoff(np.float16)
    single = ref["diffusion.alpha_bar"](betas.astype(np.float32))
    assert np.all(1 - single > 0)
    # a float32 schedule computed in float16 (mixed precision) is caught by below_one
    law = _prop("diffusion.alpha_bar", "below_one")
    bad = Implementation("half", {"diffusion.alpha_bar": corpus.abar_half_precision})
    with pytest.raises(AssertionError, match="1 - ᾱ_1 should be > 0"):
        law.check(_case("diffusion.alpha_bar", bad, np.float32), {"inputs": {"betas": betas[:5].astype(np.float32)}})


def _case(oracle_id, impl, dtype):
    return Target(impl, oracles()).case(oracles()[oracle_id], dtype)


def _prop(oracle_id, name):
    return next(p for p in properties_for(oracles()[oracle_id]) if p.name == name)


STEPS = [("composes_to_marginal", [0.25, 0.125, 0.5], corpus.step_beta_not_sqrt),
         ("reaches_noise", list(np.linspace(0.25, 0.75, 8)), corpus.step_variance_exploding)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("name,betas,buggy", STEPS, ids=[s[0] for s in STEPS])
def test_forward_laws_never_flag_the_reference_and_always_flag_a_bug(dtype, name, betas, buggy):
    prop = _prop("diffusion.forward_step", name)
    betas = [float(np.asarray(b, dtype)) for b in betas]
    examples = [{"inputs": {"betas": np.array(betas, dtype)}, "c": 1.5, "seed": s} for s in range(20)]
    assert all(verdicts(prop, _case("diffusion.forward_step", bundled("numpy"), dtype), examples))
    bad = Implementation("bad", {"diffusion.forward_step": buggy})
    assert not any(verdicts(prop, _case("diffusion.forward_step", bad, dtype), examples))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_marginal_distribution_never_flags_the_reference_and_always_flags_a_dropped_sqrt(dtype):
    prop = _prop("diffusion.marginal", "distribution")
    examples = [{"inputs": {"x0": np.full(P.SAMPLES, 0.75, dtype), "alpha_bar_t": 0.5,
                            "noise": P.standard_normal(s).astype(dtype)}, "seed": s} for s in range(20)]
    assert all(verdicts(prop, _case("diffusion.marginal", bundled("numpy"), dtype), examples))
    bad = Implementation("bad", {"diffusion.marginal": corpus.marginal_sqrt_dropped})
    assert not any(verdicts(prop, _case("diffusion.marginal", bad, dtype), examples))
