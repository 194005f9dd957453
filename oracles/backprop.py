"""``network.mlp_gradients``: the gradient of a small network's mean loss, by ``sympy.diff``.

The oracle writes the whole network symbolically (every layer z = a_prev @ Wᵀ + b,
a = σ(z), with the activation expressions of ``oracles/activations.py``), applies a
catalogue loss to the last activation (the terms and reductions of ``oracles/losses.py``:
the mean over all elements, or over samples of the per-sample sum for categorical
cross-entropy), and differentiates that one scalar with ``sympy.diff`` by every weight and
bias. The recursion δ^L, δ^l, δ aᵀ of the seed is nowhere in it: a property shows that the
recursion reproduces this gradient (properties/network.py).

Exactness and cost. The gradients are compiled with common subexpressions shared
(``lambdify(cse=True)``) and evaluated at 60 digits. SymPy's second derivatives of a
three-layer network take minutes to build, so the sensitivity S = Σ |∂g/∂x_j|·|x_j| of
each gradient g is taken from central differences of the exact gradient at 60 digits
(step 10⁻²⁰·|x_j|: its error is about 10⁻⁴⁰ relative). At a kink of relu (z exactly 0) a
difference across it is huge: the element is then effectively not judged, as befits a
convention; so is a kink whose computed argument lies within its rounding error of it
(``oracles/kinks.py``: the gradients containing it get infinite slack). The rounding budget counts the operations of the shared-subexpression graph
that each gradient depends on (an evaluation that shares them, as backpropagation does,
rounds that often).

NaN (``pointwise``): a gradient must be NaN only where its expression, the other inputs at
their values, still varies with the NaN element (``oracles/dependence.py``); a relu unit at
z = 0 (relu'(0) = 0) or a zero weight cuts the paths through it, and a kink within its
rounding error counts on both sides.

Networks come from a short list of architectures (``CONFIGS``), each compiled once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from mathoracle.core.compiled import lambdify
from mathoracle.core.dependence import exact
from mathoracle.core.model import Exact, Oracle, Part, digits, rounding_budget

from . import domains as d
from . import losses as L
from .kinks import Kinks
from .layers import activate, values
from .structured import symbols_like

LOSSES = {
    "mse": L.mse, "mae": L.mae, "huber": L.huber, "binary_cross_entropy": L.binary_cross_entropy,
    "categorical_cross_entropy": L.categorical_cross_entropy, "focal": L.focal,
}
# Losses of probabilities: the last activation must be sigmoid, so that a lies in (0, 1).
PROBABILITY_LOSSES = ("binary_cross_entropy", "categorical_cross_entropy", "focal")


def forward(x, weights, biases, activation):
    """The last activation of the network: a = σ(a_prev @ Wᵀ + b), layer after layer."""
    a = x
    for W, b in zip(weights, biases):
        a = activate(activation)(a @ W.T + b)
    return a


def mean_loss(loss: str, y, a):
    """The catalogue loss of (y_true = y, prediction = a), with the loss oracle's own term,
    default parameters and reduction."""
    oracle = LOSSES[loss]
    params = [sp.nsimplify(p.default) for p in oracle.params if p.numeric]
    terms = np.vectorize(lambda t, p: oracle.term(t, p, *params), otypes=[object])(y, a)
    if oracle.reduce == "mean":
        return sp.Add(*terms.reshape(-1)) / terms.size
    if oracle.reduce == "mean_of_row_sums":
        rows = terms.reshape(-1, terms.shape[-1])
        return sp.Add(*rows.reshape(-1)) / rows.shape[0]
    raise ValueError(f"loss {loss!r} reduces by {oracle.reduce!r}")


def gradients(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """(dWs, dbs): sympy.diff of the mean loss by every weight and bias."""
    f = mean_loss(loss, y, forward(x, weights, biases, activation))
    by = np.vectorize(lambda s: sp.diff(f, s), otypes=[object])
    return [by(W) for W in weights], [by(b) for b in biases]


def _dag_budget(exprs) -> list[int]:
    """Roundings of each expression when shared subexpressions are computed once: the
    operations of every CSE node it reaches, plus its own, plus one for the result."""
    replacements, reduced = sp.cse(exprs)
    cost, needs = {}, {}
    for sym, e in replacements:
        cost[sym] = rounding_budget(e) - 1
        needs[sym] = {s for s in e.free_symbols if s in cost}

    def reach(e):
        seen, todo = set(), [s for s in e.free_symbols if s in cost]
        while todo:
            s = todo.pop()
            if s not in seen:
                seen.add(s)
                todo.extend(needs[s])
        return seen
    return [rounding_budget(e) + sum(cost[s] for s in reach(e)) for e in reduced]


MAX_SIDES = 6  # kinks near 0 on the element's paths in one gradient: 2^m sides are tried


def _sides(expr, kinks, x, values):
    """``expr`` at ``values`` (all but ``x``; ``dependence.exact``), its part that contains
    ``x``, with each Piecewise condition whose lhs - rhs is one of ``kinks`` set to True or
    False, every combination of those still on x's paths; [0] (no demand) beyond MAX_SIDES."""
    rels = [r for r in expr.atoms(sp.Rel) if r.lhs - r.rhs in kinks]
    bits = {a: sp.Dummy(f"side{i}") for i, a in enumerate(sorted({r.lhs - r.rhs for r in rels},
                                                                  key=sp.default_sort_key))}
    subs = {s: e for s, v in values.items() if s is not x and (e := exact(v)) is not None}
    at = expr.xreplace({r: bits[r.lhs - r.rhs] for r in rels}).xreplace(subs)
    _, on_x = at.as_independent(x, as_Add=True)
    live = [bv for bv in bits.values() if bv in on_x.free_symbols]
    if len(live) > MAX_SIDES:
        return [sp.Integer(0)]
    return [on_x.xreplace({bv: sp.true if n >> i & 1 else sp.false for i, bv in enumerate(live)})
            for n in range(2 ** len(live))]


