"""Reinforcement learning (P (S, A, S), R (S, A), policy (S, A)): buggy variants that must be
caught and correct ones, written differently from the NumPy reference, that must pass."""
from __future__ import annotations

import numpy as np

from . import Variant, back, wide

_ERR = dict(all="ignore")


def _q(V, P, R, gamma):
    return wide(R) + gamma * np.einsum("sat,t->sa", wide(P), wide(V))


# --- bellman_backup ------------------------------------------------------------------

def backup_mean_over_actions(V, P, R, gamma):
    return back(np.mean(_q(V, P, R, gamma), axis=-1), R)


def backup_transposed_transitions(V, P, R, gamma):
    return back(np.max(wide(R) + gamma * np.einsum("tas,t->sa", wide(P), wide(V)), axis=-1), R)


def backup_undiscounted(V, P, R, gamma):
    return back(np.max(_q(V, P, R, 1.0), axis=-1), R)


def backup_nanmax(V, P, R, gamma):
    with np.errstate(**_ERR):
        return back(np.fmax.reduce(_q(V, P, R, gamma), axis=-1), R)


def backup_loop_over_actions(V, P, R, gamma):
    best = None
    for a in range(np.shape(R)[1]):
        q = wide(R)[:, a] + gamma * (wide(P)[:, a, :] @ wide(V))
        best = q if best is None else np.where(q > best, q, np.where(np.isnan(q), q, best))
    return back(best, R)


# --- value_iteration -----------------------------------------------------------------

def vi_fixed_iterations(P, R, gamma, tol=1e-10):
    v = np.zeros(np.shape(R)[0])
    for _ in range(100):
        v = np.max(_q(v, P, R, gamma), axis=-1)
    return back(v, R)


def _vi(P, R, gamma, tol, reduce):
    p, r = wide(P).astype(np.float64), wide(R).astype(np.float64)
    v = np.zeros(r.shape[0])
    for _ in range(100000):
        with np.errstate(**_ERR):
            new = reduce(r + gamma * (p @ v))
        if not np.max(np.abs(new - v)) >= tol:  # NaN stops too
            return back(new, R)
        v = new
    return back(v, R)


def vi_min_over_actions(P, R, gamma, tol=1e-10):
    return _vi(P, R, gamma, tol, lambda q: np.min(q, axis=-1))


def vi_mean_over_actions(P, R, gamma, tol=1e-10):
    return _vi(P, R, gamma, tol, lambda q: np.mean(q, axis=-1))


def vi_nanmax(P, R, gamma, tol=1e-10):
    return _vi(P, R, gamma, tol, lambda q: np.fmax.reduce(q, axis=-1))


def vi_policy_iteration(P, R, gamma, tol=1e-10):
    """Greedy policy, exact solve, until the policy is stable (a tie keeps the action)."""
    p, r = np.asarray(P, np.float64), np.asarray(R, np.float64)
    if not (np.isfinite(p).all() and np.isfinite(r).all()):
        return back(np.full(r.shape[0], np.nan), R)
    S = r.shape[0]
    act = np.argmax(r, axis=-1)
    for _ in range(1000):
        v = np.linalg.solve(np.eye(S) - gamma * p[np.arange(S), act], r[np.arange(S), act])
        q = r + gamma * (p @ v)
        keep = q[np.arange(S), act] >= q.max(axis=-1) - 1e-12 * (1 + np.abs(v).max())
        new = np.where(keep, act, np.argmax(q, axis=-1))
        if np.array_equal(new, act):
            break
        act = new
    return back(v, R)


# --- policy_evaluation ---------------------------------------------------------------

def _pi(P, R, policy):
    pi = wide(policy).astype(np.float64)
    return np.einsum("sa,sat->st", pi, wide(P)), np.sum(pi * wide(R), axis=-1)


def pe_one_step(P, R, policy, gamma):
    return back(_pi(P, R, policy)[1], R)


