"""Activation functions and their derivatives.

Seed: "Neural Network Math › Activation Functions". Derivatives are ``sympy.diff`` of the
definitions; tests/test_identities.py proves the seed's identities (σ' = σ(1-σ),
tanh' = 1 - tanh², the piecewise ReLU derivatives, softmax sums to 1).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from . import domains as d
from .base import ErrorModel, Param
from .shapes import Elementwise, Vector

SEED = "Neural Network Math › Activation Functions"


# --- domains -------------------------------------------------------------------------

def real_line(dtype, **params):
    """z anywhere on the finite real line of dtype, edges mixed in."""
    z = d.arrays(dtype, d.elements(dtype, edges=d.real_edges(dtype)))
    return st.fixed_dictionaries({"z": z, **params})


def real_edges(dtype, **params):
    """z made of edge values only."""
    z = d.arrays(dtype, st.sampled_from(d.real_edges(dtype)))
    return st.fixed_dictionaries({"z": z, **params})


def slopes(dtype):
    """α in [0, 1], the range where max(αz, z) is the leaky ReLU."""
    return {"alpha": d.fraction(dtype, edges=[0.0, 0.01, 0.2, 1.0])}


def probe(dtype):
    return {"z": np.array([-2.0, 0.0, 0.5, 3.0], dtype=dtype)}


def probe_alpha(dtype):
    return {**probe(dtype), "alpha": 0.01}


@st.composite
def logits(draw, dtype, edges_only=False):
    """z with an axis to normalise over; logits at ±1e4 among the edges."""
    elems = st.sampled_from(d.real_edges(dtype)) if edges_only else d.elements(
        dtype, edges=d.real_edges(dtype))
    z = draw(d.arrays(dtype, elems, max_dims=3, max_side=5))
    axis = draw(st.integers(-z.ndim, z.ndim - 1))
    return {"z": z, "axis": axis}


def probe_axis(dtype):
    return {"z": np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]], dtype=dtype), "axis": -1}


# --- formulas ------------------------------------------------------------------------

def sigmoid_expr(z):
    """σ(z) = 1/(1 + e^-z)."""
    return 1 / (1 + sp.exp(-z))


def tanh_textbook(z):
    """The seed's tanh: (e^z - e^-z)/(e^z + e^-z)."""
    return (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))


def relu_expr(z):
    """max(0, z), written piecewise so that its derivative is 0 at z = 0 (the seed's rule)."""
    return sp.Piecewise((z, z > 0), (0, True))


def leaky_relu_expr(z, alpha):
    """max(αz, z) for 0 ≤ α ≤ 1."""
    return sp.Piecewise((z, z > 0), (alpha * z, True))


def softmax_exprs(n):
    """softmax(z)_i = e^{z_i} / Σ_j e^{z_j} for a slice of length n."""
    zs = sp.symbols(f"z0:{n}", real=True)
    total = sum(sp.exp(z) for z in zs)
    return zs, [sp.exp(z) / total for z in zs]


def sech_squared(z):
    """tanh'(z) = 1 - tanh²(z) written as 1/cosh²(z), which does not cancel near saturation."""
    return 1 / sp.cosh(z) ** 2


def softmax_backward(zs, ws):
    """Σ_i w_i ∂s_i/∂z_j = s_j Σ_i (w_j - w_i) s_i (Σ s_i = 1), free of the cancellation in
    s_j (w_j - Σ_i w_i s_i). Its floor, s_j Σ_i |w_i| s_i, is the size of the terms that the
    standard backward, s ⊙ (w - ⟨w, s⟩) from the forward's output, sums: rounding s costs
    that much, soundly, wherever the result is far smaller than 1."""
    _, s = softmax_exprs(len(zs))
    vjp = [s[j] * sum((ws[j] - ws[i]) * s[i] for i in range(len(zs))) for j in range(len(zs))]
    floor = [s[j] * sum(sp.Abs(w) * si for w, si in zip(ws, s)) for j in range(len(zs))]
    return vjp, floor


# The gradients of σ and tanh are judged mixed: σ(1-σ) and 1 - tanh² (torch's backward) lose
# the far tail, soundly. (The *_grad ids get the same from their textbook forms' running error.)
SIGMOID_PRIME = ErrorModel.mixed(0.25)  # floor u/4, the maximum of σ'
TANH_PRIME = ErrorModel.mixed(1.0)      # floor u, the maximum of tanh'