@dataclass
class _Network:
    fn: object                   # symbol values -> flat gradients
    symbols: list
    getters: list                # (argument, list index or None, element index)
    position: dict               # (argument, index) -> symbol number
    deps: list                   # per gradient: the symbol numbers it depends on
    parts: tuple
    budget: int
    kinks: Kinks                 # kinks whose side rounding may decide (oracles/kinks.py)
    exprs: list                  # per gradient: its SymPy expression (the NaN dependence rule)


@dataclass(eq=False)
class Backprop(Oracle):
    """The gradient of a network's mean loss; see the module docstring."""

    _cache: dict = field(default_factory=dict, repr=False)

    def _key(self, inputs):
        return (np.shape(inputs["x"]), np.shape(inputs["y"]),
                tuple(np.shape(W) for W in inputs["weights"]),
                tuple(np.shape(b) for b in inputs["biases"]), inputs["activation"], inputs["loss"])

    def network(self, inputs) -> _Network:
        full = {**self.defaults(), **inputs}
        key = self._key(full)
        if key not in self._cache:
            self._cache[key] = self._compile(full)
        return self._cache[key]

    def _compile(self, inputs) -> _Network:
        if inputs["loss"] not in LOSSES:
            raise ValueError(f"loss={inputs['loss']!r}; use one of {', '.join(LOSSES)}")
        symbols, getters, position, given = [], [], {}, {}
        for name in self.arrays:
            v = inputs[name]
            arrays = list(v) if isinstance(v, (list, tuple)) else [v]
            made = []
            for i, a in enumerate(arrays):
                item = i if isinstance(v, (list, tuple)) else None
                syms = symbols_like(f"{name}{'' if item is None else item}", np.shape(a))
                for idx in np.ndindex(np.shape(a)):
                    position[(name, ((item,) if item is not None else ()) + idx)] = len(symbols)
                    symbols.append(syms[idx])
                    getters.append((name, item, idx))
                made.append(syms)
            given[name] = made if item is not None else made[0]
        dWs, dbs = gradients(**given, activation=inputs["activation"], loss=inputs["loss"])
        exprs = [e for g in (*dWs, *dbs) for e in g.reshape(-1)]
        parts = self.output_parts(inputs)
        number = {s: j for j, s in enumerate(symbols)}
        deps = [sorted(number[s] for s in e.free_symbols if s in number) for e in exprs]
        fn = lambdify(symbols, exprs, cse=True)
        return _Network(fn, symbols, getters, position, deps, parts, max(_dag_budget(exprs)),
                        Kinks.of(exprs, symbols), exprs)

    def output_parts(self, inputs):
        """dWs[i] of W_i's shape, dbs[i] of b_i's (read from the shapes: nothing compiled)."""
        return (*(Part(f"dWs[{i}]", (0, i), np.shape(W)) for i, W in enumerate(inputs["weights"])),
                *(Part(f"dbs[{i}]", (1, i), np.shape(b)) for i, b in enumerate(inputs["biases"])))

    def output_shape(self, inputs):
        return (sum(p.size for p in self.output_parts(inputs)),)

    def exact(self, inputs):
        full = {**self.defaults(), **inputs}
        net = self.network(full)
        with mpmath.workdps(digits()):
            xs = []
            for name, item, idx in net.getters:
                v = full[name] if item is None else full[name][item]
                xs.append(mpmath.mpf(float(np.asarray(v)[idx])))
            value = np.array([mpmath.mpf(g) for g in net.fn(*xs)], dtype=object)
            sens = np.array([mpmath.mpf(0)] * len(value), dtype=object)
            for j, xj in enumerate(xs):
                if xj == 0:
                    continue  # u·|x_j| perturbs nothing
                h = abs(xj) * mpmath.mpf(10) ** -20
                up = net.fn(*xs[:j], xj + h, *xs[j + 1:])
                down = net.fn(*xs[:j], xj - h, *xs[j + 1:])
                for k in range(len(value)):
                    sens[k] += abs((up[k] - down[k]) / (2 * h)) * abs(xj)
            near = net.kinks.undetermined(xs, np.asarray(full["x"]).dtype)
            slack = np.array([mpmath.inf if n else mpmath.mpf(0) for n in near], dtype=object)
        return Exact(value, sens, net.budget, slack=slack)

    def nan_reach(self, inputs, arg, index):
        net = self.network(inputs)
        j = net.position.get((arg, tuple(index)))
        return np.array([j is not None and j in dep for dep in net.deps], dtype=bool)

    def pointwise(self, inputs, arg, index):
        """Each reached gradient's expression, for ``dependence.varies``: a path through a relu
        unit at z = 0 (relu'(0) = 0, the Piecewise's side) or through a zero weight or
        activation does not depend on the element. Where a Piecewise condition's argument lies
        within its rounding error (``Kinks.near``), either side is a correct evaluation: the
        expression is given once per side, and NaN is demanded only where every side varies
        (more than ``MAX_SIDES`` such kinks in one gradient: not demanded)."""
        full = {**self.defaults(), **inputs}
        net = self.network(full)
        j = net.position.get((arg, tuple(index)))
        if j is None:
            return []
        values, xs = {}, []
        for s, (name, item, idx) in zip(net.symbols, net.getters):
            v = full[name] if item is None else full[name][item]
            values[s] = float(np.asarray(v)[idx])
            xs.append(mpmath.mpf(values[s]))
        near = net.kinks.near(xs, np.asarray(full["x"]).dtype)
        out = []
        for k, dep in enumerate(net.deps):
            if j in dep:
                near_k = [net.kinks.args[i] for i in net.kinks.of_output[k] if i in near]
                for expr in _sides(net.exprs[k], near_k, net.symbols[j], values):
                    out.append((k, expr, net.symbols[j], values))
        return out


