"""Laws of the activation functions (seed: "Neural Network Math › Activation Functions").

Each law compares outputs of the implementation with each other; it holds to within the
error the agreement check allows each output (``Case.allowed``), propagated exactly.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from mathoracle.oracles.base import DIGITS, mpf_array

from .base import (Falsified, Property, bounded, domain_examples as _domain, expect_equal, expect_within,
                   signature_call)


def _negated(inputs):
    return {**inputs, "z": -inputs["z"]}


def symmetric(oracle_id: str, sign: int, doc: str) -> Property:
    """f(-z) = sign·f(z)."""
    def check(case, ex):
        x, nx = ex["inputs"], _negated(ex["inputs"])
        a, b = case.call(oracle_id, x), case.call(oracle_id, nx)
        with mpmath.workdps(DIGITS):
            diff = mpf_array(b) - sign * mpf_array(a)
            bound = case.allowed(oracle_id, x) + case.allowed(oracle_id, nx)
        name = case.oracle.name
        expect_within(diff, bound, f"{name}(-z) should be {'-' if sign < 0 else ''}{name}(z)",
                      signature_call(case.oracle, x), x)
    return Property(oracle_id, "odd" if sign < 0 else "even", doc, check, _domain)


def derivative_identity(grad_id: str, f_id: str, formula: str, combine, slope) -> Property:
    """grad(z) = combine(f(z)), with |d combine/d f| = slope(f) bounding the propagated error."""
    def check(case, ex):
        x = ex["inputs"]
        g, f = case.call(grad_id, x), case.call(f_id, x)
        with mpmath.workdps(DIGITS):
            fm = mpf_array(f)
            af = case.allowed(f_id, x)
            diff = mpf_array(g) - np.vectorize(combine, otypes=[object])(fm)
            bound = case.allowed(grad_id, x) + np.vectorize(slope, otypes=[object])(fm) * af + af * af
        expect_within(diff, bound, f"{formula} with this implementation's own {f_id}",
                      signature_call(case.oracle, x), x)
    return Property(grad_id, "derivative_identity", f"{formula} (the seed's identity)", check,
                    _domain, needs=(f_id,))


def _tanh_relation(case, ex):
    """tanh(z) = 2σ(2z) - 1, where 2z is finite."""
    z = ex["inputs"]["z"]
    with np.errstate(over="ignore"):
        z = np.where(np.isfinite(z * 2), z, 0).astype(z.dtype)
    x, x2 = {"z": z}, {"z": (z * 2).astype(z.dtype)}
    t, s = case.call("activation.tanh", x), case.call("activation.sigmoid", x2)
    with mpmath.workdps(DIGITS):
        diff = mpf_array(t) - (2 * mpf_array(s) - 1)
        bound = case.allowed("activation.tanh", x) + 2 * case.allowed("activation.sigmoid", x2)
    expect_within(diff, bound, "tanh(z) should be 2σ(2z) - 1", signature_call(case.oracle, x), x)


def _complement(case, ex):
    """σ(-z) = 1 - σ(z)."""
    x, nx = ex["inputs"], _negated(ex["inputs"])
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("activation.sigmoid", nx)) + mpf_array(
            case.call("activation.sigmoid", x)) - 1
        bound = case.allowed("activation.sigmoid", x) + case.allowed("activation.sigmoid", nx)
    expect_within(diff, bound, "σ(-z) should be 1 - σ(z)", signature_call(case.oracle, x), x)


def _odd_part(case, ex):
    """relu(z) - relu(-z) = z."""
    x, nx = ex["inputs"], _negated(ex["inputs"])
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("activation.relu", x)) - mpf_array(
            case.call("activation.relu", nx)) - mpf_array(x["z"])
        bound = case.allowed("activation.relu", x) + case.allowed("activation.relu", nx)
    expect_within(diff, bound, "relu(z) - relu(-z) should be z", signature_call(case.oracle, x), x)


def _identity_where_positive(oracle_id, expected_of):
    def check(case, ex):
        x = ex["inputs"]
        z = np.asarray(x["z"])
        out = np.asarray(case.call(oracle_id, x))
        expect_equal(case, oracle_id, x, out, expected_of(z), "z > 0", mask=z > 0)
    return check


def _slices(z, axis):
    return np.moveaxis(np.asarray(z), axis, -1).reshape(-1, np.shape(z)[axis])


def _sums_to_one(case, ex):
    x = ex["inputs"]
    s = case.call("activation.softmax", x)
    axis = x["axis"]
    with mpmath.workdps(DIGITS):
        rows = _slices(mpf_array(s), axis)
        allow = _slices(case.allowed("activation.softmax", x), axis)
        diff = np.array([mpmath.fsum(r) - 1 for r in rows], dtype=object)
        bound = np.array([mpmath.fsum(a) for a in allow], dtype=object)
    expect_within(diff, bound, "the slice's sum should be 1", signature_call(case.oracle, x), x)


@st.composite
def _shifted(draw, oracle, dtype):
    inputs = draw(oracle.domain(dtype))
    shift = draw(st.sampled_from([1e4, -1e4, 100.0, -100.0, 0.5, 1000.0]))
    z = inputs["z"]
    with np.errstate(over="ignore", invalid="ignore"):
        moved = (z.astype(np.float64) + shift).astype(dtype)
    moved = np.where(np.isfinite(moved), moved, z).astype(dtype)
    return {"inputs": inputs, "shifted": {**inputs, "z": moved}}


def _shift_invariance(case, ex):
    """softmax(z + c) = softmax(z): the exact change from rounding z + c is allowed too."""
    x, y = ex["inputs"], ex["shifted"]
    a, b = case.call("activation.softmax", x), case.call("activation.softmax", y)
    with mpmath.workdps(DIGITS):
        diff = mpf_array(b) - mpf_array(a)
        moved = case.exact("activation.softmax", y).value - case.exact("activation.softmax", x).value
        bound = (case.allowed("activation.softmax", x) + case.allowed("activation.softmax", y)
                 + np.vectorize(abs, otypes=[object])(moved))
    expect_within(diff, bound, "softmax(z + c) should be softmax(z)",
                  signature_call(case.oracle, y), y)


def _keeps_order(case, ex):
    """z_i < z_j implies s_i ≤ s_j (up to the allowed errors of both)."""
    x = ex["inputs"]
    s = case.call("activation.softmax", x)
    axis = x["axis"]
    zs = _slices(x["z"], axis)
    with mpmath.workdps(DIGITS):
        ss = _slices(mpf_array(s), axis)
        al = _slices(case.allowed("activation.softmax", x), axis)
        for r in range(zs.shape[0]):
            order = np.argsort(zs[r], kind="stable")
            for i, j in zip(order[:-1], order[1:]):
                if zs[r, i] < zs[r, j] and not (ss[r, i] <= ss[r, j] + al[r, i] + al[r, j]):
                    call = signature_call(case.oracle, x)
                    raise Falsified(
                        f"slice {r}: z[{i}] < z[{j}] but softmax {mpmath.nstr(ss[r, i], 8)} > "
                        f"{mpmath.nstr(ss[r, j], 8)} [{call}]", call=call, inputs=x)


PROPERTIES = (
    Property("activation.sigmoid", "complement", "σ(-z) = 1 - σ(z)", _complement, _domain),
    bounded("activation.sigmoid", 0.0, 1.0),
    Property("activation.sigmoid", "tanh_relation", "tanh(z) = 2σ(2z) - 1", _tanh_relation,
             _domain, needs=("activation.tanh",)),
    symmetric("activation.sigmoid_grad", +1, "σ'(-z) = σ'(z)"),
    bounded("activation.sigmoid_grad", 0.0, 0.25),
    derivative_identity("activation.sigmoid_grad", "activation.sigmoid", "σ' = σ(1-σ)",
                        lambda s: s * (1 - s), lambda s: abs(1 - 2 * s)),
    symmetric("activation.tanh", -1, "tanh(-z) = -tanh(z)"),
    bounded("activation.tanh", -1.0, 1.0),
    symmetric("activation.tanh_grad", +1, "tanh'(-z) = tanh'(z)"),
    bounded("activation.tanh_grad", 0.0, 1.0),
    derivative_identity("activation.tanh_grad", "activation.tanh", "tanh' = 1 - tanh²",
                        lambda t: 1 - t * t, lambda t: 2 * abs(t)),
    Property("activation.relu", "odd_part", "relu(z) - relu(-z) = z", _odd_part, _domain),
    bounded("activation.relu", 0.0, float("inf")),
    bounded("activation.relu_grad", 0.0, 1.0),
    Property("activation.relu_grad", "one_where_positive", "relu'(z) = 1 for z > 0",
             _identity_where_positive("activation.relu_grad", np.ones_like), _domain),
    Property("activation.leaky_relu", "identity_where_positive", "leaky_relu(z) = z for z > 0",
             _identity_where_positive("activation.leaky_relu", lambda z: z), _domain),
    Property("activation.leaky_relu_grad", "one_where_positive", "leaky_relu'(z) = 1 for z > 0",
             _identity_where_positive("activation.leaky_relu_grad", np.ones_like), _domain),
    Property("activation.softmax", "sums_to_one", "each slice sums to 1", _sums_to_one, _domain),
    Property("activation.softmax", "shift_invariance", "softmax(z + c) = softmax(z)",
             _shift_invariance, _shifted),
    Property("activation.softmax", "keeps_order", "z_i < z_j implies s_i ≤ s_j", _keeps_order,
             _domain),
)
