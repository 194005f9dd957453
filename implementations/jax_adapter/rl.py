"""rlax where it has the formula: discounted returns, the Q-learning TD error and the PPO clipped surrogate."""
import jax.numpy as jnp
import numpy as np
import rlax

from mathoracle.core.formats import finfo
from mathoracle.oracles.rl import terminal

from ..base import KnownDeviation
from .arrays import gradients, numpy_functions, to_numpy


def discounted_returns(rewards, gamma, dones=None):
    """rlax.discounted_returns(r, γ·(1 - done), 0): G_t = r_t + discount_t·G_{t+1}, G_T = 0."""
    r = jnp.asarray(rewards)
    ends = jnp.zeros(r.shape, r.dtype) if dones is None else jnp.asarray(dones).astype(r.dtype)
    discount = gamma * (1 - ends)
    return to_numpy(rlax.discounted_returns(r, discount, jnp.zeros((), r.dtype)))


def q_learning_update(Q, s, a, r, s_next, alpha, gamma, done=False):
    """Q(s, a) + α·rlax.q_learning(Q[s], a, r, γ·(1 - done), Q[s']) (the TD error)."""
    q = jnp.asarray(Q)
    td = rlax.q_learning(q[s], a, jnp.asarray(r, q.dtype),
                         jnp.asarray(0.0 if done else gamma, q.dtype), q[s_next])
    return to_numpy(q.at[s, a].add(alpha * td))


def ppo_clip_objective(ratio, advantages, eps=0.2):
    """-rlax.clipped_surrogate_pg_loss(ratio, advantages, eps) (rlax returns the negated mean)."""
    return -rlax.clipped_surrogate_pg_loss(ratio, advantages, eps)


FUNCTIONS = {"rl.discounted_returns": discounted_returns, "rl.q_learning_update": q_learning_update,
             **numpy_functions("rl", ppo_clip_objective)}
GRADIENTS = gradients("rl", ppo_clip_objective)

_NONE = "rlax has no {} (its value functions take sampled transitions, not a model P, R)"
NOT_APPLICABLE = {
    "rl.bellman_backup": _NONE.format("Bellman backup over a transition model"),
    "rl.value_iteration": _NONE.format("value iteration"),
    "rl.policy_evaluation": _NONE.format("exact policy evaluation"),
    "rl.reinforce_loss": "rlax.policy_gradient_loss takes logits and averages over time, "
                         "not -Σ log π·G",
}


def _at_clip_edge(kw) -> bool:
    """Some ratio at 1 - ε or 1 + ε (within an ulp): min(rA, clip(r)A) is a tie there."""
    r = np.asarray(kw["ratio"])
    u = float(finfo(r.dtype).eps)
    eps, r = kw.get("eps", 0.2), r.astype(np.float64)
    return bool(np.any((np.abs(r - (1 - eps)) <= 2 * u) | (np.abs(r - (1 + eps)) <= 2 * u)))


DEVIATIONS = (
    KnownDeviation(
        oracle="rl.q_learning_update",
        properties=("agreement", "edges", "alpha_one_sets_target", "alpha_zero_unchanged",
                    "done_stops_bootstrap"),
        summary="done with every action of s' masked by -inf gives NaN, not the target r "
                "(Q = [[0, 0], [-inf, -inf]], s = a = 0, s' = 1, done: NaN for 0)",
        reason="rlax.q_learning bootstraps as r + discount·max Q(s', ·) and a done is passed as "
               "discount 0: 0·(-inf) is NaN (the adapter's own discount = γ·(1 - done) is "
               "rlax's documented way to end an episode)",
        reference="https://github.com/google-deepmind/rlax/blob/master/rlax/_src/value_learning.py "
                  "(q_learning: target_tm1 = r_t + discount_t * jnp.max(q_t))",
        witness={"Q": np.array([[0.0, 0.0], [-np.inf, -np.inf]]), "s": 0, "a": 0, "r": 0.0,
                 "s_next": 1, "alpha": 0.5, "gamma": 0.9, "done": True},
        region=terminal),
    KnownDeviation(
        oracle="rl.ppo_clip_objective", properties=("gradient",),
        summary="at r = 1 ± ε the gradient is split between the tied branches of min and clip "
                "(0.5 instead of 1 at r = 0.75, A = 1, ε = 0.25)",
        reason="JAX's jnp.minimum and jnp.maximum (hence jnp.clip) give each of two equal "
               "operands half the gradient",
        reference="https://github.com/jax-ml/jax/issues/37821 (the gradient of maximum at a tie "
                  "is 0.5); https://github.com/jax-ml/jax/pull/2195",
        witness={"ratio": np.array([0.75], np.float32), "advantages": np.array([1.0], np.float32),
                 "eps": 0.25},
        region=_at_clip_edge),
)
