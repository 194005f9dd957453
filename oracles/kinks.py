"""Kinks whose argument is computed: where the formula's derivative jumps and rounding decides
the side.

A kink is a point where a formula's derivative is discontinuous: the argument r of |r| or
sign(r) at 0, the sides of a Piecewise condition (relu's z > 0, Huber's δ ≥ |r|). When r is
itself computed from the inputs (a network's residual y - a^L, a hidden unit's z), an
evaluation in the target's dtype knows r only up to its rounding error, about
budget·u·(|r| + S_r) with S_r = Σ|∂r/∂x_j|·|x_j|. Where |r| is within that, either side is a
correct evaluation of the formula (float16 tanh(2^-6) is 2^-6, so y - a = 0 and sign = 0
where the exact residual is 1.3e-6): the outputs that contain the kink are not determined
there, and are not judged (their slack is infinite), as an exact kink of relu is not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.compiled import lambdify
from mathoracle.core.formats import finfo
from mathoracle.core.model import digits, rounding_budget


def kink_arguments(expr: sp.Expr) -> set:
    """The expressions whose sign a derivative of ``expr`` may jump at: the arguments of Abs,
    sign and Heaviside, and lhs - rhs of every relational in a Piecewise condition."""
    out = {a.args[0] for a in expr.atoms(sp.Abs, sp.sign, sp.Heaviside)}
    for pw in expr.atoms(sp.Piecewise):
        for _, cond in pw.args:
            out |= {r.lhs - r.rhs for r in sp.sympify(cond).atoms(sp.Rel)}
    return {k for k in out if k.free_symbols}


@dataclass
class Kinks:
    """The kinks of a list of output expressions over ``symbols``, compiled once."""

    fn: object                    # symbol values -> [kink values, their Jacobians]
    budgets: list[int]            # roundings of each kink argument
    of_output: list[list[int]]    # per output: the kinks its expression contains
    args: list = ()               # the kink arguments themselves, in numbering order

    @staticmethod
    def of(exprs: Sequence[sp.Expr], symbols: Sequence[sp.Symbol]) -> "Kinks":
        per = [kink_arguments(sp.sympify(e)) for e in exprs]
        kinks = sorted(set().union(*per), key=sp.default_sort_key) if per else []
        number = {k: i for i, k in enumerate(kinks)}
        fn = lambdify(list(symbols), lambda: [kinks, [[sp.diff(k, s) for s in symbols] for k in kinks]],
                      key=("jacobian", kinks)) if kinks else None
        return Kinks(fn, [rounding_budget(k) for k in kinks],
                     [sorted(number[k] for k in ks) for ks in per], kinks)

    def near(self, values: Sequence, dtype) -> set[int]:
        """The kinks whose argument lies within its rounding error in ``dtype``:
        |r| ≤ budget·u·(|r| + S_r) + the smallest normal (a NaN argument is not near; a NaN
        the argument does not contain is no term of S_r)."""
        if self.fn is None:
            return set()
        fi = finfo(dtype)
        u, tiny = mpmath.mpf(float(fi.eps)) / 2, mpmath.mpf(float(fi.tiny))
        with mpmath.workdps(digits()):
            ks, jac = self.fn(*values)
            near = set()
            for i, (k, grads) in enumerate(zip(ks, jac)):
                s = mpmath.fsum(abs(g) * abs(x) for g, x in zip(grads, values) if g != 0 and x != 0)
                if abs(k) <= self.budgets[i] * u * (abs(k) + s) + tiny:
                    near.add(i)
        return near

    def undetermined(self, values: Sequence, dtype) -> np.ndarray:
        """Per output: True where a kink it contains is ``near``."""
        near = self.near(values, dtype)
        return np.array([any(k in near for k in ks) for ks in self.of_output], dtype=bool)
