"""keras.activations; each function takes the keras module first (bound per backend)."""
import math

import numpy as np
import scipy.special

from mathoracle.core.formats import finfo

from ..base import KnownDeviation
from .numerics import float32_inside


def _np(k, x):
    return k.ops.convert_to_numpy(x)


def sigmoid(k, z):
    """keras.activations.sigmoid."""
    return _np(k, k.activations.sigmoid(z))


def tanh(k, z):
    """keras.activations.tanh."""
    return _np(k, k.activations.tanh(z))


def relu(k, z):
    """keras.activations.relu."""
    return _np(k, k.activations.relu(z))


def leaky_relu(k, z, alpha=0.01):
    """keras.activations.leaky_relu(z, negative_slope=alpha)."""
    return _np(k, k.activations.leaky_relu(z, negative_slope=alpha))


def softmax(k, z, axis=-1):
    """keras.activations.softmax(z, axis=axis)."""
    return _np(k, k.activations.softmax(z, axis=axis))


def gelu(k, z):
    """keras.activations.gelu(z, approximate=False) (Keras's default)."""
    return _np(k, k.activations.gelu(z, approximate=False))


def gelu_tanh(k, z):
    """keras.activations.gelu(z, approximate=True)."""
    return _np(k, k.activations.gelu(z, approximate=True))


def silu(k, z):
    """keras.activations.silu."""
    return _np(k, k.activations.silu(z))


def softplus(k, z):
    """keras.activations.softplus (no β: the check holds β at 1)."""
    return _np(k, k.activations.softplus(z))


def elu(k, z, alpha=1.0):
    """keras.activations.elu(z, alpha=alpha)."""
    return _np(k, k.activations.elu(z, alpha=alpha))


def log_softmax(k, z, axis=-1):
    """keras.activations.log_softmax(z, axis=axis)."""
    return _np(k, k.activations.log_softmax(z, axis=axis))


def logsumexp(k, z, axis=-1):
    """keras.ops.logsumexp(z, axis=axis) (Keras's default, axis=None, spans all elements)."""
    return _np(k, k.ops.logsumexp(z, axis=axis))


FUNCTIONS = {f"activation.{f.__name__}": f for f in (
    sigmoid, tanh, relu, leaky_relu, softmax, gelu, gelu_tanh, silu, softplus, elu, log_softmax,
    logsumexp)}

_GRAD = ("Keras has no derivative function: gradients come from its backend's autodiff "
         "(torch.autograd, jax.vjp), which the torch and jax implementations check")
NOT_APPLICABLE = {f"activation.{n}_grad": _GRAD for n in ("sigmoid", "tanh", "relu", "leaky_relu")}


# --- deviations: Keras calls torch.nn.functional / jax.nn, and inherits theirs ------------

def _z(kw):
    return np.asarray(kw["z"])


def _tiny(kw) -> float:
    return float(finfo(_z(kw).dtype).tiny)


def _gelu_tail(kw) -> bool:
    return bool(np.any(_z(kw) < -2))


def _doubled_overflows(kw) -> bool:
    z = _z(kw)
    return bool(np.any(z > float(finfo(z.dtype).max) / 2))


def _linear_branch(kw) -> bool:
    return bool(np.any(_z(kw) > 20))  # β is held at 1: keras's softplus has none


def _erfc_subnormal(kw) -> bool:
    """z < 0 where erfc(-z/√2) (in float64) is subnormal in the dtype."""
    x = _z(kw).astype(np.float64)
    return bool(np.any((x < 0) & (scipy.special.erfc(-x * math.sqrt(0.5)) < _tiny(kw))))


def _sigma_subnormal(kw) -> bool:
    return bool(np.any(_z(kw) < math.log(_tiny(kw))))


_TORCH = ("https://github.com/keras-team/keras/blob/master/keras/src/backend/torch/nn.py "
          "(gelu, softplus: torch.nn.functional's)")
_JAX = ("https://github.com/keras-team/keras/blob/master/keras/src/backend/jax/nn.py (jax.nn's); "
        "https://github.com/jax-ml/jax/issues/16200 (XLA's CPU flush to zero)")
_FTZ = ("XLA's CPU backend flushes subnormal results to zero: an intermediate that is subnormal "
        "is 0 before a factor brings the result back into the normal range")
_OVERFLOW = dict(
    summary="gelu(z) is inf for z > max/2 in float32 (arrays of 2 or more elements): torch's "
            "kernel forms z·(1 + erf(z/√2)) before the ½",
    reason="the torch backend calls torch.nn.functional.gelu", reference=_TORCH,
    witness={"z": np.array([3e38, 3e38], dtype=np.float32)}, region=_doubled_overflows)

DEVIATIONS_TORCH = (
    KnownDeviation(
        oracle="activation.gelu", properties=("agreement", "edges"),
        summary="z·½(1 + erf(z/√2)) cancels for z < 0: beyond the allowance below z ≈ -2.3, 0 "
                "once 1 + erf(z/√2) < u (z < -5.3 in float32, -8.3 in float64)",
        reason="the torch backend calls torch.nn.functional.gelu, whose CPU kernel evaluates "
               "x·0.5·(1 + erf(x/√2))", reference=_TORCH, witness={"z": np.array([-10.0])},
        region=_gelu_tail),
    KnownDeviation(oracle="activation.gelu", properties=("agreement", "edges", "odd_part",
                                                         "near_gelu_tanh"), **_OVERFLOW),
    KnownDeviation(oracle="activation.gelu_tanh", properties=("near_gelu",), **_OVERFLOW),
    KnownDeviation(
        oracle="activation.softplus", properties=("agreement", "edges", "odd_part"),
        summary="softplus(z) = z where z > threshold = 20: off by log1p(e^{-z}), up to 2e-9 "
                "(INACCURATE in float64, within float32's rounding)",
        reason="the torch backend calls torch.nn.functional.softplus, which 'reverts to the "
               "linear function when input × β > threshold' (20)", reference=_TORCH,
        witness={"z": np.array([21.0])}, region=_linear_branch),
)

_TANH_F32 = ("float64 input is computed and returned in float32 on the jax backend: keras.ops.tanh "
             "casts to result_type(x.dtype, float) (tanh(0.5) comes back as float32)")

DEVIATIONS_JAX = (
    float32_inside("activation.tanh", _TANH_F32, {"z": np.array([0.5])}),
    float32_inside("activation.sigmoid", _TANH_F32 + ", which the sigmoid-tanh relation calls",
                   {"z": np.array([0.5])}, properties=("tanh_relation",)),
    KnownDeviation(
        oracle="activation.silu", properties=("agreement", "edges"),
        summary="silu(z) is 0 where σ(z) is subnormal but z·σ(z) is not (z just below "
                "log(tiny): -87.3 in float32, -708.4 in float64, -9.7 in float16)",
        reason=_FTZ + " (jax.nn.silu is z·sigmoid(z))", reference=_JAX,
        witness={"z": np.array([-88.0], dtype=np.float32)}, region=_sigma_subnormal),
    KnownDeviation(
        oracle="activation.gelu", properties=("agreement",),
        summary="gelu(z) is 0 where erfc(-z/√2) is subnormal but ½z·erfc(-z/√2) is not "
                "(z ≈ -13.0 in float32, -37.5 in float64)",
        reason=_FTZ + " (jax.nn.gelu is ½z·erfc(-z/√2))", reference=_JAX,
        witness={"z": np.array([-13.01], dtype=np.float32)}, region=_erfc_subnormal),
)
