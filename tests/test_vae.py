"""VAE: the KL closed form derived by SymPy, the seed's sign error, the reparameterization's
gradient and torch's rsample, and a test of the statistical tests (20 seeds each)."""
import numpy as np
import pytest
import sympy as sp

from mathoracle.oracles import vae as V
from mathoracle.properties import vae as P
from mathoracle.registry import bundled, oracles
from mathoracle.runner import Target
from tests.verdicts import verdicts

mu = sp.Symbol("mu", real=True)
sigma = sp.Symbol("sigma", positive=True)


def is_zero(expr) -> bool:
    return sp.simplify(expr) == 0


def test_kl_is_integrated_from_the_densities_and_equals_the_textbook_forms():
    m, s, kl = V.kl_closed_form()
    assert is_zero(kl - (m ** 2 / 2 + s ** 2 / 2 - sp.log(s) - sp.Rational(1, 2)))
    assert is_zero(sp.expand_log(V.kl_term(mu, sigma) - V.kl_textbook(mu, sigma), force=True))


def test_kl_is_zero_exactly_at_the_prior_and_that_is_its_only_minimum():
    kl = V.kl_term(mu, sigma)
    assert kl.subs({mu: 0, sigma: 1}) == 0
    assert sp.solve([sp.diff(kl, mu), sp.diff(kl, sigma)], [mu, sigma], dict=True) == [{mu: 0, sigma: 1}]
    hessian = sp.hessian(kl, (mu, sigma))
    assert all(ev > 0 for ev in hessian.subs({mu: 0, sigma: 1}).eigenvals())  # convex there


def test_the_seeds_loss_is_the_elbo_and_the_oracle_its_negative():
    """Seed: L = E[log p(x|z)] - KL, called the loss. Training maximises it (it is the ELBO);
    the loss is -L."""
    x = V.probe_loss(np.float64)
    exact = np.array([float(v) for v in V.loss.exact(x).value])
    kl = np.array([float(v) for v in V.kl_standard_normal.exact(
        {"mu": x["mu"], "sigma": x["sigma"]}).value])
    seed_l = x["log_px_given_z"] - kl
    assert np.allclose(exact, -seed_l, rtol=1e-15) and not np.allclose(exact, seed_l)


def test_the_reparameterized_gradient_is_sympy_diff():
    e = sp.Symbol("eps", real=True)
    z = V.reparameterize.expression.subs(dict(zip(V.reparameterize.symbols[0], (mu, sigma, e))))
    assert sp.diff(z, mu) == 1 and sp.diff(z, sigma) == e


def test_torch_adapter_is_normal_rsample_under_the_same_generator_state():
    torch = pytest.importorskip("torch")
    from torch.distributions import Normal

    from mathoracle.implementations.torch_adapter.vae import reparameterize
    m, s = torch.tensor([0.5, -1.0, 2.0]), torch.tensor([1.0, 0.25, 3.0], requires_grad=True)
    torch.manual_seed(7)
    z = Normal(m, s).rsample()
    torch.manual_seed(7)
    eps = torch.randn(3)
    assert torch.equal(z, reparameterize(m, s, eps))
    z.sum().backward()
    assert torch.equal(s.grad, eps)  # ∂z/∂σ = ε: the gradient flows through the sample


def _case(oracle_id, impl, dtype):
    return Target(impl, oracles()).case(oracles()[oracle_id], dtype)


def _prop(oracle_id, name):
    from mathoracle.properties import properties_for
    return next(p for p in properties_for(oracles()[oracle_id]) if p.name == name)


def _reparam_examples(dtype, mu_, sigma_):
    return [{"inputs": {"mu": np.full(P.SAMPLES, mu_, dtype), "sigma": np.full(P.SAMPLES, sigma_, dtype),
                        "eps": P.standard_normal(seed).astype(dtype)}, "seed": seed} for seed in range(20)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_moments_never_flag_the_reference_and_always_flag_sigma_squared(dtype):
    from mathoracle.core.implementation import Implementation
    prop, ref = _prop("vae.reparameterize", "moments"), bundled("numpy")
    examples = _reparam_examples(dtype, 1.5, 2.0)
    assert all(verdicts(prop, _case("vae.reparameterize", ref, dtype), examples))
    squared = Implementation("squared", {"vae.reparameterize": lambda m, s, e: m + s * s * e})
    assert not any(verdicts(prop, _case("vae.reparameterize", squared, dtype), examples))


def test_monte_carlo_never_flags_the_reference_and_always_flags_the_logvar_confusion():
    from mathoracle.core.implementation import Implementation
    from tests.corpus.vae import kl_logvar_confusion
    prop, ref = _prop("vae.kl_standard_normal", "monte_carlo"), bundled("numpy")
    examples = [{"inputs": {"mu": np.array([0.75]), "sigma": np.array([1.75])}, "seed": s} for s in range(20)]
    assert all(verdicts(prop, _case("vae.kl_standard_normal", ref, np.float64), examples))
    wrong = Implementation("logvar", {"vae.kl_standard_normal": kl_logvar_confusion})
    assert not any(verdicts(prop, _case("vae.kl_standard_normal", wrong, np.float64), examples))


def test_normal_sample_states_its_false_alarm_rate():
    x = np.random.default_rng(0).standard_normal(P.SAMPLES)
    assert P.normal_sample(x, mean=(0.0, 0.0), var=(1.0, 1.0), slack=0.0) is None
    assert "mean" in P.normal_sample(x + 0.5, mean=(0.0, 0.0), var=(1.0, 1.0), slack=0.0)
    assert "false-alarm rate 1e-06" in P.normal_sample(2 * x, mean=(0.0, 0.0), var=(1.0, 1.0), slack=0.0)
