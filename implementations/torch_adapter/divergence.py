"""torch KL divergence; F.kl_div takes log-probabilities of q first, then p."""
import numpy as np
import torch
import torch.nn.functional as F

from ..base import KnownDeviation, any_subnormal
from .tensors import gradients, numpy_functions


def kl(p, q):
    """F.kl_div(log q, p, reduction="none") summed over the last axis."""
    return F.kl_div(torch.log(q), p, reduction="none").sum(-1)


FUNCTIONS = numpy_functions("divergence", kl)
GRADIENTS = gradients("divergence", kl)


def _both_zero(kw):
    p, q = np.asarray(kw["p"], np.float64), np.asarray(kw["q"], np.float64)
    return bool(np.any((p == 0) & (q == 0)))


DEVIATIONS = (
    KnownDeviation(
        oracle="divergence.kl", properties=("agreement", "edges", "zero_when_equal", "nonnegative",
                                            "positive_when_distinct", "gradient"),
        summary="NaN where p = q = 0 in a component: the log-input is -inf and 0·(-inf) is NaN",
        reason="kl_div takes log q as input, so a zero of q arrives as -inf; torch multiplies it "
               "by the target 0",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html",
        witness={"p": np.array([0.5, 0.5, 0.0]), "q": np.array([0.5, 0.5, 0.0])},
        region=_both_zero,
    ),
    KnownDeviation(
        oracle="divergence.kl", properties=("gradient",),
        summary="the gradient by p is wrong where p is subnormal: xlogy's backward forms "
                "(grad·p)/p, and grad·p underflows (∂/∂p is 0 instead of 0.5 at p = q = 5e-324 "
                "with cotangent 0.5)",
        reason="kl_div computes xlogy(target, target); the backward of xlogy by its second "
               "argument multiplies before it divides",
        reference="https://github.com/pytorch/pytorch/issues/80770 (xlogy's gradient at "
                  "the edges of its domain)",
        witness={"p": np.array([5e-324, 0.5, 0.5]), "q": np.array([5e-324, 0.5, 0.5]),
                 "cotangent": np.array(0.5)},
        region=lambda kw: any_subnormal(kw["p"]),
    ),
)
