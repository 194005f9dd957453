"""scikit-learn has no attention."""
NOT_APPLICABLE = {
    "attention.scaled_dot_product": "scikit-learn has no attention (its neural networks are "
                                    "MLPs only)",
    "attention.multi_head": "scikit-learn has no multi-head attention",
    "attention.positional_encoding": "scikit-learn has no positional encoding",
}
