"""The command line: exit status 0 / 1 / 2, and one clear line for bad input."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mathoracle.cli import main

BROKEN = str(Path(__file__).parent / "targets" / "broken.py")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, words", [
    (["check", "activation.nope", "scipy.special:softmax"], "unknown oracle id 'activation.nope'; did you mean"),
    (["check", "activation.sigmoid", "no_such_module_xyz:f"], "cannot import module 'no_such_module_xyz'"),
    (["check", "activation.sigmoid", "numpy:expp"], "module 'numpy' has no attribute 'expp' (did you mean 'exp'?)"),
    (["check", "activation.sigmoid", "numpy.exp"], "TARGET must be 'package.module:function'"),
    (["check", "activation.sigmoid", "nosuchdir/x.py:f"], "no such file 'nosuchdir/x.py'"),
    (["check", "activation.sigmoid", f"{BROKEN}:not_a_function"], "names a int object, not a function"),
    (["check", "activation.sigmoid", "numpy:exp", "--dtype", "float8"], "dtypes=['float8'] is not valid"),
    (["check", "activation.sigmoid", "numpy:exp", "--max-examples", "lots"], "invalid int value: 'lots'"),
    (["check", "activation.sigmoid", "numpy:exp", "--property", "sums_to_one"], "are not properties of"),
    (["check", "activation.sigmoid", "pandas"], "(or a bundled implementation: numpy, torch"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_bad_input_gets_one_line_and_exit_2(capsys, argv, words):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("mathoracle: error: ")
    assert words in err


def test_a_conforming_target_exits_0(capsys):
    code, out, _ = run(capsys, "check", "activation.sigmoid", "scipy.special:expit", "--seed", "3",
                       "--max-examples", "30")
    assert code == 0 and "PASS" in out.splitlines()[0]


def test_a_nonconforming_target_exits_1_with_a_readable_counterexample(capsys):
    code, out, _ = run(capsys, "check", "activation.sigmoid", "numpy:exp", "--seed", "3",
                       "--dtype", "float64", "--property", "agreement")
    assert code == 1
    for field in ("input:", "expected:", "got:", "error:", "reproduce: mathoracle check", "--seed 3", "call:"):
        assert field in out


def test_a_file_target_is_loaded_by_path(capsys):
    code, out, _ = run(capsys, "check", "activation.sigmoid", f"{BROKEN}:wider", "--seed", "3",
                       "--max-examples", "10", "--dtype", "float32")
    assert code == 0, out


def test_list_shows_every_catalogue_id(capsys):
    code, out, _ = run(capsys, "list")
    assert code == 0
    from mathoracle.registry import oracles
    for oid in oracles():
        assert oid in out
    code, out, _ = run(capsys, "list", "--json")
    rows = json.loads(out)
    assert {r["id"] for r in rows} == set(oracles()) and all("implementations" in r for r in rows)


def test_the_module_and_the_console_script_run():
    proc = subprocess.run([sys.executable, "-m", "mathoracle", "check", "activation.nope", "numpy:exp"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


REFUSES_LARGE = '''
import numpy as np

def sigmoid(z):
    if np.size(z) > 4:
        raise ValueError("at most 4 elements")
    return (1 / (1 + np.exp(-z.astype(np.float64)))).astype(z.dtype)

FUNCTIONS = {"activation.sigmoid": sigmoid}
'''

DENSE_RELU = '''
import numpy as np

def dense(a_prev, W, b):
    z = a_prev @ W.T + b
    return z, np.maximum(z, 0)
'''

QUICK = ["--seed", "1", "--max-examples", "10", "--dtype", "float64"]


@pytest.mark.parametrize("argv, words", [
    (["--param", "activation"], "--param 'activation' must be NAME=VALUE, e.g. activation=relu"),
    (["--param", "activaton=relu"], "'activaton' is not a parameter of network.dense_forward; its "
                                    "parameters are activation"),
    (["--param", "activation=relu", "--param", "activation=tanh"], "--param activation is given twice"),
    (["--assume", "np.all(a_prev >"], "is not a Python expression"),
    (["--assume", "np.all(y > 0)"], "name 'y' is not defined; the names are a_prev, W, b, activation and np"),
])
def test_bad_params_and_assumptions_get_one_line_and_exit_2(capsys, tmp_path, argv, words):
    (tmp_path / "dense.py").write_text(DENSE_RELU)
    code, out, err = run(capsys, "check", "network.dense_forward", f"{tmp_path / 'dense.py'}:dense", *argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert words in err


def test_a_pinned_parameter_is_what_the_target_computes(capsys, tmp_path):
    (tmp_path / "dense.py").write_text(DENSE_RELU)
    target = f"{tmp_path / 'dense.py'}:dense"
    argv = ["check", "network.dense_forward", target, "--property", "agreement", *QUICK]
    assert run(capsys, *argv)[0] == 1  # judged as the default, sigmoid
    code, out, _ = run(capsys, *argv, "--param", "activation=relu")
    assert code == 0, out


def test_refused_inputs_exit_0_and_1_under_strict(capsys, tmp_path):
    (tmp_path / "refuses.py").write_text(REFUSES_LARGE)
    argv = ["check", "activation.sigmoid", f"{tmp_path / 'refuses.py'}:sigmoid", "--property",
            "agreement", *QUICK]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "raised ValueError: at most 4 elements" in out, out
    assert run(capsys, *argv, "--strict")[0] == 1


def test_the_report_exits_1_under_strict_only(capsys, tmp_path):
    (tmp_path / "refuses.py").write_text(REFUSES_LARGE)
    argv = ["report", "--impl", str(tmp_path / "refuses.py"), "--oracle", "activation.sigmoid",
            "--out", str(tmp_path / "out"), "-q", *QUICK]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and " 0 fail" in out
    assert run(capsys, *argv, "--strict")[0] == 1
    code, _, err = run(capsys, *argv, "--param", "activation=relu")
    assert code == 2 and "--param activation: no oracle of the report has a parameter 'activation'" in err


def test_a_top_level_module_in_the_current_directory_is_an_implementation(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    (tmp_path / "my_cli_impl.py").write_text(REFUSES_LARGE)
    code, out, err = run(capsys, "check", "activation.sigmoid", "my_cli_impl", "--property", "range", *QUICK)
    assert code == 0, err + out
    code, out, err = run(capsys, "report", "--impl", "my_cli_impl", "--oracle", "activation.sigmoid",
                         "--out", str(tmp_path / "out"), "-q", *QUICK)
    assert code == 0 and "wrote" in out, err
    code, _, err = run(capsys, "report", "--impl", "no_such_impl_here", "--out", str(tmp_path / "out"))
    assert code == 2 and "unknown implementation 'no_such_impl_here'" in err
