"""RL: the oracles' forms proved equal to the textbook ones, the oracles checked against their
defining equations in exact arithmetic, and REINFORCE's score-function gradient (SymPy
against torch autograd)."""
import itertools

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from mathoracle.oracles import rl as O
from mathoracle.search import own_draws


def _mdp(seed, S=3, A=2):
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 8, (S, A, S)) + np.eye(S)[:, None, :]  # every row has mass
    P = k / 2.0 ** np.ceil(np.log2(k.sum(-1, keepdims=True)))
    P[..., -1] = 1 - P[..., :-1].sum(-1)  # dyadic, so the rows sum to 1 exactly
    R = rng.integers(-8, 8, (S, A)) / 4
    return P, R


def test_ppo_piecewise_form_equals_min_of_clipped_and_unclipped():
    """min(rA, clip(r, 1-ε, 1+ε)A) = the oracle's piecewise form, exactly, on a grid that
    covers both signs of A, both clip boundaries and the points on them."""
    r, A, eps = sp.symbols("r A eps", real=True)
    form, textbook = O.ppo_term(r, A, eps), O.ppo_textbook(r, A, eps)
    for e in [*O.EPSILONS, sp.Rational(1, 5)]:
        e = sp.nsimplify(e)
        for rv, av in itertools.product([sp.Rational(k, 16) for k in range(0, 40)] + [1 - e, 1 + e],
                                        [-2, -1, 0, sp.Rational(1, 3), 3]):
            at = {r: rv, A: av, eps: e}
            assert form.subs(at) == textbook.subs(at), at


def test_returns_horner_form_is_the_discounted_sum():
    n = 5
    rs, g = sp.symbols(f"r0:{n}", real=True), sp.Symbol("gamma", real=True)
    horner = rs[-1]
    for r in reversed(rs[:-1]):
        horner = r + g * horner
    assert sp.expand(horner - sum(g ** k * rs[k] for k in range(n))) == 0


def test_seed_allows_gamma_one_where_policy_evaluation_is_undefined():
    """The seed allows 0 ≤ γ ≤ 1; at γ = 1, I - P_π is singular for every stochastic P_π
    (its rows sum to 0), so V^π is undefined: the domain is γ in [0, 1)."""
    P, R = _mdp(0)
    pi = np.full(R.shape, 0.5)
    P_pi = sp.Matrix(3, 3, lambda s, t: sum(sp.nsimplify(pi[s, a] * P[s, a, t]) for a in range(2)))
    assert (sp.eye(3) - P_pi).det() == 0


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("gamma", [0.0, 0.5, 0.99])
def test_exact_v_star_is_the_bellman_fixed_point(seed, gamma):
    P, R = _mdp(seed)
    Pq, Rq, g = O.rationals(P), O.rationals(R), sp.Rational(gamma)
    V = O.evaluate_exactly(Pq, Rq, O.optimal_policy(Pq, Rq, g), g)
    assert all(v == max(q) for v, q in zip(V, O.q_exact(Pq, Rq, g, V)))


@pytest.mark.parametrize("seed", range(4))
def test_exact_policy_value_solves_the_bellman_expectation_equation(seed):
    P, R = _mdp(seed)
    pi = O.rationals(np.array([[0.25, 0.75], [1.0, 0.0], [0.5, 0.5]]))
    Pq, Rq, g = O.rationals(P), O.rationals(R), sp.Rational(0.9)
    V = O.evaluate_exactly(Pq, Rq, pi, g)
    Q = O.q_exact(Pq, Rq, g, V)
    assert all(V[s] == sum(pi[s, a] * Q[s, a] for a in range(2)) for s in range(3))


def test_value_iteration_slack_is_the_stopping_rule_bound():
    P, R = _mdp(1)
    x = {"P": P, "R": R, "gamma": 0.9, "tol": 1e-3}
    assert float(O.value_iteration.exact(x).slack) == pytest.approx(1e-3 * 0.9 / 0.1)


