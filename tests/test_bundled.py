"""The bundled implementations pass every property (INACCURATE allowed, no FAIL), apart from
documented deviations."""
import pytest

import mathoracle
from mathoracle.registry import BUNDLED, UsageError, bundled, oracles
from mathoracle.results import DEVIATION, INACCURATE, NOT_APPLICABLE
from mathoracle.text import format_check
from tests.settings import EXAMPLES, SEED

# jax and keras[...] have their own files (test_jax.py, test_keras.py: Keras needs a process
# per backend), which check their cases, deviations and a few ids end to end.
CORE = [n for n in BUNDLED if n != "jax" and not n.startswith("keras[")]


def _impl(name):
    try:
        return bundled(name)
    except UsageError as exc:
        pytest.skip(str(exc))


@pytest.mark.heavy
@pytest.mark.parametrize("oracle_id", list(oracles()))
@pytest.mark.parametrize("name", CORE)
def test_bundled_implementation_conforms(name, oracle_id):
    impl = _impl(name)
    result = mathoracle.check(oracle_id, name, seed=SEED, max_examples=EXAMPLES)
    if not impl.provides(oracle_id):  # not applicable by default; a reason only where it helps
        assert result.status == NOT_APPLICABLE
        (record,) = result.results
        assert record.reason == impl.notes.get(oracle_id, f"{name} does not provide {oracle_id}")
        return
    assert result.status in ("pass", INACCURATE), format_check(result)  # no FAIL (issue #7)
    if name == "numpy":
        assert not [r for r in result.results if r.status == DEVIATION], "the reference has no excuses"


@pytest.mark.parametrize("name", CORE)
def test_known_deviations_are_documented(name):
    impl = _impl(name)
    for dev in impl.deviations:
        assert dev.oracle in oracles()
        assert dev.summary and dev.reason and dev.reference.startswith(("http", "docs", "scipy", "torch", "sklearn"))
        assert dev.region(dev.witness), f"{dev.summary}: the witness lies outside its own region"


# --- refusals need no known deviation (issue #7) -----------------------------------------
NAN_RAISERS = [  # (implementation, oracle, a NaN input it raises on)
    ("sklearn", "loss.mse", {"y_true": [float("nan")], "y_pred": [1.0]}),
    ("scipy", "pca.fit", {"X": [[float("nan"), 0.0], [1.0, 2.0], [0.0, 1.0]], "k": 1}),
    ("torch", "vae.kl_standard_normal", {"mu": [[float("nan")]], "sigma": [[1.0]]}),
    ("torch", "gan.value", {"d_real": [float("nan")], "d_fake": [0.5]}),
]


@pytest.mark.parametrize("name, oracle_id, inputs", NAN_RAISERS)
def test_raising_on_nan_satisfies_the_nan_contract(name, oracle_id, inputs):
    """check_array, check_finite and torch's argument checks raise on NaN: loud, so the
    nan property passes without a known deviation."""
    import numpy as np
    f = _impl(name).functions[oracle_id]
    with pytest.raises(Exception):
        f(**{k: np.asarray(v) if isinstance(v, list) else v for k, v in inputs.items()})
    result = mathoracle.check(oracle_id, name, seed=SEED, max_examples=10, properties=["nan"],
                              dtypes=["float64"])
    assert [r.status for r in result.results] == ["pass"], format_check(result)


@pytest.mark.parametrize("name, oracle_id, assume, words", [
    ("torch", "regularization.batch_norm", "x.shape[0] == 1", "Expected more than 1 value"),
    ("sklearn", "kernel.polynomial", "degree == 0", "'degree' parameter"),
])
def test_a_validation_error_on_finite_input_is_a_refusal_not_a_failure(name, oracle_id, assume,
                                                                       words):
    """F.batch_norm refuses a batch of one, polynomial_kernel a degree of 0: refused, with the
    message; nothing there was verified, so the check has not passed either."""
    _impl(name)
    result = mathoracle.check(oracle_id, name, seed=SEED, max_examples=10, properties=["agreement"],
                              dtypes=["float64"], assume=assume)
    (record,) = result.results
    assert record.status == "refused" and record.refusals > 0, format_check(result)
    assert words in record.refusal.message and not result.passed
