"""Diffusion models (DDPM): forward step, noise schedule, marginal, reverse mean, loss.

Seed: "Generative Models › Diffusion Models". The forward process
q(x_t | x_{t-1}) = N(√(1-β_t) x_{t-1}, β_t I) is taken one step at a time with the noise
passed in (``forward_step``), or in one jump to q(x_t | x_0) = N(√ᾱ_t x_0, (1-ᾱ_t) I) with
ᾱ_t = Π_{s≤t} (1-β_s) (``alpha_bar``, ``marginal``). The reverse mean is DDPM's
(Ho et al. 2020, eq. 11): (x_t - β_t/√(1-ᾱ_t) ε_θ)/√(1-β_t), which equals the posterior
mean of q(x_{t-1} | x_t, x_0) when ε_θ is the true noise (tests/test_diffusion.py proves
it in SymPy). Schedules are 1-based as in the paper: ``alpha_bar(betas)[0]`` is ᾱ_1 = 1 - β_1.

β_t and ᾱ_t are Python floats (values of the input's dtype): 0 < β_t < 1 and 0 < ᾱ_t < 1,
the open intervals where √ has a finite derivative (the closed ends are t = 0 and the
limit of pure noise). reverse_mean needs 1 - ᾱ_t ≥ β_t, which every schedule satisfies.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.formats import finfo

from . import domains as d
from .shapes import PerElement, Reduction
from .structured import Structured
from .vae import NOISE_EDGES, noise_elements

SEED = "Generative Models › Diffusion Models"

SAMPLE_SHAPES = ((1,), (3,), (2, 2), (4,), (2, 3), (2, 1, 3))
SCHEDULE_LENGTHS = (1, 2, 3, 5, 8)


def signal_edges(dtype) -> list:
    return d.representable(dtype, [0.0, -0.0, 1.0, -1.0, 0.5, 256.0, -256.0, 1e-3,
                                   float(finfo(dtype).smallest_subnormal)])


def _signal(dtype, edges_only=False):
    """Sample values: data in [-2^8, 2^8] (images are scaled to [-1, 1]), edges in."""
    edges = signal_edges(dtype)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-256.0, hi=256.0, edges=edges)


def unit_edges(dtype, lo=None, hi=None):
    """(lo, hi, the edges of (0, 1) within [lo, hi]) for ``open_unit``."""
    fi = finfo(dtype)
    lo = float(fi.smallest_subnormal) if lo is None else lo
    hi = float(1 - fi.epsneg) if hi is None else hi
    edges = [float(e) for e in d.representable(dtype, [lo, hi, 0.5, 1e-4, 0.02, 1e-8, float(fi.tiny),
                                                       0.999, 1 - 2 * float(fi.epsneg)])
             if lo <= float(e) <= hi]
    return lo, hi, edges


def open_unit(dtype, edges_only=False, lo=None, hi=None):
    """A Python float of dtype's grid in (0, 1) (or [lo, hi] inside it), edges in."""
    lo, hi, edges = unit_edges(dtype, lo, hi)
    strategy = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=lo, hi=hi, edges=edges)
    return strategy.map(float)


@st.composite
def steps(draw, dtype, edges_only=False):
    shape = draw(st.sampled_from(SAMPLE_SHAPES))
    return {"x_prev": draw(hnp.arrays(dtype, shape, elements=_signal(dtype, edges_only))),
            "beta_t": draw(open_unit(dtype, edges_only)),
            "noise": draw(hnp.arrays(dtype, shape, elements=noise_elements(dtype, edges_only)))}


def schedule_edges(dtype) -> list:
    return d.representable(dtype, [0.0, 1.0, 1e-4, 0.02, 0.5, 1e-8, 0.999,
                                   float(finfo(dtype).smallest_subnormal)])


@st.composite
def schedules(draw, dtype, edges_only=False):
    """β_1..β_T in [0, 1] (0: no noise that step; 1: all noise)."""
    T = draw(st.sampled_from(SCHEDULE_LENGTHS))
    edges = schedule_edges(dtype)
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=0.0, hi=1.0, edges=edges)
    return {"betas": draw(hnp.arrays(dtype, (T,), elements=elems))}


