"""``network.mlp_gradients::linear_cost``: backpropagation costs O(number of weights).

The seed: "computes gradients for ALL weights in one forward + backward pass; time
complexity O(n) where n is the number of weights". The property counts operations, it
does not time them: the implementation is called on networks of widths 2, 4, 8, 16 (one
hidden layer, so 12 to 544 weights) and the scalar multiplications and divisions it
performs are counted,

- in NumPy, through ``Counted``, an ndarray subclass whose ``__array_ufunc__`` and
  ``__array_function__`` count the multiplications of multiply, divide, matmul, dot, ...
  (arguments are handed to the target as given, so a subclass reaches it);
- in torch, by ``torch.utils.flop_counter.FlopCounterMode`` (the multiplications of its
  matrix products: flops / 2).

A target whose multiplications cannot be counted (it converts with ``np.asarray``, which
drops the subclass, and does not use torch) makes the property not applicable, not failed.

It holds when the cost per weight at the widest network is at most twice that at the
narrowest: a linear algorithm's cost per weight is constant (falling, with per-layer
overheads), while differentiating weight by weight (finite or complex-step differences,
one forward pass per weight) costs O(n²), 45 times more per weight over this ladder.
"""
from __future__ import annotations

import sys

import numpy as np
from hypothesis import strategies as st

from mathoracle.core.laws import CannotMeasure, Falsified, Property, signature_call

_MULTIPLY = {np.multiply, np.divide, np.true_divide, np.reciprocal, np.square, np.power}
_count = [0]


def _plain(x):
    return x.view(np.ndarray) if isinstance(x, Counted) else x


class Counted(np.ndarray):
    """A float array that counts the scalar multiplications done with it."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        args = [_plain(x) for x in inputs]
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*args, **kwargs)
        if ufunc is np.matmul and method == "__call__":
            _count[0] += int(np.size(result)) * int(np.shape(args[0])[-1])
        elif ufunc in _MULTIPLY:
            _count[0] += int(np.size(result))
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        plain = tuple(_plain(a) if not isinstance(a, (list, tuple)) else type(a)(map(_plain, a))
                      for a in args)
        result = func(*plain, **kwargs)
        if func in (np.dot, np.inner, np.tensordot, np.vdot, np.outer, np.einsum):
            first = plain[1] if func is np.einsum else plain[0]
            _count[0] += int(np.size(result)) * max(1, int(np.shape(first)[-1]) if np.ndim(first) else 1)
        return _wrap(result)


def _wrap(x):
    if isinstance(x, np.ndarray) and x.dtype.kind in "fc" and not isinstance(x, Counted):
        return x.view(Counted)
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    return x


def counted_call(case, inputs) -> int:
    """Multiplications one call makes (NumPy through Counted, torch through FlopCounterMode)."""
    wrapped = {k: ([a.view(Counted) for a in v] if isinstance(v, list) else
                   v.view(Counted) if isinstance(v, np.ndarray) else v) for k, v in inputs.items()}
    _count[0] = 0
    torch_mults = 0
    if "torch" in sys.modules:
        from torch.utils.flop_counter import FlopCounterMode
        with FlopCounterMode(display=False) as flops:
            case.call("network.mlp_gradients", wrapped)
        torch_mults = flops.get_total_flops() // 2
    else:
        case.call("network.mlp_gradients", wrapped)
    return _count[0] + torch_mults


WIDTHS = (2, 4, 8, 16)
PAIRS = [("sigmoid", "binary_cross_entropy"), ("identity", "mse"), ("tanh", "mse"), ("relu", "mse")]


@st.composite
def ladders(draw, oracle, dtype):
    """One activation and loss, and a seed for the values of every network of the ladder."""
    act, loss = draw(st.sampled_from(PAIRS))
    return {"inputs": {"activation": act, "loss": loss}, "seed": draw(st.integers(0, 2 ** 32 - 1))}


def network_of_width(width, act, loss, dtype, rng, batch=2):
    """in = hidden = width, one output; weights in [-1, 1], inputs in [-2, 2]."""
    sizes = (width, width, 1)
    y = (rng.integers(0, 2, (batch, 1)) if loss == "binary_cross_entropy"
         else rng.uniform(-1, 1, (batch, 1))).astype(dtype)
    return {"x": rng.uniform(-2, 2, (batch, width)).astype(dtype), "y": y,
            "weights": [rng.uniform(-1, 1, (o, i)).astype(dtype) for i, o in zip(sizes[:-1], sizes[1:])],
            "biases": [rng.uniform(-1, 1, (o,)).astype(dtype) for o in sizes[1:]],
            "activation": act, "loss": loss}


def _linear_cost(case, ex):
    rng = np.random.default_rng(ex.get("seed", 0))
    act, loss = ex["inputs"]["activation"], ex["inputs"]["loss"]
    costs = []
    for width in WIDTHS:
        net = network_of_width(width, act, loss, case.dtype, rng)
        n = sum(a.size for a in (*net["weights"], *net["biases"]))
        costs.append((width, n, counted_call(case, net), net))
    call = signature_call(case.oracle, costs[-1][3])
    if not all(c for _, _, c, _ in costs):
        raise CannotMeasure("no multiplication could be counted: the implementation computes "
                            "outside the arrays handed to it (np.asarray drops the counting "
                            "subclass) and outside torch")
    first, last = costs[0], costs[-1]
    per_first, per_last = first[2] / first[1], last[2] / last[1]
    if per_last > 2 * per_first:
        ladder = ", ".join(f"{n} weights: {c}" for _, n, c, _ in costs)
        raise Falsified(f"the cost per weight grows from {per_first:.3g} to {per_last:.3g} "
                        f"multiplications ({ladder}), not O(number of weights) [{call}]",
                        call=call, inputs=ex["inputs"])


linear_cost = Property(
    "network.mlp_gradients", "linear_cost",
    "the multiplications counted grow linearly with the number of weights (the seed's O(n))",
    _linear_cost, ladders)
