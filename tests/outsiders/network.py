"""Layers and backprop as outsiders write them: torch functional/autograd, einsum, loops,
σ(1-σ) and 1 - tanh² derivatives, and MLP code that supports only the options it needs."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from . import Outsider


def _t(x):
    return torch.as_tensor(np.asarray(x))


def linear_torch_functional(a_prev, W, b):
    """Thin torch wrapper: F.linear(input, weight, bias), W stored (out, in) as torch does."""
    return F.linear(_t(a_prev), _t(W), _t(b)).numpy()


def linear_einsum(a_prev, W, b):
    """einsum('bi,oi->bo') plus the bias."""
    return np.einsum("...i,oi->...o", a_prev, W) + b


def _sigmoid(z):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


# Only the activations this code base uses: anything else is a ValueError (issue 10, class 2).
_FORWARD = {"sigmoid": _sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}
_DERIV = {
    "sigmoid": lambda z: _sigmoid(z) * (1 - _sigmoid(z)),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
    "relu": lambda z: (z > 0).astype(z.dtype),
}


def _pick(table, activation):
    if activation not in table:
        raise ValueError(f"unsupported activation {activation!r}")
    return table[activation]


def dense_forward_three_activations(a_prev, W, b, activation="sigmoid"):
    """a_prev @ W.T + b then a dict-dispatched activation; only sigmoid, tanh and relu."""
    z = a_prev @ W.T + b
    return z, _pick(_FORWARD, activation)(z)


def output_delta_textbook(grad_a, z, activation="sigmoid"):
    """∇_a L ⊙ σ'(z) with σ' = σ(1-σ), 1 - tanh², [z > 0]; other activations refused."""
    z = np.asarray(z)
    return grad_a * _pick(_DERIV, activation)(z)


def hidden_delta_textbook(W_next, delta_next, z, activation="sigmoid"):
    """(δ_next @ W_next) ⊙ σ'(z) with textbook derivatives; other activations refused."""
    z = np.asarray(z)
    return (delta_next @ W_next) * _pick(_DERIV, activation)(z)


def layer_gradients_einsum(delta, a_prev):
    """dW by einsum over the batch, db by a sum."""
    return np.einsum("bo,bi->oi", delta, a_prev), delta.sum(axis=0)


def layer_gradients_outer_loop(delta, a_prev):
    """Accumulates one outer product per sample, as the per-example derivation reads."""
    delta, a_prev = np.asarray(delta), np.asarray(a_prev)
    dW = np.zeros((delta.shape[1], a_prev.shape[1]), dtype=delta.dtype)
    db = np.zeros(delta.shape[1], dtype=delta.dtype)
    for d_i, a_i in zip(delta, a_prev):
        dW += np.outer(d_i, a_i)
        db += d_i
    return dW, db


_TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu,
              "leaky_relu": F.leaky_relu, "identity": lambda z: z}
_TORCH_LOSS = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss}


def mlp_gradients_torch_autograd(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """torch autograd through F.linear and torch's activations; losses mse, mae, huber only."""
    if activation not in _TORCH_ACT or loss not in _TORCH_LOSS:
        raise ValueError(f"unsupported activation={activation!r} or loss={loss!r}")
    Ws = [torch.tensor(np.asarray(w), requires_grad=True) for w in weights]
    bs = [torch.tensor(np.asarray(b), requires_grad=True) for b in biases]
    a = _t(x)
    for W, b in zip(Ws, bs):
        a = _TORCH_ACT[activation](F.linear(a, W, b))
    _TORCH_LOSS[loss](a, _t(y)).backward()
    return [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]


def mlp_gradients_numpy_mse_only(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """Hand-written backprop for MSE with sigmoid/tanh/relu; NotImplementedError otherwise."""
    if loss != "mse" or activation not in _DERIV:
        raise NotImplementedError(f"only mse with sigmoid/tanh/relu, not {activation}/{loss}")
    act, deriv = _FORWARD[activation], _DERIV[activation]
    zs, acts = [], [np.asarray(x)]
    for W, b in zip(weights, biases):
        zs.append(acts[-1] @ W.T + b)
        acts.append(act(zs[-1]))
    delta = 2 * (acts[-1] - y) / np.size(y) * deriv(zs[-1])
    dWs, dbs = [None] * len(weights), [None] * len(weights)
    for layer in reversed(range(len(weights))):
        dWs[layer] = delta.T @ acts[layer]
        dbs[layer] = delta.sum(axis=0)
        if layer:
            delta = (delta @ weights[layer]) * deriv(zs[layer - 1])
    return dWs, dbs


def mlp_gradients_relu_mse_hardcoded(x, y, weights, biases):
    """Backprop written for one network (ReLU, MSE), no option arguments: declared by params."""
    zs, acts = [], [np.asarray(x)]
    for W, b in zip(weights, biases):
        zs.append(acts[-1] @ W.T + b)
        acts.append(np.maximum(zs[-1], 0))
    delta = 2 * (acts[-1] - y) / np.size(y) * (zs[-1] > 0)
    dWs, dbs = [], []
    for layer in reversed(range(len(weights))):
        dWs.insert(0, delta.T @ acts[layer])
        dbs.insert(0, delta.sum(axis=0))
        if layer:
            delta = (delta @ weights[layer]) * (zs[layer - 1] > 0)
    return dWs, dbs


def dense_forward_tanh_only(a_prev, W, b):
    """A tanh layer with no activation argument (declared with params)."""
    z = a_prev @ W.T + b
    return z, np.tanh(z)


VARIANTS = [
    Outsider("network.linear", linear_torch_functional),
    Outsider("network.linear", linear_einsum),
    Outsider("network.dense_forward", dense_forward_three_activations, "options"),
    Outsider("network.output_delta", output_delta_textbook, "options"),
    Outsider("network.hidden_delta", hidden_delta_textbook, "options"),
    Outsider("network.layer_gradients", layer_gradients_einsum),
    Outsider("network.layer_gradients", layer_gradients_outer_loop),
    Outsider("network.mlp_gradients", mlp_gradients_torch_autograd, "options"),
    Outsider("network.mlp_gradients", mlp_gradients_numpy_mse_only, "options"),
    Outsider("network.mlp_gradients", mlp_gradients_relu_mse_hardcoded, "options",
             {"params": {"activation": "relu", "loss": "mse"}}),
    Outsider("network.dense_forward", dense_forward_tanh_only, "options",
             {"params": {"activation": "tanh"}}),
]
