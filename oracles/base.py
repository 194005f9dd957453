"""The oracle model: a SymPy formula, evaluated exactly enough, with its error model.

An oracle answers two questions for a concrete input (a dict of NumPy arrays and
parameters): the exact value of every output element (mpmath, ``DIGITS`` significant
digits) and the formula's *sensitivity* there, S = Σ_i |∂f/∂x_i|·|x_i| over every input
element and numeric parameter, with the derivatives taken by ``sympy.diff``. The
accuracy verdict (``mathoracle.accuracy``) turns S into the error an implementation is
allowed.

Three shapes of formula cover the catalogue so far:

- ``Elementwise``: f(z; params) applied to every element.
- ``Reduction``:   a per-element term t(x, y; params), summed or averaged.
- ``Vector``:      a formula of a whole slice along an axis (softmax), built for each
                   slice length n and cached.

Every compiled function is built on first use and cached on the oracle (``lambdify``
once, never ``subs``/``evalf`` per element); importing an oracle module compiles nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

DIGITS = 60  # working precision of every exact evaluation (≥ 50 digits, as designed)


@dataclass(frozen=True)
class Param:
    """A keyword parameter of the canonical signature."""

    name: str
    default: Any
    numeric: bool = True  # numeric parameters count in the sensitivity


@dataclass(frozen=True)
class ErrorModel:
    """How an oracle's output is judged.

    ``relative``: the error is measured against the exact value's own ulp (values that
    feed a logarithm: a probability of 4e-18 returned as 0 is wrong).
    ``mixed``: an absolute floor of u·scale is added, the formula's natural scale, where
    libraries soundly trade tail accuracy (1 - tanh² near saturation).
    """

    kind: str = "relative"
    scale: float = 0.0

    @staticmethod
    def mixed(scale: float) -> "ErrorModel":
        return ErrorModel("mixed", scale)

    def describe(self) -> str:
        return "relative" if self.kind == "relative" else f"mixed (absolute floor u·{self.scale:g})"


@dataclass
class Exact:
    """The oracle's answer for one input: exact values, sensitivities, rounding budget."""

    value: np.ndarray        # object array of mpf, the output's shape
    sensitivity: np.ndarray  # object array of mpf, same shape: Σ |∂f/∂x_i|·|x_i|
    budget: int              # roundings an evaluation of the formula makes (see accuracy.py)


def mpf_array(a: np.ndarray) -> np.ndarray:
    """Exact conversion of a float array to an object array of mpf."""
    a = np.asarray(a)
    out = np.empty(a.shape, dtype=object)
    flat = out.reshape(-1)
    for i, x in enumerate(a.reshape(-1).tolist()):
        flat[i] = mpmath.mpf(x)
    return out


# An elementary function (exp, log, tanh, ...) is not correctly rounded by the common libms:
# it counts as this many roundings (2.5 ulp). Measured here: NumPy's float32 exp 2.16 ulp,
# cosh 1.99, log 1.89 (20 000 random arguments each); float64 ones stay under 1.2.
ELEMENTARY_ROUNDINGS = 5
_ELEMENTARY = {"EXP", "LOG", "LOG1P", "TANH", "COSH", "SINH", "SIN", "COS", "POW", "SQRT"}


def rounding_budget(expr) -> int:
    """Roundings an evaluation of ``expr`` makes: one per arithmetic operation, five per
    elementary function, and one for the final result."""
    counted = sp.count_ops(expr, visual=True)
    total = 1
    for term in sp.Add.make_args(counted):
        coeff, name = term.as_coeff_Mul()
        if name == 0 or coeff == 0:
            continue
        weight = ELEMENTARY_ROUNDINGS if str(name) in _ELEMENTARY else 1
        total += int(coeff) * weight
    return total


def _lambdify(args, exprs, cse=False):
    """Compile to mpmath. No CSE for piecewise terms: it would hoist a guarded p/q out of
    its Piecewise branch and divide by zero."""
    return sp.lambdify(args, exprs, modules="mpmath", cse=cse)


def _sensitivity(grads, values) -> mpmath.mpf:
    """Σ |∂f/∂x|·|x|; an input that is 0 contributes nothing (u·|x| perturbs it by 0)."""
    return mpmath.fsum(abs(g) * abs(v) for g, v in zip(grads, values) if v != 0)


