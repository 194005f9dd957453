"""Laws of attention and of the positional encoding (seed: "Attention Mechanism").

Each law compares outputs of the implementation with each other and holds to within the
error the agreement check allows each output it combines (``Case.allowed``). Where the law
is an exact symmetry of the formula (permuting queries, keys, heads), the permuted input's
exact value and allowance are the original's, permuted, so one exact evaluation serves both.
With V = I (the law's own values, n_k × n_k) attention's output IS its weight matrix, which
is how the weights are observed.
"""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.laws import Falsified, Property, expect_within, signature_call
from mathoracle.core.model import DIGITS, mpf_array
from mathoracle.oracles.attention import masks, mha_inputs, pe_inputs, sdp_inputs

SDP = "attention.scaled_dot_product"
MHA = "attention.multi_head"
PE = "attention.positional_encoding"


def _mask_of(x) -> np.ndarray:
    n_q, n_k = x["Q"].shape[-2], x["K"].shape[-2]
    return np.ones((n_q, n_k), bool) if x.get("mask") is None else np.asarray(x["mask"], bool)


def _with_identity_values(x: dict) -> dict:
    """The same input with V = I (batch copies): the output is then the weight matrix."""
    n_k = x["K"].shape[-2]
    eye = np.broadcast_to(np.eye(n_k, dtype=x["V"].dtype), x["V"].shape[:-2] + (n_k, n_k))
    return {**x, "V": eye.copy()}


def _difference(b, a) -> np.ndarray:
    """b - a exactly, 0 where both are NaN: a convention point (a fully masked row read as
    NaN) that the law moves consistently keeps the law."""
    with mpmath.workdps(DIGITS):
        diff = mpf_array(b) - mpf_array(a)
    both = np.isnan(np.asarray(a, np.float64)) & np.isnan(np.asarray(b, np.float64))
    return np.where(both, mpmath.mpf(0), diff)


def _same(case, oid, x, y, bound, what, rows=None):
    """out(y) = out(x) within ``bound``, on the query rows ``rows`` (all when None)."""
    a, b = case.call(oid, x), case.call(oid, y)
    diff = _difference(b, a)
    if rows is not None:
        diff, bound = diff[..., rows, :], bound[..., rows, :]
    expect_within(diff, bound, what, signature_call(case.oracle, y), y)


# --- scaled dot-product attention -----------------------------------------------------

def _weights(draw_inputs):
    def draw(oracle, dtype):
        return draw_inputs(dtype).map(lambda x: {"inputs": _with_identity_values(x)})
    return draw


def _rows_sum_to_one(case, ex):
    """With V = I, each row of the output (the weights) sums to 1 (a query with no key is the
    attention_empty_row convention's: fully_masked_row)."""
    x = ex["inputs"]
    w = case.call(SDP, x)
    keyed = _mask_of(x).any(axis=-1)
    with mpmath.workdps(DIGITS):
        rows = mpf_array(w).sum(axis=-1)
        target = np.broadcast_to(np.where(keyed, 1, 0), rows.shape)
        diff = rows - np.vectorize(mpmath.mpf, otypes=[object])(target)
        diff = np.where(np.broadcast_to(keyed, rows.shape), diff, mpmath.mpf(0))
        bound = case.allowed(SDP, x).sum(axis=-1)
    expect_within(diff, bound, "with V = I the weights of a query should sum to 1",
                  signature_call(case.oracle, x), x)


@st.composite
def _permuted(draw, oracle, dtype, axis):
    x = draw(sdp_inputs(dtype))
    n = x["Q"].shape[-2] if axis == "queries" else x["K"].shape[-2]
    return {"inputs": x, "perm": np.array(draw(st.permutations(range(n))))}


def _query_permutation(case, ex):
    """Attention(PQ, K, V) = P·Attention(Q, K, V), the mask's rows permuted alike."""
    x, p = ex["inputs"], ex["perm"]
    y = {**x, "Q": x["Q"][..., p, :].copy(),
         "mask": None if x.get("mask") is None else x["mask"][p].copy()}
    out, moved = case.call(SDP, x), case.call(SDP, y)
    diff = _difference(moved, np.asarray(out)[..., p, :])
    with mpmath.workdps(DIGITS):
        bound = 2 * case.allowed(SDP, x)[..., p, :]
    expect_within(diff, bound, f"permuting the queries by {p.tolist()} should permute the "
                  "output rows", signature_call(case.oracle, y), y)


