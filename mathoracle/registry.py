"""Finding things by name: oracles by id, bundled implementations, and user targets.

Every lookup that can fail because of what the user typed raises ``UsageError`` with one
line that says what is wrong and how to fix it; the CLI prints it and exits 2.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from mathoracle import conventions as conv
from mathoracle.core.errors import UsageError  # noqa: F401  (re-exported: mathoracle.registry.UsageError)
from mathoracle.core.implementation import Implementation, KnownDeviation
from mathoracle.core.model import Oracle
from mathoracle.oracles import builtin_oracles
from mathoracle.plugins import plugin_implementations, plugin_oracles

BUNDLED = {
    "numpy": "mathoracle.implementations.numpy_reference",
    "torch": "mathoracle.implementations.torch_adapter",
    "scipy": "mathoracle.implementations.scipy_adapter",
    "sklearn": "mathoracle.implementations.sklearn_adapter",
    "umap": "mathoracle.implementations.umap_adapter",
    "jax": "mathoracle.implementations.jax_adapter",
    "keras[torch]": "mathoracle.implementations.keras_adapter",
    "keras[jax]": "mathoracle.implementations.keras_adapter",
}




@lru_cache(maxsize=None)
def _catalogue() -> tuple[dict[str, Oracle], tuple]:
    """(every oracle by id, the laws plugins give), read once per process."""
    table = {o.id: o for o in builtin_oracles()}
    plugins = plugin_oracles(frozenset(table))
    table.update({o.id: o for o in plugins.oracles})
    return table, tuple(plugins.properties)


def oracles() -> dict[str, Oracle]:
    """Every oracle by id: the bundled ones, then those of plugins (``mathoracle.plugins``)."""
    return _catalogue()[0]


def extra_properties() -> tuple:
    """The laws that plugins give for their oracles."""
    return _catalogue()[1]


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
        plugins = plugin_implementations(frozenset(BUNDLED), as_implementation)
        if name in plugins:
            return plugins[name]
        raise UsageError(f"unknown implementation {name!r}; the bundled ones are "
                         f"{', '.join([*BUNDLED, *plugins])}, or give a target as module:function")
    extra, _, variant = name.partition("[")  # "keras[jax]": module.implementation("jax")
    try:
        module = importlib.import_module(BUNDLED[name])
        return module.implementation(variant.rstrip("]")) if variant else module.IMPLEMENTATION
    except ImportError as exc:
        raise UsageError(f"the {name} implementation needs {exc.name or extra}, which is not "
                         f"installed; install it with: pip install 'mathoracle[{extra}]'") from None


def available_implementations() -> dict[str, Implementation | str]:
    """Every bundled implementation, or the reason it cannot be loaded here."""
    out: dict[str, Implementation | str] = {}
    for name in BUNDLED:
        try:
            out[name] = bundled(name)
        except UsageError as exc:
            out[name] = str(exc)
    out.update(plugin_implementations(frozenset(BUNDLED), as_implementation))
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


def _import(module_part: str, spec: str):
    """The module of a TARGET: a dotted name or a path to a .py file."""
    if module_part.endswith(".py") or "/" in module_part or "\\" in module_part:
        path = Path(module_part)
        if not path.is_file():
            raise UsageError(f"no such file {module_part!r} in {spec!r}")
        name = f"_mathoracle_target_{abs(hash(str(path.resolve())))}"
        if name in sys.modules:
            return sys.modules[name]
        try:
            loader_spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[name] = module
            loader_spec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(name, None)
            raise UsageError(f"cannot import {module_part!r}: {type(exc).__name__}: {exc}") from None
        return module
    try:
        return _import_module(module_part)
    except ImportError as exc:
        raise UsageError(f"cannot import module {module_part!r} ({type(exc).__name__}: {exc}); "
                         f"check the name and that its package is installed") from None
    except Exception as exc:
        raise UsageError(f"importing {module_part!r} failed: {type(exc).__name__}: {exc}") from None


def _import_module(name: str):
    """``importlib.import_module``, from the current directory too (as ``python -m`` would:
    a console script's sys.path starts at its own bin directory)."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        cwd = str(Path.cwd())
        if exc.name != name.split(".")[0] or cwd in sys.path or "" in sys.path:
            raise
        sys.path.append(cwd)
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as again:
            if again.name == name.split(".")[0]:
                sys.path.remove(cwd)
            raise


def load_target(spec: str) -> Callable:
    """``package.module:function`` or ``path/to/file.py:function`` -> the callable."""
    module_part, sep, attr = spec.rpartition(":")
    if not sep or not module_part or not attr:
        raise UsageError(f"TARGET must be 'package.module:function' or 'path/to/file.py:function' "
                         f"(or a bundled implementation: {', '.join(BUNDLED)}), got {spec!r}")
    module = _import(module_part, f"TARGET {spec!r}")
    fn = _attribute(module, attr, f"module {module_part!r}")
    if not callable(fn):
        raise UsageError(f"{spec!r} names a {type(fn).__name__} object, not a function")
    return fn


@dataclass(frozen=True)
class DeclaredImplementation(Implementation):
    """An implementation with declared conventions (``mathoracle.conventions``)."""

    conventions: tuple[str, ...] = ()


def as_implementation(obj, name: str, source: str = "") -> Implementation:
    """A user's whole implementation as an Implementation: an Implementation, or a module or
    object with ``IMPLEMENTATION``, or with ``FUNCTIONS`` (oracle id -> function) and
    optionally ``GRADIENTS``, ``CONVENTIONS``, ``DEVIATIONS`` (KnownDeviation list), or a
    plain mapping of oracle id -> function."""
    declared = tuple(getattr(obj, "CONVENTIONS", ()))
    if hasattr(obj, "IMPLEMENTATION"):
        obj = obj.IMPLEMENTATION
    if isinstance(obj, Implementation):
        impl = obj
    else:
        functions = obj if isinstance(obj, Mapping) else getattr(obj, "FUNCTIONS", None)
        if not isinstance(functions, Mapping):
            raise UsageError(f"{source or name!r} is not an implementation: give a module or object "
                             f"with IMPLEMENTATION, or with FUNCTIONS = {{oracle id: function}}")
        gradients = dict(getattr(obj, "GRADIENTS", {}))
        deviations = getattr(obj, "DEVIATIONS", ())
        if not isinstance(deviations, (list, tuple)):
            raise UsageError(f"{source or name!r}: DEVIATIONS must be a list of KnownDeviation, "
                             f"not a {type(deviations).__name__}")
        deviations = tuple(deviations)
        impl = Implementation(name, dict(functions), deviations,
                              description=getattr(obj, "__doc__", "") or "", source=source,
                              gradients=gradients)
    declared = declared or tuple(getattr(impl, "conventions", ()))
    table = oracles()
    for oid, fn in {**impl.functions, **impl.gradients}.items():
        if oid not in table:
            get_oracle(oid)  # raises with the nearest ids
        if not callable(fn):
            raise UsageError(f"{source or name!r} maps {oid!r} to a {type(fn).__name__}, not a function")
    for d in () if isinstance(obj, Implementation) else impl.deviations:  # a user's DEVIATIONS
        if not isinstance(d, KnownDeviation):
            raise UsageError(f"{source or name!r}: DEVIATIONS holds a {type(d).__name__}; each item "
                             f"must be a mathoracle.core.implementation.KnownDeviation")
        if d.oracle not in impl.functions:
            raise UsageError(f"{source or name!r}: a known deviation of {d.oracle!r}, which its "
                             f"FUNCTIONS do not provide")
    try:
        conv.parse(declared)
    except ValueError as exc:
        raise UsageError(f"{source or name!r}: {exc}") from None
    if declared:
        impl = DeclaredImplementation(**{f.name: getattr(impl, f.name) for f in fields(Implementation)},
                                      conventions=declared)
    return impl


def load_implementation(spec: str) -> Implementation:
    """A whole implementation by name: a bundled one (numpy, torch, scipy, sklearn), a
    plugin's, ``package.module`` / ``package.module:object`` or ``path/to/file.py``."""
    if not isinstance(spec, str) or not spec.strip():
        raise UsageError(f"an implementation must be named, got {spec!r}")
    if ":" not in spec and not spec.endswith(".py"):
        try:
            return bundled(spec)
        except UsageError as exc:
            if "." not in spec:
                if not str(exc).startswith("unknown implementation"):
                    raise
                if not _is_implementation_module(spec) and not _findable(spec):
                    raise UsageError(f"unknown implementation {spec!r}; give a bundled one "
                                     f"({', '.join(available_implementations())}), a module "
                                     f"with FUNCTIONS or IMPLEMENTATION, or path/to/file.py") from None
    module_part, _, attr = spec.partition(":") if not spec.endswith(".py") else (spec, "", "")
    module = _import(module_part, spec)
    obj = _attribute(module, attr, f"module {module_part!r}") if attr else module
    name = attr or module_part.rsplit("/", 1)[-1].removesuffix(".py")
    return as_implementation(obj, name if attr else module_part, spec)


def resolve_implementation(oracle_id: str, target: str | Callable | Implementation) -> Implementation:
    """A bundled name, a TARGET string, a callable or an Implementation, as an Implementation."""
    if isinstance(target, Implementation):
        return target
    if isinstance(target, Mapping) or hasattr(target, "FUNCTIONS") or hasattr(target, "IMPLEMENTATION"):
        name = getattr(target, "__name__", type(target).__name__)
        return as_implementation(target, name, getattr(target, "__name__", ""))
    if callable(target):
        label = f"{getattr(target, '__module__', '?')}:{getattr(target, '__qualname__', repr(target))}"
        return Implementation(label, {oracle_id: target}, source=label)
    if not isinstance(target, str):
        raise UsageError(f"target must be a function, an implementation or a 'module:function' "
                         f"string, got a {type(target).__name__}")
    if target in BUNDLED or target in plugin_implementations(frozenset(BUNDLED), as_implementation):
        return bundled(target)
    if ":" not in target and (target.endswith(".py") or _is_implementation_module(target)):
        return load_implementation(target)
    return Implementation(target, {oracle_id: load_target(target)}, source=target)


def _findable(name: str) -> bool:
    """Whether a top-level module ``name`` exists (on sys.path or in the current directory)."""
    if not name.isidentifier():
        return False
    cwd = Path.cwd()
    return (importlib.util.find_spec(name) is not None or (cwd / f"{name}.py").is_file()
            or (cwd / name / "__init__.py").is_file())


def _is_implementation_module(name: str) -> bool:
    """True when ``name`` imports and holds a whole implementation (FUNCTIONS or IMPLEMENTATION)."""
    if not all(part.isidentifier() for part in name.split(".")):
        return False
    try:
        module = _import_module(name)
    except Exception:
        return False
    return hasattr(module, "FUNCTIONS") or hasattr(module, "IMPLEMENTATION")
