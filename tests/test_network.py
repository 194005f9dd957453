"""Backpropagation: the seed's formulas against sympy.diff, and the cost of the recursion.

- the batch-first layer is the seed's z = W a + b, one column per sample;
- σ' of every activation is sympy.diff of the activation oracles' expression;
- the seed's recursion (output_delta, hidden_delta, layer_gradients), written with the
  oracles' own formulas, equals sympy.diff of the whole network's mean loss (checked at
  50 digits on random points: the symbolic difference does not simplify in reasonable time);
- the multiplications of the NumPy reference grow linearly with the number of weights, and
  weight-by-weight differentiation's grow quadratically (the linear_cost property's teeth).
"""
import mpmath
import numpy as np
import pytest
import sympy as sp

from mathoracle.implementations.numpy_reference import network as R
from mathoracle.oracles import activations as A
from mathoracle.oracles import backprop as B
from mathoracle.oracles import network as N
from mathoracle.oracles.structured import symbols_like
from mathoracle.properties.backprop_cost import Counted, _count, network_of_width
from tests.corpus.network import mlp_gradients_complex_step


def test_batch_first_layer_is_the_seeds_column_formula():
    a, W, b = symbols_like("a", (3, 2)), symbols_like("W", (4, 2)), symbols_like("b", (4,))
    batched = N.linear_expr(a, W, b)
    for i in range(3):
        column = W @ a[i] + b  # z = W a + b for the i-th sample
        assert all(sp.expand(x - y) == 0 for x, y in zip(batched[i], column))


def test_sigmoid_prime_is_sympy_diff_and_the_seeds_identity():
    z = sp.Symbol("z", real=True)
    s = A.sigmoid_expr(z)
    prime = N.activate_derivative("sigmoid")(np.array([z], dtype=object))[0]
    assert sp.simplify(prime - s * (1 - s)) == 0
    tprime = N.activate_derivative("tanh")(np.array([z], dtype=object))[0]
    assert sp.simplify(tprime - (1 - sp.tanh(z) ** 2)) == 0


@pytest.mark.parametrize("config", [c for c in B.CONFIGS if len(c[0]) >= 3 and c[2] in ("sigmoid", "tanh")][:3],
                         ids=lambda c: f"{c[2]}-{c[3]}-{'x'.join(map(str, c[0]))}")
def test_recursion_of_the_seed_formulas_equals_sympy_diff_of_the_loss(config):
    sizes, batch, act, loss = config
    x, y = symbols_like("x", (batch, sizes[0])), symbols_like("y", (batch, sizes[-1]))
    ws = [symbols_like(f"W{i}", (o, k)) for i, (k, o) in enumerate(zip(sizes[:-1], sizes[1:]))]
    bs = [symbols_like(f"b{i}", (o,)) for i, o in enumerate(sizes[1:])]
    dWs, dbs = B.gradients(x, y, ws, bs, act, loss)
    zs, acts = [], [x]
    for W, b in zip(ws, bs):
        z, a = N.dense_forward_expr(acts[-1], W, b, act)
        zs.append(z)
        acts.append(a)
    out = symbols_like("a", acts[-1].shape)  # ∇_a L by sympy.diff, then a = the network's output
    f = B.mean_loss(loss, y, out)
    at = dict(zip(out.ravel(), acts[-1].ravel()))
    grad_a = np.vectorize(lambda s: sp.diff(f, s).subs(at), otypes=[object])(out)
    delta = N.output_delta_expr(grad_a, zs[-1], act)
    rec_W, rec_b = [None] * len(ws), [None] * len(ws)
    for layer in range(len(ws) - 1, -1, -1):
        rec_W[layer], rec_b[layer] = N.layer_gradients_expr(delta, acts[layer])
        if layer:
            delta = N.hidden_delta_expr(ws[layer], delta, zs[layer - 1], act)
    symbols = [*x.ravel(), *y.ravel(), *(s for W in ws for s in W.ravel()), *(s for b in bs for s in b.ravel())]
    rec = [e for g in (*rec_W, *rec_b) for e in g.ravel()]
    want = [e for g in (*dWs, *dbs) for e in g.ravel()]
    fn = sp.lambdify(symbols, [rec, want], modules="mpmath", cse=True)
    rng = np.random.default_rng(7)
    labels = loss in ("binary_cross_entropy", "categorical_cross_entropy")
    with mpmath.workdps(50):
        for _ in range(5):
            point = [mpmath.mpf(v) for v in rng.uniform(-1, 1, len(symbols))]
            if labels:  # y in {0, 1}
                point[x.size:x.size + y.size] = [mpmath.mpf(int(v > 0)) for v in rng.uniform(-1, 1, y.size)]
            got, expected = fn(*point)
            assert all(abs(g - e) <= mpmath.mpf(10) ** -40 * (1 + abs(e)) for g, e in zip(got, expected))


def _multiplications(fn, width, activation="sigmoid", loss="mse"):
    net = network_of_width(width, activation, loss, np.float64, np.random.default_rng(width))
    wrapped = {k: ([a.view(Counted) for a in v] if isinstance(v, list) else
                   v.view(Counted) if isinstance(v, np.ndarray) else v) for k, v in net.items()}
    _count[0] = 0
    fn(**wrapped)
    weights = sum(a.size for a in (*net["weights"], *net["biases"]))
    return _count[0], weights


def test_backprop_of_the_reference_costs_linear_in_the_weights():
    per_weight = [m / n for m, n in (_multiplications(R.mlp_gradients, w) for w in (2, 4, 8, 16, 32))]
    assert 0 < per_weight[-1] <= 1.1 * per_weight[0]  # a constant per weight (16× more weights)


