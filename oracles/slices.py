"""A formula of each whole slice along an axis that gives one value per slice (logsumexp).

``SliceReduction`` is ``Vector`` (shapes.py) with the axis reduced away: the output has the
input's shape without ``axis`` (a 0-d array for a 1-D input). ``build(n)`` returns
(symbols z_0..z_{n-1}, expression); its value, gradient and running error are compiled
once per slice length n and cached.
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
class SliceReduction(Oracle):
    """f(z_0, ..., z_{n-1}) of each slice along ``axis`` of the one array argument."""

    build: Callable[[int], tuple[Sequence[sp.Symbol], sp.Expr]] | None = None
    axis_param: str = "axis"

    def _moved(self, inputs):
        """(the array with ``axis`` moved last, the axis as a non-negative index)."""
        z = np.asarray(inputs[self.arrays[0]])
        axis = int(inputs.get(self.axis_param, -1)) % z.ndim
        return np.moveaxis(z, axis, -1), axis

    def output_shape(self, inputs):
        shape = np.shape(inputs[self.arrays[0]])
        axis = int(inputs.get(self.axis_param, -1)) % len(shape)
        return shape[:axis] + shape[axis + 1:]

    def exact(self, inputs):
        moved, _ = self._moved(inputs)
        fn, budget, running = _compiled(self, moved.shape[-1])
        value, sens, evaluation = (np.empty(moved.shape[:-1], dtype=object) for _ in range(3))
        with mpmath.workdps(digits()):
            for idx in np.ndindex(moved.shape[:-1]):
                xs = [mpmath.mpf(float(x)) for x in moved[idx]]
                f, grads = fn(*xs)
                value[idx] = mpmath.mpf(f)
                sens[idx] = _sensitivity(grads, xs)
                evaluation[idx] = running(xs)[0]
        return Exact(value, sens, budget, evaluation=evaluation)

    def vjp(self, inputs, cotangent):
        """w·∂f/∂z_j for each slice's cotangent w; sensitivity: the second derivatives by z
        times |z|, and |w·∂f/∂z_j| for the cotangent's own perturbation."""
        moved, axis = self._moved(inputs)
        n = moved.shape[-1]
        w = np.broadcast_to(np.asarray(cotangent, dtype=np.float64), moved.shape[:-1])
        fn, budget = _compiled_vjp(self, n)
        value, sens = (np.empty(moved.shape, dtype=object) for _ in range(2))
        with mpmath.workdps(digits()):
            for idx in np.ndindex(moved.shape[:-1]):
                xs = [mpmath.mpf(float(x)) for x in moved[idx]]
                wm = mpmath.mpf(float(w[idx]))
                vals, by_z = fn(*xs, wm)
                for j in range(n):
                    value[idx + (j,)] = mpmath.mpf(vals[j])
                    sens[idx + (j,)] = _sensitivity(by_z[j], xs) + abs(value[idx + (j,)])
        return {self.arrays[0]: Exact(np.moveaxis(value, -1, axis), np.moveaxis(sens, -1, axis),
                                      budget)}

    def nan_reach(self, inputs, arg, index):
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        _, axis = self._moved(inputs)
        mask[tuple(index[:axis]) + tuple(index[axis + 1:])] = True
        return mask

    def pointwise(self, inputs, arg, index):
        """The slice's one output, the slice's other elements at their values."""
        moved, axis = self._moved(inputs)
        zs, f = self.build(moved.shape[-1])
        rest = tuple(index[:axis]) + tuple(index[axis + 1:])
        values = dict(zip(zs, moved[rest]))
        shape = self.output_shape(inputs)
        k = int(np.ravel_multi_index(rest, shape)) if shape else 0
        return [(k, f, zs[index[axis]], values)]


@lru_cache(maxsize=None)
def _compiled(oracle: SliceReduction, n: int):
    """(value and gradient, rounding budget, running error) of a slice of length n."""
    zs, f = oracle.build(n)
    fn = lambdify(zs, lambda: [f, [sp.diff(f, z) for z in zs]], cse=True, key=("gradient", f))
    return fn, rounding_budget(f), RunningError([f], zs)


@lru_cache(maxsize=None)
def _compiled_vjp(oracle: SliceReduction, n: int):
    """w·∂f/∂z_j and its derivatives by z. Budget: the forward's, then the n-term
    normalisation and the product by w (as ``Vector``'s)."""
    zs, f = oracle.build(n)
    w = sp.Symbol("w", real=True)

    def exprs():
        vjp = [w * sp.diff(f, z) for z in zs]
        return [vjp, [_partials(v, zs) for v in vjp]]
    fn = lambdify((*zs, w), exprs, cse=True, key=("vjp and its partials", f, w))
    return fn, rounding_budget(f) + n + 2
