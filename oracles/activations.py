"""Activation functions and their derivatives.

Seed: "Neural Network Math › Activation Functions". Derivatives are ``sympy.diff`` of the
definitions; tests/test_identities.py proves the seed's identities (σ' = σ(1-σ),
tanh' = 1 - tanh², the piecewise ReLU derivatives, softmax sums to 1). Beyond the seed
(CATALOGUE.md): GELU, its tanh approximation, SiLU, softplus, ELU, log-softmax and
logsumexp, each evaluated in a form that does not cancel, proved equal to its formula there.
"""
from __future__ import annotations

import math

import mpmath
import numpy as np
import scipy.special
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sympy.codegen.cfunctions import expm1, log1p

from mathoracle.core.model import ErrorModel, Param

from . import domains as d
from .shapes import Elementwise
from .vectors import Vector
from .slices import SliceReduction

SEED = "Neural Network Math › Activation Functions"


# --- domains -------------------------------------------------------------------------

def real_line(dtype, **params):
    """z anywhere on the finite real line of dtype, edges mixed in."""
    z = d.arrays(dtype, d.elements(dtype, edges=d.real_edges(dtype)))
    return st.fixed_dictionaries({"z": z, **params})


def real_edges(dtype, **params):
    """z made of edge values only."""
    z = d.arrays(dtype, st.sampled_from(d.real_edges(dtype)))
    return st.fixed_dictionaries({"z": z, **params})


SLOPE_EDGES = (0.0, 0.01, 0.2, 1.0)


def slopes(dtype):
    """α in [0, 1], the range where max(αz, z) is the leaky ReLU."""
    return {"alpha": d.fraction(dtype, edges=list(SLOPE_EDGES))}


# Where the Gaussian tail crosses the dtypes' limits: 1 + erf(z/√2) = 2Φ(z) falls below u at
# z ≈ -5.3 (float32) and -8.3 (float64), φ(z) below the smallest normal at -13.2 and -37.6.
GAUSSIAN_EDGES = (-1.5, -3.0, -5.5, -8.5, -13.0, -20.0, -37.5)


def gaussian_edges(dtype):
    return d.real_edges(dtype) + d.representable(dtype, GAUSSIAN_EDGES)


def gaussian_line(dtype):
    """z anywhere on the finite real line, edges and GELU's Gaussian tail mixed in."""
    return st.fixed_dictionaries({"z": d.arrays(dtype, d.elements(dtype, edges=gaussian_edges(dtype)))})


def gaussian_edge_values(dtype):
    """z made of those edge values only."""
    return st.fixed_dictionaries({"z": d.arrays(dtype, st.sampled_from(gaussian_edges(dtype)))})


BETA_EDGES = (1.0, 0.5, 2.0, 8.0)
ELU_ALPHA_EDGES = (1.0, 0.1, 1.6732632423543772)  # the default, and SELU's α


def sharpness(dtype):
    """β > 0 of softplus: the default 1, powers of two, and [1/8, 8]."""
    return {"beta": st.one_of(st.sampled_from(BETA_EDGES), st.floats(0.125, 8.0))}


def saturations(dtype):
    """α > 0 of ELU (its value as z → -∞ is -α): the default 1, SELU's α, and [1/16, 4]."""
    return {"alpha": st.one_of(st.sampled_from(ELU_ALPHA_EDGES), st.floats(0.0625, 4.0))}


def probe(dtype):
    return {"z": np.array([-2.0, 0.0, 0.5, 3.0], dtype=dtype)}


def probe_alpha(dtype):
    return {**probe(dtype), "alpha": 0.01}


@st.composite
def logits(draw, dtype, edges_only=False):
    """z with an axis to normalise over; logits at ±1e4 among the edges. In a third of the
    draws some logits are masked (-inf, as attention and action masks do), every slice
    keeping a finite one: a masked logit has probability 0 and the rest stay finite."""
    elems = st.sampled_from(d.real_edges(dtype)) if edges_only else d.elements(
        dtype, edges=d.real_edges(dtype))
    z = draw(d.arrays(dtype, elems, max_dims=3, max_side=5))
    axis = draw(st.integers(-z.ndim, z.ndim - 1))
    if z.size > 1 and draw(st.integers(0, 2)) == 0:
        masked = draw(hnp.arrays(bool, z.shape, elements=st.booleans()))
        first = np.moveaxis(masked, axis, -1)
        first[..., 0] &= ~first.all(axis=-1)  # a slice keeps at least one finite logit
        z = np.where(masked, np.array(-np.inf, dtype=z.dtype), z)
    return {"z": z, "axis": axis}


