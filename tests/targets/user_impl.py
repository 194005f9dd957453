"""A user's whole implementation as a module: FUNCTIONS, and a declared convention."""
import numpy as np

CONVENTIONS = ["relu_grad_at_zero=1"]


def relu(z):
    return np.where(np.isnan(z), z, np.maximum(z, np.zeros_like(z)))


def relu_grad(z):
    """1 where z >= 0: ReLU'(0) = 1, as declared."""
    return (z >= 0).astype(z.dtype)


FUNCTIONS = {"activation.relu": relu, "activation.relu_grad": relu_grad}
