"""Laws of the GAN formulas (seed: "Generative Models › GANs").

Densities over K points are given as counts: the real batch holds a_k copies of point k and
the generated batch b_k copies, so that a mean over a batch is an expectation under
p_data = a/A or p_g = b/B exactly. Each law holds to within the errors the agreement check
allows the outputs it combines, plus (where a law feeds one function's output to another)
that output's allowed error propagated through a Lipschitz bound.
"""
from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.laws import Falsified, Property, bounded, domain_examples, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array

VALUE, GENERATOR, OPTIMUM = "gan.value", "gan.generator_loss", "gan.optimal_discriminator"
BATCH = 4  # samples per batch in the count-based laws (one shape: one compilation)


@st.composite
def _counts(draw, k):
    """Counts of K points summing to BATCH."""
    cuts = sorted(draw(st.lists(st.integers(0, BATCH), min_size=k - 1, max_size=k - 1)))
    return np.diff([0, *cuts, BATCH]).astype(int)


def _batch(values, counts, dtype):
    return np.repeat(np.asarray(values, np.float64), counts).astype(dtype)


def _jsd(a, b) -> mpmath.mpf:
    """JSD(p ‖ q) in nats, p = a/Σa, q = b/Σb, exactly (60 digits)."""
    p = [mpmath.mpf(int(x)) / int(sum(a)) for x in a]
    q = [mpmath.mpf(int(x)) / int(sum(b)) for x in b]
    m = [(x + y) / 2 for x, y in zip(p, q)]
    kl = lambda u, v: mpmath.fsum(x * mpmath.log(x / y) for x, y in zip(u, v) if x > 0)  # noqa: E731
    return (kl(p, m) + kl(q, m)) / 2


# --- gan.value: V(D*, G) = -log 4 + 2·JSD ----------------------------------------------

@st.composite
def _count_pairs(draw, oracle, dtype):
    k = draw(st.integers(2, 4))
    a = draw(_counts(k))
    b = a.copy() if draw(st.booleans()) else draw(_counts(k))
    seen = (a + b) > 0  # a point neither batch holds has no D*
    a, b = a[seen], b[seen]
    return {"inputs": {"p_data": (a * BATCH).astype(dtype), "p_g": (b * BATCH).astype(dtype)},
            "a": a.tolist(), "b": b.tolist()}


def _jsd_identity(case, ex):
    """With D = this implementation's D*(p_data, p_g), V(D, G) = -log 4 + 2·JSD(p_data ‖ p_g),
    which is ≥ -log 4 with equality exactly when p_g = p_data. V is the implementation's
    value on a real batch drawn from p_data and a fake batch drawn from p_g (as counts)."""
    x, a, b = ex["inputs"], ex["a"], ex["b"]
    d_star = np.asarray(case.call(OPTIMUM, x), dtype=np.float64)
    game = {"d_real": _batch(d_star, a, case.dtype), "d_fake": _batch(d_star, b, case.dtype)}
    got = case.call(VALUE, game)
    with mpmath.workdps(DIGITS):
        expected = -mpmath.log(4) + 2 * _jsd(a, b)
        err = case.allowed(OPTIMUM, x)
        # |Δ(p log D + q log(1-D))| ≤ (p/(D - A) + q/(1 - D - A))·A per point (Lipschitz).
        moved = mpmath.mpf(0)
        for k, (ak, bk) in enumerate(zip(a, b)):
            dk, ek = mpmath.mpf(float(d_star[k])), err[k]
            if ak:
                moved += mpmath.mpf(ak) / BATCH * ek / max(dk - ek, mpmath.mpf(0)) if dk > ek else mpmath.inf
            if bk:
                moved += mpmath.mpf(bk) / BATCH * ek / (1 - dk - ek) if 1 - dk > ek else mpmath.inf
        diff = np.array(mpf_array(got)[()] - expected, dtype=object)
        bound = np.array(case.allowed(VALUE, game)[()] + moved, dtype=object)
    expect_within(diff, bound, f"V(D*, G) should be -log 4 + 2·JSD = {mpmath.nstr(expected, 8)}",
                  signature_call(case.oracles[VALUE], game), game)


# --- gan.generator_loss ---------------------------------------------------------------

def _exact_d_star(a, b, dtype) -> np.ndarray:
    """D*(a/A, b/B) rounded once to dtype (0 where a = 0, 1 where b = 0)."""
    return np.array([float(Fraction(int(x), int(x) + int(y))) if x + y else 0.0
                     for x, y in zip(a, b)]).astype(dtype)