def pe_transposed(P, R, policy, gamma):
    p_pi, r_pi = _pi(P, R, policy)
    return back(np.linalg.solve(np.eye(len(r_pi)) - gamma * p_pi.T, r_pi), R)


def pe_nan_to_num(P, R, policy, gamma):
    p_pi, r_pi = _pi(np.nan_to_num(P), np.nan_to_num(R), np.nan_to_num(policy))
    return back(np.linalg.solve(np.eye(len(r_pi)) - gamma * p_pi, r_pi), R)


def pe_truncated(P, R, policy, gamma):
    p_pi, r_pi = _pi(P, R, policy)
    v = np.zeros_like(r_pi)
    for _ in range(50):
        v = r_pi + gamma * p_pi @ v
    return back(v, R)


def pe_inverse_matrix(P, R, policy, gamma):
    p_pi, r_pi = _pi(P, R, policy)
    if not (np.isfinite(p_pi).all() and np.isfinite(r_pi).all()):
        return back(np.full(len(r_pi), np.nan), R)
    return back(np.linalg.inv(np.eye(len(r_pi)) - gamma * p_pi) @ r_pi, R)


def pe_iterate_to_fixed_point(P, R, policy, gamma):
    """V ← R_π + γP_πV until the float64 iteration stops moving (its own fixed point)."""
    p_pi, r_pi = _pi(P, R, policy)
    v = np.zeros_like(r_pi)
    for _ in range(20000):
        new = r_pi + gamma * (p_pi @ v)
        if not np.any(new != v) or np.isnan(new).any():
            break
        v = new
    return back(new, R)


# --- q_learning_update ---------------------------------------------------------------

def _target(Q, r, s_next, gamma, done):
    return r if done else r + gamma * np.max(wide(Q)[s_next])


def ql_alpha_ignored(Q, s, a, r, s_next, alpha, gamma, done=False):
    out = np.array(Q, copy=True)
    out[s, a] = _target(Q, r, s_next, gamma, done)
    return out


def ql_bootstraps_through_terminal(Q, s, a, r, s_next, alpha, gamma, done=False):
    out = np.array(Q, copy=True)
    q = wide(Q)
    out[s, a] = q[s, a] + alpha * (r + gamma * np.max(q[s_next]) - q[s, a])
    return out


def ql_max_over_current_state(Q, s, a, r, s_next, alpha, gamma, done=False):
    out = np.array(Q, copy=True)
    q = wide(Q)
    out[s, a] = q[s, a] + alpha * (_target(Q, r, s, gamma, done) - q[s, a])
    return out


def ql_updates_whole_row(Q, s, a, r, s_next, alpha, gamma, done=False):
    q = wide(Q)
    out = q.copy()
    out[s] = q[s] + alpha * (_target(Q, r, s_next, gamma, done) - q[s, a])
    return back(out, Q)


def ql_nanmax(Q, s, a, r, s_next, alpha, gamma, done=False):
    out = np.array(Q, copy=True)
    q = wide(Q)
    target = r if done else r + gamma * np.nanmax(q[s_next]) if not np.isnan(q[s_next]).all() else r
    out[s, a] = q[s, a] + alpha * (target - q[s, a])
    return out


def ql_done_as_factor(Q, s, a, r, s_next, alpha, gamma, done=False):
    """The target as r + (1 - done)·γ·max Q(s', ·): 0·(-inf) is NaN at a terminal s'."""
    out = np.array(Q, copy=True)
    q = wide(Q)
    target = r + (1 - float(done)) * gamma * np.max(q[s_next])
    out[s, a] = q[s, a] + alpha * (target - q[s, a])
    return out


def ql_seed_form(Q, s, a, r, s_next, alpha, gamma, done=False):
    """The seed's Q + α[r + γ max Q' - Q], in the wider dtype."""
    out = np.array(Q, copy=True)
    q = wide(Q)
    out[s, a] = q[s, a] + alpha * (_target(Q, r, s_next, gamma, done) - q[s, a])
    return out


# --- discounted_returns --------------------------------------------------------------

