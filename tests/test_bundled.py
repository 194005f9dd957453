"""The bundled implementations pass every property, apart from documented deviations."""
import pytest

import mathoracle
from mathoracle.registry import BUNDLED, UsageError, bundled, oracles
from mathoracle.results import DEVIATION, NOT_APPLICABLE
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


@pytest.mark.parametrize("oracle_id", list(oracles()))
@pytest.mark.parametrize("name", CORE)
def test_bundled_implementation_conforms(name, oracle_id):
    impl = _impl(name)
    result = mathoracle.check(oracle_id, name, seed=SEED, max_examples=EXAMPLES)
    if not impl.provides(oracle_id):
        assert result.status == NOT_APPLICABLE
        assert impl.notes.get(oracle_id), f"{name} lacks {oracle_id} but does not say why"
        return
    assert result.status == "pass", format_check(result)
    if name == "numpy":
        assert not [r for r in result.results if r.status == DEVIATION], "the reference has no excuses"


@pytest.mark.parametrize("name", CORE)
def test_known_deviations_are_documented(name):
    impl = _impl(name)
    for dev in impl.deviations:
        assert dev.oracle in oracles()
        assert dev.summary and dev.reason and dev.reference.startswith(("http", "docs", "scipy", "torch", "sklearn"))
        assert dev.region(dev.witness), f"{dev.summary}: the witness lies outside its own region"
