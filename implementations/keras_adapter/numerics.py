"""What Keras does to numbers across its ops, shared by the section modules' deviations:
64-bit dtypes promoted to 32-bit, and probabilities clipped at ``keras.config.epsilon()``."""
from __future__ import annotations

import numpy as np

from ..base import KnownDeviation

EPSILON = 1e-7  # keras.config.epsilon(), the default the adapter leaves as it is

FLOAT32_REFERENCE = ("https://github.com/keras-team/keras/issues/23223 (result_type demotes "
                     "float64 to float32; keras/src/backend/common/dtypes.py, "
                     "_lattice_result_type: 'Force to be 32-bit dtype when encountering 64-bit')")
FLOAT32_REASON = ("keras.backend.result_type maps every 64-bit result to 32 bits (to match JAX's "
                  "default), and ops that take their compute dtype from it (mean, "
                  "dot_product_attention, …) compute float64 input in float32")
CLIP_REFERENCE = ("https://github.com/keras-team/keras/issues/15249 (binary_crossentropy clips "
                  "with epsilon); https://keras.io/api/utils/config_utils/#epsilon-function")


def any_float64(kw) -> bool:
    """True when some array argument is float64: the region of the 32-bit demotion."""
    leaves = [v for v in kw.values() if isinstance(v, np.ndarray)]
    leaves += [a for v in kw.values() if isinstance(v, (list, tuple)) for a in v
               if isinstance(a, np.ndarray)]
    return any(a.dtype == np.float64 for a in leaves)


def float32_inside(oracle: str, summary: str, witness: dict, properties=("*",)) -> KnownDeviation:
    """The deviation of ``oracle`` that the 64-to-32-bit demotion causes."""
    return KnownDeviation(oracle=oracle, properties=properties, summary=summary,
                          reason=FLOAT32_REASON, reference=FLOAT32_REFERENCE, witness=witness,
                          region=any_float64)


def clipped(*names: str, upper: bool = True):
    """Region: some probability among ``names`` lies where clip(p, ε, 1 - ε) (or clip(p, ε, 1)
    when not ``upper``) changes it, NaN aside."""
    def region(kw) -> bool:
        for n in names:
            p = np.asarray(kw[n], np.float64)
            if np.any(p < EPSILON) or (upper and np.any(p > 1 - EPSILON)):
                return True
        return False
    return region
