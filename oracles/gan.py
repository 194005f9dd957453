"""Generative adversarial networks: the value function, the generator's losses, D*.

Seed: "Generative Models › GANs". V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))], the
expectations taken as means over the discriminator's outputs on real and on generated
samples; log(1 - D) is evaluated as log1p(-D). The generator minimises E[log(1 - D(G(z)))]
(saturating) or, as the seed's "maximise log D(G(z))", -E[log D(G(z))] (non-saturating).
For fixed G the discriminator that maximises V is D* = p_data / (p_data + p_g)
(tests/test_gan.py: SymPy's derivative; properties/gan.py: on random densities).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sympy.codegen.cfunctions import log1p

from mathoracle.core.formats import finfo
from mathoracle.core.model import Param

from . import domains as d
from .shapes import PerElement
from .structured import Structured, elementwise

SEED = "Generative Models › GANs (Generative Adversarial Networks)"

# Few small shapes: each pair costs one compilation of a Structured formula.
BATCHES = ((1,), (2,), (3,), (5,), (2, 2))


def probability_edges(dtype, keep_zero, keep_one) -> list:
    return [e for e in d.prob_edges(dtype) if (keep_zero or e > 0) and (keep_one or e < 1)]


def _probabilities(dtype, edges_only, keep_zero, keep_one):
    """Discriminator outputs in [0, 1], without the end whose log is -∞."""
    edges = probability_edges(dtype, keep_zero, keep_one)
    if edges_only:
        return st.sampled_from(edges)
    fi = finfo(dtype)
    lo = 0.0 if keep_zero else float(fi.smallest_subnormal)
    hi = 1.0 if keep_one else float(1 - fi.epsneg)
    return d.elements(dtype, lo=lo, hi=hi, edges=edges)


@st.composite
def discriminator_outputs(draw, dtype, edges_only=False):
    """D(x) on a batch of real samples, in (0, 1]; D(G(z)) on a batch of fakes, in [0, 1)."""
    real = draw(hnp.arrays(dtype, draw(st.sampled_from(BATCHES)),
                           elements=_probabilities(dtype, edges_only, False, True)))
    fake = draw(hnp.arrays(dtype, draw(st.sampled_from(BATCHES)),
                           elements=_probabilities(dtype, edges_only, True, False)))
    return {"d_real": real, "d_fake": fake}


@st.composite
def generator_outputs(draw, dtype, edges_only=False):
    """D(G(z)) in (0, 1] for the non-saturating loss (-log D), in [0, 1) for the saturating."""
    ns = draw(st.booleans())
    fake = draw(hnp.arrays(dtype, draw(st.sampled_from(BATCHES)),
                           elements=_probabilities(dtype, edges_only, not ns, ns)))
    return {"d_fake": fake, "non_saturating": ns}


def density_edges(dtype) -> list:
    fi = finfo(dtype)
    half = float(fi.max) / 2
    edges = d.representable(dtype, [0.0, 1.0, 0.5, 2.0, float(fi.smallest_subnormal),
                                    float(fi.tiny), 1e-30, 1e4, half, 3.0])
    return [e for e in edges if float(e) <= half]


@st.composite
def density_pairs(draw, dtype, edges_only=False):
    """p_data, p_g ≥ 0 at the same points, p_data + p_g > 0, each ≤ max/2 (so that the sum
    is finite). Densities, not probabilities: values above 1 are valid."""
    half = float(finfo(dtype).max) / 2
    edges = density_edges(dtype)
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=0.0, hi=half, edges=edges)
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6))
    p = draw(hnp.arrays(dtype, shape, elements=elems))
    q = draw(hnp.arrays(dtype, shape, elements=elems))
    if draw(st.booleans()):
        q = p.copy()
    both_zero = (p == 0) & (q == 0)
    p = np.where(both_zero, np.asarray(1.0, dtype), p).astype(dtype)
    return {"p_data": p, "p_g": q}


def _batch_of_one(name):
    return lambda x: np.size(x[name]) == 1


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "gan.value": d.Coverage(
        edges=lambda dt: {"d_real": probability_edges(dt, False, True),
                          "d_fake": probability_edges(dt, True, False)},
        classes={"batch of 1": _batch_of_one("d_real"),
                 "batches of different sizes": lambda x: x["d_real"].shape != x["d_fake"].shape}),
    "gan.generator_loss": d.Coverage(
        edges=lambda dt: {"d_fake": probability_edges(dt, True, True),
                          "non_saturating": [False, True]},
        classes={"batch of 1": _batch_of_one("d_fake")}),
    "gan.optimal_discriminator": d.Coverage(
        edges=lambda dt: {"p_data": density_edges(dt), "p_g": density_edges(dt)},
        classes={"p_data = p_g": lambda x: bool(np.array_equal(x["p_data"], x["p_g"])),
                 "p_g = 0 somewhere": lambda x: bool((x["p_g"] == 0).any())}),
}


def probe_value(dtype):
    return {"d_real": np.array([0.9, 0.6], dtype), "d_fake": np.array([0.2, 0.4, 0.1], dtype)}


def probe_generator(dtype):
    return {"d_fake": np.array([0.2, 0.4, 0.1], dtype), "non_saturating": True}


def probe_densities(dtype):
    return {"p_data": np.array([0.5, 1.0, 0.0, 2.0], dtype), "p_g": np.array([0.5, 3.0, 1.0, 0.0], dtype)}


# --- formulas ------------------------------------------------------------------------

def mean(a):
    """The mean of an object array of expressions."""
    return a.sum() / a.size


def value_of_game(d_real, d_fake):
    """V(D, G) = mean log D(x) + mean log(1 - D(G(z)))."""
    return np.array(mean(elementwise(sp.log)(d_real)) + mean(elementwise(lambda v: log1p(-v))(d_fake)))


def generator_objective(d_fake, non_saturating=True):
    """-mean log D(G(z)) (non-saturating), or mean log(1 - D(G(z))) (saturating, the minimax
    game's own term)."""
    if non_saturating:
        return np.array(-mean(elementwise(sp.log)(d_fake)))
    return np.array(mean(elementwise(lambda v: log1p(-v))(d_fake)))


def discriminator_optimum(p_data, p_g):
    """D*(x) = p_data(x) / (p_data(x) + p_g(x))."""
    return p_data / (p_data + p_g)


def pointwise_value(D, p_data, p_g):
    """p_data log D + p_g log(1 - D): the integrand of V at one point x."""
    return p_data * sp.log(D) + p_g * sp.log(1 - D)


value = Structured(
    id="gan.value", signature="value(d_real, d_fake)",
    formula="E[log D(x)] + E[log(1-D(G(z)))]", seed=SEED, arrays=("d_real", "d_fake"),
    build=value_of_game, domain=discriminator_outputs,
    edges=lambda dt: discriminator_outputs(dt, edges_only=True), probe=probe_value,
    note="expectations are means over each batch; log(1 - D) is log1p(-D)",
)

generator_loss = Structured(
    id="gan.generator_loss", signature="generator_loss(d_fake, non_saturating=True)",
    formula="-E[log D(G(z))], or E[log(1-D(G(z)))]", seed=SEED, arrays=("d_fake",),
    params=(Param("non_saturating", True, numeric=False),), build=generator_objective,
    domain=generator_outputs, edges=lambda dt: generator_outputs(dt, edges_only=True),
    probe=probe_generator,
    note="non_saturating=True: -mean log D(G(z)) (the seed's 'maximise log D(G(z))'); False: "
         "mean log(1 - D(G(z))), the minimax term",
)

optimal_discriminator = PerElement(
    id="gan.optimal_discriminator", signature="optimal_discriminator(p_data, p_g)",
    formula="D* = p_data/(p_data + p_g)", seed=SEED, arrays=("p_data", "p_g"),
    term=discriminator_optimum, domain=density_pairs,
    edges=lambda dt: density_pairs(dt, edges_only=True), probe=probe_densities,
)

POSITION = 7  # the section's place in the catalogue (oracles.sections)
ORACLES = (value, generator_loss, optimal_discriminator)
