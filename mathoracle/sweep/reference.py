"""The fast reference of a sweep: the oracle's SymPy expression compiled once to NumPy float64.

Its error bound. Under the engine's rounding model (``mathoracle/core/accuracy.py``: ``budget``
roundings, each costing a relative u of the result and of every input, amplified by
S = Σ|∂f/∂x|·|x|), a
float64 evaluation of a form of f with ``budget`` roundings is within

    B = 2·budget·u₆₄·(|f| + S) + budget·2^-1022

of the exact value (twice the model, and an absolute floor for gradual underflow and for an
intermediate that overflows in a denominator). S itself is the float64 evaluation of the
lambdified partials. Several equivalent forms of f are compiled (the expression, its
``simplify`` and its exp/cosh rewrites); each input takes the first form whose value and S are
finite there (σ' = e^-z/(1+e^-z)² is inf/inf below z = -709, e^z/(1+e^z)² is not), then the
same forms with each partial written f·∂(log f), which stays finite where ∂f is inf/inf. An
input where no form is finite is left to the exact evaluation (``certain`` False).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
import sympy as sp

from mathoracle.core.model import _numeric_params, rounding_budget

U64 = 2.0 ** -53
TINY64 = 2.0 ** -1022


def _forms(expr) -> list:
    """expr and a few equivalent rewrites, distinct, expr first."""
    out = [expr]
    for make in (lambda e: sp.simplify(e), lambda e: e.rewrite(sp.exp),
                 lambda e: sp.simplify(e.rewrite(sp.exp)), lambda e: e.rewrite(sp.cosh)):
        try:
            form = make(expr)
        except Exception:  # a rewrite sympy cannot do is simply not a candidate
            continue
        if form.has(sp.I) or any(form == f for f in out):
            continue
        out.append(form)
    return out


class FastReference:
    """value, S and bound B of an Elementwise oracle at float64 inputs (see module doc)."""

    def __init__(self, oracle):
        self.oracle = oracle
        self._last = 0  # index of the form that served the previous call

    @cached_property
    def compiled(self):
        z, ps = self.oracle.symbols
        compiled, forms = [], _forms(self.oracle.expression)
        for form in forms:
            partials = [sp.diff(form, s) for s in (z, *ps)]
            fn = sp.lambdify((z, *ps), [form, *partials], modules="numpy", cse=True)
            compiled.append((fn, rounding_budget(form)))
        for form in forms:  # ∂f = f·∂log f: finite where ∂f is inf/inf (1/cosh² → -2·tanh/cosh²)
            try:
                logs = [sp.simplify(sp.diff(sp.log(form), s)) for s in (z, *ps)]
            except Exception:  # no usable logarithmic derivative: not a candidate
                continue
            if any(g.has(sp.I, sp.log, sp.zoo, sp.nan) for g in logs):
                continue
            partials = [form * g for g in logs]
            fn = sp.lambdify((z, *ps), [form, *partials], modules="numpy", cse=True)
            compiled.append((fn, max(rounding_budget(form * g) for g in logs)))
        return compiled

    def __call__(self, z: np.ndarray, params: dict):
        """(value, S, B, certain) as float64 arrays (certain: bool) for inputs z (float64)."""
        pvals = [float(params[p.name]) for p in _numeric_params(self.oracle)]
        value = np.full(z.shape, np.nan)
        sens = np.full(z.shape, np.nan)
        bound = np.full(z.shape, np.nan)
        todo = np.ones(z.shape, dtype=bool)
        # the form that served the last block first: neighbouring inputs take the same one
        order = [self._last] + [k for k in range(len(self.compiled)) if k != self._last]
        with np.errstate(all="ignore"):
            for n, k in enumerate(order):
                fn, budget = self.compiled[k]
                zz = z if n == 0 else z[todo]
                f, s = self._evaluate(fn, zz, pvals)
                ok = np.isfinite(f) & np.isfinite(s)
                b = 2 * budget * U64 * (np.abs(f) + s) + budget * TINY64
                if n == 0 and ok.all():  # the common case: no indexing
                    return f, s, b, ok
                if ok.any():
                    self._last = k
                idx = np.flatnonzero(todo)[ok]
                value[idx], sens[idx], bound[idx] = f[ok], s[ok], b[ok]
                todo[idx] = False
                if not todo.any():
                    break
        return value, sens, bound, ~todo

    @staticmethod
    def _evaluate(fn, zz, pvals):
        """f and S = Σ|∂f/∂x|·|x| (0 for x = 0) of one compiled form."""
        f, *grads = fn(zz, *pvals)
        f = np.broadcast_to(np.asarray(f, dtype=np.float64), zz.shape)
        s = np.zeros(zz.shape)
        for g, x in zip(grads, (zz, *pvals)):
            g = np.broadcast_to(np.asarray(g, dtype=np.float64), zz.shape)
            s += np.where(np.asarray(x) == 0, 0.0, np.abs(g) * np.abs(x))
        return f, s
