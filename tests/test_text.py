"""The plain-text rendering of results (mathoracle/text.py): comparisons that print as they
compare, short witnesses printed once, the worst witness beside the smallest, refusals,
unsupported option values, and the summary line. Records are built by hand."""
import re

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mathoracle.registry import get_oracle
from mathoracle.results import (DEVIATION, FAIL, INACCURATE, NOT_APPLICABLE, PASS, REFUSED, UNSUPPORTED,
                                CheckResult, Counterexample, PropertyResult)
from mathoracle.text import brief_value, format_check, format_record, message, pair, snippet

Z0 = "z=np.array([0.0], dtype=np.float32)"
CALL = 'python -c "import numpy as np; import numpy; f = numpy.exp; print(repr(f(np.array([0.0], dtype=np.float32))))"'


def witness(ulps, allowed, *, expected=0.5, got=1.0, z=0.0, **kw):
    inputs = {"z": np.array([z], dtype=np.float32)}
    return Counterexample(f"out[0]={got!r}, but should be {expected!r} at index (0,): {ulps:.4g} ulp, "
                          f"allowed {allowed:.3g} [sigmoid(z=np.array([{z!r}], dtype=np.float32))]",
                          inputs, expected, got, ulps, allowed, **kw)


def record(status, prop="agreement", dtype="float32", **kw):
    return PropertyResult("activation.sigmoid", "mine", prop, dtype, status, **kw)


def hand_built() -> CheckResult:
    """One check holding a record of every status, refusals, an unsupported value, and a
    failure with distinct smallest and worst witnesses."""
    refusal = Counterexample("raised ValueError: Input contains NaN [sigmoid(z=np.array([nan], dtype=np.float32))]",
                             {"z": np.array([np.nan], dtype=np.float32)})
    recs = [
        record(PASS, "range", examples=100, max_ulps=0.5, max_ratio=0.1, refusals=3, refusal=refusal,
               unsupported=["activation='leaky_relu'"]),
        record(INACCURATE, "edges", examples=100, max_ulps=174.0, max_ratio=4.83,
               counterexample=witness(174.0, 36.0, expected=0.25, got=0.2500038, z=-1.5)),
        record(REFUSED, "nan", examples=100, refusals=100, refusal=refusal,
               reason="refused every input the property drew"),
        record(UNSUPPORTED, "monotone", reason="refused every input at activation='leaky_relu'",
               unsupported=["activation='leaky_relu'"]),
        record(FAIL, examples=3, max_ulps=8.39e6, max_ratio=1.2e6,
               counterexample=witness(8388608.0, 6.75, reproduce="mathoracle check activation.sigmoid "
                                      "numpy:exp --seed 7", snippet=CALL),
               worst=witness(9.1e6, 6.75, expected=0.75, got=2.0, z=1.5)),
        record("error", "gradient", reason="internal error: KeyError: 'x'"),
        record(NOT_APPLICABLE, "tanh_relation", "*", reason="needs activation.tanh from the same implementation"),
        record(DEVIATION, "odd", examples=50, max_ulps=1.0, reason="documented (ref)"),
    ]
    return CheckResult("activation.sigmoid", "mine", 7, recs)


def _compared(line: str) -> tuple[float, str, float]:
    m = re.search(r"error: +(\S+) ulp ([>≤]) allowed (\S+) ulp", line)
    assert m, line
    return float(m.group(1)), m.group(2), float(m.group(3))


def _error_line(rec) -> str:
    return next(line for line in format_record(rec) if "error:" in line)


