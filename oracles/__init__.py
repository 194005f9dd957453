"""Oracles: the single source of truth for every formula, one module per seed section."""
from __future__ import annotations

from importlib import import_module

SECTIONS = ("activations", "losses", "divergence")


def builtin_oracles():
    """Every bundled oracle, in catalogue order (importing compiles nothing)."""
    out = []
    for section in SECTIONS:
        out.extend(import_module(f"{__name__}.{section}").ORACLES)
    return tuple(out)
