"""The Keras adapter on both backends, each in a process of its own (Keras fixes its backend
at import): each function called as documented, each known deviation confirmed on its
witness, a few ids end to end, and the two backends kept apart in one process."""
import json
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from tests.adapter_cases import CASES

ROOT = Path(__file__).resolve().parents[1]
END_TO_END = ["activation.softmax", "loss.mse"]
pytestmark = pytest.mark.skipif(find_spec("keras") is None, reason="keras is not installed")


@pytest.fixture(scope="module", params=["torch", pytest.param("jax", marks=pytest.mark.heavy)])
def probe(request):
    backend = request.param
    if find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    run = subprocess.run([sys.executable, "-m", "tests.keras_probe", backend, *END_TO_END],
                         cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_runs_on_its_backend(probe):
    assert probe["backend"] in ("torch", "jax")
    for oid, reason in probe["lacking"].items():  # not applicable, with the default reason or its own
        assert reason, f"{oid}: not applicable without a reason"


def test_called_as_documented(probe):
    """Argument order and reduction (the hand-computed value) and the dtype (float32 kept)."""
    assert sorted(probe["cases"]) == probe["functions"], "every adapter function needs a case"
    for oid, (value, dtype) in probe["cases"].items():
        np.testing.assert_allclose(value, CASES[oid][1], rtol=1e-5, atol=1e-6, err_msg=oid)
        assert dtype == "float32", f"{oid}: float32 input came back as {dtype}"


def test_deviations_hold_on_their_witnesses(probe):
    for dev in probe["deviations"]:
        assert dev["in_region"], f"{dev['summary']}: the witness lies outside its own region"
        assert dev["reference"].startswith("https://")
        assert dev["confirmed"], f"{dev['oracle']}: {dev['summary']} does not show on its witness"


def test_end_to_end(probe):
    for oid in END_TO_END:
        status, report = probe["checks"][oid]
        assert status == "pass", report


def test_a_second_backend_in_one_process_is_refused():
    """keras[jax] in a process that imported keras on torch: a clear error, not wrong numbers."""
    code = ("from mathoracle.registry import bundled\n"
            "import numpy as np\n"
            "bundled('keras[torch]').functions['activation.relu'](np.ones(1))\n"
            "f = bundled('keras[jax]').functions['activation.relu']\n"
            "try:\n    f(np.ones(1))\nexcept RuntimeError as e:\n    print(e)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert "keras[jax] needs its own process" in run.stdout, run.stderr[-2000:]
