"""Laws of regularization (seed: "Regularization in Neural Networks").

Deterministic laws hold to within the errors the agreement check allows the outputs they
combine. The dropout_sample laws are statistical: each is a test that a correct
implementation fails with probability at most ALPHA = 1e-6 per call (properties/statistics.py),
on N = 4096 elements drawn with a seed the example fixes.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from mathoracle.core.laws import (Falsified, Property, domain_examples, expect_equal, expect_within,
                                  signature_call)
from mathoracle.core.model import DIGITS, mpf_array

from .contracts import check_agreement
from .statistics import ALPHA, hoeffding_radius


def _combination(case, oracle_id, terms, bound, what, inputs):
    """|Σ coef·f(inputs_k)| within ``bound``, computed exactly; terms: (coef, inputs_k)."""
    with mpmath.workdps(DIGITS):
        total = None
        for coef, x in terms:
            part = mpmath.mpf(coef) * mpf_array(case.call(oracle_id, x))
            total = part if total is None else total + part
    expect_within(total, bound, what, signature_call(case.oracles[oracle_id], inputs), inputs)


# --- dropout ------------------------------------------------------------------------------

def _dropout_unbiased(case, ex):
    """(1-p)·dropout(a, p, 1) + p·dropout(a, p, 0) = a: the mean over the mask is a."""
    x = ex["inputs"]
    p = mpmath.mpf(x["p"])
    ones = {**x, "mask": np.ones_like(x["mask"])}
    zeros = {**x, "mask": np.zeros_like(x["mask"])}
    oid = "regularization.dropout"
    with mpmath.workdps(DIGITS):
        bound = (1 - p) * case.allowed(oid, ones) + p * case.allowed(oid, zeros)
        total = ((1 - p) * mpf_array(case.call(oid, ones)) + p * mpf_array(case.call(oid, zeros))
                 - mpf_array(x["a"]))
    expect_within(total, bound, "E_mask[dropout(a, p, mask)] should be a",
                  signature_call(case.oracle, ones), ones)


N = 4096  # elements per statistical check: Hoeffding radius 0.042 at α = 1e-6


@st.composite
def _samples(draw, oracle, dtype):
    """a = a small nonzero vector tiled to N elements, p in [0.05, 0.95], a seed."""
    v = draw(st.lists(st.sampled_from([1.0, -2.0, 0.5, 3.0, -0.75, 1.25, 100.0]), min_size=4,
                      max_size=4))
    p = draw(st.one_of(st.sampled_from([0.1, 0.5, 0.8]), st.floats(0.05, 0.95)))
    a = np.tile(np.asarray(v, dtype), N // 4).reshape(64, 64)
    return {"inputs": {"a": a, "p": p, "seed": draw(st.integers(0, 2 ** 31 - 1))}, "v": v}


def _sample(case, ex):
    x = ex["inputs"]
    return x, np.asarray(case.call("regularization.dropout_sample", x), dtype=np.float64)


def _kept_fraction(case, ex):
    """|K/N - (1-p)| ≤ Hoeffding's radius at α (K = the elements kept, i.e. nonzero)."""
    x, out = _sample(case, ex)
    frac = float(np.count_nonzero(out)) / out.size
    r = hoeffding_radius(out.size)
    if abs(frac - (1 - x["p"])) > r:
        call = signature_call(case.oracle, x)
        raise Falsified(f"kept {frac:.4f} of the elements, but 1 - p = {1 - x['p']:.4f} "
                        f"(± {r:.4f} at α = {ALPHA:g}) [{call}]", call=call, inputs=x)


def _kept_values(case, ex):
    """Every output is 0 or a/(1-p), to within the error dropout's agreement check allows."""
    x, out = _sample(case, ex)
    v = np.asarray(ex["v"], x["a"].dtype)
    ref = {"a": v, "p": x["p"], "mask": np.ones_like(v)}
    exact = case.exact("regularization.dropout", ref).value
    allowed = case.allowed("regularization.dropout", ref)
    by_position = out.reshape(-1, 4)  # column j holds the outputs of a = v[j]
    with mpmath.workdps(DIGITS):
        for j in range(4):
            for o in np.unique(by_position[:, j]):  # a few distinct values: check each once
                if o != 0 and not abs(mpmath.mpf(float(o)) - exact[j]) <= allowed[j]:
                    call = signature_call(case.oracle, x)
                    raise Falsified(f"an output is {o!r}: neither 0 nor a/(1-p) = "
                                    f"{float(exact[j])!r} (a = {float(v[j])!r}) [{call}]",
                                    call=call, inputs=x, got=float(o), expected=float(exact[j]))