def _backwards(rewards, gamma, dones, reset):
    r = wide(rewards)
    out, g = np.empty_like(r), 0.0
    for t in reversed(range(len(r))):
        g = r[t] + (0.0 if reset(t) else gamma * g)
        out[t] = g
    return back(out, rewards)


def returns_g0_everywhere(rewards, gamma, dones=None):
    g = _backwards(rewards, gamma, dones, lambda t: dones is not None and dones[t])
    return np.full_like(g, g[0])


def returns_ignore_dones(rewards, gamma, dones=None):
    return _backwards(rewards, gamma, None, lambda t: False)


def returns_reset_off_by_one(rewards, gamma, dones=None):
    return _backwards(rewards, gamma, dones,
                      lambda t: dones is not None and t + 1 < len(dones) and dones[t + 1])


def returns_forward_accumulation(rewards, gamma, dones=None):
    r = wide(rewards)
    out, g = np.empty_like(r), 0.0
    for t in range(len(r)):
        g = gamma * g + r[t]
        out[t] = g
    return back(out, rewards)


def returns_nan_to_num(rewards, gamma, dones=None):
    return _backwards(np.nan_to_num(rewards), gamma, dones,
                      lambda t: dones is not None and dones[t])


def returns_power_sum(rewards, gamma, dones=None):
    """G_t = Σ_k γ^k r_{t+k} over the episode, as a matrix of powers (upper triangle)."""
    r = wide(rewards)
    T = len(r)
    ends = np.zeros(T, bool) if dones is None else np.asarray(dones, bool)
    end, out = T - 1, np.empty_like(r)
    for t in reversed(range(T)):
        end = t if ends[t] else end
        k = np.arange(end - t + 1)
        out[t] = np.sum(np.power(r.dtype.type(gamma), k) * r[t:end + 1])
    return back(out, rewards)


# --- reinforce_loss ------------------------------------------------------------------

def reinforce_positive_sign(log_probs, returns):
    return back(np.sum(wide(log_probs) * wide(returns)), log_probs)


def reinforce_normalised_returns(log_probs, returns):
    g = wide(returns)
    g = (g - g.mean()) / (g.std() + 1e-8)
    return back(-np.sum(wide(log_probs) * g), log_probs)


def reinforce_mean(log_probs, returns):
    return back(-np.mean(wide(log_probs) * wide(returns)), log_probs)


def reinforce_nansum(log_probs, returns):
    return back(-np.nansum(wide(log_probs) * wide(returns)), log_probs)


def reinforce_dot(log_probs, returns):
    return back(-np.dot(wide(log_probs), wide(returns)), log_probs)


def reinforce_backward_missing_minus(w, log_probs, returns):
    return {"log_probs": back(float(w) * wide(returns), log_probs)}


def reinforce_backward_outer(w, log_probs, returns):
    return {"log_probs": back(-wide(returns) * wide(w), log_probs)}


# --- ppo_clip_objective --------------------------------------------------------------

def _ppo_parts(ratio, advantages, eps):
    r, A = wide(ratio), wide(advantages)
    return r, A, np.clip(r, 1 - eps, 1 + eps)


def ppo_min_max_swapped(ratio, advantages, eps=0.2):
    r, A, c = _ppo_parts(ratio, advantages, eps)
    return back(np.mean(np.maximum(r * A, c * A)), ratio)


def ppo_clips_surrogate(ratio, advantages, eps=0.2):
    r, A, _ = _ppo_parts(ratio, advantages, eps)
    return back(np.mean(np.minimum(r * A, np.clip(r * A, 1 - eps, 1 + eps))), ratio)


def ppo_clip_only(ratio, advantages, eps=0.2):
    r, A, c = _ppo_parts(ratio, advantages, eps)
    return back(np.mean(c * A), ratio)


def ppo_sum(ratio, advantages, eps=0.2):
    r, A, c = _ppo_parts(ratio, advantages, eps)
    return back(np.sum(np.minimum(r * A, c * A)), ratio)