def test_a_failing_comparison_never_prints_as_a_passing_one():
    # 8.9781 > 8.97795: at 3 or 4 digits both print as 8.98 / 8.978
    for ulps, allowed in ((8.9781, 8.97795), (8.978, 8.9775), (1.00000001, 1.0), (4.5e6, 4.4999e6)):
        err, sign, allow = _compared(_error_line(record(FAIL, counterexample=witness(ulps, allowed))))
        assert sign == ">" and err > allow, (ulps, allowed)
    err, sign, allow = _compared(_error_line(record(INACCURATE, counterexample=witness(8.97795, 8.97795))))
    assert sign == "≤" and err <= allow


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-6, 1e12), st.integers(-3, 3))
def test_printed_numbers_compare_as_the_true_ones(a, steps):
    b = a
    for _ in range(abs(steps)):
        b = np.nextafter(b, np.inf if steps > 0 else 0)
    sa, sb = pair(a, float(b))
    assert (float(sa) > float(sb)) == (a > b) and (float(sa) <= float(sb)) == (a <= b)


def test_the_error_line_gives_the_absolute_error_and_the_ratio():
    # 7e44 ulp against an exact 0 in float64: the absolute error says what that is
    ce = Counterexample("m", {"z": np.array([1e-300])}, 0.0, 3.5e-279, 7.08e44, 4.5)
    line = _error_line(record(FAIL, dtype="float64", counterexample=ce))
    assert "|got − exact| 3.5e-279" in line and "error/allowed 1.57e+44" in line
    # a ratio just above 1 prints above 1
    line = _error_line(record(FAIL, counterexample=witness(4.500001, 4.5)))
    assert float(re.search(r"error/allowed (\S+)", line).group(1)) > 1


def test_error_over_allowed_at_the_edges():
    from mathoracle.text import ratio
    assert ratio(0.0, 0.0) == 0 and ratio(1.0, 0.0) == ratio(float("nan"), 3.0) == float("inf")
    assert ratio(3.0, float("nan")) is None and ratio(3.0, 2.0) == 1.5


def test_each_witness_is_printed_once_with_its_call_line():
    rec = record(FAIL, counterexample=witness(8388608.0, 6.75, snippet=CALL))
    text = "\n".join(format_record(rec))
    assert "sigmoid(z=" not in text  # the message's bracketed call is dropped
    assert text.count("np.array([0.0], dtype=np.float32)") == 2  # input: and call:
    assert "ulp, allowed 6.75" not in text  # the message's 3-digit comparison too
    assert f"input:     {Z0}" in text and f"call:      {CALL}" in text


def test_the_message_comparison_is_dropped_where_the_error_line_states_it():
    text = "out[0]=1.0, but should be 0.5: 8.978 ulp, allowed 8.9775 (|error| 5.4e-07, 1.0001× the allowance) [f(z=1)]"
    assert message(text, True, True) == "out[0]=1.0, but should be 0.5"
    assert message(text, True, False) == text[:text.index(" [f(")]


def test_a_message_keeps_its_call_when_no_input_line_shows_it():
    text = "out=[nan], but should be 0 [f(z=np.array([1.0]))]"
    assert message(text, has_input=False) == text
    assert message(text, has_input=True) == "out=[nan], but should be 0"
    assert message("out[3]=1.0, but should be in [0, 1]") == "out[3]=1.0, but should be in [0, 1]"


def test_a_large_input_is_abbreviated_and_its_call_rebuilds_it_exactly(capsys):
    oracle = get_oracle("activation.sigmoid")
    z = np.random.default_rng(0).standard_normal(10_000).astype(np.float32)
    z[17] = np.nan
    inputs = {"z": z}
    call = snippet("", "numpy", oracle, inputs)
    ce = Counterexample(f"out[17]=0.5, but should be nan: z[17] is nan [sigmoid(z={z.tolist()!r})]",
                        inputs, float("nan"), 0.5, snippet=call, reproduce="mathoracle check ...")
    lines = format_record(record(FAIL, prop="nan", counterexample=ce))
    summary = [line for line in lines if "call:" not in line]
    assert len("\n".join(summary).encode()) < 600, "\n".join(summary)
    assert "<float32 (10000,):" in "\n".join(summary) and "1 nan" in "\n".join(summary)
    code = re.search(r'python -c "(.*)"$', next(x for x in lines if "call:" in x)).group(1)
    exec(code, {})  # the call line runs as it is (NaN included) ...
    assert capsys.readouterr().out.startswith("array([")
    source = re.search(r"f\((np\.array\(.*\))\)\)\)$", code).group(1)
    rebuilt = eval(source, {"np": np, "nan": np.nan})  # ... and holds every value exactly
    assert rebuilt.dtype == z.dtype and np.array_equal(rebuilt, z, equal_nan=True)


