"""Variational autoencoders: the KL term, the reparameterization trick, the loss.

Seed: "Generative Models › Variational Autoencoders (VAE)". The closed form of
KL(N(μ, σ²) ‖ N(0, 1)) is not typed in: ``kl_closed_form`` integrates the log-ratio of the
two normal densities against N(μ, σ²) with SymPy, once, on first use.

Where the seed is wrong: it calls L = E[log p(x|z)] - KL the loss. That is the evidence
lower bound (ELBO), which training maximises; the loss is its negative, KL - E[log p(x|z)]
(tests/test_vae.py shows the difference, and the corpus catches the seed's sign).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.formats import finfo
from mathoracle.core.model import ErrorModel

from . import domains as d
from .shapes import PerElement, Reduction
from .structured import Structured, elementwise

SEED = "Generative Models › Variational Autoencoders (VAE)"


# --- the KL term, derived -------------------------------------------------------------

def normal_density(x, mean, std):
    """N(x; mean, std²)."""
    return sp.exp(-(x - mean) ** 2 / (2 * std ** 2)) / (std * sp.sqrt(2 * sp.pi))


@lru_cache(maxsize=None)
def kl_closed_form() -> tuple[sp.Symbol, sp.Symbol, sp.Expr]:
    """(μ, σ, KL(N(μ, σ²) ‖ N(0, 1))) = ∫ N(x; μ, σ²) log[N(x; μ, σ²) / N(x; 0, 1)] dx,
    integrated by SymPy (σ > 0)."""
    x, mu = sp.symbols("x mu", real=True)
    sigma = sp.Symbol("sigma", positive=True)
    p, q = normal_density(x, mu, sigma), normal_density(x, 0, 1)
    log_ratio = sp.expand(sp.expand_log(sp.log(p) - sp.log(q), force=True))
    kl = sp.integrate(sp.expand(p * log_ratio), (x, -sp.oo, sp.oo))
    return mu, sigma, sp.simplify(kl)


def kl_term(mu, sigma):
    """KL(N(μ, σ²) ‖ N(0, 1)) of one latent dimension, as SymPy derived it
    (= μ²/2 + σ²/2 - log σ - 1/2)."""
    m, s, kl = kl_closed_form()
    return kl.subs({m: mu, s: sigma}, simultaneous=True)


def kl_textbook(mu, sigma):
    """The form papers print: -½ (1 + log σ² - μ² - σ²)."""
    return -(1 + sp.log(sigma ** 2) - mu ** 2 - sigma ** 2) / 2


# KL of N(μ, σ²) from N(0, 1) is ½σ² - ½ - log σ + ½μ²: at its minimum (μ = 0, σ = 1) the
# terms ½σ² and ½ of each latent dimension cancel. Every library computes it this way
# (torch.distributions: 0.5·(σ² + μ² - 1 - log σ²)), so the error is judged against an
# absolute floor of u·1, the size of the terms that cancel.
KL_ERROR = ErrorModel.mixed(1.0)


# --- domains -------------------------------------------------------------------------

def _bound(dtype) -> float:
    """|μ|, σ ≤ B with the squares of up to 64 latent dimensions summing to a finite KL."""
    return d.square_safe_bound(dtype)


def mu_edges(dtype) -> list:
    b = _bound(dtype)
    return [e for e in d.representable(dtype, [0.0, -0.0, 1.0, -1.0, 0.5, 1e-3, -2.0, b, -b,
                                               float(finfo(dtype).smallest_subnormal)])
            if abs(float(e)) <= b]


def sigma_edges(dtype, zero=False) -> list:
    b = _bound(dtype)
    fi = finfo(dtype)
    return [e for e in d.representable(dtype, [1.0, 0.5, 2.0, 1e-3, 1e-8, float(fi.tiny),
                                               float(fi.smallest_subnormal), b, 1 + float(fi.eps)])
            if 0 < float(e) <= b] + ([np.asarray(0.0, dtype)[()]] if zero else [])


def _mu(dtype, edges_only=False):
    b = _bound(dtype)
    edges = mu_edges(dtype)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-b, hi=b, edges=edges)


def _sigma(dtype, edges_only=False, zero=False):
    """σ > 0 (σ = 0 too, where the formula allows it), edges from subnormal to B."""
    b = _bound(dtype)
    fi = finfo(dtype)
    edges = sigma_edges(dtype, zero)
    lo = 0.0 if zero else float(fi.smallest_subnormal)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=lo, hi=b, edges=edges)


LATENT = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=5)


@st.composite
def gaussians(draw, dtype, edges_only=False):
    """μ, σ of one shape (batch, latent) or (latent,); σ > 0."""
    shape = draw(LATENT)
    return {"mu": draw(hnp.arrays(dtype, shape, elements=_mu(dtype, edges_only))),
            "sigma": draw(hnp.arrays(dtype, shape, elements=_sigma(dtype, edges_only)))}


NOISE_EDGES = [0.0, -0.0, 1.0, -1.0, 2.0, -3.0, 8.0, -8.0, 1e-3, 5e-324]


def noise_elements(dtype, edges_only=False):
    """Values of a standard normal draw: |ε| ≤ 8 (beyond is probability 1e-15), edges in."""
    edges = d.representable(dtype, NOISE_EDGES)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-8.0, hi=8.0, edges=edges)


@st.composite
def reparameterizations(draw, dtype, edges_only=False):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6))
    return {"mu": draw(hnp.arrays(dtype, shape, elements=_mu(dtype, edges_only))),
            "sigma": draw(hnp.arrays(dtype, shape, elements=_sigma(dtype, edges_only, zero=True))),
            "eps": draw(hnp.arrays(dtype, shape, elements=noise_elements(dtype, edges_only)))}


# Few small shapes: each costs one compilation of the Structured loss.
LOSS_SHAPES = ((1, 1), (2, 3), (3, 2), (1, 4), (4, 1))


def log_likelihood_edges(dtype) -> list:
    return d.representable(dtype, [0.0, -0.0, -1.0, 1.0, -700.0, -1e4, 3.5, -0.5])


@st.composite
def vae_losses(draw, dtype, edges_only=False):
    """log p(x|z) per sample (batch,), μ, σ (batch, latent). A log-likelihood is ≤ 0 for a
    discrete decoder, of either sign for a density; |log p| stays within max/4."""
    batch, latent = draw(st.sampled_from(LOSS_SHAPES))
    big = float(finfo(dtype).max) / 4
    lp_edges = log_likelihood_edges(dtype)
    lp = st.sampled_from(lp_edges) if edges_only else d.elements(dtype, lo=-big, hi=big, edges=lp_edges)
    return {"log_px_given_z": draw(hnp.arrays(dtype, (batch,), elements=lp)),
            "mu": draw(hnp.arrays(dtype, (batch, latent), elements=_mu(dtype, edges_only))),
            "sigma": draw(hnp.arrays(dtype, (batch, latent), elements=_sigma(dtype, edges_only)))}


def _batch_of_one(name):
    return lambda x: np.ndim(x[name]) == 2 and np.shape(x[name])[0] == 1


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "vae.kl_standard_normal": d.Coverage(
        edges=lambda dt: {"mu": mu_edges(dt), "sigma": sigma_edges(dt)},
        classes={"batch of 1": _batch_of_one("mu"), "one latent dimension": lambda x:
                 np.shape(x["mu"])[-1] == 1, "unbatched (latent,)": lambda x: np.ndim(x["mu"]) == 1}),
    "vae.reparameterize": d.Coverage(
        edges=lambda dt: {"mu": mu_edges(dt), "sigma": sigma_edges(dt, zero=True),
                          "eps": d.representable(dt, NOISE_EDGES)}),
    "vae.loss": d.Coverage(
        edges=lambda dt: {"log_px_given_z": log_likelihood_edges(dt), "mu": mu_edges(dt),
                          "sigma": sigma_edges(dt)},
        classes={"batch of 1": _batch_of_one("mu"), "one latent dimension": lambda x:
                 np.shape(x["mu"])[-1] == 1, "multi-unit latent": lambda x: np.shape(x["mu"])[-1] >= 2}),
}


def probe_gaussians(dtype):
    return {"mu": np.array([[0.0, 1.0], [-0.5, 2.0]], dtype),
            "sigma": np.array([[1.0, 0.5], [2.0, 0.25]], dtype)}


def probe_reparameterize(dtype):
    return {**probe_gaussians(dtype), "eps": np.array([[0.5, -1.0], [1.5, 0.0]], dtype)}


def probe_loss(dtype):
    return {"log_px_given_z": np.array([-3.0, -0.5], dtype), **probe_gaussians(dtype)}


# --- the oracles ---------------------------------------------------------------------

def negative_elbo(log_px_given_z, mu, sigma):
    """KL(q(z|x) ‖ N(0, I)) - log p(x|z) per sample: the KL summed over the latent axis."""
    kl = elementwise(kl_term)(mu, sigma).sum(axis=-1)
    return kl - log_px_given_z


kl_standard_normal = Reduction(
    id="vae.kl_standard_normal", signature="kl_standard_normal(mu, sigma)",
    formula="KL(N(μ,σ²) ‖ N(0,1)), summed over latent dims", seed=SEED, arrays=("mu", "sigma"),
    term=kl_term, textbook=kl_textbook, reduce="sum_last", error=KL_ERROR, domain=gaussians,
    edges=lambda dt: gaussians(dt, edges_only=True), probe=probe_gaussians,
    note="derived by SymPy from the two densities (μ²/2 + σ²/2 - log σ - 1/2 per dimension); "
         "mixed error, floor u·1: ½σ² and ½ cancel at the minimum",
)

reparameterize = PerElement(
    id="vae.reparameterize", signature="reparameterize(mu, sigma, eps)", formula="z = μ + σ ε",
    seed=SEED, arrays=("mu", "sigma", "eps"), term=lambda mu, sigma, eps: mu + sigma * eps,
    domain=reparameterizations, edges=lambda dt: reparameterizations(dt, edges_only=True),
    probe=probe_reparameterize, wrt=("mu", "sigma"),
    note="σ is the standard deviation (not log σ², not σ²); ε is passed in",
)

loss = Structured(
    id="vae.loss", signature="loss(log_px_given_z, mu, sigma)",
    formula="-(E[log p(x|z)] - KL), per sample", seed=SEED,
    arrays=("log_px_given_z", "mu", "sigma"), build=negative_elbo, error=KL_ERROR,
    domain=vae_losses, edges=lambda dt: vae_losses(dt, edges_only=True), probe=probe_loss,
    note="the seed calls E[log p(x|z)] - KL the loss; that is the ELBO, which is maximised: "
         "the loss is its negative, KL - E[log p(x|z)]",
)

POSITION = 6  # the section's place in the catalogue (oracles.sections)
ORACLES = (kl_standard_normal, reparameterize, loss)