def test_weight_by_weight_differentiation_costs_quadratic():
    small, big = (_multiplications(mlp_gradients_complex_step, w) for w in (2, 16))
    assert (big[0] / big[1]) / (small[0] / small[1]) > 20  # ~ the ratio of the weight counts


# --- NaN reaches only the gradients that depend on it at that point ----------------------

# relu, mse, 1 → 2 → 1, one sample: hidden unit 0 sits at z = 0 exactly (relu'(0) = 0, a = 0),
# unit 1 at z = 1.25. A NaN label reaches dW/db through unit 1 only.
KINK_NET = {"x": np.array([[1.0]]), "y": np.array([[np.nan]]),
            "weights": [np.array([[0.5], [1.0]]), np.array([[1.0, 0.5]])],
            "biases": [np.array([-0.5, 0.25]), np.array([0.25])], "activation": "relu", "loss": "mse"}


def _relu_backprop(x, y, weights, biases, drop=False):
    """Backprop whose relu' is np.where(z > 0, δ, 0), as torch's: a NaN δ at z ≤ 0 becomes 0.
    With ``drop`` (wrong), every NaN gradient is returned as 0."""
    acts, zs = [x], []
    for W, b in zip(weights, biases):
        zs.append(acts[-1] @ W.T + b)
        acts.append(np.maximum(zs[-1], 0))
    delta = np.where(zs[-1] > 0, 2 * (acts[-1] - y) / y.size, 0)
    dWs, dbs = [None] * len(weights), [None] * len(weights)
    for i in reversed(range(len(weights))):
        dWs[i], dbs[i] = delta.T @ acts[i], delta.sum(axis=0)
        if i:
            delta = np.where(zs[i - 1] > 0, delta @ weights[i], 0)
    flat = np.concatenate([g.reshape(-1) for g in (*dWs, *dbs)])
    return np.nan_to_num(flat, nan=0.0) if drop else flat


def _nan_case(fn):
    from mathoracle.core.laws import Case
    return Case(N.mlp_gradients, np.dtype(np.float64),
                lambda oid, inputs: fn(**{k: inputs[k] for k in ("x", "y", "weights", "biases")}),
                {N.mlp_gradients.id: N.mlp_gradients})


def test_nan_label_need_not_pass_a_relu_unit_at_zero():
    """dWs = [dW0 (2,1), dW1 (1,2)], dbs = [db0 (2,), db1 (1,)]: the paths through unit 0
    (relu'(0) = 0, a_0 = 0) do not depend on y; the others do."""
    from mathoracle.properties.contracts import check_nan
    mask = N.mlp_gradients.nan_mask(KINK_NET, "y", (0, 0))
    assert mask.tolist() == [False, True, False, True, False, True, True]
    got = _relu_backprop(**{k: KINK_NET[k] for k in ("x", "y", "weights", "biases")})
    assert np.isfinite(got[[0, 4]]).all()            # dW0[0], db0[0]: relu'(0)·NaN dropped
    check_nan(_nan_case(_relu_backprop), {"inputs": KINK_NET})


def test_nan_label_dropped_where_the_gradient_depends_on_it_is_caught():
    from mathoracle.core.laws import Falsified
    from mathoracle.properties.contracts import check_nan
    with pytest.raises(Falsified, match="dWs\\[0\\]\\[1, 0\\]"):
        check_nan(_nan_case(lambda **kw: _relu_backprop(**kw, drop=True)), {"inputs": KINK_NET})


def test_nan_label_near_a_kink_is_demanded_only_if_both_sides_depend_on_it():
    """Unit 0's exact z = 3·0.1 - 0.3 = 2.8e-17 in float64 is within its rounding error of 0:
    relu'(z) may be computed as 1 or 0, so the paths through it need not carry the NaN; at
    z = 3·0.1 - 0.25 they must."""
    near = {**KINK_NET, "x": np.array([[3.0]]), "weights": [np.array([[0.1], [1.0]]), KINK_NET["weights"][1]],
            "biases": [np.array([-0.3, 0.25]), KINK_NET["biases"][1]]}
    assert N.mlp_gradients.nan_mask(near, "y", (0, 0)).tolist() == [False, True, False, True, False, True, True]
    clear = {**near, "biases": [np.array([-0.25, 0.25]), KINK_NET["biases"][1]]}
    assert N.mlp_gradients.nan_mask(clear, "y", (0, 0)).all()


def test_linear_cost_of_a_target_that_drops_the_counting_array_is_not_applicable():
    # np.asarray strips the counting subclass: the law cannot measure, and says so instead of
    # failing a correct backprop (issue 11, "a law that fails for the wrong reason").
    import mathoracle
    from mathoracle.core.implementation import Implementation
    from mathoracle.registry import bundled
    from mathoracle.results import NOT_APPLICABLE

    def plain(x, y, weights, biases, **kw):
        return R.mlp_gradients(np.asarray(x), np.asarray(y), [np.asarray(w) for w in weights],
                               [np.asarray(b) for b in biases], **kw)
    impl = Implementation("asarray", {**bundled("numpy").functions, "network.mlp_gradients": plain})
    result = mathoracle.check("network.mlp_gradients", impl, seed=1, max_examples=5,
                              properties=["linear_cost"], dtypes=["float64"])
    (record,) = result.results
    assert record.status == NOT_APPLICABLE and "no multiplication could be counted" in record.reason
