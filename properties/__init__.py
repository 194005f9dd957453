"""Properties: the laws and contracts checked against every implementation.

One module per seed section (the same names as in ``oracles/``), each defining
``PROPERTIES``; ``contracts.py`` holds the ones every oracle has.
"""
from __future__ import annotations

from functools import lru_cache

from mathoracle.oracles import section_modules

from .contracts import calling_contracts, generic_properties


@lru_cache(maxsize=None)
def _laws() -> dict:
    by_oracle: dict = {}
    for module in section_modules(__name__, "PROPERTIES"):
        for prop in module.PROPERTIES:
            by_oracle.setdefault(prop.oracle, []).append(prop)
    return by_oracle


def properties_for(oracle, extra=()) -> tuple:
    """Every property of one oracle: the generic ones, its laws, then the calling contracts
    (stable order)."""
    props = (*generic_properties(oracle), *_laws().get(oracle.id, ()),
             *(p for p in extra if p.oracle == oracle.id), *calling_contracts(oracle))
    names = [p.name for p in props]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"{oracle.id} has two properties named {sorted(dupes)}")
    return props
