"""KL divergence of discrete distributions along the last axis.

Seed: "Dimensionality Reduction › t-SNE" (KL(P‖Q) = Σ p log(p/q)). 0·log(0/q) = 0; q = 0
where p > 0 makes KL infinite and is outside the domain.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from . import domains as d
from .shapes import Reduction

SEED = "Dimensionality Reduction › t-SNE (KL divergence)"


@st.composite
def distribution_pairs(draw, dtype, edges_only=False):
    """p, q along the last axis, with zeros and tiny entries; q = 0 only where p = 0. A batch
    of 1 and a single outcome (p = q = [1], KL = 0) among the shapes."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6))
    q = draw(d.distributions(dtype, shape))
    same = draw(st.booleans()) if not edges_only else False
    p = q.copy() if same else draw(d.distributions(dtype, shape, support=q > 0))
    return {"p": p, "q": q}


COVERAGE = {  # what the domain above promises to draw (tests/test_coverage.py)
    "divergence.kl": d.Coverage(
        classes={"p = q": lambda x: bool(np.array_equal(x["p"], x["q"])),
                 "p = 0 where q > 0": lambda x: bool(((x["p"] == 0) & (x["q"] > 0)).any()),
                 "a batch of 1": lambda x: x["p"].ndim == 2 and x["p"].shape[0] == 1,
                 "a single outcome": lambda x: x["p"].shape[-1] == 1,
                 "unbatched": lambda x: x["p"].ndim == 1}),
}


def probe(dtype):
    return {"p": np.array([0.5, 0.25, 0.25], dtype), "q": np.array([0.25, 0.25, 0.5], dtype)}


def kl_term(p, q):
    """p·log(p/q), and 0 where p = 0."""
    return sp.Piecewise((0, sp.Eq(p, 0)), (p * sp.log(p / q), True))


kl = Reduction(
    id="divergence.kl", signature="kl(p, q)", formula="Σ p log(p/q)", seed=SEED,
    arrays=("p", "q"), term=kl_term, reduce="sum_last", domain=distribution_pairs,
    edges=lambda dt: distribution_pairs(dt, edges_only=True), probe=probe, wrt=("p", "q"),
)

POSITION = 14  # the section's place in the catalogue (oracles.sections)
ORACLES = (kl,)
