"""torch KL divergence; F.kl_div takes log-probabilities of q first, then p."""
import numpy as np
import torch
import torch.nn.functional as F

from ..base import KnownDeviation


def kl(p, q):
    """F.kl_div(log q, p, reduction="none") summed over the last axis."""
    tp, tq = torch.from_numpy(np.ascontiguousarray(p)), torch.from_numpy(np.ascontiguousarray(q))
    return F.kl_div(torch.log(tq), tp, reduction="none").sum(-1).numpy()


FUNCTIONS = {"divergence.kl": kl}


def _both_zero(kw):
    p, q = np.asarray(kw["p"], np.float64), np.asarray(kw["q"], np.float64)
    return bool(np.any((p == 0) & (q == 0)))


DEVIATIONS = (
    KnownDeviation(
        oracle="divergence.kl", properties=("agreement", "edges", "zero_when_equal", "nonnegative",
                                            "positive_when_distinct"),
        summary="NaN where p = q = 0 in a component: the log-input is -inf and 0·(-inf) is NaN",
        reason="kl_div takes log q as input, so a zero of q arrives as -inf; torch multiplies it "
               "by the target 0",
        reference="https://pytorch.org/docs/stable/generated/torch.nn.functional.kl_div.html",
        witness={"p": np.array([0.5, 0.5, 0.0]), "q": np.array([0.5, 0.5, 0.0])},
        region=_both_zero,
    ),
)
