"""torch regularization: F.dropout, F.batch_norm, F.layer_norm, torch.optim.SGD."""
import numpy as np
import torch
import torch.nn.functional as F


from ..base import KnownDeviation
from ..folding import folded
from .tensors import tensor, to_numpy


def dropout_sample(a, p, seed, training=True):
    """F.dropout(a, p, training) under torch.manual_seed(seed), inside fork_rng so that the
    global generator is left as it was (F.dropout takes no generator argument)."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return to_numpy(F.dropout(tensor(a), p=p, training=training))


def batch_norm(x, gamma, beta, eps=1e-5):
    """F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps): batch statistics."""
    return to_numpy(F.batch_norm(tensor(x), None, None, tensor(gamma), tensor(beta), training=True,
                                 eps=eps))


def layer_norm(x, gamma, beta, eps=1e-5):
    """F.layer_norm over the last axis."""
    x = tensor(x)
    return to_numpy(F.layer_norm(x, (x.shape[-1],), tensor(gamma), tensor(beta), eps=eps))


def _penalty(weights, lam):
    return lam / 2 * sum(torch.sum(w * w) for w in weights)


def l2_penalty(weights, lam):
    """(λ/2) Σ torch.sum(W·W) (torch has no penalty function: weight decay lives in its
    optimisers)."""
    return to_numpy(_penalty([tensor(w) for w in weights], lam))


def l2_penalty_grad(W, lam):
    """Autograd of (λ/2)·Σ W·W (mul's backward uses W, so an overflowing Σ W² costs nothing)."""
    w = tensor(W).clone().requires_grad_(True)
    (g,) = torch.autograd.grad(_penalty([w], lam), w)
    return to_numpy(g)


def sgd_weight_decay_step(W, grad, lr, lam):
    """One step of torch.optim.SGD([W], lr=lr, weight_decay=lam) with W.grad = grad."""
    w = torch.nn.Parameter(tensor(W).clone())
    w.grad = tensor(grad).clone()
    torch.optim.SGD([w], lr=lr, weight_decay=lam).step()
    return to_numpy(w.detach())


FUNCTIONS = {f"regularization.{f.__name__}": f for f in (
    dropout_sample, batch_norm, layer_norm, l2_penalty, l2_penalty_grad, sgd_weight_decay_step)}

NOT_APPLICABLE = {
    "regularization.dropout": "torch's F.dropout draws its own mask and takes none "
                              "(regularization.dropout_sample checks it)",
}

_FOLD = dict(
    reason="the CPU kernels fold the normalisation into out = x·s + (β - μ·s) with "
           "s = γ/√(σ² + ε): two terms larger than the result where |μ| > σ, rounded separately, "
           "and s itself subnormal where γ/σ is tiny",
)

DEVIATIONS = (
    KnownDeviation(
        oracle="regularization.layer_norm", properties=("agreement", "edges", "normalized_moments",
                                                        "constant_row", "shift_invariance",
                                                        "scale_invariance"),
        summary="the folded form x·s + (β - μ·s) cancels where a row's |μ| exceeds its σ: an "
                "absolute error of order u·|μ|·γ/σ (a single feature gives 1.8e-4 for x = 5, "
                "ε = 1e-6 in float16, where β = 0 is exact)", **_FOLD,
        reference="https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/cpu/"
                  "layer_norm_kernel.cpp (LayerNormKernelImplInternal: scale = rstd·γ, "
                  "bias = -scale·mean + β)",
        witness={"x": np.array([[5.0]], np.float16), "gamma": np.array([1.0], np.float16),
                 "beta": np.array([0.0], np.float16), "eps": 1e-06},
        region=folded(-1)),
    KnownDeviation(
        oracle="regularization.batch_norm", properties=("agreement", "edges", "normalized_moments",
                                                        "shift_invariance", "scale_invariance",
                                                        "constant_row"),
        summary="the folded form x·s + (β - μ·s), s = γ/√(σ² + ε), loses accuracy where s is "
                "subnormal (1.2e8 u for γ = 5.5e-263, σ = 8.7e53 in float64) and cancels where a "
                "feature's |μ| exceeds its σ", **_FOLD,
        reference="https://github.com/pytorch/pytorch/blob/main/aten/src/ATen/native/cpu/"
                  "batch_norm_kernel.cpp (batch_norm_cpu_collect_linear_and_constant_terms)",
        witness={"x": np.array([[1.7467768095115772e54], [0.0]]),
                 "gamma": np.array([5.549461004780875e-263]), "beta": np.array([0.0]),
                 "eps": 1e-05},
        region=lambda kw: np.shape(kw["x"])[0] > 1 and folded(0)(kw)),  # one sample: refused
)
