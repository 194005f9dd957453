"""torch losses (reduction="mean"); torch takes (input, target), the catalogue (y_true, y_pred)."""
import numpy as np
import torch
import torch.nn.functional as F

from ..base import KnownDeviation


def _t(a):
    return torch.from_numpy(np.ascontiguousarray(a))


def mse(y_true, y_pred):
    """F.mse_loss(y_pred, y_true)."""
    return F.mse_loss(_t(y_pred), _t(y_true)).numpy()


def mae(y_true, y_pred):
    """F.l1_loss(y_pred, y_true)."""
    return F.l1_loss(_t(y_pred), _t(y_true)).numpy()


def huber(y_true, y_pred, delta=1.0):
    """F.huber_loss(y_pred, y_true, delta=delta) (not smooth_l1_loss, which is huber/δ)."""
    return F.huber_loss(_t(y_pred), _t(y_true), delta=delta).numpy()


def binary_cross_entropy(y_true, p):
    """F.binary_cross_entropy(p, y_true)."""
    return F.binary_cross_entropy(_t(p), _t(y_true)).numpy()


def categorical_cross_entropy(y_onehot, p):
    """F.nll_loss(log p, class index): exact for one-hot rows, and unlike cross_entropy with
    probability targets it neither renormalises p nor meets 0·log 0 in the other classes."""
    labels = torch.from_numpy(np.argmax(y_onehot, axis=-1))
    return F.nll_loss(torch.log(_t(p)), labels).numpy()


FUNCTIONS = {
    "loss.mse": mse,
    "loss.mae": mae,
    "loss.huber": huber,
    "loss.binary_cross_entropy": binary_cross_entropy,
    "loss.categorical_cross_entropy": categorical_cross_entropy,
}

NOT_APPLICABLE = {
    "loss.focal": "torch has no focal loss in its core (torchvision.ops.sigmoid_focal_loss takes "
                  "logits, and torchvision has no CPU build here)",
}


def _bce_clamped(kw):
    y = np.asarray(kw["y_true"], np.float64)
    p = np.asarray(kw["p"], np.float64)
    return bool(np.any(((y != 0) & (p < np.exp(-100))) | ((y != 1) & (1 - p < np.exp(-100)))))


DEVIATIONS = (
    KnownDeviation(
        oracle="loss.binary_cross_entropy", properties=("agreement", "edges", "two_class_cce"),
        summary="log p and log(1-p) are clamped at -100, so a term never exceeds 100",
        reason="keeps the loss finite (and its gradient usable) when p is exactly 0 or 1",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.BCELoss.html",
        witness={"y_true": np.array([1.0]), "p": np.array([1e-300])},
        region=_bce_clamped,
    ),
    KnownDeviation(
        oracle="loss.binary_cross_entropy", properties=("nan",),
        summary="raises RuntimeError on a NaN label or probability instead of returning NaN",
        reason="binary_cross_entropy validates that every input and target lies in [0, 1]",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.BCELoss.html",
        witness={"y_true": np.array([np.nan]), "p": np.array([0.5])},
        region=lambda kw: bool(np.isnan(np.asarray(kw["y_true"], np.float64)).any()
                               or np.isnan(np.asarray(kw["p"], np.float64)).any()),
    ),
    KnownDeviation(
        oracle="loss.categorical_cross_entropy", properties=("nan",),
        summary="a NaN outside the target class (in p or in the one-hot row) does not propagate",
        reason="nll_loss reads -log p at the class index only; the adapter takes the index from "
               "the one-hot row",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.functional.nll_loss.html",
        witness={"y_onehot": np.array([[0.0, 1.0]]), "p": np.array([[np.nan, 0.5]])},
        region=lambda kw: bool(np.isnan(np.asarray(kw["y_onehot"], np.float64)).any()
                               or np.isnan(np.asarray(kw["p"], np.float64)).any()),
    ),
)
