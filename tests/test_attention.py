"""Attention: the seed's multi-head typo, the identities the laws rest on (proved in SymPy),
the fully masked convention as torch implements it, and torch's functional multi-head path."""
import numpy as np
import pytest
import sympy as sp

import mathoracle
from mathoracle.core.implementation import Implementation
from mathoracle.oracles.attention import (attention, merge_heads, multi_head, multi_head_attention, pe_exprs,
                                          projection_bound, scaled_dot_product, score_bound, split_heads)
from mathoracle.oracles.structured import symbols_like
from mathoracle.results import FAIL, PASS


def _seed_multi_head(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """The seed's text: head_i = Attention(Q W_i^K, K W_i^K, V W_i^V) (W^K for the queries)."""
    h = num_heads
    heads = attention(split_heads(Q @ W_k, h), split_heads(K @ W_k, h), split_heads(V @ W_v, h))
    return merge_heads(heads) @ W_o


def test_the_seeds_multi_head_typo_changes_the_result():
    x = np.array([[1.0, 0.5], [-1.0, 2.0]])
    w_q, w_k = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[0.0, 2.0], [1.0, 0.0]])
    inputs = {"Q": x, "K": x[::-1].copy(), "V": x * 2, "W_q": w_q, "W_k": w_k,
              "W_v": np.eye(2), "W_o": np.eye(2), "num_heads": 2}
    right = multi_head_attention.exact(inputs).value.astype(float)
    exact = np.vectorize(sp.nsimplify, otypes=[object])  # floats as exact rationals
    as_written = _seed_multi_head(*[exact(v) if isinstance(v, np.ndarray) else v
                                    for v in inputs.values()]).astype(float)
    assert not np.allclose(right, as_written), "W_k on the queries should change the output"
    # and the oracle is the textbook formula with W_q: the same value computed in float64
    from mathoracle.implementations.numpy_reference.attention import multi_head as reference
    np.testing.assert_allclose(reference(*inputs.values()), right, rtol=1e-12)


def test_weights_sum_to_one_symbolically():
    """With V = I attention's output is its weight matrix; each row sums to 1 exactly."""
    Q, K = symbols_like("q", (2, 2)), symbols_like("k", (3, 2))
    W = attention(Q, K, np.eye(3, dtype=int) * sp.Integer(1))
    for row in W:
        assert sp.simplify(sum(row) - 1) == 0


def test_masked_key_is_absent_from_the_formula():
    Q, K, V = symbols_like("q", (2, 1)), symbols_like("k", (2, 1)), symbols_like("v", (2, 1))
    mask = np.array([[True, False], [False, False]])
    out = attention(Q, K, V, mask)
    assert out[0, 0] == V[0, 0] and out[1, 0] == 0  # one key left: weight 1; none: zeros
    assert not out[0, 0].has(K[1, 0], V[1, 0])


def test_one_head_with_identity_projections_is_attention_symbolically():
    Q, K, V = (symbols_like(n, (2, 2)) for n in "qkv")
    eye = np.eye(2, dtype=int) * sp.Integer(1)
    diff = multi_head(Q, K, V, eye, eye, eye, eye, 1) - attention(Q, K, V)
    assert all(sp.simplify(e) == 0 for e in diff.reshape(-1))


def test_positional_encoding_pairs_rotate_and_have_unit_norm():
    s, c = pe_exprs()
    pos, k = sp.Symbol("pos", positive=True), sp.Symbol("k", positive=True)
    shifted = [e.subs(pos, pos + k) for e in (s, c)]
    rot_s = s * c.subs(pos, k) + c * s.subs(pos, k)
    rot_c = c * c.subs(pos, k) - s * s.subs(pos, k)
    assert sp.simplify(s ** 2 + c ** 2 - 1) == 0
    assert sp.simplify(sp.expand_trig(shifted[0] - rot_s)) == 0
    assert sp.simplify(sp.expand_trig(shifted[1] - rot_c)) == 0
    angle = sp.atan2(s.subs(pos, 1), c.subs(pos, 1))  # at pos 1 the angle is the frequency
    sym = {str(x): x for x in s.free_symbols}
    i, d = sym["i"], sym["d"]
    assert abs(sp.N(angle.subs({i: 3, d: 8}) - sp.Integer(10000) ** sp.Rational(-6, 8), 60)) < 1e-50


