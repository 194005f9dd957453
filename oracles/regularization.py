"""Regularization: dropout, batch and layer normalization, weight decay.

Seed: "Regularization in Neural Networks". The seed gives no formula for layer
normalization; the oracle follows Ba, Kiros & Hinton (2016): the batch-norm formula with
the mean and the biased variance taken across the features of each sample (the last
axis). Batch normalization is in training mode: the statistics of the batch itself, with
the biased variance (1/n), as the seed's step 2 and every framework's training mode.

``dropout_sample`` draws its own mask, so its value is known only at p = 0 (the identity)
and p = 1 (zeros, never NaN); those are what its agreement check compares. Everything in
between is statistical (properties/regularization.py, at α = 1e-6).
"""
from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.formats import finfo
from mathoracle.core.model import Exact, Oracle, Param, digits

from . import domains as d
from .structured import Structured, elementwise

SEED = "Regularization in Neural Networks"


# --- formulas ---------------------------------------------------------------------------

def dropout_expr(a, p, mask):
    """Inverted dropout: a' = a ⊙ mask / (1 - p)."""
    return a * mask / (1 - p)


def _normalize(x, gamma, beta, eps, axis):
    """γ (x - μ)/√(σ² + ε) + β, μ and the biased σ² taken along ``axis``."""
    n = x.shape[axis]
    mu = x.sum(axis=axis, keepdims=True) / n
    var = ((x - mu) ** 2).sum(axis=axis, keepdims=True) / n
    return gamma * (x - mu) / elementwise(sp.sqrt)(var + eps) + beta


def batch_norm_expr(x, gamma, beta, eps):
    """Per feature, over the batch (axis 0)."""
    return _normalize(x, gamma, beta, eps, axis=0)


def layer_norm_expr(x, gamma, beta, eps):
    """Per sample, over the features (the last axis)."""
    return _normalize(x, gamma, beta, eps, axis=-1)


def l2_penalty_expr(weights, lam):
    """(λ/2) Σ_W ‖W‖² (squared Frobenius norms)."""
    return np.array(lam / 2 * sp.Add(*(w ** 2 for W in weights for w in W.reshape(-1))), dtype=object)


def l2_penalty_grad_expr(W, lam):
    """∂/∂W of (λ/2)‖W‖², by sympy.diff: λW."""
    f = l2_penalty_expr([W], lam)[()]
    return np.vectorize(lambda w: sp.diff(f, w), otypes=[object])(W)


def sgd_weight_decay_step_expr(W, grad, lr, lam):
    """One SGD step on L + (λ/2)‖W‖²: W - lr (∇L + λW)."""
    return W - lr * (grad + lam * W)


@dataclass(eq=False)
class DropoutCorners(Oracle):
    """dropout_sample where its value is determined: the identity at p = 0 (or when not
    training), zeros at p = 1. A NaN in ``a`` stays NaN in the identity; at p = 1 the output
    does not depend on ``a``, so NaN and 0 both pass."""

    def _identity(self, inputs) -> bool:
        full = {**self.defaults(), **inputs}
        return float(full["p"]) == 0 or not full["training"]

    def exact(self, inputs):
        a = np.asarray(inputs["a"])
        keep = self._identity(inputs)
        value = np.empty(a.shape, dtype=object)
        sens = np.empty(a.shape, dtype=object)
        with mpmath.workdps(digits()):
            for idx, x in np.ndenumerate(a):
                xm = mpmath.mpf(float(x))
                value[idx] = xm if keep else mpmath.mpf(0)
                sens[idx] = abs(xm) if keep else mpmath.mpf(0)
        return Exact(value, sens, 1)

    def output_shape(self, inputs):
        return np.shape(inputs["a"])

    def nan_reach(self, inputs, arg, index):
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        if arg == "a":
            mask[index] = True
        return mask

    def pointwise(self, inputs, arg, index):
        """a' = a (identity) or 0 (p = 1: every unit dropped, constant in a)."""
        if arg != "a":
            return []
        a = sp.Symbol("a", real=True)
        k = int(np.ravel_multi_index(tuple(index), self.output_shape(inputs))) if index else 0
        return [(k, a if self._identity(inputs) else sp.Integer(0), a, {})]


# --- domains ----------------------------------------------------------------------------

SMALL_SHAPES = [(4,), (2, 3), (1, 1), (3, 2)]


def _array(draw, dtype, shape, elems):
    return draw(d.arrays(dtype, elems, shape=st.just(shape)))