def probe_axis(dtype):
    return {"z": np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]], dtype=dtype), "axis": -1}


def _masked(x) -> bool:
    """Some logit is -inf, and its slice keeps a finite one (the domain's promise)."""
    z = np.moveaxis(x["z"], x["axis"], -1)
    return bool(np.isneginf(z).any() and np.isfinite(z).any(axis=-1).all())


_LOGIT_COVERAGE = d.Coverage(
    edges=lambda dt: {"z": d.real_edges(dt)},
    classes={"a masked logit (-inf)": _masked,
             "a slice of length 1": lambda x: x["z"].shape[x["axis"]] == 1,
             "a slice of length ≥ 2": lambda x: x["z"].shape[x["axis"]] >= 2,
             "3-D, reduced over a middle axis": lambda x: x["z"].ndim == 3
             and x["axis"] % 3 == 1})
_REAL = d.Coverage(edges=lambda dt: {"z": d.real_edges(dt)})
_GAUSSIAN = d.Coverage(edges=lambda dt: {"z": gaussian_edges(dt)})
_SLOPED = d.Coverage(edges=lambda dt: {"z": d.real_edges(dt), "alpha": list(SLOPE_EDGES)})
COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    **{f"activation.{name}": _REAL for name in (
        "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad", "silu")},
    "activation.leaky_relu": _SLOPED, "activation.leaky_relu_grad": _SLOPED,
    "activation.gelu": _GAUSSIAN, "activation.gelu_tanh": _GAUSSIAN,
    "activation.softplus": d.Coverage(edges=lambda dt: {"z": d.real_edges(dt),
                                                        "beta": list(BETA_EDGES)}),
    "activation.elu": d.Coverage(edges=lambda dt: {"z": d.real_edges(dt),
                                                   "alpha": list(ELU_ALPHA_EDGES)}),
    **{f"activation.{name}": _LOGIT_COVERAGE for name in ("softmax", "log_softmax", "logsumexp")},
}


# --- formulas ------------------------------------------------------------------------

def sigmoid_expr(z):
    """σ(z) = 1/(1 + e^-z)."""
    return 1 / (1 + sp.exp(-z))


def tanh_textbook(z):
    """The seed's tanh: (e^z - e^-z)/(e^z + e^-z)."""
    return (sp.exp(z) - sp.exp(-z)) / (sp.exp(z) + sp.exp(-z))


def relu_expr(z):
    """max(0, z), written piecewise so that its derivative is 0 at z = 0 (the seed's rule)."""
    return sp.Piecewise((z, z > 0), (0, True))


def leaky_relu_expr(z, alpha):
    """max(αz, z) for 0 ≤ α ≤ 1."""
    return sp.Piecewise((z, z > 0), (alpha * z, True))


def softmax_exprs(n):
    """softmax(z)_i = e^{z_i} / Σ_j e^{z_j} for a slice of length n."""
    zs = sp.symbols(f"z0:{n}", real=True)
    total = sum(sp.exp(z) for z in zs)
    return zs, [sp.exp(z) / total for z in zs]


def _erfc_value(y):
    """erfc(y): mpmath's at mpf arguments, asymptotically from y ≥ 1e150, where mpmath's
    series test overflows (e^{-y²}/(y√π), to within 1/(2y²) < 1e-300 relative); scipy.special's
    at floats (the sweep's fast reference)."""
    if isinstance(y, mpmath.mpf):
        return mpmath.exp(-y * y) / (y * mpmath.sqrt(mpmath.pi)) if y >= 1e150 else mpmath.erfc(y)
    return scipy.special.erfc(y) if isinstance(y, np.ndarray) else math.erfc(y)


class erfc(sp.erfc):  # noqa: N801 (the name count_ops and the printers know)
    """erfc held whole: SymPy rewrites erfc(-y) as 2 - erfc(y), the form that cancels in
    the tail erfc keeps."""

    @classmethod
    def eval(cls, arg):
        return None

    _imp_ = staticmethod(_erfc_value)


