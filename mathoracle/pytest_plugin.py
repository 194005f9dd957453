"""The pytest plugin (entry point ``pytest11``): mathoracle inside a user's own test suite.

- ``pytest --mathoracle-impl mypkg.adapter`` adds one test per (oracle, property, dtype)
  that the implementation provides, with the stable id
  ``mathoracle[<impl>]::<oracle>::<property>[<dtype>]``. Ids (or patterns of them, with *)
  listed in the ini options ``mathoracle_xfail`` / ``mathoracle_skip`` are marked so.
- The ``mathoracle`` fixture: ``mathoracle.check("activation.softmax", my_softmax)`` runs the
  check and fails the test with the counterexample report when it does not pass.
- A property the target refuses on every input is skipped with the reason; inaccurate,
  refused and not-supported results pass unless ``--mathoracle-strict``. ``--mathoracle-param
  NAME=VALUE`` pins a parameter (in the oracles that have it); ``--mathoracle-assume EXPR``
  restricts the domain of the oracles that have every argument EXPR names.

Without ``--mathoracle-impl`` and without the fixture the plugin costs nothing: this module
imports only pytest, and mathoracle itself is imported on first use.
"""
from __future__ import annotations

import re

import pytest

DTYPES = ("float16", "float32", "float64")


def pytest_addoption(parser):
    group = parser.getgroup("mathoracle", "mathoracle: check implementations against the oracles")
    group.addoption("--mathoracle-impl", action="append", default=[], metavar="IMPL",
                    help="run the whole catalogue against this implementation (a bundled name, "
                         "package.module with FUNCTIONS or IMPLEMENTATION, or path/to/file.py); "
                         "repeatable")
    group.addoption("--mathoracle-oracle", action="append", default=[], metavar="ID",
                    help="only these oracle ids (patterns with *; repeatable)")
    group.addoption("--mathoracle-dtype", action="append", default=[], metavar="DTYPE",
                    help="dtypes to check (repeatable; default float16, float32, float64; also "
                         "bfloat16, float8_e4m3fn, float8_e5m2)")
    group.addoption("--mathoracle-examples", type=int, default=100, help="examples per property and dtype")
    group.addoption("--mathoracle-seed", type=int, default=0, help="seed of the search (default 0)")
    group.addoption("--mathoracle-timeout", type=float, default=None,
                    help="seconds one call may take (default: mathoracle's)")
    group.addoption("--mathoracle-isolate", action="store_true",
                    help="call targets in a separate process (a crash is a failure)")
    group.addoption("--mathoracle-param", action="append", default=[], metavar="NAME=VALUE",
                    help="pin a parameter, e.g. activation=relu, in the oracles that have it; "
                         "repeatable")
    group.addoption("--mathoracle-assume", default=None, metavar="EXPR",
                    help="check only inputs where this Python expression holds, in the oracles "
                         "that have every argument it names, e.g. 'np.all(y_true > 0)'")
    group.addoption("--mathoracle-strict", action="store_true",
                    help="fail on inaccurate, refused and not-supported results and on refused "
                         "inputs too")
    parser.addini("mathoracle_xfail", "test ids (patterns with *) expected to fail", type="linelist")
    parser.addini("mathoracle_skip", "test ids (patterns with *) to skip", type="linelist")


def _options(config) -> dict:
    from mathoracle.core.guard import DEFAULT_TIMEOUT
    timeout = config.getoption("mathoracle_timeout")
    return {"max_examples": config.getoption("mathoracle_examples"),
            "seed": config.getoption("mathoracle_seed"),
            "timeout": DEFAULT_TIMEOUT if timeout is None else (timeout or None),
            "isolate": config.getoption("mathoracle_isolate")}


def _params(config, oracle_id: str) -> dict:
    """The --mathoracle-param values for the parameters ``oracle_id`` has."""
    from mathoracle import parse_param
    from mathoracle.registry import get_oracle
    names = {p.name for p in get_oracle(oracle_id).params}
    pairs = [parse_param(text) for text in config.getoption("mathoracle_param")]
    return {k: v for k, v in pairs if k in names}


class MathoracleFixture:
    """What the ``mathoracle`` fixture gives a test."""

    def __init__(self, config):
        self._config = config

    def check(self, oracle_id, target, **options):
        """``mathoracle.check`` with the session's --mathoracle-* defaults; a failure fails
        the test with the report (no traceback into mathoracle)."""
        import mathoracle
        from mathoracle.text import format_check
        defaults = {**_options(self._config), "params": _params(self._config, oracle_id)}
        result = mathoracle.check(oracle_id, target, **{**defaults, **options})
        if result.fails(strict=self._config.getoption("mathoracle_strict")):
            pytest.fail(format_check(result), pytrace=False)
        return result


