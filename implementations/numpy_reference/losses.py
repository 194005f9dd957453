"""Losses, written to be copied: the mean over all elements (categorical: over samples).

Sums are accumulated in float64 (float16 and float32 inputs lose nothing to it) and
rounded once to the input dtype. 0·log 0 = 0; log(1-p) is log1p(-p).
"""
import numpy as np

from ..base import backward_passes, provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def xlogy(x, y):
    """x·log(y), with 0 where x = 0 (so that 0·log 0 = 0); NaN propagates."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, np.where(np.isnan(y), y, 0.0), x * np.log(y))


def xlog1py(x, y):
    """x·log(1 + y), with 0 where x = 0; NaN propagates."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, np.where(np.isnan(y), y, 0.0), x * np.log1p(y))


def mse(y_true, y_pred):
    """(1/n) Σ (y - ŷ)²."""
    y, p = _f64(y_true, y_pred)
    return _out(np.mean(np.square(y - p)), y_true)


def mae(y_true, y_pred):
    """(1/n) Σ |y - ŷ|."""
    y, p = _f64(y_true, y_pred)
    return _out(np.mean(np.abs(y - p)), y_true)


def huber(y_true, y_pred, delta=1.0):
    """½r² where |r| ≤ δ, else δ|r| - ½δ², averaged; r = y - ŷ."""
    y, p = _f64(y_true, y_pred)
    r = np.abs(y - p)
    terms = np.where(r <= delta, 0.5 * r * r, delta * (r - 0.5 * delta))
    return _out(np.mean(terms), y_true)


def binary_cross_entropy(y_true, p):
    """-[y log p + (1-y) log(1-p)], averaged."""
    y, q = _f64(y_true, p)
    return _out(-np.mean(xlogy(y, q) + xlog1py(1 - y, -q)), y_true)


def categorical_cross_entropy(y_onehot, p):
    """-Σ_i y_i log p_i per sample (last axis), averaged over samples."""
    y, q = _f64(y_onehot, p)
    per_sample = -np.sum(xlogy(y, q), axis=-1)
    return _out(np.mean(per_sample), y_onehot)


def focal(y_true, p, alpha=0.25, gamma=2.0):
    """-α_t (1-p_t)^γ log p_t, averaged; p_t = p, α_t = α where y = 1, else 1-p and 1-α."""
    y, q = _f64(y_true, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        positive = -alpha * (1 - q) ** gamma * np.log(q)           # y = 1: p_t = p
        negative = -(1 - alpha) * q ** gamma * np.log1p(-q)        # y = 0: 1 - p_t = p exactly
        terms = np.where(y == 1, np.where(q == 1, 0.0 * q, positive),
                         np.where(q == 0, 0.0 * q, negative))
    terms = np.where(np.isnan(y), y, terms)
    return _out(np.mean(terms), y_true)


FUNCTIONS = provides(
    "loss", mse, mae, huber, binary_cross_entropy, categorical_cross_entropy, focal,
)


# --- gradients by the prediction, for a cotangent w of the (scalar) loss -----------------

def _per_element(w, like, n=None):
    """w/n, n the number of averaged terms (all elements by default)."""
    return float(np.asarray(w)) / (np.size(like) if n is None else n)


def scaled_ratio(c, num, den):
    """c·num/den without a needless overflow: c·(num/den), or (c·num)/den where num/den
    overflows and c < 1 brings it back (a weight of 0 gives 0)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ratio = num / den
        out = np.where(np.isfinite(ratio) | np.isnan(ratio), c * ratio, (c * num) / den)
    return np.where(np.asarray(c) == 0, 0.0, np.where(num == 0, 0.0 * den, out))


def mse_backward(w, y_true, y_pred):
    """2w(ŷ - y)/n."""
    y, p = _f64(y_true, y_pred)
    return {"y_pred": _out(2 * _per_element(w, y) * (p - y), y_pred)}


def mae_backward(w, y_true, y_pred):
    """w·sign(ŷ - y)/n (0 where ŷ = y)."""
    y, p = _f64(y_true, y_pred)
    return {"y_pred": _out(_per_element(w, y) * np.sign(p - y), y_pred)}


def huber_backward(w, y_true, y_pred, delta=1.0):
    """w·clip(ŷ - y, -δ, δ)/n."""
    y, p = _f64(y_true, y_pred)
    return {"y_pred": _out(_per_element(w, y) * np.clip(p - y, -delta, delta), y_pred)}


def binary_cross_entropy_backward(w, y_true, p):
    """(w/n)·(-y/p + (1-y)/(1-p)); a term whose label weight is 0 is 0."""
    y, q = _f64(y_true, p)
    c = _per_element(w, y)
    d = scaled_ratio(c, 1 - y, 1 - q) - scaled_ratio(c, y, q)
    return {"p": _out(np.where(np.isnan(y) | np.isnan(q), np.nan, d), p)}


def categorical_cross_entropy_backward(w, y_onehot, p):
    """-(w/samples)·y/p, 0 in the classes where y = 0."""
    y, q = _f64(y_onehot, p)
    samples = y.size // y.shape[-1] if y.ndim else 1
    return {"p": _out(-scaled_ratio(_per_element(w, y, samples), y, q), p)}


def focal_backward(w, y_true, p, alpha=0.25, gamma=2.0):
    """(w/n)·∂/∂p of -α(1-p)^γ log p (y = 1) and of -(1-α) p^γ log(1-p) (y = 0). A weight
    of 0 makes its branch 0 even where the branch's derivative overflows."""
    y, q = _f64(y_true, p)
    c = _per_element(w, y)
    a, b = c * alpha, c * (1 - alpha)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        if gamma == 0:
            one, zero = -scaled_ratio(a, 1.0, q), scaled_ratio(b, 1.0, 1 - q)
        else:
            one = (a * gamma * (1 - q) ** (gamma - 1) * np.log(q)
                   - scaled_ratio(a, (1 - q) ** gamma, q))
            zero = (scaled_ratio(b, q ** gamma, 1 - q)
                    - b * gamma * q ** (gamma - 1) * np.log1p(-q))
    one = one if a != 0 else np.zeros_like(q)
    zero = zero if b != 0 else np.zeros_like(q)
    return {"p": _out(np.where(y == 1, one, zero), p)}


GRADIENTS = backward_passes(
    "loss", mse_backward, mae_backward, huber_backward, binary_cross_entropy_backward,
    categorical_cross_entropy_backward, focal_backward,
)