def _key_permutation(case, ex):
    """Attention(Q, PK, PV) = Attention(Q, K, V), the mask's columns permuted alike."""
    x, p = ex["inputs"], ex["perm"]
    y = {**x, "K": x["K"][..., p, :].copy(), "V": x["V"][..., p, :].copy(),
         "mask": None if x.get("mask") is None else x["mask"][:, p].copy()}
    _same(case, SDP, x, y, 2 * case.allowed(SDP, x),
          f"permuting keys and values together by {p.tolist()} should not change the output")


@st.composite
def _masked_key(draw, oracle, dtype):
    """A masked input, and one key j that some query may not attend, given new K and V rows."""
    x = dict(draw(sdp_inputs(dtype)))
    n_q, n_k = x["Q"].shape[-2], x["K"].shape[-2]
    x["mask"] = draw(st.sampled_from([m for m in masks(n_q, n_k) if not m.all()]))
    j = draw(st.sampled_from([j for j in range(n_k) if not x["mask"][:, j].all()]))
    b = float(np.max(np.abs(x["K"]), initial=1.0))
    el = st.sampled_from([b, -b, 1.0, -1.0, 0.0])
    k_row = draw(hnp.arrays(dtype, x["K"].shape[:-2] + x["K"].shape[-1:], elements=el))
    v_row = draw(hnp.arrays(dtype, x["V"].shape[:-2] + x["V"].shape[-1:], elements=el))
    return {"inputs": x, "key": j, "k_row": k_row, "v_row": v_row}


def _masked_key_no_influence(case, ex):
    """Changing K and V of key j changes no output row whose query may not attend j."""
    x, j = ex["inputs"], ex["key"]
    k, v = x["K"].copy(), x["V"].copy()
    k[..., j, :], v[..., j, :] = ex["k_row"], ex["v_row"]
    y = {**x, "K": k, "V": v}
    rows = np.flatnonzero(~x["mask"][:, j] & x["mask"].any(axis=-1))  # no key: a convention
    _same(case, SDP, x, y, 2 * case.allowed(SDP, x),
          f"key {j} is masked for queries {rows.tolist()}: its K and V should not change "
          "their rows",
          rows=rows)


@st.composite
def _first_row_masked(draw, oracle, dtype):
    x = dict(draw(sdp_inputs(dtype)))
    x["mask"] = masks(x["Q"].shape[-2], x["K"].shape[-2])[3]
    return {"inputs": x}


def _fully_masked_row(case, ex):
    """A query with no key to attend gets a reading of the attention_empty_row convention:
    zeros, NaN or mean(V) (any, unless one is declared); the oracle's ``align`` accepts them."""
    x = ex["inputs"]
    exact = case.exact(SDP, x)
    got = np.asarray(case.oracles[SDP].align(x, case.call(SDP, x), exact), np.float64)
    with mpmath.workdps(DIGITS):
        diff = (mpf_array(got.reshape(exact.value.shape)) - exact.value)[..., 0, :]
    expect_within(diff, case.allowed(SDP, x)[..., 0, :], "query 0 has no key to attend: its row "
                  "should be zeros, NaN or mean(V) (attention_empty_row)", signature_call(case.oracle, x), x)


@st.composite
def _moderate(draw, dtype):
    """Small exact scores and no mask, so that every weight is far above its rounding."""
    x = dict(draw(sdp_inputs(dtype, with_mask=False)))
    el = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0])
    x["Q"] = draw(hnp.arrays(dtype, x["Q"].shape, elements=el))
    x["K"] = draw(hnp.arrays(dtype, x["K"].shape, elements=el))
    return x


def _scale(case, ex):
    """log(w_ij / w_ik) = (q_i·k_j - q_i·k_k)/√d_k: the weights imply the scale 1/√d_k.
    |log w̃ - log w| ≤ a/(w - a) where w > a bounds the error of each logarithm."""
    x = ex["inputs"]
    w = mpf_array(case.call(SDP, x))
    exact, allowed = case.exact(SDP, x).value, case.allowed(SDP, x)
    q, k = mpf_array(x["Q"]), mpf_array(x["K"])
    d_k = x["Q"].shape[-1]
    with mpmath.workdps(DIGITS):
        dots = q @ np.swapaxes(k, -1, -2)
        for idx in np.ndindex(w.shape[:-1]):
            good = [j for j in range(w.shape[-1]) if exact[idx + (j,)] > 2 * allowed[idx + (j,)]]
            for j, m in zip(good, good[1:]):
                gap = dots[idx + (j,)] - dots[idx + (m,)]
                if gap == 0 or w[idx + (j,)] <= 0 or w[idx + (m,)] <= 0:
                    continue
                ratio = mpmath.log(w[idx + (j,)] / w[idx + (m,)])
                bound = sum(allowed[idx + (c,)] / (exact[idx + (c,)] - allowed[idx + (c,)])
                            for c in (j, m))
                if abs(ratio - gap / mpmath.sqrt(d_k)) > bound:
                    call = signature_call(case.oracle, x)
                    raise Falsified(
                        f"the weights of query {list(idx)} on keys {j} and {m} imply the scale "
                        f"{mpmath.nstr(ratio / gap, 6)}, but it should be 1/√d_k = "
                        f"{mpmath.nstr(1 / mpmath.sqrt(d_k), 6)} [{call}]", call=call, inputs=x)


