"""SciPy for RL: discounted returns as a linear filter, policy evaluation as a linear solve.

Both are the idioms used in practice: G is the reversed output of the IIR filter
y_n = x_n + γy_{n-1} run over the reversed rewards (``scipy.signal.lfilter([1], [1, -γ],
r[::-1])[::-1]``, once per episode), and V^π is ``scipy.linalg.solve(I - γP_π, R_π)``.
"""
import numpy as np
import scipy.linalg
import scipy.signal


def discounted_returns(rewards, gamma, dones=None):
    """lfilter([1], [1, -γ], r[::-1])[::-1] over each episode (a done at t ends one after t)."""
    r = np.asarray(rewards)
    ends = [len(r) - 1] if dones is None else [*np.flatnonzero(dones), len(r) - 1]
    out, start = np.empty_like(r), 0
    for end in sorted(set(int(e) for e in ends)):
        if end >= start:
            seg = r[start:end + 1]
            out[start:end + 1] = scipy.signal.lfilter([1.0], [1.0, -gamma], seg[::-1])[::-1]
            start = end + 1
    return out


def policy_evaluation(P, R, policy, gamma):
    """scipy.linalg.solve(I - γP_π, R_π), P_π = Σ_a π(a|s) P(·|s, a), R_π = Σ_a π(a|s) R(s, a)."""
    p_pi = np.einsum("sa,sat->st", policy, P)
    r_pi = np.sum(policy * R, axis=-1)
    return scipy.linalg.solve(np.eye(len(r_pi), dtype=p_pi.dtype) - gamma * p_pi, r_pi)


FUNCTIONS = {"rl.discounted_returns": discounted_returns, "rl.policy_evaluation": policy_evaluation}

_NONE = "SciPy has no {}"
NOT_APPLICABLE = {
    "rl.bellman_backup": _NONE.format("Bellman optimality backup"),
    "rl.value_iteration": _NONE.format("value iteration (pymdptoolbox's mdp.ValueIteration does)"),
    "rl.q_learning_update": _NONE.format("Q-learning update"),
    "rl.reinforce_loss": _NONE.format("REINFORCE loss"),
    "rl.ppo_clip_objective": _NONE.format("PPO clipped objective"),
}
