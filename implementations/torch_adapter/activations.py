"""torch activations; the *_grad ids are torch's own autograd backward."""
import numpy as np
import torch
import torch.nn.functional as F

from mathoracle.core.formats import finfo

from ..base import KnownDeviation
from .tensors import derivative, gradients, numpy_functions


def sigmoid(z):
    """torch.sigmoid."""
    return torch.sigmoid(z)


def tanh(z):
    """torch.tanh."""
    return torch.tanh(z)


def relu(z):
    """torch.relu (its backward is 0 at z = 0)."""
    return torch.relu(z)


def leaky_relu(z, alpha=0.01):
    """F.leaky_relu(negative_slope=alpha) (its backward is α at z = 0)."""
    return F.leaky_relu(z, negative_slope=alpha)


def softmax(z, axis=-1):
    """torch.softmax(dim=axis)."""
    return torch.softmax(z, dim=axis)


def gelu(z):
    """F.gelu (approximate="none")."""
    return F.gelu(z)


def gelu_tanh(z):
    """F.gelu(approximate="tanh")."""
    return F.gelu(z, approximate="tanh")


def silu(z):
    """F.silu."""
    return F.silu(z)


def softplus(z, beta=1.0):
    """F.softplus(beta=beta) at its default threshold=20 (linear where βz > 20)."""
    return F.softplus(z, beta=beta)


def elu(z, alpha=1.0):
    """F.elu(alpha=alpha)."""
    return F.elu(z, alpha=alpha)


def log_softmax(z, axis=-1):
    """F.log_softmax(dim=axis)."""
    return F.log_softmax(z, dim=axis)


def logsumexp(z, axis=-1):
    """torch.logsumexp(dim=axis)."""
    return torch.logsumexp(z, dim=axis)


_ACTIVATIONS = (sigmoid, tanh, relu, leaky_relu)
_BEYOND = (gelu, gelu_tanh, silu, softplus, elu, log_softmax, logsumexp)

FUNCTIONS = {
    **numpy_functions("activation", *_ACTIVATIONS, softmax, *_BEYOND),
    **{f"activation.{f.__name__}_grad": derivative(f) for f in _ACTIVATIONS},
}

GRADIENTS = gradients("activation", *_ACTIVATIONS, softmax, *_BEYOND)


def _z(kw):
    return np.asarray(kw["z"])


def _tail(kw) -> bool:
    return bool(np.any(_z(kw) < -2))


def _doubled_overflows(kw) -> bool:
    z = _z(kw)
    return bool(np.any(z > float(finfo(z.dtype).max) / 2))


def _square_overflows(kw) -> bool:
    z = _z(kw)
    return bool(np.any(np.abs(z) > np.sqrt(float(finfo(z.dtype).max))))


def _linear_branch(kw) -> bool:
    with np.errstate(over="ignore"):
        return bool(np.any(_z(kw) * kw.get("beta", 1.0) > 20))


_KERNEL = ("https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/cpu/Activation.cpp "
           "(GeluKernelImpl, GeluBackwardKernelImpl)")
_OVERFLOW = dict(
    summary="gelu(z) is inf for z > max/2 in float32 (arrays of 2 or more elements): "
            "z·(1 + erf(z/√2)) overflows before the ½",
    reason="the vectorised float32 kernel forms x·(1 + erf(x/√2)) and then halves it (the "
           "scalar path, taken for one element, does not overflow)",
    reference=_KERNEL, witness={"z": np.array([3e38, 3e38], dtype=np.float32)},
    region=_doubled_overflows)

DEVIATIONS = (
    KnownDeviation(
        oracle="activation.gelu", properties=("agreement", "edges", "gradient"),
        summary="z·½(1 + erf(z/√2)) cancels for z < 0: beyond the allowance below z ≈ -2.3, "
                "and 0 (derivative too) once 1 + erf(z/√2) < u (z < -5.3 in float32, -8.3 in "
                "float64; exact: -7.6e-23 at z = -10)",
        reason="the CPU kernels evaluate GELU's textbook form x·0.5·(1 + erf(x/√2)), and its "
               "backward 0.5·(1 + erf(x/√2)) + x·φ(x), rather than erfc(-x/√2)",
        reference=_KERNEL, witness={"z": np.array([-10.0])}, region=_tail),
    KnownDeviation(oracle="activation.gelu", properties=("agreement", "edges", "odd_part",
                                                         "near_gelu_tanh"), **_OVERFLOW),
    KnownDeviation(oracle="activation.gelu_tanh", properties=("near_gelu",), **_OVERFLOW),
    KnownDeviation(
        oracle="activation.gelu_tanh", properties=("gradient",),
        summary="the derivative is NaN where z² overflows (|z| > 1.8e19 in float32, 1.3e154 in "
                "float64): the backward forms (1 - tanh²w)·(1 + 3·0.044715·z²) = 0·inf",
        reason="GeluBackwardKernelImpl (tanh) multiplies the saturated 1 - tanh² by the "
               "derivative of the cubic without a guard",
        reference=_KERNEL, witness={"z": np.array([1e300])}, region=_square_overflows),
    KnownDeviation(
        oracle="activation.softplus", properties=("agreement", "edges", "odd_part", "gradient"),
        summary="softplus(z) = z (and its derivative 1) where βz > threshold = 20: off by "
                "log1p(e^{-βz})/β, up to 2e-9 absolute (INACCURATE in float64, within "
                "float32's rounding)",
        reason="'For numerical stability the implementation reverts to the linear function when "
               "input × β > threshold' (threshold defaults to 20)",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.functional.softplus.html",
        witness={"z": np.array([21.0]), "beta": 1.0}, region=_linear_branch),
)
