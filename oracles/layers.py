"""The pieces a network is built of, shared by ``network`` (the layer oracles) and
``backprop`` (the whole network's gradient): the activations by name, σ and σ' applied to
object arrays, and the weight and input values the network domains draw."""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from hypothesis import strategies as st

from mathoracle.core.formats import finfo

from . import activations as A
from . import domains as d
from .structured import elementwise

ACTIVATIONS = {
    "sigmoid": A.sigmoid_expr,
    "tanh": sp.tanh,
    "relu": A.relu_expr,
    "leaky_relu": lambda z: A.leaky_relu_expr(z, sp.Rational(1, 100)),  # α = 0.01, its default
    "identity": lambda z: z,
}
# σ' of these is a step function: unspecified at NaN (as activation.relu_grad).
STEP_DERIVATIVE = ("relu", "leaky_relu")


def activate(name: str):
    """σ of the named activation, applied to each element of an object array."""
    return elementwise(_function(name, 0))


def activate_derivative(name: str):
    """σ' of the named activation (``sympy.diff``), applied to each element."""
    return elementwise(_function(name, 1))


@lru_cache(maxsize=None)
def _function(name: str, order: int):
    if name not in ACTIVATIONS:
        raise ValueError(f"activation={name!r}; use one of {', '.join(ACTIVATIONS)}")
    s = sp.Symbol("s", real=True)
    expr = sp.diff(ACTIVATIONS[name](s), s, order) if order else ACTIVATIONS[name](s)
    return sp.Lambda(s, expr)


def value_edges(dtype, bound: float, least: float | None = None) -> list:
    fi = finfo(dtype)
    small = [float(fi.smallest_subnormal), 2.0 ** -10] if least is None else [least]
    edges = d.representable(dtype, [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, bound, -bound, -3.0, *small])
    return [e for e in edges if abs(float(e)) <= bound]


def values(dtype, bound: float, edges_only: bool = False, least: float | None = None):
    """Floats of dtype in [-bound, bound]; 0, -0, ±1, ±½ and the bound among them. With
    ``least``, every nonzero magnitude is at least ``least`` (networks: no product of two
    draws underflows, which could flip a relu unit's kink); else a subnormal is an edge."""
    edges = value_edges(dtype, bound, least)
    if edges_only:
        return st.sampled_from(edges)
    if least is None:
        return d.elements(dtype, lo=-bound, hi=bound, edges=edges)
    magnitude = d.elements(dtype, lo=least, hi=bound)
    return st.one_of(st.sampled_from(edges), magnitude, magnitude.map(lambda v: -v))
