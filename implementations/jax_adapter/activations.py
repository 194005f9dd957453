"""jax.nn activations; the *_grad ids are jax.vjp of the activation with a cotangent of ones."""
import math

import jax
import numpy as np
import scipy.special

from mathoracle.core.formats import finfo

from ..base import KnownDeviation
from .arrays import FTZ_REFERENCE, derivative, flushed, gradients, numpy_functions


def sigmoid(z):
    """jax.nn.sigmoid."""
    return jax.nn.sigmoid(z)


def tanh(z):
    """jax.nn.tanh."""
    return jax.nn.tanh(z)


def relu(z):
    """jax.nn.relu (its derivative at 0 is 0)."""
    return jax.nn.relu(z)


def leaky_relu(z, alpha=0.01):
    """jax.nn.leaky_relu(z, negative_slope=alpha)."""
    return jax.nn.leaky_relu(z, negative_slope=alpha)


def softmax(z, axis=-1):
    """jax.nn.softmax(z, axis=axis)."""
    return jax.nn.softmax(z, axis=axis)


def gelu(z):
    """jax.nn.gelu(z, approximate=False) (JAX's default is the tanh approximation)."""
    return jax.nn.gelu(z, approximate=False)


def gelu_tanh(z):
    """jax.nn.gelu(z, approximate=True)."""
    return jax.nn.gelu(z, approximate=True)


def silu(z):
    """jax.nn.silu."""
    return jax.nn.silu(z)


def softplus(z):
    """jax.nn.softplus (no β: the check holds β at 1)."""
    return jax.nn.softplus(z)


def elu(z, alpha=1.0):
    """jax.nn.elu(z, alpha=alpha)."""
    return jax.nn.elu(z, alpha=alpha)


def log_softmax(z, axis=-1):
    """jax.nn.log_softmax(z, axis=axis)."""
    return jax.nn.log_softmax(z, axis=axis)


def logsumexp(z, axis=-1):
    """jax.nn.logsumexp(z, axis=axis) (JAX's default, axis=None, spans all elements)."""
    return jax.nn.logsumexp(z, axis=axis)


_ACTIVATIONS = (sigmoid, tanh, relu, leaky_relu)
_BEYOND = (gelu, gelu_tanh, silu, softplus, elu, log_softmax, logsumexp)

FUNCTIONS = {
    **numpy_functions("activation", *_ACTIVATIONS, softmax, *_BEYOND),
    **{f"activation.{f.__name__}_grad": derivative(f) for f in _ACTIVATIONS},
}

GRADIENTS = gradients("activation", *_ACTIVATIONS, softmax, *_BEYOND)


def _zero_kink(kw) -> bool:
    return bool(np.any(np.asarray(kw["z"]) == 0)) and kw.get("alpha", 0.01) != 1


_LEAKY = dict(
    summary="the derivative at z = 0 is 1, not α: jax.nn.leaky_relu is where(z ≥ 0, z, αz), "
            "so z = 0 takes the identity branch",
    reason="JAX defines leaky_relu with x ≥ 0 on the identity side; autodiff differentiates "
           "the branch taken (the catalogue, like torch, takes α at the kink)",
    reference="https://docs.jax.dev/en/latest/_autosummary/jax.nn.leaky_relu.html",
    witness={"z": np.array([0.0]), "alpha": 0.0}, region=_zero_kink)
_SUB = {"z": np.array([1e-310])}

DEVIATIONS = (
    KnownDeviation(oracle="activation.leaky_relu", properties=("gradient",), **_LEAKY),
    KnownDeviation(oracle="activation.leaky_relu_grad", properties=("agreement", "edges"), **_LEAKY),
    flushed("activation.leaky_relu", ("gradient",), "the derivative at a subnormal z < 0 is 1, "
            "not α (z is read as 0, and 0 takes the identity branch)",
            {"z": np.array([-1e-310]), "alpha": 0.0}),
    flushed("activation.leaky_relu_grad", ("agreement", "edges"), "the derivative at a subnormal "
            "z < 0 is 1, not α (z is read as 0)", {"z": np.array([-1e-310]), "alpha": 0.0}),
    flushed("activation.relu", ("gradient",), "the derivative at a subnormal z > 0 is 0, not 1 "
            "(z is read as 0)", _SUB),
    flushed("activation.relu_grad", ("agreement", "edges", "one_where_positive"),
            "the derivative at a subnormal z > 0 is 0, not 1 (z is read as 0)", _SUB),
)


