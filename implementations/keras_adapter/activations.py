"""keras.activations; each function takes the keras module first (bound per backend)."""


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


FUNCTIONS = {f"activation.{f.__name__}": f for f in (sigmoid, tanh, relu, leaky_relu, softmax)}

_GRAD = ("Keras has no derivative function: gradients come from its backend's autodiff "
         "(torch.autograd, jax.vjp), which the torch and jax implementations check")
NOT_APPLICABLE = {f"activation.{n}_grad": _GRAD for n in ("sigmoid", "tanh", "relu", "leaky_relu")}
