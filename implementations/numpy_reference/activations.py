"""Activation functions, written to be copied: stable in every float dtype.

float16, bfloat16 and float8 (ml_dtypes) are computed in float32 and rounded once at the end.
"""
import math

import numpy as np
import scipy.special

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


_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def _phi(x):
    """Φ(x) = erfc(-x/√2)/2 in float64: erfc keeps the tail x ≪ 0 that 1 + erf(x/√2) cancels."""
    return scipy.special.erfc(-np.asarray(x, np.float64) * _SQRT_HALF) / 2


def gelu(z):
    """z·Φ(z), computed in float64 and rounded once."""
    x = np.asarray(z, np.float64)
    return (x * _phi(x)).astype(np.asarray(z).dtype)


def _gelu_tanh_parts(x):
    """(2w, 2w') of the tanh approximation, w = √(2/π)(x + 0.044715x³)."""
    with np.errstate(over="ignore", invalid="ignore"):
        w2 = 2 * _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
        dw2 = 2 * _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
    return w2, dw2


def gelu_tanh(z):
    """z/2·(1 + tanh w) written as z·σ(2w): no cancellation for z ≪ 0."""
    x = _work(z)
    w2, _ = _gelu_tanh_parts(x)
    return (x * _sigmoid(w2)).astype(np.asarray(z).dtype)


def silu(z):
    """z·σ(z) with the stable σ."""
    x = _work(z)
    return (x * _sigmoid(x)).astype(np.asarray(z).dtype)


def softplus(z, beta=1.0):
    """log(1 + e^{βz})/β = max(z, 0) + log1p(e^{-β|z|})/β: neither overflows nor cancels."""
    x = _work(z)
    with np.errstate(over="ignore"):
        out = np.maximum(x, 0) + np.log1p(np.exp(-beta * np.abs(x))) / beta
    return out.astype(np.asarray(z).dtype)


def elu(z, alpha=1.0):
    """z where z > 0, else α·expm1(z) (e^z - 1 cancels near 0); NaN propagates."""
    x = _work(z)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(np.asarray(z).dtype)


def _shifted_lse(x, axis):
    """(x - m, log Σ e^{x - m}) with m the slice's maximum (keepdims): exp never overflows."""
    with np.errstate(invalid="ignore", over="ignore"):
        d = x - np.max(x, axis=axis, keepdims=True)
        return d, np.log(np.sum(np.exp(d), axis=axis, keepdims=True))


def log_softmax(z, axis=-1):
    """(z - m) - log Σ e^{z - m}: finite wherever the value is (log of a softmax is -inf where
    the softmax underflows)."""
    d, lse = _shifted_lse(_work(z), axis)
    return (d - lse).astype(np.asarray(z).dtype)


def logsumexp(z, axis=-1):
    """m + log Σ e^{z - m}, the axis reduced away."""
    x = _work(z)
    _, lse = _shifted_lse(x, axis)
    out = np.squeeze(np.max(x, axis=axis, keepdims=True) + lse, axis=axis)
    return np.asarray(out).astype(np.asarray(z).dtype)


FUNCTIONS = provides(
    "activation", sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu,
    leaky_relu_grad, softmax, gelu, gelu_tanh, silu, softplus, elu, log_softmax, logsumexp,
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


def gelu_backward(w, z):
    """w·(Φ(z) + z·φ(z)), in float64."""
    x = np.asarray(z, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        density = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        slope = _phi(x) + np.where(density == 0, 0, x * density)  # z·φ(z) → 0 as |z| → ∞
    return {"z": (np.asarray(w, np.float64) * slope).astype(np.asarray(z).dtype)}


def gelu_tanh_backward(w, z):
    """w·(σ(2w) + z·2w'·σ(2w)σ(-2w)) of z·σ(2w)."""
    x = _work(z)
    w2, dw2 = _gelu_tanh_parts(x)
    s, p = _sigmoid(w2), _sigmoid(w2) * _sigmoid(-w2)
    with np.errstate(over="ignore", invalid="ignore"):
        slope = s + np.where(p == 0, 0, x * dw2 * p)  # p = 0 where z·2w' overflows
    return {"z": (_work(w) * slope).astype(np.asarray(z).dtype)}


def silu_backward(w, z):
    """w·σ(z)(1 + z·σ(-z))."""
    x = _work(z)
    return {"z": (_work(w) * _sigmoid(x) * (1 + x * _sigmoid(-x))).astype(np.asarray(z).dtype)}


def softplus_backward(w, z, beta=1.0):
    """w·σ(βz)."""
    return {"z": (_work(w) * _sigmoid(beta * _work(z))).astype(np.asarray(z).dtype)}


def elu_backward(w, z, alpha=1.0):
    """w where z > 0, else w·α·e^z (α at z = 0, the left derivative)."""
    x = _work(z)
    slope = np.where(x > 0, 1, alpha * np.exp(np.minimum(x, 0)))
    return {"z": (_work(w) * slope).astype(np.asarray(z).dtype)}


def log_softmax_backward(w, z, axis=-1):
    """w - exp(out)·Σw along the axis, from the forward's output (the standard backward)."""
    s, v = np.exp(_work(log_softmax(z, axis))), _work(w)
    return {"z": (v - s * np.sum(v, axis=axis, keepdims=True)).astype(np.asarray(z).dtype)}


def logsumexp_backward(w, z, axis=-1):
    """w·softmax(z), w broadcast along the reduced axis."""
    v = np.expand_dims(_work(w), axis)
    return {"z": (v * _work(softmax(z, axis))).astype(np.asarray(z).dtype)}


GRADIENTS = backward_passes(
    "activation", sigmoid_backward, tanh_backward, relu_backward, leaky_relu_backward,
    softmax_backward, gelu_backward, gelu_tanh_backward, silu_backward, softplus_backward,
    elu_backward, log_softmax_backward, logsumexp_backward,
)
