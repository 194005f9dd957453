"""Reinforcement learning: Bellman backups and fixed points, Q-learning, returns, policy
gradients (seed: "Reinforcement Learning Math").

P has shape (S, A, S), rows P[s, a, :] summing to 1 (exactly, in the domain: dyadic
fractions); R has shape (S, A); a policy is (S, A), rows summing to 1.

- ``policy_evaluation`` solves (I - γP_π)V = R_π exactly in SymPy rationals;
  ``value_iteration`` gives V* exactly (policy iteration in rationals), plus the slack
  tol·γ/(1-γ) its stopping rule permits; their sensitivities come from the implicit
  function theorem with sympy.diff (rl_exact.py).
- ``bellman_backup``, ``q_learning_update``, ``discounted_returns`` are SymPy expressions
  evaluated at 60 digits, ``reinforce_loss`` and ``ppo_clip_objective`` per-step terms
  reduced (``Reduction``, with sympy.diff gradients).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mathoracle.core.model import Param

from . import domains as d
from .rl_exact import (BellmanBackup, DiscountedReturns, PolicyEvaluation, QLearningUpdate,  # noqa: F401
                       ValueIteration, evaluate_exactly, optimal_policy, q_exact, q_values, rationals)
from .shapes import Reduction

SEED = "Reinforcement Learning Math"

# --- domains -------------------------------------------------------------------------

SIZES = [(2, 2), (3, 2), (2, 3), (3, 3), (4, 2), (4, 3)]  # (S, A): few, small
GAMMAS = [0.0, 0.5, 0.9, 0.99]
DYADIC = 256  # transition and policy probabilities are k/256: rows sum to 1 exactly in float16


@st.composite
def stochastic(draw, dtype, shape):
    """Rows (last axis) of dyadic probabilities k/256 summing exactly to 1; some rows
    deterministic (one 1) or uniform over a power-of-two support."""
    n = shape[-1]
    rows = []
    for _ in range(int(np.prod(shape[:-1]))):
        kind = draw(st.sampled_from(["random", "random", "deterministic"]))
        if kind == "deterministic":
            row = np.zeros(n)
            row[draw(st.integers(0, n - 1))] = 1.0
        else:
            cuts = sorted(draw(st.lists(st.integers(0, DYADIC), min_size=n - 1, max_size=n - 1)))
            row = np.diff([0, *cuts, DYADIC]) / DYADIC
        rows.append(row)
    return np.array(rows).reshape(shape).astype(dtype)


def gammas():
    return st.one_of(st.sampled_from(GAMMAS), st.floats(0.0, 0.99))


def value_edges(dtype, bound) -> list:
    return d.representable(dtype, [0.0, 1.0, -1.0, bound, -bound, 1e-3, -0.5])


def values(dtype, bound):
    return d.elements(dtype, lo=-bound, hi=bound, edges=value_edges(dtype, bound))


TOLS = (1e-10, 1e-6, 1e-3)


@st.composite
def mdp(draw, dtype, with_v=False, with_policy=False, with_tol=False):
    S, A = draw(st.sampled_from(SIZES))
    out = {}
    if with_v:
        out["V"] = draw(hnp.arrays(dtype, (S,), elements=values(dtype, 100.0)))
    out["P"] = draw(stochastic(dtype, (S, A, S)))
    out["R"] = draw(hnp.arrays(dtype, (S, A), elements=values(dtype, 10.0)))
    if with_policy:
        out["policy"] = draw(stochastic(dtype, (S, A)))
    out["gamma"] = draw(gammas())
    if with_tol:
        out["tol"] = draw(st.sampled_from([TOLS[0], *TOLS]))
    return out


def probe_mdp(dtype):
    P = np.array([[[0.5, 0.5], [1.0, 0.0]], [[0.25, 0.75], [0.0, 1.0]]], dtype)
    return {"P": P, "R": np.array([[1.0, 0.0], [-1.0, 2.0]], dtype), "gamma": 0.9}

# --- the remaining domains ------------------------------------------------------------

Q_EDGES = (0.0, 1.0, -1.0, 100.0, -100.0, 1e-3)
RATE_EDGES = (0.0, 1.0, 0.5, 0.1)


@st.composite
def q_learning(draw, dtype, edges_only=False):
    """Q (S, A), often with illegal actions masked by -inf: the taken action Q(s, a) is legal
    (finite), every other state keeps a legal action, and a terminal s' (done) may have none
    (all -inf). Where done the target is r whatever Q(s', ·) holds; else max Q(s', ·) is finite."""
    S, A = draw(st.sampled_from([(2, 2), (3, 2), (2, 4), (4, 3)]))
    elems = st.sampled_from(d.representable(dtype, Q_EDGES)) if edges_only else values(dtype, 100.0)
    Q = draw(hnp.arrays(dtype, (S, A), elements=elems))
    s, a, s_next = draw(st.integers(0, S - 1)), draw(st.integers(0, A - 1)), draw(st.integers(0, S - 1))
    done = draw(st.booleans())
    if draw(st.sampled_from(["finite", "masked", "masked"])) == "masked":
        masked = draw(hnp.arrays(np.bool_, (S, A)))
        for row in range(S):  # a legal action in every row (a drawn one if all were masked)
            if masked[row].all():
                masked[row, draw(st.integers(0, A - 1))] = False
        masked[s, a] = False
        if done and s_next != s and draw(st.booleans()):
            masked[s_next] = True  # a terminal state: no legal action
        Q[masked] = -np.inf
    return {"Q": Q, "s": s, "a": a, "r": float(draw(values(dtype, 10.0))), "s_next": s_next,
            "alpha": draw(st.one_of(st.sampled_from(RATE_EDGES), st.floats(0.0, 1.0))),
            "gamma": draw(gammas()), "done": done}


REWARD_EDGES = (0.0, 1.0, -1.0, 10.0, -10.0, 1e-3)


@st.composite
def returns(draw, dtype, edges_only=False):
    T = draw(st.integers(1, 6))
    elems = st.sampled_from(d.representable(dtype, REWARD_EDGES)) if edges_only else values(dtype, 10.0)
    dones = draw(st.one_of(st.none(), hnp.arrays(np.bool_, (T,))))
    return {"rewards": draw(hnp.arrays(dtype, (T,), elements=elems)),
            "gamma": draw(st.sampled_from(GAMMAS) if edges_only else gammas()), "dones": dones}


def log_prob_edges(dtype) -> list:
    return d.representable(dtype, [0.0, -1e-3, -0.5, -np.log(2), -10.0, -50.0])


@st.composite
def trajectories(draw, dtype, edges_only=False):
    """log π(a_t|s_t) ≤ 0 (0 for a sure action), returns of both signs."""
    T = draw(st.integers(1, 8))
    lp_edges = log_prob_edges(dtype)
    lp = st.sampled_from(lp_edges) if edges_only else d.elements(dtype, lo=-50.0, hi=0.0, edges=lp_edges)
    return {"log_probs": draw(hnp.arrays(dtype, (T,), elements=lp)),
            "returns": draw(hnp.arrays(dtype, (T,), elements=values(dtype, 100.0)))}


# ε with 1 ± ε representable in float16: the gradient jumps at r = 1 ± ε, and where 1 ± ε
# rounds (0.2) the side an implementation puts r on depends on its rounding, not the formula.
EPSILONS = [0.25, 0.125, 0.5, 0.0, 0.1875]


def clip_edges(dtype, eps):
    """Ratios at the clip boundaries (as the dtype rounds them), at 1 and 0."""
    return d.representable(dtype, [1.0, 0.0, 1 - eps, 1 + eps, 0.5, 2.0, 1e-3, 10.0])


@st.composite
def ppo(draw, dtype, edges_only=False):
    """Ratios in [0, 10] with the clip boundaries mixed in; advantages of both signs."""
    n = draw(st.integers(1, 8))
    eps = draw(st.sampled_from(EPSILONS))
    edges = clip_edges(dtype, eps)
    rs = st.sampled_from(edges) if edges_only else d.elements(dtype, lo=0.0, hi=10.0, edges=edges)
    return {"ratio": draw(hnp.arrays(dtype, (n,), elements=rs)),
            "advantages": draw(hnp.arrays(dtype, (n,), elements=values(dtype, 100.0))), "eps": eps}


def _masked_q(x) -> bool:
    return bool(np.isneginf(x["Q"]).any())


def terminal(x) -> bool:
    """done, and every action at s' masked by -inf (a terminal state): the target is r."""
    return bool(x.get("done", False)) and bool(np.isneginf(np.asarray(x["Q"])[int(x["s_next"])]).all())