def bounded_edges(dtype, bound) -> list:
    """The real-line edges within ±bound, and ±bound."""
    edges = [e for e in d.real_edges(dtype) if abs(float(e)) <= bound]
    return edges + d.representable(dtype, [bound, -bound])


def bounded(dtype, bound, edges_only=False):
    edges = bounded_edges(dtype, bound)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, lo=-bound, hi=bound, edges=edges)


RATES = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9]


@st.composite
def dropout_inputs(draw, dtype, edges_only=False):
    """a (|a| ≤ max/16, so that a/(1 - p) is finite for p ≤ 0.9), p in [0, 0.9], a 0/1 mask."""
    shape = draw(st.sampled_from(SMALL_SHAPES))
    p = draw(st.sampled_from(RATES) if edges_only else st.one_of(
        st.sampled_from(RATES), st.floats(0.0, 0.9)))
    return {"a": _array(draw, dtype, shape, bounded(dtype, float(finfo(dtype).max) / 16, edges_only)),
            "p": p, "mask": _array(draw, dtype, shape, st.sampled_from([0.0, 1.0]))}


@st.composite
def dropout_corners(draw, dtype, edges_only=False):
    """p = 0 or p = 1, where dropout_sample's output is determined."""
    shape = draw(st.sampled_from(SMALL_SHAPES))
    return {"a": _array(draw, dtype, shape, bounded(dtype, float(finfo(dtype).max), edges_only)),
            "p": draw(st.sampled_from([0.0, 1.0])), "seed": draw(st.integers(0, 2 ** 31 - 1))}


NORM_SHAPES = [(1, 1), (2, 2), (3, 2), (2, 3), (2, 1), (1, 3)]
EPS = [1e-5, 1e-3, 0.1, 1.0]