def ppo_nanmean(ratio, advantages, eps=0.2):
    r, A, c = _ppo_parts(ratio, advantages, eps)
    return back(np.nanmean(np.fmin(r * A, c * A)), ratio)


def ppo_piecewise(ratio, advantages, eps=0.2):
    """A ≥ 0: min(r, 1+ε)·A; A < 0: max(r, 1-ε)·A (the min of the two, case by case)."""
    r, A = wide(ratio), wide(advantages)
    held = np.where(A >= 0, np.minimum(r, 1 + eps), np.maximum(r, 1 - eps))
    return back(np.mean(held * A), ratio)


def ppo_backward_ignores_clip(w, ratio, advantages, eps=0.2):
    return {"ratio": back(wide(advantages) * float(w) / np.size(ratio), ratio)}


def ppo_backward_zero_outside(w, ratio, advantages, eps=0.2):
    r, A = wide(ratio), wide(advantages)
    inside = (r >= 1 - eps) & (r <= 1 + eps)
    return {"ratio": back(np.where(inside, A, 0 * A) * float(w) / r.size, ratio)}


def ppo_backward_via_held_ratio(w, ratio, advantages, eps=0.2):
    r, A = wide(ratio), wide(advantages)
    held = np.where(A >= 0, np.minimum(r, 1 + eps), np.maximum(r, 1 - eps))
    moves = (held == r) | np.isnan(r)  # ∂held/∂r = 1 where held is r itself
    return {"ratio": back(np.where(moves, A, 0 * A) * float(w) / r.size, ratio)}


_BB, _VI, _PE = "rl.bellman_backup", "rl.value_iteration", "rl.policy_evaluation"
_Q, _G = "rl.q_learning_update", "rl.discounted_returns"
_RF, _PPO = "rl.reinforce_loss", "rl.ppo_clip_objective"

