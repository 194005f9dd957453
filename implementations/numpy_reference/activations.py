"""Activation functions, written to be copied: stable in every float dtype.

float16, bfloat16 and float8 (ml_dtypes) are computed in float32 and rounded once at the end.
"""
import numpy as np

from ..base import backward_passes, provides


def _work(z):
    z = np.asarray(z)
    return z.astype(np.float32) if z.dtype.itemsize < 4 else z  # float16, bfloat16, float8


def _sigmoid(x):
    e = np.exp(-np.abs(x))  # exp of a non-positive number: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid(z):
    """σ(z) = 1/(1+e^-z), in the form that is stable for either sign of z."""
    return _sigmoid(_work(z)).astype(np.asarray(z).dtype)


def sigmoid_grad(z):
    """σ'(z) = σ(z)·σ(-z), accurate in both tails (σ·(1-σ) cancels for large z)."""
    x = _work(z)
    return (_sigmoid(x) * _sigmoid(-x)).astype(np.asarray(z).dtype)


def tanh(z):
    """tanh(z)."""
    return np.tanh(_work(z)).astype(np.asarray(z).dtype)


def tanh_grad(z):
    """tanh'(z) = 1 - tanh²(z) = 1/cosh²(z), which keeps its relative accuracy near saturation."""
    x = _work(z)
    with np.errstate(over="ignore"):
        out = 1 / np.cosh(x) ** 2
    return out.astype(np.asarray(z).dtype)


def relu(z):
    """max(0, z); NaN propagates."""
    z = np.asarray(z)
    return np.maximum(z, np.zeros((), z.dtype))


def relu_grad(z):
    """1 where z > 0, else 0 (0 at z = 0, the seed's rule); NaN where z is NaN."""
    z = np.asarray(z)
    return np.where(np.isnan(z), z, (z > 0).astype(z.dtype))


def leaky_relu(z, alpha=0.01):
    """z where z > 0, else αz; NaN propagates."""
    x = _work(z)
    return np.where(x > 0, x, x * alpha).astype(np.asarray(z).dtype)


def leaky_relu_grad(z, alpha=0.01):
    """1 where z > 0, else α; NaN where z is NaN."""
    z = np.asarray(z)
    out = np.where(z > 0, np.ones((), z.dtype), np.asarray(alpha, z.dtype))
    return np.where(np.isnan(z), z, out)


def softmax(z, axis=-1):
    """e^{z_i} / Σ_j e^{z_j}, shifted by the slice's maximum so that exp never overflows."""
    x = _work(z)
    with np.errstate(invalid="ignore", over="ignore"):
        shifted = x - np.max(x, axis=axis, keepdims=True)
        e = np.exp(shifted)
        out = e / np.sum(e, axis=axis, keepdims=True)
    return out.astype(np.asarray(z).dtype)


FUNCTIONS = provides(
    "activation", sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu,
    leaky_relu_grad, softmax,
)


# --- gradients: ∂(Σ w·f)/∂z for a cotangent w (what a backward pass computes) ---------------

def sigmoid_backward(w, z):
    """w·σ(z)σ(-z)."""
    x = _work(z)
    return {"z": (_work(w) * _sigmoid(x) * _sigmoid(-x)).astype(np.asarray(z).dtype)}


def tanh_backward(w, z):
    """w/cosh²(z)."""
    x = _work(z)
    with np.errstate(over="ignore"):
        return {"z": (_work(w) / np.cosh(x) ** 2).astype(np.asarray(z).dtype)}


def relu_backward(w, z):
    """w where z > 0, else 0 (NaN propagates)."""
    return {"z": np.asarray(w) * relu_grad(z)}


def leaky_relu_backward(w, z, alpha=0.01):
    """w where z > 0, else αw."""
    return {"z": (_work(w) * _work(leaky_relu_grad(z, alpha))).astype(np.asarray(z).dtype)}


def softmax_backward(w, z, axis=-1):
    """s ⊙ (w - Σ w s) along the axis, from the forward's output s (the standard backward)."""
    s, v = _work(softmax(z, axis)), _work(w)
    dot = np.sum(v * s, axis=axis, keepdims=True)
    return {"z": (s * (v - dot)).astype(np.asarray(z).dtype)}


GRADIENTS = backward_passes(
    "activation", sigmoid_backward, tanh_backward, relu_backward, leaky_relu_backward,
    softmax_backward,
)
