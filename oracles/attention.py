"""Attention: scaled dot-product, multi-head, and the sinusoidal positional encoding.

Seed: "Attention Mechanism (The Math Behind Transformers)". Attention is the activation
softmax's own SymPy formula (``activations.softmax_exprs``) applied to each row of the
scores QKᵀ/√d_k, then multiplied by V. Two things the seed does not say, declared here:

- ``mask`` (bool, (n_q, n_k), True = may attend) drops the masked keys from each query's
  softmax. A query with no key left (a fully masked row) is 0/0, a convention
  (``attention_empty_row`` in mathoracle/conventions.py): the formula here gives **zeros**
  (torch ≥ 2.5's ``_safe_softmax``, pytorch/pytorch#133882, FlashAttention, ONNX); NaN (an
  additive -inf mask) and mean(V) (JAX, a large negative constant) are accepted as well
  unless one is declared.
- Multi-head attention projects the queries with W_q: the seed's head_i = Attention(Q W_i^K,
  K W_i^K, V W_i^V) uses W^K twice, a typo (CATALOGUE, "Where the seed is wrong", 1).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from mathoracle.core.formats import finfo
from mathoracle.core.compiled import lambdify
from mathoracle.core.model import Exact, Oracle, Param, Part, digits, rounding_budget

from . import domains as d
from .activations import softmax_exprs
from .structured import Structured

SEED = "Attention Mechanism (The Math Behind Transformers)"


# --- formulas --------------------------------------------------------------------------

def masked_softmax(S: np.ndarray, mask) -> np.ndarray:
    """The softmax of each row of S over its keys with mask True; a row without one is 0."""
    weights = np.full(S.shape, sp.Integer(0), dtype=object)
    for row in np.ndindex(S.shape[:-1]):
        keep = [j for j in range(S.shape[-1]) if mask is None or mask[row[-1], j]]
        if keep:
            zs, soft = softmax_exprs(len(keep))
            scores = dict(zip(zs, S[row][keep]))
            weights[row + (keep,)] = [s.xreplace(scores) for s in soft]
    return weights


def attention(Q, K, V, mask=None):
    """softmax(QKᵀ/√d_k) V, each query's softmax over the keys its mask row allows."""
    d_k = Q.shape[-1]
    return masked_softmax(Q @ np.swapaxes(K, -1, -2) / sp.sqrt(d_k), mask) @ V


