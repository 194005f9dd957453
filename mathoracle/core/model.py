"""The oracle model: a SymPy formula, evaluated exactly enough, with its error model.

An oracle answers two questions for a concrete input (a dict of NumPy arrays and
parameters): the exact value of every output element (mpmath, ``digits()`` significant
digits, verified by a second precision: ``verify.py``) and the formula's *sensitivity*
there, S = Σ_i |∂f/∂x_i|·|x_i| over every input element and numeric parameter, with the
derivatives taken by ``sympy.diff``. The accuracy verdict (``mathoracle.core.accuracy``)
turns S into the error an implementation is allowed.

``shapes.py`` says how a SymPy expression maps onto arrays (elementwise, reduced, or a
formula of a whole slice).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import mpmath
import numpy as np
import sympy as sp

from .dependence import varies
from .memo import remembered
from .precision import DIGITS, digits  # noqa: F401  (the oracles' working precision)
from .verify import verified


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


@dataclass(frozen=True)
class Part:
    """One array of what a call returns: ``label`` names it in messages ("out", "dW",
    "dWs[1]"), ``path`` locates it in the returned value (() for a lone array, (k,) for the
    k-th item of a tuple, (k, i) for the i-th array of a list in the k-th item)."""

    label: str
    path: tuple[int, ...]
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=int))


@dataclass
class Exact:
    """The oracle's answer for one input: exact values, sensitivities, rounding budget."""

    value: np.ndarray        # object array of mpf, the output's shape
    sensitivity: np.ndarray  # object array of mpf, same shape: Σ |∂f/∂x_i|·|x_i|
    budget: int              # roundings an evaluation of the formula makes (see accuracy.py)
    # An absolute allowance on top of the rounding model, the same in every dtype: the error
    # an algorithm's own stopping rule permits (value iteration's tol·γ/(1-γ)). 0 or per element.
    slack: Any = 0
    # E of the formula's textbook evaluation (oracles/rounding.py): u·E more error is allowed,
    # what evaluating the formula as written, operation by operation, may cost. 0 or per element.
    evaluation: Any = 0
    # E of the expression the oracle itself evaluated, where it knows it: its error at the
    # working precision is at most E·10^-digits() (``verify`` asks for that to be small).
    rounding: Any = None


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
_ELEMENTARY = {"EXP", "EXPM1", "LOG", "LOG1P", "TANH", "COSH", "SINH", "SIN", "COS", "POW",
               "SQRT", "ERF", "ERFC"}


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


def reused(build: Callable) -> Callable:
    """``build(dtype, ...)`` (a domain: it returns a Hypothesis strategy) remembered per
    arguments. A strategy is immutable and may be drawn from any number of times; one built
    once is validated once, where one built inside every draw is validated every time."""
    built: dict = {}

    def strategy(*args, **kwargs):
        try:
            key = (args, tuple(sorted(kwargs.items())))
            hash(key)
        except TypeError:  # an unhashable argument: built afresh
            return build(*args, **kwargs)
        if key not in built:
            built[key] = build(*args, **kwargs)
        return built[key]
    strategy.reused = True
    return strategy