BUGGY = [
    Variant(_BB, "mean_over_actions", backup_mean_over_actions,
            "averages Q over actions (the uniform policy's backup) instead of the max"),
    Variant(_BB, "transposed_transitions", backup_transposed_transitions,
            "Σ_s' P(s|s', a)V(s'): P's axes swapped, its columns need not sum to 1"),
    Variant(_BB, "undiscounted", backup_undiscounted, "drops γ: max_a [R + Σ P V]"),
    Variant(_BB, "nanmax", backup_nanmax, "np.fmax over actions: a NaN action value is skipped"),
    Variant(_VI, "fixed_iterations", vi_fixed_iterations,
            "100 sweeps whatever tol: far from V* at γ = 0.99"),
    Variant(_VI, "min_over_actions", vi_min_over_actions, "the worst action: min for max"),
    Variant(_VI, "mean_over_actions", vi_mean_over_actions,
            "evaluates the uniform random policy instead of optimising"),
    Variant(_VI, "nanmax", vi_nanmax, "np.fmax over actions: a NaN in P or R is ignored"),
    Variant(_PE, "one_step", pe_one_step, "V = R_π: the immediate reward only"),
    Variant(_PE, "transposed", pe_transposed, "solves (I - γP_πᵀ)V = R_π"),
    Variant(_PE, "truncated", pe_truncated, "50 sweeps of V ← R_π + γP_πV, not the solution"),
    Variant(_PE, "nan_to_num", pe_nan_to_num, "np.nan_to_num on the inputs hides a NaN"),
    Variant(_Q, "alpha_ignored", ql_alpha_ignored, "Q(s, a) ← target: the learning rate ignored"),
    Variant(_Q, "bootstraps_through_terminal", ql_bootstraps_through_terminal,
            "adds γ max Q(s', ·) even when done"),
    Variant(_Q, "max_over_current_state", ql_max_over_current_state,
            "bootstraps from max Q(s, ·) instead of Q(s', ·)"),
    Variant(_Q, "updates_whole_row", ql_updates_whole_row,
            "adds the TD error to every action of s"),
    Variant(_Q, "done_as_factor", ql_done_as_factor,
            "r + (1 - done)·γ·max Q(s', ·): NaN when a terminal s' has every action masked (-inf)"),
    Variant(_Q, "nanmax", ql_nanmax, "np.nanmax over Q(s', ·): a NaN action value is skipped"),
    Variant(_G, "g0_everywhere", returns_g0_everywhere, "G_0 used for every step"),
    Variant(_G, "ignores_dones", returns_ignore_dones, "bootstraps across episode boundaries"),
    Variant(_G, "reset_off_by_one", returns_reset_off_by_one,
            "resets at the step before a done instead of at the done"),
    Variant(_G, "forward_accumulation", returns_forward_accumulation,
            "accumulates forward: Σ_{k≤t} γ^{t-k} r_k, rewards already received"),
    Variant(_G, "nan_to_num", returns_nan_to_num, "np.nan_to_num on the rewards hides a NaN"),
    Variant(_RF, "positive_sign", reinforce_positive_sign,
            "+Σ log π G: the objective J, not the loss to minimise"),
    Variant(_RF, "normalised_returns", reinforce_normalised_returns,
            "standardises G (a variance-reduction trick), not the formula"),
    Variant(_RF, "mean_over_steps", reinforce_mean, "a mean over steps instead of the sum"),
    Variant(_RF, "nansum", reinforce_nansum, "np.nansum drops a NaN step"),
    Variant(_RF, "backward_missing_minus", reinforce_backward_missing_minus,
            "∂/∂log π = +G: the sign of the loss lost in the backward pass", kind="gradient"),
    Variant(_PPO, "min_max_swapped", ppo_min_max_swapped, "max(rA, clip(r)A): optimistic"),
    Variant(_PPO, "clips_surrogate", ppo_clips_surrogate,
            "clips rA to [1-ε, 1+ε] instead of the ratio"),
    Variant(_PPO, "clip_only", ppo_clip_only, "clip(r)A without the min: flat on both sides"),
    Variant(_PPO, "sum_over_steps", ppo_sum, "a sum instead of the mean"),
    Variant(_PPO, "nanmean", ppo_nanmean, "np.nanmean/fmin skip a NaN step"),
    Variant(_PPO, "backward_ignores_clip", ppo_backward_ignores_clip,
            "∂/∂r = A/n everywhere: the clip's zero gradient lost", kind="gradient"),
    Variant(_PPO, "backward_zero_outside", ppo_backward_zero_outside,
            "∂/∂r = 0 wherever r is outside [1-ε, 1+ε], also on the optimistic side",
            kind="gradient"),
]

CORRECT = [
    Variant(_BB, "loop_over_actions", backup_loop_over_actions,
            "one action at a time, a running max that keeps NaN"),
    Variant(_VI, "policy_iteration", vi_policy_iteration,
            "policy iteration: greedy policy and a linear solve until stable (V* itself)"),
    Variant(_PE, "inverse_matrix", pe_inverse_matrix, "(I - γP_π)⁻¹ R_π through the inverse"),
    Variant(_PE, "iterate_to_fixed_point", pe_iterate_to_fixed_point,
            "V ← R_π + γP_πV until the float64 iteration stops moving"),
    Variant(_Q, "seed_form", ql_seed_form, "the seed's Q + α[r + γ max Q' - Q] as written"),
    Variant(_G, "power_sum", returns_power_sum, "Σ_k γ^k r_{t+k} with np.power, per episode"),
    Variant(_RF, "dot_product", reinforce_dot, "-np.dot(log π, G)"),
    Variant(_RF, "backward_times_cotangent", reinforce_backward_outer,
            "-G·w with w broadcast", kind="gradient"),
    Variant(_PPO, "piecewise", ppo_piecewise, "min(r, 1+ε)A for A ≥ 0, max(r, 1-ε)A for A < 0"),
    Variant(_PPO, "backward_via_held_ratio", ppo_backward_via_held_ratio,
            "A/n where the held ratio is r itself, 0 where the clip holds it", kind="gradient"),
]