def _d(f):
    """The derivative of f(z, *params) in z, by sympy.diff."""
    def derivative(z, *params):
        return sp.diff(f(z, *params), z)
    derivative.__doc__ = f"d/dz of {f.__name__}"
    return derivative


sigmoid = Elementwise(
    id="activation.sigmoid", signature="sigmoid(z)", formula="σ(z) = 1/(1+e^-z)", seed=SEED,
    arrays=("z",), expr=sigmoid_expr, domain=real_line, edges=real_edges, probe=probe,
    wrt=("z",), grad_error=SIGMOID_PRIME,
)

def sigmoid_prime_textbook(z):
    """The seed's σ'(z) = σ(z)(1 - σ(z))."""
    return sigmoid_expr(z) * (1 - sigmoid_expr(z))


sigmoid_grad = Elementwise(
    id="activation.sigmoid_grad", signature="sigmoid_grad(z)", formula="σ'(z) = σ(z)(1-σ(z))",
    seed=SEED, arrays=("z",), expr=_d(sigmoid_expr), textbook=sigmoid_prime_textbook,
    domain=real_line, edges=real_edges, probe=probe,
    note="σ(1-σ), the textbook form, loses the far tail soundly: its running error allows it",
)

tanh = Elementwise(
    id="activation.tanh", signature="tanh(z)", formula="(e^z - e^-z)/(e^z + e^-z)", seed=SEED,
    arrays=("z",), expr=sp.tanh, textbook=tanh_textbook, domain=real_line, edges=real_edges,
    probe=probe, wrt=("z",), grad_error=TANH_PRIME, derivative=sech_squared,
    note="evaluated as tanh(z): the seed's quotient cancels near 0",
)

tanh_grad = Elementwise(
    id="activation.tanh_grad", signature="tanh_grad(z)", formula="1 - tanh²(z)", seed=SEED,
    arrays=("z",), expr=sech_squared, textbook=lambda z: 1 - sp.tanh(z) ** 2,
    domain=real_line, edges=real_edges, probe=probe,
    note="1 - tanh², the textbook form (torch's own backward), loses the far tail soundly: its "
         "running error allows it; evaluated as sech²(z)",
)

relu = Elementwise(
    id="activation.relu", signature="relu(z)", formula="max(0, z)", seed=SEED, arrays=("z",),
    expr=relu_expr, domain=real_line, edges=real_edges, probe=probe, wrt=("z",),
)

relu_grad = Elementwise(
    id="activation.relu_grad", signature="relu_grad(z)", formula="1 if z > 0 else 0", seed=SEED,
    arrays=("z",), expr=_d(relu_expr), domain=real_line, edges=real_edges, probe=probe,
    propagates_nan=False,
    note="convention: ReLU'(0) = 0, as the seed says; unspecified at NaN",
)

_alpha = (Param("alpha", 0.01),)

leaky_relu = Elementwise(
    id="activation.leaky_relu", signature="leaky_relu(z, alpha=0.01)",
    formula="max(αz, z), 0 ≤ α ≤ 1", seed=SEED, arrays=("z",), params=_alpha,
    expr=leaky_relu_expr, domain=lambda dt: real_line(dt, **slopes(dt)),
    edges=lambda dt: real_edges(dt, **slopes(dt)), probe=probe_alpha, wrt=("z",),
)

leaky_relu_grad = Elementwise(
    id="activation.leaky_relu_grad", signature="leaky_relu_grad(z, alpha=0.01)",
    formula="1 if z > 0 else α", seed=SEED, arrays=("z",), params=_alpha,
    expr=_d(leaky_relu_expr), domain=lambda dt: real_line(dt, **slopes(dt)),
    edges=lambda dt: real_edges(dt, **slopes(dt)), probe=probe_alpha, propagates_nan=False,
    note="convention: α at z = 0; unspecified at NaN",
)

softmax = Vector(
    id="activation.softmax", signature="softmax(z, axis=-1)", formula="e^{z_i} / Σ_j e^{z_j}",
    seed=SEED, arrays=("z",), params=(Param("axis", -1, numeric=False),), build=softmax_exprs,
    domain=logits, edges=lambda dt: logits(dt, edges_only=True), probe=probe_axis, wrt=("z",),
    backward=softmax_backward,
)

ORACLES = (sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu,
           leaky_relu_grad, softmax)
