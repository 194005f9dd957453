"""SciPy has no attention."""
NOT_APPLICABLE = {
    "attention.scaled_dot_product": "SciPy has no attention (scipy.special.softmax is only the "
                                    "activation)",
    "attention.multi_head": "SciPy has no multi-head attention",
    "attention.positional_encoding": "SciPy has no positional encoding",
}
