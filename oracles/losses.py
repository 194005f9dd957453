"""Loss functions: a per-element term, averaged (the catalogue's mean reduction).

Seed: "Neural Network Math › Loss Functions". Focal loss has no formula in the seed: the
oracle follows Lin et al. (2017, RetinaNet), with α_t = α for y = 1 and 1 - α for y = 0.
Terms are written without cancellation (log1p(-p) for log(1 - p)); the textbook forms are
proved equal in tests/test_identities.py.
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
from .shapes import Reduction

SEED = "Neural Network Math › Loss Functions"


def xlogy(x, y):
    """x·log(y), and 0 where x = 0 (so 0·log 0 = 0)."""
    return sp.Piecewise((0, sp.Eq(x, 0)), (x * sp.log(y), True))


def xlog1py(x, y):
    """x·log(1 + y), and 0 where x = 0."""
    return sp.Piecewise((0, sp.Eq(x, 0)), (x * log1p(y), True))


# --- domains -------------------------------------------------------------------------

SHAPES = hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=8)


def regression_edges(dtype) -> list:
    """0, -0, ±1, ½, ±B, 1e-8, the smallest subnormal, ±1e4: those within the bound B."""
    b = d.square_safe_bound(dtype)
    edges = d.representable(dtype, [0.0, -0.0, 1.0, -1.0, 0.5, b, -b, 1e-8, float(
        finfo(dtype).smallest_subnormal), 1e4, -1e4])
    return [e for e in edges if abs(float(e)) <= b]


@st.composite
def regression(draw, dtype, edges_only=False, **params):
    """y_true, y_pred of one shape, |values| ≤ B with 64·(2B)² finite (see square_safe_bound)."""
    b = d.square_safe_bound(dtype)
    edges = regression_edges(dtype)
    elems = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-b, hi=b, edges=edges)
    shape = draw(SHAPES)
    y = draw(hnp.arrays(dtype, shape, elements=elems))
    tie = draw(st.booleans())
    drawn = {k: draw(v) for k, v in params.items()}
    if tie and "delta" in drawn:  # residuals exactly at ±δ, where Huber changes branch
        with np.errstate(over="ignore"):
            p = (y - np.asarray(drawn["delta"], dtype)).astype(dtype)
        p = np.where(np.isfinite(p) & (np.abs(p) <= b), p, y)
    else:
        p = draw(hnp.arrays(dtype, shape, elements=elems))
    return {"y_true": y, "y_pred": p, **drawn}


DELTA_EDGES = (1.0, 0.5, 2.0, 1e-3)


def deltas():
    return {"delta": d.elements(np.float64, lo=2.0 ** -10, hi=2.0 ** 10, edges=list(DELTA_EDGES))}


@st.composite
def binary(draw, dtype, edges_only=False, **params):
    """y in {0, 1}, p in [0, 1]; p = 1 - y (an infinite loss) is moved off the boundary."""
    shape = draw(SHAPES)
    y = draw(hnp.arrays(dtype, shape, elements=st.sampled_from([0.0, 1.0])))
    pe = d.prob_edges(dtype)
    elems = st.sampled_from(pe) if edges_only else d.elements(dtype, lo=0.0, hi=1.0, edges=pe)
    p = draw(hnp.arrays(dtype, shape, elements=elems))
    fi = finfo(dtype)
    p = np.where((y == 1) & (p == 0), fi.smallest_subnormal, p)
    p = np.where((y == 0) & (p == 1), np.asarray(1 - fi.epsneg, dtype), p).astype(dtype)
    return {"y_true": y, "p": p, **{k: draw(v) for k, v in params.items()}}


FOCAL_ALPHAS = (0.25, 0.5, 0.0, 1.0)
FOCAL_GAMMAS = (2.0, 0.0, 0.5, 1.0, 5.0)


def focal_params(dtype):
    return {"alpha": d.fraction(dtype, edges=list(FOCAL_ALPHAS)),
            "gamma": st.sampled_from(FOCAL_GAMMAS)}


def true_class_edges(dtype) -> list:
    """The tiny probabilities the true class takes in the edge draws."""
    return d.prob_edges(dtype)[3:6]


@st.composite
def categorical(draw, dtype, edges_only=False):
    """One-hot rows y (n, C) and distributions p, C ≥ 1 (C = 1: p = 1, a zero loss); the true
    class may have tiny p, never 0."""
    n = draw(st.integers(1, 6))
    c = draw(st.integers(1, 6))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, c - 1)))
    y = np.eye(c, dtype=dtype)[labels]
    p = draw(d.distributions(dtype, (n, c)))
    if edges_only and c > 1:  # the true class at a tiny probability, the rest on one other class
        tiny = draw(st.sampled_from(true_class_edges(dtype)))
        p = np.where(y == 1, tiny, 0.0)
        p[np.arange(n), (labels + 1) % c] = 1 - float(tiny)
        p = p.astype(dtype)
    zero_true = (y == 1) & (p == 0)
    p = np.where(zero_true, finfo(dtype).smallest_subnormal, p).astype(dtype)
    return {"y_onehot": y, "p": p}


def _batch_of_one(name):
    return lambda x: np.shape(x[name])[0] == 1


def _multi_unit(name):
    """More than one element per sample: (n, m) with m ≥ 2."""
    return lambda x: np.ndim(x[name]) == 2 and np.shape(x[name])[1] >= 2


_REGRESSION = {"batch of 1": _batch_of_one("y_true"), "multi-unit outputs": _multi_unit("y_true")}
_BINARY = {"batch of 1": _batch_of_one("p"), "multi-unit outputs": _multi_unit("p"),
           "both labels": lambda x: set(np.unique(x["y_true"])) == {0.0, 1.0}}
COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "loss.mse": d.Coverage(edges=lambda dt: {"y_true": regression_edges(dt),
                                             "y_pred": regression_edges(dt)}, classes=_REGRESSION),
    "loss.mae": d.Coverage(edges=lambda dt: {"y_true": regression_edges(dt),
                                             "y_pred": regression_edges(dt)}, classes=_REGRESSION),
    "loss.huber": d.Coverage(
        edges=lambda dt: {"y_true": regression_edges(dt), "y_pred": regression_edges(dt),
                          "delta": list(DELTA_EDGES)},
        classes={**_REGRESSION, "a residual at ±δ": lambda x: bool(np.any(np.abs(
            x["y_true"].astype(np.float64) - x["y_pred"]) == x["delta"]))}),
    "loss.binary_cross_entropy": d.Coverage(
        edges=lambda dt: {"y_true": [0.0, 1.0], "p": d.prob_edges(dt)}, classes=_BINARY),
    "loss.focal": d.Coverage(
        edges=lambda dt: {"y_true": [0.0, 1.0], "p": d.prob_edges(dt),
                          "alpha": list(FOCAL_ALPHAS), "gamma": list(FOCAL_GAMMAS)},
        classes=_BINARY),
    "loss.categorical_cross_entropy": d.Coverage(
        edges=lambda dt: {"p": true_class_edges(dt)},
        classes={"batch of 1": _batch_of_one("p"),
                 "a single class (C = 1)": lambda x: x["p"].shape[1] == 1,
                 "several classes": lambda x: x["p"].shape[1] >= 2}),
}


def probe_regression(dtype):
    return {"y_true": np.array([0.5, -1.0, 2.0], dtype), "y_pred": np.array([0.0, -1.5, 4.0], dtype)}


def probe_binary(dtype):
    return {"y_true": np.array([0.0, 1.0, 1.0], dtype), "p": np.array([0.2, 0.7, 0.99], dtype)}


def probe_categorical(dtype):
    return {"y_onehot": np.array([[0, 1, 0], [1, 0, 0]], dtype),
            "p": np.array([[0.25, 0.5, 0.25], [0.75, 0.125, 0.125]], dtype)}


# --- formulas ------------------------------------------------------------------------

def huber_term(y, p, delta):
    """½r² if |r| ≤ δ else δ|r| - ½δ², with r = y - ŷ."""
    r = y - p
    return sp.Piecewise((r ** 2 / 2, sp.Abs(r) <= delta), (delta * sp.Abs(r) - delta ** 2 / 2, True))


def bce_term(y, p):
    """-[y log p + (1-y) log(1-p)], with log1p(-p) for log(1-p)."""
    return -(xlogy(y, p) + xlog1py(1 - y, -p))


def bce_textbook(y, p):
    return -(y * sp.log(p) + (1 - y) * sp.log(1 - p))


def focal_term(y, p, alpha, gamma):
    """-α_t (1-p_t)^γ log p_t, p_t = p if y = 1 else 1-p, α_t = α if y = 1 else 1-α."""
    return sp.Piecewise((0, sp.Eq(y, 1) & sp.Eq(p, 1)),
                        (-alpha * (1 - p) ** gamma * sp.log(p), sp.Eq(y, 1)),
                        (0, sp.Eq(p, 0)),
                        (-(1 - alpha) * p ** gamma * log1p(-p), True))


def focal_textbook(y, p, alpha, gamma):
    """The paper's form: -α_t (1-p_t)^γ log p_t, p_t = y p + (1-y)(1-p), α_t likewise."""
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * sp.log(p_t)


