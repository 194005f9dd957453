"""jax.nn activations; the *_grad ids are jax.vjp of the activation with a cotangent of ones."""
import jax

from .arrays import derivative, gradients, numpy_functions


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
