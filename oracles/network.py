"""Forward and backward propagation of a dense network.

Seed: "Neural Network Math › Forward Propagation" and "› Backpropagation". The catalogue's
conventions are batch first: samples are rows, ``W`` has shape ``(out, in)`` and a layer
computes ``z = a_prev @ W.T + b`` (the seed's z = W a + b for one column a). So the seed's
three backpropagation formulas read, for a batch:

    δ^L = ∇_a L ⊙ σ'(z^L)                      output_delta(grad_a, z)
    δ^l = (δ^{l+1} @ W^{l+1}) ⊙ σ'(z^l)        hidden_delta(W_next, delta_next, z)
    ∂L/∂W = δᵀ @ a_prev,  ∂L/∂b = Σ_batch δ    layer_gradients(delta, a_prev)

The activations are the SymPy expressions of ``oracles/activations.py`` and σ' is their
``sympy.diff``; ``mlp_gradients`` (``oracles/backprop.py``) differentiates a whole network's
mean loss with ``sympy.diff``, independently of these three formulas.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from hypothesis import strategies as st

from mathoracle.formats import finfo
from . import activations as A
from . import domains as d
from . import backprop as B
from .base import ErrorModel, Param
from .structured import Structured, elementwise

SEED = "Neural Network Math › Forward Propagation, Backpropagation"

# --- the activations a layer may use (strings of the canonical signatures) -------------

ACTIVATIONS = {
    "sigmoid": A.sigmoid_expr,
    "tanh": sp.tanh,
    "relu": A.relu_expr,
    "leaky_relu": lambda z: A.leaky_relu_expr(z, sp.Rational(1, 100)),  # α = 0.01, its default
    "identity": lambda z: z,
}
# σ' of these is a step function: unspecified at NaN (as activation.relu_grad).
STEP_DERIVATIVE = ("relu", "leaky_relu")


def activate(name: str):
    """σ of the named activation, applied to each element of an object array."""
    return elementwise(_function(name, 0))


def activate_derivative(name: str):
    """σ' of the named activation (``sympy.diff``), applied to each element."""
    return elementwise(_function(name, 1))


@lru_cache(maxsize=None)
def _function(name: str, order: int):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r}; use one of {', '.join(ACTIVATIONS)}")
    s = sp.Symbol("s", real=True)
    expr = sp.diff(ACTIVATIONS[name](s), s, order) if order else ACTIVATIONS[name](s)
    return sp.Lambda(s, expr)


# --- formulas ---------------------------------------------------------------------------

def linear_expr(a_prev, W, b):
    """z = a_prev @ Wᵀ + b."""
    return a_prev @ W.T + b


def dense_forward_expr(a_prev, W, b, activation="sigmoid"):
    """(z, a) with z = a_prev @ Wᵀ + b and a = σ(z)."""
    z = linear_expr(a_prev, W, b)
    return z, activate(activation)(z)


def output_delta_expr(grad_a, z, activation="sigmoid"):
    """δ^L = ∇_a L ⊙ σ'(z^L)."""
    return grad_a * activate_derivative(activation)(z)


def hidden_delta_expr(W_next, delta_next, z, activation="sigmoid"):
    """δ^l = (δ^{l+1} @ W^{l+1}) ⊙ σ'(z^l): the seed's (W^{l+1})ᵀ δ^{l+1}, batch first."""
    return (delta_next @ W_next) * activate_derivative(activation)(z)


def layer_gradients_expr(delta, a_prev):
    """(∂L/∂W, ∂L/∂b) = (δᵀ @ a_prev, Σ_batch δ): the seed's δ aᵀ summed over samples."""
    return delta.T @ a_prev, delta.sum(axis=0)


class Layer(Structured):
    """A layer formula whose activation derivative may be a step function: a NaN in z is
    then unspecified for that derivative (σ' of relu at NaN is no number), as for
    ``activation.relu_grad``."""

    def nan_mask(self, inputs, arg, index):
        mask = super().nan_mask(inputs, arg, index)
        full = {**self.defaults(), **inputs}
        if arg == "z" and full.get("activation") in STEP_DERIVATIVE:
            return np.zeros_like(mask)
        return mask


# --- domains ----------------------------------------------------------------------------

def values(dtype, bound: float, edges_only: bool = False, least: float | None = None):
    """Floats of dtype in [-bound, bound]; 0, -0, ±1, ±½ and the bound among them. With
    ``least``, every nonzero magnitude is at least ``least`` (networks: no product of two
    draws underflows, which could flip a relu unit's kink); else a subnormal is an edge."""
    fi = finfo(dtype)
    small = [float(fi.smallest_subnormal), 2.0 ** -10] if least is None else [least]
    edges = d.representable(dtype, [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, bound, -bound, -3.0, *small])
    edges = [e for e in edges if abs(float(e)) <= bound]
    if edges_only:
        return st.sampled_from(edges)
    if least is None:
        return d.elements(dtype, lo=-bound, hi=bound, edges=edges)
    magnitude = d.elements(dtype, lo=least, hi=bound)
    return st.one_of(st.sampled_from(edges), magnitude, magnitude.map(lambda v: -v))


