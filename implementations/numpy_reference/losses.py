"""Losses, written to be copied: the mean over all elements (categorical: over samples).

Sums are accumulated in float64 (float16 and float32 inputs lose nothing to it) and
rounded once to the input dtype. 0·log 0 = 0; log(1-p) is log1p(-p).
"""
import numpy as np


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


FUNCTIONS = {
    "loss.mse": mse,
    "loss.mae": mae,
    "loss.huber": huber,
    "loss.binary_cross_entropy": binary_cross_entropy,
    "loss.categorical_cross_entropy": categorical_cross_entropy,
    "loss.focal": focal,
}
