"""Keras has no reinforcement-learning functions."""
_WHY = ('Keras has no reinforcement-learning functions')
FUNCTIONS: dict = {}
NOT_APPLICABLE = {"rl.bellman_backup": _WHY, "rl.value_iteration": _WHY, "rl.policy_evaluation": _WHY, "rl.q_learning_update": _WHY, "rl.discounted_returns": _WHY, "rl.reinforce_loss": _WHY, "rl.ppo_clip_objective": _WHY}
