"""Regularization: the statistical checks' own test, weight decay against torch and AdamW,
and SymPy identities.

- The dropout_sample properties are tests at α = 1e-6: on 20 seeds they never fail the
  NumPy reference or torch, and they fail each buggy sampler they target on every seed.
- l2_penalty's gradient is λW by sympy.diff; sgd_weight_decay_step is one step of
  torch.optim.SGD(weight_decay=λ); AdamW's decoupled decay is a different rule, and
  mathoracle says so when AdamW is offered as the SGD step.
- Layer norm is batch norm of the transpose (the same formula over the other axis).
"""
import numpy as np
import pytest
import sympy as sp

import mathoracle
from mathoracle.oracles import regularization as G
from mathoracle.oracles.structured import symbols_like
from mathoracle.results import FAIL, PASS
from tests.corpus import regularization as C

STATISTICAL = ["kept_fraction", "kept_values", "unbiased_mean"]
SEEDS = range(20)


@pytest.mark.parametrize("impl", ["numpy", "torch"])
def test_statistical_properties_do_not_flake_on_correct_samplers(impl):
    pytest.importorskip(impl)
    for seed in SEEDS:
        result = mathoracle.check("regularization.dropout_sample", impl, dtypes=["float32"],
                                  seed=seed, max_examples=5, properties=STATISTICAL, shrink=False)
        assert result.status in (PASS, "deviation"), (seed, result.failures)


@pytest.mark.parametrize("fn, caught_by", [
    (C.dropout_sample_scaled_by_one_over_p, "kept_values"),
    (C.dropout_sample_keeps_with_probability_p, "kept_fraction"),
    (C.dropout_sample_no_rescale, "unbiased_mean"),
    (C.dropout_sample_rescaled_by_kept_fraction, "kept_values"),
], ids=lambda v: getattr(v, "__name__", v))
def test_statistical_properties_catch_the_buggy_samplers_on_every_seed(fn, caught_by):
    for seed in SEEDS:
        result = mathoracle.check("regularization.dropout_sample", fn, dtypes=["float32"],
                                  seed=seed, max_examples=5, properties=[caught_by], shrink=False)
        assert result.status == FAIL, seed


def test_l2_penalty_gradient_is_lambda_W_by_sympy():
    W, lam = symbols_like("W", (2, 3)), sp.Symbol("lam", real=True)
    grad = G.l2_penalty_grad_expr(W, lam)
    assert all(sp.simplify(g - lam * w) == 0 for g, w in zip(grad.ravel(), W.ravel()))


def test_layer_norm_is_batch_norm_of_the_transpose():
    x, eps = symbols_like("x", (2, 3)), sp.Symbol("eps", positive=True)
    ones, zeros = np.ones(2, dtype=object), np.zeros(2, dtype=object)
    ln = G.layer_norm_expr(x, np.ones(3, dtype=object), np.zeros(3, dtype=object), eps)
    bn = G.batch_norm_expr(x.T, ones, zeros, eps).T
    assert all(sp.simplify(a - b) == 0 for a, b in zip(ln.ravel(), bn.ravel()))


def _adamw_step(W, grad, lr, lam):
    """One step of torch.optim.AdamW(lr, weight_decay=λ) from fresh moments."""
    import torch
    w = torch.nn.Parameter(torch.from_numpy(np.array(W, dtype=np.float64)))
    w.grad = torch.from_numpy(np.array(grad, dtype=np.float64))
    torch.optim.AdamW([w], lr=lr, weight_decay=lam).step()
    return w.detach().numpy().astype(np.asarray(W).dtype)


def test_sgd_weight_decay_is_torch_sgd_and_adamw_is_a_different_rule():
    torch = pytest.importorskip("torch")
    from mathoracle.implementations.numpy_reference.regularization import sgd_weight_decay_step
    from mathoracle.implementations.torch_adapter.regularization import sgd_weight_decay_step as sgd
    W, g = np.array([1.0, -2.0, 0.5]), np.array([0.25, 0.5, -1.0])
    lr, lam = 0.1, 0.01
    assert np.allclose(sgd(W, g, lr, lam), W - lr * (g + lam * W), rtol=1e-15, atol=0)
    adamw = _adamw_step(W, g, lr, lam)
    # AdamW: W(1 - lr λ) - lr·m̂/(√v̂ + ε); after one step m̂/√v̂ = sign(g)
    assert np.allclose(adamw, W * (1 - lr * lam) - lr * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert not np.allclose(adamw, sgd_weight_decay_step(W, g, lr, lam), rtol=1e-3)
    # Adam with weight_decay is coupled L2 (λW enters the moments): a third rule
    w = torch.nn.Parameter(torch.from_numpy(W.copy()))
    w.grad = torch.from_numpy(g.copy())
    torch.optim.Adam([w], lr=lr, weight_decay=lam).step()
    assert not np.allclose(w.detach().numpy(), adamw, rtol=1e-9)


def test_mathoracle_rejects_adamw_as_the_sgd_weight_decay_step():
    pytest.importorskip("torch")
    result = mathoracle.check("regularization.sgd_weight_decay_step", _adamw_step,
                              dtypes=["float64"], seed=0, max_examples=20, shrink=False)
    assert result.status == FAIL


# --- NaN reaches only the outputs that depend on it at that point ----------------------

def _where_dropout(a, p, mask):
    """An outsider's dropout: np.where drops a unit outright, so a NaN under mask 0 gives 0."""
    return np.where(mask == 0, 0, a * mask / (1 - p)).astype(a.dtype)


def _drops_kept_nan(a, p, mask):
    """Wrong: a NaN under mask 1 is returned as 0."""
    return np.where(np.isnan(a), 0, a * mask / (1 - p)).astype(a.dtype)


def test_nan_under_a_zero_mask_may_be_dropped():
    a = np.array([np.nan, 1.0])
    at_zero = G.dropout.nan_mask({"a": a, "p": 0.5, "mask": np.array([0.0, 1.0])}, "a", (0,))
    at_one = G.dropout.nan_mask({"a": a, "p": 0.5, "mask": np.array([1.0, 1.0])}, "a", (0,))
    assert at_zero.tolist() == [False, False] and at_one.tolist() == [True, False]
    result = mathoracle.check("regularization.dropout", _where_dropout, dtypes=["float64"],
                              seed=3, max_examples=60, properties=["nan"])
    assert result.status == PASS, result


def test_nan_under_a_kept_unit_must_stay_nan():
    result = mathoracle.check("regularization.dropout", _drops_kept_nan, dtypes=["float64"],
                              seed=3, max_examples=60, properties=["nan"])
    assert result.status == FAIL


def test_dropout_with_p_one_does_not_depend_on_a():
    x = {"a": np.array([np.nan, 2.0]), "p": 1.0, "seed": 0}
    assert not G.dropout_sample.nan_mask(x, "a", (0,)).any()
    assert G.dropout_sample.nan_mask({**x, "p": 0.0}, "a", (0,)).tolist() == [True, False]
