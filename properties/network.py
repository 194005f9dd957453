"""Laws of forward and backward propagation (seed: "Neural Network Math").

- ``linear::rows_independent``: batch first, each sample's z depends on its own row only.
- ``dense_forward::a_is_activation_of_z``: a = σ(z) for the implementation's own z.
- ``output_delta::linear_in_gradient``: δ(c·∇_a L) = c·δ(∇_a L), as the chain rule is linear.
- ``hidden_delta::backprop_recursion``: the seed's recursion, run through the
  implementation's own dense_forward, output_delta, hidden_delta and layer_gradients,
  reproduces the end-to-end gradient of ``network.mlp_gradients`` (sympy.diff of the whole
  network's loss) to within the error that oracle allows.
- ``layer_gradients::sums_over_batch``: the gradients of a batch repeated twice are twice
  the batch's (a sum over samples, not a mean).
- ``mlp_gradients::linear_cost`` (properties/backprop_cost.py): the multiplications counted
  grow linearly with the number of weights.
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from mathoracle.core.laws import Property, domain_examples, expect_within, signature_call
from mathoracle.core.model import DIGITS, ErrorModel, mpf_array
from mathoracle.oracles import backprop as B
from mathoracle.oracles.structured import symbols_like

from .backprop_cost import linear_cost
from .contracts import _judged


def _exactly(case, got, terms, bound, what, oracle_id, inputs):
    """|got - Σ coef·other| within ``bound`` (object arrays of mpf), computed exactly."""
    with mpmath.workdps(DIGITS):
        diff = mpf_array(got)
        for coef, arr in terms:
            diff = diff - mpmath.mpf(coef) * mpf_array(arr)
    expect_within(diff, bound, what, signature_call(case.oracles[oracle_id], inputs), inputs)


def _rows_independent(case, ex):
    x = ex["inputs"]
    full = case.call("network.linear", x)
    for i in range(x["a_prev"].shape[0]):
        row = {**x, "a_prev": x["a_prev"][i:i + 1]}
        with mpmath.workdps(DIGITS):
            bound = case.allowed("network.linear", x)[i:i + 1] + case.allowed("network.linear", row)
        _exactly(case, case.call("network.linear", row), [(1, full[i:i + 1])], bound,
                 f"row {i} alone should give row {i} of the batch", "network.linear", row)


# the activation oracle of each name (identity: a = z exactly)
_ACTIVATION_IDS = {"sigmoid": "activation.sigmoid", "tanh": "activation.tanh",
                   "relu": "activation.relu", "leaky_relu": "activation.leaky_relu"}


def _a_is_activation_of_z(case, ex):
    x = ex["inputs"]
    parts = case.parts("network.dense_forward", x)
    z, a = parts["z"], parts["a"]
    name = x.get("activation", "sigmoid")
    if name == "identity":
        exact, bound = mpf_array(z), np.zeros(z.shape, dtype=object)
    else:
        oid = _ACTIVATION_IDS[name]
        exact = case.exact(oid, {"z": z}).value
        bound = case.allowed(oid, {"z": z})
    with mpmath.workdps(DIGITS):
        diff = mpf_array(a) - exact
    expect_within(diff, bound, f"a should be {name}(z) of this implementation's own z",
                  signature_call(case.oracle, x), x)


def _linear_in_gradient(case, ex):
    x = ex["inputs"]
    scaled = {**x, "grad_a": (x["grad_a"] * -2).astype(x["grad_a"].dtype)}
    with mpmath.workdps(DIGITS):
        bound = case.allowed("network.output_delta", scaled) + 2 * case.allowed("network.output_delta", x)
    _exactly(case, case.call("network.output_delta", scaled), [(-2, case.call("network.output_delta", x))],
             bound, "δ(-2·∇_a L) should be -2·δ(∇_a L)", "network.output_delta", scaled)


def _sums_over_batch(case, ex):
    x = ex["inputs"]
    doubled = {k: np.concatenate([v, v], axis=0) for k, v in x.items()}
    got, once = case.parts("network.layer_gradients", doubled), case.parts("network.layer_gradients", x)
    allowed2 = case.allowed("network.layer_gradients", doubled)
    allowed1 = case.allowed("network.layer_gradients", x)
    flat = np.concatenate([got["dW"].reshape(-1), got["db"].reshape(-1)])
    flat1 = np.concatenate([once["dW"].reshape(-1), once["db"].reshape(-1)])
    with mpmath.workdps(DIGITS):
        bound = allowed2.reshape(-1) + 2 * allowed1.reshape(-1)
    _exactly(case, flat, [(2, flat1)], bound,
             "the gradients of the batch repeated twice should be twice the batch's",
             "network.layer_gradients", doubled)


# --- the recursion against the end-to-end gradient ----------------------------------------

@lru_cache(maxsize=None)
def _loss_gradient(loss: str, shape: tuple):
    """∂(mean loss)/∂a of the catalogue loss (sympy.diff), compiled for one shape."""
    y, a = symbols_like("y", shape), symbols_like("a", shape)
    f = B.mean_loss(loss, y, a)
    grads = [sp.diff(f, s) for s in a.reshape(-1)]
    return sp.lambdify([*y.reshape(-1), *a.reshape(-1)], grads, modules="mpmath")


def loss_gradient(loss: str, y: np.ndarray, a: np.ndarray) -> np.ndarray:
    """∇_a L at (y, a), exact, rounded once to a's dtype."""
    fn = _loss_gradient(loss, tuple(a.shape))
    with mpmath.workdps(DIGITS):
        vals = fn(*[mpmath.mpf(float(v)) for v in (*y.reshape(-1), *a.reshape(-1))])
        out = np.array([float(v) for v in vals])
    with np.errstate(over="ignore", under="ignore"):
        return out.reshape(a.shape).astype(a.dtype)


