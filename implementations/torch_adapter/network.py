"""torch layers and autograd: F.linear, the activations, and backpropagation by autograd.

The deltas are what autograd computes: output_delta is the backward of σ with ∇_a L as
its cotangent, hidden_delta the backward of F.linear(σ(z), W_next) with δ^{l+1}, and
layer_gradients the backward of F.linear by W and b. mlp_gradients builds an
nn.Sequential of nn.Linear layers and activation modules, copies the weights in, and
calls backward() on torch's own loss (reduction="mean").
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..base import KnownDeviation, any_nan
from . import losses as TL
from .tensors import tensor, to_numpy

ACTIVATIONS = {
    "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(0.01), "identity": nn.Identity,
}


def _act(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r}; use one of {', '.join(ACTIVATIONS)}")
    return ACTIVATIONS[name]()


def linear(a_prev, W, b):
    """F.linear(a_prev, W, b)."""
    return to_numpy(F.linear(tensor(a_prev), tensor(W), tensor(b)))


def dense_forward(a_prev, W, b, activation="sigmoid"):
    """(z, a) = (F.linear(a_prev, W, b), σ(z))."""
    z = F.linear(tensor(a_prev), tensor(W), tensor(b))
    return to_numpy(z), to_numpy(_act(activation)(z))


def output_delta(grad_a, z, activation="sigmoid"):
    """Autograd of σ at z with cotangent ∇_a L."""
    zt = tensor(z).clone().requires_grad_(True)
    (g,) = torch.autograd.grad(_act(activation)(zt), zt, tensor(grad_a))
    return to_numpy(g)


def hidden_delta(W_next, delta_next, z, activation="sigmoid"):
    """Autograd of F.linear(σ(z), W_next) at z with cotangent δ^{l+1}."""
    zt = tensor(z).clone().requires_grad_(True)
    out = F.linear(_act(activation)(zt), tensor(W_next))
    (g,) = torch.autograd.grad(out, zt, tensor(delta_next))
    return to_numpy(g)


def layer_gradients(delta, a_prev):
    """Autograd of F.linear(a_prev, W, b) by W and b with cotangent δ (W, b zeros of their shapes)."""
    d, a = tensor(delta), tensor(a_prev)
    W = torch.zeros((d.shape[-1], a.shape[-1]), dtype=d.dtype, requires_grad=True)
    b = torch.zeros((d.shape[-1],), dtype=d.dtype, requires_grad=True)
    dW, db = torch.autograd.grad(F.linear(a, W, b), (W, b), d)
    return to_numpy(dW), to_numpy(db)


def _focal(y, p, alpha=0.25, gamma=2.0):
    """torch has no focal loss of probabilities: Lin et al.'s formula in torch operations."""
    pt = torch.where(y == 1, p, 1 - p) + 0 * y  # a NaN label propagates (y == 1 is False)
    at = torch.where(y == 1, torch.full_like(p, alpha), torch.full_like(p, 1 - alpha))
    return torch.mean(-at * (1 - pt) ** gamma * torch.log(pt))


LOSSES = {"mse": TL.mse, "mae": TL.mae, "huber": TL.huber,
          "binary_cross_entropy": TL.binary_cross_entropy,
          "categorical_cross_entropy": TL.categorical_cross_entropy, "focal": _focal}


def network(weights, biases, activation):
    """nn.Sequential(Linear, σ, Linear, σ, ...) holding copies of the weights (W is (out, in),
    nn.Linear's own layout)."""
    layers = []
    for W, b in zip(weights, biases):
        lin = nn.Linear(W.shape[1], W.shape[0], dtype=tensor(W).dtype)
        with torch.no_grad():
            lin.weight.copy_(tensor(W))
            lin.bias.copy_(tensor(b))
        layers += [lin, _act(activation)]
    return nn.Sequential(*layers)


def mlp_gradients(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """loss(y, net(x)).backward() through nn.Sequential; the gradients of its Linear layers."""
    if loss not in LOSSES:
        raise ValueError(f"loss={loss!r}; use one of {', '.join(LOSSES)}")
    net = network(weights, biases, activation)
    LOSSES[loss](tensor(y), net(tensor(x))).backward()
    linears = [m for m in net if isinstance(m, nn.Linear)]
    return [to_numpy(m.weight.grad) for m in linears], [to_numpy(m.bias.grad) for m in linears]


FUNCTIONS = {f"network.{f.__name__}": f for f in (
    linear, dense_forward, output_delta, hidden_delta, layer_gradients, mlp_gradients)}


DEVIATIONS = (
    KnownDeviation(
        oracle="network.mlp_gradients", properties=("nan",),
        summary="with loss='mae', a NaN residual gives the gradient 0, not NaN: l1_loss's backward "
                "is sign(a - y) and torch.sign(NaN) is 0",
        reason="torch.sign is (0 < x) - (x < 0), false for NaN on both sides",
        reference="https://github.com/pytorch/pytorch/issues/41245 (torch.sign diverges from "
                  "numpy.sign on NaN)",
        witness={"x": np.array([[1.0]]), "y": np.array([[np.nan]]), "weights": [np.array([[1.0]])],
                 "biases": [np.array([0.0])], "activation": "tanh", "loss": "mae"},
        region=lambda kw: kw.get("loss") == "mae" and any_nan(kw)),
    KnownDeviation(
        oracle="network.mlp_gradients", properties=("nan",),
        summary="with loss='categorical_cross_entropy', a NaN in y (or in a class that is not "
                "the target) does not propagate: nll_loss reads -log a at the class index only",
        reason="the adapter takes the class index from the one-hot row (as for "
               "loss.categorical_cross_entropy)",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.functional.nll_loss.html",
        witness={"x": np.array([[1.0]]), "y": np.array([[np.nan, 1.0]]),
                 "weights": [np.array([[1.0], [0.5]])], "biases": [np.array([0.0, 0.0])],
                 "activation": "sigmoid", "loss": "categorical_cross_entropy"},
        region=lambda kw: kw.get("loss") == "categorical_cross_entropy" and any_nan(kw)),
)