def gelu_expr(z):
    """z·Φ(z) = z/2·erfc(-z/√2)."""
    return z / 2 * erfc(-z / sp.sqrt(2))


def gelu_tanh_inner(z):
    """w = √(2/π)(z + 0.044715 z³), the tanh approximation's argument."""
    return sp.sqrt(2 / sp.pi) * (z + sp.Rational(44715, 10 ** 6) * z ** 3)


def gelu_tanh_textbook(z):
    """z/2·(1 + tanh w), the approximation as published (Hendrycks and Gimpel, 2016)."""
    return z / 2 * (1 + sp.tanh(gelu_tanh_inner(z)))


def gelu_tanh_expr(z):
    """z·σ(2w) = z/(1 + e^{-2w}): 1 + tanh w = 2σ(2w), without its cancellation for z ≪ 0."""
    return z / (1 + sp.exp(-2 * gelu_tanh_inner(z)))


def silu_expr(z):
    """z·σ(z) = z/(1 + e^-z)."""
    return z * sigmoid_expr(z)


def softplus_expr(z, beta):
    """log(1 + e^{βz})/β, with log1p: it keeps the tail βz ≪ 0 where 1 + e^{βz} rounds to 1."""
    return log1p(sp.exp(beta * z)) / beta


def elu_expr(z, alpha):
    """z for z > 0, else α(e^z - 1) with expm1 (e^z - 1 cancels near 0)."""
    return sp.Piecewise((z, z > 0), (alpha * expm1(z), True))


def _lse(zs):
    return sp.log(sum(sp.exp(z) for z in zs))


def log_softmax_exprs(n):
    """z_i - log Σ_j e^{z_j} for a slice of length n."""
    zs = sp.symbols(f"z0:{n}", real=True)
    return zs, [z - _lse(zs) for z in zs]


def logsumexp_expr(n):
    """log Σ_j e^{z_j} of a slice of length n."""
    zs = sp.symbols(f"z0:{n}", real=True)
    return zs, _lse(zs)


def log_softmax_backward(zs, ws):
    """Σ_i w_i ∂out_i/∂z_j = w_j - s_j Σ_i w_i (s = softmax(z)), written w_j Σ_{k≠j} s_k -
    s_j Σ_{i≠j} w_i, free of the cancellation in 1 - s_j at s_j = 1 - 1e-80. Its floor,
    s_j Σ_i |w_i|, is the size of the product the standard backward, w - exp(out)·Σw, forms
    from the forward's output: rounding it costs that much where the result is far smaller."""
    _, s = softmax_exprs(len(zs))
    n = len(zs)
    vjp = [ws[j] * sum(s[k] for k in range(n) if k != j) - s[j] * sum(ws[i] for i in range(n) if i != j)
           for j in range(n)]
    floor = [s[j] * sum(sp.Abs(w) for w in ws) for j in range(len(zs))]
    return vjp, floor


def sech_squared(z):
    """tanh'(z) = 1 - tanh²(z) written as 1/cosh²(z), which does not cancel near saturation."""
    return 1 / sp.cosh(z) ** 2


def softmax_backward(zs, ws):
    """Σ_i w_i ∂s_i/∂z_j = s_j Σ_i (w_j - w_i) s_i (Σ s_i = 1), free of the cancellation in
    s_j (w_j - Σ_i w_i s_i). Its floor, s_j Σ_i |w_i| s_i, is the size of the terms that the
    standard backward, s ⊙ (w - ⟨w, s⟩) from the forward's output, sums: rounding s costs
    that much, soundly, wherever the result is far smaller than 1."""
    _, s = softmax_exprs(len(zs))
    vjp = [s[j] * sum((ws[j] - ws[i]) * s[i] for i in range(len(zs))) for j in range(len(zs))]
    floor = [s[j] * sum(sp.Abs(w) * si for w, si in zip(ws, s)) for j in range(len(zs))]
    return vjp, floor


# The gradients of σ and tanh are judged mixed: σ(1-σ) and 1 - tanh² (torch's backward) lose
# the far tail, soundly. (The *_grad ids get the same from their textbook forms' running error.)
SIGMOID_PRIME = ErrorModel.mixed(0.25)  # floor u/4, the maximum of σ'
TANH_PRIME = ErrorModel.mixed(1.0)      # floor u, the maximum of tanh'
# The tanh approximation's backward from its textbook form, ½(1 + tanh w) + ½z(1 - tanh²w)w',
# loses the far tail z ≪ 0 the same way: floor u·1.129, the maximum of gelu_tanh'
# (1.128993 at z = 1.4185, mpmath).
GELU_TANH_PRIME = ErrorModel.mixed(1.129)


