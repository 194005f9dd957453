"""The error of evaluating a formula as written, operation by operation (a running-error bound).

For an expression f whose operations are the nodes v_k of its SymPy tree, an evaluation
in floating point perturbs each v_k by at most c_k·u·m_k, and the result by (to first
order, Wilkinson's running error analysis; Higham, *Accuracy and Stability of Numerical
Algorithms*, §3.3):

    E·u,   E = Σ_k c_k · |∂f/∂v_k| · m_k

with ∂f/∂v_k the adjoint of the node (reverse mode), m_k = |v_k| for a product, a
quotient or a function, and m_k = Σ|terms| for a sum of several terms (recursive
summation, §4.2). c_k counts roundings: 1 per arithmetic operation (a product by ±1 or a
power of two is exact, so is |x|, max and min), 1 for a constant that is not a float,
and ``ELEMENTARY_ROUNDINGS`` for an elementary function, whose libm result is not
correctly rounded. Inputs are not nodes: their rounding is the sensitivity S.

Every composed formula inherits the allowance of its parts this way: a textbook
``1 - tanh(z)**2`` near saturation, ``log(1 - p)`` at p = 1e-300, or a two-pass variance of
data far from 0 each get the error their own operations make, and no oracle chooses an
error model by hand for them. The tape is built once per expression list and cached by
the caller; each evaluation walks it with mpmath.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import mpmath
import sympy as sp

from mathoracle.core.model import ELEMENTARY_ROUNDINGS


def _exact_constant(c: sp.Expr) -> bool:
    """A constant every float format holds exactly: 0, or ±2^k for small k, or a small integer."""
    if not c.is_Rational:
        return False
    if c == 0:
        return True
    p, q = abs(int(c.p)), int(c.q)
    power_of_two = q & (q - 1) == 0 and q <= 2 ** 14
    return power_of_two and p < 2 ** 11


def _pow_roundings(e: sp.Expr) -> int:
    if e in (2, -1, sp.Rational(1, 2)):
        return 1                       # x·x, 1/x, √x: one correctly rounded operation
    if e == sp.Rational(-1, 2) or e == -2:
        return 2
    if e.is_Integer and abs(int(e)) <= 8:
        return abs(int(e)) - 1 + (1 if e < 0 else 0)   # repeated products, then 1/x
    return ELEMENTARY_ROUNDINGS        # pow()


@lru_cache(maxsize=None)
def _function_parts(func, nargs: int):
    """value and partial derivatives of func(a_0, ..., a_{n-1}), compiled to mpmath."""
    dummies = sp.symbols(f"a0:{nargs}", real=True)
    expr = func(*dummies)
    partials = [sp.diff(expr, d).replace(sp.DiracDelta, lambda *a: sp.Integer(0)) for d in dummies]
    return sp.lambdify(dummies, [expr, partials], modules="mpmath")


class _Node:
    __slots__ = ("expr", "kind", "children", "roundings", "index", "branches")

    def __init__(self, expr, kind, children=(), roundings=0):
        self.expr, self.kind, self.children, self.roundings = expr, kind, list(children), roundings
        self.index = None
        self.branches = None


class RunningError:
    """E of each expression in ``exprs`` at a point (see the module docstring).

    ``symbols`` are the inputs, in the order their values are given to ``__call__``.
    """

    def __init__(self, exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]):
        self.symbols = list(symbols)
        self._position = {s: i for i, s in enumerate(self.symbols)}
        self._nodes: dict = {}
        self.roots = [self._node(sp.sympify(e)) for e in exprs]

    # --- the tape --------------------------------------------------------------------

    def _node(self, e) -> _Node:
        hit = self._nodes.get(e)
        if hit is not None:
            return hit
        node = self._make(e)
        self._nodes[e] = node
        return node

    def _make(self, e) -> _Node:
        if e.is_Symbol:
            if e not in self._position:
                raise ValueError(f"running error: {e} is not an input symbol")
            node = _Node(e, "input")
            node.index = self._position[e]
            return node
        if e.is_Number or e.is_NumberSymbol:
            node = _Node(e, "constant", roundings=0 if _exact_constant(e) else 1)
            node.index = mpmath.mpf(sp.N(e, 80)) if e.is_real else mpmath.nan
            return node
        if isinstance(e, sp.Piecewise):
            node = _Node(e, "piecewise")
            node.branches = [(self._node(b), sp.lambdify(self.symbols, c, modules="mpmath"))
                             for b, c in e.args]
            return node
        kids = [self._node(a) for a in e.args]
        if e.is_Add:
            return _Node(e, "add", kids, roundings=len(kids) - 1)
        if e.is_Mul:
            exact = sum(1 for a in e.args if a.is_Number and _exact_constant(a))
            return _Node(e, "mul", kids, roundings=max(len(kids) - 1 - exact, 0))
        if e.is_Pow:
            return _Node(e, "pow", kids, roundings=_pow_roundings(e.exp) if e.exp.is_Number
                         else ELEMENTARY_ROUNDINGS)
        if isinstance(e, (sp.Abs, sp.Max, sp.Min, sp.sign, sp.Heaviside)):
            return _Node(e, "function", kids, roundings=0)
        if isinstance(e, sp.Function):
            return _Node(e, "function", kids, roundings=ELEMENTARY_ROUNDINGS)
        raise ValueError(f"running error: no rule for {type(e).__name__} in {e}")

    # --- one evaluation --------------------------------------------------------------

    def __call__(self, values: Sequence) -> list:
        """[E of each expression] at the input ``values`` (mpf), at the working precision.
        Where an operation of the formula is undefined at the point (a division by zero in
        a branch the formula guards), E is 0: the rest of the allowance stands alone."""
        try:
            return self._evaluate(values)
        except (ZeroDivisionError, ValueError, OverflowError):
            return [mpmath.mpf(0)] * len(self.roots)

    def _evaluate(self, values: Sequence) -> list:
        vals: dict[int, object] = {}
        local: dict[int, list] = {}
        order: list[_Node] = []

        def value(node: _Node):
            key = id(node)
            if key in vals:
                return vals[key]
            if node.kind == "input":
                v = values[node.index]
            elif node.kind == "constant":
                v = node.index
            elif node.kind == "piecewise":
                chosen = next((b for b, cond in node.branches if bool(cond(*values))), None)
                if chosen is None:
                    v, local[key] = mpmath.nan, []
                else:
                    v, local[key] = value(chosen), [(chosen, mpmath.mpf(1))]
            else:
                kids = [value(k) for k in node.children]
                v, local[key] = _local(node, kids)
            vals[key] = v
            order.append(node)
            return v

        roots = [value(r) for r in self.roots]
        del roots
        out = []
        for root in self.roots:
            adjoint = {id(root): mpmath.mpf(1)}
            total = mpmath.mpf(0)
            for node in reversed(order):  # children always precede their parents in order
                a = adjoint.get(id(node))
                if a is None or a == 0:
                    continue
                if node.roundings and not _exact_zero(node, vals):
                    total += node.roundings * abs(a) * _magnitude(node, vals)
                for child, d in local.get(id(node), ()):
                    adjoint[id(child)] = adjoint.get(id(child), 0) + a * d
            out.append(total if mpmath.isfinite(total) else mpmath.mpf(0))
        return out


def _exact_zero(node: _Node, vals) -> bool:
    """A result that is exactly 0 carries no rounding error: the difference of two equal
    floats (1 - y at y = 1), a product with a zero factor, a function at its exact zero
    (log 1). A longer sum may round on the way to 0, so it still counts."""
    if vals[id(node)] != 0:
        return False
    return node.kind != "add" or len(node.children) == 2


def _magnitude(node: _Node, vals) -> mpmath.mpf:
    if node.kind == "add":  # (m - 1) roundings of partial sums, each at most Σ|terms|
        return mpmath.fsum(abs(vals[id(k)]) for k in node.children)
    return abs(vals[id(node)])


def _local(node: _Node, kids: list):
    """The node's value and [(child, ∂node/∂child)]."""
    children = node.children
    if node.kind == "add":
        return mpmath.fsum(kids), [(c, mpmath.mpf(1)) for c in children]
    if node.kind == "mul":
        value = mpmath.fprod(kids)
        parts = []
        for i, c in enumerate(children):
            others = mpmath.fprod(kids[:i] + kids[i + 1:])
            parts.append((c, others))
        return value, parts
    if node.kind == "pow":
        b, e = kids
        value = mpmath.power(b, e)
        parts = [(children[0], e * mpmath.power(b, e - 1) if b != 0 or e >= 1 else mpmath.mpf(0))]
        if not node.expr.exp.is_Number and b > 0:
            parts.append((children[1], value * mpmath.log(b)))
        return value, parts
    fn = _function_parts(node.expr.func, len(kids))
    value, partials = fn(*kids)
    return value, [(c, d) for c, d in zip(children, partials)]