def test_long_lists_in_a_message_are_shortened():
    text = message(f"out={[0.0] * 10_000!r}, but should be 0 (p = 1)", has_input=False)
    assert text == "out=[0.0, 0.0, 0.0, 0.0, … (10000 values)], but should be 0 (p = 1)"


def test_brief_values():
    assert brief_value(np.array([1.5, 2.0], dtype=np.float16)) == "np.array([1.5, 2.0], dtype=np.float16)"
    assert brief_value(np.arange(12.0).reshape(3, 4)) == "<float64 (3, 4): 0, 1, 2, 3, …; min 0, max 11>"
    assert brief_value([np.zeros(2), 3]) == "[np.array([0.0, 0.0], dtype=np.float64), 3]"
    assert brief_value(np.full(9, np.nan)) == "<float64 (9,): nan, nan, nan, nan, …; 9 nan>"
    # a small float32 array in its own shortest digits, which still read back exactly
    x = np.array([[7.148688307860275e+16, 1.6603449583053589]], dtype=np.float32)
    assert brief_value(x) == "np.array([[7.1486883e+16, 1.660345]], dtype=np.float32)"
    assert np.array_equal(eval(brief_value(x), {"np": np}), x)


def test_the_worst_witness_is_shown_beside_the_smallest():
    check = hand_built()
    text = "\n".join(format_record(check.results[4]))
    assert text.index("smallest:") < text.index("worst:")
    assert "got:       2.0" in text and "got:       1.0" in text
    same = record(FAIL, counterexample=witness(9.0, 6.75), worst=witness(9.0, 6.75))
    text = "\n".join(format_record(same))
    assert text.count("input:") == 1 and "worst:     the same input" in text


def test_refused_unsupported_and_inaccurate_records_and_the_summary_line():
    text = format_check(hand_built())
    assert text.splitlines()[0] == "activation.sigmoid against mine (seed 7): ERROR"
    assert text.count("does not support activation='leaky_relu'") == 1  # once for the check
    assert ("refused 3 inputs, e.g. raised ValueError: Input contains NaN "
            "(smallest: z=np.array([nan], dtype=np.float32))") in text
    assert "refused 100 inputs" in text
    inaccurate = text[text.index("INACCURATE"):text.index("REFUSED ")]
    assert "max 174 ulp, error/allowed 4.83" in inaccurate and "174 ulp > allowed 36 ulp" in inaccurate
    assert "input:     z=np.array([-1.5], dtype=np.float32)" in inaccurate
    assert "1 passed, 1 inaccurate, 1 refused, 1 failed, 4 other; 353 examples" in text
    assert "103 inputs refused" in text
    assert "PASS            activation.sigmoid::range[float32]" in text  # it has refusals
    assert "does not support activation='leaky_relu'" in "\n".join(format_record(hand_built().results[0]))


def test_a_finding_the_runner_states_twice_is_printed_once():
    base = hand_built().results[2]
    rec = record(REFUSED, "nan", examples=60, refusals=60, refusal=base.refusal,
                 reason=f"refused every input: {base.refusal.message}",
                 unsupported=["activation='identity'", "loss='focal'"])
    check = CheckResult("activation.sigmoid", "mine", 7, [rec],
                        notes=["does not support activation='identity'", "does not support loss='focal'"])
    text = format_check(check)
    assert text.count("Input contains NaN") == 1 and text.count("loss='focal'") == 1, text
    assert text.count("activation='identity'") == 1, text
