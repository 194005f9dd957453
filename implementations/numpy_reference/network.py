"""Forward and backward propagation, written to be copied (batch first, W of shape (out, in)).

Every function computes in float64 and rounds once to the input dtype. σ' is taken in the
form that keeps its relative accuracy in the tails (σ(z)σ(-z), 1/cosh²z), never from the
forward's rounded output; backpropagation is the seed's recursion, one matrix product per
layer and direction, so its cost is linear in the number of weights.
"""
import numpy as np

from ..base import provides
from . import activations as A
from . import losses as L


def _f64(*arrays):
    """float64 copies; an array subclass stays one (asanyarray), so wrappers that count or
    trace operations see them."""
    return [np.asanyarray(a).astype(np.float64) for a in arrays]


def _like(x, ref):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(x).astype(np.asarray(ref).dtype)


def _identity_grad(z):
    return np.where(np.isnan(z), z, np.ones_like(z))


# name -> (σ, σ'), both on float64 arrays
ACTIVATIONS = {
    "sigmoid": (A.sigmoid, A.sigmoid_grad),
    "tanh": (A.tanh, A.tanh_grad),
    "relu": (A.relu, A.relu_grad),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_grad),
    "identity": (lambda z: z, _identity_grad),
}


def _act(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r}; use one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def linear(a_prev, W, b):
    """z = a_prev @ Wᵀ + b."""
    a, w, c = _f64(a_prev, W, b)
    return _like(a @ w.T + c, a_prev)


def dense_forward(a_prev, W, b, activation="sigmoid"):
    """(z, a): z = a_prev @ Wᵀ + b, a = σ(z) (σ of the unrounded z)."""
    a, w, c = _f64(a_prev, W, b)
    z = a @ w.T + c
    return _like(z, a_prev), _like(_act(activation)[0](z), a_prev)


def output_delta(grad_a, z, activation="sigmoid"):
    """δ^L = ∇_a L ⊙ σ'(z^L)."""
    g, x = _f64(grad_a, z)
    return _like(g * _act(activation)[1](x), grad_a)


def hidden_delta(W_next, delta_next, z, activation="sigmoid"):
    """δ^l = (δ^{l+1} @ W^{l+1}) ⊙ σ'(z^l)."""
    w, dn, x = _f64(W_next, delta_next, z)
    return _like((dn @ w) * _act(activation)[1](x), z)


def layer_gradients(delta, a_prev):
    """(δᵀ @ a_prev, Σ_batch δ): shapes (out, in) and (out,)."""
    dl, a = _f64(delta, a_prev)
    return _like(dl.T @ a, delta), _like(dl.sum(axis=0), delta)


# ∂(mean loss)/∂a, from the losses' own backward passes (cotangent 1)
_LOSS_GRADIENTS = {
    "mse": lambda y, a: L.mse_backward(1.0, y, a)["y_pred"],
    "mae": lambda y, a: L.mae_backward(1.0, y, a)["y_pred"],
    "huber": lambda y, a: L.huber_backward(1.0, y, a)["y_pred"],
    "binary_cross_entropy": lambda y, a: L.binary_cross_entropy_backward(1.0, y, a)["p"],
    "categorical_cross_entropy": lambda y, a: L.categorical_cross_entropy_backward(1.0, y, a)["p"],
    "focal": lambda y, a: L.focal_backward(1.0, y, a)["p"],
}


def _top_delta(y, a, z, activation, loss):
    """δ^L. Sigmoid with (binary) cross-entropy has the cancellation-free form (a - y)/n and
    -y·σ(-z)/samples: ∇_a L ⊙ σ'(z) would divide by a(1 - a) and multiply it back."""
    if activation == "sigmoid" and loss == "binary_cross_entropy":
        return (a - y) / y.size
    if activation == "sigmoid" and loss == "categorical_cross_entropy":
        return -y * A.sigmoid(-z) / (y.size // y.shape[-1])
    if loss not in _LOSS_GRADIENTS:
        raise ValueError(f"loss={loss!r}; use one of {', '.join(_LOSS_GRADIENTS)}")
    return _LOSS_GRADIENTS[loss](y, a) * _act(activation)[1](z)


def mlp_gradients(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """(dWs, dbs) of the mean loss: a forward pass keeping every z and a, then the seed's
    recursion δ^L = ∇_a L ⊙ σ'(z^L), δ^l = (δ^{l+1} @ W^{l+1}) ⊙ σ'(z^l), ∂L/∂W = δᵀ a_prev."""
    sigma, _ = _act(activation)
    ws, bs = _f64(*weights), _f64(*biases)
    a, t = _f64(x, y)
    zs, acts = [], [a]
    for w, b in zip(ws, bs):
        zs.append(acts[-1] @ w.T + b)
        acts.append(sigma(zs[-1]))
    delta = _top_delta(t, acts[-1], zs[-1], activation, loss) + 0 * t  # a NaN label shows
    dWs, dbs = [None] * len(ws), [None] * len(ws)
    for layer in range(len(ws) - 1, -1, -1):
        dWs[layer] = _like(delta.T @ acts[layer], x)
        dbs[layer] = _like(delta.sum(axis=0), x)
        if layer:
            delta = (delta @ ws[layer]) * _act(activation)[1](zs[layer - 1])
    return dWs, dbs


FUNCTIONS = provides(
    "network", linear, dense_forward, output_delta, hidden_delta, layer_gradients, mlp_gradients,
)
