"""Sigmoids for the sweep tests: right everywhere but one input, and one that is slow."""
import time

import numpy as np

WRONG_AT = 1.5  # a float16, bfloat16 and float8 value


def _sigmoid(z):
    x = np.asarray(z).astype(np.float64)
    return 1 / (1 + np.exp(-x))


def sigmoid_wrong_once(z):
    """σ correctly rounded, except at 1.5, where it returns σ(-1.5) (one input in the format)."""
    out = _sigmoid(z)
    out = np.where(np.asarray(z) == WRONG_AT, 1 - out, out)
    return out.astype(np.asarray(z).dtype)


def sigmoid_slow(z):
    """σ, correctly rounded, taking 0.2 s a call (a sweep that can be killed midway)."""
    time.sleep(0.2)
    return _sigmoid(z).astype(np.asarray(z).dtype)


def sigmoid_nan_to_half(z):
    """σ that returns 0.5 for NaN: a broken NaN contract, right on every finite input."""
    out = _sigmoid(z)
    return np.where(np.isnan(out), 0.5, out).astype(np.asarray(z).dtype)
