"""mathoracle: does this function compute the formula it claims to, to its dtype's precision?

    >>> import mathoracle, scipy.special
    >>> mathoracle.check("activation.sigmoid", scipy.special.expit).status
    'pass'
"""
from __future__ import annotations

from typing import Callable, Iterable

from mathoracle.registry import UsageError, get_oracle, oracles, resolve_implementation
from mathoracle.results import CheckResult, Counterexample, PropertyResult

__version__ = "0.1.0"
__all__ = ["check", "list_oracles", "CheckResult", "PropertyResult", "Counterexample", "UsageError"]


def _validate(dtypes, max_examples, seed) -> tuple[str, ...] | None:
    from mathoracle.runner import DTYPES
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
          properties: Iterable[str] | None = None, shrink: bool = True) -> CheckResult:
    """Check ``target`` against every property of the oracle ``oracle_id``.

    target: a callable, a 'module:function' or 'file.py:function' string, or the name of a
    bundled implementation ('numpy', 'torch', 'scipy', 'sklearn').
    dtypes: the float dtypes to check (default: every one the target accepts).
    properties: property names to run (default: all of the oracle's).
    shrink: minimise each counterexample (default); False is faster when only the verdict matters.
    Returns a CheckResult; ``.raise_for_status()`` turns a failure into an AssertionError.
    """
    from mathoracle.properties import properties_for
    from mathoracle.runner import check_implementation
    from mathoracle.text import reproduce, snippet

    oracle = get_oracle(oracle_id)
    dtypes = _validate(dtypes, max_examples, seed)
    if properties is not None:
        properties = [properties] if isinstance(properties, str) else list(properties)
        names = [p.name for p in properties_for(oracle)]
        bad = [p for p in properties if p not in names]
        if bad:
            raise UsageError(f"properties={bad!r} are not properties of {oracle.id}; "
                             f"choose from {', '.join(names)}")
    impl = resolve_implementation(oracle.id, target)
    result = check_implementation(oracle, impl, oracles(), dtypes=dtypes, max_examples=max_examples,
                                  seed=seed, only=properties, shrink=shrink)
    label = target if isinstance(target, str) else impl.source
    for rec in result.results:
        ce = rec.counterexample
        if ce is not None and ce.inputs:
            ce.reproduce = reproduce(result, rec, label, max_examples)
            from mathoracle.calling import accepted_params
            ce.snippet = snippet(impl.source, impl.name, oracle, ce.inputs,
                                 accepted_params(impl.functions[oracle.id], oracle))
    return result


def list_oracles() -> list[dict]:
    """One row per oracle: id, signature, formula, seed section, error model, providers."""
    from mathoracle.registry import available_implementations
    impls = available_implementations()
    rows = []
    for o in oracles().values():
        rows.append({
            "id": o.id, "signature": o.signature, "formula": o.formula, "seed": o.seed,
            "error_model": o.error.describe(), "note": o.note,
            "implementations": [n for n, i in impls.items() if not isinstance(i, str) and i.provides(o.id)],
        })
    return rows