@st.composite
def _alternatives(draw, oracle, dtype):
    """p_data as counts a, another generator q as counts b within a's support."""
    k = draw(st.integers(2, 4))
    a = draw(_counts(k))
    support = np.flatnonzero(a)
    cuts = sorted(draw(st.lists(st.integers(0, BATCH), min_size=len(support) - 1,
                                max_size=len(support) - 1)))
    b = np.zeros(k, int)
    b[support] = np.diff([0, *cuts, BATCH])
    return {"inputs": {"d_fake": _batch(_exact_d_star(a, b, dtype), b, dtype)},
            "a": a.tolist(), "b": b.tolist(), "ns": draw(st.booleans())}


def _same_fixed_point(case, ex):
    """With the discriminator at its optimum D* for the current generator, both generator
    losses are smallest when p_g = p_data: L(q) ≥ L(p_data) for another q, where D* = ½ at
    q = p_data. With D* plugged in, the saturating loss is KL(q ‖ m) - log 2
    (m = (p + q)/2) and the non-saturating one Σ q log(1 + q/p), convex in q with a
    stationary point at q = p. D* is rounded to the dtype; its effect is bounded by
    Lipschitz."""
    a, b, ns = ex["a"], ex["b"], ex["ns"]
    dtype = case.dtype
    at_p = {"d_fake": np.full(BATCH, 0.5, dtype), "non_saturating": ns}
    at_q = {**ex["inputs"], "non_saturating": ns}
    with mpmath.workdps(DIGITS):
        lp, lq = mpf_array(case.call(GENERATOR, at_p))[()], mpf_array(case.call(GENERATOR, at_q))[()]
        moved = mpmath.mpf(0)
        for x, y in zip(a, b):
            if y:
                exact = mpmath.mpf(x) / (x + y)
                rounded = mpmath.mpf(float(_exact_d_star([x], [y], dtype)[0]))
                lo = min(exact, rounded)
                slope = 1 / lo if ns else 1 / (1 - max(exact, rounded))
                moved += mpmath.mpf(y) / BATCH * slope * abs(rounded - exact)
        shortfall = np.array(min(lq - lp, 0), dtype=object)
        bound = np.array(case.allowed(GENERATOR, at_p)[()] + case.allowed(GENERATOR, at_q)[()] + moved,
                         dtype=object)
    expect_within(shortfall, bound, f"L(p_g) should be ≥ L(p_data) = {mpmath.nstr(lp, 8)} (the "
                  f"fixed point p_g = p_data; p_data ∝ {a}, p_g ∝ {b})",
                  signature_call(case.oracle, at_q), at_q)


@st.composite
def _fooled_pairs(draw, oracle, dtype):
    """D(G(z)) before and after a generator step, both in (0, ½], d < d' elementwise."""
    small = st.floats(2.0 ** -14, 0.5, width=16)
    pairs = draw(st.lists(st.tuples(small, small).filter(lambda t: t[0] != t[1]), min_size=3, max_size=3))
    d = np.array([min(t) for t in pairs], dtype)
    d2 = np.array([max(t) for t in pairs], dtype)
    return {"inputs": {"d_fake": d, "non_saturating": True}, "after": d2}


def _steeper_where_fooled(case, ex):
    """Where D(G(z)) is small (≤ ½), the non-saturating loss changes more than the saturating
    one for the same move of D(G(z)): |ΔL_ns| > |ΔL_sat|, the secant form of |1/D| > |1/(1-D)|
    (its gradient is larger: the saturating loss flattens where the discriminator wins)."""
    d, d2 = ex["inputs"]["d_fake"], ex["after"]
    calls = {(arr_id, ns): {"d_fake": arr, "non_saturating": ns}
             for arr_id, arr in (("d", d), ("d2", d2)) for ns in (True, False)}
    with mpmath.workdps(DIGITS):
        got = {k: mpf_array(case.call(GENERATOR, v))[()] for k, v in calls.items()}
        exact = {k: case.exact(GENERATOR, v).value[()] for k, v in calls.items()}
        slack = sum(case.allowed(GENERATOR, v)[()] for v in calls.values())

        def gap(vals):
            return abs(vals[("d2", True)] - vals[("d", True)]) - abs(vals[("d2", False)] - vals[("d", False)])
        exact_gap, got_gap = gap(exact), gap(got)
    if exact_gap > slack and not got_gap > 0:
        x = calls[("d", True)]
        call = signature_call(case.oracle, x)
        raise Falsified(
            f"moving D(G(z)) from {d.tolist()} to {d2.tolist()} changes the non-saturating loss by "
            f"{mpmath.nstr(abs(got[('d2', True)] - got[('d', True)]), 6)} and the saturating one by "
            f"{mpmath.nstr(abs(got[('d2', False)] - got[('d', False)]), 6)}; the non-saturating "
            f"change should be larger by {mpmath.nstr(exact_gap, 6)} [{call}]",
            call=call, inputs=x)