@st.composite
def marginals(draw, dtype, edges_only=False):
    shape = draw(st.sampled_from(SAMPLE_SHAPES))
    return {"x0": draw(hnp.arrays(dtype, shape, elements=_signal(dtype, edges_only))),
            "alpha_bar_t": draw(open_unit(dtype, edges_only)),
            "noise": draw(hnp.arrays(dtype, shape, elements=noise_elements(dtype, edges_only)))}


def below(x: Fraction, dtype) -> float:
    """The largest value of dtype's grid that is ≤ x (x ≥ 0, compared exactly)."""
    y = np.asarray(float(x), dtype=np.float64).astype(dtype)
    while Fraction(float(y)) > x:
        y = np.nextafter(y, np.asarray(0, dtype))
    return float(y)


@st.composite
def reverse_steps(draw, dtype, edges_only=False):
    """β_t in (0, 1) and ᾱ_t = ᾱ_{t-1}(1 - β_t) for some ᾱ_{t-1} in (0, 1], rounded down so
    that 1 - ᾱ_t ≥ β_t holds exactly."""
    shape = draw(st.sampled_from(SAMPLE_SHAPES))
    beta = draw(open_unit(dtype, edges_only))
    previous = draw(open_unit(dtype, edges_only, hi=1.0))
    alpha_bar = below(Fraction(previous) * (1 - Fraction(beta)), dtype)
    if alpha_bar <= 0:
        alpha_bar = below(1 - Fraction(beta), dtype)
    return {"x_t": draw(hnp.arrays(dtype, shape, elements=_signal(dtype, edges_only))),
            "eps_pred": draw(hnp.arrays(dtype, shape, elements=noise_elements(dtype, edges_only))),
            "beta_t": beta, "alpha_bar_t": alpha_bar}


@st.composite
def noise_pairs(draw, dtype, edges_only=False):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    elems = noise_elements(dtype, edges_only)
    return {"noise": draw(hnp.arrays(dtype, shape, elements=elems)),
            "noise_pred": draw(hnp.arrays(dtype, shape, elements=elems))}


def _noise(dt):
    return d.representable(dt, NOISE_EDGES)


def _one_element(name):
    return lambda x: np.size(x[name]) == 1


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "diffusion.forward_step": d.Coverage(
        edges=lambda dt: {"x_prev": signal_edges(dt), "beta_t": unit_edges(dt)[2],
                          "noise": _noise(dt)},
        classes={"one element": _one_element("x_prev"), "3-D": lambda x: x["x_prev"].ndim == 3}),
    "diffusion.alpha_bar": d.Coverage(
        edges=lambda dt: {"betas": schedule_edges(dt)},
        classes={"one step (T = 1)": _one_element("betas"), "β = 1 mid-schedule": lambda x:
                 bool((x["betas"][:-1] == 1).any())}),
    "diffusion.marginal": d.Coverage(
        edges=lambda dt: {"x0": signal_edges(dt), "alpha_bar_t": unit_edges(dt)[2],
                          "noise": _noise(dt)},
        classes={"one element": _one_element("x0")}),
    "diffusion.reverse_mean": d.Coverage(
        edges=lambda dt: {"x_t": signal_edges(dt), "eps_pred": _noise(dt),
                          "beta_t": unit_edges(dt)[2]},
        classes={"one element": _one_element("x_t")}),
    "diffusion.loss": d.Coverage(
        edges=lambda dt: {"noise": _noise(dt), "noise_pred": _noise(dt)},
        classes={"one element": _one_element("noise"), "3-D": lambda x: x["noise"].ndim == 3}),
}


def probe_step(dtype):
    return {"x_prev": np.array([0.5, -1.0, 2.0], dtype), "beta_t": 0.125,
            "noise": np.array([1.0, 0.25, -0.5], dtype)}


def probe_schedule(dtype):
    return {"betas": np.array([0.125, 0.25, 0.5], dtype)}


def probe_marginal(dtype):
    return {"x0": np.array([0.5, -1.0, 2.0], dtype), "alpha_bar_t": 0.75,
            "noise": np.array([1.0, 0.25, -0.5], dtype)}


