"""Oracles and implementations from other packages, found through entry points.

A package adds oracles by declaring, in its pyproject.toml::

    [project.entry-points."mathoracle.oracles"]
    myformulas = "mypkg.oracles"          # a module with ORACLES (and, optionally, PROPERTIES)

    [project.entry-points."mathoracle.implementations"]
    mylib = "mypkg.adapter:IMPLEMENTATION"  # an Implementation, or a module with FUNCTIONS

A plugin that fails to import, or whose oracle id is already taken, gets one warning
naming it (``PluginWarning``) and is left out; the run goes on.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Callable

ORACLE_GROUP = "mathoracle.oracles"
IMPLEMENTATION_GROUP = "mathoracle.implementations"


class PluginWarning(UserWarning):
    """A plugin could not be used; the message names it and says why."""


@dataclass
class Loaded:
    oracles: list = field(default_factory=list)      # Oracle objects, new ids only
    properties: list = field(default_factory=list)   # their laws
    sources: dict = field(default_factory=dict)      # oracle id -> "plugin name (value)"


def _warn(ep, why: str) -> None:
    warnings.warn(f"mathoracle plugin {ep.name!r} ({ep.value}, group {ep.group}) is left out: {why}",
                  PluginWarning, stacklevel=3)


@lru_cache(maxsize=None)
def plugin_oracles(taken: frozenset[str]) -> Loaded:
    """Oracles (and their properties) of every ``mathoracle.oracles`` entry point whose ids
    are not in ``taken`` (the bundled ones) nor registered by an earlier plugin."""
    out = Loaded()
    seen = set(taken)
    for ep in sorted(entry_points(group=ORACLE_GROUP), key=lambda e: e.name):
        try:
            module = ep.load()
            found = tuple(getattr(module, "ORACLES"))
            props = tuple(getattr(module, "PROPERTIES", ()))
        except Exception as exc:
            _warn(ep, f"{type(exc).__name__}: {exc}")
            continue
        dupes = sorted({o.id for o in found} & seen)
        if dupes:
            _warn(ep, f"oracle id {', '.join(dupes)} is already registered"
                      + "".join(f" by {out.sources[d]}" for d in dupes if d in out.sources))
            continue
        for o in found:
            seen.add(o.id)
            out.sources[o.id] = f"plugin {ep.name!r}"
        out.oracles.extend(found)
        out.properties.extend(props)
    return out


@lru_cache(maxsize=None)
def plugin_implementations(taken: frozenset[str], coerce: Callable) -> dict:
    """name -> Implementation for every ``mathoracle.implementations`` entry point, made one
    by ``coerce(object, name, source)`` (the registry's ``as_implementation``)."""
    out = {}
    for ep in sorted(entry_points(group=IMPLEMENTATION_GROUP), key=lambda e: e.name):
        if ep.name in taken or ep.name in out:
            _warn(ep, f"implementation name {ep.name!r} is already registered")
            continue
        try:
            out[ep.name] = coerce(ep.load(), ep.name, ep.value)
        except Exception as exc:
            _warn(ep, f"{type(exc).__name__}: {exc}")
    return out
