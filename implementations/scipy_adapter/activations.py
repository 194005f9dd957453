"""SciPy's activations: scipy.special.expit and scipy.special.softmax."""
import scipy.special


def sigmoid(z):
    """scipy.special.expit."""
    return scipy.special.expit(z)


def softmax(z, axis=-1):
    """scipy.special.softmax(axis=axis); SciPy's own default, axis=None, spans all elements."""
    return scipy.special.softmax(z, axis=axis)


FUNCTIONS = {"activation.sigmoid": sigmoid, "activation.softmax": softmax}

_NUMPY = "SciPy has no {} of its own (NumPy's is np.{}); the numpy implementation covers it"
NOT_APPLICABLE = {
    "activation.tanh": _NUMPY.format("tanh", "tanh"),
    "activation.relu": _NUMPY.format("relu", "maximum"),
    "activation.sigmoid_grad": "SciPy has no derivative of expit",
    "activation.tanh_grad": "SciPy has no derivative of tanh",
    "activation.relu_grad": "SciPy has no ReLU derivative",
    "activation.leaky_relu": "SciPy has no leaky ReLU",
    "activation.leaky_relu_grad": "SciPy has no leaky ReLU derivative",
}
