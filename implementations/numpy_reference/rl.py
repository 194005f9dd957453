"""Reinforcement learning, written to be copied: float64 inside, one rounding at the end.

Value iteration stops at ‖V_{k+1} - V_k‖∞ < tol and returns V_{k+1} (within tol·γ/(1-γ) of
V*); policy evaluation solves (I - γP_π)V = R_π directly (no iteration to truncate);
returns run the recursion G_t = r_t + γ(1 - done_t)G_{t+1} backwards.
"""
import numpy as np

from ..base import backward_passes, provides


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _out(value, like):
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        return np.asarray(value, dtype=np.float64).astype(np.asarray(like).dtype)


def _q(V, P, R, gamma):
    return R + gamma * (P @ V)


def bellman_backup(V, P, R, gamma):
    """max_a [R(s, a) + γ Σ_s' P(s'|s, a) V(s')] (NaN propagates through the max)."""
    v, p, r = _f64(V, P, R)
    return _out(np.max(_q(v, p, r, gamma), axis=-1), R)


def value_iteration(P, R, gamma, tol=1e-10):
    """Repeat the backup from V = 0 until ‖V_{k+1} - V_k‖∞ < tol; return V_{k+1}.

    A NaN anywhere gives NaN at once (‖ΔV‖ < tol would never hold). The iteration count is
    capped at the number the contraction bound needs, plus a margin, so that rounding
    noise above tol cannot loop forever."""
    p, r = _f64(P, R)
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(r)) and np.isfinite(gamma)):
        return _out(np.full(r.shape[0], np.nan), R)
    v = np.zeros(r.shape[0])
    scale = max(float(np.max(np.abs(r))), 1.0) / (1 - gamma)
    cap = 10 + (int(np.ceil(np.log(tol / scale) / np.log(gamma))) if 0 < gamma else 1)
    for _ in range(max(cap, 1) * 2):
        new = np.max(_q(v, p, r, gamma), axis=-1)
        if np.max(np.abs(new - v)) < tol:
            return _out(new, R)
        v = new
    return _out(v, R)


def policy_evaluation(P, R, policy, gamma):
    """V^π = (I - γP_π)⁻¹ R_π by an LU solve; P_π = Σ_a π(a|s) P(·|s, a)."""
    p, r, pi = _f64(P, R, policy)
    if not (np.all(np.isfinite(p)) and np.all(np.isfinite(r)) and np.all(np.isfinite(pi))):
        return _out(np.full(r.shape[0], np.nan), R)  # LAPACK need not carry a NaN through
    p_pi = np.einsum("sa,sat->st", pi, p)
    r_pi = np.sum(pi * r, axis=-1)
    return _out(np.linalg.solve(np.eye(r.shape[0]) - gamma * p_pi, r_pi), R)


def q_learning_update(Q, s, a, r, s_next, alpha, gamma, done=False):
    """A copy of Q with Q(s, a) moved by α toward r + γ max_a' Q(s', a') (r alone when done),
    as (1 - α)Q + α·target: exact at α = 0 and α = 1."""
    q = np.array(Q, dtype=np.float64)
    target = r if done else r + gamma * np.max(q[s_next])
    out = np.array(Q, copy=True)
    out[s, a] = (1 - alpha) * q[s, a] + alpha * target
    return out


def discounted_returns(rewards, gamma, dones=None):
    """G_t = r_t + γ(1 - done_t)G_{t+1}, backwards from G_T = 0."""
    r = np.asarray(rewards, dtype=np.float64)
    ends = np.zeros(r.shape, bool) if dones is None else np.asarray(dones, bool)
    out, g = np.empty_like(r), 0.0
    for t in reversed(range(r.shape[0])):
        g = r[t] + (0.0 if ends[t] else gamma * g)
        out[t] = g
    return _out(out, rewards)


def reinforce_loss(log_probs, returns):
    """-Σ_t log π(a_t|s_t)·G_t."""
    lp, g = _f64(log_probs, returns)
    return _out(-np.sum(lp * g), log_probs)


def ppo_clip_objective(ratio, advantages, eps=0.2):
    """mean(min(rA, clip(r, 1-ε, 1+ε)A))."""
    r, A = _f64(ratio, advantages)
    return _out(np.mean(np.minimum(r * A, np.clip(r, 1 - eps, 1 + eps) * A)), ratio)


FUNCTIONS = provides("rl", bellman_backup, value_iteration, policy_evaluation, q_learning_update,
                     discounted_returns, reinforce_loss, ppo_clip_objective)


def reinforce_loss_backward(w, log_probs, returns):
    """∂/∂log π_t = -w·G_t."""
    lp, g = _f64(log_probs, returns)
    return {"log_probs": _out(-float(w) * g, log_probs)}


def ppo_clip_objective_backward(w, ratio, advantages, eps=0.2):
    """∂/∂r_i = w·A_i/n, and 0 where the clip holds r on the pessimistic side (A ≥ 0 and
    r > 1+ε, or A < 0 and r < 1-ε); NaN propagates."""
    r, A = _f64(ratio, advantages)
    clipped = ((A >= 0) & (r > 1 + eps)) | ((A < 0) & (r < 1 - eps))
    g = np.where(clipped, 0.0 * r * A, A) * (float(w) / r.size)
    return {"ratio": _out(g, ratio)}


GRADIENTS = backward_passes("rl", reinforce_loss_backward, ppo_clip_objective_backward)
