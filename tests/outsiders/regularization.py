"""Regularisation as outsiders write it: np.where dropout, torch modules in training mode,
two-pass normalisation in the input dtype, functools sums, torch.optim.SGD."""
from __future__ import annotations

import functools

import numpy as np
import torch
import torch.nn.functional as F

from implementations.torch_adapter.regularization import DEVIATIONS as TORCH_DEVIATIONS

from . import Outsider


def _t(x):
    return torch.as_tensor(np.asarray(x))


def dropout_np_where(a, p, mask):
    """np.where(mask, a / (1 - p), 0): a dropped unit is 0 whatever a holds."""
    a = np.asarray(a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(np.asarray(mask) != 0, a / (1 - np.asarray(p, a.dtype)), np.zeros_like(a))


def dropout_sample_np_rng_where(a, p, seed, training=True):
    """A Generator mask (keep with probability 1-p), then np.where; the identity in eval mode."""
    a = np.asarray(a)
    if not training:
        return a.copy()
    keep = np.random.default_rng(int(seed)).random(a.shape) >= float(p)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(keep, a / (1 - np.asarray(p, a.dtype)), np.zeros_like(a))


def dropout_sample_torch(a, p, seed, training=True):
    """Thin torch wrapper: torch.manual_seed(seed), then F.dropout(x, p, training)."""
    torch.manual_seed(int(seed))
    return F.dropout(_t(a), p=float(p), training=bool(training)).numpy()


def batch_norm_two_pass(x, gamma, beta, eps=1e-5):
    """Textbook two-pass mean and biased variance in the input dtype, then (x-μ)/√(var+ε)·γ+β."""
    x = np.asarray(x)
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    return (x - mu) / np.sqrt(var + np.asarray(eps, x.dtype)) * gamma + beta


def batch_norm_torch_module(x, gamma, beta, eps=1e-5):
    """nn.BatchNorm1d in training mode with γ, β copied in (torch refuses a batch of 1)."""
    xt = _t(x)
    bn = torch.nn.BatchNorm1d(xt.shape[-1], eps=float(eps), dtype=xt.dtype)
    bn.train()
    with torch.no_grad():
        bn.weight.copy_(_t(gamma))
        bn.bias.copy_(_t(beta))
        return bn(xt).numpy()


def layer_norm_two_pass(x, gamma, beta, eps=1e-5):
    """Textbook two-pass layer norm over the last axis in the input dtype."""
    x = np.asarray(x)
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + np.asarray(eps, x.dtype)) * gamma + beta


def _outside_torch_fold(kw) -> bool:
    """Off the torch adapter's documented batch-norm deviation (its folded form x·s + (β - μ·s)
    loses β or underflows s = γ/σ there): a wrapper of torch inherits it, so it is checked
    where torch is right, for the refusal it exercises."""
    return not any(d.region(kw) for d in TORCH_DEVIATIONS if d.oracle == "regularization.batch_norm")


# Not here: thin wrappers of torch's F.layer_norm / nn.LayerNorm. torch folds γ/√(σ² + ε)
# into x·s + (β - μ·s), which is the torch adapter's documented FAIL-level deviation (a
# one-feature row of 9 in float16 gives 4.3e-4 where 0 is exact): not correct code.


def l2_penalty_functools(weights, lam):
    """functools.reduce of np.sum(W * W) over the list, times λ/2."""
    total = functools.reduce(lambda acc, w: acc + np.sum(np.asarray(w) * w), weights, 0.0)
    return lam / 2 * total


def l2_penalty_grad_plain(W, lam):
    """λW."""
    return lam * np.asarray(W)


def sgd_step_plain(W, grad, lr, lam):
    """W - lr * (grad + lam * W), written as the formula reads."""
    return W - lr * (grad + lam * W)


def sgd_step_torch_optim(W, grad, lr, lam):
    """torch.optim.SGD(weight_decay=lam) stepping a Parameter whose .grad is set by hand."""
    param = torch.nn.Parameter(_t(W).clone())
    param.grad = _t(grad).clone()
    opt = torch.optim.SGD([param], lr=float(lr), weight_decay=float(lam))
    opt.step()
    return param.detach().numpy()


VARIANTS = [
    Outsider("regularization.dropout", dropout_np_where, "nan-dependence"),
    Outsider("regularization.dropout_sample", dropout_sample_np_rng_where, "nan-dependence"),
    Outsider("regularization.dropout_sample", dropout_sample_torch),
    Outsider("regularization.batch_norm", batch_norm_two_pass, "textbook-evaluation"),
    Outsider("regularization.batch_norm", batch_norm_torch_module, "refusal",
             check={"assume": _outside_torch_fold}),
    Outsider("regularization.layer_norm", layer_norm_two_pass, "textbook-evaluation"),
    Outsider("regularization.l2_penalty", l2_penalty_functools),
    Outsider("regularization.l2_penalty_grad", l2_penalty_grad_plain),
    Outsider("regularization.sgd_weight_decay_step", sgd_step_plain, "law-exactness"),
    Outsider("regularization.sgd_weight_decay_step", sgd_step_torch_optim, "refusal"),
]