@pytest.fixture
def mathoracle(request):
    """Check functions against mathoracle's oracles: ``mathoracle.check(oracle_id, fn)``."""
    return MathoracleFixture(request.config)


class PropertyItem(pytest.Item):
    """One property of one oracle at one dtype, against one implementation."""

    def __init__(self, *, spec, oracle_id, prop, dtype, **kw):
        super().__init__(**kw)
        self.spec, self.oracle_id, self.prop, self.dtype = spec, oracle_id, prop, dtype

    def runtest(self):
        import mathoracle
        from mathoracle.registry import get_oracle
        from mathoracle.text import format_record
        assume = mathoracle.assume_for(get_oracle(self.oracle_id), self.config.getoption("mathoracle_assume"))
        result = mathoracle.check(self.oracle_id, self.spec, properties=[self.prop],
                                  dtypes=[self.dtype], params=_params(self.config, self.oracle_id),
                                  assume=assume, **_options(self.config))
        mine = [r for r in result.results if r.dtype in (self.dtype, "*")]
        if not mine:
            pytest.skip(next((n for n in result.notes if self.dtype in n), "dtype not checked"))
        rec = mine[0]
        strict = self.config.getoption("mathoracle_strict")
        if rec.fails(strict) and not (rec.dtype == "*" and "accepts none" in rec.reason):
            raise PropertyFailed("\n".join(format_record(rec)))
        if rec.status in ("not applicable", "refused") or rec.dtype == "*":
            pytest.skip(rec.reason or "not applicable")

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, PropertyFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.spec, None, self.name


class PropertyFailed(AssertionError):
    """The property does not hold; the message is mathoracle's report."""


def _matches(text: str, pattern: str) -> bool:
    """Shell-style ``*`` and ``?``; brackets are literal (ids end in ``[dtype]``)."""
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, text) is not None


def _items(session, config) -> list:
    from mathoracle.properties import properties_for
    from mathoracle.registry import UsageError, extra_properties, load_implementation, oracles
    patterns = config.getoption("mathoracle_oracle")
    from mathoracle.core.formats import ALL_NAMES
    dtypes = tuple(config.getoption("mathoracle_dtype")) or DTYPES
    bad = [d for d in dtypes if d not in ALL_NAMES]
    if bad:
        raise pytest.UsageError(f"--mathoracle-dtype {bad[0]} is not a judged dtype; use one of "
                                f"{', '.join(ALL_NAMES)}")
    xfail, skip = config.getini("mathoracle_xfail"), config.getini("mathoracle_skip")
    items = []
    from mathoracle import parse_param
    from mathoracle.report.collect import pinnable
    try:
        pinnable(list(oracles().values()), dict(parse_param(t) for t in config.getoption("mathoracle_param")))
    except UsageError as exc:
        raise pytest.UsageError(str(exc).replace("--param", "--mathoracle-param", 1)) from None
    from mathoracle import assumable
    try:
        assumable(list(oracles().values()), config.getoption("mathoracle_assume"))
    except UsageError as exc:
        raise pytest.UsageError(str(exc).replace("--assume", "--mathoracle-assume", 1)) from None
    for spec in config.getoption("mathoracle_impl"):
        try:
            impl = load_implementation(spec)
        except UsageError as exc:
            raise pytest.UsageError(f"--mathoracle-impl {spec}: {exc}") from None
        for oid, oracle in oracles().items():
            if not impl.provides(oid) or (patterns and not any(_matches(oid, p) for p in patterns)):
                continue
            for prop in properties_for(oracle, extra_properties()):
                for dtype in dtypes:
                    name = f"{oid}::{prop.name}[{dtype}]"
                    item = PropertyItem.from_parent(session, name=name, nodeid=f"mathoracle[{spec}]::{name}",
                                                    spec=spec, oracle_id=oid, prop=prop.name, dtype=dtype)
                    if any(_matches(name, p) or _matches(item.nodeid, p) for p in skip):
                        item.add_marker(pytest.mark.skip(reason="listed in mathoracle_skip"))
                    elif any(_matches(name, p) or _matches(item.nodeid, p) for p in xfail):
                        item.add_marker(pytest.mark.xfail(reason="listed in mathoracle_xfail", strict=True))
                    items.append(item)
    return items


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    if config.getoption("mathoracle_impl"):
        items.extend(_items(session, config))


def pytest_report_header(config):
    if config.getoption("mathoracle_impl"):
        o = _options(config)
        return (f"mathoracle: {', '.join(config.getoption('mathoracle_impl'))}; seed {o['seed']}, "
                f"{o['max_examples']} examples, timeout {o['timeout']}")
