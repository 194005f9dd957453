"""The domains reach what they declare: every edge value and shape class an oracle module's
``COVERAGE`` lists (``oracles.domains.Coverage``, next to the domain) is drawn by the domain or
the edge strategy within a fixed, seeded number of examples. A coverage check on the
strategies, not on a target: nothing is called or judged. A declared edge outside its range
is an error where it is declared (``domains.check_edges``), never a silent omission."""
from __future__ import annotations


import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from mathoracle.oracles import domains as d
from mathoracle.oracles import section_modules
from mathoracle.registry import oracles
from mathoracle.search import own_draws

DRAWS = 150  # per strategy and dtype, derandomized: the same examples on every run
DTYPES = (np.float32, np.float64)

COVERAGE = {oid: c for m in section_modules("mathoracle.oracles", "COVERAGE")
            for oid, c in m.COVERAGE.items()}


def _draw(strategy) -> list:
    seen = []

    @settings(max_examples=DRAWS, database=None, derandomize=True, deadline=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(x):
        seen.append(x)

    with own_draws():
        collect()
    return seen


def _leaves(value) -> list:
    """The arrays (or scalars) an input holds: a list of arrays (a network's weights) is flattened."""
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def _present(edge, values) -> bool:
    """``edge`` is among the drawn values: equal, and of the same sign for a float (-0.0)."""
    if isinstance(edge, str):
        return any(isinstance(v, str) and v == edge for v in values)
    e = float(edge)
    for v in values:
        if v is None or isinstance(v, str):
            continue
        a = np.asarray(v, dtype=np.float64).reshape(-1)
        if np.any((a == e) & (np.signbit(a) == np.signbit(e))):
            return True
    return False


@pytest.fixture(scope="module")
def drawn():
    cache = {}

    def get(oid, dtype):
        if (oid, dtype) not in cache:
            o = oracles()[oid]
            cache[oid, dtype] = _draw(o.domain(np.dtype(dtype))) + _draw(o.edges(np.dtype(dtype)))
        return cache[oid, dtype]
    return get


def test_every_declaration_names_an_oracle():
    assert COVERAGE and not set(COVERAGE) - set(oracles())


def test_every_oracle_declares_its_coverage():
    """A new oracle cannot skip the check: each registered id has a ``COVERAGE`` entry
    in its module (bundled oracles; a plugin's are its own)."""
    from mathoracle.oracles import builtin_oracles
    missing = sorted(o.id for o in builtin_oracles() if o.id not in COVERAGE)
    assert not missing, f"no COVERAGE entry (oracles.domains.Coverage, next to the domain) for {missing}"


@pytest.mark.heavy
@pytest.mark.parametrize("oid", sorted(COVERAGE))
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
def test_declared_edges_are_drawn(oid, dtype, drawn):
    examples = drawn(oid, dtype)
    missing = {name: [e for e in edges if not _present(
        e, [leaf for x in examples for leaf in _leaves(x.get(name))])]
        for name, edges in COVERAGE[oid].edges(np.dtype(dtype)).items()}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"{oid} ({np.dtype(dtype).name}) never draws the declared edges {missing}"


@pytest.mark.heavy
@pytest.mark.parametrize("oid", sorted(o for o, c in COVERAGE.items() if c.classes))
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda t: np.dtype(t).name)
def test_declared_shape_classes_are_drawn(oid, dtype, drawn):
    examples = drawn(oid, dtype)
    missing = [name for name, holds in COVERAGE[oid].classes.items()
               if not any(holds(x) for x in examples)]
    assert not missing, f"{oid} ({np.dtype(dtype).name}) never draws {missing}"


@pytest.mark.parametrize("make", [
    lambda: d.elements(np.float64, lo=2.0 ** -8, hi=16.0, edges=[0.0]),
    lambda: d.elements(np.float64, lo=-1.0, hi=1.0, edges=[float("nan")]),
    lambda: d.fraction(np.float64, edges=[1.5]),
    lambda: d.fraction(np.float32, edges=[1e-300]),
])
def test_an_edge_outside_its_range_is_an_error(make):
    with pytest.raises(ValueError, match="edges"):
        make()
