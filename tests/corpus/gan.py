"""GAN formulas: buggy variants that must be caught, correct ones that must pass.

Canonical signatures: ``value(d_real, d_fake)`` = mean log D(x) + mean log(1 - D(G(z))),
``generator_loss(d_fake, non_saturating=True)`` (-mean log D, or mean log(1 - D)) and
``optimal_discriminator(p_data, p_g)`` = p_data/(p_data + p_g), pointwise.
"""
from __future__ import annotations

import math

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")
_V, _G, _D = "gan.value", "gan.generator_loss", "gan.optimal_discriminator"


# --- gan.value -------------------------------------------------------------------------

def gen_log_of_one_minus(d_fake, non_saturating=True):
    """log(1 - D) of the rounded 1 - D: 0 where D(G(z)) is below half an ulp of 1. (In V the
    same slip hides under the allowance of the log D(x) term, whose condition is 1/n.)"""
    with np.errstate(**_ERR):
        return -np.mean(np.log(d_fake)) if non_saturating else np.mean(np.log(1 - d_fake))


def value_eps_clipped(d_real, d_fake, eps=1e-7):
    r, f = np.clip(wide(d_real), eps, 1 - eps), np.clip(wide(d_fake), eps, 1 - eps)
    return back(np.mean(np.log(r)) + np.mean(np.log1p(-f)), d_real)


def value_sum_not_mean(d_real, d_fake):
    r, f = wide(d_real), wide(d_fake)
    with np.errstate(**_ERR):
        return back(np.sum(np.log(r)) + np.sum(np.log1p(-f)), d_real)


def value_one_mean_of_both(d_real, d_fake):
    """One mean over the concatenated terms: half the value when the batches are equal."""
    r, f = wide(d_real).ravel(), wide(d_fake).ravel()
    with np.errstate(**_ERR):
        return back(np.mean(np.concatenate([np.log(r), np.log1p(-f)])), d_real)


def value_discriminator_loss(d_real, d_fake):
    """The discriminator's BCE loss, -V, returned as V."""
    r, f = wide(d_real), wide(d_fake)
    with np.errstate(**_ERR):
        return back(-(np.mean(np.log(r)) + np.mean(np.log1p(-f))), d_real)


def value_nanmean(d_real, d_fake):
    r, f = wide(d_real), wide(d_fake)
    with np.errstate(**_ERR):
        return back(np.nanmean(np.log(r)) + np.nanmean(np.log1p(-f)), d_real)


def value_wide(d_real, d_fake):
    r, f = wide(d_real), wide(d_fake)
    with np.errstate(**_ERR):
        return back(np.mean(np.log(r)) + np.mean(np.log1p(-f)), d_real)


def value_as_two_bce(d_real, d_fake):
    """-(BCE(1, D(x)) + BCE(0, D(G(z)))), each an exactly rounded sum (math.fsum)."""
    r = np.asarray(d_real, np.float64).ravel()
    f = np.asarray(d_fake, np.float64).ravel()
    with np.errstate(**_ERR):
        bce_real = -math.fsum(np.log(r)) / r.size
        bce_fake = -math.fsum(np.log1p(-f)) / f.size
    return back(-(bce_real + bce_fake), d_real)


# --- gan.generator_loss ---------------------------------------------------------------

def gen_fake_label_zero(d_fake, non_saturating=True):
    """Non-saturating loss written with the fake label: -mean log(1 - D) pushes D(G(z)) to 0."""
    f = wide(d_fake)
    with np.errstate(**_ERR):
        out = -np.mean(np.log1p(-f)) if non_saturating else np.mean(np.log1p(-f))
    return back(out, d_fake)


def gen_ignores_flag(d_fake, non_saturating=True):
    with np.errstate(**_ERR):
        return back(-np.mean(np.log(wide(d_fake))), d_fake)


def gen_saturating_sign(d_fake, non_saturating=True):
    f = wide(d_fake)
    with np.errstate(**_ERR):
        out = -np.mean(np.log(f)) if non_saturating else -np.mean(np.log1p(-f))
    return back(out, d_fake)


def gen_eps_in_log(d_fake, non_saturating=True):
    f = wide(d_fake)
    with np.errstate(**_ERR):
        out = -np.mean(np.log(f + 1e-8)) if non_saturating else np.mean(np.log(1 - f + 1e-8))
    return back(out, d_fake)


