"""keras.losses functions: each reduces over the last axis (a mean; a sum for the categorical
cross-entropy); the adapter takes the mean of the rest, as the loss classes' default
"sum_over_batch_size" does. Keras takes (y_true, y_pred), as the catalogue."""


def _mean(k, per_sample):
    return k.ops.convert_to_numpy(k.ops.mean(per_sample))


def mse(k, y_true, y_pred):
    """mean(keras.losses.mean_squared_error(y_true, y_pred))."""
    return _mean(k, k.losses.mean_squared_error(y_true, y_pred))


def mae(k, y_true, y_pred):
    """mean(keras.losses.mean_absolute_error(y_true, y_pred))."""
    return _mean(k, k.losses.mean_absolute_error(y_true, y_pred))


def huber(k, y_true, y_pred, delta=1.0):
    """mean(keras.losses.huber(y_true, y_pred, delta=delta))."""
    return _mean(k, k.losses.huber(y_true, y_pred, delta=delta))


def binary_cross_entropy(k, y_true, p):
    """mean(keras.losses.binary_crossentropy(y_true, p))."""
    return _mean(k, k.losses.binary_crossentropy(y_true, p))


def categorical_cross_entropy(k, y_onehot, p):
    """mean(keras.losses.categorical_crossentropy(y_onehot, p))."""
    return _mean(k, k.losses.categorical_crossentropy(y_onehot, p))


def focal(k, y_true, p, alpha=0.25, gamma=2.0):
    """mean(keras.losses.binary_focal_crossentropy(y_true, p, apply_class_balancing=True,
    alpha=alpha, gamma=gamma)) (α for class 1, 1 - α for class 0)."""
    return _mean(k, k.losses.binary_focal_crossentropy(
        y_true, p, apply_class_balancing=True, alpha=alpha, gamma=gamma))


FUNCTIONS = {f"loss.{f.__name__}": f for f in (mse, mae, huber, binary_cross_entropy,
                                              categorical_cross_entropy, focal)}
