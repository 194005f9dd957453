"""torch has no reinforcement-learning functions in its core."""
_NONE = ("torch has no {} in its core; the formula is a few tensor ops that users write "
         "themselves (wrapping ours would test mathoracle, not torch)")
NOT_APPLICABLE = {
    "rl.bellman_backup": _NONE.format("Bellman backup"),
    "rl.value_iteration": _NONE.format("value iteration"),
    "rl.policy_evaluation": _NONE.format("policy evaluation"),
    "rl.q_learning_update": _NONE.format("Q-learning update"),
    "rl.discounted_returns": _NONE.format("discounted-returns function"),
    "rl.reinforce_loss": _NONE.format("REINFORCE loss"),
    "rl.ppo_clip_objective": _NONE.format("PPO clipped objective"),
}
