"""keras.losses.kl_divergence(y_true, y_pred) = Σ y_true·log(y_true/y_pred) over the last
axis; the catalogue's kl(p, q) is kl_divergence(p, q)."""


def kl(k, p, q):
    """keras.losses.kl_divergence(p, q)."""
    return k.ops.convert_to_numpy(k.losses.kl_divergence(p, q))


FUNCTIONS = {"divergence.kl": kl}
