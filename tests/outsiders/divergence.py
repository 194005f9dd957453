"""Discrete KL as outsiders write it: SciPy's rel_entr and entropy, torch's kl_div, loops."""
from __future__ import annotations

import math

import numpy as np
import scipy.special
import scipy.stats
import torch
import torch.nn.functional as F

from . import Outsider


def kl_scipy_rel_entr(p, q):
    """Σ scipy.special.rel_entr(p, q) over the last axis."""
    return np.sum(scipy.special.rel_entr(p, q), axis=-1)


def kl_scipy_stats_entropy(p, q):
    """scipy.stats.entropy(p, q, axis=-1): documented to normalise p and q first."""
    return scipy.stats.entropy(p, q, axis=-1)


def kl_torch_kl_div(p, q):
    """torch's kl_div(log q, p) as its docs prescribe, documented for q > 0 (assume)."""
    pt, qt = torch.as_tensor(p), torch.as_tensor(q)
    return F.kl_div(torch.log(qt), pt, reduction="none").sum(dim=-1).numpy()


def kl_math_loop(p, q):
    """A loop over rows and entries with math.log, 0·log(0/q) = 0 by an explicit if."""
    p, q = np.asarray(p), np.asarray(q)
    rows = []
    for rp, rq in zip(p.reshape(-1, p.shape[-1]).tolist(), q.reshape(-1, q.shape[-1]).tolist()):
        total = 0.0
        for pi, qi in zip(rp, rq):
            if math.isnan(pi) or math.isnan(qi):
                total = math.nan
            elif pi > 0:
                total += pi * (math.log(pi) - math.log(qi)) if qi > 0 else math.inf
        rows.append(total)
    return np.array(rows).reshape(p.shape[:-1])


def kl_textbook_full_support(p, q):
    """np.sum(p * (np.log(p) - np.log(q))) for full-support p (assume): p / q would overflow."""
    return np.sum(p * (np.log(p) - np.log(q)), axis=-1)


VARIANTS = [
    Outsider("divergence.kl", kl_scipy_rel_entr),
    Outsider("divergence.kl", kl_scipy_stats_entropy),
    Outsider("divergence.kl", kl_torch_kl_div, "assumption", {"assume": "np.all(q > 0)"}),
    Outsider("divergence.kl", kl_math_loop),
    Outsider("divergence.kl", kl_textbook_full_support, "assumption", {"assume": "np.all(p > 0)"}),
]