# --- gan.optimal_discriminator ------------------------------------------------------

def _complement(case, ex):
    """D*(p, q) + D*(q, p) = 1: what is real to one is fake to the other."""
    x = ex["inputs"]
    swapped = {"p_data": x["p_g"], "p_g": x["p_data"]}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call(OPTIMUM, x)) + mpf_array(case.call(OPTIMUM, swapped)) - 1
        bound = case.allowed(OPTIMUM, x) + case.allowed(OPTIMUM, swapped)
    expect_within(diff, bound, "D*(p, q) + D*(q, p) should be 1", signature_call(case.oracle, x), x)


@st.composite
def _random_densities(draw, oracle, dtype):
    """Densities in [1/16, 16] (equal at some points) and rival discriminators D in (0, 1)."""
    shape = draw(st.sampled_from([(3,), (2, 2), (5,)]))
    dens = st.floats(1 / 16, 16, width=16)
    p = draw(hnp.arrays(dtype, shape, elements=dens))
    q = np.where(draw(hnp.arrays(bool, shape)), p, draw(hnp.arrays(dtype, shape, elements=dens))).astype(dtype)
    rival = draw(hnp.arrays(np.float64, shape, elements=st.floats(2.0 ** -10, 1 - 2.0 ** -10)))
    return {"inputs": {"p_data": p, "p_g": q}, "rival": rival}


def _maximizes_value(case, ex):
    """D* maximises V pointwise: f(D) = p_data log D + p_g log(1 - D) is no larger at any
    rival D than at this implementation's D*. f is concave, so an error A in D* lowers f by
    at most A·max|f'| over [D* - A, D* + A] (f' is monotone: its ends)."""
    x, rival = ex["inputs"], ex["rival"]
    got = np.asarray(case.call(OPTIMUM, x), dtype=np.float64)
    allowed = case.allowed(OPTIMUM, x)
    with mpmath.workdps(DIGITS):
        for idx in np.ndindex(got.shape):
            p, q = mpmath.mpf(float(x["p_data"][idx])), mpmath.mpf(float(x["p_g"][idx]))
            d, r, a = mpmath.mpf(float(got[idx])), mpmath.mpf(float(rival[idx])), allowed[idx]
            if not (0 < d - a and d + a < 1):
                continue  # within its error of 0 or 1: f' is unbounded there, nothing to say
            f = lambda t: p * mpmath.log(t) + q * mpmath.log(1 - t)  # noqa: E731
            slope = max(abs(p / t - q / (1 - t)) for t in (d - a, d + a))
            if f(r) > f(d) + a * slope:
                call = signature_call(case.oracle, x)
                raise Falsified(
                    f"out{list(idx)}={float(d)!r} is not the maximiser of p log D + q log(1-D) "
                    f"(p={float(p)!r}, q={float(q)!r}): D={float(r)!r} gives "
                    f"{mpmath.nstr(f(r), 8)} > {mpmath.nstr(f(d), 8)} [{call}]",
                    call=call, inputs=x, got=float(d), expected=float(p / (p + q)), index=idx)


PROPERTIES = (
    bounded(VALUE, float("-inf"), 0.0),
    Property(VALUE, "jsd_identity", "V(D*, G) = -log 4 + 2·JSD(p_data ‖ p_g) ≥ -log 4, = iff p_g = p_data",
             _jsd_identity, _count_pairs, needs=(OPTIMUM,)),
    Property(GENERATOR, "same_fixed_point", "both generator losses are minimised at p_g = p_data",
             _same_fixed_point, _alternatives, needs_params=("non_saturating",)),
    Property(GENERATOR, "steeper_where_fooled", "for D(G(z)) ≤ ½ the non-saturating loss moves more",
             _steeper_where_fooled, _fooled_pairs, needs_params=("non_saturating",)),
    bounded(OPTIMUM, 0.0, 1.0),
    Property(OPTIMUM, "complement", "D*(p, q) + D*(q, p) = 1", _complement, domain_examples),
    Property(OPTIMUM, "maximizes_value", "D* maximises p log D + q log(1-D) pointwise, on random "
             "densities", _maximizes_value, _random_densities),
)
