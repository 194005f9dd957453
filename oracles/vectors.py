"""A formula of each whole slice along an axis (softmax, log_softmax).

``Vector``'s ``build(n)`` returns (symbols z_0..z_{n-1}, output expressions); the value,
the Jacobian that gives the sensitivity, the running error and the VJP are compiled once
per slice length n and cached. ``SliceReduction`` (slices.py) is its reduced sibling.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.compiled import lambdify
from mathoracle.core.model import Exact, Oracle, digits, rounding_budget

from .rounding import RunningError
from .shapes import _partials, _sensitivity


@dataclass(eq=False)
class Vector(Oracle):
    """A formula of each whole slice along ``axis`` (one array argument).

    ``build(n)`` returns (symbols z_0..z_{n-1}, output expressions); the compiled value and
    Jacobian are cached per n.
    """

    build: Callable[[int], tuple[Sequence[sp.Symbol], Sequence[sp.Expr]]] | None = None
    axis_param: str = "axis"
    # (zs, ws) -> (Σ_i w_i ∂out_i/∂z_j in a cancellation-free form, the gradient's absolute
    # floor per component); tests prove the form equal to sympy.diff. Without it the VJP is
    # sympy.diff's, with no floor.
    backward: Callable | None = None

    def _compiled(self, n: int):
        return _compile_vector(self, n)

    def exact(self, inputs):
        z = np.asarray(inputs[self.arrays[0]])
        axis = int(inputs.get(self.axis_param, -1))
        moved = np.moveaxis(z, axis, -1)
        n = moved.shape[-1]
        fn, budget = self._compiled(n)
        running = _running_vector(self, n)
        value = np.empty(moved.shape, dtype=object)
        sens = np.empty(moved.shape, dtype=object)
        evaluation = np.empty(moved.shape, dtype=object)
        with mpmath.workdps(digits()):
            for idx in np.ndindex(moved.shape[:-1]):
                xs = [mpmath.mpf(float(x)) for x in moved[idx]]
                vals, jac = fn(*xs)
                evaluation[idx] = running(xs)
                for i in range(n):
                    value[idx + (i,)] = mpmath.mpf(vals[i])
                    sens[idx + (i,)] = _sensitivity(jac[i], xs)
        evaluation = np.moveaxis(evaluation, -1, axis)  # the outputs' own running error
        return Exact(np.moveaxis(value, -1, axis), np.moveaxis(sens, -1, axis), budget,
                     evaluation=evaluation, rounding=evaluation)

    def output_shape(self, inputs):
        return np.shape(inputs[self.arrays[0]])

    def vjp(self, inputs, cotangent):
        z = np.asarray(inputs[self.arrays[0]])
        axis = int(inputs.get(self.axis_param, -1))
        moved = np.moveaxis(z, axis, -1)
        w = np.moveaxis(np.asarray(cotangent, dtype=np.float64), axis, -1)
        n = moved.shape[-1]
        fn, budget = _compile_vector_vjp(self, n)
        value = np.empty(moved.shape, dtype=object)
        sens = np.empty(moved.shape, dtype=object)
        with mpmath.workdps(digits()):
            for idx in np.ndindex(moved.shape[:-1]):
                xs = [mpmath.mpf(float(x)) for x in moved[idx]]
                ws = [mpmath.mpf(float(x)) for x in w[idx]]
                vals, by_z, by_w, floor = fn(*xs, *ws)
                for j in range(n):
                    value[idx + (j,)] = mpmath.mpf(vals[j])
                    sens[idx + (j,)] = (_sensitivity(by_z[j], xs) + _sensitivity(by_w[j], ws)
                                        + abs(floor[j]))
        return {self.arrays[0]: Exact(np.moveaxis(value, -1, axis), np.moveaxis(sens, -1, axis),
                                      budget)}

    def nan_reach(self, inputs, arg, index):
        shape = self.output_shape(inputs)
        axis = int(inputs.get(self.axis_param, -1)) % len(shape)
        mask = np.zeros(shape, dtype=bool)
        sl = list(index)
        sl[axis] = slice(None)
        mask[tuple(sl)] = True
        return mask

    def pointwise(self, inputs, arg, index):
        """Each output of the NaN element's slice, the slice's other elements at their values."""
        z = np.asarray(inputs[self.arrays[0]])
        shape = z.shape
        axis = int(inputs.get(self.axis_param, -1)) % len(shape)
        zs, outs = self.build(shape[axis])
        at = list(index)
        values = {}
        for j, s in enumerate(zs):
            at[axis] = j
            values[s] = z[tuple(at)]
        out = []
        for i, expr in enumerate(outs):
            at[axis] = i
            out.append((int(np.ravel_multi_index(tuple(at), shape)), expr, zs[index[axis]], values))
        return out


def _jacobian(zs, outs, ws, vjp) -> list:
    """∂out_i/∂z_j: the ``backward`` form ``vjp`` (of cotangents ``ws``) at w = e_i where
    there is one (it is free of the cancellation sympy.diff's form has: s_i - s_i² at
    s_i = 1 - 1e-80), else sympy.diff's."""
    if vjp is None:
        return [[sp.diff(o, z) for z in zs] for o in outs]
    return [[sp.sympify(v).subs({w: int(k == i) for k, w in enumerate(ws)}) for v in vjp]
            for i in range(len(outs))]


@lru_cache(maxsize=None)
def _compile_vector(oracle: Vector, n: int):
    zs, outs = oracle.build(n)
    ws = sp.symbols(f"w0:{n}", real=True)
    vjp = oracle.backward(zs, ws)[0] if oracle.backward else None
    fn = lambdify(zs, lambda: [list(outs), _jacobian(zs, outs, ws, vjp)], cse=True,
                   key=("jacobian", list(outs), ws, vjp))
    budget = max(rounding_budget(o) for o in outs)
    return fn, budget


@lru_cache(maxsize=None)
def _running_vector(oracle: Vector, n: int) -> RunningError:
    zs, outs = oracle.build(n)
    return RunningError(list(outs), zs)


@lru_cache(maxsize=None)
def _compile_vector_vjp(oracle: Vector, n: int):
    """Σ_i w_i ∂out_i/∂z_j, its derivatives by z and by w, and its floor. Budget: the
    forward's, then a dot product of n terms and the product and difference that form each
    component."""
    zs, outs = oracle.build(n)
    ws = sp.symbols(f"w0:{n}", real=True)
    if oracle.backward:
        vjp, floor = oracle.backward(zs, ws)
    else:
        vjp, floor = [sum(w * sp.diff(o, z) for w, o in zip(ws, outs)) for z in zs], [0] * n
    fn = lambdify((*zs, *ws), lambda: [vjp, [_partials(v, zs) for v in vjp],
                                        [_partials(v, ws) for v in vjp], list(floor)],
                   cse=True, key=("vjp and its partials", vjp, list(floor)))
    return fn, _compile_vector(oracle, n)[1] + n + 2
