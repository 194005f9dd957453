"""A target that hangs, crashes or raises is a recorded failure within its timeout; the run
goes on and keeps every other result."""
import time

import numpy as np
import pytest

import mathoracle
import mathoracle.registry
from mathoracle.core import guard
from mathoracle.results import FAIL, PASS
from tests.targets import broken

QUICK = dict(seed=1, max_examples=10, dtypes=["float64"], properties=["agreement", "nan"])


def _messages(result) -> str:
    return " | ".join(r.counterexample.message for r in result.failures if r.counterexample)


@pytest.mark.parametrize("fn", [broken.hangs, broken.sleeps, broken.swallows_interrupts])
def test_a_hang_is_a_failure_bounded_by_the_timeout(fn):
    mathoracle.registry.oracles()  # the catalogue is built once per process: not timed here
    started = time.perf_counter()
    result = mathoracle.check("activation.sigmoid", fn, timeout=0.3, **QUICK)
    assert time.perf_counter() - started < 5  # one timeout, not one per example or shrink step
    assert result.status == FAIL and len(result.failures) == 2
    assert "hung: timed out after 0.3 s" in _messages(result)


@pytest.mark.parametrize("fn, words", [
    (broken.hangs, "hung: timed out after 0.3 s (isolated process killed)"),
    (broken.exits, "crashed: the isolated process exited with status 3 during the call"),
    (broken.segfaults, "crashed: the isolated process died of SIGSEGV"),
    (broken.raises, "raised RuntimeError: boom"),
    (broken.returns_none, "out.dtype=object"),
])
def test_isolated_targets_that_crash_hang_or_raise_are_failures(fn, words):
    result = mathoracle.check("activation.sigmoid", fn, timeout=0.3, isolate=True, **QUICK)
    assert result.status == FAIL and words in _messages(result)


def test_an_isolated_correct_target_passes_including_a_lambda():
    result = mathoracle.check("activation.sigmoid", lambda z: broken.wider(z).astype(z.dtype),
                              isolate=True, **QUICK)
    assert result.status == PASS, mathoracle.text.format_check(result)


def test_the_other_functions_of_an_implementation_keep_their_results():
    from tests.targets import mixed_impl
    results = {oid: mathoracle.check(oid, mixed_impl, timeout=0.3, isolate=True, **QUICK)
               for oid in ("activation.sigmoid", "activation.tanh", "activation.relu")}
    assert "hung" in _messages(results["activation.sigmoid"])
    assert "SIGSEGV" in _messages(results["activation.tanh"])
    assert results["activation.relu"].status == PASS


class _HangsOnItsThirdCall:
    """Wrong on its first calls (the probe, the first example); the third call, made while
    Hypothesis shrinks the failure, sleeps past the timeout."""

    def __init__(self):
        self.calls = 0

    def __call__(self, z):
        self.calls += 1
        if self.calls >= 3:
            time.sleep(2)
        return np.zeros_like(z)


@pytest.mark.parametrize("isolate", [False, True])
def test_a_hang_while_a_failure_is_shrunk_is_a_recorded_hang_not_an_internal_error(isolate):
    target = _HangsOnItsThirdCall()
    result = mathoracle.check("activation.sigmoid", lambda z: target(z), timeout=0.3, isolate=isolate,
                              **{**QUICK, "properties": ["agreement"]})
    rec = result.results[0]
    assert rec.status == FAIL and rec.counterexample.message.startswith("hung: timed out after 0.3 s")
    assert "internal error" not in rec.reason


def _refuses_large(z):
    if np.size(z) > 4:
        raise ValueError("at most 4 elements")
    return broken.wider(z).astype(z.dtype)


def test_an_isolated_target_refuses_like_an_inline_one():
    result = mathoracle.check("activation.sigmoid", _refuses_large, isolate=True,
                              **{**QUICK, "properties": ["agreement"]})
    rec = result.results[0]
    assert rec.status == PASS and rec.refusals > 0, mathoracle.text.format_check(result)
    assert rec.refusal.message == "raised ValueError: at most 4 elements"


def test_the_alarm_passes_foreign_alarms_on_and_costs_little():
    import signal
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(1))
    try:
        with guard.limits(timeout=5):
            assert guard.run(np.tanh, (np.array([0.5]),), {}) == np.tanh(0.5)
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        time.sleep(0.05)
        assert fired == [1]
    finally:
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kwargs, words", [
    ({"timeout": -1}, "timeout=-1 must be a positive number"),
    ({"timeout": "10"}, "timeout='10' must be a positive number"),
    ({"isolate": "yes"}, "isolate='yes' must be True or False"),
])
def test_bad_limits_are_usage_errors(kwargs, words):
    with pytest.raises(mathoracle.UsageError, match=words):
        mathoracle.check("activation.sigmoid", broken.wider, **kwargs)


def test_a_target_whose_answer_changes_on_the_same_input_is_a_failure_not_an_internal_error():
    calls = []

    def wrong_once(z):  # the probe, then one wrong answer, then right ones: flaky
        calls.append(1)
        out = broken.wider(z).astype(z.dtype)
        return out + 1 if len(calls) == 2 else out
    result = mathoracle.check("activation.sigmoid", wrong_once, **{**QUICK, "properties": ["agreement"]})
    rec = result.results[0]
    assert rec.status == FAIL and "internal error" not in rec.reason
    assert "the target gave different results on the same input (flaky)" in rec.notes
