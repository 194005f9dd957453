"""The engine survives whatever a target does, and validates its own arguments up front."""
import numpy as np
import pytest

import mathoracle
from mathoracle.results import FAIL, NOT_APPLICABLE, PASS
from tests.targets import broken


def _check(fn, **kw):
    return mathoracle.check("activation.sigmoid", fn, seed=1, max_examples=20, **kw)


@pytest.mark.parametrize("fn, reason", [
    (broken.raises, "raised RuntimeError: boom"),
    (broken.returns_none, "out.dtype=object"),
    (broken.wrong_shape, "out.shape="),
    (broken.narrower, "out.dtype=float16, but should be float64 (narrower"),
    (broken.nan_everywhere, "=nan, but should be"),
    (broken.int_output, "out.dtype=int64, but should be"),
    (broken.returns_list, "but should be"),
])
def test_a_broken_target_is_a_recorded_failure(fn, reason):
    result = _check(fn)
    assert result.status == FAIL
    messages = " | ".join(r.counterexample.message for r in result.failures if r.counterexample)
    messages += " | ".join(r.reason for r in result.failures)
    assert reason in messages


def test_a_wider_result_is_judged_at_the_input_precision_and_noted():
    result = _check(broken.wider)
    assert result.status == PASS
    assert any("returns float64 for float32 input" in n for n in result.notes)


def test_dtypes_the_target_refuses_are_skipped_and_said():
    result = _check(broken.float64_only)
    assert {r.dtype for r in result.results} <= {"float64", "*"}
    assert any("not checked at float16" in n for n in result.notes)


def test_every_failure_carries_a_reproduction_with_the_seed():
    result = _check(np.exp, dtypes=["float32"], properties=["agreement"])
    ce = result.failures[0].counterexample
    assert "--seed 1" in ce.reproduce and "--dtype float32" in ce.reproduce
    assert ce.snippet.startswith('python -c "import numpy as np;') and ce.ulps > 1e6


def test_the_same_seed_finds_the_same_counterexample():
    a = _check(np.exp, dtypes=["float64"], properties=["agreement"])
    b = _check(np.exp, dtypes=["float64"], properties=["agreement"])
    assert a.failures[0].counterexample.message == b.failures[0].counterexample.message


def test_raise_for_status_reports_the_counterexample():
    with pytest.raises(AssertionError, match="agreement"):
        _check(np.exp, properties=["agreement"]).raise_for_status()
    _check(broken.wider).raise_for_status()


def test_a_law_needing_another_function_is_not_applicable_for_a_single_target():
    result = _check(broken.wider)
    na = [r for r in result.results if r.status == NOT_APPLICABLE]
    assert [r.property for r in na] == ["gradient", "tanh_relation"]


@pytest.mark.parametrize("kwargs, words", [
    ({"dtypes": ["float8"]}, "dtypes=['float8'] is not valid"),
    ({"max_examples": 0}, "max_examples=0 must be a positive"),
    ({"seed": -1}, "seed=-1 must be"),
    ({"properties": ["nope"]}, "properties=['nope'] are not properties of activation.sigmoid"),
])
def test_bad_arguments_are_named_with_their_value_and_the_fix(kwargs, words):
    with pytest.raises(mathoracle.UsageError, match=words.replace("[", r"\[").replace("]", r"\]")):
        mathoracle.check("activation.sigmoid", broken.wider, **kwargs)


def test_unknown_oracle_suggests_the_nearest_ids():
    with pytest.raises(mathoracle.UsageError, match="did you mean activation.sigmoid"):
        mathoracle.check("activation.sigmod", broken.wider)


def _with_gradient(grad):
    from mathoracle.implementations.base import Implementation
    from mathoracle.registry import bundled
    ref = bundled("numpy")
    return Implementation("gradient-under-test", ref.functions,
                          gradients={**ref.gradients, "activation.sigmoid": grad})


@pytest.mark.parametrize("grad, reason", [
    (broken.grad_raises, "raised ValueError: no backward"),
    (broken.grad_not_a_mapping, "should be a mapping of argument name to gradient"),
    (broken.grad_missing_argument, "no gradient for 'z'"),
    (broken.grad_wrong_shape, "grad[z].shape="),
])
def test_a_broken_gradient_is_a_recorded_failure(grad, reason):
    result = mathoracle.check("activation.sigmoid", _with_gradient(grad), seed=1, max_examples=10,
                              properties=["gradient"])
    assert result.status == FAIL
    assert reason in result.failures[0].counterexample.message


def test_a_gradient_failure_reproduces_with_its_cotangent():
    from tests.corpus.gradients import sigmoid_ignores_cotangent
    result = mathoracle.check("activation.sigmoid", _with_gradient(sigmoid_ignores_cotangent),
                              seed=1, max_examples=50, properties=["gradient"], dtypes=["float64"])
    ce = result.failures[0].counterexample
    assert "cotangent" in ce.inputs and ce.message.startswith("grad[z]")
    assert ".gradients['activation.sigmoid']" in ce.snippet


def test_without_a_gradient_function_the_gradient_property_is_not_applicable():
    result = _check(broken.wider)
    na = {r.property: r.reason for r in result.results if r.status == NOT_APPLICABLE}
    assert "gradient function" in na["gradient"]
