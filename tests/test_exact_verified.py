"""Every exact value is verified at two precisions, never assumed (mathoracle/core/verify.py).

Each witness is an input where 60 digits alone give a wrong answer, checked against an
independent mpmath evaluation at 400 digits.
"""
from dataclasses import dataclass

import mpmath
import numpy as np
import pytest
import sympy as sp

from mathoracle.core import memo
from mathoracle.core.errors import OracleError
from mathoracle.core.model import DIGITS, Exact, Oracle, digits
from mathoracle.core.verify import disagreement
from mathoracle.oracles.shapes import Elementwise, PerElement
from mathoracle.registry import oracles


@pytest.fixture(autouse=True)
def _fresh():
    memo.forget()
    yield
    memo.forget()


def _close(got, want, rel=mpmath.mpf(10) ** -30) -> bool:
    return abs(got - want) <= rel * abs(want)


def test_gelu_textbook_at_minus_20_is_not_the_zero_60_digits_give():
    textbook = Elementwise(id="witness.gelu_textbook", signature="gelu_textbook(z)",
                           formula="z/2·(1 + erf(z/√2))", seed="witness", arrays=("z",),
                           expr=lambda z: z / 2 * (1 + sp.erf(z / sp.sqrt(2))))
    with mpmath.workdps(DIGITS):
        assert 1 + mpmath.erf(mpmath.mpf(-20) / mpmath.sqrt(2)) == 0  # what 60 digits give
    with mpmath.workdps(400):
        want = [mpmath.mpf(z) / 2 * mpmath.erfc(-mpmath.mpf(z) / mpmath.sqrt(2)) for z in (-20, -30)]
    got = textbook.exact({"z": np.array([-20.0, -30.0])}).value
    assert _close(got[0], want[0]) and _close(got[1], want[1]), (got, want)
    assert mpmath.nstr(got[0], 2) == "-5.5e-88"


def test_a_term_of_3e_75_beside_half_minus_half_is_kept():
    shifted = PerElement(id="witness.shifted", signature="shifted(x, y)", formula="x + y - 1/2",
                         seed="witness", arrays=("x", "y"), term=lambda x, y: x + y - sp.Rational(1, 2))
    with mpmath.workdps(DIGITS):
        assert mpmath.mpf(0.5) + mpmath.mpf(3e-75) - mpmath.mpf(0.5) == 0
    got = shifted.exact({"x": np.array([0.5]), "y": np.array([3e-75])}).value
    with mpmath.workdps(400):
        assert _close(got[0], mpmath.mpf(3e-75))


def test_softmax_sensitivity_at_logits_near_1e76_is_not_inflated_by_cancellation():
    """s(1 - s) at s = 1 - e^{-1.6e60} cancels at 60 digits to ~1e-62, and times |z| = 1e76
    the sensitivity became 7.8e14: an allowance of 0.09 on a softmax output of 1."""
    z = np.array([1e76, 1e76 * (1 + 2 ** -52)])
    exact = oracles()["activation.softmax"].exact({"z": z, "axis": -1})
    assert exact.value[1] == 1
    assert exact.sensitivity[1] < 1e-100, exact.sensitivity[1]  # truly ~1e76·e^{-1.6e60}


def test_mpmath_failures_are_oracle_errors_naming_the_oracle_and_the_input():
    boom = Elementwise(id="witness.boom", signature="boom(z)", formula="1/(z - 3)", seed="witness",
                       arrays=("z",), expr=lambda z: 1 / (z - 3))
    with pytest.raises(OracleError) as info:
        boom.exact({"z": np.array([3.0])})
    text = str(info.value)
    assert "witness.boom" in text and "z=np.array([3.0], float64)" in text
    assert "ZeroDivisionError" in text


def _one(v, tiny=0) -> np.ndarray:
    """[v + 2^tiny] (exactly: at 100 digits)."""
    with mpmath.workdps(100):
        return np.array([mpmath.mpf(v) + (mpmath.mpf(2) ** tiny if tiny else 0)], dtype=object)


def test_two_answers_agree_only_well_inside_float64s_allowance():
    lo = Exact(_one(1), _one(0), 1)
    assert disagreement(lo, lo, 120) is None
    assert disagreement(lo, Exact(_one(1, -64), _one(0), 1), 120) is None  # 2^-64 < τ·u = 2^-63
    assert "element 0" in disagreement(lo, Exact(_one(1, -60), _one(0), 1), 120)
    assert disagreement(lo, Exact(_one(1), _one(0.3), 1), 120) is None  # S needs two digits
    assert "sensitivity" in disagreement(lo, Exact(_one(1), _one(1), 1), 120)
    assert "rounding bound" in disagreement(lo, Exact(_one(1), _one(0), 1, rounding=_one(1e110)), 120)


@dataclass(eq=False)
class Drifting(Oracle):
    """An answer that moves with the precision, whatever the precision: never verified."""

    def exact(self, inputs):
        return Exact(_one(1 + digits() * mpmath.mpf(2) ** -40), _one(0), 1)


def test_answers_that_never_agree_are_an_oracle_error():
    drifting = Drifting(id="witness.drifting", signature="drifting(z)", formula="1", seed="witness",
                        arrays=("z",))
    with pytest.raises(OracleError, match=r"witness.drifting: the exact value is not verified at 960 digits"):
        drifting.exact({"z": np.array([1.0])})


def test_an_oracle_error_is_an_error_record_naming_the_input_never_a_verdict():
    from hypothesis import strategies as st

    from mathoracle.core.implementation import Implementation
    from mathoracle.results import ERROR
    from mathoracle.runner import check_implementation
    pole = Elementwise(id="witness.pole", signature="pole(z)", formula="1/(z - 3)", seed="witness",
                       arrays=("z",), expr=lambda z: 1 / (z - 3),
                       domain=lambda dt: st.just({"z": np.array([3.0], dt)}),
                       probe=lambda dt: {"z": np.array([1.0], dt)})
    impl = Implementation("mine", {"witness.pole": lambda z: 1 / (z - 3)})
    result = check_implementation(pole, impl, {"witness.pole": pole}, dtypes=["float64"],
                                  max_examples=5, seed=1, only=["agreement"])
    [record] = result.results
    assert record.status == ERROR, record
    assert record.reason.startswith("oracle witness.pole: mpmath raised ZeroDivisionError")
    assert "z=np.array([3.0], float64)" in record.reason and not record.notes
