"""mathoracle: does this function compute the formula it claims to, to its dtype's precision?

    >>> import mathoracle, scipy.special
    >>> mathoracle.check("activation.sigmoid", scipy.special.expit).status
    'pass'
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

from mathoracle.core.errors import UsageError
from mathoracle.core.guard import DEFAULT_TIMEOUT
from mathoracle.results import CheckResult, Counterexample, PropertyResult

__version__ = "0.1.0"
__all__ = ["check", "list_oracles", "CheckResult", "PropertyResult", "Counterexample", "UsageError"]


def _validate(dtypes, max_examples, seed) -> tuple[str, ...] | None:
    from mathoracle.core.formats import ALL_NAMES as DTYPES  # float16/32/64 and the ml_dtypes formats
    if dtypes is not None:
        if isinstance(dtypes, str):
            dtypes = [dtypes]
        dtypes = tuple(getattr(d, "__name__", str(d)) for d in dtypes)
        bad = [d for d in dtypes if d not in DTYPES]
        if bad or not dtypes:
            raise UsageError(f"dtypes={list(dtypes)!r} is not valid; use some of {', '.join(DTYPES)}")
    if isinstance(max_examples, bool) or not isinstance(max_examples, int) or max_examples < 1:
        raise UsageError(f"max_examples={max_examples!r} must be a positive whole number, e.g. 100")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise UsageError(f"seed={seed!r} must be a non-negative whole number, or None for a random one")
    return dtypes


def check(oracle_id: str, target: str | Callable, *, dtypes: Iterable[str] | str | None = None,
          max_examples: int = 100, seed: int | None = None,
          properties: Iterable[str] | None = None, shrink: bool = True,
          timeout: float | None = DEFAULT_TIMEOUT, isolate: bool = False,
          conventions: Iterable[str] = (), params: Mapping[str, Any] | None = None,
          assume: str | Callable[[dict], bool] | None = None) -> CheckResult:
    """Check ``target`` against every property of the oracle ``oracle_id``.

    target: a callable, a 'module:function' or 'file.py:function' string, the name of a
    bundled implementation ('numpy', 'torch', 'scipy', 'sklearn'), or a whole
    implementation (an Implementation, or a module or object with FUNCTIONS).
    dtypes: the float dtypes to check (default: every one the target accepts).
    properties: property names to run (default: all of the oracle's).
    shrink: minimise each counterexample (default); False is faster when only the verdict matters.
    timeout: seconds a single call may take (None: unbounded); a hang is a recorded failure.
    isolate: call the target in a separate process, so that a crash is a recorded failure.
    conventions: declared conventions, e.g. ["relu_grad_at_zero=1"] (added to the
    implementation's own CONVENTIONS); they change the expected values, never a tolerance.
    params: parameters pinned for the whole check, e.g. {"activation": "relu"} (also for a
    target that does not take the parameter: then it declares what the target computes).
    assume: the domain restricted to inputs where this holds: a Python expression over the
    oracle's argument names and ``np`` ("np.all(y > 0)"), or a callable taking the inputs dict.
    Returns a CheckResult; ``.raise_for_status()`` turns a failure into an AssertionError.
    """
    from mathoracle import conventions as conv
    from mathoracle.core.guard import limits
    from mathoracle.properties import properties_for
    from mathoracle.registry import extra_properties, get_oracle, oracles, resolve_implementation
    from mathoracle.runner import check_implementation
    from mathoracle.text import reproduce, snippet

    oracle = get_oracle(oracle_id)
    dtypes = _validate(dtypes, max_examples, seed)
    timeout = _validate_limits(timeout, isolate)
    impl = resolve_implementation(oracle.id, target)
    declared = (*getattr(impl, "conventions", ()), *([conventions] if isinstance(conventions, str)
                                                     else conventions))
    try:
        table = conv.apply(oracles(), declared)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    oracle = table[oracle.id]
    params = validate_params(oracle, params)
    assumption = _assumption(oracle, assume)
    if properties is not None:
        properties = [properties] if isinstance(properties, str) else list(properties)
        names = [p.name for p in properties_for(oracle, extra_properties())]
        bad = [p for p in properties if p not in names]
        if bad:
            raise UsageError(f"properties={bad!r} are not properties of {oracle.id}; "
                             f"choose from {', '.join(names)}")
    with limits(timeout, isolate):
        result = check_implementation(oracle, impl, table, dtypes=dtypes, max_examples=max_examples,
                                      seed=seed, only=properties, shrink=shrink,
                                      extra_properties=extra_properties(), params=params,
                                      assume=assumption)
    result.conventions = tuple(declared)
    label = target if isinstance(target, str) else impl.source
    for rec in result.results:
        ce = rec.counterexample
        if ce is not None and ce.inputs:
            ce.reproduce = reproduce(result, rec, label, max_examples) + _pinned(params, assume)
            from mathoracle.core.calling import accepted_params
            fn = impl.functions.get(oracle.id)
            ce.snippet = snippet(impl.source, impl.name, oracle, ce.inputs,
                                 accepted_params(fn, oracle) if fn else None, rec.property)
    return result


def _pinned(params: dict, assume) -> str:
    """The --param and --assume options that reproduce a check."""
    import shlex

    def text(k, v):  # the shortest form that parses back to v
        plain = f"{k}={v}"
        return plain if parse_param(plain) == (k, v) and type(parse_param(plain)[1]) is type(v) \
            else f"{k}={v!r}"
    out = "".join(f" --param {shlex.quote(text(k, v))}" for k, v in params.items())
    return out + (f" --assume {shlex.quote(assume)}" if isinstance(assume, str) else "")


def parse_param(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` -> (name, value): VALUE as a Python literal, else the plain string."""
    import ast
    name, sep, value = text.partition("=")
    if not sep or not name.strip().isidentifier():
        raise UsageError(f"--param {text!r} must be NAME=VALUE, e.g. activation=relu")
    try:
        return name.strip(), ast.literal_eval(value.strip())
    except (ValueError, SyntaxError):
        return name.strip(), value.strip()


def assumed_names(assume: str) -> set[str]:
    """The argument names an --assume expression reads (``np`` and ``numpy`` left out)."""
    import ast
    try:
        tree = ast.parse(assume.strip(), mode="eval")
    except SyntaxError as exc:
        raise UsageError(f"--assume {assume!r} is not a Python expression: {exc.msg}") from None
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - {"np", "numpy"}


def assumable(oracles, assume: str | None) -> str | None:
    """``assume`` for a run over many oracles (report, plugin), which applies it to the oracles
    that have every argument it names; UsageError when none of them has."""
    if assume is None:
        return None
    names = assumed_names(assume)
    if not any(names <= _argument_names(o) for o in oracles):
        raise UsageError(f"--assume {assume!r}: no oracle of the run has the arguments "
                         f"{', '.join(sorted(names)) or '(none named)'}")
    return assume


def assume_for(oracle, assume: str | None) -> str | None:
    """``assume`` where ``oracle`` has every argument it names, else None."""
    return assume if assume is not None and assumed_names(assume) <= _argument_names(oracle) else None


def _argument_names(oracle) -> set[str]:
    return {*oracle.arrays, *(p.name for p in oracle.params)}


def validate_params(oracle, params) -> dict:
    """``params`` as a dict of the oracle's parameter names; UsageError naming the others."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise UsageError(f"params={params!r} must be a mapping of parameter name to value, "
                         f"e.g. {{'activation': 'relu'}}")
    names = [p.name for p in oracle.params]
    bad = [k for k in params if k not in names]
    if bad:
        have = f"its parameters are {', '.join(names)}" if names else "it has no parameters"
        raise UsageError(f"params: {', '.join(map(repr, bad))} is not a parameter of {oracle.id}; {have}")
    return dict(params)


def _assumption(oracle, assume) -> Callable[[dict], bool] | None:
    """``assume`` as a predicate on the full inputs; a string is compiled and tried on the
    oracle's probe input, so that a malformed one is a UsageError before any search."""
    import numpy as np
    if assume is None:
        return None
    if callable(assume):
        return assume
    if not isinstance(assume, str) or not assume.strip():
        raise UsageError(f"assume={assume!r} must be a Python expression such as "
                         f"'np.all(y > 0)', or a callable taking the inputs dict")
    try:
        code = compile(assume.strip(), "<assume>", "eval")
    except SyntaxError as exc:
        raise UsageError(f"assume={assume!r} is not a Python expression: {exc.msg}") from None
    names = [*oracle.arrays, *(p.name for p in oracle.params)]

    def predicate(inputs: dict) -> bool:
        return bool(eval(code, {"np": np, "numpy": np}, dict(inputs)))  # noqa: S307 - the user's own
    if oracle.probe is not None and not oracle.float_free:
        try:
            predicate({**oracle.defaults(), **oracle.probe(np.dtype("float64"))})
        except NameError as exc:
            raise UsageError(f"assume={assume!r}: {exc}; the names are {', '.join(names)} and np") from None
        except Exception as exc:
            raise UsageError(f"assume={assume!r} raised {type(exc).__name__}: {exc} on the probe "
                             f"input of {oracle.id}") from None
    return predicate


def _validate_limits(timeout, isolate) -> float | None:
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not timeout > 0):
        raise UsageError(f"timeout={timeout!r} must be a positive number of seconds, or None")
    if not isinstance(isolate, bool):
        raise UsageError(f"isolate={isolate!r} must be True or False")
    return timeout


def list_oracles() -> list[dict]:
    """One row per oracle: id, signature, formula, seed section, error model, providers."""
    from mathoracle.registry import available_implementations, oracles
    impls = available_implementations()
    rows = []
    for o in oracles().values():
        rows.append({
            "id": o.id, "signature": o.signature, "formula": o.formula, "seed": o.seed,
            "error_model": o.error.describe(), "note": o.note,
            "implementations": [n for n, i in impls.items() if not isinstance(i, str) and i.provides(o.id)],
        })
    return rows