# --- beyond the seed --------------------------------------------------------------------

def _z(kw):
    return np.asarray(kw["z"])


def _limit(kw, f) -> float:
    return float(f(finfo(_z(kw).dtype)))


def _sigma_subnormal(kw) -> bool:
    """σ(z) ≈ e^z is subnormal: z < log(tiny)."""
    return bool(np.any(_z(kw) < _limit(kw, lambda fi: np.log(float(fi.tiny)))))


def _gelu_tail_subnormal(kw) -> bool:
    """z < 0 where erfc(-z/√2) or e^{-z²/2} (GELU's Φ and φ, in float64) is subnormal."""
    x = _z(kw).astype(np.float64)
    tiny = _limit(kw, lambda fi: float(fi.tiny))
    with np.errstate(under="ignore", over="ignore"):
        small = (scipy.special.erfc(-x * math.sqrt(0.5)) < tiny) | (np.exp(-0.5 * x * x) < tiny)
    return bool(np.any((x < 0) & small))


def _softmax_subnormal(kw) -> bool:
    """Some e^{z_j - max z} of a slice (logsumexp's gradient, softmax) is subnormal."""
    z = _z(kw).astype(np.float64)
    axis = kw.get("axis", -1)
    with np.errstate(invalid="ignore"):
        d = z - np.max(z, axis=axis, keepdims=True)
    return bool(np.any(d < _limit(kw, lambda fi: np.log(float(fi.tiny)))))


def _times_cotangent_overflows(kw) -> bool:
    """w·z may overflow for the gradient property's cotangents (|w| ≤ 3): |z| > max/4."""
    return bool(np.any(np.abs(_z(kw)) > _limit(kw, lambda fi: float(fi.max) / 4)))


def _three_z_squared_overflows(kw) -> bool:
    return bool(np.any(np.abs(_z(kw)) > _limit(kw, lambda fi: np.sqrt(float(fi.max) / 3))))


_SOURCE = "https://github.com/jax-ml/jax/blob/main/jax/_src/nn/functions.py"
_LAX = "https://github.com/jax-ml/jax/blob/main/jax/_src/lax/lax.py"
_FTZ_RESULT = ("XLA's CPU backend flushes subnormal results to zero: an intermediate that is "
               "subnormal is 0 before a factor brings the result back into the normal range")
_NAN_PRODUCT = dict(
    properties=("gradient",),
    summary="the derivative is NaN where w·z overflows (w the cotangent): inf·0",
    reason="autodiff of a product z·g(z) forms the cotangent times z first, and where g' is 0 "
           "(saturation) inf·0 is NaN",
    reference=_SOURCE, witness={"z": np.array([1.7976931348623157e308]),
                                "cotangent": np.array([2.0])},
    region=_times_cotangent_overflows)