def _unbiased_mean(case, ex):
    """mean_i out_i/a_i = 1 ± Hoeffding's radius for values in [0, 1/(1-p)] at α (plus the
    relative error the kept values are allowed)."""
    x, out = _sample(case, ex)
    ratio = out.reshape(-1) / np.asarray(x["a"], np.float64).reshape(-1)
    width = 1 / (1 - x["p"])
    v = np.asarray(ex["v"], x["a"].dtype)
    ref = {"a": v, "p": x["p"], "mask": np.ones_like(v)}
    slack = max(float(al / abs(e)) for al, e in zip(case.allowed("regularization.dropout", ref),
                                                     case.exact("regularization.dropout", ref).value))
    r = hoeffding_radius(ratio.size, width) + slack * width
    if not abs(float(np.mean(ratio)) - 1) <= r:
        call = signature_call(case.oracle, x)
        raise Falsified(f"mean of out/a is {np.mean(ratio):.4f}, but E[out] = a makes it 1 "
                        f"(± {r:.4f} at α = {ALPHA:g}) [{call}]", call=call, inputs=x)


def _eval_identity(case, ex):
    x = {**ex["inputs"], "training": False}
    out = np.asarray(case.call("regularization.dropout_sample", x))
    expect_equal(case, "regularization.dropout_sample", x, out, x["a"], "eval mode (training=False) returns a")


def _reproducible(case, ex):
    x = ex["inputs"]
    first, second = (np.asarray(case.call("regularization.dropout_sample", x)) for _ in range(2))
    if not np.array_equal(first, second):
        call = signature_call(case.oracle, x)
        raise Falsified(f"two calls with seed={x['seed']} differ in "
                        f"{int(np.count_nonzero(first != second))} elements [{call}]",
                        call=call, inputs=x)


# --- batch and layer norm -------------------------------------------------------------------

AXIS = {"regularization.batch_norm": 0, "regularization.layer_norm": -1}


def _moments(oracle_id):
    """With γ = 1, β = 0: Σ x̂ = 0 and mean x̂² = σ²/(σ² + ε) along the normalised axis."""
    axis = AXIS[oracle_id]

    def check(case, ex):
        x = {**ex["inputs"]}
        f = x["x"].shape[1]
        x["gamma"], x["beta"] = np.ones(f, x["x"].dtype), np.zeros(f, x["x"].dtype)
        out = mpf_array(case.call(oracle_id, x))
        al = case.allowed(oracle_id, x)
        xs = mpf_array(x["x"])
        with mpmath.workdps(DIGITS):
            lines = [np.moveaxis(a, axis, 0) for a in (out, al, xs)]
            n = lines[0].shape[0]
            sums = np.sum(lines[0], axis=0)
            sum_bound = np.sum(lines[1], axis=0)
            mu = np.sum(lines[2], axis=0) / n
            var = np.sum((lines[2] - mu) ** 2, axis=0) / n
            eps = mpmath.mpf(x.get("eps", 1e-5))
            second = np.sum(lines[0] ** 2, axis=0) / n - var / (var + eps)
            second_bound = np.sum(2 * np.abs(lines[0]) * lines[1] + lines[1] ** 2, axis=0) / n
        what = "per feature" if axis == 0 else "per sample"
        call_x = x
        expect_within(sums, sum_bound, f"the normalised values should sum to 0 {what}",
                      signature_call(case.oracle, call_x), call_x)
        expect_within(second, second_bound, f"the normalised values' mean square should be "
                      f"σ²/(σ² + ε) {what}", signature_call(case.oracle, call_x), call_x)
    return Property(oracle_id, "normalized_moments",
                    "before γ, β: mean 0 and variance σ²/(σ² + ε) (1 as ε → 0) "
                    + ("per feature" if axis == 0 else "per sample"), check, domain_examples)


def _moved(case, oracle_id, a, b):
    """|exact f(b) - exact f(a)|: what rounding the transformed input changed, exactly."""
    with mpmath.workdps(DIGITS):
        d = case.exact(oracle_id, b).value - case.exact(oracle_id, a).value
        return np.vectorize(abs, otypes=[object])(d)


def _invariance(oracle_id, name, doc, transform, needs_params=()):
    def draw(oracle, dtype):  # the transformed input is called too: deviations see it (also)
        return st.tuples(oracle.domain(dtype), st.sampled_from(transform[0])).map(
            lambda t: {"inputs": t[0], "by": t[1], "also": (transform[1](t[0], t[1]),)})

    def check(case, ex):  # a deviation's witness has no "by": the first of the list
        x = ex["inputs"]
        y = transform[1](x, ex.get("by", transform[0][0]))
        with mpmath.workdps(DIGITS):
            bound = case.allowed(oracle_id, x) + case.allowed(oracle_id, y) + _moved(case, oracle_id, x, y)
        _combination(case, oracle_id, [(1, y), (-1, x)], bound, doc, y)
    return Property(oracle_id, name, doc, check, draw, needs_params=needs_params)


