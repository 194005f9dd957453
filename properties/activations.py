"""Laws of the activation functions (seed: "Neural Network Math › Activation Functions").

Each law compares outputs of the implementation with each other; it holds to within the
error the agreement check allows each output (``Case.allowed``), propagated exactly.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st

from mathoracle.core.laws import Falsified, Property, bounded
from mathoracle.core.laws import domain_examples as _domain
from mathoracle.core.laws import expect_equal, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array


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


def _with_negated(oracle, dtype):
    """Domain examples, with the negated input under ``also`` (a deviation's region sees it)."""
    return oracle.domain(dtype).map(lambda inputs: {"inputs": inputs, "also": (_negated(inputs),)})


def odd_part(oracle_id: str) -> Property:
    """f(z) - f(-z) = z: ReLU's, and that of every z·g(z) with g(z) + g(-z) = 1 (GELU, SiLU),
    and of softplus (log(1 + e^{βz}) - log(1 + e^{-βz}) = βz)."""
    name = oracle_id.split(".", 1)[1]

    def check(case, ex):
        x, nx = ex["inputs"], _negated(ex["inputs"])
        with mpmath.workdps(DIGITS):
            diff = mpf_array(case.call(oracle_id, x)) - mpf_array(
                case.call(oracle_id, nx)) - mpf_array(x["z"])
            bound = case.allowed(oracle_id, x) + case.allowed(oracle_id, nx)
        expect_within(diff, bound, f"{name}(z) - {name}(-z) should be z",
                      signature_call(case.oracle, x), x)
    return Property(oracle_id, "odd_part", f"{name}(z) - {name}(-z) = z", check, _with_negated)


def _overflowed(case, oracle_id, x, out) -> np.ndarray:
    """Outputs that are ±inf where the exact value rounds to that infinity in the dtype:
    right (agreement says so), and not a number a law can combine."""
    got = np.asarray(out, dtype=np.float64)
    if not np.isinf(got).any():
        return np.zeros(got.shape, bool)
    with np.errstate(over="ignore"):
        rounded = np.vectorize(float, otypes=[np.float64])(
            case.exact(oracle_id, x).value).astype(case.dtype).astype(np.float64)
    return np.isinf(got) & (rounded == got)


def _beyond(case, oracle_id, x, out, lo, hi, what):
    """lo ≤ out ≤ hi (object arrays of mpf, or None), to within the error agreement allows
    out: how far out lies outside, which must be 0 (NaN where out is NaN)."""
    with mpmath.workdps(DIGITS):
        got = mpf_array(out)
        outside = np.empty(got.shape, dtype=object)
        for idx, g in np.ndenumerate(got):
            below = lo[idx] - g if lo is not None else 0
            above = g - hi[idx] if hi is not None else 0
            outside[idx] = g if mpmath.isnan(g) else max(below, above, 0)
        bound = case.allowed(oracle_id, x)
    expect_within(outside, bound, what, signature_call(case.oracle, x), x)


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
    shifted = {**inputs, "z": moved}
    return {"inputs": inputs, "shifted": shifted, "shift": shift, "also": (shifted,)}


def shift_law(oracle_id: str, moves: bool) -> Property:
    """f(z + c) = f(z) + c (logsumexp: ``moves``) or f(z) (softmax, log-softmax): the exact
    change from rounding z + c (f_exact(z + c) - f_exact(z) - c) is allowed too."""
    name = oracle_id.split(".", 1)[1]
    doc = f"{name}(z + c) = {name}(z){' + c' if moves else ''}"

    def check(case, ex):
        x, y = ex["inputs"], ex["shifted"]
        c = ex["shift"] if moves else 0
        a, b = case.call(oracle_id, x), case.call(oracle_id, y)
        with mpmath.workdps(DIGITS):
            diff = np.asarray(mpf_array(b) - mpf_array(a) - c, dtype=object)
            diff[_overflowed(case, oracle_id, x, a) | _overflowed(case, oracle_id, y, b)] = 0
            moved = case.exact(oracle_id, y).value - case.exact(oracle_id, x).value - c
            bound = (case.allowed(oracle_id, x) + case.allowed(oracle_id, y)
                     + np.vectorize(abs, otypes=[object])(moved))
        expect_within(diff, bound, f"{doc.replace(' = ', ' should be ')}",
                      signature_call(case.oracle, y), y)
    return Property(oracle_id, "shift_invariance" if not moves else "shift", doc, check, _shifted)


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


# max over z of |gelu(z) - gelu_tanh(z)|, at z = ±2.698941 (mpmath, 40 digits: -4.7323552e-4)
GELU_TANH_GAP = 4.7324e-4


def _gelu_gap(oracle_id, other_id):
    """|gelu(z) - gelu_tanh(z)| ≤ GELU_TANH_GAP, both the implementation's own."""
    def check(case, ex):
        x = ex["inputs"]
        with mpmath.workdps(DIGITS):
            diff = mpf_array(case.call(oracle_id, x)) - mpf_array(case.call(other_id, x))
            bound = case.allowed(oracle_id, x) + case.allowed(other_id, x) + mpmath.mpf(GELU_TANH_GAP)
        expect_within(diff, bound, f"gelu and gelu_tanh should differ by at most {GELU_TANH_GAP:g}",
                      signature_call(case.oracle, x), x)
    return Property(oracle_id, "near_" + other_id.split(".")[1],
                    f"|gelu(z) - gelu_tanh(z)| ≤ {GELU_TANH_GAP:g} (its maximum, at z = ±2.699)",
                    check, _domain, needs=(other_id,))


def _silu_is_z_sigmoid(case, ex):
    """silu(z) = z·σ(z), σ the implementation's own."""
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        z = mpf_array(x["z"])
        diff = mpf_array(case.call("activation.silu", x)) - z * mpf_array(
            case.call("activation.sigmoid", x))
        bound = (case.allowed("activation.silu", x)
                 + np.vectorize(abs, otypes=[object])(z) * case.allowed("activation.sigmoid", x))
    expect_within(diff, bound, "silu(z) should be z·sigmoid(z)", signature_call(case.oracle, x), x)


def _softplus_above_relu(case, ex):
    x = ex["inputs"]
    with mpmath.workdps(DIGITS):
        relu = np.vectorize(lambda v: max(v, 0), otypes=[object])(mpf_array(x["z"]))
    _beyond(case, "activation.softplus", x, case.call("activation.softplus", x), relu, None,
            "softplus(z) should be at least max(0, z)")


def _elu_above_minus_alpha(case, ex):
    x = ex["inputs"]
    lo = np.full(np.shape(x["z"]), -mpmath.mpf(float(x["alpha"])), dtype=object)
    _beyond(case, "activation.elu", x, case.call("activation.elu", x), lo, None,
            "elu(z) should be at least -α")


def _log_softmax_nonpositive(case, ex):
    x = ex["inputs"]
    zero = np.full(np.shape(x["z"]), mpmath.mpf(0), dtype=object)
    _beyond(case, "activation.log_softmax", x, case.call("activation.log_softmax", x), None, zero,
            "log_softmax should be at most 0")


def _exp_sums_to_one(case, ex):
    """Σ_i e^{out_i} = 1 per slice; an error a_i in out_i moves e^{out_i} by ≤ e^{out_i}·expm1(a_i)."""
    x = ex["inputs"]
    out = case.call("activation.log_softmax", x)
    with mpmath.workdps(DIGITS):
        e = np.vectorize(mpmath.exp, otypes=[object])(mpf_array(out))
        moved = e * np.vectorize(mpmath.expm1, otypes=[object])(case.allowed("activation.log_softmax", x))
        rows, allow = _slices(e, x["axis"]), _slices(moved, x["axis"])
        diff = np.array([mpmath.fsum(r) - 1 for r in rows], dtype=object)
        bound = np.array([mpmath.fsum(a) for a in allow], dtype=object)
    expect_within(diff, bound, "the slice's Σ exp(log_softmax) should be 1",
                  signature_call(case.oracle, x), x)


def _z_minus_logsumexp(case, ex):
    """log_softmax(z) = z - logsumexp(z), logsumexp the implementation's own."""
    x = ex["inputs"]
    axis = x["axis"]
    with mpmath.workdps(DIGITS):
        lse = np.expand_dims(mpf_array(case.call("activation.logsumexp", x)), axis)
        a_lse = np.expand_dims(case.allowed("activation.logsumexp", x), axis)
        out = case.call("activation.log_softmax", x)
        diff = mpf_array(out) - (mpf_array(x["z"]) - lse)
        diff[_overflowed(case, "activation.log_softmax", x, out)] = 0  # -inf, rightly
        bound = case.allowed("activation.log_softmax", x) + a_lse
    expect_within(diff, bound, "log_softmax(z) should be z - logsumexp(z)",
                  signature_call(case.oracle, x), x)


def _lse_between_max_and_max_plus_log_n(case, ex):
    x = ex["inputs"]
    z, axis = np.asarray(x["z"]), x["axis"]
    with mpmath.workdps(DIGITS):
        top = mpf_array(np.max(z, axis=axis))
        hi = np.asarray(top + mpmath.log(z.shape[axis]), dtype=object)
        _beyond(case, "activation.logsumexp", x, case.call("activation.logsumexp", x), top, hi,
                "logsumexp should lie in [max z, max z + log n]")


def _reversed(inputs):
    return {**inputs, "z": np.flip(inputs["z"], axis=inputs["axis"])}


def _with_reversed(oracle, dtype):
    return oracle.domain(dtype).map(lambda inputs: {"inputs": inputs, "also": (_reversed(inputs),)})


def _lse_permutation(case, ex):
    """Reversing each slice leaves logsumexp unchanged."""
    x = ex["inputs"]
    y = _reversed(x)
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call("activation.logsumexp", y)) - mpf_array(
            case.call("activation.logsumexp", x))
        bound = case.allowed("activation.logsumexp", x) + case.allowed("activation.logsumexp", y)
    expect_within(diff, bound, "logsumexp of the reversed slices should be the same",
                  signature_call(case.oracle, y), y)


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
    odd_part("activation.relu"),
    bounded("activation.relu", 0.0, float("inf")),
    bounded("activation.relu_grad", 0.0, 1.0),
    Property("activation.relu_grad", "one_where_positive", "relu'(z) = 1 for z > 0",
             _identity_where_positive("activation.relu_grad", np.ones_like), _domain),
    Property("activation.leaky_relu", "identity_where_positive", "leaky_relu(z) = z for z > 0",
             _identity_where_positive("activation.leaky_relu", lambda z: z), _domain),
    Property("activation.leaky_relu_grad", "one_where_positive", "leaky_relu'(z) = 1 for z > 0",
             _identity_where_positive("activation.leaky_relu_grad", np.ones_like), _domain),
    Property("activation.softmax", "sums_to_one", "each slice sums to 1", _sums_to_one, _domain),
    shift_law("activation.softmax", moves=False),
    Property("activation.softmax", "keeps_order", "z_i < z_j implies s_i ≤ s_j", _keeps_order,
             _domain),
    odd_part("activation.gelu"),
    _gelu_gap("activation.gelu", "activation.gelu_tanh"),
    odd_part("activation.gelu_tanh"),
    _gelu_gap("activation.gelu_tanh", "activation.gelu"),
    odd_part("activation.silu"),
    Property("activation.silu", "z_sigmoid", "silu(z) = z·sigmoid(z)", _silu_is_z_sigmoid, _domain,
             needs=("activation.sigmoid",)),
    odd_part("activation.softplus"),
    Property("activation.softplus", "above_relu", "softplus(z) ≥ max(0, z)", _softplus_above_relu,
             _domain),
    Property("activation.elu", "identity_where_positive", "elu(z) = z for z > 0",
             _identity_where_positive("activation.elu", lambda z: z), _domain),
    Property("activation.elu", "above_minus_alpha", "elu(z) ≥ -α", _elu_above_minus_alpha,
             _domain),
    Property("activation.log_softmax", "exp_sums_to_one", "Σ exp(log_softmax(z)) = 1 over each slice",
             _exp_sums_to_one, _domain),
    Property("activation.log_softmax", "z_minus_logsumexp", "log_softmax(z) = z - logsumexp(z)",
             _z_minus_logsumexp, _domain, needs=("activation.logsumexp",)),
    shift_law("activation.log_softmax", moves=False),
    Property("activation.log_softmax", "nonpositive", "log_softmax(z) ≤ 0", _log_softmax_nonpositive,
             _domain),
    shift_law("activation.logsumexp", moves=True),
    Property("activation.logsumexp", "max_bounds", "max z ≤ logsumexp(z) ≤ max z + log n",
             _lse_between_max_and_max_plus_log_n, _domain),
    Property("activation.logsumexp", "permutation_invariance",
             "reversing each slice leaves logsumexp unchanged", _lse_permutation, _with_reversed),
)
