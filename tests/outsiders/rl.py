"""Reinforcement learning as outsiders write it: nested loops, einsum, a while-loop value
iteration, np.linalg.solve policy evaluation, reversed-loop returns, scipy.signal.lfilter."""
from __future__ import annotations

import numpy as np
import scipy.signal
import torch

from . import Outsider


def bellman_backup_loops(V, P, R, gamma):
    """Three nested loops over s, a, s' as in a textbook's pseudo-code."""
    P, R, V = np.asarray(P), np.asarray(R), np.asarray(V)
    S, A = R.shape
    out = np.empty(S, dtype=np.result_type(V, P, R))
    for s in range(S):
        best = None
        for a in range(A):
            q = R[s, a] + gamma * sum(P[s, a, t] * V[t] for t in range(S))
            best = q if best is None or q > best or np.isnan(q) else best
        out[s] = best
    return out


def bellman_backup_einsum(V, P, R, gamma):
    """max over a of R + γ einsum('sat,t->sa', P, V)."""
    return np.max(R + gamma * np.einsum("sat,t->sa", P, V), axis=1)


def value_iteration_while(P, R, gamma, tol=1e-10):
    """A while loop from V = np.zeros(S) (float64) until max|V_new - V| < tol, NaN or 10⁵ sweeps."""
    P, R = np.asarray(P), np.asarray(R)
    V = np.zeros(R.shape[0])
    sweeps = 0
    while True:
        V_new = np.max(R + gamma * P @ V, axis=1)
        sweeps += 1
        diff = np.max(np.abs(V_new - V))
        if diff < tol or np.isnan(diff) or sweeps >= 100_000:
            return V_new
        V = V_new


def policy_evaluation_linalg_solve(P, R, policy, gamma):
    """Solve (I - γ P_π) V = R_π with np.linalg.solve."""
    P_pi = np.einsum("sa,sat->st", policy, P)
    R_pi = np.sum(policy * R, axis=1)
    return np.linalg.solve(np.eye(len(R_pi), dtype=P_pi.dtype) - gamma * P_pi, R_pi)


def q_learning_update_copy(Q, s, a, r, s_next, alpha, gamma, done=False):
    """Copies Q, then Q[s, a] += α (target - Q[s, a]) with target r or r + γ max Q[s']."""
    Q = np.array(Q, copy=True)
    target = r if done else r + gamma * np.max(Q[s_next])
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def discounted_returns_reversed_loop(rewards, gamma, dones=None):
    """G = 0; for t in reversed(range(T)): G = r_t + γ G, reset at a done."""
    rewards = np.asarray(rewards)
    out = np.zeros_like(rewards)
    G = 0.0
    for t in reversed(range(len(rewards))):
        if dones is not None and dones[t]:
            G = 0.0
        G = rewards[t] + gamma * G
        out[t] = G
    return out


def discounted_returns_lfilter(rewards, gamma, dones=None):
    """The scipy.signal.lfilter trick on the reversed rewards; episodes with dones refused."""
    if dones is not None and np.any(dones):
        raise NotImplementedError("lfilter returns: one episode only, no dones")
    r = np.asarray(rewards)
    return scipy.signal.lfilter([1], [1, -float(gamma)], r[::-1])[::-1].astype(r.dtype)


def reinforce_loss_torch(log_probs, returns):
    """-(log_probs * returns).sum() in torch."""
    return (-(torch.as_tensor(log_probs) * torch.as_tensor(returns)).sum()).numpy()


def ppo_clip_plain(ratio, advantages, eps=0.2):
    """mean(minimum(r A, clip(r, 1-ε, 1+ε) A)) with NumPy."""
    return np.mean(np.minimum(ratio * advantages, np.clip(ratio, 1 - eps, 1 + eps) * advantages))


def ppo_clip_torch(ratio, advantages, eps=0.2):
    """The torch PPO line: torch.min(r * A, torch.clamp(r, 1-ε, 1+ε) * A).mean()."""
    r, A = torch.as_tensor(ratio), torch.as_tensor(advantages)
    return torch.min(r * A, torch.clamp(r, 1 - eps, 1 + eps) * A).mean().numpy()


VARIANTS = [
    Outsider("rl.bellman_backup", bellman_backup_loops),
    Outsider("rl.bellman_backup", bellman_backup_einsum),
    Outsider("rl.value_iteration", value_iteration_while, "solver"),
    Outsider("rl.policy_evaluation", policy_evaluation_linalg_solve),
    Outsider("rl.q_learning_update", q_learning_update_copy),
    Outsider("rl.discounted_returns", discounted_returns_reversed_loop, "law-exactness"),
    Outsider("rl.discounted_returns", discounted_returns_lfilter, "refusal"),
    Outsider("rl.reinforce_loss", reinforce_loss_torch),
    Outsider("rl.ppo_clip_objective", ppo_clip_plain),
    Outsider("rl.ppo_clip_objective", ppo_clip_torch),
]