_delta = (Param("delta", 1.0),)
_focal = (Param("alpha", 0.25), Param("gamma", 2.0))

mse = Reduction(
    id="loss.mse", signature="mse(y_true, y_pred)", formula="(1/n) Σ (y - ŷ)²", seed=SEED,
    arrays=("y_true", "y_pred"), term=lambda y, p: (y - p) ** 2, reduce="mean",
    domain=regression, edges=lambda dt: regression(dt, edges_only=True), probe=probe_regression,
    wrt=("y_pred",),
)

mae = Reduction(
    id="loss.mae", signature="mae(y_true, y_pred)", formula="(1/n) Σ |y - ŷ|", seed=SEED,
    arrays=("y_true", "y_pred"), term=lambda y, p: sp.Abs(y - p), reduce="mean",
    domain=regression, edges=lambda dt: regression(dt, edges_only=True), probe=probe_regression,
    wrt=("y_pred",),
)

huber = Reduction(
    id="loss.huber", signature="huber(y_true, y_pred, delta=1.0)",
    formula="½r² if |r| ≤ δ else δ|r| - ½δ²", seed=SEED, arrays=("y_true", "y_pred"),
    params=_delta, term=huber_term, reduce="mean",
    domain=lambda dt: regression(dt, **deltas()),
    edges=lambda dt: regression(dt, edges_only=True, **deltas()),
    probe=lambda dt: {**probe_regression(dt), "delta": 1.0}, wrt=("y_pred",),
)

