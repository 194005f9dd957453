"""The Python API: the result object, whole implementations, and declared conventions."""
import numpy as np
import pytest

import mathoracle
from mathoracle import conventions
from mathoracle.registry import load_implementation, oracles
from mathoracle.results import FAIL, PASS
from tests.targets import broken, user_impl

QUICK = dict(seed=3, max_examples=30)


def test_the_result_exposes_status_properties_examples_ulps_and_the_counterexample():
    result = mathoracle.check("activation.sigmoid", np.exp, dtypes="float64", **QUICK)
    assert result.status == FAIL and "activation.sigmoid::agreement[float64]" in result.properties
    assert result.examples > 0 and result.max_ulps > 1e3
    ce = result.counterexample
    assert ce is result.failures[0].counterexample and ce.ulps > ce.allowed
    rec = next(r for r in result.results if r.property == "agreement")
    assert rec.max_ratio > 1 and rec.median_ulps <= rec.max_ulps and rec.samples
    with pytest.raises(AssertionError, match="reproduce: mathoracle check"):
        result.raise_for_status()


def _relu_grad_strict(z):  # 0 at z = 0: the catalogue's rule
    return (z > 0).astype(z.dtype)


def _relu_grad_inclusive(z):  # 1 at z = 0
    return (z >= 0).astype(z.dtype)


@pytest.mark.parametrize("fn, declared, status", [
    (_relu_grad_strict, [], PASS),
    (_relu_grad_inclusive, [], FAIL),
    (_relu_grad_inclusive, ["relu_grad_at_zero=1"], PASS),
    (_relu_grad_strict, ["relu_grad_at_zero=1"], FAIL),
    (_relu_grad_strict, ["relu_grad_at_zero=0"], PASS),
])
def test_a_declared_convention_changes_the_expected_value_at_the_kink(fn, declared, status):
    result = mathoracle.check("activation.relu_grad", fn, conventions=declared, **QUICK)
    assert result.status == status, mathoracle.text.format_check(result)
    if status == FAIL:
        assert "z=np.array([0.0]" in result.counterexample.message.replace("-0.0", "0.0")
        assert "".join(f" --convention {c}" for c in declared) in result.counterexample.reproduce


def test_a_convention_never_touches_an_error_model_or_a_domain():
    table = conventions.apply(oracles(), ["relu_grad_at_zero=1", "leaky_relu_grad_at_zero=1"])
    for oid, o in table.items():
        base = oracles()[oid]
        assert (o.error, o.grad_error, o.domain, o.edges, o.arrays) == \
               (base.error, base.grad_error, base.domain, base.edges, base.arrays)
    changed = {oid for oid in table  # point conventions wrap every oracle; expressions change here
               if getattr(table[oid], "expr", None) is not getattr(oracles()[oid], "expr", None)}
    assert changed == {"activation.relu", "activation.relu_grad", "activation.leaky_relu",
                       "activation.leaky_relu_grad"}
    z = {"z": np.array([0.0, -2.0, 3.0]), "alpha": 0.1}
    assert [float(v) for v in table["activation.leaky_relu_grad"].exact(z).value] == [1.0, 0.1, 1.0]
    # ReLU'(0) = 1 reaches the gradient property of relu too (autograd at the kink)
    vjp = table["activation.relu"].vjp({"z": np.array([0.0])}, np.array([1.0]))["z"].value
    assert float(vjp[0]) == 1.0


def test_a_whole_implementation_module_with_functions_and_conventions():
    impl = load_implementation("tests.targets.user_impl")
    assert impl.conventions == ("relu_grad_at_zero=1",) and impl.provides("activation.relu_grad")
    result = mathoracle.check("activation.relu_grad", user_impl, **QUICK)
    assert result.status == PASS and result.conventions == ("relu_grad_at_zero=1",)
    assert mathoracle.check("activation.relu_grad", "tests.targets.user_impl", **QUICK).status == PASS
    assert mathoracle.check("activation.sigmoid", user_impl, **QUICK).status == "not applicable"