def _mdp_coverage(**extra):
    return d.Coverage(edges=lambda dt: {"R": value_edges(dt, 10.0), "gamma": list(GAMMAS),
                                        **{k: v(dt) for k, v in extra.items()}},
                      classes={"a deterministic row of P": lambda x: bool((x["P"] == 1).any()),
                               "more actions than states": lambda x: x["R"].shape[1] > x["R"].shape[0]})


COVERAGE = {  # what the domains above promise to draw (tests/test_coverage.py)
    "rl.bellman_backup": _mdp_coverage(V=lambda dt: value_edges(dt, 100.0)),
    "rl.value_iteration": _mdp_coverage(tol=lambda dt: list(TOLS)),
    "rl.policy_evaluation": _mdp_coverage(),
    "rl.q_learning_update": d.Coverage(
        edges=lambda dt: {"Q": d.representable(dt, Q_EDGES) + value_edges(dt, 100.0),
                          "r": value_edges(dt, 10.0), "alpha": list(RATE_EDGES),
                          "gamma": list(GAMMAS)},
        classes={"masked Q-values (-inf)": _masked_q, "a terminal s' (all -inf, done)": terminal,
                 "masked, not done": lambda x: _masked_q(x) and not x["done"],
                 "s' = s": lambda x: x["s_next"] == x["s"]}),
    "rl.discounted_returns": d.Coverage(
        edges=lambda dt: {"rewards": d.representable(dt, REWARD_EDGES) + value_edges(dt, 10.0),
                          "gamma": list(GAMMAS)},
        classes={"one step": lambda x: x["rewards"].shape[0] == 1,
                 "no dones": lambda x: x["dones"] is None,
                 "a done mid-episode": lambda x: x["dones"] is not None and bool(x["dones"][:-1].any())}),
    "rl.reinforce_loss": d.Coverage(
        edges=lambda dt: {"log_probs": log_prob_edges(dt), "returns": value_edges(dt, 100.0)},
        classes={"one step": lambda x: x["log_probs"].shape[0] == 1}),
    "rl.ppo_clip_objective": d.Coverage(
        edges=lambda dt: {"ratio": [e for eps in EPSILONS for e in clip_edges(dt, eps)],
                          "advantages": value_edges(dt, 100.0), "eps": list(EPSILONS)},
        classes={"one step": lambda x: x["ratio"].shape[0] == 1}),
}


