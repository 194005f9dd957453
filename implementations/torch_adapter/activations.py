"""torch activations; the *_grad ids are torch's own autograd backward."""
import numpy as np
import torch
import torch.nn.functional as F


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def _grad(f, z, **kw):
    """d f/dz by autograd: what torch's backward computes."""
    x = _t(z).clone().requires_grad_(True)
    y = f(x, **kw)
    y.backward(torch.ones_like(y))
    return x.grad.numpy()


def sigmoid(z):
    """torch.sigmoid."""
    return torch.sigmoid(_t(z)).numpy()


def sigmoid_grad(z):
    """autograd of torch.sigmoid."""
    return _grad(torch.sigmoid, z)


def tanh(z):
    """torch.tanh."""
    return torch.tanh(_t(z)).numpy()


def tanh_grad(z):
    """autograd of torch.tanh (1 - tanh², computed from the output)."""
    return _grad(torch.tanh, z)


def relu(z):
    """torch.relu."""
    return torch.relu(_t(z)).numpy()


def relu_grad(z):
    """autograd of torch.relu (0 at z = 0)."""
    return _grad(torch.relu, z)


def leaky_relu(z, alpha=0.01):
    """F.leaky_relu(negative_slope=alpha)."""
    return F.leaky_relu(_t(z), negative_slope=alpha).numpy()


def leaky_relu_grad(z, alpha=0.01):
    """autograd of F.leaky_relu (α at z = 0)."""
    return _grad(F.leaky_relu, z, negative_slope=alpha)


def softmax(z, axis=-1):
    """torch.softmax(dim=axis)."""
    return torch.softmax(_t(z), dim=axis).numpy()


FUNCTIONS = {
    "activation.sigmoid": sigmoid,
    "activation.sigmoid_grad": sigmoid_grad,
    "activation.tanh": tanh,
    "activation.tanh_grad": tanh_grad,
    "activation.relu": relu,
    "activation.relu_grad": relu_grad,
    "activation.leaky_relu": leaky_relu,
    "activation.leaky_relu_grad": leaky_relu_grad,
    "activation.softmax": softmax,
}