def test_drawn_scores_stay_where_the_first_order_model_holds():
    """u·|score| ≤ 1/16 for every drawn score (see conditioned_bound)."""
    from mathoracle.oracles.attention import MHA_SHAPES, SDP_SHAPES, split_heads
    for dtype in (np.float16, np.float32, np.float64):
        u = 2.0 ** -(np.finfo(dtype).nmant + 1)
        b = score_bound(dtype)  # every entry at the bound: the largest score of each shape
        for _, n_q, n_k, d_k, _ in SDP_SHAPES:
            scores = np.full((n_q, d_k), b) @ np.full((n_k, d_k), b).T / np.sqrt(d_k)
            assert u * scores.max() <= 1 / 16
        b = projection_bound(dtype)
        for _, n_q, n_k, e, h in MHA_SHAPES:
            q = split_heads(np.full((n_q, e), b) @ np.full((e, e), b), h)
            k = split_heads(np.full((n_k, e), b) @ np.full((e, e), b), h)
            scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(e // h)
            assert u * scores.max() <= 1 / 16


def test_torch_gives_a_fully_masked_query_zeros():
    """The declared convention is torch's (≥ 2.5, _safe_softmax), not NaN."""
    torch = pytest.importorskip("torch")
    q, k, v = torch.ones(2, 2), torch.ones(2, 2), torch.ones(2, 2)
    mask = torch.tensor([[True, True], [False, False]])
    out = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert out[1].tolist() == [0.0, 0.0] and out[0].tolist() == [1.0, 1.0]


@pytest.mark.heavy  # a bundled conformance check (27 s), as test_bundled's are
def test_torch_functional_multi_head_conforms_too():
    pytest.importorskip("torch")
    from mathoracle.implementations.torch_adapter.attention import DEVIATIONS, multi_head_functional
    mine = tuple(d for d in DEVIATIONS if d.oracle == "attention.multi_head")
    impl = Implementation("torch-functional", {"attention.multi_head": multi_head_functional},
                          deviations=mine)
    result = mathoracle.check("attention.multi_head", impl, seed=5, max_examples=10,
                              properties=["agreement", "nan"])
    assert result.status == PASS, [r.counterexample for r in result.results if r.status != PASS]


# --- a query with no key (0/0) is the attention_empty_row convention ------------------------

def _reference(Q, K, V, mask=None):
    from mathoracle.implementations.numpy_reference.attention import scaled_dot_product
    return scaled_dot_product(Q, K, V, mask)


def _minus_inf_mask(Q, K, V, mask=None):
    """An additive -inf mask: 0/0 = NaN in a row with no key."""
    s = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    if mask is not None:
        s = s + np.where(mask, 0.0, -np.inf)
    with np.errstate(invalid="ignore"):
        e = np.exp(s - s.max(axis=-1, keepdims=True))
        return ((e / e.sum(-1, keepdims=True)) @ V).astype(Q.dtype)


def _row_value(value):
    def target(Q, K, V, mask=None):
        """The reference's rows, but a query with no key gets ``value(V)``."""
        out = _reference(Q, K, V, mask)
        if mask is None:
            return out
        empty = ~np.asarray(mask, bool).any(-1)
        return np.where(empty[:, None], value(V), out).astype(Q.dtype)
    return target


_MEAN = _row_value(lambda V: V.astype(np.float64).mean(-2, keepdims=True))  # jnp.where(mask, s, -big)
_HALF = _row_value(lambda V: 0.5)


def _status(fn, conventions=()):
    return mathoracle.check("attention.scaled_dot_product", fn, dtypes=["float64"], seed=1,
                            max_examples=40, properties=["agreement", "fully_masked_row"],
                            conventions=list(conventions)).status


def test_a_query_with_no_key_may_get_zeros_nan_or_the_mean_of_v():
    assert [_status(f) for f in (_reference, _minus_inf_mask, _MEAN)] == [PASS] * 3
    assert _status(_HALF) == FAIL


@pytest.mark.parametrize("value, passing", [("zero", 0), ("nan", 1), ("mean", 2)])
def test_a_declared_empty_row_convention_rejects_the_other_readings(value, passing):
    declared = [f"attention_empty_row={value}"]
    got = [_status(f, declared) for f in (_reference, _minus_inf_mask, _MEAN)]
    assert got == [PASS if i == passing else FAIL for i in range(3)]


def test_covering_names_the_convention_a_result_follows():
    from mathoracle import conventions
    x = {"Q": np.ones((2, 2)), "K": np.ones((2, 2)), "V": np.array([[1.0, 2.0], [3.0, 4.0]]),
         "mask": np.array([[True, True], [False, False]])}
    everything = conventions.covering(scaled_dot_product, x)
    assert {"attention_empty_row=zero", "attention_empty_row=nan",
            "attention_empty_row=mean"} <= set(everything)
    got = _reference(**x)
    assert conventions.covering(scaled_dot_product, x, _minus_inf_mask(**x)) == ["attention_empty_row=nan"]
    assert conventions.covering(scaled_dot_product, x, _MEAN(**x)) == ["attention_empty_row=mean"]
    assert conventions.covering(scaled_dot_product, x, got) == ["attention_empty_row=zero"]
    assert conventions.covering(scaled_dot_product, {**x, "mask": None}) == []