# --- formulas -----------------------------------------------------------------------------

def ppo_term(r, A, eps):
    """min(rA, clip(r, 1-ε, 1+ε)A) without min or clip: the ratio is held at 1+ε where A ≥ 0
    and r > 1+ε, at 1-ε where A < 0 and r < 1-ε (the pessimistic side), else rA."""
    return sp.Piecewise(((1 + eps) * A, (A >= 0) & (r > 1 + eps)),
                        ((1 - eps) * A, (A < 0) & (r < 1 - eps)), (r * A, True))


def ppo_textbook(r, A, eps):
    return sp.Min(r * A, sp.Max(sp.Min(r, 1 + eps), 1 - eps) * A)


_MDP = ("P", "R")

bellman_backup = BellmanBackup(
    id="rl.bellman_backup", signature="bellman_backup(V, P, R, gamma)",
    formula="max_a [R(s,a) + γ Σ P(s'|s,a) V(s')]", seed=SEED, arrays=("V", *_MDP, "gamma"),
    domain=lambda dt: mdp(dt, with_v=True), edges=lambda dt: mdp(dt, with_v=True),
    probe=lambda dt: {"V": np.array([1.0, -2.0], dt), **probe_mdp(dt)}, q=q_values,
)

value_iteration = ValueIteration(
    id="rl.value_iteration", signature="value_iteration(P, R, gamma, tol=1e-10)",
    formula="V* = max_a [R + γ P V*], stopped at ‖ΔV‖∞ < tol", seed=SEED,
    arrays=(*_MDP, "gamma"), params=(Param("tol", 1e-10, numeric=False),),
    domain=lambda dt: mdp(dt, with_tol=True), edges=lambda dt: mdp(dt), probe=probe_mdp,
    note="V* exactly (policy iteration in rationals); allowed tol·γ/(1-γ) more, the bound the "
         "stopping rule ‖V_{k+1} - V_k‖∞ < tol gives",
)

