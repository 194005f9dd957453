"""scikit-learn has no reinforcement learning."""
NOT_APPLICABLE = {oid: "scikit-learn has no reinforcement learning" for oid in (
    "rl.bellman_backup", "rl.value_iteration", "rl.policy_evaluation", "rl.q_learning_update",
    "rl.discounted_returns", "rl.reinforce_loss", "rl.ppo_clip_objective")}