@dataclass(eq=False)
class Oracle:
    """One catalogue formula. Subclasses say how the SymPy expression maps onto arrays."""

    id: str
    signature: str
    formula: str
    seed: str                       # the seed section it comes from
    arrays: tuple[str, ...]         # positional array arguments, in order
    params: tuple[Param, ...] = ()
    error: ErrorModel = field(default_factory=ErrorModel)
    domain: Callable[..., Any] | None = None   # (dtype, params_accepted) -> strategy of kwargs
    edges: Callable[..., Any] | None = None    # the same, drawing only edge values
    probe: Callable[[np.dtype], dict] | None = None  # one small valid input per dtype
    propagates_nan: bool = True
    note: str = ""                  # where the seed is wrong or silent, or a convention
    # The textbook form, when the expression evaluated is a cancellation-free rewrite of it
    # (log1p(-p) for log(1-p), sech² for 1 - tanh²). Same arguments; tests prove them equal.
    textbook: Callable[..., sp.Expr] | None = None

    @property
    def section(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def exact(self, inputs: Mapping[str, Any]) -> Exact:  # pragma: no cover - abstract
        raise NotImplementedError

    def output_shape(self, inputs: Mapping[str, Any]) -> tuple[int, ...]:  # pragma: no cover
        raise NotImplementedError

    def nan_mask(self, inputs: Mapping[str, Any], arg: str, index: tuple) -> np.ndarray:
        """Which outputs must be NaN when ``inputs[arg][index]`` is NaN."""
        raise NotImplementedError  # pragma: no cover


def _numeric_params(oracle: Oracle) -> list[Param]:
    return [p for p in oracle.params if p.numeric]


@dataclass(eq=False)
class Elementwise(Oracle):
    """f(z; params) applied to each element of the one array argument."""

    expr: Callable[..., sp.Expr] | None = None  # (z, *param_symbols) -> expression

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
        grads = [sp.diff(f, s) for s in (z, *ps)]
        return _lambdify((z, *ps), [f, *grads]), rounding_budget(f)

    def exact(self, inputs):
        fn, budget = self._compiled
        z = np.asarray(inputs[self.arrays[0]])
        pvals = [mpmath.mpf(float(inputs[p.name])) for p in _numeric_params(self)]
        value = np.empty(z.shape, dtype=object)
        sens = np.empty(z.shape, dtype=object)
        with mpmath.workdps(DIGITS):
            for idx, x in np.ndenumerate(z):
                xm = mpmath.mpf(float(x))
                f, *g = fn(xm, *pvals)
                value[idx] = mpmath.mpf(f)
                sens[idx] = _sensitivity(g, (xm, *pvals))
        return Exact(value, sens, budget)

    def output_shape(self, inputs):
        return np.shape(inputs[self.arrays[0]])

    def nan_mask(self, inputs, arg, index):
        mask = np.zeros(self.output_shape(inputs), dtype=bool)
        mask[index] = True
        return mask


@dataclass(eq=False)
class Reduction(Oracle):
    """A per-element term t(a, b, ...; params), reduced.

    ``reduce``: ``"mean"`` over all elements (a scalar), ``"sum_last"`` over the last axis
    (shape[:-1]), or ``"mean_of_row_sums"`` (sum over the last axis, mean over the rest).
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
        grads = [sp.diff(t, s) for s in (*xs, *ps)]
        return _lambdify((*xs, *ps), [t, *grads]), rounding_budget(t)

    def exact(self, inputs):
        fn, term_ops = self._compiled
        arrs = [np.asarray(inputs[a]) for a in self.arrays]
        pvals = [mpmath.mpf(float(inputs[p.name])) for p in _numeric_params(self)]
        shape = arrs[0].shape
        terms = np.empty(shape, dtype=object)
        sens = np.empty(shape, dtype=object)
        with mpmath.workdps(DIGITS):
            for idx in np.ndindex(shape):
                xs = [mpmath.mpf(float(a[idx])) for a in arrs]
                t, *g = fn(*xs, *pvals)
                terms[idx] = mpmath.mpf(t)
                sens[idx] = _sensitivity(g, (*xs, *pvals))
            value, sensitivity, count = self._reduce(terms), self._reduce(sens), self._count(shape)
        return Exact(value, sensitivity, term_ops + count + 1)

    def _count(self, shape) -> int:
        if self.reduce == "sum_last":
            return shape[-1] if shape else 1
        return int(np.prod(shape, dtype=int))

    def _reduce(self, a: np.ndarray) -> np.ndarray:
        if self.reduce == "mean":
            return np.array(mpmath.fsum(a.reshape(-1).tolist()) / max(a.size, 1), dtype=object)
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

    def nan_mask(self, inputs, arg, index):
        shape = self.output_shape(inputs)
        mask = np.zeros(shape, dtype=bool)
        if self.reduce == "sum_last":
            mask[index[:-1]] = True
        else:
            mask[...] = True
        return mask


@dataclass(eq=False)
class Vector(Oracle):
    """A formula of each whole slice along ``axis`` (one array argument).

    ``build(n)`` returns (symbols z_0..z_{n-1}, output expressions); the compiled value and
    Jacobian are cached per n.
    """

    build: Callable[[int], tuple[Sequence[sp.Symbol], Sequence[sp.Expr]]] | None = None
    axis_param: str = "axis"

    def _compiled(self, n: int):
        return _compile_vector(self, n)

    def exact(self, inputs):
        z = np.asarray(inputs[self.arrays[0]])
        axis = int(inputs.get(self.axis_param, -1))
        moved = np.moveaxis(z, axis, -1)
        n = moved.shape[-1]
        fn, budget = self._compiled(n)
        value = np.empty(moved.shape, dtype=object)
        sens = np.empty(moved.shape, dtype=object)
        with mpmath.workdps(DIGITS):
            for idx in np.ndindex(moved.shape[:-1]):
                xs = [mpmath.mpf(float(x)) for x in moved[idx]]
                vals, jac = fn(*xs)
                absx = [abs(x) for x in xs]
                for i in range(n):
                    value[idx + (i,)] = mpmath.mpf(vals[i])
                    sens[idx + (i,)] = mpmath.fsum(abs(jac[i][j]) * absx[j] for j in range(n))
        return Exact(np.moveaxis(value, -1, axis), np.moveaxis(sens, -1, axis), budget)

    def output_shape(self, inputs):
        return np.shape(inputs[self.arrays[0]])

    def nan_mask(self, inputs, arg, index):
        shape = self.output_shape(inputs)
        axis = int(inputs.get(self.axis_param, -1)) % len(shape)
        mask = np.zeros(shape, dtype=bool)
        sl = list(index)
        sl[axis] = slice(None)
        mask[tuple(sl)] = True
        return mask


@lru_cache(maxsize=None)
def _compile_vector(oracle: Vector, n: int):
    zs, outs = oracle.build(n)
    jac = [[sp.diff(o, z) for z in zs] for o in outs]
    fn = _lambdify(zs, [list(outs), jac], cse=True)
    budget = max(rounding_budget(o) for o in outs)
    return (lambda *xs: fn(*xs)), budget
