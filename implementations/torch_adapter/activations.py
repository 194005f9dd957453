"""torch activations; the *_grad ids are torch's own autograd backward."""
import torch
import torch.nn.functional as F

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


_ACTIVATIONS = (sigmoid, tanh, relu, leaky_relu)

FUNCTIONS = {
    **numpy_functions("activation", *_ACTIVATIONS, softmax),
    **{f"activation.{f.__name__}_grad": derivative(f) for f in _ACTIVATIONS},
}

GRADIENTS = gradients("activation", *_ACTIVATIONS, softmax)