def _d(f):
    """The derivative of f(z, *params) in z, by sympy.diff."""
    def derivative(z, *params):
        return sp.diff(f(z, *params), z)
    derivative.__doc__ = f"d/dz of {f.__name__}"
    return derivative


sigmoid = Elementwise(
    id="activation.sigmoid", signature="sigmoid(z)", formula="σ(z) = 1/(1+e^-z)", seed=SEED,
    arrays=("z",), expr=sigmoid_expr, domain=real_line, edges=real_edges, probe=probe,
    wrt=("z",), grad_error=SIGMOID_PRIME,
)

def sigmoid_prime_textbook(z):
    """The seed's σ'(z) = σ(z)(1 - σ(z))."""
    return sigmoid_expr(z) * (1 - sigmoid_expr(z))


sigmoid_grad = Elementwise(
    id="activation.sigmoid_grad", signature="sigmoid_grad(z)", formula="σ'(z) = σ(z)(1-σ(z))",
    seed=SEED, arrays=("z",), expr=_d(sigmoid_expr), textbook=sigmoid_prime_textbook,
    domain=real_line, edges=real_edges, probe=probe,
    note="σ(1-σ), the textbook form, loses the far tail soundly: its running error allows it",
)

tanh = Elementwise(
    id="activation.tanh", signature="tanh(z)", formula="(e^z - e^-z)/(e^z + e^-z)", seed=SEED,
    arrays=("z",), expr=sp.tanh, textbook=tanh_textbook, domain=real_line, edges=real_edges,
    probe=probe, wrt=("z",), grad_error=TANH_PRIME, derivative=sech_squared,
    note="evaluated as tanh(z): the seed's quotient cancels near 0",
)

tanh_grad = Elementwise(
    id="activation.tanh_grad", signature="tanh_grad(z)", formula="1 - tanh²(z)", seed=SEED,
    arrays=("z",), expr=sech_squared, textbook=lambda z: 1 - sp.tanh(z) ** 2,
    domain=real_line, edges=real_edges, probe=probe,
    note="1 - tanh², the textbook form (torch's own backward), loses the far tail soundly: its "
         "running error allows it; evaluated as sech²(z)",
)

relu = Elementwise(
    id="activation.relu", signature="relu(z)", formula="max(0, z)", seed=SEED, arrays=("z",),
    expr=relu_expr, domain=real_line, edges=real_edges, probe=probe, wrt=("z",),
)

relu_grad = Elementwise(
    id="activation.relu_grad", signature="relu_grad(z)", formula="1 if z > 0 else 0", seed=SEED,
    arrays=("z",), expr=_d(relu_expr), domain=real_line, edges=real_edges, probe=probe,
    propagates_nan=False,
    note="convention: ReLU'(0) = 0, as the seed says; unspecified at NaN",
)

_alpha = (Param("alpha", 0.01),)

leaky_relu = Elementwise(
    id="activation.leaky_relu", signature="leaky_relu(z, alpha=0.01)",
    formula="max(αz, z), 0 ≤ α ≤ 1", seed=SEED, arrays=("z",), params=_alpha,
    expr=leaky_relu_expr, domain=lambda dt: real_line(dt, **slopes(dt)),
    edges=lambda dt: real_edges(dt, **slopes(dt)), probe=probe_alpha, wrt=("z",),
)

leaky_relu_grad = Elementwise(
    id="activation.leaky_relu_grad", signature="leaky_relu_grad(z, alpha=0.01)",
    formula="1 if z > 0 else α", seed=SEED, arrays=("z",), params=_alpha,
    expr=_d(leaky_relu_expr), domain=lambda dt: real_line(dt, **slopes(dt)),
    edges=lambda dt: real_edges(dt, **slopes(dt)), probe=probe_alpha, propagates_nan=False,
    note="convention: α at z = 0; unspecified at NaN",
)

