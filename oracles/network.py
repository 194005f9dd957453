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

import numpy as np
from hypothesis import strategies as st

from mathoracle.core.model import ErrorModel, Param

from . import backprop as B
from . import domains as d
from .layers import (ACTIVATIONS, STEP_DERIVATIVE, activate, activate_derivative, value_edges,  # noqa: F401
                     values)
from .structured import Structured

SEED = "Neural Network Math › Forward Propagation, Backpropagation"

# --- the activations a layer may use (strings of the canonical signatures) -------------

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


def _layer_edges(*names):
    return lambda dt: {n: value_edges(dt, product_bound(dt)) for n in names}


def _delta_edges(dt, *gradients):
    return {**{n: value_edges(dt, GRADIENT) for n in gradients}, "z": d.real_edges(dt),
            "activation": list(ACTIVATIONS)}


def _batch_of_one(name):
    return lambda x: np.ndim(x[name]) == 2 and np.shape(x[name])[0] == 1


COVERAGE = {  # what the domains promise to draw (tests/test_coverage.py)
    "network.linear": d.Coverage(edges=_layer_edges("a_prev", "W", "b"),
                                 classes={"batch of 1": _batch_of_one("a_prev"),
                                          "several outputs": lambda x: len(x["b"]) >= 2}),
    "network.dense_forward": d.Coverage(
        edges=lambda dt: {**_layer_edges("a_prev", "W", "b")(dt), "activation": list(ACTIVATIONS)},
        classes={"batch of 1": _batch_of_one("a_prev")}),
    "network.output_delta": d.Coverage(edges=lambda dt: _delta_edges(dt, "grad_a"),
                                       classes={"batch of 1": _batch_of_one("z"),
                                                "unbatched": lambda x: np.ndim(x["z"]) == 1}),
    "network.hidden_delta": d.Coverage(edges=lambda dt: _delta_edges(dt, "W_next", "delta_next"),
                                       classes={"batch of 1": _batch_of_one("z"),
                                                "several next units": lambda x: len(x["W_next"]) >= 2}),
    "network.layer_gradients": d.Coverage(edges=_layer_edges("delta", "a_prev"),
                                          classes={"batch of 1": _batch_of_one("delta")}),
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

POSITION = 2  # the section's place in the catalogue (oracles.sections)
ORACLES = (linear, dense_forward, output_delta, hidden_delta, layer_gradients, mlp_gradients)
