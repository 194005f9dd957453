"""Losses as outsiders write them: sklearn/SciPy/torch wrappers, textbook BCE, Python loops."""
from __future__ import annotations

import functools
import math

import numpy as np
import scipy.special
import sklearn.metrics
import torch
import torch.nn.functional as F

from . import Outsider


def mse_sklearn(y_true, y_pred):
    """Thin scikit-learn wrapper: mean_squared_error on the flattened arrays (raises on NaN)."""
    return sklearn.metrics.mean_squared_error(np.ravel(y_true), np.ravel(y_pred))


def mse_validated_shapes(y_true, y_pred):
    """Input validation first: ValueError unless the shapes match, then mean of squares."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has shape {y_true.shape} but y_pred has {y_pred.shape}")
    return np.mean((y_true - y_pred) ** 2)


def mae_torch_l1(y_true, y_pred):
    """Thin torch wrapper: F.l1_loss(input=y_pred, target=y_true), torch's argument order."""
    return F.l1_loss(torch.as_tensor(y_pred), torch.as_tensor(y_true)).numpy()


def mae_functools_reduce(y_true, y_pred):
    """functools.reduce over the flattened pairs, Python floats, divided by n."""
    pairs = zip(np.ravel(y_true).tolist(), np.ravel(y_pred).tolist())
    total = functools.reduce(lambda acc, yp: acc + abs(yp[0] - yp[1]), pairs, 0.0)
    return total / np.size(y_true)


def huber_python_loop(y_true, y_pred, delta=1.0):
    """A plain loop over elements with an if/else per residual."""
    total, n = 0.0, 0
    for y, p in zip(np.ravel(y_true).tolist(), np.ravel(y_pred).tolist()):
        r = abs(y - p)
        total += 0.5 * r * r if r <= delta else delta * r - 0.5 * delta * delta
        n += 1
    return total / n


def huber_torch(y_true, y_pred, delta=1.0):
    """Thin torch wrapper: F.huber_loss(input, target, delta=delta)."""
    return F.huber_loss(torch.as_tensor(y_pred), torch.as_tensor(y_true), delta=delta).numpy()


def bce_textbook(y_true, p):
    """The textbook -(y log p + (1-y) log(1-p)) written plainly, for p in (0, 1) (assume)."""
    y, p = np.asarray(y_true), np.asarray(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def bce_scipy_xlogy(y_true, p):
    """SciPy's xlogy/xlog1py, so that 0·log 0 = 0 at p ∈ {0, 1}."""
    y, p = np.asarray(y_true), np.asarray(p)
    with np.errstate(divide="ignore"):
        return -np.mean(scipy.special.xlogy(y, p) + scipy.special.xlog1py(1 - y, -p))


def cce_scipy_xlogy(y_onehot, p):
    """-Σ xlogy(y, p) over classes, averaged over samples."""
    with np.errstate(divide="ignore"):
        return -np.mean(np.sum(scipy.special.xlogy(y_onehot, p), axis=-1))


def cce_nested_loops(y_onehot, p):
    """Nested loops over samples and classes with math.log, skipping y = 0 entries."""
    y, p = np.asarray(y_onehot), np.asarray(p)
    rows_y = y.reshape(-1, y.shape[-1]).tolist()
    rows_p = p.reshape(-1, p.shape[-1]).tolist()
    total = 0.0
    for ry, rp in zip(rows_y, rows_p):
        for yi, pi in zip(ry, rp):
            if math.isnan(yi) or math.isnan(pi):
                return math.nan
            if yi != 0:
                total -= yi * (math.log(pi) if pi > 0 else -math.inf)
    return total / len(rows_y)


def focal_validated(y_true, p, alpha=0.25, gamma=2.0):
    """Validates (shapes, NaN: ValueError), then the RetinaNet formula with np.where."""
    y, p = np.asarray(y_true), np.asarray(p)
    if y.shape != p.shape:
        raise ValueError(f"y_true shape {y.shape} != p shape {p.shape}")
    if np.isnan(y).any() or np.isnan(p).any():
        raise ValueError("focal: inputs contain NaN")
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -alpha_t * (1 - p_t) ** gamma * np.log(p_t)
    return np.mean(terms.astype(p.dtype))


def bce_optax_style_open_interval(y_true, p):
    """-(y log p + (1-y) log1p(-p)) for p strictly inside (0, 1), as optax documents."""
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p))


VARIANTS = [
    Outsider("loss.mse", mse_sklearn, "refusal"),
    Outsider("loss.mse", mse_validated_shapes, "refusal"),
    Outsider("loss.mae", mae_torch_l1),
    Outsider("loss.mae", mae_functools_reduce),
    Outsider("loss.huber", huber_python_loop),
    Outsider("loss.huber", huber_torch),
    Outsider("loss.binary_cross_entropy", bce_textbook, "textbook-evaluation",
             {"assume": "np.all((p > 0) & (p < 1))"}),
    Outsider("loss.binary_cross_entropy", bce_scipy_xlogy),
    Outsider("loss.binary_cross_entropy", bce_optax_style_open_interval, "assumption",
             {"assume": "np.all((p > 0) & (p < 1))"}),
    Outsider("loss.categorical_cross_entropy", cce_scipy_xlogy),
    Outsider("loss.categorical_cross_entropy", cce_nested_loops),
    Outsider("loss.focal", focal_validated, "refusal"),
]