# --- domain -----------------------------------------------------------------------------

# (layer sizes in → ... → out, batch, activation, loss): every activation and loss of the
# catalogue, one to three layers, each compiled once (about a second each). Every loss reduced
# by the mean over all elements also has a multi-unit output layer with batch ≥ 2, where that
# mean (÷ batch·units) differs from a mean over the batch of per-sample sums (÷ batch).
CONFIGS = (
    ((2, 1), 2, "sigmoid", "mse"),
    ((2, 2, 1), 2, "sigmoid", "binary_cross_entropy"),
    ((2, 2, 1), 2, "tanh", "mse"),
    ((1, 2, 1, 1), 2, "relu", "mse"),
    ((2, 2, 2), 2, "sigmoid", "categorical_cross_entropy"),
    ((1, 2, 1), 2, "leaky_relu", "huber"),
    ((2, 2, 1), 2, "identity", "mse"),
    ((1, 2, 1, 1), 1, "tanh", "mae"),
    ((2, 1, 1), 2, "sigmoid", "focal"),
    ((2, 2, 2, 1), 2, "sigmoid", "mse"),
    ((2, 2), 2, "identity", "mse"),
    ((1, 2, 2), 2, "sigmoid", "binary_cross_entropy"),
    ((2, 3), 2, "tanh", "mae"),
    ((1, 2), 3, "leaky_relu", "huber"),
    ((2, 2), 2, "sigmoid", "focal"),
)
MULTI_UNIT_MEAN = "multi-unit output, mean over all elements"


