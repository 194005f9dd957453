"""The declared error model: ulp, error in ulps, and the derived allowance."""
import mpmath
import numpy as np
import pytest

from mathoracle.core.accuracy import FORMATS, error_ulps, judge, ulp
from mathoracle.oracles.activations import sigmoid, tanh_grad

F64, F32, F16 = FORMATS["float64"], FORMATS["float32"], FORMATS["float16"]


def test_ulp_is_the_spacing_of_the_exact_values_binade():
    assert ulp(mpmath.mpf(1), F64) == mpmath.ldexp(1, -52)
    assert ulp(mpmath.mpf("1.5"), F32) == mpmath.ldexp(1, -23)
    with mpmath.workdps(40):
        assert ulp(mpmath.mpf(1) - mpmath.ldexp(1, -60), F64) == mpmath.ldexp(1, -53)  # below 1
    assert ulp(mpmath.mpf(0), F16) == mpmath.ldexp(1, -24)  # floored at the smallest subnormal
    assert ulp(mpmath.mpf("1e-320"), F64) == mpmath.ldexp(1, -1074)


def test_a_correctly_rounded_result_is_within_half_an_ulp():
    exact = mpmath.mpf(1) / 3
    assert error_ulps(1 / 3, exact, F64) <= 0.5
    assert error_ulps(float(np.float32(1 / 3)), exact, F32) <= 0.5
    assert error_ulps(np.nextafter(1 / 3, 1), exact, F64) > 0.5


def test_infinity_is_right_exactly_when_the_exact_value_rounds_to_it():
    assert error_ulps(float("inf"), mpmath.mpf("1e400"), F64) == 0
    assert error_ulps(float("inf"), mpmath.mpf("1e300"), F64) == float("inf")
    assert error_ulps(float("-inf"), mpmath.mpf("1e400"), F64) == float("inf")
    assert error_ulps(float("inf"), mpmath.mpf(70000), F16) == 0  # beyond float16's max
    assert np.isnan(error_ulps(float("nan"), mpmath.mpf(1), F64))


def _verdict(oracle, z, got, dtype):
    inputs = {"z": np.array([z], dtype=dtype)}
    return judge(np.array([got]), oracle.exact(inputs), oracle.error, dtype)


def test_a_sigmoid_that_underflows_where_the_value_is_normal_is_wrong():
    # σ(-40) ≈ 4.25e-18 is a normal float64: 0 would make log σ = -inf
    assert not _verdict(sigmoid, -40.0, 0.0, np.float64).passed
    assert _verdict(sigmoid, -40.0, float(mpmath.exp(-40) / (1 + mpmath.exp(-40))), np.float64).passed


def test_a_subnormal_result_may_be_flushed_to_zero():
    v = _verdict(sigmoid, -89.0, 0.0, np.float32)  # σ(-89) ≈ 2.2e-39, below float32's smallest normal
    assert v.passed and v.errors[0] > 1e6  # allowed, and still reported in subnormal ulps


def test_the_allowance_grows_with_the_condition_number():
    small = _verdict(sigmoid, -1.0, 0.0, np.float64).allowed[0]
    large = _verdict(sigmoid, -700.0, 0.0, np.float64).allowed[0]
    assert large > 100 * small  # |σ'(z) z / σ(z)| ≈ |z| at z = -700


def test_the_mixed_model_forgives_one_minus_tanh_squared_near_saturation():
    z = 20.0
    cancelled = 1 - np.tanh(z) ** 2  # 0.0 in float64, where the exact value is 1.7e-17
    assert cancelled == 0.0
    assert _verdict(tanh_grad, z, cancelled, np.float64).passed
    assert not _verdict(tanh_grad, z, 1e-14, np.float64).passed


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_no_tolerance_is_needed_for_exact_results(dtype):
    from mathoracle.oracles.activations import relu
    v = judge(np.array([0.0, 3.0]), relu.exact({"z": np.array([-2.0, 3.0], dtype)}), relu.error, dtype)
    assert v.passed and v.max_ulps == 0


def test_the_worst_element_is_one_beyond_its_allowance():
    # An element within an infinite allowance (inf/inf) is not pointed at, however large its
    # error: a message must name the element that failed (issue 11, the PCA pointer).
    from mathoracle.core.accuracy import Verdict
    v = Verdict(errors=np.array([np.nan, 3.0, 2.0]), allowed=np.array([np.inf, 1.0, 4.0]),
                allowed_abs=np.array([np.inf, 1e-16, 4e-16]), within=np.array([True, False, True]),
                abs_errors=np.array([np.nan, 3e-16, 2e-16]))
    assert v.worst == (1,)
    passing = Verdict(errors=np.array([1.0, 3.0]), allowed=np.array([2.0, 4.0]),
                      allowed_abs=np.array([2e-16, 4e-16]))
    assert passing.worst == (1,)  # all within: still the largest error / allowed
