"""bfloat16 and float8 in check, the API and the pytest plugin: the activations, and every
other oracle wherever an implementation accepts the format."""
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings

import mathoracle
from mathoracle.registry import oracles
from mathoracle.oracles import domains as d

pytest_plugins = ["pytester"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["bfloat16", "float8_e4m3fn", "float8_e5m2"])
def test_domains_draw_exact_values_of_the_format_in_range(name):
    dt = np.dtype(getattr(ml_dtypes, name))
    seen = []
    inside = [e for e in d.real_edges(dt) if -1.0 <= float(e) <= 2.0]  # edges outside raise

    @settings(max_examples=200, database=None, deadline=None)
    @given(d.arrays(dt, d.elements(dt, lo=-1.0, hi=2.0, edges=inside)))
    def draw(a):
        assert a.dtype == dt
        x = a.astype(np.float64)
        assert np.all((x >= -1) & (x <= 2)) and np.array_equal(x.astype(dt).astype(np.float64), x)
        seen.extend(x.ravel().tolist())
    draw()
    assert len(set(seen)) > 10 and {-1.0, 2.0, 0.0} & set(seen)


@pytest.mark.parametrize("target", ["numpy", "torch"])
def test_the_bundled_sigmoids_pass_in_bfloat16(target):
    result = mathoracle.check("activation.sigmoid", target, dtypes=["bfloat16"], max_examples=10,
                              seed=1, properties=["agreement", "edges", "nan"])
    assert result.status == "pass" and {r.dtype for r in result.results} == {"bfloat16"}


def _engine_errors(result):
    return [f"{r.property}[{r.dtype}]: {r.reason}" for r in result.results if r.status == "error"]


# Multi-head attention's bfloat16 run takes 27 s (its symbolic build per shape): CI's heavy tier.
_SLOW = {"attention.multi_head"}


@pytest.mark.parametrize("oracle_id", [pytest.param(o, marks=pytest.mark.heavy) if o in _SLOW else o
                                       for o in oracles() if not o.startswith("activation.")])
def test_every_oracle_runs_in_bfloat16_against_numpy(oracle_id):
    # A domain, sensitivity or comparison that reads np.finfo or dtype.kind == "f" breaks on
    # the ML formats (NumPy kind "V"): an internal error, or a check that silently skips.
    result = mathoracle.check(oracle_id, "numpy", dtypes=["bfloat16"], max_examples=3, seed=1,
                              shrink=False)
    assert not _engine_errors(result), _engine_errors(result)
    assert not result.fails(), result.status


@pytest.mark.parametrize("oracle_id", ["network.mlp_gradients", "regularization.layer_norm",
                                       "attention.scaled_dot_product", "divergence.kl", "kernel.linear"])
def test_torch_runs_its_own_kernels_in_bfloat16_beyond_the_activations(oracle_id):
    result = mathoracle.check(oracle_id, "torch", dtypes=["bfloat16"], max_examples=3, seed=1,
                              shrink=False)
    assert not _engine_errors(result), _engine_errors(result)
    assert not result.fails() and any(r.status == "pass" for r in result.results), result.status


def test_an_oracle_without_float_inputs_is_not_applicable_at_a_dtype_its_target_cannot_return():
    result = mathoracle.check("attention.positional_encoding", "numpy", dtypes=["bfloat16"])
    (only,) = result.results
    assert only.status == "not applicable" and "--dtype float64" in only.reason


def test_a_wrong_function_fails_in_float8_with_a_rebuildable_counterexample():
    result = mathoracle.check("activation.sigmoid", "numpy:exp", dtypes=["float8_e4m3fn"],
                              max_examples=20, seed=1, properties=["agreement"])
    from mathoracle.text import format_check
    text = format_check(result)
    assert result.status == "fail" and "dtype=ml_dtypes.float8_e4m3fn)" in text, text


def test_an_unknown_dtype_is_refused_with_the_judged_ones():
    with pytest.raises(mathoracle.UsageError, match="float8_e4m3fn"):
        mathoracle.check("activation.sigmoid", "numpy", dtypes=["float8"])


def test_the_plugin_takes_the_ml_dtypes(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mathoracle-impl", "numpy",
                                           "--mathoracle-oracle", "activation.relu",
                                           "--mathoracle-dtype", "bfloat16", "--collect-only", "-q")
    result.stdout.fnmatch_lines(["mathoracle[[]numpy[]]::activation.relu::agreement[[]bfloat16[]]"])
    assert "[float32]" not in result.stdout.str()
