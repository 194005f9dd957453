"""The shapes of formula the catalogue uses, and how each is evaluated exactly.

- ``Elementwise``: f(z; params) applied to every element.
- ``Reduction``:   a per-element term t(x, y; params), summed or averaged.
- ``PerElement``:  a term t(x, y; params) of several broadcast arrays, not reduced.

A formula of a whole slice along an axis (softmax) is a ``Vector`` (vectors.py), one that
reduces the slice (logsumexp) a ``SliceReduction`` (slices.py).

Each gives the exact value and sensitivity of its outputs (``exact``) and of the gradient
of Σ w·f for a cotangent w (``vjp``). Every compiled function is built on first use and
cached on the oracle (``lambdify`` once, never ``subs``/``evalf`` per element); importing
an oracle module compiles nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core import memo
from mathoracle.core.compiled import lambdify
from mathoracle.core.model import Exact, Oracle, _numeric_params, digits, mpf_array, rounding_budget

from .rounding import RunningError


ELEMENTS_KEPT = 200_000  # elements an elementwise oracle remembers (``Elementwise._elements``)


def _sensitivity(grads, values) -> mpmath.mpf:
    """Σ |∂f/∂x|·|x|; an input that is 0 contributes nothing (u·|x| perturbs it by 0), nor
    does an infinite one that f does not depend on there (a masked logit: ∂f/∂x = 0)."""
    return mpmath.fsum(abs(g) * abs(v) for g, v in zip(grads, values) if v != 0 and (g != 0 or mpmath.isfinite(v)))


def _no_delta(expr):
    """A second derivative with DiracDelta (from |x| or sign) set to 0: it is 0 wherever a
    piecewise formula is evaluated off its kinks, and the kink itself is a convention."""
    return expr.replace(sp.DiracDelta, lambda *args: sp.Integer(0))


def _point_guards_dropped(expr, s):
    """expr without the Piecewise pieces that hold only where ``s`` equals a constant
    (the 0 of 0·log 0 at p = 0): a single point of s, which fixes a value there but not a
    derivative by s. The derivative there is the limit from the remaining pieces (so
    ∂/∂p of p·log(p/q) at p = 0 is -∞, and ∂/∂x of xlogy(x, y) at x = 0 is log y)."""
    def on_point(cond):
        return any(s in eq.free_symbols for eq in cond.atoms(sp.Eq))

    def keep(*pieces):
        kept = [(e, c) for e, c in pieces if not on_point(c)]
        return sp.Piecewise(*kept) if kept else sp.Piecewise(*pieces)
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: keep(*e.args))


def derivative(f, s):
    """∂f/∂s by sympy.diff, point guards on s dropped first."""
    return sp.diff(_point_guards_dropped(f, s), s)


def _partials(f, by):
    """[∂f/∂s for s in by], with DiracDelta removed."""
    return [_no_delta(sp.diff(f, s)) for s in by]


def _gradient_exact(c, fn, values, floor) -> tuple[mpmath.mpf, mpmath.mpf]:
    """c·g and its sensitivity |c|·Σ|∂g/∂x|·|x| + |c·g| (the cotangent's own perturbation)
    + |c|·floor (a mixed error model's scale), where fn(*values) = (g, *∂g/∂x). NaN where the derivative is undefined
    (a division by zero at a boundary point); the gradient property skips those elements."""
    try:
        g, *second = fn(*values)
        value = c * mpmath.mpf(g)
        return value, abs(c) * (_sensitivity(second, values) + floor) + abs(value)
    except ZeroDivisionError:
        return mpmath.nan, mpmath.nan


@dataclass(eq=False)
class Elementwise(Oracle):
    """f(z; params) applied to each element of the one array argument."""

    expr: Callable[..., sp.Expr] | None = None  # (z, *param_symbols) -> expression
    # A cancellation-free form of d expr/dz for the gradient property (sech² for tanh's
    # 1 - tanh²); tests prove it equal to sympy.diff of expr.
    derivative: Callable[..., sp.Expr] | None = None

    @cached_property
    def symbols(self):
        z = sp.Symbol(self.arrays[0], real=True)
        ps = [sp.Symbol(p.name, real=True) for p in _numeric_params(self)]
        return z, ps

    @cached_property
    def expression(self) -> sp.Expr:
        z, ps = self.symbols
        return self.expr(z, *ps)

    @cached_property
    def _compiled(self):
        z, ps = self.symbols
        f = self.expression
        return (lambdify((z, *ps), lambda: [f, *(sp.diff(f, s) for s in (z, *ps))], key=("gradient", f)),
                rounding_budget(f))

    @cached_property
    def running(self) -> RunningError:
        """The textbook form's running error (the evaluated expression where it has none).
        A formula that is itself one elementary function (tanh z) is a primitive of every
        libm: its textbook definition ((e^z - e^-z)/(e^z + e^-z)) is how it is defined, not
        how anyone evaluates it, and the function's own roundings are its allowance."""
        z, ps = self.symbols
        f = self.expression
        primitive = isinstance(f, sp.Function) and f.args == (z,)
        form = self.textbook(z, *ps) if self.textbook and not primitive else f
        return RunningError([form], (z, *ps))

    @cached_property
    def own_running(self) -> RunningError:
        """The running error of the expression evaluated (``Exact.rounding``)."""
        z, ps = self.symbols
        return self.running if not self.textbook else RunningError([self.expression], (z, *ps))

    @cached_property
    def _elements(self) -> dict:
        """(value, sensitivity, evaluation error, rounding) of each element already met, by
        its bits and the precision: edge values recur in every dtype and every property."""
        return memo.store()

    def exact(self, inputs):
        fn, budget = self._compiled
        z = np.asarray(inputs[self.arrays[0]])
        floats = [float(inputs[p.name]) for p in _numeric_params(self)]
        pvals = [mpmath.mpf(p) for p in floats]
        value, sens, evaluation, rounding = (np.empty(z.shape, dtype=object) for _ in range(4))
        met = self._elements
        if len(met) > ELEMENTS_KEPT:
            met.clear()
        with mpmath.workdps(digits()):
            for idx, x in np.ndenumerate(z):
                key = (digits(), float(x).hex(), *(p.hex() for p in floats))
                if key not in met:
                    xm = mpmath.mpf(float(x))
                    f, *g = fn(xm, *pvals)
                    at = (xm, *pvals)
                    ev = self.running(at)[0]
                    own = self.own_running(at)[0] if self.textbook else ev
                    met[key] = (mpmath.mpf(f), _sensitivity(g, at), ev, own)
                value[idx], sens[idx], evaluation[idx], rounding[idx] = met[key]
        return Exact(value, sens, budget, evaluation=evaluation, rounding=rounding)

    def output_shape(self, inputs):
        return np.shape(inputs[self.arrays[0]])

    def nan_reach(self, inputs, arg, index):
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        mask[index] = True
        return mask

    def pointwise(self, inputs, arg, index):
        z, ps = self.symbols
        k = int(np.ravel_multi_index(tuple(index), self.output_shape(inputs))) if index else 0
        values = {s: inputs[p.name] for s, p in zip(ps, _numeric_params(self))}
        return [(k, self.expression, z, values)]

    @cached_property
    def _compiled_vjp(self):
        z, ps = self.symbols
        g = self.derivative(z, *ps) if self.derivative else derivative(self.expression, z)
        return (lambdify((z, *ps), lambda: [g, *_partials(g, (z, *ps))], key=("partials", g)),
                rounding_budget(g) + 1)

    def vjp(self, inputs, cotangent):
        fn, budget = self._compiled_vjp
        z = np.asarray(inputs[self.arrays[0]])
        w = np.broadcast_to(np.asarray(cotangent), z.shape)
        pvals = [mpmath.mpf(float(inputs[p.name])) for p in _numeric_params(self)]
        value = np.empty(z.shape, dtype=object)
        sens = np.empty(z.shape, dtype=object)
        with mpmath.workdps(digits()):
            for idx, x in np.ndenumerate(z):
                value[idx], sens[idx] = _gradient_exact(
                    mpmath.mpf(float(w[idx])), fn, (mpmath.mpf(float(x)), *pvals),
                    self.grad_error.scale)
        return {self.arrays[0]: Exact(value, sens, budget)}


@dataclass(eq=False)
class Reduction(Oracle):
    """A per-element term t(a, b, ...; params), reduced.

    ``reduce``: ``"mean"`` or ``"sum"`` over all elements (a scalar), ``"sum_last"`` over the
    last axis (shape[:-1]), or ``"mean_of_row_sums"`` (sum over the last axis, mean over the rest).
    """

    term: Callable[..., sp.Expr] | None = None  # (*array_symbols, *param_symbols) -> expr
    reduce: str = "mean"

    @cached_property
    def symbols(self):
        xs = [sp.Symbol(a, real=True) for a in self.arrays]
        ps = [sp.Symbol(p.name, real=True) for p in _numeric_params(self)]
        return xs, ps

    @cached_property
    def expression(self) -> sp.Expr:
        xs, ps = self.symbols
        return self.term(*xs, *ps)

    @cached_property
    def _compiled(self):
        xs, ps = self.symbols
        t = self.expression
        return (lambdify((*xs, *ps), lambda: [t, *(sp.diff(t, s) for s in (*xs, *ps))], key=("gradient", t)),
                rounding_budget(t))

    @cached_property
    def running(self) -> RunningError:
        """The textbook term's running error (the evaluated term where it has none)."""
        xs, ps = self.symbols
        return RunningError([self.textbook(*xs, *ps) if self.textbook else self.expression], (*xs, *ps))

    @cached_property
    def _terms(self) -> dict:
        """(term, sensitivity, evaluation error, rounding) of each element already met, by its
        inputs' bits, the parameters' and the precision (as ``Elementwise._elements``)."""
        return memo.store()

    @cached_property
    def own_running(self) -> RunningError:
        """The running error of the term evaluated (``Exact.rounding``)."""
        xs, ps = self.symbols
        return self.running if not self.textbook else RunningError([self.expression], (*xs, *ps))

    def exact(self, inputs):
        fn, term_ops = self._compiled
        arrs = [np.asarray(inputs[a]) for a in self.arrays]
        pvals = [mpmath.mpf(float(inputs[p.name])) for p in _numeric_params(self)]
        shape = arrs[0].shape
        terms = np.empty(shape, dtype=object)
        sens = np.empty(shape, dtype=object)
        evaluation = np.empty(shape, dtype=object)
        rounding = np.empty(shape, dtype=object)
        met = self._terms
        if len(met) > ELEMENTS_KEPT:
            met.clear()
        params = tuple(float(p).hex() for p in pvals)
        with mpmath.workdps(digits()):
            for idx in np.ndindex(shape):
                key = (digits(), *(float(a[idx]).hex() for a in arrs), *params)
                if key not in met:
                    xs = [mpmath.mpf(float(a[idx])) for a in arrs]
                    t, *g = fn(*xs, *pvals)
                    ev = self.running((*xs, *pvals))[0]
                    own = self.own_running((*xs, *pvals))[0] if self.textbook else ev
                    met[key] = (mpmath.mpf(t), _sensitivity(g, (*xs, *pvals)), ev, own)
                terms[idx], sens[idx], evaluation[idx], rounding[idx] = met[key]
            value, sensitivity, count = self._reduce(terms), self._reduce(sens), self._count(shape)
            evaluation = self._reduce(evaluation)  # each term's error reaches the result as it does
            rounding = self._reduce(rounding)  # fsum: exact enough
        return Exact(value, sensitivity, term_ops + count + 1, evaluation=evaluation, rounding=rounding)

    def _count(self, shape) -> int:
        if self.reduce == "sum_last":
            return shape[-1] if shape else 1
        return int(np.prod(shape, dtype=int))

    def _reduce(self, a: np.ndarray) -> np.ndarray:
        if self.reduce in ("mean", "sum"):
            total = mpmath.fsum(a.reshape(-1).tolist())
            return np.array(total / max(a.size, 1) if self.reduce == "mean" else total, dtype=object)
        rows = a.reshape(-1, a.shape[-1]) if a.ndim else a.reshape(1, 1)
        sums = np.empty(rows.shape[0], dtype=object)
        for i, r in enumerate(rows):
            sums[i] = mpmath.fsum(r.tolist())
        if self.reduce == "sum_last":
            return sums.reshape(a.shape[:-1])
        if self.reduce == "mean_of_row_sums":
            return np.array(mpmath.fsum(sums.tolist()) / max(len(sums), 1), dtype=object)
        raise ValueError(f"unknown reduce={self.reduce!r}")

    def output_shape(self, inputs):
        shape = np.shape(inputs[self.arrays[0]])
        return shape[:-1] if self.reduce == "sum_last" else ()

    def nan_reach(self, inputs, arg, index):
        shape = self.output_shape(inputs)
        mask = np.zeros(shape, dtype=bool)
        if self.reduce == "sum_last":
            mask[index[:-1]] = True
        else:
            mask[...] = True
        return mask

    def pointwise(self, inputs, arg, index):
        """Every reached output is a sum with one term at ``index``: it varies iff that term does."""
        mask = self.nan_reach(inputs, arg, index).reshape(-1)
        return [(int(k), *self._term_at(inputs, arg, tuple(index))) for k in np.flatnonzero(mask)]

    def _term_at(self, inputs, arg, at):
        """(term, the symbol of ``arg``, {symbol: value} of the others) at element ``at``."""
        xs, ps = self.symbols
        values = {s: np.asarray(inputs[a])[at] for s, a in zip(xs, self.arrays) if a != arg}
        values.update({s: inputs[p.name] for s, p in zip(ps, _numeric_params(self))})
        return self.expression, xs[self.arrays.index(arg)], values

    @cached_property
    def _compiled_vjp(self):
        xs, ps = self.symbols
        out = {}
        for name, x in zip(self.arrays, xs):
            if name in self.wrt:
                g = derivative(self.expression, x)
                out[name] = (lambdify((*xs, *ps), lambda g=g: [g, *_partials(g, (*xs, *ps))], key=("partials", g)),
                             rounding_budget(g) + 2)  # + the cotangent product and the 1/n
        return out

    def _cotangent_factor(self, w: np.ndarray, shape) -> np.ndarray:
        """d(output)/d(term) times the cotangent, for every term (object array of mpf)."""
        w = np.asarray(w, dtype=np.float64)
        if self.reduce == "sum_last":
            per_row = mpf_array(w)
            return np.broadcast_to(per_row[..., None], shape)
        n = self._count(shape) if self.reduce == "mean" else 1 if self.reduce == "sum" else (
            int(np.prod(shape[:-1], dtype=int)) if len(shape) > 1 else 1)
        c = mpmath.mpf(float(w)) / max(n, 1)
        return np.full(shape, c, dtype=object)

    def vjp(self, inputs, cotangent):
        arrs = [np.asarray(inputs[a]) for a in self.arrays]
        pvals = [mpmath.mpf(float(inputs[p.name])) for p in _numeric_params(self)]
        shape = arrs[0].shape
        answers = {}
        with mpmath.workdps(digits()):
            factor = self._cotangent_factor(cotangent, shape)
            for name, (fn, budget) in self._compiled_vjp.items():
                value = np.empty(shape, dtype=object)
                sens = np.empty(shape, dtype=object)
                for idx in np.ndindex(shape):
                    xs = [mpmath.mpf(float(a[idx])) for a in arrs]
                    value[idx], sens[idx] = _gradient_exact(factor[idx], fn, (*xs, *pvals),
                                                            self.grad_error.scale)
                answers[name] = Exact(value, sens, budget)
        return answers


@dataclass(eq=False)
class PerElement(Reduction):
    """A formula t(a, b, ...; params) applied element by element (no reduction) to arrays
    broadcast together (a Python float argument, such as β_t, is one value for every
    element). It keeps ``Reduction``'s exact values, sensitivities and vector-Jacobian
    products (``wrt`` needs arrays of one shape); nothing is compiled per shape."""

    reduce: str = "none"

    def _broadcast(self, inputs):
        arrays = np.broadcast_arrays(*(np.asarray(inputs[a]) for a in self.arrays))
        return {**inputs, **dict(zip(self.arrays, arrays))}

    def exact(self, inputs):
        return super().exact(self._broadcast(inputs))

    def vjp(self, inputs, cotangent):
        return super().vjp(self._broadcast(inputs), cotangent)

    def _count(self, shape) -> int:
        return 0  # no summed terms: the term's own roundings and the result's

    def _reduce(self, a: np.ndarray) -> np.ndarray:
        return a

    def output_shape(self, inputs):
        return np.broadcast_shapes(*(np.shape(inputs[a]) for a in self.arrays))

    def nan_reach(self, inputs, arg, index):
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        at = np.zeros(np.shape(inputs[arg]), dtype=bool)
        at[tuple(index)] = True
        mask |= np.broadcast_to(at, mask.shape)
        return mask

    def pointwise(self, inputs, arg, index):
        full = self._broadcast(inputs)
        shape = self.output_shape(inputs)
        mask = self.nan_reach(inputs, arg, index)
        return [(int(np.ravel_multi_index(e, shape)), *self._term_at(full, arg, tuple(e)))
                for e in map(tuple, np.argwhere(mask))]

    def _cotangent_factor(self, w, shape):
        return np.broadcast_to(mpf_array(np.asarray(w, dtype=np.float64)), shape)
