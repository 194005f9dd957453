"""torch's kernels: the RBF kernel from torch.cdist, the linear kernel as torch.mm.

torch has no kernel functions as such. ``torch.cdist`` (the p = 2 distance, squared) is the
library's pairwise distance, and ``torch.mm`` its matrix product, which is the linear
kernel itself; a polynomial kernel would be the adapter's own formula around torch.mm, so it
is not applicable. γ stays a Python float (a tensor made from it would be float64 and
promote a float32 result).
"""
import torch

from .tensors import tensor, to_numpy


def linear(X, Y):
    """torch.mm(X, Y.T)."""
    return to_numpy(torch.mm(tensor(X), tensor(Y).T))


def rbf(X, Y, gamma):
    """torch.exp(-γ·torch.cdist(X, Y)²)."""
    return to_numpy(torch.exp(-float(gamma) * torch.cdist(tensor(X), tensor(Y)) ** 2))


FUNCTIONS = {"kernel.linear": linear, "kernel.rbf": rbf}

NOT_APPLICABLE = {
    "kernel.polynomial": "torch has no polynomial kernel ((X @ Y.T + c)^d would be the "
                         "adapter's formula, not torch's)",
}