def gen_nanmean(d_fake, non_saturating=True):
    f = wide(d_fake)
    with np.errstate(**_ERR):
        out = -np.nanmean(np.log(f)) if non_saturating else np.nanmean(np.log1p(-f))
    return back(out, d_fake)


def gen_wide(d_fake, non_saturating=True):
    f = np.asarray(d_fake, np.float64).ravel()
    with np.errstate(**_ERR):
        terms = -np.log(f) if non_saturating else np.log1p(-f)
    return back(math.fsum(terms) / f.size, d_fake)


# --- gan.optimal_discriminator --------------------------------------------------------

def opt_swapped(p_data, p_g):
    return back(wide(p_g) / (wide(p_data) + wide(p_g)), p_data)


def opt_eps_in_denominator(p_data, p_g):
    return back(wide(p_data) / (wide(p_data) + wide(p_g) + 1e-8), p_data)


def opt_margin(p_data, p_g):
    """(p_data - p_g)/(p_data + p_g): a signed margin, not a probability."""
    p, q = wide(p_data), wide(p_g)
    return back((p - q) / (p + q), p_data)


def opt_nan_to_num(p_data, p_g):
    p, q = wide(p_data), wide(p_g)
    return back(np.nan_to_num(p / (p + q)), p_data)


def opt_ratio_form(p_data, p_g):
    """1/(1 + q/p) where p ≥ q, r/(1 + r) with r = p/q otherwise: no sum that can overflow."""
    p, q = np.asarray(p_data, np.float64), np.asarray(p_g, np.float64)
    with np.errstate(**_ERR):
        big = p >= q
        r = np.where(big, q / np.where(big, p, 1.0), p / np.where(big, 1.0, q))
        out = np.where(big, 1 / (1 + r), r / (1 + r))
    return back(np.where(np.isnan(p) | np.isnan(q), np.nan, out), p_data)


BUGGY = [
    Variant(_V, "eps_clipped", value_eps_clipped, "D clipped to [1e-7, 1 - 1e-7] before the logs"),
    Variant(_V, "sum_not_mean", value_sum_not_mean, "sums over each batch instead of averaging"),
    Variant(_V, "one_mean_of_both", value_one_mean_of_both,
            "one mean over both batches' terms: half of V for equal batch sizes"),
    Variant(_V, "discriminator_loss", value_discriminator_loss, "returns -V, the discriminator's BCE"),
    Variant(_V, "nanmean", value_nanmean, "np.nanmean: a NaN output of D is skipped"),
    Variant(_G, "fake_label_zero", gen_fake_label_zero,
            "non-saturating loss as -log(1 - D(G(z))) (the fake label): pushes D(G(z)) down"),
    Variant(_G, "log_of_one_minus", gen_log_of_one_minus,
            "log(1 - D) of the rounded 1 - D instead of log1p(-D): 0 for tiny D(G(z))"),
    Variant(_G, "ignores_flag", gen_ignores_flag, "always the non-saturating loss"),
    Variant(_G, "saturating_sign", gen_saturating_sign, "-mean log(1 - D) for the saturating loss"),
    Variant(_G, "eps_in_log", gen_eps_in_log, "log(D + 1e-8): wrong for small D(G(z))"),
    Variant(_G, "nanmean", gen_nanmean, "np.nanmean: a NaN output of D is skipped"),
    Variant(_D, "swapped", opt_swapped, "p_g/(p_data + p_g): the probability of fake"),
    Variant(_D, "eps_in_denominator", opt_eps_in_denominator,
            "p/(p + q + 1e-8): wrong for small densities, and D*(p, q) + D*(q, p) < 1"),
    Variant(_D, "signed_margin", opt_margin, "(p - q)/(p + q), in [-1, 1]"),
    Variant(_D, "nan_to_num", opt_nan_to_num, "np.nan_to_num: NaN becomes 0"),
]

CORRECT = [
    Variant(_V, "wide", value_wide, "in a wider dtype, rounded once"),
    Variant(_V, "as_two_bce", value_as_two_bce, "minus the two BCE terms, with exactly rounded sums"),
    Variant(_G, "fsum", gen_wide, "each mean an exactly rounded sum (math.fsum)"),
    Variant(_D, "ratio_form", opt_ratio_form, "1/(1 + q/p) or r/(1 + r), whichever ratio is ≤ 1"),
]
