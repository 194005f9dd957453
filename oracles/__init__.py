"""Oracles: the single source of truth for every formula, one module per seed section.

A section is any module of this package that declares ``ORACLES``; its ``POSITION`` orders
it in the catalogue. Every layer (properties/, implementations/*/, tests/corpus/) has a
module of the same name for each section it covers. Nothing lists them: a new section is
its own files.
"""
from __future__ import annotations

import math
import pkgutil
from functools import lru_cache
from importlib import import_module
from importlib.util import find_spec


@lru_cache(maxsize=None)
def sections() -> tuple[str, ...]:
    """The section names in catalogue order (a module without ``POSITION`` comes after the
    others, by name)."""
    found = []
    for info in pkgutil.iter_modules(__path__):
        module = import_module(f"{__name__}.{info.name}")
        if hasattr(module, "ORACLES"):
            found.append((getattr(module, "POSITION", math.inf), info.name))
    return tuple(name for _, name in sorted(found))


def section_modules(package: str, attribute: str | None = None):
    """The modules ``package.<section>`` that exist, in catalogue order (those with
    ``attribute`` only, when given). A layer need not cover every section."""
    out = []
    for section in sections():
        name = f"{package}.{section}"
        if find_spec(name) is None:
            continue
        module = import_module(name)
        if attribute is None or hasattr(module, attribute):
            out.append(module)
    return out


def builtin_oracles():
    """Every bundled oracle, in catalogue order (importing compiles nothing)."""
    out = []
    for module in section_modules(__name__, "ORACLES"):
        out.extend(module.ORACLES)
    return tuple(out)


@lru_cache(maxsize=None)
def _by_id() -> dict:
    return {o.id: o for o in builtin_oracles()}


def oracle_by_id(oracle_id: str):
    """A bundled oracle by id (adapters read what it differentiates by); KeyError if none."""
    return _by_id()[oracle_id]
