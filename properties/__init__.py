"""Properties: the laws and contracts checked against every implementation.

One module per seed section (the same names as in ``oracles/``), each defining
``PROPERTIES``; ``contracts.py`` holds the ones every oracle has.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import import_module

from .contracts import generic_properties

SECTIONS = ("activations", "losses", "divergence")


@lru_cache(maxsize=None)
def _laws() -> dict:
    by_oracle: dict = {}
    for section in SECTIONS:
        for prop in import_module(f"{__name__}.{section}").PROPERTIES:
            by_oracle.setdefault(prop.oracle, []).append(prop)
    return by_oracle


def properties_for(oracle, extra=()) -> tuple:
    """Every property of one oracle: the contracts, then its laws (stable order)."""
    props = (*generic_properties(oracle), *_laws().get(oracle.id, ()),
             *(p for p in extra if p.oracle == oracle.id))
    names = [p.name for p in props]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"{oracle.id} has two properties named {sorted(dupes)}")
    return props
