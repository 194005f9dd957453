"""SciPy's activations: scipy.special.expit, softmax, softplus, log_softmax and logsumexp."""
import scipy.special


def sigmoid(z):
    """scipy.special.expit."""
    return scipy.special.expit(z)


def softmax(z, axis=-1):
    """scipy.special.softmax(axis=axis); SciPy's own default, axis=None, spans all elements."""
    return scipy.special.softmax(z, axis=axis)


def softplus(z):
    """scipy.special.softplus (no β: the check holds β at 1)."""
    return scipy.special.softplus(z)


def log_softmax(z, axis=-1):
    """scipy.special.log_softmax(axis=axis) (SciPy's default, axis=None, spans all elements)."""
    return scipy.special.log_softmax(z, axis=axis)


def logsumexp(z, axis=-1):
    """scipy.special.logsumexp(axis=axis) (SciPy's default, axis=None, spans all elements)."""
    return scipy.special.logsumexp(z, axis=axis)


FUNCTIONS = {f"activation.{f.__name__}": f
             for f in (sigmoid, softmax, softplus, log_softmax, logsumexp)}

_NUMPY = "SciPy has no {} of its own (NumPy's is np.{}); the numpy implementation covers it"
NOT_APPLICABLE = {
    "activation.tanh": _NUMPY.format("tanh", "tanh"),
    "activation.relu": _NUMPY.format("relu", "maximum"),
    "activation.sigmoid_grad": "SciPy has no derivative of expit",
    "activation.tanh_grad": "SciPy has no derivative of tanh",
    "activation.relu_grad": "SciPy has no ReLU derivative",
    "activation.leaky_relu": "SciPy has no leaky ReLU",
    "activation.leaky_relu_grad": "SciPy has no leaky ReLU derivative",
    "activation.gelu": "SciPy has no GELU; z·scipy.special.ndtr(z) is one (ndtr keeps the tail "
                       "z ≪ 0 that 1 + erf(z/√2) cancels)",
}