def multi_unit_mean(inputs) -> bool:
    """A loss averaged over all elements of a (batch ≥ 2, units ≥ 2) output."""
    y = np.shape(inputs["y"])
    return LOSSES[inputs["loss"]].reduce == "mean" and y[0] >= 2 and y[-1] >= 2

# Inputs in [-2, 2], weights and biases in [-1, 1], nonzero magnitudes at least 2^-6: a relu
# unit whose exact z is a product that underflows (2.5e-324 > 0, or 1e-76 in float32) would be
# flushed to 0 and flip its derivative, a difference of rounding, not of the formula.
X_BOUND, W_BOUND, LEAST = 2.0, 1.0, 2.0 ** -6


def labels(draw, dtype, loss, shape, edges_only):
    if loss in ("binary_cross_entropy", "focal"):
        return draw(d_arrays(dtype, shape, st.sampled_from([0.0, 1.0])))
    if loss == "categorical_cross_entropy":
        idx = draw(st.lists(st.integers(0, shape[-1] - 1), min_size=shape[0], max_size=shape[0]))
        return np.eye(shape[-1], dtype=dtype)[idx]
    return draw(d_arrays(dtype, shape, values(dtype, 1.0, edges_only, LEAST)))


def d_arrays(dtype, shape, elems):
    return d.arrays(dtype, elems, shape=st.just(shape))


@st.composite
def networks(draw, dtype, edges_only=False, configs=CONFIGS):
    """x, y, weights, biases of one of ``configs``, with its activation and loss."""
    sizes, batch, act, loss = draw(st.sampled_from(configs))
    w = values(dtype, W_BOUND, edges_only, LEAST)
    weights = [draw(d_arrays(dtype, (o, i), w)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [draw(d_arrays(dtype, (o,), w)) for o in sizes[1:]]
    return {"x": draw(d_arrays(dtype, (batch, sizes[0]), values(dtype, X_BOUND, edges_only, LEAST))),
            "y": labels(draw, dtype, loss, (batch, sizes[-1]), edges_only),
            "weights": weights, "biases": biases, "activation": act, "loss": loss}


def probe(dtype):
    return {"x": np.array([[0.5, -1.0], [1.5, 0.25]], dtype), "y": np.array([[1.0], [0.0]], dtype),
            "weights": [np.array([[0.5, -0.25], [1.0, 0.75]], dtype), np.array([[-0.5, 1.0]], dtype)],
            "biases": [np.array([0.1, -0.2], dtype), np.array([0.3], dtype)],
            "activation": "sigmoid", "loss": "binary_cross_entropy"}
