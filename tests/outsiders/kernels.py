"""Kernels as outsiders write them: sklearn.metrics.pairwise, scipy cdist, torch, loops."""
from __future__ import annotations

import math

import numpy as np
import sklearn.gaussian_process.kernels
import sklearn.metrics.pairwise as skp
import torch
from scipy.spatial.distance import cdist

from . import Outsider


def linear_kernel_sklearn(X, Y):
    """Thin scikit-learn wrapper: pairwise.linear_kernel (refuses NaN)."""
    return skp.linear_kernel(X, Y)


def linear_kernel_torch(X, Y):
    """torch: X @ Y.T on tensors, .numpy() back."""
    return (torch.as_tensor(X) @ torch.as_tensor(Y).T).numpy()


def rbf_scipy_cdist(X, Y, gamma):
    """exp(-γ cdist(X, Y, 'sqeuclidean'))."""
    return np.exp(-gamma * cdist(X, Y, "sqeuclidean"))


def rbf_math_loops(X, Y, gamma):
    """Double loop over pairs with math.exp of the summed squared differences."""
    X, Y = np.asarray(X), np.asarray(Y)
    K = np.empty((len(X), len(Y)), dtype=np.result_type(X, Y))
    for i, x in enumerate(X.tolist()):
        for j, y in enumerate(Y.tolist()):
            d2 = sum((a - b) ** 2 for a, b in zip(x, y))
            K[i, j] = math.exp(-gamma * d2) if not math.isnan(d2) else math.nan
    return K


def rbf_sklearn_gaussian_process(X, Y, gamma):
    """sklearn.gaussian_process.kernels.RBF with γ translated to length_scale = 1/√(2γ)."""
    with np.errstate(divide="ignore"):
        length_scale = 1 / np.sqrt(2 * float(gamma))
    return sklearn.gaussian_process.kernels.RBF(length_scale=length_scale)(X, Y)


def polynomial_sklearn(X, Y, degree, coef0):
    """scikit-learn's polynomial_kernel with gamma=1 passed explicitly (its default is 1/d)."""
    return skp.polynomial_kernel(X, Y, degree=degree, gamma=1.0, coef0=coef0)


def polynomial_plain(X, Y, degree, coef0):
    """(X @ Y.T + c) ** d in the input dtype."""
    return (np.asarray(X) @ np.asarray(Y).T + coef0) ** degree


VARIANTS = [
    Outsider("kernel.linear", linear_kernel_sklearn, "refusal"),
    Outsider("kernel.linear", linear_kernel_torch),
    Outsider("kernel.rbf", rbf_scipy_cdist),
    Outsider("kernel.rbf", rbf_math_loops),
    Outsider("kernel.rbf", rbf_sklearn_gaussian_process),
    Outsider("kernel.polynomial", polynomial_sklearn, "refusal"),
    Outsider("kernel.polynomial", polynomial_plain),
]