def real_line(dtype, edges_only=False):
    edges = d.real_edges(dtype)
    return st.sampled_from(edges) if edges_only else d.elements(dtype, edges=edges)


def product_bound(dtype, terms: int = 8) -> float:
    """B with terms·B² + B finite in dtype: sums of products stay finite."""
    return d.square_safe_bound(dtype, terms)


# (batch, in, out): few and small, each one compiled once.
LAYER_SHAPES = [(1, 1, 1), (2, 3, 2), (3, 2, 1), (1, 2, 3), (2, 2, 2)]
ACTIVATION_NAMES = st.sampled_from(list(ACTIVATIONS))


def _array(draw, dtype, shape, elems):
    return draw(d.arrays(dtype, elems, shape=st.just(shape)))


@st.composite
def layer_inputs(draw, dtype, edges_only=False, with_activation=False):
    """a_prev (batch, in), W (out, in), b (out,)."""
    n, i, o = draw(st.sampled_from(LAYER_SHAPES))
    elems = values(dtype, product_bound(dtype), edges_only)
    out = {"a_prev": _array(draw, dtype, (n, i), elems), "W": _array(draw, dtype, (o, i), elems),
           "b": _array(draw, dtype, (o,), elems)}
    if with_activation:
        out["activation"] = draw(ACTIVATION_NAMES)
    return out


# ∇_a L and δ are drawn in [-1, 1]: the mixed floor of the deltas is per unit of gradient.
GRADIENT = 1.0


@st.composite
def output_delta_inputs(draw, dtype, edges_only=False):
    shape = draw(st.sampled_from([(1, 1), (2, 3), (3, 2), (4,)]))
    return {"grad_a": _array(draw, dtype, shape, values(dtype, GRADIENT, edges_only)),
            "z": _array(draw, dtype, shape, real_line(dtype, edges_only)),
            "activation": draw(ACTIVATION_NAMES)}


@st.composite
def hidden_delta_inputs(draw, dtype, edges_only=False):
    """W_next (out_next, h), delta_next (batch, out_next), z (batch, h); out_next ≤ 2."""
    n, h, o = draw(st.sampled_from([(1, 1, 1), (2, 3, 2), (3, 2, 1), (1, 2, 2)]))
    g = values(dtype, GRADIENT, edges_only)
    return {"W_next": _array(draw, dtype, (o, h), g), "delta_next": _array(draw, dtype, (n, o), g),
            "z": _array(draw, dtype, (n, h), real_line(dtype, edges_only)),
            "activation": draw(ACTIVATION_NAMES)}


@st.composite
def layer_gradient_inputs(draw, dtype, edges_only=False):
    """delta (batch, out), a_prev (batch, in)."""
    n, i, o = draw(st.sampled_from(LAYER_SHAPES))
    elems = values(dtype, product_bound(dtype), edges_only)
    return {"delta": _array(draw, dtype, (n, o), elems), "a_prev": _array(draw, dtype, (n, i), elems)}


def probe_layer(dtype):
    return {"a_prev": np.array([[0.5, -1.0], [2.0, 0.0]], dtype),
            "W": np.array([[1.0, 0.5], [-0.25, 2.0], [0.0, 1.0]], dtype),
            "b": np.array([0.5, -1.0, 0.0], dtype)}


def probe_output_delta(dtype):
    return {"grad_a": np.array([[0.5, -1.0], [0.25, 1.0]], dtype),
            "z": np.array([[1.0, -2.0], [0.0, 3.0]], dtype), "activation": "sigmoid"}


def probe_hidden_delta(dtype):
    return {"W_next": np.array([[1.0, -0.5, 0.25]], dtype),
            "delta_next": np.array([[0.5], [-1.0]], dtype),
            "z": np.array([[1.0, -2.0, 0.0], [0.5, 3.0, -1.0]], dtype), "activation": "sigmoid"}


def probe_layer_gradients(dtype):
    return {"delta": np.array([[0.5, -1.0, 0.25], [1.0, 0.0, -0.5]], dtype),
            "a_prev": np.array([[1.0, 2.0], [-0.5, 0.25]], dtype)}


