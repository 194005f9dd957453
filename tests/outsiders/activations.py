"""Activations as outsiders write them: SciPy/torch wrappers, textbook derivatives, math loops."""
from __future__ import annotations

import math

import numpy as np
import scipy.special
import torch

from . import Outsider


def sigmoid_scipy_expit(z):
    """Thin SciPy wrapper: scipy.special.expit."""
    return scipy.special.expit(z)


def sigmoid_math_per_element(z):
    """math module per element, branch on the sign, written into an output array."""
    z = np.asarray(z)
    out = np.empty(z.shape, dtype=z.dtype)
    for i, v in np.ndenumerate(z):
        v = float(v)
        if math.isnan(v):
            out[i] = math.nan
        elif v >= 0:
            out[i] = 1.0 / (1.0 + math.exp(-v))
        else:
            e = math.exp(v)
            out[i] = e / (1.0 + e)
    return out


def sigmoid_raises_on_nan(z):
    """Validates its input: ValueError on NaN, then the textbook 1/(1+e^-z) in the input dtype."""
    z = np.asarray(z)
    if np.isnan(z).any():
        raise ValueError("sigmoid: input contains NaN")
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


class Sigmoid:
    """A class-based callable, as in a small hand-written framework."""

    def __call__(self, z):
        t = torch.from_numpy(np.ascontiguousarray(z))
        return torch.sigmoid(t).numpy()


sigmoid_torch_module_like = Sigmoid()


def sigmoid_grad_s_one_minus_s(z):
    """Textbook derivative σ(1-σ) from scipy's expit, in the input dtype."""
    s = scipy.special.expit(z)
    return s * (1 - s)


def tanh_torch(z):
    """Thin torch wrapper: torch.tanh on a tensor built from the array, back with .numpy()."""
    return torch.tanh(torch.as_tensor(z)).numpy()


def tanh_grad_one_minus_tanh_squared(z):
    """Textbook derivative 1 - tanh² in the input dtype."""
    return 1 - np.tanh(z) ** 2


def relu_where_negative_to_zero(z):
    """np.where(z < 0, 0, z): max(0, z), and a NaN fails the test so it passes through."""
    z = np.asarray(z)
    return np.where(z < 0, np.zeros_like(z), z)


def relu_grad_ge_zero_mask(z):
    """(z >= 0) as floats: the derivative 1 at 0, declared as the convention relu_grad_at_zero=1."""
    z = np.asarray(z)
    return (z >= 0).astype(z.dtype)


def relu_grad_torch_autograd(z):
    """torch autograd of F.relu (0 at z = 0, as torch documents)."""
    t = torch.tensor(np.asarray(z), requires_grad=True)
    torch.nn.functional.relu(t).sum().backward()
    return t.grad.numpy()


def leaky_relu_jax_style(z, alpha=0.01):
    """JAX's jnp.where(x >= 0, x, alpha * x)."""
    z = np.asarray(z)
    return np.where(z >= 0, z, alpha * z).astype(z.dtype)


def leaky_relu_grad_jax_style(z, alpha=0.01):
    """JAX-style where(x >= 0, 1, alpha): the derivative 1 at 0, a declared convention."""
    z = np.asarray(z)
    return np.where(z >= 0, 1, alpha).astype(z.dtype)


def leaky_relu_torch(z, alpha=0.01):
    """Thin torch wrapper: F.leaky_relu(x, negative_slope=alpha)."""
    return torch.nn.functional.leaky_relu(torch.as_tensor(z), negative_slope=alpha).numpy()


def softmax_scipy(z, axis=-1):
    """Thin SciPy wrapper: scipy.special.softmax."""
    return scipy.special.softmax(z, axis=axis)


def softmax_torch(z, axis=-1):
    """Thin torch wrapper: torch.softmax(x, dim=axis)."""
    return torch.softmax(torch.as_tensor(z), dim=axis).numpy()


def softmax_rows_loop(z, axis=-1):
    """A loop over the slices, each shifted by its maximum, with math.exp and math.fsum."""
    z = np.asarray(z)
    moved = np.moveaxis(z, axis, -1)
    out = np.empty(moved.shape, dtype=z.dtype)
    for idx in np.ndindex(moved.shape[:-1]):
        row = [float(v) for v in moved[idx]]
        top = max(row) if not any(math.isnan(v) for v in row) else math.nan
        if math.isnan(top):
            out[idx] = math.nan
            continue
        es = [math.exp(v - top) for v in row]
        total = math.fsum(es)
        out[idx] = [e / total for e in es]
    return np.moveaxis(out, -1, axis)


VARIANTS = [
    Outsider("activation.sigmoid", sigmoid_scipy_expit),
    Outsider("activation.sigmoid", sigmoid_math_per_element),
    Outsider("activation.sigmoid", sigmoid_raises_on_nan, "refusal"),
    Outsider("activation.sigmoid", sigmoid_torch_module_like, name="sigmoid_torch_class_callable"),
    Outsider("activation.sigmoid_grad", sigmoid_grad_s_one_minus_s, "textbook-evaluation"),
    Outsider("activation.tanh", tanh_torch),
    Outsider("activation.tanh_grad", tanh_grad_one_minus_tanh_squared, "textbook-evaluation"),
    Outsider("activation.relu", relu_where_negative_to_zero),
    Outsider("activation.relu_grad", relu_grad_ge_zero_mask, "convention",
             {"conventions": ["relu_grad_at_zero=1"]}),
    Outsider("activation.relu_grad", relu_grad_torch_autograd),
    Outsider("activation.leaky_relu", leaky_relu_jax_style, "convention",
             {"conventions": ["leaky_relu_grad_at_zero=1"]}),
    Outsider("activation.leaky_relu_grad", leaky_relu_grad_jax_style, "convention",
             {"conventions": ["leaky_relu_grad_at_zero=1"]}),
    Outsider("activation.leaky_relu", leaky_relu_torch),
    Outsider("activation.softmax", softmax_scipy),
    Outsider("activation.softmax", softmax_torch),
    Outsider("activation.softmax", softmax_rows_loop),
]
