"""The engine survives whatever a target does, and validates its own arguments up front."""
import contextlib
import re

import numpy as np
import pytest

import mathoracle
from mathoracle.results import FAIL, INACCURATE, NOT_APPLICABLE, PASS, REFUSED
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


def test_the_draws_depend_on_the_seed_alone_not_on_the_modules_loaded(monkeypatch):
    """Hypothesis draws now and then a number literal of the local modules loaded so far; a
    check draws none of them, so its inputs are the same whatever was loaded before it."""
    from hypothesis.internal.conjecture import providers

    from mathoracle import runner
    planted = 0.7853981633974483
    seen = []

    def record(z):
        seen.append(np.asarray(z, dtype=np.float64).ravel())
        return np.tanh(z)

    def draws():
        seen.clear()
        mathoracle.check("activation.tanh", record, seed=3, max_examples=60, dtypes=["float64"],
                         properties=["agreement"])
        return np.concatenate(seen)
    before = draws()
    table = type(providers._local_constants)()
    table.floats.add(planted)
    monkeypatch.setattr(providers, "_get_local_constants", lambda: table)  # a module's literal
    providers.CONSTANTS_CACHE.cache.clear()
    assert np.array_equal(draws(), before)
    monkeypatch.setattr(runner, "own_draws", contextlib.nullcontext)  # Hypothesis's own way
    unguarded = draws()
    providers.CONSTANTS_CACHE.cache.clear()
    assert planted in unguarded and planted not in before


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
    from mathoracle.core.implementation import Implementation
    from mathoracle.registry import bundled
    ref = bundled("numpy")
    return Implementation("gradient-under-test", ref.functions,
                          gradients={**ref.gradients, "activation.sigmoid": grad})


def _grad_divides_by_zero(w, z):
    raise ZeroDivisionError("float division by zero")