COVERAGE = {  # what the domains promise to draw (tests/test_coverage.py)
    "network.mlp_gradients": d.Coverage(
        edges=lambda dt: {"x": [e for e in d.representable(dt, [0.0, -0.0, 1.0, -1.0, 0.5, -0.5,
                                                                 B.X_BOUND, -B.X_BOUND, B.LEAST])],
                          "loss": list(B.LOSSES), "activation": list(ACTIVATIONS)},
        classes={B.MULTI_UNIT_MEAN: B.multi_unit_mean,
                 "batch of 1": lambda x: np.shape(x["x"])[0] == 1}),
}

_activation = (Param("activation", "sigmoid", numeric=False),)
# σ' loses its far tail when computed from the forward's output (σ(1-σ), 1 - tanh²), soundly:
# the floor is u per unit of incoming gradient, as for activation.sigmoid_grad / tanh_grad.
DELTA_ERROR = ErrorModel.mixed(GRADIENT)

linear = Structured(
    id="network.linear", signature="linear(a_prev, W, b)", formula="z = W a + b (batch: a_prev @ Wᵀ + b)",
    seed=SEED, arrays=("a_prev", "W", "b"), build=linear_expr,
    domain=layer_inputs, edges=lambda dt: layer_inputs(dt, edges_only=True), probe=probe_layer,
)

dense_forward = Structured(
    id="network.dense_forward", signature='dense_forward(a_prev, W, b, activation="sigmoid") → (z, a)',
    formula="z = W a + b, a = σ(z)", seed=SEED, arrays=("a_prev", "W", "b"), params=_activation,
    outputs=("z", "a"), build=dense_forward_expr,
    domain=lambda dt: layer_inputs(dt, with_activation=True),
    edges=lambda dt: layer_inputs(dt, edges_only=True, with_activation=True),
    probe=lambda dt: {**probe_layer(dt), "activation": "sigmoid"},
    note="activation: sigmoid, tanh, relu, leaky_relu (α = 0.01) or identity",
)

output_delta = Layer(
    id="network.output_delta", signature='output_delta(grad_a, z, activation="sigmoid")',
    formula="δ^L = ∇_a L ⊙ σ'(z^L)", seed=SEED, arrays=("grad_a", "z"), params=_activation,
    build=output_delta_expr, error=DELTA_ERROR, domain=output_delta_inputs,
    edges=lambda dt: output_delta_inputs(dt, edges_only=True), probe=probe_output_delta,
    note="σ' by sympy.diff; relu'(0) = 0, leaky_relu'(0) = α (the activation oracles' "
         "conventions); mixed error, floor u per unit of ∇_a L (drawn in [-1, 1])",
)

hidden_delta = Layer(
    id="network.hidden_delta", signature='hidden_delta(W_next, delta_next, z, activation="sigmoid")',
    formula="δ^l = (W^{l+1})ᵀ δ^{l+1} ⊙ σ'(z^l) (batch: (δ^{l+1} @ W^{l+1}) ⊙ σ'(z^l))", seed=SEED,
    arrays=("W_next", "delta_next", "z"), params=_activation, build=hidden_delta_expr,
    error=ErrorModel.mixed(2 * GRADIENT), domain=hidden_delta_inputs,
    edges=lambda dt: hidden_delta_inputs(dt, edges_only=True), probe=probe_hidden_delta,
    note="mixed error, floor u per unit of |δ^{l+1} @ W^{l+1}| (at most 2 in the domain)",
)

layer_gradients = Structured(
    id="network.layer_gradients", signature="layer_gradients(delta, a_prev) → (dW, db)",
    formula="∂L/∂W = δ aᵀ, ∂L/∂b = δ, summed over the batch", seed=SEED,
    arrays=("delta", "a_prev"), outputs=("dW", "db"), build=layer_gradients_expr,
    domain=layer_gradient_inputs, edges=lambda dt: layer_gradient_inputs(dt, edges_only=True),
    probe=probe_layer_gradients,
    note="dW has W's shape (out, in); both are sums over the batch (not means)",
)

mlp_gradients = B.Backprop(
    id="network.mlp_gradients",
    signature='mlp_gradients(x, y, weights, biases, activation="sigmoid", loss="mse") → (dWs, dbs)',
    formula="∂L/∂W^l, ∂L/∂b^l of the mean loss (backprop end to end)", seed=SEED,
    arrays=("x", "y", "weights", "biases"), params=(*_activation, Param("loss", "mse", numeric=False)),
    outputs=("dWs", "dbs"), domain=B.networks, edges=lambda dt: B.networks(dt, edges_only=True),
    probe=B.probe,
    note="every layer applies the activation; the loss takes (y, a^L) with the loss oracle's "
         "default parameters; the gradient of the mean loss by sympy.diff (oracles/backprop.py)",
)

ORACLES = (linear, dense_forward, output_delta, hidden_delta, layer_gradients, mlp_gradients)