_DEEP = tuple(c for c in B.CONFIGS if len(c[0]) >= 3)  # networks with a hidden layer


def _networks(oracle, dtype):
    return B.networks(dtype, configs=_DEEP).map(lambda inputs: {"inputs": inputs})


def _backprop_recursion(case, ex):
    net = ex["inputs"]
    act, loss = net["activation"], net["loss"]
    acts, zs = [net["x"]], []
    for W, b in zip(net["weights"], net["biases"]):
        parts = case.parts("network.dense_forward", {"a_prev": acts[-1], "W": W, "b": b,
                                                     "activation": act})
        zs.append(parts["z"])
        acts.append(parts["a"])
    grad_a = loss_gradient(loss, net["y"], acts[-1])
    delta = case.call("network.output_delta", {"grad_a": grad_a, "z": zs[-1], "activation": act})
    delta = delta.reshape(zs[-1].shape)
    dWs, dbs = [None] * len(zs), [None] * len(zs)
    for layer in range(len(zs) - 1, -1, -1):
        got = case.parts("network.layer_gradients", {"delta": delta, "a_prev": acts[layer]})
        dWs[layer], dbs[layer] = got["dW"], got["db"]
        if layer:
            delta = case.call("network.hidden_delta", {"W_next": net["weights"][layer],
                                                       "delta_next": delta, "z": zs[layer - 1],
                                                       "activation": act}).reshape(zs[layer - 1].shape)
    flat = np.concatenate([g.reshape(-1) for g in (*dWs, *dbs)])
    call = (f"the recursion through dense_forward, output_delta, hidden_delta, layer_gradients, "
            f"against {signature_call(case.oracles['network.mlp_gradients'], net)}")
    _judged(case, flat, case.exact("network.mlp_gradients", net), ErrorModel(), "recursion", call, net)


_NEEDS = ("network.dense_forward", "network.output_delta", "network.layer_gradients")

PROPERTIES = (
    Property("network.linear", "rows_independent", "each sample's z depends on its own row only",
             _rows_independent, domain_examples),
    Property("network.dense_forward", "a_is_activation_of_z", "a = σ(z) for its own z",
             _a_is_activation_of_z, domain_examples),
    Property("network.output_delta", "linear_in_gradient", "δ(c·∇_a L) = c·δ(∇_a L)",
             _linear_in_gradient, domain_examples),
    Property("network.hidden_delta", "backprop_recursion",
             "the seed's recursion reproduces sympy.diff of the whole network's mean loss",
             _backprop_recursion, _networks, needs=_NEEDS),
    Property("network.layer_gradients", "sums_over_batch",
             "gradients of a batch repeated twice are twice the batch's (a sum, not a mean)",
             _sums_over_batch, domain_examples),
    linear_cost,
)
