"""Which outputs depend on one input element *at this point*: the NaN contract's rule.

An output depends on the element x at a point iff its expression, with every other input
fixed at its exact value there, is not constant in x. A product with an exact-zero factor
(a dropout mask of 0, p = 1, a one-hot label of 0, a weight of 0) does not depend on its
other factors: a NaN there may give NaN or the finite value, and both pass. Only outputs
that still vary with x must be NaN.

Each oracle shape says which outputs its formula reaches (``Oracle.nan_reach``) and, where
it has a SymPy expression, gives those outputs' expressions with their symbols
(``Oracle.pointwise``); ``Oracle.nan_mask`` combines the two through ``varies``.
"""
from __future__ import annotations

import math
from typing import Any, Mapping

import sympy as sp

_UNDEFINED = (sp.nan, sp.zoo, sp.oo, -sp.oo)


def exact(value: Any) -> sp.Expr | None:
    """A float as the exact SymPy rational it is; None for NaN or ±inf (left symbolic)."""
    v = float(value)
    if not math.isfinite(v):
        return None
    return sp.Rational(v) if v else sp.Integer(0)


def varies(expr: sp.Expr, x: sp.Symbol, values: Mapping[sp.Symbol, Any]) -> bool:
    """True unless ``expr`` with every symbol but ``x`` replaced by its exact value in
    ``values`` (floats; NaN and inf stay symbolic) is constant in ``x``. Where the expression
    is undefined at the point (a division by an exact 0), the answer is the structural one:
    it varies iff ``x`` occurs in it."""
    expr = sp.sympify(expr)
    if x not in expr.free_symbols:
        return False
    subs = {}
    for s, v in values.items():
        if s is not x and s in expr.free_symbols:
            e = exact(v)
            if e is not None:
                subs[s] = e
    at = expr.xreplace(subs)
    if any(at.has(u) for u in _UNDEFINED):
        return True
    return x in at.free_symbols