# --- multi-head attention -------------------------------------------------------------

@st.composite
def _single_head(draw, oracle, dtype):
    same_width = sdp_inputs(dtype, with_mask=False).filter(
        lambda x: x["Q"].shape[-1] == x["V"].shape[-1])
    x = draw(same_width)
    return {"inputs": x}


def _single_head_identity(case, ex):
    """multi_head(Q, K, V, I, I, I, I, 1) = scaled_dot_product(Q, K, V): the identity
    projections are exact, so the output is the attention's, within its allowance twice."""
    x = ex["inputs"]
    eye = np.eye(x["Q"].shape[-1], dtype=x["Q"].dtype)
    y = {"Q": x["Q"], "K": x["K"], "V": x["V"], "W_q": eye, "W_k": eye, "W_v": eye, "W_o": eye,
         "num_heads": 1}
    with mpmath.workdps(DIGITS):
        diff = mpf_array(case.call(MHA, y)) - mpf_array(case.call(SDP, x))
        bound = 2 * case.allowed(SDP, x)
    expect_within(diff, bound, "one head with identity projections should be scaled_dot_product",
                  signature_call(case.oracle, y), y)


@st.composite
def _heads_permuted(draw, oracle, dtype):
    x = draw(mha_inputs(dtype).filter(lambda x: x["num_heads"] > 1))
    h = x["num_heads"]
    perm = draw(st.permutations(range(h)).filter(lambda p: list(p) != list(range(h))))
    return {"inputs": x, "perm": np.array(perm)}


