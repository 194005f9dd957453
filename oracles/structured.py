"""Formulas of whole arrays: matrix products, normalisations, networks.

A ``Structured`` oracle's ``build`` writes the formula once, with NumPy operations on
object arrays of SymPy symbols (``Q @ K.T / sp.sqrt(d)``); it reads like the textbook.
For each combination of input shapes (and of the arguments that fix the structure: ints,
strings, boolean masks) the expressions are built, differentiated by ``sympy.diff`` and
compiled to mpmath with ``lambdify`` once, then cached. Every evaluation gives the exact
value of each output element and its sensitivity S = Σ |∂f/∂x_j|·|x_j| over the float
inputs it depends on, as ``Elementwise`` does for one element.

What ``build`` receives, per argument:
- a floating-point array: an object array of real symbols of the same shape;
- a list of floating-point arrays: a list of such symbol arrays;
- a Python float, or a numeric parameter: one real symbol (unless named in ``constants``);
- anything else (ints, strings, None, boolean or integer arrays): its value.

It returns an object array of expressions, or for a tuple result (``outputs``) a tuple of
them, an item of which may be a list of arrays (``mlp_gradients`` → (dWs, dbs)).

The shapes a domain draws should be few and small: each new shape costs one compilation
on a machine's first run (0.3 s for a 2×2 attention, 1 s for 3×3, 5 s for 4×4, measured),
kept on disk after it (``core.compiled``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.compiled import lambdify
from mathoracle.core.formats import is_float
from mathoracle.core.model import Exact, Oracle, Part, digits, rounding_budget

from .rounding import RunningError
from .shapes import _no_delta


def symbols_like(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """An object array of real SymPy symbols name_0, name_1, ... of ``shape``."""
    size = int(np.prod(shape, dtype=int))
    flat = [sp.Symbol(f"{name}_{i}", real=True) for i in range(size)]
    out = np.empty(size, dtype=object)
    out[:] = flat
    return out.reshape(shape)


def elementwise(fn) -> Callable[[np.ndarray], np.ndarray]:
    """A SymPy function (sp.exp, sp.tanh, ...) applied to each element of an object array."""
    return np.vectorize(fn, otypes=[object])


def _is_float_array(v) -> bool:
    return isinstance(v, np.ndarray) and is_float(v.dtype)


@dataclass
class _Compiled:
    fn: Callable
    deps: list[list[int]]             # per output element: the symbols it depends on
    parts: tuple[Part, ...]
    budget: int
    position: dict                    # (arg, index) -> symbol number
    arrange: Callable[[Mapping[str, Any]], list]  # inputs -> symbol values, in order
    running: RunningError             # the formula's running error, per output element
    exprs: list = field(default_factory=list)    # per output element: its expression
    symbols: list = field(default_factory=list)  # the symbols, in ``arrange``'s order


@dataclass(eq=False)
class Structured(Oracle):
    """A formula of whole arrays; see the module docstring for ``build``'s contract."""

    build: Callable[..., Any] | None = None
    constants: tuple[str, ...] = ()   # float arguments that fix structure, not symbols
    # Roundings one output expression costs (base.rounding_budget: its operation count). An
    # oracle whose outputs share intermediates may count each once (attention's row sums).
    roundings: Callable[[sp.Expr], int] = rounding_budget
    _cache: dict = field(default_factory=dict, repr=False)

    # --- what is symbolic, and the cache key -----------------------------------------

    def _symbolic(self, name: str, value: Any) -> bool:
        if name in self.constants:
            return False
        numeric = {p.name for p in self.params if p.numeric}
        if name in self.arrays or name in numeric:
            return isinstance(value, float) or _is_float_array(value) or (
                isinstance(value, (list, tuple)) and bool(value) and all(map(_is_float_array, value)))
        return False

    def _key(self, inputs: Mapping[str, Any]) -> tuple:
        key = []
        for name in self._names():
            v = inputs[name]
            if self._symbolic(name, v):
                key.append((name, "sym", tuple(np.shape(a) for a in v) if isinstance(v, (list, tuple))
                            else np.shape(v)))
            elif isinstance(v, np.ndarray):
                key.append((name, v.dtype.str, v.shape, v.tobytes()))
            else:
                key.append((name, repr(v)))
        return tuple(key)

    def _names(self) -> list[str]:
        return [*self.arrays, *(p.name for p in self.params)]

    # --- compilation ----------------------------------------------------------------

    def compiled(self, inputs: Mapping[str, Any]) -> _Compiled:
        full = {**self.defaults(), **inputs}
        key = self._key(full)
        if key not in self._cache:
            self._cache[key] = self._compile(full)
        return self._cache[key]

    def _compile(self, inputs: Mapping[str, Any]) -> _Compiled:
        given, symbols, position, getters = {}, [], {}, []
        for name in self._names():
            v = inputs[name]
            if not self._symbolic(name, v):
                given[name] = v
                continue
            if isinstance(v, float):
                s = sp.Symbol(name, real=True)
                position[(name, ())] = len(symbols)
                symbols.append(s)
                getters.append((name, None, None))
                given[name] = s
                continue
            arrays = list(v) if isinstance(v, (list, tuple)) else [v]
            made = []
            for i, a in enumerate(arrays):
                prefix = (i,) if isinstance(v, (list, tuple)) else ()
                label = f"{name}{i}" if prefix else name
                syms = symbols_like(label, a.shape)
                for idx in np.ndindex(a.shape):
                    position[(name, prefix + idx)] = len(symbols)
                    symbols.append(syms[idx])
                    getters.append((name, prefix[0] if prefix else None, idx))
                made.append(syms)
            given[name] = made if isinstance(v, (list, tuple)) else made[0]
        result = self.build(**given)
        parts, exprs = self._flatten(result)
        exprs = [sp.sympify(e) for e in exprs]
        number = {s: j for j, s in enumerate(symbols)}
        deps = [sorted(number[s] for s in e.free_symbols if s in number) for e in exprs]
        fn = lambdify(symbols, lambda: [exprs, [[_no_delta(sp.diff(e, symbols[j])) for j in d]
                                                for e, d in zip(exprs, deps)]],
                      cse=True, key=("jacobian", exprs))
        budget = max((self.roundings(e) for e in exprs), default=1)

        def arrange(values: Mapping[str, Any]) -> list:
            out = []
            for name, item, idx in getters:
                v = values[name]
                if idx is None:
                    out.append(mpmath.mpf(float(v)))
                else:
                    a = v[item] if item is not None else v
                    out.append(mpmath.mpf(float(a[idx])))
            return out
        return _Compiled(fn, deps, parts, budget, position, arrange, RunningError(exprs, symbols),
                         exprs, symbols)

    def _flatten(self, result) -> tuple[tuple[Part, ...], list]:
        """The result's arrays as Parts (labels from ``outputs``) and their flat expressions."""
        if not self.outputs:
            arr = np.asarray(result, dtype=object)
            return (Part("out", (), arr.shape),), list(arr.reshape(-1))
        if not isinstance(result, tuple) or len(result) != len(self.outputs):
            raise TypeError(f"{self.id}: build must return a tuple of {len(self.outputs)} items "
                            f"({', '.join(self.outputs)})")
        parts, exprs = [], []
        for k, (name, item) in enumerate(zip(self.outputs, result)):
            if isinstance(item, list):
                for i, a in enumerate(item):
                    a = np.asarray(a, dtype=object)
                    parts.append(Part(f"{name}[{i}]", (k, i), a.shape))
                    exprs.extend(a.reshape(-1))
            else:
                a = np.asarray(item, dtype=object)
                parts.append(Part(name, (k,), a.shape))
                exprs.extend(a.reshape(-1))
        return tuple(parts), exprs

    # --- the Oracle interface ----------------------------------------------------------

    def output_parts(self, inputs):
        return self.compiled(inputs).parts

    def output_shape(self, inputs):
        parts = self.output_parts(inputs)
        if len(parts) == 1 and not parts[0].path:
            return parts[0].shape
        return (sum(p.size for p in parts),)

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        c = self.compiled(full)
        n = len(c.deps)
        value = np.empty(n, dtype=object)
        sens = np.empty(n, dtype=object)
        with mpmath.workdps(digits()):
            xs = c.arrange(full)
            vals, jac = c.fn(*xs)
            for i in range(n):
                value[i] = mpmath.mpf(vals[i])
                sens[i] = mpmath.fsum(abs(g) * abs(xs[j]) for g, j in zip(jac[i], c.deps[i])
                                      if xs[j] != 0)
            evaluation = np.array(c.running(xs) + [0], dtype=object)[:-1]
        shape = self.output_shape(full)
        evaluation = evaluation.reshape(shape)  # of the expressions evaluated: their rounding too
        return Exact(value.reshape(shape), sens.reshape(shape), c.budget, evaluation=evaluation,
                     rounding=evaluation)

    def nan_reach(self, inputs, arg, index):
        """The outputs whose expression contains the NaN element's symbol."""
        c = self.compiled(inputs)
        j = c.position.get((arg, tuple(index)))
        mask = np.array([j is not None and j in d for d in c.deps], dtype=bool)
        return mask.reshape(self.output_shape(inputs))

    def pointwise(self, inputs, arg, index):
        full = {**self.defaults(), **inputs}
        c = self.compiled(full)
        j = c.position.get((arg, tuple(index)))
        if j is None:
            return []
        values = dict(zip(c.symbols, c.arrange(full)))
        return [(k, c.exprs[k], c.symbols[j], values) for k, d in enumerate(c.deps) if j in d]

