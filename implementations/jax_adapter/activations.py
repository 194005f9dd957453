"""jax.nn activations; the *_grad ids are jax.vjp of the activation with a cotangent of ones."""
import jax
import numpy as np

from ..base import KnownDeviation
from .arrays import derivative, flushed, gradients, numpy_functions


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


_ACTIVATIONS = (sigmoid, tanh, relu, leaky_relu)

FUNCTIONS = {
    **numpy_functions("activation", *_ACTIVATIONS, softmax),
    **{f"activation.{f.__name__}_grad": derivative(f) for f in _ACTIVATIONS},
}

GRADIENTS = gradients("activation", *_ACTIVATIONS, softmax)


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