DEVIATIONS = DEVIATIONS + (
    KnownDeviation(oracle="activation.gelu", **_NAN_PRODUCT),
    KnownDeviation(oracle="activation.silu", **_NAN_PRODUCT),
    KnownDeviation(
        oracle="activation.gelu", properties=("agreement", "gradient"),
        summary="gelu(z) and its derivative are 0 where erfc(-z/√2) or φ(z) is subnormal but "
                "the result is not (z ≈ -13.0 to -13.3 in float32, -37.5 to -37.7 in float64)",
        reason=_FTZ_RESULT, reference=FTZ_REFERENCE,
        witness={"z": np.array([-13.01, -13.25], dtype=np.float32)}, region=_gelu_tail_subnormal),
    KnownDeviation(
        oracle="activation.silu", properties=("agreement", "edges", "gradient"),
        summary="silu(z) and its derivative are 0 where σ(z) is subnormal but z·σ(z) is not "
                "(z just below log(tiny): -87.3 in float32, -708.4 in float64, -9.7 in float16)",
        reason=_FTZ_RESULT + " (jax.nn.silu is z·sigmoid(z))", reference=FTZ_REFERENCE,
        witness={"z": np.array([-88.0], dtype=np.float32)}, region=_sigma_subnormal),
    KnownDeviation(
        oracle="activation.softplus", properties=("gradient",),
        summary="the derivative w·σ(z) is 0 where σ(z) is subnormal but w·σ(z) is not",
        reason=_FTZ_RESULT, reference=FTZ_REFERENCE,
        witness={"z": np.array([-88.0], dtype=np.float32), "cotangent": np.array([2.0], dtype=np.float32)},
        region=_sigma_subnormal),
    KnownDeviation(
        oracle="activation.logsumexp", properties=("gradient",),
        summary="the gradient w·softmax(z)_j is 0 where softmax(z)_j is subnormal but "
                "w·softmax(z)_j is not", reason=_FTZ_RESULT, reference=FTZ_REFERENCE,
        witness={"z": np.array([88.0, 0.0], dtype=np.float32), "axis": 0,
                 "cotangent": np.array(2.0, dtype=np.float32)}, region=_softmax_subnormal),
    KnownDeviation(
        oracle="activation.softmax", properties=("gradient",),
        summary="the gradient s_j·(w_j - Σ s·w) is 0 where s_j = softmax(z)_j is subnormal but "
                "the product is not", reason=_FTZ_RESULT, reference=FTZ_REFERENCE,
        witness={"z": np.array([88.0, 0.0], dtype=np.float32), "axis": 0,
                 "cotangent": np.array([1.0, -1.0], dtype=np.float32)}, region=_softmax_subnormal),
    KnownDeviation(
        oracle="activation.gelu_tanh", properties=("gradient",),
        summary="the derivative is NaN where 3z² overflows (|z| > 1.1e19 in float32, 7.7e153 in "
                "float64, 148 in float16): (1 - tanh²w)·3z² = 0·inf",
        reason="autodiff of 0.044715·z³ forms 3z² (integer_pow's derivative) without a guard",
        reference=_SOURCE, witness={"z": np.array([1e300])}, region=_three_z_squared_overflows),
    KnownDeviation(
        oracle="activation.gelu_tanh", properties=("gradient",),
        summary="the derivative in the tail -7.35 < z < -6.2 (float64) is off by up to 300 u: "
                "XLA's tanh is up to 7 ulp off near ±1, and the backward's ½z·w'·(1 - t)(1 + t) "
                "amplifies it about 50-fold",
        reason="jax differentiates ½(1 + tanh w) through lax.tanh's rule 1 - t², written "
               "(1 - t) + (1 - t)·t, from XLA's float64 tanh, which is not accurate to the last "
               "few bits near saturation",
        reference=_LAX, witness={"z": np.array([-7.3])}, region=lambda kw: bool(np.any(_z(kw) < -6))),
    flushed("activation.elu", ("gradient",), "the derivative at a subnormal z > 0 is α, not 1 "
            "(z is read as 0)", {"z": np.array([1e-310]), "alpha": 0.5}),
    KnownDeviation(
        oracle="activation.elu", properties=("gradient",),
        summary="the derivative α·e^z is computed as α·(expm1(z) + 1), which cancels for z ≪ 0: "
                "beyond the allowance below z ≈ -5, 0 below z ≈ -37 (float64), -17 (float32)",
        reason="lax.expm1's derivative rule is g·(ans + 1), from the forward's output",
        reference=_LAX, witness={"z": np.array([-40.0])}, region=lambda kw: bool(np.any(_z(kw) < -4))),
)