@pytest.mark.parametrize("grad, reason", [
    (_grad_divides_by_zero, "raised ZeroDivisionError: float division by zero"),
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


def test_a_gradient_that_refuses_every_input_has_not_passed():
    result = mathoracle.check("activation.sigmoid", _with_gradient(broken.grad_raises), seed=1,
                              max_examples=10, properties=["gradient"], dtypes=["float64"])
    rec = result.results[0]
    assert rec.status == REFUSED and rec.examples == 0
    assert rec.reason == "refused every input: raised ValueError: no backward"
    assert "cotangent" in rec.refusal.inputs


# --- refusals: a validation error is not a wrong answer; other exceptions are ----------

def _sigmoid(z):
    return (1 / (1 + np.exp(-np.asarray(z, np.float64)))).astype(np.asarray(z).dtype)


def _raising(exc):
    def sigmoid(z):  # the probe input has 4 elements: larger inputs raise
        if np.size(z) > 4:
            raise exc("more than 4 elements")
        return _sigmoid(z)
    return sigmoid


REFUSALS = [ValueError, np.linalg.LinAlgError, TypeError, NotImplementedError, KeyError, LookupError]
FAILURES = [IndexError, ZeroDivisionError, AttributeError, RuntimeError, ArithmeticError]


@pytest.mark.parametrize("exc", REFUSALS + FAILURES, ids=lambda e: e.__name__)
def test_a_validation_error_is_a_refusal_and_the_rest_is_checked(exc):
    result = _check(_raising(exc), dtypes=["float64"], properties=["agreement"])
    rec = result.results[0]
    if exc in FAILURES:
        assert rec.status == FAIL and f"raised {exc.__name__}" in rec.counterexample.message
        return
    assert rec.status == PASS and rec.examples == 20, mathoracle.text.format_check(result)
    assert rec.refusals > 0 and rec.refusal.message.startswith(f"raised {exc.__name__}")
    assert np.size(rec.refusal.inputs["z"]) == 5  # the smallest refused input
    assert not result.fails() and result.fails(strict=True)
    result.raise_for_status()
    with pytest.raises(AssertionError):
        result.raise_for_status(strict=True)


def test_a_target_refusing_every_input_is_refused_not_passed():
    def refuses(z):
        raise ValueError("not today")
    result = _check(refuses, dtypes=["float64"], properties=["agreement", "range"])
    assert {r.status for r in result.results} == {REFUSED} and result.status == REFUSED
    assert all(r.reason == "refused every input: raised ValueError: not today" for r in result.results)
    # nothing was verified: the check has not passed, strict or not
    assert result.fails() and result.fails(strict=True)


def test_raising_on_a_nan_input_satisfies_the_nan_contract_whatever_the_exception():
    def loud(z):
        if np.isnan(z).any():
            raise RuntimeError("NaN in input")
        return _sigmoid(z)
    result = _check(loud, dtypes=["float64"], properties=["nan", "agreement"])
    assert result.status == PASS, mathoracle.text.format_check(result)
    assert not any(r.refusals for r in result.results)


# --- option values the target never claimed -----------------------------------------

_ACTIVATIONS = {"sigmoid": _sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}


def dense_three_activations(a_prev, W, b, activation="sigmoid"):
    if activation not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    z = a_prev @ W.T + b
    return z, _ACTIVATIONS[activation](z)


def dense_relu(a_prev, W, b):
    z = a_prev @ W.T + b
    return z, np.maximum(z, 0)


def test_an_option_value_refused_on_every_input_is_not_supported_and_the_rest_is_checked():
    result = mathoracle.check("network.dense_forward", dense_three_activations, seed=1,
                              max_examples=30, dtypes=["float64"], properties=["agreement"])
    rec = result.results[0]
    assert rec.status == PASS and rec.unsupported == ["activation='identity'", "activation='leaky_relu'"]
    assert rec.refusals == 0 and rec.examples == 30
    assert "does not support activation='leaky_relu'" in result.notes
    assert not result.fails() and result.fails(strict=True)


def mlp_two_networks(x, y, weights, biases, activation="sigmoid", loss="mse"):
    """Like scikit-learn's MLP: sigmoid only with binary cross-entropy, mse only with identity."""
    from implementations.numpy_reference.network import mlp_gradients
    if (activation, loss) not in {("sigmoid", "binary_cross_entropy"), ("identity", "mse")}:
        raise NotImplementedError(f"no network with activation={activation!r} and loss={loss!r}")
    return mlp_gradients(x, y, weights, biases, activation=activation, loss=loss)


def test_values_taken_only_beside_certain_others_are_judged_by_combination():
    # Judged per value, this seed's early draws refused sigmoid (with mse) and mse (with
    # sigmoid) three times each before either was accepted: every value was then marked
    # unsupported and every later draw rejected, so all 12 records were REFUSED.
    result = mathoracle.check("network.mlp_gradients", mlp_two_networks, seed=1691764538,
                              max_examples=10, dtypes=["float16", "float32"], properties=["agreement", "edges"])
    assert result.status == PASS and all(r.examples > 0 for r in result.results), \
        mathoracle.text.format_check(result)
    assert "does not support activation='sigmoid' with loss='mse'" in result.notes
    assert "does not support activation='tanh'" in result.notes  # never accepted: named alone


def test_a_pinned_parameter_holds_for_the_whole_check_even_when_the_target_lacks_it():
    kw = dict(seed=1, max_examples=15, dtypes=["float64"], properties=["agreement"])
    assert mathoracle.check("network.dense_forward", dense_relu, **kw).status == FAIL  # sigmoid
    result = mathoracle.check("network.dense_forward", dense_relu, params={"activation": "relu"}, **kw)
    assert result.status == PASS, mathoracle.text.format_check(result)
    pinned = mathoracle.check("network.dense_forward", dense_three_activations,
                              params={"activation": "tanh"}, **kw)
    assert pinned.status == PASS and not pinned.results[0].unsupported


def test_a_failure_reproduces_with_its_pinned_parameters():
    def dense_wrong(a_prev, W, b):
        z = a_prev @ W.T + b
        return z, np.maximum(z, 0) + 1
    result = mathoracle.check("network.dense_forward", dense_wrong, params={"activation": "relu"},
                              seed=1, max_examples=10, dtypes=["float64"], properties=["agreement"])
    assert " --param activation=relu" in result.counterexample.reproduce


@pytest.mark.parametrize("params, words", [
    ({"activaton": "relu"}, "'activaton' is not a parameter of network.dense_forward; its parameters "
                            "are activation"),
    (["activation"], "params=['activation'] must be a mapping"),
])
def test_bad_pinned_parameters_are_usage_errors(params, words):
    with pytest.raises(mathoracle.UsageError, match=re.escape(words)):
        mathoracle.check("network.dense_forward", dense_relu, params=params)


# --- the domain a user's library documents --------------------------------------------

def sigmoid_for_nonnegative(z):
    return np.where(z >= 0, _sigmoid(z), 0.5).astype(z.dtype)


@pytest.mark.parametrize("assume, status", [
    (None, FAIL),
    ("np.all(z >= 0)", PASS),
    (lambda inputs: bool(np.all(inputs["z"] >= 0)), PASS),
])
def test_assume_restricts_the_domain(assume, status):
    result = _check(sigmoid_for_nonnegative, dtypes=["float64"], properties=["agreement"], assume=assume)
    assert result.status == status, mathoracle.text.format_check(result)


@pytest.mark.parametrize("assume, words", [
    ("np.all(z >", "is not a Python expression"),
    ("np.all(y > 0)", "name 'y' is not defined; the names are z and np"),
    (3, "assume=3 must be a Python expression"),
])
def test_a_malformed_assumption_is_a_usage_error(assume, words):
    with pytest.raises(mathoracle.UsageError, match=re.escape(words)):
        _check(sigmoid_for_nonnegative, assume=assume)


# --- inaccurate results, the worst witness, one cause one finding ------------------------

def _law(name, check):
    from mathoracle.core.laws import Property
    return Property("activation.sigmoid", name, "test law", check,
                    lambda o, dt: o.domain(dt).map(lambda i: {"inputs": i}))


def _run_law(prop, max_examples=20):
    from mathoracle.registry import oracles, resolve_implementation
    from mathoracle.runner import check_implementation
    impl = resolve_implementation("activation.sigmoid", _sigmoid)
    return check_implementation(oracles()["activation.sigmoid"], impl, oracles(), dtypes=["float64"],
                                max_examples=max_examples, seed=1, only=[prop.name],
                                extra_properties=(prop,))


def test_an_inaccurate_result_does_not_stop_the_search_and_keeps_its_largest_error():
    from mathoracle.core.laws import Falsified

    def law(case, ex):
        z = ex["inputs"]["z"]
        ulps = 2.0 + float(np.max(np.abs(z), initial=0))
        raise Falsified(f"{ulps} ulp, allowed 1", inputs=ex["inputs"], ulps=ulps, allowed=1.0,
                        level="inaccurate")
    rec = _run_law(_law("inaccurate_law", law)).results[0]
    assert rec.status == INACCURATE and rec.examples == 20  # every example ran
    assert rec.counterexample.ulps == max(2.0 + float(np.max(np.abs(rec.counterexample.inputs["z"]),
                                                             initial=0)), 2.0)
    assert rec.counterexample.ulps > 2.0 and not rec.fails() and rec.fails(strict=True)


def test_a_failure_carries_its_worst_example_beside_the_smallest():
    result = _check(np.exp, dtypes=["float64"], properties=["agreement"])
    rec = result.results[0]
    ce, worst = rec.counterexample, rec.worst
    assert worst is not None and worst.inputs
    assert worst.ulps / worst.allowed >= ce.ulps / ce.allowed
    assert worst.ulps / worst.allowed == pytest.approx(rec.max_ratio)


def sigmoid_wrong_at_zero(z):
    out = _sigmoid(z)
    out[z == 0] = 0.75
    return out


def test_an_input_already_found_failing_is_not_reported_again():
    result = _check(sigmoid_wrong_at_zero, dtypes=["float64"], properties=["agreement", "complement"])
    first, second = result.results[0], next(r for r in result.results if r.property == "complement")
    assert first.status == FAIL and first.counterexample.inputs["z"].tolist() == [0.0]
    assert second.status == PASS, mathoracle.text.format_check(result)
    assert second.notes == ["same input as activation.sigmoid::agreement[float64] (failing there "
                            "too): not reported again"]


def test_a_second_defect_is_still_found_beside_the_first():
    def wrong_at_zero_and_drops_nan(z):
        return np.where(np.isnan(z), 0.5, sigmoid_wrong_at_zero(z))
    result = _check(wrong_at_zero_and_drops_nan, dtypes=["float64"],
                    properties=["agreement", "nan", "complement"])
    status = {r.property: r.status for r in result.results}
    assert status == {"agreement": FAIL, "nan": FAIL, "complement": PASS}


# --- domains' bounds, point conventions, kinks decided by rounding (issue 10, class 4 and 7) ---

@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("terms", [1, 3, 8, 16, 64, 128])
def test_square_safe_bound_is_the_largest_power_of_two_whose_sums_of_squares_stay_finite(dtype, terms):
    from fractions import Fraction

    from mathoracle.oracles.domains import square_safe_bound
    b = square_safe_bound(dtype, terms)
    big = Fraction(float(np.finfo(dtype).max))
    assert b == 2.0 ** np.floor(np.log2(b))                       # a power of two
    assert terms * (2 * Fraction(b)) ** 2 <= big < terms * (4 * Fraction(b)) ** 2
    square = (np.asarray(2 * b, dtype) * np.asarray(2 * b, dtype))
    with np.errstate(over="raise"):
        total = np.sum(np.full(terms, square, dtype=dtype), dtype=dtype)  # every partial sum
        assert np.isfinite(total) and np.isfinite(np.mean(np.full(terms, square, dtype)))


def test_square_safe_bound_of_float64_is_two_to_the_507():
    from mathoracle.oracles.domains import square_safe_bound
    assert square_safe_bound("float64") == 2.0 ** 507
    with pytest.raises(ValueError, match="terms=0"):
        square_safe_bound("float64", 0)


def _flush(a):
    return np.where(np.abs(a) < np.finfo(a.dtype).tiny, 0, a).astype(a.dtype)


def _daz_linear(a_prev, W, b):
    """A layer computed as DAZ hardware reads it: subnormal inputs as zero."""
    a, w, c = (_flush(x).astype(np.float64) for x in (a_prev, W, b))
    return (a @ w.T + c).astype(a_prev.dtype)


def _linear(a_prev, W, b):
    return (a_prev.astype(np.float64) @ W.T.astype(np.float64) + b).astype(a_prev.dtype)


@pytest.mark.parametrize("declared, passing", [((), {"_linear", "_daz_linear"}),
                                               (("subnormal_inputs=exact",), {"_linear"}),
                                               (("subnormal_inputs=flushed",), {"_daz_linear"})])
def test_subnormal_inputs_read_as_zero_pass_unless_exact_is_declared(declared, passing):
    got = {fn.__name__ for fn in (_linear, _daz_linear)
           if mathoracle.check("network.linear", fn, dtypes=["float64"], seed=2, max_examples=100,
                               properties=["edges", "agreement"], conventions=list(declared)
                               ).status == PASS}
    assert got == passing


def test_a_kink_within_its_arguments_rounding_is_not_judged():
    """float16 tanh(2^-6) rounds to 2^-6 = y, so y - a = 0 and |r|' = sign(0) = 0, where the
    exact residual is 1.3e-6 and the exact dbs[2] is -0.9998: either side is a correct
    float16 evaluation. The same network with y = 0.5 decides the side."""
    from mathoracle.registry import get_oracle
    o = get_oracle("network.mlp_gradients")
    x = {"x": np.array([[0.0]], np.float16), "y": np.array([[0.015625]], np.float16),
         "weights": [np.zeros((2, 1), np.float16), np.zeros((1, 2), np.float16),
                     np.zeros((1, 1), np.float16)],
         "biases": [np.zeros(2, np.float16), np.zeros(1, np.float16),
                    np.array([0.015625], np.float16)], "activation": "tanh", "loss": "mae"}
    near = o.exact(x)
    assert float(near.value[-1]) == pytest.approx(-0.99976, abs=1e-5)
    assert np.isinf(float(np.asarray(near.slack)[-1]))
    far = o.exact({**x, "y": np.array([[0.5]], np.float16)})
    assert not np.any([np.isinf(float(s)) for s in np.asarray(far.slack).reshape(-1)])
    as_float64 = o.exact({k: [w.astype(np.float64) for w in v] if isinstance(v, list)
                          else v.astype(np.float64) if isinstance(v, np.ndarray) else v
                          for k, v in x.items()})
    assert float(np.asarray(as_float64.slack)[-1]) == 0  # float64 resolves 1.3e-6


def test_a_failure_under_an_assumption_stays_inside_it_and_reproduces_with_it():
    result = _check(np.exp, dtypes=["float64"], properties=["agreement"], assume="np.all(z > 1)")
    ce = result.counterexample
    assert result.status == FAIL and np.all(ce.inputs["z"] > 1)
    assert ce.reproduce.endswith(" --assume 'np.all(z > 1)'")


# --- the calling contracts -------------------------------------------------------------

def _sigmoid(z):
    return 1 / (1 + np.exp(-z.astype(np.float64))).astype(z.dtype)


def test_a_target_writing_into_its_input_breaks_inputs_unchanged_and_shows_it():
    def sigmoid_in_place(z):
        out = _sigmoid(z)
        z[...] = out  # the caller's z now holds σ(z)
        return out
    result = mathoracle.check("activation.sigmoid", sigmoid_in_place, seed=3, max_examples=20,
                              dtypes=["float64"], properties=["agreement", "inputs_unchanged"])
    by = {r.property: r for r in result.results}
    assert by["agreement"].status == PASS  # the numbers are right: the caller's z is not
    ce = by["inputs_unchanged"].counterexample
    assert by["inputs_unchanged"].status == FAIL and "the target wrote into its input" in ce.message
    assert "f(*a); print(repr(a))" in ce.snippet


def test_a_result_sharing_a_buffer_breaks_fresh_output_tensors_included_read_only_not():
    torch = pytest.importorskip("torch")
    buffers = {}

    def sigmoid_into_buffer(z):  # one preallocated tensor per shape, refilled and handed out
        buf = buffers.setdefault(z.shape, torch.empty(z.shape, dtype=torch.float64))
        return buf.copy_(torch.sigmoid(torch.from_numpy(z)))

    cache = {}

    def sigmoid_cached(z):  # the result of each input kept and handed out itself
        return cache.setdefault(z.tobytes(), _sigmoid(z))

    def read_only(z):
        out = _sigmoid(z)
        out.flags.writeable = False  # a caller cannot write into it: nothing to share
        return out
    kw = dict(seed=3, max_examples=20, dtypes=["float64"], properties=["fresh_output"])
    shared = mathoracle.check("activation.sigmoid", sigmoid_into_buffer, **kw)
    assert shared.status == FAIL
    assert "reuses one buffer" in shared.results[0].counterexample.message
    cached = mathoracle.check("activation.sigmoid", sigmoid_cached, **kw)
    assert cached.status == FAIL and "returned it again" in cached.results[0].counterexample.message
    assert mathoracle.check("activation.sigmoid", read_only, **kw).status == PASS
