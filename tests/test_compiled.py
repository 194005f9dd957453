"""Compiled SymPy code kept on disk (``core.compiled``): a hit computes what a fresh
compilation computes, without deriving the expressions again; anything that could change
the code is part of the key; and what cannot be restored is never stored."""
import mpmath
import pytest
import sympy as sp

from mathoracle.core import compiled

x, y = sp.symbols("x y", real=True)
F = sp.Piecewise((sp.exp(x) / y, x > 0), (sp.erf(x), True)) + sp.log(1 + y**2) + sp.Rational(1, 3)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MATHORACLE_CACHE", str(tmp_path))
    return tmp_path / "compiled"


def _gradient(calls):
    def build():
        calls.append(1)
        return [F, [sp.diff(F, s) for s in (x, y)]]
    return build


def test_a_hit_computes_the_same_values_without_building_the_expressions(cache):
    calls = []
    first = compiled.lambdify((x, y), _gradient(calls), key=("gradient", F))
    second = compiled.lambdify((x, y), _gradient(calls), key=("gradient", F))
    assert calls == [1] and len(list(cache.glob("*.py"))) == 1
    with mpmath.workdps(50):
        for point in [(0.5, 2.0), (-3.0, 1e-300), (1e-20, -7.0)]:
            args = [mpmath.mpf(v) for v in point]
            assert second(*args) == first(*args) == sp.lambdify((x, y), _gradient([])(), "mpmath")(*args)


def test_everything_that_shapes_the_code_is_in_the_key(cache, monkeypatch):
    built = []
    compiled.lambdify((x, y), _gradient(built), key=("gradient", F))
    compiled.lambdify((x, y), _gradient(built), key=("gradient", F), cse=True)        # cse
    compiled.lambdify((y, x), _gradient(built), key=("gradient", F))                   # argument order
    positive = sp.Symbol("x", positive=True)
    compiled.lambdify((positive, y), _gradient(built), key=("gradient", F))            # assumptions
    compiled.lambdify((x, y), _gradient(built), key=("gradient", F + 1))               # the formula
    monkeypatch.setattr(compiled, "_source_digest", lambda: "edited")
    compiled.lambdify((x, y), _gradient(built), key=("gradient", F))                   # our own code
    assert len(built) == 6 and len(list(cache.glob("*.py"))) == 6


def test_off_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("MATHORACLE_CACHE", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert compiled.cache_dir() is None
    fn = compiled.lambdify((x, y), [F])
    assert fn(mpmath.mpf(1), mpmath.mpf(2))[0] == mpmath.exp(1) / 2 + mpmath.log(5) + mpmath.mpf(1) / 3
    assert not list(tmp_path.rglob("*.py"))


def test_a_damaged_entry_is_compiled_again(cache):
    calls = []
    compiled.lambdify((x, y), _gradient(calls), key=("gradient", F))
    [entry] = cache.glob("*.py")
    entry.write_text("def _lambdifygenerated(x, y:\n")
    fn = compiled.lambdify((x, y), _gradient(calls), key=("gradient", F))
    assert calls == [1, 1]
    assert fn(mpmath.mpf(1), mpmath.mpf(2))[0] == mpmath.exp(1) / 2 + mpmath.log(5) + mpmath.mpf(1) / 3


def test_code_that_needs_more_than_mpmath_is_not_stored(cache):
    from sympy.utilities.lambdify import implemented_function
    f = implemented_function("f", lambda v: 2 * v)
    fn = compiled.lambdify((x,), [f(x)])
    assert fn(mpmath.mpf(3)) == [6] and not list(cache.glob("*.py"))


def _source(fn) -> str:
    import linecache
    return "".join(linecache.getlines(fn.__code__.co_filename))


def test_subexpressions_are_shared_across_nested_lists(cache):
    zs = sp.symbols("z0:5", real=True)
    total = sum(map(sp.exp, zs))
    s = [sp.exp(z) / total for z in zs]
    fn = compiled.lambdify(zs, [s, [[sp.diff(si, z) for z in zs] for si in s]], cse=True)
    assert _source(fn).count("exp(") <= 10  # exp(2·z_i) among them; SymPy's own cse=True: 320
    with mpmath.workdps(30):
        values, jac = fn(*map(mpmath.mpf, range(5)))
        assert abs(mpmath.fsum(values) - 1) < mpmath.mpf(10) ** -28
        assert abs(jac[2][2] - values[2] * (1 - values[2])) < mpmath.mpf(10) ** -28


def test_where_sharing_computes_ahead_of_a_guard_and_fails_the_guarded_form_answers(cache):
    p, q = sp.symbols("p q", real=True)
    guarded = [sp.Piecewise((p / q, q > 0), (0, True)), sp.Piecewise((p**2 / q, q > 0), (1, True))]
    for fn in (compiled.lambdify((p, q), guarded, cse=True), compiled.lambdify((p, q), guarded, cse=True)):
        assert fn(mpmath.mpf(3), mpmath.mpf(0)) == [0, 1]  # 1/q, common to both, is computed first
        assert fn(mpmath.mpf(3), mpmath.mpf(2)) == [mpmath.mpf(1.5), mpmath.mpf(4.5)]
    [entry] = cache.glob("*.py")  # the second was read from disk: shared, and guarded
    assert "def _fast(" in entry.read_text() and "def _safe(" in entry.read_text()
    leaky = sp.Piecewise((p * q, p * q > 0), (p * q / 100, True))  # total: shared like any term
    assert _source(compiled.lambdify((p, q), [leaky, leaky * p], cse=True)).count("p*q") == 1


def test_a_builder_without_a_key_is_refused(cache):
    with pytest.raises(TypeError, match="key must name"):
        compiled.lambdify((x, y), _gradient([]))
