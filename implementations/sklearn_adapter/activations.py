"""scikit-learn's activations: sklearn.neural_network._base, what MLPClassifier uses.

They work in place on 2-D arrays; the derivatives take the activation's output Z and
multiply a delta in place, so the derivative at z is DERIVATIVES[name](f(z), ones).
"""
import numpy as np
from sklearn.neural_network._base import ACTIVATIONS, DERIVATIVES

from ..base import provides


def _apply(name, z):
    out = np.array(z, copy=True)
    ACTIVATIONS[name](out)
    return out


def _derivative(name, z):
    out = _apply(name, z)
    delta = np.ones_like(out)
    DERIVATIVES[name](out, delta)
    return delta


def sigmoid(z):
    """ACTIVATIONS['logistic']."""
    return _apply("logistic", z)


def sigmoid_grad(z):
    """DERIVATIVES['logistic'] at Z = logistic(z): Z(1 - Z)."""
    return _derivative("logistic", z)


def tanh(z):
    """ACTIVATIONS['tanh']."""
    return _apply("tanh", z)


def tanh_grad(z):
    """DERIVATIVES['tanh'] at Z = tanh(z): 1 - Z²."""
    return _derivative("tanh", z)


def relu(z):
    """ACTIVATIONS['relu']."""
    return _apply("relu", z)


def relu_grad(z):
    """DERIVATIVES['relu'] at Z = relu(z): 0 where Z == 0 (so 0 at z = 0)."""
    return _derivative("relu", z)


def softmax(z, axis=-1):
    """ACTIVATIONS['softmax'], which normalises rows of a 2-D array: move axis last, flatten."""
    moved = np.moveaxis(np.asarray(z), axis, -1)
    rows = np.array(moved.reshape(-1, moved.shape[-1]), copy=True)
    ACTIVATIONS["softmax"](rows)
    return np.moveaxis(rows.reshape(moved.shape), -1, axis)


FUNCTIONS = provides(
    "activation", sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, softmax,
)

NOT_APPLICABLE = {
    "activation.leaky_relu": "scikit-learn's MLP activations have no leaky ReLU",
    "activation.leaky_relu_grad": "scikit-learn's MLP activations have no leaky ReLU",
}
