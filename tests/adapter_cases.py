"""Hand-computed calls for the JAX and Keras adapters: each input is one where the wrong
argument order or the wrong reduction (sum for mean, per-sample for batch) gives another
value, in float32, so that the result's dtype shows too."""
import math

import numpy as np


def f32(*rows):
    return np.array(rows, np.float32)


LN2, LN3 = math.log(2), math.log(3)
_BN = (np.array([[1.0], [3.0]]) - 2) / math.sqrt(1 + 1e-5) * 2 + 1  # x = [1, 3], γ = 2, β = 1

# id -> (keyword arguments, the exact value)
CASES = {
    "activation.sigmoid": ({"z": f32(0.0, LN3)}, [0.5, 0.75]),
    "activation.tanh": ({"z": f32(LN2)}, [0.6]),
    "activation.relu": ({"z": f32(-1.0, 2.0)}, [0.0, 2.0]),
    "activation.leaky_relu": ({"z": f32(-2.0, 3.0), "alpha": 0.5}, [-1.0, 3.0]),
    "activation.softmax": ({"z": f32([0.0], [LN3]), "axis": 0}, [[0.25], [0.75]]),
    # Φ(1) from erf, against the tanh form's 0.84119 (they differ in the fourth digit)
    "activation.gelu": ({"z": f32(0.0, 1.0)}, [0.0, 0.5 * (1 + math.erf(1 / math.sqrt(2)))]),
    "activation.gelu_tanh": ({"z": f32(0.0, 1.0)},
                             [0.0, 0.5 * (1 + math.tanh(math.sqrt(2 / math.pi) * 1.044715))]),
    "activation.silu": ({"z": f32(0.0, LN3)}, [0.0, 0.75 * LN3]),
    "activation.softplus": ({"z": f32(0.0, LN3)}, [LN2, 2 * LN2]),
    "activation.elu": ({"z": f32(-LN2, 2.0), "alpha": 0.5}, [-0.25, 2.0]),
    "activation.log_softmax": ({"z": f32([0.0], [LN3]), "axis": 0},
                               [[math.log(0.25)], [math.log(0.75)]]),
    "activation.logsumexp": ({"z": f32([0.0], [LN3]), "axis": 0}, [2 * LN2]),
    "activation.sigmoid_grad": ({"z": f32(0.0)}, [0.25]),
    "activation.tanh_grad": ({"z": f32(0.0)}, [1.0]),
    "activation.relu_grad": ({"z": f32(-1.0, 2.0)}, [0.0, 1.0]),
    "activation.leaky_relu_grad": ({"z": f32(-1.0, 2.0), "alpha": 0.5}, [0.5, 1.0]),
    "loss.mse": ({"y_true": f32(0.0, 0.0), "y_pred": f32(1.0, 3.0)}, 5.0),
    "loss.mae": ({"y_true": f32(0.0, 0.0), "y_pred": f32(1.0, 3.0)}, 2.0),
    "loss.huber": ({"y_true": f32(0.0, 0.0), "y_pred": f32(0.5, 3.0), "delta": 1.0}, 1.3125),
    "loss.binary_cross_entropy": ({"y_true": f32(1.0, 0.0), "p": f32(0.5, 0.75)}, 1.5 * LN2),
    "loss.categorical_cross_entropy": ({"y_onehot": f32([1.0, 0.0], [0.0, 1.0]),
                                        "p": f32([0.5, 0.5], [0.25, 0.75])},
                                       (LN2 + math.log(4 / 3)) / 2),
    "loss.focal": ({"y_true": f32(1.0), "p": f32(0.5), "alpha": 0.25, "gamma": 2.0},
                   0.25 * 0.25 * LN2),
    "divergence.kl": ({"p": f32(0.5, 0.5), "q": f32(0.25, 0.75)},
                      0.5 * math.log(2) + 0.5 * math.log(2 / 3)),
    "diffusion.loss": ({"noise": f32(0.0, 0.0), "noise_pred": f32(1.0, 3.0)}, 5.0),
    "regularization.batch_norm": ({"x": f32([1.0], [3.0]), "gamma": f32(2.0), "beta": f32(1.0)},
                                  _BN.tolist()),
    "regularization.layer_norm": ({"x": f32([1.0, 3.0]), "gamma": f32(2.0, 2.0),
                                   "beta": f32(1.0, 1.0)}, _BN.T.tolist()),
    "regularization.l2_penalty": ({"weights": [f32([1.0, 2.0]), f32([3.0])], "lam": 0.5}, 3.5),
    "regularization.l2_penalty_grad": ({"W": f32([1.0, 2.0]), "lam": 0.5}, [[0.5, 1.0]]),
    "regularization.sgd_weight_decay_step": ({"W": f32(1.0, 2.0), "grad": f32(1.0, 1.0),
                                              "lr": 0.5, "lam": 0.1}, [0.45, 1.4]),
    # one key masked: the query sees V's second row only
    "attention.scaled_dot_product": ({"Q": f32([1.0, 0.0]), "K": f32([1.0, 0.0], [0.0, 0.0]),
                                      "V": f32([1.0, 0.0], [0.0, 1.0]),
                                      "mask": np.array([[False, True]])}, [[0.0, 1.0]]),
    # identity projections, one head: softmax([1, 0]) over the keys, scale 1/√1
    "attention.multi_head": ({"Q": f32([1.0]), "K": f32([1.0], [0.0]), "V": f32([1.0], [0.0]),
                              "W_q": f32([1.0]), "W_k": f32([1.0]), "W_v": f32([1.0]),
                              "W_o": f32([2.0]), "num_heads": 1},
                             [[2 * math.e / (math.e + 1)]]),
    "rl.discounted_returns": ({"rewards": f32(1.0, 1.0, 1.0), "gamma": 0.5,
                               "dones": np.array([False, True, False])}, [1.5, 1.0, 1.0]),
    "rl.q_learning_update": ({"Q": f32([0.0, 0.0], [1.0, 2.0]), "s": 0, "a": 1, "r": 1.0,
                              "s_next": 1, "alpha": 0.5, "gamma": 0.5},
                             [[0.0, 1.0], [1.0, 2.0]]),
    "rl.ppo_clip_objective": ({"ratio": f32(2.0, 0.5), "advantages": f32(1.0, 1.0), "eps": 0.2},
                              0.85),
}


def call(fn, oracle_id):
    """fn on the case's inputs, as NumPy: (value, dtype name)."""
    kwargs, _ = CASES[oracle_id]
    out = np.asarray(fn(**kwargs))
    return out.tolist(), out.dtype.name


def confirmed(impl, deviation) -> list[str]:
    """The properties a deviation affects that fail on its witness (what the runner confirms)."""
    from mathoracle.properties import properties_for
    from mathoracle.registry import get_oracle, oracles
    from mathoracle.runner import Target, confirm_deviation
    oracle = get_oracle(deviation.oracle)
    target, out = Target(impl, oracles()), []
    for prop in properties_for(oracle):
        if not deviation.affects(prop.name) or any(not impl.provides(n) for n in prop.needs):
            continue
        if prop.needs_gradient and deviation.oracle not in impl.gradients:
            continue
        if confirm_deviation(prop, oracle, target, deviation):
            out.append(prop.name)
    return out