softmax = Vector(
    id="activation.softmax", signature="softmax(z, axis=-1)", formula="e^{z_i} / Σ_j e^{z_j}",
    seed=SEED, arrays=("z",), params=(Param("axis", -1, numeric=False),), build=softmax_exprs,
    domain=logits, edges=lambda dt: logits(dt, edges_only=True), probe=probe_axis, wrt=("z",),
    backward=softmax_backward,
)

# --- beyond the seed: what current models call ----------------------------------------

BEYOND = "Beyond the seed › what current models call"

gelu = Elementwise(
    id="activation.gelu", signature="gelu(z)", formula="z·Φ(z) = z/2·(1 + erf(z/√2))",
    seed=BEYOND, arrays=("z",), expr=gelu_expr, domain=gaussian_line, edges=gaussian_edge_values,
    probe=probe, wrt=("z",),
    note="the exact (erf) form, evaluated as z/2·erfc(-z/√2): 1 + erf(z/√2) cancels for z ≲ -5",
)

gelu_tanh = Elementwise(
    id="activation.gelu_tanh", signature="gelu_tanh(z)",
    formula="z/2·(1 + tanh(√(2/π)(z + 0.044715 z³)))", seed=BEYOND, arrays=("z",),
    expr=gelu_tanh_expr, textbook=gelu_tanh_textbook, domain=gaussian_line,
    edges=gaussian_edge_values, probe=probe, wrt=("z",), grad_error=GELU_TANH_PRIME,
    note="the tanh approximation, its own formula (not GELU to within a tolerance); evaluated "
         "as z·σ(2w), the textbook 1 + tanh w's running error allows its far tail",
)

silu = Elementwise(
    id="activation.silu", signature="silu(z)", formula="z·σ(z) (swish with β = 1)", seed=BEYOND,
    arrays=("z",), expr=silu_expr, domain=real_line, edges=real_edges, probe=probe, wrt=("z",),
)

softplus = Elementwise(
    id="activation.softplus", signature="softplus(z, beta=1.0)", formula="log(1 + e^{βz})/β",
    seed=BEYOND, arrays=("z",), params=(Param("beta", 1.0),), expr=softplus_expr,
    domain=lambda dt: real_line(dt, **sharpness(dt)),
    edges=lambda dt: real_edges(dt, **sharpness(dt)), probe=lambda dt: {**probe(dt), "beta": 1.0},
    wrt=("z",), note="β > 0; evaluated as log1p(e^{βz})/β, which keeps the tail βz ≪ 0",
)

elu = Elementwise(
    id="activation.elu", signature="elu(z, alpha=1.0)", formula="z if z > 0 else α(e^z − 1)",
    seed=BEYOND, arrays=("z",), params=(Param("alpha", 1.0),), expr=elu_expr,
    domain=lambda dt: real_line(dt, **saturations(dt)),
    edges=lambda dt: real_edges(dt, **saturations(dt)), probe=lambda dt: {**probe(dt), "alpha": 1.0},
    wrt=("z",), note="α > 0; e^z − 1 evaluated as expm1(z); convention: the derivative at z = 0 "
                     "is α (the left one), as torch and JAX take it",
)

log_softmax = Vector(
    id="activation.log_softmax", signature="log_softmax(z, axis=-1)",
    formula="z_i − log Σ_j e^{z_j}", seed=BEYOND, arrays=("z",),
    params=(Param("axis", -1, numeric=False),), build=log_softmax_exprs, domain=logits,
    edges=lambda dt: logits(dt, edges_only=True), probe=probe_axis, wrt=("z",),
    backward=log_softmax_backward,
)

logsumexp = SliceReduction(
    id="activation.logsumexp", signature="logsumexp(z, axis=-1)", formula="log Σ_j e^{z_j}",
    seed=BEYOND, arrays=("z",), params=(Param("axis", -1, numeric=False),), build=logsumexp_expr,
    domain=logits, edges=lambda dt: logits(dt, edges_only=True), probe=probe_axis, wrt=("z",),
    note="a reduction over axis: the output has z's shape without it",
)

POSITION = 1  # the section's place in the catalogue (oracles.sections)
ORACLES = (sigmoid, sigmoid_grad, tanh, tanh_grad, relu, relu_grad, leaky_relu,
           leaky_relu_grad, softmax, gelu, gelu_tanh, silu, softplus, elu, log_softmax, logsumexp)