def split_heads(X, h: int):
    """(..., n, h·d) → (..., h, n, d): head i takes the i-th block of d columns."""
    return np.moveaxis(X.reshape(X.shape[:-1] + (h, X.shape[-1] // h)), -2, -3)


def merge_heads(X):
    """(..., h, n, d) → (..., n, h·d): Concat(head_1, ..., head_h)."""
    X = np.moveaxis(X, -3, -2)
    return X.reshape(X.shape[:-2] + (X.shape[-2] * X.shape[-1],))


def multi_head(Q, K, V, W_q, W_k, W_v, W_o, num_heads):
    """Concat(head_1..head_h) W_o, head_i = Attention(Q W_q,i, K W_k,i, V W_v,i), where W_·,i
    is the i-th block of columns (projections act as X @ W, the seed's Q W_i)."""
    h = num_heads
    heads = attention(split_heads(Q @ W_q, h), split_heads(K @ W_k, h), split_heads(V @ W_v, h))
    return merge_heads(heads) @ W_o


def underflow_sdp(Q, K, V, mask=None) -> np.ndarray:
    """The absolute error gradual underflow adds to attention computed in V's dtype, in units
    of η, half the smallest subnormal (Higham, *Accuracy and Stability*, §2.1: an operation
    whose result is below the smallest normal errs by up to η, not relatively). A weight e_j/D
    (D ≥ 1) can underflow twice, and V multiplies it; each product w_j·V_j once; each of a
    score's d_k products once, moving the weights by at most that much per unit of V:
    2Σ_j|V_j| + n_k + 2·max_j|V_j|·d_k/√d_k."""
    v = np.abs(np.asarray(V, np.float64))
    d_k, n_k = np.shape(Q)[-1], np.shape(K)[-2]
    per_value = 2 * v.sum(axis=-2) + n_k + 2 * v.max(axis=-2) * math.sqrt(d_k)  # (..., d_v)
    keyed = np.ones(np.shape(Q)[-2], bool) if mask is None else np.asarray(mask, bool).any(-1)
    return keyed[:, None] * per_value[..., None, :]


def underflow_mha(Q, K, V, W_q, W_k, W_v, W_o, num_heads) -> np.ndarray:
    """underflow_sdp of each head (units of η), with the head's projected values V W_v (each
    entry off by d_model·η where its products underflow) and scores from Q W_q, K W_k (off by
    d_model·η·(|Q W_q| + |K W_k|)), carried through W_o, plus one η per product of W_o."""
    a = [np.abs(np.asarray(x, np.float64)) for x in (Q, K, V, W_q, W_k, W_v, W_o)]
    q, k, v = (split_heads(x @ w, num_heads) for x, w in zip(a[:3], a[3:6]))  # |X|·|W| ≥ |XW|
    e, d, n_k = np.shape(W_q)[1], np.shape(W_q)[1] // num_heads, np.shape(K)[-2]
    score = e * (q.max(axis=(-2, -1), keepdims=True) + k.max(axis=(-2, -1), keepdims=True))
    per_value = (2 * v.sum(axis=-2, keepdims=True) + n_k + e
                 + 2 * v.max(axis=-2, keepdims=True) * score * math.sqrt(d))  # (..., h, 1, d)
    heads = np.broadcast_to(per_value, q.shape[:-1] + (d,))
    return merge_heads(heads) @ a[6] + e


def shared_roundings(expr) -> int:
    """Roundings an evaluation that computes each shared intermediate once makes: the operation
    count of the expression's common-subexpression DAG (sympy.cse), not of its tree, in which
    a row's softmax denominator and scores reappear in every weight."""
    replacements, (reduced,) = sp.cse(expr)
    return rounding_budget(reduced) + sum(rounding_budget(r) - 1 for _, r in replacements)


# --- domains ---------------------------------------------------------------------------
# Few, small shapes: each costs one SymPy compilation (0.1 s to 3 s) and every example one
# 60-digit evaluation of the outputs and their Jacobian (1 ms to 30 ms).

# (batch, n_q, n_k, d_k, d_v). Some have d_v = n_k (V = I then shows the weights), some
# d_v ≠ n_k (a buffer sized by the wrong one does not fit). The 4-D ones are (batch, heads,
# n, d) with d = 2, which take torch's fused CPU kernel (d = 1 does not).
SDP_SHAPES = (((), 1, 1, 1, 1), ((), 2, 2, 2, 2), ((), 3, 2, 1, 2), ((), 1, 3, 1, 3),
              ((2,), 2, 2, 1, 2), ((1, 1), 1, 2, 2, 2), ((), 2, 3, 2, 1), ((), 1, 2, 1, 3),
              ((1, 2), 2, 3, 2, 2))
# (batch, n_q, n_k, d_model, num_heads). d_model = 4 with h = 2 gives heads of d_k = 2: an
# interleaved split (columns i, i + h, ...) differs from the block split there only, and
# with n_k ≥ 2 (one key weighs 1 whatever the split). It compiles in ~20 s: one such shape.
MHA_SHAPES = (((), 1, 1, 1, 1), ((), 1, 2, 2, 2), ((), 2, 2, 2, 2), ((), 2, 1, 2, 2),
              ((2,), 1, 2, 1, 1), ((), 1, 2, 4, 2))

def masks(n_q: int, n_k: int) -> list:
    """The masks drawn for an (n_q, n_k) score matrix: all keys, causal (the last n_q keys
    end each row), the last key hidden, and the first query with no key at all."""
    causal = np.tril(np.ones((n_q, n_k), bool), k=n_k - n_q)
    last_hidden = np.ones((n_q, n_k), bool)
    last_hidden[:, -1] = False
    first_empty = np.ones((n_q, n_k), bool)
    first_empty[0] = False
    return [np.ones((n_q, n_k), bool), causal, last_hidden, first_empty]


def _edges(dtype, bound: float) -> list:
    fi = finfo(dtype)
    vals = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, bound, -bound, 1e4, -1e4, 1e-8,
            float(fi.smallest_subnormal), float(fi.tiny)]
    return [e for e in d.representable(dtype, vals) if abs(float(e)) <= bound]


def conditioned_bound(dtype, power: int, factor: float) -> float:
    """The largest power of two B such that scores up to factor·B^power keep u·|score| ≤ 1/16.
    A score is computed, so rounded: beyond that its rounding alone moves a weight by a factor
    e^(u·|score|), the first-order error model fails, and no implementation in the dtype can
    determine the output (float32 scores of 1e8 are off by 8)."""
    u = 2.0 ** -(finfo(dtype).nmant + 1)
    return float(2.0 ** np.floor(np.log2(1 / (16 * u * factor)) / power))


def score_factor() -> float:
    """|q|, |k| ≤ B: a score q·k/√d_k ≤ d_k·B²/√d_k = √d_k·B², d_k the largest drawn."""
    return math.sqrt(max(s[3] for s in SDP_SHAPES))


def score_bound(dtype) -> float:
    """B with u·√d_k·B² ≤ 1/16 (±90 in float16, ±3.7e5 in float32 for d_k = 2)."""
    return conditioned_bound(dtype, 2, score_factor())


@lru_cache(maxsize=None)
def _arrays(dtype: str, size: int, bound: float, edges_only: bool) -> st.SearchStrategy:
    """Flat arrays of dtype in [-bound, bound], edge values mixed in (strategies built once).
    Drawn as lists: hnp.arrays fills most of a larger array with one value, and equal
    scores hide a wrong scale."""
    edges = _edges(dtype, bound)
    el = (st.sampled_from(edges) if edges_only
          else d.elements(dtype, lo=-bound, hi=bound, edges=edges))
    return st.lists(el, min_size=size, max_size=size).map(lambda xs: np.array(xs, dtype=dtype))


@lru_cache(maxsize=None)
def _mask_choices(n_q: int, n_k: int) -> st.SearchStrategy:
    return st.one_of(st.none(), st.sampled_from(masks(n_q, n_k)))


def _size(shapes) -> int:
    return sum(int(np.prod(s)) for s in shapes)


def _split(flat: np.ndarray, shapes) -> list:
    sizes = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    return [part.reshape(s).copy() for part, s in zip(np.split(flat, sizes), shapes)]


def value_bound(dtype) -> float:
    """|V| ≤ the largest power of two at most max/16: a weighted sum of n_k ≤ 3 stays finite."""
    return float(2.0 ** np.floor(np.log2(float(finfo(dtype).max) / 16)))


@st.composite
def sdp_inputs(draw, dtype, edges_only=False, with_mask=True):
    """Q, K, V of one of SDP_SHAPES, u·|scores| ≤ 1/16; the mask None or one of ``masks``."""
    batch, n_q, n_k, d_k, d_v = draw(st.sampled_from(SDP_SHAPES))
    dt = np.dtype(dtype).name
    b, v = score_bound(dt), value_bound(dt)
    shapes = (batch + (n_q, d_k), batch + (n_k, d_k), batch + (n_k, d_v))
    q, k = _split(draw(_arrays(dt, _size(shapes[:2]), b, edges_only)), shapes[:2])
    values = draw(_arrays(dt, _size(shapes[2:]), v, edges_only))
    out = {"Q": q, "K": k, "V": values.reshape(shapes[2])}
    if with_mask:
        out["mask"] = draw(_mask_choices(n_q, n_k))
    return out


def sdp_probe(dtype):
    return {"Q": np.array([[1.0, 0.5], [-1.0, 2.0]], dtype),
            "K": np.array([[0.5, 1.0], [2.0, -1.0]], dtype),
            "V": np.array([[1.0, -2.0], [0.5, 3.0]], dtype), "mask": None}


def projection_factor() -> float:
    """|x|, |w| ≤ B: a projection (X W)_ij ≤ e·B² (e = d_model), a score of two of them over
    √d_k ≤ d_k·(e·B²)²/√d_k = √d_k·e²·B⁴: the largest √(e/h)·e² over MHA_SHAPES."""
    return max(math.sqrt(e // h) * e * e for _, _, _, e, h in MHA_SHAPES)


def projection_bound(dtype) -> float:
    """B with u·projection_factor()·B⁴ ≤ 1/16."""
    return conditioned_bound(dtype, 4, projection_factor())


@st.composite
def mha_inputs(draw, dtype, edges_only=False):
    """Q, K, V (…, n, d_model) and four (d_model, d_model) projections, d_model = h·d_k."""
    batch, n_q, n_k, e, h = draw(st.sampled_from(MHA_SHAPES))
    dt = np.dtype(dtype).name
    shapes = (batch + (n_q, e), batch + (n_k, e), batch + (n_k, e), *[(e, e)] * 4)
    flat = draw(_arrays(dt, _size(shapes), projection_bound(dt), edges_only))
    names = ("Q", "K", "V", "W_q", "W_k", "W_v", "W_o")
    return {**dict(zip(names, _split(flat, shapes))), "num_heads": h}


def _heads_of_two_or_more(x) -> bool:
    return x["num_heads"] >= 2 and np.shape(x["W_q"])[1] // x["num_heads"] >= 2


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "attention.scaled_dot_product": d.Coverage(
        edges=lambda dt: {"Q": _edges(dt, score_bound(dt)), "K": _edges(dt, score_bound(dt)),
                          "V": _edges(dt, value_bound(dt))},
        classes={"d_v = n_k": lambda x: x["V"].shape[-1] == x["K"].shape[-2],
                 "d_v ≠ n_k": lambda x: x["V"].shape[-1] != x["K"].shape[-2],
                 "4-D, d = 2 (torch's fused kernel)": lambda x: x["Q"].ndim == 4
                 and x["Q"].shape[-1] == 2,
                 "a fully masked query": lambda x: x.get("mask") is not None
                 and not x["mask"].any(axis=-1).all()}),
    "attention.multi_head": d.Coverage(
        edges=lambda dt: {name: _edges(dt, projection_bound(dt))
                          for name in ("Q", "K", "V", "W_q", "W_k", "W_v", "W_o")},
        classes={"d_k ≥ 2 and h ≥ 2": _heads_of_two_or_more,
                 "one head": lambda x: x["num_heads"] == 1}),
}


def mha_probe(dtype):
    x = np.array([[1.0, 0.5], [-1.0, 2.0]], dtype)
    w = np.array([[1.0, -0.5], [0.25, 2.0]], dtype)
    return {"Q": x, "K": x[::-1].copy(), "V": x * 2, "W_q": w, "W_k": w.T.copy(), "W_v": w * 0.5,
            "W_o": w[::-1].copy(), "num_heads": 2}


# --- the sinusoidal positional encoding -------------------------------------------------

_pos, _i, _d = sp.symbols("pos i d", positive=True)


def pe_exprs():
    """PE(pos, 2i) = sin(pos/10000^(2i/d)), PE(pos, 2i+1) = cos(pos/10000^(2i/d))."""
    angle = _pos / sp.Integer(10000) ** (2 * _i / _d)
    return sp.sin(angle), sp.cos(angle)


@dataclass(eq=False)
class SinusoidalTable(Oracle):
    """The table PE[pos, j] for pos < num_positions, j < d_model (column j uses i = j // 2;
    an odd d_model ends with a sine column). No float input: it is judged at the dtype the
    target returns, which rounds the angle pos/10000^(2i/d) there. That rounding is a relative
    perturbation of pos and of the exponent 2i/d, which the sensitivity S = |∂PE/∂pos|·pos +
    |∂PE/∂i|·i + |∂PE/∂d|·d (sympy.diff) carries: |x·cos x|·(1 + 2·(2i/d)·ln 10000) for the
    sine at angle x, growing with pos as sin of a large argument must."""

    @cached_property
    def _compiled(self):
        fns = []
        for f in pe_exprs():
            fns.append(lambdify((_pos, _i, _d), lambda f=f: [f, *(sp.diff(f, s) for s in (_pos, _i, _d))],
                                cse=True, key=("gradient", f)))
        return fns, rounding_budget(pe_exprs()[0])

    def output_shape(self, inputs):
        return (int(inputs["num_positions"]), int(inputs["d_model"]))

    def exact(self, inputs):
        (sin_fn, cos_fn), budget = self._compiled
        shape = self.output_shape(inputs)
        value = np.empty(shape, dtype=object)
        sens = np.empty(shape, dtype=object)
        with mpmath.workdps(digits()):
            dm = mpmath.mpf(shape[1])
            for j in range(shape[1]):
                fn, i = (sin_fn if j % 2 == 0 else cos_fn), mpmath.mpf(j // 2)
                for pos in range(shape[0]):
                    p = mpmath.mpf(pos)
                    f, *g = fn(p, i, dm)
                    value[pos, j] = mpmath.mpf(f)
                    sens[pos, j] = abs(g[0]) * p + abs(g[1]) * i + abs(g[2]) * dm
        return Exact(value, sens, budget)

    def nan_reach(self, inputs, arg, index):  # pragma: no cover - no float input
        raise TypeError("positional_encoding has no float input")


PE_POSITIONS = (1, 2, 3, 512, 100)
PE_WIDTHS = (1, 2, 3, 4, 256)


@st.composite
def pe_inputs(draw, dtype=None, edges_only=False):
    """num_positions up to 512, d_model up to 256, at most 512 entries in all (each costs a
    60-digit sine; the angles reach 511, where float32 rounding already costs 3e-5)."""
    if edges_only:
        n = draw(st.sampled_from(PE_POSITIONS))
        dm = draw(st.sampled_from([m for m in PE_WIDTHS if n * m <= 512]))
    else:
        n = draw(st.one_of(st.integers(1, 40), st.sampled_from([100, 256, 512])))
        dm = draw(st.one_of(st.integers(1, min(12, 512 // n)),
                            st.sampled_from([m for m in (32, 64, 256) if n * m <= 512] or [1])))
    return {"num_positions": n, "d_model": dm}


COVERAGE["attention.positional_encoding"] = d.Coverage(  # next to its domain
    edges=lambda dt: {"num_positions": list(PE_POSITIONS), "d_model": list(PE_WIDTHS)},
    classes={"odd d_model (ends with a sine column)": lambda x: x["d_model"] % 2 == 1,
             "one position": lambda x: x["num_positions"] == 1})


@dataclass(eq=False)
class Attention(Structured):
    """A Structured attention formula whose exact answer carries ``underflow``'s allowance as
    slack, in units of η (half the dtype's smallest subnormal): the absolute error gradual
    underflow of intermediates adds, which no relative model covers (a weight e^-100 is
    subnormal in float32, and V may be 1e37). ``shape`` gives the output's shape without
    compiling the formula (a law that only calls the target needs no compilation)."""

    underflow: Callable[..., np.ndarray] | None = None
    shape: Callable[..., tuple] | None = None

    def output_parts(self, inputs):
        full = {**self.defaults(), **inputs}
        return (Part("out", (), self.shape(*(full[a] for a in self.arrays))),)

    def exact(self, inputs):
        answer = super().exact(inputs)
        full = {**self.defaults(), **inputs}
        units = self.underflow(*(full[a] for a in self.arrays),
                               **{p.name: full[p.name] for p in self.params})
        eta = mpmath.mpf(float(finfo(np.asarray(full["V"]).dtype).smallest_subnormal)) / 2
        answer.slack = np.vectorize(lambda k: eta * mpmath.mpf(k), otypes=[object])(
            np.broadcast_to(units, answer.value.shape))
        return answer


# --- the oracles -----------------------------------------------------------------------

scaled_dot_product = Attention(
    id="attention.scaled_dot_product", signature="scaled_dot_product(Q, K, V, mask=None)",
    formula="softmax(QK^T/√d_k) V", seed=SEED, arrays=("Q", "K", "V"),
    params=(Param("mask", None, numeric=False),), build=attention, roundings=shared_roundings,
    underflow=underflow_sdp,
    shape=lambda Q, K, V: (np.broadcast_shapes(Q.shape[:-2], V.shape[:-2])
                           + (Q.shape[-2], V.shape[-1])),
    domain=sdp_inputs, edges=lambda dt: sdp_inputs(dt, edges_only=True), probe=sdp_probe,
    note="mask True = may attend; a query whose keys are all masked is 0/0: zeros (torch's "
         "fused kernels), NaN or mean(V) by default, --convention attention_empty_row pins one",
)

multi_head_attention = Attention(
    id="attention.multi_head",
    signature="multi_head(Q, K, V, W_q, W_k, W_v, W_o, num_heads)",
    formula="Concat(head_1..head_h) W^O, head_i = Attention(QW_i^Q, KW_i^K, VW_i^V)", seed=SEED,
    arrays=("Q", "K", "V", "W_q", "W_k", "W_v", "W_o", "num_heads"), build=multi_head,
    roundings=shared_roundings, underflow=underflow_mha, domain=mha_inputs,
    shape=lambda Q, K, V, W_q, W_k, W_v, W_o, num_heads: Q.shape[:-1] + W_o.shape[-1:],
    edges=lambda dt: mha_inputs(dt, edges_only=True), probe=mha_probe,
    note="the seed writes head_i = Attention(QW_i^K, ...); the query projection is W_i^Q. "
         "Projections act as X @ W; head i is the i-th block of d_model/h columns",
)

positional_encoding = SinusoidalTable(
    id="attention.positional_encoding", signature="positional_encoding(num_positions, d_model)",
    formula="sin / cos of pos/10000^{2i/d}", seed=SEED, arrays=("num_positions", "d_model"),
    domain=pe_inputs, edges=lambda dt: pe_inputs(dt, edges_only=True),
    probe=lambda dtype=None: {"num_positions": 4, "d_model": 6}, float_free=True,
    note="PE[pos, 2i] = sin, PE[pos, 2i+1] = cos (interleaved); an odd d_model ends with a sine "
         "column; the angle's rounding in the target's dtype is carried by the sensitivity",
)

POSITION = 5  # the section's place in the catalogue (oracles.sections)
ORACLES = (scaled_dot_product, multi_head_attention, positional_encoding)