def test_score_function_gradient_of_reinforce_for_a_softmax_policy():
    """∂/∂θ of -Σ_t G_t log softmax(θ[s_t])[a_t] is -Σ_t G_t (e_{a_t} - π(·|s_t)) on row s_t:
    sympy.diff of the loss against torch autograd through log_softmax, in float64. Each
    gradient element sums at most T terms |G_t|·|e - π| ≤ |G_t|, so it is within
    (T + 2)·u·Σ|G_t| of the exact value."""
    torch = pytest.importorskip("torch")
    S, A, T = 2, 3, 5
    theta = sp.Matrix(S, A, lambda i, j: sp.Symbol(f"t{i}{j}", real=True))
    rng = np.random.default_rng(7)
    states, actions = rng.integers(0, S, T), rng.integers(0, A, T)
    G = rng.normal(size=T)

    def log_softmax(row, a):
        return row[a] - sp.log(sum(sp.exp(row[b]) for b in range(A)))
    loss = -sum(G[t] * log_softmax(theta.row(int(states[t])), int(actions[t])) for t in range(T))
    for i, j in itertools.product(range(S), range(A)):  # the score function, symbolically
        pi = [sp.exp(theta[i, b]) / sum(sp.exp(theta[i, c]) for c in range(A)) for b in range(A)]
        score = -sum(G[t] * ((1 if actions[t] == j else 0) - pi[j]) for t in range(T) if states[t] == i)
        assert sp.simplify(sp.diff(loss, theta[i, j]) - score) == 0

    values = rng.normal(size=(S, A))
    t = torch.tensor(values, requires_grad=True)
    log_probs = torch.log_softmax(t, dim=-1)[torch.tensor(states), torch.tensor(actions)]
    (-(log_probs * torch.tensor(G)).sum()).backward()
    at = {theta[i, j]: values[i, j] for i, j in itertools.product(range(S), range(A))}
    bound = (T + 2) * 2.0 ** -53 * np.abs(G).sum()
    for i, j in itertools.product(range(S), range(A)):
        exact = sp.diff(loss, theta[i, j]).evalf(40, subs=at)
        assert abs(float(t.grad[i, j]) - float(exact)) <= bound


@settings(max_examples=200, database=None, derandomize=True)
@given(O.ppo(np.dtype("float32")))
def _record_ppo_cases(x):
    _seen.update(("A>0" if a > 0 else "A<0" if a < 0 else "A=0",
                  "above" if r > 1 + x["eps"] else "below" if r < 1 - x["eps"] else "inside")
                 for r, a in zip(x["ratio"], x["advantages"]))


_seen: set = set()


def test_ppo_domain_draws_both_advantage_signs_on_both_sides_of_the_clip():
    _record_ppo_cases()
    for sign in ("A>0", "A<0"):
        for side in ("above", "below", "inside"):
            assert (sign, side) in _seen


def test_done_target_is_r_whatever_a_masked_terminal_state_holds():
    """done: the target is r even when every action of s' is masked (-inf); the exact update
    stays finite, -inf entries stay -inf, and r + (1 - done)·γ·max Q(s') (NaN) FAILs."""
    from mathoracle.core.accuracy import judge
    Q = np.array([[1.0, -np.inf], [-np.inf, -np.inf]])
    x = {"Q": Q, "s": 0, "a": 0, "r": 2.0, "s_next": 1, "alpha": 0.5, "gamma": 0.9, "done": True}
    e = O.q_learning_update.exact(x)
    assert float(e.value[0, 0]) == 1.5 and all(np.isneginf(float(v)) for v in e.value.reshape(-1)[1:])
    right = np.array([[1.5, -np.inf], [-np.inf, -np.inf]])
    assert judge(right, e, O.q_learning_update.error, np.float64).passed
    with np.errstate(invalid="ignore"):
        factor = 1.0 + 0.5 * (2.0 + (1 - 1.0) * 0.9 * np.max(Q[1]) - 1.0)
    assert np.isnan(factor)
    for bad in (np.nan, np.inf, -np.inf, 1.5 + 1e-3):
        v = judge(np.array([[bad, -np.inf], [-np.inf, -np.inf]]), e, O.q_learning_update.error, np.float64)
        assert v.level == "fail", bad
    for bad in (-1e308, 0.0):  # finite where the exact value is -inf (an illegal action)
        v = judge(np.array([[1.5, bad], [-np.inf, -np.inf]]), e, O.q_learning_update.error, np.float64)
        assert v.level == "fail", bad


def test_masked_actions_are_drawn_and_never_the_taken_one():
    seen = {"masked": 0, "terminal": 0}

    @settings(max_examples=200, database=None, deadline=None, derandomize=True)
    @given(O.q_learning(np.float64))
    def run(x):
        Q = x["Q"]
        assert np.isfinite(Q[x["s"], x["a"]])
        assert all(np.isfinite(row).any() for i, row in enumerate(Q) if i != x["s_next"] or not x["done"])
        seen["masked"] += bool(np.isneginf(Q).any())
        seen["terminal"] += bool(x["done"] and np.isneginf(Q[x["s_next"]]).all())
    with own_draws():  # the same draws whatever ran before in the process
        run()
    assert seen["masked"] >= 20 and seen["terminal"] >= 5, seen