policy_evaluation = PolicyEvaluation(
    id="rl.policy_evaluation", signature="policy_evaluation(P, R, policy, gamma)",
    formula="(I - γP_π)V = R_π", seed=SEED, arrays=(*_MDP, "policy", "gamma"),
    domain=lambda dt: mdp(dt, with_policy=True), edges=lambda dt: mdp(dt, with_policy=True),
    probe=lambda dt: {**probe_mdp(dt), "policy": np.array([[0.5, 0.5], [1.0, 0.0]], dt)},
)

q_learning_update = QLearningUpdate(
    id="rl.q_learning_update",
    signature="q_learning_update(Q, s, a, r, s_next, alpha, gamma, done=False)",
    formula="Q(s,a) + α[r + γ max_a' Q(s',a') - Q(s,a)]", seed=SEED,
    arrays=("Q", "s", "a", "r", "s_next", "alpha", "gamma"),
    params=(Param("done", False, numeric=False),), domain=q_learning,
    edges=lambda dt: q_learning(dt, edges_only=True),
    probe=lambda dt: {"Q": np.array([[0.0, 1.0], [2.0, -1.0]], dt), "s": 0, "a": 1, "r": 1.0,
                      "s_next": 1, "alpha": 0.5, "gamma": 0.9},
    note="done = True: no bootstrap, the target is r (whatever Q(s', ·) holds: a terminal s' "
         "may have every action masked by -inf); -inf marks an illegal action, never the taken one",
)

discounted_returns = DiscountedReturns(
    id="rl.discounted_returns", signature="discounted_returns(rewards, gamma, dones=None)",
    formula="G_t = Σ_k γ^k r_{t+k} = r_t + γ G_{t+1}", seed=SEED, arrays=("rewards", "gamma"),
    params=(Param("dones", None, numeric=False),), domain=returns,
    edges=lambda dt: returns(dt, edges_only=True),
    probe=lambda dt: {"rewards": np.array([1.0, 0.0, 2.0], dt), "gamma": 0.5},
    note="a done at t ends the episode after r_t: G_t = r_t",
)

reinforce_loss = Reduction(
    id="rl.reinforce_loss", signature="reinforce_loss(log_probs, returns)",
    formula="-Σ_t log π(a_t|s_t) G_t", seed=SEED, arrays=("log_probs", "returns"),
    term=lambda lp, g: -lp * g, reduce="sum_last", domain=trajectories,
    edges=lambda dt: trajectories(dt, edges_only=True),
    probe=lambda dt: {"log_probs": np.array([-0.5, -1.0], dt), "returns": np.array([2.0, -1.0], dt)},
    wrt=("log_probs",),
)

ppo_clip_objective = Reduction(
    id="rl.ppo_clip_objective", signature="ppo_clip_objective(ratio, advantages, eps=0.2)",
    formula="mean(min(r A, clip(r, 1-ε, 1+ε) A))", seed=SEED, arrays=("ratio", "advantages"),
    params=(Param("eps", 0.2),), term=ppo_term, textbook=ppo_textbook, reduce="mean",
    domain=ppo, edges=lambda dt: ppo(dt, edges_only=True),
    probe=lambda dt: {"ratio": np.array([0.5, 1.0, 1.5], dt),
                      "advantages": np.array([1.0, -2.0, 1.0], dt), "eps": 0.2},
    wrt=("ratio",),
    note="the gradient by r is A inside the clip range and 0 on the pessimistic side of it; at "
         "r = 1 ± ε exactly it is A (the unclipped branch)",
)

POSITION = 9  # the section's place in the catalogue (oracles.sections)
ORACLES = (bellman_backup, value_iteration, policy_evaluation, q_learning_update,
           discounted_returns, reinforce_loss, ppo_clip_objective)