def probe_reverse(dtype):
    return {"x_t": np.array([0.5, -1.0, 2.0], dtype), "eps_pred": np.array([1.0, 0.25, -0.5], dtype),
            "beta_t": 0.125, "alpha_bar_t": 0.5}


def probe_loss(dtype):
    return {"noise": np.array([1.0, 0.25, -0.5], dtype), "noise_pred": np.array([0.5, 0.25, 0.0], dtype)}


# --- formulas ------------------------------------------------------------------------

def step(x_prev, beta_t, noise):
    """x_t = √(1-β_t) x_{t-1} + √β_t ε."""
    return sp.sqrt(1 - beta_t) * x_prev + sp.sqrt(beta_t) * noise


def cumulative_products(betas):
    """ᾱ_t = Π_{s≤t} (1 - β_s), t = 1..T."""
    out, running = np.empty(betas.shape, dtype=object), sp.Integer(1)
    for t, b in enumerate(betas):
        running = running * (1 - b)
        out[t] = running
    return out


def jump(x0, alpha_bar_t, noise):
    """x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε."""
    return sp.sqrt(alpha_bar_t) * x0 + sp.sqrt(1 - alpha_bar_t) * noise


def denoise_mean(x_t, eps_pred, beta_t, alpha_bar_t):
    """μ_θ = (x_t - β_t/√(1-ᾱ_t) ε_θ) / √(1-β_t)."""
    return (x_t - beta_t / sp.sqrt(1 - alpha_bar_t) * eps_pred) / sp.sqrt(1 - beta_t)


forward_step = PerElement(
    id="diffusion.forward_step", signature="forward_step(x_prev, beta_t, noise)",
    formula="√(1-β_t) x_{t-1} + √β_t ε", seed=SEED, arrays=("x_prev", "beta_t", "noise"),
    term=step, domain=steps, edges=lambda dt: steps(dt, edges_only=True), probe=probe_step,
)

alpha_bar = Structured(
    id="diffusion.alpha_bar", signature="alpha_bar(betas)", formula="ᾱ_t = Π_{s≤t} (1-β_s)",
    seed=SEED, arrays=("betas",), build=cumulative_products, domain=schedules,
    edges=lambda dt: schedules(dt, edges_only=True), probe=probe_schedule,
    note="1-based: out[0] = ᾱ_1 = 1 - β_1 (an exclusive cumulative product is off by one)",
)

marginal = PerElement(
    id="diffusion.marginal", signature="marginal(x0, alpha_bar_t, noise)",
    formula="√ᾱ_t x_0 + √(1-ᾱ_t) ε", seed=SEED, arrays=("x0", "alpha_bar_t", "noise"),
    term=jump, domain=marginals, edges=lambda dt: marginals(dt, edges_only=True),
    probe=probe_marginal,
)

reverse_mean = PerElement(
    id="diffusion.reverse_mean", signature="reverse_mean(x_t, eps_pred, beta_t, alpha_bar_t)",
    formula="(x_t - β_t/√(1-ᾱ_t) ε_θ)/√(1-β_t)", seed=SEED,
    arrays=("x_t", "eps_pred", "beta_t", "alpha_bar_t"), term=denoise_mean,
    domain=reverse_steps, edges=lambda dt: reverse_steps(dt, edges_only=True), probe=probe_reverse,
    note="DDPM's μ_θ (Ho et al. 2020, eq. 11); equals the posterior mean of q(x_{t-1}|x_t, x_0) "
         "at the true noise",
)

loss = Reduction(
    id="diffusion.loss", signature="loss(noise, noise_pred)", formula="E‖ε - ε_θ(x_t,t)‖²",
    seed=SEED, arrays=("noise", "noise_pred"), term=lambda e, p: (e - p) ** 2, reduce="mean",
    domain=noise_pairs, edges=lambda dt: noise_pairs(dt, edges_only=True), probe=probe_loss,
    note="the mean over all elements (the seed's expectation of the squared norm, per element)",
)

POSITION = 8  # the section's place in the catalogue (oracles.sections)
ORACLES = (forward_step, alpha_bar, marginal, reverse_mean, loss)
