"""Finding things by name: oracles by id, bundled implementations, and user targets.

Every lookup that can fail because of what the user typed raises ``UsageError`` with one
line that says what is wrong and how to fix it; the CLI prints it and exits 2.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable

from mathoracle.implementations.base import Implementation
from mathoracle.oracles import builtin_oracles
from mathoracle.oracles.base import Oracle

BUNDLED = {
    "numpy": "mathoracle.implementations.numpy_reference",
    "torch": "mathoracle.implementations.torch_adapter",
    "scipy": "mathoracle.implementations.scipy_adapter",
    "sklearn": "mathoracle.implementations.sklearn_adapter",
}


class UsageError(Exception):
    """Bad input to the tool itself: reported in one line, exit status 2."""


@lru_cache(maxsize=None)
def oracles() -> dict[str, Oracle]:
    return {o.id: o for o in builtin_oracles()}


def get_oracle(oracle_id: str) -> Oracle:
    table = oracles()
    if oracle_id in table:
        return table[oracle_id]
    near = difflib.get_close_matches(oracle_id, list(table), n=3, cutoff=0.5)
    if not near:
        section = oracle_id.split(".", 1)[0]
        near = [i for i in table if i.startswith(section + ".")][:3]
    hint = f"; did you mean {', '.join(near)}?" if near else "; `mathoracle list` shows every id"
    raise UsageError(f"unknown oracle id {oracle_id!r}{hint}")


@lru_cache(maxsize=None)
def bundled(name: str) -> Implementation:
    """A bundled implementation by name; UsageError when its library is not installed."""
    if name not in BUNDLED:
        raise UsageError(f"unknown implementation {name!r}; the bundled ones are "
                         f"{', '.join(BUNDLED)}, or give a target as module:function")
    try:
        module = importlib.import_module(BUNDLED[name])
    except ImportError as exc:
        raise UsageError(f"the {name} implementation needs {exc.name or name}, which is not "
                         f"installed; install it with: pip install 'mathoracle[{name}]'") from None
    return module.IMPLEMENTATION


def available_implementations() -> dict[str, Implementation | str]:
    """Every bundled implementation, or the reason it cannot be loaded here."""
    out: dict[str, Implementation | str] = {}
    for name in BUNDLED:
        try:
            out[name] = bundled(name)
        except UsageError as exc:
            out[name] = str(exc)
    return out


def _attribute(obj, path: str, where: str):
    for part in path.split("."):
        if not hasattr(obj, part):
            names = [n for n in dir(obj) if not n.startswith("_")]
            near = difflib.get_close_matches(part, names, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise UsageError(f"{where} has no attribute {part!r}{hint}")
        obj = getattr(obj, part)
    return obj


def load_target(spec: str) -> Callable:
    """``package.module:function`` or ``path/to/file.py:function`` -> the callable."""
    module_part, sep, attr = spec.rpartition(":")
    if not sep or not module_part or not attr:
        raise UsageError(f"TARGET must be 'package.module:function' or 'path/to/file.py:function' "
                         f"(or a bundled implementation: {', '.join(BUNDLED)}), got {spec!r}")
    if module_part.endswith(".py") or "/" in module_part or "\\" in module_part:
        path = Path(module_part)
        if not path.is_file():
            raise UsageError(f"no such file {module_part!r} in TARGET {spec!r}")
        name = f"_mathoracle_target_{abs(hash(str(path.resolve())))}"
        try:
            loader_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[name] = module
            loader_spec.loader.exec_module(module)
        except Exception as exc:
            raise UsageError(f"cannot import {module_part!r}: {type(exc).__name__}: {exc}") from None
    else:
        try:
            module = importlib.import_module(module_part)
        except ImportError as exc:
            raise UsageError(f"cannot import module {module_part!r} ({type(exc).__name__}: {exc}); "
                             f"check the name and that its package is installed") from None
        except Exception as exc:
            raise UsageError(f"importing {module_part!r} failed: {type(exc).__name__}: {exc}") from None
    fn = _attribute(module, attr, f"module {module_part!r}")
    if not callable(fn):
        raise UsageError(f"{spec!r} names a {type(fn).__name__} object, not a function")
    return fn


def resolve_implementation(oracle_id: str, target: str | Callable | Implementation) -> Implementation:
    """A bundled name, a TARGET string, a callable or an Implementation, as an Implementation."""
    if isinstance(target, Implementation):
        return target
    if callable(target):
        label = f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', repr(target))}"
        return Implementation(label, {oracle_id: target}, source=label)
    if target in BUNDLED:
        return bundled(target)
    return Implementation(target, {oracle_id: load_target(target)}, source=target)