def test_a_mapping_is_an_implementation_and_laws_between_its_functions_run():
    impl = {"activation.sigmoid": broken.wider, "activation.tanh": np.tanh}
    result = mathoracle.check("activation.sigmoid", impl, dtypes=["float64"], **QUICK)
    rec = next(r for r in result.results if r.property == "tanh_relation")
    assert rec.status == PASS


@pytest.mark.parametrize("target, words", [
    ({"activation.sigmod": np.tanh}, "unknown oracle id 'activation.sigmod'"),
    ({"activation.tanh": 3}, "maps 'activation.tanh' to a int, not a function"),
    (42, "target must be a function, an implementation"),
])
def test_a_malformed_implementation_is_a_usage_error(target, words):
    with pytest.raises(mathoracle.UsageError, match=words):
        mathoracle.check("activation.tanh", target)


@pytest.mark.parametrize("declared, words", [
    (["relu_grad_at_zero=2"], "convention relu_grad_at_zero takes 0 or 1, not '2'"),
    (["relu=1"], "unknown convention 'relu=1'; the known ones are relu_grad_at_zero=0|1"),
])
def test_a_bad_convention_is_a_usage_error(declared, words):
    with pytest.raises(mathoracle.UsageError, match=words.replace("|", r"\|")):
        mathoracle.check("activation.relu_grad", _relu_grad_strict, conventions=declared)


# --- a user's own known deviations ------------------------------------------------------

def _flushing_sigmoid(z):  # σ(z) flushed to 0 below z = -20: documented by its author
    out = 1 / (1 + np.exp(-z.astype(np.float64)))
    return np.where(z < -20, 0.0, out).astype(z.dtype)


def _user_module(**extra):
    from types import SimpleNamespace
    return SimpleNamespace(FUNCTIONS={"activation.sigmoid": _flushing_sigmoid}, **extra)


FLUSH = dict(
    oracle="activation.sigmoid", properties=("agreement", "edges"),
    summary="σ(z) is 0 below z = -20", reason="the author's choice", reference="README",
    witness={"z": np.array([-30.0])}, region=lambda kw: bool(np.any(kw["z"] < -20)))


def test_a_user_declared_known_deviation_is_confirmed_and_its_region_left_out():
    from mathoracle.core.implementation import KnownDeviation
    kw = dict(dtypes=["float64"], properties=["agreement"], seed=3, max_examples=30)
    assert mathoracle.check("activation.sigmoid", _user_module(), **kw).status == FAIL
    result = mathoracle.check("activation.sigmoid", _user_module(DEVIATIONS=[KnownDeviation(**FLUSH)]), **kw)
    assert result.status == PASS and result.results[0].status == "known deviation"
    assert "σ(z) is 0 below z = -20" in result.results[0].reason


@pytest.mark.parametrize("deviations, words", [
    ("none", "DEVIATIONS must be a list of KnownDeviation, not a str"),
    ([{"oracle": "activation.sigmoid"}], "DEVIATIONS holds a dict; each item must be a"),
])
def test_malformed_user_deviations_are_usage_errors(deviations, words):
    with pytest.raises(mathoracle.UsageError, match=words):
        mathoracle.check("activation.sigmoid", _user_module(DEVIATIONS=deviations))


def test_a_known_deviation_of_a_function_not_provided_is_a_usage_error():
    from mathoracle.core.implementation import KnownDeviation
    dev = KnownDeviation(**{**FLUSH, "oracle": "activation.tanh"})
    with pytest.raises(mathoracle.UsageError, match="a known deviation of 'activation.tanh'"):
        mathoracle.check("activation.sigmoid", _user_module(DEVIATIONS=[dev]))


def test_strict_fails_a_check_with_refused_inputs():
    def refuses_large(z):
        if np.size(z) > 4:
            raise ValueError("at most 4 elements")
        return _flushing_sigmoid(z)
    result = mathoracle.check("activation.sigmoid", refuses_large, dtypes="float64",
                              properties=["range"], **QUICK)
    assert result.status == PASS and result.results[0].refusals
    result.raise_for_status()
    with pytest.raises(AssertionError):
        result.raise_for_status(strict=True)