def _shifted(x, c):
    with np.errstate(over="ignore"):
        moved = (x["x"].astype(np.float64) + c).astype(x["x"].dtype)
    return {**x, "x": np.where(np.isfinite(moved), moved, x["x"]).astype(x["x"].dtype)}


def _scaled(x, s):
    """x·s with ε·s²: exactly the same normalised values (s a power of 2)."""
    with np.errstate(over="ignore", under="ignore"):
        return {**x, "x": (x["x"].astype(np.float64) * s).astype(x["x"].dtype),
                "eps": x.get("eps", 1e-5) * s * s}


@st.composite
def _constant(draw, oracle, dtype):
    """Inputs whose normalised lines are constant: every sample equal (batch norm) or every
    feature of a sample equal (layer norm)."""
    x = dict(draw(oracle.domain(dtype)))
    v = x["x"]
    x["x"] = (np.broadcast_to(v[:1, :], v.shape) if AXIS[oracle.id] == 0
              else np.broadcast_to(v[:, :1], v.shape)).copy()
    return {"inputs": x}


def _norm_laws(oracle_id):
    what = "column" if AXIS[oracle_id] == 0 else "row"
    return (
        _moments(oracle_id),
        _invariance(oracle_id, "shift_invariance", "norm(x + c) = norm(x)",
                    ([1.0, -3.0, 100.0, 1000.0, -0.5], _shifted)),
        _invariance(oracle_id, "scale_invariance", "norm(s·x, ε·s²) = norm(x, ε) for s > 0",
                    ([2.0, 4.0, 0.5, 0.25], _scaled), needs_params=("eps",)),
        Property(oracle_id, "constant_row", f"a constant {what} gives β, never NaN",
                 check_agreement, _constant),
    )


# --- weight decay ---------------------------------------------------------------------------

def _homogeneous(case, ex):
    x = ex["inputs"]
    y = {**x, "weights": [w * 2 for w in x["weights"]]}
    oid = "regularization.l2_penalty"
    with mpmath.workdps(DIGITS):
        bound = case.allowed(oid, y) + 4 * case.allowed(oid, x)
    _combination(case, oid, [(1, y), (-4, x)], bound, "penalty(2W) should be 4·penalty(W)", y)


def _additive(case, ex):
    x = ex["inputs"]
    oid = "regularization.l2_penalty"
    alone = [{**x, "weights": [w]} for w in x["weights"]]
    with mpmath.workdps(DIGITS):
        bound = case.allowed(oid, x) + sum(case.allowed(oid, a) for a in alone)
    _combination(case, oid, [(1, x), *((-1, a) for a in alone)], bound,
                 "the penalty of the list should be the sum of each array's", x)


def _lr_zero_identity(case, ex):
    x = {**ex["inputs"], "lr": 0.0}
    out = np.asarray(case.call("regularization.sgd_weight_decay_step", x))
    expect_equal(case, "regularization.sgd_weight_decay_step", x, out, x["W"], "a step with lr = 0 keeps W")


_SAMPLE = "regularization.dropout_sample"

PROPERTIES = (
    Property("regularization.dropout", "unbiased", "averaged over the mask, dropout(a) = a",
             _dropout_unbiased, domain_examples),
    Property(_SAMPLE, "kept_fraction", "about 1 - p of the elements are kept (Hoeffding, α = 1e-6)",
             _kept_fraction, _samples),
    Property(_SAMPLE, "kept_values", "every output is 0 or exactly a/(1-p)", _kept_values, _samples),
    Property(_SAMPLE, "unbiased_mean", "E[output] = a (Hoeffding, α = 1e-6)", _unbiased_mean, _samples),
    Property(_SAMPLE, "eval_identity", "training=False is the identity", _eval_identity, _samples,
             needs_params=("training",)),
    Property(_SAMPLE, "reproducible", "the same seed gives the same output", _reproducible, _samples),
    *_norm_laws("regularization.batch_norm"),
    *_norm_laws("regularization.layer_norm"),
    Property("regularization.l2_penalty", "homogeneous", "penalty(2W) = 4·penalty(W)", _homogeneous,
             domain_examples),
    Property("regularization.l2_penalty", "additive", "the penalty of a list is the sum of each's",
             _additive, domain_examples),
    Property("regularization.sgd_weight_decay_step", "lr_zero_identity", "lr = 0 leaves W as it is",
             _lr_zero_identity, domain_examples),
)