def _head_permutation(case, ex):
    """Relabelling the heads (the same block permutation of the columns of W_q, W_k, W_v and of
    the rows of W_o) does not change the output."""
    x, p = ex["inputs"], ex["perm"]
    e, h = x["W_q"].shape[1], x["num_heads"]
    cols = (p[:, None] * (e // h) + np.arange(e // h)).reshape(-1)
    y = {**x, **{w: x[w][:, cols].copy() for w in ("W_q", "W_k", "W_v")},
         "W_o": x["W_o"][cols].copy()}
    _same(case, MHA, x, y, 2 * case.allowed(MHA, x),
          f"relabelling the heads by {p.tolist()} should not change the output")


# --- positional encoding --------------------------------------------------------------

def _pairs(a: np.ndarray):
    """The (sine, cosine) columns of each whole pair (an odd d_model's last column has none)."""
    n = a.shape[1] // 2 * 2
    return a[:, 0:n:2], a[:, 1:n:2]


def _pe_draw(min_positions=1):
    def draw(oracle, dtype):
        return pe_inputs().filter(lambda x: x["num_positions"] >= min_positions
                                  and x["d_model"] >= 2).map(lambda x: {"inputs": x})
    return draw


def _unit_pairs(case, ex):
    """sin² + cos² = 1 for every position and pair."""
    x = ex["inputs"]
    s, c = _pairs(mpf_array(case.call(PE, x)))
    es, ec = _pairs(case.exact(PE, x).value)
    as_, ac = _pairs(case.allowed(PE, x))
    with mpmath.workdps(DIGITS):
        absolute = np.vectorize(abs, otypes=[object])
        diff = s * s + c * c - 1
        bound = 2 * absolute(es) * as_ + as_ * as_ + 2 * absolute(ec) * ac + ac * ac
    expect_within(diff, bound, "sin² + cos² of a pair should be 1",
                  signature_call(case.oracle, x), x)


def _frequency_ladder(case, ex):
    """At pos = 1 the angle of pair i, atan2(sin, cos), is 10000^(-2i/d): the frequencies form
    the geometric ladder. Bound: |∇ atan2| over the box of allowed errors around the output."""
    x = ex["inputs"]
    d = x["d_model"]
    s, c = (v[1] for v in _pairs(mpf_array(case.call(PE, x))))
    as_, ac = (v[1] for v in _pairs(case.allowed(PE, x)))
    with mpmath.workdps(DIGITS):
        for i in range(len(s)):
            radius = mpmath.sqrt(s[i] ** 2 + c[i] ** 2) - as_[i] - ac[i]
            if radius <= 0:
                continue
            bound = ((abs(c[i]) + ac[i]) * as_[i] + (abs(s[i]) + as_[i]) * ac[i]) / radius ** 2
            angle = mpmath.atan2(s[i], c[i])
            want = mpmath.mpf(10000) ** (-mpmath.mpf(2 * i) / d)
            if not abs(angle - want) <= bound:
                call = signature_call(case.oracle, x)
                raise Falsified(f"pair {i} turns by {mpmath.nstr(angle, 8)} from pos 0 to pos 1, "
                                f"but should by 10000^(-2·{i}/{d}) = {mpmath.nstr(want, 8)} "
                                f"[{call}]",
                                call=call, inputs=x, got=float(angle), expected=float(want))


@st.composite
def _with_offset(draw, oracle, dtype):
    x = draw(_pe_draw(2)(oracle, dtype))["inputs"]
    return {"inputs": x, "k": draw(st.integers(1, x["num_positions"] - 1))}


def _rotation(case, ex):
    """PE(pos + k) = R(k)·PE(pos) for every pos, pair by pair, with the rotation R(k) read from
    the implementation's own row k (PE(0) = (0, 1)): sin(a+b) = sin a cos b + cos a sin b,
    cos(a+b) = cos a cos b - sin a sin b."""
    x, k = ex["inputs"], ex["k"]
    s, c = _pairs(mpf_array(case.call(PE, x)))
    es, ec = _pairs(case.exact(PE, x).value)
    as_, ac = _pairs(case.allowed(PE, x))
    with mpmath.workdps(DIGITS):
        absolute = np.vectorize(abs, otypes=[object])
        sk, ck, a_sk, a_ck = s[k], c[k], as_[k], ac[k]
        n = s.shape[0] - k
        diff_s = s[k:] - (s[:n] * ck + c[:n] * sk)
        diff_c = c[k:] - (c[:n] * ck - s[:n] * sk)

        def product(e1, a1, e2, a2):  # |x̃ỹ - xy| ≤ |x|a_y + |y|a_x + a_x a_y
            return absolute(e1) * a2 + absolute(e2) * a1 + a1 * a2
        bound_s = (as_[k:] + product(es[:n], as_[:n], ec[k], a_ck)
                   + product(ec[:n], ac[:n], es[k], a_sk))
        bound_c = (ac[k:] + product(ec[:n], ac[:n], ec[k], a_ck)
                   + product(es[:n], as_[:n], es[k], a_sk))
    call = signature_call(case.oracle, x)
    for name, diff, bound in (("sin", diff_s, bound_s), ("cos", diff_c, bound_c)):
        expect_within(diff, bound, f"{name} at pos + {k} should be row pos rotated by row {k}",
                      call, x)


PROPERTIES = (
    Property(SDP, "rows_sum_to_one", "with V = I the output is the weights: each row sums to 1 "
             "(a query with no key: fully_masked_row)", _rows_sum_to_one, _weights(sdp_inputs)),
    Property(SDP, "query_permutation", "permuting the queries permutes the output rows",
             _query_permutation, lambda o, dt: _permuted(o, dt, "queries")),
    Property(SDP, "key_permutation", "permuting keys and values together changes nothing",
             _key_permutation, lambda o, dt: _permuted(o, dt, "keys")),
    Property(SDP, "masked_key", "a key a query may not attend has no influence on its row",
             _masked_key_no_influence, _masked_key, needs_params=("mask",)),
    Property(SDP, "fully_masked_row", "a query with no key gets zeros, NaN or mean(V) (a convention)",
             _fully_masked_row, _first_row_masked, needs_params=("mask",)),
    Property(SDP, "scale", "the weights imply the scale 1/√d_k", _scale, _weights(_moderate)),
    Property(MHA, "single_head_identity", "one head with identity projections is "
             "scaled_dot_product", _single_head_identity, _single_head, needs=(SDP,)),
    Property(MHA, "head_permutation", "relabelling the heads changes nothing", _head_permutation,
             _heads_permuted),
    Property(PE, "unit_pairs", "sin² + cos² = 1 for every pair", _unit_pairs, _pe_draw()),
    Property(PE, "frequency_ladder", "pair i turns by 10000^(-2i/d) per position",
             _frequency_ladder, _pe_draw(2)),
    Property(PE, "rotation", "PE(pos + k) is PE(pos) rotated by the fixed R(k), for every pos",
             _rotation, _with_offset),
)