def offset_spread(draw, dtype, shape):
    """c + s: one offset c = ±2^k·m (m in [1, 2), k from p/2 to p - 4 for p the dtype's
    precision, below the square-safe bound) and a small spread s in [-2, 2] (non-round
    floats, a ramp so that no row or column is constant): a mean μ with μ/σ from about 2^(p/2) to 2^p, where E[x²] - μ² loses most of
    σ²'s digits (the issue's [[1e8, 1e8 + 1]])."""
    p = int(finfo(dtype).nmant) + 1
    top = int(np.log2(d.square_safe_bound(dtype, 8))) - 1
    k = draw(st.integers(min(p // 2, top), max(min(p - 4, top), min(p // 2, top))))
    c = draw(st.sampled_from([1.0, -1.0])) * 2.0 ** k * draw(st.floats(1.0, 2.0, exclude_max=True))
    s = draw(hnp.arrays(np.float64, shape, elements=st.floats(-1.0, 1.0)))
    ramp = (np.arange(s.size) - (s.size - 1) / 2).reshape(shape) / max(s.size - 1, 1)
    s = s + draw(st.floats(0.25, 1.0)) * np.pi / 4 * ramp  # every row and column spread
    return (c + s).astype(dtype)


def scale_edges(dtype) -> list:
    """γ's edges: those within ±2 that are 0 or normal (the subnormal ones the domain rejects)."""
    tiny = float(finfo(dtype).tiny)
    return [e for e in bounded_edges(dtype, 2.0) if e == 0 or abs(float(e)) >= tiny]


@st.composite
def norm_inputs(draw, dtype, edges_only=False, axis=0):
    """x (batch, features) with n·(2|x|)² finite, a third of them a large offset with a small
    spread (``offset_spread``); γ, β in [-2, 2]; ε in [1e-6, 1]."""
    shape = draw(st.sampled_from(NORM_SHAPES))
    if not edges_only and draw(st.integers(0, 2)) == 0:
        x = offset_spread(draw, dtype, shape)
    else:
        x = _array(draw, dtype, shape, bounded(dtype, d.square_safe_bound(dtype, 8), edges_only))
    f = (shape[1],)
    g = st.sampled_from(scale_edges(dtype)) if edges_only else d.elements(
        dtype, lo=-2.0, hi=2.0, edges=scale_edges(dtype))
    eps = draw(st.sampled_from(EPS) if edges_only else st.one_of(st.sampled_from(EPS),
                                                                  st.floats(1e-6, 1.0)))
    gamma = _array(draw, dtype, f, g)
    # The scale γ/√(σ² + ε) is 0 or a normal number: an implementation that forms it first
    # (as torch and NumPy's x·scale + shift do) may not flush it to 0 and then multiply the
    # flush by |x - μ| ≤ 2·max|x| (only the final result's underflow is in the error model).
    top = 2 * np.abs(x.astype(np.float64)).max(initial=0.0)
    gam = np.abs(gamma.astype(np.float64))
    assume(not np.any((gam > 0) & (gam < float(finfo(dtype).tiny) * np.sqrt(top * top + eps))))
    return {"x": x, "gamma": gamma, "beta": _array(draw, dtype, f, bounded(dtype, 2.0, edges_only)),
            "eps": eps}


LAM_EDGES = (0.0, 1e-4, 0.01, 0.5, 1.0)


def lams(dtype, edges_only=False):
    """λ (or lr) in [0, 1]: 0 or at least the dtype's smallest normal (``domains.fraction``)."""
    edges = list(LAM_EDGES)
    return st.sampled_from(edges) if edges_only else d.fraction(dtype, edges)


@st.composite
def l2_inputs(draw, dtype, edges_only=False):
    """One to three weight arrays (Σ of squares finite), λ in [0, 1]."""
    shapes = draw(st.lists(st.sampled_from([(2,), (2, 2), (1, 3)]), min_size=1, max_size=3))
    elems = bounded(dtype, d.square_safe_bound(dtype, 16), edges_only)
    return {"weights": [_array(draw, dtype, s, elems) for s in shapes], "lam": draw(lams(dtype, edges_only))}


@st.composite
def l2_grad_inputs(draw, dtype, edges_only=False):
    shape = draw(st.sampled_from([(2,), (2, 2), (1, 3)]))
    return {"W": _array(draw, dtype, shape, bounded(dtype, float(finfo(dtype).max), edges_only)),
            "lam": draw(lams(dtype, edges_only))}


@st.composite
def sgd_inputs(draw, dtype, edges_only=False):
    """W, grad with |values| ≤ max/8 (the step stays finite), lr and λ in [0, 1]."""
    shape = draw(st.sampled_from(SMALL_SHAPES))
    elems = bounded(dtype, float(finfo(dtype).max) / 8, edges_only)
    lr = draw(lams(dtype, edges_only))
    return {"W": _array(draw, dtype, shape, elems), "grad": _array(draw, dtype, shape, elems),
            "lr": lr, "lam": draw(lams(dtype, edges_only))}


def _edges(domain):
    return lambda dt: domain(dt, edges_only=True)


def _large_offset(x) -> bool:
    """Every entry of x far from 0 (|x| ≥ 2^(p/2), p the precision) with a spread ≤ 4: the
    rows of ``offset_spread``, where E[x²] - μ² cancels."""
    a = np.asarray(x["x"], np.float64)
    p = int(finfo(x["x"].dtype).nmant) + 1
    return a.size > 1 and float(np.abs(a).min()) >= 2.0 ** (p // 2) and float(np.ptp(a)) <= 4


def _norm_coverage():
    return d.Coverage(
        edges=lambda dt: {"x": bounded_edges(dt, d.square_safe_bound(dt, 8)),
                          "gamma": scale_edges(dt), "beta": bounded_edges(dt, 2.0),
                          "eps": list(EPS)},
        classes={"batch of 1": lambda x: x["x"].shape[0] == 1,
                 "one feature": lambda x: x["x"].shape[1] == 1,
                 "a large offset, a small spread": _large_offset})


def _scalar_edges(dt, name, bound):
    return {name: bounded_edges(dt, bound)}


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "regularization.dropout": d.Coverage(
        edges=lambda dt: {**_scalar_edges(dt, "a", float(finfo(dt).max) / 16), "p": RATES,
                          "mask": [0.0, 1.0]}),
    "regularization.dropout_sample": d.Coverage(
        edges=lambda dt: {**_scalar_edges(dt, "a", float(finfo(dt).max)), "p": [0.0, 1.0]}),
    "regularization.batch_norm": _norm_coverage(),
    "regularization.layer_norm": _norm_coverage(),
    "regularization.l2_penalty": d.Coverage(
        edges=lambda dt: {**_scalar_edges(dt, "weights", d.square_safe_bound(dt, 16)),
                          "lam": list(LAM_EDGES)},
        classes={"several weight arrays": lambda x: len(x["weights"]) >= 2}),
    "regularization.l2_penalty_grad": d.Coverage(
        edges=lambda dt: {**_scalar_edges(dt, "W", float(finfo(dt).max)), "lam": list(LAM_EDGES)}),
    "regularization.sgd_weight_decay_step": d.Coverage(
        edges=lambda dt: {**_scalar_edges(dt, "W", float(finfo(dt).max) / 8),
                          **_scalar_edges(dt, "grad", float(finfo(dt).max) / 8),
                          "lr": list(LAM_EDGES), "lam": list(LAM_EDGES)}),
}


def probe_norm(dtype):
    return {"x": np.array([[1.0, -2.0], [3.0, 0.5], [0.0, 1.0]], dtype),
            "gamma": np.array([1.0, 0.5], dtype), "beta": np.array([0.0, -1.0], dtype), "eps": 1e-5}


_eps = (Param("eps", 1e-5),)

dropout = Structured(
    id="regularization.dropout", signature="dropout(a, p, mask)", formula="a' = a ⊙ mask / (1-p)",
    seed=SEED, arrays=("a", "p", "mask"), build=dropout_expr, domain=dropout_inputs,
    edges=_edges(dropout_inputs),
    probe=lambda dt: {"a": np.array([1.0, -2.0, 0.5], dt), "p": 0.5, "mask": np.array([1.0, 0.0, 1.0], dt)},
    selectors=("mask",), note="mask: 0/1 in a's dtype, 1 keeps; p in [0, 1)",
)

dropout_sample = DropoutCorners(
    id="regularization.dropout_sample", signature="dropout_sample(a, p, seed, training=True)",
    formula="inverted dropout with the implementation's own mask", seed=SEED,
    arrays=("a", "p", "seed"), params=(Param("training", True, numeric=False),),
    domain=dropout_corners, edges=_edges(dropout_corners),
    probe=lambda dt: {"a": np.array([1.0, -2.0, 0.5], dt), "p": 0.0, "seed": 0},
    note="agreement: p = 0 is the identity, p = 1 gives zeros (no NaN); 0 < p < 1 is checked "
         "statistically at α = 1e-6; training=False (eval mode) is the identity",
)

batch_norm = Structured(
    id="regularization.batch_norm", signature="batch_norm(x, gamma, beta, eps=1e-5)",
    formula="γ (x - μ_B)/√(σ²_B + ε) + β, biased σ²_B over the batch", seed=SEED,
    arrays=("x", "gamma", "beta"), params=_eps, build=batch_norm_expr, domain=norm_inputs,
    edges=_edges(norm_inputs), probe=probe_norm,
    note="training mode: the batch's own mean and biased (1/n) variance, per feature",
)

layer_norm = Structured(
    id="regularization.layer_norm", signature="layer_norm(x, gamma, beta, eps=1e-5)",
    formula="γ (x - μ)/√(σ² + ε) + β over the last axis", seed=SEED,
    arrays=("x", "gamma", "beta"), params=_eps, build=layer_norm_expr, domain=norm_inputs,
    edges=_edges(norm_inputs), probe=probe_norm,
    note="no formula in the seed: Ba, Kiros & Hinton (2016), per sample over the features, "
         "biased variance",
)

l2_penalty = Structured(
    id="regularization.l2_penalty", signature="l2_penalty(weights, lam)", formula="(λ/2) Σ ‖W‖²",
    seed=SEED, arrays=("weights", "lam"), build=l2_penalty_expr, domain=l2_inputs,
    edges=_edges(l2_inputs),
    probe=lambda dt: {"weights": [np.array([1.0, -2.0], dt), np.array([[0.5]], dt)], "lam": 0.1},
)

l2_penalty_grad = Structured(
    id="regularization.l2_penalty_grad", signature="l2_penalty_grad(W, lam)",
    formula="∂/∂W (λ/2)‖W‖² = λW", seed=SEED, arrays=("W", "lam"), build=l2_penalty_grad_expr,
    domain=l2_grad_inputs, edges=_edges(l2_grad_inputs),
    probe=lambda dt: {"W": np.array([1.0, -2.0], dt), "lam": 0.1},
    note="added to the catalogue: the gradient of l2_penalty by one weight array, by sympy.diff",
)

sgd_weight_decay_step = Structured(
    id="regularization.sgd_weight_decay_step", signature="sgd_weight_decay_step(W, grad, lr, lam)",
    formula="W - lr (∇L + λW)", seed=SEED, arrays=("W", "grad", "lr", "lam"),
    build=sgd_weight_decay_step_expr, domain=sgd_inputs, edges=_edges(sgd_inputs),
    probe=lambda dt: {"W": np.array([1.0, -2.0], dt), "grad": np.array([0.5, 0.25], dt),
                      "lr": 0.1, "lam": 0.01},
    note="coupled L2 (torch.optim.SGD's weight_decay); AdamW's decoupled decay is another rule",
)

POSITION = 4  # the section's place in the catalogue (oracles.sections)
ORACLES = (dropout, dropout_sample, batch_norm, layer_norm, l2_penalty, l2_penalty_grad,
           sgd_weight_decay_step)