def _check_signature(oracle) -> None:
    """The signature must name the arrays, then the parameters with their defaults, in order
    (what it returns may follow an arrow); ValueError says how it differs."""
    want = [*((a, None) for a in oracle.arrays), *((p.name, p.default) for p in oracle.params)]
    try:
        call = ast.parse(oracle.signature.split("→")[0].strip(), mode="eval").body
        got = [*((ast.unparse(a), None) for a in call.args),
               *((k.arg, ast.literal_eval(k.value)) for k in call.keywords)]
        same = call.func.id == oracle.name and got == want
    except (SyntaxError, ValueError, AttributeError):  # not a call of a plain name
        same = False
    if not same:
        shown = ", ".join(n if d is None else f"{n}={d!r}" for n, d in want)
        raise ValueError(f"{oracle.id}: signature={oracle.signature!r} does not match its arguments; "
                         f"write {oracle.name}({shown})")


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
    # Arguments whose domain is a finite set of values that select (dropout's 0/1 mask): a NaN
    # there is outside the domain, not an input the NaN contract speaks of.
    selectors: tuple[str, ...] = ()
    note: str = ""                  # where the seed is wrong or silent, or a convention
    # The textbook form, when the expression evaluated is a cancellation-free rewrite of it
    # (log1p(-p) for log(1-p), sech² for 1 - tanh²). Same arguments; tests prove them equal.
    textbook: Callable[..., sp.Expr] | None = None
    # Array arguments the gradient property differentiates by (autograd against sympy.diff),
    # and how the gradient is judged: a mixed model's floor counts per unit of cotangent.
    wrt: tuple[str, ...] = ()
    grad_error: ErrorModel = field(default_factory=ErrorModel)
    # Names of the items of a tuple result, in order ((z, a), (dW, db)); () for one array.
    # A multi-output oracle's outputs are judged as one flat vector (``output_parts`` order).
    outputs: tuple[str, ...] = ()
    # No floating-point input (positional_encoding(num_positions, d_model)): the output is
    # judged at the precision of the float dtype the target returns.
    float_free: bool = False
    # A whole-number result (a count: PCA's choose_k). An integer return value is taken as a
    # float of the judged dtype; with sensitivity 0 the agreement check wants it exactly.
    integer: bool = False

    def __post_init__(self):
        _check_signature(self)
        for name in ("domain", "edges"):  # a strategy is built once per dtype, not per draw
            fn = getattr(self, name)
            if fn is not None and not getattr(fn, "reused", False):
                setattr(self, name, reused(fn))

    def __init_subclass__(cls, **kwargs):
        """A subclass's ``exact`` and ``vjp`` are verified at two precisions (``verify``) and
        answer a repeated input from the process's cache (``memo``): implementations and laws
        that meet an input again share the answer."""
        super().__init_subclass__(**kwargs)
        for name in ("exact", "vjp"):
            if name in cls.__dict__ and not getattr(cls.__dict__[name], "remembered", False):
                setattr(cls, name, remembered(verified(cls.__dict__[name])))

    def align(self, inputs: Mapping[str, Any], got: np.ndarray, exact: "Exact") -> np.ndarray:
        """``got`` made comparable with ``exact.value`` where the formula fixes the result only
        up to a convention (an eigenvector's sign). The identity unless an oracle says otherwise."""
        return got

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

    def output_parts(self, inputs: Mapping[str, Any]) -> tuple[Part, ...]:
        """The arrays a call returns, in order. One array by default; a multi-output oracle
        (``outputs``) lists each, and its ``output_shape`` is then the flat (total size,)."""
        return (Part("out", (), tuple(self.output_shape(inputs))),)

    def locate(self, inputs: Mapping[str, Any], index: tuple) -> str:
        """Where ``index`` of the (flat, for several outputs) output lies: "out[0, 2]", "dWs[1][0, 2]"."""
        parts = self.output_parts(inputs)
        if len(parts) == 1 and not parts[0].path:
            return f"out{list(index) if index else ''}"
        flat = int(index[0]) if index else 0
        for part in parts:
            if flat < part.size:
                local = np.unravel_index(flat, part.shape) if part.shape else ()
                return f"{part.label}{[int(i) for i in local] if part.shape else ''}"
            flat -= part.size
        return f"out{list(index)}"

    def nan_reach(self, inputs: Mapping[str, Any], arg: str, index: tuple) -> np.ndarray:
        """Which outputs the formula reaches from ``inputs[arg][index]`` (structurally): the
        only ones that may be NaN when that element is NaN."""
        raise NotImplementedError  # pragma: no cover

    def pointwise(self, inputs: Mapping[str, Any], arg: str, index: tuple):
        """For reached outputs: (flat output index, SymPy expression, the element's symbol,
        {symbol: value} of the other inputs), or None where the oracle has no expression
        (then every reached output must be NaN)."""
        return None

    def nan_mask(self, inputs: Mapping[str, Any], arg: str, index: tuple) -> np.ndarray:
        """Which outputs must be NaN when ``inputs[arg][index]`` is NaN: those reached whose
        expression, the other inputs at their values, still varies with it
        (``dependence.varies``). Where an exact zero multiplies it, NaN and the finite value
        both pass."""
        mask = np.array(self.nan_reach(inputs, arg, index), dtype=bool)
        flat = mask.reshape(-1)
        for k, expr, x, values in self.pointwise(inputs, arg, index) or ():
            if flat[k] and not varies(expr, x, values):
                flat[k] = False
        return mask

    def vjp(self, inputs: Mapping[str, Any], cotangent: np.ndarray) -> dict[str, Exact]:
        """The exact gradient of Σ cotangent·f(inputs) by each array of ``wrt``.

        Its sensitivity counts a relative perturbation of every input element and of every
        cotangent element (in backpropagation the cotangent is itself computed), plus
        ``grad_error.scale``·|cotangent| where the gradient is judged mixed."""
        raise NotImplementedError  # pragma: no cover


def _numeric_params(oracle: Oracle) -> list[Param]:
    return [p for p in oracle.params if p.numeric]
