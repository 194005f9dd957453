"""torch losses (reduction="mean"); torch takes (input, target), the catalogue (y_true, y_pred)."""
import numpy as np
import torch
import torch.nn.functional as F

from ..base import KnownDeviation, any_subnormal
from .tensors import gradients, numpy_functions


def mse(y_true, y_pred):
    """F.mse_loss(y_pred, y_true)."""
    return F.mse_loss(y_pred, y_true)


def mae(y_true, y_pred):
    """F.l1_loss(y_pred, y_true)."""
    return F.l1_loss(y_pred, y_true)


def huber(y_true, y_pred, delta=1.0):
    """F.huber_loss(y_pred, y_true, delta=delta) (not smooth_l1_loss, which is huber/δ)."""
    return F.huber_loss(y_pred, y_true, delta=delta)


def binary_cross_entropy(y_true, p):
    """F.binary_cross_entropy(p, y_true)."""
    return F.binary_cross_entropy(p, y_true)


def categorical_cross_entropy(y_onehot, p):
    """F.nll_loss(log p, class index): exact for one-hot rows, and unlike cross_entropy with
    probability targets it neither renormalises p nor meets 0·log 0 in the other classes."""
    return F.nll_loss(torch.log(p), torch.argmax(y_onehot, dim=-1))


_LOSSES = (mse, mae, huber, binary_cross_entropy, categorical_cross_entropy)
FUNCTIONS = numpy_functions("loss", *_LOSSES)
GRADIENTS = gradients("loss", *_LOSSES)
NOT_APPLICABLE = {
    "loss.focal": "torch has no focal loss in its core (torchvision.ops.sigmoid_focal_loss takes "
                  "logits, and torchvision has no CPU build here)",
}


def _p(kw):
    return np.asarray(kw["p"], np.float64)


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
        oracle="loss.categorical_cross_entropy", properties=("nan",),
        summary="a NaN in the one-hot row does not propagate: the class index is taken from it",
        reason="nll_loss reads -log p at the class index only; the adapter takes the index from "
               "the one-hot row (argmax), where a NaN label is lost",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.functional.nll_loss.html",
        witness={"y_onehot": np.array([[np.nan, 1.0]]), "p": np.array([[0.5, 0.5]])},
        region=lambda kw: bool(np.isnan(np.asarray(kw["y_onehot"], np.float64)).any()),
    ),
    KnownDeviation(
        oracle="loss.binary_cross_entropy", properties=("gradient",),
        summary="the gradient by p is (p - y)/max(p(1 - p), 1e-12): wrong where p(1 - p) < "
                "1e-12 (0 instead of 1 at y = 0, p = 0; NaN in float16, where 1e-12 underflows)",
        reason="binary_cross_entropy_backward clamps the denominator with EPSILON = 1e-12 so "
               "that the gradient stays finite at p = 0 and p = 1",
        reference="https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Loss.cpp "
                  "(binary_cross_entropy_backward, EPSILON)",
        witness={"y_true": np.array([0.0]), "p": np.array([0.0])},
        region=lambda kw: bool(np.any(_p(kw) * (1 - _p(kw)) < 1e-12)),
    ),
    KnownDeviation(
        oracle="loss.categorical_cross_entropy", properties=("gradient",),
        summary="the gradient is NaN in a class whose p is 0: log p is -inf, and its backward "
                "multiplies nll_loss's 0 by 1/0",
        reason="autograd of log at 0 is inf; the chain rule multiplies it by the zero "
               "gradient of the classes that are not the target (torch.xlogy does the same)",
        reference="https://github.com/pytorch/pytorch/issues/89558 (the gradient of xlogy-based "
                  "losses at (0, 0))",
        witness={"y_onehot": np.array([[1.0, 0.0]]), "p": np.array([[1.0, 0.0]])},
        region=lambda kw: bool(np.any(np.asarray(kw["p"], np.float64) == 0)),
    ),
    KnownDeviation(
        oracle="loss.binary_cross_entropy", properties=("gradient",),
        summary="the gradient by p is 0 where p is subnormal and y = 0: the backward forms "
                "grad·(p - y) first, which underflows (0.5·5e-324 = 0), instead of 1/(1 - p)",
        reason="binary_cross_entropy_backward multiplies the incoming gradient by p - y before "
               "dividing by p(1 - p)",
        reference="https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/Loss.cpp "
                  "(binary_cross_entropy_backward)",
        witness={"y_true": np.array([0.0], np.float16), "p": np.array([6e-8], np.float16),
                 "cotangent": np.array(0.5, np.float16)},
        region=lambda kw: any_subnormal(kw["p"]),
    ),
)
