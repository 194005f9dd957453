"""The pytest plugin, run as a user runs it: in a fresh pytest process (pytester)."""
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]

USER_TESTS = '''
import numpy as np

def good_softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)

def naive_softmax(z, axis=-1):
    e = np.exp(z)
    return e / np.sum(e, axis=axis, keepdims=True)

def test_good(mathoracle):
    result = mathoracle.check("activation.softmax", good_softmax, max_examples=10, dtypes=["float64"])
    assert result.status == "pass"

def test_naive(mathoracle):
    mathoracle.check("activation.softmax", naive_softmax, max_examples=10, dtypes=["float64"])
'''

# ReLU'(0) = 1 without declaring it: agreement and edges must fail at z = 0.
USER_IMPL = '''
import numpy as np
FUNCTIONS = {"activation.relu_grad": lambda z: (z >= 0).astype(z.dtype)}
'''


@pytest.fixture
def run(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))

    def go(*args):
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    return go


def test_the_fixture_fails_a_test_with_the_counterexample(pytester, run):
    pytester.makepyfile(test_user=USER_TESTS)
    result = run("-q")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*activation.softmax against*naive_softmax*FAIL*",
                                 "*input:*z=np.array(*", "*reproduce: mathoracle check activation.softmax*"])
    assert "mathoracle/__init__.py" not in result.stdout.str()  # no traceback into the tool


def test_the_whole_catalogue_runs_with_stable_ids_and_an_xfail_list(pytester, run):
    pytester.makepyfile(impl=USER_IMPL)
    pytester.makeini("[pytest]\nmathoracle_xfail =\n    activation.relu_grad::agreement[*]\n"
                     "    activation.relu_grad::edges[*]\n")
    collected = run("--mathoracle-impl", "impl.py", "--collect-only", "-q")
    collected.stdout.fnmatch_lines(["mathoracle[[]impl.py[]]::activation.relu_grad::agreement[[]float16[]]",
                                    "mathoracle[[]impl.py[]]::activation.relu_grad::one_where_positive[[]float64[]]"])
    result = run("--mathoracle-impl", "impl.py", "--mathoracle-examples", "10", "-q", "-rs")
    result.assert_outcomes(xfailed=6, passed=12)  # one_where_positive, range, the two contracts


def test_a_failure_outside_the_lists_fails_with_the_report(pytester, run):
    pytester.makepyfile(impl=USER_IMPL)
    result = run("--mathoracle-impl", "impl.py", "--mathoracle-examples", "10", "-q",
                 "-k", "agreement and float64")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*FAIL*activation.relu_grad::agreement[[]float64[]]*",
                                 "*out[[]*]=1.0, but should be 0.0*"])


def test_a_bad_implementation_is_a_usage_error(pytester, run):
    result = run("--mathoracle-impl", "no.such.module", "-q")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--mathoracle-impl no.such.module: cannot import module*"])


def test_without_the_option_the_plugin_imports_nothing(pytester, run):
    pytester.makepyfile(test_cost='''
import sys
def test_nothing_loaded():
    assert "mathoracle.pytest_plugin" in sys.modules  # the plugin is registered...
    loaded = [m for m in ("mathoracle.registry", "sympy", "torch") if m in sys.modules]
    assert loaded == []  # ...and costs nothing
''')
    run("-q", "-p", "no:hypothesispytest").assert_outcomes(passed=1)


# A top-level module: a sigmoid that refuses more than 4 elements, a dense layer that is relu-only.
TOP_LEVEL = '''
import numpy as np

def sigmoid(z):
    if np.size(z) > 4:
        raise ValueError("at most 4 elements")
    return (1 / (1 + np.exp(-z.astype(np.float64)))).astype(z.dtype)

def dense(a_prev, W, b):
    z = a_prev @ W.T + b
    return z, np.maximum(z, 0)

FUNCTIONS = {"activation.sigmoid": sigmoid, "network.dense_forward": dense}
'''


def test_a_top_level_module_is_named_as_a_user_would_and_strict_fails_refusals(pytester, run):
    pytester.makepyfile(topimpl=TOP_LEVEL)
    args = ("--mathoracle-impl", "topimpl", "--mathoracle-oracle", "activation.sigmoid",
            "--mathoracle-examples", "10", "-q", "-k", "range and float64")
    run(*args).assert_outcomes(passed=1)
    result = run(*args, "--mathoracle-strict")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*at most 4 elements*"])


def test_a_pinned_parameter_reaches_the_oracles_that_have_it(pytester, run):
    pytester.makepyfile(topimpl=TOP_LEVEL)
    args = ("--mathoracle-impl", "topimpl", "--mathoracle-examples", "10", "-q",
            "-k", "dense_forward and agreement and float64")
    run(*args).assert_outcomes(failed=1)  # judged as sigmoid, the default
    run(*args, "--mathoracle-param", "activation=relu").assert_outcomes(passed=1)
    bad = run("--mathoracle-impl", "topimpl", "--mathoracle-param", "activaton=relu", "-q")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--mathoracle-param activaton: no oracle*has a parameter 'activaton'*"])


HALF_RIGHT = """
import numpy as np

def sigmoid(z):  # right for z >= 0 only
    s = (1 / (1 + np.exp(-np.abs(z).astype(np.float64)))).astype(z.dtype)
    return np.where(z >= 0, s, np.zeros_like(s))

FUNCTIONS = {"activation.sigmoid": sigmoid}
"""


def test_an_assumption_restricts_the_oracles_that_have_its_arguments(pytester, run):
    pytester.makepyfile(halfimpl=HALF_RIGHT)
    args = ("--mathoracle-impl", "halfimpl", "--mathoracle-examples", "20", "-q",
            "-k", "agreement and float64")
    run(*args).assert_outcomes(failed=1)
    run(*args, "--mathoracle-assume", "np.all(z >= 0)").assert_outcomes(passed=1)
    bad = run("--mathoracle-impl", "halfimpl", "--mathoracle-assume", "np.all(zz > 0)", "-q")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--mathoracle-assume 'np.all(zz > 0)': no oracle of the run has the arguments zz*"])