binary_cross_entropy = Reduction(
    id="loss.binary_cross_entropy", signature="binary_cross_entropy(y_true, p)",
    formula="-[y log p + (1-y) log(1-p)]", seed=SEED, arrays=("y_true", "p"), term=bce_term,
    textbook=bce_textbook, reduce="mean", domain=binary,
    edges=lambda dt: binary(dt, edges_only=True), probe=probe_binary, wrt=("p",),
)

categorical_cross_entropy = Reduction(
    id="loss.categorical_cross_entropy", signature="categorical_cross_entropy(y_onehot, p)",
    formula="-Σ_i y_i log ŷ_i, mean over samples", seed=SEED, arrays=("y_onehot", "p"),
    term=lambda y, p: -xlogy(y, p), textbook=lambda y, p: -y * sp.log(p),
    reduce="mean_of_row_sums", domain=categorical,
    edges=lambda dt: categorical(dt, edges_only=True), probe=probe_categorical, wrt=("p",),
)

focal = Reduction(
    id="loss.focal", signature="focal(y_true, p, alpha=0.25, gamma=2.0)",
    formula="-α_t (1-p_t)^γ log p_t", seed=SEED, arrays=("y_true", "p"), params=_focal,
    term=focal_term, textbook=focal_textbook, reduce="mean",
    domain=lambda dt: binary(dt, **focal_params(dt)),
    edges=lambda dt: binary(dt, edges_only=True, **focal_params(dt)),
    probe=lambda dt: {**probe_binary(dt), "alpha": 0.25, "gamma": 2.0}, wrt=("p",),
    note="no formula in the seed: Lin et al. (2017), α_t = α for y = 1, 1 - α for y = 0",
)

POSITION = 3  # the section's place in the catalogue (oracles.sections)
ORACLES = (mse, mae, huber, binary_cross_entropy, categorical_cross_entropy, focal)
